// SPDX-License-Identifier: GPL-2.0
/*
 * xcsum IFNAME MS WANT: tap IFNAME (in the caller's namespace) for xtcp
 * data segments arriving on it, for up to MS milliseconds or until WANT
 * of them came, and check each one's checksum in full (a segment whose
 * device was left to sum it is completed first, as the device would).
 * Prints "data=N bad=M"; exit 0 only if N >= WANT and M == 0.
 */
#include <net/if.h>

#include "xt.h"

int main(int argc, char **argv)
{
	unsigned int data = 0, bad = 0, want;
	struct xt_cap cap;
	struct xt_seg s;
	double end;

	if (argc != 4)
		xt_fatal("usage: xcsum IFNAME MS WANT");
	want = atoi(argv[3]);
	xt_cap_open(&cap, if_nametoindex(argv[1]), 0, 1 << 22);
	printf("listening\n");
	fflush(stdout);
	end = xt_now() + atoi(argv[2]) / 1000.0;
	while (data < want && xt_now() < end) {
		if (!xt_cap_recv(&cap, &s, 100) || !s.paylen)
			continue;
		data++;
		bad += !s.csum_ok;
	}
	printf("data=%u bad=%u\n", data, bad);
	return data >= want && !bad ? 0 : 1;
}
