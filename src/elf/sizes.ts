// Sizes of the fixed ELF records per class.

export interface ClassSizes {
  ehdr: number;
  shdr: number;
  sym: number;
  rel: number;
  rela: number;
  /** Alignment of the section header table and of word-sized records. */
  word: number;
}

export const ELF32_SIZES: ClassSizes = { ehdr: 52, shdr: 40, sym: 16, rel: 8, rela: 12, word: 4 };
export const ELF64_SIZES: ClassSizes = { ehdr: 64, shdr: 64, sym: 24, rel: 16, rela: 24, word: 8 };

export const classSizes = (is64: boolean): ClassSizes => (is64 ? ELF64_SIZES : ELF32_SIZES);
