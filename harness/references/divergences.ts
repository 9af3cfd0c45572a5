// The intentional differences from the reference klp-convert builds: one row per difference, with
// what we do and why; the reference models (v7.ts, minimal.ts, …) say which builds differ and how.
// docs/divergences.md is rendered from these and the models (`klp-harness deviations --markdown`),
// so the documentation and what the harness grants as `known` are one list and cannot drift.
import type { ReferenceModel } from './deviation.js';
import { REFERENCE_MODELS } from './index.js';

export interface Divergence {
  n: number;
  what: string;
  ours: string;
  why: string;
  /** Where it is shown when no reference model needs a deviation for it (a unit test, say). */
  shownBy?: string;
  /** Why no model has a deviation for it, when none does. */
  notModelled?: string;
}

export const DIVERGENCES: readonly Divergence[] = [
  {
    n: 1,
    what: 'ELF header `e_flags`',
    ours: 'kept',
    why: 'ppc64 modules carry the ELF ABI version in `e_flags`; from Linux 6.2 `module_elf_check_arch` (arch/powerpc/kernel/module_64.c) refuses a module whose ABI bits do not match the kernel\'s, so a ppc64le livepatch converted by v7 cannot load there',
  },
  {
    n: 2,
    what: '`EI_OSABI`, `EI_ABIVERSION`, `e_entry`, the e_ident padding',
    ours: 'kept',
    why: 'nothing in the input justifies dropping them (gas writes ELFOSABI_GNU for objects with ifuncs or unique symbols)',
  },
  {
    n: 3,
    what: 'relocation addends wider than 32 bits',
    ours: 'kept exact',
    why: 'a truncated addend relocates to the wrong address',
  },
  {
    n: 4,
    what: 'group `sh_info` (signature) and member lists, `SHF_LINK_ORDER` `sh_link`, SYMTAB_SHNDX and SHT_REL contents after `.klp.module_relocs.*` sections are removed',
    ours: 'renumbered with everything else',
    why: 'a stale member or link names an unrelated section',
  },
  {
    n: 5,
    what: 'sympos ≥ 1000',
    ours: 'any u32 sympos',
    why: 'kallsyms can hold thousands of duplicates of one name; a truncated sympos binds the wrong symbol silently',
  },
  {
    n: 6,
    what: '32-bit objects with `{ void *sym; u32 sympos }` annotations (8-byte entries)',
    ours: 'entry size read from the object: section size ÷ relocation count, 8 or 12 bytes on 32-bit targets',
    why: 'both layouts exist in real 32-bit objects (later kernel headers force a 64-bit field)',
  },
  {
    n: 7,
    what: 'relocations to unresolvable symbols from `.altinstructions`, `.parainstructions`, `.smp_locks`, `.static_call_sites`, the x86 `*_sites` sections, powerpc feature fixups, and `__jump_table` of a module object',
    ours: 'refused: `unsupported-section`, naming the section and the symbol',
    why: 'the kernel applies those sections while loading the module, before the livepatch core resolves klp relocations (and before a patched module is even loaded); the 2023 series refused them',
  },
  {
    n: 8,
    what: '`SHT_REL` relocations to unresolvable symbols (i386)',
    ours: 'refused: `unsupported-relocation`',
    why: 'the livepatch core applies only RELA relocations; x86 livepatch is 64-bit only',
  },
  {
    n: 9,
    what: 'klp rela section for a base section whose name has no leading dot (annotation dialect), e.g. `__jump_table`',
    ours: '`.klp.rela.vmlinux.__jump_table`',
    why: 'the kernel reads the objname as `%55[^.]`, so `.klp.rela.vmlinux__jump_table` means object `vmlinux__jump_table` and the section is never applied',
  },
  {
    n: 10,
    what: 'the "Valid KLP_SYMPOS" hint',
    ours: 'numbered from 1 (0 for a unique name), objects in file order',
    why: 'the validator itself wants 1..N for duplicated names; the old hint suggests positions that are refused or mean another symbol',
    shownBy: '`src/klp/convert.test.ts`',
    notModelled: 'a message, not an outcome',
  },
  {
    n: 11,
    what: '`SHN_ABS`, `SHN_COMMON` and `SHN_XINDEX` symbols (modversions `__crc_*` of pre-5.19 kbuild are ABS)',
    ours: 'left alone',
    why: 'the module loader resolves ABS symbols itself; COMMON is refused by the loader for a different reason',
  },
  {
    n: 12,
    what: '`symbols.klp` with CRLF line ends or empty lines',
    ours: 'CR before LF dropped; empty lines skipped',
    why: 'a file edited on another system should not make every name "missing"',
    shownBy: '`src/klp/symbols-file.test.ts`',
    notModelled: 'no corpus case has such a file',
  },
  {
    n: 13,
    what: 'one symbol annotated for different objects',
    ours: 'refused: `conflicting-sympos`',
    why: 'one symbol table entry can be bound to one kernel symbol only; v7 silently takes the last annotation read',
    shownBy: '`src/klp/convert.test.ts`',
    notModelled: 'no corpus case has such annotations',
  },
  {
    n: 14,
    what: 'converting an already-converted module',
    ours: 'a no-op (byte-identical output)',
    why: 'klp-convert may run twice in a build; a rela section\'s base is its `sh_info` (the references find it by name and stop: "can\'t find base section for rela section .klp.rela…", the read-phase half of #18)',
    shownBy: '`src/klp/convert.test.ts` (property)',
  },
  {
    n: 15,
    what: 'error messages',
    ours: '`klp-convert: <file>: <what>`; output written to a temporary file and renamed, never left half-written',
    why: 'users need to know which file is wrong; the references print `(null):` and can leave a 0-byte output',
    shownBy: '`src/cli/cli.test.ts`, `src/io/files.test.ts`',
    notModelled: 'a message, not an outcome',
  },
  {
    n: 16,
    what: '`sh_addralign` that is not a power of two',
    ours: 'refused when read (`bad-elf`), naming the section',
    why: 'the alignment cannot be laid out (libelf fails at write time, after the conversion); saying so up front keeps the error about the input',
  },
  {
    n: 17,
    what: 'control characters (or dots) in a symbols.klp object name',
    ours: 'refused (`bad-symbols-file`, with the line)',
    why: 'no kernel object has such a name; raw control bytes break the one-line error',
  },
  {
    n: 18,
    what: 'the base of a relocation section (several sections of one name: a `__patchable_function_entries` per function on arm64 and loongarch, COMDAT sections)',
    ours: 'its `sh_info`, kept',
    why: 'the references find a rela section\'s base by its name and rewrite every RELA `sh_info` to the first section of that name, so the relocations of the second and later sections of a name apply to the first',
  },
  {
    n: 19,
    what: 'klp rela sections for relocations of same-named sections',
    ours: 'one per (object, relocated section), each relocating its own section',
    why: 'the references find a klp rela section again by its name, so relocations of two same-named sections share one that relocates the first of them',
  },
  {
    n: 20,
    what: 'KLP_SYMPOS annotations whose relocations are SHT_REL (`.rel.klp.module_relocs.*`, i386)',
    ours: 'read; the object is then refused for its own reason (`unsupported-relocation`, or an invalid annotation)',
    why: 'the symbols-list references look only for `.rela.klp.module_relocs.*` and dereference NULL (SIGSEGV)',
  },
  {
    n: 21,
    what: 'KLP_SYMPOS values of big-endian objects (s390x, ppc64)',
    ours: 'read in the file\'s byte order',
    why: 'v4 and v5 read them in the host\'s: on x86_64 sympos 1 of an s390x module reads as 16777216',
  },
  {
    n: 22,
    what: 'annotation dialect: a symbol of vmlinux annotated for a module\'s klp rela section (`.klp.sym.rela.<module>.vmlinux.<name>,<pos>`)',
    ours: 'refused: `bad-annotation`, naming the symbol',
    why: '`klp_resolve_symbols` (kernel/livepatch/core.c) refuses a module-specific klp rela section that names a vmlinux symbol ("invalid access to vmlinux symbol"), so the patch never loads; such a symbol is exported (an ordinary relocation), or the patch belongs to vmlinux',
  },
  {
    n: 23,
    what: 'a section-name string table not named `.shstrtab` (clang -c keeps section and symbol names in one `.strtab`)',
    ours: 'the table e_shstrndx names, whatever its name; new names are appended to it',
    why: 'ELF finds it by e_shstrndx; the references look it up by the name `.shstrtab` when writing, so they convert such an object and then write nothing ("can\'t find .shstrtab"). A .ko from `ld.lld -r` has its own `.shstrtab`',
  },
  {
    n: 24,
    what: 'a symbols.klp name line before the first `*object` line',
    ours: 'refused (`bad-symbols-file`, with the line)',
    why: 'the name belongs to no object; v4 copies the missing object name and crashes (SIGSEGV), v5 and v7 refuse it',
  },
  {
    n: 25,
    what: 'post-link: an entry that cannot be read (a pointer without its relocation, an offset that names no section of the module or lies past its section, a section size that is not a whole number of entries, an objname the kernel cannot parse) or a module post-linked before',
    ours: 'refused (`bad-klp-relocs`), naming the `__klp_relocs` section and the entry index; nothing written',
    why: 'each is a klp-build or link failure that would make a patch apply to the wrong place or not at all; the first of them stops objtool too ("malformed __klp_relocs.… section", "duplicate reloc"), the others are rows 27–29',
    shownBy: '`src/klp/dialects/post-link.test.ts`',
    notModelled: 'where objtool refuses as well, both refuse: no deviation',
  },
  {
    n: 26,
    what: 'post-link: the single `__klp_relocs` section of Linux 6.19 (objname read from each KLP symbol\'s name)',
    ours: 'converted, as 6.19\'s post-link did',
    why: 'modules built by 6.19\'s klp-build carry it; 7.x objtool only reads `__klp_relocs.<objname>` and leaves it unconverted, so such a module fails to load ("Unknown symbol .klp.tombstone.…")',
  },
  {
    n: 27,
    what: 'post-link: a `__klp_relocs` section whose size is not a multiple of the entry size',
    ours: 'refused (`bad-klp-relocs`)',
    why: 'a torn entry means the section was not written by klp diff as the kernel lays out `struct klp_reloc`; objtool converts the whole entries and ignores the tail',
  },
  {
    n: 28,
    what: 'post-link: an entry whose original relocation is missing (nothing at target + offset, or an offset past its section)',
    ours: 'refused (`bad-klp-relocs`), naming the entry',
    why: 'the original is the relocation the patch replaces; objtool dereferences the relocation it did not find (SIGSEGV)',
  },
  {
    n: 29,
    what: 'post-link: an entry the kernel would refuse (a KLP symbol name that does not parse as `.klp.sym.<objname>.<name>,<sympos>`, a module\'s klp rela section naming a vmlinux symbol, an original relocation to a symbol the module defines)',
    ours: 'refused (`bad-klp-relocs`), naming the entry and the symbol',
    why: '`klp_resolve_symbols` refuses the first two ("invalid access to vmlinux symbol"), so the patch never loads; the third would detach a symbol of the module itself; objtool converts them as written',
  },
  {
    n: 30,
    what: 'post-link: the `type` of `struct klp_reloc` on big-endian objects (s390x)',
    ours: 'read in the object\'s byte order',
    why: 'objtool reads the entry in its host\'s byte order, so an x86_64 objtool writes s390x klp relocations with byte-swapped types',
  },
];

/** What the corpus of real kernel objects (cases/real/) shows about the references, with a case each. */
export const REAL_CORPUS_FINDINGS: ReadonlyArray<{ finding: string; cases: string[] }> = [
  {
    finding: 'v7 writes e_flags 0 on every ppc64le kbuild object (ELFv2, flags 2): a Linux ≥ 6.2 ppc64le kernel refuses the module ("Invalid module architecture in ELF header"), shown under QEMU by `klp-harness load --arch ppc64le --kernel 6.12 --reference` (docs/kernel.md)',
    cases: ['real/ppc64le/arch-powerpc-kernel-process-symbols'],
  },
  {
    finding: 'x86_64 vmlinux objects point `.static_call_sites` at keys that are not exported (`__SCK__cond_resched`, `__SCK__might_resched`, `__SCK__tp_func_*`); arm64 KVM uses a callback from `.altinstructions`: both references convert them silently',
    cases: ['real/x86_64/arch-x86-kernel-process-symbols', 'real/aarch64/arch-arm64-kvm-arm-symbols'],
  },
  {
    finding: 'addends of 2^31 and more are real (x86_64 `head64.o`, `setup.o`, `mm/init.o`): both references write them truncated to 32 bits',
    cases: ['real/x86_64/arch-x86-kernel-head64-symbols', 'real/x86_64/arch-x86-kernel-head64-annotation'],
  },
  {
    finding: 'jump labels of vmlinux objects on all four architectures get `.klp.rela.vmlinux__jump_table` from minimal: a section the kernel reads as belonging to an object named `vmlinux__jump_table`, so those relocations are never applied',
    cases: ['real/x86_64/arch-x86-kernel-process-annotation', 'real/aarch64/arch-arm64-kernel-cpufeature-annotation', 'real/ppc64le/arch-powerpc-kernel-traps-annotation', 'real/s390x/arch-s390-kernel-traps-annotation'],
  },
  {
    finding: 'a module object whose annotation names a vmlinux symbol for the module\'s klp rela section: minimal converts it, the livepatch core would refuse it',
    cases: ['real/s390x/net-netfilter-nf-conntrack-core-annotation'],
  },
  {
    finding: 'gcc-12 with binutils 2.40 makes one `__patchable_function_entries` per arm64 object; clang-15 makes one per function (same name, SHF_LINK_ORDER to its own text: 74 to 277 in an object), and the references then point every `.rela__patchable_function_entries` at the first (#18)',
    cases: ['real/aarch64/drivers-block-loop-clang-symbols', 'loongarch64-patchable-function-entries'],
  },
  {
    finding: 'objects straight from clang-15 (-c, the integrated assembler) have no `.shstrtab`: both references convert them and then stop when writing, "can\'t find .shstrtab" (#23)',
    cases: ['real/aarch64/kernel-fork-clang-symbols', 'real/aarch64/kernel-sched-core-clang-annotation', 'real/x86_64/kernel-sched-core-clang-annotation'],
  },
];

/** Escapes a table cell. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function caseList(ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, 3).map((id) => `\`${id}\``);
  return ids.length > 3 ? `${shown.join(', ')} (+${ids.length - 3})` : shown.join(', ');
}

/** docs/divergences.md, rendered from the rows and the models. */
export function divergencesMarkdown(models: readonly ReferenceModel[] = REFERENCE_MODELS): string {
  const lines = [
    '# Intentional differences from the reference klp-convert',
    '',
    '<!-- Generated by `npx klp-harness deviations --markdown > docs/divergences.md` from',
    '     harness/references/ (divergences.ts and the models); a test fails when it is out of date. -->',
    '',
    'Our output equals the reference\'s byte for byte wherever the reference is right. Where it is',
    'not, we do what the kernel needs and record it here. Each reference build is modelled as our',
    'converter plus its **deviations** (`harness/references/<label>.ts`): small named transformations',
    'of our result. A difference from a reference is `known` only when its model, run on the case,',
    'reproduces the reference\'s output byte for byte (or its refusal: same kind, same symbol or',
    'section; or its crash); the report names the deviations it took. Anything else is `diverge`,',
    'with the diff between the model and the reference.',
    '',
    'References: **v7** (2023, symbols-list dialect), **minimal** (2024, annotation dialect), **v4**',
    '(2019, the seed\'s tree) and the **v5** tree. Kernel sources cited: `Documentation/livepatch/module-elf-format.rst`,',
    '`kernel/livepatch/core.c`, `kernel/module/main.c`, `arch/powerpc/kernel/module_64.c`.',
    '',
    '| # | What differs | Ours | Why | Reference deviations (cases that show them) |',
    '|---|---|---|---|---|',
  ];
  for (const d of DIVERGENCES) {
    const devs = models.flatMap((m) => m.deviations.filter((x) => x.divergence === d.n).map((x) => ({ m, x })));
    const refs = devs.map(({ x }) => `\`${x.id}\`: ${x.does}${x.cases.length ? ` (${caseList(x.cases)})` : ''}`);
    if (d.shownBy) refs.push(`shown by ${d.shownBy}`);
    if (devs.length === 0 && d.notModelled) refs.push(`not modelled: ${d.notModelled}`);
    lines.push(`| ${d.n} | ${cell(d.what)} | ${cell(d.ours)} | ${cell(d.why)} | ${cell(refs.join('<br>'))} |`);
  }
  lines.push('', '## What the real corpus finds', '', 'From `cases/real/` (kernel objects of Debian\'s linux-source-6.1, built by kbuild with Debian\'s configs, symbols.klp from Debian\'s kernels):', '');
  for (const f of REAL_CORPUS_FINDINGS) lines.push(`- ${f.finding} (${caseList(f.cases)}).`);
  lines.push('', '## The models', '');
  for (const m of models) {
    lines.push(`- **${m.label}**: ${m.describes}; ${m.deviations.length} deviations, applied in this order: ${m.deviations.map((d) => `\`${d.id}\``).join(', ')}.`);
    if (m.notModelled) lines.push(`  Not modelled, on purpose: ${m.notModelled}.`);
  }
  lines.push(
    '',
    'What we deliberately keep from the references, although we might prefer otherwise: the file',
    'layout (libelf\'s), the two dialects\' klp rela section spellings (`.klp.rela.vmlinux..text` for',
    'symbols-list, `.klp.rela.vmlinux.text` for annotation), strings appended without sharing, emptied',
    '`.rela.*` sections kept with size 0, and `sh_addralign` 0 written as 1 and the record size written as',
    '`sh_entsize` for symbol, relocation and group sections.',
    '',
  );
  return lines.join('\n');
}
