// The files and CI output a finished run's report goes to, as `run` and `merge` both write them:
// --json, --junit, --html, and under GitHub Actions the step summary and annotations. The report
// writers are imported only when asked for (they cost a plain run start-up time).
import { writeOutput } from '../../src/io/index.js';
import { writeJsonReport, type HarnessReport } from '../differential/results.js';
import { option, type ParsedArgs } from '../args.js';

export async function writeRunOutputs(a: ParsedArgs, report: HarnessReport, title?: string): Promise<void> {
  const json = option(a, 'json');
  if (json) writeJsonReport(json, report);
  const junit = option(a, 'junit');
  if (junit) writeOutput(junit, (await import('../report/junit.js')).junitXml(report));
  const html = option(a, 'html');
  if (html) writeOutput(html, (await import('../report/html.js')).runReportHtml(report));
  // Annotations before the terminal's case lines: the summary line stays the last line.
  process.stdout.write((await import('../report/github.js')).githubRunOutputs(report, title));
}
