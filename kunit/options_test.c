// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_options: option parsing, well-formed and malformed.
 * Included at the bottom of module/options.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

struct xtcp_options_case {
	const char *name;
	u8 bytes[40];
	unsigned int len;
	int ret;		/* expected return */
	/* expected content when ret == 0 */
	u16 mss;
	bool has_wscale;
	u8 wscale;
	bool sack_ok;
	bool has_ts;
	u32 tsval;
	u32 tsecr;
};

static const struct xtcp_options_case xtcp_options_cases[] = {
	{ .name = "empty", .len = 0 },
	{
		/* what Linux puts on a SYN */
		.name = "linux_syn",
		.bytes = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
			   0, 0, 0, 0, 1, 3, 3, 7 },
		.len = 20, .mss = 1460, .sack_ok = true, .has_ts = true,
		.tsval = 1, .tsecr = 0, .has_wscale = true, .wscale = 7,
	},
	{
		.name = "nop_padding",
		.bytes = { 1, 1, 1, 1 }, .len = 4,
	},
	{
		/* bytes after End of Option List are padding, not options */
		.name = "eol_ends_list",
		.bytes = { 2, 4, 0x02, 0x18, 0, 0xff, 0, 0 },
		.len = 8, .mss = 536,
	},
	{
		.name = "unknown_kind_skipped",
		.bytes = { 254, 4, 0xde, 0xad, 2, 4, 0x05, 0x8c },
		.len = 8, .mss = 1420,
	},
	{
		/* RFC 7323 2.3: treat a shift over 14 as 14 */
		.name = "wscale_clamped",
		.bytes = { 3, 3, 15, 0 }, .len = 4,
		.has_wscale = true, .wscale = 14,
	},
	{
		.name = "sack_one_block",
		.bytes = { 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 }, .len = 10,
	},
	{
		.name = "all_nop_40",
		.bytes = { [0 ... 39] = 1 }, .len = 40,
	},
	{ .name = "kind_without_length", .bytes = { 2 }, .len = 1,
	  .ret = -EINVAL },
	{ .name = "nop_then_kind_without_length", .bytes = { 1, 1, 1, 8 },
	  .len = 4, .ret = -EINVAL },
	{ .name = "zero_length", .bytes = { 99, 0, 1, 1 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "length_one", .bytes = { 99, 1, 1, 1 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "overlong", .bytes = { 254, 8, 0, 0 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "truncated_mss", .bytes = { 1, 1, 2, 4, 5 }, .len = 5,
	  .ret = -EINVAL },
	{ .name = "mss_wrong_length", .bytes = { 2, 3, 5, 0 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "wscale_wrong_length", .bytes = { 3, 4, 7, 0 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "sackperm_wrong_length", .bytes = { 4, 3, 0, 0 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "ts_wrong_length", .bytes = { 8, 8, 0, 0, 0, 0, 0, 0 },
	  .len = 8, .ret = -EINVAL },
	{ .name = "sack_no_block", .bytes = { 5, 2, 1, 1 }, .len = 4,
	  .ret = -EINVAL },
	{ .name = "sack_partial_block", .bytes = { 5, 6, 0, 0, 0, 0 },
	  .len = 6, .ret = -EINVAL },
};

static void xtcp_options_case_desc(const struct xtcp_options_case *c,
				   char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(xtcp_options, xtcp_options_cases, xtcp_options_case_desc);

static void xtcp_options_test_parse(struct kunit *test)
{
	const struct xtcp_options_case *c = test->param_value;
	struct xtcp_options opts;

	/* poison, so a parser that forgets to clear is caught */
	memset(&opts, 0xa5, sizeof(opts));
	KUNIT_ASSERT_EQ(test, xtcp_options_parse(c->bytes, c->len, &opts),
			c->ret);
	if (c->ret)
		return;
	KUNIT_EXPECT_EQ(test, opts.mss, c->mss);
	KUNIT_EXPECT_EQ(test, (bool)opts.has_wscale, c->has_wscale);
	if (c->has_wscale)
		KUNIT_EXPECT_EQ(test, opts.wscale, c->wscale);
	KUNIT_EXPECT_EQ(test, (bool)opts.sack_ok, c->sack_ok);
	KUNIT_EXPECT_EQ(test, (bool)opts.has_ts, c->has_ts);
	if (c->has_ts) {
		KUNIT_EXPECT_EQ(test, opts.tsval, c->tsval);
		KUNIT_EXPECT_EQ(test, opts.tsecr, c->tsecr);
	}
}

/* The parser must never read past len, whatever the bytes say. */
static void xtcp_options_test_no_overread(struct kunit *test)
{
	struct xtcp_options opts;
	unsigned int len;
	u8 *buf;

	for (len = 0; len <= 40; len++) {
		/* exactly len bytes, so KASAN sees any read beyond them */
		buf = kunit_kmalloc(test, len ? len : 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf);
		memset(buf, XTCP_OPT_TS, len);
		/* TS with length 8: wrong length for TS, must be refused */
		KUNIT_EXPECT_EQ(test, xtcp_options_parse(buf, len, &opts),
				len ? -EINVAL : 0);
	}
}

static struct kunit_case xtcp_options_test_cases[] = {
	KUNIT_CASE_PARAM(xtcp_options_test_parse, xtcp_options_gen_params),
	KUNIT_CASE(xtcp_options_test_no_overread),
	{}
};

static struct kunit_suite xtcp_options_test_suite = {
	.name = "xtcp_options",
	.test_cases = xtcp_options_test_cases,
};

xtcp_kunit_suite(xtcp_options_test_suite);
