// klp-harness gen --seed S --count N --out DIR [--arch A] [--dialect D] [--no-errors]: writes
// generated scenarios as ordinary cases, deterministic from (seed, index).
import { ARCHES, type Arch } from '../case.js';
import { HarnessError } from '../errors.js';
import { genCommand } from '../generate/commands.js';
import { dialectOption, option, parseArgs, positiveInt } from '../args.js';

export function seedOption(text: string | undefined): number {
  if (text === undefined) throw new HarnessError('--seed is required');
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new HarnessError(`--seed takes a non-negative integer, not '${text}'`);
  return Number(text);
}

export const usage = `usage: klp-harness gen --seed S --count N --out DIR [--arch A] [--dialect D] [--no-errors] [--jobs N]

Writes generated livepatch scenarios as ordinary cases, deterministic from (seed, index).`;

export const options = { seed: { value: true }, count: { value: true }, out: { value: true }, arch: { value: true }, dialect: { value: true }, 'no-errors': {}, jobs: { value: true } };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'gen');
  if (a.positional.length) throw new HarnessError(`gen takes no positional arguments ('${a.positional[0]}')`);
  const out = option(a, 'out');
  if (!out) throw new HarnessError('gen needs --out DIR');
  const arch = option(a, 'arch');
  if (arch !== undefined && !(ARCHES as readonly string[]).includes(arch)) throw new HarnessError(`--arch takes one of ${ARCHES.join(', ')}`);
  const dialect = dialectOption(a);
  await genCommand({
    seed: seedOption(option(a, 'seed')),
    count: positiveInt(a, 'count', 1),
    out,
    ...(arch ? { arch: arch as Arch } : {}),
    ...(dialect ? { dialect } : {}),
    noErrors: a.flags.has('no-errors'),
    concurrency: positiveInt(a, 'jobs', 4),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  return 0;
}
