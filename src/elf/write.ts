import { ByteWriter } from './bytes.js';
import {
  EI_ABIVERSION, EI_CLASS, EI_DATA, EI_OSABI, EI_VERSION, ELFCLASS32, ELFCLASS64, ELFDATA2LSB,
  ELFDATA2MSB, ELFMAG, SHN_LORESERVE, SHN_XINDEX, SHT_NOBITS,
} from './constants.js';
import { ElfFormatError } from './errors.js';
import { layoutFile } from './layout.js';
import type { ElfObject } from './model.js';
import { classSizes } from './sizes.js';

/** Serialises the model. Offsets come from layoutFile; nothing else decides them. */
export function writeElf(obj: ElfObject): Uint8Array {
  const { ident } = obj.header;
  const is64 = ident.is64;
  const sizes = classSizes(is64);
  const layout = layoutFile(obj);
  const w = new ByteWriter(layout.size, ident.littleEndian);
  const count = obj.sections.length;
  const extendedCount = count >= SHN_LORESERVE;
  const extendedStrndx = obj.shstrndx >= SHN_LORESERVE;

  ELFMAG.forEach((b, i) => w.u8(i, b));
  w.u8(EI_CLASS, is64 ? ELFCLASS64 : ELFCLASS32);
  w.u8(EI_DATA, ident.littleEndian ? ELFDATA2LSB : ELFDATA2MSB);
  w.u8(EI_VERSION, ident.identVersion);
  w.u8(EI_OSABI, ident.osabi);
  w.u8(EI_ABIVERSION, ident.abiversion);
  w.set(EI_ABIVERSION + 1, ident.pad.subarray(0, 16 - (EI_ABIVERSION + 1)));
  w.u16(16, obj.header.type);
  w.u16(18, obj.header.machine);
  w.u32(20, obj.header.version);
  const at = is64
    ? { entry: 24, phoff: 32, shoff: 40, flags: 48, ehsize: 52, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 }
    : { entry: 24, phoff: 28, shoff: 32, flags: 36, ehsize: 40, phentsize: 42, phnum: 44, shentsize: 46, shnum: 48, shstrndx: 50 };
  w.word(at.entry, is64, obj.header.entry);
  w.word(at.phoff, is64, 0n);
  w.word(at.shoff, is64, BigInt(layout.shoff));
  w.u32(at.flags, obj.header.flags);
  w.u16(at.ehsize, sizes.ehdr);
  w.u16(at.phentsize, 0);
  w.u16(at.phnum, 0);
  w.u16(at.shentsize, sizes.shdr);
  w.u16(at.shnum, extendedCount ? 0 : count);
  w.u16(at.shstrndx, extendedStrndx ? SHN_XINDEX : obj.shstrndx);

  const f = is64
    ? { flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 }
    : { flags: 8, addr: 12, offset: 16, size: 20, link: 24, info: 28, addralign: 32, entsize: 36 };
  obj.sections.forEach((s, i) => {
    const h = layout.shoff + i * sizes.shdr;
    if (i === 0) {
      // Extended numbering lives in the null section's size and link.
      w.word(h + f.size, is64, extendedCount ? BigInt(count) : 0n);
      w.u32(h + f.link, extendedStrndx ? obj.shstrndx : 0);
      return;
    }
    const size = s.type === SHT_NOBITS ? s.size : s.data.length;
    if (s.type !== SHT_NOBITS && s.size !== s.data.length) {
      throw new ElfFormatError(`model inconsistency: sh_size ${s.size} but ${s.data.length} bytes of contents`, { section: s.name, index: i });
    }
    w.u32(h, s.nameOffset);
    w.u32(h + 4, s.type);
    w.word(h + f.flags, is64, s.flags);
    w.word(h + f.addr, is64, s.addr);
    w.word(h + f.offset, is64, BigInt(layout.sectionOffsets[i]!));
    w.word(h + f.size, is64, BigInt(size));
    w.u32(h + f.link, s.link);
    w.u32(h + f.info, s.info);
    w.word(h + f.addralign, is64, s.addralign);
    w.word(h + f.entsize, is64, s.entsize);
    if (s.type !== SHT_NOBITS) w.set(layout.sectionOffsets[i]!, s.data);
  });
  return w.bytes;
}
