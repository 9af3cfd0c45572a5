// Runs our converter in-process on one case. A KlpError is a refusal with a kind; anything else
// thrown is a bug in the converter, kept apart as 'internal' so it can never pass for a refusal.
import { convert } from '../../src/index.js';
import { type Dialect, KlpError } from '../../src/klp/index.js';
import type { Case } from '../case.js';
import { HarnessError } from '../errors.js';
import type { CaseInput } from '../references/deviation.js';
import { FileError, readInputFile } from '../../src/io/index.js';

/** What our converter did with a case, and the case's bytes (which a reference model runs on). */
export type OursOutcome =
  | { kind: 'ok'; output: Uint8Array; ms: number; case: CaseInput }
  | { kind: 'reject'; errorKind: string; message: string; ms: number; case: CaseInput };

/** Our error kind for an exception that is not a KlpError. */
export const INTERNAL_ERROR_KIND = 'internal';

function readCaseFile(path: string): Uint8Array {
  try {
    return readInputFile(path);
  } catch (e) {
    throw new HarnessError(e instanceof FileError ? e.message : String(e));
  }
}

/** A converter as the library exports it (this tree's, or another checkout's build). */
export type ConvertFn = (input: Uint8Array, options: { dialect?: Dialect; symbols?: Uint8Array }) => { output: Uint8Array };

/**
 * Runs `convert` on one case. A refusal is told by shape (name 'KlpError' and a kind), not by
 * instanceof, so another checkout's build (another KlpError class) is judged the same way.
 */
export function runConverter(convertFn: ConvertFn, c: Case): OursOutcome {
  const input = readCaseFile(c.input);
  const symbols = c.symbols ? readCaseFile(c.symbols) : undefined;
  const theCase: CaseInput = symbols ? { dialect: c.dialect, input, symbols } : { dialect: c.dialect, input };
  const started = performance.now();
  try {
    const { output } = convertFn(input, symbols ? { dialect: c.dialect, symbols } : { dialect: c.dialect });
    return { kind: 'ok', output, ms: performance.now() - started, case: theCase };
  } catch (e) {
    const ms = performance.now() - started;
    const err = e as { name?: unknown; kind?: unknown; message?: unknown } | null;
    if (e instanceof KlpError || (err?.name === 'KlpError' && typeof err.kind === 'string')) {
      return { kind: 'reject', errorKind: String(err!.kind), message: String(err!.message), ms, case: theCase };
    }
    return { kind: 'reject', errorKind: INTERNAL_ERROR_KIND, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ms, case: theCase };
  }
}

export const runOurs = (c: Case): OursOutcome => runConverter(convert, c);
