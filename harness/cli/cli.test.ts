// Both CLIs as users run them (the built bins, real processes): a closed pipe ends every command
// quietly with the documented status, every command's help names every option it takes, `load`
// takes its references' labels, and `golden check --cases DIR` is a subset like `golden check DIR`.
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../args.js';
import { LOAD_OPTIONS, loadReferences } from '../kernel/cli.js';
import { SUBCOMMANDS } from './commands.js';
import { EXIT, synopsis, usage } from './program.js';

const ROOT = join(import.meta.dirname, '../..');
const CONVERT = join(ROOT, 'dist/src/cli/main.js');
const HARNESS = join(ROOT, 'dist/harness/cli/main.js');
const CASE_ID = 'x86_64-gcc-12-O2-ffs-symbols-sections';
const CASE = join(ROOT, 'cases/compiled', CASE_ID);
/** The documented status of a command whose output pipe was closed (README, docs/cli.md). */
const CLOSED_PIPE = 141;
let dir: string;

beforeAll(async () => {
  // tsc's dist/src/cli/main.js is the CLI's own source, unbundled (the bundle is bundle.test.ts's).
  await execa('npx', ['tsc', '-p', '.'], { cwd: ROOT, reject: false });
  dir = mkdtempSync(join(tmpdir(), 'klp-epipe-'));
  writeFileSync(join(dir, 'kallsyms'), 'ffffffff81000000 T printk\nffffffff81001000 t dup\nffffffff81002000 t dup\n');
}, 300_000);

interface Closed {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs a bin with its stdout (or stderr) a pipe whose reader is gone before the command writes a
 * byte (node takes tens of milliseconds to start): the first write meets EPIPE, every time.
 */
function withClosedPipe(bin: string, args: readonly string[], closed: 'stdout' | 'stderr' = 'stdout'): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child[closed].destroy();
    let stderr = '';
    if (closed === 'stdout') child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    else child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** A test's name: the arguments, paths relative to the repository. */
const title = (args: readonly string[]): string => args.map((a) => a.replace(`${ROOT}/`, '')).join(' ') || '(no arguments)';

const quiet = (r: Closed): void => {
  expect(r.stderr).not.toMatch(/^\s+at |EPIPE|Error:/m);
  expect(r.signal).toBeNull();
  expect(r.code).toBe(CLOSED_PIPE);
};

describe('a closed pipe ends a command quietly, with status 141', () => {
  it('is the status both CLIs document', () => {
    expect(EXIT.closedPipe).toBe(CLOSED_PIPE);
  });

  const convertCommands: string[][] = [
    ['--help'],
    ['--version'],
    ['post-link', '--help'],
    ['check', '--help'],
    ['symbols', '--help'],
    ['check', join(CASE, 'input.ko')], // findings, one line each
    ['check', '--json', join(CASE, 'input.ko')],
    ['symbols', '--kallsyms', '@kallsyms', '-o', '-'], // symbols.klp to standard output
    [join(CASE, 'symbols.klp'), join(CASE, 'input.ko'), '-'], // the converted module to standard output
  ];
  it.each(convertCommands.map((a) => [title(a), a] as const))('klp-convert %s', async (_name, args) => {
    quiet(await withClosedPipe(CONVERT, args.map((a) => a.replace('@kallsyms', join(dir, 'kallsyms')))));
  });

  it('klp-convert --verbose with standard error closed', async () => {
    quiet(await withClosedPipe(CONVERT, ['--verbose', join(CASE, 'symbols.klp'), join(CASE, 'input.ko'), join(dir, 'out.ko')], 'stderr'));
  });

  const harnessCommands: string[][] = [
    [],
    ['--help'],
    ...Object.keys(SUBCOMMANDS).map((name) => [name, '--help']),
    ['list'],
    ['list', '--json'],
    ['deviations'],
    ['deviations', '--json'],
    ['deviations', '--markdown'],
    ['dump', join(CASE, 'input.ko')],
    ['golden', 'check', CASE_ID],
    ['bisect-run', CASE_ID],
    ['load', '--list-kernels'],
    ['run', '--reference', '@ours', '--reference-label', 'mine', CASE],
  ];
  it.each(harnessCommands.map((a) => [title(a), a] as const))('klp-harness %s', async (_name, args) => {
    // Our own bin as the reference of `run`: any executable klp-convert will do.
    const ours = join(ROOT, 'dist/src/cli/main.cjs');
    if (args.includes('@ours') && !existsSync(ours)) throw new Error(`${ours} missing: npm run build`);
    quiet(await withClosedPipe(HARNESS, args.map((a) => (a === '@ours' ? ours : a))));
  });

  it('klp-harness list | head -1, as the issue ran it (more output than a pipe holds)', async () => {
    const r = await execa('bash', ['-c', 'node "$0" list | head -1; exit ${PIPESTATUS[0]}', HARNESS], { cwd: ROOT, reject: false });
    expect(r.stdout.split('\n')).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(CLOSED_PIPE);
  });
});

describe('help', () => {
  it('klp-harness --help and each command\'s --help name every option the command takes', async () => {
    const top = await usage();
    for (const [name, s] of Object.entries(SUBCOMMANDS)) {
      const mod = await s.load();
      const shown = synopsis(mod.usage).join('\n');
      for (const option of Object.keys(mod.options)) expect(shown, `${name} --help`).toMatch(new RegExp(`--${option}(?![\\w-])`));
      expect(top, `klp-harness --help, ${name}`).toContain(shown.split('\n').map((l) => `      ${l}`).join('\n'));
    }
  });

  it('klp-convert --help shows the post-link dialect and --vmlinux on the symbols line', async () => {
    const r = await execa('node', [CONVERT, '--help'], { reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ +klp-convert post-link \[options\] <input\.ko> <output\.ko>/m);
    expect(r.stdout).toMatch(/^ +klp-convert post-link --in-place <module\.ko>/m);
    expect(r.stdout).toMatch(/^ +klp-convert symbols .*--vmlinux F/m);
    expect(r.stdout).toMatch(/--dialect symbols\|annotation\|post-link/);
  });
});

describe('klp-harness load takes the labels of its references', () => {
  const usageSays = (words: string): string => {
    const path = join(dir, `ref-${words.length}`);
    writeFileSync(path, `#!/bin/sh\necho "usage: klp-convert ${words}" >&2\nexit 1\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('--reference PATH --reference-label L, and the per-dialect forms', async () => {
    const symbols = usageSays('<symbols.klp> <input.ko> <output.ko>');
    const annotation = usageSays('<input.ko> <output.ko>');
    const one = await loadReferences(parseArgs(['--reference', symbols, '--reference-label', 'v7'], LOAD_OPTIONS, 'load'));
    expect(one.labels).toEqual({ symbols: 'v7' });
    expect(one.commands.symbols?.binary).toBe(symbols);
    const two = await loadReferences(parseArgs(['--reference-symbols', symbols, '--reference-symbols-label', 'mine', '--reference-annotation', annotation, '--reference-annotation-label', 'minimal'], LOAD_OPTIONS, 'load'));
    expect(two.labels).toEqual({ symbols: 'mine', annotation: 'minimal' });
  });

  it('refuses a label without its reference', async () => {
    await expect(loadReferences(parseArgs(['--reference-label', 'v7'], LOAD_OPTIONS, 'load'))).rejects.toThrow(/--reference-label needs --reference PATH/);
  });

  it('is accepted on the command line (the issue: "unknown option \'--reference-label\'")', async () => {
    const r = await execa('node', [HARNESS, 'load', '--reference-label', 'v7', '--cases', join(dir, 'no-cases')], { cwd: ROOT, reject: false });
    expect(r.stderr).not.toMatch(/unknown option/);
    expect(r.exitCode).toBe(2);
  });
});

describe('golden check --cases names a subset like a CASE directory does', () => {
  it('judges the goldens of cases/deviations only', async () => {
    for (const args of [['--cases', 'cases/deviations'], ['cases/deviations']]) {
      const r = await execa('node', [HARNESS, 'golden', 'check', ...args], { cwd: ROOT, reject: false });
      expect(r.stdout, args.join(' ')).toMatch(/^golden check: \d+ pass, 0 differ, 0 without golden, 0 golden without case$/m);
      expect(r.exitCode, args.join(' ')).toBe(0);
    }
  });
});
