// `klp-convert symbols …`: reads what a kernel says about its symbols and writes symbols.klp.
// Exit status: 0 written; 1 an input is malformed; 2 bad usage; 3 a file could not be read,
// decompressed or written (141, `-o -` into a closed pipe, is main.ts's: the EPIPE goes to it).
import { basename } from 'node:path';
import {
  generateSymbolsFile, KlpError, moduleSymbols, type ObjectSymbols, oneLine, parseKallsyms, parseModuleSymvers,
  parseSystemMap, type SymbolSources, vmlinuxSymbols,
} from '../klp/index.js';
import {
  FileError, findModuleFiles, MODULE_SUFFIXES, readInputFile, readModuleFile,
  writeOutput,
} from '../io/index.js';

const EXIT = { ok: 0, refused: 1, usage: 2, io: 3 } as const;

export const SYMBOLS_USAGE = `usage: klp-convert symbols [--kallsyms FILE] [--system-map FILE] [--vmlinux FILE]
                           [--symvers Module.symvers] [--modules DIR]… -o symbols.klp

Writes the symbols-list file klp-convert reads: every object's symbols in the kernel's own order
(the Nth duplicate of a name is the one kallsyms calls sympos N), exported symbols marked
__ksymtab_<name>. vmlinux comes from --kallsyms (a /proc/kallsyms dump, which also gives every
module loaded then), else --system-map, else --vmlinux. --modules reads every .ko, .ko.xz and
.ko.zst under DIR for modules kallsyms did not have. The same inputs always give the same bytes.

exit status: 0 written, 1 an input is malformed, 2 bad usage, 3 file not readable/writable`;

class UsageError extends Error {}

interface SymbolsArgs {
  kallsyms?: string;
  systemMap?: string;
  vmlinux?: string;
  symvers?: string;
  modules: string[];
  output?: string;
}

function parse(argv: readonly string[]): SymbolsArgs | 'help' {
  const out: SymbolsArgs = { modules: [] };
  const single = { '--kallsyms': 'kallsyms', '--system-map': 'systemMap', '--vmlinux': 'vmlinux', '--symvers': 'symvers', '-o': 'output', '--output': 'output' } as const;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--modules') out.modules.push(value());
    else if (flag in single) {
      const key = single[flag as keyof typeof single];
      if (out[key] !== undefined) throw new UsageError(`${flag} given twice`);
      out[key] = value();
    } else throw new UsageError(a.startsWith('-') ? `unknown option '${a}'` : `unexpected argument '${a}'`);
  }
  return out;
}

const read = (path: string): Uint8Array => readInputFile(path);

const readText = (path: string): string => Buffer.from(read(path)).toString('latin1');

const moduleFileName = (path: string): string => {
  const base = basename(path);
  const suffix = MODULE_SUFFIXES.find((s) => base.endsWith(s))!;
  return base.slice(0, -suffix.length);
};

export function symbolsMain(argv: readonly string[]): number {
  const err = (msg: string): void => void process.stderr.write(`klp-convert symbols: ${oneLine(msg)}\n`);
  let current = '';
  try {
    const args = parse(argv);
    if (args === 'help') {
      process.stdout.write(`${SYMBOLS_USAGE}\n`);
      return EXIT.ok;
    }
    if (!args.output) throw new UsageError('-o symbols.klp is required');
    if (!args.kallsyms && !args.systemMap && !args.vmlinux && args.modules.length === 0) {
      throw new UsageError('give at least one of --kallsyms, --system-map, --vmlinux, --modules');
    }
    const sources: SymbolSources = {};
    const exports = new Map<string, Set<string>>();
    const addExports = (objname: string, names: Iterable<string>): void => {
      let set = exports.get(objname);
      if (!set) exports.set(objname, (set = new Set()));
      for (const n of names) set.add(n);
    };
    if (args.kallsyms) sources.kallsyms = parseKallsyms(readText((current = args.kallsyms)));
    if (args.systemMap) sources.vmlinux = parseSystemMap(readText((current = args.systemMap)));
    else if (args.vmlinux) sources.vmlinux = vmlinuxSymbols(read((current = args.vmlinux)));
    if (args.symvers) for (const [o, names] of parseModuleSymvers(readText((current = args.symvers)))) addExports(o, names);
    const modules: ObjectSymbols[] = [];
    for (const dir of args.modules) {
      for (const file of findModuleFiles(dir)) {
        current = file;
        const { symbols, exports: own } = moduleSymbols(readModuleFile(file), moduleFileName(file));
        modules.push(symbols);
        addExports(symbols.objname, own);
      }
    }
    current = '';
    sources.modules = modules;
    sources.exports = exports;
    const bytes = generateSymbolsFile(sources);
    writeOutput(args.output, bytes);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${e.message} (see --help)`);
      return EXIT.usage;
    }
    if (e instanceof FileError && e.code === 'EPIPE') throw e; // main.ts ends a closed pipe quietly
    if (e instanceof FileError) {
      err(e.message);
      return EXIT.io;
    }
    if (e instanceof KlpError) {
      const at = e.where.line !== undefined ? `:${e.where.line}` : '';
      err(`${current}${at}: ${e.reason}`);
      return EXIT.refused;
    }
    err(`internal error: ${(e as Error).message ?? String(e)} (this is a bug in klp-convert; please report it with the input)`);
    return 70;
  }
}
