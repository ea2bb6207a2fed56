#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's own style tools over xtcp's sources, one result each:
#   style:checkpatch  checkpatch.pl --strict: no errors, warnings or checks
#   style:sparse      sparse (C=2) on every file: no warnings in our files
#   style:w1          W=1 build: no warnings
#   style:layering    no import cycle between module files (layering.py)
#   style:uapi        the uapi header passes the kernel's header checks and
#                     compiles in plain userspace programs
# The module is built twice, as shipped and with the KUnit suites compiled
# in (XTCP_KUNIT=1, objects only: Debian's kernel has no KUnit to link to),
# from copies under $BUILD/style so that the repo gets no build products.

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
xtcp_need_kver
command -v sparse >/dev/null || xtcp_die "sparse is not installed; run 'make deps'"

# checkpatch.pl (with its spelling.txt and const_structs.checkpatch) and the
# uapi header tools come from the linux-source tree that kunit.sh extracts.
TREE=$("$XTCP_TOP/scripts/kunit.sh" --source-only)
OUT=$BUILD/style
cd "$XTCP_TOP"
shopt -s nullglob
xtcp_results_reset style
rm -rf "$OUT"
mkdir -p "$OUT"
fail=0

# verdict NAME RC FINDINGS: PASS only if the tool ran cleanly and found
# nothing; otherwise FAIL and print the findings.
verdict() {
	if [ "$2" -eq 0 ] && [ ! -s "$3" ]; then
		xtcp_result PASS style "$1"
		return
	fi
	xtcp_result FAIL style "$1"
	echo "style: $1 findings (full output in $OUT):" >&2
	sed 's/^/    /' "$3" >&2
	fail=1
}

# Our paths as in the repo, not as in the build copies.
unbuild() {
	sed -e "s|$OUT/build-[a-z]*/||g"
}

# --- checkpatch ------------------------------------------------------------
CHECKPATCH=(perl "$TREE/scripts/checkpatch.pl" --strict --no-tree -f
	--terse --show-types --no-summary)
files=()
# socket.c defines xtcp_stream_ops and xtcp.h declares it: see below.
for f in module/*.c module/*.h include/uapi/linux/*.h kunit/*.c kunit/*.h; do
	case "$f" in
	module/compat.h | module/socket.c | module/xtcp.h) ;;
	*) files+=("$f") ;;
	esac
done
rc=0
{
	"${CHECKPATCH[@]}" "${files[@]}" || rc=$?
	# compat.h is the one place for kernel-version checks. Out of tree,
	# built against both 6.1 and 6.12, "code should be for the version to
	# which it is merged" (LINUX_VERSION_CODE) cannot apply, and the
	# CONSTANT_COMPARISON check reads the version idiom
	# "LINUX_VERSION_CODE < KERNEL_VERSION(...)" as a constant on the left.
	# Every other file still gets both checks.
	if [ -f module/compat.h ]; then
		"${CHECKPATCH[@]}" --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
			module/compat.h || rc=$?
	fi
	# xtcp_stream_ops carries the address family, a module parameter, so
	# it is filled in at load and __ro_after_init instead of const: as
	# read-only as const once the module is up. Only these two files are
	# spared CONST_STRUCT.
	"${CHECKPATCH[@]}" --ignore CONST_STRUCT module/socket.c module/xtcp.h || rc=$?
} >"$OUT/checkpatch.log" 2>&1
verdict checkpatch "$rc" "$OUT/checkpatch.log"

# --- W=1 and sparse builds -------------------------------------------------
# Fresh copies of the sources only (the repo may hold objects from an
# in-tree build): every file compiles on every run, so W=1 sees them all.
copy_sources() {
	mkdir -p "$1"
	cp Kbuild "$1/"
	find module include kunit -name '*.[ch]' -exec cp --parents -t "$1" {} +
}
copy_sources "$OUT/build-module"
copy_sources "$OUT/build-kunit"
# The objects Kbuild links, not every file in module/: one being written
# is not part of the module yet.
read -ra objs < <(printf 'xtcp-objs:\n\t@echo $(xtcp-y)\n' |
	make -s --no-print-directory -f Kbuild -f - xtcp-objs)
[ "${#objs[@]}" -gt 0 ] || xtcp_die "no xtcp-y objects in Kbuild"
MAKE_MOD=(make -j"$(nproc)" -C "$KDIR" W=1 M="$OUT/build-module" modules)
MAKE_KUNIT=(make -j"$(nproc)" -C "$KDIR" W=1 M="$OUT/build-kunit" XTCP_KUNIT=1 "${objs[@]}")

rc=0
"${MAKE_MOD[@]}" >"$OUT/w1-module.log" 2>&1 || rc=$?
"${MAKE_KUNIT[@]}" >"$OUT/w1-kunit.log" 2>&1 || rc=$?
# modpost reports as "WARNING:", the compiler as "warning:".
{
	for l in module kunit; do
		grep -i 'warning:' "$OUT/w1-$l.log" | unbuild | sed "s/^/[$l build] /" || true
	done
	if [ "$rc" -ne 0 ]; then
		echo "the W=1 build failed:"
		grep -hE 'error|Error' "$OUT"/w1-*.log | unbuild || true
	fi
} >"$OUT/w1.findings"
verdict w1 "$rc" "$OUT/w1.findings"

# No two module files call each other, round any loop (the shipped build's
# objects: the KUnit suites may reach anywhere).
rc=0
python3 scripts/layering.py "${objs[@]/#/$OUT/build-module/}" \
	>"$OUT/layering.log" 2>&1 || rc=$?
verdict layering "$rc" "$OUT/layering.log"

# The objects are now up to date, so a C=2 run compiles nothing and its
# diagnostics are sparse's alone.
rc=0
"${MAKE_MOD[@]}" C=2 >"$OUT/sparse-module.log" 2>&1 || rc=$?
"${MAKE_KUNIT[@]}" C=2 >"$OUT/sparse-kunit.log" 2>&1 || rc=$?
# Only our files count. Debian 6.1's headers give sparse 0.6.4 nothing to
# say (measured: the net headers xtcp uses and a dozen more), but newer
# headers (6.12, which KDIR may point at) can trip an older sparse in code
# that is not ours: shown, not counted.
{
	for l in module kunit; do
		# With their "expected ... got ..." continuation lines.
		grep -E "^$OUT/build-$l/[^:]*:[0-9]+:" "$OUT/sparse-$l.log" |
			unbuild | sed "s/^/[$l build] /" || true
	done
	[ "$rc" -eq 0 ] || echo "the C=2 build failed; see $OUT/sparse-*.log"
} >"$OUT/sparse.findings"
if grep -vE "^$OUT/build-" "$OUT"/sparse-*.log | grep -qE ': (warning|error):'; then
	echo "style: sparse diagnostics outside our files, not counted:" >&2
	grep -hvE "^$OUT/build-" "$OUT"/sparse-*.log | grep -E ': (warning|error):' |
		sed 's/^/    /' >&2
fi
verdict sparse "$rc" "$OUT/sparse.findings"

# --- uapi header -----------------------------------------------------------
H=include/uapi/linux/xtcp.h
U=$OUT/uapi
mkdir -p "$U/usr/include/linux"
printf '#include <linux/xtcp.h>\n#include <linux/xtcp.h>\ntypedef int hdrtest;\n' >"$U/hdrtest.c"
for order in before after; do
	{
		echo "/* linux/xtcp.h $order the libc socket headers */"
		[ "$order" = after ] && echo '#include <linux/xtcp.h>'
		printf '#include <sys/socket.h>\n#include <netinet/in.h>\n'
		[ "$order" = before ] && echo '#include <linux/xtcp.h>'
		cat <<-'EOF'

		int main(void)
		{
			struct sockaddr_in sin = { .sin_family = AF_XTCP };

			return sin.sin_family == AF_XTCP && IPPROTO_XTCP > 0 ? 0 : 1;
		}
		EOF
	} >"$U/$order.c"
done

# Each step returns on failure by hand: set -e does not apply in a function
# whose status is tested.
uapi_check() {
	local order

	# As 'make headers_install' does: SPDX syscall note, CONFIG_ leaks,
	# __KERNEL__ sections stripped (with the unifdef in KDIR/scripts).
	(cd "$KDIR" && sh "$TREE/scripts/headers_install.sh" \
		"$XTCP_TOP/$H" "$U/usr/include/linux/xtcp.h") || return 1
	# As the kernel's header test does: only exported headers included, no
	# prototypes; c90 (no inline/asm keywords); included twice for the
	# include guard. gnu89 -Wpedantic adds what c90 misses: a // comment
	# hidden in a macro that the test never expands.
	perl "$TREE/usr/include/headers_check.pl" /usr/include x86 \
		"$U/usr/include/linux/xtcp.h" || return 1
	gcc -std=c90 -Wall -Werror -fsyntax-only -I"$U/usr/include" "$U/hdrtest.c" || return 1
	gcc -std=gnu89 -Wall -Wpedantic -Werror -fsyntax-only -I"$U/usr/include" \
		"$U/hdrtest.c" || return 1
	# The header as userspace builds against it, before and after libc's.
	for order in before after; do
		gcc -Wall -Wextra -Werror -Iinclude/uapi -c -o "$U/$order.o" \
			"$U/$order.c" || return 1
	done
}
rc=0
uapi_check >"$OUT/uapi.log" 2>&1 || rc=$?
verdict uapi "$rc" "$OUT/uapi.log"

exit "$fail"
