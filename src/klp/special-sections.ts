// Sections the kernel processes while loading a module, before the livepatch core resolves klp
// relocations (and, for a module object, possibly before that module is even loaded). A relocation
// from one of them to a livepatch symbol cannot work: the 2023 series refused these; the v7 tree
// converted them silently.

interface SpecialSection {
  name: string;
  /** Fine when the symbol lives in vmlinux, whose klp relocations are applied at load time. */
  vmlinuxOk: boolean;
  why: string;
}

const SPECIAL_SECTIONS: readonly SpecialSection[] = [
  { name: '.altinstructions', vmlinuxOk: false, why: 'alternatives are applied at module load' },
  { name: '.altinstr_aux', vmlinuxOk: false, why: 'alternatives are applied at module load' },
  { name: '.parainstructions', vmlinuxOk: false, why: 'paravirt patching happens at module load' },
  { name: '.smp_locks', vmlinuxOk: false, why: 'SMP lock prefixes are patched at module load' },
  { name: '.static_call_sites', vmlinuxOk: false, why: 'static calls are initialised at module load' },
  { name: '.retpoline_sites', vmlinuxOk: false, why: 'retpoline sites are patched at module load' },
  { name: '.return_sites', vmlinuxOk: false, why: 'return thunks are patched at module load' },
  { name: '.call_sites', vmlinuxOk: false, why: 'call depth tracking is patched at module load' },
  { name: '.ibt_endbr_seal', vmlinuxOk: false, why: 'IBT sealing is applied at module load' },
  { name: '__ftr_fixup', vmlinuxOk: false, why: 'CPU feature fixups are applied at module load' },
  { name: '__mmu_ftr_fixup', vmlinuxOk: false, why: 'MMU feature fixups are applied at module load' },
  { name: '__fw_ftr_fixup', vmlinuxOk: false, why: 'firmware feature fixups are applied at module load' },
  { name: '__lwsync_fixup', vmlinuxOk: false, why: 'lwsync fixups are applied at module load' },
  { name: '__jump_table', vmlinuxOk: true, why: 'jump labels of a module object are set up at module load' },
];

/** Why a relocation of `base` to a symbol of `objname` cannot be a klp relocation, if it cannot. */
export function specialSectionProblem(base: string, objname: string): string | undefined {
  const hit = SPECIAL_SECTIONS.find((s) => s.name === base);
  if (!hit) return undefined;
  if (hit.vmlinuxOk && objname === 'vmlinux') return undefined;
  return hit.why;
}
