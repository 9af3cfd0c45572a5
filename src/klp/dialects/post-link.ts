// The post-link dialect: what Linux ≥ 6.19's klp-build leaves for its last step. `objtool klp
// diff` writes each klp relocation as an entry of a `__klp_relocs.<objname>` section, struct
// klp_reloc { void *offset; void *sym; u32 type; }, whose two pointers are carried by relocations:
// `offset` by one to a symbol of the target section (addend: the offset in it), `sym` by one to
// the KLP symbol `.klp.sym.<objname>.<name>,<sympos>` (addend: the original addend). The linker
// keeps them, and the original relocation (to a `.klp.tombstone.<name>`) too. Converting an entry:
// append {offset, KLP symbol, addend, type} to `.klp.rela.<objname>.<section>`, make the KLP symbol
// and the tombstone SHN_LIVEPATCH, retype the original relocation R_*_NONE. The `__klp_relocs`
// sections stay. Linux 6.19 had one `__klp_relocs` section and took each entry's objname from its
// KLP symbol's name; both forms are read.
import {
  ByteReader, type ElfObject, isRelocSection, RelocTable, SHF_ALLOC, SHF_INFO_LINK,
  SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, SHN_LORESERVE, SHN_UNDEF, SHT_NOBITS, SHT_REL, type Symbol,
} from '../../elf/index.js';
import { KlpError } from '../errors.js';
import { checkObjname, KLP_RELA_PREFIX, KLP_SYM_PREFIX, klpRelaSectionName, parseKlpSymbolName } from '../names.js';
import type { ConversionPlan, KlpSectionPlan } from '../plan.js';
import { emptyPlan, symbolTable } from './shared.js';

export const KLP_RELOCS_SECTION = '__klp_relocs';
const KLP_RELOCS_PREFIX = `${KLP_RELOCS_SECTION}.`;

/** R_*_NONE is 0 on every architecture klp-build targets. */
export const R_NONE = 0;

/** `__klp_relocs` (Linux 6.19) or `__klp_relocs.<objname>` (later). */
export const isKlpRelocsSection = (name: string): boolean => name === KLP_RELOCS_SECTION || name.startsWith(KLP_RELOCS_PREFIX);

/** struct klp_reloc's layout on a target of this class: two pointers and a u32, padded. */
export function klpRelocLayout(is64: boolean): { size: number; offset: number; sym: number; type: number } {
  return is64 ? { size: 24, offset: 0, sym: 8, type: 16 } : { size: 12, offset: 0, sym: 4, type: 8 };
}

/** One `__klp_relocs` entry, read: where it applies and what it resolves to. */
export interface KlpRelocEntry {
  /** The `__klp_relocs` section and the entry's index in it. */
  section: number;
  entry: number;
  /** The section the relocation applies to, and the offset in it. */
  target: number;
  offset: bigint;
  /** The KLP symbol and the relocation's own addend and type. */
  symbol: number;
  addend: bigint;
  type: number;
  /** The object whose loading gates the relocation. */
  objname: string;
}

export function planPostLink(obj: ElfObject): ConversionPlan {
  const { symtab, symbols } = symbolTable(obj);
  const plan = emptyPlan('post-link', symtab);
  plan.klpSections = [];
  /** By objname, then target section. */
  const klpByKey = new Map<string, Map<number, KlpSectionPlan>>();
  const existingNames = new Set(obj.sections.map((s) => s.name));
  const livepatch = new Set<number>();
  // Offsets as numbers: a section's offsets fit in 2^53, and BigInt keys cost a module of 10,000
  // entries most of its time.
  const targets = new Map<KlpSectionPlan, Set<number>>();
  const originals = originalRelocations(obj, symtab);
  let entries = 0;
  const parsedNames = new Map<number, ReturnType<typeof parseKlpSymbolName>>();

  const stop = (e: KlpError): ConversionPlan => {
    plan.refusals.push(e);
    return plan;
  };
  for (const [index, sec] of obj.sections.entries()) {
    if (!isKlpRelocsSection(sec.name)) continue;
    const read = readEntries(obj, index, symtab, symbols);
    if (read instanceof KlpError) return stop(read);
    // Planned through, as a name the kernel cannot parse is: the section converts as written.
    const objnameProblem = sec.name === KLP_RELOCS_SECTION ? undefined : checkObjname(sec.name.slice(KLP_RELOCS_PREFIX.length));
    if (objnameProblem) plan.refusals.push(new KlpError('bad-klp-relocs', `the section name's ${objnameProblem}: the livepatch core would never match its klp rela sections to an object`, { section: sec.name }));
    for (const e of read) {
      // Spelled out only when something is refused: a module has thousands of entries.
      const where = (): { section: string; index: number } => ({ section: sec.name, index: e.entry });
      const at = (): string => `entry ${e.entry}`;
      const target = obj.sections[e.target]!;
      const klpSym = symbols[e.symbol]!;
      if (klpSym.shndx === SHN_LIVEPATCH) {
        return stop(new KlpError('bad-klp-relocs', `${at()}: '${klpSym.name}' is SHN_LIVEPATCH already: the module was post-linked before`, { ...where(), symbol: klpSym.name }));
      }
      if (klpSym.shndx !== SHN_UNDEF) {
        return stop(new KlpError('bad-klp-relocs', `${at()}: '${klpSym.name}' is defined in the module; a KLP symbol is undefined until the livepatch core resolves it`, { ...where(), symbol: klpSym.name }));
      }
      let parsed = parsedNames.get(e.symbol);
      if (parsed === undefined) parsedNames.set(e.symbol, (parsed = parseKlpSymbolName(klpSym.name)));
      if (typeof parsed === 'string') {
        // Planned through: the entry converts as written, and the refusal says why it never loads.
        plan.refusals.push(new KlpError('bad-klp-relocs', `${at()}: symbol '${klpSym.name}': ${parsed}`, { ...where(), symbol: klpSym.name }));
      } else if (e.objname !== 'vmlinux' && parsed.objname === 'vmlinux') {
        // klp_resolve_symbols (kernel/livepatch/core.c) refuses it: "invalid access to vmlinux symbol".
        plan.refusals.push(new KlpError('bad-klp-relocs', `${at()}: a klp rela section of ${e.objname} may not name the vmlinux symbol '${klpSym.name}' (the livepatch core refuses it)`, { ...where(), symbol: klpSym.name }));
      }
      const original = originals.find(e.target, e.offset);
      if (!original) {
        return stop(new KlpError('bad-klp-relocs', `${at()}: no relocation at ${target.name}+0x${e.offset.toString(16)} for it to replace`, where()));
      }
      const tombstone = symbols[original.symbol];
      if (tombstone === undefined) {
        return stop(new KlpError('bad-elf', `relocation ${original.index} refers to symbol ${original.symbol}, past the end of the symbol table`, { section: obj.sections[original.section]!.name, index: original.index }));
      }
      if (original.symbol === 0 || !undefinedOrLivepatch(tombstone)) {
        plan.refusals.push(new KlpError('bad-klp-relocs', `${at()}: the relocation it replaces, at ${target.name}+0x${e.offset.toString(16)}, refers to ${original.symbol === 0 ? 'no symbol' : `'${tombstone.name}', defined in the module`}: marking it SHN_LIVEPATCH would detach it`, { ...where(), symbol: tombstone.name }));
      }

      let ofObject = klpByKey.get(e.objname);
      if (!ofObject) klpByKey.set(e.objname, (ofObject = new Map()));
      let klp = ofObject.get(e.target);
      if (!klp) {
        const name = klpRelaSectionName('post-link', e.objname, target.name);
        if (existingNames.has(name)) {
          return stop(new KlpError('bad-klp-relocs', `${at()}: the module has a section ${name} already: was it post-linked before?`, where()));
        }
        klp = { name, objname: e.objname, base: e.target, flags: SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH, relocs: [], added: [] };
        ofObject.set(e.target, klp);
        targets.set(klp, new Set());
        plan.klpSections.push(klp);
      }
      const seen = targets.get(klp)!;
      if (seen.has(Number(e.offset))) {
        return stop(new KlpError('bad-klp-relocs', `${at()}: a second klp relocation at ${target.name}+0x${e.offset.toString(16)}`, where()));
      }
      seen.add(Number(e.offset));
      klp.added.push({ offset: e.offset, type: e.type, symbol: e.symbol, addend: e.addend, from: e.section, entry: e.entry });
      livepatch.add(e.symbol);
      livepatch.add(original.symbol);
      if (original.type !== R_NONE) plan.retype.push({ section: original.section, index: original.index, type: R_NONE });
      entries++;
    }
  }
  plan.livepatchSymbols = [...livepatch];
  if (entries === 0) plan.warnings.push(`no ${KLP_RELOCS_SECTION} entries: nothing to convert`);
  const orphans = symbols.filter((s, i) => i > 0 && s.shndx === SHN_UNDEF && s.name.startsWith(KLP_SYM_PREFIX) && !livepatch.has(i));
  for (const s of orphans) plan.warnings.push(`'${s.name}' has no ${KLP_RELOCS_SECTION} entry: it stays undefined and the module loader will not resolve it`);
  return plan;
}

/** Reads the entries of one `__klp_relocs` section, or says why they cannot be read. */
export function readEntries(obj: ElfObject, index: number, symtab: number, symbols: readonly Symbol[]): KlpRelocEntry[] | KlpError {
  const sec = obj.sections[index]!;
  const { ident } = obj.header;
  const layout = klpRelocLayout(ident.is64);
  const fail = (reason: string, entry?: number): KlpError => new KlpError('bad-klp-relocs', reason, entry === undefined ? { section: sec.name } : { section: sec.name, index: entry });
  if (sec.type === SHT_NOBITS) return fail('has no contents (SHT_NOBITS)');
  if (sec.data.length % layout.size !== 0) {
    return fail(`size ${sec.data.length} is not a multiple of the ${layout.size}-byte struct klp_reloc`);
  }
  const sectionObjname = sec.name === KLP_RELOCS_SECTION ? undefined : sec.name.slice(KLP_RELOCS_PREFIX.length);
  const count = sec.data.length / layout.size;
  const rela = obj.sections.findIndex((s) => isRelocSection(s) && s.info === index && s.link === symtab);
  if (count > 0 && rela < 0) return fail(`has ${count} entries and no relocation section: its pointers were never linked`);
  if (rela >= 0 && obj.sections[rela]!.type === SHT_REL) {
    return new KlpError('unsupported-relocation', `relocations of ${sec.name} are SHT_REL; the post-link format needs their addends`, { section: obj.sections[rela]!.name });
  }
  // Relocations of the section by offset (the first one at each): read in place, no object each.
  const table = rela >= 0 ? new RelocTable(ident, obj.sections[rela]!) : undefined;
  const byOffset = new Map<number, number>();
  if (table) {
    for (let k = 0; k < table.count; k++) {
      const at = table.offset(k);
      if (!byOffset.has(at)) byOffset.set(at, k);
    }
  }
  const data = new ByteReader(sec.data, ident.littleEndian);
  const out: KlpRelocEntry[] = [];
  for (let i = 0; i < count; i++) {
    const base = i * layout.size;
    const offsetAt = byOffset.get(base + layout.offset);
    const symAt = byOffset.get(base + layout.sym);
    if (offsetAt === undefined) return fail(`entry ${i}: no relocation for its offset field (at 0x${(base + layout.offset).toString(16)})`, i);
    if (symAt === undefined) return fail(`entry ${i}: no relocation for its sym field (at 0x${(base + layout.sym).toString(16)})`, i);
    const offsetReloc = { symbol: table!.symbol(offsetAt), addend: table!.addend(offsetAt) };
    const symReloc = { symbol: table!.symbol(symAt), addend: table!.addend(symAt) };
    for (const r of [offsetReloc, symReloc]) {
      if (symbols[r.symbol] === undefined) return new KlpError('bad-elf', `a relocation of entry ${i} refers to symbol ${r.symbol}, past the end of the symbol table`, { section: sec.name, index: i });
    }
    const anchor = symbols[offsetReloc.symbol]!;
    const target = anchor.shndx;
    if (offsetReloc.symbol === 0 || target === SHN_UNDEF || (target >= SHN_LORESERVE && !anchor.xindex) || target >= obj.sections.length) {
      return fail(`entry ${i}: its offset names '${anchor.name}', which is not defined in a section of the module`, i);
    }
    const targetSec = obj.sections[target]!;
    const offset = anchor.value + offsetReloc.addend;
    if (offset < 0n || offset >= BigInt(targetSec.size)) {
      return fail(`entry ${i}: offset 0x${offset.toString(16)} is past the end of ${targetSec.name} (size 0x${targetSec.size.toString(16)})`, i);
    }
    let objname = sectionObjname;
    if (objname === undefined) {
      const parsed = parseKlpSymbolName(symbols[symReloc.symbol]!.name);
      if (typeof parsed === 'string') return fail(`entry ${i}: no objname: its symbol '${symbols[symReloc.symbol]!.name}' ${parsed}`, i);
      objname = parsed.objname;
    }
    out.push({ section: index, entry: i, target, offset, symbol: symReloc.symbol, addend: symReloc.addend, type: data.u32(i * layout.size + layout.type), objname });
  }
  return out;
}

const undefinedOrLivepatch = (s: Symbol): boolean => s.shndx === SHN_UNDEF || s.shndx === SHN_LIVEPATCH;

/** One ordinary relocation post-link disables: where it is, its symbol and type. */
interface Original {
  section: number;
  index: number;
  symbol: number;
  type: number;
}

/** The ordinary relocations of each section, found by offset: the ones post-link disables. */
function originalRelocations(obj: ElfObject, symtab: number) {
  const cache = new Map<number, Map<number, { section: number; index: number; table: RelocTable }>>();
  const forTarget = (target: number) => {
    let m = cache.get(target);
    if (m) return m;
    m = new Map();
    for (const [i, s] of obj.sections.entries()) {
      if (!isRelocSection(s) || s.info !== target || s.link !== symtab || s.name.startsWith(KLP_RELA_PREFIX)) continue;
      const table = new RelocTable(obj.header.ident, s);
      for (let k = 0; k < table.count; k++) {
        const at = table.offset(k);
        if (!m.has(at)) m.set(at, { section: i, index: k, table });
      }
    }
    cache.set(target, m);
    return m;
  };
  return {
    find: (target: number, offset: bigint): Original | undefined => {
      const hit = forTarget(target).get(Number(offset));
      return hit && { section: hit.section, index: hit.index, symbol: hit.table.symbol(hit.index), type: hit.table.type(hit.index) };
    },
  };
}
