// SPDX-License-Identifier: GPL-2.0
/*
 * socket(AF_XTCP, ...) and the calls on a fresh socket: what succeeds, and
 * the errno of everything that must fail, as TCP would give it (or
 * EOPNOTSUPP for calls the handshake work has not implemented yet).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/socket.h>

#include "xt.h"

static void socket_api_unconnected_io(void);

static void check_socket_types(int af, int proto)
{
	static const struct { int type; const char *name; } bad_types[] = {
		{ SOCK_DGRAM, "SOCK_DGRAM" }, { SOCK_RAW, "SOCK_RAW" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET" }, { SOCK_RDM, "SOCK_RDM" },
	};
	static const int bad_protos[] = { IPPROTO_TCP, IPPROTO_UDP, 1, 252, 255 };
	char what[96];
	unsigned int i;
	int fd;

	fd = socket(af, SOCK_STREAM, 0);
	xt_check(fd >= 0, "socket(AF_XTCP=%d, SOCK_STREAM, 0) = %d", af, fd);
	close(fd);
	fd = socket(af, SOCK_STREAM, proto);
	xt_check(fd >= 0, "socket(AF_XTCP, SOCK_STREAM, %d) = %d", proto, fd);
	close(fd);

	fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	xt_check(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) &&
		 (fcntl(fd, F_GETFD) & FD_CLOEXEC),
		 "SOCK_NONBLOCK|SOCK_CLOEXEC honoured");
	close(fd);

	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		snprintf(what, sizeof(what), "socket(AF_XTCP, %s, 0)",
			 bad_types[i].name);
		xt_check_errno(socket(af, bad_types[i].type, 0),
			       ESOCKTNOSUPPORT, what);
	}
	for (i = 0; i < sizeof(bad_protos) / sizeof(bad_protos[0]); i++) {
		if (bad_protos[i] == proto)
			continue;
		snprintf(what, sizeof(what), "socket(AF_XTCP, SOCK_STREAM, %d)",
			 bad_protos[i]);
		xt_check_errno(socket(af, SOCK_STREAM, bad_protos[i]),
			       EPROTONOSUPPORT, what);
	}
}

static void check_fresh_socket(int af, int proto)
{
	struct sockaddr_in sin = { .sin_family = af, .sin_port = htons(5000) };
	socklen_t len = sizeof(sin);
	struct pollfd pfd;
	int fd, v, fds[2];
	char buf[4] = "abc";

	fd = socket(af, SOCK_STREAM, 0);
	if (fd < 0)
		xt_fatal("socket");

	len = sizeof(v);
	xt_check(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == af,
		 "SO_DOMAIN is AF_XTCP (%d)", v);
	xt_check(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 &&
		 v == SOCK_STREAM, "SO_TYPE is SOCK_STREAM (%d)", v);
	xt_check(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 &&
		 v == proto, "SO_PROTOCOL is %d (%d)", proto, v);
	v = 1;
	xt_check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) == 0,
		 "SOL_SOCKET options work (SO_REUSEADDR)");
	xt_check_errno(setsockopt(fd, SOL_XTCP, 9999, &v, sizeof(v)), ENOPROTOOPT,
		       "setsockopt(SOL_XTCP, unknown)");
	len = sizeof(v);
	xt_check_errno(getsockopt(fd, SOL_XTCP, 9999, &v, &len), ENOPROTOOPT,
		       "getsockopt(SOL_XTCP, unknown)");

	pfd.fd = fd;
	pfd.events = POLLIN | POLLOUT;
	xt_check(poll(&pfd, 1, 0) == 1 && pfd.revents == (POLLOUT | POLLHUP),
		 "poll on a fresh socket: POLLOUT|POLLHUP, as TCP (revents 0x%x)",
		 pfd.revents);

	/* An unbound, unconnected socket, as TCP reports it. */
	memset(&sin, 0xff, sizeof(sin));
	len = sizeof(sin);
	xt_check(getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
		 len == sizeof(sin) && sin.sin_family == af &&
		 sin.sin_port == 0 && sin.sin_addr.s_addr == 0,
		 "getsockname: family %d, 0.0.0.0:0", sin.sin_family);
	len = sizeof(sin);
	xt_check_errno(getpeername(fd, (struct sockaddr *)&sin, &len), ENOTCONN,
		       "getpeername on an unconnected socket");
	xt_check_errno(shutdown(fd, SHUT_RDWR), ENOTCONN,
		       "shutdown on an unconnected socket");
	xt_check_errno(shutdown(fd, 7), EINVAL, "shutdown(how=7)");

	/* after shutdown(RDWR), as tcp_poll(): readable (EOF), writable (to
	 * meet the error), hung up
	 */
	xt_check(poll(&pfd, 1, 0) == 1 &&
		 pfd.revents == (POLLIN | POLLOUT | POLLHUP),
		 "poll after shutdown: POLLIN|POLLOUT|POLLHUP, as TCP (revents 0x%x)",
		 pfd.revents);

	xt_check_errno(ioctl(fd, TCGETS, 0), ENOTTY, "ioctl that is not for sockets (TCGETS)");

	/* Bad arguments get TCP's errno. */
	sin.sin_family = af;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	xt_check_errno(bind(fd, (struct sockaddr *)&sin, sizeof(sin) - 1),
		       EINVAL, "bind with a short address");
	sin.sin_family = AF_INET6;
	xt_check_errno(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EAFNOSUPPORT, "bind with family AF_INET6");
	sin.sin_family = af;
	sin.sin_addr.s_addr = htonl(0xc0000299);	/* not ours */
	xt_check_errno(bind(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EADDRNOTAVAIL, "bind to an address that is not local");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	xt_check_errno(accept(fd, NULL, NULL), EINVAL,
		       "accept on a socket that is not listening");
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, 1), EINVAL,
		       "connect with a short address");
	sin.sin_family = AF_INET6;
	xt_check_errno(connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
		       EAFNOSUPPORT, "connect with family AF_INET6");
	/* after shutdown(RDWR), as TCP: send EPIPE, recv end of stream */
	xt_check_errno((int)send(fd, buf, 3, MSG_NOSIGNAL), EPIPE,
		       "send after shutdown");
	xt_check(recv(fd, buf, 3, MSG_DONTWAIT) == 0,
		 "recv after shutdown: 0, end of stream");
	socket_api_unconnected_io();
	xt_check_errno(socketpair(af, SOCK_STREAM, 0, fds), EOPNOTSUPP,
		       "socketpair");
	xt_check(close(fd) == 0, "close");
}

/*
 * send and recv on a socket never connected, and on a listener: the
 * errno Linux TCP gives, asked of Linux TCP in the same run.
 */
static void socket_api_unconnected_io(void)
{
	static const char *const what[] = { "fresh", "listening" };
	int kind, stack, fd, err[2][2];
	ssize_t r;
	char buf[4];

	for (kind = 0; kind < 2; kind++) {
		for (stack = 0; stack < 2; stack++) {
			fd = socket(stack ? xt_family() : AF_INET, SOCK_STREAM, 0);
			if (fd < 0)
				xt_fatal("socket");
			if (kind && listen(fd, 1))
				xt_fatal("listen");
			r = send(fd, "abc", 3, MSG_NOSIGNAL);
			err[0][stack] = r < 0 ? errno : 0;
			r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			err[1][stack] = r < 0 ? errno : 0;
			close(fd);
		}
		xt_check(err[0][0] && err[0][1] == err[0][0],
			 "send on a %s socket: errno %d (%s), TCP's %d",
			 what[kind], err[0][1], strerror(err[0][1]), err[0][0]);
		xt_check(err[1][0] && err[1][1] == err[1][0],
			 "recv on a %s socket: errno %d (%s), TCP's %d",
			 what[kind], err[1][1], strerror(err[1][1]), err[1][0]);
	}
}

int main(void)
{
	int af = xt_family(), proto = xt_ipproto();

	xt_log("socket_api: AF_XTCP=%d, IPPROTO_XTCP=%d", af, proto);
	check_socket_types(af, proto);
	check_fresh_socket(af, proto);
	return xt_done();
}
