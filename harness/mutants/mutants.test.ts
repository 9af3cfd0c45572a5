// The mutant definitions stay in step with the sources they patch: a definition whose search text
// is gone fails here, in `npm test`, before anyone reads a mutation score built on it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MUTANTS } from './definitions.js';
import { locate, patchText, StaleMutantError } from './patch.js';
import { mutationTable, type MutantResult } from './runner.js';

const ROOT = join(import.meta.dirname, '../..');

describe('mutant definitions', () => {
  it('has at least 16 mutants with distinct ids', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(16);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
  });

  it.each(MUTANTS.map((m) => [m.id, m] as const))('%s applies to the current sources, each search text exactly once', (_id, m) => {
    const byFile = new Map<string, typeof m.patches>();
    for (const p of m.patches) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    for (const [file, patches] of byFile) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const patched = patchText(m.id, file, text, patches);
      expect(patched).not.toBe(text);
    }
  });

  it('never patches the harness that judges it', () => {
    for (const m of MUTANTS) for (const p of m.patches) expect(p.file).toMatch(/^src\//);
  });
});

describe('patching', () => {
  it('fails loudly when the search text is missing', () => {
    expect(() => patchText('m', 'f.ts', 'const a = 1;\n', [{ file: 'f.ts', search: 'const b = 2;', replace: 'x' }])).toThrow(StaleMutantError);
    expect(() => patchText('m', 'f.ts', 'const a = 1;\n', [{ file: 'f.ts', search: 'const b = 2;', replace: 'x' }])).toThrow(/stale/);
  });

  it('fails loudly when the search text is ambiguous or the patch changes nothing', () => {
    expect(locate('a a', 'a')).toMatch(/more than once/);
    expect(() => patchText('m', 'f.ts', 'abc', [{ file: 'f.ts', search: 'b', replace: 'b' }])).toThrow(/change nothing/);
  });

  it('applies patches to one file in order', () => {
    expect(patchText('m', 'f.ts', 'one two', [{ file: 'f.ts', search: 'one', replace: 'three' }, { file: 'f.ts', search: 'three two', replace: 'done' }])).toBe('done');
  });
});

describe('the table', () => {
  it('ends with K/M mutants killed, counting stale and broken mutants as not killed', () => {
    const r = (id: string, status: MutantResult['status'], by = ''): MutantResult => ({ id, status, by, ms: 1234, checks: [] });
    const text = mutationTable([r('a', 'killed', 'golden: x (differs)'), r('b', 'survived'), r('c', 'stale', 'search text not found')]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^mutant\s+result\s+by\s+time$/);
    expect(lines).toContainEqual(expect.stringMatching(/^a\s+killed\s+golden: x \(differs\)\s+1\.2 s$/));
    expect(lines[lines.length - 1]).toBe('1/3 mutants killed');
  });
});
