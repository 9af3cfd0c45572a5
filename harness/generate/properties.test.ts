// Properties that need no reference, so CI can run them: over every committed case, over
// KLP_GEN_SCENARIOS generated scenarios (default 2000, seed KLP_GEN_SEED) and over
// KLP_GEN_POST_LINK post-link scenarios (default 200, seed KLP_GEN_POST_LINK_SEED):
// - every relocation to a symbol the module loader cannot resolve ends up in a klp rela section;
// - no ordinary rela section refers to a livepatch symbol (post-link's disabled originals and
//   `__klp_relocs` pointers aside);
// - converting twice gives the bytes of converting once (post-link: the output, post-linked
//   already, is refused);
// - a module a correct converter must refuse is refused, with the expected kind.
// Post-link scenarios are also run through objtool's `klp post-link` (KLP_OBJTOOL, default the
// klp-build cache's build) when it is there: on x86_64 its output must be ours byte for byte.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, type ConvertOptions } from '../../src/index.js';
import { readElf, SHF_RELA_LIVEPATCH } from '../../src/elf/index.js';
import { type Dialect, KlpError } from '../../src/klp/index.js';
import { writeOutput } from '../../src/io/index.js';
import { findCases, type Arch, type Case } from '../case.js';
import { mapPool } from '../differential/pool.js';
import { ScenarioBuilder, generateScenarios, installedConstraints, type BuiltScenario } from './build.js';
import { checkConversion } from './invariants.js';
import { postLinkConstraints, summarize } from './scenario.js';

const COUNT = Number(process.env.KLP_GEN_SCENARIOS ?? 2000);
const SEED = Number(process.env.KLP_GEN_SEED ?? 20190625);
const POST_LINK_COUNT = Number(process.env.KLP_GEN_POST_LINK ?? 200);
const POST_LINK_SEED = Number(process.env.KLP_GEN_POST_LINK_SEED ?? 20251201);
const OBJTOOL = process.env.KLP_OBJTOOL ?? '/root/.cache/klp-harness/kernels/objtool-7.3.4-1_bpo13+1/objtool';
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
  problems.push(...(subject.dialect === 'post-link' ? postLinkAgain(once) : convertAgain(once, options)));
  return problems;
}

function convertAgain(once: Uint8Array, options: ConvertOptions): string[] {
  try {
    const twice = convert(once, options).output;
    return Buffer.compare(Buffer.from(once), Buffer.from(twice)) === 0 ? [] : ['converting twice differs from converting once'];
  } catch (e) {
    return [`converting the output again fails: ${e instanceof Error ? e.message : String(e)}`];
  }
}

/**
 * Post-link keeps its `__klp_relocs` entries, now naming SHN_LIVEPATCH symbols: a second run must
 * refuse them rather than add every klp relocation twice. With no entries there is nothing to
 * refuse, and the second run changes nothing.
 */
function postLinkAgain(once: Uint8Array): string[] {
  const klpSections = readElf(once).sections.filter((sec) => (sec.flags & SHF_RELA_LIVEPATCH) !== 0n).length;
  if (klpSections === 0) return convertAgain(once, { dialect: 'post-link' });
  try {
    convert(once, { dialect: 'post-link' });
    return ['post-linking the output again succeeds: it must be refused'];
  } catch (e) {
    return e instanceof KlpError && e.kind === 'bad-klp-relocs' ? [] : [`post-linking the output again fails with ${e instanceof KlpError ? e.kind : String(e)}, expected bad-klp-relocs`];
  }
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

function fromBuilt(b: BuiltScenario, index: number, seed = SEED): Subject {
  return {
    name: `seed ${seed} index ${index}: ${summarize(b.scenario)}`,
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

/** How objtool's `klp post-link` took one scenario, next to ours. */
type ObjtoolVerdict =
  /** Byte for byte our output. */
  | 'same'
  /** Ours with every klp relocation's type byte-swapped (its host order on a big-endian object). */
  | 'same-but-host-order-types'
  | 'differs'
  /** objtool converted a module we refuse (it checks nothing of the entries). */
  | 'converts-what-we-refuse'
  | 'both-refuse'
  | 'objtool-fails';

const bswap32 = (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/**
 * Our output with the type of every klp relocation byte-swapped in place: what objtool's reading
 * of struct klp_reloc's u32 `type` in its (little-endian) host order makes of a big-endian object.
 */
function withHostOrderTypes(output: Uint8Array): Uint8Array {
  const obj = readElf(output);
  const { is64, littleEndian } = obj.header.ident;
  const out = new Uint8Array(output);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // A little-endian host reads a little-endian object as written; ELF32's 8-bit type is not a u32.
  if (littleEndian || !is64) return out;
  const size = 24;
  for (const sec of obj.sections) {
    if ((sec.flags & SHF_RELA_LIVEPATCH) === 0n) continue;
    for (let at = sec.offset; at < sec.offset + sec.size; at += size) {
      // r_info's type is its low 32 bits: the last four bytes of the big-endian word.
      const field = at + 8 + 4;
      view.setUint32(field, bswap32(view.getUint32(field, false)), false);
    }
  }
  return out;
}

async function objtoolVerdict(input: Uint8Array, ours: Uint8Array | undefined): Promise<{ verdict: ObjtoolVerdict; detail: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'klp-objtool-'));
  try {
    const path = join(dir, 'module.ko');
    writeOutput(path, input);
    const r = await execa(OBJTOOL, ['klp', 'post-link', path], { reject: false, stdin: 'ignore', env: { LC_ALL: 'C' }, timeout: 60_000 });
    if (r.exitCode !== 0) return { verdict: ours ? 'objtool-fails' : 'both-refuse', detail: `${r.exitCode ?? r.signal}: ${String(r.stderr).trim().split('\n')[0]}` };
    if (!ours) return { verdict: 'converts-what-we-refuse', detail: '' };
    const theirs = Buffer.from(readFileSync(path));
    if (theirs.equals(Buffer.from(ours))) return { verdict: 'same', detail: '' };
    if (theirs.equals(Buffer.from(withHostOrderTypes(ours)))) return { verdict: 'same-but-host-order-types', detail: '' };
    const at = theirs.findIndex((b, i) => b !== ours[i]);
    return { verdict: 'differs', detail: `first differing byte at 0x${at.toString(16)} (sizes ${theirs.length}, ${ours.length})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const hasObjtool = existsSync(OBJTOOL);

describe(`${POST_LINK_COUNT} generated post-link scenarios (seed ${POST_LINK_SEED})`, () => {
  const builder = new ScenarioBuilder();
  const tally = new Map<Arch, Map<ObjtoolVerdict, number>>();
  afterAll(() => {
    builder.close();
    if (!hasObjtool) {
      console.log(`objtool comparison skipped: no objtool at ${OBJTOOL} (set KLP_OBJTOOL; scripts/klp-build/build-objtool.sh builds one)`);
      return;
    }
    const lines = [...tally].map(([arch, counts]) => `  ${arch}: ${[...counts].map(([v, n]) => `${n} ${v}`).join(', ')}`);
    console.log(`objtool klp post-link (${OBJTOOL}) against ours, by arch:\n${lines.join('\n')}`);
  });
  let scenarios: ReturnType<typeof generateScenarios> | undefined;
  const all = async (): Promise<ReturnType<typeof generateScenarios>> =>
    (scenarios ??= generateScenarios(POST_LINK_SEED, POST_LINK_COUNT, await installedConstraints(postLinkConstraints())));

  for (let start = 0; start < POST_LINK_COUNT; start += BATCH) {
    const end = Math.min(POST_LINK_COUNT, start + BATCH);
    it(`scenarios ${start}..${end - 1}`, async () => {
      const batch = (await all()).slice(start, end);
      const failures = (
        await mapPool(batch, CONCURRENCY, async (s, k) => {
          const built = await builder.build(s);
          const problems = check(fromBuilt(built, start + k, POST_LINK_SEED));
          if (hasObjtool) problems.push(...(await compareWithObjtool(built)));
          return problems.length ? `index ${start + k}: ${summarize(s)}\n    ${problems.join('\n    ')}` : '';
        })
      ).filter(Boolean);
      expect(failures).toEqual([]);
    }, 300_000);
  }

  /**
   * objtool's verdict, tallied. On x86_64, its own machine, it must be ours byte for byte, or
   * convert what we refuse (the malformed KLP symbol name it does not check). Elsewhere its
   * generic ELF code works too, and the one difference allowed is its host-order `type`.
   */
  async function compareWithObjtool(built: BuiltScenario): Promise<string[]> {
    let ours: Uint8Array | undefined;
    try {
      ours = convert(built.input, { dialect: 'post-link' }).output;
    } catch {
      ours = undefined;
    }
    const { verdict, detail } = await objtoolVerdict(built.input, ours);
    const counts = tally.get(built.scenario.arch) ?? new Map<ObjtoolVerdict, number>();
    counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
    tally.set(built.scenario.arch, counts);
    const allowed: ObjtoolVerdict[] = ['same', 'both-refuse'];
    if (built.scenario.arch !== 'x86_64') allowed.push('same-but-host-order-types');
    if (built.expect === 'bad-klp-relocs') allowed.push('converts-what-we-refuse');
    return allowed.includes(verdict) ? [] : [`objtool: ${verdict}${detail ? ` (${detail})` : ''}`];
  }
});
