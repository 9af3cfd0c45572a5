#!/usr/bin/env bash
# Writes a kernel case for the kernel's own samples/livepatch/livepatch-sample.c, a livepatch
# module none of cases/kernel/ was written for, taken unchanged from linux-source-6.1:
#
#   scripts/kernels/sample-case.sh OUTDIR     → OUTDIR/livepatch-sample/{Kbuild,livepatch-sample.c,case.json}
#
# then `klp-harness load --arch ppc64le --kernel livepatch --cases OUTDIR` converts it (from a
# symbols.klp made from the guest's kallsyms, as every case) and checks that it patches.
set -euo pipefail
out="${1:?usage: sample-case.sh OUTDIR}"
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "sample-case.sh: no $tarball: apt-get install linux-source-6.1" >&2; exit 1; }
dir="$out/livepatch-sample"
mkdir -p "$dir"
tar -xOf "$tarball" linux-source-6.1/samples/livepatch/livepatch-sample.c > "$dir/livepatch-sample.c"
echo 'obj-m += livepatch-sample.o' > "$dir/Kbuild"
cat > "$dir/case.json" <<'EOF'
{
  "description": "the kernel's samples/livepatch/livepatch-sample.c, unchanged: cmdline_proc_show replaced",
  "module": "livepatch-sample",
  "dialect": "symbols",
  "expect": "patched",
  "checks": [
    {
      "file": "/proc/cmdline",
      "contains": ["this has been live patched"],
      "revert": ["this has been live patched"]
    }
  ]
}
EOF
echo "$dir"
