// GitHub Actions: with GITHUB_ACTIONS=true a run (or merge, or golden check) appends a Markdown
// summary to $GITHUB_STEP_SUMMARY and prints one `::error` workflow command per failing case, so
// the failures show on the run's page and in the pull request.
import { readInputText, resolveOutput, writeOutput } from '../../src/io/index.js';
import { CASE_CLASSES } from '../differential/classify.js';
import type { GoldenCheckResult } from '../golden/golden.js';
import type { CaseReport, HarnessReport } from '../differential/results.js';
import { reproduceCommand, shellCommand } from './reproduce.js';

export const isGithubActions = (env: NodeJS.ProcessEnv = process.env): boolean => env.GITHUB_ACTIONS === 'true';

/** Failing cases listed in the step summary; the rest are counted. */
export const SUMMARY_ROWS = 50;

/** A workflow command's message: %, CR and LF are the characters GitHub decodes. */
export const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** A workflow command's property value: the data escapes, and `:` and `,` that end a property. */
export const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export const errorAnnotation = (title: string, message: string): string => `::error title=${escapeProperty(title)}::${escapeData(message)}`;

const oneLine = (s: string): string => s.replace(/\r\n|\r|\n/g, ' ');

/** Plain text in a Markdown table cell: one line, Markdown's punctuation taken literally. */
export const cell = (s: string): string => oneLine(s).replace(/[\\`*_{}[\]<>#|~]/g, (c) => `\\${c}`);

/** A code span in a table cell: fenced past any backticks in it; pipes escaped for the table. */
export function code(s: string): string {
  const text = oneLine(s).replace(/\|/g, '\\|');
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** `::error title=klp-harness v7: diverge a::…` for each failing case. */
export function runAnnotations(report: HarnessReport): string[] {
  return report.cases
    .filter((c) => !c.passed)
    .map((c) => errorAnnotation(`klp-harness ${report.reference.label}: ${c.class} ${c.id}`, `${c.class}: ${c.note}\nreproduce: ${reproduceCommand(report, c)}`));
}

function failingTable(rows: readonly string[][], header: readonly string[], total: number): string[] {
  const out = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.slice(0, SUMMARY_ROWS).map((r) => `| ${r.join(' | ')} |`)];
  if (total > SUMMARY_ROWS) out.push('', `… and ${total - SUMMARY_ROWS} more failing (see the JSON, JUnit or HTML report).`);
  return out;
}

export function runStepSummary(report: HarnessReport, title = 'klp-harness run'): string {
  const failing: CaseReport[] = report.cases.filter((c) => !c.passed);
  const lines = [
    `## ${title}: ${report.reference.label} ${report.passed ? 'passed' : 'failed'}`,
    '',
    `Reference ${code(report.reference.path)} (sha256 ${code(report.reference.sha256)}), ${report.cases.length} cases.`,
    '',
    `| ${CASE_CLASSES.join(' | ')} |`,
    `|${CASE_CLASSES.map(() => '---:').join('|')}|`,
    `| ${CASE_CLASSES.map((k) => String(report.summary[k])).join(' | ')} |`,
    '',
  ];
  if (report.interrupted) lines.push('Interrupted: the report covers the cases that finished.', '');
  if (failing.length) {
    lines.push(`### ${failing.length} failing case${failing.length === 1 ? '' : 's'}`, '');
    const rows = failing.map((c) => [code(c.id), c.class, cell(c.arch ?? '—'), cell(c.note), code(reproduceCommand(report, c))]);
    lines.push(...failingTable(rows, ['case', 'class', 'arch', 'why', 'reproduce'], failing.length), '');
    lines.push('Reproduce one case locally with the command in its row; the whole run:', '', '```sh', runCommand(report), '```', '');
  }
  return `${lines.join('\n')}\n`;
}

/** The command line of the whole run (shard and dialect included). */
function runCommand(report: HarnessReport): string {
  const ref = report.reference;
  const reference = ref.command.length > 1 ? ['--reference-cmd', ref.command.join(' ')] : ['--reference', ref.path];
  const dialect = report.options.dialect ? ['--dialect', report.options.dialect] : [];
  const shard = report.options.shard ? ['--shard', report.options.shard] : [];
  return shellCommand(['npx', 'klp-harness', 'run', ...reference, '--reference-label', ref.label, ...dialect, ...shard, ...(report.corpus ?? [])]);
}

export function goldenAnnotations(result: GoldenCheckResult, command: (id: string) => string): string[] {
  return result.problems.map((p) => errorAnnotation(`klp-harness golden: ${p.problem} ${p.id}`, `${p.detail.split('\n', 1)[0]}\nreproduce: ${command(p.id)}`));
}

export function goldenStepSummary(result: GoldenCheckResult, command: (id: string) => string): string {
  const passed = result.problems.length === 0;
  const lines = [`## klp-harness golden check ${passed ? 'passed' : 'failed'}`, '', `${result.passed} of ${result.checked} cases agree with their goldens; ${result.problems.length} problem(s).`, ''];
  if (!passed) {
    const rows = result.problems.map((p) => [code(p.id), p.problem, cell(p.detail.split('\n', 1)[0] ?? ''), code(command(p.id))]);
    lines.push(...failingTable(rows, ['case', 'problem', 'detail', 'reproduce'], result.problems.length), '');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Appends to the step summary file. The one output helper replaces files, so a regular file is
 * read and written back whole (a step's summary is small); a FIFO or device is written straight to.
 */
export function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  const target = resolveOutput(path);
  const regular = (target.kind === 'file' && target.existing !== undefined) || target.kind === 'linked-file';
  const before = regular ? readInputText(path) : '';
  writeOutput(path, before + markdown);
}

/** Everything a GitHub Actions step gets from a run or merge: annotations on stdout, the summary. */
export function githubRunOutputs(report: HarnessReport, title?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isGithubActions(env)) return '';
  appendStepSummary(runStepSummary(report, title), env);
  const annotations = runAnnotations(report);
  return annotations.length ? `${annotations.join('\n')}\n` : '';
}

export function githubGoldenOutputs(result: GoldenCheckResult, command: (id: string) => string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isGithubActions(env)) return '';
  appendStepSummary(goldenStepSummary(result, command), env);
  const annotations = goldenAnnotations(result, command);
  return annotations.length ? `${annotations.join('\n')}\n` : '';
}
