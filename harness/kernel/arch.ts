// The four architectures the load oracle boots, as Debian names them, as kbuild names them and
// as QEMU boots them (the options measured in /work/shared/KERNELS.md).
import { HarnessError } from '../errors.js';

export type KernelArch = 'x86_64' | 'arm64' | 'ppc64le' | 's390x';
export const KERNEL_ARCHES: readonly KernelArch[] = ['x86_64', 'arm64', 'ppc64le', 's390x'];

export interface ArchSpec {
  arch: KernelArch;
  /** Debian's architecture name (apt, dpkg). */
  debArch: 'amd64' | 'arm64' | 'ppc64el' | 's390x';
  /** Debian's kernel flavour: linux-image-<abi>-<flavour>. */
  flavour: string;
  /** kbuild's ARCH=. */
  kbuildArch: string;
  /** CROSS_COMPILE= on an x86_64 host; none for x86_64 itself. */
  cross?: string;
  /** e_machine of its modules. */
  elfMachine: number;
  qemu: string;
  /** Machine options on top of the common ones. */
  machine: string[];
  console: string;
  /**
   * Where the guest writes its results: a second serial port (x86_64: ttyS1, the console stays on
   * ttyS0) or the console itself, in the same line protocol (the boards have one console port).
   */
  channel: 'second-serial' | 'console';
  /** The boot image inside a linux-image package (`%v` is the kernel release). */
  packageImage: string;
}

export const ARCHES: Readonly<Record<KernelArch, ArchSpec>> = {
  x86_64: {
    arch: 'x86_64', debArch: 'amd64', flavour: 'amd64', kbuildArch: 'x86', elfMachine: 62,
    qemu: 'qemu-system-x86_64', machine: ['-accel', 'tcg'], console: 'ttyS0', channel: 'second-serial',
    packageImage: 'boot/vmlinuz-%v',
  },
  arm64: {
    arch: 'arm64', debArch: 'arm64', flavour: 'arm64', kbuildArch: 'arm64', cross: 'aarch64-linux-gnu-', elfMachine: 183,
    qemu: 'qemu-system-aarch64', machine: ['-M', 'virt', '-cpu', 'cortex-a57'], console: 'ttyAMA0', channel: 'console',
    packageImage: 'boot/vmlinuz-%v',
  },
  ppc64le: {
    arch: 'ppc64le', debArch: 'ppc64el', flavour: 'powerpc64le', kbuildArch: 'powerpc', cross: 'powerpc64le-linux-gnu-', elfMachine: 21,
    qemu: 'qemu-system-ppc64', machine: ['-M', 'pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off'],
    console: 'hvc0', channel: 'console', packageImage: 'boot/vmlinux-%v',
  },
  s390x: {
    arch: 's390x', debArch: 's390x', flavour: 's390x', kbuildArch: 's390', cross: 's390x-linux-gnu-', elfMachine: 22,
    qemu: 'qemu-system-s390x', machine: ['-M', 's390-ccw-virtio'], console: 'ttysclp0', channel: 'console',
    packageImage: 'boot/vmlinuz-%v',
  },
};

/** Options every foreign-architecture boot gets (x86_64 keeps its own two-serial setup). */
export const COMMON_QEMU = ['-m', '1024', '-nodefaults', '-display', 'none', '-serial', 'mon:stdio', '-no-reboot'];

const ALIASES: Record<string, KernelArch> = {
  x86_64: 'x86_64', amd64: 'x86_64', x86: 'x86_64',
  arm64: 'arm64', aarch64: 'arm64',
  ppc64le: 'ppc64le', ppc64el: 'ppc64le', powerpc64le: 'ppc64le',
  s390x: 's390x', s390: 's390x',
};

export function parseArch(name: string): ArchSpec {
  const a = ALIASES[name];
  if (!a) throw new HarnessError(`--arch ${name}: not one of ${KERNEL_ARCHES.join(', ')}`);
  return ARCHES[a];
}

/** The cross compiler kbuild runs (Debian's headers name gcc-12 in .kernelvariables). */
export function crossGcc(spec: ArchSpec): string {
  return `${spec.cross ?? ''}gcc-12`;
}
