// `klp-harness load [--arch A] [--kernel K] [CASE…]` and `klp-harness kallsyms --out FILE`.
// Exit status: 0 every case behaved; 1 some case did not; 2 the harness could not run (no
// kernel, QEMU, headers, package, bad case). A reference takes its label here as in every command
// that takes one (--reference-label, --reference-symbols-label, --reference-annotation-label); no
// model applies to a boot, so the label only names the reference in the report.
import { execa } from 'execa';
import { join } from 'node:path';
import { parseArgs, option, type ParsedArgs } from '../args.js';
import { HarnessError } from '../errors.js';
import { referenceCommand, type ReferenceCommand } from '../differential/reference.js';
import { guessReferenceLabel } from '../references/index.js';
import { parseArch } from './arch.js';
import { findKernelCases } from './cases.js';
import { dumpKallsyms, runLoadTest, type LoadReport } from './load.js';
import { KNOWN_KERNELS, resolveKernel } from './targets.js';
import { findKlpBuildCases, formatKlpBuildReport, runKlpBuildLoad } from './klp-build.js';
import { repoRoot } from './committed.js';
import { kernelCacheDir } from './debian.js';
import { writeOutput } from '../../src/io/index.js';

const EXIT = { ok: 0, failed: 1, cannotRun: 2 } as const;

export const LOAD_USAGE = `usage: klp-harness load [--arch x86_64|arm64|ppc64le|s390x] [--kernel ID|SERIES] [--cases DIR] [--kallsyms FILE]
                        [--work DIR] [--cache DIR] [--livepatch-dir DIR] [--json FILE]
                        [--reference PATH [--reference-label L]]
                        [--reference-symbols PATH [--reference-symbols-label L]]
                        [--reference-annotation PATH [--reference-annotation-label L]] [CASE…]
       klp-harness load --kernel 7 [--cases DIR] [--reference OBJTOOL [--reference-label L]] [--json FILE] [CASE…]
       klp-harness load --list-kernels

Boots a kernel under QEMU and loads each converted kernel case (default: cases/kernel/), checks
what it patched, disables and unloads it. --reference puts a C reference's output through the
same boots (its dialect told from its usage line; --reference-symbols/--reference-annotation
name it); its label names it in the report.

--kernel 7 (or klp-build) boots the committed Linux 7.x kernel (kernels/x86_64-7) and runs the
klp-build corpus (default: cases/klp-build/): each module post-linked by ours and by objtool
(objtool.ko of the case, or --reference's output), every module objname in both load orders, and
the negative controls; a patch that fails for both is reported upstream (klp diff or the patch).

exit status: 0 every case behaved, 1 some case did not, 2 the harness could not run`;

export const KALLSYMS_USAGE = `usage: klp-harness kallsyms [--arch x86_64|arm64|ppc64le|s390x] [--kernel ID|SERIES] [--cache DIR]
                            [--livepatch-dir DIR] --out FILE

Boots a kernel under QEMU and writes its /proc/kallsyms to FILE (for klp-convert symbols --kallsyms).`;

/** Which reference builds go through the boots, by dialect, and what each is called. */
export interface LoadReferences {
  commands: { symbols?: ReferenceCommand; annotation?: ReferenceCommand };
  labels: { symbols?: string; annotation?: string };
}

export function formatLoadReport(r: LoadReport, refs?: LoadReferences): string[] {
  const named = refs ? (['symbols', 'annotation'] as const).filter((d) => refs.commands[d]) : [];
  const lines = [
    ...(named.length
      ? [`references: ${named.map((d) => `${d} ${refs!.labels[d] ?? '(no label)'} (${refs!.commands[d]!.argv.join(' ')})`).join(', ')}`]
      : []),
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

export const LOAD_OPTIONS = {
  arch: { value: true }, kernel: { value: true }, cases: { value: true }, kallsyms: { value: true }, work: { value: true },
  cache: { value: true }, 'livepatch-dir': { value: true }, json: { value: true }, reference: { value: true },
  'reference-label': { value: true }, 'reference-symbols': { value: true }, 'reference-symbols-label': { value: true },
  'reference-annotation': { value: true }, 'reference-annotation-label': { value: true }, 'list-kernels': {},
};

export const KALLSYMS_OPTIONS = { out: { value: true }, arch: { value: true }, kernel: { value: true }, cache: { value: true }, 'livepatch-dir': { value: true } };

/**
 * The references of `load`, with their labels: --reference-label (else the path segment v4, v5,
 * v7 or minimal, as everywhere) for --reference, --reference-symbols-label and
 * --reference-annotation-label for the per-dialect ones. A label without its reference is refused.
 */
export async function loadReferences(a: ParsedArgs): Promise<LoadReferences> {
  const refs: LoadReferences = { commands: {}, labels: {} };
  for (const [path, label] of [['reference', 'reference-label'], ['reference-symbols', 'reference-symbols-label'], ['reference-annotation', 'reference-annotation-label']] as const) {
    if (option(a, label) !== undefined && option(a, path) === undefined) throw new HarnessError(`load: --${label} needs --${path} PATH`);
  }
  const add = (dialect: 'symbols' | 'annotation', path: string, label: string | undefined): void => {
    refs.commands[dialect] = referenceCommand({ reference: path });
    const named = label ?? guessReferenceLabel(path);
    if (named) refs.labels[dialect] = named;
    else delete refs.labels[dialect];
  };
  const refAny = option(a, 'reference');
  if (refAny) add(await referenceDialect(referenceCommand({ reference: refAny })), refAny, option(a, 'reference-label'));
  const refSymbols = option(a, 'reference-symbols');
  const refAnnotation = option(a, 'reference-annotation');
  if (refSymbols) add('symbols', refSymbols, option(a, 'reference-symbols-label'));
  if (refAnnotation) add('annotation', refAnnotation, option(a, 'reference-annotation-label'));
  return refs;
}

export async function runLoad(argv: readonly string[]): Promise<number> {
  const a: ParsedArgs = parseArgs(argv, LOAD_OPTIONS, 'load');
  if (a.flags.has('list-kernels')) {
    for (const [arch, ks] of Object.entries(KNOWN_KERNELS)) for (const k of ks) process.stdout.write(`${arch.padEnd(8)} ${k.id.padEnd(12)} ${k.series.padEnd(5)} ${k.about}\n`);
    process.stdout.write(`${'x86_64'.padEnd(8)} ${'klp-build'.padEnd(12)} ${'7'.padEnd(5)} the committed minimal livepatch kernel of linux-source-7.x (kernels/x86_64-7), for cases/klp-build (--kernel 7)\n`);
    return EXIT.ok;
  }
  if (isKlpBuildKernel(option(a, 'kernel'))) return runKlpBuildCommand(a);
  const root = option(a, 'cases') ?? join(process.cwd(), 'cases/kernel');
  const cases = findKernelCases(root, a.positional);
  if (cases.length === 0) throw new HarnessError(`no kernel cases under ${root}`);
  const log = (l: string): void => void process.stderr.write(`klp-harness load: ${l}\n`);
  const spec = parseArch(option(a, 'arch') ?? 'x86_64');
  const cache = option(a, 'cache');
  const livepatchDir = option(a, 'livepatch-dir');
  // The references before the kernel: a bad reference option is refused before any download.
  const refs = await loadReferences(a);
  const target = await resolveKernel(spec.arch, option(a, 'kernel'), { ...(cache ? { cache } : {}), ...(livepatchDir ? { livepatchDir } : {}), log });
  const kallsyms = option(a, 'kallsyms');
  const work = option(a, 'work');
  const report = await runLoadTest({
    cases,
    target,
    references: refs.commands,
    ...(kallsyms ? { kallsyms } : {}),
    ...(work ? { workDir: work } : {}),
    log,
  });
  for (const l of formatLoadReport(report, refs)) process.stdout.write(`${l}\n`);
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify({ ...report, referenceLabels: refs.labels }, null, 2)}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** `--kernel 7`, `7.3`, `klp-build`: the committed 7.x kernel of the klp-build corpus. */
const isKlpBuildKernel = (k: string | undefined): boolean => k !== undefined && (k === 'klp-build' || /^7(\.|$)/.test(k));

async function runKlpBuildCommand(a: ParsedArgs): Promise<number> {
  if ((option(a, 'arch') ?? 'x86_64') !== 'x86_64') throw new HarnessError('load --kernel 7: klp-build (and so the 7.x kernel) is x86_64 only');
  const root = repoRoot();
  const dir = option(a, 'cases') ?? join(root, 'cases/klp-build');
  const cases = findKlpBuildCases(dir, a.positional);
  if (cases.length === 0) throw new HarnessError(`no klp-build cases under ${dir}`);
  const reference = option(a, 'reference');
  const log = (l: string): void => void process.stderr.write(`klp-harness load: ${l}\n`);
  const report = await runKlpBuildLoad({ root, cache: option(a, 'cache') ?? kernelCacheDir(), cases, log, ...(reference ? { objtool: referenceCommand({ reference }).binary } : {}) });
  for (const l of formatKlpBuildReport(report)) process.stdout.write(`${l}\n`);
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify({ ...report, referenceLabel: option(a, 'reference-label') ?? (reference ? guessReferenceLabel(reference) : null) }, null, 2)}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

export async function runKallsyms(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv, KALLSYMS_OPTIONS, 'kallsyms');
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
