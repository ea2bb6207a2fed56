// SPDX-License-Identifier: GPL-2.0
/*
 * xdata: bulk data both ways over xtcp or Linux TCP, checked byte for byte.
 *
 *   xdata server tcp|xtcp ADDR PORT [N]   serve N connections (default 1)
 *   xdata client tcp|xtcp ADDR PORT BYTES [N [PARALLEL]]
 *
 * A client connects, sends an 8-byte header (BYTES and a seed) and BYTES
 * of a pseudo-random stream from that seed, and at the same time reads
 * BYTES of the server's answer, a stream from seed + 1. The server checks
 * every byte it reads against the stream and writes its own, so that
 * both directions carry data at once and each side knows exactly what it
 * must receive. Having checked all of it, the server sends one byte more,
 * 'K'; the client closes once it has read the whole answer and the 'K',
 * and the server must then read the end of the connection as EOF (the
 * client's FIN, from either stack) before it closes too.
 *
 * Exit 0 only if every byte matched, on every connection. Prints, per
 * connection, bytes and time, and for Linux TCP sockets the
 * retransmissions TCP_INFO counted (the referee's view of our wire); the
 * server, its tcpi_rcv_mss (the peer's segment size as it estimates it).
 * Environment: XT_NODELAY=1 sets TCP_NODELAY; XT_RCVBUF/XT_SNDBUF set
 * SO_RCVBUF/SO_SNDBUF; XT_READ_DELAY_MS makes the server sleep that long
 * before reading (a slow reader: zero window, persist probes); XT_ONEWAY=1,
 * given to both ends, leaves the server's answer out (only its 'K'), so
 * the server sends nothing but ACKs while the client's data flows.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include "xt.h"

#define XDATA_CHUNK	65536

static int family, proto;

/* XT_ONEWAY: how much the server answers for @bytes from the client */
static uint64_t xdata_answer(uint64_t bytes)
{
	return getenv("XT_ONEWAY") ? 0 : bytes;
}

/* The stream: xorshift64*, one byte at a time from a 64-bit state. */
struct xdata_stream {
	uint64_t s;
	uint64_t word;
	unsigned int left;
};

static void xdata_stream_init(struct xdata_stream *st, uint64_t seed)
{
	st->s = seed * 0x9e3779b97f4a7c15ULL + 1;
	st->left = 0;
}

static void xdata_stream_fill(struct xdata_stream *st, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!st->left) {
			st->s ^= st->s >> 12;
			st->s ^= st->s << 25;
			st->s ^= st->s >> 27;
			st->word = st->s * 2685821657736338717ULL;
			st->left = 8;
		}
		buf[i] = (uint8_t)st->word;
		st->word >>= 8;
		st->left--;
	}
}

static struct sockaddr_in xdata_addr(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = family, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		xt_fatal("bad address %s", ip);
	return sin;
}

static void xdata_opts(int fd)
{
	int one = 1, v;

	if (getenv("XT_NODELAY") &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		xt_fatal("TCP_NODELAY");
	if (getenv("XT_RCVBUF")) {
		v = atoi(getenv("XT_RCVBUF"));
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
			xt_fatal("SO_RCVBUF");
	}
	if (getenv("XT_SNDBUF")) {
		v = atoi(getenv("XT_SNDBUF"));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)))
			xt_fatal("SO_SNDBUF");
	}
}

/* Write @n bytes of @st to @fd. Return 0, or -1 with errno. */
static int xdata_send(int fd, struct xdata_stream *st, uint64_t n)
{
	static __thread uint8_t buf[XDATA_CHUNK];

	while (n) {
		size_t len = n < sizeof(buf) ? n : sizeof(buf), off = 0;

		xdata_stream_fill(st, buf, len);
		while (off < len) {
			ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			off += w;
		}
		n -= len;
	}
	return 0;
}

/*
 * Read @n bytes from @fd and compare them with @st. Return 0, or -1: a
 * read error, an early end, or a byte that differs (reported with its
 * offset).
 */
static int xdata_recv(int fd, struct xdata_stream *st, uint64_t n,
		      const char *who)
{
	static __thread uint8_t buf[XDATA_CHUNK], want[XDATA_CHUNK];
	uint64_t got = 0;

	while (got < n) {
		size_t len = n - got < sizeof(buf) ? n - got : sizeof(buf);
		ssize_t r = recv(fd, buf, len, 0), i;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			xt_log("%s: %s after %llu of %llu bytes", who,
			       r ? strerror(errno) : "end of stream",
			       (unsigned long long)got, (unsigned long long)n);
			return -1;
		}
		xdata_stream_fill(st, want, r);
		for (i = 0; i < r; i++) {
			if (buf[i] != want[i]) {
				xt_log("%s: byte %llu is %#x, want %#x", who,
				       (unsigned long long)(got + i), buf[i],
				       want[i]);
				return -1;
			}
		}
		got += r;
	}
	return 0;
}

/* Linux TCP's retransmission count on @fd, or -1 for an xtcp socket. */
static long xdata_retrans(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (family != AF_INET || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -1;
	return ti.tcpi_total_retrans;
}

/* The peer's MSS as @fd's stack estimates it (TCP_INFO, both stacks). */
static unsigned int xdata_rcv_mss(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return 0;
	return ti.tcpi_rcv_mss;
}

static int xdata_serve(int c)
{
	struct xdata_stream in, out;
	uint64_t hdr[2];
	const char *delay = getenv("XT_READ_DELAY_MS");
	char end;
	int err = 0;

	xdata_opts(c);
	if (delay)
		usleep(atoi(delay) * 1000);
	if (recv(c, hdr, sizeof(hdr), MSG_WAITALL) != sizeof(hdr)) {
		xt_log("server: no header: %s", strerror(errno));
		return -1;
	}
	xdata_stream_init(&in, hdr[1]);
	xdata_stream_init(&out, hdr[1] + 1);
	/* write and read in turns: the client reads while it writes */
	{
		uint64_t left_in = hdr[0], left_out = xdata_answer(hdr[0]);

		while (left_in || left_out) {
			uint64_t step = 262144;

			if (left_out) {
				uint64_t n = left_out < step ? left_out : step;

				if (xdata_send(c, &out, n)) {
					xt_log("server: send: %s", strerror(errno));
					return -1;
				}
				left_out -= n;
			}
			if (left_in) {
				uint64_t n = left_in < step ? left_in : step;

				if (xdata_recv(c, &in, n, "server"))
					return -1;
				left_in -= n;
			}
		}
	}
	/* all read and checked: say so; the client closes on it */
	if (send(c, "K", 1, MSG_NOSIGNAL) != 1) {
		xt_log("server: send: %s", strerror(errno));
		return -1;
	}
	xt_log("server: %llu bytes in and out, verified; retrans %ld rcv_mss %u",
	       (unsigned long long)hdr[0], xdata_retrans(c), xdata_rcv_mss(c));
	/*
	 * The client's close must read as the end of the stream: EOF,
	 * nothing more and no reset, within 60 s (a graceful close from
	 * either stack, seen by the other).
	 */
	{
		struct pollfd p = { .fd = c, .events = POLLIN };
		ssize_t n = -1;

		errno = ETIMEDOUT;
		if (poll(&p, 1, 60000) == 1)
			n = recv(c, &end, 1, MSG_DONTWAIT);
		if (n != 0) {
			xt_log("server: the client's close did not read as EOF: %s",
			       n > 0 ? "more data" : strerror(errno));
			err = -1;
		}
	}
	return err;
}

struct xdata_sender {
	int fd;
	uint64_t bytes;
	uint64_t seed;
	int err;
};

static void *xdata_sender_main(void *arg)
{
	struct xdata_sender *s = arg;
	struct xdata_stream st;
	uint64_t hdr[2] = { s->bytes, s->seed };

	xdata_stream_init(&st, s->seed);
	if (send(s->fd, hdr, sizeof(hdr), MSG_NOSIGNAL) != sizeof(hdr) ||
	    xdata_send(s->fd, &st, s->bytes)) {
		xt_log("client: send: %s", strerror(errno));
		s->err = -1;
	}
	return NULL;
}

static int xdata_client_one(struct sockaddr_in *sin, uint64_t bytes,
			    uint64_t seed)
{
	struct xdata_sender snd = { .bytes = bytes, .seed = seed };
	struct xdata_stream in;
	double t0 = xt_now();
	pthread_t th;
	int fd, err;

	fd = socket(family, SOCK_STREAM, proto);
	if (fd < 0)
		xt_fatal("socket");
	xdata_opts(fd);
	if (connect(fd, (struct sockaddr *)sin, sizeof(*sin))) {
		xt_log("client: connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	snd.fd = fd;
	if (pthread_create(&th, NULL, xdata_sender_main, &snd))
		xt_fatal("pthread_create");
	xdata_stream_init(&in, seed + 1);
	err = xdata_recv(fd, &in, xdata_answer(bytes), "client");
	pthread_join(th, NULL);
	if (!err) {
		char k = 0;

		/* the server's word that it has every byte */
		if (recv(fd, &k, 1, MSG_WAITALL) != 1 || k != 'K') {
			xt_log("client: no confirmation from the server: %s",
			       strerror(errno));
			err = -1;
		}
	}
	if (!err && !snd.err)
		xt_log("client: %llu bytes in and out, verified, %.3f s; retrans %ld",
		       (unsigned long long)bytes, xt_now() - t0,
		       xdata_retrans(fd));
	close(fd);
	return err || snd.err ? -1 : 0;
}

struct xdata_job {
	struct sockaddr_in sin;
	uint64_t bytes;
	int first, count, err;
};

static void *xdata_client_main(void *arg)
{
	struct xdata_job *j = arg;
	int i;

	for (i = j->first; i < j->first + j->count; i++)
		if (xdata_client_one(&j->sin, j->bytes, 1000 + i))
			j->err = -1;
	return NULL;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin;
	int fd, c, i, n, par, one = 1, failed = 0;

	if (argc < 5)
		xt_fatal("usage: xdata server|client tcp|xtcp ADDR PORT ...");
	family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
	sin = xdata_addr(argv[3], atoi(argv[4]));

	if (!strcmp(argv[1], "server")) {
		n = argc > 5 ? atoi(argv[5]) : 1;
		fd = socket(family, SOCK_STREAM, proto);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		xdata_opts(fd);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 64))
			xt_fatal("%s listener", argv[2]);
		xt_log("listening");
		for (i = 0; i < n; i++) {
			c = accept(fd, NULL, NULL);
			if (c < 0)
				xt_fatal("accept");
			if (xdata_serve(c))
				failed++;
			close(c);
		}
		xt_log("server: %d of %d connections failed", failed, n);
		return failed ? 1 : 0;
	}
	if (argc < 6)
		xt_fatal("usage: xdata client tcp|xtcp ADDR PORT BYTES [N [PAR]]");
	n = argc > 6 ? atoi(argv[6]) : 1;
	par = argc > 7 ? atoi(argv[7]) : 1;
	{
		struct xdata_job jobs[64];
		pthread_t th[64];

		if (par < 1 || par > 64 || n % par)
			xt_fatal("PARALLEL must be 1..64 and divide N");
		for (i = 0; i < par; i++) {
			jobs[i] = (struct xdata_job){
				.sin = sin, .bytes = strtoull(argv[5], NULL, 0),
				.first = i * (n / par), .count = n / par,
			};
			if (pthread_create(&th[i], NULL, xdata_client_main, &jobs[i]))
				xt_fatal("pthread_create");
		}
		for (i = 0; i < par; i++) {
			pthread_join(th[i], NULL);
			failed |= jobs[i].err;
		}
	}
	return failed ? 1 : 0;
}
