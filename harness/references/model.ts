// Runs a reference model: our converter's steps (read, plan, apply, write) with every deviation of
// the reference acting at its step, in the model's order. The result is what the model says that
// reference does with the case, and which deviations it took to say so.
import {
  ElfFormatError, type ElfObject, ET_REL, normalizeSectionHeaders, readElf, writeElf,
} from '../../src/elf/index.js';
import { applyPlan, type ConversionPlan, KlpError, planConversion } from '../../src/klp/index.js';
import { PHASES, type CaseInput, type ModelState, type Phase, type Prediction, type ReferenceModel } from './deviation.js';

export type ModelOutcome = { kind: 'ok'; output: Uint8Array } | Prediction;

export interface ModelResult {
  outcome: ModelOutcome;
  /** Deviations that acted on this case, in model order. */
  used: string[];
}

/** Our own refusal, as a prediction: the reference refuses for the same reason. */
export function ourRefusal(e: KlpError): Prediction {
  const subject = e.where.symbol ?? e.where.section;
  return subject !== undefined ? { kind: 'reject', errorKind: e.kind, subject, reason: e.reason } : { kind: 'reject', errorKind: e.kind, reason: e.reason };
}

/** The phase at which the reference meets what our plan refused up front (before the scan). */
function phaseOf(e: KlpError): Phase {
  switch (e.kind) {
    case 'bad-symbols-file':
      return 'symbols';
    case 'bad-annotation':
    case 'conflicting-sympos':
    case 'bad-sympos':
      return 'annotations';
    case 'bad-elf':
      return 'read';
    default:
      return 'scan';
  }
}

function read(bytes: Uint8Array): ElfObject {
  const obj = readElf(bytes);
  if (obj.header.type !== ET_REL) throw new KlpError('bad-elf', `e_type is ${obj.header.type}, not ET_REL: not a kernel module`, { offset: 16 });
  return obj;
}

/** For each section of the input, its index once the plan's removals are done (-1: removed). */
function outputIndices(count: number, plan: ConversionPlan): number[] {
  let next = 0;
  return Array.from({ length: count }, (_, i) => (plan.removeSections.has(i) ? -1 : next++));
}

export function runModel(model: ReferenceModel, c: CaseInput): ModelResult {
  const used = new Set<string>();
  const s: ModelState = { dialect: c.dialect, input: c.input, ...(c.symbols ? { symbols: c.symbols } : {}), pending: [], restores: [] };
  const devs = model.deviations;
  const act = (id: string, acted: boolean): void => void (acted && used.add(id));
  const done = (outcome: ModelOutcome): ModelResult => ({ outcome, used: devs.filter((d) => used.has(d.id)).map((d) => d.id) });

  /**
   * The reference's own stop at `phase`, if a deviation says it stops there (one it predicted
   * earlier, or predicts now): the first in the model's order, which is the reference's own.
   */
  const stopAt = (phase: Phase): Prediction | undefined => {
    for (const d of devs) {
      const p = s.pending.find((w) => w.phase === phase && w.deviation === d.id)?.prediction ?? d.predict?.(s, phase);
      if (p) {
        used.add(d.id);
        return p;
      }
    }
    return undefined;
  };
  /** Our refusal `e`, met at `phase`: the reference stops there too, unless it stops earlier. */
  const refuseAt = (phase: Phase, e: KlpError): ModelResult => {
    for (const p of PHASES.slice(0, PHASES.indexOf(phase) + 1)) {
      const own = stopAt(p);
      if (own) return done(own);
    }
    return done(ourRefusal(e));
  };

  for (const d of devs) if (d.bytes) act(d.id, d.bytes(s));
  try {
    s.working = read(s.input);
    s.original = read(s.input);
  } catch (e) {
    const err = e instanceof ElfFormatError ? new KlpError('bad-elf', e.reason, e.where) : e;
    if (!(err instanceof KlpError)) throw err;
    return refuseAt('read', err);
  }
  const early = stopAt('read');
  if (early) return done(early);

  for (const d of devs) if (d.input) act(d.id, d.input(s));
  let plan: ConversionPlan;
  try {
    plan = planConversion(s.working, c.dialect === 'symbols' ? { dialect: c.dialect, symbolsFile: s.symbols ?? new Uint8Array(0) } : { dialect: c.dialect });
  } catch (e) {
    const err = e instanceof ElfFormatError ? new KlpError('bad-elf', e.reason, e.where) : e;
    if (!(err instanceof KlpError)) throw err;
    return refuseAt(phaseOf(err), err);
  }
  s.plan = plan;
  for (const phase of ['symbols', 'annotations'] as const) {
    const p = stopAt(phase);
    if (p) return done(p);
  }
  for (const d of devs) if (d.plan) act(d.id, d.plan(s));
  if (plan.refusals.length > 0) return refuseAt('scan', plan.refusals[0]!);
  for (const phase of ['scan', 'rename'] as const) {
    const p = stopAt(phase);
    if (p) return done(p);
  }

  const out = s.working;
  s.outputIndex = outputIndices(s.original.sections.length, plan);
  applyPlan(out, plan);
  normalizeSectionHeaders(out);
  for (const restore of s.restores) restore(out);
  for (const d of devs) if (d.output) act(d.id, d.output(out, s));
  const late = stopAt('write');
  if (late) return done(late);
  return done({ kind: 'ok', output: writeElf(out) });
}
