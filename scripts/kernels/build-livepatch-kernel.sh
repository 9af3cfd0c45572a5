#!/usr/bin/env bash
# Builds, from nothing but Debian's linux-source-6.1 and a cross compiler, a minimal kernel with
# CONFIG_LIVEPATCH for ppc64le or s390x (Debian's own kernels of those architectures have no
# livepatch), and records how long it took. `klp-harness load --arch ARCH --kernel livepatch`
# boots it.
#
#   scripts/kernels/build-livepatch-kernel.sh ppc64le|s390x [--out DIR] [--jobs N] [--config-only]
#
# The config: kernel/configs/tiny.config + livepatch-common.config + livepatch-ARCH.config (beside
# this script) as KCONFIG_ALLCONFIG for allnoconfig, then olddefconfig; afterwards every CONFIG_
# line of the two fragments must be in the .config as written (grep -x), or the build stops.
# --config-only stops there (a quick check that the fragments still give what they ask for).
#
# Output (default $KLP_KERNEL_CACHE/livepatch-ARCH, KLP_KERNEL_CACHE defaulting to
# ~/.cache/klp-harness/kernels): build/ (the O= tree: vmlinux, the boot image, Module.symvers,
# .config; external modules build against it) and build-info.json, written last. A tree whose
# build-info.json matches the fragments and the source package is reused, not rebuilt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
arch="${1:-}"
shift || true
out=""
jobs=2
config_only=0
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --config-only) config_only=1; shift ;;
    *) echo "build-livepatch-kernel.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$arch" in
  ppc64le) karch=powerpc; cross=powerpc64le-linux-gnu-; targets=(vmlinux modules); image=vmlinux ;;
  s390x) karch=s390; cross=s390x-linux-gnu-; targets=(bzImage modules); image=arch/s390/boot/bzImage ;;
  *) echo "usage: build-livepatch-kernel.sh ppc64le|s390x [--out DIR] [--jobs N] [--config-only]" >&2; exit 2 ;;
esac
cache="${KLP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klp-harness/kernels}"
out="${out:-$cache/livepatch-$arch}"
tarball=/usr/src/linux-source-6.1.tar.xz
fail() { echo "build-livepatch-kernel.sh: $*" >&2; exit 1; }
[ -f "$tarball" ] || fail "no $tarball: apt-get install linux-source-6.1"
srcver="$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)" || fail "linux-source-6.1 is not installed"
cc="${cross}gcc-12"
command -v "$cc" > /dev/null || fail "no $cc: apt-get install gcc-12-${cross%-}"
for tool in make flex bison bc; do command -v "$tool" > /dev/null || fail "no $tool: scripts/install-deps.sh installs it"; done

# One extracted source tree per source package version, shared by both architectures (O= builds).
src="$cache/linux-source-$srcver"
if [ ! -f "$src/.extracted" ]; then
  echo "extracting $tarball ($srcver) into $src…" >&2
  rm -rf "$src" "$src.tmp"
  mkdir -p "$src.tmp"
  tar -xf "$tarball" -C "$src.tmp" --strip-components=1
  touch "$src.tmp/.extracted"
  mv "$src.tmp" "$src"
fi

mkdir -p "$out/build"
allconfig="$out/allconfig"
cat "$src/kernel/configs/tiny.config" "$here/livepatch-common.config" "$here/livepatch-$arch.config" > "$allconfig.new"
config_sha="$(sha256sum "$allconfig.new" | cut -d' ' -f1)"
if [ "$config_only" = 0 ] && [ -f "$out/build-info.json" ] &&
  grep -q "\"allconfigSha256\": \"$config_sha\"" "$out/build-info.json" &&
  grep -q "\"sourceVersion\": \"$srcver\"" "$out/build-info.json"; then
  echo "build-livepatch-kernel.sh: $out is up to date (linux-source-6.1 $srcver, allconfig $config_sha)" >&2
  exit 0
fi
rm -f "$out/build-info.json"
mv "$allconfig.new" "$allconfig"

mk=(make -C "$src" O="$out/build" ARCH="$karch" CROSS_COMPILE="$cross" CC="$cc" -j"$jobs")
started=$(date +%s)
"${mk[@]}" -s KCONFIG_ALLCONFIG="$allconfig" allnoconfig
"${mk[@]}" -s olddefconfig
missing=0
while IFS= read -r line; do
  [[ "$line" =~ ^CONFIG_ ]] || continue
  if ! grep -qxF "$line" "$out/build/.config"; then
    echo "build-livepatch-kernel.sh: $line did not survive olddefconfig (.config has: $(grep -E "^(# )?${line%%=*}[= ]" "$out/build/.config" || echo nothing))" >&2
    missing=1
  fi
done < <(cat "$here/livepatch-common.config" "$here/livepatch-$arch.config")
[ "$missing" = 0 ] || fail "the config fragments are not satisfied"
echo "build-livepatch-kernel.sh: .config has every line of livepatch-common.config and livepatch-$arch.config" >&2
[ "$config_only" = 1 ] && exit 0

echo "building ${targets[*]} for $arch with -j$jobs…" >&2
"${mk[@]}" -s "${targets[@]}"
ended=$(date +%s)
release="$("${mk[@]}" -s kernelrelease)"
[ -f "$out/build/$image" ] || fail "the build made no $image"
cat > "$out/build-info.json" <<EOF
{
  "arch": "$arch",
  "release": "$release",
  "sourcePackage": "linux-source-6.1",
  "sourceVersion": "$srcver",
  "allconfigSha256": "$config_sha",
  "configSha256": "$(sha256sum "$out/build/.config" | cut -d' ' -f1)",
  "image": "build/$image",
  "imageSha256": "$(sha256sum "$out/build/$image" | cut -d' ' -f1)",
  "compiler": "$("$cc" --version | head -1)",
  "jobs": $jobs,
  "buildSeconds": $((ended - started)),
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
echo "build-livepatch-kernel.sh: $arch $release built in $((ended - started)) s (-j$jobs) → $out" >&2
