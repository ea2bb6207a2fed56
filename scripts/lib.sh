# SPDX-License-Identifier: GPL-2.0
# Shared shell helpers for the host-side scripts. Source it, don't run it.
#
# Result protocol: every test layer records one line per test in
# $BUILD/results/<layer>.txt, "PASS <layer>:<name>" or "FAIL <layer>:<name>",
# and echoes the same line to stdout. scripts/check.sh sums these files.

XTCP_TOP=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)
: "${KVER:=$("$XTCP_TOP/scripts/kver.sh")}"
: "${KDIR:=/lib/modules/$KVER/build}"
: "${BUILD:=$XTCP_TOP/build}"
# What `make module` builds (in a copy of the sources: scripts/modtree.sh).
: "${XTCP_KO:=$BUILD/module/xtcp.ko}"
# Downloads and big trees live outside the repo so that fresh clones reuse them.
: "${XTCP_CACHE:=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/xtcp}"
export KVER KDIR BUILD XTCP_CACHE XTCP_TOP XTCP_KO

xtcp_die() {
	echo "xtcp: error: $*" >&2
	exit 1
}

xtcp_need_kver() {
	[ -n "$KVER" ] || xtcp_die "no Debian linux-headers installed; run 'make deps' first"
}

# xtcp_result PASS|FAIL layer name
xtcp_result() {
	mkdir -p "$BUILD/results"
	echo "$1 $2:$3" | tee -a "$BUILD/results/$2.txt"
}

# Start a layer's result file afresh.
xtcp_results_reset() {
	mkdir -p "$BUILD/results"
	: >"$BUILD/results/$1.txt"
}
