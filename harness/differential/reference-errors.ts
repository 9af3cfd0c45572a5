// The reference prints free-text errors; to compare refusals we name them with our error kinds and
// pick out the symbol or section they name. Learnt from the v4, v5, v7 and minimal builds' WARN()
// calls and from running them on the corpus. The first line that names a cause wins: later lines
// ("Unable to convert relocation", "Unable to load user-provided sympos") only repeat that
// something failed. Warnings the reference prints and then goes on ("Couldn't find rela for
// annotated symbol") decide nothing.

interface StderrRule {
  /** Matched anywhere in a line; a capture group `subject` is the symbol or section it names. */
  re: RegExp;
  kind: string;
}

/** Our kind for messages that say nothing about the input (allocation failures and the like). */
export const REFERENCE_INTERNAL_KIND = 'internal';
/** No rule matched: never equal to one of our kinds, so a bothReject with it fails. */
export const REFERENCE_UNKNOWN_KIND = 'unknown';

// Object names hold no dot; symbol names may (`foo.cold`, `bar.isra.0`), so `obj.sym,pos` splits
// at the first dot and the last comma.
const OBJ_SYM_POS = String.raw`[^.\s]*\.(?<subject>.*),-?\d+`;

const RULES: readonly StderrRule[] = [
  // objtool klp post-link (tools/objtool/klp-post-link.c, elf.c): `error: objtool: …`.
  { re: /objtool: malformed (?<subject>__klp_relocs\S*) section/, kind: 'bad-klp-relocs' },
  { re: /objtool: .*duplicate reloc/, kind: 'bad-klp-relocs' },
  { re: /objtool: snprintf\(\) failed for '\.klp\.rela\./, kind: 'bad-klp-relocs' },
  { re: /objtool: (missing|no) \.symtab/, kind: 'bad-elf' },
  { re: /objtool.*: (elf_open_read|elf_begin|gelf_getehdr|elf_getshdrnum|elf_getshdrstrndx|elf_getdata|elf_strptr)/, kind: 'bad-elf' },
  { re: /objtool: can't find (base section for reloc section|reloc entry symbol) (\d+ for )?(?<subject>\S+)/, kind: 'bad-elf' },
  { re: /objtool: couldn't find section for symbol (?<subject>.*)$/, kind: 'bad-elf' },
  { re: /Unable to open Symbol list/, kind: 'bad-symbols-file' },
  { re: /Unable to read Symbol list/, kind: 'bad-symbols-file' },
  { re: /Symbol list is in unknown format/, kind: 'bad-symbols-file' },
  { re: /File format error/, kind: 'bad-symbols-file' },
  { re: new RegExp(String.raw`Conflicting KLP_SYMPOS definition: ${OBJ_SYM_POS} vs\.`), kind: 'conflicting-sympos' },
  { re: /section (?<subject>\S+) length beyond nr_entries/, kind: 'bad-annotation' },
  { re: /nr_entries mismatch \(-?\d+ != -?\d+\) for (?<subject>\S+)/, kind: 'bad-annotation' },
  { re: /Invalid format of symbol \((?<subject>.*)\)/, kind: 'bad-annotation' },
  { re: /Invalid relocation symbol name/, kind: 'bad-annotation' },
  { re: /Define KLP_SYMPOS for the symbol: (?<subject>.*)$/, kind: 'ambiguous-symbol' },
  { re: /Valid KLP_SYMPOS for symbol (?<subject>.*):$/, kind: 'ambiguous-symbol' },
  { re: new RegExp(String.raw`Provided KLP_SYMPOS of 0, but found -?\d+ symbols matching: ${OBJ_SYM_POS}$`), kind: 'bad-sympos' },
  { re: new RegExp(String.raw`Provided KLP_SYMPOS does not match a symbol: ${OBJ_SYM_POS}$`), kind: 'bad-sympos' },
  // v4–v7 keep the sympos digits in a 4-byte buffer: from 10000 on they stop here.
  { re: new RegExp(String.raw`Insufficient buffer for expanding sympos \(${OBJ_SYM_POS}\)`), kind: 'bad-sympos' },
  // minimal sizes the new name for four sympos digits: from 10000 on the name does not fit.
  { re: new RegExp(String.raw`Length error \(\.klp\.sym\.${OBJ_SYM_POS}\)`), kind: 'bad-sympos' },
  { re: /Unable to find missing symbol: (?<subject>.*)$/, kind: 'missing-symbol' },
  // elf.c: the object could not be read or is not what it expects.
  { re: /can't find base section for rela section (?<subject>.*)$/, kind: 'bad-elf' },
  { re: /couldn't find section for symbol (?<subject>.*)$/, kind: 'bad-elf' },
  { re: /can't find rela entry symbol \d+ for (?<subject>.*)$/, kind: 'bad-elf' },
  { re: /unexpected data attributes for (?<subject>.*)$/, kind: 'bad-elf' },
  { re: /Unable to read elf file/, kind: 'bad-elf' },
  { re: /invalid elf class/, kind: 'bad-elf' },
  { re: /section entry mismatch/, kind: 'bad-elf' },
  { re: /missing symbol table/, kind: 'bad-elf' },
  { re: /can't find \.shstrtab/, kind: 'bad-elf' },
  { re: /can't find \.strtab/, kind: 'bad-elf' },
  { re: /can't find symtab/, kind: 'bad-elf' },
  { re: /Length error/, kind: 'bad-annotation' },
  { re: /Usage:/, kind: 'usage' },
  { re: /alloc/, kind: REFERENCE_INTERNAL_KIND },
  { re: /failed/, kind: REFERENCE_INTERNAL_KIND },
];

/** Printed by a reference that then carries on: never the reason for a refusal. */
const WARNINGS: readonly RegExp[] = [/Couldn't find rela for annotated symbol/];

export interface ReferenceError {
  kind: string;
  /** The line that decided the kind (or the first line, when none did). */
  message: string;
  /** The symbol or section that line names, when it names one. */
  subject?: string;
}

export function referenceErrorKind(stderr: string): ReferenceError {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    if (WARNINGS.some((w) => w.test(line))) continue;
    for (const rule of RULES) {
      const m = rule.re.exec(line);
      if (!m) continue;
      const subject = m.groups?.subject;
      return subject !== undefined ? { kind: rule.kind, message: line, subject } : { kind: rule.kind, message: line };
    }
  }
  return { kind: REFERENCE_UNKNOWN_KIND, message: lines.find((l) => !WARNINGS.some((w) => w.test(l))) ?? lines[0] ?? '' };
}
