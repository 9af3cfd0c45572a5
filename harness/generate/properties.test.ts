// Properties that need no reference, so CI can run them: over every committed case and over
// KLP_GEN_SCENARIOS generated scenarios (default 2000, seed KLP_GEN_SEED):
// - every relocation to a symbol the module loader cannot resolve ends up in a klp rela section;
// - no ordinary rela section refers to a livepatch symbol;
// - converting twice gives the bytes of converting once;
// - a module a correct converter must refuse is refused, with the expected kind.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, type ConvertOptions } from '../../src/index.js';
import { type Dialect, KlpError } from '../../src/klp/index.js';
import { findCases, type Case } from '../case.js';
import { mapPool } from '../differential/pool.js';
import { ScenarioBuilder, generateScenarios, installedConstraints, type BuiltScenario } from './build.js';
import { checkConversion } from './invariants.js';
import { summarize } from './scenario.js';

const COUNT = Number(process.env.KLP_GEN_SCENARIOS ?? 2000);
const SEED = Number(process.env.KLP_GEN_SEED ?? 20190625);
const BATCH = 250;
const CONCURRENCY = Math.max(2, cpus().length * 2);

interface Subject {
  name: string;
  input: Uint8Array;
  symbols?: Uint8Array;
  dialect: Dialect;
  expect: string;
}

/** The problems with one subject, as readable lines; empty when every property holds. */
function check(subject: Subject): string[] {
  const options: ConvertOptions = subject.symbols ? { dialect: subject.dialect, symbols: subject.symbols } : { dialect: subject.dialect };
  let once: Uint8Array;
  try {
    once = convert(subject.input, options).output;
  } catch (e) {
    const kind = e instanceof KlpError ? e.kind : `internal (${e instanceof Error ? e.message : String(e)})`;
    return kind === subject.expect ? [] : [`refused with ${kind}, expected ${subject.expect}`];
  }
  if (subject.expect !== 'convert') return [`converted, expected refusal with ${subject.expect}`];
  const problems = checkConversion(subject.input, once, { dialect: subject.dialect, ...(subject.symbols ? { symbols: subject.symbols } : {}) }).map((v) => `${v.rule}: ${v.detail}`);
  try {
    const twice = convert(once, options).output;
    if (Buffer.compare(Buffer.from(once), Buffer.from(twice)) !== 0) problems.push('converting twice differs from converting once');
  } catch (e) {
    problems.push(`converting the output again fails: ${e instanceof Error ? e.message : String(e)}`);
  }
  return problems;
}

function fromCase(c: Case): Subject {
  return {
    name: c.id,
    input: new Uint8Array(readFileSync(c.input)),
    ...(c.symbols ? { symbols: new Uint8Array(readFileSync(c.symbols)) } : {}),
    dialect: c.dialect,
    expect: typeof c.meta.expect === 'string' ? c.meta.expect : 'convert',
  };
}

function fromBuilt(b: BuiltScenario, index: number): Subject {
  return {
    name: `seed ${SEED} index ${index}: ${summarize(b.scenario)}`,
    input: b.input,
    ...(b.symbols ? { symbols: b.symbols } : {}),
    dialect: b.scenario.dialect,
    expect: b.expect,
  };
}

const committed = existsSync('cases') ? findCases(['cases']) : [];

describe('committed cases', () => {
  it.skipIf(committed.length === 0).each(committed.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    expect(check(fromCase(c))).toEqual([]);
  });
});

describe(`${COUNT} generated scenarios (seed ${SEED})`, () => {
  const builder = new ScenarioBuilder();
  afterAll(() => builder.close());
  let scenarios: ReturnType<typeof generateScenarios> | undefined;
  const all = async (): Promise<ReturnType<typeof generateScenarios>> =>
    (scenarios ??= generateScenarios(SEED, COUNT, await installedConstraints({})));

  for (let start = 0; start < COUNT; start += BATCH) {
    const end = Math.min(COUNT, start + BATCH);
    it(`scenarios ${start}..${end - 1}`, async () => {
      const batch = (await all()).slice(start, end);
      const failures = (
        await mapPool(batch, CONCURRENCY, async (s, k) => {
          const problems = check(fromBuilt(await builder.build(s), start + k));
          return problems.length ? `index ${start + k}: ${summarize(s)}\n    ${problems.join('\n    ')}` : '';
        })
      ).filter(Boolean);
      expect(failures).toEqual([]);
    }, 300_000);
  }
});
