// The classifier on real objects (compiled with the host gcc) against stand-in references.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCase, type Case } from './case.js';
import { classify, classPasses } from './classify.js';
import type { Ledger } from './ledger.js';
import { runOurs } from './ours.js';
import { referenceCommand, runReference } from './reference.js';
import { compileObject, ourOutput, standIn, standInWriting, SYMBOLS, SYMBOLS_MISSING, tempDir, withByte, writeCase } from './testing/fixtures.js';

const NO_LEDGER: Ledger = { label: 'test', path: null, entries: [] };
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

async function classifyWith(c: Case, script: string, ledger = NO_LEDGER, timeoutMs?: number) {
  const out = await runReference(referenceCommand({ reference: script }), c, timeoutMs);
  return classify(runOurs(c), out, ledger, c.id);
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

  it('allows header fields only under known, and only those the ledger names', async () => {
    const script = standInWriting(dir, 'eflags', withByte(expected, E_FLAGS_64, 0x7));
    const plain = await classifyWith(good, script);
    expect(plain).toMatchObject({ class: 'diverge', differingSections: ['header'] });
    const ledger: Ledger = { label: 'test', path: null, entries: [{ id: 'drops-flags', what: 'header.e_flags', why: 'test', cases: ['good'], match: { kind: 'header-fields', fields: ['flags'] } }] };
    expect(await classifyWith(good, script, ledger)).toMatchObject({ class: 'known', agreement: 'sections', ledger: 'drops-flags' });
    const osabiOnly: Ledger = { ...ledger, entries: [{ ...ledger.entries[0]!, match: { kind: 'header-fields', fields: ['osabi'] } }] };
    expect((await classifyWith(good, script, osabiOnly)).class).toBe('diverge');
  });

  it('calls a reference killed by a signal refCrash', async () => {
    const r = await classifyWith(good, standIn(dir, 'crash', 'kill -SEGV $$'));
    expect(r.class).toBe('refCrash');
    expect(r.note).toContain('SIGSEGV');
  });

  it('calls a reference that outlives its timeout refTimeout', async () => {
    const r = await classifyWith(good, standIn(dir, 'hang', 'exec sleep 60'), NO_LEDGER, 300);
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

  it('calls our refusal of a case the reference converts oursReject, unless the ledger names it', async () => {
    const script = standIn(dir, 'copy-input', 'for a in "$@"; do case "$a" in *.ko) IN="$a"; break;; esac; done; cp "$IN" "$OUT"');
    expect((await classifyWith(missing, script)).class).toBe('oursReject');
    const ledger: Ledger = { label: 'test', path: null, entries: [{ id: 'lenient', what: 'outcome', why: 'test', cases: ['missing'], match: { kind: 'outcome', ours: 'missing-symbol', reference: 'ok' } }] };
    expect(await classifyWith(missing, script, ledger)).toMatchObject({ class: 'known', ledger: 'lenient', agreement: null });
  });

  it('lets a reference-rejects entry cover a reference bug whatever the message of ours', async () => {
    const script = standIn(dir, 'beyond', 'echo "klp-convert: section .rela.klp.module_relocs.vmlinux length beyond nr_entries" >&2; exit 1');
    const ledger: Ledger = { label: 'test', path: null, entries: [{ id: 'ppc32', what: 'x', why: 'y', cases: [], match: { kind: 'reference-rejects', stderrIncludes: 'length beyond nr_entries', ours: ['ok'] } }] };
    expect((await classifyWith(good, script, ledger)).class).toBe('known');
    expect((await classifyWith(missing, script, ledger)).class).toBe('bothReject');
  });
});
