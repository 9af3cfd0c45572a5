// Scenario → GNU assembler source, per architecture: the livepatch object (`<module>.s`) and the
// stand-in for kbuild's `<module>.mod.o` (`.modinfo` and `.gnu.linkonce.this_module`).
// Real instructions where they are easy, so the relocation types are the ones compilers emit.
// A post-link scenario takes two passes: its `__klp_relocs` entries copy the offset, type and
// addend of each relocation to a tombstone, which only the assembler knows (postLinkEntries).
import type { Arch } from '../case.js';
import {
  ByteReader, decodeRelocs, decodeSymbols, type ElfObject, isRelocSection, SHN_UNDEF, SHT_REL, symtabIndex,
} from '../../src/elf/index.js';
import { KLP_RELOCS_SECTION } from '../../src/klp/index.js';
import {
  annotatedSymbols, assemblerName, is64Bit, isLocal, klpSymbolName, needsConversion, type Ref, type Scenario,
  type ScenarioSection, type ScenarioSymbol, tombstoneName,
} from './scenario.js';

interface ArchSyntax {
  /** Pointer-sized data directive. */
  ptr: '.quad' | '.long';
  align: number;
  header: (s: Scenario) => string[];
  call: (sym: string) => string[];
  address: (target: string) => string[];
  absolute: (target: string) => string[];
  ret: string[];
  /** Lines right after a function's label (ppc64 ELFv2 global entry point). */
  entry: (s: Scenario, fn: string) => string[];
}

const elfv2 = (s: Scenario): boolean => s.arch === 'ppc64le' || (s.arch === 'ppc64' && s.tocPrologue);

const ppc64: ArchSyntax = {
  ptr: '.quad',
  align: 8,
  header: (s) => (elfv2(s) ? ['\t.abiversion 2'] : []),
  call: (t) => [`\tbl ${t}`, '\tnop'],
  address: (t) => [`\taddis 3,2,${t}@toc@ha`, `\tld 3,${t}@toc@l(3)`],
  absolute: (t) => [`\taddis 4,2,${t}@toc@ha`, `\taddi 4,4,${t}@toc@l`],
  ret: ['\tblr'],
  entry: (s, fn) => (s.tocPrologue ? ['0:\taddis 2,12,.TOC.-0b@ha', '\taddi 2,2,.TOC.-0b@l', `\t.localentry ${fn},.-${fn}`] : []),
};

export const ARCH_SYNTAX: Record<Arch, ArchSyntax> = {
  x86_64: {
    ptr: '.quad',
    align: 16,
    header: () => [],
    call: (t) => [`\tcall ${t}`],
    address: (t) => [`\tmovq ${t}(%rip), %rax`],
    absolute: (t) => [`\tmovq $${t}, %rax`],
    ret: ['\tret'],
    entry: () => [],
  },
  i386: {
    ptr: '.long',
    align: 16,
    header: () => [],
    call: (t) => [`\tcall ${t}`],
    address: (t) => [`\tmovl ${t}, %eax`],
    absolute: (t) => [`\tmovl $${t}, %eax`],
    ret: ['\tret'],
    entry: () => [],
  },
  aarch64: {
    ptr: '.quad',
    align: 8,
    header: () => [],
    call: (t) => [`\tbl ${t}`],
    address: (t) => [`\tadrp x0, ${t}`, `\tldr x0, [x0, :lo12:${t}]`],
    absolute: (t) => [`\tadrp x1, ${t}`, `\tadd x1, x1, :lo12:${t}`],
    ret: ['\tret'],
    entry: () => [],
  },
  ppc64le: ppc64,
  ppc64,
  s390x: {
    ptr: '.quad',
    align: 8,
    header: () => [],
    call: (t) => [`\tbrasl %r14,${t}@PLT`],
    address: (t) => [`\tlarl %r1,${t}`],
    absolute: (t) => [`\tlgrl %r2,${t}`],
    ret: ['\tbr %r14'],
    entry: () => [],
  },
  ppc32: {
    ptr: '.long',
    align: 4,
    header: () => [],
    call: (t) => [`\tbl ${t}`],
    address: (t) => [`\tlis 3,${t}@ha`, `\taddi 3,3,${t}@l`],
    absolute: (t) => [`\tlis 4,${t}@ha`, `\tlwz 4,${t}@l(4)`],
    ret: ['\tblr'],
    entry: () => [],
  },
};

/** Quotes a symbol for gas when it is not a plain identifier (annotation names hold a comma). */
export function quoteSymbol(name: string): string {
  return /^[A-Za-z_.$][A-Za-z0-9_.$]*$/.test(name) ? name : `"${name}"`;
}

const target = (name: string, addend: number): string => (addend ? `${quoteSymbol(name)}+${addend}` : quoteSymbol(name));

function sectionDirective(name: string, kind: ScenarioSection['kind'] | 'bss'): string {
  const flags = kind === 'text' ? 'ax' : kind === 'rodata' ? 'a' : 'aw';
  return `\t.section ${name},"${flags}",${kind === 'bss' ? '@nobits' : '@progbits'}`;
}

/** Functions of text section k, and tables of data sections, get names no scenario symbol uses. */
const sectionLabel = (k: number, sec: ScenarioSection): string => (sec.kind === 'text' ? `lp_fn${k}` : `lp_table${k}`);

function renderRef(arch: ArchSyntax, s: Scenario, sec: ScenarioSection, r: Ref): string[] {
  const x = s.symbols[r.symbol]!;
  const name = assemblerName(s, x);
  const out: string[] = [];
  for (let i = 0; i < r.repeat; i++) {
    if (sec.kind !== 'text') out.push(`\t${arch.ptr} ${target(name, r.addend)}`);
    else if (r.form === 'call' && x.func) out.push(...arch.call(quoteSymbol(name)));
    else if (r.form === 'address') out.push(...arch.address(target(name, r.addend)));
    else out.push(...arch.absolute(target(name, r.addend)));
  }
  return out;
}

function functionLines(arch: ArchSyntax, s: Scenario, fn: string, body: string[], global: boolean): string[] {
  return [
    `\t.balign ${arch.align}`,
    ...(global ? [`\t.globl ${fn}`] : []),
    `\t.type ${fn},@function`,
    `${fn}:`,
    ...arch.entry(s, fn),
    ...body,
    ...arch.ret,
    `\t.size ${fn},.-${fn}`,
  ];
}

/**
 * The livepatch object's assembler source. A post-link scenario is rendered first without
 * `entries` (its code refers to tombstones), then with the entries read off that first object.
 */
export function renderLivepatch(s: Scenario, entries: readonly PostLinkEntry[] = []): string {
  const arch = ARCH_SYNTAX[s.arch];
  const lines: string[] = [`# generated livepatch scenario: ${s.module} (${s.arch}, ${s.dialect} dialect)`, ...arch.header(s)];

  s.sections.forEach((sec, k) => {
    const label = sectionLabel(k, sec);
    lines.push(sectionDirective(sec.name, sec.kind));
    const body = sec.refs.flatMap((r) => renderRef(arch, s, sec, r));
    if (sec.kind === 'text') {
      lines.push(...functionLines(arch, s, label, body, false));
    } else {
      lines.push(`\t.balign ${is64Bit(s.arch) ? 8 : 4}`, `\t.type ${label},@object`, `${label}:`, ...body, `\t.size ${label},.-${label}`);
    }
  });

  // What the module defines itself: its local functions and data, and the init/exit functions
  // that .gnu.linkonce.this_module points at.
  for (const x of s.symbols.filter(isLocal)) lines.push(...renderLocal(arch, s, x));
  lines.push(sectionDirective('.init.text', 'text'), ...functionLines(arch, s, 'init_module', [], true));
  lines.push(sectionDirective('.exit.text', 'text'), ...functionLines(arch, s, 'cleanup_module', [], true));

  lines.push(...renderSymposAnnotations(s));
  if (s.dialect === 'post-link') lines.push(...renderTombstones(s), ...renderKlpRelocs(s, entries));
  lines.push('\t.section .note.GNU-stack,"",@progbits', '');
  return lines.join('\n');
}

function renderLocal(arch: ArchSyntax, s: Scenario, x: ScenarioSymbol): string[] {
  if (x.kind === 'local-func') return [sectionDirective('.text', 'text'), ...functionLines(arch, s, quoteSymbol(x.name), [], x.global)];
  const name = quoteSymbol(x.name);
  return [
    sectionDirective('.data', 'data'),
    `\t.balign ${is64Bit(s.arch) ? 8 : 4}`,
    ...(x.global ? [`\t.globl ${name}`] : []),
    `\t.type ${name},@object`,
    `${name}:`,
    `\t${arch.ptr} 0`,
    `\t.size ${name},.-${name}`,
  ];
}

/**
 * KLP_MODULE_RELOC(obj) = { KLP_SYMPOS(sym, pos), … }: packed `{pointer, u32 sympos}` entries, one
 * section per object. 32-bit targets write either a 4-byte pointer (8-byte entries) or a pointer
 * in a u64 slot (12 bytes, the pointer in the slot's first 4 bytes, as a union lays it out).
 */
function renderSymposAnnotations(s: Scenario): string[] {
  const annotated = annotatedSymbols(s);
  if (annotated.length === 0) return [];
  const byObject = new Map<string, ScenarioSymbol[]>();
  for (const x of annotated) byObject.set(x.objname, [...(byObject.get(x.objname) ?? []), x]);
  const lines: string[] = [];
  for (const [obj, list] of byObject) {
    lines.push(sectionDirective(`.klp.module_relocs.${obj}`, 'data'));
    for (const x of list) {
      const sym = quoteSymbol(x.name);
      if (is64Bit(s.arch)) lines.push(`\t.quad ${sym}`);
      else if (s.symposLayout === 'ptr') lines.push(`\t.long ${sym}`);
      else lines.push(`\t.long ${sym}`, '\t.long 0');
      lines.push(`\t.long ${x.sympos}`);
    }
  }
  return lines;
}

/** One `__klp_relocs.<objname>` entry: a relocation to a tombstone, and the KLP symbol it stands for. */
export interface PostLinkEntry {
  objname: string;
  /** The section the relocation applies to, and the offset in it. */
  section: string;
  offset: bigint;
  klpSymbol: string;
  /** The relocation's own type and addend. */
  type: number;
  addend: bigint;
}

/**
 * The `__klp_relocs` entries of a post-link scenario, read off its first-pass object: one for
 * every relocation to a tombstone, in the order of the object's relocation sections and their
 * entries (the order `objtool klp diff` clones them in). A site with two relocations (ppc64's
 * `@toc@ha`/`@toc@l`, aarch64's ADRP/LO12) gets two entries, one per relocation.
 */
export function postLinkEntries(s: Scenario, obj: ElfObject): PostLinkEntry[] {
  const byTombstone = new Map(s.symbols.filter(needsConversion).map((x) => [tombstoneName(x), x]));
  const symtab = symtabIndex(obj);
  const symbols = decodeSymbols(obj, symtab);
  const out: PostLinkEntry[] = [];
  for (const rela of obj.sections) {
    if (!isRelocSection(rela) || rela.link !== symtab) continue;
    const target = obj.sections[rela.info]!;
    for (const r of decodeRelocs(obj.header.ident, rela)) {
      const sym = symbols[r.symbol]!;
      const x = sym.shndx === SHN_UNDEF ? byTombstone.get(sym.name) : undefined;
      if (!x) continue;
      // i386 keeps the addend in the relocated field (all of ours are 32-bit fields).
      const addend = rela.type === SHT_REL ? BigInt(new ByteReader(target.data, obj.header.ident.littleEndian).i32(Number(r.offset))) : r.addend;
      out.push({ objname: x.objname, section: target.name, offset: r.offset, klpSymbol: klpSymbolName(x), type: r.type, addend });
    }
  }
  return out;
}

const plus = (name: string, n: bigint): string => (n === 0n ? quoteSymbol(name) : `${quoteSymbol(name)}${n < 0n ? '-' : '+'}${n < 0n ? -n : n}`);

/** Undefined weak, typed like the symbol they stand for: what `objtool klp diff` creates. */
function weakUndefined(name: string, func: boolean): string[] {
  return [`\t.weak ${quoteSymbol(name)}`, `\t.type ${quoteSymbol(name)},${func ? '@function' : '@object'}`];
}

function renderTombstones(s: Scenario): string[] {
  return s.symbols.filter(needsConversion).flatMap((x) => weakUndefined(tombstoneName(x), x.func));
}

/**
 * `__klp_relocs.<objname>` sections of struct klp_reloc { void *offset; void *sym; u32 type; }:
 * `offset` a pointer to the section plus the offset, `sym` one to the KLP symbol plus the original
 * addend, padded to 24 bytes on 64-bit targets (12 on 32-bit ones). Sections in first-use order.
 */
function renderKlpRelocs(s: Scenario, entries: readonly PostLinkEntry[]): string[] {
  const { ptr } = ARCH_SYNTAX[s.arch];
  const byObject = new Map<string, PostLinkEntry[]>();
  for (const e of entries) byObject.set(e.objname, [...(byObject.get(e.objname) ?? []), e]);
  const lines: string[] = [];
  for (const [obj, list] of byObject) {
    lines.push(sectionDirective(`${KLP_RELOCS_SECTION}.${obj}`, 'rodata'), `\t.balign ${is64Bit(s.arch) ? 8 : 4}`);
    for (const e of list) {
      lines.push(`\t${ptr} ${plus(e.section, e.offset)}`, `\t${ptr} ${plus(e.klpSymbol, e.addend)}`, `\t.long ${e.type}`);
      if (is64Bit(s.arch)) lines.push('\t.long 0');
    }
  }
  const klpSymbols = new Map<string, boolean>();
  for (const x of s.symbols) if (needsConversion(x)) klpSymbols.set(klpSymbolName(x), x.func);
  for (const name of new Set(entries.map((e) => e.klpSymbol))) lines.push(...weakUndefined(name, klpSymbols.get(name)!));
  return lines;
}

const STRUCT_MODULE_NAME_OFFSET = 24;
const MODULE_NAME_LEN = 56;

/** The `.mod.o` kbuild links into every module: module info strings and `struct module`. */
export function renderModObject(arch: Arch, module: string): string {
  const syntax = ARCH_SYNTAX[arch];
  const ptrSize = is64Bit(arch) ? 8 : 4;
  const modinfo = ['license=GPL', 'livepatch=Y', 'depends=', 'retpoline=Y', 'intree=Y', `name=${module}`, 'vermagic=6.1.0-generated SMP preempt mod_unload '];
  return [
    `# generated ${module}.mod.s (${arch})`,
    '\t.section .modinfo,"a",@progbits',
    ...modinfo.map((m) => `\t.asciz "${m}"`),
    '\t.section .gnu.linkonce.this_module,"aw",@progbits',
    `\t.balign ${ptrSize}`,
    '\t.globl __this_module',
    '\t.type __this_module,@object',
    '__this_module:',
    `\t.zero ${STRUCT_MODULE_NAME_OFFSET}`,
    `\t.asciz "${module}"`,
    `\t.zero ${MODULE_NAME_LEN - module.length - 1}`,
    `\t.zero ${ptrSize * 24}`,
    `\t${syntax.ptr} init_module`,
    `\t.zero ${ptrSize * 40}`,
    `\t${syntax.ptr} cleanup_module`,
    `\t.zero ${ptrSize * 8}`,
    '\t.size __this_module,.-__this_module',
    '\t.section .note.GNU-stack,"",@progbits',
    '',
  ].join('\n');
}
