// Handlers for `klp-harness gen` and `klp-harness run --generate`, as functions the CLI calls with
// parsed options. They print nothing themselves; lines go to `log`.
import { join } from 'node:path';
import { mapPool } from '../differential/pool.js';
import type { Arch } from '../case.js';
import type { Dialect } from '../../src/klp/index.js';
import {
  DEFAULT_CONCURRENCY, ScenarioBuilder, binutilsVersion, caseId, caseMeta, generateScenarios, installedConstraints,
  writeCaseDir,
} from './build.js';
import { runGenerated, type GenerateRunOptions, type GenerateRunSummary } from './differential.js';
import type { ScenarioConstraints } from './scenario.js';

export interface GenCommandOptions {
  seed: number;
  count: number;
  /** Directory that receives one case directory per scenario. */
  out: string;
  arch?: Arch;
  dialect?: Dialect;
  /** Leave out deliberate error scenarios. */
  noErrors?: boolean;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface GenCommandResult {
  /** Case directories written, in index order. */
  written: string[];
  /** The arches scenarios were drawn from (those whose binutils are installed). */
  arches: Arch[];
}

/** `gen --seed S --count N --out DIR [--arch A] [--dialect D]`: writes ordinary case directories. */
export async function genCommand(o: GenCommandOptions): Promise<GenCommandResult> {
  const log = o.log ?? (() => {});
  const requested: ScenarioConstraints = {
    ...(o.arch ? { arches: [o.arch] } : {}),
    ...(o.dialect ? { dialects: [o.dialect] } : {}),
    ...(o.noErrors ? { noErrors: true } : {}),
  };
  const constraints = await installedConstraints(requested);
  const scenarios = generateScenarios(o.seed, o.count, constraints);
  const builder = new ScenarioBuilder();
  const versions = new Map<Arch, Promise<string>>();
  try {
    const written = await mapPool(scenarios, o.concurrency ?? DEFAULT_CONCURRENCY, async (s, index) => {
      const built = await builder.build(s);
      let version = versions.get(s.arch);
      if (!version) versions.set(s.arch, (version = binutilsVersion(s.arch)));
      // The arbitrary's constraints as used (arches narrowed to what is installed): replay needs them.
      const provenance = { seed: o.seed, index, constraints };
      const dir = join(o.out, caseId(built, provenance));
      writeCaseDir(dir, built, caseMeta(built, provenance, await version));
      return dir;
    });
    log(`wrote ${written.length} cases to ${o.out} (seed ${o.seed}; arches ${constraints.arches!.join(', ')})`);
    return { written, arches: [...constraints.arches!] };
  } finally {
    builder.close();
  }
}

export interface RunGenerateResult {
  summary: GenerateRunSummary;
  /** 0: no divergence; 1: at least one (minimized cases were written). */
  exitCode: 0 | 1;
}

/**
 * `run --generate N --seed S --reference PATH [--reference-annotation PATH]`: differential run over
 * generated scenarios. Exit code 1 when any scenario diverged.
 */
export async function runGenerateCommand(o: GenerateRunOptions): Promise<RunGenerateResult> {
  const summary = await runGenerated(o);
  const log = o.log ?? (() => {});
  if (summary.minimizedCases.length) log(`minimized cases:\n${summary.minimizedCases.map((d) => `  ${d}`).join('\n')}`);
  log(`generated: ${summary.runs} runs, ${summary.diverged} diverged, ${summary.tolerated} tolerated`);
  return { summary, exitCode: summary.diverged > 0 ? 1 : 0 };
}
