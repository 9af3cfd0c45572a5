import { ElfFormatError } from './errors.js';

// Names are kept as latin1 strings: one char per byte, so any byte sequence round-trips.

// Buffer's 'latin1' is ISO-8859-1 (byte n → U+00nn); TextDecoder's 'latin1' is windows-1252, which
// maps 0x80–0x9f elsewhere. Native decoding: a 4 MB symbols.klp takes milliseconds, not a second.
export function bytesToLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`name has a character outside latin1: ${JSON.stringify(text)}`);
    out[i] = c;
  }
  return out;
}

/** Reads the NUL-terminated string at `offset` of a string table. */
export function stringAt(table: Uint8Array, offset: number, tableName: string): string {
  if (offset >= table.length) {
    if (offset === 0 && table.length === 0) return '';
    throw new ElfFormatError(`string offset ${offset} is past the end of the table (${table.length} bytes)`, {
      section: tableName,
    });
  }
  const end = table.indexOf(0, offset);
  if (end < 0) {
    throw new ElfFormatError(`string at offset ${offset} has no terminating NUL`, { section: tableName });
  }
  return bytesToLatin1(table.subarray(offset, end));
}

/**
 * Appends each of `texts` and its NUL, in order, copying the table once: the same bytes and
 * offsets as calling appendString for each, without copying the table per string.
 */
export function appendStrings(table: Uint8Array, texts: readonly string[]): { table: Uint8Array; offsets: number[] } {
  const encoded = texts.map(latin1ToBytes);
  const out = new Uint8Array(encoded.reduce((n, b) => n + b.length + 1, table.length));
  out.set(table, 0);
  const offsets: number[] = [];
  let at = table.length;
  for (const b of encoded) {
    offsets.push(at);
    out.set(b, at);
    at += b.length + 1;
  }
  return { table: out, offsets };
}

/**
 * Reads many strings of one table. The table is decoded once and each string is a slice of that
 * text, found by binary search over the NUL positions: a table of one long string named by
 * thousands of symbols costs its length once, not once per symbol.
 */
export class StringTableReader {
  private text: string | undefined;
  private nuls: Int32Array | undefined;
  constructor(private readonly table: Uint8Array, private readonly tableName: string) {}

  at(offset: number): string {
    const table = this.table;
    if (offset >= table.length) return stringAt(table, offset, this.tableName);
    if (this.text === undefined || this.nuls === undefined) {
      this.text = bytesToLatin1(table);
      let n = 0;
      for (let i = 0; i < table.length; i++) if (table[i] === 0) n++;
      this.nuls = new Int32Array(n);
      for (let i = 0, k = 0; i < table.length; i++) if (table[i] === 0) this.nuls[k++] = i;
    }
    const nuls = this.nuls;
    let lo = 0;
    let hi = nuls.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (nuls[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo === nuls.length) {
      throw new ElfFormatError(`string at offset ${offset} has no terminating NUL`, { section: this.tableName });
    }
    return this.text.slice(offset, nuls[lo]);
  }
}

/** Appends `text` and its NUL to a string table, returning the new table and the string's offset. */
export function appendString(table: Uint8Array, text: string): { table: Uint8Array; offset: number } {
  const bytes = latin1ToBytes(text);
  const out = new Uint8Array(table.length + bytes.length + 1);
  out.set(table, 0);
  out.set(bytes, table.length);
  return { table: out, offset: table.length };
}
