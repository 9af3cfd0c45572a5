// Livepatch scenarios as fast-check arbitraries: what a livepatch module refers to, from where, and
// what symbols.klp (or the annotation names, or the post-link `__klp_relocs` entries) say about it.
// A scenario is plain data; render.ts turns it into assembler, build.ts into an object. Everything
// a scenario implies (its symbols.klp, the outcome a correct converter must reach) is a pure
// function of it, so a shrunk scenario stays self-consistent.
import fc from 'fast-check';
import type { Arch } from '../case.js';
import { type Dialect, livepatchSymbolName } from '../../src/klp/index.js';

export const GENERATED_ARCHES = ['x86_64', 'aarch64', 'ppc64le', 'ppc64', 's390x', 'ppc32', 'i386'] as const satisfies readonly Arch[];

/**
 * The arches post-link scenarios are drawn from unless told otherwise: the 64-bit RELA targets of
 * livepatch. (klp-build itself is x86_64-only so far; the format and objtool's post-link are not.)
 */
export const POST_LINK_ARCHES = ['x86_64', 'aarch64', 'ppc64le', 'ppc64', 's390x'] as const satisfies readonly Arch[];

/** The dialects drawn by default: post-link is asked for, so that a seed's scenarios never change. */
export const DEFAULT_DIALECTS: readonly Dialect[] = ['symbols', 'annotation'];

/**
 * How the livepatch module sees a symbol.
 * - vmlinux / module: unresolved, defined once in that object (sympos 0).
 * - duplicate: unresolved, listed `count` times in its object; needs a sympos 1..count.
 * - homonym: unresolved, its name also exists in another object; needs an annotation naming the object.
 * - exported: unresolved, but the module loader resolves it (symbols.klp lists `__ksymtab_<name>`).
 * - local-func / local-data: defined in the livepatch module itself.
 * The last four are deliberate errors (at most one per scenario):
 * - unlisted: unresolved and absent from symbols.klp (missing-symbol);
 * - ambiguous: a duplicate without a sympos annotation (ambiguous-symbol);
 * - beyond: a duplicate annotated with sympos count + 1 (bad-sympos);
 * - malformed: annotation dialect, a `.klp.sym.rela.` name without `,<pos>` (bad-annotation);
 *   post-link dialect, a KLP symbol `.klp.sym.<objname>.<name>` without `,<pos>` (bad-klp-relocs).
 * In the post-link dialect every symbol that needs conversion is referenced through its tombstone
 * `.klp.tombstone.<name>` and gets one `__klp_relocs.<objname>` entry per relocation (render.ts).
 */
export type SymbolKind =
  | 'vmlinux' | 'module' | 'duplicate' | 'homonym' | 'exported' | 'local-func' | 'local-data'
  | 'unlisted' | 'ambiguous' | 'beyond' | 'malformed';

export const ERROR_KINDS = ['unlisted', 'ambiguous', 'beyond', 'malformed'] as const;
export type ErrorSymbolKind = (typeof ERROR_KINDS)[number];

export interface ScenarioSymbol {
  /** The C-level name (what kallsyms calls it). */
  name: string;
  kind: SymbolKind;
  /** The object that defines it: vmlinux or a module name (the livepatch module for locals). */
  objname: string;
  /** How many times symbols.klp lists the name in objname (≥ 2 for duplicates). */
  count: number;
  /** The kallsyms position the livepatch asks for (0 = unique in objname). */
  sympos: number;
  func: boolean;
  /** Symbols-list dialect: also annotate a unique symbol with KLP_SYMPOS(sym, 0). */
  annotate: boolean;
  /** Local-func / local-data: STB_GLOBAL rather than STB_LOCAL. */
  global: boolean;
}

/**
 * One reference from code or data. In text sections: `call` is a call, `address` a PC-relative
 * address load (one or two relocations depending on the arch), `absolute` an absolute address
 * load; in data sections every form is a pointer-sized word. `repeat` makes adjacent copies.
 */
export type RefForm = 'call' | 'address' | 'absolute';
export interface Ref {
  symbol: number;
  form: RefForm;
  addend: number;
  repeat: number;
}

export type SectionKind = 'text' | 'data' | 'rodata';
export interface ScenarioSection {
  name: string;
  kind: SectionKind;
  refs: Ref[];
}

/** `{pointer, u32}` entries of `.klp.module_relocs.*` on 32-bit targets: 8 bytes, or a u64 slot (12). */
export type SymposLayout = 'ptr' | 'u64';

export interface Scenario {
  arch: Arch;
  dialect: Dialect;
  /** The livepatch module's own name (its .modinfo name=). */
  module: string;
  symposLayout: SymposLayout;
  /** ppc64le / ppc64 ELFv2: functions start with the global entry prologue that uses `.TOC.`. */
  tocPrologue: boolean;
  symbols: ScenarioSymbol[];
  sections: ScenarioSection[];
  /** Names symbols.klp lists that the module does not use. */
  decoys: string[];
}

export const VMLINUX = 'vmlinux';
export const MODULE_OBJECTS = ['test_klp_mod', 'nfsd', 'ext4', 'xfs', 'btrfs', 'kvm', 'snd_hda_codec'] as const;
const LIVEPATCH_MODULES = ['livepatch_fix', 'test_klp_convert1', 'klp_cve_2019', 'livepatch_nfsd'] as const;

const VMLINUX_NAMES = [
  'saved_command_line', 'jiffies_64', 'cmdline_proc_show', 'meminfo_proc_show', 'do_exit', 'schedule_timeout',
  'vfs_read', 'kmem_cache_alloc', 'init_task', 'tick_do_update_jiffies64', 'update_process_times', 'klp_string',
  'state_show', 'version_proc_show', 'panic_notifier_list', 'sysctl_vals', 'init_nsproxy', 'cpu_number',
] as const;
const MODULE_NAMES = [
  'test_klp_get_arg', 'test_klp_mod_state', 'nfsd_dispatch', 'nfsd_proc_read', 'ext4_file_write_iter',
  'ext4_sb_info_cache', 'xfs_buf_read', 'btrfs_ioctl', 'kvm_vcpu_ioctl', 'snd_hda_codec_read', 'mod_table',
] as const;
const EXPORTED_NAMES = ['printk', '_printk', 'kfree', 'kmalloc', 'klp_enable_patch', 'snprintf', 'jiffies', 'mutex_lock', 'memcpy'] as const;
const LOCAL_NAMES = ['livepatch_cmdline_proc_show', 'livepatch_fix_table', 'lp_helper', 'lp_state', 'patched_ops', 'klp_objs'] as const;
const DECOY_NAMES = ['unused_helper', 'do_exit', 'vfs_write', 'lp_helper', 'nfsd_dispatch', 'kthread_stop', 'sys_call_table'] as const;

const TEXT_SECTIONS = ['.text', '.text.unlikely', '.text.hot', '.text.livepatch_cmdline_proc_show', '.text.lp_helper', '.init.text', '.exit.text', '.text.startup'] as const;
const DATA_SECTIONS = ['.data', '.data..ro_after_init', '.data..read_mostly', '.data.rel.local', '.data.klp_funcs'] as const;
const RODATA_SECTIONS = ['.rodata', '.rodata.lp_table', '.rodata.cst8'] as const;

export interface ScenarioConstraints {
  arches?: readonly Arch[];
  dialects?: readonly Dialect[];
  /** Leave out deliberate error scenarios (default: about one scenario in eleven is one). */
  noErrors?: boolean;
}

/** Constraints for post-link scenarios only, on POST_LINK_ARCHES unless `arches` says otherwise. */
export function postLinkConstraints(constraints: Omit<ScenarioConstraints, 'dialects'> = {}): ScenarioConstraints {
  return { ...constraints, arches: constraints.arches?.length ? constraints.arches : POST_LINK_ARCHES, dialects: ['post-link'] };
}

/** The arches a scenario is drawn from: those asked for, else POST_LINK_ARCHES for post-link alone, else all. */
export function constrainedArches(constraints: ScenarioConstraints): readonly Arch[] {
  if (constraints.arches?.length) return constraints.arches;
  const dialects = constraints.dialects ?? [];
  return dialects.length > 0 && dialects.every((d) => d === 'post-link') ? POST_LINK_ARCHES : GENERATED_ARCHES;
}

export const is64Bit = (arch: Arch): boolean => arch !== 'ppc32' && arch !== 'i386';
/** i386 objects carry SHT_REL, which the livepatch core cannot apply. */
export const usesRel = (arch: Arch): boolean => arch === 'i386';

const symbolArb = fc.record({
  kind: fc.constantFrom<SymbolKind>('vmlinux', 'vmlinux', 'module', 'duplicate', 'homonym', 'exported', 'local-func', 'local-data'),
  name: fc.nat(99),
  obj: fc.nat(MODULE_OBJECTS.length - 1),
  count: fc.integer({ min: 2, max: 4 }),
  pos: fc.nat(3),
  func: fc.boolean(),
  annotate: fc.boolean(),
  global: fc.boolean(),
});

const refArb = fc.record({
  symbol: fc.nat(15),
  form: fc.constantFrom<RefForm>('call', 'address', 'absolute'),
  addend: fc.constantFrom(0, 0, 0, 8, 16),
  repeat: fc.integer({ min: 1, max: 3 }),
});

const sectionArb = fc.record({
  kind: fc.constantFrom<SectionKind>('text', 'text', 'data', 'rodata'),
  name: fc.nat(99),
  refs: fc.array(refArb, { minLength: 1, maxLength: 5 }),
});

/** The scenario arbitrary. Shrinks towards fewer sections, refs and symbols, and x86_64. */
export function scenarioArbitrary(constraints: ScenarioConstraints = {}): fc.Arbitrary<Scenario> {
  const arches = constrainedArches(constraints);
  const dialects = constraints.dialects?.length ? constraints.dialects : DEFAULT_DIALECTS;
  const errorArb: fc.Arbitrary<ErrorSymbolKind | null> = constraints.noErrors
    ? fc.constant(null)
    : fc.oneof({ weight: 10, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...ERROR_KINDS) });
  return fc
    .record({
      arch: fc.constantFrom(...arches),
      dialect: fc.constantFrom(...dialects),
      module: fc.nat(LIVEPATCH_MODULES.length - 1),
      symposLayout: fc.constantFrom<SymposLayout>('ptr', 'u64'),
      tocPrologue: fc.boolean(),
      symbols: fc.array(symbolArb, { minLength: 1, maxLength: 6 }),
      sections: fc.array(sectionArb, { minLength: 1, maxLength: 4 }),
      error: errorArb,
      errorSection: fc.nat(3),
      decoys: fc.array(fc.nat(DECOY_NAMES.length - 1), { maxLength: 3 }),
    })
    .map((raw) => normalize(raw));
}

type Raw = {
  arch: Arch;
  dialect: Dialect;
  module: number;
  symposLayout: SymposLayout;
  tocPrologue: boolean;
  symbols: Array<{ kind: SymbolKind; name: number; obj: number; count: number; pos: number; func: boolean; annotate: boolean; global: boolean }>;
  sections: Array<{ kind: SectionKind; name: number; refs: Ref[] }>;
  error: ErrorSymbolKind | null;
  errorSection: number;
  decoys: number[];
};

/** Turns raw draws into a consistent scenario: unique names, valid indices, no unused symbols. */
function normalize(raw: Raw): Scenario {
  const { arch, dialect } = raw;
  const module = LIVEPATCH_MODULES[raw.module]!;
  const used = new Set<string>([module, 'init_module', 'cleanup_module', '__this_module']);
  const unique = (base: string): string => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  // Deliberate errors are kept to what a converter detects deterministically whatever else the
  // module holds; i386 (SHT_REL) gets none: its own refusal would come first or not, by layout.
  // A malformed name is the one error the annotation and post-link dialects can carry.
  let error = raw.error;
  if (error === 'malformed' && dialect === 'symbols') error = 'unlisted';
  if (error !== null && error !== 'malformed' && dialect !== 'symbols') error = 'malformed';
  if (usesRel(arch)) error = null;

  const drafts = raw.symbols.map((s) => ({ ...s }));
  if (error !== null) drafts.push({ kind: error, name: 0, obj: 0, count: 2, pos: 0, func: true, annotate: true, global: false });

  const symbols: ScenarioSymbol[] = drafts.map((d) => {
    const kind = d.kind;
    const pick = <T extends string>(pool: readonly T[]): string => unique(pool[d.name % pool.length]!);
    const moduleObj = MODULE_OBJECTS[d.obj]!;
    switch (kind) {
      case 'vmlinux':
        return sym(pick(VMLINUX_NAMES), kind, VMLINUX, 1, 0, d);
      case 'module':
        return sym(pick(MODULE_NAMES), kind, moduleObj, 1, 0, d);
      case 'duplicate': {
        const inVmlinux = d.obj % 2 === 0;
        return sym(pick(inVmlinux ? VMLINUX_NAMES : MODULE_NAMES), kind, inVmlinux ? VMLINUX : moduleObj, d.count, 1 + (d.pos % d.count), d);
      }
      case 'homonym':
        // Listed once in vmlinux and once in a module; the scenario wants one of the two.
        return sym(pick(VMLINUX_NAMES), kind, d.pos % 2 === 0 ? VMLINUX : moduleObj, 1, 0, d);
      case 'exported':
        return sym(pick(EXPORTED_NAMES), kind, VMLINUX, 1, 0, d);
      case 'local-func':
        return { ...sym(pick(LOCAL_NAMES), kind, module, 1, 0, d), func: true };
      case 'local-data':
        return { ...sym(pick(LOCAL_NAMES), kind, module, 1, 0, d), func: false };
      case 'unlisted':
        return sym(unique('klp_unlisted_sym'), kind, VMLINUX, 1, 0, d);
      case 'ambiguous':
        return sym(unique('klp_twice_sym'), kind, VMLINUX, 2, 0, d);
      case 'beyond':
        return sym(unique('klp_dup_sym'), kind, VMLINUX, 2, 3, d);
      case 'malformed':
        return sym(unique('klp_malformed_sym'), kind, VMLINUX, 1, 0, d);
    }
  });

  const sectionNames = new Set<string>();
  const sections: ScenarioSection[] = raw.sections.map((s) => {
    const pool = s.kind === 'text' ? TEXT_SECTIONS : s.kind === 'data' ? DATA_SECTIONS : RODATA_SECTIONS;
    let name: string = pool[s.name % pool.length]!;
    for (let i = 2; sectionNames.has(name); i++) name = `${pool[s.name % pool.length]}.${i}`;
    sectionNames.add(name);
    const base = raw.symbols.length;
    return { name, kind: s.kind, refs: s.refs.map((r) => ({ ...r, symbol: r.symbol % base })) };
  });
  if (error !== null) {
    const target = sections[raw.errorSection % sections.length]!;
    target.refs.push({ symbol: symbols.length - 1, form: 'call', addend: 0, repeat: 1 });
  }

  // Drop symbols no relocation refers to, renumbering the references.
  const referenced = new Set(sections.flatMap((s) => s.refs.map((r) => r.symbol)));
  const renumber = new Map<number, number>();
  const kept: ScenarioSymbol[] = [];
  symbols.forEach((s, i) => {
    if (!referenced.has(i)) return;
    renumber.set(i, kept.length);
    kept.push(s);
  });
  for (const s of sections) s.refs = s.refs.map((r) => ({ ...r, symbol: renumber.get(r.symbol)! }));

  const keptNames = new Set(kept.map((s) => s.name));
  const decoys = [...new Set(raw.decoys.map((d) => DECOY_NAMES[d]!))].filter((d) => !keptNames.has(d) || kept.some((s) => s.name === d && isLocal(s)));
  return {
    arch,
    dialect,
    module,
    symposLayout: is64Bit(arch) ? 'u64' : raw.symposLayout,
    tocPrologue: (arch === 'ppc64le' || arch === 'ppc64') && raw.tocPrologue,
    symbols: kept,
    sections,
    // Decoys are names symbols.klp lists; a post-link module has no symbols.klp.
    decoys: dialect === 'post-link' ? [] : decoys,
  };
}

function sym(name: string, kind: SymbolKind, objname: string, count: number, sympos: number, d: { func: boolean; annotate: boolean; global: boolean }): ScenarioSymbol {
  return { name, kind, objname, count, sympos, func: d.func, annotate: d.annotate, global: d.global };
}

export const isLocal = (s: Pick<ScenarioSymbol, 'kind'>): boolean => s.kind === 'local-func' || s.kind === 'local-data';

/** Unresolved symbols the module loader cannot resolve: what a converter must turn into livepatch symbols. */
export const needsConversion = (s: Pick<ScenarioSymbol, 'kind'>): boolean => !isLocal(s) && s.kind !== 'exported';

/** Symbols-list dialect: the symbols that get a KLP_SYMPOS entry in `.klp.module_relocs.<objname>`. */
export function annotatedSymbols(s: Scenario): ScenarioSymbol[] {
  if (s.dialect !== 'symbols') return [];
  return s.symbols.filter((x) => x.kind === 'duplicate' || x.kind === 'homonym' || x.kind === 'beyond' || ((x.kind === 'vmlinux' || x.kind === 'module') && x.annotate));
}

/**
 * The name the object file uses for a symbol: annotation-dialect unresolved symbols carry their
 * resolution, post-link ones are tombstones (their resolution is in the `__klp_relocs` entries).
 */
export function assemblerName(s: Scenario, x: ScenarioSymbol): string {
  if (!needsConversion(x)) return x.name;
  if (s.dialect === 'post-link') return tombstoneName(x);
  if (s.dialect !== 'annotation') return x.name;
  if (x.kind === 'malformed') return `.klp.sym.rela.${x.objname}.${x.objname}.${x.name}`;
  return `.klp.sym.rela.${x.objname}.${x.objname}.${x.name},${x.sympos}`;
}

/** Post-link: what `objtool klp diff` renames a symbol that needs conversion to, in the code. */
export const tombstoneName = (x: Pick<ScenarioSymbol, 'name'>): string => `.klp.tombstone.${x.name}`;

/**
 * Post-link: the KLP symbol an entry's `sym` field points at, `.klp.sym.<objname>.<name>,<sympos>`
 * (the malformed error leaves out `,<sympos>`).
 */
export function klpSymbolName(x: ScenarioSymbol): string {
  const name = livepatchSymbolName(x.objname, x.name, x.sympos);
  return x.kind === 'malformed' ? name.slice(0, name.lastIndexOf(',')) : name;
}

/**
 * symbols.klp for a symbols-list scenario: every object in a fixed order, each with its symbols,
 * duplicates listed `count` times with other names between them, `__ksymtab_X` for exported X.
 */
export function symbolsFile(s: Scenario): string {
  const objects = new Map<string, string[]>([[VMLINUX, []]]);
  const add = (obj: string, name: string): void => {
    const list = objects.get(obj) ?? [];
    list.push(name);
    objects.set(obj, list);
  };
  for (const x of s.symbols) {
    switch (x.kind) {
      case 'vmlinux':
      case 'module':
        add(x.objname, x.name);
        break;
      case 'duplicate':
      case 'ambiguous':
      case 'beyond':
        for (let i = 0; i < x.count; i++) {
          add(x.objname, x.name);
          add(x.objname, `${x.name}_part_${i}`);
        }
        break;
      case 'homonym':
        add(VMLINUX, x.name);
        add(x.objname === VMLINUX ? MODULE_OBJECTS[0] : x.objname, x.name);
        break;
      case 'exported':
        add(VMLINUX, x.name);
        add(VMLINUX, `__ksymtab_${x.name}`);
        break;
      case 'local-func':
      case 'local-data':
      case 'unlisted':
      case 'malformed':
        break;
    }
  }
  for (const d of s.decoys) add(VMLINUX, d);
  const lines = ['klp-convert-symbol-data.0.1'];
  const order = [VMLINUX, ...[...objects.keys()].filter((o) => o !== VMLINUX).sort()];
  for (const obj of order) {
    lines.push(`*${obj}`);
    lines.push(...objects.get(obj)!);
  }
  return `${lines.join('\n')}\n`;
}

/** The outcome a correct converter reaches: "convert", or the error kind it refuses the module with. */
export function expectedOutcome(s: Scenario): string {
  const err = s.symbols.find((x) => (ERROR_KINDS as readonly string[]).includes(x.kind));
  if (err) {
    if (s.dialect === 'post-link') return 'bad-klp-relocs';
    return { unlisted: 'missing-symbol', ambiguous: 'ambiguous-symbol', beyond: 'bad-sympos', malformed: 'bad-annotation' }[err.kind as ErrorSymbolKind];
  }
  // Post-link: the `__klp_relocs` relocations are SHT_REL there too, and carry no addend field.
  if (usesRel(s.arch) && s.symbols.some(needsConversion)) return 'unsupported-relocation';
  return 'convert';
}

/** Short tags of what the scenario exercises, for case.json `exercises`. */
export function exercises(s: Scenario): string[] {
  const tags = new Set<string>();
  for (const x of s.symbols) tags.add(x.kind === 'vmlinux' ? 'vmlinux-local' : x.kind === 'module' ? 'module-local' : x.kind);
  if (annotatedSymbols(s).length > 0) tags.add(`sympos-layout-${is64Bit(s.arch) ? 'u64' : s.symposLayout}`);
  if (s.tocPrologue) tags.add('toc');
  const { sharedSymbols, sharedAcrossSections } = sharing(s);
  if (sharedSymbols.length) tags.add('shared-symbol-same-section');
  if (sharedAcrossSections.length) tags.add('shared-symbol-across-sections');
  if (s.decoys.length) tags.add('decoys');
  if (s.dialect === 'post-link' && klpRelocsObjnames(s).length > 1) tags.add('klp-relocs-several-objects');
  if (expectedOutcome(s) !== 'convert') tags.add('error');
  return [...tags].sort();
}

/** Post-link: the objnames of the `__klp_relocs.<objname>` sections, in the order of the symbols. */
export function klpRelocsObjnames(s: Scenario): string[] {
  return [...new Set(s.symbols.filter(needsConversion).map((x) => x.objname))];
}

/** Converted symbols used by ≥ 2 relocations, and those used from ≥ 2 sections (by C name). */
export function sharing(s: Scenario): { sharedSymbols: string[]; sharedAcrossSections: string[] } {
  const uses = new Map<number, number>();
  const sections = new Map<number, Set<string>>();
  for (const sec of s.sections) {
    for (const r of sec.refs) {
      if (!needsConversion(s.symbols[r.symbol]!)) continue;
      uses.set(r.symbol, (uses.get(r.symbol) ?? 0) + r.repeat * (sec.kind === 'text' && r.form === 'address' ? 2 : 1));
      const set = sections.get(r.symbol) ?? new Set<string>();
      set.add(sec.name);
      sections.set(r.symbol, set);
    }
  }
  const names = (pred: (i: number) => boolean): string[] => [...uses.keys()].filter(pred).sort((a, b) => a - b).map((i) => s.symbols[i]!.name);
  return { sharedSymbols: names((i) => uses.get(i)! >= 2), sharedAcrossSections: names((i) => sections.get(i)!.size >= 2) };
}

/** One line describing the scenario, for case.json and progress output. */
export function summarize(s: Scenario): string {
  const syms = s.symbols.map((x) => `${x.kind}:${x.objname === VMLINUX ? '' : `${x.objname}:`}${x.name}${x.sympos ? `,${x.sympos}` : ''}`).join(' ');
  const secs = s.sections.map((sec) => `${sec.name}[${sec.refs.map((r) => `${r.symbol}${r.form[0]}${r.repeat > 1 ? `x${r.repeat}` : ''}`).join(',')}]`).join(' ');
  return `${s.arch} ${s.dialect}: ${syms} | ${secs}`;
}
