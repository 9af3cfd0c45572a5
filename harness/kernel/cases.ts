// A kernel case is a directory under cases/kernel/ with a case.json saying which module to build
// (its own sources, or another case's), how to convert it, and what the kernel must then do.
// What a kernel must do can depend on the kernel: `overrides` change the expectation for an
// architecture or for kernels without CONFIG_LIVEPATCH (see forKernel).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { HarnessError } from '../errors.js';
import { readInputText } from '../../src/io/index.js';
import { KERNEL_ARCHES, type KernelArch } from './arch.js';

/**
 * patched: loads, patches, reverts, unloads (needs CONFIG_LIVEPATCH); loads: insmod and rmmod
 * succeed with a clean dmesg (a kernel without livepatch: the converted code is carried, not run);
 * insmod-fails: refused, dmesg matching `dmesg`; oops: the boot ends in an oops.
 */
export type KernelExpect = 'patched' | 'loads' | 'insmod-fails' | 'oops';
export type KernelDialect = 'symbols' | 'annotation' | 'unconverted';
/** Edits applied to the converted module, for negative controls. */
export type KernelMutation = 'clear-rela-livepatch' | 'bump-sympos';

export interface KernelCheck {
  /** A file the guest reads while patched and after the patch is disabled. */
  file: string;
  /** Text it must contain while patched. */
  contains: string[];
  /** Text that must be gone again once the patch is disabled. */
  revert?: string[];
}

export interface KernelCase {
  id: string;
  dir: string;
  /** Directory with the Kbuild and sources (this case's, or another's). */
  sourceDir: string;
  /** The .ko's base name, and the module's name in the kernel with - as _. */
  module: string;
  dialect: KernelDialect;
  expect: KernelExpect;
  mutate?: KernelMutation;
  /** A regular expression dmesg (or, for an oops, the console) must match. */
  dmesg?: string;
  /** Modules of the installed kernel loaded after the patch, relative to /lib/modules/<version>. */
  late: string[];
  setup: string[];
  teardown: string[];
  checks: KernelCheck[];
  /** The module prints the address it bound; it must be the sympos-th `name` in vmlinux's kallsyms. */
  address?: { name: string; sympos: number; pattern: string };
  /**
   * klp rela sections the converted module must have: guards against a compiler that folds a
   * reference away (a constant table read directly) so the case no longer tests what it says.
   */
  klpSections: string[];
  description?: string;
  /** Changes for some kernels, applied in order by forKernel. */
  overrides: CaseOverride[];
  /** Set by forKernel: why this case does not run on that kernel (reported, never silent). */
  skip?: string;
}

/** `{ "arch": [...], "livepatch": false, ... }`: applies when every condition given holds. */
export interface CaseOverride {
  arch?: KernelArch[];
  livepatch?: boolean;
  /** Kernel series: "6.12" matches a release 6.12.x…. */
  series?: string[];
  expect?: KernelExpect;
  dmesg?: string;
  klpSections?: string[];
  checks?: KernelCheck[];
  skip?: string;
  /** Why this kernel behaves otherwise (documentation only). */
  why?: string;
}

/**
 * The case as it must behave on one kernel. Without CONFIG_LIVEPATCH a patched case only loads
 * (its module is the variant without MODULE_INFO(livepatch), see cases/kernel/README.md); an oops
 * control has nothing to oops on, unless an override says what happens. Then the overrides
 * that match, in order; `{console}` in checks and dmesg becomes the kernel's console (ttyS0, …).
 */
export function forKernel(c: KernelCase, k: { arch: KernelArch; livepatch: boolean; console: string; release: string }): KernelCase {
  let out: KernelCase = { ...c };
  if (!k.livepatch) {
    if (out.expect === 'patched') out.expect = 'loads';
    else if (out.expect === 'oops') out.skip = 'needs CONFIG_LIVEPATCH (the patched function is never called without it)';
  }
  for (const o of c.overrides) {
    if (o.arch && !o.arch.includes(k.arch)) continue;
    if (o.livepatch !== undefined && o.livepatch !== k.livepatch) continue;
    if (o.series && !o.series.some((v) => k.release.startsWith(`${v}.`))) continue;
    out = {
      ...out,
      ...(o.expect ? { expect: o.expect } : {}),
      ...(o.dmesg !== undefined ? { dmesg: o.dmesg } : {}),
      ...(o.klpSections ? { klpSections: o.klpSections } : {}),
      ...(o.checks ? { checks: o.checks } : {}),
    };
    if (o.skip !== undefined) out.skip = o.skip;
    else if (o.expect) delete out.skip;
  }
  const sub = (t: string): string => t.replaceAll('{console}', k.console);
  out.checks = out.checks.map((ch) => ({ ...ch, contains: ch.contains.map(sub), ...(ch.revert ? { revert: ch.revert.map(sub) } : {}) }));
  if (out.dmesg) out.dmesg = sub(out.dmesg);
  return out;
}

const str = (v: unknown): v is string => typeof v === 'string';
const strs = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);

export function loadKernelCase(dir: string): KernelCase {
  const path = join(dir, 'case.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readInputText(path)) as Record<string, unknown>;
  } catch (e) {
    throw new HarnessError(`${path}: ${(e as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new HarnessError(`${path}: ${what}`);
  };
  const id = basename(resolve(dir));
  if (!str(raw.module)) bad('"module" (the .ko base name) is required');
  const dialect = raw.dialect ?? 'symbols';
  if (dialect !== 'symbols' && dialect !== 'annotation' && dialect !== 'unconverted') bad(`"dialect" must be symbols, annotation or unconverted`);
  const expect = raw.expect ?? 'patched';
  const expects = ['patched', 'loads', 'insmod-fails', 'oops'];
  if (!expects.includes(expect as string)) bad(`"expect" must be one of ${expects.join(', ')}`);
  if (raw.mutate !== undefined && raw.mutate !== 'clear-rela-livepatch' && raw.mutate !== 'bump-sympos') bad(`"mutate" must be clear-rela-livepatch or bump-sympos`);
  for (const k of ['late', 'setup', 'teardown', 'klpSections']) if (raw[k] !== undefined && !strs(raw[k])) bad(`"${k}" must be a list of strings`);
  const parseChecks = (v: unknown, where: string): KernelCheck[] => {
    if (!Array.isArray(v)) bad(`${where} must be a list`);
    return (v as unknown[]).map((c, i): KernelCheck => {
      const o = c as Record<string, unknown>;
      if (!str(o.file) || !strs(o.contains)) bad(`${where}[${i}] needs "file" and "contains"`);
      if (o.revert !== undefined && !strs(o.revert)) bad(`${where}[${i}].revert must be a list of strings`);
      return { file: o.file as string, contains: o.contains as string[], ...(o.revert ? { revert: o.revert as string[] } : {}) };
    });
  };
  const parsedChecks = parseChecks(raw.checks ?? [], 'checks');
  let address: KernelCase['address'];
  if (raw.address !== undefined) {
    const a = raw.address as Record<string, unknown>;
    if (!str(a.name) || typeof a.sympos !== 'number' || !str(a.pattern)) bad('"address" needs name, sympos and pattern');
    address = { name: a.name as string, sympos: a.sympos as number, pattern: a.pattern as string };
  }
  if (!Array.isArray(raw.overrides ?? [])) bad('"overrides" must be a list');
  const overrides = ((raw.overrides ?? []) as unknown[]).map((v, i): CaseOverride => {
    const o = v as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) bad(`overrides[${i}] must be an object`);
    const known = ['arch', 'livepatch', 'series', 'expect', 'dmesg', 'klpSections', 'checks', 'skip', 'why'];
    const unknown = Object.keys(o).filter((k) => !known.includes(k));
    if (unknown.length) bad(`overrides[${i}]: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
    if (o.arch !== undefined && !(strs(o.arch) && o.arch.every((a) => (KERNEL_ARCHES as readonly string[]).includes(a)))) bad(`overrides[${i}].arch must list some of ${KERNEL_ARCHES.join(', ')}`);
    if (o.livepatch !== undefined && typeof o.livepatch !== 'boolean') bad(`overrides[${i}].livepatch must be true or false`);
    if (o.series !== undefined && !(strs(o.series) && o.series.every((v) => /^\d+\.\d+$/.test(v)))) bad(`overrides[${i}].series must list kernel series like "6.12"`);
    if (o.expect !== undefined && !expects.includes(o.expect as string)) bad(`overrides[${i}].expect must be one of ${expects.join(', ')}`);
    if (o.dmesg !== undefined && !str(o.dmesg)) bad(`overrides[${i}].dmesg must be a string`);
    if (o.skip !== undefined && !str(o.skip)) bad(`overrides[${i}].skip must be a string (the reason)`);
    if (o.klpSections !== undefined && !strs(o.klpSections)) bad(`overrides[${i}].klpSections must be a list of strings`);
    if (o.why !== undefined && !str(o.why)) bad(`overrides[${i}].why must be a string`);
    return { ...(o as CaseOverride), ...(o.checks !== undefined ? { checks: parseChecks(o.checks, `overrides[${i}].checks`) } : {}) };
  });
  const sourceDir = resolve(dir, str(raw.source) ? raw.source : '.');
  if (!existsSync(join(sourceDir, 'Kbuild'))) bad(`${sourceDir} has no Kbuild`);
  return {
    id,
    dir,
    sourceDir,
    module: raw.module as string,
    dialect: dialect as KernelDialect,
    expect: expect as KernelExpect,
    ...(raw.mutate ? { mutate: raw.mutate as KernelMutation } : {}),
    ...(str(raw.dmesg) ? { dmesg: raw.dmesg } : {}),
    late: (raw.late as string[] | undefined) ?? [],
    setup: (raw.setup as string[] | undefined) ?? [],
    teardown: (raw.teardown as string[] | undefined) ?? [],
    checks: parsedChecks,
    klpSections: (raw.klpSections as string[] | undefined) ?? [],
    ...(address ? { address } : {}),
    ...(str(raw.description) ? { description: raw.description } : {}),
    overrides,
  };
}

/** Cases named on the command line (directories or ids under root), or every case under root. */
export function findKernelCases(root: string, selected: readonly string[]): KernelCase[] {
  const all = existsSync(root)
    ? readdirSync(root).sort().filter((d) => existsSync(join(root, d, 'case.json')) && statSync(join(root, d)).isDirectory())
    : [];
  if (selected.length === 0) return all.map((d) => loadKernelCase(join(root, d)));
  return selected.map((s) => {
    if (existsSync(join(s, 'case.json'))) return loadKernelCase(s);
    if (all.includes(s)) return loadKernelCase(join(root, s));
    throw new HarnessError(`${s}: no such kernel case (under ${root})`);
  });
}
