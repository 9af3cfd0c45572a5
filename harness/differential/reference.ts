// Runs the C reference klp-convert as a subprocess (through harness/spawner.ts): no shell, a
// timeout, its output in a temporary directory of the harness's own, emptied after every run.
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { readInputFile, writeOutput } from '../../src/io/index.js';
import type { Case } from '../case.js';
import { HarnessError } from '../errors.js';
import { runProcess } from './spawner.js';

export interface ReferenceCommand {
  /** argv prefix: [binary] or [wrapper, ...wrapperArgs, binary]. */
  argv: string[];
  /** The reference binary itself (last element of argv), for provenance. */
  binary: string;
}

export type ReferenceOutcome =
  | { kind: 'ok'; output: Uint8Array; stderr: string; ms: number }
  | { kind: 'reject'; exitCode: number; stderr: string; ms: number }
  | { kind: 'crash'; signal: string; stderr: string; ms: number }
  | { kind: 'timeout'; stderr: string; ms: number };

export const DEFAULT_REFERENCE_TIMEOUT_MS = 30_000;
/** Outputs past this are refused unread; a module that large is not a livepatch module. */
const OUTPUT_LIMIT = 512 * 1024 * 1024;

/** Splits `--reference-cmd 'WRAPPER… PATH'` on whitespace (no shell, so no quoting rules). */
export function referenceCommand(opts: { reference?: string; referenceCmd?: string }): ReferenceCommand {
  const argv = opts.referenceCmd !== undefined ? opts.referenceCmd.trim().split(/\s+/).filter(Boolean) : opts.reference !== undefined ? [opts.reference] : [];
  if (argv.length === 0) throw new HarnessError('no reference given (--reference PATH or --reference-cmd "WRAPPER… PATH")');
  const binary = resolve(argv[argv.length - 1]!);
  if (!existsSync(binary)) throw new HarnessError(`reference ${binary}: no such file`);
  if (!statSync(binary).isFile()) throw new HarnessError(`reference ${binary}: not a file`);
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new HarnessError(`reference ${binary}: not executable`);
  }
  argv[argv.length - 1] = binary;
  return { argv, binary };
}

/** The run was interrupted (Ctrl-C) while the reference ran: the case has no verdict. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/**
 * The arguments after the reference's own argv. klp-convert: `[symbols.klp] input.ko output.ko`.
 * A post-link case runs the way klp-build runs its last step, on a copy of the input rewritten in
 * place: `objtool klp post-link output.ko`, or `klp-convert post-link --in-place output.ko` for a
 * reference that is a klp-convert (its file name says which).
 */
export function referenceArgs(ref: ReferenceCommand, c: Pick<Case, 'dialect' | 'symbols' | 'input'>, out: string): string[] {
  if (c.dialect === 'post-link') {
    const objtool = basename(ref.binary).startsWith('objtool');
    return [...ref.argv.slice(1), ...(objtool ? ['klp', 'post-link'] : ['post-link', '--in-place']), out];
  }
  return [...ref.argv.slice(1), ...(c.symbols ? [resolve(c.symbols)] : []), resolve(c.input), out];
}

/** Runs the reference on one case the way a user would (see referenceArgs). */
export async function runReference(ref: ReferenceCommand, c: Case, timeoutMs = DEFAULT_REFERENCE_TIMEOUT_MS, signal?: AbortSignal): Promise<ReferenceOutcome> {
  const dir = workDirs.pop() ?? mkdtempSync(join(tmpdir(), 'klp-ref-'));
  const out = join(dir, 'output.ko');
  if (c.dialect === 'post-link') writeOutput(out, readInputFile(c.input));
  const args = referenceArgs(ref, c, out);
  const started = performance.now();
  try {
    const r = await runProcess({ file: ref.argv[0]!, args, cwd: dir, env: { LC_ALL: 'C' }, timeoutMs }, signal);
    const ms = performance.now() - started;
    const { stderr } = r;
    // The program never started (a missing wrapper, ENOEXEC): the harness is unable to run, not
    // the reference refusing the case.
    if (r.how === 'not-started') throw new HarnessError(`cannot run the reference ${ref.argv[0]!}: ${r.message}`);
    if (r.how === 'interrupted') throw new InterruptedError('interrupted');
    if (r.how === 'timeout') return { kind: 'timeout', stderr, ms };
    if (r.how === 'signal') return { kind: 'crash', signal: r.signal, stderr, ms };
    if (r.exitCode === 0 && existsSync(out)) {
      // A broken build can write gigabytes for a hostile input (libelf lays out a section of any
      // claimed size): that is a wrong answer, not something to read into memory.
      const size = statSync(out).size;
      if (size > OUTPUT_LIMIT) return { kind: 'reject', exitCode: 0, stderr: `${stderr}reference wrote a ${size}-byte output (more than ${OUTPUT_LIMIT} bytes)`, ms };
      return { kind: 'ok', output: new Uint8Array(readFileSync(out)), stderr, ms };
    }
    return { kind: 'reject', exitCode: r.exitCode, stderr, ms };
  } finally {
    releaseWorkDir(dir);
  }
}

/**
 * Directories the reference ran in, emptied, for the next run (removing and making one per case
 * cost more than a fast reference run); all are removed when the process exits.
 */
const workDirs: string[] = [];
const allWorkDirs = new Set<string>();

function releaseWorkDir(dir: string): void {
  if (allWorkDirs.size === 0) {
    process.once('exit', () => {
      for (const d of allWorkDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  allWorkDirs.add(dir);
  // Whatever the reference left (its output, a temporary file of libelf's) goes; the directory stays.
  const left = readdirSync(dir);
  for (const f of left) rmSync(join(dir, f), { recursive: true, force: true });
  workDirs.push(dir);
}

