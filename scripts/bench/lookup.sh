#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part lookup): does a connection still find its
# socket as fast when the tables are full? Short connections (bench rate,
# loopback, 1 client thread) with the ehash empty and then holding about
# 100,000 TIME_WAIT entries, and with 10,000 more listeners on the same
# port at other addresses; each stack's rate against its own empty-table
# rate. Issue 14 asks at least 0.95: lookups that stay O(1). Numbers to
# read, not a test.
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
IP=/sbin/ip
ulimit -n 65536 2>/dev/null

# the servers' ports (61000 and up) outside the clients' range: a
# TIME_WAIT entry on a client port would block a listener there
echo 1024 60999 > /proc/sys/net/ipv4/ip_local_port_range
# both stacks cap TIME_WAIT at half their ehash by default (8192 here)
echo 200000 > /proc/sys/net/ipv4/tcp_max_tw_buckets
echo 200000 > /proc/sys/net/xtcp/max_tw_buckets
# the rate runs reuse their own TIME_WAIT (a second old); the fill below
# turns reuse off so every connection leaves its entry
tw_reuse() {
	echo "$1" > /proc/sys/net/ipv4/tcp_tw_reuse
	echo "$1" > /proc/sys/net/xtcp/tw_reuse
}

rate() { # rate PROTO: conn/s of short connections to 127.0.0.1:61000
	XT_PORT=61000 XT_BIND=127.0.0.1 /xtcp/bin/bench rate "$1" 127.0.0.1 1 \
		"$SECS" 2>&1 | awk '/^rate/ { print $2 } !/^rate/ { print > "/dev/stderr" }'
}

tw_count() { # TIME_WAIT entries of PROTO in this namespace
	if [ "$1" = tcp ]; then
		awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' \
			/proc/net/sockstat
	else
		stat_of CurrTimeWait
	fi
}

echo
echo "Lookups with full tables: short connections over loopback, 1 thread, $SECS s each"
dmesg | grep -E 'TCP established hash table entries|xtcp: loaded' | sed 's/^\[[^]]*\] /  /'

printf '%-6s %12s %24s %10s %26s %10s\n' stack "empty conn/s" \
	"~100k TIME_WAIT conn/s" ratio "10k listeners conn/s" ratio
for p in tcp xtcp; do
	tw_reuse 1
	empty=$(rate $p)
	# 100,000 TIME_WAIT entries: four clients at once, each to its own
	# port (one port's 4-tuples run out at 64,512), made within the 60 s
	# an entry lives
	tw_reuse 0
	t0=$(date +%s)
	for port in 61101 61102 61103 61104; do
		XT_PORT=$port /xtcp/bin/bench tw $p 127.0.0.1 25000 >/tmp/fill-$port.log 2>&1 &
	done
	wait
	took=$(($(date +%s) - t0))
	tw_reuse 1
	before=$(tw_count $p)
	full=$(rate $p)
	after=$(tw_count $p)
	# entries made in the first seconds may have expired by now: say so
	tws="$before..$after TW, filled in ${took}s"
	# let them go, then 10,000 listeners on 10.77.0.0/18, port 61000
	while [ "$(tw_count $p)" -gt 100 ] 2>/dev/null; do sleep 2; done
	# a prefix on lo makes every address in it local, so each binds
	$IP addr add 10.77.0.0/18 dev lo 2>/dev/null
	XT_PORT=61000 /xtcp/bin/bench hold $p 10.77.0.1 10000 >/tmp/hold.log 2>&1 &
	hold=$!
	i=0
	while ! grep -q holding /tmp/hold.log && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	many=$(rate $p)
	kill $hold
	wait $hold 2>/dev/null
	awk -v p=$p -v e="${empty:-0}" -v f="${full:-0}" -v m="${many:-0}" -v t="$tws" 'BEGIN {
		printf "%-6s %12d %24s %10.2f %26d %10.2f\n", p, e, f " (" t ")",
			e ? f / e : 0, m, e ? m / e : 0 }'
done
