// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_listen: what a LISTEN socket does with segments (RFC
 * 9293 3.10.7.2), its request limit, listen() on a shared port, closing
 * a listener, and the state setter. Driven through the listener fixture
 * of listener.h. Included at the bottom of module/listen.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include "../kunit/listener.h"

#define XTCP_LISTEN_TEST_PORT2	8081

static void xtcp_listen_test_syn_makes_request(struct kunit *test)
{
	struct xtcp_request *req;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 1U);
	KUNIT_EXPECT_EQ(test, req->rcv_isn, XTCP_KUNIT_ISN);
	KUNIT_EXPECT_EQ(test, req->opt.mss, 1400);
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, (int)req->opt.snd_wscale, 6);
	KUNIT_EXPECT_EQ(test, (int)req->opt.rcv_wscale,
			(int)xtcp_recv_wscale(req->listener));
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.sack_ok);
	KUNIT_EXPECT_TRUE(test, (bool)req->opt.tstamp_ok);
	KUNIT_EXPECT_EQ(test, req->ts_recent, 7U);
	KUNIT_EXPECT_TRUE(test, timer_pending(&req->timer));
	xtcp_req_put(req);
}

static void xtcp_listen_test_no_mss_means_536(struct kunit *test)
{
	struct xtcp_request *req;

	xtcp_kunit_send(test, XTCP_FLAG_SYN, XTCP_KUNIT_ISN, 0, NULL, 0, 0);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	KUNIT_EXPECT_EQ(test, req->opt.mss, XTCP_MSS_DEFAULT);
	KUNIT_EXPECT_FALSE(test, (bool)req->opt.wscale_ok);
	KUNIT_EXPECT_FALSE(test, (bool)req->opt.tstamp_ok);
	xtcp_req_put(req);
}

static void xtcp_listen_test_repeated_syn_one_request(struct kunit *test)
{
	xtcp_kunit_syn(test);
	xtcp_kunit_syn(test);
	xtcp_kunit_syn(test);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 1U);
}

static void xtcp_listen_test_listener_ignores(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	unsigned long ign = xtcp_stats_read(ctx->net, XTCP_MIB_LISTENIGNORED);

	xtcp_kunit_send(test, XTCP_FLAG_RST, 5, 0, NULL, 0, 0);
	xtcp_kunit_send(test, XTCP_FLAG_SYN | XTCP_FLAG_FIN, 5, 0, NULL, 0, 0);
	xtcp_kunit_send(test, XTCP_FLAG_ACK, 5, 77, NULL, 0, 0);
	xtcp_kunit_send(test, 0, 5, 0, NULL, 0, 10);
	KUNIT_EXPECT_EQ(test, xtcp_kunit_synq(test), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_kunit_req(test), NULL);
	/* RST, SYN+FIN and the flagless segment; the ACK got a RST */
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_LISTENIGNORED),
			ign + 3);
}

static void xtcp_listen_test_close_frees_requests(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct xtcp_request *req;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	sock_release(ctx->lsock);
	ctx->lsock = NULL;
	/* unhashed, timer stopped: only our lookup reference is left */
	KUNIT_EXPECT_FALSE(test, (bool)req->eh.hashed);
	KUNIT_EXPECT_FALSE(test, timer_pending(&req->timer));
	KUNIT_EXPECT_EQ(test, refcount_read(&req->refcnt), 1U);
	xtcp_req_put(req);
}

/* Request limit: min(backlog + 1, max_syn_backlog). */
static void xtcp_listen_test_synq_limit(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_net *xn = xtcp_net(ctx->net);
	int saved = xn->sysctl.max_syn_backlog;

	/* the fixture's listener: listen(8) */
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_limit(lsk), 9U);
	xn->sysctl.max_syn_backlog = 4;
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_limit(lsk), 4U);
	xn->sysctl.max_syn_backlog = saved;
}

/* A socket bound with SO_REUSEADDR to port XTCP_LISTEN_TEST_PORT2. */
static struct socket *xtcp_listen_test_reuse_sock(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(XTCP_LISTEN_TEST_PORT2),
	};
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(ctx->net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	sock_set_reuseaddr(sock->sk);
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&sin,
					  sizeof(sin)), 0);
	return sock;
}

/*
 * SO_REUSEADDR lets two sockets bind one port, but only one may listen
 * on it: the second listen() fails, leaving its socket in CLOSE and out
 * of the listener table, and succeeds once the first one is gone.
 */
static void xtcp_listen_test_one_listener_per_port(struct kunit *test)
{
	struct socket *a = xtcp_listen_test_reuse_sock(test);
	struct socket *b = xtcp_listen_test_reuse_sock(test);

	KUNIT_EXPECT_EQ(test, kernel_listen(a, 4), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(b, 4), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, b->sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_TRUE(test, hlist_nulls_unhashed(&xtcp_sk(b->sk)->listen_node));
	KUNIT_EXPECT_FALSE(test, xtcp_accept_is_open(b->sk));
	sock_release(a);
	KUNIT_EXPECT_EQ(test, kernel_listen(b, 4), 0);
	KUNIT_EXPECT_EQ(test, b->sk->sk_state, TCP_LISTEN);
	sock_release(b);
}

/* Entering and leaving ESTABLISHED, and only that, moves CurrEstab. */
static void xtcp_listen_test_state_setter_counts(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	unsigned long base = xtcp_stats_read(ctx->net, XTCP_MIB_CURRESTAB);
	struct socket *sock;
	struct sock *sk;

	KUNIT_ASSERT_EQ(test, sock_create_kern(ctx->net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	sk = sock->sk;
	lock_sock(sk);
	xtcp_conn_set_state(sk, TCP_SYN_SENT);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_CURRESTAB), base);
	xtcp_conn_set_state(sk, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_CURRESTAB),
			base + 1);
	xtcp_conn_set_state(sk, TCP_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_CURRESTAB),
			base + 1);
	xtcp_conn_set_state(sk, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(ctx->net, XTCP_MIB_CURRESTAB), base);
	release_sock(sk);
	sock_release(sock);
}

/*
 * Mode 1 checks ACKs as cookies only while a cookie it sent can still be
 * valid: two ticks of cookie.c's counter, at most 128 s (Linux: 120 s).
 */
static void xtcp_listen_test_cookie_window(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_net *xn = xtcp_net(ctx->net);
	int saved = xn->sysctl.syncookies;

	xn->sysctl.syncookies = 1;
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, 0);
	KUNIT_EXPECT_FALSE(test, xtcp_listen_takes_cookies(lsk));
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, (jiffies - 127 * HZ) ? : 1);
	KUNIT_EXPECT_TRUE(test, xtcp_listen_takes_cookies(lsk));
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, (jiffies - 129 * HZ) ? : 1);
	KUNIT_EXPECT_FALSE(test, xtcp_listen_takes_cookies(lsk));
	xn->sysctl.syncookies = 2;
	KUNIT_EXPECT_TRUE(test, xtcp_listen_takes_cookies(lsk));
	xn->sysctl.syncookies = saved;
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, 0);
}

/*
 * A promotion from an earlier listen session that finishes while the
 * socket is between sessions, or after it listens again: sk_ack_backlog
 * must stay the accept queue's length (it once went below zero, and the
 * listener looked full forever).
 */
static void xtcp_listen_test_relisten_inflight(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	struct xtcp_listen_info info;
	struct xtcp_request *req;
	struct sk_buff *ack;
	struct sock *child;
	bool swapped, queued;

	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	ack = xtcp_kunit_skb(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1,
			     req->snt_isn + 1, NULL, 0, 0);
	/* the promotion gets as far as the ehash swap ... */
	local_bh_disable();
	child = xtcp_req_make_child(req, ack);
	swapped = child && xtcp_table_ehash_replace(&req->eh,
						    &xtcp_sk(child)->eh);
	local_bh_enable();
	KUNIT_ASSERT_TRUE(test, swapped);
	xtcp_req_put(req);		/* the ehash's, as a promotion does */
	/* ... the listener stops and listens again meanwhile ... */
	KUNIT_ASSERT_EQ(test, kernel_connect(ctx->lsock, &unspec,
					     sizeof(unspec), 0), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 0U);
	/* ... and the promotion ends: refused, its session is over */
	local_bh_disable();
	queued = xtcp_accept_child_add(lsk, child, req);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, queued);
	if (!queued)
		xtcp_conn_abort_child(child);
	KUNIT_ASSERT_EQ(test, kernel_listen(ctx->lsock, 8), 0);
	xtcp_accept_info(lsk, &info);
	KUNIT_EXPECT_EQ(test, info.accept_qlen, 0U);
	KUNIT_EXPECT_EQ(test, info.syn_qlen, 0U);
	KUNIT_EXPECT_FALSE(test, xtcp_accept_has_child(lsk));
	xtcp_req_put(req);
	kfree_skb(ack);
}

static struct kunit_case xtcp_listen_test_cases[] = {
	KUNIT_CASE(xtcp_listen_test_synq_limit),
	KUNIT_CASE(xtcp_listen_test_syn_makes_request),
	KUNIT_CASE(xtcp_listen_test_no_mss_means_536),
	KUNIT_CASE(xtcp_listen_test_repeated_syn_one_request),
	KUNIT_CASE(xtcp_listen_test_listener_ignores),
	KUNIT_CASE(xtcp_listen_test_close_frees_requests),
	KUNIT_CASE(xtcp_listen_test_one_listener_per_port),
	KUNIT_CASE(xtcp_listen_test_state_setter_counts),
	KUNIT_CASE(xtcp_listen_test_cookie_window),
	KUNIT_CASE(xtcp_listen_test_relisten_inflight),
	{}
};

static struct kunit_suite xtcp_listen_test_suite = {
	.name = "xtcp_listen",
	.init = xtcp_kunit_listener_init,
	.exit = xtcp_kunit_listener_exit,
	.test_cases = xtcp_listen_test_cases,
};

xtcp_kunit_suite(xtcp_listen_test_suite);
