#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`): xtcp against Linux TCP in the same boot, same
# topology, printed side by side with the ratio xtcp/TCP. Not a test:
# numbers to read, never pass/fail on speed.
#
#   loopback: one namespace
#   veth:     ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
#
# Then stream.sh: the byte stream (bulk, loss, latency, memory, profile),
# tfo_bench.sh: the time to the first answer byte with and without Fast
# Open, and apps.sh: iperf3, nginx and wrk over each stack.
# XTCP_BENCH_PARTS on the kernel command line (XTCP_VM_APPEND) picks the
# parts to run, comma separated: handshake (this file's), bulk, loss, rr,
# mem, perf, apps, tfo, connprof (connprof.sh: a profile of the short
# connections), lookup (lookup.sh: the short connections beside 100,000
# established entries or 10,000 more listeners); default all.
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
IP=/sbin/ip

case ,${XTCP_BENCH_PARTS:-all}, in
*,all,* | *,handshake,*) ;;
*,connprof,*) exec /xtcp/bin/connprof.sh ;;
*,lookup,*) exec /xtcp/bin/lookup.sh ;;
*) /xtcp/bin/stream.sh || exit 1; /xtcp/bin/tfo_bench.sh || exit 1
   exec /xtcp/bin/apps.sh ;;
esac

veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1
# Short connections leave TIME_WAIT on the client: both stacks may reuse
# it (tw_reuse 1, a second old), over the whole port range.
for ns in "" ns_c; do
	run=""
	[ -n "$ns" ] && run="$IP netns exec $ns"
	$run sh -c 'echo 1024 65535 > /proc/sys/net/ipv4/ip_local_port_range
		    echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse
		    echo 1 > /proc/sys/net/xtcp/tw_reuse'
done

# rate PROTO TOPOLOGY THREADS: prints "conn/s failed-connects"
rate() {
	if [ "$2" = veth ]; then
		XT_SERVER_NS=ns_s $IP netns exec ns_c /xtcp/bin/bench rate "$1" 192.0.2.1 "$3" "$SECS"
	else
		/xtcp/bin/bench rate "$1" 127.0.0.1 "$3" "$SECS"
	fi | awk '/^rate/ { print $2, $4 "," $6 }'
}

# Handshake trouble shows in the retransmit counters of both stacks.
retrans() {
	echo "$(nstat -az 2>/dev/null | awk '$1 == "TcpRetransSegs" { print $2 }')" \
	     "$(($(stat_of SynRetrans) + $(stat_of SynRetrans ns_c) + $(stat_of SynRetrans ns_s)))"
}

echo
echo "Short connections: connect, 100-byte request, 1000-byte answer, FIN from the client (TIME_WAIT there), $SECS s each, $(nproc) vCPUs (TCG)"
printf '%-10s %-8s %12s %12s %8s   %s\n' topology threads "TCP conn/s" "xtcp conn/s" ratio \
	"(failed connects,errno TCP / xtcp; xtcp SYN+SYN-ACK retransmits)"
for topo in loopback veth; do
	for t in 1 2; do
		set -- $(rate tcp $topo $t)
		tcp=$1 tcpfail=$2
		before=$(retrans | cut -d' ' -f2)
		set -- $(rate xtcp $topo $t)
		xtcp=$1 xtcpfail=$2
		after=$(retrans | cut -d' ' -f2)
		ratio=$(awk -v a="$xtcp" -v b="$tcp" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		printf '%-10s %-8s %12s %12s %8s   (%s / %s; %s)\n' $topo $t "$tcp" "$xtcp" \
			"$ratio" "$tcpfail" "$xtcpfail" $((after - before))
	done
done

# --- SO_REUSEPORT: one listener against two ------------------------------
# The same short connections over veth, 2 client threads, the port served
# by one listener (2 acceptor threads) or by two SO_REUSEPORT listeners
# (one acceptor each, the kernel's group spreading the SYNs).
echo
echo "Accept rate, one listener vs two SO_REUSEPORT listeners (veth, 2 client threads, $SECS s each)"
printf '%-10s %12s %12s %8s   %s\n' listeners "TCP conn/s" "xtcp conn/s" ratio \
	"(failed connects,errno TCP / xtcp)"
for n in 1 2; do
	export XT_LISTENERS=$n
	set -- $(rate tcp veth 2)
	tcp=$1 tcpfail=$2
	set -- $(rate xtcp veth 2)
	xtcp=$1 xtcpfail=$2
	ratio=$(awk -v a="$xtcp" -v b="$tcp" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	printf '%-10s %12s %12s %8s   (%s / %s)\n' $n "$tcp" "$xtcp" "$ratio" \
		"$tcpfail" "$xtcpfail"
done
unset XT_LISTENERS

# --- under a SYN flood ----------------------------------------------------
#   ns_f (192.0.2.2) veth_f ---- veth_s (192.0.2.1) ns_s
#   spoofed SYNs from 198.18.0.0/15 at the listener (backlog 128,
#   syncookies 1 for both stacks) while a real client in ns_s connects
#   over loopback every 10 ms.
TC=/sbin/tc
veth_pair ns_f veth_f 192.0.2.2 ns_v veth_v 192.0.2.1
$IP -n ns_v route add 198.18.0.0/15 via 192.0.2.2
$TC -n ns_f qdisc add dev veth_f clsact
$TC -n ns_f filter add dev veth_f ingress protocol ip u32 match u32 0 0 action drop
$IP netns exec ns_v sh -c 'echo 1 > /proc/sys/net/ipv4/tcp_syncookies'

outsegs() { # outsegs tcp|xtcp: segments the server namespace sent so far
	if [ "$1" = tcp ]; then
		$IP netns exec ns_v awk '/^Tcp:/ { if (h) print $12; h = 1 }' /proc/net/snmp
	else
		stat_of OutSegs ns_v
	fi
}

flood_run() { # flood_run tcp|xtcp PORT: "success% p50 p99 synack/s"
	$IP netns exec ns_v /xtcp/bin/floodtest serve "$1" "$2" 6 >/tmp/serve.log 2>&1 &
	srv=$!
	wait_listening /tmp/serve.log
	sleep 0.5
	o0=$(outsegs "$1")
	$IP netns exec ns_f /xtcp/bin/floodtest syn 192.0.2.1 "$2" "$1" 4 400000 >/tmp/flood.log
	o1=$(outsegs "$1")
	wait $srv
	awk -v o=$((o1 - o0)) '/^connects/ {
		n = $2; f = $4
		printf "%.1f%% %s %s %.0f\n", n + f ? 100 * n / (n + f) : 0, $6, $8, o / 4
	}' /tmp/serve.log
}

echo
echo "Under a SYN flood (spoofed SYNs from one thread, 4 s), a real client connecting every 10 ms:"
set -- $(flood_run tcp 8081)
tcp_ok=$1 tcp_p50=$2 tcp_p99=$3 tcp_rate=$4
tcp_flood=$(awk '{ print $3 "/" $7 }' /tmp/flood.log)
set -- $(flood_run xtcp 8082)
x_ok=$1 x_p50=$2 x_p99=$3 x_rate=$4
x_flood=$(awk '{ print $3 "/" $7 }' /tmp/flood.log)
printf '%-28s %12s %12s %8s\n' "" TCP xtcp "xtcp/TCP"
printf '%-28s %12s %12s\n' "flood SYNs sent (count/rate)" "$tcp_flood" "$x_flood"
printf '%-28s %12s %12s\n' "real connects succeeded" "$tcp_ok" "$x_ok"
printf '%-28s %12s %12s %8s\n' "connect p50 (ms)" "$tcp_p50" "$x_p50" \
	"$(awk -v a="$x_p50" -v b="$tcp_p50" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
printf '%-28s %12s %12s %8s\n' "connect p99 (ms)" "$tcp_p99" "$x_p99" \
	"$(awk -v a="$x_p99" -v b="$tcp_p99" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"
printf '%-28s %12s %12s %8s\n' "server segments/s (SYN-ACKs)" "$tcp_rate" "$x_rate" \
	"$(awk -v a="$x_rate" -v b="$tcp_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b }')"

# TIME_WAIT memory: N short connections in ns_c to a port of their own,
# reuse off so that every one leaves its entry; slab memory before and
# after (num_slabs * pages per slab), and the entry count each stack
# reports.
TWN=${XTCP_BENCH_TW:-50000}
slab_kb() { # slab_kb CACHE: KiB the cache's slabs hold
	awk -v c="$1" '$1 == c { printf "%d", $15 * $6 * 4 }' /proc/slabinfo
}
slab_objsize() { awk -v c="$1" '$1 == c { print $4 }' /proc/slabinfo; }
$IP netns exec ns_c sh -c "echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse
	echo 0 > /proc/sys/net/xtcp/tw_reuse
	echo $((TWN * 2)) > /proc/sys/net/ipv4/tcp_max_tw_buckets
	echo $((TWN * 2)) > /proc/sys/net/xtcp/max_tw_buckets"
tw_run() { # tw_run tcp|xtcp CACHE PORT: "entries KiB"
	k0=$(slab_kb "$2")
	XT_PORT=$3 XT_SERVER_NS=ns_s $IP netns exec ns_c /xtcp/bin/bench tw "$1" 192.0.2.1 "$TWN" >/tmp/tw.log
	k1=$(slab_kb "$2")
	if [ "$1" = tcp ]; then
		n=$($IP netns exec ns_c awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat)
	else
		n=$(stat_of CurrTimeWait ns_c)
	fi
	echo "$n" $((k1 - k0)) "$(awk '{ print $4 }' /tmp/tw.log)"
}
# bytes per live object: the cache's slab memory over its active objects
slab_per_obj() {
	awk -v c="$1" '$1 == c && $2 > 0 { printf "%d", $15 * $6 * 4096 / $2 }' /proc/slabinfo
}
echo
echo "TIME_WAIT: $TWN short connections from one client namespace, every entry kept (tw_reuse 0)"
set -- $(tw_run tcp tw_sock_TCP 7101)
tcp_n=$1 tcp_kb=$2 tcp_fail=$3
set -- $(tw_run xtcp xtcp_tw 7102)
x_n=$1 x_kb=$2 x_fail=$3
tcp_b=$(slab_per_obj tw_sock_TCP)
x_b=$(slab_per_obj xtcp_tw)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'; }
printf '%-28s %12s %12s %8s\n' "" TCP xtcp "xtcp/TCP"
printf '%-28s %12s %12s %8s\n' "entry size (bytes)" "$(slab_objsize tw_sock_TCP)" \
	"$(slab_objsize xtcp_tw)" "$(ratio "$(slab_objsize xtcp_tw)" "$(slab_objsize tw_sock_TCP)")"
printf '%-28s %12s %12s\n' "entries alive after the run" "$tcp_n" "$x_n"
printf '%-28s %12s %12s\n' "connects failed" "$tcp_fail" "$x_fail"
printf '%-28s %12s %12s\n' "slab memory added (KiB)" "$tcp_kb" "$x_kb"
printf '%-28s %12s %12s %8s\n' "slab bytes per live entry" "$tcp_b" "$x_b" "$(ratio "$x_b" "$tcp_b")"

echo
echo "Object sizes (from /proc/slabinfo: object size in bytes)"
awk '$1 == "request_sock_TCP" || $1 == "TCP" || $1 == "xtcp_request" || $1 == "XTCP" ||
     $1 == "tw_sock_TCP" || $1 == "xtcp_tw" {
	printf "  %-18s %5d\n", $1, $4 }' /proc/slabinfo
dmesg | grep 'xtcp: loaded' | tail -n 1

/xtcp/bin/connprof.sh
/xtcp/bin/lookup.sh
/xtcp/bin/stream.sh || exit 1
/xtcp/bin/tfo_bench.sh || exit 1
/xtcp/bin/apps.sh
