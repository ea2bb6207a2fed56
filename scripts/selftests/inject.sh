#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# inject.sh SCENARIO [tcp]: run one xinject scenario (xinject list names
# them) in a two-namespace topology; with "tcp", against Linux TCP in xs
# (XT_STACK=tcp: the referee, for scenarios written to read either
# stack's counters), with vs's GSO and TSO off so that each of xs's
# segments crosses the veth, and reaches the tap, on its own:
#
#   xs (192.0.2.1/24) vs ------ vi (192.0.2.2/24) xi
#      the "server": xtcp          the injector: xinject runs here
#      sockets under test          tc ingress on vi drops IP protocol 253
#                                  (xtcp's, module parameter ipproto)
#
# xtcp is loaded for every namespace, so without the filter xi's own stack
# would answer xs's segments (with RSTs) and spoil every test. xinject
# captures them with a packet tap, which runs before tc ingress.
#
# netns_ehash also gets xn: xs's address on a veth pair of its own, for a
# connection with the same 4-tuple as one that reaches xs.
. /xtcp/bin/lib.sh

TC=/sbin/tc
scenario=${1:-}
proto=$(cat /sys/module/xtcp/parameters/ipproto 2>/dev/null || echo 253)
[ -n "$scenario" ] || { echo "usage: inject.sh SCENARIO [tcp]"; exit 2; }
if [ "${2:-}" = tcp ]; then
	export XT_STACK=tcp
	proto=6
fi

cleanup() {
	for ns in xs xi xn; do
		$IP netns del $ns 2>/dev/null
	done
}
trap cleanup EXIT

cleanup
must $IP netns add xs
must $IP netns add xi
must $IP -n xs link add vs type veth peer name vi netns xi
must $IP -n xs addr add 192.0.2.1/24 dev vs
must $IP -n xi addr add 192.0.2.2/24 dev vi
for ns in xs xi; do
	must $IP -n $ns link set lo up
done
must $IP -n xs link set vs up
must $IP -n xi link set vi up
must link_ready xs vs
must link_ready xi vi

if [ "${XT_STACK:-}" = tcp ]; then
	must $IP netns exec xs /sbin/ethtool -K vs tso off gso off
fi

# Keep every segment of the stack under test from xs away from xi's own.
must $IP netns exec xi $TC qdisc add dev vi clsact
must $IP netns exec xi $TC filter add dev vi ingress protocol ip pref 1 \
	u32 match ip protocol "$proto" 0xff action drop
$IP netns exec xi $TC filter show dev vi ingress | grep -q 'gact action drop' || {
	echo "  FAIL: setup: the tc drop filter is not in place:"
	$IP netns exec xi $TC filter show dev vi ingress
	exit 1
}

if [ "$scenario" = netns_ehash ]; then
	must $IP netns add xn
	must $IP -n xn link add xn0 type veth peer name xn1
	must $IP -n xn addr add 192.0.2.1/24 dev xn0
	for dev in lo xn0 xn1; do
		must $IP -n xn link set $dev up
	done
fi

$IP netns exec xi xinject "$scenario"
rc=$?
# One last look, for the log: nothing of xs's may have reached xi's stack.
echo "  xi: $($IP netns exec xi $TC -s filter show dev vi ingress | grep -o 'Sent [0-9]* bytes [0-9]* pkt' | head -n 1) dropped by tc"
exit $rc
