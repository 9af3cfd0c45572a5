#!/usr/bin/env bash
# Builds objtool with the klp subcommands (checksum, diff, post-link) from Debian's linux-source-7.x
# (fetched by fetch-linux-source.sh), out of the source tree (make -C tools/objtool O=…), and prints
# the binary's path. The source package, version and compiler are recorded in objtool.json beside it.
#
#   scripts/klp-build/build-objtool.sh [--out DIR] [--series 7.3]
#
# DIR defaults to <cache>/objtool-<version> (cache: $KLP_KERNEL_CACHE, else ~/.cache/klp-harness/kernels).
# Needs libelf-dev and libxxhash-dev (without xxhash objtool builds, but with no klp subcommands:
# refused here). Idempotent: a DIR whose objtool.json names the same source is reused.
set -euo pipefail
. "$(dirname "$0")/common.sh"
out=""
fetch_args=()
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --series) fetch_args+=(--series "$2"); shift 2 ;;
    *) klp_log "unknown argument $1"; exit 2 ;;
  esac
done
klp_source "${fetch_args[@]}"
out="${out:-$klp_cache/objtool-$klp_tag}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
json="$out/objtool.json"
if [ -x "$out/objtool" ] && [ -f "$json" ] && grep -q "\"sourceVersion\": \"$klp_version\"" "$json"; then
  echo "$out/objtool"
  exit 0
fi
printf '#include <xxhash.h>\nXXH3_state_t *s; int main(void) { return 0; }\n' |
  gcc -xc - -o /dev/null -lxxhash 2> /dev/null ||
  { klp_log "libxxhash-dev is missing: objtool would have no klp subcommands (apt-get install libxxhash-dev)"; exit 1; }
objdir="$out/build"
mkdir -p "$objdir"
start=$(date +%s)
make -s -C "$klp_tree/tools/objtool" O="$objdir" -j"$klp_jobs" > "$out/build.log" 2>&1 ||
  { tail -30 "$out/build.log" >&2; klp_log "objtool build failed"; exit 1; }
secs=$(( $(date +%s) - start ))
cp "$objdir/objtool" "$out/objtool"
if "$out/objtool" klp 2>&1 | grep -q "not implemented"; then
  klp_log "$out/objtool was built without klp support"; exit 1
fi
# post-link has no --help: with no file it prints its usage ("usage: objtool link <file.ko>").
{ "$out/objtool" klp post-link 2>&1 || true; } | grep -q "usage: objtool link" ||
  { klp_log "objtool klp post-link does not answer with its usage"; exit 1; }
cat > "$json" <<JSON
{
  "sourcePackage": "$klp_package",
  "sourceVersion": "$klp_version",
  "compiler": "$(klp_compiler)",
  "libxxhash": "$(dpkg-query -W -f='${Version}' libxxhash-dev 2>/dev/null || echo unknown)",
  "libelf": "$(dpkg-query -W -f='${Version}' libelf-dev 2>/dev/null || echo unknown)",
  "sha256": "$(sha256sum < "$out/objtool" | cut -d' ' -f1)",
  "buildSeconds": $secs,
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
klp_log "objtool $klp_version built in ${secs}s"
echo "$out/objtool"
