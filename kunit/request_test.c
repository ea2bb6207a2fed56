// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_request: the LISTEN and request-sock state machines,
 * driven by crafted segments handed straight to xtcp_input_rcv(). The
 * listener is a kernel socket of the initial namespace bound to the
 * wildcard; the segments come from 192.0.2.99, for which the test kernel
 * has no route, so every reply xtcp tries to send fails to route and
 * nothing comes back to disturb the state under test. Included at the
 * bottom of module/request.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include <linux/netdevice.h>
#include <net/checksum.h>

#define XTCP_REQ_TEST_PEER	htonl(0xc0000263)	/* 192.0.2.99 */
#define XTCP_REQ_TEST_LOCAL	htonl(0xc0000201)	/* 192.0.2.1 */
#define XTCP_REQ_TEST_PORT	8080
#define XTCP_REQ_TEST_SPORT	40000
#define XTCP_REQ_TEST_ISN	1000000U

struct xtcp_req_test_ctx {
	struct socket *lsock;
	struct net *net;
};

static int xtcp_req_test_init(struct kunit *test)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(XTCP_REQ_TEST_PORT),
	};
	struct xtcp_req_test_ctx *ctx;

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

static void xtcp_req_test_exit(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;

	if (ctx && ctx->lsock)
		sock_release(ctx->lsock);
}

/* A segment from the peer, as the IP layer would hand it to us. */
static struct sk_buff *xtcp_req_test_skb(struct kunit *test, u8 flags,
					 u32 seq, u32 ack, const u8 *opts,
					 unsigned int optlen,
					 unsigned int payload)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
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
	iph->saddr = XTCP_REQ_TEST_PEER;
	iph->daddr = XTCP_REQ_TEST_LOCAL;
	iph->tot_len = htons(sizeof(*iph) + len);
	__skb_pull(skb, sizeof(*iph));
	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, len);
	th->source = htons(XTCP_REQ_TEST_SPORT);
	th->dest = htons(XTCP_REQ_TEST_PORT);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hdrlen / 4;
	((u8 *)th)[13] = flags;
	th->window = htons(65535);
	memcpy(th + 1, opts, optlen);
	th->check = csum_tcpudp_magic(XTCP_REQ_TEST_PEER, XTCP_REQ_TEST_LOCAL, len,
				      IPPROTO_TCP, csum_partial(th, len, 0));
	skb->dev = ctx->net->loopback_dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* ... and through the whole receive path, as IP delivers it. */
static void xtcp_req_test_send(struct kunit *test, u8 flags, u32 seq,
			       u32 ack, const u8 *opts, unsigned int optlen,
			       unsigned int payload)
{
	struct sk_buff *skb;

	skb = xtcp_req_test_skb(test, flags, seq, ack, opts, optlen, payload);
	local_bh_disable();
	xtcp_input_rcv(skb);
	local_bh_enable();
}

static const u8 xtcp_req_test_syn_opts[] = {
	2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 6
};

static void xtcp_req_test_syn(struct kunit *test)
{
	xtcp_req_test_send(test, XTCP_FLAG_SYN, XTCP_REQ_TEST_ISN, 0,
			   xtcp_req_test_syn_opts,
			   sizeof(xtcp_req_test_syn_opts), 0);
}

/* TSopt for the peer's ACKs once timestamps are on. */
static const u8 xtcp_req_test_ack_opts[] = { 1, 1, 8, 10, 0, 0, 0, 8, 0, 0, 0, 0 };

/* The request of our 4-tuple, with a reference, or NULL. */
static struct xtcp_request *xtcp_req_test_req(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct xtcp_ehash_node *eh;

	eh = xtcp_table_ehash_lookup(ctx->net, XTCP_REQ_TEST_LOCAL,
				     htons(XTCP_REQ_TEST_PORT), XTCP_REQ_TEST_PEER,
				     htons(XTCP_REQ_TEST_SPORT));
	if (!eh)
		return NULL;
	if (eh->kind != XTCP_EH_REQ) {
		sock_put(xtcp_eh_sk(eh));
		return NULL;
	}
	return xtcp_eh_req(eh);
}

static unsigned int xtcp_req_test_synq(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;

	return READ_ONCE(xtcp_sk(ctx->lsock->sk)->syn_qlen);
}

static void xtcp_req_test_syn_makes_request(struct kunit *test)
{
	struct xtcp_request *req;

	xtcp_req_test_syn(test);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 1U);
	KUNIT_EXPECT_EQ(test, req->rcv_isn, XTCP_REQ_TEST_ISN);
	KUNIT_EXPECT_EQ(test, req->opt.mss, 1400);
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, (int)req->opt.snd_wscale, 6);
	KUNIT_EXPECT_EQ(test, (int)req->opt.rcv_wscale, XTCP_RCV_WSCALE);
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.sack_ok);
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.tstamp_ok);
	KUNIT_EXPECT_EQ(test, req->ts_recent, 7U);
	KUNIT_EXPECT_TRUE(test, timer_pending(&req->timer));
	xtcp_req_put(req);
}

static void xtcp_req_test_no_mss_means_536(struct kunit *test)
{
	struct xtcp_request *req;

	xtcp_req_test_send(test, XTCP_FLAG_SYN, XTCP_REQ_TEST_ISN, 0, NULL, 0, 0);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, req->opt.mss, XTCP_MSS_DEFAULT);
	KUNIT_EXPECT_FALSE(test, (bool)req->opt.wscale_ok);
	KUNIT_EXPECT_FALSE(test, (bool)req->opt.tstamp_ok);
	xtcp_req_put(req);
}

static void xtcp_req_test_repeated_syn_one_request(struct kunit *test)
{
	xtcp_req_test_syn(test);
	xtcp_req_test_syn(test);
	xtcp_req_test_syn(test);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 1U);
}

static void xtcp_req_test_listener_ignores(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	unsigned long ign = xtcp_stats_read(ctx->net, XTCP_MIB_LISTENIGNORED);

	xtcp_req_test_send(test, XTCP_FLAG_RST, 5, 0, NULL, 0, 0);
	xtcp_req_test_send(test, XTCP_FLAG_SYN | XTCP_FLAG_FIN, 5, 0, NULL, 0, 0);
	xtcp_req_test_send(test, XTCP_FLAG_ACK, 5, 77, NULL, 0, 0);
	xtcp_req_test_send(test, 0, 5, 0, NULL, 0, 10);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_req_test_req(test), NULL);
	/* RST, SYN+FIN and the flagless segment; the ACK got a RST */
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_LISTENIGNORED),
			ign + 3);
}

/* A SYN that makes a request; returns the request's ISS (our ISN). */
static u32 xtcp_req_test_syn_iss(struct kunit *test)
{
	struct xtcp_request *req;
	u32 iss;

	xtcp_req_test_syn(test);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	iss = req->snt_isn;
	xtcp_req_put(req);
	return iss;
}

static void xtcp_req_test_bad_ack_keeps_request(struct kunit *test)
{
	struct xtcp_request *req;
	u32 iss;

	iss = xtcp_req_test_syn_iss(test);
	xtcp_req_test_send(test, XTCP_FLAG_ACK, XTCP_REQ_TEST_ISN + 1, iss + 2,
			   xtcp_req_test_ack_opts,
			   sizeof(xtcp_req_test_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 1U);
	req = xtcp_req_test_req(test);
	KUNIT_EXPECT_NOT_NULL(test, req);
	if (req)
		xtcp_req_put(req);
}

static void xtcp_req_test_ack_promotes(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct socket *child = NULL;
	struct sockaddr_in peer;
	u32 iss;

	iss = xtcp_req_test_syn_iss(test);

	xtcp_req_test_send(test, XTCP_FLAG_ACK, XTCP_REQ_TEST_ISN + 1, iss + 1,
			   xtcp_req_test_ack_opts,
			   sizeof(xtcp_req_test_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_req_test_req(test), NULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->lsock->sk->sk_ack_backlog), 1U);

	KUNIT_ASSERT_EQ(test, kernel_accept(ctx->lsock, &child, O_NONBLOCK), 0);
	KUNIT_EXPECT_EQ(test, kernel_getpeername(child, (struct sockaddr *)&peer),
			(int)sizeof(peer));
	KUNIT_EXPECT_EQ(test, (__force u32)peer.sin_addr.s_addr,
			(__force u32)XTCP_REQ_TEST_PEER);
	KUNIT_EXPECT_EQ(test, ntohs(peer.sin_port), XTCP_REQ_TEST_SPORT);
	KUNIT_EXPECT_EQ(test, child->sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_sk(child->sk)->rcv_nxt, XTCP_REQ_TEST_ISN + 1);
	KUNIT_EXPECT_EQ(test, xtcp_sk(child->sk)->snd_nxt, iss + 1);
	KUNIT_EXPECT_TRUE(test, (bool)xtcp_sk(child->sk)->passive);
	sock_release(child);
}

static void xtcp_req_test_rst_drops_request(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	unsigned long rsts = xtcp_stats_read(ctx->net, XTCP_MIB_EMBRYONICRSTS);

	xtcp_req_test_syn(test);
	KUNIT_ASSERT_EQ(test, xtcp_req_test_synq(test), 1U);
	/* out of window: ignored */
	xtcp_req_test_send(test, XTCP_FLAG_RST, XTCP_REQ_TEST_ISN + 200000, 0, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 1U);
	/* in window: the attempt is over */
	xtcp_req_test_send(test, XTCP_FLAG_RST, XTCP_REQ_TEST_ISN + 1, 0, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_req_test_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_req_test_req(test), NULL);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_EMBRYONICRSTS),
			rsts + 1);
}

static void xtcp_req_test_close_frees_requests(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct xtcp_request *req;

	xtcp_req_test_syn(test);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	sock_release(ctx->lsock);
	ctx->lsock = NULL;
	/* unhashed, timer stopped: only our lookup reference is left */
	KUNIT_EXPECT_FALSE(test, (bool)req->eh.hashed);
	KUNIT_EXPECT_FALSE(test, timer_pending(&req->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1U);
	xtcp_req_put(req);
}

/*
 * The final ACK for @req, handed straight to xtcp_req_rcv() as the receive
 * path does after its lookup: the races below happen between the two.
 */
static void xtcp_req_test_rcv_ack(struct kunit *test,
				  struct xtcp_request *req)
{
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;

	skb = xtcp_req_test_skb(test, XTCP_FLAG_ACK, XTCP_REQ_TEST_ISN + 1,
				req->snt_isn + 1, xtcp_req_test_ack_opts,
				sizeof(xtcp_req_test_ack_opts), 0);
	/* what xtcp_input_rcv() fills in before its lookup */
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = XTCP_FLAG_ACK;
	cb->doff = XTCP_HDR_LEN + sizeof(xtcp_req_test_ack_opts);
	cb->seq = XTCP_REQ_TEST_ISN + 1;
	cb->end_seq = cb->seq;
	cb->ack_seq = req->snt_isn + 1;
	cb->window = 65535;
	KUNIT_ASSERT_EQ(test, xtcp_options_parse(skb->data + XTCP_HDR_LEN,
						 sizeof(xtcp_req_test_ack_opts),
						 &cb->opts), 0);
	local_bh_disable();
	xtcp_req_rcv(req, skb);
	local_bh_enable();
}

static atomic_t xtcp_req_test_destroyed;
static void (*xtcp_req_test_orig_destruct)(struct sock *sk);

/* Children inherit their listener's destructor: count them going. */
static void xtcp_req_test_destruct(struct sock *sk)
{
	atomic_inc(&xtcp_req_test_destroyed);
	xtcp_req_test_orig_destruct(sk);
}

static void xtcp_req_test_count_children(struct sock *lsk)
{
	atomic_set(&xtcp_req_test_destroyed, 0);
	xtcp_req_test_orig_destruct = lsk->sk_destruct;
	lsk->sk_destruct = xtcp_req_test_destruct;
}

/*
 * The request expires (or its listener drops it) on another CPU after the
 * receive path found it and before the promotion could swap in the child:
 * the child is given up, and freed, not leaked.
 */
static void xtcp_req_test_promote_lost_race(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_request *req;

	xtcp_req_test_syn(test);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	xtcp_req_drop(req);		/* what the other CPU does */

	xtcp_req_test_count_children(lsk);
	xtcp_req_test_rcv_ack(test, req);
	lsk->sk_destruct = xtcp_req_test_orig_destruct;
	rcu_barrier();			/* SOCK_RCU_FREE */
	KUNIT_EXPECT_EQ(test, atomic_read(&xtcp_req_test_destroyed), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 0U);
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1U);
	xtcp_req_put(req);
}

/*
 * The listener starts closing after the receive path found the request:
 * the promotion finds it out of LISTEN and resets the child. The request
 * must be off the listener's list by then, or the close's
 * xtcp_req_drop_all() meets it after its last reference is gone.
 */
static void xtcp_req_test_promote_while_closing(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct xtcp_request *req;

	xtcp_req_test_syn(test);
	req = xtcp_req_test_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);

	/* the first step of xtcp_conn_stop_listen() */
	spin_lock_bh(&lxs->accept_lock);
	WRITE_ONCE(lsk->sk_state, TCP_CLOSE);
	spin_unlock_bh(&lxs->accept_lock);

	xtcp_req_test_count_children(lsk);
	xtcp_req_test_rcv_ack(test, req);
	lsk->sk_destruct = xtcp_req_test_orig_destruct;
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&xtcp_req_test_destroyed), 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&lxs->req_list));
	KUNIT_EXPECT_EQ(test, READ_ONCE(lxs->syn_qlen), 0U);
	KUNIT_EXPECT_TRUE(test, list_empty(&lxs->accept_queue));
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1U);

	/* let the close finish (and clean up, if the request was left) */
	WRITE_ONCE(lsk->sk_state, TCP_LISTEN);
	sock_release(ctx->lsock);
	ctx->lsock = NULL;
	xtcp_req_put(req);
}

/* SYN-ACK backoff: 1 s doubling, capped at 120 s. */
static void xtcp_req_test_timeout_schedule(struct kunit *test)
{
	static const unsigned int secs[] = { 1, 2, 4, 8, 16, 32, 64, 120, 120 };
	struct xtcp_request req = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		req.num_timeout = i;
		KUNIT_EXPECT_EQ(test, xtcp_req_timeout(&req),
				(unsigned long)secs[i] * HZ);
	}
}

/* Request limit min(backlog + 1, max_syn_backlog); the pressure rule. */
static void xtcp_req_test_queue_limits(struct kunit *test)
{
	struct xtcp_req_test_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_net *xn = xtcp_net(ctx->net);
	struct xtcp_request req = { .listener = lsk };
	int saved = xn->sysctl.max_syn_backlog;

	/* the suite's listener: listen(8) */
	KUNIT_EXPECT_EQ(test, xtcp_req_synq_limit(lsk), 9U);
	xn->sysctl.max_syn_backlog = 4;
	KUNIT_EXPECT_EQ(test, xtcp_req_synq_limit(lsk), 4U);
	xn->sysctl.max_syn_backlog = saved;

	/* more than half of 9 waiting: old requests get 2 retries */
	WRITE_ONCE(xtcp_sk(lsk)->syn_qlen, 5);
	KUNIT_EXPECT_EQ(test, xtcp_req_max_retries(&req),
			XTCP_REQ_PRESSURE_RETRIES);
	WRITE_ONCE(xtcp_sk(lsk)->syn_qlen, 4);
	KUNIT_EXPECT_EQ(test, xtcp_req_max_retries(&req),
			xn->sysctl.synack_retries);
	WRITE_ONCE(xtcp_sk(lsk)->syn_qlen, 0);
}

static struct kunit_case xtcp_req_test_cases[] = {
	KUNIT_CASE(xtcp_req_test_timeout_schedule),
	KUNIT_CASE(xtcp_req_test_queue_limits),
	KUNIT_CASE(xtcp_req_test_syn_makes_request),
	KUNIT_CASE(xtcp_req_test_no_mss_means_536),
	KUNIT_CASE(xtcp_req_test_repeated_syn_one_request),
	KUNIT_CASE(xtcp_req_test_listener_ignores),
	KUNIT_CASE(xtcp_req_test_bad_ack_keeps_request),
	KUNIT_CASE(xtcp_req_test_ack_promotes),
	KUNIT_CASE(xtcp_req_test_rst_drops_request),
	KUNIT_CASE(xtcp_req_test_close_frees_requests),
	KUNIT_CASE(xtcp_req_test_promote_lost_race),
	KUNIT_CASE(xtcp_req_test_promote_while_closing),
	{}
};

static struct kunit_suite xtcp_req_test_suite = {
	.name = "xtcp_request",
	.init = xtcp_req_test_init,
	.exit = xtcp_req_test_exit,
	.test_cases = xtcp_req_test_cases,
};

xtcp_kunit_suite(xtcp_req_test_suite);
