// SPDX-License-Identifier: GPL-2.0
/*
 * xclose: the end of a connection, each side xtcp or Linux TCP.
 *
 *   xclose SCENARIO CLIENT SERVER [ARGS]
 *
 * CLIENT and SERVER are "xtcp" or "tcp". The client lives in ns_x
 * (192.0.2.1), the server in ns_t (192.0.2.2); close.sh builds the link
 * (and the protocol-byte translator when one side is Linux TCP). One
 * process holds both ends, entering each namespace to make its socket.
 *
 * Scenarios (the client is the active closer unless said otherwise):
 *   active      client closes first: the server reads EOF; TIME_WAIT on
 *               the client for 2MSL, nothing on the server
 *   passive     server closes first: TIME_WAIT on the server only; a
 *               new listener's bind() over it needs SO_REUSEADDR
 *   simul       both shut down at once (a delayed link): both TIME_WAIT
 *   halfclose   client shuts down its side and keeps reading 200 kB;
 *               its writes fail with EPIPE; the server sees POLLRDHUP
 *   unread      server closes with unread data: the client reads
 *               ECONNRESET (RFC 2525)
 *   linger0     client closes with SO_LINGER {1, 0}: the server reads
 *               ECONNRESET
 *   linger      client closes with SO_LINGER {1, 10} behind 300 kB the
 *               server reads slowly: close() blocks until it is all
 *               acknowledged, then returns 0
 *   syn_tw      after a passive close, the client connects again from
 *               the same port: the server's TIME_WAIT takes the SYN
 *   finwait2    the server never closes: the client's orphan in
 *               FIN_WAIT_2 ends after fin_timeout (ARGS: seconds)
 *   keepalive   keepalive probes keep an idle connection; with the
 *               peer gone silent (ARGS: a command that silences it),
 *               the client fails with ETIMEDOUT
 *   user_timeout TCP_USER_TIMEOUT 1.5 s on unacknowledged data, the peer
 *               silenced by ARGS: ETIMEDOUT in about that time
 *   orphan      ARGS: a command that silences the server; the client
 *               closes with 1000 bytes unacknowledged and the program
 *               exits, leaving the client's orphan retransmitting
 *   storm       ARGS: N RATE: N short connections (100-byte request,
 *               1 kB answer, client closes first) at most RATE a
 *               second; prints how many connect()s failed
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include "xt.h"

#define NS_C		1		/* ns_x, the client */
#define NS_S		2		/* ns_t, the server */
#define CADDR		"192.0.2.1"
#define SADDR		"192.0.2.2"
#define PORT		7100

static int cstack, sstack;		/* 1: Linux TCP */

static int xclose_family(int tcp)
{
	return tcp ? AF_INET : xt_family();
}

static void xclose_addr(struct sockaddr_in *sin, int tcp, const char *ip,
			int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = xclose_family(tcp);
	sin->sin_port = htons(port);
	inet_pton(AF_INET, ip, &sin->sin_addr);
}

static int xclose_socket(int ns, int tcp)
{
	int fd, one = 1;

	xt_ns_enter(ns);
	fd = socket(xclose_family(tcp), SOCK_STREAM, tcp ? IPPROTO_TCP : 0);
	xt_ns_leave();
	if (fd < 0)
		xt_fatal("socket in %s", xt_ns_name(ns));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static int xclose_listen(void)
{
	int fd = xclose_socket(NS_S, sstack);
	struct sockaddr_in sin;

	xclose_addr(&sin, sstack, "0.0.0.0", PORT);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 128))
		xt_fatal("server bind/listen");
	return fd;
}

/* A connected client, from @lport (0: any); -errno on failure. */
static int xclose_connect(int lport)
{
	int fd = xclose_socket(NS_C, cstack);
	struct sockaddr_in sin;

	if (lport) {
		xclose_addr(&sin, cstack, CADDR, lport);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			xt_fatal("client bind to port %d", lport);
	}
	xclose_addr(&sin, cstack, SADDR, PORT);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static int xclose_accept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		xt_fatal("accept");
	return fd;
}

/* Connection from a client to the server: *cfd, *sfd. */
static void xclose_pair(int lfd, int *cfd, int *sfd)
{
	*cfd = xclose_connect(0);
	if (*cfd < 0)
		xt_fatal("connect: %s", strerror(-*cfd));
	*sfd = xclose_accept(lfd);
}

static void xclose_write(int fd, size_t n)
{
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	while (n) {
		ssize_t r = send(fd, buf, n < sizeof(buf) ? n : sizeof(buf),
				 MSG_NOSIGNAL);

		if (r <= 0)
			xt_fatal("send: %s", strerror(errno));
		n -= r;
	}
}

/* Read to EOF or error within @ms: bytes read, or -errno. */
static long xclose_drain(int fd, int ms)
{
	double end = xt_now() + ms / 1000.0;
	char buf[16384];
	long total = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)((end - xt_now()) * 1000);
		ssize_t r;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIME;
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r == 0)
			return total;
		if (r < 0) {
			if (errno == EAGAIN)
				continue;
			return -errno;
		}
		total += r;
	}
}

/* Entries for the 4-tuple ending in local port @lport, in @state. */
static int xclose_count(int ns, int tcp, int lport, int rport,
			const char *state)
{
	struct xt_proc_want w = { .lport = lport, .rport = rport,
				  .state = state };
	/* /proc/net/tcp's numbers for the two states we look for */
	const char *st = !strcmp(state, "TIME_WAIT") ? "06" : "05";
	char line[256];
	int n = 0;
	FILE *f;

	if (!tcp)
		return xt_ns_proc_count(ns, &w, NULL, 0);
	f = xt_ns_fopen(ns, "/proc/net/tcp", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned int lp, rp;
		char s[4];

		if (sscanf(line, " %*d: %*x:%x %*x:%x %3s", &lp, &rp, s) != 3)
			continue;
		if ((int)lp == lport && (int)rp == rport && !strcmp(s, st))
			n++;
	}
	fclose(f);
	return n;
}

static const char *xclose_name(int tcp)
{
	return tcp ? "tcp" : "xtcp";
}

/*
 * TIME_WAIT on exactly the side(s) @c and @s say, within 5 s (the last
 * segments of the close may still be on their way on a slow kernel;
 * the entries last a minute).
 */
static void xclose_check_tw(int cport, int want_c, int want_s)
{
	double end = xt_now() + 5;
	int c, s;

	for (;;) {
		c = xclose_count(NS_C, cstack, cport, PORT, "TIME_WAIT");
		s = xclose_count(NS_S, sstack, PORT, cport, "TIME_WAIT");
		if ((c == want_c && s == want_s) || xt_now() > end)
			break;
		usleep(50000);
	}

	xt_check(c == want_c, "client (%s): %d TIME_WAIT entr%s (want %d)",
		 xclose_name(cstack), c, c == 1 ? "y" : "ies", want_c);
	xt_check(s == want_s, "server (%s): %d TIME_WAIT entr%s (want %d)",
		 xclose_name(sstack), s, s == 1 ? "y" : "ies", want_s);
	if (c != want_c)
		xt_ns_proc_dump(NS_C);
	if (s != want_s)
		xt_ns_proc_dump(NS_S);
}

static void xclose_active(int lfd)
{
	int cfd, sfd, cport;
	long got;

	xclose_pair(lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	xclose_write(cfd, 1000);
	close(cfd);
	got = xclose_drain(sfd, 3000);
	xt_check(got == 1000, "server read 1000 bytes then EOF (got %ld)", got);
	close(sfd);
	xclose_check_tw(cport, 1, 0);
}

/* A new listener on the port: 0 or the errno of bind(). */
static int xclose_rebind(int reuse)
{
	int fd = xclose_socket(NS_S, sstack), err = 0, v = reuse;
	struct sockaddr_in sin;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v));
	xclose_addr(&sin, sstack, "0.0.0.0", PORT);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		err = errno;
	close(fd);
	return err;
}

static void xclose_passive(int *lfd)
{
	int cfd, sfd, cport, err;
	long got;

	xclose_pair(*lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	xclose_write(sfd, 1000);
	close(sfd);
	got = xclose_drain(cfd, 3000);
	xt_check(got == 1000, "client read 1000 bytes then EOF (got %ld)", got);
	close(cfd);
	xclose_check_tw(cport, 0, 1);
	/* a server restarting over its own TIME_WAIT entries, as TCP's */
	close(*lfd);
	*lfd = -1;
	err = xclose_rebind(0);
	xt_check(err == EADDRINUSE,
		 "bind() over the TIME_WAIT without SO_REUSEADDR: EADDRINUSE (%s)",
		 strerror(err));
	err = xclose_rebind(1);
	xt_check(err == 0, "bind() with SO_REUSEADDR over the TIME_WAIT (%s)",
		 err ? strerror(err) : "ok");
}

static void xclose_simul(int lfd)
{
	int cfd, sfd, cport;
	long a, b;

	xclose_pair(lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	/* the link delays each way: the two FINs cross */
	shutdown(cfd, SHUT_WR);
	shutdown(sfd, SHUT_WR);
	a = xclose_drain(cfd, 3000);
	b = xclose_drain(sfd, 3000);
	xt_check(a == 0 && b == 0, "both read EOF (%ld, %ld)", a, b);
	close(cfd);
	close(sfd);
	xclose_check_tw(cport, 1, 1);
}

static void xclose_halfclose(int lfd)
{
	int cfd, sfd;
	struct pollfd p;
	long got;

	xclose_pair(lfd, &cfd, &sfd);
	xclose_write(cfd, 1000);
	shutdown(cfd, SHUT_WR);
	got = xclose_drain(sfd, 3000);
	xt_check(got == 1000, "server read 1000 bytes then EOF (got %ld)", got);
	p = (struct pollfd){ .fd = sfd, .events = POLLIN | POLLRDHUP };
	xt_check(poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLRDHUP)) ==
		 (POLLIN | POLLRDHUP), "server: POLLIN|POLLRDHUP (0x%x)",
		 p.revents);
	xt_check(send(cfd, "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE,
		 "client write after its FIN: EPIPE");
	/* the server's side is still open: data flows after the FIN */
	xclose_write(sfd, 200000);
	close(sfd);
	got = xclose_drain(cfd, 5000);
	xt_check(got == 200000, "client read 200000 bytes then EOF (got %ld)",
		 got);
	close(cfd);
}

static void xclose_unread(int lfd)
{
	int cfd, sfd;
	long got;

	xclose_pair(lfd, &cfd, &sfd);
	xclose_write(cfd, 1000);
	usleep(200000);
	close(sfd);		/* 1000 bytes unread */
	got = xclose_drain(cfd, 3000);
	xt_check(got == -ECONNRESET, "client: ECONNRESET (got %ld: %s)", got,
		 got < 0 ? strerror(-got) : "data");
	close(cfd);
}

static void xclose_linger0(int lfd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int cfd, sfd, cport;
	long got;

	xclose_pair(lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(cfd);
	got = xclose_drain(sfd, 3000);
	xt_check(got == -ECONNRESET, "server: ECONNRESET (got %ld)", got);
	close(sfd);
	xclose_check_tw(cport, 0, 0);
}

struct xclose_reader {
	int fd;
	int delay_ms;
	long got;
};

static void *xclose_slow_reader(void *arg)
{
	struct xclose_reader *r = arg;

	usleep(r->delay_ms * 1000);
	r->got = xclose_drain(r->fd, 20000);
	return NULL;
}

static void xclose_linger(int lfd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 10 };
	struct xclose_reader r = { .delay_ms = 700 };
	int cfd, sfd, small = 16384;
	pthread_t th;
	double t0, took;

	xclose_pair(lfd, &cfd, &sfd);
	r.fd = sfd;
	/* small buffers, so most of the data waits in the client's */
	setsockopt(sfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	pthread_create(&th, NULL, xclose_slow_reader, &r);
	/* fits the client's send buffer: the write returns at once */
	xclose_write(cfd, 300000);
	t0 = xt_now();
	xt_check(close(cfd) == 0, "close() with SO_LINGER returns 0");
	took = xt_now() - t0;
	pthread_join(th, NULL);
	xt_check(r.got == 300000, "server read 300000 bytes then EOF (%ld)",
		 r.got);
	/* close() returned only once the server had taken the data */
	xt_check(took > 0.2 && took < 10, "close() blocked %.2f s", took);
	close(sfd);
}

static void xclose_syn_tw(int lfd)
{
	long rec = sstack ? 0 : xt_ns_stat(NS_S, "TimeWaitRecycled");
	int cfd, sfd, cport;
	long got;

	xclose_pair(lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	close(sfd);
	xclose_drain(cfd, 3000);
	close(cfd);
	xclose_check_tw(cport, 0, 1);
	/* the same 4-tuple again: the server's TIME_WAIT takes the SYN */
	cfd = xclose_connect(cport);
	xt_check(cfd >= 0, "connect again from port %d (%s)", cport,
		 cfd < 0 ? strerror(-cfd) : "ok");
	if (cfd < 0)
		return;
	sfd = xclose_accept(lfd);
	xclose_write(cfd, 100);
	close(cfd);
	got = xclose_drain(sfd, 3000);
	xt_check(got == 100, "the new connection carries data (%ld)", got);
	close(sfd);
	if (!sstack)
		xt_check(xt_ns_stat(NS_S, "TimeWaitRecycled") - rec == 1,
			 "TimeWaitRecycled +1");
}

static void xclose_finwait2(int lfd, int secs)
{
	long to = cstack ? 0 : xt_ns_stat(NS_C, "FinWait2Timeouts");
	int cfd, sfd, cport, n;
	double t0;

	xclose_pair(lfd, &cfd, &sfd);
	cport = xt_sock_port(cfd, 0);
	close(cfd);
	t0 = xt_now();
	do {
		usleep(50000);
		n = xclose_count(NS_C, cstack, cport, PORT, "FIN_WAIT2");
	} while (n != 1 && xt_now() < t0 + 1.5);
	if (!cstack)
		xt_check(n == 1, "orphan in FIN_WAIT2 (%d)", n);
	/* fin_timeout from the ACK of the FIN, and a slow kernel's slack */
	do {
		usleep(100000);
		n = xclose_count(NS_C, cstack, cport, PORT, "FIN_WAIT2");
	} while (n && xt_now() < t0 + secs + 5);
	xt_check(n == 0, "gone after fin_timeout (%d left, %.1f s)", n,
		 xt_now() - t0);
	xt_check(xt_now() - t0 > secs - 0.5, "not before fin_timeout");
	if (!cstack)
		xt_check(xt_ns_stat(NS_C, "FinWait2Timeouts") - to == 1,
			 "FinWait2Timeouts +1");
	close(sfd);
}

/* Wait for the client socket to fail; return its error and the time. */
static int xclose_wait_error(int fd, int ms, double *took)
{
	double t0 = xt_now();
	struct pollfd p = { .fd = fd, .events = POLLIN };

	poll(&p, 1, ms);
	*took = xt_now() - t0;
	return xt_sock_error(fd);
}

static void xclose_keepalive(int lfd, const char *silence)
{
	int cfd, sfd, on = 1, idle = 1, intvl = 1, cnt = 2, err;
	long probes = cstack ? 0 : xt_ns_stat(NS_C, "KeepAliveProbes");
	double took;

	xclose_pair(lfd, &cfd, &sfd);
	setsockopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(cfd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
	setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
	sleep(4);
	xt_check(xt_sock_error(cfd) == 0, "idle 4 s with keepalive: still up");
	if (!cstack)
		xt_check(xt_ns_stat(NS_C, "KeepAliveProbes") - probes >= 2,
			 "KeepAliveProbes went up by %ld",
			 xt_ns_stat(NS_C, "KeepAliveProbes") - probes);
	if (system(silence))
		xt_fatal("%s", silence);
	err = xclose_wait_error(cfd, 30000, &took);
	xt_check(err == ETIMEDOUT, "peer silent: %s after %.1f s",
		 strerror(err), took);
	/* idle 1 s + 2 probes 1 s apart; without keepalive: never */
	xt_check(took > 1.5 && took < 20, "within the keepalive bounds (%.1f s)",
		 took);
	close(cfd);
	close(sfd);
}

static void xclose_user_timeout(int lfd, const char *silence)
{
	int cfd, sfd, ut = 1500, err;
	double took;

	xclose_pair(lfd, &cfd, &sfd);
	setsockopt(cfd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof(ut));
	if (system(silence))
		xt_fatal("%s", silence);
	xclose_write(cfd, 100);
	err = xclose_wait_error(cfd, 30000, &took);
	xt_check(err == ETIMEDOUT, "unacknowledged data: %s after %.1f s",
		 strerror(err), took);
	/* not before the 1.5 s; retries2 alone would take many minutes */
	xt_check(took > 1.3 && took < 20, "about TCP_USER_TIMEOUT (%.1f s)",
		 took);
	close(cfd);
	close(sfd);
}

static void xclose_orphan(int lfd, const char *silence)
{
	int cfd, sfd;

	xclose_pair(lfd, &cfd, &sfd);
	if (system(silence))
		xt_fatal("%s", silence);
	xclose_write(cfd, 1000);
	close(cfd);
	xt_check(xclose_count(NS_C, cstack, 0, PORT, "FIN_WAIT1") == 1,
		 "the client is an orphan in FIN_WAIT1");
	/* the server's socket goes with the program (its RST is lost) */
	close(sfd);
}

static void xclose_storm(int lfd, int n, int rate)
{
	double t0 = xt_now();
	int i, fails = 0, other = 0;
	char buf[1000];

	memset(buf, 'y', sizeof(buf));
	for (i = 0; i < n; i++) {
		int cfd, sfd;

		xt_sleep_until(t0 + (double)i / rate);
		cfd = xclose_connect(0);
		if (cfd < 0) {
			if (cfd == -EADDRNOTAVAIL)
				fails++;
			else
				other++;
			continue;
		}
		sfd = xclose_accept(lfd);
		xclose_write(cfd, 100);
		if (getenv("XCLOSE_TRACE"))
			xt_log("  %d: port %u", i, xt_sock_port(cfd, 0));
		if (recv(sfd, buf, 100, MSG_WAITALL) != 100 ||
		    send(sfd, buf, sizeof(buf), MSG_NOSIGNAL) != sizeof(buf) ||
		    recv(cfd, buf, sizeof(buf), MSG_WAITALL) != sizeof(buf))
			other++;
		close(cfd);
		if (xclose_drain(sfd, 3000) != 0)
			other++;
		close(sfd);
	}
	xt_log("storm: %d connections, %d EADDRNOTAVAIL, %d other failures, %.1f s",
	       n, fails, other, xt_now() - t0);
	printf("eaddrnotavail %d\n", fails);
	xt_check(other == 0, "no other failure");
}

int main(int argc, char **argv)
{
	const char *sc;
	int lfd;

	if (argc < 4)
		xt_fatal("usage: xclose SCENARIO xtcp|tcp xtcp|tcp [ARGS]");
	sc = argv[1];
	cstack = !strcmp(argv[2], "tcp");
	sstack = !strcmp(argv[3], "tcp");
	xt_ns_init("self");
	if (xt_ns_open(NS_C, "ns_x") || xt_ns_open(NS_S, "ns_t"))
		xt_fatal("namespaces ns_x and ns_t");
	xt_log("%s: client %s, server %s", sc, xclose_name(cstack),
	       xclose_name(sstack));
	lfd = xclose_listen();
	if (!strcmp(sc, "active"))
		xclose_active(lfd);
	else if (!strcmp(sc, "passive"))
		xclose_passive(&lfd);
	else if (!strcmp(sc, "simul"))
		xclose_simul(lfd);
	else if (!strcmp(sc, "halfclose"))
		xclose_halfclose(lfd);
	else if (!strcmp(sc, "unread"))
		xclose_unread(lfd);
	else if (!strcmp(sc, "linger0"))
		xclose_linger0(lfd);
	else if (!strcmp(sc, "linger"))
		xclose_linger(lfd);
	else if (!strcmp(sc, "syn_tw"))
		xclose_syn_tw(lfd);
	else if (!strcmp(sc, "finwait2") && argc > 4)
		xclose_finwait2(lfd, atoi(argv[4]));
	else if (!strcmp(sc, "keepalive") && argc > 4)
		xclose_keepalive(lfd, argv[4]);
	else if (!strcmp(sc, "user_timeout") && argc > 4)
		xclose_user_timeout(lfd, argv[4]);
	else if (!strcmp(sc, "orphan") && argc > 4)
		xclose_orphan(lfd, argv[4]);
	else if (!strcmp(sc, "storm") && argc > 5)
		xclose_storm(lfd, atoi(argv[4]), atoi(argv[5]));
	else
		xt_fatal("unknown scenario %s", sc);
	if (lfd >= 0)
		close(lfd);
	return xt_done();
}
