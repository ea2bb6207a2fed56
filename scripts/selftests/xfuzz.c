// SPDX-License-Identifier: GPL-2.0
/*
 * xfuzz [-s SEED] [-n SEGMENTS] [-e PER_EPOCH] [-t SECONDS]: a segment fuzzer for
 * xtcp. Run by fuzz.sh inside the "injector" namespace xi:
 *
 *   xs (192.0.2.1/24) vs ---- vi (192.0.2.2) xi (192.0.2.2) vw ---- vn (192.0.2.1/24) xn
 *      sockets under test       tc ingress drops IP protocol 253      the wrong netns
 *
 * Frames are built whole (IP header included) and sent through an
 * AF_PACKET socket: on vi they reach xs, on vw they reach xn, which has
 * the same addresses. xs's answers are captured on vi; xn's are dropped.
 *
 * Targets in xs: a listener, request socks (our SYN, its SYN-ACK), SYN_SENT
 * sockets (xs connects to us), established ones (a handshake we finish, or
 * one xs started that a fuzzed SYN-ACK finished), and TIME_WAIT entries
 * (an established one xs closed first, our FIN after its FIN). Every segment
 * is either a near-valid one for a target (the answer its last segment
 * asks for, learned from the capture) with a few mutations, or random
 * bytes. Mutations: the flag byte (all 8 bits), the reserved bits, seq and
 * ack (edges of the window, wrap, random), window, urgent pointer, the
 * options (every kind, every length, truncated, repeated, EOL in the
 * middle, NOP padding), the data offset 0..15, the payload 0..1400 bytes,
 * the checksum, truncation; at the IP level options, a total length short
 * of the frame or past it, fragments, broadcast and multicast
 * destinations, another host's MAC address. A first pass sweeps every
 * flag byte and every option kind x length.
 *
 * Oracles, per epoch (a few thousand segments):
 * - a model of xtcp's receive checks predicts, per segment, whether it is
 *   delivered, to which namespace, and which malformed counter it lands
 *   in: InSegs, InErrs, InShortSegs, InBadDataOffset, InCsumErrors,
 *   InBadOptions and InNotForHost must move by exactly that, in xs and in
 *   xn (segments for xs's 4-tuples sent into xn must not reach xs);
 * - every socket is consistent (its /proc/net/xtcp state agrees with
 *   poll() and SO_ERROR) and still obeys: an ESTABLISHED one answers an
 *   in-window RST off RCV.NXT and a SYN with a challenge (RFC 5961) and
 *   is reset by an exact RST, a SYN_SENT one completes on a valid
 *   SYN-ACK, a SYN_RECV one on the ACK of its SYN-ACK, a request sock is
 *   promoted by its final ACK, a TIME_WAIT entry is still there unless a
 *   SYN recycled it (never ended by a RST: RFC 1337), ACKs our FIN sent
 *   again and ignores an exact RST, the listener completes a crafted
 *   handshake and a kernel-to-kernel connect() + accept();
 * - with every socket closed (listeners too): no line left in either
 *   namespace's /proc/net/xtcp, CurrRequests and CurrEstab back to 0;
 * and at the end xtcp_request and XTCP slab objects back to where they
 * were. The kernel log is checked by the harness (panic_on_warn), and the
 * runner's final rmmod finds any reference left behind.
 *
 * The run is deterministic in its choices for a seed (the ISNs xtcp picks
 * are not): a failure prints the seed and the segment number. -t stops
 * after an epoch once that many seconds have passed (debug kernels).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "xt.h"

#define SRV_ADDR	"192.0.2.1"	/* xs, and xn */
#define INJ_ADDR	"192.0.2.2"	/* us */
#define LPORT		8080		/* listeners in xs and xn */
#define BACKLOG		64
#define NREQ		6		/* request socks per epoch */
#define NEST		4		/* established (passive) per epoch */
#define NACT		3		/* connect()s from xs per epoch */
#define NTW		2		/* TIME_WAIT entries per epoch */
#define NTGT		(NREQ + NEST + NACT + NTW)
#define TMAX		(NTGT + 64)	/* + promoted and fresh tuples */
#define REPLY_MS	1000
#define MTU		1500

enum { NS_XI, NS_XS, NS_XN, NS_MAX };

static int tx_fd, family, proto;
static struct xt_cap cap;	/* xs's answers, on vi */
static int ifi_vi, ifi_vw;
static uint8_t mac_vs[6], mac_vn[6];
static uint32_t srv_addr, inj_addr;
static uint16_t ip_id = 1;

/* ---- PRNG: splitmix64, deterministic for a seed ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)		/* 0 .. n-1 */
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int chance(int pct)
{
	return (int)rnd(100) < pct;
}

/* ---- where we are, for failure reports ---- */

static uint64_t seed;
static unsigned long seg_no;		/* segments sent so far */
static int epoch;

#define fz_fail(...) do {						\
	xt_check(0, __VA_ARGS__);					\
	xt_log("    (seed %llu, epoch %d, after segment %lu)",		\
	       (unsigned long long)seed, epoch, seg_no);		\
} while (0)

#define fz_check(cond, ...) do {					\
	if (cond)							\
		break;							\
	fz_fail(__VA_ARGS__);						\
} while (0)

/* ---- namespaces, counters, /proc/net/xtcp ---- */

enum {
	C_INSEGS, C_INERRS, C_CSUM, C_SHORT, C_DOFF, C_OPTS, C_NOTHOST,
	C_MODEL,		/* the counters the model predicts exactly */
	C_NOSOCK = C_MODEL, C_RSTS, C_CURRREQ, C_CURREST, C_CHALLENGE,
	C_OOW, C_BADACK, C_PASSIVE, C_EMBRYONIC, C_COOKIESRECV,
	C_COOKIESFAILED, C_REFUSED, C_ESTRESETS, C_NOTS, C_LISTENIGN,
	C_SYNACKRESENDS, C_OFO, C_LISTENDROPS, C_CHALLENGELIM,
	C_SYNRETRANS, C_REQTIMEOUTS, C_TWRSTIGN, C_MAX
};
static const char * const cnames[C_MAX] = {
	"InSegs", "InErrs", "InCsumErrors", "InShortSegs", "InBadDataOffset",
	"InBadOptions", "InNotForHost", "InNoSocket", "OutRsts",
	"CurrRequests", "CurrEstab", "ChallengeAcks", "OutOfWindow",
	"BadAcks", "PassiveOpens", "EmbryonicRsts", "SyncookiesRecv",
	"SyncookiesFailed", "ConnectRefused", "EstabResets", "InNoTimestamp",
	"ListenIgnored", "SynAckResends", "OfoQueue", "ListenDrops",
	"ChallengeAcksLimited", "SynRetrans", "RequestTimeouts",
	"TimeWaitRstIgnored",
};

static void snap(int ns, long *v)
{
	int i;

	if (xt_ns_stats(ns, cnames, v, C_MAX))
		xt_fatal("%s: /proc/net/xtcp_stat", xt_ns_name(ns));
	for (i = 0; i < C_MAX; i++)
		if (v[i] < 0)
			xt_fatal("no counter %s", cnames[i]);
}

/* Counter @c1 of @ns, plus @c2 if it is not -1. */
static long stat_sum(int ns, int c1, int c2)
{
	long v[C_MAX];

	snap(ns, v);
	return v[c1] + (c2 >= 0 ? v[c2] : 0);
}

/* State of @ns's /proc/net/xtcp line for lport/rport. */
static int proc_state(int ns, uint16_t lport, uint16_t rport, char *st,
		      size_t stlen)
{
	struct xt_proc_want w = {
		.laddr = srv_addr, .lport = lport,
		.raddr = inj_addr, .rport = rport,
	};

	return xt_ns_proc_count(ns, &w, st, stlen);
}

/* Lines of @ns's /proc/net/xtcp (header excluded); printed if @dump. */
static int proc_lines(int ns, int dump)
{
	static const struct xt_proc_want tw = { .state = "TIME_WAIT" };

	/* TIME_WAIT entries are what a close leaves, not sockets */
	return dump ? xt_ns_proc_dump(ns) :
		      xt_ns_proc_count(ns, NULL, NULL, 0) -
		      xt_ns_proc_count(ns, &tw, NULL, 0);
}

/*
 * Close an xtcp socket abortively (SO_LINGER {1, 0}): the injector is no
 * peer that would answer a FIN, and an orphan retransmitting one would
 * outlive the epoch.
 */
static void fz_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Active objects of a slab cache, its per-CPU slabs given back first. */
static long slab_active(const char *name)
{
	char line[512], n[64];
	long active = -1, a;
	FILE *f;
	int fd;

	snprintf(line, sizeof(line), "/sys/kernel/slab/%s/shrink", name);
	fd = open(line, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			a = 0;
		close(fd);
	}
	f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", n, &a) == 2 && !strcmp(n, name))
			active = a;
	fclose(f);
	return active;
}

static int ns_sysctl(int ns, const char *name, int val)
{
	return xt_ns_sysctl_set(ns, name, val) ? -1 : 0;
}

/* ---- sockets in xs ---- */

static int ns_listen(int ns, uint16_t port)
{
	return xt_sock_listen(ns, srv_addr, port, BACKLOG,
			      XT_LISTEN_NONBLOCK | XT_LISTEN_REUSE);
}

/* Non-blocking connect() in @ns to us at @rport; *lport gets its port. */
static int ns_connect(int ns, uint16_t rport, uint16_t *lport)
{
	int err, fd = xt_sock_connect(ns, 0, 0, inj_addr, rport, &err);

	if (err != EINPROGRESS)
		xt_fatal("connect() in %s: want EINPROGRESS", xt_ns_name(ns));
	*lport = xt_sock_port(fd, 0);
	if (!*lport)
		xt_fatal("getsockname");
	return fd;
}

/* ---- frames ---- */

/* A TCP-format segment under construction: fields, then serialized. */
struct tseg {
	struct xt_hdr h;
	int bad_csum;		/* 1: flip a bit; 2: pseudo-header proto 253 */
	int trunc;		/* >= 0: cut the segment to this many bytes */
	/* IP level */
	int ipopt;		/* bytes of IP options (multiple of 4, <= 40) */
	int garbage;		/* bytes past the IP total length */
	int totlen_long;	/* total length past the frame: IP drops it */
	int frag;		/* send as two fragments */
	int dst;		/* 0 unicast, 1 L2 broadcast, 2 IP broadcast,
				 * 3 limited broadcast, 4 multicast, 5 other
				 * host's MAC */
	int wrong_ns;		/* send into xn instead of xs */
	int raw;		/* bytes already in raw[] (random segments) */
	uint8_t rawb[1480];
	unsigned int rawlen;
};

enum { V_OK, V_SHORT, V_DOFF, V_CSUM, V_OPTS };

/* What the model says each namespace's counters must have seen. */
static long model[NS_MAX][C_MODEL];
static unsigned long sent_valid, sent_bad[5], sent_nothost, sent_dropped,
	sent_wrong, sent_frag;

/* xtcp's verdict on a segment of @len bytes, as README.md orders them. */
static int verdict_of(const uint8_t *seg, unsigned int len, uint32_t saddr,
		      uint32_t daddr)
{
	unsigned int doff;

	if (len < 20)
		return V_SHORT;
	doff = (seg[12] >> 4) * 4;
	if (doff < 20 || doff > len)
		return V_DOFF;
	if (!xt_seg_csum_ok(seg, len, saddr, daddr))
		return V_CSUM;
	if (!xt_seg_opts_valid(seg + 20, doff - 20))
		return V_OPTS;
	return V_OK;
}

static void send_frame(const uint8_t *pkt, unsigned int len, int wrong_ns,
		       const uint8_t *mac)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = wrong_ns ? ifi_vw : ifi_vi,
		.sll_halen = 6,
	};

	memcpy(sll.sll_addr, mac, 6);
	if (sendto(tx_fd, pkt, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != (ssize_t)len)
		xt_fatal("sendto(%u bytes) on %s", len, wrong_ns ? "vw" : "vi");
}

/* An IP header for @plen bytes of payload at @h; returns its length. */
static unsigned int ip_header(uint8_t *h, const struct tseg *t,
			      unsigned int plen, uint32_t daddr,
			      uint16_t frag_off, int ipopt)
{
	unsigned int extra = t->totlen_long ? 1 + rnd(200) : 0;
	unsigned int ihl = xt_seg_ip_build(h, inj_addr, daddr, proto, ipopt,
					   20 + ipopt + plen + extra, ip_id,
					   frag_off);

	/* NOP options, one EOL somewhere maybe: both always valid */
	if (ipopt && chance(30)) {
		h[20 + rnd(ipopt)] = 0;
		xt_seg_ip_csum(h);
	}
	return ihl;
}

/* Serialize @t into seg[]; returns the TCP length. */
static unsigned int tseg_build(const struct tseg *t, uint8_t *b,
			       uint32_t daddr)
{
	unsigned int len;

	if (t->raw) {
		memcpy(b, t->rawb, t->rawlen);
		return t->rawlen;
	}
	len = xt_seg_build(b, MTU - 20 - t->ipopt - t->garbage, &t->h,
			   inj_addr, daddr, t->bad_csum == 2 ? 253 : 6);
	if (t->bad_csum == 1)
		b[16 + rnd(2)] ^= 1 << rnd(8);
	if (t->trunc >= 0 && (unsigned int)t->trunc < len)
		len = t->trunc;
	return len;
}

/* Send @t; account for it in the model. */
static void tseg_send(const struct tseg *t)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t other[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
	uint8_t seg[MTU], pkt[MTU + 64];
	const uint8_t *mac = t->wrong_ns ? mac_vn : mac_vs;
	uint32_t daddr = srv_addr;
	unsigned int len, ihl, ns = t->wrong_ns ? NS_XN : NS_XS;
	int v, delivered = 1, nothost = 0;

	switch (t->dst) {
	case 1:
		mac = bcast;
		nothost = 1;
		break;
	case 2:
		daddr = htonl(0xc00002ff);	/* 192.0.2.255 */
		nothost = 1;
		break;
	case 3:
		daddr = htonl(0xffffffff);
		nothost = 1;
		break;
	case 4:
		daddr = htonl(0xe0000001);	/* 224.0.0.1, all hosts */
		nothost = 1;
		break;
	case 5:
		mac = other;
		delivered = 0;
		break;
	}
	len = tseg_build(t, seg, daddr);
	v = verdict_of(seg, len, inj_addr, daddr);
	ip_id++;
	if (t->frag && len >= 16) {
		/* two fragments, the cut inside the TCP header or past it */
		unsigned int cut = 8 * (1 + rnd((len - 1) / 8));
		unsigned int h1, h2;
		uint8_t pkt2[MTU + 64];
		struct tseg nt = *t;

		nt.totlen_long = 0;
		h1 = ip_header(pkt, &nt, cut, daddr, 0x2000, 0);
		memcpy(pkt + h1, seg, cut);
		h2 = ip_header(pkt2, &nt, len - cut, daddr, cut / 8, 0);
		memcpy(pkt2 + h2, seg + cut, len - cut);
		if (chance(50)) {
			send_frame(pkt, h1 + cut, t->wrong_ns, mac);
			send_frame(pkt2, h2 + len - cut, t->wrong_ns, mac);
		} else {
			send_frame(pkt2, h2 + len - cut, t->wrong_ns, mac);
			send_frame(pkt, h1 + cut, t->wrong_ns, mac);
		}
		sent_frag++;
	} else {
		ihl = ip_header(pkt, t, len, daddr, 0x4000, t->ipopt);
		memcpy(pkt + ihl, seg, len);
		if (t->garbage) {
			memset(pkt + ihl + len, 0xa5, t->garbage);
			len += t->garbage;
		}
		send_frame(pkt, ihl + len, t->wrong_ns, mac);
		if (t->totlen_long)
			delivered = 0;
	}
	seg_no++;
	if (t->wrong_ns)
		sent_wrong++;
	if (!delivered) {
		sent_dropped++;
		return;
	}
	if (nothost) {
		model[ns][C_NOTHOST]++;
		sent_nothost++;
		return;
	}
	model[ns][C_INSEGS]++;
	switch (v) {
	case V_OK:
		sent_valid++;
		return;
	case V_SHORT:
		model[ns][C_SHORT]++;
		break;
	case V_DOFF:
		model[ns][C_DOFF]++;
		break;
	case V_CSUM:
		model[ns][C_CSUM]++;
		break;
	case V_OPTS:
		model[ns][C_OPTS]++;
		break;
	}
	sent_bad[v]++;
	model[ns][C_INERRS]++;
}

static void tseg_init(struct tseg *t, uint16_t sport, uint16_t dport,
		      uint8_t flags, uint32_t seq, uint32_t ack)
{
	memset(t, 0, sizeof(*t));
	xt_seg_hdr_init(&t->h, sport, dport, flags, seq, ack);
	t->trunc = -1;
}

/* ---- options ---- */

/* Linux's SYN options, or some of them. */
static unsigned int opts_syn(uint8_t *o, int all)
{
	unsigned int n = 0;

	if (all || chance(80))
		n = xt_seg_opt_mss(o, n, chance(80) ? 1460 : (uint16_t)rnd64());
	if (all || chance(60))
		n = xt_seg_opt_sackok(o, n);
	if (all || chance(60))
		n = xt_seg_opt_ts(o, n, (uint32_t)rnd64(), 0);
	if (all || chance(60))
		n = xt_seg_opt_ws(o, n, chance(80) ? 7 : (uint8_t)rnd(256));
	return n;
}

/* Random option bytes: structured items, some of them broken. */
static unsigned int opts_random(uint8_t *o)
{
	unsigned int n = 0, items = 1 + rnd(8), i, j;
	uint8_t b[40];

	memset(o, 0, 40);
	for (i = 0; i < items && n < 40; i++) {
		switch (rnd(12)) {
		case 0:
			b[0] = 1;	/* NOP */
			n = xt_seg_opt_add(o, n, b, 1);
			break;
		case 1:
			b[0] = 0;	/* EOL in the middle */
			n = xt_seg_opt_add(o, n, b, 1);
			break;
		case 2:
			n = xt_seg_opt_mss(o, n, (uint16_t)rnd64());
			break;
		case 3:
			b[0] = 3;
			b[1] = 3;
			b[2] = (uint8_t)rnd(256);
			n = xt_seg_opt_add(o, n, b, 3);
			break;
		case 4:
			b[0] = 4;
			b[1] = 2;
			n = xt_seg_opt_add(o, n, b, 2);
			break;
		case 5:
			b[0] = 8;
			b[1] = 10;
			for (j = 2; j < 10; j++)
				b[j] = (uint8_t)rnd64();
			n = xt_seg_opt_add(o, n, b, 10);
			break;
		case 6: {
			/* SACK blocks, any count, maybe a bad length */
			unsigned int blocks = rnd(5);

			b[0] = 5;
			b[1] = 2 + 8 * blocks + (chance(20) ? rnd(8) : 0);
			for (j = 2; j < 40; j++)
				b[j] = (uint8_t)rnd64();
			n = xt_seg_opt_add(o, n, b, b[1] < 40 ? b[1] : 40);
			break;
		}
		case 7:
		case 8: {
			/* any kind, any length 0..40, the bytes it claims */
			unsigned int l = rnd(41);

			b[0] = (uint8_t)rnd(256);
			b[1] = (uint8_t)l;
			for (j = 2; j < 40; j++)
				b[j] = (uint8_t)rnd64();
			n = xt_seg_opt_add(o, n, b, l < 2 ? 2 : l);
			break;
		}
		case 9:
			/* a known kind with a wrong length */
			b[0] = (uint8_t)(2 + rnd(7));
			b[1] = (uint8_t)rnd(12);
			for (j = 2; j < 12; j++)
				b[j] = (uint8_t)rnd64();
			n = xt_seg_opt_add(o, n, b, b[1] < 2 ? 2 : b[1]);
			break;
		case 10:
			/* truncated: a kind with its length byte cut off */
			b[0] = (uint8_t)(2 + rnd(254));
			n = xt_seg_opt_add(o, n, b, 1);
			i = items;	/* last item */
			break;
		default:
			/* repeated known options */
			n = xt_seg_opt_add(o, n, b, opts_syn(b, 0));
			break;
		}
	}
	return n;
}

/* ---- targets: 4-tuples and what we know of them ---- */

enum { T_FREE, T_LISTEN, T_REQ, T_EST, T_ACT, T_TW };
static const char * const tnames[] = {
	"free", "listen", "req", "est", "act", "timewait",
};

struct target {
	int type;
	int gentle;		/* never sent RST or SYN: survives to be probed */
	uint16_t cport;		/* ours */
	uint16_t sport;		/* xs's */
	uint32_t isn;		/* our ISN */
	int fd;			/* xs's socket, if we hold one */
	/* the last segment xs sent on the tuple (from the capture) */
	int seen;
	uint8_t lflags;
	uint32_t lseq, lack, ltsval;
	int lts;
	/* xs's ISN, from its last SYN or SYN-ACK on the tuple */
	int iss_known;
	uint32_t iss;
	int ts;			/* that SYN(-ACK) carried TS */
	uint32_t ts_recent;
	/* RCV.NXT: the ack of its last segment with ACK (not a RST) */
	int rn_known;
	uint32_t rcv_nxt;
	/* our last TSval on the tuple: the next clean one is newer (PAWS) */
	uint32_t tsval;
	/* T_TW: the sequence numbers of xs's FIN and of ours */
	uint32_t xs_fin, our_fin;
};

static struct target tg[TMAX];
static int ntg;
static uint16_t port_next = 30000;

static uint16_t next_port(void)
{
	if (++port_next >= 60000)
		port_next = 30000;
	return port_next;
}

static struct target *tg_find(uint16_t sport, uint16_t cport)
{
	int i;

	for (i = 0; i < ntg; i++)
		if (tg[i].type != T_FREE && tg[i].cport == cport &&
		    tg[i].sport == sport)
			return &tg[i];
	return NULL;
}

static struct target *tg_new(int type, uint16_t cport, uint16_t sport)
{
	struct target *t;

	if (ntg >= TMAX)
		return NULL;
	t = &tg[ntg++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->cport = cport;
	t->sport = sport;
	t->isn = (uint32_t)rnd64();
	t->tsval = (uint32_t)rnd64();
	t->fd = -1;
	t->gentle = ntg & 1;
	return t;
}

/* ---- capture ---- */

static unsigned long cap_segs;

/*
 * One segment xs sent, within @ms (0: only what is queued), into @s; its
 * target learns from it. Returns 0 if none came.
 */
static int cap_one(struct xt_seg *s, int ms)
{
	struct target *t;

	if (!xt_cap_recv(&cap, s, ms))
		return 0;
	cap_segs++;
	/* xtcp's own segments must be well-formed */
	if (!s->csum_ok || !s->opts_ok)
		fz_fail("xs sent a malformed segment %u > %u flags 0x%x",
			s->sport, s->dport, s->flags);
	t = tg_find(s->sport, s->dport);
	if (!t)
		return 1;
	t->seen = 1;
	t->lflags = s->flags;
	t->lseq = s->seq;
	t->lack = s->ack;
	t->lts = s->has_ts;
	t->ltsval = s->tsval;
	if ((s->flags & (XT_SYN | XT_RST)) == XT_SYN) {
		t->iss_known = 1;
		t->iss = s->seq;
		t->ts = s->has_ts;
		t->ts_recent = s->tsval;
	}
	if ((s->flags & (XT_ACK | XT_RST)) == XT_ACK) {
		t->rn_known = 1;
		t->rcv_nxt = s->ack;
	}
	return 1;
}

/* Read everything the tap has now. */
static void cap_drain(void)
{
	struct xt_seg s;

	while (cap_one(&s, 0))
		;
}

/* Wait up to @ms for a segment from xs port @sport to @cport with @flags. */
static int cap_wait(uint16_t sport, uint16_t cport, uint8_t want, int ms)
{
	double end = xt_now() + ms / 1000.0, left;
	struct xt_seg s;

	while ((left = end - xt_now()) > 0)
		if (cap_one(&s, (int)(left * 1000) + 1) && s.sport == sport &&
		    s.dport == cport && (s.flags & 0x3f) == want)
			return 1;
	return 0;
}

/*
 * A clean segment on @t's tuple (no mutation), counted in the model. Its
 * TSval is newer than the last clean one's (the fuzz's may be anything).
 */
static void t_send(struct target *t, uint8_t flags, uint32_t seq,
		   uint32_t ack, int ts)
{
	struct tseg s;

	tseg_init(&s, t->cport, t->sport, flags, seq, ack);
	t->tsval += 1 + rnd(1000);
	if (ts)
		s.h.optlen = xt_seg_opt_ts(s.h.opt, 0, t->tsval, t->ts_recent);
	tseg_send(&s);
}

/* Our SYN to the listener; the SYN-ACK must come (request sock or cookie). */
static int t_syn(struct target *t)
{
	struct tseg s;

	tseg_init(&s, t->cport, t->sport, XT_SYN, t->isn, 0);
	s.h.optlen = opts_syn(s.h.opt, 0);
	tseg_send(&s);
	return cap_wait(t->sport, t->cport, XT_SYN | XT_ACK, REPLY_MS);
}

static int lfd = -1;		/* xs's listener */
static int xn_lfd = -1, xn_cfd = -1;	/* xn's listener and connect() */

/* accept() one from xs's listener; the peer's address and port. */
static int accept_one(uint32_t *addr, uint16_t *cport, int ms)
{
	return xt_sock_accept(lfd, ms, addr, cport);
}

/* A connection from us that a segment completed: its target keeps it. */
static void adopt(int c, uint32_t addr, uint16_t cport)
{
	struct target *t = addr == inj_addr ? tg_find(LPORT, cport) : NULL;

	if (t && t->fd < 0) {
		t->fd = c;
		t->type = T_EST;
	} else {
		fz_close(c);
	}
}

static void accept_drain(void)
{
	uint32_t addr;
	uint16_t cport;
	int c;

	while ((c = accept_one(&addr, &cport, 0)) >= 0)
		adopt(c, addr, cport);
}

/* ---- the segment generators ---- */

static uint32_t near(uint32_t v)
{
	switch (rnd(8)) {
	case 0:
		return v;
	case 1:
		return v - 1;
	case 2:
		return v + 1;
	case 3:
		return v + rnd(70000);
	case 4:
		return v - rnd(70000);
	case 5:
		return v + 0x80000000u + rnd(3) - 1;
	case 6:
		return v + 65535 + rnd(3) - 1;
	default:
		return (uint32_t)rnd64();
	}
}

/*
 * The segment @t's last captured segment asks for: the final ACK after a
 * SYN-ACK, a SYN-ACK after a SYN, an ACK in the window otherwise, a SYN
 * for a tuple with nothing (yet).
 */
static void t_template(const struct target *t, struct tseg *s)
{
	uint8_t f = t->seen ? t->lflags & 0x3f : 0;

	tseg_init(s, t->cport, t->sport, XT_ACK, 0, 0);
	if (!t->seen || (f & XT_RST)) {
		s->h.flags = XT_SYN;
		s->h.seq = t->isn;
		s->h.optlen = opts_syn(s->h.opt, 0);
		return;
	}
	if (f == XT_SYN) {
		/* xs's SYN: answer with a SYN-ACK, options included */
		s->h.flags = XT_SYN | XT_ACK;
		s->h.seq = t->isn;
		s->h.ack = t->lseq + 1;
		s->h.optlen = opts_syn(s->h.opt, 0);
		if (t->lts && chance(80)) {
			s->h.optlen = 0;
			s->h.optlen = xt_seg_opt_mss(s->h.opt, s->h.optlen, 1460);
			s->h.optlen = xt_seg_opt_ts(s->h.opt, s->h.optlen, (uint32_t)rnd64(),
						    t->ltsval);
			s->h.optlen = xt_seg_opt_ws(s->h.opt, s->h.optlen, 7);
		}
		return;
	}
	s->h.seq = t->lack;
	s->h.ack = t->lseq + ((f & XT_SYN) ? 1 : 0);
	if (t->lts || (t->ts && chance(90)))
		s->h.optlen = xt_seg_opt_ts(s->h.opt, 0, (uint32_t)rnd64(),
					    t->lts ? t->ltsval : t->ts_recent);
}

/* A few random mutations of @s. */
static void mutate(struct tseg *s)
{
	unsigned int n = rnd(4), i;

	for (i = 0; i < n; i++) {
		switch (rnd(20)) {
		case 0:
		case 1:
			s->h.flags = (uint8_t)rnd(256);
			break;
		case 2:
			s->h.flags ^= 1 << rnd(8);
			break;
		case 3:
		case 4:
			s->h.seq = near(s->h.seq);
			break;
		case 5:
		case 6:
			s->h.ack = near(s->h.ack);
			break;
		case 7:
			s->h.win = chance(50) ? 0 : (uint16_t)rnd64();
			s->h.urg = (uint16_t)rnd64();
			break;
		case 8:
		case 9:
			s->h.optlen = opts_random(s->h.opt);
			break;
		case 10:
			s->h.doff = rnd(16);
			break;
		case 11:
			s->h.paylen = chance(70) ? rnd(64) : rnd(1401);
			break;
		case 12:
			s->bad_csum = 1 + rnd(2);
			break;
		case 13:
			s->trunc = rnd(20 + s->h.optlen + s->h.paylen + 1);
			break;
		case 14:
			s->h.res = rnd(16);
			break;
		case 15:
			s->ipopt = 4 * (1 + rnd(10));
			break;
		case 16:
			/* trailing bytes past the IP total length, or a
			 * total length past the frame (never both)
			 */
			s->garbage = 0;
			s->totlen_long = 0;
			if (chance(60))
				s->garbage = 1 + rnd(40);
			else
				s->totlen_long = 1;
			break;
		case 17:
			s->frag = 1;
			break;
		case 18:
			s->dst = 1 + rnd(5);
			break;
		default:
			/* a duplicate of a known option, or all of them */
			s->h.optlen = opts_syn(s->h.opt, 1);
			s->h.optlen = xt_seg_opt_add(s->h.opt, s->h.optlen, s->h.opt,
						     rnd(s->h.optlen + 1));
			break;
		}
	}
}

/* Random bytes, mostly on a target's ports, often with a good checksum. */
static void gen_random(struct tseg *s, const struct target *t)
{
	unsigned int len = chance(80) ? rnd(81) : rnd(1401), i;
	uint8_t *b = s->rawb;

	tseg_init(s, 0, 0, 0, 0, 0);
	s->raw = 1;
	s->rawlen = len;
	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rnd64();
	if (len >= 4 && t && chance(80)) {
		xt_put16(b, t->cport);
		xt_put16(b + 2, t->sport);
	}
	if (len >= 13 && chance(50))
		b[12] = (uint8_t)((5 + rnd((len < 60 ? len : 60) / 4 - 4)) << 4 |
				  (b[12] & 0xf));
	/* a gentle target is never sent a RST or a bare SYN, random or not */
	if (len >= 14 && t && t->gentle)
		b[13] &= ~(XT_RST | (b[13] & XT_ACK ? 0 : XT_SYN));
	if (len >= 20 && chance(70)) {
		xt_seg_csum_set(b, len, inj_addr, srv_addr, 6);
	}
}

/* ---- epochs ---- */

static int syncookies;		/* xs's mode this epoch */

/* A request sock: our SYN, its SYN-ACK. */
static struct target *setup_req(void)
{
	struct target *t = tg_new(T_REQ, next_port(), LPORT);

	if (t && !t_syn(t))
		fz_fail("SYN to the listener from port %u: no SYN-ACK", t->cport);
	return t;
}

/*
 * The final ACK for the SYN-ACK xs sent last on @t's tuple; accept() must
 * return the connection. @what NULL: the caller reports a failure.
 */
static int finish_handshake(struct target *t, const char *what)
{
	double end = xt_now() + 2;
	uint32_t addr;
	uint16_t cport;
	int c;

	t_send(t, XT_ACK, t->rcv_nxt, t->iss + 1, t->ts);
	while (xt_now() < end) {
		c = accept_one(&addr, &cport, 200);
		if (c < 0)
			continue;
		if (addr == inj_addr && cport == t->cport) {
			if (t->fd >= 0)
				fz_close(t->fd);
			t->fd = c;
			t->type = T_EST;
			return 0;
		}
		adopt(c, addr, cport);
	}
	if (what)
		fz_fail("%s: final ACK <seq %u, ack %u> from port %u: accept() does not return it",
			what, t->rcv_nxt, t->iss + 1, t->cport);
	return -1;
}

static struct target *setup_est(void)
{
	struct target *t = setup_req();

	if (t && t->iss_known && t->rn_known)
		finish_handshake(t, "handshake");
	return t;
}

/*
 * A TIME_WAIT entry: an established connection xs closes first. Its FIN,
 * our ACK and FIN in one segment, its last ACK; then a struct xtcp_tw,
 * not the socket, holds the tuple.
 */
static struct target *setup_tw(void)
{
	struct target *t = setup_est();
	char st[32] = "";

	if (!t || t->type != T_EST || t->fd < 0 || !t->rn_known)
		return t;
	cap_drain();
	close(t->fd);
	t->fd = -1;
	if (!cap_wait(t->sport, t->cport, XT_FIN | XT_ACK, REPLY_MS)) {
		fz_fail("xs closes port %u: no FIN", t->cport);
		return t;
	}
	t->xs_fin = t->lseq;
	t->our_fin = t->rcv_nxt;
	t->type = T_TW;
	t_send(t, XT_FIN | XT_ACK, t->our_fin, t->xs_fin + 1, t->ts);
	if (!cap_wait(t->sport, t->cport, XT_ACK, REPLY_MS) ||
	    proc_state(NS_XS, t->sport, t->cport, st, sizeof(st)) != 1 ||
	    strcmp(st, "TIME_WAIT"))
		fz_fail("port %u: xs's FIN acknowledged and ours sent: TIME_WAIT (%s)",
			t->cport, st);
	return t;
}

/* xs connects to us: SYN_SENT, its SYN captured. */
static struct target *setup_act(void)
{
	uint16_t cport = next_port(), sport;
	struct target *t;
	int fd = ns_connect(NS_XS, cport, &sport);

	t = tg_new(T_ACT, cport, sport);
	if (!t) {
		fz_close(fd);
		return NULL;
	}
	t->fd = fd;
	if (!cap_wait(sport, cport, XT_SYN, REPLY_MS))
		fz_fail("connect() from xs to port %u: no SYN", cport);
	return t;
}

/*
 * One segment: near-valid for a target (or for the listener from a fresh
 * port), or random bytes; into xs, or now and then into xn.
 */
static void fuzz_one(void)
{
	struct target *t = NULL;
	struct tseg s;

	if (ntg && chance(85))
		t = &tg[rnd(ntg)];
	if (chance(15)) {
		gen_random(&s, t);
	} else if (t) {
		t_template(t, &s);
		mutate(&s);
		if (t->gentle)
			s.h.flags &= ~(XT_RST | (s.h.flags & XT_ACK ? 0 : XT_SYN));
	} else {
		/* the listener, from one of a few hundred ports */
		tseg_init(&s, 20000 + rnd(300), LPORT, XT_SYN, (uint32_t)rnd64(), 0);
		s.h.optlen = opts_syn(s.h.opt, 0);
		if (chance(50))
			s.h.flags = (uint8_t)rnd(256);
		mutate(&s);
	}
	if (chance(8))
		s.wrong_ns = 1;
	tseg_send(&s);
}

/* Sweeps: every flag byte on every tuple, every option kind x length. */
static void sweep(void)
{
	unsigned int kind, olen, f, i;
	struct tseg s;

	for (f = 0; f < 256; f++) {
		for (i = 0; i < (unsigned int)ntg; i++) {
			t_template(&tg[i], &s);
			s.h.flags = (uint8_t)f;
			tseg_send(&s);
		}
		tseg_init(&s, 21000 + f % 64, LPORT, (uint8_t)f, 77 * f, 0);
		tseg_send(&s);
		if ((f & 15) == 15) {
			cap_drain();
			accept_drain();
		}
	}
	for (kind = 0; kind < 256; kind++) {
		for (olen = 0; olen <= 40; olen++) {
			struct target *t = &tg[(kind * 41 + olen) % ntg];

			if ((kind + olen) & 1)
				t_template(t, &s);
			else
				tseg_init(&s, 22000 + kind % 64, LPORT, XT_SYN,
					  kind * 1000 + olen, 0);
			memset(s.h.opt, 1, sizeof(s.h.opt));
			s.h.opt[0] = (uint8_t)kind;
			s.h.opt[1] = (uint8_t)olen;
			for (i = 2; i < olen && i < 40; i++)
				s.h.opt[i] = (uint8_t)(kind + i);
			/* the option alone (maybe cut short), or NOP-padded */
			s.h.optlen = olen < 2 ? 2 : olen;
			if (olen & 2)
				s.h.optlen = 40;
			if (s.h.optlen > 40)
				s.h.optlen = 40;
			tseg_send(&s);
		}
		cap_drain();
		accept_drain();
	}
}

static void check_counters(const long *b_xs, const long *b_xn)
{
	long a[NS_MAX][C_MAX];
	double end = xt_now() + 5;
	int ns, c;

	/* the last frames may still be on their way through softirq */
	for (;;) {
		snap(NS_XS, a[NS_XS]);
		snap(NS_XN, a[NS_XN]);
		if ((a[NS_XS][C_INSEGS] - b_xs[C_INSEGS] >= model[NS_XS][C_INSEGS] &&
		     a[NS_XN][C_INSEGS] - b_xn[C_INSEGS] >= model[NS_XN][C_INSEGS]) ||
		    xt_now() > end)
			break;
		usleep(10000);
	}
	for (ns = NS_XS; ns <= NS_XN; ns++) {
		const long *b = ns == NS_XS ? b_xs : b_xn;
		int ok = 1;

		for (c = 0; c < C_MODEL; c++) {
			if (a[ns][c] - b[c] == model[ns][c])
				continue;
			ok = 0;
			xt_log("    %s: %s moved by %ld, the model says %ld",
			       xt_ns_name(ns), cnames[c], a[ns][c] - b[c],
			       model[ns][c]);
		}
		fz_check(ok, "%s: the receive counters match the model", xt_ns_name(ns));
	}
}

static int probes_done, probes_skipped, tw_probed, tw_gone;

/* A socket xs holds for @t: is it consistent, does it still obey? */
static void probe_sock(struct target *t)
{
	char st[32];
	short ev = xt_sock_poll(t->fd, POLLOUT | POLLIN, 0);
	int err, n;

	if (ev & POLLHUP) {
		/*
		 * Closed by a RST or refused; the tuple may be reused since.
		 * A RST after a fuzzed FIN (CLOSE_WAIT) reads EPIPE, as TCP.
		 */
		err = xt_sock_error(t->fd);
		fz_check(err == ECONNRESET || err == ECONNREFUSED || err == EPIPE,
			 "%s port %u: closed, SO_ERROR %d (want ECONNRESET, ECONNREFUSED or EPIPE)",
			 tnames[t->type], t->cport, err);
		return;
	}
	n = proc_state(NS_XS, t->sport, t->cport, st, sizeof(st));
	fz_check(n == 1 && !(ev & POLLERR),
		 "%s port %u: open (poll 0x%x), and %d line(s) in /proc/net/xtcp",
		 tnames[t->type], t->cport, ev, n);
	err = xt_sock_error(t->fd);
	fz_check(err == 0, "%s port %u: %s, SO_ERROR %d", tnames[t->type],
		 t->cport, st, err);

	if (!strcmp(st, "SYN_SENT")) {
		uint32_t isn = (uint32_t)rnd64();

		/* a valid SYN-ACK completes it */
		if (!t->iss_known) {
			probes_skipped++;
			return;
		}
		t_send(t, XT_SYN | XT_ACK, isn, t->iss + 1, 0);
		ev = xt_sock_poll(t->fd, POLLOUT, REPLY_MS);
		fz_check(ev == POLLOUT && xt_sock_error(t->fd) == 0,
			 "SYN_SENT port %u: a valid SYN-ACK connects it (poll 0x%x)",
			 t->cport, ev);
		cap_wait(t->sport, t->cport, XT_ACK, REPLY_MS);
		proc_state(NS_XS, t->sport, t->cport, st, sizeof(st));
		probes_done++;
	} else if (!strcmp(st, "SYN_RECV")) {
		/* simultaneous open: the ACK of its SYN-ACK completes it */
		if (!t->iss_known || !t->rn_known) {
			probes_skipped++;
			return;
		}
		t_send(t, XT_ACK, t->rcv_nxt, t->iss + 1, t->ts);
		ev = xt_sock_poll(t->fd, POLLOUT, REPLY_MS);
		fz_check(ev == POLLOUT,
			 "SYN_RECV port %u: the ACK <seq %u, ack %u> of its SYN-ACK connects it (poll 0x%x)",
			 t->cport, t->rcv_nxt, t->iss + 1, ev);
		proc_state(NS_XS, t->sport, t->cport, st, sizeof(st));
		probes_done++;
	}
	/*
	 * A fuzzed FIN that happened to sit at rcv.nxt ended the stream: the
	 * socket must read what came before it, then EOF.
	 */
	if (!strcmp(st, "CLOSE_WAIT")) {
		char buf[4096];
		ssize_t r;

		while ((r = recv(t->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			;
		fz_check(r == 0, "%s port %u: CLOSE_WAIT reads EOF (%zd, errno %d)",
			 tnames[t->type], t->cport, r, r < 0 ? errno : 0);
		probes_done++;
		return;
	}
	if (strcmp(st, "ESTABLISHED")) {
		fz_fail("%s port %u: state %s", tnames[t->type], t->cport, st);
		return;
	}
	if (!t->rn_known) {
		probes_skipped++;
		return;
	}
	/*
	 * RFC 5961: a RST in the window but not at RCV.NXT, and a SYN, only
	 * get a challenge ACK (or count as limited); the socket stays.
	 */
	for (n = 0; n < 2; n++) {
		long c0 = stat_sum(NS_XS, C_CHALLENGE, C_CHALLENGELIM), c1;
		double end = xt_now() + 1;

		/* TS always: a socket that negotiated it drops a SYN without */
		t_send(t, n ? XT_SYN : XT_RST, t->rcv_nxt + 1 + rnd(30000), 0, 1);
		do
			c1 = stat_sum(NS_XS, C_CHALLENGE, C_CHALLENGELIM);
		while (c1 == c0 && xt_now() < end && !usleep(2000));
		ev = xt_sock_poll(t->fd, POLLIN, 0);
		if (c1 > c0 && !(ev & (POLLHUP | POLLERR)))
			continue;
		fz_fail("ESTABLISHED port %u: an in-window %s (RCV.NXT %u) is challenged, not obeyed (poll 0x%x)",
			t->cport, n ? "SYN" : "RST not at RCV.NXT", t->rcv_nxt, ev);
		return;
	}
	/* RCV.NXT is the ack of every segment it sent since: the challenge
	 * ACKs just now included
	 */
	cap_drain();
	t_send(t, XT_RST, t->rcv_nxt, 0, 0);
	ev = xt_sock_poll(t->fd, POLLIN, REPLY_MS);
	err = xt_sock_error(t->fd);
	n = proc_state(NS_XS, t->sport, t->cport, NULL, 0);
	fz_check((ev & POLLHUP) && err == ECONNRESET && !n,
		 "ESTABLISHED port %u: an exact RST (seq %u) resets it (poll 0x%x, SO_ERROR %d, %d in /proc)",
		 t->cport, t->rcv_nxt, ev, err, n);
	probes_done++;
}

/*
 * A TIME_WAIT entry after the fuzz. A SYN may have recycled it into a new
 * connection (RFC 6191), so it may be gone from a target that was sent
 * SYNs; a RST never ends it (RFC 1337), so a gentle target's (no RST, no
 * SYN) is still there. One that is there ACKs our FIN sent again, PAWS
 * or not, and ignores an exact RST.
 */
static void probe_tw(struct target *t)
{
	char st[32] = "";
	long rst0;
	int n = proc_state(NS_XS, t->sport, t->cport, st, sizeof(st));

	if (n != 1 || strcmp(st, "TIME_WAIT")) {
		fz_check(!t->gentle,
			 "TIME_WAIT port %u: still there after a fuzz without RST or SYN (%d line(s), %s)",
			 t->cport, n, st);
		tw_gone++;
		return;
	}
	cap_drain();
	t_send(t, XT_FIN | XT_ACK, t->our_fin, t->xs_fin + 1, t->ts);
	fz_check(cap_wait(t->sport, t->cport, XT_ACK, REPLY_MS) &&
		 t->lack == t->our_fin + 1,
		 "TIME_WAIT port %u: our FIN sent again is ACKed (ack %u, want %u)",
		 t->cport, t->lack, t->our_fin + 1);
	rst0 = stat_sum(NS_XS, C_TWRSTIGN, -1);
	t_send(t, XT_RST, t->our_fin + 1, 0, 0);
	/* the FIN after it is answered once the RST has been taken */
	t_send(t, XT_FIN | XT_ACK, t->our_fin, t->xs_fin + 1, t->ts);
	n = cap_wait(t->sport, t->cport, XT_ACK, REPLY_MS);
	fz_check(n && stat_sum(NS_XS, C_TWRSTIGN, -1) > rst0 &&
		 proc_state(NS_XS, t->sport, t->cport, st, sizeof(st)) == 1 &&
		 !strcmp(st, "TIME_WAIT"),
		 "TIME_WAIT port %u: an exact RST is ignored and counted (RFC 1337; %s)",
		 t->cport, st);
	tw_probed++;
}

static void probe_target(struct target *t)
{
	char st[32];
	long tmo;

	if (t->type == T_TW) {
		probe_tw(t);
		return;
	}
	if (t->fd >= 0) {
		probe_sock(t);
		return;
	}
	/* no socket of ours: a request sock, if anything */
	tmo = stat_sum(NS_XS, C_REQTIMEOUTS, -1);
	if (t->sport != LPORT ||
	    proc_state(NS_XS, t->sport, t->cport, st, sizeof(st)) != 1)
		return;
	if (strcmp(st, "SYN_RECV")) {
		/* promoted since the last accept_drain() */
		accept_drain();
		fz_check(t->fd >= 0, "port %u: %s in /proc/net/xtcp, not accepted",
			 t->cport, st);
		return;
	}
	if (!t->iss_known || !t->rn_known) {
		probes_skipped++;
		return;
	}
	if (!finish_handshake(t, NULL)) {
		probes_done++;
		return;
	}
	/* its timer may have dropped it just now (slow kernels, long epochs) */
	if (stat_sum(NS_XS, C_REQTIMEOUTS, -1) != tmo) {
		probes_skipped++;
		return;
	}
	fz_fail("request sock port %u after the fuzz: final ACK <seq %u, ack %u>: accept() does not return it",
		t->cport, t->rcv_nxt, t->iss + 1);
}

/* The listener still works: a crafted handshake, and a kernel one. */
static void probe_listener(void)
{
	struct target *t = tg_new(T_REQ, next_port(), LPORT);
	uint32_t addr;
	uint16_t cport, me;
	int c, a = -1, i, err;
	short ev;

	if (t && t_syn(t) && t->rn_known)
		finish_handshake(t, "a fresh handshake after the fuzz");
	else
		fz_fail("the listener answers a fresh SYN with a SYN-ACK");

	c = xt_sock_connect(NS_XS, 0, 0, srv_addr, LPORT, &err);
	if (err && err != EINPROGRESS)
		xt_fatal("connect() in xs to its own listener");
	me = xt_sock_port(c, 0);
	if (!me)
		xt_fatal("getsockname");
	ev = xt_sock_poll(c, POLLOUT, 2000);
	for (i = 0; i < 20 && a < 0; i++) {
		a = accept_one(&addr, &cport, 100);
		if (a >= 0 && (addr != srv_addr || cport != me)) {
			adopt(a, addr, cport);
			a = -1;
		}
	}
	fz_check(ev == POLLOUT && xt_sock_error(c) == 0 && a >= 0,
		 "xs's listener: a kernel connect() + accept() over loopback (poll 0x%x, accept %d)",
		 ev, a);
	fz_close(c);
	if (a >= 0)
		fz_close(a);
}

/* Every socket of the epoch closed: nothing may be left in either netns. */
static void check_clean(const char *when)
{
	long v[NS_MAX][C_MAX];
	int ns, n, i;

	for (i = 0; i < 100; i++) {
		snap(NS_XS, v[NS_XS]);
		snap(NS_XN, v[NS_XN]);
		n = proc_lines(NS_XS, 0) + proc_lines(NS_XN, 0);
		if (!n && !v[NS_XS][C_CURRREQ] && !v[NS_XN][C_CURRREQ] &&
		    !v[NS_XS][C_CURREST] && !v[NS_XN][C_CURREST])
			return;
		usleep(50000);
	}
	for (ns = NS_XS; ns <= NS_XN; ns++) {
		fz_check(!v[ns][C_CURRREQ] && !v[ns][C_CURREST],
			 "%s, %s: CurrRequests %ld and CurrEstab %ld back to 0",
			 when, xt_ns_name(ns), v[ns][C_CURRREQ], v[ns][C_CURREST]);
		n = proc_lines(ns, 0);
		fz_check(!n, "%s, %s: %d socket(s) left in /proc/net/xtcp", when,
			 xt_ns_name(ns), n);
		if (n)
			proc_lines(ns, 1);
	}
}

static void close_all(void)
{
	int i;

	for (i = 0; i < ntg; i++)
		if (tg[i].fd >= 0)
			fz_close(tg[i].fd);
	ntg = 0;
	close(lfd);
	close(xn_lfd);
	fz_close(xn_cfd);
}

/* @secs: spread the segments over at least this long */
static void run_epoch(unsigned long nseg, int do_sweep, double secs)
{
	long b_xs[C_MAX], b_xn[C_MAX];
	unsigned long i;
	uint16_t p;
	double t0;
	int k;

	syncookies = do_sweep ? 1 : (int)rnd(3);
	if (ns_sysctl(NS_XS, "syncookies", syncookies) ||
	    ns_sysctl(NS_XS, "synack_retries", chance(30) ? 1 : 5))
		xt_fatal("xs sysctls");
	lfd = ns_listen(NS_XS, LPORT);
	/* xn: the same listener, and a connect() of its own */
	xn_lfd = ns_listen(NS_XN, LPORT);
	xn_cfd = ns_connect(NS_XN, 39999, &p);
	ntg = 0;
	for (k = 0; k < NREQ; k++)
		setup_req();
	for (k = 0; k < NEST; k++)
		setup_est();
	for (k = 0; k < NACT; k++)
		setup_act();
	for (k = 0; k < NTW; k++)
		setup_tw();
	cap_drain();

	memset(model, 0, sizeof(model));
	snap(NS_XS, b_xs);
	snap(NS_XN, b_xn);
	if (do_sweep)
		sweep();
	t0 = xt_now();
	for (i = 0; i < nseg; i++) {
		fuzz_one();
		if ((i & 15) == 15) {
			cap_drain();
			accept_drain();
			while (xt_now() - t0 < secs * i / nseg)
				usleep(1000);
		}
	}
	cap_drain();
	check_counters(b_xs, b_xn);

	/*
	 * Established sockets keep the data the fuzz gave them in order and
	 * ACK it within the delayed-ACK timer (at most 200 ms): wait that out,
	 * so the tap has seen each socket's RCV.NXT.
	 */
	usleep(250000);
	cap_drain();
	accept_drain();
	/* a full request queue drops SYNs in mode 0: the probes need cookies */
	if (ns_sysctl(NS_XS, "syncookies", 1))
		xt_fatal("xs sysctls");
	for (k = 0; k < ntg; k++)
		probe_target(&tg[k]);
	probe_listener();
	close_all();
	check_clean("after closing every socket of the epoch");
}

static void setup(void)
{
	family = xt_family();
	proto = xt_ipproto();
	srv_addr = xt_addr(SRV_ADDR);
	inj_addr = xt_addr(INJ_ADDR);
	xt_ns_init("xi");
	if (xt_ns_open(NS_XS, "xs") || xt_ns_open(NS_XN, "xn"))
		xt_fatal("netns xs and xn needed: run me from fuzz.sh");
	xt_ns_ifindex(NS_XS, "vs", mac_vs);
	xt_ns_ifindex(NS_XN, "vn", mac_vn);
	ifi_vi = xt_ns_ifindex(NS_XI, "vi", NULL);
	ifi_vw = xt_ns_ifindex(NS_XI, "vw", NULL);

	tx_fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (tx_fd < 0)
		xt_fatal("socket(AF_PACKET)");
	xt_cap_open(&cap, ifi_vi, 0, 8 << 20);
	cap_drain();
}

static void usage(void)
{
	fprintf(stderr, "usage: xfuzz [-s SEED] [-n SEGMENTS] [-e PER_EPOCH] [-t SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long total = 20000, per_epoch = 4000, done = 0;
	double budget = 0;		/* -t: stop after this many seconds */
	double t0, secs;
	long req0, sock0, xs0[C_MAX], xs1[C_MAX];
	int opt, c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 20;
	while ((opt = getopt(argc, argv, "s:n:e:t:")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			total = strtoul(optarg, NULL, 0);
			break;
		case 'e':
			per_epoch = strtoul(optarg, NULL, 0);
			break;
		case 't':
			budget = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (!per_epoch)
		usage();
	rng_state = seed;
	setup();
	req0 = slab_active("xtcp_request");
	sock0 = slab_active("XTCP");
	snap(NS_XS, xs0);
	xt_log("xfuzz: seed %llu, %lu segments, %lu per epoch (family %d, protocol %d)",
	       (unsigned long long)seed, total, per_epoch, family, proto);

	t0 = xt_now();
	for (epoch = 0; done < total || epoch == 0; epoch++) {
		/* one epoch in ten long enough for the SYN and SYN-ACK timers */
		int slow = epoch && chance(10);
		unsigned long n1 = per_epoch * (slow ? 10 : 1);
		unsigned long before = seg_no;
		int f0 = xt_failures;

		if (n1 > total - done)
			n1 = total - done;
		run_epoch(n1, epoch == 0, slow ? 1.6 : 0);
		done += n1;
		xt_log("  epoch %d: %lu segments (syncookies %d%s), %s; %lu in %.1f s",
		       epoch, seg_no - before, syncookies, slow ? ", slow" : "",
		       xt_failures == f0 ? "ok" : "FAILED", seg_no, xt_now() - t0);
		if (xt_failures > 20)
			break;
		if (budget && xt_now() - t0 > budget && done < total) {
			xt_log("  time budget of %.0f s spent: %lu of %lu segments",
			       budget, done, total);
			break;
		}
	}
	secs = xt_now() - t0;

	xt_log("xfuzz: %lu segments in %.1f s (%.0f/s): %lu valid, %lu short, "
	       "%lu bad offset, %lu bad checksum, %lu bad options, "
	       "%lu not for us, %lu dropped by IP, %lu fragmented, "
	       "%lu into xn; %lu captured, %u lost by the tap",
	       seg_no, secs, seg_no / secs, sent_valid, sent_bad[V_SHORT],
	       sent_bad[V_DOFF], sent_bad[V_CSUM], sent_bad[V_OPTS],
	       sent_nothost, sent_dropped, sent_frag, sent_wrong, cap_segs,
	       xt_cap_drops(&cap));
	xt_log("  socket probes: %d done, %d skipped (state not learned)",
	       probes_done, probes_skipped);
	xt_log("  TIME_WAIT probes: %d done, %d entries recycled or gone",
	       tw_probed, tw_gone);
	xt_check(probes_done > 0, "sockets probed after the fuzz");
	xt_check(tw_probed > 0, "TIME_WAIT entries probed after the fuzz");

	/*
	 * The fuzz reached past the receive checks into every state machine:
	 * each of these counts a decision a listener, a request sock, a
	 * SYN_SENT or an ESTABLISHED socket took on a fuzzed segment.
	 */
	snap(NS_XS, xs1);
	printf("  xs counters moved by:");
	for (c = 0; c < C_MAX; c++)
		if (c != C_CURRREQ && c != C_CURREST)
			printf(" %s %ld", cnames[c], xs1[c] - xs0[c]);
	printf("\n");
	/*
	 * Over enough segments only: a slow kernel's time budget (-t) can
	 * end the run inside the first epoch, whose sweep spends most of
	 * its segments on the listener (the debug kernel's does). What the
	 * generator reaches does not depend on the kernel; Debian's check it.
	 */
	if (seg_no >= 20000) {
		static const int reached[] = {
			C_NOSOCK, C_CHALLENGE, C_OOW, C_BADACK, C_PASSIVE,
			C_EMBRYONIC, C_COOKIESRECV, C_COOKIESFAILED,
			C_ESTRESETS, C_NOTS, C_LISTENIGN, C_OFO,
		};

		for (c = 0; c < (int)ARRAY_SIZE(reached); c++)
			xt_check(xs1[reached[c]] > xs0[reached[c]],
				 "fuzzed segments reached %s (+%ld)",
				 cnames[reached[c]],
				 xs1[reached[c]] - xs0[reached[c]]);
	}

	for (opt = 0; opt < 100 && slab_active("xtcp_request") > req0; opt++)
		usleep(50000);
	xt_check(slab_active("xtcp_request") <= req0,
		 "xtcp_request objects back to %ld (now %ld)", req0,
		 slab_active("xtcp_request"));
	/* every child made, accepted or not, freed (after an RCU grace period) */
	for (opt = 0; opt < 100 && slab_active("XTCP") > sock0; opt++)
		usleep(50000);
	xt_check(slab_active("XTCP") <= sock0,
		 "XTCP socket objects back to %ld (now %ld)", sock0,
		 slab_active("XTCP"));
	if (xt_failures)
		xt_log("xfuzz: FAILED; reproduce with: xfuzz -s %llu -n %lu -e %lu",
		       (unsigned long long)seed, total, per_epoch);
	xt_sock_abort_all();
	return xt_done();
}
