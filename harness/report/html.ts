// The HTML report of a run or a merge (`--html FILE`): one self-contained file, opened from disk or
// an artifact store. Each case's panel says its class and why, shows the differing sections side
// by side, the first differing offset, both sides' messages and the command that reproduces it.
import { CASE_CLASSES } from '../differential/classify.js';
import { compactKeys } from '../differential/diff.js';
import { renderHtmlPage, type DiffBudget, type HtmlItem, type HtmlPage, type PanelPart } from './html-page.js';
import type { CaseReport, HarnessReport } from '../differential/results.js';
import { reproduceCommand } from './reproduce.js';

const COLUMNS: HtmlPage['columns'] = [
  { key: 'id', title: 'case' },
  { key: 'class', title: 'class', filter: true, order: CASE_CLASSES },
  { key: 'arch', title: 'arch', filter: true },
  { key: 'compiler', title: 'compiler', filter: true },
  { key: 'flagSet', title: 'flag set', filter: true },
  { key: 'dialect', title: 'dialect', filter: true },
  { key: 'deviation', title: 'deviation', filter: true },
  { key: 'note', title: 'note' },
];

const offsetText = (o: number): string => `0x${o.toString(16)} (${o})`;

function whyPart(report: HarnessReport, c: CaseReport): PanelPart {
  const does = new Map(report.model.deviations.map((d) => [d.id, d.does]));
  const rows: Array<[string, string]> = [
    ['class', `${c.class}${c.passed ? ' (passes)' : ' (fails the run)'}`],
    ['why', c.note || '—'],
  ];
  if (c.agreement) rows.push(['agreement', c.agreement === 'bytes' ? 'byte-identical' : 'equal canonical sections']);
  if (c.sameKind !== null) rows.push(['same kind', c.sameKind ? 'yes' : 'no']);
  for (const d of c.deviations) rows.push([`deviation ${d}`, does.get(d) ?? '(not in this report\'s model)']);
  if (c.model) rows.push(['model', c.model]);
  return { kind: 'facts', title: 'Class and why', rows };
}

function outcomePart(c: CaseReport): PanelPart {
  const ours = c.ours.outcome === null ? 'not run' : c.ours.outcome === 'ok' ? 'converts' : `refuses: ${c.ours.errorKind ?? '?'}`;
  const ref = c.reference;
  const theirs =
    ref.outcome === null ? 'not run'
    : ref.outcome === 'ok' ? 'converts'
    : ref.outcome === 'reject' ? `refuses: ${ref.errorKind ?? 'unknown'} (exit ${ref.exitCode ?? '?'})`
    : ref.outcome === 'crash' ? `killed by ${ref.signal ?? '?'}`
    : 'timed out';
  const rows: Array<[string, string]> = [['ours', ours], ['reference', theirs]];
  if (ref.message) rows.push(['reference message', ref.message]);
  if (c.firstDifferingOffset !== null) rows.push(['first differing file offset', offsetText(c.firstDifferingOffset)]);
  if (c.differingSections.length) rows.push(['differing sections', compactKeys(c.differingSections)]);
  const ms = [c.timings.oursMs !== null ? `ours ${c.timings.oursMs} ms` : '', c.timings.referenceMs !== null ? `reference ${c.timings.referenceMs} ms` : ''].filter(Boolean);
  if (ms.length) rows.push(['time', ms.join(', ')]);
  return { kind: 'facts', title: 'Outcomes', rows };
}

function diffPart(c: CaseReport): PanelPart | null {
  const sbs = c.sideBySide ?? null;
  if (sbs && sbs.blocks.length) {
    const notes: string[] = [];
    const shown = new Set(sbs.blocks.map((b) => b.key));
    const rest = c.differingSections.filter((k) => !shown.has(k));
    if (rest.length) notes.push(`${rest.length} more differing section${rest.length === 1 ? '' : 's'} not shown: ${compactKeys(rest)}`);
    return { kind: 'sideBySide', title: `Differing sections: reference vs ${sbs.versus}`, left: 'reference', right: sbs.versus, blocks: sbs.blocks.map((b) => ({ ...b })), notes };
  }
  // A report from before side-by-side data: its unified diff.
  return c.diff ? { kind: 'text', title: 'Differing sections (unified diff, reference → ours)', text: c.diff } : null;
}

function caseItem(report: HarnessReport, c: CaseReport): HtmlItem {
  const panel: PanelPart[] = [whyPart(report, c), outcomePart(c)];
  const diff = diffPart(c);
  if (diff) panel.push(diff);
  if (c.reference.stderr) panel.push({ kind: 'text', title: 'Reference stderr', text: c.reference.stderr });
  if (c.ours.message) panel.push({ kind: 'text', title: 'Our message', text: c.ours.message });
  if (c.class !== 'skipped') panel.push({ kind: 'command', title: 'Reproduce', command: reproduceCommand(report, c) });
  return {
    id: c.id,
    cells: {
      id: c.id,
      class: c.class,
      arch: c.arch ?? '',
      compiler: c.compiler ?? '',
      flagSet: c.flagSet ?? '',
      dialect: c.dialect,
      deviation: c.deviations,
      note: c.note,
    },
    tone: c.class,
    failing: !c.passed,
    panel,
  };
}

export function runReportPage(report: HarnessReport): HtmlPage {
  const ref = report.reference;
  const facts: Array<[string, string]> = [
    ['reference', `${ref.label}: ${ref.path}`],
    ['reference sha256', ref.sha256],
  ];
  if (ref.command.length > 1) facts.push(['reference command', ref.command.join(' ')]);
  facts.push(
    ['model', report.model.describes],
    ['corpus', (report.corpus ?? []).join(' ') || '(not recorded)'],
    ['date', report.startedAt],
    ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ['options', [report.options.dialect ? `--dialect ${report.options.dialect}` : '', report.options.shard ? `--shard ${report.options.shard}` : '', `--jobs ${report.options.jobs}`].filter(Boolean).join(' ')],
    ['klp-harness', report.tool.version],
  );
  const failing = report.cases.filter((c) => !c.passed).length;
  const verdict = report.interrupted
    ? 'interrupted: the report covers the cases that finished'
    : report.passed ? `passed: ${report.cases.length} cases, none failing` : `failed: ${failing} of ${report.cases.length} cases fail the run`;
  return {
    title: `klp-harness ${ref.label}: ${report.passed ? 'passed' : 'failed'}`,
    facts,
    verdict: { passed: report.passed, text: verdict },
    summary: CASE_CLASSES.map((k) => ({ key: k, count: report.summary[k] })),
    summaryColumn: 'class',
    noun: 'case',
    columns: COLUMNS,
    items: report.cases.map((c) => caseItem(report, c)),
    notes: report.staleDeviations.map((s) => `${report.model.label} deviation '${s.id}' was needed by none of its own cases that ran (${s.cases.join(', ')}): stale?`),
  };
}

export function runReportHtml(report: HarnessReport, budget?: DiffBudget): string {
  return renderHtmlPage(runReportPage(report), budget);
}
