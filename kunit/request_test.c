// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_request: a request sock's life (SYN-ACK backoff, the
 * final ACK, RST, promotion and its races), driven by crafted segments
 * through the listener fixture of listener.h. Included at the bottom of
 * module/request.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include "../kunit/listener.h"

/* A SYN that makes a request; returns the request's ISS (our ISN). */
static u32 xtcp_req_test_syn_iss(struct kunit *test)
{
	struct xtcp_request *req;
	u32 iss;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
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
	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, iss + 2,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 1U);
	req = xtcp_kunit_req(test);
	KUNIT_EXPECT_NOT_NULL(test, req);
	if (req)
		xtcp_req_put(req);
}

/*
 * The listener sent a cookie for the first copy of a SYN (its queue was
 * full) and made a request for the second; the client took the cookie's
 * SYN-ACK. Its ACK, for the cookie, makes the connection in place of the
 * request. An ACK for neither gets RST and leaves the request be.
 */
static void xtcp_req_test_cookie_ack_replaces_request(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_net *xn = xtcp_net(ctx->net);
	struct xtcp_cookie_opts c = {
		.mss = 1400, .has_wscale = true, .wscale = 6, .sack_ok = true,
	};
	struct xtcp_cookie_tuple t = {
		.saddr = XTCP_KUNIT_LOCAL, .daddr = XTCP_KUNIT_PEER,
		.sport = htons(XTCP_KUNIT_PORT), .dport = htons(XTCP_KUNIT_SPORT),
		.isn = XTCP_KUNIT_ISN,
	};
	int saved = xn->sysctl.syncookies;
	u64 replaced, recv;
	u32 cookie, iss;

	xn->sysctl.syncookies = 1;
	/* as if the first copy of the SYN had got a cookie just now */
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, jiffies ? : 1);
	iss = xtcp_req_test_syn_iss(test);
	cookie = xtcp_cookie_make(&xn->cookie_key, &t, &c, xtcp_cookie_now());
	KUNIT_ASSERT_NE(test, cookie, iss);

	replaced = xtcp_stats_read(ctx->net, XTCP_MIB_SYNCOOKIESREPLACED);
	recv = xtcp_stats_read(ctx->net, XTCP_MIB_SYNCOOKIESRECV);
	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, cookie + 2,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net,
					      XTCP_MIB_SYNCOOKIESREPLACED),
			replaced);

	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, cookie + 1,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_kunit_req(test), NULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net,
					      XTCP_MIB_SYNCOOKIESREPLACED),
			replaced + 1);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_SYNCOOKIESRECV),
			recv + 1);

	xn->sysctl.syncookies = saved;
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, 0);
}

static void xtcp_req_test_ack_promotes(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct socket *child = NULL;
	struct sockaddr_in peer;
	u32 iss;

	iss = xtcp_req_test_syn_iss(test);

	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, iss + 1,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_kunit_req(test), NULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(ctx->lsock->sk->sk_ack_backlog), 1U);

	KUNIT_ASSERT_EQ(test, kernel_accept(ctx->lsock, &child, O_NONBLOCK), 0);
	KUNIT_EXPECT_EQ(test, kernel_getpeername(child, (struct sockaddr *)&peer),
			(int)sizeof(peer));
	KUNIT_EXPECT_EQ(test, (__force u32)peer.sin_addr.s_addr,
			(__force u32)XTCP_KUNIT_PEER);
	KUNIT_EXPECT_EQ(test, ntohs(peer.sin_port), XTCP_KUNIT_SPORT);
	KUNIT_EXPECT_EQ(test, child->sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_sk(child->sk)->rcv.nxt, XTCP_KUNIT_ISN + 1);
	KUNIT_EXPECT_EQ(test, xtcp_sk(child->sk)->snd.nxt, iss + 1);
	KUNIT_EXPECT_TRUE(test, (bool)xtcp_sk(child->sk)->passive);
	xtcp_kunit_abort(child);
}

/* A handshake from the peer, completed and accepted. */
static struct socket *xtcp_req_test_accept(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct socket *child = NULL;
	u32 iss = xtcp_req_test_syn_iss(test);

	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, iss + 1,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(ctx->lsock, &child, O_NONBLOCK), 0);
	return child;
}

/*
 * A child runs its listener's algorithm when TCP_CONGESTION chose it, and
 * otherwise the namespace's default of the moment, as Linux's children.
 */
static void xtcp_req_test_child_cc(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct xtcp_sysctls *sc = &xtcp_net(ctx->net)->sysctl;
	const struct xtcp_cc_ops *dflt = sc->congestion_control;
	struct sock *lsk = ctx->lsock->sk;
	struct socket *child;

	KUNIT_ASSERT_STREQ(test, xtcp_sk(lsk)->snd.cc->name, "cubic");
	WRITE_ONCE(sc->congestion_control, xtcp_cc_find("reno"));
	child = xtcp_req_test_accept(test);
	WRITE_ONCE(sc->congestion_control, dflt);
	KUNIT_EXPECT_STREQ(test, xtcp_sk(child->sk)->snd.cc->name, "reno");
	xtcp_kunit_abort(child);

	lock_sock(lsk);
	xtcp_cc_set(lsk, xtcp_cc_find("reno"));
	release_sock(lsk);
	child = xtcp_req_test_accept(test);
	KUNIT_EXPECT_STREQ(test, xtcp_sk(child->sk)->snd.cc->name, "reno");
	xtcp_kunit_abort(child);
}

static void xtcp_req_test_rst_drops_request(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	unsigned long rsts = xtcp_stats_read(ctx->net, XTCP_MIB_EMBRYONICRSTS);

	xtcp_kunit_syn(test);
	KUNIT_ASSERT_EQ(test, xtcp_kunit_synq(test), 1U);
	/* out of window: ignored */
	xtcp_kunit_send(test, XTCP_FLAG_RST, XTCP_KUNIT_ISN + 200000, 0, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 1U);
	/* in window: the attempt is over */
	xtcp_kunit_send(test, XTCP_FLAG_RST, XTCP_KUNIT_ISN + 1, 0, NULL, 0, 0);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_kunit_req(test), NULL);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_EMBRYONICRSTS),
			rsts + 1);
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

	skb = xtcp_kunit_skb(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1,
			     req->snt_isn + 1, xtcp_kunit_ack_opts,
			     sizeof(xtcp_kunit_ack_opts), 0);
	/* what xtcp_input_rcv() fills in before its lookup */
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = XTCP_FLAG_ACK;
	cb->doff = XTCP_HDR_LEN + sizeof(xtcp_kunit_ack_opts);
	cb->seq = XTCP_KUNIT_ISN + 1;
	cb->end_seq = cb->seq;
	cb->ack_seq = req->snt_isn + 1;
	cb->window = 65535;
	KUNIT_ASSERT_EQ(test, xtcp_options_parse(skb->data + XTCP_HDR_LEN,
						 sizeof(xtcp_kunit_ack_opts),
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
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_request *req;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
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
 * the promotion finds its queue closed and resets the child. The request
 * must be off the listener's list by then, or the close's drain meets it
 * after its last reference is gone.
 */
static void xtcp_req_test_promote_while_closing(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct xtcp_request *req;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);

	/* the first step of xtcp_listen_stop() */
	xtcp_accept_close(lsk);

	xtcp_req_test_count_children(lsk);
	xtcp_req_test_rcv_ack(test, req);
	lsk->sk_destruct = xtcp_req_test_orig_destruct;
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&xtcp_req_test_destroyed), 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&lxs->lsn.queue.reqs));
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_len(lsk), 0U);
	KUNIT_EXPECT_FALSE(test, xtcp_accept_has_child(lsk));
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1U);

	/* let the close finish (and clean up, if the request was left) */
	xtcp_accept_open(lsk);
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

/*
 * Every retry count synack_retries allows (up to 127), and beyond: the
 * backoff never shrinks and stays at 120 s once there (an int shift
 * overflowed after about 24 doublings and started over at 1 s).
 */
static void xtcp_req_test_timeout_no_overflow(struct kunit *test)
{
	struct xtcp_request req = {};
	unsigned long t, prev = 0;
	unsigned int n, bad = 0;

	for (n = 0; n <= U8_MAX; n++) {
		req.num_timeout = n;
		t = xtcp_req_timeout(&req);
		if (t < prev || t > XTCP_RTO_MAX || (n >= 7 && t != XTCP_RTO_MAX))
			bad++;
		prev = t;
	}
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

/*
 * The pressure rule: with the request queue over half full (of 9, the
 * fixture's listen(8)), old requests get 2 retries.
 */
static void xtcp_req_test_pressure_retries(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_net *xn = xtcp_net(ctx->net);
	struct xtcp_request req = { .listener = lsk };
	struct xtcp_accept_queue *q = &xtcp_sk(lsk)->lsn.queue;

	WRITE_ONCE(q->syn_qlen, 5);
	KUNIT_EXPECT_EQ(test, xtcp_req_max_retries(&req),
			XTCP_REQ_PRESSURE_RETRIES);
	WRITE_ONCE(q->syn_qlen, 4);
	KUNIT_EXPECT_EQ(test, xtcp_req_max_retries(&req),
			xn->sysctl.synack_retries);
	WRITE_ONCE(q->syn_qlen, 0);
}

/* The armed hook: the new request's timer fires at once, on this CPU. */
static void xtcp_req_test_expire_now(struct xtcp_request *req)
{
	xtcp_req_armed_hook = NULL;
	local_bh_disable();
	/* a pending timer's reference passes to this run, as on expiry */
	if (timer_delete(&req->timer))
		xtcp_req_timer(&req->timer);
	local_bh_enable();
}

/*
 * A request's first timer that fires as soon as it is armed (a busy CPU
 * can delay the SYN path by a second) must find the request hashed and
 * re-arm: a hashed request without a timer would never expire and would
 * pin its listener forever.
 */
static void xtcp_req_test_timer_fires_at_once(struct kunit *test)
{
	struct xtcp_request *req;

	xtcp_req_armed_hook = xtcp_req_test_expire_now;
	xtcp_kunit_syn(test);
	xtcp_req_armed_hook = NULL;
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_TRUE(test, (bool)req->eh.hashed);
	KUNIT_EXPECT_TRUE(test, timer_pending(&req->timer));
	KUNIT_EXPECT_EQ(test, (unsigned int)req->num_timeout, 1U);
	xtcp_req_put(req);
}

static struct kunit_case xtcp_req_test_cases[] = {
	KUNIT_CASE(xtcp_req_test_timeout_schedule),
	KUNIT_CASE(xtcp_req_test_timeout_no_overflow),
	KUNIT_CASE(xtcp_req_test_pressure_retries),
	KUNIT_CASE(xtcp_req_test_bad_ack_keeps_request),
	KUNIT_CASE(xtcp_req_test_cookie_ack_replaces_request),
	KUNIT_CASE(xtcp_req_test_ack_promotes),
	KUNIT_CASE(xtcp_req_test_child_cc),
	KUNIT_CASE(xtcp_req_test_rst_drops_request),
	KUNIT_CASE(xtcp_req_test_promote_lost_race),
	KUNIT_CASE(xtcp_req_test_promote_while_closing),
	KUNIT_CASE(xtcp_req_test_timer_fires_at_once),
	{}
};

static struct kunit_suite xtcp_req_test_suite = {
	.name = "xtcp_request",
	.init = xtcp_kunit_listener_init,
	.exit = xtcp_kunit_listener_exit,
	.test_cases = xtcp_req_test_cases,
};

xtcp_kunit_suite(xtcp_req_test_suite);
