// A kernel case is a directory under cases/kernel/ with a case.json saying which module to build
// (its own sources, or another case's), how to convert it, and what the kernel must then do.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { HarnessError } from '../errors.js';

export type KernelExpect = 'patched' | 'insmod-fails' | 'oops';
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
}

const str = (v: unknown): v is string => typeof v === 'string';
const strs = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);

export function loadKernelCase(dir: string): KernelCase {
  const path = join(dir, 'case.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
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
  if (expect !== 'patched' && expect !== 'insmod-fails' && expect !== 'oops') bad(`"expect" must be patched, insmod-fails or oops`);
  if (raw.mutate !== undefined && raw.mutate !== 'clear-rela-livepatch' && raw.mutate !== 'bump-sympos') bad(`"mutate" must be clear-rela-livepatch or bump-sympos`);
  for (const k of ['late', 'setup', 'teardown', 'klpSections']) if (raw[k] !== undefined && !strs(raw[k])) bad(`"${k}" must be a list of strings`);
  const checks = (raw.checks ?? []) as unknown[];
  if (!Array.isArray(checks)) bad('"checks" must be a list');
  const parsedChecks = checks.map((c, i): KernelCheck => {
    const o = c as Record<string, unknown>;
    if (!str(o.file) || !strs(o.contains)) bad(`checks[${i}] needs "file" and "contains"`);
    if (o.revert !== undefined && !strs(o.revert)) bad(`checks[${i}].revert must be a list of strings`);
    return { file: o.file as string, contains: o.contains as string[], ...(o.revert ? { revert: o.revert as string[] } : {}) };
  });
  let address: KernelCase['address'];
  if (raw.address !== undefined) {
    const a = raw.address as Record<string, unknown>;
    if (!str(a.name) || typeof a.sympos !== 'number' || !str(a.pattern)) bad('"address" needs name, sympos and pattern');
    address = { name: a.name as string, sympos: a.sympos as number, pattern: a.pattern as string };
  }
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
