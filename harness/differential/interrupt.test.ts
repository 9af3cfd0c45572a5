// Ctrl-C during a run: the references stop, the report is still written (interrupted, the rest
// skipped), the exit status is 130, and no temporary directory is left behind.
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'dist/harness/cli/main.js');

it('stops cleanly on SIGINT and writes a partial report', async () => {
  await execa('npx', ['tsc', '-p', '.'], { cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'klp-int-'));
  const refDir = join(dir, 'minimal');
  mkdirSync(refDir);
  const started = join(dir, 'started');
  // A reference that says it has started, then hangs.
  writeFileSync(join(refDir, 'klp-convert'), `#!/bin/sh\ntouch '${started}'\nexec sleep 600\n`);
  chmodSync(join(refDir, 'klp-convert'), 0o755);
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const report = join(dir, 'report.json');
  const child = execa('node', [BIN, 'run', '--reference', join(refDir, 'klp-convert'), '--dialect', 'annotation', '--jobs', '1', '--json', report, join(ROOT, 'cases/compiled')], {
    reject: false,
    env: { TMPDIR: tmp, CI: 'true' },
  });
  while (!existsSync(started)) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const r = await child;
  expect(r.exitCode).toBe(130);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { interrupted: boolean; passed: boolean; summary: Record<string, number> };
  expect(json.interrupted).toBe(true);
  expect(json.passed).toBe(false);
  expect(json.summary.skipped).toBeGreaterThan(0);
  expect(readdirSync(tmp)).toEqual([]);
}, 120_000);
