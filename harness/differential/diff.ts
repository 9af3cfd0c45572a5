// What a reader needs to see of a divergence: a unified diff of the canonical dumps of only the
// sections that differ (reference → ours), and the first file offset where the bytes part.
import { Chalk } from 'chalk';
import { createTwoFilesPatch } from 'diff';
import type { DumpBlock } from './dump.js';

export interface SectionDiff {
  /** Block keys (`header` or section names) whose dumps differ, in ours-then-reference order. */
  differingKeys: string[];
  /** Unified diff text, or '' when no block differs. */
  text: string;
}

/** Keys of blocks that differ between two dumps; a block present on one side only differs. */
export function differingBlockKeys(reference: readonly DumpBlock[], ours: readonly DumpBlock[]): string[] {
  const ref = new Map(reference.map((b) => [b.key, b.text]));
  const our = new Map(ours.map((b) => [b.key, b.text]));
  const keys = [...our.keys(), ...[...ref.keys()].filter((k) => !our.has(k))];
  return keys.filter((k) => ref.get(k) !== our.get(k));
}

/** How many differing sections a diff shows in full; the rest are named and counted. */
export const DIFF_SECTIONS_SHOWN = 3;

export interface SectionDiffOptions {
  /** Name of the side compared with the reference (`ours`, `model`). */
  label?: string;
  /** Differing sections shown in full (default DIFF_SECTIONS_SHOWN). */
  shown?: number;
}

export function sectionDiff(reference: readonly DumpBlock[], ours: readonly DumpBlock[], caseId = 'output', opts: SectionDiffOptions = {}): SectionDiff {
  const differingKeys = differingBlockKeys(reference, ours);
  if (differingKeys.length === 0) return { differingKeys, text: '' };
  const shownKeys = differingKeys.slice(0, opts.shown ?? DIFF_SECTIONS_SHOWN);
  const pick = (blocks: readonly DumpBlock[]): string => {
    const byKey = new Map(blocks.map((b) => [b.key, b.text]));
    return `${shownKeys.map((k) => byKey.get(k) ?? `section ${k}\n  (absent)`).join('\n\n')}\n`;
  };
  const label = opts.label ?? 'ours';
  let text = createTwoFilesPatch(`reference/${caseId}`, `${label}/${caseId}`, pick(reference), pick(ours), undefined, undefined, { context: 3 });
  // The first line of createTwoFilesPatch is an "Index:" banner that says nothing new here.
  text = text.replace(/^(Index: .*\n)?=+\n/, '');
  const rest = differingKeys.slice(shownKeys.length);
  if (rest.length > 0) text += `… and ${rest.length} more differing section${rest.length === 1 ? '' : 's'} not shown: ${compactKeys(rest)}\n`;
  return { differingKeys, text };
}

/**
 * Block keys with runs of one name's repeats folded: `.rela__pfe#2`, `#3`, … `#71` read
 * `.rela__pfe#2…#71`. Long lists keep their first few runs and count the rest.
 */
export function compactKeys(keys: readonly string[], maxRuns = 8): string {
  const runs: string[] = [];
  let i = 0;
  while (i < keys.length) {
    const m = /^(.*)#(\d+)$/.exec(keys[i]!);
    let j = i + 1;
    if (m) {
      const [, name, first] = m as unknown as [string, string, string];
      let n = Number(first);
      while (j < keys.length && keys[j] === `${name}#${n + 1}`) {
        n++;
        j++;
      }
      runs.push(j - i > 1 ? `${keys[i]}…#${n}` : keys[i]!);
    } else {
      runs.push(keys[i]!);
    }
    i = j;
  }
  if (runs.length <= maxRuns) return runs.join(', ');
  return `${runs.slice(0, maxRuns).join(', ')}, … (${runs.length - maxRuns} more)`;
}

/** `70 sections differ: .rela__pfe#2…#71`, or `header differs`. */
export function describeKeys(keys: readonly string[]): string {
  if (keys.length === 1) return `${keys[0]} differs`;
  return `${keys.length} sections differ: ${compactKeys(keys)}`;
}

/** The first byte offset at which two files differ (the shorter length when one is a prefix), or null. */
export function firstDifferingOffset(a: Uint8Array, b: Uint8Array): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

/** Colours a unified diff for a terminal; with colour off it returns the text unchanged. */
export function colourDiff(text: string, colour: boolean): string {
  const c = new Chalk({ level: colour ? 1 : 0 });
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}
