import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SHF_ALLOC } from '../elf/index.js';
import { moduleBytes, pc32, symbolsFile, text } from '../klp/index.js';

// `klp-convert check`, `--check` and `klp-convert symbols`, run as users run them.
const BIN = join(import.meta.dirname, '../../dist/src/cli/main.js');
let dir: string;
const run = (...args: string[]) => execa('node', [BIN, ...args], { reject: false, cwd: dir });
const has = async (tool: string): Promise<boolean> => (await execa(tool, ['--version'], { reject: false })).exitCode === 0;

const modinfo = { name: '.modinfo', flags: SHF_ALLOC, data: new TextEncoder().encode('livepatch=Y\0name=lp_mod\0') };

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', '.'], { cwd: join(import.meta.dirname, '../..'), reject: false });
  dir = mkdtempSync(join(tmpdir(), 'klp-check-'));
  writeFileSync(join(dir, 'in.ko'), moduleBytes({ sections: [text('.text'), modinfo], symbols: [{ name: 'saved_command_line' }, { name: 'printk' }], relocs: { '.text': [pc32(3, 'saved_command_line'), pc32(9, 'printk')] } }));
  writeFileSync(join(dir, 'symbols.klp'), symbolsFile('*vmlinux\nsaved_command_line\n__ksymtab_printk\nprintk\n'));
  writeFileSync(join(dir, 'kallsyms'), 'ffffffff81000000 T printk\nffffffff81001000 t dup\nffffffff81002000 t dup\nffffffff82000000 r __ksymtab_printk\nffffffffc0000000 t f\t[loaded]\n');
  writeFileSync(join(dir, 'Module.symvers'), '0x0\tmod_api\tdrivers/x/packed-mod\tEXPORT_SYMBOL\t\n');
  mkdirSync(join(dir, 'mods/sub'), { recursive: true });
  const mod = (name: string) => moduleBytes({ sections: [text('.text'), { name: '.modinfo', flags: SHF_ALLOC, data: new TextEncoder().encode(`name=${name}\0`) }], symbols: [{ name: `${name}_fn`, section: '.text' }] });
  writeFileSync(join(dir, 'mods/plain.ko'), mod('plain'));
  writeFileSync(join(dir, 'mods/sub/xzmod.ko'), mod('xzmod'));
  writeFileSync(join(dir, 'mods/sub/zstmod.ko'), mod('zstmod'));
  // Without the compressors the modules stay plain .ko files: the test still runs, and says what it leaves out.
  if (await has('xz')) await execa('xz', ['-f', join(dir, 'mods/sub/xzmod.ko')]);
  else console.warn('klp-convert symbols test: no xz here, so .ko.xz modules are not exercised');
  if (await has('zstd')) await execa('zstd', ['-q', '--rm', '-f', join(dir, 'mods/sub/zstmod.ko')]);
  else console.warn('klp-convert symbols test: no zstd here, so .ko.zst modules are not exercised');
}, 120_000);

describe('klp-convert check', () => {
  it('passes a module we converted, and says so with exit 0', async () => {
    expect((await run('symbols.klp', 'in.ko', 'out.ko')).exitCode).toBe(0);
    const r = await run('check', '--symbols', 'symbols.klp', 'out.ko');
    expect(r.stdout).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('fails the unconverted module: its symbol is not exported', async () => {
    const r = await run('check', '--symbols', 'symbols.klp', 'in.ko');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe(`klp-convert check: in.ko: unresolved-symbol: undefined symbol 'saved_command_line' is not exported in symbols.klp: insmod fails with "Unknown symbol saved_command_line"`);
  });

  it('without symbols.klp, notes what it could not check', async () => {
    const r = await run('check', 'in.ko');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/note: unresolved-symbol not checked/);
  });

  it('--json, usage and unreadable files', async () => {
    const j = await run('check', '--json', '--symbols', 'symbols.klp', 'in.ko');
    expect(JSON.parse(j.stdout).findings[0].rule).toBe('unresolved-symbol');
    expect((await run('check')).exitCode).toBe(2);
    expect((await run('check', 'nope.ko')).exitCode).toBe(3);
  });

  it('prefixes every line it prints, findings and errors, stdout and stderr, with "klp-convert check: "', async () => {
    writeFileSync(join(dir, 'junk.ko'), 'this is not an ELF file, but it is long enough to hold a header');
    // A name from the input with a newline in it stays on its line.
    writeFileSync(join(dir, 'newline.ko'), moduleBytes({ sections: [text('.text'), modinfo], symbols: [{ name: 'two\nlines' }], relocs: { '.text': [pc32(3, 'two\nlines')] } }));
    for (const args of [['junk.ko'], ['in.ko'], ['--symbols', 'symbols.klp', 'in.ko'], ['--symbols', 'symbols.klp', 'newline.ko'], ['--symbols', 'junk.ko', 'in.ko'], ['nope.ko'], [], ['--bogus', 'in.ko']]) {
      const r = await run('check', ...args);
      const lines = [...r.stdout.split('\n'), ...r.stderr.split('\n')].filter((l) => l !== '');
      expect(lines.length, args.join(' ')).toBeGreaterThan(0);
      for (const line of lines) expect(line, args.join(' ')).toMatch(/^klp-convert check: /);
    }
  });

  it('--check converts as usual when the output passes', async () => {
    const r = await run('--check', 'symbols.klp', 'in.ko', 'checked.ko');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'checked.ko'))).toEqual(readFileSync(join(dir, 'out.ko')));
  });
});

describe('klp-convert symbols', () => {
  it('writes kallsyms objects, Module.symvers exports and modules read from .ko, .ko.xz, .ko.zst', async () => {
    const r = await run('symbols', '--kallsyms', 'kallsyms', '--symvers', 'Module.symvers', '--modules', 'mods', '-o', 'gen.klp');
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'gen.klp'), 'latin1').split('\n')).toEqual([
      'klp-convert-symbol-data.0.1', '*vmlinux', 'printk', 'dup', 'dup', '__ksymtab_printk',
      '*loaded', 'f', '*packed_mod', '__ksymtab_mod_api', '*plain', 'plain_fn', '*xzmod', 'xzmod_fn', '*zstmod', 'zstmod_fn', '',
    ]);
    const again = await run('symbols', '--kallsyms', 'kallsyms', '--symvers', 'Module.symvers', '--modules', 'mods', '-o', 'gen2.klp');
    expect(again.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'gen2.klp'))).toEqual(readFileSync(join(dir, 'gen.klp')));
  });

  it('refuses bad input with the file and line, and bad usage', async () => {
    writeFileSync(join(dir, 'bad-kallsyms'), 'ffffffff81000000 T ok\ngarbage\n');
    const r = await run('symbols', '--kallsyms', 'bad-kallsyms', '-o', 'x.klp');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^klp-convert symbols: bad-kallsyms:2: kallsyms line/);
    expect((await run('symbols', '--kallsyms', 'kallsyms')).exitCode).toBe(2);
    expect((await run('symbols', '--kallsyms', 'missing', '-o', 'x.klp')).exitCode).toBe(3);
  });
});
