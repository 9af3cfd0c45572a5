// `klp-harness merge`: shard reports joined into one, as if the whole corpus had run at once.
import { HarnessError } from '../errors.js';
import { staleDeviations } from './run.js';
import { summarise, type HarnessReport } from './results.js';

export function mergeReports(reports: readonly HarnessReport[], sources: readonly string[] = []): HarnessReport {
  if (reports.length === 0) throw new HarnessError('merge needs at least one report');
  const first = reports[0]!;
  reports.forEach((r, i) => {
    if (r.reference.sha256 !== first.reference.sha256 || r.reference.label !== first.reference.label) {
      throw new HarnessError(`${sources[i] ?? `report ${i + 1}`}: reference ${r.reference.label} (${r.reference.sha256.slice(0, 12)}) is not ${first.reference.label} (${first.reference.sha256.slice(0, 12)}) of ${sources[0] ?? 'report 1'}`);
    }
  });
  const byId = new Map<string, HarnessReport['cases'][number]>();
  for (const [i, r] of reports.entries()) {
    for (const c of r.cases) {
      if (byId.has(c.id)) throw new HarnessError(`${sources[i] ?? `report ${i + 1}`}: case '${c.id}' is in two reports`);
      byId.set(c.id, c);
    }
  }
  const cases = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const started = reports.map((r) => r.startedAt).sort()[0]!;
  return {
    ...first,
    startedAt: started,
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    options: { ...first.options, shard: null },
    passed: cases.every((c) => c.passed),
    summary: summarise(cases),
    cases,
    usedDeviations: [...new Set(cases.flatMap((c) => c.deviations))].sort(),
    staleDeviations: staleDeviations(first.model.deviations, cases),
  };
}
