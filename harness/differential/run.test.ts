// `klp-harness run`, `merge` and `golden` end to end, in-process, against stand-in references:
// exit codes, the summary line, JSON, JUnit, shards and merging.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/program.js';
import type { HarnessReport } from './results.js';
import { staleDeviations } from './run.js';
import { compileObject, ourOutput, standIn, standInWriting, SYMBOLS, SYMBOLS_MISSING, tempDir, withByte, writeCase, xmlProblems } from '../testing/fixtures.js';

let dir: string;
let cases: string;
let copy: string;

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const lastLine = (s: string): string => s.trimEnd().split('\n').pop()!;

beforeAll(() => {
  dir = tempDir();
  const obj = compileObject(dir);
  cases = join(dir, 'cases');
  for (const id of ['a', 'b', 'c', 'd']) writeCase(cases, id, obj, SYMBOLS);
  writeCase(cases, 'e-missing', obj, SYMBOLS_MISSING, { expect: 'missing-symbol' });
  // Every converting case has the same input, so one stand-in output serves them all.
  copy = standInWriting(dir, 'copy', ourOutput(join(cases, 'a')));
});

afterEach(() => {
  delete process.env.CI;
});

describe('run', () => {
  it('exits 0 when everything matches, and ends with the summary line', async () => {
    const fail = standIn(dir, 'copy-or-fail', `case "$1" in *e-missing*) echo "klp-convert: Unable to find missing symbol: klp_helper" >&2; exit 1;; esac; cp '${copy}.out' "$OUT"`);
    const r = await cli('run', '--reference', fail, '--reference-label', 'test', '--jobs', '3', cases);
    expect(r.code).toBe(0);
    expect(lastLine(r.out)).toBe('4 match, 0 known, 1 bothReject, 0 diverge, 0 oursReject, 0 refReject, 0 refCrash, 0 refTimeout, 0 caseError, 0 skipped');
  });

  it('exits 1 on a divergence and prints its diff and offset', async () => {
    const out = ourOutput(join(cases, 'a'));
    const corrupt = standInWriting(dir, 'corrupt', withByte(out, out.findIndex((b, i) => i >= 64 && b !== 0), 0xcc));
    const r = await cli('run', '--reference', corrupt, '--reference-label', 'test', '--no-color', cases);
    expect(r.code).toBe(1);
    expect(r.out).toContain('first differing file offset: 0x');
    expect(r.out).toContain('+++ ours/a');
    expect(lastLine(r.out)).toMatch(/^0 match, 0 known, 0 bothReject, 4 diverge, 1 oursReject,/);
  });

  it('reports crashes and timeouts and still completes', async () => {
    const crash = standIn(dir, 'crash', 'kill -SEGV $$');
    const r = await cli('run', '--reference', crash, '--reference-label', 'test', cases);
    expect(r.code).toBe(1);
    expect(lastLine(r.out)).toContain('5 refCrash');
    const hang = standIn(dir, 'hang', 'exec sleep 60');
    const t = await cli('run', '--reference', hang, '--reference-label', 'test', '--timeout', '1', '--jobs', '5', cases);
    expect(t.code).toBe(1);
    expect(lastLine(t.out)).toContain('5 refTimeout');
  });

  it('skips the other dialect and prints only the summary with CI=true', async () => {
    process.env.CI = 'true';
    const r = await cli('run', '--reference', copy, '--reference-label', 'test', '--dialect', 'annotation', cases);
    expect(r.code).toBe(0);
    expect(r.out).toBe('0 match, 0 known, 0 bothReject, 0 diverge, 0 oursReject, 0 refReject, 0 refCrash, 0 refTimeout, 0 caseError, 5 skipped\n');
  });

  it('exits 2 with one line when the harness cannot run', async () => {
    for (const argv of [
      ['run', '--reference', join(dir, 'no-such-reference'), cases],
      ['run', '--reference', join(cases, 'a', 'case.json'), '--reference-label', 'x', cases],
      ['run', '--reference', copy, '--reference-label', 'test', join(dir, 'no-such-dir')],
      ['run', '--reference', copy, '--shard', '3/2', cases],
      ['run', '--bogus'],
      ['frobnicate'],
    ]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('writes JUnit that parses and JSON with the documented summary keys', async () => {
    const crash = standIn(dir, 'crash2', `case "$2" in *b/*) kill -SEGV $$;; esac; cp '${copy}.out' "$OUT"`);
    const json = join(dir, 'r.json');
    const junit = join(dir, 'r.xml');
    const r = await cli('run', '--reference', crash, '--reference-label', 'test', '--json', json, '--junit', junit, cases);
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as HarnessReport;
    expect(Object.keys(report.summary)).toEqual(['match', 'known', 'bothReject', 'diverge', 'oursReject', 'refReject', 'refCrash', 'refTimeout', 'caseError', 'skipped']);
    expect(report.cases.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e-missing']);
    expect(report.cases[1]!.class).toBe('refCrash');
    const xml = readFileSync(junit, 'utf8');
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('<testcase classname="klp-harness.symbols" name="b"');
    expect(xml.match(/<failure /g)).toHaveLength(2);
  });

  it('with GITHUB_ACTIONS=true writes a step summary and one ::error per failing case; JUnit failures name the class and the command', async () => {
    const out = ourOutput(join(cases, 'a'));
    const corrupt = standInWriting(dir, 'corrupt-entry', withByte(out, 24, 0x5a));
    const summary = join(dir, 'step-summary.md');
    const json = join(dir, 'gh.json');
    const junit = join(dir, 'gh.xml');
    Object.assign(process.env, { CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    try {
      const r = await cli('run', '--reference', corrupt, '--reference-label', 'test', '--json', json, '--junit', junit, cases);
      expect(r.code).toBe(1);
      const annotations = r.out.split('\n').filter((l) => l.startsWith('::error '));
      expect(annotations).toHaveLength(5); // four diverge, and e-missing: oursReject
      expect(annotations[0]).toMatch(/^::error title=klp-harness test%3A diverge a::diverge: ours and reference differ: header differs[^\n]*%0Areproduce: npx klp-harness run --reference \S+\/corrupt-entry --reference-label test \S+\/cases\/a$/);
      expect(annotations[4]).toMatch(/^::error title=klp-harness test%3A oursReject e-missing::/);
      expect(lastLine(r.out)).toBe('0 match, 0 known, 0 bothReject, 4 diverge, 1 oursReject, 0 refReject, 0 refCrash, 0 refTimeout, 0 caseError, 0 skipped');
      const md = readFileSync(summary, 'utf8');
      expect(md).toContain('| 0 | 0 | 0 | 4 | 1 | 0 | 0 | 0 | 0 | 0 |');
      expect(md.match(/^\| `[a-e][^`]*` \| (diverge|oursReject) \|/gm)).toHaveLength(5);
      const xml = readFileSync(junit, 'utf8');
      expect(xmlProblems(xml)).toEqual([]);
      expect(xml).toMatch(/<failure message="diverge: [^"]*" type="diverge">class: diverge\n/);
      expect(xml.match(/reproduce: npx klp-harness run --reference \S+ --reference-label test \S+\/cases\/[a-e]/g)).toHaveLength(5);

      const m = await cli('merge', json, '--json', join(dir, 'gh-merged.json'));
      expect(m.out.split('\n').filter((l) => l.startsWith('::error '))).toHaveLength(5);
      expect(readFileSync(summary, 'utf8')).toMatch(/^## klp-harness run: test failed[\s\S]*\n## klp-harness merge: test failed/);
    } finally {
      delete process.env.GITHUB_ACTIONS;
      delete process.env.GITHUB_STEP_SUMMARY;
    }
  });

  it('splits into deterministic shards that merge back into the whole run', async () => {
    const shards = ['1/2', '2/2'].map((s) => join(dir, `shard-${s.replace('/', 'of')}.json`));
    for (const [k, s] of ['1/2', '2/2'].entries()) await cli('run', '--reference', copy, '--reference-label', 'test', '--shard', s, '--json', shards[k]!, cases);
    const parts = shards.map((p) => JSON.parse(readFileSync(p, 'utf8')) as HarnessReport);
    expect(parts[0]!.cases.map((c) => c.id)).toEqual(['a', 'c', 'e-missing']);
    expect(parts[1]!.cases.map((c) => c.id)).toEqual(['b', 'd']);
    const merged = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    const r = await cli('merge', ...shards, '--json', merged, '--junit', junit);
    expect(r.code).toBe(1); // e-missing: we refuse, the stand-in converts
    const m = JSON.parse(readFileSync(merged, 'utf8')) as HarnessReport;
    expect(m.summary.match).toBe(4);
    expect(m.summary.oursReject).toBe(1);
    expect(m.cases.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e-missing']);
    expect(xmlProblems(readFileSync(junit, 'utf8'))).toEqual([]);
  });

  it('makes unusable case files a per-case error: /dev/zero, a FIFO, a dangling link, a huge file; the rest still run', async () => {
    const mixed = join(dir, 'mixed');
    writeCase(mixed, 'good', join(dir, 'src.o'), SYMBOLS);
    const bad = (id: string, make: (input: string) => void): void => {
      mkdirSync(join(mixed, id), { recursive: true });
      writeFileSync(join(mixed, id, 'symbols.klp'), SYMBOLS);
      make(join(mixed, id, 'input.ko'));
    };
    bad('zero', (p) => symlinkSync('/dev/zero', p));
    bad('fifo', (p) => execFileSync('mkfifo', [p]));
    bad('dangling', (p) => symlinkSync('nowhere.ko', p));
    bad('huge', (p) => {
      writeFileSync(p, '');
      truncateSync(p, 3 * 1024 ** 3);
    });
    // A reference that would hang on a FIFO or /dev/zero: it must never be run on them.
    const reader = standIn(dir, 'reader', `cat "$2" > /dev/null; cp '${copy}.out' "$OUT"`);
    const json = join(dir, 'mixed.json');
    const r = await cli('run', '--reference', reader, '--reference-label', 'test', '--timeout', '20', '--json', json, mixed);
    expect(r.code).toBe(1);
    expect(lastLine(r.out)).toBe('1 match, 0 known, 0 bothReject, 0 diverge, 0 oursReject, 0 refReject, 0 refCrash, 0 refTimeout, 4 caseError, 0 skipped');
    const report = JSON.parse(readFileSync(json, 'utf8')) as HarnessReport;
    const notes = Object.fromEntries(report.cases.map((c) => [c.id, c.note]));
    expect(notes.zero).toMatch(/zero\/input\.ko: cannot read: it is a character device; only regular files are read$/);
    expect(notes.fifo).toMatch(/fifo\/input\.ko: cannot read: it is a named pipe \(FIFO\); only regular files are read$/);
    expect(notes.dangling).toMatch(/dangling\/input\.ko: cannot read: no such file or directory \(ENOENT\)$/);
    expect(notes.huge).toMatch(/huge\/input\.ko: cannot read: input is 3 GiB: more than the 2 GiB limit$/);
    expect(report.cases.find((c) => c.id === 'zero')!.reference.outcome).toBeNull();
    const g = await cli('golden', 'check', '--golden-dir', join(dir, 'no-goldens'), '--cases', mixed);
    expect(g.code).toBe(1);
    expect(g.out).toMatch(/unreadable\s+zero: .*character device/);
  });

  it('refuses to merge reports of different references', async () => {
    const other = standInWriting(dir, 'other', ourOutput(join(cases, 'a')));
    writeFileSync(other, `${readFileSync(other, 'utf8')}\n# a different script, so a different digest\n`);
    const a = join(dir, 'ra.json');
    const b = join(dir, 'rb.json');
    await cli('run', '--reference', copy, '--reference-label', 'test', '--json', a, cases);
    await cli('run', '--reference', other, '--reference-label', 'test', '--json', b, cases);
    const r = await cli('merge', a, b, '--json', join(dir, 'x.json'));
    expect(r.code).toBe(2);
  });
});

describe('golden', () => {
  it('updates from a reference, checks, and reports stale or missing goldens', async () => {
    const goldens = join(dir, 'golden');
    const fail = standIn(dir, 'golden-ref', `case "$1" in *e-missing*) echo "klp-convert: Unable to find missing symbol: klp_helper" >&2; exit 1;; esac; cp '${copy}.out' "$OUT"`);
    const u = await cli('golden', 'update', '--reference', fail, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases);
    expect(u.code).toBe(0);
    expect(u.out).toContain('5 new');
    const text = readFileSync(join(goldens, 'e-missing.golden'), 'utf8');
    expect(text).toContain('outcome: reject missing-symbol');
    expect(text).toMatch(/reference: test sha256:[0-9a-f]{64}/);
    expect((await cli('golden', 'check', '--golden-dir', goldens, '--cases', cases)).code).toBe(0);

    writeFileSync(join(goldens, 'orphan.golden'), readFileSync(join(goldens, 'a.golden')));
    const orphan = await cli('golden', 'check', '--golden-dir', goldens, '--cases', cases);
    expect(orphan.code).toBe(1);
    expect(orphan.out).toContain('no-case');

    const again = await cli('golden', 'update', '--reference', fail, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases);
    expect(again.out).toContain('5 unchanged');
  });

  it('writes nothing when a case did not run', async () => {
    const goldens = join(dir, 'golden-none');
    const crash = standIn(dir, 'golden-crash', `case "$2" in *c/*) kill -SEGV $$;; esac; cp '${copy}.out' "$OUT"`);
    const u = await cli('golden', 'update', '--reference', crash, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases, 'a', 'b', 'c');
    expect(u.code).toBe(1);
    expect(u.out).toContain('nothing written');
    expect(existsSync(goldens) ? readdirSync(goldens) : []).toEqual([]);
  });

  it('fails the check for a case without a golden and for a changed golden', async () => {
    const goldens = join(dir, 'golden-partial');
    mkdirSync(goldens, { recursive: true });
    await cli('golden', 'update', '--reference', copy, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases, 'a');
    const text = readFileSync(join(goldens, 'a.golden'), 'utf8');
    writeFileSync(join(goldens, 'a.golden'), text.replace('"klp_shared"', '"klp_renamed"'));
    const r = await cli('golden', 'check', '--golden-dir', goldens, '--cases', cases);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/differs\s+a: sections differ: \.strtab|differs\s+a: sections differ: \.symtab/);
    expect(r.out).toContain('no-golden');
  });

  it('golden check with GITHUB_ACTIONS=true annotates each problem and sums them up', async () => {
    const goldens = join(dir, 'golden-github');
    await cli('golden', 'update', '--reference', copy, '--reference-label', 'test', '--golden-dir', goldens, '--cases', cases, 'a', 'b');
    writeFileSync(join(goldens, 'a.golden'), readFileSync(join(goldens, 'a.golden'), 'utf8').replace('"klp_shared"', '"klp_renamed"'));
    const summary = join(dir, 'golden-summary.md');
    Object.assign(process.env, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    try {
      const r = await cli('golden', 'check', '--golden-dir', goldens, '--cases', cases);
      expect(r.code).toBe(1);
      const annotations = r.out.split('\n').filter((l) => l.startsWith('::error '));
      expect(annotations.map((l) => /title=klp-harness golden%3A (\S+ \S+)::/.exec(l)?.[1])).toEqual(['differs a', 'no-golden c', 'no-golden d', 'no-golden e-missing']);
      expect(annotations[0]).toContain(`%0Areproduce: npx klp-harness golden check --golden-dir ${goldens} --cases ${cases} a`);
      expect(readFileSync(summary, 'utf8')).toMatch(/^## klp-harness golden check failed\n\n1 of 5 cases agree/);
    } finally {
      delete process.env.GITHUB_ACTIONS;
      delete process.env.GITHUB_STEP_SUMMARY;
    }
  });
});

describe('list', () => {
  it('lists cases as JSON with shared-symbol use', async () => {
    const r = await cli('list', '--json', cases);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(5);
    expect(rows[0]).toMatchObject({ id: 'a', arch: 'x86_64', compiler: 'gcc', dialect: 'symbols', sharedAcrossSections: ['klp_shared'] });
    expect(Object.keys(rows[0]!)).toEqual(['id', 'arch', 'compiler', 'flags', 'dialect', 'expect', 'sharedSymbols', 'sharedAcrossSections']);
  });
});

describe('stale deviations', () => {
  const d = (id: string, cases: string[]) => ({ id, divergence: 1, does: 'x', cases });
  const ran = (id: string, deviations: string[] = [], cls: 'match' | 'known' | 'skipped' | 'diverge' = 'match') => ({ id, class: cls, deviations });
  it('warns only about deviations whose own cases ran here without needing them', () => {
    const devs = [d('a', ['c1']), d('b', ['c2']), d('c', ['c3', 'c4'])];
    // c2 and c3 did not run (c3 skipped): b and c are not judged; a ran on c1 and was not needed.
    expect(staleDeviations(devs, [ran('c1'), ran('c3', [], 'skipped'), ran('c4', ['c'], 'known')]).map((x) => x.id)).toEqual(['a']);
    expect(staleDeviations(devs, [ran('c1', ['a'], 'known')])).toEqual([]);
    expect(staleDeviations(devs, [])).toEqual([]);
    // A diverging case (a bug the model leaves out) says nothing about what else it needed.
    expect(staleDeviations(devs, [ran('c1', [], 'diverge')])).toEqual([]);
  });
});
