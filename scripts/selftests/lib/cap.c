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
	int one = 1;

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
	if (setsockopt(c->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)))
		xt_fatal("PACKET_AUXDATA");
}

/*
 * A segment whose checksum the device was left to fill in (xtcp's data
 * on loopback and veth, as TCP's): its field holds the pseudo-header's
 * sum. Sum it as the device would, so that the segment is checked in
 * full, that pseudo-header included.
 */
static void xt_cap_csum_fill(uint8_t *seg, size_t len)
{
	xt_put16(seg + 16, xt_seg_csum_fold(xt_seg_csum_add(0, seg, len)));
}

/* One frame as an xtcp segment into @s; 0 if it is not one. */
static int xt_cap_frame(const struct xt_cap *c, uint8_t *b, size_t n,
			const struct sockaddr_ll *sll, int partial,
			struct xt_seg *s)
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
	if (partial && xt_get16(b + 2) <= n)
		xt_cap_csum_fill(b + ihl, tot - ihl);
	xt_seg_parse(b + ihl, tot - ihl, sa, da, s);
	s->csum_open = partial;
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
	/* a GSO run crosses veth and loopback whole: up to 64 kB a frame */
	uint8_t b[65536 + 256];

	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		struct sockaddr_ll sll;
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct iovec iov = { .iov_base = b, .iov_len = sizeof(b) };
		struct msghdr m = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = &ctl, .msg_controllen = sizeof(ctl),
		};
		double left = end - xt_now();
		struct cmsghdr *cm;
		int partial = 0;
		ssize_t n;

		n = recvmsg(c->fd, &m, MSG_DONTWAIT);
		if (n >= 0) {
			for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
				struct tpacket_auxdata aux;

				if (cm->cmsg_level != SOL_PACKET ||
				    cm->cmsg_type != PACKET_AUXDATA)
					continue;
				memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
				partial = !!(aux.tp_status & TP_STATUS_CSUMNOTREADY);
			}
			if (xt_cap_frame(c, b, n, &sll, partial, s))
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
