// Puts one case in exactly one class from our outcome, the reference's and the ledger of that
// reference. Agreement is judged on bytes first, then on the canonical section dumps (which
// ignore file offsets); ledger entries may relax only what they name, and only under `known`.
import type { DumpBlock } from './dump.js';
import { dumpObject } from './dump.js';
import { firstDifferingOffset, sectionDiff } from './diff.js';
import { sectionPatternMatches, type HeaderField, type Ledger, type LedgerEntry } from './ledger.js';
import type { OursOutcome } from './ours.js';
import { referenceErrorKind, type ReferenceError } from './reference-errors.js';
import type { ReferenceOutcome } from './reference.js';
import { readElf } from '../src/elf/read.js';
import type { ElfObject } from '../src/elf/model.js';

export const CASE_CLASSES = ['match', 'known', 'bothReject', 'diverge', 'oursReject', 'refReject', 'refCrash', 'refTimeout', 'caseError', 'skipped'] as const;
export type CaseClass = (typeof CASE_CLASSES)[number];
export type Agreement = 'bytes' | 'sections' | null;

export interface Classification {
  class: CaseClass;
  agreement: Agreement;
  /** The ledger entry that made the case `known`. */
  ledger: string | null;
  /** The reference's refusal named with our kinds (reject only). */
  referenceError: ReferenceError | null;
  /** bothReject: do the kinds agree? null for other classes. */
  sameKind: boolean | null;
  differingSections: string[];
  /** Unified diff of the differing sections (plain text), when both converted and they differ. */
  diff: string | null;
  firstDifferingOffset: number | null;
  note: string;
}

/** Whether a class (with its kind verdict) lets `run` exit 0. */
export function classPasses(c: Pick<Classification, 'class' | 'sameKind'>): boolean {
  return c.class === 'match' || c.class === 'known' || c.class === 'skipped' || (c.class === 'bothReject' && c.sameKind === true);
}

const base = (cls: CaseClass, note = ''): Classification => ({
  class: cls, agreement: null, ledger: null, referenceError: null, sameKind: null, differingSections: [], diff: null, firstDifferingOffset: null, note,
});

export function skipped(note: string): Classification {
  return base('skipped', note);
}

/** The case's own files cannot be used (not regular files, too large, bad case.json): neither side ran. */
export function caseError(note: string): Classification {
  return base('caseError', note);
}

/** How a ledger names what our side did. */
export const oursOutcomeName = (o: OursOutcome): string => (o.kind === 'ok' ? 'ok' : o.errorKind);

export function classify(ours: OursOutcome, ref: ReferenceOutcome, ledger: Ledger, caseId = 'output'): Classification {
  const refError = ref.kind === 'reject' ? referenceErrorKind(ref.stderr) : null;
  if (ours.kind === 'ok' && ref.kind === 'ok') return classifyOutputs(ours.output, ref.output, ledger, caseId);

  const entry = ledger.entries.find((e) => outcomeEntryMatches(e, ours, ref, refError));
  const withRef = (c: Classification): Classification => ({ ...c, referenceError: refError });
  if (entry) return withRef({ ...base('known', entry.what), ledger: entry.id });

  const ourName = oursOutcomeName(ours);
  switch (ref.kind) {
    case 'crash':
      return base('refCrash', `reference killed by ${ref.signal}; ours: ${ourName}`);
    case 'timeout':
      return base('refTimeout', `reference timed out; ours: ${ourName}`);
    case 'ok':
      return base('oursReject', `ours: ${ourName}: ${ours.kind === 'reject' ? ours.message : ''}`);
    case 'reject': {
      if (ours.kind === 'ok') return withRef(base('refReject', `reference: ${refError!.kind}: ${refError!.message}`));
      const sameKind = refError!.kind === ours.errorKind;
      return withRef({
        ...base('bothReject', sameKind ? `both: ${ours.errorKind}` : `kinds differ: ours ${ours.errorKind}, reference ${refError!.kind} (${refError!.message})`),
        sameKind,
      });
    }
  }
}

function outcomeEntryMatches(e: LedgerEntry, ours: OursOutcome, ref: ReferenceOutcome, refError: ReferenceError | null): boolean {
  const ourName = oursOutcomeName(ours);
  const m = e.match;
  if (m.kind === 'reference-rejects') {
    return ref.kind === 'reject' && ref.stderr.includes(m.stderrIncludes) && (!m.ours || m.ours.includes(ourName));
  }
  if (m.kind !== 'outcome') return false;
  const oursOk = Array.isArray(m.ours) ? m.ours.includes(ourName) : m.ours === ourName;
  const refOk = m.reference === ref.kind || (ref.kind === 'reject' && m.reference === refError?.kind);
  return oursOk && refOk && (m.stderrIncludes === undefined || ref.stderr.includes(m.stderrIncludes));
}

function parseDump(bytes: Uint8Array, normalise: readonly HeaderField[] = []): DumpBlock[] {
  return dumpObject(withHeaderFieldsCleared(readElf(bytes), normalise));
}

/** The same object with the named header fields zeroed, so dumps compare without them. */
function withHeaderFieldsCleared(obj: ElfObject, fields: readonly HeaderField[]): ElfObject {
  if (fields.length === 0) return obj;
  const h = obj.header;
  return {
    ...obj,
    header: {
      ...h,
      flags: fields.includes('flags') ? 0 : h.flags,
      ident: { ...h.ident, osabi: fields.includes('osabi') ? 0 : h.ident.osabi, abiversion: fields.includes('abiversion') ? 0 : h.ident.abiversion },
    },
  };
}

function classifyOutputs(ours: Uint8Array, ref: Uint8Array, ledger: Ledger, caseId: string): Classification {
  const offset = firstDifferingOffset(ours, ref);
  if (offset === null) return { ...base('match'), agreement: 'bytes' };
  let oursDump: DumpBlock[];
  let refDump: DumpBlock[];
  try {
    oursDump = parseDump(ours);
  } catch (e) {
    return { ...base('diverge', `our output is not readable ELF: ${(e as Error).message}`), firstDifferingOffset: offset };
  }
  try {
    refDump = parseDump(ref);
  } catch (e) {
    return { ...base('diverge', `the reference output is not readable ELF: ${(e as Error).message}`), firstDifferingOffset: offset };
  }
  const d = sectionDiff(refDump, oursDump, caseId);
  const shown = { differingSections: d.differingKeys, diff: d.text || null, firstDifferingOffset: offset };
  if (d.differingKeys.length === 0) return { ...base('match', 'section-equivalent; file layout differs'), agreement: 'sections', firstDifferingOffset: offset };

  for (const e of ledger.entries) {
    if (e.match.kind === 'header-fields') {
      const fields = e.match.fields;
      const again = sectionDiff(parseDump(ref, fields), parseDump(ours, fields), caseId);
      if (again.differingKeys.length === 0) return { ...base('known', e.what), ...shown, agreement: 'sections', ledger: e.id };
    } else if (e.match.kind === 'sections') {
      const patterns = e.match.sections;
      if (d.differingKeys.every((k) => patterns.some((p) => sectionPatternMatches(p, k)))) {
        return { ...base('known', e.what), ...shown, agreement: null, ledger: e.id };
      }
    }
  }
  return { ...base('diverge', `sections differ: ${d.differingKeys.join(', ')}`), ...shown };
}
