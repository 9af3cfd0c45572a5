// klp-harness deviations [--reference-label L] [--json | --markdown]: the reference models' deviations,
// the one list that docs/divergences.md and the `known` verdicts both come from.
import { HarnessError } from '../errors.js';
import { divergencesMarkdown } from '../references/divergences.js';
import { REFERENCE_MODELS } from '../references/index.js';
import { option, parseArgs } from '../args.js';

export const usage = `usage: klp-harness deviations [--reference-label L] [--json | --markdown]

The reference models: each build as our converter plus its deviations. --markdown renders
docs/divergences.md.`;

export const options = { 'reference-label': { value: true }, json: {}, markdown: {} };

export async function run(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, options, 'deviations');
  if (a.positional.length) throw new HarnessError(`deviations: unexpected argument '${a.positional[0]}'`);
  if (a.flags.has('json') && a.flags.has('markdown')) throw new HarnessError('deviations: give --json or --markdown, not both');
  const label = option(a, 'reference-label');
  const models = label === undefined ? REFERENCE_MODELS : REFERENCE_MODELS.filter((m) => m.label === label);
  if (models.length === 0) throw new HarnessError(`deviations: no model for '${label}' (models: ${REFERENCE_MODELS.map((m) => m.label).join(', ')})`);
  if (a.flags.has('markdown')) {
    process.stdout.write(divergencesMarkdown(models));
    return 0;
  }
  if (a.flags.has('json')) {
    const view = models.map((m) => ({
      label: m.label,
      describes: m.describes,
      notModelled: m.notModelled ?? null,
      deviations: m.deviations.map((d) => ({ id: d.id, divergence: d.divergence, does: d.does, cases: d.cases })),
    }));
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const m of models) {
    lines.push(`${m.label}: ${m.describes}`);
    for (const d of m.deviations) lines.push(`  ${d.id.padEnd(40)} #${String(d.divergence).padEnd(3)} ${d.does}`);
    if (m.notModelled) lines.push(`  not modelled, on purpose: ${m.notModelled}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
