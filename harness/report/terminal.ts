// What a person reads: one line per case (known cases too, never hidden), the diffs of failing
// cases, stale ledger warnings, and the summary as the last line. With CI=true only the summary:
// detail goes to --json / --junit.
import { Chalk, type ChalkInstance } from 'chalk';
import { colourDiff } from '../differential/diff.js';
import type { CaseClass } from '../differential/classify.js';
import { summaryLine, type CaseReport, type HarnessReport } from '../differential/results.js';

export interface TerminalOptions {
  colour: boolean;
  ci: boolean;
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

const CLASS_WIDTH = 10;

function classColour(c: ChalkInstance, cls: CaseClass, passed: boolean): (s: string) => string {
  if (cls === 'match') return c.green;
  if (cls === 'known') return c.yellow;
  if (cls === 'skipped') return c.dim;
  return passed ? c.green : c.red;
}

export function caseLine(r: CaseReport, c: ChalkInstance): string {
  const agreement = r.agreement ? ` [${r.agreement}]` : '';
  const kind = r.class === 'bothReject' ? (r.sameKind ? ' same kind' : ' DIFFERENT KIND') : '';
  const note = r.note ? `  ${r.note}` : '';
  return `${classColour(c, r.class, r.passed)(r.class.padEnd(CLASS_WIDTH))} ${r.id}${agreement}${kind}${note}`;
}

export function renderTerminal(report: HarnessReport, opts: TerminalOptions): string {
  const line = summaryLine(report.summary);
  if (opts.ci) return `${line}\n`;
  const c = new Chalk({ level: opts.colour ? 1 : 0 });
  const out: string[] = [];
  out.push(`reference ${report.reference.label}: ${report.reference.path} (sha256 ${report.reference.sha256.slice(0, 16)}…)`);
  for (const r of report.cases) out.push(caseLine(r, c));
  const failing = report.cases.filter((r) => !r.passed);
  for (const r of failing) {
    if (!r.diff && r.firstDifferingOffset === null) continue;
    out.push('', c.bold(`── ${r.id}: ${r.class}`));
    if (r.firstDifferingOffset !== null) out.push(`first differing file offset: 0x${r.firstDifferingOffset.toString(16)}`);
    if (r.diff) out.push(colourDiff(r.diff.trimEnd(), opts.colour));
  }
  for (const s of report.staleDeviations) {
    out.push(c.yellow(`warning: ${report.model.label} deviation '${s.id}' was needed by none of its own cases that ran (${s.cases.join(', ')}): stale?`));
  }
  out.push(line);
  return `${out.join('\n')}\n`;
}

/** A one-line progress bar on stderr, drawn only on a TTY and only once a run has lasted a second. */
export class ProgressBar {
  private readonly started = performance.now();
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly enabled = stream.isTTY === true) {}

  update(done: number, total: number): void {
    if (!this.enabled || performance.now() - this.started < 1000) return;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
