#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What outlives a close, and the module: an orphan is a socket and pins
# the module (rmmod refused) until its retries run out; TIME_WAIT entries
# pin nothing, and a namespace's exit or rmmod ends them, leaving no
# object and no timer (the runner fails on any kernel warning, and
# kmem_cache_destroy warns about objects left).
. /xtcp/bin/lib.sh

trap netns_cleanup EXIT

wait_until() { # wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s
	n=$1
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		[ $i -ge $((n * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}
eq_stat() { [ "$(stat_of "$2" "$1")" = "$3" ]; } # eq_stat NETNS NAME VALUE

silence="/sbin/tc -n ns_t qdisc add dev veth_t root netem loss 100%"

log "an orphan retransmitting to a silent peer"
veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
$IP netns exec ns_x sh -c 'echo 2 > /proc/sys/net/xtcp/orphan_retries'
check "orphan made" xclose orphan xtcp xtcp "$silence"
check "CurrOrphans 1" eq "$(stat_of CurrOrphans ns_x)" 1
check "rmmod refused while the orphan lives" sh -c '! rmmod xtcp 2>/dev/null'
# orphan_retries 2: two RTOs (at most a few seconds), then a RST
check "the orphan gives up" wait_until 20 eq_stat ns_x CurrOrphans 0
check "AbortOnTimeout counted it" test "$(stat_of AbortOnTimeout ns_x)" -ge 1
netns_cleanup
netns_made=
check "then rmmod succeeds" unload_wait
check "reload" load

log "TIME_WAIT entries in a namespace that goes away"
veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
for i in 1 2 3; do
	xclose active xtcp xtcp >/dev/null || check "active close $i" false
done
check "three TIME_WAIT entries" eq "$(stat_of CurrTimeWait ns_x)" 3
netns_cleanup
netns_made=
check "rmmod at once: TIME_WAIT pins nothing" unload_wait
check "reload" load

log "TIME_WAIT entries in the initial namespace, then rmmod"
check "a loopback connection closed" handshake.sh basic
check "TIME_WAIT in the initial namespace" \
	test "$(stat_of CurrTimeWait)" -ge 1
check "rmmod ends them" unload_wait
check "reload" load
check "a fresh module: no TIME_WAIT" eq "$(stat_of CurrTimeWait)" 0
done_test
