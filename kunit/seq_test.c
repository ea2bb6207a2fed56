// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_seq: sequence-number comparisons modulo 2^32.
 * Included at the bottom of module/main.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

#include "seq.h"

static void xtcp_seq_test_before_after(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_before(2, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_before(5, 5));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(2, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_after(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_after(5, 5));
}

static void xtcp_seq_test_wrap(struct kunit *test)
{
	/* 0xffffffff is just before 0, and 0x10 after 0xfffffff0 */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(0xffffffffU, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(0, 0xffffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(0x10, 0xfffffff0U));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_before(0x10, 0xfffffff0U));
	/* a plain unsigned compare would get both of these wrong */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(0xfffffffeU, 1));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(1, 0xfffffffeU));
}

static void xtcp_seq_test_leq_geq(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(7, 7));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(7, 7));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_leq(6, 7));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_leq(8, 7));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_geq(8, 7));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_geq(6, 7));
}

static void xtcp_seq_test_half_space(struct kunit *test)
{
	/* Within 2^31 - 1 the order is well defined in both directions. */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(0, 0x7fffffffU));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(0x7fffffffU, 0));
	/* 2^31 + 1 ahead reads as behind: the space has turned over. */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_after(0, 0x80000001U));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_before(0x80000001U, 0));
}

static void xtcp_seq_test_between(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(10, 10, 20));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(20, 10, 20));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(15, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(9, 10, 20));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(21, 10, 20));
	/* a window that straddles 2^32 */
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(0xfffffff8U, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_between(2, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0x11, 0xfffffff0U, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_between(0xffffffefU, 0xfffffff0U, 0x10));
}

static void xtcp_seq_test_in_window(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_window(100, 100, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_window(101, 100, 1));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_window(99, 100, 1));
	/* a zero window holds nothing, not even its left edge */
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_window(100, 100, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_seq_in_window(3, 0xfffffffcU, 8));
	KUNIT_EXPECT_FALSE(test, xtcp_seq_in_window(4, 0xfffffffcU, 8));
}

static struct kunit_case xtcp_seq_test_cases[] = {
	KUNIT_CASE(xtcp_seq_test_before_after),
	KUNIT_CASE(xtcp_seq_test_wrap),
	KUNIT_CASE(xtcp_seq_test_leq_geq),
	KUNIT_CASE(xtcp_seq_test_half_space),
	KUNIT_CASE(xtcp_seq_test_between),
	KUNIT_CASE(xtcp_seq_test_in_window),
	{}
};

static struct kunit_suite xtcp_seq_test_suite = {
	.name = "xtcp_seq",
	.test_cases = xtcp_seq_test_cases,
};

xtcp_kunit_suite(xtcp_seq_test_suite);
