#!/usr/bin/env bash
# Builds cases/real/: real kernel objects of Debian's linux-source-6.1, compiled by kbuild with
# Debian's own config of each architecture (debug info off), plus symbols.klp data from Debian's
# real kernels of the same version (System.map from the -dbg package, Module.symvers, modules).
#
#   scripts/real-corpus/build.sh [--work DIR] [--arch A]... [--jobs N] [--check] [--keep-debs DIR]
#
#   --work DIR   where everything heavy goes (default /work/build/real): APT state, .debs,
#                extracted packages, the kernel source tree, one O= dir per arch and flag set
#                (flag sets kbuild, kbuild-ffs: gcc-12 and binutils; clang, clang-ffs: clang-15
#                with LLVM=-15; which objects get which is in objects.txt)
#   --arch A     x86_64, aarch64, ppc64le or s390x (repeatable; default: all four)
#   --check      rebuild from nothing into a fresh temp dir under the work dir, compare with
#                cases/real/ and list the cases that differ (cases/real/ is not touched)
#   --debs DIR   take already downloaded .debs from DIR instead of fetching them (they are still
#                checked against the archive's hashes: apt-get download skips a file whose size
#                and hash match, and refetches otherwise)
#
# Writes only under the work dir and cases/real/ (TMPDIR is pointed into the work dir too).
# Needs dist/ (npx tsc -p tsconfig.json), gcc-12 for the four targets, binutils, bc flex bison
# libssl-dev libelf-dev, clang-15 lld-15 llvm-15 (for the clang flag sets), and network access
# to deb.debian.org.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

work=/work/build/real
arches=()
jobs=$(nproc)
check=0
debs_from=
while (($#)); do
  case $1 in
    --work) work=$2; shift 2 ;;
    --arch) arches+=("$2"); shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --check) check=1; shift ;;
    --debs) debs_from=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
((${#arches[@]})) || arches=(x86_64 aarch64 ppc64le s390x)
for a in "${arches[@]}"; do
  case $a in x86_64|aarch64|ppc64le|s390x) ;; *) echo "build.sh: unknown arch $a" >&2; exit 2 ;; esac
done
[[ -f $repo/dist/src/cli/main.js ]] || { echo "build.sh: no dist/: run npx tsc -p tsconfig.json first" >&2; exit 2; }

mkdir -p "$work"
work=$(cd "$work" && pwd)
cases_out=$repo/cases/real
if ((check)); then
  work=$(mktemp -d "$work/check.XXXXXX")
  cases_out=$work/cases
fi
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp

# ---- pinned inputs -------------------------------------------------------------------------
SRC_PKG=linux-source-6.1
SRC_VER=6.1.192-3
# arch : Debian arch : flavour : kbuild ARCH : triplet : ABI : Debian version of the kernel data : CC
# (x86_64 uses gcc-12 itself, as Debian's build did, so CONFIG_CC_VERSION_TEXT matches its config)
arch_row() {
  case $1 in
    x86_64)  echo "amd64 amd64 x86 x86_64-linux-gnu 6.1.0-57 6.1.192-3 gcc-12" ;;
    aarch64) echo "arm64 arm64 arm64 aarch64-linux-gnu 6.1.0-57 6.1.192-3 aarch64-linux-gnu-gcc-12" ;;
    ppc64le) echo "ppc64el powerpc64le powerpc powerpc64le-linux-gnu 6.1.0-57 6.1.192-3 powerpc64le-linux-gnu-gcc-12" ;;
    # s390x has no bookworm-security kernel: the newest in bookworm main.
    s390x)   echo "s390x s390x s390 s390x-linux-gnu 6.1.0-50 6.1.176-1 s390x-linux-gnu-gcc-12" ;;
  esac
}

export LC_ALL=C TZ=UTC
export KBUILD_BUILD_USER=klp KBUILD_BUILD_HOST=real-corpus KBUILD_BUILD_VERSION=1
unset KCFLAGS KCPPFLAGS KAFLAGS ARCH CROSS_COMPILE || true

t0=$(date +%s)
phase_start=$t0
phase() {
  local now; now=$(date +%s)
  echo "== [$((now - t0))s, previous phase $((now - phase_start))s] $*"
  phase_start=$now
}

# ---- 1. APT: a private configuration that sees the four architectures ---------------------
phase "apt update"
aptdir=$work/apt
mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/log"
: > "$aptdir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$aptdir/sources.list" <<EOF
deb [arch=amd64,arm64,ppc64el,s390x signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [arch=amd64,arm64,ppc64el,s390x signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
cat > "$aptdir/apt.conf" <<EOF
Dir::State "$aptdir";
Dir::State::Lists "$aptdir/lists";
Dir::State::status "$aptdir/status";
Dir::Cache "$aptdir/cache";
Dir::Log "$aptdir/log";
Dir::Etc::SourceList "$aptdir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; "ppc64el"; "s390x"; };
APT::Sandbox::User "root";
EOF
export APT_CONFIG=$aptdir/apt.conf
apt-get -q update > "$aptdir/update.log" 2>&1 || { cat "$aptdir/update.log" >&2; exit 1; }

# ---- 2. download the pinned packages -------------------------------------------------------
phase "download"
debs=$work/debs
mkdir -p "$debs"
want=("$SRC_PKG=$SRC_VER")
for a in "${arches[@]}"; do
  read -r darch flav _ _ abi ver _ <<<"$(arch_row "$a")"
  want+=("linux-image-$abi-$flav:$darch=$ver" "linux-headers-$abi-$flav:$darch=$ver" "linux-image-$abi-$flav-dbg:$darch=$ver")
done
deb_file() { # package[:arch]=version -> file name apt-get download gives it
  local p=${1%%=*} v=${1#*=} a=all
  [[ $p == *:* ]] && { a=${p#*:}; p=${p%%:*}; }
  echo "${p}_${v//:/%3a}_$a.deb"
}
for w in "${want[@]}"; do
  f=$(deb_file "$w")
  [[ -n $debs_from && -f $debs_from/$f && ! -e $debs/$f ]] && cp "$debs_from/$f" "$debs/$f"
done
(cd "$debs" && apt-get -q download "${want[@]}" > download.log 2>&1) || { cat "$debs/download.log" >&2; exit 1; }
for w in "${want[@]}"; do [[ -f $debs/$(deb_file "$w") ]] || { echo "build.sh: $w not downloaded" >&2; exit 1; }; done

# ---- 3. extract ----------------------------------------------------------------------------
phase "extract"
srcdeb=$debs/$(deb_file "$SRC_PKG=$SRC_VER")
src=$work/src/linux-source-6.1
if [[ ! -f $work/src/.extracted ]]; then
  rm -rf "$work/src" && mkdir -p "$work/src"
  dpkg-deb --fsys-tarfile "$srcdeb" | tar -x -C "$work/src" ./usr/src/linux-source-6.1.tar.xz ./usr/share/doc/linux-source-6.1/changelog.Debian.gz
  tar -xf "$work/src/usr/src/linux-source-6.1.tar.xz" -C "$work/src"
  rm "$work/src/usr/src/linux-source-6.1.tar.xz"
  touch "$work/src/.extracted"
fi
# Every timestamp the build may embed comes from the source package's changelog.
zcat "$work/src/usr/share/doc/linux-source-6.1/changelog.Debian.gz" > "$work/src/changelog"
SOURCE_DATE_EPOCH=$(dpkg-parsechangelog -l "$work/src/changelog" -STimestamp)
export SOURCE_DATE_EPOCH
KBUILD_BUILD_TIMESTAMP=$(date -u -d "@$SOURCE_DATE_EPOCH" '+%a %b %e %H:%M:%S UTC %Y')
export KBUILD_BUILD_TIMESTAMP

pkg=$work/pkg
for a in "${arches[@]}"; do
  read -r darch flav _ _ abi ver _ <<<"$(arch_row "$a")"
  d=$pkg/$a
  [[ -f $d/.extracted ]] && continue
  rm -rf "$d" && mkdir -p "$d/image" "$d/headers" "$d/dbg"
  dpkg-deb -x "$debs/$(deb_file "linux-image-$abi-$flav:$darch=$ver")" "$d/image"
  dpkg-deb --fsys-tarfile "$debs/$(deb_file "linux-headers-$abi-$flav:$darch=$ver")" | tar -x -C "$d/headers" "./usr/src/linux-headers-$abi-$flav/Module.symvers"
  # The image's /boot/System.map is a one-line stub; the real one is in the -dbg package.
  dpkg-deb --fsys-tarfile "$debs/$(deb_file "linux-image-$abi-$flav-dbg:$darch=$ver")" | tar -x -C "$d/dbg" --wildcards './usr/lib/debug/boot/System.map-*'
  touch "$d/.extracted"
done

# ---- 4. symbols.klp of each real kernel ----------------------------------------------------
phase "symbols"
mkdir -p "$work/klp"
for a in "${arches[@]}"; do
  read -r darch flav _ _ abi ver _ <<<"$(arch_row "$a")"
  d=$pkg/$a
  map=$d/dbg/usr/lib/debug/boot/System.map-$abi-$flav
  [[ $(wc -l < "$map") -gt 1000 ]] || { echo "build.sh: $map is not a real System.map" >&2; exit 1; }
  node "$repo/dist/src/cli/main.js" symbols --system-map "$map" \
    --symvers "$d/headers/usr/src/linux-headers-$abi-$flav/Module.symvers" \
    --modules "$d/image/lib/modules/$abi-$flav/kernel" -o "$work/klp/full-$a.klp"
done

# ---- 5. configure and prepare one O= dir per arch and flag set -----------------------------
# Flag sets (objects.txt, column 3 on; default kbuild) and their O= dirs $work/obj/<arch>-<dir>.
allflagsets=(kbuild kbuild-ffs clang clang-ffs)
dir_of() { case $1 in kbuild) echo kbuild ;; kbuild-ffs) echo ffs ;; *) echo "$1" ;; esac; }
kcflags_of() { [[ $1 == *-ffs ]] && echo "-ffunction-sections -fdata-sections" || true; }
objects_of() { # arch flagset -> object paths from objects.txt
  awk -v a="$1" -v fs="$2" '!/^#/ && NF >= 2 && ($1 == "all" || $1 == a) {
    if (NF == 2) { if (fs == "kbuild") print $2; next }
    for (i = 3; i <= NF; i++) if ($i == fs) print $2
  }' "$here/objects.txt"
}
kmake() { # arch flagset make-args...
  local a=$1 fs=$2; shift 2
  local _d _f karch triplet cc
  read -r _d _f karch triplet _ _ cc <<<"$(arch_row "$a")"
  local o=$work/obj/$a-$(dir_of "$fs")
  if [[ $fs == clang* ]]; then
    # clang-15 for the target and the host, ld.lld-15, llvm-objcopy-15 ..., the integrated assembler
    make -C "$src" O="$o" ARCH="$karch" LLVM=-15 KCFLAGS="$(kcflags_of "$fs")" "$@"
  else
    make -C "$src" O="$o" ARCH="$karch" CROSS_COMPILE="$triplet-" CC="$cc" HOSTCC=gcc-12 HOSTCXX=g++-12 KCFLAGS="$(kcflags_of "$fs")" "$@"
  fi
}
flagsets_of() { # arch -> the flag sets it has objects for, in allflagsets order
  local fs
  for fs in "${allflagsets[@]}"; do [[ -n $(objects_of "$1" "$fs") ]] && echo "$fs"; done
  return 0
}
for a in "${arches[@]}"; do
  if flagsets_of "$a" | grep -q '^clang'; then
    for t in clang-15 ld.lld-15 llvm-ar-15 llvm-nm-15 llvm-objcopy-15 llvm-objdump-15 llvm-readelf-15 llvm-strip-15; do
      command -v "$t" > /dev/null || { echo "build.sh: $t missing (apt-get install clang-15 lld-15 llvm-15)" >&2; exit 2; }
    done
  fi
done
for a in "${arches[@]}"; do
  read -r darch flav _ _ abi ver _ <<<"$(arch_row "$a")"
  mapfile -t flagsets < <(flagsets_of "$a")
  for fs in "${flagsets[@]}"; do
    phase "prepare $a $fs"
    o=$work/obj/$a-$(dir_of "$fs")
    if [[ ! -f $o/.prepared ]]; then
      rm -rf "$o" && mkdir -p "$o"
      cp "$pkg/$a/image/boot/config-$abi-$flav" "$o/.config"
      "$src/scripts/config" --file "$o/.config" \
        --disable DEBUG_INFO --disable DEBUG_INFO_DWARF5 --disable DEBUG_INFO_DWARF4 \
        --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --enable DEBUG_INFO_NONE \
        --disable DEBUG_INFO_BTF --disable DEBUG_INFO_BTF_MODULES \
        --disable MODULE_SIG --disable MODULE_SIG_ALL --set-str MODULE_SIG_KEY "" \
        --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" --disable SYSTEM_REVOCATION_LIST
      kmake "$a" "$fs" olddefconfig > "$o/olddefconfig.log" 2>&1
      kmake "$a" "$fs" -j"$jobs" prepare > "$o/prepare.log" 2>&1 || { tail -30 "$o/prepare.log" >&2; exit 1; }
      touch "$o/.prepared"
    fi
  done
done

# ---- 6. the objects ------------------------------------------------------------------------
for a in "${arches[@]}"; do
  mapfile -t flagsets < <(flagsets_of "$a")
  for fs in "${flagsets[@]}"; do
    phase "objects $a $fs"
    o=$work/obj/$a-$(dir_of "$fs")
    mapfile -t objs < <(objects_of "$a" "$fs")
    kmake "$a" "$fs" -k -j"$jobs" "${objs[@]}" > "$o/objects.log" 2>&1 || true
    for ob in "${objs[@]}"; do [[ -f $o/$ob ]] || echo "   $a $fs: $ob did not build (see $o/objects.log)"; done
  done
done

# ---- 7. scan, cases ------------------------------------------------------------------------
phase "scan"
for a in "${arches[@]}"; do
  case $a in x86_64) m=62 ;; aarch64) m=183 ;; ppc64le) m=21 ;; s390x) m=22 ;; esac
  node "$here/scan-objects.mjs" "$m" "$work/obj/$a-kbuild" "$work/obj/$a-ffs" > "$work/scan-$a.txt"
  echo "   $a: $(head -1 "$work/scan-$a.txt")"
  # the clang dirs apart: there every arm64 object has many __patchable_function_entries
  clangdirs=()
  for fs in clang clang-ffs; do [[ -d $work/obj/$a-$fs ]] && clangdirs+=("$work/obj/$a-$fs"); done
  if ((${#clangdirs[@]})); then
    node "$here/scan-objects.mjs" "$m" "${clangdirs[@]}" > "$work/scan-$a-clang.txt"
    echo "   $a clang: $(head -1 "$work/scan-$a-clang.txt")"
  fi
done
phase "cases"
node "$here/make-cases.mjs" --work "$work" --src "$src" --out "$cases_out" --objects "$here/objects.txt" "${arches[@]/#/--arch=}"

phase "done"
if ((check)); then
  echo "comparing $cases_out with $repo/cases/real"
  status=0
  declare -A seen=()
  for a in "${arches[@]}"; do
    for d in "$repo/cases/real/$a"/*/ "$cases_out/$a"/*/; do
      [[ -d $d ]] || continue
      n=$a/$(basename "$d")
      [[ -n ${seen[$n]:-} ]] && continue
      seen[$n]=1
      if ! diff -r --no-dereference -q "$repo/cases/real/$n" "$cases_out/$n" > /dev/null 2>&1; then
        echo "differs: real/$n"; status=1
      fi
    done
  done
  ((status)) && echo "some cases differ (rebuilt tree: $work)" || echo "all cases identical (rebuilt tree: $work)"
  exit $status
fi
