// The post-link dialect, on modules built here as `objtool klp diff` and a module link leave them.
import { describe, expect, it } from 'vitest';
import { convert } from '../../convert.js';
import {
  decodeRelocs, decodeSymbols, readElf, SHF_ALLOC, SHF_INFO_LINK, SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, SHN_UNDEF,
  STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, symtabIndex, writeElf,
} from '../../elf/index.js';
import { KlpError } from '../errors.js';
import { lintErrors, lintModuleBytes } from '../lint.js';
import { annotationSection, moduleObject, R_X86_64_64, R_X86_64_PC32, text } from '../test-objects.js';

const R_X86_64_PLT32 = 4;

interface Entry {
  /** Offset in .text of the relocation it replaces. */
  at: number;
  klpSym: string;
  addend: bigint;
  type: number;
  /** Leave out the relocation of the offset or of the sym field. */
  without?: 'offset' | 'sym';
}

interface Spec {
  section?: string;
  entries?: Entry[];
  /** Extra bytes after the entries. */
  tail?: number;
  /** Original relocations in .text: offset → tombstone name (default: one per entry). */
  originals?: Array<{ at: number; symbol: string; type: number }>;
  /** Symbols the module defines besides klp_fn. */
  defined?: string[];
}

const BAR: Entry = { at: 1, klpSym: '.klp.sym.vmlinux.bar,0', addend: -4n, type: R_X86_64_PLT32 };
const CMDLINE: Entry = { at: 8, klpSym: '.klp.sym.vmlinux.saved_command_line,0', addend: -4n, type: R_X86_64_PC32 };

/** A module with `.text` (klp_fn), its original relocations to tombstones, and `__klp_relocs.<obj>` entries. */
function postLinkModule(spec: Spec = {}): Uint8Array {
  const entries = spec.entries ?? [BAR, CMDLINE];
  const section = spec.section ?? '__klp_relocs.vmlinux';
  const data = new Uint8Array(entries.length * 24 + (spec.tail ?? 0));
  const view = new DataView(data.buffer);
  entries.forEach((e, i) => view.setUint32(i * 24 + 16, e.type, true));
  const tombstone = (e: Entry): string => `.klp.tombstone.${e.klpSym.replace(/^\.klp\.sym\.[^.]*\./, '').replace(/,\d+$/, '')}`;
  const originals = spec.originals ?? entries.map((e) => ({ at: e.at, symbol: tombstone(e), type: e.type }));
  const undefinedNames = [...new Set([...originals.map((o) => o.symbol), ...entries.map((e) => e.klpSym)])].filter((n) => !(spec.defined ?? []).includes(n) && n !== 'klp_fn');
  return writeElf(moduleObject({
    sections: [text('.text'), { name: section, flags: SHF_ALLOC, addralign: 1n, data }],
    symbols: [
      { name: 'klp_fn', bind: STB_LOCAL, type: STT_FUNC, section: '.text' },
      ...(spec.defined ?? []).map((name) => ({ name, bind: STB_GLOBAL, section: '.text', value: 32n })),
      ...undefinedNames.map((name) => ({ name, bind: name.startsWith('.klp.sym.') ? STB_WEAK : STB_GLOBAL })),
    ],
    relocs: {
      '.text': originals.map((o) => ({ offset: BigInt(o.at), type: o.type, symbol: o.symbol, addend: -4n })),
      [section]: entries.flatMap((e, i) => [
        ...(e.without === 'offset' ? [] : [{ offset: BigInt(i * 24), type: R_X86_64_64, symbol: 'klp_fn', addend: BigInt(e.at) }]),
        ...(e.without === 'sym' ? [] : [{ offset: BigInt(i * 24 + 8), type: R_X86_64_64, symbol: e.klpSym, addend: e.addend }]),
      ]),
    },
  }));
}

function refusal(input: Uint8Array): KlpError {
  try {
    convert(input, { dialect: 'post-link' });
  } catch (e) {
    if (e instanceof KlpError) return e;
    throw e;
  }
  throw new Error('converted');
}

describe('post-link dialect', () => {
  it('appends each entry to .klp.rela.<objname>.<section>, marks KLP symbols and tombstones SHN_LIVEPATCH, retypes the originals R_X86_64_NONE', () => {
    const { output, report } = convert(postLinkModule(), { dialect: 'post-link' });
    const obj = readElf(output);
    const klp = obj.sections.findIndex((s) => s.name === '.klp.rela.vmlinux..text');
    expect(klp).toBeGreaterThan(0);
    const sec = obj.sections[klp]!;
    expect(sec.flags).toBe(SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH);
    expect(obj.sections[sec.info]!.name).toBe('.text');
    const symtab = symtabIndex(obj);
    expect(sec.link).toBe(symtab);
    expect(sec.addralign).toBe(8n);
    const symbols = decodeSymbols(obj, symtab);
    const relocs = decodeRelocs(obj.header.ident, sec);
    expect(relocs.map((r) => [r.offset, symbols[r.symbol]!.name, r.type, r.addend])).toEqual([
      [1n, '.klp.sym.vmlinux.bar,0', R_X86_64_PLT32, -4n],
      [8n, '.klp.sym.vmlinux.saved_command_line,0', R_X86_64_PC32, -4n],
    ]);
    for (const s of symbols.filter((x) => x.name.startsWith('.klp.'))) expect([s.name, s.shndx]).toEqual([s.name, SHN_LIVEPATCH]);
    const original = decodeRelocs(obj.header.ident, obj.sections.find((s) => s.name === '.rela.text')!);
    expect(original.map((r) => r.type)).toEqual([0, 0]);
    expect(obj.sections.some((s) => s.name === '__klp_relocs.vmlinux')).toBe(true);
    expect(report.klpSections).toEqual([{ name: '.klp.rela.vmlinux..text', relocs: 2 }]);
    expect(report.symbols.map((s) => [s.objname, s.name, s.sympos, s.movedFrom])).toEqual([
      ['vmlinux', 'bar', 0, { '__klp_relocs.vmlinux': 1 }],
      ['vmlinux', 'saved_command_line', 0, { '__klp_relocs.vmlinux': 1 }],
    ]);
  });

  it('leaves its input as it was, also when the input is a Buffer whose slices are views', () => {
    const input = Buffer.from(postLinkModule());
    const before = Buffer.from(input);
    convert(input, { dialect: 'post-link' });
    expect(input.equals(before)).toBe(true);
  });

  it('leaves output the loader lint passes, where the input fails it entry by entry', () => {
    const input = postLinkModule();
    expect(lintErrors(lintModuleBytes(input)).filter((f) => f.rule === 'post-link-entry')).toHaveLength(4);
    const { output } = convert(input, { dialect: 'post-link' });
    expect(lintErrors(lintModuleBytes(output)).map((f) => f.rule)).toEqual([]);
  });

  it('is told from its content: __klp_relocs sections mean post-link', () => {
    const input = postLinkModule();
    expect(convert(input).report.dialect).toBe('post-link');
    expect(convert(input).output).toEqual(convert(input, { dialect: 'post-link' }).output);
  });

  it('reads Linux 6.19\'s single __klp_relocs section, taking each objname from its KLP symbol', () => {
    const { output } = convert(postLinkModule({ section: '__klp_relocs', entries: [BAR, { ...CMDLINE, klpSym: '.klp.sym.binfmt_misc.bm_status,1' }] }));
    const names = readElf(output).sections.map((s) => s.name);
    expect(names).toContain('.klp.rela.vmlinux..text');
    expect(names).toContain('.klp.rela.binfmt_misc..text');
  });

  it('names the klp rela section after its __klp_relocs.<objname>, not after the symbol', () => {
    const { output } = convert(postLinkModule({ entries: [BAR, { ...CMDLINE, klpSym: '.klp.sym.binfmt_misc.bm_status,0' }] }));
    expect(readElf(output).sections.filter((s) => s.name.startsWith('.klp.rela.')).map((s) => s.name)).toEqual(['.klp.rela.vmlinux..text']);
  });

  it('refuses a second run: its KLP symbols are SHN_LIVEPATCH already', () => {
    const once = convert(postLinkModule()).output;
    const e = refusal(once);
    expect([e.kind, e.where.section, e.where.index]).toEqual(['bad-klp-relocs', '__klp_relocs.vmlinux', 0]);
    expect(e.reason).toMatch(/post-linked before/);
  });

  const refused: Array<[string, Spec, RegExp, number | undefined]> = [
    ['a section that is not a whole number of entries', { tail: 8 }, /size 56 is not a multiple of the 24-byte struct klp_reloc/, undefined],
    ['an entry without the relocation of its offset field', { entries: [BAR, { ...CMDLINE, without: 'offset' }] }, /entry 1: no relocation for its offset field/, 1],
    ['an entry without the relocation of its sym field', { entries: [{ ...BAR, without: 'sym' }] }, /entry 0: no relocation for its sym field/, 0],
    ['a sym that is not a .klp.sym. name', { entries: [{ ...BAR, klpSym: 'bar' }], originals: [{ at: 1, symbol: '.klp.tombstone.bar', type: R_X86_64_PLT32 }] }, /entry 0: symbol 'bar': does not start with '\.klp\.sym\.'/, 0],
    ['an offset past the end of its section', { entries: [{ ...BAR, at: 64 }], originals: [] }, /entry 0: offset 0x40 is past the end of \.text/, 0],
    ['an objname of more than 55 bytes', { section: `__klp_relocs.${'m'.repeat(56)}` }, /the section name's object name '.*' is longer than 55 characters/, undefined],
    ['a name of more than 511 bytes', { entries: [{ ...BAR, klpSym: `.klp.sym.vmlinux.${'b'.repeat(512)},0` }] }, /symbol name is 512 characters; the kernel reads at most 511/, 0],
    ['an entry with no original relocation at its target', { entries: [BAR], originals: [{ at: 20, symbol: '.klp.tombstone.bar', type: R_X86_64_PLT32 }] }, /entry 0: no relocation at \.text\+0x1 for it to replace/, 0],
    ['a module section naming a vmlinux symbol', { section: '__klp_relocs.binfmt_misc' }, /klp rela section of binfmt_misc may not name the vmlinux symbol/, 0],
    ['an original relocation to a symbol the module defines', { entries: [BAR], originals: [{ at: 1, symbol: 'helper', type: R_X86_64_PLT32 }], defined: ['helper'] }, /refers to 'helper', defined in the module/, 0],
    ['two entries at one place', { entries: [BAR, BAR] }, /entry 1: a second klp relocation at \.text\+0x1/, 1],
  ];
  for (const [what, spec, reason, index] of refused) {
    it(`refuses ${what}, naming the section${index === undefined ? '' : ' and the entry'}`, () => {
      const e = refusal(postLinkModule(spec));
      expect(e.kind).toBe('bad-klp-relocs');
      expect(e.reason).toMatch(reason);
      expect(e.where.section).toMatch(/^__klp_relocs/);
      expect(e.where.index).toBe(index);
    });
  }

  it('says there is nothing to convert when no entry is there', () => {
    const { report } = convert(postLinkModule({ entries: [], originals: [] }), { dialect: 'post-link' });
    expect(report.warnings).toContain('no __klp_relocs entries: nothing to convert');
  });
});

describe('dialect detection', () => {
  it('refuses a module with KLP_SYMPOS annotations and no symbols.klp, naming the section', () => {
    const input = writeElf(moduleObject({
      sections: [text('.text'), annotationSection('vmlinux', [1], 12)],
      symbols: [{ name: 'dup', bind: STB_GLOBAL, section: SHN_UNDEF }],
      relocs: { '.text': [{ offset: 1n, type: R_X86_64_PC32, symbol: 'dup', addend: -4n }], '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_X86_64_64, symbol: 'dup' }] },
    }));
    let e: unknown;
    try {
      convert(input);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(KlpError);
    expect((e as KlpError).reason).toMatch(/symbols-list dialect and needs its symbols\.klp/);
    expect((e as KlpError).where.section).toBe('.klp.module_relocs.vmlinux');
  });

  it('says when nothing converts in any dialect', () => {
    const input = writeElf(moduleObject({
      sections: [text('.text')],
      symbols: [{ name: 'saved_command_line', bind: STB_GLOBAL, section: SHN_UNDEF }],
      relocs: { '.text': [{ offset: 1n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }] },
    }));
    expect(convert(input).report.warnings.join('\n')).toMatch(/nothing to convert/);
  });
});
