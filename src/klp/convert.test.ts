import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convert } from '../convert.js';
import {
  decodeRelocs, decodeSymbols, type ElfObject, EM, isRelocSection, readElf, SHF_ALLOC, SHF_GROUP,
  SHF_LINK_ORDER, SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, SHT_GROUP, STB_LOCAL, symtabIndex, writeElf,
} from '../elf/index.js';
import { KlpError } from './errors.js';
import { annotationSection, data, moduleBytes, pc32, R_X86_64_64, symbolsFile, text } from './test-objects.js';

const LIST = symbolsFile('*vmlinux\nsaved_command_line\ndup\ndup\n__ksymtab_printk\nprintk\n*test_mod\ndup\nmod_only\n');

function relocsByName(obj: ElfObject): Record<string, Array<{ offset: bigint; symbol: string }>> {
  const syms = decodeSymbols(obj, symtabIndex(obj));
  const out: Record<string, Array<{ offset: bigint; symbol: string }>> = {};
  for (const s of obj.sections) {
    if (isRelocSection(s)) out[s.name] = decodeRelocs(obj.header.ident, s).map((r) => ({ offset: r.offset, symbol: syms[r.symbol]!.name }));
  }
  return out;
}

function refused(f: () => unknown): KlpError {
  try {
    f();
  } catch (e) {
    if (e instanceof KlpError) return e;
    throw e;
  }
  throw new Error('expected a KlpError');
}

describe('symbols-list dialect', () => {
  const shared = moduleBytes({
    sections: [text('.text'), text('.text.unlikely'), data('.data')],
    symbols: [{ name: 'local_fn', bind: STB_LOCAL, section: '.text', type: 2 }, { name: 'saved_command_line' }, { name: 'printk' }, { name: 'mod_only' }],
    relocs: {
      '.text': [pc32(3, 'saved_command_line'), pc32(9, 'printk'), pc32(15, 'saved_command_line'), pc32(21, 'local_fn'), pc32(27, 'saved_command_line')],
      '.text.unlikely': [pc32(1, 'mod_only'), pc32(5, 'saved_command_line')],
      '.data': [{ offset: 0n, type: R_X86_64_64, symbol: 'saved_command_line' }],
    },
  });

  it('moves every rela of a shared symbol, from every section, in order', () => {
    const out = readElf(convert(shared, { symbols: LIST }).output);
    const relocs = relocsByName(out);
    const klp = '.klp.sym.vmlinux.saved_command_line,0';
    expect(relocs['.rela.text']).toEqual([{ offset: 9n, symbol: 'printk' }, { offset: 21n, symbol: 'local_fn' }]);
    expect(relocs['.rela.text.unlikely']).toEqual([]);
    expect(relocs['.klp.rela.vmlinux..text']).toEqual([3n, 15n, 27n].map((offset) => ({ offset, symbol: klp })));
    expect(relocs['.klp.rela.test_mod..text.unlikely']).toEqual([{ offset: 1n, symbol: '.klp.sym.test_mod.mod_only,0' }]);
    expect(relocs['.klp.rela.vmlinux..text.unlikely']).toEqual([{ offset: 5n, symbol: klp }]);
    expect(relocs['.klp.rela.vmlinux..data']).toEqual([{ offset: 0n, symbol: klp }]);
    // First-use order, after every existing section.
    const names = out.sections.map((s) => s.name);
    expect(names.slice(-4)).toEqual(['.klp.rela.vmlinux..text', '.klp.rela.test_mod..text.unlikely', '.klp.rela.vmlinux..text.unlikely', '.klp.rela.vmlinux..data']);
  });

  it('gives klp rela sections the kernel header and livepatch symbols SHN_LIVEPATCH', () => {
    const out = readElf(convert(shared, { symbols: LIST }).output);
    const klp = out.sections.find((s) => s.name === '.klp.rela.vmlinux..text')!;
    expect(klp.flags).toBe(SHF_ALLOC | SHF_RELA_LIVEPATCH);
    expect(out.sections[klp.link]!.name).toBe('.symtab');
    expect(out.sections[klp.info]!.name).toBe('.text');
    expect([klp.entsize, klp.addralign]).toEqual([24n, 8n]);
    const syms = decodeSymbols(out, symtabIndex(out));
    const sym = syms.find((s) => s.name === '.klp.sym.vmlinux.saved_command_line,0')!;
    expect(sym.shndx).toBe(SHN_LIVEPATCH);
    expect(syms.find((s) => s.name === 'printk')!.shndx).toBe(0);
    expect(out.sections[symtabIndex(out)]!.info).toBe(syms.filter((s) => s.bind === STB_LOCAL).length);
  });

  it('reports per symbol how many relas moved from which sections', () => {
    const { report } = convert(shared, { symbols: LIST });
    expect(report.symbols.find((s) => s.name === 'saved_command_line')).toMatchObject({
      objname: 'vmlinux',
      sympos: 0,
      movedFrom: { '.rela.text': 3, '.rela.text.unlikely': 1, '.rela.data': 1 },
    });
  });

  it('leaves exported symbols and .TOC. alone', () => {
    const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: '.TOC.' }, { name: 'printk' }], relocs: { '.text': [pc32(0, '.TOC.'), pc32(4, 'printk')] } });
    const out = readElf(convert(input, { symbols: LIST }).output);
    expect(out.sections.some((s) => s.name.startsWith('.klp.rela.'))).toBe(false);
  });

  it('names the missing symbol', () => {
    const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'nowhere' }], relocs: { '.text': [pc32(0, 'nowhere')] } });
    const e = refused(() => convert(input, { symbols: LIST }));
    expect(e.kind).toBe('missing-symbol');
    expect(e.where.symbol).toBe('nowhere');
  });

  it('lists every valid KLP_SYMPOS per object, numbered from 1, for an ambiguous name', () => {
    const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'dup' }], relocs: { '.text': [pc32(0, 'dup')] } });
    const e = refused(() => convert(input, { symbols: LIST }));
    expect(e.kind).toBe('ambiguous-symbol');
    expect(e.hint.join('\n')).toContain('KLP_MODULE_RELOC(vmlinux): KLP_SYMPOS(dup, 1), KLP_SYMPOS(dup, 2)');
    expect(e.hint.join('\n')).toContain('KLP_MODULE_RELOC(test_mod): KLP_SYMPOS(dup, 0)');
  });

  const annotated = (entrySize: number, sympos: number[], opts: { is64?: boolean; littleEndian?: boolean; machine?: number } = {}) =>
    moduleBytes({
      ...opts,
      sections: [text('.text'), annotationSection('vmlinux', sympos, entrySize, opts.littleEndian ?? true)],
      symbols: [{ name: 'relocs_array', bind: STB_LOCAL, section: '.klp.module_relocs.vmlinux', type: 1 }, { name: 'dup' }],
      relocs: {
        '.text': [pc32(0, 'dup')],
        '.klp.module_relocs.vmlinux': sympos.map((_, i) => ({ offset: BigInt(i * entrySize), type: R_X86_64_64, symbol: 'dup' })),
      },
    });

  it('reads KLP_SYMPOS in the file byte order, in both entry layouts, and drops the annotation sections', () => {
    for (const [entry, opts] of [
      [12, {}],
      [12, { littleEndian: false, machine: EM.S390 }],
      [8, { is64: false, littleEndian: false, machine: EM.PPC }],
      [12, { is64: false, littleEndian: false, machine: EM.PPC }],
    ] as const) {
      const out = readElf(convert(annotated(entry, [2], opts), { symbols: LIST }).output);
      const syms = decodeSymbols(out, symtabIndex(out));
      expect(syms.map((s) => s.name)).toContain('.klp.sym.vmlinux.dup,2');
      expect(syms.map((s) => s.name)).not.toContain('relocs_array');
      expect(out.sections.some((s) => s.name.includes('module_relocs'))).toBe(false);
    }
  });

  it('validates sympos against the list', () => {
    expect(refused(() => convert(annotated(12, [0]), { symbols: LIST })).kind).toBe('bad-sympos');
    expect(refused(() => convert(annotated(12, [3]), { symbols: LIST })).kind).toBe('bad-sympos');
    expect(refused(() => convert(annotated(12, [1, 2]), { symbols: LIST })).kind).toBe('conflicting-sympos');
    expect(convert(annotated(12, [2, 2]), { symbols: LIST }).report.symbols[0]?.sympos).toBe(2);
  });

  it('warns about a KLP_SYMPOS annotation that no relocation needs', () => {
    const unused = moduleBytes({
      sections: [text('.text'), annotationSection('vmlinux', [2], 12)],
      symbols: [{ name: 'dup' }],
      relocs: { '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_X86_64_64, symbol: 'dup' }] },
    });
    expect(convert(unused, { symbols: LIST }).report.warnings).toEqual([`KLP_SYMPOS annotation for 'dup' matches no relocation that needs converting`]);
    expect(convert(annotated(12, [2]), { symbols: LIST }).report.warnings).toEqual([]);
  });

  it('accepts sympos of any size', () => {
    const many = symbolsFile(`*vmlinux\n${'dup\n'.repeat(12000)}`);
    const out = readElf(convert(annotated(12, [11999]), { symbols: many }).output);
    expect(decodeSymbols(out, symtabIndex(out)).map((s) => s.name)).toContain('.klp.sym.vmlinux.dup,11999');
  });

  it('refuses an annotation section whose size fits no entry layout', () => {
    const input = annotated(12, [2]);
    const obj = readElf(input);
    const sec = obj.sections.find((s) => s.name === '.klp.module_relocs.vmlinux')!;
    sec.data = sec.data.subarray(0, 10);
    sec.size = 10;
    const e = refused(() => convert(writeElf(obj), { symbols: LIST }));
    expect(e.kind).toBe('bad-annotation');
    expect(e.where.section).toBe('.klp.module_relocs.vmlinux');
  });

  it('keeps group members and SHF_LINK_ORDER links right after dropping annotation sections', () => {
    const input = moduleBytes({
      sections: [annotationSection('vmlinux', [2], 12), { ...text('.text'), flags: SHF_ALLOC | 4n | SHF_GROUP }, { name: '.lo', flags: SHF_ALLOC | SHF_LINK_ORDER, link: '.text', data: new Uint8Array(8) }, { name: '.group', type: SHT_GROUP, addralign: 4n, entsize: 4n, data: new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]) }],
      symbols: [{ name: 'arr', bind: STB_LOCAL, section: '.klp.module_relocs.vmlinux' }, { name: 'dup' }],
      relocs: { '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_X86_64_64, symbol: 'dup' }], '.text': [pc32(0, 'dup')] },
    });
    const out = readElf(convert(input, { symbols: LIST }).output);
    const text0 = out.sections.findIndex((s) => s.name === '.text');
    expect(out.sections.find((s) => s.name === '.lo')!.link).toBe(text0);
    expect(new DataView(out.sections.find((s) => s.name === '.group')!.data.buffer).getUint32(4, true)).toBe(text0);
  });

  it('keeps e_flags, EI_OSABI and EI_ABIVERSION', () => {
    const input = moduleBytes({ machine: EM.PPC64, flags: 2, osabi: 3, sections: [text('.text')], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } });
    const out = readElf(convert(input, { symbols: LIST }).output);
    expect([out.header.flags, out.header.ident.osabi]).toEqual([2, 3]);
  });

  it('refuses relocations from sections the kernel applies before livepatch relocations', () => {
    const input = moduleBytes({ sections: [text('.text'), data('.altinstructions')], symbols: [{ name: 'saved_command_line' }], relocs: { '.altinstructions': [pc32(0, 'saved_command_line')] } });
    const e = refused(() => convert(input, { symbols: LIST }));
    expect(e.kind).toBe('unsupported-section');
    expect([e.where.section, e.where.symbol]).toEqual(['.rela.altinstructions', 'saved_command_line']);
  });
});

describe('annotation dialect', () => {
  const sym = '.klp.sym.rela.test_mod.other_mod.other_helper,0';
  const input = moduleBytes({
    sections: [text('.text'), text('.text.hot')],
    symbols: [{ name: sym }, { name: 'printk' }, { name: '.klp.sym.rela.vmlinux.vmlinux.unused,3' }],
    relocs: { '.text': [pc32(0, sym), pc32(4, 'printk'), pc32(8, sym)], '.text.hot': [pc32(2, sym)] },
  });

  it("moves relas to the patched object's klp rela section and renames the symbol after its own object", () => {
    const out = readElf(convert(input).output);
    const relocs = relocsByName(out);
    expect(relocs['.klp.rela.test_mod.text']).toEqual([0n, 8n].map((offset) => ({ offset, symbol: '.klp.sym.other_mod.other_helper,0' })));
    expect(relocs['.klp.rela.test_mod.text.hot']).toHaveLength(1);
    expect(relocs['.rela.text']).toEqual([{ offset: 4n, symbol: 'printk' }]);
    expect(decodeSymbols(out, symtabIndex(out)).map((s) => s.name)).toContain('.klp.sym.vmlinux.unused,3');
  });

  it("refuses a vmlinux symbol in a module's klp rela section, which the livepatch core would not resolve", () => {
    const bad = '.klp.sym.rela.test_mod.vmlinux.saved_command_line,0';
    const m = moduleBytes({ sections: [text('.text')], symbols: [{ name: bad }], relocs: { '.text': [pc32(0, bad)] } });
    const e = refused(() => convert(m));
    expect(e.kind).toBe('bad-annotation');
    expect(e.where.symbol).toBe(bad);
    expect(e.reason).toMatch(/a klp rela section of test_mod may not name the vmlinux symbol 'saved_command_line'/);
  });

  it('refuses a malformed annotated name', () => {
    const bad = moduleBytes({ sections: [text('.text')], symbols: [{ name: '.klp.sym.rela.vmlinux.x' }], relocs: { '.text': [pc32(0, '.klp.sym.rela.vmlinux.x')] } });
    expect(refused(() => convert(bad)).kind).toBe('bad-annotation');
  });
});

describe('properties', () => {
  const TARGETS = ['saved_command_line', 'mod_only', 'printk', 'local_fn'] as const;
  const scenario = fc.record({
    relocs: fc.array(fc.record({ section: fc.constantFrom('.text', '.text.unlikely', '.data'), symbol: fc.constantFrom(...TARGETS) }), { minLength: 1, maxLength: 24 }),
  });
  const build = (relocs: ReadonlyArray<{ section: string; symbol: string }>, order: readonly number[]) => {
    const bySection: Record<string, ReturnType<typeof pc32>[]> = { '.text': [], '.text.unlikely': [], '.data': [] };
    for (const i of order) bySection[relocs[i]!.section]!.push(pc32(i * 4, relocs[i]!.symbol));
    return moduleBytes({
      sections: [text('.text'), text('.text.unlikely'), data('.data')],
      symbols: [{ name: 'local_fn', bind: STB_LOCAL, section: '.text' }, { name: 'saved_command_line' }, { name: 'mod_only' }, { name: 'printk' }],
      relocs: bySection,
    });
  };

  it('converting an already-converted module changes nothing', () => {
    fc.assert(
      fc.property(scenario, ({ relocs }) => {
        const once = convert(build(relocs, relocs.map((_, i) => i)), { symbols: LIST }).output;
        expect(convert(once, { symbols: LIST }).output).toEqual(once);
      }),
      { numRuns: 150 },
    );
  });

  it('permuting the relas of a section permutes the output the same way', () => {
    fc.assert(
      fc.property(scenario.chain(({ relocs }) => fc.record({ relocs: fc.constant(relocs), order: fc.shuffledSubarray(relocs.map((_, i) => i), { minLength: relocs.length }) })), ({ relocs, order }) => {
        const plain = relocsByName(readElf(convert(build(relocs, relocs.map((_, i) => i)), { symbols: LIST }).output));
        const permuted = relocsByName(readElf(convert(build(relocs, order), { symbols: LIST }).output));
        const rank = new Map(order.map((i, k) => [BigInt(i * 4), k]));
        for (const [name, list] of Object.entries(plain)) {
          expect(permuted[name]).toEqual([...list].sort((a, b) => rank.get(a.offset)! - rank.get(b.offset)!));
        }
        expect(Object.keys(permuted).sort()).toEqual(Object.keys(plain).sort());
      }),
      { numRuns: 150 },
    );
  });
});

describe('klp rela section names the kernel can parse', () => {
  it('keeps a dot between objname and a base section name that has none (annotation dialect)', () => {
    const sym = '.klp.sym.rela.vmlinux.vmlinux.some_key,0';
    const input = moduleBytes({ sections: [text('.text'), data('__jump_table')], symbols: [{ name: sym }], relocs: { __jump_table: [pc32(0, sym)] } });
    const out = readElf(convert(input).output);
    expect(out.sections.map((s) => s.name)).toContain('.klp.rela.vmlinux.__jump_table');
  });
});
