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

export function sectionDiff(reference: readonly DumpBlock[], ours: readonly DumpBlock[], label = 'output'): SectionDiff {
  const differingKeys = differingBlockKeys(reference, ours);
  if (differingKeys.length === 0) return { differingKeys, text: '' };
  const pick = (blocks: readonly DumpBlock[]): string => {
    const byKey = new Map(blocks.map((b) => [b.key, b.text]));
    return `${differingKeys.map((k) => byKey.get(k) ?? `section ${k}\n  (absent)`).join('\n\n')}\n`;
  };
  const text = createTwoFilesPatch(`reference/${label}`, `ours/${label}`, pick(reference), pick(ours), undefined, undefined, { context: 3 });
  // The first line of createTwoFilesPatch is an "Index:" banner that says nothing new here.
  return { differingKeys, text: text.replace(/^(Index: .*\n)?=+\n/, '') };
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
