#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part lookup): does a connection still find its
# socket as fast when the tables are full? Short connections (bench rate,
# loopback, 1 client thread) with the ehash empty, then holding 100,000
# established entries (50,000 connections, both ends open: unlike
# TIME_WAIT entries, which live 60 s, they stay however long the fill
# takes), and with 10,000 more listeners on the same port at other
# addresses; each stack's rate against its own empty-table rate. Issue 14
# asks at least 0.95: lookups that stay O(1). The empty table is measured
# before and after, and each ratio is against the mean of the two. Numbers
# to read, not a test.
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
IP=/sbin/ip
# 100,000 sockets held, and the rate run's beside them
echo 400000 > /proc/sys/fs/file-max
ulimit -n 250000 2>/dev/null || ulimit -n 65536

# the servers' ports (61000 and up) outside the clients' range: a
# TIME_WAIT entry on a client port would block a listener there
echo 1024 60999 > /proc/sys/net/ipv4/ip_local_port_range
# the rate runs' TIME_WAIT entries outlive a run (60 s): both stacks cap
# them at half their ehash by default (8192 here), and an entry not made
# is a cheaper close
echo 200000 > /proc/sys/net/ipv4/tcp_max_tw_buckets
echo 200000 > /proc/sys/net/xtcp/max_tw_buckets
# the rate runs reuse their own TIME_WAIT (a second old), as bench.sh's
echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
echo 1 > /proc/sys/net/xtcp/tw_reuse

rate() { # rate PROTO [SECS]: conn/s of short connections to 127.0.0.1:61000
	XT_PORT=61000 XT_BIND=127.0.0.1 /xtcp/bin/bench rate "$1" 127.0.0.1 1 \
		"${2:-$SECS}" 2>&1 | awk '/^rate/ { print $2 } !/^rate/ { print > "/dev/stderr" }'
}

est_count() { # established sockets of PROTO in this namespace
	if [ "$1" = tcp ]; then
		awk '$1 == "TCP:" { print $3 }' /proc/net/sockstat
	else
		stat_of CurrEstab
	fi
}


echo
echo "Lookups with full tables: short connections over loopback, 1 thread, $SECS s each"
dmesg | grep -E 'TCP established hash table entries|xtcp: loaded' | sed 's/^\[[^]]*\] /  /'

printf '%-6s %12s %26s %10s %26s %10s\n' stack "empty conn/s" \
	"100k established conn/s" ratio "10k listeners conn/s" ratio
for p in tcp xtcp; do
	# a first run warms up (page faults, caches): the empty-table rate
	# came out below the full one without it
	rate $p 2 >/dev/null
	e1=$(rate $p)
	t0=$(date +%s)
	# the last stack's log says "holding" too: a fresh one
	rm -f /tmp/est.log /tmp/hold.log
	XT_PORT=61100 /xtcp/bin/bench est $p 127.0.0.1 50000 >/tmp/est.log 2>&1 &
	est=$!
	wait_for holding /tmp/est.log 300
	took=$(($(date +%s) - t0))
	held="$(est_count $p) est, filled in ${took}s"
	full=$(rate $p)
	kill $est
	wait $est 2>/dev/null
	# 10,000 listeners on 10.77.0.0/18, port 61000: a prefix on lo
	# makes every address in it local, so each binds
	$IP addr add 10.77.0.0/18 dev lo 2>/dev/null
	XT_PORT=61000 /xtcp/bin/bench hold $p 10.77.0.1 10000 >/tmp/hold.log 2>&1 &
	hold=$!
	wait_for holding /tmp/hold.log 300
	many=$(rate $p)
	kill $hold
	wait $hold 2>/dev/null
	# the empty table again: each ratio is against the mean of the two
	e2=$(rate $p)
	awk -v p=$p -v e1="${e1:-0}" -v e2="${e2:-0}" -v f="${full:-0}" -v m="${many:-0}" -v t="$held" 'BEGIN {
		e = (e1 + e2) / 2
		printf "%-6s %12s %26s %10.2f %26d %10.2f\n", p, e1 "/" e2,
			f " (" t ")", e ? f / e : 0, m, e ? m / e : 0 }'
	grep -v holding /tmp/est.log /tmp/hold.log || true
done
