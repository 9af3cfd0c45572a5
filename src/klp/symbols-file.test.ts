import { describe, expect, it } from 'vitest';
import { KlpError } from './errors.js';
import { parseSymbolsFile } from './symbols-file.js';

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
