// Mutants: bugs a klp-convert has had, or plausibly could have, written as source patches to a
// copy of this repository. Nothing here is imported by the converter: the shipped code path never
// sees a mutant. Each patch names a file, an exact text that must occur in it exactly once, and
// what replaces it; a text that is missing (or ambiguous) means the definition is stale, and the
// run fails loudly rather than counting it as killed.

import type { Dialect } from '../../src/klp/index.js';

export interface SourcePatch {
  /** Path relative to the repository root. */
  file: string;
  search: string;
  replace: string;
}

export interface Mutant {
  id: string;
  /** The bug, in a user's words. */
  bug: string;
  /** Where it was seen, when it was (a reference version, a mailing-list thread). */
  seen?: string;
  /**
   * Reference deviations this mutant is (or is on every corpus case): against that reference the
   * mutant's output is the reference's, so a differential run rightly passes it.
   */
  deviationOf?: string[];
  /** The dialects whose conversions it changes (default both): a run of the other cannot see it. */
  dialects?: Dialect[];
  patches: SourcePatch[];
}

const PLAN = 'src/klp/dialects/relocation-scan.ts';
const APPLY = 'src/klp/apply.ts';
const SYMBOLS_LIST = 'src/klp/dialects/symbols-list.ts';
const POST_LINK = 'src/klp/dialects/post-link.ts';

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'layout-ignores-alignment',
    bug: 'the writer lays section contents out back to back, ignoring sh_addralign: every section still decodes, but the bytes (and the alignment the kernel loader relies on) are not the reference\'s',
    seen: 'a plausible rewrite bug; only a byte comparison catches it, since a section-level dump ignores file offsets',
    patches: [{ file: 'src/elf/layout.ts', search: '    offset = alignUp(offset, align);\n', replace: '    void align;\n' }],
  },
  {
    id: 'first-rela-only',
    bug: 'only the first rela of a shared symbol is converted; later ones stay in ordinary rela sections, pointing at a SHN_LIVEPATCH symbol',
    seen: 'v4 (2019), the seed thread: d59cadc0a8f8 "make convert_rela() list-safe"',
    patches: [{ file: PLAN, search: '      let conv = conversions.get(rel.symbol);\n', replace: '      let conv = conversions.get(rel.symbol);\n      if (conv) continue;\n' }],
  },
  {
    id: 'second-section-lost',
    bug: 'relas moved while iterating: a shared symbol\'s relas from a second rela section are unlinked from it but never reach a klp rela section',
    seen: 'the seed thread (list_del while iterating), the v5 tree',
    patches: [{
      file: APPLY,
      search: '  const moved = new Map<number, Uint8Array>();\n',
      replace:
        '  const moved = new Map<number, Uint8Array>();\n' +
        '  const firstSectionOf = new Map<number, number>();\n' +
        '  for (const klp of plan.klpSections) for (const r of klp.relocs) if (!firstSectionOf.has(r.symbol)) firstSectionOf.set(r.symbol, r.section);\n',
    }, {
      file: APPLY,
      search: '    const data = new Uint8Array((klp.relocs.length + klp.added.length) * entsize);\n    if (klp.added.length > 0) data.set(encodeRelocs(ident, SHT_RELA, klp.added), klp.relocs.length * entsize);\n    klp.relocs.forEach(({ section, index }, k) => {',
      replace:
        '    const lost = klp.relocs.filter((r) => firstSectionOf.get(r.symbol) !== r.section);\n' +
        '    for (const { section, index } of lost) {\n' +
        '      let marks = moved.get(section);\n' +
        '      if (!marks) moved.set(section, (marks = new Uint8Array(obj.sections[section]!.data.length / entsize)));\n' +
        '      marks[index] = 1;\n' +
        '    }\n' +
        '    const relocs = klp.relocs.filter((r) => !lost.includes(r));\n' +
        '    const data = new Uint8Array((relocs.length + klp.added.length) * entsize);\n    if (klp.added.length > 0) data.set(encodeRelocs(ident, SHT_RELA, klp.added), relocs.length * entsize);\n    relocs.forEach(({ section, index }, k) => {',
    }],
  },
  {
    id: 'second-section-crash',
    bug: 'a shared symbol also used from a later rela section crashes the converter',
    seen: 'the seed\'s proposed fix and the v5 tree: SIGSEGV with -ffunction-sections or cold sections',
    patches: [{
      file: PLAN,
      search: '      target.relocs.push({ section: secIndex, index: k, symbol: rel.symbol });',
      replace:
        '      if (klpOrder.some((t) => t.relocs.some((r) => r.symbol === rel.symbol && r.section !== secIndex))) throw new TypeError(\'Cannot read properties of null (list_del)\');\n' +
        '      target.relocs.push({ section: secIndex, index: k, symbol: rel.symbol });',
    }],
  },
  {
    id: 'relas-reversed',
    bug: 'relas land in the klp rela section in reverse order (list_add instead of list_add_tail)',
    seen: 'the seed\'s move_rela uses list_add',
    patches: [{ file: APPLY, search: '      data.set(from.subarray(index * entsize, (index + 1) * entsize), k * entsize);', replace: '      data.set(from.subarray(index * entsize, (index + 1) * entsize), (klp.relocs.length - 1 - k) * entsize);' }],
  },
  {
    id: 'no-rela-livepatch-flag',
    bug: 'klp rela sections lack SHF_RELA_LIVEPATCH: the module loader applies them at load time, before the patched object exists',
    patches: [{ file: PLAN, search: 'flags: SHF_ALLOC | SHF_RELA_LIVEPATCH,', replace: 'flags: SHF_ALLOC | (SHF_RELA_LIVEPATCH & 0n),' }],
  },
  {
    id: 'no-alloc-flag',
    bug: 'klp rela sections lack SHF_ALLOC: the loader drops them after loading and the livepatch core finds nothing to apply',
    patches: [{ file: PLAN, search: 'flags: SHF_ALLOC | SHF_RELA_LIVEPATCH,', replace: 'flags: (SHF_ALLOC & 0n) | SHF_RELA_LIVEPATCH,' }],
  },
  {
    id: 'toc-converted',
    dialects: ['symbols'],
    bug: 'the ppc64 TOC base .TOC. is converted (or reported missing) although the module loader resolves it',
    patches: [{ file: SYMBOLS_LIST, search: "sym.shndx === SHN_UNDEF && sym.name !== '.TOC.' && !list.exported.has(sym.name)", replace: 'sym.shndx === SHN_UNDEF && !list.exported.has(sym.name)' }],
  },
  {
    id: 'exported-converted',
    dialects: ['symbols'],
    bug: 'a symbol symbols.klp marks exported (__ksymtab_X) is converted instead of left to the module loader',
    patches: [{ file: SYMBOLS_LIST, search: "sym.shndx === SHN_UNDEF && sym.name !== '.TOC.' && !list.exported.has(sym.name)", replace: "sym.shndx === SHN_UNDEF && sym.name !== '.TOC.'" }],
  },
  {
    id: 'sympos-off-by-one',
    dialects: ['symbols'],
    bug: 'a KLP_SYMPOS position is written zero-based: sympos N binds the (N-1)th symbol of that name',
    patches: [{ file: SYMBOLS_LIST, search: '    if (chosen) return { ...chosen, name, lpObjname: chosen.objname };', replace: '    if (chosen) return { ...chosen, sympos: Math.max(0, chosen.sympos - 1), name, lpObjname: chosen.objname };' }],
  },
  {
    id: 'sympos-bound-off-by-one',
    dialects: ['symbols'],
    bug: 'KLP_SYMPOS validation is off by one: the last occurrence of a duplicated name (sympos = count) is refused',
    patches: [{ file: SYMBOLS_LIST, search: '    if (a.sympos > count) {', replace: '    if (a.sympos >= count) {' }],
  },
  {
    id: 'annotation-host-byte-order',
    dialects: ['symbols'],
    deviationOf: ['v4-sympos-in-host-order', 'v5-sympos-in-host-order'],
    bug: 'KLP_SYMPOS entries are read in the host\'s byte order (little-endian), not the object\'s: big-endian targets get sympos × 2^24',
    seen: 'v4/v5 on s390x',
    patches: [{ file: 'src/klp/annotations.ts', search: '    const r = new ByteReader(sec.data, ident.littleEndian);', replace: '    const r = new ByteReader(sec.data, true);' }],
  },
  {
    id: 'annotation-host-pointer-size',
    dialects: ['symbols'],
    deviationOf: ['v7-annotation-entries-of-12-bytes', 'v4-annotation-entries-of-12-bytes', 'v5-annotation-entries-of-12-bytes'],
    bug: 'KLP_SYMPOS entries are sized by the host\'s struct (12 bytes), so 32-bit objects with { void *, u32 } entries are refused',
    seen: 'v4–v7 on ppc32: "length beyond nr_entries"',
    patches: [{ file: 'src/klp/annotations.ts', search: '    const layouts = ident.is64 ? [12] : [8, 12];', replace: '    const layouts = [12];' }],
  },
  {
    id: 'elf32-entsize-from-elf64',
    bug: 'ELF32 objects get ELF64 entry sizes (sh_entsize 24 for RELA, 24 for symbols)',
    patches: [{ file: 'src/elf/normalize.ts', search: '  const sizes = classSizes(obj.header.ident.is64);', replace: '  const sizes = classSizes(true);' }],
  },
  {
    id: 'symtab-info-stale',
    // removeSections runs only for the symbols-list dialect's annotation sections.
    dialects: ['symbols'],
    bug: '.symtab sh_info is not recounted after the local symbols of removed annotation sections go: it no longer counts the locals',
    patches: [{ file: 'src/elf/edit.ts', search: '    tab.info = localSymbolCount(kept);', replace: '    tab.info = Math.max(tab.info, localSymbolCount(kept));' }],
  },
  {
    id: 'group-members-stale',
    dialects: ['symbols'],
    deviationOf: ['v7-stale-links', 'v4-stale-links', 'v5-stale-links'],
    bug: 'section group member lists keep the old section indices after annotation sections are removed',
    seen: 'v4–v7',
    patches: [{ file: 'src/elf/edit.ts', search: '    if (s.type === SHT_GROUP) s.data = renumberGroup(ident.littleEndian, s, newIndex);', replace: '    if (s.type === SHT_GROUP && ident.is64 !== ident.is64) s.data = renumberGroup(ident.littleEndian, s, newIndex);' }],
  },
  {
    id: 'link-order-stale',
    dialects: ['symbols'],
    deviationOf: ['v7-stale-links', 'v4-stale-links', 'v5-stale-links'],
    bug: 'SHF_LINK_ORDER sh_link keeps the old section index after annotation sections are removed',
    seen: 'v4–v7',
    patches: [{ file: 'src/elf/edit.ts', search: "    if (s.link !== 0) s.link = mapSection(s.link, s, 'sh_link');", replace: "    if (s.link !== 0 && (s.flags & 0x80n) === 0n) s.link = mapSection(s.link, s, 'sh_link');" }],
  },
  {
    id: 'klp-rela-named-after-symobj',
    dialects: ['annotation'],
    bug: 'annotation dialect: the klp rela section is named after the symbol\'s object instead of the patched object',
    patches: [{ file: PLAN, search: 'name: klpRelaSectionName(dialect, conv.lpObjname, base.name), objname: conv.lpObjname,', replace: 'name: klpRelaSectionName(dialect, conv.objname, base.name), objname: conv.objname,' }],
  },
  {
    id: 'rename-keeps-old-name-offset',
    bug: 'a renamed symbol keeps its old .strtab offset: the loader sees the old name',
    patches: [{ file: APPLY, search: '      sym.nameOffset = offsets[k]!;\n', replace: '      void offsets[k];\n' }],
  },
  {
    id: 'e-flags-dropped',
    deviationOf: ['v7-fresh-header', 'v4-fresh-header', 'v5-fresh-header'],
    bug: 'the ELF header e_flags is written as 0 (ppc64 ELF ABI version lost: "Unsupported ELF ABI")',
    seen: 'v4–v7',
    patches: [{ file: 'src/elf/write.ts', search: '  w.u32(at.flags, obj.header.flags);', replace: '  w.u32(at.flags, 0);' }],
  },
  {
    id: 'addend-truncated-32',
    deviationOf: ['v7-addends-truncated', 'minimal-addends-truncated', 'v4-addends-truncated', 'v5-addends-truncated'],
    bug: 'relocation addends pass through a 32-bit int: +0x100000005 becomes +5 in klp rela sections',
    seen: 'every C version (struct rela: int addend)',
    patches: [{
      file: APPLY,
      search: '  addSections, appendStrings, decodeSymbols,',
      replace: '  addSections, appendStrings, decodeRelocs, decodeSymbols,',
    }, {
      file: APPLY,
      search: '    return data;\n  });',
      replace:
        '    const relocs = decodeRelocs(ident, { ...obj.sections[0]!, type: SHT_RELA, data, size: data.length });\n' +
        '    return encodeRelocs(ident, SHT_RELA, relocs.map((r) => ({ ...r, addend: BigInt.asIntN(32, r.addend) })));\n  });',
    }],
  },
  {
    id: 'klp-section-per-rela',
    bug: 'a klp rela section is created per rela instead of per (object, section)',
    patches: [{ file: PLAN, search: '      let target = ofObject.get(sec.info);', replace: '      let target: KlpSectionPlan | undefined = k < 0 ? ofObject.get(sec.info) : undefined;' }],
  },
  {
    id: 'post-link-original-kept',
    dialects: ['post-link'],
    bug: 'post-link: the original relocation is not retyped R_*_NONE, so the module loader applies it too, against the SHN_LIVEPATCH tombstone (address 0)',
    patches: [{ file: POST_LINK, search: '      if (original.type !== R_NONE) plan.retype.push(', replace: '      if (original.type === -1) plan.retype.push(' }],
  },
  {
    id: 'post-link-tombstone-kept',
    dialects: ['post-link'],
    bug: 'post-link: the symbol of the original relocation (the .klp.tombstone.) stays undefined, so insmod fails with "Unknown symbol"',
    patches: [{ file: POST_LINK, search: '      livepatch.add(original.symbol);\n', replace: '' }],
  },
  {
    id: 'post-link-objname-from-symbol',
    dialects: ['post-link'],
    bug: 'post-link: the klp rela section is named after the KLP symbol\'s object (Linux 6.19\'s rule) instead of its __klp_relocs.<objname> section',
    patches: [{ file: POST_LINK, search: '    let objname = sectionObjname;', replace: '    let objname: string | undefined = void sectionObjname;' }],
  },
  {
    id: 'post-link-addend-lost',
    dialects: ['post-link'],
    bug: 'post-link: the klp relocation gets addend 0 instead of the addend of the entry\'s sym relocation',
    patches: [{ file: POST_LINK, search: 'symbol: symReloc.symbol, addend: symReloc.addend,', replace: 'symbol: symReloc.symbol, addend: 0n,' }],
  },
  {
    id: 'post-link-no-info-link',
    dialects: ['post-link'],
    bug: 'post-link: klp rela sections lack SHF_INFO_LINK (objtool sets it; readelf and strip then misread sh_info)',
    patches: [{ file: POST_LINK, search: 'flags: SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH,', replace: 'flags: SHF_ALLOC | (SHF_INFO_LINK & 0n) | SHF_RELA_LIVEPATCH,' }],
  },
  {
    id: 'post-link-same-name-shared',
    dialects: ['post-link'],
    deviationOf: ['objtool-klp-sections-by-name'],
    bug: 'post-link: entries for two target sections of one name share one klp rela section, which relocates only the first of them',
    patches: [{ file: POST_LINK, search: '      let klp = ofObject.get(e.target);', replace: "      let klp = plan.klpSections.find((k) => k.name === klpRelaSectionName('post-link', e.objname, target.name));" }],
  },
];
