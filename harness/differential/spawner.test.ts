// The spawner as the harness uses it: the compiled module in a real Node process, so the programs
// are started by the spawner process and the harness process exits on its own when done.
import { execa } from 'execa';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', '.'], { cwd: ROOT });
}, 120_000);

it('runs programs from its own process: exit codes, signals, timeouts, aborts, missing programs, capped stderr', async () => {
  const script = `
    import { runProcess, STDERR_LIMIT } from ${JSON.stringify(join(ROOT, 'dist/harness/differential/spawner.js'))};
    const req = (file, args, timeoutMs = 10000) => ({ file, args, cwd: '/', env: { LC_ALL: 'C' }, timeoutMs });
    const aborter = new AbortController();
    const results = await Promise.all([
      runProcess(req('/bin/sh', ['-c', 'echo $PPID >&2; exit 3'])),
      runProcess(req('/bin/sh', ['-c', 'kill -SEGV $$'])),
      runProcess(req('/bin/sleep', ['30'], 200)),
      runProcess(req('/bin/sleep', ['30']), aborter.signal),
      runProcess(req('/nonexistent/klp-convert', [])),
      runProcess(req('/bin/sh', ['-c', 'head -c 200000 /dev/zero | tr "\\\\0" x >&2'])),
      new Promise((r) => setTimeout(r, 100)).then(() => aborter.abort()),
    ]);
    process.stdout.write(JSON.stringify({ pid: process.pid, limit: STDERR_LIMIT, results: results.slice(0, 6).map((r) => ({ ...r, stderr: r.stderr.length > 100 ? r.stderr.length : r.stderr.trim() })) }));
  `;
  const r = await execa('node', ['--input-type=module', '-e', script], { reject: false, timeout: 60_000 });
  // A hang guard, not a speed check: an idle spawner must let the harness exit.
  expect(r.timedOut).toBe(false);
  expect(r.exitCode, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { pid: number; limit: number; results: Array<Record<string, unknown>> };
  const [exit, signal, timeout, aborted, missing, loud] = out.results;
  expect(exit).toMatchObject({ how: 'exit', exitCode: 3 });
  // Started by the spawner, a child process of the harness, not by the harness itself.
  expect(Number(exit!['stderr'])).not.toBe(out.pid);
  expect(signal).toMatchObject({ how: 'signal', signal: 'SIGSEGV' });
  expect(timeout).toMatchObject({ how: 'timeout' });
  expect(aborted).toMatchObject({ how: 'interrupted' });
  expect(missing).toMatchObject({ how: 'not-started' });
  expect(String(missing!['message'])).toContain('ENOENT');
  expect(loud).toMatchObject({ how: 'exit', exitCode: 0, stderr: out.limit });
}, 90_000);
