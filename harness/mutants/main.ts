// `npm run mutants`: every mutant of definitions.ts in its own copy of the repository, checked with
// what CI runs without a reference. Prints a table and, last, `K/M mutants killed`.
// Exit status: 0 when every mutant is killed, 1 when any survived (or is stale or does not
// compile), 2 when the run itself could not be done.
//   node dist/harness/mutants/main.js [--only ID,ID…] [--jobs N≤2] [--scenarios N] [--seed S] [--keep] [--list]
//                                     [--reference PATH --reference-label L]   (differential: judged by a run against it)
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.js';
import { dialectOption, option, parseArgs, positiveInt } from '../args.js';
import { guessReferenceLabel } from '../references/index.js';
import { MUTANTS } from './definitions.js';
import { mutationTable, runMutants } from './runner.js';

/** Scenarios of the last check: enough to reach wide addends and odd layouts, small enough for CI. */
export const DEFAULT_SCENARIOS = 300;

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, { only: { value: true }, jobs: { value: true }, scenarios: { value: true }, seed: { value: true }, keep: {}, list: {}, repo: { value: true }, reference: { value: true }, 'reference-label': { value: true }, dialect: { value: true } }, 'mutants');
  if (a.flags.has('list')) {
    for (const m of MUTANTS) process.stdout.write(`${m.id.padEnd(30)} ${m.bug}\n`);
    return 0;
  }
  const only = option(a, 'only')?.split(',').filter(Boolean);
  const unknown = (only ?? []).filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length) throw new HarnessError(`no such mutant: ${unknown.join(', ')} (see --list)`);
  const mutants = only ? MUTANTS.filter((m) => only.includes(m.id)) : MUTANTS;
  const repo = option(a, 'repo') ?? fileURLToPath(new URL('../../../', import.meta.url));
  const seed = option(a, 'seed');
  const jobs = Math.min(2, positiveInt(a, 'jobs', 2));
  const reference = option(a, 'reference');
  const label = option(a, 'reference-label') ?? (reference ? guessReferenceLabel(reference) : null);
  if (reference && !label) throw new HarnessError(`cannot tell which reference ${reference} is: give --reference-label`);
  if (!reference && option(a, 'reference-label')) throw new HarnessError('--reference-label needs --reference PATH');
  const dialect = dialectOption(a) ?? (label === 'minimal' ? 'annotation' : 'symbols');
  const differential = reference && label ? { reference: resolve(reference), label, dialect } : undefined;
  const t0 = performance.now();
  const { results, baselineMs, workdir } = await runMutants(mutants, {
    repo,
    jobs,
    scenarios: positiveInt(a, 'scenarios', DEFAULT_SCENARIOS),
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    keep: a.flags.has('keep'),
    ...(differential ? { differential } : {}),
    log: (line) => process.stderr.write(`mutants: ${line}\n`),
  });
  process.stdout.write(`\nbaseline ${(baselineMs / 1000).toFixed(1)} s, total ${((performance.now() - t0) / 1000).toFixed(1)} s${a.flags.has('keep') ? `, copies kept in ${workdir}` : ''}\n`);
  process.stdout.write(`${mutationTable(results)}\n`);
  return results.every((r) => r.status === 'killed' || r.status === 'deviation' || r.status === 'not-applicable') ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`mutants: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
