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
# Its output goes to its log; the terminal gets its start, its end and, when
# it failed, its FAIL lines and the log's tail (layers run side by side, so
# their streams would interleave).
run_layer() {
	local layer=$1 log=$BUILD/logs/$2.log t0=$(date +%s) rc
	shift 2
	echo "=== $layer: start: $*"
	"$@" >"$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$BUILD/results/$layer.txt" 2>/dev/null; then
		xtcp_result FAIL "$layer" harness
	fi
	if [ "$rc" -ne 0 ]; then
		grep -h '^FAIL ' "$BUILD/results/$layer.txt" 2>/dev/null | sed "s/^/[$layer] /"
		tail -n 30 "$log" | sed "s/^/[$layer] /"
	fi
	echo "=== $layer: exit $rc in $(($(date +%s) - t0)) s," \
		"$(grep -c '^PASS ' "$BUILD/results/$layer.txt" 2>/dev/null) passed," \
		"$(grep -c '^FAIL ' "$BUILD/results/$layer.txt" 2>/dev/null) failed (log: $log)"
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

run_step build module make -j"$(nproc)" --no-print-directory module
run_step build selftests make -j"$(nproc)" --no-print-directory selftests
run_step build preload make --no-print-directory preload
# The layers after the build run in three lanes at once. Most of a VM
# suite's time is spent waiting (retransmission timers, netem delays,
# TIME_WAIT), so on two cores the lanes overlap well: run one after the
# other they took 61 min, and the debug kernel's lane alone takes about
# half of that. Every layer writes its own results file, log, initramfs,
# console log and module build directory, so the lanes share nothing but
# the caches, which take their own locks. XTCP_CHECK_SERIAL=1 runs the
# lanes one after the other.
# Lane 1: the debug kernel (KASAN/lockdep/kmemleak, built from
# linux-source-6.1 by scripts/debug/, with KUnit in the module): the long
# pole, started first.
lane_debug() {
	run_layer debug debugtest scripts/debug/debugtest.sh
}
# Lane 2: the VM suite on Debian 12's two kernels.
lane_vm() {
	run_layer vm vmtest make --no-print-directory vmtest
	run_layer vm-6.12 vmtest-6.12 scripts/vm/test-kernel.sh 6.12
}
# Lane 3: the host-side layers.
lane_host() {
	run_layer style style scripts/style.sh
	run_layer kunit kunit scripts/kunit.sh
	run_layer dkms dkms scripts/dkms.sh
}
if [ "${XTCP_CHECK_SERIAL:-0}" = 1 ]; then
	lane_host
	lane_vm
	lane_debug
else
	# Background jobs ignore SIGINT: an interrupted check stops them all.
	trap 'trap - INT TERM; kill 0; exit 130' INT TERM
	lane_debug &
	lane_vm &
	lane_host &
	wait
fi

# fail_details: for each failed VM test, its failed checks (or the end of
# its output), just above the summary: the part of a CI log that is kept
# is its end.
fail_details() {
	local layer name con
	grep -h '^FAIL ' "$BUILD"/results/*.txt | head -n 10 |
		while IFS=' :' read -r _ layer name; do
			con=$BUILD/vm/console-$layer-test.log
			[ "$layer" != vm ] || con=$BUILD/vm/console-test.log
			[ -f "$con" ] || continue
			tr -d '\r' <"$con" | awk -v n="$name" -v L="$layer" '
				$0 ~ "^=== RUN " n "$" { on = 1; k = 0; next }
				on && $0 ~ "^=== (PASS|FAIL) " n " " { exit }
				on && !/^\[ *[0-9]+\.[0-9]+\]/ { l[k++] = $0 }
				END {
					f = 0
					for (i = 0; i < k; i++)
						if (l[i] ~ /FAIL|FATAL|fatal|error/) f++
					if (!k) exit
					print "--- " L ":" n
					for (i = 0; i < k; i++)
						if ((f && l[i] ~ /FAIL|FATAL|fatal|error/) || (!f && i >= k - 15))
							print "  " l[i]
				}' | head -n 25
		done
}

passed=$(cat "$BUILD"/results/*.txt | grep -c '^PASS ')
failed=$(cat "$BUILD"/results/*.txt | grep -c '^FAIL ')
if grep -qh '^FAIL ' "$BUILD"/results/*.txt; then
	echo
	echo "=== what the failed tests said"
	fail_details
fi
echo
echo "=== summary ($(($(date +%s) - start)) s)"
grep -h '^FAIL ' "$BUILD"/results/*.txt || true
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
