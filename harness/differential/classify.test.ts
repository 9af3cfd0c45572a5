// The classifier on real objects (compiled with the host gcc) against stand-in references.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCase, type Case } from '../case.js';
import { classify, classPasses } from './classify.js';
import type { Deviation, ReferenceModel } from '../references/deviation.js';
import { runModel } from '../references/model.js';
import { runOurs } from './ours.js';
import { referenceCommand, runReference } from './reference.js';
import { compileObject, ourOutput, standIn, standInWriting, SYMBOLS, SYMBOLS_MISSING, tempDir, withByte, writeCase } from '../testing/fixtures.js';

const NO_MODEL: ReferenceModel = { label: 'test', describes: 'a stand-in', deviations: [] };
const modelOf = (...deviations: Deviation[]): ReferenceModel => ({ ...NO_MODEL, deviations });
const named = (id: string) => ({ id, divergence: 0, does: 'test', cases: [] });
const E_FLAGS_64 = 48;

let dir: string;
let good: Case;
let missing: Case;
let expected: Uint8Array;

beforeAll(() => {
  dir = tempDir();
  const obj = compileObject(dir);
  good = loadCase(writeCase(join(dir, 'cases'), 'good', obj, SYMBOLS));
  missing = loadCase(writeCase(join(dir, 'cases'), 'missing', obj, SYMBOLS_MISSING));
  expected = ourOutput(good.dir);
});

async function classifyWith(c: Case, script: string, model = NO_MODEL, timeoutMs?: number) {
  const out = await runReference(referenceCommand({ reference: script }), c, timeoutMs);
  return classify(runOurs(c), out, model, c.id);
}

describe('classify', () => {
  it('calls byte-identical outputs a match at the bytes level', async () => {
    const r = await classifyWith(good, standInWriting(dir, 'copy', expected));
    expect(r).toMatchObject({ class: 'match', agreement: 'bytes', diff: null, firstDifferingOffset: null });
    expect(classPasses(r)).toBe(true);
  });

  it('calls a one-byte change in a section a divergence, with a diff of that section only and the offset', async () => {
    // The first non-zero byte after the ELF header is in patched_a's code (.text is empty).
    const offset = expected.findIndex((b, i) => i >= 64 && b !== 0);
    const corrupted = withByte(expected, offset, expected[offset]! ^ 0xff);
    const r = await classifyWith(good, standInWriting(dir, 'corrupt', corrupted));
    expect(r.class).toBe('diverge');
    expect(r.firstDifferingOffset).toBe(offset);
    expect(r.differingSections.length).toBe(1);
    expect(r.diff).toContain(`section ${r.differingSections[0]}`);
    expect(r.diff).not.toContain('section .symtab\n');
    expect(classPasses(r)).toBe(false);
  });

  it('calls a difference known only when a deviation of the model reproduces it byte for byte', async () => {
    const script = standInWriting(dir, 'eflags', withByte(expected, E_FLAGS_64, 0x7));
    const plain = await classifyWith(good, script);
    expect(plain).toMatchObject({ class: 'diverge', differingSections: ['header'] });
    const setsFlags = (value: number): Deviation => ({ ...named(`sets-flags-${value}`), output: (out) => ((out.header = { ...out.header, flags: value }), true) });
    expect(await classifyWith(good, script, modelOf(setsFlags(7)))).toMatchObject({ class: 'known', agreement: 'bytes', deviations: ['sets-flags-7'] });
    const wrong = await classifyWith(good, script, modelOf(setsFlags(6)));
    expect(wrong).toMatchObject({ class: 'diverge', differingSections: ['header'] });
    expect(wrong.diff).toContain('+++ model/good');
    expect(wrong.model).toBe('the test model converts with sets-flags-6');
  });

  it('calls a reference killed by a signal refCrash', async () => {
    const r = await classifyWith(good, standIn(dir, 'crash', 'kill -SEGV $$'));
    expect(r.class).toBe('refCrash');
    expect(r.note).toContain('SIGSEGV');
  });

  it('calls a reference that outlives its timeout refTimeout', async () => {
    const r = await classifyWith(good, standIn(dir, 'hang', 'exec sleep 60'), NO_MODEL, 300);
    expect(r.class).toBe('refTimeout');
  });

  it('calls a reference refusal of a case we convert refReject, with its kind', async () => {
    const r = await classifyWith(good, standIn(dir, 'fail', 'echo "klp-convert: Unable to find missing symbol: klp_helper" >&2; exit 1'));
    expect(r.class).toBe('refReject');
    expect(r.referenceError?.kind).toBe('missing-symbol');
  });

  it('calls both refusing bothReject, and compares the kinds', async () => {
    const same = await classifyWith(missing, standIn(dir, 'missing', 'echo "klp-convert: Unable to find missing symbol: klp_helper" >&2; exit 1'));
    expect(same).toMatchObject({ class: 'bothReject', sameKind: true });
    expect(classPasses(same)).toBe(true);
    const other = await classifyWith(missing, standIn(dir, 'ambiguous', 'echo "klp-convert: Define KLP_SYMPOS for the symbol: klp_helper" >&2; exit 1'));
    expect(other).toMatchObject({ class: 'bothReject', sameKind: false });
    expect(classPasses(other)).toBe(false);
  });

  it('calls our refusal of a case the reference converts oursReject, unless the model reproduces what it wrote', async () => {
    const script = standIn(dir, 'copy-input', 'for a in "$@"; do case "$a" in *.ko) IN="$a"; break;; esac; done; cp "$IN" "$OUT"');
    const r = await classifyWith(missing, script);
    expect(r.class).toBe('oursReject');
    expect(r.model).toBe('the test model refuses (missing-symbol: klp_helper)');
    // A model that sets our refusal aside converts: known when the reference wrote exactly that,
    // and a divergence (not our refusal) when it wrote anything else.
    const lenient: Deviation = { ...named('converts-nothing'), plan: (st) => ((st.plan!.refusals = []), (st.plan!.conversions = []), (st.plan!.klpSections = []), true) };
    const modelled = runModel(modelOf(lenient), runOurs(missing).case).outcome;
    if (modelled.kind !== 'ok') throw new Error('the lenient model must convert');
    const known = await classifyWith(missing, standInWriting(dir, 'lenient', modelled.output), modelOf(lenient));
    expect(known).toMatchObject({ class: 'known', deviations: ['converts-nothing'] });
    expect((await classifyWith(missing, script, modelOf(lenient))).class).toBe('diverge');
  });

  it('calls a reference refusal known only when the model gives the same kind naming the same section', async () => {
    const script = standIn(dir, 'beyond', 'echo "klp-convert: section .rela.klp.module_relocs.vmlinux length beyond nr_entries" >&2; exit 1');
    const predicts = (subject: string): Deviation => ({
      ...named(`beyond-${subject}`),
      predict: (_s, phase) => (phase === 'annotations' ? { kind: 'reject', errorKind: 'bad-annotation', subject, reason: 'test' } : undefined),
    });
    expect((await classifyWith(good, script, modelOf(predicts('.rela.klp.module_relocs.vmlinux')))).class).toBe('known');
    const other = await classifyWith(good, script, modelOf(predicts('.rela.klp.module_relocs.nfsd')));
    expect(other.class).toBe('refReject');
    expect(other.referenceError).toMatchObject({ kind: 'bad-annotation', subject: '.rela.klp.module_relocs.vmlinux' });
    expect((await classifyWith(missing, script, modelOf(predicts('.rela.klp.module_relocs.vmlinux')))).class).toBe('known');
  });

  it('calls a crash known only when the model predicts it', async () => {
    const crash = standIn(dir, 'crash2', 'kill -SEGV $$');
    const predictsCrash: Deviation = { ...named('crashes'), predict: (_s, phase) => (phase === 'read' ? { kind: 'crash', signal: 'SIGSEGV', reason: 'test' } : undefined) };
    expect((await classifyWith(good, crash, modelOf(predictsCrash))).class).toBe('known');
    expect((await classifyWith(good, crash)).class).toBe('refCrash');
  });
});
