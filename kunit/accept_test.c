// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_accept: a listener's queues as a data structure, with
 * stand-in requests and children: the request limit, the closed queue,
 * and a promotion's "off the request list, onto the accept queue" step.
 * Uses the listener fixture of listener.h for a real listening socket.
 * Included at the bottom of module/accept.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include "../kunit/listener.h"

/* A request that lives only on the queue: no timer, no ehash. */
static struct xtcp_request *xtcp_accept_test_req(struct kunit *test)
{
	struct xtcp_request *req = kunit_kzalloc(test, sizeof(*req), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, req);
	INIT_LIST_HEAD(&req->lnode);
	refcount_set(&req->refcnt, 1);
	return req;
}

/*
 * The fixture's listen(8) takes 9 requests, the tenth is refused; a closed
 * queue refuses any; requests come off oldest first, with a reference.
 */
static void xtcp_accept_test_request_limit(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_request *reqs[10], *req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reqs); i++)
		reqs[i] = xtcp_accept_test_req(test);
	for (i = 0; i < 9; i++)
		KUNIT_EXPECT_EQ(test, xtcp_accept_req_add(lsk, reqs[i]), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_accept_synq_full(lsk));
	KUNIT_EXPECT_EQ(test, xtcp_accept_req_add(lsk, reqs[9]), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, list_empty(&reqs[9]->lnode));

	xtcp_accept_req_del(lsk, reqs[4]);
	xtcp_accept_req_del(lsk, reqs[4]);	/* twice: no harm */
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_len(lsk), 8U);

	xtcp_accept_close(lsk);
	KUNIT_EXPECT_EQ(test, xtcp_accept_req_add(lsk, reqs[9]), -ESHUTDOWN);
	req = xtcp_accept_req_pop(lsk);
	KUNIT_EXPECT_PTR_EQ(test, req, reqs[0]);
	KUNIT_EXPECT_EQ(test, refcount_read(&reqs[0]->refcnt), 2U);
	while ((req = xtcp_accept_req_pop(lsk)))
		;
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_len(lsk), 0U);
	xtcp_accept_open(lsk);
}

/*
 * A promotion's child joins the accept queue and its request leaves the
 * request list in one step; on a closed queue the child is refused but
 * the request still leaves the list.
 */
static void xtcp_accept_test_child(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct sock *lsk = ctx->lsock->sk;
	struct xtcp_request *req = xtcp_accept_test_req(test);
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(ctx->net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	KUNIT_ASSERT_EQ(test, xtcp_accept_req_add(lsk, req), 0);
	KUNIT_EXPECT_TRUE(test, xtcp_accept_child_add(lsk, sock->sk, req));
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_len(lsk), 0U);
	KUNIT_EXPECT_TRUE(test, xtcp_accept_has_child(lsk));
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 1U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_accept_child_pop(lsk), sock->sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(lsk->sk_ack_backlog), 0U);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_accept_child_pop(lsk), NULL);

	KUNIT_ASSERT_EQ(test, xtcp_accept_req_add(lsk, req), 0);
	xtcp_accept_close(lsk);
	KUNIT_EXPECT_FALSE(test, xtcp_accept_child_add(lsk, sock->sk, req));
	KUNIT_EXPECT_EQ(test, xtcp_accept_synq_len(lsk), 0U);
	KUNIT_EXPECT_FALSE(test, xtcp_accept_has_child(lsk));
	xtcp_accept_open(lsk);
	sock_release(sock);
}

static struct kunit_case xtcp_accept_test_cases[] = {
	KUNIT_CASE(xtcp_accept_test_request_limit),
	KUNIT_CASE(xtcp_accept_test_child),
	{}
};

static struct kunit_suite xtcp_accept_test_suite = {
	.name = "xtcp_accept",
	.init = xtcp_kunit_listener_init,
	.exit = xtcp_kunit_listener_exit,
	.test_cases = xtcp_accept_test_cases,
};

xtcp_kunit_suite(xtcp_accept_test_suite);
