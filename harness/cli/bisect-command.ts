// klp-harness bisect-run CASE… [--reference PATH] [--reference-label L]
//     [--build-cmd CMD] [--ours DIR] [--golden-dir DIR] [--timeout S]
// For `git bisect run`: 0 every case agrees, 1 some case diverges, 125 this commit cannot be tested
// (build failed, reference or converter missing), 128 the bisection is misconfigured (abort).
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findCases, type Case } from '../case.js';
import { BISECT_EXIT, bisectRun } from '../triage/bisect.js';
import { HarnessError } from '../errors.js';
import { guessReferenceLabel, referenceModel } from '../references/index.js';
import { referenceCommand } from '../differential/reference.js';
import { option, parseArgs, positiveInt } from '../args.js';

export const options = {
  reference: { value: true },
  'reference-label': { value: true },
  'build-cmd': { value: true },
  ours: { value: true },
  'golden-dir': { value: true },
  timeout: { value: true },
  quiet: {},
};

/** The harness's own corpus, where a CASE given as an id is looked up. */
function ownCases(): string | undefined {
  for (const u of [new URL('../../cases/', import.meta.url), new URL('../../../cases/', import.meta.url)]) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function selectCases(args: readonly string[]): Case[] {
  if (args.length === 0) throw new HarnessError('bisect-run needs at least one CASE (a case directory or a case id)');
  const picked = new Map<string, Case>();
  let corpus: Map<string, Case> | undefined;
  for (const arg of args) {
    if (existsSync(arg) && statSync(arg).isDirectory()) {
      for (const c of findCases([arg])) picked.set(c.id, c);
      continue;
    }
    const dir = ownCases();
    corpus ??= new Map((dir ? findCases([dir]) : []).map((c) => [c.id, c]));
    const c = corpus.get(arg);
    if (!c) throw new HarnessError(`${arg}: no such case directory, and no case with that id in the harness's corpus`);
    picked.set(c.id, c);
  }
  return [...picked.values()];
}

export const usage = `usage: klp-harness bisect-run CASE… [--reference PATH [--reference-label L]] [--build-cmd CMD]
                              [--ours DIR] [--golden-dir DIR] [--timeout S] [--quiet]

For \`git bisect run\`: 0 every case agrees, 1 some case diverges, 125 this commit cannot be tested,
128 the bisection is misconfigured.`;

export async function run(argv: readonly string[]): Promise<number> {
  let cases: Case[];
  let a;
  try {
    a = parseArgs(argv, options, 'bisect-run');
    cases = selectCases(a.positional);
  } catch (e) {
    // A usage error says nothing about the commit: abort the bisection instead of marking it bad.
    if (e instanceof HarnessError) {
      process.stderr.write(`klp-harness: ${e.message}\n`);
      return BISECT_EXIT.abort;
    }
    throw e;
  }
  const path = option(a, 'reference');
  const label = option(a, 'reference-label') ?? (path ? guessReferenceLabel(path) : null);
  if (path && !label) {
    process.stderr.write(`klp-harness: cannot tell which reference ${path} is: give --reference-label (v4, v5, v7, minimal, …)\n`);
    return BISECT_EXIT.abort;
  }
  const buildCmd = option(a, 'build-cmd');
  const ours = option(a, 'ours');
  const goldenDir = option(a, 'golden-dir');
  const quiet = a.flags.has('quiet');
  const result = await bisectRun({
    cases,
    ...(path && label
      ? {
          reference: {
            // Resolved after the build: the build may be what creates the reference.
            command: () => referenceCommand({ reference: path }),
            label,
            model: () => referenceModel(label),
          },
        }
      : {}),
    ...(buildCmd !== undefined ? { buildCmd } : {}),
    ...(ours !== undefined ? { ours } : {}),
    ...(goldenDir !== undefined ? { goldenDir } : {}),
    timeoutMs: positiveInt(a, 'timeout', 30) * 1000,
    log: (line) => {
      if (!quiet) process.stdout.write(`${line}\n`);
    },
  });
  const word = result.exit === BISECT_EXIT.good ? 'good' : result.exit === BISECT_EXIT.bad ? 'bad' : 'skip';
  process.stdout.write(`bisect-run: ${word} (exit ${result.exit}): ${result.reason}\n`);
  return result.exit;
}
