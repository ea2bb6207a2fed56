// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_timer: the RFC 6298 estimator and the RTO it gives,
 * its bounds and its backoff. Included at the bottom of module/timer.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

static struct sock *xtcp_timer_test_sk(struct kunit *test)
{
	struct xtcp_sock *xs = kunit_kzalloc(test, sizeof(*xs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, xs);
	xs->tmr.rto = XTCP_TIMEOUT_INIT;
	return &xs->inet.sk;
}

/* Before any sample: 1 s (RFC 6298 2.1). */
static void xtcp_timer_test_initial(struct kunit *test)
{
	struct xtcp_timers t = {};

	KUNIT_EXPECT_EQ(test, xtcp_timer_rto_base(&t), (unsigned long)HZ);
}

/*
 * RFC 6298 2.2: a first sample R of 100 ms sets SRTT = 100 ms, RTTVAR =
 * 50 ms, RTO = SRTT + 4 RTTVAR = 300 ms. 2.3: a second of 200 ms moves
 * RTTVAR to 3/4 * 50 + 1/4 * 100 = 62.5 ms and SRTT to 112.5 ms, so RTO
 * = 112.5 + 250 = 362.5 ms.
 */
static void xtcp_timer_test_samples(struct kunit *test)
{
	struct sock *sk = xtcp_timer_test_sk(test);
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	xtcp_timer_rtt_sample(sk, 100000);
	KUNIT_EXPECT_EQ(test, t->srtt_us >> 3, 100000U);
	KUNIT_EXPECT_EQ(test, t->rttvar_us >> 2, 50000U);
	KUNIT_EXPECT_EQ(test, t->rto, usecs_to_jiffies(300000));
	xtcp_timer_rtt_sample(sk, 200000);
	KUNIT_EXPECT_EQ(test, t->srtt_us >> 3, 112500U);
	KUNIT_EXPECT_EQ(test, t->rttvar_us >> 2, 62500U);
	KUNIT_EXPECT_EQ(test, t->rto, usecs_to_jiffies(362500));
	KUNIT_EXPECT_EQ(test, t->rtt_min_us, 100000U);
}

/* Linux's bounds: at least 200 ms, at most 120 s. */
static void xtcp_timer_test_bounds(struct kunit *test)
{
	struct sock *sk = xtcp_timer_test_sk(test);
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	xtcp_timer_rtt_sample(sk, 0);		/* counts as 1 us */
	KUNIT_EXPECT_EQ(test, t->rto, (unsigned long)XTCP_RTO_MIN);
	xtcp_timer_rtt_sample(sk, 1000);
	KUNIT_EXPECT_EQ(test, t->rto, (unsigned long)XTCP_RTO_MIN);

	sk = xtcp_timer_test_sk(test);
	t = &xtcp_sk(sk)->tmr;
	xtcp_timer_rtt_sample(sk, 100 * USEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, t->rto, (unsigned long)XTCP_RTO_MAX);
}

/* Each expiry doubles the RTO in force, up to 120 s; never overflows. */
static void xtcp_timer_test_backoff(struct kunit *test)
{
	static const unsigned int secs[] = { 1, 2, 4, 8, 16, 32, 64, 120, 120 };
	struct xtcp_timers t = { .rto = HZ };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(secs); i++) {
		t.backoff = i;
		KUNIT_EXPECT_EQ(test, xtcp_timer_rto_now(&t),
				(unsigned long)secs[i] * HZ);
	}
	t.backoff = 200;
	KUNIT_EXPECT_EQ(test, xtcp_timer_rto_now(&t), (unsigned long)XTCP_RTO_MAX);
}

/*
 * The least time @retries RTOs take backed off (tcp_model_timeout): from
 * 200 ms doubling to 120 s; 15 (tcp_retries2) make Linux's 924.6 s.
 */
static void xtcp_timer_test_backoff_span(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_timer_backoff_span(0), (unsigned long)HZ / 5);
	KUNIT_EXPECT_EQ(test, xtcp_timer_backoff_span(2), 7UL * (HZ / 5));
	KUNIT_EXPECT_EQ(test, xtcp_timer_backoff_span(9), 1023UL * (HZ / 5));
	KUNIT_EXPECT_EQ(test, xtcp_timer_backoff_span(15),
			1023UL * (HZ / 5) + 6UL * 120 * HZ);
}

static struct kunit_case xtcp_timer_test_cases[] = {
	KUNIT_CASE(xtcp_timer_test_initial),
	KUNIT_CASE(xtcp_timer_test_samples),
	KUNIT_CASE(xtcp_timer_test_bounds),
	KUNIT_CASE(xtcp_timer_test_backoff),
	KUNIT_CASE(xtcp_timer_test_backoff_span),
	{}
};

static struct kunit_suite xtcp_timer_test_suite = {
	.name = "xtcp_timer",
	.test_cases = xtcp_timer_test_cases,
};

xtcp_kunit_suite(xtcp_timer_test_suite);
