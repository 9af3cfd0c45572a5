// klp-harness golden check [CASE…] | golden update (--reference PATH | --reference-symbols PATH
// --reference-annotation PATH) [CASE…]; the usage below has every option.
import { cpus } from 'node:os';
import type { Case } from '../case.js';
import { colourDiff } from '../differential/diff.js';
import { HarnessError } from '../errors.js';
import { checkGoldens, goldenReference, planGoldenUpdate, selectGoldenCases, writeGoldens, type GoldenReference } from '../golden/golden.js';
import { githubGoldenOutputs } from '../report/github.js';
import { goldenCheckHtml, goldenUpdateHtml } from '../report/html-golden.js';
import { referenceOptions, shellCommand } from '../report/reproduce.js';
import { isCi } from '../report/terminal.js';
import { writeOutput } from '../../src/io/index.js';
import { option, parseArgs, positiveInt, type ParsedArgs } from '../args.js';
import { chooseReference, DEFAULT_CASES } from './reference-options.js';

const DEFAULT_GOLDEN_DIR = 'golden';

/** `--golden-dir`/`--cases` as given, for the commands the reports print (defaults left out). */
function placeOptions(a: ParsedArgs): string[] {
  return ['golden-dir', 'cases'].flatMap((k) => (option(a, k) !== undefined ? [`--${k}`, option(a, k)!] : []));
}

const CHECK_OPTIONS = { 'golden-dir': { value: true }, cases: { value: true }, html: { value: true } };

const UPDATE_OPTIONS = {
  reference: { value: true },
  'reference-cmd': { value: true },
  'reference-label': { value: true },
  'reference-symbols': { value: true },
  'reference-annotation': { value: true },
  'reference-symbols-label': { value: true },
  'reference-annotation-label': { value: true },
  html: { value: true },
  'golden-dir': { value: true },
  cases: { value: true },
  jobs: { value: true },
  timeout: { value: true },
};

/** Every option of `golden check` and `golden update`. */
export const options = { ...CHECK_OPTIONS, ...UPDATE_OPTIONS };

async function check(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, CHECK_OPTIONS, 'golden check');
  const dir = option(a, 'golden-dir') ?? DEFAULT_GOLDEN_DIR;
  const corpus = option(a, 'cases') ?? DEFAULT_CASES[0]!;
  const { cases, whole } = selectGoldenCases(corpus, a.positional, DEFAULT_CASES[0]!);
  const result = checkGoldens(cases, dir, whole);
  const command = (id: string): string => shellCommand(['npx', 'klp-harness', 'golden', 'check', ...placeOptions(a), id]);
  const html = option(a, 'html');
  if (html) writeOutput(html, goldenCheckHtml({ dir, corpus, result, command }));
  process.stdout.write(githubGoldenOutputs(result, command));
  const ci = isCi();
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const lines: string[] = [];
  for (const p of result.problems) {
    lines.push(`${p.problem.padEnd(10)} ${p.id}: ${p.detail.split('\n', 1)[0]}`);
    if (!ci && p.problem === 'differs' && p.detail.includes('\n')) lines.push(colourDiff(p.detail.slice(p.detail.indexOf('\n') + 1).trimEnd(), colour));
  }
  const noGolden = result.problems.filter((p) => p.problem === 'no-golden').length;
  const noCase = result.problems.filter((p) => p.problem === 'no-case').length;
  const differs = result.problems.length - noGolden - noCase;
  lines.push(`golden check: ${result.passed} pass, ${differs} differ, ${noGolden} without golden, ${noCase} golden without case`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return result.problems.length === 0 ? 0 : 1;
}

async function update(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, UPDATE_OPTIONS, 'golden update');
  const dir = option(a, 'golden-dir') ?? DEFAULT_GOLDEN_DIR;
  const single = option(a, 'reference') ?? option(a, 'reference-cmd');
  const perDialect = { symbols: option(a, 'reference-symbols'), annotation: option(a, 'reference-annotation') };
  if (!single && !perDialect.symbols && !perDialect.annotation) throw new HarnessError('golden update needs --reference PATH, or --reference-symbols PATH and/or --reference-annotation PATH');
  if (single && (perDialect.symbols || perDialect.annotation)) throw new HarnessError('give either --reference or --reference-symbols/--reference-annotation, not both');
  if (!single && option(a, 'reference-label') !== undefined) throw new HarnessError('with two references, give --reference-symbols-label and --reference-annotation-label');
  const make = (path: string, label: string | undefined): GoldenReference => {
    const r = chooseReference({ reference: path, label });
    return goldenReference(r.command, r.label, r.model);
  };
  let referenceFor: (c: Case) => GoldenReference;
  /** The reference options that regenerate one case's golden, for the review page. */
  let referenceArgs: (c: Case) => string[];
  if (single) {
    const r = chooseReference({ reference: option(a, 'reference'), referenceCmd: option(a, 'reference-cmd'), label: option(a, 'reference-label') });
    const g = goldenReference(r.command, r.label, r.model);
    referenceFor = () => g;
    referenceArgs = () => referenceOptions(r.command.argv, r.label);
  } else {
    const bySymbols = perDialect.symbols ? make(perDialect.symbols, option(a, 'reference-symbols-label')) : undefined;
    const byAnnotation = perDialect.annotation ? make(perDialect.annotation, option(a, 'reference-annotation-label')) : undefined;
    referenceFor = (c) => {
      const r = c.dialect === 'symbols' ? bySymbols : byAnnotation;
      if (!r) throw new HarnessError(`${c.id} is a ${c.dialect} case but no --reference-${c.dialect} was given`);
      return r;
    };
    referenceArgs = (c) => {
      const r = referenceFor(c);
      return referenceOptions(r.command.argv, r.label);
    };
  }
  const { cases } = selectGoldenCases(option(a, 'cases') ?? DEFAULT_CASES[0]!, a.positional, DEFAULT_CASES[0]!);
  for (const c of cases) referenceFor(c); // refuse up front, before any reference runs
  const plan = await planGoldenUpdate(cases, dir, referenceFor, positiveInt(a, 'jobs', Math.max(1, cpus().length)), positiveInt(a, 'timeout', 30) * 1000);
  const html = option(a, 'html');
  if (html) {
    const byId = new Map(cases.map((c) => [c.id, c]));
    const references = [...new Set(cases.map(referenceFor))];
    const command = (id: string): string => shellCommand(['npx', 'klp-harness', 'golden', 'update', ...referenceArgs(byId.get(id)!), ...placeOptions(a), id]);
    writeOutput(html, goldenUpdateHtml({ dir, corpus: option(a, 'cases') ?? DEFAULT_CASES[0]!, references, changes: plan.changes, failures: plan.failures, command }));
  }
  const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
  const lines: string[] = [];
  for (const c of plan.changes) {
    if (c.change === 'new') lines.push(`new        ${c.id}: ${c.golden.outcome.kind === 'convert' ? 'convert' : `reject ${c.golden.outcome.errorKind}`}${c.golden.deviations.length ? ` (${c.golden.deviations.join(', ')})` : ''}`);
    if (c.change === 'changed') lines.push(`changed    ${c.id}: ${c.what.join(', ') || 'provenance'}`, colourDiff(c.diff.trimEnd(), colour));
  }
  const count = (k: string): number => plan.changes.filter((c) => c.change === k).length;
  if (plan.failures.length) {
    for (const f of plan.failures) lines.push(`not run    ${f}`);
    lines.push(`golden update: ${plan.failures.length} case(s) gave no golden; nothing written`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 1;
  }
  writeGoldens(dir, plan.changes);
  lines.push(`golden update: ${count('new')} new, ${count('changed')} changed, ${count('unchanged')} unchanged in ${dir}/`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const usage = `usage: klp-harness golden check [--golden-dir DIR] [--cases DIR] [--html FILE] [CASE…]
       klp-harness golden update ((--reference PATH | --reference-cmd "WRAPPER… PATH") [--reference-label L]
                                 | [--reference-symbols PATH [--reference-symbols-label L]]
                                   [--reference-annotation PATH [--reference-annotation-label L]])
                                 [--golden-dir DIR] [--cases DIR] [--jobs N] [--timeout S] [--html FILE] [CASE…]

check: our converter against the stored goldens (no reference needed; what CI runs). It fails on
a difference, a case without golden and, when it checks the whole corpus, a golden without case.
update: goldens regenerated from the references, all written or none.
CASE is a case id (looked up in --cases, default cases/) or a directory of cases. A check of some
cases judges their goldens only, however they are named: CASE arguments, or --cases naming a
directory inside cases/ (golden check --cases cases/compiled = golden check cases/compiled).
Default golden directory: golden/.`;

export async function run(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'check') return check(rest);
  if (sub === 'update') return update(rest);
  throw new HarnessError(`golden takes 'check' or 'update', not '${sub ?? ''}'`);
}
