#!/usr/bin/env bash
# CI check: kernels/x86_64-7/config is still what build-kernel.sh configures from Debian's
# linux-source-7.x and scripts/klp-build/livepatch-x86_64.config (config only: `make O=tmp
# tinyconfig`, scripts/config with the fragment, `make olddefconfig`, ~30 s plus the source
# download the first time). Every line must be identical except the "# Linux/x86 … Kernel
# Configuration" banner and the toolchain version lines (CONFIG_CC_VERSION_TEXT, GCC_VERSION,
# AS_VERSION, LD_VERSION, PAHOLE_VERSION, …), which are only reported. It also says when the
# fragment changed since the committed build (manifest fragmentSha256) and when Debian's archive
# has moved on from the source version the kernel was built from.
#
#   scripts/klp-build/check-kernel-config.sh [--series 7.3]
set -euo pipefail
. "$(dirname "$0")/common.sh"
fetch_args=(--series 7.3)
while (($#)); do
  case "$1" in
    --series) fetch_args=(--series "$2"); shift 2 ;;
    *) klp_log "unknown argument $1"; exit 2 ;;
  esac
done
dir="$klp_repo/kernels/x86_64-7"
manifest="$dir/manifest.json"
[ -f "$manifest" ] || { klp_log "no $manifest"; exit 1; }
mfield() { sed -n "s/^  \"$1\": \"\(.*\)\",$/\1/p" "$manifest"; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
"$klp_here/build-kernel.sh" "${fetch_args[@]}" --config-only --out "$tmp" > "$tmp/log" 2>&1 ||
  { cat "$tmp/log" >&2; klp_log "the fragment no longer configures (an option did not survive olddefconfig)"; exit 1; }
klp_source "${fetch_args[@]}"
status=0
[ "$(mfield fragmentSha256)" = "$(sha256sum < "$klp_here/livepatch-x86_64.config" | cut -d' ' -f1)" ] ||
  klp_log "note: livepatch-x86_64.config changed since kernels/x86_64-7 was built"
skip='^(# Linux/.* Kernel Configuration|CONFIG_(CC_VERSION_TEXT|GCC_VERSION|CLANG_VERSION|AS_VERSION|LD_VERSION|LLD_VERSION|PAHOLE_VERSION|RUSTC_VERSION|RUSTC_LLVM_VERSION|BINDGEN_VERSION_TEXT)=.*)$'
if ! diff -u <(grep -Ev "$skip" "$dir/config") <(grep -Ev "$skip" "$tmp/build/.config") > "$tmp/diff"; then
  klp_log "kernels/x86_64-7/config is not what build-kernel.sh configures now (- committed, + now):"
  head -60 "$tmp/diff" >&2
  klp_log "rebuild and commit: scripts/klp-build/build-kernel.sh --force && scripts/klp-build/commit-kernel.sh, then the cases: scripts/klp-build/build-case.sh --out cases/klp-build scripts/klp-build/patches/*.patch"
  status=1
fi
diff <(grep -E "$skip" "$dir/config") <(grep -E "$skip" "$tmp/build/.config") > "$tmp/tools" ||
  { klp_log "note: other toolchain than the build's (< committed, > now):"; cat "$tmp/tools" >&2; }
[ "$(mfield sourceVersion)" = "$klp_version" ] ||
  klp_log "note: built from $klp_package $(mfield sourceVersion); Debian now offers $klp_version (configured with that)"
((status)) || klp_log "kernels/x86_64-7/config matches (tinyconfig + livepatch-x86_64.config, $klp_package $klp_version, $(( $(date +%s) - start ))s)"
exit "$status"
