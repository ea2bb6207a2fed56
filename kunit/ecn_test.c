// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_ecn: ECN's rules (RFC 3168, as Linux TCP applies
 * them): which SYNs a listener grants ECN under each ecn sysctl, which
 * answers leave it on for the side that asked, the fallback of SYNs sent
 * again, the receiver's ECE from a CE until a CWR, the sender's ECT and
 * one CWR on new data only, and the cookie's bit in the TSval. Included
 * at the bottom of module/ecn.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

struct xtcp_ecn_test_priv {
	struct socket *sock;
	int ecn, fallback;		/* init_net's sysctls, given back */
};

static int xtcp_ecn_test_init(struct kunit *test)
{
	struct xtcp_ecn_test_priv *p = kunit_kzalloc(test, sizeof(*p),
						     GFP_KERNEL);
	struct xtcp_sysctls *sc = &xtcp_net(&init_net)->sysctl;

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, xtcp_family,
					       SOCK_STREAM, 0, &p->sock), 0);
	p->ecn = sc->ecn;
	p->fallback = sc->ecn_fallback;
	test->priv = p;
	return 0;
}

static void xtcp_ecn_test_exit(struct kunit *test)
{
	struct xtcp_ecn_test_priv *p = test->priv;
	struct xtcp_sysctls *sc = &xtcp_net(&init_net)->sysctl;

	sc->ecn = p->ecn;
	sc->ecn_fallback = p->fallback;
	sock_release(p->sock);
}

static struct sock *xtcp_ecn_test_sk(struct kunit *test)
{
	return ((struct xtcp_ecn_test_priv *)test->priv)->sock->sk;
}

static void xtcp_ecn_test_set(int ecn, int fallback)
{
	struct xtcp_sysctls *sc = &xtcp_net(&init_net)->sysctl;

	sc->ecn = ecn;
	sc->ecn_fallback = fallback;
}

/* A received segment's cb: flags, ECE/CWR and the IP ECN field. */
static struct xtcp_skb_cb xtcp_ecn_test_cb(u8 flags, u8 ecn)
{
	struct xtcp_skb_cb cb = { .flags = flags, .ecn = ecn };

	return cb;
}

#define ECE	XTCP_FLAG_ECE
#define CWR	XTCP_FLAG_CWR

/* A listener grants ECN to ECE|CWR on a SYN that is not ECT, if ecn != 0. */
static void xtcp_ecn_test_syn_ok(struct kunit *test)
{
	static const struct {
		int sysctl;
		u8 ecn;
		bool ok;
	} cases[] = {
		{ 2, ECE | CWR, true },
		{ 1, ECE | CWR, true },
		{ 0, ECE | CWR, false },
		{ 2, ECE, false },
		{ 2, CWR, false },
		{ 2, 0, false },
		/* an ECT SYN: something rewrote the field on the way */
		{ 2, ECE | CWR | INET_ECN_ECT_0, false },
		{ 2, ECE | CWR | INET_ECN_CE, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xtcp_skb_cb cb = xtcp_ecn_test_cb(XTCP_FLAG_SYN,
							 cases[i].ecn);

		xtcp_ecn_test_set(cases[i].sysctl, 1);
		KUNIT_EXPECT_EQ_MSG(test, xtcp_ecn_syn_ok(&init_net, &cb),
				    cases[i].ok, "case %u", i);
	}
}

/* Only ecn = 1 asks; a SYN sent again asks no more under ecn_fallback. */
static void xtcp_ecn_test_syn_flags(struct kunit *test)
{
	struct sock *sk = xtcp_ecn_test_sk(test);

	xtcp_ecn_test_set(2, 1);
	xtcp_ecn_connect(sk);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(sk, false), 0);
	xtcp_ecn_test_set(0, 1);
	xtcp_ecn_connect(sk);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(sk, false), 0);
	xtcp_ecn_test_set(1, 1);
	xtcp_ecn_connect(sk);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(sk, false), ECE | CWR);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(sk, true), 0);
	xtcp_ecn_test_set(1, 0);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_syn_flags(sk, true), ECE | CWR);
}

/* The answer to our SYN decides: ECE alone on a SYN-ACK, both on a SYN. */
static void xtcp_ecn_test_synack(struct kunit *test)
{
	static const struct {
		u8 flags, ecn;
		bool ok;
	} cases[] = {
		{ XTCP_FLAG_SYN | XTCP_FLAG_ACK, ECE, true },
		{ XTCP_FLAG_SYN | XTCP_FLAG_ACK, ECE | INET_ECN_ECT_0, true },
		/* a reflector (both flags back) or a peer without ECN */
		{ XTCP_FLAG_SYN | XTCP_FLAG_ACK, ECE | CWR, false },
		{ XTCP_FLAG_SYN | XTCP_FLAG_ACK, CWR, false },
		{ XTCP_FLAG_SYN | XTCP_FLAG_ACK, 0, false },
		/* a simultaneous open: the other SYN asks as ours did */
		{ XTCP_FLAG_SYN, ECE | CWR, true },
		{ XTCP_FLAG_SYN, ECE, false },
	};
	struct sock *sk = xtcp_ecn_test_sk(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct xtcp_skb_cb cb = xtcp_ecn_test_cb(cases[i].flags,
							 cases[i].ecn);

		xtcp_sk(sk)->opt.ecn_ok = 1;
		xtcp_ecn_rcv_synack(sk, &cb);
		KUNIT_EXPECT_EQ_MSG(test, (bool)xtcp_sk(sk)->opt.ecn_ok,
				    cases[i].ok, "case %u", i);
	}
	/* never turned on by the answer when we did not ask */
	xtcp_sk(sk)->opt.ecn_ok = 0;
	{
		struct xtcp_skb_cb cb = xtcp_ecn_test_cb(XTCP_FLAG_SYN |
							 XTCP_FLAG_ACK, ECE);

		xtcp_ecn_rcv_synack(sk, &cb);
	}
	KUNIT_EXPECT_FALSE(test, xtcp_sk(sk)->opt.ecn_ok);
}

/* CE: ECE on every ACK, ACKed at once the first time, until a CWR. */
static void xtcp_ecn_test_receiver(struct kunit *test)
{
	struct sock *sk = xtcp_ecn_test_sk(test);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb cwr = xtcp_ecn_test_cb(XTCP_FLAG_ACK,
						  CWR | INET_ECN_ECT_0);

	xs->opt.ecn_ok = 1;
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_rcv_data(sk, INET_ECN_ECT_0));
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), 0);
	KUNIT_EXPECT_TRUE(test, xs->ecn_flags & XTCP_ECN_SEEN);
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_rcv_data(sk, INET_ECN_CE));
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), ECE);
	/* more CE before the CWR: still ECE, no new quick ACKs */
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_rcv_data(sk, INET_ECN_CE));
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_rcv_data(sk, INET_ECN_ECT_0));
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), ECE);
	/* CWR with data: the echo stops, and the ACK goes at once */
	cwr.end_seq = cwr.seq + 100;
	xs->rcv.ack_now = 0;
	xtcp_ecn_rcv_cwr(sk, &cwr);
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), 0);
	KUNIT_EXPECT_TRUE(test, xs->rcv.ack_now);
	/* not ECT after ECT: likely a retransmission, ACK quickly */
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_rcv_data(sk, INET_ECN_NOT_ECT));
	/* a CE after the CWR starts the echo again */
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_rcv_data(sk, INET_ECN_CE));
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), ECE);

	/* without ECN, none of it */
	xs->opt.ecn_ok = 0;
	xs->ecn_flags = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_rcv_data(sk, INET_ECN_CE));
	KUNIT_EXPECT_EQ(test, xtcp_ecn_ack_flags(xs), 0);
}

/* ECT(0) on new data only; CWR once, on the first new data after a cut. */
static void xtcp_ecn_test_sender(struct kunit *test)
{
	struct sock *sk = xtcp_ecn_test_sk(test);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb ece = xtcp_ecn_test_cb(XTCP_FLAG_ACK, ECE);
	struct xtcp_seg s = {};

	xs->opt.ecn_ok = 1;
	KUNIT_EXPECT_TRUE(test, xtcp_ecn_echoed(sk, &ece));
	xtcp_ecn_queue_cwr(sk);
	/* a retransmission: neither ECT nor CWR, the CWR still queued */
	xtcp_ecn_data_out(sk, &s, false);
	KUNIT_EXPECT_FALSE(test, s.ect);
	KUNIT_EXPECT_EQ(test, s.flags & CWR, 0);
	xtcp_ecn_data_out(sk, &s, true);
	KUNIT_EXPECT_TRUE(test, s.ect);
	KUNIT_EXPECT_EQ(test, s.flags & CWR, CWR);
	memset(&s, 0, sizeof(s));
	xtcp_ecn_data_out(sk, &s, true);
	KUNIT_EXPECT_TRUE(test, s.ect);
	KUNIT_EXPECT_EQ(test, s.flags & CWR, 0);
	/* ECE on a SYN-ACK is negotiation, not an echo */
	ece.flags |= XTCP_FLAG_SYN;
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_echoed(sk, &ece));

	/* without ECN: no ECT, no CWR, no echo heard */
	xs->opt.ecn_ok = 0;
	ece.flags = XTCP_FLAG_ACK;
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_echoed(sk, &ece));
	xtcp_ecn_queue_cwr(sk);
	memset(&s, 0, sizeof(s));
	xtcp_ecn_data_out(sk, &s, true);
	KUNIT_EXPECT_FALSE(test, s.ect);
	KUNIT_EXPECT_EQ(test, s.flags, 0);
}

/* The socket's TOS carries the field; its DSCP bits are left alone. */
static void xtcp_ecn_test_ect(struct kunit *test)
{
	struct sock *sk = xtcp_ecn_test_sk(test);

	inet_sk(sk)->tos = 0x28;
	xtcp_ecn_set_ect(sk, true);
	KUNIT_EXPECT_EQ(test, inet_sk(sk)->tos, 0x28 | INET_ECN_ECT_0);
	xtcp_ecn_set_ect(sk, false);
	KUNIT_EXPECT_EQ(test, inet_sk(sk)->tos, 0x28);
}

/* The cookie's bit: kept in the TSval's low bit, never ahead of the clock. */
static void xtcp_ecn_test_cookie(struct kunit *test)
{
	static const u32 clocks[] = { 1000, 1001, 0, 1, 0xffffffff };
	struct xtcp_options o = { .has_ts = 1 };
	unsigned int i;

	xtcp_ecn_test_set(2, 1);
	for (i = 0; i < ARRAY_SIZE(clocks); i++) {
		u32 on = xtcp_ecn_cookie_tsval(clocks[i], true);
		u32 off = xtcp_ecn_cookie_tsval(clocks[i], false);

		KUNIT_EXPECT_LE(test, (s32)(on - clocks[i]), 0);
		KUNIT_EXPECT_LE(test, (s32)(off - clocks[i]), 0);
		KUNIT_EXPECT_GE(test, (s32)(on - clocks[i]), -2);
		KUNIT_EXPECT_GE(test, (s32)(off - clocks[i]), -2);
		o.tsecr = on;
		KUNIT_EXPECT_TRUE(test, xtcp_ecn_cookie_ok(&init_net, &o));
		o.tsecr = off;
		KUNIT_EXPECT_FALSE(test, xtcp_ecn_cookie_ok(&init_net, &o));
	}
	/* no timestamps, or ECN switched off: not granted */
	o.tsecr = xtcp_ecn_cookie_tsval(1000, true);
	xtcp_ecn_test_set(0, 1);
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_cookie_ok(&init_net, &o));
	xtcp_ecn_test_set(2, 1);
	o.has_ts = 0;
	KUNIT_EXPECT_FALSE(test, xtcp_ecn_cookie_ok(&init_net, &o));
}

#undef ECE
#undef CWR

static struct kunit_case xtcp_ecn_test_cases[] = {
	KUNIT_CASE(xtcp_ecn_test_syn_ok),
	KUNIT_CASE(xtcp_ecn_test_syn_flags),
	KUNIT_CASE(xtcp_ecn_test_synack),
	KUNIT_CASE(xtcp_ecn_test_receiver),
	KUNIT_CASE(xtcp_ecn_test_sender),
	KUNIT_CASE(xtcp_ecn_test_ect),
	KUNIT_CASE(xtcp_ecn_test_cookie),
	{}
};

static struct kunit_suite xtcp_ecn_test_suite = {
	.name = "xtcp_ecn",
	.init = xtcp_ecn_test_init,
	.exit = xtcp_ecn_test_exit,
	.test_cases = xtcp_ecn_test_cases,
};

xtcp_kunit_suite(xtcp_ecn_test_suite);
