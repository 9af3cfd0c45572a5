// node:crypto as the bundled CLI sees it (scripts/build-cli.mjs). src/io/files.ts takes
// randomBytes from node:crypto for temporary file names, and loading node:crypto loads ~25 more
// of Node's internal modules (and with them a garbage collection) in every run: ~9 ms of a
// 100 ms conversion on the machine docs/performance.md describes. The same bytes come from the
// kernel's random source directly; node:crypto is loaded only if /dev/urandom cannot be read.
// Only randomBytes is here: a bundle that imports anything else from node:crypto fails to build.
// (`require` inside the function: esbuild keeps it there, so the real module loads only then.)
import { closeSync, openSync, readSync } from 'node:fs';

export function randomBytes(size) {
  let fd;
  try {
    fd = openSync('/dev/urandom', 'r');
  } catch {
    return require('node:crypto').randomBytes(size);
  }
  try {
    const out = Buffer.allocUnsafe(size);
    for (let off = 0; off < size; ) {
      const n = readSync(fd, out, off, size - off, null);
      if (n <= 0) return require('node:crypto').randomBytes(size);
      off += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
