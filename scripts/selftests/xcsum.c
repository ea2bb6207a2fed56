// SPDX-License-Identifier: GPL-2.0
/*
 * xcsum IFNAME MS WANT: tap IFNAME (in the caller's namespace) for xtcp
 * data segments arriving on it, for up to MS milliseconds or until WANT
 * of them came, and check each one's checksum in full (a segment whose
 * device was left to sum it is completed first, as the device would).
 * Prints "data=N bad=M max=P open=K": P the largest payload seen (a GSO
 * run that crossed the device whole is one frame larger than the MSS),
 * K how many came with their sum left to the device;
 * exit 0 only if N >= WANT and M == 0.
 */
#include <net/if.h>

#include "xt.h"

int main(int argc, char **argv)
{
	unsigned int data = 0, bad = 0, max = 0, open = 0, want;
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
		open += s.csum_open;
		if (s.paylen > max)
			max = s.paylen;
	}
	printf("data=%u bad=%u max=%u open=%u\n", data, bad, max, open);
	return data >= want && !bad ? 0 : 1;
}
