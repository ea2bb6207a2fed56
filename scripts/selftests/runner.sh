#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-VM test runner (busybox sh), started by the VM's init in test mode.
# Runs every test of /xtcp/tests.list (format documented there) and reports
# one line per test, "PASS name", "FAIL name" or "SKIP name", then "DONE", on
# /dev/ttyS1, the result channel only this script writes; the tests' own
# output goes to the console. Exit status 0 = PASS, 4 = SKIP (kselftest),
# anything else or running out of time = FAIL.
#
# Usage: runner.sh [tests.list]. The kernel command line's xtcptests=a,b
# (an environment variable here) restricts the run to the named tests.

export PATH=/xtcp/bin:/sbin:/bin:/usr/sbin:/usr/bin
LIST=${1:-/xtcp/tests.list}
KO=/xtcp/xtcp.ko
RES=/dev/ttyS1
DEFAULT_TIMEOUT=120
STATE=/run/xtcp
mkdir -p "$STATE"

# One open and close per line: the close waits for the port to drain.
result() {
	echo "$1 $2" >"$RES"
	echo "=== $1 $2${3:+ ($3)}"
}

uptime_now() { read -r up _ </proc/uptime; echo "$up"; }
elapsed() { awk -v a="$1" -v b="$(uptime_now)" 'BEGIN { printf "%.1fs", b - a }'; }

wanted() {
	[ -n "$xtcptests" ] || return 0
	case ",$xtcptests," in *",$1,"*) return 0 ;; esac
	return 1
}

# run_test name timeout command [args...]: the test runs in a session of its
# own, so that a timeout, and the cleanup after it, reach all its processes.
run_test() {
	name=$1 tmo=$2
	shift 2
	echo "=== RUN $name"
	t0=$(uptime_now)
	rm -f "$STATE/timeout"
	# an earlier test's logs would answer a wait for a word at once:
	# "cmd >/tmp/x.log &" truncates the file in the child, maybe after
	# the parent has read it
	rm -rf /tmp/* 2>/dev/null
	(cd /tmp && exec setsid "$@") </dev/null &
	pid=$!
	setsid sh -c "sleep $tmo; echo >$STATE/timeout; kill -TERM -$pid;
		sleep 5; kill -KILL -$pid" >/dev/null 2>&1 </dev/null &
	wd=$!
	wait "$pid"
	rc=$?
	kill -KILL -"$wd" 2>/dev/null
	# Whatever the test left running in its session goes too.
	kill -KILL -"$pid" 2>/dev/null
	t=$(elapsed "$t0")
	if [ -e "$STATE/timeout" ]; then
		result FAIL "$name" "timeout after ${tmo}s"
	elif [ "$rc" -eq 0 ]; then
		result PASS "$name" "$t"
	elif [ "$rc" -eq 4 ]; then
		result SKIP "$name" "$t"
	else
		result FAIL "$name" "exit $rc, $t"
	fi

	# Named namespaces a test forgot would leak into the next one.
	left=$(/sbin/ip netns list 2>/dev/null)
	if [ -n "$left" ]; then
		echo "runner: $name left network namespaces behind, deleting: $left"
		/sbin/ip -all netns delete
	fi
	# Tests that unload xtcp should load it again; if one did not, do it.
	if [ ! -d /sys/module/xtcp ]; then
		echo "runner: xtcp not loaded after $name, loading it again"
		insmod "$KO" || result FAIL "reload-after-$name"
	fi
}

# kmemleak (debug kernels): forget what boot leaked; checked at the end.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ ! -w "$KMEMLEAK" ] || echo clear >"$KMEMLEAK"

if [ -s "$STATE/modules-failed" ]; then
	result FAIL modules "$(tr '\n' ' ' <"$STATE/modules-failed")"
fi

echo "=== RUN load"
# Started by hand in a shell VM, xtcp is already loaded: start afresh.
[ ! -d /sys/module/xtcp ] || rmmod xtcp
if ! insmod "$KO"; then
	result FAIL load
	echo DONE >"$RES"
	exit 1
fi
result PASS load

lineno=0
while IFS= read -r line || [ -n "$line" ]; do
	lineno=$((lineno + 1))
	case "$line" in
	*[![:space:]]*) ;;
	*) continue ;;
	esac
	case "${line#"${line%%[![:space:]]*}"}" in '#'*) continue ;; esac
	# Words are split and unquoted like a shell would; reject bad quoting
	# here rather than have eval end the runner.
	if ! (eval "set -- $line") 2>/dev/null; then
		result FAIL "tests.list:$lineno" "cannot parse: $line"
		continue
	fi
	eval "set -- $line"
	name=$1
	shift
	tmo=$DEFAULT_TIMEOUT
	case "$1" in timeout=*) tmo=${1#timeout=}; shift ;; esac
	case "$tmo" in '' | *[!0-9]*) tmo=bad ;; esac
	if [ $# -eq 0 ] || [ "$tmo" = bad ]; then
		result FAIL "$name" "tests.list:$lineno: want '<name> [timeout=N] <command> [args...]'"
		continue
	fi
	wanted "$name" || continue
	run_test "$name" "$tmo" "$@"
done <"$LIST"

# kmemleak_check NAME: two scans, since an object is reported only once it
# stayed unreferenced and is old enough (5 s); then any report fails NAME.
kmemleak_check() {
	[ -w "$KMEMLEAK" ] || return 0
	echo "=== RUN $1"
	t0=$(uptime_now)
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	leaks=$(cat "$KMEMLEAK")
	if [ -n "$leaks" ]; then
		echo "$leaks"
		result FAIL "$1" "$(elapsed "$t0")"
	else
		result PASS "$1" "$(elapsed "$t0")"
	fi
}

# Once with xtcp loaded, so that a leak's backtrace names xtcp's functions,
# and once more after the unload, for what the unload itself leaked.
kmemleak_check kmemleak

# Every socket, timer and request sock must be gone by now: unloading proves
# it. Namespaces die asynchronously, so give references a moment to drop.
echo "=== RUN final-rmmod"
t0=$(uptime_now)
i=0
until [ ! -d /sys/module/xtcp ] || rmmod xtcp 2>/dev/null || [ $i -ge 20 ]; do
	[ $i -ne 0 ] || echo "runner: xtcp busy (refcnt $(cat /sys/module/xtcp/refcnt 2>/dev/null)), retrying for 10s"
	sleep 0.5
	i=$((i + 1))
done
if [ -d /sys/module/xtcp ]; then
	echo "runner: rmmod xtcp failed, refcnt $(cat /sys/module/xtcp/refcnt 2>/dev/null)"
	rmmod xtcp
	result FAIL final-rmmod "$(elapsed "$t0")"
else
	result PASS final-rmmod "$(elapsed "$t0")"
fi

kmemleak_check kmemleak-unload

echo DONE >"$RES"
