// What must hold of any conversion, without a reference to compare with: the kernel's rules for a
// livepatch module, read off the input and output objects through the shared ELF model.
// Post-link keeps what it converts: the original relocation stays where it was, disabled as
// R_*_NONE against a SHN_LIVEPATCH tombstone, and the `__klp_relocs` sections keep their
// relocations to the (now SHN_LIVEPATCH) KLP symbols. Neither is ever applied as a livepatch
// symbol's address, so both are exempt from the ordinary-rela rule.
import {
  decodeRelocs, decodeSymbols, type ElfObject, isRelocSection, readElf, type Reloc, SHF_RELA_LIVEPATCH,
  SHN_LIVEPATCH, SHN_UNDEF, symtabIndex,
} from '../../src/elf/index.js';
import { type Dialect, exportedNames, isKlpRelocsSection, loaderCannotResolve, R_NONE } from '../../src/klp/index.js';

export type InvariantRule =
  /**
   * A relocation to a symbol the module loader cannot resolve is not in a klp rela section (or,
   * post-link, its original is still live: not R_*_NONE).
   */
  | 'unconverted-relocation'
  /** An ordinary rela section refers to a livepatch (SHN_LIVEPATCH) symbol. */
  | 'ordinary-rela-to-livepatch-symbol'
  /** A klp rela section refers to a symbol that is not a livepatch symbol. */
  | 'klp-rela-to-ordinary-symbol'
  /** Post-link: a relocation the conversion retyped R_*_NONE has no klp relocation at its site. */
  | 'disabled-without-replacement';

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

/** Relocations that describe others rather than relocate code: KLP_SYMPOS tables, post-link entries. */
const describesRelocations = (base: string): boolean => base.startsWith(MODULE_RELOCS_PREFIX) || isKlpRelocsSection(base);


/** Checks a converted module against its input. An empty list means every rule holds. */
export function checkConversion(input: Uint8Array, output: Uint8Array, inputs: ConversionInputs): Violation[] {
  const before = readElf(input);
  const after = readElf(output);
  const exported = exportedNames(inputs.symbols);
  const violations: Violation[] = [];

  const beforeSyms = decodeSymbols(before, symtabIndex(before));
  const required = new Map<string, RelocSite & { symbol: string; count: number }>();
  for (const { sec, base, relocs } of relocSites(before)) {
    if (sec.name.startsWith(KLP_RELA_PREFIX) || describesRelocations(base)) continue;
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
  const postLink = inputs.dialect === 'post-link';
  for (const { sec, base, relocs } of relocSites(after)) {
    const klp = sec.name.startsWith(KLP_RELA_PREFIX) && (sec.flags & SHF_RELA_LIVEPATCH) !== 0n;
    const kept = postLink && isKlpRelocsSection(base);
    relocs.forEach((r, k) => {
      const sym = afterSyms[r.symbol];
      const livepatch = sym !== undefined && r.symbol !== 0 && sym.shndx === SHN_LIVEPATCH;
      const disabled = postLink && r.type === R_NONE;
      if (!klp && livepatch && !kept && !disabled) {
        violations.push({ rule: 'ordinary-rela-to-livepatch-symbol', detail: `${sec.name}[${k}] at ${base}+0x${r.offset.toString(16)} refers to livepatch symbol '${sym!.name}'` });
      }
      // A weak undefined tombstone would load, as address 0: the original must be disabled.
      if (!klp && !kept && !disabled && postLink && sym?.shndx === SHN_UNDEF && loaderCannotResolve(sym, r.symbol, inputs, exported)) {
        violations.push({ rule: 'unconverted-relocation', detail: `${sec.name}[${k}] at ${base}+0x${r.offset.toString(16)} to '${sym.name}' is still live (not R_*_NONE)` });
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
  if (postLink) violations.push(...disabledWithoutReplacement(before, after));
  return violations;
}

/**
 * Post-link retypes a relocation R_*_NONE only where a klp relocation takes its place: one
 * disabled anywhere else leaves the code it relocated unrelocated. Sections keep their names
 * and their relocations' order, so the input's k-th relocation of a section is the output's.
 */
function disabledWithoutReplacement(before: ElfObject, after: ElfObject): Violation[] {
  const replaced = new Set<string>();
  for (const { sec, base, relocs } of relocSites(after)) {
    if (sec.name.startsWith(KLP_RELA_PREFIX) && (sec.flags & SHF_RELA_LIVEPATCH) !== 0n) for (const r of relocs) replaced.add(`${base}\0${r.offset}`);
  }
  const original = new Map(relocSites(before).map((x) => [x.sec.name, x.relocs]));
  const out: Violation[] = [];
  for (const { sec, base, relocs } of relocSites(after)) {
    const was = original.get(sec.name);
    relocs.forEach((r, k) => {
      const prior = was?.[k];
      if (r.type !== R_NONE || prior === undefined || prior.type === R_NONE || replaced.has(`${base}\0${r.offset}`)) return;
      out.push({ rule: 'disabled-without-replacement', detail: `${sec.name}[${k}] at ${base}+0x${r.offset.toString(16)} (type ${prior.type}) was retyped R_*_NONE, and no klp relocation replaces it` });
    });
  }
  return out;
}
