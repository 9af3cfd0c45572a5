// What runs inside the guest: a busybox initramfs whose /init loads each case's module in turn
// and reports in a line protocol the host parses (`@@key value`, and `@@begin key` …
// `@@endblock key` around file contents). On x86_64 the report goes to ttyS1 and the console
// (ttyS0) stays free for the kernel's own messages, which is where an oops shows. The other boards
// have one port: the report goes to /dev/console, and the guest first turns the console's log
// level down (`dmesg -n 1`) so kernel messages do not break its lines (dmesg is reported per case
// anyway); a boot whose case is expected to oops keeps the level, so the oops shows.
import { HarnessError } from '../errors.js';
import { readInputFile } from '../../src/io/index.js';
import { writeCpio, type CpioEntry } from './cpio.js';

export const BUSYBOX_PATHS = ['/bin/busybox', '/usr/bin/busybox'];

/** One case as the guest runs it. */
export interface GuestCase {
  id: string;
  /** File name under /m in the initramfs. */
  file: string;
  /** The module's name as the kernel knows it (sysfs, rmmod). */
  name: string;
  /** Run the livepatch steps (transition, enabled, disable); false for modules expected to fail. */
  livepatch: boolean;
  /** Commands run before the patch is loaded (a patched module loaded first), in order. */
  before?: string[];
  /** Initramfs paths of modules to load after the patch (late module patching), in order. */
  late: string[];
  setup: string[];
  teardown: string[];
  /** Files whose contents are reported while patched and again after the patch is disabled. */
  files: string[];
  /** Names whose vmlinux kallsyms lines are reported (to tell which duplicate was bound). */
  kallsyms: string[];
}

/** Where the guest reports, and whether it quiets the console first. */
export interface GuestChannel {
  device: '/dev/ttyS1' | '/dev/console';
  quietConsole: boolean;
}

export const SECOND_SERIAL: GuestChannel = { device: '/dev/ttyS1', quietConsole: false };

const prologue = (ch: GuestChannel): string => `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
${ch.quietConsole ? 'dmesg -n 1\n' : ''}R=${ch.device}
say() { echo "@@$*" > $R; }
block() { say "begin $2"; { cat "$1" 2>&1; echo; } > $R; say "endblock $2"; }
# waits up to $2 tenths of a second for file $1 to read $3 ("gone" waits for it to disappear)
waitfor() {
  n=0
  while [ $n -lt $2 ]; do
    if [ "$3" = gone ]; then [ -e "$1" ] || return 0; else [ "$(cat "$1" 2>/dev/null)" = "$3" ] && return 0; fi
    sleep 0.1; n=$((n+1))
  done
  return 1
}
say "uname $(uname -r)"
`;

const EPILOGUE = `say "done"
sync
poweroff -f
`;

/** Single-quotes a string for the guest's sh. */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function caseScript(c: GuestCase): string {
  const lp = `/sys/kernel/livepatch/${c.name}`;
  const lines = [`say ${q(`case ${c.id}`)}`, 'dmesg -c > /dev/null'];
  // Each command in braces: one with its own redirection (`echo … > register`) keeps it.
  for (const b of c.before ?? []) lines.push(`{ ${b}; } > /tmp/before.out 2>&1; say "before $?"; block /tmp/before.out before-output`);
  lines.push(`insmod /m/${c.file} > /tmp/insmod.out 2>&1; rc=$?`, 'say "insmod $rc"', 'block /tmp/insmod.out insmod-output');
  lines.push('if [ $rc = 0 ]; then');
  if (c.livepatch) {
    lines.push(`  waitfor ${lp}/transition 300 0; say "transition $(cat ${lp}/transition 2>&1)"`);
  }
  for (const m of c.late) lines.push(`  insmod ${m} > /tmp/late.out 2>&1; say "late-insmod $?"; block /tmp/late.out late-output`);
  for (const s of c.setup) lines.push(`  { ${s}; } > /tmp/setup.out 2>&1; say "setup $?"; block /tmp/setup.out setup-output`);
  if (c.livepatch) lines.push(`  say "enabled $(cat ${lp}/enabled 2>&1)"`);
  c.files.forEach((f, i) => lines.push(`  block ${q(f)} patched:${i}`));
  for (const n of c.kallsyms) lines.push(`  grep -E ${q(` ${n}$`)} /proc/kallsyms > /tmp/ks.out; block /tmp/ks.out kallsyms:${n}`);
  if (c.livepatch) {
    lines.push(`  echo 0 > ${lp}/enabled; say "disable $?"`);
    lines.push(`  waitfor ${lp} 300 gone; say "unpatched $?"`);
    c.files.forEach((f, i) => lines.push(`  block ${q(f)} unpatched:${i}`));
  }
  lines.push(`  rmmod ${c.name} > /tmp/rmmod.out 2>&1; say "rmmod $?"; block /tmp/rmmod.out rmmod-output`);
  for (const s of c.teardown) lines.push(`  { ${s}; } > /dev/null 2>&1`);
  for (const m of [...c.late].reverse()) lines.push(`  rmmod ${m.slice(m.lastIndexOf('/') + 1).replace(/\.ko$/, '')} > /dev/null 2>&1`);
  lines.push('fi');
  lines.push('dmesg > /tmp/dmesg.out; block /tmp/dmesg.out dmesg');
  lines.push(`say ${q(`end ${c.id}`)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `ending` is how the guest stops: poweroff, or a reboot (QEMU's -no-reboot then exits) for a
 * kernel with no ACPI to power off with (tinyconfig's), where poweroff only halts.
 */
export function initScript(cases: readonly GuestCase[], extra = '', channel: GuestChannel = SECOND_SERIAL, ending: 'poweroff' | 'reboot' = 'poweroff'): string {
  const epilogue = ending === 'poweroff' ? EPILOGUE : EPILOGUE.replace('poweroff -f', 'reboot -f');
  return prologue(channel) + extra + cases.map(caseScript).join('') + epilogue;
}

/**
 * The init that only dumps /proc/kallsyms (klp-harness kallsyms). Every byte through the emulated
 * UART costs an exit to QEMU, so the 4 MB of text goes gzipped (base64: the tty is not raw).
 */
export const kallsymsInit = (channel: GuestChannel = SECOND_SERIAL): string => `${prologue(channel)}say "case kallsyms"
say "begin kallsyms.gz.b64"
gzip -c /proc/kallsyms | base64 > $R
say "endblock kallsyms.gz.b64"
say "end kallsyms"
${EPILOGUE}`;

export const KALLSYMS_INIT = kallsymsInit();

/** The host's busybox (x86_64), or the one at `path` (another architecture's busybox-static). */
export function busyboxBinary(path?: string): Uint8Array {
  for (const p of path ? [path] : BUSYBOX_PATHS) {
    try {
      return readInputFile(p);
    } catch {
      // try the next
    }
  }
  throw new HarnessError(`no busybox binary (${path ?? BUSYBOX_PATHS.join(', ')}): install busybox-static`);
}

/** The initramfs: busybox, /init, and files (modules) at the paths given. */
export function buildInitramfs(init: string, files: ReadonlyArray<{ path: string; data: Uint8Array }>, busybox?: string): Uint8Array {
  const entries: CpioEntry[] = [];
  const dirs = new Set<string>();
  const ensureDir = (path: string): void => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: d, kind: 'dir' });
      }
    }
  };
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'm']) ensureDir(d);
  entries.push({ path: 'bin/busybox', kind: 'file', data: busyboxBinary(busybox), mode: 0o755 });
  entries.push({ path: 'init', kind: 'file', data: new TextEncoder().encode(init), mode: 0o755 });
  for (const f of files) {
    const path = f.path.replace(/^\/+/, '');
    ensureDir(path.slice(0, path.lastIndexOf('/')));
    entries.push({ path, kind: 'file', data: f.data });
  }
  return writeCpio(entries);
}

/** What the guest said about one case. */
export interface GuestReport {
  values: Map<string, string>;
  blocks: Map<string, string>;
  ended: boolean;
}

export interface GuestOutput {
  uname?: string;
  done: boolean;
  cases: Map<string, GuestReport>;
}

export function parseGuestOutput(text: string): GuestOutput {
  const out: GuestOutput = { done: false, cases: new Map() };
  let current: GuestReport | undefined;
  let block: { key: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    if (block) {
      if (line === `@@endblock ${block.key}`) {
        const body = block.lines.join('\n').replace(/\n$/, '');
        current?.blocks.set(block.key, body);
        block = undefined;
      } else block.lines.push(line);
      continue;
    }
    if (!line.startsWith('@@')) continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line.slice(2) : line.slice(2, sp);
    const value = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'uname') out.uname = value;
    else if (key === 'done') out.done = true;
    else if (key === 'case') {
      current = { values: new Map(), blocks: new Map(), ended: false };
      out.cases.set(value, current);
    } else if (key === 'end') {
      if (current) current.ended = true;
      current = undefined;
    } else if (key === 'begin') block = { key: value, lines: [] };
    else current?.values.set(key, value);
  }
  return out;
}
