// klp-harness merge A.json B.json … --json OUT [--junit OUT]: exit 0 when the merged run passes.
import { HarnessError } from '../errors.js';
import { mergeReports } from '../differential/merge.js';
import { readJsonReport } from '../differential/results.js';
import { renderTerminal } from '../report/terminal.js';
import { option, parseArgs } from '../args.js';
import { writeRunOutputs } from './report-outputs.js';

export const usage = `usage: klp-harness merge A.json B.json … --json OUT [--junit OUT] [--html OUT]

Joins shard reports of one reference build into the report of the whole corpus; exit 0 when the
merged run passes, 1 when a case failed, 2 when the reports cannot be merged.`;

export const options = { json: { value: true }, junit: { value: true }, html: { value: true } };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'merge');
  const out = option(a, 'json');
  if (!out) throw new HarnessError('merge needs --json OUT');
  if (a.positional.length === 0) throw new HarnessError('merge needs the shard reports to join');
  const merged = mergeReports(a.positional.map(readJsonReport), a.positional);
  await writeRunOutputs(a, merged, 'klp-harness merge');
  // The shards already printed their cases; the merged verdict is the summary line.
  process.stdout.write(renderTerminal(merged, { colour: false, ci: true }));
  return merged.passed ? 0 : 1;
}
