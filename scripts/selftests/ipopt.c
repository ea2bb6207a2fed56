// SPDX-License-Identifier: GPL-2.0
/*
 * ipopt: the IP-level socket options (SOL_IP) and SO_MARK, asked of Linux
 * TCP and of xtcp in the same run, xtcp's answers compared with TCP's.
 *
 * First the option calls on loopback: IP_TOS, IP_TTL, IP_MTU_DISCOVER,
 * IP_MTU, IP_BIND_ADDRESS_NO_PORT, IP_FREEBIND, IP_TRANSPARENT (EPERM
 * without privilege), values and errnos; the options xtcp does not
 * implement must answer ENOPROTOOPT.
 *
 * Then on the wire, between two namespaces joined twice:
 *
 *   ipo_s                                  ipo_c
 *   vs  10.77.0.1/24 ---------------------- vc  10.77.0.2/24
 *   vs2 10.77.1.1/24 ---------------------- vc2 10.77.1.2/24
 *   rule fwmark 7 -> table 7:                rp_filter off
 *     10.77.0.2 dev vs2
 *
 * Replies with mark 7 leave ipo_s by vs2, others by vs, so a raw socket
 * bound to vc2 in ipo_c sees exactly the marked ones. Checked for both
 * stacks: a listener's IP_TOS and IP_TTL on its SYN-ACK and its child's
 * data; a client's IP_TOS, IP_TTL and IP_MTU_DISCOVER on its SYN; a
 * listener's SO_MARK on its SYN-ACK and on the RST it answers a stray
 * ACK with; and the mark and TOS of a child closed first, on the ACK its
 * TIME_WAIT entry (an orphan waiting in FIN_WAIT_2 when the peer's FIN
 * comes) answers that FIN with.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "xt.h"

#define IPO_S		"10.77.0.1"
#define IPO_C		"10.77.0.2"
#define IPO_PLAIN	7201	/* listener with IP_TOS and IP_TTL */
#define IPO_MARKED	7202	/* listener with SO_MARK 7 */
#define IPO_TOS_L	0x28
#define IPO_TTL_L	33
#define IPO_TOS_C	0x48
#define IPO_TTL_C	44
#define IPO_MARK	7

static const char *const ipo_name[2] = { "TCP", "xtcp" };

static int ipo_fam(int stack)
{
	return stack ? xt_family() : AF_INET;
}

static int ipo_proto(int stack)
{
	return stack ? xt_ipproto() : IPPROTO_TCP;
}

static void ipo_run(const char *cmd)
{
	if (system(cmd))
		xt_fatal("'%s' failed", cmd);
}

/* setsockopt(SOL_IP) of an int: 0 or the errno. */
static int ipo_set(int fd, int opt, int val)
{
	return setsockopt(fd, IPPROTO_IP, opt, &val, sizeof(val)) ? errno : 0;
}

/* getsockopt(SOL_IP) of an int: the value, or minus the errno. */
static int ipo_get(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v = 0;

	return getsockopt(fd, IPPROTO_IP, opt, &v, &len) ? -errno : v;
}

static int ipo_bind(int fd, const char *addr, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	inet_pton(AF_INET, addr, &sin.sin_addr);
	return bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
}

static int ipo_connect(int fd, const char *addr, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	inet_pton(AF_INET, addr, &sin.sin_addr);
	return connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ? errno : 0;
}

static int ipo_listener(int stack)
{
	int fd = socket(ipo_fam(stack), SOCK_STREAM, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		xt_fatal("%s socket", ipo_name[stack]);
	return fd;
}

static int ipo_listen(int fd, const char *addr, int port)
{
	if (ipo_bind(fd, addr, port) || listen(fd, 8))
		xt_fatal("listen on %s:%d", addr, port);
	return fd;
}

/* IP_TRANSPARENT asked by an unprivileged user: 0 or the errno. */
static int ipo_transparent_unpriv(int stack)
{
	int fd = socket(ipo_fam(stack), SOCK_STREAM, 0), st;
	pid_t pid;

	if (fd < 0)
		xt_fatal("socket");
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(255);
		_exit(ipo_set(fd, IP_TRANSPARENT, 1));
	}
	waitpid(pid, &st, 0);
	close(fd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

#define IPO_NPROBE 34

/* The option calls, one answer per probe (a value, an errno, or 0/1). */
static void ipo_options(int stack, int *out)
{
	int fd = socket(ipo_fam(stack), SOCK_STREAM, 0);
	int f2 = socket(ipo_fam(stack), SOCK_STREAM, 0);
	int lfd, cfd, sfd;
	struct sockaddr_in sin;
	socklen_t len;
	char c = 0x10;

	if (fd < 0 || f2 < 0)
		xt_fatal("%s socket", ipo_name[stack]);
	out[0] = ipo_get(fd, IP_TOS);
	out[1] = ipo_set(fd, IP_TOS, IPO_TOS_L);
	out[2] = ipo_get(fd, IP_TOS);
	out[3] = ipo_set(fd, IP_TOS, 0x2b);	/* ECN bits: a stream keeps its own */
	out[4] = ipo_get(fd, IP_TOS);
	out[5] = ipo_get(fd, IP_TTL);
	out[6] = ipo_set(fd, IP_TTL, 0);
	out[7] = ipo_set(fd, IP_TTL, 256);
	out[8] = ipo_set(fd, IP_TTL, IPO_TTL_L);
	out[9] = ipo_get(fd, IP_TTL);
	out[10] = ipo_set(fd, IP_TTL, -1);
	out[11] = ipo_get(fd, IP_TTL);
	out[12] = ipo_get(fd, IP_MTU_DISCOVER);
	out[13] = ipo_set(fd, IP_MTU_DISCOVER, 6);
	out[14] = ipo_set(fd, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
	out[15] = ipo_get(fd, IP_MTU_DISCOVER);
	out[16] = ipo_get(fd, IP_MTU);
	out[17] = ipo_set(fd, IP_MTU, 1000);
	out[18] = ipo_set(fd, IP_BIND_ADDRESS_NO_PORT, 1);
	out[19] = ipo_get(fd, IP_BIND_ADDRESS_NO_PORT);
	out[20] = ipo_get(f2, IP_FREEBIND);
	out[21] = ipo_bind(f2, "192.0.2.1", 0);
	out[22] = ipo_set(f2, IP_FREEBIND, 1);
	out[23] = ipo_get(f2, IP_FREEBIND);
	out[24] = ipo_bind(f2, "192.0.2.1", 0);
	out[25] = ipo_get(fd, IP_TRANSPARENT);
	out[26] = ipo_set(fd, IP_TRANSPARENT, 1);
	out[27] = ipo_get(fd, IP_TRANSPARENT);
	out[28] = ipo_transparent_unpriv(stack);
	out[29] = setsockopt(fd, IPPROTO_IP, IP_TOS, &c, 1) ? errno : 0;
	len = 1;
	c = 0;
	out[30] = getsockopt(fd, IPPROTO_IP, IP_TOS, &c, &len) ? -errno :
		  c | (int)len << 8;
	close(fd);
	close(f2);

	/* IP_BIND_ADDRESS_NO_PORT: bind() leaves the port to connect() */
	lfd = ipo_listen(ipo_listener(stack), "127.0.0.1", 7203);
	cfd = socket(ipo_fam(stack), SOCK_STREAM, 0);
	ipo_set(cfd, IP_BIND_ADDRESS_NO_PORT, 1);
	ipo_bind(cfd, "127.0.0.2", 0);
	len = sizeof(sin);
	getsockname(cfd, (struct sockaddr *)&sin, &len);
	out[31] = ntohs(sin.sin_port);
	out[32] = ipo_connect(cfd, "127.0.0.1", 7203);
	len = sizeof(sin);
	getsockname(cfd, (struct sockaddr *)&sin, &len);
	out[32] |= (sin.sin_port != 0 &&
		    sin.sin_addr.s_addr == htonl(0x7f000002)) << 8;
	sfd = accept(lfd, NULL, NULL);
	out[33] = ipo_get(cfd, IP_MTU);
	close(sfd);
	close(cfd);
	close(lfd);
}

static void ipo_compare(void)
{
	static const char *const what[IPO_NPROBE] = {
		"get IP_TOS", "set IP_TOS 0x28", "get IP_TOS",
		"set IP_TOS 0x2b", "get IP_TOS (ECN bits not taken)",
		"get IP_TTL", "set IP_TTL 0", "set IP_TTL 256", "set IP_TTL 33",
		"get IP_TTL", "set IP_TTL -1", "get IP_TTL (the default again)",
		"get IP_MTU_DISCOVER", "set IP_MTU_DISCOVER 6",
		"set IP_MTU_DISCOVER DO", "get IP_MTU_DISCOVER",
		"get IP_MTU unconnected (-errno)", "set IP_MTU",
		"set IP_BIND_ADDRESS_NO_PORT", "get IP_BIND_ADDRESS_NO_PORT",
		"get IP_FREEBIND", "bind 192.0.2.1 without it",
		"set IP_FREEBIND", "get IP_FREEBIND", "bind 192.0.2.1 with it",
		"get IP_TRANSPARENT", "set IP_TRANSPARENT as root",
		"get IP_TRANSPARENT", "set IP_TRANSPARENT as nobody",
		"set IP_TOS with optlen 1", "get IP_TOS with optlen 1 (len<<8|val)",
		"bind(127.0.0.2:0) with NO_PORT: the port",
		"connect (errno | address and port chosen << 8)",
		"get IP_MTU connected",
	};
	/* what TCP answers, so a stack that answers nothing fails too; -1: any positive */
	static const int want[IPO_NPROBE] = {
		0, 0, 0x28, 0, 0x28, 64, EINVAL, EINVAL, 0, 33, 0, 64,
		IP_PMTUDISC_WANT, EINVAL, 0, IP_PMTUDISC_DO, -ENOTCONN,
		ENOPROTOOPT, 0, 1, 0, EADDRNOTAVAIL, 0, 1, 0, 0, 0, 1, EPERM,
		0, 0x110, 0, 0x100, -1,
	};
	int out[2][IPO_NPROBE], stack, i;

	for (stack = 0; stack < 2; stack++)
		ipo_options(stack, out[stack]);
	for (i = 0; i < IPO_NPROBE; i++)
		xt_check(out[1][i] == out[0][i] &&
			 (out[0][i] == want[i] || (want[i] == -1 && out[0][i] > 0)),
			 "%s: xtcp %d, TCP %d (want %d)", what[i], out[1][i],
			 out[0][i], want[i]);
}

/* What xtcp does not implement answers ENOPROTOOPT, never success. */
static void ipo_unsupported(void)
{
	static const struct {
		const char *what;
		int opt, get;
	} opt[] = {
		{ "set IP_OPTIONS", IP_OPTIONS, 0 },
		{ "set IP_PKTINFO", IP_PKTINFO, 0 },
		{ "set IP_RECVTOS", IP_RECVTOS, 0 },
		{ "set IP_RECVERR", IP_RECVERR, 0 },
		{ "set IP_MULTICAST_TTL", IP_MULTICAST_TTL, 0 },
		{ "set IP_HDRINCL", IP_HDRINCL, 0 },
		{ "set IP_MINTTL", IP_MINTTL, 0 },
		{ "get IP_OPTIONS", IP_OPTIONS, 1 },
		{ "get IP_RECVERR", IP_RECVERR, 1 },
		{ "get IP_PKTOPTIONS", IP_PKTOPTIONS, 1 },
	};
	int fd = socket(xt_family(), SOCK_STREAM, 0);
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(opt); i++) {
		r = opt[i].get ? -ipo_get(fd, opt[i].opt) :
				 ipo_set(fd, opt[i].opt, 1);
		xt_check(r == ENOPROTOOPT, "xtcp %s: errno %d, want ENOPROTOOPT",
			 opt[i].what, r);
	}
	close(fd);
}

/* Policy routing is in this kernel (the debug kernel has none). */
static int ipo_rules;

static void ipo_netns_setup(void)
{
	ipo_run("/sbin/ip netns add ipo_s && /sbin/ip netns add ipo_c");
	ipo_run("/sbin/ip link add vs netns ipo_s type veth peer name vc netns ipo_c");
	ipo_run("/sbin/ip link add vs2 netns ipo_s type veth peer name vc2 netns ipo_c");
	ipo_run("/sbin/ip -n ipo_s addr add " IPO_S "/24 dev vs");
	ipo_run("/sbin/ip -n ipo_s addr add 10.77.1.1/24 dev vs2");
	ipo_run("/sbin/ip -n ipo_c addr add " IPO_C "/24 dev vc");
	ipo_run("/sbin/ip -n ipo_c addr add 10.77.1.2/24 dev vc2");
	ipo_run("for d in lo vs vs2; do /sbin/ip -n ipo_s link set $d up; done");
	ipo_run("for d in lo vc vc2; do /sbin/ip -n ipo_c link set $d up; done");
	ipo_rules = !system("/sbin/ip -n ipo_s rule add fwmark 7 lookup 7");
	if (ipo_rules)
		ipo_run("/sbin/ip -n ipo_s route add " IPO_C "/32 dev vs2 table 7");
	else
		xt_log("no policy routing in this kernel: the SO_MARK checks are skipped");
	ipo_run("/sbin/ip netns exec ipo_c sh -c 'for d in all default vc vc2; do "
		"echo 0 > /proc/sys/net/ipv4/conf/$d/rp_filter; done'");
	if (xt_ns_open(1, "ipo_s") || xt_ns_open(2, "ipo_c"))
		xt_fatal("open the namespaces");
}

/* A raw socket of @stack's protocol in @ns, hearing only device @dev. */
static int ipo_raw(int ns, int stack, const char *dev)
{
	struct timeval tv = { .tv_usec = 100000 };
	int fd;

	xt_ns_enter(ns);
	fd = socket(AF_INET, SOCK_RAW, ipo_proto(stack));
	xt_ns_leave();
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, strlen(dev) + 1) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		xt_fatal("raw socket on %s", dev);
	return fd;
}

/* A packet as the raw socket saw it: the IP header fields we check. */
struct ipo_pkt {
	int tos, ttl, df;
	int sport, dport, flags, paylen;
};

/*
 * The first packet on @fd within @ms from port @sport (0: any) to port
 * @dport (0: any) whose flags, masked by @mask, equal @flags. 1 if found.
 */
static int ipo_wait(int fd, int sport, int dport, int mask, int flags,
		    int ms, struct ipo_pkt *p)
{
	double end = xt_now() + ms / 1000.0;
	uint8_t b[2048];

	while (xt_now() < end) {
		ssize_t n = recv(fd, b, sizeof(b), 0);
		unsigned int ihl;

		if (n < 40)
			continue;
		ihl = (b[0] & 0xf) * 4;
		if (n < ihl + 20)
			continue;
		p->tos = b[1];
		p->ttl = b[8];
		p->df = !!(b[6] & 0x40);
		p->sport = xt_get16(b + ihl);
		p->dport = xt_get16(b + ihl + 2);
		p->flags = b[ihl + 13];
		p->paylen = n - ihl - (b[ihl + 12] >> 4) * 4;
		if ((!sport || p->sport == sport) && (!dport || p->dport == dport) &&
		    (p->flags & mask) == flags)
			return 1;
	}
	return 0;
}

/* A bare ACK from the client namespace to @port, as a stray would come. */
static void ipo_stray_ack(int raw, int stack, int sport, int port)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct xt_hdr h;
	uint8_t b[64];
	unsigned int n;

	inet_pton(AF_INET, IPO_S, &dst.sin_addr);
	xt_seg_hdr_init(&h, sport, port, XT_ACK, 1000, 2000);
	n = xt_seg_build(b, sizeof(b), &h, xt_addr(IPO_C), xt_addr(IPO_S),
			 IPPROTO_TCP);
	if (sendto(raw, b, n, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		xt_fatal("sendto (raw, %s)", ipo_name[stack]);
}

/* What @stack's segments carry on the wire. */
static void ipo_wire(int stack)
{
	int rc = ipo_raw(2, stack, "vc"), rc2 = ipo_raw(2, stack, "vc2");
	int rs = ipo_raw(1, stack, "vs"), mark = IPO_MARK;
	const char *n = ipo_name[stack];
	int l1, l2, c1, c2, s1, s2, got;
	char buf;
	struct ipo_pkt p;
	uint16_t cport;

	xt_ns_enter(1);
	l1 = ipo_listener(stack);
	xt_check(!ipo_set(l1, IP_TOS, IPO_TOS_L) && !ipo_set(l1, IP_TTL, IPO_TTL_L),
		 "%s: IP_TOS and IP_TTL on the listener", n);
	ipo_listen(l1, IPO_S, IPO_PLAIN);
	l2 = ipo_listener(stack);
	if (setsockopt(l2, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		xt_fatal("SO_MARK");
	ipo_listen(l2, IPO_S, IPO_MARKED);
	xt_ns_enter(2);
	c1 = socket(ipo_fam(stack), SOCK_STREAM, 0);
	c2 = socket(ipo_fam(stack), SOCK_STREAM, 0);
	xt_ns_leave();
	xt_check(!ipo_set(c1, IP_TOS, IPO_TOS_C) && !ipo_set(c1, IP_TTL, IPO_TTL_C) &&
		 !ipo_set(c1, IP_MTU_DISCOVER, IP_PMTUDISC_DONT),
		 "%s: IP_TOS, IP_TTL and IP_MTU_DISCOVER on the client", n);

	/* the client's options on its SYN, the listener's on the SYN-ACK */
	xt_check(!ipo_connect(c1, IPO_S, IPO_PLAIN), "%s: connect to the plain listener", n);
	cport = xt_sock_port(c1, 0);
	got = ipo_wait(rs, cport, IPO_PLAIN, XT_SYN | XT_ACK, XT_SYN, 2000, &p);
	xt_check(got && p.tos == IPO_TOS_C && p.ttl == IPO_TTL_C && !p.df,
		 "%s: SYN with the client's IP_TOS 0x%x, IP_TTL %d, no DF (PMTUDISC_DONT): found %d tos 0x%x ttl %d df %d",
		 n, IPO_TOS_C, IPO_TTL_C, got, p.tos, p.ttl, p.df);
	got = ipo_wait(rc, IPO_PLAIN, cport, XT_SYN | XT_ACK, XT_SYN | XT_ACK, 2000, &p);
	xt_check(got && p.tos == IPO_TOS_L && p.ttl == IPO_TTL_L && p.df,
		 "%s: SYN-ACK with the listener's IP_TOS 0x%x, IP_TTL %d, DF: found %d tos 0x%x ttl %d df %d",
		 n, IPO_TOS_L, IPO_TTL_L, got, p.tos, p.ttl, p.df);
	s1 = accept(l1, NULL, NULL);
	xt_check(s1 >= 0 && write(s1, "hello", 5) == 5, "%s: accepted, the child writes", n);
	got = 0;
	while (!got && ipo_wait(rc, IPO_PLAIN, cport, 0, 0, 2000, &p))
		got = p.paylen == 5;
	xt_check(got && p.tos == IPO_TOS_L && p.ttl == IPO_TTL_L,
		 "%s: the child's data keeps the listener's TOS and TTL: found %d tos 0x%x ttl %d",
		 n, got, p.tos, p.ttl);

	/* SO_MARK 7 routes the listener's SYN-ACK by vs2 */
	if (ipo_rules) {
		xt_check(!ipo_connect(c2, IPO_S, IPO_MARKED),
			 "%s: connect to the marked listener", n);
		cport = xt_sock_port(c2, 0);
		got = ipo_wait(rc2, IPO_MARKED, cport, XT_SYN | XT_ACK,
			       XT_SYN | XT_ACK, 2000, &p);
		xt_check(got, "%s: the marked listener's SYN-ACK took the fwmark route", n);
		got = ipo_wait(rc, IPO_MARKED, cport, XT_SYN | XT_ACK,
			       XT_SYN | XT_ACK, 300, &p);
		xt_check(!got, "%s: ... and not the main table's", n);

		/* the RSTs a listener answers stray ACKs with carry its mark */
		ipo_stray_ack(rc, stack, 40001, IPO_MARKED);
		got = ipo_wait(rc2, IPO_MARKED, 40001, XT_RST, XT_RST, 2000, &p);
		xt_check(got, "%s: the marked listener's RST took the fwmark route", n);

		/*
		 * The child (mark 7 from its listener, TOS set) closes first
		 * and is orphaned: the peer's FIN, sent well after the ACK of
		 * ours, meets its TIME_WAIT entry, whose ACK must go as the
		 * socket's would: by the fwmark route, with its TOS.
		 */
		s2 = accept(l2, NULL, NULL);
		xt_check(s2 >= 0 && !ipo_set(s2, IP_TOS, IPO_TOS_L),
			 "%s: the marked child, IP_TOS 0x%x", n, IPO_TOS_L);
		close(s2);
		xt_check(read(c2, &buf, 1) == 0, "%s: the client reads EOF", n);
		usleep(300000);
		while (ipo_wait(rc2, IPO_MARKED, cport, 0, 0, 50, &p))
			;
		close(c2);
		c2 = -1;
		got = ipo_wait(rc2, IPO_MARKED, cport, XT_ACK | XT_FIN, XT_ACK,
			       2000, &p);
		xt_check(got && p.tos == IPO_TOS_L,
			 "%s: the TIME_WAIT entry's ACK of the FIN took the fwmark route, TOS 0x%x: found %d tos 0x%x",
			 n, IPO_TOS_L, got, p.tos);
	}
	ipo_stray_ack(rc, stack, 40002, IPO_PLAIN);
	got = ipo_wait(rc, IPO_PLAIN, 40002, XT_RST, XT_RST, 2000, &p);
	xt_check(got, "%s: the plain listener's RST took the main route", n);

	close(s1);
	close(c1);
	if (c2 >= 0)
		close(c2);
	close(l1);
	close(l2);
	close(rc);
	close(rc2);
	close(rs);
}

int main(void)
{
	xt_ns_init("vm");
	ipo_compare();
	ipo_unsupported();
	ipo_netns_setup();
	ipo_wire(0);
	ipo_wire(1);
	return xt_done();
}
