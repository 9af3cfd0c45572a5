// Hand-made hostile objects: the inputs random mutation of small seeds will not reach (large
// tables, every section header aimed at one blob, names a megabyte long). Written byte by byte,
// since the point is what our writer would never produce.
import { ByteWriter, ET_REL, EV_CURRENT, SHT_STRTAB } from '../../src/elf/index.js';

export interface CraftSection {
  name: string;
  type: number;
  data?: Uint8Array;
  /** Overrides: what the header claims, whatever the contents. */
  offset?: number;
  size?: bigint;
  link?: number;
  info?: number;
  entsize?: bigint;
  addralign?: bigint;
}

export interface CraftOptions {
  /** Header overrides. */
  shnum?: number;
  shstrndx?: number;
  /** Section 0's sh_size (extended section count). */
  zeroSize?: bigint;
  /** Extra copies of the last section header, appended (each claiming the same contents). */
  repeatLast?: number;
}

const EM_X86_64 = 62;

/** An ELF64 little-endian x86-64 relocatable object; `.shstrtab` is added last. */
export function craftElf64(sections: readonly CraftSection[], opts: CraftOptions = {}): Uint8Array {
  const names: number[] = [];
  let shstr = '\0';
  for (const s of [...sections, { name: '.shstrtab' }]) {
    names.push(shstr.length);
    shstr += `${s.name}\0`;
  }
  const all: CraftSection[] = [...sections, { name: '.shstrtab', type: SHT_STRTAB, data: new Uint8Array(Buffer.from(shstr, 'latin1')) }];
  let offset = 64;
  const offsets = all.map((s) => {
    const at = offset;
    offset += s.data?.length ?? 0;
    offset = Math.ceil(offset / 8) * 8;
    return at;
  });
  const shoff = offset;
  const repeat = opts.repeatLast ?? 0;
  const count = all.length + 1 + repeat;
  const w = new ByteWriter(shoff + count * 64, true);
  w.set(0, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, EV_CURRENT]));
  w.u16(16, ET_REL);
  w.u16(18, EM_X86_64);
  w.u32(20, EV_CURRENT);
  w.u64(40, BigInt(shoff));
  w.u16(52, 64);
  w.u16(58, 64);
  w.u16(60, opts.shnum ?? (count >= 0xff00 ? 0 : count));
  w.u16(62, opts.shstrndx ?? all.length);
  w.u64(shoff + 32, opts.zeroSize ?? (count >= 0xff00 ? BigInt(count) : 0n));
  const header = (i: number, s: CraftSection, nameOffset: number, at: number): void => {
    const h = shoff + i * 64;
    w.u32(h, nameOffset);
    w.u32(h + 4, s.type);
    w.u64(h + 24, BigInt(s.offset ?? at));
    w.u64(h + 32, s.size ?? BigInt(s.data?.length ?? 0));
    w.u32(h + 40, s.link ?? 0);
    w.u32(h + 44, s.info ?? 0);
    w.u64(h + 48, s.addralign ?? 1n);
    w.u64(h + 56, s.entsize ?? 0n);
  };
  all.forEach((s, k) => {
    if (s.data) w.set(offsets[k]!, s.data);
    header(k + 1, s, names[k]!, offsets[k]!);
  });
  const last = all.length - 1;
  for (let r = 0; r < repeat; r++) header(all.length + 1 + r, sections[sections.length - 1] ?? all[last]!, names[Math.max(0, sections.length - 1)]!, offsets[Math.max(0, sections.length - 1)]!);
  return w.bytes;
}

/** ELF64 symbols, all named by string-table offset `name`, undefined and global. */
export function symbols64(count: number, name: (i: number) => number): Uint8Array {
  const w = new ByteWriter(count * 24, true);
  for (let i = 1; i < count; i++) {
    w.u32(i * 24, name(i));
    w.u8(i * 24 + 4, 0x10);
  }
  return w.bytes;
}

/** ELF64 RELA entries: relocation i refers to symbol sym(i), type 2 (R_X86_64_PC32). */
export function relas64(count: number, sym: (i: number) => number): Uint8Array {
  const w = new ByteWriter(count * 24, true);
  for (let i = 0; i < count; i++) {
    w.u64(i * 24, BigInt(i * 4));
    w.u64(i * 24 + 8, (BigInt(sym(i)) << 32n) | 2n);
  }
  return w.bytes;
}
