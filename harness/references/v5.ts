// The v5 tree: joe-lawrence/klp-convert-tree klp-convert.c @ c11f199d. Known-buggy.
import type { ReferenceModel } from './deviation.js';
import {
  addendsTruncated, annotationEntriesOf12Bytes, convertsLoadTimeSections, crashesWithoutRelaAnnotations, findsShstrtabByName, freshHeader, ignoresRel,
  klpSectionsByName, relaHeadersByName, reservedIndexUndefined, staleLinks, symposInFourBytes, symposInHostOrder,
} from './deviations.js';

export const V5: ReferenceModel = {
  label: 'v5',
  describes: 'v5 tree: joe-lawrence/klp-convert-tree klp-convert.c @ c11f199d (symbols-list dialect)',
  dialect: 'symbols',
  notModelled: 'its segfault on a symbol shared by relocations of two rela sections (-ffunction-sections, cold sections): runs against v5 report refCrash there, as they should',
  deviations: [
    findsShstrtabByName({ id: 'v5-finds-shstrtab-by-name', divergence: 23, does: 'looks the section-name string table up by the name `.shstrtab` when writing (as v7)', cases: ['real/aarch64/kernel-fork-clang-symbols'] }),
    relaHeadersByName({ id: 'v5-rela-headers-by-name', divergence: 18, does: "finds each rela section's base by name (as v7)", cases: ['x86_64-same-named-sections'] }),
    reservedIndexUndefined({ id: 'v5-reserved-index-undefined', divergence: 11, does: 'treats SHN_ABS, SHN_COMMON and SHN_XINDEX symbols as undefined (as v7)', cases: ['x86_64-abs-symbol'] }),
    crashesWithoutRelaAnnotations({ id: 'v5-crashes-without-rela-annotations', divergence: 20, does: 'dereferences NULL on SHT_REL sympos annotations (as v7)', cases: ['i386-gcc-12-O2-symbols-basic'] }),
    annotationEntriesOf12Bytes({ id: 'v5-annotation-entries-of-12-bytes', divergence: 6, does: 'sizes KLP_MODULE_RELOC entries as 12 bytes (as v7)', cases: ['ppc32-gcc-12-O2-symbols-basic', 'ppc32-clang-15-O0-symbols-basic'] }),
    symposInHostOrder({ id: 'v5-sympos-in-host-order', divergence: 21, does: 'reads KLP_SYMPOS values in the host byte order (as v4)', cases: ['s390x-gcc-12-O2-symbols-basic'] }),
    klpSectionsByName({ id: 'v5-klp-sections-by-name', divergence: 19, does: 'finds a klp rela section again by its name (as v7)', cases: ['x86_64-same-named-sections'] }),
    convertsLoadTimeSections({ id: 'v5-converts-load-time-sections', divergence: 7, does: 'converts relocations from load-time sections silently (as v7)', cases: ['x86_64-gcc-12-O2-symbols-err-altinstr'] }),
    ignoresRel({ id: 'v5-ignores-rel', divergence: 8, does: 'scans only SHT_RELA sections (as v7)', cases: ['i386-gcc-12-O2-symbols-err-missing'] }),
    symposInFourBytes({ id: 'v5-sympos-in-four-bytes', divergence: 5, does: 'formats sympos into `char pos[4]` (as v7)', cases: ['x86_64-sympos-1234'] }),
    staleLinks({ id: 'v5-stale-links', divergence: 4, does: 'leaves group and SHF_LINK_ORDER indices stale after removing annotation sections (as v7)', cases: ['x86_64-group-after-annotations'] }),
    addendsTruncated({ id: 'v5-addends-truncated', divergence: 3, does: 'keeps addends in an `int` (as v7)', cases: ['x86_64-wide-addend'] }),
    freshHeader({ id: 'v5-fresh-header', divergence: 1, does: 'writes a fresh ELF header without e_flags, EI_OSABI, EI_ABIVERSION (as v7)', cases: ['ppc64le-gcc-12-O2-symbols-basic'] }, { keepsFlags: false }),
  ],
};
