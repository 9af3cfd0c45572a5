// The plan: a pure function from the module's model (and symbols.klp) to what must change. It
// decides everything and edits nothing; apply.ts carries it out.
import { SHN_LIVEPATCH, SHN_UNDEF, SHT_REL } from '../elf/constants.js';
import type { ElfObject, Symbol } from '../elf/model.js';
import { decodeRelocs, isRelocSection } from '../elf/relocs.js';
import { decodeSymbols, symtabIndex } from '../elf/symbols.js';
import { readAnnotations, type SymposAnnotation } from './annotations.js';
import { KlpError } from './errors.js';
import {
  KLP_ANNOTATED_SYM_PREFIX, KLP_RELA_PREFIX, checkSymbolName, klpRelaSectionName, livepatchSymbolName,
  parseAnnotatedSymbol,
} from './names.js';
import { specialSectionProblem } from './special-sections.js';
import { parseSymbolsFile, type ByteReader, type SymbolsList } from './symbols-file.js';

export type Dialect = 'symbols' | 'annotation';

/** Where the livepatch core will find a symbol: objname and sympos (0 = unique in objname). */
export interface Resolution {
  objname: string;
  name: string;
  sympos: number;
  /** The patched object whose klp rela section gets the relocations (annotation dialect). */
  lpObjname: string;
}

export interface SymbolConversion extends Resolution {
  /** Index in .symtab. */
  index: number;
  oldName: string;
  newName: string;
}

export interface RelocRef {
  section: number;
  index: number;
  /** The converted symbol it refers to. */
  symbol: number;
}

export interface KlpSectionPlan {
  name: string;
  objname: string;
  /** Section the relocations apply to (sh_info). */
  base: number;
  relocs: RelocRef[];
}

export interface ConversionPlan {
  dialect: Dialect;
  symtab: number;
  /** Symbols to rename, in the order their new names are added to the string table. */
  conversions: SymbolConversion[];
  /** klp rela sections in the order they are created: first use. */
  klpSections: KlpSectionPlan[];
  /** Annotation sections (and their relocation sections) to drop. */
  removeSections: Set<number>;
  /** Things worth a user's attention that do not stop the conversion. */
  warnings: string[];
  /**
   * Why a correct converter must refuse this module, in the order the relocations were scanned;
   * empty when the plan can be applied. A relocation from a load-time section (unsupported-section),
   * or from a module's klp rela section to a vmlinux symbol (bad-annotation), is refused and still
   * planned, an SHT_REL one (unsupported-relocation) is refused and left
   * where it is, and any other refusal (a missing or ambiguous symbol, a malformed relocation)
   * ends the scan, so it is always last. The library throws the first; the harness's reference
   * models read them all, as data.
   */
  refusals: KlpError[];
}

export interface PlanInput {
  dialect: Dialect;
  /** Required for the symbols-list dialect. */
  symbolsList?: SymbolsList;
  /**
   * Or symbols.klp itself, whole or read in pieces: only the names this module's symbol table
   * holds are kept of it, which is all a conversion can ask about (a kernel's file lists some
   * 240,000 names). It is read once, after the module's symbols are known.
   */
  symbolsFile?: Uint8Array | ByteReader;
}

export function planConversion(obj: ElfObject, input: PlanInput): ConversionPlan {
  const symtab = symtabIndex(obj);
  if (symtab < 0) throw new KlpError('bad-elf', 'has no symbol table');
  const symbols = decodeSymbols(obj, symtab);
  const resolver =
    input.dialect === 'symbols'
      ? symbolsListResolver(obj, symbols, requireList(input, symbols))
      : { resolve: annotatedResolution, candidate: isAnnotationCandidate, removeSections: new Set<number>(), annotatedNames: [] };

  const conversions = new Map<number, SymbolConversion>();
  const refusals: KlpError[] = [];
  let stopped = false;
  const vmlinuxFromModule = new Set<number>();
  // By patched object, then base section: no key to build per relocation.
  const klpSections = new Map<string, Map<number, KlpSectionPlan>>();
  const klpOrder: KlpSectionPlan[] = [];
  obj.sections.forEach((sec, secIndex) => {
    if (stopped || !isRelocSection(sec) || sec.link !== symtab) return;
    if (resolver.removeSections.has(secIndex) || sec.name.startsWith(KLP_RELA_PREFIX)) return;
    const relocs = decodeRelocs(obj.header.ident, sec);
    const stop = (e: KlpError): void => {
      refusals.push(e);
      stopped = true;
    };
    for (const [k, rel] of relocs.entries()) {
      if (stopped) return;
      const sym = symbols[rel.symbol];
      if (sym === undefined) {
        stop(new KlpError('bad-elf', `relocation ${k} refers to symbol ${rel.symbol}, past the end of the symbol table`, { section: sec.name, index: k }));
        return;
      }
      if (rel.symbol === 0 || !resolver.candidate(sym)) continue;
      if (sec.type === SHT_REL) {
        refusals.push(new KlpError('unsupported-relocation', `relocation ${k} to '${sym.name}' is SHT_REL; the livepatch core applies only SHT_RELA`, { section: sec.name, symbol: sym.name, index: k }));
        continue;
      }
      let conv = conversions.get(rel.symbol);
      if (!conv) {
        let res: Resolution | undefined;
        try {
          res = resolver.resolve(sym);
        } catch (e) {
          if (!(e instanceof KlpError)) throw e;
          stop(e);
          return;
        }
        if (!res) continue;
        const newName = livepatchSymbolName(res.objname, res.name, res.sympos);
        conv = { ...res, index: rel.symbol, oldName: sym.name, newName };
        conversions.set(rel.symbol, conv);
      }
      const base = obj.sections[sec.info];
      if (sec.info === 0 || base === undefined) {
        stop(new KlpError('bad-elf', `sh_info ${sec.info} names no section to relocate`, { section: sec.name }));
        return;
      }
      const why = specialSectionProblem(base.name, conv.objname);
      if (why) {
        refusals.push(new KlpError('unsupported-section', `relocation ${k} to '${sym.name}' cannot be a livepatch relocation: ${why}`, { section: sec.name, symbol: sym.name, index: k }));
      }
      // klp_resolve_symbols (kernel/livepatch/core.c): a module's klp rela section may not name a
      // vmlinux symbol ("invalid access to vmlinux symbol"), so the patch would never load.
      if (conv.lpObjname !== 'vmlinux' && conv.objname === 'vmlinux' && !vmlinuxFromModule.has(rel.symbol)) {
        vmlinuxFromModule.add(rel.symbol);
        refusals.push(new KlpError('bad-annotation', `relocation ${k} to '${sym.name}': a klp rela section of ${conv.lpObjname} may not name the vmlinux symbol '${conv.name}' (the livepatch core refuses it; the symbol is exported, or the patch belongs to vmlinux)`, { section: sec.name, symbol: sym.name, index: k }));
      }
      let ofObject = klpSections.get(conv.lpObjname);
      if (!ofObject) klpSections.set(conv.lpObjname, (ofObject = new Map()));
      let target = ofObject.get(sec.info);
      if (!target) {
        target = { name: klpRelaSectionName(input.dialect, conv.lpObjname, base.name), objname: conv.lpObjname, base: sec.info, relocs: [] };
        ofObject.set(sec.info, target);
        klpOrder.push(target);
      }
      target.relocs.push({ section: secIndex, index: k, symbol: rel.symbol });
    }
  });

  // In the annotation dialect every annotated symbol is renamed, used or not, so no
  // `.klp.sym.rela.` name is left for the module loader to trip on.
  if (input.dialect === 'annotation' && !stopped) {
    for (const [index, sym] of symbols.entries()) {
      if (index === 0 || !isAnnotationCandidate(sym) || conversions.has(index)) continue;
      let res: Resolution | undefined;
      try {
        res = annotatedResolution(sym);
      } catch (e) {
        if (!(e instanceof KlpError)) throw e;
        refusals.push(e);
        break;
      }
      if (res) conversions.set(index, { ...res, index, oldName: sym.name, newName: livepatchSymbolName(res.objname, res.name, res.sympos) });
    }
  }

  const converted = new Set([...conversions.values()].map((c) => c.oldName));
  const warnings = resolver.annotatedNames
    .filter((name) => !converted.has(name))
    .map((name) => `KLP_SYMPOS annotation for '${name}' matches no relocation that needs converting`);
  return {
    dialect: input.dialect,
    symtab,
    conversions: [...conversions.values()],
    klpSections: klpOrder,
    removeSections: resolver.removeSections,
    warnings,
    refusals,
  };
}

function requireList(input: PlanInput, symbols: readonly Symbol[]): SymbolsList {
  if (input.symbolsList) return input.symbolsList;
  if (input.symbolsFile) return parseSymbolsFile(input.symbolsFile, { names: new Set(symbols.map((s) => s.name)) });
  throw new KlpError('bad-symbols-file', 'the symbols-list dialect needs a symbols.klp file');
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

/** Resolves unresolved symbols of the symbols-list dialect: annotation first, else a unique name. */
function symbolsListResolver(obj: ElfObject, symbols: readonly Symbol[], list: SymbolsList) {
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
