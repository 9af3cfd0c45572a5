// Runs each mutant in its own copy of the repository and checks it with what CI runs without a
// reference, cheapest first, stopping at the first check that fails:
//   golden     `klp-harness golden check` over the corpus (cases/ against golden/);
//   unit       the oracle-free unit and property tests of the conversion (vitest);
//   properties the kernel's rules and idempotence over every committed case (vitest);
//   generated  the same over generated scenarios (vitest, KLP_GEN_SCENARIOS of them).
// A check "fails" only on a problem the unmutated copy does not have (the baseline), so work in
// progress elsewhere in the tree never passes for a kill.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dialect } from '../../src/klp/index.js';
import { findCases } from '../case.js';
import { inOwnGroup } from '../processes.js';
import { mapPool } from '../differential/pool.js';
import type { Mutant } from './definitions.js';
import { applyMutant, StaleMutantError } from './patch.js';

export const CHECKS = ['golden', 'unit', 'properties', 'generated', 'differential'] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckOutcome {
  check: CheckName;
  /** Problems found, each named by case id or test name. */
  failures: string[];
  ms: number;
}

/** `deviation`: survived a differential run against a reference of which it is a deviation, as it should. */
export type MutantStatus = 'killed' | 'survived' | 'stale' | 'broken' | 'deviation' | 'not-applicable';

export interface MutantResult {
  id: string;
  status: MutantStatus;
  /** killed: the check and the first new failure; stale/broken: why. */
  by: string;
  ms: number;
  checks: CheckOutcome[];
}

export interface RunnerOptions {
  /** The repository to copy (its src/, harness/, cases/, golden/, scripts/, package.json, tsconfig.json). */
  repo: string;
  jobs: number;
  /** Generated scenarios for the last check. */
  scenarios: number;
  seed?: number;
  keep?: boolean;
  /** Per check, so a mutant that hangs the converter is still judged. */
  checkTimeoutMs?: number;
  /**
   * Judge every mutant by a differential run against this reference build instead: killed when
   * some case fails that passes unmutated.
   */
  differential?: { reference: string; label: string; dialect: Dialect };
  log?: (line: string) => void;
}

/** Unit test files of the conversion that need neither a reference nor a build of the CLI. */
export const UNIT_TEST_FILES = ['src/klp/convert.test.ts', 'src/elf/read-write.test.ts', 'src/klp/symbols-file.test.ts'];
export const PROPERTY_TEST_FILE = 'harness/generate/properties.test.ts';
const COPIED = ['src', 'harness', 'cases', 'golden', 'scripts', 'package.json', 'tsconfig.json'];
const BUILD_INFO = '.mutants.tsbuildinfo';

async function tsc(dir: string, timeoutMs: number): Promise<string | null> {
  const r = await execa('node', [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', BUILD_INFO], {
    cwd: dir, reject: false, timeout: timeoutMs, all: true,
  });
  if (r.exitCode === 0) return null;
  return (r.all ?? r.message).split('\n').filter(Boolean).slice(0, 5).join(' | ') || `tsc exited ${r.exitCode}`;
}

/** A fresh copy of the repository with node_modules linked and everything compiled. */
export async function prepareBase(repo: string, root: string, timeoutMs: number): Promise<string> {
  const base = join(root, 'base');
  mkdirSync(base, { recursive: true });
  for (const name of COPIED) {
    if (existsSync(join(repo, name))) cpSync(join(repo, name), join(base, name), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(base, 'node_modules'));
  const err = await tsc(base, timeoutMs);
  if (err) throw new Error(`the unmutated copy does not compile: ${err}`);
  return base;
}

/** A mutant's copy: sources, dist and build info copied (so tsc rebuilds only what changed), the rest linked. */
function mutantCopy(base: string, root: string, id: string): string {
  const dir = join(root, id);
  mkdirSync(dir);
  for (const name of ['src', 'harness', 'dist', 'package.json', 'tsconfig.json', BUILD_INFO]) {
    cpSync(join(base, name), join(dir, name), { recursive: true, preserveTimestamps: true });
  }
  for (const name of ['cases', 'golden', 'scripts', 'node_modules']) {
    if (existsSync(join(base, name))) symlinkSync(realpathSync(join(base, name)), join(dir, name));
  }
  return dir;
}

interface VitestJson {
  testResults?: Array<{ name?: string; status?: string; message?: string; assertionResults?: Array<{ fullName?: string; status?: string }> }>;
}

async function vitest(dir: string, files: string[], filter: string | null, env: Record<string, string>, timeoutMs: number): Promise<string[]> {
  const out = join(dir, `.vitest-${Math.random().toString(36).slice(2)}.json`);
  const args = ['run', '--no-cache', '--reporter=json', `--outputFile=${out}`, '--maxWorkers=1', '--minWorkers=1', ...(filter ? ['-t', filter] : []), ...files];
  // --no-cache: node_modules is linked from the real tree, whose results cache is not ours to write.
  const r = await inOwnGroup(execa('node', [join(dir, 'node_modules/vitest/vitest.mjs'), ...args], {
    cwd: dir, reject: false, timeout: timeoutMs, all: true, env: { ...env, CI: '1', NO_COLOR: '1' }, detached: true,
  }));
  if (r.timedOut) return [`timed out after ${Math.round(timeoutMs / 1000)} s`];
  let report: VitestJson;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
  } catch {
    return r.exitCode === 0 ? [] : [`vitest exited ${r.exitCode}: ${(r.all ?? '').split('\n').filter(Boolean).slice(-3).join(' | ')}`];
  } finally {
    rmSync(out, { force: true });
  }
  const failures: string[] = [];
  for (const file of report.testResults ?? []) {
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed').map((a) => a.fullName ?? '?');
    failures.push(...failed);
    if (failed.length === 0 && file.status === 'failed') failures.push(`${(file.name ?? '?').replace(`${dir}/`, '')}: ${(file.message ?? 'failed').split('\n')[0]}`);
  }
  if (failures.length === 0 && r.exitCode !== 0) failures.push(`vitest exited ${r.exitCode}`);
  return failures;
}

/**
 * A few cases that between them cover every arch and dialect, and every case written to kill a
 * mutant: checked first, so most mutants die in a second instead of after the whole corpus.
 */
export function smokeCaseIds(dir: string): string[] {
  const picked = new Map<string, string>();
  for (const c of findCases([join(dir, 'cases')])) {
    if (c.dir.includes('/mutant-killers/')) picked.set(c.id, c.id);
    else if (c.dir.includes('/compiled/')) {
      const key = `${c.meta.arch ?? '?'}/${c.dialect}`;
      if (!picked.has(key) || c.id.includes('-O2-ffs-')) picked.set(key, c.id);
    }
  }
  return [...new Set(picked.values())].sort();
}

async function goldenCheck(dir: string, timeoutMs: number, ids: readonly string[] = []): Promise<string[]> {
  const r = await inOwnGroup(execa('node', ['dist/harness/cli/main.js', 'golden', 'check', ...ids], { cwd: dir, reject: false, timeout: timeoutMs, env: { CI: '1', NO_COLOR: '1' }, detached: true }));
  if (r.timedOut) return [`timed out after ${Math.round(timeoutMs / 1000)} s`];
  const failures = r.stdout
    .split('\n')
    .map((l) => /^(no-golden|no-case|differs|unreadable)\s+(.+?): /.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[2]} (${m[1]})`);
  if (failures.length === 0 && r.exitCode !== 0) failures.push(`golden check exited ${r.exitCode}: ${r.stderr.split('\n')[0]}`);
  return failures;
}

/** `klp-harness run` against the reference over the copy's corpus: the cases that fail. */
async function differentialRun(dir: string, ref: NonNullable<RunnerOptions['differential']>, timeoutMs: number): Promise<string[]> {
  const out = join(dir, `.differential-${Math.random().toString(36).slice(2)}.json`);
  const r = await inOwnGroup(execa('node', ['dist/harness/cli/main.js', 'run', '--reference', ref.reference, '--reference-label', ref.label, '--dialect', ref.dialect, '--jobs', '2', '--json', out, 'cases'], {
    cwd: dir, reject: false, timeout: timeoutMs, env: { CI: '1', NO_COLOR: '1' }, detached: true,
  }));
  if (r.timedOut) return [`timed out after ${Math.round(timeoutMs / 1000)} s`];
  try {
    const report = JSON.parse(readFileSync(out, 'utf8')) as { cases: Array<{ id: string; class: string; passed: boolean }> };
    // A reference that ran out of time says nothing about the mutant (a busy machine does that).
    return report.cases.filter((c) => !c.passed && c.class !== 'refTimeout').map((c) => `${c.id} (${c.class})`);
  } catch {
    return [`run exited ${r.exitCode}: ${r.stderr.split('\n')[0]}`];
  } finally {
    rmSync(out, { force: true });
  }
}

async function runCheck(check: CheckName, dir: string, opts: RunnerOptions, known: ReadonlySet<string> = new Set(), smoke?: readonly string[]): Promise<CheckOutcome> {
  const t0 = performance.now();
  const timeout = opts.checkTimeoutMs ?? 240_000;
  const genEnv = { KLP_GEN_SCENARIOS: String(opts.scenarios), ...(opts.seed !== undefined ? { KLP_GEN_SEED: String(opts.seed) } : {}) };
  let failures: string[];
  switch (check) {
    case 'golden':
      // The baseline is judged on the whole corpus; a mutant on the smoke cases first.
      failures = smoke ? await goldenCheck(dir, timeout, smoke) : [];
      if (!smoke || failures.filter((f) => !known.has(f)).length === 0) failures = await goldenCheck(dir, timeout);
      break;
    case 'unit':
      failures = await vitest(dir, UNIT_TEST_FILES.filter((f) => existsSync(join(dir, f))), null, {}, timeout);
      break;
    case 'properties':
      failures = await vitest(dir, [PROPERTY_TEST_FILE], 'committed cases', genEnv, timeout);
      break;
    case 'generated':
      failures = await vitest(dir, [PROPERTY_TEST_FILE], 'generated scenarios', genEnv, timeout);
      break;
    case 'differential':
      failures = opts.differential ? await differentialRun(dir, opts.differential, timeout) : [];
      break;
  }
  return { check, failures, ms: performance.now() - t0 };
}

/** The checks that can run in this tree (the property tests belong to the generator and may be absent). */
export function availableChecks(dir: string, opts?: Pick<RunnerOptions, 'differential'>): CheckName[] {
  if (opts?.differential) return ['differential'];
  return CHECKS.filter((c) => c !== 'differential' && (c === 'properties' || c === 'generated' ? existsSync(join(dir, PROPERTY_TEST_FILE)) : true));
}

export type Baseline = Map<CheckName, Set<string>>;

export async function runBaseline(base: string, opts: RunnerOptions): Promise<Baseline> {
  const baseline: Baseline = new Map();
  for (const check of availableChecks(base, opts)) baseline.set(check, new Set((await runCheck(check, base, opts)).failures));
  return baseline;
}

export async function runMutant(mutant: Mutant, base: string, root: string, baseline: Baseline, opts: RunnerOptions, smoke?: readonly string[]): Promise<MutantResult> {
  const t0 = performance.now();
  const done = (status: MutantStatus, by: string, checks: CheckOutcome[] = []): MutantResult => ({ id: mutant.id, status, by, ms: performance.now() - t0, checks });
  if (opts.differential && mutant.dialects && !mutant.dialects.includes(opts.differential.dialect)) {
    return done('not-applicable', `changes only ${mutant.dialects.join(', ')} conversions; this run is ${opts.differential.dialect}`);
  }
  const dir = mutantCopy(base, root, mutant.id);
  try {
    try {
      applyMutant(dir, mutant);
    } catch (e) {
      if (e instanceof StaleMutantError) return done('stale', e.message);
      throw e;
    }
    const err = await tsc(dir, opts.checkTimeoutMs ?? 240_000);
    if (err) return done('broken', `does not compile: ${err}`);
    const checks: CheckOutcome[] = [];
    for (const check of baseline.keys()) {
      const known = baseline.get(check)!;
      const outcome = await runCheck(check, dir, opts, known, smoke);
      checks.push(outcome);
      const fresh = outcome.failures.filter((f) => !known.has(f));
      if (fresh.length > 0) return done('killed', `${check}: ${fresh[0]}${fresh.length > 1 ? ` (+${fresh.length - 1} more)` : ''}`, checks);
    }
    const of = opts.differential ? mutant.deviationOf?.find((id) => id.startsWith(`${opts.differential!.label}-`)) : undefined;
    return of ? done('deviation', `is ${of}: the reference does the same`, checks) : done('survived', '', checks);
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}

export interface MutationRun {
  results: MutantResult[];
  baseline: Baseline;
  baselineMs: number;
  workdir: string;
}

export async function runMutants(mutants: readonly Mutant[], opts: RunnerOptions): Promise<MutationRun> {
  const log = opts.log ?? (() => {});
  const root = mkdtempSync(join(tmpdir(), 'klp-mutants-'));
  try {
    const t0 = performance.now();
    log(`copying ${opts.repo} to ${root}/base and compiling…`);
    const base = await prepareBase(opts.repo, root, opts.checkTimeoutMs ?? 240_000);
    log(`baseline: ${[...availableChecks(base, opts)].join(', ')} on the unmutated copy…`);
    const baseline = await runBaseline(base, opts);
    const baselineMs = performance.now() - t0;
    const smoke = smokeCaseIds(base);
    for (const [check, failures] of baseline) {
      if (failures.size) log(`note: the unmutated tree already fails ${check} (${failures.size}: ${[...failures].slice(0, 3).join('; ')}${failures.size > 3 ? '; …' : ''}); those do not count as kills`);
    }
    const results = await mapPool(mutants, Math.max(1, Math.min(2, opts.jobs)), async (m) => {
      const r = await runMutant(m, base, root, baseline, opts, smoke);
      log(`${r.id}: ${r.status}${r.by ? ` (${r.by})` : ''} in ${(r.ms / 1000).toFixed(1)} s`);
      return r;
    });
    return { results, baseline, baselineMs, workdir: root };
  } finally {
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
}

/** The table and the last line, `K/M mutants killed`. */
export function mutationTable(results: readonly MutantResult[]): string {
  const rows = results.map((r) => [r.id, r.status, r.by, `${(r.ms / 1000).toFixed(1)} s`]);
  const head = ['mutant', 'result', 'by', 'time'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => Math.min(row[i]!.length, i === 2 ? 90 : 200))));
  const fmt = (row: string[]): string => row.map((c, i) => (i === 2 && c.length > 90 ? `${c.slice(0, 89)}…` : c).padEnd(widths[i]!)).join('  ').trimEnd();
  const killed = results.filter((r) => r.status === 'killed').length;
  const deviations = results.filter((r) => r.status === 'deviation').length;
  const inapplicable = results.filter((r) => r.status === 'not-applicable').length;
  const asides = [
    deviations ? `${deviations} more are deviations of the reference and rightly pass` : '',
    inapplicable ? `${inapplicable} change only the other dialect` : '',
  ].filter(Boolean);
  const last = `${killed}/${results.length - deviations - inapplicable} mutants killed${asides.length ? ` (${asides.join('; ')})` : ''}`;
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), last].join('\n');
}
