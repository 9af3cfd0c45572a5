import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCpio } from './cpio.js';
import { caseScript, initScript, kallsymsInit, parseGuestOutput } from './guest.js';

describe('the initramfs writer', () => {
  it('writes newc that cpio(1) lists and extracts, when cpio is installed', async () => {
    const archive = writeCpio([
      { path: 'bin', kind: 'dir' },
      { path: 'bin/hello', kind: 'file', data: new TextEncoder().encode('hi\n'), mode: 0o755 },
      { path: 'bin/sh', kind: 'symlink', target: 'hello' },
    ]);
    expect(new TextDecoder().decode(archive.subarray(0, 6))).toBe('070701');
    expect(archive.length % 4).toBe(0);
    const cpio = await execa('cpio', ['--version'], { reject: false });
    if (cpio.exitCode !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'klp-cpio-'));
    writeFileSync(join(dir, 'a.cpio'), archive);
    const listed = await execa('cpio', ['-it', '-F', join(dir, 'a.cpio')], { reject: false });
    expect(listed.stdout.split('\n')).toEqual(['bin', 'bin/hello', 'bin/sh']);
    await execa('cpio', ['-idm', '--quiet', '-F', join(dir, 'a.cpio')], { cwd: dir });
    expect(readFileSync(join(dir, 'bin/hello'), 'utf8')).toBe('hi\n');
  });
});

describe('the guest protocol', () => {
  it('parses values and blocks per case, and tells a finished case from a cut-off one', () => {
    const text = [
      '@@uname 6.1.0-56-amd64', '@@case a', '@@insmod 0', '@@begin patched:0', 'klp: x', '', '@@endblock patched:0', '@@end a',
      '@@case b', '@@insmod 1', 'noise from elsewhere', '',
    ].join('\n');
    const out = parseGuestOutput(text);
    expect(out.uname).toBe('6.1.0-56-amd64');
    expect(out.done).toBe(false);
    expect(out.cases.get('a')).toEqual({ values: new Map([['insmod', '0']]), blocks: new Map([['patched:0', 'klp: x']]), ended: true });
    expect(out.cases.get('b')!.ended).toBe(false);
  });

  it('quotes what the case file gives it', () => {
    const s = caseScript({ id: 'x', file: 'x.ko', name: 'x', livepatch: true, late: [], setup: [], teardown: [], files: ["/proc/it's"], kallsyms: [] });
    expect(s).toContain(`block '/proc/it'\\''s' patched:0`);
  });

  it('reports on ttyS1 on x86_64, and on a quieted /dev/console on the one-port boards', () => {
    const c = { id: 'x', file: 'x.ko', name: 'x', livepatch: false, late: [], setup: [], teardown: [], files: [], kallsyms: [] };
    const x86 = initScript([c]);
    expect(x86).toContain('R=/dev/ttyS1');
    expect(x86).not.toContain('dmesg -n 1');
    const board = initScript([c], '', { device: '/dev/console', quietConsole: true });
    expect(board).toMatch(/mount -t devtmpfs devtmpfs \/dev\ndmesg -n 1\nR=\/dev\/console\n/);
    // A boot that must show an oops keeps the console's log level.
    expect(initScript([c], '', { device: '/dev/console', quietConsole: false })).not.toContain('dmesg -n 1');
    expect(kallsymsInit({ device: '/dev/console', quietConsole: true })).toContain('gzip -c /proc/kallsyms | base64 > $R');
  });
});
