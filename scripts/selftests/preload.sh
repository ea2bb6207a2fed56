#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# preload.sh CASE: real, unmodified programs (Debian's nginx-light, curl,
# wrk, iperf3, socat) run over xtcp by xtcp-run (scripts/preload/).
#
#   ns_c (192.0.2.2) veth_c ======== veth_s (192.0.2.1) ns_s
#   xtcp-run clients                  xtcp-run servers     xtcp <-> xtcp
#
#   ns_x (192.0.2.1) veth_x ======== veth_t (192.0.2.2) ns_t
#   xtcp-run programs  tc pedit 253<->6   plain programs   xtcp <-> Linux TCP
#
# Cases:
#   nginx     curl fetches files of several sizes (sha256 compared), one
#             connection per request (the server closes each), then all on
#             one keep-alive connection; then through an nginx reverse
#             proxy over xtcp
#   interop   curl over xtcp against nginx over Linux TCP, and the reverse
#   wrk       wrk (epoll, non-blocking connects) against nginx, keep-alive
#             and "Connection: close"
#   iperf3    iperf3 client and server over xtcp, then across the translator
#             each way
#   socat     a socat relay: xtcp on one side (XTCP_PORTS picks it), Linux
#             TCP to nginx on the other, in one process; curl with
#             XTCP_PORTS reaching an xtcp and a TCP server in one run
#
# Every program's stderr (and nginx's error log) goes to a file under
# $D; a failed check prints them.
. /xtcp/bin/lib.sh

case=$1
D=/tmp/preload
RUN=/xtcp/bin/xtcp-run
rm -rf "$D"
mkdir -p "$D/www" "$D/tmp"
pids=

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		wait "$p" 2>/dev/null
	done
	netns_cleanup
}
trap cleanup EXIT

# show_logs: the programs' own words, after a failure.
show_logs() {
	for f in "$D"/*.err "$D"/*.out; do
		[ -s "$f" ] || continue
		echo "    --- $f:"
		tail -n 30 "$f" | sed 's/^/    | /'
	done
}

# ck DESCRIPTION COMMAND...: check, with the logs on failure.
ck() {
	before=$failures
	check "$@"
	[ "$failures" = "$before" ] || show_logs
}

for p in nginx curl wrk iperf3 socat; do
	command -v "$p" >/dev/null || { echo "no $p in this initramfs"; exit 1; }
done

# Files of several sizes, from 0 bytes to 3 MB (several windows' worth),
# cut from the largest library in the initramfs: /dev/urandom can stall
# for a second or more this early in a boot, and a hash compares these
# bytes as well as random ones.
make_files() {
	src=$(ls -S /lib/x86_64-linux-gnu/*.so* | head -n 1)
	: >"$D/www/f0"
	tail -c 1 "$src" >"$D/www/f1"
	tail -c 1460 "$src" >"$D/www/f1460"
	head -c 65537 "$src" >"$D/www/f64k"
	head -c 3000000 "$src" >"$D/www/f3m"
	[ "$(wc -c <"$D/www/f3m")" -eq 3000000 ] || { echo "no 3 MB source file"; exit 1; }
	sizes="f0 f1 f1460 f64k f3m"
}

# wait_listen NS PORT [PID]: until a listener (xtcp or TCP) holds PORT in
# NS; gives up after about 10 s, or as soon as PID (the server) is gone.
wait_listen() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	$IP netns exec "$1" sh -c '
		i=0
		while [ $i -lt 200 ]; do
			grep -q "[0-9]:$1 .*LISTEN" /proc/net/xtcp && exit 0
			[ -z "$(/bin/ss -Hltn "sport = :$1")" ] || exit 0
			[ -z "$2" ] || kill -0 "$2" 2>/dev/null || exit 1
			sleep 0.05
			i=$((i + 1))
		done
		exit 1' wait_listen "$2" "${3:-}" && return 0
	echo "    nothing listens on port $2 in $1"
	show_logs
	return 1
}

# nginx_start NS ADDR PORT NAME [xtcp [UPSTREAM]]: nginx (one worker,
# epoll, sendfile, TCP_NOPUSH/NODELAY) serving $D/www, over xtcp if
# asked; with UPSTREAM (http://ADDR:PORT) a reverse proxy to it instead.
nginx_start() {
	ns=$1 addr=$2 port=$3 name=$4 wrap= serve="root $D/www;"
	[ "${5:-}" != xtcp ] || wrap=$RUN
	[ -z "${6:-}" ] || serve="location / { proxy_pass $6; }"
	cat >"$D/$name.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $D/$name.pid;
error_log $D/$name.err warn;
events { worker_connections 512; use epoll; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 30;
	keepalive_requests 100000;
	client_body_temp_path $D/tmp/body;
	proxy_temp_path $D/tmp/proxy;
	fastcgi_temp_path $D/tmp/fastcgi;
	uwsgi_temp_path $D/tmp/uwsgi;
	scgi_temp_path $D/tmp/scgi;
	server {
		listen $addr:$port backlog=256;
		$serve
		log_not_found off;
	}
}
EOF
	$IP netns exec "$ns" $wrap nginx -p "$D/" -e "$D/$name.err" \
		-c "$D/$name.conf" 2>>"$D/$name.err" &
	pids="$pids $!"
	wait_listen "$ns" "$port" $!
}

# fetch NS WRAP URLBASE [CURL ARGS...]: every file in one curl run
# (a curl start costs a second under TCG), sha256 compared; what
# num_connects said for each transfer is left in $D/conns.
fetch() {
	ns=$1 wrap=$2 base=$3
	shift 3
	args=
	for f in $sizes; do
		rm -f "$D/got.$f"
		args="$args -o $D/got.$f $base/$f"
	done
	# shellcheck disable=SC2086
	$IP netns exec "$ns" $wrap curl -sS --fail -w '%{num_connects}' "$@" \
		$args >"$D/conns" 2>>"$D/curl.err" || return 1
	for f in $sizes; do
		cmp_hash "$f" || return 1
	done
}

# fetch_check NS WRAP URLBASE: a new connection per file: the server
# closes each one ("Connection: close"), curl opens the next.
fetch_check() {
	fetch "$@" -H "Connection: close" || return 1
	eq "$(cat "$D/conns")" "$(echo $sizes | sed 's/[^ ]*/1/g; s/ //g')"
}

# fetch_keepalive NS WRAP URLBASE: all files on one connection: curl's
# num_connects is 1 for the first transfer, 0 for each reuse.
fetch_keepalive() {
	fetch "$@" || return 1
	eq "$(cat "$D/conns")" "1$(echo $sizes | sed 's/[^ ]*/0/g; s/ //g; s/^0//')"
}

cmp_hash() {
	a=$(sha256sum <"$D/www/$1")
	b=$(sha256sum <"$D/got.$1" 2>/dev/null)
	[ "$a" = "$b" ] && return 0
	echo "    $1: sha256 differs ($(wc -c <"$D/got.$1" 2>/dev/null) bytes, want $(wc -c <"$D/www/$1"))"
	return 1
}

opens() { stat_of "$1" "$2"; }

case "$case" in
nginx)
	veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
	make_files
	must nginx_start ns_s 192.0.2.1 8080 nginx xtcp
	p0=$(opens PassiveOpens ns_s)
	ck "curl over xtcp: 5 files (0 B..3 MB), a connection each, sha256 equal" \
		fetch_check ns_c "$RUN" http://192.0.2.1:8080
	ck "nginx over xtcp accepted those 5 connections" \
		eq "$(($(opens PassiveOpens ns_s) - p0))" 5
	p0=$(opens PassiveOpens ns_s)
	ck "curl over xtcp: the 5 files on one keep-alive connection" \
		fetch_keepalive ns_c "$RUN" http://192.0.2.1:8080
	ck "... which is one xtcp connection" \
		eq "$(($(opens PassiveOpens ns_s) - p0))" 1
	ck "curl: a missing file is a 404 over xtcp" \
		eq "$($IP netns exec ns_c $RUN curl -s -o /dev/null -w '%{http_code}' \
			http://192.0.2.1:8080/nothing 2>>"$D/curl.err")" 404
	# nginx as a client too: a reverse proxy in ns_c (non-blocking
	# connect, SO_ERROR, its buffers) in front of the server in ns_s
	must nginx_start ns_c 127.0.0.1 8090 proxy xtcp http://192.0.2.1:8080
	a0=$(opens ActiveOpens ns_c)
	ck "curl over xtcp through an nginx proxy over xtcp (sha256 equal)" \
		fetch_check ns_c "$RUN" http://127.0.0.1:8090
	ck "... the proxy's 5 upstream connections were xtcp's (and curl's 5)" \
		eq "$(($(opens ActiveOpens ns_c) - a0))" 10
	ck "nginx logged no error" eq "$(cat "$D/nginx.err" "$D/proxy.err" |
		grep -c '\[\(crit\|alert\|emerg\|error\)\]')" 0
	;;
interop)
	veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
	translate ns_x veth_x
	make_files
	must nginx_start ns_t 192.0.2.2 8080 nginx-tcp
	a0=$(opens ActiveOpens ns_x)
	ck "curl over xtcp fetches from nginx over Linux TCP (sha256 equal)" \
		fetch_check ns_x "$RUN" http://192.0.2.2:8080
	ck "... and on one keep-alive connection" \
		fetch_keepalive ns_x "$RUN" http://192.0.2.2:8080
	ck "those were 6 xtcp active opens" \
		eq "$(($(opens ActiveOpens ns_x) - a0))" 6
	must nginx_start ns_x 192.0.2.1 8081 nginx-xtcp xtcp
	p0=$(opens PassiveOpens ns_x)
	ck "curl over Linux TCP fetches from nginx over xtcp (sha256 equal)" \
		fetch_check ns_t "" http://192.0.2.1:8081
	ck "... and on one keep-alive connection" \
		fetch_keepalive ns_t "" http://192.0.2.1:8081
	ck "those were 6 xtcp passive opens" \
		eq "$(($(opens PassiveOpens ns_x) - p0))" 6
	;;
wrk)
	veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
	make_files
	must nginx_start ns_s 192.0.2.1 8080 nginx xtcp
	wrk_ok() { # wrk_ok LOG: requests done, no socket errors, all 2xx
		grep -q 'requests in' "$1" &&
			! grep -q 'Socket errors\|Non-2xx' "$1" &&
			[ "$(awk '/requests in/ { print $1 }' "$1")" -gt 0 ]
	}
	p0=$(opens PassiveOpens ns_s)
	$IP netns exec ns_c $RUN wrk -t1 -c8 -d1s http://192.0.2.1:8080/f1460 \
		>"$D/wrk-ka.out" 2>"$D/wrk.err"
	ck "wrk over xtcp, keep-alive, 8 connections: requests, no errors" \
		wrk_ok "$D/wrk-ka.out"
	# (wrk also opens one of its own first, to try the address)
	c=$(($(opens PassiveOpens ns_s) - p0))
	ck "... on xtcp connections ($c, for 8)" test "$c" -ge 8
	p0=$(opens PassiveOpens ns_s)
	$IP netns exec ns_c $RUN wrk -t1 -c8 -d1s -H 'Connection: close' \
		http://192.0.2.1:8080/f1460 >"$D/wrk-close.out" 2>>"$D/wrk.err"
	ck "wrk over xtcp, a connection per request: requests, no errors" \
		wrk_ok "$D/wrk-close.out"
	n=$(awk '/requests in/ { print $1 }' "$D/wrk-close.out")
	c=$(($(opens PassiveOpens ns_s) - p0))
	ck "... as many xtcp connections as requests ($c for $n)" \
		test "$c" -ge "${n:-1}"
	cat "$D/wrk-ka.out" "$D/wrk-close.out"
	ck "nginx logged no error" eq "$(grep -c '\[\(crit\|alert\|emerg\|error\)\]' "$D/nginx.err")" 0
	;;
iperf3)
	# iperf3 -J: both ends counted bytes. The receiver stops counting
	# when the test ends, with the data still in the buffers uncounted
	# (on TCP too), so its count is at most the sender's, and more than
	# half of it for runs this long (megabytes of buffers, tens sent).
	iperf_ok() { # iperf_ok JSON
		sent=$(awk '/"sum_sent"/ { s = 1 } s && /"bytes"/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$1")
		recv=$(awk '/"sum_received"/ { s = 1 } s && /"bytes"/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$1")
		echo "    sent ${sent:-?} bytes, received ${recv:-?}"
		[ -n "$sent" ] && [ -n "$recv" ] && [ "$sent" -gt 0 ] &&
			[ "$recv" -le "$sent" ] && [ "$recv" -gt $((sent / 2)) ]
	}
	run_iperf() { # run_iperf NAME SRV_NS SRV_WRAP SRV_ADDR CLI_NS CLI_WRAP [ARGS]
		name=$1 sns=$2 swrap=$3 saddr=$4 cns=$5 cwrap=$6
		shift 6
		$IP netns exec "$sns" $swrap iperf3 -s -1 -4 -B "$saddr" -p 5201 \
			>"$D/$name-srv.out" 2>"$D/$name-srv.err" &
		spid=$!
		pids="$pids $spid"
		wait_listen "$sns" 5201 "$spid" || return 1
		po=$(opens PassiveOpens "$sns") ao=$(opens ActiveOpens "$cns")
		$IP netns exec "$cns" $cwrap iperf3 -4 -J -c "$saddr" -p 5201 "$@" \
			>"$D/$name.json" 2>"$D/$name.err"
		rc=$?
		wait "$spid" || rc=1
		[ $rc = 0 ] && iperf_ok "$D/$name.json" || return 1
		# the wrapped end's connections (control and data) were xtcp's
		po=$(($(opens PassiveOpens "$sns") - po))
		ao=$(($(opens ActiveOpens "$cns") - ao))
		echo "    xtcp opens: $po passive (server), $ao active (client)"
		{ [ -z "$swrap" ] || [ "$po" -ge 2 ]; } &&
			{ [ -z "$cwrap" ] || [ "$ao" -ge 2 ]; }
	}
	veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
	ck "iperf3 client and server over xtcp, 2 s, the client sending with sendfile (-Z)" \
		run_iperf x2x ns_s "$RUN" 192.0.2.1 ns_c "$RUN" -t 2 -Z
	ck "iperf3 over xtcp, 4 streams, reverse direction, 32 MB" \
		run_iperf x2x4 ns_s "$RUN" 192.0.2.1 ns_c "$RUN" -P 4 -R -n 32M
	veth_pair ns_x veth_x 192.0.2.1 ns_t veth_t 192.0.2.2 || exit 1
	translate ns_x veth_x
	ck "iperf3 client over xtcp, server over Linux TCP, 2 s" \
		run_iperf x2t ns_t "" 192.0.2.2 ns_x "$RUN" -t 2
	ck "iperf3 client over Linux TCP, server over xtcp, 2 s" \
		run_iperf t2x ns_x "$RUN" 192.0.2.1 ns_t "" -t 2
	;;
socat)
	# ns_s: nginx over Linux TCP on 127.0.0.1:8080 (no translator: the
	# relay's TCP side stays inside ns_s), socat listening over xtcp on
	# 8000 (XTCP_PORTS=8000) relaying to it, and nginx over xtcp on 8081.
	veth_pair ns_c veth_c 192.0.2.2 ns_s veth_s 192.0.2.1 || exit 1
	make_files
	must nginx_start ns_s 127.0.0.1 8080 nginx-tcp
	must nginx_start ns_s 192.0.2.1 8081 nginx-xtcp xtcp
	XTCP_PORTS=8000 XTCP_DEBUG=1 $IP netns exec ns_s $RUN socat \
		TCP4-LISTEN:8000,bind=192.0.2.1,reuseaddr,fork TCP4:127.0.0.1:8080 \
		2>"$D/socat.err" &
	pids="$pids $!"
	must wait_listen ns_s 8000
	ck "socat's listener is xtcp, its relay to nginx is TCP" \
		grep -q 'bind 192.0.2.1:8000: xtcp' "$D/socat.err"
	ck "curl over xtcp through socat to nginx over TCP (sha256 equal)" \
		fetch_check ns_c "$RUN" http://192.0.2.1:8000
	ck "socat chose TCP for each of its 5 relay connections" \
		eq "$(grep -c 'connect 127.0.0.1:8080: TCP' "$D/socat.err")" 5
	ck "... and the relay's keep-alive works too" \
		fetch_keepalive ns_c "$RUN" http://192.0.2.1:8000
	# curl with a filter, in ns_s: 8081 (xtcp nginx) moves, 8080 (TCP
	# nginx) stays TCP, in one curl process.
	rm -f "$D/got.f64k" "$D/got.f1460"
	a0=$(opens ActiveOpens ns_s)
	ck "curl with XTCP_PORTS=8081 reaches xtcp nginx and TCP nginx in one run" \
		sh -c "XTCP_PORTS=8081 $IP netns exec ns_s $RUN curl -sS --fail \
			-o $D/got.f64k http://192.0.2.1:8081/f64k \
			-o $D/got.f1460 http://127.0.0.1:8080/f1460 2>>$D/curl.err"
	ck "... f64k over xtcp" cmp_hash f64k
	ck "... f1460 over TCP" cmp_hash f1460
	ck "... one xtcp active open for the two" \
		eq "$(($(opens ActiveOpens ns_s) - a0))" 1
	;;
*)
	echo "usage: preload.sh nginx|interop|wrk|iperf3|socat"
	exit 2
	;;
esac
done_test
