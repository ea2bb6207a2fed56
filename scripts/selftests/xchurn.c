// SPDX-License-Identifier: GPL-2.0
/*
 * xchurn: lookups never miss while other entries of their chains move.
 *
 *   xchurn N
 *
 * Over loopback in the caller's namespace (churn.sh loads xtcp with a
 * 16-bucket ehash, so every chain is shared): a client makes N
 * connections in a row to a server that writes one byte and closes
 * (TIME_WAIT swaps on the server side), while
 *  - reconnectors disconnect their sockets with connect(AF_UNSPEC) and
 *    connect them again to another of four ports, so their ehash entries
 *    hop from chain to chain, and
 *  - a re-listener closes and reopens listeners, moving its listener-hash
 *    entries the same way.
 * A lookup led off its chain and not started again would miss: a SYN
 * refused (ECONNREFUSED) or a segment answered with a RST (ECONNRESET, a
 * short read). Every connection must get its byte and its EOF.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "xt.h"

#define PORT		7300	/* the client's server */
#define CHURN_PORT	7310	/* four listeners the reconnectors use */
#define RELISTEN_PORT	7320	/* the re-listener's ports, 7320.. */
#define RECONNECTORS	2

static atomic_int done;
static atomic_long reconnects, relistens, churn_errors;
static uint32_t lo;

/* A churn call failed: counted, the first few said. */
static void churn_error(const char *what)
{
	if (atomic_fetch_add(&churn_errors, 1) < 5)
		xt_log("churn: %s: %s", what, strerror(errno));
}

static void *server(void *arg)
{
	int lfd = *(int *)arg, fd;

	while (!atomic_load(&done)) {
		fd = xt_sock_accept(lfd, 100, NULL, NULL);
		if (fd < 0)
			continue;
		if (write(fd, "x", 1) != 1)
			xt_log("server write: %s", strerror(errno));
		close(fd);	/* the server closes first: TIME_WAIT here */
	}
	return NULL;
}

/* The churn listeners' children: accepted and dropped. */
static void *churn_server(void *arg)
{
	int *lfds = arg, i, fd;

	while (!atomic_load(&done))
		for (i = 0; i < 4; i++) {
			fd = xt_sock_accept(lfds[i], 1, NULL, NULL);
			if (fd >= 0)
				close(fd);
		}
	return NULL;
}

static int listen_on(uint16_t port, int flags)
{
	int fd = socket(xt_family(), SOCK_STREAM | flags, 0);
	struct sockaddr_in sin;

	xt_sock_addr(&sin, lo, port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, 1024))
		xt_fatal("listen on %u", port);
	return fd;
}

static int connect_to(int fd, uint16_t port)
{
	struct sockaddr_in sin;

	xt_sock_addr(&sin, lo, port);
	return connect(fd, (struct sockaddr *)&sin, sizeof(sin));
}

static int disconnect(int fd)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	return connect(fd, &sa, sizeof(sa));
}

static void *reconnector(void *arg)
{
	unsigned int i = (unsigned int)(long)arg;
	int fd = socket(xt_family(), SOCK_STREAM, 0);

	if (fd < 0)
		xt_fatal("socket");
	while (!atomic_load(&done)) {
		if (connect_to(fd, CHURN_PORT + i++ % 4)) {
			/* a churn connection can meet a full backlog */
			if (errno != ECONNREFUSED && errno != ETIMEDOUT &&
			    errno != ECONNRESET)
				churn_error("connect");
			close(fd);
			fd = socket(xt_family(), SOCK_STREAM, 0);
			if (fd < 0)
				xt_fatal("socket");
			continue;
		}
		if (disconnect(fd))
			churn_error("disconnect");
		atomic_fetch_add(&reconnects, 1);
	}
	close(fd);
	return NULL;
}

static void *relistener(void *arg)
{
	unsigned int i = 0;
	struct sockaddr_in sin;
	int fd;

	(void)arg;
	while (!atomic_load(&done)) {
		fd = socket(xt_family(), SOCK_STREAM, 0);
		if (fd < 0)
			xt_fatal("socket");
		xt_sock_addr(&sin, i & 1 ? 0 : lo, RELISTEN_PORT + i % 64);
		i++;
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 8)) {
			churn_error("bind/listen");
			close(fd);
			continue;
		}
		/* leave LISTEN and enter it again, then close */
		if (disconnect(fd) || listen(fd, 8))
			churn_error("re-listen");
		close(fd);
		atomic_fetch_add(&relistens, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000, i, ok = 0, refused = 0;
	long reset = 0, other = 0, restarts0, slow = 0;
	long synre0 = xt_stat("SynRetrans"), drops0 = xt_stat("ListenDrops");
	pthread_t srv, csrv, rl, rc[RECONNECTORS];
	int lfd, clfd[4];
	double t0;
	char c;

	lo = xt_addr("127.0.0.1");
	restarts0 = xt_stat("LookupRestarts");
	lfd = listen_on(PORT, 0);
	for (i = 0; i < 4; i++)
		clfd[i] = listen_on(CHURN_PORT + i, SOCK_NONBLOCK);
	pthread_create(&srv, NULL, server, &lfd);
	pthread_create(&csrv, NULL, churn_server, clfd);
	pthread_create(&rl, NULL, relistener, NULL);
	for (i = 0; i < RECONNECTORS; i++)
		pthread_create(&rc[i], NULL, reconnector, (void *)i);

	t0 = xt_now();
	for (i = 0; i < n; i++) {
		int fd = socket(xt_family(), SOCK_STREAM, 0);
		double t1 = xt_now();

		if (fd < 0)
			xt_fatal("socket");
		if (connect_to(fd, PORT)) {
			if (errno == ECONNREFUSED)
				refused++;
			else if (errno == ECONNRESET)
				reset++;
			else
				other++;
			if (refused + reset + other <= 5)
				xt_log("connect %ld: %s", i, strerror(errno));
		} else if (read(fd, &c, 1) != 1 || read(fd, &c, 1) != 0) {
			if (errno == ECONNRESET)
				reset++;
			else
				other++;
			if (refused + reset + other <= 5)
				xt_log("read %ld: %s", i, strerror(errno));
		} else {
			ok++;
		}
		if (xt_now() - t1 > 0.5)
			slow++;
		close(fd);
	}
	atomic_store(&done, 1);
	pthread_join(srv, NULL);
	pthread_join(csrv, NULL);
	pthread_join(rl, NULL);
	for (i = 0; i < RECONNECTORS; i++)
		pthread_join(rc[i], NULL);

	xt_log("%ld connections in %.1f s; %ld reconnects, %ld re-listens meanwhile; LookupRestarts +%ld",
	       n, xt_now() - t0, atomic_load(&reconnects), atomic_load(&relistens),
	       xt_stat("LookupRestarts") - restarts0);
	xt_log("%ld connections slower than 0.5 s; SynRetrans +%ld, ListenDrops +%ld",
	       slow, xt_stat("SynRetrans") - synre0,
	       xt_stat("ListenDrops") - drops0);
	xt_check(ok == n, "%ld of %ld connections got their byte and EOF", ok, n);
	xt_check(refused == 0, "no SYN refused (%ld)", refused);
	xt_check(reset == 0, "no connection reset (%ld)", reset);
	xt_check(other == 0, "no other error (%ld)", other);
	xt_check(atomic_load(&reconnects) > 0 && atomic_load(&relistens) > 0,
		 "the churn ran");
	xt_check(atomic_load(&churn_errors) == 0, "the churn's calls worked (%ld errors)",
		 atomic_load(&churn_errors));
	return xt_done();
}
