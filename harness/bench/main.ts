#!/usr/bin/env node
// npm run bench [-- --reference PATH] [--json FILE] [--runs N] [--sizes 10,100,...] [--work DIR]
//                  [--harness-cases PATH] [--no-real] [--no-harness] [--no-startup]
// Benchmarks our CLI against the C reference on generated inputs (see docs/performance.md).
// Results are reported, never asserted: the targets are printed next to the numbers.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from '../../src/convert.js';
import { bytesToLatin1 } from '../../src/elf/strings.js';
import { parseSymbolsFile } from '../../src/klp/symbols-file.js';
import { option, parseArgs } from '../cli/args.js';
import { debugModuleSources, generateSymbolsFile, SYMBOLS_LINES, syntheticModule, unresolvedNames, type SymbolsFile } from './inputs.js';
import { GNU_TIME, loadAverage, median, runOnce, wallTimes, type Sample } from './measure.js';
import { writeOutput } from '../../src/cli/files.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// Run as users run it (through its #! line, which sets the V8 flags the CLI wants).
const OUR_CLI = join(ROOT, 'dist/src/cli/main.js');
const HARNESS_CLI = join(ROOT, 'dist/harness/cli/main.js');
const MiB = 1024 * 1024;

interface Input {
  label: string;
  n: number | null;
  relocs: number;
  module: string;
  symbols: string;
  inputBytes: number;
}

interface Row {
  input: Input;
  ours: Sample[];
  ref: Sample[];
  oursMs: number;
  oursRssMiB: number;
  refMs: number | null;
  refRssMiB: number | null;
  /** 3 × the input sizes + 80 MB, the memory target. */
  memLimitMiB: number;
  identicalOutput: boolean | null;
}

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

function main(argv: readonly string[]): number {
  const a = parseArgs(argv, {
    reference: { value: true }, json: { value: true }, runs: { value: true }, sizes: { value: true }, work: { value: true },
    'harness-cases': { value: true }, 'no-real': {}, 'no-harness': {}, 'no-startup': {},
  }, 'bench');
  const reference = option(a, 'reference');
  const runs = Number(option(a, 'runs') ?? 5);
  const sizes = (option(a, 'sizes') ?? '10,100,1000,4000,16000').split(',').map(Number);
  const work = resolve(option(a, 'work') ?? join(tmpdir(), 'klp-convert-bench'));
  if (!existsSync(GNU_TIME)) {
    log(`${GNU_TIME} is missing: install GNU time (Debian package 'time')`);
    return 2;
  }
  if (!existsSync(OUR_CLI)) {
    log(`${OUR_CLI} is missing: run npm run build`);
    return 2;
  }
  if (reference && !existsSync(reference)) {
    log(`reference ${reference} does not exist`);
    return 2;
  }
  mkdirSync(work, { recursive: true });
  const loadBefore = loadAverage();

  log(`generating inputs in ${work}`);
  const file = generateSymbolsFile();
  const symbolsPath = join(work, 'symbols.klp');
  writeOutput(symbolsPath, file.text);
  const inputs: Input[] = sizes.map((n) => {
    const { bytes, relocs } = syntheticModule(unresolvedNames(file, n));
    const module = join(work, `n${n}.ko`);
    writeOutput(module, bytes);
    return { label: `N=${n}`, n, relocs, module, symbols: symbolsPath, inputBytes: bytes.length + file.text.length };
  });
  const real = a.flags.has('no-real') ? undefined : realModule(work, file, symbolsPath);
  if (real) inputs.push(real.input);

  const rows: Row[] = [];
  for (const input of inputs) {
    log(`${input.label}: ${runs} runs each, alternating ours and reference`);
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    const ourOut = join(work, 'out-ours.ko');
    const refOut = join(work, 'out-ref.ko');
    let identical: boolean | null = null;
    for (let i = 0; i < runs; i++) {
      ours.push(checked(runOnce(OUR_CLI, [input.symbols, input.module, ourOut], work), 'ours', input));
      if (reference) {
        ref.push(checked(runOnce(reference, [input.symbols, input.module, refOut], work), 'reference', input));
        if (i === 0) identical = readFileSync(ourOut).equals(readFileSync(refOut));
      }
    }
    const memLimitMiB = (3 * input.inputBytes) / MiB + 80;
    rows.push({
      input, ours, ref, memLimitMiB, identicalOutput: identical,
      oursMs: median(ours.map((s) => s.ms)),
      oursRssMiB: median(ours.map((s) => s.rssKiB)) / 1024,
      refMs: reference ? median(ref.map((s) => s.ms)) : null,
      refRssMiB: reference ? median(ref.map((s) => s.rssKiB)) / 1024 : null,
    });
  }

  const profile = profileInProcess(symbolsPath, inputs.find((i) => i.n === Math.max(...sizes)));
  const startup = a.flags.has('no-startup') ? undefined : startupCosts(work, reference);
  const harness = a.flags.has('no-harness') ? undefined : harnessThroughput(work, reference, option(a, 'harness-cases') ?? 'cases/compiled');
  const loadAfter = loadAverage();

  const report = {
    machine: machine(),
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAfter },
    peakRss: 'GNU time %M (ru_maxrss of the child), median of the runs',
    wallTime: 'parent clock around spawn of /usr/bin/time, median of the runs',
    runs,
    symbolsFile: { path: symbolsPath, lines: SYMBOLS_LINES, bytes: file.text.length },
    reference: reference ?? null,
    rows: rows.map((r) => ({
      label: r.input.label, n: r.input.n, relocs: r.input.relocs, module: r.input.module, inputBytes: r.input.inputBytes,
      oursMs: r.oursMs, refMs: r.refMs, speedup: r.refMs === null ? null : r.refMs / r.oursMs,
      oursRssMiB: r.oursRssMiB, refRssMiB: r.refRssMiB, memLimitMiB: r.memLimitMiB, identicalOutput: r.identicalOutput,
      samples: { ours: r.ours.map(({ ms, rssKiB }) => ({ ms, rssKiB })), ref: r.ref.map(({ ms, rssKiB }) => ({ ms, rssKiB })) },
    })),
    growth: growth(rows),
    realModule: real?.note ?? null,
    profile,
    startup,
    harness,
  };
  process.stdout.write(render(report));
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

function checked(s: Sample, who: string, input: Input): Sample {
  if (s.status !== 0) throw new Error(`${who} failed on ${input.label} (exit ${s.status}): ${s.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return s;
}

/** Each step between consecutive sizes: how much the input grew and how much the time did. */
function growth(rows: readonly Row[]) {
  const family = rows.filter((r) => r.input.n !== null);
  return family.slice(1).map((r, k) => {
    const p = family[k]!;
    return {
      from: p.input.n!, to: r.input.n!, factor: r.input.n! / p.input.n!,
      ours: r.oursMs / p.oursMs,
      ref: r.refMs !== null && p.refMs !== null ? r.refMs / p.refMs : null,
    };
  });
}

/**
 * The largest kbuild module under cases/kernel when there is one (its own symbols.klp followed by
 * the generated kallsyms-sized list); otherwise a module compiled here with gcc -g -O2 from 400
 * generated functions in four files, linked with ld -r.
 */
function realModule(work: string, file: SymbolsFile, symbolsPath: string): { input: Input; note: string } | undefined {
  const kbuild = findKbuildModule(join(ROOT, 'cases/kernel'));
  if (kbuild) {
    const own = readFileSync(join(dirname(kbuild), 'symbols.klp'), 'latin1');
    const merged = join(work, 'kbuild-symbols.klp');
    writeOutput(merged, Buffer.from(`${own.endsWith('\n') ? own : `${own}\n`}${file.text.slice(file.text.indexOf('\n') + 1)}`, 'latin1'));
    const size = statSync(kbuild).size + statSync(merged).size;
    return { input: { label: 'kbuild module', n: null, relocs: NaN, module: kbuild, symbols: merged, inputBytes: size }, note: `${kbuild} (largest under cases/kernel), its symbols.klp followed by the generated ${SYMBOLS_LINES}-line list` };
  }
  const dir = join(work, 'debug-module');
  mkdirSync(dir, { recursive: true });
  const objects: string[] = [];
  const flags = ['-g', '-O2', '-c', '-fno-pic', '-mcmodel=kernel', '-mno-red-zone', '-ffunction-sections', '-fdata-sections', '-fno-asynchronous-unwind-tables', '-fno-stack-protector', '-ffreestanding', '-fno-common'];
  debugModuleSources(file, 400, 4).forEach((src, k) => {
    const c = join(dir, `part${k}.c`);
    writeOutput(c, src);
    const o = join(dir, `part${k}.o`);
    tool('gcc', [...flags, c, '-o', o]);
    objects.push(o);
  });
  const ko = join(dir, 'bench_debug.ko');
  tool('ld', ['-r', '-o', ko, ...objects]);
  const relocs = countConvertibleRelocs(ko, symbolsPath);
  const size = statSync(ko).size + statSync(symbolsPath).size;
  const gcc = spawnSync('gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  return {
    input: { label: 'gcc -g module', n: null, relocs, module: ko, symbols: symbolsPath, inputBytes: size },
    note: `no kbuild module under cases/kernel yet: ${ko} (${Math.round(statSync(ko).size / 1024)} KiB), 400 functions in 4 files, ${gcc}, gcc ${flags.join(' ')}; ld -r`,
  };
}

function findKbuildModule(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  let best: { path: string; size: number } | undefined;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko') && existsSync(join(d, 'symbols.klp'))) {
        const size = statSync(p).size;
        if (!best || size > best.size) best = { path: p, size };
      }
    }
  };
  walk(dir);
  return best?.path;
}

function tool(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

function countConvertibleRelocs(ko: string, symbolsPath: string): number {
  const { report } = convert(readFileSync(ko), { symbols: readFileSync(symbolsPath) });
  return report.klpSections.reduce((n, k) => n + k.relocs, 0);
}

/** In-process phases: where our time goes on the big symbols.klp, without Node's start-up. */
function profileInProcess(symbolsPath: string, biggest: Input | undefined) {
  const bytes = readFileSync(symbolsPath);
  const time = (f: () => void, reps = 5): number => {
    const xs: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t = process.hrtime.bigint();
      f();
      xs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return median(xs);
  };
  const decodeMs = time(() => void bytesToLatin1(bytes));
  const parseMs = time(() => void parseSymbolsFile(bytes));
  let convertMs: number | null = null;
  if (biggest) {
    const module = readFileSync(biggest.module);
    convertMs = time(() => void convert(module, { symbols: bytes }));
  }
  return { symbolsBytes: bytes.length, decodeMs, parseMs, biggest: biggest?.label ?? null, convertMs };
}

/** Node's start-up against our work: bare node, --version (loads the CLI), a tiny conversion. */
function startupCosts(work: string, reference: string | undefined) {
  const tinySymbols = join(work, 'tiny.klp');
  writeOutput(tinySymbols, 'klp-convert-symbol-data.0.1\n*vmlinux\n__ksymtab_printk\nprintk\ntiny_a\ntiny_b\n*ext4\ntiny_c\n');
  const tinyModule = join(work, 'tiny.ko');
  writeOutput(tinyModule, syntheticModule(['tiny_a', 'tiny_b', 'tiny_c']).bytes);
  const out = join(work, 'tiny-out.ko');
  const reps = 11;
  const result = {
    nodeBareMs: median(wallTimes(process.execPath, ['-e', ''], reps)),
    versionMs: median(wallTimes(OUR_CLI, ['--version'], reps)),
    tinyConvertMs: median(wallTimes(OUR_CLI, [tinySymbols, tinyModule, out], reps)),
    refTinyConvertMs: reference ? median(wallTimes(reference, [tinySymbols, tinyModule, join(work, 'tiny-ref.ko')], reps)) : null,
  };
  return result;
}

/**
 * The harness over the committed corpus: `run --jobs 2` against the reference, and, without one,
 * `golden check` (our converter against the stored goldens: the run CI makes).
 */
function harnessThroughput(work: string, reference: string | undefined, corpus: string) {
  const once = (withRef: boolean) => {
    const json = join(work, 'harness-ref.json');
    const args = withRef && reference
      ? [HARNESS_CLI, 'run', '--jobs', '2', '--json', json, '--reference', reference, corpus]
      : [HARNESS_CLI, 'golden', 'check', '--cases', corpus];
    rmSync(json, { force: true });
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    let cases: number | null = null;
    try {
      if (withRef) cases = (JSON.parse(readFileSync(json, 'utf8')) as { cases: unknown[] }).cases.length;
      else {
        const m = /golden check: (\d+) pass, (\d+) differ/.exec(r.stdout + r.stderr);
        if (m) cases = Number(m[1]) + Number(m[2]);
      }
    } catch {
      // no report: the run did not get that far
    }
    return { ms, status: r.status, cases, error: cases === null ? ((r.stderr || r.stdout).trim().split('\n').at(-1) ?? null) : null };
  };
  const measure = (withRef: boolean) => {
    const xs = [once(withRef), once(withRef), once(withRef)];
    const ok = xs.filter((x) => x.cases !== null);
    if (ok.length === 0) return { casesPerSecond: null, cases: null, ms: null, error: xs[0]!.error, exitStatus: xs[0]!.status };
    const ms = median(ok.map((x) => x.ms));
    return { casesPerSecond: (ok[0]!.cases! * 1000) / ms, cases: ok[0]!.cases, ms, error: null, exitStatus: ok[0]!.status };
  };
  return { cases: corpus, withoutReference: measure(false), withReference: reference ? measure(true) : null };
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim();
  return { cpu: model, nproc: Number(nproc), node: process.version, platform: `${process.platform} ${process.arch}` };
}

type Report = {
  machine: ReturnType<typeof machine>; date: string; loadAverage: { before: number[]; after: number[] }; runs: number;
  reference: string | null; symbolsFile: { lines: number; bytes: number };
  rows: Array<{ label: string; relocs: number; oursMs: number; refMs: number | null; speedup: number | null; oursRssMiB: number; refRssMiB: number | null; memLimitMiB: number; identicalOutput: boolean | null }>;
  growth: ReturnType<typeof growth>; realModule: string | null;
  profile: ReturnType<typeof profileInProcess>; startup: ReturnType<typeof startupCosts> | undefined; harness: ReturnType<typeof harnessThroughput> | undefined;
};

function render(r: Report): string {
  const f = (x: number | null, d = 0): string => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));
  const ms = (x: number | null): string => (x === null ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
  const out: string[] = [];
  out.push(`machine: ${r.machine.cpu}, nproc ${r.machine.nproc}, Node ${r.machine.node}; ${r.date}`);
  out.push(`load average: ${r.loadAverage.before.join(' ')} before, ${r.loadAverage.after.join(' ')} after`);
  out.push(`symbols.klp: ${r.symbolsFile.lines} lines, ${(r.symbolsFile.bytes / MiB).toFixed(1)} MiB; medians of ${r.runs} runs each, alternating; peak RSS by GNU time`);
  if (r.realModule) out.push(`real module: ${r.realModule}`);
  out.push('');
  out.push('| input | relocs | ours | reference | ref/ours | ours RSS | ref RSS | RSS target | same output |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    out.push(`| ${row.label} | ${f(row.relocs)} | ${ms(row.oursMs)} | ${ms(row.refMs)} | ${row.speedup === null ? '—' : `${row.speedup.toFixed(1)}×`} | ${f(row.oursRssMiB)} MiB | ${row.refRssMiB === null ? '—' : `${f(row.refRssMiB)} MiB`} | ≤ ${f(row.memLimitMiB)} MiB | ${row.identicalOutput === null ? '—' : row.identicalOutput ? 'yes' : 'NO'} |`);
  }
  out.push('');
  out.push('| step in N | ours | reference |');
  out.push('|---|---:|---:|');
  for (const g of r.growth) out.push(`| ${g.from} → ${g.to} (${g.factor}×) | ${g.ours.toFixed(2)}× | ${g.ref === null ? '—' : `${g.ref.toFixed(2)}×`} |`);
  out.push('');
  const p = r.profile;
  out.push(`symbols.klp in process: decode ${p.decodeMs.toFixed(0)} ms, parse (decode included) ${p.parseMs.toFixed(0)} ms${p.convertMs === null ? '' : `; whole convert() of ${p.biggest} ${p.convertMs.toFixed(0)} ms`}`);
  if (r.startup) {
    const s = r.startup;
    out.push(`start-up: node -e '' ${s.nodeBareMs.toFixed(0)} ms, klp-convert --version ${s.versionMs.toFixed(0)} ms, tiny conversion ${s.tinyConvertMs.toFixed(0)} ms${s.refTinyConvertMs === null ? '' : ` (reference ${s.refTinyConvertMs.toFixed(1)} ms)`}`);
  }
  if (r.harness) {
    const h = (x: { casesPerSecond: number | null; cases: number | null; ms: number | null; error: string | null } | null): string =>
      x === null ? '—' : x.casesPerSecond === null ? `did not run (${x.error})` : `${x.casesPerSecond.toFixed(0)} cases/s (${x.cases} cases in ${ms(x.ms)})`;
    out.push(`harness run --jobs 2 ${r.harness.cases}: without reference ${h(r.harness.withoutReference)}; with reference ${h(r.harness.withReference)}`);
  }
  return `${out.join('\n')}\n`;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
