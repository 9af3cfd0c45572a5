// The scan the two klp-convert dialects share: every relocation of every ordinary rela section
// whose symbol the dialect says must convert moves, as it is, to the klp rela section of its
// patched object and base section; its symbol is renamed once. The dialect supplies which symbols
// are candidates and where each resolves.
import {
  decodeRelocs, type ElfObject, isRelocSection, SHF_ALLOC, SHF_RELA_LIVEPATCH, SHT_REL, type Symbol,
} from '../../elf/index.js';
import { KlpError } from '../errors.js';
import { KLP_RELA_PREFIX, klpRelaSectionName, livepatchSymbolName } from '../names.js';
import type { ConversionPlan, Dialect, KlpSectionPlan, Resolution, SymbolConversion } from '../plan.js';
import { specialSectionProblem } from '../special-sections.js';

export interface Resolver {
  /** Whether relocations to this symbol are the dialect's to convert. */
  candidate(sym: Symbol): boolean;
  /** Where the livepatch core will find it; undefined leaves it alone; a KlpError ends the scan. */
  resolve(sym: Symbol): Resolution | undefined;
  /** Sections the conversion drops (the symbols-list dialect's annotations). */
  removeSections: Set<number>;
}

/** The plan of the scan, and whether a refusal ended it early (then nothing more is planned). */
export interface Scan {
  plan: ConversionPlan;
  stopped: boolean;
}

export function scanRelocations(obj: ElfObject, dialect: Dialect, symtab: number, symbols: readonly Symbol[], resolver: Resolver): Scan {

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
        target = { name: klpRelaSectionName(dialect, conv.lpObjname, base.name), objname: conv.lpObjname, base: sec.info, flags: SHF_ALLOC | SHF_RELA_LIVEPATCH, relocs: [], added: [] };
        ofObject.set(sec.info, target);
        klpOrder.push(target);
      }
      target.relocs.push({ section: secIndex, index: k, symbol: rel.symbol });
    }
  });

  const plan: ConversionPlan = {
    dialect,
    symtab,
    conversions: [...conversions.values()],
    livepatchSymbols: [],
    klpSections: klpOrder,
    retype: [],
    removeSections: resolver.removeSections,
    warnings: [],
    refusals,
  };
  return { plan, stopped };
}
