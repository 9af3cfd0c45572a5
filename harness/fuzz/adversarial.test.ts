import { describe, expect, it } from 'vitest';
import { convert } from '../../src/index.js';
import { SHN_XINDEX, SHT_NOBITS, SHT_PROGBITS, SHT_RELA, SHT_STRTAB, SHT_SYMTAB } from '../../src/elf/index.js';
import { KlpError } from '../../src/klp/index.js';
import { craftElf64, relas64, symbols64, type CraftSection } from './craft.js';

// Hostile objects random mutation of small seeds does not reach. Each must be refused with a typed
// error (or converted), without allocating in proportion to what its headers claim; a regression
// here shows up as a heap exhaustion or a test timeout, not as a timing assertion.
const symbolsKlp = new TextEncoder().encode('klp-convert-symbol-data.0.1\n*vmlinux\nfoo\n');
const strtab = (text: string): CraftSection => ({ name: '.strtab', type: SHT_STRTAB, data: new TextEncoder().encode(text) });
const text: CraftSection = { name: '.text', type: SHT_PROGBITS, data: new Uint8Array(64) };
const symtab = (count: number, extra: Partial<CraftSection> = {}): CraftSection => ({
  name: '.symtab', type: SHT_SYMTAB, data: symbols64(count, () => 1), link: 2, info: 1, entsize: 24n, ...extra,
});
const rela = (count: number, extra: Partial<CraftSection> = {}): CraftSection => ({
  name: '.rela.text', type: SHT_RELA, data: relas64(count, () => 1), link: 3, info: 1, entsize: 24n, ...extra,
});

function outcome(bytes: Uint8Array, symbols: Uint8Array | undefined = symbolsKlp): string {
  try {
    convert(bytes, symbols ? { symbols } : {});
    return 'convert';
  } catch (e) {
    if (e instanceof KlpError) return `${e.kind}: ${e.reason}`;
    throw e;
  }
}

describe('hostile objects', () => {
  it('a base case converts', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4)]))).toBe('convert');
  });

  it('decodes a long name once, however many symbols name it', () => {
    const big = new Uint8Array(2_000_001).fill(0x61);
    big[big.length - 1] = 0;
    const bytes = craftElf64([text, { name: '.strtab', type: SHT_STRTAB, data: big }, { ...symtab(40_000), data: symbols64(40_000, (i) => i) }, rela(4)]);
    expect(outcome(bytes)).toMatch(/^missing-symbol: .*longer than 511/);
  }, 20_000);

  it('refuses section headers that all claim one large blob before copying it for each', () => {
    const bytes = craftElf64([{ name: '.data', type: SHT_PROGBITS, data: new Uint8Array(1 << 20) }], { repeatLast: 20_000 });
    expect(outcome(bytes, undefined)).toMatch(/^bad-elf: section contents add up to more than/);
  }, 20_000);

  it('refuses an extended section count of billions', () => {
    expect(outcome(craftElf64([text], { shnum: 0, zeroSize: 3_000_000_000n }))).toMatch(/^bad-elf: section header table \(3000000000 entries/);
  });

  it('takes a NOBITS section of 2^40 bytes without allocating it', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4), { name: '.bss', type: SHT_NOBITS, size: 1n << 40n }]))).toBe('convert');
  });

  it('refuses a relocation section claiming 2^40 bytes', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4, { size: 1n << 40n })]))).toMatch(/^bad-elf: contents \(0x10000000000 bytes/);
  });

  it('refuses alignments that would make the rewritten object huge, and ones that are not powers of two', () => {
    expect(outcome(craftElf64([{ ...text, addralign: 1n << 40n }, strtab('\0foo\0'), symtab(4), rela(4)]))).toMatch(/^bad-elf: section alignments would make/);
    expect(outcome(craftElf64([{ ...text, addralign: 3n }, strtab('\0foo\0'), symtab(4), rela(4)]))).toMatch(/^bad-elf: sh_addralign 0x3 is not a power of two/);
  });

  it('refuses a section name table that is not a string table', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4)], { shstrndx: 4 }))).toMatch(/^bad-elf: section name string table \(e_shstrndx 4\) has type 4/);
  });

  it('refuses a symbol table linked to something other than a string table', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4, { link: 1 }), rela(4)]))).toMatch(/^bad-elf: sh_link 1 names section \.text, which is not a string table/);
  });

  it('refuses a relocation section linked to something other than a symbol table', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4, { link: 2 })]))).toMatch(/^bad-elf: sh_link 2 names section \.strtab, which is not a symbol table/);
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4, { link: 0 })]))).toMatch(/^bad-elf: sh_link 0 names no section/);
  });

  it('refuses a symbols.klp name longer than KSYM_NAME_LEN allows', () => {
    const klp = new TextEncoder().encode(`klp-convert-symbol-data.0.1\n*vmlinux\nfoo\n${'x'.repeat(512)}\n`);
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4)]), klp)).toMatch(/^bad-symbols-file: symbol name 'x{40}…' is longer than 511 characters/);
  });

  it('refuses SHN_XINDEX without SHT_SYMTAB_SHNDX', () => {
    const syms = symbols64(4, () => 1);
    new DataView(syms.buffer).setUint16(24 + 6, SHN_XINDEX, true);
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4, { data: syms }), rela(4)]))).toMatch(/^bad-elf: symbol 1 uses SHN_XINDEX/);
  });

  it('refuses relocations to symbols past the end of the table', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4, { data: relas64(4, () => 0xffffffff) })]))).toMatch(/^bad-elf: relocation 0 refers to symbol 4294967295/);
  });

  it('refuses a relocation section without a base', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4), rela(4, { info: 0 })]))).toMatch(/^bad-elf: sh_info 0 names no section/);
  });

  it('ignores sh_entsize 0 (the record size is the class\'s)', () => {
    expect(outcome(craftElf64([text, strtab('\0foo\0'), symtab(4, { entsize: 0n }), rela(4, { entsize: 0n })]))).toBe('convert');
  });
});
