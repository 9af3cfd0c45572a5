// The layering, enforced: every import in the repository is read and judged by the rules below.
// src/elf knows nothing above it, src/klp only src/elf's door, the CLI and everything outside src/
// only the doors (src/index.ts, src/elf/index.ts, src/klp/index.ts, src/io/index.ts); inside
// harness/ no folder imports one ranked above it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

const DOORS = new Set(['src/index.ts', 'src/elf/index.ts', 'src/klp/index.ts', 'src/io/index.ts']);

/** harness/ folders from the bottom up; a module may import its own rank and below. */
const HARNESS_RANK: Record<string, number> = {
  '.': 0, // errors, provenance, args, case: what every folder shares
  references: 1, // the reference models
  differential: 2, // one case against a reference: run ours and it, classify, dump and diff
  golden: 3,
  triage: 4, // minimize, bisect
  report: 4,
  generate: 5,
  fuzz: 5,
  kernel: 5,
  mutants: 6,
  bench: 6,
  testing: 7, // test fixtures
  cli: 7,
};

interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|mjs)$/.test(e.name)) out.push(rel);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

export function importEdges(files: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const from of files) {
    const text = readFileSync(join(ROOT, from), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const to = relative(ROOT, resolve(ROOT, dirname(from), spec)).replace(/\.js$/, '.ts');
      edges.push({ from, to, dynamic: m[2] !== undefined });
    }
  }
  return edges;
}

const layerOf = (path: string): string => {
  const parts = path.split('/');
  if (parts[0] !== 'src') return parts[0]!;
  return parts.length === 2 ? 'src' : `src/${parts[1]}`;
};

/** Why this import breaks the layering, or undefined when it is allowed. */
export function violation(e: Edge): string | undefined {
  const from = layerOf(e.from);
  const to = layerOf(e.to);
  const test = /\.test\.ts$/.test(e.from);
  if (to === 'harness' && from.startsWith('src') && !test) return 'src/ never imports the harness';
  if (!to.startsWith('src') || from === to) return harnessViolation(e);
  if (!from.startsWith('src')) return DOORS.has(e.to) ? undefined : `outside src/ only ${[...DOORS].join(', ')} may be imported`;
  // A test inside src/ may reach any module of src/ (the whole library is its subject).
  if (test) return undefined;
  switch (from) {
    case 'src/elf':
      return 'src/elf knows nothing above it';
    case 'src/io':
      return 'src/io knows nothing of ELF, livepatch or the CLI';
    case 'src/klp':
      return e.to === 'src/elf/index.ts' ? undefined : 'src/klp imports src/elf through its door and nothing else';
    case 'src':
      return /^src\/(elf|klp|io)\/index\.ts$/.test(e.to) || e.to === 'src/convert.ts' ? undefined : 'src/convert.ts and src/index.ts use the doors';
    case 'src/cli':
      if (DOORS.has(e.to) || e.to === 'src/convert.ts') return undefined;
      // The bundled CLI loads the lint only for --check: a lazy import keeps it out of the start-up path.
      if (e.dynamic && e.from === 'src/cli/main.ts' && e.to === 'src/klp/lint.ts') return undefined;
      return 'the CLI uses what the lower layers export';
    default:
      return undefined;
  }
}

function harnessViolation(e: Edge): string | undefined {
  if (!e.from.startsWith('harness/') || !e.to.startsWith('harness/')) return undefined;
  const folder = (p: string): string => (p.split('/').length === 2 ? '.' : p.split('/')[1]!);
  const [a, b] = [folder(e.from), folder(e.to)];
  if (a === b || /\.test\.ts$/.test(e.from)) return undefined;
  const [ra, rb] = [HARNESS_RANK[a], HARNESS_RANK[b]];
  if (ra === undefined || rb === undefined) return `harness/${ra === undefined ? a : b} has no rank in this test`;
  return rb > ra ? `harness/${a} (rank ${ra}) imports harness/${b} (rank ${rb}): up a layer` : undefined;
}

describe('layering', () => {
  const files = [...sources('src'), ...sources('harness'), ...sources('scripts')];
  const edges = importEdges(files);

  it('reads the imports it judges', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges.some((e) => e.from === 'src/cli/main.ts' && e.to === 'src/klp/lint.ts' && e.dynamic)).toBe(true);
  });

  it('no import crosses a layer except through its door, and none runs up', () => {
    const bad = edges.map((e) => ({ e, why: violation(e) })).filter((x) => x.why).map((x) => `${x.e.from} → ${x.e.to}: ${x.why}`);
    expect(bad).toEqual([]);
  });

  it('judges the imports it should refuse', () => {
    const judge = (from: string, to: string, dynamic = false): string | undefined => violation({ from, to, dynamic });
    expect(judge('harness/differential/classify.ts', 'src/klp/plan.ts')).toMatch(/only/);
    expect(judge('harness/differential/classify.ts', 'src/klp/index.ts')).toBeUndefined();
    expect(judge('src/elf/read.ts', 'src/klp/index.ts')).toMatch(/knows nothing/);
    expect(judge('src/klp/plan.ts', 'src/elf/read.ts')).toMatch(/door/);
    expect(judge('src/klp/plan.ts', 'src/io/index.ts')).toMatch(/door/);
    expect(judge('src/cli/main.ts', 'src/klp/plan.ts')).toMatch(/export/);
    expect(judge('harness/references/v7.ts', 'harness/cli/args.ts')).toMatch(/up a layer/);
    expect(judge('harness/kernel/cli.ts', 'harness/args.ts')).toBeUndefined();
    expect(judge('src/klp/plan.ts', 'harness/errors.ts')).toMatch(/never/);
  });

  it('every harness folder has a rank, and at most five modules sit loose at its root', () => {
    const folders = readdirSync(join(ROOT, 'harness'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => HARNESS_RANK[f] === undefined)).toEqual([]);
    const loose = readdirSync(join(ROOT, 'harness')).filter((f) => f.endsWith('.ts'));
    expect(loose.length).toBeLessThanOrEqual(5);
  });
});
