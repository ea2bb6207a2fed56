// SPDX-License-Identifier: GPL-2.0
/*
 * A packet tap for xtcp segments. An ETH_P_ALL tap runs before tc
 * ingress, so it sees what a tc filter then drops: that is how a program
 * watches the answers its own namespace's stack must not get.
 */
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>

#include "xt.h"

/*
 * Tap interface @ifindex of the caller's namespace: what it receives, and
 * what it sends too if @both. @rcvbuf > 0 forces the socket's buffer to
 * that many bytes, so a burst of answers is not lost.
 */
void xt_cap_open(struct xt_cap *c, int ifindex, int both, int rcvbuf)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};

	c->proto = xt_ipproto();
	c->both = both;
	c->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (c->fd < 0)
		xt_fatal("socket(AF_PACKET)");
	if (rcvbuf > 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
				     sizeof(rcvbuf)))
		xt_fatal("SO_RCVBUFFORCE");
	if (!ifindex || bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)))
		xt_fatal("bind the tap to interface %d", ifindex);
}

/* One frame as an xtcp segment into @s; 0 if it is not one. */
static int xt_cap_frame(const struct xt_cap *c, const uint8_t *b, size_t n,
			const struct sockaddr_ll *sll, struct xt_seg *s)
{
	unsigned int ihl, tot;
	uint32_t sa, da;

	if (n < 20 || sll->sll_protocol != htons(ETH_P_IP) ||
	    (!c->both && sll->sll_pkttype == PACKET_OUTGOING))
		return 0;
	if ((b[0] >> 4) != 4 || b[9] != c->proto)
		return 0;
	ihl = (b[0] & 0xf) * 4;
	tot = xt_get16(b + 2);
	if (tot > n)
		tot = n;
	if (ihl < 20 || tot < ihl + 20)
		return 0;
	memcpy(&sa, b + 12, 4);
	memcpy(&da, b + 16, 4);
	xt_seg_parse(b + ihl, tot - ihl, sa, da, s);
	s->outgoing = sll->sll_pkttype == PACKET_OUTGOING;
	return 1;
}

/*
 * The next xtcp segment within @ms (0: only what is queued now), parsed
 * into @s. Other frames are passed over. Returns 1, or 0 if none came.
 */
int xt_cap_recv(struct xt_cap *c, struct xt_seg *s, int ms)
{
	double end = xt_now() + ms / 1000.0;
	uint8_t b[2048];

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		double left = end - xt_now();
		ssize_t n;

		n = recvfrom(c->fd, b, sizeof(b), MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &sl);
		if (n >= 0) {
			if (xt_cap_frame(c, b, n, &sll, s))
				return 1;
			continue;
		}
		if (left <= 0)
			return 0;
		poll(&p, 1, (int)(left * 1000) + 1);
	}
}

/* Frames the tap's buffer had no room for, since the last call. */
unsigned int xt_cap_drops(struct xt_cap *c)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return 0;
	return st.tp_drops;
}
