import { bytesToLatin1 } from '../elf/index.js';
import { KlpError } from './errors.js';
import { KSYM_NAME_LEN, checkObjname } from './names.js';
import { createScanner, EXPORT_HIT, scannerMemory, STOP_END, STOP_HITS_FULL, type ScannerMemory, type WasmScanner } from './symbols-scan.js';

export const SYMBOLS_FILE_MAGIC = 'klp-convert-symbol-data.0.1';
const EXPORT_PREFIX = '__ksymtab_';

/**
 * symbols.klp: every object's symbols in kallsyms order, so the Nth occurrence of a name in an
 * object is the symbol the kernel calls sympos N. `__ksymtab_X` entries say X is exported.
 */
export interface SymbolsList {
  /** objname → how many times each name occurs in it. */
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** name → the objects that list it, with the count in each, in file order of objects. */
  readonly byName: ReadonlyMap<string, ReadonlyArray<{ objname: string; count: number }>>;
  readonly exported: ReadonlySet<string>;
}

/**
 * symbols.klp read in pieces, so a kernel's 4 MB file is never held whole (on a machine where
 * fresh memory costs a page fault per 4 KiB, that is most of reading it). `read` fills `into`
 * from `offset` with at most `length` bytes and returns how many; 0 means the end of the file.
 */
export interface ByteReader {
  read(into: Uint8Array, offset: number, length: number): number;
  /** The file's size, when known: a small file is not worth starting WebAssembly for. */
  readonly size?: number;
}

/**
 * From this size on the WebAssembly scanner pays for itself (its start-up is ~10 M instructions
 * and ~200 page faults; JavaScript takes a corpus case's 2 KB symbols.klp in far less).
 */
const WASM_FROM_BYTES = 128 * 1024;

export interface ParseOptions {
  /**
   * Record only these names (and their `__ksymtab_` entries). A kernel's symbols.klp lists some
   * 240,000 names and a module asks about a few thousand: every line is still checked, but only
   * the names asked about are kept, so memory follows the module, not the kernel. Lines are
   * compared as bytes; no line is decoded unless it is an object line or an error names it.
   */
  names?: ReadonlySet<string>;
}

/**
 * Parses symbols.klp. Lines end in LF; a CR before it is dropped (files edited on other systems)
 * and empty lines are skipped, where the C tool would take both as part of a name. Bytes are
 * latin1 characters: a name holds any byte but LF.
 */
export function parseSymbolsFile(file: Uint8Array | ByteReader, options: ParseOptions = {}): SymbolsList {
  return parseWith(file, options, 'fast');
}

/**
 * parseSymbolsFile, choosing the scanner: 'fast' is WebAssembly when names are given, the file
 * is not small and WebAssembly can run, else JavaScript; 'wasm' is WebAssembly whenever it can
 * run; 'js' is always JavaScript. For tests, which check that they agree.
 */
export function parseWith(file: Uint8Array | ByteReader, options: ParseOptions, engine: 'fast' | 'wasm' | 'js'): SymbolsList {
  const names = options.names;
  const size = file instanceof Uint8Array ? file.length : file.size;
  if (names && (engine === 'wasm' || (engine === 'fast' && (size === undefined || size >= WASM_FROM_BYTES)))) {
    const wasm = WasmParse.create(names, Math.min(size ?? CHUNK, CHUNK));
    if (wasm) return wasm.run(file);
  }
  const p = new Parser(names ? new NameTable(names) : undefined);
  if (file instanceof Uint8Array) p.scan(file, 0, file.length, true);
  else readInPieces(file, p);
  return p.finish();
}

/** One chunk at a time; the unfinished last line moves to the front. A longer line grows the buffer. */
const CHUNK = 64 * 1024;

function readInPieces(reader: ByteReader, p: Parser): void {
  let buf = new Uint8Array(CHUNK);
  let have = 0;
  for (;;) {
    const n = reader.read(buf, have, buf.length - have);
    if (n === 0) break;
    have += n;
    const rest = p.scan(buf, 0, have, false);
    if (rest === 0 && have === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    } else {
      buf.copyWithin(0, rest, have);
      have -= rest;
    }
  }
  p.scan(buf, 0, have, true);
}

const LF = 10;
const CR = 13;
const STAR = 42;
const HASH_MULTIPLIER = 31;
const EXPORT_PREFIX_BYTES = Uint8Array.from(EXPORT_PREFIX, (c) => c.charCodeAt(0));

/** The hash the scanner computes over a line's bytes as it looks for the line's end. */
function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, HASH_MULTIPLIER) + b[i]!) | 0;
  return h;
}

/** The names asked about, as Parser looks them up. */
interface Wanted {
  readonly names: readonly string[];
  /** The index of the name b[start, end) spells (h: hashBytes of it), or -1. */
  find(b: Uint8Array, start: number, end: number, h: number): number;
}

/**
 * The names a line can spell: latin1 and shorter than KSYM_NAME_LEN (a longer line is an error,
 * not a match), with their bytes and where each starts (one more start than names).
 */
function wantedNames(wanted: ReadonlySet<string>): { names: string[]; bytes: Uint8Array; starts: Int32Array } {
  // Filtered one by one: a module can ask about names megabytes long, which no join survives.
  const names = [...wanted].filter((n) => n.length < KSYM_NAME_LEN && !/[^\x00-\xff]/.test(n));
  const starts = new Int32Array(names.length + 1);
  for (let k = 0; k < names.length; k++) starts[k + 1] = starts[k]! + names[k]!.length;
  return { names, bytes: Buffer.from(names.join(''), 'latin1'), starts };
}

/** Slots for `count` names: a power of two, at most half full. */
const tableSlots = (count: number): number => {
  let size = 16;
  while (size < count * 2) size *= 2;
  return size;
};

/** The names asked about, as bytes in an open-addressing table keyed by hashBytes. */
class NameTable implements Wanted {
  readonly names: readonly string[];
  /** lengths[n] is 1 when some name has n bytes: most lines are dismissed by length alone. */
  private readonly lengths = new Uint8Array(KSYM_NAME_LEN);
  private readonly bytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  constructor(wanted: ReadonlySet<string>) {
    const { names, bytes, starts } = wantedNames(wanted);
    this.names = names;
    this.bytes = bytes;
    this.starts = starts;
    const size = tableSlots(names.length);
    this.mask = size - 1;
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    for (let k = 0; k < names.length; k++) {
      const at = starts[k]!;
      const end = starts[k + 1]!;
      this.lengths[end - at] = 1;
      const h = hashBytes(bytes, at, end);
      let j = h & this.mask;
      while (this.slots[j] !== 0) j = (j + 1) & this.mask;
      this.slots[j] = k + 1;
      this.hashes[j] = h;
    }
  }

  find(b: Uint8Array, start: number, end: number, h: number): number {
    const len = end - start;
    if (this.lengths[len] !== 1) return -1;
    for (let j = h & this.mask; ; j = (j + 1) & this.mask) {
      const slot = this.slots[j]!;
      if (slot === 0) return -1;
      if (this.hashes[j] !== h) continue;
      const k = slot - 1;
      const at = this.starts[k]!;
      if (this.starts[k + 1]! - at !== len) continue;
      let i = 0;
      while (i < len && this.bytes[at + i] === b[start + i]) i++;
      if (i === len) return k;
    }
  }
}

class Parser {
  lineNo = 0;
  current: Map<string, number> | undefined;
  private readonly objects = new Map<string, Map<string, number>>();
  readonly exported = new Set<string>();

  constructor(private readonly wanted: Wanted | undefined) {}

  /**
   * Parses the lines of b[from, to) that end in LF, and at the end of the file the line after the
   * last LF too. Returns where the unparsed rest begins. The line's hash is computed on the way to
   * its LF, so a line is read once, byte by byte, and only looked at further when its length is
   * one a name asked about has.
   */
  scan(b: Uint8Array, from: number, to: number, atEnd: boolean): number {
    let start = from;
    let h = 0;
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      if (c !== LF) {
        h = (Math.imul(h, HASH_MULTIPLIER) + c) | 0;
        continue;
      }
      this.line(b, start, i, h);
      start = i + 1;
      h = 0;
    }
    if (atEnd && start < to) {
      this.line(b, start, to, h);
      start = to;
    }
    return start;
  }

  /** One line, b[start, end) without its LF; h is hashBytes of those bytes. */
  line(b: Uint8Array, start: number, end: number, h: number): void {
    const lineNo = ++this.lineNo;
    if (end > start && b[end - 1] === CR) {
      end--;
      h = hashBytes(b, start, end);
    }
    if (lineNo === 1) {
      if (!hasPrefix(b, start, end, SYMBOLS_FILE_MAGIC)) throw badHeader();
      return;
    }
    if (end === start) return;
    if (b[start] === STAR) {
      this.objectLine(bytesToLatin1(b.subarray(start + 1, end)), lineNo);
      return;
    }
    const current = this.current;
    if (!current) throw new KlpError('bad-symbols-file', `symbol '${shorten(text(b, start, end))}' comes before any '*object' line`, { line: lineNo });
    // kallsyms cannot hold such a name: the file is corrupt, not merely listing an unusual symbol.
    const len = end - start;
    if (len >= KSYM_NAME_LEN) {
      throw new KlpError('bad-symbols-file', `symbol name '${shorten(text(b, start, end))}' is longer than ${KSYM_NAME_LEN - 1} characters`, { line: lineNo });
    }
    const wanted = this.wanted;
    if (!wanted) {
      const line = text(b, start, end);
      if (line.startsWith(EXPORT_PREFIX)) this.exported.add(line.slice(EXPORT_PREFIX.length));
      current.set(line, (current.get(line) ?? 0) + 1);
      return;
    }
    if (len >= EXPORT_PREFIX_BYTES.length && b[start] === EXPORT_PREFIX_BYTES[0] && isExportLine(b, start)) {
      const from = start + EXPORT_PREFIX_BYTES.length;
      const k = wanted.find(b, from, end, hashBytes(b, from, end));
      if (k >= 0) this.exported.add(wanted.names[k]!);
    }
    const k = wanted.find(b, start, end, h);
    if (k < 0) return;
    const name = wanted.names[k]!;
    current.set(name, (current.get(name) ?? 0) + 1);
  }

  private objectLine(objname: string, lineNo: number): void {
    const bad = checkObjname(objname);
    if (bad) throw new KlpError('bad-symbols-file', bad, { line: lineNo });
    let current = this.objects.get(objname);
    if (!current) {
      current = new Map();
      this.objects.set(objname, current);
    }
    this.current = current;
  }

  finish(): SymbolsList {
    if (this.lineNo === 0) throw badHeader();
    const byName = new Map<string, Array<{ objname: string; count: number }>>();
    this.objects.forEach((names, objname) =>
      names.forEach((count, name) => {
        const list = byName.get(name);
        if (list) list.push({ objname, count });
        else byName.set(name, [{ objname, count }]);
      }),
    );
    return { objects: this.objects, byName, exported: this.exported };
  }
}

/**
 * Drives the WebAssembly scanner (symbols-scan.ts): symbols.klp goes through a chunk area in the
 * scanner's memory, the scanner reports matches as hits, and every line it hands back goes to
 * Parser.line, so the rules and the messages are the ones above. The scanner's table is the one
 * Parser looks names up in, for the lines it is handed.
 */
class WasmParse implements Wanted {
  private view: Uint8Array;
  private readonly p: Parser;

  private constructor(
    private readonly s: WasmScanner,
    private readonly m: ScannerMemory,
    readonly names: readonly string[],
  ) {
    this.view = new Uint8Array(s.memory.buffer);
    this.p = new Parser(this);
  }

  static create(wanted: ReadonlySet<string>, chunk: number): WasmParse | undefined {
    const { names, bytes, starts } = wantedNames(wanted);
    const slots = tableSlots(names.length);
    const m = scannerMemory(slots, names.length, bytes.length, chunk);
    const s = createScanner(m, slots);
    if (!s) return undefined;
    new Int32Array(s.memory.buffer, m.starts, starts.length).set(starts);
    new Uint8Array(s.memory.buffer).set(bytes, m.names);
    s.build(names.length);
    return new WasmParse(s, m, names);
  }

  /** Wanted.find, for a line in the scanner's memory (b is this.view). */
  find(_b: Uint8Array, start: number, end: number): number {
    return this.s.find(start, end);
  }

  run(file: Uint8Array | ByteReader): SymbolsList {
    const base = this.m.chunk;
    let have = 0;
    let fileAt = 0;
    for (;;) {
      let n: number;
      if (file instanceof Uint8Array) {
        n = Math.min(this.m.chunkCapacity - have, file.length - fileAt);
        this.view.set(file.subarray(fileAt, fileAt + n), base + have);
        fileAt += n;
      } else {
        n = file.read(this.view, base + have, this.m.chunkCapacity - have);
      }
      const atEnd = n === 0;
      have += n;
      const rest = this.region(base, base + have, atEnd) - base;
      if (atEnd) return this.p.finish();
      if (rest === 0 && have === this.m.chunkCapacity) this.grow();
      else {
        this.view.copyWithin(base, base + rest, base + have);
        have -= rest;
      }
    }
  }

  /** A line longer than the chunk area: double the area (it is last in memory). */
  private grow(): void {
    const pages = Math.ceil(this.m.chunkCapacity / 65536);
    this.s.memory.grow(pages);
    this.m.chunkCapacity += pages * 65536;
    this.view = new Uint8Array(this.s.memory.buffer);
  }

  /** Scans memory[from, to); returns where the unfinished line begins. */
  private region(from: number, to: number, atEnd: boolean): number {
    const { s, p } = this;
    s.lineNo.value = p.lineNo;
    s.haveObject.value = p.current ? 1 : 0;
    let pos = from;
    for (;;) {
      const stop = s.scan(pos, to, atEnd ? 1 : 0);
      this.drain();
      if (stop === STOP_END) {
        p.lineNo = s.lineNo.value;
        return s.evStart.value;
      }
      if (stop === STOP_HITS_FULL) {
        pos = s.evStart.value;
        continue;
      }
      const start = s.evStart.value;
      const end = s.evEnd.value;
      p.lineNo = s.lineNo.value - 1;
      p.line(this.view, start, end, 0);
      s.haveObject.value = p.current ? 1 : 0;
      pos = end < to ? end + 1 : to;
    }
  }

  /** The hits so far, in file order, into the current object. */
  private drain(): void {
    const count = this.s.hitCount.value;
    if (count === 0) return;
    const hits = new Int32Array(this.s.memory.buffer, this.m.hits, count);
    const { names, p } = this;
    const current = p.current!;
    for (let i = 0; i < count; i++) {
      const hit = hits[i]!;
      const name = names[hit & ~EXPORT_HIT]!;
      if (hit & EXPORT_HIT) p.exported.add(name);
      else current.set(name, (current.get(name) ?? 0) + 1);
    }
    this.s.hitCount.value = 0;
  }
}

function isExportLine(b: Uint8Array, start: number): boolean {
  for (let i = 1; i < EXPORT_PREFIX_BYTES.length; i++) if (b[start + i] !== EXPORT_PREFIX_BYTES[i]) return false;
  return true;
}

function hasPrefix(b: Uint8Array, start: number, end: number, prefix: string): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[start + i] !== prefix.charCodeAt(i)) return false;
  return true;
}

const text = (b: Uint8Array, start: number, end: number): string => bytesToLatin1(b.subarray(start, end));

const badHeader = (): KlpError => new KlpError('bad-symbols-file', `does not start with '${SYMBOLS_FILE_MAGIC}'`, { line: 1 });

const shorten = (name: string): string => (name.length > 40 ? `${name.slice(0, 40)}…` : name);
