// Carries out a plan on the model. Only model edits here; index fix-up is the ELF layer's.
import { SHF_ALLOC, SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, SHT_RELA } from '../elf/constants.js';
import { addSections, localSymbolCount, removeSections } from '../elf/edit.js';
import type { ElfObject, Reloc } from '../elf/model.js';
import { decodeRelocs, encodeRelocs, relocEntrySize } from '../elf/relocs.js';
import { appendStrings } from '../elf/strings.js';
import { decodeSymbols, encodeSymbols } from '../elf/symbols.js';
import type { ConversionPlan } from './plan.js';

export function applyPlan(obj: ElfObject, plan: ConversionPlan): void {
  const { ident } = obj.header;
  const symtab = obj.sections[plan.symtab]!;
  const strtab = obj.sections[symtab.link]!;

  // Rename: new names are appended to .strtab in symbol-table order; old strings stay where they are.
  const symbols = decodeSymbols(obj, plan.symtab);
  const renames = [...plan.conversions].sort((a, b) => a.index - b.index);
  if (renames.length > 0) {
    // One copy of the table for all names: appending one at a time made this quadratic.
    const { table, offsets } = appendStrings(strtab.data, renames.map((c) => c.newName));
    strtab.data = table;
    strtab.size = table.length;
    renames.forEach((conv, k) => {
      const sym = symbols[conv.index]!;
      sym.name = conv.newName;
      sym.nameOffset = offsets[k]!;
      sym.shndx = SHN_LIVEPATCH;
      sym.xindex = false;
    });
  }
  encodeSymbols(obj, plan.symtab, symbols);
  symtab.info = localSymbolCount(symbols);

  // Move relocations: each keeps its place relative to the others in its new section.
  const decoded = new Map<number, Reloc[]>();
  const relocsOf = (section: number): Reloc[] => {
    let list = decoded.get(section);
    if (!list) {
      list = decodeRelocs(ident, obj.sections[section]!);
      decoded.set(section, list);
    }
    return list;
  };
  const moved = new Map<number, Set<number>>();
  const klpContents = plan.klpSections.map((klp) =>
    klp.relocs.map(({ section, index }) => {
      let set = moved.get(section);
      if (!set) moved.set(section, (set = new Set()));
      set.add(index);
      return relocsOf(section)[index]!;
    }),
  );
  for (const [section, indices] of moved) {
    const sec = obj.sections[section]!;
    sec.data = encodeRelocs(ident, sec.type, relocsOf(section).filter((_, i) => !indices.has(i)));
    sec.size = sec.data.length;
  }

  const entsize = relocEntrySize(ident, SHT_RELA);
  addSections(obj, plan.klpSections.map((klp, i) => {
    const data = encodeRelocs(ident, SHT_RELA, klpContents[i]!);
    return {
      name: klp.name,
      type: SHT_RELA,
      flags: SHF_ALLOC | SHF_RELA_LIVEPATCH,
      addr: 0n,
      size: data.length,
      link: plan.symtab,
      info: klp.base,
      addralign: ident.is64 ? 8n : 4n,
      entsize: BigInt(entsize),
      data,
    };
  }));

  removeSections(obj, plan.removeSections);
}
