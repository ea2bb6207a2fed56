#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs xtcp's KUnit suites with the kernel's own tools/testing/kunit/kunit.py
# on UML, in Debian's linux-source-6.1 with this tree linked in as net/xtcp
# (the way WireGuard's compat tree is jury-rigged into a kernel). Records one
# result per test case, "kunit:<suite>.<case>", and "kunit:build" for
# configuring, building and booting the UML kernel.
#
# Usage: scripts/kunit.sh [filter_glob, e.g. 'xtcp_seq*']
#        scripts/kunit.sh --source-only   (extract the tree, print its path)
#
# XTCP_KUNIT_SRC points the harness at another xtcp-shaped tree (Kbuild,
# module/, include/, kunit/ with Kconfig and .kunitconfig): a way to test
# the harness itself.

set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARBALL=${XTCP_LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
TREE=$XTCP_CACHE/linux-source-6.1
STAMP=$TREE/.xtcp-extracted
# Outside the repo so that a fresh clone rebuilds only net/xtcp, in seconds.
KBUILD_DIR=$XTCP_CACHE/kunit-build
SRC=$(cd "${XTCP_KUNIT_SRC:-$XTCP_TOP}" && pwd)
OUT=$BUILD/kunit

tarball_id() {
	echo "$(stat -Lc '%s %Y' "$TARBALL") $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)"
}

# Extract the tarball once; another linux-source package (size, mtime or
# version) replaces the tree and the build dir made from it, whose objects
# would otherwise look newer than the new tree's sources. Extraction holds
# the tree lock exclusively, kunit runs hold it shared.
extract_source() {
	local want tmp

	[ -r "$TARBALL" ] || xtcp_die "$TARBALL missing; run 'make deps'"
	want=$(tarball_id)
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		return 0
	fi
	flock 9
	if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		return 0
	fi
	echo "kunit: extracting $TARBALL into $XTCP_CACHE" >&2
	# A run killed while extracting leaves its 1.5 GB behind.
	rm -rf "$XTCP_CACHE"/.linux-source.*
	tmp=$(mktemp -d "$XTCP_CACHE/.linux-source.XXXXXX")
	tar -C "$tmp" -xJf "$TARBALL"
	[ -f "$tmp/linux-source-6.1/Makefile" ] || xtcp_die "$TARBALL has no linux-source-6.1/"
	rm -rf "$TREE" "$KBUILD_DIR"
	mv "$tmp/linux-source-6.1" "$TREE"
	rmdir "$tmp"
	echo "$want" >"$STAMP"
}

# Link our sources in as net/xtcp, re-pointed every run because CI clones to
# a new path each time. Kconfig is copied, not linked: net/Kconfig sources
# it unconditionally (6.1 has no optional source), so a link into a deleted
# clone would break every other kernel configured from this tree.
jury_rig() {
	local d=$TREE/net/xtcp f

	mkdir -p "$d"
	ln -sfn "$SRC/Kbuild" "$d/Kbuild"
	for f in module include kunit; do
		ln -sfn "$SRC/$f" "$d/$f"
	done
	cmp -s "$SRC/kunit/Kconfig" "$d/Kconfig" || cp "$SRC/kunit/Kconfig" "$d/Kconfig"
	grep -qxF 'source "net/xtcp/Kconfig"' "$TREE/net/Kconfig" ||
		echo 'source "net/xtcp/Kconfig"' >>"$TREE/net/Kconfig"
	grep -qxF 'obj-$(CONFIG_XTCP) += xtcp/' "$TREE/net/Makefile" ||
		echo 'obj-$(CONFIG_XTCP) += xtcp/' >>"$TREE/net/Makefile"

	# make compares mtimes only: another clone's sources may be older than
	# the objects built from the last one, so rebuild ours on a switch.
	if [ "$(cat "$KBUILD_DIR/.xtcp-src" 2>/dev/null)" != "$SRC" ]; then
		rm -rf "$KBUILD_DIR/net/xtcp"
		mkdir -p "$KBUILD_DIR"
		echo "$SRC" >"$KBUILD_DIR/.xtcp-src"
	fi
}

# kunit.py's JSON (KernelCI layout) and the kernel's own list of cases ->
# "STATUS suite.case" lines in code order. A parameterised case is a group
# of its params and passes if they all do. A case the kernel lists but that
# has no named result crashed the kernel or never ran: it fails.
results() {
	python3 - "$@" <<'PY'
import json, sys

def status(group):
	st = [c["status"] for c in group["test_cases"]]
	st += [status(g) for g in group["sub_groups"]]
	if any(s not in ("PASS", "SKIP") for s in st):
		return "FAIL"
	return "SKIP" if st and all(s == "SKIP" for s in st) else "PASS"

with open(sys.argv[1]) as f:
	top = json.load(f)
with open(sys.argv[2]) as f:
	listed = [l.strip() for l in f if l.strip()]
got, unnamed = {}, []
for suite in top["sub_groups"]:
	for case in suite["test_cases"] + suite["sub_groups"]:
		st = case["status"] if "status" in case else status(case)
		if case["name"]:
			got[suite["name"] + "." + case["name"]] = st
		else:
			unnamed.append(suite["name"])
for name in listed:
	print(got.pop(name, "FAIL"), name)
for name, st in got.items():
	print(st, name)
if not listed:
	for suite in dict.fromkeys(unnamed):
		print("FAIL", suite + ".unnamed")
PY
}

mkdir -p "$XTCP_CACHE"
exec 9>"$XTCP_CACHE/linux-source-6.1.lock"
extract_source
if [ "${1:-}" = --source-only ]; then
	echo "$TREE"
	exit 0
fi
flock -s 9
# One kunit run at a time: the jury-rig and the build dir are shared.
exec 8>"$XTCP_CACHE/kunit-build.lock"
flock 8

for f in Kbuild kunit/Kconfig kunit/.kunitconfig; do
	[ -f "$SRC/$f" ] || xtcp_die "$SRC/$f missing"
done
jury_rig

xtcp_results_reset kunit
rm -rf "$OUT"
mkdir -p "$OUT"
rm -f "$KBUILD_DIR/test.log"
log=$OUT/kunit.log
start=$SECONDS
rc=0
# stdin from /dev/null: kunit.py ends with 'stty sane', meant for its own
# interactive use, not for the terminal of whoever runs us.
(cd "$TREE" && python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$SRC/kunit/.kunitconfig" \
	--build_dir="$KBUILD_DIR" \
	--jobs="$(nproc)" \
	--json="$OUT/results.json" \
	"$@") </dev/null >"$log" 2>&1 || rc=$?
echo "kunit: kunit.py took $((SECONDS - start))s (exit $rc); log: $log"

# The JSON exists only if the kernel booted. The kernel's list of cases (one
# more boot, a fraction of a second) names the cases a crash kept silent.
: >"$OUT/cases.txt"
if [ -s "$OUT/results.json" ]; then
	cp "$KBUILD_DIR/test.log" "$OUT/uml-console.log"
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py exec --list_tests \
		--build_dir="$KBUILD_DIR" "$@") </dev/null 2>/dev/null |
		grep -E '^[^[:space:].]+\.[^[:space:].]+$' >"$OUT/cases.txt" || true
fi

fail=0
ncase=0
if [ -s "$OUT/results.json" ]; then
	while read -r st name; do
		ncase=$((ncase + 1))
		case $st in
		PASS) xtcp_result PASS kunit "$name" ;;
		# A skip is neither a pass nor a failure: shown, not recorded.
		SKIP) echo "SKIP kunit:$name" ;;
		*) xtcp_result FAIL kunit "$name"; fail=1 ;;
		esac
	done < <(results "$OUT/results.json" "$OUT/cases.txt")
fi

# No cases: config, build or boot failed. A failing exit with no failed
# case: the kernel died or lost results in a way the parser still missed.
if [ "$ncase" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; }; then
	xtcp_result FAIL kunit build
	fail=1
else
	xtcp_result PASS kunit build
fi

if [ "$fail" -ne 0 ]; then
	if [ "$ncase" -gt 0 ]; then
		# kunit.py's report without the passes: each failure's message.
		echo "kunit: FAILED; kunit.py's report, passes left out:" >&2
		sed -n '/Starting KUnit Kernel/,$p' "$log" | grep -v '\[PASSED\]' >&2
		echo "kunit: UML console: $OUT/uml-console.log" >&2
	else
		echo "kunit: FAILED; tail of the log:" >&2
		tail -n 60 "$log" >&2
	fi
	echo "kunit: full log: $log" >&2
	exit 1
fi
