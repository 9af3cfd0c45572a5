// Which dialect a module is written in, told from its content: `__klp_relocs` sections are the
// post-link format, `.klp.module_relocs.<objname>` sections (KLP_SYMPOS annotations) the
// symbols-list dialect, `.klp.sym.rela.` symbols the annotation dialect. A module of the
// symbols-list dialect without annotations shows nothing; only symbols.klp tells it.
import { decodeSymbols, type ElfObject, symtabIndex } from '../../elf/index.js';
import { KLP_ANNOTATED_SYM_PREFIX, MODULE_RELOCS_PREFIX } from '../names.js';
import type { Dialect } from '../plan.js';
import { isKlpRelocsSection } from './post-link.js';

export interface DialectEvidence {
  /** The dialects whose marks the module carries, in the order post-link, symbols, annotation. */
  dialects: Dialect[];
  /** For each, the first section or symbol that shows it. */
  shownBy: Partial<Record<Dialect, string>>;
}

export function dialectEvidence(obj: ElfObject): DialectEvidence {
  const shownBy: Partial<Record<Dialect, string>> = {};
  for (const s of obj.sections) {
    if (shownBy['post-link'] === undefined && isKlpRelocsSection(s.name)) shownBy['post-link'] = s.name;
    if (shownBy.symbols === undefined && s.name.startsWith(MODULE_RELOCS_PREFIX)) shownBy.symbols = s.name;
  }
  const symtab = symtabIndex(obj);
  if (symtab >= 0) {
    const sym = decodeSymbols(obj, symtab).find((x) => x.name.startsWith(KLP_ANNOTATED_SYM_PREFIX));
    if (sym) shownBy.annotation = sym.name;
  }
  const dialects = (['post-link', 'symbols', 'annotation'] as const).filter((d) => shownBy[d] !== undefined);
  return { dialects, shownBy };
}
