// The load oracle on arm64, ppc64le and s390x (x86_64 is load.test.ts), and the pieces it rests
// on. The unit tests always run. The boots run for the kernels KLP_LOAD_ARCHES names: `all`, or a
// comma list of ARCH or ARCH:KERNEL (arm64, ppc64le:6.12, s390x:livepatch, …). They fetch
// Debian's packages (network to deb.debian.org) into KLP_KERNEL_CACHE and boot the committed
// livepatch kernels of kernels/; CI sets KLP_LOAD_ARCHES=all and KLP_REQUIRE_KERNEL=1, and then
// a missing QEMU, cross compiler or package is a failure, not a skip.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARCHES, crossGcc, KERNEL_ARCHES, parseArch, type KernelArch } from './arch.js';
import { findKernelCases, forKernel } from './cases.js';
import { formatLoadReport } from './cli.js';
import { caseDigest, openCommitted, repoRoot } from './committed.js';
import { sha256 } from '../provenance.js';
import { compareDebianVersions, parseAptShow, parseDepends, pickKernelVersion, sourcesList, aptConfig } from './debian.js';
import { runLoadTest } from './load.js';
import { KNOWN_KERNELS, pickKnownKernel, resolveKernel } from './targets.js';
import { readInputFile } from '../../src/io/index.js';

const REPO = repoRoot();
const CASES = join(REPO, 'cases/kernel');
const KERNELS = join(REPO, 'kernels');

describe('Debian package metadata', () => {
  it('orders versions as dpkg does', () => {
    expect(compareDebianVersions('6.1.192-3', '6.1.176-1')).toBeGreaterThan(0);
    expect(compareDebianVersions('6.1.9-1', '6.1.10-1')).toBeLessThan(0);
    expect(compareDebianVersions('6.12.95-1~bpo12+1', '6.12.95-1')).toBeLessThan(0);
    expect(compareDebianVersions('1:1.35.0-4', '1.36.0-1')).toBeGreaterThan(0);
    expect(compareDebianVersions('6.1.192-3', '6.1.192-3')).toBe(0);
  });

  const show = [
    'Package: linux-image-powerpc64le', 'Version: 6.12.95-1~bpo12+1', 'Depends: linux-image-6.12.95+deb12-powerpc64le (= 6.12.95-1~bpo12+1)', '',
    'Package: linux-image-powerpc64le', 'Version: 6.1.192-3', 'Depends: linux-image-6.1.0-57-powerpc64le (= 6.1.192-3)', 'Description: x', ' more', '',
    'Package: linux-image-powerpc64le', 'Version: 6.1.176-1', 'Depends: linux-image-6.1.0-50-powerpc64le (= 6.1.176-1)', '',
  ].join('\n');

  it('picks the newest image of a series, from backports only when asked', () => {
    const stanzas = parseAptShow(show);
    expect(stanzas).toHaveLength(3);
    expect(stanzas[1]!.get('Description')).toBe('x\nmore');
    expect(pickKernelVersion(stanzas, { series: '6.1', backports: false })).toEqual({ version: '6.1.192-3', image: 'linux-image-6.1.0-57-powerpc64le' });
    expect(pickKernelVersion(stanzas, { series: '6.12', backports: true })).toEqual({ version: '6.12.95-1~bpo12+1', image: 'linux-image-6.12.95+deb12-powerpc64le' });
    expect(pickKernelVersion(stanzas, { series: '6.12', backports: false })).toBeUndefined();
  });

  it('reads the headers dependencies that name -common and kbuild', () => {
    const deps = parseDepends('linux-headers-6.1.0-57-common (= 6.1.192-3), linux-kbuild-6.1 (= 6.1.192-3), linux-compiler-gcc-12-ppc | gcc-12, libc6:any');
    expect(deps.map((d) => d.name)).toEqual(['linux-headers-6.1.0-57-common', 'linux-kbuild-6.1', 'linux-compiler-gcc-12-ppc', 'libc6']);
    expect(deps[1]!.version).toBe('6.1.192-3');
  });

  it('keeps apt to its own state and to the four architectures', () => {
    const conf = aptConfig('/c/apt', true);
    for (const k of ['Dir::State::Lists "/c/apt/lists"', 'Dir::Cache "/c/apt/cache"', 'Dir::Etc::SourceList "/c/apt/sources.list"', 'Dir::Etc::SourceParts "/nonexistent"', 'APT::Architectures { "amd64"; "arm64"; "ppc64el"; "s390x"; }']) {
      expect(conf).toContain(k);
    }
    const src = sourcesList({});
    expect(src.split('\n').filter(Boolean)).toHaveLength(3);
    for (const s of ['bookworm main', 'bookworm-security main', 'bookworm-backports main']) expect(src).toContain(s);
    expect(src).toMatch(/\[arch=amd64,arm64,ppc64el,s390x /);
  });
});

describe('kernel selection', () => {
  it('knows Debian 6.1 everywhere, 6.12 and the livepatch kernels where asked', () => {
    expect(pickKnownKernel('ppc64le', '6.12').id).toBe('debian-6.12');
    expect(pickKnownKernel('ppc64le', undefined).id).toBe('debian-6.1');
    expect(pickKnownKernel('s390x', 'klp').id).toBe('livepatch');
    expect(pickKnownKernel('arm64', '6.1').id).toBe('debian-6.1');
    expect(() => pickKnownKernel('arm64', 'livepatch')).toThrow(/arm64 kernels are debian-6.1/);
    expect(parseArch('ppc64el').arch).toBe('ppc64le');
    expect(() => parseArch('mips')).toThrow(/not one of/);
  });
});

describe('cases per kernel', () => {
  const all = findKernelCases(CASES, []);
  const byId = (id: string) => all.find((c) => c.id === id)!;
  const k = (arch: KernelArch, livepatch: boolean, release = '6.1.0-57') => ({ arch, livepatch, console: ARCHES[arch].console, release });

  it('patched cases only load without CONFIG_LIVEPATCH, and checks follow the console', () => {
    expect(forKernel(byId('cmdline'), k('x86_64', true)).checks[0]!.contains).toEqual(['klp_cmdline: console=ttyS0']);
    expect(forKernel(byId('cmdline'), k('ppc64le', true)).checks[0]!.contains).toEqual(['klp_cmdline: console=hvc0']);
    for (const c of all.filter((x) => x.expect === 'patched')) expect(forKernel(c, k('arm64', false)).expect).toBe('loads');
    expect(forKernel(byId('control-unconverted'), k('s390x', false)).expect).toBe('insmod-fails');
  });

  it('the SHF_RELA_LIVEPATCH control: an oops with livepatch, a relocation overflow on arm64 without, a load elsewhere', () => {
    const c = byId('control-no-rela-livepatch');
    expect(forKernel(c, k('ppc64le', true)).expect).toBe('oops');
    expect(forKernel(c, k('arm64', false))).toMatchObject({ expect: 'insmod-fails', dmesg: 'overflow in relocation type 275 val 0' });
    expect(forKernel(c, k('s390x', false)).expect).toBe('loads');
  });

  it('the late-module case does not apply to 6.12 (no binfmt_misc `enabled`), and says why', () => {
    const c = forKernel(byId('late-module'), k('ppc64le', false, '6.12.95+deb12-powerpc64le'));
    expect(c.skip).toMatch(/enabled/);
    expect(forKernel(byId('late-module'), k('ppc64le', false)).skip).toBeUndefined();
  });
});

describe('committed livepatch kernels (kernels/<arch>)', () => {
  // kernels/x86_64-7 is the klp-build corpus's kernel, with no prebuilt case modules: klp-build.test.ts checks it.
  const arches = existsSync(KERNELS) ? readdirSync(KERNELS).filter((d) => d !== 'x86_64-7' && existsSync(join(KERNELS, d, 'manifest.json'))) : [];

  it('are there for ppc64le and s390x', () => {
    expect(arches.sort()).toEqual(['ppc64le', 's390x']);
  });

  it.each(arches)('%s: every file matches the manifest, and every prebuilt case module matches its sources', (arch) => {
    const cache = mkdtempSync(join(tmpdir(), 'klp-committed-'));
    try {
      const k = openCommitted(join(KERNELS, arch), cache);
      expect(k.manifest.arch).toBe(arch);
      expect(sha256(readInputFile(k.image))).toBe(k.manifest.image.sha256);
      expect(sha256(readInputFile(k.config))).toBe(k.manifest.configSha256);
      for (const c of findKernelCases(CASES, [])) {
        if (c.dialect === 'unconverted' && c.sourceDir !== c.dir) continue;
        const entry = k.manifest.modules[c.module];
        expect(entry, `${arch}: no prebuilt ${c.module}`).toBeDefined();
        expect(caseDigest(c.sourceDir), `${arch}: ${c.module}.ko was built from other sources than ${c.sourceDir} has now: run scripts/kernels/commit-livepatch-kernel.sh ${arch}`).toBe(entry!.sources);
      }
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

// --- the boots -------------------------------------------------------------------------------

const requested = (process.env.KLP_LOAD_ARCHES ?? '').trim();
const required = process.env.KLP_REQUIRE_KERNEL === '1';
const FOREIGN = KERNEL_ARCHES.filter((a) => a !== 'x86_64');
const targets: Array<{ arch: KernelArch; kernel: string }> =
  requested === 'all'
    ? FOREIGN.flatMap((arch) => KNOWN_KERNELS[arch].map((k) => ({ arch, kernel: k.id })))
    : requested
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const [a, kernel] = s.split(':');
          return { arch: parseArch(a!).arch, kernel: pickKnownKernel(parseArch(a!).arch, kernel).id };
        });
if (targets.length === 0) console.warn('foreign-architecture load tests not requested (KLP_LOAD_ARCHES=all runs them)');

async function missingTools(arch: KernelArch): Promise<string | undefined> {
  const spec = ARCHES[arch];
  if ((await execa(spec.qemu, ['--version'], { reject: false })).exitCode !== 0) return `no ${spec.qemu} (scripts/install-deps.sh installs it)`;
  if ((await execa(crossGcc(spec), ['--version'], { reject: false })).exitCode !== 0) return `no ${crossGcc(spec)} (scripts/install-deps.sh installs it)`;
  for (const t of ['apt-get', 'dpkg-deb', 'make', 'xz']) if ((await execa('sh', ['-c', `command -v ${t}`], { reject: false })).exitCode !== 0) return `no ${t}`;
  return undefined;
}

const refSymbols = process.env.KLP_REFERENCE_SYMBOLS;

describe.runIf(targets.length > 0)('load oracle on other architectures', () => {
  it.each(targets)('$arch $kernel: converted modules load (and patch, on a livepatch kernel); negative controls fail', async ({ arch, kernel }) => {
    const why = await missingTools(arch);
    if (why) {
      if (required) expect(why).toBeUndefined();
      console.warn(`load test ${arch} ${kernel} skipped: ${why}`);
      return;
    }
    const target = await resolveKernel(arch, kernel, { log: (l) => console.log(`load ${arch}: ${l}`) });
    const withRef = kernel === 'debian-6.12' && refSymbols !== undefined;
    const report = await runLoadTest({
      cases: findKernelCases(CASES, []),
      target,
      log: (l) => console.log(`load ${arch}: ${l}`),
      ...(withRef ? { references: { symbols: { argv: [refSymbols], binary: refSymbols } } } : {}),
    });
    console.log(formatLoadReport(report).join('\n'));
    expect(report.arch).toBe(arch);
    expect(report.guestKernel).toBe(target.release);
    expect(report.cases.filter((c) => !c.ok).map((c) => `${c.id}: ${c.notes.join('; ')}`)).toEqual([]);
    const ran = report.cases.filter((c) => !c.skipped);
    expect(ran.find((c) => c.id === 'control-unconverted')?.notes.join(' ')).toMatch(/Unknown symbol saved_command_line/);
    if (target.livepatch) {
      // As on x86_64: every case, each converted one patching, all three controls failing.
      expect(ran.filter((c) => c.expect === 'patched').length).toBeGreaterThanOrEqual(6);
      expect(ran.map((c) => c.id)).toEqual(expect.arrayContaining(['control-wrong-sympos', 'control-no-rela-livepatch']));
      // Without SHF_RELA_LIVEPATCH the relocation is applied against 0: ppc64le oopses as x86_64
      // does; s390x maps address 0 (the lowcore), so the patch prints (null) instead.
      const noRela = ran.find((c) => c.id === 'control-no-rela-livepatch')!;
      if (arch === 's390x') expect(noRela.notes.join(' ')).toMatch(/klp_cmdline: \(null\)/);
      else expect(noRela.expect).toBe('oops');
      expect(ran.find((c) => c.id === 'control-wrong-sympos')?.expect).toBe('insmod-fails');
      // A livepatch module none of the cases was written for: the kernel's own sample, unchanged.
      const dir = mkdtempSync(join(tmpdir(), 'klp-sample-'));
      try {
        await execa('bash', [join(REPO, 'scripts/kernels/sample-case.sh'), dir]);
        const sample = await runLoadTest({ cases: findKernelCases(dir, []), target, log: (l) => console.log(`load ${arch} sample: ${l}`) });
        console.log(formatLoadReport(sample).join('\n'));
        expect(sample.cases.map((c) => [c.id, c.ok, c.expect])).toEqual([['livepatch-sample', true, 'patched']]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else {
      expect(ran.filter((c) => c.expect === 'loads').length).toBeGreaterThanOrEqual(5);
    }
    if (withRef) {
      // 6.12's module_elf_check_arch: the reference's e_flags 0 is refused, ours (ABI v2) loads.
      expect(report.reference.length).toBeGreaterThan(0);
      for (const r of report.reference) expect(r.notes.join(' ')).toMatch(/e_flags 0x0 .*Invalid module architecture in ELF header/);
    }
  }, 1_800_000);
});
