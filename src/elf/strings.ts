import { ElfFormatError } from './errors.js';

// Names are kept as latin1 strings: one char per byte, so any byte sequence round-trips.

export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
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

/** Appends `text` and its NUL to a string table, returning the new table and the string's offset. */
export function appendString(table: Uint8Array, text: string): { table: Uint8Array; offset: number } {
  const bytes = latin1ToBytes(text);
  const out = new Uint8Array(table.length + bytes.length + 1);
  out.set(table, 0);
  out.set(bytes, table.length);
  return { table: out, offset: table.length };
}
