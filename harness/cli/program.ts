// klp-harness: differential verification of klp-convert against a reference build.
// Exit status: 0 every case passed; 1 some case failed; 2 the harness could not run; 141 standard
// output or error was a pipe its reader closed (main.ts, the bin, ends the process there).
import { FileError } from '../../src/io/index.js';
import { HarnessError } from '../errors.js';
import { SUBCOMMANDS } from './commands.js';

/**
 * closedPipe: 128 + SIGPIPE, what a shell shows for a C tool killed by a closed pipe (`| head`).
 * Not 0 (git's choice): a verdict cut short must never read as a pass, to `set -o pipefail`, to
 * a CI gate, or to `git bisect run` (which aborts on a status above 127 instead of marking good).
 */
export const EXIT = { ok: 0, failed: 1, cannotRun: 2, closedPipe: 141 } as const;

/** A write to a pipe whose reader has gone: a stream's 'error' event, or a FileError of a write to `-`. */
export const isClosedPipe = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'EPIPE';

/**
 * A command's synopsis from its usage: the lines before the first blank one, without the
 * `usage: klp-harness ` in front (continuation lines keep their alignment under the command).
 */
export function synopsis(usage: string): string[] {
  const head = usage.split('\n\n', 1)[0]!.split('\n');
  return head.map((line) => line.replace(/^(usage: klp-harness |       klp-harness | {19})/, ''));
}

/** The top-level help: every command with its summary and every option it takes. */
export async function usage(): Promise<string> {
  const lines = [
    'usage: klp-harness <command> [options]      klp-harness <command> --help: that command\'s usage in full',
    '',
    'commands:',
  ];
  for (const [name, s] of Object.entries(SUBCOMMANDS)) {
    let shown: string[];
    try {
      shown = synopsis((await s.load()).usage);
    } catch (e) {
      // A broken module says so here and still leaves the others' help readable.
      shown = [`${name} (its module does not load: ${e instanceof Error ? e.message : String(e)})`];
    }
    lines.push(`  ${name}: ${s.summary}`, ...shown.map((l) => `      ${l}`));
  }
  lines.push(
    '',
    'A reference\'s label (which model applies) is --reference-label (or --reference-symbols-label,',
    '--reference-annotation-label), else the path segment v4, v5, v7 or minimal in the reference path',
    '(e.g. /tmp/ref/v7/klp-convert → v7).',
    '',
    'exit status: 0 all cases pass, 1 some case failed, 2 the harness could not run,',
    '             141 its output was a pipe closed early (`| head`); bisect-run: 0/1/125/128',
  );
  return lines.join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      process.stdout.write(`${await usage()}\n`);
      return name === undefined ? EXIT.cannotRun : EXIT.ok;
    }
    const sub = SUBCOMMANDS[name];
    if (!sub) throw new HarnessError(`unknown command '${name}' (see klp-harness --help)`);
    const mod = await sub.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${mod.usage}\n`);
      return EXIT.ok;
    }
    return await mod.run(rest);
  } catch (e) {
    // A report written to `-` whose reader has gone: quietly, as main.ts ends a closed stdout.
    if (isClosedPipe(e)) return EXIT.closedPipe;
    if (e instanceof HarnessError || e instanceof FileError) {
      process.stderr.write(`klp-harness: ${e.message}\n`);
      return EXIT.cannotRun;
    }
    throw e;
  }
}
