// The deviations of `objtool klp post-link` (Linux 7.x), each a small transformation on the shared
// ELF model, the plan or the outcome, as deviations.ts holds those of the klp-convert builds.
// Where one stands in for a refusal of ours it re-reads the input itself: a new bug of ours that
// refuses a good entry must not be explained away.
import { decodeRelocs, decodeSymbols, type ElfObject, isRelocSection, type Reloc, SHN_UNDEF, symtabIndex } from '../../src/elf/index.js';
import {
  type AddedReloc, checkObjname, KLP_RELOCS_SECTION, klpRelaSectionName, klpRelocLayout, type KlpSectionPlan, parseKlpSymbolName,
} from '../../src/klp/index.js';
import type { Deviation, Prediction } from './deviation.js';
import { deviation, type Named } from './deviations.js';

/** objtool's `sizeof(struct klp_reloc)` on its 64-bit host, whatever the object's class. */
const HOST_ENTRY = 24;
const PREFIX = `${KLP_RELOCS_SECTION}.`;

/** The relocation section objtool takes for a section (`sec->rsec`): the last one read for it. */
function rsecOf(obj: ElfObject, base: number): number {
  let found = -1;
  obj.sections.forEach((s, i) => {
    if (isRelocSection(s) && s.info === base) found = i;
  });
  return found;
}

function relocAt(obj: ElfObject, rsec: number, offset: bigint): Reloc | undefined {
  if (rsec < 0) return undefined;
  return decodeRelocs(obj.header.ident, obj.sections[rsec]!).find((r) => r.offset === offset);
}

/**
 * objtool's walk over the `__klp_relocs.*` entries, as klp-post-link.c goes: where it stops, and
 * how. A missing pointer relocation is its "malformed" error; an entry whose original relocation
 * is not there (no relocation at target+addend, an offset past the section) is a NULL pointer it
 * dereferences; a second entry at one offset of one klp rela section (found by name) is its
 * "duplicate reloc" error.
 */
export function objtoolStop(obj: ElfObject): Prediction | undefined {
  const symtab = symtabIndex(obj);
  if (symtab < 0) return undefined;
  const symbols = decodeSymbols(obj, symtab);
  const taken = new Map<string, Set<bigint>>();
  for (const [index, sec] of obj.sections.entries()) {
    if (!sec.name.startsWith(PREFIX)) continue;
    const own = rsecOf(obj, index);
    for (let i = 0; i < Math.floor(sec.data.length / HOST_ENTRY); i++) {
      const offsetReloc = relocAt(obj, own, BigInt(i * HOST_ENTRY));
      const symReloc = relocAt(obj, own, BigInt(i * HOST_ENTRY + 8));
      if (!offsetReloc || !symReloc) return { kind: 'reject', errorKind: 'bad-klp-relocs', subject: sec.name, reason: `malformed ${sec.name} section` };
      const target = symbols[offsetReloc.symbol]?.shndx ?? SHN_UNDEF;
      const targetName = obj.sections[target]?.name ?? '';
      // objtool's offset is the addend alone: it never adds the symbol's value.
      const offset = offsetReloc.addend;
      const name = klpRelaSectionName('post-link', sec.name.slice(PREFIX.length), targetName);
      const seen = taken.get(name) ?? new Set<bigint>();
      if (seen.has(offset)) return { kind: 'reject', errorKind: 'bad-klp-relocs', subject: sec.name, reason: `${targetName}+0x${offset.toString(16)}: duplicate reloc` };
      seen.add(offset);
      taken.set(name, seen);
      if (!relocAt(obj, rsecOf(obj, target), offset)) {
        return { kind: 'crash', signal: 'SIGSEGV', reason: `entry ${i} of ${sec.name}: no relocation at ${targetName}+0x${offset.toString(16)}, and objtool dereferences the one it did not find` };
      }
    }
  }
  return undefined;
}

/** Where objtool stops on its own (a crash, a malformed entry, a duplicate): predicted from the input. */
export function stopsOnEntries(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      return phase === 'scan' && s.original ? objtoolStop(s.original) : undefined;
    },
  });
}

/**
 * objtool checks nothing of what an entry says: a KLP symbol whose name the livepatch core cannot
 * parse, a module's klp rela section naming a vmlinux symbol, an original relocation to a symbol
 * the module defines. We refuse those (the module never loads, or loads broken); objtool converts
 * them as they are, which is our plan without the refusal.
 */
export function convertsUncheckedEntries(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      const plan = s.plan!;
      const obj = s.original!;
      const symtab = symtabIndex(obj);
      const symbols = decodeSymbols(obj, symtab);
      const kept = plan.refusals.filter((e) => {
        if (e.kind !== 'bad-klp-relocs' || e.where.section === undefined) return true;
        // A section objname the kernel cannot parse (too long, empty, a control character).
        if (e.where.index === undefined) return !(e.where.section.startsWith(PREFIX) && checkObjname(e.where.section.slice(PREFIX.length)) !== undefined);
        const sec = obj.sections.findIndex((x) => x.name === e.where.section);
        if (sec < 0 || !obj.sections[sec]!.name.startsWith(PREFIX)) return true;
        const layout = klpRelocLayout(obj.header.ident.is64);
        const own = rsecOf(obj, sec);
        const symReloc = relocAt(obj, own, BigInt(e.where.index * layout.size + layout.sym));
        const offsetReloc = relocAt(obj, own, BigInt(e.where.index * layout.size + layout.offset));
        if (!symReloc || !offsetReloc) return true;
        const klpName = symbols[symReloc.symbol]?.name ?? '';
        const parsed = parseKlpSymbolName(klpName);
        const objname = obj.sections[sec]!.name.slice(PREFIX.length);
        if (typeof parsed === 'string') return false;
        if (objname !== 'vmlinux' && parsed.objname === 'vmlinux') return false;
        const target = symbols[offsetReloc.symbol]?.shndx ?? SHN_UNDEF;
        const original = relocAt(obj, rsecOf(obj, target), offsetReloc.addend);
        const tombstone = original ? symbols[original.symbol] : undefined;
        return !(tombstone && original!.symbol !== 0 && tombstone.shndx !== SHN_UNDEF);
      });
      const changed = kept.length !== plan.refusals.length;
      plan.refusals = kept;
      return changed;
    },
  });
}

/**
 * objtool finds a klp rela section again by its name: the entries of two target sections of one
 * name (COMDAT copies, say) go to one section, which relocates the first target it was made for.
 */
export function klpSectionsFoundByName(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      const plan = s.plan!;
      const byName = new Map<string, KlpSectionPlan>();
      const out: KlpSectionPlan[] = [];
      let changed = false;
      for (const k of plan.klpSections) {
        const first = byName.get(k.name);
        if (!first) {
          byName.set(k.name, k);
          out.push(k);
          continue;
        }
        changed = true;
        first.added = [...first.added, ...k.added].sort(entryOrder);
      }
      plan.klpSections = out;
      return changed;
    },
  });
}

const entryOrder = (a: AddedReloc, b: AddedReloc): number => a.from - b.from || a.entry - b.entry;

/**
 * Linux 7.x's post-link reads only `__klp_relocs.<objname>` sections: the single `__klp_relocs`
 * section of Linux 6.19 is left as it is, its entries unconverted. The model hides it from our
 * planner and gives it its name back in the output.
 */
export function ignoresSingleSection(named: Named): Deviation {
  const HIDDEN = `${KLP_RELOCS_SECTION}-hidden-by-model`;
  return deviation(named, {
    input(s) {
      const obj = s.working!;
      const hidden = obj.sections.filter((x) => x.name === KLP_RELOCS_SECTION);
      for (const sec of hidden) sec.name = HIDDEN;
      if (hidden.length > 0) {
        s.restores.push((out) => {
          for (const sec of out.sections) if (sec.name === HIDDEN) sec.name = KLP_RELOCS_SECTION;
        });
      }
      return hidden.length > 0;
    },
  });
}

/**
 * objtool walks `size / sizeof(struct klp_reloc)` entries: a trailing partial entry is ignored.
 * We refuse such a section; the model plans the whole entries and keeps the tail in the output.
 */
export function ignoresPartialEntry(named: Named): Deviation {
  return deviation(named, {
    input(s) {
      const obj = s.working!;
      let changed = false;
      for (const sec of obj.sections) {
        if (!sec.name.startsWith(PREFIX)) continue;
        const whole = sec.data.length - (sec.data.length % HOST_ENTRY);
        if (whole === sec.data.length) continue;
        const full = sec.data;
        sec.data = full.subarray(0, whole);
        sec.size = whole;
        changed = true;
        s.restores.push((out) => {
          const again = out.sections.find((x) => x.name === sec.name && x.data.length === whole);
          if (again) {
            again.data = full;
            again.size = full.length;
          }
        });
      }
      return changed;
    },
  });
}

/**
 * objtool reads struct klp_reloc's `type` straight from the section's bytes, in its host's byte
 * order: on a big-endian object (s390x) every klp relocation gets its type byte-swapped.
 */
export function typeInHostOrder(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      if (s.original!.header.ident.littleEndian) return false;
      let changed = false;
      for (const k of s.plan!.klpSections) {
        for (const r of k.added) {
          const swapped = (((r.type & 0xff) << 24) | ((r.type & 0xff00) << 8) | ((r.type >>> 8) & 0xff00) | (r.type >>> 24)) >>> 0;
          if (swapped !== r.type) changed = true;
          r.type = swapped;
        }
      }
      return changed;
    },
  });
}
