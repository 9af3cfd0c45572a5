// Runs the converter in-process on mutated inputs and judges each run. A run is fine when the
// converter either converts (and writes an object our reader takes back) or refuses with a KlpError
// whose message is one line; anything else, more than the time limit for one input, an output far
// larger than the input, or heap growth over the run, is a failure.
import { convert } from '../../src/index.js';
import { type ElfObject, readElf } from '../../src/elf/index.js';
import { describeKlpError, KlpError, type KlpErrorKind } from '../../src/klp/index.js';
import type { Seed } from './corpus.js';
import { mutate, type FuzzInput } from './mutators.js';
import { Rng } from './rng.js';

export type FailureKind = 'crash' | 'slow' | 'bloat' | 'bad-output' | 'bad-message' | 'memory';

export interface Failure {
  kind: FailureKind;
  /** The input's number in the run: `--seed S --replay N` makes it again. */
  index: number;
  seed: string;
  mutations: string[];
  detail: string;
  ms: number;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Inputs start, start + step, …: how jobs share a run. */
  start?: number;
  step?: number;
  /** Limit for one input, in ms. */
  timeLimitMs?: number;
  /** Heap growth over the run (after gc, when gc is exposed) that counts as a leak. */
  heapGrowthLimit?: number;
  /** Called for each failure as it is found. */
  onFailure?: (failure: Failure, input: FuzzInput) => void;
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number) => void;
  progressEvery?: number;
}

export interface FuzzSummary {
  count: number;
  converted: number;
  refused: Partial<Record<KlpErrorKind, number>>;
  failures: Failure[];
  /** Failures beyond those kept in `failures`. */
  moreFailures: number;
  elapsedMs: number;
  /** Slowest single input, and its number. */
  maxMs: number;
  maxIndex: number;
  heapGrowth: number;
  gcExposed: boolean;
}

export const TIME_LIMIT_MS = 1000;
const KEEP_FAILURES = 50;
/** An output may grow by its new sections and names, never by multiples. */
export const outputLimit = (inputLength: number): number => 8 * inputLength + (2 << 20);

type Gc = () => void;
const gcFunction = (): Gc | undefined => {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as Gc) : undefined;
};

export interface Judged {
  failure?: Omit<Failure, 'index' | 'seed' | 'mutations'>;
  refused?: KlpErrorKind;
  ms: number;
}

/** Runs the converter on one input and judges the run. */
export function judge(input: FuzzInput, timeLimitMs = TIME_LIMIT_MS): Judged {
  const t0 = performance.now();
  let output: Uint8Array | undefined;
  let warnings: readonly string[] = [];
  let error: unknown;
  try {
    const result = convert(input.input, input.symbols ? { dialect: input.dialect, symbols: input.symbols } : { dialect: input.dialect });
    output = result.output;
    warnings = result.report.warnings;
  } catch (e) {
    error = e;
  }
  let ms = performance.now() - t0;
  if (ms > timeLimitMs) {
    // Wall time: another process may have had the CPU. A slow input is slow twice.
    const t1 = performance.now();
    try {
      convert(input.input, input.symbols ? { dialect: input.dialect, symbols: input.symbols } : { dialect: input.dialect });
    } catch {
      // judged on the first run
    }
    ms = Math.min(ms, performance.now() - t1);
  }
  const fail = (kind: FailureKind, detail: string): Judged => ({ failure: { kind, detail, ms }, ms });
  if (error !== undefined) {
    if (!(error instanceof KlpError)) {
      const e = error as Error;
      return fail('crash', e?.stack ?? String(error));
    }
    const line = describeKlpError(error, 'input.ko', input.symbols ? 'symbols.klp' : undefined);
    const hint = error.hint.find((h) => /[\n\r\u0000]/.test(h));
    if (!error.reason || /[\n\r\u0000]/.test(line)) return fail('bad-message', JSON.stringify(line.slice(0, 300)));
    if (hint !== undefined) return fail('bad-message', `hint line ${JSON.stringify(hint.slice(0, 300))}`);
    if (ms > timeLimitMs) return fail('slow', `${ms.toFixed(0)} ms, then refused: ${line}`);
    return { refused: error.kind, ms };
  }
  if (ms > timeLimitMs) return fail('slow', `${ms.toFixed(0)} ms`);
  // The CLI prints warnings as they are: one line each, so no line breaks from the input.
  const badWarning = warnings.find((w) => /[\n\r\u0000]/.test(w) || w === '');
  if (badWarning !== undefined) return fail('bad-message', `warning ${JSON.stringify(badWarning.slice(0, 300))}`);
  const out = output!;
  if (out.length > outputLimit(input.input.length)) return fail('bloat', `output ${out.length} bytes from ${input.input.length}`);
  try {
    readElf(out);
  } catch (e) {
    return fail('bad-output', `converted, but the output does not read back: ${(e as Error).message}`);
  }
  return { ms };
}

/** The seeds' models, parsed once; undefined for a seed our reader does not take. */
export function seedModels(seeds: readonly Seed[]): Array<ElfObject | undefined> {
  return seeds.map((s) => {
    try {
      return readElf(s.input);
    } catch {
      return undefined;
    }
  });
}

/** Input `index` of a run with `seed`: the same bytes on every machine and in every job. */
export function makeInput(seeds: readonly Seed[], models: ReadonlyArray<ElfObject | undefined>, seed: number, index: number): FuzzInput {
  const rng = new Rng(seed, index);
  const k = rng.below(seeds.length);
  return mutate({ seed: seeds[k]!, model: models[k] }, rng);
}

export function runFuzz(seeds: readonly Seed[], opts: FuzzOptions): FuzzSummary {
  const models = seedModels(seeds);
  const gc = gcFunction();
  const step = opts.step ?? 1;
  const timeLimit = opts.timeLimitMs ?? TIME_LIMIT_MS;
  const heapLimit = opts.heapGrowthLimit ?? (gc ? 64 << 20 : 256 << 20);
  const summary: FuzzSummary = {
    count: 0, converted: 0, refused: {}, failures: [], moreFailures: 0, elapsedMs: 0, maxMs: 0, maxIndex: -1, heapGrowth: 0, gcExposed: gc !== undefined,
  };
  const record = (f: Failure, input: FuzzInput): void => {
    if (summary.failures.length < KEEP_FAILURES) summary.failures.push(f);
    else summary.moreFailures++;
    opts.onFailure?.(f, input);
  };
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let index = opts.start ?? 0; index < opts.count; index += step) {
    const input = makeInput(seeds, models, opts.seed, index);
    const judged = judge(input, timeLimit);
    summary.count++;
    if (judged.ms > summary.maxMs) {
      summary.maxMs = judged.ms;
      summary.maxIndex = index;
    }
    if (judged.failure) record({ ...judged.failure, index, seed: input.seed, mutations: input.mutations }, input);
    else if (judged.refused) summary.refused[judged.refused] = (summary.refused[judged.refused] ?? 0) + 1;
    else summary.converted++;
    if (opts.onProgress && summary.count % (opts.progressEvery ?? 1000) === 0) opts.onProgress(summary.count);
  }
  summary.elapsedMs = performance.now() - t0;
  gc?.();
  summary.heapGrowth = process.memoryUsage().heapUsed - heapBefore;
  if (summary.heapGrowth > heapLimit) {
    summary.failures.push({
      kind: 'memory', index: -1, seed: '', mutations: [], ms: 0,
      detail: `heap grew by ${(summary.heapGrowth / 2 ** 20).toFixed(1)} MiB over the run (limit ${(heapLimit / 2 ** 20).toFixed(0)} MiB)`,
    });
  }
  return summary;
}

/** Adds up the summaries of jobs that shared one run. */
export function mergeSummaries(parts: readonly FuzzSummary[], elapsedMs: number): FuzzSummary {
  const out: FuzzSummary = {
    count: 0, converted: 0, refused: {}, failures: [], moreFailures: 0, elapsedMs, maxMs: 0, maxIndex: -1, heapGrowth: 0, gcExposed: parts.every((p) => p.gcExposed),
  };
  for (const p of parts) {
    out.count += p.count;
    out.converted += p.converted;
    for (const [k, n] of Object.entries(p.refused) as Array<[KlpErrorKind, number]>) out.refused[k] = (out.refused[k] ?? 0) + n;
    out.failures.push(...p.failures);
    out.moreFailures += p.moreFailures;
    if (p.maxMs > out.maxMs) {
      out.maxMs = p.maxMs;
      out.maxIndex = p.maxIndex;
    }
    out.heapGrowth = Math.max(out.heapGrowth, p.heapGrowth);
  }
  out.failures.sort((a, b) => a.index - b.index);
  return out;
}
