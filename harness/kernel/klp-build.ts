// The upstream kernel judges the upstream format: every cases/klp-build module, post-linked by our
// converter and by objtool, loaded into the committed Linux 7.x kernel it was built against
// (kernels/x86_64-7), patched, observed, disabled, observed again and unloaded. A patch whose
// observation fails for objtool's output as well as ours is the fault of what came before
// post-link (klp diff, or the patch): reported as `upstream`, apart from a failure of ours.
// Negative controls must fail the way the kernel fails them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convert } from '../../src/index.js';
import { appendString, decodeRelocs, readElf, writeElf } from '../../src/elf/index.js';
import { lintErrors, lintModuleBytes } from '../../src/klp/index.js';
import { readInputFile, readInputText, readModuleFile, writeOutput } from '../../src/io/index.js';
import { HarnessError } from '../errors.js';
import type { KernelCase, KernelCheck, KernelExpect } from './cases.js';
import { openCommitted, type CommittedKernel } from './committed.js';
import { buildInitramfs, initScript, parseGuestOutput, SECOND_SERIAL, type GuestCase } from './guest.js';
import { judge, mutate, type CaseOutcome } from './load.js';
import { boot } from './qemu.js';

/** What a klp-build case says a live patch changes (case.json `observe`). */
export interface KlpBuildObserve {
  /** Modules of the kernel the patch targets (its objnames other than vmlinux), by name. */
  modules: string[];
  setup: string[];
  teardown: string[];
  checks: KernelCheck[];
}

export interface KlpBuildCase {
  id: string;
  dir: string;
  /** The livepatch module's name in the kernel. */
  module: string;
  observe: KlpBuildObserve;
  /** klp-build's module before post-link (input.ko) and objtool's output of it (objtool.ko). */
  input: string;
  objtool?: string;
}

const str = (v: unknown): v is string => typeof v === 'string';
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter(str) : []);

export function loadKlpBuildCase(dir: string): KlpBuildCase {
  const meta = JSON.parse(readInputText(join(dir, 'case.json'))) as Record<string, unknown>;
  const id = str(meta.id) ? meta.id : dir.split('/').at(-1)!;
  if (!str(meta.module)) throw new HarnessError(`${dir}/case.json: no "module" (the livepatch module's name)`);
  const o = (meta.observe ?? {}) as Record<string, unknown>;
  const checks = (Array.isArray(o.checks) ? o.checks : []).map((c: Record<string, unknown>, i): KernelCheck => {
    if (!str(c.file) || !Array.isArray(c.contains)) throw new HarnessError(`${dir}/case.json: observe.checks[${i}] needs "file" and "contains"`);
    return { file: c.file, contains: strs(c.contains), ...(Array.isArray(c.revert) ? { revert: strs(c.revert) } : {}) };
  });
  return {
    id,
    dir,
    module: meta.module.replace(/-/g, '_'),
    observe: { modules: strs(o.modules), setup: strs(o.setup), teardown: strs(o.teardown), checks },
    input: join(dir, 'input.ko'),
    ...(existsSync(join(dir, 'objtool.ko')) ? { objtool: join(dir, 'objtool.ko') } : {}),
  };
}

/** Every case under `root` (cases/klp-build), or those named. */
export function findKlpBuildCases(root: string, selected: readonly string[] = []): KlpBuildCase[] {
  if (!existsSync(root)) return [];
  const all = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'input.ko')) && existsSync(join(root, e.name, 'case.json')))
    .map((e) => loadKlpBuildCase(join(root, e.name)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (selected.length === 0) return all;
  return all.filter((c) => selected.some((s) => c.id === s || c.id.includes(s)));
}

/** Who made the module a run loads. */
export type Maker = 'ours' | 'objtool' | 'control';

/** One module the guest loads, as a KernelCase the load oracle's judge reads, and its bytes. */
export interface Run {
  kc: KernelCase;
  before: string[];
  bytes: Uint8Array;
  maker: Maker;
  /** The klp-build case it comes from. */
  source: string;
  /** Why this run exists, for controls: what the kernel must do. */
  control?: string;
}

const MODULE_DIR = '/m/k';
/** Marks a control whose patch the kernel takes: only its behaviour can show it is broken. */
const BROKEN = 'broken but loadable: ';
const modulePath = (name: string): string => `${MODULE_DIR}/${name}.ko`;

function kernelCase(c: KlpBuildCase, id: string, expect: KernelExpect, order: 'patch-first' | 'module-first', dmesg?: string): { kc: KernelCase; before: string[] } {
  const late = order === 'patch-first' ? c.observe.modules.map(modulePath) : [];
  const before = order === 'module-first' ? c.observe.modules.map((m) => `insmod ${modulePath(m)}`) : [];
  // What a setup mounted is unmounted before its module goes (a mounted binfmt_misc pins it).
  const unmounts = c.observe.setup.map((cmd) => /^mount\s.*\s(\/\S+)\s*$/.exec(cmd)?.[1]).filter((p): p is string => p !== undefined).map((p) => `umount ${p}`);
  const teardown = [...c.observe.teardown, ...unmounts.reverse(), ...(order === 'module-first' ? [...c.observe.modules].reverse().map((m) => `rmmod ${m}`) : [])];
  const kc: KernelCase = {
    id, dir: c.dir, sourceDir: c.dir, module: c.module, dialect: 'unconverted', expect, late, setup: c.observe.setup, teardown,
    checks: expect === 'patched' ? c.observe.checks : [], klpSections: [], overrides: [], ...(dmesg ? { dmesg } : {}),
  };
  return { kc, before };
}

/** The orders a case is loaded in: both, when it patches a module (the late-module path and the other). */
const orders = (c: KlpBuildCase): Array<'patch-first' | 'module-first'> => (c.observe.modules.length > 0 ? ['patch-first', 'module-first'] : ['patch-first']);

/** objtool's output of a case: the committed objtool.ko, or that of the objtool given, run as klp-build runs it. */
function objtoolOutput(c: KlpBuildCase, objtool: string | undefined, work: string): Uint8Array | undefined {
  if (!objtool) return c.objtool ? readInputFile(c.objtool) : undefined;
  const copy = join(work, `${c.id}.ko`);
  writeOutput(copy, readInputFile(c.input));
  execFileSync(objtool, ['klp', 'post-link', copy], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  return readInputFile(copy);
}

/** Ours and objtool's output of every case, in every order that applies. */
export function caseRuns(cases: readonly KlpBuildCase[], objtool?: string): Run[] {
  const runs: Run[] = [];
  const work = mkdtempSync(join(tmpdir(), 'klp-build-load-'));
  try {
    for (const c of cases) runs.push(...runsOf(c, objtoolOutput(c, objtool, work)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return runs;
}

function runsOf(c: KlpBuildCase, objtoolBytes: Uint8Array | undefined): Run[] {
  const runs: Run[] = [];
  const makers: Array<[Maker, Uint8Array]> = [['ours', convert(readInputFile(c.input), { dialect: 'post-link' }).output]];
  if (objtoolBytes) makers.push(['objtool', objtoolBytes]);
  for (const [maker, bytes] of makers) {
    for (const order of orders(c)) {
      const id = `${c.id}@${maker}${orders(c).length > 1 ? `:${order}` : ''}`;
      runs.push({ ...kernelCase(c, id, 'patched', order), bytes, maker, source: c.id });
    }
  }
  return runs;
}

/** Drops the first entry of the first klp rela section: the patch loads, and that reference is left unrelocated. */
export function dropKlpRelocation(bytes: Uint8Array): Uint8Array {
  const obj = readElf(bytes);
  const klp = obj.sections.find((s) => s.name.startsWith('.klp.rela.') && s.data.length > 0);
  if (!klp) throw new HarnessError('no klp rela section to drop a relocation from');
  const size = Number(klp.entsize) || 24;
  klp.data = klp.data.slice(size);
  klp.size = klp.data.length;
  return writeElf(obj);
}

/** A module's klp rela section naming vmlinux symbols: `.klp.rela.vmlinux.X` renamed `.klp.rela.<module>.X`. */
export function moduleSectionNamesVmlinux(bytes: Uint8Array, module: string): Uint8Array {
  const obj = readElf(bytes);
  const shstr = obj.sections[obj.shstrndx]!;
  const klp = obj.sections.find((s) => s.name.startsWith('.klp.rela.vmlinux.') && decodeRelocs(obj.header.ident, s).length > 0);
  if (!klp) throw new HarnessError('no .klp.rela.vmlinux. section to rename');
  const name = klp.name.replace('.klp.rela.vmlinux.', `.klp.rela.${module}.`);
  const { table, offset } = appendString(shstr.data, name);
  shstr.data = table;
  shstr.size = table.length;
  klp.name = name;
  klp.nameOffset = offset;
  return writeElf(obj);
}

/**
 * The negative controls, each on the first case that can show it, with what the kernel must do:
 * the module before post-link (its KLP symbols still undefined), one klp relocation dropped, a
 * wrong sympos, and a module's klp rela section naming vmlinux symbols.
 */
export function controlRuns(cases: readonly KlpBuildCase[]): Run[] {
  const runs: Run[] = [];
  const converted = new Map(cases.map((c) => [c.id, convert(readInputFile(c.input), { dialect: 'post-link' }).output]));
  const hasKlp = (c: KlpBuildCase, objname: string): boolean => readElf(converted.get(c.id)!).sections.some((s) => s.name.startsWith(`.klp.rela.${objname}.`) && s.data.length > 0);
  const vmlinuxCase = cases.find((c) => c.observe.modules.length === 0 && c.observe.checks.length > 0 && hasKlp(c, 'vmlinux'));
  const moduleCase = cases.find((c) => c.observe.modules.length > 0 && c.observe.checks.length > 0 && hasKlp(c, 'vmlinux'));
  if (vmlinuxCase) {
    const ours = converted.get(vmlinuxCase.id)!;
    const control = (id: string, bytes: Uint8Array, expect: KernelExpect, control: string, dmesg?: string): void => {
      runs.push({ ...kernelCase(vmlinuxCase, `control-${id}@${vmlinuxCase.id}`, expect, 'patch-first', dmesg), bytes, maker: 'control', source: vmlinuxCase.id, control });
    };
    control('before-post-link', readInputFile(vmlinuxCase.input), 'patched', `${BROKEN}klp-build's module before post-link: its tombstones and KLP symbols are undefined WEAK, which the module loader resolves to 0 without a word, so the patch loads and the patched code uses address 0: an oops, or the observation failing`);
    control('wrong-sympos', mutate(ours, 'bump-sympos'), 'insmod-fails', 'every KLP symbol asks for sympos 99: klp_find_object_symbol finds no such position and the patch does not load', 'symbol position 99 for symbol|not found in symbol table');
    control('dropped-relocation', dropKlpRelocation(ours), 'patched', `${BROKEN}one klp relocation dropped: the kernel cannot see it, the patch loads, and the reference it carried stays unrelocated (the bytes klp diff left, 0): an oops, or the observation failing`);
  }
  if (moduleCase) {
    const ours = converted.get(moduleCase.id)!;
    {
      runs.push({
        ...kernelCase(moduleCase, `control-module-section-vmlinux-symbol@${moduleCase.id}`, 'insmod-fails', 'module-first', 'invalid access to vmlinux symbol'),
        bytes: moduleSectionNamesVmlinux(ours, moduleCase.observe.modules[0]!), maker: 'control', source: moduleCase.id,
        control: `a ${moduleCase.observe.modules[0]} klp rela section naming vmlinux symbols, with ${moduleCase.observe.modules[0]} loaded first: klp_resolve_symbols refuses it ("invalid access to vmlinux symbol") and the patch does not load`,
      });
    }
  }
  return runs;
}

export interface KlpBuildOutcome {
  id: string;
  /** ok: ours patched as observed; ours: ours failed where objtool's output passed; upstream: both failed. */
  verdict: 'ok' | 'ours' | 'upstream' | 'objtool-only-fails';
  ours: CaseOutcome[];
  objtool: CaseOutcome[];
}

export interface KlpBuildReport {
  kernel: string;
  guestKernel?: string;
  sourcePackage: string;
  sourceVersion: string;
  ok: boolean;
  cases: KlpBuildOutcome[];
  controls: Array<CaseOutcome & { control: string }>;
  boots: Array<{ runs: number; ended: string; ms: number }>;
}

/** The committed kernel the klp-build corpus was built against. */
export function openKlpBuildKernel(root: string, cache: string): CommittedKernel {
  return openCommitted(join(root, 'kernels/x86_64-7'), cache);
}

/** The kernel's own modules the cases name, from the committed kernel's manifest (`kernelModules`). */
function kernelModules(k: CommittedKernel, names: readonly string[]): Array<{ path: string; data: Uint8Array }> {
  const listed = (k.manifest as CommittedKernel['manifest'] & { kernelModules?: Record<string, { file: string }> }).kernelModules ?? {};
  return names.map((name) => {
    const rel = listed[name]?.file;
    if (!rel) throw new HarnessError(`${k.dir}/manifest.json lists no kernel module ${name} (a case patches it): commit it with the kernel`);
    return { path: modulePath(name), data: rel.endsWith('.xz') ? readModuleFile(join(k.dir, rel)) : readInputFile(join(k.dir, rel)) };
  });
}

const BOOT_BASE_MS = 120_000;
/** Enough to amortise a boot; few enough that an oops costs little. */
const RUNS_PER_BOOT = 8;
const BOOT_PER_RUN_MS = 20_000;

/**
 * Runs every case's modules and the controls. Controls that may oops and runs of a module that
 * patches a loaded module each get boots of their own: an oops ends a boot.
 */
export async function runKlpBuildLoad(opts: { root: string; cache: string; cases: KlpBuildCase[]; log?: (l: string) => void; controls?: boolean; objtool?: string }): Promise<KlpBuildReport> {
  const log = opts.log ?? (() => undefined);
  const kernel = openKlpBuildKernel(opts.root, opts.cache);
  const runs = caseRuns(opts.cases, opts.objtool);
  const controls = opts.controls === false ? [] : controlRuns(opts.cases);
  for (const r of runs.filter((x) => x.maker === 'ours')) {
    const errors = lintErrors(lintModuleBytes(r.bytes));
    if (errors.length > 0) log(`${r.kc.id}: our output fails the loader lint: ${errors.map((e) => e.message).join('; ')}`);
  }
  const modules = kernelModules(kernel, [...new Set(opts.cases.flatMap((c) => c.observe.modules))]);
  // Cases share boots of a few runs each; a control, which may oops, boots alone.
  const groups: Run[][] = [];
  for (let i = 0; i < runs.length; i += RUNS_PER_BOOT) groups.push(runs.slice(i, i + RUNS_PER_BOOT));
  for (const c of controls) groups.push([c]);

  const outcomes = new Map<string, CaseOutcome>();
  const boots: KlpBuildReport['boots'] = [];
  let guestKernel: string | undefined;
  for (const group of groups) {
    const files = [...modules, ...group.map((r, k) => ({ path: `/m/${k}-${r.kc.module}.ko`, data: r.bytes }))];
    const guestCases: GuestCase[] = group.map((r, k) => ({
      id: r.kc.id, file: `${k}-${r.kc.module}.ko`, name: r.kc.module, livepatch: r.kc.expect === 'patched',
      before: r.before, late: r.kc.late, setup: r.kc.setup, teardown: r.kc.teardown,
      files: r.kc.checks.map((ch) => ch.file), kallsyms: [],
    }));
    log(`booting ${kernel.manifest.release} with ${group.map((r) => r.kc.id).join(', ')}`);
    const result = await boot({ vmlinuz: kernel.image, initramfs: buildInitramfs(initScript(guestCases, '', SECOND_SERIAL, 'reboot'), files), timeoutMs: BOOT_BASE_MS + BOOT_PER_RUN_MS * group.length });
    boots.push({ runs: group.length, ended: result.ended, ms: Math.round(result.ms) });
    const out = parseGuestOutput(result.results);
    guestKernel ??= out.uname;
    for (const r of group) {
      let o = judge(r.kc, out.cases.get(r.kc.id), result);
      if (r.control?.startsWith(BROKEN)) {
        // The kernel has no word for a missing relocation: the observation must not hold.
        o = o.ok
          ? { ...o, ok: false, notes: ['the patch with a dropped klp relocation still showed the patched behaviour: the control proves nothing'] }
          : { ...o, ok: true, notes: [`failed as it must: ${o.notes.at(-1) ?? ''}`] };
      }
      outcomes.set(r.kc.id, o);
    }
  }

  const cases: KlpBuildOutcome[] = opts.cases.map((c) => {
    const ours = runs.filter((r) => r.source === c.id && r.maker === 'ours').map((r) => outcomes.get(r.kc.id)!);
    const objtool = runs.filter((r) => r.source === c.id && r.maker === 'objtool').map((r) => outcomes.get(r.kc.id)!);
    const oursOk = ours.every((o) => o.ok);
    const objtoolOk = objtool.length > 0 && objtool.every((o) => o.ok);
    const verdict = oursOk ? (objtool.length > 0 && !objtoolOk ? 'objtool-only-fails' : 'ok') : objtool.length > 0 && !objtoolOk ? 'upstream' : 'ours';
    return { id: c.id, verdict, ours, objtool };
  });
  const controlOutcomes = controls.map((r) => ({ ...outcomes.get(r.kc.id)!, control: r.control! }));
  return {
    kernel: kernel.manifest.release,
    ...(guestKernel ? { guestKernel } : {}),
    sourcePackage: kernel.manifest.sourcePackage,
    sourceVersion: kernel.manifest.sourceVersion,
    ok: cases.every((c) => c.verdict === 'ok' || c.verdict === 'upstream') && controlOutcomes.every((c) => c.ok),
    cases,
    controls: controlOutcomes,
    boots,
  };
}

export function formatKlpBuildReport(r: KlpBuildReport): string[] {
  const lines = [`kernel ${r.guestKernel ?? r.kernel} (${r.sourcePackage} ${r.sourceVersion}), ${r.boots.length} boots, ${(r.boots.reduce((n, b) => n + b.ms, 0) / 1000).toFixed(0)} s`];
  for (const c of r.cases) {
    const note = [...c.ours, ...c.objtool].find((o) => !o.ok)?.notes.at(-1) ?? c.ours[0]?.notes.at(0) ?? '';
    lines.push(`${c.verdict.padEnd(18)} ${c.id} (ours ${c.ours.filter((o) => o.ok).length}/${c.ours.length}, objtool ${c.objtool.filter((o) => o.ok).length}/${c.objtool.length})${note ? `: ${note}` : ''}`);
  }
  for (const c of r.controls) lines.push(`${(c.ok ? 'control ok' : 'CONTROL FAILS').padEnd(18)} ${c.id}: ${c.notes.join('; ')}`);
  const count = (v: KlpBuildOutcome['verdict']): number => r.cases.filter((c) => c.verdict === v).length;
  lines.push(`${count('ok')} ok, ${count('upstream')} upstream, ${count('ours')} ours, ${count('objtool-only-fails')} objtool-only-fails; controls ${r.controls.filter((c) => c.ok).length}/${r.controls.length}`);
  return lines;
}
