// Scenario → GNU assembler source, per architecture: the livepatch object (`<module>.s`) and the
// stand-in for kbuild's `<module>.mod.o` (`.modinfo` and `.gnu.linkonce.this_module`).
// Real instructions where they are easy, so the relocation types are the ones compilers emit.
import type { Arch } from '../case.js';
import {
  annotatedSymbols, assemblerName, is64Bit, isLocal, type Ref, type Scenario, type ScenarioSection, type ScenarioSymbol,
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

/** The livepatch object's assembler source. */
export function renderLivepatch(s: Scenario): string {
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
