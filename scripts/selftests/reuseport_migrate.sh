#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# reuseport_migrate.sh: a SO_REUSEPORT member closes with handshakes in
# flight, and the other member takes them all (migrate_req, on by default).
#
#   ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
#
# Two listeners share port 9200 in ns_s. Ten clients connect and wait in
# the accept queues. Then ns_c's final ACKs are dropped on the way out
# (tc: pure ACKs of xtcp), and ten more clients connect: for them the
# handshake is done, for the server they are request socks. The first
# listener closes; the ACK filter goes; the requests' SYN-ACK
# retransmission brings the ACKs again. Every client must come out of
# the second listener's accept(): the first one's children moved at
# close, its requests at their final ACK. No RST, no failure counted.
. /xtcp/bin/lib.sh

trap 'rm -f /tmp/rp.close; netns_cleanup' EXIT
rm -f /tmp/rp.close

veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
proto=$(cat /sys/module/xtcp/parameters/ipproto)

$IP netns exec ns_s reuseport migrate-server 9200 20 >/tmp/rps.log 2>&1 &
srv=$!
wait_for ready /tmp/rps.log || exit 1

$IP netns exec ns_c reuseport migrate-client 192.0.2.1 9200 10 >/tmp/rpc1.log 2>&1 &
c1=$!
wait_for connected /tmp/rpc1.log || exit 1

# the client's pure ACKs (flags byte 0x10, IP header of 20 bytes) go nowhere
must /sbin/tc -n ns_c qdisc add dev veth_c clsact
must /sbin/tc -n ns_c filter add dev veth_c egress protocol ip pref 1 u32 \
	match ip protocol "$proto" 0xff match u8 0x10 0xff at 33 action drop
$IP netns exec ns_c reuseport migrate-client 192.0.2.1 9200 10 >/tmp/rpc2.log 2>&1 &
c2=$!
wait_for connected /tmp/rpc2.log || exit 1
i=0
while [ "$($IP netns exec ns_s cat /proc/net/xtcp | grep -c SYN_RECV)" -lt 10 ] &&
	[ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
check "ten handshakes wait for their final ACK" \
	eq "$($IP netns exec ns_s cat /proc/net/xtcp | grep -c SYN_RECV)" 10

touch /tmp/rp.close
wait_for closed /tmp/rps.log || exit 1
must /sbin/tc -n ns_c filter del dev veth_c egress pref 1
check "every client comes out of the remaining listener" wait $srv
cat /tmp/rps.log
log "MigrateReqSuccess $(stat_of MigrateReqSuccess ns_s)"
check "some were handed over (MigrateReqSuccess > 0)" \
	test "$(stat_of MigrateReqSuccess ns_s)" -gt 0
check "none failed (MigrateReqFailure 0)" \
	eq "$(stat_of MigrateReqFailure ns_s)" 0
check "no RST sent" eq "$(stat_of OutRsts ns_s)" 0
# the clients close while ns_s can still answer their FINs: none is left
# an orphan retransmitting into a deleted namespace
kill $c1 $c2
wait $c1 $c2 2>/dev/null
i=0
while $IP netns exec ns_c cat /proc/net/xtcp | grep -qv remote &&
	[ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
done_test
