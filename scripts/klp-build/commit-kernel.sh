#!/usr/bin/env bash
# Copies the kernel build-kernel.sh built (the one klp-build's original build reproduces byte for
# byte, so every case of cases/klp-build matches it) into kernels/x86_64-7, which the harness boots
# without building a kernel:
#
#   scripts/klp-build/commit-kernel.sh [--series 7.3]
#
# kernels/x86_64-7/: bzImage (already compressed inside), config, Module.symvers.xz,
# modules/kernel/<path>.ko.xz (the =m modules the cases patch: binfmt_misc, nvram, kobject-example,
# kset-example) and manifest.json (release, source package/version, compiler, build time, the
# config's and the fragment's sha256, the sha256 of every committed file and of the uncompressed
# vmlinux the build made, which is not committed).
set -euo pipefail
. "$(dirname "$0")/common.sh"
fetch_args=()
while (($#)); do
  case "$1" in
    --series) fetch_args+=(--series "$2"); shift 2 ;;
    *) klp_log "unknown argument $1"; exit 2 ;;
  esac
done
klp_source "${fetch_args[@]}"
"$klp_here/build-kernel.sh" "${fetch_args[@]}" > /dev/null
info="$klp_kernel/build-info.json"
field() { sed -n "s/^  \"$1\": \"\(.*\)\",\{0,1\}$/\1/p; s/^  \"$1\": \([0-9][0-9]*\),\{0,1\}$/\1/p" "$info"; }
out="$klp_repo/kernels/x86_64-7"
rm -rf "$out"
mkdir -p "$out/modules/kernel"
cp "$klp_kernel/bzImage" "$out/bzImage"
cp "$klp_kernel/config" "$out/config"
xz -9e -T1 -c "$klp_kernel/Module.symvers" > "$out/Module.symvers.xz"
modules_json=""
while IFS= read -r ko; do
  mkdir -p "$out/modules/kernel/$(dirname "$ko")"
  xz -9e -T1 -c "$klp_kernel/modules/$ko" > "$out/modules/kernel/$ko.xz"
  name="$(modinfo -F name "$klp_kernel/modules/$ko")"
  modules_json+="${modules_json:+,
}    \"$name\": { \"file\": \"modules/kernel/$ko.xz\", \"sha256\": \"$(sha256sum < "$klp_kernel/modules/$ko" | cut -d' ' -f1)\", \"vermagic\": \"$(modinfo -F vermagic "$klp_kernel/modules/$ko")\" }"
done < <(cd "$klp_kernel/modules" && find . -name '*.ko' -printf '%P\n' | LC_ALL=C sort)
files_json=""
while IFS= read -r f; do
  files_json+="${files_json:+,
}    \"$f\": \"$(sha256sum < "$out/$f" | cut -d' ' -f1)\""
done < <(cd "$out" && find . -type f ! -name manifest.json -printf '%P\n' | LC_ALL=C sort)
cat > "$out/manifest.json" <<EOF
{
  "arch": "x86_64",
  "release": "$(field release)",
  "sourcePackage": "$(field sourcePackage)",
  "sourceVersion": "$(field sourceVersion)",
  "fragment": "scripts/klp-build/livepatch-x86_64.config",
  "fragmentSha256": "$(sha256sum < "$klp_here/livepatch-x86_64.config" | cut -d' ' -f1)",
  "configSha256": "$(sha256sum < "$out/config" | cut -d' ' -f1)",
  "compiler": "$(field compiler)",
  "makeFlags": "$(field makeFlags)",
  "buildTimestamp": "$(field buildTimestamp)",
  "buildSeconds": $(field buildSeconds),
  "builtAt": "$(field builtAt)",
  "vmlinuxSha256": "$(field vmlinuxSha256)",
  "image": { "file": "bzImage", "sha256": "$(sha256sum < "$out/bzImage" | cut -d' ' -f1)" },
  "files": {
$files_json
  },
  "kernelModules": {
$modules_json
  }
}
EOF
du -sh "$out" >&2
klp_log "$(field release) → $out"
