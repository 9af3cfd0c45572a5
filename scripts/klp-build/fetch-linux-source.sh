#!/usr/bin/env bash
# Fetches Debian's newest linux-source-7.x (sid or trixie-backports) with a private APT
# configuration — nothing is installed, the system's APT state is untouched — and extracts it once
# into the cache. Prints the extracted tree's path on stdout; the package and version it took are
# in <tree>/.klp-source.json.
#
#   scripts/klp-build/fetch-linux-source.sh [--series 7.3] [--cache DIR]
#
# Versions move in Debian's archive: without --series the newest 7.x series offered is taken.
# The cache defaults to $KLP_KERNEL_CACHE, else ~/.cache/klp-harness/kernels (as harness/kernel).
set -euo pipefail
series=""
cache="${KLP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klp-harness/kernels}"
while (($#)); do
  case "$1" in
    --series) series="$2"; shift 2 ;;
    --cache) cache="$2"; shift 2 ;;
    *) echo "fetch-linux-source.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
fail() { echo "fetch-linux-source.sh: $*" >&2; exit 1; }
apt_dir="$cache/apt-7x"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/state" "$apt_dir/preferences.d"
touch "$apt_dir/status"
mirror="${KLP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$apt_dir/sources.list" <<LIST
deb [arch=amd64 signed-by=$keyring] $mirror sid main
deb [arch=amd64 signed-by=$keyring] $mirror trixie-backports main
LIST
cat > "$apt_dir/apt.conf" <<CONF
Dir::State "$apt_dir/state";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::Etc::Preferences "/nonexistent";
Dir::Etc::PreferencesParts "$apt_dir/preferences.d";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
Acquire::Retries "3";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$apt_dir/apt.conf"
# Lists older than a day are fetched again.
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
  apt-get update -qq >&2 || fail "apt-get update failed (sid/trixie-backports unreachable?)"
fi
if [ -z "$series" ]; then
  series="$(apt-cache pkgnames linux-source-7. | sed -n 's/^linux-source-\(7\.[0-9]*\)$/\1/p' | sort -V | tail -1)"
  [ -n "$series" ] || fail "Debian's archive offers no linux-source-7.x"
fi
pkg="linux-source-$series"
version="$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')"
[ -n "$version" ] && [ "$version" != "(none)" ] || fail "no candidate for $pkg"
tree="$cache/$pkg-$version"
if [ ! -f "$tree/.klp-source.json" ]; then
  work="$(mktemp -d "$cache/.fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq "$pkg=$version" >&2) || fail "apt-get download $pkg=$version failed"
  deb="$(ls "$work"/*.deb)"
  dpkg-deb -x "$deb" "$work/root"
  tarball="$(ls "$work"/root/usr/src/linux-source-*.tar.* | head -1)"
  [ -f "$tarball" ] || fail "$pkg has no source tarball"
  rm -rf "$tree.tmp"
  mkdir -p "$tree.tmp"
  echo "extracting $(basename "$tarball") ($version) into $tree…" >&2
  tar -xf "$tarball" -C "$tree.tmp" --strip-components=1
  printf '{ "package": "%s", "version": "%s", "debSha256": "%s" }\n' "$pkg" "$version" \
    "$(sha256sum "$deb" | cut -d' ' -f1)" > "$tree.tmp/.klp-source.json"
  mv "$tree.tmp" "$tree"
fi
echo "$tree"
