// A writer for the cpio "newc" format the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst). Writing it here rather than
// running cpio(1) keeps the initramfs independent of the host's tools and of file ownership.

export type CpioEntry =
  | { path: string; kind: 'dir'; mode?: number }
  | { path: string; kind: 'file'; data: Uint8Array; mode?: number }
  | { path: string; kind: 'symlink'; target: string };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

/** The archive: each entry in order (a directory before what it holds), then TRAILER!!!. */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array): void => {
    chunks.push(b);
    size += b.length;
  };
  const enc = new TextEncoder();
  let ino = 1;
  const record = (name: string, mode: number, data: Uint8Array): void => {
    const nameBytes = enc.encode(`${name}\0`);
    const header =
      '070701' + hex8(ino++) + hex8(mode) + hex8(0) + hex8(0) + hex8(mode & S_IFDIR ? 2 : 1) + hex8(0) +
      hex8(data.length) + hex8(0) + hex8(0) + hex8(0) + hex8(0) + hex8(nameBytes.length) + hex8(0);
    push(enc.encode(header));
    push(nameBytes);
    push(new Uint8Array(pad4(110 + nameBytes.length)));
    push(data);
    push(new Uint8Array(pad4(data.length)));
  };
  for (const e of entries) {
    const name = e.path.replace(/^\/+/, '');
    if (e.kind === 'dir') record(name, S_IFDIR | (e.mode ?? 0o755), new Uint8Array(0));
    else if (e.kind === 'file') record(name, S_IFREG | (e.mode ?? 0o644), e.data);
    else record(name, S_IFLNK | 0o777, enc.encode(e.target));
  }
  ino = 0;
  record('TRAILER!!!', 0, new Uint8Array(0));
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
