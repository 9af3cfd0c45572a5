// Each deviation on the smallest object that shows it: run through a model that has only that
// deviation, against the same model without it. A deviation that stands in for one of our
// refusals is also shown not to explain a refusal it is not about.
import { describe, expect, it } from 'vitest';
import {
  buildObject, decodeRelocs, decodeSymbols, type ElfObject, EM, type ObjectSpec, readElf, SHF_ALLOC,
  SHF_EXECINSTR, SHF_WRITE, SHN_ABS, SHT_GROUP, STB_LOCAL, symtabIndex, writeElf,
} from '../../src/elf/index.js';
import { KlpError } from '../../src/klp/index.js';
import type { CaseInput, Deviation, ReferenceModel } from './deviation.js';
import {
  addendsTruncated, alignmentFailsAtWrite, annotationEntriesOf12Bytes, convertsLoadTimeSections, crashesOnSymbolBeforeObject, crashesWithoutRelaAnnotations,
  findsShstrtabByName, freshHeader, ignoresRel, klpNamesRunTogether, klpSectionsByName, relaHeadersByName, reservedIndexUndefined, staleLinks,
  symposInFourBytes, symposInHostOrder, takesAnyObjectName,
} from './deviations.js';
import { runModel, type ModelOutcome } from './model.js';
import { REFERENCE_MODELS } from './index.js';

const named = (id: string) => ({ id, divergence: 0, does: 'test', cases: [] });
const model = (...deviations: Deviation[]): ReferenceModel => ({ label: 'test', describes: 'test', deviations });
const R_X86_64_64 = 1;
const R_X86_64_PC32 = 2;
const R_386_32 = 1;
const R_390_64 = 22;
const R_PPC_ADDR32 = 1;
const text = (name = '.text') => ({ name, flags: SHF_ALLOC | SHF_EXECINSTR, addralign: 16n, data: new Uint8Array(32) });
const enc = new TextEncoder();
const list = (body: string): Uint8Array => enc.encode(`klp-convert-symbol-data.0.1\n${body}`);

function symbolsCase(spec: Omit<ObjectSpec, 'machine'> & { machine?: number }, symbols: string, edit?: (o: ElfObject) => void): CaseInput {
  const obj = buildObject({ machine: EM.X86_64, ...spec });
  edit?.(obj);
  return { dialect: 'symbols', input: writeElf(obj), symbols: list(symbols) };
}

const ok = (o: ModelOutcome): ElfObject => {
  if (o.kind !== 'ok') throw new Error(`expected a conversion, got ${JSON.stringify(o)}`);
  return readElf(o.output);
};
const names = (o: ElfObject): string[] => o.sections.map((s) => s.name);

/** One use of saved_command_line from .text: the plainest convertible module. */
const plain = (extra: Partial<ObjectSpec> = {}): CaseInput =>
  symbolsCase({ sections: [text()], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [{ offset: 0n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }] }, ...extra }, '*vmlinux\nsaved_command_line\n');

/** Makes section `b` (and its rela section) carry section `a`'s name, as two COMDAT sections do. */
function sameName(o: ElfObject, a: string, b: string): void {
  for (const [from, to] of [[b, a], [`.rela${b}`, `.rela${a}`]] as const) {
    const src = o.sections.find((s) => s.name === to)!;
    const dst = o.sections.find((s) => s.name === from)!;
    dst.name = src.name;
    dst.nameOffset = src.nameOffset;
  }
}

describe('reference deviations', () => {
  it('fresh header: e_flags, EI_OSABI, EI_ABIVERSION and e_entry become 0 (or all but e_flags)', () => {
    const c = plain({ machine: EM.PPC64, flags: 2, osabi: 3 });
    expect(ok(runModel(model(), c).outcome).header).toMatchObject({ flags: 2, ident: { osabi: 3 } });
    const v7 = runModel(model(freshHeader(named('h'), { keepsFlags: false })), c);
    expect(v7.used).toEqual(['h']);
    expect(ok(v7.outcome).header).toMatchObject({ flags: 0, ident: { osabi: 0 } });
    expect(ok(runModel(model(freshHeader(named('h'), { keepsFlags: true })), c).outcome).header).toMatchObject({ flags: 2, ident: { osabi: 0 } });
    expect(runModel(model(freshHeader(named('h'), { keepsFlags: false })), plain()).used).toEqual([]);
  });

  it('addends truncated: every RELA addend keeps its low 32 bits, sign-extended', () => {
    const c = symbolsCase(
      { sections: [{ name: '.data', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(16) }], symbols: [{ name: 'saved_command_line' }], relocs: { '.data': [{ offset: 0n, type: R_X86_64_64, symbol: 'saved_command_line', addend: 0x100000005n }, { offset: 8n, type: R_X86_64_64, symbol: 'saved_command_line', addend: -0x100000008n }] } },
      '*vmlinux\nsaved_command_line\n',
    );
    const out = ok(runModel(model(addendsTruncated(named('a'))), c).outcome);
    const klp = out.sections.find((s) => s.name.startsWith('.klp.rela.'))!;
    expect(decodeRelocs(out.header.ident, klp).map((r) => r.addend)).toEqual([5n, -8n]);
    expect(runModel(model(addendsTruncated(named('a'))), plain()).used).toEqual([]);
  });

  const twoSameNamed = (): CaseInput =>
    symbolsCase(
      {
        sections: [text('.text.a'), text('.text.b')],
        symbols: [{ name: 'saved_command_line' }],
        relocs: {
          '.text.a': [{ offset: 0n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }],
          '.text.b': [{ offset: 4n, type: R_X86_64_PC32, symbol: 'saved_command_line', addend: -4n }],
        },
      },
      '*vmlinux\nsaved_command_line\n',
      (o) => sameName(o, '.text.a', '.text.b'),
    );

  it('rela headers by name: every .rela.X relocates the first X; a name naming no section stops the reference', () => {
    const ours = ok(runModel(model(), twoSameNamed()).outcome);
    const rela = ours.sections.map((s, i) => ({ s, i })).filter(({ s }) => s.name === '.rela.text.a');
    expect(rela.map(({ s }) => ours.sections[s.info]!.name)).toEqual(['.text.a', '.text.a']);
    expect(rela[0]!.s.info).not.toBe(rela[1]!.s.info);
    const theirs = ok(runModel(model(relaHeadersByName(named('r'))), twoSameNamed()).outcome);
    const first = theirs.sections.findIndex((s) => s.name === '.text.a');
    expect(theirs.sections.filter((s) => s.name === '.rela.text.a').map((s) => s.info)).toEqual([first, first]);
    const orphan = symbolsCase({ sections: [text()], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [{ offset: 0n, type: R_X86_64_PC32, symbol: 'saved_command_line' }] } }, '*vmlinux\nsaved_command_line\n');
    expect(runModel(model(relaHeadersByName(named('r'))), renamed(orphan, '.rela.text', '.rela.txet')).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-elf', subject: '.rela.txet' });
  });

  it('klp sections by name: relocations of same-named sections share one klp section, relocating the first', () => {
    const ours = ok(runModel(model(), twoSameNamed()).outcome);
    expect(names(ours).filter((n) => n.startsWith('.klp.rela.'))).toEqual(['.klp.rela.vmlinux..text.a', '.klp.rela.vmlinux..text.a']);
    const m = runModel(model(klpSectionsByName(named('k'))), twoSameNamed());
    expect(m.used).toEqual(['k']);
    const theirs = ok(m.outcome);
    const klp = theirs.sections.filter((s) => s.name.startsWith('.klp.rela.'));
    expect(klp).toHaveLength(1);
    expect(decodeRelocs(theirs.header.ident, klp[0]!)).toHaveLength(2);
    expect(klp[0]!.info).toBe(theirs.sections.findIndex((s) => s.name === '.text.a'));
  });

  it('klp names run together: no dot between the object and a base without one (annotation dialect)', () => {
    const sym = '.klp.sym.rela.vmlinux.vmlinux.key,0';
    const obj = buildObject({ machine: EM.X86_64, sections: [{ name: '__data_x', flags: SHF_ALLOC | SHF_WRITE, addralign: 8n, data: new Uint8Array(8) }], symbols: [{ name: sym }], relocs: { '__data_x': [{ offset: 0n, type: R_X86_64_64, symbol: sym }] } });
    const c: CaseInput = { dialect: 'annotation', input: writeElf(obj) };
    expect(names(ok(runModel(model(), c).outcome))).toContain('.klp.rela.vmlinux.__data_x');
    expect(names(ok(runModel(model(klpNamesRunTogether(named('n'))), c).outcome))).toContain('.klp.rela.vmlinux__data_x');
  });

  it('reserved index undefined: an ABS symbol is "missing" unless listed, then converted', () => {
    const spec = { sections: [text()], symbols: [{ name: '__crc_x', section: SHN_ABS, value: 0x1234n }], relocs: { '.text': [{ offset: 0n, type: R_X86_64_64, symbol: '__crc_x' }] } };
    const c = symbolsCase(spec, '*vmlinux\nother\n');
    expect(runModel(model(), c).outcome.kind).toBe('ok');
    expect(runModel(model(reservedIndexUndefined(named('abs'))), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'missing-symbol', subject: '__crc_x' });
    const listed = ok(runModel(model(reservedIndexUndefined(named('abs'))), symbolsCase(spec, '*vmlinux\n__crc_x\n')).outcome);
    expect(decodeSymbols(listed, symtabIndex(listed)).map((s) => s.name)).toContain('.klp.sym.vmlinux.__crc_x,0');
  });

  it('converts load-time sections: sets aside our refusal only where the kernel rule says so', () => {
    const c = symbolsCase({ sections: [text(), { name: '.altinstructions', flags: SHF_ALLOC, addralign: 1n, data: new Uint8Array(16) }], symbols: [{ name: 'saved_command_line' }], relocs: { '.altinstructions': [{ offset: 0n, type: R_X86_64_PC32, symbol: 'saved_command_line' }] } }, '*vmlinux\nsaved_command_line\n');
    expect(runModel(model(), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'unsupported-section' });
    expect(names(ok(runModel(model(convertsLoadTimeSections(named('lt'))), c).outcome))).toContain('.klp.rela.vmlinux..altinstructions');
    // A refusal of a legal relocation (a bug of ours) is not explained away.
    const buggy: Deviation = { ...named('bug'), plan: (s) => (s.plan!.refusals.push(new KlpError('unsupported-section', 'wrongly refused', { section: '.rela.text', symbol: 'saved_command_line' })), true) };
    expect(runModel(model(buggy, convertsLoadTimeSections(named('lt'))), plain()).outcome).toMatchObject({ kind: 'reject', errorKind: 'unsupported-section' });
  });

  it('ignores SHT_REL: the REL relocations stay, only a refusal naming a REL section is set aside', () => {
    const c = symbolsCase({ is64: false, machine: EM.I386, rel: true, sections: [text()], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [{ offset: 0n, type: R_386_32, symbol: 'saved_command_line' }] } }, '*vmlinux\nsaved_command_line\n');
    expect(runModel(model(), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'unsupported-relocation' });
    const out = ok(runModel(model(ignoresRel(named('rel'))), c).outcome);
    expect(names(out).some((n) => n.startsWith('.klp.rela.'))).toBe(false);
    const buggy: Deviation = { ...named('bug'), plan: (s) => (s.plan!.refusals.push(new KlpError('unsupported-relocation', 'wrongly refused', { section: '.rela.text' })), true) };
    expect(runModel(model(buggy, ignoresRel(named('rel'))), plain()).outcome).toMatchObject({ kind: 'reject', errorKind: 'unsupported-relocation' });
  });

  /** KLP_SYMPOS(dup, pos) in entries of `size` bytes. */
  function annotated(opts: { size: number; pos: number; is64?: boolean; littleEndian?: boolean; machine?: number; type?: number; rel?: boolean }, count = 3): CaseInput {
    const data = new Uint8Array(opts.size);
    new DataView(data.buffer).setUint32(opts.size - 4, opts.pos, opts.littleEndian ?? true);
    return symbolsCase(
      {
        is64: opts.is64 ?? true, littleEndian: opts.littleEndian ?? true, machine: opts.machine ?? EM.X86_64, ...(opts.rel ? { rel: true } : {}),
        sections: [text(), { name: '.klp.module_relocs.vmlinux', flags: SHF_ALLOC | SHF_WRITE, addralign: 1n, data }],
        symbols: [{ name: 'entries', bind: STB_LOCAL, section: '.klp.module_relocs.vmlinux', type: 1 }, { name: 'dup' }],
        relocs: { '.text': [{ offset: 0n, type: opts.type ?? R_X86_64_PC32, symbol: 'dup' }], '.klp.module_relocs.vmlinux': [{ offset: 0n, type: opts.type ?? R_X86_64_64, symbol: 'dup' }] },
      },
      `*vmlinux\n${'dup\n'.repeat(count)}`,
    );
  }

  it('annotation entries of 12 bytes: 8-byte entries of a 32-bit target stop the reference', () => {
    const c = annotated({ size: 8, pos: 2, is64: false, littleEndian: false, machine: EM.PPC, type: R_PPC_ADDR32 });
    expect(runModel(model(), c).outcome.kind).toBe('ok');
    expect(runModel(model(annotationEntriesOf12Bytes(named('e12'))), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-annotation', subject: '.rela.klp.module_relocs.vmlinux' });
    expect(runModel(model(annotationEntriesOf12Bytes(named('e12'))), annotated({ size: 12, pos: 2 })).outcome.kind).toBe('ok');
  });

  it('crashes without RELA annotations: SHT_REL sympos annotations are a SIGSEGV', () => {
    const c = annotated({ size: 8, pos: 2, is64: false, machine: EM.I386, type: R_386_32, rel: true });
    expect(runModel(model(), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'unsupported-relocation' });
    expect(runModel(model(crashesWithoutRelaAnnotations(named('c'))), c).outcome).toMatchObject({ kind: 'crash', signal: 'SIGSEGV' });
  });

  it('sympos in host order: on a big-endian target sympos 2 reads as 0x2000000', () => {
    const c = annotated({ size: 12, pos: 2, littleEndian: false, machine: EM.S390, type: R_390_64 });
    expect(runModel(model(), c).outcome.kind).toBe('ok');
    expect(runModel(model(symposInHostOrder(named('bo'))), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-sympos', subject: 'dup' });
  });

  it('sympos in host order: the refusal names the first bad annotation the scan meets, not the first written', () => {
    // Annotations for `first`, then `second`; .text uses `second` first. Both read as 16777216.
    const data = new Uint8Array(24);
    data[11] = 1;
    data[23] = 1;
    const c = symbolsCase(
      {
        machine: EM.S390, littleEndian: false,
        sections: [text(), { name: '.klp.module_relocs.vmlinux', flags: SHF_ALLOC | SHF_WRITE, addralign: 1n, data }],
        symbols: [{ name: 'first' }, { name: 'second' }],
        relocs: {
          '.text': [{ offset: 0n, type: R_390_64, symbol: 'second' }, { offset: 8n, type: R_390_64, symbol: 'first' }],
          '.klp.module_relocs.vmlinux': [{ offset: 0n, type: R_390_64, symbol: 'first' }, { offset: 12n, type: R_390_64, symbol: 'second' }],
        },
      },
      '*vmlinux\nfirst\nfirst\nsecond\nsecond\n',
    );
    expect(runModel(model(), c).outcome.kind).toBe('ok');
    expect(runModel(model(symposInHostOrder(named('bo'))), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-sympos', subject: 'second' });
  });

  it('crashes on a symbol before the first object: SIGSEGV where we refuse the file', () => {
    const c: CaseInput = { ...plain(), symbols: list('saved_command_line\n*vmlinux\nsaved_command_line\n') };
    expect(runModel(model(), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-symbols-file' });
    expect(runModel(model(crashesOnSymbolBeforeObject(named('so'))), c).outcome).toMatchObject({ kind: 'crash', signal: 'SIGSEGV' });
    expect(runModel(model(crashesOnSymbolBeforeObject(named('so'))), plain()).outcome.kind).toBe('ok');
  });

  it('sympos in four bytes: 1234 is written as 123, 12000 stops the renaming', () => {
    const names1234 = (o: ModelOutcome) => decodeSymbols(ok(o), symtabIndex(ok(o))).map((s) => s.name);
    expect(names1234(runModel(model(), annotated({ size: 12, pos: 1234 }, 1234)).outcome)).toContain('.klp.sym.vmlinux.dup,1234');
    expect(names1234(runModel(model(symposInFourBytes(named('s4'))), annotated({ size: 12, pos: 1234 }, 1234)).outcome)).toContain('.klp.sym.vmlinux.dup,123');
    expect(runModel(model(symposInFourBytes(named('s4'))), annotated({ size: 12, pos: 12000 }, 12000)).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-sympos', subject: 'dup' });
  });

  it('stale links: group members and SHF_LINK_ORDER links keep their indices after annotation sections go', () => {
    const c = annotated({ size: 12, pos: 2 });
    const withGroup = (inp: Uint8Array): Uint8Array => {
      const o = readElf(inp);
      const t = o.sections.findIndex((s) => s.name === '.text');
      const data = new Uint8Array(8);
      new DataView(data.buffer).setUint32(0, 1, true);
      new DataView(data.buffer).setUint32(4, t, true);
      o.sections.push({ name: '.text', nameOffset: o.sections[t]!.nameOffset, type: SHT_GROUP, flags: 0n, addr: 0n, offset: 0, size: 8, link: symtabIndex(o), info: 2, addralign: 4n, entsize: 4n, data });
      return writeElf(o);
    };
    const g: CaseInput = { ...c, input: withGroup(c.input) };
    const group = (o: ElfObject) => o.sections.find((s) => s.type === SHT_GROUP)!;
    const ours = ok(runModel(model(), g).outcome);
    const theirs = ok(runModel(model(staleLinks(named('st'))), g).outcome);
    const inputText = readElf(g.input).sections.findIndex((s) => s.name === '.text');
    expect(new DataView(group(ours).data.buffer, group(ours).data.byteOffset).getUint32(4, true)).toBe(ours.sections.findIndex((s) => s.name === '.text'));
    expect(new DataView(group(theirs).data.buffer, group(theirs).data.byteOffset).getUint32(4, true)).toBe(inputText);
  });

  it('alignment fails at write: an alignment of 3 is an internal error, after any refusal the input earns', () => {
    const c = plain();
    const bad = (inp: Uint8Array): Uint8Array => {
      const o = readElf(inp);
      const at = Number(new DataView(inp.buffer, inp.byteOffset).getBigUint64(40, true)) + o.sections.findIndex((s) => s.name === '.text') * 64 + 48;
      const copy = new Uint8Array(inp);
      new DataView(copy.buffer).setBigUint64(at, 3n, true);
      return copy;
    };
    const broken: CaseInput = { ...c, input: bad(c.input) };
    expect(runModel(model(), broken).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-elf' });
    expect(runModel(model(alignmentFailsAtWrite(named('al'))), broken).outcome).toMatchObject({ kind: 'reject', errorKind: 'internal' });
    expect(runModel(model(alignmentFailsAtWrite(named('al'))), { ...broken, symbols: list('*vmlinux\nother\n') }).outcome).toMatchObject({ kind: 'reject', errorKind: 'missing-symbol' });
  });

  it('finds .shstrtab by name: section names in a table of another name stop the reference at write, after any refusal', () => {
    const c = plain();
    // The table's own name, respelled in place (same length): as clang -c's shared `.strtab`.
    const text = Buffer.from(c.input).toString('latin1');
    const at = text.indexOf('.shstrtab\0');
    expect(at).toBeGreaterThan(0);
    const input = new Uint8Array(c.input);
    input.set(enc.encode('.sectname'), at);
    const renamed: CaseInput = { ...c, input };
    expect(readElf(input).sections.some((s) => s.name === '.shstrtab')).toBe(false);
    expect(runModel(model(), renamed).outcome.kind).toBe('ok');
    const dev = findsShstrtabByName(named('sh'));
    expect(runModel(model(dev), renamed)).toMatchObject({ outcome: { kind: 'reject', errorKind: 'bad-elf' }, used: ['sh'] });
    expect(runModel(model(dev), c).outcome.kind).toBe('ok');
    expect(runModel(model(dev), { ...renamed, symbols: list('*vmlinux\nother\n') }).outcome).toMatchObject({ kind: 'reject', errorKind: 'missing-symbol' });
  });

  it('takes any object name: a control character in an object name does not stop the reference', () => {
    const c: CaseInput = { ...plain(), symbols: list('*vmlinux\nsaved_command_line\n*bad\x01obj\nsaved_command_line\n') };
    expect(runModel(model(), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'bad-symbols-file' });
    expect(runModel(model(takesAnyObjectName(named('obj'))), c).outcome).toMatchObject({ kind: 'reject', errorKind: 'ambiguous-symbol', subject: 'saved_command_line' });
  });
});

describe('the reference models', () => {
  it('give every deviation a unique id, its own reference as prefix, a divergence row and a case', () => {
    const ids = REFERENCE_MODELS.flatMap((m) => m.deviations.map((d) => d.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of REFERENCE_MODELS) {
      for (const d of m.deviations) {
        expect(d.id.startsWith(`${m.label}-`), d.id).toBe(true);
        expect(d.divergence, d.id).toBeGreaterThan(0);
      }
    }
  });
});

/** The case with one section's name replaced in .shstrtab (same length), so the writer keeps it. */
function renamed(c: CaseInput, from: string, to: string): CaseInput {
  const o = readElf(c.input);
  const shstr = o.sections[o.shstrndx]!;
  const text = Buffer.from(shstr.data).toString('latin1');
  const at = text.indexOf(`${from}\0`);
  if (at < 0 || from.length !== to.length) throw new Error('renamed: same-length names only');
  const data = new Uint8Array(shstr.data);
  data.set(enc.encode(to), at);
  shstr.data = data;
  return { ...c, input: writeElf(o) };
}
