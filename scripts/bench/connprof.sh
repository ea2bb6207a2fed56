#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part connprof): where each stack's cycles go in
# the short-connection benchmark of bench.sh (connect, 100-byte request,
# 1000-byte answer, the client's FIN, TIME_WAIT reused), over loopback,
# one client thread (XTCP_BENCH_THREADS=2: two, as many acceptors), perf
# cpu-clock on all CPUs. Numbers to read.
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
THREADS=${XTCP_BENCH_THREADS:-1}
PERF=/usr/bin/perf

if ! [ -x $PERF ] || ! $PERF record -e cpu-clock -a -o /tmp/perf.test -- true >/dev/null 2>&1; then
	echo "Connection profile: no perf in this initramfs, or it cannot sample here: skipped"
	exit 0
fi
# not 61000 and up: lookup.sh, next, binds its listeners there, and this
# run's TIME_WAIT entries (60 s) on those ports would refuse them
echo 1024 60999 > /proc/sys/net/ipv4/ip_local_port_range
echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
echo 1 > /proc/sys/net/xtcp/tw_reuse

# opens_segs PROTO: "ActiveOpens OutSegs" of this namespace's stack PROTO
opens_segs() {
	if [ "$1" = tcp ]; then
		awk '$1 == "Tcp:" { if (!h) { for (i = 2; i <= NF; i++) f[$i] = i; h = 1 }
			else print $f["ActiveOpens"], $f["OutSegs"] }' /proc/net/snmp
	else
		awk '$1 == "ActiveOpens" { a = $2 } $1 == "OutSegs" { o = $2 }
			END { print a, o }' /proc/net/xtcp_stat
	fi
}

# Segments per connection, both ends together (client and server share
# the namespace): a fact of each stack's protocol, not of the machine's
# load, unlike the profile below.
echo
echo "Segments per short connection over loopback (both ends, $SECS s, $THREADS thread(s))"
for p in tcp xtcp; do
	set -- $(opens_segs $p)
	/xtcp/bin/bench rate $p 127.0.0.1 "$THREADS" "$SECS" >/tmp/rate.out 2>/dev/null
	set -- "$@" $(opens_segs $p)
	awk -v p=$p -v c=$(($3 - $1)) -v s=$(($4 - $2)) 'BEGIN {
		printf "  %-5s %7d connections, %8d segments, %.2f per connection\n",
			p, c, s, c ? s / c : 0 }'
done

echo
echo "Connection profile: short connections over loopback, $THREADS thread(s), $SECS s," \
	"perf cpu-clock on all CPUs (self time)"
for p in tcp xtcp; do
	$PERF record -q -g -e cpu-clock -F 997 -a -o /tmp/perf-$p.data -- \
		/xtcp/bin/bench rate $p 127.0.0.1 "$THREADS" "$SECS" >/tmp/rate.out 2>/dev/null
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
