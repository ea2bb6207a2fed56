// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: a listener (RFC 9293 3.10.7.2) and its queues. What a
 * LISTEN socket answers to each kind of segment, its SYN-ACK, what a port
 * with no socket answers (3.10.7.1), closing it with requests pending,
 * and the accept-queue and request limits with their counters, sysctls
 * and socket option (behaviours.md, Queues and Timers).
 */
#include <dirent.h>

#include "inject.h"

void listener_rst(void)
{
	long ign = xs_stat("ListenIgnored"), rsts = xs_stat("OutRsts");
	struct conn c;

	xs_listen();
	conn_init(&c, LPORT);
	conn_send(&c, XT_RST, 1000, 0, 0, 0);
	conn_expect_none(&c, "RST to a listener");
	conn_send(&c, XT_RST | XT_ACK, 2000, 12345, 0, 0);
	conn_expect_none(&c, "RST|ACK to a listener");
	xt_check(xs_stat("ListenIgnored") - ign == 2,
		 "ListenIgnored +2 (got %+ld)", xs_stat("ListenIgnored") - ign);
	xt_check(xs_stat("OutRsts") == rsts, "OutRsts unchanged");
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "no request sock for the 4-tuple");
}

void listener_ack(void)
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
		conn_send(&c, t[i].flags, c.isn, ack, t[i].len, 0);
		if (conn_expect(&c, &s, t[i].what))
			conn_check_rst_seq(&s, ack, t[i].what);
		xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
			 "%s: no request sock", t[i].what);
	}
}

void listener_synfin(void)
{
	long ign = xs_stat("ListenIgnored");
	struct conn c;

	xs_listen();
	conn_init(&c, LPORT);
	conn_send(&c, XT_SYN | XT_FIN, c.isn, 0, 0, 0);
	conn_expect_none(&c, "SYN+FIN to a listener");
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "SYN+FIN made no request sock");
	xt_check(xs_stat("ListenIgnored") - ign == 1, "ListenIgnored +1 (got %+ld)",
		 xs_stat("ListenIgnored") - ign);
}

void listener_noflags(void)
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
		conn_send(&c, t[i].flags, c.isn, 0, t[i].len, 0);
		conn_expect_none(&c, t[i].what);
		xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
			 "%s: no request sock", t[i].what);
	}
	xt_check(xs_stat("OutSegs") == out, "xs sent nothing (OutSegs unchanged)");
}

void listener_synack_basic(void)
{
	struct conn c;
	struct xt_seg s;

	xs_listen();
	conn_init(&c, LPORT);
	if (conn_syn(&c, NULL, &s))
		return;
	xt_check(s.flags == (XT_SYN | XT_ACK), "flags exactly SYN|ACK");
	xt_check(s.win == SYN_WND, "window %u (got %u)", SYN_WND, s.win);
	xt_check(s.mss == ROUTE_MSS, "MSS option %d, from the route (got %d)",
		 ROUTE_MSS, s.mss);
	xt_check(s.ws < 0 && !s.sack_ok && !s.has_ts,
		 "a SYN without options gets MSS only: no WS, SACK_PERM, TS");
	xt_check(s.paylen == 0, "no payload");
	xt_check(conn_reqs(&c) == 1, "/proc/net/xtcp shows the request as SYN_RECV");
	if (conn_reqs(&c) != 1)
		xt_ns_proc_dump(NS_XS);
}

void listener_synack_opts(void)
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
		if (conn_syn(&c, o, &s))
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
void listener_synack_window(void)
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
		if (conn_syn(&c, &o, &s))
			continue;
		xt_check(s.win == SYN_WND,
			 "SYN with WS %d: SYN-ACK window %u, unscaled (got %u)",
			 shifts[i], SYN_WND, s.win);
		if (shifts[i] >= 0)
			xt_check(s.ws == OUR_WSCALE, "... and WS %d (got %d)",
				 OUR_WSCALE, s.ws);
	}
}

void listener_nosock_rst(void)
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
		conn_send(&c, t[i].flags, c.isn, ack, t[i].len, 0);
		if (!conn_expect(&c, &s, t[i].what))
			continue;
		if (t[i].add < 0)
			conn_check_rst_seq(&s, ack, t[i].what);
		else
			conn_check_rst_ack(&s, c.isn + t[i].add, t[i].what);
	}
	conn_init(&c, 9);
	conn_send(&c, XT_RST, c.isn, 0, 0, 0);
	conn_send(&c, XT_RST | XT_ACK, c.isn, 5, 0, 0);
	conn_expect_none(&c, "RST and RST|ACK");
	xt_check(xs_stat("InNoSocket") - nosock == n + 2, "InNoSocket +%u (got %+ld)",
		 n + 2, xs_stat("InNoSocket") - nosock);
	xt_check(xs_stat("OutRsts") - rsts == n, "OutRsts +%u (got %+ld)", n,
		 xs_stat("OutRsts") - rsts);
}

void listener_close_reqs(void)
{
	int lfd = xs_listen(), i;
	struct conn c[3];
	struct xt_seg s;
	double t0;

	for (i = 0; i < 3; i++) {
		conn_init(&c[i], LPORT);
		if (conn_syn(&c[i], NULL, NULL))
			return;
	}
	t0 = xt_now();
	xt_check(xs_proc_count(NS_XS, LPORT, 0, "SYN_RECV") == 3, "3 requests");
	close(lfd);
	xt_check(xs_proc_count(NS_XS, LPORT, 0, NULL) == 0,
		 "close(): listener and requests gone from /proc/net/xtcp at once");
	if (xs_proc_count(NS_XS, LPORT, 0, NULL))
		xt_ns_proc_dump(NS_XS);
	/* the timer would resend the SYN-ACKs 1 s after the SYNs */
	i = 0;
	while (xt_now() < t0 + 1.5) {
		if (wire_recv(&s, 100)) {
			char str[256];

			xt_seg_str(&s, str, sizeof(str));
			xt_log("  < %s", str);
			i++;
		}
	}
	xt_check(i == 0, "no SYN-ACK resent in the 1.5 s after close()");
	for (i = 0; i < 3; i++) {
		conn_send(&c[i], XT_ACK, c[i].isn + 1, c[i].iss + 1, 0, 0);
		if (conn_expect(&c[i], &s, "final ACK after close()"))
			conn_check_rst_seq(&s, c[i].iss + 1, "final ACK after close()");
	}
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

static int listener_ovf_setup(struct ovf *o, uint16_t port)
{
	int i;

	xt_log("  -- listen(%u, 1); B's SYN; A1 and A2 fill the accept queue",
	       port);
	o->port = port;
	o->lfd = xs_listen_in(NS_XS, SRV_ADDR, port, 1);
	conn_init(&o->b, port);
	if (conn_syn(&o->b, NULL, NULL))
		return -1;
	for (i = 0; i < 2; i++) {
		conn_init(&o->a[i], port);
		if (conn_queue(&o->a[i]))
			return -1;
	}
	xs_check_listen_info(o->lfd, "queue full", 2, 1, 0, 0);
	xt_check(conn_reqs(&o->b) == 1, "B (port %u) is SYN_RECV", o->b.cport);
	return 0;
}

/* B's final ACK (ack = ISS + 1) on the full accept queue. */
static void listener_ovf_ack(struct ovf *o)
{
	conn_send(&o->b, XT_ACK, o->b.isn + 1, o->b.iss + 1, 0, 0);
}

/* ... dropped, the request kept: no answer, counted as an overflow. */
static void listener_ovf_expect_kept(struct ovf *o, const char *what)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long rsts = xs_stat("OutRsts");

	xt_log("  -- %s: B's final ACK on the full queue: dropped, request kept",
	       what);
	listener_ovf_ack(o);
	conn_expect_none(&o->b, what);
	xt_check(conn_reqs(&o->b) == 1 && conn_estab(&o->b) == 0,
		 "%s: B's request kept, still SYN_RECV", what);
	xt_check(xs_stat("ListenOverflows") - ovf == 1 &&
		 xs_stat("ListenDrops") - drops == 1,
		 "%s: ListenOverflows +1, ListenDrops +1 (got %+ld, %+ld)", what,
		 xs_stat("ListenOverflows") - ovf, xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("OutRsts") == rsts, "%s: no RST sent (OutRsts unchanged)",
		 what);
	xs_check_listen_info(o->lfd, what, 2, 1, 1, 1);
}

/* ... answered by RST <SEQ=SEG.ACK>, the request gone. */
static void listener_ovf_expect_rst(struct ovf *o, const char *what)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long rsts = xs_stat("OutRsts");
	struct xt_seg s;

	xt_log("  -- %s: B's final ACK on the full queue: RST, request gone",
	       what);
	listener_ovf_ack(o);
	if (conn_expect(&o->b, &s, what))
		conn_check_rst_seq(&s, o->b.iss + 1, what);
	xt_check(xs_proc_count(NS_XS, o->port, o->b.cport, NULL) == 0,
		 "%s: B's request gone from /proc/net/xtcp", what);
	xt_check(xs_stat("ListenOverflows") - ovf == 1 &&
		 xs_stat("ListenDrops") - drops == 1,
		 "%s: ListenOverflows +1, ListenDrops +1 (got %+ld, %+ld)", what,
		 xs_stat("ListenOverflows") - ovf, xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("OutRsts") - rsts == 1, "%s: OutRsts +1 (got %+ld)",
		 what, xs_stat("OutRsts") - rsts);
	xs_check_listen_info(o->lfd, what, 2, 0, 1, 1);
}

/* Accept queue full (listen(fd, 0), one queued): a new SYN is dropped. */
void listener_acceptq_syn(void)
{
	long ovf = xs_stat("ListenOverflows"), drops = xs_stat("ListenDrops");
	long sqf = xs_stat("SynQueueFull"), out;
	int lfd = xs_listen_in(NS_XS, SRV_ADDR, LPORT, 0);
	struct xtcp_listen_info li;
	struct conn a, b;
	struct xt_seg s;
	int fd;

	if (!xs_listen_info(lfd, &li))
		xt_check(li.backlog == 0 && li.accept_qlen == 0 && li.syn_qlen == 0,
			 "listen(fd, 0): backlog 0, queues empty");
	conn_init(&a, LPORT);
	if (conn_queue(&a))
		return;
	xs_check_listen_info(lfd, "one connection queued", 1, 0, 0, 0);

	xt_log("  -- a SYN from another port: dropped, no request");
	out = xs_stat("OutSegs");
	conn_init(&b, LPORT);
	conn_send_syn(&b, NULL);
	conn_expect_none(&b, "SYN on a full accept queue");
	xt_check(xs_proc_count(NS_XS, LPORT, b.cport, NULL) == 0,
		 "no request sock for it");
	xt_check(xs_stat("OutSegs") == out, "xs sent nothing (OutSegs unchanged)");
	xt_check(xs_stat("ListenOverflows") - ovf == 1,
		 "ListenOverflows +1 (got %+ld)", xs_stat("ListenOverflows") - ovf);
	xt_check(xs_stat("ListenDrops") - drops == 1, "ListenDrops +1 (got %+ld)",
		 xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("SynQueueFull") == sqf, "SynQueueFull unchanged");
	xs_check_listen_info(lfd, "after the SYN", 1, 0, 1, 1);

	xt_log("  -- accept() makes room: the same SYN is answered");
	fd = conn_accept_from(lfd, &a, 0, "first connection");
	conn_send_syn(&b, NULL);
	if (conn_expect(&b, &s, "SYN after accept()"))
		xt_check(s.flags == (XT_SYN | XT_ACK) && s.ack == b.isn + 1,
			 "SYN after accept(): SYN-ACK");
	xt_check(conn_reqs(&b) == 1, "a request for it now");
	if (fd >= 0)
		conn_close_fd(fd);
}

/*
 * The final ACK on a full accept queue is dropped and the request kept
 * (never both): its timer resends the SYN-ACK, and the client's next ACK
 * succeeds once accept() has made room.
 */
void listener_acceptq_ack(void)
{
	long passive = xs_stat("PassiveOpens"), retrans = xs_stat("SynRetrans");
	double t[8];
	struct ovf o;
	int n, fd;

	if (listener_ovf_setup(&o, LPORT))
		return;
	listener_ovf_expect_kept(&o, "default (abort_on_overflow 0)");

	xt_log("  -- the request's timer resends B's SYN-ACK about 1 s after the first");
	wire_pump_until(o.b.t_synack + 1.6);
	n = conn_synack_resends(&o.b, t, 8);
	conn_log_resends(&o.b, t, n);
	xt_check(n == 1 && t[0] >= 0.5 && t[0] <= 1.5,
		 "B's SYN-ACK resent once by +1.6 s, at +1 s +-0.5 (got %d, first at %.2f)",
		 n, n ? t[0] : -1.0);
	xt_check(xs_stat("SynRetrans") - retrans == 1, "SynRetrans +1 (got %+ld)",
		 xs_stat("SynRetrans") - retrans);
	xt_check(conn_reqs(&o.b) == 1, "B still SYN_RECV");

	xt_log("  -- accept() one; B's final ACK again, as after the resent SYN-ACK");
	fd = conn_accept_from(o.lfd, &o.a[0], 0, "room made");
	if (fd >= 0)
		conn_close_fd(fd);
	xs_check_listen_info(o.lfd, "after accept()", 1, 1, 1, 1);
	listener_ovf_ack(&o);
	conn_expect_none(&o.b, "B's final ACK with room");
	xt_check(conn_estab(&o.b) == 1 && conn_reqs(&o.b) == 0,
		 "B promoted: ESTABLISHED, no SYN_RECV left");
	xs_check_listen_info(o.lfd, "B promoted", 2, 0, 1, 1);
	fd = conn_accept_from(o.lfd, &o.a[1], 0, "A2");
	if (fd >= 0)
		conn_close_fd(fd);
	o.b.fd = conn_accept_from(o.lfd, &o.b, 0, "B");
	xt_check(xs_stat("PassiveOpens") - passive == 3,
		 "PassiveOpens +3 (A1, A2, B; got %+ld)",
		 xs_stat("PassiveOpens") - passive);

	xt_log("  -- promoted: no more SYN-ACKs for B (the next resend was due at +3 s)");
	wire_pump_until(o.b.t_synack + 3.6);
	n = conn_synack_resends(&o.b, t, 8);
	xt_check(n == 1, "B's SYN-ACK resent once in all (got %d)", n);
	conn_close(&o.b);
}

/* net.xtcp.abort_on_overflow = 1: the final ACK gets a RST instead. */
void listener_abort_overflow(void)
{
	double t[8];
	struct ovf o;
	int n;

	xt_check(xs_sysctl_get(NS_XS, "abort_on_overflow") == 0,
		 "net.xtcp.abort_on_overflow is 0 by default");
	xs_sysctl_must("abort_on_overflow", 1);
	if (listener_ovf_setup(&o, LPORT))
		return;
	listener_ovf_expect_rst(&o, "abort_on_overflow 1");
	wire_pump_until(o.b.t_synack + 1.6);
	n = conn_synack_resends(&o.b, t, 8);
	xt_check(n == 0, "no SYN-ACK resent for B by +1.6 s: its timer is gone (got %d)",
		 n);
	xs_sysctl_must("abort_on_overflow", 0);
}

static int listener_get_abort(int fd)
{
	socklen_t len = sizeof(int);
	int v = -100;

	if (getsockopt(fd, SOL_XTCP, XTCP_ABORT_ON_OVERFLOW, &v, &len) ||
	    len != sizeof(int))
		return -100;
	return v;
}

static int listener_set_abort(int fd, int val, socklen_t len)
{
	return setsockopt(fd, SOL_XTCP, XTCP_ABORT_ON_OVERFLOW, &val, len);
}

/* XTCP_ABORT_ON_OVERFLOW on the listener overrides the sysctl both ways. */
void listener_abort_sockopt(void)
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
	xt_check(listener_get_abort(fd) == -1, "default -1, follow the sysctl (got %d)",
		 listener_get_abort(fd));
	for (i = 0; i < 3; i++) {
		int v = (int)i - 1;

		r = listener_set_abort(fd, v, sizeof(int));
		xt_check(!r && listener_get_abort(fd) == v, "set %d, reads back %d (got %d, %d)",
			 v, v, r, listener_get_abort(fd));
	}
	listener_set_abort(fd, 1, sizeof(int));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char what[64];

		snprintf(what, sizeof(what), "setsockopt(XTCP_ABORT_ON_OVERFLOW, %d)",
			 bad[i]);
		xt_check_errno(listener_set_abort(fd, bad[i], sizeof(int)), EINVAL, what);
	}
	xt_check_errno(listener_set_abort(fd, 0, 3), EINVAL, "setsockopt(..., optlen 3)");
	xt_check_errno(listener_set_abort(fd, 0, 0), EINVAL, "setsockopt(..., optlen 0)");
	xt_check(listener_get_abort(fd) == 1, "value unchanged by the failed calls (got %d)",
		 listener_get_abort(fd));
	close(fd);

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		xt_log("  -- %s: %s", t[i].what, t[i].rst ? "RST" : "request kept");
		xs_sysctl_must("abort_on_overflow", t[i].sysctl);
		if (listener_ovf_setup(&o, LPORT + i))
			return;
		/* -1 after 1: back to following the sysctl */
		if (t[i].opt < 0)
			listener_set_abort(o.lfd, 1, sizeof(int));
		r = listener_set_abort(o.lfd, t[i].opt, sizeof(int));
		xt_check(!r && listener_get_abort(o.lfd) == t[i].opt,
			 "listener: XTCP_ABORT_ON_OVERFLOW %d, reads back (got %d)",
			 t[i].opt, listener_get_abort(o.lfd));
		if (t[i].rst)
			listener_ovf_expect_rst(&o, t[i].what);
		else
			listener_ovf_expect_kept(&o, t[i].what);
	}
	xs_sysctl_must("abort_on_overflow", 0);
}

/*
 * Request socks per listener: backlog + 1, or max_syn_backlog if fewer.
 * SYN cookies (net.xtcp.syncookies, where it exists) are turned off: in
 * mode 1 they answer the SYNs beyond the limit.
 */
void listener_synq_limit(void)
{
	long sqf, drops, ovf, msb;
	int lfd, lfd2, i;
	struct conn c[6], d[3], e;

	if (xs_sysctl_get(NS_XS, "syncookies") != -1000)
		xs_sysctl_must("syncookies", 0);
	sqf = xs_stat("SynQueueFull");
	drops = xs_stat("ListenDrops");
	ovf = xs_stat("ListenOverflows");
	lfd = xs_listen_in(NS_XS, SRV_ADDR, LPORT, 3);

	xt_log("  -- listen(fd, 3): 4 requests; 6 SYNs from 6 ports");
	for (i = 0; i < 6; i++) {
		conn_init(&c[i], LPORT);
		if (i < 4) {
			if (conn_syn(&c[i], NULL, NULL))
				return;
			continue;
		}
		conn_send_syn(&c[i], NULL);
		conn_expect_none(&c[i], "SYN beyond the request limit");
		xt_check(xs_proc_count(NS_XS, LPORT, c[i].cport, NULL) == 0,
			 "port %u: no request sock", c[i].cport);
	}
	xt_check(xs_proc_count(NS_XS, LPORT, 0, "SYN_RECV") == 4,
		 "4 SYN_RECV lines (got %d)", xs_proc_count(NS_XS, LPORT, 0, "SYN_RECV"));
	xt_check(xs_stat("SynQueueFull") - sqf == 2, "SynQueueFull +2 (got %+ld)",
		 xs_stat("SynQueueFull") - sqf);
	xt_check(xs_stat("ListenDrops") - drops == 2, "ListenDrops +2 (got %+ld)",
		 xs_stat("ListenDrops") - drops);
	xt_check(xs_stat("ListenOverflows") == ovf, "ListenOverflows unchanged");
	xs_check_listen_info(lfd, "listen(fd, 3), 6 SYNs", 0, 4, 0, 2);

	xt_log("  -- net.xtcp.max_syn_backlog = 2: a new listen(fd, 3) takes 2");
	msb = xs_sysctl_get(NS_XS, "max_syn_backlog");
	xs_sysctl_must("max_syn_backlog", 2);
	sqf = xs_stat("SynQueueFull");
	lfd2 = xs_listen_in(NS_XS, SRV_ADDR, LPORT + 1, 3);
	for (i = 0; i < 3; i++) {
		conn_init(&d[i], LPORT + 1);
		if (i < 2) {
			if (conn_syn(&d[i], NULL, NULL))
				return;
			continue;
		}
		conn_send_syn(&d[i], NULL);
		conn_expect_none(&d[i], "SYN beyond max_syn_backlog");
		xt_check(xs_proc_count(NS_XS, LPORT + 1, d[i].cport, NULL) == 0,
			 "port %u: no request sock", d[i].cport);
	}
	xt_check(xs_proc_count(NS_XS, LPORT + 1, 0, "SYN_RECV") == 2,
		 "2 SYN_RECV lines (got %d)",
		 xs_proc_count(NS_XS, LPORT + 1, 0, "SYN_RECV"));
	xs_check_listen_info(lfd2, "max_syn_backlog 2", 0, 2, 0, 1);
	xt_log("  -- and the first listener, at 4 already, takes none");
	conn_init(&e, LPORT);
	conn_send_syn(&e, NULL);
	conn_expect_none(&e, "SYN to the first listener");
	xt_check(xs_proc_count(NS_XS, LPORT, e.cport, NULL) == 0,
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
void listener_synq_pressure(void)
{
	long tmo = xs_stat("RequestTimeouts");
	struct conn p[3], q[2];
	double gone[3] = { 0, 0, 0 }, t[8], last = 0;
	int lp, lq, i, n, n_gone;

	xs_sysctl_must("synack_retries", 5);
	lp = xs_listen_in(NS_XS, SRV_ADDR, LPORT, 3);
	lq = xs_listen_in(NS_XS, SRV_ADDR, LPORT + 1, 3);
	xt_log("  -- 3 requests on listener P (limit 4: pressure), 2 on Q (limit 4: none)");
	for (i = 0; i < 3; i++) {
		conn_init(&p[i], LPORT);
		if (conn_syn(&p[i], NULL, NULL))
			return;
	}
	for (i = 0; i < 2; i++) {
		conn_init(&q[i], LPORT + 1);
		if (conn_syn(&q[i], NULL, NULL))
			return;
	}
	last = q[1].t_synack;

	/* watch P's requests go, until 8 s after the last SYN-ACK */
	while (xt_now() < last + 8.0) {
		wire_pump_until(xt_now() + 0.05);
		for (i = 0; i < 3; i++)
			if (!gone[i] && conn_reqs(&p[i]) == 0) {
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
		n = conn_synack_resends(&p[i], t, 8);
		conn_log_resends(&p[i], t, n);
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
			xt_check(n == 3 && conn_reqs(&p[i]) == 1,
				 "P port %u: kept, resent a third time, once P was back to half full",
				 p[i].cport);
		}
	}
	xt_check(n_gone == 1, "exactly one of P's requests pruned (%d)", n_gone);
	xt_check(xs_stat("RequestTimeouts") - tmo == 1,
		 "RequestTimeouts +1 (got %+ld)", xs_stat("RequestTimeouts") - tmo);
	for (i = 0; i < 2; i++) {
		n = conn_synack_resends(&q[i], t, 8);
		conn_log_resends(&q[i], t, n);
		xt_check(n == 3 && t[0] >= 0.5 && t[0] <= 1.5 && t[1] >= 2.5 &&
			 t[1] <= 3.5 && t[2] >= 6.5 && t[2] <= 7.75,
			 "Q port %u: 3 resends, at +1, +3, +7 s (+-0.5; +0.75 for the third)",
			 q[i].cport);
		xt_check(conn_reqs(&q[i]) == 1, "Q port %u: still SYN_RECV at +%.1f s",
			 q[i].cport, xt_now() - q[i].t_synack);
	}
	xs_check_listen_info(lp, "P", 0, 2, 0, 0);
	xs_check_listen_info(lq, "Q", 0, 2, 0, 0);
}

/*
 * /proc/sys/net/xtcp/ in xs, as cat /proc/sys/net/xtcp/<all>: every entry reads
 * as a number; the four of the queues and timers exist with their
 * defaults and bounds; and they are xs's own.
 */
void listener_sysctls(void)
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
		/* the one string: an algorithm's name (stream_api checks it) */
		if (!strcmp(de->d_name, "congestion_control")) {
			n++;
			continue;
		}
		v = xs_sysctl_get(NS_XS, de->d_name);
		xt_log("  xs: net.xtcp.%s = %ld", de->d_name, v);
		n++;
		bad += v == -1000;
	}
	if (dir)
		closedir(dir);
	xt_check(n >= 4 && !bad, "xs: %d entries, each but congestion_control reads as a number (%d not)",
		 n, bad);

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = xs_sysctl_get(NS_XS, t[i].name);
		xt_check(v == t[i].dflt, "xs: net.xtcp.%s exists, default %ld (got %ld)",
			 t[i].name, t[i].dflt, v);
		xt_check(xs_sysctl_set(NS_XS, t[i].name, t[i].bad) == EINVAL &&
			 xs_sysctl_get(NS_XS, t[i].name) == t[i].dflt,
			 "xs: net.xtcp.%s = %d refused (EINVAL), unchanged", t[i].name,
			 t[i].bad);
	}
	xt_log("  -- per netns: a value set in xs is not xi's");
	xs_sysctl_must("synack_retries", 3);
	xt_check(xs_sysctl_get(NS_XI, "synack_retries") == 5,
		 "xi: net.xtcp.synack_retries still 5 (got %ld)",
		 xs_sysctl_get(NS_XI, "synack_retries"));
	xs_sysctl_must("synack_retries", 5);
}
