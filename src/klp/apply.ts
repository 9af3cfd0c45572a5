// Carries out a plan on the model. Only model edits here; index fix-up is the ELF layer's.
import {
  addSections, appendStrings, decodeSymbols, type ElfObject, encodeRelocs, encodeSymbols,
  localSymbolCount, relocEntrySize, removeSections, setSymbolSections, SHN_LIVEPATCH, SHT_RELA,
} from '../elf/index.js';
import type { ConversionPlan } from './plan.js';

export function applyPlan(obj: ElfObject, plan: ConversionPlan): void {
  if (plan.dialect === 'post-link' && plan.conversions.length === 0) {
    // Nothing renamed: only st_shndx of the livepatch symbols changes, in place, and no symbol
    // changes its binding, so sh_info stands as it was (objtool leaves it too).
    setSymbolSections(obj, plan.symtab, plan.livepatchSymbols, SHN_LIVEPATCH);
  } else {
    renameSymbols(obj, plan);
  }
  moveRelocations(obj, plan);
  removeSections(obj, plan.removeSections);
}

/** Rename: new names are appended to .strtab in symbol-table order; old strings stay where they are. */
function renameSymbols(obj: ElfObject, plan: ConversionPlan): void {
  const symtab = obj.sections[plan.symtab]!;
  const strtab = obj.sections[symtab.link]!;
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
}

/** New klp rela sections: the relocations moved there and the entries added, then retypes. */
function moveRelocations(obj: ElfObject, plan: ConversionPlan): void {
  const { ident } = obj.header;

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
}

/** Retypes relocations where they stand: only r_info's type bits change, in the entry's own bytes. */
function retypeRelocations(obj: ElfObject, plan: ConversionPlan): void {
  const { is64, littleEndian } = obj.header.ident;
  // Section contents may be views of the caller's input (a Buffer's slice is one): each is copied
  // once before it changes.
  const copied = new Set<number>();
  for (const { section, index, type } of plan.retype) {
    const sec = obj.sections[section]!;
    if (!copied.has(section)) {
      sec.data = new Uint8Array(sec.data);
      copied.add(section);
    }
    const size = relocEntrySize(obj.header.ident, sec.type);
    const view = new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength);
    // ELF64: r_info = sym << 32 | type, its low word; ELF32: sym << 8 | type, its low byte.
    const info = index * size + (is64 ? 8 : 4);
    if (is64) view.setUint32(info + (littleEndian ? 0 : 4), type >>> 0, littleEndian);
    else view.setUint8(info + (littleEndian ? 0 : 3), type & 0xff);
  }
}
