// The kernel loader's rules for a converted livepatch module, checked without a kernel. Each rule
// is one the module loader (kernel/module/main.c) or the livepatch core (kernel/livepatch/core.c)
// enforces at load time, or breaks silently when it is not met; the message says what the kernel
// would do. Pure: a model (or bytes) and an optional symbols.klp in, findings out.
import {
  bytesToLatin1, decodeRelocs, decodeSymbols, ElfFormatError, type ElfObject, EM, ET_REL,
  isRelocSection, readElf, type Reloc, relocTypeName, type Section, SHF_ALLOC, SHF_RELA_LIVEPATCH,
  SHN_LIVEPATCH, SHN_UNDEF, SHT_NOBITS, SHT_RELA, STB_LOCAL, STB_WEAK, type Symbol, symtabIndex,
} from '../elf/index.js';
import type { KlpErrorWhere } from './errors.js';
import {
  KLP_ANNOTATED_SYM_PREFIX, KLP_RELA_PREFIX, KLP_SYM_PREFIX, MODULE_RELOCS_PREFIX, type KlpSymbolName, parseKlpSectionName, parseKlpSymbolName,
} from './names.js';
import type { SymbolsList } from './symbols-file.js';
import { isKlpRelocsSection, R_NONE, readEntries as readKlpRelocEntries } from './dialects/post-link.js';

export type LintRule =
  | 'elf' // the file is not a relocatable object the loader would take
  | 'elf-abi' // the ELF ABI in e_flags is not the kernel's (ppc64 ELFv2: refused from Linux 6.2)
  | 'klp-section-name' // .klp.rela.<obj>… does not parse as the livepatch core parses it
  | 'klp-section-header' // type, flags, sh_link or sh_info of a klp rela section
  | 'klp-symbol-name' // .klp.sym.<obj>.<name>,<pos> does not parse
  | 'klp-symbol-shndx' // a klp symbol that is not SHN_LIVEPATCH, or the reverse
  | 'klp-symbol-sympos' // sympos does not fit symbols.klp (not found, ambiguous, out of range)
  | 'ordinary-rela-to-klp-symbol' // the module loader would apply it against address 0
  | 'unresolved-symbol' // an undefined symbol the module loader cannot resolve ("Unknown symbol")
  | 'module-section-vmlinux-symbol' // a module object's klp rela section names a vmlinux symbol
  | 'nonzero-target' // x86: bytes at r_offset must be zero when a relocation is applied
  | 'unsupported-relocation-type' // the architecture's apply_relocate_add refuses this type
  | 'symtab-order' // locals first, sh_info = number of locals
  | 'annotation-leftover' // .klp.module_relocs / .klp.sym.rela. left for the loader to trip on
  | 'post-link-entry' // a __klp_relocs entry without its klp relocation, or its original not R_*_NONE
  | 'livepatch-modinfo'; // klp relocations in a module not marked MODULE_INFO(livepatch, "Y")

export interface LintFinding {
  rule: LintRule;
  severity: 'error' | 'warning';
  message: string;
  where: KlpErrorWhere;
}

export interface LintResult {
  findings: LintFinding[];
  /** Rules that could not be checked, with why (e.g. no symbols.klp given). */
  unchecked: Array<{ rule: LintRule; why: string }>;
}

export interface LintOptions {
  /** symbols.klp: lets the lint check exports (unresolved symbols) and sympos. */
  symbolsList?: SymbolsList;
}

/**
 * Bytes written by each relocation type x86_64's apply_relocate_add() knows (arch/x86/kernel/module.c,
 * 6.1); it refuses every other type. R_X86_64_NONE writes nothing.
 */
const EM_X86_64_RELOC_SIZES: ReadonlyMap<number, number> = new Map([
  [0, 0], // R_X86_64_NONE
  [1, 8], // R_X86_64_64
  [2, 4], // R_X86_64_PC32
  [4, 4], // R_X86_64_PLT32
  [10, 4], // R_X86_64_32
  [11, 4], // R_X86_64_32S
  [24, 8], // R_X86_64_PC64
]);

export const lintErrors = (r: LintResult): LintFinding[] => r.findings.filter((f) => f.severity === 'error');

/** Lints a module file. A file the ELF reader refuses is one 'elf' finding, not an exception. */
export function lintModuleBytes(bytes: Uint8Array, options: LintOptions = {}): LintResult {
  let obj: ElfObject;
  try {
    obj = readElf(bytes);
  } catch (e) {
    if (e instanceof ElfFormatError) return { findings: [{ rule: 'elf', severity: 'error', message: e.reason, where: e.where }], unchecked: [] };
    throw e;
  }
  return lintModule(obj, options);
}

/**
 * Rules a conversion cannot break or mend: what the module says of itself (its .modinfo). Their
 * findings on a converted module are the input's, not a converter bug.
 */
export const INPUT_RULES: ReadonlySet<LintRule> = new Set<LintRule>(['livepatch-modinfo']);

export function lintModule(obj: ElfObject, options: LintOptions = {}): LintResult {
  const findings: LintFinding[] = [];
  const unchecked: LintResult['unchecked'] = [];
  const add = (rule: LintRule, message: string, where: KlpErrorWhere = {}, severity: LintFinding['severity'] = 'error'): void => {
    findings.push({ rule, severity, message, where });
  };
  if (obj.header.type !== ET_REL) add('elf', `e_type is ${obj.header.type}, not ET_REL: not a kernel module`, { offset: 16 });
  // module_elf_check_arch (arch/powerpc/kernel/module_64.c, Linux ≥ 6.2): a little-endian ppc64
  // kernel is ELFv2 and takes only modules whose e_flags say ABI level 2. A warning: the input
  // decides e_flags, and older kernels do not check.
  if (obj.header.machine === EM.PPC64 && obj.header.ident.littleEndian && (obj.header.flags & 3) !== 2) {
    add('elf-abi', `e_flags 0x${obj.header.flags.toString(16)} has ELF ABI level ${obj.header.flags & 3}, not 2: Linux ≥ 6.2 refuses the module ("Invalid module architecture in ELF header")`, { offset: obj.header.ident.is64 ? 48 : 36 }, 'warning');
  }
  const symtab = symtabIndex(obj);
  if (symtab < 0) {
    add('elf', 'has no symbol table');
    return { findings, unchecked };
  }
  let symbols: Symbol[];
  try {
    symbols = decodeSymbols(obj, symtab);
  } catch (e) {
    if (e instanceof ElfFormatError) {
      add('elf', e.reason, e.where);
      return { findings, unchecked };
    }
    throw e;
  }
  const symtabName = obj.sections[symtab]!.name;

  checkSymtabOrder(obj.sections[symtab]!, symbols, add);
  const klpSymbols = checkKlpSymbols(symbols, options.symbolsList, add, unchecked);

  let hasKlpSections = false;
  obj.sections.forEach((sec, index) => {
    if (index === 0) return;
    if (sec.name.startsWith(MODULE_RELOCS_PREFIX) || sec.name.startsWith(`.rela${MODULE_RELOCS_PREFIX}`)) {
      add('annotation-leftover', 'KLP_SYMPOS annotation section left in the module (klp-convert removes it)', { section: sec.name });
    }
    const isKlp = sec.name.startsWith(KLP_RELA_PREFIX);
    const flagged = (sec.flags & SHF_RELA_LIVEPATCH) !== 0n;
    if (!isKlp && !flagged) {
      if (isRelocSection(sec) && sec.link === symtab) checkOrdinaryRelocs(obj, sec, symbols, add);
      return;
    }
    hasKlpSections = true;
    const where = { section: sec.name };
    if (!isKlp) {
      add('klp-section-name', `has SHF_RELA_LIVEPATCH but is not named ${KLP_RELA_PREFIX}<objname>…: the livepatch core will not parse it`, where);
      return;
    }
    const objname = parseKlpSectionName(sec.name);
    if (typeof objname !== 'string') add('klp-section-name', objname.reason, where);
    if (sec.type !== SHT_RELA) add('klp-section-header', `sh_type is ${sec.type}, not SHT_RELA: the livepatch core reads every klp rela section as Elf_Rela`, where);
    if (!flagged) {
      add('klp-section-header', 'lacks SHF_RELA_LIVEPATCH: the module loader applies it as an ordinary relocation section, against address 0', where);
    }
    if ((sec.flags & SHF_ALLOC) === 0n) {
      add('klp-section-header', 'lacks SHF_ALLOC: the livepatch core reads it after load, when unallocated sections are gone', where);
    }
    if (sec.link !== symtab) add('klp-section-header', `sh_link is ${sec.link}, not the symbol table ${symtabName} (${symtab})`, where);
    const base = obj.sections[sec.info];
    if (sec.info === 0 || base === undefined) {
      add('klp-section-header', `sh_info ${sec.info} names no section to relocate`, where);
      return;
    }
    if ((base.flags & SHF_ALLOC) === 0n) {
      add('klp-section-header', `sh_info names ${base.name}, which is not SHF_ALLOC: the loader skips relocations of unallocated sections`, where);
    }
    if (sec.type !== SHT_RELA) return;
    const relocs = decodeSafely(obj, sec, add);
    relocs.forEach((rel, k) => {
      const rwhere = { section: sec.name, index: k, offset: Number(rel.offset) };
      const sym = symbols[rel.symbol];
      if (rel.symbol === 0 || sym === undefined) {
        add('klp-symbol-shndx', `relocation ${k} refers to symbol ${rel.symbol}, which is not a livepatch symbol`, rwhere);
        return;
      }
      if (sym.shndx !== SHN_LIVEPATCH) {
        add('klp-symbol-shndx', `relocation ${k} refers to '${sym.name}', which is not SHN_LIVEPATCH ("symbol … is not marked as a livepatch symbol")`, { ...rwhere, symbol: sym.name });
      }
      const parsed = klpSymbols.get(rel.symbol);
      if (!sym.name.startsWith(KLP_SYM_PREFIX)) {
        add('klp-symbol-shndx', `relocation ${k} refers to '${sym.name}', which is not named ${KLP_SYM_PREFIX}<objname>.<name>,<sympos>: the livepatch core cannot resolve it`, { ...rwhere, symbol: sym.name });
      }
      if (parsed && typeof objname === 'string' && objname !== 'vmlinux' && parsed.objname === 'vmlinux') {
        add('module-section-vmlinux-symbol', `relocation ${k} for module object '${objname}' refers to vmlinux symbol '${parsed.name}' (the kernel refuses: "invalid access to vmlinux symbol")`, { ...rwhere, symbol: sym.name });
      }
      checkTarget(obj, base, sec, rel, k, add);
    });
  });

  checkPostLink(obj, symtab, symbols, add);
  checkUnresolved(obj, symbols, options.symbolsList, add, unchecked);
  if (hasKlpSections || klpSymbols.size > 0) checkModinfo(obj, add);
  return { findings, unchecked };
}

/**
 * After post-link every `__klp_relocs` entry has its klp relocation (same offset, KLP symbol,
 * addend and type in `.klp.rela.<objname>.<section>` of that section) and the original
 * relocation it replaces is R_*_NONE, so the loader never applies it. A module still carrying
 * unconverted entries fails here, which is how a klp-build module that skipped post-link shows.
 */
function checkPostLink(obj: ElfObject, symtab: number, symbols: readonly Symbol[], add: Add): void {
  const relocsOf = new Map<number, Reloc[]>();
  const decoded = (i: number): Reloc[] => {
    let r = relocsOf.get(i);
    if (!r) relocsOf.set(i, (r = decodeSafely(obj, obj.sections[i]!, add)));
    return r;
  };
  obj.sections.forEach((sec, index) => {
    if (!isKlpRelocsSection(sec.name)) return;
    const entries = readKlpRelocEntries(obj, index, symtab, symbols);
    if (!Array.isArray(entries)) {
      add('post-link-entry', entries.reason, entries.where);
      return;
    }
    for (const e of entries) {
      const where = { section: sec.name, index: e.entry };
      const target = obj.sections[e.target]!;
      const at = `${target.name}+0x${e.offset.toString(16)}`;
      const klp = obj.sections
        .map((s, i) => ({ s, i }))
        .filter(({ s }) => s.name.startsWith(KLP_RELA_PREFIX) && s.info === e.target && parseKlpSectionName(s.name) === e.objname && isRelocSection(s));
      const found = klp.some(({ i }) => decoded(i).some((r) => r.offset === e.offset && r.symbol === e.symbol && r.addend === e.addend && r.type === e.type));
      if (!found) add('post-link-entry', `entry ${e.entry} (${symbols[e.symbol]?.name ?? e.symbol} at ${at}) has no klp relocation in a .klp.rela.${e.objname}. section of ${target.name}: the module was not post-linked`, where);
      const originals = obj.sections
        .map((s, i) => ({ s, i }))
        .filter(({ s }) => isRelocSection(s) && s.link === symtab && s.info === e.target && !s.name.startsWith(KLP_RELA_PREFIX));
      for (const { s, i } of originals) {
        const r = decoded(i).find((x) => x.offset === e.offset);
        if (r && r.type !== R_NONE) {
          add('post-link-entry', `entry ${e.entry}: the original relocation at ${at} (${s.name}) is ${relocTypeName(obj.header.machine, r.type)}, not R_*_NONE: the loader applies it too`, where);
        }
      }
    }
  });
}

type Add = (rule: LintRule, message: string, where?: KlpErrorWhere, severity?: LintFinding['severity']) => void;

function decodeSafely(obj: ElfObject, sec: Section, add: Add): Reloc[] {
  try {
    return decodeRelocs(obj.header.ident, sec);
  } catch (e) {
    if (e instanceof ElfFormatError) {
      add('elf', e.reason, { section: sec.name });
      return [];
    }
    throw e;
  }
}

function checkSymtabOrder(symtab: Section, symbols: readonly Symbol[], add: Add): void {
  const firstGlobal = symbols.findIndex((s, i) => i > 0 && s.bind !== STB_LOCAL);
  const locals = firstGlobal < 0 ? symbols.length : firstGlobal;
  const lateLocal = symbols.findIndex((s, i) => i > locals && s.bind === STB_LOCAL);
  if (lateLocal >= 0) {
    add('symtab-order', `local symbol '${symbols[lateLocal]!.name}' (${lateLocal}) comes after the first global (${locals}); a livepatch module's symbol table is kept as it is`, { section: symtab.name, index: lateLocal });
  }
  if (symtab.info !== locals) {
    add('symtab-order', `sh_info is ${symtab.info}, but the symbol table has ${locals} leading local symbols`, { section: symtab.name });
  }
}

/** Checks every `.klp.sym.` and SHN_LIVEPATCH symbol; returns the parsed ones by index. */
function checkKlpSymbols(symbols: readonly Symbol[], list: SymbolsList | undefined, add: Add, unchecked: LintResult['unchecked']): Map<number, KlpSymbolName> {
  const parsed = new Map<number, KlpSymbolName>();
  const uncheckedObjects = new Set<string>();
  symbols.forEach((sym, index) => {
    if (index === 0) return;
    const where = { symbol: sym.name, index };
    if (sym.name.startsWith(KLP_ANNOTATED_SYM_PREFIX)) {
      add('annotation-leftover', `symbol '${sym.name}' still has its annotation name: the module loader will look it up and fail`, where);
      return;
    }
    const isKlpName = sym.name.startsWith(KLP_SYM_PREFIX);
    if (!isKlpName && sym.shndx !== SHN_LIVEPATCH) return;
    // A SHN_LIVEPATCH symbol of another name (post-link's `.klp.tombstone.` symbols) is left alone
    // by the loader; it is wrong only where a klp rela section names it (checked there).
    if (!isKlpName) return;
    if (sym.shndx !== SHN_LIVEPATCH) {
      add('klp-symbol-shndx', `livepatch symbol '${sym.name}' has st_shndx 0x${sym.shndx.toString(16)}, not SHN_LIVEPATCH (0xff20)`, where);
    }
    const p = parseKlpSymbolName(sym.name);
    if (typeof p === 'string') {
      add('klp-symbol-name', `symbol '${sym.name}': ${p}`, where);
      return;
    }
    parsed.set(index, p);
    if (!list) return;
    const names = list.objects.get(p.objname);
    if (!names) {
      uncheckedObjects.add(p.objname);
      return;
    }
    const count = names.get(p.name) ?? 0;
    if (count === 0) add('klp-symbol-sympos', `'${p.name}' is not in object ${p.objname} of symbols.klp ("symbol not found in symbol table")`, where);
    else if (p.sympos === 0 && count > 1) add('klp-symbol-sympos', `sympos 0 but ${p.objname} has ${count} '${p.name}' ("unresolvable ambiguity")`, where);
    else if (p.sympos > count) add('klp-symbol-sympos', `sympos ${p.sympos} but ${p.objname} has only ${count} '${p.name}' ("symbol position not found")`, where);
  });
  if (!list && parsed.size > 0) unchecked.push({ rule: 'klp-symbol-sympos', why: 'no symbols.klp given' });
  for (const o of [...uncheckedObjects].sort()) unchecked.push({ rule: 'klp-symbol-sympos', why: `object ${o} is not in symbols.klp` });
  return parsed;
}

function checkOrdinaryRelocs(obj: ElfObject, sec: Section, symbols: readonly Symbol[], add: Add): void {
  const base = obj.sections[sec.info];
  // The loader skips relocation sections of unallocated sections (debug info): nothing applies them.
  if (!base || (base.flags & SHF_ALLOC) === 0n) return;
  // klp-build's __klp_relocs entries point at KLP symbols on purpose: the loader writes their
  // (unused) values, address 0 plus the addend, into that data.
  const klpRelocsData = isKlpRelocsSection(base.name);
  decodeSafely(obj, sec, add).forEach((rel, k) => {
    const sym = symbols[rel.symbol];
    // R_*_NONE (0 everywhere) is skipped by every loader: post-link disables originals that way.
    if (sym && rel.symbol !== 0 && sym.shndx === SHN_LIVEPATCH && rel.type !== R_NONE && !klpRelocsData) {
      add('ordinary-rela-to-klp-symbol', `relocation ${k} refers to livepatch symbol '${sym.name}': the module loader applies it against address 0`, { section: sec.name, index: k, offset: Number(rel.offset), symbol: sym.name });
    }
    // REL keeps its addends in place, so only RELA targets must be zero.
    if (sec.type === SHT_RELA) checkTarget(obj, base, sec, rel, k, add);
  });
}

/** x86_64's apply_relocate_add refuses unknown types and targets whose bytes are not zero. */
function checkTarget(obj: ElfObject, base: Section, sec: Section, rel: Reloc, k: number, add: Add): void {
  if (obj.header.machine !== EM.X86_64) return;
  const where = { section: sec.name, index: k, offset: Number(rel.offset) };
  const size = EM_X86_64_RELOC_SIZES.get(rel.type);
  if (size === undefined) {
    add('unsupported-relocation-type', `relocation ${k} has type ${relocTypeName(obj.header.machine, rel.type)}, which the x86_64 module loader refuses ("Unknown rela relocation")`, where);
    return;
  }
  if (size === 0 || base.type === SHT_NOBITS) return;
  const at = Number(rel.offset);
  if (at + size > base.data.length) {
    add('nonzero-target', `relocation ${k} at 0x${at.toString(16)} runs past the end of ${base.name} (${base.data.length} bytes)`, where);
    return;
  }
  if (base.data.subarray(at, at + size).some((b) => b !== 0)) {
    add('nonzero-target', `relocation ${k} targets nonzero bytes at ${base.name}+0x${at.toString(16)} ("Invalid relocation target, existing value is nonzero")`, where);
  }
}

function checkUnresolved(obj: ElfObject, symbols: readonly Symbol[], list: SymbolsList | undefined, add: Add, unchecked: LintResult['unchecked']): void {
  const undefinedNames = symbols.filter((s, i) => i > 0 && s.shndx === SHN_UNDEF && s.bind !== STB_WEAK && !loaderIgnores(obj.header.machine, s.name));
  if (!list) {
    if (undefinedNames.length > 0) unchecked.push({ rule: 'unresolved-symbol', why: 'no symbols.klp given: exports unknown' });
    return;
  }
  const hasThisModule = obj.sections.some((sec) => sec.name === '.gnu.linkonce.this_module');
  symbols.forEach((s, index) => {
    if (index === 0 || s.shndx !== SHN_UNDEF || s.bind === STB_WEAK || loaderIgnores(obj.header.machine, s.name)) return;
    if (list.exported.has(s.name)) return;
    // modpost's .mod.c defines __this_module; an object not yet linked with it (the corpus cases,
    // a .klp.o) is not a loadable module yet, and that is not a conversion problem.
    if (s.name === '__this_module' && !hasThisModule) {
      add('unresolved-symbol', `'__this_module' is undefined: an object before modpost's final link, not a loadable .ko`, { symbol: s.name, index }, 'warning');
      return;
    }
    add('unresolved-symbol', `undefined symbol '${s.name}' is not exported in symbols.klp: insmod fails with "Unknown symbol ${s.name}"`, { symbol: s.name, index });
  });
}

/** ignore_undef_symbol() and the ppc64 TOC base: undefined names the loader lets through. */
function loaderIgnores(machine: number, name: string): boolean {
  if ((machine === EM.X86_64 || machine === EM.I386) && name === '_GLOBAL_OFFSET_TABLE_') return true;
  return machine === EM.PPC64 && name === '.TOC.';
}

function checkModinfo(obj: ElfObject, add: Add): void {
  const modinfo = obj.sections.find((s, i) => i > 0 && s.name === '.modinfo');
  if (!modinfo) {
    add('livepatch-modinfo', 'has no .modinfo section, so no MODULE_INFO(livepatch, "Y"): klp_enable_patch() refuses a module not marked as a livepatch module', {}, 'warning');
    return;
  }
  const entries = bytesToLatin1(modinfo.data).split('\0');
  if (!entries.includes('livepatch=Y')) {
    add('livepatch-modinfo', 'has klp relocations but .modinfo has no livepatch=Y (MODULE_INFO(livepatch, "Y")): klp_enable_patch() refuses it', { section: '.modinfo' });
  }
}
