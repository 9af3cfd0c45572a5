// Post-link cases klp-build does not make on demand: the smallest modules on which one objtool
// deviation decides the verdict, or on which a plausible post-link bug shows. Each is written in
// GNU assembler the way `objtool klp diff` lays `__klp_relocs.<objname>` out (struct klp_reloc
// { void *offset; void *sym; u32 type; }, the pointers carried by R_*_64 relocations) and linked
// `ld -r`. Regenerate with
//   node dist/harness/references/post-link-cases.js [OUT_DIR]   (default cases/post-link)
// then `golden update` them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readInputFile, writeOutput } from '../../src/io/index.js';
import { convert } from '../../src/index.js';
import {
  buildObject, EM, type RelocSpec, SHF_ALLOC, SHF_EXECINSTR, STB_GLOBAL, STB_LOCAL, STB_WEAK, STT_FUNC, writeElf,
} from '../../src/elf/index.js';
import { writeCaseFiles, type CaseMeta } from '../case.js';

interface PostLinkCase {
  id: string;
  input: Uint8Array;
  meta: CaseMeta;
}

const TOOLS = {
  x86_64: { as: ['as', '--64'], ld: ['ld', '-r', '-m', 'elf_x86_64'] },
  s390x: { as: ['s390x-linux-gnu-as', '-m64'], ld: ['s390x-linux-gnu-ld', '-r', '-m', 'elf64_s390'] },
} as const;
type Arch = keyof typeof TOOLS;

function assemble(arch: Arch, asm: string): { bytes: Uint8Array; tools: string } {
  const dir = mkdtempSync(join(tmpdir(), 'klp-plcase-'));
  const t = TOOLS[arch];
  try {
    writeOutput(join(dir, 'a.s'), asm);
    execFileSync(t.as[0], [...t.as.slice(1), '-o', join(dir, 'a.o'), join(dir, 'a.s')]);
    execFileSync(t.ld[0], [...t.ld.slice(1), '-o', join(dir, 'out.o'), join(dir, 'a.o')]);
    const version = execFileSync(t.as[0], ['--version'], { encoding: 'utf8' }).split('\n', 1)[0]!;
    return { bytes: readInputFile(join(dir, 'out.o')), tools: `${version}; ${t.as.join(' ')}, ${t.ld.join(' ')}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One struct klp_reloc: the target (section+offset), the KLP symbol and its addend, the type. */
const entry = (target: string, klpSym: string, addend: number, type: number): string =>
  [`\t.quad ${target}`, `\t.quad "${klpSym}"${addend < 0 ? ` - ${-addend}` : addend > 0 ? ` + ${addend}` : ''}`, `\t.long ${type}`, '\t.long 0'].join('\n');

const R_X86_64_PC32 = 2;
const R_X86_64_PLT32 = 4;

/** A function that calls `bar` and loads `saved_command_line`, through klp diff's tombstones. */
const X86_TEXT = `
	.text
	.globl	klp_fn
	.type klp_fn, @function
klp_fn:
	call	.klp.tombstone.bar
	movq	.klp.tombstone.saved_command_line(%rip), %rax
	ret
`;
const X86_WEAK = ['\t.weak ".klp.sym.vmlinux.bar,0"', '\t.weak ".klp.sym.vmlinux.saved_command_line,0"'].join('\n');
const X86_ENTRIES = [entry('.text + 1', '.klp.sym.vmlinux.bar,0', -4, R_X86_64_PLT32), entry('.text + 8', '.klp.sym.vmlinux.saved_command_line,0', -4, R_X86_64_PC32)].join('\n');

function make(arch: Arch, id: string, asm: string, expect: string, exercises: string[], note: string): PostLinkCase {
  const { bytes, tools } = assemble(arch, asm);
  return {
    id,
    input: bytes,
    meta: { id, arch, dialect: 'post-link', expect, exercises, source: 'harness/references/post-link-cases.ts (GNU as + ld -r)', binutils: tools, note },
  };
}

interface BuiltEntry {
  at: number;
  klpSym: string;
  type: number;
}

/**
 * Layouts no assembler writes on purpose, from the ELF builder: `klp_fn` in .text (64 bytes), its
 * original relocations to tombstones (or to `originals`), and the entries of `section`.
 */
function built(id: string, expect: string, exercises: string[], note: string, spec: { section?: string; entries: BuiltEntry[]; originals?: Array<{ at: number; symbol: string }>; defined?: string[] }): PostLinkCase {
  const section = spec.section ?? '__klp_relocs.vmlinux';
  const data = new Uint8Array(spec.entries.length * 24);
  const view = new DataView(data.buffer);
  spec.entries.forEach((e, i) => view.setUint32(i * 24 + 16, e.type, true));
  const tombstone = (e: BuiltEntry): string => `.klp.tombstone.${e.klpSym.replace(/^\.klp\.sym\.[^.]*\./, '').replace(/,\d+$/, '')}`;
  const originals = spec.originals ?? spec.entries.map((e) => ({ at: e.at, symbol: tombstone(e) }));
  const defined = spec.defined ?? [];
  const undefinedNames = [...new Set([...originals.map((o) => o.symbol), ...spec.entries.map((e) => e.klpSym)])].filter((n) => !defined.includes(n));
  const textRelocs: RelocSpec[] = originals.map((o, k) => ({ offset: BigInt(o.at), type: spec.entries[k]?.type ?? R_X86_64_PLT32, symbol: o.symbol, addend: -4n }));
  const input = writeElf(buildObject({
    machine: EM.X86_64,
    sections: [{ name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(64) }, { name: section, flags: SHF_ALLOC, addralign: 1n, data }],
    symbols: [
      { name: 'klp_fn', bind: STB_LOCAL, type: STT_FUNC, section: '.text' },
      ...defined.map((name) => ({ name, bind: STB_GLOBAL, section: '.text', value: 32n })),
      ...undefinedNames.map((name) => ({ name, bind: name.startsWith('.klp.sym.') ? STB_WEAK : STB_GLOBAL })),
    ],
    relocs: {
      '.text': textRelocs,
      [section]: spec.entries.flatMap((e, i) => [
        { offset: BigInt(i * 24), type: 1, symbol: 'klp_fn', addend: BigInt(e.at) },
        { offset: BigInt(i * 24 + 8), type: 1, symbol: e.klpSym, addend: -4n },
      ]),
    },
  }));
  return { id, input, meta: { id, arch: 'x86_64', dialect: 'post-link', expect, exercises, source: 'harness/references/post-link-cases.ts (ELF builder)', note } };
}

const BAR_AT_1: BuiltEntry = { at: 1, klpSym: '.klp.sym.vmlinux.bar,0', type: R_X86_64_PLT32 };

export const POST_LINK_CASES: ReadonlyArray<() => PostLinkCase> = [
  () => make('x86_64', 'x86_64-post-link-basic', `${X86_TEXT}\t.section __klp_relocs.vmlinux,"a",@progbits\n${X86_ENTRIES}\n${X86_WEAK}\n`, 'convert', ['post-link'],
    'Two entries in __klp_relocs.vmlinux, a call and a PC-relative load: one .klp.rela.vmlinux..text, both KLP symbols and both tombstones SHN_LIVEPATCH, both originals R_X86_64_NONE. Ours and objtool agree byte for byte.'),
  () => make('x86_64', 'x86_64-post-link-single-section', `${X86_TEXT}\t.section __klp_relocs,"a",@progbits\n${X86_ENTRIES}\n${X86_WEAK}\n`, 'convert', ['post-link', 'linux-6.19-format'],
    'Linux 6.19\'s format: one __klp_relocs section, each entry\'s objname read from its KLP symbol. Ours converts it; 7.x objtool reads only __klp_relocs.<objname> and leaves the module as it was.'),
  () => make('x86_64', 'x86_64-post-link-partial-entry', `${X86_TEXT}\t.section __klp_relocs.vmlinux,"a",@progbits\n${X86_ENTRIES}\n\t.quad 0\n${X86_WEAK}\n`, 'bad-klp-relocs', ['post-link', 'partial-entry'],
    '__klp_relocs.vmlinux is 56 bytes: two entries and 8 more. Ours refuses the torn section; objtool converts the two entries and ignores the tail.'),
  () => make('x86_64', 'x86_64-post-link-no-original', `${X86_TEXT}\t.section __klp_relocs.vmlinux,"a",@progbits\n${entry('.text + 2', '.klp.sym.vmlinux.bar,0', -4, R_X86_64_PLT32)}\n${X86_WEAK}\n`, 'bad-klp-relocs', ['post-link', 'no-original'],
    'The entry targets .text+2, where no relocation is (the call\'s is at .text+1). Ours refuses, naming the entry; objtool dereferences the relocation it did not find (SIGSEGV).'),
  () => make('x86_64', 'x86_64-post-link-module-names-vmlinux', `${X86_TEXT}\t.section __klp_relocs.binfmt_misc,"a",@progbits\n${X86_ENTRIES}\n${X86_WEAK}\n`, 'bad-klp-relocs', ['post-link', 'module-section-vmlinux-symbol'],
    'Entries of __klp_relocs.binfmt_misc name vmlinux symbols: the livepatch core refuses a module\'s klp rela section naming a vmlinux symbol ("invalid access to vmlinux symbol"). Ours refuses; objtool converts as written.'),
  () => make('x86_64', 'x86_64-post-link-objname-from-section', `${X86_TEXT.replace(/saved_command_line/g, 'bm_entry')}\t.section __klp_relocs.vmlinux,"a",@progbits\n${[entry('.text + 1', '.klp.sym.vmlinux.bar,0', -4, R_X86_64_PLT32), entry('.text + 8', '.klp.sym.binfmt_misc.bm_entry,0', -4, R_X86_64_PC32)].join('\n')}\n\t.weak ".klp.sym.vmlinux.bar,0"\n\t.weak ".klp.sym.binfmt_misc.bm_entry,0"\n`, 'convert', ['post-link', 'objname-from-section'],
    'A vmlinux-gated entry that names a binfmt_misc symbol: the klp rela section is named after the __klp_relocs section\'s objname (vmlinux), not the symbol\'s. Kills a converter that takes the objname from the symbol, as 6.19 did for its single section.'),
  () => make('x86_64', 'x86_64-post-link-same-named-sections', `
	.section .text.klp_shared,"axG",@progbits,klp_group_a,comdat
	.globl klp_group_a
klp_group_a:
	call .klp.tombstone.bar
	ret
	.section .text.klp_shared,"axG",@progbits,klp_group_b,comdat
	.globl klp_group_b
klp_group_b:
	nop
	call .klp.tombstone.bar
	ret
	.section __klp_relocs.vmlinux,"a",@progbits
${entry('klp_group_a + 1', '.klp.sym.vmlinux.bar,0', -4, R_X86_64_PLT32)}
${entry('klp_group_b + 2', '.klp.sym.vmlinux.bar,0', -4, R_X86_64_PLT32)}
	.weak ".klp.sym.vmlinux.bar,0"
`, 'convert', ['post-link', 'comdat-group', 'same-named-sections', 'shared-symbol-across-sections'],
    'Two COMDAT sections named .text.klp_shared, each with an entry. Ours gives each its own klp rela section; objtool finds the klp rela section by name, so both entries land in one that relocates the first section. The entries name function symbols (value 0 in their sections), as klp diff may.'),
  () => make('s390x', 's390x-post-link-type', `
	.text
	.globl klp_fn
	.type klp_fn, @function
klp_fn:
	brasl %r14,.klp.tombstone.bar@PLT
	larl %r1,.klp.tombstone.saved_command_line
	br %r14
	.section __klp_relocs.vmlinux,"a",@progbits
${entry('.text + 2', '.klp.sym.vmlinux.bar,0', 2, 20)}
${entry('.text + 8', '.klp.sym.vmlinux.saved_command_line,0', 2, 19)}
	.weak ".klp.sym.vmlinux.bar,0"
	.weak ".klp.sym.vmlinux.saved_command_line,0"
`, 'convert', ['post-link', 'big-endian'],
    's390x (big-endian) entries of types R_390_PLT32DBL (20) and R_390_PC32DBL (19): ours reads the type in the object\'s byte order; an x86_64 objtool reads it in its own, so its klp relocations get types 0x14000000 and 0x13000000.'),
  () => built('x86_64-post-link-objname-too-long', 'bad-klp-relocs', ['post-link', 'objname-too-long'], 'A __klp_relocs section whose objname is 56 bytes: the kernel reads 55 (%55[^.]) and would never match the klp rela section to its object. Ours refuses; objtool converts it.',
    { section: `__klp_relocs.${'m'.repeat(56)}`, entries: [BAR_AT_1] }),
  () => built('x86_64-post-link-name-too-long', 'bad-klp-relocs', ['post-link', 'name-too-long'], 'A KLP symbol whose name part is 512 bytes: the kernel reads 511 (%511[^,]). Ours refuses; objtool converts it.',
    { entries: [{ ...BAR_AT_1, klpSym: `.klp.sym.vmlinux.${'b'.repeat(512)},0` }], originals: [{ at: 1, symbol: '.klp.tombstone.bar' }] }),
  () => built('x86_64-post-link-not-klp-symbol', 'bad-klp-relocs', ['post-link', 'not-klp-symbol'], 'An entry whose sym field names `bar`, not a .klp.sym. symbol: the livepatch core cannot resolve it. Ours refuses; objtool converts it.',
    { entries: [{ ...BAR_AT_1, klpSym: 'bar' }], originals: [{ at: 1, symbol: '.klp.tombstone.bar' }] }),
  () => built('x86_64-post-link-original-defined', 'bad-klp-relocs', ['post-link', 'original-defined'], 'The relocation an entry replaces refers to `helper`, which the module defines: marking it SHN_LIVEPATCH detaches every other use. Ours refuses; objtool converts it.',
    { entries: [BAR_AT_1], originals: [{ at: 1, symbol: 'helper' }], defined: ['helper'] }),
  () => built('x86_64-post-link-duplicate-entry', 'bad-klp-relocs', ['post-link', 'duplicate-entry'], 'Two entries for .text+1: both tools refuse (objtool: "duplicate reloc").',
    { entries: [BAR_AT_1, BAR_AT_1] }),
  () => {
    // A module post-linked already: its KLP symbols are SHN_LIVEPATCH and its klp rela section exists.
    const once = built('x86_64-post-link-twice', 'bad-klp-relocs', ['post-link', 'converted-twice'], 'A module post-linked already, given to post-link again (klp-build run twice on one .ko): both tools refuse (objtool: "duplicate reloc").', { entries: [BAR_AT_1] });
    return { ...once, input: convert(once.input, { dialect: 'post-link' }).output };
  },
];

export function writePostLinkCases(out: string): string[] {
  return POST_LINK_CASES.map((makeCase) => {
    const k = makeCase();
    const dir = join(out, k.id);
    writeCaseFiles(dir, { input: k.input, meta: k.meta });
    return dir;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const dir of writePostLinkCases(process.argv[2] ?? 'cases/post-link')) process.stdout.write(`${dir}\n`);
}
