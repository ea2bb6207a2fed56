#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lookups that never miss (xchurn): with a 16-bucket ehash every chain is
# shared, and entries hop between chains while a client connects in a
# loop. Reloads xtcp for the parameter, and again without it at the end.
# TIME_WAIT and orphan limits are raised: they default to ehash/2.
. /xtcp/bin/lib.sh

check "unload" unload
check "load ehash_entries=16" load ehash_entries=16
check "16 buckets" eq "$(cat /sys/module/xtcp/parameters/ehash_entries)" 16
$IP netns add churn
$IP -n churn link set lo up
# both default to half the ehash: 8 here
$IP netns exec churn sh -c 'echo 100000 >/proc/sys/net/xtcp/max_tw_buckets &&
	echo 100000 >/proc/sys/net/xtcp/max_orphans'
check "xchurn 300" $IP netns exec churn xchurn 300
$IP netns del churn
check "unload" unload
check "load" load
done_test
