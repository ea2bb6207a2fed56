#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the in-VM shell tests (busybox sh). iproute2 is called by path:
# busybox would otherwise run its own, smaller `ip` applet.

KO=/xtcp/xtcp.ko
IP=/sbin/ip
failures=0

log() { echo "$*"; }

# stalled PID SECS: wait up to SECS for PID to end; true if it has not.
stalled() {
	_n=0
	while kill -0 "$1" 2>/dev/null && [ $_n -lt $(($2 * 10)) ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -0 "$1" 2>/dev/null
}

# dump_conns NS...: each namespace's connections as xtcp and Linux TCP
# see them, and xtcp's counters that are not 0 (a stalled transfer's
# evidence, before the runner kills it)
dump_conns() {
	for _ns in "$@"; do
		log "$_ns:"
		$IP netns exec "$_ns" cat /proc/net/xtcp 2>/dev/null
		$IP netns exec "$_ns" /bin/ss -tnmi 2>/dev/null
		$IP netns exec "$_ns" cat /proc/net/xtcp_stat 2>/dev/null |
			awk '$2 != 0' | tr '\n' ' '
		echo
	done
}

# check DESCRIPTION COMMAND...: run COMMAND, record ok or FAIL.
check() {
	desc=$1
	shift
	if "$@"; then
		echo "  ok: $desc"
	else
		echo "  FAIL: $desc"
		failures=$((failures + 1))
	fi
}

done_test() {
	[ "$failures" -eq 0 ] || echo "$failures check(s) failed"
	[ "$failures" -eq 0 ]
	exit $?
}

loaded() { [ -d /sys/module/xtcp ]; }
not_loaded() { ! loaded; }

unload() {
	unload_wait
}

# unload_wait: rmmod, retrying for up to 5 s. A closed socket is freed
# after an RCU grace period, and only then lets go of the module.
unload_wait() {
	i=0
	while loaded && ! rmmod xtcp 2>/dev/null; do
		if [ $i -ge 100 ]; then
			# what still holds it: sockets (orphans included)
			echo "    xtcp still in use: refcnt $(cat /sys/module/xtcp/refcnt)"
			grep -E 'CurrEstab|CurrOrphans|CurrTimeWait|CurrRequests' \
				/proc/net/xtcp_stat 2>/dev/null | tr '\n' ' '
			echo
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	not_loaded
}

# load [PARAMS...]: insmod, keeping its error text for the log.
load() {
	insmod "$KO" "$@"
}

stat_of() { # stat_of NAME [NETNS]
	if [ -n "${2:-}" ]; then
		$IP netns exec "$2" cat /proc/net/xtcp_stat
	else
		cat /proc/net/xtcp_stat
	fi | awk -v k="$1" '$1 == k { print $2 }'
}


# eq A B: numeric equality that also logs the values on failure.
eq() {
	[ "$1" = "$2" ] && return 0
	echo "    got '$1', want '$2'"
	return 1
}

# must COMMAND...: setup that cannot fail without making the test meaningless.
must() {
	if ! "$@"; then
		echo "  FAIL: setup: $*"
		exit 1
	fi
}

# wait_for WORDS LOGFILE [SECONDS]: wait (up to SECONDS, default 10)
# until a program started in the background has printed WORDS (a grep
# pattern) to LOGFILE; false, and says so, if it never did. A loaded VM
# is slow: wait for the word, never a fixed time.
wait_for() {
	i=0
	while ! grep -q "$1" "$2" 2>/dev/null; do
		if [ $i -ge $((${3:-10} * 50)) ]; then
			echo "    no \"$1\" in $2 after ${3:-10} s"
			return 1
		fi
		sleep 0.02
		i=$((i + 1))
	done
}

# wait_listening LOGFILE: a server in the background says "listening"
wait_listening() { wait_for listening "$1" 10; }

# translate NS DEV: the protocol-byte translator on DEV in NS, so that
# xtcp behind DEV talks to Linux TCP beyond it: IP protocol 253 -> 6 on
# egress, 6 -> 253 on ingress (pedit, then csum ip4h for the IP header
# checksum; the TCP checksum already covers protocol 6). A tc command
# that fails fails the test: the translation would silently not be there.
translate() {
	/sbin/tc -n "$1" qdisc add dev "$2" clsact || exit 1
	/sbin/tc -n "$1" filter add dev "$2" egress protocol ip u32 \
		match ip protocol 253 0xff \
		action pedit ex munge ip protocol set 6 pipe action csum ip4h || exit 1
	/sbin/tc -n "$1" filter add dev "$2" ingress protocol ip u32 \
		match ip protocol 6 0xff \
		action pedit ex munge ip protocol set 253 pipe action csum ip4h || exit 1
}

# veth_pair NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: two new namespaces joined by a
# veth pair, ADDRn/24 on DEVn, every link up. netns_cleanup deletes them.
veth_pair() {
	$IP netns add "$1" && $IP netns add "$4" || return 1
	netns_made="${netns_made:-} $1 $4"
	$IP -n "$1" link add "$2" type veth peer name "$5" netns "$4" &&
		$IP -n "$1" addr add "$3"/24 dev "$2" &&
		$IP -n "$4" addr add "$6"/24 dev "$5" &&
		$IP -n "$1" link set lo up && $IP -n "$4" link set lo up &&
		$IP -n "$1" link set "$2" up && $IP -n "$4" link set "$5" up &&
		link_ready "$1" "$2" && link_ready "$4" "$5"
}

# link_ready NS DEV: wait (up to 5 s) until DEV's operstate is up and
# its qdisc is no longer noop. Until linkwatch has seen the carrier (it
# may wait up to a second after the last event), the device's qdisc is
# noop, which drops everything: a test's first segment would vanish
# (seen: the first SYN-ACK of timer_synack_schedule never reached the
# tap). Linkwatch sets the operstate first and attaches the qdisc just
# after, so a loaded VM can be seen between the two: wait for both.
link_ready() {
	i=0
	while [ "$($IP netns exec "$1" cat /sys/class/net/"$2"/operstate)" != up ] ||
	      /sbin/tc -n "$1" qdisc show dev "$2" | grep -q "qdisc noop"; do
		[ $i -ge 250 ] && { echo "  $2 in $1 never came up"; return 1; }
		sleep 0.02
		i=$((i + 1))
	done
}

# netns_cleanup: delete the namespaces veth_pair made. Orphans still
# finishing their close get up to 3 s first: deleting a namespace takes
# its devices, and an orphan whose peer vanished mid-close retransmits
# for minutes, holding the module (as a TCP orphan would).
netns_cleanup() {
	for ns in ${netns_made:-}; do
		i=0
		while [ $i -lt 60 ] &&
		      [ "$(stat_of CurrOrphans "$ns" 2>/dev/null)" != 0 ] &&
		      [ -n "$(stat_of CurrOrphans "$ns" 2>/dev/null)" ]; do
			sleep 0.05
			i=$((i + 1))
		done
	done
	for ns in ${netns_made:-}; do
		$IP netns del "$ns" 2>/dev/null
	done
}

# drop_xtcp_in NS DEV: drop xtcp segments arriving on DEV. tc ingress runs
# before the stack, so NS's own xtcp never answers them; a packet tap for
# all protocols still sees them.
drop_xtcp_in() {
	/sbin/tc -n "$1" qdisc add dev "$2" clsact &&
		/sbin/tc -n "$1" filter add dev "$2" ingress protocol ip u32 \
			match ip protocol "$(cat /sys/module/xtcp/parameters/ipproto)" 0xff \
			action drop
}

mkdir -p /run /var/run 2>/dev/null
