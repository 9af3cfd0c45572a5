#!/usr/bin/env bash
# Builds the livepatch modules of cases/kernel/ with kbuild against the installed headers, the way
# `klp-harness load` does (one external-module tree, KBUILD_MODPOST_WARN=1 so modpost leaves the
# non-exported symbols undefined for klp-convert), and leaves the unconverted .ko files in OUTDIR.
#   usage: scripts/build-kernel-modules.sh [OUTDIR]     (default: build/kernel-modules)
#   KLP_KERNEL_VERSION picks the kernel (default: the newest one with headers in /lib/modules).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/kernel-modules}
version=${KLP_KERNEL_VERSION:-}
if [[ -z $version ]]; then
  for d in /lib/modules/*/build; do
    [[ -f $d/Makefile ]] && version=$(basename "$(dirname "$d")")
  done
fi
kbuild=/lib/modules/$version/build
[[ -n $version && -f $kbuild/Makefile ]] || { echo "no kernel headers (apt-get install linux-headers-amd64)" >&2; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
: > "$out/Kbuild"
for dir in cases/kernel/*/; do
  [[ -f $dir/Kbuild ]] || continue
  cp "$dir"/*.c "$out"/
  { echo "# $dir"; cat "$dir/Kbuild"; } >> "$out/Kbuild"
done
make -C "$kbuild" M="$out" KBUILD_MODPOST_WARN=1 -j2 modules
echo "built for $version:" && ls "$out"/*.ko
