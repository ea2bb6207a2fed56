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

cleanup() {
	for ns in ns_c ns_s ns_sim ns_ports; do
		$IP netns del $ns 2>/dev/null
	done
}
trap cleanup EXIT

pair() {
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
}

case "$mode" in
veth-*)
	pair
	XT_SERVER_NS=ns_s $IP netns exec ns_c handshake "${mode#veth-}" 192.0.2.1 "$@"
	;;
unresponsive)
	pair
	$TC -n ns_s qdisc add dev veth_s clsact || exit 1
	$TC -n ns_s filter add dev veth_s ingress protocol ip u32 \
		match ip protocol 253 0xff action drop || exit 1
	$IP netns exec ns_c handshake unresponsive 192.0.2.1
	;;
simopen)
	$IP netns add ns_sim
	$IP -n ns_sim link set lo up
	$TC -n ns_sim qdisc add dev lo root netem delay 50ms || exit 1
	$IP netns exec ns_sim handshake simopen
	;;
ports)
	$IP netns add ns_ports
	$IP -n ns_ports link set lo up
	$IP netns exec ns_ports sh -c 'echo "40000 40003" > /proc/sys/net/ipv4/ip_local_port_range' || exit 1
	$IP netns exec ns_ports handshake ports
	;;
*)
	handshake "$mode" "$@"
	;;
esac
