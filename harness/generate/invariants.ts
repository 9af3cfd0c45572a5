// What must hold of any conversion, without a reference to compare with: the kernel's rules for a
// livepatch module, read off the input and output objects through the shared ELF model.
import { SHF_RELA_LIVEPATCH, SHN_LIVEPATCH, SHN_UNDEF } from '../../src/elf/constants.js';
import type { ElfObject, Reloc, Symbol } from '../../src/elf/model.js';
import { readElf } from '../../src/elf/read.js';
import { decodeRelocs, isRelocSection } from '../../src/elf/relocs.js';
import { decodeSymbols, symtabIndex } from '../../src/elf/symbols.js';
import { bytesToLatin1 } from '../../src/elf/strings.js';
import type { Dialect } from '../../src/klp/plan.js';

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
const ANNOTATED_PREFIX = '.klp.sym.rela.';

/** Names symbols.klp marks exported (`__ksymtab_X` under any object). */
export function exportedNames(symbols: Uint8Array | undefined): Set<string> {
  const out = new Set<string>();
  if (!symbols) return out;
  for (const raw of bytesToLatin1(symbols).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('__ksymtab_')) out.add(line.slice('__ksymtab_'.length));
  }
  return out;
}

/** Whether the module loader is unable to resolve relocations to `sym`: they must become klp relocations. */
export function loaderCannotResolve(sym: Symbol, index: number, inputs: ConversionInputs, exported: ReadonlySet<string>): boolean {
  if (index === 0 || sym.shndx !== SHN_UNDEF) return false;
  if (inputs.dialect === 'annotation') return sym.name.startsWith(ANNOTATED_PREFIX);
  return sym.name !== '.TOC.' && !exported.has(sym.name);
}

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
