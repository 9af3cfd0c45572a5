import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../src/klp/index.js';
import { REGRESSIONS, outcomeOf } from './regress.js';

// Every input that once crashed the converter, hung it or made it allocate gigabytes: it must now
// end the way case.json says. Those in harness/fuzz/hostile/ are kept out of the corpus because
// the C reference writes gigabytes or runs past the harness's timeout on them.
const HOSTILE = 'harness/fuzz/hostile';
const caseDirs = (root: string): string[] =>
  existsSync(root) ? readdirSync(root).sort().filter((d) => existsSync(join(root, d, 'case.json'))).map((d) => join(root, d)) : [];
const cases = [...caseDirs(REGRESSIONS), ...caseDirs(HOSTILE)];

describe('fuzz regressions', () => {
  it.each(cases)('%s', (dir) => {
    const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { expect: string; dialect: Dialect; exercises?: string[] };
    if (!meta.exercises?.includes('fuzz-regression')) return;
    const symbolsPath = join(dir, 'symbols.klp');
    const symbols = existsSync(symbolsPath) ? new Uint8Array(readFileSync(symbolsPath)) : undefined;
    const input = new Uint8Array(readFileSync(join(dir, 'input.ko')));
    expect(outcomeOf({ input, dialect: symbols ? 'symbols' : 'annotation', ...(symbols ? { symbols } : {}) })).toBe(meta.expect);
  });
});
