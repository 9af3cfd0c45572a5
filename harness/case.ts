// A case is a directory holding input.ko, an optional symbols.klp (then it is a symbols-list
// case) and an optional case.json with metadata. Other files are ignored.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Dialect } from '../src/klp/plan.js';
import { HarnessError } from './errors.js';

export const ARCHES = ['x86_64', 'aarch64', 'ppc64le', 'ppc64', 's390x', 'ppc32', 'i386'] as const;
export type Arch = (typeof ARCHES)[number];

export interface CaseMeta {
  id?: string;
  arch?: Arch;
  compiler?: string;
  compilerVersion?: string;
  binutils?: string;
  flags?: string;
  flagSet?: string;
  dialect?: Dialect;
  /** "convert", or the error kind a correct converter refuses the case with. */
  expect?: string;
  exercises?: string[];
  source?: string;
  [extra: string]: unknown;
}

export interface Case {
  id: string;
  dir: string;
  input: string;
  symbols?: string;
  dialect: Dialect;
  meta: CaseMeta;
}

export const INPUT_NAME = 'input.ko';
export const SYMBOLS_NAME = 'symbols.klp';
export const META_NAME = 'case.json';

export function loadCase(dir: string, root?: string): Case {
  const input = join(dir, INPUT_NAME);
  if (!existsSync(input)) throw new HarnessError(`${dir}: not a case (no ${INPUT_NAME})`);
  const symbolsPath = join(dir, SYMBOLS_NAME);
  const metaPath = join(dir, META_NAME);
  let meta: CaseMeta = {};
  if (existsSync(metaPath)) {
    try {
      meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CaseMeta;
    } catch (e) {
      throw new HarnessError(`${metaPath}: unreadable case metadata: ${(e as Error).message}`);
    }
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new HarnessError(`${metaPath}: case metadata must be a JSON object`);
  }
  const hasSymbols = existsSync(symbolsPath);
  const dialect: Dialect = hasSymbols ? 'symbols' : 'annotation';
  const rel = root ? relative(root, dir).split('\\').join('/') : '';
  const id = typeof meta.id === 'string' && meta.id ? meta.id : rel && !rel.startsWith('..') ? rel : basename(resolve(dir));
  return { id, dir, input, ...(hasSymbols ? { symbols: symbolsPath } : {}), dialect, meta };
}

/**
 * Every case under the given paths: a path is a case directory, or a directory searched
 * recursively for them. Sorted by id so runs, shards and reports are deterministic.
 */
export function findCases(paths: readonly string[]): Case[] {
  const found = new Map<string, Case>();
  const visit = (dir: string, root: string): void => {
    if (existsSync(join(dir, INPUT_NAME))) {
      const c = loadCase(dir, root);
      const prior = found.get(c.id);
      if (prior && resolve(prior.dir) !== resolve(c.dir)) throw new HarnessError(`two cases share the id '${c.id}': ${prior.dir} and ${c.dir}`);
      found.set(c.id, c);
      return;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (e) {
      throw new HarnessError(`${dir}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    for (const name of entries) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (e) {
        throw new HarnessError(`${p}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      if (isDir) visit(p, root);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) throw new HarnessError(`${p}: no such case or directory`);
    if (!statSync(p).isDirectory()) throw new HarnessError(`${p}: not a directory`);
    visit(p, existsSync(join(p, INPUT_NAME)) ? resolve(p, '..') : p);
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
