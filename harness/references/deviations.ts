// The deviations the C klp-convert builds share, each a small pure transformation on the shared
// ELF model, the plan or the outcome. A reference model (v7.ts, minimal.ts, …) picks the ones its
// build has and names them. Where a deviation stands in for one of our refusals it checks the
// kernel rule itself, from the input, rather than trusting our converter's reason: a new bug of
// ours that refuses a legal relocation must not be explained away.
import {
  ByteReader, ByteWriter, decodeRelocs, decodeSymbols, type ElfObject, encodeRelocs, encodeSymbols,
  SHF_INFO_LINK, SHN_LORESERVE, SHN_UNDEF, SHT_GROUP, SHT_REL, SHT_RELA, SHT_SYMTAB, SHT_SYMTAB_SHNDX,
  type Symbol, symtabIndex,
} from '../../src/elf/index.js';
import {
  checkObjname, klpRelaSectionName, type KlpSectionPlan, livepatchSymbolName, parseSymbolsFile,
  readAnnotations, type SymbolsList, type SymposAnnotation, loaderCannotResolve } from '../../src/klp/index.js';
import type { Deviation, ModelState, Phase, Prediction } from './deviation.js';

type Spec = Omit<Deviation, 'id' | 'divergence' | 'does' | 'cases'>;
/** What a reference model says about one deviation: its id, row, words and cases. */
export type Named = Pick<Deviation, 'id' | 'divergence' | 'does' | 'cases'>;
/** A deviation: what a model says of it (id, row, words, cases) and what it does. */
export const deviation = (named: Named, spec: Spec): Deviation => ({ ...named, ...spec });

const RELA_PREFIX = '.rela';
const KLP_RELA = '.klp.rela.';
const MODULE_RELOCS = '.klp.module_relocs.';

/** The first section (after the null one) with this name: how the C tools find sections. */
export function firstNamed(obj: ElfObject, name: string): number {
  for (let i = 1; i < obj.sections.length; i++) if (obj.sections[i]!.name === name) return i;
  return -1;
}

/** The section a `.rela<name>` section relocates, as the C tools find it: by its name. */
export const baseNameOf = (relaName: string): string => relaName.slice(RELA_PREFIX.length);

// ── the header ─────────────────────────────────────────────────────────────────────────────

/** The writer makes a fresh ELF header: class, data, machine, type and version survive. */
export function freshHeader(named: Named, opts: { keepsFlags: boolean }): Deviation {
  return deviation(named, {
    output(out) {
      const h = out.header;
      const flags = opts.keepsFlags ? h.flags : 0;
      const pad = new Uint8Array(h.ident.pad.length);
      const changed = flags !== h.flags || h.ident.osabi !== 0 || h.ident.abiversion !== 0 || h.entry !== 0n || h.ident.pad.some((b) => b !== 0);
      out.header = { ...h, flags, entry: 0n, ident: { ...h.ident, osabi: 0, abiversion: 0, pad } };
      return changed;
    },
  });
}

// ── relocation sections ────────────────────────────────────────────────────────────────────

/** `struct rela { … int addend; }`: every RELA section it writes carries 32-bit addends. */
export function addendsTruncated(named: Named): Deviation {
  return deviation(named, {
    output(out) {
      if (!out.header.ident.is64) return false;
      let changed = false;
      for (const sec of out.sections) {
        if (sec.type !== SHT_RELA) continue;
        const relocs = decodeRelocs(out.header.ident, sec);
        if (!relocs.some((r) => BigInt.asIntN(32, r.addend) !== r.addend)) continue;
        sec.data = encodeRelocs(out.header.ident, SHT_RELA, relocs.map((r) => ({ ...r, addend: BigInt.asIntN(32, r.addend) })));
        changed = true;
      }
      return changed;
    },
  });
}

/**
 * elf.c finds a rela section's base by its name (the first section named like it without
 * `.rela`) and rewrites sh_info and sh_link (`.symtab`, by name) of every RELA section from that,
 * so same-named bases (one `__patchable_function_entries` per function, say) all point at the
 * first. A rela section whose name names no section stops it when reading.
 */
export function relaHeadersByName(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'read' || !s.original) return undefined;
      const obj = s.original;
      for (const sec of obj.sections) {
        if (sec.type !== SHT_RELA || sec.name.length < RELA_PREFIX.length) continue;
        if (firstNamed(obj, baseNameOf(sec.name)) < 0) {
          return { kind: 'reject', errorKind: 'bad-elf', subject: sec.name, reason: `can't find base section for rela section ${sec.name}` };
        }
      }
      return undefined;
    },
    output(out, s) {
      const orig = s.original!;
      const map = s.outputIndex!;
      const symtab = firstNamed(out, '.symtab');
      let changed = false;
      // Only a value that is the correct one (the input's, renumbered) becomes the reference's: a
      // wrong value of ours stays wrong, and shows.
      orig.sections.forEach((was, i) => {
        const o = map[i]!;
        if (i === 0 || o < 0 || was.type !== SHT_RELA) return;
        const sec = out.sections[o]!;
        if (symtab >= 0 && sec.link === (map[was.link] ?? -1) && sec.link !== symtab) {
          sec.link = symtab;
          changed = true;
        }
        const byName = firstNamed(out, baseNameOf(sec.name));
        if (byName >= 0 && sec.info === (map[was.info] ?? -1) && sec.info !== byName) {
          sec.info = byName;
          changed = true;
        }
      });
      // The sections the conversion made take .symtab by name too.
      out.sections.forEach((sec, i) => {
        if (sec.type === SHT_RELA && !map.includes(i) && symtab >= 0 && sec.link !== symtab) {
          sec.link = symtab;
          changed = true;
        }
      });
      return changed;
    },
  });
}

/**
 * The plan's klp rela sections as the references find them, by name: sections whose names come out
 * equal and whose bases are different sections of one name are merged into the first, which then
 * relocates the first section of that name. Two klp sections for one and the same base are never
 * made by a correct conversion, so they are left as they are: the reference cannot explain them.
 */
function regroupByName(s: ModelState, nameOf: (objname: string, baseName: string) => string): boolean {
  const obj = s.working!;
  const plan = s.plan!;
  const groups = new Map<string, KlpSectionPlan[]>();
  const order: string[] = [];
  const baseNames = new Map<KlpSectionPlan, string>();
  for (const k of plan.klpSections) {
    const first = k.relocs[0];
    const baseName = first ? baseNameOf(obj.sections[first.section]!.name) : (obj.sections[k.base]?.name ?? '');
    baseNames.set(k, baseName);
    const name = nameOf(k.objname, baseName);
    if (!groups.has(name)) {
      groups.set(name, []);
      order.push(name);
    }
    groups.get(name)!.push(k);
  }
  let changed = false;
  const out: KlpSectionPlan[] = [];
  for (const name of order) {
    const group = groups.get(name)!;
    const bases = new Set(group.map((k) => k.base));
    if (bases.size !== group.length) {
      out.push(...group);
      continue;
    }
    const baseName = baseNames.get(group[0]!)!;
    const byName = firstNamed(obj, baseName);
    const base = byName >= 0 ? byName : group[0]!.base;
    const relocs = group.flatMap((k) => k.relocs).sort((a, b) => a.section - b.section || a.index - b.index);
    if (group.length > 1 || name !== group[0]!.name || base !== group[0]!.base) changed = true;
    out.push({ ...group[0]!, name, base, relocs, added: group.flatMap((k) => k.added) });
  }
  plan.klpSections = out;
  return changed;
}

/**
 * The klp rela section of a relocation is named from its rela section's name and found again by
 * that name, its base by name too: relocations of two same-named sections share one klp section,
 * which relocates the first of them.
 */
export function klpSectionsByName(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      return regroupByName(s, (objname, baseName) => klpRelaSectionName(s.dialect, objname, baseName));
    },
  });
}

/** `.klp.rela.<lpobj><base>`: no dot is put between an object and a base without one. */
export function klpNamesRunTogether(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      return regroupByName(s, (objname, baseName) => `${KLP_RELA}${objname}${baseName}`);
    },
  });
}

// ── what is converted ──────────────────────────────────────────────────────────────────────

/**
 * elf.c gives a symbol a section only for 0 < st_shndx < SHN_LORESERVE, so SHN_ABS, SHN_COMMON
 * and SHN_XINDEX symbols look undefined: converted when symbols.klp lists them, "missing"
 * otherwise. Modelled by making them undefined for our plan and putting back those not converted.
 */
export function reservedIndexUndefined(named: Named): Deviation {
  return deviation(named, {
    input(s) {
      const obj = s.working!;
      const t = symtabIndex(obj);
      if (t < 0) return false;
      const symbols = decodeSymbols(obj, t);
      const looksUndefined = (sym: Symbol, i: number): boolean => i > 0 && sym.shndx !== SHN_UNDEF && (sym.xindex || sym.shndx >= SHN_LORESERVE);
      const referenced = new Set<number>();
      for (const sec of obj.sections) {
        if (sec.type !== SHT_RELA || sec.link !== t || sec.name.startsWith(KLP_RELA)) continue;
        for (const r of decodeRelocs(obj.header.ident, sec)) if (symbols[r.symbol] && looksUndefined(symbols[r.symbol]!, r.symbol)) referenced.add(r.symbol);
      }
      if (referenced.size === 0) return false;
      const saved = [...referenced].map((i) => ({ i, shndx: symbols[i]!.shndx, xindex: symbols[i]!.xindex, name: symbols[i]!.name }));
      for (const { i } of saved) symbols[i] = { ...symbols[i]!, shndx: SHN_UNDEF, xindex: false };
      encodeSymbols(obj, t, symbols);
      s.restores.push((out) => {
        const ot = symtabIndex(out);
        const outSyms = decodeSymbols(out, ot);
        // Only symbols of removed sections are ever dropped, never these: they keep their order.
        const newIndex = symbolIndexMap(s);
        let touched = false;
        for (const v of saved) {
          const at = newIndex[v.i] ?? -1;
          const o = outSyms[at];
          if (o && o.shndx === SHN_UNDEF && o.name === v.name) {
            outSyms[at] = { ...o, shndx: v.shndx, xindex: v.xindex };
            touched = true;
          }
        }
        if (touched) encodeSymbols(out, ot, outSyms);
      });
      return true;
    },
  });
}

/**
 * Sections the kernel applies while loading a module, before the livepatch core resolves klp
 * relocations (kernel/module/main.c module_finalize and the arch's; for a module object,
 * `__jump_table` too): the list is this harness's own, from the kernel sources, not the converter's.
 */
const LOAD_TIME_SECTIONS = new Set([
  '.altinstructions', '.altinstr_aux', '.parainstructions', '.smp_locks', '.static_call_sites', '.retpoline_sites',
  '.return_sites', '.call_sites', '.ibt_endbr_seal', '__ftr_fixup', '__mmu_ftr_fixup', '__fw_ftr_fixup', '__lwsync_fixup',
]);

/** No refusal of relocations from load-time sections: they are converted like any other. */
export function convertsLoadTimeSections(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      const plan = s.plan!;
      const obj = s.working!;
      const objnameOf = new Map(plan.conversions.map((c) => [c.oldName, c.objname]));
      const legit = (section: string | undefined, symbol: string | undefined): boolean => {
        const rela = obj.sections.find((x) => x.type === SHT_RELA && x.name === section);
        const base = rela ? obj.sections[rela.info]?.name : undefined;
        if (base === undefined || symbol === undefined) return false;
        if (LOAD_TIME_SECTIONS.has(base)) return true;
        return base === '__jump_table' && objnameOf.get(symbol) !== undefined && objnameOf.get(symbol) !== 'vmlinux';
      };
      const kept = plan.refusals.filter((e) => !(e.kind === 'unsupported-section' && legit(e.where.section, e.where.symbol)));
      const changed = kept.length !== plan.refusals.length;
      plan.refusals = kept;
      return changed;
    },
  });
}

/** Only SHT_RELA sections are scanned: SHT_REL relocations stay as they are. */
export function ignoresRel(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      const plan = s.plan!;
      const obj = s.working!;
      const isRel = (name: string | undefined): boolean => obj.sections.some((x) => x.type === SHT_REL && x.name === name);
      const kept = plan.refusals.filter((e) => !(e.kind === 'unsupported-relocation' && isRel(e.where.section)));
      const changed = kept.length !== plan.refusals.length;
      plan.refusals = kept;
      return changed;
    },
  });
}

/** A module's klp rela section naming a vmlinux symbol is converted like any other. */
export function convertsVmlinuxSymbolsForModules(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      const plan = s.plan!;
      // The rule checked from the symbol's own name: .klp.sym.rela.<lpobj>.vmlinux.<name>,<pos>, lpobj ≠ vmlinux.
      const moduleToVmlinux = (symbol: string | undefined): boolean => {
        const m = /^\.klp\.sym\.rela\.([^.]+)\.vmlinux\.[^,]+,\d+$/.exec(symbol ?? '');
        return m !== null && m[1] !== 'vmlinux';
      };
      const kept = plan.refusals.filter((e) => !(e.kind === 'bad-annotation' && moduleToVmlinux(e.where.symbol) && e.where.section !== undefined));
      const changed = kept.length !== plan.refusals.length;
      plan.refusals = kept;
      return changed;
    },
  });
}

// ── KLP_SYMPOS annotations ─────────────────────────────────────────────────────────────────

/**
 * How the symbols-list builds read `.klp.module_relocs.<obj>`: entries are a packed
 * `{ 64-bit field, u32 sympos }` of 12 bytes whatever the target, matched to the relocations of
 * the RELA section named `.rela<name>` in order; without that section they dereference NULL.
 */
function firstAnnotationProblem(obj: ElfObject): { cause: 'crash' | 'beyond' | 'mismatch'; section: string } | undefined {
  const lastRela = new Map<number, number>();
  obj.sections.forEach((sec, i) => {
    if (sec.type !== SHT_RELA) return;
    const base = firstNamed(obj, baseNameOf(sec.name));
    if (base >= 0) lastRela.set(base, i);
  });
  for (let i = 1; i < obj.sections.length; i++) {
    const sec = obj.sections[i]!;
    if (!sec.name.startsWith(MODULE_RELOCS) || sec.name.length === MODULE_RELOCS.length) continue;
    const relaIndex = lastRela.get(i);
    if (relaIndex === undefined) return { cause: 'crash', section: sec.name };
    const rela = obj.sections[relaIndex]!;
    const count = decodeRelocs(obj.header.ident, rela).length;
    const entries = Math.floor(sec.data.length / 12);
    if (count > entries) return { cause: 'beyond', section: rela.name };
    if (count < entries) return { cause: 'mismatch', section: rela.name };
  }
  return undefined;
}

export function annotationEntriesOf12Bytes(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'annotations' || !s.working) return undefined;
      const p = firstAnnotationProblem(s.working);
      if (!p || p.cause === 'crash') return undefined;
      const reason = p.cause === 'beyond' ? `section ${p.section} length beyond nr_entries` : `nr_entries mismatch for ${p.section}`;
      return { kind: 'reject', errorKind: 'bad-annotation', subject: p.section, reason };
    },
  });
}

export function crashesWithoutRelaAnnotations(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'annotations' || !s.working) return undefined;
      const p = firstAnnotationProblem(s.working);
      return p?.cause === 'crash' ? { kind: 'crash', signal: 'SIGSEGV', reason: `${p.section} has no RELA section to read its symbols from` } : undefined;
    },
  });
}

/**
 * The symbol whose KLP_SYMPOS a C reference refuses first. It checks an annotation only when its
 * scan meets the first relocation to the symbol (rela sections and their entries in file order),
 * where our planner checks them all up front: with several bad annotations the two name different
 * symbols. Undefined when the scan stops for another reason first (a name missing from, or
 * ambiguous in, symbols.klp), or meets no bad annotation.
 */
function firstBadSymposMet(obj: ElfObject, symbolsFile: Uint8Array | undefined): string | undefined {
  if (!symbolsFile) return undefined;
  let symbols: Symbol[];
  let annotations: SymposAnnotation[];
  let list: SymbolsList;
  try {
    symbols = decodeSymbols(obj, symtabIndex(obj));
    annotations = readAnnotations(obj, symbols).annotations;
    list = parseSymbolsFile(symbolsFile);
  } catch {
    return undefined;
  }
  // Its list is built by list_add, so the last annotation of a name is the one it finds.
  const byName = new Map(annotations.map((a) => [a.name, a]));
  const count = (objname: string, name: string): number => list.objects.get(objname)?.get(name) ?? 0;
  const valid = (a: SymposAnnotation): boolean => (a.sympos === 0 ? count(a.objname, a.name) === 1 : a.sympos <= count(a.objname, a.name));
  const converted = new Set<string>();
  for (const sec of obj.sections) {
    if (sec.type !== SHT_RELA || sec.name.startsWith(KLP_RELA) || obj.sections[sec.info]?.name.startsWith(MODULE_RELOCS)) continue;
    for (const r of decodeRelocs(obj.header.ident, sec)) {
      const sym = symbols[r.symbol];
      if (!sym || !loaderCannotResolve(sym, r.symbol, { dialect: 'symbols' }, list.exported) || converted.has(sym.name)) continue;
      const a = byName.get(sym.name);
      if (a && !valid(a)) return sym.name;
      if (!a && (list.byName.get(sym.name) ?? []).reduce((n, h) => n + h.count, 0) !== 1) return undefined;
      converted.add(sym.name);
    }
  }
  return undefined;
}

/** v4/v5 read the sympos of big-endian objects without converting them: 2 reads as 0x2000000. */
export function symposInHostOrder(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'annotations' || !s.working || s.working.header.ident.littleEndian) return undefined;
      const name = firstBadSymposMet(s.working, s.symbols);
      return name === undefined ? undefined : { kind: 'reject', errorKind: 'bad-sympos', subject: name, reason: `KLP_SYMPOS of '${name}' read in the host's byte order names no symbol` };
    },
    input(s) {
      const obj = s.working!;
      if (obj.header.ident.littleEndian) return false;
      let changed = false;
      for (const sec of obj.sections) {
        if (!sec.name.startsWith(MODULE_RELOCS) || sec.data.length < 12) continue;
        const data = new Uint8Array(sec.data);
        for (let o = 8; o + 4 <= data.length; o += 12) {
          data.set([data[o + 3]!, data[o + 2]!, data[o + 1]!, data[o]!], o);
        }
        sec.data = data;
        changed = true;
      }
      return changed;
    },
  });
}

/** `char pos[4]`: sympos 1000–9999 is cut to three digits, 10000 and up stop the renaming. */
export function symposInFourBytes(named: Named): Deviation {
  return deviation(named, {
    plan(s) {
      let changed = false;
      for (const c of s.plan!.conversions) {
        if (c.sympos < 1000 || c.sympos > 9999 || c.newName !== livepatchSymbolName(c.objname, c.name, c.sympos)) continue;
        c.newName = livepatchSymbolName(c.objname, c.name, Number(String(c.sympos).slice(0, 3)));
        changed = true;
      }
      return changed;
    },
    predict(s, phase) {
      if (phase !== 'rename' || !s.plan) return undefined;
      // Renamed last-converted first (a list built by list_add).
      const big = [...s.plan.conversions].reverse().find((c) => c.sympos > 9999);
      return big ? { kind: 'reject', errorKind: 'bad-sympos', subject: big.name, reason: `sympos ${big.sympos} does not fit in three digits` } : undefined;
    },
  });
}

// ── what the writer leaves alone ───────────────────────────────────────────────────────────

/**
 * Only relocation sections, `.symtab` and the string tables are rebuilt; every other section keeps
 * its header's sh_link and sh_info and its contents as read, so after the annotation sections are
 * removed, group member lists and signatures, SHF_LINK_ORDER links, SYMTAB_SHNDX contents and
 * SHT_REL entries name what used to be there. A group's sh_link is set to `.symtab`.
 */
export function staleLinks(named: Named): Deviation {
  return deviation(named, {
    output(out, s) {
      const orig = s.original!;
      const map = s.outputIndex!;
      const symtab = firstNamed(out, '.symtab');
      const renumber = (v: number): number => (v === 0 ? 0 : (map[v] ?? -1));
      const symbols = symbolIndexMap(s);
      let changed = false;
      orig.sections.forEach((was, i) => {
        const o = map[i]!;
        if (i === 0 || o < 0) return;
        const sec = out.sections[o]!;
        if (was.type === SHT_RELA || was.type === SHT_SYMTAB || sec.name === '.strtab' || o === out.shstrndx) return;
        // Each field becomes the reference's stale value only where ours is the correct renumbering.
        const link = was.type === SHT_GROUP && symtab >= 0 ? symtab : was.link;
        if (sec.link !== link && sec.link === renumber(was.link)) {
          sec.link = link;
          changed = true;
        }
        const correctInfo = infoNamesSection(was) ? renumber(was.info) : was.type === SHT_GROUP ? (symbols[was.info] ?? -1) : was.info;
        if (sec.info !== was.info && sec.info === correctInfo) {
          sec.info = was.info;
          changed = true;
        }
        if (was.type === SHT_GROUP && !sameBytes(sec.data, was.data) && sameBytes(sec.data, renumberedGroup(out, was, map))) {
          sec.data = was.data;
          sec.size = was.data.length;
          changed = true;
        }
        if ((was.type === SHT_SYMTAB_SHNDX || was.type === SHT_REL) && !sameBytes(sec.data, was.data)) {
          sec.data = was.data;
          sec.size = was.data.length;
          changed = true;
        }
      });
      return changed;
    },
  });
}

/** For each symbol of the input, its index in the output: symbols of removed sections are dropped. */
function symbolIndexMap(s: ModelState): number[] {
  const orig = s.original!;
  const t = symtabIndex(orig);
  if (t < 0) return [];
  let next = 0;
  return decodeSymbols(orig, t).map((sym, i) => {
    const gone = i > 0 && !sym.xindex && sym.shndx > 0 && sym.shndx < SHN_LORESERVE && s.plan!.removeSections.has(sym.shndx);
    return gone ? -1 : next++;
  });
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, k) => x === b[k]);
const infoNamesSection = (sec: { type: number; flags: bigint }): boolean => sec.type === SHT_REL || (sec.flags & SHF_INFO_LINK) !== 0n;

/** A group's member list as a correct conversion writes it: members renumbered, removed ones dropped. */
function renumberedGroup(out: ElfObject, was: { data: Uint8Array }, map: readonly number[]): Uint8Array {
  const le = out.header.ident.littleEndian;
  const r = new ByteReader(was.data, le);
  const words = [r.u32(0)];
  for (let o = 4; o + 4 <= was.data.length; o += 4) {
    const n = map[r.u32(o)] ?? -1;
    if (n >= 0) words.push(n);
  }
  const w = new ByteWriter(words.length * 4, le);
  words.forEach((v, k) => w.u32(k * 4, v));
  return w.bytes;
}

// ── what the reader takes, and where it fails late ─────────────────────────────────────────

/** Section headers read by hand: our reader refuses the very thing this deviation is about. */
function sectionHeaderAlignments(bytes: Uint8Array): Array<{ at: number; value: bigint; is64: boolean; le: boolean }> {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45) return [];
  const is64 = bytes[4] === 2;
  const le = bytes[5] === 1;
  const r = new ByteReader(bytes, le);
  try {
    const shoff = Number(is64 ? r.u64(40) : BigInt(r.u32(32)));
    const shentsize = r.u16(is64 ? 58 : 46);
    const shnum = r.u16(is64 ? 60 : 48);
    const out: Array<{ at: number; value: bigint; is64: boolean; le: boolean }> = [];
    for (let i = 1; i < shnum; i++) {
      const at = shoff + i * shentsize + (is64 ? 48 : 32);
      out.push({ at, value: is64 ? r.u64(at) : BigInt(r.u32(at)), is64, le });
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * The writer looks the section-name string table up by the name `.shstrtab`, not by e_shstrndx.
 * LLVM's integrated assembler (clang -c) keeps section and symbol names in one `.strtab`, so the
 * reference converts such an object and then stops, writing nothing. (`ld.lld -r`, which makes
 * every .ko, writes a `.shstrtab` of its own.)
 */
export function findsShstrtabByName(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'write' || !s.original || firstNamed(s.original, '.shstrtab') >= 0) return undefined;
      const table = s.original.sections[s.original.shstrndx]?.name ?? '?';
      return { kind: 'reject', errorKind: 'bad-elf', reason: `can't find .shstrtab (the section names are in ${table})` };
    },
  });
}

/** libelf lays out only power-of-two alignments: the reference converts, then elf_update fails. */
export function alignmentFailsAtWrite(named: Named): Deviation {
  return deviation(named, {
    bytes(s) {
      const bad = sectionHeaderAlignments(s.input).filter((a) => a.value !== 0n && (a.value & (a.value - 1n)) !== 0n);
      if (bad.length === 0) return false;
      const copy = new Uint8Array(s.input);
      for (const a of bad) {
        const w = new ByteWriter(a.is64 ? 8 : 4, a.le);
        w.word(0, a.is64, 1n);
        copy.set(w.bytes, a.at);
      }
      s.input = copy;
      const prediction: Prediction = { kind: 'reject', errorKind: 'internal', reason: 'elf_update failed: invalid section alignment' };
      s.pending.push({ phase: 'write', prediction, deviation: named.id });
      return true;
    },
  });
}

/** A name line before the first `*object` line: strdup of the NULL object name (SIGSEGV). */
export function crashesOnSymbolBeforeObject(named: Named): Deviation {
  return deviation(named, {
    predict(s, phase) {
      if (phase !== 'symbols' || !s.symbols) return undefined;
      const text = Buffer.from(s.symbols).toString('latin1');
      if (!text.startsWith('klp-convert-symbol-data.0.1')) return undefined;
      const first = text.indexOf('\n');
      if (first < 0 || first + 1 >= text.length) return undefined;
      // Every line counts, an empty one too: the C tool takes it as a name.
      return text[first + 1] === '*' ? undefined : { kind: 'crash', signal: 'SIGSEGV', reason: 'a symbol line before any *object line: strdup(NULL)' };
    },
  });
}

/**
 * Any `*name` line starts an object, whatever the name holds. Modelled by giving such objects
 * placeholder names our parser takes: a refusal comes out the same; an output that names the
 * object cannot, and says so by differing.
 */
export function takesAnyObjectName(named: Named): Deviation {
  return deviation(named, {
    bytes(s) {
      if (!s.symbols) return false;
      const text = Buffer.from(s.symbols).toString('latin1');
      let n = 0;
      const lines = text.split('\n').map((line, k) => {
        if (k === 0 || !line.startsWith('*')) return line;
        const name = line.endsWith('\r') ? line.slice(1, -1) : line.slice(1);
        return checkObjname(name) === undefined ? line : `*objname_${++n}`;
      });
      if (n === 0) return false;
      s.symbols = Buffer.from(lines.join('\n'), 'latin1');
      return true;
    },
  });
}

export type { Phase };
