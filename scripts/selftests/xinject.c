// SPDX-License-Identifier: GPL-2.0
/*
 * xinject SCENARIO: one handshake or security rule of xtcp, checked with
 * crafted segments. Run by inject.sh inside the "injector" namespace xi:
 *
 *   xs (192.0.2.1/24) vs ---- vi (192.0.2.2/24) xi
 *                             tc ingress on vi drops IP protocol 253
 *
 * xtcp is loaded for every namespace, so xi's own stack would answer what
 * xs sends; the tc filter keeps the replies away from it. We see them with
 * an AF_PACKET tap (ETH_P_ALL taps run before tc ingress) on vi, and send
 * through a raw IPv4 socket at the xtcp protocol number. The sockets under
 * test (listeners, connecting sockets) are created inside xs by setns(),
 * and stay there when we come back: a socket keeps its namespace. xs's
 * counters and /proc/net/xtcp are read the same way.
 *
 * Every segment sent and received is printed. `xinject list` names the
 * scenarios. Exit status as the other selftests: 0 pass, 1 fail.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>

#include "xt.h"

#define SRV_ADDR	"192.0.2.1"	/* xs */
#define INJ_ADDR	"192.0.2.2"	/* xi, the source of what we send */
#define INJ_IF		"vi"		/* xi's end of the veth */
#define LPORT		8080		/* the listener's port in xs */
#define ROUTE_MSS	1460		/* veth MTU 1500 - 40 */
#define SYN_WND		65535		/* window field of SYN and SYN-ACK */
#define OUR_WSCALE	7		/* the shift xtcp offers */
#define REQ_WND		65535U		/* a request sock's receive window */
#define REPLY_MS	1000		/* a reply comes within this (TCG is slow) */
/* ... when the request timer's resend at 1 s must not pass for the reply */
#define QUICK_MS	300
#define NONE_MS		250		/* listen this long for no reply */

enum { NS_XI, NS_XS, NS_XN, NS_MAX };

static int raw_fd;		/* sends */
static struct xt_cap cap;	/* captures, on vi */
static int proto;		/* xtcp's IP protocol number */
static int family;		/* AF_XTCP as loaded */
static uint32_t srv_addr, inj_addr;	/* network order */
static uint16_t port_next = 40000;	/* our ports, one per connection */

/*
 * One connection as the injector sees it: our port and ISN, the server
 * side's port and ISN, and what the server must be at once synchronized.
 */
struct conn {
	uint16_t cport;		/* ours */
	uint16_t sport;		/* xs's */
	uint32_t isn;		/* our ISN */
	uint32_t iss;		/* xs's ISN, once seen */
	int ts;			/* timestamps negotiated */
	uint32_t tsval;		/* our next TSval */
	uint32_t ts_recent;	/* xs's last TSval */
	int fd;			/* xs's socket for it (accepted or connecting) */
	int synacked;		/* xs's listener sent its SYN-ACK (c_syn()) */
	double t_synack;	/* when that SYN-ACK came (xt_now()) */
};

/*
 * Every segment the tap gave us, with the time it was read: a resend by a
 * request's timer can come while we wait for another connection's reply,
 * and timer scenarios look for it here afterwards.
 */
#define HIST_MAX	2048
static struct {
	struct xt_seg s;
	double t;
} hist[HIST_MAX];
static int nhist;
static double t_start;		/* the scenario's start, for the log */

/* ---- namespaces, counters, /proc/net/xtcp ---- */


static long xs_stat(const char *name)
{
	return xt_ns_stat(NS_XS, name);
}

/*
 * Lines of @ns's /proc/net/xtcp with this local port, remote port (0: any
 * remote, including the listener's 0.0.0.0:0) and state (NULL: any).
 * The remote address is ours, whatever the port.
 */
static int proc_count(int ns, uint16_t lport, uint16_t rport,
		      const char *state)
{
	struct xt_proc_want w = {
		.lport = lport,
		.raddr = rport ? inj_addr : 0, .rport = rport,
		.state = state,
	};

	return xt_ns_proc_count(ns, &w, NULL, 0);
}


/* ---- sockets under test ---- */

/* An xtcp listener in @ns on @addr:@port. */
static int ns_listen(int ns, const char *addr, uint16_t port, int backlog)
{
	int fd = xt_sock_listen(ns, xt_addr(addr), port, backlog, 0);

	xt_log("  listener on %s:%u in %s", addr, port, xt_ns_name(ns));
	return fd;
}

static int xs_listen(void)
{
	return ns_listen(NS_XS, SRV_ADDR, LPORT, 16);
}

/* A non-blocking connect() in @ns from SRV_ADDR:@lport to us at @rport. */
static int ns_connect(int ns, uint16_t lport, uint16_t rport)
{
	int err, fd = xt_sock_connect(ns, srv_addr, lport, inj_addr, rport,
				      &err);

	xt_check(err == EINPROGRESS,
		 "connect() %s:%u -> %s:%u in %s: EINPROGRESS (got %s)",
		 SRV_ADDR, lport, INJ_ADDR, rport, xt_ns_name(ns),
		 err ? strerror(err) : "no error");
	return fd;
}

/* ---- segments: format, build, send, capture ---- */

static int quiet;	/* don't print sent segments (bursts) */

/*
 * Send a segment from INJ_ADDR:@sport to SRV_ADDR:@dport with the options
 * described by @o (NULL: none) and @paylen bytes of payload.
 */
static void send_seg(uint16_t sport, uint16_t dport, uint8_t flags,
		     uint32_t seq, uint32_t ack, uint16_t win,
		     const struct xt_opts *o, unsigned int paylen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint8_t b[1500];
	unsigned int len;
	struct xt_hdr h;
	struct xt_seg s;
	char str[256];

	if (paylen > sizeof(b) - 60)
		xt_fatal("%s: %u bytes of payload", __func__, paylen);
	xt_seg_hdr_init(&h, sport, dport, flags, seq, ack);
	h.win = win;
	h.optlen = xt_seg_opts_linux(h.opt, o);
	h.paylen = paylen;
	len = xt_seg_build(b, sizeof(b), &h, inj_addr, srv_addr, 6);
	dst.sin_addr.s_addr = srv_addr;
	if (sendto(raw_fd, b, len, 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)len)
		xt_fatal("sendto");
	if (!quiet) {
		xt_seg_parse(b, len, inj_addr, srv_addr, &s);
		xt_seg_str(&s, str, sizeof(str));
		xt_log("  > %s", str);
	}
}

/*
 * The next xtcp segment that xs sent us (not our own, outgoing ones),
 * within @ms. Returns 1 with @s filled, 0 on timeout.
 */
static int recv_seg(struct xt_seg *s, int ms)
{
	if (!xt_cap_recv(&cap, s, ms))
		return 0;
	if (nhist < HIST_MAX) {
		hist[nhist].s = *s;
		hist[nhist].t = xt_now();
		nhist++;
	}
	return 1;
}

/* Drop whatever the tap has queued. */
static void recv_flush(void)
{
	struct xt_seg s;

	while (recv_seg(&s, 0))
		;
}

/* Is @s a resend of @c's SYN-ACK (the request's retransmit timer)? */
static int is_synack_rtx(const struct conn *c, const struct xt_seg *s)
{
	return c->synacked && s->flags == (XT_SYN | XT_ACK) && s->seq == c->iss &&
	       s->ack == c->isn + 1;
}

/*
 * The next segment of connection @c within @ms: from xs's port to ours.
 * Others are printed and skipped; so are resends of c's SYN-ACK by the
 * request's timer (it fires 1 s after the SYN) when @skip_rtx is set.
 */
static int recv_conn(const struct conn *c, struct xt_seg *s, int ms,
		     int skip_rtx)
{
	double end = xt_now() + ms / 1000.0;
	char str[256];

	for (;;) {
		double left = end - xt_now();

		if (left < 0 || !recv_seg(s, (int)(left * 1000)))
			return 0;
		xt_seg_str(s, str, sizeof(str));
		if (s->sport != c->sport || s->dport != c->cport) {
			xt_log("  < %s (other connection, skipped)", str);
			continue;
		}
		if (skip_rtx && is_synack_rtx(c, s)) {
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
static int expect_seg(const struct conn *c, struct xt_seg *s, const char *what)
{
	int got = recv_conn(c, s, REPLY_MS, 1);

	xt_check(got, "%s: xs answers", what);
	if (got)
		xt_check(s->csum_ok && s->opts_ok && s->saddr == srv_addr,
			 "%s: answer well-formed (checksum, options) and from %s",
			 what, SRV_ADDR);
	return got;
}

/* Nothing may come on @c for NONE_MS (SYN-ACK timer resends excepted). */
static void expect_none(const struct conn *c, const char *what)
{
	struct xt_seg s;
	int got = recv_conn(c, &s, NONE_MS, 1);

	xt_check(!got, "%s: no answer within %d ms", what, NONE_MS);
}

/* ---- connections ---- */

static void conn_init(struct conn *c, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->cport = port_next++;
	c->sport = sport;
	/* distinct per connection, easy to read in the log */
	c->isn = 1000000u * (c->cport - 39000u);
	c->tsval = 5000u + c->cport;
	c->fd = -1;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Send on @c, with TS (our next TSval, echoing ts_recent) if @ts. */
static void c_send(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
		   unsigned int paylen, int ts)
{
	struct xt_opts o = { 0 };

	if (ts) {
		o.has_ts = 1;
		o.tsval = c->tsval++;
		o.tsecr = c->ts_recent;
	}
	send_seg(c->cport, c->sport, flags, seq, ack, 65535, ts ? &o : NULL,
		 paylen);
}

/* Send @c's SYN (ISN c->isn) with options @o. */
static void c_send_syn(struct conn *c, const struct xt_opts *o)
{
	send_seg(c->cport, c->sport, XT_SYN, c->isn, 0, 65535, o, 0);
}

/*
 * SYN with options @o to xs's listener; the SYN-ACK must come, with
 * ack = ISN + 1. Returns 0 with c->iss set, -1 if it did not.
 */
static int c_syn(struct conn *c, const struct xt_opts *o, struct xt_seg *synack)
{
	struct xt_seg s;

	c_send_syn(c, o);
	if (!synack)
		synack = &s;
	if (!expect_seg(c, synack, "SYN"))
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
static int c_ack_accept(struct conn *c, int lfd, unsigned int paylen)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);

	c_send(c, XT_ACK, c->isn + 1, c->iss + 1, paylen, c->ts);
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

/* A connection to xs's listener, accepted. Returns 0 or -1. */
static int c_establish(struct conn *c, int lfd, const struct xt_opts *o)
{
	if (c_syn(c, o, NULL))
		return -1;
	return c_ack_accept(c, lfd, 0);
}

static const struct xt_opts opts_ts = {
	.has_mss = 1, .mss = 1460, .has_ts = 1, .tsval = 777,
};

/* Server state on @c: ACKs carry seq = ISS + 1, ack = ISN + 1. */
static void check_ack_of(const struct conn *c, const struct xt_seg *s,
			 const char *what)
{
	xt_check(s->flags == XT_ACK && s->seq == c->iss + 1 &&
		 s->ack == c->isn + 1,
		 "%s: ACK <seq %u, ack %u> (SND.NXT, RCV.NXT)", what,
		 c->iss + 1, c->isn + 1);
}

static void check_rst_seq(const struct xt_seg *s, uint32_t seq, const char *what)
{
	xt_check(s->flags == XT_RST && s->seq == seq,
		 "%s: RST <seq %u>, no ACK flag", what, seq);
}

static void check_rst_ack(const struct xt_seg *s, uint32_t ack, const char *what)
{
	xt_check(s->flags == (XT_RST | XT_ACK) && s->seq == 0 && s->ack == ack,
		 "%s: RST|ACK <seq 0, ack %u>", what, ack);
}

static int c_reqs(const struct conn *c)
{
	return proc_count(NS_XS, c->sport, c->cport, "SYN_RECV");
}

static int c_estab(const struct conn *c)
{
	return proc_count(NS_XS, c->sport, c->cport, "ESTABLISHED");
}

/* ---- scenarios: listener (RFC 9293 3.10.7.2) ---- */

static void sc_listen_rst(void)
{
	long ign = xs_stat("ListenIgnored"), rsts = xs_stat("OutRsts");
	struct conn c;

	xs_listen();
	conn_init(&c, LPORT);
	c_send(&c, XT_RST, 1000, 0, 0, 0);
	expect_none(&c, "RST to a listener");
	c_send(&c, XT_RST | XT_ACK, 2000, 12345, 0, 0);
	expect_none(&c, "RST|ACK to a listener");
	xt_check(xs_stat("ListenIgnored") - ign == 2,
		 "ListenIgnored +2 (got %+ld)", xs_stat("ListenIgnored") - ign);
	xt_check(xs_stat("OutRsts") == rsts, "OutRsts unchanged");
	xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "no request sock for the 4-tuple");
}

static void sc_listen_ack(void)
{
	static const struct {
		uint8_t flags;
		unsigned int len;
		const char *what;
	} t[] = {
		{ XT_ACK, 0, "ACK to a listener" },
		{ XT_SYN | XT_ACK, 0, "SYN-ACK to a listener" },
		{ XT_ACK | XT_PSH, 20, "ACK with data to a listener" },
		{ XT_FIN | XT_ACK, 0, "FIN|ACK to a listener" },
	};
	unsigned int i;
	struct xt_seg s;

	xs_listen();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct conn c;
		uint32_t ack = 0xabc00000u + i * 7777;

		conn_init(&c, LPORT);
		c_send(&c, t[i].flags, c.isn, ack, t[i].len, 0);
		if (expect_seg(&c, &s, t[i].what))
			check_rst_seq(&s, ack, t[i].what);
		xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
			 "%s: no request sock", t[i].what);
	}
}

static void sc_listen_synfin(void)
{
	long ign = xs_stat("ListenIgnored");
	struct conn c;

	xs_listen();
	conn_init(&c, LPORT);
	c_send(&c, XT_SYN | XT_FIN, c.isn, 0, 0, 0);
	expect_none(&c, "SYN+FIN to a listener");
	xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "SYN+FIN made no request sock");
	xt_check(xs_stat("ListenIgnored") - ign == 1, "ListenIgnored +1 (got %+ld)",
		 xs_stat("ListenIgnored") - ign);
}

static void sc_listen_noflags(void)
{
	static const struct {
		uint8_t flags;
		unsigned int len;
		const char *what;
	} t[] = {
		{ 0, 0, "no flags" },
		{ 0, 10, "no flags, data" },
		{ XT_FIN, 0, "FIN" },
		{ XT_PSH, 10, "PSH, data" },
		{ XT_URG, 0, "URG" },
		{ XT_FIN | XT_PSH | XT_URG, 5, "FIN|PSH|URG" },
	};
	long out = xs_stat("OutSegs");
	unsigned int i;

	xs_listen();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct conn c;

		conn_init(&c, LPORT);
		c_send(&c, t[i].flags, c.isn, 0, t[i].len, 0);
		expect_none(&c, t[i].what);
		xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
			 "%s: no request sock", t[i].what);
	}
	xt_check(xs_stat("OutSegs") == out, "xs sent nothing (OutSegs unchanged)");
}

/* ---- scenarios: SYN-ACK ---- */

static void sc_synack_basic(void)
{
	struct conn c;
	struct xt_seg s;

	xs_listen();
	conn_init(&c, LPORT);
	if (c_syn(&c, NULL, &s))
		return;
	xt_check(s.flags == (XT_SYN | XT_ACK), "flags exactly SYN|ACK");
	xt_check(s.win == SYN_WND, "window %u (got %u)", SYN_WND, s.win);
	xt_check(s.mss == ROUTE_MSS, "MSS option %d, from the route (got %d)",
		 ROUTE_MSS, s.mss);
	xt_check(s.ws < 0 && !s.sack_ok && !s.has_ts,
		 "a SYN without options gets MSS only: no WS, SACK_PERM, TS");
	xt_check(s.paylen == 0, "no payload");
	xt_check(c_reqs(&c) == 1, "/proc/net/xtcp shows the request as SYN_RECV");
	if (c_reqs(&c) != 1)
		xt_ns_proc_dump(NS_XS);
}

static void sc_synack_opts(void)
{
	static const struct {
		struct xt_opts o;
		const char *what;
	} t[] = {
		{ { .has_mss = 1, .mss = 1200 }, "MSS only" },
		{ { .has_ws = 1, .ws = 2 }, "WS only" },
		{ { .sack = 1 }, "SACK_PERM only" },
		{ { .has_ts = 1, .tsval = 0x11223344 }, "TS only" },
		{ { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 5, .sack = 1,
		    .has_ts = 1, .tsval = 0xfedcba98 }, "MSS, WS, SACK_PERM, TS" },
		{ { .has_ws = 1, .ws = 0, .has_ts = 1, .tsval = 1 }, "WS 0, TS" },
	};
	unsigned int i;

	xs_listen();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		const struct xt_opts *o = &t[i].o;
		struct conn c;
		struct xt_seg s;

		xt_log("  -- SYN with %s", t[i].what);
		conn_init(&c, LPORT);
		if (c_syn(&c, o, &s))
			continue;
		xt_check(s.mss == ROUTE_MSS, "%s: MSS %d (got %d)", t[i].what,
			 ROUTE_MSS, s.mss);
		xt_check(s.win == SYN_WND, "%s: window %u (got %u)", t[i].what,
			 SYN_WND, s.win);
		if (o->has_ws)
			xt_check(s.ws == OUR_WSCALE, "%s: WS %d (got %d)",
				 t[i].what, OUR_WSCALE, s.ws);
		else
			xt_check(s.ws < 0, "%s: no WS", t[i].what);
		xt_check(s.sack_ok == o->sack, "%s: SACK_PERM %s", t[i].what,
			 o->sack ? "present" : "absent");
		if (o->has_ts)
			xt_check(s.has_ts && s.tsecr == o->tsval,
				 "%s: TS with TSecr = the SYN's TSval %u",
				 t[i].what, o->tsval);
		else
			xt_check(!s.has_ts, "%s: no TS", t[i].what);
	}
}

/* RFC 7323 2.2: the window of a SYN-ACK is never scaled. */
static void sc_synack_window(void)
{
	static const int shifts[] = { 14, 9, 7, 1, 0, -1 };
	unsigned int i;

	xs_listen();
	for (i = 0; i < ARRAY_SIZE(shifts); i++) {
		struct xt_opts o = { .has_mss = 1, .mss = 1460 };
		struct conn c;
		struct xt_seg s;

		if (shifts[i] >= 0) {
			o.has_ws = 1;
			o.ws = shifts[i];
		}
		conn_init(&c, LPORT);
		if (c_syn(&c, &o, &s))
			continue;
		xt_check(s.win == SYN_WND,
			 "SYN with WS %d: SYN-ACK window %u, unscaled (got %u)",
			 shifts[i], SYN_WND, s.win);
		if (shifts[i] >= 0)
			xt_check(s.ws == OUR_WSCALE, "... and WS %d (got %d)",
				 OUR_WSCALE, s.ws);
	}
}

/* ---- scenarios: request socks ---- */

static int same_synack(const struct xt_seg *a, const struct xt_seg *b)
{
	return a->flags == b->flags && a->seq == b->seq && a->ack == b->ack &&
	       a->win == b->win && a->mss == b->mss && a->ws == b->ws &&
	       a->sack_ok == b->sack_ok && a->has_ts == b->has_ts &&
	       (!a->has_ts || a->tsecr == b->tsecr);
}

static void sc_syn_repeat(void)
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
	if (c_syn(&c, &o, &first))
		return;
	t0 = xt_now();

	xt_log("  -- the same SYN again at once: the SYN-ACK again");
	c_send_syn(&c, &o);
	got = recv_conn(&c, &s, QUICK_MS, 0);
	xt_check(got, "repeated SYN answered");
	if (got)
		xt_check(same_synack(&first, &s),
			 "... by the same SYN-ACK (ISN %u, same options)", c.iss);

	xt_log("  -- and again, within 500 ms: nothing");
	c_send_syn(&c, &o);
	got = recv_conn(&c, &s, NONE_MS, 0);
	xt_check(!got, "second repeat within 500 ms not answered");

	/* 600 ms after the last answer, before the timer's resend at 1 s */
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	xt_log("  -- again 600 ms later: answered");
	c_send_syn(&c, &o);
	got = recv_conn(&c, &s, QUICK_MS, 0);
	xt_check(got && same_synack(&first, &s),
		 "repeat after 500 ms answered by the same SYN-ACK");

	xt_check(xs_stat("SynAckResends") - resends == 2,
		 "SynAckResends +2 (got %+ld)", xs_stat("SynAckResends") - resends);
	xt_check(c_reqs(&c) == 1,
		 "exactly one SYN_RECV line for the 4-tuple (got %d)", c_reqs(&c));
	xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 1,
		 "and no other line for it");
	if (c_reqs(&c) != 1)
		xt_ns_proc_dump(NS_XS);
}

/* Window [ISN+1, ISN+1+65535), ISN chosen to make it wrap 2^32. */
static void sc_req_oow(void)
{
	long oow = xs_stat("OutOfWindow"), passive = xs_stat("PassiveOpens");
	struct conn c, d;
	struct xt_seg s;
	double t0;
	int lfd = xs_listen();

	conn_init(&c, LPORT);
	c.isn = 0xffffff00u;
	if (c_syn(&c, NULL, NULL))
		return;

	xt_log("  -- ACK just past the window: duplicate ACK");
	c_send(&c, XT_ACK, c.isn + 1 + REQ_WND, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "ACK at RCV.NXT + 65535"))
		check_ack_of(&c, &s, "ACK at RCV.NXT + 65535");
	xt_log("  -- another at once, just before the window: rate-limited");
	c_send(&c, XT_ACK, c.isn, c.iss + 1, 0, 0);
	expect_none(&c, "second out-of-window ACK within 500 ms");
	xt_log("  -- out-of-window RSTs: ignored");
	c_send(&c, XT_RST, c.isn + 1 + REQ_WND + 1000, 0, 0, 0);
	c_send(&c, XT_RST | XT_ACK, c.isn - 5, c.iss + 1, 0, 0);
	expect_none(&c, "out-of-window RSTs");
	xt_check(xs_stat("OutOfWindow") - oow == 4, "OutOfWindow +4 (got %+ld)",
		 xs_stat("OutOfWindow") - oow);
	xt_check(c_reqs(&c) == 1, "the request is kept");

	xt_log("  -- a second request, 600 ms after its SYN-ACK");
	conn_init(&d, LPORT);
	if (c_syn(&d, NULL, NULL))
		return;
	t0 = xt_now();
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	c_send(&d, XT_ACK | XT_PSH, d.isn - 1000, d.iss + 1, 10, 0);
	if (expect_seg(&d, &s, "old data before the window"))
		check_ack_of(&d, &s, "old data before the window");

	xt_log("  -- the kept request still completes");
	if (!c_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "PassiveOpens +1");
}

static void sc_req_rst(void)
{
	long emb = xs_stat("EmbryonicRsts");
	struct conn a, b, n;
	struct xt_seg s;

	xs_listen();
	conn_init(&a, LPORT);
	conn_init(&b, LPORT);
	if (c_syn(&a, NULL, NULL) || c_syn(&b, NULL, NULL))
		return;
	xt_log("  -- RST at RCV.NXT");
	c_send(&a, XT_RST, a.isn + 1, 0, 0, 0);
	expect_none(&a, "in-window RST");
	xt_check(c_reqs(&a) == 0, "request dropped");
	xt_log("  -- RST|ACK inside the window, not at RCV.NXT");
	c_send(&b, XT_RST | XT_ACK, b.isn + 1 + 30000, b.iss + 1, 0, 0);
	expect_none(&b, "in-window RST|ACK");
	xt_check(c_reqs(&b) == 0, "request dropped");
	xt_check(xs_stat("EmbryonicRsts") - emb == 2, "EmbryonicRsts +2 (got %+ld)",
		 xs_stat("EmbryonicRsts") - emb);

	xt_log("  -- the final ACK now meets the listener: RST");
	c_send(&a, XT_ACK, a.isn + 1, a.iss + 1, 0, 0);
	if (expect_seg(&a, &s, "ACK after the request was dropped"))
		check_rst_seq(&s, a.iss + 1, "ACK after the request was dropped");

	xt_log("  -- the listener is unharmed (RFC 9293 MUST-11, passive)");
	xt_check(proc_count(NS_XS, LPORT, 0, "LISTEN") == 1, "still LISTEN");
	conn_init(&n, LPORT);
	c_syn(&n, NULL, NULL);
}

static void sc_req_syn(void)
{
	long emb = xs_stat("EmbryonicRsts");
	struct conn c;
	struct xt_seg s;
	uint32_t seq;

	xs_listen();
	conn_init(&c, LPORT);
	if (c_syn(&c, NULL, NULL))
		return;
	seq = c.isn + 1 + 100;
	c_send(&c, XT_SYN, seq, 0, 0, 0);
	if (expect_seg(&c, &s, "in-window SYN with another ISN"))
		check_rst_ack(&s, seq + 1, "in-window SYN with another ISN");
	xt_check(c_reqs(&c) == 0, "request dropped");
	xt_check(xs_stat("EmbryonicRsts") - emb == 1, "EmbryonicRsts +1 (got %+ld)",
		 xs_stat("EmbryonicRsts") - emb);
	c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "the old final ACK"))
		check_rst_seq(&s, c.iss + 1, "the old final ACK meets the listener");
}

static void sc_req_bad_ack(void)
{
	long bad = xs_stat("BadAcks"), passive = xs_stat("PassiveOpens");
	static const int32_t off[] = { 2, 0, -1000, 0x40000000 };
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;
	unsigned int i;

	conn_init(&c, LPORT);
	if (c_syn(&c, NULL, NULL))
		return;
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		uint32_t ack = c.iss + off[i];
		char what[64];

		snprintf(what, sizeof(what), "ACK with ack = ISS%+d", off[i]);
		c_send(&c, XT_ACK, c.isn + 1, ack, 0, 0);
		if (expect_seg(&c, &s, what))
			check_rst_seq(&s, ack, what);
	}
	xt_check(xs_stat("BadAcks") - bad == 4, "BadAcks +4 (got %+ld)",
		 xs_stat("BadAcks") - bad);
	xt_check(c_reqs(&c) == 1, "the request is kept");
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "nothing to accept");
	if (!c_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "the right ACK still promotes it: PassiveOpens +1");
}

static void sc_promote(void)
{
	long passive = xs_stat("PassiveOpens"), estab = xs_stat("CurrEstab");
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (c_syn(&c, NULL, NULL))
		return;
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "nothing to accept before the ACK");
	if (c_ack_accept(&c, lfd, 0))
		return;
	expect_none(&c, "the final ACK");
	xt_check(!getsockname(c.fd, (struct sockaddr *)&me, &len) &&
		 me.sin_family == family && me.sin_addr.s_addr == srv_addr &&
		 ntohs(me.sin_port) == LPORT,
		 "accepted socket's name is %s:%u, family %d", SRV_ADDR, LPORT,
		 family);
	xt_check(xs_stat("PassiveOpens") - passive == 1, "PassiveOpens +1");
	xt_check(xs_stat("CurrEstab") - estab == 1, "CurrEstab +1 (got %+ld)",
		 xs_stat("CurrEstab") - estab);
	xt_check(c_estab(&c) == 1 && c_reqs(&c) == 0,
		 "/proc/net/xtcp: ESTABLISHED, no SYN_RECV left");
	xt_check(xt_sock_poll(c.fd, POLLOUT, 0) == POLLOUT, "accepted socket writable, no error");
	xt_check(xt_sock_error(c.fd) == 0, "SO_ERROR 0");
	conn_close(&c);
}

static void sc_req_ts_missing(void)
{
	long nots = xs_stat("InNoTimestamp"), passive = xs_stat("PassiveOpens");
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (c_syn(&c, &opts_ts, NULL))
		return;
	xt_check(c.ts, "timestamps negotiated");
	c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	expect_none(&c, "final ACK without TS");
	xt_check(xs_stat("InNoTimestamp") - nots == 1, "InNoTimestamp +1 (got %+ld)",
		 xs_stat("InNoTimestamp") - nots);
	xt_check(xt_sock_accept(lfd, 0, NULL, NULL) < 0, "not promoted");
	xt_check(c_reqs(&c) == 1, "the request is kept");
	if (!c_ack_accept(&c, lfd, 0))
		xt_check(xs_stat("PassiveOpens") - passive == 1,
			 "the ACK with TS promotes it: PassiveOpens +1");
}

static void sc_data_on_ack(void)
{
	long dropped = xs_stat("InDataDropped");
	long passive = xs_stat("PassiveOpens");
	int lfd = xs_listen();
	struct conn c;

	conn_init(&c, LPORT);
	if (c_syn(&c, NULL, NULL))
		return;
	if (c_ack_accept(&c, lfd, 100))
		return;
	xt_check(xs_stat("PassiveOpens") - passive == 1, "PassiveOpens +1");
	xt_check(xs_stat("InDataDropped") - dropped == 1,
		 "payload counted as InDataDropped (got %+ld)",
		 xs_stat("InDataDropped") - dropped);
	conn_close(&c);
}

static void xs_sysctl_must(const char *name, int val);

/*
 * syncookies=2: no request sock, the SYN-ACK's ISN is a cookie, and a final
 * ACK that carries data still makes the connection (behaviours.md,
 * Cookies). The data is counted until the data path takes it.
 */
static void sc_cookie_data(void)
{
	long recv = xs_stat("SyncookiesRecv"), dropped = xs_stat("InDataDropped");
	int lfd;
	struct conn c;

	xs_sysctl_must("syncookies", 2);
	lfd = xs_listen();
	conn_init(&c, LPORT);
	if (!c_syn(&c, NULL, NULL)) {
		xt_check(c_reqs(&c) == 0, "no request sock kept for the cookie SYN-ACK");
		if (!c_ack_accept(&c, lfd, 100)) {
			xt_check(xs_stat("SyncookiesRecv") - recv == 1,
				 "SyncookiesRecv +1");
			xt_check(xs_stat("InDataDropped") - dropped == 1,
				 "the payload counted as InDataDropped");
		}
	}
	conn_close(&c);
	xs_sysctl_must("syncookies", 1);
}

/*
 * A cookie ACK that meets a full accept queue is dropped, not answered:
 * the client's next ACK (after its retransmission timeout) may connect
 * once there is room, as the cookie stays good for a while.
 */
static void sc_cookie_acceptq_full(void)
{
	long ovf = xs_stat("ListenOverflows"), rsts;
	int lfd, fd;
	struct conn a, b;

	xs_sysctl_must("syncookies", 2);
	lfd = ns_listen(NS_XS, SRV_ADDR, LPORT, 0);	/* room for one */
	conn_init(&b, LPORT);
	conn_init(&a, LPORT);
	if (c_syn(&b, NULL, NULL) || c_syn(&a, NULL, NULL))
		goto out;
	/* A completes and stays queued: the queue (backlog 0) is full */
	c_send(&a, XT_ACK, a.isn + 1, a.iss + 1, 0, a.ts);
	expect_none(&a, "A's final ACK");
	rsts = xs_stat("OutRsts");
	c_send(&b, XT_ACK, b.isn + 1, b.iss + 1, 0, b.ts);
	expect_none(&b, "cookie ACK on a full accept queue");
	xt_check(xs_stat("ListenOverflows") - ovf == 1, "ListenOverflows +1");
	xt_check(xs_stat("OutRsts") == rsts, "no RST");
	a.fd = xt_sock_accept(lfd, 300, NULL, NULL);
	xt_check(a.fd >= 0, "accept() returns A");
	fd = xt_sock_accept(lfd, 300, NULL, NULL);
	xt_check(fd < 0, "and nothing else: B was not queued");
	if (fd >= 0)
		close(fd);
	/* room now: B's ACK again, as after its retransmission timeout */
	c_send(&b, XT_ACK, b.isn + 1, b.iss + 1, 0, b.ts);
	b.fd = xt_sock_accept(lfd, 1000, NULL, NULL);
	xt_check(b.fd >= 0, "B's ACK again, with room now: connected through the cookie");
out:
	conn_close(&a);
	conn_close(&b);
	close(lfd);
	xs_sysctl_must("syncookies", 1);
}

/* A cookie ACK sent again finds the connection it made: no second one. */
static void sc_cookie_replay(void)
{
	long passive, recv;
	int lfd, fd2;
	struct conn c;

	xs_sysctl_must("syncookies", 2);
	lfd = xs_listen();
	conn_init(&c, LPORT);
	if (!c_syn(&c, NULL, NULL) && !c_ack_accept(&c, lfd, 0)) {
		passive = xs_stat("PassiveOpens");
		recv = xs_stat("SyncookiesRecv");
		c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, c.ts);
		c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, c.ts);
		fd2 = xt_sock_accept(lfd, 500, NULL, NULL);
		xt_check(fd2 < 0, "the replayed ACK made no second connection");
		if (fd2 >= 0)
			close(fd2);
		xt_check(xs_stat("PassiveOpens") == passive &&
			 xs_stat("SyncookiesRecv") == recv,
			 "PassiveOpens and SyncookiesRecv unchanged (the connection took it)");
		xt_check(c_reqs(&c) == 0, "no request sock either");
	}
	conn_close(&c);
	xs_sysctl_must("syncookies", 1);
}

/* ---- scenarios: ESTABLISHED (RFC 5961) ---- */

static void sc_est_rst(void)
{
	long resets = xs_stat("EstabResets"), estab;
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;
	short ev;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, NULL))
		return;
	estab = xs_stat("CurrEstab");
	c_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	expect_none(&c, "RST at RCV.NXT");
	ev = xt_sock_poll(c.fd, POLLIN, 500);
	xt_check((ev & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
		 "poll: POLLERR|POLLHUP (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNRESET, "SO_ERROR ECONNRESET (got %d)",
		 xt_sock_error(c.fd));
	xt_check(xs_stat("EstabResets") - resets == 1, "EstabResets +1");
	xt_check(xs_stat("CurrEstab") - estab == -1, "CurrEstab -1 (got %+ld)",
		 xs_stat("CurrEstab") - estab);
	xt_check(proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "gone from /proc/net/xtcp");
	c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "ACK after the reset"))
		check_rst_seq(&s, c.iss + 1, "ACK after the reset meets the listener");
	conn_close(&c);
}

static void sc_est_rst_inwin(void)
{
	long chal = xs_stat("ChallengeAcks"), resets = xs_stat("EstabResets");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, NULL))
		return;
	xt_log("  -- RST inside the window, not at RCV.NXT: challenge ACK");
	c_send(&c, XT_RST, c.isn + 1 + 1000, 0, 0, 0);
	if (expect_seg(&c, &s, "RST at RCV.NXT + 1000"))
		check_ack_of(&c, &s, "challenge ACK");
	c_send(&c, XT_RST | XT_ACK, c.isn + 2, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "RST|ACK at RCV.NXT + 1"))
		check_ack_of(&c, &s, "challenge ACK");
	xt_log("  -- RSTs outside the window: dropped");
	c_send(&c, XT_RST, c.isn + 1 + 200000, 0, 0, 0);
	c_send(&c, XT_RST, c.isn, 0, 0, 0);
	expect_none(&c, "out-of-window RSTs");
	xt_check(xs_stat("ChallengeAcks") - chal == 2, "ChallengeAcks +2 (got %+ld)",
		 xs_stat("ChallengeAcks") - chal);
	xt_check(xs_stat("EstabResets") == resets, "EstabResets unchanged");
	xt_check(xt_sock_error(c.fd) == 0 && !(xt_sock_poll(c.fd, POLLIN, 0) & (POLLERR | POLLHUP)),
		 "connection intact: no error, no hangup");
	xt_check(c_estab(&c) == 1, "still ESTABLISHED");
	conn_close(&c);
}

static void sc_est_syn(void)
{
	long chal = xs_stat("ChallengeAcks");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, NULL))
		return;
	xt_log("  -- the original SYN again");
	c_send_syn(&c, NULL);
	if (expect_seg(&c, &s, "SYN (original ISN) when ESTABLISHED"))
		check_ack_of(&c, &s, "challenge ACK");
	xt_log("  -- a SYN inside the window");
	c_send(&c, XT_SYN, c.isn + 500, 0, 0, 0);
	if (expect_seg(&c, &s, "in-window SYN when ESTABLISHED"))
		check_ack_of(&c, &s, "challenge ACK");
	xt_log("  -- a SYN far away");
	c_send(&c, XT_SYN, c.isn + 0x50000000u, 0, 0, 0);
	if (expect_seg(&c, &s, "out-of-window SYN when ESTABLISHED"))
		check_ack_of(&c, &s, "ACK");
	xt_check(xs_stat("ChallengeAcks") - chal == 3, "ChallengeAcks +3 (got %+ld)",
		 xs_stat("ChallengeAcks") - chal);
	xt_check(xt_sock_error(c.fd) == 0 && c_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

static void sc_est_oow(void)
{
	long oow = xs_stat("OutOfWindow");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, NULL))
		return;
	c_send(&c, XT_ACK, c.isn + 1 + 100000, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "ACK beyond the window"))
		check_ack_of(&c, &s, "ACK beyond the window");
	c_send(&c, XT_ACK | XT_PSH, c.isn + 1 - 1000, c.iss + 1, 20, 0);
	if (expect_seg(&c, &s, "old data"))
		check_ack_of(&c, &s, "old data");
	c_send(&c, XT_ACK | XT_FIN, c.isn + 1 + 0x60000000u, c.iss + 1, 0, 0);
	if (expect_seg(&c, &s, "FIN far away"))
		check_ack_of(&c, &s, "FIN far away");
	xt_check(xs_stat("OutOfWindow") - oow == 3, "OutOfWindow +3 (got %+ld)",
		 xs_stat("OutOfWindow") - oow);
	xt_check(xt_sock_error(c.fd) == 0 && c_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

/*
 * @n in-window SYNs on each of the @nc connections @c, interleaved, at
 * once; the challenge ACKs seen for each go to @acks.
 */
static void syn_burst(struct conn *c, int nc, int n, int *acks)
{
	int i, k, other = 0;
	struct xt_seg s;

	quiet = 1;
	for (i = 0; i < n; i++)
		for (k = 0; k < nc; k++)
			c_send(&c[k], XT_SYN, c[k].isn + 100 + i, 0, 0, 0);
	quiet = 0;
	for (k = 0; k < nc; k++) {
		acks[k] = 0;
		xt_log("  > %d SYNs %u > %u%s", n, c[k].cport, c[k].sport,
		       nc > 1 ? " (interleaved)" : "");
	}
	while (recv_seg(&s, QUICK_MS)) {
		for (k = 0; k < nc; k++)
			if (s.sport == c[k].sport && s.dport == c[k].cport)
				break;
		if (k < nc && s.flags == XT_ACK && s.seq == c[k].iss + 1 &&
		    s.ack == c[k].isn + 1)
			acks[k]++;
		else
			other++;
	}
	xt_check(!other, "only challenge ACKs came back (%d other)", other);
	for (k = 0; k < nc; k++)
		xt_log("  %u > %u: %d challenge ACKs", c[k].sport, c[k].cport,
		       acks[k]);
}

static void sc_challenge_limit(void)
{
	long chal = 0, lim = 0;
	int lfd = xs_listen(), acks = 0, tries;
	struct conn c;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, NULL))
		return;
	for (tries = 0; tries < 2; tries++) {
		chal = xs_stat("ChallengeAcks");
		lim = xs_stat("ChallengeAcksLimited");
		syn_burst(&c, 1, 30, &acks);
		if (acks <= 10)
			break;
		/* the limiter's second turned during the burst */
		xt_log("  more than 10: a second boundary fell in the burst? once more");
		usleep(1100000);
	}
	xt_check(acks >= 1 && acks <= 10, "30 SYNs: 1 to 10 challenge ACKs (got %d)",
		 acks);
	xt_check(xs_stat("ChallengeAcks") - chal == acks,
		 "ChallengeAcks counts them (%+ld)", xs_stat("ChallengeAcks") - chal);
	xt_check(xs_stat("ChallengeAcksLimited") - lim == 30 - acks,
		 "ChallengeAcksLimited counts the rest (%+ld)",
		 xs_stat("ChallengeAcksLimited") - lim);
	xt_check(xt_sock_error(c.fd) == 0 && c_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

/*
 * CVE-2016-5696: one socket's budget must not be another's. Two sockets
 * get 30 SYNs each, interleaved: each may see at most 10 challenge ACKs,
 * and together more than one budget of 10.
 */
static void sc_challenge_per_socket(void)
{
	int lfd = xs_listen(), acks[2] = { 0, 0 }, tries;
	struct conn c[2];

	conn_init(&c[0], LPORT);
	conn_init(&c[1], LPORT);
	if (c_establish(&c[0], lfd, NULL) || c_establish(&c[1], lfd, NULL))
		return;
	for (tries = 0; tries < 2; tries++) {
		syn_burst(c, 2, 30, acks);
		if (acks[0] <= 10 && acks[1] <= 10)
			break;
		xt_log("  more than 10: a second boundary fell in the burst? once more");
		usleep(1100000);
	}
	xt_check(acks[0] >= 1 && acks[0] <= 10 && acks[1] >= 1 && acks[1] <= 10,
		 "each socket: 1 to 10 challenge ACKs (got %d and %d)", acks[0],
		 acks[1]);
	xt_check(acks[0] + acks[1] > 10,
		 "together more than one budget of 10: the limit is per socket (got %d)",
		 acks[0] + acks[1]);
	conn_close(&c[0]);
	conn_close(&c[1]);
}

/* ---- scenarios: timestamps (RFC 7323) ---- */

static void check_ts(const struct xt_seg *s, uint32_t *last, uint32_t ecr,
		     const char *what)
{
	xt_check(s->has_ts, "%s: carries TS", what);
	if (!s->has_ts)
		return;
	xt_check(s->tsecr == ecr, "%s: TSecr %u, the TSval xs last took (got %u)",
		 what, ecr, s->tsecr);
	xt_check((int32_t)(s->tsval - *last) >= 0,
		 "%s: TSval %u does not go back (last %u)", what, s->tsval, *last);
	*last = s->tsval;
}

static void sc_ts_every(void)
{
	int lfd = xs_listen();
	uint32_t last, ecr;
	struct conn c, d;
	struct xt_seg s;
	double t0;

	xt_log("  -- request sock: duplicate ACK 600 ms after the SYN-ACK");
	conn_init(&d, LPORT);
	if (c_syn(&d, &opts_ts, &s))
		return;
	last = s.tsval;
	t0 = xt_now();
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	c_send(&d, XT_ACK, d.isn + 1 + REQ_WND + 10, d.iss + 1, 0, 1);
	if (expect_seg(&d, &s, "out-of-window ACK to a request")) {
		check_ack_of(&d, &s, "request's duplicate ACK");
		/* the SYN's TSval: an out-of-window one is not taken */
		check_ts(&s, &last, opts_ts.tsval, "request's duplicate ACK");
	}

	xt_log("  -- connection");
	conn_init(&c, LPORT);
	if (c_syn(&c, &opts_ts, &s))
		return;
	last = s.tsval;
	xt_check(s.has_ts && s.tsecr == opts_ts.tsval,
		 "SYN-ACK carries TS, TSecr %u", opts_ts.tsval);
	ecr = c.tsval;		/* what the final ACK will carry */
	if (c_ack_accept(&c, lfd, 0))
		return;

	c_send(&c, XT_SYN, c.isn + 10, 0, 0, 1);
	if (expect_seg(&c, &s, "SYN")) {
		check_ack_of(&c, &s, "challenge ACK for a SYN");
		check_ts(&s, &last, ecr, "challenge ACK for a SYN");
	}
	c_send(&c, XT_RST, c.isn + 100, 0, 0, 1);
	if (expect_seg(&c, &s, "in-window RST")) {
		check_ack_of(&c, &s, "challenge ACK for a RST");
		check_ts(&s, &last, ecr, "challenge ACK for a RST");
	}
	c_send(&c, XT_ACK, c.isn + 1 + 100000, c.iss + 1, 0, 1);
	if (expect_seg(&c, &s, "out-of-window ACK")) {
		check_ack_of(&c, &s, "duplicate ACK");
		check_ts(&s, &last, ecr, "duplicate ACK");
	}
	conn_close(&c);
}

/* A peer that stops sending timestamps mid-connection. */
static void sc_ts_stop(void)
{
	long nots = xs_stat("InNoTimestamp"), resets = xs_stat("EstabResets");
	int lfd = xs_listen();
	struct conn c;
	short ev;

	conn_init(&c, LPORT);
	if (c_establish(&c, lfd, &opts_ts))
		return;
	xt_check(c.ts, "timestamps negotiated");
	c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	c_send(&c, XT_ACK | XT_PSH, c.isn + 1, c.iss + 1, 30, 0);
	expect_none(&c, "ACKs without TS (RFC 7323 3.2: dropped silently)");
	xt_check(xs_stat("InNoTimestamp") - nots == 2, "InNoTimestamp +2 (got %+ld)",
		 xs_stat("InNoTimestamp") - nots);
	xt_check(xt_sock_error(c.fd) == 0 && c_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	xt_log("  -- a RST without TS at RCV.NXT still resets (RFC 7323 5.2)");
	c_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	expect_none(&c, "RST without TS");
	ev = xt_sock_poll(c.fd, POLLIN, 500);
	xt_check(ev & POLLERR, "poll: POLLERR (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNRESET, "SO_ERROR ECONNRESET");
	xt_check(xs_stat("EstabResets") - resets == 1, "EstabResets +1");
	conn_close(&c);
}

/* ---- scenarios: no socket (RFC 9293 3.10.7.1) ---- */

static void sc_nosock_rst(void)
{
	static const struct {
		uint8_t flags;
		unsigned int len;
		int add;		/* SEG.LEN, for the RST's ack */
		const char *what;
	} t[] = {
		{ XT_SYN, 0, 1, "SYN" },
		{ XT_SYN, 5, 6, "SYN with 5 bytes" },
		{ XT_FIN, 0, 1, "FIN" },
		{ XT_SYN | XT_FIN, 3, 5, "SYN|FIN with 3 bytes" },
		{ 0, 7, 7, "no flags, 7 bytes" },
		{ XT_PSH, 0, 0, "PSH" },
		{ XT_ACK, 0, -1, "ACK" },
		{ XT_SYN | XT_ACK, 0, -1, "SYN-ACK" },
		{ XT_FIN | XT_ACK | XT_PSH, 9, -1, "FIN|PSH|ACK with 9 bytes" },
	};
	long nosock = xs_stat("InNoSocket"), rsts = xs_stat("OutRsts");
	unsigned int i, n = ARRAY_SIZE(t);
	struct conn c;
	struct xt_seg s;

	for (i = 0; i < n; i++) {
		uint32_t ack = 0x70000000u + i * 1111;

		conn_init(&c, 9);
		c_send(&c, t[i].flags, c.isn, ack, t[i].len, 0);
		if (!expect_seg(&c, &s, t[i].what))
			continue;
		if (t[i].add < 0)
			check_rst_seq(&s, ack, t[i].what);
		else
			check_rst_ack(&s, c.isn + t[i].add, t[i].what);
	}
	conn_init(&c, 9);
	c_send(&c, XT_RST, c.isn, 0, 0, 0);
	c_send(&c, XT_RST | XT_ACK, c.isn, 5, 0, 0);
	expect_none(&c, "RST and RST|ACK");
	xt_check(xs_stat("InNoSocket") - nosock == n + 2, "InNoSocket +%u (got %+ld)",
		 n + 2, xs_stat("InNoSocket") - nosock);
	xt_check(xs_stat("OutRsts") - rsts == n, "OutRsts +%u (got %+ld)", n,
		 xs_stat("OutRsts") - rsts);
}

/* ---- scenarios: namespaces ---- */

static void sc_netns_listener(void)
{
	long nosock = xs_stat("InNoSocket");
	struct conn c, d;
	struct xt_seg s;

	/* a wildcard listener in xi, none in xs on that port */
	ns_listen(NS_XI, "0.0.0.0", LPORT, 16);
	conn_init(&c, LPORT);
	c_send_syn(&c, NULL);
	if (expect_seg(&c, &s, "SYN to xs, port listened on in xi only"))
		check_rst_ack(&s, c.isn + 1, "xs answers for itself");
	xt_check(xs_stat("InNoSocket") - nosock == 1, "xs: InNoSocket +1");
	xt_check(proc_count(NS_XI, LPORT, c.cport, NULL) == 0 &&
		 proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "no request sock in xi or xs");
	xt_log("  -- the same port listened on in xs too: xs's listener answers");
	ns_listen(NS_XS, "0.0.0.0", LPORT, 16);
	conn_init(&d, LPORT);
	if (!c_syn(&d, NULL, NULL))
		xt_check(c_reqs(&d) == 1 &&
			 proc_count(NS_XI, LPORT, d.cport, NULL) == 0,
			 "the request is xs's, not xi's");
}

/*
 * A connection in a third namespace xn with xs's address: a segment for
 * its exact 4-tuple that reaches xs must not find it.
 */
static void sc_netns_ehash(void)
{
	long xn_segs;
	struct conn c;
	struct xt_seg s;
	int fd;

	if (!xt_ns_exists(NS_XN))
		xt_fatal("no netns xn (inject.sh makes it)");
	conn_init(&c, 8081);
	fd = ns_connect(NS_XN, c.sport, c.cport);
	xt_check(proc_count(NS_XN, c.sport, c.cport, "SYN_SENT") == 1,
		 "xn: %s:%u -> %s:%u in SYN_SENT", SRV_ADDR, c.sport, INJ_ADDR,
		 c.cport);
	xn_segs = xt_ns_stat(NS_XN, "InSegs");
	c_send(&c, XT_SYN | XT_ACK, c.isn, 4242, 0, 0);
	if (expect_seg(&c, &s, "SYN-ACK to xs for xn's 4-tuple"))
		check_rst_seq(&s, 4242, "xs has no such connection");
	c_send(&c, XT_RST | XT_ACK, c.isn, 4242, 0, 0);
	expect_none(&c, "RST|ACK");
	xt_check(xt_ns_stat(NS_XN, "InSegs") == xn_segs, "xn received nothing");
	xt_check(proc_count(NS_XN, c.sport, c.cport, "SYN_SENT") == 1,
		 "xn's socket still SYN_SENT");
	xt_check(xt_sock_error(fd) == 0, "xn's socket has no error");
	close(fd);
}

/* ---- scenarios: closing a listener ---- */

static void sc_close_listener(void)
{
	int lfd = xs_listen(), i;
	struct conn c[3];
	struct xt_seg s;
	double t0;

	for (i = 0; i < 3; i++) {
		conn_init(&c[i], LPORT);
		if (c_syn(&c[i], NULL, NULL))
			return;
	}
	t0 = xt_now();
	xt_check(proc_count(NS_XS, LPORT, 0, "SYN_RECV") == 3, "3 requests");
	close(lfd);
	xt_check(proc_count(NS_XS, LPORT, 0, NULL) == 0,
		 "close(): listener and requests gone from /proc/net/xtcp at once");
	if (proc_count(NS_XS, LPORT, 0, NULL))
		xt_ns_proc_dump(NS_XS);
	/* the timer would resend the SYN-ACKs 1 s after the SYNs */
	i = 0;
	while (xt_now() < t0 + 1.5) {
		if (recv_seg(&s, 100)) {
			char str[256];

			xt_seg_str(&s, str, sizeof(str));
			xt_log("  < %s", str);
			i++;
		}
	}
	xt_check(i == 0, "no SYN-ACK resent in the 1.5 s after close()");
	for (i = 0; i < 3; i++) {
		c_send(&c[i], XT_ACK, c[i].isn + 1, c[i].iss + 1, 0, 0);
		if (expect_seg(&c[i], &s, "final ACK after close()"))
			check_rst_seq(&s, c[i].iss + 1, "final ACK after close()");
	}
}

/* ---- scenarios: ISNs (RFC 6528) ---- */

static void sc_isn(void)
{
	struct conn c[8], a;
	uint32_t iss1;
	double t1;
	int i, j, far = 1;
	int32_t d;
	double ticks;

	xs_listen();
	for (i = 0; i < 8; i++) {
		conn_init(&c[i], LPORT);
		c[i].isn = 1000;
		if (c_syn(&c[i], NULL, NULL))
			return;
	}
	for (i = 0; i < 8; i++)
		for (j = i + 1; j < 8; j++) {
			d = (int32_t)(c[i].iss - c[j].iss);
			if (d > -(1 << 16) && d < (1 << 16)) {
				xt_log("  ports %u and %u: ISNs %u and %u", c[i].cport,
				       c[j].cport, c[i].iss, c[j].iss);
				far = 0;
			}
		}
	xt_check(far, "ISNs of neighbouring 4-tuples differ by 2^16 or more (hashed, not a bare clock)");

	xt_log("  -- one 4-tuple twice, 300 ms apart: ISN = clock + hash");
	conn_init(&a, LPORT);
	if (c_syn(&a, NULL, NULL))
		return;
	iss1 = a.iss;
	t1 = xt_now();
	c_send(&a, XT_RST, a.isn + 1, 0, 0, 0);
	while (xt_now() < t1 + 0.3)
		usleep(5000);
	a.isn += 100000;
	if (c_syn(&a, NULL, NULL))
		return;
	d = (int32_t)(a.iss - iss1);
	ticks = (xt_now() - t1) * 1e9 / 64;
	xt_log("  ISN moved by %d in %.0f ms (%.0f ticks of 64 ns)", d,
	       (xt_now() - t1) * 1000, ticks);
	xt_check(d > 0 && d > ticks / 4 && d < ticks * 4,
		 "same 4-tuple: ISN grows with the clock");
}

/* ---- scenarios: active open, simultaneous open (RFC 9293 MUST-10, 11) ---- */

/* Start a connect() in xs to us; the SYN must come. Returns 0 or -1. */
static int active_syn(struct conn *c, uint16_t lport, struct xt_seg *syn)
{
	conn_init(c, lport);
	c->fd = ns_connect(NS_XS, lport, c->cport);
	if (!recv_conn(c, syn, REPLY_MS, 0)) {
		xt_check(0, "connect() sent a SYN");
		return -1;
	}
	xt_check(syn->flags == XT_SYN && syn->csum_ok && syn->opts_ok,
		 "connect() sent a SYN, well-formed");
	c->iss = syn->seq;
	c->ts_recent = syn->tsval;
	return syn->flags == XT_SYN ? 0 : -1;
}

static void check_established(const struct conn *c, const char *what)
{
	short ev = xt_sock_poll(c->fd, POLLOUT, 1000);

	xt_check(ev == POLLOUT, "%s: connect() done, writable (revents 0x%x)",
		 what, ev);
	xt_check(xt_sock_error(c->fd) == 0, "%s: SO_ERROR 0", what);
	xt_check(proc_count(NS_XS, c->sport, c->cport, "ESTABLISHED") == 1,
		 "%s: ESTABLISHED in /proc/net/xtcp", what);
}

static void sc_active_open(void)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 2,
			  .sack = 1, .has_ts = 1, .tsval = 9000 };
	long act = xs_stat("ActiveOpens"), estab = xs_stat("CurrEstab");
	struct xt_seg syn, s;
	struct conn c;

	if (active_syn(&c, 8082, &syn))
		return;
	xt_check(syn.win == SYN_WND, "SYN window %u, unscaled (got %u)", SYN_WND,
		 syn.win);
	xt_check(syn.mss == ROUTE_MSS && syn.ws == OUR_WSCALE && syn.sack_ok &&
		 syn.has_ts, "SYN offers MSS %d, WS %d, SACK_PERM, TS", ROUTE_MSS,
		 OUR_WSCALE);
	xt_check(xs_stat("ActiveOpens") - act == 1, "ActiveOpens +1");
	o.tsecr = syn.tsval;
	c.isn = 3000000000u;
	send_seg(c.cport, c.sport, XT_SYN | XT_ACK, c.isn, c.iss + 1, 65535, &o, 0);
	c.ts_recent = o.tsval;
	if (expect_seg(&c, &s, "SYN-ACK")) {
		xt_check(s.flags == XT_ACK && s.seq == c.iss + 1 &&
			 s.ack == c.isn + 1, "ACK <seq ISS+1, ack %u>", c.isn + 1);
		xt_check(s.has_ts && s.tsecr == o.tsval,
			 "ACK carries TS, TSecr %u", o.tsval);
	}
	check_established(&c, "SYN-ACK");
	xt_check(xs_stat("CurrEstab") - estab == 1, "CurrEstab +1");

	c.ts = 1;
	c.tsval = o.tsval + 1;
	c_send(&c, XT_SYN, c.isn + 50, 0, 0, 1);
	if (expect_seg(&c, &s, "SYN when ESTABLISHED (active side)")) {
		check_ack_of(&c, &s, "challenge ACK");
		xt_check(s.has_ts, "challenge ACK carries TS");
	}
	conn_close(&c);
}

/* Both SYNs cross; our SYN without ACK puts xs in SYN_RECV. */
static int simopen_start(struct conn *c, uint16_t lport)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 3,
			  .sack = 1, .has_ts = 1, .tsval = 6000 };
	long act = xs_stat("ActiveOpens");
	struct xt_seg syn, s;

	if (active_syn(c, lport, &syn))
		return -1;
	c->isn = 0x7ffffff0u;
	o.tsecr = 0;
	c_send_syn(c, &o);
	c->ts = 1;
	c->tsval = o.tsval + 1;
	c->ts_recent = syn.tsval;
	if (!expect_seg(c, &s, "crossing SYN"))
		return -1;
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
	xt_check(proc_count(NS_XS, lport, c->cport, "SYN_RECV") == 1,
		 "xs's socket in SYN_RECV");
	xt_check(!(xt_sock_poll(c->fd, POLLOUT | POLLIN, 0) & (POLLOUT | POLLERR)),
		 "connect() still in progress");
	xt_check(xs_stat("ActiveOpens") - act == 1, "one active open");
	if (s.has_ts)
		c->ts_recent = s.tsval;
	return s.flags == (XT_SYN | XT_ACK) ? 0 : -1;
}

static void sc_simopen(void)
{
	struct conn c;
	struct xt_seg s;

	if (simopen_start(&c, 8083))
		return;
	c_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 1);
	if (recv_conn(&c, &s, NONE_MS, 0))
		xt_check(!(s.flags & XT_RST), "no RST for the ACK");
	check_established(&c, "ACK of its SYN-ACK");
	conn_close(&c);
}

static void sc_crossed_syn(void)
{
	struct xt_opts o = { .has_mss = 1, .mss = 1400, .has_ws = 1, .ws = 3,
			  .sack = 1, .has_ts = 1 };
	struct conn c;
	struct xt_seg s;

	if (simopen_start(&c, 8084))
		return;
	/* our SYN-ACK, crossing xs's: the SYN again, acknowledging xs's */
	o.tsval = c.tsval++;
	o.tsecr = c.ts_recent;
	send_seg(c.cport, c.sport, XT_SYN | XT_ACK, c.isn, c.iss + 1, 65535, &o, 0);
	while (recv_conn(&c, &s, NONE_MS, 0))
		xt_check(!(s.flags & XT_RST), "no RST for the crossing SYN-ACK");
	check_established(&c, "crossing SYN-ACK");
	conn_close(&c);
}

static void sc_simopen_rst(void)
{
	long refused = xs_stat("ConnectRefused");
	struct conn c;
	short ev;

	if (simopen_start(&c, 8085))
		return;
	c_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	expect_none(&c, "RST at RCV.NXT in SYN_RECV");
	ev = xt_sock_poll(c.fd, POLLOUT, 1000);
	xt_check(ev & POLLERR, "poll: POLLERR (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNREFUSED,
		 "active SYN_RECV + RST: connection refused (MUST-11), SO_ERROR ECONNREFUSED");
	xt_check(xs_stat("ConnectRefused") - refused == 1, "ConnectRefused +1");
	xt_check(proc_count(NS_XS, 8085, 0, NULL) == 0,
		 "nothing left in /proc/net/xtcp (no return to LISTEN)");
	conn_close(&c);
}

/* ---- scenarios: queue limits (behaviours.md, Queues and Timers) ---- */

/* Seconds since the scenario began, for the log. */
static double t_rel(double t)
{
	return t - t_start;
}

/* Read the tap until @until (xt_now() time), printing what comes. */
static void pump_until(double until)
{
	char str[256];
	struct xt_seg s;
	double left;

	while ((left = until - xt_now()) > 0) {
		if (!recv_seg(&s, (int)(left * 1000) + 1))
			continue;
		xt_seg_str(&s, str, sizeof(str));
		xt_log("  < %s (+%.2f s)", str, t_rel(hist[nhist - 1].t));
	}
}

/*
 * Wait up to @ms, reading the tap meanwhile, for @c to have @n lines in
 * state @state in xs's /proc/net/xtcp. Returns the count last seen.
 */
static int wait_proc(const struct conn *c, const char *state, int n, int ms)
{
	double end = xt_now() + ms / 1000.0;
	int got;

	for (;;) {
		got = proc_count(NS_XS, c->sport, c->cport, state);
		if (got == n || xt_now() > end)
			return got;
		pump_until(xt_now() + 0.02);
	}
}

/*
 * Times (relative to its first SYN-ACK) of the resends of @c's SYN-ACK in
 * the history, into @t (room for @max). Returns how many there were.
 */
static int synack_resends(const struct conn *c, double *t, int max)
{
	int i, n = 0;

	for (i = 0; i < nhist; i++) {
		if (hist[i].t <= c->t_synack || hist[i].s.sport != c->sport ||
		    hist[i].s.dport != c->cport || !is_synack_rtx(c, &hist[i].s))
			continue;
		if (n < max)
			t[n] = hist[i].t - c->t_synack;
		n++;
	}
	return n;
}

static void log_resends(const struct conn *c, const double *t, int n)
{
	char buf[128];
	int i, o = 0;

	buf[0] = 0;
	for (i = 0; i < n && i < 8; i++)
		o += snprintf(buf + o, sizeof(buf) - o, " %.2f", t[i]);
	xt_log("  port %u: %d SYN-ACK resend(s), at +s%s after the first", c->cport,
	       n, buf);
}

/* Write @val to @ns's /proc/sys/net/xtcp/@name. Returns 0 or an errno. */
static int ns_sysctl_set(int ns, const char *name, int val)
{
	int err = xt_ns_sysctl_set(ns, name, val);

	xt_log("  %s: /proc/sys/net/xtcp/%s = %d%s%s", xt_ns_name(ns), name,
	       val, err ? ": " : "", err ? strerror(err) : "");
	return err;
}

/* @ns's /proc/sys/net/xtcp/@name, or -1000 if it cannot be read. */
static long ns_sysctl_get(int ns, const char *name)
{
	return xt_ns_sysctl_get(ns, name, -1000);
}

/* Set a sysctl of xs that the scenario depends on; checked. */
static void xs_sysctl_must(const char *name, int val)
{
	xt_check(!ns_sysctl_set(NS_XS, name, val) &&
		 ns_sysctl_get(NS_XS, name) == val,
		 "xs: net.xtcp.%s = %d, reads back", name, val);
}

/* getsockopt(XTCP_LISTEN_INFO) on @lfd, printed. Returns 0 or -1. */
static int listen_info(int lfd, struct xtcp_listen_info *li)
{
	socklen_t len = sizeof(*li);
	int r;

	memset(li, 0xff, sizeof(*li));
	r = getsockopt(lfd, SOL_XTCP, XTCP_LISTEN_INFO, li, &len);
	xt_check(!r && len == sizeof(*li),
		 "getsockopt(SOL_XTCP, XTCP_LISTEN_INFO): %zu bytes (got %d, len %u, %s)",
		 sizeof(*li), r, len, r ? strerror(errno) : "no error");
	if (r || len != sizeof(*li))
		return -1;
	xt_log("  XTCP_LISTEN_INFO: backlog %u accept_qlen %u syn_qlen %u overflows %llu drops %llu",
	       li->backlog, li->accept_qlen, li->syn_qlen,
	       (unsigned long long)li->overflows,
	       (unsigned long long)li->drops);
	return 0;
}

/* XTCP_LISTEN_INFO's queue lengths and drop counts must be these. */
static void check_listen_info(int lfd, const char *what, unsigned int accq,
			      unsigned int synq, unsigned long long ovf,
			      unsigned long long drops)
{
	struct xtcp_listen_info li;

	if (listen_info(lfd, &li))
		return;
	xt_check(li.accept_qlen == accq && li.syn_qlen == synq,
		 "%s: accept_qlen %u, syn_qlen %u (got %u, %u)", what, accq,
		 synq, li.accept_qlen, li.syn_qlen);
	xt_check(li.overflows == ovf && li.drops == drops,
		 "%s: listener's overflows %llu, drops %llu (got %llu, %llu)",
		 what, ovf, drops, (unsigned long long)li.overflows,
		 (unsigned long long)li.drops);
}

/* accept() on @lfd now (non-blocking); its peer must be @c. */
static int accept_from(int lfd, const struct conn *c, int ms, const char *what)
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

/*
 * A handshake that completes into the accept queue, not accepted: SYN,
 * SYN-ACK, final ACK, then ESTABLISHED in /proc/net/xtcp.
 */
static int c_queue(struct conn *c)
{
	if (c_syn(c, NULL, NULL))
		return -1;
	c_send(c, XT_ACK, c->isn + 1, c->iss + 1, 0, 0);
	if (wait_proc(c, "ESTABLISHED", 1, 1000) != 1) {
		xt_check(0, "port %u: final ACK promoted the request", c->cport);
		xt_ns_proc_dump(NS_XS);
		return -1;
	}
	return 0;
}

/*
 * A listener with a full accept queue and a handshake B waiting for its
 * final ACK: listen(port, 1) (full at 2, and at most 2 requests), B's SYN
 * answered first, then A1 and A2 complete into the accept queue.
 */
struct ovf {
	uint16_t port;
	int lfd;
	struct conn b, a[2];
};

static int ovf_setup(struct ovf *o, uint16_t port)
{
	int i;

	xt_log("  -- listen(%u, 1); B's SYN; A1 and A2 fill the accept queue",
	       port);
	o->port = port;
	o->lfd = ns_listen(NS_XS, SRV_ADDR, port, 1);
	conn_init(&o->b, port);
	if (c_syn(&o->b, NULL, NULL))
		return -1;
	for (i = 0; i < 2; i++) {
		conn_init(&o->a[i], port);
		if (c_queue(&o->a[i]))
			return -1;
	}
	check_listen_info(o->lfd, "queue full", 2, 1, 0, 0);
	xt_check(c_reqs(&o->b) == 1, "B (port %u) is SYN_RECV", o->b.cport);
	return 0;
}

/* B's final ACK (ack = ISS + 1) on the full accept queue. */
static void ovf_ack(struct ovf *o)
{
	c_send(&o->b, XT_ACK, o->b.isn + 1, o->b.iss + 1, 0, 0);
}

/* ... dropped, the request kept: no answer, counted as an overflow. */
static void ovf_expect_kept(struct ovf *o, const char *what)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long rsts = xs_stat("OutRsts");

	xt_log("  -- %s: B's final ACK on the full queue: dropped, request kept",
	       what);
	ovf_ack(o);
	expect_none(&o->b, what);
	xt_check(c_reqs(&o->b) == 1 && c_estab(&o->b) == 0,
		 "%s: B's request kept, still SYN_RECV", what);
	xt_check(xs_stat("ListenOverflows") - ovf == 1 &&
		 xs_stat("ListenDrops") - drops == 1,
		 "%s: ListenOverflows +1, ListenDrops +1 (got %+ld, %+ld)", what,
		 xs_stat("ListenOverflows") - ovf, xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("OutRsts") == rsts, "%s: no RST sent (OutRsts unchanged)",
		 what);
	check_listen_info(o->lfd, what, 2, 1, 1, 1);
}

/* ... answered by RST <SEQ=SEG.ACK>, the request gone. */
static void ovf_expect_rst(struct ovf *o, const char *what)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long rsts = xs_stat("OutRsts");
	struct xt_seg s;

	xt_log("  -- %s: B's final ACK on the full queue: RST, request gone",
	       what);
	ovf_ack(o);
	if (expect_seg(&o->b, &s, what))
		check_rst_seq(&s, o->b.iss + 1, what);
	xt_check(proc_count(NS_XS, o->port, o->b.cport, NULL) == 0,
		 "%s: B's request gone from /proc/net/xtcp", what);
	xt_check(xs_stat("ListenOverflows") - ovf == 1 &&
		 xs_stat("ListenDrops") - drops == 1,
		 "%s: ListenOverflows +1, ListenDrops +1 (got %+ld, %+ld)", what,
		 xs_stat("ListenOverflows") - ovf, xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("OutRsts") - rsts == 1, "%s: OutRsts +1 (got %+ld)",
		 what, xs_stat("OutRsts") - rsts);
	check_listen_info(o->lfd, what, 2, 0, 1, 1);
}

/* Accept queue full (listen(fd, 0), one queued): a new SYN is dropped. */
static void sc_acceptq_syn(void)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long sqf = xs_stat("SynQueueFull"), out;
	int lfd = ns_listen(NS_XS, SRV_ADDR, LPORT, 0);
	struct xtcp_listen_info li;
	struct conn a, b;
	struct xt_seg s;
	int fd;

	if (!listen_info(lfd, &li))
		xt_check(li.backlog == 0 && li.accept_qlen == 0 && li.syn_qlen == 0,
			 "listen(fd, 0): backlog 0, queues empty");
	conn_init(&a, LPORT);
	if (c_queue(&a))
		return;
	check_listen_info(lfd, "one connection queued", 1, 0, 0, 0);

	xt_log("  -- a SYN from another port: dropped, no request");
	out = xs_stat("OutSegs");
	conn_init(&b, LPORT);
	c_send_syn(&b, NULL);
	expect_none(&b, "SYN on a full accept queue");
	xt_check(proc_count(NS_XS, LPORT, b.cport, NULL) == 0,
		 "no request sock for it");
	xt_check(xs_stat("OutSegs") == out, "xs sent nothing (OutSegs unchanged)");
	xt_check(xs_stat("ListenOverflows") - ovf == 1,
		 "ListenOverflows +1 (got %+ld)", xs_stat("ListenOverflows") - ovf);
	xt_check(xs_stat("ListenDrops") - drops == 1, "ListenDrops +1 (got %+ld)",
		 xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("SynQueueFull") == sqf, "SynQueueFull unchanged");
	check_listen_info(lfd, "after the SYN", 1, 0, 1, 1);

	xt_log("  -- accept() makes room: the same SYN is answered");
	fd = accept_from(lfd, &a, 0, "first connection");
	c_send_syn(&b, NULL);
	if (expect_seg(&b, &s, "SYN after accept()"))
		xt_check(s.flags == (XT_SYN | XT_ACK) && s.ack == b.isn + 1,
			 "SYN after accept(): SYN-ACK");
	xt_check(c_reqs(&b) == 1, "a request for it now");
	if (fd >= 0)
		close(fd);
}

/*
 * The final ACK on a full accept queue is dropped and the request kept
 * (never both): its timer resends the SYN-ACK, and the client's next ACK
 * succeeds once accept() has made room.
 */
static void sc_acceptq_ack(void)
{
	long passive = xs_stat("PassiveOpens"), retrans = xs_stat("SynRetrans");
	double t[8];
	struct ovf o;
	int n, fd;

	if (ovf_setup(&o, LPORT))
		return;
	ovf_expect_kept(&o, "default (abort_on_overflow 0)");

	xt_log("  -- the request's timer resends B's SYN-ACK about 1 s after the first");
	pump_until(o.b.t_synack + 1.6);
	n = synack_resends(&o.b, t, 8);
	log_resends(&o.b, t, n);
	xt_check(n == 1 && t[0] >= 0.5 && t[0] <= 1.5,
		 "B's SYN-ACK resent once by +1.6 s, at +1 s +-0.5 (got %d, first at %.2f)",
		 n, n ? t[0] : -1.0);
	xt_check(xs_stat("SynRetrans") - retrans == 1, "SynRetrans +1 (got %+ld)",
		 xs_stat("SynRetrans") - retrans);
	xt_check(c_reqs(&o.b) == 1, "B still SYN_RECV");

	xt_log("  -- accept() one; B's final ACK again, as after the resent SYN-ACK");
	fd = accept_from(o.lfd, &o.a[0], 0, "room made");
	if (fd >= 0)
		close(fd);
	check_listen_info(o.lfd, "after accept()", 1, 1, 1, 1);
	ovf_ack(&o);
	expect_none(&o.b, "B's final ACK with room");
	xt_check(c_estab(&o.b) == 1 && c_reqs(&o.b) == 0,
		 "B promoted: ESTABLISHED, no SYN_RECV left");
	check_listen_info(o.lfd, "B promoted", 2, 0, 1, 1);
	fd = accept_from(o.lfd, &o.a[1], 0, "A2");
	if (fd >= 0)
		close(fd);
	o.b.fd = accept_from(o.lfd, &o.b, 0, "B");
	xt_check(xs_stat("PassiveOpens") - passive == 3,
		 "PassiveOpens +3 (A1, A2, B; got %+ld)",
		 xs_stat("PassiveOpens") - passive);

	xt_log("  -- promoted: no more SYN-ACKs for B (the next resend was due at +3 s)");
	pump_until(o.b.t_synack + 3.6);
	n = synack_resends(&o.b, t, 8);
	xt_check(n == 1, "B's SYN-ACK resent once in all (got %d)", n);
	conn_close(&o.b);
}

/* net.xtcp.abort_on_overflow = 1: the final ACK gets a RST instead. */
static void sc_abort_overflow(void)
{
	double t[8];
	struct ovf o;
	int n;

	xt_check(ns_sysctl_get(NS_XS, "abort_on_overflow") == 0,
		 "net.xtcp.abort_on_overflow is 0 by default");
	xs_sysctl_must("abort_on_overflow", 1);
	if (ovf_setup(&o, LPORT))
		return;
	ovf_expect_rst(&o, "abort_on_overflow 1");
	pump_until(o.b.t_synack + 1.6);
	n = synack_resends(&o.b, t, 8);
	xt_check(n == 0, "no SYN-ACK resent for B by +1.6 s: its timer is gone (got %d)",
		 n);
	xs_sysctl_must("abort_on_overflow", 0);
}

static int get_abort(int fd)
{
	socklen_t len = sizeof(int);
	int v = -100;

	if (getsockopt(fd, SOL_XTCP, XTCP_ABORT_ON_OVERFLOW, &v, &len) ||
	    len != sizeof(int))
		return -100;
	return v;
}

static int set_abort(int fd, int val, socklen_t len)
{
	return setsockopt(fd, SOL_XTCP, XTCP_ABORT_ON_OVERFLOW, &val, len);
}

/* XTCP_ABORT_ON_OVERFLOW on the listener overrides the sysctl both ways. */
static void sc_abort_sockopt(void)
{
	static const struct {
		int sysctl, opt, rst;
		const char *what;
	} t[] = {
		{ 0, 1, 1, "sysctl 0, option 1" },
		{ 1, 0, 0, "sysctl 1, option 0" },
		{ 1, -1, 1, "sysctl 1, option -1" },
		{ 0, -1, 0, "sysctl 0, option -1" },
	};
	static const int bad[] = { 2, -2, 100, -100 };
	unsigned int i;
	struct ovf o;
	int fd, r;

	xt_log("  -- the option itself");
	xt_ns_enter(NS_XS);
	fd = socket(family, SOCK_STREAM, 0);
	xt_ns_leave();
	if (fd < 0)
		xt_fatal("socket in xs");
	xt_check(get_abort(fd) == -1, "default -1, follow the sysctl (got %d)",
		 get_abort(fd));
	for (i = 0; i < 3; i++) {
		int v = (int)i - 1;

		r = set_abort(fd, v, sizeof(int));
		xt_check(!r && get_abort(fd) == v, "set %d, reads back %d (got %d, %d)",
			 v, v, r, get_abort(fd));
	}
	set_abort(fd, 1, sizeof(int));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[64];

		snprintf(what, sizeof(what), "setsockopt(XTCP_ABORT_ON_OVERFLOW, %d)",
			 bad[i]);
		xt_check_errno(set_abort(fd, bad[i], sizeof(int)), EINVAL, what);
	}
	xt_check_errno(set_abort(fd, 0, 3), EINVAL, "setsockopt(..., optlen 3)");
	xt_check_errno(set_abort(fd, 0, 0), EINVAL, "setsockopt(..., optlen 0)");
	xt_check(get_abort(fd) == 1, "value unchanged by the failed calls (got %d)",
		 get_abort(fd));
	close(fd);

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		xt_log("  -- %s: %s", t[i].what, t[i].rst ? "RST" : "request kept");
		xs_sysctl_must("abort_on_overflow", t[i].sysctl);
		if (ovf_setup(&o, LPORT + i))
			return;
		/* -1 after 1: back to following the sysctl */
		if (t[i].opt < 0)
			set_abort(o.lfd, 1, sizeof(int));
		r = set_abort(o.lfd, t[i].opt, sizeof(int));
		xt_check(!r && get_abort(o.lfd) == t[i].opt,
			 "listener: XTCP_ABORT_ON_OVERFLOW %d, reads back (got %d)",
			 t[i].opt, get_abort(o.lfd));
		if (t[i].rst)
			ovf_expect_rst(&o, t[i].what);
		else
			ovf_expect_kept(&o, t[i].what);
	}
	xs_sysctl_must("abort_on_overflow", 0);
}

/*
 * Request socks per listener: backlog + 1, or max_syn_backlog if fewer.
 * SYN cookies (net.xtcp.syncookies, where it exists) are turned off: in
 * mode 1 they answer the SYNs beyond the limit.
 */
static void sc_synq_limit(void)
{
	long sqf, drops, ovf, msb;
	int lfd, lfd2, i;
	struct conn c[6], d[3], e;

	if (ns_sysctl_get(NS_XS, "syncookies") != -1000)
		xs_sysctl_must("syncookies", 0);
	sqf = xs_stat("SynQueueFull");
	drops = xs_stat("ListenDrops");
	ovf = xs_stat("ListenOverflows");
	lfd = ns_listen(NS_XS, SRV_ADDR, LPORT, 3);

	xt_log("  -- listen(fd, 3): 4 requests; 6 SYNs from 6 ports");
	for (i = 0; i < 6; i++) {
		conn_init(&c[i], LPORT);
		if (i < 4) {
			if (c_syn(&c[i], NULL, NULL))
				return;
			continue;
		}
		c_send_syn(&c[i], NULL);
		expect_none(&c[i], "SYN beyond the request limit");
		xt_check(proc_count(NS_XS, LPORT, c[i].cport, NULL) == 0,
			 "port %u: no request sock", c[i].cport);
	}
	xt_check(proc_count(NS_XS, LPORT, 0, "SYN_RECV") == 4,
		 "4 SYN_RECV lines (got %d)", proc_count(NS_XS, LPORT, 0, "SYN_RECV"));
	xt_check(xs_stat("SynQueueFull") - sqf == 2, "SynQueueFull +2 (got %+ld)",
		 xs_stat("SynQueueFull") - sqf);
	xt_check(xs_stat("ListenDrops") - drops == 2, "ListenDrops +2 (got %+ld)",
		 xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("ListenOverflows") == ovf, "ListenOverflows unchanged");
	check_listen_info(lfd, "listen(fd, 3), 6 SYNs", 0, 4, 0, 2);

	xt_log("  -- net.xtcp.max_syn_backlog = 2: a new listen(fd, 3) takes 2");
	msb = ns_sysctl_get(NS_XS, "max_syn_backlog");
	xs_sysctl_must("max_syn_backlog", 2);
	sqf = xs_stat("SynQueueFull");
	lfd2 = ns_listen(NS_XS, SRV_ADDR, LPORT + 1, 3);
	for (i = 0; i < 3; i++) {
		conn_init(&d[i], LPORT + 1);
		if (i < 2) {
			if (c_syn(&d[i], NULL, NULL))
				return;
			continue;
		}
		c_send_syn(&d[i], NULL);
		expect_none(&d[i], "SYN beyond max_syn_backlog");
		xt_check(proc_count(NS_XS, LPORT + 1, d[i].cport, NULL) == 0,
			 "port %u: no request sock", d[i].cport);
	}
	xt_check(proc_count(NS_XS, LPORT + 1, 0, "SYN_RECV") == 2,
		 "2 SYN_RECV lines (got %d)",
		 proc_count(NS_XS, LPORT + 1, 0, "SYN_RECV"));
	check_listen_info(lfd2, "max_syn_backlog 2", 0, 2, 0, 1);
	xt_log("  -- and the first listener, at 4 already, takes none");
	conn_init(&e, LPORT);
	c_send_syn(&e, NULL);
	expect_none(&e, "SYN to the first listener");
	xt_check(proc_count(NS_XS, LPORT, e.cport, NULL) == 0,
		 "port %u: no request sock", e.cport);
	xt_check(xs_stat("SynQueueFull") - sqf == 2, "SynQueueFull +2 (got %+ld)",
		 xs_stat("SynQueueFull") - sqf);
	xs_sysctl_must("max_syn_backlog", (int)msb);
}

/*
 * Under pressure (more than half the request limit in use) a request gets
 * 2 SYN-ACK resends (at 1 s and 3 s) and expires at 7 s; otherwise it gets
 * synack_retries (5): the third resend at 7 s.
 *
 * Windows: -0.5 s, +0.5 s; +0.75 s for the 7 s events, since the timer
 * wheel rounds a 4 s timeout up to 64 jiffies (256 ms at HZ=250).
 */
static void sc_synq_pressure(void)
{
	long tmo = xs_stat("RequestTimeouts");
	struct conn p[3], q[2];
	double gone[3] = { 0, 0, 0 }, t[8], last = 0;
	int lp, lq, i, n, n_gone;

	xs_sysctl_must("synack_retries", 5);
	lp = ns_listen(NS_XS, SRV_ADDR, LPORT, 3);
	lq = ns_listen(NS_XS, SRV_ADDR, LPORT + 1, 3);
	xt_log("  -- 3 requests on listener P (limit 4: pressure), 2 on Q (limit 4: none)");
	for (i = 0; i < 3; i++) {
		conn_init(&p[i], LPORT);
		if (c_syn(&p[i], NULL, NULL))
			return;
	}
	for (i = 0; i < 2; i++) {
		conn_init(&q[i], LPORT + 1);
		if (c_syn(&q[i], NULL, NULL))
			return;
	}
	last = q[1].t_synack;

	/* watch P's requests go, until 8 s after the last SYN-ACK */
	while (xt_now() < last + 8.0) {
		pump_until(xt_now() + 0.05);
		for (i = 0; i < 3; i++)
			if (!gone[i] && c_reqs(&p[i]) == 0) {
				gone[i] = xt_now();
				xt_log("  port %u gone from /proc/net/xtcp at +%.2f s after its SYN-ACK",
				       p[i].cport, gone[i] - p[i].t_synack);
			}
	}
	/*
	 * The rule (module/request.c, xtcp_req_max_retries): pressure is
	 * judged when a timer fires. At +7 s the first of P's requests to
	 * fire sees 3 > 4/2 and expires; that brings P back to half full, so
	 * the others keep their full retries. So: all three resent twice by
	 * +3 s, exactly one gone at about +7 s, two still there, resent a
	 * third time.
	 */
	n_gone = 0;
	for (i = 0; i < 3; i++) {
		n = synack_resends(&p[i], t, 8);
		log_resends(&p[i], t, n);
		xt_check(n >= 2 && t[0] >= 0.5 && t[0] <= 1.5 && t[1] >= 2.5 &&
			 t[1] <= 3.5,
			 "P port %u: resent at +1 s and +3 s (+-0.5)", p[i].cport);
		if (gone[i]) {
			n_gone++;
			xt_check(n == 2 && gone[i] - p[i].t_synack >= 6.5 &&
				 gone[i] - p[i].t_synack <= 7.75,
				 "P port %u: expired at +7 s without a third resend (got %.2f)",
				 p[i].cport, gone[i] - p[i].t_synack);
		} else {
			xt_check(n == 3 && c_reqs(&p[i]) == 1,
				 "P port %u: kept, resent a third time, once P was back to half full",
				 p[i].cport);
		}
	}
	xt_check(n_gone == 1, "exactly one of P's requests pruned (%d)", n_gone);
	xt_check(xs_stat("RequestTimeouts") - tmo == 1,
		 "RequestTimeouts +1 (got %+ld)", xs_stat("RequestTimeouts") - tmo);
	for (i = 0; i < 2; i++) {
		n = synack_resends(&q[i], t, 8);
		log_resends(&q[i], t, n);
		xt_check(n == 3 && t[0] >= 0.5 && t[0] <= 1.5 && t[1] >= 2.5 &&
			 t[1] <= 3.5 && t[2] >= 6.5 && t[2] <= 7.75,
			 "Q port %u: 3 resends, at +1, +3, +7 s (+-0.5; +0.75 for the third)",
			 q[i].cport);
		xt_check(c_reqs(&q[i]) == 1, "Q port %u: still SYN_RECV at +%.1f s",
			 q[i].cport, xt_now() - q[i].t_synack);
	}
	check_listen_info(lp, "P", 0, 2, 0, 0);
	check_listen_info(lq, "Q", 0, 2, 0, 0);
}

/*
 * /proc/sys/net/xtcp/ in xs, as cat /proc/sys/net/xtcp/<all>: every entry reads
 * as a number; the four of the queues and timers exist with their
 * defaults and bounds; and they are xs's own.
 */
static void sc_sysctls(void)
{
	static const struct {
		const char *name;
		long dflt;
		int bad;
	} t[] = {
		{ "max_syn_backlog", 4096, 0 },
		{ "syn_retries", 6, 0 },
		{ "synack_retries", 5, 0 },
		{ "abort_on_overflow", 0, 2 },
	};
	unsigned int i;
	struct dirent *de;
	int n = 0, bad = 0;
	DIR *dir;
	long v;

	xt_ns_enter(NS_XS);
	dir = opendir("/proc/sys/net/xtcp");
	xt_ns_leave();
	xt_check(dir != NULL, "xs: /proc/sys/net/xtcp/ exists");
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		v = ns_sysctl_get(NS_XS, de->d_name);
		xt_log("  xs: net.xtcp.%s = %ld", de->d_name, v);
		n++;
		bad += v == -1000;
	}
	if (dir)
		closedir(dir);
	xt_check(n >= 4 && !bad, "xs: %d entries, each reads as a number (%d not)",
		 n, bad);

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = ns_sysctl_get(NS_XS, t[i].name);
		xt_check(v == t[i].dflt, "xs: net.xtcp.%s exists, default %ld (got %ld)",
			 t[i].name, t[i].dflt, v);
		xt_check(ns_sysctl_set(NS_XS, t[i].name, t[i].bad) == EINVAL &&
			 ns_sysctl_get(NS_XS, t[i].name) == t[i].dflt,
			 "xs: net.xtcp.%s = %d refused (EINVAL), unchanged", t[i].name,
			 t[i].bad);
	}
	xt_log("  -- per netns: a value set in xs is not xi's");
	xs_sysctl_must("synack_retries", 3);
	xt_check(ns_sysctl_get(NS_XI, "synack_retries") == 5,
		 "xi: net.xtcp.synack_retries still 5 (got %ld)",
		 ns_sysctl_get(NS_XI, "synack_retries"));
	xs_sysctl_must("synack_retries", 5);
}

/* ---- main ---- */

static const struct {
	const char *name;
	void (*fn)(void);
	const char *desc;
} scenarios[] = {
	{ "listen_rst", sc_listen_rst, "listener ignores RST" },
	{ "listen_ack", sc_listen_ack, "listener answers ACK with RST <SEQ=SEG.ACK>" },
	{ "listen_synfin", sc_listen_synfin, "listener drops SYN+FIN" },
	{ "listen_noflags", sc_listen_noflags, "listener drops segments without SYN, ACK, RST" },
	{ "synack_basic", sc_synack_basic, "SYN-ACK to a SYN without options" },
	{ "synack_opts", sc_synack_opts, "SYN-ACK options only as offered" },
	{ "synack_window", sc_synack_window, "SYN-ACK window never scaled" },
	{ "syn_repeat", sc_syn_repeat, "repeated SYN: same SYN-ACK, rate-limited, one request" },
	{ "req_oow", sc_req_oow, "request sock: out-of-window segments" },
	{ "req_rst", sc_req_rst, "request sock: in-window RST drops it" },
	{ "req_syn", sc_req_syn, "request sock: in-window SYN gets RST, drops it" },
	{ "req_bad_ack", sc_req_bad_ack, "request sock: ack != ISS+1 gets RST, kept" },
	{ "promote", sc_promote, "final ACK promotes to an accepted socket" },
	{ "req_ts_missing", sc_req_ts_missing, "final ACK without negotiated TS dropped" },
	{ "data_on_ack", sc_data_on_ack, "final ACK with data" },
	{ "est_rst", sc_est_rst, "ESTABLISHED: RST at RCV.NXT resets" },
	{ "est_rst_inwin", sc_est_rst_inwin, "ESTABLISHED: other RSTs challenged or dropped" },
	{ "est_syn", sc_est_syn, "ESTABLISHED: SYN gets a challenge ACK" },
	{ "est_oow", sc_est_oow, "ESTABLISHED: out-of-window segments get an ACK" },
	{ "challenge_limit", sc_challenge_limit, "challenge ACKs: 10 per second" },
	{ "challenge_per_socket", sc_challenge_per_socket, "challenge ACK limit per socket" },
	{ "ts_every", sc_ts_every, "TS on every non-RST segment once negotiated" },
	{ "ts_stop", sc_ts_stop, "peer stops sending TS" },
	{ "nosock_rst", sc_nosock_rst, "segment for no socket: RFC 9293 RST" },
	{ "netns_listener", sc_netns_listener, "listener of another netns not matched" },
	{ "netns_ehash", sc_netns_ehash, "connection of another netns not matched" },
	{ "close_reqs", sc_close_listener, "close() drops the requests at once" },
	{ "isn", sc_isn, "ISN = clock + keyed hash (RFC 6528)" },
	{ "active_open", sc_active_open, "connect(): SYN, final ACK, TS" },
	{ "simul_open", sc_simopen, "simultaneous open (MUST-10)" },
	{ "simul_crossed", sc_crossed_syn, "simultaneous open, crossing SYN-ACKs" },
	{ "simul_rst", sc_simopen_rst, "active SYN_RECV + RST: refused (MUST-11)" },
	{ "acceptq_syn", sc_acceptq_syn, "accept queue full: a new SYN is dropped" },
	{ "acceptq_ack", sc_acceptq_ack, "accept queue full: final ACK dropped, request kept" },
	{ "abort_overflow", sc_abort_overflow, "net.xtcp.abort_on_overflow: RST for the final ACK" },
	{ "abort_sockopt", sc_abort_sockopt, "XTCP_ABORT_ON_OVERFLOW overrides the sysctl" },
	{ "synq_limit", sc_synq_limit, "request socks: backlog + 1, max_syn_backlog" },
	{ "synq_pressure", sc_synq_pressure, "queue over half full: pruned back to half" },
	{ "cookie_data", sc_cookie_data, "syncookies=2: a cookie ACK with data connects" },
	{ "cookie_acceptq_full", sc_cookie_acceptq_full, "a cookie ACK on a full accept queue is dropped" },
	{ "cookie_replay", sc_cookie_replay, "a replayed cookie ACK makes no second connection" },
	{ "sysctls", sc_sysctls, "/proc/sys/net/xtcp: per netns, defaults, bounds" },
};

static void setup(void)
{
	family = xt_family();
	proto = xt_ipproto();
	srv_addr = xt_addr(SRV_ADDR);
	inj_addr = xt_addr(INJ_ADDR);

	xt_ns_init("xi");
	if (xt_ns_open(NS_XS, "xs"))
		xt_fatal("netns xi (ours) and xs needed: run me from inject.sh");
	xt_ns_open(NS_XN, "xn");

	raw_fd = socket(AF_INET, SOCK_RAW, proto);
	if (raw_fd < 0)
		xt_fatal("socket(AF_INET, SOCK_RAW, %d)", proto);
	xt_cap_open(&cap, xt_ns_ifindex(NS_XI, INJ_IF, NULL), 0, 0);
	recv_flush();
	nhist = 0;
}

int main(int argc, char **argv)
{
	unsigned int i, n = ARRAY_SIZE(scenarios);
	long xi_segs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || !strcmp(argv[1], "list")) {
		for (i = 0; i < n; i++)
			printf("%-22s %s\n", scenarios[i].name, scenarios[i].desc);
		return argc == 2 ? 0 : 2;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(argv[1], scenarios[i].name))
			break;
	if (i == n) {
		fprintf(stderr, "xinject: no scenario %s (xinject list)\n", argv[1]);
		return 2;
	}
	setup();
	xt_log("xinject %s: %s (family %d, protocol %d)", scenarios[i].name,
	       scenarios[i].desc, family, proto);
	xi_segs = xt_ns_stat(NS_XI, "InSegs");
	t_start = xt_now();
	scenarios[i].fn();
	xt_check(xt_ns_stat(NS_XI, "InSegs") == xi_segs,
		 "xi's own stack saw none of xs's segments (tc filter works)");
	return xt_done();
}
