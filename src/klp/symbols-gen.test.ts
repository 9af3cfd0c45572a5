import { describe, expect, it } from 'vitest';
import { bytesToLatin1, SHF_ALLOC, SHF_EXECINSTR, STB_LOCAL } from '../elf/index.js';
import { convert } from '../convert.js';
import { parseSymbolsFile } from './symbols-file.js';
import {
  generateSymbolsFile, moduleSymbols, parseKallsyms, parseModuleSymvers, parseSystemMap, vmlinuxSymbols,
} from './symbols-gen.js';
import { moduleBytes, pc32, text } from './test-objects.js';

// A /proc/kallsyms excerpt: two `dup`s in vmlinux (address order), one in a module, an exported
// symbol and its __ksymtab_ entry, and lines of pseudo-modules and undefined symbols.
const KALLSYMS = `ffffffff81000000 T _stext
ffffffff81001000 t dup
ffffffff81002000 T printk
ffffffff81003000 t dup
ffffffff82000000 r __ksymtab_printk
ffffffff83000000 B saved_command_line
ffffffffc0001000 t mod_fn\t[test_mod]
ffffffffc0002000 t dup\t[test_mod]
ffffffffc0002000 U printk\t[test_mod]
ffffffffc0003000 t ftrace_trampoline\t[__builtin__ftrace]
ffffffffc0004000 t bpf_prog_1234\t[bpf]
`;

const text8 = (s: Uint8Array): string => bytesToLatin1(s);

describe('symbols.klp from kallsyms', () => {
  it('keeps kallsyms order within each object, vmlinux first, exports marked', () => {
    const out = text8(generateSymbolsFile({ kallsyms: parseKallsyms(KALLSYMS) }));
    expect(out).toBe(
      'klp-convert-symbol-data.0.1\n*vmlinux\n_stext\ndup\nprintk\ndup\n__ksymtab_printk\nsaved_command_line\n*test_mod\nmod_fn\ndup\n',
    );
  });

  it('the Nth duplicate in the file is the one the kernel calls sympos N', () => {
    const list = parseSymbolsFile(generateSymbolsFile({ kallsyms: parseKallsyms(KALLSYMS) }));
    expect(list.objects.get('vmlinux')!.get('dup')).toBe(2);
    expect(list.objects.get('test_mod')!.get('dup')).toBe(1);
    expect(list.exported.has('printk')).toBe(true);
    expect(list.exported.has('saved_command_line')).toBe(false);
  });

  it('adds Module.symvers exports the names did not mark, sorted; objects by name after vmlinux', () => {
    const symvers = parseModuleSymvers('0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n0x0\tzeta\tvmlinux\tEXPORT_SYMBOL_GPL\t\n0x0\talpha\tvmlinux\tEXPORT_SYMBOL\t\n0x0\tmod_api\tdrivers/foo/a-mod\tEXPORT_SYMBOL\tNS\n');
    const out = text8(generateSymbolsFile({ kallsyms: parseKallsyms(KALLSYMS), exports: symvers }));
    expect(out.split('\n')).toEqual([
      'klp-convert-symbol-data.0.1', '*vmlinux', '_stext', 'dup', 'printk', 'dup', '__ksymtab_printk', 'saved_command_line',
      '__ksymtab_alpha', '__ksymtab_zeta', '*a_mod', '__ksymtab_mod_api', '*test_mod', 'mod_fn', 'dup', '',
    ]);
  });

  it('is deterministic whatever order the module inputs come in', () => {
    const a = { objname: 'zmod', names: ['x'] };
    const b = { objname: 'amod', names: ['y', 'x'] };
    expect(generateSymbolsFile({ modules: [a, b] })).toEqual(generateSymbolsFile({ modules: [b, a] }));
  });

  it('kallsyms wins over System.map for vmlinux', () => {
    const out = text8(generateSymbolsFile({ kallsyms: parseKallsyms(KALLSYMS), vmlinux: parseSystemMap('ffffffff81000000 T other\n') }));
    expect(out).not.toContain('other');
  });

  it('System.map: file order, without the names kallsyms leaves out', () => {
    const map = parseSystemMap('0000000000000000 A __crc_printk\nffffffff81000000 T _stext\nffffffff81001000 t dup\nffffffff81002000 r __kstrtab_printk\nffffffff81003000 t dup\n');
    expect(map).toEqual({ objname: 'vmlinux', names: ['_stext', 'dup', 'dup'] });
  });

  it('refuses a line that is not kallsyms, saying which', () => {
    expect(() => parseKallsyms('ffffffff81000000 T ok\nnot a kallsyms line at all\n')).toThrow(/kallsyms line/);
  });
});

describe('symbols.klp from a vmlinux symbol table', () => {
  it('sorts by address as scripts/kallsyms does; ties keep symbol table order; section, file, undefined and __crc_ symbols left out', () => {
    const vmlinux = moduleBytes({
      sections: [text('.text')],
      symbols: [
        { name: 'vmlinux.c', bind: STB_LOCAL, type: 4, section: 0xfff1 },
        { name: 'dup', bind: STB_LOCAL, section: '.text', value: 0x30n, type: 2 },
        { name: 'first', bind: STB_LOCAL, section: '.text', value: 0x10n, type: 2 },
        { name: 'dup', bind: STB_LOCAL, section: '.text', value: 0x20n, type: 2 },
        { name: 'alias', section: '.text', value: 0x20n, type: 2 },
        { name: '__crc_first', section: 0xfff1 },
        { name: 'undefined_one' },
      ],
    });
    expect(vmlinuxSymbols(vmlinux)).toEqual({ objname: 'vmlinux', names: ['first', 'dup', 'alias', 'dup'] });
  });
});

describe('symbols.klp from a module file', () => {
  const mod = moduleBytes({
    sections: [
      text('.text'),
      { name: '.init.text', flags: SHF_ALLOC | SHF_EXECINSTR, data: new Uint8Array(16) },
      { name: '.comment', data: new Uint8Array(4) },
      { name: '.modinfo', flags: SHF_ALLOC, data: new TextEncoder().encode('license=GPL\0name=real_name\0') },
    ],
    symbols: [
      { name: 'dup', bind: STB_LOCAL, section: '.text', type: 2 },
      { name: 'init_only', bind: STB_LOCAL, section: '.init.text', type: 2 },
      { name: 'not_alloc', bind: STB_LOCAL, section: '.comment' },
      { name: '__ksymtab_api', bind: STB_LOCAL, section: '.text' },
      { name: 'dup', bind: STB_LOCAL, section: '.text', value: 8n, type: 2 },
      { name: 'api', section: '.text' },
      { name: 'printk' },
    ],
  });

  it('lists what the loaded module keeps in kallsyms, in symbol table order, under its modinfo name', () => {
    const { symbols, exports } = moduleSymbols(mod, 'file-name');
    expect(symbols).toEqual({ objname: 'real_name', names: ['dup', '__ksymtab_api', 'dup', 'api'] });
    expect([...exports]).toEqual(['api']);
  });

  it('falls back to the file name, with - as _ (as the kernel names modules)', () => {
    const bare = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'f', section: '.text' }] });
    expect(moduleSymbols(bare, 'my-mod').symbols.objname).toBe('my_mod');
  });
});

describe('the generated file drives the converter', () => {
  it('a sympos-free conversion of a unique name; refusal of an ambiguous one', () => {
    const symbols = generateSymbolsFile({ kallsyms: parseKallsyms(KALLSYMS) });
    const ok = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }, { name: 'printk' }], relocs: { '.text': [pc32(3, 'saved_command_line'), pc32(9, 'printk')] } });
    const r = convert(ok, { symbols });
    expect(r.report.symbols.map((s) => s.newName)).toEqual(['.klp.sym.vmlinux.saved_command_line,0']);
    const amb = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'dup' }], relocs: { '.text': [pc32(3, 'dup')] } });
    expect(() => convert(amb, { symbols })).toThrow(/ambiguous/);
  });
});
