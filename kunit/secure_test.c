// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_secure: properties of the ISN (RFC 6528) and of the
 * keyed offsets. Included at the bottom of module/secure.c; the secrets
 * are drawn by the module's init, which has run by now.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include <linux/delay.h>

#define XTCP_T_A	htonl(0xc0000201)
#define XTCP_T_B	htonl(0xc0000202)

/* Successive ISNs of one 4-tuple move forward with the clock, not far. */
static void xtcp_secure_test_isn_monotonic(struct kunit *test)
{
	u32 a, b;

	a = xtcp_secure_isn(XTCP_T_A, XTCP_T_B, htons(80), htons(4000));
	usleep_range(1000, 2000);
	b = xtcp_secure_isn(XTCP_T_A, XTCP_T_B, htons(80), htons(4000));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(b, a));
	/* 64 ns ticks: 1-2 ms is 15625-31250 ticks, allow for slow hosts */
	KUNIT_EXPECT_LT(test, b - a, 1U << 24);
	KUNIT_EXPECT_GE(test, b - a, 15625U);
}

/* Other 4-tuples get unrelated ISNs: no two of these are close. */
static void xtcp_secure_test_isn_per_tuple(struct kunit *test)
{
	u32 isn[64];
	int i, j, close = 0;

	for (i = 0; i < 64; i++)
		isn[i] = xtcp_secure_isn(XTCP_T_A, XTCP_T_B, htons(80),
					 htons(4000 + i));
	for (i = 0; i < 64; i++)
		for (j = i + 1; j < 64; j++)
			if (isn[i] - isn[j] < (1U << 20) ||
			    isn[j] - isn[i] < (1U << 20))
				close++;
	/* chance of a pair within 2^20: 2^-11 each, about 1 in 1000 pairs */
	KUNIT_EXPECT_LE(test, close, 8);
}

/* Port order matters: the two directions of a pair differ. */
static void xtcp_secure_test_isn_direction(struct kunit *test)
{
	u32 a = xtcp_secure_isn(XTCP_T_A, XTCP_T_B, htons(80), htons(4000));
	u32 b = xtcp_secure_isn(XTCP_T_B, XTCP_T_A, htons(4000), htons(80));

	KUNIT_EXPECT_GT(test, min(a - b, b - a), 1U << 20);
}

static void xtcp_secure_test_ts_off(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_secure_ts_off(XTCP_T_A, XTCP_T_B),
			xtcp_secure_ts_off(XTCP_T_A, XTCP_T_B));
	KUNIT_EXPECT_NE(test, xtcp_secure_ts_off(XTCP_T_A, XTCP_T_B),
			xtcp_secure_ts_off(XTCP_T_B, XTCP_T_A));
}

static void xtcp_secure_test_port_offset(struct kunit *test)
{
	struct net *net = kunit_kzalloc(test, sizeof(*net), GFP_KERNEL);
	u64 a, b;

	KUNIT_ASSERT_NOT_NULL(test, net);
	a = xtcp_secure_port_offset(net, XTCP_T_A, XTCP_T_B, htons(80));
	b = xtcp_secure_port_offset(net, XTCP_T_A, XTCP_T_B, htons(81));
	KUNIT_EXPECT_EQ(test, a, xtcp_secure_port_offset(net, XTCP_T_A,
							 XTCP_T_B, htons(80)));
	KUNIT_EXPECT_NE(test, a, b);
}

static struct kunit_case xtcp_secure_test_cases[] = {
	KUNIT_CASE(xtcp_secure_test_isn_monotonic),
	KUNIT_CASE(xtcp_secure_test_isn_per_tuple),
	KUNIT_CASE(xtcp_secure_test_isn_direction),
	KUNIT_CASE(xtcp_secure_test_ts_off),
	KUNIT_CASE(xtcp_secure_test_port_offset),
	{}
};

static struct kunit_suite xtcp_secure_test_suite = {
	.name = "xtcp_secure",
	.test_cases = xtcp_secure_test_cases,
};

xtcp_kunit_suite(xtcp_secure_test_suite);
