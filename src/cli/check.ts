// `klp-convert check FILE.ko [--symbols symbols.klp] [--json]`: the kernel loader's rules, checked
// without a kernel. Exit status: 0 no error (warnings allowed), 1 the module breaks a rule, 2 bad
// usage, 3 a file could not be read (141, a closed pipe, is main.ts's). Every line it prints,
// finding or error, starts with `klp-convert check: ` and is one line, whatever names the module holds.
import {
  describeKlpError, KlpError, lintErrors, type LintFinding, lintModuleBytes, type LintResult,
  oneLine, parseSymbolsFile, type SymbolsList,
} from '../klp/index.js';
import { FileError, readInputFile } from '../io/index.js';

const EXIT = { ok: 0, failed: 1, usage: 2, io: 3 } as const;

/** What starts every line `check` prints, on stdout and stderr alike. */
export const PREFIX = 'klp-convert check: ';

export const CHECK_USAGE = `usage: klp-convert check [--symbols symbols.klp] [--json] <module.ko>

Checks a converted livepatch module against the kernel loader's rules: klp section and symbol
names, SHF_ALLOC|SHF_RELA_LIVEPATCH, sh_link/sh_info, SHN_LIVEPATCH, no ordinary relocation to a
livepatch symbol, no module-object section naming a vmlinux symbol, zero x86 relocation targets,
locals before globals, livepatch=Y. With symbols.klp also: every undefined symbol is exported,
and every sympos fits.

exit status: 0 no error, 1 the module breaks a rule, 2 bad usage, 3 file not readable`;

/** One line per finding: `<file>: [where: ]<rule>: <message>`. */
export function formatFinding(file: string, f: LintFinding): string {
  const where: string[] = [];
  if (f.where.section !== undefined) where.push(`section ${f.where.section}`);
  if (f.where.symbol !== undefined && !f.message.includes(`'${f.where.symbol}'`)) where.push(`symbol '${f.where.symbol}'`);
  if (f.where.offset !== undefined) where.push(`offset 0x${f.where.offset.toString(16)}`);
  return `${file}: ${f.severity === 'warning' ? 'warning: ' : ''}${where.length ? `${where.join(', ')}: ` : ''}${f.rule}: ${f.message}`;
}

export function lintSummary(file: string, r: LintResult): string[] {
  return [...r.findings.map((f) => formatFinding(file, f)), ...r.unchecked.map((u) => `${file}: note: ${u.rule} not checked: ${u.why}`)];
}

export function checkMain(argv: readonly string[]): number {
  const err = (msg: string): void => void process.stderr.write(`${PREFIX}${oneLine(msg)}\n`);
  let symbolsPath: string | undefined;
  let json = false;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${CHECK_USAGE}\n`);
      return EXIT.ok;
    }
    if (a === '--json') json = true;
    else if (a === '--symbols' || a.startsWith('--symbols=')) {
      symbolsPath = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!symbolsPath) {
        err('--symbols needs a file');
        return EXIT.usage;
      }
    } else if (a.startsWith('-') && a.length > 1) {
      err(`unknown option '${a}'`);
      return EXIT.usage;
    } else files.push(a);
  }
  if (files.length !== 1) {
    err(`expected one module, got ${files.length} (see --help)`);
    return EXIT.usage;
  }
  const file = files[0]!;
  let bytes: Uint8Array;
  let symbolsList: SymbolsList | undefined;
  try {
    bytes = readInputFile(file);
    if (symbolsPath !== undefined) symbolsList = parseSymbolsFile(readInputFile(symbolsPath));
  } catch (e) {
    if (e instanceof KlpError) {
      err(describeKlpError(e, file, symbolsPath));
      return EXIT.usage;
    }
    if (e instanceof FileError) {
      err(e.message);
      return EXIT.io;
    }
    err(`internal error: ${(e as Error).message ?? String(e)} (this is a bug in klp-convert; please report it with the input)`);
    return 70;
  }
  const result = lintModuleBytes(bytes, symbolsList ? { symbolsList } : {});
  if (json) process.stdout.write(`${JSON.stringify({ file, ...result }, null, 2)}\n`);
  else for (const line of lintSummary(file, result)) process.stdout.write(`${PREFIX}${oneLine(line)}\n`);
  return lintErrors(result).length > 0 ? EXIT.failed : EXIT.ok;
}
