// SPDX-License-Identifier: GPL-2.0
/*
 * Building and sending segments.
 *
 * A full socket sends through ip_queue_xmit(), which routes for it and
 * caches the route. Everything sent without a socket of its own (RSTs for
 * segments nobody owns, SYN-ACKs and ACKs of request socks) goes through a
 * per-netns control socket: a kernel raw socket at our protocol number,
 * unhashed so it never receives, whose only use is to carry the netns and
 * IP defaults into ip_build_and_send_pkt(). A SYN-ACK is sent with its
 * listener there instead, as TCP's, so the listener's IP_TTL, DF rule and
 * priority apply; whatever is sent for a socket carries its SO_MARK.
 *
 * Checksums of segments without data are computed here, in full. A data
 * segment is left to the device (CHECKSUM_PARTIAL) when its route's
 * device sums from csum_start whatever the protocol (NETIF_F_HW_CSUM:
 * loopback, veth, virtio), as TCP's are: summing in software cost as
 * much as copying the data. A device that offloads only TCP and UDP
 * (NETIF_F_IP_CSUM) would be handed our protocol's segment by the
 * stack's offload check, which looks at csum_offset alone, so for those
 * the whole segment is summed here.
 *
 * Every segment sent for a socket is owned by it (skb_set_owner_w), as
 * TCP's are: the socket outlives its segments in flight, and cgroup and
 * netfilter owner matches see whose traffic it is.
 */
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/inet_common.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "xtcp.h"
#include "wire.h"

/* Headroom for link layer and IP header, room for the largest header. */
#define XTCP_SKB_ROOM	(MAX_HEADER + sizeof(struct iphdr) + XTCP_MAX_HDR_LEN)

static unsigned int xtcp_output_opts_len(const struct xtcp_seg *s)
{
	unsigned int len = 0;

	if (s->mss)
		len += 4;
	if (s->has_ts)
		len += 12;		/* SACK-permitted rides in its padding */
	else if (s->sack_ok)
		len += 4;
	if (s->has_wscale)
		len += 4;
	if (s->nr_sack)
		len += 4 + s->nr_sack * XTCP_OLEN_SACK_BLOCK;
	if (s->fo_len || s->fo_req)
		len += ALIGN(XTCP_OLEN_FASTOPEN + s->fo_len, 4);
	return len;
}

/* The layout Linux uses, so captures of both look alike. */
static void xtcp_output_write_opts(u8 *p, const struct xtcp_seg *s)
{
	if (s->mss) {
		*p++ = XTCP_OPT_MSS;
		*p++ = XTCP_OLEN_MSS;
		put_unaligned_be16(s->mss, p);
		p += 2;
	}
	if (s->has_ts) {
		if (s->sack_ok) {
			*p++ = XTCP_OPT_SACK_PERM;
			*p++ = XTCP_OLEN_SACK_PERM;
		} else {
			*p++ = XTCP_OPT_NOP;
			*p++ = XTCP_OPT_NOP;
		}
		*p++ = XTCP_OPT_TS;
		*p++ = XTCP_OLEN_TS;
		put_unaligned_be32(s->tsval, p);
		put_unaligned_be32(s->tsecr, p + 4);
		p += 8;
	} else if (s->sack_ok) {
		*p++ = XTCP_OPT_NOP;
		*p++ = XTCP_OPT_NOP;
		*p++ = XTCP_OPT_SACK_PERM;
		*p++ = XTCP_OLEN_SACK_PERM;
	}
	if (s->has_wscale) {
		*p++ = XTCP_OPT_NOP;
		*p++ = XTCP_OPT_WSCALE;
		*p++ = XTCP_OLEN_WSCALE;
		*p++ = s->wscale;
	}
	if (s->nr_sack) {
		unsigned int i;

		*p++ = XTCP_OPT_NOP;
		*p++ = XTCP_OPT_NOP;
		*p++ = XTCP_OPT_SACK;
		*p++ = 2 + s->nr_sack * XTCP_OLEN_SACK_BLOCK;
		for (i = 0; i < s->nr_sack; i++) {
			put_unaligned_be32(s->sack[i].start, p);
			put_unaligned_be32(s->sack[i].end, p + 4);
			p += 8;
		}
	}
	if (s->fo_len || s->fo_req) {
		unsigned int olen = XTCP_OLEN_FASTOPEN + s->fo_len;

		/* last, the padding after it, as Linux writes it */
		*p++ = XTCP_OPT_FASTOPEN;
		*p++ = olen;
		memcpy(p, s->fo_cookie, s->fo_len);
		p += s->fo_len;
		memset(p, XTCP_OPT_NOP, ALIGN(olen, 4) - olen);
	}
}

/**
 * xtcp_output_opts_room() - option bytes a segment like @s carries
 * @s: the segment
 *
 * Return: the length of its options, padded.
 */
unsigned int xtcp_output_opts_room(const struct xtcp_seg *s)
{
	return xtcp_output_opts_len(s);
}

/* The header of @s at @th, checksum field zero. */
static void xtcp_output_fill(struct tcphdr *th, const struct xtcp_seg *s,
			     unsigned int hdrlen)
{
	memset(th, 0, XTCP_HDR_LEN);
	th->source = s->sport;
	th->dest = s->dport;
	th->seq = htonl(s->seq);
	th->ack_seq = htonl(s->ack);
	th->doff = hdrlen / 4;
	((u8 *)th)[13] = s->flags;
	th->window = htons(s->window);
	xtcp_output_write_opts((u8 *)(th + 1), s);
}

/**
 * xtcp_output_build() - a segment as described by @s, checksum included
 * @s: what to send
 * @gfp: allocation context
 *
 * Return: the skb, skb->data at the xtcp header, or NULL.
 */
struct sk_buff *xtcp_output_build(const struct xtcp_seg *s, gfp_t gfp)
{
	unsigned int hdrlen = XTCP_HDR_LEN + xtcp_output_opts_len(s);
	struct sk_buff *skb;
	struct tcphdr *th;

	skb = alloc_skb(XTCP_SKB_ROOM, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, XTCP_SKB_ROOM);
	th = skb_push(skb, hdrlen);
	skb_reset_transport_header(skb);
	xtcp_output_fill(th, s, hdrlen);
	th->check = csum_tcpudp_magic(s->saddr, s->daddr, hdrlen,
				      XTCP_CSUM_PROTO,
				      csum_partial(th, hdrlen, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

static void xtcp_output_count(struct net *net, const struct xtcp_seg *s)
{
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	if (s->flags & XTCP_FLAG_RST)
		XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
}

/*
 * Route and send @s with @via's IP defaults (TTL, DF rule, priority):
 * the control socket's, or a listener's for its SYN-ACKs. @mark routes the
 * segment and goes with it, so policy routing and tc see whose it is.
 */
static int xtcp_output_reply(struct net *net, const struct sock *via,
			     const struct xtcp_seg *s, int oif, u8 tos,
			     u32 mark)
{
	struct xtcp_seg seg = *s;
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;

	flowi4_init_output(&fl4, oif, mark, tos, RT_SCOPE_UNIVERSE,
			   xtcp_ipproto, 0, s->daddr, s->saddr, s->dport,
			   s->sport, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (seg.mss == XTCP_MSS_FROM_ROUTE)
		seg.mss = dst_metric_advmss(&rt->dst);
	skb = xtcp_output_build(&seg, GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return -ENOMEM;
	}
	skb_dst_set(skb, &rt->dst);
	skb->mark = mark;
	xtcp_output_count(net, &seg);
	ip_build_and_send_pkt(skb, via, seg.saddr, seg.daddr, NULL, tos);
	return 0;
}

/**
 * xtcp_output_ctl() - send a segment that no socket owns
 * @net: namespace to send in
 * @s: the segment
 * @oif: output interface to insist on, or 0
 * @tos: IP TOS byte
 * @mark: the mark of the socket it is sent for (SO_MARK), or 0
 *
 * Return: 0, or a negative errno if it could not be built or routed.
 */
int xtcp_output_ctl(struct net *net, const struct xtcp_seg *s, int oif,
		    u8 tos, u32 mark)
{
	return xtcp_output_reply(net, xtcp_net(net)->ctl_sk, s, oif, tos,
				 mark);
}

/**
 * xtcp_output_synack() - send a request's SYN-ACK on behalf of @lsk
 * @lsk: the listener
 * @s: the segment
 * @oif: output interface to insist on, or 0
 *
 * As TCP's SYN-ACKs, it leaves with the listener's IP_TOS, IP_TTL,
 * IP_MTU_DISCOVER rule, SO_PRIORITY and SO_MARK: the listener is the
 * socket the program configured, the control socket only a carrier.
 *
 * Return: 0, or a negative errno if it could not be built or routed.
 */
int xtcp_output_synack(const struct sock *lsk, const struct xtcp_seg *s,
		       int oif)
{
	return xtcp_output_reply(sock_net(lsk), lsk, s, oif,
				 READ_ONCE(inet_sk(lsk)->tos),
				 READ_ONCE(lsk->sk_mark));
}

/**
 * xtcp_output_sk() - send a segment of a full socket
 * @sk: the socket, connected (addresses and ports set)
 * @s: the segment; addresses and ports are taken from @sk
 *
 * Return: 0 or a negative errno.
 */
int xtcp_output_sk(struct sock *sk, struct xtcp_seg *s)
{
	struct inet_sock *inet = inet_sk(sk);
	struct sk_buff *skb;
	int err;

	s->saddr = inet->inet_saddr;
	s->daddr = inet->inet_daddr;
	s->sport = inet->inet_sport;
	s->dport = inet->inet_dport;
	skb = xtcp_output_build(s, GFP_ATOMIC);
	if (!skb)
		return -ENOMEM;
	skb_set_owner_w(skb, sk);
	xtcp_output_count(sock_net(sk), s);
	xtcp_sk(sk)->snd.segs_out++;		/* tcpi_segs_out: every one */
	/* no segment without data is ECN-capable (RFC 3168 6.1.4, 6.1.1) */
	xtcp_ecn_set_ect(sk, false);
	err = ip_queue_xmit(sk, skb, &inet->cork.fl);
	return net_xmit_eval(err);
}

/**
 * xtcp_output_dev_caps() - what the device of @sk's route does for our
 *	data segments
 * @sk: the socket, connected
 *
 * XTCP_DEV_CSUM: it sums any protocol (NETIF_F_HW_CSUM). sk_route_caps
 * cannot say: it claims that for every GSO-capable route, as TCP relies
 * on, and the kernel also hands CHECKSUM_PARTIAL to a device that sums
 * only TCP and UDP (NETIF_F_IP_CSUM), whose driver may parse the
 * protocol byte and leave a protocol-253 sum unfilled.
 *
 * XTCP_DEV_RUNS: its transmit is software, loopback or veth, the devices
 * xtcp's tests and benchmarks cover; send.c builds GSO runs only there.
 * What such a device hands on (a veth bridged to a NIC, a forwarding
 * hop) is cut before any device without NETIF_F_GSO_FRAGLIST takes it
 * (XTCP_GSO_TYPE), so no TSO engine sees our protocol.
 *
 * Return: XTCP_DEV_* flags.
 */
unsigned int xtcp_output_dev_caps(struct sock *sk)
{
	const struct net_device *dev;
	const struct dst_entry *dst;
	unsigned int caps = 0;

	rcu_read_lock();
	dst = __sk_dst_get(sk);
	dev = dst ? dst->dev : NULL;
	if (dev) {
		if (dev->features & NETIF_F_HW_CSUM)
			caps |= XTCP_DEV_CSUM;
		if ((dev->flags & IFF_LOOPBACK) ||
		    (dev->rtnl_link_ops &&
		     !strcmp(dev->rtnl_link_ops->kind, "veth")))
			caps |= XTCP_DEV_RUNS;
	}
	rcu_read_unlock();
	return caps;
}

/*
 * Put the header on @out, a data segment or a GSO run of @segs of them
 * (its payload set), sum it or leave the sum to the device or to
 * offload.c, and send it.
 */
static int xtcp_output_payload(struct sock *sk, struct sk_buff *out,
			       struct xtcp_seg *s, unsigned int segs)
{
	struct inet_sock *inet = inet_sk(sk);
	unsigned int hdrlen;
	struct tcphdr *th;
	__wsum csum;
	int err;

	s->saddr = inet->inet_saddr;
	s->daddr = inet->inet_daddr;
	s->sport = inet->inet_sport;
	s->dport = inet->inet_dport;
	hdrlen = XTCP_HDR_LEN + xtcp_output_opts_len(s);
	th = skb_push(out, hdrlen);
	skb_reset_transport_header(out);
	xtcp_output_fill(th, s, hdrlen);
	if (segs > 1 || (xtcp_output_dev_caps(sk) & XTCP_DEV_CSUM)) {
		/* the pseudo-header's sum; the device adds the segment's */
		th->check = ~csum_tcpudp_magic(s->saddr, s->daddr, out->len,
					       XTCP_CSUM_PROTO, 0);
		out->ip_summed = CHECKSUM_PARTIAL;
		out->csum_start = skb_transport_header(out) - out->head;
		out->csum_offset = offsetof(struct tcphdr, check);
	} else {
		csum = skb_checksum(out, 0, out->len, 0);
		th->check = csum_tcpudp_magic(s->saddr, s->daddr, out->len,
					      XTCP_CSUM_PROTO, csum);
		out->ip_summed = CHECKSUM_NONE;
	}
	/*
	 * The clone carries our write-queue state in its cb, where the IP
	 * layer keeps its own (IPCB: options, flags). Cleared as TCP clears
	 * it: with DF set, a segment too big for the route makes the IP
	 * layer answer itself with an ICMP that echoes IPCB's options, and
	 * stale bytes there overran the stack in __icmp_send().
	 */
	memset(out->cb, 0, sizeof(struct inet_skb_parm));
	skb_set_owner_w(out, sk);
	xtcp_output_count(sock_net(sk), s);
	if (segs > 1)
		XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_OUTSEGS, segs - 1);
	xtcp_ecn_set_ect(sk, s->ect);
	err = ip_queue_xmit(sk, out, &inet->cork.fl);
	return net_xmit_eval(err);
}

/**
 * xtcp_output_data() - send a segment of the write queue
 * @sk: the socket, connected
 * @skb: the data, as queued, with headroom for the headers; left on the
 *	queue untouched
 * @s: the header; addresses and ports are taken from @sk
 *
 * The segment goes out as a clone of @skb, or a copy of its head when an
 * earlier clone may still be reading the shared headroom (a transmission
 * still in a qdisc or on loopback), as TCP does.
 *
 * Return: 0 or a negative errno.
 */
int xtcp_output_data(struct sock *sk, struct sk_buff *skb, struct xtcp_seg *s)
{
	struct sk_buff *out;

	out = skb_cloned(skb) ? pskb_copy(skb, GFP_ATOMIC) :
				skb_clone(skb, GFP_ATOMIC);
	if (!out)
		return -ENOBUFS;
	return xtcp_output_payload(sk, out, s, 1);
}

/*
 * Add the page fragments of @skb to @out's, the first one merged into
 * @out's last where it continues it in the same page (segments copied
 * one after another into the socket's page fragment do).
 */
static void xtcp_output_add_frags(struct sk_buff *out, struct sk_buff *skb)
{
	struct skb_shared_info *sh = skb_shinfo(out);
	unsigned int f;

	for (f = 0; f < skb_shinfo(skb)->nr_frags; f++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[f];
		unsigned int k = sh->nr_frags;

		if (skb_can_coalesce(out, k, skb_frag_page(frag),
				     skb_frag_off(frag))) {
			skb_frag_size_add(&sh->frags[k - 1],
					  skb_frag_size(frag));
			continue;
		}
		sh->frags[k] = *frag;
		get_page(skb_frag_page(frag));
		sh->nr_frags = k + 1;
	}
	out->len += skb->len;
	out->data_len += skb->len;
	out->truesize += skb->len;
}

/**
 * xtcp_output_data_gso() - send @n segments of the write queue as one
 *	GSO skb
 * @sk: the socket, connected
 * @first: the first of them; they follow it in the queue, each holds
 *	@mss bytes but the last, in page fragments only, and all their
 *	fragments fit one skb (send.c checks)
 * @n: how many, at least two
 * @mss: the payload of each
 * @s: the header of the first; PSH and FIN belong to the last
 *
 * The GSO skb shares the segments' pages; offload.c, or the device,
 * cuts it.
 *
 * Return: 0 or a negative errno.
 */
int xtcp_output_data_gso(struct sock *sk, struct sk_buff *first,
			 unsigned int n, u32 mss, struct xtcp_seg *s)
{
	struct sk_buff *out, *skb = first;
	unsigned int i;

	out = alloc_skb(XTCP_SKB_HEADROOM, GFP_ATOMIC);
	if (!out)
		return -ENOBUFS;
	skb_reserve(out, XTCP_SKB_HEADROOM);
	for (i = 0; i < n; i++, skb = skb->next)
		xtcp_output_add_frags(out, skb);
	skb_shinfo(out)->gso_size = mss;
	skb_shinfo(out)->gso_segs = n;
	skb_shinfo(out)->gso_type = XTCP_GSO_TYPE;
	return xtcp_output_payload(sk, out, s, n);
}

/**
 * xtcp_output_reset_mark() - answer a segment with a RST
 * @net: namespace
 * @sk_mark: the mark of the socket or TIME_WAIT entry the segment
 *	reached (its SO_MARK), or 0 for none
 * @skb: the segment, validated (skb->data at its header)
 *
 * The RST carries @sk_mark, as TCP's do, unless fwmark_reflect gives it
 * the segment's.
 *
 * RFC 9293 3.10.7.1: a segment with ACK gets <SEQ=SEG.ACK><CTL=RST>;
 * one without gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. A RST is
 * never answered.
 */
void xtcp_output_reset_mark(struct net *net, u32 sk_mark,
			    struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct xtcp_seg s = {
		.saddr = ip_hdr(skb)->daddr,
		.daddr = ip_hdr(skb)->saddr,
		.sport = th->dest,
		.dport = th->source,
	};
	u32 mark;

	if (cb->flags & XTCP_FLAG_RST)
		return;
	if (cb->flags & XTCP_FLAG_ACK) {
		s.seq = cb->ack_seq;
		s.flags = XTCP_FLAG_RST;
	} else {
		s.ack = cb->end_seq;
		s.flags = XTCP_FLAG_RST | XTCP_FLAG_ACK;
	}
	mark = IP4_REPLY_MARK(net, skb->mark);
	if (!mark)
		mark = sk_mark;
	/* the segment's DSCP, not its ECN bits: a RST is not ECN-capable */
	xtcp_output_ctl(net, &s, 0, ip_hdr(skb)->tos & ~INET_ECN_MASK, mark);
}

/**
 * xtcp_output_reset() - answer a segment with a RST
 * @net: namespace
 * @sk: the socket or listener the segment reached, or NULL for none
 * @skb: the segment, validated (skb->data at its header)
 *
 * The RST carries @sk's SO_MARK, as xtcp_output_reset_mark().
 */
void xtcp_output_reset(struct net *net, const struct sock *sk,
		       struct sk_buff *skb)
{
	xtcp_output_reset_mark(net, sk ? READ_ONCE(sk->sk_mark) : 0, skb);
}

/**
 * xtcp_output_net_init() - create @net's control socket
 * @net: namespace
 *
 * Return: 0 or a negative errno.
 */
int xtcp_output_net_init(struct net *net)
{
	return inet_ctl_sock_create(&xtcp_net(net)->ctl_sk, PF_INET, SOCK_RAW,
				    xtcp_ipproto, net);
}

/**
 * xtcp_output_net_exit() - destroy @net's control socket
 * @net: namespace
 */
void xtcp_output_net_exit(struct net *net)
{
	inet_ctl_sock_destroy(xtcp_net(net)->ctl_sk);
	xtcp_net(net)->ctl_sk = NULL;
}
