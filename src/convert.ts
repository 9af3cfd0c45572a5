// The library entry point: bytes → model → plan → model → bytes, with no file or process access.
import { ElfFormatError, type ElfObject, ET_REL, normalizeSectionHeaders, readElf, symbolNamesAt, writeElf } from './elf/index.js';
import {
  applyPlan, type ByteReader, type ConversionPlan, type Dialect, dialectEvidence, KlpError, parseKlpSymbolName,
  planConversion,
} from './klp/index.js';

export interface ConvertOptions {
  /**
   * Forces a dialect. By default: symbols-list when `symbols` is given, else post-link when the
   * module has `__klp_relocs` sections, else annotation (a module with KLP_SYMPOS annotations and
   * no symbols.klp is refused: it cannot be converted without one).
   */
  dialect?: Dialect;
  /** Contents of symbols.klp (symbols-list dialect), or a reader of them (see ByteReader). */
  symbols?: Uint8Array | ByteReader;
}

export interface ConvertedSymbol {
  objname: string;
  name: string;
  sympos: number;
  newName: string;
  /** Relocations converted, by the section they came from (a rela section, or `__klp_relocs.*`). */
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
  if (options.dialect === 'symbols' && !options.symbols) {
    throw new KlpError('bad-symbols-file', 'the symbols-list dialect needs a symbols.klp file');
  }
  try {
    const obj = readElf(input);
    if (obj.header.type !== ET_REL) throw new KlpError('bad-elf', `e_type is ${obj.header.type}, not ET_REL: not a kernel module`, { offset: 16 });
    const { dialect, warnings } = chooseDialect(obj, options);
    // The module is read before symbols.klp (as the C tool does): the plan keeps only the names it uses.
    const plan = planConversion(obj, dialect === 'symbols' ? { dialect, symbolsFile: options.symbols! } : { dialect });
    if (plan.refusals.length > 0) throw plan.refusals[0];
    const report = describePlan(obj, plan);
    report.warnings.unshift(...warnings);
    // Told nothing and found nothing: say so, since a symbols-list module given no symbols.klp
    // looks just like this and would never load.
    if (options.dialect === undefined && !options.symbols && dialect === 'annotation' && nothingConverted(plan)) {
      report.warnings.push('nothing to convert: no .klp.sym.rela. symbols (annotation dialect) and no __klp_relocs sections (post-link dialect); a symbols-list module needs its symbols.klp');
    }
    applyPlan(obj, plan);
    normalizeSectionHeaders(obj);
    return { output: writeElf(obj), report };
  } catch (e) {
    if (e instanceof ElfFormatError) throw new KlpError('bad-elf', e.reason, e.where);
    throw e;
  }
}

/** The dialect to convert in, and what the user should know about that choice. */
function chooseDialect(obj: ElfObject, options: ConvertOptions): { dialect: Dialect; warnings: string[] } {
  // A dialect the caller names is taken as it is (the harness, the post-link subcommand).
  if (options.dialect) return { dialect: options.dialect, warnings: [] };
  const { dialects, shownBy } = dialectEvidence(obj);
  const chosen: Dialect = options.symbols ? 'symbols' : dialects.includes('post-link') ? 'post-link' : 'annotation';
  if (!options.symbols && chosen === 'annotation' && dialects.includes('symbols') && !dialects.includes('annotation')) {
    throw new KlpError('bad-symbols-file', `the module has KLP_SYMPOS annotations (${shownBy.symbols}): it is in the symbols-list dialect and needs its symbols.klp (klp-convert symbols.klp in.ko out.ko)`, { section: shownBy.symbols! });
  }
  const warnings = dialects
    .filter((d) => d !== chosen && !(chosen === 'symbols' && d === 'annotation' && dialects.includes('symbols')))
    .map((d) => `the module shows the ${DIALECT_NAMES[d]} dialect (${shownBy[d]}), but is converted in the ${DIALECT_NAMES[chosen]} dialect`);
  return { dialect: chosen, warnings };
}

const DIALECT_NAMES: Record<Dialect, string> = { symbols: 'symbols-list', annotation: 'annotation', 'post-link': 'post-link' };

const nothingConverted = (plan: ConversionPlan): boolean => plan.conversions.length === 0 && plan.klpSections.length === 0;

function describePlan(obj: ElfObject, plan: ConversionPlan): ConversionReport {
  const sectionNames = obj.sections.map((s) => s.name);
  const bySymbol = new Map(plan.conversions.map((c) => [c.index, { objname: c.objname, name: c.name, sympos: c.sympos, newName: c.newName, movedFrom: {} as Record<string, number> }]));
  const count = (symbol: number, from: number): void => {
    const moved = bySymbol.get(symbol)!.movedFrom;
    const name = sectionNames[from]!;
    moved[name] = (moved[name] ?? 0) + 1;
  };
  // Post-link symbols keep their names: what they resolve to is read off them.
  const names = plan.dialect === 'post-link' ? symbolNamesAt(obj, plan.symtab, plan.klpSections.flatMap((k) => k.added.map((a) => a.symbol))) : new Map<number, string>();
  for (const klp of plan.klpSections) {
    for (const ref of klp.relocs) count(ref.symbol, ref.section);
    for (const added of klp.added) {
      if (!bySymbol.has(added.symbol)) {
        const full = names.get(added.symbol) ?? '';
        const parsed = parseKlpSymbolName(full);
        const { objname, name, sympos } = typeof parsed === 'string' ? { objname: '', name: full, sympos: 0 } : parsed;
        bySymbol.set(added.symbol, { objname, name, sympos, newName: full, movedFrom: {} });
      }
      count(added.symbol, added.from);
    }
  }
  return {
    dialect: plan.dialect,
    symbols: [...bySymbol.values()],
    klpSections: plan.klpSections.map((k) => ({ name: k.name, relocs: k.relocs.length + k.added.length })),
    removedSections: [...plan.removeSections].sort((a, b) => a - b).map((i) => sectionNames[i]!),
    warnings: [...plan.warnings],
  };
}

