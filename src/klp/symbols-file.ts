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
    if (!current) throw new KlpError('bad-symbols-file', `symbol '${shorten(line)}' comes before any '*object' line`, { line: i + 1 });
    // kallsyms cannot hold such a name: the file is corrupt, not merely listing an unusual symbol.
    if (line.length >= KSYM_NAME_LEN) {
      throw new KlpError('bad-symbols-file', `symbol name '${shorten(line)}' is longer than ${KSYM_NAME_LEN - 1} characters`, { line: i + 1 });
    }
    if (line.startsWith(EXPORT_PREFIX)) exported.add(line.slice(EXPORT_PREFIX.length));
    current.set(line, (current.get(line) ?? 0) + 1);
  }
  return { objects, byName: new HoldersByName(objects), exported };
}

const shorten = (name: string): string => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

type Holder = { objname: string; count: number };

/**
 * byName, answered from `objects` when asked: a kernel's symbols.klp has some 240,000 names and a
 * module asks about a few thousand, so building the whole index up front cost most of the parse's
 * time and memory. A lookup probes every object until the probes would cost more than indexing
 * which objects hold each name (about one probe per name in the file: many objects, many
 * lookups); then it builds that index, so the total stays linear in the file. Iterating builds the
 * full map (once), in the order an eager index would have.
 */
class HoldersByName implements ReadonlyMap<string, ReadonlyArray<Holder>> {
  private full: Map<string, Holder[]> | undefined;
  /** name → index in `objnames` of the one object that lists it, or of each that does. */
  private holders: Map<string, number | number[]> | undefined;
  private readonly objnames: string[];
  private probeBudget: number;
  constructor(private readonly objects: ReadonlyMap<string, ReadonlyMap<string, number>>) {
    this.objnames = [...objects.keys()];
    let names = 0;
    for (const m of objects.values()) names += m.size;
    this.probeBudget = names;
  }

  get(name: string): ReadonlyArray<Holder> | undefined {
    if (this.full) return this.full.get(name);
    if (!this.holders && this.probeBudget < this.objnames.length) this.holders = this.holderIndex();
    this.probeBudget -= this.objnames.length;
    const at = this.holders ? this.holders.get(name) : undefined;
    if (this.holders && at === undefined) return undefined;
    const candidates = at === undefined ? this.objnames : typeof at === 'number' ? [this.objnames[at]!] : at.map((k) => this.objnames[k]!);
    let out: Holder[] | undefined;
    for (const objname of candidates) {
      const count = this.objects.get(objname)!.get(name);
      if (count !== undefined) (out ??= []).push({ objname, count });
    }
    return out;
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  get size(): number {
    return this.index().size;
  }
  forEach(fn: (value: ReadonlyArray<Holder>, key: string, map: ReadonlyMap<string, ReadonlyArray<Holder>>) => void, thisArg?: unknown): void {
    this.index().forEach((value, key) => fn.call(thisArg, value, key, this));
  }
  entries() {
    return this.index().entries();
  }
  keys() {
    return this.index().keys();
  }
  values() {
    return this.index().values();
  }
  [Symbol.iterator]() {
    return this.index()[Symbol.iterator]();
  }

  private holderIndex(): Map<string, number | number[]> {
    const holders = new Map<string, number | number[]>();
    this.objnames.forEach((objname, k) => {
      for (const name of this.objects.get(objname)!.keys()) {
        const at = holders.get(name);
        if (at === undefined) holders.set(name, k);
        else if (typeof at === 'number') holders.set(name, [at, k]);
        else at.push(k);
      }
    });
    return holders;
  }

  private index(): Map<string, Holder[]> {
    if (!this.full) {
      const full = new Map<string, Holder[]>();
      for (const [objname, names] of this.objects) {
        for (const [name, count] of names) {
          const list = full.get(name);
          if (list) list.push({ objname, count });
          else full.set(name, [{ objname, count }]);
        }
      }
      this.full = full;
    }
    return this.full;
  }
}
