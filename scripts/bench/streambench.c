// SPDX-License-Identifier: GPL-2.0
/*
 * streambench: the byte-stream benchmarks, the same program over xtcp and
 * over Linux TCP. The listener is made in the netns named by
 * $XT_SERVER_NS if set, else here; everything else runs here.
 *
 *   streambench bulk tcp|xtcp ADDR PORT STREAMS SECONDS
 *	STREAMS connections, each written as fast as write() goes in 128 kB
 *	calls and read by its own thread in 256 kB calls. After a 0.5 s
 *	warm-up, the bytes read in SECONDS give the rate. Prints
 *	"bulk <MB/s> bytes <n> secs <t> busy <%> retrans <n> segs_out <n>
 *	segs_in <n>": busy is the share of all CPUs' time not idle (from
 *	/proc/stat) over the same seconds, the last three are summed over
 *	the senders' TCP_INFO.
 *
 *   streambench rr tcp|xtcp ADDR PORT SECONDS SIZE
 *	One connection, TCP_NODELAY at both ends: the client writes SIZE
 *	bytes, the server reads them all and writes SIZE back, for SECONDS
 *	after 200 warm-up exchanges. Prints "rr n <exchanges> p50 <us>
 *	p99 <us> mean <us>". $XT_CPU: both ends on that one CPU.
 *
 *   streambench hold tcp|xtcp ADDR PORT CONNS BYTES
 *	Opens CONNS connections and leaves them idle, then has each client
 *	write BYTES that the server never reads, and prints what the kernel
 *	holds per connection (both of its ends) at each step: slab memory
 *	from /proc/slabinfo (and the caches that grew most), the protocol's
 *	charged memory from /proc/net/protocols, MemFree from
 *	/proc/meminfo, and SO_MEMINFO and SIOCINQ of the server sockets;
 *	also the first connection's MSS as each end's TCP_INFO has it.
 *
 * No data is checked (make check does that): this is about speed and
 * size. Every socket of both stacks ends with an abort (SO_LINGER
 * {1, 0}), so that no run leaves TIME_WAIT entries to the next.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "xt.h"

#define SB_STREAMS_MAX	16
#define SB_WRITE	(128 * 1024)
#define SB_READ		(256 * 1024)
#define SB_WARMUP	0.5
#define SB_RR_WARMUP	200
#define SB_SLABS_MAX	512

static int family, proto;
static struct sockaddr_in dst;

/* ---- sockets ---- */

static void sb_abortive(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void sb_nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		xt_fatal("TCP_NODELAY: %s", strerror(errno));
}

/* A listener on @port, in $XT_SERVER_NS if that is set. */
static int sb_listen(int port, int backlog)
{
	struct sockaddr_in any = { .sin_family = family,
				   .sin_port = htons(port) };
	const char *ns = getenv("XT_SERVER_NS");
	int fd, one = 1, home = -1, srv = -1;

	if (ns && *ns) {
		char path[128];

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		home = open("/proc/self/ns/net", O_RDONLY);
		srv = open(path, O_RDONLY);
		if (home < 0 || srv < 0 || setns(srv, CLONE_NEWNET))
			xt_fatal("setns %s", ns);
	}
	fd = socket(family, SOCK_STREAM, proto);
	if (fd < 0)
		xt_fatal("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(fd, backlog))
		xt_fatal("listener on port %d: %s", port, strerror(errno));
	if (srv >= 0) {
		if (setns(home, CLONE_NEWNET))
			xt_fatal("setns home");
		close(srv);
		close(home);
	}
	return fd;
}

static int sb_connect(void)
{
	int fd = socket(family, SOCK_STREAM, proto);

	if (fd < 0)
		xt_fatal("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		xt_fatal("connect: %s", strerror(errno));
	return fd;
}

static int sb_accept(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		xt_fatal("accept: %s", strerror(errno));
	return fd;
}

/* Read exactly @len bytes; 0, or -1 at an error or the end. */
static int sb_read_full(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t r = read(fd, buf, len);

		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		buf += r;
		len -= r;
	}
	return 0;
}

static int sb_write_full(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= w;
	}
	return 0;
}

/* ---- bulk ---- */

struct sb_stream {
	pthread_t writer, reader;
	int cfd, sfd;
	atomic_long bytes;
};

static struct sb_stream streams[SB_STREAMS_MAX];

static void *sb_writer(void *arg)
{
	struct sb_stream *s = arg;
	static char buf[SB_WRITE];

	while (write(s->cfd, buf, sizeof(buf)) > 0 || errno == EINTR)
		;
	return NULL;
}

static void *sb_reader(void *arg)
{
	struct sb_stream *s = arg;
	char *buf = malloc(SB_READ);
	ssize_t r;

	if (!buf)
		xt_fatal("no memory");
	while ((r = read(s->sfd, buf, SB_READ)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			atomic_fetch_add_explicit(&s->bytes, r,
						  memory_order_relaxed);
	return NULL;
}

static long sb_bytes(int n)
{
	long sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += atomic_load_explicit(&streams[i].bytes,
					    memory_order_relaxed);
	return sum;
}

/* Busy and total jiffies of all CPUs, from /proc/stat's first line. */
static void sb_cpu(long *busy, long *total)
{
	long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int i;

	*busy = *total = 0;
	if (!f)
		return;
	if (fscanf(f, "cpu %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
		   &v[9]) >= 8) {
		/* user nice system idle iowait irq softirq steal guest.. */
		for (i = 0; i < 8; i++)
			*total += v[i];
		*busy = *total - v[3] - v[4];
	}
	fclose(f);
}

static int sb_bulk(int port, int n, int secs)
{
	long busy0, busy1, all0, all1;
	long b0, b1, retrans = 0, segs_out = 0, segs_in = 0;
	int lfd, i;
	double t0, t1;

	if (n < 1 || n > SB_STREAMS_MAX || secs < 1)
		xt_fatal("1..%d streams, at least 1 s", SB_STREAMS_MAX);
	lfd = sb_listen(port, n);
	for (i = 0; i < n; i++) {
		streams[i].cfd = sb_connect();
		streams[i].sfd = sb_accept(lfd);
	}
	for (i = 0; i < n; i++) {
		pthread_create(&streams[i].reader, NULL, sb_reader, &streams[i]);
		pthread_create(&streams[i].writer, NULL, sb_writer, &streams[i]);
	}
	xt_sleep_until(xt_now() + SB_WARMUP);
	t0 = xt_now();
	b0 = sb_bytes(n);
	sb_cpu(&busy0, &all0);
	xt_sleep_until(t0 + secs);
	b1 = sb_bytes(n);
	t1 = xt_now();
	sb_cpu(&busy1, &all1);

	for (i = 0; i < n; i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		memset(&ti, 0, sizeof(ti));
		if (!getsockopt(streams[i].cfd, IPPROTO_TCP, TCP_INFO, &ti, &len)) {
			retrans += ti.tcpi_total_retrans;
			segs_out += ti.tcpi_segs_out;
			segs_in += ti.tcpi_segs_in;
		}
		sb_abortive(streams[i].cfd);
		sb_abortive(streams[i].sfd);
	}
	printf("bulk %.1f bytes %ld secs %.2f busy %.0f retrans %ld segs_out %ld segs_in %ld\n",
	       (b1 - b0) / (t1 - t0) / 1e6, b1 - b0, t1 - t0,
	       all1 > all0 ? 100.0 * (busy1 - busy0) / (all1 - all0) : 0,
	       retrans, segs_out, segs_in);
	fflush(stdout);
	/* the writers and readers are still in their calls: exit ends them */
	_exit(0);
}

/* ---- request/response ---- */

static int rr_lfd, rr_size;

static void *sb_echo(void *arg)
{
	char *buf = malloc(rr_size);
	int fd = sb_accept(rr_lfd);

	(void)arg;
	if (!buf)
		xt_fatal("no memory");
	sb_nodelay(fd);
	while (!sb_read_full(fd, buf, rr_size) &&
	       !sb_write_full(fd, buf, rr_size))
		;
	sb_abortive(fd);
	close(fd);
	free(buf);
	return NULL;
}

static int sb_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int sb_rr(int port, int secs, int size)
{
	size_t n = 0, max = 1 << 22, i;
	double *lat = malloc(max * sizeof(*lat)), end, sum = 0;
	char *buf = calloc(1, size > 0 ? size : 1);
	pthread_t echo;
	int fd;

	if (!lat || !buf || size < 1)
		xt_fatal("rr: SIZE >= 1");
	if (getenv("XT_CPU")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(getenv("XT_CPU")), &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			xt_fatal("rr: CPU %s: %s", getenv("XT_CPU"), strerror(errno));
	}
	rr_size = size;
	rr_lfd = sb_listen(port, 1);
	pthread_create(&echo, NULL, sb_echo, NULL);
	fd = sb_connect();
	sb_nodelay(fd);
	for (i = 0; i < SB_RR_WARMUP; i++)
		if (sb_write_full(fd, buf, size) || sb_read_full(fd, buf, size))
			xt_fatal("rr: warm-up exchange %zu: %s", i, strerror(errno));
	end = xt_now() + secs;
	while (n < max) {
		double t0 = xt_now(), t1;

		if (sb_write_full(fd, buf, size) || sb_read_full(fd, buf, size))
			xt_fatal("rr: exchange %zu: %s", n, strerror(errno));
		t1 = xt_now();
		lat[n++] = (t1 - t0) * 1e6;
		sum += (t1 - t0) * 1e6;
		if (t1 >= end)
			break;
	}
	qsort(lat, n, sizeof(*lat), sb_cmp_double);
	printf("rr n %zu p50 %.1f p99 %.1f mean %.1f\n", n, lat[n / 2],
	       lat[n * 99 / 100], sum / n);
	fflush(stdout);
	sb_abortive(fd);
	close(fd);
	pthread_join(echo, NULL);
	return 0;
}

/* ---- memory held ---- */

struct sb_slab {
	char name[64];
	long objs, size;
};

struct sb_mem {
	struct sb_slab slab[SB_SLABS_MAX];
	int nslab;
	long proto_pages;	/* /proc/net/protocols "memory" of the stack */
	long memfree_kb;
};

static const char *sb_proto_name(void)
{
	return proto ? "TCP" : "XTCP";
}

static void sb_mem_read(struct sb_mem *m)
{
	char line[512], name[64];
	long a, b, c;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		xt_fatal("/proc/slabinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) && m->nslab < SB_SLABS_MAX) {
		struct sb_slab *s = &m->slab[m->nslab];

		if (sscanf(line, "%63s %ld %ld %ld", name, &a, &b, &c) != 4)
			continue;
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->objs = a;
		s->size = c;
		m->nslab++;
	}
	fclose(f);

	/* protocol size sockets memory press ... */
	f = fopen("/proc/net/protocols", "r");
	if (!f)
		xt_fatal("/proc/net/protocols: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld %ld %ld", name, &a, &b, &c) == 4 &&
		    !strcmp(name, sb_proto_name()))
			m->proto_pages = c;
	fclose(f);

	f = fopen("/proc/meminfo", "r");
	if (!f)
		xt_fatal("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld", &a) == 1)
			m->memfree_kb = a;
	fclose(f);
}

/* The growth of slab memory from @a to @b, in bytes; the top caches too. */
static long sb_slab_growth(const struct sb_mem *a, const struct sb_mem *b,
			   int conns, char *top, size_t len)
{
	long total = 0, grew[SB_SLABS_MAX];
	int i, j, k;

	for (i = 0; i < b->nslab; i++) {
		long before = 0;

		for (j = 0; j < a->nslab; j++)
			if (!strcmp(a->slab[j].name, b->slab[i].name))
				before = a->slab[j].objs;
		grew[i] = (b->slab[i].objs - before) * b->slab[i].size;
		total += grew[i];
	}
	top[0] = 0;
	for (k = 0; k < 4; k++) {
		int best = -1;
		size_t used = strlen(top);

		for (i = 0; i < b->nslab; i++)
			if (grew[i] > 0 && (best < 0 || grew[i] > grew[best]))
				best = i;
		if (best < 0 || grew[best] < conns * 16L)
			break;
		snprintf(top + used, len - used, "%s%s:%ld", k ? "," : "",
			 b->slab[best].name, grew[best] / conns);
		grew[best] = 0;
	}
	return total;
}

static void sb_mem_print(const char *what, const struct sb_mem *a,
			 const struct sb_mem *b, int conns)
{
	char top[512];
	long slab = sb_slab_growth(a, b, conns, top, sizeof(top));

	printf("hold %s slab %ld proto %ld memfree %ld top %s\n", what,
	       slab / conns, (b->proto_pages - a->proto_pages) * 4096 / conns,
	       (a->memfree_kb - b->memfree_kb) * 1024 / conns,
	       top[0] ? top : "-");
}

static int sb_hold(int port, int conns, int bytes)
{
	struct rlimit rl = { .rlim_cur = 2 * conns + 64,
			     .rlim_max = 2 * conns + 64 };
	struct sb_mem *m0 = malloc(sizeof(*m0)), *m1 = malloc(sizeof(*m1)),
		      *m2 = malloc(sizeof(*m2));
	int *cfd = calloc(conns, sizeof(int)), *sfd = calloc(conns, sizeof(int));
	char *buf = calloc(1, bytes > 0 ? bytes : 1);
	long inq = 0, rmem = 0, fwd = 0, rcvbuf = 0;
	int lfd, i, full = 0;
	double end;

	if (!m0 || !m1 || !m2 || !cfd || !sfd || !buf || conns < 1)
		xt_fatal("hold: no memory");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		xt_fatal("RLIMIT_NOFILE %d: %s", 2 * conns + 64, strerror(errno));
	lfd = sb_listen(port, conns);
	sleep(1);
	sb_mem_read(m0);
	for (i = 0; i < conns; i++) {
		cfd[i] = sb_connect();
		sfd[i] = sb_accept(lfd);
	}
	sleep(1);
	sb_mem_read(m1);
	for (i = 0; i < conns; i++)
		if (sb_write_full(cfd[i], buf, bytes))
			xt_fatal("hold: write: %s", strerror(errno));
	/* until every server socket has it all (or 20 s) */
	end = xt_now() + 20;
	do {
		usleep(100000);
		for (i = 0, full = 0; i < conns; i++) {
			int q = 0;

			if (!ioctl(sfd[i], SIOCINQ, &q) && q >= bytes)
				full++;
		}
	} while (full < conns && xt_now() < end);
	sleep(1);
	sb_mem_read(m2);
	for (i = 0; i < conns; i++) {
		__u32 mi[SK_MEMINFO_VARS];
		socklen_t len = sizeof(mi);
		int q = 0;

		memset(mi, 0, sizeof(mi));
		if (!getsockopt(sfd[i], SOL_SOCKET, SO_MEMINFO, mi, &len)) {
			rmem += mi[SK_MEMINFO_RMEM_ALLOC];
			fwd += mi[SK_MEMINFO_FWD_ALLOC];
			rcvbuf += mi[SK_MEMINFO_RCVBUF];
		}
		if (!ioctl(sfd[i], SIOCINQ, &q))
			inq += q;
	}

	{
		struct tcp_info ci, si;
		socklen_t len = sizeof(ci);

		memset(&ci, 0, sizeof(ci));
		memset(&si, 0, sizeof(si));
		getsockopt(cfd[0], IPPROTO_TCP, TCP_INFO, &ci, &len);
		len = sizeof(si);
		getsockopt(sfd[0], IPPROTO_TCP, TCP_INFO, &si, &len);
		printf("hold conns %d bytes %d full %d snd_mss %u rcv_mss %u\n",
		       conns, bytes, full, ci.tcpi_snd_mss, si.tcpi_rcv_mss);
	}
	sb_mem_print("idle", m0, m1, conns);
	sb_mem_print("held", m1, m2, conns);
	printf("hold server inq %ld rmem_alloc %ld fwd_alloc %ld rcvbuf %ld\n",
	       inq / conns, rmem / conns, fwd / conns, rcvbuf / conns);
	fflush(stdout);
	for (i = 0; i < conns; i++) {
		sb_abortive(cfd[i]);
		sb_abortive(sfd[i]);
		close(cfd[i]);
		close(sfd[i]);
	}
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *usage =
		"usage: streambench bulk tcp|xtcp ADDR PORT STREAMS SECONDS\n"
		"       streambench rr tcp|xtcp ADDR PORT SECONDS SIZE\n"
		"       streambench hold tcp|xtcp ADDR PORT CONNS BYTES";

	if (argc != 7)
		xt_fatal("%s", usage);
	family = strcmp(argv[2], "tcp") ? xt_family() : AF_INET;
	proto = strcmp(argv[2], "tcp") ? 0 : IPPROTO_TCP;
	dst.sin_family = family;
	dst.sin_port = htons(atoi(argv[4]));
	if (inet_pton(AF_INET, argv[3], &dst.sin_addr) != 1)
		xt_fatal("bad address %s", argv[3]);

	if (!strcmp(argv[1], "bulk"))
		return sb_bulk(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (!strcmp(argv[1], "rr"))
		return sb_rr(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	if (!strcmp(argv[1], "hold"))
		return sb_hold(atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
	xt_fatal("%s", usage);
}
