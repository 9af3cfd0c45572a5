// Which reference, under which label, with which model: shared by every command that runs one.
import { HarnessError } from '../errors.js';
import type { ReferenceModel } from '../references/deviation.js';
import { guessReferenceLabel, KNOWN_REFERENCE_LABELS, referenceModel } from '../references/index.js';
import { referenceCommand, type ReferenceCommand } from '../differential/reference.js';

export interface ChosenReference {
  command: ReferenceCommand;
  label: string;
  model: ReferenceModel;
}

/**
 * The label comes from --reference-label, else from the reference's path (a segment named v4, v5,
 * v7 or minimal); without either the run cannot know which model applies, so it refuses.
 */
export function chooseReference(opts: { reference?: string | undefined; referenceCmd?: string | undefined; label?: string | undefined }): ChosenReference {
  const command = referenceCommand(opts);
  const label = opts.label ?? guessReferenceLabel(command.binary);
  if (!label) throw new HarnessError(`cannot tell which reference ${command.binary} is: give --reference-label (${KNOWN_REFERENCE_LABELS.join(', ')}, or a label of your own for a build with no model)`);
  return { command, label, model: referenceModel(label) };
}

export const DEFAULT_CASES = ['cases'];
