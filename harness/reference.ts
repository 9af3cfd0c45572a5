// Runs the C reference klp-convert as a subprocess: no shell, a timeout, its output in a temporary
// directory that is always removed.
import { execa } from 'execa';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Case } from './case.js';
import { HarnessError } from './errors.js';

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
/** Keep at most this much of the reference's stderr: a broken build may print megabytes. */
const STDERR_LIMIT = 64 * 1024;
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

/** Runs the reference on one case the way a user would: `ref [symbols.klp] input.ko output.ko`. */
/** The run was interrupted (Ctrl-C) while the reference ran: the case has no verdict. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

export async function runReference(ref: ReferenceCommand, c: Case, timeoutMs = DEFAULT_REFERENCE_TIMEOUT_MS, signal?: AbortSignal): Promise<ReferenceOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'klp-ref-'));
  const out = join(dir, 'output.ko');
  const args = [...ref.argv.slice(1), ...(c.symbols ? [resolve(c.symbols)] : []), resolve(c.input), out];
  const started = performance.now();
  try {
    const r = await execa(ref.argv[0]!, args, {
      reject: false,
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      stdin: 'ignore',
      stdout: 'ignore',
      stripFinalNewline: false,
      maxBuffer: { stderr: STDERR_LIMIT },
      cwd: dir,
      env: { LC_ALL: 'C' },
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (r.isCanceled) throw new InterruptedError('interrupted');
    const ms = performance.now() - started;
    const stderr = typeof r.stderr === 'string' ? r.stderr.slice(0, STDERR_LIMIT) : '';
    if (r.timedOut) return { kind: 'timeout', stderr, ms };
    // Neither an exit status nor a signal: the process never started (a missing wrapper, ENOEXEC).
    // That is the harness unable to run, not the reference refusing the case.
    if (r.exitCode === undefined && !r.signal) throw new HarnessError(`cannot run the reference: ${r.shortMessage ?? r.message}`);
    if (r.signal && r.exitCode === undefined) return { kind: 'crash', signal: r.signal, stderr, ms };
    if (r.exitCode === 0 && existsSync(out)) {
      // A broken build can write gigabytes for a hostile input (libelf lays out a section of any
      // claimed size): that is a wrong answer, not something to read into memory.
      const size = statSync(out).size;
      if (size > OUTPUT_LIMIT) return { kind: 'reject', exitCode: 0, stderr: `${stderr}reference wrote a ${size}-byte output (more than ${OUTPUT_LIMIT} bytes)`, ms };
      return { kind: 'ok', output: new Uint8Array(readFileSync(out)), stderr, ms };
    }
    return { kind: 'reject', exitCode: r.exitCode ?? -1, stderr, ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
