#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# dsack.sh MODE SIDE: a needless retransmission, reported by D-SACK
# (RFC 2883) and undone (RFC 3522), between xtcp and xtcp or Linux TCP.
#
#   MODE  veth        xtcp in both namespaces
#         tcp-server  xtcp sends from ns_x to Linux TCP in ns_t
#         tcp-client  Linux TCP sends from ns_t to xtcp in ns_x
#         (use tcp-server with SIDE x, tcp-client with SIDE t)
#   SIDE  x or t: the sending namespace, whose incoming segments are
#         dropped for 2 s in the middle of a one-way transfer (xdata,
#         XT_ONEWAY). Its data still arrives, but not the ACKs for it,
#         so its RTO sends again what the peer holds: the peer must
#         answer with a D-SACK block below its ACK, and the sender must
#         take it as one and undo the RTO's reduction (the ACK echoes a
#         TSval older than the retransmission, or every retransmission
#         was D-SACKed). The receiver sends nothing but ACKs, so the
#         first thing it sends after the drop answers a retransmission:
#         its D-SACK arrives.
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   (translator on veth_x for tcp-*; netem rate 10mbit both ways and a
#    small send buffer, so the transfer lasts long enough for the drop to
#    land inside it and nothing else is lost)
. /xtcp/bin/lib.sh

TC=/sbin/tc
mode=$1
side=$2
# 3.2 s at netem's 10 Mbit/s: the 2 s drop must fit inside it even when
# a loaded machine makes this script slow to start it
bytes=${XDATA_BYTES:-4000000}

trap netns_cleanup EXIT

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
case "$mode" in
veth)
	stack_t=xtcp
	$TC -n ns_x qdisc add dev veth_x clsact || exit 1
	;;
tcp-server | tcp-client)
	stack_t=tcp
	translate ns_x veth_x
	;;
*)
	echo "usage: dsack.sh veth|tcp-server|tcp-client x|t"
	exit 2
	;;
esac
$TC -n ns_t qdisc add dev veth_t clsact || exit 1
for d in "ns_x veth_x" "ns_t veth_t"; do
	# shellcheck disable=SC2086
	set -- $d
	$TC -n "$1" qdisc add dev "$2" root netem rate 10mbit limit 1000 || exit 1
done
# No loss but the drop: a 32 kB send buffer (64 kB in Linux, which
# doubles it) keeps what is in flight far below netem's queue, which
# never overflows. A segment really lost would be repaired by the RTO's
# retransmission, and the peer would rightly echo that retransmission's
# TSval and send no D-SACK for it: nothing to undo, and a failed test.
export XT_SNDBUF=32768 XT_ONEWAY=1
if [ "$side" = x ]; then
	drop_ns=ns_x drop_dev=veth_x peer_ns=ns_t peer=$stack_t me=xtcp
else
	drop_ns=ns_t drop_dev=veth_t peer_ns=ns_x peer=xtcp me=$stack_t
fi

# tcpext NS NAME: a Linux TCP counter of NS (/proc/net/netstat)
tcpext() {
	$IP netns exec "$1" cat /proc/net/netstat | awk -v k="$2" '
		$1 == "TcpExt:" && !n { for (i = 2; i <= NF; i++) idx[$i] = i; n = 1; next }
		$1 == "TcpExt:" && n { print $idx[k] }'
}

# counter STACK NS XTCP_NAME TCP_NAME: the counter of whichever stack
counter() {
	if [ "$1" = xtcp ]; then stat_of "$3" "$2"; else tcpext "$2" "$4"; fi
}


# the client sends: it is the side whose ACKs are dropped
if [ "$side" = t ]; then
	srv_ns=ns_x srv=xtcp cli_ns=ns_t cli=$stack_t addr=192.0.2.1
else
	srv_ns=ns_t srv=$stack_t cli_ns=ns_x cli=xtcp addr=192.0.2.2
fi
$IP netns exec $srv_ns xdata server $srv 0.0.0.0 7000 1 >/tmp/srv.log 2>&1 &
srv_pid=$!
check "$srv server listening" wait_listening /tmp/srv.log
$IP netns exec $cli_ns xdata client $cli $addr 7000 "$bytes" 1 >/tmp/cli.log 2>&1 &
cli_pid=$!

# the drop begins once data flows: the server has read something
i=0
while ! $IP netns exec $srv_ns sh -c "cat /proc/net/xtcp; /bin/ss -tn" 2>/dev/null |
	grep -q ESTAB && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
sleep 0.3
$TC -n $drop_ns filter add dev $drop_dev ingress pref 1 protocol ip \
	u32 match u32 0 0 action drop || exit 1
sleep 2
# else nothing below could happen: say so, not three puzzling failures
check "the drop landed inside the transfer (the client still sends)" \
	kill -0 $cli_pid
$TC -n $drop_ns filter del dev $drop_dev ingress pref 1 || exit 1

check "the transfer completes, every byte checked (client)" wait $cli_pid
check "(server)" wait $srv_pid
cat /tmp/cli.log /tmp/srv.log

rto=$(counter $me $drop_ns RTOs TCPTimeouts)
sent=$(counter $peer $peer_ns DSACKOldSent TCPDSACKOldSent)
recv=$(counter $me $drop_ns DSACKRecv TCPDSACKRecv)
log "  $me in $drop_ns: RTOs $rto, D-SACKs received $recv; $peer in $peer_ns: D-SACKs sent $sent"
check "$me timed out while its ACKs were dropped" sh -c "[ ${rto:-0} -ge 1 ]"
check "$peer sent D-SACK for what came twice" sh -c "[ ${sent:-0} -ge 1 ]"
check "$me read them as D-SACK" sh -c "[ ${recv:-0} -ge 1 ]"
if [ "$me" = xtcp ]; then
	undo=$(($(stat_of LossUndo $drop_ns) + $(stat_of DSACKUndo $drop_ns)))
	check "xtcp undid the needless reduction (LossUndo + DSACKUndo $undo)" \
		sh -c "[ $undo -ge 1 ]"
else
	log "  Linux undo: $(tcpext $drop_ns TCPLossUndo) loss, $(tcpext $drop_ns TCPDSACKUndo) D-SACK, $(tcpext $drop_ns TCPSpuriousRTOs) spurious RTOs"
fi
done_test
