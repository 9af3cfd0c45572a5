# Shared by the scripts of scripts/klp-build (sourced, not run).
# Cache layout (default $KLP_KERNEL_CACHE, else ~/.cache/klp-harness/kernels, as harness/kernel):
#   linux-source-7.3-<version>/          the extracted Debian source (fetch-linux-source.sh), never built in
#   objtool-<version>/objtool[.json]     objtool with the klp subcommands (build-objtool.sh)
#   klp-work-<version>-x86_64/           a copy of the source, configured and built in-tree: klp-build
#                                        only works in the kernel root (build-kernel.sh)
#   klp-kernel-<version>-x86_64/         the kernel build-kernel.sh built there: bzImage, vmlinux, config,
#                                        Module.symvers, modules/, build-info.json
klp_cache="${KLP_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/klp-harness/kernels}"
klp_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
klp_repo="$(cd "$klp_here/../.." && pwd)"
# The build is made reproducible, so that klp-build's own "original" build (it runs `make clean` and
# builds again) gives the same vmlinux as the kernel committed in kernels/x86_64-7.
export KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-Thu Jan  1 00:00:00 UTC 2026}"
export KBUILD_BUILD_USER=klp KBUILD_BUILD_HOST=klp-harness KBUILD_BUILD_VERSION=1
# The flags klp-build's build_kernel() uses (scripts/livepatch/klp-build).
klp_make_flags=(KBUILD_MODPOST_WARN=1 KLP_SYMIDS=1 "KCFLAGS=-ffunction-sections -fdata-sections")
klp_jobs="${KLP_JOBS:-2}"

# klp_source [--series S]: fetches (once) and prints the extracted tree; sets klp_version, klp_package.
klp_source() {
  klp_tree="$("$klp_here/fetch-linux-source.sh" --cache "$klp_cache" "$@")"
  klp_package="$(sed -n 's/.*"package": "\([^"]*\)".*/\1/p' "$klp_tree/.klp-source.json")"
  klp_version="$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$klp_tree/.klp-source.json")"
  # '~' is legal but awkward in make paths: the directories this project creates use '_'.
  klp_tag="${klp_version//\~/_}"
  klp_work="$klp_cache/klp-work-$klp_tag-x86_64"
  klp_kernel="$klp_cache/klp-kernel-$klp_tag-x86_64"
}
klp_compiler() { gcc --version | head -1; }
klp_log() { echo "$(basename "$0"): $*" >&2; }
