// Which reference, under which label, with which ledger: shared by `run` and `golden update`.
import { HarnessError } from '../errors.js';
import { guessReferenceLabel, loadLedger, loadLedgerFile, type Ledger } from '../ledger.js';
import { referenceCommand, type ReferenceCommand } from '../reference.js';

export interface ChosenReference {
  command: ReferenceCommand;
  label: string;
  ledger: Ledger;
}

/**
 * The label comes from --reference-label, else from the reference's path (a segment named v4, v5,
 * v7 or minimal); without either the run cannot know which ledger applies, so it refuses.
 */
export function chooseReference(opts: { reference?: string; referenceCmd?: string; label?: string; ledgerFile?: string }): ChosenReference {
  const command = referenceCommand(opts);
  const label = opts.label ?? guessReferenceLabel(command.binary);
  if (!label) throw new HarnessError(`cannot tell which reference ${command.binary} is: give --reference-label (v4, v5, v7, minimal, …)`);
  const ledger = opts.ledgerFile ? loadLedgerFile(opts.ledgerFile, label) : loadLedger(label);
  return { command, label, ledger };
}

export const DEFAULT_CASES = ['cases'];
