// SPDX-License-Identifier: GPL-2.0
/*
 * bench rate tcp|xtcp ADDR THREADS SECONDS: connection rate, connect +
 * accept + close in a loop, for SECONDS, with THREADS client threads and
 * as many acceptor threads. Prints "rate <accepted conn/s> failed <n>
 * errno <most common errno of the failed connects>". A completed handshake
 * is one that accept() returned: a client can still see ECONNRESET from
 * connect() when the acceptor's abort overtakes its wakeup.
 *
 * Both protocols end every connection the same way, with an abort (RST):
 * xtcp has no FIN yet, and TCP is given SO_LINGER {1, 0} so that TIME_WAIT
 * neither costs it nor exhausts its ports. The listener is made in the
 * netns named by $XT_SERVER_NS if set, else here.
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

static int family, proto, lfd;
static struct sockaddr_in dst;
static atomic_long accepted, failed, errs[150];
static volatile int stop;

static void abortive(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (proto)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void *client(void *arg)
{
	(void)arg;
	while (!stop) {
		int fd = socket(family, SOCK_STREAM, proto);

		if (fd < 0)
			break;
		abortive(fd);
		if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
			atomic_fetch_add(&failed, 1);
			if (errno < 150)
				atomic_fetch_add(&errs[errno], 1);
		}
		close(fd);
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	(void)arg;
	while (!stop) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (!stop)
			atomic_fetch_add(&accepted, 1);
		abortive(fd);
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *ns = getenv("XT_SERVER_NS");
	struct sockaddr_in any = { .sin_port = htons(7000) };
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	pthread_t c[16], a[16];
	int threads, secs, i, one = 1, home = -1, srv = -1;
	double t0, t;

	if (argc != 6 || strcmp(argv[1], "rate"))
		xt_fatal("usage: bench rate tcp|xtcp ADDR THREADS SECONDS");
	family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
	threads = atoi(argv[4]);
	secs = atoi(argv[5]);
	if (threads < 1 || threads > 16)
		xt_fatal("1..16 threads");
	dst.sin_family = family;
	dst.sin_port = htons(7000);
	inet_pton(AF_INET, argv[3], &dst.sin_addr);
	any.sin_family = family;

	if (ns && *ns) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		home = open("/proc/self/ns/net", O_RDONLY);
		srv = open(path, O_RDONLY);
		if (home < 0 || srv < 0 || setns(srv, CLONE_NEWNET))
			xt_fatal("setns %s", ns);
	}
	lfd = socket(family, SOCK_STREAM, proto);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* accept() wakes up now and then to see the stop flag */
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(lfd, 4096))
		xt_fatal("listener");
	if (srv >= 0 && setns(home, CLONE_NEWNET))
		xt_fatal("setns home");

	for (i = 0; i < threads; i++)
		pthread_create(&a[i], NULL, acceptor, NULL);
	t0 = xt_now();
	for (i = 0; i < threads; i++)
		pthread_create(&c[i], NULL, client, NULL);
	sleep(secs);
	stop = 1;
	t = xt_now() - t0;
	for (i = 0; i < threads; i++)
		pthread_join(c[i], NULL);
	for (i = 0; i < threads; i++)
		pthread_join(a[i], NULL);
	for (i = 1, one = 0; i < 150; i++)
		if (atomic_load(&errs[i]) > atomic_load(&errs[one]))
			one = i;
	printf("rate %.0f failed %ld errno %s\n", atomic_load(&accepted) / t,
	       atomic_load(&failed), one ? strerrorname_np(one) : "-");
	close(lfd);
	return 0;
}
