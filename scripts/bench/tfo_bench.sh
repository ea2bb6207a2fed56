#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part "tfo"): what Fast Open saves. Time from
# the start of a connection to the first byte of the answer, for connect
# + a 100-byte request + a 100-byte answer, with 20 ms of netem delay
# each way (an RTT of 40 ms): with Fast Open (sendto(MSG_FASTOPEN), a
# cookie fetched by one connection first) and without (connect() and
# write()), over Linux TCP, over xtcp (both ends), and last an xtcp
# client against Linux's server through the translator (on veth_fc).
# Numbers to read, never pass/fail.
#
#   ns_fc (192.0.2.2) veth_fc ---- veth_fs (192.0.2.1) ns_fs
#   client: tfo ttfb                server: tfo ttfb-serve
. /xtcp/bin/lib.sh

case ,${XTCP_BENCH_PARTS:-all}, in
*,all,* | *,tfo,*) ;;
*) exit 0 ;;
esac

N=${XTCP_BENCH_TFO_N:-15}
trap netns_cleanup EXIT
veth_pair ns_fc veth_fc 192.0.2.2 ns_fs veth_fs 192.0.2.1 || exit 1
/sbin/tc -n ns_fc qdisc add dev veth_fc root netem delay 20ms || exit 1
/sbin/tc -n ns_fs qdisc add dev veth_fs root netem delay 20ms || exit 1
for ns in ns_fc ns_fs; do
	$IP netns exec $ns sh -c 'echo 3 > /proc/sys/net/ipv4/tcp_fastopen
				  echo 3 > /proc/sys/net/xtcp/fastopen'
done

# ttfb STACK fo|plain [SERVER_STACK]: the median over N connections, in
# microseconds
ttfb() {
	$IP netns exec ns_fs tfo ttfb-serve "${3:-$1}" 7100 $((N + 1)) \
		>/tmp/tfob-srv.log 2>&1 &
	srv=$!
	wait_listening /tmp/tfob-srv.log || exit 1
	# the first connection fetches the cookie
	$IP netns exec ns_fc tfo ttfb "$1" 192.0.2.1 7100 1 "$2" >/dev/null
	$IP netns exec ns_fc tfo ttfb "$1" 192.0.2.1 7100 "$N" "$2" |
		sed -n 's/.*median=\([0-9]*\).*/\1/p'
	wait $srv
}

echo "tfo: time to first answer byte, 20 ms each way, median of $N (us)"
printf "%-9s %10s %10s %10s\n" stack plain fastopen saved
row() {
	p=$(ttfb "$1" plain "$2")
	f=$(ttfb "$1" fo "$2")
	printf "%-9s %10s %10s %10s\n" "$1${2:+->$2}" "$p" "$f" $((p - f))
}
row tcp
row xtcp
translate ns_fc veth_fc
row xtcp tcp
