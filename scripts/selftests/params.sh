#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters: other values are honoured; out-of-range values and
# numbers another protocol holds are refused with a log line, and a refused
# load leaves nothing registered behind (the unwinding works).
. /xtcp/bin/lib.sh

param() { cat /sys/module/xtcp/parameters/"$1"; }

check "start unloaded" unload

log "family=22 ipproto=254"
check "insmod family=22 ipproto=254" load family=22 ipproto=254
check "parameters read back" sh -c \
	'[ "$(cat /sys/module/xtcp/parameters/family)" = 22 ] && [ "$(cat /sys/module/xtcp/parameters/ipproto)" = 254 ]'
check "socket(22, SOCK_STREAM, 254) works" eq "$(trysock 22 254)" ok
check "socket(22, SOCK_STREAM, 253) refused" eq "$(trysock 22 253)" EPROTONOSUPPORT
check "family 18 not registered" eq "$(trysock 18)" EAFNOSUPPORT
check "segments at protocol 254 are counted" inject_malformed
check "rmmod" unload

# refused: value, expected log text
for bad in "family=0:out of range" "family=46:out of range" \
	   "family=-1:out of range" "ipproto=0:out of range" \
	   "ipproto=255:out of range" "ipproto=1000:out of range" \
	   "family=2:address family 2 is taken" \
	   "family=16:address family 16 is taken" \
	   "ipproto=6:IP protocol 6 is taken" \
	   "ipproto=17:IP protocol 17 is taken"; do
	arg=${bad%%:*}
	msg=${bad#*:}
	log "$arg"
	check "insmod $arg refused" sh -c "! insmod $KO $arg 2>/dev/null"
	check "module not left loaded" not_loaded
	check "log says: $msg" sh -c "dmesg | grep 'xtcp: ' | tail -n 1 | grep -q '$msg'"
	check "no stat file left" test ! -e /proc/net/xtcp_stat
	check "family 18 not left registered" eq "$(trysock 18)" EAFNOSUPPORT
	check "proto not left registered" sh -c "! grep -q '^XTCP ' /proc/net/protocols"
done

# A refused ipproto= load registered its family first: it must be gone,
# so a plain load now works and gets family 18.
check "default load after refusals" load
check "family 18 back" eq "$(trysock 18)" ok
done_test
