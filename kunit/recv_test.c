// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_recv: the receive side on crafted data segments: in
 * order and out of order, holes filled, overlaps and duplicates trimmed
 * so no byte is queued twice, the SACK blocks built from the out-of-order
 * queue (latest first, RFC 2018) and the D-SACK block for data received
 * twice (RFC 2883), data beyond the window, a window that never shrinks,
 * and the out-of-order queue pruned from its top when memory is short.
 * Included at the bottom of module/recv.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include "wire.h"

#define XTCP_RECV_TEST_ISN	1000U

/* A kernel socket whose receive side starts at XTCP_RECV_TEST_ISN. */
static int xtcp_recv_test_init(struct kunit *test)
{
	struct socket *sock;
	struct xtcp_sock *xs;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	xs = xtcp_sk(sock->sk);
	xs->rcv.nxt = XTCP_RECV_TEST_ISN;
	xs->rcv.advmss = 100;
	xs->rcv.wnd = 65535;
	xtcp_recv_init(sock->sk);
	test->priv = sock;
	return 0;
}

static void xtcp_recv_test_exit(struct kunit *test)
{
	struct socket *sock = test->priv;

	lock_sock(sock->sk);
	xtcp_recv_purge(sock->sk);
	release_sock(sock->sk);
	sock_release(sock);
}

/* Feed bytes [seq, end) as a segment; return whether it was kept. */
static bool xtcp_recv_test_feed(struct kunit *test, u32 seq, u32 end)
{
	struct socket *sock = test->priv;
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;
	bool kept;

	skb = alloc_skb(XTCP_HDR_LEN + end - seq, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_zero(skb, XTCP_HDR_LEN);
	memset(skb_put(skb, end - seq), 'a' + seq % 26, end - seq);
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->seq = seq;
	cb->end_seq = end;
	cb->doff = XTCP_HDR_LEN;
	cb->flags = XTCP_FLAG_ACK;
	lock_sock(sock->sk);
	kept = xtcp_recv_data(sock->sk, skb);
	release_sock(sock->sk);
	if (!kept)
		kfree_skb(skb);
	return kept;
}

static struct xtcp_rcv *xtcp_recv_test_rcv(struct kunit *test)
{
	return &xtcp_sk(((struct socket *)test->priv)->sk)->rcv;
}

/* Bytes the out-of-order queue holds, and its node count in @nodes. */
static u32 xtcp_recv_test_ofo(struct kunit *test, unsigned int *nodes)
{
	struct rb_node *n;
	u32 bytes = 0;

	*nodes = 0;
	for (n = rb_first(&xtcp_recv_test_rcv(test)->ofo); n; n = rb_next(n)) {
		bytes += rb_to_skb(n)->len;
		(*nodes)++;
	}
	return bytes;
}

/* Read everything in order into a string of lengths, and check it. */
static u32 xtcp_recv_test_queued(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct sk_buff *skb;
	u32 bytes = 0;

	skb_queue_walk(&sock->sk->sk_receive_queue, skb)
		bytes += skb->len;
	return bytes;
}

/* Data above rcv.nxt waits; the hole's data brings both in, in order. */
static void xtcp_recv_test_fill_hole(struct kunit *test)
{
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);
	unsigned int nodes;

	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1100, 1200));
	KUNIT_EXPECT_EQ(test, r->nxt, 1000U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 100U);
	KUNIT_EXPECT_TRUE(test, (bool)r->ack_now);	/* out of order: ACK now */
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1100));
	KUNIT_EXPECT_EQ(test, r->nxt, 1200U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 0U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_queued(test), 200U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_readable(((struct socket *)test->priv)->sk),
			200U);
}

/* A segment partly seen is trimmed; one wholly seen is only ACKed. */
static void xtcp_recv_test_overlap_dup(struct kunit *test)
{
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);

	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1100));
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1050, 1150));
	KUNIT_EXPECT_EQ(test, r->nxt, 1150U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_queued(test), 150U);
	r->ack_now = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_recv_test_feed(test, 1000, 1100));
	KUNIT_EXPECT_TRUE(test, (bool)r->ack_now);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_queued(test), 150U);
}

/*
 * A second full segment is ACKed at once while the window that ACK would
 * carry is no smaller than the one advertised; with the reader behind
 * (less room than was advertised) the ACK is held for the reader's next
 * read or the delayed-ACK timer, as Linux holds it.
 */
static void xtcp_recv_test_stretch_ack(struct kunit *test)
{
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);

	WRITE_ONCE(sk->sk_rcvbuf, 64 * 1024);
	r->quick = 0;
	r->mss = 100;
	r->wnd = 1000;		/* far less than the room there is */
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1100));
	KUNIT_EXPECT_FALSE(test, (bool)r->ack_now);	/* one: delayed */
	KUNIT_EXPECT_TRUE(test, (bool)r->delack_due);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1100, 1200));
	KUNIT_EXPECT_TRUE(test, (bool)r->ack_now);	/* two: at once */

	xtcp_recv_ack_sent(sk);
	r->wnd = 60 * 1024;	/* more than the 32 kB of room there is */
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1200, 1300));
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1300, 1400));
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1400, 1500));
	KUNIT_EXPECT_FALSE(test, (bool)r->ack_now);	/* held */
	KUNIT_EXPECT_TRUE(test, (bool)r->delack_due);	/* the timer's */
	KUNIT_EXPECT_EQ(test, (u32)r->unacked, 3U);

	/* SO_RCVLOWAT above what is there: the sender must hear at once */
	WRITE_ONCE(sk->sk_rcvlowat, 1000);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1500, 1600));
	KUNIT_EXPECT_TRUE(test, (bool)r->ack_now);
}

/*
 * Out-of-order overlaps: a segment inside one held is dropped, one
 * covering several replaces them, one overlapping a neighbour is
 * trimmed; the tree never holds a byte twice.
 */
static void xtcp_recv_test_ofo_overlaps(struct kunit *test)
{
	unsigned int nodes;

	xtcp_recv_test_feed(test, 1200, 1300);
	xtcp_recv_test_feed(test, 1400, 1500);
	KUNIT_EXPECT_FALSE(test, xtcp_recv_test_feed(test, 1220, 1280));
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 200U);
	KUNIT_EXPECT_EQ(test, nodes, 2U);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1150, 1600));
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 450U);
	KUNIT_EXPECT_EQ(test, nodes, 1U);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1550, 1700));
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 550U);
	KUNIT_EXPECT_EQ(test, nodes, 2U);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1150));
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_rcv(test)->nxt, 1700U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_queued(test), 700U);
}

/* RFC 2018 4: the latest segment's block first, then the others. */
static void xtcp_recv_test_sack_blocks(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct xtcp_sack_block b[XTCP_SACK_MAX];
	unsigned int n;

	xtcp_recv_test_feed(test, 1200, 1300);
	xtcp_recv_test_feed(test, 1600, 1700);
	xtcp_recv_test_feed(test, 1300, 1350);	/* merges with 1200..1300 */
	xtcp_recv_test_feed(test, 1400, 1500);
	n = xtcp_recv_sack_blocks(sock->sk, b, XTCP_SACK_MAX);
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1400U);
	KUNIT_EXPECT_EQ(test, b[0].end, 1500U);
	KUNIT_EXPECT_EQ(test, b[1].start, 1200U);
	KUNIT_EXPECT_EQ(test, b[1].end, 1350U);
	KUNIT_EXPECT_EQ(test, b[2].start, 1600U);
	KUNIT_EXPECT_EQ(test, b[2].end, 1700U);
	n = xtcp_recv_sack_blocks(sock->sk, b, 1);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1400U);
}

/*
 * RFC 2883: data received twice goes first on the next ACK as a D-SACK
 * block, once. Below rcv.nxt, whole or in part; inside a block held out
 * of order, followed by that block. Not without SACK.
 */
static void xtcp_recv_test_dsack(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);
	struct xtcp_sack_block b[XTCP_SACK_MAX];
	unsigned long old = xtcp_stats_read(&init_net, XTCP_MIB_DSACKOLDSENT);
	unsigned long ofo = xtcp_stats_read(&init_net, XTCP_MIB_DSACKOFOSENT);
	unsigned int n;

	xtcp_recv_test_feed(test, 1000, 1100);
	xtcp_recv_test_feed(test, 1000, 1100);
	KUNIT_EXPECT_FALSE(test, (bool)r->dsack);	/* no SACK: none */
	xtcp_sk(sock->sk)->opt.sack_ok = 1;

	xtcp_recv_test_feed(test, 1000, 1100);
	n = xtcp_recv_sack_blocks(sock->sk, b, XTCP_SACK_MAX);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1000U);
	KUNIT_EXPECT_EQ(test, b[0].end, 1100U);

	/* partly old: only the old part is reported */
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1050, 1150));
	n = xtcp_recv_sack_blocks(sock->sk, b, XTCP_SACK_MAX);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1050U);
	KUNIT_EXPECT_EQ(test, b[0].end, 1100U);

	/* inside a held block: the D-SACK, then the block that holds it */
	r->dsack = 0;
	xtcp_recv_test_feed(test, 1300, 1400);
	xtcp_recv_test_feed(test, 1500, 1600);
	KUNIT_EXPECT_FALSE(test, (bool)r->dsack);
	KUNIT_EXPECT_FALSE(test, xtcp_recv_test_feed(test, 1320, 1380));
	n = xtcp_recv_sack_blocks(sock->sk, b, XTCP_SACK_MAX);
	KUNIT_ASSERT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1320U);
	KUNIT_EXPECT_EQ(test, b[0].end, 1380U);
	KUNIT_EXPECT_EQ(test, b[1].start, 1300U);
	KUNIT_EXPECT_EQ(test, b[1].end, 1400U);
	KUNIT_EXPECT_EQ(test, b[2].start, 1500U);
	/* room for one block: the D-SACK only */
	n = xtcp_recv_sack_blocks(sock->sk, b, 1);
	KUNIT_ASSERT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, b[0].start, 1320U);

	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_DSACKOLDSENT),
			old + 2);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_DSACKOFOSENT),
			ofo + 1);
}

/* Beyond the advertised window: what fits is kept, the rest dropped. */
static void xtcp_recv_test_beyond_window(struct kunit *test)
{
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);

	r->wnd = 300;
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1500));
	KUNIT_EXPECT_EQ(test, r->nxt, 1300U);
	KUNIT_EXPECT_FALSE(test, xtcp_recv_test_feed(test, 1300, 1400));
}

/*
 * The right edge never moves left, even when the buffer fills; it moves
 * right only by a worthwhile step.
 */
static void xtcp_recv_test_window(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);
	u32 edge;

	lock_sock(sock->sk);
	xtcp_recv_window(sock->sk);
	edge = r->wup + r->wnd;
	WRITE_ONCE(sock->sk->sk_rcvbuf, 4096);	/* the buffer shrinks */
	xtcp_recv_window(sock->sk);
	KUNIT_EXPECT_EQ(test, r->wup + r->wnd, edge);
	release_sock(sock->sk);
}

/*
 * The window scale, case by case as Linux's tcp_select_initial_window()
 * computes it: sized for the largest buffer, clamped, 14 at most.
 */
static void xtcp_recv_test_wscale_calc(struct kunit *test)
{
	static const struct {
		u32 space, rmem_max, core_max, clamp;
		u8 want;
	} c[] = {
		{ 512 << 10, 6 << 20, 212992, 0, 7 },	/* tcp_rmem's default */
		{ 512 << 10, 4 << 20, 212992, 0, 7 },
		{ 512 << 10, 8 << 20, 212992, 0, 8 },
		{ 512 << 10, 15 << 20, 212992, 0, 8 },	/* the 15 MiB */
		{ 512 << 10, 16 << 20, 212992, 0, 9 },
		{ 512 << 10, 64 << 20, 212992, 0, 11 },
		{ 512 << 10, 1 << 30, 212992, 0, 14 },
		{ 512 << 10, INT_MAX, 212992, 0, 14 },	/* capped */
		{ 512 << 10, 4096, 4096, 0, 4 },	/* the buffer itself */
		{ 16 << 20, 4096, 4096, 0, 9 },
		{ 512 << 10, 6 << 20, 32 << 20, 0, 10 },	/* rmem_max */
		{ 512 << 10, 6 << 20, 212992, 100000, 1 },	/* a clamp */
		{ 512 << 10, 6 << 20, 212992, 65535, 0 },
		{ 512 << 10, 6 << 20, 212992, 65536, 1 },
		{ 1000, 4096, 4096, 0, 0 },		/* all below 64 KiB */
		{ 0, 0, 0, 0, 0 },
	};
	unsigned int i;
	u8 got;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		got = xtcp_recv_wscale_calc(c[i].space, c[i].rmem_max,
					    c[i].core_max, c[i].clamp);
		KUNIT_EXPECT_EQ_MSG(test, got, c[i].want, "case %u", i);
	}
}

/* A locked SO_RCVBUF clamps the scale to what the buffer holds. */
static void xtcp_recv_test_wscale_locked(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct sock *sk = sock->sk;

	WRITE_ONCE(sk->sk_rcvbuf, 3 << 20);
	KUNIT_EXPECT_GE(test, xtcp_recv_wscale(sk), 7);
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	KUNIT_EXPECT_EQ(test, xtcp_recv_wscale(sk), 5);	/* 1.5 MiB */
	xtcp_sk(sk)->rcv.window_clamp = 100000;
	KUNIT_EXPECT_EQ(test, xtcp_recv_wscale(sk), 1);
}

/* What a reading rate asks of the buffer: twice the window it needs. */
static void xtcp_recv_test_space_grow(struct kunit *test)
{
	/* 2 * 100000 + 16 * 1000, the rate steady */
	KUNIT_EXPECT_EQ(test, xtcp_recv_space_grow(100000, 0, 1000),
			2ULL * 216000);
	/* doubled in a round trip: the window tripled */
	KUNIT_EXPECT_EQ(test, xtcp_recv_space_grow(100000, 50000, 1000),
			2ULL * 648000);
	/* up by a quarter: half as much again */
	KUNIT_EXPECT_EQ(test, xtcp_recv_space_grow(100000, 80000, 1000),
			2ULL * (216000 + 108000));
	/* a huge jump counts as doubling, and nothing overflows */
	KUNIT_EXPECT_EQ(test, xtcp_recv_space_grow(U32_MAX, 1, 1000),
			6ULL * (2ULL * U32_MAX + 16000));
}

/* Reads more than a round trip apart grow the buffer, unless locked. */
static void xtcp_recv_test_space_adjust(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct sock *sk = sock->sk;
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);

	lock_sock(sk);
	WRITE_ONCE(sk->sk_rcvbuf, 131072);
	r->rtt_us = 1000 << 3;
	r->space = 10000;
	r->space_seq = r->copied;
	r->space_us = xtcp_recv_clock_us();
	r->copied += 50000;
	/* less than a round trip: no measure yet */
	xtcp_recv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_rcvbuf), 131072);
	KUNIT_EXPECT_EQ(test, r->space, 10000U);

	r->space_us -= 2000;
	xtcp_recv_space_adjust(sk);
	/* 2 * (2 * 50000 + 16 * 100) * 3: the rate went up fivefold */
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_rcvbuf), 609600);
	KUNIT_EXPECT_EQ(test, r->space, 50000U);
	KUNIT_EXPECT_EQ(test, r->space_seq, r->copied);

	/* locked by SO_RCVBUF: measured, not grown */
	WRITE_ONCE(sk->sk_rcvbuf, 131072);
	sk->sk_userlocks |= SOCK_RCVBUF_LOCK;
	r->copied += 80000;
	r->space_us -= 2000;
	xtcp_recv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_rcvbuf), 131072);
	KUNIT_EXPECT_EQ(test, r->space, 80000U);

	/* never beyond rmem[2] */
	sk->sk_userlocks &= ~SOCK_RCVBUF_LOCK;
	r->copied += 50000000;
	r->space_us -= 2000;
	xtcp_recv_space_adjust(sk);
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_rcvbuf),
			XTCP_SYSCTL(&init_net, rmem[2]));
	release_sock(sk);
}

/*
 * In-order data with the buffer full of out-of-order data: the highest
 * segments go, only as many as let it in (as Linux prunes), so the one
 * behind the hole still joins the stream.
 */
static void xtcp_recv_test_prune_tail(struct kunit *test)
{
	struct sock *sk = ((struct socket *)test->priv)->sk;
	struct xtcp_rcv *r = xtcp_recv_test_rcv(test);
	unsigned long pruned = xtcp_stats_read(&init_net, XTCP_MIB_OFOPRUNED);
	unsigned int nodes;

	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1100, 1200));
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1300, 1400));
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1500, 1600));
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 300U);
	KUNIT_EXPECT_EQ(test, nodes, 3U);
	/* over the buffer by one byte: one segment's room is enough */
	WRITE_ONCE(sk->sk_rcvbuf, atomic_read(&sk->sk_rmem_alloc) - 1);
	KUNIT_EXPECT_TRUE(test, xtcp_recv_test_feed(test, 1000, 1100));
	KUNIT_EXPECT_EQ(test, r->nxt, 1200U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_queued(test), 200U);
	KUNIT_EXPECT_EQ(test, xtcp_recv_test_ofo(test, &nodes), 100U);
	KUNIT_EXPECT_EQ(test, nodes, 1U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(&init_net, XTCP_MIB_OFOPRUNED),
			pruned + 1);
}

static struct kunit_case xtcp_recv_test_cases[] = {
	KUNIT_CASE(xtcp_recv_test_fill_hole),
	KUNIT_CASE(xtcp_recv_test_overlap_dup),
	KUNIT_CASE(xtcp_recv_test_stretch_ack),
	KUNIT_CASE(xtcp_recv_test_ofo_overlaps),
	KUNIT_CASE(xtcp_recv_test_sack_blocks),
	KUNIT_CASE(xtcp_recv_test_dsack),
	KUNIT_CASE(xtcp_recv_test_prune_tail),
	KUNIT_CASE(xtcp_recv_test_beyond_window),
	KUNIT_CASE(xtcp_recv_test_window),
	KUNIT_CASE(xtcp_recv_test_wscale_calc),
	KUNIT_CASE(xtcp_recv_test_wscale_locked),
	KUNIT_CASE(xtcp_recv_test_space_grow),
	KUNIT_CASE(xtcp_recv_test_space_adjust),
	{}
};

static struct kunit_suite xtcp_recv_test_suite = {
	.name = "xtcp_recv",
	.init = xtcp_recv_test_init,
	.exit = xtcp_recv_test_exit,
	.test_cases = xtcp_recv_test_cases,
};

xtcp_kunit_suite(xtcp_recv_test_suite);
