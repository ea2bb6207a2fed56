#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test VM: scripts/vm/run.sh test|shell|demo|bench [test name...]
#
#   test   run the selftests (all, or the named ones); results go to
#          $BUILD/results/LAYER.txt as PASS|FAIL LAYER:<name>, plus
#          LAYER:boot (the runner finished) and LAYER:kernel-clean (no
#          warning, oops, splat); LAYER is $XTCP_VM_LAYER (default vm)
#   shell  interactive shell on the serial console, xtcp.ko loaded
#   demo   run demo.sh, console streamed to the terminal
#   bench  run bench.sh
#
# Serial ports: ttyS0 is the console, logged to $BUILD/vm/console-MODE.log;
# ttyS1 is the result channel, saved as $BUILD/vm/results-MODE.txt (with
# LAYER- in front of MODE when XTCP_VM_LAYER is set).
#
# Environment (all optional):
#   XTCP_VM_KERNEL   kernel to boot: a bzImage, or a vmlinux ELF with a PVH
#                    entry (CONFIG_PVH), which boots faster (default:
#                    Debian's for $KVER, fetched and decompressed)
#   XTCP_VM_INITRD   initramfs (default: $BUILD/vm/initramfs-$KVER.cpio.gz)
#   XTCP_VM_ACCEL    tcg (default) or kvm
#   XTCP_VM_TIMEOUT  seconds before the VM is killed (0 = never; default
#                    2700, 3600 for bench, never for shell; a whole suite
#                    takes 10 to 20 minutes with make check's three lanes
#                    on two cores, each test bounded by its own timeout)
#   XTCP_VM_SMP, XTCP_VM_MEM  vCPUs (2) and memory (1G)
#   XTCP_VM_APPEND   extra kernel command line
#   XTCP_VM_TESTS    test names to run, comma or space separated
#   XTCP_VM_VERBOSE  1: stream the whole console in test mode, not only the
#                    runner's "=== " lines
#   XTCP_VM_LAYER    result layer name for test mode (default vm): one run
#                    per kernel, each with its own results and logs
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
xtcp_need_kver

usage() { xtcp_die "usage: $0 test|shell|demo|bench [test name...]"; }
mode=${1:-}
[ $# -eq 0 ] || shift
case $mode in test | shell | demo | bench) ;; *) usage ;; esac

kernel=${XTCP_VM_KERNEL:-}
if [ -z "$kernel" ]; then
	img=$("$XTCP_TOP/scripts/vm/fetch-kernel.sh")
	kernel=$img/boot/vmlinux-$KVER
	[ -f "$kernel" ] || kernel=$img/boot/vmlinuz-$KVER
fi
[ -f "$kernel" ] || xtcp_die "no kernel image $kernel"
initrd=${XTCP_VM_INITRD:-$BUILD/vm/initramfs-$KVER.cpio.gz}
[ -f "$initrd" ] || xtcp_die "no $initrd: run 'make initramfs' first"
newer=$(find "$XTCP_KO" "$BUILD/selftests" "$XTCP_TOP/scripts/selftests" \
	"$XTCP_TOP"/scripts/vm/{init,demo.sh,mkinitramfs.sh} -newer "$initrd" -type f \
	2>/dev/null | head -n 3 || true)
[ -z "$newer" ] || echo "xtcp: warning: $initrd is older than ${newer//$'\n'/, } (run 'make initramfs')" >&2

mkdir -p "$BUILD/vm"
layer=${XTCP_VM_LAYER:-vm}
[[ $layer =~ ^[A-Za-z0-9_.-]+$ ]] || xtcp_die "bad XTCP_VM_LAYER '$layer'"
tag=$mode
[ -z "${XTCP_VM_LAYER:-}" ] || tag=$layer-$mode
log=$BUILD/vm/console-$tag.log
res=$BUILD/vm/results-$tag.txt
rm -f "$log" "$log.boot-crash" "$res"

case ${XTCP_VM_ACCEL:-tcg} in
tcg) accel=(-accel tcg) ;;
kvm) accel=(-accel kvm -cpu host) ;;
*) xtcp_die "XTCP_VM_ACCEL must be tcg or kvm" ;;
esac

case $mode in
shell) tmo=${XTCP_VM_TIMEOUT:-0} ;;
bench) tmo=${XTCP_VM_TIMEOUT:-3600} ;;
*) tmo=${XTCP_VM_TIMEOUT:-2700} ;;
esac

# Warnings, oopses and lockups must end the run at once, with a log that
# says which test was running. mitigations=off: page-table isolation and
# friends cost a lot under TCG and change nothing we test.
append="console=ttyS0 edd=off printk.time=1 panic_on_warn=1 oops=panic panic=-1"
append+=" softlockup_panic=1 mitigations=off cryptomgr.notests xtcpmode=$mode"
# The guest's clock is the host's: a vCPU thread the host does not run
# (make check's three lanes on two cores) looks to the guest like a CPU
# that stopped. RCU's stall alarm (21 s by default) would then report the
# host's load, not a kernel bug; a real stall still shows within 100 s,
# inside a test's timeout.
append+=" rcupdate.rcu_cpu_stall_timeout=100"
tests=$(echo "${XTCP_VM_TESTS:-} $*" | tr -s ', ' ',,' | sed 's/^,//; s/,$//')
[ -z "$tests" ] || append+=" xtcptests=$tests"
if [ "$mode" = shell ] && [ -t 0 ] && size=$(stty size 2>/dev/null); then
	append+=" xtcprows=${size% *} xtcpcols=${size#* }"
fi
append+=" ${XTCP_VM_APPEND:-}"

# ttyS0 on stdio (logged); in shell mode multiplexed with the QEMU monitor
# (Ctrl-A c) and Ctrl-C passed to the guest.
# shellcheck disable=SC2054 # the commas are QEMU's option syntax
if [ "$mode" = shell ]; then
	con=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log"
		-serial chardev:con -mon chardev=con,mode=readline)
else
	con=(-chardev "stdio,id=con,logfile=$log" -serial chardev:con)
fi
qemu=(qemu-system-x86_64 "${accel[@]}" -smp "${XTCP_VM_SMP:-2}"
	-m "${XTCP_VM_MEM:-1G}" -nodefaults -no-user-config -display none
	-no-reboot -kernel "$kernel" -initrd "$initrd" -append "$append"
	"${con[@]}" -chardev "file,id=res,path=$res" -serial chardev:res)

if [ "$mode" = shell ]; then
	[ "$tmo" = 0 ] || exec timeout --foreground -k 10 "$tmo" "${qemu[@]}"
	exec "${qemu[@]}"
fi

# Kernel messages (timestamped lines) that mean the kernel is not clean.
# The allowlist covers the echoed command line and debug kernels' banners.
bad='WARNING:|BUG:|ODEBUG:|Oops|Kernel panic|refcount_t|general protection|Call Trace|UBSAN|KASAN|kmemleak|lockdep|possible circular locking|INFO: task .* blocked|watchdog: BUG'
benign='ommand line:|kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread started|RCU lockdep checking is enabled'
kmsg='^\[ *[0-9]+\.[0-9]+\] '

# What the terminal shows (the log keeps everything): the runner's progress
# in test mode, the script's output in demo and bench modes, and kernel
# messages only when they are bad news.
filter() {
	if [ "${XTCP_VM_VERBOSE:-0}" = 1 ]; then
		cat
	elif [ "$mode" = test ]; then
		sed -u 's/\r$//' | grep --line-buffered -E "^=== |$bad" || true
	else
		sed -u 's/\r$//' | K=$kmsg B=$bad awk '$0 !~ ENVIRON["K"] || $0 ~ ENVIRON["B"] { print; fflush() }'
	fi
}

# The guest powers off when done; a panic reboots it, which -no-reboot turns
# into QEMU exiting too. --foreground: Ctrl-C still stops QEMU.
#
# A kernel that dies while it boots, before it runs /init, has not met
# xtcp yet: under TCG a vCPU can run code another vCPU is patching (seen
# once on 6.12: an int3 oops in sched_clock_cpu as static keys flipped,
# 3 s into boot). That boot is kept beside the log and the VM booted once
# more; a second such crash fails as usual.
boot_crashed() {
	! tr -d '\r' <"$log" | grep -q 'Run /init as init process' &&
		tr -d '\r' <"$log" | grep -qE "\[ *[0-9]+\.[0-9]+\] .*($bad)" &&
		! tr -d '\r' <"$res" 2>/dev/null | grep -qx DONE
}
start=$SECONDS
for attempt in 1 2; do
	rc=0
	timeout --foreground -k 10 "$tmo" "${qemu[@]}" </dev/null | filter || rc=$?
	if [ "$attempt" = 2 ] || ! boot_crashed; then
		break
	fi
	cp "$log" "$log.boot-crash"
	echo "xtcp: the kernel crashed while booting, before /init and xtcp" \
		"(kept in $log.boot-crash); booting once more"
	: >"$res"
done
secs=$((SECONDS - start))
[ "$rc" -ne 124 ] || echo "xtcp: VM killed after ${tmo}s (XTCP_VM_TIMEOUT)"
[ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || echo "xtcp: qemu exited with status $rc"
echo "xtcp: VM ran ${secs}s; console log $log"

touch "$res"
results=$(tr -d '\r' <"$res")
done_seen=0
! grep -qx DONE <<<"$results" || done_seen=1
dirty=$(tr -d '\r' <"$log" | grep -E "\[ *[0-9]+\.[0-9]+\] .*($bad)" | grep -Ev "$benign" || true)

# A "Call Trace:" alone says nothing: show the first bad message with
# the test that was running and the lines before it (the reason: an RCU
# stall, an allocation failure, a hung task) and after it (the stack).
dirty_context() {
	local first n
	first=$(head -n 1 <<<"$dirty")
	n=$(tr -d '\r' <"$log" | grep -nF -- "$first" | head -n 1 | cut -d: -f1)
	[ -n "$n" ] || return 0
	echo "xtcp: the first of them in context (console log line $n), during test:"
	tr -d '\r' <"$log" | head -n "$n" | grep '^=== RUN' | tail -n 1
	tr -d '\r' <"$log" | sed -n "$((n > 12 ? n - 12 : 1)),$((n + 25))p"
}

fail=0
report_fail() {
	echo "xtcp: console log: $log (last 60 lines below)"
	tail -n 60 "$log" | tr -d '\r'
	[ -z "$dirty" ] || { echo "xtcp: kernel messages that fail $layer:kernel-clean:"; head -n 20 <<<"$dirty"; dirty_context; }
	exit 1
}

if [ "$mode" != test ]; then
	verdict=$(grep -E "^(PASS|FAIL|SKIP) $mode\$" <<<"$results" | tail -n 1 || true)
	! grep -qx 'FAIL modules' <<<"$results" || { echo "xtcp: kernel modules failed to load"; fail=1; }
	[ "$done_seen" = 1 ] || { echo "xtcp: the VM did not finish (crash, panic or timeout)"; fail=1; }
	[ -z "$dirty" ] || { echo "xtcp: the kernel logged warnings or errors"; fail=1; }
	case $verdict in
	"PASS $mode") ;;
	"SKIP $mode") echo "xtcp: no $mode script in the initramfs"; fail=1 ;;
	*) echo "xtcp: $mode failed"; fail=1 ;;
	esac
	[ "$fail" = 0 ] || report_fail
	echo "xtcp: $mode OK"
	exit 0
fi

# Test mode: one result line per test. SKIPs are printed, not recorded.
xtcp_results_reset "$layer"
declare -A reported=()
while read -r verdict name _; do
	case $verdict in
	PASS) xtcp_result PASS "$layer" "$name" ;;
	FAIL) xtcp_result FAIL "$layer" "$name"; fail=1 ;;
	SKIP) echo "SKIP $layer:$name" ;;
	*) continue ;;
	esac
	reported[$name]=1
done <<<"$results"
# A test that started but never reported is the one the VM died in. Names
# are [A-Za-z0-9_.-] (tests.list): a kernel message that lands mid-line
# on the console ("=== RUN name[  607.48] random: ...") is not part of one.
# The runner prints each verdict on the console too: a line the result
# channel lost (seen once on a loaded host, the console saying PASS) is
# taken from there, and said so. Without either, the test died.
while read -r name; do
	if [ -n "$name" ] && [ -z "${reported[$name]:-}" ]; then
		verdict=$(tr -d '\r' <"$log" |
			  sed -n "s/^=== \(PASS\|FAIL\|SKIP\) $name\( .*\)\{0,1\}\$/\1/p" |
			  tail -n 1)
		[ -z "$verdict" ] ||
			echo "xtcp: $name: the result channel lost its line; the console says $verdict"
		case $verdict in
		PASS) xtcp_result PASS "$layer" "$name" ;;
		SKIP) echo "SKIP $layer:$name" ;;
		*) xtcp_result FAIL "$layer" "$name"; fail=1 ;;
		esac
		reported[$name]=1
	fi
done < <(tr -d '\r' <"$log" | sed -n 's/^=== RUN \([A-Za-z0-9_.-]*\).*/\1/p')
if [ "$done_seen" = 1 ]; then
	xtcp_result PASS "$layer" boot
else
	xtcp_result FAIL "$layer" boot
	fail=1
fi
if [ -z "$dirty" ]; then
	xtcp_result PASS "$layer" kernel-clean
else
	xtcp_result FAIL "$layer" kernel-clean
	fail=1
fi
[ "$fail" = 0 ] || report_fail
