// A golden holds our output to the reference's bytes, not only to its sections; a check of some
// cases judges their goldens only, however the subset is named.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCaseFiles } from '../case.js';
import { convert } from '../../src/index.js';
import { moduleBytes, pc32, symbolsFile, text } from '../../src/klp/index.js';
import { readElf } from '../../src/elf/index.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { formatGolden, parseGolden, type Golden } from './golden-format.js';
import { checkGoldens, compareWithGolden, goldenPath, selectGoldenCases } from './golden.js';
import type { OursOutcome } from '../differential/ours.js';
import { sha256 } from '../provenance.js';

const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } });
const { output } = convert(input, { symbols: symbolsFile('*vmlinux\nsaved_command_line\n') });
const ours: OursOutcome = { kind: 'ok', output, ms: 0, case: { dialect: 'symbols', input } };

const golden = (outputSha256: string | null): Golden =>
  parseGolden(
    formatGolden({
      caseId: 'c', referenceLabel: 'v7', referenceSha256: '0'.repeat(64), dialect: 'symbols', toolchain: 'test', deviations: [], referenceOutcome: null,
      outputSha256, outcome: { kind: 'convert', dump: dumpText(dumpObject(readElf(output), { hex: false })) },
    }),
    'c.golden',
  );

describe('golden check', () => {
  it('passes when the sections and the bytes agree', () => {
    expect(compareWithGolden('c', golden(sha256(output)), ours)).toBeNull();
  });

  it('fails when every section agrees but the file layout does not', () => {
    const problem = compareWithGolden('c', golden('f'.repeat(64)), ours);
    expect(problem?.detail).toMatch(/bytes differ: the file layout changed/);
  });

  it('round-trips the output digest through the golden text', () => {
    expect(golden(sha256(output)).outputSha256).toBe(sha256(output));
    expect(golden(null).outputSha256).toBeNull();
  });
});

describe('golden check of a subset', () => {
  // root/cases/{a/one, a/two, b/three}, and root/golden with their goldens plus one of a case gone.
  const root = mkdtempSync(join(tmpdir(), 'klp-golden-subset-'));
  const corpus = join(root, 'cases');
  const goldens = join(root, 'golden');
  mkdirSync(goldens);
  const symbols = symbolsFile('*vmlinux\nsaved_command_line\n');
  for (const [sub, id] of [['a', 'one'], ['a', 'two'], ['b', 'three']] as const) {
    writeCaseFiles(join(corpus, sub, id), { input, symbols, meta: { id, dialect: 'symbols' } });
  }
  for (const id of ['one', 'two', 'three', 'gone']) {
    writeFileSync(goldenPath(goldens, id), formatGolden({ ...golden(null), caseId: id, toolchain: 'unknown' }));
  }
  const ids = (sel: { cases: { id: string }[] }) => sel.cases.map((c) => c.id);

  it('judges every golden of the whole corpus: a golden without a case fails it', () => {
    const sel = selectGoldenCases(corpus, [], corpus);
    expect(sel.whole).toBe(true);
    const r = checkGoldens(sel.cases, goldens, sel.whole);
    expect(r.passed).toBe(3);
    expect(r.problems.map((p) => [p.problem, p.id])).toEqual([['no-case', 'gone']]);
  });

  it('--cases DIR inside the corpus, a CASE directory and CASE ids are the same subset, judged alone', () => {
    const byCasesOption = selectGoldenCases(join(corpus, 'a'), [], corpus);
    const byDirectory = selectGoldenCases(corpus, [join(corpus, 'a')], corpus);
    const byIds = selectGoldenCases(corpus, ['one', 'two'], corpus);
    for (const sel of [byCasesOption, byDirectory, byIds]) {
      expect(ids(sel)).toEqual(['one', 'two']);
      expect(sel.whole).toBe(false);
      const r = checkGoldens(sel.cases, goldens, sel.whole);
      expect(r.problems).toEqual([]);
      expect(r.passed).toBe(2);
    }
  });

  it('a corpus of its own (--cases outside the default corpus) is judged whole', () => {
    const own = selectGoldenCases(join(corpus, 'b'), [], join(root, 'elsewhere'));
    expect(own.whole).toBe(true);
    const r = checkGoldens(own.cases, goldens, own.whole);
    expect(r.problems.map((p) => [p.problem, p.id]).sort()).toEqual([['no-case', 'gone'], ['no-case', 'one'], ['no-case', 'two']]);
  });
});
