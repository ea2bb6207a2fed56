/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftest toolkit: what the in-VM programs share, built once into
 * libxt.a and linked into each of them (see the top Makefile).
 *
 *   core.c  checks, logging, counters of the caller's netns, the clock
 *   seg.c   segments on the wire: build, parse, options, checksums, the
 *           IPv4 header
 *   ns.c    named network namespaces, and what a program reads or writes
 *           in one (counters, /proc/net/xtcp, sysctls, interfaces)
 *   sock.c  xtcp sockets under test: listen, connect, accept, poll
 *   cap.c   a packet tap that returns the xtcp segments it sees, parsed
 *
 * A test prints what it checks, and exits 0 (pass), 4 (skip) or 1 (fail).
 * Nothing here keeps state per connection: that is each program's model.
 */
#ifndef XT_H
#define XT_H

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/xtcp.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- core.c ---- */

extern int xt_failures;

#define xt_log(...) do { printf(__VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

/* Record a failed check and go on, so one run shows every broken rule. */
#define xt_check(cond, ...) do {					\
	if (cond) {							\
		printf("  ok: ");					\
	} else {							\
		xt_failures++;						\
		printf("  FAIL (%s:%d): ", __FILE__, __LINE__);		\
	}								\
	printf(__VA_ARGS__);						\
	putchar('\n');							\
	fflush(stdout);							\
} while (0)

/* A syscall that must fail with exactly this errno. */
#define xt_check_errno(ret, want, what) do {				\
	int __r = (ret), __e = errno;					\
	xt_check(__r == -1 && __e == (want),				\
		 "%s -> %d, errno %d (%s), want errno %d (%s)", (what),	\
		 __r, __r == -1 ? __e : 0,				\
		 __r == -1 ? strerror(__e) : "none", (want),		\
		 strerror(want));					\
} while (0)

void xt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						   noreturn));
int xt_done(void);
long xt_read_long(const char *path, long dflt);
int xt_stack_is_tcp(void);
int xt_family(void);
int xt_ipproto(void);
long xt_stat(const char *name);
long xt_wait_stat(const char *name, long want, double secs);
double xt_now(void);
void xt_sleep_until(double t);
uint32_t xt_addr(const char *dotted);

/* ---- seg.c ---- */

#define XT_FIN	0x01
#define XT_SYN	0x02
#define XT_RST	0x04
#define XT_PSH	0x08
#define XT_ACK	0x10
#define XT_URG	0x20
#define XT_ECE	0x40
#define XT_CWR	0x80

#define XT_OPT_MAX	40	/* option bytes a header can hold */

static inline void xt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void xt_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint16_t xt_get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static inline uint32_t xt_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* A TCP-format header to build; every field is sent as given. */
struct xt_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* byte 13, all eight bits */
	uint8_t res;		/* the low nibble of byte 12 */
	int doff;		/* in words; -1: enough for the options */
	uint16_t win, urg;
	uint8_t opt[XT_OPT_MAX];
	unsigned int optlen;	/* bytes of opt[] used; EOL pads the rest */
	unsigned int paylen;
};

/* Options to offer, in Linux's layout; has_* 0 leaves one out. */
struct xt_opts {
	int has_mss, has_ws, sack, has_ts;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
	unsigned int nsack;	/* SACK blocks (not SACK_PERM: that is sack) */
	uint32_t blocks[3][2];	/* ... each [start, end) */
};

/* A segment as parsed (received, or built and read back for the log). */
struct xt_seg {
	uint32_t saddr, daddr;	/* network order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;		/* byte 13, all eight bits */
	uint16_t win;
	unsigned int paylen;
	int csum_ok, opts_ok;	/* opts_ok 0 also for a bad data offset */
	int csum_open;		/* a tap's frame whose sum was left to the device */
	int mss;		/* -1: no MSS option */
	int ws;			/* -1: no window scale option */
	int sack_ok;
	int has_ts;
	uint32_t tsval, tsecr;
	int outgoing;		/* cap.c: sent by the tapped interface */
};

uint32_t xt_seg_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t xt_seg_csum_fold(uint32_t sum);
void xt_seg_csum_set(uint8_t *seg, size_t len, uint32_t saddr, uint32_t daddr,
		     uint8_t proto);
int xt_seg_csum_ok(const uint8_t *seg, size_t len, uint32_t saddr,
		   uint32_t daddr);
int xt_seg_opts_valid(const uint8_t *p, unsigned int len);
unsigned int xt_seg_opts_linux(uint8_t *p, const struct xt_opts *o);
unsigned int xt_seg_opt_add(uint8_t *o, unsigned int n, const uint8_t *b,
			    unsigned int len);
unsigned int xt_seg_opt_mss(uint8_t *o, unsigned int n, uint16_t mss);
unsigned int xt_seg_opt_ws(uint8_t *o, unsigned int n, uint8_t ws);
unsigned int xt_seg_opt_sackok(uint8_t *o, unsigned int n);
unsigned int xt_seg_opt_ts(uint8_t *o, unsigned int n, uint32_t val,
			   uint32_t ecr);
void xt_seg_hdr_init(struct xt_hdr *h, uint16_t sport, uint16_t dport,
		     uint8_t flags, uint32_t seq, uint32_t ack);
unsigned int xt_seg_build(uint8_t *b, unsigned int max, const struct xt_hdr *h,
			  uint32_t saddr, uint32_t daddr, uint8_t csum_proto);
void xt_seg_parse(const uint8_t *b, size_t len, uint32_t saddr, uint32_t daddr,
		  struct xt_seg *s);
void xt_seg_str(const struct xt_seg *s, char *buf, size_t len);
unsigned int xt_seg_ip_build(uint8_t *h, uint32_t saddr, uint32_t daddr,
			     uint8_t proto, unsigned int optlen,
			     unsigned int totlen, uint16_t id,
			     uint16_t frag_off);
void xt_seg_ip_csum(uint8_t *h);

/* ---- ns.c ---- */

#define XT_NS_MAX	4

void xt_ns_init(const char *self);
int xt_ns_open(int ns, const char *name);
int xt_ns_exists(int ns);
const char *xt_ns_name(int ns);
void xt_ns_enter(int ns);
void xt_ns_leave(void);
FILE *xt_ns_fopen(int ns, const char *path, const char *mode);
int xt_ns_stats(int ns, const char *const *names, long *v, int n);
long xt_ns_stat(int ns, const char *name);
long xt_ns_sysctl_get(int ns, const char *name, long dflt);
int xt_ns_sysctl_set(int ns, const char *name, int val);
int xt_ns_ifindex(int ns, const char *ifname, uint8_t *mac);

/* A /proc/net/xtcp line to look for; 0 or NULL in a field: any. */
struct xt_proc_want {
	uint32_t laddr, raddr;	/* network order */
	uint16_t lport, rport;
	const char *state;
};

int xt_ns_proc_count(int ns, const struct xt_proc_want *w, char *state,
		     size_t len);
int xt_ns_proc_dump(int ns);

/* ---- sock.c ---- */

#define XT_LISTEN_NONBLOCK	1
#define XT_LISTEN_REUSE		2	/* SO_REUSEADDR */

void xt_sock_addr(struct sockaddr_in *sin, uint32_t addr, uint16_t port);
int xt_sock_listen(int ns, uint32_t addr, uint16_t port, int backlog,
		   unsigned int flags);
int xt_sock_connect(int ns, uint32_t laddr, uint16_t lport, uint32_t raddr,
		    uint16_t rport, int *err);
int xt_sock_accept(int lfd, int ms, uint32_t *addr, uint16_t *port);
int xt_sock_error(int fd);
short xt_sock_poll(int fd, short events, int ms);
uint16_t xt_sock_port(int fd, int peer);
void xt_sock_abort_all(void);

/* ---- cap.c ---- */

struct xt_cap {
	int fd;
	int proto;		/* xtcp's IP protocol number */
	int both;		/* also what the interface sends */
};

void xt_cap_open(struct xt_cap *c, int ifindex, int both, int rcvbuf);
int xt_cap_recv(struct xt_cap *c, struct xt_seg *s, int ms);
unsigned int xt_cap_drops(struct xt_cap *c);

#endif /* XT_H */
