// klp-harness dump FILE: the canonical model, as goldens hold it and diffs compare it.
import { readFileSync } from 'node:fs';
import { ElfFormatError } from '../../src/elf/errors.js';
import { readElf } from '../../src/elf/read.js';
import { dumpObject, dumpText } from '../dump.js';
import { HarnessError } from '../errors.js';
import { parseArgs } from './args.js';

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, {}, 'dump');
  if (a.positional.length !== 1) throw new HarnessError('dump takes exactly one FILE');
  const path = a.positional[0]!;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new HarnessError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    process.stdout.write(dumpText(dumpObject(readElf(bytes))));
  } catch (e) {
    if (e instanceof ElfFormatError) throw new HarnessError(`${path}: ${e.message}`);
    throw e;
  }
  return 0;
}
