#!/usr/bin/env bash
# CI check: the committed livepatch kernels (kernels/ARCH) still are what
# build-livepatch-kernel.sh would configure today. For each architecture it regenerates the
# .config from linux-source-6.1 and the committed fragments (--config-only: allnoconfig +
# olddefconfig + the grep check, ~30 s) and requires
#   - the same allconfig (tiny.config + fragments) as the committed build (manifest allconfigSha256),
#   - the same .config, line for line, as kernels/ARCH/config (the "# Linux/<arch> <version> Kernel
#     Configuration" banner and the toolchain version lines aside: those are reported),
# and says so when Debian's linux-source-6.1 has moved on from the version the kernel was built from.
# The files' own sha256 are checked by harness/kernel/arches.test.ts and before every boot.
#
#   scripts/kernels/check-livepatch-kernels.sh [ARCH…]     (default: ppc64le s390x)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
arches=("$@")
((${#arches[@]})) || arches=(ppc64le s390x)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
installed="$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo none)"
for arch in "${arches[@]}"; do
  dir="$repo/kernels/$arch"
  manifest="$dir/manifest.json"
  [ -f "$manifest" ] || { echo "check-livepatch-kernels: no $manifest" >&2; status=1; continue; }
  "$here/build-livepatch-kernel.sh" "$arch" --config-only --out "$tmp/$arch" > "$tmp/$arch.log" 2>&1 ||
    { cat "$tmp/$arch.log" >&2; echo "check-livepatch-kernels: $arch: the fragments no longer configure" >&2; status=1; continue; }
  want="$(sed -n 's/^  "allconfigSha256": "\(.*\)",$/\1/p' "$manifest")"
  got="$(sha256sum < "$tmp/$arch/allconfig" | cut -d' ' -f1)"
  if [ "$want" != "$got" ]; then
    echo "check-livepatch-kernels: $arch: tiny.config + livepatch-common.config + livepatch-$arch.config changed since kernels/$arch was built (allconfig $got, built from $want): rebuild and commit it (build-livepatch-kernel.sh $arch; commit-livepatch-kernel.sh $arch)" >&2
    status=1
  fi
  # The banner names the source version; the toolchain lines say which compiler, assembler,
  # linker and pahole configured it (scripts/install-deps.sh installs the same ones as the build
  # had). Both are reported when they differ; every other line must be identical.
  skip='^(# Linux/.* Kernel Configuration|CONFIG_(CC_VERSION_TEXT|GCC_VERSION|CLANG_VERSION|AS_VERSION|LD_VERSION|LLD_VERSION|PAHOLE_VERSION)=.*)$'
  if ! diff -u <(grep -Ev "$skip" "$dir/config") <(grep -Ev "$skip" "$tmp/$arch/build/.config") > "$tmp/$arch.diff"; then
    echo "check-livepatch-kernels: $arch: kernels/$arch/config is not what the script configures now:" >&2
    head -40 "$tmp/$arch.diff" >&2
    status=1
  fi
  diff <(grep -E "$skip" "$dir/config") <(grep -E "$skip" "$tmp/$arch/build/.config") > "$tmp/$arch.tools" ||
    { echo "check-livepatch-kernels: $arch: note: other toolchain than the build's (< committed, > now):" >&2; cat "$tmp/$arch.tools" >&2; }
  built="$(sed -n 's/^  "sourceVersion": "\(.*\)",$/\1/p' "$manifest")"
  [ "$built" = "$installed" ] || echo "check-livepatch-kernels: $arch: note: built from linux-source-6.1 $built; $installed is installed (the config still matches)" >&2
  [ "$status" = 0 ] && echo "check-livepatch-kernels: $arch: kernels/$arch/config matches the fragments (linux-source-6.1 $installed)" >&2
done
exit "$status"
