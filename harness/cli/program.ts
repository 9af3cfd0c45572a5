// klp-harness: differential verification of klp-convert against a reference build.
// Exit status: 0 every case passed; 1 some case failed; 2 the harness could not run.
import { FileError } from '../../src/io/index.js';
import { HarnessError } from '../errors.js';
import { SUBCOMMANDS } from './commands.js';

export const EXIT = { ok: 0, failed: 1, cannotRun: 2 } as const;

function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  return [
    'usage: klp-harness <command> [options]      klp-harness <command> --help: that command\'s usage',
    '',
    'commands:',
    ...Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`),
    '',
    'A reference\'s label (which model applies) is --reference-label, else the path segment',
    'v4, v5, v7 or minimal in the reference path (e.g. /tmp/ref/v7/klp-convert → v7).',
    '',
    'exit status: 0 all cases pass, 1 some case failed, 2 the harness could not run',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT.cannotRun : EXIT.ok;
  }
  const sub = SUBCOMMANDS[name];
  try {
    if (!sub) throw new HarnessError(`unknown command '${name}' (see klp-harness --help)`);
    const mod = await sub.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${mod.usage}\n`);
      return EXIT.ok;
    }
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof HarnessError || e instanceof FileError) {
      process.stderr.write(`klp-harness: ${e.message}\n`);
      return EXIT.cannotRun;
    }
    throw e;
  }
}

