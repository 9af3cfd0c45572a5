// Whole-process measurements: wall time from the parent's clock, peak RSS from GNU time.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Sample {
  ms: number;
  /** Peak resident set size in KiB (GNU time's %M: the child's ru_maxrss). */
  rssKiB: number;
  /** User plus system CPU time (GNU time's %U + %S, 10 ms resolution): less noisy under load. */
  cpuMs: number;
  status: number | null;
  stderr: string;
}

/**
 * Runs `command` under GNU time once. Wall time is measured around the spawn, so it includes GNU
 * time's own fork and exec (well under a millisecond, the same for every tool).
 */
export function runOnce(command: string, args: readonly string[], scratch: string, env?: NodeJS.ProcessEnv): Sample {
  const rssFile = join(scratch, 'rss.txt');
  rmSync(rssFile, { force: true });
  const start = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...(env ? { env } : {}) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const m = existsSync(rssFile) ? /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(rssFile, 'utf8')) : null;
  return { ms, rssKiB: Number(m?.[1] ?? NaN), cpuMs: (Number(m?.[2] ?? NaN) + Number(m?.[3] ?? NaN)) * 1000, status: r.status, stderr: r.stderr ?? '' };
}

/** The environment without `names`: what a process sees after `env -u NAME…`. */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

/**
 * Instructions the process executes (all its threads, user space), from valgrind's callgrind; null
 * without valgrind. Unlike time it does not depend on the machine's load, so it judges a change
 * of a few per cent; it does not see the kernel's work (page faults), which time does.
 */
export function instructions(command: string, args: readonly string[], scratch: string, env?: NodeJS.ProcessEnv): number | null {
  const out = join(scratch, 'callgrind.out');
  const r = spawnSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, command, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, ...(env ? { env } : {}) });
  rmSync(out, { force: true });
  const m = /Collected\s*:\s*(\d+)/.exec(r.stderr ?? '');
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** The smallest and largest of xs. */
export function spread(xs: readonly number[]): [number, number] {
  return [Math.min(...xs), Math.max(...xs)];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall time of `command` without GNU time, `runs` times: for start-up costs, where every ms shows. */
export function wallTimes(command: string, args: readonly string[], runs: number, env?: NodeJS.ProcessEnv): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(command, args, { stdio: 'ignore', ...(env ? { env } : {}) });
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
