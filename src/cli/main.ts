#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// klp-convert: converts a livepatch module's relocations to unresolved kernel symbols into klp
// relocation sections. Exit status: 0 converted; 1 the input was refused (the message says why);
// 2 bad usage; 3 a file could not be read or written; 70 an internal error (a bug: please report);
// 141 standard output or error was a pipe its reader closed (`| head`): nothing more is written
// and nothing is said, for every subcommand (see guardStdio below).
//
// Start-up is most of a small conversion, so (docs/performance.md has the measurements):
// - no V8 flags on the #! line: any flag changes V8's flag hash, and Node then rejects the code
//   cache of its own built-in modules and compiles them from source (~15 ms);
// - NODE_EXTRA_CA_CERTS is dropped: Node 20 parses that certificate file at start-up, before any
//   script runs (~60 ms for a distribution's bundle), and klp-convert makes no TLS connection;
// - the `check` and `symbols` subcommands and `--check` load their modules only when used;
// - `npm run build` bundles this file into one CommonJS file (scripts/build-cli.mjs), the bin.
import { readFileSync } from 'node:fs';
import { convert } from '../convert.js';
import { describeKlpError, type Dialect, KlpError, oneLine, parseSymbolsFile } from '../klp/index.js';
import { FileError, openInputFile, outputIsInput, readInputFile, writeOutput } from '../io/index.js';

/** The package version, built into the bundle by scripts/build-cli.mjs; tsc's build reads package.json. */
declare const KLP_CONVERT_VERSION: string | undefined;

/** Modules at least this large are converted with V8 optimising for memory (see main). */
const OPTIMIZE_FOR_SIZE_FROM = 1024 * 1024;

/**
 * 141 = 128 + SIGPIPE, what a shell shows for a C tool killed by a closed pipe. Not 0, as git
 * gives: output cut short is not a success (`set -o pipefail` scripts and CI gates see it).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, io: 3, internal: 70, closedPipe: 141 } as const;

/**
 * A write to a pipe whose reader has gone: process.stdout's 'error' event, or the FileError of
 * an output written to `-` (by code: the lazily loaded subcommands have their own FileError class).
 */
const isClosedPipe = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'EPIPE';

let stdioGuarded = false;
/**
 * The one place klp-convert handles a closed standard output or error, for every subcommand: it
 * stops there with EXIT.closedPipe, and no stack trace (Node's default for an unhandled EPIPE).
 * Installed when the first line is about to be written, not at start-up: a conversion that says
 * nothing never creates the streams (docs/performance.md counts start-up in milliseconds).
 */
function guardStdio(): void {
  if (stdioGuarded) return;
  stdioGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: unknown) => {
      if (isClosedPipe(e) || stream === process.stderr) process.exit(isClosedPipe(e) ? EXIT.closedPipe : EXIT.io);
      process.stderr.write(`klp-convert: standard output: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
      process.exit(EXIT.io);
    });
  }
}

const USAGE = `usage: klp-convert [options] <symbols.klp> <input.ko> <output.ko>   (symbols-list dialect)
       klp-convert [options] <input.ko> <output.ko>                 (annotation or post-link dialect)
       klp-convert post-link [options] <input.ko> <output.ko>       (klp-build's __klp_relocs, Linux >= 6.19)
       klp-convert post-link --in-place <module.ko>                 (as objtool klp post-link does)
       klp-convert check [--symbols symbols.klp] [--json] <module.ko>
       klp-convert symbols [--kallsyms F] [--system-map F] [--vmlinux F] [--symvers F] [--modules DIR] -o symbols.klp

Rewrites relocations to symbols the module loader cannot resolve into .klp.rela.<objname>.*
sections whose symbols are .klp.sym.<objname>.<name>,<sympos> (SHN_LIVEPATCH).

options:
  --dialect symbols|annotation|post-link
                                force a dialect (default: symbols-list when symbols.klp is given,
                                else post-link when the module has __klp_relocs sections, else
                                annotation; a module with KLP_SYMPOS annotations needs symbols.klp)
  --verbose                     one line per converted symbol: objname, name, sympos, relas moved
  --in-place                    allow <output.ko> to be <input.ko>
  --check                       lint the output against the kernel loader's rules before writing
                                it: a rule the input already breaks is refused (exit 1), one the
                                conversion breaks is a bug in klp-convert (exit 70)
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
      if (value !== 'symbols' && value !== 'annotation' && value !== 'post-link') {
        throw new UsageError(`--dialect takes 'symbols', 'annotation' or 'post-link', not '${value ?? ''}'`);
      }
      args.dialect = value;
    } else if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}'`);
    else args.positional.push(a);
  }
  return args;
}

function version(): string {
  if (typeof KLP_CONVERT_VERSION === 'string') return KLP_CONVERT_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}


export async function main(argv: readonly string[], subcommand?: 'post-link'): Promise<number> {
  // Names come from the input and may hold any byte: every line is made one line.
  const err = (msg: string): void => {
    guardStdio();
    process.stderr.write(`klp-convert: ${oneLine(msg)}\n`);
  };
  let symbolsPath: string | undefined;
  let inputPath = '';
  try {
    const parsed = parseArgs(argv);
    if (parsed === 'help' || parsed === 'version') guardStdio();
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (parsed === 'version') {
      process.stdout.write(`klp-convert ${version()}\n`);
      return EXIT.ok;
    }
    const p = parsed.positional;
    if (subcommand === 'post-link') {
      if (parsed.dialect !== undefined && parsed.dialect !== 'post-link') throw new UsageError(`post-link converts the post-link dialect, not --dialect ${parsed.dialect}`);
      parsed.dialect = 'post-link';
      // objtool's form: one module, rewritten where it is.
      if (p.length === 1 && parsed.inPlace) p.push(p[0]!);
      if (p.length !== 2) throw new UsageError(`post-link takes <input.ko> <output.ko>, or --in-place <module.ko> (got ${p.length} file arguments)`);
    }
    if (p.length !== 2 && p.length !== 3) throw new UsageError(`expected 2 or 3 file arguments, got ${p.length} (see --help)`);
    const dialect: Dialect | undefined = parsed.dialect ?? (p.length === 3 ? 'symbols' : undefined);
    if (dialect === 'symbols' && p.length !== 3) throw new UsageError('the symbols-list dialect takes <symbols.klp> <input.ko> <output.ko>');
    if (dialect !== undefined && dialect !== 'symbols' && p.length !== 2) throw new UsageError(`the ${dialect} dialect takes <input.ko> <output.ko>, no symbols.klp`);
    [symbolsPath, inputPath] = p.length === 3 ? [p[0], p[1]!] : [undefined, p[0]!];
    const outputPath = p[p.length - 1]!;
    if (!parsed.inPlace && outputIsInput(inputPath, outputPath)) throw new UsageError(`${outputPath}: output would overwrite the input (use --in-place to allow it)`);
    if (symbolsPath !== undefined && outputIsInput(symbolsPath, outputPath)) throw new UsageError(`${outputPath}: output would overwrite symbols.klp`);
    if (symbolsPath === '-' && inputPath === '-') throw new UsageError('only one of <symbols.klp> and <input.ko> can be standard input');

    const input = readInputFile(inputPath);
    // Most of what a conversion allocates lives until the output is written, and V8's default
    // heap sizing then grows the heap well past what is live: for a large module, trade ~10 % of
    // the time for ~20 % less memory (docs/performance.md). Not on the #! line: a V8 flag there
    // costs every run Node's code cache for its built-in modules.
    if (input.length >= OPTIMIZE_FOR_SIZE_FROM) (await import('node:v8')).setFlagsFromString('--optimize-for-size');
    // symbols.klp is opened now (so it is refused, if it must be, before the module is looked
    // at) and read in pieces by the conversion; --check reads it whole, for the lint too.
    const symbolsFile = symbolsPath === undefined || parsed.check ? undefined : openInputFile(symbolsPath);
    const symbols = symbolsPath !== undefined && parsed.check ? readInputFile(symbolsPath) : undefined;
    let converted: ReturnType<typeof convert>;
    try {
      const source = symbolsFile ?? symbols;
      converted = convert(input, { ...(dialect ? { dialect } : {}), ...(source ? { symbols: source } : {}) });
    } finally {
      symbolsFile?.close();
    }
    const { output, report } = converted;
    if (parsed.check) {
      const [{ INPUT_RULES, lintErrors, lintModuleBytes }, { formatFinding }] = await Promise.all([import('../klp/lint.js'), import('./check.js')]);
      const options = symbols ? { symbolsList: parseSymbolsFile(symbols) } : {};
      const lint = lintModuleBytes(output, options);
      // What the input says of itself (no livepatch=Y, say) is a warning about the input, not our bug.
      for (const f of lintErrors(lint).filter((x) => INPUT_RULES.has(x.rule))) err(formatFinding(inputPath, { ...f, severity: 'warning' }));
      const errors = lintErrors(lint).filter((x) => !INPUT_RULES.has(x.rule));
      if (errors.length > 0) {
        // A rule the input breaks the same way is the input's problem (a symbols-list module given
        // no symbols.klp, say); only a finding the conversion brought in is our bug.
        const before = new Set(lintErrors(lintModuleBytes(input, options)).map((f) => formatFinding('', f)));
        const ours = errors.filter((f) => !before.has(formatFinding('', f)));
        if (ours.length === 0) {
          for (const f of errors) err(formatFinding(inputPath, f));
          err(`${inputPath}: the module breaks ${errors.length === 1 ? 'this loader rule' : `these ${errors.length} loader rules`} before and after conversion; nothing written`);
          return EXIT.refused;
        }
        // Our own output breaking a loader rule is our bug, whatever the input: nothing is written.
        for (const f of ours) err(`internal error: the converted module fails the loader lint: ${formatFinding(outputPath, f)}`);
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
        err(`${s.objname} ${s.name} sympos ${s.sympos}: ${total} rela${total === 1 ? '' : 's'} ${report.dialect === 'post-link' ? 'written' : 'moved'}${from.length ? ` (${from.join(', ')})` : ''}`);
      }
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return EXIT.usage;
    }
    if (isClosedPipe(e)) return EXIT.closedPipe; // output to `-`, a pipe closed early: quietly
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
// The subcommands write as they go: their streams are guarded from the start.
if (argv[0] === 'check' || argv[0] === 'symbols') guardStdio();
const run: Promise<number> =
  argv[0] === 'check' ? import('./check.js').then((m) => m.checkMain(argv.slice(1)))
  : argv[0] === 'symbols' ? import('./symbols.js').then((m) => m.symbolsMain(argv.slice(1)))
  : argv[0] === 'post-link' ? main(argv.slice(1), 'post-link')
  : main(argv);
run.then(
  (code) => void (process.exitCode = code),
  (e: unknown) => {
    // `symbols -o -` into a closed pipe: the subcommand passes the EPIPE on, to be quiet here.
    if (isClosedPipe(e)) {
      process.exitCode = EXIT.closedPipe;
      return;
    }
    guardStdio();
    process.stderr.write(`klp-convert: internal error: ${oneLine(e instanceof Error ? e.message : String(e))} (this is a bug in klp-convert; please report it)\n`);
    process.exitCode = EXIT.internal;
  },
);
