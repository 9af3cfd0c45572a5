// The one command that reproduces a case locally, as every report shows it (HTML, JUnit, GitHub).
import type { CaseReport, HarnessReport } from '../differential/results.js';

/** A word for a POSIX shell: bare when it is safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const shellCommand = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

/**
 * `npx klp-harness run --reference PATH --reference-label L CASE_DIR`; a wrapped reference (a
 * --reference-cmd run) is named by its whole command. A report written before cases carried their
 * directory names the case id instead.
 */
export function reproduceCommand(report: Pick<HarnessReport, 'reference'>, c: Pick<CaseReport, 'id'> & Partial<Pick<CaseReport, 'dir'>>): string {
  return shellCommand(['npx', 'klp-harness', 'run', ...referenceOptions(report.reference.command, report.reference.label), c.dir ?? c.id]);
}

/** The options that name a reference build: `--reference PATH`, or for a wrapped one `--reference-cmd 'WRAPPER… PATH'`, and its label. */
export function referenceOptions(argv: readonly string[], label: string): string[] {
  return [...(argv.length > 1 ? ['--reference-cmd', argv.join(' ')] : ['--reference', argv[0]!]), '--reference-label', label];
}
