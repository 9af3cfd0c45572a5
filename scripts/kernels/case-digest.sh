#!/usr/bin/env bash
# Prints the digest of a kernel case's sources: sha256 over "sha256  name" lines of its Kbuild and
# *.c/*.h/*.S files in C-locale name order. harness/kernel/prebuilt.ts computes the same, to tell
# whether a committed prebuilt module still matches the sources it was built from.
#
#   scripts/kernels/case-digest.sh SOURCE_DIR
set -euo pipefail
dir="${1:?usage: case-digest.sh SOURCE_DIR}"
cd "$dir"
find . -maxdepth 1 -type f \( -name Kbuild -o -name '*.c' -o -name '*.h' -o -name '*.S' \) -printf '%f\n' |
  LC_ALL=C sort |
  while IFS= read -r f; do printf '%s  %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$f"; done |
  sha256sum | cut -d' ' -f1
