// bisect-run's answers, with stand-in references (shell scripts) so CI needs no C build.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleBytes, pc32, symbolsFile, text } from '../../src/klp/index.js';
import { bisectRun, BISECT_EXIT, type BisectOptions } from './bisect.js';
import { loadCase, type Case } from '../case.js';
import { formatGolden } from '../golden/golden-format.js';
import { dumpObject, dumpText } from '../differential/dump.js';
import { referenceModel } from '../references/index.js';
import { runOurs } from '../differential/ours.js';
import { referenceCommand } from '../differential/reference.js';
import { readElf } from '../../src/elf/index.js';

let dir: string;
let c: Case;
let goldenDir: string;

/** A stand-in reference: a script run as `ref symbols.klp input.ko output.ko`. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const against = (path: string, extra: Partial<BisectOptions> = {}) =>
  bisectRun({ cases: [c], reference: { command: () => referenceCommand({ reference: path }), label: 'v7', model: () => referenceModel('v7') }, ...extra });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'klp-bisect-'));
  const caseDir = join(dir, 'shared-symbol');
  mkdirSync(caseDir);
  writeFileSync(join(caseDir, 'input.ko'), moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line'), pc32(8, 'saved_command_line')] } }));
  writeFileSync(join(caseDir, 'symbols.klp'), symbolsFile('*vmlinux\nsaved_command_line\n'));
  c = loadCase(caseDir);
  const ours = runOurs(c);
  if (ours.kind !== 'ok') throw new Error('the test case must convert');
  writeFileSync(join(dir, 'ours.ko'), ours.output);
  goldenDir = join(dir, 'golden');
  mkdirSync(goldenDir);
  writeFileSync(
    join(goldenDir, `${c.id}.golden`),
    formatGolden({ caseId: c.id, referenceLabel: 'v7', referenceSha256: '0'.repeat(64), dialect: 'symbols', toolchain: 'test', deviations: [], referenceOutcome: null, outputSha256: null, outcome: { kind: 'convert', dump: dumpText(dumpObject(readElf(ours.output), { hex: false })) } }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('bisect-run against a reference', () => {
  it('answers 0 when the reference writes what we write', async () => {
    const r = await against(script('same.sh', `cp '${join(dir, 'ours.ko')}' "$3"`));
    expect(r.exit).toBe(BISECT_EXIT.good);
    expect(r.cases).toEqual([{ id: c.id, verdict: 'agree', detail: 'match' }]);
  });

  it('answers 1 when it diverges: a reference that converts nothing, or one that crashes', async () => {
    expect((await against(script('copy.sh', 'cp "$2" "$3"'))).exit).toBe(BISECT_EXIT.bad);
    expect((await against(script('crash.sh', 'kill -SEGV $$'))).exit).toBe(BISECT_EXIT.bad);
  });

  it('answers 125 when the reference is missing, or the build command fails', async () => {
    expect((await against(join(dir, 'no-such-reference'))).exit).toBe(BISECT_EXIT.skip);
    const r = await against(script('same2.sh', `cp '${join(dir, 'ours.ko')}' "$3"`), { buildCmd: 'exit 3', cwd: dir });
    expect(r.exit).toBe(BISECT_EXIT.skip);
    expect(r.reason).toMatch(/build command failed \(exit status 3\)/);
  });

  it('runs the build command first, through a shell, so it may create the reference', async () => {
    const ref = join(dir, 'built-ref.sh');
    const r = await against(ref, { buildCmd: `printf '#!/bin/sh\\ncp "%s" "$3"\\n' '${join(dir, 'ours.ko')}' > built-ref.sh && chmod +x built-ref.sh`, cwd: dir });
    expect(r.exit).toBe(BISECT_EXIT.good);
  });
});

describe('bisect-run against the goldens', () => {
  it('answers 0 when our converter reproduces the golden, 125 when there is none', async () => {
    expect((await bisectRun({ cases: [c], goldenDir })).exit).toBe(BISECT_EXIT.good);
    expect((await bisectRun({ cases: [c], goldenDir: join(dir, 'empty') })).exit).toBe(BISECT_EXIT.skip);
  });

  it('answers 1 when the converter under test (--ours) writes something else, 125 when it is not built', async () => {
    const checkout = join(dir, 'checkout');
    mkdirSync(join(checkout, 'dist/src'), { recursive: true });
    writeFileSync(join(checkout, 'dist/src/convert.js'), 'export function convert(input) { return { output: input }; }\n');
    expect((await bisectRun({ cases: [c], goldenDir, ours: checkout })).exit).toBe(BISECT_EXIT.bad);
    expect((await bisectRun({ cases: [c], goldenDir, ours: join(dir, 'not-built') })).exit).toBe(BISECT_EXIT.skip);
  });
});
