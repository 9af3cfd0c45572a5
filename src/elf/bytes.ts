import { ElfFormatError } from './errors.js';

/** Bounds-checked, endian-aware reads over a byte array. Every failure says the offset. */
export class ByteReader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly littleEndian: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + size > this.bytes.length) {
      throw new ElfFormatError(`${what} runs past the end of the data (${this.bytes.length} bytes)`, { offset });
    }
  }

  u8(offset: number, what = 'byte'): number {
    this.check(offset, 1, what);
    return this.view.getUint8(offset);
  }
  u16(offset: number, what = 'u16'): number {
    this.check(offset, 2, what);
    return this.view.getUint16(offset, this.littleEndian);
  }
  u32(offset: number, what = 'u32'): number {
    this.check(offset, 4, what);
    return this.view.getUint32(offset, this.littleEndian);
  }
  i32(offset: number, what = 'i32'): number {
    this.check(offset, 4, what);
    return this.view.getInt32(offset, this.littleEndian);
  }
  u64(offset: number, what = 'u64'): bigint {
    this.check(offset, 8, what);
    return this.view.getBigUint64(offset, this.littleEndian);
  }
  i64(offset: number, what = 'i64'): bigint {
    this.check(offset, 8, what);
    return this.view.getBigInt64(offset, this.littleEndian);
  }
  /** A word of the object's class: u32 or u64, as bigint. */
  word(offset: number, is64: boolean, what = 'word'): bigint {
    return is64 ? this.u64(offset, what) : BigInt(this.u32(offset, what));
  }
  /** A signed word of the object's class. */
  sword(offset: number, is64: boolean, what = 'sword'): bigint {
    return is64 ? this.i64(offset, what) : BigInt(this.i32(offset, what));
  }
}

/** Endian-aware writes into a fixed-size buffer (sizes are decided before writing). */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(size: number, readonly littleEndian: boolean) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(offset: number, v: number): void {
    this.view.setUint8(offset, v);
  }
  u16(offset: number, v: number): void {
    this.view.setUint16(offset, v, this.littleEndian);
  }
  u32(offset: number, v: number): void {
    this.view.setUint32(offset, v >>> 0, this.littleEndian);
  }
  u64(offset: number, v: bigint): void {
    this.view.setBigUint64(offset, BigInt.asUintN(64, v), this.littleEndian);
  }
  word(offset: number, is64: boolean, v: bigint): void {
    if (is64) this.u64(offset, v);
    else this.u32(offset, Number(BigInt.asUintN(32, v)));
  }
  set(offset: number, data: Uint8Array): void {
    this.bytes.set(data, offset);
  }
}

/** Converts a 64-bit size or offset to a number, refusing values no in-memory file can have. */
export function toSafeNumber(v: bigint, what: string, offset?: number): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ElfFormatError(`${what} 0x${v.toString(16)} is too large`, offset === undefined ? {} : { offset });
  }
  return Number(v);
}
