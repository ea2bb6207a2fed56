#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM (`make bench`, after bench.sh's handshake numbers): the byte
# stream, xtcp against Linux TCP in the same boot with the same program
# (streambench) and topology. Numbers to read, never pass/fail on speed.
#
#   loopback: one namespace, 127.0.0.1
#   veth:     ns_bc (198.51.100.2) veth_bc ---- veth_bs (198.51.100.1) ns_bs
#             client (writer)                         server (reader, echo)
#
# Every measurement runs TCP and xtcp in turns, XTCP_BENCH_REPS times
# (default 3), and reports the median; XTCP_BENCH_SECS (default 4) is the
# length of one run. XTCP_BENCH_PARTS (comma separated, from the kernel
# command line) picks parts: bulk, loss, rr, mem, perf; default all.
# XTCP_BENCH_PERF=veth4 profiles four veth streams (offloads off) instead
# of one loopback stream.
set -eu
. /xtcp/bin/lib.sh

SECS=${XTCP_BENCH_SECS:-4}
REPS=${XTCP_BENCH_REPS:-3}
PARTS=${XTCP_BENCH_PARTS:-all}
LOSS_SECS=$((SECS * 2))
TC=/sbin/tc
ETHTOOL=/sbin/ethtool
PERF=/usr/bin/perf
SUMMARY=/tmp/stream-summary
port=7400

trap netns_cleanup EXIT
veth_pair ns_bc veth_bc 198.51.100.2 ns_bs veth_bs 198.51.100.1
: >"$SUMMARY"
echo
echo "Byte stream: kernel $(uname -r), $(nproc) vCPUs:" \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"

want() { case ,$PARTS, in *,all,* | *,"$1",*) return 0 ;; esac; return 1; }

median() { # median VALUES...: the middle one (the lower of the two middle)
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

ratio() { # ratio XTCP TCP
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

summary() { # summary WHAT RATIO: a line of the closing table
	printf '%-44s %8s\n' "$1" "$2" >>"$SUMMARY"
}

# sb PROTO TOPO MODE ARGS...: one streambench run into /tmp/sb.out, on a
# port of its own (TCP and xtcp both abort their connections, so nothing
# lingers, but a fresh port rules out any doubt).
sb() {
	p=$1 topo=$2 mode=$3
	shift 3
	port=$((port + 1))
	if [ "$topo" = veth ]; then
		set -- env XT_SERVER_NS=ns_bs $IP netns exec ns_bc streambench "$mode" "$p" \
			198.51.100.1 $port "$@"
	else
		set -- streambench "$mode" "$p" 127.0.0.1 $port "$@"
	fi
	# a failed or stuck run shows, and counts as 0
	rc=0
	timeout 300 "$@" >/tmp/sb.out 2>/tmp/sb.err || rc=$?
	if [ $rc -ne 0 ]; then
		echo "  ($p $topo $mode failed, exit $rc$([ $rc -gt 128 ] &&
			echo " (signal $((rc - 128)))"): $(tail -n 2 /tmp/sb.err | tr '\n' ' '))"
		echo "$mode 0 n 0 p50 0 p99 0" >/tmp/sb.out
	fi
}

add() { # add VAR VALUE: append VALUE to the list in VAR
	eval "$1=\"\${$1:-} \$2\""
}

field() { # field NAME: the value after NAME in /tmp/sb.out's last line
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) } END { print v }' /tmp/sb.out
}

offloads() { # offloads on|off: GSO and TSO on both ends of the veth pair
	$IP netns exec ns_bc $ETHTOOL -K veth_bc gso "$1" tso "$1" &&
		$IP netns exec ns_bs $ETHTOOL -K veth_bs gso "$1" tso "$1"
}

insegs() { # insegs PROTO NS: segments NS's stack PROTO received so far
	if [ "$1" = tcp ]; then
		$IP netns exec "$2" awk '/^Tcp:/ { if (h) print $11; h = 1 }' /proc/net/snmp
	else
		stat_of InSegs "$2"
	fi
}

drops() { # drops: packets the CPUs' input backlogs dropped so far (all netns)
	awk '{ n += ("0x" $2) + 0 } END { print n }' /proc/net/softnet_stat
}

in_ns() { # in_ns NS|- COMMAND...: COMMAND in NS, or here for -
	ns=$1
	shift
	if [ "$ns" = - ]; then "$@"; else $IP netns exec "$ns" "$@"; fi
}

counters() { # counters PROTO NS|-: "name value" lines, the stack's MIBs
	if [ "$1" = tcp ]; then
		in_ns "$2" cat /proc/net/snmp /proc/net/netstat | awk '
		$1 != "Tcp:" && $1 != "TcpExt:" { next }
		h[$1] { for (i = 2; i <= NF; i++) print n[$1, i], $i; next }
		{ for (i = 2; i <= NF; i++) n[$1, i] = $i; h[$1] = 1 }'
	else
		in_ns "$2" cat /proc/net/xtcp_stat
	fi
}

# diag PROTO TOPO STREAMS: one bulk run, then the counters that moved on
# each side: TCP's Tcp and TcpExt, xtcp's xtcp_stat (over loopback both
# ends share one namespace).
diag() {
	sides=-
	[ "$2" != veth ] || sides="ns_bs ns_bc"
	for ns in $sides; do
		counters "$1" "$ns" >/tmp/ctr-"$ns"
	done
	sb "$1" "$2" bulk "$3" "$SECS"
	echo "  $1 over $2, $3 stream(s): $(cat /tmp/sb.out)"
	for ns in $sides; do
		counters "$1" "$ns" | awk -v w="$ns" 'NR == FNR { b[$1] = $2; next }
			$2 - b[$1] != 0 && $1 != "CurrEstab" { s = s " " $1 "=" $2 - b[$1] }
			END { print "    " (w == "-" ? "both ends" : w) ":" s }' /tmp/ctr-"$ns" - |
			fold -s -w 110
	done
}

# bulk_row LABEL TOPO STREAMS [SECS]: runs both stacks REPS times in turns,
# prints the table row, and adds the ratio to the summary. Over veth, the
# data segments per ACK come from the two namespaces' InSegs (the same
# counters for both stacks); the other columns are medians too.
bulk_row() {
	label=$1 topo=$2 n=$3 secs=${4:-$SECS}
	unset tcp_all xtcp_all tcp_busy xtcp_busy tcp_rtx xtcp_rtx tcp_drop xtcp_drop \
		tcp_spa xtcp_spa
	r=0
	while [ $r -lt "$REPS" ]; do
		for p in tcp xtcp; do
			if [ "$topo" = veth ]; then
				d0=$(insegs $p ns_bs) a0=$(insegs $p ns_bc)
			fi
			q0=$(drops)
			sb $p "$topo" bulk "$n" "$secs"
			add ${p}_drop $(($(drops) - q0))
			spa=-
			if [ "$topo" = veth ]; then
				spa=$(awk -v d=$(($(insegs $p ns_bs) - d0)) -v a=$(($(insegs $p ns_bc) - a0)) \
					'BEGIN { if (a > 0) printf "%.1f", d / a; else print "-" }')
			fi
			add ${p}_all "$(field bulk)"
			add ${p}_busy "$(field busy)"
			add ${p}_rtx "$(field retrans)"
			add ${p}_spa "$spa"
		done
		r=$((r + 1))
	done
	# shellcheck disable=SC2086,SC2154 # lists of numbers, set by eval
	{
		tcp=$(median $tcp_all) xtcp=$(median $xtcp_all)
		printf '%-24s %-4s %9s %9s %6s  %-7s %-9s %-9s %-9s %s /%s\n' "$label" "$n" "$tcp" \
			"$xtcp" "$(ratio "$xtcp" "$tcp")" "$(median $tcp_busy)/$(median $xtcp_busy)" \
			"$(median $tcp_rtx)/$(median $xtcp_rtx)" "$(median $tcp_drop)/$(median $xtcp_drop)" \
			"$(median $tcp_spa)/$(median $xtcp_spa)" "$tcp_all" "$xtcp_all"
	}
	summary "bulk $label, $n stream(s)" "$(ratio "$xtcp" "$tcp")"
}

bulk_header() {
	printf '%-24s %-4s %9s %9s %6s  %-7s %-9s %-9s %-9s %s\n' topology conn "TCP MB/s" \
		"xtcp MB/s" ratio "busy%" retrans drops segs/ACK "(runs: TCP / xtcp)"
}

if want bulk; then
	echo
	echo "Bulk throughput, one direction, 128 kB writes, $SECS s after 0.5 s of warm-up," \
		"median of $REPS (MB/s of data read; TCG)"
	bulk_header
	for n in 1 4; do
		bulk_row loopback loopback $n
	done
	for n in 1 4; do
		bulk_row "veth, TCP GSO/TSO on" veth $n
	done
	if [ -x $ETHTOOL ] && offloads off; then
		for n in 1 4; do
			bulk_row "veth, GSO/TSO off" veth $n
		done
	else
		echo "(no ethtool in this initramfs: the offloads stay on)"
	fi
	echo "Counters that moved in one more run of each (receiver ns_bs, sender ns_bc):"
	for p in tcp xtcp; do
		diag $p veth 1
		diag $p veth 4
	done
	[ ! -x $ETHTOOL ] || offloads on
fi

if want loss; then
	# netem drops whole skbs: a GSO run of 45 segments would be one
	# "packet" lost, for either stack. gso_max_segs 1 on the sending end
	# makes both send one segment per skb, so netem drops segments, as a
	# lossy link does.
	echo
	echo "Goodput under loss: veth, netem delay 5 ms each way (RTT 10 ms), loss on the" \
		"data direction only, GSO/TSO off and one segment per skb (gso_max_segs 1)," \
		"1 stream, $LOSS_SECS s, median of $REPS"
	bulk_header
	[ ! -x $ETHTOOL ] || offloads off
	$IP -n ns_bc link set dev veth_bc gso_max_segs 1
	$TC -n ns_bs qdisc add dev veth_bs root netem delay 5ms
	for loss in 0 1 5; do
		$TC -n ns_bc qdisc replace dev veth_bc root netem delay 5ms loss $loss%
		bulk_row "loss $loss%" veth 1 $LOSS_SECS
	done
	# how each stack's slow start ended where nothing is lost on the way
	$TC -n ns_bc qdisc replace dev veth_bc root netem delay 5ms
	echo "Counters that moved in one more run of each, no loss (receiver ns_bs, sender ns_bc):"
	for p in tcp xtcp; do
		diag $p veth 1
	done
	$TC -n ns_bc qdisc del dev veth_bc root
	$TC -n ns_bs qdisc del dev veth_bs root
	$IP -n ns_bc link set dev veth_bc gso_max_segs 65535
	[ ! -x $ETHTOOL ] || offloads on
fi

if want rr; then
	echo
	echo "Request/response: 100 bytes each way over one connection, TCP_NODELAY," \
		"$SECS s, median of $REPS runs' percentiles (microseconds; TCG). On one vCPU" \
		"both ends share CPU 0; on two, every exchange wakes the other vCPU, which" \
		"under TCG on a busy host mostly times the host's scheduler."
	printf '%-18s %9s %9s %6s %9s %9s %6s %12s\n' "" "TCP p50" "xtcp p50" ratio \
		"TCP p99" "xtcp p99" ratio "exchanges T/x"
	for row in loopback:1 veth:1 loopback:2 veth:2; do
		topo=${row%:*} cpus=${row#*:}
		if [ "$cpus" = 1 ]; then export XT_CPU=0; else unset XT_CPU; fi
		t50="" t99="" x50="" x99=""
		r=0
		while [ $r -lt "$REPS" ]; do
			sb tcp "$topo" rr "$SECS" 100
			t50="$t50 $(field p50)" t99="$t99 $(field p99)" tn=$(field n)
			sb xtcp "$topo" rr "$SECS" 100
			x50="$x50 $(field p50)" x99="$x99 $(field p99)" xn=$(field n)
			r=$((r + 1))
		done
		unset XT_CPU
		label="$topo, $cpus vCPU"
		[ "$cpus" = 1 ] || label="${label}s"
		# shellcheck disable=SC2086
		set -- "$(median $t50)" "$(median $x50)" "$(median $t99)" "$(median $x99)"
		printf '%-18s %9s %9s %6s %9s %9s %6s %12s\n' "$label" "$1" "$2" "$(ratio "$2" "$1")" \
			"$3" "$4" "$(ratio "$4" "$3")" "$tn/$xn"
		[ "$cpus" = 2 ] || {
			summary "latency p50, $label" "$(ratio "$2" "$1")"
			summary "latency p99, $label" "$(ratio "$4" "$3")"
		}
	done
fi

if want mem; then
	CONNS=${XTCP_BENCH_CONNS:-1000}
	echo
	echo "Memory: $CONNS connections over loopback, idle, then each holding 64 kB" \
		"unread at the server (bytes per connection, both ends)"
	for p in tcp xtcp; do
		sb $p loopback hold "$CONNS" 65536
		cp /tmp/sb.out /tmp/hold-$p.out
	done
	hold() { # hold PROTO STEP FIELD
		awk -v s="$2" -v k="$3" '$1 == "hold" && $2 == s {
			for (i = 3; i < NF; i++) if ($i == k) print $(i + 1) }' /tmp/hold-"$1".out
	}
	printf '%-44s %10s %10s %8s\n' "" TCP xtcp xtcp/TCP
	row() { # row LABEL TCP XTCP
		printf '%-44s %10s %10s %8s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"
	}
	for p in tcp xtcp; do
		eval "${p}_idle=$(hold $p idle slab) ${p}_slab=$(hold $p held slab)"
		eval "${p}_charged=$(hold $p held proto) ${p}_free0=$(hold $p idle memfree)"
		eval "${p}_free1=$(hold $p held memfree)"
	done
	# shellcheck disable=SC2154 # set by eval
	{
		row "idle: slab objects" "$tcp_idle" "$xtcp_idle"
		row "idle: MemFree drop (coarse)" "$tcp_free0" "$xtcp_free0"
		row "64 kB unread: more slab objects" "$tcp_slab" "$xtcp_slab"
		row "64 kB unread: charged (/proc/net/protocols)" "$tcp_charged" "$xtcp_charged"
		row "64 kB unread: MemFree drop (coarse)" "$tcp_free1" "$xtcp_free1"
		# the skbs' slab objects are inside the charge (their truesize)
		t=$((tcp_idle + tcp_charged)) x=$((xtcp_idle + xtcp_charged))
		row "64 kB unread: total (idle slab + charged)" "$t" "$x"
		summary "memory, idle connection (slab)" "$(ratio "$xtcp_idle" "$tcp_idle")"
		summary "memory, connection holding 64 kB" "$(ratio "$x" "$t")"
	}
	for p in tcp xtcp; do
		echo "  $p: $(grep -h 'conns' /tmp/hold-"$p".out | cut -d' ' -f2-)"
		echo "  $p server socket: $(grep -h 'server' /tmp/hold-$p.out | cut -d' ' -f3-)"
		echo "  $p slab caches that grew, idle: $(hold $p idle top)"
		echo "  $p slab caches that grew, 64 kB: $(hold $p held top)"
	done
fi

if want perf; then
	echo
	if [ -x $PERF ] && $PERF record -e cpu-clock -a -o /tmp/perf.test -- true >/dev/null 2>&1; then
		# XTCP_BENCH_PERF=veth4: four streams over veth with the
		# offloads off, the row where xtcp is furthest behind TCP
		pconns=1 pwhere="one bulk stream over loopback" pns=-
		set -- streambench bulk
		if [ "${XTCP_BENCH_PERF:-}" = veth4 ] && [ -x $ETHTOOL ] && offloads off; then
			pconns=4 pwhere="four bulk streams over veth, GSO/TSO off" pns=ns_bs
			set -- env XT_SERVER_NS=ns_bs $IP netns exec ns_bc streambench bulk
		fi
		echo "Profile: $pwhere, $SECS s, perf cpu-clock on all CPUs" \
			"(self time, symbols over 1%)"
		for p in tcp xtcp; do
			counters $p $pns >/tmp/ctr-perf
			port=$((port + 1))
			addr=127.0.0.1
			[ $pns = - ] || addr=198.51.100.1
			$PERF record -q -g -e cpu-clock -F 997 -a -o /tmp/perf-$p.data -- \
				"$@" $p $addr $port $pconns "$SECS" >/tmp/sb.out 2>/dev/null
			echo "--- $p: $(cat /tmp/sb.out)"
			report() {
				$PERF report -i /tmp/perf-$p.data --stdio --no-children "$@" \
					2>/dev/null | grep '%' | sed 's/^/  /'
			}
			echo "  by object:"
			report --sort dso --percent-limit 0.1 -g none
			echo "  by symbol:"
			report --sort sym --percent-limit 1 -g none | head -n 25
			echo "  where the spinning, the checksums, the clock reads, the irq restores and the"
			echo "  context switches come from (callers, share of all samples):"
			for sym in native_queued_spin_lock_slowpath csum_partial csum_partial_copy_generic \
				read_hpet _raw_spin_unlock_irqrestore finish_task_switch.isra.0; do
				# "P% sym;caller;caller's caller;...": summed by the
				# first four callers
				report --sort sym --symbols=$sym -g folded,0.5,callee,function,percent |
					grep -v '\[k\]' | awk -v s=$sym '{
						n = split($2, f, ";"); c = s
						for (i = 2; i <= n && i <= 5; i++) c = c " < " f[i]
						p[c] += $1 }
					END { for (c in p) printf "    %5.2f%%  %s\n", p[c], c }' |
					sort -rn | head -n 3
			done
			echo "  $p's own functions (tcp_*, xtcp_*):"
			report --sort sym --percent-limit 0.05 -g none | grep -E "\] _*$p" | head -n 12
			echo "  counters that moved$([ $pns = - ] || echo " (receiver $pns)"):"
			counters $p $pns | awk 'NR == FNR { b[$1] = $2; next }
				$2 - b[$1] != 0 && $1 != "CurrEstab" { s = s " " $1 "=" $2 - b[$1] }
				END { print "   " s }' /tmp/ctr-perf - | fold -s -w 110
		done
		[ $pns = - ] || offloads on
	else
		echo "Profile: no perf in this initramfs, or it cannot sample here: skipped"
	fi
fi

echo
echo "Summary, xtcp/TCP (throughput: higher is better for xtcp; latency and memory: lower)"
cat "$SUMMARY"
