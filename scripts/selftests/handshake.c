// SPDX-License-Identifier: GPL-2.0
/*
 * handshake MODE [ARGS]: connect/accept over AF_XTCP with TCP's semantics.
 *
 *   basic ADDR            one handshake: names, /proc/net/xtcp, counters
 *   seq ADDR N            N handshakes one after another
 *   threads ADDR T N      T client threads x N connects, one acceptor
 *   nonblock ADDR         EINPROGRESS, poll, SO_ERROR, EALREADY, EISCONN,
 *                         non-blocking accept
 *   refused ADDR          ECONNREFUSED blocking and non-blocking
 *   errors                bind/listen/connect errno values
 *   selfconnect           a socket connected to itself
 *   simopen               two sockets connect to each other at once
 *                         (the caller delays loopback so the SYNs cross)
 *   unresponsive ADDR     connect to a host that never answers: EALREADY,
 *                         SO_SNDTIMEO, signals
 *   ports                 ephemeral port exhaustion (caller narrows the
 *                         range to 40000-40003)
 *   closelisten           close a listener with children queued
 *   timeout ADDR SECS     blocking connect to a silent host must fail
 *                         with ETIMEDOUT after about SECS seconds
 *   slow ADDR             blocking connect that must succeed, printing
 *                         how long it took
 *
 * ADDR is an IPv4 address. The listener is made in this process's netns,
 * or in the netns named by $XT_SERVER_NS (setns there and back: a socket
 * stays in the namespace it was made in), so the same modes run over
 * loopback and between two namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "xt.h"

static int af;
static int home_ns = -1, srv_ns = -1;

static void srv_enter(void)
{
	if (srv_ns >= 0 && setns(srv_ns, CLONE_NEWNET))
		xt_fatal("setns to the server namespace");
}

static void srv_leave(void)
{
	if (srv_ns >= 0 && setns(home_ns, CLONE_NEWNET))
		xt_fatal("setns home");
}

static void srv_open(void)
{
	const char *name = getenv("XT_SERVER_NS");
	char path[128];

	if (!name || !*name)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	srv_ns = open(path, O_RDONLY);
	home_ns = open("/proc/self/ns/net", O_RDONLY);
	if (srv_ns < 0 || home_ns < 0)
		xt_fatal("open %s", path);
}

/* A counter of the server's namespace. */
static long srv_stat(const char *name)
{
	long v;

	srv_enter();
	v = xt_stat(name);
	srv_leave();
	return v;
}

static struct sockaddr_in mkaddr(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = af, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		xt_fatal("bad address %s", ip);
	return sin;
}

static int xsock(int flags)
{
	int fd = socket(af, SOCK_STREAM | flags, 0);

	if (fd < 0)
		xt_fatal("socket");
	return fd;
}

static int listener(const char *ip, int port, int backlog)
{
	struct sockaddr_in sin = mkaddr(srv_ns >= 0 ? "0.0.0.0" : ip, port);
	int fd, one = 1;

	srv_enter();
	fd = xsock(0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, backlog))
		xt_fatal("listener on %s:%d", ip, port);
	srv_leave();
	return fd;
}

static int port_of(int fd, int peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sin, &len))
		return -errno;
	return ntohs(sin.sin_port);
}

static int proc_count1(const char *state, int port)
{
	char line[256], pat[16];
	FILE *f = fopen("/proc/net/xtcp", "r");
	int n = 0;

	if (!f)
		return -1;
	snprintf(pat, sizeof(pat), ":%d ", port);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, state) && (!port || strstr(line, pat)))
			n++;
	fclose(f);
	return n;
}

static int proc_count(const char *state, int port);

/* Entries on @port other than TIME_WAIT: what a close must not leave. */
static int proc_count_live(int port)
{
	return proc_count("", port) - proc_count("TIME_WAIT", port);
}

/* Entries in /proc/net/xtcp here and, if separate, in the server netns. */
static int proc_count(const char *state, int port)
{
	int n = proc_count1(state, port);

	if (srv_ns >= 0) {
		srv_enter();
		n += proc_count1(state, port);
		srv_leave();
	}
	return n;
}

static void mode_basic(const char *ip)
{
	long act = xt_stat("ActiveOpens"), pas = srv_stat("PassiveOpens");
	long est = xt_stat("CurrEstab") + (srv_ns >= 0 ? srv_stat("CurrEstab") : 0);
	int lfd = listener(ip, 5001, 8), cfd = xsock(0), afd, backlog;
	struct sockaddr_in sin = mkaddr(ip, 5001), peer, name;
	socklen_t len = sizeof(peer), blen = sizeof(backlog);

	xt_check(getsockopt(lfd, SOL_XTCP, XTCP_BACKLOG, &backlog, &blen) == 0 &&
		 backlog == 8, "XTCP_BACKLOG reads the listen() backlog (%d)",
		 backlog);
	xt_check(proc_count("LISTEN", 5001) == 1, "/proc/net/xtcp shows the listener");
	xt_check(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		 "blocking connect to %s:5001 (%s)", ip, strerror(errno));
	afd = accept(lfd, (struct sockaddr *)&peer, &len);
	xt_check(afd >= 0, "accept (%s)", strerror(errno));
	len = sizeof(name);
	getsockname(cfd, (struct sockaddr *)&name, &len);
	xt_check(peer.sin_family == af &&
		 ntohs(peer.sin_port) == port_of(cfd, 0) &&
		 peer.sin_addr.s_addr == name.sin_addr.s_addr,
		 "accept returns the peer, family AF_XTCP, port %d",
		 ntohs(peer.sin_port));
	len = sizeof(name);
	xt_check(getpeername(cfd, (struct sockaddr *)&name, &len) == 0 &&
		 name.sin_family == af && ntohs(name.sin_port) == 5001,
		 "client getpeername: port 5001");
	xt_check(port_of(afd, 0) == 5001 && port_of(afd, 1) == port_of(cfd, 0),
		 "server side names match the client's");
	len = sizeof(name);
	xt_check(getsockname(afd, (struct sockaddr *)&name, &len) == 0 &&
		 name.sin_addr.s_addr == sin.sin_addr.s_addr,
		 "server getsockname: the address the client dialled");
	xt_check(proc_count("ESTABLISHED", 5001) == 2,
		 "/proc/net/xtcp: two ESTABLISHED lines");
	xt_check(xt_stat("ActiveOpens") == act + 1 &&
		 srv_stat("PassiveOpens") == pas + 1 &&
		 xt_stat("CurrEstab") + (srv_ns >= 0 ? srv_stat("CurrEstab") : 0) ==
		 est + 2, "ActiveOpens +1, PassiveOpens +1, CurrEstab +2");
	close(cfd);
	close(afd);
	close(lfd);
	usleep(50000);
	xt_check(xt_stat("CurrEstab") + (srv_ns >= 0 ? srv_stat("CurrEstab") : 0) ==
		 est, "CurrEstab back after close");
	/* the client closed first: it alone keeps TIME_WAIT */
	xt_check(proc_count_live(5001) == 0 && proc_count("TIME_WAIT", 5001) == 1,
		 "/proc/net/xtcp: only the client's TIME_WAIT left on 5001");
}

static void mode_seq(const char *ip, int n)
{
	int lfd = listener(ip, 5002, 16), i, ok = 0;
	struct sockaddr_in sin = mkaddr(ip, 5002);
	double t0 = xt_now();

	for (i = 0; i < n; i++) {
		int cfd = xsock(0), afd;

		if (connect(cfd, (struct sockaddr *)&sin, sizeof(sin))) {
			xt_log("  connect %d: %s", i, strerror(errno));
			close(cfd);
			continue;
		}
		afd = accept(lfd, NULL, NULL);
		if (afd >= 0 && port_of(afd, 1) == port_of(cfd, 0))
			ok++;
		close(cfd);
		if (afd >= 0)
			close(afd);
	}
	xt_check(ok == n, "%d of %d sequential handshakes (%.0f/s)", ok, n,
		 n / (xt_now() - t0));
	close(lfd);
}

struct thr {
	const char *ip;
	int n, ok, *ports;
	int errs[160];		/* failures by errno */
};

static void *client_thread(void *arg)
{
	struct thr *t = arg;
	struct sockaddr_in sin = mkaddr(t->ip, 5003);
	int i;

	for (i = 0; i < t->n; i++) {
		int fd = xsock(0);

		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			t->ports[i] = port_of(fd, 0);
			t->ok++;
		} else if (errno < 160) {
			t->errs[errno]++;
		}
		close(fd);
	}
	return NULL;
}

static void mode_threads(const char *ip, int nt, int n)
{
	int lfd = listener(ip, 5003, 4096), i, j, accepted = 0, matched = 0;
	int *afds = calloc(nt * n + 1, sizeof(int));
	static int seen[65536];
	pthread_t tid[16];
	struct thr t[16];
	int total = 0;

	if (nt > 16)
		nt = 16;
	for (i = 0; i < nt; i++) {
		t[i] = (struct thr){ .ip = ip, .n = n };
		t[i].ports = calloc(n, sizeof(int));
		pthread_create(&tid[i], NULL, client_thread, &t[i]);
	}
	/* accept everything that the clients complete, until quiet */
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int afd;

		if (poll(&p, 1, 3000) != 1)
			break;
		/* the peer from accept(): the client may have reset already */
		afd = accept(lfd, (struct sockaddr *)&peer, &len);
		if (afd < 0)
			continue;
		accepted++;
		seen[ntohs(peer.sin_port)]++;
		/*
		 * Keep it open until the clients are done: close() sends RST
		 * until there is a data path, and a client still on its way
		 * out of connect() would then see ECONNRESET, as with TCP.
		 */
		afds[accepted - 1] = afd;
		if (accepted == nt * n)
			break;
	}
	for (i = 0; i < nt; i++) {
		pthread_join(tid[i], NULL);
		total += t[i].ok;
		for (j = 0; j < n; j++) {
			if (t[i].ports[j] > 0 && seen[t[i].ports[j]] > 0) {
				seen[t[i].ports[j]]--;
				matched++;
			} else if (t[i].ports[j] > 0 && total - matched < 5) {
				xt_log("  connected from port %d: not accepted",
				       t[i].ports[j]);
			}
		}
		for (j = 0; j < 160; j++)
			if (t[i].errs[j])
				xt_log("  thread %d: %d x %s", i, t[i].errs[j],
				       strerror(j));
	}
	for (i = 0; i < accepted; i++)
		close(afds[i]);
	free(afds);
	xt_check(total == nt * n, "%d threads x %d: %d connects succeeded", nt,
		 n, total);
	xt_check(accepted == total, "%d accepted for %d connected", accepted,
		 total);
	xt_check(matched == total, "every accept matches a connect (%d)", matched);
	if (xt_failures) {
		fflush(stdout);
		if (system("cat /proc/net/xtcp_stat; head -20 /proc/net/xtcp"))
			xt_log("  (could not show counters)");
		srv_enter();
		if (system("cat /proc/net/xtcp_stat; head -20 /proc/net/xtcp"))
			xt_log("  (could not show counters)");
		srv_leave();
	}
	close(lfd);
}

static void mode_nonblock(const char *ip)
{
	int lfd = listener(ip, 5004, 8), cfd = xsock(SOCK_NONBLOCK), afd, r;
	struct sockaddr_in sin = mkaddr(ip, 5004);
	struct pollfd p;

	fcntl(lfd, F_SETFL, O_NONBLOCK);
	xt_check_errno(accept(lfd, NULL, NULL), EAGAIN,
		       "non-blocking accept, nothing queued");
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	xt_check(poll(&p, 1, 0) == 0, "listener not readable while empty");

	r = connect(cfd, (struct sockaddr *)&sin, sizeof(sin));
	xt_check(r == 0 || errno == EINPROGRESS,
		 "non-blocking connect: 0 or EINPROGRESS (%s)", strerror(errno));
	p = (struct pollfd){ .fd = cfd, .events = POLLOUT };
	xt_check(poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT) &&
		 !(p.revents & (POLLERR | POLLHUP)),
		 "connecting socket becomes POLLOUT (0x%x)", p.revents);
	xt_check(xt_sock_error(cfd) == 0, "SO_ERROR 0 after success");
	xt_check(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		 "connect again after completion returns 0, as TCP");
	xt_check_errno(connect(cfd, (struct sockaddr *)&sin, sizeof(sin)),
		       EISCONN, "and then EISCONN");
	p = (struct pollfd){ .fd = lfd, .events = POLLIN };
	xt_check(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN),
		 "listener POLLIN when a connection waits");
	afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	xt_check(afd >= 0 && (fcntl(afd, F_GETFL) & O_NONBLOCK) &&
		 (fcntl(afd, F_GETFD) & FD_CLOEXEC), "accept4 flags honoured");
	xt_check_errno(accept(lfd, NULL, NULL), EAGAIN, "queue empty again");
	xt_check_errno(listen(cfd, 5), EINVAL, "listen on a connected socket");
	close(afd);
	close(cfd);
	close(lfd);
}

static void mode_refused(const char *ip)
{
	struct sockaddr_in sin = mkaddr(ip, 5999);
	long refused = xt_stat("ConnectRefused");

	/* with a server netns, the closed port is there */
	int fd = xsock(0);
	struct pollfd p;

	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       ECONNREFUSED, "blocking connect to a closed port");
	xt_check_errno(getpeername(fd, (struct sockaddr *)&sin, &(socklen_t){ sizeof(sin) }),
		       ENOTCONN, "getpeername after refusal");
	close(fd);

	fd = xsock(SOCK_NONBLOCK);
	sin = mkaddr(ip, 5999);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS)
		xt_check(errno == ECONNREFUSED, "non-blocking refusal (%s)",
			 strerror(errno));
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	xt_check(poll(&p, 1, 2000) == 1 && (p.revents & POLLERR) &&
		 (p.revents & POLLHUP), "POLLERR|POLLHUP (0x%x)", p.revents);
	xt_check(xt_sock_error(fd) == ECONNREFUSED, "SO_ERROR ECONNREFUSED");
	xt_check(xt_sock_error(fd) == 0, "SO_ERROR cleared by reading it");
	xt_check(xt_stat("ConnectRefused") >= refused + 2, "ConnectRefused counted");
	/*
	 * As TCP: the next connect() reports the failed attempt, and as
	 * SO_ERROR was read already, that is ECONNABORTED; the one after
	 * starts afresh.
	 */
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       ECONNABORTED, "connect after a consumed refusal");
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EINPROGRESS, "then a retry starts afresh");
	close(fd);
}

static void mode_errors(void)
{
	struct sockaddr_in any = mkaddr("0.0.0.0", 5010);
	struct sockaddr_in lo = mkaddr("127.0.0.1", 5010);
	int a = xsock(0), b = xsock(0), c, one = 1, backlog;
	socklen_t blen = sizeof(backlog);
	long somax = xt_read_long("/proc/sys/net/core/somaxconn", -1);
	pid_t pid;
	int status;

	xt_check(bind(a, (struct sockaddr *)&any, sizeof(any)) == 0,
		 "bind 0.0.0.0:5010");
	xt_check_errno(bind(a, (struct sockaddr *)&lo, sizeof(lo)), EINVAL,
		       "second bind of the same socket");
	xt_check_errno(bind(b, (struct sockaddr *)&lo, sizeof(lo)), EADDRINUSE,
		       "127.0.0.1:5010 clashes with the wildcard");
	close(a);
	close(b);

	/* SO_REUSEADDR: two bound sockets share; only one may listen */
	a = xsock(0);
	b = xsock(0);
	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	xt_check(bind(a, (struct sockaddr *)&lo, sizeof(lo)) == 0 &&
		 bind(b, (struct sockaddr *)&lo, sizeof(lo)) == 0,
		 "SO_REUSEADDR: both bind 127.0.0.1:5010");
	xt_check(listen(a, 4) == 0, "first listens");
	xt_check_errno(listen(b, 4), EADDRINUSE, "second cannot listen too");
	c = xsock(0);
	setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	xt_check_errno(bind(c, (struct sockaddr *)&lo, sizeof(lo)), EADDRINUSE,
		       "nor bind beside a listener");
	close(a);
	close(b);
	close(c);

	/* backlog: clamped to somaxconn, visible, and listen() again changes it */
	a = xsock(0);
	xt_check(listen(a, 1 << 30) == 0, "listen with a huge backlog (autobind)");
	xt_check(getsockopt(a, SOL_XTCP, XTCP_BACKLOG, &backlog, &blen) == 0 &&
		 backlog == somax, "effective backlog = somaxconn %ld (%d)",
		 somax, backlog);
	xt_check(port_of(a, 0) > 0, "listen() without bind picked a port (%d)",
		 port_of(a, 0));
	listen(a, 3);
	getsockopt(a, SOL_XTCP, XTCP_BACKLOG, &backlog, &blen);
	xt_check(backlog == 3, "listen again sets backlog 3 (%d)", backlog);
	listen(a, -1);
	getsockopt(a, SOL_XTCP, XTCP_BACKLOG, &backlog, &blen);
	xt_check(backlog == somax, "negative backlog means somaxconn (%d)",
		 backlog);
	close(a);

	/* bind(port 0) picks a free port from the local range */
	a = xsock(0);
	any = mkaddr("127.0.0.1", 0);
	xt_check(bind(a, (struct sockaddr *)&any, sizeof(any)) == 0 &&
		 port_of(a, 0) >= 1024, "bind to port 0 picks %d", port_of(a, 0));
	close(a);

	/*
	 * A wildcard listener owns its port for every local address: even
	 * with SO_REUSEADDR on both, TCP refuses a bind beside a listener;
	 * and it hears connections to any local address.
	 */
	a = listener("0.0.0.0", 5011, 4);
	b = xsock(0);
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	lo = mkaddr("127.0.0.2", 5011);
	xt_check_errno(bind(b, (struct sockaddr *)&lo, sizeof(lo)), EADDRINUSE,
		       "bind 127.0.0.2:5011 beside a wildcard listener");
	close(b);
	c = xsock(0);
	lo = mkaddr("127.0.0.2", 5011);
	xt_check(connect(c, (struct sockaddr *)&lo, sizeof(lo)) == 0,
		 "wildcard listener hears 127.0.0.2");
	b = accept(a, NULL, NULL);
	xt_check(b >= 0 && port_of(b, 0) == 5011, "accepted on the wildcard");
	close(b);
	close(c);
	close(a);

	/*
	 * ports under 1024 need CAP_NET_BIND_SERVICE; the socket is made
	 * first, as an xtcp socket needs CAP_NET_RAW (socket_needs_net_raw)
	 */
	pid = fork();
	if (pid == 0) {
		struct sockaddr_in low = mkaddr("127.0.0.1", 80);
		int fd = socket(af, SOCK_STREAM, 0);

		if (fd < 0 || setuid(65534))
			_exit(2);
		_exit(bind(fd, (struct sockaddr *)&low, sizeof(low)) == -1 &&
		      errno == EACCES ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	xt_check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "unprivileged bind to port 80: EACCES");
	a = xsock(0);
	lo = mkaddr("127.0.0.1", 80);
	xt_check(bind(a, (struct sockaddr *)&lo, sizeof(lo)) == 0,
		 "root binds port 80");
	close(a);

	/* AF_INET is accepted in addresses for porting */
	a = xsock(0);
	lo = mkaddr("127.0.0.1", 5012);
	lo.sin_family = AF_INET;
	xt_check(bind(a, (struct sockaddr *)&lo, sizeof(lo)) == 0,
		 "bind with sin_family AF_INET");
	close(a);

	/* no route */
	a = xsock(0);
	lo = mkaddr("203.0.113.1", 80);
	xt_check_errno(connect(a, (struct sockaddr *)&lo, sizeof(lo)),
		       ENETUNREACH, "connect with no route");
	close(a);
}

static void mode_selfconnect(void)
{
	struct sockaddr_in sin = mkaddr("127.0.0.1", 5020);
	int fd = xsock(0);

	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		xt_fatal("bind");
	xt_check(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		 "connect a socket to its own address (%s)", strerror(errno));
	xt_check(port_of(fd, 1) == 5020 && port_of(fd, 0) == 5020,
		 "connected to itself");
	xt_check(proc_count("ESTABLISHED", 5020) == 1, "one ESTABLISHED entry");
	close(fd);
	usleep(20000);
	/* its FIN crossed itself: a simultaneous close, into TIME_WAIT */
	xt_check(proc_count_live(5020) == 0 && proc_count("TIME_WAIT", 5020) == 1,
		 "gone after close, but for its TIME_WAIT");
}

static void mode_simopen(void)
{
	struct sockaddr_in a_addr = mkaddr("127.0.0.1", 5031);
	struct sockaddr_in b_addr = mkaddr("127.0.0.1", 5032);
	int a = xsock(SOCK_NONBLOCK), b = xsock(SOCK_NONBLOCK);
	struct pollfd p[2];
	int i;

	if (bind(a, (struct sockaddr *)&a_addr, sizeof(a_addr)) ||
	    bind(b, (struct sockaddr *)&b_addr, sizeof(b_addr)))
		xt_fatal("bind");
	connect(a, (struct sockaddr *)&b_addr, sizeof(b_addr));
	connect(b, (struct sockaddr *)&a_addr, sizeof(a_addr));
	/*
	 * Wait for each on its own, up to 3 s: poll() on both returns as
	 * soon as one is ready, and the other's SYN-ACK may still be on its
	 * way through the delay.
	 */
	for (i = 0; i < 2; i++) {
		double end = xt_now() + 3;

		p[i] = (struct pollfd){ .fd = i ? b : a, .events = POLLOUT };
		while (!(p[i].revents & POLLOUT) && xt_now() < end)
			poll(&p[i], 1, 100);
	}
	xt_check((p[0].revents & POLLOUT) && (p[1].revents & POLLOUT),
		 "both sockets writable (revents 0x%x 0x%x)", p[0].revents,
		 p[1].revents);
	xt_check(xt_sock_error(a) == 0 && xt_sock_error(b) == 0 &&
		 port_of(a, 1) == 5032 && port_of(b, 1) == 5031,
		 "simultaneous open: both connected to each other");
	xt_check(proc_count("ESTABLISHED", 5031) == 2,
		 "two ESTABLISHED entries, no listener involved");
	close(a);
	close(b);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void mode_unresponsive(const char *ip)
{
	struct sockaddr_in sin = mkaddr(ip, 5040);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	int fd = xsock(SOCK_NONBLOCK);
	double t0;

	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EINPROGRESS, "non-blocking connect to a silent host");
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EALREADY, "connect again while in progress");
	xt_check(proc_count("SYN_SENT", 0) >= 1, "/proc/net/xtcp shows SYN_SENT");
	close(fd);

	fd = xsock(0);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	t0 = xt_now();
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EINPROGRESS, "SO_SNDTIMEO expiry: EINPROGRESS, as TCP");
	xt_check(xt_now() - t0 > 0.25 && xt_now() - t0 < 2,
		 "after about 0.3 s (%.2f s)", xt_now() - t0);
	close(fd);

	/* a signal interrupts a blocking connect */
	sigaction(SIGALRM, &sa, NULL);
	fd = xsock(0);
	alarm(1);
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), EINTR,
		       "signal during a blocking connect: EINTR");
	close(fd);
}

static void mode_ports(void)
{
	long before = xt_stat("PortsExhausted");
	int lfd = listener("127.0.0.1", 5050, 64), lfd2, fds[8], i, n = 0, fd;
	struct sockaddr_in sin = mkaddr("127.0.0.1", 5050);
	double t0;

	for (i = 0; i < 4; i++) {
		fds[i] = xsock(0);
		if (connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) == 0)
			n++;
	}
	xt_check(n == 4, "4 connects use the 4 ports of the range");
	fd = xsock(0);
	t0 = xt_now();
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EADDRNOTAVAIL, "a fifth gets EADDRNOTAVAIL");
	xt_check(xt_now() - t0 < 0.5, "and fast (%.3f s)", xt_now() - t0);
	xt_check(xt_stat("PortsExhausted") == before + 1, "PortsExhausted +1");
	close(fd);
	/* another destination may reuse the same local ports */
	lfd2 = listener("127.0.0.1", 5051, 64);
	sin = mkaddr("127.0.0.1", 5051);
	fd = xsock(0);
	xt_check(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		 "another destination still connects (port %d shared)",
		 port_of(fd, 0));
	close(fd);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(lfd);
	close(lfd2);
}

static void mode_closelisten(void)
{
	int lfd = listener("127.0.0.1", 5060, 16), c[4], i, ok = 0;
	struct sockaddr_in sin = mkaddr("127.0.0.1", 5060);
	struct pollfd p;

	for (i = 0; i < 4; i++) {
		c[i] = xsock(0);
		if (connect(c[i], (struct sockaddr *)&sin, sizeof(sin)))
			xt_fatal("connect");
	}
	xt_check(proc_count("ESTABLISHED", 5060) == 8, "4 connections, unaccepted");
	close(lfd);
	usleep(50000);
	for (i = 0; i < 4; i++) {
		p = (struct pollfd){ .fd = c[i], .events = POLLIN };
		if (poll(&p, 1, 1000) == 1 && (p.revents & POLLERR) &&
		    xt_sock_error(c[i]) == ECONNRESET)
			ok++;
		close(c[i]);
	}
	xt_check(ok == 4, "closing the listener resets the clients (%d of 4)", ok);
	usleep(20000);
	xt_check(proc_count("", 5060) == 0, "nothing left on the port (no TIME_WAIT after a reset)");
}

static void mode_timeout(const char *ip, double secs)
{
	struct sockaddr_in sin = mkaddr(ip, 5070);
	long before = xt_stat("ConnectTimeouts");
	int fd = xsock(0);
	double t0 = xt_now(), t;

	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       ETIMEDOUT, "connect to a silent host gives up");
	t = xt_now() - t0;
	/* never early; a busy host fires each retransmission late, so no
	 * upper bound in seconds (timers.sh counts the SYNs on the wire) */
	xt_check(t > secs - 0.5,
		 "after %.2f s (expected at least %.0f s)", t, secs);
	xt_check(xt_stat("ConnectTimeouts") == before + 1, "ConnectTimeouts +1");
	close(fd);
}

static void mode_slow(const char *ip)
{
	struct sockaddr_in sin = mkaddr(ip, 5071);
	int lfd = listener(ip, 5071, 4), fd = xsock(0), afd;
	double t0 = xt_now();

	xt_check(connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		 "connect completes (%s)", strerror(errno));
	xt_log("connected after %.3f s", xt_now() - t0);
	afd = accept(lfd, NULL, NULL);
	xt_check(afd >= 0, "and the server accepts it");
	close(afd);
	close(fd);
	close(lfd);
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	const char *ip = argc > 2 ? argv[2] : "127.0.0.1";

	af = xt_family();
	srv_open();
	setvbuf(stdout, NULL, _IOLBF, 0);
	xt_log("handshake %s", m);
	if (!strcmp(m, "basic"))
		mode_basic(ip);
	else if (!strcmp(m, "seq"))
		mode_seq(ip, argc > 3 ? atoi(argv[3]) : 1000);
	else if (!strcmp(m, "threads"))
		mode_threads(ip, argc > 3 ? atoi(argv[3]) : 4,
			     argc > 4 ? atoi(argv[4]) : 250);
	else if (!strcmp(m, "nonblock"))
		mode_nonblock(ip);
	else if (!strcmp(m, "refused"))
		mode_refused(ip);
	else if (!strcmp(m, "errors"))
		mode_errors();
	else if (!strcmp(m, "selfconnect"))
		mode_selfconnect();
	else if (!strcmp(m, "simopen"))
		mode_simopen();
	else if (!strcmp(m, "unresponsive"))
		mode_unresponsive(ip);
	else if (!strcmp(m, "ports"))
		mode_ports();
	else if (!strcmp(m, "closelisten"))
		mode_closelisten();
	else if (!strcmp(m, "timeout"))
		mode_timeout(ip, argc > 3 ? atof(argv[3]) : 7);
	else if (!strcmp(m, "slow"))
		mode_slow(ip);
	else
		xt_fatal("unknown mode '%s'", m);
	if (xt_failures) {
		/* what the module thought, for the log */
		fflush(stdout);
		if (system("cat /proc/net/xtcp; awk '$2 != 0' /proc/net/xtcp_stat"))
			xt_log("  (no /proc/net/xtcp)");
	}
	return xt_done();
}
