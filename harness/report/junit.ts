// JUnit XML, one <testcase> per case, for CI systems that render test results.
import { classPasses } from '../differential/classify.js';
import type { CaseReport, HarnessReport } from '../differential/results.js';
import { reproduceCommand } from './reproduce.js';

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A failure's text: what GitLab's MR widget shows, so the class and the command come first. */
function failureText(report: HarnessReport, c: CaseReport): string {
  return [
    `class: ${c.class}`,
    c.note,
    c.firstDifferingOffset !== null ? `first differing offset: 0x${c.firstDifferingOffset.toString(16)}` : '',
    `reproduce: ${reproduceCommand(report, c)}`,
    c.diff ?? '',
  ].filter(Boolean).join('\n');
}

function testcase(report: HarnessReport, c: CaseReport): string {
  const seconds = (((c.timings.oursMs ?? 0) + (c.timings.referenceMs ?? 0)) / 1000).toFixed(3);
  const open = `  <testcase classname="klp-harness.${xmlEscape(c.dialect)}" name="${xmlEscape(c.id)}" time="${seconds}">`;
  if (c.class === 'skipped') return `${open}\n    <skipped message="${xmlEscape(c.note)}"/>\n  </testcase>`;
  if (!classPasses(c)) {
    return `${open}\n    <failure message="${xmlEscape(`${c.class}: ${c.note}`)}" type="${xmlEscape(c.class)}">${xmlEscape(failureText(report, c))}</failure>\n  </testcase>`;
  }
  return `${open}\n    <system-out>${xmlEscape(`${c.class}${c.agreement ? ` (${c.agreement})` : ''}${c.class === 'known' && c.deviations.length ? ` [${c.deviations.join(', ')}]` : ''}${c.note ? `: ${c.note}` : ''}`)}</system-out>\n  </testcase>`;
}

export function junitXml(report: HarnessReport): string {
  const failures = report.cases.filter((c) => c.class !== 'skipped' && !classPasses(c)).length;
  const skipped = report.cases.filter((c) => c.class === 'skipped').length;
  const seconds = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="klp-harness" tests="${report.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}">`,
    `<testsuite name="klp-harness ${xmlEscape(report.reference.label)}" tests="${report.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}" timestamp="${xmlEscape(report.startedAt)}">`,
    ...report.cases.map((c) => testcase(report, c)),
    '</testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
