// Two texts as rows of a side-by-side view: lines pair up where a line diff changed them, and long
// runs of equal lines are counted, not kept, so a one-byte change in a large section costs a few
// rows. What the HTML report shows for differing sections and changed goldens.
import { diffArrays } from 'diff';
import type { DumpBlock } from './dump.js';

/** A line both sides share, a changed pair (null: no line on that side), or equal lines left out. */
export type SideBySideRow = { same: string } | { left: string | null; right: string | null } | { skipped: number };

export interface DifferingBlock {
  /** Block key: `header`, a section name (with `#n` for repeats), or a golden's `provenance`. */
  key: string;
  rows: SideBySideRow[];
  /** Changed lines left out to keep the report small; 0 when every change is shown. */
  omitted: number;
}

export interface SideBySideLimits {
  /** Equal lines kept on each side of a change. */
  context: number;
  /** Rows kept per block; the changes past them are counted in `omitted`. */
  rowsPerBlock: number;
  /** Blocks kept; the others are still named by the report's differing keys. */
  blocks: number;
  /** Characters kept of one line (a line past it ends in `…`). */
  lineLength: number;
}

export const SIDE_BY_SIDE_LIMITS: SideBySideLimits = { context: 3, rowsPerBlock: 400, blocks: 8, lineLength: 400 };

/** Beyond this many edits the line diff gives up and pairs the lines in order (still correct, less tidy). */
const MAX_EDIT_LENGTH = 4000;

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

const clip = (line: string, max: number): string => (line.length > max ? `${line.slice(0, max - 1)}…` : line);

/** The changed lines of both sides paired in order, extra lines against nothing. */
function pairs(removed: readonly string[], added: readonly string[]): SideBySideRow[] {
  return Array.from({ length: Math.max(removed.length, added.length) }, (_, i) => ({ left: removed[i] ?? null, right: added[i] ?? null }));
}

/** Equal lines: all when few, else the context next to the changes around them and a count. */
function equalRun(lines: readonly string[], first: boolean, last: boolean, context: number): SideBySideRow[] {
  const head = first ? 0 : context;
  const tail = last ? 0 : context;
  if (lines.length <= head + tail + 1) return lines.map((same) => ({ same }));
  return [
    ...lines.slice(0, head).map((same) => ({ same })),
    { skipped: lines.length - head - tail },
    ...lines.slice(lines.length - tail).map((same) => ({ same })),
  ];
}

/** Rows of `left` against `right`, every change shown, equal runs folded. */
export function sideBySideRows(left: string, right: string, limits: Pick<SideBySideLimits, 'context' | 'lineLength'> = SIDE_BY_SIDE_LIMITS): SideBySideRow[] {
  const a = linesOf(left).map((l) => clip(l, limits.lineLength));
  const b = linesOf(right).map((l) => clip(l, limits.lineLength));
  const parts = diffArrays(a, b, { maxEditLength: MAX_EDIT_LENGTH }) ?? [{ value: a, removed: true, added: false, count: a.length }, { value: b, added: true, removed: false, count: b.length }];
  const rows: SideBySideRow[] = [];
  let removed: string[] = [];
  let added: string[] = [];
  const flush = (): void => {
    rows.push(...pairs(removed, added));
    removed = [];
    added = [];
  };
  parts.forEach((p, i) => {
    if (p.removed) removed.push(...p.value);
    else if (p.added) added.push(...p.value);
    else {
      flush();
      rows.push(...equalRun(p.value, i === 0, i === parts.length - 1, limits.context));
    }
  });
  flush();
  return rows;
}

const changedLines = (rows: readonly SideBySideRow[]): number => rows.filter((r) => 'left' in r).length;

/** At most `max` rows; the changed rows cut off are counted. */
export function capRows(rows: readonly SideBySideRow[], max: number): { rows: SideBySideRow[]; omitted: number } {
  if (rows.length <= max) return { rows: [...rows], omitted: 0 };
  return { rows: rows.slice(0, max), omitted: changedLines(rows.slice(max)) };
}

/** One block of two texts, within the limits. */
export function differingBlock(key: string, left: string, right: string, limits: SideBySideLimits = SIDE_BY_SIDE_LIMITS): DifferingBlock {
  return { key, ...capRows(sideBySideRows(left, right, limits), limits.rowsPerBlock) };
}

/**
 * The blocks named by `keys` (the differing ones, in the report's order), reference or old side
 * left; a block missing on one side is empty there.
 */
export function differingBlocks(left: readonly DumpBlock[], right: readonly DumpBlock[], keys: readonly string[], limits: SideBySideLimits = SIDE_BY_SIDE_LIMITS): DifferingBlock[] {
  const l = new Map(left.map((b) => [b.key, b.text]));
  const r = new Map(right.map((b) => [b.key, b.text]));
  return keys.slice(0, limits.blocks).map((k) => differingBlock(k, l.get(k) ?? '', r.get(k) ?? '', limits));
}
