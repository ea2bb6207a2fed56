// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite xtcp_icmp: what an ICMP error means to xtcp. The type and
 * code to errno table (Linux TCP's, but for protocol unreachable), which
 * states make an error hard, the RFC 5927 sequence check and the errors
 * that drop a request sock. Included at the bottom of module/icmp.c.
 */
#include <kunit/test.h>
#include "kunit_suites.h"

struct xtcp_icmp_test_case {
	u8 type;
	u8 code;
	enum xtcp_icmp_action action;
	int err;
};

static const struct xtcp_icmp_test_case xtcp_icmp_test_table[] = {
	{ ICMP_DEST_UNREACH, ICMP_NET_UNREACH, XTCP_ICMP_ERROR, ENETUNREACH },
	{ ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, XTCP_ICMP_ERROR, EHOSTUNREACH },
	{ ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, XTCP_ICMP_ERROR, ECONNREFUSED },
	{ ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, XTCP_ICMP_ERROR, ECONNREFUSED },
	{ ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, XTCP_ICMP_MTU, 0 },
	{ ICMP_DEST_UNREACH, ICMP_NET_ANO, XTCP_ICMP_ERROR, ENETUNREACH },
	{ ICMP_DEST_UNREACH, ICMP_HOST_ANO, XTCP_ICMP_ERROR, EHOSTUNREACH },
	/* what `ip route add prohibit` and iptables' admin-prohibited send */
	{ ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, XTCP_ICMP_ERROR, EHOSTUNREACH },
	{ ICMP_DEST_UNREACH, NR_ICMP_UNREACH + 1, XTCP_ICMP_IGNORE, 0 },
	{ ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, XTCP_ICMP_ERROR, EHOSTUNREACH },
	{ ICMP_PARAMETERPROB, 0, XTCP_ICMP_ERROR, EPROTO },
	{ ICMP_SOURCE_QUENCH, 0, XTCP_ICMP_IGNORE, 0 },
	{ ICMP_REDIRECT, ICMP_REDIR_HOST, XTCP_ICMP_IGNORE, 0 },
	{ ICMP_ECHOREPLY, 0, XTCP_ICMP_IGNORE, 0 },
};

static void xtcp_icmp_test_classify(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_icmp_test_table); i++) {
		const struct xtcp_icmp_test_case *c = &xtcp_icmp_test_table[i];
		int err = -1;

		KUNIT_EXPECT_EQ_MSG(test, xtcp_icmp_classify(c->type, c->code,
							     &err),
				    c->action, "type %u code %u", c->type,
				    c->code);
		KUNIT_EXPECT_EQ_MSG(test, err, c->err, "type %u code %u",
				    c->type, c->code);
	}
}

/* Every unreachable code but protocol unreachable gives TCP's errno. */
static void xtcp_icmp_test_as_tcp(struct kunit *test)
{
	unsigned int code;

	for (code = 0; code <= NR_ICMP_UNREACH; code++) {
		int err;

		if (code == ICMP_PROT_UNREACH || code == ICMP_FRAG_NEEDED)
			continue;
		xtcp_icmp_classify(ICMP_DEST_UNREACH, code, &err);
		KUNIT_EXPECT_EQ_MSG(test, err, icmp_err_convert[code].errno,
				    "code %u", code);
	}
}

static void xtcp_icmp_test_hard(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_is_hard(TCP_SYN_SENT, false));
	/* simultaneous open: still our connect() */
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_is_hard(TCP_SYN_RECV, false));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_is_hard(TCP_SYN_RECV, true));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_is_hard(TCP_ESTABLISHED, false));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_is_hard(TCP_CLOSE_WAIT, false));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_is_hard(TCP_FIN_WAIT1, false));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_is_hard(TCP_LAST_ACK, false));
}

static void xtcp_icmp_test_seq(struct kunit *test)
{
	/* SYN_SENT: una = ISS, nxt = ISS + 1; the SYN quotes ISS */
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_seq_ok(1000, 1000, 1001));
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_seq_ok(1001, 1000, 1001));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_seq_ok(999, 1000, 1001));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_seq_ok(1002, 1000, 1001));
	/* nothing in flight: only snd.nxt (a bare ACK's sequence) */
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_seq_ok(5, 5, 5));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_seq_ok(4, 5, 5));
	/* in flight across 2^32 */
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_seq_ok(0xfffffff0U, 0xffffff00U,
						 0x100));
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_seq_ok(0x10, 0xffffff00U, 0x100));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_seq_ok(0x101, 0xffffff00U, 0x100));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_seq_ok(0x80000000U, 0xffffff00U,
						  0x100));
}

static void xtcp_icmp_test_req_fatal(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_req_fatal(ICMP_DEST_UNREACH,
						    ICMP_NET_UNREACH));
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_req_fatal(ICMP_DEST_UNREACH,
						    ICMP_HOST_UNREACH));
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_req_fatal(ICMP_TIME_EXCEEDED, 0));
	KUNIT_EXPECT_TRUE(test, xtcp_icmp_req_fatal(ICMP_PARAMETERPROB, 0));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_req_fatal(ICMP_DEST_UNREACH,
						     ICMP_PORT_UNREACH));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_req_fatal(ICMP_DEST_UNREACH,
						     ICMP_PKT_FILTERED));
	KUNIT_EXPECT_FALSE(test, xtcp_icmp_req_fatal(ICMP_DEST_UNREACH,
						     ICMP_FRAG_NEEDED));
}

static struct kunit_case xtcp_icmp_test_cases[] = {
	KUNIT_CASE(xtcp_icmp_test_classify),
	KUNIT_CASE(xtcp_icmp_test_as_tcp),
	KUNIT_CASE(xtcp_icmp_test_hard),
	KUNIT_CASE(xtcp_icmp_test_seq),
	KUNIT_CASE(xtcp_icmp_test_req_fatal),
	{}
};

static struct kunit_suite xtcp_icmp_test_suite = {
	.name = "xtcp_icmp",
	.test_cases = xtcp_icmp_test_cases,
};

xtcp_kunit_suite(xtcp_icmp_test_suite);
