// klp-harness run: exit 0 when every case passes, 1 otherwise (2 comes from HarnessError).
import { cpus } from 'node:os';
import { isCi, ProgressBar, renderTerminal } from '../report/terminal.js';
import { parseShard, runHarness } from '../differential/run.js';
import { HarnessError } from '../errors.js';
import { dialectOption, option, parseArgs, positiveInt, type ParsedArgs } from '../args.js';
import { chooseReference, DEFAULT_CASES } from './reference-options.js';
import { writeRunOutputs } from './report-outputs.js';

export const options = {
  reference: { value: true },
  'reference-cmd': { value: true },
  'reference-label': { value: true },
  dialect: { value: true },
  jobs: { value: true },
  shard: { value: true },
  json: { value: true },
  junit: { value: true },
  timeout: { value: true },
  color: {},
  'no-color': {},
  generate: { value: true },
  seed: { value: true },
  'reference-annotation': { value: true },
  'reference-annotation-label': { value: true },
  html: { value: true },
  'minimized-out': { value: true },
};

/** `run --generate N --seed S`: generated scenarios instead of case directories. */
async function runGenerated(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new HarnessError('run --generate takes no case directories');
  const reference = option(a, 'reference');
  const referenceAnnotation = option(a, 'reference-annotation');
  const referenceLabel = option(a, 'reference-label');
  const referenceAnnotationLabel = option(a, 'reference-annotation-label');
  if (option(a, 'reference-cmd') !== undefined) throw new HarnessError('run --generate takes --reference PATH (a wrapper command is not supported there)');
  if (option(a, 'html') !== undefined) throw new HarnessError('run --generate writes no report: --html is for a run over cases');
  const dialect = dialectOption(a);
  const out = option(a, 'minimized-out');
  // Imported when used: the generator and its reports cost a plain run ~0.1 s of start-up.
  const [{ runGenerateCommand }, { seedOption }] = await Promise.all([import('../generate/commands.js'), import('./gen-command.js')]);
  const { exitCode } = await runGenerateCommand({
    seed: seedOption(option(a, 'seed')),
    count: positiveInt(a, 'generate', 1),
    ...(reference ? { reference } : {}),
    ...(referenceAnnotation ? { referenceAnnotation } : {}),
    ...(referenceLabel ? { referenceLabel } : {}),
    ...(referenceAnnotationLabel ? { referenceAnnotationLabel } : {}),
    ...(dialect ? { dialect } : {}),
    ...(out ? { minimizedOut: out } : {}),
    concurrency: positiveInt(a, 'jobs', 4),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  return exitCode;
}

export const usage = `usage: klp-harness run (--reference PATH | --reference-cmd "WRAPPER… PATH") [--reference-label L]
                       [--dialect symbols|annotation|post-link] [--jobs N] [--shard i/n] [--timeout SECONDS]
                       [--json FILE] [--junit FILE] [--html FILE] [--color|--no-color] [CASE_OR_DIR…]
       klp-harness run --generate N --seed S --reference PATH [--reference-label L]
                       [--reference-annotation PATH [--reference-annotation-label L]]
                       [--dialect D] [--jobs N] [--minimized-out DIR]

Runs every case (default: cases/) through our converter and the reference, and classifies each:
match, known (the reference's model reproduces what it did), bothReject, diverge, oursReject,
refReject, refCrash, refTimeout, caseError, skipped. The model is chosen by --reference-label, else
by a path segment v4, v5, v7 or minimal (/opt/ref/v7/klp-convert → v7).

exit status: 0 every case passes, 1 some case failed, 2 the harness could not run, 130 interrupted`;

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'run');
  if (option(a, 'generate') !== undefined) return runGenerated(a);
  const shardText = option(a, 'shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  const dialect = dialectOption(a);
  const jobs = positiveInt(a, 'jobs', Math.max(1, cpus().length));
  const timeoutMs = positiveInt(a, 'timeout', 30) * 1000;
  const ref = chooseReference({
    reference: option(a, 'reference'),
    referenceCmd: option(a, 'reference-cmd'),
    label: option(a, 'reference-label'),
  });
  const ci = isCi();
  // Ctrl-C: stop the references, skip what is left, still write the reports (exit 130).
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  // `on`, not `once`: execa's exit hook re-raises the signal when it finds itself the last listener.
  process.on('SIGINT', onSigint);
  const progress = new ProgressBar(process.stderr, !ci && process.stderr.isTTY === true);
  const report = await runHarness({
    paths: a.positional.length ? a.positional : DEFAULT_CASES,
    reference: ref.command,
    label: ref.label,
    model: ref.model,
    ...(dialect ? { dialect } : {}),
    ...(shard ? { shard } : {}),
    jobs,
    timeoutMs,
    onProgress: (done, total) => progress.update(done, total),
    signal: interrupt.signal,
  });
  process.removeListener('SIGINT', onSigint);
  progress.clear();
  await writeRunOutputs(a, report);
  const colour = a.flags.has('color') || (!a.flags.has('no-color') && process.stdout.isTTY === true && !process.env.NO_COLOR);
  process.stdout.write(renderTerminal(report, { colour, ci }));
  if (report.interrupted) {
    process.stderr.write('klp-harness: interrupted; the report covers the cases that finished\n');
    return 130;
  }
  return report.passed ? 0 : 1;
}
