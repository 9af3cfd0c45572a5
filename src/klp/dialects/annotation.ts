// The annotation dialect (klp-convert of the 2023-2024 series): the source names each symbol
// `.klp.sym.rela.<lpobj>.<objname>.<name>,<sympos>`; every relocation to one moves to the klp rela
// section of <lpobj> and the symbol becomes `.klp.sym.<objname>.<name>,<sympos>`.
import { type ElfObject, SHN_LIVEPATCH, type Symbol } from '../../elf/index.js';
import { KlpError } from '../errors.js';
import { KLP_ANNOTATED_SYM_PREFIX, livepatchSymbolName, parseAnnotatedSymbol } from '../names.js';
import type { ConversionPlan, Resolution } from '../plan.js';
import { scanRelocations } from './relocation-scan.js';
import { symbolTable } from './shared.js';

export function planAnnotation(obj: ElfObject): ConversionPlan {
  const { symtab, symbols } = symbolTable(obj);
  const { plan, stopped } = scanRelocations(obj, 'annotation', symtab, symbols, {
    candidate: isAnnotationCandidate,
    resolve: annotatedResolution,
    removeSections: new Set<number>(),
  });
  // Every annotated symbol is renamed, used or not, so no `.klp.sym.rela.` name is left for the
  // module loader to trip on. A refusal that ended the scan ends this too.
  if (stopped) return plan;
  const converted = new Set(plan.conversions.map((c) => c.index));
  for (const [index, sym] of symbols.entries()) {
    if (index === 0 || !isAnnotationCandidate(sym) || converted.has(index)) continue;
    let res: Resolution | undefined;
    try {
      res = annotatedResolution(sym);
    } catch (e) {
      if (!(e instanceof KlpError)) throw e;
      plan.refusals.push(e);
      break;
    }
    if (res) plan.conversions.push({ ...res, index, oldName: sym.name, newName: livepatchSymbolName(res.objname, res.name, res.sympos) });
  }
  return plan;
}

/**
 * In the annotation dialect the name alone decides, defined or not (as the reference does); a
 * symbol already converted is SHN_LIVEPATCH and is left alone, so converting twice changes nothing.
 */
const isAnnotationCandidate = (sym: Symbol): boolean =>
  sym.shndx !== SHN_LIVEPATCH && sym.name.startsWith(KLP_ANNOTATED_SYM_PREFIX);

function annotatedResolution(sym: Symbol): Resolution | undefined {
  if (!sym.name.startsWith(KLP_ANNOTATED_SYM_PREFIX)) return undefined;
  const parsed = parseAnnotatedSymbol(sym.name);
  if (typeof parsed === 'string') throw new KlpError('bad-annotation', `symbol '${sym.name}': ${parsed}`, { symbol: sym.name });
  return parsed;
}

