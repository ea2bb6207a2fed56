// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcp-preload.so: run an unmodified, dynamically linked program with
 * its IPv4 stream sockets on AF_XTCP (LD_PRELOAD; see xtcp-run and the
 * README section "Real programs over xtcp").
 *
 * What it changes, and why that is enough:
 * - socket(AF_INET, SOCK_STREAM[|flags], 0 or IPPROTO_TCP) makes an
 *   AF_XTCP socket. The module takes sockaddr_in with AF_INET on input
 *   (bind, connect, sendto), and answers IPPROTO_TCP, SOL_IP and
 *   SOL_SOCKET options itself, so those pass through untouched.
 * - Addresses the kernel hands back (accept, accept4, getsockname,
 *   getpeername, recvfrom, recvmsg, recvmmsg) carry AF_XTCP; they are
 *   rewritten to AF_INET, because programs switch on sa_family. No per-fd
 *   state is needed for that: a sockaddr whose family is xtcp's came from
 *   an xtcp socket.
 * - getsockopt(SO_DOMAIN) answers AF_INET and SO_PROTOCOL IPPROTO_TCP for
 *   an xtcp socket, as they would for the TCP socket the program asked for.
 *
 * Choosing sockets (XTCP_PORTS, XTCP_ADDRS). Without either, every IPv4
 * stream socket is xtcp from socket() on. With a filter, socket() cannot
 * know yet: the address comes later. Such a socket starts as a real TCP
 * socket ("pending"), so everything the program does before the decision
 * (setsockopt, fcntl, ioctl(FIONBIO), getsockopt) works as on TCP and is
 * checked by TCP. The decision falls at the first bind() to a non-zero
 * port (the local address), or at connect(), listen(), or a sendto()
 * with an address (the remote one, or the bound one for listen). If the
 * address matches, an AF_XTCP socket is made, given the recorded socket
 * options, the file status flags and the bind() address (port 0 binds are
 * remembered, not decided), and put in the program's fd number with
 * dup3(), so the program never sees the swap. An option TCP took but
 * xtcp refuses fails the bind/connect with that errno, and says so on
 * stderr: nothing is dropped silently.
 *
 * Pending sockets are kept in a table indexed by fd, each entry tagged
 * with the socket's inode: close() is not intercepted, and a reused fd
 * number is recognised because its inode differs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/xtcp.h>

#define XP_EXPORT __attribute__((visibility("default")))

static int (*real_socket)(int, int, int);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static int (*real_connect)(int, const struct sockaddr *, socklen_t);
static int (*real_listen)(int, int);
static int (*real_accept)(int, struct sockaddr *, socklen_t *);
static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
static int (*real_getsockname)(int, struct sockaddr *, socklen_t *);
static int (*real_getpeername)(int, struct sockaddr *, socklen_t *);
static ssize_t (*real_recvfrom)(int, void *, size_t, int,
				struct sockaddr *, socklen_t *);
static ssize_t (*real_recvfrom_chk)(int, void *, size_t, size_t, int,
				    struct sockaddr *, socklen_t *);
static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static int (*real_recvmmsg)(int, struct mmsghdr *, unsigned int, int,
			    struct timespec *);
static ssize_t (*real_sendto)(int, const void *, size_t, int,
			      const struct sockaddr *, socklen_t);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static int (*real_sendmmsg)(int, struct mmsghdr *, unsigned int, int);
static int (*real_getsockopt)(int, int, int, void *, socklen_t *);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);

static int xp_family = AF_XTCP;
static int xp_ipproto = IPPROTO_XTCP;
static bool xp_debug;

/* The filter: unset lists match everything; no list at all is "all". */
struct xp_range {
	unsigned int lo, hi;	/* ports, or addresses in host order */
};

static struct xp_range *xp_ports, *xp_addrs;
static int xp_nports, xp_naddrs;
static bool xp_filtered;

static void xp_say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "xtcp-run[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* write(2) directly: stdio may be the program's, and buffered */
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}

static int xp_read_param(const char *name, int dflt)
{
	char path[96];
	FILE *f;
	int v;

	snprintf(path, sizeof(path), "/sys/module/xtcp/parameters/%s", name);
	f = fopen(path, "re");
	if (!f)
		return dflt;
	if (fscanf(f, "%d", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/* "80,443,8000-8099" */
static int xp_parse_ports(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		unsigned int lo, hi;
		char *end;

		lo = strtoul(tok, &end, 10);
		hi = lo;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (*end || lo > 65535 || hi > 65535 || lo > hi)
			goto bad;
		xp_ports = realloc(xp_ports, (xp_nports + 1) * sizeof(*xp_ports));
		if (!xp_ports)
			goto bad;
		xp_ports[xp_nports++] = (struct xp_range){ lo, hi };
	}
	free(copy);
	return 0;
bad:
	xp_say("XTCP_PORTS: cannot read '%s' (want 80,8000-8099)", tok);
	free(copy);
	return -1;
}

/* "192.0.2.1,10.0.0.0/8" */
static int xp_parse_addrs(const char *s)
{
	char *copy = strdup(s), *tok, *save = NULL;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		char *slash = strchr(tok, '/'), *end;
		unsigned long bits = 32;
		struct in_addr a;
		unsigned int mask;

		if (slash) {
			*slash = '\0';
			bits = strtoul(slash + 1, &end, 10);
			if (*end || slash[1] == '\0' || bits > 32)
				goto bad;
		}
		if (inet_pton(AF_INET, tok, &a) != 1)
			goto bad;
		mask = bits ? ~0u << (32 - bits) : 0;
		xp_addrs = realloc(xp_addrs, (xp_naddrs + 1) * sizeof(*xp_addrs));
		if (!xp_addrs)
			goto bad;
		xp_addrs[xp_naddrs].lo = ntohl(a.s_addr) & mask;
		xp_addrs[xp_naddrs].hi = xp_addrs[xp_naddrs].lo | ~mask;
		xp_naddrs++;
	}
	free(copy);
	return 0;
bad:
	xp_say("XTCP_ADDRS: cannot read '%s' (want 192.0.2.1,10.0.0.0/8)", tok);
	free(copy);
	return -1;
}

#define XP_SYM(name) \
	(*(void **)&real_##name = dlsym(RTLD_NEXT, #name))

static pthread_mutex_t xp_lock = PTHREAD_MUTEX_INITIALIZER;

/* fork() while another thread holds xp_lock must not leave it held */
static void xp_atfork_prepare(void)
{
	pthread_mutex_lock(&xp_lock);
}

static void xp_atfork_release(void)
{
	pthread_mutex_unlock(&xp_lock);
}

static void xp_init_once(void)
{
	const char *e;

	XP_SYM(socket);
	XP_SYM(bind);
	XP_SYM(connect);
	XP_SYM(listen);
	XP_SYM(accept);
	XP_SYM(accept4);
	XP_SYM(getsockname);
	XP_SYM(getpeername);
	XP_SYM(recvfrom);
	*(void **)&real_recvfrom_chk = dlsym(RTLD_NEXT, "__recvfrom_chk");
	XP_SYM(recvmsg);
	XP_SYM(recvmmsg);
	XP_SYM(sendto);
	XP_SYM(sendmsg);
	XP_SYM(sendmmsg);
	XP_SYM(getsockopt);
	XP_SYM(setsockopt);

	xp_family = xp_read_param("family", AF_XTCP);
	xp_ipproto = xp_read_param("ipproto", IPPROTO_XTCP);
	e = getenv("XTCP_DEBUG");
	xp_debug = e && *e && strcmp(e, "0");

	/*
	 * A filter that cannot be read must not quietly become "all" (or
	 * "none"): the program would run on the wrong stack. Stop it here.
	 */
	e = getenv("XTCP_PORTS");
	if (e && *e) {
		if (xp_parse_ports(e))
			_exit(127);
		xp_filtered = true;
	}
	e = getenv("XTCP_ADDRS");
	if (e && *e) {
		if (xp_parse_addrs(e))
			_exit(127);
		xp_filtered = true;
	}
	pthread_atfork(xp_atfork_prepare, xp_atfork_release, xp_atfork_release);
}

static pthread_once_t xp_once = PTHREAD_ONCE_INIT;

/*
 * Every interposed call starts here: another library's constructor may
 * make a socket before ours has run.
 */
static inline void xp_init(void)
{
	pthread_once(&xp_once, xp_init_once);
}

__attribute__((constructor)) static void xp_constructor(void)
{
	xp_init();
}

static bool xp_in(const struct xp_range *r, int n, unsigned int v)
{
	int i;

	for (i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

/* A wildcard local address (bind to INADDR_ANY) matches any XTCP_ADDRS. */
static bool xp_match(const struct sockaddr_in *sin, bool local)
{
	unsigned int a = ntohl(sin->sin_addr.s_addr);

	if (xp_nports && !xp_in(xp_ports, xp_nports, ntohs(sin->sin_port)))
		return false;
	if (xp_naddrs && !(local && a == INADDR_ANY) &&
	    !xp_in(xp_addrs, xp_naddrs, a))
		return false;
	return true;
}

static bool xp_is_tcp(int domain, int type, int protocol)
{
	int t = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	return domain == AF_INET && t == SOCK_STREAM &&
	       (protocol == 0 || protocol == IPPROTO_TCP);
}

/* Rewrite an AF_XTCP address the kernel returned to AF_INET. */
static void xp_fix_out(struct sockaddr *sa, const socklen_t *lenp,
		       socklen_t given)
{
	if (!sa || !lenp || given < sizeof(sa_family_t) ||
	    *lenp < sizeof(sa_family_t))
		return;
	if (sa->sa_family == xp_family)
		sa->sa_family = AF_INET;
}

/* ---- pending sockets (filter mode only) ---- */

#define XP_OPT_MAX	128

struct xp_opt {
	int level, name;
	socklen_t len;
	unsigned char val[XP_OPT_MAX];
};

struct xp_pending {
	dev_t dev;
	ino_t ino;
	bool bound;		/* bind() with port 0, to be repeated */
	struct sockaddr_in bind_addr;
	int nopts;
	struct xp_opt *opts;
};

static struct xp_pending **xp_table;
static int xp_table_len;

static int xp_ino(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st))
		return -1;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static void xp_free(struct xp_pending *p)
{
	if (p) {
		free(p->opts);
		free(p);
	}
}

/* Caller holds xp_lock. The entry for fd if it is still that socket. */
static struct xp_pending *xp_find_locked(int fd)
{
	struct xp_pending *p;
	dev_t dev;
	ino_t ino;

	if (fd < 0 || fd >= xp_table_len || !xp_table[fd])
		return NULL;
	p = xp_table[fd];
	if (xp_ino(fd, &dev, &ino) || dev != p->dev || ino != p->ino) {
		xp_free(p);
		xp_table[fd] = NULL;
		return NULL;
	}
	return p;
}

static void xp_forget_locked(int fd)
{
	if (fd >= 0 && fd < xp_table_len) {
		xp_free(xp_table[fd]);
		xp_table[fd] = NULL;
	}
}

static int xp_track(int fd)
{
	struct xp_pending *p = calloc(1, sizeof(*p));
	int ret = -1;

	if (!p || xp_ino(fd, &p->dev, &p->ino))
		goto out;
	pthread_mutex_lock(&xp_lock);
	if (fd >= xp_table_len) {
		int n = fd + 64;
		struct xp_pending **t = realloc(xp_table, n * sizeof(*t));

		if (!t) {
			pthread_mutex_unlock(&xp_lock);
			goto out;
		}
		memset(t + xp_table_len, 0, (n - xp_table_len) * sizeof(*t));
		xp_table = t;
		xp_table_len = n;
	}
	xp_free(xp_table[fd]);
	xp_table[fd] = p;
	p = NULL;
	ret = 0;
	pthread_mutex_unlock(&xp_lock);
out:
	xp_free(p);
	return ret;
}

static int xp_record_opt_locked(struct xp_pending *p, int level, int name,
				const void *val, socklen_t len)
{
	struct xp_opt *o = NULL;
	int i;

	/* too long, or pointing at the program's memory (a BPF program) */
	if (len > XP_OPT_MAX ||
	    (level == SOL_SOCKET && (name == SO_ATTACH_FILTER ||
				     name == SO_ATTACH_REUSEPORT_CBPF)))
		return -1;
	for (i = 0; i < p->nopts; i++)
		if (p->opts[i].level == level && p->opts[i].name == name)
			o = &p->opts[i];
	if (!o) {
		o = realloc(p->opts, (p->nopts + 1) * sizeof(*o));
		if (!o)
			return -1;
		p->opts = o;
		o = &p->opts[p->nopts++];
	}
	o->level = level;
	o->name = name;
	o->len = len;
	if (len)
		memcpy(o->val, val, len);
	return 0;
}

/*
 * setsockopt() on an xtcp socket. Linux 6.1 refuses SOL_SOCKET
 * SO_REUSEPORT to every family but AF_INET/AF_INET6 before xtcp is
 * asked; xtcp takes the same flag as SOL_XTCP XTCP_REUSEPORT, so a
 * program's `reuseport` works there too. Later kernels let xtcp answer
 * the SOL_SOCKET call itself, and the retry is never needed.
 */
static int xp_setsockopt_xtcp(int fd, int level, int name, const void *val,
			      socklen_t len)
{
	int ret = real_setsockopt(fd, level, name, val, len);

	if (ret && errno == EOPNOTSUPP && level == SOL_SOCKET &&
	    name == SO_REUSEPORT)
		ret = real_setsockopt(fd, SOL_XTCP, XTCP_REUSEPORT, val, len);
	return ret;
}

static const char *xp_fmt(const struct sockaddr_in *sin, char *buf, size_t n)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
	snprintf(buf, n, "%s:%u", a, ntohs(sin->sin_port));
	return buf;
}

/*
 * Caller holds xp_lock. Make an AF_XTCP socket with what the pending
 * TCP socket was given, and put it in fd's place. On failure fd is left
 * as it was (the TCP socket) and errno says why.
 */
static int xp_swap_locked(int fd, struct xp_pending *p)
{
	int nfd, fl, fdfl, i, err;

	nfd = real_socket(xp_family, SOCK_STREAM, 0);
	if (nfd < 0) {
		err = errno;
		xp_say("fd %d: socket(AF_XTCP): %s%s", fd, strerror(err),
		       err == EAFNOSUPPORT ? " (is xtcp.ko loaded?)" : "");
		errno = err;
		return -1;
	}
	for (i = 0; i < p->nopts; i++) {
		struct xp_opt *o = &p->opts[i];

		if (xp_setsockopt_xtcp(nfd, o->level, o->name, o->val,
				       o->len)) {
			err = errno;
			xp_say("fd %d: xtcp refuses option level %d name %d that TCP took: %s",
			       fd, o->level, o->name, strerror(err));
			goto fail;
		}
	}
	if (p->bound && real_bind(nfd, (struct sockaddr *)&p->bind_addr,
				  sizeof(p->bind_addr))) {
		err = errno;
		goto fail;
	}
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	if (fl < 0 || fdfl < 0 || fcntl(nfd, F_SETFL, fl) ||
	    dup3(nfd, fd, (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0) {
		err = errno;
		goto fail;
	}
	close(nfd);
	return 0;
fail:
	close(nfd);
	errno = err;
	return -1;
}

/*
 * Decide a pending socket by sin (local: a bind address). Returns 1 if fd
 * is now xtcp, 0 if it stays TCP, -1 with errno if the swap failed.
 */
static int xp_decide_locked(int fd, struct xp_pending *p,
			    const struct sockaddr_in *sin, bool local,
			    const char *why)
{
	char buf[32];
	int ret = 0;

	if (xp_match(sin, local))
		ret = xp_swap_locked(fd, p) ? -1 : 1;
	if (xp_debug)
		xp_say("fd %d: %s %s: %s", fd, why, xp_fmt(sin, buf, sizeof(buf)),
		       ret > 0 ? "xtcp" : ret ? "swap failed" : "TCP");
	if (ret >= 0)
		xp_forget_locked(fd);
	return ret;
}

/* The pending entry for fd, with xp_lock held, or NULL (lock released). */
static struct xp_pending *xp_pending_get(int fd)
{
	struct xp_pending *p;

	if (!xp_filtered)
		return NULL;
	pthread_mutex_lock(&xp_lock);
	p = xp_find_locked(fd);
	if (!p)
		pthread_mutex_unlock(&xp_lock);
	return p;
}

static const struct sockaddr_in *xp_sin(const struct sockaddr *sa,
					socklen_t len)
{
	if (!sa || len < sizeof(struct sockaddr_in) || sa->sa_family != AF_INET)
		return NULL;
	return (const struct sockaddr_in *)sa;
}

/* ---- the interposed calls ---- */

XP_EXPORT int socket(int domain, int type, int protocol)
{
	int fd;

	xp_init();
	if (!xp_is_tcp(domain, type, protocol))
		return real_socket(domain, type, protocol);
	if (xp_filtered) {
		fd = real_socket(domain, type, protocol);
		if (fd >= 0 && xp_track(fd)) {
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		return fd;
	}
	/* the module takes protocol 0 or its own number, not 6 */
	fd = real_socket(xp_family, type, 0);
	if (fd < 0 && errno == EAFNOSUPPORT)
		xp_say("socket(AF_XTCP): %s (is xtcp.ko loaded?)",
		       strerror(errno));
	else if (xp_debug && fd >= 0)
		xp_say("fd %d: socket: xtcp", fd);
	return fd;
}

XP_EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in *sin = xp_sin(addr, len);
	struct xp_pending *p;
	int ret;

	xp_init();
	if (!sin || !(p = xp_pending_get(fd)))
		return real_bind(fd, addr, len);
	if (sin->sin_port == 0) {
		/*
		 * Port 0 (a client choosing its source address) does not
		 * decide: bind the TCP socket for TCP's checks, and repeat
		 * it on the xtcp socket if connect() moves it.
		 */
		ret = real_bind(fd, addr, len);
		if (!ret) {
			p->bound = true;
			p->bind_addr = *sin;
		}
	} else {
		ret = xp_decide_locked(fd, p, sin, true, "bind");
		if (ret >= 0)
			ret = real_bind(fd, addr, len);
	}
	pthread_mutex_unlock(&xp_lock);
	return ret;
}

XP_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in *sin = xp_sin(addr, len);
	struct xp_pending *p;
	int ret;

	xp_init();
	if (!sin || !(p = xp_pending_get(fd)))
		return real_connect(fd, addr, len);
	ret = xp_decide_locked(fd, p, sin, false, "connect");
	pthread_mutex_unlock(&xp_lock);
	/* outside the lock: a blocking connect takes a round trip or more */
	return ret < 0 ? ret : real_connect(fd, addr, len);
}

XP_EXPORT int listen(int fd, int backlog)
{
	struct sockaddr_in any = { .sin_family = AF_INET };
	struct xp_pending *p;
	int ret = 0;

	xp_init();
	p = xp_pending_get(fd);
	if (p) {
		/* unbound, or bound to port 0: listen() picks the port */
		ret = xp_decide_locked(fd, p, p->bound ? &p->bind_addr : &any,
				       true, "listen");
		pthread_mutex_unlock(&xp_lock);
	}
	return ret < 0 ? ret : real_listen(fd, backlog);
}

XP_EXPORT int accept(int fd, struct sockaddr *addr, socklen_t *lenp)
{
	socklen_t given = lenp ? *lenp : 0;
	int ret;

	xp_init();
	ret = real_accept(fd, addr, lenp);
	if (ret >= 0)
		xp_fix_out(addr, lenp, given);
	return ret;
}

XP_EXPORT int accept4(int fd, struct sockaddr *addr, socklen_t *lenp,
		      int flags)
{
	socklen_t given = lenp ? *lenp : 0;
	int ret;

	xp_init();
	ret = real_accept4(fd, addr, lenp, flags);
	if (ret >= 0)
		xp_fix_out(addr, lenp, given);
	return ret;
}

XP_EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *lenp)
{
	socklen_t given = lenp ? *lenp : 0;
	int ret;

	xp_init();
	ret = real_getsockname(fd, addr, lenp);
	if (!ret)
		xp_fix_out(addr, lenp, given);
	return ret;
}

XP_EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *lenp)
{
	socklen_t given = lenp ? *lenp : 0;
	int ret;

	xp_init();
	ret = real_getpeername(fd, addr, lenp);
	if (!ret)
		xp_fix_out(addr, lenp, given);
	return ret;
}

XP_EXPORT ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
			   struct sockaddr *addr, socklen_t *lenp)
{
	socklen_t given = lenp ? *lenp : 0;
	ssize_t ret;

	xp_init();
	ret = real_recvfrom(fd, buf, n, flags, addr, lenp);
	if (ret >= 0)
		xp_fix_out(addr, lenp, given);
	return ret;
}

/* What a program built with _FORTIFY_SOURCE calls for recvfrom(). */
XP_EXPORT ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen,
				 int flags, struct sockaddr *addr,
				 socklen_t *lenp)
{
	socklen_t given = lenp ? *lenp : 0;
	ssize_t ret;

	xp_init();
	ret = real_recvfrom_chk(fd, buf, n, buflen, flags, addr, lenp);
	if (ret >= 0)
		xp_fix_out(addr, lenp, given);
	return ret;
}

XP_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	socklen_t given = msg ? msg->msg_namelen : 0;
	ssize_t ret;

	xp_init();
	ret = real_recvmsg(fd, msg, flags);
	if (ret >= 0 && msg)
		xp_fix_out(msg->msg_name, &msg->msg_namelen, given);
	return ret;
}

XP_EXPORT int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		       int flags, struct timespec *timeout)
{
	socklen_t given[64];
	unsigned int i, m = vlen < 64 ? vlen : 64;
	int ret;

	xp_init();

	/* a longer vector is read 64 at a time, as the kernel may anyway */
	for (i = 0; i < m; i++)
		given[i] = vec[i].msg_hdr.msg_namelen;
	ret = real_recvmmsg(fd, vec, m, flags, timeout);
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++)
		xp_fix_out(vec[i].msg_hdr.msg_name, &vec[i].msg_hdr.msg_namelen,
			   given[i]);
	return ret;
}

/*
 * An address given to send on a pending socket decides it as connect()
 * would (TCP itself ignores the address on a connected socket, and
 * answers EPIPE on an unconnected one, as xtcp does).
 */
static int xp_send_decide(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_in *sin = xp_sin(addr, len);
	struct xp_pending *p;
	int ret;

	if (!sin || !(p = xp_pending_get(fd)))
		return 0;
	ret = xp_decide_locked(fd, p, sin, false, "sendto");
	pthread_mutex_unlock(&xp_lock);
	return ret < 0 ? -1 : 0;
}

XP_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *addr, socklen_t len)
{
	xp_init();
	if (xp_send_decide(fd, addr, len))
		return -1;
	return real_sendto(fd, buf, n, flags, addr, len);
}

XP_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	xp_init();
	if (msg && xp_send_decide(fd, msg->msg_name, msg->msg_namelen))
		return -1;
	return real_sendmsg(fd, msg, flags);
}

XP_EXPORT int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen,
		       int flags)
{
	xp_init();
	if (vec && vlen &&
	    xp_send_decide(fd, vec[0].msg_hdr.msg_name,
			   vec[0].msg_hdr.msg_namelen))
		return -1;
	return real_sendmmsg(fd, vec, vlen, flags);
}

static bool xp_fd_is_xtcp(int fd)
{
	socklen_t len = sizeof(int);
	int dom;

	return !real_getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) &&
	       dom == xp_family;
}

XP_EXPORT int getsockopt(int fd, int level, int name, void *val,
			 socklen_t *lenp)
{
	int ret;

	xp_init();
	ret = real_getsockopt(fd, level, name, val, lenp);
	if (ret || level != SOL_SOCKET || !val || !lenp ||
	    *lenp < sizeof(int))
		return ret;
	/* what the program's socket(AF_INET, SOCK_STREAM, 0) would answer */
	if (name == SO_DOMAIN && *(int *)val == xp_family)
		*(int *)val = AF_INET;
	else if (name == SO_PROTOCOL && *(int *)val == xp_ipproto &&
		 xp_fd_is_xtcp(fd))
		*(int *)val = IPPROTO_TCP;
	return ret;
}

XP_EXPORT int setsockopt(int fd, int level, int name, const void *val,
			 socklen_t len)
{
	struct xp_pending *p;
	int ret;

	xp_init();

	p = xp_pending_get(fd);
	if (!p && level == SOL_SOCKET && name == SO_REUSEPORT &&
	    xp_fd_is_xtcp(fd))
		ret = xp_setsockopt_xtcp(fd, level, name, val, len);
	else
		ret = real_setsockopt(fd, level, name, val, len);
	if (p) {
		if (!ret && xp_record_opt_locked(p, level, name, val, len)) {
			/* cannot be carried over: keep it TCP, and say so */
			xp_say("fd %d: option level %d name %d (%u bytes) cannot be carried to xtcp, so the socket stays TCP",
			       fd, level, name, (unsigned int)len);
			xp_forget_locked(fd);
		}
		pthread_mutex_unlock(&xp_lock);
	}
	return ret;
}
