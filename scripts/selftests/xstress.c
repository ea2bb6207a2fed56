// SPDX-License-Identifier: GPL-2.0
/*
 * xstress: the programs of the stress test (stress.sh). Every mode is
 * bounded in time: threads poll with short timeouts and look at a stop
 * flag, and main() gives them a deadline to finish by; a thread that
 * misses it is reported as hung and the run fails.
 *
 *   server PORT0 NPORTS SECS
 *	one thread per port: a listener (SO_REUSEADDR, small random
 *	backlog) that accepts and closes (at once or after holding), stops
 *	accepting for a while so the queue overflows, and every few hundred
 *	ms is closed and re-created on the same port, or stopped and
 *	listened again (shutdown(SHUT_RD) or connect(AF_UNSPEC)), with
 *	handshakes in flight. One more thread changes the namespace's xtcp
 *	sysctls (syncookies 0/1/2, abort_on_overflow, max_syn_backlog,
 *	synack_retries) all the time.
 *   client ADDR PORT0 NPORTS SECS THREADS INFLIGHT
 *	THREADS threads, each with up to INFLIGHT non-blocking connects in
 *	flight; some are closed before the handshake ends, connected ones
 *	are held a little and closed, or disconnected (connect(AF_UNSPEC))
 *	and connected again. One more thread uses blocking connect() with
 *	SO_SNDTIMEO.
 *   hold-server PORT NCLIENTS
 *	listener on PORT, NCLIENTS loopback connections (half accepted,
 *	half left queued), a connect to a silent address (SYN_SENT);
 *	prints "ready" and holds everything until killed.
 *   hold-client ADDR PORT N
 *	N non-blocking connects to ADDR:PORT, whose answers are dropped,
 *	so they stay in SYN_SENT and the server keeps request socks;
 *	prints "ready" and holds until killed.
 *   rmmod SECS STOPFILE
 *	try to unload xtcp every 50 ms until STOPFILE exists; every attempt
 *	must be refused with EAGAIN or EBUSY (the caller keeps a socket
 *	open throughout). Success means the module's references are wrong.
 *
 * Results are printed as "key value" lines after a "stats MODE" line;
 * the exit status is 0, or 1 when a check failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "xt.h"

#define MAX_THREADS	64
#define MAX_INFLIGHT	64
#define MAX_HELD	64
/* Threads must be done this long after the run ends. */
#define GRACE_SECS	20.0

static atomic_int stop;
static double t_end;
static int family;

/* Counters, all threads. */
enum {
	C_ATTEMPTS, C_CONNECTED, C_REFUSED, C_RESET, C_TIMEDOUT, C_EARLY_CLOSE,
	C_HELD_RESET, C_UNFINISHED, C_ACCEPTED, C_ACC_HELD, C_RECREATE,
	C_RELISTEN_SHUT, C_RELISTEN_UNSPEC, C_PAUSES, C_SYSCTL, C_BLOCKING,
	C_BLOCKING_TIMEO, C_RECONNECT, C_UNEXPECTED, C_MAX
};

static const char *const cnames[C_MAX] = {
	"attempts", "connected", "refused", "reset", "timedout", "early_close",
	"held_reset", "unfinished", "accepted", "accepted_held", "recreated",
	"relisten_shutdown", "relisten_unspec", "accept_pauses",
	"sysctl_changes", "blocking_connected", "blocking_timeouts",
	"reconnects", "unexpected",
};

static atomic_long cnt[C_MAX];

static void count(int c)
{
	atomic_fetch_add(&cnt[c], 1);
}

/* Something that must not happen: print it, count it, go on. */
#define unexpected(...) do {						\
	count(C_UNEXPECTED);						\
	printf("  UNEXPECTED (%s:%d): ", __FILE__, __LINE__);		\
	printf(__VA_ARGS__);						\
	printf(" (errno %d: %s)\n", errno, strerror(errno));		\
	fflush(stdout);							\
} while (0)

/* Per-thread xorshift. */
static unsigned int rnd(unsigned int *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static unsigned int rnd_seed(int i)
{
	return (unsigned int)(getpid() * 2654435761u) ^ (i * 40503u) ^
	       (unsigned int)(xt_now() * 1e6) ^ 1;
}

static int chance(unsigned int *s, int percent)
{
	return (int)(rnd(s) % 100) < percent;
}

static struct sockaddr_in mkaddr(in_addr_t a, int port)
{
	return (struct sockaddr_in){
		.sin_family = family,
		.sin_port = htons(port),
		.sin_addr.s_addr = a,
	};
}

static int xsock(int flags)
{
	int fd = socket(family, SOCK_STREAM | flags, 0);

	if (fd < 0)
		xt_fatal("socket(AF_XTCP)");
	return fd;
}

static int sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/* Start THREADS threads and join them by t_end + GRACE_SECS. */
static int run_threads(void *(*fn)(void *), int n, void *(*extra)(void *))
{
	pthread_t th[MAX_THREADS + 1];
	struct timespec dl;
	int i, hung = 0, total = n + (extra ? 1 : 0);
	double d;

	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, fn, (void *)(long)i))
			xt_fatal("pthread_create");
	if (extra && pthread_create(&th[n], NULL, extra, (void *)(long)n))
		xt_fatal("pthread_create");
	while (xt_now() < t_end)
		usleep(20000);
	atomic_store(&stop, 1);
	clock_gettime(CLOCK_REALTIME, &dl);
	d = dl.tv_sec + dl.tv_nsec / 1e9 + GRACE_SECS;
	dl.tv_sec = (time_t)d;
	dl.tv_nsec = (long)((d - dl.tv_sec) * 1e9);
	for (i = 0; i < total; i++) {
		if (pthread_timedjoin_np(th[i], NULL, &dl)) {
			printf("  FAIL: thread %d did not finish within %.0f s of the end\n",
			       i, GRACE_SECS);
			hung++;
		}
	}
	return hung;
}

static void print_stats(const char *mode, int hung)
{
	int i;

	printf("stats %s\n", mode);
	for (i = 0; i < C_MAX; i++)
		if (atomic_load(&cnt[i]) || i == C_UNEXPECTED)
			printf("%s %ld\n", cnames[i], atomic_load(&cnt[i]));
	printf("hung %d\n", hung);
	fflush(stdout);
}

/* --- server --- */

static int port0, nports;

static void set_abort_opt(int fd, unsigned int *seed)
{
	int v = (int)(rnd(seed) % 3) - 1;

	if (setsockopt(fd, SOL_XTCP, XTCP_ABORT_ON_OVERFLOW, &v, sizeof(v)))
		unexpected("XTCP_ABORT_ON_OVERFLOW");
}

static int make_listener(int port, unsigned int *seed)
{
	struct sockaddr_in sin = mkaddr(htonl(INADDR_ANY), port);
	int fd = xsock(SOCK_NONBLOCK), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		/* the old listener is closed; children share the port */
		unexpected("bind port %d after closing its listener", port);
		close(fd);
		return -1;
	}
	if (listen(fd, 1 + rnd(seed) % 16)) {
		unexpected("listen port %d", port);
		close(fd);
		return -1;
	}
	set_abort_opt(fd, seed);
	return fd;
}

/* The queues stay within their bounds: backlog + 1 each. */
static void check_listen_info(int fd, int port)
{
	struct xtcp_listen_info info;
	socklen_t len = sizeof(info);

	if (getsockopt(fd, SOL_XTCP, XTCP_LISTEN_INFO, &info, &len)) {
		unexpected("XTCP_LISTEN_INFO port %d", port);
		return;
	}
	if (info.accept_qlen > info.backlog + 1 ||
	    info.syn_qlen > info.backlog + 1)
		unexpected("port %d: accept queue %u, request socks %u, backlog %u",
			   port, info.accept_qlen, info.syn_qlen, info.backlog);
}

struct held {
	int fd;
	double until;
};

static void *server_thread(void *arg)
{
	int idx = (int)(long)arg, port = port0 + idx, lfd, nheld = 0, i, fd;
	unsigned int seed = rnd_seed(idx);
	struct held held[MAX_HELD];
	double next_change, pause_until = 0, now;
	struct sockaddr_in peer;
	socklen_t plen;
	struct pollfd p;

	lfd = make_listener(port, &seed);
	next_change = xt_now() + 0.1 + (rnd(&seed) % 500) / 1000.0;
	while (!atomic_load(&stop)) {
		now = xt_now();
		if (lfd >= 0 && now >= pause_until) {
			p = (struct pollfd){ .fd = lfd, .events = POLLIN };
			poll(&p, 1, 10);
			for (i = 0; i < 16; i++) {
				plen = sizeof(peer);
				fd = accept4(lfd, (struct sockaddr *)&peer,
					     &plen, SOCK_NONBLOCK);
				if (fd < 0) {
					if (errno != EAGAIN)
						unexpected("accept port %d", port);
					break;
				}
				count(C_ACCEPTED);
				if (plen != sizeof(peer) || peer.sin_family != family ||
				    !peer.sin_port)
					unexpected("accept port %d: peer family %d port %d",
						   port, peer.sin_family,
						   ntohs(peer.sin_port));
				if (nheld < MAX_HELD && chance(&seed, 50)) {
					held[nheld].fd = fd;
					held[nheld++].until = now +
						(rnd(&seed) % 50) / 1000.0;
					count(C_ACC_HELD);
				} else {
					close(fd);
				}
			}
		} else {
			usleep(10000);
		}
		now = xt_now();
		for (i = 0; i < nheld; i++) {
			if (held[i].until <= now) {
				close(held[i].fd);
				held[i--] = held[--nheld];
			}
		}
		if (lfd >= 0)
			check_listen_info(lfd, port);
		if (now < next_change)
			continue;
		next_change = now + 0.1 + (rnd(&seed) % 500) / 1000.0;
		if (lfd >= 0 && chance(&seed, 15)) {
			/* stop accepting: the queues fill and overflow */
			pause_until = now + (rnd(&seed) % 300) / 1000.0;
			count(C_PAUSES);
			continue;
		}
		if (lfd >= 0 && chance(&seed, 20)) {
			/* stop listening on the same socket, listen again */
			if (chance(&seed, 50)) {
				if (shutdown(lfd, SHUT_RD))
					unexpected("shutdown listener");
				count(C_RELISTEN_SHUT);
			} else {
				struct sockaddr_in un = { .sin_family = AF_UNSPEC };

				if (connect(lfd, (struct sockaddr *)&un, sizeof(un)))
					unexpected("connect(AF_UNSPEC) listener");
				count(C_RELISTEN_UNSPEC);
			}
			if (listen(lfd, 1 + rnd(&seed) % 16))
				unexpected("listen again on port %d", port);
			continue;
		}
		/* close with handshakes and children in flight, re-create */
		if (lfd >= 0)
			close(lfd);
		lfd = make_listener(port, &seed);
		count(C_RECREATE);
	}
	for (i = 0; i < nheld; i++)
		close(held[i].fd);
	if (lfd >= 0)
		close(lfd);
	return NULL;
}

static void write_sysctl(const char *name, int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s", name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f)) {
		unexpected("write %s", path);
		return;
	}
	count(C_SYSCTL);
}

static void *sysctl_thread(void *arg)
{
	static const int cookies[] = { 0, 1, 1, 2 };
	static const int backlog[] = { 2, 8, 64, 4096 };
	unsigned int seed = rnd_seed((int)(long)arg);

	while (!atomic_load(&stop)) {
		write_sysctl("syncookies", cookies[rnd(&seed) % 4]);
		write_sysctl("abort_on_overflow", rnd(&seed) % 2);
		write_sysctl("max_syn_backlog", backlog[rnd(&seed) % 4]);
		write_sysctl("synack_retries", 1 + rnd(&seed) % 3);
		usleep(200000 + rnd(&seed) % 300000);
	}
	/* leave the defaults behind */
	write_sysctl("syncookies", 1);
	write_sysctl("abort_on_overflow", 0);
	write_sysctl("max_syn_backlog", 4096);
	write_sysctl("synack_retries", 5);
	return NULL;
}

static int mode_server(int argc, char **argv)
{
	int hung;

	if (argc < 5)
		xt_fatal("usage: xstress server PORT0 NPORTS SECS");
	port0 = atoi(argv[2]);
	nports = atoi(argv[3]);
	if (nports < 1 || nports > MAX_THREADS)
		xt_fatal("NPORTS 1..%d", MAX_THREADS);
	t_end = xt_now() + atof(argv[4]);
	hung = run_threads(server_thread, nports, sysctl_thread);
	print_stats("server", hung);
	return hung || atomic_load(&cnt[C_UNEXPECTED]) ? 1 : 0;
}

/* --- client --- */

static in_addr_t srv_addr;
static int inflight;

struct slot {
	int fd;
	int connected;
	double t0;
	double close_at;	/* connecting: give up then; connected: close */
};

/* How a finished non-blocking connect ended. */
static void count_connect_error(int err, int port)
{
	switch (err) {
	case ECONNREFUSED:
		count(C_REFUSED);
		break;
	case ECONNRESET:
		count(C_RESET);
		break;
	case ETIMEDOUT:
		count(C_TIMEDOUT);
		break;
	default:
		errno = err;
		unexpected("connect to port %d", port);
	}
}

/* Connect @s->fd, or a new socket if it has none. */
static void slot_open(struct slot *s, unsigned int *seed, double now)
{
	int port = port0 + rnd(seed) % nports;
	struct sockaddr_in sin = mkaddr(srv_addr, port);

	if (s->fd < 0)
		s->fd = xsock(SOCK_NONBLOCK);
	s->connected = 0;
	s->t0 = now;
	s->close_at = now + 60;
	count(C_ATTEMPTS);
	if (!connect(s->fd, (struct sockaddr *)&sin, sizeof(sin))) {
		unexpected("non-blocking connect over veth done at once");
	} else if (errno != EINPROGRESS) {
		count_connect_error(errno, port);
		close(s->fd);
		s->fd = -1;
		return;
	}
	if (chance(seed, 4)) {
		/* closed right away, SYN in flight */
		count(C_EARLY_CLOSE);
		close(s->fd);
		s->fd = -1;
	} else if (chance(seed, 6)) {
		/* closed a little later: SYN-ACK or final ACK in flight */
		s->close_at = now + (rnd(seed) % 20) / 1000.0;
	}
}

static void *client_thread(void *arg)
{
	unsigned int seed = rnd_seed((int)(long)arg);
	struct slot slots[MAX_INFLIGHT];
	struct pollfd pfd[MAX_INFLIGHT];
	int i, n, err;
	double now;

	for (i = 0; i < inflight; i++)
		slots[i].fd = -1;
	while (!atomic_load(&stop)) {
		now = xt_now();
		for (i = 0; i < inflight; i++)
			if (slots[i].fd < 0)
				slot_open(&slots[i], &seed, now);
		for (i = 0; i < inflight; i++) {
			pfd[i].fd = slots[i].fd;
			pfd[i].events = slots[i].connected ? 0 : POLLOUT;
			pfd[i].revents = 0;
		}
		n = poll(pfd, inflight, 10);
		if (n < 0)
			unexpected("poll");
		now = xt_now();
		for (i = 0; i < inflight; i++) {
			struct slot *s = &slots[i];

			if (s->fd < 0)
				continue;
			if (!s->connected && pfd[i].revents) {
				err = sock_error(s->fd);
				/* closed, so there must be a reason */
				if (!err && (pfd[i].revents & POLLHUP))
					unexpected("connect ended in POLLHUP with SO_ERROR 0");
				if (!err) {
					struct sockaddr_in peer;
					socklen_t len = sizeof(peer);

					count(C_CONNECTED);
					/* a reset may already have come */
					if (getpeername(s->fd, (struct sockaddr *)&peer, &len) &&
					    errno != ENOTCONN)
						unexpected("getpeername");
					s->connected = 1;
					s->close_at = now + (rnd(&seed) % 30) / 1000.0;
					continue;
				}
				count_connect_error(err, 0);
				close(s->fd);
				s->fd = -1;
				continue;
			}
			if (s->connected && (pfd[i].revents & (POLLERR | POLLHUP))) {
				/* the server closed (or its listener went) first */
				err = sock_error(s->fd);
				/* after the server's FIN, a reset reads EPIPE */
				if (err == ECONNRESET || err == EPIPE)
					count(C_HELD_RESET);
				else
					unexpected("held connection ended with %d", err);
				close(s->fd);
				s->fd = -1;
				continue;
			}
			if (now >= s->close_at && s->connected &&
			    chance(&seed, 10)) {
				/* disconnect (RST) and connect the same socket again */
				struct sockaddr_in un = { .sin_family = AF_UNSPEC };

				if (connect(s->fd, (struct sockaddr *)&un, sizeof(un)))
					unexpected("connect(AF_UNSPEC)");
				count(C_RECONNECT);
				slot_open(s, &seed, now);
				continue;
			}
			if (now >= s->close_at) {
				if (!s->connected) {
					if (now - s->t0 < 59)
						count(C_EARLY_CLOSE);
					else
						unexpected("connect pending for %.0f s",
							   now - s->t0);
				}
				close(s->fd);
				s->fd = -1;
			}
		}
	}
	for (i = 0; i < inflight; i++) {
		if (slots[i].fd >= 0) {
			if (!slots[i].connected)
				count(C_UNFINISHED);
			close(slots[i].fd);
		}
	}
	return NULL;
}

/* Blocking connects with a send timeout: the sleeping connect path. */
static void *blocking_thread(void *arg)
{
	unsigned int seed = rnd_seed((int)(long)arg);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	int fd, port;

	while (!atomic_load(&stop)) {
		struct sockaddr_in sin;

		port = port0 + rnd(&seed) % nports;
		sin = mkaddr(srv_addr, port);
		fd = xsock(0);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		count(C_ATTEMPTS);
		if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
			count(C_CONNECTED);
			count(C_BLOCKING);
		} else if (errno == EINPROGRESS) {
			/* SO_SNDTIMEO ran out: closed mid-handshake */
			count(C_BLOCKING_TIMEO);
			count(C_EARLY_CLOSE);
		} else {
			count_connect_error(errno, port);
		}
		close(fd);
	}
	return NULL;
}

static int mode_client(int argc, char **argv)
{
	int threads, hung;

	if (argc < 8)
		xt_fatal("usage: xstress client ADDR PORT0 NPORTS SECS THREADS INFLIGHT");
	srv_addr = inet_addr(argv[2]);
	port0 = atoi(argv[3]);
	nports = atoi(argv[4]);
	t_end = xt_now() + atof(argv[5]);
	threads = atoi(argv[6]);
	inflight = atoi(argv[7]);
	if (threads < 1 || threads > MAX_THREADS || inflight < 1 ||
	    inflight > MAX_INFLIGHT || nports < 1)
		xt_fatal("THREADS 1..%d, INFLIGHT 1..%d", MAX_THREADS,
			 MAX_INFLIGHT);
	hung = run_threads(client_thread, threads, blocking_thread);
	print_stats("client", hung);
	return hung || atomic_load(&cnt[C_UNEXPECTED]) ? 1 : 0;
}

/* --- namespace churn: hold sockets of every kind until killed --- */

static void hold_forever(void)
{
	xt_log("ready");
	for (;;)
		pause();
}

static int mode_hold_server(int argc, char **argv)
{
	int port, n, lfd, i, fd, one = 1, silent;
	struct sockaddr_in sin;
	struct pollfd p;

	if (argc < 4)
		xt_fatal("usage: xstress hold-server PORT NCLIENTS");
	port = atoi(argv[2]);
	n = atoi(argv[3]);
	sin = mkaddr(htonl(INADDR_ANY), port);
	lfd = xsock(0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) || listen(lfd, 256))
		xt_fatal("listen on %d", port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < n; i++) {
		fd = xsock(0);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
			xt_fatal("loopback connect %d", i);
		/* half accepted, half left on the accept queue */
		if (i % 2 && accept(lfd, NULL, NULL) < 0)
			xt_fatal("accept");
	}
	/* a SYN_SENT socket with its timer running: nobody at .77 */
	silent = xsock(SOCK_NONBLOCK);
	sin = mkaddr(inet_addr("10.9.0.77"), port);
	if (connect(silent, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
	    errno != EINPROGRESS)
		xt_fatal("connect to a silent address");
	p = (struct pollfd){ .fd = silent, .events = POLLOUT };
	if (poll(&p, 1, 0) != 0)
		xt_fatal("the silent connect finished");
	hold_forever();
	return 0;
}

static int mode_hold_client(int argc, char **argv)
{
	struct sockaddr_in sin;
	int i, n, fd;

	if (argc < 5)
		xt_fatal("usage: xstress hold-client ADDR PORT N");
	sin = mkaddr(inet_addr(argv[2]), atoi(argv[3]));
	n = atoi(argv[4]);
	for (i = 0; i < n; i++) {
		fd = xsock(SOCK_NONBLOCK);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ||
		    errno != EINPROGRESS)
			xt_fatal("connect %d", i);
	}
	hold_forever();
	return 0;
}

/* --- rmmod --- */

static int mode_rmmod(int argc, char **argv)
{
	long refused = 0, bad = 0;
	struct stat st;
	double end;

	if (argc < 4)
		xt_fatal("usage: xstress rmmod SECS STOPFILE");
	end = xt_now() + atof(argv[2]);
	while (xt_now() < end && stat(argv[3], &st)) {
		if (syscall(SYS_delete_module, "xtcp", O_NONBLOCK) == 0) {
			printf("  FAIL: rmmod xtcp succeeded while sockets are open\n");
			bad++;
			break;
		}
		if (errno == EAGAIN || errno == EBUSY) {
			refused++;
		} else {
			printf("  FAIL: rmmod xtcp: errno %d (%s), want EAGAIN/EBUSY\n",
			       errno, strerror(errno));
			bad++;
		}
		usleep(50000);
	}
	printf("stats rmmod\nrmmod_refused %ld\nrmmod_bad %ld\n", refused, bad);
	return bad || !refused ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	family = xt_family();
	if (argc < 2)
		xt_fatal("usage: xstress server|client|hold-server|hold-client|rmmod ...");
	if (!strcmp(argv[1], "server"))
		return mode_server(argc, argv);
	if (!strcmp(argv[1], "client"))
		return mode_client(argc, argv);
	if (!strcmp(argv[1], "hold-server"))
		return mode_hold_server(argc, argv);
	if (!strcmp(argv[1], "hold-client"))
		return mode_hold_client(argc, argv);
	if (!strcmp(argv[1], "rmmod"))
		return mode_rmmod(argc, argv);
	xt_fatal("unknown mode %s", argv[1]);
	return 1;
}
