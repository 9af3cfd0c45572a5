// Scenario → relocatable object: assemble with the real GNU binutils and `ld -r` it with a .mod.o,
// the way kbuild links a .ko. No shell; every temporary file lives in one directory that is always
// removed. The bytes depend only on the scenario (and the binutils version). A post-link scenario
// is assembled twice: its `__klp_relocs` entries copy what the first pass's relocations say.
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { decodeRelocs, decodeSymbols, type ElfObject, isRelocSection, readElf, symtabIndex } from '../../src/elf/index.js';
import { isKlpRelocsSection } from '../../src/klp/index.js';
import { writeOutput } from '../../src/io/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Arch, CaseMeta } from '../case.js';
import { HarnessError } from '../errors.js';
import { mapPool } from '../differential/pool.js';
import { postLinkEntries, renderLivepatch, renderModObject } from './render.js';
import {
  constrainedArches, GENERATED_ARCHES, exercises, expectedOutcome, scenarioArbitrary, sharing, summarize, symbolsFile,
  type Scenario, type ScenarioConstraints,
} from './scenario.js';
import { writeCaseFiles } from '../case.js';

export interface Toolchain {
  as: string[];
  ld: string[];
}

/** The binutils each architecture is built with (Debian: binutils, binutils-<triplet>). */
export const TOOLCHAINS: Record<Arch, Toolchain> = {
  x86_64: { as: ['as', '--64'], ld: ['ld', '-m', 'elf_x86_64'] },
  i386: { as: ['as', '--32'], ld: ['ld', '-m', 'elf_i386'] },
  aarch64: { as: ['aarch64-linux-gnu-as'], ld: ['aarch64-linux-gnu-ld', '-m', 'aarch64linux'] },
  ppc64le: { as: ['powerpc64le-linux-gnu-as', '-a64', '-mlittle'], ld: ['powerpc64le-linux-gnu-ld', '-m', 'elf64lppc'] },
  ppc64: { as: ['powerpc-linux-gnu-as', '-a64', '-mbig'], ld: ['powerpc-linux-gnu-ld', '-m', 'elf64ppc'] },
  s390x: { as: ['s390x-linux-gnu-as', '-m64'], ld: ['s390x-linux-gnu-ld', '-m', 'elf64_s390'] },
  ppc32: { as: ['powerpc-linux-gnu-as', '-a32', '-mbig'], ld: ['powerpc-linux-gnu-ld', '-m', 'elf32ppclinux'] },
};

/** Debian packages that provide TOOLCHAINS, for messages and CI. */
export const TOOLCHAIN_PACKAGES: Record<Arch, string> = {
  x86_64: 'binutils',
  i386: 'binutils',
  aarch64: 'binutils-aarch64-linux-gnu',
  ppc64le: 'binutils-powerpc64le-linux-gnu',
  ppc64: 'binutils-powerpc-linux-gnu',
  s390x: 'binutils-s390x-linux-gnu',
  ppc32: 'binutils-powerpc-linux-gnu',
};

const LD_FLAGS = ['-r', '--build-id=sha1'];
const TOOL_ENV = { LC_ALL: 'C' };

const available = new Map<Arch, Promise<boolean>>();
/** Whether the assembler and linker for `arch` run here. */
export function archAvailable(arch: Arch): Promise<boolean> {
  let p = available.get(arch);
  if (!p) {
    const tc = TOOLCHAINS[arch];
    const probe = async (argv: string[]): Promise<boolean> => {
      const r = await execa(argv[0]!, ['--version'], { reject: false, stdin: 'ignore', env: TOOL_ENV });
      return r.exitCode === 0;
    };
    p = Promise.all([probe(tc.as), probe(tc.ld)]).then(([a, l]) => a && l);
    available.set(arch, p);
  }
  return p;
}

/** The architectures whose binutils are installed, in GENERATED_ARCHES order. */
export async function availableArches(wanted: readonly Arch[] = GENERATED_ARCHES): Promise<Arch[]> {
  const ok = await Promise.all(wanted.map((a) => archAvailable(a)));
  return wanted.filter((_, i) => ok[i]);
}

/** The `ld --version` first line of the arch's linker, for case metadata. */
export async function binutilsVersion(arch: Arch): Promise<string> {
  const r = await execa(TOOLCHAINS[arch].ld[0]!, ['--version'], { reject: false, stdin: 'ignore', env: TOOL_ENV });
  return typeof r.stdout === 'string' ? (r.stdout.split('\n')[0] ?? '') : '';
}

export interface BuiltScenario {
  scenario: Scenario;
  input: Uint8Array;
  /** symbols.klp contents, for symbols-list scenarios. */
  symbols?: Uint8Array;
  /** "convert", or the error kind a correct converter refuses it with. */
  expect: string;
}

async function tool(argv: string[], args: string[], cwd: string, what: string): Promise<void> {
  const r = await execa(argv[0]!, [...argv.slice(1), ...args], { reject: false, cwd, stdin: 'ignore', env: TOOL_ENV, timeout: 60_000 });
  if (r.exitCode !== 0) {
    throw new HarnessError(`${what}: ${[argv[0], ...argv.slice(1), ...args].join(' ')} failed (${r.exitCode ?? r.signal}):\n${String(r.stderr).slice(0, 4000)}`);
  }
}

/**
 * Builds scenarios in one temporary directory, assembling each (arch, module) `.mod.o` once.
 * Call close() when done (buildScenarios does).
 */
export class ScenarioBuilder {
  private readonly dir = mkdtempSync(join(tmpdir(), 'klp-gen-'));
  private readonly mods = new Map<string, Promise<string>>();
  private next = 0;

  private modObject(arch: Arch, module: string): Promise<string> {
    const key = `${arch}-${module}`;
    let p = this.mods.get(key);
    if (!p) {
      p = (async () => {
        const dir = join(this.dir, `mod-${key}`);
        mkdirSync(dir);
        writeOutput(join(dir, `${module}.mod.s`), renderModObject(arch, module));
        await tool(TOOLCHAINS[arch].as, ['-o', `${module}.mod.o`, `${module}.mod.s`], dir, `${module}.mod.s (${arch})`);
        return join(dir, `${module}.mod.o`);
      })();
      this.mods.set(key, p);
    }
    return p;
  }

  async build(s: Scenario): Promise<BuiltScenario> {
    const tc = TOOLCHAINS[s.arch];
    const mod = await this.modObject(s.arch, s.module);
    const dir = join(this.dir, `s${this.next++}`);
    mkdirSync(dir);
    const what = `scenario ${summarize(s)}`;
    const assemble = async (name: string, source: string): Promise<ElfObject> => {
      writeOutput(join(dir, `${name}.s`), source);
      await tool(tc.as, ['-o', `${name}.o`, `${name}.s`], dir, what);
      return readElf(new Uint8Array(readFileSync(join(dir, `${name}.o`))));
    };
    try {
      if (s.dialect === 'post-link') {
        const first = await assemble(`${s.module}.pass1`, renderLivepatch(s));
        const second = await assemble(s.module, renderLivepatch(s, postLinkEntries(s, first)));
        const moved = codeRelocsDiffer(first, second);
        if (moved) throw new HarnessError(`${what}: the second pass moved a relocation the entries describe: ${moved}`);
      } else {
        await assemble(s.module, renderLivepatch(s));
      }
      await tool(tc.ld, [...LD_FLAGS, '-o', `${s.module}.ko`, `${s.module}.o`, mod], dir, what);
      const input = new Uint8Array(readFileSync(join(dir, `${s.module}.ko`)));
      const symbols = s.dialect === 'symbols' ? new TextEncoder().encode(symbolsFile(s)) : undefined;
      return { scenario: s, input, ...(symbols ? { symbols } : {}), expect: expectedOutcome(s) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The relocations outside `__klp_relocs`, by name: what the two post-link passes must agree on. */
function codeRelocs(obj: ElfObject): string[] {
  const symtab = symtabIndex(obj);
  const symbols = decodeSymbols(obj, symtab);
  return obj.sections
    .filter((rela) => isRelocSection(rela) && !isKlpRelocsSection(obj.sections[rela.info]?.name ?? ''))
    .flatMap((rela) => decodeRelocs(obj.header.ident, rela).map((r) => `${rela.name}+0x${r.offset.toString(16)} type ${r.type} ${symbols[r.symbol]?.name ?? `#${r.symbol}`}${r.addend < 0n ? '' : '+'}${r.addend}`));
}

/** The first relocation the second pass placed differently, or undefined when none moved. */
function codeRelocsDiffer(first: ElfObject, second: ElfObject): string | undefined {
  const a = codeRelocs(first);
  const b = codeRelocs(second);
  const i = a.findIndex((x, k) => x !== b[k]);
  if (i >= 0) return `${a[i]} became ${b[i] ?? 'nothing'}`;
  return b.length > a.length ? `${b[a.length]} is new` : undefined;
}

export const DEFAULT_CONCURRENCY = 4;

export async function buildScenarios(scenarios: readonly Scenario[], concurrency = DEFAULT_CONCURRENCY): Promise<BuiltScenario[]> {
  const builder = new ScenarioBuilder();
  try {
    return await mapPool(scenarios, concurrency, (s) => builder.build(s));
  } finally {
    builder.close();
  }
}

/**
 * Scenario `index` of seed `seed`: the value fast-check's run `index` draws for that seed, so
 * `fc.check(…, { seed, path: String(index) })` replays and shrinks exactly this scenario.
 */
export function generateScenarios(seed: number, count: number, constraints: ScenarioConstraints = {}): Scenario[] {
  if (count <= 0) return [];
  return fc.sample(scenarioArbitrary(constraints), { seed, numRuns: count });
}

/** Constraints limited to the arches whose binutils are installed; fails if none of the wanted ones is. */
export async function installedConstraints(constraints: ScenarioConstraints): Promise<ScenarioConstraints> {
  const wanted = constrainedArches(constraints);
  const arches = await availableArches(wanted);
  if (arches.length === 0) {
    throw new HarnessError(`no binutils for ${wanted.join(', ')} (install ${[...new Set(wanted.map((a) => TOOLCHAIN_PACKAGES[a]))].join(' ')})`);
  }
  return { ...constraints, arches };
}

export interface GeneratedProvenance {
  seed: number;
  index: number;
  constraints: ScenarioConstraints;
  /** For minimized cases: what it was shrunk from. */
  minimizedFrom?: { seed: number; index: number; reference?: string; divergence?: string };
}

export function caseId(built: BuiltScenario, p: GeneratedProvenance): string {
  const prefix = p.minimizedFrom ? 'min' : 'gen';
  return `${prefix}-s${p.seed}-${String(p.index).padStart(4, '0')}-${built.scenario.arch}-${built.scenario.dialect}`;
}

export function caseMeta(built: BuiltScenario, p: GeneratedProvenance, binutils: string): CaseMeta {
  const s = built.scenario;
  const { sharedSymbols, sharedAcrossSections } = sharing(s);
  return {
    id: caseId(built, p),
    arch: s.arch,
    compiler: 'gas',
    binutils,
    flags: [...TOOLCHAINS[s.arch].as.slice(1), '|', 'ld', ...TOOLCHAINS[s.arch].ld.slice(1), ...LD_FLAGS].join(' '),
    dialect: s.dialect,
    expect: built.expect,
    exercises: exercises(s),
    seed: p.seed,
    index: p.index,
    ...(Object.keys(p.constraints).length ? { constraints: p.constraints } : {}),
    ...(p.minimizedFrom ? { minimizedFrom: p.minimizedFrom } : {}),
    scenario: summarize(s),
    sharedSymbols,
    sharedAcrossSections,
    scenarioData: s,
  };
}

/** Writes a case directory (input.ko, symbols.klp for symbols-list scenarios, case.json). */
export function writeCaseDir(dir: string, built: BuiltScenario, meta: CaseMeta): void {
  writeCaseFiles(dir, { input: built.input, ...(built.symbols ? { symbols: built.symbols } : {}), meta });
}
