// The in-memory object: spec-shaped, index-based, no file offsets that matter (layout decides them
// again when writing). Section contents are raw bytes in the file's byte order; typed views of
// symbol tables and relocations are decoded and encoded by symbols.ts and relocs.ts.

export interface ElfIdent {
  /** true for ELFCLASS64. */
  readonly is64: boolean;
  readonly littleEndian: boolean;
  readonly osabi: number;
  readonly abiversion: number;
  /** EI_VERSION byte. */
  readonly identVersion: number;
  /** e_ident[EI_PAD..], kept so nothing is lost. */
  readonly pad: Uint8Array;
}

export interface ElfHeader {
  readonly ident: ElfIdent;
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  flags: number;
  /** Program headers are not expected in relocatable objects; kept only to refuse them knowingly. */
  phnum: number;
}

export interface Section {
  /** Resolved name (from the section header string table). */
  name: string;
  /** sh_name as read; the writer chooses new offsets only for names that need them. */
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  /** sh_offset as read; informational, the writer lays the file out again. */
  offset: number;
  /** sh_size; for SHT_NOBITS the data is empty and this is the only size. */
  size: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
  /** Contents (empty for SHT_NOBITS and SHT_NULL). */
  data: Uint8Array;
}

export interface ElfObject {
  header: ElfHeader;
  /** Index 0 is the null section. Its size/link carry extended numbering on disk only. */
  sections: Section[];
  /** Index of the section header string table. */
  shstrndx: number;
}

export interface Symbol {
  name: string;
  nameOffset: number;
  value: bigint;
  size: bigint;
  bind: number;
  type: number;
  /** st_other; visibility is its low two bits. */
  other: number;
  /**
   * The section index the symbol belongs to, resolved through SHT_SYMTAB_SHNDX when st_shndx is
   * SHN_XINDEX; special indices (UNDEF, ABS, COMMON, LIVEPATCH) are kept as they are.
   */
  shndx: number;
  /** st_shndx was SHN_XINDEX on disk (or must be, because shndx is a real index ≥ SHN_LORESERVE). */
  xindex: boolean;
}

export interface Reloc {
  offset: bigint;
  type: number;
  symbol: number;
  /** 0n for SHT_REL entries. */
  addend: bigint;
}

export const visibilityOf = (sym: Pick<Symbol, 'other'>): number => sym.other & 3;
