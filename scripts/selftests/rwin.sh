#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rwin.sh wscale|autotune|csum|gsocut|swcsum|stretch: the receive window, xtcp against Linux TCP
# with the same settings, through the protocol-byte translator (xrwin).
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   xtcp sockets      | tc on veth_x: IP proto 253 <-> 6    Linux TCP
#
# wscale: for each receive-buffer limit (net.ipv4.tcp_rmem in ns_t and
# net.xtcp.rmem in ns_x set alike), the window scale xtcp offers in its
# SYN and in its SYN-ACK must be Linux's for the same limit: each stack's
# TCP_INFO says what it offered (rcv_wscale), the peer's what arrived
# (snd_wscale). Then a locked SO_RCVBUF and a TCP_WINDOW_CLAMP, which
# make the scale smaller, and a SYN-ACK from a SYN cookie, which must
# grant the same scale and keep the peer's (11, above the 7 of old).
#
# autotune: a one-way bulk transfer to a receiver with default buffers
# grows its SO_RCVBUF (receive-buffer auto-tuning), on xtcp and on Linux
# TCP; a receiver whose SO_RCVBUF was set keeps it.
. /xtcp/bin/lib.sh

mode=$1
trap 'netns_cleanup; echo "$core_max" > /proc/sys/net/core/rmem_max' EXIT
core_max=$(cat /proc/sys/net/core/rmem_max)

veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
translate ns_x veth_x

# rmem MIN DEF MAX: the same receive-buffer settings for both stacks
rmem() {
	must $IP netns exec ns_t sh -c "echo '$1 $2 $3' > /proc/sys/net/ipv4/tcp_rmem"
	must $IP netns exec ns_x sh -c "echo '$1 $2 $3' > /proc/sys/net/xtcp/rmem"
}

# field KEY FILE: the value of KEY=value in FILE's first line holding it
field() {
	sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" "$2" | head -n 1
}

# conn SERVER_NS SERVER_STACK CLIENT_NS CLIENT_STACK ADDR BYTES [RCVBUF [CLAMP]]
# one connection; the two sides' lines land in /tmp/rw_srv.log and
# /tmp/rw_cli.log
conn() {
	rm -f /tmp/rw_srv.log /tmp/rw_cli.log
	$IP netns exec "$1" xrwin server "$2" 7100 ${7:-} >/tmp/rw_srv.log 2>&1 &
	srv=$!
	wait_listening /tmp/rw_srv.log || { echo "  no listener"; return 1; }
	$IP netns exec "$3" xrwin client "$4" "$5" 7100 "$6" ${8:-} \
		>/tmp/rw_cli.log 2>&1 || { cat /tmp/rw_cli.log; return 1; }
	wait $srv || { cat /tmp/rw_srv.log; return 1; }
	sed 's/^/    /' /tmp/rw_cli.log /tmp/rw_srv.log | grep -v listening
}

# offers WANT SERVER_STACK CLIENT_STACK [RCVBUF [CLAMP]]: one handshake;
# WANT is what the side given RCVBUF or CLAMP (or either side) offers
offers() {
	want=$1
	if [ "$2" = xtcp ]; then
		conn ns_x xtcp ns_t tcp 192.0.2.1 0 "${4:-}" "${5:-}" || return 1
	else
		conn ns_t tcp ns_x xtcp 192.0.2.2 0 "${4:-}" "${5:-}" || return 1
	fi
	srv_rcv=$(field rcv_wscale /tmp/rw_srv.log)
	srv_snd=$(field snd_wscale /tmp/rw_srv.log)
	cli_rcv=$(field rcv_wscale /tmp/rw_cli.log)
	cli_snd=$(field snd_wscale /tmp/rw_cli.log)
	# what each side offered arrived as sent
	eq "$srv_snd" "$cli_rcv" && eq "$cli_snd" "$srv_rcv" || return 1
	if [ -n "${4:-}" ]; then
		eq "$srv_rcv" "$want"
	elif [ -n "${5:-}" ]; then
		eq "$cli_rcv" "$want"
	else
		eq "$srv_rcv" "$want" && eq "$cli_rcv" "$want"
	fi
}

wscale() {
	# net.core.rmem_max (one for all namespaces) out of the way
	echo 4096 > /proc/sys/net/core/rmem_max
	for c in 6291456:7 8388608:8 16777216:9 \
		 67108864:11 1073741824:14; do
		max=${c%:*}
		want=${c#*:}
		rmem 4096 131072 "$max"
		check "rmem max $max: both offer $want, xtcp SYN" offers "$want" tcp xtcp
		check "rmem max $max: both offer $want, xtcp SYN-ACK" offers "$want" xtcp tcp
	done
	# SO_RCVBUF 1.5 MiB before listen: windows of 1.5 MiB at most, 5
	echo 4194304 > /proc/sys/net/core/rmem_max
	rmem 4096 131072 16777216
	check "SO_RCVBUF locked: Linux server offers 5" offers 5 tcp xtcp 1572864
	check "SO_RCVBUF locked: xtcp server offers 5" offers 5 xtcp tcp 1572864
	check "TCP_WINDOW_CLAMP 100000: Linux client offers 1" offers 1 xtcp tcp "" 100000
	check "TCP_WINDOW_CLAMP 100000: xtcp client offers 1" offers 1 tcp xtcp "" 100000
	# a SYN cookie carries the client's 11 and grants the listener's 11
	echo 4096 > /proc/sys/net/core/rmem_max
	rmem 4096 131072 67108864
	must $IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/syncookies'
	sent=$(stat_of SyncookiesSent ns_x)
	check "SYN cookie: both offer 11, each side's arrives" offers 11 xtcp tcp
	check "the SYN-ACK was a cookie's" [ "$(stat_of SyncookiesSent ns_x)" -gt "$sent" ]
}

# grown RECEIVER_STACK SENDER_STACK [RCVBUF]: one 8 MB transfer to the
# receiver (the server); its SO_RCVBUF before and after
grown() {
	if [ "$1" = xtcp ]; then
		conn ns_x xtcp ns_t tcp 192.0.2.1 8000000 "${3:-}" || return 1
	else
		conn ns_t tcp ns_x xtcp 192.0.2.2 8000000 "${3:-}" || return 1
	fi
	before=$(field rcvbuf_before /tmp/rw_srv.log)
	after=$(field rcvbuf_after /tmp/rw_srv.log)
	eq "$(field bytes /tmp/rw_srv.log)" 8000000
}

autotune() {
	# Linux's default buffer (128 KiB) for both, so that growth shows
	rmem 4096 131072 6291456
	for ns in ns_x ns_t; do
		check "tcp_moderate_rcvbuf 1 in $ns" eq \
			"$($IP netns exec $ns cat /proc/sys/net/ipv4/tcp_moderate_rcvbuf)" 1
	done
	check "Linux TCP receiver: SO_RCVBUF grew" grown tcp xtcp
	log "    Linux TCP: $before -> $after"
	check "  (beyond its default)" [ "$after" -gt "$before" ]
	n=$(stat_of RcvBufGrown ns_x)
	check "xtcp receiver: an 8 MB transfer" grown xtcp tcp
	log "    xtcp: $before -> $after"
	check "  SO_RCVBUF grew beyond its default" [ "$after" -gt "$before" ]
	check "  and no further than rmem[2]" [ "$after" -le 6291456 ]
	check "  RcvBufGrown counted it" [ "$(stat_of RcvBufGrown ns_x)" -gt "$n" ]
	check "xtcp receiver, SO_RCVBUF 65536 before listen" grown xtcp tcp 65536
	check "  SO_RCVBUF stayed (doubled, as set)" eq "$after" 131072
	check "  and before" eq "$before" 131072
	# moderate_rcvbuf=0: nothing grows
	must $IP netns exec ns_x sh -c 'echo 0 > /proc/sys/net/xtcp/moderate_rcvbuf'
	check "xtcp receiver, moderate_rcvbuf 0" grown xtcp tcp
	check "  SO_RCVBUF stayed" eq "$after" 131072
}

# csum: xtcp to xtcp over veth (no translator), xtcp's data segments as
# they arrive: their checksums, left to the device (CHECKSUM_PARTIAL),
# must verify once summed, pseudo-header included. veth takes xtcp's GSO
# runs whole, so some frames carry more than one MSS.
#
# gsocut: the same with veth_x's "tx-gso-list" off and its TSO still on,
# as a NIC with TSO (or virtio-net) is: such a device must never take an
# xtcp run whole (its TSO engine would cut a protocol-253 packet as TCP),
# so every frame on the wire holds one MSS at most, and the transfer
# still arrives whole.
#
# swcsum: the same with veth_x's checksum offload off (so TSO is off
# too): xtcp sums every segment in software, its runs when they are cut
# at the device, and every sum must be right.
csum() {
	/sbin/tc -n ns_x qdisc del dev veth_x clsact
	case $1 in
	cut)
		must $IP netns exec ns_x /sbin/ethtool -K veth_x tx-gso-list off
		must $IP netns exec ns_x sh -c \
			"/sbin/ethtool -k veth_x | grep -q '^tcp-segmentation-offload: on'"
		;;
	sw)
		must $IP netns exec ns_x /sbin/ethtool -K veth_x tx off
		must $IP netns exec ns_x sh -c \
			"/sbin/ethtool -k veth_x | grep -q 'tx-checksum-ip-generic: off'"
		;;
	esac
	rm -f /tmp/rw_tap.log
	$IP netns exec ns_t xcsum veth_t 5000 20 >/tmp/rw_tap.log 2>&1 &
	tap=$!
	must wait_listening /tmp/rw_tap.log
	$IP netns exec ns_t xrwin server xtcp 7100 >/tmp/rw_srv.log 2>&1 &
	must wait_listening /tmp/rw_srv.log
	$IP netns exec ns_x xrwin client xtcp 192.0.2.2 7100 1000000 &
	cli=$!
	# a stalled transfer shows its sockets before the runner kills it
	# (such a dump showed the SACK reneging that stalled it on 6.12)
	if stalled $cli 40; then
		log "stalled after 40 s: the connections as the stacks see them"
		dump_conns ns_x ns_t
		kill $cli
	fi
	check "xtcp to xtcp, 1 MB" wait $cli
	check "20 data segments captured, every checksum right" wait $tap
	cat /tmp/rw_tap.log
	max=$(field max /tmp/rw_tap.log)
	open=$(field open /tmp/rw_tap.log)
	if [ "$1" = sw ]; then
		check "every segment summed before the device" eq "$open" 0
	else
		check "sums left to the device" [ "${open:-0}" -gt 0 ]
	fi
	if [ "$1" = whole ]; then
		check "GSO runs crossed the veth whole" [ "${max:-0}" -gt 1460 ]
	else
		check "no frame above one MSS (1460 bytes) on the wire" \
			[ "${max:-99999}" -le 1460 ]
	fi
}

# stretch: a slow reader (16 kB, then 20 ms asleep; SO_RCVBUF 64 kB, so
# it falls behind at once) of 1 MB, each stack as the receiver with the
# other sending: segments per ACK (data segments in over segments out,
# from the receiver's TCP_INFO). Linux holds the ACK of a second full
# segment while the reader is behind and sends one per read; so must xtcp
# (it ACKed every second segment: 2).
per_ack() {
	rm -f /tmp/rw_srv.log
	$IP netns exec "$1" env XRWIN_SLOW=16384:20 xrwin server "$2" 7100 65536 \
		>/tmp/rw_srv.log 2>&1 &
	srv=$!
	wait_listening /tmp/rw_srv.log || return 1
	$IP netns exec "$3" xrwin client "$4" "$5" 7100 1000000 >/dev/null 2>&1 ||
		return 1
	wait $srv || return 1
	eq "$(field bytes /tmp/rw_srv.log)" 1000000 || return 1
	din=$(field data_segs_in /tmp/rw_srv.log)
	sout=$(field segs_out /tmp/rw_srv.log)
	[ "${sout:-0}" -gt 0 ] || return 1
	ratio=$((din * 10 / sout))
	log "    $2 receiver: $din data segments in, $sout segments out:" \
		"$((ratio / 10)).$((ratio % 10)) per ACK"
}

stretch() {
	# Either sender would hand the receiver 64 kB GSO packets that count
	# as one segment each. Like for like, MSS-sized ones from both:
	must $IP -n ns_t link set dev veth_t gso_max_segs 1
	must $IP -n ns_x link set dev veth_x gso_max_segs 1
	check "Linux TCP receiver, xtcp sender: 1 MB to a slow reader" \
		per_ack ns_t tcp ns_x xtcp 192.0.2.2
	check "  Linux ACKs 4 data segments or more at a time" [ "$ratio" -ge 40 ]
	check "xtcp receiver, Linux TCP sender: 1 MB to a slow reader" \
		per_ack ns_x xtcp ns_t tcp 192.0.2.1
	check "  so does xtcp" [ "$ratio" -ge 40 ]
}

# conv SRV_NS SRV_PROTO CLI_NS CLI_PROTO ADDR PORT: a conversation of $n
# exchanges; sets cli_out and srv_out, the segments each end sent
conv() {
	rm -f /tmp/rr_srv.log /tmp/rr_cli.log
	$IP netns exec "$1" xrwin rrserver "$2" "$6" >/tmp/rr_srv.log 2>&1 &
	srv=$!
	wait_listening /tmp/rr_srv.log || { echo "  no listener"; return 1; }
	$IP netns exec "$3" xrwin rrclient "$4" "$5" "$6" "$n" >/tmp/rr_cli.log 2>&1 ||
		{ cat /tmp/rr_cli.log; kill $srv; return 1; }
	wait $srv || { cat /tmp/rr_srv.log; return 1; }
	sed 's/^/    /' /tmp/rr_cli.log /tmp/rr_srv.log | grep -v listening
	cli_out=$(field segs_out /tmp/rr_cli.log)
	srv_out=$(field segs_out /tmp/rr_srv.log)
	eq "$(field exchanges /tmp/rr_srv.log)" "$n"
}

# Request and response of 100 bytes, TCP_NODELAY: each answer carries
# the ACK of the request, so one segment per exchange from each end
# (plus the handshake and the quick ACKs of a connection's start), where
# a bare ACK ahead of every answer would make it two.
rr() {
	n=400
	limit=$((n * 5 / 4 + 20))
	check "xtcp client, Linux TCP server: $n exchanges" conv ns_t tcp ns_x xtcp 192.0.2.2 7101
	check "  the xtcp client sent $limit segments at most" [ "$cli_out" -le $limit ]
	check "  so did the Linux server" [ "$srv_out" -le $limit ]
	check "Linux TCP client, xtcp server: $n exchanges" conv ns_x xtcp ns_t tcp 192.0.2.1 7102
	check "  the xtcp server sent $limit segments at most" [ "$srv_out" -le $limit ]
	check "  so did the Linux client" [ "$cli_out" -le $limit ]
	check "xtcp to xtcp in one namespace: $n exchanges" conv ns_x xtcp ns_x xtcp 192.0.2.1 7103
	check "  the client sent $limit segments at most" [ "$cli_out" -le $limit ]
	check "  so did the server" [ "$srv_out" -le $limit ]
}

case "$mode" in
rr)
	rr
	;;
stretch)
	stretch
	;;
csum)
	csum whole
	;;
gsocut)
	csum cut
	;;
swcsum)
	csum sw
	;;
wscale)
	wscale
	;;
autotune)
	autotune
	;;
*)
	echo "usage: rwin.sh wscale|autotune|csum|gsocut|swcsum|stretch|rr"
	exit 2
	;;
esac
done_test
