// SPDX-License-Identifier: GPL-2.0
/*
 * One connection as the injector plays it: our side built segment by
 * segment, xs's side a real socket (or request sock) whose answers we
 * read and check. Its ISN and ports are chosen so the log is readable.
 */
#include "inject.h"

static uint16_t conn_port_next = 40000;	/* our ports, one per connection */

/* A SYN's options with timestamps, for the scenarios that negotiate them. */
const struct xt_opts conn_opts_ts = {
	.has_mss = 1, .mss = 1460, .has_ts = 1, .tsval = 777,
};

void conn_init(struct conn *c, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->cport = conn_port_next++;
	c->sport = sport;
	/* distinct per connection, easy to read in the log */
	c->isn = 1000000u * (c->cport - 39000u);
	c->tsval = 5000u + c->cport;
	c->fd = -1;
}

/*
 * Abortively (SO_LINGER {1, 0}): the raw peer never answers a FIN, and
 * an orphan retransmitting it would outlive the scenario.
 */
void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		conn_close_fd(c->fd);
	c->fd = -1;
}

/* Close an accepted or connected fd the same way: abortively. */
void conn_close_fd(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Is @s a resend of @c's SYN-ACK (the request's retransmit timer)? */
int conn_is_synack_rtx(const struct conn *c, const struct xt_seg *s)
{
	return c->synacked && s->flags == (XT_SYN | XT_ACK) && s->seq == c->iss &&
	       s->ack == c->isn + 1;
}

/*
 * The next segment of connection @c within @ms: from xs's port to ours.
 * Others are printed and skipped; so are resends of c's SYN-ACK by the
 * request's timer (it fires 1 s after the SYN) when @skip_rtx is set.
 */
int conn_recv(const struct conn *c, struct xt_seg *s, int ms,
	      int skip_rtx)
{
	double end = xt_now() + ms / 1000.0;
	char str[256];

	for (;;) {
		double left = end - xt_now();

		if (left < 0 || !wire_recv(s, (int)(left * 1000)))
			return 0;
		xt_seg_str(s, str, sizeof(str));
		if (s->sport != c->sport || s->dport != c->cport) {
			xt_log("  < %s (other connection, skipped)", str);
			continue;
		}
		if (skip_rtx && conn_is_synack_rtx(c, s)) {
			xt_log("  < %s (SYN-ACK resent by the timer, skipped)",
			       str);
			continue;
		}
		xt_log("  < %s%s%s", str,
		       s->saddr == srv_addr ? "" : " (NOT FROM " SRV_ADDR ")",
		       s->daddr == inj_addr ? "" : " (NOT TO " INJ_ADDR ")");
		return 1;
	}
}

/* A reply on @c must come: checked, with its checksum and source. */
int conn_expect(const struct conn *c, struct xt_seg *s, const char *what)
{
	int got = conn_recv(c, s, REPLY_MS, 1);

	xt_check(got, "%s: xs answers", what);
	if (got)
		xt_check(s->csum_ok && s->opts_ok && s->saddr == srv_addr,
			 "%s: answer well-formed (checksum, options) and from %s",
			 what, SRV_ADDR);
	return got;
}

/* Nothing may come on @c for NONE_MS (SYN-ACK timer resends excepted). */
void conn_expect_none(const struct conn *c, const char *what)
{
	struct xt_seg s;
	int got = conn_recv(c, &s, NONE_MS, 1);

	xt_check(!got, "%s: no answer within %d ms", what, NONE_MS);
}

/* Send on @c, with TS (our next TSval, echoing ts_recent) if @ts. */
void conn_send(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	       unsigned int paylen, int ts)
{
	struct xt_opts o = { 0 };

	if (ts) {
		o.has_ts = 1;
		o.tsval = c->tsval++;
		o.tsecr = c->ts_recent;
	}
	wire_send(c->cport, c->sport, flags, seq, ack, 65535, ts ? &o : NULL,
		  paylen);
}

/* Send @c's SYN (ISN c->isn) with options @o. */
void conn_send_syn(struct conn *c, const struct xt_opts *o)
{
	wire_send(c->cport, c->sport, XT_SYN, c->isn, 0, 65535, o, 0);
}

/*
 * SYN with options @o to xs's listener; the SYN-ACK must come, with
 * ack = ISN + 1. Returns 0 with c->iss set, -1 if it did not.
 */
int conn_syn(struct conn *c, const struct xt_opts *o, struct xt_seg *synack)
{
	struct xt_seg s;

	conn_send_syn(c, o);
	if (!synack)
		synack = &s;
	if (!conn_expect(c, synack, "SYN"))
		return -1;
	xt_check(synack->flags == (XT_SYN | XT_ACK) && synack->ack == c->isn + 1,
		 "SYN answered by SYN-ACK with ack = ISN + 1 = %u", c->isn + 1);
	if (synack->flags != (XT_SYN | XT_ACK))
		return -1;
	c->iss = synack->seq;
	c->synacked = 1;
	c->t_synack = xt_now();
	c->ts = o && o->has_ts && synack->has_ts;
	if (synack->has_ts)
		c->ts_recent = synack->tsval;
	return 0;
}

/* The final ACK, with @paylen bytes, then accept(). Returns 0 or -1. */
int conn_ack_accept(struct conn *c, int lfd, unsigned int paylen)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);

	conn_send(c, XT_ACK, c->isn + 1, c->iss + 1, paylen, c->ts);
	c->fd = xt_sock_accept(lfd, 1000, NULL, NULL);
	xt_check(c->fd >= 0, "final ACK: accept() returns the connection");
	if (c->fd < 0)
		return -1;
	xt_check(!getpeername(c->fd, (struct sockaddr *)&peer, &len) &&
		 peer.sin_family == family &&
		 peer.sin_addr.s_addr == inj_addr &&
		 ntohs(peer.sin_port) == c->cport,
		 "accepted socket's peer is %s:%u, family %d (got family %d, port %u)",
		 INJ_ADDR, c->cport, family, peer.sin_family,
		 ntohs(peer.sin_port));
	return 0;
}

/*
 * Read what the accepted socket of @c received, waiting up to 1 s for
 * @len bytes. Returns the bytes read.
 */
int conn_read_payload(struct conn *c, unsigned int len)
{
	char buf[2048];
	unsigned int got = 0;
	ssize_t r;

	while (got < len && got < sizeof(buf)) {
		if (!(xt_sock_poll(c->fd, POLLIN, 1000) & POLLIN))
			break;
		r = recv(c->fd, buf + got, sizeof(buf) - got, MSG_DONTWAIT);
		if (r <= 0)
			break;
		got += r;
	}
	return got;
}

/* A connection to xs's listener, accepted. Returns 0 or -1. */
int conn_establish(struct conn *c, int lfd, const struct xt_opts *o)
{
	if (conn_syn(c, o, NULL))
		return -1;
	return conn_ack_accept(c, lfd, 0);
}

/*
 * A handshake that completes into the accept queue, not accepted: SYN,
 * SYN-ACK, final ACK, then ESTABLISHED in /proc/net/xtcp.
 */
int conn_queue(struct conn *c)
{
	if (conn_syn(c, NULL, NULL))
		return -1;
	conn_send(c, XT_ACK, c->isn + 1, c->iss + 1, 0, 0);
	if (conn_wait_proc(c, "ESTABLISHED", 1, 1000) != 1) {
		xt_check(0, "port %u: final ACK promoted the request", c->cport);
		xt_ns_proc_dump(NS_XS);
		return -1;
	}
	return 0;
}

/* accept() on @lfd now (non-blocking); its peer must be @c. */
int conn_accept_from(int lfd, const struct conn *c, int ms, const char *what)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd = xt_sock_accept(lfd, ms, NULL, NULL);

	xt_check(fd >= 0, "%s: accept() returns a connection", what);
	if (fd < 0)
		return -1;
	if (getpeername(fd, (struct sockaddr *)&peer, &len))
		peer.sin_port = 0;
	xt_check(ntohs(peer.sin_port) == c->cport,
		 "%s: accepted connection is from port %u (got %u)", what,
		 c->cport, ntohs(peer.sin_port));
	return fd;
}

/* Server state on @c: ACKs carry seq = ISS + 1, ack = ISN + 1. */
void conn_check_ack(const struct conn *c, const struct xt_seg *s,
		    const char *what)
{
	xt_check(s->flags == XT_ACK && s->seq == c->iss + 1 &&
		 s->ack == c->isn + 1,
		 "%s: ACK <seq %u, ack %u> (SND.NXT, RCV.NXT)", what,
		 c->iss + 1, c->isn + 1);
}

void conn_check_rst_seq(const struct xt_seg *s, uint32_t seq, const char *what)
{
	xt_check(s->flags == XT_RST && s->seq == seq,
		 "%s: RST <seq %u>, no ACK flag", what, seq);
}

void conn_check_rst_ack(const struct xt_seg *s, uint32_t ack, const char *what)
{
	xt_check(s->flags == (XT_RST | XT_ACK) && s->seq == 0 && s->ack == ack,
		 "%s: RST|ACK <seq 0, ack %u>", what, ack);
}

int conn_reqs(const struct conn *c)
{
	return xs_proc_count(NS_XS, c->sport, c->cport, "SYN_RECV");
}

int conn_estab(const struct conn *c)
{
	return xs_proc_count(NS_XS, c->sport, c->cport, "ESTABLISHED");
}

/*
 * Wait up to @ms, reading the tap meanwhile, for @c to have @n lines in
 * state @state in xs's /proc/net/xtcp. Returns the count last seen.
 */
int conn_wait_proc(const struct conn *c, const char *state, int n, int ms)
{
	double end = xt_now() + ms / 1000.0;
	int got;

	for (;;) {
		got = xs_proc_count(NS_XS, c->sport, c->cport, state);
		if (got == n || xt_now() > end)
			return got;
		wire_pump_until(xt_now() + 0.02);
	}
}

/*
 * Times (relative to its first SYN-ACK) of the resends of @c's SYN-ACK in
 * the history, into @t (room for @max). Returns how many there were.
 */
int conn_synack_resends(const struct conn *c, double *t, int max)
{
	int i, n = 0;

	for (i = 0; i < wire_nhist; i++) {
		if (wire_hist[i].t <= c->t_synack || wire_hist[i].s.sport != c->sport ||
		    wire_hist[i].s.dport != c->cport || !conn_is_synack_rtx(c, &wire_hist[i].s))
			continue;
		if (n < max)
			t[n] = wire_hist[i].t - c->t_synack;
		n++;
	}
	return n;
}

void conn_log_resends(const struct conn *c, const double *t, int n)
{
	char buf[128];
	int i, o = 0;

	buf[0] = 0;
	for (i = 0; i < n && i < 8; i++)
		o += snprintf(buf + o, sizeof(buf) - o, " %.2f", t[i]);
	xt_log("  port %u: %d SYN-ACK resend(s), at +s%s after the first", c->cport,
	       n, buf);
}
