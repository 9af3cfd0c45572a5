// The plan: a pure function from the module's model (and the dialect's inputs) to what must change.
// It decides everything and edits nothing; apply.ts carries it out. Each input dialect is a module
// of its own under dialects/ and returns this one plan type.
import type { ElfObject, Reloc } from '../elf/index.js';
import { planAnnotation } from './dialects/annotation.js';
import { planPostLink } from './dialects/post-link.js';
import { planSymbolsList } from './dialects/symbols-list.js';
import type { KlpError } from './errors.js';
import type { ByteReader, SymbolsList } from './symbols-file.js';

/**
 * The three input formats: `symbols` (a symbols.klp list and KLP_SYMPOS annotations, the
 * 2019-2023 series), `annotation` (symbols named `.klp.sym.rela.…`, the 2023-2024 series) and
 * `post-link` (the `__klp_relocs` sections Linux ≥ 6.19's klp-build leaves for objtool).
 */
export type Dialect = 'symbols' | 'annotation' | 'post-link';

export const DIALECTS: readonly Dialect[] = ['symbols', 'annotation', 'post-link'];

/** Where the livepatch core will find a symbol: objname and sympos (0 = unique in objname). */
export interface Resolution {
  objname: string;
  name: string;
  sympos: number;
  /** The patched object whose klp rela section gets the relocations (annotation dialect). */
  lpObjname: string;
}

export interface SymbolConversion extends Resolution {
  /** Index in .symtab. */
  index: number;
  oldName: string;
  newName: string;
}

export interface RelocRef {
  section: number;
  index: number;
  /** The converted symbol it refers to. */
  symbol: number;
}

export interface KlpSectionPlan {
  name: string;
  objname: string;
  /** Section the relocations apply to (sh_info). */
  base: number;
  /** sh_flags: SHF_ALLOC | SHF_RELA_LIVEPATCH, and SHF_INFO_LINK where the dialect's tool sets it. */
  flags: bigint;
  /** Existing relocations moved here, in this order (symbols-list and annotation dialects). */
  relocs: RelocRef[];
  /** New relocation entries written after the moved ones (post-link: one per `__klp_relocs` entry). */
  added: AddedReloc[];
}

/** A relocation entry a dialect writes anew, and the section and entry it comes from. */
export interface AddedReloc extends Reloc {
  from: number;
  entry: number;
}

/** A relocation left in its section with a new type: post-link disables the original as R_*_NONE. */
export interface RelocRetype {
  section: number;
  index: number;
  type: number;
}

export interface ConversionPlan {
  dialect: Dialect;
  symtab: number;
  /** Symbols given a new name and SHN_LIVEPATCH, in the order their new names are added. */
  conversions: SymbolConversion[];
  /** Symbols that keep their name and become SHN_LIVEPATCH (post-link: KLP symbols, tombstones). */
  livepatchSymbols: number[];
  /** klp rela sections in the order they are created: first use. */
  klpSections: KlpSectionPlan[];
  /** Relocations retyped where they are. */
  retype: RelocRetype[];
  /** Annotation sections (and their relocation sections) to drop. */
  removeSections: Set<number>;
  /** Things worth a user's attention that do not stop the conversion. */
  warnings: string[];
  /**
   * Why a correct converter must refuse this module, in the order the dialect met them; empty
   * when the plan can be applied. Some refusals are planned through (a relocation from a
   * load-time section, a module's klp rela section naming a vmlinux symbol) so the harness's
   * reference models can read them all, as data; any other ends the scan, so it is last. The
   * library throws the first.
   */
  refusals: KlpError[];
}

export interface PlanInput {
  dialect: Dialect;
  /** Required for the symbols-list dialect. */
  symbolsList?: SymbolsList;
  /**
   * Or symbols.klp itself, whole or read in pieces: only the names this module's symbol table
   * holds are kept of it, which is all a conversion can ask about (a kernel's file lists some
   * 240,000 names). It is read once, after the module's symbols are known.
   */
  symbolsFile?: Uint8Array | ByteReader;
}

export function planConversion(obj: ElfObject, input: PlanInput): ConversionPlan {
  switch (input.dialect) {
    case 'symbols':
      return planSymbolsList(obj, input);
    case 'annotation':
      return planAnnotation(obj);
    case 'post-link':
      return planPostLink(obj);
  }
}
