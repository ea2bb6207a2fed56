// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: a request sock, from the SYN-ACK to its promotion. Repeated
 * SYNs, segments in and out of its window, RSTs and SYNs that drop it, a
 * wrong ACK, the final ACK (with data, without a negotiated timestamp).
 */
#include "inject.h"

static int request_same_synack(const struct xt_seg *a, const struct xt_seg *b)
{
	return a->flags == b->flags && a->seq == b->seq && a->ack == b->ack &&
	       a->win == b->win && a->mss == b->mss && a->ws == b->ws &&
	       a->sack_ok == b->sack_ok && a->has_ts == b->has_ts &&
	       (!a->has_ts || a->tsecr == b->tsecr);
}

void request_syn_repeat(void)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1460, .has_ws = 1, .ws = 7,
			  .sack = 1, .has_ts = 1, .tsval = 4242 };
	long resends = xs_stat("SynAckResends");
	struct xt_seg first, s;
	struct conn c;
	double t0;
	int got;

	xs_listen();
	conn_init(&c, LPORT);
	if (conn_syn(&c, &o, &first))
		return;
	t0 = xt_now();

	xt_log("  -- the same SYN again at once: the SYN-ACK again");
	conn_send_syn(&c, &o);
	got = conn_recv(&c, &s, QUICK_MS, 0);
	xt_check(got, "repeated SYN answered");
	if (got)
		xt_check(request_same_synack(&first, &s),
			 "... by the same SYN-ACK (ISN %u, same options)", c.iss);

	xt_log("  -- and again, within 500 ms: nothing");
	conn_send_syn(&c, &o);
	got = conn_recv(&c, &s, NONE_MS, 0);
	xt_check(!got, "second repeat within 500 ms not answered");

	/* 600 ms after the last answer, before the timer's resend at 1 s */
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	xt_log("  -- again 600 ms later: answered");
	conn_send_syn(&c, &o);
	got = conn_recv(&c, &s, QUICK_MS, 0);
	xt_check(got && request_same_synack(&first, &s),
		 "repeat after 500 ms answered by the same SYN-ACK");

	xt_check(xs_stat("SynAckResends") - resends == 2,
		 "SynAckResends +2 (got %+ld)", xs_stat("SynAckResends") - resends);
	xt_check(conn_reqs(&c) == 1,
		 "exactly one SYN_RECV line for the 4-tuple (got %d)", conn_reqs(&c));
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 1,
		 "and no other line for it");
	if (conn_reqs(&c) != 1)
		xt_ns_proc_dump(NS_XS);
}

/* Window [ISN+1, ISN+1+65535), ISN chosen to make it wrap 2^32. */
void request_oow(void)
{
	long oow = xs_stat("OutOfWindow"), passive = xs_stat("PassiveOpens");
	struct conn c, d;
	struct xt_seg s;
	double t0;
	int lfd = xs_listen();

	conn_init(&c, LPORT);
	c.isn = 0xffffff00u;
	if (conn_syn(&c, NULL, NULL))
		return;

	xt_log("  -- ACK just past the window: duplicate ACK");
	conn_send(&c, XT_ACK, c.isn + 1 + REQ_WND, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "ACK at RCV.NXT + 65535"))
		conn_check_ack(&c, &s, "ACK at RCV.NXT + 65535");
	xt_log("  -- another at once, just before the window: rate-limited");
	conn_send(&c, XT_ACK, c.isn, c.iss + 1, 0, 0);
	conn_expect_none(&c, "second out-of-window ACK within 500 ms");
	xt_log("  -- out-of-window RSTs: ignored");
	conn_send(&c, XT_RST, c.isn + 1 + REQ_WND + 1000, 0, 0, 0);
	conn_send(&c, XT_RST | XT_ACK, c.isn - 5, c.iss + 1, 0, 0);
	conn_expect_none(&c, "out-of-window RSTs");
	xt_check(xs_stat("OutOfWindow") - oow == 4, "OutOfWindow +4 (got %+ld)",
		 xs_stat("OutOfWindow") - oow);
	xt_check(conn_reqs(&c) == 1, "the request is kept");

	xt_log("  -- a second request, 600 ms after its SYN-ACK");
	conn_init(&d, LPORT);
	if (conn_syn(&d, NULL, NULL))
		return;
	t0 = xt_now();
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	conn_send(&d, XT_ACK | XT_PSH, d.isn - 1000, d.iss + 1, 10, 0);
	if (conn_expect(&d, &s, "old data before the window"))
		conn_check_ack(&d, &s, "old data before the window");

	xt_log("  -- the kept request still completes");
	if (!conn_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "PassiveOpens +1");
}

void request_rst(void)
{
	long emb = xs_stat("EmbryonicRsts");
	struct conn a, b, n;
	struct xt_seg s;

	xs_listen();
	conn_init(&a, LPORT);
	conn_init(&b, LPORT);
	if (conn_syn(&a, NULL, NULL) || conn_syn(&b, NULL, NULL))
		return;
	xt_log("  -- RST at RCV.NXT");
	conn_send(&a, XT_RST, a.isn + 1, 0, 0, 0);
	conn_expect_none(&a, "in-window RST");
	xt_check(conn_reqs(&a) == 0, "request dropped");
	xt_log("  -- RST|ACK inside the window, not at RCV.NXT");
	conn_send(&b, XT_RST | XT_ACK, b.isn + 1 + 30000, b.iss + 1, 0, 0);
	conn_expect_none(&b, "in-window RST|ACK");
	xt_check(conn_reqs(&b) == 0, "request dropped");
	xt_check(xs_stat("EmbryonicRsts") - emb == 2, "EmbryonicRsts +2 (got %+ld)",
		 xs_stat("EmbryonicRsts") - emb);

	xt_log("  -- the final ACK now meets the listener: RST");
	conn_send(&a, XT_ACK, a.isn + 1, a.iss + 1, 0, 0);
	if (conn_expect(&a, &s, "ACK after the request was dropped"))
		conn_check_rst_seq(&s, a.iss + 1, "ACK after the request was dropped");

	xt_log("  -- the listener is unharmed (RFC 9293 MUST-11, passive)");
	xt_check(xs_proc_count(NS_XS, LPORT, 0, "LISTEN") == 1, "still LISTEN");
	conn_init(&n, LPORT);
	conn_syn(&n, NULL, NULL);
}

void request_syn(void)
{
	long emb = xs_stat("EmbryonicRsts");
	struct conn c;
	struct xt_seg s;
	uint32_t seq;

	xs_listen();
	conn_init(&c, LPORT);
	if (conn_syn(&c, NULL, NULL))
		return;
	seq = c.isn + 1 + 100;
	conn_send(&c, XT_SYN, seq, 0, 0, 0);
	if (conn_expect(&c, &s, "in-window SYN with another ISN"))
		conn_check_rst_ack(&s, seq + 1, "in-window SYN with another ISN");
	xt_check(conn_reqs(&c) == 0, "request dropped");
	xt_check(xs_stat("EmbryonicRsts") - emb == 1, "EmbryonicRsts +1 (got %+ld)",
		 xs_stat("EmbryonicRsts") - emb);
	conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "the old final ACK"))
		conn_check_rst_seq(&s, c.iss + 1, "the old final ACK meets the listener");
}

void request_bad_ack(void)
{
	long bad = xs_stat("BadAcks"), passive = xs_stat("PassiveOpens");
	static const int32_t off[] = { 2, 0, -1000, 0x40000000 };
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;
	unsigned int i;

	conn_init(&c, LPORT);
	if (conn_syn(&c, NULL, NULL))
		return;
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		uint32_t ack = c.iss + off[i];
		char what[64];

		snprintf(what, sizeof(what), "ACK with ack = ISS%+d", off[i]);
		conn_send(&c, XT_ACK, c.isn + 1, ack, 0, 0);
		if (conn_expect(&c, &s, what))
			conn_check_rst_seq(&s, ack, what);
	}
	xt_check(xs_stat("BadAcks") - bad == 4, "BadAcks +4 (got %+ld)",
		 xs_stat("BadAcks") - bad);
	xt_check(conn_reqs(&c) == 1, "the request is kept");
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "nothing to accept");
	if (!conn_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "the right ACK still promotes it: PassiveOpens +1");
}

void request_promote(void)
{
	long passive = xs_stat("PassiveOpens"), estab = xs_stat("CurrEstab");
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (conn_syn(&c, NULL, NULL))
		return;
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "nothing to accept before the ACK");
	if (conn_ack_accept(&c, lfd, 0))
		return;
	conn_expect_none(&c, "the final ACK");
	xt_check(!getsockname(c.fd, (struct sockaddr *)&me, &len) &&
		 me.sin_family == family && me.sin_addr.s_addr == srv_addr &&
		 ntohs(me.sin_port) == LPORT,
		 "accepted socket's name is %s:%u, family %d", SRV_ADDR, LPORT,
		 family);
	xt_check(xs_stat("PassiveOpens") - passive == 1, "PassiveOpens +1");
	xt_check(xs_stat("CurrEstab") - estab == 1, "CurrEstab +1 (got %+ld)",
		 xs_stat("CurrEstab") - estab);
	xt_check(conn_estab(&c) == 1 && conn_reqs(&c) == 0,
		 "/proc/net/xtcp: ESTABLISHED, no SYN_RECV left");
	xt_check(xt_sock_poll(c.fd, POLLOUT, 0) == POLLOUT, "accepted socket writable, no error");
	xt_check(xt_sock_error(c.fd) == 0, "SO_ERROR 0");
	conn_close(&c);
}

void request_ts_missing(void)
{
	long nots = xs_stat("InNoTimestamp"), passive = xs_stat("PassiveOpens");
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (conn_syn(&c, &conn_opts_ts, NULL))
		return;
	xt_check(c.ts, "timestamps negotiated");
	conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	conn_expect_none(&c, "final ACK without TS");
	xt_check(xs_stat("InNoTimestamp") - nots == 1, "InNoTimestamp +1 (got %+ld)",
		 xs_stat("InNoTimestamp") - nots);
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "not promoted");
	xt_check(conn_reqs(&c) == 1, "the request is kept");
	if (!conn_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "the ACK with TS promotes it: PassiveOpens +1");
}

/*
 * A final ACK that carries data (the bare ACK was lost, or the client
 * wrote at once) makes the connection, and the child reads the data.
 */
void request_data_on_ack(void)
{
	long passive = xs_stat("PassiveOpens");
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (conn_syn(&c, NULL, NULL))
		return;
	if (conn_ack_accept(&c, lfd, 100))
		return;
	xt_check(xs_stat("PassiveOpens") - passive == 1, "PassiveOpens +1");
	xt_check(conn_read_payload(&c, 100) == 100,
		 "the accepted socket reads the 100 bytes of the final ACK");
	conn_close(&c);
}
