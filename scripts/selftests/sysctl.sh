#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /proc/sys/net/xtcp/: defaults, range checks, per-netns independence.
. /xtcp/bin/lib.sh

D=/proc/sys/net/xtcp
cleanup() { $IP netns del sys_a 2>/dev/null; $IP netns del sys_b 2>/dev/null; }
trap cleanup EXIT

# name default good bad...
for spec in "socket_needs_net_raw 1 0 -1 2 x" \
	    "syncookies 1 2 -1 3 x" \
	    "max_syn_backlog 4096 128 0 -1 1048577 abc" \
	    "syn_retries 6 2 0 -1 128 x" \
	    "synack_retries 5 3 0 -1 128 x" \
	    "abort_on_overflow 0 1 -1 2 x" \
	    "congestion_control cubic reno bbr nosuchcc 1 CUBIC"; do
	set -- $spec
	name=$1 def=$2 good=$3
	shift 3
	check "$name exists, default $def" eq "$(cat $D/$name)" "$def"
	for bad in "$@"; do
		check "$name=$bad refused" sh -c "! echo $bad > $D/$name 2>/dev/null"
		check "$name still $def" eq "$(cat $D/$name)" "$def"
	done
	check "$name=$good accepted" sh -c "echo $good > $D/$name"
	check "$name reads $good" eq "$(cat $D/$name)" "$good"
	echo "$def" > $D/$name
done

$IP netns add sys_a
$IP netns exec sys_a sh -c "echo 3 > $D/syn_retries"
$IP netns add sys_b
check "set in one namespace" eq "$($IP netns exec sys_a cat $D/syn_retries)" 3
check "not in another" eq "$($IP netns exec sys_b cat $D/syn_retries)" 6
check "nor in the initial one" eq "$(cat $D/syn_retries)" 6
echo 9 > $D/syn_retries
$IP netns add sys_c
check "a new namespace starts from the defaults" \
	eq "$($IP netns exec sys_c cat $D/syn_retries)" 6
$IP netns del sys_c
echo 6 > $D/syn_retries

$IP netns exec sys_a sh -c "echo reno > $D/congestion_control"
check "congestion_control set in one namespace" \
	eq "$($IP netns exec sys_a cat $D/congestion_control)" reno
check "not in another" eq "$($IP netns exec sys_b cat $D/congestion_control)" cubic
check "nor in the initial one" eq "$(cat $D/congestion_control)" cubic
done_test
