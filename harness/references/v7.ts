// v7 (2023), the symbols-list reference: joe-lawrence/klp-convert-tree klp-convert.c @ 097cf0cc,
// elf.c @ 5196eb87, with elf.h and klp-convert.h of joe-lawrence/linux @ 144d3f60.
import type { ReferenceModel } from './deviation.js';
import {
  addendsTruncated, alignmentFailsAtWrite, annotationEntriesOf12Bytes, convertsLoadTimeSections, crashesWithoutRelaAnnotations,
  findsShstrtabByName, freshHeader, ignoresRel, klpSectionsByName, relaHeadersByName, reservedIndexUndefined, staleLinks, symposInFourBytes,
  takesAnyObjectName,
} from './deviations.js';

export const V7: ReferenceModel = {
  label: 'v7',
  describes: 'v7 (2023): joe-lawrence/klp-convert-tree klp-convert.c @ 097cf0cc, elf.c @ 5196eb87 (symbols-list dialect)',
  dialect: 'symbols',
  deviations: [
    takesAnyObjectName({
      id: 'v7-takes-any-object-name',
      divergence: 17,
      does: 'takes any `*name` line of symbols.klp as an object, control characters and dots included',
      cases: ['fuzz-20261127-698483'],
    }),
    findsShstrtabByName({
      id: 'v7-finds-shstrtab-by-name',
      divergence: 23,
      does: 'looks the section-name string table up by the name `.shstrtab` when writing: an object straight from clang -c (one `.strtab` for section and symbol names) is converted, then refused with "can\'t find .shstrtab"',
      cases: ['real/aarch64/kernel-fork-clang-symbols'],
    }),
    alignmentFailsAtWrite({
      id: 'v7-alignment-fails-at-write',
      divergence: 16,
      does: 'reads a section whose sh_addralign is not a power of two, converts, then fails in elf_update',
      cases: ['fuzz-7-2040'],
    }),
    relaHeadersByName({
      id: 'v7-rela-headers-by-name',
      divergence: 18,
      does: "finds each rela section's base by name and rewrites sh_info of every RELA section to the first section of that name (and sh_link to `.symtab`); a rela section whose name names no section stops it",
      cases: ['x86_64-same-named-sections', 'loongarch64-patchable-function-entries', 'real/aarch64/drivers-block-loop-clang-symbols'],
    }),
    reservedIndexUndefined({
      id: 'v7-reserved-index-undefined',
      divergence: 11,
      does: 'treats SHN_ABS, SHN_COMMON and SHN_XINDEX symbols as undefined: converts them when symbols.klp lists them, else "Unable to find missing symbol"',
      cases: ['x86_64-abs-symbol'],
    }),
    crashesWithoutRelaAnnotations({
      id: 'v7-crashes-without-rela-annotations',
      divergence: 20,
      does: 'dereferences NULL (SIGSEGV) on a `.klp.module_relocs.*` section with no `.rela.klp.module_relocs.*` (SHT_REL annotations, i386)',
      cases: ['i386-gcc-12-O2-symbols-basic', 'i386-gcc-12-O0-symbols-sections', 'i386-clang-15-O2-symbols-tables', 'i386-gcc-12-O2-symbols-err-conflicting', 'i386-gcc-12-O2-symbols-err-pos-beyond', 'i386-gcc-12-O2-symbols-err-pos0-dup'],
    }),
    annotationEntriesOf12Bytes({
      id: 'v7-annotation-entries-of-12-bytes',
      divergence: 6,
      does: 'sizes every KLP_MODULE_RELOC entry as 12 bytes, so the 8-byte `{ void *; u32 }` entries of a 32-bit target stop it ("length beyond nr_entries")',
      cases: ['ppc32-gcc-12-O2-symbols-basic', 'ppc32-clang-15-O0-symbols-basic', 'ppc32-gcc-12-O2-symbols-err-conflicting', 'ppc32-gcc-12-O2-symbols-err-pos-beyond'],
    }),
    klpSectionsByName({
      id: 'v7-klp-sections-by-name',
      divergence: 19,
      does: 'finds a klp rela section again by its name: relocations of same-named sections share one, which relocates the first of them',
      cases: ['x86_64-same-named-sections'],
    }),
    convertsLoadTimeSections({
      id: 'v7-converts-load-time-sections',
      divergence: 7,
      does: 'converts relocations from sections the kernel applies at module load (.altinstructions, .static_call_sites, …) silently',
      cases: ['x86_64-gcc-12-O2-symbols-err-altinstr', 'x86_64-gcc-12-O2-symbols-err-static-call', 'x86_64-clang-15-O2-symbols-err-altinstr', 'aarch64-gcc-12-O2-symbols-err-altinstr', 'ppc64le-gcc-12-O2-symbols-err-static-call', 's390x-gcc-12-O2-symbols-err-altinstr', 'ppc32-gcc-12-O2-symbols-err-static-call', 'real/aarch64/arch-arm64-kvm-arm-symbols', 'real/x86_64/arch-x86-kernel-process-symbols'],
    }),
    ignoresRel({
      id: 'v7-ignores-rel',
      divergence: 8,
      does: 'scans only SHT_RELA sections: SHT_REL relocations to unresolved symbols stay as they are',
      cases: ['i386-gcc-12-O2-symbols-err-altinstr', 'i386-gcc-12-O2-symbols-err-ambiguous', 'i386-gcc-12-O2-symbols-err-jump-table', 'i386-gcc-12-O2-symbols-err-missing', 'i386-gcc-12-O2-symbols-err-static-call'],
    }),
    symposInFourBytes({
      id: 'v7-sympos-in-four-bytes',
      divergence: 5,
      does: 'formats sympos into `char pos[4]`: 1000–9999 is cut to three digits (1234 → `,123`), 10000 and up stop it ("Insufficient buffer")',
      cases: ['x86_64-sympos-1234', 'x86_64-sympos-12000'],
    }),
    staleLinks({
      id: 'v7-stale-links',
      divergence: 4,
      does: 'rebuilds only relocation sections, `.symtab` and the string tables: after removing the annotation sections, group members and signatures and SHF_LINK_ORDER links keep their old indices',
      cases: ['x86_64-group-after-annotations'],
    }),
    addendsTruncated({
      id: 'v7-addends-truncated',
      divergence: 3,
      does: 'keeps addends in an `int`: +0x100000005 is written as +5 in every RELA section',
      cases: ['x86_64-wide-addend', 'real/x86_64/arch-x86-kernel-head64-symbols'],
    }),
    freshHeader(
      {
        id: 'v7-fresh-header',
        divergence: 1,
        does: 'writes a fresh ELF header keeping only class, data, machine, type and version: e_flags (the ppc64 ELF ABI), EI_OSABI, EI_ABIVERSION and e_entry become 0',
        cases: ['ppc64le-gcc-12-O2-symbols-basic', 'ppc64le-clang-15-O2-ffs-symbols-sections', 'ppc64-gcc-12-elfv1-O2-symbols-basic', 'ppc64-clang-15-elfv2-O2-symbols-tables', 'ppc64le-gcc-12-O2-symbols-err-jump-table', 'real/ppc64le/arch-powerpc-kernel-process-symbols'],
      },
      { keepsFlags: false },
    ),
  ],
};
