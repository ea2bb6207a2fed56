// SPDX-License-Identifier: GPL-2.0
/*
 * bench rate tcp|xtcp ADDR THREADS SECONDS: short connections done as
 * programs do them, for SECONDS, with THREADS client threads and as many
 * acceptor threads. A client connects, sends a 100-byte request, reads a
 * 1000-byte answer and closes first (so TIME_WAIT is the client's); the
 * server reads the request, answers, reads the client's FIN (EOF) and
 * closes. Both stacks close gracefully. Prints "rate <completed conn/s>
 * failed <n> errno <most common errno of the failures>".
 *
 * bench tw tcp|xtcp ADDR N: N such connections, one after another, as
 * fast as they go, each leaving a TIME_WAIT entry on the client; prints
 * "tw <done> failed <n> errno <..>". The caller reads the memory.
 *
 * bench hold tcp|xtcp FIRSTADDR N: N listeners on port $XT_PORT, on
 * FIRSTADDR and the N - 1 addresses after it; prints "holding N" and
 * waits until killed (for a lookup among many listeners).
 *
 * bench est tcp|xtcp ADDR N: N connections to listeners of its own on
 * ADDR, ports $XT_PORT and up (1000 each), both ends kept open: 2N
 * established entries in one ehash, which never expire as TIME_WAIT
 * entries would; prints "holding 2N" and waits until killed. With
 * SO_LINGER {1, 0} they end with a RST and leave no TIME_WAIT behind.
 *
 * The listener is made in the netns named by $XT_SERVER_NS if set, else
 * here, on port $XT_PORT (default 7000), on $XT_BIND if set (else every
 * address). $XT_LISTENERS (1..4, default 1)
 * listeners share the port with SO_REUSEPORT, acceptor thread i taking
 * listener i mod n (at least one acceptor per listener).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "xt.h"

#define BENCH_REQ	100
#define BENCH_ANSWER	1000

#define BENCH_MAX_LISTENERS	4

static int family, proto, nlfd = 1, lfds[BENCH_MAX_LISTENERS];
static struct sockaddr_in dst;
static atomic_long done, failed, errs[150];
/* clients stop first; acceptors only once every client has returned */
static volatile int stop, stop_acc;

static void bench_fail(int err)
{
	atomic_fetch_add(&failed, 1);
	if (err > 0 && err < 150)
		atomic_fetch_add(&errs[err], 1);
}

/* One connection, the client's side; 0 or an errno. */
static int bench_one(void)
{
	struct timeval tv = { .tv_sec = 5 };
	char buf[BENCH_ANSWER];
	int fd = socket(family, SOCK_STREAM, proto), err = 0;

	if (fd < 0)
		return errno;
	/* a lost answer fails one connection, never the run */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(buf, 'q', BENCH_REQ);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) ||
	    send(fd, buf, BENCH_REQ, MSG_NOSIGNAL) != BENCH_REQ ||
	    recv(fd, buf, BENCH_ANSWER, MSG_WAITALL) != BENCH_ANSWER)
		err = errno ? : EPROTO;
	close(fd);
	return err;
}

static void *client(void *arg)
{
	int err;

	(void)arg;
	while (!stop) {
		err = bench_one();
		if (err)
			bench_fail(err);
		else if (!stop)
			atomic_fetch_add(&done, 1);
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	struct timeval tv = { .tv_sec = 5 };
	char buf[BENCH_ANSWER];
	int lfd = lfds[(long)arg % nlfd];

	memset(buf, 'a', sizeof(buf));
	while (!stop_acc) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		/* the listener's 100 ms timeout is for accept() only */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		/* the request, the answer, then the client's FIN */
		if (recv(fd, buf, BENCH_REQ, MSG_WAITALL) == BENCH_REQ &&
		    send(fd, buf, BENCH_ANSWER, MSG_NOSIGNAL) == BENCH_ANSWER)
			recv(fd, buf, 1, 0);
		close(fd);
	}
	return NULL;
}

/* Listener @i; with several, SO_REUSEPORT (SOL_XTCP's on 6.1 xtcp). */
static void bench_listener(int i, const struct sockaddr_in *any,
			   const struct timeval *tv)
{
	int one = 1, lfd = socket(family, SOCK_STREAM, proto);

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (nlfd > 1 &&
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) &&
	    (errno != EOPNOTSUPP ||
	     setsockopt(lfd, SOL_XTCP, XTCP_REUSEPORT, &one, sizeof(one))))
		xt_fatal("SO_REUSEPORT: %s", strerror(errno));
	/* accept() wakes up now and then to see the stop flag */
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(*tv));
	if (lfd < 0 || bind(lfd, (const struct sockaddr *)any, sizeof(*any)) ||
	    listen(lfd, 4096))
		xt_fatal("listener");
	lfds[i] = lfd;
}

/* bench hold: N listeners on consecutive addresses, until killed. */
static int bench_hold(const char *first, int n, int port)
{
	struct sockaddr_in sin = { .sin_family = family,
				   .sin_port = htons(port) };
	uint32_t a;
	int i;

	if (inet_pton(AF_INET, first, &sin.sin_addr) != 1 || n < 1)
		xt_fatal("bench hold tcp|xtcp FIRSTADDR N");
	a = ntohl(sin.sin_addr.s_addr);
	for (i = 0; i < n; i++) {
		int fd = socket(family, SOCK_STREAM, proto);

		sin.sin_addr.s_addr = htonl(a + i);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 16))
			xt_fatal("listener %d", i);
	}
	printf("holding %d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

/*
 * bench est: N connections with both ends open, until killed. They go to
 * N / 1000 listeners on ports from @port up, in turn: to one destination,
 * Linux's connect() walks past every port that destination already holds,
 * and the fill, not the lookup, would take the time.
 */
#define BENCH_EST_PER_PORT	1000
#define BENCH_EST_PORTS		128

static int bench_est(const char *addr, int n, int port)
{
	struct sockaddr_in sin = { .sin_family = family };
	int nl = (n + BENCH_EST_PER_PORT - 1) / BENCH_EST_PER_PORT, i;
	int lfd[BENCH_EST_PORTS];

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 || n < 1 ||
	    nl > BENCH_EST_PORTS)
		xt_fatal("bench est tcp|xtcp ADDR N (N <= %d)",
			 BENCH_EST_PORTS * BENCH_EST_PER_PORT);
	for (i = 0; i < nl; i++) {
		sin.sin_port = htons(port + i);
		lfd[i] = socket(family, SOCK_STREAM, proto);
		if (lfd[i] < 0 ||
		    bind(lfd[i], (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(lfd[i], 128))
			xt_fatal("listener %d: %s", i, strerror(errno));
	}
	for (i = 0; i < n; i++) {
		struct linger abort_on_close = { .l_onoff = 1 };
		int fd = socket(family, SOCK_STREAM, proto), afd;

		sin.sin_port = htons(port + i % nl);
		/* the handshake completes in the backlog: accept after */
		if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    (afd = accept(lfd[i % nl], NULL, NULL)) < 0)
			xt_fatal("connection %d: %s", i, strerror(errno));
		/* killed, they leave with a RST: no 2N TIME_WAIT entries */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
			   sizeof(abort_on_close));
		setsockopt(afd, SOL_SOCKET, SO_LINGER, &abort_on_close,
			   sizeof(abort_on_close));
	}
	printf("holding %d\n", 2 * n);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *ns = getenv("XT_SERVER_NS");
	struct sockaddr_in any = { .sin_port = htons(7000) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	pthread_t c[16], a[16];
	int threads, nacc, secs, i, one, home = -1, srv = -1;
	double t0, t;

	const char *port = getenv("XT_PORT"), *bind_to = getenv("XT_BIND");
	int tw = argc == 5 && !strcmp(argv[1], "tw");

	if (argc == 5 && (!strcmp(argv[1], "hold") || !strcmp(argv[1], "est"))) {
		family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
		proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
		return (strcmp(argv[1], "hold") ? bench_est : bench_hold)
			(argv[3], atoi(argv[4]), port ? atoi(port) : 7000);
	}

	if (!tw && (argc != 6 || strcmp(argv[1], "rate")))
		xt_fatal("usage: bench rate tcp|xtcp ADDR THREADS SECONDS | bench tw tcp|xtcp ADDR N | bench hold|est tcp|xtcp ADDR N");
	family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
	threads = tw ? 1 : atoi(argv[4]);
	nacc = threads;
	secs = tw ? atoi(argv[4]) : atoi(argv[5]);
	if (threads < 1 || threads > 16)
		xt_fatal("1..16 threads");
	any.sin_port = htons(port ? atoi(port) : 7000);
	dst.sin_family = family;
	dst.sin_port = any.sin_port;
	inet_pton(AF_INET, argv[3], &dst.sin_addr);
	any.sin_family = family;
	if (bind_to && inet_pton(AF_INET, bind_to, &any.sin_addr) != 1)
		xt_fatal("XT_BIND %s", bind_to);

	if (ns && *ns) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		home = open("/proc/self/ns/net", O_RDONLY);
		srv = open(path, O_RDONLY);
		if (home < 0 || srv < 0 || setns(srv, CLONE_NEWNET))
			xt_fatal("setns %s", ns);
	}
	if (getenv("XT_LISTENERS"))
		nlfd = atoi(getenv("XT_LISTENERS"));
	if (nlfd < 1 || nlfd > BENCH_MAX_LISTENERS)
		xt_fatal("1..%d listeners", BENCH_MAX_LISTENERS);
	for (i = 0; i < nlfd; i++)
		bench_listener(i, &any, &tv);
	if (srv >= 0 && setns(home, CLONE_NEWNET))
		xt_fatal("setns home");

	nacc = nacc > nlfd ? nacc : nlfd;
	for (i = 0; i < nacc; i++)
		pthread_create(&a[i], NULL, acceptor, (void *)(long)i);
	t0 = xt_now();
	if (tw) {
		/* secs is the count here */
		for (i = 0; i < secs; i++) {
			int err = bench_one();

			if (err)
				bench_fail(err);
			else
				atomic_fetch_add(&done, 1);
		}
		stop = stop_acc = 1;
		for (i = 0; i < nacc; i++)
			pthread_join(a[i], NULL);
		for (i = 1, one = 0; i < 150; i++)
			if (atomic_load(&errs[i]) > atomic_load(&errs[one]))
				one = i;
		printf("tw %ld failed %ld errno %s\n", atomic_load(&done),
		       atomic_load(&failed), one ? strerrorname_np(one) : "-");
		return 0;
	}
	for (i = 0; i < threads; i++)
		pthread_create(&c[i], NULL, client, NULL);
	sleep(secs);
	stop = 1;
	t = xt_now() - t0;
	for (i = 0; i < threads; i++)
		pthread_join(c[i], NULL);
	stop_acc = 1;
	for (i = 0; i < nacc; i++)
		pthread_join(a[i], NULL);
	for (i = 1, one = 0; i < 150; i++)
		if (atomic_load(&errs[i]) > atomic_load(&errs[one]))
			one = i;
	printf("rate %.0f failed %ld errno %s\n", atomic_load(&done) / t,
	       atomic_load(&failed), one ? strerrorname_np(one) : "-");
	return 0;
}
