// SPDX-License-Identifier: GPL-2.0
/*
 * preload_check: what libxtcp-preload.so promises, call by call, seen
 * from a dynamically linked program (the preload_api test runs it under
 * xtcp-run). The kernel's own view of a socket comes from raw syscalls,
 * which the library does not see: SO_DOMAIN through syscall(2) says which
 * stack really holds it.
 *
 * Without arguments it checks the default mode (every IPv4 stream socket
 * is xtcp), then runs itself again with XTCP_PORTS=7100-7199 for the
 * filter mode ("filter").
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xtcp.h>

static int failures;
static int xtcp_family = AF_XTCP;

#define CHECK(cond, ...) do {					\
	if (cond) {						\
		printf("  ok: " __VA_ARGS__);			\
	} else {						\
		printf("  FAIL: " __VA_ARGS__);			\
		printf("    (%s:%d: %s; errno %s)\n", __FILE__,	\
		       __LINE__, #cond, strerror(errno));	\
		failures++;					\
	}							\
	printf("\n");						\
} while (0)

/* The family the kernel holds the socket in, behind the library's back. */
static int real_domain(int fd)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &v, &len))
		return -errno;
	return v;
}

static int getint(int fd, int level, int name)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, level, name, &v, &len))
		return -1000 - errno;
	return v;
}

static struct sockaddr_in sin_of(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_port = htons(port);
	inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

static int listener(const char *addr, int port, struct sockaddr_in *got)
{
	struct sockaddr_in sin = sin_of(addr, port);
	socklen_t len = sizeof(*got);
	int one = 1, fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)got, &len)) {
		perror("listener");
		exit(1);
	}
	return fd;
}

static void check_default(void)
{
	struct sockaddr_in a, b, peer;
	struct sockaddr_storage ss;
	socklen_t len;
	int lfd, c, s, fd, one = 1;
	char buf[8];
	ssize_t n;

	printf("default mode: every IPv4 stream socket is xtcp\n");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_TCP);
	CHECK(fd >= 0 && real_domain(fd) == xtcp_family,
	      "socket(AF_INET, SOCK_STREAM|NONBLOCK|CLOEXEC, IPPROTO_TCP) is an AF_XTCP socket");
	CHECK(getint(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET,
	      "getsockopt(SO_DOMAIN) answers AF_INET");
	CHECK(getint(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP,
	      "getsockopt(SO_PROTOCOL) answers IPPROTO_TCP");
	CHECK(getint(fd, SOL_SOCKET, SO_TYPE) == SOCK_STREAM,
	      "getsockopt(SO_TYPE) answers SOCK_STREAM");
	CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	      (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "SOCK_NONBLOCK and SOCK_CLOEXEC kept");
	CHECK(!setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) &&
	      getint(fd, IPPROTO_TCP, TCP_NODELAY) == 1,
	      "TCP_NODELAY passes through to the module");
	close(fd);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(real_domain(fd) == AF_INET, "a UDP socket stays AF_INET");
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK(fd < 0 ? errno == EAFNOSUPPORT : real_domain(fd) == AF_INET6,
	      "an IPv6 stream socket stays AF_INET6");
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
	CHECK(fd < 0 || real_domain(fd) == AF_INET,
	      "SOCK_STREAM with IPPROTO_SCTP is not moved");
	if (fd >= 0)
		close(fd);

	lfd = listener("127.0.0.1", 0, &a);
	CHECK(a.sin_family == AF_INET && a.sin_port != 0,
	      "getsockname on the listener: AF_INET, port %u", ntohs(a.sin_port));
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)),
	      "connect with an AF_INET address");
	len = sizeof(peer);
	memset(&peer, 0, sizeof(peer));
	s = accept4(lfd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	CHECK(s >= 0 && len == sizeof(peer) && peer.sin_family == AF_INET &&
	      peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "accept4 returns the peer as AF_INET 127.0.0.1:%u", ntohs(peer.sin_port));
	CHECK(fcntl(s, F_GETFD) & FD_CLOEXEC, "accept4's SOCK_CLOEXEC honoured");
	len = sizeof(b);
	CHECK(!getsockname(c, (struct sockaddr *)&b, &len) &&
	      b.sin_family == AF_INET && b.sin_port == peer.sin_port,
	      "getsockname on the client: AF_INET, the port accept saw");
	len = sizeof(b);
	CHECK(!getpeername(c, (struct sockaddr *)&b, &len) &&
	      b.sin_family == AF_INET && b.sin_port == a.sin_port,
	      "getpeername: AF_INET, the listener's port");
	/* a short address buffer: no family to read, nothing rewritten */
	len = 1;
	CHECK(!getpeername(c, (struct sockaddr *)&ss, &len) &&
	      len == sizeof(struct sockaddr_in),
	      "getpeername with a 1-byte buffer reports the full length, as TCP");

	CHECK(sendto(c, "hi", 2, 0, (struct sockaddr *)&a, sizeof(a)) == 2,
	      "sendto with an AF_INET address on a connected socket");
	len = sizeof(ss);
	memset(&ss, 0xaa, sizeof(ss));
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &len);
	CHECK(n == 2 && len == 0, "recvfrom on a stream: data, and no address (as TCP)");
	close(s);
	close(c);

	/* accept() without an address, and an address that fits nothing */
	c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, sizeof(a));
	s = accept(lfd, NULL, NULL);
	CHECK(s >= 0, "accept(fd, NULL, NULL)");
	close(s);
	close(c);
	c = socket(AF_INET, SOCK_STREAM, 0);
	b = sin_of("127.0.0.1", 1);
	CHECK(connect(c, (struct sockaddr *)&b, sizeof(b)) < 0 &&
	      errno == ECONNREFUSED, "connect to a closed port: ECONNREFUSED");
	close(c);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!setsockopt(c, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)),
	      "SO_REUSEPORT is taken (SOL_XTCP XTCP_REUSEPORT on 6.1)");
	/* nginx's `listen ... reuseport`: a second listener on the port */
	b = sin_of("127.0.0.1", 0);
	len = sizeof(b);
	s = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!bind(c, (struct sockaddr *)&b, sizeof(b)) && !listen(c, 4) &&
	      !getsockname(c, (struct sockaddr *)&b, &len) &&
	      !setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) &&
	      !bind(s, (struct sockaddr *)&b, sizeof(b)) && !listen(s, 4),
	      "two SO_REUSEPORT listeners share a port");
	close(s);
	close(c);
	close(lfd);
}

static void check_filter(void)
{
	struct sockaddr_in a, b, got;
	socklen_t len;
	int lfd, fd, c, s, one = 1, rcv = 65536;

	printf("filter mode: XTCP_PORTS=%s\n", getenv("XTCP_PORTS"));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(real_domain(fd) == AF_INET,
	      "socket() is TCP until bind or connect decides");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	a = sin_of("127.0.0.1", 7100);
	CHECK(!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	      real_domain(fd) == xtcp_family,
	      "bind to port 7100 (in XTCP_PORTS) makes it xtcp, same fd");
	CHECK(getint(fd, SOL_SOCKET, SO_REUSEADDR) == 1 &&
	      getint(fd, IPPROTO_TCP, TCP_NODELAY) == 1 &&
	      getint(fd, SOL_SOCKET, SO_RCVBUF) == 2 * rcv,
	      "SO_REUSEADDR, TCP_NODELAY and SO_RCVBUF carried over");
	CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) &&
	      (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "O_NONBLOCK and FD_CLOEXEC carried over");
	CHECK(!listen(fd, 8), "listen on it");
	lfd = fd;

	/* a client binding port 0 first: connect decides, the address stays */
	c = socket(AF_INET, SOCK_STREAM, 0);
	b = sin_of("127.0.0.2", 0);
	CHECK(!bind(c, (struct sockaddr *)&b, sizeof(b)) &&
	      real_domain(c) == AF_INET, "bind to port 0 does not decide");
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)) &&
	      real_domain(c) == xtcp_family,
	      "connect to port 7100 makes it xtcp");
	len = sizeof(got);
	CHECK(!getsockname(c, (struct sockaddr *)&got, &len) &&
	      got.sin_family == AF_INET &&
	      got.sin_addr.s_addr == b.sin_addr.s_addr,
	      "... from the address bind() gave (127.0.0.2)");
	{
		struct pollfd p = { .fd = lfd, .events = POLLIN };

		poll(&p, 1, 5000);
	}
	s = accept(lfd, NULL, NULL);
	CHECK(s >= 0, "the xtcp listener accepts it");
	close(s);
	close(c);
	close(lfd);

	/* a port outside the list stays TCP */
	lfd = listener("127.0.0.1", 7300, &a);
	CHECK(real_domain(lfd) == AF_INET, "a listener on port 7300 stays TCP");
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!connect(c, (struct sockaddr *)&a, sizeof(a)) &&
	      real_domain(c) == AF_INET, "a client to port 7300 stays TCP");
	close(c);
	close(lfd);

	/* listen() without bind: port 0, not in the list: TCP */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!listen(fd, 1) && real_domain(fd) == AF_INET,
	      "listen() without bind (port 0) stays TCP");
	close(fd);

	/* an option TCP takes but xtcp refuses: the bind fails, loudly */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(!setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one)),
	      "TCP takes TCP_DEFER_ACCEPT");
	a = sin_of("127.0.0.1", 7101);
	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 &&
	      errno == ENOPROTOOPT && real_domain(fd) == AF_INET,
	      "bind to 7101 then fails with xtcp's ENOPROTOOPT; the fd is still the TCP socket");
	close(fd);

	/* a reused fd number is not taken for the socket that had it */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
	      !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	      real_domain(fd) == AF_INET,
	      "a UDP socket in a closed pending socket's fd is left alone");
	close(fd);
}

int main(int argc, char **argv)
{
	FILE *f = fopen("/sys/module/xtcp/parameters/family", "r");

	if (f) {
		if (fscanf(f, "%d", &xtcp_family) != 1)
			xtcp_family = AF_XTCP;
		fclose(f);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "filter")) {
		check_filter();
		return failures ? 1 : 0;
	}
	check_default();
	fflush(stdout);
	if (failures)
		return 1;
	setenv("XTCP_PORTS", "7100-7199", 1);
	execl("/proc/self/exe", argv[0], "filter", (char *)NULL);
	perror("exec");
	return 1;
}
