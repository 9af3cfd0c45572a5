#!/usr/bin/env -S node --max-semi-space-size=2 --optimize-for-size
// V8 tuned for memory: most of what a conversion allocates lives until the output is written, so a
// large young generation buys no time, and optimizing for size keeps a distribution-sized
// conversion ~25 MB smaller for ~0.1 s (measured by `npm run bench`).
// klp-convert: converts a livepatch module's relocations to unresolved kernel symbols into klp
// relocation sections. Exit status: 0 converted; 1 the input was refused (the message says why);
// 2 bad usage; 3 a file could not be read or written; 70 an internal error (a bug: please report).
import { readFileSync } from 'node:fs';
import { convert } from '../convert.js';
import { KlpError } from '../klp/errors.js';
import { lintErrors, lintModuleBytes } from '../klp/lint.js';
import type { Dialect } from '../klp/plan.js';
import { parseSymbolsFile } from '../klp/symbols-file.js';
import { checkMain, formatFinding } from './check.js';
import { FileError, outputIsInput, readInputFile, writeOutput } from './files.js';
import { describeKlpError, oneLine } from './messages.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, io: 3, internal: 70 } as const;

const USAGE = `usage: klp-convert [options] <symbols.klp> <input.ko> <output.ko>   (symbols-list dialect)
       klp-convert [options] <input.ko> <output.ko>                 (annotation dialect)
       klp-convert check [--symbols symbols.klp] [--json] <module.ko>
       klp-convert symbols [--kallsyms F] [--system-map F] [--symvers F] [--modules DIR] -o symbols.klp

Rewrites relocations to symbols the module loader cannot resolve into .klp.rela.<objname>.*
sections and renames their symbols .klp.sym.<objname>.<name>,<sympos> (SHN_LIVEPATCH).

options:
  --dialect symbols|annotation  force a dialect (default: symbols-list when symbols.klp is given)
  --verbose                     one line per converted symbol: objname, name, sympos, relas moved
  --in-place                    allow <output.ko> to be <input.ko>
  --check                       lint the output against the kernel loader's rules before writing
                                it; a failure is a bug in klp-convert (exit 70)
  --help                        show this help
  --version                     show the version

exit status: 0 converted, 1 input refused, 2 bad usage, 3 file not readable/writable, 70 internal error`;

class UsageError extends Error {}

interface Args {
  dialect?: Dialect;
  verbose: boolean;
  inPlace: boolean;
  check: boolean;
  positional: string[];
}

function parseArgs(argv: readonly string[]): Args | 'help' | 'version' {
  const args: Args = { verbose: false, inPlace: false, check: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      args.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--version' || a === '-V') return 'version';
    if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a === '--in-place') args.inPlace = true;
    else if (a === '--check') args.check = true;
    else if (a === '--dialect' || a.startsWith('--dialect=')) {
      const value = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (value !== 'symbols' && value !== 'annotation') throw new UsageError(`--dialect takes 'symbols' or 'annotation', not '${value ?? ''}'`);
      args.dialect = value;
    } else if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}'`);
    else args.positional.push(a);
  }
  return args;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}


export function main(argv: readonly string[]): number {
  // Names come from the input and may hold any byte: every line is made one line.
  const err = (msg: string): void => void process.stderr.write(`klp-convert: ${oneLine(msg)}\n`);
  let symbolsPath: string | undefined;
  let inputPath = '';
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (parsed === 'version') {
      process.stdout.write(`klp-convert ${version()}\n`);
      return EXIT.ok;
    }
    const p = parsed.positional;
    if (p.length !== 2 && p.length !== 3) throw new UsageError(`expected 2 or 3 file arguments, got ${p.length} (see --help)`);
    const dialect: Dialect = parsed.dialect ?? (p.length === 3 ? 'symbols' : 'annotation');
    if (dialect === 'symbols' && p.length !== 3) throw new UsageError('the symbols-list dialect takes <symbols.klp> <input.ko> <output.ko>');
    if (dialect === 'annotation' && p.length !== 2) throw new UsageError('the annotation dialect takes <input.ko> <output.ko>');
    [symbolsPath, inputPath] = p.length === 3 ? [p[0], p[1]!] : [undefined, p[0]!];
    const outputPath = p[p.length - 1]!;
    if (!parsed.inPlace && outputIsInput(inputPath, outputPath)) throw new UsageError(`${outputPath}: output would overwrite the input (use --in-place to allow it)`);
    if (symbolsPath !== undefined && outputIsInput(symbolsPath, outputPath)) throw new UsageError(`${outputPath}: output would overwrite symbols.klp`);
    if (symbolsPath === '-' && inputPath === '-') throw new UsageError('only one of <symbols.klp> and <input.ko> can be standard input');

    const input = readInputFile(inputPath);
    const symbols = symbolsPath === undefined ? undefined : readInputFile(symbolsPath);
    const { output, report } = convert(input, symbols ? { dialect, symbols } : { dialect });
    if (parsed.check) {
      // Our own output breaking a loader rule is our bug, whatever the input: nothing is written.
      const lint = lintModuleBytes(output, symbols ? { symbolsList: parseSymbolsFile(symbols) } : {});
      const errors = lintErrors(lint);
      if (errors.length > 0) {
        for (const f of errors) err(`internal error: the converted module fails the loader lint: ${formatFinding(outputPath, f)}`);
        err('this is a bug in klp-convert; please report it with the input');
        return EXIT.internal;
      }
    }
    writeOutput(outputPath, output);
    for (const w of report.warnings) err(`${inputPath}: warning: ${w}`);
    if (parsed.verbose) {
      for (const s of report.symbols) {
        const from = Object.entries(s.movedFrom).map(([sec, n]) => `${n} from ${sec}`);
        const total = Object.values(s.movedFrom).reduce((a, b) => a + b, 0);
        err(`${s.objname} ${s.name} sympos ${s.sympos}: ${total} rela${total === 1 ? '' : 's'} moved${from.length ? ` (${from.join(', ')})` : ''}`);
      }
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return EXIT.usage;
    }
    if (e instanceof FileError) {
      err(e.message);
      return EXIT.io;
    }
    if (e instanceof KlpError) {
      err(describeKlpError(e, inputPath, symbolsPath));
      for (const line of e.hint) err(`  ${line}`);
      return EXIT.refused;
    }
    err(`internal error: ${(e as Error).message ?? String(e)} (this is a bug in klp-convert; please report it with the input)`);
    return EXIT.internal;
  }
}

const argv = process.argv.slice(2);
if (argv[0] === 'check') process.exitCode = checkMain(argv.slice(1));
else if (argv[0] === 'symbols') process.exitCode = (await import('./symbols.js')).symbolsMain(argv.slice(1));
else process.exitCode = main(argv);
