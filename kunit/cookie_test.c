// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_cookie: SYN cookie encoding and checking. Included at
 * the bottom of module/cookie.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

static const siphash_key_t xtcp_cookie_test_key = {{ 0x0123456789abcdefULL,
						     0xfedcba9876543210ULL }};
static const siphash_key_t xtcp_cookie_test_key2 = {{ 1, 2 }};

static const struct xtcp_cookie_tuple xtcp_cookie_test_tuple = {
	.saddr = htonl(0xc0000201), .daddr = htonl(0xc0000202),
	.sport = htons(80), .dport = htons(40000), .isn = 0x12345678,
};

#define XTCP_COOKIE_TEST_NOW	1000

/* Every MSS entry, every window scale (and none), SACK on and off. */
static void xtcp_cookie_test_round_trip(struct kunit *test)
{
	unsigned int m, ws, sack, bad = 0, n = 0;

	for (m = 0; m < ARRAY_SIZE(xtcp_cookie_mss); m++)
		for (ws = 0; ws <= 15; ws++)
			for (sack = 0; sack <= 1; sack++) {
				struct xtcp_cookie_opts in = {
					.mss = xtcp_cookie_mss[m],
					.has_wscale = ws < 15,
					.wscale = ws < 15 ? ws : 0,
					.sack_ok = sack,
				}, out;
				u32 cookie;

				cookie = xtcp_cookie_make(&xtcp_cookie_test_key,
							  &xtcp_cookie_test_tuple,
							  &in, XTCP_COOKIE_TEST_NOW);
				n++;
				if (xtcp_cookie_check(&xtcp_cookie_test_key,
						      &xtcp_cookie_test_tuple,
						      cookie, XTCP_COOKIE_TEST_NOW,
						      &out) ||
				    out.mss != in.mss ||
				    out.has_wscale != in.has_wscale ||
				    out.wscale != in.wscale ||
				    out.sack_ok != in.sack_ok)
					bad++;
			}
	KUNIT_EXPECT_EQ(test, n, 4U * 16 * 2);
	KUNIT_EXPECT_EQ(test, bad, 0U);
}

/* The MSS is rounded down to the table; no option means 536. */
static void xtcp_cookie_test_mss_rounding(struct kunit *test)
{
	static const u16 cases[][2] = {
		{ 536, 536 }, { 1000, 536 }, { 1299, 536 }, { 1300, 1300 },
		{ 1439, 1300 }, { 1440, 1440 }, { 1460, 1460 }, { 9000, 1460 },
		{ 100, 536 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xtcp_cookie_opts in = { .mss = cases[i][0] }, out;
		u32 cookie = xtcp_cookie_make(&xtcp_cookie_test_key,
					      &xtcp_cookie_test_tuple, &in,
					      XTCP_COOKIE_TEST_NOW);

		KUNIT_ASSERT_EQ(test, xtcp_cookie_check(&xtcp_cookie_test_key,
							&xtcp_cookie_test_tuple,
							cookie,
							XTCP_COOKIE_TEST_NOW,
							&out), 0);
		KUNIT_EXPECT_EQ(test, out.mss, cases[i][1]);
	}
}

static u32 xtcp_cookie_test_make(u32 counter)
{
	struct xtcp_cookie_opts in = { .mss = 1460, .has_wscale = true,
				       .wscale = 7, .sack_ok = true };

	return xtcp_cookie_make(&xtcp_cookie_test_key, &xtcp_cookie_test_tuple,
				&in, counter);
}

static int xtcp_cookie_test_check(u32 cookie, u32 counter)
{
	struct xtcp_cookie_opts out;

	return xtcp_cookie_check(&xtcp_cookie_test_key, &xtcp_cookie_test_tuple,
				 cookie, counter, &out);
}

/* Good in the tick it was made and the next (64-128 s); stale after. */
static void xtcp_cookie_test_age(struct kunit *test)
{
	u32 cookie = xtcp_cookie_test_make(XTCP_COOKIE_TEST_NOW);

	KUNIT_EXPECT_EQ(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW + 1), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW + 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW + 3),
			-EINVAL);
	/* four ticks on the low bits repeat, but the MAC does not */
	KUNIT_EXPECT_NE(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW + 4), 0);
	/* from the future (clock went back): refused too */
	KUNIT_EXPECT_NE(test, xtcp_cookie_test_check(cookie, XTCP_COOKIE_TEST_NOW - 1), 0);
}

/* Any single flipped bit, in the MAC or in the options, is caught. */
static void xtcp_cookie_test_tampered(struct kunit *test)
{
	u32 cookie = xtcp_cookie_test_make(XTCP_COOKIE_TEST_NOW);
	unsigned int bit, accepted = 0;

	for (bit = 0; bit < 32; bit++)
		if (!xtcp_cookie_test_check(cookie ^ BIT(bit), XTCP_COOKIE_TEST_NOW))
			accepted++;
	KUNIT_EXPECT_EQ(test, accepted, 0U);
}

static void xtcp_cookie_test_wrong_tuple(struct kunit *test)
{
	u32 cookie = xtcp_cookie_test_make(XTCP_COOKIE_TEST_NOW);
	struct xtcp_cookie_tuple t;
	struct xtcp_cookie_opts out;
	int i;

	for (i = 0; i < 5; i++) {
		t = xtcp_cookie_test_tuple;
		if (i == 0)
			t.saddr ^= htonl(1);
		else if (i == 1)
			t.daddr ^= htonl(1);
		else if (i == 2)
			t.sport ^= htons(1);
		else if (i == 3)
			t.dport ^= htons(1);
		else
			t.isn ^= 1;
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(&xtcp_cookie_test_key, &t,
							cookie,
							XTCP_COOKIE_TEST_NOW,
							&out), -EINVAL);
	}
}

static void xtcp_cookie_test_wrong_secret(struct kunit *test)
{
	u32 cookie = xtcp_cookie_test_make(XTCP_COOKIE_TEST_NOW);
	struct xtcp_cookie_opts out;

	KUNIT_EXPECT_EQ(test, xtcp_cookie_check(&xtcp_cookie_test_key2,
						&xtcp_cookie_test_tuple, cookie,
						XTCP_COOKIE_TEST_NOW, &out),
			-EINVAL);
}

/* Random guesses: with a 23-bit MAC, none of 100000 should pass. */
static void xtcp_cookie_test_forged(struct kunit *test)
{
	unsigned int i, accepted = 0;

	for (i = 0; i < 100000; i++)
		if (!xtcp_cookie_test_check(get_random_u32(), XTCP_COOKIE_TEST_NOW))
			accepted++;
	KUNIT_EXPECT_LE(test, accepted, 1U);
}

/*
 * Every bit of a cookie depends on the secret: over many secrets, for one
 * SYN, each bit is set about half the time. Fields an attacker can
 * predict would let a guess aim at the MAC alone.
 */
static void xtcp_cookie_test_every_bit_keyed(struct kunit *test)
{
	unsigned int ones[32] = {}, i, bit, off = 0;
	siphash_key_t key;
	u32 cookie;

	for (i = 0; i < 512; i++) {
		struct xtcp_cookie_opts in = { .mss = 1460, .has_wscale = true,
					       .wscale = 7, .sack_ok = true };

		get_random_bytes(&key, sizeof(key));
		cookie = xtcp_cookie_make(&key, &xtcp_cookie_test_tuple, &in,
					  XTCP_COOKIE_TEST_NOW);
		for (bit = 0; bit < 32; bit++)
			ones[bit] += (cookie >> bit) & 1;
	}
	/* binomial(512, 1/2): 256 +- 11; outside 160..352 is 8.5 sigma */
	for (bit = 0; bit < 32; bit++)
		if (ones[bit] < 160 || ones[bit] > 352)
			off++;
	KUNIT_EXPECT_EQ(test, off, 0U);
}

/*
 * How many of the 2^32 values pass for one SYN: one per option set
 * (16 window scales x 4 MSS x 2 SACK) and per accepted tick (2), so a
 * blind guess wins with probability 2^8 / 2^32 = 2^-24. Near a valid
 * cookie (same high 16 bits) the odds are no better: of those 2^16
 * values, about 2^-8 besides the cookie itself should pass.
 */
static void xtcp_cookie_test_forging_odds(struct kunit *test)
{
	u32 cookie = xtcp_cookie_test_make(XTCP_COOKIE_TEST_NOW);
	unsigned int v, accepted = 0;

	for (v = 0; v < BIT(16); v++)
		if (!xtcp_cookie_test_check((cookie & ~0xffffU) | v,
					    XTCP_COOKIE_TEST_NOW))
			accepted++;
	/* the cookie itself, and by chance at most a few more */
	KUNIT_EXPECT_GE(test, accepted, 1U);
	KUNIT_EXPECT_LE(test, accepted, 3U);
}

static struct kunit_case xtcp_cookie_test_cases[] = {
	KUNIT_CASE(xtcp_cookie_test_round_trip),
	KUNIT_CASE(xtcp_cookie_test_mss_rounding),
	KUNIT_CASE(xtcp_cookie_test_age),
	KUNIT_CASE(xtcp_cookie_test_tampered),
	KUNIT_CASE(xtcp_cookie_test_wrong_tuple),
	KUNIT_CASE(xtcp_cookie_test_wrong_secret),
	KUNIT_CASE(xtcp_cookie_test_forged),
	KUNIT_CASE(xtcp_cookie_test_every_bit_keyed),
	KUNIT_CASE(xtcp_cookie_test_forging_odds),
	{}
};

static struct kunit_suite xtcp_cookie_test_suite = {
	.name = "xtcp_cookie",
	.test_cases = xtcp_cookie_test_cases,
};

xtcp_kunit_suite(xtcp_cookie_test_suite);
