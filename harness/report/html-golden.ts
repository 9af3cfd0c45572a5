// The golden pages (`golden update --html`, `golden check --html`): a review page of every new or
// changed golden, old beside new with the provenance change, and a page of the failing goldens,
// golden beside ours. Same page kind as the run report (html-page.ts).
import { describeOutcome, type GoldenChange, type GoldenCheckResult, type GoldenProblem, type GoldenReference } from '../golden/golden.js';
import { differingBlockKeys, DUMP_MARK, goldenBlocks, parseGolden, type Golden } from '../golden/golden-format.js';
import { toolVersion } from '../provenance.js';
import { renderHtmlPage, type DiffBudget, type HtmlItem, type HtmlPage, type PanelPart } from './html-page.js';
import { differingBlock, type DifferingBlock } from '../differential/side-by-side.js';

/** The line that ends a golden's provenance header and starts its dump. */
const DUMP_LINE = `\n${DUMP_MARK}\n`;
const PROVENANCE = 'provenance';

/** A golden file's text as blocks: its provenance header, then each dump block by key. */
function goldenTextBlocks(text: string): Map<string, string> {
  const at = text.indexOf(DUMP_LINE);
  const head = at < 0 ? text : text.slice(0, at + 1);
  const blocks = new Map([[PROVENANCE, head.trimEnd()]]);
  if (at >= 0) for (const [k, v] of goldenBlocks(text.slice(at + DUMP_LINE.length))) blocks.set(k, v);
  return blocks;
}

/** A canonical dump starts with its header block; anything else is compared as one block. */
const textBlocks = (text: string, key: string): Map<string, string> => (text.startsWith('header\n') ? goldenBlocks(text) : new Map([[key, text.trimEnd()]]));

/** The blocks that differ between two block maps, left first in left's order, then right's own. */
function changedBlocks(left: Map<string, string>, right: Map<string, string>): DifferingBlock[] {
  return differingBlockKeys(left, right).map((k) => differingBlock(k, left.get(k) ?? '', right.get(k) ?? ''));
}

function tryParse(text: string | null, id: string): Golden | null {
  if (text === null) return null;
  try {
    return parseGolden(text, `${id} (before)`);
  } catch {
    return null;
  }
}

const outcomeText = (g: Golden): string => describeOutcome(g.outcome);

/** Provenance and outcome, old → new where they changed. */
function provenanceRows(before: Golden | null, after: Golden): Array<[string, string]> {
  const fields: Array<[string, (g: Golden) => string]> = [
    ['reference', (g) => g.referenceLabel],
    ['reference sha256', (g) => g.referenceSha256],
    ['dialect', (g) => g.dialect],
    ['toolchain', (g) => g.toolchain],
    ['deviations', (g) => g.deviations.join(' ') || '—'],
    ['reference outcome', (g) => g.referenceOutcome ?? '—'],
    ['output sha256', (g) => g.outputSha256 ?? '—'],
    ['outcome', outcomeText],
  ];
  return fields.map(([name, get]) => {
    const now = get(after);
    if (!before) return [name, now];
    const was = get(before);
    return [name, was === now ? now : `${was} → ${now}`];
  });
}

export interface GoldenUpdatePageInput {
  dir: string;
  corpus: string;
  references: readonly GoldenReference[];
  changes: readonly GoldenChange[];
  failures: readonly string[];
  /** The command that regenerates one case's golden. */
  command: (id: string) => string;
}

function changeItem(c: GoldenChange, command: string): HtmlItem {
  const before = tryParse(c.before, c.id);
  const blocks = changedBlocks(c.before === null ? new Map() : goldenTextBlocks(c.before), goldenTextBlocks(c.text));
  const panel: PanelPart[] = [
    { kind: 'facts', title: c.change === 'new' ? 'Provenance (new golden)' : 'Provenance (old → new)', rows: provenanceRows(before, c.golden) },
    { kind: 'sideBySide', title: c.change === 'new' ? 'New golden' : 'Old golden vs new golden', left: c.change === 'new' ? '(no golden yet)' : 'golden before', right: 'golden after', blocks, notes: [] },
    { kind: 'command', title: 'Regenerate', command },
  ];
  return {
    id: c.id,
    cells: {
      id: c.id,
      change: c.change,
      dialect: c.golden.dialect,
      reference: c.golden.referenceLabel,
      deviation: c.golden.deviations,
      what: c.change === 'new' ? outcomeText(c.golden) : c.what.join(', ') || 'provenance',
    },
    tone: c.change,
    failing: false,
    panel,
  };
}

export function goldenUpdatePage(input: GoldenUpdatePageInput): HtmlPage {
  const count = (k: GoldenChange['change']): number => input.changes.filter((c) => c.change === k).length;
  const failed = input.failures.length > 0;
  return {
    title: `klp-harness golden update: ${failed ? 'nothing written' : `${count('new')} new, ${count('changed')} changed`}`,
    facts: [
      ...input.references.map((r): [string, string] => [`reference ${r.label}`, `${r.command.binary} sha256:${r.sha256}`]),
      ['goldens', `${input.dir}/`],
      ['corpus', input.corpus],
      ['date', new Date().toISOString()],
      ['klp-harness', toolVersion()],
    ],
    verdict: failed
      ? { passed: false, text: `nothing written: ${input.failures.length} case(s) gave no golden` }
      : { passed: true, text: `${count('new')} new and ${count('changed')} changed goldens written, ${count('unchanged')} unchanged: review them before committing` },
    summary: (['new', 'changed', 'unchanged'] as const).map((k) => ({ key: k, count: count(k) })),
    summaryColumn: 'change',
    noun: 'golden',
    columns: [
      { key: 'id', title: 'case' },
      { key: 'change', title: 'change', filter: true, order: ['new', 'changed'] },
      { key: 'dialect', title: 'dialect', filter: true },
      { key: 'reference', title: 'reference', filter: true },
      { key: 'deviation', title: 'deviation', filter: true },
      { key: 'what', title: 'what changed' },
    ],
    items: input.changes.filter((c) => c.change !== 'unchanged').map((c) => changeItem(c, input.command(c.id))),
    notes: input.failures.map((f) => `not run: ${f}`),
  };
}

export const goldenUpdateHtml = (input: GoldenUpdatePageInput, budget?: DiffBudget): string => renderHtmlPage(goldenUpdatePage(input), budget);

export interface GoldenCheckPageInput {
  dir: string;
  corpus: string;
  result: GoldenCheckResult;
  /** The command that checks one case's golden again. */
  command: (id: string) => string;
}

const PROBLEMS = ['differs', 'no-golden', 'no-case', 'unreadable'] as const;

function problemItem(p: GoldenProblem, command: string): HtmlItem {
  const [first = '', ...rest] = p.detail.split('\n');
  const panel: PanelPart[] = [{ kind: 'facts', title: 'Problem', rows: [['problem', p.problem], ['detail', first]] }];
  if (p.sides) {
    const blocks = changedBlocks(textBlocks(p.sides.golden, 'outcome'), textBlocks(p.sides.ours, 'outcome'));
    panel.push({ kind: 'sideBySide', title: 'Golden vs ours', left: 'golden', right: 'ours', blocks, notes: [] });
  } else if (rest.length) {
    panel.push({ kind: 'text', title: 'Detail', text: rest.join('\n') });
  }
  if (p.problem !== 'no-case') panel.push({ kind: 'command', title: 'Reproduce', command });
  return { id: p.id, cells: { id: p.id, problem: p.problem, note: first }, tone: p.problem, failing: true, panel };
}

export function goldenCheckPage(input: GoldenCheckPageInput): HtmlPage {
  const { result } = input;
  const count = (k: GoldenProblem['problem']): number => result.problems.filter((p) => p.problem === k).length;
  const passed = result.problems.length === 0;
  return {
    title: `klp-harness golden check: ${passed ? 'passed' : 'failed'}`,
    facts: [
      ['goldens', `${input.dir}/`],
      ['corpus', input.corpus],
      ['date', new Date().toISOString()],
      ['klp-harness', toolVersion()],
    ],
    verdict: passed ? { passed, text: `passed: ${result.passed} goldens agree` } : { passed, text: `failed: ${result.problems.length} problem(s), ${result.passed} of ${result.checked} cases agree` },
    summary: [{ key: 'pass', count: result.passed }, ...PROBLEMS.map((k) => ({ key: k, count: count(k) }))],
    summaryColumn: 'problem',
    noun: 'problem',
    columns: [
      { key: 'id', title: 'case' },
      { key: 'problem', title: 'problem', filter: true, order: PROBLEMS },
      { key: 'note', title: 'detail' },
    ],
    items: result.problems.map((p) => problemItem(p, input.command(p.id))),
    notes: [],
  };
}

export const goldenCheckHtml = (input: GoldenCheckPageInput, budget?: DiffBudget): string => renderHtmlPage(goldenCheckPage(input), budget);
