// SPDX-License-Identifier: GPL-2.0
/*
 * GSO for xtcp's protocol number: a run of data segments leaves the
 * socket as one skb (send.c builds it, gso_size the MSS), and is cut
 * into segments only where it has to be: by a device that cannot take
 * it whole (no TSO, or GSO off), by a forwarding hop, by the IP layer
 * when the route's MTU fell. veth and loopback take it whole, so an
 * xtcp receiver in the next namespace gets the whole run too.
 *
 * The kernel's TCP segmentation is registered for protocol 6 only: the
 * IPv4 GSO layer finds ours by the protocol byte (inet_add_offload).
 * The cut: every segment gets the header of the first, its own sequence
 * number, PSH and FIN on the last only, CWR on the first only, and its
 * own checksum (left to the device, or summed here when the device
 * cannot), the pseudo-header counting protocol 6 as every xtcp segment's
 * does. The IPv4 layer fixes each segment's IP header after us.
 */
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/protocol.h>

#include "xtcp.h"
#include "wire.h"

/* The pseudo-header sum of a segment of @len bytes, not folded away. */
static __sum16 xtcp_offload_pseudo(const struct sk_buff *skb,
				   unsigned int len)
{
	const struct iphdr *iph = ip_hdr(skb);

	return ~csum_tcpudp_magic(iph->saddr, iph->daddr, len,
				  XTCP_CSUM_PROTO, 0);
}

/* Finish one segment's checksum: the device's to do, or ours now. */
static void xtcp_offload_csum(struct sk_buff *seg, struct tcphdr *th,
			      unsigned int len)
{
	__wsum res;

	th->check = xtcp_offload_pseudo(seg, len);
	res = ~csum_unfold(th->check);
	if (seg->ip_summed == CHECKSUM_PARTIAL)
		gso_reset_checksum(seg, res);
	else
		th->check = gso_make_checksum(seg, res);
}

static struct sk_buff *xtcp_offload_segment(struct sk_buff *skb,
					    netdev_features_t features)
{
	struct sk_buff *segs, *seg;
	struct tcphdr *th;
	unsigned int thlen, mss;
	u32 seq;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_TCPV4) ||
	    !pskb_may_pull(skb, sizeof(*th)))
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || !pskb_may_pull(skb, thlen))
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	if (skb->ip_summed != CHECKSUM_PARTIAL) {
		/* not from our sender (it always leaves the sum open) */
		th->check = xtcp_offload_pseudo(skb, skb->len);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	}
	if (skb_checksum_start(skb) != skb_transport_header(skb))
		return ERR_PTR(-EINVAL);
	mss = skb_shinfo(skb)->gso_size;
	if (skb->len - thlen <= mss)
		return ERR_PTR(-EINVAL);
	if (skb_gso_ok(skb, features | NETIF_F_GSO_ROBUST)) {
		/* the device cuts it itself; only trust the count we make */
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - thlen, mss);
		return NULL;
	}

	seq = ntohl(th->seq);
	__skb_pull(skb, thlen);
	segs = skb_segment(skb, features);
	if (IS_ERR_OR_NULL(segs))
		return segs;
	/* skb_segment() may leave runs whole (GSO partial): cut by those */
	if (skb_is_gso(segs))
		mss *= skb_shinfo(segs)->gso_segs;
	for (seg = segs; seg; seg = seg->next) {
		th = tcp_hdr(seg);
		th->seq = htonl(seq);
		if (seg != segs)
			th->cwr = 0;
		if (seg->next) {
			th->fin = 0;
			th->psh = 0;
		}
		xtcp_offload_csum(seg, th, skb_tail_pointer(seg) -
				  skb_transport_header(seg) + seg->data_len);
		seq += mss;
	}
	return segs;
}

static const struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment = xtcp_offload_segment,
	},
};

/**
 * xtcp_offload_init() - register the segmentation of xtcp's GSO skbs
 *
 * Return: 0, or -EBUSY if another offload holds the protocol number.
 */
int xtcp_offload_init(void)
{
	return inet_add_offload(&xtcp_offload, xtcp_ipproto) ? -EBUSY : 0;
}

/* Unregistered: inet_del_offload() waits out the segmentations running. */
void xtcp_offload_exit(void)
{
	inet_del_offload(&xtcp_offload, xtcp_ipproto);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/offload_test.c"
#endif
