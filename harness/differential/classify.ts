// Puts one case in exactly one class from our outcome, the reference's, and the model of that
// reference. Agreement is judged on bytes first, then on the canonical section dumps (which ignore
// file offsets). A difference is `known` only when the reference's model (our converter plus its
// deviations) reproduces what the reference did exactly: the same bytes, or a refusal of the same
// kind naming the same symbol or section, or a crash it predicts. Otherwise the diff shown is
// between the model and the reference: what no deviation explains.
import type { DumpBlock } from './dump.js';
import { dumpObject } from './dump.js';
import { describeKeys, firstDifferingOffset, sectionDiff } from './diff.js';
import type { OursOutcome } from './ours.js';
import { referenceErrorKind, type ReferenceError } from './reference-errors.js';
import type { ReferenceOutcome } from './reference.js';
import type { ReferenceModel } from '../references/deviation.js';
import { runModel, type ModelOutcome, type ModelResult } from '../references/model.js';
import { readElf } from '../../src/elf/index.js';

export const CASE_CLASSES = ['match', 'known', 'bothReject', 'diverge', 'oursReject', 'refReject', 'refCrash', 'refTimeout', 'caseError', 'skipped'] as const;
export type CaseClass = (typeof CASE_CLASSES)[number];
export type Agreement = 'bytes' | 'sections' | null;

export interface Classification {
  class: CaseClass;
  agreement: Agreement;
  /** The deviations of the reference's model that reproduced its result (`known` only). */
  deviations: string[];
  /** The reference's refusal named with our kinds (reject only). */
  referenceError: ReferenceError | null;
  /** bothReject: do the kinds agree? null for other classes. */
  sameKind: boolean | null;
  differingSections: string[];
  /** Unified diff of the differing sections (plain text), when both converted and they differ. */
  diff: string | null;
  firstDifferingOffset: number | null;
  /** What the model said the reference does, when it was asked and did not reproduce it. */
  model: string | null;
  /** The output set against the reference's for differingSections and diff (not reported). */
  compared: { side: 'ours' | 'model'; output: Uint8Array } | null;
  note: string;
}

/** Whether a class (with its kind verdict) lets `run` exit 0. */
export function classPasses(c: Pick<Classification, 'class' | 'sameKind'>): boolean {
  return c.class === 'match' || c.class === 'known' || c.class === 'skipped' || (c.class === 'bothReject' && c.sameKind === true);
}

const base = (cls: CaseClass, note = ''): Classification => ({
  class: cls, agreement: null, deviations: [], referenceError: null, sameKind: null, differingSections: [], diff: null, firstDifferingOffset: null, model: null, compared: null, note,
});

export function skipped(note: string): Classification {
  return base('skipped', note);
}

/** The case's own files cannot be used (not regular files, too large, bad case.json): neither side ran. */
export function caseError(note: string): Classification {
  return base('caseError', note);
}

/** How reports name what our side did. */
export const oursOutcomeName = (o: OursOutcome): string => (o.kind === 'ok' ? 'ok' : o.errorKind);

/**
 * The canonical dump of an output, made once per output: the classifier and the report's
 * side-by-side view both read it (dumping is most of classifying a `known` case).
 */
const dumps = new WeakMap<Uint8Array, DumpBlock[]>();
export function dumpOfBytes(bytes: Uint8Array): DumpBlock[] {
  let d = dumps.get(bytes);
  if (!d) dumps.set(bytes, (d = dumpObject(readElf(bytes))));
  return d;
}
const parseDump = dumpOfBytes;

/** The model's outcome in words, for notes. */
export function describeModelOutcome(m: ModelOutcome): string {
  switch (m.kind) {
    case 'ok':
      return 'converts';
    case 'reject':
      return `refuses (${m.errorKind}${m.subject !== undefined ? `: ${m.subject}` : ''})`;
    case 'crash':
      return `crashes (${m.signal})`;
  }
}

/** Does the model's outcome say exactly what the reference did? */
function reproduces(m: ModelOutcome, ref: ReferenceOutcome, refError: ReferenceError | null): boolean {
  switch (ref.kind) {
    case 'ok':
      return m.kind === 'ok' && firstDifferingOffset(m.output, ref.output) === null;
    case 'reject':
      return m.kind === 'reject' && m.errorKind === refError!.kind && (refError!.subject === undefined || m.subject === refError!.subject);
    case 'crash':
      return m.kind === 'crash' && m.signal === ref.signal;
    case 'timeout':
      return false;
  }
}

/** Section-level comparison of two outputs: the blocks that differ, a diff, the first byte. */
function compareOutputs(reference: Uint8Array, other: Uint8Array, caseId: string, label: string): Pick<Classification, 'differingSections' | 'diff' | 'firstDifferingOffset'> & { problem?: string } {
  const firstDiffering = firstDifferingOffset(other, reference);
  let refDump: DumpBlock[];
  let otherDump: DumpBlock[];
  try {
    otherDump = parseDump(other);
  } catch (e) {
    return { differingSections: [], diff: null, firstDifferingOffset: firstDiffering, problem: `${label} is not readable ELF: ${(e as Error).message}` };
  }
  try {
    refDump = parseDump(reference);
  } catch (e) {
    return { differingSections: [], diff: null, firstDifferingOffset: firstDiffering, problem: `the reference output is not readable ELF: ${(e as Error).message}` };
  }
  const d = sectionDiff(refDump, otherDump, caseId, { label });
  return { differingSections: d.differingKeys, diff: d.text || null, firstDifferingOffset: firstDiffering };
}

export function classify(ours: OursOutcome, ref: ReferenceOutcome, model: ReferenceModel, caseId = 'output'): Classification {
  const refError = ref.kind === 'reject' ? referenceErrorKind(ref.stderr) : null;
  const withRef = (c: Classification): Classification => ({ ...c, referenceError: refError });
  // Ours against the reference, when both converted: a match, or what a `known` case shows.
  let oursVsRef: ReturnType<typeof compareOutputs> | undefined;
  if (ours.kind === 'ok' && ref.kind === 'ok') {
    const offset = firstDifferingOffset(ours.output, ref.output);
    if (offset === null) return { ...base('match'), agreement: 'bytes' };
    oursVsRef = compareOutputs(ref.output, ours.output, caseId, 'ours');
    if (!oursVsRef.problem && oursVsRef.differingSections.length === 0) return { ...base('match', 'section-equivalent; file layout differs'), agreement: 'sections', firstDifferingOffset: offset };
  }
  if (ours.kind === 'reject' && ref.kind === 'reject' && ours.errorKind === refError!.kind) {
    return withRef({ ...base('bothReject', `both: ${ours.errorKind}`), sameKind: true });
  }
  if (ref.kind === 'timeout') return base('refTimeout', `reference timed out; ours: ${oursOutcomeName(ours)}`);

  let result: ModelResult | undefined;
  let modelProblem = '';
  try {
    result = runModel(model, ours.case);
  } catch (e) {
    modelProblem = `the ${model.label} model failed: ${(e as Error).message}`;
  }
  if (result && reproduces(result.outcome, ref, refError)) {
    const used = result.used;
    const shown = oursVsRef;
    return withRef({
      ...base('known', used.length ? `reproduced by ${used.join(', ')}` : 'reproduced by the model with no deviation'),
      ...(shown && ours.kind === 'ok'
        ? { differingSections: shown.differingSections, diff: shown.diff, firstDifferingOffset: shown.firstDifferingOffset, compared: { side: 'ours' as const, output: ours.output } }
        : {}),
      agreement: ref.kind === 'ok' ? 'bytes' : null,
      deviations: used,
    });
  }
  const modelSays = result ? `the ${model.label} model ${describeModelOutcome(result.outcome)}${result.used.length ? ` with ${result.used.join(', ')}` : ''}` : modelProblem;
  const explained = (c: Classification): Classification => withRef({ ...c, model: modelSays });
  const ourName = oursOutcomeName(ours);
  switch (ref.kind) {
    case 'crash':
      return explained(base('refCrash', `reference killed by ${ref.signal}; ours: ${ourName}; ${modelSays}`));
    case 'ok': {
      // The model converts (our refusal, if any, is one the reference is known not to make), so
      // whatever still differs is the news; when the model refuses as we do, ours is the odd one out.
      const fromModel = result?.outcome.kind === 'ok' && result.used.length > 0;
      if (result?.outcome.kind !== 'ok' && ours.kind === 'reject') return explained(base('oursReject', `ours: ${ourName}: ${ours.message}; ${modelSays}`));
      const other = result?.outcome.kind === 'ok' ? result.outcome.output : (ours as Extract<OursOutcome, { kind: 'ok' }>).output;
      const d = compareOutputs(ref.output, other, caseId, fromModel ? 'model' : 'ours');
      const what = d.problem ?? (d.differingSections.length ? describeKeys(d.differingSections) : 'the bytes differ, the sections agree');
      return explained({
        ...base('diverge', `${fromModel ? 'model and reference differ' : 'ours and reference differ'}: ${what}${fromModel ? '' : `; ${modelSays}`}`),
        differingSections: d.differingSections,
        diff: d.diff,
        firstDifferingOffset: d.firstDifferingOffset,
        compared: { side: fromModel ? 'model' : 'ours', output: other },
      });
    }
    case 'reject': {
      if (ours.kind === 'ok') return explained(base('refReject', `reference: ${refError!.kind}${refError!.subject !== undefined ? ` (${refError!.subject})` : ''}: ${refError!.message}; ${modelSays}`));
      return explained({
        ...base('bothReject', `kinds differ: ours ${ours.errorKind}, reference ${refError!.kind} (${refError!.message}); ${modelSays}`),
        sameKind: false,
      });
    }
  }
}
