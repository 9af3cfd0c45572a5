// Carries out a plan on the model. Only model edits here; index fix-up is the ELF layer's.
import {
  addSections, appendStrings, decodeRelocs, decodeSymbols, type ElfObject, encodeRelocs, encodeSymbols,
  localSymbolCount, relocEntrySize, removeSections, SHN_LIVEPATCH, SHT_RELA,
} from '../elf/index.js';
import type { ConversionPlan } from './plan.js';

export function applyPlan(obj: ElfObject, plan: ConversionPlan): void {
  const { ident } = obj.header;
  const symtab = obj.sections[plan.symtab]!;
  const strtab = obj.sections[symtab.link]!;

  // Rename: new names are appended to .strtab in symbol-table order; old strings stay where they are.
  const symbols = decodeSymbols(obj, plan.symtab);
  for (const index of plan.livepatchSymbols) {
    const sym = symbols[index]!;
    sym.shndx = SHN_LIVEPATCH;
    sym.xindex = false;
  }
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

  // Move relocations: each keeps its place relative to the others in its new section. Symbols are
  // renamed in place, so an entry moves as it is, byte for byte.
  const entsize = relocEntrySize(ident, SHT_RELA);
  const moved = new Map<number, Uint8Array>();
  const klpContents = plan.klpSections.map((klp) => {
    const data = new Uint8Array((klp.relocs.length + klp.added.length) * entsize);
    if (klp.added.length > 0) data.set(encodeRelocs(ident, SHT_RELA, klp.added), klp.relocs.length * entsize);
    klp.relocs.forEach(({ section, index }, k) => {
      const from = obj.sections[section]!.data;
      data.set(from.subarray(index * entsize, (index + 1) * entsize), k * entsize);
      let marks = moved.get(section);
      if (!marks) moved.set(section, (marks = new Uint8Array(from.length / entsize)));
      marks[index] = 1;
    });
    return data;
  });
  for (const [section, marks] of moved) {
    const sec = obj.sections[section]!;
    const kept = new Uint8Array((marks.length - marks.reduce((n, m) => n + m, 0)) * entsize);
    let at = 0;
    marks.forEach((m, i) => {
      if (m) return;
      kept.set(sec.data.subarray(i * entsize, (i + 1) * entsize), at);
      at += entsize;
    });
    sec.data = kept;
    sec.size = kept.length;
  }

  retypeRelocations(obj, plan);

  addSections(obj, plan.klpSections.map((klp, i) => ({
    name: klp.name,
    type: SHT_RELA,
    flags: klp.flags,
    addr: 0n,
    size: klpContents[i]!.length,
    link: plan.symtab,
    info: klp.base,
    addralign: ident.is64 ? 8n : 4n,
    entsize: BigInt(entsize),
    data: klpContents[i]!,
  })));

  removeSections(obj, plan.removeSections);
}

/** Retypes relocations where they stand; the rest of each entry keeps its bytes. */
function retypeRelocations(obj: ElfObject, plan: ConversionPlan): void {
  const bySection = new Map<number, Array<{ index: number; type: number }>>();
  for (const r of plan.retype) {
    let list = bySection.get(r.section);
    if (!list) bySection.set(r.section, (list = []));
    list.push(r);
  }
  for (const [section, list] of bySection) {
    const sec = obj.sections[section]!;
    const relocs = decodeRelocs(obj.header.ident, sec);
    for (const { index, type } of list) relocs[index]!.type = type;
    sec.data = encodeRelocs(obj.header.ident, sec.type, relocs);
    sec.size = sec.data.length;
  }
}
