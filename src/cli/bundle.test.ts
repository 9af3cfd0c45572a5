import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../convert.js';
import { generateSymbolsFile, syntheticModule, unresolvedNames } from '../../harness/bench/inputs.js';

// The bin as npm installs it: scripts/build-cli.mjs's bundle, its V8 code cache and the loader
// that joins them (package.json's "bin"). Built into its own directory, as the fuzz CLI test
// does, so a concurrent build of dist/ cannot swap files under it.
const ROOT = join(import.meta.dirname, '../..');
const BUILD = join(ROOT, 'node_modules/.cache/klp-bundle-test');
const CLI = join(BUILD, 'src/cli');
const BIN = join(CLI, 'main.cjs');
const CASE = join(ROOT, 'cases/compiled/x86_64-gcc-12-O2-symbols-sections');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

let dir: string;
const run = (...args: string[]) => execa(BIN, args, { reject: false, cwd: dir, encoding: 'buffer', stdin: 'ignore', stripFinalNewline: false });
const text = (b: unknown): string => Buffer.from(b as Uint8Array).toString('latin1');

beforeAll(async () => {
  // tsc exits non-zero on a type error elsewhere in the tree but still emits.
  await execa('npx', ['tsc', '-p', '.', '--outDir', BUILD], { cwd: ROOT, reject: false });
  await execa(process.execPath, ['scripts/build-cli.mjs', '--dist', BUILD], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'klp-bundle-'));
  const file = generateSymbolsFile();
  writeFileSync(join(dir, 'big.klp'), file.text, 'latin1');
  writeFileSync(join(dir, 'n10.ko'), syntheticModule(unresolvedNames(file, 10)).bytes);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the bundled bin', () => {
  it('is what package.json installs, with the loader, bundle and one code cache beside it', () => {
    expect(pkg.bin['klp-convert']).toBe('dist/src/cli/main.cjs');
    const files = readdirSync(CLI);
    expect(files).toContain('main.bundle.cjs');
    expect(files.filter((f) => /^main\.bundle\.[0-9a-f]+\.cache$/.test(f))).toHaveLength(1);
    expect(readFileSync(BIN, 'utf8').split('\n', 1)[0]).toBe(readFileSync(join(ROOT, 'src/cli/main.ts'), 'utf8').split('\n', 1)[0]);
  });

  it('prints the version and the usage', async () => {
    expect(text((await run('--version')).stdout)).toBe(`klp-convert ${pkg.version}\n`);
    const help = await run('--help');
    expect(help.exitCode).toBe(0);
    expect(text(help.stdout)).toMatch(/^usage: klp-convert/);
  });

  it.each([
    ['a corpus case (JavaScript scanner)', join(CASE, 'symbols.klp'), join(CASE, 'input.ko')],
    ['a kernel-sized symbols.klp (WebAssembly scanner)', 'big.klp', 'n10.ko'],
  ])('converts %s byte for byte as the library does', async (_, symbols, module) => {
    const r = await run('--verbose', symbols, module, 'out.ko');
    expect(text(r.stderr)).toMatch(/sympos 0: \d+ relas? moved/);
    expect(r.exitCode).toBe(0);
    const expected = convert(readFileSync(resolve(dir, module)), { symbols: readFileSync(resolve(dir, symbols)) }).output;
    expect(Buffer.compare(readFileSync(join(dir, 'out.ko')), Buffer.from(expected))).toBe(0);
  });

  it('refuses as the library does: one line, exit 1, nothing written', async () => {
    writeFileSync(join(dir, 'bad.klp'), 'klp-convert-symbol-data.0.1\n*vmlinux\nfoo\n');
    const r = await run('bad.klp', 'n10.ko', 'refused.ko');
    expect(r.exitCode).toBe(1);
    expect(text(r.stderr)).toMatch(/^klp-convert: [^\n]*is not in symbols\.klp\n$/);
    expect(existsSync(join(dir, 'refused.ko'))).toBe(false);
  });

  it('runs the check and symbols subcommands and --check, which load their modules lazily', async () => {
    const converted = await run('--check', join(CASE, 'symbols.klp'), join(CASE, 'input.ko'), 'checked.ko');
    expect(converted.exitCode).toBe(0);
    const check = await run('check', '--symbols', join(CASE, 'symbols.klp'), 'checked.ko');
    expect(check.exitCode).toBe(0);
    const symbols = await run('symbols', '--help');
    expect(symbols.exitCode).toBe(0);
    expect(text(symbols.stdout)).toMatch(/^usage: klp-convert symbols/);
  });

  it('runs the same without its code cache, or with one V8 refuses (cut short, not a cache at all)', async () => {
    const cache = join(CLI, readdirSync(CLI).find((f) => f.endsWith('.cache'))!);
    const good = readFileSync(cache);
    try {
      for (const bytes of [good.subarray(0, good.length >> 1), good.subarray(0, 64), Buffer.from('not a cache'.repeat(100)), Buffer.alloc(0)]) {
        writeFileSync(cache, bytes);
        const r = await run(join(CASE, 'symbols.klp'), join(CASE, 'input.ko'), 'nocache.ko');
        expect(r.exitCode, text(r.stderr)).toBe(0);
      }
      rmSync(cache);
      expect((await run('--version')).exitCode).toBe(0);
    } finally {
      writeFileSync(cache, good);
    }
  });
});
