// `klp-harness load [CASE…]` and `klp-harness kallsyms --out FILE`. Exit status: 0 every case
// behaved; 1 some case did not; 2 the harness could not run (no kernel, QEMU, headers, bad case).
import { join } from 'node:path';
import { parseArgs, option, type ParsedArgs } from '../cli/args.js';
import { HarnessError } from '../errors.js';
import { referenceCommand } from '../reference.js';
import { findKernelCases } from './cases.js';
import { dumpKallsyms, requireKernel, runLoadTest, type LoadReport } from './load.js';
import { writeOutput } from '../../src/cli/files.js';

const EXIT = { ok: 0, failed: 1, cannotRun: 2 } as const;

export const LOAD_USAGE = `load [--cases DIR] [--kallsyms FILE] [--work DIR] [--json FILE]
     [--reference-symbols PATH] [--reference-annotation PATH] [CASE…]   (default: cases/kernel)
kallsyms --out FILE`;

export function formatLoadReport(r: LoadReport): string[] {
  const lines = [`kernel ${r.kernel}${r.guestKernel && r.guestKernel !== r.kernel ? ` (guest says ${r.guestKernel})` : ''}`];
  for (const c of r.cases) {
    lines.push(`${c.ok ? 'PASS' : 'FAIL'} ${c.id} (expect ${c.expect})${c.notes.length ? `: ${c.notes.join('; ')}` : ''}`);
    for (const b of c.converterBug ?? []) lines.push(`     converter bug: ${b}`);
  }
  for (const c of r.reference) lines.push(`${c.ok ? 'ref ok  ' : 'ref FAIL'} ${c.id} (expect ${c.expect})${c.notes.length ? `: ${c.notes.join('; ')}` : ''}`);
  const t = r.timings;
  const boots = t.boots.map((b) => `${(b.ms / 1000).toFixed(1)} s (${b.cases.length} case${b.cases.length === 1 ? '' : 's'}, ${b.ended})`).join(', ');
  lines.push(`timings: ${t.kallsymsMs !== undefined ? `kallsyms boot ${(t.kallsymsMs / 1000).toFixed(1)} s, ` : ''}kbuild ${(t.buildMs / 1000).toFixed(1)} s, boots ${boots}`);
  const passed = r.cases.filter((c) => c.ok).length;
  lines.push(`${passed} passed, ${r.cases.length - passed} failed`);
  return lines;
}

export async function runLoad(argv: readonly string[]): Promise<number> {
  const a: ParsedArgs = parseArgs(argv, { cases: { value: true }, kallsyms: { value: true }, work: { value: true }, json: { value: true }, 'reference-symbols': { value: true }, 'reference-annotation': { value: true } }, 'load');
  const root = option(a, 'cases') ?? join(process.cwd(), 'cases/kernel');
  const cases = findKernelCases(root, a.positional);
  if (cases.length === 0) throw new HarnessError(`no kernel cases under ${root}`);
  const kallsyms = option(a, 'kallsyms');
  const work = option(a, 'work');
  const refSymbols = option(a, 'reference-symbols');
  const refAnnotation = option(a, 'reference-annotation');
  const report = await runLoadTest({
    cases,
    references: {
      ...(refSymbols ? { symbols: referenceCommand({ reference: refSymbols }) } : {}),
      ...(refAnnotation ? { annotation: referenceCommand({ reference: refAnnotation }) } : {}),
    },
    ...(kallsyms ? { kallsyms } : {}),
    ...(work ? { workDir: work } : {}),
    log: (l) => void process.stderr.write(`klp-harness load: ${l}\n`),
  });
  for (const l of formatLoadReport(report)) process.stdout.write(`${l}\n`);
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

export async function runKallsyms(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, { out: { value: true } }, 'kallsyms');
  const out = option(a, 'out');
  if (!out) throw new HarnessError('kallsyms: --out FILE is required');
  const kernel = requireKernel();
  const d = await dumpKallsyms(kernel);
  writeOutput(out, d.text);
  process.stderr.write(`klp-harness kallsyms: ${kernel.version}: ${d.text.split('\n').length - 1} symbols in ${(d.ms / 1000).toFixed(1)} s → ${out}\n`);
  return EXIT.ok;
}
