// The fuzzer's seeds: every case of a corpus (input.ko, and symbols.klp for symbols-list cases),
// sorted by directory name so a seed number means the same inputs on every machine.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dialect } from '../../src/klp/index.js';
import { readInputFile } from '../../src/io/index.js';

export interface Seed {
  id: string;
  dir: string;
  input: Uint8Array;
  symbols?: Uint8Array;
  dialect: Dialect;
}

export const DEFAULT_CORPUS = 'cases/compiled';

export function loadSeeds(root: string): Seed[] {
  const seeds: Seed[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    const input = join(dir, 'input.ko');
    if (!statSync(dir).isDirectory() || !existsSync(input)) continue;
    const symbolsPath = join(dir, 'symbols.klp');
    const symbols = existsSync(symbolsPath) ? readInputFile(symbolsPath) : undefined;
    // A post-link case says so in its case.json; the other two dialects are told by symbols.klp.
    const metaPath = join(dir, 'case.json');
    const postLink = !symbols && existsSync(metaPath) && /"dialect":\s*"post-link"/.test(readInputFile(metaPath).toString());
    seeds.push({
      id: name,
      dir,
      input: new Uint8Array(readInputFile(input)),
      ...(symbols ? { symbols: new Uint8Array(symbols) } : {}),
      dialect: symbols ? 'symbols' : postLink ? 'post-link' : 'annotation',
    });
  }
  if (seeds.length === 0) throw new Error(`${root}: no cases (directories with input.ko) to fuzz from`);
  return seeds;
}
