#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part connprof): where each stack's cycles go in
# the short-connection benchmark of bench.sh (connect, 100-byte request,
# 1000-byte answer, the client's FIN, TIME_WAIT reused), over loopback,
# one client thread, perf cpu-clock on all CPUs. Numbers to read.
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
PERF=/usr/bin/perf

if ! [ -x $PERF ] || ! $PERF record -e cpu-clock -a -o /tmp/perf.test -- true >/dev/null 2>&1; then
	echo "Connection profile: no perf in this initramfs, or it cannot sample here: skipped"
	exit 0
fi
echo 1024 65535 > /proc/sys/net/ipv4/ip_local_port_range
echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
echo 1 > /proc/sys/net/xtcp/tw_reuse

echo
echo "Connection profile: short connections over loopback, 1 thread, $SECS s," \
	"perf cpu-clock on all CPUs (self time)"
for p in tcp xtcp; do
	$PERF record -q -g -e cpu-clock -F 997 -a -o /tmp/perf-$p.data -- \
		/xtcp/bin/bench rate $p 127.0.0.1 1 "$SECS" >/tmp/rate.out 2>/dev/null
	echo "--- $p: $(grep '^rate' /tmp/rate.out)"
	report() {
		$PERF report -i /tmp/perf-$p.data --stdio --no-children "$@" \
			2>/dev/null | grep '%' | sed 's/^/  /'
	}
	echo "  by object:"
	report --sort dso --percent-limit 0.5 -g none
	echo "  by symbol (over 0.7%):"
	report --sort sym --percent-limit 0.7 -g none | head -n 40
	echo "  $p's own functions (tcp_*, inet_*, xtcp_*):"
	report --sort sym --percent-limit 0.05 -g none |
		grep -E "\] _*($p|inet)" | head -n 30
done
