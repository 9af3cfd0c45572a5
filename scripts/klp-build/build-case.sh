#!/usr/bin/env bash
# Turns source patches (unified diffs against Debian's linux-source-7.x) into post-link cases of
# the klp-build corpus, one directory per patch:
#
#   scripts/klp-build/build-case.sh --out DIR [--full] [--series 7.3] PATCH…
#
#   DIR/<id>/input.ko     klp-build's livepatch module before post-link (klp-tmp/5-kmod/<name>.ko.orig)
#                         with .BTF removed, as klp-build does (objcopy --remove-section=.BTF)
#   DIR/<id>/objtool.ko   input.ko after `objtool klp post-link` (objtool of build-objtool.sh);
#                         case.json says whether it equals klp-build's own output byte for byte
#   DIR/<id>/patch.diff   the patch
#   DIR/<id>/case.json    provenance, objnames, exercises (computed from the objects), observe
#
# <id> is x86_64-<series>-<patch file name without .patch/.diff>; the livepatch module is
# livepatch-<same name> (kernel module name with '_').
#
# Everything else is made on demand and cached (see common.sh): the source (fetch-linux-source.sh),
# objtool (build-objtool.sh), the kernel (build-kernel.sh, ~10 min), and klp-build's "original"
# build in the work tree. klp-build runs in full (-S 1: `make clean` and the original build again,
# ~10 min) only when the work tree has no original build of the cached kernel (klp-tmp/1-orig whose
# vmlinux is the kernel's, byte for byte) or with --full (for the first patch); otherwise it starts
# at the patched build (-S 2, ~40 s a patch).
#
# "observe" (what a booted kernel shows while the patch is live) cannot be guessed: it is taken from
# <patch without .patch>.observe.json beside the patch when there is one, else a placeholder
# {"checks": []} is written and said on stderr.
#
# A patch klp-build refuses is reported on stderr (its error line) and gives no case, unless
# klp-build got as far as the module before post-link: then the case has expect "refused: <error>".
# The exit status is 1 when any patch gave no case.
set -euo pipefail
. "$(dirname "$0")/common.sh"
out="" full=0
fetch_args=() patches=()
while (($#)); do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --full) full=1; shift ;;
    --series) fetch_args+=(--series "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) klp_log "unknown option $1"; exit 2 ;;
    *) patches+=("$1"); shift ;;
  esac
done
[ -n "$out" ] && ((${#patches[@]})) || { klp_log "usage: build-case.sh --out DIR [--full] PATCH…"; exit 2; }
for i in "${!patches[@]}"; do
  p="${patches[$i]}"
  [ -f "$p" ] || { klp_log "no such patch: $p"; exit 2; }
  patches[$i]="$(cd "$(dirname "$p")" && pwd)/$(basename "$p")"
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"

klp_source "${fetch_args[@]}"
objtool="$("$klp_here/build-objtool.sh" "${fetch_args[@]}")"
"$klp_here/build-kernel.sh" "${fetch_args[@]}" > /dev/null
info="$klp_kernel/build-info.json"
json_field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2" | head -1; }
vmlinux_sha="$(json_field vmlinuxSha256 "$info")"
series="${klp_package#linux-source-}"
vermagic="$(modinfo -F vermagic "$klp_kernel/modules/fs/binfmt_misc.ko")"

exec 9> "$klp_work/.klp-harness.lock"
flock 9
cd "$klp_work"
status=0
for patch in "${patches[@]}"; do
  name="$(basename "$patch")"; name="${name%.patch}"; name="${name%.diff}"
  id="x86_64-$series-$name"
  kmod="$(echo "livepatch-$name" | sed 's/[^a-zA-Z0-9_-]/-/g' | cut -c 1-55)"
  module="${kmod//-/_}"
  tmp="$(mktemp -d)"
  cp "$patch" "$tmp/$name.patch"

  step=2
  if ((full)) || [ ! -f klp-tmp/1-orig/.complete ] ||
     [ "$(sha256sum < klp-tmp/1-orig/vmlinux | cut -d' ' -f1)" != "$vmlinux_sha" ]; then
    step=1
  fi
  args=(-T -j"$klp_jobs")
  ((step == 2)) && args+=(-S 2)
  # klp-build only replaces 5-kmod when it gets there: an old module must not pass for this one's.
  rm -rf klp-tmp/5-kmod
  cmd_shown="scripts/livepatch/klp-build ${args[*]} -o $kmod.ko $name.patch"
  klp_log "$id: $cmd_shown"
  start=$(date +%s)
  rc=0
  ./scripts/livepatch/klp-build "${args[@]}" -o "$tmp/$kmod.ko" "$tmp/$name.patch" > "$tmp/klp-build.log" 2>&1 || rc=$?
  secs=$(( $(date +%s) - start ))
  # --full: one original build is enough for all the patches.
  [ -f klp-tmp/1-orig/.complete ] && full=0
  if ((step == 1)) && [ -f klp-tmp/1-orig/.complete ] &&
     [ "$(sha256sum < klp-tmp/1-orig/vmlinux | cut -d' ' -f1)" != "$vmlinux_sha" ]; then
    klp_log "klp-build's original vmlinux differs from the kernel build-kernel.sh built ($klp_kernel): not reproducible?"
    exit 1
  fi
  expect=convert
  if ((rc != 0)); then
    # The most specific message: objtool's, else the compiler's, else klp-build's own (not the
    # ERR trap's "line N: '<command>'").
    log_clean="$(sed 's/\x1b\[[0-9;]*m//g; s|'"$tmp"'/||g' "$tmp/klp-build.log")"
    error="$(grep -E 'error: objtool: ' <<< "$log_clean" | tail -1 || true)"
    [ -n "$error" ] || error="$(grep -E '[^ ]: error: ' <<< "$log_clean" | grep -v '^error: klp-build' | head -1 || true)"
    [ -n "$error" ] || error="$(grep -E '^error: ' <<< "$log_clean" | grep -vE ': line [0-9]+: ' | tail -1 || true)"
    [ -n "$error" ] || error="$(tail -1 <<< "$log_clean")"
    if [ ! -f "klp-tmp/5-kmod/$kmod.ko.orig" ]; then
      klp_log "$id: klp-build refused the patch after ${secs}s, no module: $error"
      tail -15 "$tmp/klp-build.log" | sed 's/^/    /' >&2
      status=1
      rm -rf "$tmp"
      continue
    fi
    expect="refused: $error"
  fi

  case_dir="$out/$id"
  rm -rf "$case_dir"
  mkdir -p "$case_dir"
  cp "klp-tmp/5-kmod/$kmod.ko.orig" "$case_dir/input.ko"
  objcopy --remove-section=.BTF "$case_dir/input.ko"
  cp "$case_dir/input.ko" "$case_dir/objtool.ko"
  matches=false
  if "$objtool" klp post-link "$case_dir/objtool.ko" 2> "$tmp/post-link.err"; then
    [ -f "$tmp/$kmod.ko" ] && cmp -s "$case_dir/objtool.ko" "$tmp/$kmod.ko" && matches=true
    [ "$matches" = true ] || [ "$expect" != convert ] ||
      klp_log "$id: objtool.ko differs from klp-build's $kmod.ko"
  else
    rm -f "$case_dir/objtool.ko"
    [ "$expect" = convert ] && expect="refused: $(tail -1 "$tmp/post-link.err")"
  fi
  cp "$patch" "$case_dir/patch.diff"
  mv_vermagic="$(modinfo -F vermagic "$case_dir/input.ko")"
  [ "$mv_vermagic" = "$vermagic" ] || { klp_log "$id: vermagic '$mv_vermagic' is not the kernel's '$vermagic'"; status=1; }

  observe_file="${patch%.patch}"; observe_file="${observe_file%.diff}.observe.json"
  if [ -f "$observe_file" ]; then
    observe_arg=(--observe "$observe_file")
  else
    observe_arg=()
    klp_log "$id: no $(basename "$observe_file") beside the patch: case.json gets \"observe\": {\"checks\": []}, fill it in by hand"
  fi
  # The objects klp diff produced: the patched objects (vmlinux, or a module's name).
  patched="$(cd klp-tmp/4-diff 2>/dev/null && find . -name '*.o' -printf '%P\n' | LC_ALL=C sort | tr '\n' ' ')"
  node "$klp_here/case-json.mjs" \
    --case "$case_dir" --id "$id" --module "$module" --expect "$expect" \
    --package "$klp_package" --version "$klp_version" --compiler "$(klp_compiler)" \
    --objtool "$objtool" --klp-build "$cmd_shown" --klp-build-seconds "$secs" \
    --matches "$matches" --vermagic "$mv_vermagic" --release "$(json_field release "$info")" \
    --orig "$klp_work/klp-tmp/1-orig" --patched "$patched" \
    --diff-log klp-tmp/4-diff/diff.log "${observe_arg[@]}" > "$case_dir/case.json"
  klp_log "$id: $expect in ${secs}s (objtool.ko = klp-build's: $matches) → $case_dir"
  rm -rf "$tmp"
done
exit "$status"
