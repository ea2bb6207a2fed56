// SPDX-License-Identifier: GPL-2.0
/*
 * xcap IFACE SECONDS: print every xtcp segment seen on IFACE (both ways)
 * for SECONDS, one line each: "t=<s since start> <dir> <flags> seq ack".
 * An ETH_P_ALL packet tap runs before tc ingress, so it also sees what a tc
 * filter then drops (a tap for ETH_P_IP only would run after tc). Prints
 * "ready" once the tap is open.
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include "xtcp_test.h"

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, proto = xt_ipproto();
	double t0, end;

	if (argc != 3)
		xt_fatal("usage: xcap IFACE SECONDS");
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (fd < 0 || !sll.sll_ifindex ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		xt_fatal("tap on %s", argv[1]);
	xt_log("ready");
	t0 = xt_now();
	end = t0 + atof(argv[2]);
	while (xt_now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		uint8_t buf[256];
		ssize_t n;
		int ihl;

		if (poll(&p, 1, 50) != 1)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &flen);
		if (from.sll_protocol != htons(ETH_P_IP) || n < 20 ||
		    buf[9] != proto)
			continue;
		ihl = (buf[0] & 0xf) * 4;
		if (n < ihl + 20)
			continue;
		printf("t=%.3f %s flags=0x%02x seq=%u ack=%u\n", xt_now() - t0,
		       from.sll_pkttype == PACKET_OUTGOING ? "out" : "in",
		       buf[ihl + 13] & 0x3f,
		       ntohl(*(uint32_t *)(buf + ihl + 4)),
		       ntohl(*(uint32_t *)(buf + ihl + 8)));
		fflush(stdout);
	}
	return 0;
}
