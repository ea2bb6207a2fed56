#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What `make demo` shows, run inside the VM after xtcp.ko is loaded. It says
# in plain words what each step shows. It grows with every issue.
# Exit status 0 means everything shown worked.
ok=1
say() { printf '\n== %s\n' "$*"; }
bad() { echo "   !! $*"; ok=0; }

say "The module is loaded; the kernel log says:"
dmesg | grep 'xtcp: ' | tail -n 1
fam=$(cat /sys/module/xtcp/parameters/family)
proto=$(cat /sys/module/xtcp/parameters/ipproto)
echo "   AF_XTCP is family $fam; segments travel as IPv4 protocol $proto."

say "The socket layer knows the new protocol (/proc/net/protocols):"
grep -E '^(protocol|XTCP) ' /proc/net/protocols | cut -c1-40

say "socket(AF_XTCP, SOCK_STREAM, 0) from a C program:"
r=$(/xtcp/bin/trysock "$fam")
echo "   -> $r"
[ "$r" = ok ] || bad "socket() failed"
say "socket(AF_XTCP, SOCK_DGRAM, 0) is refused, as it should be:"
/xtcp/bin/socket_api >/tmp/api.log 2>&1 || bad "socket API checks failed (see below)"
grep -E 'SOCK_DGRAM|SO_DOMAIN|poll on a fresh' /tmp/api.log
grep FAIL /tmp/api.log

say "Every segment is checked before it is believed. Sending malformed"
echo "   and random segments at protocol $proto over loopback:"
/xtcp/bin/inject_malformed >/tmp/inj.log 2>&1 || bad "malformed segments not all counted"
sed -n 's/^  ok: /   /p; s/^  FAIL/   FAIL/p' /tmp/inj.log

say "The counters in /proc/net/xtcp_stat:"
sed 's/^/   /' /proc/net/xtcp_stat

say "Unloading the module leaves nothing behind:"
if rmmod xtcp && [ ! -e /proc/net/xtcp_stat ]; then
	echo "   rmmod ok; /proc/net/xtcp_stat is gone; log: $(dmesg | grep 'xtcp: ' | tail -n 1)"
else
	bad "rmmod failed"
fi

if [ $ok = 1 ]; then
	say "Demo finished: everything shown worked."
	exit 0
fi
say "Demo finished with failures."
exit 1
