import { ByteReader, decodeRelocs, type ElfObject, isRelocSection, type Symbol } from '../elf/index.js';
import { KlpError } from './errors.js';
import { MODULE_RELOCS_PREFIX, checkObjname } from './names.js';

/** One KLP_SYMPOS(symbol, sympos) entry of a `.klp.module_relocs.<objname>` section. */
export interface SymposAnnotation {
  objname: string;
  name: string;
  sympos: number;
  /** Where it came from, for error messages. */
  section: string;
  entry: number;
}

export interface AnnotationSections {
  annotations: SymposAnnotation[];
  /** The annotation sections and their relocation sections, which the output drops. */
  sections: Set<number>;
}

/**
 * Reads every `.klp.module_relocs.<objname>` section. Each entry is a pointer-sized field (relocated
 * to the annotated symbol) and a u32 sympos, packed: 8 bytes in 32-bit objects built with
 * `void *`, 12 bytes with a 64-bit field (and in every 64-bit object). The entry size is told by
 * the section size against the number of relocations, never by the host.
 */
export function readAnnotations(obj: ElfObject, symbols: readonly Symbol[]): AnnotationSections {
  const { ident } = obj.header;
  const annotations: SymposAnnotation[] = [];
  const sections = new Set<number>();
  obj.sections.forEach((sec, index) => {
    if (index === 0 || !sec.name.startsWith(MODULE_RELOCS_PREFIX)) return;
    const objname = sec.name.slice(MODULE_RELOCS_PREFIX.length);
    const bad = checkObjname(objname);
    if (bad) throw new KlpError('bad-annotation', bad, { section: sec.name });
    sections.add(index);
    const relaIndex = obj.sections.findIndex((s) => isRelocSection(s) && s.info === index);
    if (relaIndex < 0) {
      if (sec.data.length === 0) return;
      throw new KlpError('bad-annotation', 'has entries but no relocation section naming their symbols', { section: sec.name });
    }
    sections.add(relaIndex);
    const relocs = decodeRelocs(ident, obj.sections[relaIndex]!);
    const count = relocs.length;
    const layouts = ident.is64 ? [12] : [8, 12];
    const entrySize = layouts.find((size) => size * count === sec.data.length);
    if (entrySize === undefined) {
      throw new KlpError(
        'bad-annotation',
        `size ${sec.data.length} fits no entry layout (${layouts.join(' or ')} bytes) for ${count} relocations`,
        { section: sec.name },
      );
    }
    const r = new ByteReader(sec.data, ident.littleEndian);
    const seen = new Set<number>();
    relocs.forEach((rel, k) => {
      const entry = Number(rel.offset) / entrySize;
      if (!Number.isInteger(entry) || entry >= count || seen.has(entry)) {
        throw new KlpError('bad-annotation', `relocation ${k} at offset 0x${rel.offset.toString(16)} is not the start of an entry`, { section: sec.name, index: k });
      }
      seen.add(entry);
      const sym = symbols[rel.symbol];
      if (!sym || rel.symbol === 0) {
        throw new KlpError('bad-annotation', `relocation ${k} refers to symbol ${rel.symbol}, which does not exist`, { section: sec.name, index: k });
      }
      const sympos = r.u32(entry * entrySize + entrySize - 4);
      annotations.push({ objname, name: sym.name, sympos, section: sec.name, entry });
    });
  });
  return { annotations, sections };
}
