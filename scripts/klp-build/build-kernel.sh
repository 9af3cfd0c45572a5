#!/usr/bin/env bash
# Configures and builds the minimal x86_64 livepatch kernel of the klp-build corpus from Debian's
# linux-source-7.x (fetch-linux-source.sh):
#
#   scripts/klp-build/build-kernel.sh [--series 7.3] [--force]
#   scripts/klp-build/build-kernel.sh --config-only --out DIR      (DIR/build/.config only, ~30 s)
#
# Config: `make O=… tinyconfig`, scripts/config with livepatch-x86_64.config, `make olddefconfig`,
# then every line of the fragment must be in the .config (LIVEPATCH=y, KLP_BUILD=y among them).
#
# Build: klp-build (scripts/livepatch/klp-build) only works in-tree, in the kernel root, and builds
# its "original" kernel there with its own flags (KCFLAGS="-ffunction-sections -fdata-sections"
# KLP_SYMIDS=1). So the kernel is built in <cache>/klp-work-<version>-x86_64, a copy of the
# extracted source, with exactly those flags and a fixed KBUILD_BUILD_TIMESTAMP/USER/HOST/VERSION:
# the vmlinux is then the one klp-build's original build makes again (build-case.sh checks it
# byte for byte), and the livepatch modules match the kernel that is booted.
# The products go to <cache>/klp-kernel-<version>-x86_64: bzImage, vmlinux, System.map, config,
# Module.symvers, modules/<path>.ko, build-info.json. Idempotent unless --force.
set -euo pipefail
. "$(dirname "$0")/common.sh"
config_only=0 out="" force=0
fetch_args=()
while (($#)); do
  case "$1" in
    --config-only) config_only=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --series) fetch_args+=(--series "$2"); shift 2 ;;
    --force) force=1; shift ;;
    *) klp_log "unknown argument $1"; exit 2 ;;
  esac
done
klp_source "${fetch_args[@]}"
fragment="$klp_here/livepatch-x86_64.config"

# configure O=DIR: tinyconfig + fragment + olddefconfig, then check every fragment line
configure() {
  local dir="$1" args=() line name value
  mkdir -p "$dir"
  make -s -C "$klp_tree" O="$dir" tinyconfig > "$dir/../config.log" 2>&1 ||
    { cat "$dir/../config.log" >&2; return 1; }
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*)
        name="${line%%=*}"; name="${name#CONFIG_}"; value="${line#*=}"
        case "$value" in
          y) args+=(-e "$name") ;;
          m) args+=(-m "$name") ;;
          n) args+=(-d "$name") ;;
          \"*\") value="${value#\"}"; args+=(--set-str "$name" "${value%\"}") ;;
          *) args+=(--set-val "$name" "$value") ;;
        esac ;;
      "# CONFIG_"*" is not set") name="${line#\# CONFIG_}"; args+=(-d "${name%% *}") ;;
    esac
  done < "$fragment"
  "$klp_tree/scripts/config" --file "$dir/.config" "${args[@]}"
  make -s -C "$klp_tree" O="$dir" olddefconfig >> "$dir/../config.log" 2>&1 ||
    { cat "$dir/../config.log" >&2; return 1; }
  local missing=0
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*|"# CONFIG_"*" is not set")
        grep -qxF "$line" "$dir/.config" || { klp_log "not in the .config after olddefconfig: $line"; missing=1; } ;;
    esac
  done < "$fragment"
  return "$missing"
}

if ((config_only)); then
  [ -n "$out" ] || { klp_log "--config-only needs --out DIR"; exit 2; }
  configure "$out/build"
  klp_log "configured $out/build/.config ($klp_package $klp_version)"
  exit 0
fi

info="$klp_kernel/build-info.json"
if ((!force)) && [ -f "$info" ] && grep -q "\"sourceVersion\": \"$klp_version\"" "$info"; then
  echo "$klp_kernel"
  exit 0
fi

cfgdir="$klp_cache/klp-config-$klp_tag-x86_64"
rm -rf "$cfgdir"
configure "$cfgdir/build"

# The in-tree work tree: a plain copy of the extracted source (klp-build patches and builds in it).
if [ ! -f "$klp_work/.klp-source.json" ] || ! cmp -s "$klp_work/.klp-source.json" "$klp_tree/.klp-source.json"; then
  rm -rf "$klp_work" "$klp_work.tmp"
  klp_log "copying $klp_tree to $klp_work"
  cp -a "$klp_tree" "$klp_work.tmp"
  mv "$klp_work.tmp" "$klp_work"
fi
cp "$cfgdir/build/.config" "$klp_work/.config"
make -s -C "$klp_work" olddefconfig
cmp -s "$cfgdir/build/.config" "$klp_work/.config" || { klp_log "the work tree configures differently"; exit 1; }

klp_log "building bzImage modules in $klp_work (-j$klp_jobs, ${klp_make_flags[*]}); log: $klp_work/build-kernel.log"
start=$(date +%s)
# CC/HOSTCC are not given: klp-build runs plain make, and the command lines must stay the same.
make -C "$klp_work" -j"$klp_jobs" "${klp_make_flags[@]}" bzImage modules > "$klp_work/build-kernel.log" 2>&1 ||
  { tail -40 "$klp_work/build-kernel.log" >&2; klp_log "kernel build failed"; exit 1; }
secs=$(( $(date +%s) - start ))

rm -rf "$klp_kernel.tmp"
mkdir -p "$klp_kernel.tmp/modules"
cp "$klp_work/arch/x86/boot/bzImage" "$klp_work/vmlinux" "$klp_work/System.map" "$klp_work/Module.symvers" "$klp_kernel.tmp/"
cp "$klp_work/.config" "$klp_kernel.tmp/config"
(cd "$klp_work" && find . -path ./klp-tmp -prune -o -name '*.ko' -type f -printf '%P\n') |
  while IFS= read -r ko; do mkdir -p "$klp_kernel.tmp/modules/$(dirname "$ko")"; cp "$klp_work/$ko" "$klp_kernel.tmp/modules/$ko"; done
release="$(make -s -C "$klp_work" kernelrelease)"
cat > "$klp_kernel.tmp/build-info.json" <<JSON
{
  "arch": "x86_64",
  "release": "$release",
  "sourcePackage": "$klp_package",
  "sourceVersion": "$klp_version",
  "configSha256": "$(sha256sum < "$klp_kernel.tmp/config" | cut -d' ' -f1)",
  "compiler": "$(klp_compiler)",
  "makeFlags": "$(printf '%s ' "${klp_make_flags[@]}" | sed 's/ $//')",
  "buildTimestamp": "$KBUILD_BUILD_TIMESTAMP",
  "buildSeconds": $secs,
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "vmlinuxSha256": "$(sha256sum < "$klp_kernel.tmp/vmlinux" | cut -d' ' -f1)"
}
JSON
rm -rf "$klp_kernel"
mv "$klp_kernel.tmp" "$klp_kernel"
klp_log "built $release in ${secs}s → $klp_kernel"
echo "$klp_kernel"
