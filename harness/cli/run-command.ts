// klp-harness run: exit 0 when every case passes, 1 otherwise (2 comes from HarnessError).
import { cpus } from 'node:os';
import { writeFileAtomic, writeJsonReport } from '../report/json.js';
import { junitXml } from '../report/junit.js';
import { isCi, ProgressBar, renderTerminal } from '../report/terminal.js';
import { parseShard, runHarness } from '../run.js';
import { dialectOption, option, parseArgs, positiveInt } from './args.js';
import { chooseReference, DEFAULT_CASES } from './reference-options.js';

const SPEC = {
  reference: { value: true },
  'reference-cmd': { value: true },
  'reference-label': { value: true },
  ledger: { value: true },
  dialect: { value: true },
  jobs: { value: true },
  shard: { value: true },
  json: { value: true },
  junit: { value: true },
  timeout: { value: true },
  color: {},
  'no-color': {},
};

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, SPEC, 'run');
  const shardText = option(a, 'shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  const dialect = dialectOption(a);
  const jobs = positiveInt(a, 'jobs', Math.max(1, cpus().length));
  const timeoutMs = positiveInt(a, 'timeout', 30) * 1000;
  const ref = chooseReference({
    reference: option(a, 'reference'),
    referenceCmd: option(a, 'reference-cmd'),
    label: option(a, 'reference-label'),
    ledgerFile: option(a, 'ledger'),
  });
  const ci = isCi();
  const progress = new ProgressBar(process.stderr, !ci && process.stderr.isTTY === true);
  const report = await runHarness({
    paths: a.positional.length ? a.positional : DEFAULT_CASES,
    reference: ref.command,
    label: ref.label,
    ledger: ref.ledger,
    ...(dialect ? { dialect } : {}),
    ...(shard ? { shard } : {}),
    jobs,
    timeoutMs,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.clear();
  const json = option(a, 'json');
  if (json) writeJsonReport(json, report);
  const junit = option(a, 'junit');
  if (junit) writeFileAtomic(junit, junitXml(report));
  const colour = a.flags.has('color') || (!a.flags.has('no-color') && process.stdout.isTTY === true && !process.env.NO_COLOR);
  process.stdout.write(renderTerminal(report, { colour, ci }));
  return report.passed ? 0 : 1;
}
