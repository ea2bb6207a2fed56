#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# interop.sh xtcp-client|tcp-client|tcp-client-cookies: Linux's own TCP
# as the referee of xtcp's wire format. tcp-client-cookies makes the xtcp
# listener answer with SYN cookies only (syncookies=2): the options Linux
# negotiates must survive the cookie.
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   xtcp sockets      |  tc on veth_x:               Linux TCP sockets
#                     |  egress  IP proto 253 -> 6
#                     |  ingress IP proto 6 -> 253
#                     |  (pedit, then csum ip4h for the IP header)
#
# xtcp segments are TCP segments whose IP protocol byte says 253, with the
# TCP pseudo-header checksum, so rewriting that byte is all it takes for
# each side to see its own protocol. Linux TCP checks our checksums,
# sequence numbers and options; a handshake that completes proves them.
. /xtcp/bin/lib.sh

TC=/sbin/tc
dir=$1

trap netns_cleanup EXIT

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1

translate ns_x veth_x


if [ "$dir" = tcp-client-cookies ]; then
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/syncookies'
	dir=tcp-client
	cookies=1
fi

case "$dir" in
xtcp-client)
	log "Linux TCP listens in ns_t; xtcp connects from ns_x"
	$IP netns exec ns_t peer tcp listen 0.0.0.0 6000 3 >/tmp/srv.log 2>&1 &
	srv=$!
	check "TCP listener up" wait_listening /tmp/srv.log
	check "xtcp client completes 3 handshakes with Linux TCP" \
		$IP netns exec ns_x peer xtcp connect 192.0.2.2 6000 3
	wait $srv
	check "Linux TCP accepted 3 connections from 192.0.2.1" \
		eq "$(grep -c 'accepted 192.0.2.1:' /tmp/srv.log)" 3
	# our SYN offers every option; Linux's SYN-ACK grants them
	check "Linux negotiated timestamps, SACK and window scale 7 with xtcp" \
		eq "$(grep -c 'tcp_info: ts sack wscale snd_wscale 7' /tmp/srv.log)" 3
	cat /tmp/srv.log
	;;
tcp-client)
	log "xtcp listens in ns_x; Linux TCP connects from ns_t"
	$IP netns exec ns_x peer xtcp listen 0.0.0.0 6001 3 >/tmp/srv.log 2>&1 &
	srv=$!
	check "xtcp listener up" wait_listening /tmp/srv.log
	check "Linux TCP client completes 3 handshakes with xtcp" \
		sh -c "$IP netns exec ns_t peer tcp connect 192.0.2.1 6001 3 >/tmp/cli.log"
	cat /tmp/cli.log
	# a refused connect says who refused: xtcp, or ns_x's own TCP (a
	# SYN the translator did not turn into xtcp's)
	echo "  ns_x xtcp: $($IP netns exec ns_x cat /proc/net/xtcp_stat |
		awk '$2 != 0' | tr '\n' ' ')"
	echo "  ns_x TCP: $($IP netns exec ns_x cat /proc/net/snmp | awk '
		$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) f[$i] = i; h = 1; next }
		$1 == "Tcp:" { print "InSegs", $f["InSegs"], "OutRsts", $f["OutRsts"] }')"
	check "our SYN-ACK granted Linux timestamps, SACK and window scale 7" \
		eq "$(grep -c 'tcp_info: ts sack wscale snd_wscale 7' /tmp/cli.log)" 3
	wait $srv
	check "xtcp accepted 3 connections from 192.0.2.2, family 18" \
		eq "$(grep -c 'accepted 192.0.2.2:.*(family 18)' /tmp/srv.log)" 3
	cat /tmp/srv.log
	check "xtcp counted 3 passive opens" eq "$(stat_of PassiveOpens ns_x)" 3
	if [ -n "${cookies:-}" ]; then
		check "all 3 through SYN cookies" eq "$(stat_of SyncookiesRecv ns_x)" 3
	fi
	;;
*)
	echo "usage: interop.sh xtcp-client|tcp-client"
	exit 2
	;;
esac
done_test
