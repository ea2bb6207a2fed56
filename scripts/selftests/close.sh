#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# close.sh SCENARIO CLIENT SERVER: the end of a connection (xclose), each
# side xtcp or Linux TCP ("xtcp" or "tcp"), with the protocol-byte
# translator on veth_x when one side is Linux TCP.
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   client                                                server
#   (the translator on the xtcp side's interface when the other is TCP)
#
# Per scenario: simul delays the link 100 ms each way so both FINs are
# in flight at once; finwait2 sets fin_timeout 2 s; keepalive and
# user_timeout silence the server with netem loss 100% when told; storm
# narrows the client's port range and runs with tw_reuse 1 and then 0.
. /xtcp/bin/lib.sh

TC=/sbin/tc
scenario=$1
cstack=$2
sstack=$3

trap netns_cleanup EXIT

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
# the translator sits on the xtcp side's interface
if [ "$cstack" = xtcp ] && [ "$sstack" = tcp ]; then
	translate ns_x veth_x
elif [ "$cstack" = tcp ] && [ "$sstack" = xtcp ]; then
	translate ns_t veth_t
fi
# the xtcp side, for its counters
xns=ns_x
[ "$cstack" = xtcp ] || xns=ns_t
silence="$TC -n ns_t qdisc add dev veth_t root netem loss 100%"

case "$scenario" in
simul)
	$TC -n ns_t qdisc add dev veth_t root netem delay 100ms || exit 1
	$TC -n ns_x qdisc add dev veth_x root netem delay 100ms || exit 1
	check "simultaneous close" xclose simul "$cstack" "$sstack"
	;;
finwait2)
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/fin_timeout'
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/ipv4/tcp_fin_timeout'
	check "orphan FIN_WAIT_2 times out" xclose finwait2 "$cstack" "$sstack" 2
	;;
keepalive | user_timeout)
	check "$scenario" xclose "$scenario" "$cstack" "$sstack" "$silence"
	;;
storm)
	for ns in ns_x; do
		$IP netns exec $ns sh -c 'echo 40000 40019 > /proc/sys/net/ipv4/ip_local_port_range'
	done
	$IP netns exec ns_x sh -c 'echo 1 > /proc/sys/net/xtcp/tw_reuse'
	$IP netns exec ns_x sh -c 'echo 1 > /proc/sys/net/ipv4/tcp_tw_reuse'
	# 20 ports, 15 connections a second: a port's TIME_WAIT is over a
	# second old when the range comes round to it again
	rsts=$(stat_of OutRsts $xns)
	out=$(xclose storm "$cstack" "$sstack" 60 15)
	echo "$out"
	check "reuse on: 60 connections over 20 ports, no EADDRNOTAVAIL" \
		eq "$(echo "$out" | awk '/^eaddrnotavail/ { print $2 }')" 0
	# a FIN that waited on a closing socket's backlog once met it
	# closed and was answered with RST
	check "every close graceful: xtcp sent no RST" \
		eq "$(stat_of OutRsts $xns)" "$rsts"
	sleep 2
	$IP netns exec ns_x sh -c 'echo 0 > /proc/sys/net/xtcp/tw_reuse'
	$IP netns exec ns_x sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse'
	out=$(xclose storm "$cstack" "$sstack" 30 15)
	echo "$out"
	n=$(echo "$out" | awk '/^eaddrnotavail/ { print $2 }')
	check "reuse off: the 20 ports run out (EADDRNOTAVAIL $n times)" \
		test "${n:-0}" -ge 5
	if [ "$cstack" = xtcp ]; then
		check "TimeWaitReused counted" \
			test "$(stat_of TimeWaitReused ns_x)" -gt 0
	fi
	;;
*)
	check "$scenario" xclose "$scenario" "$cstack" "$sstack"
	;;
esac
log "xtcp counters in $xns:"
$IP netns exec $xns cat /proc/net/xtcp_stat | grep -E \
	'CurrEstab|Orphans|TimeWait|FinWait2|KeepAlive|AbortOn|OutRsts|RetransSegs' |
	tr '\n' ' '
echo
done_test
