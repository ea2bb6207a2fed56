// SPDX-License-Identifier: GPL-2.0
/*
 * floodtest syn DEST PORT tcp|xtcp SECONDS MAXCOUNT
 *	send SYNs from spoofed sources (198.18.0.0/15, random ports) to
 *	DEST:PORT over the given protocol, as fast as one thread can, for at
 *	most SECONDS and MAXCOUNT segments; print how many and how fast.
 * floodtest serve tcp|xtcp PORT SECONDS
 *	listen on 0.0.0.0:PORT (backlog 128) and accept everything, while a
 *	real client connects to 127.0.0.1:PORT every 10 ms for SECONDS.
 *	Accepted connections are held for the next 64 accepts (about 0.6 s)
 *	before their abortive close, so that the client is out of connect()
 *	by then: a RST that overtakes its wakeup would make connect() fail
 *	on a handshake that succeeded.
 *	Prints "connects N failed F p50 <ms> p99 <ms> max_synq Q" (Q: the
 *	largest request queue seen, xtcp only).
 *
 * The flood and its length are bounded by the caller's arguments; the
 * addresses are only ever routed inside the test's namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "xt.h"

static int family, proto, lfd, port;
static volatile int stop;
static unsigned int max_synq;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void flood(const char *dst, int dport, int ipproto, double secs,
		  long max)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t pkt[20 + 60], *th = pkt + 20;
	double t0 = xt_now(), t;
	unsigned int len;
	struct xt_hdr h;
	int fd, one = 1;
	long n = 0;
	uint32_t r = 0x12345678;

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		xt_fatal("raw socket");
	sin.sin_addr.s_addr = xt_addr(dst);
	/* one SYN with an MSS option, built once; the loop changes its source */
	xt_seg_hdr_init(&h, 0, dport, XT_SYN, 0, 0);
	h.optlen = xt_seg_opt_mss(h.opt, 0, 1460);
	len = 20 + xt_seg_build(th, sizeof(pkt) - 20, &h, 0, 0, 6);
	xt_seg_ip_build(pkt, 0, sin.sin_addr.s_addr, ipproto, 0, len, 0, 0);
	while (n < max && (t = xt_now() - t0) < secs) {
		uint32_t src;

		/* xorshift: cheap, and every SYN is another "client" */
		r ^= r << 13; r ^= r >> 17; r ^= r << 5;
		src = htonl(0xc6120000 | (r & 0x1ffff));	/* 198.18/15 */
		/* IP_HDRINCL: the kernel fills in the IP checksum */
		memcpy(pkt + 12, &src, 4);
		th[0] = (r >> 17) | 0x80;
		th[1] = r >> 9;
		memcpy(th + 4, &r, 4);
		xt_seg_csum_set(th, len - 20, src, sin.sin_addr.s_addr, 6);
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sin,
			   sizeof(sin)) == (ssize_t)len)
			n++;
	}
	t = xt_now() - t0;
	printf("flood sent %ld in %.2f s (%.0f/s)\n", n, t, n / t);
}

static void *acceptor(void *arg)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int ring[64], i = 0, j;

	(void)arg;
	memset(ring, -1, sizeof(ring));
	while (!stop) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (proto)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (ring[i] >= 0)
			close(ring[i]);
		ring[i] = fd;
		i = (i + 1) % 64;
	}
	for (j = 0; j < 64; j++)
		if (ring[j] >= 0)
			close(ring[j]);
	return NULL;
}

static void *sampler(void *arg)
{
	(void)arg;
	while (!stop) {
		struct xtcp_listen_info li;
		socklen_t len = sizeof(li);

		if (!proto && !getsockopt(lfd, SOL_XTCP, XTCP_LISTEN_INFO, &li, &len) &&
		    li.syn_qlen > max_synq)
			max_synq = li.syn_qlen;
		usleep(20000);
	}
	return NULL;
}

static void serve(double secs)
{
	struct sockaddr_in any = { .sin_family = family, .sin_port = htons(port) };
	struct sockaddr_in lo = any;
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	static double lat[100000];
	int n = 0, failed = 0, one = 1;
	pthread_t a, s;
	double t0;

	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(family, SOCK_STREAM, proto);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(lfd, 128))
		xt_fatal("listener");
	xt_log("listening");
	pthread_create(&a, NULL, acceptor, NULL);
	pthread_create(&s, NULL, sampler, NULL);
	t0 = xt_now();
	while (xt_now() - t0 < secs && n < 100000) {
		int fd = socket(family, SOCK_STREAM, proto);
		double c0 = xt_now();

		if (proto)
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (connect(fd, (struct sockaddr *)&lo, sizeof(lo)) == 0)
			lat[n++] = (xt_now() - c0) * 1000;
		else
			failed++;
		close(fd);
		usleep(10000);
	}
	stop = 1;
	pthread_join(a, NULL);
	pthread_join(s, NULL);
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	printf("connects %d failed %d p50 %.2f p99 %.2f max_synq %u\n", n,
	       failed, n ? lat[n / 2] : 0, n ? lat[n * 99 / 100] : 0,
	       max_synq);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 7 && !strcmp(argv[1], "syn")) {
		flood(argv[2], atoi(argv[3]),
		      strcmp(argv[4], "tcp") ? xt_ipproto() : IPPROTO_TCP,
		      atof(argv[5]), atol(argv[6]));
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "serve")) {
		family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
		proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
		port = atoi(argv[3]);
		serve(atof(argv[4]));
		return 0;
	}
	xt_fatal("usage: floodtest syn DEST PORT tcp|xtcp SECONDS MAX | serve tcp|xtcp PORT SECONDS");
}
