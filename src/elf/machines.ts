/**
 * ELF machine numbers (e_machine) and per-machine relocation type names.
 *
 * Where the numbers come from:
 *  - glibc's <elf.h> (2.36, /usr/include/elf.h) is the authority for every
 *    number it defines.
 *  - Names follow GNU readelf (binutils 2.40, `readelf -rW`), which was run on
 *    synthetic objects carrying every type 0..255 (ELF32) / 0..4095 (ELF64);
 *    where glibc spells a number differently (e.g. R_386_JMP_SLOT vs readelf's
 *    R_386_JUMP_SLOT) the readelf name is the primary one and the glibc name
 *    is kept as an alias that `relocTypeByName` also accepts.
 *  - Types glibc lacks come from binutils (readelf 2.40); a few newer still
 *    (marked "newer than binutils 2.40") come from binutils master
 *    include/elf/*.h, the AArch64 ELF ABI and the LoongArch ELF psABI.
 *  - Types only glibc has (e.g. R_PPC_DIAB_*) are kept under glibc's name.
 */

/** e_machine values, keyed by the EM_* name without its prefix (EM_386 → I386). */
export const EM = {
  NONE: 0,
  M32: 1,
  SPARC: 2,
  I386: 3,
  M68K: 4,
  MIPS: 8,
  PARISC: 15,
  SPARC32PLUS: 18,
  PPC: 20,
  PPC64: 21,
  S390: 22,
  ARM: 40,
  SH: 42,
  SPARCV9: 43,
  IA_64: 50,
  X86_64: 62,
  AARCH64: 183,
  RISCV: 243,
  BPF: 247,
  LOONGARCH: 258,
} as const;

export type EmName = keyof typeof EM;

/** Spec names of every EM_* value in glibc's elf.h (EM_NUM left out). */
const MACHINE_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'EM_NONE'],
  [1, 'EM_M32'],
  [2, 'EM_SPARC'],
  [3, 'EM_386'],
  [4, 'EM_68K'],
  [5, 'EM_88K'],
  [6, 'EM_IAMCU'],
  [7, 'EM_860'],
  [8, 'EM_MIPS'],
  [9, 'EM_S370'],
  [10, 'EM_MIPS_RS3_LE'],
  [15, 'EM_PARISC'],
  [17, 'EM_VPP500'],
  [18, 'EM_SPARC32PLUS'],
  [19, 'EM_960'],
  [20, 'EM_PPC'],
  [21, 'EM_PPC64'],
  [22, 'EM_S390'],
  [23, 'EM_SPU'],
  [36, 'EM_V800'],
  [37, 'EM_FR20'],
  [38, 'EM_RH32'],
  [39, 'EM_RCE'],
  [40, 'EM_ARM'],
  [41, 'EM_FAKE_ALPHA'],
  [42, 'EM_SH'],
  [43, 'EM_SPARCV9'],
  [44, 'EM_TRICORE'],
  [45, 'EM_ARC'],
  [46, 'EM_H8_300'],
  [47, 'EM_H8_300H'],
  [48, 'EM_H8S'],
  [49, 'EM_H8_500'],
  [50, 'EM_IA_64'],
  [51, 'EM_MIPS_X'],
  [52, 'EM_COLDFIRE'],
  [53, 'EM_68HC12'],
  [54, 'EM_MMA'],
  [55, 'EM_PCP'],
  [56, 'EM_NCPU'],
  [57, 'EM_NDR1'],
  [58, 'EM_STARCORE'],
  [59, 'EM_ME16'],
  [60, 'EM_ST100'],
  [61, 'EM_TINYJ'],
  [62, 'EM_X86_64'],
  [63, 'EM_PDSP'],
  [64, 'EM_PDP10'],
  [65, 'EM_PDP11'],
  [66, 'EM_FX66'],
  [67, 'EM_ST9PLUS'],
  [68, 'EM_ST7'],
  [69, 'EM_68HC16'],
  [70, 'EM_68HC11'],
  [71, 'EM_68HC08'],
  [72, 'EM_68HC05'],
  [73, 'EM_SVX'],
  [74, 'EM_ST19'],
  [75, 'EM_VAX'],
  [76, 'EM_CRIS'],
  [77, 'EM_JAVELIN'],
  [78, 'EM_FIREPATH'],
  [79, 'EM_ZSP'],
  [80, 'EM_MMIX'],
  [81, 'EM_HUANY'],
  [82, 'EM_PRISM'],
  [83, 'EM_AVR'],
  [84, 'EM_FR30'],
  [85, 'EM_D10V'],
  [86, 'EM_D30V'],
  [87, 'EM_V850'],
  [88, 'EM_M32R'],
  [89, 'EM_MN10300'],
  [90, 'EM_MN10200'],
  [91, 'EM_PJ'],
  [92, 'EM_OPENRISC'],
  [93, 'EM_ARC_COMPACT'],
  [94, 'EM_XTENSA'],
  [95, 'EM_VIDEOCORE'],
  [96, 'EM_TMM_GPP'],
  [97, 'EM_NS32K'],
  [98, 'EM_TPC'],
  [99, 'EM_SNP1K'],
  [100, 'EM_ST200'],
  [101, 'EM_IP2K'],
  [102, 'EM_MAX'],
  [103, 'EM_CR'],
  [104, 'EM_F2MC16'],
  [105, 'EM_MSP430'],
  [106, 'EM_BLACKFIN'],
  [107, 'EM_SE_C33'],
  [108, 'EM_SEP'],
  [109, 'EM_ARCA'],
  [110, 'EM_UNICORE'],
  [111, 'EM_EXCESS'],
  [112, 'EM_DXP'],
  [113, 'EM_ALTERA_NIOS2'],
  [114, 'EM_CRX'],
  [115, 'EM_XGATE'],
  [116, 'EM_C166'],
  [117, 'EM_M16C'],
  [118, 'EM_DSPIC30F'],
  [119, 'EM_CE'],
  [120, 'EM_M32C'],
  [131, 'EM_TSK3000'],
  [132, 'EM_RS08'],
  [133, 'EM_SHARC'],
  [134, 'EM_ECOG2'],
  [135, 'EM_SCORE7'],
  [136, 'EM_DSP24'],
  [137, 'EM_VIDEOCORE3'],
  [138, 'EM_LATTICEMICO32'],
  [139, 'EM_SE_C17'],
  [140, 'EM_TI_C6000'],
  [141, 'EM_TI_C2000'],
  [142, 'EM_TI_C5500'],
  [143, 'EM_TI_ARP32'],
  [144, 'EM_TI_PRU'],
  [160, 'EM_MMDSP_PLUS'],
  [161, 'EM_CYPRESS_M8C'],
  [162, 'EM_R32C'],
  [163, 'EM_TRIMEDIA'],
  [164, 'EM_QDSP6'],
  [165, 'EM_8051'],
  [166, 'EM_STXP7X'],
  [167, 'EM_NDS32'],
  [168, 'EM_ECOG1X'],
  [169, 'EM_MAXQ30'],
  [170, 'EM_XIMO16'],
  [171, 'EM_MANIK'],
  [172, 'EM_CRAYNV2'],
  [173, 'EM_RX'],
  [174, 'EM_METAG'],
  [175, 'EM_MCST_ELBRUS'],
  [176, 'EM_ECOG16'],
  [177, 'EM_CR16'],
  [178, 'EM_ETPU'],
  [179, 'EM_SLE9X'],
  [180, 'EM_L10M'],
  [181, 'EM_K10M'],
  [183, 'EM_AARCH64'],
  [185, 'EM_AVR32'],
  [186, 'EM_STM8'],
  [187, 'EM_TILE64'],
  [188, 'EM_TILEPRO'],
  [189, 'EM_MICROBLAZE'],
  [190, 'EM_CUDA'],
  [191, 'EM_TILEGX'],
  [192, 'EM_CLOUDSHIELD'],
  [193, 'EM_COREA_1ST'],
  [194, 'EM_COREA_2ND'],
  [195, 'EM_ARCV2'],
  [196, 'EM_OPEN8'],
  [197, 'EM_RL78'],
  [198, 'EM_VIDEOCORE5'],
  [199, 'EM_78KOR'],
  [200, 'EM_56800EX'],
  [201, 'EM_BA1'],
  [202, 'EM_BA2'],
  [203, 'EM_XCORE'],
  [204, 'EM_MCHP_PIC'],
  [205, 'EM_INTELGT'],
  [210, 'EM_KM32'],
  [211, 'EM_KMX32'],
  [212, 'EM_EMX16'],
  [213, 'EM_EMX8'],
  [214, 'EM_KVARC'],
  [215, 'EM_CDP'],
  [216, 'EM_COGE'],
  [217, 'EM_COOL'],
  [218, 'EM_NORC'],
  [219, 'EM_CSR_KALIMBA'],
  [220, 'EM_Z80'],
  [221, 'EM_VISIUM'],
  [222, 'EM_FT32'],
  [223, 'EM_MOXIE'],
  [224, 'EM_AMDGPU'],
  [243, 'EM_RISCV'],
  [247, 'EM_BPF'],
  [252, 'EM_CSKY'],
  [258, 'EM_LOONGARCH'],
  [36902, 'EM_ALPHA'],
]);

/** The spec name of a machine, e.g. `EM_X86_64`; `EM_<decimal>` when unknown. */
export function machineName(em: number): string {
  return MACHINE_NAMES.get(em) ?? `EM_${em}`;
}

type RelocTable = ReadonlyArray<readonly [number, string]>;

/** EM_X86_64 (62). */
const X86_64_RELOCS: RelocTable = [
  [0, 'R_X86_64_NONE'],
  [1, 'R_X86_64_64'],
  [2, 'R_X86_64_PC32'],
  [3, 'R_X86_64_GOT32'],
  [4, 'R_X86_64_PLT32'],
  [5, 'R_X86_64_COPY'],
  [6, 'R_X86_64_GLOB_DAT'],
  [7, 'R_X86_64_JUMP_SLOT'],
  [8, 'R_X86_64_RELATIVE'],
  [9, 'R_X86_64_GOTPCREL'],
  [10, 'R_X86_64_32'],
  [11, 'R_X86_64_32S'],
  [12, 'R_X86_64_16'],
  [13, 'R_X86_64_PC16'],
  [14, 'R_X86_64_8'],
  [15, 'R_X86_64_PC8'],
  [16, 'R_X86_64_DTPMOD64'],
  [17, 'R_X86_64_DTPOFF64'],
  [18, 'R_X86_64_TPOFF64'],
  [19, 'R_X86_64_TLSGD'],
  [20, 'R_X86_64_TLSLD'],
  [21, 'R_X86_64_DTPOFF32'],
  [22, 'R_X86_64_GOTTPOFF'],
  [23, 'R_X86_64_TPOFF32'],
  [24, 'R_X86_64_PC64'],
  [25, 'R_X86_64_GOTOFF64'],
  [26, 'R_X86_64_GOTPC32'],
  [27, 'R_X86_64_GOT64'],
  [28, 'R_X86_64_GOTPCREL64'],
  [29, 'R_X86_64_GOTPC64'],
  [30, 'R_X86_64_GOTPLT64'],
  [31, 'R_X86_64_PLTOFF64'],
  [32, 'R_X86_64_SIZE32'],
  [33, 'R_X86_64_SIZE64'],
  [34, 'R_X86_64_GOTPC32_TLSDESC'],
  [35, 'R_X86_64_TLSDESC_CALL'],
  [36, 'R_X86_64_TLSDESC'],
  [37, 'R_X86_64_IRELATIVE'],
  [38, 'R_X86_64_RELATIVE64'],
  [39, 'R_X86_64_PC32_BND'], // binutils; not in glibc 2.36
  [40, 'R_X86_64_PLT32_BND'], // binutils; not in glibc 2.36
  [41, 'R_X86_64_GOTPCRELX'],
  [42, 'R_X86_64_REX_GOTPCRELX'],
  [43, 'R_X86_64_CODE_4_GOTPCRELX'], // newer than binutils 2.40
  [44, 'R_X86_64_CODE_4_GOTTPOFF'], // newer than binutils 2.40
  [45, 'R_X86_64_CODE_4_GOTPC32_TLSDESC'], // newer than binutils 2.40
  [46, 'R_X86_64_CODE_5_GOTPCRELX'], // newer than binutils 2.40
  [47, 'R_X86_64_CODE_5_GOTPC32_TLSDESC'], // newer than binutils 2.40
  [48, 'R_X86_64_CODE_5_GOTTPOFF'], // newer than binutils 2.40
  [49, 'R_X86_64_CODE_6_GOTPCRELX'], // newer than binutils 2.40
  [50, 'R_X86_64_CODE_6_GOTTPOFF'], // newer than binutils 2.40
  [51, 'R_X86_64_CODE_6_GOTPC32_TLSDESC'], // newer than binutils 2.40
  [250, 'R_X86_64_GNU_VTINHERIT'], // binutils; not in glibc 2.36
  [251, 'R_X86_64_GNU_VTENTRY'], // binutils; not in glibc 2.36
];

/** EM_386 (3). */
const I386_RELOCS: RelocTable = [
  [0, 'R_386_NONE'],
  [1, 'R_386_32'],
  [2, 'R_386_PC32'],
  [3, 'R_386_GOT32'],
  [4, 'R_386_PLT32'],
  [5, 'R_386_COPY'],
  [6, 'R_386_GLOB_DAT'],
  [7, 'R_386_JUMP_SLOT'], // glibc: R_386_JMP_SLOT
  [8, 'R_386_RELATIVE'],
  [9, 'R_386_GOTOFF'],
  [10, 'R_386_GOTPC'],
  [11, 'R_386_32PLT'],
  [14, 'R_386_TLS_TPOFF'],
  [15, 'R_386_TLS_IE'],
  [16, 'R_386_TLS_GOTIE'],
  [17, 'R_386_TLS_LE'],
  [18, 'R_386_TLS_GD'],
  [19, 'R_386_TLS_LDM'],
  [20, 'R_386_16'],
  [21, 'R_386_PC16'],
  [22, 'R_386_8'],
  [23, 'R_386_PC8'],
  [24, 'R_386_TLS_GD_32'],
  [25, 'R_386_TLS_GD_PUSH'],
  [26, 'R_386_TLS_GD_CALL'],
  [27, 'R_386_TLS_GD_POP'],
  [28, 'R_386_TLS_LDM_32'],
  [29, 'R_386_TLS_LDM_PUSH'],
  [30, 'R_386_TLS_LDM_CALL'],
  [31, 'R_386_TLS_LDM_POP'],
  [32, 'R_386_TLS_LDO_32'],
  [33, 'R_386_TLS_IE_32'],
  [34, 'R_386_TLS_LE_32'],
  [35, 'R_386_TLS_DTPMOD32'],
  [36, 'R_386_TLS_DTPOFF32'],
  [37, 'R_386_TLS_TPOFF32'],
  [38, 'R_386_SIZE32'],
  [39, 'R_386_TLS_GOTDESC'],
  [40, 'R_386_TLS_DESC_CALL'],
  [41, 'R_386_TLS_DESC'],
  [42, 'R_386_IRELATIVE'],
  [43, 'R_386_GOT32X'],
  [200, 'R_386_USED_BY_INTEL_200'], // binutils; not in glibc 2.36
  [250, 'R_386_GNU_VTINHERIT'], // binutils; not in glibc 2.36
  [251, 'R_386_GNU_VTENTRY'], // binutils; not in glibc 2.36
];

const I386_ALIASES: RelocTable = [
  [7, 'R_386_JMP_SLOT'],
];

/** EM_AARCH64 (183), LP64 set only: the ILP32 R_AARCH64_P32_* types (1..255) are left out. */
const AARCH64_RELOCS: RelocTable = [
  [0, 'R_AARCH64_NONE'],
  [256, 'R_AARCH64_NULL'], // binutils; not in glibc 2.36
  [257, 'R_AARCH64_ABS64'],
  [258, 'R_AARCH64_ABS32'],
  [259, 'R_AARCH64_ABS16'],
  [260, 'R_AARCH64_PREL64'],
  [261, 'R_AARCH64_PREL32'],
  [262, 'R_AARCH64_PREL16'],
  [263, 'R_AARCH64_MOVW_UABS_G0'],
  [264, 'R_AARCH64_MOVW_UABS_G0_NC'],
  [265, 'R_AARCH64_MOVW_UABS_G1'],
  [266, 'R_AARCH64_MOVW_UABS_G1_NC'],
  [267, 'R_AARCH64_MOVW_UABS_G2'],
  [268, 'R_AARCH64_MOVW_UABS_G2_NC'],
  [269, 'R_AARCH64_MOVW_UABS_G3'],
  [270, 'R_AARCH64_MOVW_SABS_G0'],
  [271, 'R_AARCH64_MOVW_SABS_G1'],
  [272, 'R_AARCH64_MOVW_SABS_G2'],
  [273, 'R_AARCH64_LD_PREL_LO19'],
  [274, 'R_AARCH64_ADR_PREL_LO21'],
  [275, 'R_AARCH64_ADR_PREL_PG_HI21'],
  [276, 'R_AARCH64_ADR_PREL_PG_HI21_NC'],
  [277, 'R_AARCH64_ADD_ABS_LO12_NC'],
  [278, 'R_AARCH64_LDST8_ABS_LO12_NC'],
  [279, 'R_AARCH64_TSTBR14'],
  [280, 'R_AARCH64_CONDBR19'],
  [282, 'R_AARCH64_JUMP26'],
  [283, 'R_AARCH64_CALL26'],
  [284, 'R_AARCH64_LDST16_ABS_LO12_NC'],
  [285, 'R_AARCH64_LDST32_ABS_LO12_NC'],
  [286, 'R_AARCH64_LDST64_ABS_LO12_NC'],
  [287, 'R_AARCH64_MOVW_PREL_G0'],
  [288, 'R_AARCH64_MOVW_PREL_G0_NC'],
  [289, 'R_AARCH64_MOVW_PREL_G1'],
  [290, 'R_AARCH64_MOVW_PREL_G1_NC'],
  [291, 'R_AARCH64_MOVW_PREL_G2'],
  [292, 'R_AARCH64_MOVW_PREL_G2_NC'],
  [293, 'R_AARCH64_MOVW_PREL_G3'],
  [299, 'R_AARCH64_LDST128_ABS_LO12_NC'],
  [300, 'R_AARCH64_MOVW_GOTOFF_G0'],
  [301, 'R_AARCH64_MOVW_GOTOFF_G0_NC'],
  [302, 'R_AARCH64_MOVW_GOTOFF_G1'],
  [303, 'R_AARCH64_MOVW_GOTOFF_G1_NC'],
  [304, 'R_AARCH64_MOVW_GOTOFF_G2'],
  [305, 'R_AARCH64_MOVW_GOTOFF_G2_NC'],
  [306, 'R_AARCH64_MOVW_GOTOFF_G3'],
  [307, 'R_AARCH64_GOTREL64'],
  [308, 'R_AARCH64_GOTREL32'],
  [309, 'R_AARCH64_GOT_LD_PREL19'],
  [310, 'R_AARCH64_LD64_GOTOFF_LO15'],
  [311, 'R_AARCH64_ADR_GOT_PAGE'],
  [312, 'R_AARCH64_LD64_GOT_LO12_NC'],
  [313, 'R_AARCH64_LD64_GOTPAGE_LO15'],
  [314, 'R_AARCH64_PLT32'], // newer than binutils 2.40
  [315, 'R_AARCH64_GOTPCREL32'], // newer than binutils 2.40
  [512, 'R_AARCH64_TLSGD_ADR_PREL21'],
  [513, 'R_AARCH64_TLSGD_ADR_PAGE21'],
  [514, 'R_AARCH64_TLSGD_ADD_LO12_NC'],
  [515, 'R_AARCH64_TLSGD_MOVW_G1'],
  [516, 'R_AARCH64_TLSGD_MOVW_G0_NC'],
  [517, 'R_AARCH64_TLSLD_ADR_PREL21'],
  [518, 'R_AARCH64_TLSLD_ADR_PAGE21'],
  [519, 'R_AARCH64_TLSLD_ADD_LO12_NC'],
  [520, 'R_AARCH64_TLSLD_MOVW_G1'],
  [521, 'R_AARCH64_TLSLD_MOVW_G0_NC'],
  [522, 'R_AARCH64_TLSLD_LD_PREL19'],
  [523, 'R_AARCH64_TLSLD_MOVW_DTPREL_G2'],
  [524, 'R_AARCH64_TLSLD_MOVW_DTPREL_G1'],
  [525, 'R_AARCH64_TLSLD_MOVW_DTPREL_G1_NC'],
  [526, 'R_AARCH64_TLSLD_MOVW_DTPREL_G0'],
  [527, 'R_AARCH64_TLSLD_MOVW_DTPREL_G0_NC'],
  [528, 'R_AARCH64_TLSLD_ADD_DTPREL_HI12'],
  [529, 'R_AARCH64_TLSLD_ADD_DTPREL_LO12'],
  [530, 'R_AARCH64_TLSLD_ADD_DTPREL_LO12_NC'],
  [531, 'R_AARCH64_TLSLD_LDST8_DTPREL_LO12'],
  [532, 'R_AARCH64_TLSLD_LDST8_DTPREL_LO12_NC'],
  [533, 'R_AARCH64_TLSLD_LDST16_DTPREL_LO12'],
  [534, 'R_AARCH64_TLSLD_LDST16_DTPREL_LO12_NC'],
  [535, 'R_AARCH64_TLSLD_LDST32_DTPREL_LO12'],
  [536, 'R_AARCH64_TLSLD_LDST32_DTPREL_LO12_NC'],
  [537, 'R_AARCH64_TLSLD_LDST64_DTPREL_LO12'],
  [538, 'R_AARCH64_TLSLD_LDST64_DTPREL_LO12_NC'],
  [539, 'R_AARCH64_TLSIE_MOVW_GOTTPREL_G1'],
  [540, 'R_AARCH64_TLSIE_MOVW_GOTTPREL_G0_NC'],
  [541, 'R_AARCH64_TLSIE_ADR_GOTTPREL_PAGE21'],
  [542, 'R_AARCH64_TLSIE_LD64_GOTTPREL_LO12_NC'],
  [543, 'R_AARCH64_TLSIE_LD_GOTTPREL_PREL19'],
  [544, 'R_AARCH64_TLSLE_MOVW_TPREL_G2'],
  [545, 'R_AARCH64_TLSLE_MOVW_TPREL_G1'],
  [546, 'R_AARCH64_TLSLE_MOVW_TPREL_G1_NC'],
  [547, 'R_AARCH64_TLSLE_MOVW_TPREL_G0'],
  [548, 'R_AARCH64_TLSLE_MOVW_TPREL_G0_NC'],
  [549, 'R_AARCH64_TLSLE_ADD_TPREL_HI12'],
  [550, 'R_AARCH64_TLSLE_ADD_TPREL_LO12'],
  [551, 'R_AARCH64_TLSLE_ADD_TPREL_LO12_NC'],
  [552, 'R_AARCH64_TLSLE_LDST8_TPREL_LO12'],
  [553, 'R_AARCH64_TLSLE_LDST8_TPREL_LO12_NC'],
  [554, 'R_AARCH64_TLSLE_LDST16_TPREL_LO12'],
  [555, 'R_AARCH64_TLSLE_LDST16_TPREL_LO12_NC'],
  [556, 'R_AARCH64_TLSLE_LDST32_TPREL_LO12'],
  [557, 'R_AARCH64_TLSLE_LDST32_TPREL_LO12_NC'],
  [558, 'R_AARCH64_TLSLE_LDST64_TPREL_LO12'],
  [559, 'R_AARCH64_TLSLE_LDST64_TPREL_LO12_NC'],
  [560, 'R_AARCH64_TLSDESC_LD_PREL19'],
  [561, 'R_AARCH64_TLSDESC_ADR_PREL21'],
  [562, 'R_AARCH64_TLSDESC_ADR_PAGE21'],
  [563, 'R_AARCH64_TLSDESC_LD64_LO12'],
  [564, 'R_AARCH64_TLSDESC_ADD_LO12'],
  [565, 'R_AARCH64_TLSDESC_OFF_G1'],
  [566, 'R_AARCH64_TLSDESC_OFF_G0_NC'],
  [567, 'R_AARCH64_TLSDESC_LDR'],
  [568, 'R_AARCH64_TLSDESC_ADD'],
  [569, 'R_AARCH64_TLSDESC_CALL'],
  [570, 'R_AARCH64_TLSLE_LDST128_TPREL_LO12'],
  [571, 'R_AARCH64_TLSLE_LDST128_TPREL_LO12_NC'],
  [572, 'R_AARCH64_TLSLD_LDST128_DTPREL_LO12'],
  [573, 'R_AARCH64_TLSLD_LDST128_DTPREL_LO12_NC'],
  [580, 'R_AARCH64_AUTH_ABS64'], // newer than binutils 2.40
  [1024, 'R_AARCH64_COPY'],
  [1025, 'R_AARCH64_GLOB_DAT'],
  [1026, 'R_AARCH64_JUMP_SLOT'],
  [1027, 'R_AARCH64_RELATIVE'],
  [1028, 'R_AARCH64_TLS_DTPMOD64'], // glibc: R_AARCH64_TLS_DTPMOD
  [1029, 'R_AARCH64_TLS_DTPREL64'], // glibc: R_AARCH64_TLS_DTPREL
  [1030, 'R_AARCH64_TLS_TPREL64'], // glibc: R_AARCH64_TLS_TPREL
  [1031, 'R_AARCH64_TLSDESC'],
  [1032, 'R_AARCH64_IRELATIVE'],
  [1041, 'R_AARCH64_AUTH_RELATIVE'], // newer than binutils 2.40
];

const AARCH64_ALIASES: RelocTable = [
  [1028, 'R_AARCH64_TLS_DTPMOD'],
  [1029, 'R_AARCH64_TLS_DTPREL'],
  [1030, 'R_AARCH64_TLS_TPREL'],
];

/** EM_PPC64 (21). */
const PPC64_RELOCS: RelocTable = [
  [0, 'R_PPC64_NONE'],
  [1, 'R_PPC64_ADDR32'],
  [2, 'R_PPC64_ADDR24'],
  [3, 'R_PPC64_ADDR16'],
  [4, 'R_PPC64_ADDR16_LO'],
  [5, 'R_PPC64_ADDR16_HI'],
  [6, 'R_PPC64_ADDR16_HA'],
  [7, 'R_PPC64_ADDR14'],
  [8, 'R_PPC64_ADDR14_BRTAKEN'],
  [9, 'R_PPC64_ADDR14_BRNTAKEN'],
  [10, 'R_PPC64_REL24'],
  [11, 'R_PPC64_REL14'],
  [12, 'R_PPC64_REL14_BRTAKEN'],
  [13, 'R_PPC64_REL14_BRNTAKEN'],
  [14, 'R_PPC64_GOT16'],
  [15, 'R_PPC64_GOT16_LO'],
  [16, 'R_PPC64_GOT16_HI'],
  [17, 'R_PPC64_GOT16_HA'],
  [19, 'R_PPC64_COPY'],
  [20, 'R_PPC64_GLOB_DAT'],
  [21, 'R_PPC64_JMP_SLOT'],
  [22, 'R_PPC64_RELATIVE'],
  [24, 'R_PPC64_UADDR32'],
  [25, 'R_PPC64_UADDR16'],
  [26, 'R_PPC64_REL32'],
  [27, 'R_PPC64_PLT32'],
  [28, 'R_PPC64_PLTREL32'],
  [29, 'R_PPC64_PLT16_LO'],
  [30, 'R_PPC64_PLT16_HI'],
  [31, 'R_PPC64_PLT16_HA'],
  [33, 'R_PPC64_SECTOFF'],
  [34, 'R_PPC64_SECTOFF_LO'],
  [35, 'R_PPC64_SECTOFF_HI'],
  [36, 'R_PPC64_SECTOFF_HA'],
  [37, 'R_PPC64_REL30'], // glibc: R_PPC64_ADDR30
  [38, 'R_PPC64_ADDR64'],
  [39, 'R_PPC64_ADDR16_HIGHER'],
  [40, 'R_PPC64_ADDR16_HIGHERA'],
  [41, 'R_PPC64_ADDR16_HIGHEST'],
  [42, 'R_PPC64_ADDR16_HIGHESTA'],
  [43, 'R_PPC64_UADDR64'],
  [44, 'R_PPC64_REL64'],
  [45, 'R_PPC64_PLT64'],
  [46, 'R_PPC64_PLTREL64'],
  [47, 'R_PPC64_TOC16'],
  [48, 'R_PPC64_TOC16_LO'],
  [49, 'R_PPC64_TOC16_HI'],
  [50, 'R_PPC64_TOC16_HA'],
  [51, 'R_PPC64_TOC'],
  [52, 'R_PPC64_PLTGOT16'],
  [53, 'R_PPC64_PLTGOT16_LO'],
  [54, 'R_PPC64_PLTGOT16_HI'],
  [55, 'R_PPC64_PLTGOT16_HA'],
  [56, 'R_PPC64_ADDR16_DS'],
  [57, 'R_PPC64_ADDR16_LO_DS'],
  [58, 'R_PPC64_GOT16_DS'],
  [59, 'R_PPC64_GOT16_LO_DS'],
  [60, 'R_PPC64_PLT16_LO_DS'],
  [61, 'R_PPC64_SECTOFF_DS'],
  [62, 'R_PPC64_SECTOFF_LO_DS'],
  [63, 'R_PPC64_TOC16_DS'],
  [64, 'R_PPC64_TOC16_LO_DS'],
  [65, 'R_PPC64_PLTGOT16_DS'],
  [66, 'R_PPC64_PLTGOT16_LO_DS'],
  [67, 'R_PPC64_TLS'],
  [68, 'R_PPC64_DTPMOD64'],
  [69, 'R_PPC64_TPREL16'],
  [70, 'R_PPC64_TPREL16_LO'],
  [71, 'R_PPC64_TPREL16_HI'],
  [72, 'R_PPC64_TPREL16_HA'],
  [73, 'R_PPC64_TPREL64'],
  [74, 'R_PPC64_DTPREL16'],
  [75, 'R_PPC64_DTPREL16_LO'],
  [76, 'R_PPC64_DTPREL16_HI'],
  [77, 'R_PPC64_DTPREL16_HA'],
  [78, 'R_PPC64_DTPREL64'],
  [79, 'R_PPC64_GOT_TLSGD16'],
  [80, 'R_PPC64_GOT_TLSGD16_LO'],
  [81, 'R_PPC64_GOT_TLSGD16_HI'],
  [82, 'R_PPC64_GOT_TLSGD16_HA'],
  [83, 'R_PPC64_GOT_TLSLD16'],
  [84, 'R_PPC64_GOT_TLSLD16_LO'],
  [85, 'R_PPC64_GOT_TLSLD16_HI'],
  [86, 'R_PPC64_GOT_TLSLD16_HA'],
  [87, 'R_PPC64_GOT_TPREL16_DS'],
  [88, 'R_PPC64_GOT_TPREL16_LO_DS'],
  [89, 'R_PPC64_GOT_TPREL16_HI'],
  [90, 'R_PPC64_GOT_TPREL16_HA'],
  [91, 'R_PPC64_GOT_DTPREL16_DS'],
  [92, 'R_PPC64_GOT_DTPREL16_LO_DS'],
  [93, 'R_PPC64_GOT_DTPREL16_HI'],
  [94, 'R_PPC64_GOT_DTPREL16_HA'],
  [95, 'R_PPC64_TPREL16_DS'],
  [96, 'R_PPC64_TPREL16_LO_DS'],
  [97, 'R_PPC64_TPREL16_HIGHER'],
  [98, 'R_PPC64_TPREL16_HIGHERA'],
  [99, 'R_PPC64_TPREL16_HIGHEST'],
  [100, 'R_PPC64_TPREL16_HIGHESTA'],
  [101, 'R_PPC64_DTPREL16_DS'],
  [102, 'R_PPC64_DTPREL16_LO_DS'],
  [103, 'R_PPC64_DTPREL16_HIGHER'],
  [104, 'R_PPC64_DTPREL16_HIGHERA'],
  [105, 'R_PPC64_DTPREL16_HIGHEST'],
  [106, 'R_PPC64_DTPREL16_HIGHESTA'],
  [107, 'R_PPC64_TLSGD'],
  [108, 'R_PPC64_TLSLD'],
  [109, 'R_PPC64_TOCSAVE'],
  [110, 'R_PPC64_ADDR16_HIGH'],
  [111, 'R_PPC64_ADDR16_HIGHA'],
  [112, 'R_PPC64_TPREL16_HIGH'],
  [113, 'R_PPC64_TPREL16_HIGHA'],
  [114, 'R_PPC64_DTPREL16_HIGH'],
  [115, 'R_PPC64_DTPREL16_HIGHA'],
  [116, 'R_PPC64_REL24_NOTOC'], // binutils; not in glibc 2.36
  [117, 'R_PPC64_ADDR64_LOCAL'], // binutils; not in glibc 2.36
  [118, 'R_PPC64_ENTRY'], // binutils; not in glibc 2.36
  [119, 'R_PPC64_PLTSEQ'], // binutils; not in glibc 2.36
  [120, 'R_PPC64_PLTCALL'], // binutils; not in glibc 2.36
  [121, 'R_PPC64_PLTSEQ_NOTOC'], // binutils; not in glibc 2.36
  [122, 'R_PPC64_PLTCALL_NOTOC'], // binutils; not in glibc 2.36
  [123, 'R_PPC64_PCREL_OPT'], // binutils; not in glibc 2.36
  [124, 'R_PPC64_REL24_P9NOTOC'], // binutils; not in glibc 2.36
  [128, 'R_PPC64_D34'], // binutils; not in glibc 2.36
  [129, 'R_PPC64_D34_LO'], // binutils; not in glibc 2.36
  [130, 'R_PPC64_D34_HI30'], // binutils; not in glibc 2.36
  [131, 'R_PPC64_D34_HA30'], // binutils; not in glibc 2.36
  [132, 'R_PPC64_PCREL34'], // binutils; not in glibc 2.36
  [133, 'R_PPC64_GOT_PCREL34'], // binutils; not in glibc 2.36
  [134, 'R_PPC64_PLT_PCREL34'], // binutils; not in glibc 2.36
  [135, 'R_PPC64_PLT_PCREL34_NOTOC'], // binutils; not in glibc 2.36
  [136, 'R_PPC64_ADDR16_HIGHER34'], // binutils; not in glibc 2.36
  [137, 'R_PPC64_ADDR16_HIGHERA34'], // binutils; not in glibc 2.36
  [138, 'R_PPC64_ADDR16_HIGHEST34'], // binutils; not in glibc 2.36
  [139, 'R_PPC64_ADDR16_HIGHESTA34'], // binutils; not in glibc 2.36
  [140, 'R_PPC64_REL16_HIGHER34'], // binutils; not in glibc 2.36
  [141, 'R_PPC64_REL16_HIGHERA34'], // binutils; not in glibc 2.36
  [142, 'R_PPC64_REL16_HIGHEST34'], // binutils; not in glibc 2.36
  [143, 'R_PPC64_REL16_HIGHESTA34'], // binutils; not in glibc 2.36
  [144, 'R_PPC64_D28'], // binutils; not in glibc 2.36
  [145, 'R_PPC64_PCREL28'], // binutils; not in glibc 2.36
  [146, 'R_PPC64_TPREL34'], // binutils; not in glibc 2.36
  [147, 'R_PPC64_DTPREL34'], // binutils; not in glibc 2.36
  [148, 'R_PPC64_GOT_TLSGD_PCREL34'], // binutils; not in glibc 2.36
  [149, 'R_PPC64_GOT_TLSLD_PCREL34'], // binutils; not in glibc 2.36
  [150, 'R_PPC64_GOT_TPREL_PCREL34'], // binutils; not in glibc 2.36
  [151, 'R_PPC64_GOT_DTPREL_PCREL34'], // binutils; not in glibc 2.36
  [240, 'R_PPC64_REL16_HIGH'], // binutils; not in glibc 2.36
  [241, 'R_PPC64_REL16_HIGHA'], // binutils; not in glibc 2.36
  [242, 'R_PPC64_REL16_HIGHER'], // binutils; not in glibc 2.36
  [243, 'R_PPC64_REL16_HIGHERA'], // binutils; not in glibc 2.36
  [244, 'R_PPC64_REL16_HIGHEST'], // binutils; not in glibc 2.36
  [245, 'R_PPC64_REL16_HIGHESTA'], // binutils; not in glibc 2.36
  [246, 'R_PPC64_REL16DX_HA'], // binutils; not in glibc 2.36
  [247, 'R_PPC64_JMP_IREL'],
  [248, 'R_PPC64_IRELATIVE'],
  [249, 'R_PPC64_REL16'],
  [250, 'R_PPC64_REL16_LO'],
  [251, 'R_PPC64_REL16_HI'],
  [252, 'R_PPC64_REL16_HA'],
  [253, 'R_PPC64_GNU_VTINHERIT'], // binutils; not in glibc 2.36
  [254, 'R_PPC64_GNU_VTENTRY'], // binutils; not in glibc 2.36
];

const PPC64_ALIASES: RelocTable = [
  [37, 'R_PPC64_ADDR30'],
];

/** EM_PPC (20), 32-bit PowerPC. */
const PPC_RELOCS: RelocTable = [
  [0, 'R_PPC_NONE'],
  [1, 'R_PPC_ADDR32'],
  [2, 'R_PPC_ADDR24'],
  [3, 'R_PPC_ADDR16'],
  [4, 'R_PPC_ADDR16_LO'],
  [5, 'R_PPC_ADDR16_HI'],
  [6, 'R_PPC_ADDR16_HA'],
  [7, 'R_PPC_ADDR14'],
  [8, 'R_PPC_ADDR14_BRTAKEN'],
  [9, 'R_PPC_ADDR14_BRNTAKEN'],
  [10, 'R_PPC_REL24'],
  [11, 'R_PPC_REL14'],
  [12, 'R_PPC_REL14_BRTAKEN'],
  [13, 'R_PPC_REL14_BRNTAKEN'],
  [14, 'R_PPC_GOT16'],
  [15, 'R_PPC_GOT16_LO'],
  [16, 'R_PPC_GOT16_HI'],
  [17, 'R_PPC_GOT16_HA'],
  [18, 'R_PPC_PLTREL24'],
  [19, 'R_PPC_COPY'],
  [20, 'R_PPC_GLOB_DAT'],
  [21, 'R_PPC_JMP_SLOT'],
  [22, 'R_PPC_RELATIVE'],
  [23, 'R_PPC_LOCAL24PC'],
  [24, 'R_PPC_UADDR32'],
  [25, 'R_PPC_UADDR16'],
  [26, 'R_PPC_REL32'],
  [27, 'R_PPC_PLT32'],
  [28, 'R_PPC_PLTREL32'],
  [29, 'R_PPC_PLT16_LO'],
  [30, 'R_PPC_PLT16_HI'],
  [31, 'R_PPC_PLT16_HA'],
  [32, 'R_PPC_SDAREL16'],
  [33, 'R_PPC_SECTOFF'],
  [34, 'R_PPC_SECTOFF_LO'],
  [35, 'R_PPC_SECTOFF_HI'],
  [36, 'R_PPC_SECTOFF_HA'],
  [37, 'R_PPC_ADDR30'], // binutils; not in glibc 2.36
  [67, 'R_PPC_TLS'],
  [68, 'R_PPC_DTPMOD32'],
  [69, 'R_PPC_TPREL16'],
  [70, 'R_PPC_TPREL16_LO'],
  [71, 'R_PPC_TPREL16_HI'],
  [72, 'R_PPC_TPREL16_HA'],
  [73, 'R_PPC_TPREL32'],
  [74, 'R_PPC_DTPREL16'],
  [75, 'R_PPC_DTPREL16_LO'],
  [76, 'R_PPC_DTPREL16_HI'],
  [77, 'R_PPC_DTPREL16_HA'],
  [78, 'R_PPC_DTPREL32'],
  [79, 'R_PPC_GOT_TLSGD16'],
  [80, 'R_PPC_GOT_TLSGD16_LO'],
  [81, 'R_PPC_GOT_TLSGD16_HI'],
  [82, 'R_PPC_GOT_TLSGD16_HA'],
  [83, 'R_PPC_GOT_TLSLD16'],
  [84, 'R_PPC_GOT_TLSLD16_LO'],
  [85, 'R_PPC_GOT_TLSLD16_HI'],
  [86, 'R_PPC_GOT_TLSLD16_HA'],
  [87, 'R_PPC_GOT_TPREL16'],
  [88, 'R_PPC_GOT_TPREL16_LO'],
  [89, 'R_PPC_GOT_TPREL16_HI'],
  [90, 'R_PPC_GOT_TPREL16_HA'],
  [91, 'R_PPC_GOT_DTPREL16'],
  [92, 'R_PPC_GOT_DTPREL16_LO'],
  [93, 'R_PPC_GOT_DTPREL16_HI'],
  [94, 'R_PPC_GOT_DTPREL16_HA'],
  [95, 'R_PPC_TLSGD'],
  [96, 'R_PPC_TLSLD'],
  [101, 'R_PPC_EMB_NADDR32'],
  [102, 'R_PPC_EMB_NADDR16'],
  [103, 'R_PPC_EMB_NADDR16_LO'],
  [104, 'R_PPC_EMB_NADDR16_HI'],
  [105, 'R_PPC_EMB_NADDR16_HA'],
  [106, 'R_PPC_EMB_SDAI16'],
  [107, 'R_PPC_EMB_SDA2I16'],
  [108, 'R_PPC_EMB_SDA2REL'],
  [109, 'R_PPC_EMB_SDA21'],
  [110, 'R_PPC_EMB_MRKREF'],
  [111, 'R_PPC_EMB_RELSEC16'],
  [112, 'R_PPC_EMB_RELST_LO'],
  [113, 'R_PPC_EMB_RELST_HI'],
  [114, 'R_PPC_EMB_RELST_HA'],
  [115, 'R_PPC_EMB_BIT_FLD'],
  [116, 'R_PPC_EMB_RELSDA'],
  [119, 'R_PPC_PLTSEQ'], // binutils; not in glibc 2.36
  [120, 'R_PPC_PLTCALL'], // binutils; not in glibc 2.36
  [180, 'R_PPC_DIAB_SDA21_LO'], // glibc only; binutils 2.40 readelf lacks it
  [181, 'R_PPC_DIAB_SDA21_HI'], // glibc only; binutils 2.40 readelf lacks it
  [182, 'R_PPC_DIAB_SDA21_HA'], // glibc only; binutils 2.40 readelf lacks it
  [183, 'R_PPC_DIAB_RELSDA_LO'], // glibc only; binutils 2.40 readelf lacks it
  [184, 'R_PPC_DIAB_RELSDA_HI'], // glibc only; binutils 2.40 readelf lacks it
  [185, 'R_PPC_DIAB_RELSDA_HA'], // glibc only; binutils 2.40 readelf lacks it
  [216, 'R_PPC_VLE_REL8'], // binutils; not in glibc 2.36
  [217, 'R_PPC_VLE_REL15'], // binutils; not in glibc 2.36
  [218, 'R_PPC_VLE_REL24'], // binutils; not in glibc 2.36
  [219, 'R_PPC_VLE_LO16A'], // binutils; not in glibc 2.36
  [220, 'R_PPC_VLE_LO16D'], // binutils; not in glibc 2.36
  [221, 'R_PPC_VLE_HI16A'], // binutils; not in glibc 2.36
  [222, 'R_PPC_VLE_HI16D'], // binutils; not in glibc 2.36
  [223, 'R_PPC_VLE_HA16A'], // binutils; not in glibc 2.36
  [224, 'R_PPC_VLE_HA16D'], // binutils; not in glibc 2.36
  [225, 'R_PPC_VLE_SDA21'], // binutils; not in glibc 2.36
  [226, 'R_PPC_VLE_SDA21_LO'], // binutils; not in glibc 2.36
  [227, 'R_PPC_VLE_SDAREL_LO16A'], // binutils; not in glibc 2.36
  [228, 'R_PPC_VLE_SDAREL_LO16D'], // binutils; not in glibc 2.36
  [229, 'R_PPC_VLE_SDAREL_HI16A'], // binutils; not in glibc 2.36
  [230, 'R_PPC_VLE_SDAREL_HI16D'], // binutils; not in glibc 2.36
  [231, 'R_PPC_VLE_SDAREL_HA16A'], // binutils; not in glibc 2.36
  [232, 'R_PPC_VLE_SDAREL_HA16D'], // binutils; not in glibc 2.36
  [233, 'R_PPC_VLE_ADDR20'], // binutils; not in glibc 2.36
  [246, 'R_PPC_REL16DX_HA'], // binutils; not in glibc 2.36
  [248, 'R_PPC_IRELATIVE'],
  [249, 'R_PPC_REL16'],
  [250, 'R_PPC_REL16_LO'],
  [251, 'R_PPC_REL16_HI'],
  [252, 'R_PPC_REL16_HA'],
  [253, 'R_PPC_GNU_VTINHERIT'], // binutils; not in glibc 2.36
  [254, 'R_PPC_GNU_VTENTRY'], // binutils; not in glibc 2.36
  [255, 'R_PPC_TOC16'],
];

/** EM_S390 (22), both s390 and s390x. */
const S390_RELOCS: RelocTable = [
  [0, 'R_390_NONE'],
  [1, 'R_390_8'],
  [2, 'R_390_12'],
  [3, 'R_390_16'],
  [4, 'R_390_32'],
  [5, 'R_390_PC32'],
  [6, 'R_390_GOT12'],
  [7, 'R_390_GOT32'],
  [8, 'R_390_PLT32'],
  [9, 'R_390_COPY'],
  [10, 'R_390_GLOB_DAT'],
  [11, 'R_390_JMP_SLOT'],
  [12, 'R_390_RELATIVE'],
  [13, 'R_390_GOTOFF32'],
  [14, 'R_390_GOTPC'],
  [15, 'R_390_GOT16'],
  [16, 'R_390_PC16'],
  [17, 'R_390_PC16DBL'],
  [18, 'R_390_PLT16DBL'],
  [19, 'R_390_PC32DBL'],
  [20, 'R_390_PLT32DBL'],
  [21, 'R_390_GOTPCDBL'],
  [22, 'R_390_64'],
  [23, 'R_390_PC64'],
  [24, 'R_390_GOT64'],
  [25, 'R_390_PLT64'],
  [26, 'R_390_GOTENT'],
  [27, 'R_390_GOTOFF16'],
  [28, 'R_390_GOTOFF64'],
  [29, 'R_390_GOTPLT12'],
  [30, 'R_390_GOTPLT16'],
  [31, 'R_390_GOTPLT32'],
  [32, 'R_390_GOTPLT64'],
  [33, 'R_390_GOTPLTENT'],
  [34, 'R_390_PLTOFF16'],
  [35, 'R_390_PLTOFF32'],
  [36, 'R_390_PLTOFF64'],
  [37, 'R_390_TLS_LOAD'],
  [38, 'R_390_TLS_GDCALL'],
  [39, 'R_390_TLS_LDCALL'],
  [40, 'R_390_TLS_GD32'],
  [41, 'R_390_TLS_GD64'],
  [42, 'R_390_TLS_GOTIE12'],
  [43, 'R_390_TLS_GOTIE32'],
  [44, 'R_390_TLS_GOTIE64'],
  [45, 'R_390_TLS_LDM32'],
  [46, 'R_390_TLS_LDM64'],
  [47, 'R_390_TLS_IE32'],
  [48, 'R_390_TLS_IE64'],
  [49, 'R_390_TLS_IEENT'],
  [50, 'R_390_TLS_LE32'],
  [51, 'R_390_TLS_LE64'],
  [52, 'R_390_TLS_LDO32'],
  [53, 'R_390_TLS_LDO64'],
  [54, 'R_390_TLS_DTPMOD'],
  [55, 'R_390_TLS_DTPOFF'],
  [56, 'R_390_TLS_TPOFF'],
  [57, 'R_390_20'],
  [58, 'R_390_GOT20'],
  [59, 'R_390_GOTPLT20'],
  [60, 'R_390_TLS_GOTIE20'],
  [61, 'R_390_IRELATIVE'],
  [62, 'R_390_PC12DBL'], // binutils; not in glibc 2.36
  [63, 'R_390_PLT12DBL'], // binutils; not in glibc 2.36
  [64, 'R_390_PC24DBL'], // binutils; not in glibc 2.36
  [65, 'R_390_PLT24DBL'], // binutils; not in glibc 2.36
  [250, 'R_390_GNU_VTINHERIT'], // binutils; not in glibc 2.36
  [251, 'R_390_GNU_VTENTRY'], // binutils; not in glibc 2.36
];

/** EM_ARM (40). */
const ARM_RELOCS: RelocTable = [
  [0, 'R_ARM_NONE'],
  [1, 'R_ARM_PC24'],
  [2, 'R_ARM_ABS32'],
  [3, 'R_ARM_REL32'],
  [4, 'R_ARM_LDR_PC_G0'], // glibc: R_ARM_PC13
  [5, 'R_ARM_ABS16'],
  [6, 'R_ARM_ABS12'],
  [7, 'R_ARM_THM_ABS5'],
  [8, 'R_ARM_ABS8'],
  [9, 'R_ARM_SBREL32'],
  [10, 'R_ARM_THM_CALL'], // glibc: R_ARM_THM_PC22
  [11, 'R_ARM_THM_PC8'],
  [12, 'R_ARM_BREL_ADJ'], // glibc: R_ARM_AMP_VCALL9
  [13, 'R_ARM_TLS_DESC'], // also glibc R_ARM_SWI24
  [14, 'R_ARM_THM_SWI8'],
  [15, 'R_ARM_XPC25'],
  [16, 'R_ARM_THM_XPC22'],
  [17, 'R_ARM_TLS_DTPMOD32'],
  [18, 'R_ARM_TLS_DTPOFF32'],
  [19, 'R_ARM_TLS_TPOFF32'],
  [20, 'R_ARM_COPY'],
  [21, 'R_ARM_GLOB_DAT'],
  [22, 'R_ARM_JUMP_SLOT'],
  [23, 'R_ARM_RELATIVE'],
  [24, 'R_ARM_GOTOFF32'], // glibc: R_ARM_GOTOFF
  [25, 'R_ARM_BASE_PREL'], // glibc: R_ARM_GOTPC
  [26, 'R_ARM_GOT_BREL'], // glibc: R_ARM_GOT32
  [27, 'R_ARM_PLT32'],
  [28, 'R_ARM_CALL'],
  [29, 'R_ARM_JUMP24'],
  [30, 'R_ARM_THM_JUMP24'],
  [31, 'R_ARM_BASE_ABS'],
  [32, 'R_ARM_ALU_PCREL7_0'], // glibc: R_ARM_ALU_PCREL_7_0
  [33, 'R_ARM_ALU_PCREL15_8'], // glibc: R_ARM_ALU_PCREL_15_8
  [34, 'R_ARM_ALU_PCREL23_15'], // glibc: R_ARM_ALU_PCREL_23_15
  [35, 'R_ARM_LDR_SBREL_11_0'],
  [36, 'R_ARM_ALU_SBREL_19_12'],
  [37, 'R_ARM_ALU_SBREL_27_20'],
  [38, 'R_ARM_TARGET1'],
  [39, 'R_ARM_SBREL31'],
  [40, 'R_ARM_V4BX'],
  [41, 'R_ARM_TARGET2'],
  [42, 'R_ARM_PREL31'],
  [43, 'R_ARM_MOVW_ABS_NC'],
  [44, 'R_ARM_MOVT_ABS'],
  [45, 'R_ARM_MOVW_PREL_NC'],
  [46, 'R_ARM_MOVT_PREL'],
  [47, 'R_ARM_THM_MOVW_ABS_NC'],
  [48, 'R_ARM_THM_MOVT_ABS'],
  [49, 'R_ARM_THM_MOVW_PREL_NC'],
  [50, 'R_ARM_THM_MOVT_PREL'],
  [51, 'R_ARM_THM_JUMP19'],
  [52, 'R_ARM_THM_JUMP6'],
  [53, 'R_ARM_THM_ALU_PREL_11_0'],
  [54, 'R_ARM_THM_PC12'],
  [55, 'R_ARM_ABS32_NOI'],
  [56, 'R_ARM_REL32_NOI'],
  [57, 'R_ARM_ALU_PC_G0_NC'],
  [58, 'R_ARM_ALU_PC_G0'],
  [59, 'R_ARM_ALU_PC_G1_NC'],
  [60, 'R_ARM_ALU_PC_G1'],
  [61, 'R_ARM_ALU_PC_G2'],
  [62, 'R_ARM_LDR_PC_G1'],
  [63, 'R_ARM_LDR_PC_G2'],
  [64, 'R_ARM_LDRS_PC_G0'],
  [65, 'R_ARM_LDRS_PC_G1'],
  [66, 'R_ARM_LDRS_PC_G2'],
  [67, 'R_ARM_LDC_PC_G0'],
  [68, 'R_ARM_LDC_PC_G1'],
  [69, 'R_ARM_LDC_PC_G2'],
  [70, 'R_ARM_ALU_SB_G0_NC'],
  [71, 'R_ARM_ALU_SB_G0'],
  [72, 'R_ARM_ALU_SB_G1_NC'],
  [73, 'R_ARM_ALU_SB_G1'],
  [74, 'R_ARM_ALU_SB_G2'],
  [75, 'R_ARM_LDR_SB_G0'],
  [76, 'R_ARM_LDR_SB_G1'],
  [77, 'R_ARM_LDR_SB_G2'],
  [78, 'R_ARM_LDRS_SB_G0'],
  [79, 'R_ARM_LDRS_SB_G1'],
  [80, 'R_ARM_LDRS_SB_G2'],
  [81, 'R_ARM_LDC_SB_G0'],
  [82, 'R_ARM_LDC_SB_G1'],
  [83, 'R_ARM_LDC_SB_G2'],
  [84, 'R_ARM_MOVW_BREL_NC'],
  [85, 'R_ARM_MOVT_BREL'],
  [86, 'R_ARM_MOVW_BREL'],
  [87, 'R_ARM_THM_MOVW_BREL_NC'],
  [88, 'R_ARM_THM_MOVT_BREL'],
  [89, 'R_ARM_THM_MOVW_BREL'],
  [90, 'R_ARM_TLS_GOTDESC'],
  [91, 'R_ARM_TLS_CALL'],
  [92, 'R_ARM_TLS_DESCSEQ'],
  [93, 'R_ARM_THM_TLS_CALL'],
  [94, 'R_ARM_PLT32_ABS'],
  [95, 'R_ARM_GOT_ABS'],
  [96, 'R_ARM_GOT_PREL'],
  [97, 'R_ARM_GOT_BREL12'],
  [98, 'R_ARM_GOTOFF12'],
  [99, 'R_ARM_GOTRELAX'],
  [100, 'R_ARM_GNU_VTENTRY'],
  [101, 'R_ARM_GNU_VTINHERIT'],
  [102, 'R_ARM_THM_JUMP11'], // glibc: R_ARM_THM_PC11
  [103, 'R_ARM_THM_JUMP8'], // glibc: R_ARM_THM_PC9
  [104, 'R_ARM_TLS_GD32'],
  [105, 'R_ARM_TLS_LDM32'],
  [106, 'R_ARM_TLS_LDO32'],
  [107, 'R_ARM_TLS_IE32'],
  [108, 'R_ARM_TLS_LE32'],
  [109, 'R_ARM_TLS_LDO12'],
  [110, 'R_ARM_TLS_LE12'],
  [111, 'R_ARM_TLS_IE12GP'],
  [128, 'R_ARM_ME_TOO'],
  [129, 'R_ARM_THM_TLS_DESCSEQ'], // also glibc R_ARM_THM_TLS_DESCSEQ16
  [130, 'R_ARM_THM_TLS_DESCSEQ32'], // glibc only; binutils 2.40 readelf lacks it
  [131, 'R_ARM_THM_GOT_BREL12'], // glibc only; binutils 2.40 readelf lacks it
  [132, 'R_ARM_THM_ALU_ABS_G0_NC'], // binutils; not in glibc 2.36
  [133, 'R_ARM_THM_ALU_ABS_G1_NC'], // binutils; not in glibc 2.36
  [134, 'R_ARM_THM_ALU_ABS_G2_NC'], // binutils; not in glibc 2.36
  [135, 'R_ARM_THM_ALU_ABS_G3_NC'], // binutils; not in glibc 2.36
  [136, 'R_ARM_THM_BF16'], // binutils; not in glibc 2.36
  [137, 'R_ARM_THM_BF12'], // binutils; not in glibc 2.36
  [138, 'R_ARM_THM_BF18'], // binutils; not in glibc 2.36
  [160, 'R_ARM_IRELATIVE'],
  [161, 'R_ARM_GOTFUNCDESC'], // binutils; not in glibc 2.36
  [162, 'R_ARM_GOTOFFFUNCDESC'], // binutils; not in glibc 2.36
  [163, 'R_ARM_FUNCDESC'], // binutils; not in glibc 2.36
  [164, 'R_ARM_FUNCDESC_VALUE'], // binutils; not in glibc 2.36
  [165, 'R_ARM_TLS_GD32_FDPIC'], // binutils; not in glibc 2.36
  [166, 'R_ARM_TLS_LDM32_FDPIC'], // binutils; not in glibc 2.36
  [167, 'R_ARM_TLS_IE32_FDPIC'], // binutils; not in glibc 2.36
  [249, 'R_ARM_RXPC25'],
  [250, 'R_ARM_RSBREL32'],
  [251, 'R_ARM_THM_RPC22'],
  [252, 'R_ARM_RREL32'],
  [253, 'R_ARM_RABS32'], // glibc: R_ARM_RABS22
  [254, 'R_ARM_RPC24'],
  [255, 'R_ARM_RBASE'],
];

const ARM_ALIASES: RelocTable = [
  [4, 'R_ARM_PC13'],
  [10, 'R_ARM_THM_PC22'],
  [12, 'R_ARM_AMP_VCALL9'],
  [13, 'R_ARM_SWI24'],
  [24, 'R_ARM_GOTOFF'],
  [25, 'R_ARM_GOTPC'],
  [26, 'R_ARM_GOT32'],
  [32, 'R_ARM_ALU_PCREL_7_0'],
  [33, 'R_ARM_ALU_PCREL_15_8'],
  [34, 'R_ARM_ALU_PCREL_23_15'],
  [102, 'R_ARM_THM_PC11'],
  [103, 'R_ARM_THM_PC9'],
  [129, 'R_ARM_THM_TLS_DESCSEQ16'],
  [253, 'R_ARM_RABS22'],
];

/** EM_RISCV (243). */
const RISCV_RELOCS: RelocTable = [
  [0, 'R_RISCV_NONE'],
  [1, 'R_RISCV_32'],
  [2, 'R_RISCV_64'],
  [3, 'R_RISCV_RELATIVE'],
  [4, 'R_RISCV_COPY'],
  [5, 'R_RISCV_JUMP_SLOT'],
  [6, 'R_RISCV_TLS_DTPMOD32'],
  [7, 'R_RISCV_TLS_DTPMOD64'],
  [8, 'R_RISCV_TLS_DTPREL32'],
  [9, 'R_RISCV_TLS_DTPREL64'],
  [10, 'R_RISCV_TLS_TPREL32'],
  [11, 'R_RISCV_TLS_TPREL64'],
  [12, 'R_RISCV_TLSDESC'], // newer than binutils 2.40
  [16, 'R_RISCV_BRANCH'],
  [17, 'R_RISCV_JAL'],
  [18, 'R_RISCV_CALL'],
  [19, 'R_RISCV_CALL_PLT'],
  [20, 'R_RISCV_GOT_HI20'],
  [21, 'R_RISCV_TLS_GOT_HI20'],
  [22, 'R_RISCV_TLS_GD_HI20'],
  [23, 'R_RISCV_PCREL_HI20'],
  [24, 'R_RISCV_PCREL_LO12_I'],
  [25, 'R_RISCV_PCREL_LO12_S'],
  [26, 'R_RISCV_HI20'],
  [27, 'R_RISCV_LO12_I'],
  [28, 'R_RISCV_LO12_S'],
  [29, 'R_RISCV_TPREL_HI20'],
  [30, 'R_RISCV_TPREL_LO12_I'],
  [31, 'R_RISCV_TPREL_LO12_S'],
  [32, 'R_RISCV_TPREL_ADD'],
  [33, 'R_RISCV_ADD8'],
  [34, 'R_RISCV_ADD16'],
  [35, 'R_RISCV_ADD32'],
  [36, 'R_RISCV_ADD64'],
  [37, 'R_RISCV_SUB8'],
  [38, 'R_RISCV_SUB16'],
  [39, 'R_RISCV_SUB32'],
  [40, 'R_RISCV_SUB64'],
  [41, 'R_RISCV_GNU_VTINHERIT'], // glibc only; binutils 2.40 readelf lacks it
  [42, 'R_RISCV_GNU_VTENTRY'], // glibc only; binutils 2.40 readelf lacks it
  [43, 'R_RISCV_ALIGN'],
  [44, 'R_RISCV_RVC_BRANCH'],
  [45, 'R_RISCV_RVC_JUMP'],
  [46, 'R_RISCV_RVC_LUI'],
  [47, 'R_RISCV_GPREL_I'],
  [48, 'R_RISCV_GPREL_S'],
  [49, 'R_RISCV_TPREL_I'],
  [50, 'R_RISCV_TPREL_S'],
  [51, 'R_RISCV_RELAX'],
  [52, 'R_RISCV_SUB6'],
  [53, 'R_RISCV_SET6'],
  [54, 'R_RISCV_SET8'],
  [55, 'R_RISCV_SET16'],
  [56, 'R_RISCV_SET32'],
  [57, 'R_RISCV_32_PCREL'],
  [58, 'R_RISCV_IRELATIVE'],
  [60, 'R_RISCV_SET_ULEB128'], // newer than binutils 2.40
  [61, 'R_RISCV_SUB_ULEB128'], // newer than binutils 2.40
  [62, 'R_RISCV_TLSDESC_HI20'], // newer than binutils 2.40
  [63, 'R_RISCV_TLSDESC_LOAD_LO12'], // newer than binutils 2.40
  [64, 'R_RISCV_TLSDESC_ADD_LO12'], // newer than binutils 2.40
  [65, 'R_RISCV_TLSDESC_CALL'], // newer than binutils 2.40
];

/** EM_LOONGARCH (258). */
const LOONGARCH_RELOCS: RelocTable = [
  [0, 'R_LARCH_NONE'],
  [1, 'R_LARCH_32'],
  [2, 'R_LARCH_64'],
  [3, 'R_LARCH_RELATIVE'],
  [4, 'R_LARCH_COPY'],
  [5, 'R_LARCH_JUMP_SLOT'],
  [6, 'R_LARCH_TLS_DTPMOD32'],
  [7, 'R_LARCH_TLS_DTPMOD64'],
  [8, 'R_LARCH_TLS_DTPREL32'],
  [9, 'R_LARCH_TLS_DTPREL64'],
  [10, 'R_LARCH_TLS_TPREL32'],
  [11, 'R_LARCH_TLS_TPREL64'],
  [12, 'R_LARCH_IRELATIVE'],
  [20, 'R_LARCH_MARK_LA'],
  [21, 'R_LARCH_MARK_PCREL'],
  [22, 'R_LARCH_SOP_PUSH_PCREL'],
  [23, 'R_LARCH_SOP_PUSH_ABSOLUTE'],
  [24, 'R_LARCH_SOP_PUSH_DUP'],
  [25, 'R_LARCH_SOP_PUSH_GPREL'],
  [26, 'R_LARCH_SOP_PUSH_TLS_TPREL'],
  [27, 'R_LARCH_SOP_PUSH_TLS_GOT'],
  [28, 'R_LARCH_SOP_PUSH_TLS_GD'],
  [29, 'R_LARCH_SOP_PUSH_PLT_PCREL'],
  [30, 'R_LARCH_SOP_ASSERT'],
  [31, 'R_LARCH_SOP_NOT'],
  [32, 'R_LARCH_SOP_SUB'],
  [33, 'R_LARCH_SOP_SL'],
  [34, 'R_LARCH_SOP_SR'],
  [35, 'R_LARCH_SOP_ADD'],
  [36, 'R_LARCH_SOP_AND'],
  [37, 'R_LARCH_SOP_IF_ELSE'],
  [38, 'R_LARCH_SOP_POP_32_S_10_5'],
  [39, 'R_LARCH_SOP_POP_32_U_10_12'],
  [40, 'R_LARCH_SOP_POP_32_S_10_12'],
  [41, 'R_LARCH_SOP_POP_32_S_10_16'],
  [42, 'R_LARCH_SOP_POP_32_S_10_16_S2'],
  [43, 'R_LARCH_SOP_POP_32_S_5_20'],
  [44, 'R_LARCH_SOP_POP_32_S_0_5_10_16_S2'],
  [45, 'R_LARCH_SOP_POP_32_S_0_10_10_16_S2'],
  [46, 'R_LARCH_SOP_POP_32_U'],
  [47, 'R_LARCH_ADD8'],
  [48, 'R_LARCH_ADD16'],
  [49, 'R_LARCH_ADD24'],
  [50, 'R_LARCH_ADD32'],
  [51, 'R_LARCH_ADD64'],
  [52, 'R_LARCH_SUB8'],
  [53, 'R_LARCH_SUB16'],
  [54, 'R_LARCH_SUB24'],
  [55, 'R_LARCH_SUB32'],
  [56, 'R_LARCH_SUB64'],
  [57, 'R_LARCH_GNU_VTINHERIT'],
  [58, 'R_LARCH_GNU_VTENTRY'],
  [64, 'R_LARCH_B16'], // binutils; not in glibc 2.36
  [65, 'R_LARCH_B21'], // binutils; not in glibc 2.36
  [66, 'R_LARCH_B26'], // binutils; not in glibc 2.36
  [67, 'R_LARCH_ABS_HI20'], // binutils; not in glibc 2.36
  [68, 'R_LARCH_ABS_LO12'], // binutils; not in glibc 2.36
  [69, 'R_LARCH_ABS64_LO20'], // binutils; not in glibc 2.36
  [70, 'R_LARCH_ABS64_HI12'], // binutils; not in glibc 2.36
  [71, 'R_LARCH_PCALA_HI20'], // binutils; not in glibc 2.36
  [72, 'R_LARCH_PCALA_LO12'], // binutils; not in glibc 2.36
  [73, 'R_LARCH_PCALA64_LO20'], // binutils; not in glibc 2.36
  [74, 'R_LARCH_PCALA64_HI12'], // binutils; not in glibc 2.36
  [75, 'R_LARCH_GOT_PC_HI20'], // binutils; not in glibc 2.36
  [76, 'R_LARCH_GOT_PC_LO12'], // binutils; not in glibc 2.36
  [77, 'R_LARCH_GOT64_PC_LO20'], // binutils; not in glibc 2.36
  [78, 'R_LARCH_GOT64_PC_HI12'], // binutils; not in glibc 2.36
  [79, 'R_LARCH_GOT_HI20'], // binutils; not in glibc 2.36
  [80, 'R_LARCH_GOT_LO12'], // binutils; not in glibc 2.36
  [81, 'R_LARCH_GOT64_LO20'], // binutils; not in glibc 2.36
  [82, 'R_LARCH_GOT64_HI12'], // binutils; not in glibc 2.36
  [83, 'R_LARCH_TLS_LE_HI20'], // binutils; not in glibc 2.36
  [84, 'R_LARCH_TLS_LE_LO12'], // binutils; not in glibc 2.36
  [85, 'R_LARCH_TLS_LE64_LO20'], // binutils; not in glibc 2.36
  [86, 'R_LARCH_TLS_LE64_HI12'], // binutils; not in glibc 2.36
  [87, 'R_LARCH_TLS_IE_PC_HI20'], // binutils; not in glibc 2.36
  [88, 'R_LARCH_TLS_IE_PC_LO12'], // binutils; not in glibc 2.36
  [89, 'R_LARCH_TLS_IE64_PC_LO20'], // binutils; not in glibc 2.36
  [90, 'R_LARCH_TLS_IE64_PC_HI12'], // binutils; not in glibc 2.36
  [91, 'R_LARCH_TLS_IE_HI20'], // binutils; not in glibc 2.36
  [92, 'R_LARCH_TLS_IE_LO12'], // binutils; not in glibc 2.36
  [93, 'R_LARCH_TLS_IE64_LO20'], // binutils; not in glibc 2.36
  [94, 'R_LARCH_TLS_IE64_HI12'], // binutils; not in glibc 2.36
  [95, 'R_LARCH_TLS_LD_PC_HI20'], // binutils; not in glibc 2.36
  [96, 'R_LARCH_TLS_LD_HI20'], // binutils; not in glibc 2.36
  [97, 'R_LARCH_TLS_GD_PC_HI20'], // binutils; not in glibc 2.36
  [98, 'R_LARCH_TLS_GD_HI20'], // binutils; not in glibc 2.36
  [99, 'R_LARCH_32_PCREL'], // binutils; not in glibc 2.36
  [100, 'R_LARCH_RELAX'], // binutils; not in glibc 2.36
  [102, 'R_LARCH_ALIGN'], // newer than binutils 2.40
  [103, 'R_LARCH_PCREL20_S2'], // newer than binutils 2.40
  [105, 'R_LARCH_ADD6'], // newer than binutils 2.40
  [106, 'R_LARCH_SUB6'], // newer than binutils 2.40
  [107, 'R_LARCH_ADD_ULEB128'], // newer than binutils 2.40
  [108, 'R_LARCH_SUB_ULEB128'], // newer than binutils 2.40
  [109, 'R_LARCH_64_PCREL'], // newer than binutils 2.40
  [110, 'R_LARCH_CALL36'], // newer than binutils 2.40
  [111, 'R_LARCH_TLS_DESC_PC_HI20'], // newer than binutils 2.40
  [112, 'R_LARCH_TLS_DESC_PC_LO12'], // newer than binutils 2.40
  [113, 'R_LARCH_TLS_DESC64_PC_LO20'], // newer than binutils 2.40
  [114, 'R_LARCH_TLS_DESC64_PC_HI12'], // newer than binutils 2.40
  [115, 'R_LARCH_TLS_DESC_HI20'], // newer than binutils 2.40
  [116, 'R_LARCH_TLS_DESC_LO12'], // newer than binutils 2.40
  [117, 'R_LARCH_TLS_DESC64_LO20'], // newer than binutils 2.40
  [118, 'R_LARCH_TLS_DESC64_HI12'], // newer than binutils 2.40
  [119, 'R_LARCH_TLS_DESC_LD'], // newer than binutils 2.40
  [120, 'R_LARCH_TLS_DESC_CALL'], // newer than binutils 2.40
  [121, 'R_LARCH_TLS_LE_HI20_R'], // newer than binutils 2.40
  [122, 'R_LARCH_TLS_LE_ADD_R'], // newer than binutils 2.40
  [123, 'R_LARCH_TLS_LE_LO12_R'], // newer than binutils 2.40
  [124, 'R_LARCH_TLS_LD_PCREL20_S2'], // newer than binutils 2.40
  [125, 'R_LARCH_TLS_GD_PCREL20_S2'], // newer than binutils 2.40
  [126, 'R_LARCH_TLS_DESC_PCREL20_S2'], // newer than binutils 2.40
];

interface MachineRelocs {
  /** Name prefix, e.g. `R_X86_64_`; unknown types print as `<prefix>UNKNOWN_<decimal>`. */
  readonly prefix: string;
  readonly byType: ReadonlyMap<number, string>;
  readonly byName: ReadonlyMap<string, number>;
}

function machineRelocs(prefix: string, table: RelocTable, aliases: RelocTable = []): MachineRelocs {
  const byType = new Map<number, string>();
  const byName = new Map<string, number>();
  for (const [type, name] of table) {
    if (byType.has(type) || byName.has(name)) throw new Error(`duplicate relocation ${type} ${name}`);
    byType.set(type, name);
    byName.set(name, type);
  }
  for (const [type, name] of aliases) {
    if (byName.has(name)) throw new Error(`duplicate relocation alias ${name}`);
    byName.set(name, type);
  }
  return { prefix, byType, byName };
}

const RELOCS: ReadonlyMap<number, MachineRelocs> = new Map<number, MachineRelocs>([
  [EM.X86_64, machineRelocs('R_X86_64_', X86_64_RELOCS)],
  [EM.I386, machineRelocs('R_386_', I386_RELOCS, I386_ALIASES)],
  [EM.AARCH64, machineRelocs('R_AARCH64_', AARCH64_RELOCS, AARCH64_ALIASES)],
  [EM.PPC64, machineRelocs('R_PPC64_', PPC64_RELOCS, PPC64_ALIASES)],
  [EM.PPC, machineRelocs('R_PPC_', PPC_RELOCS)],
  [EM.S390, machineRelocs('R_390_', S390_RELOCS)],
  [EM.ARM, machineRelocs('R_ARM_', ARM_RELOCS, ARM_ALIASES)],
  [EM.RISCV, machineRelocs('R_RISCV_', RISCV_RELOCS)],
  [EM.LOONGARCH, machineRelocs('R_LARCH_', LOONGARCH_RELOCS)],
]);

const UNKNOWN_MACHINE_PREFIX = 'R_';
const EMPTY: ReadonlyMap<number, string> = new Map<number, string>();

/**
 * True when this module has a relocation-type table for `em` (x86-64, i386,
 * AArch64, PPC64, PPC, S/390, ARM, RISC-V, LoongArch). Other machines still
 * get a `machineName`, and `relocTypeName` falls back to `R_UNKNOWN_<type>`.
 */
export function isKnownMachine(em: number): boolean {
  return RELOCS.has(em);
}

/**
 * The name readelf prints for relocation `type` on `machine`, e.g.
 * `relocTypeName(EM.X86_64, 4) === 'R_X86_64_PLT32'`.
 * Unknown type on a known machine: `<prefix>UNKNOWN_<decimal>` (`R_X86_64_UNKNOWN_127`);
 * unknown machine: `R_UNKNOWN_<decimal>`.
 */
export function relocTypeName(machine: number, type: number): string {
  const m = RELOCS.get(machine);
  if (m === undefined) return `${UNKNOWN_MACHINE_PREFIX}UNKNOWN_${type}`;
  return m.byType.get(type) ?? `${m.prefix}UNKNOWN_${type}`;
}

/**
 * Reverse of `relocTypeName`: the type number for a name on `machine`, or
 * undefined. Accepts the primary (readelf) names, glibc's alternative
 * spellings (e.g. `R_386_JMP_SLOT`, `R_AARCH64_TLS_DTPMOD`), and the
 * `<prefix>UNKNOWN_<decimal>` / `R_UNKNOWN_<decimal>` fallbacks that
 * `relocTypeName` produces, so `relocTypeByName(m, relocTypeName(m, t)) === t`
 * for every non-negative integer `t`.
 */
export function relocTypeByName(machine: number, name: string): number | undefined {
  const m = RELOCS.get(machine);
  const known = m?.byName.get(name);
  if (known !== undefined) return known;
  const prefix = m?.prefix ?? UNKNOWN_MACHINE_PREFIX;
  const match = /^UNKNOWN_(0|[1-9][0-9]*)$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
  if (match?.[1] === undefined) return undefined;
  const type = Number(match[1]);
  if (!Number.isSafeInteger(type) || (m !== undefined && m.byType.has(type))) return undefined;
  return type;
}

/** All named relocation types of `machine` (type → primary name); empty for unknown machines. */
export function relocTypeNames(machine: number): ReadonlyMap<number, string> {
  return RELOCS.get(machine)?.byType ?? EMPTY;
}

/** How `r_info` splits into symbol index and type: `sym = info >> symShift`, `type = info & typeMask`. */
export interface RelocInfoSplit {
  readonly symShift: bigint;
  readonly typeMask: bigint;
}

const SPLIT64: RelocInfoSplit = Object.freeze({ symShift: 32n, typeMask: 0xffffffffn });
const SPLIT32: RelocInfoSplit = Object.freeze({ symShift: 8n, typeMask: 0xffn });

/**
 * The generic ELF r_info layout: ELF64 `ELF64_R_SYM(i) = i >> 32`,
 * `ELF64_R_TYPE(i) = i & 0xffffffff`; ELF32 `ELF32_R_SYM(i) = i >> 8`,
 * `ELF32_R_TYPE(i) = i & 0xff`. The same for every machine handled here
 * (x32, i.e. EM_X86_64 in ELFCLASS32, uses the ELF32 layout).
 *
 * Out of scope: MIPS64 (EM_MIPS, ELFCLASS64) splits r_info into a 32-bit
 * r_sym, an 8-bit r_ssym and three 8-bit types (r_type3, r_type2, r_type), and
 * in little-endian files that word is not a plain little-endian 64-bit
 * integer; this generic split does not decode it. `machine` is accepted for
 * such cases but not otherwise consulted. Likewise SPARC V9's R_SPARC_OLO10 packs an addend in
 * the upper 24 bits of the 64-bit type field.
 */
export function relocTypeMask(machine: number, is64: boolean): RelocInfoSplit {
  void machine;
  return is64 ? SPLIT64 : SPLIT32;
}
