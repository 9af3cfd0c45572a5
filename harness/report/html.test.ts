// The HTML report as a file: self-contained, its data unable to break out of its script block,
// and small however many cases diverge. (html.browser.test.ts opens it in a browser.)
import { describe, expect, it } from 'vitest';
import { bigBlock, syntheticCase, syntheticReport } from '../testing/report-fixtures.js';
import { formatGolden, type Golden } from '../golden/golden-format.js';
import type { GoldenChange } from '../golden/golden.js';
import { goldenUpdateHtml } from './html-golden.js';
import type { HtmlPage } from './html-page.js';
import { runReportHtml } from './html.js';
import type { CaseReport } from '../differential/results.js';

/** The page data as the browser's script reads it. */
function pageData(html: string): HtmlPage {
  const m = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no page data block');
  return JSON.parse(m[1]!) as HtmlPage;
}

const diverging = (id: string, blocks: number, lines: number): CaseReport =>
  syntheticCase(id, 'diverge', {
    differingSections: Array.from({ length: blocks }, (_, k) => `.rela.text#${k + 1}`),
    sideBySide: { versus: 'ours', blocks: Array.from({ length: blocks }, (_, k) => bigBlock(`.rela.text#${k + 1}`, lines)) },
    firstDifferingOffset: 0x40,
  });

describe('runReportHtml', () => {
  it('puts the reference, its sha256, the corpus, the date and our version in the header', () => {
    const html = runReportHtml(syntheticReport([syntheticCase('a', 'match')]));
    const header = html.slice(0, html.indexOf('<script'));
    for (const s of ['v7: /opt/ref/v7/klp-convert', 'c'.repeat(64), '<td>cases</td>', '2026-12-01T00:00:00.000Z', '<td>0.1.0</td>']) expect(header).toContain(s);
    expect(header).toMatch(/<button[^>]*class="chip t-match"[^>]*><b>1<\/b> match<\/button>/);
  });

  it('keeps case data inside its script block: a note cannot end it or open a comment', () => {
    const note = '</script><script>alert(1)</script><!-- & \u2028';
    const html = runReportHtml(syntheticReport([syntheticCase('evil', 'diverge', { note })]));
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the data block's and the script's own
    expect(html).not.toContain('<!--');
    expect(pageData(html).items[0]!.cells.note).toBe(note);
  });

  it('names nothing outside the file: no URL, no external script, style or image', () => {
    const html = runReportHtml(syntheticReport([syntheticCase('a', 'match'), diverging('b', 1, 3)]));
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*"(?!data:)/);
    expect(html).toContain("default-src 'none'");
  });

  it('stays under 5 MB with thousands of cases and a few huge diffs, truncating only those, with a note', () => {
    const cases = Array.from({ length: 3000 }, (_, i) => syntheticCase(`case-${String(i).padStart(4, '0')}`, i % 7 === 0 ? 'diverge' : 'match'));
    for (let k = 0; k < 40; k++) cases[k * 70 + 1] = diverging(`huge-${k}`, 8, 400); // ~0.5 MB of rows each
    cases[2] = diverging('small', 1, 5);
    const html = runReportHtml(syntheticReport(cases));
    expect(html.length).toBeLessThan(5_000_000);
    const items = pageData(html).items;
    const part = (id: string) => items.find((i) => i.id === id)!.panel.find((p) => p.kind === 'sideBySide');
    const huge = part('huge-3');
    expect(huge?.kind === 'sideBySide' && huge.notes.join(' ')).toMatch(/diff truncated to keep this report small: \d+ changed lines not shown/);
    const small = part('small');
    expect(small?.kind === 'sideBySide' && small.blocks[0]!.rows).toHaveLength(5);
    expect(small?.kind === 'sideBySide' && small.notes).toEqual([]);
  });

  it('reads a report written before cases carried side-by-side data: the unified diff, the id to reproduce', () => {
    const old = syntheticCase('old', 'diverge', { diff: '--- reference/old\n+++ ours/old\n-a\n+b\n', differingSections: ['.text'] });
    const { sideBySide: _s, dir: _d, ...legacy } = old;
    const page = pageData(runReportHtml(syntheticReport([legacy as CaseReport])));
    const parts = page.items[0]!.panel;
    expect(parts.find((p) => p.kind === 'text' && p.title.startsWith('Differing sections'))).toBeDefined();
    expect(parts.find((p) => p.kind === 'command')).toMatchObject({ command: 'npx klp-harness run --reference /opt/ref/v7/klp-convert --reference-label v7 old' });
  });

  it('names the deviations a known case used, with what each does', () => {
    const page = pageData(runReportHtml(syntheticReport([syntheticCase('k', 'known', { deviations: ['v7-fresh-header'] })])));
    const facts = page.items[0]!.panel[0]!;
    expect(facts.kind === 'facts' && facts.rows).toContainEqual(['deviation v7-fresh-header', 'writes a fresh ELF header']);
    expect(page.items[0]!.cells.deviation).toEqual(['v7-fresh-header']);
  });
});

describe('goldenUpdateHtml', () => {
  it('keeps a review of many new goldens, each of many small blocks, under 5 MB', { timeout: 60_000 }, () => {
    const block = (k: number): string => [`section .s${k}`, ...Array.from({ length: 20 }, (_, i) => `  line ${i} of section .s${k}: "quoted" <angled>`)].join('\n');
    const dump = `${Array.from({ length: 60 }, (_, k) => block(k)).join('\n\n')}\n`;
    const changes = Array.from({ length: 800 }, (_, i): GoldenChange => {
      const golden: Golden = {
        caseId: `case-${i}`, referenceLabel: 'v7', referenceSha256: 'c'.repeat(64), dialect: 'symbols', toolchain: 'gcc', deviations: [], referenceOutcome: null, outputSha256: null,
        outcome: { kind: 'convert', dump },
      };
      return { id: golden.caseId, change: 'new', what: [], before: null, diff: '', golden, text: formatGolden(golden) };
    });
    const html = goldenUpdateHtml({ dir: 'golden', corpus: 'cases', references: [], changes, failures: [], command: (id) => `npx klp-harness golden update ${id}` });
    expect(Buffer.byteLength(html)).toBeLessThan(5_000_000);
    expect(Buffer.byteLength(html)).toBeGreaterThan(3_000_000); // the budget is used, not left empty
    const first = pageData(html).items[0]!.panel.find((p) => p.kind === 'sideBySide');
    expect(first?.kind === 'sideBySide' && first.notes.join(' ')).toMatch(/not shown, to keep this report small: \.s\d+/);
  });
});
