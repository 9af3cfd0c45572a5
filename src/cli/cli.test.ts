import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { moduleBytes, pc32, symbolsFile, text } from '../klp/index.js';

// The CLI is tested as users run it: the built bin, a real process, real files.
const BIN = join(import.meta.dirname, '../../dist/src/cli/main.js');
let dir: string;
const run = (...args: string[]) => execa('node', [BIN, ...args], { reject: false, cwd: dir });

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', '.'], { cwd: join(import.meta.dirname, '../..') });
  dir = mkdtempSync(join(tmpdir(), 'klp-cli-'));
  writeFileSync(join(dir, 'in.ko'), moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }, { name: 'missing' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } }));
  writeFileSync(join(dir, 'bad.ko'), moduleBytes({ sections: [text('.text')], symbols: [{ name: 'missing' }], relocs: { '.text': [pc32(0, 'missing')] } }));
  writeFileSync(join(dir, 'symbols.klp'), symbolsFile('*vmlinux\nsaved_command_line\n'));
  writeFileSync(join(dir, 'junk.ko'), 'this is not an ELF file, but it is long enough to hold a header');
}, 120_000);

describe('klp-convert CLI', () => {
  it('converts with the reference arguments and says what it did with --verbose', async () => {
    const r = await run('--verbose', 'symbols.klp', 'in.ko', 'out.ko');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('klp-convert: vmlinux saved_command_line sympos 0: 1 rela moved (1 from .rela.text)');
    expect(readFileSync(join(dir, 'out.ko')).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  });

  it('prints one line naming the file and the symbol, exits 1 and writes nothing on refusal', async () => {
    const r = await run('symbols.klp', 'bad.ko', 'bad-out.ko');
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')).toEqual([`klp-convert: bad.ko: symbol 'missing' is not in symbols.klp`]);
    expect(existsSync(join(dir, 'bad-out.ko'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a non-ELF input without a stack trace', async () => {
    const r = await run('junk.ko', 'junk-out.ko');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^klp-convert: junk\.ko: offset 0x0: not an ELF file \(bad magic\)$/);
  });

  it('refuses to write over its input unless --in-place', async () => {
    const before = readFileSync(join(dir, 'in.ko'));
    const r = await run('symbols.klp', 'in.ko', 'in.ko');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/overwrite the input/);
    expect(readFileSync(join(dir, 'in.ko'))).toEqual(before);
  });

  it('distinguishes usage errors (2) and unreadable files (3)', async () => {
    expect((await run('only-one.ko')).exitCode).toBe(2);
    expect((await run('--dialect', 'annotation', 'symbols.klp', 'in.ko', 'x.ko')).exitCode).toBe(2);
    const r = await run('symbols.klp', 'nope.ko', 'x.ko');
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toBe('klp-convert: nope.ko: cannot read: no such file or directory (ENOENT)');
  });

  it('--check calls a module not marked livepatch=Y the input\'s problem, not a converter bug', async () => {
    const modinfo = { name: '.modinfo', flags: 2n, data: new TextEncoder().encode('license=GPL\0') };
    writeFileSync(join(dir, 'plain.ko'), moduleBytes({ sections: [text('.text'), modinfo], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } }));
    const r = await run('--check', 'symbols.klp', 'plain.ko', 'plain-out.ko');
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('klp-convert: plain.ko: warning: section .modinfo: livepatch-modinfo: has klp relocations but .modinfo has no livepatch=Y (MODULE_INFO(livepatch, "Y")): klp_enable_patch() refuses it');
    expect(existsSync(join(dir, 'plain-out.ko'))).toBe(true);
  });

  it('answers --help and --version', async () => {
    expect((await run('--help')).stdout).toMatch(/^usage: klp-convert/);
    expect((await run('--version')).stdout).toMatch(/^klp-convert \d+\.\d+\.\d+$/);
  });
});
