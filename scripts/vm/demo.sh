#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What `make demo` shows, run inside the VM after xtcp.ko is loaded, in
# plain words. Exit status 0 means everything shown worked.
#
#   ns_c (192.0.2.2) veth_c ---- veth_s (192.0.2.1) ns_s     xtcp <-> xtcp
#   ns_t (192.0.2.2) veth_t ---- veth_x (192.0.2.1) ns_x     TCP <-> xtcp,
#                          tc pedit on veth_x: IP protocol 253 <-> 6
. /xtcp/bin/lib.sh
TC=/sbin/tc
BIN=/xtcp/bin
ok=1
say() { printf '\n== %s\n' "$*"; }
bad() { echo "   !! $*"; ok=0; }
indent() { sed 's/^/   /'; }
stat_in() { $IP netns exec "$1" cat /proc/net/xtcp_stat | awk -v k="$2" '$1 == k { print $2 }'; }


wait_for() { # wait_for FILE WORD
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

say "The module is loaded; the kernel log says:"
dmesg | grep 'xtcp: loaded' | tail -n 1 | sed 's/^\[[^]]*\] //' | indent
fam=$(cat /sys/module/xtcp/parameters/family)
proto=$(cat /sys/module/xtcp/parameters/ipproto)
echo "   AF_XTCP is family $fam; segments travel as IPv4 protocol $proto."

say "A client in namespace ns_c connects to a server in namespace ns_s over veth"
veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1
XT_HOLD_MS=1500 $IP netns exec ns_s $BIN/peer xtcp listen 0.0.0.0 7000 >/tmp/srv.log 2>&1 &
srv=$!
wait_for /tmp/srv.log listening
XT_HOLD_MS=1500 $IP netns exec ns_c $BIN/peer xtcp connect 192.0.2.1 7000 >/tmp/cli.log 2>&1 &
cli=$!
wait_for /tmp/srv.log accepted
echo "   server: $(grep accepted /tmp/srv.log)"
echo "   client: $(grep connected /tmp/cli.log)"
echo "   /proc/net/xtcp in ns_s while the connection is up:"
$IP netns exec ns_s cat /proc/net/xtcp | indent
echo "   /proc/net/xtcp in ns_c:"
$IP netns exec ns_c cat /proc/net/xtcp | indent
wait $srv || bad "server failed"
wait $cli || bad "client failed"
grep -q 'accepted 192.0.2.2' /tmp/srv.log || bad "no connection accepted"
echo "   counters: ns_c ActiveOpens=$(stat_in ns_c ActiveOpens)," \
     "ns_s PassiveOpens=$(stat_in ns_s PassiveOpens)"

say "Linux's own TCP on the other end, through a one-byte protocol translation"
veth_pair ns_t veth_t 192.0.2.2 ns_x veth_x 192.0.2.1
$TC -n ns_x qdisc add dev veth_x clsact &&
$TC -n ns_x filter add dev veth_x egress protocol ip u32 match ip protocol 253 0xff \
	action pedit ex munge ip protocol set 6 pipe action csum ip4h &&
$TC -n ns_x filter add dev veth_x ingress protocol ip u32 match ip protocol 6 0xff \
	action pedit ex munge ip protocol set 253 pipe action csum ip4h ||
	bad "tc translation could not be installed"

echo "   a Linux TCP client (ns_t) connects to an xtcp server (ns_x):"
XT_HOLD_MS=1000 $IP netns exec ns_x $BIN/peer xtcp listen 0.0.0.0 7001 >/tmp/srv.log 2>&1 &
srv=$!
wait_for /tmp/srv.log listening
XT_HOLD_MS=1000 $IP netns exec ns_t $BIN/peer tcp connect 192.0.2.1 7001 >/tmp/cli.log 2>&1 &
cli=$!
wait_for /tmp/srv.log accepted
echo "   xtcp server: $(grep accepted /tmp/srv.log)"
wait $srv || bad "xtcp server failed"
wait $cli || bad "TCP client failed"
echo "   what Linux TCP negotiated with xtcp (TCP_INFO on the Linux socket):"
grep tcp_info /tmp/cli.log | indent

echo "   an xtcp client (ns_x) connects to a Linux TCP server (ns_t):"
$IP netns exec ns_t $BIN/peer tcp listen 0.0.0.0 7002 >/tmp/srv.log 2>&1 &
srv=$!
wait_for /tmp/srv.log listening
$IP netns exec ns_x $BIN/peer xtcp connect 192.0.2.2 7002 >/tmp/cli.log 2>&1 || bad "xtcp client failed"
wait $srv || bad "TCP server failed"
echo "   Linux TCP server: $(grep accepted /tmp/srv.log)"
grep -q 'accepted 192.0.2.1' /tmp/srv.log || bad "Linux TCP accepted nothing"

say "A handshake survives loss: the client's first SYN is dropped"
$IP -n ns_s neigh replace 192.0.2.2 lladdr "$($IP netns exec ns_c cat /sys/class/net/veth_c/address)" dev veth_s nud permanent
$IP -n ns_c neigh replace 192.0.2.1 lladdr "$($IP netns exec ns_s cat /sys/class/net/veth_s/address)" dev veth_c nud permanent
$TC -n ns_s qdisc add dev veth_s clsact &&
$TC -n ns_s filter add dev veth_s ingress protocol ip u32 match ip protocol 253 0xff action drop ||
	bad "tc drop could not be installed"
(sleep 0.5; $TC -n ns_s filter del dev veth_s ingress) &
XT_SERVER_NS=ns_s $IP netns exec ns_c $BIN/handshake slow 192.0.2.1 >/tmp/slow.log 2>&1 ||
	bad "no handshake after the loss"
echo "   $(grep 'connected after' /tmp/slow.log): the SYN was sent again after the"
echo "   1 s initial RTO (client SynRetrans=$(stat_in ns_c SynRetrans))"

say "A SYN flood: spoofed SYNs at a listener while a real client connects"
$IP netns add ns_f
$IP -n ns_s link add veth_s2 type veth peer name veth_f netns ns_f
$IP -n ns_s addr add 198.51.100.1/24 dev veth_s2
$IP -n ns_f addr add 198.51.100.2/24 dev veth_f
$IP -n ns_s link set veth_s2 up
$IP -n ns_f link set veth_f up
$IP -n ns_f link set lo up
$IP -n ns_s route add 198.18.0.0/15 via 198.51.100.2
$TC -n ns_f qdisc add dev veth_f clsact &&
$TC -n ns_f filter add dev veth_f ingress protocol ip u32 match u32 0 0 action drop ||
	bad "tc drop could not be installed"
$IP netns exec ns_s $BIN/floodtest serve xtcp 8080 5 >/tmp/serve.log 2>&1 &
srv=$!
wait_for /tmp/serve.log listening
$IP netns exec ns_f $BIN/floodtest syn 198.51.100.1 8080 xtcp 3 300000 | indent
wait $srv
set -- $(grep '^connects' /tmp/serve.log)
echo "   real client: $2 connects, $4 failed, p50 $6 ms, p99 $8 ms"
echo "   request socks never more than ${10} (the listener's bound: backlog 128 + 1);"
echo "   SYN cookies sent past it: $(stat_in ns_s SyncookiesSent), cookie handshakes: $(stat_in ns_s SyncookiesRecv)"
[ "${4:-1}" = 0 ] || bad "real connections failed under the flood"
echo "   the kernel log says:"
dmesg | grep 'possible SYN flood' | tail -n 1 | sed 's/^\[[^]]*\] //' | indent

say "Real programs, unmodified: xtcp-run puts their IPv4 stream sockets on xtcp"
# nginx (Debian's nginx-light) serving over xtcp in ns_s; curl over xtcp
# in ns_c. xtcp-run preloads libxtcp-preload.so (scripts/preload/).
mkdir -p /tmp/demo/www /tmp/demo/tmp
head -c 1000000 /dev/urandom >/tmp/demo/www/file
cat >/tmp/demo/nginx.conf <<EOF
daemon off;
worker_processes 1;
user root;
pid /tmp/demo/nginx.pid;
events { worker_connections 64; }
http {
	access_log off;
	sendfile on;
	client_body_temp_path /tmp/demo/tmp/body;
	proxy_temp_path /tmp/demo/tmp/proxy;
	fastcgi_temp_path /tmp/demo/tmp/fastcgi;
	uwsgi_temp_path /tmp/demo/tmp/uwsgi;
	scgi_temp_path /tmp/demo/tmp/scgi;
	server { listen 192.0.2.1:8080; root /tmp/demo/www; }
}
EOF
# wait_xtcp_listen NS PORT
wait_xtcp_listen() {
	i=0
	while ! $IP netns exec "$1" grep -q ":$2 .*LISTEN" /proc/net/xtcp &&
	      [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
$IP netns exec ns_s $BIN/xtcp-run nginx -p /tmp/demo/ -e /tmp/demo/nginx.err \
	-c /tmp/demo/nginx.conf 2>>/tmp/demo/nginx.err &
nginx=$!
wait_xtcp_listen ns_s 8080
echo "   ns_s# xtcp-run nginx ...   (its listener, in ns_s's /proc/net/xtcp:)"
$IP netns exec ns_s grep ':8080 .*LISTEN' /proc/net/xtcp | indent
echo "   ns_c# XTCP_DEBUG=1 xtcp-run curl -sS -o file http://192.0.2.1:8080/file"
if XTCP_DEBUG=1 $IP netns exec ns_c $BIN/xtcp-run curl -sS -o /tmp/demo/got \
	-w 'HTTP %{http_code}, %{size_download} bytes in %{time_total} s\n' \
	http://192.0.2.1:8080/file >/tmp/demo/curl.out 2>&1; then
	indent </tmp/demo/curl.out
	if [ "$(sha256sum </tmp/demo/got)" = "$(sha256sum </tmp/demo/www/file)" ]; then
		echo "   the file arrived whole (sha256 equal)"
	else
		bad "the file differs"
	fi
else
	indent </tmp/demo/curl.out
	indent </tmp/demo/nginx.err
	bad "curl over xtcp failed"
fi
kill $nginx 2>/dev/null
wait $nginx 2>/dev/null

say "iperf3, 2 s: a Linux TCP client (ns_t) to an xtcp iperf3 server (ns_x), through the translator"
$IP netns exec ns_x $BIN/xtcp-run iperf3 -s -1 -4 -B 192.0.2.1 >/tmp/demo/iperf-srv.out 2>&1 &
srv=$!
wait_xtcp_listen ns_x 5201
if $IP netns exec ns_t iperf3 -4 -c 192.0.2.1 -t 2 >/tmp/demo/iperf.out 2>&1; then
	grep -E 'sender|receiver' /tmp/demo/iperf.out | indent
	echo "   the xtcp server: $(grep -m1 'Accepted connection' /tmp/demo/iperf-srv.out)"
else
	indent </tmp/demo/iperf.out
	indent </tmp/demo/iperf-srv.out
	bad "iperf3 across the translator failed"
fi
wait $srv 2>/dev/null

say "Every segment is checked before it is believed: malformed and random"
echo "   segments at protocol $proto over loopback, each counted and dropped:"
$BIN/inject_malformed >/tmp/inj.log 2>&1 || bad "malformed segments not all counted"
sed -n 's/^  ok: /   /p; s/^  FAIL/   FAIL/p' /tmp/inj.log

say "Counters of the initial namespace (/proc/net/xtcp_stat, non-zero ones):"
awk '$2 != 0' /proc/net/xtcp_stat | indent

for ns in ns_c ns_s ns_t ns_x ns_f; do
	$IP netns del $ns
done
say "Unloading the module leaves nothing behind:"
i=0
while ! rmmod xtcp 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
if [ ! -d /sys/module/xtcp ]; then
	echo "   rmmod ok: $(dmesg | grep 'xtcp: ' | tail -n 1 | sed 's/^\[[^]]*\] //')"
else
	bad "rmmod failed"
fi

if [ $ok = 1 ]; then
	say "Demo finished: everything shown worked."
	exit 0
fi
say "Demo finished with failures."
exit 1
