// SPDX-License-Identifier: GPL-2.0
/*
 * xicmp MODE: ICMP errors and path MTU, in the namespaces icmp.sh builds
 * (client ns_c, router ns_r, server ns_s; see its diagram).
 *
 *   unreach  connect() through the router to destinations it answers with
 *            host unreachable (unreachable route), net unreachable (no
 *            route) and administratively prohibited (prohibit route):
 *            xtcp fails at once (before any SYN retransmission) with
 *            Linux TCP's errno, blocking
 *            and non-blocking (poll, SO_ERROR); TCP runs beside it.
 *   proto    protocol unreachable, forged by a raw socket in ns_s for a
 *            SYN that ns_s drops: out-of-window and wrong-port forgeries
 *            change nothing (counters move), the right one gives
 *            ECONNREFUSED at once.
 *   mtu      a bulk transfer over a path whose router forwards at most
 *            1280 bytes (route MTU) while both ends have 1500-byte links:
 *            every byte arrives, the MSS shrinks, IP_MTU says 1280.
 *   revert   RFC 6069: a connection whose path turns unreachable (the
 *            router answers host unreachable) keeps retransmitting at
 *            its base RTO, not backing off, since each ICMP reverts the
 *            backoff, as Linux's tcp_ld_RTO_revert(); TCP runs beside it.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "xt.h"

#define NS_C	1
#define NS_R	2
#define NS_S	3

#define CLIENT	"10.1.0.2"
#define SERVER	"10.2.0.2"

/* Wait up to @secs for counter @name of @ns to reach @want. */
static int xi_wait_stat(int ns, const char *name, long want, double secs)
{
	double end = xt_now() + secs;

	while (xt_ns_stat(ns, name) < want) {
		if (xt_now() > end) {
			xt_log("    %s: %ld, want %ld", name,
			       xt_ns_stat(ns, name), want);
			return 0;
		}
		usleep(10000);
	}
	return 1;
}

static const char *xi_stack_name(int family)
{
	return family == AF_INET ? "tcp" : "xtcp";
}

/* A stream socket of @family in @ns; a blocking one waits at most 10 s. */
static int xi_socket(int ns, int family, int nonblock)
{
	struct timeval tv = { .tv_sec = 10 };
	int fd;

	xt_ns_enter(ns);
	fd = socket(family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
	xt_ns_leave();
	if (fd < 0)
		xt_fatal("socket(%d)", family);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* A blocking connect(): its errno and how long it took. */
static int xi_connect_blocking(int family, uint32_t addr, uint16_t port,
			       double *secs)
{
	int fd = xi_socket(NS_C, family, 0), err;
	struct sockaddr_in sin;
	double t0 = xt_now();

	xt_sock_addr(&sin, addr, port);
	sin.sin_family = AF_INET;	/* xtcp takes AF_INET addresses too */
	err = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
	*secs = xt_now() - t0;
	close(fd);
	return err;
}

/* A non-blocking connect(): the error poll() and SO_ERROR report. */
static int xi_connect_nonblock(int family, uint32_t addr, uint16_t port,
			       double *secs, short *revents)
{
	int fd = xi_socket(NS_C, family, 1), err;
	struct sockaddr_in sin;
	double t0 = xt_now();

	xt_sock_addr(&sin, addr, port);
	sin.sin_family = AF_INET;
	err = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
	*revents = 0;
	if (err == EINPROGRESS) {
		*revents = xt_sock_poll(fd, POLLOUT, 5000);
		err = xt_sock_error(fd);
	}
	*secs = xt_now() - t0;
	close(fd);
	return err;
}

static void xi_unreach_one(const char *dst, const char *what, int want)
{
	static const int fams[2] = { -1, AF_INET };
	long before = xt_ns_stat(NS_C, "ConnectUnreachable");
	long retrans = xt_ns_stat(NS_C, "SynRetrans");
	int err[2], nerr[2], i;
	double t[2], nt[2];
	short rev[2];

	xt_log("%s: %s", dst, what);
	for (i = 0; i < 2; i++) {
		int fam = fams[i] < 0 ? xt_family() : fams[i];

		err[i] = xi_connect_blocking(fam, xt_addr(dst), 7000, &t[i]);
		nerr[i] = xi_connect_nonblock(fam, xt_addr(dst), 7000, &nt[i],
					      &rev[i]);
		xt_log("  %s: blocking %s in %.3f s; non-blocking %s in %.3f s, poll 0x%x",
		       xi_stack_name(fam), strerror(err[i]), t[i],
		       strerror(nerr[i]), nt[i], rev[i]);
	}
	xt_check(err[0] == want, "xtcp connect(): %s, want %s",
		 strerror(err[0]), strerror(want));
	/*
	 * "At once", as the protocol states it rather than in seconds (a
	 * busy host stretches those): before the first SYN retransmission,
	 * which the initial RTO of 1 s would bring.
	 */
	xt_check(xt_ns_stat(NS_C, "SynRetrans") == retrans,
		 "xtcp failed before any SYN retransmission (%.3f s)", t[0]);
	xt_check(err[1] == err[0], "Linux TCP gives the same errno (%s)",
		 strerror(err[1]));
	xt_check(nerr[0] == want && (rev[0] & POLLERR),
		 "non-blocking: poll POLLERR, SO_ERROR %s, in %.3f s",
		 strerror(nerr[0]), nt[0]);
	xt_check(nerr[1] == nerr[0], "Linux TCP's SO_ERROR is the same (%s)",
		 strerror(nerr[1]));
	xt_check(xt_ns_stat(NS_C, "ConnectUnreachable") - before == 2,
		 "ConnectUnreachable counted both attempts (%ld)",
		 xt_ns_stat(NS_C, "ConnectUnreachable") - before);
}

static void xi_unreach(void)
{
	xi_unreach_one("10.9.0.1", "unreachable route: host unreachable",
		       EHOSTUNREACH);
	xi_unreach_one("10.8.0.1", "no route: net unreachable", ENETUNREACH);
	xi_unreach_one("10.9.0.2", "prohibit route: administratively prohibited",
		       EHOSTUNREACH);
}

/*
 * From ns_s, an ICMP destination unreachable @code about the segment
 * @sport -> 7000 with @seq that CLIENT sent to SERVER.
 */
static void xi_send_icmp(uint8_t code, uint16_t sport, uint32_t seq)
{
	uint8_t b[8 + 20 + 8] = { 3, code };
	struct sockaddr_in sin;
	int fd;

	xt_seg_ip_build(b + 8, xt_addr(CLIENT), xt_addr(SERVER),
			xt_ipproto(), 0, 60, 1, 0x4000);
	xt_put16(b + 28, sport);
	xt_put16(b + 30, 7000);
	xt_put32(b + 32, seq);
	xt_put16(b + 2, xt_seg_csum_fold(xt_seg_csum_add(0, b, sizeof(b))));
	xt_ns_enter(NS_S);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	xt_ns_leave();
	if (fd < 0)
		xt_fatal("raw ICMP socket");
	xt_sock_addr(&sin, xt_addr(CLIENT), 0);
	sin.sin_family = AF_INET;
	if (sendto(fd, b, sizeof(b), 0, (struct sockaddr *)&sin,
		   sizeof(sin)) != sizeof(b))
		xt_fatal("send the ICMP");
	close(fd);
}

static void xi_proto(void)
{
	uint8_t mac[6];
	struct xt_cap cap;
	struct xt_seg syn;
	short rev;
	long oow = xt_ns_stat(NS_C, "OutOfWindowIcmps");
	long nosock = xt_ns_stat(NS_C, "IcmpNoSocket");
	int fd, err, ifindex = xt_ns_ifindex(NS_C, "veth_c", mac);

	xt_ns_enter(NS_C);
	xt_cap_open(&cap, ifindex, 1, 0);
	xt_ns_leave();
	fd = xt_sock_connect(NS_C, 0, 0, xt_addr(SERVER), 7000, &err);
	xt_check(err == EINPROGRESS, "connect() in progress: %s",
		 strerror(err));
	do {
		if (!xt_cap_recv(&cap, &syn, 2000))
			xt_fatal("no SYN seen");
	} while (!syn.outgoing || syn.flags != XT_SYN);
	xt_log("SYN %u -> 7000 seq %u", syn.sport, syn.seq);

	xi_send_icmp(2, syn.sport, syn.seq + 100000);
	xt_check(xi_wait_stat(NS_C, "OutOfWindowIcmps", oow + 1, 2.0),
		 "an out-of-window sequence number is counted");
	xi_send_icmp(2, syn.sport + 1, syn.seq);
	xt_check(xi_wait_stat(NS_C, "IcmpNoSocket", nosock + 1, 2.0),
		 "a wrong port matches no socket");
	rev = xt_sock_poll(fd, POLLOUT, 300);
	xt_check(rev == 0, "the forgeries changed nothing: still connecting (poll 0x%x)",
		 rev);

	xi_send_icmp(2, syn.sport, syn.seq);
	rev = xt_sock_poll(fd, POLLOUT, 5000);
	err = xt_sock_error(fd);
	xt_check((rev & POLLERR) && err == ECONNREFUSED,
		 "protocol unreachable: poll 0x%x, SO_ERROR %s, want ECONNREFUSED",
		 rev, strerror(err));
	close(fd);
	close(cap.fd);
}

/* ns_s: accept one connection and read it to the end; exit 0 if @want. */
static void xi_sink(int lfd, long want)
{
	char buf[65536];
	long got = 0;
	ssize_t n;
	int fd;

	fd = xt_sock_accept(lfd, 10000, NULL, NULL);
	if (fd < 0)
		_exit(2);
	fcntl(fd, F_SETFL, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	printf("  server read %ld bytes\n", got);
	_exit(got == want ? 0 : 1);
}

static int xi_getint(int fd, int level, int opt)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, level, opt, &v, &len))
		return -errno;
	return v;
}

static void xi_mtu(void)
{
	const long total = 2 * 1000 * 1000;
	static char buf[65536];
	long sent = 0, before = xt_ns_stat(NS_C, "PmtuReduced");
	int lfd, fd, err, st, mss0, mss1, mtu;
	pid_t pid;

	lfd = xt_sock_listen(NS_S, 0, 7000, 8, 0);
	pid = fork();
	if (pid == 0)
		xi_sink(lfd, total);
	fd = xt_sock_connect(NS_C, 0, 0, xt_addr(SERVER), 7000, &err);
	if (xt_sock_poll(fd, POLLOUT, 5000) != POLLOUT || xt_sock_error(fd))
		xt_fatal("connect through the router");
	fcntl(fd, F_SETFL, 0);
	mss0 = xi_getint(fd, IPPROTO_TCP, TCP_MAXSEG);
	memset(buf, 'x', sizeof(buf));
	while (sent < total) {
		ssize_t n = write(fd, buf, total - sent < (long)sizeof(buf) ?
				  total - sent : (long)sizeof(buf));

		if (n <= 0)
			xt_fatal("write after %ld bytes", sent);
		sent += n;
	}
	mss1 = xi_getint(fd, IPPROTO_TCP, TCP_MAXSEG);
	mtu = xi_getint(fd, IPPROTO_IP, IP_MTU);
	shutdown(fd, SHUT_WR);
	waitpid(pid, &st, 0);
	xt_check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "%ld bytes crossed the 1280-byte link", total);
	xt_check(mss0 > 1240 && mss1 <= 1280 - 40 && mss1 > 1000,
		 "the send MSS shrank: %d -> %d", mss0, mss1);
	xt_check(mtu == 1280, "IP_MTU is the path's: %d", mtu);
	xt_check(xt_ns_stat(NS_C, "PmtuReduced") > before,
		 "PmtuReduced counted (%ld)",
		 xt_ns_stat(NS_C, "PmtuReduced") - before);
	close(fd);
	close(lfd);
}

/* One connection of @family through the router, its path cut for 3 s. */
static void xi_revert_one(int family)
{
	struct sockaddr_in sin;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int lfd, fd, sfd, one = 1;
	const char *n = xi_stack_name(family);
	char buf[1000] = { 0 };

	xt_ns_enter(NS_S);
	lfd = socket(family, SOCK_STREAM, 0);
	xt_ns_leave();
	xt_sock_addr(&sin, 0, 7300);
	sin.sin_family = AF_INET;
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 4))
		xt_fatal("%s listener", n);
	fd = xi_socket(NS_C, family, 0);
	xt_sock_addr(&sin, xt_addr(SERVER), 7300);
	sin.sin_family = AF_INET;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		xt_fatal("%s connect", n);
	sfd = accept(lfd, NULL, NULL);
	if (sfd < 0)
		xt_fatal("%s accept", n);
	if (system("/sbin/ip -n ns_r route add unreachable " SERVER "/32"))
		xt_fatal("the unreachable route");
	if (write(fd, buf, sizeof(buf)) != sizeof(buf))
		xt_fatal("%s write", n);
	usleep(3000000);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		xt_fatal("%s TCP_INFO", n);
	if (system("/sbin/ip -n ns_r route del unreachable " SERVER "/32"))
		xt_fatal("the unreachable route, removed");
	/* backed off, 3 s of RTOs from 200 ms are 4 of them */
	xt_check(ti.tcpi_total_retrans >= 7 && ti.tcpi_backoff <= 1,
		 "%s: %u retransmissions in 3 s, backoff %u: the ICMPs reverted it",
		 n, ti.tcpi_total_retrans, ti.tcpi_backoff);
	/* the path is back: the data gets through */
	xt_check(read(sfd, buf, sizeof(buf)) > 0, "%s: data through, the path back", n);
	close(fd);
	close(sfd);
	close(lfd);
}

static void xi_revert(void)
{
	long before = xt_ns_stat(NS_C, "IcmpRtoReverts");

	xi_revert_one(AF_INET);
	xi_revert_one(xt_family());
	xt_check(xt_ns_stat(NS_C, "IcmpRtoReverts") - before >= 6,
		 "IcmpRtoReverts counted: %ld",
		 xt_ns_stat(NS_C, "IcmpRtoReverts") - before);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		xt_fatal("usage: xicmp unreach|proto|mtu|revert");
	xt_ns_init("init");
	if (xt_ns_open(NS_C, "ns_c") || xt_ns_open(NS_R, "ns_r") ||
	    xt_ns_open(NS_S, "ns_s"))
		xt_fatal("the namespaces of icmp.sh");
	if (!strcmp(argv[1], "unreach"))
		xi_unreach();
	else if (!strcmp(argv[1], "proto"))
		xi_proto();
	else if (!strcmp(argv[1], "mtu"))
		xi_mtu();
	else if (!strcmp(argv[1], "revert"))
		xi_revert();
	else
		xt_fatal("no mode %s", argv[1]);
	return xt_done();
}
