// The byte scanner behind parseSymbolsFile when only some names are wanted and symbols.klp is
// large: a small WebAssembly module (its source is symbols-scan-asm.ts) that walks the file 16
// bytes at a time for line ends and looks each name line up in a hash table of the wanted names,
// so JavaScript sees only the lines that match and the rare ones that need its rules (object
// lines, CRs, over-long lines, anything before the first object line). Why WebAssembly: a
// JavaScript loop over a 4 MB file spends most of a short run interpreted, waiting for its
// optimised code (and being compiled again after each deopt); WebAssembly's baseline compiler
// makes machine code of this module in well under a millisecond, before the first byte is read.
// docs/performance.md has the measurements.
//
// The scanner decides nothing a user can see: a line it does not handle completely goes back to
// symbols-file.ts, which applies the rules and writes the messages, as for every line. Without
// WebAssembly (node --jitless, a CPU without SIMD) symbols-file.ts scans in JavaScript;
// src/klp/symbols-file.test.ts checks both against the same model.
import { FILTER_BITS, GLOBALS } from './symbols-scan-asm.js';

export { EXPORT_HIT, STOP_END, STOP_HITS_FULL, STOP_LINE } from './symbols-scan-asm.js';

/** symbols-scan-asm.ts's assemble(), base64 (symbols-file.test.ts checks it is current). */
export const SCANNER_WASM =
  'AGFzbQEAAAABEgNgA39/fwF/YAJ/fwF/YAF/AAKSAQwBawZtZW1vcnkCAAEBawZsaW5lTm8DfwEBawpoYXZlT2JqZWN0A38B' +
  'AWsIaGl0Q291bnQDfwEBawdldlN0YXJ0A38BAWsFZXZFbmQDfwEBawRtYXNrA38BAWsFdGFibGUDfwEBawZzdGFydHMDfwEB' +
  'awVuYW1lcwN/AQFrB2hpdHNDYXADfwEBawRoaXRzA38BAwYFAQEBAAIHFwMEZmluZAACBHNjYW4AAwVidWlsZAAECroHBSkB' +
  'AX8CQANAIAAgAU8NASACQR9sIAAtAABqIQIgAEEBaiEADAALCyACC1YBAn8gASAAayICQbHz3fF5bCEDIAJBAU8EQCADIAFB' +
  'AWstAABBEHRzIAAtAABzIQMLIAJBAk8EQCADIAFBAmstAABBCHRzIQMLIANB65Svr3hsQQ52C8UBAQh/IAEgAGshAiAAIAEQ' +
  'ASIDQQN2LQAAIANBB3F2QQFxRQRAQX8PCyAAIAEQACIJIwVxIQQDQCMGIARBA3RqIgMoAgAiBUUEQEF/DwsgA0EEaigCACAJ' +
  'RgRAIAVBAWshCCMHIAhBAnRqIgcoAgAhBiAHQQRqKAIAIAZrIAJGBEBBACEHAkADQCAHIAJPBEAgCA8LIwggBmogB2otAAAg' +
  'ACAHai0AAEcNASAHQQFqIQcMAAsLCwsgBEEBaiMFcSEEDAALAAvNAwIJfwF7QQr9DyEMIAAiAyEEA0ACQAJAAkADQAJAIARB' +
  'EGogAUsNACAE/QAAACAM/SP9ZCIJBEAgBCAJaGohBQwECyAEQRBqIQQMAQsLA0AgBCABTw0BIAQtAABBCkYEQCAEIQUMAwsg' +
  'BEEBaiEEDAALCyACIAMgAUlxBEAgASEFQQEhCwwBCyADJANBAA8LIwBBAWokACMBRQ0AIAUgA2siBgRAIAMtAAAiB0EqRiAF' +
  'QQFrLQAAIghBDUZyIAZBgARPcg0BIAdB3wBGIAZBCk9xBEAgAykDAELfvq2bl6+buuEAUSADQQhqLwEAQeK+AUZxBEAgA0EK' +
  'aiAFEAIhCiAKQX9HBEAjCiMCQQJ0aiAKQYCAgIB4cjYCACMCQQFqJAILCwsgBkGx893xeWwgCEEQdHMgB3MhCSAGQQJPBEAg' +
  'CSAFQQJrLQAAQQh0cyEJCyAJQeuUr694bEEOdiIJQQN2LQAAIAlBB3F2QQFxBEAgAyAFEAIhCiAKQX9HBEAjCiMCQQJ0aiAK' +
  'QQByNgIAIwJBAWokAgsLCyAFQQFqIgMhBCALBEAgASQDQQAPCyMCIwlPBEAgAyQDQQIPCwwBCyADJAMgBSQEQQEPCwALoAEB' +
  'B38CQANAIAEgAE8NASMHIAFBAnRqIgcoAgAjCGohAiAHQQRqKAIAIwhqIgMgAmshBCACIAMQASIHQQN2IAdBA3YtAABBASAH' +
  'QQdxdHI6AAAgAiADEAAiBSMFcSEGAkADQCMGIAZBA3RqIgcoAgBFDQEgBkEBaiMFcSEGDAALCyAHIAFBAWo2AgAgB0EEaiAF' +
  'NgIAIAFBAWohAQwACwsL';

const FILTER_BYTES = (1 << FILTER_BITS) / 8;
const HITS_CAPACITY = 4096;
/** SIMD loads never read past a region's end; the chunk is padded anyway. */
const PAD = 16;
const PAGE = 65536;

/** Where the scanner's areas are in its memory (see symbols-scan-asm.ts). */
export interface ScannerMemory {
  hits: number;
  table: number;
  starts: number;
  names: number;
  chunk: number;
  chunkCapacity: number;
  bytes: number;
}

export function scannerMemory(slots: number, names: number, nameBytes: number, chunk: number): ScannerMemory {
  const align = (n: number): number => (n + 15) & ~15;
  const hits = align(FILTER_BYTES);
  const table = align(hits + HITS_CAPACITY * 4);
  const starts = align(table + slots * 8);
  const namesAt = align(starts + (names + 1) * 4);
  const chunkAt = align(namesAt + nameBytes);
  const bytes = Math.ceil((chunkAt + chunk + PAD) / PAGE) * PAGE;
  return { hits, table, starts, names: namesAt, chunk: chunkAt, chunkCapacity: bytes - chunkAt - PAD, bytes };
}

// The little of the WebAssembly JavaScript API used here (the project's lib settings declare none).
interface WasmGlobal {
  value: number;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
  Global: new (d: { value: 'i32'; mutable: boolean }, v: number) => WasmGlobal;
}

export interface WasmScanner {
  memory: WasmMemory;
  /** Scans memory[pos, end); atEnd: the region ends the file. Returns a STOP_ value. */
  scan(pos: number, end: number, atEnd: number): number;
  /** The index of the wanted name memory[start, end) spells, or -1. */
  find(start: number, end: number): number;
  /** Fills the filter and the table from names 0..count-1 (starts and bytes already written). */
  build(count: number): void;
  lineNo: WasmGlobal;
  haveObject: WasmGlobal;
  hitCount: WasmGlobal;
  evStart: WasmGlobal;
  evEnd: WasmGlobal;
}

let compiled: object | null | undefined;

/** A fresh scanner with a memory laid out as `m`, or undefined when WebAssembly cannot run it. */
export function createScanner(m: ScannerMemory, slots: number): WasmScanner | undefined {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (compiled === undefined) {
    try {
      compiled = wa ? new wa.Module(Buffer.from(SCANNER_WASM, 'base64')) : null;
    } catch {
      compiled = null;
    }
  }
  if (compiled === null || !wa) return undefined;
  const values: Record<(typeof GLOBALS)[number], number> = {
    lineNo: 0, haveObject: 0, hitCount: 0, evStart: 0, evEnd: 0,
    mask: slots - 1, table: m.table, starts: m.starts, names: m.names, hitsCap: HITS_CAPACITY, hits: m.hits,
  };
  const globals = Object.fromEntries(GLOBALS.map((g) => [g, new wa.Global({ value: 'i32', mutable: true }, values[g])])) as Record<(typeof GLOBALS)[number], WasmGlobal>;
  const memory = new wa.Memory({ initial: m.bytes / PAGE });
  const { exports } = new wa.Instance(compiled, { k: { memory, ...globals } });
  return {
    memory,
    scan: exports['scan'] as WasmScanner['scan'],
    find: exports['find'] as WasmScanner['find'],
    build: exports['build'] as WasmScanner['build'],
    ...globals,
  };
}
