// Identifies what a result came from: the reference binary's digest and our package version.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function fileSha256(path: string): string {
  return sha256(readFileSync(path));
}

/** package.json's version, found from the sources (tests) and from dist/harness/ (the bin). */
export function toolVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.version) return pkg.version;
    }
  }
  return '0.0.0';
}
