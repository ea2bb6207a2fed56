#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A SYN flood, bounded in time and count, while a real client connects.
#
#   ns_f (192.0.2.2) veth_f ---- veth_s (192.0.2.1) ns_s
#   flooder: spoofed sources     listener 0.0.0.0:8080, backlog 128
#   198.18.0.0/15; drops         (request queue 129, then cookies);
#   everything on ingress        real client over loopback every 10 ms;
#                                route 198.18.0.0/15 via ns_f
#
# Every real connection must succeed, the request queue never exceed its
# bound, and afterwards every request sock expire (synack_retries=2) and
# the request-sock slab go back to where it was.
. /xtcp/bin/lib.sh

TC=/sbin/tc
trap netns_cleanup EXIT

veth_pair ns_f veth_f 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
$IP -n ns_s route add 198.18.0.0/15 via 192.0.2.2 || exit 1
$TC -n ns_f qdisc add dev veth_f clsact || exit 1
$TC -n ns_f filter add dev veth_f ingress protocol ip u32 \
	match u32 0 0 action drop || exit 1
$IP netns exec ns_s sh -c 'echo 2 > /proc/sys/net/xtcp/synack_retries'

# Objects in use in the request-sock cache, after SLUB has handed its
# per-CPU slabs back (it counts their free objects as in use otherwise).
slab() {
	echo 1 > /sys/kernel/slab/xtcp_request/shrink 2>/dev/null
	awk '$1 == "xtcp_request" { print $2 }' /proc/slabinfo
}
slab_before=$(slab)

$IP netns exec ns_s floodtest serve xtcp 8080 6 >/tmp/serve.log 2>&1 &
srv=$!
wait_listening /tmp/serve.log || exit 1
sleep 0.5
$IP netns exec ns_f floodtest syn 192.0.2.1 8080 xtcp 4 400000
wait $srv
cat /tmp/serve.log
set -- $(grep '^connects' /tmp/serve.log)
check "the real client connected throughout ($2 connects)" sh -c "[ ${2:-0} -ge 100 ]"
check "no real connection failed" eq "${4:-x}" 0
check "the request queue never passed its bound 129 (max ${10:-x})" \
	sh -c "[ ${10:-999} -le 129 ]"
check "cookies took over past the bound" \
	sh -c "[ $(stat_of SyncookiesSent ns_s) -gt 0 ]"
echo "  ns_s: $($IP netns exec ns_s cat /proc/net/xtcp_stat | awk '$2 != 0' | tr '\n' ' ')"

# synack_retries=2: SYN-ACKs at 0, 1, 3 s, expiry at 7 s
i=0
while [ "$(stat_of CurrRequests ns_s)" != 0 ] && [ $i -lt 120 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "every request sock expired (CurrRequests 0)" eq "$(stat_of CurrRequests ns_s)" 0
check "none left in /proc/net/xtcp" \
	eq "$($IP netns exec ns_s cat /proc/net/xtcp | grep -c SYN_RECV)" 0
sleep 0.5	# the last frees go through call_rcu()
slab_after=$(slab)
echo "  xtcp_request slab objects: $slab_before before, $slab_after after"
check "the request-sock slab is back where it was" \
	eq "${slab_after:-x}" "${slab_before:-y}"
done_test
