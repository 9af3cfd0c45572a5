// `git bisect run` protocol for the harness: one answer per commit.
//   0    every case agrees (match, known, or both refuse with the same kind; or, without a
//        reference, our converter reproduces every case's golden);
//   1    some case diverges;
//   125  this commit cannot be tested: the build command failed, the reference (or the
//        converter under test) is missing or does not run, a case has no golden;
//   128  the bisection itself is wrong (bad arguments, unreadable case): git aborts rather than
//        blaming a commit for it.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Case } from '../case.js';
import { classPasses, classify } from '../differential/classify.js';
import { HarnessError } from '../errors.js';
import { inOwnGroup } from '../processes.js';
import { parseGolden } from '../golden/golden-format.js';
import { compareWithGolden, goldenPath } from '../golden/golden.js';
import type { ReferenceModel } from '../references/deviation.js';
import { runConverter, runOurs, type ConvertFn, type OursOutcome } from '../differential/ours.js';
import { runReference, type ReferenceCommand } from '../differential/reference.js';
import { readInputText } from '../../src/io/index.js';

export const BISECT_EXIT = { good: 0, bad: 1, skip: 125, abort: 128 } as const;
export type BisectExit = (typeof BISECT_EXIT)[keyof typeof BISECT_EXIT];

/** The converter under test: the harness's own, or a checkout's build (`--ours DIR`). */
export type Converter = (c: Case) => OursOutcome;

/**
 * Loads `convert` from a checkout's build, DIR/dist/src/convert.js. Its KlpError is another class
 * than ours, so a refusal is told by shape (name and kind), not by instanceof.
 */
export async function loadConverter(dir: string): Promise<Converter> {
  const path = resolve(dir, 'dist/src/convert.js');
  if (!existsSync(path)) throw new CannotTest(`${path}: no such file (build the checkout first, e.g. --build-cmd 'npx tsc -p .')`);
  let mod: { convert?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { convert?: unknown };
  } catch (e) {
    throw new CannotTest(`${path}: cannot load: ${(e as Error).message}`);
  }
  if (typeof mod.convert !== 'function') throw new CannotTest(`${path}: exports no convert()`);
  const convert = mod.convert as ConvertFn;
  return (c) => runConverter(convert, c);
}

/** This commit cannot be tested (exit 125). */
export class CannotTest extends Error {
  override readonly name = 'CannotTest';
}

/** The golden directory of the harness's own tree (not the checkout being bisected). */
export function defaultGoldenDir(): string {
  const candidates = [new URL('../../golden/', import.meta.url), new URL('../../../golden/', import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  return fileURLToPath(candidates[0]!);
}

export interface BisectOptions {
  cases: readonly Case[];
  /** Compare with a reference build (and its model); without it, with the goldens. */
  reference?: { command: () => ReferenceCommand; label: string; model: () => ReferenceModel };
  goldenDir?: string;
  /** The user's own build command, run first through a shell in `cwd`. */
  buildCmd?: string;
  cwd?: string;
  /** A checkout whose dist/src/convert.js is the converter under test. */
  ours?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface BisectCaseResult {
  id: string;
  verdict: 'agree' | 'diverge';
  detail: string;
}

export interface BisectResult {
  exit: BisectExit;
  cases: BisectCaseResult[];
  reason: string;
}

/**
 * Runs the user's build command through a shell: it is their own command line (pipes, `&&`,
 * `make -C …`), given on their own command line, so a shell is what they expect. Its output goes
 * to our stderr; git bisect shows it.
 */
export async function runBuild(cmd: string, cwd: string): Promise<string | null> {
  const r = await inOwnGroup(execa(cmd, { shell: true, cwd, reject: false, stdin: 'ignore', stdout: ['inherit'], stderr: ['inherit'], detached: true })).catch((e: unknown) => ({ exitCode: undefined, signal: undefined, failed: true, shortMessage: (e as Error).message }));
  if (r.exitCode === 0) return null;
  return r.exitCode !== undefined ? `exit status ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : (r.shortMessage ?? 'did not run');
}

export async function bisectRun(opts: BisectOptions): Promise<BisectResult> {
  const log = opts.log ?? (() => {});
  const skip = (reason: string): BisectResult => ({ exit: BISECT_EXIT.skip, cases: [], reason });
  if (opts.buildCmd !== undefined) {
    const failed = await runBuild(opts.buildCmd, opts.cwd ?? process.cwd());
    if (failed) return skip(`build command failed (${failed}): ${opts.buildCmd}`);
  }
  let converter: Converter = runOurs;
  let command: ReferenceCommand | undefined;
  let model: ReferenceModel | undefined;
  try {
    if (opts.ours !== undefined) converter = await loadConverter(opts.ours);
    if (opts.reference) {
      command = opts.reference.command();
      model = opts.reference.model();
    }
  } catch (e) {
    if (e instanceof CannotTest || e instanceof HarnessError) return skip(e.message);
    throw e;
  }
  const goldenDir = opts.goldenDir ?? defaultGoldenDir();
  const results: BisectCaseResult[] = [];
  for (const c of opts.cases) {
    if (c.problem !== undefined) return { ...skip(`${c.id}: ${c.problem}`), cases: results };
    const ours = converter(c);
    if (command && model) {
      let ref;
      try {
        ref = await runReference(command, c, opts.timeoutMs);
      } catch (e) {
        if (e instanceof HarnessError) return { ...skip(e.message), cases: results };
        throw e;
      }
      const cls = classify(ours, ref, model, c.id);
      const verdict = classPasses(cls) && cls.class !== 'skipped' ? 'agree' : 'diverge';
      results.push({ id: c.id, verdict, detail: `${cls.class}${cls.class === 'known' && cls.deviations.length ? ` (${cls.deviations.join(', ')})` : ''}${cls.note ? `: ${cls.note}` : ''}` });
    } else {
      const path = goldenPath(goldenDir, c.id);
      if (!existsSync(path)) return { ...skip(`${c.id}: no golden ${path}`), cases: results };
      const problem = compareWithGolden(c.id, parseGolden(readInputText(path), path), ours);
      results.push({ id: c.id, verdict: problem ? 'diverge' : 'agree', detail: problem ? problem.detail.split('\n', 1)[0]! : 'golden reproduced' });
    }
    const last = results[results.length - 1]!;
    log(`${last.verdict.padEnd(7)} ${last.id}: ${last.detail}`);
  }
  const diverged = results.filter((r) => r.verdict === 'diverge').length;
  const against = opts.reference ? `against ${opts.reference.label}` : `against the goldens in ${goldenDir}`;
  return {
    exit: diverged ? BISECT_EXIT.bad : BISECT_EXIT.good,
    cases: results,
    reason: `${results.length - diverged} agree, ${diverged} diverge ${against}`,
  };
}
