#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# data.sh MODE: bulk data both ways, every byte checked (xdata), between
# two xtcp sockets or between xtcp and Linux TCP through the protocol-byte
# translator, on a clean link or through netem.
#
#   lo                 xtcp to xtcp over loopback
#   veth [NETEM...]    xtcp to xtcp over veth, netem on both sides
#   tcp-server [NETEM] xtcp client, Linux TCP server
#   tcp-client [NETEM] Linux TCP client, xtcp server
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   xtcp               | interop: tc on veth_x rewrites IP proto    xtcp or
#                      | 253 -> 6 out, 6 -> 253 in (pedit, csum)    Linux TCP
#
# XDATA_BYTES (default 4 MB) per connection and direction, XDATA_CONNS
# connections (default 2).
. /xtcp/bin/lib.sh

TC=/sbin/tc
mode=$1
shift
bytes=${XDATA_BYTES:-4000000}
conns=${XDATA_CONNS:-2}
stall=${XDATA_STALL_SECS:-100}
# The debug kernel (KASAN, lockdep) moves data some 20 times slower.
if dmesg | grep -q KernelAddressSanitizer; then
	bytes=${XDATA_BYTES:-1000000}
	conns=${XDATA_CONNS:-1}
fi
netem="$*"

trap netns_cleanup EXIT


# run SERVER_NS SERVER_STACK CLIENT_NS CLIENT_STACK ADDR
run() {
	rm -f /tmp/srv.log
	$IP netns exec "$1" xdata server "$2" 0.0.0.0 7000 "$conns" >/tmp/srv.log 2>&1 &
	srv=$!
	check "$2 server listening" wait_listening /tmp/srv.log
	$IP netns exec "$3" xdata client "$4" "$5" 7000 "$bytes" "$conns" &
	cli=$!
	if stalled $cli "$stall"; then
		log "stalled after $stall s: the connections as the stacks see them"
		dump_conns ns_x ns_t
		kill $cli
	fi
	check "$conns connections of $bytes bytes each way, $4 client to $2 server, verified" \
		wait $cli
	check "the server verified every byte" wait $srv
	cat /tmp/srv.log
}

with_netem() {
	[ -n "$netem" ] || return 0
	log "netem on both sides: $netem"
	# shellcheck disable=SC2086
	$TC -n ns_t qdisc add dev veth_t root netem $netem || exit 1
	if [ "$mode" = veth ]; then
		# shellcheck disable=SC2086
		$TC -n ns_x qdisc add dev veth_x root netem $netem || exit 1
	else
		# the translator's clsact on veth_x and a root netem coexist
		# shellcheck disable=SC2086
		$TC -n ns_x qdisc add dev veth_x root netem $netem || exit 1
	fi
}

case "$mode" in
lo)
	$IP netns add ns_x || exit 1
	netns_made=ns_x
	$IP -n ns_x link set lo up
	run ns_x xtcp ns_x xtcp 127.0.0.1
	;;
veth)
	veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
	with_netem
	run ns_t xtcp ns_x xtcp 192.0.2.2
	;;
tcp-server)
	veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
	translate ns_x veth_x
	with_netem
	run ns_t tcp ns_x xtcp 192.0.2.2
	;;
tcp-client)
	veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
	translate ns_x veth_x
	with_netem
	run ns_x xtcp ns_t tcp 192.0.2.1
	# Linux's TSO on veth hands xtcp whole GSO skbs: the peer's MSS is
	# their gso_size, not their length (that was 64 kB, and stopped the
	# ACK for every second full segment)
	mss=$(awk '/^server:/ { for (i = 1; i < NF; i++) if ($i == "rcv_mss") print $(i + 1) }' \
		/tmp/srv.log | sort -n | tail -n 1)
	check "xtcp's rcv_mss is the Linux sender's segment size ($mss), not a GSO skb's" \
		test "${mss:-0}" -gt 500 -a "${mss:-0}" -le 1460
	;;
*)
	echo "usage: data.sh lo|veth|tcp-server|tcp-client [NETEM...]"
	exit 2
	;;
esac
log "xtcp counters in ns_x:"
$IP netns exec ns_x cat /proc/net/xtcp_stat | grep -E \
	'RetransSegs|Recovery|RTOs|Ofo|Prune|RcvQDrop|DupData|ZeroWindow|DelayedAcks|OutSegs|InSegs|Backlog|RcvCoalesce|DSACK|Undo' |
	tr '\n' ' '
echo
done_test
