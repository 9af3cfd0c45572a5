// The installed kernel the load test boots: found, never assumed, so the test follows whatever
// linux-image-amd64 the machine has.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';

export interface InstalledKernel {
  version: string;
  vmlinuz: string;
  /** /lib/modules/<version> */
  modulesDir: string;
  /** The kbuild tree from linux-headers (/lib/modules/<version>/build), if installed. */
  buildDir?: string;
}

/** Compares kernel versions by their numeric parts, so 6.1.0-56 sorts after 6.1.0-9. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The kernel to boot: KLP_KERNEL_VERSION if set, else the newest /boot/vmlinuz-<v> that has a
 * /lib/modules/<v> (the running kernel of a container is usually not an installed one).
 */
export function findInstalledKernel(env: NodeJS.ProcessEnv = process.env): InstalledKernel | undefined {
  const wanted = env.KLP_KERNEL_VERSION;
  let versions: string[];
  try {
    versions = readdirSync('/boot').filter((f) => f.startsWith('vmlinuz-')).map((f) => f.slice('vmlinuz-'.length));
  } catch {
    return undefined;
  }
  versions = versions.filter((v) => existsSync(join('/lib/modules', v))).sort(compareVersions);
  const version = wanted ?? versions[versions.length - 1];
  if (version === undefined) return undefined;
  const vmlinuz = join('/boot', `vmlinuz-${version}`);
  if (!existsSync(vmlinuz)) {
    if (wanted) throw new HarnessError(`KLP_KERNEL_VERSION=${wanted}: no ${vmlinuz}`);
    return undefined;
  }
  const modulesDir = join('/lib/modules', version);
  const buildDir = join(modulesDir, 'build');
  return { version, vmlinuz, modulesDir, ...(existsSync(join(buildDir, 'Makefile')) ? { buildDir } : {}) };
}
