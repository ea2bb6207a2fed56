#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unload and load xtcp three times: each load registers the family, the proto
# and the stat file, and says so in the log; each unload removes them all.
. /xtcp/bin/lib.sh

registered() {
	loaded && [ -e /proc/net/xtcp_stat ] &&
		grep -q '^XTCP ' /proc/net/protocols &&
		[ "$(trysock 18)" = ok ]
}

gone() {
	not_loaded && [ ! -e /proc/net/xtcp_stat ] &&
		! grep -q '^XTCP ' /proc/net/protocols &&
		[ "$(trysock 18)" = EAFNOSUPPORT ]
}

for round in 1 2 3; do
	log "round $round"
	check "rmmod succeeds" unload
	check "nothing of xtcp left after rmmod" gone
	check "log says unloaded" sh -c "dmesg | tail -n 3 | grep -q 'xtcp: unloaded'"
	check "insmod succeeds" load
	check "family, proto and /proc/net/xtcp_stat registered" registered
	check "log names family and protocol" sh -c \
		"dmesg | grep 'xtcp: ' | tail -n 1 | grep -q 'loaded: address family 18, IP protocol 253'"
done
done_test
