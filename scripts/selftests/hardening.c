// SPDX-License-Identifier: GPL-2.0
/*
 * hardening: the VM tests of issue 16's review, each run on Linux TCP and
 * on xtcp in the same network namespace, with TCP as the referee where
 * the two should agree.
 *
 *   hardening <case>
 *
 * Cases: wake, sigio, bind0, ports, connect_any, rst_ecn, flood_log,
 * synack_unroutable, backlog_userns, net_raw, cgroup_bpf, bound_dev, vrf,
 * proc_walk.
 *
 * Each run unshares a network namespace of its own:
 *
 *   lo 127.0.0.1
 *   hd0 10.77.0.1/24 ==veth== hd1 (no address)
 *        10.77.0.2: a static neighbour that is hd1's frame to drop, so a
 *        peer that never answers (a SYN to it is lost, a SYN-ACK too)
 *   10.78.0.0/24: blackhole route (nothing to it can be routed)
 *
 * bound_dev adds two more veth pairs, each end in this namespace:
 *
 *   bd0a 10.80.0.1/24 ==veth== bd0b (no address)
 *        10.80.0.2: a static neighbour, silent, as above
 *   bd1a 10.81.0.1/24 ==veth== bd1b (no address)
 *
 * and writes frames into bd0b and bd1b, which come out of bd0a and bd1a.
 *
 * Self-contained on purpose (no shared test helpers): exit 0 pass, 1 fail,
 * 4 skip (what the case needs is not in this kernel).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/xtcp.h>

static int hd_failures;
static int hd_skipped;
static int hd_xfamily = 18;
static int hd_xproto = 253;

#define HD_SILENT	"10.77.0.2"
#define HD_LOCAL	"10.77.0.1"
#define HD_UNROUTABLE	"10.78.0.2"

static void hd_check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "  ok: " : "  FAIL: ");
	if (!ok)
		hd_failures++;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void hd_fatal(const char *what)
{
	printf("  FATAL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long hd_read_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v = dflt;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return v;
}

static int hd_write(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(val, f) >= 0;
	if (fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

static void hd_run(const char *cmd)
{
	if (system(cmd))
		printf("  FATAL: '%s' failed\n", cmd), exit(1);
}

static long hd_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *hd_name(int fam)
{
	return fam == AF_INET ? "tcp" : "xtcp";
}

/* A counter of this namespace's /proc/net/xtcp_stat; -1 if absent. */
static long hd_stat(const char *name)
{
	char line[128], key[64];
	FILE *f = fopen("/proc/net/xtcp_stat", "r");
	long v, found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static struct sockaddr_in hd_sin(const char *ip, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

static int hd_socket(int fam)
{
	int s = socket(fam, SOCK_STREAM, 0);

	if (s < 0)
		hd_fatal("socket");
	return s;
}

static int hd_listener(int fam, const char *ip, int port, int backlog)
{
	struct sockaddr_in sin = hd_sin(ip, port);
	int s = hd_socket(fam), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) || listen(s, backlog))
		hd_fatal("bind/listen");
	return s;
}

static int hd_connect(int s, const char *ip, int port)
{
	struct sockaddr_in sin = hd_sin(ip, port);

	return connect(s, (struct sockaddr *)&sin, sizeof(sin));
}

static int hd_disconnect(int s)
{
	struct sockaddr sa = { .sa_family = AF_UNSPEC };

	return connect(s, &sa, sizeof(sa));
}

static int hd_local_port(int s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(s, (struct sockaddr *)&sin, &len))
		hd_fatal("getsockname");
	return ntohs(sin.sin_port);
}

/* Close now, with RST, leaving no TIME_WAIT behind (TCP). */
static void hd_close_rst(int s)
{
	struct linger lg = { 1, 0 };

	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

static void hd_setup_net(void)
{
	if (unshare(CLONE_NEWNET))
		hd_fatal("unshare(CLONE_NEWNET)");
	hd_run("/sbin/ip link set lo up");
	hd_run("/sbin/ip link add hd0 type veth peer name hd1");
	hd_run("/sbin/ip addr add " HD_LOCAL "/24 dev hd0");
	hd_run("/sbin/ip link set hd0 up");
	hd_run("/sbin/ip link set hd1 up");
	hd_run("/sbin/ip neigh add " HD_SILENT " lladdr 02:00:00:00:77:02 dev hd0 nud permanent");
	hd_run("/sbin/ip route add blackhole 10.78.0.0/24");
}

/* Is the socket's handshake to the silent peer under way (SYN_SENT)? */
static int hd_syn_sent(int fam, int s)
{
	char line[256];
	int found = 0;
	FILE *f;

	if (fam == AF_INET) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		return !getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) &&
		       ti.tcpi_state == 2;	/* TCP_SYN_SENT */
	}
	f = fopen("/proc/net/xtcp", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, HD_SILENT ":9 ") && strstr(line, "SYN_SENT"))
			found = 1;
	fclose(f);
	return found;
}

static int hd_wait_syn_sent(int fam, int s)
{
	long end = hd_ms() + 10000;

	while (hd_ms() < end) {
		if (hd_syn_sent(fam, s))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Is thread @tid blocked in syscall @nr? */
static int hd_in_syscall(pid_t tid, long nr)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	return hd_read_long(path, -1) == nr;
}

struct hd_call {
	int fd;
	int op;			/* 0 connect to the silent peer, 1 accept, 2 poll */
	pid_t tid;
	int ret;
	int err;
	short revents;
	long took_ms;
};

static void *hd_call_thread(void *arg)
{
	struct hd_call *c = arg;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLOUT };
	long t0 = hd_ms();

	c->tid = syscall(SYS_gettid);
	if (c->op == 0)
		c->ret = hd_connect(c->fd, HD_SILENT, 9);
	else if (c->op == 1)
		c->ret = accept(c->fd, NULL, NULL);
	else
		c->ret = poll(&pfd, 1, 8000);
	c->err = errno;
	c->revents = pfd.revents;
	c->took_ms = hd_ms() - t0;
	return NULL;
}

/* Run @c in a thread; disconnect its socket once it is blocked. */
static void hd_disconnect_under(int fam, struct hd_call *c)
{
	long nr = c->op == 0 ? SYS_connect : c->op == 1 ? SYS_accept : SYS_poll;
	struct timeval tv = { .tv_sec = 8 };
	pthread_t th;
	long end;

	/* a bound on a wait that never ends: it fails the check below */
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	c->tid = 0;
	pthread_create(&th, NULL, hd_call_thread, c);
	end = hd_ms() + 10000;
	while (hd_ms() < end && !(c->tid && hd_in_syscall(c->tid, nr)))
		usleep(5000);
	if (c->op != 1 && !hd_wait_syn_sent(fam, c->fd))
		hd_check(0, "%s: no SYN_SENT to the silent peer", hd_name(fam));
	hd_check(hd_disconnect(c->fd) == 0, "%s: connect(AF_UNSPEC) from another thread",
		 hd_name(fam));
	pthread_join(th, NULL);
}

/* Item 2: disconnect wakes a blocked connect(), accept() and poll(). */
static void hd_wake_one(int fam, struct hd_call res[3])
{
	int s, op;

	for (op = 0; op < 3; op++) {
		struct hd_call *c = &res[op];

		memset(c, 0, sizeof(*c));
		c->op = op;
		if (op == 1) {
			s = hd_listener(fam, "127.0.0.1", 7100, 4);
		} else {
			s = hd_socket(fam);
			if (op == 2) {
				fcntl(s, F_SETFL, O_NONBLOCK);
				if (hd_connect(s, HD_SILENT, 9) != -1 ||
				    errno != EINPROGRESS)
					hd_fatal("non-blocking connect");
			}
		}
		c->fd = s;
		hd_disconnect_under(fam, c);
		printf("  %s %s: ret %d errno %d (%s) revents 0x%x after %ld ms\n",
		       hd_name(fam), op == 0 ? "connect" : op == 1 ? "accept" : "poll",
		       c->ret, c->ret < 0 ? c->err : 0,
		       c->ret < 0 ? strerror(c->err) : "-", c->revents,
		       c->took_ms);
		/* woken by the disconnect, not by the 8 s bound */
		hd_check(c->took_ms < 5000, "%s %s returned on the disconnect",
			 hd_name(fam), op == 0 ? "connect" : op == 1 ? "accept" : "poll");
		close(s);
	}
}

static void hd_wake(void)
{
	struct hd_call tcp[3], x[3];
	int op;

	hd_wake_one(AF_INET, tcp);
	hd_wake_one(hd_xfamily, x);
	for (op = 0; op < 3; op++) {
		hd_check(x[op].ret == tcp[op].ret &&
			 (x[op].ret >= 0 || x[op].err == tcp[op].err),
			 "op %d: xtcp ret %d errno %d, as TCP (%d, %d)", op,
			 x[op].ret, x[op].err, tcp[op].ret, tcp[op].err);
	}
	hd_check(x[2].revents == tcp[2].revents,
		 "poll: xtcp revents 0x%x, as TCP (0x%x)", x[2].revents,
		 tcp[2].revents);
}

/* Item 15: a completed non-blocking connect sends SIGIO to O_ASYNC users. */
static volatile sig_atomic_t hd_sigio;

static void hd_on_sigio(int sig)
{
	(void)sig;
	hd_sigio++;
}

static void hd_sigio_one(int fam, int port)
{
	int l = hd_listener(fam, "127.0.0.1", port, 4), s = hd_socket(fam);
	long end;

	hd_sigio = 0;
	if (fcntl(s, F_SETOWN, getpid()) ||
	    fcntl(s, F_SETFL, O_NONBLOCK | O_ASYNC))
		hd_fatal("fcntl O_ASYNC");
	if (hd_connect(s, "127.0.0.1", port) && errno != EINPROGRESS)
		hd_fatal("connect");
	end = hd_ms() + 3000;
	while (!hd_sigio && hd_ms() < end)
		usleep(10000);
	hd_check(hd_sigio > 0, "%s: SIGIO when the connect completed (%d)",
		 hd_name(fam), (int)hd_sigio);
	close(s);
	close(l);
}

static void hd_sigio_case(void)
{
	signal(SIGIO, hd_on_sigio);
	hd_sigio_one(AF_INET, 7200);
	hd_sigio_one(hd_xfamily, 7201);
}

/* Item 14: a port bind(0) chose is given back by a disconnect. */
static int hd_bind0_one(int fam, int lport)
{
	struct sockaddr_in any = hd_sin("0.0.0.0", 0), again;
	int l = hd_listener(fam, "127.0.0.1", lport, 4), c = hd_socket(fam);
	int t = hd_socket(fam), a, port, ret;

	if (bind(c, (struct sockaddr *)&any, sizeof(any)))
		hd_fatal("bind(0)");
	port = hd_local_port(c);
	if (hd_connect(c, "127.0.0.1", lport))
		hd_fatal("connect");
	a = accept(l, NULL, NULL);
	hd_check(hd_disconnect(c) == 0, "%s: disconnect", hd_name(fam));
	again = hd_sin("127.0.0.1", port);
	ret = bind(t, (struct sockaddr *)&again, sizeof(again));
	printf("  %s: bind to the freed port %d: %s\n", hd_name(fam), port,
	       ret ? strerror(errno) : "ok");
	close(t);
	close(c);
	if (a >= 0)
		close(a);
	close(l);
	return ret;
}

static void hd_bind0(void)
{
	int tcp = hd_bind0_one(AF_INET, 7300);
	int x = hd_bind0_one(hd_xfamily, 7301);

	hd_check(tcp == 0, "tcp gives the port back");
	hd_check(x == tcp, "xtcp gives it back too");
}

/* Item 3: successive connects to one destination are not consecutive. */
#define HD_PORTS_N	24

static void hd_ports_one(int fam, int lport)
{
	int l = hd_listener(fam, "127.0.0.1", lport, 64);
	int ports[HD_PORTS_N], i, j, ones = 0, distinct = 0;
	int deltas[HD_PORTS_N];

	for (i = 0; i < HD_PORTS_N; i++) {
		int c = hd_socket(fam), a;

		if (hd_connect(c, "127.0.0.1", lport))
			hd_fatal("connect");
		ports[i] = hd_local_port(c);
		a = accept(l, NULL, NULL);
		hd_close_rst(c);
		if (a >= 0)
			hd_close_rst(a);
	}
	printf("  %s ports:", hd_name(fam));
	for (i = 0; i < HD_PORTS_N; i++)
		printf(" %d", ports[i]);
	putchar('\n');
	for (i = 1; i < HD_PORTS_N; i++) {
		deltas[i] = ports[i] - ports[i - 1];
		if (deltas[i] == 1)
			ones++;
		for (j = 1; j < i && deltas[j] != deltas[i]; j++)
			;
		if (j == i)
			distinct++;
	}
	/* Linux: steps of 2..16; ours 1..16, so about 1 in 16 is +1 */
	hd_check(ones <= 10, "%s: %d of %d steps are +1", hd_name(fam), ones,
		 HD_PORTS_N - 1);
	hd_check(distinct >= 4, "%s: %d distinct steps", hd_name(fam), distinct);
	close(l);
}

static void hd_ports(void)
{
	hd_ports_one(AF_INET, 7400);
	hd_ports_one(hd_xfamily, 7401);
}

/* Item 5: connect() to 0.0.0.0 reaches the local host, as TCP's does. */
static void hd_connect_any_one(int fam, int port)
{
	struct timeval tv = { .tv_sec = 4 };
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int l = hd_listener(fam, "0.0.0.0", port, 4), c = hd_socket(fam);
	int ret;
	char ip[32] = "?";

	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = hd_connect(c, "0.0.0.0", port);
	hd_check(ret == 0, "%s: connect(0.0.0.0:%d) -> %s", hd_name(fam), port,
		 ret ? strerror(errno) : "connected");
	if (!ret && !getpeername(c, (struct sockaddr *)&peer, &len))
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
	hd_check(!ret && !strcmp(ip, "127.0.0.1"), "%s: peer is %s",
		 hd_name(fam), ip);
	close(c);
	close(l);
}

static void hd_connect_any(void)
{
	hd_connect_any_one(AF_INET, 7500);
	hd_connect_any_one(hd_xfamily, 7501);
}

/* A bare TCP header (20 bytes), checksummed with the TCP pseudo-header. */
static uint16_t hd_csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void hd_tcphdr(struct tcphdr *th, uint32_t saddr, uint32_t daddr,
		      int sport, int dport, uint32_t seq)
{
	uint32_t sum;

	memset(th, 0, sizeof(*th));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->doff = 5;
	th->syn = 1;
	th->window = htons(1024);
	sum = (ntohl(saddr) >> 16) + (ntohl(saddr) & 0xffff) +
	      (ntohl(daddr) >> 16) + (ntohl(daddr) & 0xffff) +
	      IPPROTO_TCP + sizeof(*th);
	th->check = htons(hd_csum(th, sizeof(*th), sum));
}

/* Item 9: a RST does not copy the ECN bits of the segment it answers. */
static int hd_rst_tos(int proto, int sport)
{
	struct sockaddr_in dst = hd_sin("127.0.0.1", 9);
	int r = socket(AF_INET, SOCK_RAW, proto), tos = 0x20 | 0x03;
	struct timeval tv = { .tv_sec = 1 };
	unsigned char buf[1500];
	struct tcphdr th;
	long end;

	if (r < 0)
		hd_fatal("raw socket");
	setsockopt(r, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	setsockopt(r, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	hd_tcphdr(&th, dst.sin_addr.s_addr, dst.sin_addr.s_addr, sport, 9, 1000);
	if (sendto(r, &th, sizeof(th), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		hd_fatal("sendto");
	end = hd_ms() + 3000;
	while (hd_ms() < end) {
		ssize_t n = recv(r, buf, sizeof(buf), 0);
		struct iphdr *iph = (struct iphdr *)buf;
		struct tcphdr *rh;

		if (n < (ssize_t)(sizeof(*iph) + sizeof(*rh)))
			continue;
		rh = (struct tcphdr *)(buf + iph->ihl * 4);
		if (ntohs(rh->source) == 9 && ntohs(rh->dest) == sport && rh->rst) {
			close(r);
			return iph->tos;
		}
	}
	close(r);
	return -1;
}

static void hd_rst_ecn(void)
{
	int tcp = hd_rst_tos(IPPROTO_TCP, 41000);
	int x = hd_rst_tos(hd_xproto, 41001);

	printf("  RST tos for a SYN with tos 0x23: tcp 0x%x, xtcp 0x%x\n", tcp, x);
	hd_check(tcp >= 0 && !(tcp & 3), "tcp: RST without ECN bits");
	hd_check(x >= 0 && !(x & 3), "xtcp: RST without ECN bits");
	hd_check(x == tcp, "xtcp's RST tos is TCP's");
}

/* Send an xtcp SYN from @saddr:@sport, as a spoofer would. */
static void hd_spoof_syn(int raw, const char *saddr, int sport,
			 const char *daddr, int dport)
{
	unsigned char pkt[sizeof(struct iphdr) + sizeof(struct tcphdr)];
	struct iphdr *iph = (struct iphdr *)pkt;
	struct sockaddr_in dst = hd_sin(daddr, dport);

	memset(pkt, 0, sizeof(pkt));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = hd_xproto;
	iph->tot_len = htons(sizeof(pkt));
	inet_pton(AF_INET, saddr, &iph->saddr);
	iph->daddr = dst.sin_addr.s_addr;
	hd_tcphdr((struct tcphdr *)(iph + 1), iph->saddr, iph->daddr, sport,
		  dport, 7000 + sport);
	if (sendto(raw, pkt, sizeof(pkt), 0, (struct sockaddr *)&dst,
		   sizeof(dst)) < 0)
		hd_fatal("sendto (raw)");
}

static int hd_raw_hdrincl(void)
{
	int one = 1, r = socket(AF_INET, SOCK_RAW, hd_xproto);

	if (r < 0 || setsockopt(r, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)))
		hd_fatal("raw socket");
	return r;
}

/* Kernel log records from @fd (positioned earlier) that contain @what. */
static int hd_kmsg_count(int fd, const char *what)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		if (strstr(rec, what))
			n++;
	}
	return n;
}

/*
 * Item 4: the SYN-flood line has a global bound. Each of HD_FLOOD
 * listeners (backlog 0: room for one request) gets two spoofed SYNs from
 * the silent peer: the first makes a request, the second finds the queue
 * full and gets a cookie, which is worth a log line per listener.
 */
#define HD_FLOOD	200

static void hd_flood_log(void)
{
	int fds[HD_FLOOD], raw = hd_raw_hdrincl(), kmsg, i, lines;
	long sent0 = hd_stat("SyncookiesSent"), sup0, sup;

	sup0 = hd_stat("SynFloodLogSuppressed");
	for (i = 0; i < HD_FLOOD; i++)
		fds[i] = hd_listener(hd_xfamily, HD_LOCAL, 20000 + i, 0);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0)
		hd_fatal("/dev/kmsg");
	for (i = 0; i < HD_FLOOD; i++) {
		hd_spoof_syn(raw, HD_SILENT, 30000 + 2 * i, HD_LOCAL, 20000 + i);
		hd_spoof_syn(raw, HD_SILENT, 30001 + 2 * i, HD_LOCAL, 20000 + i);
	}
	usleep(200000);
	lines = hd_kmsg_count(kmsg, "possible SYN flood on " HD_LOCAL ":");
	sup = hd_stat("SynFloodLogSuppressed");
	printf("  %d listeners flooded: %d log lines, SynFloodLogSuppressed %ld -> %ld, SyncookiesSent +%ld\n",
	       HD_FLOOD, lines, sup0, sup, hd_stat("SyncookiesSent") - sent0);
	hd_check(hd_stat("SyncookiesSent") - sent0 == HD_FLOOD,
		 "every listener sent its cookie");
	hd_check(lines <= 10, "at most 10 lines in all (%d)", lines);
	hd_check(sup >= 0 && lines + (sup - sup0) == HD_FLOOD,
		 "every line not printed is counted");
	for (i = 0; i < HD_FLOOD; i++)
		close(fds[i]);
	close(kmsg);
	close(raw);
}

/*
 * Item 4, second part: a SYN whose SYN-ACK cannot be routed. xtcp keeps
 * the request (Linux drops it): see README, "Where xtcp differs".
 */
static void hd_synack_unroutable(void)
{
	int l = hd_listener(hd_xfamily, HD_LOCAL, 7600, 8), raw = hd_raw_hdrincl();
	long out0 = hd_stat("OutSegs");
	struct xtcp_listen_info info;
	socklen_t len = sizeof(info);

	hd_spoof_syn(raw, HD_UNROUTABLE, 5555, HD_LOCAL, 7600);
	usleep(100000);
	memset(&info, 0, sizeof(info));
	if (getsockopt(l, SOL_XTCP, XTCP_LISTEN_INFO, &info, &len))
		hd_fatal("XTCP_LISTEN_INFO");
	hd_check(info.syn_qlen == 1, "the request is kept (syn_qlen %u)",
		 info.syn_qlen);
	hd_check(hd_stat("OutSegs") == out0, "no SYN-ACK went out");
	close(raw);
	close(l);
}

/*
 * Item 16: in a namespace a user namespace owns, max_syn_backlog is
 * capped at 65536; the initial namespace keeps 1..1048576.
 */
static void hd_backlog_userns(void)
{
	const char *p = "/proc/sys/net/xtcp/max_syn_backlog";
	int st;
	pid_t pid;

	hd_check(hd_write(p, "1048576") == 0, "own netns of the initial user ns: 1048576 taken");
	hd_write(p, "4096");
	pid = fork();
	if (!pid) {
		/* a kernel without user namespaces (the debug kernel): 3 */
		if (unshare(CLONE_NEWUSER))
			_exit(errno == EINVAL ? 3 : 4);
		if (hd_write("/proc/self/uid_map", "0 0 1") || unshare(CLONE_NEWNET))
			_exit(4);
		if (hd_write(p, "1048576") == 0 || errno != EINVAL)
			_exit(1);
		if (hd_write(p, "65536") || hd_read_long(p, 0) != 65536)
			_exit(2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		/* checked on Debian's kernels, which have user namespaces */
		printf("  skipped: this kernel has no user namespaces\n");
		return;
	}
	hd_check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "user-ns netns: 1048576 refused (EINVAL), 65536 taken (exit %d)",
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/*
 * Item 1: socket_needs_net_raw. Without CAP_NET_RAW (in the namespace's
 * user namespace) socket(AF_XTCP) gives EPERM, as a raw socket does;
 * TCP needs nothing.
 */
#define HD_NET_RAW	"/proc/sys/net/xtcp/socket_needs_net_raw"
#define HD_NO_USERNS	-2

/* Take CAP_NET_RAW out of this process's effective and permitted sets. */
static int hd_drop_net_raw(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1u << CAP_NET_RAW);
	d[0].permitted &= ~(1u << CAP_NET_RAW);
	return syscall(SYS_capset, &h, d);
}

/*
 * socket() in a child that first drops CAP_NET_RAW (@drop) and unshares
 * @ns: 0 if it worked, else its errno; -1 if the child could not be set
 * up, HD_NO_USERNS in a kernel without user namespaces.
 */
static int hd_socket_as(int drop, int ns, int fam, int type, int proto)
{
	pid_t pid = fork();
	int st, fd;

	if (!pid) {
		if (drop && hd_drop_net_raw())
			_exit(250);
		if (ns && unshare(ns))
			_exit(errno == EINVAL ? 251 : 250);
		fd = socket(fam, type, proto);
		_exit(fd < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	st = WEXITSTATUS(st);
	return st == 250 ? -1 : st == 251 ? HD_NO_USERNS : st;
}

static const char *hd_errname(int e)
{
	return e == 0 ? "allowed" : e > 0 ? strerror(e) : "setup failed";
}

static void hd_net_raw(void)
{
	int raw, tcp, x;

	hd_check(hd_read_long(HD_NET_RAW, -1) == 1,
		 "socket_needs_net_raw is 1 in a new namespace");
	raw = hd_socket_as(1, 0, AF_INET, SOCK_RAW, IPPROTO_TCP);
	tcp = hd_socket_as(1, 0, AF_INET, SOCK_STREAM, 0);
	x = hd_socket_as(1, 0, hd_xfamily, SOCK_STREAM, 0);
	printf("  without CAP_NET_RAW: raw %s, tcp %s, xtcp %s\n",
	       hd_errname(raw), hd_errname(tcp), hd_errname(x));
	hd_check(raw == EPERM, "raw socket: EPERM (the referee)");
	hd_check(tcp == 0, "tcp socket: allowed");
	hd_check(x == EPERM, "xtcp socket: EPERM, as the raw socket");
	hd_check(hd_socket_as(0, 0, hd_xfamily, SOCK_STREAM, 0) == 0,
		 "xtcp socket with CAP_NET_RAW: allowed");

	if (hd_write(HD_NET_RAW, "0"))
		hd_fatal(HD_NET_RAW);
	x = hd_socket_as(1, 0, hd_xfamily, SOCK_STREAM, 0);
	hd_check(x == 0, "socket_needs_net_raw=0: xtcp without CAP_NET_RAW %s",
		 hd_errname(x));
	hd_write(HD_NET_RAW, "1");

	/* the capability counts in the user namespace owning the netns */
	x = hd_socket_as(0, CLONE_NEWUSER, hd_xfamily, SOCK_STREAM, 0);
	if (x == HD_NO_USERNS) {
		printf("  skipped the user-namespace cases: this kernel has none\n");
		return;
	}
	raw = hd_socket_as(0, CLONE_NEWUSER, AF_INET, SOCK_RAW, IPPROTO_TCP);
	hd_check(raw == EPERM && x == EPERM,
		 "new user ns in this netns: raw %s, xtcp %s", hd_errname(raw),
		 hd_errname(x));
	raw = hd_socket_as(0, CLONE_NEWUSER | CLONE_NEWNET, AF_INET, SOCK_RAW,
			   IPPROTO_TCP);
	x = hd_socket_as(0, CLONE_NEWUSER | CLONE_NEWNET, hd_xfamily,
			 SOCK_STREAM, 0);
	hd_check(raw == 0 && x == 0,
		 "new user ns with a netns of its own: raw %s, xtcp %s",
		 hd_errname(raw), hd_errname(x));
}

/*
 * Item 1: the cgroup-BPF hooks, with programs of two to four
 * instructions loaded by hand (no bpftool in the VM). The sock_create and
 * post_bind4 programs run for xtcp sockets as for TCP's; egress programs
 * run for TCP's only, since the kernel skips other families (README,
 * "Security").
 */
#define HD_CG_ROOT	"/tmp/hd_cg"
#define HD_CG		HD_CG_ROOT "/hd"

static int hd_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

/* Load @n instructions as a program of @type for @attach; its fd or -1. */
static int hd_bpf_load(int type, int attach, const struct bpf_insn *insns,
		       unsigned int n)
{
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = type;
	a.expected_attach_type = attach;
	a.insns = (uintptr_t)insns;
	a.insn_cnt = n;
	a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	fd = hd_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		printf("  BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
	return fd;
}

/* A program that sets the socket's mark to @mark (unless 0), returns @ret. */
static int hd_bpf_prog(int type, int attach, int ret, int mark)
{
	struct bpf_insn insns[4], *p = insns;

	memset(insns, 0, sizeof(insns));
	if (mark) {
		p->code = BPF_ALU64 | BPF_MOV | BPF_K;
		p->dst_reg = BPF_REG_2;
		p++->imm = mark;
		p->code = BPF_STX | BPF_MEM | BPF_W;
		p->dst_reg = BPF_REG_1;
		p->src_reg = BPF_REG_2;
		p++->off = offsetof(struct bpf_sock, mark);
	}
	p->code = BPF_ALU64 | BPF_MOV | BPF_K;
	p->dst_reg = BPF_REG_0;
	p++->imm = ret;
	p++->code = BPF_JMP | BPF_EXIT;
	return hd_bpf_load(type, attach, insns, p - insns);
}

static void hd_bpf_attach(int cg, int prog, int type, int attach)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = cg;
	a.attach_bpf_fd = prog;
	a.attach_type = type;
	if (hd_bpf(attach ? BPF_PROG_ATTACH : BPF_PROG_DETACH, &a))
		hd_fatal(attach ? "BPF_PROG_ATTACH" : "BPF_PROG_DETACH");
}

/*
 * A sock_release program that counts the sockets it sees in a one-slot
 * array map: *map[0] += 1, return 1. Its map's fd through *map_fd.
 */
static int hd_bpf_release_counter(int *map_fd)
{
	struct bpf_insn insns[12], *p = insns;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 1;
	*map_fd = hd_bpf(BPF_MAP_CREATE, &a);
	if (*map_fd < 0)
		hd_fatal("BPF_MAP_CREATE");

	memset(insns, 0, sizeof(insns));
	/* *(u32 *)(fp - 4) = 0: the key */
	p->code = BPF_ST | BPF_MEM | BPF_W;
	p->dst_reg = BPF_REG_10;
	p++->off = -4;
	p->code = BPF_ALU64 | BPF_MOV | BPF_X;
	p->dst_reg = BPF_REG_2;
	p++->src_reg = BPF_REG_10;
	p->code = BPF_ALU64 | BPF_ADD | BPF_K;
	p->dst_reg = BPF_REG_2;
	p++->imm = -4;
	/* r1 = the map (a two-slot load), r0 = lookup(r1, r2) */
	p->code = BPF_LD | BPF_DW | BPF_IMM;
	p->dst_reg = BPF_REG_1;
	p->src_reg = BPF_PSEUDO_MAP_FD;
	p++->imm = *map_fd;
	p++;
	p->code = BPF_JMP | BPF_CALL;
	p++->imm = BPF_FUNC_map_lookup_elem;
	/* if (r0) *(u64 *)r0 += 1, atomically */
	p->code = BPF_JMP | BPF_JEQ | BPF_K;
	p->dst_reg = BPF_REG_0;
	p++->off = 2;
	p->code = BPF_ALU64 | BPF_MOV | BPF_K;
	p->dst_reg = BPF_REG_1;
	p++->imm = 1;
	p->code = BPF_STX | BPF_ATOMIC | BPF_DW;
	p->dst_reg = BPF_REG_0;
	p->src_reg = BPF_REG_1;
	p++->imm = BPF_ADD;
	p->code = BPF_ALU64 | BPF_MOV | BPF_K;
	p->dst_reg = BPF_REG_0;
	p++->imm = 1;
	p++->code = BPF_JMP | BPF_EXIT;
	return hd_bpf_load(BPF_PROG_TYPE_CGROUP_SOCK,
			   BPF_CGROUP_INET_SOCK_RELEASE, insns, p - insns);
}

/* The counter of hd_bpf_release_counter()'s map. */
static long long hd_bpf_counter(int map_fd)
{
	unsigned long long v = 0;
	unsigned int key = 0;
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.map_fd = map_fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&v;
	if (hd_bpf(BPF_MAP_LOOKUP_ELEM, &a))
		hd_fatal("BPF_MAP_LOOKUP_ELEM");
	return (long long)v;
}

/* How many sock_release runs do @n sockets of @fam opened and closed make? */
static long long hd_cg_releases(int fam, int n, int map_fd)
{
	long long before = hd_bpf_counter(map_fd);
	int i;

	for (i = 0; i < n; i++)
		close(hd_socket(fam));
	return hd_bpf_counter(map_fd) - before;
}

static void hd_cgroup_join(const char *dir)
{
	char path[128], pid[16];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (hd_write(path, pid))
		hd_fatal(path);
}

/* A cgroup of our own in a private cgroup2 mount; -1 if there are none. */
static int hd_cgroup_make(void)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		hd_fatal("private mount namespace");
	mkdir(HD_CG_ROOT, 0755);
	if (mount("cgroup2", HD_CG_ROOT, "cgroup2", 0, NULL)) {
		if (errno == ENODEV)
			return -1;
		hd_fatal("mount cgroup2");
	}
	if (mkdir(HD_CG, 0755) && errno != EEXIST)
		hd_fatal(HD_CG);
	return open(HD_CG, O_RDONLY | O_DIRECTORY);
}

/* 0 or the errno of socket(), and the mark it came with. */
static int hd_cg_socket(int fam, int *mark)
{
	socklen_t len = sizeof(*mark);
	int s = socket(fam, SOCK_STREAM, 0), e = errno;

	if (s < 0)
		return e;
	*mark = -1;
	getsockopt(s, SOL_SOCKET, SO_MARK, mark, &len);
	close(s);
	return 0;
}

/* bind() to @port: 0 or its errno; the socket binds again once allowed. */
static int hd_cg_bind(int fam, int port, int *again, int cg, int prog)
{
	struct sockaddr_in sin = hd_sin("127.0.0.1", port);
	int s = hd_socket(fam), ret;

	ret = bind(s, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET4_POST_BIND, 0);
	*again = bind(s, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET4_POST_BIND, 1);
	close(s);
	return ret;
}

/* Does a connect() to @port complete within 1.5 s? */
static int hd_cg_connects(int fam, int port)
{
	int s = hd_socket(fam), err = -1;
	struct pollfd pfd = { .fd = s, .events = POLLOUT };
	socklen_t len = sizeof(err);

	fcntl(s, F_SETFL, O_NONBLOCK);
	if (hd_connect(s, "127.0.0.1", port) && errno != EINPROGRESS)
		err = errno;
	else if (poll(&pfd, 1, 1500) == 1)
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
	hd_close_rst(s);
	return err == 0;
}

static void hd_cgroup_bpf(void)
{
	int cg = hd_cgroup_make(), prog, lt, lx, tcp, x, mt, mx, at, ax;

	if (cg < 0) {
		printf("  skipped: this kernel has no cgroup2\n");
		hd_skipped = 1;
		return;
	}
	/* made outside the cgroup: only what its own sockets do is policed */
	lt = hd_listener(AF_INET, "127.0.0.1", 7700, 8);
	lx = hd_listener(hd_xfamily, "127.0.0.1", 7701, 8);
	hd_cgroup_join(HD_CG);

	prog = hd_bpf_prog(BPF_PROG_TYPE_CGROUP_SOCK,
			   BPF_CGROUP_INET_SOCK_CREATE, 0, 0);
	if (prog < 0 && (errno == ENOSYS || errno == EINVAL)) {
		printf("  skipped: this kernel has no cgroup BPF\n");
		hd_skipped = 1;
		goto out;
	}
	if (prog < 0)
		hd_fatal("BPF_PROG_LOAD");
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_CREATE, 1);
	tcp = hd_cg_socket(AF_INET, &mt);
	x = hd_cg_socket(hd_xfamily, &mx);
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_CREATE, 0);
	close(prog);
	printf("  sock_create says no: tcp %s, xtcp %s\n", hd_errname(tcp),
	       hd_errname(x));
	hd_check(tcp == EPERM, "tcp: socket() EPERM");
	hd_check(x == EPERM, "xtcp: socket() EPERM too");

	prog = hd_bpf_prog(BPF_PROG_TYPE_CGROUP_SOCK,
			   BPF_CGROUP_INET_SOCK_CREATE, 1, 0x5a);
	if (prog < 0)
		hd_fatal("BPF_PROG_LOAD (mark)");
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_CREATE, 1);
	tcp = hd_cg_socket(AF_INET, &mt);
	x = hd_cg_socket(hd_xfamily, &mx);
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_CREATE, 0);
	close(prog);
	hd_check(!tcp && mt == 0x5a, "tcp: sock_create set the mark (0x%x)", mt);
	hd_check(!x && mx == 0x5a, "xtcp: sock_create set the mark (0x%x)", mx);

	prog = hd_bpf_prog(BPF_PROG_TYPE_CGROUP_SOCK,
			   BPF_CGROUP_INET4_POST_BIND, 0, 0);
	if (prog < 0)
		hd_fatal("BPF_PROG_LOAD (post_bind4)");
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET4_POST_BIND, 1);
	tcp = hd_cg_bind(AF_INET, 7702, &at, cg, prog);
	x = hd_cg_bind(hd_xfamily, 7703, &ax, cg, prog);
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET4_POST_BIND, 0);
	close(prog);
	printf("  post_bind4 says no: tcp %s, xtcp %s\n", hd_errname(tcp),
	       hd_errname(x));
	hd_check(tcp == EPERM && at == 0,
		 "tcp: bind() EPERM, then binds once allowed (%s)", hd_errname(at));
	hd_check(x == EPERM && ax == 0,
		 "xtcp: bind() EPERM, then binds once allowed (%s)", hd_errname(ax));

	prog = hd_bpf_prog(BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_EGRESS,
			   0, 0);
	if (prog < 0)
		hd_fatal("BPF_PROG_LOAD (egress)");
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_EGRESS, 1);
	tcp = hd_cg_connects(AF_INET, 7700);
	x = hd_cg_connects(hd_xfamily, 7701);
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_EGRESS, 0);
	close(prog);
	printf("  egress drops everything: tcp %s, xtcp %s\n",
	       tcp ? "connects" : "does not connect",
	       x ? "connects" : "does not connect");
	hd_check(!tcp, "tcp: the egress program stops the handshake");
	/* if this fails, the kernel now covers xtcp: update README */
	hd_check(x, "xtcp: cgroup egress programs do not see it (README, Security)");

	prog = hd_bpf_release_counter(&mt);
	if (prog < 0)
		hd_fatal("BPF_PROG_LOAD (sock_release)");
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_RELEASE, 1);
	at = hd_cg_releases(AF_INET, 3, mt);
	ax = hd_cg_releases(hd_xfamily, 3, mt);
	hd_bpf_attach(cg, prog, BPF_CGROUP_INET_SOCK_RELEASE, 0);
	close(prog);
	close(mt);
	printf("  sock_release ran for 3 closes: tcp %d, xtcp %d\n", at, ax);
	hd_check(at == 3, "tcp: sock_release saw every close");
	hd_check(ax == 3, "xtcp: sock_release saw every close too");
out:
	hd_cgroup_join(HD_CG_ROOT);
	rmdir(HD_CG);
	close(cg);
	close(lt);
	close(lx);
}

/*
 * Item 13: a socket or request bound to a device hears only that
 * device. Segments for a bound socket's 4-tuple are written into the
 * veth pair of the other device: TCP finds no socket and answers RST,
 * and so must xtcp. The same segments through the right device reach it.
 */
#define HD_BD_LOCAL	"10.80.0.1"
#define HD_BD_PEER	"10.80.0.2"

static const unsigned char hd_bd0a_mac[6] = { 2, 0, 0, 0, 0x80, 1 };
static const unsigned char hd_bd1a_mac[6] = { 2, 0, 0, 0, 0x81, 1 };

static void hd_bd_setup(void)
{
	hd_run("/sbin/ip link add bd0a address 02:00:00:00:80:01 type veth peer name bd0b address 02:00:00:00:80:02");
	hd_run("/sbin/ip link add bd1a address 02:00:00:00:81:01 type veth peer name bd1b address 02:00:00:00:81:02");
	hd_run("/sbin/ip addr add " HD_BD_LOCAL "/24 dev bd0a");
	hd_run("/sbin/ip addr add 10.81.0.1/24 dev bd1a");
	hd_run("/sbin/ip link set bd0a up");
	hd_run("/sbin/ip link set bd0b up");
	hd_run("/sbin/ip link set bd1a up");
	hd_run("/sbin/ip link set bd1b up");
	hd_run("/sbin/ip neigh add " HD_BD_PEER " lladdr 02:00:00:00:80:02 dev bd0a nud permanent");
	/* a segment from 10.80.0.2 on bd1a is what this test sends on purpose */
	if (hd_write("/proc/sys/net/ipv4/conf/all/rp_filter", "0") ||
	    hd_write("/proc/sys/net/ipv4/conf/bd1a/rp_filter", "0"))
		hd_fatal("rp_filter");
}

/*
 * A SYN from @peer:@sport to @local:@dport, written into @dev to come out
 * of its veth peer, whose MAC is @dmac.
 */
static void hd_bd_syn(const char *dev, const unsigned char *dmac, int proto,
		      const char *peer, int sport, const char *local, int dport)
{
	unsigned char f[ETH_HLEN + sizeof(struct iphdr) + sizeof(struct tcphdr)];
	struct iphdr *iph = (struct iphdr *)(f + ETH_HLEN);
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = if_nametoindex(dev),
		.sll_halen = ETH_ALEN,
	};
	int p = socket(AF_PACKET, SOCK_RAW, 0);

	if (p < 0 || !ll.sll_ifindex)
		hd_fatal("packet socket");
	memset(f, 0, sizeof(f));
	memcpy(f, dmac, ETH_ALEN);
	memcpy(ll.sll_addr, dmac, ETH_ALEN);
	f[6] = 2;			/* a locally administered source MAC */
	f[11] = 0x99;
	f[12] = ETH_P_IP >> 8;
	f[13] = ETH_P_IP & 0xff;
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(f) - ETH_HLEN);
	inet_pton(AF_INET, peer, &iph->saddr);
	inet_pton(AF_INET, local, &iph->daddr);
	iph->check = htons(hd_csum(iph, sizeof(*iph), 0));
	hd_tcphdr((struct tcphdr *)(iph + 1), iph->saddr, iph->daddr, sport,
		  dport, 9000 + sport);
	if (sendto(p, f, sizeof(f), 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		hd_fatal("sendto (packet)");
	close(p);
}

/* A counter of /proc/net/snmp's Tcp lines (this namespace); -1 if absent. */
static long hd_snmp_tcp(const char *name)
{
	char names[1024], vals[1024], *n, *v, *sn, *sv;
	FILE *f = fopen("/proc/net/snmp", "r");
	long found = -1;

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f)) {
		if (strncmp(names, "Tcp:", 4) || !fgets(vals, sizeof(vals), f))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(vals, " \n", &sv);
		while ((n = strtok_r(NULL, " \n", &sn)) &&
		       (v = strtok_r(NULL, " \n", &sv)))
			if (!strcmp(n, name))
				found = atol(v);
		break;
	}
	fclose(f);
	return found;
}

/* A segment no socket took: TCP sent a RST for it, xtcp counted it. */
static long hd_bd_nosock(int fam)
{
	return fam == AF_INET ? hd_snmp_tcp("OutRsts") : hd_stat("InNoSocket");
}

static int hd_bd_wait_nosock(int fam, long before)
{
	long end = hd_ms() + 3000;

	while (hd_ms() < end) {
		if (hd_bd_nosock(fam) > before)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* The state of the connection @local:@lport -> @peer:9. */
static void hd_bd_state(int fam, int s, const char *local, int lport,
			const char *peer, char *out, size_t len)
{
	static const char *const tcp_states[] = {
		"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV" };
	char line[256], want[64], want_peer[32], st[32];
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	FILE *f;

	snprintf(out, len, "none");
	if (fam == AF_INET) {
		if (!getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &tl))
			snprintf(out, len, "%s", ti.tcpi_state < 4 ?
				 tcp_states[ti.tcpi_state] : "other");
		return;
	}
	snprintf(want, sizeof(want), "%s:%d ", local, lport);
	snprintf(want_peer, sizeof(want_peer), "%s:9 ", peer);
	f = fopen("/proc/net/xtcp", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, want) && strstr(line, want_peer) &&
		    sscanf(line, "%*d %*s %*s %31s", st) == 1)
			snprintf(out, len, "%s", st);
	if (f)
		fclose(f);
}

static void hd_bd_wait_state(int fam, int s, const char *local, int lport,
			     const char *peer, const char *want, char *out,
			     size_t len)
{
	long end = hd_ms() + 3000;

	do {
		hd_bd_state(fam, s, local, lport, peer, out, len);
		if (!strcmp(out, want))
			return;
		usleep(10000);
	} while (hd_ms() < end);
}

/* A connection bound to bd0a, in SYN_SENT, gets a SYN (simultaneous open). */
static void hd_bound_conn(int fam, char st[2][32])
{
	int s = hd_socket(fam), proto = fam == AF_INET ? IPPROTO_TCP : hd_xproto;
	int lport;
	long before;

	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "bd0a", 5))
		hd_fatal("SO_BINDTODEVICE");
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (hd_connect(s, HD_BD_PEER, 9) != -1 || errno != EINPROGRESS)
		hd_fatal("connect to the silent peer");
	lport = hd_local_port(s);
	hd_bd_wait_state(fam, s, HD_BD_LOCAL, lport, HD_BD_PEER, "SYN_SENT",
			 st[0], sizeof(st[0]));

	before = hd_bd_nosock(fam);
	hd_bd_syn("bd1b", hd_bd1a_mac, proto, HD_BD_PEER, 9, HD_BD_LOCAL, lport);
	hd_check(hd_bd_wait_nosock(fam, before),
		 "%s: a SYN for the bound connection's 4-tuple on bd1a finds no socket",
		 hd_name(fam));
	hd_bd_state(fam, s, HD_BD_LOCAL, lport, HD_BD_PEER, st[0], sizeof(st[0]));

	hd_bd_syn("bd0b", hd_bd0a_mac, proto, HD_BD_PEER, 9, HD_BD_LOCAL, lport);
	hd_bd_wait_state(fam, s, HD_BD_LOCAL, lport, HD_BD_PEER, "SYN_RECV",
			 st[1], sizeof(st[1]));
	printf("  %s connection bound to bd0a: after a SYN on bd1a %s, on bd0a %s\n",
	       hd_name(fam), st[0], st[1]);
	hd_close_rst(s);
}

/* syn_qlen of an xtcp listener; -1 for TCP (not asked). */
static int hd_bd_synq(int fam, int l)
{
	struct xtcp_listen_info info;
	socklen_t len = sizeof(info);

	if (fam == AF_INET)
		return -1;
	memset(&info, 0, sizeof(info));
	if (getsockopt(l, SOL_XTCP, XTCP_LISTEN_INFO, &info, &len))
		hd_fatal("XTCP_LISTEN_INFO");
	return info.syn_qlen;
}

/*
 * A listener bound to bd0a makes a request for a SYN on bd0a. The SYN
 * again on bd1a finds no request (a RST) where on bd0a it would have had
 * the SYN-ACK resent.
 */
static int hd_bound_req(int fam, int port)
{
	int l = hd_socket(fam), one = 1, proto, ok;
	struct sockaddr_in sin = hd_sin(HD_BD_LOCAL, port);
	long before;

	proto = fam == AF_INET ? IPPROTO_TCP : hd_xproto;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(l, SOL_SOCKET, SO_BINDTODEVICE, "bd0a", 5) ||
	    bind(l, (struct sockaddr *)&sin, sizeof(sin)) || listen(l, 8))
		hd_fatal("bound listener");
	hd_bd_syn("bd0b", hd_bd0a_mac, proto, HD_BD_PEER, 4000, HD_BD_LOCAL, port);
	if (fam != AF_INET) {
		long end = hd_ms() + 3000;

		while (hd_bd_synq(fam, l) < 1 && hd_ms() < end)
			usleep(10000);
		hd_check(hd_bd_synq(fam, l) == 1, "xtcp: a request for the SYN on bd0a");
	}
	before = hd_bd_nosock(fam);
	hd_bd_syn("bd1b", hd_bd1a_mac, proto, HD_BD_PEER, 4000, HD_BD_LOCAL, port);
	ok = hd_bd_wait_nosock(fam, before);
	printf("  %s listener bound to bd0a: its request's SYN again on bd1a: %s\n",
	       hd_name(fam), ok ? "no socket (RST)" : "reached the request");
	if (fam != AF_INET)
		hd_check(hd_bd_synq(fam, l) == 1, "xtcp: the request is still there");
	hd_close_rst(l);
	return ok;
}

static void hd_bound_dev(void)
{
	char tcp[2][32], x[2][32];
	int rt, rx;

	hd_bd_setup();
	hd_bound_conn(AF_INET, tcp);
	hd_bound_conn(hd_xfamily, x);
	hd_check(!strcmp(tcp[0], "SYN_SENT") && !strcmp(tcp[1], "SYN_RECV"),
		 "tcp: only the SYN on bd0a reached the socket");
	hd_check(!strcmp(x[0], tcp[0]) && !strcmp(x[1], tcp[1]),
		 "xtcp: %s then %s, as TCP", x[0], x[1]);
	rt = hd_bound_req(AF_INET, 7800);
	rx = hd_bound_req(hd_xfamily, 7801);
	hd_check(rt, "tcp: the request does not hear bd1a");
	hd_check(rx, "xtcp: the request does not hear bd1a, as TCP");
}

/*
 * Item 13 in a VRF: a segment that comes in on a VRF's slave has the VRF
 * as its device and the slave as sdif.
 *
 *   hvrf (VRF, table 10)
 *    `- vr0a 10.82.0.1/24 ==veth== vr0b (no address)
 *         10.82.0.2: a static neighbour, silent
 *
 * A connection bound to the slave hears it (through sdif). A listener
 * bound to no device hears it only when net.ipv4.tcp_l3mdev_accept is 1
 * (xtcp follows TCP's switch); its request is then bound to the VRF, so
 * the SYN-ACK is routed in the VRF's table.
 */
#define HD_VRF_LOCAL	"10.82.0.1"
#define HD_VRF_PEER	"10.82.0.2"
#define HD_L3MDEV	"/proc/sys/net/ipv4/tcp_l3mdev_accept"

static const unsigned char hd_vr0a_mac[6] = { 2, 0, 0, 0, 0x82, 1 };

static int hd_vrf_setup(void)
{
	if (system("/sbin/ip link add hvrf type vrf table 10 2>/dev/null"))
		return -1;
	hd_run("/sbin/ip link set hvrf up");
	hd_run("/sbin/ip link add vr0a address 02:00:00:00:82:01 type veth peer name vr0b address 02:00:00:00:82:02");
	hd_run("/sbin/ip link set vr0a master hvrf");
	hd_run("/sbin/ip addr add " HD_VRF_LOCAL "/24 dev vr0a");
	hd_run("/sbin/ip link set vr0a up");
	hd_run("/sbin/ip link set vr0b up");
	hd_run("/sbin/ip neigh add " HD_VRF_PEER " lladdr 02:00:00:00:82:02 dev vr0a nud permanent");
	return 0;
}

/* A connection bound to the slave vr0a, in SYN_SENT, gets a SYN. */
static void hd_vrf_slave(int fam, char *st, size_t len)
{
	int s = hd_socket(fam), proto = fam == AF_INET ? IPPROTO_TCP : hd_xproto;
	int lport;

	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "vr0a", 5))
		hd_fatal("SO_BINDTODEVICE vr0a");
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (hd_connect(s, HD_VRF_PEER, 9) != -1 || errno != EINPROGRESS)
		hd_fatal("connect in the VRF");
	lport = hd_local_port(s);
	hd_bd_wait_state(fam, s, HD_VRF_LOCAL, lport, HD_VRF_PEER, "SYN_SENT",
			 st, len);
	hd_bd_syn("vr0b", hd_vr0a_mac, proto, HD_VRF_PEER, 9, HD_VRF_LOCAL, lport);
	hd_bd_wait_state(fam, s, HD_VRF_LOCAL, lport, HD_VRF_PEER, "SYN_RECV",
			 st, len);
	printf("  %s connection bound to the slave vr0a: a SYN through the VRF leaves it %s\n",
	       hd_name(fam), st);
	hd_close_rst(s);
}

/* Segments sent: Tcp OutSegs for TCP, xtcp's OutSegs. */
static long hd_vrf_out(int fam)
{
	return fam == AF_INET ? hd_snmp_tcp("OutSegs") : hd_stat("OutSegs");
}

/*
 * A SYN through the VRF to a listener bound to no device, with
 * tcp_l3mdev_accept 0 and 1: 1 if no socket took it, 0 if a SYN-ACK
 * went out (routed in the VRF), -1 if neither.
 */
static int hd_vrf_unbound(int fam, int port, int accept)
{
	int l = hd_listener(fam, "0.0.0.0", port, 8), ret = -1;
	int proto = fam == AF_INET ? IPPROTO_TCP : hd_xproto;
	long nosock = hd_bd_nosock(fam), out = hd_vrf_out(fam), end;

	if (hd_write(HD_L3MDEV, accept ? "1" : "0"))
		hd_fatal(HD_L3MDEV);
	hd_bd_syn("vr0b", hd_vr0a_mac, proto, HD_VRF_PEER, 4000 + accept,
		  HD_VRF_LOCAL, port);
	for (end = hd_ms() + 3000; ret < 0 && hd_ms() < end; usleep(10000)) {
		/* for TCP a RST is a segment too: look at the RST first */
		if (hd_bd_nosock(fam) > nosock)
			ret = 1;
		else if (hd_vrf_out(fam) > out)
			ret = 0;
	}
	printf("  %s unbound listener, tcp_l3mdev_accept=%d, SYN through the VRF: %s\n",
	       hd_name(fam), accept, ret == 1 ? "no socket (RST)" :
	       ret == 0 ? "SYN-ACK sent" : "nothing");
	hd_write(HD_L3MDEV, "0");
	hd_close_rst(l);
	return ret;
}

static void hd_vrf(void)
{
	char tcp[32], x[32];
	int t0, x0, t1, x1;

	if (hd_vrf_setup()) {
		printf("  skipped: this kernel has no VRF device\n");
		hd_skipped = 1;
		return;
	}
	hd_vrf_slave(AF_INET, tcp, sizeof(tcp));
	hd_vrf_slave(hd_xfamily, x, sizeof(x));
	hd_check(!strcmp(tcp, "SYN_RECV"), "tcp: the slave-bound socket heard it");
	hd_check(!strcmp(x, tcp), "xtcp: %s, as TCP", x);
	t0 = hd_vrf_unbound(AF_INET, 7810, 0);
	x0 = hd_vrf_unbound(hd_xfamily, 7811, 0);
	t1 = hd_vrf_unbound(AF_INET, 7812, 1);
	x1 = hd_vrf_unbound(hd_xfamily, 7813, 1);
	hd_check(t0 == 1 && t1 == 0,
		 "tcp: the unbound listener hears the VRF only with tcp_l3mdev_accept");
	hd_check(x0 == t0 && x1 == t1, "xtcp: as TCP (%d, %d)", x0, x1);
}

/*
 * Item 10: /proc/net/xtcp read 100 bytes at a time, so that every page
 * of it is filled by a walk resumed from the cursor, shows each of a few
 * thousand connections once, numbered in order; another namespace's do
 * not show; a read at an offset agrees with the whole.
 */
#define HD_WALK_N	2000
#define HD_WALK_PORT	7900

/* All of /proc/net/xtcp, read @chunk bytes at a time; *len its size. */
static char *hd_walk_read(size_t chunk, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int fd = open("/proc/net/xtcp", O_RDONLY);
	ssize_t r;

	if (!buf || fd < 0)
		hd_fatal("/proc/net/xtcp");
	for (;;) {
		if (n + chunk + 1 > cap && !(buf = realloc(buf, cap *= 2)))
			hd_fatal("realloc");
		r = read(fd, buf + n, chunk);
		if (r < 0)
			hd_fatal("read /proc/net/xtcp");
		if (!r)
			break;
		n += r;
	}
	buf[n] = 0;
	*len = n;
	close(fd);
	return buf;
}

/* A namespace of another process holding xtcp connections to the same port. */
static pid_t hd_walk_elsewhere(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		hd_fatal("pipe");
	pid = fork();
	if (!pid) {
		int l, i, s;

		close(p[0]);
		if (unshare(CLONE_NEWNET) || system("/sbin/ip link set lo up"))
			_exit(1);
		l = hd_listener(hd_xfamily, "127.0.0.1", HD_WALK_PORT, 64);
		for (i = 0; i < 20; i++) {
			s = hd_socket(hd_xfamily);
			if (hd_connect(s, "127.0.0.1", HD_WALK_PORT))
				_exit(1);
		}
		(void)l;
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		/* hold them until the parent is done */
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		hd_fatal("the other namespace's connections");
	close(p[0]);
	return pid;
}

static void hd_proc_walk(void)
{
	static unsigned char as_client[65536], as_child[65536];
	struct rlimit rl = { HD_WALK_N + 256, HD_WALK_N + 256 };
	int l, i, lines = 0, sl_ok = 1, listeners = 0, other = 0;
	int fds[HD_WALK_N], once = 0;
	char *all, *line, *next, *big, local[32], remote[32], state[16];
	size_t len, blen;
	unsigned int port;
	pid_t pid;
	int sl;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		hd_fatal("RLIMIT_NOFILE");
	pid = hd_walk_elsewhere();
	l = hd_listener(hd_xfamily, "127.0.0.1", HD_WALK_PORT, HD_WALK_N + 16);
	for (i = 0; i < HD_WALK_N; i++) {
		fds[i] = hd_socket(hd_xfamily);
		if (hd_connect(fds[i], "127.0.0.1", HD_WALK_PORT))
			hd_fatal("connect");
	}

	all = hd_walk_read(100, &len);
	for (line = all; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (line == all)
			continue;	/* the header */
		if (sscanf(line, "%d %31s %31s %15s", &sl, local, remote, state) != 4)
			hd_fatal("a /proc/net/xtcp line");
		sl_ok &= sl == lines++;
		if (!strcmp(state, "LISTEN") && !strcmp(local, "127.0.0.1:7900"))
			listeners++;
		else if (!strcmp(local, "127.0.0.1:7900") &&
			 sscanf(remote, "127.0.0.1:%u", &port) == 1 && port < 65536)
			as_child[port]++;
		else if (!strcmp(remote, "127.0.0.1:7900") &&
			 sscanf(local, "127.0.0.1:%u", &port) == 1 && port < 65536)
			as_client[port]++;
		else
			other++;
	}
	for (i = 0; i < HD_WALK_N; i++) {
		port = hd_local_port(fds[i]);
		once += as_client[port] == 1 && as_child[port] == 1;
	}
	printf("  %d lines read 100 bytes at a time: %d listener, %d connections once each way of %d\n",
	       lines, listeners, once, HD_WALK_N);
	hd_check(lines == 1 + 2 * HD_WALK_N, "one line per entry (%d)", lines);
	hd_check(sl_ok, "sl numbers the lines 0, 1, 2, ...");
	hd_check(listeners == 1 && other == 0,
		 "the listener once, nothing else (another namespace's: %d)", other);
	hd_check(once == HD_WALK_N, "every connection once from each end");

	/* nothing here changes meanwhile (no timers): the same bytes */
	free(all);
	all = hd_walk_read(100, &len);
	big = hd_walk_read(1 << 19, &blen);
	hd_check(len == blen && !memcmp(all, big, len),
		 "100-byte reads give what 512 KiB reads give (%zu bytes)", len);
	{
		char part[300];
		int fd = open("/proc/net/xtcp", O_RDONLY);
		ssize_t r = pread(fd, part, sizeof(part), len / 2);

		hd_check(r == sizeof(part) && !memcmp(part, all + len / 2, r),
			 "a read at offset %zu agrees", len / 2);
		close(fd);
	}
	free(all);
	free(big);
	for (i = 0; i < HD_WALK_N; i++)
		hd_close_rst(fds[i]);
	close(l);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static const struct {
	const char *name;
	void (*fn)(void);
} hd_cases[] = {
	{ "wake", hd_wake },
	{ "sigio", hd_sigio_case },
	{ "bind0", hd_bind0 },
	{ "ports", hd_ports },
	{ "connect_any", hd_connect_any },
	{ "rst_ecn", hd_rst_ecn },
	{ "flood_log", hd_flood_log },
	{ "synack_unroutable", hd_synack_unroutable },
	{ "backlog_userns", hd_backlog_userns },
	{ "net_raw", hd_net_raw },
	{ "cgroup_bpf", hd_cgroup_bpf },
	{ "bound_dev", hd_bound_dev },
	{ "vrf", hd_vrf },
	{ "proc_walk", hd_proc_walk },
};

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: hardening <case>\n");
		return 2;
	}
	hd_xfamily = hd_read_long("/sys/module/xtcp/parameters/family", 18);
	hd_xproto = hd_read_long("/sys/module/xtcp/parameters/ipproto", 253);
	for (i = 0; i < sizeof(hd_cases) / sizeof(hd_cases[0]); i++) {
		if (strcmp(argv[1], hd_cases[i].name))
			continue;
		hd_setup_net();
		printf("hardening %s\n", argv[1]);
		hd_cases[i].fn();
		if (hd_failures)
			printf("%d check(s) failed\n", hd_failures);
		return hd_failures ? 1 : hd_skipped ? 4 : 0;
	}
	fprintf(stderr, "hardening: no case %s\n", argv[1]);
	return 2;
}
