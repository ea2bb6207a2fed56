// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_tw: a TIME_WAIT (and FIN_WAIT_2) entry's answers to
 * segments by sequence number and timestamp (RFC 9293, RFC 1337, RFC
 * 6191), the reuse decision for connect() (twsk_unique()'s rules), and
 * the entry's size. The entry under test is never hashed; its timer is
 * armed far away so that a restart shows as a moved expiry. Included at
 * the bottom of module/timewait.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

#define XTCP_TW_TEST_RCV	5000U	/* the peer's FIN was 4999 */
#define XTCP_TW_TEST_SND	9000U
#define XTCP_TW_TEST_TS		1000U	/* the peer's last TSval */

static int xtcp_tw_test_init(struct kunit *test)
{
	struct xtcp_tw *tw;

	tw = kunit_kzalloc(test, sizeof(*tw), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tw);
	tw->eh.kind = XTCP_EH_TW;
	write_pnet(&tw->eh.net, &init_net);
	tw->eh.laddr = htonl(0xc0000201);
	tw->eh.raddr = htonl(0xc0000263);
	tw->eh.lport = htons(8080);
	tw->eh.rport = htons(40000);
	/* never reaches 0: kunit frees it */
	refcount_set(&tw->refcnt, 100);
	tw->substate = TCP_TIME_WAIT;
	tw->tstamp_ok = 1;
	tw->rcv_wnd = 1000;
	tw->rcv_nxt = XTCP_TW_TEST_RCV;
	tw->snd_nxt = XTCP_TW_TEST_SND;
	tw->ts_recent = XTCP_TW_TEST_TS;
	tw->ts_recent_stamp = 1;
	timer_setup(&tw->timer, xtcp_tw_timer, 0);
	mod_timer(&tw->timer, jiffies + 1000 * HZ);
	test->priv = tw;
	return 0;
}

static void xtcp_tw_test_exit(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	del_timer_sync(&tw->timer);
}

/* A segment as the receive path hands it over (cb filled, no payload). */
static enum xtcp_tw_verdict xtcp_tw_test_seg(struct kunit *test, u8 flags,
					     u32 seq, u32 len, int tsval)
{
	struct xtcp_skb_cb *cb;
	struct sk_buff *skb;
	enum xtcp_tw_verdict v;

	skb = alloc_skb(XTCP_HDR_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	cb = XTCP_SKB_CB(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = flags;
	cb->seq = seq;
	cb->end_seq = seq + len + !!(flags & XTCP_FLAG_SYN) +
		      !!(flags & XTCP_FLAG_FIN);
	cb->ack_seq = XTCP_TW_TEST_SND;
	cb->doff = XTCP_HDR_LEN;
	if (tsval >= 0) {
		cb->opts.has_ts = 1;
		cb->opts.tsval = tsval;
	}
	local_bh_disable();
	v = xtcp_tw_rcv(test->priv, skb);
	local_bh_enable();
	kfree_skb(skb);
	return v;
}

static unsigned long xtcp_tw_test_stat(enum xtcp_mib_field f)
{
	return xtcp_stats_read(&init_net, f);
}

static unsigned long xtcp_tw_test_left(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	return timer_pending(&tw->timer) ? xtcp_tw_remaining(tw) : 0;
}

static void xtcp_tw_test_size(struct kunit *test)
{
	/* lock debugging makes every timer_list larger */
	if (IS_ENABLED(CONFIG_LOCKDEP))
		kunit_skip(test, "timer_list is larger with lock debugging");
	KUNIT_EXPECT_LE(test, sizeof(struct xtcp_tw), 128U);
}

/* RFC 1337: an in-window RST leaves TIME_WAIT as it was. */
static void xtcp_tw_test_rst_ignored(struct kunit *test)
{
	unsigned long ign = xtcp_tw_test_stat(XTCP_MIB_TIMEWAITRSTIGNORED);
	struct xtcp_tw *tw = test->priv;

	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_RST,
					       XTCP_TW_TEST_RCV, 0, -1),
			XTCP_TW_DONE);
	KUNIT_EXPECT_TRUE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_GT(test, xtcp_tw_test_left(test), 900UL * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_stat(XTCP_MIB_TIMEWAITRSTIGNORED),
			ign + 1);
}

/* The peer's FIN again (our ACK was lost): ACK, and 2MSL from now. */
static void xtcp_tw_test_fin_again(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_FIN |
					       XTCP_FLAG_ACK,
					       XTCP_TW_TEST_RCV - 1, 0,
					       XTCP_TW_TEST_TS),
			XTCP_TW_DONE);
	KUNIT_EXPECT_LE(test, xtcp_tw_test_left(test), XTCP_TIMEWAIT_LEN);
	KUNIT_EXPECT_GT(test, xtcp_tw_test_left(test), XTCP_TIMEWAIT_LEN - HZ);
}

/* A bare in-window ACK restarts the timer and takes the timestamp. */
static void xtcp_tw_test_ack_takes_ts(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_ACK,
					       XTCP_TW_TEST_RCV, 0,
					       XTCP_TW_TEST_TS + 5),
			XTCP_TW_DONE);
	KUNIT_EXPECT_EQ(test, tw->ts_recent, XTCP_TW_TEST_TS + 5);
	KUNIT_EXPECT_LE(test, xtcp_tw_test_left(test), XTCP_TIMEWAIT_LEN);
}

/* RFC 6191: a SYN with a newer timestamp starts a new connection. */
static void xtcp_tw_test_syn_newer_ts(struct kunit *test)
{
	unsigned long rec = xtcp_tw_test_stat(XTCP_MIB_TIMEWAITRECYCLED);

	/* below rcv_nxt by sequence: only the timestamp can allow it */
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_SYN, 100, 0,
					       XTCP_TW_TEST_TS + 1),
			XTCP_TW_SYN);
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_stat(XTCP_MIB_TIMEWAITRECYCLED),
			rec + 1);
	/* the entry ended: its timer is gone */
	KUNIT_EXPECT_FALSE(test, timer_pending(&((struct xtcp_tw *)test->priv)->timer));
}

/* ... an older one (PAWS) is an old duplicate: ACK only. */
static void xtcp_tw_test_syn_old_ts(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_SYN,
					       XTCP_TW_TEST_RCV + 10, 0,
					       XTCP_TW_TEST_TS - 1),
			XTCP_TW_DONE);
	KUNIT_EXPECT_TRUE(test, timer_pending(&tw->timer));
}

/* Without timestamps, the sequence number decides. */
static void xtcp_tw_test_syn_no_ts(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	tw->tstamp_ok = 0;
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_SYN,
					       XTCP_TW_TEST_RCV - 10, 0, -1),
			XTCP_TW_DONE);
	KUNIT_EXPECT_TRUE(test, timer_pending(&tw->timer));
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_SYN,
					       XTCP_TW_TEST_RCV + 10, 0, -1),
			XTCP_TW_SYN);
}

/* An orphan in FIN_WAIT_2: the FIN moves it to TIME_WAIT, data resets. */
static void xtcp_tw_test_finwait2(struct kunit *test)
{
	unsigned long tws = xtcp_tw_test_stat(XTCP_MIB_TIMEWAITS);
	struct xtcp_tw *tw = test->priv;

	tw->substate = TCP_FIN_WAIT2;
	/* a pure ACK: nothing */
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_ACK,
					       XTCP_TW_TEST_RCV, 0,
					       XTCP_TW_TEST_TS),
			XTCP_TW_DONE);
	KUNIT_EXPECT_EQ(test, tw->substate, TCP_FIN_WAIT2);
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_ACK |
					       XTCP_FLAG_FIN,
					       XTCP_TW_TEST_RCV, 0,
					       XTCP_TW_TEST_TS),
			XTCP_TW_DONE);
	KUNIT_EXPECT_EQ(test, tw->substate, TCP_TIME_WAIT);
	KUNIT_EXPECT_EQ(test, tw->rcv_nxt, XTCP_TW_TEST_RCV + 1);
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_stat(XTCP_MIB_TIMEWAITS), tws + 1);
	KUNIT_EXPECT_LE(test, xtcp_tw_test_left(test), XTCP_TIMEWAIT_LEN);
}

static void xtcp_tw_test_finwait2_data(struct kunit *test)
{
	struct xtcp_tw *tw = test->priv;

	tw->substate = TCP_FIN_WAIT2;
	KUNIT_EXPECT_EQ(test, xtcp_tw_test_seg(test, XTCP_FLAG_ACK,
					       XTCP_TW_TEST_RCV, 10,
					       XTCP_TW_TEST_TS),
			XTCP_TW_RST);
	KUNIT_EXPECT_FALSE(test, timer_pending(&tw->timer));
}

/* twsk_unique()'s rules, sysctl by sysctl. */
static void xtcp_tw_test_reuse(struct kunit *test)
{
	struct xtcp_sysctls *sys = &xtcp_net(&init_net)->sysctl;
	int saved = sys->tw_reuse_mode;
	struct xtcp_tw *tw = test->priv;
	struct socket *sock;
	struct sock *sk;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, xtcp_family,
					       SOCK_STREAM, 0, &sock), 0);
	sk = sock->sk;
	/* two seconds ago (nonzero even if the clock has not reached 2) */
	tw->ts_recent_stamp = (u32)ktime_get_seconds() - 2 ? : 1;

	sys->tw_reuse_mode = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_tw_reusable(tw, sk, false));
	/* a socket that bound its port asked for this 4-tuple */
	KUNIT_EXPECT_TRUE(test, xtcp_tw_reusable(tw, sk, true));
	sys->tw_reuse_mode = 1;
	KUNIT_EXPECT_TRUE(test, xtcp_tw_reusable(tw, sk, false));
	/* under a second old: not yet */
	tw->ts_recent_stamp = max_t(u32, ktime_get_seconds(), 1);
	KUNIT_EXPECT_FALSE(test, xtcp_tw_reusable(tw, sk, false));
	tw->ts_recent_stamp = (u32)ktime_get_seconds() - 2 ? : 1;
	/* 2: loopback only */
	sys->tw_reuse_mode = 2;
	KUNIT_EXPECT_FALSE(test, xtcp_tw_reusable(tw, sk, false));
	tw->eh.laddr = htonl(INADDR_LOOPBACK);
	tw->eh.raddr = htonl(INADDR_LOOPBACK);
	KUNIT_EXPECT_TRUE(test, xtcp_tw_reusable(tw, sk, false));
	/* never without timestamps, never before the peer's FIN */
	tw->ts_recent_stamp = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_tw_reusable(tw, sk, true));
	tw->ts_recent_stamp = 1;
	tw->substate = TCP_FIN_WAIT2;
	KUNIT_EXPECT_FALSE(test, xtcp_tw_reusable(tw, sk, true));

	sys->tw_reuse_mode = saved;
	sock_release(sock);
}

static struct kunit_case xtcp_tw_test_cases[] = {
	KUNIT_CASE(xtcp_tw_test_size),
	KUNIT_CASE(xtcp_tw_test_rst_ignored),
	KUNIT_CASE(xtcp_tw_test_fin_again),
	KUNIT_CASE(xtcp_tw_test_ack_takes_ts),
	KUNIT_CASE(xtcp_tw_test_syn_newer_ts),
	KUNIT_CASE(xtcp_tw_test_syn_old_ts),
	KUNIT_CASE(xtcp_tw_test_syn_no_ts),
	KUNIT_CASE(xtcp_tw_test_finwait2),
	KUNIT_CASE(xtcp_tw_test_finwait2_data),
	KUNIT_CASE(xtcp_tw_test_reuse),
	{}
};

static struct kunit_suite xtcp_tw_test_suite = {
	.name = "xtcp_tw",
	.init = xtcp_tw_test_init,
	.exit = xtcp_tw_test_exit,
	.test_cases = xtcp_tw_test_cases,
};

xtcp_kunit_suite(xtcp_tw_test_suite);
