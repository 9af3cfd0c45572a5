// `klp-harness run`: every case through our converter (in-process) and the reference (a
// subprocess), classified, with timings. Deterministic in which cases a shard gets and in order.
import type { Dialect } from '../../src/klp/index.js';
import { findCases, type Case } from '../case.js';
import { caseError, classPasses, classify, dumpOfBytes, oursOutcomeName, skipped, type CaseClass, type Classification } from './classify.js';
import { HarnessError } from '../errors.js';
import { runOurs, type OursOutcome } from './ours.js';
import { mapPool } from './pool.js';
import { fileSha256, sha256, toolVersion } from '../provenance.js';
import { InterruptedError, runReference, type ReferenceCommand, type ReferenceOutcome } from './reference.js';
import type { ReferenceModel } from '../references/deviation.js';
import { summarise, type CaseReport, type DeviationEntry, type HarnessReport } from './results.js';
import { differingBlocks } from './side-by-side.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new HarnessError(`--shard takes i/n with 1 ≤ i ≤ n, not '${text}'`);
  return { index, count };
}

/** The cases of shard i/n: every nth of the sorted list, starting at the (i-1)th. */
export function shardCases<T>(cases: readonly T[], shard: Shard | undefined): T[] {
  return shard ? cases.filter((_, k) => k % shard.count === shard.index - 1) : [...cases];
}

export interface RunOptions {
  paths: string[];
  reference: ReferenceCommand;
  label: string;
  model: ReferenceModel;
  dialect?: Dialect;
  shard?: Shard;
  jobs: number;
  timeoutMs?: number;
  /** Called after each case, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
  /** Aborted on Ctrl-C: running references are stopped, the rest skipped, the report still written. */
  signal?: AbortSignal;
}

const STDERR_KEPT = 4000;

function oursReport(o: OursOutcome): CaseReport['ours'] {
  return o.kind === 'ok'
    ? { outcome: 'ok', errorKind: null, message: null, sha256: sha256(o.output) }
    : { outcome: 'reject', errorKind: o.errorKind, message: o.message, sha256: null };
}

function referenceReport(r: ReferenceOutcome, cls: Classification): CaseReport['reference'] {
  const stderr = r.stderr ? r.stderr.slice(0, STDERR_KEPT) : null;
  return {
    outcome: r.kind,
    exitCode: r.kind === 'reject' ? r.exitCode : r.kind === 'ok' ? 0 : null,
    signal: r.kind === 'crash' ? r.signal : null,
    errorKind: cls.referenceError?.kind ?? null,
    message: cls.referenceError?.message ?? null,
    stderr,
    sha256: r.kind === 'ok' ? sha256(r.output) : null,
  };
}

/** A note when our outcome is not what case.json says a correct converter does. */
function expectNote(c: Case, ours: OursOutcome): string {
  const expect = c.meta.expect;
  if (typeof expect !== 'string') return '';
  const ourName = oursOutcomeName(ours);
  const wanted = expect === 'convert' ? 'ok' : expect;
  return wanted === ourName ? '' : `case.json expects ${expect}, ours ${ourName === 'ok' ? 'converts' : `refuses (${ourName})`}`;
}

const metaText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The differing blocks side by side: the reference's output against the one the classifier diffed. */
function sideBySideOf(cls: Classification, ref: ReferenceOutcome | null): CaseReport['sideBySide'] {
  if (cls.differingSections.length === 0 || ref?.kind !== 'ok' || !cls.compared) return null;
  try {
    return { versus: cls.compared.side, blocks: differingBlocks(dumpOfBytes(ref.output), dumpOfBytes(cls.compared.output), cls.differingSections) };
  } catch {
    return null; // not readable ELF: the note says so, and there is nothing to show side by side
  }
}

export function caseReport(c: Case, cls: Classification, ours: OursOutcome | null, ref: ReferenceOutcome | null): CaseReport {
  const note = [cls.note, ours ? expectNote(c, ours) : ''].filter(Boolean).join('; ');
  return {
    id: c.id,
    dir: c.dir,
    dialect: c.dialect,
    arch: metaText(c.meta.arch),
    compiler: metaText(c.meta.compiler),
    flagSet: metaText(c.meta.flagSet) ?? metaText(c.meta.flags),
    class: cls.class,
    passed: classPasses(cls),
    agreement: cls.agreement,
    sameKind: cls.sameKind,
    ours: ours ? oursReport(ours) : { outcome: null, errorKind: null, message: null, sha256: null },
    reference: ref
      ? referenceReport(ref, cls)
      : { outcome: null, exitCode: null, signal: null, errorKind: null, message: null, stderr: null, sha256: null },
    timings: { oursMs: ours ? round(ours.ms) : null, referenceMs: ref ? round(ref.ms) : null },
    differingSections: cls.differingSections,
    diff: cls.diff,
    sideBySide: sideBySideOf(cls, ref),
    firstDifferingOffset: cls.firstDifferingOffset,
    deviations: cls.deviations,
    model: cls.model,
    note,
  };
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

export const deviationEntries = (model: ReferenceModel): DeviationEntry[] =>
  model.deviations.map((d) => ({ id: d.id, divergence: d.divergence, does: d.does, cases: d.cases }));

/** The classes that say the model explained a case in full, so its deviations are all it needed. */
const EXPLAINED: ReadonlySet<CaseClass> = new Set(['match', 'known', 'bothReject']);

/**
 * Deviations that look stale: some of their own cases were explained here (match, known,
 * bothReject) and none of those needed them. A run over a few cases (or one shard) says nothing
 * about deviations whose cases did not run, and a case that diverged (a reference's bug the model
 * leaves out, say) says nothing about what else it would have needed.
 */
export function staleDeviations(deviations: readonly DeviationEntry[], cases: readonly Pick<CaseReport, 'id' | 'class' | 'deviations'>[]): DeviationEntry[] {
  const ran = new Map(cases.filter((c) => EXPLAINED.has(c.class)).map((c) => [c.id, c]));
  return deviations.filter((d) => {
    const own = d.cases.map((id) => ran.get(id)).filter((c): c is NonNullable<typeof c> => c !== undefined);
    return own.length > 0 && !own.some((c) => c.deviations.includes(d.id));
  });
}

export async function runHarness(opts: RunOptions): Promise<HarnessReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const all = findCases(opts.paths);
  const cases = shardCases(all, opts.shard);
  let done = 0;
  // A reference speaks one dialect: the other's cases would only be usage errors of it.
  const dialect = opts.dialect ?? opts.model.dialect;
  const notThisDialect = opts.dialect ? `this run is --dialect ${opts.dialect}` : `${opts.model.label} is a ${dialect}-dialect reference (--dialect to choose)`;
  const reports = await mapPool(cases, opts.jobs, async (c) => {
    let r: CaseReport;
    if (dialect && c.dialect !== dialect) {
      r = caseReport(c, skipped(`${c.dialect} case; ${notThisDialect}`), null, null);
    } else if (c.problem !== undefined) {
      r = caseReport(c, caseError(c.problem), null, null);
    } else if (opts.signal?.aborted) {
      r = caseReport(c, skipped('interrupted before it ran'), null, null);
    } else {
      const ours = runOurs(c);
      try {
        const ref = await runReference(opts.reference, c, opts.timeoutMs, opts.signal);
        r = caseReport(c, classify(ours, ref, opts.model, c.id), ours, ref);
      } catch (e) {
        if (!(e instanceof InterruptedError)) throw e;
        r = caseReport(c, skipped('interrupted while the reference ran'), ours, null);
      }
    }
    opts.onProgress?.(++done, cases.length);
    return r;
  });
  const summary = summarise(reports);
  return {
    schemaVersion: 2,
    tool: { name: 'klp-harness', version: toolVersion() },
    reference: { label: opts.label, path: opts.reference.binary, sha256: fileSha256(opts.reference.binary), command: opts.reference.argv },
    model: { label: opts.model.label, describes: opts.model.describes, deviations: deviationEntries(opts.model) },
    corpus: [...opts.paths],
    startedAt: startedAt.toISOString(),
    durationMs: round(performance.now() - t0),
    options: { dialect: dialect ?? null, shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null, jobs: opts.jobs },
    interrupted: opts.signal?.aborted === true,
    passed: opts.signal?.aborted !== true && reports.every((c) => c.passed),
    summary,
    cases: reports,
    usedDeviations: [...new Set(reports.flatMap((c) => c.deviations))].sort(),
    staleDeviations: staleDeviations(deviationEntries(opts.model), reports),
  };
}
