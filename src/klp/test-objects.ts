// Small livepatch-shaped objects for the klp tests, built without a compiler.
import {
  buildObject, type ElfObject, EM, type ObjectSpec, type RelocSpec, SHF_ALLOC, SHF_EXECINSTR,
  SHF_WRITE, writeElf,
} from '../elf/index.js';

export const R_X86_64_64 = 1;
export const R_X86_64_PC32 = 2;

export const text = (name: string) => ({ name, flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(64) });
export const data = (name: string) => ({ name, flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(64) });

export const pc32 = (offset: number, symbol: string): RelocSpec => ({ offset: BigInt(offset), type: R_X86_64_PC32, symbol, addend: -4n });

export function moduleBytes(spec: Partial<ObjectSpec> & Pick<ObjectSpec, 'sections'>): Uint8Array {
  return writeElf(moduleObject(spec));
}

export function moduleObject(spec: Partial<ObjectSpec> & Pick<ObjectSpec, 'sections'>): ElfObject {
  return buildObject({ machine: EM.X86_64, ...spec });
}

export const symbolsFile = (text: string): Uint8Array => new TextEncoder().encode(`klp-convert-symbol-data.0.1\n${text}`);

/** A `.klp.module_relocs.<obj>` section with entries of `entrySize` bytes: (pointer field, u32 sympos). */
export function annotationSection(objname: string, sympos: number[], entrySize: number, littleEndian = true) {
  const bytes = new Uint8Array(entrySize * sympos.length);
  const view = new DataView(bytes.buffer);
  sympos.forEach((p, i) => view.setUint32(i * entrySize + entrySize - 4, p, littleEndian));
  return { name: `.klp.module_relocs.${objname}`, flags: SHF_ALLOC | SHF_WRITE, addralign: 1n, data: bytes };
}
