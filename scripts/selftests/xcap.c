// SPDX-License-Identifier: GPL-2.0
/*
 * xcap IFACE SECONDS [tcp]: print every xtcp segment (with "tcp": every
 * TCP segment, for the Linux side of the translator) seen on IFACE (both
 * ways) for SECONDS, one line each:
 * "t=<s since start> <dir> <flags> seq ack len=<payload bytes>".
 * An ETH_P_ALL packet tap runs before tc ingress, so it also sees what a tc
 * filter then drops (a tap for ETH_P_IP only would run after tc). Prints
 * "ready" once the tap is open. XCAP_VERBOSE set in the environment adds
 * each segment's window, whether its checksum is right, and its timestamps.
 */
#include <net/if.h>

#include "xt.h"

int main(int argc, char **argv)
{
	struct xt_cap cap;
	struct xt_seg s;
	int verbose = getenv("XCAP_VERBOSE") != NULL;
	double t0, end;

	if (argc != 3 && (argc != 4 || strcmp(argv[3], "tcp")))
		xt_fatal("usage: xcap IFACE SECONDS [tcp]");
	xt_cap_open(&cap, if_nametoindex(argv[1]), 1, 0);
	if (argc == 4)
		cap.proto = IPPROTO_TCP;
	xt_log("ready");
	t0 = xt_now();
	end = t0 + atof(argv[2]);
	while (xt_now() < end) {
		if (!xt_cap_recv(&cap, &s, 50))
			continue;
		printf("t=%.3f %s flags=0x%02x seq=%u ack=%u len=%u",
		       xt_now() - t0, s.outgoing ? "out" : "in", s.flags & 0x3f,
		       s.seq, s.ack, s.paylen);
		if (verbose)
			printf(" win=%u csum=%d ts=%u/%u\n", s.win, s.csum_ok,
			       s.tsval, s.tsecr);
		else
			printf("\n");
		fflush(stdout);
	}
	return 0;
}
