// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the Fast Open client's cookie cache (fastopen_client.c).
 * #included into fastopen_client.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

static struct xtcp_foc_cache *xtcp_fastopen_client_test_cache(struct kunit *test)
{
	struct xtcp_foc_cache *c = xtcp_fastopen_client_cache_new();

	KUNIT_ASSERT_NOT_NULL(test, c);
	return c;
}

/* A cookie is kept by destination; a miss is a miss. */
static void xtcp_fastopen_client_test_get_set(struct kunit *test)
{
	struct xtcp_foc_cache *c = xtcp_fastopen_client_test_cache(test);
	const u8 ck[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__be32 a = htonl(0xc0000201), b = htonl(0xc0000202);
	struct xtcp_foc_entry e;

	KUNIT_EXPECT_FALSE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	xtcp_fastopen_client_cache_set(c, a, 1460, ck, 8, false, 1);
	KUNIT_ASSERT_TRUE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	KUNIT_EXPECT_EQ(test, e.cookie_len, 8);
	KUNIT_EXPECT_EQ(test, memcmp(e.cookie, ck, 8), 0);
	KUNIT_EXPECT_EQ(test, e.mss, 1460);
	KUNIT_EXPECT_FALSE(test, xtcp_fastopen_client_cache_get(c, b, &e));
	kfree(c);
}

/*
 * A SYN-ACK without a cookie (or with one of a length RFC 7413 does not
 * allow) keeps the one known; a new one replaces it; MSS 0 keeps the MSS.
 */
static void xtcp_fastopen_client_test_keep(struct kunit *test)
{
	struct xtcp_foc_cache *c = xtcp_fastopen_client_test_cache(test);
	const u8 ck[16] = { 9, 9, 9, 9, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1, 1, 1 };
	__be32 a = htonl(0x0a000001);
	struct xtcp_foc_entry e;

	xtcp_fastopen_client_cache_set(c, a, 1400, ck, 8, false, 1);
	xtcp_fastopen_client_cache_set(c, a, 0, NULL, 0, false, 2);
	xtcp_fastopen_client_cache_set(c, a, 0, ck + 8, 3, false, 3);
	xtcp_fastopen_client_cache_set(c, a, 0, ck + 8, 2, false, 3);
	xtcp_fastopen_client_cache_set(c, a, 0, ck, 18, false, 3);
	KUNIT_ASSERT_TRUE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	KUNIT_EXPECT_EQ(test, e.cookie_len, 8);
	KUNIT_EXPECT_EQ(test, memcmp(e.cookie, ck, 8), 0);
	KUNIT_EXPECT_EQ(test, e.mss, 1400);
	xtcp_fastopen_client_cache_set(c, a, 0, ck, 16, false, 4);
	KUNIT_ASSERT_TRUE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	KUNIT_EXPECT_EQ(test, e.cookie_len, 16);
	KUNIT_EXPECT_EQ(test, memcmp(e.cookie, ck, 16), 0);
	kfree(c);
}

/* SYN losses count in a row; a SYN-ACK that is not a loss ends the row. */
static void xtcp_fastopen_client_test_syn_loss(struct kunit *test)
{
	struct xtcp_foc_cache *c = xtcp_fastopen_client_test_cache(test);
	__be32 a = htonl(0x0a000001);
	struct xtcp_foc_entry e;

	xtcp_fastopen_client_cache_set(c, a, 0, NULL, 0, true, 1);
	xtcp_fastopen_client_cache_set(c, a, 0, NULL, 0, true, 2);
	KUNIT_ASSERT_TRUE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	KUNIT_EXPECT_EQ(test, e.syn_loss, 2);
	xtcp_fastopen_client_cache_set(c, a, 0, NULL, 0, false, 3);
	KUNIT_ASSERT_TRUE(test, xtcp_fastopen_client_cache_get(c, a, &e));
	KUNIT_EXPECT_EQ(test, e.syn_loss, 0);
	kfree(c);
}

/*
 * Bounded: however many destinations, at most BUCKETS x WAYS entries;
 * a full bucket gives up its oldest entry, and the newest stay.
 */
static void xtcp_fastopen_client_test_bounded(struct kunit *test)
{
	struct xtcp_foc_cache *c = xtcp_fastopen_client_test_cache(test);
	const u8 ck[8] = { 7 };
	struct xtcp_foc_entry e, *b;
	__be32 addrs[XTCP_FOC_WAYS + 1];
	int i, n = 0, held = 0;
	u32 x;

	/* WAYS + 1 addresses of one bucket, set oldest first */
	b = xtcp_fastopen_client_bucket(c, htonl(0x0a000000));
	for (x = 0x0a000000; n < XTCP_FOC_WAYS + 1 && x < 0x0a100000; x++)
		if (xtcp_fastopen_client_bucket(c, htonl(x)) == b)
			addrs[n++] = htonl(x);
	KUNIT_ASSERT_EQ(test, n, XTCP_FOC_WAYS + 1);
	for (i = 0; i < n; i++)
		xtcp_fastopen_client_cache_set(c, addrs[i], 0, ck, 8, false,
					       100 + i);
	KUNIT_EXPECT_FALSE(test, xtcp_fastopen_client_cache_get(c, addrs[0], &e));
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_TRUE(test,
				  xtcp_fastopen_client_cache_get(c, addrs[i], &e));

	/* many more destinations: never more entries than the table holds */
	for (x = 1; x <= 4 * XTCP_FOC_BUCKETS * XTCP_FOC_WAYS; x++)
		xtcp_fastopen_client_cache_set(c, htonl(0xc6120000 + x), 0, ck,
					       8, false, 1000 + x);
	for (x = 1; x <= 4 * XTCP_FOC_BUCKETS * XTCP_FOC_WAYS; x++)
		held += xtcp_fastopen_client_cache_get(c, htonl(0xc6120000 + x),
						       &e);
	KUNIT_EXPECT_LE(test, held, XTCP_FOC_BUCKETS * XTCP_FOC_WAYS);
	KUNIT_EXPECT_GT(test, held, 0);
	kfree(c);
}

static struct kunit_case xtcp_fastopen_client_test_cases[] = {
	KUNIT_CASE(xtcp_fastopen_client_test_get_set),
	KUNIT_CASE(xtcp_fastopen_client_test_keep),
	KUNIT_CASE(xtcp_fastopen_client_test_syn_loss),
	KUNIT_CASE(xtcp_fastopen_client_test_bounded),
	{}
};

static struct kunit_suite xtcp_fastopen_client_test_suite = {
	.name = "xtcp_fastopen_client",
	.test_cases = xtcp_fastopen_client_test_cases,
};

xtcp_kunit_suite(xtcp_fastopen_client_test_suite);
