// What must hold of any conversion, without a reference to compare with: the kernel's rules for a
// livepatch module, read off the input and output objects through the shared ELF model.
import {
  decodeRelocs, decodeSymbols, type ElfObject, isRelocSection, readElf, type Reloc, SHF_RELA_LIVEPATCH,
  SHN_LIVEPATCH, symtabIndex,
} from '../../src/elf/index.js';
import { type Dialect, exportedNames, loaderCannotResolve } from '../../src/klp/index.js';

export type InvariantRule =
  /** A relocation to a symbol the module loader cannot resolve is not in a klp rela section. */
  | 'unconverted-relocation'
  /** An ordinary rela section refers to a livepatch (SHN_LIVEPATCH) symbol. */
  | 'ordinary-rela-to-livepatch-symbol'
  /** A klp rela section refers to a symbol that is not a livepatch symbol. */
  | 'klp-rela-to-ordinary-symbol';

export interface Violation {
  rule: InvariantRule;
  detail: string;
}

export interface ConversionInputs {
  dialect: Dialect;
  /** symbols.klp (symbols-list dialect). */
  symbols?: Uint8Array;
}

const KLP_RELA_PREFIX = '.klp.rela.';
const MODULE_RELOCS_PREFIX = '.klp.module_relocs.';
interface RelocSite {
  section: string;
  reloc: Reloc;
}

function relocSites(obj: ElfObject): Array<{ sec: ElfObject['sections'][number]; base: string; relocs: Reloc[] }> {
  const symtab = symtabIndex(obj);
  return obj.sections
    .filter((s, i) => i > 0 && isRelocSection(s) && s.link === symtab)
    .map((sec) => ({ sec, base: obj.sections[sec.info]?.name ?? `#${sec.info}`, relocs: decodeRelocs(obj.header.ident, sec) }));
}

const siteKey = (base: string, r: Reloc): string => `${base}\0${r.offset}\0${r.type}\0${r.addend}`;

/** Checks a converted module against its input. An empty list means every rule holds. */
export function checkConversion(input: Uint8Array, output: Uint8Array, inputs: ConversionInputs): Violation[] {
  const before = readElf(input);
  const after = readElf(output);
  const exported = exportedNames(inputs.symbols);
  const violations: Violation[] = [];

  const beforeSyms = decodeSymbols(before, symtabIndex(before));
  const required = new Map<string, RelocSite & { symbol: string; count: number }>();
  for (const { sec, base, relocs } of relocSites(before)) {
    if (sec.name.startsWith(KLP_RELA_PREFIX) || base.startsWith(MODULE_RELOCS_PREFIX)) continue;
    for (const r of relocs) {
      const sym = beforeSyms[r.symbol];
      if (!sym || !loaderCannotResolve(sym, r.symbol, inputs, exported)) continue;
      const key = siteKey(base, r);
      const prior = required.get(key);
      if (prior) prior.count++;
      else required.set(key, { section: sec.name, reloc: r, symbol: sym.name, count: 1 });
    }
  }

  const afterSyms = decodeSymbols(after, symtabIndex(after));
  for (const { sec, base, relocs } of relocSites(after)) {
    const klp = sec.name.startsWith(KLP_RELA_PREFIX) && (sec.flags & SHF_RELA_LIVEPATCH) !== 0n;
    relocs.forEach((r, k) => {
      const sym = afterSyms[r.symbol];
      const livepatch = sym !== undefined && r.symbol !== 0 && sym.shndx === SHN_LIVEPATCH;
      if (!klp && livepatch) {
        violations.push({ rule: 'ordinary-rela-to-livepatch-symbol', detail: `${sec.name}[${k}] at ${base}+0x${r.offset.toString(16)} refers to livepatch symbol '${sym!.name}'` });
      }
      if (klp) {
        if (!livepatch) violations.push({ rule: 'klp-rela-to-ordinary-symbol', detail: `${sec.name}[${k}] refers to '${sym?.name ?? `#${r.symbol}`}', not a livepatch symbol` });
        const site = required.get(siteKey(base, r));
        if (site && --site.count === 0) required.delete(siteKey(base, r));
      }
    });
  }
  for (const site of required.values()) {
    violations.push({
      rule: 'unconverted-relocation',
      detail: `${site.section} at 0x${site.reloc.offset.toString(16)} to '${site.symbol}'${site.count > 1 ? ` (${site.count} relocations)` : ''} is not in a klp rela section`,
    });
  }
  return violations;
}
