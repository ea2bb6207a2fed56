#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# handshake.sh MODE [ARGS]: run `handshake MODE` in the setting it needs.
#
#   veth-MODE:     ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
#                  the client runs in ns_c, its listener is made in ns_s.
#   unresponsive:  the same pair, with ns_s dropping every xtcp segment
#                  on ingress, so SYNs are never answered.
#   simopen:       a fresh netns whose loopback delays by 50 ms, so the
#                  two SYNs cross.
#   ports:         a fresh netns with ip_local_port_range 40000-40003.
#   anything else: loopback in the initial namespace.
. /xtcp/bin/lib.sh

TC=/sbin/tc
mode=$1
shift

trap netns_cleanup EXIT

pair() { veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1; }

case "$mode" in
veth-*)
	pair
	XT_SERVER_NS=ns_s $IP netns exec ns_c handshake "${mode#veth-}" 192.0.2.1 "$@"
	;;
unresponsive)
	pair
	drop_xtcp_in ns_s veth_s || exit 1
	$IP netns exec ns_c handshake unresponsive 192.0.2.1
	;;
simopen)
	$IP netns add ns_sim
	netns_made=ns_sim
	$IP -n ns_sim link set lo up
	$TC -n ns_sim qdisc add dev lo root netem delay 50ms || exit 1
	$IP netns exec ns_sim handshake simopen
	;;
ports)
	$IP netns add ns_ports
	netns_made=ns_ports
	$IP -n ns_ports link set lo up
	$IP netns exec ns_ports sh -c 'echo "40000 40003" > /proc/sys/net/ipv4/ip_local_port_range' || exit 1
	$IP netns exec ns_ports handshake ports
	;;
*)
	handshake "$mode" "$@"
	;;
esac
