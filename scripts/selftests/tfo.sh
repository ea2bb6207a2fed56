#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tfo.sh linux-client|rotate|overflow|syncookies: TCP Fast Open (RFC 7413)
# at an xtcp listener, with Linux's own TFO client as the referee.
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   xtcp listener       |  translator on veth_x        Linux TCP client
#   fastopen=2, qlen    |                              tcp_fastopen=1
#                       |                   netem delay on veth_t egress
#
# The delay holds the client's final ACK back, so a Fast Open child is in
# SYN_RECV when accept() returns it: it must already hold the SYN's data.
#
#   linux-client  1st connection asks for a cookie, the next ones carry
#                 their data in the SYN; the server reads it before the
#                 final ACK; Linux sees its SYN data acknowledged
#   rotate        a new key with the old one as backup: the old cookie
#                 still works (AltKey) and the SYN-ACK gives the new one;
#                 a new key alone: the old cookie fails, the data is not
#                 acknowledged and comes again after the handshake
#   overflow      qlen 1: of 3 Fast Open SYNs at once, 1 is served and 2
#                 fall back to the ordinary handshake
#   syncookies    syncookies=2: a valid cookie is still served at once
#   synack-loss   the client hears no SYN-ACK for 0.6 s: the child's
#                 timer (or the client's SYN again) brings it; the data
#                 came once and the connection completes
#   timeout       the client never hears a SYN-ACK (nor sends its SYN
#                 again): the child answers
#                 at once and closes (FIN_WAIT_1), gives up after
#                 synack_retries and gives its qlen place back
#
# The server's answer before the final ACK (as Linux's): an xtcp
# listener in ns_x, the client in ns_t (xtcp, or Linux's through the
# translator), 500 ms of delay on veth_t egress (one RTT).
#
#   early STACK       the 2nd connection's request in the SYN: the child
#                     writes 100 kB in SYN_RECV (TCP_INFO: data out), on
#                     the wire its data comes before the final ACK, the
#                     client reads it all (hash) and EOF
#   early-loss STACK  the same with the 2nd connection's first SYN-ACK
#                     dropped: the SYN-ACK and the data behind it go
#                     again, the client gets it all (hash)
#
# The client's side: xtcp clients in ns_x, the delay on veth_x egress
# (holding back the client's final ACK), the server in ns_t: Linux's
# TFO listener (tcp_fastopen=3) through the translator, or xtcp's
# (no translator, ns_t's fastopen=3).
#
#   xtcp-xtcp     1st connection fetches a cookie, the 2nd carries its
#   xtcp-linux    data in the SYN (captured on veth_t), the server reads
#                 it before the final ACK; TCP_FASTOPEN_CONNECT's SYN
#                 too; the server's key changes: the SYN-ACK does not
#                 acknowledge the data (a fresh cookie instead), the
#                 client sends it again at once and the next connection
#                 uses the new cookie
#   blackhole     Linux's listener; every SYN dropped on the way in
#                 after a cookie was fetched: the Fast Open connection
#                 times out (syn_retries 1), active Fast Open pauses
#                 (FastOpenBlackhole), and the next connection, the
#                 path clear again, is an ordinary one
. /xtcp/bin/lib.sh

mode=$1
trap netns_cleanup EXIT

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
case "$mode" in
xtcp-xtcp)
	/sbin/tc -n ns_x qdisc add dev veth_x root netem delay 300ms || exit 1
	$IP netns exec ns_t sh -c 'echo 3 > /proc/sys/net/xtcp/fastopen'
	;;
early|early-loss)
	[ "$2" = tcp ] && translate ns_x veth_x
	/sbin/tc -n ns_t qdisc add dev veth_t root netem delay 500ms || exit 1
	$IP netns exec ns_t sh -c 'echo 1 > /proc/sys/net/ipv4/tcp_fastopen'
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/fastopen'
	;;
xtcp-linux|blackhole)
	translate ns_x veth_x
	/sbin/tc -n ns_x qdisc add dev veth_x root netem delay 300ms || exit 1
	$IP netns exec ns_t sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_fastopen'
	;;
*)
	translate ns_x veth_x
	/sbin/tc -n ns_t qdisc add dev veth_t root netem delay 300ms || exit 1
	$IP netns exec ns_t sh -c 'echo 1 > /proc/sys/net/ipv4/tcp_fastopen'
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/fastopen'
	;;
esac

# tcp_ext NAME NS: a TcpExt counter of Linux TCP in NS
tcp_ext() {
	$IP netns exec "$2" cat /proc/net/netstat | awk -v n="$1" '
		/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) f[i] = $i; h = 1 }
			     else for (i = 1; i <= NF; i++) if (f[i] == n) print $i }'
}


# tap [KIND]: xcap on ns_t's veth_t for 30 s (its log /tmp/cap.log, its pid
# in $capid), once it says it is ready
tap() {
	rm -f /tmp/cap.log
	$IP netns exec ns_t xcap veth_t 30 ${1:+"$1"} >/tmp/cap.log 2>&1 &
	capid=$!
	wait_for ready /tmp/cap.log
}

# serve N [QLEN]: an xtcp Fast Open listener on 7000 for N connections
serve() {
	rm -f /tmp/srv.log
	$IP netns exec ns_x tfo listen xtcp 7000 "${2:-8}" "$1" >/tmp/srv.log 2>&1 &
	srv=$!
	check "xtcp Fast Open listener up" wait_listening /tmp/srv.log
}

# connect N [par]: Linux's TFO client, N connections
connect() {
	$IP netns exec ns_t tfo client tcp 192.0.2.1 7000 "$@" >/tmp/cli.log 2>&1
	cat /tmp/cli.log
}

finish() {
	wait $srv
	cat /tmp/srv.log
	check "every reply came" eq "$(grep -c 'reply=world' /tmp/cli.log)" "$1"
}

# A cookie for the client, and one Fast Open connection that uses it.
prime() {
	serve 2
	connect 2
	finish 2
	check "Linux asked for a cookie once" eq "$(stat_of FastOpenCookieReqd ns_x)" 1
	check "the 2nd connection's data came in its SYN" \
		eq "$(stat_of FastOpenPassive ns_x)" 1
	check "Linux saw its SYN data acknowledged once" \
		eq "$(grep -c 'syn_data_acked=1' /tmp/cli.log)" 1
	check "the server read the SYN's data in SYN_RECV, before the final ACK" \
		eq "$(grep -c 'accepted state=3 early=5' /tmp/srv.log)" 1
}

# client_side STACK: the xtcp client against STACK's listener in ns_t
client_side() {
	cap=tcp
	[ "$1" = xtcp ] && cap=
	srv_ns() { $IP netns exec ns_t "$@"; }
	# sserve N: STACK's Fast Open listener in ns_t for N connections
	sserve() {
		rm -f /tmp/srv.log
		srv_ns tfo listen "$1" 7000 8 "$2" >/tmp/srv.log 2>&1 &
		srv=$!
		check "$1 Fast Open listener up" wait_listening /tmp/srv.log
	}
	# sconnect N [fc]: xtcp clients from ns_x
	sconnect() {
		$IP netns exec ns_x tfo client xtcp 192.0.2.2 7000 "$@" \
			>/tmp/cli.log 2>&1
		cat /tmp/cli.log
	}
	# passive NAME: the server's Fast Open counter NAME
	passive() {
		if [ "$1" = xtcp ]; then stat_of "FastOpen$2" ns_t
		else tcp_ext "TCPFastOpen$2" ns_t; fi
	}
	tap "$cap"

	sserve "$1" 2
	sconnect 2
	finish 2
	check "the 1st SYN asked for a cookie" eq "$(passive "$1" CookieReqd)" 1
	check "the 2nd connection's data came in its SYN" \
		eq "$(passive "$1" Passive)" 1
	check "... the SYN-ACK acknowledged it (FastOpenActive)" \
		eq "$(stat_of FastOpenActive ns_x)" 1
	check "... syn_data_acked in TCP_INFO once" \
		eq "$(grep -c 'syn_data_acked=1' /tmp/cli.log)" 1
	check "the server read it in SYN_RECV, before the final ACK" \
		eq "$(grep -c 'accepted state=3 early=5' /tmp/srv.log)" 1
	check "on the wire: one SYN in with 5 bytes" \
		eq "$(grep -c 'in flags=0x02 .* len=5' /tmp/cap.log)" 1

	sserve "$1" 1
	sconnect 1 fc
	finish 1
	check "TCP_FASTOPEN_CONNECT: connect() at once, the write in the SYN" \
		eq "$(stat_of FastOpenActive ns_x)" 2
	check "... read in SYN_RECV" \
		eq "$(grep -c 'accepted state=3 early=5' /tmp/srv.log)" 1

	# a new server key: our cookie no longer checks
	if [ "$1" = xtcp ]; then
		srv_ns tfo key new >/dev/null
	else
		srv_ns sh -c 'echo 00000001-00000002-00000003-00000004 > /proc/sys/net/ipv4/tcp_fastopen_key'
	fi
	sserve "$1" 2
	sconnect 2
	finish 2
	check "the stale cookie failed at the server" \
		eq "$(passive "$1" PassiveFail)" 1
	check "... the SYN-ACK did not acknowledge the data (FastOpenActiveFail)" \
		eq "$(stat_of FastOpenActiveFail ns_x)" 1
	check "... and the fresh cookie served the next connection" \
		eq "$(stat_of FastOpenActive ns_x)" 3
	check "4 SYNs with data in all" \
		eq "$(grep -c 'in flags=0x02 .* len=5' /tmp/cap.log)" 4
	# the 1st connection's request after its handshake, and the data
	# the SYN-ACK did not acknowledge, sent again at once
	check "2 requests outside a SYN" \
		eq "$(grep -c 'in flags=0x18 .* len=5' /tmp/cap.log)" 2
	kill $capid 2>/dev/null
	wait $capid 2>/dev/null
}

case "$mode" in
xtcp-xtcp)
	client_side xtcp
	;;
xtcp-linux)
	client_side tcp
	;;
blackhole)
	$IP netns exec ns_x sh -c 'echo 3600 > /proc/sys/net/xtcp/fastopen_blackhole_timeout_sec'
	$IP netns exec ns_x sh -c 'echo 1 > /proc/sys/net/xtcp/syn_retries'
	rm -f /tmp/srv.log
	$IP netns exec ns_t tfo listen tcp 7000 8 2 >/tmp/srv.log 2>&1 &
	srv=$!
	check "Linux Fast Open listener up" wait_listening /tmp/srv.log
	$IP netns exec ns_x tfo client xtcp 192.0.2.2 7000 1 >/tmp/cli.log 2>&1
	check "a cookie fetched" eq "$(tcp_ext TCPFastOpenCookieReqd ns_t)" 1
	# every SYN (TCP flags byte 0x02) dropped on its way into ns_t
	/sbin/tc -n ns_t qdisc add dev veth_t clsact || exit 1
	/sbin/tc -n ns_t filter add dev veth_t ingress protocol ip u32 \
		match ip protocol 6 0xff match u8 0x02 0xff at 33 action drop ||
		exit 1
	# the tap sees what the filter then drops
	tap tcp
	$IP netns exec ns_x tfo client xtcp 192.0.2.2 7000 1 >/tmp/cli.log 2>&1
	kill $capid 2>/dev/null
	wait $capid 2>/dev/null
	cat /tmp/cli.log
	check "the SYN with data went once" \
		eq "$(grep -c 'in flags=0x02 .* len=5' /tmp/cap.log)" 1
	check "... sent again without its data" \
		eq "$(grep -c 'in flags=0x02 .* len=0' /tmp/cap.log)" 1
	check "the Fast Open connection timed out" \
		grep -q 'Connection timed out' /tmp/cli.log
	check "... and paused active Fast Open (FastOpenBlackhole)" \
		eq "$(stat_of FastOpenBlackhole ns_x)" 1
	check "... a failure counted" eq "$(stat_of FastOpenActiveFail ns_x)" 1
	/sbin/tc -n ns_t filter del dev veth_t ingress
	$IP netns exec ns_x tfo client xtcp 192.0.2.2 7000 1 >/tmp/cli.log 2>&1
	finish 1
	check "the next connection: no data in its SYN" \
		eq "$(grep -c 'syn_data_acked=0' /tmp/cli.log)" 1
	check "... no Fast Open at the server" \
		eq "$(tcp_ext TCPFastOpenPassive ns_t)" 0
	check "... nor a cookie request" \
		eq "$(tcp_ext TCPFastOpenCookieReqd ns_t)" 1
	;;
linux-client)
	prime
	serve 3
	connect 3
	finish 3
	check "3 more Fast Open connections" eq "$(stat_of FastOpenPassive ns_x)" 4
	check "... all read in SYN_RECV" \
		eq "$(grep -c 'accepted state=3 early=5' /tmp/srv.log)" 3
	check "Linux counted 4 active Fast Opens" \
		eq "$(tcp_ext TCPFastOpenActive ns_t)" 4
	check "no Fast Open failed" eq "$(stat_of FastOpenPassiveFail ns_x)" 0
	;;
rotate)
	prime
	$IP netns exec ns_x tfo key rotate
	serve 2
	connect 2
	finish 2
	check "the old cookie checked under the backup key" \
		eq "$(stat_of FastOpenPassiveAltKey ns_x)" 1
	check "... and the SYN-ACK's new cookie under the primary" \
		eq "$(stat_of FastOpenPassive ns_x)" 3
	$IP netns exec ns_x tfo key new
	serve 2
	connect 2
	finish 2
	check "the old cookie fails without its backup key" \
		eq "$(stat_of FastOpenPassiveFail ns_x)" 1
	check "... its data not acknowledged, the next connection's is" \
		eq "$(grep -c 'syn_data_acked=1' /tmp/cli.log)" 1
	check "Linux counted the failure" \
		eq "$(tcp_ext TCPFastOpenActiveFail ns_t)" 1
	check "4 Fast Opens in all" eq "$(stat_of FastOpenPassive ns_x)" 4
	;;
overflow)
	prime
	serve 3 1
	connect 3 par
	finish 3
	check "qlen 1: one Fast Open child more" eq "$(stat_of FastOpenPassive ns_x)" 2
	check "... two SYNs over qlen" eq "$(stat_of FastOpenListenOverflow ns_x)" 2
	check "... whose data Linux sent again" \
		eq "$(grep -c 'syn_data_acked=0' /tmp/cli.log)" 2
	;;
syncookies)
	prime
	$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/syncookies'
	serve 2
	connect 2
	finish 2
	check "with syncookies=2 a valid Fast Open cookie is still served" \
		eq "$(stat_of FastOpenPassive ns_x)" 3
	check "... without a SYN cookie" eq "$(stat_of SyncookiesSent ns_x)" 0
	;;
synack-loss|timeout)
	prime
	# prime's Fast Open child may still wait for its final ACK: veth
	# can reorder what two CPUs send, and Linux drops data that comes
	# before the SYN-ACK, so its ACK can be a retransmission late. Its
	# SYN-ACK timer must not count here: wait until it is done.
	i=0
	while $IP netns exec ns_x cat /proc/net/xtcp |
	      awk 'NR > 1 && $4 != "LISTEN" && $4 != "TIME_WAIT" { f = 1 }
		   END { exit !f }'; do
		if [ $i -ge 100 ]; then
			log "  prime's connections still open after 10 s:"
			$IP netns exec ns_x cat /proc/net/xtcp
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	# SYN-ACKs (TCP flags byte 0x12) dropped on their way into ns_t
	/sbin/tc -n ns_t qdisc add dev veth_t clsact || exit 1
	/sbin/tc -n ns_t filter add dev veth_t ingress protocol ip u32 \
		match ip protocol 6 0xff match u8 0x12 0xff at 33 action drop ||
		exit 1
	sent=$(stat_of SynRetrans ns_x)
	pass0=$(stat_of PassiveOpens ns_x)
	again0=$(stat_of SynAckResends ns_x)
	if [ "$mode" = timeout ]; then
		$IP netns exec ns_x sh -c 'echo 1 > /proc/sys/net/xtcp/synack_retries'
		serve 2 1
		$IP netns exec ns_t tfo client tcp 192.0.2.1 7000 1 par \
			>/tmp/cli.log 2>&1 &
		cli=$!
		# the client goes once its SYN made the child: no SYN again
		wait_for "accepted state=3" /tmp/srv.log 5
		# and a client slow to go (a loaded host) sends no SYN
		# again: a late one would find the child gone at 3 s and
		# make a request whose SYN-ACK goes again too
		/sbin/tc -n ns_t filter add dev veth_t egress protocol ip u32 \
			match ip protocol 6 0xff match u8 0x02 0xff at 33 \
			action drop || exit 1
		kill $cli 2>/dev/null
		wait $cli
		# the answer went at once, behind the SYN-ACK, and close()
		# queued a FIN behind it (FIN_WAIT_1); 1 s, then 2 s more:
		# the child, an orphan now, gives up at 3 s
		i=0
		while [ "$(stat_of ConnectTimeouts ns_x)" = 0 ] && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		check "the child read the SYN's data and answered at once" \
			eq "$(grep -c 'write:\|bad request' /tmp/srv.log)" 0
		check "... then gave up waiting for the final ACK" \
			eq "$(stat_of ConnectTimeouts ns_x)" 1
		# synack_retries 1: one resend by the child's timer; the
		# other counters say where a second one came from
		log "  for a SYN again: $(($(stat_of SynAckResends ns_x) - again0)), passive opens: $(($(stat_of PassiveOpens ns_x) - pass0)), requests timed out: $(stat_of RequestTimeouts ns_x)"
		check "... after one SYN-ACK resent" \
			eq "$(($(stat_of SynRetrans ns_x) - sent))" 1
		/sbin/tc -n ns_t filter del dev veth_t ingress
		/sbin/tc -n ns_t filter del dev veth_t egress
		connect 1
		finish 1
		check "its qlen place came back: qlen 1 served the next" \
			eq "$(stat_of FastOpenPassive ns_x)" 3
		check "... and nothing overflowed" \
			eq "$(stat_of FastOpenListenOverflow ns_x)" 0
	else
		serve 1
		( sleep 0.6; /sbin/tc -n ns_t filter del dev veth_t ingress ) &
		connect 1
		finish 1
		check "the SYN's data was read in SYN_RECV" \
			eq "$(grep -c 'accepted state=3 early=5' /tmp/srv.log)" 1
		check "the SYN-ACK went again (timer or the client's SYN)" \
			test "$(($(stat_of SynRetrans ns_x) + $(stat_of SynAckResends ns_x) - sent))" -ge 1
		check "2 Fast Opens" eq "$(stat_of FastOpenPassive ns_x)" 2
	fi
	;;
early|early-loss)
	cstack=$2
	cap=tcp
	[ "$cstack" = xtcp ] && cap=
	size=100000
	rm -f /tmp/srv.log
	$IP netns exec ns_x tfo answer xtcp 7000 $size 2 >/tmp/srv.log 2>&1 &
	srv=$!
	check "xtcp Fast Open listener up" wait_listening /tmp/srv.log
	ask() {
		$IP netns exec ns_t tfo ask "$cstack" 192.0.2.1 7000 1 >>/tmp/cli.log 2>&1
	}
	: >/tmp/cli.log
	ask			# fetches the cookie
	if [ "$mode" = early-loss ]; then
		# SYN-ACKs (TCP flags byte 0x12) dropped on their way into
		# ns_t, until the tap (which runs before tc) saw the first
		/sbin/tc -n ns_t qdisc add dev veth_t clsact || exit 1
		/sbin/tc -n ns_t filter add dev veth_t ingress protocol ip u32 \
			match ip protocol $([ "$cstack" = xtcp ] && echo 253 || echo 6) 0xff \
			match u8 0x12 0xff at 33 action drop || exit 1
	fi
	resent=$(($(stat_of SynRetrans ns_x) + $(stat_of SynAckResends ns_x)))
	retrans=$(stat_of RetransSegs ns_x)
	tap $cap
	ask &
	cli=$!
	if [ "$mode" = early-loss ]; then
		wait_for 'in flags=0x12' /tmp/cap.log 20
		/sbin/tc -n ns_t filter del dev veth_t ingress
	fi
	wait $cli
	wait $srv
	kill $capid 2>/dev/null
	wait $capid 2>/dev/null
	cat /tmp/srv.log /tmp/cli.log
	hash=$(sed -n 's/^answered 1: .*hash=\([0-9a-f]*\).*/\1/p' /tmp/srv.log)
	check "the 2nd connection's request came in its SYN" \
		eq "$(stat_of FastOpenPassive ns_x)" 1
	check "... and the child wrote its answer in SYN_RECV, data out at once" \
		grep -q '^answered 1: state=3 data_segs=[1-9]' /tmp/srv.log
	check "the client read all of the answer, and EOF" \
		grep -q "^asked 0: .*got=$size hash=$hash syn_data_acked=0" /tmp/cli.log
	check "... and again, its request in the SYN" \
		grep -q "^asked 0: .*got=$size hash=$hash syn_data_acked=1" /tmp/cli.log
	# the 2nd connection's segments on veth_t (known by the client's
	# ISN: the 1st one's last ACKs may still come out of the delay): the
	# answer's first data segment came in before the client's final ACK
	# (a bare ACK) went out
	isn=$(sed -n 's/.*out flags=0x02 seq=\([0-9]*\) .* len=5$/\1/p' /tmp/cap.log | head -1)
	nxt=$(( (${isn:-0} + 6) % 4294967296 ))
	first_data=$(grep -n "in flags=0x1[08] .* ack=$nxt len=[1-9]" /tmp/cap.log | head -1 | cut -d: -f1)
	final_ack=$(grep -n "out flags=0x10 seq=$nxt .* len=0" /tmp/cap.log | head -1 | cut -d: -f1)
	check "on the wire: the answer came before the final ACK went" \
		test "${first_data:-99999}" -lt "${final_ack:-0}"
	echo "  (time to the answer's first byte: $(sed -n 's/^asked 0: .*ms=//p' /tmp/cli.log | tail -1) ms, one RTT 500 ms)"
	if [ "$mode" = early-loss ]; then
		check "the SYN-ACK went again" \
			test "$(($(stat_of SynRetrans ns_x) + $(stat_of SynAckResends ns_x) - resent))" -ge 1
		check "... seen twice on the wire" \
			test "$(grep -c 'in flags=0x12' /tmp/cap.log)" -ge 2
		check "... and the data sent behind the lost one went again" \
			test "$(($(stat_of RetransSegs ns_x) - retrans))" -ge 1
	fi
	;;
*)
	echo "usage: tfo.sh linux-client|rotate|overflow|syncookies|synack-loss|timeout|xtcp-xtcp|xtcp-linux|blackhole|early xtcp|tcp|early-loss xtcp|tcp"
	exit 2
	;;
esac
done_test
