#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`): xtcp against Linux TCP in the same boot, same
# topology, printed side by side with the ratio xtcp/TCP. Not a test:
# numbers to read, never pass/fail on speed.
#
#   loopback: one namespace
#   veth:     ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
IP=/sbin/ip

$IP netns add ns_c
$IP netns add ns_s
$IP -n ns_c link add veth_c type veth peer name veth_s netns ns_s
$IP -n ns_c addr add 192.0.2.2/24 dev veth_c
$IP -n ns_s addr add 192.0.2.1/24 dev veth_s
for ns in ns_c ns_s; do
	$IP -n $ns link set lo up
done
$IP -n ns_c link set veth_c up
$IP -n ns_s link set veth_s up

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
echo "Connection rate: connect + accept + close (abortive), $SECS s each, $(nproc) vCPUs (TCG)"
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

echo
echo "Object sizes (from /proc/slabinfo: object size in bytes)"
awk '$1 == "request_sock_TCP" || $1 == "TCP" || $1 == "xtcp_request" || $1 == "XTCP" {
	printf "  %-18s %5d\n", $1, $4 }' /proc/slabinfo
dmesg | grep 'xtcp: loaded' | tail -n 1
