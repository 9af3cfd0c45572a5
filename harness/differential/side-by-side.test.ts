// Side-by-side rows: changes paired, equal runs folded to their context, limits counted.
import { describe, expect, it } from 'vitest';
import { capRows, differingBlocks, sideBySideRows, SIDE_BY_SIDE_LIMITS } from './side-by-side.js';

const numbered = (n: number, change?: { at: number; to: string }): string =>
  `${Array.from({ length: n }, (_, i) => (change && i === change.at ? change.to : `line ${i}`)).join('\n')}\n`;

describe('sideBySideRows', () => {
  it('pairs a changed line and folds the equal lines around it to three of context', () => {
    const rows = sideBySideRows(numbered(100), numbered(100, { at: 50, to: 'line 50 changed' }));
    expect(rows).toEqual([
      { skipped: 47 },
      { same: 'line 47' }, { same: 'line 48' }, { same: 'line 49' },
      { left: 'line 50', right: 'line 50 changed' },
      { same: 'line 51' }, { same: 'line 52' }, { same: 'line 53' },
      { skipped: 46 },
    ]);
  });

  it('sets an inserted line against nothing', () => {
    expect(sideBySideRows('a\nb\n', 'a\nnew\nb\n')).toEqual([{ same: 'a' }, { left: null, right: 'new' }, { same: 'b' }]);
  });

  it('pairs a run of changed lines in order, the longer side against nothing', () => {
    expect(sideBySideRows('x\n1\n2\ny\n', 'x\nA\nB\nC\ny\n')).toEqual([
      { same: 'x' }, { left: '1', right: 'A' }, { left: '2', right: 'B' }, { left: null, right: 'C' }, { same: 'y' },
    ]);
  });

  it('keeps short equal runs whole: folding two lines would save nothing', () => {
    const rows = sideBySideRows(numbered(9, { at: 0, to: 'a' }), numbered(9, { at: 8, to: 'b' }));
    expect(rows.filter((r) => 'skipped' in r)).toEqual([]);
  });

  it('clips a line past the length limit', () => {
    const [row] = sideBySideRows('x'.repeat(1000), 'y', { context: 3, lineLength: 20 });
    expect(row).toEqual({ left: `${'x'.repeat(19)}…`, right: 'y' });
  });
});

describe('limits', () => {
  it('counts the changed rows cut off by the row limit', () => {
    const rows = sideBySideRows(numbered(10), Array.from({ length: 10 }, (_, i) => `other ${i}`).join('\n'));
    expect(capRows(rows, 4)).toEqual({ rows: rows.slice(0, 4), omitted: 6 });
  });

  it('keeps at most the block limit, a block missing on one side empty there', () => {
    const left = [{ key: 'header', text: 'header\n  a' }, { key: '.text', text: 'section .text\n  x' }];
    const right = [{ key: 'header', text: 'header\n  b' }, { key: '.klp.rela.vmlinux.text', text: 'section .klp.rela.vmlinux.text\n  y' }];
    const keys = ['header', '.klp.rela.vmlinux.text', '.text'];
    const blocks = differingBlocks(left, right, keys, { ...SIDE_BY_SIDE_LIMITS, blocks: 2 });
    expect(blocks.map((b) => b.key)).toEqual(['header', '.klp.rela.vmlinux.text']);
    expect(blocks[1]!.rows).toEqual([{ left: null, right: 'section .klp.rela.vmlinux.text' }, { left: null, right: '  y' }]);
  });
});
