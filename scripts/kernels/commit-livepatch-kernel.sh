#!/usr/bin/env bash
# Turns a livepatch kernel built by build-livepatch-kernel.sh into the committed build outputs
# under kernels/ARCH, which CI boots without building a kernel (two builds would take ~11 of CI's
# ~30 minutes on its 2 cores):
#
#   scripts/kernels/commit-livepatch-kernel.sh ppc64le|s390x [--from DIR]
#
# kernels/ARCH/ gets: the boot image (ppc64le: vmlinux stripped, xz; s390x: bzImage, already xz
# inside), config (the .config), Module.symvers.xz, modules/kernel/… (the kernel's own modules the
# cases load late, xz), modules/cases/*.ko.xz (every case of cases/kernel and the kernel's
# samples/livepatch/livepatch-sample.c, built unconverted against the build tree, as the harness
# would build them) and manifest.json: source package and version, config and image sha256, each
# committed file's sha256, and for each prebuilt module the digest of the sources it was built
# from (scripts/kernels/case-digest.sh), so a case edited since is refused as stale, not tested.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
arch="${1:-}"
shift || true
from=""
while (($#)); do
  case "$1" in
    --from) from="$2"; shift 2 ;;
    *) echo "commit-livepatch-kernel.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$arch" in
  ppc64le) karch=powerpc; cross=powerpc64le-linux-gnu- ;;
  s390x) karch=s390; cross=s390x-linux-gnu- ;;
  *) echo "usage: commit-livepatch-kernel.sh ppc64le|s390x [--from DIR]" >&2; exit 2 ;;
esac
cache="${KLP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klp-harness/kernels}"
from="${from:-$cache/livepatch-$arch}"
info="$from/build-info.json"
[ -f "$info" ] || { echo "commit-livepatch-kernel.sh: no $info: run build-livepatch-kernel.sh $arch first" >&2; exit 1; }
build="$from/build"
field() { sed -n "s/^  \"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$info"; }
release="$(field release)"
image_rel="$(field image)"
out="$repo/kernels/$arch"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The modules, built as harness/kernel/build.ts builds them: every case's sources in one flat
# tree, their Kbuild files concatenated, one make.
mods="$tmp/mods"
mkdir -p "$mods"
"$here/sample-case.sh" "$tmp/sample" > /dev/null
srcdirs=()
for d in "$repo"/cases/kernel/*/ "$tmp/sample/livepatch-sample/"; do
  [ -f "$d/Kbuild" ] && srcdirs+=("${d%/}")
done
: > "$mods/Kbuild"
for d in "${srcdirs[@]}"; do
  find "$d" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.S' \) -exec cp {} "$mods/" \;
  { echo "# $d"; cat "$d/Kbuild"; echo; } >> "$mods/Kbuild"
done
make -s -C "$build" M="$mods" ARCH="$karch" CROSS_COMPILE="$cross" CC="${cross}gcc-12" KBUILD_MODPOST_WARN=1 -j2 modules > "$tmp/make.log" 2>&1 ||
  { tail -30 "$tmp/make.log" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/modules/cases" "$out/modules/kernel/fs"
if [ "$arch" = ppc64le ]; then
  "${cross}strip" -o "$tmp/vmlinux" "$build/vmlinux"
  image_file=vmlinux.xz
  image_sha="$(sha256sum < "$tmp/vmlinux" | cut -d' ' -f1)"
  xz -9e -T1 -c "$tmp/vmlinux" > "$out/$image_file"
else
  image_file=bzImage
  image_sha="$(sha256sum < "$from/$image_rel" | cut -d' ' -f1)"
  cp "$from/$image_rel" "$out/$image_file"
fi
cp "$build/.config" "$out/config"
xz -9e -T1 -c "$build/Module.symvers" > "$out/Module.symvers.xz"
xz -9e -T1 -c "$build/fs/binfmt_misc.ko" > "$out/modules/kernel/fs/binfmt_misc.ko.xz"

cases_json=""
for d in "${srcdirs[@]}"; do
  digest="$("$here/case-digest.sh" "$d")"
  label="${d#"$repo"/}"
  # The sample's sources live in the linux-source tarball, not in the repo.
  [ "$d" = "$tmp/sample/livepatch-sample" ] && label="linux-source-6.1:samples/livepatch/livepatch-sample.c"
  for obj in $(sed -n 's/^obj-m *+= *\(.*\)\.o *$/\1/p' "$d/Kbuild"); do
    ko="$mods/$obj.ko"
    [ -f "$ko" ] || { echo "commit-livepatch-kernel.sh: kbuild made no $obj.ko" >&2; exit 1; }
    xz -9e -T1 -c "$ko" > "$out/modules/cases/$obj.ko.xz"
    cases_json+="${cases_json:+,
}    \"$obj\": { \"sources\": \"$digest\", \"sha256\": \"$(sha256sum < "$ko" | cut -d' ' -f1)\", \"from\": \"$label\" }"
  done
done
files_json=""
while IFS= read -r f; do
  files_json+="${files_json:+,
}    \"$f\": \"$(sha256sum < "$out/$f" | cut -d' ' -f1)\""
done < <(cd "$out" && find . -type f ! -name manifest.json -printf '%P\n' | LC_ALL=C sort)

cat > "$out/manifest.json" <<EOF
{
  "arch": "$arch",
  "release": "$release",
  "sourcePackage": "$(field sourcePackage)",
  "sourceVersion": "$(field sourceVersion)",
  "allconfigSha256": "$(field allconfigSha256)",
  "configSha256": "$(sha256sum < "$out/config" | cut -d' ' -f1)",
  "compiler": "$(field compiler)",
  "buildSeconds": $(field buildSeconds),
  "builtAt": "$(field builtAt)",
  "image": { "file": "$image_file", "sha256": "$image_sha" },
  "files": {
$files_json
  },
  "modules": {
$cases_json
  }
}
EOF
du -sh "$out" >&2
echo "commit-livepatch-kernel.sh: $arch $release → $out ($(du -sb "$out" | cut -f1) bytes)" >&2
