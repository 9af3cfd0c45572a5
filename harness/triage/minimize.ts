// Delta debugging (ddmin, Zeller & Hildebrandt 2002) of a case that diverges from the reference:
// first over its relocations, then its symbols, then its sections. Every candidate is the original
// object edited through the ELF layer (readElf → model edits → writeElf, read back to prove it is
// valid), and it is kept only when it still diverges the same way: same class, same differing
// sections (and, for refusals and crashes, the same kinds).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeRelocs, decodeSymbols, type ElfObject, encodeRelocs, encodeSymbols, isRelocSection,
  localSymbolCount, readElf, type Reloc, removeSections, SHT_GROUP, SHT_SYMTAB_SHNDX, type Symbol,
  symtabIndex, writeElf,
} from '../../src/elf/index.js';
import type { Case, CaseMeta } from '../case.js';
import { classify, oursOutcomeName, type Classification } from '../differential/classify.js';
import { HarnessError } from '../errors.js';
import type { ReferenceModel } from '../references/deviation.js';
import { runOurs } from '../differential/ours.js';
import { referenceErrorKind } from '../differential/reference-errors.js';
import { runReference, type ReferenceCommand } from '../differential/reference.js';
import { readInputFile, writeOutput } from '../../src/io/index.js';
import { writeCaseFiles } from '../case.js';

// ── ddmin ────────────────────────────────────────────────────────────────────────────────────

export interface DdminStats {
  /** Tests run (cache hits not counted). */
  tests: number;
}

/**
 * The 1-minimal subset of `items` (in their order) for which `test` still holds, assuming it holds
 * for `items`. `test` sees subsets in the original order; answers are cached by subset.
 */
export async function ddmin<T>(items: readonly T[], test: (subset: readonly T[]) => boolean | Promise<boolean>, stats: DdminStats = { tests: 0 }): Promise<T[]> {
  const index = new Map(items.map((item, i) => [item, i]));
  const cache = new Map<string, boolean>();
  const holds = async (subset: readonly T[]): Promise<boolean> => {
    const key = subset.map((x) => index.get(x)).join(',');
    let v = cache.get(key);
    if (v === undefined) {
      stats.tests++;
      v = await test(subset);
      cache.set(key, v);
    }
    return v;
  };
  let current = [...items];
  if (current.length === 0) return current;
  if (await holds([])) return [];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    let reduced = false;
    for (const chunk of chunks) {
      if (await holds(chunk)) {
        current = chunk;
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (let k = 0; k < chunks.length && n > 2; k++) {
        const complement = chunks.filter((_, j) => j !== k).flat();
        if (await holds(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(n * 2, current.length);
    }
  }
  return current;
}

/** `items` in n contiguous chunks of near-equal size. */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.floor((items.length - start) / (n - k));
    if (end > start) out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

// ── edits through the ELF layer ──────────────────────────────────────────────────────────────

/** A relocation, named by its section and its index there. */
export interface RelocItem {
  section: number;
  index: number;
}

export function relocItems(obj: ElfObject): RelocItem[] {
  const out: RelocItem[] = [];
  obj.sections.forEach((s, section) => {
    if (section > 0 && isRelocSection(s)) decodeRelocs(obj.header.ident, s).forEach((_, index) => out.push({ section, index }));
  });
  return out;
}

/** Keeps only the relocations in `keep`; relocation sections stay, possibly empty. */
export function keepRelocs(obj: ElfObject, keep: readonly RelocItem[]): void {
  const kept = new Map<number, Set<number>>();
  for (const r of keep) kept.set(r.section, (kept.get(r.section) ?? new Set()).add(r.index));
  obj.sections.forEach((s, section) => {
    if (section === 0 || !isRelocSection(s)) return;
    const set = kept.get(section) ?? new Set<number>();
    const relocs = decodeRelocs(obj.header.ident, s).filter((_, i) => set.has(i));
    s.data = encodeRelocs(obj.header.ident, s.type, relocs);
    s.size = s.data.length;
  });
}

/** Symbols that may go: not the null symbol, not a group signature. */
export function symbolItems(obj: ElfObject): number[] {
  const t = symtabIndex(obj);
  if (t < 0) return [];
  const signatures = new Set(obj.sections.filter((s) => s.type === SHT_GROUP && s.link === t).map((s) => s.info));
  return decodeSymbols(obj, t).map((_, i) => i).filter((i) => i > 0 && !signatures.has(i));
}

/**
 * Keeps only the symbols in `keep` (and the null symbol and group signatures). Relocations to a
 * dropped symbol go with it; the rest are renumbered; sh_info is recounted.
 */
export function keepSymbols(obj: ElfObject, keep: readonly number[]): void {
  const t = symtabIndex(obj);
  if (t < 0) return;
  const symbols = decodeSymbols(obj, t);
  const wanted = new Set([0, ...keep, ...obj.sections.filter((s) => s.type === SHT_GROUP && s.link === t).map((s) => s.info)]);
  const newIndex: number[] = [];
  const kept: Symbol[] = [];
  symbols.forEach((s, i) => {
    newIndex.push(wanted.has(i) ? kept.length : -1);
    if (wanted.has(i)) kept.push(s);
  });
  obj.sections.forEach((s) => {
    if (s.link !== t) return;
    if (isRelocSection(s)) {
      const relocs: Reloc[] = [];
      for (const r of decodeRelocs(obj.header.ident, s)) {
        const n = newIndex[r.symbol];
        if (n !== undefined && n >= 0) relocs.push({ ...r, symbol: n });
      }
      s.data = encodeRelocs(obj.header.ident, s.type, relocs);
      s.size = s.data.length;
    } else if (s.type === SHT_GROUP) {
      s.info = newIndex[s.info]!;
    }
  });
  encodeSymbols(obj, t, kept);
  obj.sections[t]!.info = localSymbolCount(kept);
}

/** Sections that may go: all but the null section, the name and symbol string tables, the symbol table. */
export function sectionItems(obj: ElfObject): number[] {
  const t = symtabIndex(obj);
  const fixed = new Set([0, obj.shstrndx]);
  if (t >= 0) {
    fixed.add(t);
    fixed.add(obj.sections[t]!.link);
  }
  return obj.sections.map((_, i) => i).filter((i) => !fixed.has(i) && obj.sections[i]!.type !== SHT_SYMTAB_SHNDX);
}

/** Keeps only the sections in `keep` (and those sectionItems never offers); what depends on a removed section goes with it. */
export function keepSections(obj: ElfObject, keep: readonly number[]): void {
  const offered = new Set(sectionItems(obj));
  const wanted = new Set(keep);
  const remove = new Set([...offered].filter((i) => !wanted.has(i)));
  // Relocation sections of a removed section, and sections linked to one (SHF_LINK_ORDER), go too.
  for (let grew = true; grew; ) {
    grew = false;
    obj.sections.forEach((s, i) => {
      if (remove.has(i) || !offered.has(i)) return;
      if ((isRelocSection(s) && remove.has(s.info)) || (s.link !== 0 && remove.has(s.link))) {
        remove.add(i);
        grew = true;
      }
    });
  }
  removeSections(obj, remove);
}

/** Applies `edit` to a fresh copy of `bytes`; null when the result is not a valid object. */
export function edited(bytes: Uint8Array, edit: (obj: ElfObject) => void): Uint8Array | null {
  try {
    const obj = readElf(bytes);
    edit(obj);
    const out = writeElf(obj);
    readElf(out);
    return out;
  } catch {
    return null;
  }
}

// ── the divergence signature ─────────────────────────────────────────────────────────────────

export interface Signature {
  class: string;
  differingSections: string[];
  /** Outcomes when a side did not convert (kinds, signal), so a different refusal is not the same divergence. */
  outcomes: string;
}

export const signatureText = (s: Signature): string =>
  `${s.class}${s.differingSections.length ? ` [${s.differingSections.join(', ')}]` : ''}${s.outcomes ? ` (${s.outcomes})` : ''}`;

/**
 * What part a differing section plays, for comparing divergences: a klp rela section by the object
 * it resolves against, every ordinary relocation section alike, anything else by name. A
 * shared-symbol bug shows in every section that uses the symbol; compared by name, each of those
 * sections would pin one relocation, and the case could not get smaller than the number of
 * sections its symbols are used from.
 */
export function sectionRole(key: string): string {
  const name = key.replace(/#\d+$/, '');
  const klp = /^\.klp\.rela\.([^.]*)\./.exec(name);
  if (klp) return `.klp.rela.${klp[1]}.*`;
  if (name.startsWith('.rela.') || name === '.rela') return '.rela*';
  if (name.startsWith('.rel.') || name === '.rel') return '.rel*';
  return name;
}

export type SectionMatch = 'role' | 'exact';

export function signatureOf(c: Classification, oursName: string, ref: { kind: string; signal?: string; stderr: string }, match: SectionMatch = 'role'): Signature {
  const refName = ref.kind === 'crash' ? `crash ${ref.signal ?? ''}`.trim() : ref.kind === 'reject' ? `reject ${referenceErrorKind(ref.stderr).kind}` : ref.kind;
  const outcomes = oursName === 'ok' && ref.kind === 'ok' ? '' : `ours ${oursName}, reference ${refName}`;
  const sections = match === 'exact' ? c.differingSections : c.differingSections.map(sectionRole);
  return { class: c.class, differingSections: [...new Set(sections)].sort(), outcomes };
}

export const sameSignature = (a: Signature, b: Signature): boolean => signatureText(a) === signatureText(b);

/** Classifies an object (with the case's symbols.klp, if any) against the reference. */
export class Classifier {
  private readonly dir = mkdtempSync(join(tmpdir(), 'klp-minimize-'));
  private n = 0;
  runs = 0;
  constructor(
    private readonly original: Case,
    private readonly reference: ReferenceCommand,
    private readonly model: ReferenceModel,
    private readonly timeoutMs?: number,
    private readonly match: SectionMatch = 'role',
  ) {}

  async signature(bytes: Uint8Array): Promise<{ signature: Signature; classification: Classification }> {
    const input = join(this.dir, `candidate-${this.n++}.ko`);
    writeOutput(input, bytes);
    const c: Case = { ...this.original, input };
    try {
      this.runs++;
      const ours = runOurs(c);
      const ref = await runReference(this.reference, c, this.timeoutMs);
      const classification = classify(ours, ref, this.model, this.original.id);
      return { signature: signatureOf(classification, oursOutcomeName(ours), ref, this.match), classification };
    } finally {
      rmSync(input, { force: true });
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ── minimize ─────────────────────────────────────────────────────────────────────────────────

export interface MinimizeResult {
  bytes: Uint8Array;
  signature: Signature;
  removed: { relocations: string[]; symbols: string[]; sections: string[] };
  before: { relocations: number; symbols: number; sections: number };
  after: { relocations: number; symbols: number; sections: number };
  tests: number;
}

function counts(bytes: Uint8Array): MinimizeResult['before'] {
  const obj = readElf(bytes);
  const t = symtabIndex(obj);
  return { relocations: relocItems(obj).length, symbols: t < 0 ? 0 : decodeSymbols(obj, t).length, sections: obj.sections.length };
}

const symbolName = (obj: ElfObject, i: number): string => {
  const s = decodeSymbols(obj, symtabIndex(obj))[i];
  return s ? s.name || `#${i} (${s.type === 3 ? `section ${obj.sections[s.shndx]?.name ?? s.shndx}` : 'unnamed'})` : `#${i}`;
};

/**
 * Reduces `bytes` while `test` (the same divergence) holds: relocations, then symbols, then
 * sections, repeated while a round still removes something.
 */
export async function minimizeObject(bytes: Uint8Array, stillDiverges: (candidate: Uint8Array) => Promise<boolean>, log: (line: string) => void = () => {}): Promise<Omit<MinimizeResult, 'signature'>> {
  const stats: DdminStats = { tests: 0 };
  const before = counts(bytes);
  const removed: MinimizeResult['removed'] = { relocations: [], symbols: [], sections: [] };
  let best = bytes;
  const test = async (edit: (obj: ElfObject) => void): Promise<boolean> => {
    const out = edited(best, edit);
    return out !== null && (await stillDiverges(out));
  };
  for (let round = 1; round <= 3; round++) {
    const start = counts(best);
    {
      const obj = readElf(best);
      const items = relocItems(obj);
      const keep = await ddmin(items, (subset) => test((o) => keepRelocs(o, subset)), stats);
      const kept = new Set(keep);
      const syms = decodeSymbols(obj, symtabIndex(obj));
      for (const r of items) {
        if (kept.has(r)) continue;
        const rel = decodeRelocs(obj.header.ident, obj.sections[r.section]!)[r.index]!;
        removed.relocations.push(`${obj.sections[r.section]!.name}+0x${rel.offset.toString(16)} → ${syms[rel.symbol]?.name || `#${rel.symbol}`}`);
      }
      best = edited(best, (o) => keepRelocs(o, keep)) ?? best;
      log(`round ${round}: relocations ${items.length} → ${keep.length}`);
    }
    {
      const obj = readElf(best);
      const items = symbolItems(obj);
      const keep = await ddmin(items, (subset) => test((o) => keepSymbols(o, subset)), stats);
      const kept = new Set(keep);
      for (const i of items) if (!kept.has(i)) removed.symbols.push(symbolName(obj, i));
      best = edited(best, (o) => keepSymbols(o, keep)) ?? best;
      log(`round ${round}: symbols ${items.length} → ${keep.length} (removable ones)`);
    }
    {
      const obj = readElf(best);
      const items = sectionItems(obj);
      const keep = await ddmin(items, (subset) => test((o) => keepSections(o, subset)), stats);
      const next = edited(best, (o) => keepSections(o, keep)) ?? best;
      const names = new Set(readElf(next).sections.map((s) => s.name));
      for (const i of items) if (!names.has(obj.sections[i]!.name)) removed.sections.push(obj.sections[i]!.name);
      best = next;
      log(`round ${round}: sections ${items.length} → ${keep.length} (removable ones)`);
    }
    const end = counts(best);
    if (end.relocations === start.relocations && end.symbols === start.symbols && end.sections === start.sections) break;
  }
  return { bytes: best, removed, before, after: counts(best), tests: stats.tests };
}

export interface MinimizeCaseOptions {
  reference: ReferenceCommand;
  label: string;
  model: ReferenceModel;
  timeoutMs?: number;
  /** How differing sections must match (default: by role, see sectionRole). */
  sectionMatch?: SectionMatch;
  log?: (line: string) => void;
}

/** Minimizes a case against a reference; refuses a case that does not diverge. */
export async function minimizeCase(c: Case, opts: MinimizeCaseOptions): Promise<MinimizeResult & { original: Classification }> {
  const classifier = new Classifier(c, opts.reference, opts.model, opts.timeoutMs, opts.sectionMatch);
  try {
    const input = new Uint8Array(readInputFile(c.input));
    const first = await classifier.signature(input);
    const passing = ['match', 'known', 'skipped'].includes(first.classification.class) || (first.classification.class === 'bothReject' && first.classification.sameKind === true);
    if (passing) throw new HarnessError(`${c.id}: nothing to minimize: against ${opts.label} it is ${first.classification.class}${first.classification.note ? ` (${first.classification.note})` : ''}`);
    const target = first.signature;
    opts.log?.(`${c.id}: ${signatureText(target)}`);
    const result = await minimizeObject(input, async (candidate) => sameSignature((await classifier.signature(candidate)).signature, target), opts.log);
    const last = await classifier.signature(result.bytes);
    if (!sameSignature(last.signature, target)) throw new Error(`minimized object no longer diverges the same way: ${signatureText(last.signature)}`);
    return { ...result, signature: target, original: first.classification };
  } finally {
    classifier.close();
  }
}

/** Writes the minimized object as a case directory: input.ko, symbols.klp (copied), case.json with the note. */
export function writeMinimizedCase(dir: string, c: Case, result: MinimizeResult, referenceLabel: string): void {
  const { id: _id, ...inherited } = c.meta;
  const r = result.removed;
  const meta: CaseMeta = {
    ...inherited,
    dialect: c.dialect,
    minimizedFrom: c.id,
    minimizedAgainst: referenceLabel,
    divergence: signatureText(result.signature),
    note:
      `minimized from ${c.id} against ${referenceLabel}: ${result.before.relocations} → ${result.after.relocations} relocations, ` +
      `${result.before.symbols} → ${result.after.symbols} symbols, ${result.before.sections} → ${result.after.sections} sections ` +
      `(${result.tests} candidates tried); still ${signatureText(result.signature)}`,
    removed: { relocations: r.relocations, symbols: r.symbols, sections: r.sections },
  };
  writeCaseFiles(dir, { input: result.bytes, ...(c.symbols ? { symbols: readInputFile(c.symbols) } : {}), meta });
}
