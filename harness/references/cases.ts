// Cases that show deviations the compiled and real corpora do not reach on their own: each is the
// smallest object on which one reference deviation decides the verdict. Objects a toolchain makes
// (same-named COMDAT sections, a modversions CRC symbol as old kbuild linked it) are made by the
// real GNU assembler and linker; layouts no compiler makes on demand come from the ELF builder.
// Regenerate with
//   node dist/harness/references/cases.js [OUT_DIR]   (default cases/deviations)
// then `golden update` them against the references.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputFile, writeOutput } from '../../src/io/index.js';
import {
  buildObject, EM, type ObjectSpec, SHF_ALLOC, SHF_EXECINSTR, SHF_LINK_ORDER, SHF_WRITE, STB_LOCAL,
  writeElf,
} from '../../src/elf/index.js';
import { writeCaseFiles, type CaseMeta } from '../case.js';

const R_X86_64_64 = 1;
const R_X86_64_PC32 = 2;
const STT_FUNC = 2;
const STT_OBJECT = 1;
const MAGIC = 'klp-convert-symbol-data.0.1\n';
const text = (name: string) => ({ name, flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(16) });

export interface DeviationCase {
  id: string;
  input: Uint8Array;
  symbols?: string;
  meta: CaseMeta;
}

const meta = (id: string, dialect: 'symbols' | 'annotation', expect: string, exercises: string[], source: string, note: string): CaseMeta => ({
  id, arch: 'x86_64', dialect, expect, exercises, source, note,
});

/** Assembles `asm` and links it `ld -r` (with a linker script when given), as kbuild does. */
function assemble(asm: string, linkerScript?: string): { bytes: Uint8Array; tools: string } {
  const dir = mkdtempSync(join(tmpdir(), 'klp-devcase-'));
  try {
    writeOutput(join(dir, 'a.s'), asm);
    execFileSync('as', ['--64', '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    const ld = ['-r', '-m', 'elf_x86_64', '-o', join(dir, 'out.o'), join(dir, 'a.o')];
    if (linkerScript !== undefined) {
      writeOutput(join(dir, 'crc.lds'), linkerScript);
      ld.push('-T', join(dir, 'crc.lds'));
    }
    execFileSync('ld', ld);
    const version = execFileSync('as', ['--version'], { encoding: 'utf8' }).split('\n', 1)[0]!;
    return { bytes: readInputFile(join(dir, 'out.o')), tools: `${version}; as --64, ld -r -m elf_x86_64${linkerScript !== undefined ? ' -T crc.lds' : ''}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SAME_NAMED = `
	.section .text.klp_shared,"axG",@progbits,klp_group_a,comdat
	.globl klp_group_a
klp_group_a:
	call saved_helper
	ret
	.section .text.klp_shared,"axG",@progbits,klp_group_b,comdat
	.globl klp_group_b
klp_group_b:
	call saved_helper
	movq saved_command_line(%rip), %rax
	ret
	.text
	.globl klp_user
klp_user:
	call saved_helper
	ret
`;

/** Two COMDAT sections of one name (as inline functions of two headers give), both converting. */
function sameNamedSections(dialect: 'symbols' | 'annotation'): DeviationCase {
  const asm = dialect === 'symbols' ? SAME_NAMED : SAME_NAMED.replace(/saved_helper/g, '".klp.sym.rela.vmlinux.vmlinux.saved_helper,0"').replace(/saved_command_line/g, '".klp.sym.rela.vmlinux.vmlinux.saved_command_line,0"');
  const { bytes, tools } = assemble(asm);
  const id = dialect === 'symbols' ? 'x86_64-same-named-sections' : 'x86_64-same-named-sections-annotation';
  return {
    id,
    input: bytes,
    ...(dialect === 'symbols' ? { symbols: `${MAGIC}*vmlinux\nsaved_helper\nsaved_command_line\n` } : {}),
    meta: {
      ...meta(id, dialect, 'convert', ['comdat-group', 'same-named-sections', 'shared-symbol-across-sections'], 'harness/references/cases.ts (GNU as + ld -r)',
        'Two COMDAT sections named .text.klp_shared, each with its own .rela.text.klp_shared converting a call to saved_helper. Ours gives each its own klp rela section relocating it; the C tools find the klp rela section and the base by name, so both land in one klp section relocating the first (and the second .rela.text.klp_shared names the first .text.klp_shared).'),
      binutils: tools,
    },
  };
}

/**
 * A modversions CRC the way kbuild linked it before 5.19: `__crc_X` undefined when assembled,
 * made SHN_ABS by `ld -r -T` with the genksyms linker script, and referenced from `___kcrctab+X`.
 */
function absSymbol(listed: boolean): DeviationCase {
  const { bytes, tools } = assemble(
    `
	.section "___kcrctab+klp_abs_export","a"
	.long __crc_klp_abs_export
	.text
	.globl klp_abs_export
klp_abs_export:
	movq saved_command_line(%rip), %rax
	ret
`,
    '__crc_klp_abs_export = 0x5a5a1234;\n',
  );
  const id = listed ? 'x86_64-abs-symbol-listed' : 'x86_64-abs-symbol';
  const list = listed ? '*vmlinux\nsaved_command_line\n__crc_klp_abs_export\n' : '*vmlinux\nsaved_command_line\n';
  return {
    id,
    input: bytes,
    symbols: `${MAGIC}${list}`,
    meta: {
      ...meta(id, 'symbols', 'convert', ['crc', 'abs-symbol'], 'harness/references/cases.ts (GNU as + ld -r -T)',
        `__crc_klp_abs_export is SHN_ABS (0x5a5a1234, as pre-5.19 kbuild linked modversions CRCs) and referenced from ___kcrctab+klp_abs_export: the module loader resolves it, so ours leaves it. The symbols-list C tools take every reserved index for undefined, so they ${listed ? 'convert it, since symbols.klp lists it' : 'stop: "Unable to find missing symbol: __crc_klp_abs_export"'}.`),
      binutils: tools,
    },
  };
}

/** A KLP_SYMPOS of `sympos` for `dup`, listed `count` times. */
function bigSympos(sympos: number, count: number): DeviationCase {
  const entries = new Uint8Array(12);
  new DataView(entries.buffer).setUint32(8, sympos, true);
  const spec: ObjectSpec = {
    machine: EM.X86_64,
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(16) },
      { name: '.klp.module_relocs.vmlinux', flags: SHF_ALLOC | SHF_WRITE, addralign: 1n, data: entries },
    ],
    symbols: [
      { name: 'klp_relocs', bind: STB_LOCAL, type: STT_OBJECT, section: '.klp.module_relocs.vmlinux', size: 12n },
      { name: 'big_sympos_user', bind: 1, type: STT_FUNC, section: '.text', size: 16n },
      { name: 'dup' },
    ],
    relocs: {
      '.text': [{ offset: 3n, type: R_X86_64_PC32, symbol: 'dup', addend: -4n }],
      '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_X86_64_64, symbol: 'dup' }],
    },
  };
  const id = `x86_64-sympos-${sympos}`;
  return {
    id,
    input: writeElf(buildObject(spec)),
    symbols: `${MAGIC}*vmlinux\n${'dup\n'.repeat(count)}`,
    meta: meta(id, 'symbols', 'convert', ['sympos', 'sympos-large'], 'harness/references/cases.ts (ELF builder)',
      `KLP_SYMPOS(dup, ${sympos}) among ${count} duplicates: ours writes .klp.sym.vmlinux.dup,${sympos}. The symbols-list C tools format sympos into char[4]: ${sympos < 10000 ? `they write ,${String(sympos).slice(0, 3)}, another symbol` : 'they stop ("Insufficient buffer for expanding sympos")'}.`),
  };
}

/** Annotation dialect, addends past 32 bits (the symbols-list twin is mutant-killers/x86_64-wide-addend). */
function wideAddendAnnotation(): DeviationCase {
  const sym = '.klp.sym.rela.vmlinux.vmlinux.saved_command_line,0';
  const spec: ObjectSpec = {
    machine: EM.X86_64,
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(16) },
      { name: '.data.klp_wide_addend', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(24) },
    ],
    symbols: [{ name: 'wide_addend_user', bind: 1, type: STT_FUNC, section: '.text', size: 16n }, { name: sym }],
    relocs: {
      '.text': [{ offset: 3n, type: R_X86_64_PC32, symbol: sym, addend: -4n }],
      '.data.klp_wide_addend': [
        { offset: 0n, type: R_X86_64_64, symbol: sym, addend: 0x100000005n },
        { offset: 8n, type: R_X86_64_64, symbol: sym, addend: -0x100000008n },
      ],
    },
  };
  const id = 'x86_64-wide-addend-annotation';
  return {
    id,
    input: writeElf(buildObject(spec)),
    meta: meta(id, 'annotation', 'convert', ['annotation', 'wide-addend'], 'harness/references/cases.ts (ELF builder)',
      'R_X86_64_64 relocations with addends +0x100000005 and -0x100000008 to an annotated symbol: the klp relocations keep them exact; the C tools keep addends in an int.'),
  };
}

/** EI_OSABI GNU (what gas writes for an object with an ifunc or a unique symbol), annotation dialect. */
/** An x86_64 function `user` in .text whose one call goes to the annotated symbol `sym`. */
function oneAnnotatedCall(sym: string, user: string, extra: Partial<ObjectSpec> = {}): Uint8Array {
  return writeElf(buildObject({
    machine: EM.X86_64,
    sections: [text('.text')],
    symbols: [{ name: user, bind: 1, type: STT_FUNC, section: '.text', size: 16n }, { name: sym }],
    relocs: { '.text': [{ offset: 3n, type: R_X86_64_PC32, symbol: sym, addend: -4n }] },
    ...extra,
  }));
}

function osabiGnuAnnotation(): DeviationCase {
  const id = 'x86_64-osabi-gnu-annotation';
  return {
    id,
    input: oneAnnotatedCall('.klp.sym.rela.vmlinux.vmlinux.saved_command_line,0', 'osabi_user', { osabi: 3 }),
    meta: meta(id, 'annotation', 'convert', ['annotation', 'osabi'], 'harness/references/cases.ts (ELF builder)',
      'EI_OSABI is 3 (ELFOSABI_GNU): ours keeps the input header; minimal writes a fresh one with EI_OSABI 0.'),
  };
}

/** Annotation dialect: the patch of a module names a vmlinux symbol for its own klp rela section. */
function modulePatchVmlinuxSymbol(): DeviationCase {
  const id = 'x86_64-module-patch-vmlinux-symbol';
  return {
    id,
    input: oneAnnotatedCall('.klp.sym.rela.test_mod.vmlinux.saved_command_line,0', 'mod_patch_user'),
    meta: meta(id, 'annotation', 'bad-annotation', ['annotation', 'module-section-vmlinux-symbol'], 'harness/references/cases.ts (ELF builder)',
      'The patch of test_mod names vmlinux\'s saved_command_line for .klp.rela.test_mod.*: the livepatch core refuses such a relocation ("invalid access to vmlinux symbol"), so ours refuses the module; minimal converts it.'),
  };
}

/**
 * A loongarch64 object shaped as its kernel builds are (no toolchain for it here): the ELF ABI in
 * e_flags and one `__patchable_function_entries` per function (SHF_LINK_ORDER to its own text).
 */
function loongarchPatchableEntries(): DeviationCase {
  const R_LARCH_64 = 2;
  const R_LARCH_B26 = 66;
  const entry = (name: string) => ({ name, flags: SHF_ALLOC | SHF_WRITE | SHF_LINK_ORDER, addralign: 8n, data: new Uint8Array(8) });
  const obj = buildObject({
    machine: EM.LOONGARCH,
    flags: 0x43,
    sections: [
      { ...text('.text.klp_one') },
      { ...text('.text.klp_two') },
      { ...entry('__patchable_function_entries'), link: '.text.klp_one' },
      { ...entry('__patchable_function_entries_2'), link: '.text.klp_two' },
    ],
    symbols: [
      { name: 'klp_one', bind: 1, type: STT_FUNC, section: '.text.klp_one', size: 16n },
      { name: 'klp_two', bind: 1, type: STT_FUNC, section: '.text.klp_two', size: 16n },
      { name: 'saved_helper' },
    ],
    relocs: {
      '.text.klp_one': [{ offset: 8n, type: R_LARCH_B26, symbol: 'saved_helper' }],
      '.text.klp_two': [{ offset: 8n, type: R_LARCH_B26, symbol: 'saved_helper' }],
      '__patchable_function_entries': [{ offset: 0n, type: R_LARCH_64, symbol: 'klp_one' }],
      '__patchable_function_entries_2': [{ offset: 0n, type: R_LARCH_64, symbol: 'klp_two' }],
    },
  });
  // Give the second entries section (and its relocations) the first one's name, as gcc does.
  for (const [from, to] of [['__patchable_function_entries_2', '__patchable_function_entries'], ['.rela__patchable_function_entries_2', '.rela__patchable_function_entries']] as const) {
    const src = obj.sections.find((x) => x.name === to)!;
    const dst = obj.sections.find((x) => x.name === from)!;
    dst.name = src.name;
    dst.nameOffset = src.nameOffset;
  }
  const id = 'loongarch64-patchable-function-entries';
  return {
    id,
    input: writeElf(obj),
    symbols: `${MAGIC}*vmlinux\nsaved_helper\n`,
    meta: {
      ...meta(id, 'symbols', 'convert', ['patchable-function-entries', 'same-named-sections', 'e-flags'], 'harness/references/cases.ts (ELF builder)',
        'loongarch64 (EM_LOONGARCH, e_flags 0x43) with one __patchable_function_entries per function: ours keeps each .rela__patchable_function_entries relocating its own section; the C tools point them all at the first, and drop e_flags.'),
      arch: 'loongarch64',
    },
  };
}

export const DEVIATION_CASES: ReadonlyArray<() => DeviationCase> = [
  () => sameNamedSections('symbols'),
  () => sameNamedSections('annotation'),
  () => absSymbol(false),
  () => absSymbol(true),
  () => bigSympos(1234, 1234),
  () => bigSympos(12000, 12000),
  wideAddendAnnotation,
  osabiGnuAnnotation,
  modulePatchVmlinuxSymbol,
  loongarchPatchableEntries,
];

export function writeDeviationCases(out: string): string[] {
  return DEVIATION_CASES.map((make) => {
    const k = make();
    const dir = join(out, k.id);
    writeCaseFiles(dir, { input: k.input, ...(k.symbols !== undefined ? { symbols: k.symbols } : {}), meta: k.meta });
    return dir;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const dir of writeDeviationCases(process.argv[2] ?? 'cases/deviations')) process.stdout.write(`${dir}\n`);
}
