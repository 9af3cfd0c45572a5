#!/usr/bin/env bash
# The built-in example: converts one compiled livepatch module of the corpus (x86_64, gcc-12,
# -ffunction-sections, symbols-list dialect: one vmlinux-local symbol used from many sections) and
# shows the klp rela sections and livepatch symbols it made.
set -euo pipefail
cd "$(dirname "$0")/.."
case=cases/compiled/x86_64-gcc-12-O2-ffs-symbols-sections
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "klp-convert example: converting $case (x86_64, gcc-12, -ffunction-sections, symbols-list dialect) into a livepatch module"
echo "look at: the klp-convert lines (each symbol, its sympos, the relocations moved), then the .klp.rela.* sections (flags AK: SHF_ALLOC|SHF_RELA_LIVEPATCH) and their .klp.sym.* symbols (LIVEPATCH: SHN_LIVEPATCH)"
echo
node dist/src/cli/main.js --verbose "$case/symbols.klp" "$case/input.ko" "$out/livepatch.ko"
node dist/harness/cli/main.js dump --section '.klp.rela.*' "$out/livepatch.ko"
node dist/harness/cli/main.js dump --section '.symtab' "$out/livepatch.ko" | grep -E 'symbols:|LIVEPATCH'
