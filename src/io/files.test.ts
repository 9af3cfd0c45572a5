// Files as a shell hands them, tested as users meet them: the built bin in a real process, with
// real devices, FIFOs, symlinks, hard links and a full file system made in a temp directory.
// Device nodes and the tmpfs need root (CI runs as root); without it those tests are skipped.
import { execa } from 'execa';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync,
  symlinkSync, truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../convert.js';
import { moduleBytes, pc32, symbolsFile, text } from '../klp/index.js';
import { FileError, readInputFile, resolveOutput, writeOutput, writeOutputs } from './files.js';

const BIN = join(import.meta.dirname, '../../dist/src/cli/main.js');
const root = process.getuid?.() === 0;
let dir: string;
let expected: Uint8Array;
const run = (...args: string[]) => execa('node', [BIN, ...args], { reject: false, cwd: dir, encoding: 'buffer', stdin: 'ignore' });
const stderrOf = (r: { stderr: unknown }): string => Buffer.from(r.stderr as Uint8Array).toString('utf8');
const tempsIn = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.tmp'));

function mknod(path: string, major: number, minor: number): void {
  execFileSync('mknod', [path, 'c', String(major), String(minor)]);
}

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', '.'], { cwd: join(import.meta.dirname, '../..') });
  dir = mkdtempSync(join(tmpdir(), 'klp-files-'));
  const input = moduleBytes({ sections: [text('.text')], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } });
  const symbols = symbolsFile('*vmlinux\nsaved_command_line');
  writeFileSync(join(dir, 'in.ko'), input);
  writeFileSync(join(dir, 's.klp'), symbols);
  expected = convert(input, { symbols }).output;
}, 120_000);

afterAll(() => {
  try {
    execFileSync('umount', [join(dir, 'tiny')], { stdio: 'ignore' });
  } catch {
    // not mounted
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('klp-convert output paths', () => {
  it.runIf(root)('writes into a character device and leaves the node a device (/dev/null-like 1,3)', async () => {
    const node = join(dir, 'null');
    mknod(node, 1, 3);
    const r = await run('s.klp', 'in.ko', node);
    expect(r.exitCode).toBe(0);
    expect(lstatSync(node).isCharacterDevice()).toBe(true);
    expect(statSync(node).rdev).toBe(statSync('/dev/null').rdev);
    expect(tempsIn(dir)).toEqual([]);
  });

  it.runIf(root)('reports a full device (/dev/full-like 1,7) in words, exit 3, and keeps the node', async () => {
    const node = join(dir, 'full');
    mknod(node, 1, 7);
    const r = await run('s.klp', 'in.ko', node);
    expect(r.exitCode).toBe(3);
    expect(stderrOf(r)).toBe(`klp-convert: ${node}: cannot write: no space left on device (ENOSPC)`);
    expect(lstatSync(node).isCharacterDevice()).toBe(true);
    expect(tempsIn(dir)).toEqual([]);
  });

  it('sends the module down standard output for -, /dev/stdout and a link to /proc/self/fd/1', async () => {
    const link = join(dir, 'stdout-link');
    symlinkSync('/proc/self/fd/1', link);
    for (const out of ['-', '/dev/stdout', link]) {
      const r = await run('s.klp', 'in.ko', out);
      expect(r.exitCode, out).toBe(0);
      expect(Buffer.from(r.stdout as Uint8Array).equals(Buffer.from(expected)), out).toBe(true);
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('/proc/self/fd/1');
    expect(lstatSync('/dev/stdout').isSymbolicLink()).toBe(true);
  });

  it('writes into standard output redirected to a file', async () => {
    const target = join(dir, 'redirected.ko');
    execFileSync('sh', ['-c', `node '${BIN}' s.klp in.ko /dev/stdout > '${target}'`], { cwd: dir });
    expect(readFileSync(target).equals(Buffer.from(expected))).toBe(true);
  });

  it('stops quietly with 141 when the reader of standard output went away (EPIPE), as `| head` expects', async () => {
    const child = execa('node', [BIN, 's.klp', 'in.ko', '-'], { reject: false, cwd: dir, stdin: 'ignore', stdout: 'pipe' });
    child.stdout!.destroy();
    const r = await child;
    expect(r.exitCode).toBe(141);
    expect(r.stderr).toBe('');
  });

  it('writes into a named pipe that has a reader, and the pipe stays a pipe', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (b: Buffer) => chunks.push(b));
    const done = new Promise<void>((res) => reader.on('close', () => res()));
    // cat opens the FIFO before we write: wait until it holds it open.
    await new Promise((res) => setTimeout(res, 300));
    const r = await run('s.klp', 'in.ko', fifo);
    await done;
    expect(r.exitCode).toBe(0);
    expect(Buffer.concat(chunks).equals(Buffer.from(expected))).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('refuses a named pipe nobody reads instead of waiting for ever', async () => {
    const fifo = join(dir, 'lonely-pipe');
    execFileSync('mkfifo', [fifo]);
    const r = await run('s.klp', 'in.ko', fifo);
    expect(r.exitCode).toBe(3);
    expect(stderrOf(r)).toBe(`klp-convert: ${fifo}: cannot write: no process is reading it (ENXIO)`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('writes the file a symlink points to, atomically in its directory; the link stays a link', async () => {
    mkdirSync(join(dir, 'real'));
    writeFileSync(join(dir, 'real', 'target.ko'), 'old');
    symlinkSync('real/target.ko', join(dir, 'out-link.ko'));
    symlinkSync('real/new.ko', join(dir, 'dangling.ko'));
    expect((await run('s.klp', 'in.ko', 'out-link.ko')).exitCode).toBe(0);
    expect((await run('s.klp', 'in.ko', 'dangling.ko')).exitCode).toBe(0);
    expect(lstatSync(join(dir, 'out-link.ko')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'dangling.ko')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real', 'target.ko')).equals(Buffer.from(expected))).toBe(true);
    expect(readFileSync(join(dir, 'real', 'new.ko')).equals(Buffer.from(expected))).toBe(true);
    expect(tempsIn(join(dir, 'real'))).toEqual([]);
  });

  it('keeps the mode of an existing output and every hard link to it', async () => {
    writeFileSync(join(dir, 'private.ko'), 'old');
    chmodSync(join(dir, 'private.ko'), 0o600);
    writeFileSync(join(dir, 'linked.ko'), 'old');
    linkSync(join(dir, 'linked.ko'), join(dir, 'other-name.ko'));
    expect((await run('s.klp', 'in.ko', 'private.ko')).exitCode).toBe(0);
    expect((await run('s.klp', 'in.ko', 'linked.ko')).exitCode).toBe(0);
    expect(statSync(join(dir, 'private.ko')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'other-name.ko')).equals(Buffer.from(expected))).toBe(true);
    expect(statSync(join(dir, 'other-name.ko')).ino).toBe(statSync(join(dir, 'linked.ko')).ino);
  });

  it('refuses an output symlink that points at the input, like the input itself', async () => {
    symlinkSync('in.ko', join(dir, 'in-alias.ko'));
    const before = readFileSync(join(dir, 'in.ko'));
    const r = await run('s.klp', 'in.ko', 'in-alias.ko');
    expect(r.exitCode).toBe(2);
    expect(stderrOf(r)).toBe('klp-convert: in-alias.ko: output would overwrite the input (use --in-place to allow it)');
    expect(readFileSync(join(dir, 'in.ko')).equals(before)).toBe(true);
    expect(lstatSync(join(dir, 'in-alias.ko')).isSymbolicLink()).toBe(true);
  });

  it('refuses a directory, and a missing directory, with one line each', async () => {
    mkdirSync(join(dir, 'adir'));
    const a = await run('s.klp', 'in.ko', 'adir');
    expect(a.exitCode).toBe(3);
    expect(stderrOf(a)).toBe('klp-convert: adir: cannot write: it is a directory');
    const b = await run('s.klp', 'in.ko', 'no/such/dir/out.ko');
    expect(b.exitCode).toBe(3);
    expect(stderrOf(b)).toBe('klp-convert: no/such/dir/out.ko: cannot write: no such file or directory (ENOENT)');
  });

  it.runIf(root)('reports ENOSPC on a full file system in words and leaves nothing behind', async () => {
    const tiny = join(dir, 'tiny');
    mkdirSync(tiny);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', tiny], { stdio: 'ignore' });
    } catch {
      return; // mounting not allowed here (a container without CAP_SYS_ADMIN): /dev/full covers ENOSPC
    }
    const big = moduleBytes({ sections: [{ ...text('.text'), data: new Uint8Array(64 * 1024) }], symbols: [{ name: 'saved_command_line' }], relocs: { '.text': [pc32(0, 'saved_command_line')] } });
    writeFileSync(join(dir, 'big.ko'), big);
    const r = await run('s.klp', 'big.ko', join(tiny, 'out.ko'));
    expect(r.exitCode).toBe(3);
    expect(stderrOf(r)).toBe(`klp-convert: ${join(tiny, 'out.ko')}: cannot write: no space left on device (ENOSPC)`);
    expect(readdirSync(tiny)).toEqual([]);
  });
});

describe('klp-convert inputs', () => {
  it('refuses /dev/zero, a symlink to it and a FIFO without a writer, in one line each and without waiting', async () => {
    symlinkSync('/dev/zero', join(dir, 'zero.ko'));
    execFileSync('mkfifo', [join(dir, 'in-pipe.ko')]);
    const cases: Array<[string, string]> = [
      ['/dev/zero', 'character device'],
      ['zero.ko', 'character device'],
      ['in-pipe.ko', 'named pipe (FIFO)'],
    ];
    for (const [input, kind] of cases) {
      const r = await run('s.klp', input, 'x.ko');
      expect(r.exitCode, input).toBe(3);
      expect(stderrOf(r), input).toBe(`klp-convert: ${input}: cannot read: it is a ${kind}; only regular files are read`);
    }
    const s = await run('/dev/zero', 'in.ko', 'x.ko');
    expect(stderrOf(s)).toBe('klp-convert: /dev/zero: cannot read: it is a character device; only regular files are read');
    expect(existsSync(join(dir, 'x.ko'))).toBe(false);
  }, 20_000);

  it('reads - when standard input is a file, and refuses it when it is a pipe', async () => {
    const ok = await execa('sh', ['-c', `node '${BIN}' s.klp - from-stdin.ko < in.ko`], { reject: false, cwd: dir });
    expect(ok.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'from-stdin.ko')).equals(Buffer.from(expected))).toBe(true);
    const piped = await execa('sh', ['-c', `cat in.ko | node '${BIN}' s.klp - piped.ko`], { reject: false, cwd: dir });
    expect(piped.exitCode).toBe(3);
    expect(piped.stderr).toBe("klp-convert: standard input: cannot read: it is a named pipe (FIFO); only regular files are read (redirect a file with '<')");
  });

  it('refuses an input larger than the limit, saying how large, before reading it', async () => {
    const sparse = join(dir, 'huge.ko');
    writeFileSync(sparse, '');
    truncateSync(sparse, 5 * 1024 ** 3);
    const r = await run('s.klp', 'huge.ko', 'x.ko');
    expect(r.exitCode).toBe(3);
    expect(stderrOf(r)).toBe('klp-convert: huge.ko: cannot read: input is 5 GiB: more than the 2 GiB limit');
  });
});

describe('the output helper', () => {
  it('resolves what a path names', () => {
    expect(resolveOutput('-')).toEqual({ kind: 'fd', fd: 1, what: 'standard output' });
    expect(resolveOutput('/dev/stdout')).toMatchObject({ kind: 'fd', fd: 1 });
    expect(resolveOutput('/dev/stderr')).toMatchObject({ kind: 'fd', fd: 2 });
    expect(resolveOutput('/dev/null')).toMatchObject({ kind: 'stream', what: 'character device' });
    expect(resolveOutput(join(dir, 'nothing-here'))).toEqual({ kind: 'file', path: join(dir, 'nothing-here') });
    const loop = join(dir, 'loop');
    symlinkSync('loop', loop);
    expect(() => resolveOutput(loop)).toThrow(/more than 40 levels of symbolic links/);
  });

  it('writes many files all at once or none: a failing one leaves the others untouched', () => {
    const d = mkdtempSync(join(dir, 'many-'));
    writeFileSync(join(d, 'a'), 'old a');
    expect(() => writeOutputs([{ path: join(d, 'a'), data: 'new a' }, { path: join(d, 'missing', 'b'), data: 'b' }])).toThrow(FileError);
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('old a');
    expect(readdirSync(d)).toEqual(['a']);
    writeOutput(join(d, 'a'), 'new a');
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('new a');
  });

  it('reads a regular file through a symlink and refuses a directory', () => {
    symlinkSync('in.ko', join(dir, 'in-link.ko'));
    expect(readInputFile(join(dir, 'in-link.ko')).equals(readFileSync(join(dir, 'in.ko')))).toBe(true);
    expect(() => readInputFile(dir)).toThrow(/it is a directory; only regular files are read/);
  });
});

describe('one helper for every writer', () => {
  it('no code outside src/io/files.ts writes, renames or copies files by itself', () => {
    const repo = join(import.meta.dirname, '../..');
    const offenders: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(join(repo, d), { withFileTypes: true })) {
        const rel = `${d}/${e.name}`;
        if (e.isDirectory()) {
          if (rel !== 'harness/testing') walk(rel);
        } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && rel !== 'src/io/files.ts') {
          const text = readFileSync(join(repo, rel), 'utf8');
          for (const m of text.matchAll(/\b(writeFileSync|renameSync|copyFileSync|appendFileSync|createWriteStream|writeFile|appendFile|copyFile|rename)\s*\(/g)) {
            offenders.push(`${rel}: ${m[1]}`);
          }
        }
      }
    };
    walk('src');
    walk('harness');
    walk('scripts');
    expect(offenders).toEqual([]);
  });
});
