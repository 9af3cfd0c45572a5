// ELF constants, named as in the System V gABI (and glibc's <elf.h>).

export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46] as const;
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_NIDENT = 16;

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;

export const ET_REL = 1;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_LOPROC = 0xff00;
export const SHN_HIPROC = 0xff1f;
export const SHN_LOOS = 0xff20;
/** Livepatch symbols: resolved by the livepatch core, not the module loader. */
export const SHN_LIVEPATCH = 0xff20;
export const SHN_HIOS = 0xff3f;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const SHN_HIRESERVE = 0xffff;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1n;
export const SHF_ALLOC = 0x2n;
export const SHF_EXECINSTR = 0x4n;
export const SHF_MERGE = 0x10n;
export const SHF_STRINGS = 0x20n;
export const SHF_INFO_LINK = 0x40n;
export const SHF_LINK_ORDER = 0x80n;
export const SHF_OS_NONCONFORMING = 0x100n;
export const SHF_GROUP = 0x200n;
export const SHF_TLS = 0x400n;
export const SHF_COMPRESSED = 0x800n;
/** OS-specific flag the kernel gives klp rela sections (include/uapi/linux/elf.h). */
export const SHF_RELA_LIVEPATCH = 0x00100000n;
export const SHF_RO_AFTER_INIT = 0x00200000n;
export const SHF_EXCLUDE = 0x80000000n;

export const GRP_COMDAT = 0x1;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STB_GNU_UNIQUE = 10;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

const names = (pairs: ReadonlyArray<readonly [number, string]>): ReadonlyMap<number, string> => new Map(pairs);

const SHT_NAMES = names([
  [0, 'NULL'], [1, 'PROGBITS'], [2, 'SYMTAB'], [3, 'STRTAB'], [4, 'RELA'], [5, 'HASH'], [6, 'DYNAMIC'],
  [7, 'NOTE'], [8, 'NOBITS'], [9, 'REL'], [10, 'SHLIB'], [11, 'DYNSYM'], [14, 'INIT_ARRAY'],
  [15, 'FINI_ARRAY'], [16, 'PREINIT_ARRAY'], [17, 'GROUP'], [18, 'SYMTAB_SHNDX'],
  [0x6ffffff5, 'GNU_ATTRIBUTES'], [0x6ffffff6, 'GNU_HASH'], [0x6ffffff7, 'GNU_LIBLIST'],
  [0x6ffffffd, 'GNU_verdef'], [0x6ffffffe, 'GNU_verneed'], [0x6fffffff, 'GNU_versym'],
  [0x6fff4c00, 'LLVM_ODRTAB'], [0x6fff4c01, 'LLVM_LINKER_OPTIONS'], [0x6fff4c03, 'LLVM_ADDRSIG'],
  [0x6fff4c09, 'LLVM_BB_ADDR_MAP'],
]);

/** Section type as readelf prints it; processor-specific types print in hex. */
export function sectionTypeName(type: number): string {
  return SHT_NAMES.get(type) ?? `0x${type.toString(16)}`;
}

const SHF_LETTERS: ReadonlyArray<readonly [bigint, string]> = [
  [SHF_WRITE, 'W'], [SHF_ALLOC, 'A'], [SHF_EXECINSTR, 'X'], [SHF_MERGE, 'M'], [SHF_STRINGS, 'S'],
  [SHF_INFO_LINK, 'I'], [SHF_LINK_ORDER, 'L'], [SHF_OS_NONCONFORMING, 'O'], [SHF_GROUP, 'G'],
  [SHF_TLS, 'T'], [SHF_COMPRESSED, 'C'], [SHF_RELA_LIVEPATCH, 'K'], [SHF_RO_AFTER_INIT, 'R'],
  [SHF_EXCLUDE, 'E'],
];

/** Flags as letters (readelf's, plus K for SHF_RELA_LIVEPATCH), then any unnamed bits in hex. */
export function sectionFlagsText(flags: bigint): string {
  let rest = flags;
  let text = '';
  for (const [bit, letter] of SHF_LETTERS) {
    if (flags & bit) {
      text += letter;
      rest &= ~bit;
    }
  }
  return rest === 0n ? text : `${text}+0x${rest.toString(16)}`;
}

const STB_NAMES = names([[0, 'LOCAL'], [1, 'GLOBAL'], [2, 'WEAK'], [10, 'UNIQUE']]);
const STT_NAMES = names([
  [0, 'NOTYPE'], [1, 'OBJECT'], [2, 'FUNC'], [3, 'SECTION'], [4, 'FILE'], [5, 'COMMON'], [6, 'TLS'],
  [10, 'IFUNC'],
]);
const STV_NAMES = names([[0, 'DEFAULT'], [1, 'INTERNAL'], [2, 'HIDDEN'], [3, 'PROTECTED']]);

export const symbolBindName = (bind: number): string => STB_NAMES.get(bind) ?? `<${bind}>`;
export const symbolTypeName = (type: number): string => STT_NAMES.get(type) ?? `<${type}>`;
export const symbolVisibilityName = (vis: number): string => STV_NAMES.get(vis) ?? `<${vis}>`;

const SHN_NAMES = names([
  [SHN_UNDEF, 'UNDEF'], [SHN_ABS, 'ABS'], [SHN_COMMON, 'COMMON'], [SHN_LIVEPATCH, 'LIVEPATCH'],
  [SHN_XINDEX, 'XINDEX'],
]);

/** Name of a special section index, or undefined for an ordinary one. */
export function specialIndexName(shndx: number): string | undefined {
  if (shndx === SHN_UNDEF) return 'UNDEF';
  if (shndx < SHN_LORESERVE) return undefined;
  return SHN_NAMES.get(shndx) ?? `0x${shndx.toString(16)}`;
}
