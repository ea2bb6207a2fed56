#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An open socket pins the module: rmmod is refused while one exists, in this
# namespace or another, and allowed once the last one is closed, including
# one whose namespace was deleted while it was open.
. /xtcp/bin/lib.sh

wait_ready() { # wait_ready FILE
	i=0
	while [ $i -lt 100 ]; do
		grep -q ready "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

check "module loaded" loaded

holdsock >/tmp/hold1 &
pid=$!
check "socket opened" wait_ready /tmp/hold1
check "rmmod refused while a socket is open" sh -c '! rmmod xtcp 2>/dev/null'
check "module still loaded" loaded
check "refcount shows the socket" sh -c '[ "$(cat /sys/module/xtcp/refcnt)" -ge 1 ]'
kill $pid
wait $pid 2>/dev/null
check "rmmod allowed after close" unload
check "reload" load

log "socket in a namespace that is deleted while the socket is open"
$IP netns add rmmod_ns
$IP netns exec rmmod_ns holdsock >/tmp/hold2 &
pid=$!
check "socket opened in netns" wait_ready /tmp/hold2
$IP netns del rmmod_ns
check "rmmod refused while it is open" sh -c '! rmmod xtcp 2>/dev/null'
kill $pid
wait $pid 2>/dev/null
# The namespace is freed asynchronously once its last reference goes.
check "rmmod allowed once the namespace's socket is closed" unload_wait
check "reload" load
done_test
