import { bytesToLatin1 } from '../elf/strings.js';
import { KlpError } from './errors.js';
import { KSYM_NAME_LEN, checkObjname } from './names.js';

export const SYMBOLS_FILE_MAGIC = 'klp-convert-symbol-data.0.1';
const EXPORT_PREFIX = '__ksymtab_';

/**
 * symbols.klp: every object's symbols in kallsyms order, so the Nth occurrence of a name in an
 * object is the symbol the kernel calls sympos N. `__ksymtab_X` entries say X is exported.
 */
export interface SymbolsList {
  /** objname → how many times each name occurs in it. */
  readonly objects: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** name → the objects that list it, with the count in each, in file order of objects. */
  readonly byName: ReadonlyMap<string, ReadonlyArray<{ objname: string; count: number }>>;
  readonly exported: ReadonlySet<string>;
}

export interface ParseOptions {
  /**
   * Record only these names (and their `__ksymtab_` entries). A kernel's symbols.klp lists some
   * 240,000 names and a module asks about a few thousand: every line is still checked, but only
   * the names asked about are kept, so memory follows the module, not the kernel.
   */
  names?: ReadonlySet<string>;
}

/**
 * Parses symbols.klp. Lines end in LF; a CR before it is dropped (files edited on other systems)
 * and empty lines are skipped, where the C tool would take both as part of a name.
 */
export function parseSymbolsFile(bytes: Uint8Array, options: ParseOptions = {}): SymbolsList {
  const text = bytesToLatin1(bytes);
  const wanted = options.names;
  const objects = new Map<string, Map<string, number>>();
  const exported = new Set<string>();
  let current: Map<string, number> | undefined;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (lineNo === 1) {
      if (!line.startsWith(SYMBOLS_FILE_MAGIC)) throw badHeader();
      continue;
    }
    if (line === '') continue;
    if (line.charCodeAt(0) === 42 /* '*' */) {
      const objname = line.slice(1);
      const bad = checkObjname(objname);
      if (bad) throw new KlpError('bad-symbols-file', bad, { line: lineNo });
      current = objects.get(objname);
      if (!current) {
        current = new Map();
        objects.set(objname, current);
      }
      continue;
    }
    if (!current) throw new KlpError('bad-symbols-file', `symbol '${shorten(line)}' comes before any '*object' line`, { line: lineNo });
    // kallsyms cannot hold such a name: the file is corrupt, not merely listing an unusual symbol.
    if (line.length >= KSYM_NAME_LEN) {
      throw new KlpError('bad-symbols-file', `symbol name '${shorten(line)}' is longer than ${KSYM_NAME_LEN - 1} characters`, { line: lineNo });
    }
    if (line.startsWith(EXPORT_PREFIX)) {
      const name = line.slice(EXPORT_PREFIX.length);
      if (!wanted || wanted.has(name)) exported.add(name);
    }
    if (wanted && !wanted.has(line)) continue;
    current.set(line, (current.get(line) ?? 0) + 1);
  }
  if (lineNo === 0) throw badHeader();
  const byName = new Map<string, Array<{ objname: string; count: number }>>();
  for (const [objname, names] of objects) {
    for (const [name, count] of names) {
      const list = byName.get(name);
      if (list) list.push({ objname, count });
      else byName.set(name, [{ objname, count }]);
    }
  }
  return { objects, byName, exported };
}

const badHeader = (): KlpError => new KlpError('bad-symbols-file', `does not start with '${SYMBOLS_FILE_MAGIC}'`, { line: 1 });

const shorten = (name: string): string => (name.length > 40 ? `${name.slice(0, 40)}…` : name);
