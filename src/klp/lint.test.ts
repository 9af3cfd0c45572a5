import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convert } from '../convert.js';
import {
  decodeSymbols, type ElfObject, encodeSymbols, readElf, SHF_ALLOC, SHF_RELA_LIVEPATCH, STB_LOCAL,
  symtabIndex, writeElf,
} from '../elf/index.js';
import { lintErrors, lintModule, lintModuleBytes, type LintRule } from './lint.js';
import { parseKlpSectionName, parseKlpSymbolName } from './names.js';
import { parseSymbolsFile } from './symbols-file.js';
import { moduleBytes, pc32, R_X86_64_64, symbolsFile, text, data } from './test-objects.js';

const LIST_TEXT = '*vmlinux\nsaved_command_line\ndup\ndup\n__ksymtab_printk\nprintk\n*test_mod\nmod_only\n';
const LIST = symbolsFile(LIST_TEXT);
const list = parseSymbolsFile(LIST);
const modinfo = { name: '.modinfo', flags: SHF_ALLOC, data: new TextEncoder().encode('license=GPL\0livepatch=Y\0') };

/** A small livepatch module, converted by our converter: the lint's clean baseline. */
function converted(extra: { modinfo?: boolean } = {}): ElfObject {
  const input = moduleBytes({
    sections: [text('.text'), data('.data'), ...(extra.modinfo === false ? [] : [modinfo])],
    symbols: [{ name: 'local_fn', bind: STB_LOCAL, section: '.text', type: 2 }, { name: 'saved_command_line' }, { name: 'printk' }, { name: 'mod_only' }],
    relocs: {
      '.text': [pc32(3, 'saved_command_line'), pc32(9, 'printk'), pc32(21, 'local_fn'), pc32(27, 'mod_only')],
      '.data': [{ offset: 0n, type: R_X86_64_64, symbol: 'saved_command_line' }],
    },
  });
  return readElf(convert(input, { symbols: LIST }).output);
}

const rules = (obj: ElfObject, withList = true): LintRule[] => lintErrors(lintModule(obj, withList ? { symbolsList: list } : {})).map((f) => f.rule);
const section = (obj: ElfObject, name: string) => obj.sections.find((s) => s.name === name)!;
const roundTrip = (obj: ElfObject): ElfObject => readElf(writeElf(obj));

describe('lint: the loader rules on a converted module', () => {
  it('finds nothing wrong with our own output', () => {
    const r = lintModule(converted(), { symbolsList: list });
    expect(r.findings).toEqual([]);
    expect(r.unchecked).toEqual([]);
  });

  it('warns about a little-endian ppc64 module whose e_flags lost the ELF ABI (v7 writes 0)', () => {
    const ppc = (flags: number) => readElf(moduleBytes({ machine: 21, flags, sections: [text('.text')] }));
    const warn = (flags: number) => lintModule(ppc(flags), {}).findings.filter((f) => f.rule === 'elf-abi');
    expect(warn(2)).toEqual([]);
    expect(warn(0)).toMatchObject([{ rule: 'elf-abi', severity: 'warning' }]);
    expect(warn(0)[0]!.message).toMatch(/ABI level 0, not 2: Linux ≥ 6.2 refuses/);
  });

  it('says what it could not check without symbols.klp', () => {
    const r = lintModule(converted(), {});
    expect(r.findings).toEqual([]);
    expect(r.unchecked.map((u) => u.rule).sort()).toEqual(['klp-symbol-sympos', 'unresolved-symbol']);
  });

  it('an unconverted module: undefined non-exported symbols make insmod fail', () => {
    const input = readElf(moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }, { name: 'printk' }], relocs: { '.text': [pc32(3, 'saved_command_line'), pc32(9, 'printk')] } }));
    const errors = lintErrors(lintModule(input, { symbolsList: list }));
    expect(errors.map((f) => [f.rule, f.where.symbol])).toEqual([['unresolved-symbol', 'saved_command_line']]);
    expect(errors[0]!.message).toMatch(/Unknown symbol saved_command_line/);
  });

  it('a klp rela section without SHF_RELA_LIVEPATCH, or without SHF_ALLOC', () => {
    const obj = converted();
    section(obj, '.klp.rela.vmlinux..text').flags = SHF_ALLOC;
    expect(rules(obj)).toEqual(['klp-section-header']);
    section(obj, '.klp.rela.vmlinux..text').flags = SHF_RELA_LIVEPATCH;
    expect(rules(obj)).toEqual(['klp-section-header']);
  });

  it('a klp rela section whose sh_link is not .symtab or whose sh_info is not allocated', () => {
    const obj = converted();
    const klp = section(obj, '.klp.rela.vmlinux..text');
    klp.link = 1;
    expect(rules(obj)).toEqual(['klp-section-header']);
    klp.link = symtabIndex(obj);
    klp.info = obj.sections.findIndex((s) => s.name === '.strtab');
    expect(rules(obj)).toContain('klp-section-header');
  });

  it('klp names the kernel cannot parse: a long objname, a missing sympos', () => {
    expect(parseKlpSectionName('.klp.rela.vmlinux..text')).toBe('vmlinux');
    expect(parseKlpSectionName('.klp.rela.vmlinux.text')).toBe('vmlinux');
    expect(parseKlpSectionName(`.klp.rela.${'m'.repeat(56)}..text`)).toHaveProperty('reason');
    expect(parseKlpSectionName(`.klp.rela.${'m'.repeat(55)}..text`)).toBe('m'.repeat(55));
    expect(parseKlpSymbolName('.klp.sym.vmlinux.foo.cold,2')).toEqual({ objname: 'vmlinux', name: 'foo.cold', sympos: 2 });
    expect(typeof parseKlpSymbolName('.klp.sym.vmlinux.foo')).toBe('string');
    expect(typeof parseKlpSymbolName(`.klp.sym.vmlinux.${'x'.repeat(512)},0`)).toBe('string');
    expect(typeof parseKlpSymbolName(`.klp.sym.${'m'.repeat(56)}.x,0`)).toBe('string');
  });

  it('a klp symbol that is not SHN_LIVEPATCH; an ordinary rela to a klp symbol', () => {
    const obj = converted();
    const symtab = symtabIndex(obj);
    const syms = decodeSymbols(obj, symtab);
    const klp = syms.findIndex((s) => s.name === '.klp.sym.vmlinux.saved_command_line,0');
    syms[klp]!.shndx = 0;
    encodeSymbols(obj, symtab, syms);
    expect(rules(obj)).toEqual(expect.arrayContaining(['klp-symbol-shndx']));

    const v4 = converted();
    // What the v4 bug left behind: a second rela of a shared symbol still in .rela.text.
    const moved = section(v4, '.klp.rela.vmlinux..text');
    const relaText = section(v4, '.rela.text');
    relaText.data = new Uint8Array([...relaText.data, ...moved.data.subarray(0, 24)]);
    relaText.data.fill(0, relaText.data.length - 24, relaText.data.length - 16);
    relaText.data[relaText.data.length - 24] = 40; // a fresh offset, so the only problem is the symbol
    relaText.size = relaText.data.length;
    expect(rules(roundTrip(v4))).toEqual(['ordinary-rela-to-klp-symbol']);
  });

  it('sympos against symbols.klp: not found, ambiguous, out of range', () => {
    const rename = (from: string, to: string): LintRule[] => {
      const obj = converted();
      const symtab = symtabIndex(obj);
      const syms = decodeSymbols(obj, symtab);
      const strtab = obj.sections[obj.sections[symtab]!.link]!;
      const s = syms.find((x) => x.name === from)!;
      const bytes = new TextEncoder().encode(`${to}\0`);
      s.nameOffset = strtab.data.length;
      s.name = to;
      strtab.data = new Uint8Array([...strtab.data, ...bytes]);
      strtab.size = strtab.data.length;
      encodeSymbols(obj, symtab, syms);
      return rules(roundTrip(obj));
    };
    const from = '.klp.sym.vmlinux.saved_command_line,0';
    expect(rename(from, '.klp.sym.vmlinux.dup,0')).toEqual(['klp-symbol-sympos']);
    expect(rename(from, '.klp.sym.vmlinux.dup,2')).toEqual([]);
    expect(rename(from, '.klp.sym.vmlinux.dup,3')).toEqual(['klp-symbol-sympos']);
    expect(rename(from, '.klp.sym.vmlinux.nowhere,0')).toEqual(['klp-symbol-sympos']);
    // A module object's klp rela section may not name a vmlinux symbol.
    expect(rename('.klp.sym.test_mod.mod_only,0', '.klp.sym.vmlinux.dup,1')).toEqual(['module-section-vmlinux-symbol']);
  });

  it('x86: nonzero bytes at a klp relocation target; a type the loader does not know', () => {
    const obj = converted();
    section(obj, '.text').data[3] = 0xe8;
    expect(rules(obj)).toEqual(['nonzero-target']);
    section(obj, '.text').data[3] = 0;
    const klp = section(obj, '.klp.rela.vmlinux..text');
    klp.data[8] = 9; // R_X86_64_GOTPCREL
    expect(rules(obj)).toEqual(['unsupported-relocation-type']);
  });

  it('locals after globals, and a wrong .symtab sh_info', () => {
    const obj = converted();
    obj.sections[symtabIndex(obj)]!.info = 5;
    expect(rules(obj)).toEqual(['symtab-order']);
  });

  it('a module with klp relocations must carry livepatch=Y', () => {
    const obj = converted();
    section(obj, '.modinfo').data = new TextEncoder().encode('license=GPL\0');
    expect(rules(obj)).toEqual(['livepatch-modinfo']);
    const bare = lintModule(converted({ modinfo: false }), { symbolsList: list });
    expect(lintErrors(bare)).toEqual([]);
    expect(bare.findings.map((f) => [f.rule, f.severity])).toEqual([['livepatch-modinfo', 'warning']]);
  });

  it('annotation leftovers', () => {
    const obj = readElf(moduleBytes({ sections: [text('.text'), modinfo], symbols: [{ name: '.klp.sym.rela.vmlinux.vmlinux.saved_command_line,0' }], relocs: { '.text': [pc32(3, '.klp.sym.rela.vmlinux.vmlinux.saved_command_line,0')] } }));
    expect(rules(obj, false)).toEqual(['annotation-leftover']);
  });

  it('a file that is not ELF is one finding, not an exception', () => {
    const r = lintModuleBytes(new TextEncoder().encode('not an elf file at all, but long enough'));
    expect(r.findings.map((f) => f.rule)).toEqual(['elf']);
  });
});

// Every corpus case our converter accepts must pass the lint: a failure is a converter bug.
describe('lint: our output for every corpus case', () => {
  const root = join(import.meta.dirname, '../../cases/compiled');
  const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'input.ko'))).sort() : [];
  it.skipIf(dirs.length === 0)(`${dirs.length} cases`, () => {
    const failures: string[] = [];
    for (const d of dirs) {
      const input = readFileSync(join(root, d, 'input.ko'));
      const symbolsPath = join(root, d, 'symbols.klp');
      const symbols = existsSync(symbolsPath) ? readFileSync(symbolsPath) : undefined;
      let output: Uint8Array;
      try {
        output = convert(input, symbols ? { symbols } : {}).output;
      } catch {
        continue; // refused: the differential tests judge that
      }
      const r = lintModuleBytes(output, symbols ? { symbolsList: parseSymbolsFile(symbols) } : {});
      for (const f of lintErrors(r)) failures.push(`${d}: ${f.rule}: ${f.message}`);
    }
    expect(failures).toEqual([]);
  });
});

