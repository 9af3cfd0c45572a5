// Writes symbols.klp from what a kernel says about its symbols: /proc/kallsyms, System.map, a
// vmlinux symbol table, Module.symvers and the modules' own symbol tables. Pure: text and bytes
// in, bytes out. Order is the point: the livepatch core counts sympos in kallsyms order within an
// object (kallsyms_on_each_symbol for vmlinux, the module's symbol table for a module), so every
// object's names are listed in that order, duplicates included, and nothing is ever sorted by name.
import {
  bytesToLatin1, decodeSymbols, ElfFormatError, type ElfObject, latin1ToBytes, readElf, SHF_ALLOC,
  SHN_LORESERVE, SHN_UNDEF, STT_FILE, STT_SECTION, symtabIndex,
} from '../elf/index.js';
import { KlpError } from './errors.js';
import { checkObjname } from './names.js';
import { SYMBOLS_FILE_MAGIC } from './symbols-file.js';

export const VMLINUX = 'vmlinux';
const EXPORT_PREFIX = '__ksymtab_';

/** One object's symbols in the kernel's order. */
export interface ObjectSymbols {
  objname: string;
  names: string[];
}

/** Where the objects came from, in precedence order: an object given twice keeps the first. */
export interface SymbolSources {
  /** From /proc/kallsyms: vmlinux and every module loaded when it was read. */
  kallsyms?: ObjectSymbols[];
  /** vmlinux alone, from System.map or a vmlinux symbol table. */
  vmlinux?: ObjectSymbols;
  /** Modules read from their .ko files. */
  modules?: ObjectSymbols[];
  /** Exported names by object (Module.symvers, or a module's own `__ksymtab_` symbols). */
  exports?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Pseudo-modules /proc/kallsyms shows (ftrace and kprobe trampolines, BPF programs): not objects. */
const isPseudoModule = (name: string): boolean => name.startsWith('__builtin__') || name === 'bpf';

/**
 * Parses /proc/kallsyms (`address type name` or `address type name\t[module]`). Objects come in
 * the order they appear; each object's names keep theirs.
 */
export function parseKallsyms(text: string): ObjectSymbols[] {
  const objects = new Map<string, string[]>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const m = /^([0-9a-fA-F]+)\s+(\S)\s+(\S+)(?:\s+\[(\S+)\])?\s*$/.exec(line);
    if (!m) throw new KlpError('bad-symbols-file', `kallsyms line is not 'address type name [module]': ${JSON.stringify(line.slice(0, 80))}`, { line: i + 1 });
    const [, , type, name, module] = m as unknown as [string, string, string, string, string | undefined];
    const objname = module ?? VMLINUX;
    if (isPseudoModule(objname)) return;
    // Undefined symbols of a module are not in its kallsyms as the livepatch core walks it.
    if (type === 'U') return;
    let names = objects.get(objname);
    if (!names) objects.set(objname, (names = []));
    names.push(name);
  });
  return [...objects].map(([objname, names]) => ({ objname, names }));
}

/**
 * Parses a System.map (`address type name`, one object: vmlinux). Lines are kept in file order,
 * which `nm -n` made address order, the order kallsyms keeps. Absolute symbols other than the
 * per-cpu ones and the names scripts/kallsyms drops are left out; they can only add duplicates
 * the kernel does not count.
 */
export function parseSystemMap(text: string): ObjectSymbols {
  const names: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const m = /^([0-9a-fA-F]+)\s+(\S)\s+(\S+)\s*$/.exec(line);
    if (!m) throw new KlpError('bad-symbols-file', `System.map line is not 'address type name': ${JSON.stringify(line.slice(0, 80))}`, { line: i + 1 });
    const name = m[3]!;
    if (kallsymsDrops(name)) return;
    names.push(name);
  });
  return { objname: VMLINUX, names };
}

/** Names scripts/kallsyms leaves out of the table (ignored_symbols / ignored_prefixes, 6.1). */
function kallsymsDrops(name: string): boolean {
  return /^(__crc_|__kstrtab_|__kstrtabns_|__efistub_|__kvm_nvhe_|\$|\.L)/.test(name) || name === 'kallsyms_addresses' || name === 'kallsyms_offsets'
    || name === 'kallsyms_relative_base' || name === 'kallsyms_num_syms' || name === 'kallsyms_names' || name === 'kallsyms_markers'
    || name === 'kallsyms_token_table' || name === 'kallsyms_token_index' || name === '_SDA_BASE_' || name === '_SDA2_BASE_';
}

/**
 * vmlinux's names from its ELF symbol table, in address order (ties keep symbol table order), as
 * scripts/kallsyms sorts them. Section and file symbols and undefined ones are not in kallsyms.
 */
export function vmlinuxSymbols(bytes: Uint8Array): ObjectSymbols {
  const obj = readExecutable(bytes);
  const symtab = symtabIndex(obj);
  if (symtab < 0) throw new KlpError('bad-elf', 'vmlinux has no symbol table (stripped?)');
  const syms = decodeSymbols(obj, symtab)
    .map((s, index) => ({ s, index }))
    .filter(({ s, index }) => index > 0 && s.name !== '' && s.type !== STT_SECTION && s.type !== STT_FILE && s.shndx !== SHN_UNDEF && !kallsymsDrops(s.name));
  syms.sort((a, b) => (a.s.value < b.s.value ? -1 : a.s.value > b.s.value ? 1 : a.index - b.index));
  return { objname: VMLINUX, names: syms.map(({ s }) => s.name) };
}

/**
 * Reads an executable's sections and symbols. The ELF reader takes relocatable objects only and
 * refuses program headers; nothing here needs them, so a copy with e_phnum cleared is read.
 */
function readExecutable(bytes: Uint8Array): ElfObject {
  const copy = bytes.slice();
  const is64 = copy[4] === 2;
  const phnumAt = is64 ? 56 : 44;
  if (copy.length >= phnumAt + 2) copy.fill(0, phnumAt, phnumAt + 2);
  try {
    return readElf(copy);
  } catch (e) {
    if (e instanceof ElfFormatError) throw new KlpError('bad-elf', e.reason, e.where);
    throw e;
  }
}

/**
 * A module's names as its kallsyms holds them once loaded: the symbol table in order, keeping
 * what the module loader's is_core_symbol() keeps with KALLSYMS_ALL (defined, named, in an
 * allocated section that is not init-only, .modinfo or __versions).
 */
export function moduleSymbols(bytes: Uint8Array, fallbackName: string): { symbols: ObjectSymbols; exports: Set<string> } {
  let obj: ElfObject;
  try {
    obj = readElf(bytes);
  } catch (e) {
    if (e instanceof ElfFormatError) throw new KlpError('bad-elf', e.reason, e.where);
    throw e;
  }
  const objname = moduleName(obj) ?? fallbackName.replace(/-/g, '_');
  const bad = checkObjname(objname);
  if (bad) throw new KlpError('bad-elf', `module name: ${bad}`);
  const symtab = symtabIndex(obj);
  if (symtab < 0) throw new KlpError('bad-elf', `module ${objname} has no symbol table (stripped?)`);
  const names: string[] = [];
  const exports = new Set<string>();
  for (const s of decodeSymbols(obj, symtab).slice(1)) {
    if (s.name === '' || s.shndx === SHN_UNDEF || s.shndx >= SHN_LORESERVE || s.shndx >= obj.sections.length) continue;
    const sec = obj.sections[s.shndx]!;
    // The loader clears SHF_ALLOC on .modinfo and __versions before laying the module out.
    if ((sec.flags & SHF_ALLOC) === 0n || sec.name.startsWith('.init') || sec.name === '.modinfo' || sec.name === '__versions') continue;
    names.push(s.name);
    if (s.name.startsWith(EXPORT_PREFIX)) exports.add(s.name.slice(EXPORT_PREFIX.length));
  }
  return { symbols: { objname, names }, exports };
}

/** The module's name from `.modinfo` (`name=`, which modpost writes), if it has one. */
function moduleName(obj: ElfObject): string | undefined {
  const modinfo = obj.sections.find((s, i) => i > 0 && s.name === '.modinfo');
  if (!modinfo) return undefined;
  const entry = bytesToLatin1(modinfo.data).split('\0').find((e) => e.startsWith('name='));
  return entry?.slice('name='.length) || undefined;
}

/**
 * Parses Module.symvers (`crc<TAB>symbol<TAB>module<TAB>export type[<TAB>namespace]`) into exported
 * names by object; a module path names the object by its last component.
 */
export function parseModuleSymvers(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fields = line.split('\t');
    if (fields.length < 4) throw new KlpError('bad-symbols-file', `Module.symvers line has ${fields.length} fields, expected 4 or 5`, { line: i + 1 });
    const [, name, module] = fields as [string, string, string];
    const objname = module === VMLINUX ? VMLINUX : module.slice(module.lastIndexOf('/') + 1).replace(/-/g, '_');
    let set = out.get(objname);
    if (!set) out.set(objname, (set = new Set()));
    set.add(name);
  });
  return out;
}

/**
 * symbols.klp: vmlinux first, then modules by name; each object's names in kernel order, then a
 * `__ksymtab_X` line for each export the names did not already mark, sorted, so the same inputs
 * always give the same bytes.
 */
export function generateSymbolsFile(sources: SymbolSources): Uint8Array {
  const objects = new Map<string, string[]>();
  const take = (o: ObjectSymbols): void => {
    if (isPseudoModule(o.objname) || objects.has(o.objname)) return;
    const bad = checkObjname(o.objname);
    if (bad) throw new KlpError('bad-symbols-file', `object ${JSON.stringify(o.objname)}: ${bad}`);
    objects.set(o.objname, o.names);
  };
  for (const o of sources.kallsyms ?? []) take(o);
  if (sources.vmlinux) take(sources.vmlinux);
  for (const o of sources.modules ?? []) take(o);
  for (const objname of sources.exports?.keys() ?? []) if (!objects.has(objname)) objects.set(objname, []);

  const order = [...objects.keys()].sort((a, b) => (a === VMLINUX ? -1 : b === VMLINUX ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const lines = [SYMBOLS_FILE_MAGIC];
  for (const objname of order) {
    const names = objects.get(objname)!;
    lines.push(`*${objname}`);
    for (const n of names) {
      if (n.includes('\n')) throw new KlpError('bad-symbols-file', `object ${objname}: a symbol name holds a newline`);
      lines.push(n);
    }
    const marked = new Set(names.filter((n) => n.startsWith(EXPORT_PREFIX)).map((n) => n.slice(EXPORT_PREFIX.length)));
    const extra = [...(sources.exports?.get(objname) ?? [])].filter((x) => !marked.has(x)).sort();
    for (const x of extra) lines.push(`${EXPORT_PREFIX}${x}`);
  }
  return latin1ToBytes(`${lines.join('\n')}\n`);
}
