import { describe, expect, it } from 'vitest';
import { loadSeeds } from './corpus.js';
import { makeInput, runFuzz, seedModels } from './runner.js';
import { Rng } from './rng.js';

// A short fixed-seed run: every input converts or is refused with a KlpError, none takes more than
// the per-input limit, and outputs stay small. The long runs are `npm run fuzz`.
const seeds = loadSeeds('cases/compiled');

describe('fuzz', () => {
  it('survives 2000 mutated inputs (seed 7)', () => {
    const s = runFuzz(seeds, { count: 2000, seed: 7 });
    expect(s.failures.map((f) => `${f.kind} #${f.index} ${f.seed} [${f.mutations.join('; ')}]: ${f.detail.split('\n')[0]}`)).toEqual([]);
    expect(s.count).toBe(2000);
    // The mutations must mostly break things, but not so badly that nothing reaches the conversion.
    expect(s.converted).toBeGreaterThan(100);
    expect(Object.keys(s.refused).length).toBeGreaterThan(5);
  }, 120_000);

  it('makes the same input from the same seed and number, whatever came before', () => {
    const models = seedModels(seeds);
    const a = makeInput(seeds, models, 7, 1234);
    makeInput(seeds, models, 7, 99);
    const b = makeInput(seeds, models, 7, 1234);
    expect(b.seed).toBe(a.seed);
    expect(b.mutations).toEqual(a.mutations);
    expect(Buffer.compare(b.input, a.input)).toBe(0);
    expect(makeInput(seeds, models, 8, 1234).input).not.toEqual(a.input);
  });

  it('draws from a generator that is deterministic per (seed, stream)', () => {
    const draw = (seed: number, stream: number) => {
      const r = new Rng(seed, stream);
      return Array.from({ length: 5 }, () => r.u32());
    };
    expect(draw(1, 2)).toEqual(draw(1, 2));
    expect(draw(1, 2)).not.toEqual(draw(1, 3));
    expect(draw(1, 2)).not.toEqual(draw(2, 2));
  });
});
