// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: connect() in xs to us, the active side (RFC 9293 MUST-10,
 * MUST-11): its SYN and options, our SYN-ACK, and simultaneous open with
 * SYNs and SYN-ACKs crossing, and a RST in its SYN_RECV.
 */
#include "inject.h"

/* Start a connect() in xs to us; the SYN must come. Returns 0 or -1. */
static int connect_active_syn(struct conn *c, uint16_t lport, struct xt_seg *syn)
{
	conn_init(c, lport);
	c->fd = xs_connect_in(NS_XS, lport, c->cport);
	if (!conn_recv(c, syn, REPLY_MS, 0)) {
		xt_check(0, "connect() sent a SYN");
		return -1;
	}
	xt_check(syn->flags == XT_SYN && syn->csum_ok && syn->opts_ok,
		 "connect() sent a SYN, well-formed");
	c->iss = syn->seq;
	c->ts_recent = syn->tsval;
	return syn->flags == XT_SYN ? 0 : -1;
}

static void connect_check_established(const struct conn *c, const char *what)
{
	short ev = xt_sock_poll(c->fd, POLLOUT, 1000);

	xt_check(ev == POLLOUT, "%s: connect() done, writable (revents 0x%x)",
		 what, ev);
	xt_check(xt_sock_error(c->fd) == 0, "%s: SO_ERROR 0", what);
	xt_check(xs_proc_count(NS_XS, c->sport, c->cport, "ESTABLISHED") == 1,
		 "%s: ESTABLISHED in /proc/net/xtcp", what);
}

void connect_active_open(void)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 2,
			  .sack = 1, .has_ts = 1, .tsval = 9000 };
	long act = xs_stat("ActiveOpens"), estab = xs_stat("CurrEstab");
	struct xt_seg syn, s;
	struct conn c;

	if (connect_active_syn(&c, 8082, &syn))
		return;
	xt_check(syn.win == SYN_WND, "SYN window %u, unscaled (got %u)", SYN_WND,
		 syn.win);
	xt_check(syn.mss == ROUTE_MSS && syn.ws == OUR_WSCALE && syn.sack_ok &&
		 syn.has_ts, "SYN offers MSS %d, WS %d, SACK_PERM, TS", ROUTE_MSS,
		 OUR_WSCALE);
	xt_check(xs_stat("ActiveOpens") - act == 1, "ActiveOpens +1");
	o.tsecr = syn.tsval;
	c.isn = 3000000000u;
	wire_send(c.cport, c.sport, XT_SYN | XT_ACK, c.isn, c.iss + 1, 65535, &o, 0);
	c.ts_recent = o.tsval;
	if (conn_expect(&c, &s, "SYN-ACK")) {
		xt_check(s.flags == XT_ACK && s.seq == c.iss + 1 &&
			 s.ack == c.isn + 1, "ACK <seq ISS+1, ack %u>", c.isn + 1);
		xt_check(s.has_ts && s.tsecr == o.tsval,
			 "ACK carries TS, TSecr %u", o.tsval);
	}
	connect_check_established(&c, "SYN-ACK");
	xt_check(xs_stat("CurrEstab") - estab == 1, "CurrEstab +1");

	c.ts = 1;
	c.tsval = o.tsval + 1;
	conn_send(&c, XT_SYN, c.isn + 50, 0, 0, 1);
	if (conn_expect(&c, &s, "SYN when ESTABLISHED (active side)")) {
		conn_check_ack(&c, &s, "challenge ACK");
		xt_check(s.has_ts, "challenge ACK carries TS");
	}
	conn_close(&c);
}

/* Both SYNs cross; our SYN without ACK puts xs in SYN_RECV. */
static int connect_simopen_start(struct conn *c, uint16_t lport)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 3,
			  .sack = 1, .has_ts = 1, .tsval = 6000 };
	long act = xs_stat("ActiveOpens");
	struct xt_seg syn, s;

	if (connect_active_syn(c, lport, &syn))
		return -1;
	c->isn = 0x7ffffff0u;
	o.tsecr = 0;
	conn_send_syn(c, &o);
	c->ts = 1;
	c->tsval = o.tsval + 1;
	c->ts_recent = syn.tsval;
	/* its SYN again (a 1 s RTO on a starved machine) is not the answer */
	do {
		if (!conn_expect(c, &s, "crossing SYN"))
			return -1;
	} while (s.flags == XT_SYN && s.seq == c->iss);
	xt_check(s.flags == (XT_SYN | XT_ACK) && s.seq == c->iss &&
		 s.ack == c->isn + 1,
		 "simultaneous open: SYN-ACK <seq ISS %u, ack %u>", c->iss,
		 c->isn + 1);
	xt_check(s.win == SYN_WND, "SYN-ACK window %u, unscaled (got %u)",
		 SYN_WND, s.win);
	xt_check(s.mss == ROUTE_MSS && s.ws == OUR_WSCALE && s.sack_ok &&
		 s.has_ts && s.tsecr == o.tsval,
		 "SYN-ACK options: MSS %d, WS %d, SACK_PERM, TS echoing %u",
		 ROUTE_MSS, OUR_WSCALE, o.tsval);
	xt_check(xs_proc_count(NS_XS, lport, c->cport, "SYN_RECV") == 1,
		 "xs's socket in SYN_RECV");
	xt_check(!(xt_sock_poll(c->fd, POLLOUT | POLLIN, 0) & (POLLOUT | POLLERR)),
		 "connect() still in progress");
	xt_check(xs_stat("ActiveOpens") - act == 1, "one active open");
	if (s.has_ts)
		c->ts_recent = s.tsval;
	return s.flags == (XT_SYN | XT_ACK) ? 0 : -1;
}

void connect_simopen(void)
{
	struct conn c;
	struct xt_seg s;

	if (connect_simopen_start(&c, 8083))
		return;
	conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 1);
	if (conn_recv(&c, &s, NONE_MS, 0))
		xt_check(!(s.flags & XT_RST), "no RST for the ACK");
	connect_check_established(&c, "ACK of its SYN-ACK");
	conn_close(&c);
}

void connect_crossed_syn(void)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 3,
			  .sack = 1, .has_ts = 1 };
	struct conn c;
	struct xt_seg s;

	if (connect_simopen_start(&c, 8084))
		return;
	/* our SYN-ACK, crossing xs's: the SYN again, acknowledging xs's */
	o.tsval = c.tsval++;
	o.tsecr = c.ts_recent;
	wire_send(c.cport, c.sport, XT_SYN | XT_ACK, c.isn, c.iss + 1, 65535, &o, 0);
	while (conn_recv(&c, &s, NONE_MS, 0))
		xt_check(!(s.flags & XT_RST), "no RST for the crossing SYN-ACK");
	connect_check_established(&c, "crossing SYN-ACK");
	conn_close(&c);
}

void connect_simopen_rst(void)
{
	long refused = xs_stat("ConnectRefused");
	struct conn c;
	short ev;

	if (connect_simopen_start(&c, 8085))
		return;
	conn_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	conn_expect_none(&c, "RST at RCV.NXT in SYN_RECV");
	ev = xt_sock_poll(c.fd, POLLOUT, 1000);
	xt_check(ev & POLLERR, "poll: POLLERR (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNREFUSED,
		 "active SYN_RECV + RST: connection refused (MUST-11), SO_ERROR ECONNREFUSED");
	xt_check(xs_stat("ConnectRefused") - refused == 1, "ConnectRefused +1");
	xt_check(xs_proc_count(NS_XS, 8085, 0, NULL) == 0,
		 "nothing left in /proc/net/xtcp (no return to LISTEN)");
	conn_close(&c);
}
