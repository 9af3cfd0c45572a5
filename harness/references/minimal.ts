// minimal (2024), the annotation-dialect reference: openSUSE/kernel klp-convert.c @ a0437b79,
// elf.c @ 9a25204c, elf.h @ 117478b0. Its elf.c is v7's, keeping e_flags.
import type { ReferenceModel } from './deviation.js';
import {
  addendsTruncated, convertsLoadTimeSections, convertsVmlinuxSymbolsForModules, findsShstrtabByName, freshHeader, ignoresRel, klpNamesRunTogether, klpSectionsByName, relaHeadersByName,
} from './deviations.js';

export const MINIMAL: ReferenceModel = {
  label: 'minimal',
  describes: 'minimal (2024): openSUSE/kernel klp-convert.c @ a0437b79, elf.c @ 9a25204c (annotation dialect)',
  dialect: 'annotation',
  deviations: [
    findsShstrtabByName({
      id: 'minimal-finds-shstrtab-by-name',
      divergence: 23,
      does: 'looks the section-name string table up by the name `.shstrtab` when writing (as v7)',
      cases: ['real/aarch64/kernel-fork-clang-annotation', 'real/x86_64/kernel-sched-core-clang-annotation'],
    }),
    relaHeadersByName({
      id: 'minimal-rela-headers-by-name',
      divergence: 18,
      does: "finds each rela section's base by name and rewrites sh_info of every RELA section to the first section of that name (and sh_link to `.symtab`); a rela section whose name names no section stops it",
      cases: ['x86_64-same-named-sections-annotation'],
    }),
    klpSectionsByName({
      id: 'minimal-klp-sections-by-name',
      divergence: 19,
      does: 'finds a klp rela section again by its name: relocations of same-named sections share one, which relocates the first of them',
      cases: ['x86_64-same-named-sections-annotation'],
    }),
    klpNamesRunTogether({
      id: 'minimal-klp-names-run-together',
      divergence: 9,
      does: 'names klp rela sections `.klp.rela.<lpobj><base>`, with no dot before a base without one (`.klp.rela.vmlinux__jump_table`)',
      cases: ['real/aarch64/arch-arm64-kernel-cpufeature-annotation', 'real/ppc64le/arch-powerpc-kernel-traps-annotation', 'real/s390x/arch-s390-kernel-traps-annotation', 'real/x86_64/arch-x86-kernel-process-annotation'],
    }),
    convertsLoadTimeSections({
      id: 'minimal-converts-load-time-sections',
      divergence: 7,
      does: 'converts relocations from sections the kernel applies at module load (.altinstructions, .parainstructions, …) silently',
      cases: ['x86_64-gcc-12-O2-annotation-err-altinstr', 'x86_64-gcc-12-O2-annotation-err-parainstr', 'x86_64-clang-15-O2-annotation-err-altinstr', 'aarch64-gcc-12-O2-annotation-err-parainstr', 'ppc64le-gcc-12-O2-annotation-err-altinstr', 's390x-gcc-12-O2-annotation-err-parainstr', 'ppc32-gcc-12-O2-annotation-err-altinstr', 'real/aarch64/arch-arm64-kvm-arm-annotation', 'real/x86_64/arch-x86-kernel-process-annotation'],
    }),
    convertsVmlinuxSymbolsForModules({
      id: 'minimal-converts-vmlinux-symbols-for-modules',
      divergence: 22,
      does: "converts `.klp.sym.rela.<module>.vmlinux.*` symbols into the module's klp rela section, which the livepatch core refuses to resolve",
      cases: ['real/s390x/net-netfilter-nf-conntrack-core-annotation', 'x86_64-module-patch-vmlinux-symbol'],
    }),
    ignoresRel({
      id: 'minimal-ignores-rel',
      divergence: 8,
      does: 'moves only relocations of SHT_RELA sections: SHT_REL relocations to annotated symbols stay behind, pointing at SHN_LIVEPATCH symbols',
      cases: ['i386-gcc-12-O2-annotation-basic', 'i386-gcc-12-O0-annotation-sections', 'i386-clang-15-O2-annotation-tables', 'i386-gcc-12-O2-annotation-err-altinstr', 'i386-gcc-12-O2-annotation-err-parainstr'],
    }),
    addendsTruncated({
      id: 'minimal-addends-truncated',
      divergence: 3,
      does: 'keeps addends in an `int`: +0x100000005 is written as +5 in every RELA section',
      cases: ['x86_64-wide-addend-annotation', 'real/x86_64/arch-x86-kernel-head64-annotation'],
    }),
    freshHeader(
      {
        id: 'minimal-fresh-header',
        divergence: 2,
        does: 'writes a fresh ELF header keeping class, data, machine, type, version and e_flags: EI_OSABI, EI_ABIVERSION and e_entry become 0',
        cases: ['x86_64-osabi-gnu-annotation'],
      },
      { keepsFlags: true },
    ),
  ],
};
