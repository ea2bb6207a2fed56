// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_cc: how the window evolves, in segments. NewReno: slow
 * start, the hand-over to congestion avoidance at ssthresh, one segment
 * per window in avoidance, and the threshold on loss. CUBIC (RFC 9438),
 * with the clock set by the test: the window kept on loss, K, the curve
 * concave below W_max and convex above it, the Reno-friendly region,
 * fast convergence, the RTO and idle rules, the clamp, and HyStart++'s
 * delay detection (RFC 9406). Included at the bottom of module/cc.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

static struct sock *xtcp_cc_test_sk_of(struct kunit *test, const char *cc,
				       u32 cwnd, u32 ssthresh)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->snd.cc = xtcp_cc_find(cc);
	KUNIT_ASSERT_NOT_NULL(test, xs->snd.cc);
	xs->snd.cwnd = cwnd;
	xs->snd.ssthresh = ssthresh;
	return &xs->inet.sk;
}

static struct sock *xtcp_cc_test_sk(struct kunit *test, u32 cwnd,
				    u32 ssthresh)
{
	return xtcp_cc_test_sk_of(test, "reno", cwnd, ssthresh);
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
	const struct xtcp_cc_ops *reno = xtcp_cc_find("reno");

	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("cubic"), xtcp_cc_default());
	KUNIT_ASSERT_NOT_NULL(test, reno);
	KUNIT_EXPECT_PTR_NE(test, reno, xtcp_cc_default());
	KUNIT_EXPECT_STREQ(test, reno->name, "reno");
	KUNIT_EXPECT_STREQ(test, xtcp_cc_default()->name, "cubic");
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("bbr"), NULL);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find("cubi"), NULL);
	KUNIT_EXPECT_PTR_EQ(test, xtcp_cc_find(""), NULL);
}

/*
 * A CUBIC socket with a smoothed RTT of @rtt_ms that just lost at a
 * window of @w_loss, as send.c leaves it: cwnd = ssthresh.
 */
static struct sock *xtcp_cc_test_cubic(struct kunit *test, u32 w_loss,
				       u32 rtt_ms)
{
	struct sock *sk = xtcp_cc_test_sk_of(test, "cubic", w_loss, INT_MAX);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	xtcp_sk(sk)->tmr.srtt_us = rtt_ms * USEC_PER_MSEC << 3;
	snd->ssthresh = snd->cc->ssthresh(sk);
	snd->cwnd = snd->ssthresh;
	return sk;
}

/*
 * One round trip: the window's worth of segments acknowledged one ACK
 * at a time, all at @now.
 */
static void xtcp_cc_test_round(struct sock *sk, u32 now)
{
	u32 i, n = xtcp_sk(sk)->snd.cwnd;

	for (i = 0; i < n; i++)
		xtcp_cc_cubic_update(sk, 1, now);
}

/* floor(cbrt(x)), at the edges of each root and at the top of u64. */
static void xtcp_cc_test_cbrt(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(0), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(1), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(7), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(8), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(26), 2U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(27), 3U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(999999999999ULL), 9999U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(1000000000000ULL), 10000U);
	KUNIT_EXPECT_EQ(test, xtcp_cc_cbrt(U64_MAX), 2642245U);
}

/* On loss CUBIC keeps beta_cubic = 0.7 of the window, two at least. */
static void xtcp_cc_test_cubic_loss(struct kunit *test)
{
	static const u32 cases[][2] = {
		{ 1000, 700 }, { 100, 70 }, { 10, 7 }, { 9999, 6999 },
		{ 3, 2 }, { 2, 2 }, { 1, 2 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sock *sk = xtcp_cc_test_cubic(test, cases[i][0], 100);
		struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);

		KUNIT_EXPECT_EQ_MSG(test, xtcp_sk(sk)->snd.ssthresh,
				    cases[i][1], "loss at %u", cases[i][0]);
		/* the first loss: W_max is where it happened */
		KUNIT_EXPECT_EQ(test, ca->w_max, cases[i][0]);
		KUNIT_EXPECT_EQ(test, ca->prior, cases[i][0]);
	}
}

/*
 * K = cbrt((W_max - cwnd_epoch) / C): 4.217 s from 70 back to 100, 9.086 s
 * from 700 back to 1000. The curve starts at cwnd_epoch and is at W_max
 * at K.
 */
static void xtcp_cc_test_cubic_k(struct kunit *test)
{
	static const u32 cases[][2] = { { 100, 4217 }, { 1000, 9085 },
					{ 20, 2466 } };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sock *sk = xtcp_cc_test_cubic(test, cases[i][0], 100);
		struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
		u32 epoch_cwnd = xtcp_sk(sk)->snd.cwnd;

		xtcp_cc_cubic_update(sk, 1, 5000);
		KUNIT_EXPECT_TRUE(test, ca->in_epoch);
		KUNIT_EXPECT_EQ(test, ca->epoch, 5000U);
		KUNIT_EXPECT_EQ(test, ca->k, cases[i][1]);
		KUNIT_EXPECT_EQ(test, xtcp_cc_cubic_w(ca, 0) >> 10, epoch_cwnd);
		KUNIT_EXPECT_EQ(test, xtcp_cc_cubic_w(ca, ca->k),
				(u64)cases[i][0] << 10);
	}
}

/*
 * The curve after a loss at 1000 segments with a 100 ms RTT, where the
 * cubic term wins over Reno's: fast growth at first, flattening toward
 * W_max (concave), a plateau at W_max around K, then faster and faster
 * growth beyond it (convex), never more than half a window per RTT.
 */
static void xtcp_cc_test_cubic_shape(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 1000, 100);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	u32 w[141], r;

	for (r = 0; r < ARRAY_SIZE(w); r++) {
		w[r] = snd->cwnd;
		xtcp_cc_test_round(sk, 10000 + r * 100);
		KUNIT_ASSERT_LE(test, snd->cwnd, w[r] + w[r] / 2);
	}
	KUNIT_EXPECT_EQ(test, xtcp_cc_cubic_ca(sk)->k, 9085U);
	/* concave: each 2 s before K adds less than the 2 s before it */
	KUNIT_EXPECT_GT(test, w[20] - w[0], w[40] - w[20]);
	KUNIT_EXPECT_GT(test, w[40] - w[20], w[60] - w[40]);
	KUNIT_EXPECT_GT(test, w[60] - w[40], w[90] - w[70]);
	/* near W_max at K (round 91), and below it until then */
	KUNIT_EXPECT_LT(test, w[70], 1000U);
	KUNIT_EXPECT_GE(test, w[91], 995U);
	KUNIT_EXPECT_LE(test, w[91], 1005U);
	/* convex: each 2 s after K adds more than the 2 s before it */
	KUNIT_EXPECT_LT(test, w[111] - w[91], w[131] - w[111]);
	KUNIT_EXPECT_LT(test, w[101] - w[91], w[111] - w[101]);
	KUNIT_EXPECT_GT(test, w[140], 1020U);
}

/*
 * Far out on the convex side the curve is thousands of segments ahead,
 * yet a round trip grows the window by half at most (RFC 9438 4.2).
 */
static void xtcp_cc_test_cubic_max_growth(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 100, 100);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	snd->cwnd = 100;
	xtcp_cc_cubic_update(sk, 1, 1000);
	KUNIT_ASSERT_GT(test, xtcp_cc_cubic_w(xtcp_cc_cubic_ca(sk), 20000),
			1000ULL << 10);
	snd->cwnd = 100;
	snd->cwnd_cnt = 0;
	xtcp_cc_test_round(sk, 21000);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 150U);
}

/*
 * With a small window and a short RTT, Reno's rate would beat the curve:
 * cwnd follows W_est, alpha_cubic = 9/17 a round trip until it passes the
 * window of the loss (20), then one a round trip. The curve itself would
 * still be below 17 after 400 ms.
 */
static void xtcp_cc_test_cubic_reno_friendly(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 20, 10);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	u32 r;

	KUNIT_ASSERT_EQ(test, snd->cwnd, 14U);
	for (r = 0; r < 10; r++)
		xtcp_cc_test_round(sk, 1000 + r * 10);
	/* 14 + 10 * 9/17 = 19.3; Reno's 1 a round would be at 24 */
	KUNIT_EXPECT_GE(test, snd->cwnd, 18U);
	KUNIT_EXPECT_LE(test, snd->cwnd, 19U);
	KUNIT_EXPECT_EQ(test, snd->cwnd, ca->w_est);
	for (; r < 40; r++)
		xtcp_cc_test_round(sk, 1000 + r * 10);
	KUNIT_EXPECT_LT(test, xtcp_cc_cubic_w(ca, 400) >> 10, 17ULL);
	/* about 20 after 12 rounds, then 28 more */
	KUNIT_EXPECT_GE(test, snd->cwnd, 45U);
	KUNIT_EXPECT_LE(test, snd->cwnd, 14U + 40U);
	KUNIT_EXPECT_EQ(test, snd->cwnd, ca->w_est);
}

/*
 * Fast convergence: a loss below the last W_max aims the next curve at
 * (1 + beta) / 2 of the window, and K shrinks with it; a loss above it
 * takes the window as it is.
 */
static void xtcp_cc_test_cubic_fast_convergence(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 100, 100);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);

	KUNIT_ASSERT_EQ(test, ca->w_max, 100U);
	xtcp_cc_cubic_update(sk, 1, 1000);
	KUNIT_ASSERT_TRUE(test, ca->in_epoch);
	snd->cwnd = 90;
	KUNIT_EXPECT_EQ(test, snd->cc->ssthresh(sk), 63U);
	KUNIT_EXPECT_EQ(test, ca->w_max, 76U);		/* 90 * 0.85 */
	KUNIT_EXPECT_EQ(test, ca->prior, 90U);
	KUNIT_EXPECT_FALSE(test, ca->in_epoch);
	snd->cwnd = 63;
	snd->ssthresh = 63;
	xtcp_cc_cubic_update(sk, 1, 2000);
	/* cbrt(13 / 0.4) s; without fast convergence cbrt(27 / 0.4) = 4.07 s */
	KUNIT_EXPECT_EQ(test, ca->k, 3191U);
	snd->cwnd = 120;
	KUNIT_EXPECT_EQ(test, snd->cc->ssthresh(sk), 84U);
	KUNIT_EXPECT_EQ(test, ca->w_max, 120U);
}

/*
 * After an RTO, slow start back to ssthresh, then a curve that starts
 * there, convex at once (K = 0): no memory of the window lost.
 */
static void xtcp_cc_test_cubic_timeout(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk_of(test, "cubic", 100, INT_MAX);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	u32 r;

	xtcp_sk(sk)->tmr.srtt_us = 100 * USEC_PER_MSEC << 3;
	snd->ssthresh = snd->cc->ssthresh(sk);
	snd->cwnd = 1;
	xtcp_cc_timeout(sk);
	KUNIT_EXPECT_EQ(test, snd->ssthresh, 70U);
	KUNIT_EXPECT_FALSE(test, ca->in_epoch);
	for (r = 0; snd->cwnd < snd->ssthresh && r < 10; r++)
		xtcp_cc_test_round(sk, 1000 + r * 100);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 70U);
	xtcp_cc_cubic_update(sk, 1, 2000);
	KUNIT_EXPECT_TRUE(test, ca->in_epoch);
	KUNIT_EXPECT_EQ(test, ca->k, 0U);
	KUNIT_EXPECT_EQ(test, ca->w_max, 70U);
	KUNIT_EXPECT_EQ(test, ca->w_est, 70U);
	/* 70 + 0.4 t^3: 120 at 5 s */
	KUNIT_EXPECT_EQ(test, xtcp_cc_cubic_w(ca, 5000), 120ULL << 10);
}

/*
 * Time with nothing to send does not count on the curve: sending again
 * after 5 s idle leaves t where the last ACK left it.
 */
static void xtcp_cc_test_cubic_restart(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 100, 100);
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	u32 now = xtcp_secure_ts_now(), t;

	/* no epoch yet: nothing to move */
	xtcp_cc_restart(sk);
	KUNIT_EXPECT_FALSE(test, ca->in_epoch);
	KUNIT_EXPECT_EQ(test, ca->epoch, 0U);

	xtcp_cc_cubic_update(sk, 1, now - 7000);
	xtcp_cc_cubic_update(sk, 1, now - 5000);
	KUNIT_ASSERT_EQ(test, ca->epoch, now - 7000);
	xtcp_cc_restart(sk);
	t = xtcp_secure_ts_now() - ca->epoch;
	KUNIT_EXPECT_GE(test, t, 2000U);
	KUNIT_EXPECT_LT(test, t, 2500U);
}

/*
 * cwnd never passes the clamp: not on the convex curve far beyond K, not
 * when W_est is beyond it, and not in slow start.
 */
static void xtcp_cc_test_cubic_clamp(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, XTCP_CC_CWND_MAX, 100);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	u32 r;

	for (r = 0; r < 600; r++) {
		xtcp_cc_cubic_update(sk, snd->cwnd, 1000 + r * 100);
		KUNIT_ASSERT_LE(test, snd->cwnd, XTCP_CC_CWND_MAX);
	}
	KUNIT_EXPECT_EQ(test, snd->cwnd, XTCP_CC_CWND_MAX);

	ca->w_est = 2 * XTCP_CC_CWND_MAX;
	snd->cwnd = XTCP_CC_CWND_MAX - 1;
	xtcp_cc_cubic_update(sk, 1, 1000);
	KUNIT_EXPECT_EQ(test, snd->cwnd, XTCP_CC_CWND_MAX);

	snd->cwnd = XTCP_CC_CWND_MAX - 5;
	snd->ssthresh = INT_MAX;
	xtcp_cc_cubic_update(sk, 100, 1000);
	KUNIT_EXPECT_EQ(test, snd->cwnd, XTCP_CC_CWND_MAX);
}

/*
 * TCP_CONGESTION mid-connection: the new algorithm starts from zero,
 * the window stays; the same algorithm again changes nothing.
 */
static void xtcp_cc_test_set(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_cubic(test, 100, 100);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);

	xtcp_cc_cubic_update(sk, 1, 1000);
	xtcp_cc_set(sk, xtcp_cc_find("cubic"));
	KUNIT_EXPECT_TRUE(test, ca->in_epoch);
	KUNIT_EXPECT_EQ(test, ca->w_max, 100U);
	xtcp_cc_set(sk, xtcp_cc_find("reno"));
	KUNIT_EXPECT_STREQ(test, snd->cc->name, "reno");
	KUNIT_EXPECT_EQ(test, snd->cwnd, 70U);
	xtcp_cc_set(sk, xtcp_cc_find("cubic"));
	KUNIT_EXPECT_FALSE(test, ca->in_epoch);
	KUNIT_EXPECT_EQ(test, ca->w_max, 0U);
	KUNIT_EXPECT_EQ(test, snd->cwnd_cnt, 0U);
}

/*
 * HyStart: @cwnd in slow start, one round of 8 ACKs timed @first us, then
 * a round whose 8 samples are at least @second us. Return whether slow
 * start ended, and check the counters agree.
 */
static bool xtcp_cc_test_hystart(struct kunit *test, u32 cwnd, u32 first,
				 u32 second)
{
	struct sock *sk = xtcp_cc_test_sk_of(test, "cubic", cwnd, INT_MAX);
	unsigned long n = xtcp_stats_read(&init_net,
					  XTCP_MIB_HYSTARTDELAYDETECT);
	unsigned long w = xtcp_stats_read(&init_net, XTCP_MIB_HYSTARTDELAYCWND);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	bool left;
	int i;

	sock_net_set(sk, &init_net);
	/*
	 * A round: 10000 bytes in flight when it began, 9000 of them acked
	 * here (the ninth sample is one too many to count); the next ACK
	 * ends it.
	 */
	snd->una = 0xfffff000;		/* across the wrap */
	snd->nxt = snd->una + 10000;
	for (i = 0; i < 9; i++) {
		snd->una += 1000;
		snd->cc->acked(sk, first + i * 100);
	}
	KUNIT_EXPECT_EQ(test, snd->ssthresh, (u32)INT_MAX);
	snd->nxt = snd->una + 20000;
	for (i = 0; i < 10; i++) {
		snd->una += 1000;
		/* ACKs without a sample (Karn) count for nothing */
		snd->cc->acked(sk, 0);
		snd->cc->acked(sk, second + (7 - i % 8) * 10);
	}
	left = snd->ssthresh == snd->cwnd;
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net,
					      XTCP_MIB_HYSTARTDELAYDETECT),
			n + left);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net,
					      XTCP_MIB_HYSTARTDELAYCWND),
			w + (left ? cwnd : 0));
	return left;
}

/*
 * HyStart's delay detection (RFC 9406): the threshold is an eighth of
 * the last round's smallest RTT, between 4 and 16 ms; it needs 8 samples
 * in the round and a window of 16 or more.
 */
static void xtcp_cc_test_cubic_hystart(struct kunit *test)
{
	/* 10 ms: an eighth is 1.25 ms, so 4 ms it is */
	KUNIT_EXPECT_FALSE(test, xtcp_cc_test_hystart(test, 32, 10000, 13999));
	KUNIT_EXPECT_TRUE(test, xtcp_cc_test_hystart(test, 32, 10000, 14000));
	/* 80 ms: an eighth, 10 ms */
	KUNIT_EXPECT_FALSE(test, xtcp_cc_test_hystart(test, 32, 80000, 89999));
	KUNIT_EXPECT_TRUE(test, xtcp_cc_test_hystart(test, 32, 80000, 90000));
	/* 1 s: an eighth is 125 ms, so 16 ms */
	KUNIT_EXPECT_FALSE(test, xtcp_cc_test_hystart(test, 32, 1000000,
						      1015999));
	KUNIT_EXPECT_TRUE(test, xtcp_cc_test_hystart(test, 32, 1000000,
						     1016000));
	/* too small a window to judge by */
	KUNIT_EXPECT_FALSE(test, xtcp_cc_test_hystart(test, 15, 10000, 50000));
	KUNIT_EXPECT_TRUE(test, xtcp_cc_test_hystart(test, 16, 10000, 50000));
}

/* Reno has no HyStart; after loss CUBIC's slow start measures afresh. */
static void xtcp_cc_test_cubic_hystart_rounds(struct kunit *test)
{
	struct sock *sk = xtcp_cc_test_sk_of(test, "cubic", 32, INT_MAX);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	int i;

	KUNIT_EXPECT_NULL(test, xtcp_cc_find("reno")->acked);
	sock_net_set(sk, &init_net);
	snd->nxt = 8000;
	for (i = 0; i < 8; i++) {
		snd->una += 1000;
		snd->cc->acked(sk, 10000);
	}
	/* an RTO: the round before it is no baseline for what follows */
	snd->cc->timeout(sk);
	snd->cwnd = 16;
	snd->nxt = snd->una + 8000;
	for (i = 0; i < 8; i++) {
		snd->una += 1000;
		snd->cc->acked(sk, 90000);
	}
	KUNIT_EXPECT_EQ(test, snd->ssthresh, (u32)INT_MAX);
	/* out of slow start nothing is measured or decided */
	snd->ssthresh = 16;
	snd->nxt = snd->una + 8000;
	for (i = 0; i < 8; i++) {
		snd->una += 1000;
		snd->cc->acked(sk, 900000);
	}
	KUNIT_EXPECT_EQ(test, snd->ssthresh, 16U);
}

static struct kunit_case xtcp_cc_test_cases[] = {
	KUNIT_CASE(xtcp_cc_test_slow_start),
	KUNIT_CASE(xtcp_cc_test_handover),
	KUNIT_CASE(xtcp_cc_test_avoidance),
	KUNIT_CASE(xtcp_cc_test_ssthresh),
	KUNIT_CASE(xtcp_cc_test_names),
	KUNIT_CASE(xtcp_cc_test_cbrt),
	KUNIT_CASE(xtcp_cc_test_cubic_loss),
	KUNIT_CASE(xtcp_cc_test_cubic_k),
	KUNIT_CASE(xtcp_cc_test_cubic_shape),
	KUNIT_CASE(xtcp_cc_test_cubic_max_growth),
	KUNIT_CASE(xtcp_cc_test_cubic_reno_friendly),
	KUNIT_CASE(xtcp_cc_test_cubic_fast_convergence),
	KUNIT_CASE(xtcp_cc_test_cubic_timeout),
	KUNIT_CASE(xtcp_cc_test_cubic_restart),
	KUNIT_CASE(xtcp_cc_test_cubic_clamp),
	KUNIT_CASE(xtcp_cc_test_cubic_hystart),
	KUNIT_CASE(xtcp_cc_test_cubic_hystart_rounds),
	KUNIT_CASE(xtcp_cc_test_set),
	{}
};

static struct kunit_suite xtcp_cc_test_suite = {
	.name = "xtcp_cc",
	.test_cases = xtcp_cc_test_cases,
};

xtcp_kunit_suite(xtcp_cc_test_suite);
