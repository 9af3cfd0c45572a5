// The divergence ledger: reviewed, intentional differences from one reference build. An entry
// applies to any case whose difference its `match` describes exactly (so fresh cases of the same
// shape are covered); `cases` names the cases that showed it when it was reviewed.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HarnessError } from './errors.js';
import { readInputText } from '../src/cli/files.js';

/** Header fields of the canonical dump that an entry may allow to differ. */
export const HEADER_FIELDS = ['flags', 'osabi', 'abiversion'] as const;
export type HeaderField = (typeof HEADER_FIELDS)[number];

/** What a side did, as a ledger names it: 'ok' (converted), a reject kind, 'crash' or 'timeout'. */
export type OutcomeName = string;

export type LedgerMatch =
  /** Both convert; the outputs are equal once these header fields are set aside. */
  | { kind: 'header-fields'; fields: HeaderField[] }
  /** Both convert; only sections whose keys match these patterns (`*` = any run) differ. */
  | { kind: 'sections'; sections: string[] }
  /** Our outcome and the reference's, e.g. ours 'unsupported-section' where the reference says 'ok'. */
  | { kind: 'outcome'; ours: OutcomeName | OutcomeName[]; reference: OutcomeName; stderrIncludes?: string }
  /** The reference refuses with this message whatever we do (ours: optional outcome filter). */
  | { kind: 'reference-rejects'; stderrIncludes: string; ours?: OutcomeName[] };

export interface LedgerEntry {
  id: string;
  /** The field or section, e.g. "header.e_flags" or "section:.klp.rela.*". */
  what: string;
  /** The kernel requirement or the reference bug that makes us right. */
  why: string;
  cases: string[];
  match: LedgerMatch;
}

export interface Ledger {
  label: string;
  /** Where it was read from, or null for an empty ledger (no file for this label). */
  path: string | null;
  entries: LedgerEntry[];
}

export const KNOWN_REFERENCE_LABELS = ['v4', 'v5', 'v7', 'minimal'] as const;

/**
 * The label of a reference from its path: the last path segment that is a known label
 * (/tmp/ref/v7/klp-convert → v7). Null when none is; then only --reference-label can say.
 */
export function guessReferenceLabel(path: string): string | null {
  const segments = path.split(/[\\/]/).reverse();
  for (const seg of segments) {
    const hit = KNOWN_REFERENCE_LABELS.find((l) => seg === l || seg === `klp-convert-${l}` || seg.endsWith(`-${l}`));
    if (hit) return hit;
  }
  return null;
}

/** harness/ledger/, found both from the TypeScript sources (tests) and from dist/harness/ (the bin). */
export function defaultLedgerDir(): string {
  const candidates = [new URL('./ledger/', import.meta.url), new URL('../../harness/ledger/', import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  return fileURLToPath(candidates[0]!);
}

export function loadLedgerFile(path: string, label: string): Ledger {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readInputText(path));
  } catch (e) {
    throw new HarnessError(`${path}: unreadable ledger: ${(e as Error).message}`);
  }
  const entries = (parsed as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new HarnessError(`${path}: a ledger is {"entries": [...]}`);
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const problem = entryProblem(e);
    if (problem) throw new HarnessError(`${path}: entry ${i}: ${problem}`);
    const id = (e as LedgerEntry).id;
    if (seen.has(id)) throw new HarnessError(`${path}: entry id '${id}' appears twice`);
    seen.add(id);
  }
  return { label, path, entries: entries as LedgerEntry[] };
}

/** The ledger of a reference label: `<dir>/<label>.json`, or an empty one when there is none. */
export function loadLedger(label: string, dir = defaultLedgerDir()): Ledger {
  const path = `${dir.replace(/\/$/, '')}/${label}.json`;
  if (!existsSync(path)) return { label, path: null, entries: [] };
  return loadLedgerFile(path, label);
}

function entryProblem(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return 'not an object';
  const o = e as Record<string, unknown>;
  for (const key of ['id', 'what', 'why'] as const) if (typeof o[key] !== 'string' || !o[key]) return `'${key}' must be a non-empty string`;
  if (!Array.isArray(o.cases) || !o.cases.every((c) => typeof c === 'string')) return "'cases' must be an array of case ids";
  const m = o.match as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null) return "'match' must be an object";
  switch (m.kind) {
    case 'header-fields':
      if (!Array.isArray(m.fields) || !m.fields.every((f) => (HEADER_FIELDS as readonly unknown[]).includes(f))) return `header-fields takes fields from ${HEADER_FIELDS.join(', ')}`;
      return undefined;
    case 'sections':
      if (!Array.isArray(m.sections) || !m.sections.every((s) => typeof s === 'string')) return 'sections takes a list of section patterns';
      return undefined;
    case 'outcome':
      if (!(typeof m.ours === 'string' || (Array.isArray(m.ours) && m.ours.every((x) => typeof x === 'string')))) return "outcome needs 'ours'";
      if (typeof m.reference !== 'string') return "outcome needs 'reference'";
      return undefined;
    case 'reference-rejects':
      if (typeof m.stderrIncludes !== 'string' || !m.stderrIncludes) return "reference-rejects needs 'stderrIncludes'";
      return undefined;
    default:
      return `unknown match kind '${String(m.kind)}'`;
  }
}

/** `*` matches any run of characters; everything else is literal. */
export function sectionPatternMatches(pattern: string, key: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(key);
}
