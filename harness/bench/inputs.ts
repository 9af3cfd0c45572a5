// The benchmark's inputs, generated deterministically: a symbols.klp shaped like a distribution
// kernel's, and x86_64 livepatch modules whose unresolved symbols all resolve in it.
import {
  buildObject, EM, type RelocSpec, type SectionSpec, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, STB_GLOBAL,
  STB_LOCAL, STT_FUNC, STT_SECTION, type SymbolSpec, writeElf,
} from '../../src/elf/index.js';

/** Line counts of a distribution kernel's symbols.klp (kallsyms of vmlinux and its modules). */
export const SHAPE = {
  vmlinuxNames: 150_000,
  exported: 30_000,
  modules: 50,
  linesPerModule: 1_319,
} as const;
/** magic + `*vmlinux` + names + `__ksymtab_` lines + one `*obj` line and its names per module. */
export const SYMBOLS_LINES = 2 + SHAPE.vmlinuxNames + SHAPE.exported + SHAPE.modules * (1 + SHAPE.linesPerModule);

const SUBSYSTEMS = ['ext4', 'tcp', 'sched', 'mm', 'irq', 'pci', 'usb', 'drm', 'xfs', 'nfs', 'kvm', 'bpf', 'cgroup', 'netdev', 'sock', 'page', 'vfs', 'blk', 'acpi', 'crypto', 'tty', 'sysfs', 'audit', 'perf'];
const VERBS = ['init', 'alloc', 'free', 'lookup', 'update', 'release', 'handle', 'get', 'put', 'read', 'write', 'open', 'close', 'flush', 'sync', 'check', 'setup', 'exit', 'probe', 'remove', 'queue', 'wait'];
/** Exported for real, so a compiled module's calls to them are left to the module loader. */
const REAL_EXPORTS = ['printk', '_printk', 'kmalloc', 'kfree', 'memcpy', 'memset', 'memmove', 'memcmp', 'strlen', '__fentry__', '__x86_return_thunk', '__stack_chk_fail', 'klp_enable_patch', 'jiffies', '__x86_indirect_thunk_rax'];
const MODULE_NAMES = ['ext4', 'xfs', 'btrfs', 'nfs', 'nfsd', 'kvm', 'kvm_intel', 'i915', 'amdgpu', 'nouveau', 'e1000e', 'igb', 'ixgbe', 'mlx5_core', 'bnxt_en', 'virtio_net', 'virtio_blk', 'nvme', 'nvme_core', 'ahci', 'libata', 'sd_mod', 'usbcore', 'xhci_hcd', 'snd', 'snd_hda_intel', 'bluetooth', 'cfg80211', 'mac80211', 'iwlwifi', 'nf_tables', 'nf_conntrack', 'ip_tables', 'bridge', 'bonding', 'vxlan', 'tun', 'fuse', 'overlay', 'dm_mod', 'raid1', 'md_mod', 'loop', 'zram', 'cifs', 'ceph', 'rbd', 'sctp', 'tls', 'wireguard'];

// Static functions the kernel defines many times over (kallsyms keeps every copy).
const DUP_POOL = 1_000;
const dupName = (k: number): string => `${VERBS[k % VERBS.length]}_${SUBSYSTEMS[(k * 7) % SUBSYSTEMS.length]}_once${k}`;

export interface SymbolsFile {
  text: string;
  /** Names listed once, in vmlinux, unexported: each converts to .klp.sym.vmlinux.<name>,0. */
  vmlinuxCandidates: string[];
  /** Names listed once, in some module. */
  moduleCandidates: string[];
}

export function generateSymbolsFile(): SymbolsFile {
  const lines: string[] = ['klp-convert-symbol-data.0.1', '*vmlinux'];
  const vmlinuxCandidates: string[] = [];
  const moduleCandidates: string[] = [];
  for (let i = 0; i < SHAPE.vmlinuxNames; i++) {
    const exported = i % 5 === 0;
    let name: string;
    if (exported && i / 5 < REAL_EXPORTS.length) name = REAL_EXPORTS[i / 5]!;
    else if (i % 50 === 7) name = dupName(i % DUP_POOL);
    else name = `${SUBSYSTEMS[i % SUBSYSTEMS.length]}_${VERBS[(i >> 3) % VERBS.length]}_${i.toString(36)}`;
    if (exported) lines.push(`__ksymtab_${name}`);
    else if (i % 50 !== 7) vmlinuxCandidates.push(name);
    lines.push(name);
  }
  for (let m = 0; m < SHAPE.modules; m++) {
    const objname = MODULE_NAMES[m]!;
    lines.push(`*${objname}`);
    for (let j = 0; j < SHAPE.linesPerModule; j++) {
      // Module statics that share a name with vmlinux statics, as in a real kallsyms.
      if (j % 20 === 3) {
        lines.push(dupName((m * 131 + j) % DUP_POOL));
        continue;
      }
      // Shaped unlike vmlinux names (which end in a base-36 index), so the two never collide.
      const name = `${objname}_m${j.toString(36)}_${VERBS[j % VERBS.length]}`;
      moduleCandidates.push(name);
      lines.push(name);
    }
  }
  if (lines.length !== SYMBOLS_LINES) throw new Error(`bench: generated ${lines.length} lines, expected ${SYMBOLS_LINES}`);
  return { text: `${lines.join('\n')}\n`, vmlinuxCandidates, moduleCandidates };
}

/** `count` names spread evenly over the list, so no tool gains from where they sit in the file. */
export function spread(list: readonly string[], count: number, phase = 0): string[] {
  if (count > list.length) throw new Error(`bench: asked for ${count} names from ${list.length}`);
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(list[Math.floor(((k + phase / 2) * list.length) / count) % list.length]!);
  return out;
}

/** The N unresolved names of the synthetic module: one in ten from a module, the rest from vmlinux. */
export function unresolvedNames(file: SymbolsFile, n: number): string[] {
  const fromModules = Math.floor(n / 10);
  return [...spread(file.vmlinuxCandidates, n - fromModules), ...spread(file.moduleCandidates, fromModules, 1)];
}

const R_X86_64_64 = 1;
const R_X86_64_PLT32 = 4;

interface Site {
  section: string;
  exec: boolean;
  next: number;
  relocs: RelocSpec[];
}

/**
 * An x86_64 livepatch module whose `names` are unresolved, each used by 2 or 3 relocations (2.3 on
 * average) spread over four sections: calls from .text and .text.unlikely, pointers from .data
 * and .rodata. A few defined functions and section symbols make the symbol table look compiled.
 */
export function syntheticModule(names: readonly string[]): { bytes: Uint8Array; relocs: number } {
  const sites: Site[] = [
    { section: '.text', exec: true, next: 0, relocs: [] },
    { section: '.data', exec: false, next: 0, relocs: [] },
    { section: '.text.unlikely', exec: true, next: 0, relocs: [] },
    { section: '.rodata', exec: false, next: 0, relocs: [] },
  ];
  let total = 0;
  names.forEach((symbol, i) => {
    const uses = i % 10 < 3 ? 3 : 2;
    for (let j = 0; j < uses; j++) {
      const site = sites[(i + j) % sites.length]!;
      if (site.exec) {
        // call rel32: the relocation is at the operand, one byte past the opcode.
        site.relocs.push({ offset: BigInt(site.next + 1), type: R_X86_64_PLT32, symbol, addend: -4n });
        site.next += 5;
      } else {
        site.relocs.push({ offset: BigInt(site.next), type: R_X86_64_64, symbol, addend: 0n });
        site.next += 8;
      }
      total++;
    }
  });
  const sections: SectionSpec[] = sites.map((s) => {
    const size = s.next + 16;
    const data = new Uint8Array(size);
    if (s.exec) {
      data.fill(0x90);
      for (const r of s.relocs) data[Number(r.offset) - 1] = 0xe8;
    }
    const flags = s.exec ? SHF_ALLOC | SHF_EXECINSTR : s.section === '.data' ? SHF_ALLOC | SHF_WRITE : SHF_ALLOC;
    return { name: s.section, flags, addralign: s.exec ? 16n : 8n, data };
  });
  sections.push({ name: '.modinfo', flags: SHF_ALLOC, addralign: 1n, data: new TextEncoder().encode('livepatch=Y\0license=GPL\0name=bench_livepatch\0') });

  const symbols: SymbolSpec[] = [
    ...sections.map((s) => ({ name: '', bind: STB_LOCAL, type: STT_SECTION, section: s.name })),
    { name: 'bench_patch_main', bind: STB_GLOBAL, type: STT_FUNC, section: '.text', size: 16n },
    { name: 'bench_patch_cold', bind: STB_GLOBAL, type: STT_FUNC, section: '.text.unlikely', size: 16n },
    ...names.map((name) => ({ name, bind: STB_GLOBAL })),
  ];
  const relocs = Object.fromEntries(sites.map((s) => [s.section, s.relocs]));
  return { bytes: writeElf(buildObject({ machine: EM.X86_64, sections, symbols, relocs })), relocs: total };
}

/** C source for a compiled module: `functions` functions, each calling three unresolved names and reading one. */
export function debugModuleSources(file: SymbolsFile, functions: number, files: number): string[] {
  const callees = spread(file.vmlinuxCandidates, functions, 3);
  const vars = spread(file.moduleCandidates, Math.ceil(functions / 2), 5);
  const out: string[] = [];
  const perFile = Math.ceil(functions / files);
  for (let f = 0; f < files; f++) {
    const lines = ['/* generated by klp-convert-ts bench */', 'typedef unsigned long size_t;', 'extern int _printk(const char *, ...);', 'extern void *memset(void *, int, size_t);'];
    const body: string[] = [];
    const declared = new Set<string>();
    for (let i = f * perFile; i < Math.min(functions, (f + 1) * perFile); i++) {
      const a = callees[i]!;
      const b = callees[(i * 7 + 3) % functions]!;
      const c = callees[(i * 13 + 5) % functions]!;
      const v = vars[i % vars.length]!;
      for (const fn of [a, b, c]) {
        if (!declared.has(fn)) lines.push(`extern long ${fn}(long, const void *);`);
        declared.add(fn);
      }
      if (!declared.has(v)) lines.push(`extern long ${v};`);
      declared.add(v);
      body.push(
        `struct bench_state_${i} { long a[8]; const char *name; int flags; };`,
        `static struct bench_state_${i} bench_state_${i} = { .name = "bench_fn_${i}", .flags = ${i} };`,
        `__attribute__((noinline)) long livepatch_bench_fn_${i}(long x, struct bench_state_${i} *s)`,
        '{',
        '  long acc = 0;',
        `  for (int k = 0; k < 8; k++) acc += s->a[k] * (x + k);`,
        `  if (acc > ${v}) acc = ${a}(acc, s->name);`,
        `  else acc ^= ${b}(x, s);`,
        `  if (s->flags & ${1 << (i % 8)}) _printk("bench %ld\\n", acc);`,
        `  memset(s->a, 0, sizeof(s->a));`,
        `  return acc + ${c}(acc, &bench_state_${i});`,
        '}',
        `long livepatch_bench_entry_${i}(long x) { return livepatch_bench_fn_${i}(x, &bench_state_${i}); }`,
      );
    }
    out.push(`${lines.join('\n')}\n${body.join('\n')}\n`);
  }
  return out;
}
