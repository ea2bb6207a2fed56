#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cookies.sh SCENARIO: SYN cookies.
#
#   ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
#
#   always   syncookies=2 in ns_s: a handshake keeps no request sock and
#            works; counters show the cookie round trip.
#   flood    syncookies=1: SYNs that are never answered (ns_c drops on
#            ingress) fill the request queue; beyond it every SYN gets a
#            cookie, a real client still connects, one log line names the
#            listener.
#   forged   syncookies=2: ACKs with random numbers are refused, counted,
#            answered with RST, and make no connection.
. /xtcp/bin/lib.sh

scenario=$1

trap netns_cleanup EXIT

veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1

sysctl_s() { $IP netns exec ns_s sh -c "echo $2 > /proc/sys/net/xtcp/$1"; }

case "$scenario" in
always)
	sysctl_s syncookies 2
	check "handshake through cookies" \
		sh -c "XT_SERVER_NS=ns_s $IP netns exec ns_c handshake basic 192.0.2.1"
	# one cookie per SYN that came: a client starved past its 1 s RTO
	# (a loaded host) sends its SYN again, and that one gets one too
	syns=$(($(stat_of SynRetrans ns_c) + 1))
	check "SyncookiesSent +1 for each of the client's $syns SYN(s)" \
		eq "$(stat_of SyncookiesSent ns_s)" "$syns"
	check "SyncookiesRecv +1" eq "$(stat_of SyncookiesRecv ns_s)" 1
	check "SyncookiesFailed 0" eq "$(stat_of SyncookiesFailed ns_s)" 0
	check "no request sock was made (RequestTimeouts, SynAckResends 0)" \
		eq "$(stat_of SynRetrans ns_s)$(stat_of SynAckResends ns_s)" 00
	;;
flood)
	drop_xtcp_in ns_c veth_c || exit 1
	# backlog 3: the request queue holds 4
	$IP netns exec ns_s peer xtcp listen 0.0.0.0 8080 1 >/tmp/srv.log 2>&1 &
	srv=$!
	wait_listening /tmp/srv.log || exit 1
	check "40 SYNs that will never be answered" \
		$IP netns exec ns_c sendsyn 192.0.2.1 40 8080
	# wait for the state, not a fixed time: a loaded VM is slow
	i=0
	while [ "$(stat_of SyncookiesSent ns_s)" != 23 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	synrecv=$($IP netns exec ns_s cat /proc/net/xtcp | grep -c SYN_RECV)
	check "request queue full at 17 (backlog 16 + 1)" eq "$synrecv" 17
	check "the other 23 got cookies" eq "$(stat_of SyncookiesSent ns_s)" 23
	check "a real client connects meanwhile (through a cookie)" \
		$IP netns exec ns_s peer xtcp connect 127.0.0.1 8080
	wait $srv
	check "SyncookiesRecv +1" eq "$(stat_of SyncookiesRecv ns_s)" 1
	check "the flood was logged once, naming the listener" \
		eq "$(dmesg | grep -c 'possible SYN flood on 192.0.2.1:8080 (netns [0-9]*): request queue full, sending cookies')" 1
	;;
forged)
	sysctl_s syncookies 2
	$IP netns exec ns_s holdsock listen 8080 >/tmp/hold.log 2>&1 &
	wait_for ready /tmp/hold.log || exit 1
	rsts=$(stat_of OutRsts ns_s)
	check "200 forged cookie ACKs sent" \
		$IP netns exec ns_c sendsyn 192.0.2.1 200 8080 ack
	i=0
	while [ "$(stat_of SyncookiesFailed ns_s)" != 200 ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	check "all 200 refused (SyncookiesFailed)" eq "$(stat_of SyncookiesFailed ns_s)" 200
	check "none accepted" eq "$(stat_of SyncookiesRecv ns_s)" 0
	check "each answered with RST" eq "$(stat_of OutRsts ns_s)" $((rsts + 200))
	check "no connection made" \
		eq "$($IP netns exec ns_s cat /proc/net/xtcp | grep -c ESTABLISHED)" 0
	;;
*)
	echo "unknown scenario $scenario"
	exit 2
	;;
esac
done_test
