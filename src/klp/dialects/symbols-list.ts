// The symbols-list dialect (klp-convert of the 2019-2023 series): an undefined symbol the module
// loader cannot resolve (not exported, not the ppc64 TOC base) converts; its objname and sympos
// come from a KLP_SYMPOS annotation if one names it, else from its unique entry in symbols.klp.
import { type ElfObject, SHN_UNDEF, type Symbol } from '../../elf/index.js';
import { readAnnotations, type SymposAnnotation } from '../annotations.js';
import { KlpError } from '../errors.js';
import { checkSymbolName } from '../names.js';
import type { ConversionPlan, PlanInput, Resolution } from '../plan.js';
import { parseSymbolsFile, type SymbolsList } from '../symbols-file.js';
import { type Resolver, scanRelocations } from './relocation-scan.js';
import { symbolTable } from './shared.js';

export function planSymbolsList(obj: ElfObject, input: PlanInput): ConversionPlan {
  const { symtab, symbols } = symbolTable(obj);
  const resolver = symbolsListResolver(obj, symbols, requireList(input, symbols));
  const { plan } = scanRelocations(obj, 'symbols', symtab, symbols, resolver);
  const converted = new Set(plan.conversions.map((c) => c.oldName));
  plan.warnings = resolver.annotatedNames
    .filter((name) => !converted.has(name))
    .map((name) => `KLP_SYMPOS annotation for '${name}' matches no relocation that needs converting`);
  return plan;
}

function requireList(input: PlanInput, symbols: readonly Symbol[]): SymbolsList {
  if (input.symbolsList) return input.symbolsList;
  if (input.symbolsFile) return parseSymbolsFile(input.symbolsFile, { names: new Set(symbols.map((s) => s.name)) });
  throw new KlpError('bad-symbols-file', 'the symbols-list dialect needs a symbols.klp file');
}

/** Resolves unresolved symbols of the symbols-list dialect: annotation first, else a unique name. */
function symbolsListResolver(obj: ElfObject, symbols: readonly Symbol[], list: SymbolsList): Resolver & { annotatedNames: string[] } {
  const { annotations, sections } = readAnnotations(obj, symbols);
  const annotated = validateAnnotations(annotations, list);
  const resolve = (sym: Symbol): Resolution | undefined => {
    const name = sym.name;
    const bad = checkSymbolName(name);
    if (bad) throw new KlpError('missing-symbol', `unresolved symbol: ${bad}`, { symbol: name });
    const chosen = annotated.get(name);
    if (chosen) return { ...chosen, name, lpObjname: chosen.objname };
    const holders = list.byName.get(name) ?? [];
    const total = holders.reduce((n, h) => n + h.count, 0);
    if (total === 0) throw new KlpError('missing-symbol', `symbol '${name}' is not in symbols.klp`, { symbol: name });
    if (total > 1) {
      throw new KlpError('ambiguous-symbol', `symbol '${name}' is ambiguous (${total} in symbols.klp): it needs a KLP_SYMPOS annotation`, { symbol: name }, symposHint(name, holders));
    }
    const objname = holders[0]!.objname;
    return { objname, name, sympos: 0, lpObjname: objname };
  };
  // Undefined symbols the module loader resolves itself: exported ones, and the TOC base on ppc64.
  const candidate = (sym: Symbol): boolean => sym.shndx === SHN_UNDEF && sym.name !== '.TOC.' && !list.exported.has(sym.name);
  return { resolve, candidate, removeSections: sections, annotatedNames: [...annotated.keys()] };
}

function symposHint(name: string, holders: ReadonlyArray<{ objname: string; count: number }>): string[] {
  const lines = ['valid annotations:'];
  for (const { objname, count } of holders) {
    const choices = Array.from({ length: count }, (_, i) => `KLP_SYMPOS(${name}, ${count === 1 ? 0 : i + 1})`);
    lines.push(`  KLP_MODULE_RELOC(${objname}): ${choices.join(', ')}`);
  }
  return lines;
}

/** Checks each KLP_SYMPOS against symbols.klp; returns the chosen object and sympos per name. */
function validateAnnotations(annotations: readonly SymposAnnotation[], list: SymbolsList): Map<string, { objname: string; sympos: number }> {
  const chosen = new Map<string, { objname: string; sympos: number; section: string }>();
  for (const a of annotations) {
    const where = { section: a.section, symbol: a.name, index: a.entry };
    const prior = chosen.get(a.name);
    if (prior && (prior.objname !== a.objname || prior.sympos !== a.sympos)) {
      throw new KlpError('conflicting-sympos', `symbol '${a.name}' is annotated as ${prior.objname} sympos ${prior.sympos} and as ${a.objname} sympos ${a.sympos}`, where);
    }
    const count = list.objects.get(a.objname)?.get(a.name) ?? 0;
    if (count === 0) throw new KlpError('bad-sympos', `KLP_SYMPOS(${a.name}, ${a.sympos}): '${a.name}' is not listed in object ${a.objname}`, where);
    if (a.sympos === 0 && count > 1) {
      throw new KlpError('bad-sympos', `KLP_SYMPOS(${a.name}, 0): '${a.name}' occurs ${count} times in ${a.objname}; sympos must be 1..${count}`, where);
    }
    if (a.sympos > count) {
      throw new KlpError('bad-sympos', `KLP_SYMPOS(${a.name}, ${a.sympos}): ${a.objname} has only ${count} '${a.name}'`, where);
    }
    chosen.set(a.name, { objname: a.objname, sympos: a.sympos, section: a.section });
  }
  return chosen;
}
