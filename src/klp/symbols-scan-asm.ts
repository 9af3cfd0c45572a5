// The source of symbols-scan.ts's WebAssembly module: just enough of the binary format for four
// functions. symbols-scan.ts carries the assembled bytes (SCANNER_WASM), so no run assembles them;
// src/klp/symbols-file.test.ts checks that they are what assemble() gives, and prints the new
// bytes when this file changes.
//
// Memory layout (offsets in the globals, see scannerMemory): the filter (a Bloom filter of one
// hash, FILTER_BITS bits, over a name's length, first and last two bytes) at 0, the hit list, the hash table (slot, hash: two i32 per slot;
// slot k + 1 for name k, 0 when empty), the names' start offsets (i32, one more than names), the
// names' bytes, then the chunk of symbols.klp being scanned.

import { KSYM_NAME_LEN } from './names.js';

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (v: bigint): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

const I32 = 0x7f;
const V128 = 0x7b;
const EMPTY = 0x40;
type Code = number[];
const op = {
  unreachable: [0x00], block: [0x02, EMPTY], loop: [0x03, EMPTY], if: [0x04, EMPTY], end: [0x0b],
  br: (d: number): Code => [0x0c, ...uleb(d)], brIf: (d: number): Code => [0x0d, ...uleb(d)], return: [0x0f],
  call: (f: number): Code => [0x10, ...uleb(f)],
  get: (l: number): Code => [0x20, ...uleb(l)], set: (l: number): Code => [0x21, ...uleb(l)], tee: (l: number): Code => [0x22, ...uleb(l)],
  gget: (g: number): Code => [0x23, ...uleb(g)], gset: (g: number): Code => [0x24, ...uleb(g)],
  load: [0x28, 2, 0], load64: [0x29, 3, 0], load8: [0x2d, 0, 0], load16: [0x2f, 1, 0], store: [0x36, 2, 0], store8: [0x3a, 0, 0],
  const: (v: number): Code => [0x41, ...sleb(BigInt(v | 0))], const64: (v: bigint): Code => [0x42, ...sleb(v)],
  eqz: [0x45], eq: [0x46], ne: [0x47], xor: [0x73], ltU: [0x49], geU: [0x4f], gtU: [0x4b], eq64: [0x51],
  ctz: [0x68], add: [0x6a], sub: [0x6b], mul: [0x6c], and: [0x71], or: [0x72], shl: [0x74], shrU: [0x76],
  v128load: [0xfd, 0x00, 0, 0], splat8: [0xfd, 0x0f], eq8: [0xfd, 0x23], bitmask8: [0xfd, 0x64],
};

/** Imported globals, in import order; symbols-scan.ts imports them by these names. */
export const GLOBALS = ['lineNo', 'haveObject', 'hitCount', 'evStart', 'evEnd', 'mask', 'table', 'starts', 'names', 'hitsCap', 'hits'] as const;
const G = Object.fromEntries(GLOBALS.map((g, i) => [g, i])) as Record<(typeof GLOBALS)[number], number>;

/** Function indices. */
const F = { hash: 0, bit: 1, find: 2, scan: 3, build: 4 };
/** log2 of the filter's size in bits: 32 KiB, 1.5 % of it set by 4,000 names. */
export const FILTER_BITS = 18;
/** A hit with this bit set is `__ksymtab_<name>`: the name is exported. */
export const EXPORT_HIT = 0x8000_0000;
/** scan()'s results: what it stopped for. */
export const STOP_END = 0;
export const STOP_LINE = 1;
export const STOP_HITS_FULL = 2;

/** "__ksymtab_" as a little-endian i64 and i16. */
const prefixBytes = Array.from('__ksymtab_', (c) => BigInt(c.charCodeAt(0)));
const PREFIX_LO = BigInt.asIntN(64, prefixBytes.slice(0, 8).reduce((v, b, i) => v | (b << BigInt(8 * i)), 0n));
const PREFIX_HI = Number(prefixBytes[8]! | (prefixBytes[9]! << 8n));

/** hash(start, end): h = h * 31 + byte over memory[start, end), as symbols-file.ts's hashBytes. */
function hashBody(): Code {
  const [a, e, h] = [0, 1, 2];
  return [
    ...vec([[1, I32]]),
    ...op.block, ...op.loop,
    ...op.get(a), ...op.get(e), ...op.geU, ...op.brIf(1),
    ...op.get(h), ...op.const(31), ...op.mul, ...op.get(a), ...op.load8, ...op.add, ...op.set(h),
    ...op.get(a), ...op.const(1), ...op.add, ...op.set(a), ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(h), ...op.end,
  ];
}

/**
 * bit(start, end): the filter bit of the name memory[start, end): a mix of its length and its first
 * and last two bytes (those it has), so that unlike names rarely share one.
 */
function bitBody(): Code {
  const [a, e, len, k] = [0, 1, 2, 3];
  return [
    ...vec([[2, I32]]),
    ...op.get(e), ...op.get(a), ...op.sub, ...op.tee(len), ...op.const(0x9e3779b1), ...op.mul, ...op.set(k),
    ...op.get(len), ...op.const(1), ...op.geU, ...op.if,
    ...op.get(k), ...op.get(e), ...op.const(1), ...op.sub, ...op.load8, ...op.const(16), ...op.shl, ...op.xor, ...op.get(a), ...op.load8, ...op.xor, ...op.set(k),
    ...op.end,
    ...op.get(len), ...op.const(2), ...op.geU, ...op.if,
    ...op.get(k), ...op.get(e), ...op.const(2), ...op.sub, ...op.load8, ...op.const(8), ...op.shl, ...op.xor, ...op.set(k),
    ...op.end,
    ...op.get(k), ...op.const(0x85ebca6b), ...op.mul, ...op.const(32 - FILTER_BITS), ...op.shrU, ...op.end,
  ];
}

/**
 * find(start, end) → index of the wanted name spelled by memory[start, end), or -1. The filter
 * dismisses most lines before any hashing.
 */
function findBody(): Code {
  const [start, end, len, p, j, slot, at, q, k, h] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  return [
    ...vec([[8, I32]]),
    ...op.get(end), ...op.get(start), ...op.sub, ...op.set(len),
    ...op.get(start), ...op.get(end), ...op.call(F.bit), ...op.tee(p), ...op.const(3), ...op.shrU, ...op.load8, ...op.get(p), ...op.const(7), ...op.and, ...op.shrU, ...op.const(1), ...op.and,
    ...op.eqz, ...op.if, ...op.const(-1), ...op.return, ...op.end,
    ...op.get(start), ...op.get(end), ...op.call(F.hash), ...op.tee(h),
    ...op.gget(G.mask), ...op.and, ...op.set(j),
    ...op.loop,
    ...op.gget(G.table), ...op.get(j), ...op.const(3), ...op.shl, ...op.add, ...op.tee(p), ...op.load, ...op.tee(slot),
    ...op.eqz, ...op.if, ...op.const(-1), ...op.return, ...op.end,
    ...op.get(p), ...op.const(4), ...op.add, ...op.load, ...op.get(h), ...op.eq, ...op.if,
    ...op.get(slot), ...op.const(1), ...op.sub, ...op.set(k),
    ...op.gget(G.starts), ...op.get(k), ...op.const(2), ...op.shl, ...op.add, ...op.tee(q), ...op.load, ...op.set(at),
    ...op.get(q), ...op.const(4), ...op.add, ...op.load, ...op.get(at), ...op.sub, ...op.get(len), ...op.eq, ...op.if,
    ...op.const(0), ...op.set(q),
    ...op.block, ...op.loop,
    ...op.get(q), ...op.get(len), ...op.geU, ...op.if, ...op.get(k), ...op.return, ...op.end,
    ...op.gget(G.names), ...op.get(at), ...op.add, ...op.get(q), ...op.add, ...op.load8,
    ...op.get(start), ...op.get(q), ...op.add, ...op.load8, ...op.ne, ...op.brIf(1),
    ...op.get(q), ...op.const(1), ...op.add, ...op.set(q), ...op.br(0),
    ...op.end, ...op.end,
    ...op.end, // same length
    ...op.end, // same hash
    ...op.get(j), ...op.const(1), ...op.add, ...op.gget(G.mask), ...op.and, ...op.set(j), ...op.br(0),
    ...op.end,
    ...op.unreachable, ...op.end,
  ];
}

/** build(count): the filter bits and hash table entries of names 0..count-1 (memory is zeroed). */
function buildBody(): Code {
  const [count, k, a, e, len, h, j, p] = [0, 1, 2, 3, 4, 5, 6, 7];
  return [
    ...vec([[7, I32]]),
    ...op.block, ...op.loop,
    ...op.get(k), ...op.get(count), ...op.geU, ...op.brIf(1),
    ...op.gget(G.starts), ...op.get(k), ...op.const(2), ...op.shl, ...op.add, ...op.tee(p), ...op.load, ...op.gget(G.names), ...op.add, ...op.set(a),
    ...op.get(p), ...op.const(4), ...op.add, ...op.load, ...op.gget(G.names), ...op.add, ...op.tee(e),
    ...op.get(a), ...op.sub, ...op.set(len),
    ...op.get(a), ...op.get(e), ...op.call(F.bit), ...op.tee(p), ...op.const(3), ...op.shrU,
    ...op.get(p), ...op.const(3), ...op.shrU, ...op.load8, ...op.const(1), ...op.get(p), ...op.const(7), ...op.and, ...op.shl, ...op.or,
    ...op.store8,
    ...op.get(a), ...op.get(e), ...op.call(F.hash), ...op.tee(h),
    ...op.gget(G.mask), ...op.and, ...op.set(j),
    ...op.block, ...op.loop,
    ...op.gget(G.table), ...op.get(j), ...op.const(3), ...op.shl, ...op.add, ...op.tee(p), ...op.load, ...op.eqz, ...op.brIf(1),
    ...op.get(j), ...op.const(1), ...op.add, ...op.gget(G.mask), ...op.and, ...op.set(j), ...op.br(0),
    ...op.end, ...op.end,
    ...op.get(p), ...op.get(k), ...op.const(1), ...op.add, ...op.store,
    ...op.get(p), ...op.const(4), ...op.add, ...op.get(h), ...op.store,
    ...op.get(k), ...op.const(1), ...op.add, ...op.set(k), ...op.br(0),
    ...op.end, ...op.end,
    ...op.end,
  ];
}

/**
 * scan(pos, end, atEnd) → 0 (region done; the unfinished line starts at evStart), 1 (the line
 * evStart..evEnd is JavaScript's) or 2 (hit list full; resume at evStart). Counts lines in lineNo.
 * A line it handles: empty, or a name line (shorter than KSYM_NAME_LEN, no CR, not `*`) once an
 * object line has been seen; each match of the line, or of the name after a `__ksymtab_` prefix,
 * goes on the hit list. Every other line is handed back. Line ends are found 16 bytes at a time.
 */
function scanBody(): Code {
  const [pos, end, atEnd, s, i, lf, len, c0, cl, m, k, fin, nl] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const pushHit = (flag: number): Code => [
    ...op.get(k), ...op.const(-1), ...op.ne, ...op.if,
    ...op.gget(G.hits), ...op.gget(G.hitCount), ...op.const(2), ...op.shl, ...op.add,
    ...op.get(k), ...op.const(flag), ...op.or, ...op.store,
    ...op.gget(G.hitCount), ...op.const(1), ...op.add, ...op.gset(G.hitCount),
    ...op.end,
  ];
  return [
    ...vec([[9, I32], [1, V128]]),
    ...op.const(10), ...op.splat8, ...op.set(nl),
    ...op.get(pos), ...op.tee(s), ...op.set(i),
    ...op.loop, // $L: a line per turn
    ...op.block, // $E: the line is JavaScript's
    ...op.block, // $F: lf is the line's end
    ...op.block, // $NF: no LF before end
    ...op.loop, ...op.block, // 16 bytes at a time
    ...op.get(i), ...op.const(16), ...op.add, ...op.get(end), ...op.gtU, ...op.brIf(0),
    ...op.get(i), ...op.v128load, ...op.get(nl), ...op.eq8, ...op.bitmask8, ...op.tee(m),
    ...op.if, ...op.get(i), ...op.get(m), ...op.ctz, ...op.add, ...op.set(lf), ...op.br(4), ...op.end, // to $F
    ...op.get(i), ...op.const(16), ...op.add, ...op.set(i), ...op.br(1),
    ...op.end, ...op.end,
    ...op.loop, // the rest byte by byte
    ...op.get(i), ...op.get(end), ...op.geU, ...op.brIf(1), // to $NF
    ...op.get(i), ...op.load8, ...op.const(10), ...op.eq, ...op.if, ...op.get(i), ...op.set(lf), ...op.br(3), ...op.end, // to $F
    ...op.get(i), ...op.const(1), ...op.add, ...op.set(i), ...op.br(0),
    ...op.end,
    ...op.end, // $NF: at the end of the file the rest is the last line; else it waits for more
    ...op.get(atEnd), ...op.get(s), ...op.get(end), ...op.ltU, ...op.and,
    ...op.if, ...op.get(end), ...op.set(lf), ...op.const(1), ...op.set(fin), ...op.br(1), ...op.end, // to $F
    ...op.get(s), ...op.gset(G.evStart), ...op.const(STOP_END), ...op.return,
    ...op.end, // $F: the line s..lf
    ...op.gget(G.lineNo), ...op.const(1), ...op.add, ...op.gset(G.lineNo),
    ...op.gget(G.haveObject), ...op.eqz, ...op.brIf(0), // to $E
    ...op.get(lf), ...op.get(s), ...op.sub, ...op.tee(len),
    ...op.if, // not empty
    ...op.get(s), ...op.load8, ...op.tee(c0), ...op.const(42), ...op.eq,
    ...op.get(lf), ...op.const(1), ...op.sub, ...op.load8, ...op.tee(cl), ...op.const(13), ...op.eq, ...op.or,
    ...op.get(len), ...op.const(KSYM_NAME_LEN), ...op.geU, ...op.or,
    ...op.brIf(1), // `*`, CR or too long: to $E
    ...op.get(c0), ...op.const(95), ...op.eq, ...op.get(len), ...op.const(10), ...op.geU, ...op.and,
    ...op.if,
    ...op.get(s), ...op.load64, ...op.const64(PREFIX_LO), ...op.eq64,
    ...op.get(s), ...op.const(8), ...op.add, ...op.load16, ...op.const(PREFIX_HI), ...op.eq, ...op.and,
    ...op.if, // __ksymtab_<name>
    ...op.get(s), ...op.const(10), ...op.add, ...op.get(lf), ...op.call(F.find), ...op.set(k),
    ...pushHit(EXPORT_HIT),
    ...op.end, ...op.end,
    // bit(s, lf) inline, from c0 and cl: most lines stop at the filter, without a call
    ...op.get(len), ...op.const(0x9e3779b1), ...op.mul, ...op.get(cl), ...op.const(16), ...op.shl, ...op.xor, ...op.get(c0), ...op.xor, ...op.set(m),
    ...op.get(len), ...op.const(2), ...op.geU, ...op.if,
    ...op.get(m), ...op.get(lf), ...op.const(2), ...op.sub, ...op.load8, ...op.const(8), ...op.shl, ...op.xor, ...op.set(m),
    ...op.end,
    ...op.get(m), ...op.const(0x85ebca6b), ...op.mul, ...op.const(32 - FILTER_BITS), ...op.shrU, ...op.tee(m),
    ...op.const(3), ...op.shrU, ...op.load8, ...op.get(m), ...op.const(7), ...op.and, ...op.shrU, ...op.const(1), ...op.and,
    ...op.if,
    ...op.get(s), ...op.get(lf), ...op.call(F.find), ...op.set(k),
    ...pushHit(0),
    ...op.end,
    ...op.end, // not empty
    ...op.get(lf), ...op.const(1), ...op.add, ...op.tee(s), ...op.set(i),
    ...op.get(fin), ...op.if, ...op.get(end), ...op.gset(G.evStart), ...op.const(STOP_END), ...op.return, ...op.end,
    ...op.gget(G.hitCount), ...op.gget(G.hitsCap), ...op.geU,
    ...op.if, ...op.get(s), ...op.gset(G.evStart), ...op.const(STOP_HITS_FULL), ...op.return, ...op.end,
    ...op.br(1), // to $L
    ...op.end, // $E
    ...op.get(s), ...op.gset(G.evStart), ...op.get(lf), ...op.gset(G.evEnd), ...op.const(STOP_LINE), ...op.return,
    ...op.end, // $L
    ...op.unreachable, ...op.end,
  ];
}

/** The module: imports k.memory and the globals, exports find, scan and build. */
export function assemble(): Uint8Array {
  const funcType = (params: number, result: boolean): number[] => [0x60, ...uleb(params), ...Array<number>(params).fill(I32), ...(result ? [1, I32] : [0])];
  const globalImport = (n: string): number[] => [...name('k'), ...name(n), 0x03, I32, 1];
  const bodies = [hashBody(), bitBody(), findBody(), scanBody(), buildBody()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 (i32 i32 i32) → i32, 1 (i32 i32) → i32, 2 (i32) → ()
    ...section(1, vec([funcType(3, true), funcType(2, true), funcType(1, false)])),
    ...section(2, vec([[...name('k'), ...name('memory'), 0x02, 0x00, 0x01], ...GLOBALS.map(globalImport)])),
    ...section(3, vec([[1], [1], [1], [0], [2]])),
    ...section(7, vec([[...name('find'), 0x00, F.find], [...name('scan'), 0x00, F.scan], [...name('build'), 0x00, F.build]])),
    ...section(10, vec(bodies.map((b) => [...uleb(b.length), ...b]))),
  ]);
}
