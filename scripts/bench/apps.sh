#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, part "apps"): real programs over xtcp (under
# xtcp-run) against the same programs over Linux TCP, same boot, same
# topology, with the ratio xtcp/TCP. Numbers to read, never pass/fail.
#
#   ns_ac (192.0.2.2) veth_ac ---- veth_as (192.0.2.1) ns_as
#   clients: iperf3 -c, wrk        servers: iperf3 -s, nginx
#
# Each measurement runs TCP and xtcp in turns, $REPS times (default 3), and
# reports the medians; a run is $SECS s (XTCP_BENCH_APPS_SECS, default 3).
# - iperf3: 1 and 4 streams, receiver's throughput; again
#   with GSO/TSO off on the pair (ethtool, in the bench initramfs);
# - wrk against nginx (one worker, a 1000-byte file): keep-alive, and a
#   new connection per request ("Connection: close", nginx closes), with
#   requests/s and latency p50/p99 (wrk --latency).
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_APPS_SECS:-3}
REPS=${XTCP_BENCH_REPS:-3}
CONNS=16
RUN=/xtcp/bin/xtcp-run
D=/tmp/apps
IP=/sbin/ip

case ,${XTCP_BENCH_PARTS:-all}, in
*,all,* | *,apps,*) ;;
*) exit 0 ;;
esac

trap netns_cleanup EXIT
veth_pair ns_ac veth_ac 192.0.2.2 ns_as veth_as 192.0.2.1 || exit 1
rm -rf "$D"
mkdir -p "$D/www" "$D/tmp"
head -c 1000 /dev/urandom >"$D/www/1k"

# wait_port NS PORT: a listener of either stack on PORT
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		$IP netns exec "$1" grep -q ":$2 .*LISTEN" /proc/net/xtcp && return 0
		[ -z "$($IP netns exec "$1" /bin/ss -Hltn "sport = :$2")" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# iperf WRAP STREAMS: receiver Mbit/s
iperf() {
	$IP netns exec ns_as $1 iperf3 -s -1 -4 -B 192.0.2.1 >"$D/iperf-srv.out" 2>&1 &
	srv=$!
	wait_port ns_as 5201
	$IP netns exec ns_ac $1 iperf3 -4 -J -c 192.0.2.1 -t "$SECS" -P "$2" \
		>"$D/iperf.json" 2>"$D/iperf.err"
	wait $srv
	awk '/"sum_received"/ { s = 1 } s && /"bits_per_second"/ {
		gsub(/[^0-9.e+]/, "", $2); printf "%.0f", $2 / 1e6; exit }' "$D/iperf.json"
}

nginx_up() { # nginx_up WRAP
	cat >"$D/nginx.conf" <<EOF
daemon off;
worker_processes 1;
user root;
pid $D/nginx.pid;
events { worker_connections 1024; use epoll; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_requests 1000000;
	client_body_temp_path $D/tmp/body;
	proxy_temp_path $D/tmp/proxy;
	fastcgi_temp_path $D/tmp/fastcgi;
	uwsgi_temp_path $D/tmp/uwsgi;
	scgi_temp_path $D/tmp/scgi;
	server { listen 192.0.2.1:8080 backlog=1024; root $D/www; }
}
EOF
	$IP netns exec ns_as $1 nginx -p "$D/" -e "$D/nginx.err" -c "$D/nginx.conf" \
		2>>"$D/nginx.err" &
	nginx=$!
	wait_port ns_as 8080
}

# to_ms VALUE: wrk's "1.23ms" / "812.00us" / "1.02s" in ms
to_ms() {
	echo "$1" | awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/ && $1 !~ /ms$/) v *= 1000; printf "%.2f", v }'
}

# wrk_run WRAP [HEADER]: "req/s p50 p99 errors"
wrk_run() {
	wrap=$1
	shift
	$IP netns exec ns_ac $wrap wrk -t1 -c$CONNS -d"${SECS}s" --latency "$@" \
		http://192.0.2.1:8080/1k >"$D/wrk.out" 2>&1
	rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$D/wrk.out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$D/wrk.out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$D/wrk.out")")
	err=$(awk '/Socket errors|Non-2xx/ { printf "%s", $0 }' "$D/wrk.out")
	echo "${rps:-0} $p50 $p99 ${err:+!}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

median() { # median VALUES...: the middle one (the lower of the two middle)
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

row() { printf '%-42s %10s %10s %8s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"; }

# iperf_rows LABEL: TCP and xtcp in turns, $REPS times each, medians
iperf_rows() {
	for n in 1 4; do
		t= x=
		r=0
		while [ $r -lt "$REPS" ]; do
			t="$t $(iperf "" $n)"
			x="$x $(iperf $RUN $n)"
			r=$((r + 1))
		done
		# shellcheck disable=SC2086 # lists of numbers
		row "iperf3$1, $n stream(s), Mbit/s" "$(median $t)" "$(median $x)"
	done
}

echo
echo "Real programs (Debian's iperf3, nginx-light, wrk) over TCP and over xtcp (xtcp-run), veth," \
	"$(nproc) vCPUs (TCG), $SECS s a run, TCP and xtcp in turns, median of $REPS"
printf '%-42s %10s %10s %8s\n' "" TCP xtcp xtcp/TCP
iperf_rows ""
# Like for like: TCP's 64 kB GSO/TSO skbs cross the veth pair whole,
# xtcp has no GSO (as stream.sh's bulk rows).
gso() {
	$IP netns exec ns_ac /sbin/ethtool -K veth_ac gso "$1" tso "$1" >/dev/null 2>&1 &&
		$IP netns exec ns_as /sbin/ethtool -K veth_as gso "$1" tso "$1" >/dev/null 2>&1
}
if [ -x /sbin/ethtool ] && gso off; then
	iperf_rows ", GSO/TSO off"
	gso on
fi
for mode in keepalive close; do
	for stack in tcp xtcp; do
		eval "${stack}_rps= ${stack}_p50= ${stack}_p99="
	done
	r=0
	while [ $r -lt "$REPS" ]; do
		for stack in tcp xtcp; do
			wrap=
			[ $stack = tcp ] || wrap=$RUN
			nginx_up "$wrap"
			if [ $mode = close ]; then
				set -- $(wrk_run "$wrap" -H "Connection: close")
			else
				set -- $(wrk_run "$wrap")
			fi
			[ -z "${4:-}" ] || { echo "  ($stack $mode: wrk reported errors:)"; grep 'errors\|Non-2xx' "$D/wrk.out"; }
			kill "$nginx"
			wait "$nginx" 2>/dev/null
			eval "${stack}_rps=\"\$${stack}_rps $1\" ${stack}_p50=\"\$${stack}_p50 $2\" ${stack}_p99=\"\$${stack}_p99 $3\""
		done
		r=$((r + 1))
	done
	# shellcheck disable=SC2154,SC2086 # set by the eval above; lists of numbers
	{
		row "wrk $mode, $CONNS conns, req/s" "$(median $tcp_rps)" "$(median $xtcp_rps)"
		row "wrk $mode, latency p50 ms" "$(median $tcp_p50)" "$(median $xtcp_p50)"
		row "wrk $mode, latency p99 ms" "$(median $tcp_p99)" "$(median $xtcp_p99)"
	}
done
