// Raw access to the on-disk ELF records of a (valid) seed, so structure-aware mutators can corrupt
// one field of one record. The seed is parsed with our reader to learn what each section is; the
// corruption itself is written straight into the bytes, where the writer could never put it.
import { classSizes, type ClassSizes, type ElfObject, readElf, SHT_RELA } from '../../src/elf/index.js';

export type HeaderField = 'type' | 'shoff' | 'phnum' | 'shentsize' | 'shnum' | 'shstrndx' | 'version';
export type ShdrField = 'name' | 'type' | 'flags' | 'offset' | 'size' | 'link' | 'info' | 'addralign' | 'entsize';
export type SymField = 'name' | 'info' | 'shndx' | 'value' | 'size';

interface FieldAt {
  at: number;
  width: 2 | 4 | 8;
}

const EHDR64: Record<HeaderField, FieldAt> = {
  type: { at: 16, width: 2 }, version: { at: 20, width: 4 }, shoff: { at: 40, width: 8 }, phnum: { at: 56, width: 2 },
  shentsize: { at: 58, width: 2 }, shnum: { at: 60, width: 2 }, shstrndx: { at: 62, width: 2 },
};
const EHDR32: Record<HeaderField, FieldAt> = {
  type: { at: 16, width: 2 }, version: { at: 20, width: 4 }, shoff: { at: 32, width: 4 }, phnum: { at: 44, width: 2 },
  shentsize: { at: 46, width: 2 }, shnum: { at: 48, width: 2 }, shstrndx: { at: 50, width: 2 },
};
const SHDR64: Record<ShdrField, FieldAt> = {
  name: { at: 0, width: 4 }, type: { at: 4, width: 4 }, flags: { at: 8, width: 8 }, offset: { at: 24, width: 8 },
  size: { at: 32, width: 8 }, link: { at: 40, width: 4 }, info: { at: 44, width: 4 }, addralign: { at: 48, width: 8 },
  entsize: { at: 56, width: 8 },
};
const SHDR32: Record<ShdrField, FieldAt> = {
  name: { at: 0, width: 4 }, type: { at: 4, width: 4 }, flags: { at: 8, width: 4 }, offset: { at: 16, width: 4 },
  size: { at: 20, width: 4 }, link: { at: 24, width: 4 }, info: { at: 28, width: 4 }, addralign: { at: 32, width: 4 },
  entsize: { at: 36, width: 4 },
};
const SYM64: Record<SymField, FieldAt> = {
  name: { at: 0, width: 4 }, info: { at: 4, width: 2 }, shndx: { at: 6, width: 2 }, value: { at: 8, width: 8 }, size: { at: 16, width: 8 },
};
const SYM32: Record<SymField, FieldAt> = {
  name: { at: 0, width: 4 }, value: { at: 4, width: 4 }, size: { at: 8, width: 4 }, info: { at: 12, width: 2 }, shndx: { at: 14, width: 2 },
};

/** A seed's layout as it is on disk: where the section headers are and what each section is. */
export class RawElf {
  readonly is64: boolean;
  readonly le: boolean;
  readonly sizes: ClassSizes;
  readonly shoff: number;
  readonly model: ElfObject;
  private readonly view: DataView;

  /** `model` is the seed's parsed model, when the caller has it already (the bytes are a copy). */
  constructor(readonly bytes: Uint8Array, model?: ElfObject) {
    this.model = model ?? readElf(bytes);
    this.is64 = this.model.header.ident.is64;
    this.le = this.model.header.ident.littleEndian;
    this.sizes = classSizes(this.is64);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.shoff = Number(this.read(this.is64 ? EHDR64.shoff : EHDR32.shoff, 0));
  }

  get shnum(): number {
    return this.model.sections.length;
  }

  private read(f: FieldAt, base: number): bigint {
    const o = base + f.at;
    // An earlier mutation may have moved the table away: read nothing rather than throw.
    if (!Number.isSafeInteger(o) || o < 0 || o + f.width > this.bytes.length) return 0n;
    if (f.width === 2) return BigInt(this.view.getUint16(o, this.le));
    if (f.width === 4 || !this.is64) return BigInt(this.view.getUint32(o, this.le));
    return this.view.getBigUint64(o, this.le);
  }

  private write(f: FieldAt, base: number, value: bigint): void {
    const o = base + f.at;
    if (!Number.isSafeInteger(o) || o < 0 || o + f.width > this.bytes.length) return;
    if (f.width === 2) this.view.setUint16(o, Number(BigInt.asUintN(16, value)), this.le);
    else if (f.width === 4 || !this.is64) this.view.setUint32(o, Number(BigInt.asUintN(32, value)), this.le);
    else this.view.setBigUint64(o, BigInt.asUintN(64, value), this.le);
  }

  /** Width in bytes of a section header field in this class. */
  shdrWidth(field: ShdrField): number {
    return (this.is64 ? SHDR64 : SHDR32)[field].width;
  }

  header(field: HeaderField): bigint {
    return this.read((this.is64 ? EHDR64 : EHDR32)[field], 0);
  }
  setHeader(field: HeaderField, value: bigint): void {
    this.write((this.is64 ? EHDR64 : EHDR32)[field], 0, value);
  }

  shdr(index: number, field: ShdrField): bigint {
    return this.read((this.is64 ? SHDR64 : SHDR32)[field], this.shoff + index * this.sizes.shdr);
  }
  setShdr(index: number, field: ShdrField, value: bigint): void {
    this.write((this.is64 ? SHDR64 : SHDR32)[field], this.shoff + index * this.sizes.shdr, value);
  }

  /** File offset of symbol `index` of symbol table section `symtab`. */
  private symAt(symtab: number, index: number): number {
    return this.model.sections[symtab]!.offset + index * this.sizes.sym;
  }
  setSym(symtab: number, index: number, field: SymField, value: bigint): void {
    const f = (this.is64 ? SYM64 : SYM32)[field];
    // st_info and st_other are bytes; `info` writes st_info alone.
    if (field === 'info') {
      const o = this.symAt(symtab, index) + f.at;
      if (o >= 0 && o < this.bytes.length) this.bytes[o] = Number(value & 0xffn);
      return;
    }
    this.write(f, this.symAt(symtab, index), value);
  }

  /** File offset of relocation `index` of relocation section `rel` and its r_info field. */
  relInfoAt(rel: number, index: number): { at: number; width: 4 | 8 } {
    const sec = this.model.sections[rel]!;
    const entry = sec.type === SHT_RELA ? this.sizes.rela : this.sizes.rel;
    const word = this.is64 ? 8 : 4;
    return { at: sec.offset + index * entry + word, width: word };
  }
  setRelInfo(rel: number, index: number, symbol: number, type: number): void {
    const { at, width } = this.relInfoAt(rel, index);
    if (!Number.isSafeInteger(at) || at < 0 || at + width > this.bytes.length) return;
    if (width === 8) this.view.setBigUint64(at, (BigInt.asUintN(32, BigInt(symbol)) << 32n) | BigInt(type >>> 0), this.le);
    else this.view.setUint32(at, ((symbol << 8) | (type & 0xff)) >>> 0, this.le);
  }
  relInfo(rel: number, index: number): { symbol: number; type: number } {
    const { at, width } = this.relInfoAt(rel, index);
    if (!Number.isSafeInteger(at) || at < 0 || at + width > this.bytes.length) return { symbol: 0, type: 0 };
    if (width === 8) {
      const v = this.view.getBigUint64(at, this.le);
      return { symbol: Number(v >> 32n), type: Number(v & 0xffffffffn) };
    }
    const v = this.view.getUint32(at, this.le);
    return { symbol: v >>> 8, type: v & 0xff };
  }
}
