// What CI checks of the committed corpus without a reference build: every golden still holds,
// and the corpus keeps the size and spread it promises.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCases } from '../case.js';
import { checkGoldens } from './golden.js';
import { listCase } from '../differential/list.js';

const ROOT = join(import.meta.dirname, '../..');
const cases = findCases([join(ROOT, 'cases')]);

describe('committed corpus', () => {
  it('matches every golden, and every golden has its case', () => {
    const result = checkGoldens(cases, join(ROOT, 'golden'), true);
    expect(result.problems).toEqual([]);
    expect(result.passed).toBe(cases.length);
  });

  it('covers the architectures, compilers, flag sets and error kinds it promises', () => {
    const rows = cases.map(listCase);
    const compiled = rows.filter((r) => r.id.match(/-(O0|O2|Os|O2-ffs)-/));
    expect(compiled.length).toBeGreaterThanOrEqual(150);
    for (const arch of ['x86_64', 'aarch64', 'ppc64le', 's390x', 'ppc32']) {
      for (const dialect of ['symbols', 'annotation'] as const) {
        const mine = compiled.filter((r) => r.arch === arch && r.dialect === dialect && r.expect === 'convert');
        expect(new Set(mine.map((r) => r.flags?.match(/-O[0-9s]/)?.[0])).size, `${arch} ${dialect}`).toBeGreaterThanOrEqual(3);
      }
    }
    expect(new Set(compiled.filter((r) => r.arch === 'x86_64').map((r) => r.compiler))).toEqual(new Set(['gcc-12', 'gcc-11', 'clang-15']));
    for (const arch of ['x86_64', 'aarch64', 'ppc64le', 's390x', 'ppc32']) {
      for (const dialect of ['symbols', 'annotation'] as const) {
        const compilers = new Set(compiled.filter((r) => r.arch === arch && r.dialect === dialect && r.expect === 'convert').map((r) => r.compiler));
        expect(compilers.size, `${arch} ${dialect} compilers`).toBeGreaterThanOrEqual(3);
      }
    }
    const kinds = new Set(rows.map((r) => r.expect));
    for (const kind of ['ambiguous-symbol', 'missing-symbol', 'conflicting-sympos', 'bad-sympos', 'bad-symbols-file', 'unsupported-section']) {
      expect(kinds, kind).toContain(kind);
    }
    expect(rows.filter((r) => r.sharedAcrossSections.length > 0).length).toBeGreaterThanOrEqual(20);
  });
});
