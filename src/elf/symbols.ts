import { ByteReader, ByteWriter } from './bytes.js';
import { SHN_LORESERVE, SHN_XINDEX, SHT_STRTAB, SHT_SYMTAB, SHT_SYMTAB_SHNDX } from './constants.js';
import { ElfFormatError } from './errors.js';
import type { ElfObject, Section, Symbol } from './model.js';
import { classSizes } from './sizes.js';
import { StringTableReader } from './strings.js';

/** Index of the (single) SHT_SYMTAB section, or -1. */
export function symtabIndex(obj: ElfObject): number {
  return obj.sections.findIndex((s) => s.type === SHT_SYMTAB);
}

/** Index of the SHT_SYMTAB_SHNDX section that extends symbol table `symtab`, or -1. */
export function shndxTableIndex(obj: ElfObject, symtab: number): number {
  return obj.sections.findIndex((s) => s.type === SHT_SYMTAB_SHNDX && s.link === symtab);
}

function section(obj: ElfObject, index: number, what: string): Section {
  const s = obj.sections[index];
  if (!s || index === 0) throw new ElfFormatError(`${what} refers to section ${index}, which does not exist`);
  return s;
}

export function decodeSymbols(obj: ElfObject, symtab: number): Symbol[] {
  const { is64, littleEndian } = obj.header.ident;
  const size = classSizes(is64).sym;
  const sec = section(obj, symtab, 'symbol table');
  if (sec.data.length % size !== 0) {
    throw new ElfFormatError(`size ${sec.data.length} is not a multiple of the symbol size ${size}`, { section: sec.name });
  }
  const strtab = section(obj, sec.link, `symbol table ${sec.name} sh_link`);
  if (strtab.type !== SHT_STRTAB) {
    throw new ElfFormatError(`sh_link ${sec.link} names section ${strtab.name}, which is not a string table`, { section: sec.name });
  }
  const shndxAt = shndxTableIndex(obj, symtab);
  const shndxTable = shndxAt >= 0 ? new ByteReader(obj.sections[shndxAt]!.data, littleEndian) : undefined;
  const r = new ByteReader(sec.data, littleEndian);
  const names = new StringTableReader(strtab.data, strtab.name);
  const count = sec.data.length / size;
  const out: Symbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * size;
    const nameOffset = r.u32(o);
    const info = is64 ? r.u8(o + 4) : r.u8(o + 12);
    const other = is64 ? r.u8(o + 5) : r.u8(o + 13);
    const rawShndx = is64 ? r.u16(o + 6) : r.u16(o + 14);
    const value = is64 ? r.u64(o + 8) : BigInt(r.u32(o + 4));
    const symSize = is64 ? r.u64(o + 16) : BigInt(r.u32(o + 8));
    let shndx = rawShndx;
    const xindex = rawShndx === SHN_XINDEX;
    if (xindex) {
      if (!shndxTable) {
        throw new ElfFormatError(`symbol ${i} uses SHN_XINDEX but there is no SHT_SYMTAB_SHNDX section`, { section: sec.name, index: i });
      }
      shndx = shndxTable.u32(i * 4, `SHT_SYMTAB_SHNDX entry ${i}`);
    }
    out[i] = {
      name: names.at(nameOffset),
      nameOffset,
      value,
      size: symSize,
      bind: info >> 4,
      type: info & 0xf,
      other,
      shndx,
      xindex,
    };
  }
  return out;
}

/**
 * Encodes `symbols` as the contents of symbol table `symtab` (and of its SHT_SYMTAB_SHNDX section,
 * when it has one). Names are written as their nameOffset; the caller keeps the string table in step.
 */
export function encodeSymbols(obj: ElfObject, symtab: number, symbols: readonly Symbol[]): void {
  const { is64, littleEndian } = obj.header.ident;
  const size = classSizes(is64).sym;
  const sec = section(obj, symtab, 'symbol table');
  const w = new ByteWriter(symbols.length * size, littleEndian);
  const shndxAt = shndxTableIndex(obj, symtab);
  const x = new ByteWriter(shndxAt >= 0 ? symbols.length * 4 : 0, littleEndian);
  symbols.forEach((s, i) => {
    const o = i * size;
    const extended = s.xindex || (s.shndx >= SHN_LORESERVE && isRealIndex(obj, s.shndx));
    if (extended && shndxAt < 0) {
      throw new ElfFormatError(`symbol ${s.name} needs SHN_XINDEX but there is no SHT_SYMTAB_SHNDX section`, { section: sec.name, index: i });
    }
    const stShndx = extended ? SHN_XINDEX : s.shndx;
    const info = ((s.bind & 0xf) << 4) | (s.type & 0xf);
    w.u32(o, s.nameOffset);
    if (is64) {
      w.u8(o + 4, info);
      w.u8(o + 5, s.other);
      w.u16(o + 6, stShndx);
      w.u64(o + 8, s.value);
      w.u64(o + 16, s.size);
    } else {
      w.u32(o + 4, Number(BigInt.asUintN(32, s.value)));
      w.u32(o + 8, Number(BigInt.asUintN(32, s.size)));
      w.u8(o + 12, info);
      w.u8(o + 13, s.other);
      w.u16(o + 14, stShndx);
    }
    if (shndxAt >= 0) x.u32(i * 4, extended ? s.shndx : 0);
  });
  sec.data = w.bytes;
  sec.size = w.bytes.length;
  if (shndxAt >= 0) {
    const t = obj.sections[shndxAt]!;
    t.data = x.bytes;
    t.size = x.bytes.length;
  }
}

/** A shndx ≥ SHN_LORESERVE names a real section only in objects with that many sections. */
function isRealIndex(obj: ElfObject, shndx: number): boolean {
  return shndx < obj.sections.length;
}

/**
 * Sets st_shndx of some symbols in place, the rest of the table untouched: for passes that change
 * only that field of a few thousand symbols of a large table. A table with SHT_SYMTAB_SHNDX, or
 * an index that needs it, goes through decodeSymbols and encodeSymbols instead.
 */
export function setSymbolSections(obj: ElfObject, symtab: number, indices: Iterable<number>, shndx: number): void {
  const list = [...indices];
  if (list.length === 0) return;
  if (shndxTableIndex(obj, symtab) >= 0 || (shndx >= SHN_LORESERVE && isRealIndex(obj, shndx))) {
    const symbols = decodeSymbols(obj, symtab);
    for (const i of list) {
      symbols[i]!.shndx = shndx;
      symbols[i]!.xindex = false;
    }
    encodeSymbols(obj, symtab, symbols);
    return;
  }
  const { is64, littleEndian } = obj.header.ident;
  const size = classSizes(is64).sym;
  const sec = section(obj, symtab, 'symbol table');
  // A copy: the contents may be a view of the caller's input.
  const data = new Uint8Array(sec.data);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const i of list) {
    if ((i + 1) * size > data.length) throw new ElfFormatError(`symbol ${i} is past the end of the symbol table`, { section: sec.name, index: i });
    view.setUint16(i * size + (is64 ? 6 : 14), shndx, littleEndian);
  }
  sec.data = data;
}

/** The names of some symbols, read from their st_name without decoding the table. */
export function symbolNamesAt(obj: ElfObject, symtab: number, indices: Iterable<number>): Map<number, string> {
  const { is64, littleEndian } = obj.header.ident;
  const size = classSizes(is64).sym;
  const sec = section(obj, symtab, 'symbol table');
  const strtab = section(obj, sec.link, `symbol table ${sec.name} sh_link`);
  const r = new ByteReader(sec.data, littleEndian);
  const names = new StringTableReader(strtab.data, strtab.name);
  const out = new Map<number, string>();
  for (const i of indices) if (!out.has(i)) out.set(i, names.at(r.u32(i * size, `symbol ${i}`)));
  return out;
}
