#!/usr/bin/env bash
# Build the compiled klp-convert corpus: cases/compiled/<id>/{input.ko,
# symbols.klp?, case.json} from the C sources under cases/src/.
#
# Every livepatch source is compiled with each installed (arch, compiler)
# pair and flag set, then linked with a .mod.o the way kbuild links a .ko
# ("ld -r --build-id=sha1 lp.o lp.mod.o").  Output is deterministic: no
# debug info, relative source paths, sorted loops.
#
# usage: scripts/build-corpus.sh [--check] [--only REGEX] [--quiet]
#   --check       rebuild into a temporary directory and report which
#                 committed cases differ (exit 1 if any do)
#   --only REGEX  only build case ids matching REGEX (no stale cleanup)
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CHECK=0
ONLY=""
QUIET=0
while [ $# -gt 0 ]; do
	case "$1" in
	--check) CHECK=1 ;;
	--only) ONLY="$2"; shift ;;
	--quiet) QUIET=1 ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "build-corpus: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

COMMITTED=cases/compiled
WORK=$(mktemp -d "${TMPDIR:-/tmp}/klp-corpus.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ "$CHECK" = 1 ]; then
	OUT="$WORK/compiled"
else
	OUT="$COMMITTED"
fi
mkdir -p "$OUT"

log() { [ "$QUIET" = 1 ] || echo "$@"; }
warn() { echo "build-corpus: $*" >&2; }

# flags every compile gets (kept only where the compiler accepts them)
BASE_FLAGS="-ffreestanding -fno-builtin -nostdinc -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -fno-strict-aliasing"
INCLUDES="-Icases/src/include -Icases/src/errors"

flagset_opts() { # flagset toolchain-key
	case "$1" in
	O0) echo "-O0" ;;
	O2) echo "-O2" ;;
	Os) echo "-Os" ;;
	O2-ffs) echo "-O2 -ffunction-sections -fdata-sections" ;;
	# what CONFIG_DYNAMIC_FTRACE adds on each arch: calls to __fentry__ /
	# _mcount (exported, must stay) plus __mcount_loc or
	# __patchable_function_entries (SHF_LINK_ORDER) sections
	O2-ftrace)
		case "$2" in
		x86_64-gcc-*) echo "-O2 -pg -mfentry -mrecord-mcount" ;;
		x86_64-clang-*) echo "-O2 -pg -mfentry" ;;
		aarch64-*) echo "-O2 -fpatchable-function-entry=2" ;;
		ppc64le-gcc-*) echo "-O2 -pg -mprofile-kernel" ;;
		*) warn "no ftrace flags for $2"; exit 2 ;;
		esac ;;
	*) warn "unknown flag set $1"; exit 2 ;;
	esac
}
ALL_FLAGSETS="O0 O2 O2-ffs Os"

# Toolchains: key|arch|compiler|cc command|ld|ld flags|arch flags|abi|flag sets|extra objects
# key is the id prefix (<arch>-<compiler>[-<abi>]).
TOOLCHAINS=$(cat <<'EOF'
aarch64-clang-15|aarch64|clang-15|clang-15 --target=aarch64-linux-gnu|aarch64-linux-gnu-ld|-m aarch64linux|-mcmodel=small -fno-pic -mgeneral-regs-only||ALL O2-ftrace|
aarch64-gcc-11|aarch64|gcc-11|aarch64-linux-gnu-gcc-11|aarch64-linux-gnu-ld|-m aarch64linux|-mcmodel=small -fno-pic -mgeneral-regs-only||ALL|
aarch64-gcc-12|aarch64|gcc-12|aarch64-linux-gnu-gcc-12|aarch64-linux-gnu-ld|-m aarch64linux|-mcmodel=small -fno-pic -mgeneral-regs-only||ALL O2-ftrace|
i386-clang-15|i386|clang-15|clang-15 --target=i386-linux-gnu|ld|-m elf_i386|-m32 -fno-pic -mregparm=3||O2 Os|
i386-gcc-12|i386|gcc-12|gcc-12 -m32|ld|-m elf_i386|-m32 -fno-pic -mregparm=3||ALL|
ppc32-clang-14|ppc32|clang-14|clang-14 --target=powerpc-linux-gnu|powerpc-linux-gnu-ld|-m elf32ppclinux|-fno-pic -msoft-float||ALL|crtsavres
ppc32-clang-15|ppc32|clang-15|clang-15 --target=powerpc-linux-gnu|powerpc-linux-gnu-ld|-m elf32ppclinux|-fno-pic -msoft-float||ALL|crtsavres
ppc32-gcc-12|ppc32|gcc-12|powerpc-linux-gnu-gcc-12|powerpc-linux-gnu-ld|-m elf32ppclinux|-fno-pic -msoft-float||ALL|crtsavres
ppc64-clang-15-elfv1|ppc64|clang-15|clang-15 --target=powerpc64-linux-gnu|powerpc-linux-gnu-ld|-m elf64ppc --save-restore-funcs|-mcmodel=medium -fno-pic -mabi=elfv1|elfv1|ALL|
ppc64-clang-15-elfv2|ppc64|clang-15|clang-15 --target=powerpc64-linux-gnu|powerpc-linux-gnu-ld|-m elf64ppc --save-restore-funcs|-mcmodel=medium -fno-pic -mabi=elfv2|elfv2|O2 O2-ffs|
ppc64-gcc-12-elfv1|ppc64|gcc-12|powerpc-linux-gnu-gcc-12 -m64|powerpc-linux-gnu-ld|-m elf64ppc --save-restore-funcs|-mcmodel=medium -fno-pic -mabi=elfv1|elfv1|O2 O2-ffs|
ppc64le-clang-15|ppc64le|clang-15|clang-15 --target=powerpc64le-linux-gnu|powerpc64le-linux-gnu-ld|-m elf64lppc --save-restore-funcs|-mcmodel=medium -fno-pic|elfv2|ALL|
ppc64le-gcc-11|ppc64le|gcc-11|powerpc64le-linux-gnu-gcc-11|powerpc64le-linux-gnu-ld|-m elf64lppc --save-restore-funcs|-mcmodel=medium -fno-pic|elfv2|ALL|
ppc64le-gcc-12|ppc64le|gcc-12|powerpc64le-linux-gnu-gcc-12|powerpc64le-linux-gnu-ld|-m elf64lppc --save-restore-funcs|-mcmodel=medium -fno-pic|elfv2|ALL O2-ftrace|
s390x-clang-15|s390x|clang-15|clang-15 --target=s390x-linux-gnu|s390x-linux-gnu-ld|-m elf64_s390|-fno-pic -mbackchain||ALL|
s390x-gcc-11|s390x|gcc-11|s390x-linux-gnu-gcc-11|s390x-linux-gnu-ld|-m elf64_s390|-fno-pic -mbackchain||ALL|
s390x-gcc-12|s390x|gcc-12|s390x-linux-gnu-gcc-12|s390x-linux-gnu-ld|-m elf64_s390|-fno-pic -mbackchain||ALL|
x86_64-clang-15|x86_64|clang-15|clang-15 --target=x86_64-linux-gnu|x86_64-linux-gnu-ld|-m elf_x86_64|-mcmodel=kernel -fno-PIE -mno-red-zone -fno-pic||ALL O2-ftrace|
x86_64-gcc-11|x86_64|gcc-11|gcc-11|x86_64-linux-gnu-ld|-m elf_x86_64|-mcmodel=kernel -fno-PIE -mno-red-zone -fno-pic||ALL O2-ftrace|
x86_64-gcc-12|x86_64|gcc-12|gcc-12|x86_64-linux-gnu-ld|-m elf_x86_64|-mcmodel=kernel -fno-PIE -mno-red-zone -fno-pic||ALL O2-ftrace|
EOF
)

# Sources: name|dialect|expect|source|symbols file|toolchains (ALL or key list)|flag sets|exercises
# "convert" sources go everywhere; error sources to a representative set.
ERR_TC="x86_64-gcc-12 x86_64-clang-15 aarch64-gcc-12 ppc64le-gcc-12 s390x-gcc-12 ppc32-gcc-12 i386-gcc-12"
SOURCES=$(cat <<EOF
symbols-basic|symbols|convert|cases/src/symbols/basic.c|cases/src/symbols/basic.klp|ALL|ALL|vmlinux-local,exported,module-local,sympos,sympos-layout-ptr,cross-object-homonym,cold,hot,init-exit,data-pointer,multi-use-one-function
symbols-sections|symbols|convert|cases/src/symbols/sections.c|cases/src/symbols/sections.klp|ALL|ALL|vmlinux-local,exported,module-local,sympos,sympos-layout-u64,cold,hot,init-exit,explicit-text-sections,data-pointer,rodata-table,read-mostly,addend,multi-use-one-function,function-pointer-table
symbols-tables|symbols|convert|cases/src/symbols/tables.c|cases/src/symbols/tables.klp|ALL|ALL|vmlinux-local,exported,module-local,module-exported,sympos,sympos-layout-u64,cross-object-homonym,cold,hot,function-pointer-table,rodata-table,data-pointer,addend,switch-table,special-section-resolvable
annotation-basic|annotation|convert|cases/src/annotation/basic.c||ALL|ALL|vmlinux-local,exported,module-local,sympos,same-name-two-positions,cold,hot,init-exit,data-pointer,multi-use-one-function
annotation-sections|annotation|convert|cases/src/annotation/sections.c||ALL|ALL|vmlinux-local,exported,module-local,sympos,cold,hot,init-exit,explicit-text-sections,data-pointer,rodata-table,read-mostly,addend,multi-use-one-function,function-pointer-table
annotation-tables|annotation|convert|cases/src/annotation/tables.c||ALL|ALL|vmlinux-local,exported,module-local,module-exported,sympos,cross-object-homonym,cold,hot,function-pointer-table,rodata-table,data-pointer,addend,switch-table,special-section-resolvable
symbols-err-ambiguous|symbols|ambiguous-symbol|cases/src/errors/sym-ambiguous.c|cases/src/errors/common.klp|$ERR_TC|O2|error,duplicate-without-sympos
symbols-err-missing|symbols|missing-symbol|cases/src/errors/sym-missing.c|cases/src/errors/common.klp|$ERR_TC|O2|error,symbol-not-listed
symbols-err-conflicting|symbols|conflicting-sympos|cases/src/errors/sym-conflicting.c|cases/src/errors/common.klp|$ERR_TC|O2|error,sympos-layout-ptr,two-annotations-one-symbol
symbols-err-pos0-dup|symbols|bad-sympos|cases/src/errors/sym-pos0-dup.c|cases/src/errors/common.klp|$ERR_TC|O2|error,sympos-layout-u64,sympos-zero-on-duplicate
symbols-err-pos-beyond|symbols|bad-sympos|cases/src/errors/sym-pos-beyond.c|cases/src/errors/common.klp|$ERR_TC|O2|error,sympos-layout-ptr,sympos-beyond-count
symbols-err-bad-header|symbols|bad-symbols-file|cases/src/symbols/basic.c|cases/src/errors/bad-header.klp|$ERR_TC|O2|error,symbols-file-bad-header,sympos-layout-ptr
symbols-err-sym-before-obj|symbols|bad-symbols-file|cases/src/symbols/basic.c|cases/src/errors/sym-before-obj.klp|$ERR_TC|O2|error,symbols-file-symbol-before-object,sympos-layout-ptr
symbols-err-empty-file|symbols|bad-symbols-file|cases/src/symbols/basic.c|cases/src/errors/empty.klp|x86_64-gcc-12|O2|error,symbols-file-empty,sympos-layout-ptr
symbols-err-altinstr|symbols|unsupported-section|cases/src/errors/sym-altinstr.c|cases/src/errors/common.klp|$ERR_TC|O2|error,altinstructions
symbols-err-jump-table|symbols|unsupported-section|cases/src/errors/sym-jump-table.c|cases/src/errors/common.klp|$ERR_TC|O2|error,jump-table
symbols-err-static-call|symbols|unsupported-section|cases/src/errors/sym-static-call.c|cases/src/errors/common.klp|$ERR_TC|O2|error,static-call-sites
annotation-err-altinstr|annotation|unsupported-section|cases/src/errors/ann-altinstr.c||$ERR_TC|O2|error,altinstructions
annotation-err-parainstr|annotation|unsupported-section|cases/src/errors/ann-parainstr.c||$ERR_TC|O2|error,parainstructions
EOF
)

json_str() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	printf '"%s"' "$s"
}

json_list() { # comma-separated words -> JSON array
	local IFS=, first=1 w
	printf '['
	for w in $1; do
		[ -n "$w" ] || continue
		[ $first = 1 ] || printf ', '
		json_str "$w"
		first=0
	done
	printf ']'
}

# value of a top-level string key in an existing case.json
json_get() {
	sed -n "s/^  \"$2\": \"\\(.*\\)\",\{0,1\}\$/\\1/p" "$1" | awk 'NR == 1' | sed 's/\\"/"/g; s/\\\\/\\/g'
}

# keep only the flags this compiler accepts (probe with -Werror): the
# whole set is tried together (flags may depend on each other, e.g.
# -mcmodel=kernel needs -fno-PIE); while it fails, drop the one flag whose
# removal makes it compile, else the first flag that fails on its own.
probe_try() { # cc flags...
	local cc=$1; shift
	# shellcheck disable=SC2068
	$cc $@ -Werror -c "$WORK/probe.c" -o "$WORK/probe.o" 2>/dev/null
}
probe_flags() { # cc-command flags...
	local cc=$1; shift
	local -a flags=("$@")
	local i j dropped
	local -a rest
	printf 'int corpus_probe;\n' >"$WORK/probe.c"
	while ! probe_try "$cc" "${flags[@]}"; do
		dropped=""
		for i in "${!flags[@]}"; do
			rest=()
			for j in "${!flags[@]}"; do [ "$j" = "$i" ] || rest+=("${flags[$j]}"); done
			if probe_try "$cc" "${rest[@]}"; then dropped=$i; break; fi
		done
		if [ -z "$dropped" ]; then
			for i in "${!flags[@]}"; do
				if ! probe_try "$cc" "${flags[$i]}"; then dropped=$i; break; fi
			done
		fi
		[ -n "$dropped" ] || { warn "$cc: cannot find a working flag set"; break; }
		warn "$cc: rejects ${flags[$dropped]}, dropped"
		unset 'flags[dropped]'
		flags=("${flags[@]}")
	done
	echo "${flags[*]}"
}

# Analyse a linked object: prints "key=value" lines
#   convsyms relas maxsecs shared_across shared_same toc undef_missing relkind
analyse() { # ko dialect klpfile
	local ko=$1 dialect=$2 klp=$3
	readelf -sW "$ko" | awk '$7=="UND" && NF>=8 {print $8}' | sort -u >"$WORK/undef"
	readelf -SW "$ko" >"$WORK/sections"
	if grep -q ' REL ' "$WORK/sections"; then echo "relkind=REL"; else echo "relkind=RELA"; fi
	if grep -qxF '.TOC.' "$WORK/undef"; then echo "toc=1"; else echo "toc=0"; fi
	# candidate (to-be-converted) symbols
	if [ "$dialect" = symbols ]; then
		if [ -s "$klp" ]; then
			sed -n 's/^__ksymtab_//p' "$klp" | sort -u >"$WORK/exported"
		else
			: >"$WORK/exported"
		fi
		grep -vxF '.TOC.' "$WORK/undef" | comm -23 - "$WORK/exported" >"$WORK/cand" || true
		if [ -s "$klp" ]; then
			grep -v '^\*' "$klp" | grep -v '^klp-convert-symbol-data' | sort -u >"$WORK/listed" || true
		else
			: >"$WORK/listed"
		fi
		echo "undef_missing=$(comm -23 "$WORK/cand" "$WORK/listed" | tr '\n' ' ')"
	else
		grep '^\.klp\.sym\.rela\.' "$WORK/undef" >"$WORK/cand" || true
		echo "undef_missing=$(grep -vxF '.TOC.' "$WORK/undef" | grep -v '^\.klp\.sym\.rela\.' | grep -vxE 'printk|snprintf|klp_enable_patch|kmalloc_simple|kfree|jiffies|test_klp_exported_helper|__fentry__|_mcount' | tr '\n' ' ')"
	fi
	readelf -rW "$ko" | awk -v candfile="$WORK/cand" '
		BEGIN { while ((getline l < candfile) > 0) cand[l] = 1 }
		/^Relocation section/ { sec = $3; gsub("\047", "", sec); next }
		NF >= 5 && $4 ~ /^[0-9a-f]+$/ {
			n = $5
			if (!(n in cand) || sec ~ /^\.rela?\.klp\.module_relocs\./) next
			relas++
			k = n SUBSEP sec
			if (!(k in seen)) { seen[k] = 1; nsec[n]++ }
			cnt[k]++
			if (cnt[k] == 2) same++
		}
		END {
			m = 0; across = 0
			for (s in nsec) { if (nsec[s] > m) m = nsec[s]; if (nsec[s] >= 2) across++ }
			printf "relas=%d\nmaxsecs=%d\nshared_across=%d\nshared_same=%d\n", relas, m, across, same
		}'
	echo "convsyms=$(wc -l <"$WORK/cand")"
}

declare -A TC_OK=() TC_SKIP=() TC_CFLAGS=() TC_CCVER=() TC_LDVER=()
declare -a BUILT=()
FAILED=0
CHANGED_TC=()

setup_toolchain() { # key
	local key=$1 line arch comp cc ld ldflags aflags abi fsets extra
	line=$(grep "^$key|" <<<"$TOOLCHAINS")
	IFS='|' read -r _ arch comp cc ld ldflags aflags abi fsets extra <<<"$line"
	local ccbin=${cc%% *}
	if ! command -v "$ccbin" >/dev/null 2>&1; then
		warn "SKIP toolchain $key: compiler $ccbin not installed"
		TC_SKIP[$key]=1; return 1
	fi
	if ! command -v "$ld" >/dev/null 2>&1; then
		warn "SKIP toolchain $key: linker $ld not installed"
		TC_SKIP[$key]=1; return 1
	fi
	# shellcheck disable=SC2086
	TC_CFLAGS[$key]=$(probe_flags "$cc" $aflags $BASE_FLAGS)
	if ! $cc ${TC_CFLAGS[$key]} -c "$WORK/probe.c" -o "$WORK/probe.o" 2>"$WORK/probe.err"; then
		warn "SKIP toolchain $key: cannot compile: $(awk 'NR == 1' "$WORK/probe.err")"
		TC_SKIP[$key]=1; return 1
	fi
	TC_CCVER[$key]=$($cc --version 2>/dev/null | awk 'NR == 1')
	TC_LDVER[$key]=$($ld --version 2>/dev/null | awk 'NR == 1')
	TC_OK[$key]=1
}

build_case() { # tckey srcline-fields... flagset
	local key=$1 name=$2 dialect=$3 expect=$4 src=$5 klp=$6 exercises=$7 fset=$8
	local line arch comp cc ld ldflags aflags abi fsets extra
	line=$(grep "^$key|" <<<"$TOOLCHAINS")
	IFS='|' read -r _ arch comp cc ld ldflags aflags abi fsets extra <<<"$line"
	local id="$key-$fset-$name"
	if [ -n "$ONLY" ] && ! [[ $id =~ $ONLY ]]; then return 0; fi
	local opt cflags modname dir tmp
	opt=$(flagset_opts "$fset" "$key")
	cflags="$opt ${TC_CFLAGS[$key]}"
	modname="klp_corpus_${name//-/_}"
	dir="$OUT/$id"
	tmp="$WORK/obj"
	rm -rf "$tmp"; mkdir -p "$tmp"
	# shellcheck disable=SC2086
	if ! $cc $cflags $INCLUDES -c "$src" -o "$tmp/lp.o" 2>"$tmp/err"; then
		warn "FAIL $id: compile: $(awk 'NR <= 3' "$tmp/err" | tr '\n' ' ')"; FAILED=$((FAILED+1)); return 0
	fi
	# shellcheck disable=SC2086
	if ! $cc $cflags -DCORPUS_MODNAME="$modname" -c cases/src/mod.c -o "$tmp/lp.mod.o" 2>"$tmp/err"; then
		warn "FAIL $id: compile mod.c: $(awk 'NR <= 3' "$tmp/err" | tr '\n' ' ')"; FAILED=$((FAILED+1)); return 0
	fi
	local objs="$tmp/lp.o $tmp/lp.mod.o"
	if [ "$extra" = crtsavres ]; then
		# shellcheck disable=SC2086
		$cc ${TC_CFLAGS[$key]} -c cases/src/ppc32-crtsavres.S -o "$tmp/crtsavres.o"
		objs="$objs $tmp/crtsavres.o"
	fi
	local ldall="-r $ldflags --build-id=sha1"
	# shellcheck disable=SC2086
	if ! $ld $ldall -o "$tmp/input.ko" $objs 2>"$tmp/err"; then
		warn "FAIL $id: link: $(awk 'NR <= 3' "$tmp/err" | tr '\n' ' ')"; FAILED=$((FAILED+1)); return 0
	fi

	# analysis -> dynamic exercise tags and sanity checks
	local a relkind toc missing relas maxsecs across same convsyms
	a=$(analyse "$tmp/input.ko" "$dialect" "$klp")
	relkind=$(sed -n 's/^relkind=//p' <<<"$a")
	toc=$(sed -n 's/^toc=//p' <<<"$a")
	missing=$(sed -n 's/^undef_missing=//p' <<<"$a" | sed 's/ *$//')
	relas=$(sed -n 's/^relas=//p' <<<"$a")
	maxsecs=$(sed -n 's/^maxsecs=//p' <<<"$a")
	across=$(sed -n 's/^shared_across=//p' <<<"$a")
	same=$(sed -n 's/^shared_same=//p' <<<"$a")
	convsyms=$(sed -n 's/^convsyms=//p' <<<"$a")
	if [ "$expect" = convert ] && [ -n "$missing" ]; then
		warn "FAIL $id: undefined symbols not covered: $missing"; FAILED=$((FAILED+1)); return 0
	fi
	local ex="$exercises"
	[ "$fset" = O2-ffs ] && ex="$ex,function-sections"
	[ "$fset" = O2-ftrace ] && ex="$ex,ftrace"
	grep -q '__mcount_loc' "$WORK/sections" && ex="$ex,mcount-loc"
	grep -q '__patchable_function_entries' "$WORK/sections" && ex="$ex,patchable-function-entries-link-order"
	[ "$across" -gt 0 ] && ex="$ex,shared-symbol-across-sections"
	[ "$same" -gt 0 ] && ex="$ex,shared-symbol-same-section"
	[ "$toc" = 1 ] && ex="$ex,toc-undefined"
	[ "$relkind" = REL ] && ex="$ex,rel-not-rela"
	# The livepatch core applies only RELA relocations (x86 livepatch is 64-bit only): a REL
	# relocation to a symbol the loader cannot resolve is refused before its symbol is looked up.
	# Errors found before the relocations are walked (symbols.klp, sympos annotations) still win.
	if [ "$relkind" = REL ]; then
		case "$expect" in convert|ambiguous-symbol|missing-symbol|unsupported-section) expect=unsupported-relocation ;; esac
	fi
	case "$arch" in ppc32|i386) [[ ,$ex, == *,sympos-layout-ptr,* ]] && ex="$ex,sympos-entry-8-bytes" ;; esac
	[ "$extra" = crtsavres ] && ex="$ex,ppc32-crtsavres-linked"

	# toolchain change notice against the committed case
	if [ -f "$COMMITTED/$id/case.json" ]; then
		local oldcc oldld
		oldcc=$(json_get "$COMMITTED/$id/case.json" compilerVersion)
		oldld=$(json_get "$COMMITTED/$id/case.json" binutils)
		if [ "$oldcc" != "${TC_CCVER[$key]}" ] || [ "$oldld" != "${TC_LDVER[$key]}" ]; then
			echo "build-corpus: toolchain differs for $id: was '$oldcc' / '$oldld', now '${TC_CCVER[$key]}' / '${TC_LDVER[$key]}'"
			CHANGED_TC+=("$id")
		fi
	fi

	rm -rf "$dir"; mkdir -p "$dir"
	cp "$tmp/input.ko" "$dir/input.ko"
	if [ "$dialect" = symbols ]; then
		cp "$klp" "$dir/symbols.klp"
	fi
	{
		printf '{\n'
		printf '  "id": %s,\n' "$(json_str "$id")"
		printf '  "arch": %s,\n' "$(json_str "$arch")"
		printf '  "compiler": %s,\n' "$(json_str "$comp")"
		printf '  "compilerVersion": %s,\n' "$(json_str "${TC_CCVER[$key]}")"
		printf '  "binutils": %s,\n' "$(json_str "${TC_LDVER[$key]}")"
		printf '  "cc": %s,\n' "$(json_str "$cc")"
		printf '  "flags": %s,\n' "$(json_str "$cflags")"
		printf '  "flagSet": %s,\n' "$(json_str "$fset")"
		printf '  "ld": %s,\n' "$(json_str "$ld $ldall")"
		[ -n "$abi" ] && printf '  "abi": %s,\n' "$(json_str "$abi")"
		printf '  "dialect": %s,\n' "$(json_str "$dialect")"
		printf '  "expect": %s,\n' "$(json_str "$expect")"
		printf '  "source": %s,\n' "$(json_str "$src")"
		[ "$dialect" = symbols ] && printf '  "symbolsFile": %s,\n' "$(json_str "$klp")"
		printf '  "module": %s,\n' "$(json_str "$modname")"
		printf '  "relocSections": %s,\n' "$(json_str "$relkind")"
		printf '  "stats": { "convertibleSymbols": %d, "convertibleRelas": %d, "maxRelaSectionsPerSymbol": %d, "symbolsInSeveralSections": %d },\n' \
			"$convsyms" "$relas" "$maxsecs" "$across"
		printf '  "exercises": %s\n' "$(json_list "$ex")"
		printf '}\n'
	} >"$dir/case.json"
	BUILT+=("$id")
	log "built $id"
}

# ---- main loop -------------------------------------------------------
TC_KEYS=$(cut -d'|' -f1 <<<"$TOOLCHAINS" | sort)
for key in $TC_KEYS; do
	setup_toolchain "$key" || true
done

while IFS='|' read -r name dialect expect src klp tcs fsets exercises; do
	[ -n "$name" ] || continue
	[ "$tcs" = ALL ] && tcs=$TC_KEYS
	for key in $(tr ' ' '\n' <<<"$tcs" | sort); do
		[ -n "${TC_OK[$key]:-}" ] || continue
		tcfsets=$(grep "^$key|" <<<"$TOOLCHAINS" | cut -d'|' -f9)
		tcfsets=${tcfsets/ALL/$ALL_FLAGSETS}
		want=$fsets
		[ "$want" = ALL ] && want=$tcfsets
		for fset in $(tr ' ' '\n' <<<"$want" | sort); do
			# error cases use O2 even where the toolchain has a reduced set
			if [ "$expect" = convert ] && [[ " $tcfsets " != *" $fset "* ]]; then
				continue
			fi
			build_case "$key" "$name" "$dialect" "$expect" "$src" "$klp" "$exercises" "$fset"
		done
	done
done < <(sort <<<"$SOURCES")

# ---- stale cases / check report ---------------------------------------
built_sorted=$(printf '%s\n' "${BUILT[@]}" | sort)
skipped_prefixes=$(printf '%s\n' "${!TC_SKIP[@]}" | sort)

if [ "$CHECK" = 1 ]; then
	differ=0
	for id in $built_sorted; do
		if [ ! -d "$COMMITTED/$id" ]; then
			echo "check: $id: not in $COMMITTED"; differ=$((differ+1)); continue
		fi
		for f in input.ko symbols.klp case.json; do
			if [ -e "$OUT/$id/$f" ] || [ -e "$COMMITTED/$id/$f" ]; then
				if ! cmp -s "$OUT/$id/$f" "$COMMITTED/$id/$f"; then
					echo "check: $id/$f differs"; differ=$((differ+1))
				fi
			fi
		done
	done
	if [ -z "$ONLY" ] && [ -d "$COMMITTED" ]; then
		for d in "$COMMITTED"/*/; do
			id=$(basename "$d")
			grep -qx -- "$id" <<<"$built_sorted" && continue
			skipped=0
			for p in $skipped_prefixes; do
				[[ $id == "$p"-* ]] && skipped=1
			done
			if [ $skipped = 1 ]; then
				echo "check: $id: not rebuilt (its toolchain is not installed here)"
			else
				echo "check: $id: committed but not rebuilt"
				differ=$((differ+1))
			fi
		done
	fi
	echo "check: ${#BUILT[@]} cases rebuilt, $differ differences, $FAILED failures"
	[ "$differ" = 0 ] && [ "$FAILED" = 0 ] || exit 1
	exit 0
fi

if [ -z "$ONLY" ]; then
	for d in "$OUT"/*/; do
		[ -d "$d" ] || continue
		id=$(basename "$d")
		grep -qx -- "$id" <<<"$built_sorted" && continue
		keep=0
		for p in $skipped_prefixes; do
			[[ $id == "$p"-* ]] && keep=1
		done
		if [ $keep = 1 ]; then
			echo "build-corpus: keeping $id (its toolchain is not installed here)"
		else
			echo "build-corpus: removing stale case $id"
			rm -rf "$d"
		fi
	done
fi

echo "build-corpus: ${#BUILT[@]} cases built, $FAILED failures, ${#TC_SKIP[@]} toolchains skipped, ${#CHANGED_TC[@]} with a different toolchain than before"
[ "$FAILED" = 0 ]
