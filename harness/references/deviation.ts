// A reference build, modelled as our converter plus a list of its deviations. Each deviation is a
// small named transformation on the shared ELF model (or on the plan, or a predicted refusal)
// standing for one kernel rule the reference breaks or one bug it has. The model runs our
// converter step by step and lets every deviation act at its step; a case is `known` only when
// the result is exactly what the reference did. Nothing here changes what src/ does.
import type { ElfObject } from '../../src/elf/index.js';
import type { ConversionPlan, Dialect } from '../../src/klp/index.js';

/** Where a reference can stop, in the order its run passes them (the C tools all go this way). */
export const PHASES = ['read', 'symbols', 'annotations', 'scan', 'rename', 'write'] as const;
export type Phase = (typeof PHASES)[number];

/** What a reference does instead of writing an output. */
export type Prediction =
  | {
      kind: 'reject';
      /** One of our error kinds, or 'internal' (the reference fails for no reason in the input). */
      errorKind: string;
      /** The symbol or section its message names, when it names one. */
      subject?: string;
      reason: string;
    }
  | { kind: 'crash'; signal: string; reason: string };

export interface CaseInput {
  dialect: Dialect;
  input: Uint8Array;
  symbols?: Uint8Array;
}

/** What the model has at hand while it runs; deviations read it and edit the parts they stand for. */
export interface ModelState {
  readonly dialect: Dialect;
  /** The module's bytes: the case's, unless a deviation rewrote them (before our reader). */
  input: Uint8Array;
  symbols?: Uint8Array;
  /** The input as our reader read it, never edited: what output deviations compare against. */
  original?: ElfObject;
  /** The model our plan is made from and applied to (input deviations edit it). */
  working?: ElfObject;
  plan?: ConversionPlan;
  /** For each section of `original`, its index in the output, or -1 when the conversion dropped it. */
  outputIndex?: number[];
  /** Predictions a byte-level deviation made for a later phase (the input had to be fixed to go on). */
  pending: Array<{ phase: Phase; prediction: Prediction; deviation: string }>;
  /** Undo steps of input deviations, run on the output before the output deviations. */
  restores: Array<(out: ElfObject) => void>;
}

export interface Deviation {
  /** `<reference>-<what>`, e.g. `v7-drops-eflags`; reports and goldens name it. */
  id: string;
  /** The docs/divergences.md row it belongs to. */
  divergence: number;
  /** What this reference does, in a user's words. */
  does: string;
  /** Cases that need it (the corpus shows it there); a run warns when they ran and none needed it. */
  cases: string[];
  /** Before our reader: rewrite the bytes the way the reference would see them. True when it acted. */
  bytes?(s: ModelState): boolean;
  /** On the input model, before the plan. True when it changed something. */
  input?(s: ModelState): boolean;
  /** Whether the reference stops at this phase, and how. */
  predict?(s: ModelState, phase: Phase): Prediction | undefined;
  /** On our plan, before it is applied. True when it changed something. */
  plan?(s: ModelState): boolean;
  /** On the converted model, before it is written. True when it changed something. */
  output?(out: ElfObject, s: ModelState): boolean;
}

export interface ReferenceModel {
  label: string;
  /** Which build this is (repository, commits, dialect). */
  describes: string;
  /** The one dialect this build converts; a run without --dialect skips the other's cases. */
  dialect?: Dialect;
  /**
   * A known-buggy build whose headline bug is deliberately not modelled, so that runs against it
   * fail on it (the v4 shared-symbol bug, the v5 crash): said here so nobody "fixes" the model.
   */
  notModelled?: string;
  /** Applied in this order at every step. */
  deviations: readonly Deviation[];
}
