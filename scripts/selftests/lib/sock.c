// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp sockets under test. A socket keeps the namespace it was made in,
 * so these make it in @ns and come home at once; the caller then uses it
 * from anywhere. Every wait is a poll() with a bound, never a sleep.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>

#include "xt.h"

/* An xtcp address: the family is the loaded module's, not AF_INET. */
void xt_sock_addr(struct sockaddr_in *sin, uint32_t addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = xt_family();
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = addr;
}

/* An xtcp listener in @ns on @addr:@port; XT_LISTEN_* @flags. */
int xt_sock_listen(int ns, uint32_t addr, uint16_t port, int backlog,
		   unsigned int flags)
{
	int fd, one = 1, type = SOCK_STREAM;
	struct sockaddr_in sin;

	if (flags & XT_LISTEN_NONBLOCK)
		type |= SOCK_NONBLOCK;
	xt_ns_enter(ns);
	fd = socket(xt_family(), type, 0);
	if (fd < 0)
		xt_fatal("socket(%d, SOCK_STREAM) in %s", xt_family(),
			 xt_ns_name(ns));
	xt_sock_addr(&sin, addr, port);
	if (((flags & XT_LISTEN_REUSE) &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one))) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(fd, backlog))
		xt_fatal("bind/listen %s:%u in %s", inet_ntoa(sin.sin_addr),
			 port, xt_ns_name(ns));
	xt_ns_leave();
	return fd;
}

/*
 * A non-blocking connect() in @ns to @raddr:@rport, bound first to
 * @laddr:@lport unless @lport is 0. *@err gets connect()'s errno (0 if
 * it returned 0): EINPROGRESS is the usual answer.
 */
int xt_sock_connect(int ns, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport, int *err)
{
	struct sockaddr_in sin;
	int fd, r;

	xt_ns_enter(ns);
	fd = socket(xt_family(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		xt_fatal("socket in %s", xt_ns_name(ns));
	xt_sock_addr(&sin, laddr, lport);
	if (lport && bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		xt_fatal("bind %s:%u in %s", inet_ntoa(sin.sin_addr), lport,
			 xt_ns_name(ns));
	xt_sock_addr(&sin, raddr, rport);
	r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	*err = r ? errno : 0;
	xt_ns_leave();
	return fd;
}

/*
 * accept() on @lfd within @ms (0: only if one is queued now); the peer's
 * address and port into @addr and @port unless NULL. The poll comes
 * first, so a blocking listener never blocks here. Returns the socket
 * (non-blocking) or -1.
 */
int xt_sock_accept(int lfd, int ms, uint32_t *addr, uint16_t *port)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd;

	if (!(xt_sock_poll(lfd, POLLIN, ms) & POLLIN))
		return -1;
	fd = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
	if (fd >= 0 && addr)
		*addr = peer.sin_addr.s_addr;
	if (fd >= 0 && port)
		*port = ntohs(peer.sin_port);
	return fd;
}

/* SO_ERROR, or -1 if getsockopt() itself fails. */
int xt_sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -1;
	return err;
}

/* Wait up to @ms (0: now) for any of @events on @fd; returns revents. */
short xt_sock_poll(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

/* @fd's own port, or its peer's if @peer; 0 if there is none. */
uint16_t xt_sock_port(int fd, int peer)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int r;

	r = peer ? getpeername(fd, (struct sockaddr *)&sin, &len) :
		   getsockname(fd, (struct sockaddr *)&sin, &len);
	return r ? 0 : ntohs(sin.sin_port);
}

/*
 * Make every xtcp socket this process still holds close abortively
 * (SO_LINGER {1, 0}) when it exits. Programs that play the peer with
 * raw sockets call it last: a graceful close would leave orphans
 * retransmitting FINs to a peer that never answers, for minutes, and
 * they would hold the module long after the program.
 */
void xt_sock_abort_all(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd, dom;
	socklen_t len;

	for (fd = 3; fd < 4096; fd++) {
		len = sizeof(dom);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) == 0 &&
		    dom == xt_family())
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
}
