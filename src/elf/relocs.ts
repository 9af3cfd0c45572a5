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
