// ddmin and the object edits are covered with a fake classifier (CI has no reference); the
// done-when of the minimizer (a real compiled case against the 2019 v4 build) runs when that
// build is at hand.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeRelocs, decodeSymbols, isRelocSection, readElf, SHF_ALLOC, SHF_WRITE, STB_LOCAL, symtabIndex,
} from '../../src/elf/index.js';
import { moduleBytes, pc32, R_X86_64_64, text } from '../../src/klp/index.js';
import { bisectRun, BISECT_EXIT } from './bisect.js';
import { findCases, loadCase } from '../case.js';
import { referenceModel } from '../references/index.js';
import { ddmin, minimizeCase, minimizeObject, sectionRole, writeMinimizedCase } from './minimize.js';
import { referenceCommand } from '../differential/reference.js';

describe('ddmin', () => {
  it('finds the two items a failure needs among a hundred', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const stats = { tests: 0 };
    const found = await ddmin(items, (s) => s.includes(17) && s.includes(42), stats);
    expect(found).toEqual([17, 42]);
    expect(stats.tests).toBeLessThan(100);
  });

  it('returns a 1-minimal set when the failure needs any one of several items', async () => {
    const found = await ddmin(Array.from({ length: 30 }, (_, i) => i), (s) => s.some((x) => x % 7 === 3));
    expect(found).toHaveLength(1);
    expect(found[0]! % 7).toBe(3);
  });

  it('keeps the items in their order and all of them when each is needed', async () => {
    expect(await ddmin(['a', 'b', 'c'], (s) => s.length === 3)).toEqual(['a', 'b', 'c']);
    expect(await ddmin([1, 2, 3], () => true)).toEqual([]);
  });
});

describe('sectionRole', () => {
  it('groups klp rela sections by object and ordinary relocation sections together', () => {
    expect(sectionRole('.klp.rela.vmlinux..text.klp_fast')).toBe('.klp.rela.vmlinux.*');
    expect(sectionRole('.klp.rela.test_mod..data')).toBe('.klp.rela.test_mod.*');
    expect(sectionRole('.rela.text.unlikely')).toBe('.rela*');
    expect(sectionRole('.rela.text#2')).toBe('.rela*');
    expect(sectionRole('.symtab')).toBe('.symtab');
  });
});

describe('minimizeObject', () => {
  // A fake "divergence": some relocation to `shared` is left in .text and another in .data.
  const input = moduleBytes({
    sections: [text('.text'), text('.text.unlikely'), { name: '.data', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(64) }],
    symbols: [{ name: 'local_fn', bind: STB_LOCAL, section: '.text', type: 2 }, { name: 'shared' }, { name: 'printk' }, { name: 'other' }],
    relocs: {
      '.text': [pc32(3, 'shared'), pc32(9, 'printk'), pc32(15, 'shared'), pc32(21, 'local_fn'), pc32(27, 'other')],
      '.text.unlikely': [pc32(1, 'other'), pc32(5, 'shared')],
      '.data': [{ offset: 0n, type: R_X86_64_64, symbol: 'shared' }, { offset: 8n, type: R_X86_64_64, symbol: 'printk' }],
    },
  });
  const usesOfShared = (bytes: Uint8Array): string[] => {
    const obj = readElf(bytes);
    const syms = decodeSymbols(obj, symtabIndex(obj));
    return obj.sections.filter(isRelocSection).flatMap((s) => decodeRelocs(obj.header.ident, s).filter((r) => syms[r.symbol]?.name === 'shared').map(() => s.name));
  };
  const diverges = async (bytes: Uint8Array): Promise<boolean> => {
    const uses = usesOfShared(bytes);
    return uses.includes('.rela.text') && uses.includes('.rela.data');
  };

  it('keeps one relocation per needed section, drops unrelated symbols and sections, and stays valid', async () => {
    const r = await minimizeObject(input, diverges);
    const obj = readElf(r.bytes);
    expect(r.after.relocations).toBe(2);
    expect(usesOfShared(r.bytes).sort()).toEqual(['.rela.data', '.rela.text']);
    const names = decodeSymbols(obj, symtabIndex(obj)).map((s) => s.name);
    expect(names).not.toContain('printk');
    expect(names).not.toContain('other');
    expect(obj.sections.map((s) => s.name)).not.toContain('.text.unlikely');
    expect(obj.sections[symtabIndex(obj)]!.info).toBe(decodeSymbols(obj, symtabIndex(obj)).filter((s) => s.bind === STB_LOCAL).length);
    expect(r.removed.relocations.length).toBe(r.before.relocations - 2);
  });
});

const V4 = '/tmp/ref/v4/klp-convert';
const V7 = '/tmp/ref/v7/klp-convert';
const CASE = join(import.meta.dirname, '../../cases/compiled/x86_64-gcc-12-O2-ffs-symbols-sections');
const haveRefs = existsSync(V4) && existsSync(V7) && existsSync(CASE);

describe.skipIf(!haveRefs)(`a compiled case against the 2019 v4 build (needs ${V4} and ${V7})`, () => {
  it('minimizes relas sharing a symbol across sections to ≤ 6 relocations that still diverge; bisect-run says 1 against v4 and 0 against v7', async () => {
    const c = loadCase(CASE);
    const v4 = { reference: referenceCommand({ reference: V4 }), label: 'v4', model: referenceModel('v4') };
    const result = await minimizeCase(c, v4);
    expect(result.after.relocations).toBeLessThanOrEqual(6);
    expect(result.signature.class).toBe('diverge');
    const dir = mkdtempSync(join(tmpdir(), 'klp-min-test-'));
    try {
      const out = join(dir, 'min');
      writeMinimizedCase(out, c, result, 'v4');
      const [minimized] = findCases([out]);
      expect(minimized!.meta.minimizedFrom).toBe(c.id);
      for (const cases of [[minimized!], [c]]) {
        const against = (path: string, label: string) => bisectRun({ cases, reference: { command: () => referenceCommand({ reference: path }), label, model: () => referenceModel(label) } });
        expect((await against(V4, 'v4')).exit).toBe(BISECT_EXIT.bad);
        expect((await against(V7, 'v7')).exit).toBe(BISECT_EXIT.good);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
