// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_input: segment validation and the checksum, on skbs
 * built here the way the IP layer hands them over (network header set,
 * skb->data at the transport header). Included at the bottom of
 * module/input.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include <linux/highmem.h>
#include <net/checksum.h>

#define XTCP_TEST_SADDR		htonl(0xc0000201)	/* 192.0.2.1 */
#define XTCP_TEST_DADDR		htonl(0xc0000202)	/* 192.0.2.2 */

struct xtcp_input_seg {
	bool set_doff;			/* use doff, not the real length */
	unsigned int doff;		/* header words, if set_doff */
	const u8 *opts;
	unsigned int optlen;
	unsigned int payload;
	unsigned int truncate;		/* transport bytes kept, 0 = all */
	u8 csum_proto;			/* pseudo-header protocol used */
	bool nonlinear;			/* transport part in a page fragment */
};

static const u8 xtcp_input_syn_opts[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0, 1, 3, 3, 7
};

/* Writes header, options and payload of @s into @buf; returns its length. */
static unsigned int xtcp_input_fill(const struct xtcp_input_seg *s, u8 *buf)
{
	struct tcphdr *th = (struct tcphdr *)buf;
	unsigned int hdrlen = XTCP_HDR_LEN + s->optlen;
	unsigned int len = hdrlen + s->payload;

	memset(buf, 0, len);
	th->source = htons(40000);
	th->dest = htons(80);
	th->seq = htonl(0x01020304);
	th->doff = s->set_doff ? s->doff : hdrlen / 4;
	th->syn = 1;
	th->window = htons(65535);
	memcpy(buf + XTCP_HDR_LEN, s->opts, s->optlen);
	memset(buf + hdrlen, 'x', s->payload);
	th->check = csum_tcpudp_magic(XTCP_TEST_SADDR, XTCP_TEST_DADDR, len,
				      s->csum_proto ?: IPPROTO_TCP,
				      csum_partial(buf, len, 0));
	return len;
}

static struct sk_buff *xtcp_input_build(struct kunit *test,
					const struct xtcp_input_seg *s)
{
	unsigned int len, keep;
	struct sk_buff *skb;
	struct iphdr *iph;
	u8 seg[XTCP_MAX_HDR_LEN + 64];

	KUNIT_ASSERT_LE(test, XTCP_HDR_LEN + s->optlen + s->payload,
			sizeof(seg));
	len = xtcp_input_fill(s, seg);
	keep = s->truncate ? s->truncate : len;

	skb = alloc_skb(MAX_HEADER + sizeof(*iph) + sizeof(seg), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = xtcp_ipproto;
	iph->saddr = XTCP_TEST_SADDR;
	iph->daddr = XTCP_TEST_DADDR;
	__skb_pull(skb, sizeof(*iph));
	skb_reset_transport_header(skb);

	if (s->nonlinear) {
		struct page *page = alloc_page(GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy_to_page(page, 0, seg, keep);
		skb_add_rx_frag(skb, 0, page, 0, keep, PAGE_SIZE);
	} else {
		skb_put_data(skb, seg, keep);
	}
	skb->ip_summed = CHECKSUM_NONE;
	return skb;
}

/* Validate @s as built, free the skb, return the verdict. */
static enum xtcp_input_verdict
xtcp_input_check(struct kunit *test, const struct xtcp_input_seg *s,
		 struct xtcp_options *opts)
{
	struct sk_buff *skb = xtcp_input_build(test, s);
	enum xtcp_input_verdict v = xtcp_input_validate(skb, opts);

	kfree_skb(skb);
	return v;
}

static void xtcp_input_test_valid_bare(struct kunit *test)
{
	struct xtcp_input_seg s = {};
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts), XTCP_SEG_OK);
	KUNIT_EXPECT_EQ(test, opts.mss, 0);
}

static void xtcp_input_test_valid_options_payload(struct kunit *test)
{
	struct xtcp_input_seg s = {
		.opts = xtcp_input_syn_opts,
		.optlen = sizeof(xtcp_input_syn_opts),
		.payload = 33,
	};
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts), XTCP_SEG_OK);
	KUNIT_EXPECT_EQ(test, opts.mss, 1460);
	KUNIT_EXPECT_TRUE(test, opts.has_ts);
	KUNIT_EXPECT_EQ(test, opts.tsval, 9);
	KUNIT_EXPECT_EQ(test, opts.wscale, 7);
}

static void xtcp_input_test_empty(struct kunit *test)
{
	/* an IP packet with nothing after the IP header */
	struct xtcp_input_seg s = { .truncate = 0 };
	struct sk_buff *skb = xtcp_input_build(test, &s);
	struct xtcp_options opts;

	skb_trim(skb, 0);
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts), XTCP_SEG_SHORT);
	kfree_skb(skb);
}

static void xtcp_input_test_short(struct kunit *test)
{
	struct xtcp_input_seg s = { .truncate = XTCP_HDR_LEN - 1 };
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
			XTCP_SEG_SHORT);
}

static void xtcp_input_test_doff_too_small(struct kunit *test)
{
	unsigned int doff;

	/* right checksum each time: only the offset is wrong */
	for (doff = 0; doff < 5; doff++) {
		struct xtcp_input_seg s = {
			.set_doff = true, .doff = doff, .payload = 8,
		};
		struct xtcp_options opts;

		KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
				XTCP_SEG_BAD_DOFF);
	}
}

static void xtcp_input_test_doff_past_end(struct kunit *test)
{
	struct xtcp_input_seg s = { .set_doff = true, .doff = 15, .payload = 8 };
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
			XTCP_SEG_BAD_DOFF);
}

static void xtcp_input_test_bad_csum(struct kunit *test)
{
	struct xtcp_input_seg s = { .payload = 8 };
	struct sk_buff *skb = xtcp_input_build(test, &s);
	struct xtcp_options opts;

	skb->data[skb->len - 1] ^= 0x40;
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts),
			XTCP_SEG_BAD_CSUM);
	kfree_skb(skb);
}

/* design.md: the pseudo-header says 6, whatever protocol carries us. */
static void xtcp_input_test_csum_pseudo_proto(struct kunit *test)
{
	struct xtcp_input_seg s = { .payload = 8, .csum_proto = 253 };
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
			XTCP_SEG_BAD_CSUM);
}

/* Long segments take the path that defers the sum to skb_checksum_complete. */
static void xtcp_input_test_bad_csum_long(struct kunit *test)
{
	struct xtcp_input_seg s = { .payload = 64 };
	struct sk_buff *skb = xtcp_input_build(test, &s);
	struct xtcp_options opts;

	skb->data[XTCP_HDR_LEN + 40] ^= 0x01;
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts),
			XTCP_SEG_BAD_CSUM);
	kfree_skb(skb);
}

static void xtcp_input_test_csum_unnecessary(struct kunit *test)
{
	struct xtcp_input_seg s = { .payload = 8 };
	struct sk_buff *skb = xtcp_input_build(test, &s);
	struct xtcp_options opts;

	/* a device that verified the sum is believed */
	skb->data[skb->len - 1] ^= 0x40;
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts), XTCP_SEG_OK);
	kfree_skb(skb);
}

static void xtcp_input_test_csum_complete(struct kunit *test)
{
	struct xtcp_input_seg s = { .payload = 8 };
	struct sk_buff *skb = xtcp_input_build(test, &s);
	struct xtcp_options opts;

	/* the device summed the whole transport part, as hardware does */
	skb->csum = csum_partial(skb->data, skb->len, 0);
	skb->ip_summed = CHECKSUM_COMPLETE;
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts), XTCP_SEG_OK);
	kfree_skb(skb);

	skb = xtcp_input_build(test, &s);
	skb->data[skb->len - 1] ^= 0x40;
	skb->csum = csum_partial(skb->data, skb->len, 0);
	skb->ip_summed = CHECKSUM_COMPLETE;
	KUNIT_EXPECT_EQ(test, xtcp_input_validate(skb, &opts),
			XTCP_SEG_BAD_CSUM);
	kfree_skb(skb);
}

static void xtcp_input_test_bad_options(struct kunit *test)
{
	static const u8 zero_len[] = { 1, 1, 99, 0 };
	struct xtcp_input_seg s = { .opts = zero_len, .optlen = 4 };
	struct xtcp_options opts;

	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
			XTCP_SEG_BAD_OPTS);
}

static void xtcp_input_test_nonlinear(struct kunit *test)
{
	struct xtcp_input_seg s = {
		.opts = xtcp_input_syn_opts,
		.optlen = sizeof(xtcp_input_syn_opts),
		.payload = 16,
		.nonlinear = true,
	};
	struct xtcp_options opts;

	/* the header has to be pulled out of the fragment first */
	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts), XTCP_SEG_OK);
	KUNIT_EXPECT_EQ(test, opts.mss, 1460);

	s.truncate = 30;	/* options cut off inside the fragment */
	KUNIT_EXPECT_EQ(test, xtcp_input_check(test, &s, &opts),
			XTCP_SEG_BAD_DOFF);
}

static struct kunit_case xtcp_input_test_cases[] = {
	KUNIT_CASE(xtcp_input_test_valid_bare),
	KUNIT_CASE(xtcp_input_test_valid_options_payload),
	KUNIT_CASE(xtcp_input_test_empty),
	KUNIT_CASE(xtcp_input_test_short),
	KUNIT_CASE(xtcp_input_test_doff_too_small),
	KUNIT_CASE(xtcp_input_test_doff_past_end),
	KUNIT_CASE(xtcp_input_test_bad_csum),
	KUNIT_CASE(xtcp_input_test_csum_pseudo_proto),
	KUNIT_CASE(xtcp_input_test_bad_csum_long),
	KUNIT_CASE(xtcp_input_test_csum_unnecessary),
	KUNIT_CASE(xtcp_input_test_csum_complete),
	KUNIT_CASE(xtcp_input_test_bad_options),
	KUNIT_CASE(xtcp_input_test_nonlinear),
	{}
};

static struct kunit_suite xtcp_input_test_suite = {
	.name = "xtcp_input",
	.test_cases = xtcp_input_test_cases,
};

xtcp_kunit_suite(xtcp_input_test_suite);
