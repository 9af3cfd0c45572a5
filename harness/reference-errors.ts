// The reference prints free-text errors; to compare refusals we name them with our error kinds.
// Learnt from the v4, v5, v7 and minimal builds' WARN() calls and from running them on the corpus.
// The first line that names a cause wins: later lines ("Unable to convert relocation", "Unable to
// load user-provided sympos") only repeat that something failed.

interface StderrRule {
  includes: string;
  kind: string;
}

/** Our kind for messages that say nothing about the input (allocation failures and the like). */
export const REFERENCE_INTERNAL_KIND = 'internal';
/** No rule matched: never equal to one of our kinds, so a bothReject with it fails. */
export const REFERENCE_UNKNOWN_KIND = 'unknown';

const RULES: readonly StderrRule[] = [
  { includes: 'Unable to open Symbol list', kind: 'bad-symbols-file' },
  { includes: 'Unable to read Symbol list', kind: 'bad-symbols-file' },
  { includes: 'Symbol list is in unknown format', kind: 'bad-symbols-file' },
  { includes: 'File format error', kind: 'bad-symbols-file' },
  { includes: 'Conflicting KLP_SYMPOS definition', kind: 'conflicting-sympos' },
  { includes: "Couldn't find rela for annotated symbol", kind: 'bad-annotation' },
  { includes: 'length beyond nr_entries', kind: 'bad-annotation' },
  { includes: 'nr_entries mismatch', kind: 'bad-annotation' },
  { includes: 'Invalid format of symbol', kind: 'bad-annotation' },
  { includes: 'Invalid relocation symbol name', kind: 'bad-annotation' },
  { includes: 'Define KLP_SYMPOS for the symbol', kind: 'ambiguous-symbol' },
  { includes: 'Valid KLP_SYMPOS for symbol', kind: 'ambiguous-symbol' },
  { includes: 'Provided KLP_SYMPOS of 0, but found', kind: 'bad-sympos' },
  { includes: 'Provided KLP_SYMPOS does not match a symbol', kind: 'bad-sympos' },
  // v7 refuses sympos > 999 this way (the name buffer holds three digits).
  { includes: 'Insufficient buffer for expanding sympos', kind: 'bad-sympos' },
  { includes: 'Unable to find missing symbol', kind: 'missing-symbol' },
  // elf.c: the object could not be read or is not what it expects.
  { includes: 'Unable to read elf file', kind: 'bad-elf' },
  { includes: 'invalid elf class', kind: 'bad-elf' },
  { includes: 'section entry mismatch', kind: 'bad-elf' },
  { includes: 'missing symbol table', kind: 'bad-elf' },
  { includes: "couldn't find section for symbol", kind: 'bad-elf' },
  { includes: "can't find base section for rela section", kind: 'bad-elf' },
  { includes: "can't find rela entry symbol", kind: 'bad-elf' },
  { includes: 'unexpected data attributes', kind: 'bad-elf' },
  { includes: "can't find .shstrtab", kind: 'bad-elf' },
  { includes: "can't find .strtab", kind: 'bad-elf' },
  { includes: "can't find symtab", kind: 'bad-elf' },
  { includes: 'Length error', kind: 'bad-annotation' },
  { includes: 'Usage:', kind: 'usage' },
  { includes: 'alloc', kind: REFERENCE_INTERNAL_KIND },
  { includes: 'failed', kind: REFERENCE_INTERNAL_KIND },
];

export interface ReferenceError {
  kind: string;
  /** The line that decided the kind (or the first line, when none did). */
  message: string;
}

export function referenceErrorKind(stderr: string): ReferenceError {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    const rule = RULES.find((r) => line.includes(r.includes));
    if (rule) return { kind: rule.kind, message: line };
  }
  return { kind: REFERENCE_UNKNOWN_KIND, message: lines[0] ?? '' };
}
