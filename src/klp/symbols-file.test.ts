import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToLatin1 } from '../elf/index.js';
import { KlpError } from './errors.js';
import { checkObjname } from './names.js';
import { parseSymbolsFile, parseWith, SYMBOLS_FILE_MAGIC, type ByteReader, type SymbolsList } from './symbols-file.js';
import { createScanner, SCANNER_WASM, scannerMemory } from './symbols-scan.js';
import { assemble } from './symbols-scan-asm.js';

const parse = (text: string) => parseSymbolsFile(new TextEncoder().encode(text));

describe('symbols.klp', () => {
  it('counts names per object and marks __ksymtab_ entries exported', () => {
    const list = parse('klp-convert-symbol-data.0.1\n*vmlinux\na\nb\na\n__ksymtab_b\n*mod\na\n');
    expect(list.objects.get('vmlinux')?.get('a')).toBe(2);
    expect(list.byName.get('a')).toEqual([{ objname: 'vmlinux', count: 2 }, { objname: 'mod', count: 1 }]);
    expect(list.exported.has('b')).toBe(true);
  });

  it('compares only the 27-byte header and tolerates CRLF and empty lines', () => {
    const list = parse('klp-convert-symbol-data.0.1 extra\r\n*vmlinux\r\n\r\nfoo\r\n\nbar');
    expect([...list.objects.get('vmlinux')!.keys()]).toEqual(['foo', 'bar']);
  });

  it.each([
    ['', 1],
    ['klp-convert-symbol-data.0.2\n*vmlinux\n', 1],
    ['klp-convert-symbol-data.0.1\nfoo\n*vmlinux\n', 2],
    ['klp-convert-symbol-data.0.1\n*vmlinux\n*bad.name\nx\n', 3],
    [`klp-convert-symbol-data.0.1\n*${'m'.repeat(56)}\n`, 2],
  ])('refuses %j, naming line %i', (text, line) => {
    let err: unknown;
    try {
      parse(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KlpError);
    expect((err as KlpError).kind).toBe('bad-symbols-file');
    expect((err as KlpError).where.line).toBe(line);
  });
});

// The parser before it scanned bytes (it decoded the whole file and split it into strings): the
// model the byte scanner must agree with, result for result and error for error.
function modelParse(bytes: Uint8Array, names?: ReadonlySet<string>): SymbolsList {
  const text = bytesToLatin1(bytes);
  const objects = new Map<string, Map<string, number>>();
  const exported = new Set<string>();
  let current: Map<string, number> | undefined;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (lineNo === 1) {
      if (!line.startsWith(SYMBOLS_FILE_MAGIC)) throw new KlpError('bad-symbols-file', `does not start with '${SYMBOLS_FILE_MAGIC}'`, { line: 1 });
      continue;
    }
    if (line === '') continue;
    if (line.charCodeAt(0) === 42) {
      const objname = line.slice(1);
      const bad = checkObjname(objname);
      if (bad) throw new KlpError('bad-symbols-file', bad, { line: lineNo });
      current = objects.get(objname) ?? objects.set(objname, new Map()).get(objname)!;
      continue;
    }
    const short = line.length > 40 ? `${line.slice(0, 40)}…` : line;
    if (!current) throw new KlpError('bad-symbols-file', `symbol '${short}' comes before any '*object' line`, { line: lineNo });
    if (line.length >= 512) throw new KlpError('bad-symbols-file', `symbol name '${short}' is longer than 511 characters`, { line: lineNo });
    if (line.startsWith('__ksymtab_')) {
      const name = line.slice('__ksymtab_'.length);
      if (!names || names.has(name)) exported.add(name);
    }
    if (names && !names.has(line)) continue;
    current.set(line, (current.get(line) ?? 0) + 1);
  }
  if (lineNo === 0) throw new KlpError('bad-symbols-file', `does not start with '${SYMBOLS_FILE_MAGIC}'`, { line: 1 });
  const byName = new Map<string, Array<{ objname: string; count: number }>>();
  for (const [objname, ns] of objects) for (const [name, count] of ns) (byName.get(name) ?? byName.set(name, []).get(name)!).push({ objname, count });
  return { objects, byName, exported };
}

const outcome = (f: () => SymbolsList) => {
  try {
    const l = f();
    return { objects: [...l.objects].map(([o, m]) => [o, [...m]]), byName: [...l.byName], exported: [...l.exported].sort() };
  } catch (e) {
    if (!(e instanceof KlpError)) throw e;
    return { error: e.kind, message: e.message, where: e.where };
  }
};

/** A reader that hands out the file `step` bytes at a time (and fewer when asked for fewer). */
const pieces = (bytes: Uint8Array, step: number): ByteReader => {
  let at = 0;
  return {
    read(into, offset, length) {
      const n = Math.min(length, step, bytes.length - at);
      into.set(bytes.subarray(at, at + n), offset);
      at += n;
      return n;
    },
  };
};

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('symbols.klp scanned as bytes', () => {
  // Lines that exercise every rule: names asked about or not, exports, CRs, empty lines, object
  // lines good and bad, long lines on both sides of the limit, bytes above 0x7f.
  const word = fc.oneof(
    fc.constantFrom('a', 'b', 'x', 'foo', 'printk', '__ksymtab_a', '__ksymtab_x\r', '__ksymtab_foo', '__ksymtab_', '__ksymtab_\xe9', '\xe9', 'x\r', 'a,b', '*'),
    fc.string({ unit: fc.constantFrom('a', 'b', '_', '\r', '\x00', '\xff', '*', '.'), maxLength: 6 }),
  );
  const line = fc.oneof(
    { weight: 6, arbitrary: word },
    { weight: 2, arbitrary: fc.constantFrom('*vmlinux', '*mod', '*mod\r', '*bad.name', '*', `*${'m'.repeat(56)}`, '', '\r', '\r\r') },
    { weight: 1, arbitrary: fc.constantFrom(510, 511, 512, 513, 700).map((n) => 'y'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(511, 512).map((n) => `${'z'.repeat(n)}\r`) },
  );
  const file = fc.record({
    header: fc.constantFrom(SYMBOLS_FILE_MAGIC, `${SYMBOLS_FILE_MAGIC} extra`, `${SYMBOLS_FILE_MAGIC}\r`, 'klp-convert-symbol-data.0.2', ''),
    first: fc.constantFrom('*vmlinux', '', 'a'),
    lines: fc.array(line, { maxLength: 40 }),
    end: fc.constantFrom('\n', '', '\r\n'),
  }).map(({ header, first, lines, end }) => latin1(`${[header, first, ...lines].join('\n')}${end}`));
  const wanted = fc.option(fc.uniqueArray(word, { maxLength: 6 }).map((xs) => new Set(xs)), { nil: undefined });

  it.each(['wasm', 'js'] as const)('agrees with the string-splitting parser, whole or read in pieces (%s scanner)', (engine) => {
    fc.assert(
      fc.property(file, wanted, fc.integer({ min: 1, max: 700 }), (bytes, names, step) => {
        const opts = names ? { names } : {};
        const expected = outcome(() => modelParse(bytes, names));
        expect(outcome(() => parseWith(bytes, opts, engine))).toEqual(expected);
        expect(outcome(() => parseWith(pieces(bytes, step), opts, engine))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(['wasm', 'js'] as const)('grows its buffer for a line longer than a chunk (%s scanner)', (engine) => {
    const long = 'q'.repeat(200_000);
    for (const text of [`${SYMBOLS_FILE_MAGIC}\n*vmlinux\na\n*${long}\n`, `${SYMBOLS_FILE_MAGIC}${long}\n*vmlinux\na\n${long}\n`]) {
      const bytes = latin1(text);
      const expected = outcome(() => modelParse(bytes, new Set(['a'])));
      expect(outcome(() => parseWith(pieces(bytes, 70_000), { names: new Set(['a']) }, engine))).toEqual(expected);
      expect(outcome(() => parseWith(bytes, { names: new Set(['a']) }, engine))).toEqual(expected);
    }
  });

  it('matches a kernel-sized file the same in WebAssembly and JavaScript, with more hits than the hit list holds', () => {
    const names = Array.from({ length: 9000 }, (_, i) => `sym_${i.toString(36)}`);
    const lines = [SYMBOLS_FILE_MAGIC, '*vmlinux'];
    for (const [i, n] of names.entries()) lines.push(...(i % 3 === 0 ? [`__ksymtab_${n}`, n] : [n, `other_${i}`]));
    lines.push('*mod', ...names.slice(0, 5000));
    const bytes = latin1(`${lines.join('\n')}\n`);
    const wanted = { names: new Set([...names.filter((_, i) => i % 2 === 0), 'absent', '']) };
    const expected = outcome(() => modelParse(bytes, wanted.names));
    expect(outcome(() => parseWith(bytes, wanted, 'wasm'))).toEqual(expected);
    expect(outcome(() => parseWith(pieces(bytes, 65_536), wanted, 'wasm'))).toEqual(expected);
    expect(outcome(() => parseSymbolsFile(bytes, wanted))).toEqual(expected);
    expect(outcome(() => parseWith(bytes, wanted, 'js'))).toEqual(expected);
  });

  it('counts only the names asked about, by object and sympos order', () => {
    const bytes = latin1(`${SYMBOLS_FILE_MAGIC}\n*vmlinux\n__ksymtab_a\na\nb\na\n*mod\na\nc\n*vmlinux\nb\n`);
    const list = parseSymbolsFile(pieces(bytes, 3), { names: new Set(['a', 'b', 'zz']) });
    expect([...list.objects.keys()]).toEqual(['vmlinux', 'mod']);
    expect(list.byName.get('a')).toEqual([{ objname: 'vmlinux', count: 2 }, { objname: 'mod', count: 1 }]);
    expect(list.byName.get('b')).toEqual([{ objname: 'vmlinux', count: 2 }]);
    expect(list.byName.has('c')).toBe(false);
    expect([...list.exported]).toEqual(['a']);
  });
});

describe('the WebAssembly scanner', () => {
  it('ships the bytes symbols-scan-asm.ts assembles', () => {
    const current = Buffer.from(assemble()).toString('base64');
    // On a change to symbols-scan-asm.ts, paste this into symbols-scan.ts's SCANNER_WASM.
    expect(SCANNER_WASM, `SCANNER_WASM should be:\n${current.match(/.{1,96}/g)!.map((l) => `  '${l}'`).join(' +\n')};`).toBe(current);
  });

  it('runs on this Node (else parseSymbolsFile falls back to JavaScript and this suite checks only that)', () => {
    expect(createScanner(scannerMemory(16, 0, 0, 1024), 16)).toBeDefined();
  });
});
