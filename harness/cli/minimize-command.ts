// klp-harness minimize CASE --reference PATH [--reference-label L] [--out DIR] [--timeout S]
//     [--exact-sections] (differing sections compared by name, not by role)
// Exit 0 when a minimized case was written; 2 when it could not be (no divergence, no reference).
import { basename, join, resolve } from 'node:path';
import { readElf } from '../../src/elf/index.js';
import { findCases } from '../case.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { HarnessError } from '../errors.js';
import { minimizeCase, signatureText, writeMinimizedCase } from '../triage/minimize.js';
import { option, parseArgs, positiveInt } from '../args.js';
import { chooseReference } from './reference-options.js';

export const usage = `usage: klp-harness minimize CASE (--reference PATH | --reference-cmd "WRAPPER… PATH") [--reference-label L]
                            [--out DIR] [--timeout S] [--exact-sections] [--quiet]

Shrinks a diverging case by delta debugging and writes the smallest object that still diverges
the same way (default: cases/minimized/<case>-min-<label>).`;

export const options = { reference: { value: true }, 'reference-cmd': { value: true }, 'reference-label': { value: true }, out: { value: true }, timeout: { value: true }, 'exact-sections': {}, quiet: {} };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'minimize');
  if (a.positional.length !== 1) throw new HarnessError('minimize takes exactly one CASE directory');
  const cases = findCases(a.positional);
  if (cases.length !== 1) throw new HarnessError(`${a.positional[0]}: expected one case, found ${cases.length}`);
  const c = cases[0]!;
  if (c.problem !== undefined) throw new HarnessError(c.problem);
  const ref = chooseReference({ reference: option(a, 'reference'), referenceCmd: option(a, 'reference-cmd'), label: option(a, 'reference-label') });
  const out = resolve(option(a, 'out') ?? join('cases', 'minimized', `${basename(c.dir)}-min-${ref.label}`));
  const log = a.flags.has('quiet') ? () => {} : (line: string) => process.stderr.write(`minimize: ${line}\n`);
  const result = await minimizeCase(c, { reference: ref.command, label: ref.label, model: ref.model, timeoutMs: positiveInt(a, 'timeout', 30) * 1000, sectionMatch: a.flags.has('exact-sections') ? 'exact' : 'role', log });
  writeMinimizedCase(out, c, result, ref.label);
  process.stdout.write(dumpText(dumpObject(readElf(result.bytes))));
  process.stdout.write(
    `\nminimized ${c.id} against ${ref.label}: ${result.before.relocations} → ${result.after.relocations} relocations, ` +
      `${result.before.symbols} → ${result.after.symbols} symbols, ${result.before.sections} → ${result.after.sections} sections ` +
      `(${result.tests} candidates); still ${signatureText(result.signature)}\nwritten to ${out}\n`,
  );
  return 0;
}
