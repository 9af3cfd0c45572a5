#!/usr/bin/env node
// npm run fuzz -- --count N --seed S [--jobs [J]] [--corpus DIR] [--save DIR] [--replay I]
//
// Mutates the compiled corpus and runs the converter in-process on each input. Exit status: 0 when
// every input was converted or refused with a typed error, 1 when any failed (crash, over the time
// limit, bloated output, unreadable output, multi-line message, heap growth), 2 on bad usage.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_CORPUS, loadSeeds } from './corpus.js';
import type { FuzzInput } from './mutators.js';
import { writeRegressionCase } from './regress.js';
import { judge, makeInput, mergeSummaries, runFuzz, seedModels, type Failure, type FuzzSummary } from './runner.js';
import { writeCaseFiles } from '../case.js';

interface Options {
  count: number;
  seed: number;
  jobs: number;
  corpus: string;
  save?: string;
  replay?: number;
  regression?: string;
  quiet: boolean;
}

interface WorkerTask {
  corpus: string;
  count: number;
  seed: number;
  start: number;
  step: number;
  save?: string;
}

class UsageError extends Error {}

const USAGE = `usage: npm run fuzz -- [--count N] [--seed S] [--jobs [J]] [--corpus DIR] [--save DIR] [--replay I] [--quiet]
  --count N     inputs to try (default 1000)
  --seed S      run seed (default 1); input I of a seed is always the same
  --jobs [J]    worker threads (default 1; bare --jobs: one per core)
  --corpus DIR  case directories to mutate (default ${DEFAULT_CORPUS})
  --save DIR    write each failing input there as a case directory
  --replay I    run input I alone and print what it is and what happened
  --regression DIR  with --replay: write input I as a regression case DIR/fuzz-S-I (run before the fix:
                its case.json records the failure as "found" and today's outcome as "expect")`;

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { count: 1000, seed: 1, jobs: 1, corpus: DEFAULT_CORPUS, quiet: false };
  const int = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < 0) throw new UsageError(`${name} takes a non-negative integer, not '${v ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--count') o.count = int('--count', value());
    else if (flag === '--seed') o.seed = int('--seed', value());
    else if (flag === '--jobs') {
      const next = inline ?? argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        o.jobs = Math.max(1, int('--jobs', value()));
      } else o.jobs = availableParallelism();
    } else if (flag === '--corpus') o.corpus = value() ?? '';
    else if (flag === '--save') o.save = value() ?? '';
    else if (flag === '--replay') o.replay = int('--replay', value());
    else if (flag === '--regression') o.regression = value() ?? '';
    else if (flag === '--quiet') o.quiet = true;
    else if (flag === '--help' || flag === '-h') throw new UsageError(USAGE);
    else throw new UsageError(`unknown argument '${a}'\n${USAGE}`);
  }
  return o;
}

/** Writes a failing input as a case directory (input.ko, symbols.klp, failure.json). */
function saveFailure(dir: string, runSeed: number, f: Failure, input: FuzzInput): string {
  const caseDir = join(dir, `fuzz-${runSeed}-${f.index}`);
  writeCaseFiles(caseDir, {
    input: input.input,
    ...(input.symbols && input.dialect === 'symbols' ? { symbols: input.symbols } : {}),
    meta: { runSeed, ...f, dialect: input.dialect },
    metaName: 'failure.json',
  });
  return caseDir;
}

function runTask(task: WorkerTask, log: (line: string) => void): FuzzSummary {
  const seeds = loadSeeds(task.corpus);
  return runFuzz(seeds, {
    count: task.count,
    seed: task.seed,
    start: task.start,
    step: task.step,
    progressEvery: 100_000,
    onProgress: (done) => log(`fuzz: ${task.step > 1 ? `job ${task.start}: ` : ''}${done} inputs`),
    onFailure: (f, input) => {
      const where = task.save ? ` (saved in ${saveFailure(task.save, task.seed, f, input)})` : '';
      log(`FAIL ${f.kind} input ${f.index} from ${f.seed} [${f.mutations.join('; ')}]${where}: ${f.detail.split('\n').slice(0, 4).join(' | ')}`);
    },
  });
}

function runJobs(o: Options): Promise<FuzzSummary> {
  const t0 = performance.now();
  const base: Omit<WorkerTask, 'start' | 'step'> = { corpus: resolve(o.corpus), count: o.count, seed: o.seed, ...(o.save ? { save: resolve(o.save) } : {}) };
  if (o.jobs <= 1) {
    return Promise.resolve(runTask({ ...base, start: 0, step: 1 }, (l) => console.log(l)));
  }
  const parts = Array.from({ length: o.jobs }, (_, w) =>
    new Promise<FuzzSummary>((done, fail) => {
      const worker = new Worker(new URL(import.meta.url), { workerData: { ...base, start: w, step: o.jobs } satisfies WorkerTask });
      worker.on('message', (m: { log?: string; summary?: FuzzSummary }) => {
        if (m.log) console.log(m.log);
        if (m.summary) done(m.summary);
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (code !== 0) fail(new Error(`fuzz worker ${w} exited with ${code}`));
      });
    }),
  );
  return Promise.all(parts).then((s) => mergeSummaries(s, performance.now() - t0));
}

function printSummary(o: Options, s: FuzzSummary): void {
  const rate = s.count / (s.elapsedMs / 1000);
  const refused = Object.entries(s.refused).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`fuzz: seed ${o.seed}, ${s.count} inputs in ${(s.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} inputs/s, ${o.jobs} job${o.jobs === 1 ? '' : 's'})`);
  console.log(`fuzz: converted ${s.converted}; refused ${s.count - s.converted - s.failures.length - s.moreFailures}${refused ? ` (${refused})` : ''}`);
  console.log(`fuzz: slowest input ${s.maxMs.toFixed(1)} ms (#${s.maxIndex}); heap growth ${(s.heapGrowth / 2 ** 20).toFixed(1)} MiB${s.gcExposed ? '' : ' (no --expose-gc: loose bound)'}`);
  const n = s.failures.length + s.moreFailures;
  console.log(n === 0 ? 'fuzz: clean' : `fuzz: ${n} FAILURE${n === 1 ? '' : 'S'}`);
}

function replay(o: Options): number {
  const seeds = loadSeeds(o.corpus);
  const input = makeInput(seeds, seedModels(seeds), o.seed, o.replay!);
  const judged = judge(input);
  console.log(`input ${o.replay} of seed ${o.seed}: from ${input.seed}, dialect ${input.dialect}: ${input.mutations.join('; ')}`);
  console.log(judged.failure ? `FAIL ${judged.failure.kind}: ${judged.failure.detail}` : judged.refused ? `refused: ${judged.refused}` : 'converted');
  if (o.regression !== undefined) {
    const found = judged.failure ? `${judged.failure.kind}: ${judged.failure.detail.split('\n')[0]}` : 'no failure at replay';
    const dir = writeRegressionCase(o.regression, `fuzz-${o.seed}-${o.replay}`, input, {
      from: input.seed, found, origin: { runSeed: o.seed, index: o.replay, mutations: input.mutations },
    });
    console.log(`regression case in ${dir}`);
  }
  if (o.save) {
    const f: Failure = judged.failure
      ? { ...judged.failure, index: o.replay!, seed: input.seed, mutations: input.mutations }
      : { kind: 'crash', detail: 'saved on request (no failure)', ms: judged.ms, index: o.replay!, seed: input.seed, mutations: input.mutations };
    console.log(`saved in ${saveFailure(o.save, o.seed, f, input)}`);
  }
  return judged.failure ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  if (o.replay !== undefined) return replay(o);
  if (!o.quiet) console.log(`fuzz: seed ${o.seed}, ${o.count} inputs from ${o.corpus}${o.jobs > 1 ? `, ${o.jobs} jobs` : ''}`);
  const s = await runJobs(o);
  printSummary(o, s);
  return s.failures.length + s.moreFailures === 0 ? 0 : 1;
}

if (isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`fuzz: ${(e as Error)?.stack ?? String(e)}`);
      process.exitCode = 70;
    },
  );
} else {
  const task = workerData as WorkerTask;
  const summary = runTask(task, (log) => parentPort!.postMessage({ log }));
  parentPort!.postMessage({ summary });
}
