#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite needs on a fresh Debian 12 machine:
# binutils for every corpus architecture (generated cases are assembled and linked for real) and
# the kernel, QEMU and busybox used by the load test, on x86_64 and (cross) on arm64, ppc64le and
# s390x. Run as root. The other architectures' kernels are not installed: harness/kernel/debian.ts
# fetches them into its own cache with a private APT configuration.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  binutils binutils-multiarch
  binutils-aarch64-linux-gnu binutils-powerpc64le-linux-gnu binutils-powerpc64-linux-gnu
  binutils-s390x-linux-gnu binutils-powerpc-linux-gnu
  xz-utils zstd
  # the kernel load test (harness/kernel): a kernel to boot and its kbuild tree (which brings the
  # kernel's own compiler), QEMU to boot it under TCG, busybox for the initramfs
  linux-image-amd64 linux-headers-amd64 make qemu-system-x86 busybox-static
  # the same on arm64, ppc64le and s390x (harness/kernel/arches.test.ts): cross compilers for
  # kbuild against those kernels' headers, QEMU for the boards (qemu-system-misc has s390x),
  # apt/dpkg to fetch and unpack the kernels, and for the minimal livepatch kernels
  # (scripts/kernels/): their source, and what configuring and building it needs
  gcc-12-aarch64-linux-gnu gcc-12-powerpc64le-linux-gnu gcc-12-s390x-linux-gnu
  qemu-system-arm qemu-system-ppc qemu-system-misc
  apt dpkg ca-certificates debian-archive-keyring
  linux-source-6.1 bc flex bison libelf-dev libssl-dev pahole
  # objtool with its klp subcommands, the post-link reference (scripts/klp-build/build-objtool.sh
  # builds it from Debian's linux-source-7.x), and klp-build's own tools for corpus rebuilds
  libxxhash-dev patchutils gawk cpio
  # the HTML report's browser test (harness/report/html.browser.test.ts): headless Chromium
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
