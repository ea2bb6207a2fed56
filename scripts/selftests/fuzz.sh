#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh quick [SEGMENTS] | long: run the xfuzz segment fuzzer in its topology:
#
#   xs 192.0.2.1/24 vs ---- vi 192.0.2.2/24 xi 192.0.2.2/24 vw ---- vn 192.0.2.1/24 xn
#      sockets under test    xfuzz runs here, tc ingress drops        the wrong netns:
#                            IP protocol 253 on vi and vw             the same addresses
#
# quick: a bounded run for every `make check`: 300000 segments by default
#        (about 15 s), seed 1 unless XTCP_FUZZ_SEED says otherwise, and at
#        most 40 s of fuzzing: a debug kernel (KASAN, lockdep, kmemleak)
#        runs the fuzzer some 30 times slower and stops at the time budget.
# long:  skipped unless XTCP_FUZZ_ITERS (or xtcp_fuzz_iters, from the
#        kernel command line) gives the number of segments; `make fuzz`.
# XTCP_FUZZ_SEED (xtcp_fuzz_seed) fixes the seed, for either; otherwise
# the quick run uses a fixed one and the long run a random one.
. /xtcp/bin/lib.sh

TC=/sbin/tc
mode=${1:-quick}
proto=$(cat /sys/module/xtcp/parameters/ipproto 2>/dev/null || echo 253)
iters=${XTCP_FUZZ_ITERS:-${xtcp_fuzz_iters:-}}
seed=${XTCP_FUZZ_SEED:-${xtcp_fuzz_seed:-}}

case $mode in
quick)
	iters=${2:-300000}
	seed=${seed:-1}
	;;
long)
	if [ -z "$iters" ]; then
		echo "fuzz.sh long: set XTCP_FUZZ_ITERS (or xtcp_fuzz_iters=N on the kernel command line)"
		exit 4
	fi
	;;
*)
	echo "usage: fuzz.sh quick|long"
	exit 2
	;;
esac

cleanup() {
	for ns in xs xi xn; do
		$IP netns del $ns 2>/dev/null
	done
}
trap cleanup EXIT

cleanup
for ns in xs xi xn; do
	must $IP netns add $ns
	must $IP -n $ns link set lo up
done
must $IP -n xs link add vs type veth peer name vi netns xi
must $IP -n xn link add vn type veth peer name vw netns xi
must $IP -n xs addr add 192.0.2.1/24 dev vs
must $IP -n xn addr add 192.0.2.1/24 dev vn
must $IP -n xi addr add 192.0.2.2/24 dev vi
must $IP -n xi addr add 192.0.2.2/24 dev vw
must $IP -n xs link set vs up
must $IP -n xn link set vn up
must $IP -n xi link set vi up
must $IP -n xi link set vw up
# What xs and xn send must not reach xi's own xtcp (it would answer).
for dev in vi vw; do
	must $IP netns exec xi $TC qdisc add dev $dev clsact
	must $IP netns exec xi $TC filter add dev $dev ingress protocol ip pref 1 \
		u32 match ip protocol "$proto" 0xff action drop
done

xi_segs=$(stat_of InSegs xi)
budget=
[ "$mode" = long ] || budget=40
$IP netns exec xi xfuzz -n "$iters" ${seed:+-s "$seed"} ${budget:+-t $budget}
rc=$?
xi_now=$(stat_of InSegs xi)
if [ "$xi_now" != "$xi_segs" ]; then
	echo "  FAIL: xi's own xtcp saw $((xi_now - xi_segs)) segments (tc filter)"
	rc=1
fi
exit $rc
