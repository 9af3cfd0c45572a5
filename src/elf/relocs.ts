import { ByteReader, ByteWriter } from './bytes.js';
import { SHT_REL, SHT_RELA } from './constants.js';
import { ElfFormatError } from './errors.js';
import type { ElfIdent, Reloc, Section } from './model.js';
import { classSizes } from './sizes.js';

export const isRelocSection = (s: Pick<Section, 'type'>): boolean => s.type === SHT_RELA || s.type === SHT_REL;

export function relocEntrySize(ident: Pick<ElfIdent, 'is64'>, type: number): number {
  const sizes = classSizes(ident.is64);
  return type === SHT_RELA ? sizes.rela : sizes.rel;
}

// r_info splits as (sym << 32 | type) in ELF64 and (sym << 8 | type) in ELF32.
export function decodeRelocs(ident: ElfIdent, sec: Section): Reloc[] {
  const { is64, littleEndian } = ident;
  const size = relocEntrySize(ident, sec.type);
  if (sec.data.length % size !== 0) {
    throw new ElfFormatError(`size ${sec.data.length} is not a multiple of the relocation size ${size}`, { section: sec.name });
  }
  const withAddend = sec.type === SHT_RELA;
  const r = new ByteReader(sec.data, littleEndian);
  const count = sec.data.length / size;
  const out: Reloc[] = new Array(count);
  const wordSize = is64 ? 8 : 4;
  for (let i = 0; i < count; i++) {
    const o = i * size;
    const offset = r.word(o, is64);
    const info = r.word(o + wordSize, is64);
    out[i] = {
      offset,
      type: Number(is64 ? info & 0xffffffffn : info & 0xffn),
      symbol: Number(is64 ? info >> 32n : info >> 8n),
      addend: withAddend ? r.sword(o + 2 * wordSize, is64) : 0n,
    };
  }
  return out;
}

export function encodeRelocs(ident: ElfIdent, type: number, relocs: readonly Reloc[]): Uint8Array {
  const { is64, littleEndian } = ident;
  const size = relocEntrySize(ident, type);
  const w = new ByteWriter(relocs.length * size, littleEndian);
  const wordSize = is64 ? 8 : 4;
  relocs.forEach((rel, i) => {
    const o = i * size;
    const info = is64
      ? (BigInt(rel.symbol) << 32n) | BigInt(rel.type >>> 0)
      : (BigInt(rel.symbol) << 8n) | BigInt(rel.type & 0xff);
    w.word(o, is64, rel.offset);
    w.word(o + wordSize, is64, info);
    if (type === SHT_RELA) w.word(o + 2 * wordSize, is64, rel.addend);
  });
  return w.bytes;
}

/**
 * A relocation section read in place, one field at a time: no object per entry. For passes over
 * tens of thousands of relocations that look at a few fields of each (a post-link module of
 * 10,000 entries spent most of its time collecting the objects decodeRelocs makes).
 */
export class RelocTable {
  readonly count: number;
  private readonly view: DataView;
  private readonly size: number;
  private readonly word: number;
  constructor(private readonly ident: ElfIdent, private readonly sec: Section) {
    this.size = relocEntrySize(ident, sec.type);
    if (sec.data.length % this.size !== 0) {
      throw new ElfFormatError(`size ${sec.data.length} is not a multiple of the relocation size ${this.size}`, { section: sec.name });
    }
    this.count = sec.data.length / this.size;
    this.word = ident.is64 ? 8 : 4;
    this.view = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
  }

  /** r_offset as a number (a section's offsets fit in 2^53; larger ones come back inexact but never equal a real one). */
  offset(i: number): number {
    const o = i * this.size;
    const le = this.ident.littleEndian;
    if (!this.ident.is64) return this.view.getUint32(o, le);
    // Two halves, no BigInt to allocate.
    return this.view.getUint32(o + (le ? 4 : 0), le) * 2 ** 32 + this.view.getUint32(o + (le ? 0 : 4), le);
  }

  symbol(i: number): number {
    const o = i * this.size + this.word;
    if (!this.ident.is64) return this.view.getUint32(o, this.ident.littleEndian) >>> 8;
    return this.view.getUint32(o + (this.ident.littleEndian ? 4 : 0), this.ident.littleEndian);
  }

  type(i: number): number {
    const o = i * this.size + this.word;
    if (!this.ident.is64) return this.view.getUint32(o, this.ident.littleEndian) & 0xff;
    return this.view.getUint32(o + (this.ident.littleEndian ? 0 : 4), this.ident.littleEndian);
  }

  addend(i: number): bigint {
    if (this.sec.type !== SHT_RELA) return 0n;
    const o = i * this.size + 2 * this.word;
    return this.ident.is64 ? this.view.getBigInt64(o, this.ident.littleEndian) : BigInt(this.view.getInt32(o, this.ident.littleEndian));
  }

  reloc(i: number): Reloc {
    return { offset: BigInt(this.offset(i)), type: this.type(i), symbol: this.symbol(i), addend: this.addend(i) };
  }
}
