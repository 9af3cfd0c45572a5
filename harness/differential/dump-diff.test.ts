// The canonical dump and the differ, on an object compiled with the host gcc.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/elf/index.js';
import { colourDiff, differingBlockKeys, firstDifferingOffset, sectionDiff } from './diff.js';
import { dumpObject, dumpText, type DumpBlock } from './dump.js';
import { sharedSymbolUse } from './list.js';
import { compileObject, tempDir } from '../testing/fixtures.js';

let blocks: DumpBlock[];
let bytes: Uint8Array;

beforeAll(() => {
  bytes = readFileSync(compileObject(tempDir()));
  blocks = dumpObject(readElf(bytes));
});

describe('dump', () => {
  it('has a header block with e_flags and one block per section, relocations resolved', () => {
    expect(blocks[0]!.key).toBe('header');
    expect(blocks[0]!.text).toMatch(/flags 0x0/);
    const keys = blocks.map((b) => b.key);
    expect(keys).toContain('.text.patched_a');
    expect(keys).toContain('.rela.text.patched_a');
    const rela = blocks.find((b) => b.key === '.rela.text.patched_a')!.text;
    expect(rela).toMatch(/R_X86_64_\w+\s+klp_shared/);
    expect(rela).toMatch(/link \.symtab {2}info \.text\.patched_a/);
    const symtab = blocks.find((b) => b.key === '.symtab')!.text;
    expect(symtab).toMatch(/GLOBAL NOTYPE DEFAULT UNDEF .*"klp_shared"/);
  });

  it('is deterministic text', () => {
    expect(dumpText(dumpObject(readElf(bytes)))).toBe(dumpText(blocks));
  });
});

describe('diff', () => {
  it('diffs only the sections that differ', () => {
    const changed = blocks.map((b) => (b.key === '.symtab' ? { ...b, text: b.text.replace('"klp_shared"', '"klp_other"') } : b));
    expect(differingBlockKeys(blocks, changed)).toEqual(['.symtab']);
    const d = sectionDiff(blocks, changed, 'case');
    expect(d.text).toContain('--- reference/case');
    expect(d.text).toContain('+++ ours/case');
    expect(d.text).toContain('-');
    expect(d.text).toContain('+    ');
    expect(d.text).not.toContain('section .text.patched_a');
  });

  it('reports a section present on one side only', () => {
    const fewer = blocks.filter((b) => b.key !== '.comment');
    expect(differingBlockKeys(blocks, fewer)).toEqual(['.comment']);
  });

  it('finds the first differing offset, or the shorter length, or null', () => {
    expect(firstDifferingOffset(new Uint8Array([1, 2, 3]), new Uint8Array([1, 9, 3]))).toBe(1);
    expect(firstDifferingOffset(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(2);
    expect(firstDifferingOffset(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBeNull();
  });

  it('colours only when asked', () => {
    expect(colourDiff('-a\n+b', false)).toBe('-a\n+b');
    expect(colourDiff('-a\n+b', true)).toContain('\u001b[');
  });
});

describe('shared symbols', () => {
  it('counts relocations per undefined symbol and the sections they sit in', () => {
    const s = sharedSymbolUse(bytes);
    expect(s.sharedSymbols).toContain('klp_shared');
    expect(s.sharedAcrossSections).toEqual(['klp_shared']);
  });
});
