// The kernels the load oracle boots, per architecture: the installed x86_64 kernel; Debian's own
// arm64, ppc64el and s390x kernels (fetched, never installed); Debian bookworm-backports' 6.12
// for ppc64el (whose loader checks e_flags' ELF ABI bits); and the minimal livepatch kernels
// scripts/kernels/build-livepatch-kernel.sh builds from linux-source-6.1 for ppc64le and s390x.
import { execaSync } from 'execa';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HarnessError } from '../errors.js';
import { readInputText } from '../../src/io/index.js';
import { ARCHES, crossGcc, type ArchSpec, type KernelArch } from './arch.js';
import { fetchBusybox, fetchDebianKernel, findModule, formatPackage, kernelCacheDir, parseKernelConfig } from './debian.js';
import { openCommitted, repoRoot, type CommittedKernel } from './committed.js';
import { BUSYBOX_PATHS } from './guest.js';
import { findInstalledKernel } from './installed.js';

/** Everything needed to build modules for a kernel, boot it, and say which kernel it was. */
export interface KernelTarget {
  arch: ArchSpec;
  /** Which known kernel: installed, debian-6.1, debian-6.12, livepatch. */
  id: string;
  /** The kernel release (uname -r) it should report. */
  release: string;
  /** One line for reports: where it came from, with versions. */
  description: string;
  /** Packages it came from, `name:arch version`. */
  packages: string[];
  /** What QEMU's -kernel gets. */
  image: string;
  /** The tree `make -C` builds external modules against, and what else make needs. */
  kbuild?: string;
  makeArgs: string[];
  /** Instead of kbuild: the committed kernel's prebuilt case modules (kernels/<arch>). */
  prebuilt?: CommittedKernel;
  symvers?: string;
  /** A module shipped with the kernel, by its path under /lib/modules/<release> (kernel/fs/x.ko). */
  moduleFile(rel: string): string | undefined;
  config: Map<string, string>;
  /** CONFIG_LIVEPATCH=y: converted modules can patch; otherwise they can only load. */
  livepatch: boolean;
  /** CONFIG_KALLSYMS_ALL=y: kallsyms lists data symbols too. */
  kallsymsAll: boolean;
  /** An ELF vmlinux with its symbol table, when the kernel comes with one. */
  vmlinux?: string;
  /** busybox for the initramfs, of the kernel's architecture. */
  busybox: string;
}

interface KnownKernel {
  id: string;
  kind: 'installed' | 'debian' | 'livepatch';
  series: string;
  backports?: boolean;
  about: string;
}

export const KNOWN_KERNELS: Readonly<Record<KernelArch, readonly KnownKernel[]>> = {
  x86_64: [{ id: 'installed', kind: 'installed', series: '6.1', about: 'the installed linux-image-amd64 (CONFIG_LIVEPATCH=y)' }],
  arm64: [{ id: 'debian-6.1', kind: 'debian', series: '6.1', about: "Debian bookworm's linux-image-arm64 (no livepatch)" }],
  ppc64le: [
    { id: 'debian-6.1', kind: 'debian', series: '6.1', about: "Debian bookworm's linux-image-powerpc64le (no CONFIG_LIVEPATCH)" },
    { id: 'debian-6.12', kind: 'debian', series: '6.12', backports: true, about: "Debian bookworm-backports' 6.12 linux-image-powerpc64le (checks e_flags)" },
    { id: 'livepatch', kind: 'livepatch', series: '6.1', about: 'the minimal CONFIG_LIVEPATCH kernel from linux-source-6.1 (scripts/kernels/build-livepatch-kernel.sh)' },
  ],
  s390x: [
    { id: 'debian-6.1', kind: 'debian', series: '6.1', about: "Debian bookworm's linux-image-s390x (no CONFIG_LIVEPATCH; no security update, bookworm main)" },
    { id: 'livepatch', kind: 'livepatch', series: '6.1', about: 'the minimal CONFIG_LIVEPATCH kernel from linux-source-6.1 (scripts/kernels/build-livepatch-kernel.sh)' },
  ],
};

/** `--kernel X`: an id (debian-6.12, livepatch), `klp`, or a series (6.12: the first kernel of it). */
export function pickKnownKernel(arch: KernelArch, wanted: string | undefined): KnownKernel {
  const known = KNOWN_KERNELS[arch];
  if (wanted === undefined) return known[0]!;
  const w = wanted === 'klp' ? 'livepatch' : wanted;
  const hit = known.find((k) => k.id === w) ?? known.find((k) => k.series === w) ?? known.find((k) => w.startsWith(`${k.series}.`) && k.kind !== 'livepatch');
  if (!hit) throw new HarnessError(`--kernel ${wanted}: ${arch} kernels are ${known.map((k) => `${k.id} (${k.series})`).join(', ')}`);
  return hit;
}

export interface ResolveOptions {
  cache?: string;
  log?: (line: string) => void;
  /**
   * A livepatch kernel built by scripts/kernels/build-livepatch-kernel.sh (its --out directory):
   * boot it and build the cases against its tree. Without it the committed build outputs in
   * kernels/<arch> are booted with their prebuilt case modules (what CI does).
   */
  livepatchDir?: string;
  /** Where the committed kernels are (default <repo>/kernels). */
  committedDir?: string;
}

/** Finds, fetches or checks the kernel; a missing piece is a HarnessError saying what to do. */
export async function resolveKernel(arch: KernelArch, wanted: string | undefined, opts: ResolveOptions = {}): Promise<KernelTarget> {
  const spec = ARCHES[arch];
  const known = pickKnownKernel(arch, wanted);
  const cache = opts.cache ?? kernelCacheDir();
  const log = opts.log ?? (() => undefined);
  if (known.kind === 'installed') return installedTarget();
  const busybox = await fetchBusybox(spec, cache, log);
  if (known.kind === 'debian') {
    const k = await fetchDebianKernel(spec, { series: known.series, backports: known.backports ?? false }, cache, log);
    const config = parseKernelConfig(k.config);
    const vmlinux = spec.packageImage.includes('vmlinux-') ? k.image : undefined;
    return {
      arch: spec,
      id: known.id,
      release: k.release,
      description: `Debian ${k.packages[0]!.name} ${k.version} (${arch})`,
      packages: [...k.packages.map(formatPackage), formatPackage(busybox.pkg)],
      image: k.image,
      kbuild: k.headers,
      makeArgs: [`ARCH=${spec.kbuildArch}`, `CROSS_COMPILE=${spec.cross}`],
      symvers: join(k.headers, 'Module.symvers'),
      moduleFile: (rel) => findModule(k.modulesDir, rel),
      config,
      livepatch: config.get('CONFIG_LIVEPATCH') === 'y',
      kallsymsAll: config.get('CONFIG_KALLSYMS_ALL') === 'y',
      ...(vmlinux ? { vmlinux } : {}),
      busybox: busybox.path,
    };
  }
  if (!opts.livepatchDir) {
    const committedDir = join(opts.committedDir ?? join(repoRoot(), 'kernels'), arch);
    if (!existsSync(join(committedDir, 'manifest.json'))) {
      throw new HarnessError(`no committed livepatch kernel for ${arch} (${committedDir}/manifest.json): build one with scripts/kernels/build-livepatch-kernel.sh ${arch} and pass --livepatch-dir, or commit it with scripts/kernels/commit-livepatch-kernel.sh ${arch}`);
    }
    const k = openCommitted(committedDir, cache);
    const m = k.manifest;
    const config = parseKernelConfig(readInputText(k.config));
    return {
      arch: spec,
      id: known.id,
      release: m.release,
      description: `${m.release} built from ${m.sourcePackage} ${m.sourceVersion} (${arch}, committed in kernels/${arch}: .config sha256 ${m.configSha256.slice(0, 12)}…, image sha256 ${m.image.sha256.slice(0, 12)}…, built ${m.builtAt} in ${m.buildSeconds} s; case modules prebuilt)`,
      packages: [`${m.sourcePackage}:all ${m.sourceVersion}`, formatPackage(busybox.pkg)],
      image: k.image,
      makeArgs: [],
      prebuilt: k,
      symvers: k.symvers,
      moduleFile: (rel) => findModule(join(committedDir, 'modules'), rel),
      config,
      livepatch: config.get('CONFIG_LIVEPATCH') === 'y',
      kallsymsAll: config.get('CONFIG_KALLSYMS_ALL') === 'y',
      busybox: busybox.path,
    };
  }
  const dir = resolve(opts.livepatchDir);
  const infoPath = join(dir, 'build-info.json');
  if (!existsSync(infoPath)) {
    throw new HarnessError(`no livepatch kernel in ${dir} (no build-info.json): build it with scripts/kernels/build-livepatch-kernel.sh ${arch} --out ${dir} (about 5 minutes at -j2)`);
  }
  const info = JSON.parse(readInputText(infoPath)) as { release: string; sourcePackage: string; sourceVersion: string; image: string; buildSeconds: number; configSha256: string };
  const build = join(dir, 'build');
  const config = parseKernelConfig(readInputText(join(build, '.config')));
  const image = join(dir, info.image);
  if (!existsSync(image)) throw new HarnessError(`${infoPath} names ${image}, which is not there: rebuild with scripts/kernels/build-livepatch-kernel.sh ${arch}`);
  return {
    arch: spec,
    id: known.id,
    release: info.release,
    description: `${info.release} built from ${info.sourcePackage} ${info.sourceVersion} (${arch}, build tree ${dir}, .config sha256 ${info.configSha256.slice(0, 12)}…, built in ${info.buildSeconds} s)`,
    packages: [`${info.sourcePackage}:all ${info.sourceVersion}`, formatPackage(busybox.pkg)],
    image,
    kbuild: build,
    makeArgs: [`ARCH=${spec.kbuildArch}`, `CROSS_COMPILE=${spec.cross}`, `CC=${crossGcc(spec)}`],
    symvers: join(build, 'Module.symvers'),
    // Modules of the kernel's own tree: kernel/fs/binfmt_misc.ko is fs/binfmt_misc.ko of the build.
    moduleFile: (rel) => findModule(build, rel.replace(/^kernel\//, '')),
    config,
    livepatch: config.get('CONFIG_LIVEPATCH') === 'y',
    kallsymsAll: config.get('CONFIG_KALLSYMS_ALL') === 'y',
    vmlinux: join(build, 'vmlinux'),
    busybox: busybox.path,
  };
}

/** The installed x86_64 kernel (linux-image-amd64), as the load test has always booted it. */
export function installedTarget(): KernelTarget {
  const k = findInstalledKernel();
  if (!k) throw new HarnessError('no installed kernel (/boot/vmlinuz-<v> with /lib/modules/<v>): install linux-image-amd64');
  if (!k.buildDir) throw new HarnessError(`no kbuild tree for ${k.version} (/lib/modules/${k.version}/build): install linux-headers-amd64`);
  const configPath = join('/boot', `config-${k.version}`);
  const config = existsSync(configPath) ? parseKernelConfig(readInputText(configPath)) : new Map<string, string>();
  const busybox = BUSYBOX_PATHS.find((p) => existsSync(p));
  if (!busybox) throw new HarnessError(`no busybox binary (${BUSYBOX_PATHS.join(', ')}): install busybox-static`);
  const version = (pkg: string): string => {
    const r = execaSync('dpkg-query', ['-W', '-f=${Version}', pkg], { reject: false });
    return r.exitCode === 0 && typeof r.stdout === 'string' && r.stdout ? ` ${r.stdout}` : '';
  };
  return {
    arch: ARCHES.x86_64,
    id: 'installed',
    release: k.version,
    description: `installed linux-image-${k.version} (x86_64)`,
    packages: [`linux-image-${k.version}:amd64${version(`linux-image-${k.version}`)}`, `linux-headers-${k.version}:amd64${version(`linux-headers-${k.version}`)}`, `busybox-static:amd64${version('busybox-static')}`],
    image: k.vmlinuz,
    kbuild: k.buildDir,
    makeArgs: [],
    symvers: join(k.buildDir, 'Module.symvers'),
    moduleFile: (rel) => findModule(k.modulesDir, rel),
    config,
    // Debian's amd64 kernel has both; a config that cannot be read is taken to be Debian's.
    livepatch: config.size === 0 || config.get('CONFIG_LIVEPATCH') === 'y',
    kallsymsAll: config.size === 0 || config.get('CONFIG_KALLSYMS_ALL') === 'y',
    busybox,
  };
}
