// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_send: the SACK scoreboard on a write queue of ten sent
 * segments: which segments a block marks, which blocks are lies and are
 * ignored (beyond snd.nxt, below snd.una, empty), and which holes RFC
 * 6675 then deems lost; D-SACK blocks (RFC 2883) and the undo of a
 * needless reduction they or timestamps show (RFC 3522); and the payload
 * size per segment; SACK reneging at a timeout. Included at the bottom of
 * module/send.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

#define XTCP_SEND_TEST_ISS	1000U
#define XTCP_SEND_TEST_SEGS	10
#define XTCP_SEND_TEST_LEN	100

/* A socket with ten 100-byte segments sent, none acknowledged, SACK on. */
static int xtcp_send_test_init(struct kunit *test)
{
	struct socket *sock;
	struct xtcp_snd *snd;
	struct sk_buff *skb;
	int i;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	test->priv = sock;
	snd = &xtcp_sk(sock->sk)->snd;
	xtcp_sk(sock->sk)->opt.sack_ok = 1;
	snd->write_seq = XTCP_SEND_TEST_ISS;
	lock_sock(sock->sk);
	for (i = 0; i < XTCP_SEND_TEST_SEGS; i++) {
		skb = xtcp_send_new_skb(sock->sk, XTCP_SEND_TEST_LEN);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		skb_put_zero(skb, XTCP_SEND_TEST_LEN);
		XTCP_SKB_CB(skb)->end_seq += XTCP_SEND_TEST_LEN;
		XTCP_SKB_CB(skb)->tx_count = 1;
		snd->write_seq += XTCP_SEND_TEST_LEN;
	}
	release_sock(sock->sk);
	snd->head = NULL;
	snd->una = XTCP_SEND_TEST_ISS;
	snd->nxt = snd->write_seq;
	snd->packets_out = XTCP_SEND_TEST_SEGS;
	return 0;
}

static void xtcp_send_test_exit(struct kunit *test)
{
	struct socket *sock = test->priv;

	lock_sock(sock->sk);
	xtcp_send_purge(sock->sk);
	release_sock(sock->sk);
	sock_release(sock);
}

/* An ACK of snd.una carrying @n SACK blocks, as the receive path has it. */
static struct sk_buff *xtcp_send_test_ack(struct kunit *test,
					  const u32 (*blocks)[2],
					  unsigned int n)
{
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;
	unsigned int i;
	u8 *p;

	skb = alloc_skb(XTCP_HDR_LEN + 4 + 8 * n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_zero(skb, XTCP_HDR_LEN);
	p = skb_put(skb, 4 + 8 * n);
	p[0] = XTCP_OPT_NOP;
	p[1] = XTCP_OPT_NOP;
	p[2] = XTCP_OPT_SACK;
	p[3] = 2 + 8 * n;
	for (i = 0; i < n; i++) {
		put_unaligned_be32(blocks[i][0], p + 4 + 8 * i);
		put_unaligned_be32(blocks[i][1], p + 8 + 8 * i);
	}
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	KUNIT_ASSERT_EQ(test, xtcp_options_parse(p, 4 + 8 * n, &cb->opts), 0);
	cb->ack_seq = XTCP_SEND_TEST_ISS;
	cb->flags = XTCP_FLAG_ACK;
	return skb;
}

/* Which of the ten segments carry @bit, as a bitmap. */
static unsigned int xtcp_send_test_marked(struct kunit *test, u8 bit)
{
	struct sock *sk = ((struct socket *)test->priv)->sk;
	unsigned int map = 0, i = 0;
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (XTCP_SKB_CB(skb)->sacked & bit)
			map |= 1U << i;
		i++;
	}
	return map;
}

/*
 * A block covering segments 5..7 marks exactly those; then the five
 * segments below them, with three SACKed above, are lost; 8 and 9 are
 * not (nothing SACKed above them).
 */
static void xtcp_send_test_sack_marks(struct kunit *test)
{
	static const u32 b[][2] = { { 1500, 1800 } };
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *ack = xtcp_send_test_ack(test, b, 1);

	lock_sock(sk);
	xtcp_send_sack(sk, ack);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_SACKED),
			0xe0U);
	KUNIT_EXPECT_EQ(test, snd->sacked_out, 3U);
	xtcp_send_sack_losses(sk);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_LOST), 0x1fU);
	KUNIT_EXPECT_EQ(test, snd->lost_out, 5U);
	KUNIT_EXPECT_EQ(test, xtcp_send_in_flight(snd), 2U);
	/* the same block again changes nothing */
	xtcp_send_sack(sk, ack);
	KUNIT_EXPECT_EQ(test, snd->sacked_out, 3U);
	release_sock(sk);
	kfree_skb(ack);
}

/*
 * Blocks that lie: past snd.nxt, at or below snd.una, empty or reversed.
 * None marks anything, each is counted; a block cutting a segment in
 * half marks nothing of it.
 */
static void xtcp_send_test_sack_lies(struct kunit *test)
{
	static const u32 b[][2] = {
		{ 1900, 2100 }, { 900, 1100 }, { 1500, 1500 }, { 1700, 1600 },
	};
	static const u32 half[][2] = { { 1550, 1650 } };
	struct sock *sk = ((struct socket *)test->priv)->sk;
	unsigned long before = xtcp_stats_read(&init_net, XTCP_MIB_SACKDISCARD);
	struct sk_buff *ack = xtcp_send_test_ack(test, b, 4);
	struct sk_buff *ack2 = xtcp_send_test_ack(test, half, 1);

	lock_sock(sk);
	xtcp_send_sack(sk, ack);
	xtcp_send_sack(sk, ack2);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_SACKED), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_sk(sk)->snd.sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_SACKDISCARD),
			before + 4);
	kfree_skb(ack);
	kfree_skb(ack2);
}

/*
 * RFC 2883 4: a first block below the ACK, or inside the second block,
 * is a D-SACK: counted, and not a lie. One inside what the current
 * reduction sent again means one retransmission fewer was needed.
 */
static void xtcp_send_test_dsack(struct kunit *test)
{
	static const u32 old[][2] = { { 1000, 1100 } };
	static const u32 inside[][2] = { { 1500, 1600 }, { 1500, 1800 } };
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	unsigned long recv = xtcp_stats_read(&init_net, XTCP_MIB_DSACKRECV);
	unsigned long lies = xtcp_stats_read(&init_net, XTCP_MIB_SACKDISCARD);
	struct sk_buff *a1 = xtcp_send_test_ack(test, old, 1);
	struct sk_buff *a2 = xtcp_send_test_ack(test, inside, 2);

	XTCP_SKB_CB(a1)->ack_seq = 1100;
	snd->undo_on = 1;
	snd->undo_marker = XTCP_SEND_TEST_ISS;
	snd->undo_retrans = 2;
	lock_sock(sk);
	xtcp_send_sack(sk, a1);
	KUNIT_EXPECT_EQ(test, snd->undo_retrans, 1U);
	xtcp_send_sack(sk, a2);
	KUNIT_EXPECT_EQ(test, snd->undo_retrans, 0U);
	/* the second block still marks 5..7 */
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_SACKED),
			0xe0U);
	/* older than the reduction: counted, but no news about it */
	snd->undo_marker = 1200;
	snd->undo_retrans = 1;
	xtcp_send_sack(sk, a1);
	KUNIT_EXPECT_EQ(test, snd->undo_retrans, 1U);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_DSACKRECV),
			recv + 3);
	KUNIT_EXPECT_EQ(test, snd->dsack_dups, 3U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_SACKDISCARD),
			lies);
	kfree_skb(a1);
	kfree_skb(a2);
}

/* A fast recovery that cut cwnd 20 to 10, with segment 0 sent again. */
static void xtcp_send_test_reduced(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb;

	snd->cwnd = 20;
	snd->ssthresh = INT_MAX;
	snd->reordering = 3;
	xtcp_send_undo_begin(snd);
	snd->ssthresh = 10;
	snd->cwnd = 10;
	snd->ca_state = XTCP_CA_RECOVERY;
	snd->undo_sacked = 7;
	/* segment 0 lost and sent again; 1 and 2 lost, not yet */
	skb_queue_walk(&sk->sk_write_queue, skb) {
		xtcp_send_mark_lost(snd, skb);
		if (snd->lost_out == 3)
			break;
	}
	XTCP_SKB_CB(skb_peek(&sk->sk_write_queue))->sacked |= XTCP_SKB_RETRANS;
	snd->retrans_out = 1;
	snd->undo_retrans = 1;
	snd->retrans_stamp = 5000;
}

/*
 * Undo: not while a retransmission may have been needed; once D-SACK
 * shows them all needless, cwnd and ssthresh go back, the segments
 * deemed lost but never sent again are in flight, and reordering of
 * the depth seen raises the duplicate threshold.
 */
static void xtcp_send_test_undo_dsack(struct kunit *test)
{
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	unsigned long undo = xtcp_stats_read(&init_net, XTCP_MIB_DSACKUNDO);
	struct xtcp_skb_cb cb = {};

	lock_sock(sk);
	xtcp_send_test_reduced(sk);
	KUNIT_EXPECT_FALSE(test, xtcp_send_try_undo(sk, &cb));
	KUNIT_EXPECT_EQ(test, snd->cwnd, 10U);
	snd->undo_retrans = 0;
	KUNIT_EXPECT_TRUE(test, xtcp_send_try_undo(sk, &cb));
	KUNIT_EXPECT_EQ(test, snd->cwnd, 20U);
	KUNIT_EXPECT_EQ(test, snd->ssthresh, (u32)INT_MAX);
	KUNIT_EXPECT_EQ(test, snd->ca_state, XTCP_CA_OPEN);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_LOST), 0x1U);
	KUNIT_EXPECT_EQ(test, snd->lost_out, 1U);
	KUNIT_EXPECT_EQ(test, snd->reordering, 8U);
	KUNIT_EXPECT_EQ(test, snd->reord_seen, 1U);
	/* over: a second call finds nothing to undo */
	KUNIT_EXPECT_FALSE(test, xtcp_send_try_undo(sk, &cb));
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_DSACKUNDO),
			undo + 1);
}

/*
 * Eifel (RFC 3522): an ACK echoing a TSval older than the first
 * retransmission acknowledges an original. After a fast recovery that
 * is reordering; after an RTO a slow path, which leaves the duplicate
 * threshold alone. An echo of the retransmission itself undoes nothing.
 */
static void xtcp_send_test_undo_eifel(struct kunit *test)
{
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long full = xtcp_stats_read(&init_net, XTCP_MIB_FULLUNDO);
	unsigned long loss = xtcp_stats_read(&init_net, XTCP_MIB_LOSSUNDO);
	struct xtcp_skb_cb cb = {};

	xs->opt.tstamp_ok = 1;
	cb.opts.has_ts = 1;
	lock_sock(sk);
	xtcp_send_test_reduced(sk);
	cb.opts.tsecr = 5000;
	KUNIT_EXPECT_FALSE(test, xtcp_send_try_undo(sk, &cb));
	cb.opts.tsecr = 4999;
	KUNIT_EXPECT_TRUE(test, xtcp_send_try_undo(sk, &cb));
	KUNIT_EXPECT_EQ(test, xs->snd.cwnd, 20U);
	KUNIT_EXPECT_EQ(test, xs->snd.reordering, 8U);

	xs->snd.lost_out = 0;
	xtcp_send_test_reduced(sk);
	xs->snd.ca_state = XTCP_CA_LOSS;
	xs->snd.reordering = 3;
	KUNIT_EXPECT_TRUE(test, xtcp_send_try_undo(sk, &cb));
	KUNIT_EXPECT_EQ(test, xs->snd.cwnd, 20U);
	KUNIT_EXPECT_EQ(test, xs->snd.reordering, 3U);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_FULLUNDO),
			full + 1);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_LOSSUNDO),
			loss + 1);
}

/*
 * RFC 2018 8, a timeout: SACK marks above a segment at snd.una that was
 * never SACKed stay (those segments need not go again); a segment at
 * snd.una marked SACKed means the peer dropped what it SACKed, and then
 * every mark goes and every segment is lost.
 */
static void xtcp_send_test_reneging(struct kunit *test)
{
	static const u32 b[][2] = { { 1500, 1600 } };
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	unsigned long reneg = xtcp_stats_read(&init_net, XTCP_MIB_SACKRENEGING);
	struct sk_buff *ack = xtcp_send_test_ack(test, b, 1);
	u32 rtt_us;

	lock_sock(sk);
	xtcp_send_sack(sk, ack);
	KUNIT_EXPECT_FALSE(test, xtcp_send_reneged(sk));
	xtcp_send_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_SACKED),
			0x20U);
	KUNIT_EXPECT_EQ(test, snd->sacked_out, 1U);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_LOST),
			0x3dfU);
	KUNIT_EXPECT_EQ(test, snd->lost_out, 9U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_SACKRENEGING),
			reneg);

	/* the ACK stops at segment 5 and the peer no longer holds it */
	xtcp_send_clean(sk, 1500, &rtt_us);
	snd->una = 1500;
	KUNIT_EXPECT_TRUE(test, xtcp_send_reneged(sk));
	xtcp_send_enter_loss(sk);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_SACKED), 0U);
	KUNIT_EXPECT_EQ(test, snd->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, xtcp_send_test_marked(test, XTCP_SKB_LOST),
			0x1fU);
	KUNIT_EXPECT_EQ(test, snd->lost_out, 5U);
	KUNIT_EXPECT_EQ(test, snd->packets_out, 5U);
	KUNIT_EXPECT_EQ(test, xtcp_send_in_flight(snd), 0U);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_SACKRENEGING),
			reneg + 1);
	kfree_skb(ack);
}

/* Payload per segment: the MSS less the timestamp option, at least 48. */
static void xtcp_send_test_mss(struct kunit *test)
{
	struct xtcp_sock xs = {};

	xs.snd.mss = 1460;
	KUNIT_EXPECT_EQ(test, xtcp_send_mss(&xs), 1460U);
	xs.opt.tstamp_ok = 1;
	KUNIT_EXPECT_EQ(test, xtcp_send_mss(&xs), 1448U);
	xs.snd.mss = 20;
	KUNIT_EXPECT_EQ(test, xtcp_send_mss(&xs), 48U);
}

/*
 * ECE cuts the window once per window of data: until snd.recover is
 * acknowledged further echoes change nothing, nor does a fast retransmit
 * in that window; CWR is queued for the next new data.
 */
static void xtcp_send_test_ecn_once(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct xtcp_sock *xs = xtcp_sk(sock->sk);
	struct xtcp_snd *snd = &xs->snd;

	snd->cc = xtcp_cc_find("reno");
	snd->cwnd = 20;
	snd->ssthresh = INT_MAX;
	xs->opt.ecn_ok = 1;
	xtcp_send_ecn_reduce(sock->sk);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 10U);
	KUNIT_EXPECT_EQ(test, snd->ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, snd->ca_state, XTCP_CA_CWR);
	KUNIT_EXPECT_EQ(test, snd->recover, snd->nxt);
	KUNIT_EXPECT_TRUE(test, xs->ecn_flags & XTCP_ECN_QUEUE_CWR);
	/* the same window: no second cut, by ECE or by a loss */
	xtcp_send_ecn_reduce(sock->sk);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 10U);
	xtcp_send_enter_recovery(sock->sk);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 10U);
	KUNIT_EXPECT_EQ(test, snd->ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, snd->ca_state, XTCP_CA_RECOVERY);
	xtcp_send_recovered(sock->sk);
	KUNIT_EXPECT_EQ(test, snd->ca_state, XTCP_CA_OPEN);
	/* the next window: the next ECE cuts again */
	xtcp_send_ecn_reduce(sock->sk);
	KUNIT_EXPECT_EQ(test, snd->cwnd, 5U);
	KUNIT_EXPECT_EQ(test, snd->ca_state, XTCP_CA_CWR);
}

static struct kunit_case xtcp_send_test_cases[] = {
	KUNIT_CASE(xtcp_send_test_sack_marks),
	KUNIT_CASE(xtcp_send_test_sack_lies),
	KUNIT_CASE(xtcp_send_test_dsack),
	KUNIT_CASE(xtcp_send_test_undo_dsack),
	KUNIT_CASE(xtcp_send_test_undo_eifel),
	KUNIT_CASE(xtcp_send_test_reneging),
	KUNIT_CASE(xtcp_send_test_mss),
	KUNIT_CASE(xtcp_send_test_ecn_once),
	{}
};

static struct kunit_suite xtcp_send_test_suite = {
	.name = "xtcp_send",
	.init = xtcp_send_test_init,
	.exit = xtcp_send_test_exit,
	.test_cases = xtcp_send_test_cases,
};

xtcp_kunit_suite(xtcp_send_test_suite);
