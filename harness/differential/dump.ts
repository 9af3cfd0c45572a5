// The canonical section-level text model of one object: what goldens hold and what diffs compare.
// One block per section, keyed by name, with every index shown as the name it points to, so an
// inserted or removed section changes only the blocks it really changes.
import { createHash } from 'node:crypto';
import {
  ByteReader, bytesToLatin1, decodeRelocs, decodeSymbols, type ElfObject, infoIsSection,
  isRelocSection, machineName, relocTypeName, sectionFlagsText, sectionTypeName, SHN_LORESERVE,
  SHT_DYNSYM, SHT_GROUP, SHT_NOBITS, SHT_NULL, SHT_STRTAB, SHT_SYMTAB, SHT_SYMTAB_SHNDX,
  specialIndexName, STT_SECTION, type Symbol, symbolBindName, symbolTypeName, symbolVisibilityName,
  visibilityOf,
} from '../../src/elf/index.js';

export interface DumpBlock {
  /** Stable key: `header`, or the section name (with `#n` for the nth repeat of a name). */
  key: string;
  text: string;
}

/** Contents longer than this print as their first bytes and a digest. */
const HEX_LIMIT = 4096;

const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

export interface DumpOptions {
  /**
   * Print raw contents as hex rows (the default, for people), or only as size and full digest
   * (goldens: the converter never edits raw contents, so the digest is enough to catch a change
   * and keeps the golden files small and their diffs about what matters).
   */
  hex?: boolean;
}

export function dumpObject(obj: ElfObject, options: DumpOptions = {}): DumpBlock[] {
  const contentLines = options.hex === false ? digestLines : hexLines;
  const blocks: DumpBlock[] = [headerBlock(obj)];
  const keys = sectionKeys(obj);
  const symbolTables = new Map<number, Symbol[]>();
  const symbolsOf = (index: number): Symbol[] | undefined => {
    if (!symbolTables.has(index)) {
      const s = obj.sections[index];
      if (!s || (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM)) return undefined;
      try {
        symbolTables.set(index, decodeSymbols(obj, index));
      } catch {
        return undefined;
      }
    }
    return symbolTables.get(index);
  };
  const sectionRef = (index: number): string => (index === 0 ? '-' : (keys[index] ?? `<bad section ${index}>`));
  const symbolRef = (table: Symbol[] | undefined, index: number): string => {
    const sym = table?.[index];
    if (!sym) return `<symbol ${index}>`;
    if (index === 0) return '<null>';
    if (sym.type === STT_SECTION && sym.name === '') return `[section ${sectionRef(sym.shndx)}]`;
    return sym.name;
  };

  obj.sections.forEach((s, i) => {
    if (i === 0) return;
    const lines = [`section ${keys[i]}`];
    const info = infoIsSection(s) ? sectionRef(s.info) : String(s.info);
    lines.push(
      `  type ${sectionTypeName(s.type)}  flags ${sectionFlagsText(s.flags) || '-'}  addr ${hex(s.addr)}  addralign ${s.addralign}  entsize ${s.entsize}  size ${hex(s.size)}`,
      `  link ${s.link === 0 ? '-' : sectionRef(s.link)}  info ${info}`,
    );
    try {
      if (isRelocSection(s)) {
        const table = symbolsOf(s.link);
        const relocs = decodeRelocs(obj.header.ident, s);
        lines.push(`  relocations: ${relocs.length}`);
        for (const r of relocs) {
          const addend = r.addend < 0n ? ` - ${hex(-r.addend)}` : ` + ${hex(r.addend)}`;
          lines.push(`    ${hex(r.offset).padStart(10)}  ${relocTypeName(obj.header.machine, r.type)}  ${symbolRef(table, r.symbol)}${addend}`);
        }
      } else if (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) {
        const table = symbolsOf(i) ?? [];
        lines.push(`  symbols: ${table.length}`);
        table.forEach((sym, k) => {
          const where = sym.xindex || sym.shndx < SHN_LORESERVE ? (sym.shndx === 0 ? 'UNDEF' : sectionRef(sym.shndx)) : (specialIndexName(sym.shndx) ?? hex(sym.shndx));
          lines.push(
            `    [${k}] ${symbolBindName(sym.bind)} ${symbolTypeName(sym.type)} ${symbolVisibilityName(visibilityOf(sym))}${sym.other & ~3 ? ` other=${hex(sym.other)}` : ''} ${where} value ${hex(sym.value)} size ${sym.size} name@${sym.nameOffset} ${JSON.stringify(sym.name)}`,
          );
        });
      } else if (s.type === SHT_STRTAB) {
        lines.push(...stringLines(s.data));
      } else if (s.type === SHT_GROUP) {
        lines.push(...groupLines(obj, s.data, sectionRef));
      } else if (s.type === SHT_SYMTAB_SHNDX) {
        lines.push(...contentLines(s.data));
      } else if (s.type !== SHT_NOBITS && s.type !== SHT_NULL) {
        lines.push(...contentLines(s.data));
      }
    } catch (e) {
      lines.push(`  <undecodable: ${(e as Error).message}>`);
      lines.push(...contentLines(s.data));
    }
    blocks.push({ key: keys[i]!, text: lines.join('\n') });
  });
  return blocks;
}

export const dumpText = (blocks: readonly DumpBlock[]): string => `${blocks.map((b) => b.text).join('\n\n')}\n`;

function headerBlock(obj: ElfObject): DumpBlock {
  const h = obj.header;
  const id = h.ident;
  return {
    key: 'header',
    text: [
      'header',
      `  class ${id.is64 ? 'ELF64' : 'ELF32'}  data ${id.littleEndian ? '2LSB' : '2MSB'}  osabi ${id.osabi}  abiversion ${id.abiversion}`,
      `  type ${h.type === 1 ? 'REL' : h.type}  machine ${machineName(h.machine)}  version ${h.version}  entry ${hex(h.entry)}  flags ${hex(h.flags)}`,
      `  sections ${obj.sections.length}  shstrndx ${obj.sections[obj.shstrndx]?.name ?? obj.shstrndx}`,
    ].join('\n'),
  };
}

/** Section names, made unique by `#n` for repeats, in header order. */
export function sectionKeys(obj: ElfObject): string[] {
  const seen = new Map<string, number>();
  return obj.sections.map((s, i) => {
    if (i === 0) return '<null>';
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s.name || '<unnamed>' : `${s.name || '<unnamed>'}#${n}`;
  });
}

function stringLines(data: Uint8Array): string[] {
  const lines = [`  strings:`];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0, start);
    if (end < 0) end = data.length;
    lines.push(`    @${start} ${JSON.stringify(bytesToLatin1(data.subarray(start, end)))}${end === data.length ? ' (no NUL)' : ''}`);
    start = end + 1;
  }
  return lines;
}

function groupLines(obj: ElfObject, data: Uint8Array, sectionRef: (i: number) => string): string[] {
  const r = new ByteReader(data, obj.header.ident.littleEndian);
  const members: string[] = [];
  for (let o = 4; o + 4 <= data.length; o += 4) members.push(sectionRef(r.u32(o)));
  return [`  group flags ${hex(data.length >= 4 ? r.u32(0) : 0)}  members: ${members.join(' ')}`];
}

function digestLines(data: Uint8Array): string[] {
  return [`  contents sha256:${createHash('sha256').update(data).digest('hex')}`];
}

function hexLines(data: Uint8Array): string[] {
  const digest = createHash('sha256').update(data).digest('hex').slice(0, 16);
  const lines = [`  contents sha256:${digest}${data.length > HEX_LIMIT ? ` (first ${HEX_LIMIT} of ${data.length} bytes shown)` : ''}`];
  const shown = data.subarray(0, HEX_LIMIT);
  for (let o = 0; o < shown.length; o += 16) {
    const row = shown.subarray(o, o + 16);
    const words: string[] = [];
    for (let k = 0; k < row.length; k += 4) words.push(Buffer.from(row.subarray(k, k + 4)).toString('hex'));
    lines.push(`    ${o.toString(16).padStart(4, '0')}: ${words.join(' ')}`);
  }
  return lines;
}
