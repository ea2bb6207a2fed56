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

/*
 * Fast Open (RFC 7413): kind 34 with a cookie of 4 to 16 even bytes, or
 * none (a request); the experimental kind 254 with magic 0xF989. Any
 * other length leaves the option unseen, not the segment malformed.
 */
static void xtcp_options_test_fastopen(struct kunit *test)
{
	static const struct {
		u8 bytes[24];
		unsigned int len;
		bool has_fo;
		u8 off, clen;
	} c[] = {
		{ { 34, 2 }, 2, true, 2, 0 },			/* request */
		{ { 34, 10, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, true, 2, 8 },
		{ { 1, 1, 34, 6, 1, 2, 3, 4 }, 8, true, 4, 4 },	/* 4 bytes */
		{ { 34, 18 }, 18, true, 2, 16 },		/* 16 bytes */
		{ { 34, 3, 0 }, 3, false },			/* odd */
		{ { 34, 4, 0, 0 }, 4, false },			/* 2 bytes */
		{ { 34, 20 }, 20, false },			/* 18 bytes */
		{ { 254, 4, 0xf9, 0x89 }, 4, true, 4, 0 },	/* exp request */
		{ { 254, 12, 0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8 }, 12,
		  true, 4, 8 },
		{ { 254, 12, 0xf9, 0x88, 1, 2, 3, 4, 5, 6, 7, 8 }, 12, false },
	};
	struct xtcp_options opts;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		KUNIT_ASSERT_EQ(test, xtcp_options_parse(c[i].bytes, c[i].len,
							 &opts), 0);
		KUNIT_EXPECT_EQ_MSG(test, (bool)opts.has_fo, c[i].has_fo,
				    "case %u", i);
		if (!c[i].has_fo)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, opts.fo_off, c[i].off, "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, opts.fo_len, c[i].clen, "case %u", i);
	}
	/* a Fast Open option running past the list is malformed, as any */
	KUNIT_EXPECT_EQ(test, xtcp_options_parse(c[1].bytes, 8, &opts),
			-EINVAL);
}

static struct kunit_case xtcp_options_test_cases[] = {
	KUNIT_CASE_PARAM(xtcp_options_test_parse, xtcp_options_gen_params),
	KUNIT_CASE(xtcp_options_test_no_overread),
	KUNIT_CASE(xtcp_options_test_fastopen),
	{}
};

static struct kunit_suite xtcp_options_test_suite = {
	.name = "xtcp_options",
	.test_cases = xtcp_options_test_cases,
};

xtcp_kunit_suite(xtcp_options_test_suite);
