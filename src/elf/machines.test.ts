import { describe, it, expect } from 'vitest';
import {
  EM,
  isKnownMachine,
  machineName,
  relocTypeByName,
  relocTypeMask,
  relocTypeName,
  relocTypeNames,
} from './machines.js';

const TABLED = [EM.X86_64, EM.I386, EM.AARCH64, EM.PPC64, EM.PPC, EM.S390, EM.ARM, EM.RISCV, EM.LOONGARCH];

describe('machines', () => {
  it('has the standard e_machine numbers and spec names', () => {
    expect(EM).toMatchObject({ NONE: 0, I386: 3, PPC: 20, PPC64: 21, S390: 22, ARM: 40, X86_64: 62, AARCH64: 183, RISCV: 243, LOONGARCH: 258 });
    expect(machineName(62)).toBe('EM_X86_64');
    expect(machineName(3)).toBe('EM_386');
    expect(machineName(22)).toBe('EM_S390');
    expect(machineName(258)).toBe('EM_LOONGARCH');
    expect(machineName(0x9026)).toBe('EM_ALPHA');
    expect(machineName(65000)).toBe('EM_65000');
  });

  it('knows exactly the tabled machines', () => {
    for (const em of TABLED) expect(isKnownMachine(em)).toBe(true);
    expect(isKnownMachine(EM.NONE)).toBe(false);
    expect(isKnownMachine(EM.MIPS)).toBe(false);
    expect(relocTypeNames(EM.MIPS).size).toBe(0);
  });

  it('names well-known relocation types as readelf does', () => {
    const cases: Array<[number, number, string]> = [
      [EM.X86_64, 0, 'R_X86_64_NONE'],
      [EM.X86_64, 2, 'R_X86_64_PC32'],
      [EM.X86_64, 4, 'R_X86_64_PLT32'],
      [EM.X86_64, 11, 'R_X86_64_32S'],
      [EM.X86_64, 42, 'R_X86_64_REX_GOTPCRELX'],
      [EM.I386, 2, 'R_386_PC32'],
      [EM.I386, 4, 'R_386_PLT32'],
      [EM.I386, 7, 'R_386_JUMP_SLOT'],
      [EM.AARCH64, 0, 'R_AARCH64_NONE'],
      [EM.AARCH64, 257, 'R_AARCH64_ABS64'],
      [EM.AARCH64, 275, 'R_AARCH64_ADR_PREL_PG_HI21'],
      [EM.AARCH64, 283, 'R_AARCH64_CALL26'],
      [EM.AARCH64, 1028, 'R_AARCH64_TLS_DTPMOD64'],
      [EM.PPC64, 10, 'R_PPC64_REL24'],
      [EM.PPC64, 38, 'R_PPC64_ADDR64'],
      [EM.PPC64, 50, 'R_PPC64_TOC16_HA'],
      [EM.PPC64, 118, 'R_PPC64_ENTRY'],
      [EM.PPC64, 119, 'R_PPC64_PLTSEQ'],
      [EM.PPC64, 132, 'R_PPC64_PCREL34'],
      [EM.PPC64, 252, 'R_PPC64_REL16_HA'],
      [EM.PPC, 6, 'R_PPC_ADDR16_HA'],
      [EM.PPC, 10, 'R_PPC_REL24'],
      [EM.S390, 5, 'R_390_PC32'],
      [EM.S390, 19, 'R_390_PC32DBL'],
      [EM.S390, 20, 'R_390_PLT32DBL'],
      [EM.S390, 22, 'R_390_64'],
      [EM.ARM, 28, 'R_ARM_CALL'],
      [EM.RISCV, 19, 'R_RISCV_CALL_PLT'],
      [EM.LOONGARCH, 66, 'R_LARCH_B26'],
    ];
    for (const [em, type, name] of cases) {
      expect(relocTypeName(em, type)).toBe(name);
      expect(relocTypeByName(em, name)).toBe(type);
    }
  });

  it('keeps the tables separate per machine', () => {
    // 10 is R_PPC64_REL24 but R_X86_64_32; PPC64 names are not PPC names.
    expect(relocTypeName(EM.X86_64, 10)).toBe('R_X86_64_32');
    expect(relocTypeByName(EM.PPC, 'R_PPC64_REL24')).toBeUndefined();
    expect(relocTypeByName(EM.X86_64, 'R_386_PC32')).toBeUndefined();
    // The ILP32 R_AARCH64_P32_* set is left out.
    expect(relocTypeName(EM.AARCH64, 1)).toBe('R_AARCH64_UNKNOWN_1');
  });

  it('falls back for unknown types and machines', () => {
    expect(relocTypeName(EM.X86_64, 127)).toBe('R_X86_64_UNKNOWN_127');
    expect(relocTypeName(EM.S390, 200)).toBe('R_390_UNKNOWN_200');
    expect(relocTypeName(EM.LOONGARCH, 101)).toBe('R_LARCH_UNKNOWN_101');
    expect(relocTypeName(EM.MIPS, 4)).toBe('R_UNKNOWN_4');
    expect(relocTypeByName(EM.X86_64, 'R_X86_64_UNKNOWN_127')).toBe(127);
    expect(relocTypeByName(EM.MIPS, 'R_UNKNOWN_4')).toBe(4);
    // An UNKNOWN_ spelling of a named type is not accepted, nor are malformed ones.
    expect(relocTypeByName(EM.X86_64, 'R_X86_64_UNKNOWN_2')).toBeUndefined();
    expect(relocTypeByName(EM.X86_64, 'R_X86_64_UNKNOWN_07')).toBeUndefined();
    expect(relocTypeByName(EM.X86_64, 'R_X86_64_NOPE')).toBeUndefined();
    expect(relocTypeByName(EM.MIPS, 'R_MIPS_26')).toBeUndefined();
  });

  it('accepts glibc spellings as aliases', () => {
    expect(relocTypeByName(EM.I386, 'R_386_JMP_SLOT')).toBe(7);
    expect(relocTypeByName(EM.AARCH64, 'R_AARCH64_TLS_DTPMOD')).toBe(1028);
    expect(relocTypeByName(EM.PPC64, 'R_PPC64_ADDR30')).toBe(37);
    expect(relocTypeName(EM.PPC64, 37)).toBe('R_PPC64_REL30');
    expect(relocTypeByName(EM.ARM, 'R_ARM_THM_PC22')).toBe(10);
  });

  it('round-trips every table entry through the reverse lookup', () => {
    // Table sizes, to notice accidental loss of entries.
    const sizes = new Map<number, number>([
      [EM.X86_64, 54], [EM.I386, 45], [EM.AARCH64, 128], [EM.PPC64, 161], [EM.PPC, 119],
      [EM.S390, 68], [EM.ARM, 138], [EM.RISCV, 62], [EM.LOONGARCH, 113],
    ]);
    for (const em of TABLED) {
      const names = relocTypeNames(em);
      expect(names.size).toBe(sizes.get(em));
      expect(new Set(names.values()).size).toBe(names.size);
      for (const [type, name] of names) {
        expect(relocTypeName(em, type)).toBe(name);
        expect(relocTypeByName(em, name)).toBe(type);
      }
      for (let t = 0; t < 2048; t++) expect(relocTypeByName(em, relocTypeName(em, t))).toBe(t);
    }
  });

  it('splits r_info the generic way', () => {
    expect(relocTypeMask(EM.X86_64, true)).toEqual({ symShift: 32n, typeMask: 0xffffffffn });
    expect(relocTypeMask(EM.I386, false)).toEqual({ symShift: 8n, typeMask: 0xffn });
    const info = (7n << 32n) | 2n;
    const { symShift, typeMask } = relocTypeMask(EM.X86_64, true);
    expect(info >> symShift).toBe(7n);
    expect(info & typeMask).toBe(2n);
  });
});
