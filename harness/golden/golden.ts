// `golden check` (our converter against the stored goldens, no reference needed: what CI runs) and
// `golden update` (goldens regenerated from the reference; all written, or none).
import { createTwoFilesPatch } from 'diff';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { describeErrno, FileError, readInputText, writeOutputs } from '../../src/io/index.js';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { findCases, type Case } from '../case.js';
import { classify, type Classification } from '../differential/classify.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { HarnessError } from '../errors.js';
import { differingBlockKeys, goldenBlocks, formatGolden, parseGolden, toolchainOf, type Golden, type GoldenOutcome } from './golden-format.js';
import type { ReferenceModel } from '../references/deviation.js';
import { runOurs, type OursOutcome } from '../differential/ours.js';
import { mapPool } from '../differential/pool.js';
import { fileSha256, sha256 } from '../provenance.js';
import { referenceErrorKind } from '../differential/reference-errors.js';
import { runReference, type ReferenceCommand, type ReferenceOutcome } from '../differential/reference.js';
import { readElf } from '../../src/elf/index.js';

export const GOLDEN_SUFFIX = '.golden';
export const goldenPath = (dir: string, id: string): string => join(dir, `${id}${GOLDEN_SUFFIX}`);

const dumpOf = (bytes: Uint8Array): string => dumpText(dumpObject(readElf(bytes), { hex: false }));

// ── which cases ──────────────────────────────────────────────────────────────────────────────

export interface GoldenSelection {
  cases: Case[];
  /**
   * The cases are the whole corpus the golden directory is for, so a golden with no case among
   * them is an orphan. A subset (CASE arguments, or `--cases` naming a part of the corpus) judges
   * its own cases' goldens only, whichever way it is named.
   */
  whole: boolean;
}

/** `dir` is a directory strictly inside `root` (both resolved through symlinks). */
function strictlyInside(dir: string, root: string): boolean {
  try {
    const rel = relative(realpathSync(root), realpathSync(dir));
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  } catch {
    return false;
  }
}

/**
 * The cases of a `golden check` or `golden update`. `corpus` is `--cases` (default: the default
 * corpus, `cases/`), where CASE ids are looked up; a CASE argument is a case id or a directory of
 * cases. `golden check --cases cases/compiled`, `golden check cases/compiled` and `golden check
 * <its ids>…` are the same subset; `--cases` outside the default corpus (a corpus of one's own,
 * with its own `--golden-dir`) is a whole corpus.
 */
export function selectGoldenCases(corpus: string, args: readonly string[], defaultCorpus: string): GoldenSelection {
  const everything = findCases([corpus]);
  const partOfDefault = resolve(corpus) !== resolve(defaultCorpus) && strictlyInside(corpus, defaultCorpus);
  if (args.length === 0) return { cases: everything, whole: !partOfDefault };
  const byId = new Map(everything.map((c) => [c.id, c]));
  const picked = new Map<string, Case>();
  for (const arg of args) {
    const known = byId.get(arg);
    if (known) picked.set(known.id, known);
    else if (existsSync(arg) && statSync(arg).isDirectory()) for (const c of findCases([arg])) picked.set(c.id, byId.get(c.id) ?? c);
    else throw new HarnessError(`${arg}: no such case in ${corpus} and no such directory`);
  }
  return { cases: [...picked.values()].sort((a, b) => (a.id < b.id ? -1 : 1)), whole: false };
}

// ── check ────────────────────────────────────────────────────────────────────────────────────

export interface GoldenProblem {
  id: string;
  problem: 'no-golden' | 'no-case' | 'differs' | 'unreadable';
  detail: string;
  /** For 'differs': what the golden expects and what we gave, as text to set side by side. */
  sides?: { golden: string; ours: string };
}

export interface GoldenCheckResult {
  checked: number;
  passed: number;
  problems: GoldenProblem[];
}

/** Our outcome in golden terms; the message source is ours. */
function oursAsGolden(o: OursOutcome): GoldenOutcome {
  return o.kind === 'ok' ? { kind: 'convert', dump: dumpOf(o.output) } : { kind: 'reject', errorKind: o.errorKind, message: o.message, messageSource: 'ours' };
}

export function describeOutcome(o: GoldenOutcome): string {
  return o.kind === 'convert' ? 'convert' : `reject ${o.errorKind}`;
}

/** An outcome as the lines a golden holds (for the side-by-side view of a failing check). */
function outcomeLines(o: GoldenOutcome): string {
  return o.kind === 'convert' ? `outcome: convert\n${o.dump}` : `outcome: reject ${o.errorKind}\nmessage: ${o.message}\n`;
}

export function compareWithGolden(id: string, golden: Golden, ours: OursOutcome): GoldenProblem | null {
  const mine = oursAsGolden(ours);
  const want = golden.outcome;
  if (want.kind === 'convert' && mine.kind === 'convert' && ours.kind === 'ok') {
    if (want.dump === mine.dump) {
      if (golden.outputSha256 === null || golden.outputSha256 === sha256(ours.output)) return null;
      return {
        id, problem: 'differs', detail: 'every section agrees, but the bytes differ: the file layout changed (output sha256 differs)',
        sides: { golden: `output: sha256:${golden.outputSha256}\n`, ours: `output: sha256:${sha256(ours.output)}\n` },
      };
    }
    const wanted = goldenBlocks(want.dump);
    const got = goldenBlocks(mine.dump);
    const keys = differingBlockKeys(got, wanted);
    const pick = (m: Map<string, string>): string => `${keys.map((k) => m.get(k) ?? `section ${k}\n  (absent)`).join('\n\n')}\n`;
    const patch = createTwoFilesPatch(`golden/${id}`, `ours/${id}`, pick(wanted), pick(got)).replace(/^(Index: .*\n)?=+\n/, '');
    return { id, problem: 'differs', detail: `sections differ: ${keys.join(', ')}\n${patch}`, sides: { golden: want.dump, ours: mine.dump } };
  }
  const sides = { golden: outcomeLines(want), ours: outcomeLines(mine) };
  if (want.kind === 'reject' && mine.kind === 'reject') {
    if (want.errorKind !== mine.errorKind) return { id, problem: 'differs', detail: `golden: reject ${want.errorKind} (${want.message}); ours: reject ${mine.errorKind} (${mine.message})`, sides };
    if (want.messageSource === 'ours' && want.message !== mine.message.replace(/\s*\n\s*/g, ' ').trim()) {
      return { id, problem: 'differs', detail: `message changed: golden '${want.message}', ours '${mine.message}'`, sides };
    }
    return null;
  }
  return { id, problem: 'differs', detail: `golden: ${describeOutcome(want)}${want.kind === 'reject' ? ` (${want.message})` : ''}; ours: ${describeOutcome(mine)}${mine.kind === 'reject' ? ` (${mine.message})` : ''}`, sides };
}

/** Golden files in dir, by case id. */
function goldenIds(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(GOLDEN_SUFFIX)) out.push(rel.slice(0, -GOLDEN_SUFFIX.length));
    }
  };
  walk('');
  return out.sort();
}

/**
 * `whole`: the cases are the whole corpus (selectGoldenCases), so a golden without a case is an
 * orphan; a subset's check judges its own cases' goldens only.
 */
export function checkGoldens(cases: readonly Case[], dir: string, whole: boolean): GoldenCheckResult {
  const problems: GoldenProblem[] = [];
  let passed = 0;
  for (const c of cases) {
    const path = goldenPath(dir, c.id);
    if (c.problem !== undefined) {
      problems.push({ id: c.id, problem: 'unreadable', detail: c.problem });
      continue;
    }
    if (!existsSync(path)) {
      problems.push({ id: c.id, problem: 'no-golden', detail: `no ${path}` });
      continue;
    }
    let golden: Golden;
    try {
      golden = parseGolden(readInputText(path), path);
    } catch (e) {
      problems.push({ id: c.id, problem: 'unreadable', detail: (e as Error).message });
      continue;
    }
    const p = compareWithGolden(c.id, golden, runOurs(c));
    if (p) problems.push(p);
    else passed++;
  }
  if (whole) {
    const ids = new Set(cases.map((c) => c.id));
    for (const id of goldenIds(dir)) if (!ids.has(id)) problems.push({ id, problem: 'no-case', detail: `${goldenPath(dir, id)} has no case` });
  }
  return { checked: cases.length, passed, problems };
}

// ── update ───────────────────────────────────────────────────────────────────────────────────

export interface GoldenReference {
  command: ReferenceCommand;
  label: string;
  sha256: string;
  model: ReferenceModel;
}

export function goldenReference(command: ReferenceCommand, label: string, model: ReferenceModel): GoldenReference {
  return { command, label, sha256: fileSha256(command.binary), model };
}

function describeReference(r: ReferenceOutcome): string {
  switch (r.kind) {
    case 'ok':
      return 'convert';
    case 'reject': {
      const e = referenceErrorKind(r.stderr);
      return `reject ${e.kind}: ${e.message}`;
    }
    case 'crash':
      return `crash ${r.signal}`;
    case 'timeout':
      return 'timeout';
  }
}

/** The golden of one case, or why the reference did not give one. */
export function goldenFromRun(c: Case, ref: GoldenReference, ours: OursOutcome, out: ReferenceOutcome, cls: Classification): Golden | string {
  const head = { caseId: c.id, referenceLabel: ref.label, referenceSha256: ref.sha256, dialect: c.dialect, toolchain: toolchainOf(c) };
  if (cls.class === 'known') {
    return { ...head, deviations: cls.deviations, referenceOutcome: describeReference(out), outputSha256: ours.kind === 'ok' ? sha256(ours.output) : null, outcome: oursAsGolden(ours) };
  }
  if (out.kind === 'ok') return { ...head, deviations: [], referenceOutcome: null, outputSha256: sha256(out.output), outcome: { kind: 'convert', dump: dumpOf(out.output) } };
  if (out.kind === 'reject') {
    const e = referenceErrorKind(out.stderr);
    return { ...head, deviations: [], referenceOutcome: null, outputSha256: null, outcome: { kind: 'reject', errorKind: e.kind, message: e.message, messageSource: 'reference' } };
  }
  return `${c.id}: the reference ${out.kind === 'crash' ? `was killed by ${out.signal}` : 'timed out'} and its model does not predict it`;
}

export interface GoldenChange {
  id: string;
  change: 'new' | 'changed' | 'unchanged';
  /** For 'changed': the dump sections (or header lines) that changed. */
  what: string[];
  /** For 'changed': the golden file as it was (the review page sets it beside `text`). */
  before: string | null;
  diff: string;
  golden: Golden;
  text: string;
}

export function describeChange(id: string, path: string, golden: Golden): GoldenChange {
  const text = formatGolden(golden);
  if (!existsSync(path)) return { id, change: 'new', what: [], before: null, diff: '', golden, text };
  const before = readInputText(path);
  if (before === text) return { id, change: 'unchanged', what: [], before: null, diff: '', golden, text };
  let what: string[] = [];
  try {
    const old = parseGolden(before, path);
    if (old.outcome.kind === 'convert' && golden.outcome.kind === 'convert') {
      const a = goldenBlocks(old.outcome.dump);
      const b = goldenBlocks(golden.outcome.dump);
      what = differingBlockKeys(a, b);
    } else if (describeOutcome(old.outcome) !== describeOutcome(golden.outcome)) {
      what = [`outcome ${describeOutcome(old.outcome)} → ${describeOutcome(golden.outcome)}`];
    }
    if (old.referenceSha256 !== golden.referenceSha256) what.push('reference binary');
    if (old.deviations.join(' ') !== golden.deviations.join(' ')) what.push(`deviations ${old.deviations.join(' ') || '-'} → ${golden.deviations.join(' ') || '-'}`);
  } catch {
    what = ['(old golden unreadable)'];
  }
  const diff = createTwoFilesPatch(`golden/${id} (before)`, `golden/${id} (after)`, before, text).replace(/^(Index: .*\n)?=+\n/, '');
  return { id, change: 'changed', what, before, diff, golden, text };
}

export interface GoldenUpdatePlan {
  changes: GoldenChange[];
  /** Cases the reference gave no golden for; when any, nothing is written. */
  failures: string[];
}

export async function planGoldenUpdate(cases: readonly Case[], dir: string, referenceFor: (c: Case) => GoldenReference, jobs: number, timeoutMs?: number): Promise<GoldenUpdatePlan> {
  const failures: string[] = [];
  const changes: GoldenChange[] = [];
  const results = await mapPool(cases, jobs, async (c) => {
    if (c.problem !== undefined) return `${c.id}: ${c.problem}`;
    const ref = referenceFor(c);
    const ours = runOurs(c);
    const out = await runReference(ref.command, c, timeoutMs);
    return goldenFromRun(c, ref, ours, out, classify(ours, out, ref.model, c.id));
  });
  results.forEach((g, i) => {
    const c = cases[i]!;
    if (typeof g === 'string') failures.push(g);
    else changes.push(describeChange(c.id, goldenPath(dir, c.id), g));
  });
  return { changes, failures };
}

/** Writes every changed golden: all to temporary files first, then each renamed into place. */
export function writeGoldens(dir: string, changes: readonly GoldenChange[]): void {
  const todo = changes.filter((c) => c.change !== 'unchanged');
  try {
    mkdirSync(dir, { recursive: true });
    for (const c of todo) mkdirSync(dirname(goldenPath(dir, c.id)), { recursive: true });
    writeOutputs(todo.map((c) => ({ path: goldenPath(dir, c.id), data: c.text })));
  } catch (e) {
    throw new HarnessError(`${dir}: cannot write goldens (nothing written): ${e instanceof FileError ? e.message : describeErrno(e)}`);
  }
}
