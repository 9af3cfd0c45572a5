// A golden holds our output to the reference's bytes, not only to its sections.
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/index.js';
import { moduleBytes, pc32, symbolsFile, text } from '../../src/klp/index.js';
import { readElf } from '../../src/elf/index.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { formatGolden, parseGolden, type Golden } from './golden-format.js';
import { compareWithGolden } from './golden.js';
import type { OursOutcome } from '../differential/ours.js';
import { sha256 } from '../provenance.js';

const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } });
const { output } = convert(input, { symbols: symbolsFile('*vmlinux\nsaved_command_line\n') });
const ours: OursOutcome = { kind: 'ok', output, ms: 0, case: { dialect: 'symbols', input } };

const golden = (outputSha256: string | null): Golden =>
  parseGolden(
    formatGolden({
      caseId: 'c', referenceLabel: 'v7', referenceSha256: '0'.repeat(64), dialect: 'symbols', toolchain: 'test', deviations: [], referenceOutcome: null,
      outputSha256, outcome: { kind: 'convert', dump: dumpText(dumpObject(readElf(output), { hex: false })) },
    }),
    'c.golden',
  );

describe('golden check', () => {
  it('passes when the sections and the bytes agree', () => {
    expect(compareWithGolden('c', golden(sha256(output)), ours)).toBeNull();
  });

  it('fails when every section agrees but the file layout does not', () => {
    const problem = compareWithGolden('c', golden('f'.repeat(64)), ours);
    expect(problem?.detail).toMatch(/bytes differ: the file layout changed/);
  });

  it('round-trips the output digest through the golden text', () => {
    expect(golden(sha256(output)).outputSha256).toBe(sha256(output));
    expect(golden(null).outputSha256).toBeNull();
  });
});
