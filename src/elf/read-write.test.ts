import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildObject, type ObjectSpec } from './builder.js';
import {
  SHF_ALLOC, SHF_EXECINSTR, SHF_GROUP, SHF_LINK_ORDER, SHN_ABS, SHN_XINDEX, SHT_GROUP, SHT_NOBITS, SHT_NOTE,
  SHT_PROGBITS, SHT_SYMTAB_SHNDX,
} from './constants.js';
import { removeSections } from './edit.js';
import { ElfFormatError } from './errors.js';
import { layoutFile } from './layout.js';
import { EM } from './machines.js';
import type { ElfObject } from './model.js';
import { readElf } from './read.js';
import { decodeRelocs } from './relocs.js';
import { decodeSymbols, symtabIndex } from './symbols.js';
import { writeElf } from './write.js';

/** The model without what the writer decides again (offsets). */
const comparable = (obj: ElfObject): unknown => ({ ...obj, sections: obj.sections.map((s) => ({ ...s, offset: 0 })) });

const name = fc.stringMatching(/^\.[a-z_.]{1,12}$/);
const sectionSpec = fc.record({
  name,
  type: fc.constantFrom(SHT_PROGBITS, SHT_NOBITS, SHT_NOTE, 0x70000001, 14),
  flags: fc.constantFrom(0n, SHF_ALLOC, SHF_ALLOC | SHF_EXECINSTR, 0x80000000n),
  addralign: fc.constantFrom(1n, 2n, 4n, 8n, 16n, 64n),
  entsize: fc.constantFrom(0n, 1n, 8n),
  data: fc.uint8Array({ maxLength: 80 }),
  size: fc.nat(4096),
});
const objectSpec: fc.Arbitrary<ObjectSpec> = fc.record({
  is64: fc.boolean(),
  littleEndian: fc.boolean(),
  machine: fc.constantFrom(EM.X86_64, EM.AARCH64, EM.PPC64, EM.S390, EM.PPC, EM.I386),
  flags: fc.nat(0xffff),
  osabi: fc.nat(255),
  sections: fc.array(sectionSpec, { minLength: 1, maxLength: 8 }),
}).map((spec) => {
  const sections = spec.sections.map((s) => (s.type === SHT_NOBITS ? { ...s, data: undefined } : { ...s, size: undefined }));
  const local = { name: 'local_sym', bind: 0, section: sections[0]!.name };
  return {
    ...spec,
    sections,
    symbols: [local, { name: 'undef_sym' }, { name: 'abs_sym', section: SHN_ABS, value: 0x1234n }],
    relocs: { [sections[0]!.name]: [{ offset: 8n, type: 2, symbol: 'undef_sym', addend: -4n }, { offset: 0n, type: 1, symbol: 'local_sym', addend: 0x7fffffffn }] },
  } as ObjectSpec;
});

describe('ELF reader and writer', () => {
  it('reading back a written object gives the model', () => {
    fc.assert(
      fc.property(objectSpec, (spec) => {
        const obj = buildObject(spec);
        const bytes = writeElf(obj);
        const back = readElf(bytes);
        expect(comparable(back)).toEqual(comparable(obj));
        expect(writeElf(back)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('lays sections out in header order at their own alignment, then the headers word-aligned', () => {
    const obj = buildObject({
      machine: EM.X86_64,
      sections: [
        { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(3) },
        { name: '.bss', type: SHT_NOBITS, addralign: 64n, size: 100 },
        { name: '.data', addralign: 4n, data: new Uint8Array(5) },
      ],
    });
    const layout = layoutFile(obj);
    expect(layout.sectionOffsets.slice(1, 4)).toEqual([64, 128, 128]);
    // .shstrtab follows .data (133) at alignment 1; the header table is 8-aligned after it.
    const shstr = obj.sections[obj.shstrndx]!;
    expect(layout.sectionOffsets[obj.shstrndx]).toBe(133);
    expect(layout.shoff).toBe(Math.ceil((133 + shstr.data.length) / 8) * 8);
  });

  it('keeps 32-bit big-endian relocations and symbols exact', () => {
    const obj = buildObject({
      is64: false,
      littleEndian: false,
      machine: EM.PPC,
      sections: [{ name: '.text', data: new Uint8Array(16), flags: SHF_ALLOC | SHF_EXECINSTR }],
      symbols: [{ name: 'f', section: '.text', type: 2, size: 16n }, { name: 'ext' }],
      relocs: { '.text': [{ offset: 4n, type: 10, symbol: 'ext', addend: -8n }] },
    });
    const back = readElf(writeElf(obj));
    const rela = back.sections.find((s) => s.name === '.rela.text')!;
    expect(decodeRelocs(back.header.ident, rela)).toEqual([{ offset: 4n, type: 10, symbol: 2, addend: -8n }]);
    expect(decodeSymbols(back, symtabIndex(back)).map((s) => s.name)).toEqual(['', 'f', 'ext']);
  });

  it('uses extended section numbering past 65,279 sections', () => {
    const count = 70_000;
    const sections = Array.from({ length: count }, (_, i) => ({ name: `.s${i}`, data: new Uint8Array(0) }));
    const obj = buildObject({ machine: EM.X86_64, sections, symbols: [{ name: 'late', section: '.s69000', bind: 0 }] });
    const bytes = writeElf(obj);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(60, true)).toBe(0); // e_shnum
    expect(view.getUint16(62, true)).toBe(SHN_XINDEX); // e_shstrndx
    const back = readElf(bytes);
    expect(back.sections.length).toBe(obj.sections.length);
    expect(back.sections[back.shstrndx]!.name).toBe('.shstrtab');
  });

  it('resolves SHN_XINDEX through SHT_SYMTAB_SHNDX', () => {
    const obj = buildObject({
      machine: EM.X86_64,
      sections: Array.from({ length: 0xff10 }, (_, i) => ({ name: `.s${i}` })),
      symbols: [{ name: 'far', section: '.s65290', bind: 0 }, { name: 'near', section: '.s3', bind: 0 }],
    });
    const back = readElf(writeElf(obj));
    const [, far, near] = decodeSymbols(back, symtabIndex(back));
    expect(far?.xindex).toBe(true);
    expect(back.sections[far!.shndx]!.name).toBe('.s65290');
    expect(near?.xindex).toBe(false);
    expect(back.sections.some((s) => s.type === SHT_SYMTAB_SHNDX)).toBe(true);
  });

  it('refuses malformed files with the offset of the problem', () => {
    const good = writeElf(buildObject({ machine: EM.X86_64, sections: [{ name: '.text', data: new Uint8Array(4) }] }));
    const bad = (mutate: (b: Uint8Array) => Uint8Array): ElfFormatError => {
      try {
        readElf(mutate(good.slice()));
      } catch (e) {
        expect(e).toBeInstanceOf(ElfFormatError);
        return e as ElfFormatError;
      }
      throw new Error('accepted');
    };
    expect(bad((b) => b.subarray(0, 10)).message).toMatch(/too short/);
    expect(bad((b) => ((b[0] = 0), b)).message).toMatch(/magic/);
    expect(bad((b) => ((b[4] = 9), b)).where.offset).toBe(4);
    expect(bad((b) => b.subarray(0, b.length - 1)).message).toMatch(/past the end/);
    expect(bad((b) => (new DataView(b.buffer).setUint16(62, 200, true), b)).message).toMatch(/out of range/);
  });

  it('removing sections renumbers links, group members and link-order links', () => {
    const obj = buildObject({
      machine: EM.X86_64,
      sections: [
        { name: '.doomed', data: new Uint8Array(4) },
        { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR | SHF_GROUP, data: new Uint8Array(4) },
        { name: '.lo', flags: SHF_ALLOC | SHF_LINK_ORDER, link: '.text', data: new Uint8Array(4) },
        { name: '.group', type: SHT_GROUP, addralign: 4n, entsize: 4n, data: new Uint8Array([1, 0, 0, 0, 2, 0, 0, 0]) },
      ],
      symbols: [{ name: 'gone', section: '.doomed', bind: 0 }, { name: 'sig', section: '.text', bind: 0 }, { name: 'ext' }],
      relocs: { '.text': [{ offset: 0n, type: 2, symbol: 'ext' }, { offset: 2n, type: 2, symbol: 'gone' }] },
    });
    obj.sections[4]!.link = symtabIndex(obj);
    obj.sections[4]!.info = 2; // signature 'sig'
    removeSections(obj, new Set([1]));
    const text = obj.sections.findIndex((s) => s.name === '.text');
    expect(text).toBe(1);
    expect(obj.sections.find((s) => s.name === '.lo')!.link).toBe(text);
    const group = obj.sections.find((s) => s.name === '.group')!;
    expect(Array.from(group.data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
    expect(group.info).toBe(1);
    const syms = decodeSymbols(obj, symtabIndex(obj));
    expect(syms.map((s) => s.name)).toEqual(['', 'sig', 'ext']);
    const rela = obj.sections.find((s) => s.name === '.rela.text')!;
    expect(rela.info).toBe(text);
    expect(decodeRelocs(obj.header.ident, rela).map((r) => r.symbol)).toEqual([2]);
    expect(obj.sections[symtabIndex(obj)]!.info).toBe(2);
  });
});
