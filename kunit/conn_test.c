// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_conn: the closing half of the state machine, driven
 * by crafted segments through the whole receive path on a child socket
 * of a real handshake: the close-state table, passive close (CLOSE_WAIT,
 * LAST_ACK), active close into a TIME_WAIT entry, simultaneous close
 * (CLOSING), a FIN that arrives before the data ahead of it, and the
 * one ACK for the segments a held socket's backlog took, their merge
 * there, the ACKs a conversation leaves to its answers, and in-order
 * data merged into the receive queue's last skb.
 * Included at the bottom of module/conn.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"
#include "../kunit/listener.h"

/* What the test knows of the child (suites run one case at a time). */
static struct xtcp_conn_test {
	struct socket *child;
	u32 peer_seq;			/* the peer's next sequence number */
} xtcp_conn_test_state;

static struct xtcp_conn_test *xtcp_conn_test_ctx(struct kunit *test)
{
	return &xtcp_conn_test_state;
}

static int xtcp_conn_test_init(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx;
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_request *req;
	u32 iss;
	int err;

	memset(t, 0, sizeof(*t));
	test->priv = NULL;
	err = xtcp_kunit_listener_init(test);
	if (err)
		return err;
	ctx = test->priv;
	xtcp_kunit_syn(test);
	req = xtcp_kunit_req(test);
	KUNIT_ASSERT_NOT_NULL(test, req);
	iss = req->snt_isn;
	xtcp_req_put(req);
	xtcp_kunit_send(test, XTCP_FLAG_ACK, XTCP_KUNIT_ISN + 1, iss + 1,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(ctx->lsock, &t->child, O_NONBLOCK), 0);
	KUNIT_ASSERT_EQ(test, t->child->sk->sk_state, TCP_ESTABLISHED);
	t->peer_seq = XTCP_KUNIT_ISN + 1;
	return 0;
}

static void xtcp_conn_test_exit(struct kunit *test)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);

	if (!ctx)
		return;
	if (t->child) {
		/* no orphan may outlive the case */
		xtcp_kunit_abort(t->child);
		t->child = NULL;
	}
	xtcp_kunit_listener_exit(test);
	/* the TIME_WAIT entries the tests made hold the listener's port */
	xtcp_tw_net_exit(ctx->net);
}

/* A segment from the peer at its next sequence number, ACKing @ack. */
static void xtcp_conn_test_peer(struct kunit *test, u8 flags, u32 ack,
				unsigned int payload)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);

	xtcp_kunit_send(test, flags | XTCP_FLAG_ACK, t->peer_seq, ack,
			xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts),
			payload);
	t->peer_seq += payload + !!(flags & XTCP_FLAG_FIN);
}

static struct xtcp_sock *xtcp_conn_test_xs(struct kunit *test)
{
	return xtcp_sk(xtcp_conn_test_ctx(test)->child->sk);
}

/* The kind and state of what the ehash holds for the test's 4-tuple. */
static int xtcp_conn_test_ehash_state(struct kunit *test, u8 *kind)
{
	struct xtcp_kunit_ctx *ctx = test->priv;
	struct xtcp_ehash_node *eh;
	int state = -1;

	eh = xtcp_table_ehash_lookup(ctx->net, XTCP_KUNIT_LOCAL,
				     htons(XTCP_KUNIT_PORT), XTCP_KUNIT_PEER,
				     htons(XTCP_KUNIT_SPORT), 0, 0);
	if (!eh)
		return -1;
	*kind = eh->kind;
	if (eh->kind == XTCP_EH_TW) {
		state = xtcp_eh_tw(eh)->substate;
		xtcp_tw_put(xtcp_eh_tw(eh));
	} else if (eh->kind == XTCP_EH_SOCK) {
		state = xtcp_eh_sk(eh)->sk_state;
		sock_put(xtcp_eh_sk(eh));
	} else {
		xtcp_req_put(xtcp_eh_req(eh));
	}
	return state;
}

static void xtcp_conn_test_close_table(struct kunit *test)
{
	int state;

	for (state = TCP_ESTABLISHED; state < TCP_MAX_STATES; state++) {
		int want = state == TCP_ESTABLISHED ? TCP_FIN_WAIT1 :
			   state == TCP_CLOSE_WAIT ? TCP_LAST_ACK : -1;

		KUNIT_EXPECT_EQ_MSG(test, xtcp_conn_fin_state(state), want,
				    "state %d", state);
	}
	/* tcp_need_reset()'s states */
	KUNIT_EXPECT_TRUE(test, xtcp_conn_need_reset(TCP_ESTABLISHED));
	KUNIT_EXPECT_TRUE(test, xtcp_conn_need_reset(TCP_CLOSE_WAIT));
	KUNIT_EXPECT_TRUE(test, xtcp_conn_need_reset(TCP_FIN_WAIT1));
	KUNIT_EXPECT_TRUE(test, xtcp_conn_need_reset(TCP_FIN_WAIT2));
	KUNIT_EXPECT_TRUE(test, xtcp_conn_need_reset(TCP_SYN_RECV));
	KUNIT_EXPECT_FALSE(test, xtcp_conn_need_reset(TCP_SYN_SENT));
	KUNIT_EXPECT_FALSE(test, xtcp_conn_need_reset(TCP_CLOSING));
	KUNIT_EXPECT_FALSE(test, xtcp_conn_need_reset(TCP_LAST_ACK));
	KUNIT_EXPECT_FALSE(test, xtcp_conn_need_reset(TCP_CLOSE));
	KUNIT_EXPECT_FALSE(test, xtcp_conn_need_reset(TCP_LISTEN));
}

/* The peer closes first; we read EOF, close, and its ACK ends us. */
static void xtcp_conn_test_passive_close(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct sock *sk = t->child->sk;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec iov;
	char buf[16];
	u32 rcv_nxt = xs->rcv.nxt;

	xtcp_conn_test_peer(test, XTCP_FLAG_FIN, xs->snd.nxt, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xs->rcv.nxt, rcv_nxt + 1);
	KUNIT_EXPECT_TRUE(test, sk->sk_shutdown & RCV_SHUTDOWN);
	/* the FIN is a sequence number, not a byte to read */
	KUNIT_EXPECT_EQ(test, xtcp_recv_readable(sk), 0U);
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	KUNIT_EXPECT_EQ(test, kernel_recvmsg(t->child, &msg, &iov, 1,
					     sizeof(buf), MSG_DONTWAIT), 0);

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(t->child, SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_LAST_ACK);
	KUNIT_EXPECT_TRUE(test, xs->snd.fin_queued);
	KUNIT_EXPECT_EQ(test, xs->snd.write_seq, xs->snd.una + 1);

	/* an ACK short of our FIN changes nothing */
	xtcp_conn_test_peer(test, 0, xs->snd.una, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_LAST_ACK);
	xtcp_conn_test_peer(test, 0, xs->snd.write_seq, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	/* the passive closer keeps no TIME_WAIT */
	KUNIT_EXPECT_EQ(test, xtcp_conn_test_ehash_state(test, &(u8){0}), -1);
}

/* We close first: FIN_WAIT_1, FIN_WAIT_2, then a TIME_WAIT entry. */
static void xtcp_conn_test_active_close(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long tws = xtcp_stats_read(net, XTCP_MIB_TIMEWAITS);
	u8 kind = 0xff;

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(t->child, SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	xtcp_conn_test_peer(test, 0, xs->snd.write_seq, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT2);
	/* half-closed: the peer's data still comes in */
	xtcp_conn_test_peer(test, XTCP_FLAG_PSH, xs->snd.write_seq, 100);
	KUNIT_EXPECT_EQ(test, xtcp_recv_readable(sk), 100U);
	xtcp_conn_test_peer(test, XTCP_FLAG_FIN, xs->snd.write_seq, 0);
	/* the socket is done; an entry holds the 4-tuple */
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xtcp_recv_readable(sk), 100U);
	KUNIT_EXPECT_EQ(test, xtcp_conn_test_ehash_state(test, &kind),
			TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, kind, XTCP_EH_TW);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_TIMEWAITS), tws + 1);
}

/* Both FINs cross: CLOSING, then TIME_WAIT on the ACK of ours. */
static void xtcp_conn_test_simultaneous_close(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct sock *sk = t->child->sk;
	u8 kind = 0xff;

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(t->child, SHUT_WR), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	/* the peer's FIN, not acknowledging ours */
	xtcp_conn_test_peer(test, XTCP_FLAG_FIN, xs->snd.una, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSING);
	xtcp_conn_test_peer(test, 0, xs->snd.write_seq, 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xtcp_conn_test_ehash_state(test, &kind),
			TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, kind, XTCP_EH_TW);
}

/* A FIN beyond a hole waits for the hole; then the stream ends. */
static void xtcp_conn_test_fin_out_of_order(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct sock *sk = t->child->sk;
	u32 start = t->peer_seq;

	/* bytes 100..199 and the FIN, before bytes 0..99 */
	t->peer_seq = start + 100;
	xtcp_conn_test_peer(test, XTCP_FLAG_FIN, xs->snd.nxt, 100);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_ESTABLISHED);
	KUNIT_EXPECT_TRUE(test, xs->rcv.fin_pending);
	KUNIT_EXPECT_FALSE(test, sk->sk_shutdown & RCV_SHUTDOWN);
	t->peer_seq = start;
	xtcp_conn_test_peer(test, 0, xs->snd.nxt, 100);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE_WAIT);
	KUNIT_EXPECT_EQ(test, xtcp_recv_readable(sk), 200U);
	KUNIT_EXPECT_EQ(test, xs->rcv.nxt, start + 201);
}

/* After close(), data from the peer cannot be read: RST, as TCP. */
static void xtcp_conn_test_data_after_close(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long aborts = xtcp_stats_read(net, XTCP_MIB_ABORTONDATA);

	KUNIT_ASSERT_EQ(test, kernel_sock_shutdown(t->child, SHUT_RDWR), 0);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_FIN_WAIT1);
	xtcp_conn_test_peer(test, XTCP_FLAG_PSH, xs->snd.una, 10);
	KUNIT_EXPECT_EQ(test, sk->sk_state, TCP_CLOSE);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_ABORTONDATA),
			aborts + 1);
}

/*
 * Full segments that wait on the backlog while we hold the socket are
 * acknowledged once, when release_sock() has run them all; the same
 * segments to a socket nobody holds get their ACKs as they come.
 */
static void xtcp_conn_test_backlog_ack(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long out, deferred;
	u32 mss = xs->rcv.mss;
	int i;

	out = xtcp_stats_read(net, XTCP_MIB_OUTSEGS);
	for (i = 0; i < 4; i++)
		xtcp_conn_test_peer(test, 0, xs->snd.una, mss);
	/* quick ACKs at the start: more than one for four segments */
	KUNIT_EXPECT_GE(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS) - out, 2UL);

	out = xtcp_stats_read(net, XTCP_MIB_OUTSEGS);
	deferred = xtcp_stats_read(net, XTCP_MIB_BACKLOGACKS);
	lock_sock(sk);
	for (i = 0; i < 4; i++)
		xtcp_conn_test_peer(test, 0, xs->snd.una, mss);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out);
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out + 1);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_BACKLOGACKS),
			deferred + 1);
	KUNIT_EXPECT_EQ(test, xs->rcv.nxt, t->peer_seq);
	KUNIT_EXPECT_EQ(test, xs->rcv.unacked, 0U);
	KUNIT_EXPECT_FALSE(test, xs->rcv.ack_deferred);
}

/* Read the peer's @len bytes that are waiting, or send @len of ours. */
static int xtcp_conn_test_io(struct kunit *test, bool send, size_t len)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	static char buf[256];
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };

	if (send)
		return kernel_sendmsg(t->child, &msg, &iov, 1, len);
	return kernel_recvmsg(t->child, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/*
 * A conversation (Linux's pingpong mode): once we answer data soon after
 * it came, reading a request sends no bare ACK, the answer carries it;
 * a request left unanswered gets its ACK from the delayed-ACK timer,
 * which ends the mode.
 */
static void xtcp_conn_test_pingpong(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long out, delayed;

	xs->rcv.quick = 0;
	xtcp_conn_test_peer(test, XTCP_FLAG_PSH, xs->snd.una, 100);
	out = xtcp_stats_read(net, XTCP_MIB_OUTSEGS);
	KUNIT_ASSERT_EQ(test, xtcp_conn_test_io(test, false, 100), 100);
	/* no conversation yet: the read that empties the queue ACKs */
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out + 1);
	KUNIT_EXPECT_FALSE(test, xs->rcv.pingpong);
	KUNIT_ASSERT_EQ(test, xtcp_conn_test_io(test, true, 100), 100);
	KUNIT_EXPECT_TRUE(test, xs->rcv.pingpong);

	xtcp_conn_test_peer(test, XTCP_FLAG_PSH, xs->snd.nxt, 100);
	out = xtcp_stats_read(net, XTCP_MIB_OUTSEGS);
	KUNIT_ASSERT_EQ(test, xtcp_conn_test_io(test, false, 100), 100);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out);
	KUNIT_EXPECT_TRUE(test, xs->rcv.delack_due);
	KUNIT_ASSERT_EQ(test, xtcp_conn_test_io(test, true, 100), 100);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out + 1);
	KUNIT_EXPECT_FALSE(test, xs->rcv.delack_due);
	KUNIT_EXPECT_FALSE(test, timer_pending(&xs->rcv.delack));

	/* unanswered: the timer's ACK, and the mode ends */
	xtcp_conn_test_peer(test, XTCP_FLAG_PSH, xs->snd.nxt, 100);
	KUNIT_ASSERT_EQ(test, xtcp_conn_test_io(test, false, 100), 100);
	KUNIT_ASSERT_TRUE(test, timer_pending(&xs->rcv.delack));
	out = xtcp_stats_read(net, XTCP_MIB_OUTSEGS);
	delayed = xtcp_stats_read(net, XTCP_MIB_DELAYEDACKS);
	sk_stop_timer(sk, &xs->rcv.delack);
	sock_hold(sk);			/* the timer's, which it puts */
	local_bh_disable();
	xtcp_conn_delack_timer(&xs->rcv.delack);
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_OUTSEGS), out + 1);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_DELAYEDACKS),
			delayed + 1);
	KUNIT_EXPECT_FALSE(test, xs->rcv.pingpong);
}

/* A segment from the peer whose @payload bytes ('x') sit in a page. */
static void xtcp_conn_test_peer_paged(struct kunit *test, unsigned int payload)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct sk_buff *skb;
	struct tcphdr *th;
	struct page *page;

	skb = xtcp_kunit_skb(test, XTCP_FLAG_ACK, t->peer_seq, xs->snd.una,
			     xtcp_kunit_ack_opts, sizeof(xtcp_kunit_ack_opts), 0);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	memset(page_address(page), 'x', payload);
	skb_fill_page_desc(skb, 0, page, 0, payload);
	skb->len += payload;
	skb->data_len += payload;
	skb->truesize += PAGE_SIZE;
	ip_hdr(skb)->tot_len = htons(ntohs(ip_hdr(skb)->tot_len) + payload);
	th = tcp_hdr(skb);
	th->check = 0;
	th->check = csum_tcpudp_magic(XTCP_KUNIT_PEER, XTCP_KUNIT_LOCAL,
				      skb->len, IPPROTO_TCP,
				      skb_checksum(skb, 0, skb->len, 0));
	local_bh_disable();
	xtcp_input_rcv(skb);
	local_bh_enable();
	t->peer_seq += payload;
}

/*
 * In-order data in pages joins the receive queue's last skb (Linux's
 * TCPRcvCoalesce): one skb for three segments, every byte read back.
 */
static void xtcp_conn_test_rcv_coalesce(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long merged = xtcp_stats_read(net, XTCP_MIB_RCVCOALESCE);
	static char buf[300];
	struct kvec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {};
	int i;

	for (i = 0; i < 3; i++)
		xtcp_conn_test_peer_paged(test, 100);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 1U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_RCVCOALESCE),
			merged + 2);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb_peek(&sk->sk_receive_queue))->end_seq,
			t->peer_seq);
	KUNIT_ASSERT_EQ(test, kernel_recvmsg(t->child, &msg, &iov, 1,
					     sizeof(buf), MSG_DONTWAIT), 300);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 'x', sizeof(buf)), NULL);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 0U);
}

/*
 * Data segments that continue one another while we hold the socket join
 * the backlog's last skb (Linux's TCPBacklogCoalesce); one after a hole
 * and the one that fills it stay apart. Every byte is read back in order
 * once release_sock() has run the backlog.
 */
static void xtcp_conn_test_backlog_coalesce(struct kunit *test)
{
	struct xtcp_conn_test *t = xtcp_conn_test_ctx(test);
	struct xtcp_sock *xs = xtcp_conn_test_xs(test);
	struct net *net = sock_net(t->child->sk);
	struct sock *sk = t->child->sk;
	unsigned long queued = xtcp_stats_read(net, XTCP_MIB_BACKLOGQUEUED);
	unsigned long merged = xtcp_stats_read(net, XTCP_MIB_BACKLOGCOALESCE);
	u32 start = t->peer_seq;
	static char buf[500];
	struct kvec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {};
	struct sk_buff *skb;
	unsigned int n = 0;
	int i;

	lock_sock(sk);
	for (i = 0; i < 3; i++)
		xtcp_conn_test_peer_paged(test, 100);
	t->peer_seq = start + 400;		/* [300, 400) missing */
	xtcp_conn_test_peer_paged(test, 100);
	t->peer_seq = start + 300;
	xtcp_conn_test_peer_paged(test, 100);
	t->peer_seq = start + 500;

	for (skb = sk->sk_backlog.head; skb; skb = skb->next)
		n++;
	KUNIT_EXPECT_EQ(test, n, 3U);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_BACKLOGQUEUED),
			queued + 5);
	KUNIT_EXPECT_EQ(test, xtcp_stats_read(net, XTCP_MIB_BACKLOGCOALESCE),
			merged + 2);
	skb = sk->sk_backlog.head;
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->seq, start);
	KUNIT_EXPECT_EQ(test, XTCP_SKB_CB(skb)->end_seq, start + 300);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_segs, 3);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, 100);
	release_sock(sk);

	KUNIT_EXPECT_EQ(test, xs->rcv.nxt, start + 500);
	KUNIT_ASSERT_EQ(test, kernel_recvmsg(t->child, &msg, &iov, 1,
					     sizeof(buf), MSG_DONTWAIT), 500);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(buf, 'x', sizeof(buf)), NULL);
}

static struct kunit_case xtcp_conn_test_cases[] = {
	KUNIT_CASE(xtcp_conn_test_close_table),
	KUNIT_CASE(xtcp_conn_test_passive_close),
	KUNIT_CASE(xtcp_conn_test_active_close),
	KUNIT_CASE(xtcp_conn_test_simultaneous_close),
	KUNIT_CASE(xtcp_conn_test_fin_out_of_order),
	KUNIT_CASE(xtcp_conn_test_data_after_close),
	KUNIT_CASE(xtcp_conn_test_backlog_ack),
	KUNIT_CASE(xtcp_conn_test_backlog_coalesce),
	KUNIT_CASE(xtcp_conn_test_pingpong),
	KUNIT_CASE(xtcp_conn_test_rcv_coalesce),
	{}
};

static struct kunit_suite xtcp_conn_test_suite = {
	.name = "xtcp_conn",
	.init = xtcp_conn_test_init,
	.exit = xtcp_conn_test_exit,
	.test_cases = xtcp_conn_test_cases,
};

xtcp_kunit_suite(xtcp_conn_test_suite);
