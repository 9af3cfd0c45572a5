// A case is a directory holding input.ko, an optional symbols.klp (then it is a symbols-list
// case) and an optional case.json with metadata. Other files are ignored.
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { Dialect } from '../src/klp/index.js';
import {
  describeErrno, FileError, fileKind, formatSize, INPUT_LIMIT, readInputFile, writeOutput,
} from '../src/io/index.js';
import { HarnessError } from './errors.js';

export const ARCHES = ['x86_64', 'aarch64', 'ppc64le', 'ppc64', 's390x', 'ppc32', 'i386'] as const;
export type Arch = (typeof ARCHES)[number];

export interface CaseMeta {
  id?: string;
  /** An ARCHES name for corpus and generated cases; any name for cases from elsewhere (loongarch64, riscv64). */
  arch?: Arch | (string & {});
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
  /** Set when the case's own files cannot be used: the case is reported as a case error, not run. */
  problem?: string;
}

export const INPUT_NAME = 'input.ko';
export const SYMBOLS_NAME = 'symbols.klp';
export const META_NAME = 'case.json';

/** case.json is small; anything near this is not case metadata. */
const META_LIMIT = 1024 * 1024;

/** Why a case file cannot be used, or undefined: it must be a regular file (links followed) within the limit. */
function caseFileProblem(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return `${path}: cannot read: ${describeErrno(e)}`;
  }
  if (!st.isFile()) return `${path}: cannot read: it is a ${fileKind(st)}; only regular files are read`;
  if (st.size > INPUT_LIMIT) return `${path}: cannot read: input is ${formatSize(st.size)}: more than the ${formatSize(INPUT_LIMIT)} limit`;
  return undefined;
}

/** True when something is at `path`, even a dangling link or a device (existsSync follows links). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads a case directory. A case whose own files are unusable (not regular files, too large, a
 * malformed case.json) still loads, with `problem` saying why: it becomes a per-case error and
 * the other cases run.
 */
export function loadCase(dir: string, root?: string): Case {
  const input = join(dir, INPUT_NAME);
  if (!present(input)) throw new HarnessError(`${dir}: not a case (no ${INPUT_NAME})`);
  const symbolsPath = join(dir, SYMBOLS_NAME);
  const metaPath = join(dir, META_NAME);
  const problems: string[] = [];
  let meta: CaseMeta = {};
  if (present(metaPath)) {
    try {
      const parsed: unknown = JSON.parse(Buffer.from(readInputFile(metaPath, { limit: META_LIMIT })).toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.push(`${metaPath}: case metadata must be a JSON object`);
      else meta = parsed as CaseMeta;
    } catch (e) {
      problems.push(e instanceof FileError ? e.message : `${metaPath}: unreadable case metadata: ${(e as Error).message}`);
    }
  }
  const hasSymbols = present(symbolsPath);
  for (const p of hasSymbols ? [input, symbolsPath] : [input]) {
    const problem = caseFileProblem(p);
    if (problem) problems.push(problem);
  }
  // Only the post-link dialect has to be named: the other two are told by symbols.klp's presence.
  const dialect: Dialect = hasSymbols ? 'symbols' : meta.dialect === 'post-link' ? 'post-link' : 'annotation';
  const rel = root ? relative(root, dir).split('\\').join('/') : '';
  const id = typeof meta.id === 'string' && meta.id ? meta.id : rel && !rel.startsWith('..') ? rel : basename(resolve(dir));
  return { id, dir, input, ...(hasSymbols ? { symbols: symbolsPath } : {}), dialect, meta, ...(problems.length ? { problem: problems.join('; ') } : {}) };
}

/**
 * Every case under the given paths: a path is a case directory, or a directory searched
 * recursively for them. Sorted by id so runs, shards and reports are deterministic.
 */
export function findCases(paths: readonly string[]): Case[] {
  const found = new Map<string, Case>();
  const visit = (dir: string, root: string): void => {
    if (present(join(dir, INPUT_NAME))) {
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
    visit(p, present(join(p, INPUT_NAME)) ? resolve(p, '..') : p);
  }
  return [...found.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** What a case directory holds, for the writers that make cases (gen, minimize, fuzz, killers). */
export interface CaseFiles {
  input: Uint8Array;
  /** symbols.klp; without it the case is an annotation case (a stale one is removed). */
  symbols?: Uint8Array | string;
  meta: CaseMeta | Record<string, unknown>;
  /** The name of the metadata file (default case.json). */
  metaName?: string;
}

/** Writes a case directory, every file through the one output helper. */
export function writeCaseFiles(dir: string, files: CaseFiles): void {
  mkdirSync(dir, { recursive: true });
  writeOutput(join(dir, INPUT_NAME), files.input);
  if (files.symbols) writeOutput(join(dir, SYMBOLS_NAME), files.symbols);
  else rmSync(join(dir, SYMBOLS_NAME), { force: true });
  writeOutput(join(dir, files.metaName ?? META_NAME), `${JSON.stringify(files.meta, null, 2)}\n`);
}
