// Whole-process measurements: wall time from the parent's clock, peak RSS from GNU time.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Sample {
  ms: number;
  /** Peak resident set size in KiB (GNU time's %M: the child's ru_maxrss). */
  rssKiB: number;
  status: number | null;
  stderr: string;
}

/**
 * Runs `command` under GNU time once. Wall time is measured around the spawn, so it includes GNU
 * time's own fork and exec (well under a millisecond, the same for every tool).
 */
export function runOnce(command: string, args: readonly string[], scratch: string): Sample {
  const rssFile = join(scratch, 'rss.txt');
  rmSync(rssFile, { force: true });
  const start = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = existsSync(rssFile) ? Number(/(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8'))?.[1] ?? NaN) : NaN;
  return { ms, rssKiB: rss, status: r.status, stderr: r.stderr ?? '' };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of `command` without GNU time, `runs` times: for start-up costs, where every ms shows. */
export function wallTimes(command: string, args: readonly string[], runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { stdio: 'ignore' });
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`bench: ${command} ${args.join(' ')} exited ${r.status}`);
  }
  return out;
}

/** The 1-, 5- and 15-minute load averages. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [a ?? NaN, b ?? NaN, c ?? NaN];
}
