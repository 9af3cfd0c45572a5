// The whole load test: every case under cases/kernel, converted by our converter from a
// symbols.klp our generator made from the guest's kallsyms, loaded into the installed kernel
// under QEMU. Needs qemu-system-x86_64, busybox-static, linux-image-amd64 and linux-headers-amd64
// (scripts/install-deps.sh installs them; CI has them): skipped, saying why, without them.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernelCases } from './cases.js';
import { formatLoadReport } from './cli.js';
import { BUSYBOX_PATHS } from './guest.js';
import { findInstalledKernel } from './installed.js';
import { runLoadTest } from './load.js';
import { QEMU } from './qemu.js';

const ROOT = join(import.meta.dirname, '../../cases/kernel');

async function missing(): Promise<string | undefined> {
  if (process.env.KLP_SKIP_KERNEL === '1') return 'KLP_SKIP_KERNEL=1';
  if (process.arch !== 'x64') return `the load test boots x86_64 kernels; this is ${process.arch}`;
  const kernel = findInstalledKernel();
  if (!kernel) return 'no installed kernel (apt-get install linux-image-amd64)';
  if (!kernel.buildDir) return `no kbuild tree for ${kernel.version} (apt-get install linux-headers-amd64)`;
  if ((await execa(QEMU, ['--version'], { reject: false })).exitCode !== 0) return `no ${QEMU} (apt-get install qemu-system-x86)`;
  if (!BUSYBOX_PATHS.some((p) => existsSync(p))) return 'no busybox (apt-get install busybox-static)';
  if ((await execa('make', ['--version'], { reject: false })).exitCode !== 0) return 'no make';
  return undefined;
}

const why = await missing();
const required = process.env.KLP_REQUIRE_KERNEL === '1';
if (why && !required) console.warn(`kernel load test skipped: ${why}`);

// CI installs everything the load test needs and sets KLP_REQUIRE_KERNEL=1: there a missing piece
// is a failure, not a silent skip.
describe.runIf(why !== undefined && required)('load oracle prerequisites', () => {
  it('are installed (KLP_REQUIRE_KERNEL=1)', () => {
    expect(why).toBeUndefined();
  });
});

describe.skipIf(why !== undefined)('load oracle on the installed kernel', () => {
  it('every kernel case behaves: patches apply and revert, negative controls fail as the kernel fails them', async () => {
    const report = await runLoadTest({ cases: findKernelCases(ROOT, []), log: (l) => console.log(`load: ${l}`) });
    console.log(formatLoadReport(report).join('\n'));
    expect(report.cases.filter((c) => !c.ok).map((c) => `${c.id}: ${c.notes.join('; ')}`)).toEqual([]);
    expect(report.cases.length).toBeGreaterThanOrEqual(10);
    expect(report.cases.filter((c) => c.skipped)).toEqual([]);
  }, 600_000);
});
