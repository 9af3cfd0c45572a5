import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeKlpError, KlpError } from '../../src/klp/index.js';
import { convert } from '../../src/index.js';
import { readElf } from '../../src/elf/index.js';
import { loadSeeds, type Seed } from './corpus.js';
import { mutate, type FuzzInput } from './mutators.js';
import { Rng } from './rng.js';

// The built CLI, run as a process on a few hundred malformed modules made from compiled cases of
// every architecture: it must end by exit, not by a signal or a hang; print no stack trace; print
// exactly the one error line the library's error describes; and leave no output or temporary
// file behind when it refuses. Built into its own directory so a concurrent build of dist/ by
// another test cannot swap files under it.
const ROOT = join(import.meta.dirname, '../..');
const BUILD = join(ROOT, 'node_modules/.cache/klp-fuzz-cli');
const BIN = join(BUILD, 'src/cli/main.js');
const INPUTS = 300;
const CONCURRENCY = 4;
const HANG_MS = 30_000;

let dir: string;

function inputsPerArch(): FuzzInput[] {
  const byArch = new Map<string, Seed[]>();
  for (const s of loadSeeds(join(ROOT, 'cases/compiled'))) {
    const arch = s.id.split('-')[0]!;
    byArch.set(arch, [...(byArch.get(arch) ?? []), s]);
  }
  const arches = [...byArch.keys()].sort();
  return Array.from({ length: INPUTS }, (_, k) => {
    const rng = new Rng(4242, k);
    const seed = rng.pick(byArch.get(arches[k % arches.length]!)!);
    return mutate({ seed, model: readElf(seed.input) }, rng);
  });
}

interface Expected {
  ok: boolean;
  /** The lines the CLI must print: the error and its hint, or the warnings of a conversion. */
  lines: string[];
}

function inProcess(input: FuzzInput, inName: string, symName: string | undefined): Expected {
  try {
    const { report } = convert(input.input, input.symbols && input.dialect === 'symbols' ? { dialect: input.dialect, symbols: input.symbols } : { dialect: input.dialect });
    return { ok: true, lines: report.warnings.map((w) => `klp-convert: ${inName}: warning: ${w}`) };
  } catch (e) {
    if (!(e instanceof KlpError)) throw e;
    return { ok: false, lines: [`klp-convert: ${describeKlpError(e, inName, symName)}`, ...e.hint.map((h) => `klp-convert:   ${h}`)] };
  }
}

async function pool<T, R>(items: readonly T[], n: number, f: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!, i);
    }
  }));
  return out;
}

beforeAll(async () => {
  // tsc exits non-zero on a type error elsewhere in the tree but still emits; the bin must exist.
  await execa('npx', ['tsc', '-p', '.', '--outDir', BUILD], { cwd: ROOT, reject: false });
  if (!existsSync(BIN)) throw new Error(`${BIN}: the CLI did not build`);
  dir = mkdtempSync(join(tmpdir(), 'klp-fuzz-cli-'));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// One klp-convert process per input, one after another: 116 s in CI with the kernel tests beside it,
// so its own limit, 2 s an input on a loaded 2-CPU machine, not the suite's 120 s.
describe('klp-convert on malformed modules of every architecture', { timeout: INPUTS * 2_000 }, () => {
  it(`exits 0 or 1 with one error line and no leftovers, on ${INPUTS} inputs`, async () => {
    const inputs = inputsPerArch();
    const problems: string[] = [];
    let refused = 0;
    await pool(inputs, CONCURRENCY, async (input, k) => {
      const inName = `in-${k}.ko`;
      const outName = `out-${k}.ko`;
      const symName = input.dialect === 'symbols' ? `sym-${k}.klp` : undefined;
      writeFileSync(join(dir, inName), input.input);
      if (symName) writeFileSync(join(dir, symName), input.symbols!);
      const args = ['--dialect', input.dialect, ...(symName ? [symName] : []), inName, outName];
      const want = inProcess(input, inName, symName);
      const r = await execa('node', [BIN, ...args], { cwd: dir, reject: false, timeout: HANG_MS, all: false });
      const what = `#${k} ${input.seed} [${input.mutations.join('; ')}]`;
      if (r.timedOut) return void problems.push(`${what}: hung`);
      if (r.signal) return void problems.push(`${what}: killed by ${r.signal}`);
      if (/^\s+at .*\(.*:\d+:\d+\)$/m.test(r.stderr)) problems.push(`${what}: stack trace: ${r.stderr}`);
      const lines = r.stderr === '' ? [] : r.stderr.split('\n');
      const outputExists = existsSync(join(dir, outName));
      if (JSON.stringify(lines) !== JSON.stringify(want.lines)) problems.push(`${what}: printed ${JSON.stringify(lines)}, expected ${JSON.stringify(want.lines)}`);
      if (want.ok) {
        if (r.exitCode !== 0 || !outputExists) problems.push(`${what}: converts in-process, CLI exit ${r.exitCode}: ${r.stderr}`);
        return;
      }
      refused++;
      if (r.exitCode !== 1) problems.push(`${what}: exit ${r.exitCode}, expected 1: ${r.stderr}`);
      if (outputExists) problems.push(`${what}: left ${outName} behind`);
    });
    const leftovers = readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.'));
    expect(problems).toEqual([]);
    expect(leftovers).toEqual([]);
    expect(refused).toBeGreaterThan(INPUTS / 2);
  }, 600_000);
});
