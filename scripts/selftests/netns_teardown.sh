#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A namespace deleted while it holds a listener with request socks (whose
# SYN-ACKs are never answered) and unaccepted children: when its last
# process exits, everything of xtcp in it goes, with no warning, no leak
# (kmem_cache_destroy at rmmod would complain) and no timer left behind.
#
#   ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s
#   SYNs from sendsyn;           listener on 8080 that never accepts,
#   SYN-ACKs dropped on ingress  4 loopback clients in its queue
. /xtcp/bin/lib.sh

trap netns_cleanup EXIT

veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
drop_xtcp_in ns_c veth_c || exit 1

$IP netns exec ns_s holdsock listen 8080 4 >/tmp/hold.log 2>&1 &
pid=$!
check "listener with 4 unaccepted children" wait_for ready /tmp/hold.log
check "20 SYNs sent" $IP netns exec ns_c sendsyn 192.0.2.1 20 8080
sleep 0.3
synrecv=$($IP netns exec ns_s cat /proc/net/xtcp | grep -c SYN_RECV)
estab=$($IP netns exec ns_s cat /proc/net/xtcp | grep -c ESTABLISHED)
check "20 request socks" eq "$synrecv" 20
check "8 ESTABLISHED entries (4 clients, 4 children)" eq "$estab" 8

$IP netns del ns_s
check "namespace deleted, its process still holds it" kill -0 $pid
kill $pid
wait $pid 2>/dev/null
check "everything gone: rmmod succeeds" unload_wait
check "reload" load
done_test
