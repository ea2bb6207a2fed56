#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Counters are per network namespace, and namespaces that existed before the
# module was loaded get their own too.
#
#   ns_a (192.0.2.1/24) veth_a ---- veth_b (192.0.2.2/24) ns_b
#
# A broadcast from ns_a reaches ns_b as a link-layer broadcast: dropped
# there and counted as InNotForHost, not InSegs.
. /xtcp/bin/lib.sh

trap netns_cleanup EXIT

unload
$IP netns add ns_pre
netns_made=ns_pre
check "load with a namespace already present" load
check "which gets its own stat file" eq "$(stat_of InSegs ns_pre)" 0
veth_pair ns_a veth_a 192.0.2.1 ns_b veth_b 192.0.2.2 || exit 1

check "ns_a has its stat file" eq "$(stat_of InSegs ns_a)" 0
check "ns_b has its stat file" eq "$(stat_of InSegs ns_b)" 0

init_segs=$(stat_of InSegs)
check "malformed segments counted inside ns_b" \
	$IP netns exec ns_b inject_malformed
check "... and not in ns_a" eq "$(stat_of InSegs ns_a)" 0
check "... nor in the initial namespace" eq "$(stat_of InSegs)" "$init_segs"

b_segs=$(stat_of InSegs ns_b)
b_nosock=$(stat_of InNoSocket ns_b)
check "unicast over veth counted in ns_b" $IP netns exec ns_a sendsyn 192.0.2.2 5
i=0
while [ "$(stat_of InSegs ns_b)" != $((b_segs + 5)) ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "ns_b InSegs +5" eq "$(stat_of InSegs ns_b)" $((b_segs + 5))
check "ns_b InNoSocket +5" eq "$(stat_of InNoSocket ns_b)" $((b_nosock + 5))

nh=$(stat_of InNotForHost ns_b)
check "broadcast sent" $IP netns exec ns_a sendsyn 192.0.2.255 7
i=0
while [ "$(stat_of InNotForHost ns_b)" != $((nh + 7)) ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
check "ns_b InNotForHost +7" eq "$(stat_of InNotForHost ns_b)" $((nh + 7))
check "broadcasts not counted as InSegs" eq "$(stat_of InSegs ns_b)" $((b_segs + 5))
done_test
