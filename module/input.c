// SPDX-License-Identifier: GPL-2.0
/*
 * Receive path: every segment that reaches xtcp's IP protocol handler is
 * checked before anything in it is believed. The checks, in order: it is
 * addressed to this host; it holds a full 20-byte header; its data offset
 * points inside the segment and past the fixed header; its checksum (TCP
 * pseudo-header, protocol 6) is right; its options parse. Each failure is
 * counted in /proc/net/xtcp_stat and the segment is freed with a drop
 * reason that `perf trace -e skb:kfree_skb` shows.
 *
 * The skb may be a clone (raw sockets bound to our protocol number take
 * theirs first), so nothing here writes to packet data.
 */
#include <linux/filter.h>
#include <linux/ip.h>
#include <linux/skbuff.h>
#include <net/dropreason.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>

#include "xtcp.h"
#include "wire.h"

/* What xtcp_input_validate() found wrong; 0 means nothing. */
enum xtcp_input_verdict {
	XTCP_SEG_OK,
	XTCP_SEG_SHORT,
	XTCP_SEG_BAD_DOFF,
	XTCP_SEG_BAD_CSUM,
	XTCP_SEG_BAD_OPTS,
};

/*
 * Checks the transport part of @skb (skb->data at the xtcp header, network
 * header set). On success the whole header, options included, is in the
 * linear area and @opts holds the parsed options.
 */
static enum xtcp_input_verdict
xtcp_input_validate(struct sk_buff *skb, struct xtcp_options *opts)
{
	const struct tcphdr *th;
	unsigned int hdrlen;

	if (!pskb_may_pull(skb, XTCP_HDR_LEN))
		return XTCP_SEG_SHORT;

	th = (const struct tcphdr *)skb->data;
	hdrlen = th->doff * 4;
	if (hdrlen < XTCP_HDR_LEN || hdrlen > skb->len)
		return XTCP_SEG_BAD_DOFF;
	if (!pskb_may_pull(skb, hdrlen))
		return XTCP_SEG_SHORT;

	/*
	 * Trust CHECKSUM_UNNECESSARY and CHECKSUM_PARTIAL (our own segments on
	 * loopback); verify a device's CHECKSUM_COMPLETE sum against the
	 * pseudo-header; compute the rest in full. Handshake segments are
	 * small, so checking here, before any lookup, costs little.
	 */
	if (skb_checksum_init(skb, XTCP_CSUM_PROTO, inet_compute_pseudo) ||
	    skb_checksum_complete(skb))
		return XTCP_SEG_BAD_CSUM;

	/* pskb_may_pull() may have moved the header */
	th = (const struct tcphdr *)skb->data;
	if (xtcp_options_parse((const u8 *)(th + 1), hdrlen - XTCP_HDR_LEN,
			       opts))
		return XTCP_SEG_BAD_OPTS;
	return XTCP_SEG_OK;
}

static void xtcp_input_drop_bad(struct net *net, struct sk_buff *skb,
				enum xtcp_input_verdict verdict)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;

	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
	switch (verdict) {
	case XTCP_SEG_SHORT:
		XTCP_INC_STATS(net, XTCP_MIB_INSHORT);
		reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		break;
	case XTCP_SEG_BAD_DOFF:
		XTCP_INC_STATS(net, XTCP_MIB_INBADDOFF);
		break;
	case XTCP_SEG_BAD_CSUM:
		XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
		reason = SKB_DROP_REASON_TCP_CSUM;
		break;
	case XTCP_SEG_BAD_OPTS:
		XTCP_INC_STATS(net, XTCP_MIB_INBADOPTS);
		break;
	case XTCP_SEG_OK:
		break;
	}
	kfree_skb_reason(skb, reason);
}

/* Header fields the state machines use, in host order, into skb->cb. */
static void xtcp_input_fill_cb(struct sk_buff *skb,
			       const struct xtcp_options *opts)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->flags = xtcp_wire_flags(th);
	cb->ecn = (((const u8 *)th)[13] & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) |
		  (ip_hdr(skb)->tos & INET_ECN_MASK);
	cb->doff = th->doff * 4;
	cb->seq = ntohl(th->seq);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->end_seq = cb->seq + skb->len - cb->doff + th->syn + th->fin;
	cb->window = ntohs(th->window);
	cb->opts = *opts;
}

/*
 * A listener's socket filter (SO_ATTACH_FILTER) and the LSM's socket
 * hook see its SYNs and its requests' ACKs, as tcp_v4_rcv() runs
 * tcp_filter() on the listener; a filter may cut the payload, never the
 * header. Return true if @skb was dropped (and freed).
 */
static bool xtcp_input_filtered(struct sock *lsk, struct sk_buff *skb)
{
	if (!sk_filter_trim_cap(lsk, skb, XTCP_SKB_CB(skb)->doff))
		return false;
	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_FILTERDROPS);
	kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_FILTER);
	return true;
}

/**
 * xtcp_input_rcv() - IP protocol handler for xtcp segments
 * @skb: the segment, skb->data at the transport header
 *
 * Consumes @skb in every case. Always returns 0: a negative value would make
 * the IP layer resubmit the packet to another protocol.
 *
 * Return: 0.
 */
int xtcp_input_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	enum xtcp_input_verdict verdict;
	const struct tcphdr *th;
	const struct iphdr *iph;
	struct xtcp_ehash_node *eh;
	struct xtcp_options opts;
	int dif, sdif;
	struct sock *sk;

	/*
	 * Link-layer broadcast or multicast, another host's frame, or an IP
	 * broadcast or multicast destination: no connection lives there,
	 * and nothing may be answered.
	 */
	if (skb->pkt_type != PACKET_HOST ||
	    (skb_rtable(skb) && skb_rtable(skb)->rt_type != RTN_LOCAL)) {
		XTCP_INC_STATS(net, XTCP_MIB_INNOTHOST);
		kfree_skb_reason(skb, SKB_DROP_REASON_OTHERHOST);
		return 0;
	}

	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);
	/* before XTCP_SKB_CB() overwrites the IP control block sdif is in */
	dif = inet_iif(skb);
	sdif = inet_sdif(skb);
	verdict = xtcp_input_validate(skb, &opts);
	if (verdict != XTCP_SEG_OK) {
		xtcp_input_drop_bad(net, skb, verdict);
		return 0;
	}
	xtcp_input_fill_cb(skb, &opts);
	th = (const struct tcphdr *)skb->data;
	iph = ip_hdr(skb);

	eh = xtcp_table_ehash_lookup(net, iph->daddr, th->dest, iph->saddr,
				     th->source, dif, sdif);
	if (eh && eh->kind == XTCP_EH_TW) {
		struct xtcp_tw *tw = xtcp_eh_tw(eh);
		enum xtcp_tw_verdict v = xtcp_tw_rcv(tw, skb);

		/* with the entry's mark, as the socket's RST would have */
		if (v == XTCP_TW_RST)
			xtcp_output_reset_mark(net, tw->mark, skb);
		xtcp_tw_put(tw);
		if (v != XTCP_TW_SYN) {
			consume_skb(skb);
			return 0;
		}
		/* the TIME_WAIT entry made way: a listener may take the SYN */
		eh = NULL;
	}
	if (eh) {
		if (eh->kind == XTCP_EH_REQ) {
			struct xtcp_request *req = xtcp_eh_req(eh);

			/* a handshake's ACK meets its listener's filter */
			if (!xtcp_input_filtered(req->listener, skb) &&
			    xtcp_req_rcv(req, skb))
				/* an ACK of another ISN: maybe a cookie's */
				xtcp_listen_rcv_req_ack(req->listener, req,
							skb);
			xtcp_req_put(req);
		} else {
			sk = xtcp_eh_sk(eh);
			xtcp_conn_input(sk, skb);
			sock_put(sk);
		}
		return 0;
	}

	sk = xtcp_table_listen_lookup(net, skb, dif, sdif);
	if (sk) {
		if (!xtcp_input_filtered(sk, skb))
			xtcp_listen_rcv(sk, skb);
		sock_put(sk);
		return 0;
	}

	/* RFC 9293 3.10.7.1: a segment for no connection gets a RST */
	XTCP_INC_STATS(net, XTCP_MIB_INNOSOCKET);
	xtcp_output_reset(net, NULL, skb);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return 0;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/input_test.c"
#endif
