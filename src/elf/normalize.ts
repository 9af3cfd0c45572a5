import { SHT_DYNAMIC, SHT_DYNSYM, SHT_GROUP, SHT_HASH, SHT_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX } from './constants.js';
import type { ElfObject } from './model.js';
import { classSizes } from './sizes.js';

/**
 * Writes header values the way libelf does when it rewrites an object (the C klp-convert's
 * writer): sh_addralign 0 becomes 1 (the gABI gives both the same meaning), and sections whose
 * record size the type fixes get that sh_entsize. Both only turn loose values into exact ones.
 */
export function normalizeSectionHeaders(obj: ElfObject): void {
  const sizes = classSizes(obj.header.ident.is64);
  const fixedEntsize = new Map<number, number>([
    [SHT_SYMTAB, sizes.sym], [SHT_DYNSYM, sizes.sym], [SHT_RELA, sizes.rela], [SHT_REL, sizes.rel],
    [SHT_GROUP, 4], [SHT_SYMTAB_SHNDX, 4], [SHT_HASH, 4], [SHT_DYNAMIC, 2 * sizes.word],
  ]);
  obj.sections.forEach((s, i) => {
    if (i === 0) return;
    if (s.addralign === 0n) s.addralign = 1n;
    const entsize = fixedEntsize.get(s.type);
    if (entsize !== undefined) s.entsize = BigInt(entsize);
  });
}
