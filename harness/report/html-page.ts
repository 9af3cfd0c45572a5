// One self-contained HTML page (inline CSS and script, no network): a header, a summary in the
// classes' colours, a filterable and sortable table, and a panel per row rendered when the row is
// opened. The data travels as JSON in a <script type="application/json"> block, so thousands of
// rows and their diffs cost one parse, and a diff's DOM is only built when someone opens it. The
// run report (html.ts) and the golden pages (html-golden.ts) are pages of this one kind.
import { compactKeys } from '../differential/diff.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './html-assets.js';
import type { DifferingBlock, SideBySideRow } from '../differential/side-by-side.js';

/** Colours of the case classes and of the golden pages' kinds of change, as the summary shows them. */
export const TONES: Readonly<Record<string, string>> = {
  match: '#2e7d32',
  known: '#a07800',
  bothReject: '#00838f',
  diverge: '#c62828',
  oursReject: '#e65100',
  refReject: '#6a1b9a',
  refCrash: '#8e0000',
  refTimeout: '#795548',
  caseError: '#ad1457',
  skipped: '#757575',
  new: '#1565c0',
  changed: '#a07800',
  unchanged: '#2e7d32',
  differs: '#c62828',
  'no-golden': '#e65100',
  'no-case': '#6a1b9a',
  unreadable: '#ad1457',
  pass: '#2e7d32',
  'not-run': '#8e0000',
};

export interface HtmlColumn {
  key: string;
  title: string;
  /** Offered as a filter (a select, kept in the URL hash under `key`). */
  filter?: boolean;
  /** Sort and option order for the column's values (the classes' own order), else alphabetical. */
  order?: readonly string[];
}

export type PanelPart =
  | { kind: 'facts'; title: string; rows: Array<[string, string]> }
  | { kind: 'text'; title: string; text: string }
  | { kind: 'sideBySide'; title: string; left: string; right: string; blocks: DifferingBlock[]; notes: string[] }
  | { kind: 'command'; title: string; command: string };

export interface HtmlItem {
  id: string;
  /** Column values; a list (the deviations) matches a filter value it holds. */
  cells: Record<string, string | string[]>;
  /** A key of TONES: the colour of the row's class. */
  tone: string;
  failing: boolean;
  panel: PanelPart[];
}

export interface HtmlPage {
  title: string;
  /** Header lines: label, value. */
  facts: Array<[string, string]>;
  verdict: { passed: boolean; text: string };
  summary: Array<{ key: string; count: number }>;
  /** The column a click on a summary entry filters by. */
  summaryColumn: string;
  /** What one row is (`case`, `golden`), for "12 of 600 cases". */
  noun: string;
  columns: HtmlColumn[];
  items: HtmlItem[];
  /** Warnings shown under the summary (stale deviations, cases that did not run). */
  notes: string[];
}

export interface DiffBudget {
  /** Characters of the whole page the diffs may fill up to: what the rest leaves of it is theirs. */
  page: number;
  /** Characters of diff rows kept however large the rest of the page (a corpus of many thousands). */
  minimum: number;
  /** Characters of diff rows in one row's panel, however few rows have diffs. */
  perItem: number;
}

/** Characters kept for the notes a cut diff gets. */
const NOTE_ROOM = 400;

/** Keeps the page under about 5 MB however many rows diverge, up to some 4,000 rows. */
export const DIFF_BUDGET: DiffBudget = { page: 4_400_000, minimum: 500_000, perItem: 250_000 };

const rowSizes = new WeakMap<SideBySideRow, number>();

/** How many `<` a text holds: each grows to `\u003c` in the page's data. */
function angles(s: string | null): number {
  let n = 0;
  for (let at = s?.indexOf('<') ?? -1; at >= 0; at = s!.indexOf('<', at + 1)) n++;
  return n;
}

/** A row's characters in the page's data, its comma included (as scriptJson writes it, faster). */
function rowSize(r: SideBySideRow): number {
  let n = rowSizes.get(r);
  if (n === undefined) {
    n = JSON.stringify(r).length + 1 + 5 * ('same' in r ? angles(r.same) : 'left' in r ? angles(r.left) + angles(r.right) : 0);
    rowSizes.set(r, n);
  }
  return n;
}
/** A block's own characters besides its rows (a golden's new dump has many small blocks). */
const blockOverhead = (b: DifferingBlock): number => scriptJson({ key: b.key, rows: [], omitted: b.omitted }).length + 1;
const blockSize = (b: DifferingBlock): number => b.rows.reduce((n, r) => n + rowSize(r), blockOverhead(b));
const changedRows = (rows: readonly SideBySideRow[]): number => rows.filter((r) => 'left' in r).length;
const blocksOf = (item: HtmlItem): DifferingBlock[] => item.panel.flatMap((p) => (p.kind === 'sideBySide' ? p.blocks : []));
const diffSize = (item: HtmlItem): number => blocksOf(item).reduce((n, b) => n + blockSize(b), 0);

/** The largest per-row allowance under which all rows together fit the total (water-filling). */
function allowance(sizes: readonly number[], total: number, budget: DiffBudget): number {
  const sorted = [...sizes].sort((a, b) => a - b);
  let left = total;
  for (let i = 0; i < sorted.length; i++) {
    const share = left / (sorted.length - i);
    if (sorted[i]! > share) return Math.min(Math.floor(share), budget.perItem);
    left -= sorted[i]!;
  }
  return budget.perItem;
}

type SideBySidePart = Extract<PanelPart, { kind: 'sideBySide' }>;

/** Cuts one part's rows to `cap` characters; the blocks past the cut are dropped and named. */
function cutPart(part: SideBySidePart, cap: number): { used: number; lost: number } {
  let used = 0;
  let lost = 0;
  let full = false;
  const kept: DifferingBlock[] = [];
  const dropped: string[] = [];
  for (const b of part.blocks) {
    let n = 0;
    let size = blockOverhead(b);
    while (!full && n < b.rows.length && used + size + rowSize(b.rows[n]!) <= cap) size += rowSize(b.rows[n++]!);
    if (n > 0) used += size;
    const cut = changedRows(b.rows.slice(n));
    lost += cut;
    if (n < b.rows.length) full = true;
    if (n === 0) dropped.push(b.key);
    else kept.push(n === b.rows.length ? b : { ...b, rows: b.rows.slice(0, n), omitted: b.omitted + cut });
  }
  part.blocks = kept;
  if (dropped.length) part.notes.push(`not shown, to keep this report small: ${compactKeys(dropped)}`);
  return { used, lost };
}

/**
 * Fits the diffs into the budget: rows whose diffs are small keep them whole, the largest are cut
 * to an equal share, each with a note saying so. Mutates the items' side-by-side parts.
 */
export function fitDiffs(items: readonly HtmlItem[], total: number, budget: DiffBudget = DIFF_BUDGET): void {
  const sizes = items.map(diffSize);
  const cap = allowance(sizes, total, budget);
  items.forEach((item, k) => {
    if (sizes[k]! <= cap) return;
    let left = cap;
    for (const part of item.panel) {
      if (part.kind !== 'sideBySide') continue;
      const { used, lost } = cutPart(part, left);
      left -= used;
      if (lost > 0) part.notes.push(`diff truncated to keep this report small: ${lost} changed line${lost === 1 ? '' : 's'} not shown; the reproduce command shows all of it`);
    }
  });
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that cannot end its <script> block or open a comment there: every `<` escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function toneStyle(): string {
  return Object.entries(TONES)
    .map(([k, colour]) => `.t-${k}{--tone:${colour}}`)
    .join('\n');
}

function header(page: HtmlPage): string {
  const facts = page.facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const chips = page.summary
    .map((s) => `<button type="button" class="chip t-${escapeHtml(s.key)}${s.count === 0 ? ' zero' : ''}" data-value="${escapeHtml(s.key)}"><b>${s.count}</b> ${escapeHtml(s.key)}</button>`)
    .join('');
  const notes = page.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  return [
    `<header><h1>${escapeHtml(page.title)}</h1>`,
    `<p class="verdict ${page.verdict.passed ? 'pass' : 'fail'}">${escapeHtml(page.verdict.text)}</p>`,
    `<table class="facts">${facts}</table></header>`,
    `<section class="summary" aria-label="summary">${chips}</section>`,
    notes ? `<ul class="notes">${notes}</ul>` : '',
  ].join('\n');
}

/** The whole page: server-rendered header and summary; the table and panels drawn by the script. */
export function renderHtmlPage(page: HtmlPage, budget: DiffBudget = DIFF_BUDGET): string {
  // What is not diff rows (the table data, the facts, the messages) is measured, and the diffs
  // get the rest of the page.
  const withoutDiffs = (item: HtmlItem): HtmlItem => ({ ...item, panel: item.panel.map((p) => (p.kind === 'sideBySide' ? { ...p, blocks: [] } : p)) });
  const diffParts = page.items.filter((item) => item.panel.some((p) => p.kind === 'sideBySide')).length;
  const rest = PAGE_SCRIPT.length + PAGE_STYLE.length + scriptJson({ ...page, items: page.items.map(withoutDiffs) }).length + NOTE_ROOM * diffParts;
  fitDiffs(page.items, Math.max(budget.minimum, budget.page - rest), budget);
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon request, and nothing may be fetched: the page must open from an artifact store.
    '<link rel="icon" href="data:,">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>\n${PAGE_STYLE}\n${toneStyle()}\n</style>`,
    '</head><body>',
    header(page),
    '<noscript><p>The case table needs JavaScript; the data is in the JSON block of this file.</p></noscript>',
    '<section id="filters" aria-label="filters"></section>',
    '<table id="items"><thead></thead><tbody></tbody></table>',
    `<script type="application/json" id="page-data">${scriptJson(page)}</script>`,
    `<script>\n${PAGE_SCRIPT}\n</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
