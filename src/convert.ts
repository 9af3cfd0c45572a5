// The library entry point: bytes → model → plan → model → bytes, with no file or process access.
import { ElfFormatError } from './elf/errors.js';
import { readElf } from './elf/read.js';
import { normalizeSectionHeaders } from './elf/normalize.js';
import { writeElf } from './elf/write.js';
import { ET_REL } from './elf/constants.js';
import { applyPlan } from './klp/apply.js';
import { KlpError } from './klp/errors.js';
import { planConversion, type ConversionPlan, type Dialect } from './klp/plan.js';
import type { ByteReader } from './klp/symbols-file.js';

export interface ConvertOptions {
  /** Forces a dialect; by default symbols-list when `symbols` is given, annotation otherwise. */
  dialect?: Dialect;
  /** Contents of symbols.klp (symbols-list dialect), or a reader of them (see ByteReader). */
  symbols?: Uint8Array | ByteReader;
}

export interface ConvertedSymbol {
  objname: string;
  name: string;
  sympos: number;
  newName: string;
  /** Relocations moved, by the rela section they came from. */
  movedFrom: Record<string, number>;
}

export interface ConversionReport {
  dialect: Dialect;
  symbols: ConvertedSymbol[];
  klpSections: Array<{ name: string; relocs: number }>;
  removedSections: string[];
  warnings: string[];
}

export interface ConvertResult {
  output: Uint8Array;
  report: ConversionReport;
}

export function convert(input: Uint8Array, options: ConvertOptions = {}): ConvertResult {
  const dialect: Dialect = options.dialect ?? (options.symbols ? 'symbols' : 'annotation');
  if (dialect === 'symbols' && !options.symbols) {
    throw new KlpError('bad-symbols-file', 'the symbols-list dialect needs a symbols.klp file');
  }
  try {
    const obj = readElf(input);
    if (obj.header.type !== ET_REL) throw new KlpError('bad-elf', `e_type is ${obj.header.type}, not ET_REL: not a kernel module`, { offset: 16 });
    // The module is read before symbols.klp (as the C tool does): the plan keeps only the names it uses.
    const plan = planConversion(obj, dialect === 'symbols' ? { dialect, symbolsFile: options.symbols! } : { dialect });
    if (plan.refusals.length > 0) throw plan.refusals[0];
    const report = describePlan(obj.sections.map((s) => s.name), plan);
    applyPlan(obj, plan);
    normalizeSectionHeaders(obj);
    return { output: writeElf(obj), report };
  } catch (e) {
    if (e instanceof ElfFormatError) throw new KlpError('bad-elf', e.reason, e.where);
    throw e;
  }
}

function describePlan(sectionNames: readonly string[], plan: ConversionPlan): ConversionReport {
  const bySymbol = new Map(plan.conversions.map((c) => [c.index, { objname: c.objname, name: c.name, sympos: c.sympos, newName: c.newName, movedFrom: {} as Record<string, number> }]));
  for (const klp of plan.klpSections) {
    for (const ref of klp.relocs) {
      const moved = bySymbol.get(ref.symbol)!.movedFrom;
      const from = sectionNames[ref.section]!;
      moved[from] = (moved[from] ?? 0) + 1;
    }
  }
  return {
    dialect: plan.dialect,
    symbols: [...bySymbol.values()],
    klpSections: plan.klpSections.map((k) => ({ name: k.name, relocs: k.relocs.length })),
    removedSections: [...plan.removeSections].sort((a, b) => a - b).map((i) => sectionNames[i]!),
    warnings: plan.warnings,
  };
}
