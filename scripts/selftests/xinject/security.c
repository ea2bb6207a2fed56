// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: what keeps an off-path attacker out. The challenge ACK
 * limit, per socket (RFC 5961, CVE-2016-5696); ISNs (RFC 6528); one
 * namespace's sockets unreachable from another; SYN cookies that must
 * neither fail a good client nor be replayed.
 */
#include "inject.h"

/*
 * @n in-window SYNs on each of the @nc connections @c, interleaved, at
 * once; the challenge ACKs seen for each go to @acks.
 */
static void security_syn_burst(struct conn *c, int nc, int n, int *acks)
{
	int i, k, other = 0;
	struct xt_seg s;

	wire_quiet = 1;
	for (i = 0; i < n; i++)
		for (k = 0; k < nc; k++)
			conn_send(&c[k], XT_SYN, c[k].isn + 100 + i, 0, 0, 0);
	wire_quiet = 0;
	for (k = 0; k < nc; k++) {
		acks[k] = 0;
		xt_log("  > %d SYNs %u > %u%s", n, c[k].cport, c[k].sport,
		       nc > 1 ? " (interleaved)" : "");
	}
	while (wire_recv(&s, QUICK_MS)) {
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

void security_challenge_limit(void)
{
	long chal = 0, lim = 0;
	int lfd = xs_listen(), acks = 0, tries;
	struct conn c;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	for (tries = 0; tries < 2; tries++) {
		chal = xs_stat("ChallengeAcks");
		lim = xs_stat("ChallengeAcksLimited");
		security_syn_burst(&c, 1, 30, &acks);
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
	xt_check(xt_sock_error(c.fd) == 0 && conn_estab(&c) == 1,
		 "connection intact, ESTABLISHED");
	conn_close(&c);
}

/*
 * CVE-2016-5696: one socket's budget must not be another's. Two sockets
 * get 30 SYNs each, interleaved: each may see at most 10 challenge ACKs,
 * and together more than one budget of 10.
 */
void security_challenge_per_socket(void)
{
	int lfd = xs_listen(), acks[2] = { 0, 0 }, tries;
	struct conn c[2];

	conn_init(&c[0], LPORT);
	conn_init(&c[1], LPORT);
	if (conn_establish(&c[0], lfd, NULL) || conn_establish(&c[1], lfd, NULL))
		return;
	for (tries = 0; tries < 2; tries++) {
		security_syn_burst(c, 2, 30, acks);
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

void security_isn(void)
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
		if (conn_syn(&c[i], NULL, NULL))
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
	if (conn_syn(&a, NULL, NULL))
		return;
	iss1 = a.iss;
	t1 = xt_now();
	conn_send(&a, XT_RST, a.isn + 1, 0, 0, 0);
	while (xt_now() < t1 + 0.3)
		usleep(5000);
	a.isn += 100000;
	if (conn_syn(&a, NULL, NULL))
		return;
	d = (int32_t)(a.iss - iss1);
	ticks = (xt_now() - t1) * 1e9 / 64;
	xt_log("  ISN moved by %d in %.0f ms (%.0f ticks of 64 ns)", d,
	       (xt_now() - t1) * 1000, ticks);
	xt_check(d > 0 && d > ticks / 4 && d < ticks * 4,
		 "same 4-tuple: ISN grows with the clock");
}

void security_netns_listener(void)
{
	long nosock = xs_stat("InNoSocket");
	struct conn c, d;
	struct xt_seg s;

	/* a wildcard listener in xi, none in xs on that port */
	xs_listen_in(NS_XI, "0.0.0.0", LPORT, 16);
	conn_init(&c, LPORT);
	conn_send_syn(&c, NULL);
	if (conn_expect(&c, &s, "SYN to xs, port listened on in xi only"))
		conn_check_rst_ack(&s, c.isn + 1, "xs answers for itself");
	xt_check(xs_stat("InNoSocket") - nosock == 1, "xs: InNoSocket +1");
	xt_check(xs_proc_count(NS_XI, LPORT, c.cport, NULL) == 0 &&
		 xs_proc_count(NS_XS, LPORT, c.cport, NULL) == 0,
		 "no request sock in xi or xs");
	xt_log("  -- the same port listened on in xs too: xs's listener answers");
	xs_listen_in(NS_XS, "0.0.0.0", LPORT, 16);
	conn_init(&d, LPORT);
	if (!conn_syn(&d, NULL, NULL))
		xt_check(conn_reqs(&d) == 1 &&
			 xs_proc_count(NS_XI, LPORT, d.cport, NULL) == 0,
			 "the request is xs's, not xi's");
}

/*
 * A connection in a third namespace xn with xs's address: a segment for
 * its exact 4-tuple that reaches xs must not find it.
 */
void security_netns_ehash(void)
{
	long xn_segs;
	struct conn c;
	struct xt_seg s;
	int fd;

	if (!xt_ns_exists(NS_XN))
		xt_fatal("no netns xn (inject.sh makes it)");
	conn_init(&c, 8081);
	fd = xs_connect_in(NS_XN, c.sport, c.cport);
	xt_check(xs_proc_count(NS_XN, c.sport, c.cport, "SYN_SENT") == 1,
		 "xn: %s:%u -> %s:%u in SYN_SENT", SRV_ADDR, c.sport, INJ_ADDR,
		 c.cport);
	xn_segs = xt_ns_stat(NS_XN, "InSegs");
	conn_send(&c, XT_SYN | XT_ACK, c.isn, 4242, 0, 0);
	if (conn_expect(&c, &s, "SYN-ACK to xs for xn's 4-tuple"))
		conn_check_rst_seq(&s, 4242, "xs has no such connection");
	conn_send(&c, XT_RST | XT_ACK, c.isn, 4242, 0, 0);
	conn_expect_none(&c, "RST|ACK");
	xt_check(xt_ns_stat(NS_XN, "InSegs") == xn_segs, "xn received nothing");
	xt_check(xs_proc_count(NS_XN, c.sport, c.cport, "SYN_SENT") == 1,
		 "xn's socket still SYN_SENT");
	xt_check(xt_sock_error(fd) == 0, "xn's socket has no error");
	close(fd);
}

/*
 * syncookies=2: no request sock, the SYN-ACK's ISN is a cookie, and a final
 * ACK that carries data still makes the connection (behaviours.md,
 * Cookies), and the accepted socket reads the data.
 */
void security_cookie_data(void)
{
	long recv = xs_stat("SyncookiesRecv");
	int lfd;
	struct conn c;

	xs_sysctl_must("syncookies", 2);
	lfd = xs_listen();
	conn_init(&c, LPORT);
	if (!conn_syn(&c, NULL, NULL)) {
		xt_check(conn_reqs(&c) == 0, "no request sock kept for the cookie SYN-ACK");
		if (!conn_ack_accept(&c, lfd, 100)) {
			xt_check(xs_stat("SyncookiesRecv") - recv == 1,
				 "SyncookiesRecv +1");
			xt_check(conn_read_payload(&c, 100) == 100,
				 "the accepted socket reads the 100 bytes of the cookie ACK");
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
void security_cookie_acceptq_full(void)
{
	long ovf = xs_stat("ListenOverflows"), rsts;
	int lfd, fd;
	struct conn a, b;

	xs_sysctl_must("syncookies", 2);
	lfd = xs_listen_in(NS_XS, SRV_ADDR, LPORT, 0);	/* room for one */
	conn_init(&b, LPORT);
	conn_init(&a, LPORT);
	if (conn_syn(&b, NULL, NULL) || conn_syn(&a, NULL, NULL))
		goto out;
	/* A completes and stays queued: the queue (backlog 0) is full */
	conn_send(&a, XT_ACK, a.isn + 1, a.iss + 1, 0, a.ts);
	conn_expect_none(&a, "A's final ACK");
	rsts = xs_stat("OutRsts");
	conn_send(&b, XT_ACK, b.isn + 1, b.iss + 1, 0, b.ts);
	conn_expect_none(&b, "cookie ACK on a full accept queue");
	xt_check(xs_stat("ListenOverflows") - ovf == 1, "ListenOverflows +1");
	xt_check(xs_stat("OutRsts") == rsts, "no RST");
	a.fd = xt_sock_accept(lfd, 300, NULL, NULL);
	xt_check(a.fd >= 0, "accept() returns A");
	fd = xt_sock_accept(lfd, 300, NULL, NULL);
	xt_check(fd < 0, "and nothing else: B was not queued");
	if (fd >= 0)
		conn_close_fd(fd);
	/* room now: B's ACK again, as after its retransmission timeout */
	conn_send(&b, XT_ACK, b.isn + 1, b.iss + 1, 0, b.ts);
	b.fd = xt_sock_accept(lfd, 1000, NULL, NULL);
	xt_check(b.fd >= 0, "B's ACK again, with room now: connected through the cookie");
out:
	conn_close(&a);
	conn_close(&b);
	close(lfd);
	xs_sysctl_must("syncookies", 1);
}

/* A cookie ACK sent again finds the connection it made: no second one. */
void security_cookie_replay(void)
{
	long passive, recv;
	int lfd, fd2;
	struct conn c;

	xs_sysctl_must("syncookies", 2);
	lfd = xs_listen();
	conn_init(&c, LPORT);
	if (!conn_syn(&c, NULL, NULL) && !conn_ack_accept(&c, lfd, 0)) {
		passive = xs_stat("PassiveOpens");
		recv = xs_stat("SyncookiesRecv");
		conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, c.ts);
		conn_send(&c, XT_ACK, c.isn + 1, c.iss + 1, 0, c.ts);
		fd2 = xt_sock_accept(lfd, 500, NULL, NULL);
		xt_check(fd2 < 0, "the replayed ACK made no second connection");
		if (fd2 >= 0)
			conn_close_fd(fd2);
		xt_check(xs_stat("PassiveOpens") == passive &&
			 xs_stat("SyncookiesRecv") == recv,
			 "PassiveOpens and SyncookiesRecv unchanged (the connection took it)");
		xt_check(conn_reqs(&c) == 0, "no request sock either");
	}
	conn_close(&c);
	xs_sysctl_must("syncookies", 1);
}
