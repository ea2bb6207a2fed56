// SPDX-License-Identifier: GPL-2.0
/*
 * TCP Fast Open (RFC 7413), the client's side: what a connection's
 * first SYN carries, the cookies servers gave us, and the pause after
 * a path seems to drop Fast Open.
 *
 * Cookies are kept per namespace by destination address, as Linux keeps
 * them with its tcp_metrics: a table of a fixed size (buckets of a few
 * ways, the oldest entry giving way), so no peer can make it grow. A
 * SYN-ACK's cookie replaces the one kept; a SYN-ACK without one keeps
 * it. Each entry also remembers the peer's MSS, which bounds the data
 * of the next SYN, and how often in a row its SYN with data seemed lost.
 *
 * The plan for a connection (xtcp_fastopen_client_plan(), at connect):
 * nothing while the namespace's client bit (0x1) is off or a pause
 * lasts; data without any option under the no-cookie bit (0x4); data
 * with the cookie when one is known; otherwise an empty option that
 * asks for a cookie, the data following the handshake. conn.c sends the
 * SYN and takes the SYN-ACK; socket.c drives sendmsg(MSG_FASTOPEN) and
 * TCP_FASTOPEN_CONNECT. Neither is called from here.
 *
 * Blackholes, as Linux's tfo_active_disable: when a Fast Open SYN
 * times out a third time (or its last retry runs out before that),
 * active Fast Open pauses in the namespace for
 * fastopen_blackhole_timeout seconds, doubled for each pause in a row
 * (at most 64 times); the first Fast Open whose data is acknowledged
 * after a pause ends the series.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "xtcp.h"

#define XTCP_FOC_BUCKETS	64
#define XTCP_FOC_WAYS		4
/* A pause is at most 2^6 times the sysctl's, as Linux's */
#define XTCP_FOC_BH_SHIFT_MAX	6

struct xtcp_foc_entry {
	__be32 daddr;			/* 0: a free way */
	u16 mss;			/* the peer's; 0 unknown */
	u8 cookie_len;			/* 0: none known */
	u8 syn_loss;			/* SYNs with data lost in a row */
	unsigned long stamp;		/* jiffies of the last update */
	u8 cookie[XTCP_FO_COOKIE_MAX];
};

struct xtcp_foc_cache {
	spinlock_t lock;		/* the entries; bh: conn.c runs in softirq */
	u32 seed;			/* hash seed: no peer picks a bucket */
	struct xtcp_foc_entry e[XTCP_FOC_BUCKETS][XTCP_FOC_WAYS];
};

static struct xtcp_foc_entry *xtcp_fastopen_client_bucket(struct xtcp_foc_cache *c,
							  __be32 daddr)
{
	u32 h = jhash_1word((__force u32)daddr, c->seed);

	return c->e[h % XTCP_FOC_BUCKETS];
}

/*
 * Copy out @daddr's entry. Return: true if there is one.
 */
static bool xtcp_fastopen_client_cache_get(struct xtcp_foc_cache *c,
					   __be32 daddr,
					   struct xtcp_foc_entry *out)
{
	struct xtcp_foc_entry *b = xtcp_fastopen_client_bucket(c, daddr);
	bool found = false;
	int i;

	spin_lock_bh(&c->lock);
	for (i = 0; i < XTCP_FOC_WAYS && !found; i++) {
		if (b[i].daddr == daddr) {
			*out = b[i];
			found = true;
		}
	}
	spin_unlock_bh(&c->lock);
	return found;
}

/*
 * Update @daddr's entry, making one in place of the bucket's oldest:
 * @cookie of @len bytes (none if @len is not a valid length: the kept
 * one stays), the peer's @mss if known, and whether the SYN's data was
 * lost (@syn_lost counts in a row, anything else ends the row).
 */
static void xtcp_fastopen_client_cache_set(struct xtcp_foc_cache *c,
					   __be32 daddr, u16 mss,
					   const u8 *cookie, int len,
					   bool syn_lost, unsigned long now)
{
	struct xtcp_foc_entry *b = xtcp_fastopen_client_bucket(c, daddr);
	struct xtcp_foc_entry *e = NULL, *old = &b[0];
	int i;

	spin_lock_bh(&c->lock);
	for (i = 0; i < XTCP_FOC_WAYS && !e; i++) {
		if (b[i].daddr == daddr)
			e = &b[i];
		else if (!b[i].daddr ||
			 (old->daddr && time_before(b[i].stamp, old->stamp)))
			old = &b[i];
	}
	if (!e) {
		e = old;
		memset(e, 0, sizeof(*e));
		e->daddr = daddr;
	}
	if (cookie && len >= XTCP_FO_COOKIE_MIN && len <= XTCP_FO_COOKIE_MAX &&
	    !(len & 1)) {
		memcpy(e->cookie, cookie, len);
		e->cookie_len = len;
	}
	if (mss)
		e->mss = mss;
	if (syn_lost)
		e->syn_loss = min_t(unsigned int, e->syn_loss + 1, U8_MAX);
	else
		e->syn_loss = 0;
	e->stamp = now;
	spin_unlock_bh(&c->lock);
}

static struct xtcp_foc_cache *xtcp_fastopen_client_cache_new(void)
{
	struct xtcp_foc_cache *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	spin_lock_init(&c->lock);
	c->seed = get_random_u32();
	return c;
}

/**
 * xtcp_fastopen_client_net_init() - a namespace's empty cookie cache
 * @net: the namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_fastopen_client_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);

	atomic_set(&xn->fo_bh_times, 0);
	xn->fo_cache = xtcp_fastopen_client_cache_new();
	return xn->fo_cache ? 0 : -ENOMEM;
}

/**
 * xtcp_fastopen_client_net_exit() - free a namespace's cookie cache
 * @net: the namespace
 */
void xtcp_fastopen_client_net_exit(struct net *net)
{
	kfree(xtcp_net(net)->fo_cache);
	xtcp_net(net)->fo_cache = NULL;
}

/* Is active Fast Open paused in @net? */
static bool xtcp_fastopen_client_paused(struct sock *sk)
{
	struct xtcp_net *xn = xtcp_net(sock_net(sk));
	int secs = XTCP_SYSCTL(sock_net(sk), fastopen_blackhole_timeout);
	int times = atomic_read(&xn->fo_bh_times);
	unsigned long end;

	if (!secs || !times)
		return false;
	/* pairs with the barrier in xtcp_fastopen_client_pause() */
	smp_rmb();
	end = READ_ONCE(xn->fo_bh_stamp) +
	      ((unsigned long)secs * HZ << min(times - 1, XTCP_FOC_BH_SHIFT_MAX));
	if (time_before(jiffies, end))
		return true;
	/* over: this connection's success will end the series */
	xtcp_sk(sk)->foc.bh_check = 1;
	return false;
}

static void xtcp_fastopen_client_pause(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);

	if (!XTCP_SYSCTL(net, fastopen_blackhole_timeout))
		return;
	WRITE_ONCE(xn->fo_bh_stamp, jiffies);
	/* the stamp first: a reader that sees the count sees it */
	smp_mb__before_atomic();
	atomic_inc(&xn->fo_bh_times);
	XTCP_INC_STATS(net, XTCP_MIB_FASTOPENBLACKHOLE);
}

/**
 * xtcp_fastopen_client_plan() - decide what the first SYN carries
 * @sk: the socket, its destination set, asking for Fast Open
 *	(MSG_FASTOPEN or TCP_FASTOPEN_CONNECT)
 *
 * Sets foc.plan, and foc.cookie and foc.mss from the cache.
 */
void xtcp_fastopen_client_plan(struct sock *sk)
{
	struct xtcp_fo_client *fo = &xtcp_sk(sk)->foc;
	struct net *net = sock_net(sk);
	int mode = XTCP_SYSCTL(net, fastopen);
	struct xtcp_foc_entry e;

	fo->plan = XTCP_FO_PLAN_OFF;
	fo->cookie_len = 0;
	fo->mss = 0;
	if (!(mode & XTCP_FASTOPEN_CLIENT) || xtcp_fastopen_client_paused(sk))
		return;
	if (xtcp_fastopen_client_cache_get(xtcp_net(net)->fo_cache,
					   inet_sk(sk)->inet_daddr, &e)) {
		fo->mss = e.mss;
		fo->cookie_len = e.cookie_len;
		memcpy(fo->cookie, e.cookie, e.cookie_len);
	}
	if (mode & XTCP_FASTOPEN_CLIENT_NO_COOKIE) {
		/* data without an option: the server needs no cookie */
		fo->cookie_len = 0;
		fo->plan = XTCP_FO_PLAN_DATA;
		return;
	}
	fo->plan = fo->cookie_len ? XTCP_FO_PLAN_DATA : XTCP_FO_PLAN_REQUEST;
}

/**
 * xtcp_fastopen_client_synack() - the SYN-ACK of a Fast Open SYN came
 * @sk: the socket, the SYN-ACK's options taken (opt.mss)
 * @cookie: the SYN-ACK's cookie, or NULL
 * @len: its length
 * @syn_lost: the SYN went again, and the answer has no cookie and does
 *	not acknowledge the data: the SYN with data was presumably lost
 *
 * Keeps the cookie and MSS; counts the data acknowledged or not.
 */
void xtcp_fastopen_client_synack(struct sock *sk, const u8 *cookie, int len,
				 bool syn_lost)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_fo_client *fo = &xs->foc;
	struct net *net = sock_net(sk);

	xtcp_fastopen_client_cache_set(xtcp_net(net)->fo_cache,
				       inet_sk(sk)->inet_daddr, xs->opt.mss,
				       cookie, len, syn_lost, jiffies);
	if (!fo->syn_data)
		return;
	if (!fo->data_acked) {
		XTCP_INC_STATS(net, XTCP_MIB_FASTOPENACTIVEFAIL);
		return;
	}
	XTCP_INC_STATS(net, XTCP_MIB_FASTOPENACTIVE);
	/* the path carries Fast Open again: no more doubling pauses */
	if (fo->bh_check)
		atomic_set(&xtcp_net(net)->fo_bh_times, 0);
}

/**
 * xtcp_fastopen_client_timeout() - a Fast Open connection's SYN timer ran
 * out (before it sends again or gives up)
 * @sk: the socket
 * @timeouts: the SYNs sent again so far
 * @expired: no more will be
 *
 * The third timeout, or the last one before that, pauses active Fast
 * Open in the namespace: a middlebox may drop what carries it.
 */
void xtcp_fastopen_client_timeout(struct sock *sk, int timeouts, bool expired)
{
	struct xtcp_fo_client *fo = &xtcp_sk(sk)->foc;

	if (!fo->syn_fo && !fo->syn_data)
		return;
	if (timeouts == 2 || (timeouts < 2 && expired)) {
		xtcp_fastopen_client_pause(sock_net(sk));
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FASTOPENACTIVEFAIL);
	}
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/fastopen_client_test.c"
#endif
