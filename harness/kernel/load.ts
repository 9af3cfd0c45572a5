// The load oracle: every kernel case converted by our converter from a symbols.klp our generator
// made from the guest's own kallsyms, loaded into a kernel under QEMU, and judged by what the
// kernel then does. Negative controls (an unconverted module, a wrong sympos, a klp rela section
// without SHF_RELA_LIVEPATCH) must fail the way the kernel fails them. The kernel is the
// installed x86_64 one, or any of harness/kernel/targets.ts (Debian's arm64, ppc64el and s390x
// kernels, which have no CONFIG_LIVEPATCH and so only load the converted modules; the minimal
// livepatch kernels for ppc64le and s390x, which patch as x86_64 does).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { convert } from '../../src/index.js';
import {
  appendString, decodeSymbols, encodeSymbols, readElf, SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, STB_WEAK,
  symtabIndex, writeElf,
} from '../../src/elf/index.js';
import {
  generateSymbolsFile, KlpError, lintErrors, lintModuleBytes, moduleSymbols, parseKallsyms,
  parseModuleSymvers, parseSymbolsFile, VMLINUX, vmlinuxSymbols, loaderCannotResolve } from '../../src/klp/index.js';
import type { Case } from '../case.js';
import { HarnessError } from '../errors.js';
import { runReference, type ReferenceCommand } from '../differential/reference.js';
import { buildModules } from './build.js';
import { prebuiltModule } from './committed.js';
import { forKernel, type KernelCase } from './cases.js';
import { buildInitramfs, initScript, kallsymsInit, parseGuestOutput, SECOND_SERIAL, type GuestCase, type GuestChannel, type GuestReport } from './guest.js';
import { boot, type BootResult } from './qemu.js';
import { installedTarget, type KernelTarget } from './targets.js';
import { readInputFile, readInputText, writeOutput, readModuleFile } from '../../src/io/index.js';

export interface CaseOutcome {
  id: string;
  /** What this kernel was expected to do with it (after the case's overrides for this kernel). */
  expect: KernelCase['expect'];
  ok: boolean;
  /** Set when the case does not apply to this kernel: why (it counts as neither pass nor fail). */
  skipped?: string;
  /** Why it failed, or what was seen when it passed. */
  notes: string[];
  /** Set when our own output failed the loader lint: a converter bug. */
  converterBug?: string[];
}

export interface LoadReport {
  /** The kernel release. */
  kernel: string;
  guestKernel?: string;
  arch: KernelTarget['arch']['arch'];
  /** Which known kernel (installed, debian-6.1, debian-6.12, livepatch). */
  kernelId: string;
  /** Where it came from, with versions. */
  kernelDescription: string;
  packages: string[];
  livepatch: boolean;
  /** Where symbols.klp's names came from. */
  symbols: { source: string; supplemented: string[]; note?: string };
  /** Every case behaved (the reference's runs do not count: they are for comparison). */
  ok: boolean;
  cases: CaseOutcome[];
  /** The same cases converted by the reference, through the same boots (id `<case>@ref`). */
  reference: CaseOutcome[];
  timings: { kallsymsMs?: number; buildMs: number; prebuilt?: boolean; boots: Array<{ cases: string[]; ended: BootResult['ended']; ms: number }> };
}

export interface LoadOptions {
  cases: KernelCase[];
  /** A kallsyms dump of this kernel to reuse; otherwise one is made (and cached in workDir). */
  kallsyms?: string;
  workDir?: string;
  log?: (line: string) => void;
  /** Per-boot limit on top of a per-case allowance. */
  bootTimeoutMs?: number;
  /** The kernel to boot (default: the installed x86_64 kernel). */
  target?: KernelTarget;
  /** C reference builds whose output goes through the same boots, by dialect. */
  references?: { symbols?: ReferenceCommand; annotation?: ReferenceCommand };
}

const BOOT_BASE_MS = 150_000;
const BOOT_PER_CASE_MS = 30_000;

/** The installed x86_64 kernel, or a HarnessError saying what to install. */
export function requireKernel(): KernelTarget {
  return installedTarget();
}

const channelFor = (kernel: KernelTarget, quiet: boolean): GuestChannel =>
  kernel.arch.channel === 'console' ? { device: '/dev/console', quietConsole: quiet } : SECOND_SERIAL;

/** Emulating another architecture is slower (ppc64's SLOF, its hvc console): twice the allowance. */
const slowness = (kernel: KernelTarget): number => (kernel.arch.arch === 'x86_64' ? 1 : 2);

/** Boots the kernel once and returns its /proc/kallsyms. */
export async function dumpKallsyms(kernel: KernelTarget, timeoutMs = BOOT_BASE_MS * slowness(kernel)): Promise<{ text: string; ms: number; uname?: string }> {
  const r = await boot({ arch: kernel.arch, vmlinuz: kernel.image, initramfs: buildInitramfs(kallsymsInit(channelFor(kernel, true)), [], kernel.busybox), timeoutMs });
  const out = parseGuestOutput(r.results);
  const packed = out.cases.get('kallsyms')?.blocks.get('kallsyms.gz.b64');
  let text: string | undefined;
  try {
    text = packed ? gunzipSync(Buffer.from(packed.replace(/\s+/g, ''), 'base64')).toString('latin1') : undefined;
  } catch (e) {
    throw new HarnessError(`kallsyms boot of ${kernel.release}: the dump does not decode: ${(e as Error).message}`);
  }
  if (r.ended !== 'poweroff' || !text) {
    throw new HarnessError(`kallsyms boot of ${kernel.release} ended by ${r.ended} without a dump; console tail:\n${r.console.split('\n').slice(-15).join('\n')}`);
  }
  return { text, ms: r.ms, ...(out.uname ? { uname: out.uname } : {}) };
}

/** Cached per kernel release and image size: names and their order do not change between boots. */
async function kallsymsFor(kernel: KernelTarget, opts: LoadOptions, workDir: string, log: (l: string) => void): Promise<{ text: string; ms?: number }> {
  if (opts.kallsyms) return { text: readInputText(opts.kallsyms, 'latin1') };
  const cache = join(workDir, `kallsyms-${kernel.arch.arch}-${kernel.release}-${readInputFile(kernel.image).length}.txt`);
  if (existsSync(cache)) return { text: readInputText(cache, 'latin1') };
  log(`booting ${kernel.release} (${kernel.arch.arch}) to dump /proc/kallsyms…`);
  const d = await dumpKallsyms(kernel);
  writeOutput(cache, d.text);
  return { text: d.text, ms: d.ms };
}

/** Negative-control edits of a converted module (the 6.1 cases' and the klp-build corpus's). */
export function mutate(bytes: Uint8Array, how: NonNullable<KernelCase['mutate']>): Uint8Array {
  const obj = readElf(bytes);
  if (how === 'clear-rela-livepatch') {
    for (const s of obj.sections) s.flags &= ~SHF_RELA_LIVEPATCH;
    return writeElf(obj);
  }
  // bump-sympos: every livepatch symbol asks for a position no kernel symbol has.
  const symtab = symtabIndex(obj);
  const syms = decodeSymbols(obj, symtab);
  const strtab = obj.sections[obj.sections[symtab]!.link]!;
  for (const s of syms) {
    if (s.shndx !== SHN_LIVEPATCH) continue;
    const name = s.name.replace(/,\d+$/, ',99');
    const { table, offset } = appendString(strtab.data, name);
    strtab.data = table;
    strtab.size = table.length;
    s.name = name;
    s.nameOffset = offset;
  }
  encodeSymbols(obj, symtab, syms);
  return writeElf(obj);
}

const BENIGN_DMESG = /loading out-of-tree module taints kernel|module verification failed: signature and\/or required key missing|tainting kernel with TAINT_LIVEPATCH/;
const BAD_DMESG = /Unknown symbol|unresolvable|not found|invalid|Invalid relocation|overflow|BUG:|WARNING:|Oops|Call Trace|fail|error|disagrees about version/i;

function badDmesgLines(dmesg: string): string[] {
  return dmesg.split('\n').filter((l) => BAD_DMESG.test(l) && !BENIGN_DMESG.test(l));
}

export function judge(c: KernelCase, r: GuestReport | undefined, bootResult: BootResult): CaseOutcome {
  const notes: string[] = [];
  const fail = (why: string): CaseOutcome => ({ id: c.id, expect: c.expect, ok: false, notes: [...notes, why] });
  const dmesg = r?.blocks.get('dmesg') ?? '';
  if (c.expect === 'oops') {
    if (bootResult.ended !== 'panic') return fail(`expected the boot to end in a panic, it ended by ${bootResult.ended}`);
    if (r?.ended) return fail('the case finished: the module did not oops');
    const m = new RegExp(c.dmesg ?? 'Oops|BUG:').exec(bootResult.console);
    if (!m) return fail('the console shows no oops');
    const line = bootResult.console.split('\n').find((l) => /BUG:|Oops/.test(l))?.trim();
    return { id: c.id, expect: c.expect, ok: true, notes: [`boot ended in a panic: ${line ?? m[0]}`] };
  }
  if (!r) return fail(`the guest never reached this case (boot ended by ${bootResult.ended})`);
  if (!r.ended) {
    const oops = bootResult.console.split('\n').find((l) => /BUG:|Oops|Kernel panic/.test(l))?.trim();
    return fail(`the case did not finish (boot ended by ${bootResult.ended}${oops ? `: ${oops}` : ''})`);
  }
  const v = (k: string): string | undefined => r.values.get(k);
  if (c.expect === 'insmod-fails') {
    if (v('insmod') === '0') return fail('insmod succeeded');
    const re = new RegExp(c.dmesg ?? '.');
    const line = dmesg.split('\n').find((l) => re.test(l));
    if (!line) return fail(`insmod failed (${v('insmod')}), but dmesg does not match /${c.dmesg}/: ${dmesg.split('\n').slice(-3).join(' | ')}`);
    return { id: c.id, expect: c.expect, ok: true, notes: [`refused: ${line.replace(/^\[[^\]]*\]\s*/, '')}`] };
  }
  if (r.values.has('before') && v('before') !== '0') return fail(`a command before the patch failed (${v('before')}): ${r.blocks.get('before-output') ?? ''}`);
  if (v('insmod') !== '0') return fail(`insmod failed (${v('insmod')}): ${r.blocks.get('insmod-output') ?? ''} ${badDmesgLines(dmesg).join(' | ')}`);
  if (c.expect === 'loads') {
    if (v('rmmod') !== '0') return fail(`rmmod failed: ${r.blocks.get('rmmod-output') ?? ''}`);
    const bad = badDmesgLines(dmesg);
    if (bad.length) return fail(`dmesg: ${bad.join(' | ')}`);
    return { id: c.id, expect: c.expect, ok: true, notes: ['loaded and unloaded, dmesg clean'] };
  }
  if (v('transition') !== '0') return fail(`transition did not finish: ${v('transition')}`);
  if (c.late.length > 0 && v('late-insmod') !== '0') return fail(`loading the late module failed: ${r.blocks.get('late-output') ?? ''}`);
  if (c.setup.length > 0 && v('setup') !== '0') return fail(`setup failed: ${r.blocks.get('setup-output') ?? ''}`);
  if (v('enabled') !== '1') return fail(`enabled is ${v('enabled')}`);
  for (const [i, check] of c.checks.entries()) {
    const patched = r.blocks.get(`patched:${i}`) ?? '';
    const missing = check.contains.filter((s) => !patched.includes(s));
    if (missing.length) return fail(`${check.file} while patched lacks ${missing.map((s) => JSON.stringify(s)).join(', ')}: ${JSON.stringify(patched.slice(0, 200))}`);
    notes.push(`${check.file}: ${JSON.stringify(patched.split('\n')[0]?.slice(0, 100))}`);
    if (check.revert) {
      const after = r.blocks.get(`unpatched:${i}`) ?? '';
      const kept = check.revert.filter((s) => after.includes(s));
      if (kept.length) return fail(`${check.file} still shows ${kept.map((s) => JSON.stringify(s)).join(', ')} after the patch was disabled`);
    }
  }
  if (c.address) {
    const text = [...r.blocks.entries()].filter(([k]) => k.startsWith('patched:')).map(([, b]) => b).join('\n');
    const m = new RegExp(c.address.pattern).exec(text);
    if (!m?.[1]) return fail(`no address matching /${c.address.pattern}/ in the patched output`);
    const lines = (r.blocks.get(`kallsyms:${c.address.name}`) ?? '').split('\n').filter(Boolean);
    const want = c.address.sympos === 0 ? (lines.length === 1 ? lines[0] : undefined) : lines[c.address.sympos - 1];
    if (!want) return fail(`vmlinux has ${lines.length} '${c.address.name}', no sympos ${c.address.sympos}`);
    const bound = BigInt(`0x${m[1]}`);
    const expected = BigInt(`0x${want.split(/\s+/)[0]}`);
    const which = lines.findIndex((l) => BigInt(`0x${l.split(/\s+/)[0]}`) === bound);
    if (bound !== expected) return fail(`bound ${c.address.name} at ${m[1]}, which is ${which >= 0 ? `duplicate ${which + 1}` : 'no duplicate'}; sympos ${c.address.sympos} is ${want}`);
    notes.push(`bound ${c.address.name} #${which + 1} of ${lines.length} (${m[1]})`);
  }
  if (v('disable') !== '0' || v('unpatched') !== '0') return fail(`disabling failed (echo 0 → ${v('disable')}, patch gone → ${v('unpatched')})`);
  if (v('rmmod') !== '0') return fail(`rmmod failed: ${r.blocks.get('rmmod-output') ?? ''}`);
  const bad = badDmesgLines(dmesg);
  if (bad.length) return fail(`dmesg: ${bad.join(' | ')}`);
  return { id: c.id, expect: c.expect, ok: true, notes };
}

/**
 * The cases' unconverted modules: built with kbuild against the kernel's headers or build tree,
 * or, for a committed kernel, its prebuilt ones (a stale one fails its cases here).
 */
async function caseModules(kernel: KernelTarget, cases: readonly KernelCase[], dir: string, outcomes: Map<string, CaseOutcome>, log: (l: string) => void): Promise<{ modules: Map<string, string>; ms: number }> {
  const wanted = cases.filter((c) => !c.skip);
  if (kernel.kbuild) {
    log(`building ${wanted.length} kernel case module(s) against ${kernel.kbuild}${kernel.makeArgs.length ? ` (${kernel.makeArgs.join(' ')})` : ''}…`);
    return buildModules(kernel.kbuild, [...new Set(wanted.map((c) => c.sourceDir))], dir, 2, kernel.makeArgs);
  }
  if (!kernel.prebuilt) throw new HarnessError(`${kernel.description}: neither a kbuild tree nor prebuilt modules`);
  const started = performance.now();
  const modules = new Map<string, string>();
  mkdirSync(dir, { recursive: true });
  for (const c of wanted) {
    if (modules.has(c.module)) continue;
    const p = prebuiltModule(kernel.prebuilt, c.module, c.sourceDir);
    if ('stale' in p) {
      for (const d of wanted.filter((x) => x.module === c.module)) outcomes.set(d.id, { id: d.id, expect: d.expect, ok: false, notes: [p.stale] });
      continue;
    }
    const path = join(dir, `${c.module}.ko`);
    writeOutput(path, p.bytes);
    modules.set(c.module, path);
  }
  log(`using ${modules.size} prebuilt case module(s) from ${kernel.prebuilt.dir}`);
  return { modules, ms: performance.now() - started };
}

/** The non-weak names a module's conversion needs symbols.klp to know (the loader resolves the rest). */
function namesToConvert(bytes: Uint8Array, exported: ReadonlySet<string>): string[] {
  const obj = readElf(bytes);
  return decodeSymbols(obj, symtabIndex(obj))
    .filter((s, i) => s.bind !== STB_WEAK && loaderCannotResolve(s, i, { dialect: 'symbols' }, exported))
    .map((s) => s.name);
}

/**
 * The lint's errors that matter on this kernel. Without CONFIG_LIVEPATCH the cases build their
 * variant without MODULE_INFO(livepatch) on purpose (the loader refuses livepatch=Y there), so
 * `livepatch-modinfo` is expected; everything else still counts.
 */
function lintFor(kernel: KernelTarget, r: ReturnType<typeof lintModuleBytes>): ReturnType<typeof lintErrors> {
  return lintErrors(r).filter((f) => kernel.livepatch || f.rule !== 'livepatch-modinfo');
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export async function runLoadTest(opts: LoadOptions): Promise<LoadReport> {
  const log = opts.log ?? (() => undefined);
  const kernel = opts.target ?? installedTarget();
  const arch = kernel.arch.arch;
  const ownWork = opts.workDir === undefined;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'klp-load-'));
  mkdirSync(workDir, { recursive: true });
  // The cases as this kernel must see them (no CONFIG_LIVEPATCH: patched becomes loads, …).
  const cases = opts.cases.map((c) => forKernel(c, { arch, livepatch: kernel.livepatch, console: kernel.arch.console, release: kernel.release }));
  try {
    const ks = await kallsymsFor(kernel, opts, workDir, log);
    const kallsyms = parseKallsyms(ks.text);

    const outcomes = new Map<string, CaseOutcome>();
    const built = await caseModules(kernel, cases, join(workDir, `build-${arch}-${kernel.release}`), outcomes, log);

    // symbols.klp: vmlinux from kallsyms; modules the cases name, from the kernel's own .ko files;
    // exports from Module.symvers.
    const lateFiles = [...new Set(cases.filter((c) => !c.skip).flatMap((c) => c.late))].sort();
    const lateBytes = new Map<string, Uint8Array>();
    for (const f of lateFiles) {
      const path = kernel.moduleFile(f);
      if (!path) throw new HarnessError(`${kernel.description} has no module ${f}, which a case needs`);
      lateBytes.set(f, readModuleFile(path));
    }
    const exports = kernel.symvers && existsSync(kernel.symvers) ? parseModuleSymvers(readInputText(kernel.symvers, 'latin1')) : undefined;
    const moduleObjects = lateFiles.map((f) => moduleSymbols(lateBytes.get(f)!, f.slice(f.lastIndexOf('/') + 1).replace(/\.ko(\.xz|\.zst)?$/, '')).symbols);
    // Without KALLSYMS_ALL (Debian's arm64, ppc64el and s390x 6.1) kallsyms lists no data symbol.
    // Those kernels never apply a klp relocation (no CONFIG_LIVEPATCH), so a name only has to be
    // there for the conversion: taken from the kernel's vmlinux symbol table when it ships one
    // (ppc64el), else assumed to be one vmlinux symbol — and the report says which names.
    const symbolsInfo: LoadReport['symbols'] = { source: 'the guest\'s /proc/kallsyms', supplemented: [] };
    if (!kernel.kallsymsAll) {
      const known = new Set([...kallsyms, ...moduleObjects].flatMap((o) => o.names));
      const exported = new Set([...(exports?.values() ?? [])].flatMap((s) => [...s]));
      const wanted = new Set<string>();
      for (const c of cases) {
        if (c.skip || c.dialect !== 'symbols') continue;
        const ko = built.modules.get(c.module);
        if (ko) for (const n of namesToConvert(readInputFile(ko), exported)) if (!known.has(n)) wanted.add(n);
      }
      const names = [...wanted].sort();
      if (names.length > 0) {
        let vm = kallsyms.find((o) => o.objname === VMLINUX);
        if (!vm) kallsyms.unshift((vm = { objname: VMLINUX, names: [] }));
        if (kernel.vmlinux) {
          const all = vmlinuxSymbols(readInputFile(kernel.vmlinux)).names;
          for (const n of names) {
            const count = all.filter((x) => x === n).length;
            for (let i = 0; i < count; i++) vm.names.push(n);
            if (count > 0) symbolsInfo.supplemented.push(count > 1 ? `${n}×${count}` : n);
          }
          symbolsInfo.note = `KALLSYMS_ALL is off: ${symbolsInfo.supplemented.length} name(s) from the vmlinux symbol table (${kernel.vmlinux})`;
        } else {
          vm.names.push(...names);
          symbolsInfo.supplemented.push(...names);
          symbolsInfo.note = `KALLSYMS_ALL is off and the kernel ships no symbol table: ${names.length} name(s) kallsyms cannot list taken as single vmlinux symbols (never resolved: no CONFIG_LIVEPATCH)`;
        }
      }
    }
    const symbolsBytes = generateSymbolsFile({ kallsyms, modules: moduleObjects, ...(exports ? { exports } : {}) });
    writeOutput(join(workDir, 'symbols.klp'), symbolsBytes);
    const symbolsList = parseSymbolsFile(symbolsBytes);

    const files: Array<{ path: string; data: Uint8Array }> = [];
    const lateNeeded = new Set(cases.filter((c) => !c.skip && c.expect === 'patched').flatMap((c) => c.late));
    for (const [f, data] of lateBytes) if (lateNeeded.has(f)) files.push({ path: `/lib/modules/${kernel.release}/${f.replace(/\.(xz|zst)$/, '')}`, data });
    const runnable: KernelCase[] = [];
    const refTwins: KernelCase[] = [];
    const refIds: string[] = [];
    const refNotes = new Map<string, string[]>();
    for (const c of cases) {
      if (c.skip) {
        outcomes.set(c.id, { id: c.id, expect: c.expect, ok: true, skipped: c.skip, notes: [] });
        continue;
      }
      if (outcomes.has(c.id)) continue;
      const ko = built.modules.get(c.module);
      if (!ko) {
        outcomes.set(c.id, { id: c.id, expect: c.expect, ok: false, notes: [`kbuild made no ${c.module}.ko`] });
        continue;
      }
      const input: Uint8Array = readInputFile(ko);
      const inputFlags = readElf(input).header.flags;
      let bytes = input;
      if (c.dialect !== 'unconverted') {
        try {
          bytes = convert(bytes, c.dialect === 'symbols' ? { symbols: symbolsBytes } : { dialect: 'annotation' }).output;
        } catch (e) {
          if (!(e instanceof KlpError)) throw e;
          outcomes.set(c.id, { id: c.id, expect: c.expect, ok: false, notes: [`klp-convert refused it: ${e.kind}: ${e.reason}`] });
          continue;
        }
        const have = new Set(readElf(bytes).sections.map((s) => s.name));
        const absent = c.klpSections.filter((n) => !have.has(n));
        if (absent.length > 0) {
          outcomes.set(c.id, { id: c.id, expect: c.expect, ok: false, notes: [`the converted module lacks ${absent.join(', ')} (it has ${[...have].filter((n) => n.startsWith('.klp.rela.')).join(', ') || 'no klp section'}): the case no longer exercises what it says (compiler folding?)`] });
          continue;
        }
        const lint = lintFor(kernel, lintModuleBytes(bytes, { symbolsList }));
        if (lint.length > 0) {
          outcomes.set(c.id, { id: c.id, expect: c.expect, ok: false, notes: ['our converted module fails the loader lint'], converterBug: lint.map((f) => `${f.where.section ? `${f.where.section}: ` : ''}${f.rule}: ${f.message}`) });
        }
      }
      const dialect = c.dialect;
      const ref = dialect !== 'unconverted' && !c.mutate ? opts.references?.[dialect] : undefined;
      if (ref && dialect !== 'unconverted') {
        const twin: KernelCase = { ...c, id: `${c.id}@ref` };
        const refCase: Case = { id: twin.id, dir: workDir, input: ko, ...(dialect === 'symbols' ? { symbols: join(workDir, 'symbols.klp') } : {}), dialect, meta: {} };
        const r = await runReference(ref, refCase);
        if (r.kind !== 'ok') {
          outcomes.set(twin.id, { id: twin.id, expect: c.expect, ok: false, notes: [`the reference ${r.kind === 'reject' ? `refused it (exit ${r.exitCode})` : r.kind === 'crash' ? `crashed (${r.signal})` : 'timed out'}: ${r.stderr.trim().split('\n')[0] ?? ''}`] });
        } else {
          const lint = lintFor(kernel, lintModuleBytes(r.output, { symbolsList }));
          if (lint.length > 0) outcomes.set(twin.id, { id: twin.id, expect: c.expect, ok: false, notes: lint.map((f) => `lint: ${f.where.section ? `${f.where.section}: ` : ''}${f.rule}: ${f.message}`) });
          // The ELF header's e_flags: the ppc64 loader checks its ABI bits from Linux 6.2 on.
          const refFlags = readElf(r.output).header.flags;
          const ourFlags = readElf(bytes).header.flags;
          if (refFlags !== inputFlags || ourFlags !== inputFlags) refNotes.set(twin.id, [`e_flags ${hex(refFlags)} (kbuild's ${hex(inputFlags)}, ours ${hex(ourFlags)})`]);
          writeOutput(join(workDir, `${twin.id}.ko`), r.output);
          files.push({ path: `/m/${twin.id}.ko`, data: r.output });
          refTwins.push(twin);
        }
        refIds.push(twin.id);
      }
      if (c.mutate) bytes = mutate(bytes, c.mutate);
      writeOutput(join(workDir, `${c.id}.ko`), bytes);
      files.push({ path: `/m/${c.id}.ko`, data: bytes });
      runnable.push(c);
    }

    const guestCase = (c: KernelCase): GuestCase => {
      const patching = c.expect === 'patched' || c.expect === 'oops';
      return {
        id: c.id,
        file: `${c.id}.ko`,
        name: c.module.replace(/-/g, '_'),
        livepatch: patching,
        late: patching ? c.late.map((f) => `/lib/modules/${kernel.release}/${f.replace(/\.(xz|zst)$/, '')}`) : [],
        setup: patching ? c.setup : [],
        teardown: patching ? c.teardown : [],
        files: patching ? c.checks.map((k) => k.file) : [],
        kallsyms: patching && c.address ? [c.address.name] : [],
      };
    };
    // An oops ends the boot, so each such control gets a boot of its own, after the others; the
    // reference's outputs, which may crash (v4's shared-symbol bug), come last in boots of their own.
    const groups = [runnable.filter((c) => c.expect !== 'oops'), ...runnable.filter((c) => c.expect === 'oops').map((c) => [c]), refTwins].filter((g) => g.length > 0);
    const boots: LoadReport['timings']['boots'] = [];
    let guestKernel: string | undefined;
    while (groups.length > 0) {
      const group = groups.shift()!;
      log(`booting ${kernel.release} (${arch}) for ${group.map((c) => c.id).join(', ')}…`);
      // On a one-port board the console is quieted while the guest reports, except when a case is
      // expected to oops: then the oops must show on it.
      const channel = channelFor(kernel, !group.some((c) => c.expect === 'oops'));
      const initramfs = buildInitramfs(initScript(group.map(guestCase), '', channel), files, kernel.busybox);
      const result = await boot({ arch: kernel.arch, vmlinuz: kernel.image, initramfs, timeoutMs: opts.bootTimeoutMs ?? (BOOT_BASE_MS + BOOT_PER_CASE_MS * group.length) * slowness(kernel) });
      writeOutput(join(workDir, `console-${boots.length}.log`), result.console);
      writeOutput(join(workDir, `results-${boots.length}.log`), result.results);
      boots.push({ cases: group.map((c) => c.id), ended: result.ended, ms: Math.round(result.ms) });
      const out = parseGuestOutput(result.results);
      guestKernel ??= out.uname;
      // A boot that ended early leaves the cases after the one that ended it: they get another.
      const unreached = group.filter((c) => !out.cases.has(c.id));
      if (unreached.length > 0 && unreached.length < group.length) groups.unshift(unreached);
      for (const c of group) {
        if (unreached.includes(c) && unreached.length < group.length) continue;
        const o = judge(c, out.cases.get(c.id), result);
        const prior = outcomes.get(c.id);
        const extra = refNotes.get(c.id) ?? [];
        // A lint failure found before the boot stays a failure, whatever the kernel then did.
        outcomes.set(c.id, prior ? { ...o, ok: false, ...(prior.converterBug ? { converterBug: prior.converterBug } : {}), notes: [...prior.notes, ...extra, ...o.notes] } : { ...o, notes: [...extra, ...o.notes] });
      }
    }
    const caseOutcomes = cases.map((c) => outcomes.get(c.id)!);
    const reference = refIds.map((id) => outcomes.get(id)!);
    return {
      kernel: kernel.release,
      ...(guestKernel ? { guestKernel } : {}),
      arch,
      kernelId: kernel.id,
      kernelDescription: kernel.description,
      packages: kernel.packages,
      livepatch: kernel.livepatch,
      symbols: symbolsInfo,
      ok: caseOutcomes.every((c) => c.ok),
      cases: caseOutcomes,
      reference,
      timings: { ...(ks.ms !== undefined ? { kallsymsMs: Math.round(ks.ms) } : {}), buildMs: Math.round(built.ms), ...(kernel.prebuilt ? { prebuilt: true } : {}), boots },
    };
  } finally {
    if (ownWork) rmSync(workDir, { recursive: true, force: true });
  }
}
