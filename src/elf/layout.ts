import { SHT_NOBITS, SHT_NULL } from './constants.js';
import type { ElfObject } from './model.js';
import { classSizes } from './sizes.js';

export interface FileLayout {
  /** File offset of each section's contents, by section index (0 for the null section). */
  sectionOffsets: number[];
  /** Offset of the section header table. */
  shoff: number;
  size: number;
}

const alignUp = (value: number, align: number): number => (align <= 1 ? value : Math.ceil(value / align) * align);

/**
 * The one place file offsets are decided. The layout is the one libelf gives a rewritten object,
 * which is what the C klp-convert writes: the ELF header, then each section's contents in section
 * header order, each at the next offset aligned to its sh_addralign, then the section header table
 * aligned to the class's word size. NOBITS sections take an aligned offset but no space.
 */
export function layoutFile(obj: ElfObject): FileLayout {
  const sizes = classSizes(obj.header.ident.is64);
  let offset = sizes.ehdr;
  const sectionOffsets: number[] = [0];
  for (let i = 1; i < obj.sections.length; i++) {
    const s = obj.sections[i]!;
    if (s.type === SHT_NULL) {
      sectionOffsets.push(0);
      continue;
    }
    const align = s.addralign > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(s.addralign);
    offset = alignUp(offset, align);
    sectionOffsets.push(offset);
    if (s.type !== SHT_NOBITS) offset += s.data.length;
  }
  const shoff = alignUp(offset, sizes.word);
  return { sectionOffsets, shoff, size: shoff + obj.sections.length * sizes.shdr };
}
