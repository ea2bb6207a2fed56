// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: an ESTABLISHED connection. RSTs, SYNs and segments outside
 * the window (RFC 5961 and RFC 9293 3.10.7.4), and timestamps on every
 * segment once negotiated (RFC 7323). The data path's scenarios belong
 * here too.
 */
#include <netinet/tcp.h>

#include "inject.h"

void established_rst(void)
{
	long resets = xs_stat("EstabResets"), estab;
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;
	short ev;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	estab = xs_stat("CurrEstab");
	conn_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	conn_expect_none(&c, "RST at RCV.NXT");
	ev = xt_sock_poll(c.fd, POLLIN, 500);
	xt_check((ev & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
		 "poll: POLLERR|POLLHUP (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNRESET, "SO_ERROR ECONNRESET (got %d)",
		 xt_sock_error(c.fd));
	xt_check(xs_stat("EstabResets") - resets == 1, "EstabResets +1");
	xt_check(xs_stat("CurrEstab") - estab == -1, "CurrEstab -1 (got %+ld)",
		 xs_stat("CurrEstab") - estab);
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "gone from /proc/net/xtcp");
	conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "ACK after the reset"))
		conn_check_rst_seq(&s, c.iss + 1, "ACK after the reset meets the listener");
	conn_close(&c);
}

void established_rst_inwin(void)
{
	long chal = xs_stat("ChallengeAcks"), resets = xs_stat("EstabResets");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	xt_log("  -- RST inside the window, not at RCV.NXT: challenge ACK");
	conn_send(&c, XT_RST, c.isn + 1 + 1000, 0, 0, 0);
	if (conn_expect(&c, &s, "RST at RCV.NXT + 1000"))
		conn_check_ack(&c, &s, "challenge ACK");
	conn_send(&c, XT_RST | XT_ACK, c.isn + 2, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "RST|ACK at RCV.NXT + 1"))
		conn_check_ack(&c, &s, "challenge ACK");
	xt_log("  -- RSTs outside the window: dropped");
	conn_send(&c, XT_RST, c.isn + 1 + 200000, 0, 0, 0);
	conn_send(&c, XT_RST, c.isn, 0, 0, 0);
	conn_expect_none(&c, "out-of-window RSTs");
	xt_check(xs_stat("ChallengeAcks") - chal == 2, "ChallengeAcks +2 (got %+ld)",
		 xs_stat("ChallengeAcks") - chal);
	xt_check(xs_stat("EstabResets") == resets, "EstabResets unchanged");
	xt_check(xt_sock_error(c.fd) == 0 && !(xt_sock_poll(c.fd, POLLIN, 0) & (POLLERR | POLLHUP)),
		 "connection intact: no error, no hangup");
	xt_check(conn_estab(&c) == 1, "still ESTABLISHED");
	conn_close(&c);
}

void established_syn(void)
{
	long chal = xs_stat("ChallengeAcks");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	xt_log("  -- the original SYN again");
	conn_send_syn(&c, NULL);
	if (conn_expect(&c, &s, "SYN (original ISN) when ESTABLISHED"))
		conn_check_ack(&c, &s, "challenge ACK");
	xt_log("  -- a SYN inside the window");
	conn_send(&c, XT_SYN, c.isn + 500, 0, 0, 0);
	if (conn_expect(&c, &s, "in-window SYN when ESTABLISHED"))
		conn_check_ack(&c, &s, "challenge ACK");
	xt_log("  -- a SYN far away");
	conn_send(&c, XT_SYN, c.isn + 0x50000000u, 0, 0, 0);
	if (conn_expect(&c, &s, "out-of-window SYN when ESTABLISHED"))
		conn_check_ack(&c, &s, "ACK");
	xt_check(xs_stat("ChallengeAcks") - chal == 3, "ChallengeAcks +3 (got %+ld)",
		 xs_stat("ChallengeAcks") - chal);
	xt_check(xt_sock_error(c.fd) == 0 && conn_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

void established_oow(void)
{
	long oow = xs_stat("OutOfWindow");
	int lfd = xs_listen();
	struct conn c;
	struct xt_seg s;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	conn_send(&c, XT_ACK, c.isn + 1 + 100000, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "ACK beyond the window"))
		conn_check_ack(&c, &s, "ACK beyond the window");
	conn_send(&c, XT_ACK | XT_PSH, c.isn + 1 - 1000, c.iss + 1, 20, 0);
	if (conn_expect(&c, &s, "old data"))
		conn_check_ack(&c, &s, "old data");
	conn_send(&c, XT_ACK | XT_FIN, c.isn + 1 + 0x60000000u, c.iss + 1, 0, 0);
	if (conn_expect(&c, &s, "FIN far away"))
		conn_check_ack(&c, &s, "FIN far away");
	xt_check(xs_stat("OutOfWindow") - oow == 3, "OutOfWindow +3 (got %+ld)",
		 xs_stat("OutOfWindow") - oow);
	xt_check(xt_sock_error(c.fd) == 0 && conn_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

static void established_check_ts(const struct xt_seg *s, uint32_t *last, uint32_t ecr,
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

void established_ts_every(void)
{
	int lfd = xs_listen();
	uint32_t last, ecr;
	struct conn c, d;
	struct xt_seg s;
	double t0;

	xt_log("  -- request sock: duplicate ACK 600 ms after the SYN-ACK");
	conn_init(&d, LPORT);
	if (conn_syn(&d, &conn_opts_ts, &s))
		return;
	last = s.tsval;
	t0 = xt_now();
	while (xt_now() < t0 + 0.6)
		usleep(5000);
	conn_send(&d, XT_ACK, d.isn + 1 + REQ_WND + 10, d.iss + 1, 0, 1);
	if (conn_expect(&d, &s, "out-of-window ACK to a request")) {
		conn_check_ack(&d, &s, "request's duplicate ACK");
		/* the SYN's TSval: an out-of-window one is not taken */
		established_check_ts(&s, &last, conn_opts_ts.tsval, "request's duplicate ACK");
	}

	xt_log("  -- connection");
	conn_init(&c, LPORT);
	if (conn_syn(&c, &conn_opts_ts, &s))
		return;
	last = s.tsval;
	xt_check(s.has_ts && s.tsecr == conn_opts_ts.tsval,
		 "SYN-ACK carries TS, TSecr %u", conn_opts_ts.tsval);
	ecr = c.tsval;		/* what the final ACK will carry */
	if (conn_ack_accept(&c, lfd, 0))
		return;

	conn_send(&c, XT_SYN, c.isn + 10, 0, 0, 1);
	if (conn_expect(&c, &s, "SYN")) {
		conn_check_ack(&c, &s, "challenge ACK for a SYN");
		established_check_ts(&s, &last, ecr, "challenge ACK for a SYN");
	}
	conn_send(&c, XT_RST, c.isn + 100, 0, 0, 1);
	if (conn_expect(&c, &s, "in-window RST")) {
		conn_check_ack(&c, &s, "challenge ACK for a RST");
		established_check_ts(&s, &last, ecr, "challenge ACK for a RST");
	}
	conn_send(&c, XT_ACK, c.isn + 1 + 100000, c.iss + 1, 0, 1);
	if (conn_expect(&c, &s, "out-of-window ACK")) {
		conn_check_ack(&c, &s, "duplicate ACK");
		established_check_ts(&s, &last, ecr, "duplicate ACK");
	}
	conn_close(&c);
}

/* A peer that stops sending timestamps mid-connection. */
void established_ts_stop(void)
{
	long nots = xs_stat("InNoTimestamp"), resets = xs_stat("EstabResets");
	int lfd = xs_listen();
	struct conn c;
	short ev;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, &conn_opts_ts))
		return;
	xt_check(c.ts, "timestamps negotiated");
	conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, 0);
	conn_send(&c, XT_ACK | XT_PSH, c.isn + 1, c.iss + 1, 30, 0);
	conn_expect_none(&c, "ACKs without TS (RFC 7323 3.2: dropped silently)");
	xt_check(xs_stat("InNoTimestamp") - nots == 2, "InNoTimestamp +2 (got %+ld)",
		 xs_stat("InNoTimestamp") - nots);
	xt_check(xt_sock_error(c.fd) == 0 && conn_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	xt_log("  -- a RST without TS at RCV.NXT still resets (RFC 7323 5.2)");
	conn_send(&c, XT_RST, c.isn + 1, 0, 0, 0);
	conn_expect_none(&c, "RST without TS");
	ev = xt_sock_poll(c.fd, POLLIN, 500);
	xt_check(ev & POLLERR, "poll: POLLERR (revents 0x%x)", ev);
	xt_check(xt_sock_error(c.fd) == ECONNRESET, "SO_ERROR ECONNRESET");
	xt_check(xs_stat("EstabResets") - resets == 1, "EstabResets +1");
	conn_close(&c);
}

/*
 * PAWS (RFC 7323 5.3) with one tick of slack, as Linux's TCP_PAWS_WINDOW:
 * data whose TSval is one below ts_recent is taken (two CPUs reorder
 * segments stamped across a millisecond), two below is an old duplicate:
 * dropped, counted, and answered by a duplicate ACK.
 */
void established_paws(void)
{
	long drops = xs_stat("PAWSDrops");
	int lfd = xs_listen();
	char buf[400];
	struct conn c;
	struct xt_seg s;
	uint32_t seq, top;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, &conn_opts_ts))
		return;
	xt_check(c.ts, "timestamps negotiated");
	seq = c.isn + 1;
	c.tsval += 10;
	top = c.tsval;
	conn_send(&c, XT_ACK | XT_PSH, seq, c.iss + 1, 100, 1);
	if (conn_expect(&c, &s, "data at TSval T"))
		xt_check(s.ack == seq + 100, "ACKed (ack %u, want %u)", s.ack, seq + 100);
	seq += 100;
	c.tsval = top - 1;
	conn_send(&c, XT_ACK | XT_PSH, seq, c.iss + 1, 100, 1);
	if (conn_expect(&c, &s, "data at TSval T - 1"))
		xt_check(s.ack == seq + 100, "one tick back: taken (ack %u, want %u)",
			 s.ack, seq + 100);
	seq += 100;
	c.tsval = top - 2;
	conn_send(&c, XT_ACK | XT_PSH, seq, c.iss + 1, 100, 1);
	if (conn_expect(&c, &s, "data at TSval T - 2"))
		xt_check(s.ack == seq, "two ticks back: dropped, duplicate ACK (ack %u, want %u)",
			 s.ack, seq);
	xt_check(xs_stat("PAWSDrops") - drops == 1, "PAWSDrops +1 (got %+ld)",
		 xs_stat("PAWSDrops") - drops);
	xt_check(recv(c.fd, buf, sizeof(buf), MSG_DONTWAIT) == 200,
		 "the reader has the 200 bytes taken, no more");
	conn_close(&c);
}

/* An ACK on @c with TS and the SACK blocks @blocks[@n]. */
static void established_send_sack(struct conn *c, uint32_t ack,
				  const uint32_t (*blocks)[2], unsigned int n)
{
	struct xt_opts o = { .has_ts = 1, .tsval = c->tsval++,
			     .tsecr = c->ts_recent, .nsack = n };

	memcpy(o.blocks, blocks, n * sizeof(*blocks));
	wire_send(c->cport, c->sport, XT_ACK, c->isn + 1, ack, 65535, &o, 0);
}

/* xs's count of RTOs that found SACKed data dropped, xtcp's or Linux's */
static long established_reneged(void)
{
	return xt_stack_is_tcp() ? xs_tcpext("TCPSACKReneging") :
				   xs_stat("SackReneging");
}

/*
 * SACK reneging (RFC 2018 8): we SACK xs's second and third segments,
 * then ACK only the first, as a receiver does that dropped what it had
 * SACKed (an out-of-order queue pruned for memory). xs must send the
 * second again though it saw it SACKed (it used to wait for a SACK that
 * never came, and the connection stalled), and count SackReneging.
 * With XT_STACK=tcp, Linux TCP is xs: the referee, which must do the
 * same and count TCPSACKReneging.
 */
void established_renege(void)
{
	long reneg = established_reneged();
	struct xt_opts o = conn_opts_ts;
	uint32_t seq[3], end = 0, blocks[1][2];
	int lfd = xs_listen(), n = 0;
	char buf[3000] = { 0 };
	struct xt_seg s;
	struct conn c;

	o.sack = 1;
	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, &o))
		return;
	xt_log("  -- xs sends 3000 bytes: three segments (TCP_NODELAY)");
	xt_check(!setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
			     sizeof(int)), "TCP_NODELAY");
	xt_check(send(c.fd, buf, sizeof(buf), 0) == sizeof(buf), "send()");
	while (n < 3 && end != c.iss + 1 + sizeof(buf) &&
	       conn_recv(&c, &s, REPLY_MS, 1)) {
		/* the RTO's resend, if we were slow: not a new segment */
		if (!s.paylen || (n && s.seq == seq[0]))
			continue;
		seq[n++] = s.seq;
		end = s.seq + s.paylen;
	}
	xt_check(n >= 2 && end == c.iss + 1 + sizeof(buf),
		 "the data came in %d segments", n);
	if (n < 2 || end != c.iss + 1 + sizeof(buf))
		goto out;

	xt_log("  -- we SACK all but the first, then ACK the first only");
	blocks[0][0] = seq[1];
	blocks[0][1] = end;
	established_send_sack(&c, c.iss + 1, blocks, 1);
	established_send_sack(&c, seq[1], blocks, 0);
	do {
		if (!conn_recv(&c, &s, 3 * REPLY_MS, 1)) {
			xt_check(0, "xs sends the segment at %u again", seq[1]);
			goto out;
		}
	} while (!s.paylen || s.seq == seq[0]);
	xt_check(s.seq == seq[1],
		 "the segment at snd.una again, SACKed or not (seq %u, want %u)",
		 s.seq, seq[1]);
	xt_check(established_reneged() - reneg == 1, "%s +1",
		 xt_stack_is_tcp() ? "TCPSACKReneging" : "SackReneging");
	conn_send(&c, XT_ACK, c.isn + 1, end, 0, c.ts);
out:
	conn_close(&c);
}
