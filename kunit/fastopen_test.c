// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the Fast Open cookie (fastopen.c) and its option (options.c is
 * tested in options_test.c). #included into fastopen.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

/* The MAC is Linux's: SipHash-2-4 of (saddr, daddr), little-endian. */
static void xtcp_fastopen_test_mac(struct kunit *test)
{
	siphash_key_t key = { .key = { 0x0706050403020100ULL,
				       0x0f0e0d0c0b0a0908ULL } };
	__be32 addrs[2] = { htonl(0xc0000202), htonl(0xc0000201) };
	u8 cookie[XTCP_FO_COOKIE_LEN], other[XTCP_FO_COOKIE_LEN];

	xtcp_fastopen_mac(&key, addrs[0], addrs[1], cookie);
	KUNIT_EXPECT_EQ(test, get_unaligned_le64(cookie),
			siphash(addrs, sizeof(addrs), &key));
	/* the direction matters: the client's address comes first */
	xtcp_fastopen_mac(&key, addrs[1], addrs[0], other);
	KUNIT_EXPECT_NE(test, memcmp(cookie, other, sizeof(other)), 0);
	/* so does the key */
	key.key[1] ^= 1;
	xtcp_fastopen_mac(&key, addrs[0], addrs[1], other);
	KUNIT_EXPECT_NE(test, memcmp(cookie, other, sizeof(other)), 0);
}

/* Keys in Linux's layout; a backup key checks as 2; a short cookie never. */
static void xtcp_fastopen_test_keys(struct kunit *test)
{
	struct net *net = &init_net;
	u8 keys[32], back[32], cookie[XTCP_FO_COOKIE_LEN];
	siphash_key_t k;
	__be32 a = htonl(0x0a000001), b = htonl(0x0a000002);
	int i;

	for (i = 0; i < 32; i++)
		keys[i] = i;
	KUNIT_ASSERT_EQ(test, xtcp_fastopen_set_key(net, keys, 16), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_get_key(net, back), 16);
	KUNIT_EXPECT_EQ(test, memcmp(keys, back, 16), 0);
	xtcp_fastopen_key_in(&k, keys);
	KUNIT_EXPECT_EQ(test, k.key[0], 0x0706050403020100ULL);

	/* a cookie of the first key */
	xtcp_fastopen_mac(&k, a, b, cookie);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_check(net, a, b, cookie, 8), 1);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_check(net, b, a, cookie, 8), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_check(net, a, b, cookie, 4), 0);

	/* rotated: a new primary, the old one as backup */
	memcpy(keys + 16, keys, 16);
	keys[0] ^= 0xff;
	KUNIT_ASSERT_EQ(test, xtcp_fastopen_set_key(net, keys, 32), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_get_key(net, back), 32);
	KUNIT_EXPECT_EQ(test, memcmp(keys, back, 32), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_check(net, a, b, cookie, 8), 2);

	/* the new primary alone: the old cookie is gone */
	KUNIT_ASSERT_EQ(test, xtcp_fastopen_set_key(net, keys, 16), 0);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_check(net, a, b, cookie, 8), 0);

	KUNIT_EXPECT_EQ(test, xtcp_fastopen_set_key(net, keys, 24), -EINVAL);
	KUNIT_EXPECT_EQ(test, xtcp_fastopen_set_key(net, keys, 0), -EINVAL);
	xtcp_fastopen_net_init(net);
}

static struct kunit_case xtcp_fastopen_test_cases[] = {
	KUNIT_CASE(xtcp_fastopen_test_mac),
	KUNIT_CASE(xtcp_fastopen_test_keys),
	{}
};

static struct kunit_suite xtcp_fastopen_test_suite = {
	.name = "xtcp_fastopen",
	.test_cases = xtcp_fastopen_test_cases,
};

xtcp_kunit_suite(xtcp_fastopen_test_suite);
