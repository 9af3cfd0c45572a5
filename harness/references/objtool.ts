// objtool's `klp post-link` (Linux 7.x, tools/objtool/klp-post-link.c and elf.c, identical in
// Debian's linux-source-7.2 and 7.3), the post-link dialect's reference: our converter plus the
// deviations below, each checked against the source and shown by a case.
import type { ReferenceModel } from './deviation.js';
import {
  convertsUncheckedEntries, ignoresPartialEntry, ignoresSingleSection, klpSectionsFoundByName, stopsOnEntries,
  typeInHostOrder,
} from './post-link-deviations.js';

/** Labels a run may give objtool builds (`--reference-label objtool-7.3`); all share one model. */
export const OBJTOOL_LABELS = ['objtool', 'objtool-7.2', 'objtool-7.3'] as const;

export function objtoolModel(label: string): ReferenceModel {
  return {
    label,
    describes: `${label}: objtool klp post-link of Linux 7.x (tools/objtool/klp-post-link.c, elf.c; post-link dialect)`,
    dialect: 'post-link',
    deviations: [
      ignoresSingleSection({
        id: 'objtool-ignores-single-section',
        divergence: 26,
        does: 'converts only `__klp_relocs.<objname>` sections: the single `__klp_relocs` section of Linux 6.19 is left unconverted',
        cases: ['x86_64-post-link-single-section'],
      }),
      ignoresPartialEntry({
        id: 'objtool-ignores-partial-entry',
        divergence: 27,
        does: 'walks `size / 24` entries: a trailing partial `struct klp_reloc` is ignored',
        cases: ['x86_64-post-link-partial-entry'],
      }),
      stopsOnEntries({
        id: 'objtool-crashes-without-original',
        divergence: 28,
        does: 'looks the original relocation up with no check: an entry with no relocation at its target offset (or an offset past its section) is a NULL dereference, SIGSEGV',
        cases: ['x86_64-post-link-no-original'],
      }),
      convertsUncheckedEntries({
        id: 'objtool-converts-unchecked-entries',
        divergence: 29,
        does: 'converts every entry as written: a KLP symbol name the livepatch core cannot parse, a module klp rela section naming a vmlinux symbol, an original relocation to a symbol the module defines',
        cases: ['x86_64-post-link-module-names-vmlinux'],
      }),
      klpSectionsFoundByName({
        id: 'objtool-klp-sections-by-name',
        divergence: 19,
        does: 'finds a klp rela section again by its name: entries of same-named target sections share one, which relocates the first of them',
        cases: ['x86_64-post-link-same-named-sections'],
      }),
      typeInHostOrder({
        id: 'objtool-type-in-host-order',
        divergence: 30,
        does: "reads `struct klp_reloc`'s `type` in its host's byte order: on a big-endian object (s390x) each klp relocation's type is byte-swapped",
        cases: ['s390x-post-link-type'],
      }),
    ],
  };
}
