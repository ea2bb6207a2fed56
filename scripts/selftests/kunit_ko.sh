#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run xtcp's KUnit suites inside the VM kernel: load /xtcp/xtcp-kunit.ko
# (xtcp built with XTCP_KUNIT=1; the suites run while it loads), read each
# suite's KTAP from /sys/kernel/debug/kunit/<suite>/results, then put the
# normal xtcp.ko back. Prints one line per case for the host,
#   kunit-case: PASS|FAIL|SKIP <suite>.<case>
# (scripts/debug/debugtest.sh records them). Fails if a case failed, if a
# suite has no case, or if no suite ran. Skips where there is no KUnit
# module (the normal VM) or no KUnit in the kernel.
. /xtcp/bin/lib.sh

KKO=/xtcp/xtcp-kunit.ko
DIR=/sys/kernel/debug/kunit

if [ ! -f "$KKO" ]; then
	log "no $KKO in this initramfs (only the debug kernel's has one)"
	exit 4
fi
if [ ! -d "$DIR" ]; then
	log "no $DIR: the kernel has no KUNIT_DEBUGFS"
	exit 4
fi

check "rmmod xtcp" unload_wait
check "insmod $KKO" insmod "$KKO"

nsuite=0
for res in "$DIR"/*/results; do
	[ -f "$res" ] || continue
	suite=${res%/results}
	suite=${suite##*/}
	nsuite=$((nsuite + 1))
	log "--- $suite"
	cat "$res"
	# Cases are the KTAP lines indented by exactly four spaces; a
	# parameterised case's params are indented deeper.
	awk -v s="$suite" '
		/^    (not )?ok [0-9]+ / {
			st = ($1 == "not") ? "FAIL" : "PASS"
			name = ($1 == "not") ? $4 : $3
			if (st == "PASS" && $0 ~ / # SKIP/)
				st = "SKIP"
			print "kunit-case: " st " " s "." name
			n++
		}
		END { if (!n) print "kunit-case: FAIL " s ".no-cases" }
	' "$res" >/tmp/kunit-cases
	cat /tmp/kunit-cases
	! grep -q '^kunit-case: FAIL ' /tmp/kunit-cases || failures=$((failures + 1))
done
check "at least one KUnit suite ran" [ "$nsuite" -gt 0 ]

check "rmmod the KUnit module" unload_wait
check "insmod $KO" load
done_test
