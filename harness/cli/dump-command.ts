// klp-harness dump FILE [--section GLOB…] [--digest]: the canonical model, as goldens hold it and
// diffs compare it.
import { ElfFormatError, readElf } from '../../src/elf/index.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { HarnessError } from '../errors.js';
import { parseArgs } from '../args.js';
import { readInputFile } from '../../src/io/index.js';

/** `*` matches any run of characters; everything else is literal. */
const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

export const usage = `usage: klp-harness dump FILE [--section GLOB…] [--digest]

Prints the canonical section-level model of one object: what goldens hold and diffs compare.
--section keeps the blocks whose key matches (\`*\` = any run); --digest prints contents as digests.`;

export const options = { section: { value: true, repeat: true }, digest: {} };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'dump');
  if (a.positional.length !== 1) throw new HarnessError('dump takes exactly one FILE');
  const path = a.positional[0]!;
  const bytes: Uint8Array = readInputFile(path);
  const wanted = (a.options.get('section') ?? []).map(globToRegExp);
  try {
    const blocks = dumpObject(readElf(bytes), { hex: !a.flags.has('digest') });
    const shown = wanted.length === 0 ? blocks : blocks.filter((b) => wanted.some((re) => re.test(b.key)));
    process.stdout.write(dumpText(shown));
  } catch (e) {
    if (e instanceof ElfFormatError) throw new HarnessError(`${path}: ${e.message}`);
    throw e;
  }
  return 0;
}
