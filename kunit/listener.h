/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixture shared by the suites that drive a listener with crafted
 * segments (xtcp_listen, xtcp_request): a kernel socket of the initial
 * namespace listening on the wildcard, port XTCP_KUNIT_PORT, and segments
 * from 192.0.2.99, handed to xtcp_input_rcv() as IP would deliver them.
 * The test kernel has no route to that peer, so every reply xtcp tries to
 * send fails to route and nothing comes back to disturb the state under
 * test.
 */
#ifndef _XTCP_KUNIT_LISTENER_H
#define _XTCP_KUNIT_LISTENER_H

#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/tcp.h>
#include <net/checksum.h>

#include "xtcp.h"
#include "wire.h"

#define XTCP_KUNIT_PEER	htonl(0xc0000263)	/* 192.0.2.99 */
#define XTCP_KUNIT_LOCAL	htonl(0xc0000201)	/* 192.0.2.1 */
#define XTCP_KUNIT_PORT	8080
#define XTCP_KUNIT_SPORT	40000
#define XTCP_KUNIT_ISN	1000000U

struct xtcp_kunit_ctx {
	struct socket *lsock;
	struct net *net;
};

static inline int xtcp_kunit_listener_init(struct kunit *test)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(XTCP_KUNIT_PORT),
	};
	struct xtcp_kunit_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->net = &init_net;
	KUNIT_ASSERT_EQ(test, sock_create_kern(ctx->net, xtcp_family,
					       SOCK_STREAM, 0, &ctx->lsock), 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(ctx->lsock, (struct sockaddr *)&sin,
					  sizeof(sin)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(ctx->lsock, 8), 0);
	test->priv = ctx;
	return 0;
}

static inline void xtcp_kunit_listener_exit(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;

	if (ctx && ctx->lsock)
		sock_release(ctx->lsock);
}

/* A segment from the peer, as the IP layer would hand it to us. */
static inline struct sk_buff *xtcp_kunit_skb(struct kunit *test, u8 flags,
					     u32 seq, u32 ack, const u8 *opts,
					     unsigned int optlen,
					     unsigned int payload)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	unsigned int hdrlen = XTCP_HDR_LEN + optlen;
	unsigned int len = hdrlen + payload;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	skb = alloc_skb(MAX_HEADER + sizeof(*iph) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = xtcp_ipproto;
	iph->saddr = XTCP_KUNIT_PEER;
	iph->daddr = XTCP_KUNIT_LOCAL;
	iph->tot_len = htons(sizeof(*iph) + len);
	__skb_pull(skb, sizeof(*iph));
	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, len);
	th->source = htons(XTCP_KUNIT_SPORT);
	th->dest = htons(XTCP_KUNIT_PORT);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hdrlen / 4;
	((u8 *)th)[13] = flags;
	th->window = htons(65535);
	memcpy(th + 1, opts, optlen);
	th->check = csum_tcpudp_magic(XTCP_KUNIT_PEER, XTCP_KUNIT_LOCAL, len,
				      IPPROTO_TCP, csum_partial(th, len, 0));
	skb->dev = ctx->net->loopback_dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* ... and through the whole receive path, as IP delivers it. */
static inline void xtcp_kunit_send(struct kunit *test, u8 flags, u32 seq,
				   u32 ack, const u8 *opts,
				   unsigned int optlen, unsigned int payload)
{
	struct sk_buff *skb;

	skb = xtcp_kunit_skb(test, flags, seq, ack, opts, optlen, payload);
	local_bh_disable();
	xtcp_input_rcv(skb);
	local_bh_enable();
}

static const u8 xtcp_kunit_syn_opts[] = {
	2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 6
};

static inline void xtcp_kunit_syn(struct kunit *test)
{
	xtcp_kunit_send(test, XTCP_FLAG_SYN, XTCP_KUNIT_ISN, 0,
			xtcp_kunit_syn_opts, sizeof(xtcp_kunit_syn_opts), 0);
}

/* TSopt for the peer's ACKs once timestamps are on. */
static const u8 __maybe_unused xtcp_kunit_ack_opts[] = { 1, 1, 8, 10, 0, 0, 0, 8, 0, 0, 0, 0 };

/* The request of our 4-tuple, with a reference, or NULL. */
static inline struct xtcp_request *xtcp_kunit_req(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct xtcp_ehash_node *eh;

	eh = xtcp_table_ehash_lookup(ctx->net, XTCP_KUNIT_LOCAL,
				     htons(XTCP_KUNIT_PORT), XTCP_KUNIT_PEER,
				     htons(XTCP_KUNIT_SPORT), 0, 0);
	if (!eh)
		return NULL;
	if (eh->kind == XTCP_EH_TW) {
		xtcp_tw_put(xtcp_eh_tw(eh));
		return NULL;
	}
	if (eh->kind != XTCP_EH_REQ) {
		sock_put(xtcp_eh_sk(eh));
		return NULL;
	}
	return xtcp_eh_req(eh);
}

/*
 * Close a child abortively (SO_LINGER {1, 0}): a graceful close would
 * leave an orphan retransmitting its FIN to the fictitious peer, holding
 * the 4-tuple the next case uses.
 */
static inline void xtcp_kunit_abort(struct socket *sock)
{
	sock_set_flag(sock->sk, SOCK_LINGER);
	sock->sk->sk_lingertime = 0;
	sock_release(sock);
}

static inline unsigned int xtcp_kunit_synq(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;

	return xtcp_accept_synq_len(ctx->lsock->sk);
}

#endif /* _XTCP_KUNIT_LISTENER_H */
