// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_offload: a GSO skb of xtcp's protocol cut by the
 * IPv4 GSO layer through our registered offload, as a device without
 * TSO, or with a TSO engine for TCP only, would have it cut: the
 * segments' sequence numbers, lengths and
 * flags, their IP headers, and their checksums, summed here for a
 * device that cannot sum and left to one that can. Included at the
 * bottom of module/offload.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

#define XTCP_OFFLOAD_TEST_MSS	1000
#define XTCP_OFFLOAD_TEST_LEN	(3 * XTCP_OFFLOAD_TEST_MSS - 100)
#define XTCP_OFFLOAD_TEST_SEQ	0xfffffc00U	/* wraps in the second */
#define XTCP_OFFLOAD_TEST_SADDR	htonl(0xc0000201)
#define XTCP_OFFLOAD_TEST_DADDR	htonl(0xc0000263)

/* A GSO skb as our sender builds it: headers, payload in one page. */
static struct sk_buff *xtcp_offload_test_skb(struct kunit *test, u8 flags)
{
	unsigned int len = sizeof(struct tcphdr) + XTCP_OFFLOAD_TEST_LEN;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct page *page;
	u8 *p;
	int i;

	skb = alloc_skb(MAX_HEADER + 60, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	p = page_address(page);
	for (i = 0; i < XTCP_OFFLOAD_TEST_LEN; i++)
		p[i] = i * 7;
	skb_fill_page_desc(skb, 0, page, 0, XTCP_OFFLOAD_TEST_LEN);
	skb->len = XTCP_OFFLOAD_TEST_LEN;
	skb->data_len = XTCP_OFFLOAD_TEST_LEN;
	skb->truesize += XTCP_OFFLOAD_TEST_LEN;

	skb_reserve(skb, MAX_HEADER + 60);
	th = skb_push(skb, sizeof(*th));
	memset(th, 0, sizeof(*th));
	skb_reset_transport_header(skb);
	th->source = htons(40000);
	th->dest = htons(8080);
	th->seq = htonl(XTCP_OFFLOAD_TEST_SEQ);
	th->doff = sizeof(*th) / 4;
	((u8 *)th)[13] = flags;
	th->check = ~csum_tcpudp_magic(XTCP_OFFLOAD_TEST_SADDR,
				       XTCP_OFFLOAD_TEST_DADDR, len,
				       XTCP_CSUM_PROTO, 0);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);

	iph = skb_push(skb, sizeof(*iph));
	memset(iph, 0, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = xtcp_ipproto;
	iph->saddr = XTCP_OFFLOAD_TEST_SADDR;
	iph->daddr = XTCP_OFFLOAD_TEST_DADDR;
	iph->tot_len = htons(skb->len);
	skb_reset_mac_header(skb);
	skb->protocol = htons(ETH_P_IP);
	skb_shinfo(skb)->gso_size = XTCP_OFFLOAD_TEST_MSS;
	skb_shinfo(skb)->gso_segs = 3;
	skb_shinfo(skb)->gso_type = XTCP_GSO_TYPE;
	return skb;
}

/* Cut a run with PSH, FIN and CWR under @features; check every piece. */
static void xtcp_offload_test_cut(struct kunit *test,
				  netdev_features_t features)
{
	u8 flags = XTCP_FLAG_ACK | XTCP_FLAG_PSH | XTCP_FLAG_FIN |
		   XTCP_FLAG_CWR;
	struct sk_buff *skb = xtcp_offload_test_skb(test, flags);
	struct sk_buff *segs, *seg;
	unsigned int n = 0, off = 0;

	segs = skb_gso_segment(skb, features);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(segs));
	for (seg = segs; seg; seg = seg->next, n++) {
		const struct iphdr *iph = ip_hdr(seg);
		const struct tcphdr *th = tcp_hdr(seg);
		unsigned int tlen = seg->len - skb_transport_offset(seg);
		unsigned int plen = tlen - sizeof(*th);
		u8 f = ((const u8 *)th)[13];
		__sum16 check;
		__wsum sum;
		u8 byte;

		KUNIT_EXPECT_EQ(test, plen, n < 2 ? XTCP_OFFLOAD_TEST_MSS :
				XTCP_OFFLOAD_TEST_LEN - 2 * XTCP_OFFLOAD_TEST_MSS);
		KUNIT_EXPECT_EQ(test, ntohl(th->seq), XTCP_OFFLOAD_TEST_SEQ + off);
		KUNIT_EXPECT_EQ(test, ntohs(iph->tot_len),
				seg->len - skb_network_offset(seg));
		KUNIT_EXPECT_EQ(test, iph->protocol, (u8)xtcp_ipproto);
		KUNIT_EXPECT_EQ(test, (__force u16)ip_fast_csum(iph, iph->ihl), 0);
		KUNIT_EXPECT_EQ(test, !!(f & XTCP_FLAG_CWR), n == 0);
		KUNIT_EXPECT_EQ(test, !!(f & XTCP_FLAG_PSH), n == 2);
		KUNIT_EXPECT_EQ(test, !!(f & XTCP_FLAG_FIN), n == 2);
		KUNIT_EXPECT_TRUE(test, f & XTCP_FLAG_ACK);
		/* the payload is the run's, in order */
		KUNIT_ASSERT_EQ(test, skb_copy_bits(seg, seg->len - 1, &byte, 1), 0);
		KUNIT_EXPECT_EQ(test, byte, (u8)((off + plen - 1) * 7));
		if (seg->ip_summed == CHECKSUM_PARTIAL) {
			/* the device sums: the pseudo-header's sum is there */
			check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, tlen,
						   XTCP_CSUM_PROTO, 0);
			KUNIT_EXPECT_PTR_EQ(test, (void *)skb_checksum_start(seg),
					    (void *)th);
			KUNIT_EXPECT_EQ(test, (__force u16)th->check,
					(__force u16)check);
		} else {
			sum = skb_checksum(seg, skb_transport_offset(seg), tlen, 0);
			check = csum_tcpudp_magic(iph->saddr, iph->daddr, tlen,
						  XTCP_CSUM_PROTO, sum);
			KUNIT_EXPECT_EQ(test, (__force u16)check, 0);
		}
		off += plen;
	}
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, off, (unsigned int)XTCP_OFFLOAD_TEST_LEN);
	kfree_skb_list(segs);
	consume_skb(skb);
}

/* A device that cannot sum: every segment summed in full here. */
static void xtcp_offload_test_software_sum(struct kunit *test)
{
	xtcp_offload_test_cut(test, 0);
}

/* A device that sums but has no TSO: the sums are left open. */
static void xtcp_offload_test_device_sum(struct kunit *test)
{
	xtcp_offload_test_cut(test, NETIF_F_SG | NETIF_F_HW_CSUM);
}

/*
 * A NIC with TSO (or virtio-net) must not take a run whole: its engine
 * would cut a protocol-253 packet as TCP's. It gets the segments.
 */
static void xtcp_offload_test_tso_nic(struct kunit *test)
{
	xtcp_offload_test_cut(test, NETIF_F_SG | NETIF_F_HW_CSUM |
			      NETIF_F_TSO | NETIF_F_TSO_ECN);
}

/* A software device (veth, loopback) takes the run back whole. */
static void xtcp_offload_test_device_soft(struct kunit *test)
{
	struct sk_buff *skb = xtcp_offload_test_skb(test, XTCP_FLAG_ACK);
	struct sk_buff *segs;

	/* a count from elsewhere is not trusted: it is made again */
	skb_shinfo(skb)->gso_segs = 7;
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM |
			       NETIF_F_GSO_SOFTWARE);
	KUNIT_EXPECT_PTR_EQ(test, segs, (struct sk_buff *)NULL);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_segs, 3);
	consume_skb(skb);
}

/* A run that is not TCPv4-shaped, or a header cut short: refused. */
static void xtcp_offload_test_bad(struct kunit *test)
{
	struct sk_buff *skb = xtcp_offload_test_skb(test, XTCP_FLAG_ACK);
	struct sk_buff *segs;

	skb_shinfo(skb)->gso_type = SKB_GSO_UDP_L4;
	segs = skb_gso_segment(skb, 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR(segs));
	consume_skb(skb);

	skb = xtcp_offload_test_skb(test, XTCP_FLAG_ACK);
	tcp_hdr(skb)->doff = 2;
	segs = skb_gso_segment(skb, 0);
	KUNIT_EXPECT_TRUE(test, IS_ERR(segs));
	consume_skb(skb);
}

static struct kunit_case xtcp_offload_test_cases[] = {
	KUNIT_CASE(xtcp_offload_test_software_sum),
	KUNIT_CASE(xtcp_offload_test_device_sum),
	KUNIT_CASE(xtcp_offload_test_tso_nic),
	KUNIT_CASE(xtcp_offload_test_device_soft),
	KUNIT_CASE(xtcp_offload_test_bad),
	{}
};

static struct kunit_suite xtcp_offload_test_suite = {
	.name = "xtcp_offload",
	.test_cases = xtcp_offload_test_cases,
};

xtcp_kunit_suite(xtcp_offload_test_suite);
