// Mutators: each takes a copy of a seed and breaks it one way, returning a short name for the report
// (or undefined when the seed has nothing for it to break). Three families: byte-level (bit flips,
// insertion, deletion, truncation), structure-aware (one field of one ELF record, located through the
// model) and symbols.klp text edits.
import {
  type ElfObject, SHN_XINDEX, SHT_GROUP, SHT_NOBITS, SHT_NULL, SHT_PROGBITS, SHT_REL, SHT_RELA,
  SHT_STRTAB, SHT_SYMTAB, SHT_SYMTAB_SHNDX,
} from '../../src/elf/index.js';
import { type Dialect, MODULE_RELOCS_PREFIX, SYMBOLS_FILE_MAGIC } from '../../src/klp/index.js';
import type { Seed } from './corpus.js';
import { RawElf, type ShdrField } from './elf-fields.js';
import { Rng } from './rng.js';

export interface FuzzInput {
  seed: string;
  input: Uint8Array;
  symbols?: Uint8Array;
  dialect: Dialect;
  /** What was done to the seed, in order. */
  mutations: string[];
}

type ElfMutator = (raw: RawElf, rng: Rng) => string | undefined;
type BytesMutator = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; name: string };

// ---------------------------------------------------------------------------------------------
// Values

/** Values that break size and offset arithmetic: edges of the file, of the word, and of 2^53. */
function nastyValue(rng: Rng, fileLength: number, is64: boolean): bigint {
  const len = BigInt(fileLength);
  const common = [0n, 1n, len - 1n, len, len + 1n, len * 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0xfffffff0n];
  const wide = [1n << 32n, 1n << 40n, (1n << 53n) - 1n, 1n << 53n, 1n << 63n, (1n << 64n) - 1n, (1n << 64n) - len];
  const pool = is64 ? [...common, ...wide] : common;
  if (rng.chance(0.2)) return is64 ? rng.u64() : BigInt(rng.u32());
  return BigInt.asUintN(is64 ? 64 : 32, rng.pick(pool));
}

function sectionsWhere(model: ElfObject, pred: (type: number, name: string, index: number) => boolean): number[] {
  const out: number[] = [];
  model.sections.forEach((s, i) => {
    if (i > 0 && pred(s.type, s.name, i)) out.push(i);
  });
  return out;
}

const anySection = (raw: RawElf): number[] => sectionsWhere(raw.model, () => true);
const ofType = (raw: RawElf, ...types: number[]): number[] => sectionsWhere(raw.model, (t) => types.includes(t));
const relocSections = (raw: RawElf): number[] => ofType(raw, SHT_RELA, SHT_REL);
const symtabOf = (raw: RawElf): number => raw.model.sections.findIndex((s) => s.type === SHT_SYMTAB);
const withContents = (raw: RawElf): number[] => sectionsWhere(raw.model, (t) => t !== SHT_NOBITS && t !== SHT_NULL);

function pickFrom(rng: Rng, list: readonly number[]): number | undefined {
  return list.length ? rng.pick(list) : undefined;
}

const relocCount = (raw: RawElf, rel: number): number => {
  const s = raw.model.sections[rel]!;
  return Math.floor(s.data.length / (s.type === SHT_RELA ? raw.sizes.rela : raw.sizes.rel));
};
const symbolCount = (raw: RawElf, symtab: number): number => Math.floor(raw.model.sections[symtab]!.data.length / raw.sizes.sym);

// ---------------------------------------------------------------------------------------------
// Structure-aware ELF mutators

const ELF_MUTATORS: ReadonlyArray<[string, ElfMutator]> = [
  ['e_shoff', (raw, rng) => {
    raw.setHeader('shoff', rng.chance(0.5) ? nastyValue(rng, raw.bytes.length, raw.is64) : BigInt(raw.shoff + rng.range(-64, 64)));
    return 'e_shoff';
  }],
  ['e_shnum', (raw, rng) => {
    const v = rng.pick([0, 1, 2, raw.shnum - 1, raw.shnum + 1, raw.shnum + 1000, 0xfeff, 0xff00, 0xffff, rng.below(0x10000)]);
    raw.setHeader('shnum', BigInt(v));
    if (v === 0 && rng.chance(0.8)) {
      // Extended numbering: the count moves to section 0's sh_size, which may claim billions.
      raw.setShdr(0, 'size', rng.pick([BigInt(raw.shnum), BigInt(raw.shnum + 1), 0n, 0xffffffffn, 3_000_000_000n, nastyValue(rng, raw.bytes.length, raw.is64)]));
      return 'e_shnum=0 (extended count)';
    }
    return 'e_shnum';
  }],
  ['e_shstrndx', (raw, rng) => {
    const v = rng.pick([0, raw.shnum, raw.shnum + 1, 0xff00, 0xffff, rng.below(raw.shnum), rng.below(0x10000)]);
    raw.setHeader('shstrndx', BigInt(v));
    if (v === SHN_XINDEX) raw.setShdr(0, 'link', BigInt(rng.pick([0, 1, raw.shnum, 0xffff, rng.u32()])));
    return 'e_shstrndx';
  }],
  ['e_ident', (raw, rng) => {
    const at = rng.pick([4, 5, 6]);
    raw.bytes[at] = rng.pick([0, 1, 2, 3, 0xff]);
    return `e_ident[${at}]`;
  }],
  ['e_header', (raw, rng) => {
    const field = rng.pick(['type', 'phnum', 'shentsize', 'version'] as const);
    raw.setHeader(field, BigInt(rng.pick([0, 1, 2, 3, 0x28, 0x40, 0xffff, rng.below(0x10000)])));
    return `e_${field}`;
  }],
  ['sh_offset past EOF', (raw, rng) => {
    const i = pickFrom(rng, withContents(raw));
    if (i === undefined) return undefined;
    const size = raw.model.sections[i]!.size;
    raw.setShdr(i, 'offset', rng.chance(0.5) ? BigInt(raw.bytes.length - rng.below(Math.max(1, size))) : nastyValue(rng, raw.bytes.length, raw.is64));
    return 'sh_offset';
  }],
  ['sh_size huge', (raw, rng) => {
    const i = pickFrom(rng, rng.chance(0.5) ? [...relocSections(raw), ...ofType(raw, SHT_SYMTAB, SHT_STRTAB)] : anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'size', rng.chance(0.3) ? BigInt(raw.model.sections[i]!.size + rng.range(1, 64)) : nastyValue(rng, raw.bytes.length, raw.is64));
    return 'sh_size';
  }],
  ['NOBITS huge', (raw, rng) => {
    const i = pickFrom(rng, anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'type', BigInt(SHT_NOBITS));
    raw.setShdr(i, 'size', rng.pick([1n << 40n, 0xffffffffn, nastyValue(rng, raw.bytes.length, raw.is64)]));
    return 'NOBITS with a huge size';
  }],
  ['overlap', (raw, rng) => {
    const list = withContents(raw);
    const a = pickFrom(rng, list);
    const b = pickFrom(rng, list);
    if (a === undefined || b === undefined) return undefined;
    const sb = raw.model.sections[b]!;
    raw.setShdr(a, 'offset', BigInt(sb.offset + rng.below(Math.max(1, sb.size))));
    if (rng.chance(0.5)) raw.setShdr(a, 'size', BigInt(sb.size));
    return 'overlapping sections';
  }],
  ['all overlap', (raw, rng) => {
    // Every section claims the whole file: a copy per section would be shnum × the file.
    const end = Math.min(raw.shoff, raw.bytes.length);
    for (const i of withContents(raw)) {
      if (rng.chance(0.9)) {
        raw.setShdr(i, 'offset', 0n);
        raw.setShdr(i, 'size', BigInt(end));
      }
    }
    return 'every section overlaps the file';
  }],
  ['strtab without NUL', (raw, rng) => {
    const i = pickFrom(rng, ofType(raw, SHT_STRTAB));
    if (i === undefined) return undefined;
    const s = raw.model.sections[i]!;
    if (s.size === 0) return undefined;
    if (rng.chance(0.5)) raw.setShdr(i, 'size', BigInt(s.size - rng.range(1, Math.min(8, s.size))));
    else if (s.offset + s.size - 1 < raw.bytes.length) raw.bytes[s.offset + s.size - 1] = 0x41;
    return 'string table without a final NUL';
  }],
  ['sh_name past end', (raw, rng) => {
    const i = pickFrom(rng, anySection(raw));
    if (i === undefined) return undefined;
    const shstr = raw.model.sections[raw.model.shstrndx]!;
    raw.setShdr(i, 'name', BigInt(rng.pick([shstr.size, shstr.size - 1, shstr.size + 1, 0xffffffff, rng.u32()])));
    return 'sh_name past the end';
  }],
  ['st_name past end', (raw, rng) => {
    const t = symtabOf(raw);
    if (t < 0) return undefined;
    const strtab = raw.model.sections[raw.model.sections[t]!.link]?.size ?? 0;
    raw.setSym(t, rng.below(symbolCount(raw, t)), 'name', BigInt(rng.pick([strtab, strtab - 1, strtab + 1, 0xffffffff, rng.u32()])));
    return 'st_name past the end';
  }],
  ['r_sym out of range', (raw, rng) => {
    const rel = pickFrom(rng, relocSections(raw));
    if (rel === undefined) return undefined;
    const n = relocCount(raw, rel);
    if (n === 0) return undefined;
    const k = rng.below(n);
    const t = symtabOf(raw);
    const nsyms = t >= 0 ? symbolCount(raw, t) : 0;
    const sym = rng.pick([0, nsyms, nsyms + 1, 0xffffff, raw.is64 ? 0xffffffff : 0xffffff, rng.below(Math.max(1, nsyms))]);
    raw.setRelInfo(rel, k, raw.is64 ? sym : sym & 0xffffff, rng.chance(0.8) ? raw.relInfo(rel, k).type : rng.u32());
    return 'r_sym out of range';
  }],
  ['r_offset', (raw, rng) => {
    const rel = pickFrom(rng, relocSections(raw));
    if (rel === undefined) return undefined;
    const n = relocCount(raw, rel);
    if (n === 0) return undefined;
    const { at } = raw.relInfoAt(rel, rng.below(n));
    const word = raw.is64 ? 8 : 4;
    const v = new DataView(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength);
    if (at - word < 0 || at > raw.bytes.length) return undefined;
    const value = nastyValue(rng, raw.bytes.length, raw.is64);
    if (raw.is64) v.setBigUint64(at - word, value, raw.le);
    else v.setUint32(at - word, Number(value), raw.le);
    return 'r_offset';
  }],
  ['sh_entsize', (raw, rng) => {
    const i = pickFrom(rng, rng.chance(0.8) ? [...relocSections(raw), ...ofType(raw, SHT_SYMTAB)] : anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'entsize', rng.pick([0n, 1n, 7n, 8n, 12n, 16n, 24n, 0xffffffffn, nastyValue(rng, raw.bytes.length, raw.is64)]));
    return 'sh_entsize';
  }],
  ['sh_link', (raw, rng) => {
    const symtabOrRel = rng.chance(0.5);
    const i = pickFrom(rng, symtabOrRel ? relocSections(raw) : ofType(raw, SHT_SYMTAB, SHT_GROUP));
    if (i === undefined) return undefined;
    const nonSymtab = anySection(raw).filter((k) => raw.model.sections[k]!.type !== SHT_SYMTAB);
    raw.setShdr(i, 'link', BigInt(rng.pick([0, i, raw.shnum, raw.shnum + 1, 0xffff, 0xffffffff, pickFrom(rng, nonSymtab) ?? 0])));
    return symtabOrRel ? 'rela sh_link to a non-symtab' : 'symtab sh_link to a non-strtab';
  }],
  ['sh_info', (raw, rng) => {
    const i = pickFrom(rng, rng.chance(0.8) ? relocSections(raw) : ofType(raw, SHT_SYMTAB));
    if (i === undefined) return undefined;
    const v = rng.pick([0, i, raw.shnum, raw.shnum + 1, 0xffff, 0xffffffff, symtabOf(raw), rng.below(raw.shnum)]);
    raw.setShdr(i, 'info', BigInt(v >>> 0));
    return v === 0 ? 'rela section without a base' : 'sh_info';
  }],
  ['SHN_XINDEX', (raw, rng) => {
    const t = symtabOf(raw);
    if (t < 0) return undefined;
    const n = symbolCount(raw, t);
    for (let k = rng.range(1, 3); k > 0; k--) raw.setSym(t, rng.below(n), 'shndx', BigInt(rng.chance(0.7) ? SHN_XINDEX : rng.pick([0xff00, 0xff20, 0xfff1, 0xfff2, raw.shnum, raw.shnum + 5, rng.below(0x10000)])));
    return 'st_shndx (SHN_XINDEX without SYMTAB_SHNDX)';
  }],
  ['st_info', (raw, rng) => {
    const t = symtabOf(raw);
    if (t < 0) return undefined;
    raw.setSym(t, rng.below(symbolCount(raw, t)), 'info', BigInt(rng.below(256)));
    return 'st_info';
  }],
  ['sh_type', (raw, rng) => {
    const i = pickFrom(rng, anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'type', BigInt(rng.pick([SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_REL, SHT_NOBITS, SHT_GROUP, SHT_SYMTAB_SHNDX, 11, 0x6ffffff6, rng.u32()])));
    return 'sh_type';
  }],
  ['sh_addralign', (raw, rng) => {
    const i = pickFrom(rng, anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'addralign', rng.pick([0n, 3n, 6n, 4096n, 1n << 20n, 1n << 31n, raw.is64 ? 1n << 40n : 1n << 30n, nastyValue(rng, raw.bytes.length, raw.is64)]));
    return 'sh_addralign';
  }],
  ['sh_flags', (raw, rng) => {
    const i = pickFrom(rng, anySection(raw));
    if (i === undefined) return undefined;
    raw.setShdr(i, 'flags', raw.is64 ? rng.u64() : BigInt(rng.u32()));
    return 'sh_flags';
  }],
  ['annotation size', (raw, rng) => {
    const list = sectionsWhere(raw.model, (_, name) => name.startsWith(MODULE_RELOCS_PREFIX));
    const i = pickFrom(rng, list);
    if (i === undefined) return undefined;
    const size = raw.model.sections[i]!.size;
    raw.setShdr(i, 'size', BigInt(Math.max(0, size + rng.pick([-12, -8, -4, -1, 1, 4, 8, 12, 16]))));
    return 'annotation section size fits no layout';
  }],
  ['annotation relocs', (raw, rng) => {
    const ann = sectionsWhere(raw.model, (_, name) => name.startsWith(MODULE_RELOCS_PREFIX));
    const rels = relocSections(raw).filter((r) => ann.includes(raw.model.sections[r]!.info));
    const rel = pickFrom(rng, rels);
    if (rel === undefined) return undefined;
    const field: ShdrField = rng.pick(['size', 'info', 'link'] as const);
    if (field === 'size') raw.setShdr(rel, 'size', BigInt(Math.max(0, raw.model.sections[rel]!.size - rng.pick([raw.sizes.rela, raw.sizes.rel, 1]))));
    else raw.setShdr(rel, field, BigInt(rng.below(raw.shnum + 2)));
    return `annotation rela ${field}`;
  }],
];

// ---------------------------------------------------------------------------------------------
// Byte-level mutators (structure-blind; applied after the structure-aware ones)

const BYTE_MUTATORS: ReadonlyArray<[string, BytesMutator]> = [
  ['bit flips', (b, rng) => {
    const out = b.slice();
    const n = rng.pick([1, 1, 2, 4, 16]);
    for (let k = 0; k < n && out.length; k++) out[rng.below(out.length)]! ^= 1 << rng.below(8);
    return { bytes: out, name: `${n} bit flip${n > 1 ? 's' : ''}` };
  }],
  ['byte set', (b, rng) => {
    const out = b.slice();
    if (out.length) out[rng.below(out.length)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x01, rng.below(256)]);
    return { bytes: out, name: 'byte set' };
  }],
  ['insert', (b, rng) => {
    const at = rng.below(b.length + 1);
    const n = rng.pick([1, 2, 4, 8, rng.range(1, 256)]);
    const out = new Uint8Array(b.length + n);
    out.set(b.subarray(0, at), 0);
    for (let k = 0; k < n; k++) out[at + k] = rng.below(256);
    out.set(b.subarray(at), at + n);
    return { bytes: out, name: `insert ${n}` };
  }],
  ['delete', (b, rng) => {
    const at = rng.below(b.length + 1);
    const n = Math.min(b.length - at, rng.pick([1, 2, 4, 8, rng.range(1, 256)]));
    const out = new Uint8Array(b.length - n);
    out.set(b.subarray(0, at), 0);
    out.set(b.subarray(at + n), at);
    return { bytes: out, name: `delete ${n}` };
  }],
  ['truncate', (b, rng) => {
    const at = rng.chance(0.2) ? rng.below(Math.min(b.length, 80)) : rng.below(b.length + 1);
    return { bytes: b.slice(0, at), name: 'truncate' };
  }],
  ['chunk copy', (b, rng) => {
    const out = b.slice();
    const n = rng.range(1, 64);
    if (b.length <= n) return { bytes: out, name: 'chunk copy' };
    out.copyWithin(rng.below(b.length - n), rng.below(b.length - n), undefined);
    return { bytes: out, name: 'chunk copy' };
  }],
];

// ---------------------------------------------------------------------------------------------
// symbols.klp mutators

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function lineEdit(text: string, rng: Rng, edit: (lines: string[], rng: Rng) => void): string {
  const lines = text.split('\n');
  edit(lines, rng);
  return lines.join('\n');
}

const SYMBOLS_MUTATORS: ReadonlyArray<[string, (text: string, rng: Rng) => string]> = [
  ['no header', (t) => lineEdit(t, new Rng(0), (l) => void l.shift())],
  ['wrong header', (t, rng) => lineEdit(t, rng, (l) => void (l[0] = rng.pick(['klp-convert-symbol-data.0.2', 'klp-convert-symbol-data', '', '*vmlinux', SYMBOLS_FILE_MAGIC.toUpperCase()])))],
  ['symbol before object', (t, rng) => lineEdit(t, rng, (l) => void l.splice(1, 0, rng.pick(['printk', 'foo', '__ksymtab_bar'])))],
  ['CRLF', (t) => t.replace(/\n/g, '\r\n')],
  ['empty lines', (t, rng) => lineEdit(t, rng, (l) => {
    for (let k = rng.range(1, 5); k > 0; k--) l.splice(rng.range(1, l.length), 0, rng.pick(['', '\r', ' ']));
  })],
  ['long symbol name', (t, rng) => lineEdit(t, rng, (l) => {
    const at = rng.range(1, Math.max(1, l.length - 1));
    const target = l[at] !== undefined && !l[at]!.startsWith('*') ? l[at]! : 'x';
    l.splice(at, 1, target + 'y'.repeat(rng.pick([511, 512, 600, 70000])));
  })],
  ['objname with a dot', (t, rng) => lineEdit(t, rng, (l) => {
    const at = l.findIndex((x) => x.startsWith('*'));
    l[at < 0 ? 1 : at] = rng.pick(['*vmlinux.o', '*a.b', '*.', '*']);
  })],
  ['long objname', (t, rng) => lineEdit(t, rng, (l) => {
    const at = l.findIndex((x) => x.startsWith('*'));
    l[at < 0 ? 1 : at] = '*' + 'm'.repeat(rng.pick([55, 56, 100, 5000]));
  })],
  ['drop line', (t, rng) => lineEdit(t, rng, (l) => void l.splice(rng.range(1, Math.max(1, l.length - 1)), 1))],
  ['duplicate line', (t, rng) => lineEdit(t, rng, (l) => {
    const at = rng.range(1, Math.max(1, l.length - 1));
    l.splice(at, 0, l[at] ?? '');
  })],
  ['empty file', () => ''],
  ['binary', (_, rng) => String.fromCharCode(...Array.from({ length: rng.range(1, 300) }, () => rng.below(256)))],
];

// ---------------------------------------------------------------------------------------------

export interface MutationContext {
  seed: Seed;
  /** The seed's parsed model (undefined if the seed itself does not parse). */
  model: ElfObject | undefined;
}

/** Makes one fuzz input from a seed. Deterministic in `rng`. */
export function mutate(ctx: MutationContext, rng: Rng): FuzzInput {
  const { seed, model } = ctx;
  const mutations: string[] = [];
  let input: Uint8Array = seed.input.slice();
  let symbols: Uint8Array | undefined = seed.symbols?.slice();
  let dialect = seed.dialect;
  const rounds = rng.pick([1, 1, 1, 2, 2, 3]);
  let structural = true;
  for (let r = 0; r < rounds; r++) {
    const family = rng.below(100);
    if (symbols && family < 25) {
      const [name, m] = rng.pick(SYMBOLS_MUTATORS);
      if (rng.chance(0.15)) {
        const { bytes, name: how } = rng.pick(BYTE_MUTATORS)[1](symbols, rng);
        symbols = bytes;
        mutations.push(`symbols.klp: ${how}`);
      } else {
        symbols = fromLatin1(m(latin1(symbols), rng));
        mutations.push(`symbols.klp: ${name}`);
      }
    } else if (family < 70 && structural && model) {
      const raw = new RawElf(input, model);
      const [name, m] = rng.pick(ELF_MUTATORS);
      const done = m(raw, rng);
      mutations.push(done ?? `${name} (not applicable)`);
    } else {
      const { bytes, name } = rng.pick(BYTE_MUTATORS)[1](input, rng);
      input = bytes;
      // The model no longer says where things are.
      structural = false;
      mutations.push(name);
    }
  }
  if (rng.chance(0.03)) {
    // The other dialect: a symbols-list case read for annotations, or the reverse with a foreign list.
    dialect = dialect === 'symbols' ? 'annotation' : 'symbols';
    symbols ??= fromLatin1(`${SYMBOLS_FILE_MAGIC}\n*vmlinux\nprintk\n*${rng.pick(['vmlinux', 'ext4'])}\nfoo\n`);
    mutations.push(`dialect ${dialect}`);
  }
  return { seed: seed.id, input, ...(symbols ? { symbols } : {}), dialect, mutations };
}

export const MUTATOR_NAMES = {
  elf: ELF_MUTATORS.map(([n]) => n),
  bytes: BYTE_MUTATORS.map(([n]) => n),
  symbols: SYMBOLS_MUTATORS.map(([n]) => n),
};
