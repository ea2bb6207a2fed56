// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_cc: how NewReno's window evolves, in segments: slow
 * start, the hand-over to congestion avoidance at ssthresh, one segment
 * per window in avoidance, and the threshold on loss. Included at the
 * bottom of module/cc.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

static struct sock *xtcp_cc_test_sk(struct kunit *test, u32 cwnd,
				    u32 ssthresh)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->snd.cc = xtcp_cc_find("reno");
	KUNIT_ASSERT_NOT_NULL(test, xs->snd.cc);
	xs->snd.cwnd = cwnd;
	xs->snd.ssthresh = ssthresh;
	return &xs->inet.sk;
}

/* RFC 5681 3.1: slow start doubles the window per window acknowledged. */
static void xtcp_cc_test_slow_start(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk(test, 10, INT_MAX);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	snd->cc->cong_avoid(sk, 10);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 20U);
	snd->cc->cong_avoid(sk, 1);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 21U);
}

/* Slow start stops at ssthresh; the rest of the ACK counts in avoidance. */
static void xtcp_cc_test_handover(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk(test, 10, 16);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	snd->cc->cong_avoid(sk, 10);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 16U);
	KUNIT_EXPECT_EQ(test, snd->cwnd_cnt, 4U);
}

/* Congestion avoidance: +1 per cwnd segments acknowledged, no more. */
static void xtcp_cc_test_avoidance(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk(test, 20, 10);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	unsigned int i;

	for (i = 0; i < 19; i++)
		snd->cc->cong_avoid(sk, 1);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 20U);
	snd->cc->cong_avoid(sk, 1);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 21U);
	/* a stretch ACK of two windows: two segments more */
	snd->cc->cong_avoid(sk, 42);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 23U);
}

/* On loss: half the window, never under two segments. */
static void xtcp_cc_test_ssthresh(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk(test, 20, INT_MAX);

	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->snd.cc->ssthresh(sk), 10U);
	xtcp_sk(sk)->snd.cwnd = 3;
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->snd.cc->ssthresh(sk), 2U);
	xtcp_sk(sk)->snd.cwnd = 1;
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->snd.cc->ssthresh(sk), 2U);
}

/* TCP_CONGESTION names: Linux's, and nothing xtcp does not have. */
static void xtcp_cc_test_names(struct kunit *test)
{
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("reno"), xtcp_cc_default());
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("bbr"), NULL);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find(""), NULL);
}

static struct kunit_case xtcp_cc_test_cases[] = {
	KUNIT_CASE(xtcp_cc_test_slow_start),
	KUNIT_CASE(xtcp_cc_test_handover),
	KUNIT_CASE(xtcp_cc_test_avoidance),
	KUNIT_CASE(xtcp_cc_test_ssthresh),
	KUNIT_CASE(xtcp_cc_test_names),
	{}
};

static struct kunit_suite xtcp_cc_test_suite = {
	.name = "xtcp_cc",
	.test_cases = xtcp_cc_test_cases,
};

xtcp_kunit_suite(xtcp_cc_test_suite);
