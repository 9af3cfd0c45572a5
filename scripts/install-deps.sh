#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite needs on a fresh Debian 12 machine:
# binutils for every corpus architecture (generated cases are assembled and linked for real) and
# the kernel, QEMU and busybox used by the load test. Run as root.
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
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
