// One boot of the installed kernel under QEMU's software emulation: an initramfs in, the console
// (ttyS0) and the result channel (ttyS1) out. KVM guests hang on the machines this runs on, so
// TCG it is; `oops=panic panic=-1` with -no-reboot turns any oops into the end of the boot.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { writeOutput } from '../../src/cli/files.js';

export const QEMU = 'qemu-system-x86_64';

export interface BootOptions {
  vmlinuz: string;
  initramfs: Uint8Array;
  /** Wall-clock limit for the whole boot. */
  timeoutMs: number;
  memoryMb?: number;
  /** Appended to `console=ttyS0 panic=-1 oops=panic`. */
  append?: string;
}

export interface BootResult {
  /** How the boot ended: the guest powered off, the kernel panicked (and so rebooted), or time ran out. */
  ended: 'poweroff' | 'panic' | 'timeout' | 'qemu-error';
  console: string;
  /** Everything the guest wrote to ttyS1. */
  results: string;
  ms: number;
  qemuStderr: string;
}

export const BASE_APPEND = 'console=ttyS0 panic=-1 oops=panic';

export async function boot(opts: BootOptions): Promise<BootResult> {
  const dir = mkdtempSync(join(tmpdir(), 'klp-qemu-'));
  const initrd = join(dir, 'initramfs.cpio');
  const consolePath = join(dir, 'ttyS0.log');
  const resultsPath = join(dir, 'ttyS1.log');
  writeOutput(initrd, opts.initramfs);
  const args = [
    '-accel', 'tcg', '-m', String(opts.memoryMb ?? 512), '-smp', '1',
    '-display', 'none', '-monitor', 'none', '-nic', 'none', '-no-reboot',
    '-kernel', opts.vmlinuz, '-initrd', initrd,
    '-append', `${BASE_APPEND}${opts.append ? ` ${opts.append}` : ''}`,
    '-serial', `file:${consolePath}`, '-serial', `file:${resultsPath}`,
  ];
  const started = performance.now();
  try {
    const r = await execa(QEMU, args, { reject: false, timeout: opts.timeoutMs, killSignal: 'SIGKILL', stdin: 'ignore', stdout: 'ignore', cwd: dir });
    const ms = performance.now() - started;
    const read = (p: string): string => {
      try {
        return readFileSync(p, 'latin1');
      } catch {
        return '';
      }
    };
    const consoleText = read(consolePath).replace(/\r/g, '');
    const results = read(resultsPath).replace(/\r/g, '');
    const qemuStderr = typeof r.stderr === 'string' ? r.stderr : '';
    if (r.exitCode === undefined && !r.signal && !r.timedOut) throw new HarnessError(`cannot run ${QEMU}: ${r.shortMessage ?? r.message}`);
    let ended: BootResult['ended'];
    if (r.timedOut) ended = 'timeout';
    else if (/Kernel panic - not syncing/.test(consoleText)) ended = 'panic';
    else if (r.exitCode === 0) ended = 'poweroff';
    else ended = 'qemu-error';
    return { ended, console: consoleText, results, ms, qemuStderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when QEMU can be run at all (the load test skips without it). */
export async function haveQemu(): Promise<boolean> {
  const r = await execa(QEMU, ['--version'], { reject: false });
  return r.exitCode === 0;
}
