// SPDX-License-Identifier: GPL-2.0
/*
 * peer tcp|xtcp listen ADDR PORT [N]    accept N connections (default 1),
 *                                        print each peer, exit 0
 * peer tcp|xtcp connect ADDR PORT [N]   connect N times, print each
 *                                        local address, exit 0
 *
 * One side of an interop test: Linux TCP on one end, xtcp on the other.
 * Each connection is held until the other side is done with it (the
 * listener waits for the peer to close), so that neither sees a reset
 * before its own checks. $XT_HOLD_MS holds every connection that long
 * more (for showing them in /proc/net/xtcp or ss).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "xt.h"

static int family, proto;

static struct sockaddr_in mkaddr(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = family, .sin_port = htons(port) };

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1)
		xt_fatal("bad address %s", ip);
	return sin;
}

static void show(const char *what, const struct sockaddr_in *sin)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
	xt_log("%s %s:%d (family %d)", what, buf, ntohs(sin->sin_port),
	       sin->sin_family);
}

/* What Linux TCP negotiated with the other end, from TCP_INFO. */
static void show_tcp_info(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (family != AF_INET || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return;
	xt_log("tcp_info:%s%s%s snd_wscale %u rcv_wscale %u snd_mss %u",
	       ti.tcpi_options & TCPI_OPT_TIMESTAMPS ? " ts" : "",
	       ti.tcpi_options & TCPI_OPT_SACK ? " sack" : "",
	       ti.tcpi_options & TCPI_OPT_WSCALE ? " wscale" : "",
	       ti.tcpi_snd_wscale, ti.tcpi_rcv_wscale, ti.tcpi_snd_mss);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin, other;
	socklen_t len = sizeof(other);
	int fd, c, i, n, one = 1, hold_ms;

	if (argc < 5)
		xt_fatal("usage: peer tcp|xtcp listen|connect ADDR PORT [N]");
	family = strcmp(argv[1], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[1], "tcp") ? 0 : IPPROTO_TCP;
	n = argc > 5 ? atoi(argv[5]) : 1;
	hold_ms = getenv("XT_HOLD_MS") ? atoi(getenv("XT_HOLD_MS")) : 0;
	sin = mkaddr(argv[3], atoi(argv[4]));

	if (!strcmp(argv[2], "listen")) {
		fd = socket(family, SOCK_STREAM, proto);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fd, 16))
			xt_fatal("%s listener", argv[1]);
		xt_log("listening");
		for (i = 0; i < n; i++) {
			struct pollfd p;

			len = sizeof(other);
			c = accept(fd, (struct sockaddr *)&other, &len);
			if (c < 0)
				xt_fatal("accept");
			show("accepted", &other);
			show_tcp_info(c);
			usleep(hold_ms * 1000);
			/*
			 * Wait for the peer's close, at most 5 s; xtcp sees no
			 * FIN yet (no data path), so it holds the connection
			 * 300 ms, long enough for the client's connect().
			 */
			p = (struct pollfd){ .fd = c, .events = POLLIN };
			poll(&p, 1, proto ? 5000 : 300);
			close(c);
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		fd = socket(family, SOCK_STREAM, proto);
		if (fd < 0)
			xt_fatal("socket");
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			xt_fatal("%s connect", argv[1]);
		len = sizeof(other);
		getsockname(fd, (struct sockaddr *)&other, &len);
		show("connected from", &other);
		show_tcp_info(fd);
		usleep(hold_ms * 1000);
		/*
		 * xtcp's close() is a RST until the data path exists; give the
		 * final ACK time to arrive first, as a FIN would have.
		 */
		if (!proto)
			usleep(300000);
		close(fd);
	}
	return 0;
}
