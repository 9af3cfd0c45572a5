// The reference models by label, and how a reference's label is told from its path.
import type { ReferenceModel } from './deviation.js';
import { MINIMAL } from './minimal.js';
import { OBJTOOL_LABELS, objtoolModel } from './objtool.js';
import { V4 } from './v4.js';
import { V5 } from './v5.js';
import { V7 } from './v7.js';

export const REFERENCE_MODELS: readonly ReferenceModel[] = [V7, MINIMAL, V4, V5, objtoolModel('objtool')];
export const KNOWN_REFERENCE_LABELS = [...REFERENCE_MODELS.map((m) => m.label), ...OBJTOOL_LABELS.filter((l) => l !== 'objtool')];

/**
 * The model of a label. A label with no model (a build of your own) gets an empty one: every
 * difference from it is then a divergence, which is the honest verdict for an unknown build.
 */
export function referenceModel(label: string): ReferenceModel {
  if ((OBJTOOL_LABELS as readonly string[]).includes(label)) return objtoolModel(label);
  return REFERENCE_MODELS.find((m) => m.label === label) ?? { label, describes: `${label}: no model (every difference is a divergence)`, deviations: [] };
}

/**
 * The label of a reference from its path: the last path segment that is a known label
 * (/tmp/ref/v7/klp-convert → v7). Null when none is; then only --reference-label can say.
 */
export function guessReferenceLabel(path: string): string | null {
  const segments = path.split(/[\\/]/).reverse();
  for (const seg of segments) {
    const hit = KNOWN_REFERENCE_LABELS.find((l) => seg === l || seg === `klp-convert-${l}` || seg.endsWith(`-${l}`));
    if (hit) return hit;
  }
  return null;
}

/** Every deviation of every model, by id (ids are unique across models). */
export function deviationById(id: string) {
  for (const m of REFERENCE_MODELS) {
    const d = m.deviations.find((x) => x.id === id);
    if (d) return { model: m, deviation: d };
  }
  return undefined;
}
