#!/usr/bin/env node
// npm run bench [-- --reference PATH] [--objtool PATH] [--json FILE] [--runs N] [--sizes 1,10,100,...] [--work DIR]
//                  [--post-link-sizes 100,1000,10000] [--no-post-link]
//                  [--tiny-case DIR] [--harness-cases PATH] [--instructions]
//                  [--no-real] [--no-harness] [--no-startup] [--no-floor]
// Benchmarks our CLI against the C reference on generated inputs (see docs/performance.md).
// Results are reported, never asserted: the targets are printed next to the numbers.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convert } from '../../src/index.js';
import { parseSymbolsFile } from '../../src/klp/index.js';
import { decodeSymbols, readElf, symtabIndex } from '../../src/elf/index.js';
import { option, parseArgs } from '../args.js';
import { debugModuleSources, generateSymbolsFile, SYMBOLS_LINES, syntheticModule, unresolvedNames, type SymbolsFile } from './inputs.js';
import { envWithout, GNU_TIME, instructions, loadAverage, median, runOnce, spread, wallTimes, type Sample } from './measure.js';
import { writeOutput } from '../../src/io/index.js';
import { largestKlpBuildModule, postLinkRows, renderPostLinkRows, type PostLinkRow } from './post-link.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
// Run as users run it: the package's bin, through its #! line (which drops NODE_EXTRA_CA_CERTS).
const OUR_CLI = join(ROOT, PKG.bin['klp-convert']!);
const HARNESS_CLI = join(ROOT, 'dist/harness/cli/main.js');
const DEFAULT_TINY_CASE = 'cases/compiled/x86_64-gcc-12-O2-symbols-sections';
const MiB = 1024 * 1024;
/** Node 20 parses this file at start-up; our bin drops it, so the floor is node without it. */
const CA_VAR = 'NODE_EXTRA_CA_CERTS';
/** A reference run longer than this gets 3 runs, not --runs: N = 16,000 takes it minutes. */
const SLOW_REFERENCE_MS = 15_000;

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
  oursCpuMs: number;
  oursRssMiB: number;
  refMs: number | null;
  refCpuMs: number | null;
  refRssMiB: number | null;
  /** ref/ours of the medians, and the smallest and largest ratio of one alternating pair. */
  speedup: number | null;
  speedupSpread: [number, number] | null;
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
    'tiny-case': { value: true }, 'harness-cases': { value: true }, instructions: {},
    'no-real': {}, 'no-harness': {}, 'no-startup': {}, 'no-floor': {},
    objtool: { value: true }, 'post-link-sizes': { value: true }, 'no-post-link': {},
  }, 'bench');
  const reference = option(a, 'reference');
  const runs = Number(option(a, 'runs') ?? 7);
  const sizes = (option(a, 'sizes') ?? '1,10,100,1000,4000,16000').split(',').map(Number);
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
  const tinyCase = resolve(ROOT, option(a, 'tiny-case') ?? DEFAULT_TINY_CASE);
  const tiny = tinyInput(tinyCase);
  if (tiny) inputs.push(tiny);

  const rows: Row[] = [];
  for (const input of inputs) {
    const ours: Sample[] = [];
    const ref: Sample[] = [];
    const ourOut = join(work, 'out-ours.ko');
    const refOut = join(work, 'out-ref.ko');
    let identical: boolean | null = null;
    let n = runs;
    log(`${input.label}: ${runs} runs each, alternating ours and reference`);
    for (let i = 0; i < n; i++) {
      ours.push(checked(runOnce(OUR_CLI, [input.symbols, input.module, ourOut], work), 'ours', input));
      if (reference) {
        ref.push(checked(runOnce(reference, [input.symbols, input.module, refOut], work), 'reference', input));
        if (i === 0) {
          identical = readFileSync(ourOut).equals(readFileSync(refOut));
          if (ref[0]!.ms > SLOW_REFERENCE_MS && n > 3) {
            n = 3;
            log(`${input.label}: the reference took ${(ref[0]!.ms / 1000).toFixed(0)} s: 3 runs`);
          }
        }
      }
    }
    const pairs = ref.map((r, i) => r.ms / ours[i]!.ms);
    const oursMs = median(ours.map((s) => s.ms));
    const refMs = reference ? median(ref.map((s) => s.ms)) : null;
    rows.push({
      input, ours, ref, identicalOutput: identical,
      memLimitMiB: (3 * input.inputBytes) / MiB + 80,
      oursMs,
      oursCpuMs: median(ours.map((s) => s.cpuMs)),
      oursRssMiB: median(ours.map((s) => s.rssKiB)) / 1024,
      refMs,
      refCpuMs: reference ? median(ref.map((s) => s.cpuMs)) : null,
      refRssMiB: reference ? median(ref.map((s) => s.rssKiB)) / 1024 : null,
      speedup: refMs === null ? null : refMs / oursMs,
      speedupSpread: reference ? spread(pairs) : null,
    });
  }

  const floor = a.flags.has('no-floor') || !tiny ? undefined : nodeFloor(work, tiny, runs * 2, reference);
  const counts = a.flags.has('instructions') ? instructionCounts(work, inputs, tiny, reference) : undefined;
  const profile = profileInProcess(symbolsPath, inputs.find((i) => i.n === Math.max(...sizes)));
  const startup = a.flags.has('no-startup') ? undefined : startupCosts(work, reference);
  const fsync = fsyncCost(work, inputs.find((i) => i.n === 10) ?? inputs[0]!);
  const harness = a.flags.has('no-harness') ? undefined : harnessThroughput(work, reference, option(a, 'harness-cases') ?? 'cases/compiled');
  const objtool = option(a, 'objtool');
  const postLink = a.flags.has('no-post-link') ? undefined : postLinkRows({
    work, ourCli: OUR_CLI, ...(objtool ? { objtool } : {}), runs, log,
    sizes: (option(a, 'post-link-sizes') ?? '100,1000,10000').split(',').map(Number),
    ...(largestKlpBuildModule(ROOT) ? { corpusModule: largestKlpBuildModule(ROOT)! } : {}),
  });
  const loadAfter = loadAverage();

  const report: Report = {
    machine: machine(),
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: loadAfter },
    peakRss: 'GNU time %M (ru_maxrss of the child), median of the runs',
    wallTime: 'parent clock around spawn of /usr/bin/time, median of the runs; ratios: of the medians, spread over the alternating pairs',
    cpuTime: 'GNU time %U + %S, median of the runs',
    runs,
    ourCli: OUR_CLI,
    symbolsFile: { path: symbolsPath, lines: SYMBOLS_LINES, bytes: file.text.length },
    reference: reference ?? null,
    rows: rows.map((r) => ({
      label: r.input.label, n: r.input.n, relocs: r.input.relocs, module: r.input.module, symbols: r.input.symbols, inputBytes: r.input.inputBytes,
      oursMs: r.oursMs, oursCpuMs: r.oursCpuMs, refMs: r.refMs, refCpuMs: r.refCpuMs, speedup: r.speedup, speedupSpread: r.speedupSpread,
      oursRssMiB: r.oursRssMiB, refRssMiB: r.refRssMiB, memLimitMiB: r.memLimitMiB, identicalOutput: r.identicalOutput,
      samples: { ours: r.ours.map(({ ms, cpuMs, rssKiB }) => ({ ms, cpuMs, rssKiB })), ref: r.ref.map(({ ms, cpuMs, rssKiB }) => ({ ms, cpuMs, rssKiB })) },
    })),
    growth: growth(rows),
    realModule: real?.note ?? null,
    floor,
    instructions: counts,
    profile,
    startup,
    fsync,
    harness,
    postLink: postLink ?? null,
  };
  report.targets = targets(report);
  process.stdout.write(render(report));
  const json = option(a, 'json');
  if (json) writeOutput(json, `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

function checked(s: Sample, who: string, input: { label: string }): Sample {
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

/** A compiled corpus case with a small symbols.klp: what most of the harness's runs look like. */
function tinyInput(dir: string): Input | undefined {
  const module = join(dir, 'input.ko');
  const symbols = join(dir, 'symbols.klp');
  if (!existsSync(module) || !existsSync(symbols)) {
    log(`${dir}: no input.ko and symbols.klp: no tiny row`);
    return undefined;
  }
  const lines = readFileSync(symbols, 'latin1').split('\n').filter(Boolean).length;
  const relocs = countConvertibleRelocs(module, symbols);
  return { label: `corpus case ${dir.split('/').at(-1)} (${lines}-line symbols.klp)`, n: null, relocs, module, symbols, inputBytes: statSync(module).size + statSync(symbols).size };
}

/**
 * Node's floor against our tiny conversion, alternating: `node -e 0` as our bin runs it (without
 * NODE_EXTRA_CA_CERTS) and, when that variable is set here, as this shell would run it.
 */
function nodeFloor(work: string, tiny: Input, rounds: number, reference: string | undefined) {
  const out = join(work, 'floor-out.ko');
  const bare = envWithout(CA_VAR);
  const withCa = process.env[CA_VAR] !== undefined;
  const node: Sample[] = [];
  const nodeCa: Sample[] = [];
  const ours: Sample[] = [];
  const ref: Sample[] = [];
  log(`floor: ${rounds} rounds of node -e 0${withCa ? ` (without and with ${CA_VAR})` : ''} and the tiny conversion`);
  for (let i = 0; i < rounds; i++) {
    node.push(checked(runOnce(process.execPath, ['-e', '0'], work, bare), 'node -e 0', tiny));
    if (withCa) nodeCa.push(checked(runOnce(process.execPath, ['-e', '0'], work), 'node -e 0', tiny));
    ours.push(checked(runOnce(OUR_CLI, [tiny.symbols, tiny.module, out], work), 'ours', tiny));
    if (reference) ref.push(checked(runOnce(reference, [tiny.symbols, tiny.module, out], work), 'reference', tiny));
  }
  const stats = (xs: Sample[]) => (xs.length ? { ms: median(xs.map((s) => s.ms)), cpuMs: median(xs.map((s) => s.cpuMs)), rssMiB: median(xs.map((s) => s.rssKiB)) / 1024 } : null);
  const nodeMs = median(node.map((s) => s.ms));
  const oursMs = median(ours.map((s) => s.ms));
  return {
    rounds,
    node: stats(node),
    nodeWithCaFile: withCa ? { file: process.env[CA_VAR], ...stats(nodeCa) } : null,
    ours: stats(ours),
    reference: stats(ref),
    /** Ours over node -e 0: the target is at most 1.3. */
    ratio: oursMs / nodeMs,
    ratioSpread: spread(ours.map((s, i) => s.ms / node[i]!.ms)),
  };
}

/** Instruction counts (valgrind): one run each, the same whatever the load. */
function instructionCounts(work: string, inputs: readonly Input[], tiny: Input | undefined, reference: string | undefined) {
  const bare = envWithout(CA_VAR);
  const out = join(work, 'ir-out.ko');
  const rows: Array<{ label: string; ours: number | null; reference: number | null }> = [];
  log('instruction counts (valgrind --tool=callgrind)');
  rows.push({ label: 'node -e 0', ours: instructions(process.execPath, ['-e', '0'], work, bare), reference: null });
  // Through node, as the #! line runs it (valgrind would otherwise trace env, not node).
  const ours = (i: Input) => instructions(process.execPath, [OUR_CLI, i.symbols, i.module, out], work, bare);
  const ref = (i: Input) => (reference ? instructions(reference, [i.symbols, i.module, out], work) : null);
  for (const i of [...inputs.filter((x) => x.n !== null && x.n <= 100), ...(tiny ? [tiny] : [])]) rows.push({ label: i.label, ours: ours(i), reference: ref(i) });
  return rows;
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
    return { input: { label: 'kbuild module', n: null, relocs: countConvertibleRelocs(kbuild, merged), module: kbuild, symbols: merged, inputBytes: size }, note: `${kbuild} (largest under cases/kernel), its symbols.klp followed by the generated ${SYMBOLS_LINES}-line list` };
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
  const fullParseMs = time(() => void parseSymbolsFile(bytes));
  let namesParseMs: number | null = null;
  let convertMs: number | null = null;
  if (biggest) {
    const module = readFileSync(biggest.module);
    const obj = readElf(module);
    const names = new Set(decodeSymbols(obj, symtabIndex(obj)).map((s) => s.name));
    namesParseMs = time(() => void parseSymbolsFile(bytes, { names }));
    convertMs = time(() => void convert(module, { symbols: bytes }));
  }
  return { symbolsBytes: bytes.length, fullParseMs, namesParseMs, biggest: biggest?.label ?? null, convertMs };
}

/** Node's start-up against our work: bare node, --version (loads the CLI), a tiny conversion. */
function startupCosts(work: string, reference: string | undefined) {
  const tinySymbols = join(work, 'tiny.klp');
  writeOutput(tinySymbols, 'klp-convert-symbol-data.0.1\n*vmlinux\n__ksymtab_printk\nprintk\ntiny_a\ntiny_b\n*ext4\ntiny_c\n');
  const tinyModule = join(work, 'tiny.ko');
  writeOutput(tinyModule, syntheticModule(['tiny_a', 'tiny_b', 'tiny_c']).bytes);
  const out = join(work, 'tiny-out.ko');
  const reps = 11;
  const bare = envWithout(CA_VAR);
  return {
    nodeBareMs: median(wallTimes(process.execPath, ['-e', ''], reps, bare)),
    nodeInheritedEnvMs: process.env[CA_VAR] === undefined ? null : median(wallTimes(process.execPath, ['-e', ''], reps)),
    versionMs: median(wallTimes(OUR_CLI, ['--version'], reps)),
    tinyConvertMs: median(wallTimes(OUR_CLI, [tinySymbols, tinyModule, out], reps)),
    refTinyConvertMs: reference ? median(wallTimes(reference, [tinySymbols, tinyModule, join(work, 'tiny-ref.ko')], reps)) : null,
  };
}

/**
 * What an fsync of the output before its rename would cost (the CLI no longer does one): the N=10
 * output written through writeOutput, then fsync'd, 21 times.
 */
function fsyncCost(work: string, input: Input) {
  const data = convert(readFileSync(input.module), { symbols: readFileSync(input.symbols) }).output;
  const path = join(work, 'fsync-probe.ko');
  const write: number[] = [];
  const sync: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = process.hrtime.bigint();
    writeOutput(path, data);
    const t1 = process.hrtime.bigint();
    const fd = openSync(path, 'r');
    fsyncSync(fd);
    closeSync(fd);
    const t2 = process.hrtime.bigint();
    write.push(Number(t1 - t0) / 1e6);
    sync.push(Number(t2 - t1) / 1e6);
  }
  rmSync(path, { force: true });
  return { input: input.label, bytes: data.length, writeMs: median(write), fsyncMs: median(sync), fsyncSpread: spread(sync) };
}

/**
 * The harness over the committed corpus: `run --jobs 2` against the reference, and, without one,
 * `golden check` (our converter against the stored goldens: the run CI makes). The floor of `run`:
 * the reference alone on every case, two at a time, as plain spawns.
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
      // The cases the reference ran on: a symbols-list reference skips the annotation cases.
      if (withRef) cases = (JSON.parse(readFileSync(json, 'utf8')) as { cases: Array<{ class: string }> }).cases.filter((c) => c.class !== 'skipped').length;
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
    log(`harness: ${withRef ? 'run --jobs 2 with the reference' : 'golden check'}, 3 times`);
    const xs = [once(withRef), once(withRef), once(withRef)];
    const ok = xs.filter((x) => x.cases !== null);
    if (ok.length === 0) return { casesPerSecond: null, cases: null, ms: null, error: xs[0]!.error, exitStatus: xs[0]!.status };
    const ms = median(ok.map((x) => x.ms));
    return { casesPerSecond: (ok[0]!.cases! * 1000) / ms, cases: ok[0]!.cases, ms, error: null, exitStatus: ok[0]!.status };
  };
  const withoutReference = measure(false);
  const withReference = reference ? measure(true) : null;
  const referenceAlone = reference ? referenceFloor(work, reference, join(ROOT, corpus)) : null;
  return { cases: corpus, withoutReference, withReference, referenceAlone };
}

/** Every case's reference run, two at a time, as plain spawns: the floor of `run --reference`. */
function referenceFloor(work: string, reference: string, corpus: string) {
  const jobs: string[][] = [];
  for (const id of readdirSync(corpus).sort()) {
    const dir = join(corpus, id);
    // The symbols-list cases, which `run` gives a symbols-list reference (it skips the others).
    if (!existsSync(join(dir, 'input.ko')) || !existsSync(join(dir, 'symbols.klp'))) continue;
    const out = join(work, `floor-${jobs.length % 2}.ko`);
    jobs.push([join(dir, 'symbols.klp'), join(dir, 'input.ko'), out]);
  }
  log(`harness floor: the reference alone on ${jobs.length} cases, 2 at a time, 3 times`);
  const script = `
    const { spawn } = require('node:child_process');
    const jobs = ${JSON.stringify(jobs)};
    let next = 0;
    const lane = (k) => new Promise((done) => {
      const go = () => {
        if (next >= jobs.length) return done();
        const args = jobs[next++].map((a) => a.replace(/floor-\\d\\.ko$/, 'floor-' + k + '.ko'));
        spawn(${JSON.stringify(reference)}, args, { stdio: 'ignore' }).on('close', go);
      };
      go();
    });
    const t = process.hrtime.bigint();
    Promise.all([lane(0), lane(1)]).then(() => process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6)));
  `;
  const xs = [0, 1, 2].map(() => Number(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: envWithout(CA_VAR) }).stdout));
  const ms = median(xs);
  return { cases: jobs.length, ms, casesPerSecond: (jobs.length * 1000) / ms };
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim();
  return { cpu: model, nproc: Number(nproc), node: process.version, platform: `${process.platform} ${process.arch}` };
}

interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

type Report = {
  machine: ReturnType<typeof machine>; date: string; loadAverage: { before: number[]; after: number[] }; runs: number; ourCli: string;
  peakRss: string; wallTime: string; cpuTime: string;
  reference: string | null; symbolsFile: { path: string; lines: number; bytes: number };
  rows: Array<{ label: string; n: number | null; relocs: number; module: string; symbols: string; inputBytes: number; samples: unknown; oursMs: number; oursCpuMs: number; refMs: number | null; refCpuMs: number | null; speedup: number | null; speedupSpread: [number, number] | null; oursRssMiB: number; refRssMiB: number | null; memLimitMiB: number; identicalOutput: boolean | null }>;
  growth: ReturnType<typeof growth>; realModule: string | null;
  floor: ReturnType<typeof nodeFloor> | undefined; instructions: ReturnType<typeof instructionCounts> | undefined;
  profile: ReturnType<typeof profileInProcess>; startup: ReturnType<typeof startupCosts> | undefined;
  fsync: ReturnType<typeof fsyncCost>; harness: ReturnType<typeof harnessThroughput> | undefined;
  postLink: PostLinkRow[] | null;
  targets?: Target[];
};

/** The issue's targets, judged on this run's numbers. */
function targets(r: Report): Target[] {
  const out: Target[] = [];
  const row = (n: number) => r.rows.find((x) => x.n === n);
  const speed = (n: number, want: number) => {
    const x = row(n);
    const s = x?.speedup ?? null;
    out.push({ target: `N = ${n}: ≥ ${want}× faster than the reference`, measured: s === null ? 'not measured' : `${s.toFixed(2)}× (${x!.speedupSpread![0].toFixed(2)}–${x!.speedupSpread![1].toFixed(2)})`, met: s === null ? null : s >= want });
  };
  speed(1, 1.5);
  speed(10, 1.5);
  speed(100, 2.5);
  speed(4000, 40);
  const steps = r.growth.filter((g) => g.factor === 4);
  if (steps.length) out.push({ target: 'linear in N: each 4× step in N costs ≤ 4.5×', measured: steps.map((g) => `${g.from}→${g.to}: ${g.ours.toFixed(2)}×`).join(', '), met: steps.every((g) => g.ours <= 4.5) });
  if (r.floor) out.push({ target: 'a corpus case takes ≤ 1.3× `node -e 0`', measured: `${r.floor.ratio.toFixed(2)}× (${r.floor.ratioSpread[0].toFixed(2)}–${r.floor.ratioSpread[1].toFixed(2)})`, met: r.floor.ratio <= 1.3 });
  const n10 = row(10);
  if (n10) out.push({ target: 'peak RSS ≤ 60 MB at N = 10', measured: `${(n10.oursRssMiB * 1.048576).toFixed(1)} MB`, met: n10.oursRssMiB * 1.048576 <= 60 });
  out.push({ target: 'peak RSS ≤ 3 × input sizes + 80 MB (every row)', measured: r.rows.filter((x) => x.oursRssMiB > x.memLimitMiB).map((x) => x.label).join(', ') || 'all rows', met: r.rows.every((x) => x.oursRssMiB <= x.memLimitMiB) });
  const h = r.harness?.withReference;
  if (h) out.push({ target: '`klp-harness run` with a reference ≥ 200 cases/s', measured: h.casesPerSecond === null ? `did not run (${h.error})` : `${h.casesPerSecond.toFixed(0)} cases/s (the reference alone: ${r.harness!.referenceAlone!.casesPerSecond.toFixed(0)})`, met: h.casesPerSecond === null ? null : h.casesPerSecond >= 200 });
  out.push({ target: 'the same output as the reference', measured: r.rows.every((x) => x.identicalOutput !== false) ? 'every row' : r.rows.filter((x) => x.identicalOutput === false).map((x) => x.label).join(', '), met: r.reference === null ? null : r.rows.every((x) => x.identicalOutput !== false) });
  return out;
}

function render(r: Report): string {
  const f = (x: number | null, d = 0): string => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));
  const ms = (x: number | null): string => (x === null ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);
  const out: string[] = [];
  out.push(`machine: ${r.machine.cpu}, nproc ${r.machine.nproc}, Node ${r.machine.node}; ${r.date}`);
  out.push(`load average: ${r.loadAverage.before.join(' ')} before, ${r.loadAverage.after.join(' ')} after`);
  out.push(`ours: ${r.ourCli}; symbols.klp: ${r.symbolsFile.lines} lines, ${(r.symbolsFile.bytes / MiB).toFixed(1)} MiB; medians of ${r.runs} runs each, alternating; ratio spread over the pairs; peak RSS by GNU time`);
  if (r.realModule) out.push(`real module: ${r.realModule}`);
  out.push('');
  out.push('| input | relocs | ours | ours CPU | reference | ref CPU | ref/ours (min–max) | ours RSS | ref RSS | RSS target | same output |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const row of r.rows) {
    const ratio = row.speedup === null ? '—' : `${row.speedup.toFixed(2)}× (${row.speedupSpread![0].toFixed(2)}–${row.speedupSpread![1].toFixed(2)})`;
    out.push(`| ${row.label} | ${f(row.relocs)} | ${ms(row.oursMs)} | ${ms(row.oursCpuMs)} | ${ms(row.refMs)} | ${ms(row.refCpuMs)} | ${ratio} | ${f(row.oursRssMiB)} MiB | ${row.refRssMiB === null ? '—' : `${f(row.refRssMiB)} MiB`} | ≤ ${f(row.memLimitMiB)} MiB | ${row.identicalOutput === null ? '—' : row.identicalOutput ? 'yes' : 'NO'} |`);
  }
  if (r.floor) {
    const fl = r.floor;
    out.push(`| \`node -e 0\` (the floor; without ${CA_VAR}, as our bin runs) | — | ${ms(fl.node!.ms)} | ${ms(fl.node!.cpuMs)} | — | — | ours/node on the corpus case: ${fl.ratio.toFixed(2)}× (${fl.ratioSpread[0].toFixed(2)}–${fl.ratioSpread[1].toFixed(2)}) | ${f(fl.node!.rssMiB)} MiB | — | — | — |`);
    if (fl.nodeWithCaFile) out.push(`| \`node -e 0\` with ${CA_VAR}=${fl.nodeWithCaFile.file} | — | ${ms(fl.nodeWithCaFile.ms!)} | ${ms(fl.nodeWithCaFile.cpuMs!)} | — | — | — | ${f(fl.nodeWithCaFile.rssMiB!)} MiB | — | — | — |`);
  }
  out.push('');
  out.push('| step in N | ours | reference |');
  out.push('|---|---:|---:|');
  for (const g of r.growth) out.push(`| ${g.from} → ${g.to} (${g.factor}×) | ${g.ours.toFixed(2)}× | ${g.ref === null ? '—' : `${g.ref.toFixed(2)}×`} |`);
  if (r.instructions) {
    out.push('');
    out.push('| instructions (callgrind, user space, all threads) | ours | reference |');
    out.push('|---|---:|---:|');
    const m = (x: number | null): string => (x === null ? '—' : `${(x / 1e6).toFixed(0)} M`);
    for (const x of r.instructions) out.push(`| ${x.label} | ${m(x.ours)} | ${m(x.reference)} |`);
  }
  out.push('');
  const p = r.profile;
  out.push(`symbols.klp in process: full parse (every name kept) ${p.fullParseMs.toFixed(0)} ms${p.namesParseMs === null ? '' : `; only ${p.biggest}'s names ${p.namesParseMs.toFixed(1)} ms`}${p.convertMs === null ? '' : `; whole convert() of ${p.biggest} ${p.convertMs.toFixed(0)} ms`}`);
  if (r.startup) {
    const s = r.startup;
    out.push(`start-up: node -e '' ${s.nodeBareMs.toFixed(0)} ms${s.nodeInheritedEnvMs === null ? '' : ` (${s.nodeInheritedEnvMs.toFixed(0)} ms with this shell's ${CA_VAR})`}, klp-convert --version ${s.versionMs.toFixed(0)} ms, 3-symbol conversion ${s.tinyConvertMs.toFixed(0)} ms${s.refTinyConvertMs === null ? '' : ` (reference ${s.refTinyConvertMs.toFixed(1)} ms)`}`);
  }
  out.push(`fsync of the ${r.fsync.input} output (${r.fsync.bytes} bytes), which the CLI no longer does: ${r.fsync.fsyncMs.toFixed(2)} ms (${r.fsync.fsyncSpread[0].toFixed(2)}–${r.fsync.fsyncSpread[1].toFixed(2)}); writing it: ${r.fsync.writeMs.toFixed(2)} ms`);
  if (r.postLink) out.push(...renderPostLinkRows(r.postLink));
  if (r.harness) {
    const h = (x: { casesPerSecond: number | null; cases: number | null; ms: number | null; error: string | null } | null): string =>
      x === null ? '—' : x.casesPerSecond === null ? `did not run (${x.error})` : `${x.casesPerSecond.toFixed(0)} cases/s (${x.cases} cases in ${ms(x.ms)})`;
    const alone = r.harness.referenceAlone;
    out.push(`harness ${r.harness.cases}: golden check ${h(r.harness.withoutReference)}; run --jobs 2 with reference ${h(r.harness.withReference)}${alone ? `; the reference alone, 2 at a time: ${alone.casesPerSecond.toFixed(0)} cases/s (${alone.cases} in ${ms(alone.ms)})` : ''}`);
  }
  if (r.targets) {
    out.push('');
    out.push('| target | measured | met |');
    out.push('|---|---|---|');
    for (const t of r.targets) out.push(`| ${t.target} | ${t.measured} | ${t.met === null ? '—' : t.met ? 'yes' : '**no**'} |`);
  }
  return `${out.join('\n')}\n`;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  log(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
