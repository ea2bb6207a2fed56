// SPDX-License-Identifier: GPL-2.0
/*
 * tfo: the ends of a Fast Open test (tfo.sh), on xtcp or Linux TCP.
 *
 *   tfo listen xtcp|tcp PORT QLEN N
 *	listen with TCP_FASTOPEN = QLEN; for each of N connections print
 *	"accepted state=S early=B" (TCP_INFO state and the bytes readable
 *	at accept(), before anything else is awaited), read "hello",
 *	answer "world", close
 *   tfo client xtcp|tcp ADDR PORT N [par|fc]
 *	N connections, each sendto(MSG_FASTOPEN) "hello" and read "world";
 *	"par": all N started before any reply is read; "fc": each with
 *	TCP_FASTOPEN_CONNECT, connect() then write(). Prints
 *	"conn I: syn_data_acked=A reply=R" (TCPI_OPT_SYN_DATA)
 *   tfo errno [xtcp|tcp]
 *	the Fast Open options' and MSG_FASTOPEN's errnos; the client's
 *	alike on both stacks (run it for each in one boot to compare)
 *   tfo ttfb-serve xtcp|tcp PORT N
 *	for the benchmark (scripts/bench/tfo_bench.sh): N connections, each
 *	reads a 100-byte request, answers 100 bytes and closes
 *   tfo ttfb xtcp|tcp ADDR PORT N fo|plain
 *	N connections one after another, each connect + 100-byte request
 *	(sendto(MSG_FASTOPEN), or connect() and write()) until the first
 *	byte of the answer: prints "ttfb_us median=M min=m"
 *   tfo key get|rotate|new
 *	the namespace's TCP_FASTOPEN_KEY (on an xtcp socket): print it;
 *	a fresh primary with the old one as backup; a fresh primary alone
 *   tfo answer xtcp|tcp PORT SIZE N
 *	a Fast Open listener (qlen 8) for N connections: each reads the
 *	5-byte request, writes SIZE bytes at once and prints "answered I:
 *	state=S data_segs=D hash=H" (TCP_INFO just after the first 4 kB:
 *	state 3, SYN_RECV, with data segments out means the answer left
 *	before the final ACK came), then closes (a FIN behind the answer)
 *   tfo ask xtcp|tcp ADDR PORT N
 *	N connections one after another, each sendto(MSG_FASTOPEN)
 *	"hello" and reads to EOF: "asked I: got=B hash=H syn_data_acked=A
 *	ms=T" (T: until the first answer byte, for the log)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

#include "xt.h"

#ifndef TCPI_OPT_SYN_DATA
#define TCPI_OPT_SYN_DATA	32
#endif

static int tfo_family(const char *stack)
{
	return strcmp(stack, "xtcp") ? AF_INET : xt_family();
}

static struct sockaddr_in tfo_addr(int family, const char *addr, int port)
{
	struct sockaddr_in sin = {
		.sin_family = family,
		.sin_port = htons(port),
	};

	sin.sin_addr.s_addr = inet_addr(addr);
	return sin;
}

static int tfo_state(int fd, unsigned char *options)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	if (options)
		*options = ti.tcpi_options;
	return ti.tcpi_state;
}

/* Read exactly @len bytes, with a receive timeout. */
static int tfo_read(int fd, char *buf, int len)
{
	struct timeval tv = { .tv_sec = 10 };
	int got = 0, n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (!n)
			errno = ENODATA;	/* EOF */
		if (n <= 0)
			return -1;
		got += n;
	}
	return got;
}

static int tfo_listen(const char *stack, int port, int qlen, int n)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, "0.0.0.0", port);
	int lfd, fd, one = 1, early, state, i;
	char buf[8];

	lfd = socket(family, SOCK_STREAM, 0);
	if (lfd < 0)
		xt_fatal("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)))
		xt_fatal("TCP_FASTOPEN: %s", strerror(errno));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 16))
		xt_fatal("bind/listen: %s", strerror(errno));
	xt_log("listening");
	for (i = 0; i < n; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			xt_fatal("accept: %s", strerror(errno));
		/* what the SYN brought, before the final ACK can come */
		early = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		state = tfo_state(fd, NULL);
		xt_log("accepted state=%d early=%d", state, early < 0 ? 0 : early);
		if (tfo_read(fd, buf, 5) != 5 || memcmp(buf, "hello", 5))
			xt_log("bad request: %s", strerror(errno));
		else if (write(fd, "world", 5) != 5)
			xt_log("write: %s", strerror(errno));
		close(fd);
	}
	close(lfd);
	return 0;
}

/*
 * TCP_FASTOPEN_CONNECT: connect() returns at once when the SYN can carry
 * data (a cookie known); the write sends the SYN.
 */
static int tfo_start_fc(int family, const struct sockaddr_in *sin)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &one,
				 sizeof(one)))
		xt_fatal("TCP_FASTOPEN_CONNECT: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)) ||
	    write(fd, "hello", 5) != 5)
		xt_fatal("connect/write: %s", strerror(errno));
	return fd;
}

/* Start a Fast Open connection: the request goes in the SYN if it can. */
static int tfo_start(int family, const struct sockaddr_in *sin, bool nonblock)
{
	int fd = socket(family, SOCK_STREAM, 0);

	if (fd < 0)
		xt_fatal("socket: %s", strerror(errno));
	if (nonblock)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	if (sendto(fd, "hello", 5, MSG_FASTOPEN, (const struct sockaddr *)sin,
		   sizeof(*sin)) == 5)
		return fd;
	if (errno != EINPROGRESS)
		xt_fatal("sendto(MSG_FASTOPEN): %s", strerror(errno));
	/* no cookie yet, non-blocking: the request follows the handshake */
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	if (poll(&p, 1, 10000) != 1 || write(fd, "hello", 5) != 5)
		xt_fatal("write after connect: %s", strerror(errno));
	return fd;
}

static void tfo_finish(int fd, int i)
{
	unsigned char options = 0;
	char buf[8] = {};
	int flags = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	if (tfo_read(fd, buf, 5) != 5)
		strcpy(buf, "none");
	tfo_state(fd, &options);
	xt_log("conn %d: syn_data_acked=%d reply=%s", i,
	       !!(options & TCPI_OPT_SYN_DATA), buf);
	close(fd);
}

static int tfo_client(const char *stack, const char *addr, int port, int n,
		      const char *how)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, addr, port);
	bool par = !strcmp(how, "par");
	int fds[16], i;

	if (n > (int)ARRAY_SIZE(fds))
		n = ARRAY_SIZE(fds);
	for (i = 0; i < n; i++) {
		fds[i] = strcmp(how, "fc") ? tfo_start(family, &sin, par) :
					     tfo_start_fc(family, &sin);
		if (!par)
			tfo_finish(fds[i], i);
	}
	for (i = 0; par && i < n; i++)
		tfo_finish(fds[i], i);
	return 0;
}

/* Read @len bytes, however they come. */
static int tfo_read_all(int fd, char *buf, int len)
{
	int got = 0, n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += n;
	}
	return got;
}

static int tfo_ttfb_serve(const char *stack, int port, int n)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, "0.0.0.0", port);
	int lfd = socket(family, SOCK_STREAM, 0), fd, qlen = 16, one = 1, i;
	char buf[100];

	if (lfd < 0)
		xt_fatal("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 64))
		xt_fatal("bind/listen: %s", strerror(errno));
	xt_log("listening");
	memset(buf, 'r', sizeof(buf));
	for (i = 0; i < n; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			xt_fatal("accept: %s", strerror(errno));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (tfo_read_all(fd, buf, sizeof(buf)) < 0 ||
		    write(fd, buf, sizeof(buf)) != sizeof(buf))
			xt_log("conn %d: %s", i, strerror(errno));
		close(fd);
	}
	close(lfd);
	return 0;
}

/* FNV-1a, 64 bits: the answer's check. */
static unsigned long long tfo_hash(const unsigned char *p, size_t len)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int tfo_answer(const char *stack, int port, int size, int n)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, "0.0.0.0", port);
	int lfd = socket(family, SOCK_STREAM, 0), fd, qlen = 8, one = 1, i;
	unsigned char *buf = malloc(size + 1);
	unsigned int seed = 12345;
	struct tcp_info ti;
	socklen_t len;
	char req[8];
	int w, off;

	if (lfd < 0 || !buf)
		xt_fatal("socket: %s", strerror(errno));
	for (i = 0; i < size; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = seed >> 16;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)))
		xt_fatal("TCP_FASTOPEN: %s", strerror(errno));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 16))
		xt_fatal("bind/listen: %s", strerror(errno));
	xt_log("listening");
	for (i = 0; i < n; i++) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			xt_fatal("accept: %s", strerror(errno));
		if (tfo_read(fd, req, 5) != 5 || memcmp(req, "hello", 5)) {
			xt_log("bad request: %s", strerror(errno));
			close(fd);
			continue;
		}
		/*
		 * TCP_INFO right after a first 4 kB, which never waits for
		 * buffer space: the rest may wait for ACKs, after which the
		 * state says nothing of when the answer began.
		 */
		memset(&ti, 0, sizeof(ti));
		for (off = 0; off < size; off += w) {
			w = write(fd, buf + off,
				  off ? size - off : (size < 4096 ? size : 4096));
			if (w <= 0) {
				xt_log("write: %s", strerror(errno));
				break;
			}
			if (!off) {
				len = sizeof(ti);
				getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
			}
		}
		xt_log("answered %d: state=%d data_segs=%u hash=%016llx", i,
		       ti.tcpi_state, ti.tcpi_data_segs_out,
		       tfo_hash(buf, size));
		close(fd);
	}
	close(lfd);
	free(buf);
	return 0;
}

static int tfo_ask(const char *stack, const char *addr, int port, int n)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, addr, port);
	struct timeval tv = { .tv_sec = 30 };
	unsigned char *buf = malloc(1 << 20);
	unsigned char options;
	double t0, first;
	int fd, i, r, got;

	if (!buf)
		xt_fatal("malloc");
	for (i = 0; i < n; i++) {
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0)
			xt_fatal("socket: %s", strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		t0 = xt_now();
		first = 0;
		if (sendto(fd, "hello", 5, MSG_FASTOPEN,
			   (const struct sockaddr *)&sin, sizeof(sin)) != 5)
			xt_fatal("sendto(MSG_FASTOPEN): %s", strerror(errno));
		got = 0;
		while (got < (1 << 20)) {
			r = read(fd, buf + got, (1 << 20) - got);
			if (r <= 0)
				break;
			if (!got)
				first = xt_now();
			got += r;
		}
		if (r < 0)
			xt_log("read: %s", strerror(errno));
		options = 0;
		tfo_state(fd, &options);
		xt_log("asked %d: got=%d hash=%016llx syn_data_acked=%d ms=%.0f",
		       i, got, tfo_hash(buf, got),
		       !!(options & TCPI_OPT_SYN_DATA),
		       first ? (first - t0) * 1e3 : -1.0);
		close(fd);
	}
	free(buf);
	return 0;
}

static int tfo_cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int tfo_ttfb(const char *stack, const char *addr, int port, int n,
		    bool fo)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, addr, port);
	char req[100], c;
	long us[64];
	int fd, i, one = 1;
	double t0;

	if (n > (int)ARRAY_SIZE(us))
		n = ARRAY_SIZE(us);
	memset(req, 'q', sizeof(req));
	for (i = 0; i < n; i++) {
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0)
			xt_fatal("socket: %s", strerror(errno));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		t0 = xt_now();
		if (fo) {
			if (sendto(fd, req, sizeof(req), MSG_FASTOPEN,
				   (struct sockaddr *)&sin, sizeof(sin)) !=
			    sizeof(req))
				xt_fatal("sendto: %s", strerror(errno));
		} else if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
			   write(fd, req, sizeof(req)) != sizeof(req)) {
			xt_fatal("connect/write: %s", strerror(errno));
		}
		if (read(fd, &c, 1) != 1)
			xt_fatal("read: %s", strerror(errno));
		us[i] = (long)((xt_now() - t0) * 1e6);
		close(fd);
		usleep(10000);
	}
	qsort(us, n, sizeof(us[0]), tfo_cmp_long);
	printf("ttfb_us median=%ld min=%ld\n", us[n / 2], us[0]);
	return 0;
}

static void tfo_print_key(const unsigned char *key, int len)
{
	int i;

	printf("key");
	for (i = 0; i < len; i++)
		printf("%s%02x", i % 16 ? "" : " ", key[i]);
	printf("\n");
	fflush(stdout);
}

static int tfo_key(const char *what)
{
	unsigned char key[32];
	socklen_t len = sizeof(key);
	int fd = socket(xt_family(), SOCK_STREAM, 0), i;

	if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, &len))
		xt_fatal("TCP_FASTOPEN_KEY: %s", strerror(errno));
	if (!strcmp(what, "get")) {
		tfo_print_key(key, len);
		return 0;
	}
	/* the old primary becomes the backup */
	memmove(key + 16, key, 16);
	srand(getpid() ^ time(NULL));
	for (i = 0; i < 16; i++)
		key[i] = rand();
	len = strcmp(what, "rotate") ? 16 : 32;
	if (setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, len))
		xt_fatal("set TCP_FASTOPEN_KEY: %s", strerror(errno));
	tfo_print_key(key, len);
	return 0;
}

static void tfo_set_mode(const char *stack, int mode)
{
	const char *path = strcmp(stack, "xtcp") ?
			   "/proc/sys/net/ipv4/tcp_fastopen" :
			   "/proc/sys/net/xtcp/fastopen";
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%d\n", mode) < 0 || fclose(f))
		xt_fatal("%s: %s", path, strerror(errno));
}

/*
 * The client's errnos, to a port where nobody listens, the same on both
 * stacks: with the client bit off; MSG_FASTOPEN without an address,
 * blocking (the handshake's error), non-blocking (EINPROGRESS: no
 * cookie, nothing in the SYN) and again while it connects; a deferred
 * connect under the no-cookie mode, whose write puts its byte in the SYN
 * and gets the refusal (which consumes the error: the next write meets a
 * closed socket).
 */
static char tfo_what_buf[128];
#define W(what) (snprintf(tfo_what_buf, sizeof(tfo_what_buf), "%s: %s", \
			  stack, (what)), tfo_what_buf)

static void tfo_errno_client(const char *stack)
{
	int family = tfo_family(stack);
	struct sockaddr_in sin = tfo_addr(family, "127.0.0.1", 9);
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	struct pollfd p = { .events = POLLOUT };
	int fd, v;

	tfo_set_mode(stack, 0);
	fd = socket(family, SOCK_STREAM, 0);
	xt_check_errno(sendto(fd, "x", 1, MSG_FASTOPEN,
			      (struct sockaddr *)&sin, sizeof(sin)),
		       EOPNOTSUPP, W("sendto(MSG_FASTOPEN), client bit off"));
	v = 1;
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v,
				  sizeof(v)), EOPNOTSUPP,
		       W("TCP_FASTOPEN_CONNECT 1, client bit off"));
	close(fd);

	tfo_set_mode(stack, 1);
	fd = socket(family, SOCK_STREAM, 0);
	xt_check_errno(send(fd, "x", 1, MSG_FASTOPEN), EINVAL,
		       W("send(MSG_FASTOPEN) without an address"));
	xt_check_errno(sendto(fd, "x", 1, MSG_FASTOPEN,
			      (struct sockaddr *)&sin, sizeof(sin)),
		       ECONNREFUSED, W("sendto(MSG_FASTOPEN), blocking"));
	close(fd);
	fd = socket(family, SOCK_STREAM, 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	xt_check_errno(sendto(fd, "x", 1, MSG_FASTOPEN | MSG_DONTWAIT,
			      (struct sockaddr *)&sin, sizeof(sin)),
		       EINPROGRESS, W("... non-blocking, no cookie"));
	close(fd);
	fd = socket(family, SOCK_STREAM, 0);
	v = 1;
	xt_check(!listen(fd, 1), "%s", W("listen()"));
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v,
				  sizeof(v)), EINVAL,
		       W("TCP_FASTOPEN_CONNECT on a listener"));
	close(fd);

	fd = socket(family, SOCK_STREAM, 0);
	xt_check(!setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v,
			     sizeof(v)), "%s", W("TCP_FASTOPEN_CONNECT 1"));
	len = sizeof(v);
	v = 0;
	xt_check(!getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v, &len) &&
		 v == 1, "%s", W("... reads back 1"));
	tfo_set_mode(stack, 5);
	xt_check(!connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		 "%s", W("no-cookie mode: connect() returns 0 at once"));
	len = sizeof(peer);
	xt_check_errno(getpeername(fd, (struct sockaddr *)&peer, &len),
		       ENOTCONN, W("... not connected yet"));
	/* non-blocking: Linux's blocking connect() would wait forever */
	fcntl(fd, F_SETFL, O_NONBLOCK);
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EISCONN, W("... connect() again, non-blocking"));
	fcntl(fd, F_SETFL, 0);
	p.fd = fd;
	xt_check(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
		 "%s", W("... writable"));
	xt_check_errno(write(fd, "x", 1), ECONNREFUSED,
		       W("... the write's SYN (with its byte) refused"));
	xt_check_errno(send(fd, "x", 1, MSG_NOSIGNAL), EPIPE,
		       W("... then a closed socket"));
	close(fd);
	tfo_set_mode(stack, 1);
}

/* The options' and MSG_FASTOPEN's errnos. */
static int tfo_errno(const char *stack)
{
	unsigned char key[32], back[40];
	socklen_t len = sizeof(back);
	int fd, v, i;

	tfo_errno_client(stack);
	if (strcmp(stack, "xtcp"))
		return xt_done();
	fd = socket(xt_family(), SOCK_STREAM, 0);
	if (fd < 0)
		xt_fatal("socket: %s", strerror(errno));
	v = 2;
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &v,
				  sizeof(v)), EINVAL, "TCP_FASTOPEN_CONNECT 2");
	v = -1;
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &v,
				  sizeof(v)), EINVAL, "TCP_FASTOPEN -1");
	v = 1 << 30;
	xt_check(!setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &v, sizeof(v)),
		 "TCP_FASTOPEN 2^30 accepted");
	len = sizeof(v);
	getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &v, &len);
	xt_check(v == xt_read_long("/proc/sys/net/core/somaxconn", -1),
		 "... and capped at somaxconn: %d", v);
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, 8),
		       EINVAL, "TCP_FASTOPEN_KEY of 8 bytes");
	xt_check_errno(setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, 33),
		       EINVAL, "TCP_FASTOPEN_KEY of 33 bytes");
	for (i = 0; i < 32; i++)
		key[i] = i * 7;
	xt_check(!setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, 32),
		 "TCP_FASTOPEN_KEY primary and backup");
	len = sizeof(back);
	xt_check(!getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, back, &len) &&
		 len == 32 && !memcmp(key, back, 32), "... read back, 32 bytes");
	xt_check(!setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, key, 16),
		 "TCP_FASTOPEN_KEY primary only");
	len = sizeof(back);
	xt_check(!getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, back, &len) &&
		 len == 16 && !memcmp(key, back, 16), "... read back, 16 bytes");
	len = 4;
	xt_check(!getsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_KEY, back, &len) &&
		 len == 4, "... a short read gets what fits");
	xt_check(xt_read_long("/proc/sys/net/xtcp/fastopen", -1) == 1,
		 "net.xtcp.fastopen defaults to 1, as tcp_fastopen");
	close(fd);
	return xt_done();
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "errno"))
		return tfo_errno(argc > 2 ? argv[2] : "xtcp");
	if (argc >= 6 && !strcmp(argv[1], "listen"))
		return tfo_listen(argv[2], atoi(argv[3]), atoi(argv[4]),
				  atoi(argv[5]));
	if (argc >= 6 && !strcmp(argv[1], "client"))
		return tfo_client(argv[2], argv[3], atoi(argv[4]),
				  atoi(argv[5]), argc > 6 ? argv[6] : "");
	if (argc >= 5 && !strcmp(argv[1], "ttfb-serve"))
		return tfo_ttfb_serve(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 7 && !strcmp(argv[1], "ttfb"))
		return tfo_ttfb(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]),
				!strcmp(argv[6], "fo"));
	if (argc >= 3 && !strcmp(argv[1], "key"))
		return tfo_key(argv[2]);
	if (argc >= 6 && !strcmp(argv[1], "answer"))
		return tfo_answer(argv[2], atoi(argv[3]), atoi(argv[4]),
				  atoi(argv[5]));
	if (argc >= 6 && !strcmp(argv[1], "ask"))
		return tfo_ask(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: tfo listen|client|key ...\n");
	return 2;
}
