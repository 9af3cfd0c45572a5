// klp-harness list [--json] [DIR…]
import { findCases } from '../case.js';
import { listCase, listingText } from '../differential/list.js';
import { parseArgs } from '../args.js';
import { DEFAULT_CASES } from './reference-options.js';

export const usage = `usage: klp-harness list [--json] [DIR…]

Lists the cases (default: cases/) with their metadata and the symbols several relocations share.`;

export const options = { json: {} };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'list');
  const rows = findCases(a.positional.length ? a.positional : DEFAULT_CASES).map(listCase);
  process.stdout.write(a.flags.has('json') ? `${JSON.stringify(rows, null, 2)}\n` : listingText(rows));
  return 0;
}
