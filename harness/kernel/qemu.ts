// One boot of a kernel under QEMU's software emulation: an initramfs in, the console and the
// result channel out. KVM guests hang on the machines this runs on, so TCG it is; `oops=panic
// panic=-1` with -no-reboot turns any oops into the end of the boot.
//
// x86_64 keeps its console on ttyS0 and gets the results on ttyS1 (two -serial files). The other
// boards have one console port: `-serial mon:stdio`, the results in the same line protocol on the
// console, which the guest keeps quiet (`dmesg -n 1`) while it reports.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { inOwnGroup } from '../processes.js';
import { writeOutput } from '../../src/io/index.js';
import { ARCHES, COMMON_QEMU, type ArchSpec } from './arch.js';

export const QEMU = ARCHES.x86_64.qemu;

export interface BootOptions {
  /** The architecture (default x86_64). */
  arch?: ArchSpec;
  /** The kernel image QEMU's -kernel gets. */
  vmlinuz: string;
  initramfs: Uint8Array;
  /** Wall-clock limit for the whole boot. */
  timeoutMs: number;
  /** x86_64 only (512 MB); the other boards get COMMON_QEMU's 1024 MB. */
  memoryMb?: number;
  /** Appended to `console=<console> panic=-1 oops=panic`. */
  append?: string;
}

export interface BootResult {
  /** How the boot ended: the guest powered off, the kernel panicked (and so rebooted), or time ran out. */
  ended: 'poweroff' | 'panic' | 'timeout' | 'qemu-error';
  console: string;
  /** Everything the guest wrote on its result channel (the console itself, off x86_64). */
  results: string;
  ms: number;
  qemuStderr: string;
  /** The QEMU command line, for the report. */
  argv: string[];
}

export const BASE_APPEND = 'console=ttyS0 panic=-1 oops=panic';

export const appendFor = (arch: ArchSpec): string => `console=${arch.console} panic=-1 oops=panic`;

export async function boot(opts: BootOptions): Promise<BootResult> {
  const arch = opts.arch ?? ARCHES.x86_64;
  const dir = mkdtempSync(join(tmpdir(), 'klp-qemu-'));
  const initrd = join(dir, 'initramfs.cpio');
  const consolePath = join(dir, 'ttyS0.log');
  const resultsPath = join(dir, 'ttyS1.log');
  writeOutput(initrd, opts.initramfs);
  const append = `${appendFor(arch)}${opts.append ? ` ${opts.append}` : ''}`;
  const args =
    arch.channel === 'second-serial'
      ? [
          ...arch.machine, '-m', String(opts.memoryMb ?? 512), '-smp', '1',
          '-display', 'none', '-monitor', 'none', '-nic', 'none', '-no-reboot',
          '-kernel', opts.vmlinuz, '-initrd', initrd, '-append', append,
          '-serial', `file:${consolePath}`, '-serial', `file:${resultsPath}`,
        ]
      : [
          ...arch.machine, ...COMMON_QEMU,
          '-kernel', opts.vmlinuz, '-initrd', initrd, '-append', append,
        ];
  const started = performance.now();
  try {
    const r = await inOwnGroup(execa(arch.qemu, args, {
      reject: false, timeout: opts.timeoutMs, killSignal: 'SIGKILL', stdin: 'ignore', cwd: dir, detached: true,
      stdout: arch.channel === 'console' ? 'pipe' : 'ignore', encoding: 'latin1', stripFinalNewline: false,
    }));
    const ms = performance.now() - started;
    const read = (p: string): string => {
      try {
        return readFileSync(p, 'latin1');
      } catch {
        return '';
      }
    };
    const consoleText = (arch.channel === 'console' ? String(r.stdout ?? '') : read(consolePath)).replace(/\r/g, '');
    const results = arch.channel === 'console' ? consoleText : read(resultsPath).replace(/\r/g, '');
    const qemuStderr = typeof r.stderr === 'string' ? r.stderr : '';
    if (r.exitCode === undefined && !r.signal && !r.timedOut) throw new HarnessError(`cannot run ${arch.qemu}: ${r.shortMessage ?? r.message}`);
    let ended: BootResult['ended'];
    if (r.timedOut) ended = 'timeout';
    else if (/Kernel panic - not syncing/.test(consoleText)) ended = 'panic';
    else if (r.exitCode === 0) ended = 'poweroff';
    else ended = 'qemu-error';
    return { ended, console: consoleText, results, ms, qemuStderr, argv: [arch.qemu, ...args] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when QEMU for the architecture can be run at all (the load test skips without it). */
export async function haveQemu(arch: ArchSpec = ARCHES.x86_64): Promise<boolean> {
  const r = await execa(arch.qemu, ['--version'], { reject: false });
  return r.exitCode === 0;
}
