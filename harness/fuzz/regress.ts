// Turns an input that once broke the converter into a regression case: cases/regressions/<id>/
// with input.ko, symbols.klp (symbols-list dialect) and case.json whose "expect" is what the fixed
// converter does with it, a KlpError kind or "convert".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convert } from '../../src/index.js';
import { type Dialect, KlpError } from '../../src/klp/index.js';
import { writeCaseFiles } from '../case.js';

export const REGRESSIONS = 'cases/regressions';

export interface RegressionInput {
  input: Uint8Array;
  symbols?: Uint8Array;
  dialect: Dialect;
}

/**
 * What the converter does with the input now: "convert" or the KlpError kind; "unfixed" while it
 * still fails some other way (the regression test then fails until it is fixed).
 */
export function outcomeOf(r: RegressionInput): string {
  try {
    convert(r.input, r.symbols && r.dialect === 'symbols' ? { dialect: r.dialect, symbols: r.symbols } : { dialect: r.dialect });
    return 'convert';
  } catch (e) {
    return e instanceof KlpError ? e.kind : 'unfixed';
  }
}

export interface RegressionMeta {
  /** Where the input came from: the seed case, or "crafted". */
  from: string;
  /** What it did before the fix. */
  found: string;
  /** How to make it again (fuzz seed and input number, or the crafting recipe). */
  origin: Record<string, unknown>;
}

export function writeRegressionCase(root: string, id: string, r: RegressionInput, meta: RegressionMeta): string {
  const dir = join(root, id);
  const seedMeta = join('cases/compiled', meta.from, 'case.json');
  const arch = existsSync(seedMeta) ? (JSON.parse(readFileSync(seedMeta, 'utf8')) as { arch?: string }).arch : undefined;
  const caseJson = {
    id,
    ...(arch ? { arch } : {}),
    dialect: r.dialect,
    expect: outcomeOf(r),
    exercises: ['fuzz-regression'],
    fuzz: { from: meta.from, found: meta.found, ...meta.origin },
  };
  writeCaseFiles(dir, { input: r.input, ...(r.symbols && r.dialect === 'symbols' ? { symbols: r.symbols } : {}), meta: caseJson });
  return dir;
}
