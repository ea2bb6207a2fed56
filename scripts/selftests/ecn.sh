#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ecn.sh MODE: ECN (RFC 3168) negotiated, or not, by the ecn sysctls of
# both sides, and working once negotiated: a netem queue on each side
# marks CE (netem's "loss P ecn": an ECT packet it would drop is marked
# instead) and both directions carry data (xdata), so each side must
# echo CE with ECE, cut its window on ECE and answer with CWR.
#
#   xtcp        xtcp client (ns_x) to xtcp server (ns_t)
#   tcp-server  xtcp client to a Linux TCP server, through the translator
#   tcp-client  Linux TCP client to an xtcp server, and with SYN cookies
#
# Each run is one connection, of 1 MB each way where CE marks must show
# and 100 kB where ECN must stay off; the counters are per namespace and
# read as differences around each run.
# netem drops what it would mark but cannot (SYNs among them), so the
# SYN fallback is off on both sides: a SYN sent again still asks for ECN.
# Both stacks send one segment per packet (gso_max_segs 1 on both ends):
# netem marks packets, and 64 KB GSO packets would get few marks.
. /xtcp/bin/lib.sh

mode=$1
big=1000000
small=100000
NETEM="loss 2% ecn"

trap netns_cleanup EXIT


# tcpext NAME NS: a TcpExt counter of Linux TCP in NS
tcpext() {
	$IP netns exec "$2" cat /proc/net/netstat | awk -v k="$1" '
		$1 == "TcpExt:" && !n { for (i = 2; i <= NF; i++) f[i] = $i; n = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) if (f[i] == k) print $i }'
}

ECN_STATS="EcnNegotiated EcnCeReceived EcnEceReceived EcnCwndReduced EcnCwrSent EcnCwrReceived"

# snap NS: remember NS's ECN counters (as NS_<name>)
snap() {
	for k in $ECN_STATS; do
		eval "${1}_$k=$(stat_of "$k" "$1")"
	done
}

# delta NS NAME: how much NAME grew in NS since snap
delta() {
	eval "old=\$${1}_$2"
	echo $(($(stat_of "$2" "$1") - old))
}

# setsys NS PATH VALUE: a sysctl under /proc/sys/net of NS; fails the test
setsys() {
	$IP netns exec "$1" sh -c "echo $3 > /proc/sys/net/$2" || exit 1
}

gt0() { [ "$1" -gt 0 ]; }
eq0() { [ "$1" -eq 0 ]; }

# run SERVER_NS SERVER_STACK CLIENT_NS CLIENT_STACK ADDR BYTES
run() {
	bytes=$6
	snap ns_x
	snap ns_t
	rm -f /tmp/srv.log
	$IP netns exec "$1" xdata server "$2" 0.0.0.0 7000 1 >/tmp/srv.log 2>&1 &
	srv=$!
	check "$2 server listening" wait_listening /tmp/srv.log
	check "$4 client to $2 server: $bytes bytes each way, verified" \
		$IP netns exec "$3" xdata client "$4" "$5" 7000 "$bytes" 1
	check "the server verified every byte" wait $srv
	for ns in ns_x ns_t; do
		line=""
		for k in $ECN_STATS; do
			line="$line $k=$(delta $ns $k)"
		done
		log "  $ns:$line"
	done
}

# negotiated NS...: each xtcp side counted the connection as using ECN
negotiated() {
	for ns in "$@"; do
		check "$ns: ECN negotiated" gt0 "$(delta "$ns" EcnNegotiated)"
	done
}

not_negotiated() {
	for ns in "$@"; do
		check "$ns: ECN not negotiated" eq0 "$(delta "$ns" EcnNegotiated)"
		check "$ns: no CE taken" eq0 "$(delta "$ns" EcnCeReceived)"
		check "$ns: no ECE taken" eq0 "$(delta "$ns" EcnEceReceived)"
	done
}

# reacted NS: the xtcp side in NS saw CE on the peer's data (the peer sent
# ECT), the peer's echo of our CE (ECE), cut its window, sent CWR, and saw
# the peer's CWR (the peer heard our ECE and reacted)
reacted() {
	for k in EcnCeReceived EcnEceReceived EcnCwndReduced EcnCwrSent EcnCwrReceived; do
		check "$1: $k grew" gt0 "$(delta "$1" "$k")"
	done
	# once per window: no cut without an echo
	check "$1: no more window cuts than ECE ACKs" \
		[ "$(delta "$1" EcnCwndReduced)" -le "$(delta "$1" EcnEceReceived)" ]
}

netem_both() {
	# shellcheck disable=SC2086
	/sbin/tc -n ns_x qdisc add dev veth_x root netem $NETEM || exit 1
	# shellcheck disable=SC2086
	/sbin/tc -n ns_t qdisc add dev veth_t root netem $NETEM || exit 1
}

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
setsys ns_x xtcp/ecn_fallback 0
setsys ns_t xtcp/ecn_fallback 0
setsys ns_t ipv4/tcp_ecn_fallback 0
$IP -n ns_t link set veth_t gso_max_segs 1 || exit 1
$IP -n ns_x link set veth_x gso_max_segs 1 || exit 1
case "$mode" in
xtcp)
	netem_both
	log "defaults (ecn=2 both sides): nobody asks"
	run ns_t xtcp ns_x xtcp 192.0.2.2 "$small"
	not_negotiated ns_x ns_t
	log "client ecn=1, server ecn=0: refused"
	setsys ns_x xtcp/ecn 1
	setsys ns_t xtcp/ecn 0
	run ns_t xtcp ns_x xtcp 192.0.2.2 "$small"
	not_negotiated ns_x ns_t
	log "client ecn=1, server ecn=2: negotiated, CE marks"
	setsys ns_t xtcp/ecn 2
	run ns_t xtcp ns_x xtcp 192.0.2.2 "$big"
	negotiated ns_x ns_t
	reacted ns_x
	reacted ns_t
	;;
tcp-server)
	translate ns_x veth_x
	netem_both
	log "xtcp ecn=2 (default): no request, Linux has nothing to grant"
	run ns_t tcp ns_x xtcp 192.0.2.2 "$small"
	not_negotiated ns_x
	log "xtcp ecn=1 to Linux tcp_ecn=2: negotiated, CE marks"
	setsys ns_x xtcp/ecn 1
	ce0=$(tcpext TCPDeliveredCE ns_t)
	run ns_t tcp ns_x xtcp 192.0.2.2 "$big"
	negotiated ns_x
	reacted ns_x
	check "Linux TCP took our ECE (TCPDeliveredCE grew)" \
		[ "$(tcpext TCPDeliveredCE ns_t)" -gt "$ce0" ]
	;;
tcp-client)
	translate ns_x veth_x
	netem_both
	log "Linux tcp_ecn=2 (default) to xtcp: no request"
	run ns_x xtcp ns_t tcp 192.0.2.1 "$small"
	not_negotiated ns_x
	log "Linux tcp_ecn=1 to xtcp ecn=0: refused"
	setsys ns_t ipv4/tcp_ecn 1
	setsys ns_x xtcp/ecn 0
	run ns_x xtcp ns_t tcp 192.0.2.1 "$small"
	not_negotiated ns_x
	log "Linux tcp_ecn=1 to xtcp ecn=2: negotiated, CE marks"
	setsys ns_x xtcp/ecn 2
	ce0=$(tcpext TCPDeliveredCE ns_t)
	run ns_x xtcp ns_t tcp 192.0.2.1 "$big"
	negotiated ns_x
	reacted ns_x
	check "Linux TCP took our ECE (TCPDeliveredCE grew)" \
		[ "$(tcpext TCPDeliveredCE ns_t)" -gt "$ce0" ]
	log "the same through a SYN cookie (syncookies=2): the grant in the TSval"
	setsys ns_x xtcp/syncookies 2
	rc0=$(stat_of SyncookiesRecv ns_x)
	run ns_x xtcp ns_t tcp 192.0.2.1 "$big"
	check "the connection came from a cookie" \
		[ "$(stat_of SyncookiesRecv ns_x)" -gt "$rc0" ]
	negotiated ns_x
	check "ns_x: CE taken" gt0 "$(delta ns_x EcnCeReceived)"
	;;
*)
	echo "usage: ecn.sh xtcp|tcp-server|tcp-client"
	exit 2
	;;
esac
done_test
