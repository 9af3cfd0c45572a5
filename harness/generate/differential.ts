// `run --generate N --seed S --reference PATH`: generated scenarios straight into a differential
// comparison with the C reference. A divergent scenario is shrunk by fast-check (replaying it by
// seed and path) to a minimal one with the same kind of divergence, and written out as a case.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Dialect } from '../../src/klp/index.js';
import { mapPool } from '../differential/pool.js';
import type { Arch, Case } from '../case.js';
import { INPUT_NAME, SYMBOLS_NAME } from '../case.js';
import { classify, classPasses, type Classification } from '../differential/classify.js';
import { HarnessError } from '../errors.js';
import type { ReferenceModel } from '../references/deviation.js';
import { guessReferenceLabel, referenceModel } from '../references/index.js';
import { runOurs } from '../differential/ours.js';
import { referenceCommand, runReference, type ReferenceCommand, type ReferenceOutcome } from '../differential/reference.js';
import {
  DEFAULT_CONCURRENCY, ScenarioBuilder, binutilsVersion, caseId, caseMeta, generateScenarios, installedConstraints,
  writeCaseDir, type BuiltScenario,
} from './build.js';
import { checkConversion } from './invariants.js';
import { GENERATED_ARCHES, POST_LINK_ARCHES, scenarioArbitrary, summarize, type Scenario, type ScenarioConstraints } from './scenario.js';
import { writeOutput } from '../../src/io/index.js';

/** A reference build, its label (from the path: …/v7/klp-convert) and the model of that label. */
export interface Reference {
  command: ReferenceCommand;
  label: string;
  dialect: Dialect;
  /** This build as our converter plus its deviations: the same model `run` applies. */
  model: ReferenceModel;
}

export function describeReference(path: string, dialect?: Dialect, label?: string): Reference {
  const command = referenceCommand({ reference: path });
  const l = label ?? guessReferenceLabel(command.binary);
  if (!l) throw new HarnessError(`cannot tell which reference ${command.binary} is: give --reference-label, or put it under a directory named v4, v5, v7 or minimal`);
  const model = referenceModel(l);
  // A model that names its dialect (objtool: post-link) says which scenarios the build takes.
  return { command, label: l, dialect: dialect ?? model.dialect ?? (l === 'minimal' ? 'annotation' : 'symbols'), model };
}

export interface GenerateRunOptions {
  seed: number;
  count: number;
  /** The reference for symbols-list scenarios (or annotation ones, when its label is "minimal"). */
  reference?: string;
  /** Its label (which model applies); else told from the path. */
  referenceLabel?: string;
  /** A second reference, for annotation-dialect scenarios. */
  referenceAnnotation?: string;
  referenceAnnotationLabel?: string;
  /** A reference for post-link scenarios (objtool); `reference` may be one too, told by its label. */
  referencePostLink?: string;
  referencePostLinkLabel?: string;
  arches?: readonly Arch[];
  dialect?: Dialect;
  /** Where minimized cases are written (default cases/minimized). */
  minimizedOut?: string;
  /** Distinct divergences to minimize (default 3). */
  maxMinimized?: number;
  /** Time budget for shrinking one divergence (default 120 s). */
  minimizeTimeMs?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface Divergence {
  index: number;
  signature: string;
  scenario: string;
  detail: string;
}

export interface GenerateRunSummary {
  runs: number;
  agreed: number;
  diverged: number;
  /** Differences the reference's model reproduces (class `known`). */
  tolerated: number;
  divergences: Divergence[];
  minimizedCases: string[];
}

/**
 * Arches compared by default. i386 is left out: the kernel has no livepatch there, its objects carry
 * SHT_REL, which we refuse on purpose, and the references crash or accept it.
 */
export const DIFFERENTIAL_ARCHES: readonly Arch[] = GENERATED_ARCHES.filter((a) => a !== 'i386');

/** The arches compared by default for these dialects: POST_LINK_ARCHES when post-link is all there is. */
const differentialArches = (dialects: readonly Dialect[]): readonly Arch[] =>
  dialects.every((d) => d === 'post-link') ? POST_LINK_ARCHES : DIFFERENTIAL_ARCHES;

interface Comparison {
  verdict: 'agree' | 'diverge' | 'tolerated';
  signature: string;
  detail: string;
}

/** One scenario through the same classifier and model as `run`, as a temporary case. */
async function compare(built: BuiltScenario, ref: Reference): Promise<Comparison> {
  const dir = mkdtempSync(join(tmpdir(), 'klp-gen-ref-'));
  let cls: Classification;
  let theirs: ReferenceOutcome;
  try {
    writeOutput(join(dir, INPUT_NAME), built.input);
    if (built.symbols) writeOutput(join(dir, SYMBOLS_NAME), built.symbols);
    const c: Case = {
      id: 'generated',
      dir,
      input: join(dir, INPUT_NAME),
      ...(built.symbols ? { symbols: join(dir, SYMBOLS_NAME) } : {}),
      dialect: built.scenario.dialect,
      meta: {},
    };
    const ours = runOurs(c);
    theirs = await runReference(ref.command, c);
    cls = classify(ours, theirs, ref.model, c.id);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (classPasses(cls)) return { verdict: cls.class === 'known' ? 'tolerated' : 'agree', signature: '', detail: '' };
  // Name the difference by the kernel rule the reference broke, when it broke one, so shrinking
  // keeps the bug rather than any difference.
  let rules: string[] = [];
  if (theirs.kind === 'ok') {
    try {
      rules = [...new Set(checkConversion(built.input, theirs.output, { dialect: built.scenario.dialect, ...(built.symbols ? { symbols: built.symbols } : {}) }).map((v) => v.rule))].sort();
    } catch (e) {
      rules = [`unreadable output (${(e as Error).message})`];
    }
  }
  const where = cls.differingSections.length ? ` in ${cls.differingSections.join(', ')}` : '';
  const signature = rules.length ? `reference breaks: ${rules.join(', ')}` : `${cls.class}${where}`;
  const stderr = theirs.kind !== 'ok' && theirs.stderr ? `: ${theirs.stderr.trim().split('\n')[0]}` : '';
  return { verdict: 'diverge', signature, detail: `${cls.class}${where}${cls.note ? ` (${cls.note})` : ''}${stderr}` };
}

function referencesFor(opts: GenerateRunOptions): Map<Dialect, Reference> {
  const refs = new Map<Dialect, Reference>();
  if (opts.reference !== undefined) {
    const r = describeReference(opts.reference, undefined, opts.referenceLabel);
    refs.set(r.dialect, r);
  }
  if (opts.referenceAnnotation !== undefined) refs.set('annotation', describeReference(opts.referenceAnnotation, 'annotation', opts.referenceAnnotationLabel));
  if (opts.referencePostLink !== undefined) refs.set('post-link', describeReference(opts.referencePostLink, 'post-link', opts.referencePostLinkLabel));
  if (refs.size === 0) throw new HarnessError('no reference given (--reference PATH, --reference-annotation PATH)');
  if (opts.dialect !== undefined) {
    if (!refs.has(opts.dialect)) throw new HarnessError(`no reference for the ${opts.dialect} dialect`);
    for (const d of [...refs.keys()]) if (d !== opts.dialect) refs.delete(d);
  }
  return refs;
}

export async function runGenerated(opts: GenerateRunOptions): Promise<GenerateRunSummary> {
  const log = opts.log ?? (() => {});
  const refs = referencesFor(opts);
  const dialects = [...refs.keys()];
  const constraints: ScenarioConstraints = await installedConstraints({ arches: opts.arches?.length ? opts.arches : differentialArches(dialects), dialects });
  for (const r of refs.values()) log(`reference (${r.dialect}): ${r.command.binary} [${r.label}], model of ${r.model.deviations.length} deviations`);
  const scenarios = generateScenarios(opts.seed, opts.count, constraints);
  const builder = new ScenarioBuilder();
  const summary: GenerateRunSummary = { runs: 0, agreed: 0, diverged: 0, tolerated: 0, divergences: [], minimizedCases: [] };
  try {
    const results = await mapPool(scenarios, opts.concurrency ?? DEFAULT_CONCURRENCY, async (s) => compare(await builder.build(s), refs.get(s.dialect)!));
    results.forEach((r, index) => {
      summary.runs++;
      if (r.verdict === 'agree') summary.agreed++;
      else if (r.verdict === 'tolerated') summary.tolerated++;
      else {
        summary.diverged++;
        const d = { index, signature: r.signature, scenario: summarize(scenarios[index]!), detail: r.detail };
        summary.divergences.push(d);
        log(`diverged: seed ${opts.seed} index ${index}: ${r.detail}\n  ${d.scenario}`);
      }
    });
    log(`${summary.runs} scenarios: ${summary.agreed} agree, ${summary.diverged} diverge, ${summary.tolerated} tolerated`);

    const firstOfEach = new Map<string, Divergence>();
    for (const d of summary.divergences) if (!firstOfEach.has(d.signature)) firstOfEach.set(d.signature, d);
    const toMinimize = [...firstOfEach.values()].slice(0, opts.maxMinimized ?? 3);
    for (const d of toMinimize) {
      log(`minimizing index ${d.index} (${d.signature})…`);
      let minimal: Scenario;
      let shrunk = true;
      try {
        minimal = await minimize(builder, opts.seed, d, constraints, refs, opts.minimizeTimeMs ?? 120_000);
      } catch (e) {
        // A reference that does not repeat itself still deserves a case: write the scenario as drawn.
        log(`  could not minimize: ${(e as Error).message}`);
        minimal = scenarios[d.index]!;
        shrunk = false;
      }
      const built = await builder.build(minimal);
      const ref = refs.get(minimal.dialect)!;
      const provenance = { seed: opts.seed, index: d.index, constraints, minimizedFrom: { seed: opts.seed, index: d.index, reference: `${ref.label} ${ref.command.binary}`, divergence: d.signature } };
      const dir = join(opts.minimizedOut ?? join('cases', 'minimized'), caseId(built, provenance));
      const meta = caseMeta(built, provenance, await binutilsVersion(minimal.arch));
      meta.notes = `${shrunk ? 'Shrunk by fast-check from' : 'Not shrunk (the divergence did not replay);'} generated scenario seed ${opts.seed} index ${d.index} (replay: fc.check(prop, { seed: ${opts.seed}, path: "${d.index}" })), which diverged from reference ${ref.label}: ${d.signature}. Original: ${d.scenario}`;
      writeCaseDir(dir, built, meta);
      summary.minimizedCases.push(dir);
      log(`  minimal: ${summarize(minimal)}\n  written to ${dir}`);
    }
  } finally {
    builder.close();
  }
  return summary;
}

/**
 * Replays scenario `index` of `seed` in fast-check and lets it shrink the scenario while the
 * divergence keeps its signature. Build failures count as "no divergence" so shrinking avoids them.
 */
async function minimize(
  builder: ScenarioBuilder,
  seed: number,
  d: Divergence,
  constraints: ScenarioConstraints,
  refs: ReadonlyMap<Dialect, Reference>,
  timeMs: number,
): Promise<Scenario> {
  const arb = scenarioArbitrary(constraints);
  const stillDiverges = async (s: Scenario): Promise<boolean> => {
    const ref = refs.get(s.dialect);
    if (!ref) return false;
    let built: BuiltScenario;
    try {
      built = await builder.build(s);
    } catch {
      return false;
    }
    const c = await compare(built, ref);
    return c.verdict === 'diverge' && c.signature === d.signature;
  };
  const started = Date.now();
  const result = await fc.check(
    fc.asyncProperty(arb, async (s) => !(await stillDiverges(s))),
    { seed, path: String(d.index), numRuns: 1, endOnFailure: false, interruptAfterTimeLimit: timeMs, markInterruptAsFailure: false },
  );
  const found = result.counterexample?.[0];
  if (!result.failed || !found) {
    throw new HarnessError(`replaying seed ${seed} path ${d.index} did not reproduce the divergence (${d.signature}) within ${Date.now() - started} ms`);
  }
  return found;
}
