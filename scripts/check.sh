#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test layer, from a fresh machine. Installs what it
# needs, builds, runs style, KUnit and the VM selftests, and ends with the
# line "N passed, N failed" summed over all of them. Exits non-zero if
# anything failed. A layer that breaks before recording any result still
# counts as a failure ("<layer>:harness").
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$XTCP_TOP"

start=$(date +%s)
rm -rf "$BUILD/results"
mkdir -p "$BUILD/results" "$BUILD/logs"

# run_layer LAYER LOG COMMAND...: run a layer that records its own results.
run_layer() {
	local layer=$1 log=$2 t0=$(date +%s) rc
	shift 2
	echo "=== $layer: $*"
	"$@" 2>&1 | tee "$BUILD/logs/$log.log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$BUILD/results/$layer.txt" 2>/dev/null; then
		xtcp_result FAIL "$layer" harness
	fi
	echo "=== $layer: exit $rc in $(($(date +%s) - t0)) s (log: $BUILD/logs/$log.log)"
}

# run_step LAYER NAME COMMAND...: a single pass/fail step.
run_step() {
	local layer=$1 name=$2 t0=$(date +%s)
	shift 2
	echo "=== $layer:$name: $*"
	if "$@" >"$BUILD/logs/$layer-$name.log" 2>&1; then
		xtcp_result PASS "$layer" "$name"
	else
		tail -n 40 "$BUILD/logs/$layer-$name.log"
		xtcp_result FAIL "$layer" "$name"
	fi
	echo "=== $layer:$name: $(($(date +%s) - t0)) s"
}

run_step setup deps scripts/deps.sh
# KVER comes from the headers deps.sh may just have installed.
KVER=$(scripts/kver.sh)
KDIR=/lib/modules/$KVER/build
export KVER KDIR

run_step build module make --no-print-directory module
run_step build selftests make --no-print-directory selftests
run_step build preload make --no-print-directory preload
run_layer style style scripts/style.sh
run_layer kunit kunit scripts/kunit.sh
run_layer dkms dkms scripts/dkms.sh
run_layer vm vmtest make --no-print-directory vmtest
# Debian 12's other kernel: build (build:module-6.12) and the same suite.
run_layer vm-6.12 vmtest-6.12 scripts/vm/test-kernel.sh 6.12
# The same suite, plus KUnit in the module, in our KASAN/lockdep/kmemleak
# kernel built from linux-source-6.1 (scripts/debug/).
run_layer debug debugtest scripts/debug/debugtest.sh

passed=$(cat "$BUILD"/results/*.txt | grep -c '^PASS ')
failed=$(cat "$BUILD"/results/*.txt | grep -c '^FAIL ')
echo
echo "=== summary ($(($(date +%s) - start)) s)"
grep -h '^FAIL ' "$BUILD"/results/*.txt || true
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
