// Applies a mutant's source patches to a copy of the repository. A search text that is missing, or
// that occurs more than once, is a stale definition: it throws, and the mutant never counts as
// killed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mutant, SourcePatch } from './definitions.js';
import { writeOutput } from '../../src/io/index.js';

export class StaleMutantError extends Error {
  constructor(readonly mutant: string, readonly file: string, reason: string) {
    super(`mutant ${mutant}: ${file}: ${reason} (the definition is stale: update harness/mutants/definitions.ts)`);
    this.name = 'StaleMutantError';
  }
}

/** Where `search` occurs in `text`: the one offset, or why it cannot be patched. */
export function locate(text: string, search: string): number | string {
  if (search.length === 0) return 'empty search text';
  const at = text.indexOf(search);
  if (at < 0) return `search text not found: ${JSON.stringify(search.length > 80 ? `${search.slice(0, 80)}…` : search)}`;
  if (text.indexOf(search, at + 1) >= 0) return `search text occurs more than once: ${JSON.stringify(search.slice(0, 80))}`;
  return at;
}

/** The patched text of one file, applying every patch for it in order. */
export function patchText(mutant: string, file: string, text: string, patches: readonly SourcePatch[]): string {
  let out = text;
  for (const p of patches) {
    const at = locate(out, p.search);
    if (typeof at === 'string') throw new StaleMutantError(mutant, file, at);
    out = out.slice(0, at) + p.replace + out.slice(at + p.search.length);
  }
  if (out === text) throw new StaleMutantError(mutant, file, 'the patches change nothing');
  return out;
}

/** Patches the files of `mutant` under `root`; every patch is checked before any file is written. */
export function applyMutant(root: string, mutant: Mutant): string[] {
  const byFile = new Map<string, SourcePatch[]>();
  for (const p of mutant.patches) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  if (byFile.size === 0) throw new StaleMutantError(mutant.id, '-', 'no patches');
  const results = [...byFile].map(([file, patches]) => {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      throw new StaleMutantError(mutant.id, file, 'no such file');
    }
    return { file, text: patchText(mutant.id, file, text, patches) };
  });
  for (const r of results) writeOutput(join(root, r.file), r.text);
  return results.map((r) => r.file);
}
