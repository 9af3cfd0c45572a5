// docs/divergences.md is a view of the reference models: it must be what they render, and every
// deviation must point at a divergence row and at cases the corpus holds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCases } from '../case.js';
import { DIVERGENCES, divergencesMarkdown, REAL_CORPUS_FINDINGS } from './divergences.js';
import { REFERENCE_MODELS } from './index.js';

const repo = join(import.meta.dirname, '../..');

describe('docs/divergences.md', () => {
  it('is what the models render (npx klp-harness deviations --markdown > docs/divergences.md)', () => {
    expect(readFileSync(join(repo, 'docs/divergences.md'), 'utf8')).toBe(divergencesMarkdown());
  });

  it('has a row for every deviation, and every deviation names cases the corpus has', () => {
    const rows = new Set(DIVERGENCES.map((d) => d.n));
    const ids = new Set(findCases([join(repo, 'cases')]).map((c) => c.id));
    for (const m of REFERENCE_MODELS) {
      for (const d of m.deviations) {
        expect(rows.has(d.divergence), `${d.id} → row ${d.divergence}`).toBe(true);
        expect(d.cases.length, `${d.id} has no case`).toBeGreaterThan(0);
        for (const c of d.cases) expect(ids.has(c), `${d.id}: no case ${c}`).toBe(true);
      }
    }
    for (const f of REAL_CORPUS_FINDINGS) for (const c of f.cases) expect(ids.has(c), `finding: no case ${c}`).toBe(true);
  });
});
