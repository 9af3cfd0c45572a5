// Files as a shell hands them. Every file the project writes goes through `writeOutput` (or
// `stageOutput`, for writers that commit many files at once), and every file a user names is read
// through `readInputFile`, so one set of rules holds everywhere:
// - a regular file (or nothing) is replaced atomically: temp file beside it, then rename;
// - a symlink is followed, and the file it points to is replaced; the link stays a link;
// - a device, a FIFO or standard output gets the bytes written straight to it;
// - only regular files are read, never more than a stated limit, so no input can hang a run.
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fchmodSync, fchownSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, renameSync,
  statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** A file could not be read or written; `reason` is one line, in words, with the errno in brackets. */
export class FileError extends Error {
  override readonly name = 'FileError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly code?: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Inputs larger than this are refused before a byte is read: no module or symbols.klp is near it. */
export const INPUT_LIMIT = 2 * 1024 ** 3;

/** "no space left on device (ENOSPC)": the words of Node's message, then the code. */
export function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const words = WORDS[code ?? ''] ?? wordsFromMessage(err?.message, code);
  if (!code) return words ?? String(e);
  return words ? `${words} (${code})` : code;
}

const WORDS: Record<string, string> = {
  EPIPE: 'broken pipe: the reading process went away',
  ENXIO: 'no process is reading it',
  EAGAIN: 'resource temporarily unavailable',
};

function wordsFromMessage(message: string | undefined, code: string | undefined): string | undefined {
  // "ENOSPC: no space left on device, write" → "no space left on device"
  if (!message || !code || !message.startsWith(`${code}: `)) return undefined;
  const rest = message.slice(code.length + 2);
  const comma = rest.indexOf(', ');
  return comma > 0 ? rest.slice(0, comma) : rest;
}

export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}

/** What a path names, in the words an error uses. */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isFIFO()) return 'named pipe (FIFO)';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

export interface ReadOptions {
  /** Refuse a file larger than this many bytes (default INPUT_LIMIT). */
  limit?: number;
}

/**
 * Reads a regular file (a symlink to one is fine) of at most `limit` bytes. A device, a FIFO, a
 * socket, a directory or standard input that is not a regular file is refused with one line
 * naming its kind: reading one could block for ever (a FIFO without a writer) or never end
 * (/dev/zero). The open does not wait for a FIFO's writer.
 */
export function readInputFile(path: string, opts: ReadOptions = {}): Buffer {
  const file = openInputFile(path, opts);
  try {
    const buf = Buffer.allocUnsafe(file.size);
    let off = 0;
    while (off < buf.length) {
      const n = file.read(buf, off, buf.length - off);
      if (n === 0) break;
      off += n;
    }
    return off === buf.length ? buf : buf.subarray(0, off);
  } finally {
    file.close();
  }
}

/** An input file opened by readInputFile's rules, to be read in pieces and then closed. */
export interface InputFile {
  /** Its size when opened: reading stops there. */
  readonly size: number;
  /** Reads at most `length` bytes into `into` at `offset`; 0 at the end. A failure is a FileError. */
  read(into: Uint8Array, offset: number, length: number): number;
  close(): void;
}

/**
 * Opens a file as readInputFile does, refusing the same files with the same words, for a reader
 * that takes it in pieces: a 4 MB symbols.klp then never has to be in memory at once. A file that
 * shrinks while read ends early; one that grows is read as it was when opened.
 */
export function openInputFile(path: string, opts: ReadOptions = {}): InputFile {
  const limit = opts.limit ?? INPUT_LIMIT;
  const label = path === '-' ? 'standard input' : path;
  const fail = (e: unknown): FileError => new FileError(label, `cannot read: ${describeErrno(e)}`, (e as NodeJS.ErrnoException).code);
  let fd: number;
  let owned = true;
  if (path === '-') {
    fd = 0;
    owned = false;
  } else {
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (e) {
      throw fail(e);
    }
  }
  const close = (): void => {
    if (owned) closeSync(fd);
    owned = false;
  };
  let size: number;
  try {
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (e) {
      throw fail(e);
    }
    if (!st.isFile()) {
      const kind = fileKind(st);
      throw new FileError(label, `cannot read: it is a ${kind}; only regular files are read${path === '-' ? " (redirect a file with '<')" : ''}`);
    }
    if (st.size > limit) throw new FileError(label, `cannot read: input is ${formatSize(st.size)}: more than the ${formatSize(limit)} limit`);
    size = st.size;
  } catch (e) {
    close();
    throw e;
  }
  let at = 0;
  return {
    size,
    read(into, offset, length) {
      const n = Math.min(length, size - at);
      if (n <= 0) return 0;
      let got: number;
      try {
        got = readSync(fd, into, offset, n, path === '-' ? null : at);
      } catch (e) {
        throw fail(e);
      }
      at += got;
      return got;
    },
    close,
  };
}

/** readInputFile, decoded: utf8 for JSON and text we write, latin1 for kernel files of any bytes. */
export function readInputText(path: string, encoding: 'utf8' | 'latin1' = 'utf8', opts: ReadOptions = {}): string {
  return readInputFile(path, opts).toString(encoding);
}

/** Where the bytes for an output path go, once symlinks are followed. */
export type OutputTarget =
  /** A regular file, or no file yet: replaced atomically. `existing` keeps its mode and owner. */
  | { kind: 'file'; path: string; existing?: Stats }
  /** A regular file with other hard links: rewritten in place so every name keeps seeing it. */
  | { kind: 'linked-file'; path: string }
  /** A character or block device, or a FIFO: written straight to, no temp file. */
  | { kind: 'stream'; path: string; what: string }
  /** One of our own file descriptors: `-`, /dev/stdout, /proc/self/fd/N. */
  | { kind: 'fd'; fd: number; what: string };

const MAX_LINKS = 40;

/** This process's fd directory, whatever spelling of /proc/self or /dev/fd led there. */
function ownFd(path: string): number | undefined {
  const name = basename(path);
  if (!/^\d+$/.test(name)) return undefined;
  let dir: string;
  try {
    dir = realpathSync(dirname(path));
  } catch {
    return undefined;
  }
  const pid = process.pid;
  return dir === `/proc/${pid}/fd` || new RegExp(`^/proc/${pid}/task/\\d+/fd$`).test(dir) ? Number(name) : undefined;
}

const FD_NAMES: Record<number, string> = { 0: 'standard input', 1: 'standard output', 2: 'standard error' };

/** Follows `path` through symlinks to what must be written; refuses what cannot be. */
export function resolveOutput(path: string): OutputTarget {
  if (path === '-') return { kind: 'fd', fd: 1, what: 'standard output' };
  let p = resolve(path);
  for (let hops = 0; hops <= MAX_LINKS; hops++) {
    const fd = ownFd(p);
    if (fd !== undefined) return { kind: 'fd', fd, what: FD_NAMES[fd] ?? `file descriptor ${fd}` };
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'file', path: p };
      throw new FileError(path, `cannot write: ${describeErrno(e)}`, code);
    }
    if (st.isSymbolicLink()) {
      p = resolve(dirname(p), readlinkSync(p));
      continue;
    }
    if (st.isFile()) return st.nlink > 1 ? { kind: 'linked-file', path: p } : { kind: 'file', path: p, existing: st };
    if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) return { kind: 'stream', path: p, what: fileKind(st) };
    throw new FileError(path, `cannot write: it is a ${fileKind(st)}`);
  }
  throw new FileError(path, `cannot write: more than ${MAX_LINKS} levels of symbolic links`, 'ELOOP');
}

/** A file written but not yet in place: `commit` puts it there, `discard` leaves no trace. */
export interface StagedOutput {
  readonly path: string;
  commit(): void;
  discard(): void;
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `data` to `fd`; a pipe that is full (EAGAIN) is waited for, not given up on. */
function writeAll(fd: number, data: Uint8Array, label: string, position: number | null): void {
  let off = 0;
  while (off < data.length) {
    let n: number;
    try {
      n = writeSync(fd, data, off, data.length - off, position === null ? null : position + off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(sleepBuffer, 0, 0, 2);
        continue;
      }
      throw new FileError(label, `cannot write: ${describeErrno(e)}`, (e as NodeJS.ErrnoException).code);
    }
    if (n <= 0) throw new FileError(label, `cannot write: short write (${off} of ${data.length} bytes written)`);
    off += n;
  }
}

function writeToPath(path: string, data: Uint8Array, flags: number, label: string): void {
  let fd: number;
  try {
    fd = openSync(path, flags);
  } catch (e) {
    throw new FileError(label, `cannot write: ${describeErrno(e)}`, (e as NodeJS.ErrnoException).code);
  }
  try {
    writeAll(fd, data, label, null);
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /** Mode of a new file (an existing file keeps its own); the umask applies. Default 0o644. */
  mode?: number;
}

/**
 * Prepares `data` for `path`. For a regular file the bytes go to a temp file in the target's own
 * directory now (so a full disk is found before anything is replaced); commit renames it over the
 * target. For a device, a FIFO or a descriptor nothing happens until commit.
 */
export function stageOutput(path: string, data: Uint8Array, opts: WriteOptions = {}): StagedOutput {
  const target = resolveOutput(path);
  switch (target.kind) {
    case 'fd':
      return { path, commit: () => writeAll(target.fd, data, target.what, null), discard: () => {} };
    case 'stream':
      // O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of waiting for ever.
      return {
        path,
        commit: () => writeToPath(target.path, data, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY, path),
        discard: () => {},
      };
    case 'linked-file':
      return { path, commit: () => writeToPath(target.path, data, constants.O_WRONLY | constants.O_TRUNC, path), discard: () => {} };
    case 'file':
      return stageReplacement(path, target.path, data, target.existing, opts.mode ?? 0o644);
  }
}

function stageReplacement(label: string, path: string, data: Uint8Array, existing: Stats | undefined, mode: number): StagedOutput {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  const removeTmp = (): void => {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already gone
    }
  };
  try {
    // 'wx' (O_EXCL): the temp name is never a file or link someone else put there.
    fd = openSync(tmp, 'wx', mode);
    if (existing) {
      fchmodSync(fd, existing.mode & 0o7777);
      try {
        fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // Only root may give a file away; an ordinary user's output becomes theirs, as with cp.
      }
    }
    writeAll(fd, data, label, 0);
    closeSync(fd);
    fd = undefined;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeTmp();
    if (e instanceof FileError) throw e;
    throw new FileError(label, `cannot write: ${describeErrno(e)}`, (e as NodeJS.ErrnoException).code);
  }
  let done = false;
  return {
    path: label,
    commit: () => {
      try {
        renameSync(tmp, path);
        done = true;
      } catch (e) {
        removeTmp();
        throw new FileError(label, `cannot write: ${describeErrno(e)}`, (e as NodeJS.ErrnoException).code);
      }
    },
    discard: () => {
      if (!done) removeTmp();
    },
  };
}

/** Writes `data` to `path` by the rules above; on failure nothing is left behind. */
export function writeOutput(path: string, data: Uint8Array | string, opts: WriteOptions = {}): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const staged = stageOutput(path, bytes, opts);
  try {
    staged.commit();
  } catch (e) {
    staged.discard();
    throw e;
  }
}

/** Writes many files all at once or not at all (as far as a file system allows): goldens. */
export function writeOutputs(files: ReadonlyArray<{ path: string; data: Uint8Array | string }>): void {
  const staged: StagedOutput[] = [];
  try {
    for (const f of files) staged.push(stageOutput(f.path, typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data));
  } catch (e) {
    for (const s of staged) s.discard();
    throw e;
  }
  for (const [k, s] of staged.entries()) {
    try {
      s.commit();
    } catch (e) {
      for (const rest of staged.slice(k + 1)) rest.discard();
      throw e;
    }
  }
}

/**
 * True when writing `output` would write the file `input` names: the same inode, with symlinks
 * followed on both sides and `-` meaning standard input and output.
 */
export function outputIsInput(input: string, output: string): boolean {
  try {
    const inStat = input === '-' ? fstatSync(0) : statSync(input);
    const target = resolveOutput(output);
    const outStat = target.kind === 'fd' ? fstatSync(target.fd) : statSync(target.path);
    return inStat.dev === outStat.dev && inStat.ino === outStat.ino;
  } catch {
    return false;
  }
}
