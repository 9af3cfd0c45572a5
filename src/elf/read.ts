import { ByteReader, toSafeNumber } from './bytes.js';
import {
  EI_ABIVERSION, EI_CLASS, EI_DATA, EI_NIDENT, EI_OSABI, EI_VERSION, ELFCLASS32, ELFCLASS64,
  ELFDATA2LSB, ELFDATA2MSB, ELFMAG, EV_CURRENT, SHN_LORESERVE, SHN_UNDEF, SHN_XINDEX, SHT_DYNSYM, SHT_NOBITS, SHT_NULL,
  SHT_REL, SHT_RELA, SHT_STRTAB, SHT_SYMTAB,
} from './constants.js';
import { ElfFormatError } from './errors.js';
import { layoutFile } from './layout.js';
import type { ElfHeader, ElfObject, Section } from './model.js';
import { classSizes } from './sizes.js';
import { StringTableReader } from './strings.js';

/** Parses a relocatable ELF file into the model. Throws ElfFormatError on anything malformed. */
export function readElf(bytes: Uint8Array): ElfObject {
  if (bytes.length < EI_NIDENT) throw new ElfFormatError(`file is too short for an ELF header (${bytes.length} bytes)`, { offset: 0 });
  for (let i = 0; i < ELFMAG.length; i++) {
    if (bytes[i] !== ELFMAG[i]) throw new ElfFormatError('not an ELF file (bad magic)', { offset: 0 });
  }
  const cls = bytes[EI_CLASS];
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfFormatError(`unknown ELF class ${cls}`, { offset: EI_CLASS });
  const data = bytes[EI_DATA];
  if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfFormatError(`unknown ELF data encoding ${data}`, { offset: EI_DATA });
  const identVersion = bytes[EI_VERSION] ?? 0;
  if (identVersion !== EV_CURRENT) throw new ElfFormatError(`unknown ELF version ${identVersion}`, { offset: EI_VERSION });

  const is64 = cls === ELFCLASS64;
  const sizes = classSizes(is64);
  const r = new ByteReader(bytes, data === ELFDATA2LSB);
  if (bytes.length < sizes.ehdr) throw new ElfFormatError(`file is too short for an ELF header (${bytes.length} bytes)`, { offset: 0 });

  const at = is64
    ? { entry: 24, phoff: 32, shoff: 40, flags: 48, ehsize: 52, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 }
    : { entry: 24, phoff: 28, shoff: 32, flags: 36, ehsize: 40, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };

  const header: ElfHeader = {
    ident: {
      is64,
      littleEndian: data === ELFDATA2LSB,
      osabi: bytes[EI_OSABI] ?? 0,
      abiversion: bytes[EI_ABIVERSION] ?? 0,
      identVersion,
      pad: bytes.slice(EI_ABIVERSION + 1, EI_NIDENT),
    },
    type: r.u16(16),
    machine: r.u16(18),
    version: r.u32(20),
    entry: r.word(at.entry, is64),
    flags: r.u32(at.flags),
    phnum: r.u16(at.phnum),
  };
  if (header.version !== EV_CURRENT) throw new ElfFormatError(`unknown e_version ${header.version}`, { offset: 20 });
  if (header.phnum !== 0) throw new ElfFormatError('has program headers: not a relocatable object', { offset: at.phnum });

  const shoff = toSafeNumber(r.word(at.shoff, is64), 'e_shoff', at.shoff);
  const shentsize = r.u16(at.shentsize);
  let shnum = r.u16(at.shnum);
  let shstrndx = r.u16(at.shstrndx);
  if (shoff === 0) throw new ElfFormatError('has no section header table', { offset: at.shoff });
  if (shentsize !== sizes.shdr) throw new ElfFormatError(`e_shentsize is ${shentsize}, expected ${sizes.shdr}`, { offset: at.shentsize });
  if (shoff + sizes.shdr > bytes.length) throw new ElfFormatError(`section header table at 0x${shoff.toString(16)} is past the end of the file`, { offset: at.shoff });

  // Extended numbering: section 0 holds the real count and string table index.
  const zero = readHeader(r, shoff, is64);
  if (shnum === 0) shnum = toSafeNumber(BigInt(zero.size), 'section count in section 0 sh_size', shoff);
  if (shstrndx === SHN_XINDEX) shstrndx = zero.link;
  if (shnum === 0) throw new ElfFormatError('section count is 0', { offset: at.shnum });
  if (shoff + shnum * sizes.shdr > bytes.length) {
    throw new ElfFormatError(`section header table (${shnum} entries at 0x${shoff.toString(16)}) runs past the end of the file`, { offset: at.shoff });
  }
  if (shstrndx === SHN_UNDEF || shstrndx >= shnum) {
    throw new ElfFormatError(`section name string table index ${shstrndx} is out of range (${shnum} sections)`, { offset: at.shstrndx });
  }

  const sections: Section[] = [];
  // Overlapping sections each get a copy of their contents; bound the total before copying, so a
  // table of headers all claiming one large blob cannot take shnum × the file.
  let copied = 0;
  for (let i = 0; i < shnum; i++) {
    const h = readHeader(r, shoff + i * sizes.shdr, is64);
    if (i > 0 && (h.addralign & (h.addralign - 1n)) !== 0n) {
      // libelf refuses to lay out such a section (ELF_E_INVALID_ALIGN); so do we, before layout.
      throw new ElfFormatError(`sh_addralign 0x${h.addralign.toString(16)} is not a power of two`, { section: `#${i}`, index: i, offset: shoff + i * sizes.shdr });
    }
    let content = new Uint8Array(0);
    if (i > 0 && h.type !== SHT_NOBITS && h.type !== SHT_NULL) {
      if (h.offset + h.size > bytes.length) {
        throw new ElfFormatError(`contents (0x${h.size.toString(16)} bytes at 0x${h.offset.toString(16)}) run past the end of the file`, { section: `#${i}`, index: i, offset: shoff + i * sizes.shdr });
      }
      copied += h.size;
      if (copied > maxRewrittenSize(bytes.length)) {
        throw new ElfFormatError(`section contents add up to more than ${maxRewrittenSize(bytes.length)} bytes from a ${bytes.length}-byte file (overlapping sections)`, { section: `#${i}`, index: i, offset: shoff + i * sizes.shdr });
      }
      content = bytes.slice(h.offset, h.offset + h.size);
    }
    sections.push({ ...h, name: '', data: content });
  }
  // Section 0's size/link only encode extended numbering; the model does not keep them.
  const null0 = sections[0];
  if (null0) {
    null0.size = 0;
    null0.link = 0;
  }

  const shstr = sections[shstrndx];
  if (!shstr || shstr.type === SHT_NOBITS) throw new ElfFormatError('section name string table has no contents', { index: shstrndx });
  // As libelf's elf_strptr: names come only from a string table (the writer appends to it).
  if (shstr.type !== SHT_STRTAB) throw new ElfFormatError(`section name string table (e_shstrndx ${shstrndx}) has type ${shstr.type}, not SHT_STRTAB`, { index: shstrndx, offset: at.shstrndx });
  const names = new StringTableReader(shstr.data, `#${shstrndx} (section names)`);
  for (let i = 1; i < sections.length; i++) {
    const s = sections[i]!;
    s.name = names.at(s.nameOffset);
  }
  if (shstrndx >= SHN_LORESERVE && r.u16(at.shstrndx) !== SHN_XINDEX) {
    throw new ElfFormatError('e_shstrndx is a reserved index', { offset: at.shstrndx });
  }
  // A relocation section's symbols are those of the table its sh_link names (gABI). One naming
  // anything else would be passed over by the conversion, its relocations left unresolvable.
  for (let i = 1; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.type !== SHT_RELA && s.type !== SHT_REL) continue;
    const linked = s.link === 0 ? undefined : sections[s.link];
    if (linked?.type !== SHT_SYMTAB && linked?.type !== SHT_DYNSYM) {
      throw new ElfFormatError(`sh_link ${s.link} names ${linked ? `section ${linked.name}, which is not a symbol table` : 'no section'}`, { section: s.name, index: i, offset: shoff + i * sizes.shdr });
    }
  }
  const obj = { header, sections, shstrndx };
  // Alignments decide the rewritten file's size; a huge one would make the writer allocate
  // gigabytes for a small input. Refuse before any of that is allocated.
  const rewritten = layoutFile(obj).size;
  if (rewritten > maxRewrittenSize(bytes.length)) {
    const worst = sections.reduce((w, s, i) => (s.addralign > (sections[w]?.addralign ?? 0n) ? i : w), 0);
    throw new ElfFormatError(
      `section alignments would make the rewritten object ${rewritten} bytes from ${bytes.length} (largest sh_addralign 0x${sections[worst]!.addralign.toString(16)})`,
      { section: `#${worst} (${sections[worst]!.name})`, index: worst, offset: shoff + worst * sizes.shdr },
    );
  }
  return obj;
}

/** The largest rewritten object (laid out again, alignments and all) accepted for an input size. */
export const maxRewrittenSize = (inputSize: number): number => 4 * inputSize + (1 << 20);

type RawHeader = Omit<Section, 'name' | 'data'>;

function readHeader(r: ByteReader, off: number, is64: boolean): RawHeader {
  const w = (o: number): bigint => r.word(off + o, is64, 'section header');
  const u32 = (o: number): number => r.u32(off + o, 'section header');
  const f = is64
    ? { flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 }
    : { flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, addralign: 32, entsize: 36 };
  return {
    nameOffset: u32(0),
    type: u32(4),
    flags: w(f.flags),
    addr: w(f.addr),
    offset: toSafeNumber(w(f.offset), 'sh_offset', off + f.offset),
    size: toSafeNumber(w(f.size), 'sh_size', off + f.size),
    link: u32(f.link),
    info: u32(f.info),
    addralign: w(f.addralign),
    entsize: w(f.entsize),
  };
}
