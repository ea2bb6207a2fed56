#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# icmp.sh MODE: ICMP errors and path MTU through a router namespace
# (xicmp MODE does the checks; see xicmp.c).
#
#   ns_c 10.1.0.2 veth_c ==== veth_rc 10.1.0.1  ns_r  10.2.0.1 veth_rs ==== veth_s 10.2.0.2 ns_s
#                                       routes in ns_r:
#                                         unreachable 10.9.0.1  (ICMP host unreachable)
#                                         prohibit    10.9.0.2  (ICMP admin prohibited)
#                                         none for    10.8.0.0/16 (ICMP net unreachable)
#   mode mtu: ns_r's routes to both sides have MTU 1280 (the endpoints'
#   links stay at 1500, so only path MTU discovery can find it; a veth of
#   MTU 1280 would drop, not answer, what the 1500-byte side sends it).
#   mode proto: ns_s drops xtcp segments on arrival (the SYN goes unanswered).
#   mode revert: xicmp adds an unreachable route to 10.2.0.2 in ns_r while
#   a connection retransmits, and takes it away again.
. /xtcp/bin/lib.sh

mode=$1
trap 'netns_cleanup; echo "$cost" >/proc/sys/net/ipv4/route/error_cost' EXIT

# The router answers every packet: no ICMP rate limits (error_cost is
# global, icmp_ratelimit per namespace).
cost=$(cat /proc/sys/net/ipv4/route/error_cost)
echo 0 >/proc/sys/net/ipv4/route/error_cost

must veth_pair ns_c veth_c 10.1.0.2 ns_r veth_rc 10.1.0.1
must $IP netns add ns_s
netns_made="$netns_made ns_s"
must $IP -n ns_r link add veth_rs type veth peer name veth_s netns ns_s
must $IP -n ns_r addr add 10.2.0.1/24 dev veth_rs
must $IP -n ns_s addr add 10.2.0.2/24 dev veth_s
must $IP -n ns_r link set veth_rs up
must $IP -n ns_s link set lo up
must $IP -n ns_s link set veth_s up
must link_ready ns_r veth_rs
must link_ready ns_s veth_s
must $IP -n ns_c route add default via 10.1.0.1
must $IP -n ns_s route add default via 10.2.0.1
must $IP netns exec ns_r sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
must $IP netns exec ns_r sh -c 'echo 0 >/proc/sys/net/ipv4/icmp_ratelimit'
must $IP -n ns_r route add unreachable 10.9.0.1/32
must $IP -n ns_r route add prohibit 10.9.0.2/32

case $mode in
mtu)
	must $IP -n ns_r route replace 10.2.0.0/24 dev veth_rs mtu 1280
	must $IP -n ns_r route replace 10.1.0.0/24 dev veth_rc mtu 1280
	;;
proto)
	must drop_xtcp_in ns_s veth_s
	;;
esac

xicmp "$mode"
rc=$?
$IP netns exec ns_c cat /proc/net/xtcp_stat | grep -E 'Icmp|Pmtu|Unreach'
exit $rc
