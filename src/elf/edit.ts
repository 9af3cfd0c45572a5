// Edits that keep every index in the object right. Index fix-up lives here and nowhere else.
import { ByteReader, ByteWriter } from './bytes.js';
import {
  SHF_INFO_LINK, SHN_LORESERVE, SHT_DYNSYM, SHT_GROUP, SHT_NOBITS, SHT_REL, SHT_RELA, SHT_SYMTAB, STB_LOCAL,
} from './constants.js';
import { ElfFormatError } from './errors.js';
import type { ElfObject, Reloc, Section, Symbol } from './model.js';
import { decodeRelocs, encodeRelocs, isRelocSection } from './relocs.js';
import { appendStrings } from './strings.js';
import { decodeSymbols, encodeSymbols } from './symbols.js';

/** True when sh_info holds a section index rather than a count or a symbol index. */
export const infoIsSection = (s: Pick<Section, 'type' | 'flags'>): boolean =>
  s.type === SHT_REL || s.type === SHT_RELA || (s.flags & SHF_INFO_LINK) !== 0n;

/**
 * Appends sections in order, their names added to the section header string table, which is
 * copied once for all of them (a module can get thousands of klp rela sections).
 */
export function addSections(obj: ElfObject, secs: ReadonlyArray<Omit<Section, 'nameOffset' | 'offset'>>): void {
  if (secs.length === 0) return;
  const shstr = obj.sections[obj.shstrndx]!;
  const { table, offsets } = appendStrings(shstr.data, secs.map((s) => s.name));
  shstr.data = table;
  shstr.size = table.length;
  secs.forEach((sec, k) => obj.sections.push({ ...sec, nameOffset: offsets[k]!, offset: 0 }));
}

/** Recounts a symbol table's sh_info: the number of local symbols, which lead the table. */
export function localSymbolCount(symbols: readonly Symbol[]): number {
  return symbols.reduce((n, s) => n + (s.bind === STB_LOCAL ? 1 : 0), 0);
}

/**
 * Removes sections and the symbols defined in them, renumbering everything that refers to a section
 * or a symbol: sh_link, sh_info (where it names a section), group member lists, st_shndx,
 * relocation symbol indices, group signatures and e_shstrndx.
 */
export function removeSections(obj: ElfObject, remove: ReadonlySet<number>): void {
  if (remove.size === 0) return;
  if (remove.has(0)) throw new ElfFormatError('the null section cannot be removed');
  if (remove.has(obj.shstrndx)) throw new ElfFormatError('the section name string table cannot be removed');
  const { ident } = obj.header;

  const newIndex: number[] = [];
  let next = 0;
  obj.sections.forEach((_, i) => newIndex.push(remove.has(i) ? -1 : next++));
  const mapSection = (old: number, from: Section, field: string): number => {
    if (old === 0 || old >= obj.sections.length) return old;
    const n = newIndex[old]!;
    if (n < 0) {
      throw new ElfFormatError(`${field} refers to removed section ${obj.sections[old]!.name}`, { section: from.name });
    }
    return n;
  };

  // Symbols first: those defined in removed sections go, the rest are renumbered.
  for (let t = 0; t < obj.sections.length; t++) {
    const tab = obj.sections[t]!;
    if (remove.has(t) || (tab.type !== SHT_SYMTAB && tab.type !== SHT_DYNSYM)) continue;
    const symbols = decodeSymbols(obj, t);
    const keptIndex: number[] = [];
    const kept: Symbol[] = [];
    symbols.forEach((s, i) => {
      const inRemoved = i > 0 && s.shndx > 0 && isRealSection(obj, s) && remove.has(s.shndx);
      keptIndex.push(inRemoved ? -1 : kept.length);
      if (!inRemoved) kept.push(s);
    });
    for (const s of kept) {
      if (s.shndx > 0 && isRealSection(obj, s)) s.shndx = newIndex[s.shndx]!;
    }
    if (kept.length !== symbols.length) renumberSymbolUsers(obj, t, keptIndex, remove);
    encodeSymbols(obj, t, kept);
    tab.info = localSymbolCount(kept);
  }

  for (let i = 0; i < obj.sections.length; i++) {
    const s = obj.sections[i]!;
    if (remove.has(i) || i === 0) continue;
    if (s.link !== 0) s.link = mapSection(s.link, s, 'sh_link');
    if (s.info !== 0 && infoIsSection(s)) s.info = mapSection(s.info, s, 'sh_info');
    if (s.type === SHT_GROUP) s.data = renumberGroup(ident.littleEndian, s, newIndex);
    if (s.type !== SHT_NOBITS) s.size = s.data.length;
  }
  obj.shstrndx = newIndex[obj.shstrndx]!;
  obj.sections = obj.sections.filter((_, i) => !remove.has(i));
}

function isRealSection(obj: ElfObject, s: Symbol): boolean {
  return s.xindex || (s.shndx < SHN_LORESERVE && s.shndx < obj.sections.length);
}

/**
 * Rewrites relocation symbol indices and group signatures after symbols of `symtab` were dropped.
 * A relocation to a dropped symbol goes with it (debug info describing a removed variable, say):
 * what it pointed at is no longer in the object.
 */
function renumberSymbolUsers(obj: ElfObject, symtab: number, keptIndex: readonly number[], removedSections: ReadonlySet<number>): void {
  const { ident } = obj.header;
  obj.sections.forEach((s, i) => {
    if (removedSections.has(i) || s.link !== symtab) return;
    if (isRelocSection(s)) {
      const relocs = decodeRelocs(ident, s);
      const kept: Reloc[] = [];
      for (const [k, r] of relocs.entries()) {
        const n = keptIndex[r.symbol];
        if (n === undefined) {
          throw new ElfFormatError(`relocation ${k} refers to symbol ${r.symbol}, past the end of the symbol table`, { section: s.name, index: k });
        }
        if (n >= 0) kept.push({ ...r, symbol: n });
      }
      s.data = encodeRelocs(ident, s.type, kept);
      s.size = s.data.length;
    } else if (s.type === SHT_GROUP) {
      const n = keptIndex[s.info];
      if (n === undefined || n < 0) throw new ElfFormatError('group signature symbol is defined in a removed section', { section: s.name });
      s.info = n;
    }
  });
}

function renumberGroup(littleEndian: boolean, s: Section, newIndex: readonly number[]): Uint8Array {
  if (s.data.length % 4 !== 0 || s.data.length === 0) {
    throw new ElfFormatError(`group size ${s.data.length} is not a positive multiple of 4`, { section: s.name });
  }
  const r = new ByteReader(s.data, littleEndian);
  const words: number[] = [r.u32(0)];
  for (let o = 4; o < s.data.length; o += 4) {
    const member = r.u32(o);
    const n = newIndex[member];
    if (n === undefined) throw new ElfFormatError(`group member ${member} is out of range`, { section: s.name, offset: o });
    if (n >= 0) words.push(n);
  }
  const w = new ByteWriter(words.length * 4, littleEndian);
  words.forEach((v, k) => w.u32(k * 4, v));
  return w.bytes;
}


