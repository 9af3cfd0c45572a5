// `klp-harness load [--arch A] [--kernel K] [CASE…]` and `klp-harness kallsyms --out FILE`.
// Exit status: 0 every case behaved; 1 some case did not; 2 the harness could not run (no
// kernel, QEMU, headers, package, bad case).
import { execa } from 'execa';
import { join } from 'node:path';
import { parseArgs, option, type ParsedArgs } from '../args.js';
import { HarnessError } from '../errors.js';
import { referenceCommand, type ReferenceCommand } from '../differential/reference.js';
import { parseArch } from './arch.js';
import { findKernelCases } from './cases.js';
import { dumpKallsyms, runLoadTest, type LoadReport } from './load.js';
import { KNOWN_KERNELS, resolveKernel } from './targets.js';
import { writeOutput } from '../../src/io/index.js';

const EXIT = { ok: 0, failed: 1, cannotRun: 2 } as const;

export const LOAD_USAGE = `load [--arch x86_64|arm64|ppc64le|s390x] [--kernel ID|SERIES] [--cases DIR] [--kallsyms FILE]
     [--work DIR] [--cache DIR] [--livepatch-dir DIR] [--json FILE]
     [--reference PATH] [--reference-symbols PATH] [--reference-annotation PATH] [CASE…]
load --list-kernels
kallsyms [--arch A] [--kernel K] --out FILE`;

export function formatLoadReport(r: LoadReport): string[] {
  const lines = [
    `kernel ${r.kernel}${r.guestKernel && r.guestKernel !== r.kernel ? ` (guest says ${r.guestKernel})` : ''} [${r.arch}, ${r.kernelId}${r.livepatch ? '' : ', no CONFIG_LIVEPATCH: converted modules load, nothing patches'}]: ${r.kernelDescription}`,
    `packages: ${r.packages.join(', ')}`,
    `symbols.klp: ${r.symbols.source}${r.symbols.note ? `; ${r.symbols.note}: ${r.symbols.supplemented.join(', ')}` : ''}`,
  ];
  for (const c of r.cases) {
    if (c.skipped) {
      lines.push(`SKIP ${c.id}: ${c.skipped}`);
      continue;
    }
    lines.push(`${c.ok ? 'PASS' : 'FAIL'} ${c.id} (expect ${c.expect})${c.notes.length ? `: ${c.notes.join('; ')}` : ''}`);
    for (const b of c.converterBug ?? []) lines.push(`     converter bug: ${b}`);
  }
  for (const c of r.reference) lines.push(`${c.ok ? 'ref ok  ' : 'ref FAIL'} ${c.id} (expect ${c.expect})${c.notes.length ? `: ${c.notes.join('; ')}` : ''}`);
  const t = r.timings;
  const boots = t.boots.map((b) => `${(b.ms / 1000).toFixed(1)} s (${b.cases.length} case${b.cases.length === 1 ? '' : 's'}, ${b.ended})`).join(', ');
  lines.push(`timings: ${t.kallsymsMs !== undefined ? `kallsyms boot ${(t.kallsymsMs / 1000).toFixed(1)} s, ` : ''}${t.prebuilt ? 'prebuilt modules' : 'kbuild'} ${(t.buildMs / 1000).toFixed(1)} s, boots ${boots}`);
  const run = r.cases.filter((c) => !c.skipped);
  const passed = run.filter((c) => c.ok).length;
  const skipped = r.cases.length - run.length;
  lines.push(`${passed} passed, ${run.length - passed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return lines;
}

/**
 * `--reference PATH`: which dialect a reference build speaks, from the usage line it prints when
 * run with no arguments (`<symbols.klp> <input.ko> <output.ko>` or `<input.ko> <output.ko>`).
 */
export async function referenceDialect(ref: ReferenceCommand): Promise<'symbols' | 'annotation'> {
  const r = await execa(ref.argv[0]!, ref.argv.slice(1), { reject: false, all: true, stdin: 'ignore', timeout: 10_000, env: { LC_ALL: 'C' } });
  const text = r.all ?? '';
  if (/symbols?\S*\s+<?input/i.test(text) || /<symbols/i.test(text)) return 'symbols';
  if (/<input\.ko>\s+<output\.ko>/i.test(text)) return 'annotation';
  throw new HarnessError(`--reference ${ref.binary}: cannot tell its dialect from its usage (${JSON.stringify(text.trim().split('\n')[0] ?? '')}); use --reference-symbols or --reference-annotation`);
}

const LOAD_OPTIONS = {
  arch: { value: true }, kernel: { value: true }, cases: { value: true }, kallsyms: { value: true }, work: { value: true },
  cache: { value: true }, 'livepatch-dir': { value: true }, json: { value: true }, reference: { value: true },
  'reference-symbols': { value: true }, 'reference-annotation': { value: true }, 'list-kernels': {},
} as const;

export async function runLoad(argv: readonly string[]): Promise<number> {
  const a: ParsedArgs = parseArgs(argv, LOAD_OPTIONS, 'load');
  if (a.flags.has('list-kernels')) {
    for (const [arch, ks] of Object.entries(KNOWN_KERNELS)) for (const k of ks) process.stdout.write(`${arch.padEnd(8)} ${k.id.padEnd(12)} ${k.series.padEnd(5)} ${k.about}\n`);
    return EXIT.ok;
  }
  const root = option(a, 'cases') ?? join(process.cwd(), 'cases/kernel');
  const cases = findKernelCases(root, a.positional);
  if (cases.length === 0) throw new HarnessError(`no kernel cases under ${root}`);
  const log = (l: string): void => void process.stderr.write(`klp-harness load: ${l}\n`);
  const spec = parseArch(option(a, 'arch') ?? 'x86_64');
  const cache = option(a, 'cache');
  const livepatchDir = option(a, 'livepatch-dir');
  const target = await resolveKernel(spec.arch, option(a, 'kernel'), { ...(cache ? { cache } : {}), ...(livepatchDir ? { livepatchDir } : {}), log });
  const refs: { symbols?: ReferenceCommand; annotation?: ReferenceCommand } = {};
  const refAny = option(a, 'reference');
  if (refAny) {
    const ref = referenceCommand({ reference: refAny });
    refs[await referenceDialect(ref)] = ref;
  }
  const refSymbols = option(a, 'reference-symbols');
  const refAnnotation = option(a, 'reference-annotation');
  if (refSymbols) refs.symbols = referenceCommand({ reference: refSymbols });
  if (refAnnotation) refs.annotation = referenceCommand({ reference: refAnnotation });
  const kallsyms = option(a, 'kallsyms');
  const work = option(a, 'work');
  const report = await runLoadTest({
    cases,
    target,
    references: refs,
    ...(kallsyms ? { kallsyms } : {}),
    ...(work ? { workDir: work } : {}),
    log,
  });
  for (const l of formatLoadReport(report)) process.stdout.write(`${l}\n`);
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify(report, null, 2)}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

export async function runKallsyms(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, { out: { value: true }, arch: { value: true }, kernel: { value: true }, cache: { value: true }, 'livepatch-dir': { value: true } }, 'kallsyms');
  const out = option(a, 'out');
  if (!out) throw new HarnessError('kallsyms: --out FILE is required');
  const spec = parseArch(option(a, 'arch') ?? 'x86_64');
  const cache = option(a, 'cache');
  const livepatchDir = option(a, 'livepatch-dir');
  const log = (l: string): void => void process.stderr.write(`klp-harness kallsyms: ${l}\n`);
  const kernel = await resolveKernel(spec.arch, option(a, 'kernel'), { ...(cache ? { cache } : {}), ...(livepatchDir ? { livepatchDir } : {}), log });
  const d = await dumpKallsyms(kernel);
  writeOutput(out, d.text);
  process.stderr.write(`klp-harness kallsyms: ${kernel.release} (${spec.arch}): ${d.text.split('\n').length - 1} symbols in ${(d.ms / 1000).toFixed(1)} s → ${out}\n`);
  return EXIT.ok;
}
