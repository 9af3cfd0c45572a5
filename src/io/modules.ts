// Kernel module files as a kernel tree holds them: `.ko`, `.ko.xz`, `.ko.zst`, read by the input
// rules of files.ts and decompressed by the xz or zstd binary.
import { execaSync } from 'execa';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeErrno, FileError, readInputFile } from './files.js';

/** A module file's bytes, decompressed by the xz or zstd binary (no shell) when it needs it. */
export function readModuleFile(path: string): Uint8Array {
  const tool = path.endsWith('.xz') ? ['xz', '-dc'] : path.endsWith('.zst') ? ['zstd', '-dcq'] : undefined;
  // Read here, by the rules for inputs, so the decompressor is never handed a FIFO or a device.
  const bytes = readInputFile(path);
  if (!tool) return bytes;
  try {
    const r = execaSync(tool[0]!, tool.slice(1), { encoding: 'buffer', input: bytes, maxBuffer: 1 << 30 });
    return r.stdout;
  } catch (e) {
    throw new FileError(path, `cannot decompress with ${tool[0]}: ${(e as { shortMessage?: string }).shortMessage ?? (e as Error).message}`);
  }
}

export const MODULE_SUFFIXES = ['.ko', '.ko.xz', '.ko.zst'];

/** Every module file under `dir`, in path order so the output does not depend on readdir. */
export function findModuleFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch (e) {
      throw new FileError(d, `cannot read: ${describeErrno(e)}`);
    }
    for (const name of entries) {
      const p = join(d, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch (e) {
        throw new FileError(p, `cannot read: ${describeErrno(e)}`);
      }
      if (isDir) visit(p);
      else if (MODULE_SUFFIXES.some((s) => name.endsWith(s))) out.push(p);
    }
  };
  visit(dir);
  return out;
}

