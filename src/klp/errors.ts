/**
 * What can go wrong in a conversion, named the way the harness compares rejections:
 * two tools that refuse the same module should refuse it for the same kind of reason.
 */
export type KlpErrorKind =
  | 'bad-elf' // the module is not a well-formed relocatable ELF object
  | 'bad-symbols-file' // symbols.klp is malformed
  | 'bad-annotation' // a .klp.module_relocs section or a .klp.sym.rela name is malformed
  | 'missing-symbol' // an unresolved symbol is not listed in symbols.klp
  | 'ambiguous-symbol' // listed more than once and not annotated with a sympos
  | 'bad-sympos' // an annotation's sympos does not fit the listed duplicates
  | 'conflicting-sympos' // two annotations give one symbol different positions
  | 'unsupported-section' // the kernel applies this section before livepatch relocations exist
  | 'unsupported-relocation' // e.g. SHT_REL: the livepatch core only applies RELA
  | 'bad-klp-relocs'; // a __klp_relocs section (post-link dialect) or one of its entries is malformed

export interface KlpErrorWhere {
  section?: string;
  symbol?: string;
  index?: number;
  offset?: number;
  line?: number;
}

export class KlpError extends Error {
  override readonly name = 'KlpError';
  constructor(
    readonly kind: KlpErrorKind,
    readonly reason: string,
    readonly where: KlpErrorWhere = {},
    /** Extra lines printed after the one-line error (the KLP_SYMPOS hint). */
    readonly hint: readonly string[] = [],
  ) {
    super(reason);
  }
}
