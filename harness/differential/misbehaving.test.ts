// References that misbehave must not stall a run past --timeout, nor leave anything running: one
// that floods stdout, one whose background grandchild holds stderr after it exited with an output,
// one whose child ignores SIGTERM and holds the pipes, one that ignores SIGTERM itself. The
// verdict comes from the reference's own exit; its whole process group goes with the case.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../cli/program.js';
import type { HarnessReport } from './results.js';
import { compileObject, ourOutput, standIn, SYMBOLS, tempDir, writeCase } from '../testing/fixtures.js';

let dir: string;
let cases: string;

async function run(reference: string, json: string): Promise<{ code: number; report: HarnessReport }> {
  const quiet = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    const code = await main(['run', '--reference', reference, '--reference-label', 'test', '--timeout', '5', '--json', json, cases]);
    return { code, report: JSON.parse(readFileSync(json, 'utf8')) as HarnessReport };
  } finally {
    for (const q of quiet) q.mockRestore();
  }
}

/** Processes whose command line carries `marker`, once what was killed has had a moment to go. */
function leftovers(marker: string): string[] {
  execFileSync('sleep', ['0.3']);
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(marker));
}

beforeAll(() => {
  dir = tempDir();
  cases = join(dir, 'cases');
  writeCase(cases, 'one', compileObject(dir), SYMBOLS);
});

// Each reference may hold the run for the 5 s timeout, and the run must then end: the limit is
// the hang detector (a stalled run took 60–120 s before).
describe('a reference that misbehaves, with --timeout 5', { timeout: 60_000 }, () => {
  it('flooding standard output without end: refTimeout, and nothing left running', async () => {
    const ref = standIn(dir, 'flood', 'exec yes klp-marker-1001');
    const { report } = await run(ref, join(dir, 'flood.json'));
    expect(report.cases.map((c) => c.class)).toEqual(['refTimeout']);
    expect(leftovers('klp-marker-1001')).toEqual([]);
  });

  it('exiting with an output while a background grandchild holds stderr: judged on that output, the grandchild killed', async () => {
    const ref = standIn(dir, 'grandchild', `(sleep 1002 >&2 &)\ncp '${join(dir, 'ours.ko')}' "$OUT"`);
    execFileSync('sh', ['-c', 'cat > "$1"', 'sh', join(dir, 'ours.ko')], { input: ourOutput(join(cases, 'one')) });
    const { report } = await run(ref, join(dir, 'grandchild.json'));
    expect(report.cases.map((c) => c.class)).toEqual(['match']);
    expect(leftovers('sleep 1002')).toEqual([]);
  });

  it('whose child ignores SIGTERM and holds the pipes: refTimeout, the child killed', async () => {
    const ref = standIn(dir, 'stubborn', `sh -c 'trap "" TERM; sleep 1003' &\nwait`);
    const { report } = await run(ref, join(dir, 'stubborn.json'));
    expect(report.cases.map((c) => c.class)).toEqual(['refTimeout']);
    expect(leftovers('sleep 1003')).toEqual([]);
  });

  it('ignoring SIGTERM itself: refTimeout', async () => {
    const ref = standIn(dir, 'deaf', 'trap "" TERM\nsleep 1004');
    const { report } = await run(ref, join(dir, 'deaf.json'));
    expect(report.cases.map((c) => c.class)).toEqual(['refTimeout']);
    expect(leftovers('sleep 1004')).toEqual([]);
  });
});
