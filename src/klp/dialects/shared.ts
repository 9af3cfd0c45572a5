// What every dialect starts from: the symbol table, decoded once, and a plan that changes nothing.
import { decodeSymbols, type ElfObject, type Symbol, symtabIndex } from '../../elf/index.js';
import { KlpError } from '../errors.js';
import type { ConversionPlan, Dialect } from '../plan.js';

export function symbolTable(obj: ElfObject): { symtab: number; symbols: Symbol[] } {
  const symtab = symtabIndex(obj);
  if (symtab < 0) throw new KlpError('bad-elf', 'has no symbol table');
  return { symtab, symbols: decodeSymbols(obj, symtab) };
}

/** A plan that changes nothing, for a dialect to fill in. */
export function emptyPlan(dialect: Dialect, symtab: number): ConversionPlan {
  return { dialect, symtab, conversions: [], livepatchSymbols: [], klpSections: [], retype: [], removeSections: new Set(), warnings: [], refusals: [] };
}
