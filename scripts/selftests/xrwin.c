// SPDX-License-Identifier: GPL-2.0
/*
 * xrwin: the receive window a socket offers and its receive buffer, over
 * xtcp or Linux TCP, for rwin.sh to compare the two stacks.
 *
 *   xrwin server tcp|xtcp PORT [RCVBUF]
 *   xrwin client tcp|xtcp ADDR PORT BYTES [WINDOW_CLAMP]
 *   xrwin rrserver tcp|xtcp PORT
 *   xrwin rrclient tcp|xtcp ADDR PORT COUNT
 *
 * The server (SO_RCVBUF set before listen() if RCVBUF is given) accepts
 * one connection and prints, from TCP_INFO, the window scale it offered
 * (rcv_wscale) and the one the peer's SYN carried (snd_wscale), and
 * SO_RCVBUF as accepted; it then reads until EOF and prints how many
 * bytes came and SO_RCVBUF at the end (auto-tuning grows it). With
 * XRWIN_SLOW=BYTES:MS in its environment it is a slow reader, reading at
 * most BYTES and then sleeping MS ms, and it also prints how many data
 * segments came and how many segments it sent (TCP_INFO), so segments
 * per ACK. The client
 * (TCP_WINDOW_CLAMP set before connect() if given) prints the same
 * TCP_INFO fields, writes BYTES, shuts down its side and waits for EOF.
 * rrclient and rrserver hold a conversation instead (TCP_NODELAY at both
 * ends): the client writes 100 bytes and reads the 100 the server writes
 * back, COUNT times, then closes; each end prints its exchanges and the
 * segments it sent by then (TCP_INFO segs_out), for rwin.sh to check that
 * an answer carries the ACK of what it answers rather than a bare ACK
 * going first. Lines are "key=value" words.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xt.h"

static int family, proto;

static void xrwin_info(const char *who, int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int buf;
	socklen_t blen = sizeof(buf);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		xt_fatal("%s: TCP_INFO", who);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, &blen) < 0)
		xt_fatal("%s: SO_RCVBUF", who);
	printf("%s rcv_wscale=%u snd_wscale=%u wscale_ok=%d rcvbuf_before=%d\n",
	       who, ti.tcpi_rcv_wscale, ti.tcpi_snd_wscale,
	       !!(ti.tcpi_options & TCPI_OPT_WSCALE), buf);
	fflush(stdout);
}

static unsigned long long xrwin_drain(int fd, size_t chunk, int ms)
{
	unsigned long long total = 0;
	static char buf[65536];
	ssize_t n;

	if (!chunk || chunk > sizeof(buf))
		chunk = sizeof(buf);
	while ((n = read(fd, buf, chunk)) > 0) {
		total += n;
		if (ms)
			usleep(ms * 1000);
	}
	if (n < 0)
		xt_fatal("read");
	return total;
}

/*
 * Listen on @port (SO_RCVBUF @rcvbuf set first, if not 0), say so, and
 * accept one connection; the listener goes in *@lfd.
 */
static int xrwin_accept_one(int port, int rcvbuf, int *lfd)
{
	struct sockaddr_in sin = { .sin_family = family,
				   .sin_port = htons(port) };
	int one = 1, fd;

	*lfd = socket(family, SOCK_STREAM, proto);
	if (*lfd < 0)
		xt_fatal("socket");
	setsockopt(*lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf &&
	    setsockopt(*lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		xt_fatal("SO_RCVBUF");
	if (bind(*lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(*lfd, 4))
		xt_fatal("bind/listen");
	printf("listening\n");
	fflush(stdout);
	fd = accept(*lfd, NULL, NULL);
	if (fd < 0)
		xt_fatal("accept");
	return fd;
}

/*
 * A connection to @addr:@port, TCP_WINDOW_CLAMP @clamp (if not 0) and
 * TCP_NODELAY (if @nodelay) set before connect().
 */
static int xrwin_connect(const char *addr, int port, int clamp, bool nodelay)
{
	struct sockaddr_in sin = { .sin_family = family,
				   .sin_port = htons(port) };
	int one = 1, fd;

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		xt_fatal("address %s", addr);
	fd = socket(family, SOCK_STREAM, proto);
	if (fd < 0)
		xt_fatal("socket");
	if (clamp && setsockopt(fd, IPPROTO_TCP, TCP_WINDOW_CLAMP, &clamp,
				sizeof(clamp)))
		xt_fatal("TCP_WINDOW_CLAMP");
	if (nodelay &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		xt_fatal("TCP_NODELAY");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		xt_fatal("connect");
	return fd;
}

static int xrwin_server(int port, int rcvbuf)
{
	const char *slow = getenv("XRWIN_SLOW");
	socklen_t tlen = sizeof(struct tcp_info);
	int lfd, fd, buf, ms = 0;
	socklen_t blen = sizeof(buf);
	unsigned long long got;
	struct tcp_info ti;
	size_t chunk = 0;

	fd = xrwin_accept_one(port, rcvbuf, &lfd);
	xrwin_info("server", fd);
	if (slow && sscanf(slow, "%zu:%d", &chunk, &ms) != 2)
		xt_fatal("XRWIN_SLOW=BYTES:MS");
	got = xrwin_drain(fd, chunk, ms);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, &blen) < 0)
		xt_fatal("SO_RCVBUF");
	printf("server bytes=%llu rcvbuf_after=%d\n", got, buf);
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen) < 0)
		xt_fatal("TCP_INFO");
	printf("server data_segs_in=%u segs_out=%u\n", ti.tcpi_data_segs_in,
	       ti.tcpi_segs_out);
	close(fd);
	close(lfd);
	return 0;
}

static int xrwin_client(const char *addr, int port, unsigned long long bytes,
			int clamp)
{
	static char buf[65536];
	int fd = xrwin_connect(addr, port, clamp, false);

	xrwin_info("client", fd);
	memset(buf, 'x', sizeof(buf));
	while (bytes) {
		size_t n = bytes < sizeof(buf) ? bytes : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w <= 0)
			xt_fatal("write");
		bytes -= w;
	}
	shutdown(fd, SHUT_WR);
	xrwin_drain(fd, 0, 0);
	close(fd);
	return 0;
}

#define XRWIN_RR_SIZE	100

/* Read exactly @n bytes; false at EOF before the first. */
static bool xrwin_read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0)
			xt_fatal("read");
		if (!r) {
			if (got)
				xt_fatal("EOF inside a message");
			return false;
		}
		got += r;
	}
	return true;
}

/* The conversation's socket options, and its counts at the end. */
static void xrwin_rr_report(const char *who, int fd, int exchanges)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		xt_fatal("%s: TCP_INFO", who);
	printf("%s exchanges=%d segs_out=%u\n", who, exchanges,
	       ti.tcpi_segs_out);
	fflush(stdout);
}

static int xrwin_rrserver(int port)
{
	char buf[XRWIN_RR_SIZE];
	int one = 1, lfd, fd, n = 0;

	fd = xrwin_accept_one(port, 0, &lfd);
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		xt_fatal("TCP_NODELAY");
	while (xrwin_read_full(fd, buf, sizeof(buf))) {
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			xt_fatal("write");
		n++;
	}
	/* counted at the client's FIN: our answers and the ACKs among them */
	xrwin_rr_report("rrserver", fd, n);
	close(fd);
	close(lfd);
	return 0;
}

static int xrwin_rrclient(const char *addr, int port, int count)
{
	int fd = xrwin_connect(addr, port, 0, true);
	char buf[XRWIN_RR_SIZE];
	int n;

	memset(buf, 'q', sizeof(buf));
	for (n = 0; n < count; n++) {
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			xt_fatal("write");
		if (!xrwin_read_full(fd, buf, sizeof(buf)))
			xt_fatal("EOF after %d exchanges", n);
	}
	xrwin_rr_report("rrclient", fd, n);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		xt_fatal("usage: xrwin server|client|rrserver|rrclient tcp|xtcp ...");
	family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
	if (!strcmp(argv[1], "rrserver"))
		return xrwin_rrserver(atoi(argv[3]));
	if (!strcmp(argv[1], "rrclient") && argc > 5)
		return xrwin_rrclient(argv[3], atoi(argv[4]), atoi(argv[5]));
	if (!strcmp(argv[1], "server"))
		return xrwin_server(atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 0);
	if (argc < 6)
		xt_fatal("usage: xrwin client tcp|xtcp ADDR PORT BYTES [CLAMP]");
	return xrwin_client(argv[3], atoi(argv[4]), strtoull(argv[5], NULL, 0),
			    argc > 6 ? atoi(argv[6]) : 0);
}
