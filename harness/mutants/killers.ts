// Corpus cases written to kill mutants the compiled corpus let through, built with the ELF builder
// (no compiler makes these layouts on demand). Regenerate with
//   node dist/harness/mutants/killers.js [OUT_DIR]   (default cases/mutant-killers)
// then `golden update` them against the references (docs/bug-finding.md).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildObject, EM, SHF_ALLOC, SHF_EXECINSTR, SHF_GROUP, SHF_LINK_ORDER, SHF_WRITE, SHT_GROUP,
  STB_LOCAL, writeElf,
} from '../../src/elf/index.js';
import type { CaseMeta } from '../case.js';
import { writeCaseFiles } from '../case.js';

const R_X86_64_64 = 1;
const R_X86_64_PC32 = 2;
const STT_FUNC = 2;
const STT_OBJECT = 1;
const STT_SECTION = 3;

export interface KillerCase {
  id: string;
  input: Uint8Array;
  symbols?: string;
  meta: CaseMeta;
}

const SYMBOLS_MAGIC = 'klp-convert-symbol-data.0.1\n';

/**
 * Relocations whose addends need more than 32 bits, to a symbol that must be converted: every C
 * klp-convert keeps the addend in an int. Kills `addend-truncated-32`.
 */
function wideAddend(): KillerCase {
  const obj = buildObject({
    machine: EM.X86_64,
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(16) },
      { name: '.data.klp_wide_addend', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(32) },
    ],
    symbols: [
      { name: 'wide_addend_user', bind: 1, type: STT_FUNC, section: '.text', size: 16n },
      { name: 'saved_command_line' },
    ],
    relocs: {
      '.text': [{ offset: 3n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }],
      '.data.klp_wide_addend': [
        { offset: 0n, type: R_X86_64_64, symbol: 'saved_command_line', addend: 0x100000005n },
        { offset: 8n, type: R_X86_64_64, symbol: 'saved_command_line', addend: -0x100000008n },
        { offset: 16n, type: R_X86_64_64, symbol: 'saved_command_line', addend: 0x7fffffff00000000n },
      ],
    },
  });
  return {
    id: 'x86_64-wide-addend',
    input: writeElf(obj),
    symbols: `${SYMBOLS_MAGIC}*vmlinux\nsaved_command_line\n`,
    meta: {
      id: 'x86_64-wide-addend',
      arch: 'x86_64',
      dialect: 'symbols',
      expect: 'convert',
      exercises: ['addend', 'wide-addend', 'shared-symbol-across-sections'],
      source: 'harness/mutants/killers.ts (ELF builder)',
      note: 'R_X86_64_64 relocations with addends +0x100000005, -0x100000008 and +0x7fffffff00000000 to a vmlinux symbol: the klp relocations must keep them exact. Kills mutant addend-truncated-32; v7 truncates them (deviation v7-addends-truncated).',
    },
  };
}

/**
 * KLP_SYMPOS annotation sections placed before a COMDAT group and a SHF_LINK_ORDER section, so
 * removing them renumbers the group's members and the link-order sh_link. Kills
 * `group-members-stale` and `link-order-stale` from the corpus (not only from unit tests).
 */
function groupAfterAnnotations(): KillerCase {
  const entries = new Uint8Array(12);
  new DataView(entries.buffer).setUint32(8, 2, true);
  const group = new Uint8Array(12);
  const g = new DataView(group.buffer);
  g.setUint32(0, 1, true); // GRP_COMDAT; members are filled in below, once indices are known
  const obj = buildObject({
    machine: EM.X86_64,
    sections: [
      { name: '.klp.module_relocs.vmlinux', flags: SHF_ALLOC | SHF_WRITE, addralign: 1n, data: entries },
      { name: '.group', type: SHT_GROUP, addralign: 4n, entsize: 4n, data: group },
      { name: '.text.klp_thunk', flags: SHF_ALLOC | SHF_EXECINSTR | SHF_GROUP, addralign: 16n, data: new Uint8Array(16) },
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(32) },
      { name: '__patchable_function_entries', flags: SHF_ALLOC | SHF_WRITE | SHF_LINK_ORDER, addralign: 8n, data: new Uint8Array(8), link: '.text' },
    ],
    symbols: [
      { name: '', bind: STB_LOCAL, type: STT_SECTION, section: '.text' },
      { name: 'klp_relocs_entries', bind: STB_LOCAL, type: STT_OBJECT, section: '.klp.module_relocs.vmlinux', size: 12n },
      { name: 'klp_thunk', bind: 1, type: STT_FUNC, section: '.text.klp_thunk', size: 16n },
      { name: 'group_user', bind: 1, type: STT_FUNC, section: '.text', size: 32n },
      { name: 'dup' },
      { name: 'saved_command_line' },
    ],
    relocs: {
      '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_X86_64_64, symbol: 'dup' }],
      '.text.klp_thunk': [{ offset: 4n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }],
      '.text': [
        { offset: 3n, type: R_X86_64_PC32, symbol: 'dup', addend: -4n },
        { offset: 9n, type: R_X86_64_PC32, symbol: 'klp_thunk', addend: -4n },
        { offset: 15n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n },
      ],
      '__patchable_function_entries': [{ offset: 0n, type: R_X86_64_64, symbol: 'group_user' }],
    },
  });
  const index = (name: string): number => obj.sections.findIndex((s, i) => i > 0 && s.name === name);
  const grp = obj.sections[index('.group')]!;
  const members = new DataView(grp.data.buffer, grp.data.byteOffset, grp.data.byteLength);
  members.setUint32(4, index('.text.klp_thunk'), true);
  members.setUint32(8, index('.rela.text.klp_thunk'), true);
  grp.link = index('.symtab');
  grp.info = 3; // the signature: klp_thunk (symbol 3: null, section, klp_relocs_entries, klp_thunk)
  obj.sections[index('.rela.text.klp_thunk')]!.flags |= SHF_GROUP;
  return {
    id: 'x86_64-group-after-annotations',
    input: writeElf(obj),
    symbols: `${SYMBOLS_MAGIC}*vmlinux\nsaved_command_line\ndup\ndup\n`,
    meta: {
      id: 'x86_64-group-after-annotations',
      arch: 'x86_64',
      dialect: 'symbols',
      expect: 'convert',
      exercises: ['sympos', 'comdat-group', 'link-order', 'annotation-sections-removed', 'shared-symbol-across-sections'],
      source: 'harness/mutants/killers.ts (ELF builder)',
      note: 'A KLP_SYMPOS section (.klp.module_relocs.vmlinux) comes before a COMDAT group and a SHF_LINK_ORDER section: removing it must renumber the group members and the sh_link. Kills mutants group-members-stale and link-order-stale from the corpus; v7 leaves the old indices (deviation v7-stale-links).',
    },
  };
}

/**
 * Annotation dialect, a symbol of one module used by the patch of another: the klp rela section
 * belongs to the patched object (test_mod), not to the symbol's (other_mod). The compiled corpus
 * patches only the symbol's own object. Kills `klp-rela-named-after-symobj` from the corpus.
 */
function patchedObjectNotSymbolObject(): KillerCase {
  const sym = '.klp.sym.rela.test_mod.other_mod.other_helper,0';
  const own = '.klp.sym.rela.test_mod.test_mod.mod_only,0';
  const obj = buildObject({
    machine: EM.X86_64,
    sections: [
      { name: '.text', flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(32) },
      { name: '.data', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(16) },
    ],
    symbols: [
      { name: 'livepatch_test_mod_fn', bind: 1, type: STT_FUNC, section: '.text', size: 32n },
      { name: sym },
      { name: own },
    ],
    relocs: {
      '.text': [
        { offset: 3n, type: R_X86_64_PC32, symbol: sym, addend: -4n },
        { offset: 9n, type: R_X86_64_PC32, symbol: own, addend: -4n },
        { offset: 15n, type: R_X86_64_PC32, symbol: sym, addend: -4n },
      ],
      '.data': [{ offset: 8n, type: R_X86_64_64, symbol: sym }],
    },
  });
  return {
    id: 'x86_64-annotation-other-module-symbol',
    input: writeElf(obj),
    meta: {
      id: 'x86_64-annotation-other-module-symbol',
      arch: 'x86_64',
      dialect: 'annotation',
      expect: 'convert',
      exercises: ['annotation', 'module-symbol', 'symbol-object-differs-from-patched-object', 'shared-symbol-across-sections'],
      source: 'harness/mutants/killers.ts (ELF builder)',
      note: 'The patch of test_mod uses other_mod\'s other_helper (.klp.sym.rela.test_mod.other_mod.other_helper,0): its relocations go to .klp.rela.test_mod.*, the symbol becomes .klp.sym.other_mod.other_helper,0. Kills mutant klp-rela-named-after-symobj from the corpus.',
    },
  };
}

export const KILLERS: ReadonlyArray<() => KillerCase> = [wideAddend, groupAfterAnnotations, patchedObjectNotSymbolObject];

export function writeKillers(out: string): string[] {
  return KILLERS.map((make) => {
    const k = make();
    const dir = join(out, k.id);
    writeCaseFiles(dir, { input: k.input, ...(k.symbols !== undefined ? { symbols: k.symbols } : {}), meta: k.meta });
    return dir;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const dir of writeKillers(process.argv[2] ?? 'cases/mutant-killers')) process.stdout.write(`${dir}\n`);
}
