// v4 (2019), the seed's tree: ruscur/linux @ 0d95a36b. Known-buggy.
import type { ReferenceModel } from './deviation.js';
import {
  addendsTruncated, annotationEntriesOf12Bytes, convertsLoadTimeSections, crashesOnSymbolBeforeObject, crashesWithoutRelaAnnotations, findsShstrtabByName, freshHeader, ignoresRel,
  relaHeadersByName, reservedIndexUndefined, staleLinks, symposInFourBytes, symposInHostOrder,
} from './deviations.js';

export const V4: ReferenceModel = {
  label: 'v4',
  describes: 'v4 (2019): ruscur/linux @ 0d95a36b (symbols-list dialect)',
  dialect: 'symbols',
  notModelled:
    'its shared-symbol bug (only the first relocation of a symbol shared within a section converts; the others stay in ordinary rela sections pointing at a SHN_LIVEPATCH symbol, the seed thread) and its 64-bit-only symbol table writer: runs against v4 diverge on them, as they should',
  deviations: [
    crashesOnSymbolBeforeObject({ id: 'v4-crashes-on-symbol-before-object', divergence: 24, does: 'dereferences NULL (SIGSEGV) on a symbols.klp name line before the first `*object` line', cases: ['x86_64-gcc-12-O2-symbols-err-sym-before-obj'] }),
    findsShstrtabByName({ id: 'v4-finds-shstrtab-by-name', divergence: 23, does: 'looks the section-name string table up by the name `.shstrtab` when writing (as v7)', cases: ['real/aarch64/kernel-fork-clang-symbols'] }),
    relaHeadersByName({ id: 'v4-rela-headers-by-name', divergence: 18, does: "finds each rela section's base by name (as v7)", cases: ['x86_64-same-named-sections'] }),
    reservedIndexUndefined({ id: 'v4-reserved-index-undefined', divergence: 11, does: 'treats SHN_ABS, SHN_COMMON and SHN_XINDEX symbols as undefined (as v7)', cases: ['x86_64-abs-symbol'] }),
    crashesWithoutRelaAnnotations({ id: 'v4-crashes-without-rela-annotations', divergence: 20, does: 'dereferences NULL on SHT_REL sympos annotations (as v7)', cases: ['i386-gcc-12-O2-symbols-basic'] }),
    annotationEntriesOf12Bytes({ id: 'v4-annotation-entries-of-12-bytes', divergence: 6, does: 'sizes KLP_MODULE_RELOC entries by the host struct, 12 bytes (as v7)', cases: ['ppc32-gcc-12-O2-symbols-basic', 'ppc32-clang-15-O0-symbols-basic'] }),
    symposInHostOrder({ id: 'v4-sympos-in-host-order', divergence: 21, does: 'reads KLP_SYMPOS values in the host byte order: on a big-endian target sympos 1 reads as 16777216', cases: ['s390x-gcc-12-O2-symbols-basic'] }),
    convertsLoadTimeSections({ id: 'v4-converts-load-time-sections', divergence: 7, does: 'converts relocations from load-time sections silently (as v7)', cases: ['x86_64-gcc-12-O2-symbols-err-altinstr'] }),
    ignoresRel({ id: 'v4-ignores-rel', divergence: 8, does: 'scans only SHT_RELA sections (as v7)', cases: ['i386-gcc-12-O2-symbols-err-missing'] }),
    symposInFourBytes({ id: 'v4-sympos-in-four-bytes', divergence: 5, does: 'formats sympos into `char pos[4]` (as v7)', cases: ['x86_64-sympos-1234'] }),
    staleLinks({ id: 'v4-stale-links', divergence: 4, does: 'leaves group and SHF_LINK_ORDER indices stale after removing annotation sections (as v7)', cases: ['x86_64-group-after-annotations'] }),
    addendsTruncated({ id: 'v4-addends-truncated', divergence: 3, does: 'keeps addends in an `int` (as v7)', cases: ['x86_64-wide-addend'] }),
    freshHeader({ id: 'v4-fresh-header', divergence: 1, does: 'writes a fresh ELF header without e_flags, EI_OSABI, EI_ABIVERSION (as v7)', cases: ['ppc64le-gcc-12-O2-symbols-basic'] }, { keepsFlags: false }),
  ],
};
