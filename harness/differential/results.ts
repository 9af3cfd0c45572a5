// A run's results as the JSON report holds them: schema version 2, documented in
// harness/report/SCHEMA.md. Field names and meanings are stable; a change that breaks a reader
// bumps schemaVersion.
import { readInputText, writeOutput } from '../../src/io/index.js';
import type { Dialect } from '../../src/klp/index.js';
import { CASE_CLASSES, type Agreement, type CaseClass } from './classify.js';
import { HarnessError } from '../errors.js';
import type { DifferingBlock } from './side-by-side.js';

export const SCHEMA_VERSION = 2;

export type Summary = Record<CaseClass, number>;

export interface OursReport {
  outcome: 'ok' | 'reject' | null;
  errorKind: string | null;
  message: string | null;
  sha256: string | null;
}

export interface ReferenceReport {
  outcome: 'ok' | 'reject' | 'crash' | 'timeout' | null;
  exitCode: number | null;
  signal: string | null;
  errorKind: string | null;
  message: string | null;
  stderr: string | null;
  sha256: string | null;
}

export interface CaseReport {
  id: string;
  /** The case directory as the run was given it: what the reproduce command names. */
  dir: string;
  dialect: Dialect;
  arch: string | null;
  /** case.json's `compiler` (gcc-12, clang-15, …). */
  compiler: string | null;
  /** case.json's `flagSet` (O2, O2-ffs, …), else its `flags`. */
  flagSet: string | null;
  class: CaseClass;
  /** Did this case let the run pass (see classPasses)? */
  passed: boolean;
  agreement: Agreement;
  /** bothReject only: whether both sides refused for the same kind of reason. */
  sameKind: boolean | null;
  ours: OursReport;
  reference: ReferenceReport;
  timings: { oursMs: number | null; referenceMs: number | null };
  differingSections: string[];
  diff: string | null;
  /**
   * The canonical dumps of the differing blocks side by side, reference left and `versus` right
   * (the side the unified diff compares with): for the HTML report. Null when none differ.
   */
  sideBySide: { versus: 'ours' | 'model'; blocks: DifferingBlock[] } | null;
  firstDifferingOffset: number | null;
  /**
   * The deviations of the reference's model that acted on this case: for `known`, what reproduced
   * the reference's result; otherwise what the model tried before it fell short (see `model`).
   */
  deviations: string[];
  /** What the model said the reference does, when the model was asked and did not reproduce it. */
  model: string | null;
  note: string;
}

/** One deviation of the run's model, as the report carries it (so merge can judge staleness). */
export interface DeviationEntry {
  id: string;
  divergence: number;
  does: string;
  cases: string[];
}

export interface HarnessReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'klp-harness'; version: string };
  reference: { label: string; path: string; sha256: string; command: string[] };
  /** The reference's model: our converter plus these deviations (harness/references/<label>.ts). */
  model: { label: string; describes: string; deviations: DeviationEntry[] };
  /** The case or corpus directories the run was given. */
  corpus: string[];
  startedAt: string;
  durationMs: number;
  options: { dialect: Dialect | null; shard: string | null; jobs: number };
  /** Stopped by Ctrl-C: the cases it did not finish are `skipped`, and the report does not pass. */
  interrupted?: boolean;
  passed: boolean;
  summary: Summary;
  cases: CaseReport[];
  /** Deviations that acted on some case of this report. */
  usedDeviations: string[];
  /** Deviations none of whose own cases needed them, though some of those cases ran: stale? */
  staleDeviations: DeviationEntry[];
}

export function emptySummary(): Summary {
  return Object.fromEntries(CASE_CLASSES.map((c) => [c, 0])) as Summary;
}

export function summarise(cases: readonly Pick<CaseReport, 'class'>[]): Summary {
  const s = emptySummary();
  for (const c of cases) s[c.class]++;
  return s;
}

/** `412 match, 3 known, …, 0 skipped`: every class, always in the same order. */
export function summaryLine(s: Summary): string {
  return CASE_CLASSES.map((c) => `${s[c]} ${c}`).join(', ');
}

export function writeJsonReport(path: string, report: HarnessReport): void {
  writeOutput(path, `${JSON.stringify(report, null, 2)}\n`);
}

export function readJsonReport(path: string): HarnessReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readInputText(path));
  } catch (e) {
    throw new HarnessError(`${path}: unreadable report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = parsed as Partial<HarnessReport>;
  if (r.schemaVersion !== SCHEMA_VERSION) throw new HarnessError(`${path}: schemaVersion ${String(r.schemaVersion)}, expected ${SCHEMA_VERSION}`);
  if (!Array.isArray(r.cases) || typeof r.summary !== 'object' || !r.reference) throw new HarnessError(`${path}: not a klp-harness report`);
  return r as HarnessReport;
}
