// `klp-harness list`: the corpus as data. sharedSymbols and sharedAcrossSections are computed from
// the input object itself, because how many relas share a symbol (and in how many sections) is
// what differs between compilers and flags, and what the 2019 bug depended on.
import { existsSync } from 'node:fs';
import { decodeRelocs, decodeSymbols, isRelocSection, readElf, SHN_UNDEF, type Symbol } from '../../src/elf/index.js';
import type { Case } from '../case.js';
import { HarnessError } from '../errors.js';
import { exportedNames, loaderCannotResolve, type Dialect } from '../../src/klp/index.js';
import { FileError, readInputFile } from '../../src/io/index.js';

export interface CaseListing {
  id: string;
  arch: string | null;
  compiler: string | null;
  flags: string | null;
  dialect: Dialect;
  expect: string | null;
  sharedSymbols: string[];
  sharedAcrossSections: string[];
}

/**
 * Relocation sections of sympos annotations (`.rela.klp.module_relocs.*`) are left out: the
 * converter removes them, and they would make every annotated symbol look shared.
 */
const isAnnotationRelocSection = (name: string): boolean => /^\.rela?\.klp\.module_relocs\./.test(name);

/**
 * Which undefined symbols a correct conversion turns into livepatch symbols: those the module loader
 * cannot resolve (the oracle-free properties' own rule). Exported symbols and `.TOC.` are the
 * loader's, so they do not count as shared.
 */
export function needsConversion(c: Pick<Case, 'dialect' | 'symbols'>): (sym: Symbol, index: number) => boolean {
  let symbols: Uint8Array | undefined;
  try {
    symbols = c.symbols && existsSync(c.symbols) ? readInputFile(c.symbols) : undefined;
  } catch {
    // an unusable symbols.klp (the case's problem says why) exports nothing
  }
  const exported = exportedNames(symbols);
  return (sym, index) => loaderCannotResolve(sym, index, { dialect: c.dialect }, exported);
}

export function sharedSymbolUse(bytes: Uint8Array, counts: (sym: Symbol, index: number) => boolean = () => true): { sharedSymbols: string[]; sharedAcrossSections: string[] } {
  const obj = readElf(bytes);
  const uses = new Map<string, { relocs: number; sections: Set<number> }>();
  const tables = new Map<number, ReturnType<typeof decodeSymbols>>();
  obj.sections.forEach((sec, i) => {
    if (!isRelocSection(sec) || isAnnotationRelocSection(sec.name)) return;
    if (!tables.has(sec.link)) tables.set(sec.link, decodeSymbols(obj, sec.link));
    const symbols = tables.get(sec.link)!;
    for (const rel of decodeRelocs(obj.header.ident, sec)) {
      const sym = symbols[rel.symbol];
      if (!sym || rel.symbol === 0 || sym.shndx !== SHN_UNDEF || !counts(sym, rel.symbol)) continue;
      const u = uses.get(sym.name) ?? { relocs: 0, sections: new Set<number>() };
      u.relocs++;
      u.sections.add(i);
      uses.set(sym.name, u);
    }
  });
  const names = [...uses.keys()].sort();
  return {
    sharedSymbols: names.filter((n) => uses.get(n)!.relocs >= 2),
    sharedAcrossSections: names.filter((n) => uses.get(n)!.sections.size >= 2),
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function listCase(c: Case): CaseListing {
  let bytes: Uint8Array = new Uint8Array(0);
  try {
    if (c.problem === undefined) bytes = readInputFile(c.input);
  } catch (e) {
    throw new HarnessError(e instanceof FileError ? e.message : String(e));
  }
  let shared = { sharedSymbols: [] as string[], sharedAcrossSections: [] as string[] };
  try {
    shared = sharedSymbolUse(bytes, needsConversion(c));
  } catch {
    // A deliberately malformed input (a bad-elf case) shares nothing we can count.
  }
  return {
    id: c.id,
    arch: str(c.meta.arch),
    compiler: str(c.meta.compiler),
    flags: str(c.meta.flags),
    dialect: c.dialect,
    expect: str(c.meta.expect),
    ...shared,
  };
}

export function listingText(rows: readonly CaseListing[]): string {
  const lines = rows.map(
    (r) => `${r.id}  ${r.arch ?? '-'} ${r.compiler ?? '-'} ${r.dialect} expect=${r.expect ?? '-'} shared=${r.sharedSymbols.length} acrossSections=${r.sharedAcrossSections.length}`,
  );
  const across = rows.filter((r) => r.sharedAcrossSections.length > 0).length;
  lines.push(`${rows.length} cases, ${across} with a symbol shared across sections`);
  return `${lines.join('\n')}\n`;
}
