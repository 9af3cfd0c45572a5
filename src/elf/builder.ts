// Builds small objects from a description: for tests, fuzzing and minimisation, where a compiler
// is not at hand or a layout must be exact. Generic ELF: sections, symbols, relocations.
import { ByteWriter } from './bytes.js';
import {
  EV_CURRENT, ET_REL, SHN_LORESERVE, SHN_UNDEF, SHT_NOBITS, SHT_RELA, SHT_REL, SHT_STRTAB, SHT_SYMTAB,
  STB_LOCAL, SHF_INFO_LINK, SHT_SYMTAB_SHNDX,
} from './constants.js';
import type { ElfObject, Reloc, Section, Symbol } from './model.js';
import { encodeRelocs } from './relocs.js';
import { classSizes } from './sizes.js';
import { encodeSymbols } from './symbols.js';

export interface SectionSpec {
  name: string;
  type?: number;
  flags?: bigint;
  addralign?: bigint;
  entsize?: bigint;
  data?: Uint8Array;
  /** For NOBITS. */
  size?: number;
  link?: string;
  info?: number;
}

export interface SymbolSpec {
  name: string;
  bind?: number;
  type?: number;
  other?: number;
  /** A section name, or a special index (SHN_UNDEF when omitted). */
  section?: string | number;
  value?: bigint;
  size?: bigint;
}

export interface RelocSpec {
  offset: bigint;
  type: number;
  symbol: string;
  addend?: bigint;
}

export interface ObjectSpec {
  is64?: boolean;
  littleEndian?: boolean;
  machine: number;
  flags?: number;
  osabi?: number;
  sections: SectionSpec[];
  /** Locals must come first, as in any valid symbol table; index 0 (null) is added. */
  symbols?: SymbolSpec[];
  /** Relocation sections to create, by the name of the section they apply to. */
  relocs?: Record<string, RelocSpec[]>;
  /** Use SHT_REL instead of SHT_RELA for the relocation sections. */
  rel?: boolean;
}

export function buildObject(spec: ObjectSpec): ElfObject {
  const is64 = spec.is64 ?? true;
  const littleEndian = spec.littleEndian ?? true;
  const sizes = classSizes(is64);
  const sections: Section[] = [{ ...blank('', 0), addralign: 0n }];
  const add = (s: Section): number => sections.push(s) - 1;
  for (const s of spec.sections) {
    const data = s.data ?? new Uint8Array(s.type === SHT_NOBITS ? 0 : (s.size ?? 0));
    add({
      ...blank(s.name, s.type ?? 1),
      flags: s.flags ?? 0n,
      addralign: s.addralign ?? 1n,
      entsize: s.entsize ?? 0n,
      data,
      size: s.type === SHT_NOBITS ? (s.size ?? 0) : data.length,
      info: s.info ?? 0,
    });
  }
  const indexOf = (name: string): number => {
    const i = sections.findIndex((s, k) => k > 0 && s.name === name);
    if (i < 0) throw new Error(`builder: no section named ${name}`);
    return i;
  };
  spec.sections.forEach((s, k) => {
    if (s.link !== undefined) sections[k + 1]!.link = indexOf(s.link);
  });

  const obj: ElfObject = {
    header: {
      ident: { is64, littleEndian, osabi: spec.osabi ?? 0, abiversion: 0, identVersion: EV_CURRENT, pad: new Uint8Array(7) },
      type: ET_REL,
      machine: spec.machine,
      version: EV_CURRENT,
      entry: 0n,
      flags: spec.flags ?? 0,
      phnum: 0,
    },
    sections,
    shstrndx: 0,
  };

  if (spec.symbols) {
    const names = new StringTable();
    const symbols: Symbol[] = [{ name: '', nameOffset: 0, value: 0n, size: 0n, bind: 0, type: 0, other: 0, shndx: 0, xindex: false }];
    for (const s of spec.symbols) {
      const shndx = typeof s.section === 'string' ? indexOf(s.section) : (s.section ?? SHN_UNDEF);
      symbols.push({
        name: s.name,
        nameOffset: names.add(s.name),
        value: s.value ?? 0n,
        size: s.size ?? 0n,
        bind: s.bind ?? 1,
        type: s.type ?? 0,
        other: s.other ?? 0,
        shndx,
        xindex: shndx >= SHN_LORESERVE && shndx < sections.length,
      });
    }
    const symtab = add({ ...blank('.symtab', SHT_SYMTAB), addralign: BigInt(sizes.word), entsize: BigInt(sizes.sym) });
    const strtab = add({ ...blank('.strtab', SHT_STRTAB), data: names.bytes(), size: names.bytes().length });
    sections[symtab]!.link = strtab;
    sections[symtab]!.info = symbols.filter((s) => s.bind === STB_LOCAL).length;
    if (symbols.some((s) => s.xindex)) {
      add({ ...blank('.symtab_shndx', SHT_SYMTAB_SHNDX), addralign: 4n, entsize: 4n, link: symtab });
    }
    encodeSymbols(obj, symtab, symbols);

    const relType = spec.rel ? SHT_REL : SHT_RELA;
    for (const [target, list] of Object.entries(spec.relocs ?? {})) {
      const relocs: Reloc[] = list.map((r) => {
        const symbol = symbols.findIndex((s, i) => i > 0 && s.name === r.symbol);
        if (symbol < 0) throw new Error(`builder: no symbol named ${r.symbol}`);
        return { offset: r.offset, type: r.type, symbol, addend: r.addend ?? 0n };
      });
      const data = encodeRelocs(obj.header.ident, relType, relocs);
      add({
        ...blank(`${spec.rel ? '.rel' : '.rela'}${target}`, relType),
        flags: SHF_INFO_LINK,
        addralign: BigInt(sizes.word),
        entsize: BigInt(relType === SHT_RELA ? sizes.rela : sizes.rel),
        link: symtab,
        info: indexOf(target),
        data,
        size: data.length,
      });
    }
  }

  const shstr = new StringTable();
  for (const s of sections.slice(1)) s.nameOffset = shstr.add(s.name);
  const shstrNameOffset = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();
  obj.shstrndx = add({ ...blank('.shstrtab', SHT_STRTAB), nameOffset: shstrNameOffset, data: shstrBytes, size: shstrBytes.length });
  return obj;
}

function blank(name: string, type: number): Section {
  return { name, nameOffset: 0, type, flags: 0n, addr: 0n, offset: 0, size: 0, link: 0, info: 0, addralign: 1n, entsize: 0n, data: new Uint8Array(0) };
}

/** A string table that shares nothing: each add appends (as linkers and libelf callers do). */
class StringTable {
  private readonly parts: number[] = [0];
  private readonly seen = new Map<string, number>();
  add(text: string): number {
    if (text === '') return 0;
    const known = this.seen.get(text);
    if (known !== undefined) return known;
    const offset = this.parts.length;
    for (let i = 0; i < text.length; i++) this.parts.push(text.charCodeAt(i) & 0xff);
    this.parts.push(0);
    this.seen.set(text, offset);
    return offset;
  }
  bytes(): Uint8Array {
    const w = new ByteWriter(this.parts.length, true);
    this.parts.forEach((b, i) => w.u8(i, b));
    return w.bytes;
  }
}
