// The golden file of one case: a short provenance header, then the expected outcome. Text, so a
// reviewer reads a change as a diff of readelf-like lines.
import type { Case } from '../case.js';
import { HarnessError } from '../errors.js';

export const GOLDEN_MAGIC = 'klp-harness golden 2';
/** Separates the header from the canonical dump of a converted case. */
export const DUMP_MARK = '--- dump';

export type GoldenOutcome =
  | { kind: 'convert'; dump: string }
  | { kind: 'reject'; errorKind: string; message: string; messageSource: 'reference' | 'ours' };

export interface Golden {
  caseId: string;
  referenceLabel: string;
  referenceSha256: string;
  dialect: string;
  toolchain: string;
  /**
   * When we differ from the reference on purpose: the deviations of its model that reproduced what
   * it did. The outcome is then ours; empty when the reference's outcome is the golden.
   */
  deviations: string[];
  /** What the reference did instead, when deviations are set. */
  referenceOutcome: string | null;
  /**
   * sha256 of the expected output file (converted cases): the dump ignores file offsets, so this
   * is what holds our bytes to the reference's bytes when no reference is at hand.
   */
  outputSha256: string | null;
  outcome: GoldenOutcome;
}

export function toolchainOf(c: Case): string {
  const m = c.meta;
  const parts = [m.compilerVersion ?? m.compiler, m.binutils, m.flags ? `flags ${m.flags}` : undefined].filter((x): x is string => typeof x === 'string' && x !== '');
  return parts.length ? parts.join('; ') : 'unknown';
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

export function formatGolden(g: Golden): string {
  const lines = [
    GOLDEN_MAGIC,
    `case: ${g.caseId}`,
    `reference: ${g.referenceLabel} sha256:${g.referenceSha256}`,
    `dialect: ${g.dialect}`,
    `toolchain: ${oneLine(g.toolchain)}`,
  ];
  if (g.deviations.length) lines.push(`deviations: ${g.deviations.join(' ')}`, `reference-outcome: ${oneLine(g.referenceOutcome ?? '')}`);
  if (g.outcome.kind === 'convert') {
    if (g.outputSha256) lines.push(`output: sha256:${g.outputSha256}`);
    lines.push('outcome: convert', DUMP_MARK, g.outcome.dump.replace(/\n$/, ''));
  } else {
    lines.push(`outcome: reject ${g.outcome.errorKind}`, `message: ${oneLine(g.outcome.message)}`, `message-source: ${g.outcome.messageSource}`);
  }
  return `${lines.join('\n')}\n`;
}

export function parseGolden(text: string, path: string): Golden {
  const bad = (why: string): never => {
    throw new HarnessError(`${path}: not a golden file: ${why}`);
  };
  const lines = text.split('\n');
  if (lines[0] !== GOLDEN_MAGIC) bad(`first line is not '${GOLDEN_MAGIC}'`);
  const fields = new Map<string, string>();
  let k = 1;
  for (; k < lines.length && lines[k] !== DUMP_MARK; k++) {
    const line = lines[k]!;
    if (line === '') continue;
    const colon = line.indexOf(': ');
    if (colon < 0) bad(`line ${k + 1} is not 'key: value'`);
    fields.set(line.slice(0, colon), line.slice(colon + 2));
  }
  const need = (key: string): string => fields.get(key) ?? bad(`no '${key}:' line`);
  const [label, shaField] = need('reference').split(' ');
  const outcomeText = need('outcome');
  let outcome: GoldenOutcome;
  if (outcomeText === 'convert') {
    if (k >= lines.length) bad(`no '${DUMP_MARK}' line`);
    outcome = { kind: 'convert', dump: `${lines.slice(k + 1).join('\n').replace(/\n+$/, '')}\n` };
  } else if (outcomeText.startsWith('reject ')) {
    const source = fields.get('message-source') === 'ours' ? 'ours' : 'reference';
    outcome = { kind: 'reject', errorKind: outcomeText.slice('reject '.length), message: fields.get('message') ?? '', messageSource: source };
  } else {
    return bad(`unknown outcome '${outcomeText}'`);
  }
  return {
    caseId: need('case'),
    referenceLabel: label ?? '',
    referenceSha256: (shaField ?? '').replace(/^sha256:/, ''),
    dialect: need('dialect'),
    toolchain: fields.get('toolchain') ?? '',
    deviations: (fields.get('deviations') ?? '').split(' ').filter(Boolean),
    referenceOutcome: fields.get('reference-outcome') ?? null,
    outputSha256: fields.get('output')?.replace(/^sha256:/, '') ?? null,
    outcome,
  };
}

/** Blocks of a golden's dump keyed like harness/dump.ts keys them (`header`, section names). */
export function goldenBlocks(dump: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const block of dump.split('\n\n')) {
    const first = block.split('\n', 1)[0] ?? '';
    blocks.set(first.startsWith('section ') ? first.slice('section '.length) : first, block.trimEnd());
  }
  return blocks;
}

/** The keys whose blocks differ between two block maps: the first map's order, then the second's own. */
export function differingBlockKeys(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k));
}
