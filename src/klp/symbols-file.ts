import { bytesToLatin1 } from '../elf/strings.js';
import { KlpError } from './errors.js';
import { checkObjname } from './names.js';

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

/**
 * Parses symbols.klp. Lines end in LF; a CR before it is dropped (files edited on other systems)
 * and empty lines are skipped, where the C tool would take both as part of a name.
 */
export function parseSymbolsFile(bytes: Uint8Array): SymbolsList {
  const text = bytesToLatin1(bytes);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const first = lines[0]?.replace(/\r$/, '');
  if (first === undefined || !first.startsWith(SYMBOLS_FILE_MAGIC)) {
    throw new KlpError('bad-symbols-file', `does not start with '${SYMBOLS_FILE_MAGIC}'`, { line: 1 });
  }
  const objects = new Map<string, Map<string, number>>();
  const exported = new Set<string>();
  let current: Map<string, number> | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line === '') continue;
    if (line.startsWith('*')) {
      const objname = line.slice(1);
      const bad = checkObjname(objname);
      if (bad) throw new KlpError('bad-symbols-file', bad, { line: i + 1 });
      current = objects.get(objname);
      if (!current) {
        current = new Map();
        objects.set(objname, current);
      }
      continue;
    }
    if (!current) throw new KlpError('bad-symbols-file', `symbol '${line}' comes before any '*object' line`, { line: i + 1 });
    if (line.startsWith(EXPORT_PREFIX)) exported.add(line.slice(EXPORT_PREFIX.length));
    current.set(line, (current.get(line) ?? 0) + 1);
  }
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
