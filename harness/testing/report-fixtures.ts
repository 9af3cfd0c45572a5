// Synthetic reports for the report writers' tests: any number of cases, of any class, with diffs
// of any size, without running a converter or a reference.
import { classPasses, type CaseClass } from '../differential/classify.js';
import { summarise, type CaseReport, type HarnessReport } from '../differential/results.js';
import type { DifferingBlock } from '../differential/side-by-side.js';

export function syntheticCase(id: string, cls: CaseClass, extra: Partial<CaseReport> = {}): CaseReport {
  const sameKind = cls === 'bothReject' ? true : null;
  return {
    id,
    dir: `cases/compiled/${id}`,
    dialect: 'symbols',
    arch: 'x86_64',
    compiler: 'gcc-12',
    flagSet: 'O2',
    class: cls,
    passed: classPasses({ class: cls, sameKind }),
    agreement: cls === 'match' ? 'bytes' : null,
    sameKind,
    ours: { outcome: 'ok', errorKind: null, message: null, sha256: 'a'.repeat(64) },
    reference: { outcome: 'ok', exitCode: 0, signal: null, errorKind: null, message: null, stderr: null, sha256: 'b'.repeat(64) },
    timings: { oursMs: 1, referenceMs: 2 },
    differingSections: [],
    diff: null,
    sideBySide: null,
    firstDifferingOffset: null,
    deviations: [],
    model: null,
    note: `${cls} note`,
    ...extra,
  };
}

/** A block of `lines` changed lines, each `width` characters wide. */
export function bigBlock(key: string, lines: number, width = 80): DifferingBlock {
  const line = (side: string, i: number): string => `${side} ${i} `.padEnd(width, 'x');
  return { key, rows: Array.from({ length: lines }, (_, i) => ({ left: line('ref', i), right: line('ours', i) })), omitted: 0 };
}

export function syntheticReport(cases: CaseReport[], extra: Partial<HarnessReport> = {}): HarnessReport {
  return {
    schemaVersion: 2,
    tool: { name: 'klp-harness', version: '0.1.0' },
    reference: { label: 'v7', path: '/opt/ref/v7/klp-convert', sha256: 'c'.repeat(64), command: ['/opt/ref/v7/klp-convert'] },
    model: { label: 'v7', describes: 'v7 (test)', deviations: [{ id: 'v7-fresh-header', divergence: 1, does: 'writes a fresh ELF header', cases: [] }] },
    corpus: ['cases'],
    startedAt: '2026-12-01T00:00:00.000Z',
    durationMs: 1000,
    options: { dialect: 'symbols', shard: null, jobs: 2 },
    interrupted: false,
    passed: cases.every((c) => c.passed),
    summary: summarise(cases),
    cases,
    usedDeviations: [],
    staleDeviations: [],
    ...extra,
  };
}
