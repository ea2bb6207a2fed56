// SPDX-License-Identifier: GPL-2.0
/*
 * reuseport MODE: SO_REUSEPORT groups, each rule asked of Linux TCP and of
 * xtcp in the same run, over 127.0.0.1.
 *
 *   errors   bad option length, a second socket without the option, a
 *            socket of another user: TCP's errnos; sharers of one user
 *            bind and listen; getsockopt reads the flag back
 *   spread   2..8 listeners, 60 connections per listener: the counts per
 *            listener pass a chi-square test at a false-failure
 *            probability of 1e-6 per group size
 *   cbpf     SO_ATTACH_REUSEPORT_CBPF with a program that answers 2: every
 *            connection goes to the third listener
 *   cookies  syncookies=2 (both stacks) over a group of 4: every handshake
 *            ends through a cookie at a member, none is lost
 *   tw       TIME_WAIT on a port: a SO_REUSEPORT socket that connected
 *            and closed first, and a reuseport listener's child that
 *            closed first; bind() of that port with and without the
 *            option, with SO_REUSEADDR alone, by another user, over an
 *            entry of a socket without it: TCP's answers
 *   migrate-server, migrate-client: the two ends of reuseport_migrate.sh
 *   flood-server, flood-client: the two ends of reuseport_flood.sh, for
 *            either stack
 *
 * On 6.1 SOL_SOCKET SO_REUSEPORT cannot reach xtcp (the kernel refuses it
 * to families other than AF_INET/AF_INET6 first): there the xtcp side sets
 * SOL_XTCP XTCP_REUSEPORT, and says so.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>

#include "xt.h"

#define XT_RP_PORT	9100
#define XT_RP_MAX	8

/* chi-square, k-1 degrees of freedom, upper tail 1e-6 (k = 2..8) */
static const double xt_rp_chi2_bound[XT_RP_MAX + 1] = {
	0, 0, 23.93, 27.63, 30.66, 33.38, 35.89, 38.26, 40.52,
};

static int xt_rp_xfam;
static int xt_rp_sol_xtcp;	/* 6.1: SOL_SOCKET is refused to xtcp */

static const char *xt_rp_name(int fam)
{
	return fam == AF_INET ? "tcp" : "xtcp";
}

/* setsockopt(SO_REUSEPORT) as a program would, or its 6.1 stand-in */
static int xt_rp_set(int fd, int fam, int val, socklen_t len)
{
	if (fam != AF_INET && xt_rp_sol_xtcp)
		return setsockopt(fd, SOL_XTCP, XTCP_REUSEPORT, &val, len);
	return setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &val, len);
}

static int xt_rp_socket(int fam, int reuseport)
{
	int fd = socket(fam, SOCK_STREAM, 0);

	if (fd < 0)
		xt_fatal("socket(%d): %s", fam, strerror(errno));
	if (reuseport && xt_rp_set(fd, fam, 1, sizeof(int)))
		xt_fatal("%s: SO_REUSEPORT: %s", xt_rp_name(fam),
			 strerror(errno));
	return fd;
}

static int xt_rp_bind(int fd, int fam, uint16_t port)
{
	struct sockaddr_in a;

	xt_sock_addr(&a, xt_addr("127.0.0.1"), port);
	a.sin_family = fam;
	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static void xt_rp_probe(void)
{
	int fd = socket(xt_rp_xfam, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		xt_fatal("socket(AF_XTCP): %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) &&
	    errno == EOPNOTSUPP) {
		xt_rp_sol_xtcp = 1;
		xt_log("SOL_SOCKET SO_REUSEPORT refused by this kernel before xtcp is asked (6.1): using SOL_XTCP XTCP_REUSEPORT");
	} else {
		xt_log("SOL_SOCKET SO_REUSEPORT reaches xtcp on this kernel");
	}
	close(fd);
}

static int xt_rp_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(val, f);
	return fclose(f);
}

/* The errnos of one stack, as a string to compare with the other's. */
static void xt_rp_errors_of(int fam, char *out, size_t n)
{
	int a, b, c, d, val = 0, r1, r2, r3, r4, r5, e1, e3, e4, e5, st;
	socklen_t len = sizeof(val);
	uint16_t port = XT_RP_PORT + (fam == AF_INET ? 0 : 1);
	pid_t pid;

	a = xt_rp_socket(fam, 0);
	r1 = xt_rp_set(a, fam, 1, 2);
	e1 = errno;
	xt_rp_set(a, fam, 1, sizeof(int));
	getsockopt(a, SOL_SOCKET, SO_REUSEPORT, &val, &len);
	b = xt_rp_socket(fam, 1);
	r2 = xt_rp_bind(a, fam, port) | listen(a, 8) |
	     xt_rp_bind(b, fam, port) | listen(b, 8);
	/* a third socket without the option */
	c = xt_rp_socket(fam, 0);
	r3 = xt_rp_bind(c, fam, port);
	e3 = errno;
	/* one with it, but of another user (nobody) */
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		d = xt_rp_socket(fam, 1);
		if (!xt_rp_bind(d, fam, port))
			_exit(0);
		_exit(errno);
	}
	waitpid(pid, &st, 0);
	r4 = WEXITSTATUS(st) ? -1 : 0;
	e4 = WEXITSTATUS(st);
	/* a third sharer of the same user still joins */
	d = xt_rp_socket(fam, 1);
	r5 = xt_rp_bind(d, fam, port) | listen(d, 8);
	e5 = errno;
	snprintf(out, n,
		 "optlen2=%d/%s get=%d share=%d without=%d/%s other-user=%d/%s third=%d/%s",
		 r1, r1 ? strerror(e1) : "-", val, r2, r3,
		 r3 ? strerror(e3) : "-", r4, r4 ? strerror(e4) : "-", r5,
		 r5 ? strerror(e5) : "-");
	close(a);
	close(b);
	close(c);
	close(d);
}

static void xt_rp_errors(void)
{
	const char *raw = "/proc/sys/net/xtcp/socket_needs_net_raw";
	long need_raw = xt_read_long(raw, 1);
	char t[256], x[256];

	/* user nobody makes an xtcp socket without CAP_NET_RAW, as TCP's */
	if (xt_rp_write(raw, "0"))
		xt_fatal("%s: %s", raw, strerror(errno));
	xt_rp_errors_of(AF_INET, t, sizeof(t));
	xt_rp_errors_of(xt_rp_xfam, x, sizeof(x));
	xt_rp_write(raw, need_raw ? "1" : "0");
	xt_log("tcp:  %s", t);
	xt_log("xtcp: %s", x);
	xt_check(!strcmp(t, "optlen2=-1/Invalid argument get=1 share=0 without=-1/Address already in use other-user=-1/Address already in use third=0/-"),
		 "TCP answers as expected (EINVAL, EADDRINUSE twice)");
	xt_check(!strcmp(t, x), "xtcp answers as TCP");
}

static int xt_rp_group(int fam, int n, uint16_t port, int *lfd)
{
	int i;

	for (i = 0; i < n; i++) {
		lfd[i] = xt_rp_socket(fam, 1);
		if (xt_rp_bind(lfd[i], fam, port) || listen(lfd[i], 512)) {
			xt_check(0, "%s: listener %d of %d: %s", xt_rp_name(fam),
				 i, n, strerror(errno));
			return -1;
		}
		fcntl(lfd[i], F_SETFL, O_NONBLOCK);
	}
	return 0;
}

/*
 * Make @conns connections to the group, one at a time, and count which
 * listener's queue each one came out of. Returns how many were accepted.
 */
static int xt_rp_count(int fam, int n, uint16_t port, const int *lfd,
		       int conns, int *count)
{
	int i, j, c, s, got = 0;
	struct sockaddr_in a;

	memset(count, 0, n * sizeof(*count));
	xt_sock_addr(&a, xt_addr("127.0.0.1"), port);
	a.sin_family = fam;
	for (i = 0; i < conns; i++) {
		struct pollfd p[XT_RP_MAX];

		c = socket(fam, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a))) {
			xt_check(0, "%s: connect %d: %s", xt_rp_name(fam), i,
				 strerror(errno));
			if (c >= 0)
				close(c);
			return got;
		}
		for (j = 0; j < n; j++) {
			p[j].fd = lfd[j];
			p[j].events = POLLIN;
		}
		/* the child is queued by the time connect() returns, or soon */
		if (poll(p, n, 5000) <= 0) {
			xt_check(0, "%s: connection %d queued nowhere",
				 xt_rp_name(fam), i);
			close(c);
			return got;
		}
		for (j = 0; j < n; j++) {
			s = accept(lfd[j], NULL, NULL);
			if (s >= 0) {
				count[j]++;
				got++;
				close(s);
			}
		}
		close(c);
	}
	return got;
}

static double xt_rp_chi2(const int *count, int n, int total)
{
	double e = (double)total / n, x = 0;
	int i;

	for (i = 0; i < n; i++)
		x += (count[i] - e) * (count[i] - e) / e;
	return x;
}

static void xt_rp_spread(void)
{
	int fams[2] = { AF_INET, xt_rp_xfam }, lfd[XT_RP_MAX], count[XT_RP_MAX];
	int f, n, i, got;
	char buf[128];

	for (f = 0; f < 2; f++) {
		for (n = 2; n <= XT_RP_MAX; n++) {
			uint16_t port = XT_RP_PORT + 10 + f * 10 + n;
			size_t o = 0;
			double x;

			if (xt_rp_group(fams[f], n, port, lfd))
				return;
			got = xt_rp_count(fams[f], n, port, lfd, 60 * n, count);
			for (i = 0; i < n; i++) {
				o += snprintf(buf + o, sizeof(buf) - o, " %d",
					      count[i]);
				close(lfd[i]);
			}
			x = xt_rp_chi2(count, n, got);
			xt_check(got == 60 * n && x < xt_rp_chi2_bound[n],
				 "%s, %d listeners: %d of %d accepted, counts%s, chi2 %.2f < %.2f",
				 xt_rp_name(fams[f]), n, got, 60 * n, buf, x,
				 xt_rp_chi2_bound[n]);
		}
	}
}

/* A classic BPF program that sends everything to member @k. */
static int xt_rp_attach_const(int fd, unsigned int k)
{
	struct sock_filter code[] = { { BPF_RET | BPF_K, 0, 0, k } };
	struct sock_fprog prog = { .len = 1, .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog,
			  sizeof(prog));
}

static void xt_rp_cbpf(void)
{
	int fams[2] = { AF_INET, xt_rp_xfam }, lfd[4], count[4], f, i, got;
	uint16_t port;

	for (f = 0; f < 2; f++) {
		port = XT_RP_PORT + 40 + f;
		if (xt_rp_group(fams[f], 4, port, lfd))
			return;
		i = xt_rp_attach_const(lfd[0], 2);
		xt_check(!i, "%s: SO_ATTACH_REUSEPORT_CBPF on the first: %s",
			 xt_rp_name(fams[f]), i ? strerror(errno) : "attached");
		got = xt_rp_count(fams[f], 4, port, lfd, 40, count);
		xt_check(got == 40 && count[2] == 40,
			 "%s: all 40 to the third listener (counts %d %d %d %d)",
			 xt_rp_name(fams[f]), count[0], count[1], count[2],
			 count[3]);
		for (i = 0; i < 4; i++)
			close(lfd[i]);
	}
}

static void xt_rp_cookies(void)
{
	int fams[2] = { AF_INET, xt_rp_xfam }, lfd[4], count[4], f, i, got;
	long sent = xt_stat("SyncookiesSent"), recv = xt_stat("SyncookiesRecv");
	uint16_t port;

	if (xt_rp_write("/proc/sys/net/ipv4/tcp_syncookies", "2") ||
	    xt_rp_write("/proc/sys/net/xtcp/syncookies", "2"))
		xt_fatal("syncookies=2: %s", strerror(errno));
	for (f = 0; f < 2; f++) {
		port = XT_RP_PORT + 50 + f;
		if (xt_rp_group(fams[f], 4, port, lfd))
			return;
		got = xt_rp_count(fams[f], 4, port, lfd, 100, count);
		xt_check(got == 100 && count[0] && count[1] && count[2] &&
			 count[3],
			 "%s: 100 of 100 through cookies, every member took some (%d %d %d %d)",
			 xt_rp_name(fams[f]), count[0], count[1], count[2],
			 count[3]);
		for (i = 0; i < 4; i++)
			close(lfd[i]);
	}
	xt_check(xt_stat("SyncookiesSent") - sent == 100 &&
		 xt_stat("SyncookiesRecv") - recv == 100,
		 "xtcp: 100 cookies sent, 100 received (%ld, %ld)",
		 xt_stat("SyncookiesSent") - sent,
		 xt_stat("SyncookiesRecv") - recv);
	xt_rp_write("/proc/sys/net/ipv4/tcp_syncookies", "1");
	xt_rp_write("/proc/sys/net/xtcp/syncookies", "1");
}

/* TIME_WAIT entries of @fam's stack on local port @port, from /proc. */
static int xt_rp_tw_count(int fam, uint16_t port)
{
	char line[256], local[64], st[32];
	unsigned int lp, state;
	FILE *f;
	int n = 0;

	f = fopen(fam == AF_INET ? "/proc/net/tcp" : "/proc/net/xtcp", "r");
	if (!f)
		xt_fatal("/proc/net/%s: %s", xt_rp_name(fam), strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (fam == AF_INET) {
			/* "  0: 0100007F:2391 0100007F:238C 06 ..." */
			if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lp,
				   &state) == 2 && lp == port && state == 6)
				n++;
		} else if (sscanf(line, "%*d %63s %*s %31s", local, st) == 2 &&
			   !strcmp(st, "TIME_WAIT")) {
			char *c = strrchr(local, ':');

			if (c && (unsigned int)atoi(c + 1) == port)
				n++;
		}
	}
	fclose(f);
	return n;
}

/* Wait (30 s at most) for @want TIME_WAIT entries on @port. */
static int xt_rp_tw_wait(int fam, uint16_t port, int want)
{
	double end = xt_now() + 30;

	while (xt_rp_tw_count(fam, port) != want && xt_now() < end)
		usleep(10000);
	return xt_rp_tw_count(fam, port) == want;
}

/* Read @fd until EOF, 30 s at most; 0 when EOF came. */
static int xt_rp_drain(int fd)
{
	char buf[64];
	ssize_t r;

	for (;;) {
		if (!(xt_sock_poll(fd, POLLIN, 30000) & (POLLIN | POLLHUP)))
			return -1;
		r = read(fd, buf, sizeof(buf));
		if (r == 0)
			return 0;
		if (r < 0 && errno != EAGAIN)
			return -1;
	}
}

/*
 * One connection over 127.0.0.1 to listener @lfd (port @lport), its client
 * bound to @cport (0: any) with SO_REUSEPORT if @rp. The client closes
 * first when @client_first, else the accepted child does; the other end
 * closes on EOF, and the first one is left in TIME_WAIT.
 */
static int xt_rp_tw_make(int fam, int lfd, uint16_t lport, uint16_t cport,
			 int rp, int client_first)
{
	const char *fail = NULL;
	struct sockaddr_in a;
	int c, s = -1;

	c = xt_rp_socket(fam, rp);
	xt_sock_addr(&a, xt_addr("127.0.0.1"), lport);
	a.sin_family = fam;
	if (cport && xt_rp_bind(c, fam, cport))
		fail = "client bind";
	else if (connect(c, (struct sockaddr *)&a, sizeof(a)))
		fail = "connect";
	else if ((s = xt_sock_accept(lfd, 30000, NULL, NULL)) < 0)
		fail = "accept";
	if (fail) {
		xt_check(0, "%s: %s (port %u): %s", xt_rp_name(fam), fail,
			 lport, strerror(errno));
		close(c);
		return -1;
	}
	close(client_first ? c : s);
	if (xt_rp_drain(client_first ? s : c)) {
		xt_check(0, "%s: no EOF on port %u", xt_rp_name(fam), lport);
		close(client_first ? s : c);
		return -1;
	}
	close(client_first ? s : c);
	return 0;
}

/*
 * One bind() of @port to @addr by a fresh socket with SO_REUSEPORT if
 * @rp, SO_REUSEADDR if @ra, as user nobody if @nobody; listen() too if
 * @lis. The answer as "0" or the errno's name, appended to @out.
 */
static void xt_rp_tw_ask(int fam, const char *what, const char *addr,
			 uint16_t port, int rp, int ra, int nobody, int lis,
			 char *out, size_t n)
{
	int fd, r, e = 0, one = 1, st;
	struct sockaddr_in a;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (nobody && (setresgid(65534, 65534, 65534) ||
			       setresuid(65534, 65534, 65534)))
			_exit(100);
		fd = xt_rp_socket(fam, rp);
		if (ra && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				     sizeof(one)))
			_exit(101);
		xt_sock_addr(&a, xt_addr(addr), port);
		a.sin_family = fam;
		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
		if (!r && lis)
			r = listen(fd, 8);
		_exit(r ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		xt_fatal("%s: child for %s", xt_rp_name(fam), what);
	e = WEXITSTATUS(st);
	r = strlen(out);
	snprintf(out + r, n - r, "%s%s=%s", r ? " " : "", what,
		 e == 0 ? "0" : e == EADDRINUSE ? "EADDRINUSE" :
		 e >= 100 ? "setup-failed" : strerror(e));
}

/* The answers of one stack, as a string to compare with the other's. */
static void xt_rp_tw_of(int fam, char *out, size_t n)
{
	uint16_t base = XT_RP_PORT + 60 + (fam == AF_INET ? 0 : 10);
	uint16_t lport = base, rp_port = base + 1, plain_port = base + 2;
	uint16_t srv_port = base + 3;
	int lfd, sfd, ok;

	out[0] = 0;
	/* a connecting SO_REUSEPORT socket, and one without, closing first */
	lfd = xt_rp_socket(fam, 0);
	if (xt_rp_bind(lfd, fam, lport) || listen(lfd, 8))
		xt_fatal("%s: listener: %s", xt_rp_name(fam), strerror(errno));
	if (xt_rp_tw_make(fam, lfd, lport, rp_port, 1, 1) ||
	    xt_rp_tw_make(fam, lfd, lport, plain_port, 0, 1))
		return;
	close(lfd);
	/* a reuseport server's child closing first, then the server going */
	sfd = xt_rp_socket(fam, 1);
	if (xt_rp_bind(sfd, fam, srv_port) || listen(sfd, 8))
		xt_fatal("%s: reuseport listener: %s", xt_rp_name(fam),
			 strerror(errno));
	if (xt_rp_tw_make(fam, sfd, srv_port, 0, 0, 0))
		return;
	close(sfd);
	ok = xt_rp_tw_wait(fam, rp_port, 1) && xt_rp_tw_wait(fam, plain_port, 1) &&
	     xt_rp_tw_wait(fam, srv_port, 1);
	xt_check(ok, "%s: TIME_WAIT on ports %u, %u and %u (%d %d %d)",
		 xt_rp_name(fam), rp_port, plain_port, srv_port,
		 xt_rp_tw_count(fam, rp_port), xt_rp_tw_count(fam, plain_port),
		 xt_rp_tw_count(fam, srv_port));
	if (!ok)
		return;

	/* over the connecting reuseport socket's entry */
	xt_rp_tw_ask(fam, "plain", "127.0.0.1", rp_port, 0, 0, 0, 0, out, n);
	xt_rp_tw_ask(fam, "plain-any", "0.0.0.0", rp_port, 0, 0, 0, 0, out, n);
	xt_rp_tw_ask(fam, "reuseaddr", "127.0.0.1", rp_port, 0, 1, 0, 0, out,
		     n);
	xt_rp_tw_ask(fam, "rp-other-user", "127.0.0.1", rp_port, 1, 0, 1, 0,
		     out, n);
	xt_rp_tw_ask(fam, "rp-any", "0.0.0.0", rp_port, 1, 0, 0, 0, out, n);
	xt_rp_tw_ask(fam, "rp+listen", "127.0.0.1", rp_port, 1, 0, 0, 1, out,
		     n);
	/* over the entry of a socket without SO_REUSEPORT */
	xt_rp_tw_ask(fam, "rp-over-plain", "127.0.0.1", plain_port, 1, 0, 0, 0,
		     out, n);
	/* a reuseport server restarts over its child's entry */
	xt_rp_tw_ask(fam, "srv-plain", "127.0.0.1", srv_port, 0, 0, 0, 1, out,
		     n);
	xt_rp_tw_ask(fam, "srv-rp+listen", "127.0.0.1", srv_port, 1, 0, 0, 1,
		     out, n);
	/* the answers were given with every entry still there */
	ok = xt_rp_tw_count(fam, rp_port) == 1 &&
	     xt_rp_tw_count(fam, plain_port) == 1 &&
	     xt_rp_tw_count(fam, srv_port) == 1;
	xt_check(ok, "%s: the three TIME_WAIT entries outlived the questions",
		 xt_rp_name(fam));
}

static void xt_rp_tw(void)
{
	const char *raw = "/proc/sys/net/xtcp/socket_needs_net_raw";
	long need_raw = xt_read_long(raw, 1);
	char t[512], x[512];

	/* user nobody makes an xtcp socket without CAP_NET_RAW, as TCP's */
	if (xt_rp_write(raw, "0"))
		xt_fatal("%s: %s", raw, strerror(errno));
	xt_rp_tw_of(AF_INET, t, sizeof(t));
	xt_rp_tw_of(xt_rp_xfam, x, sizeof(x));
	xt_rp_write(raw, need_raw ? "1" : "0");
	xt_log("tcp:  %s", t);
	xt_log("xtcp: %s", x);
	xt_check(!strcmp(t, "plain=EADDRINUSE plain-any=EADDRINUSE reuseaddr=EADDRINUSE rp-other-user=0 rp-any=0 rp+listen=0 rp-over-plain=EADDRINUSE srv-plain=EADDRINUSE srv-rp+listen=0"),
		 "TCP answers as expected (a reuseport entry yields to SO_REUSEPORT of any user, to nothing else)");
	xt_check(t[0] && !strcmp(t, x), "xtcp answers as TCP");
}

/*
 * migrate-server PORT N: two xtcp reuseport listeners on PORT; when
 * /tmp/rp.close appears, close the first and accept N from the second.
 */
static int xt_rp_migrate_server(uint16_t port, int n)
{
	int lfd[2], got = 0, s;
	struct sockaddr_in a;

	for (s = 0; s < 2; s++) {
		lfd[s] = xt_rp_socket(xt_rp_xfam, 1);
		xt_sock_addr(&a, 0, port);
		if (bind(lfd[s], (struct sockaddr *)&a, sizeof(a)) ||
		    listen(lfd[s], 64))
			xt_fatal("listener %d: %s", s, strerror(errno));
	}
	xt_log("ready");
	while (access("/tmp/rp.close", F_OK))
		usleep(20000);
	close(lfd[0]);
	xt_log("closed");
	while (got < n) {
		s = xt_sock_accept(lfd[1], 15000, NULL, NULL);
		if (s < 0)
			break;
		got++;
		close(s);
	}
	xt_check(got == n, "the remaining listener accepted %d of %d", got, n);
	return xt_done();
}

/*
 * migrate-client ADDR PORT N: N non-blocking connects; once all are
 * established (for the client: the SYN-ACK came), say so and hold them.
 */
static int xt_rp_migrate_client(const char *addr, uint16_t port, int n)
{
	struct sockaddr_in a;
	int i, fd;

	xt_sock_addr(&a, xt_addr(addr), port);
	for (i = 0; i < n; i++) {
		fd = socket(xt_rp_xfam, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fd < 0 || (connect(fd, (struct sockaddr *)&a, sizeof(a)) &&
			       errno != EINPROGRESS))
			xt_fatal("connect %d: %s", i, strerror(errno));
		if (!(xt_sock_poll(fd, POLLOUT, 15000) & POLLOUT) ||
		    xt_sock_error(fd))
			xt_fatal("connect %d did not complete", i);
	}
	xt_log("connected %d", n);
	pause();
	return 0;
}

/*
 * The rolling restart of reuseport_flood.sh. The server's two members
 * answer each client's request byte with one byte and close; the clients
 * connect over and over from several threads, and a connection that does
 * not get its answer is a failure. Files in /tmp sequence the two ends:
 * rpf.close (pause, then close the first member), rpf.sstop, rpf.cstop.
 */
#define XT_RPF_WAIT_MS	120000	/* per connection: CI machines are slow */

static int xt_rpf_fam, xt_rpf_lfd[2];
static volatile int xt_rpf_quit[2];
static long xt_rpf_served[2];

/* One request byte, one answer byte, on an accepted socket. */
static int xt_rpf_answer(int s)
{
	struct timeval tv = { .tv_sec = XT_RPF_WAIT_MS / 1000 };
	char c;

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return read(s, &c, 1) == 1 && c == 'q' && write(s, "r", 1) == 1 ?
	       0 : -1;
}

static void *xt_rpf_acceptor(void *arg)
{
	long i = (long)arg;
	int s;

	while (!xt_rpf_quit[i]) {
		struct pollfd p = { .fd = xt_rpf_lfd[i], .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		s = accept(xt_rpf_lfd[i], NULL, NULL);
		if (s < 0)
			continue;
		if (!xt_rpf_answer(s))
			xt_rpf_served[i]++;
		close(s);
	}
	return NULL;
}

/* Children in @fd's accept queue, and its request socks (xtcp only). */
static int xt_rpf_queued(int fd, int *synq)
{
	struct xtcp_listen_info li;
	struct tcp_info ti;
	socklen_t len;

	*synq = -1;
	if (xt_rpf_fam == AF_INET) {
		len = sizeof(ti);
		/* a listener's tcpi_unacked is its accept queue's length */
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			return -1;
		return ti.tcpi_unacked;
	}
	len = sizeof(li);
	if (getsockopt(fd, SOL_XTCP, XTCP_LISTEN_INFO, &li, &len))
		return -1;
	*synq = li.syn_qlen;
	return li.accept_qlen;
}

static void xt_rpf_wait_file(const char *path)
{
	while (access(path, F_OK))
		usleep(20000);
}

/*
 * flood-server tcp|xtcp PORT: two reuseport members on 0.0.0.0:PORT.
 * At rpf.close the first stops accepting; once two children wait in its
 * queue (clients that will not be answered otherwise) it closes, and the
 * second must answer them. Prints what the first held when it closed.
 */
static int xt_rpf_server(uint16_t port)
{
	double end;
	pthread_t t[2];
	int i, q, synq;
	struct sockaddr_in a;

	for (i = 0; i < 2; i++) {
		xt_rpf_lfd[i] = xt_rp_socket(xt_rpf_fam, 1);
		xt_sock_addr(&a, 0, port);
		a.sin_family = xt_rpf_fam;
		if (bind(xt_rpf_lfd[i], (struct sockaddr *)&a, sizeof(a)) ||
		    listen(xt_rpf_lfd[i], 128))
			xt_fatal("member %d: %s", i, strerror(errno));
		fcntl(xt_rpf_lfd[i], F_SETFL, O_NONBLOCK);
		pthread_create(&t[i], NULL, xt_rpf_acceptor, (void *)(long)i);
	}
	xt_log("ready");
	xt_rpf_wait_file("/tmp/rpf.close");
	xt_rpf_quit[0] = 1;
	pthread_join(t[0], NULL);
	end = xt_now() + XT_RPF_WAIT_MS / 2000.0;
	while ((q = xt_rpf_queued(xt_rpf_lfd[0], &synq)) < 2 && xt_now() < end)
		usleep(10000);
	xt_log("closing the first member: queued %d synq %d", q, synq);
	close(xt_rpf_lfd[0]);
	xt_log("closed");
	xt_rpf_wait_file("/tmp/rpf.sstop");
	xt_rpf_quit[1] = 1;
	pthread_join(t[1], NULL);
	xt_log("served %ld %ld", xt_rpf_served[0], xt_rpf_served[1]);
	return 0;
}

static struct sockaddr_in xt_rpf_dst;
static long xt_rpf_done, xt_rpf_failed;
static pthread_mutex_t xt_rpf_lock = PTHREAD_MUTEX_INITIALIZER;

/* One client connection: connect, ask, get the answer. */
static const char *xt_rpf_one(void)
{
	struct timeval tv = { .tv_sec = XT_RPF_WAIT_MS / 1000 };
	const char *fail = NULL;
	char b = 0;
	int fd, e;

	fd = socket(xt_rpf_fam, SOCK_STREAM, 0);
	if (fd < 0)
		return "socket";
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&xt_rpf_dst, sizeof(xt_rpf_dst)))
		fail = "connect";
	else if (write(fd, "q", 1) != 1)
		fail = "write";
	else if (read(fd, &b, 1) != 1 || b != 'r')
		fail = "read";
	e = errno;		/* of the failed step, for the log */
	close(fd);
	errno = e;
	return fail;
}

static void *xt_rpf_client_thread(void *arg)
{
	const char *fail;

	(void)arg;
	while (access("/tmp/rpf.cstop", F_OK)) {
		fail = xt_rpf_one();
		pthread_mutex_lock(&xt_rpf_lock);
		if (fail) {
			if (xt_rpf_failed++ < 10)
				xt_log("failure: %s: %s", fail, strerror(errno));
		} else {
			xt_rpf_done++;
		}
		pthread_mutex_unlock(&xt_rpf_lock);
	}
	return NULL;
}

/*
 * flood-client tcp|xtcp ADDR PORT THREADS: connect in a loop from
 * THREADS threads until rpf.cstop; print "progress N F" as it goes and
 * "connects N failed F" at the end.
 */
static int xt_rpf_client(const char *addr, uint16_t port, int n)
{
	pthread_t t[16];
	long last = -1, now;
	int i;

	if (n < 1 || n > 16)
		xt_fatal("1..16 threads");
	xt_sock_addr(&xt_rpf_dst, xt_addr(addr), port);
	xt_rpf_dst.sin_family = xt_rpf_fam;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, xt_rpf_client_thread, NULL);
	while (access("/tmp/rpf.cstop", F_OK)) {
		pthread_mutex_lock(&xt_rpf_lock);
		now = xt_rpf_done;
		pthread_mutex_unlock(&xt_rpf_lock);
		if (now != last)
			xt_log("progress %ld %ld", now, xt_rpf_failed);
		last = now;
		usleep(50000);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	xt_log("connects %ld failed %ld", xt_rpf_done, xt_rpf_failed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		xt_fatal("usage: reuseport errors|spread|cbpf|cookies|tw|migrate-server|migrate-client|flood-server|flood-client");
	xt_rp_xfam = xt_family();
	xt_rp_probe();
	if (!strcmp(argv[1], "migrate-server") && argc == 4)
		return xt_rp_migrate_server(atoi(argv[2]), atoi(argv[3]));
	if (!strcmp(argv[1], "migrate-client") && argc == 5)
		return xt_rp_migrate_client(argv[2], atoi(argv[3]),
					    atoi(argv[4]));
	if (!strcmp(argv[1], "flood-server") && argc == 4) {
		xt_rpf_fam = strcmp(argv[2], "tcp") ? xt_rp_xfam : AF_INET;
		return xt_rpf_server(atoi(argv[3]));
	}
	if (!strcmp(argv[1], "flood-client") && argc == 6) {
		xt_rpf_fam = strcmp(argv[2], "tcp") ? xt_rp_xfam : AF_INET;
		return xt_rpf_client(argv[3], atoi(argv[4]), atoi(argv[5]));
	}
	if (!strcmp(argv[1], "errors"))
		xt_rp_errors();
	else if (!strcmp(argv[1], "spread"))
		xt_rp_spread();
	else if (!strcmp(argv[1], "cbpf"))
		xt_rp_cbpf();
	else if (!strcmp(argv[1], "cookies"))
		xt_rp_cookies();
	else if (!strcmp(argv[1], "tw"))
		xt_rp_tw();
	else
		xt_fatal("unknown mode %s", argv[1]);
	return xt_done();
}
