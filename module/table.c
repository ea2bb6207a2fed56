// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp's connection tables, shared by all network namespaces (every key
 * includes the namespace):
 *
 *  - the ehash, keyed by the 4-tuple through a secret siphash key, holding
 *    request socks, full sockets and TIME_WAIT entries side by side. Lookups run under RCU
 *    and take a reference; writers hold the bucket's spinlock. A promotion
 *    swaps a request sock for its child with one hlist_replace_rcu(), so a
 *    concurrent lookup sees one or the other, never neither or both. An
 *    entry bound to a device (SO_BINDTODEVICE, a VRF) matches only what
 *    arrives on it, as in Linux's lookups; uniqueness is the 4-tuple's.
 *  - the listener hash, keyed by (netns, port); an exact local address
 *    wins over the wildcard. Listen and close are rare: one lock.
 *  - the bind table, keyed by (netns, port): every socket and TIME_WAIT
 *    entry that holds a local port, for bind() conflicts and ephemeral
 *    port choice. connect() may take over a TIME_WAIT entry's 4-tuple
 *    (timewait.c says when) in the same swap as a promotion's.
 *
 * Lock order: a bind bucket lock may be held while taking an ehash bucket
 * lock (connect() reserves its port and 4-tuple together), never the other
 * way round. All three are taken with BHs off, since the receive path
 * takes the ehash locks in softirq context.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

struct xtcp_table_bucket {
	struct hlist_head chain;
	spinlock_t lock;		/* writers of chain; readers use RCU */
};

/* A bind-table bucket: sockets, and TIME_WAIT entries holding ports. */
struct xtcp_table_bbucket {
	struct hlist_head chain;	/* struct xtcp_sock, by bind_node */
	struct hlist_head tw_chain;	/* struct xtcp_tw, by bind_node */
	spinlock_t lock;
};

static struct xtcp_table_bucket *xtcp_ehash __read_mostly;
static unsigned int xtcp_ehash_mask __read_mostly;
static siphash_key_t xtcp_ehash_key __read_mostly;

#define XTCP_LHASH_BITS		9
#define XTCP_BHASH_BITS		12
static struct hlist_head xtcp_lhash[1 << XTCP_LHASH_BITS];
/* guards the listener hash's chains; readers use RCU */
static DEFINE_SPINLOCK(xtcp_lhash_lock);
static struct xtcp_table_bbucket xtcp_bhash[1 << XTCP_BHASH_BITS];
/*
 * RFC 6056 algorithm 4's table of per-destination-bucket counters, as
 * large as Linux's since CVE-2022-32296 (2^16 entries, random at start):
 * with 256 buckets, an observer of one destination's ports could follow
 * a device's connections to others in the same bucket.
 */
#define XTCP_PERTURB_SIZE	BIT(16)
static u32 *xtcp_table_perturb __read_mostly;

unsigned int xtcp_ehash_entries;
module_param_named(ehash_entries, xtcp_ehash_entries, uint, 0444);
MODULE_PARM_DESC(ehash_entries, "ehash buckets (power of 2; 0: sized from memory)");

/* --- ehash --- */

static u32 xtcp_table_ehashfn(const struct net *net, __be32 laddr,
			      __be16 lport, __be32 raddr, __be16 rport)
{
	return (u32)siphash_4u32((__force u32)laddr, (__force u32)raddr,
				 (__force u32)lport << 16 | (__force u32)rport,
				 net_hash_mix(net), &xtcp_ehash_key);
}

static struct xtcp_table_bucket *
xtcp_table_ebucket(const struct xtcp_ehash_node *eh)
{
	return &xtcp_ehash[xtcp_table_ehashfn(read_pnet(&eh->net), eh->laddr,
					      eh->lport, eh->raddr,
					      eh->rport) & xtcp_ehash_mask];
}

static bool xtcp_table_ematch(const struct xtcp_ehash_node *eh,
			      const struct net *net, __be32 laddr,
			      __be16 lport, __be32 raddr, __be16 rport)
{
	return eh->laddr == laddr && eh->raddr == raddr &&
	       eh->lport == lport && eh->rport == rport &&
	       net_eq(read_pnet(&eh->net), net);
}

/**
 * xtcp_table_l3mdev_accept() - do unbound sockets hear segments from a VRF?
 * @net: namespace
 *
 * xtcp follows TCP's switch for this (net.ipv4.tcp_l3mdev_accept): a
 * service run in a VRF is configured once for both.
 *
 * Return: true if they do.
 */
bool xtcp_table_l3mdev_accept(const struct net *net)
{
#if IS_ENABLED(CONFIG_NET_L3_MASTER_DEV)
	return READ_ONCE(net->ipv4.sysctl_tcp_l3mdev_accept);
#else
	return true;
#endif
}

/*
 * Device rules of Linux's inet lookups: an entry bound to a device hears
 * only what arrived on it, directly (@dif) or as a VRF's slave (@sdif);
 * an unbound entry hears every device outside a VRF, and a VRF's only if
 * tcp_l3mdev_accept says so.
 */
static bool xtcp_table_dev_match(const struct net *net, int bound, int dif,
				 int sdif)
{
	if (bound)
		return bound == dif || bound == sdif;
	return !sdif || xtcp_table_l3mdev_accept(net);
}

/* The device an ehash entry is bound to (SO_BINDTODEVICE), or 0. */
static int xtcp_table_ebound_dev(struct xtcp_ehash_node *eh)
{
	if (eh->kind == XTCP_EH_REQ)
		return xtcp_eh_req(eh)->bound_dev_if;
	if (eh->kind == XTCP_EH_TW)
		return xtcp_eh_tw(eh)->bound_dev_if;
	return READ_ONCE(xtcp_eh_sk(eh)->sk_bound_dev_if);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
/* KUnit: run between a lookup's key match and its reference (races). */
static void (*xtcp_table_matched_hook)(struct xtcp_ehash_node *eh);
#endif

static void xtcp_table_matched(struct xtcp_ehash_node *eh)
{
#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
	if (xtcp_table_matched_hook)
		xtcp_table_matched_hook(eh);
#endif
}

/* Take a reference unless the entry is already on its way out. */
static bool xtcp_table_ehold(struct xtcp_ehash_node *eh)
{
	if (eh->kind == XTCP_EH_REQ)
		return refcount_inc_not_zero(&xtcp_eh_req(eh)->refcnt);
	if (eh->kind == XTCP_EH_TW)
		return refcount_inc_not_zero(&xtcp_eh_tw(eh)->refcnt);
	return refcount_inc_not_zero(&xtcp_eh_sk(eh)->sk_refcnt);
}

/**
 * xtcp_table_ehash_lookup() - find a request sock or socket by 4-tuple
 * @net: namespace of the segment
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 * @dif: interface the segment arrived on (inet_iif())
 * @sdif: the VRF slave it came through (inet_sdif()), or 0
 *
 * An entry bound to a device only matches segments from that device.
 *
 * Return: the entry with a reference held (xtcp_req_put(), xtcp_tw_put()
 * or sock_put() by kind), or NULL.
 */
struct xtcp_ehash_node *xtcp_table_ehash_lookup(const struct net *net,
						__be32 laddr, __be16 lport,
						__be32 raddr, __be16 rport,
						int dif, int sdif)
{
	u32 hash = xtcp_table_ehashfn(net, laddr, lport, raddr, rport);
	struct xtcp_table_bucket *b = &xtcp_ehash[hash & xtcp_ehash_mask];
	struct xtcp_ehash_node *eh;

	rcu_read_lock();
	hlist_for_each_entry_rcu(eh, &b->chain, node) {
		if (!xtcp_table_ematch(eh, net, laddr, lport, raddr, rport) ||
		    !xtcp_table_dev_match(net, xtcp_table_ebound_dev(eh), dif,
					  sdif))
			continue;
		xtcp_table_matched(eh);
		if (!xtcp_table_ehold(eh))
			continue;
		/*
		 * A socket can be disconnected and connected to another
		 * 4-tuple between the match and the reference (SOCK_RCU_FREE
		 * keeps it alive, not its key): match again now that it is
		 * held, as TCP's lookups do. A request's or a TIME_WAIT
		 * entry's key never changes.
		 */
		if (eh->kind == XTCP_EH_SOCK &&
		    !xtcp_table_ematch(eh, net, laddr, lport, raddr, rport)) {
			sock_put(xtcp_eh_sk(eh));
			continue;
		}
		rcu_read_unlock();
		return eh;
	}
	rcu_read_unlock();
	return NULL;
}

static bool xtcp_table_ehash_taken(struct xtcp_table_bucket *b,
				   const struct xtcp_ehash_node *new)
{
	struct xtcp_ehash_node *eh;

	hlist_for_each_entry(eh, &b->chain, node)
		if (xtcp_table_ematch(eh, read_pnet(&new->net), new->laddr,
				      new->lport, new->raddr, new->rport))
			return true;
	return false;
}

/**
 * xtcp_table_ehash_insert() - add an entry whose 4-tuple must be unique
 * @eh: the entry, key filled in
 *
 * Return: 0, or -EADDRINUSE if the 4-tuple is already in the table.
 */
int xtcp_table_ehash_insert(struct xtcp_ehash_node *eh)
{
	struct xtcp_table_bucket *b = xtcp_table_ebucket(eh);
	int err = 0;

	spin_lock_bh(&b->lock);
	if (xtcp_table_ehash_taken(b, eh)) {
		err = -EADDRINUSE;
	} else {
		hlist_add_head_rcu(&eh->node, &b->chain);
		eh->hashed = 1;
	}
	spin_unlock_bh(&b->lock);
	return err;
}

/**
 * xtcp_table_ehash_remove() - take an entry out of the ehash
 * @eh: the entry
 *
 * Return: true if this call removed it (the caller owns the table's
 * reference now), false if it was not hashed.
 */
bool xtcp_table_ehash_remove(struct xtcp_ehash_node *eh)
{
	struct xtcp_table_bucket *b = xtcp_table_ebucket(eh);
	bool removed = false;

	spin_lock_bh(&b->lock);
	if (eh->hashed) {
		hlist_del_init_rcu(&eh->node);
		eh->hashed = 0;
		removed = true;
	}
	spin_unlock_bh(&b->lock);
	return removed;
}

/**
 * xtcp_table_ehash_replace() - swap a hashed entry for another, atomically
 * @old: the hashed entry (a request sock)
 * @new: its replacement with the same key (the child socket)
 *
 * Return: true if swapped; false if @old was no longer hashed (it expired
 * or another CPU promoted it first), in which case @new is not hashed.
 */
bool xtcp_table_ehash_replace(struct xtcp_ehash_node *old,
			      struct xtcp_ehash_node *new)
{
	struct xtcp_table_bucket *b = xtcp_table_ebucket(old);
	bool done = false;

	spin_lock_bh(&b->lock);
	if (old->hashed) {
		hlist_replace_rcu(&old->node, &new->node);
		old->hashed = 0;
		new->hashed = 1;
		done = true;
	}
	spin_unlock_bh(&b->lock);
	return done;
}

/**
 * xtcp_table_ehash_mod_timer() - re-arm a timer only while @eh is hashed
 * @eh: an entry, key filled in
 * @timer: its timer
 * @expires: when it should fire
 *
 * A request sock's timer must not come back to life after the request has
 * left the ehash (promoted, dropped): testing and arming under the bucket
 * lock makes that impossible.
 *
 * Return: true if armed, false if @eh is no longer hashed.
 */
bool xtcp_table_ehash_mod_timer(struct xtcp_ehash_node *eh,
				struct timer_list *timer, unsigned long expires)
{
	struct xtcp_table_bucket *b = xtcp_table_ebucket(eh);
	bool armed = false;

	spin_lock_bh(&b->lock);
	if (eh->hashed) {
		mod_timer(timer, expires);
		armed = true;
	}
	spin_unlock_bh(&b->lock);
	return armed;
}

/**
 * xtcp_table_ehash_walk() - call @fn on each entry of @net, under RCU
 * @net: namespace
 * @fn: callback; returns false to stop
 * @arg: passed to @fn
 */
void xtcp_table_ehash_walk(const struct net *net,
			   bool (*fn)(struct xtcp_ehash_node *eh, void *arg),
			   void *arg)
{
	struct xtcp_ehash_node *eh;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i <= xtcp_ehash_mask; i++) {
		hlist_for_each_entry_rcu(eh, &xtcp_ehash[i].chain, node) {
			if (!net_eq(read_pnet(&eh->net), net))
				continue;
			if (!fn(eh, arg))
				goto out;
		}
	}
out:
	rcu_read_unlock();
}

/**
 * xtcp_table_ehash_seek() - the entry of @net under a cursor, or the next
 * @net: namespace
 * @cur: in, where to look: a bucket, and how many of @net's entries in it
 *	come before; out, where the entry returned is (past the last bucket
 *	if none is)
 *
 * A walk that stops and resumes (/proc/net/xtcp, a page at a time), under
 * RCU only while it prints. Between calls the cursor is all it keeps, so
 * a walk costs one pass over the buckets however often it pauses. Entries
 * added or removed meanwhile may be missed or seen twice, as in
 * /proc/net/tcp; every other entry is seen once. Call under
 * rcu_read_lock(); the entry is valid until rcu_read_unlock().
 *
 * Return: the entry, or NULL at the end of the table.
 */
struct xtcp_ehash_node *xtcp_table_ehash_seek(const struct net *net,
					      struct xtcp_table_cursor *cur)
{
	struct xtcp_ehash_node *eh;
	unsigned int n;

	for (; cur->bucket <= xtcp_ehash_mask; cur->bucket++, cur->skip = 0) {
		/* most buckets of a table sized for the machine are empty */
		if (hlist_empty(&xtcp_ehash[cur->bucket].chain))
			continue;
		n = 0;
		hlist_for_each_entry_rcu(eh, &xtcp_ehash[cur->bucket].chain,
					 node)
			if (net_eq(read_pnet(&eh->net), net) && n++ == cur->skip)
				return eh;
	}
	return NULL;
}

/* --- listener hash --- */

static struct hlist_head *xtcp_table_lbucket(const struct net *net, u16 port)
{
	return &xtcp_lhash[hash_32(net_hash_mix(net) ^ port, XTCP_LHASH_BITS)];
}

void xtcp_table_listen_remove(struct sock *sk)
{
	spin_lock_bh(&xtcp_lhash_lock);
	if (!hlist_unhashed(&xtcp_sk(sk)->listen_node))
		hlist_del_init_rcu(&xtcp_sk(sk)->listen_node);
	spin_unlock_bh(&xtcp_lhash_lock);
}

/**
 * xtcp_table_listen_lookup() - find the listener for a new connection
 * @net: namespace
 * @daddr: destination address of the segment
 * @dport: destination port
 * @dif: interface the segment arrived on
 * @sdif: the VRF slave it came through, or 0
 *
 * A listener bound to @daddr beats one bound to the wildcard; a listener
 * bound to a device only hears segments from that device.
 *
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_table_listen_lookup(const struct net *net, __be32 daddr,
				      __be16 dport, int dif, int sdif)
{
	u16 port = ntohs(dport);
	struct sock *best = NULL;
	struct xtcp_sock *xs;
	int best_score = 0;

	rcu_read_lock();
	hlist_for_each_entry_rcu(xs, xtcp_table_lbucket(net, port),
				 listen_node) {
		struct sock *sk = &xs->inet.sk;
		int score = 1, bound;

		if (xs->inet.inet_num != port ||
		    !net_eq(sock_net(sk), net))
			continue;
		if (xs->inet.inet_rcv_saddr) {
			if (xs->inet.inet_rcv_saddr != daddr)
				continue;
			score += 2;
		}
		bound = READ_ONCE(sk->sk_bound_dev_if);
		if (!xtcp_table_dev_match(net, bound, dif, sdif))
			continue;
		if (bound)
			score++;
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	rcu_read_unlock();
	return best;
}

/**
 * xtcp_table_listen_walk() - call @fn on each listener of @net, under RCU
 * @net: namespace
 * @fn: callback; returns false to stop
 * @arg: passed to @fn
 */
void xtcp_table_listen_walk(const struct net *net,
			    bool (*fn)(struct sock *sk, void *arg), void *arg)
{
	struct xtcp_sock *xs;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(xtcp_lhash); i++)
		hlist_for_each_entry_rcu(xs, &xtcp_lhash[i], listen_node)
			if (net_eq(sock_net(&xs->inet.sk), net) &&
			    !fn(&xs->inet.sk, arg))
				goto out;
out:
	rcu_read_unlock();
}

/**
 * xtcp_table_listen_seek() - the listener of @net under a cursor, or the next
 * @net: namespace
 * @cur: as for xtcp_table_ehash_seek(), over the listener hash
 *
 * Call under rcu_read_lock(); the listener is valid until
 * rcu_read_unlock().
 *
 * Return: the listener, or NULL at the end of the table.
 */
struct sock *xtcp_table_listen_seek(const struct net *net,
				    struct xtcp_table_cursor *cur)
{
	struct xtcp_sock *xs;
	unsigned int n;

	for (; cur->bucket < ARRAY_SIZE(xtcp_lhash); cur->bucket++, cur->skip = 0) {
		n = 0;
		hlist_for_each_entry_rcu(xs, &xtcp_lhash[cur->bucket], listen_node)
			if (net_eq(sock_net(&xs->inet.sk), net) &&
			    n++ == cur->skip)
				return &xs->inet.sk;
	}
	return NULL;
}

/* --- bind table --- */

static struct xtcp_table_bbucket *xtcp_table_bbucket(const struct net *net,
						     u16 port)
{
	return &xtcp_bhash[hash_32(net_hash_mix(net) ^ port, XTCP_BHASH_BITS)];
}

/*
 * Would @sk, taking port @port, clash with @sk2? TCP's rules: sockets on
 * different devices never clash; two SO_REUSEADDR sockets share a port
 * unless the other one listens; otherwise the addresses clash when equal
 * or when either is the wildcard.
 */
static bool xtcp_table_bind_clash(const struct sock *sk, const struct sock *sk2,
				  __be32 addr)
{
	__be32 addr2 = inet_sk(sk2)->inet_rcv_saddr;

	if (sk == sk2)
		return false;
	if (sk->sk_bound_dev_if && sk2->sk_bound_dev_if &&
	    sk->sk_bound_dev_if != sk2->sk_bound_dev_if)
		return false;
	if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN)
		return false;
	return !addr || !addr2 || addr == addr2;
}

/*
 * The same rules against a TIME_WAIT entry, which never listens: it
 * yields to SO_REUSEADDR if its socket had SO_REUSEADDR too, as TCP's.
 */
static bool xtcp_table_bind_clash_tw(const struct sock *sk,
				     const struct xtcp_tw *tw, __be32 addr)
{
	if (sk->sk_bound_dev_if && tw->bound_dev_if &&
	    sk->sk_bound_dev_if != tw->bound_dev_if)
		return false;
	if (sk->sk_reuse && tw->reuse)
		return false;
	return !addr || !tw->eh.laddr || addr == tw->eh.laddr;
}

static bool xtcp_table_port_clash(struct xtcp_table_bbucket *b,
				  const struct sock *sk, u16 port)
{
	__be32 addr = inet_sk(sk)->inet_rcv_saddr;
	struct xtcp_sock *xs;
	struct xtcp_tw *tw;

	hlist_for_each_entry(xs, &b->chain, bind_node)
		if (xs->inet.inet_num == port &&
		    net_eq(sock_net(&xs->inet.sk), sock_net(sk)) &&
		    xtcp_table_bind_clash(sk, &xs->inet.sk, addr))
			return true;
	hlist_for_each_entry(tw, &b->tw_chain, bind_node)
		if (ntohs(tw->eh.lport) == port &&
		    net_eq(read_pnet(&tw->eh.net), sock_net(sk)) &&
		    xtcp_table_bind_clash_tw(sk, tw, addr))
			return true;
	return false;
}

/* Add @sk to bucket @b as the owner of @port. Bucket lock held. */
static void xtcp_table_bind_add(struct xtcp_table_bbucket *b, struct sock *sk,
				u16 port, bool explicit)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	inet_sk(sk)->inet_num = port;
	inet_sk(sk)->inet_sport = htons(port);
	xs->bind_explicit = explicit;
	xs->bound = 1;
	hlist_add_head(&xs->bind_node, &b->chain);
}

/*
 * Walk the local port range from @offset, skipping reserved ports, and
 * give @sk the first port @try takes. @try runs under the port's bind
 * bucket lock and, if it takes the port, adds @sk to the bucket.
 */
static int xtcp_table_port_scan(struct sock *sk, u32 offset,
				bool (*try)(struct xtcp_table_bbucket *b,
					    struct sock *sk, u16 port,
					    void *arg),
				void *arg, u32 *tried)
{
	struct net *net = sock_net(sk);
	struct xtcp_table_bbucket *b;
	u32 remaining, i;
	int low, high;
	bool taken;
	u16 port;

	inet_get_local_port_range(net, &low, &high);
	remaining = high - low + 1;
	for (i = 0; i < remaining; i++) {
		port = low + (offset + i) % remaining;
		if (inet_is_local_reserved_port(net, port))
			continue;
		b = xtcp_table_bbucket(net, port);
		spin_lock_bh(&b->lock);
		taken = try(b, sk, port, arg);
		spin_unlock_bh(&b->lock);
		if (taken) {
			if (tried)
				*tried = i;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* bind(0): any port no other socket's bind rules forbid. */
static bool xtcp_table_try_bind(struct xtcp_table_bbucket *b, struct sock *sk,
				u16 port, void *arg)
{
	if (xtcp_table_port_clash(b, sk, port))
		return false;
	/* bind(0) still counts as a bind: the port is ours */
	xtcp_table_bind_add(b, sk, port, true);
	return true;
}

/**
 * xtcp_table_bind() - give @sk a local port, as bind() does
 * @sk: the socket, inet_rcv_saddr already set
 * @port: the port wanted (host order), or 0 for any free one
 *
 * Return: 0, -EADDRINUSE if @port clashes, or -EADDRNOTAVAIL if no port
 * of the local range is free.
 */
int xtcp_table_bind(struct sock *sk, u16 port)
{
	struct net *net = sock_net(sk);
	struct xtcp_table_bbucket *b;

	if (port) {
		b = xtcp_table_bbucket(net, port);
		spin_lock_bh(&b->lock);
		if (xtcp_table_port_clash(b, sk, port)) {
			spin_unlock_bh(&b->lock);
			return -EADDRINUSE;
		}
		xtcp_table_bind_add(b, sk, port, true);
		spin_unlock_bh(&b->lock);
		return 0;
	}

	return xtcp_table_port_scan(sk, get_random_u32(), xtcp_table_try_bind,
				    NULL, NULL);
}

/**
 * xtcp_table_listen_add() - make a listener findable, unless one clashes
 * @sk: the socket, bound, already in LISTEN
 *
 * A port shared under SO_REUSEADDR may have one listener only. All the
 * listeners of a port share a chain, and the check and the insertion
 * happen under the chain's lock, so two sockets cannot both pass it.
 *
 * Return: 0 or -EADDRINUSE.
 */
int xtcp_table_listen_add(struct sock *sk)
{
	u16 port = inet_sk(sk)->inet_num;
	struct hlist_head *chain = xtcp_table_lbucket(sock_net(sk), port);
	struct xtcp_sock *xs;
	int err = 0;

	spin_lock_bh(&xtcp_lhash_lock);
	hlist_for_each_entry(xs, chain, listen_node) {
		struct sock *sk2 = &xs->inet.sk;

		if (xs->inet.inet_num == port &&
		    net_eq(sock_net(sk2), sock_net(sk)) &&
		    sk2->sk_state == TCP_LISTEN &&
		    xtcp_table_bind_clash(sk, sk2, inet_sk(sk)->inet_rcv_saddr)) {
			err = -EADDRINUSE;
			break;
		}
	}
	if (!err)
		hlist_add_head_rcu(&xtcp_sk(sk)->listen_node, chain);
	spin_unlock_bh(&xtcp_lhash_lock);
	return err;
}

/* A port that bind() handed out is not shared with connect()'s choices. */
static bool xtcp_table_port_explicit(struct xtcp_table_bbucket *b,
				     const struct net *net, u16 port)
{
	struct xtcp_sock *xs;
	struct xtcp_tw *tw;

	hlist_for_each_entry(xs, &b->chain, bind_node)
		if (xs->inet.inet_num == port && xs->bind_explicit &&
		    net_eq(sock_net(&xs->inet.sk), net))
			return true;
	hlist_for_each_entry(tw, &b->tw_chain, bind_node)
		if (ntohs(tw->eh.lport) == port && tw->bind_explicit &&
		    net_eq(read_pnet(&tw->eh.net), net))
			return true;
	return false;
}

/* What connect() passes down to the insertion of its 4-tuple. */
struct xtcp_table_connect_arg {
	xtcp_table_tw_reusable_t reusable;
	struct xtcp_tw *tw;		/* the TIME_WAIT entry taken over */
};

/*
 * Insert a connecting socket's 4-tuple. One held by a TIME_WAIT entry
 * is taken over, in one swap, if @arg's rule allows it; the entry is
 * handed back in @arg for the caller to finish outside the locks.
 */
static int xtcp_table_ehash_insert_connect(struct xtcp_ehash_node *new,
					   struct sock *sk, bool bound,
					   struct xtcp_table_connect_arg *arg)
{
	struct xtcp_table_bucket *b = xtcp_table_ebucket(new);
	struct xtcp_ehash_node *eh, *found = NULL;
	int err = 0;

	spin_lock_bh(&b->lock);
	hlist_for_each_entry(eh, &b->chain, node) {
		if (xtcp_table_ematch(eh, read_pnet(&new->net), new->laddr,
				      new->lport, new->raddr, new->rport)) {
			found = eh;
			break;
		}
	}
	if (!found) {
		hlist_add_head_rcu(&new->node, &b->chain);
		new->hashed = 1;
	} else if (found->kind == XTCP_EH_TW && arg->reusable &&
		   arg->reusable(xtcp_eh_tw(found), sk, bound)) {
		hlist_replace_rcu(&found->node, &new->node);
		found->hashed = 0;
		new->hashed = 1;
		arg->tw = xtcp_eh_tw(found);
	} else {
		err = -EADDRINUSE;
	}
	spin_unlock_bh(&b->lock);
	return err;
}

/*
 * connect(): a port no bind() holds, whose 4-tuple with @sk's addresses
 * is free (or held by a TIME_WAIT entry that may be reused); the
 * 4-tuple is reserved in the ehash in the same step.
 */
static bool xtcp_table_try_connect(struct xtcp_table_bbucket *b,
				   struct sock *sk, u16 port, void *arg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xtcp_table_port_explicit(b, sock_net(sk), port))
		return false;
	xs->eh.lport = htons(port);
	if (xtcp_table_ehash_insert_connect(&xs->eh, sk, false, arg))
		return false;
	xtcp_table_bind_add(b, sk, port, false);
	return true;
}

/**
 * xtcp_table_connect_hash() - reserve the 4-tuple of a connecting socket
 * @sk: the socket; addresses and destination port set. If it has no local
 *	port yet, one is chosen.
 * @port_offset: a keyed hash of the addresses (RFC 6056 algorithm 4):
 *	the low bits pick a perturbation counter, the high 32 the start in
 *	the local range, so the two are independent
 * @reusable: whether a TIME_WAIT entry holding the 4-tuple may be taken
 *	over (called under the ehash bucket lock), or NULL for never
 * @twp: set to the entry taken over, if one was; it is out of the ehash
 *	and its ehash reference is the caller's. NULL otherwise.
 *
 * The port is free for us if no bind() holds it and the resulting 4-tuple
 * is in no use. Port and 4-tuple are reserved under the bind bucket lock,
 * so two connects cannot take the same pair.
 *
 * Return: 0, or -EADDRNOTAVAIL when every port is in use (or, for a bound
 * socket, when its 4-tuple is taken).
 */
int xtcp_table_connect_hash(struct sock *sk, u64 port_offset,
			    xtcp_table_tw_reusable_t reusable,
			    struct xtcp_tw **twp)
{
	struct xtcp_table_connect_arg arg = { .reusable = reusable };
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	u32 *perturb, tried = 0;
	int err;

	*twp = NULL;
	xs->eh.kind = XTCP_EH_SOCK;
	write_pnet(&xs->eh.net, net);
	xs->eh.laddr = inet->inet_saddr;
	xs->eh.raddr = inet->inet_daddr;
	xs->eh.rport = inet->inet_dport;

	if (xs->bound) {
		xs->eh.lport = inet->inet_sport;
		err = xtcp_table_ehash_insert_connect(&xs->eh, sk, true, &arg);
		*twp = arg.tw;
		return err ? -EADDRNOTAVAIL : 0;
	}

	/*
	 * RFC 6056 algorithm 4: a per-destination-bucket counter moves the
	 * start on with every connect, so a port just given back is not
	 * handed out again at once for the same destination. It moves by
	 * the ports tried, or by a random 1..16 if that is more (Linux:
	 * 2..16), so successive ports are not consecutive. Races between
	 * CPUs on one counter only add to the noise.
	 */
	perturb = &xtcp_table_perturb[port_offset & (XTCP_PERTURB_SIZE - 1)];
	err = xtcp_table_port_scan(sk, READ_ONCE(*perturb) +
				   (u32)(port_offset >> 32),
				   xtcp_table_try_connect, &arg, &tried);
	*twp = arg.tw;
	if (!err) {
		tried = max(tried, get_random_u32() % 16);
		WRITE_ONCE(*perturb, READ_ONCE(*perturb) + tried + 1);
	}
	return err;
}

/**
 * xtcp_table_inherit_port() - a new child takes its listener's port
 * @child: the child, not yet visible anywhere
 * @listener: its listener
 */
void xtcp_table_inherit_port(struct sock *child, struct sock *listener)
{
	u16 port = inet_sk(listener)->inet_num;
	struct xtcp_table_bbucket *b = xtcp_table_bbucket(sock_net(child), port);

	spin_lock_bh(&b->lock);
	xtcp_table_bind_add(b, child, port, xtcp_sk(listener)->bind_explicit);
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_table_unbind() - give up the local port
 * @sk: the socket
 */
void xtcp_table_unbind(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_table_bbucket *b;

	if (!xs->bound)
		return;
	b = xtcp_table_bbucket(sock_net(sk), inet_sk(sk)->inet_num);
	spin_lock_bh(&b->lock);
	hlist_del_init(&xs->bind_node);
	xs->bound = 0;
	xs->bind_explicit = 0;
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_table_tw_bind() - a TIME_WAIT entry holds its port from now on
 * @tw: the entry, its key filled in
 */
void xtcp_table_tw_bind(struct xtcp_tw *tw)
{
	struct xtcp_table_bbucket *b =
		xtcp_table_bbucket(read_pnet(&tw->eh.net), ntohs(tw->eh.lport));

	spin_lock_bh(&b->lock);
	hlist_add_head(&tw->bind_node, &b->tw_chain);
	tw->bound = 1;
	spin_unlock_bh(&b->lock);
}

/**
 * xtcp_table_tw_unbind() - a TIME_WAIT entry gives its port up
 * @tw: the entry
 */
void xtcp_table_tw_unbind(struct xtcp_tw *tw)
{
	struct xtcp_table_bbucket *b =
		xtcp_table_bbucket(read_pnet(&tw->eh.net), ntohs(tw->eh.lport));

	spin_lock_bh(&b->lock);
	if (tw->bound) {
		hlist_del(&tw->bind_node);
		tw->bound = 0;
	}
	spin_unlock_bh(&b->lock);
}

/* --- setup --- */

int __init xtcp_table_init(void)
{
	unsigned int n = xtcp_ehash_entries, i;

	if (!n) {
		/* one bucket per 64 KiB of RAM, like TCP's order of magnitude */
		n = clamp_t(unsigned long, totalram_pages() >> (16 - PAGE_SHIFT),
			    1024, 1U << 20);
	}
	n = roundup_pow_of_two(clamp_t(unsigned int, n, 16, 1U << 24));
	xtcp_ehash = kvmalloc_array(n, sizeof(*xtcp_ehash), GFP_KERNEL);
	if (!xtcp_ehash)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		INIT_HLIST_HEAD(&xtcp_ehash[i].chain);
		spin_lock_init(&xtcp_ehash[i].lock);
	}
	xtcp_ehash_mask = n - 1;
	xtcp_ehash_entries = n;
	get_random_bytes(&xtcp_ehash_key, sizeof(xtcp_ehash_key));
	xtcp_table_perturb = kvmalloc_array(XTCP_PERTURB_SIZE,
					    sizeof(*xtcp_table_perturb),
					    GFP_KERNEL);
	if (!xtcp_table_perturb) {
		kvfree(xtcp_ehash);
		xtcp_ehash = NULL;
		return -ENOMEM;
	}
	get_random_bytes(xtcp_table_perturb,
			 XTCP_PERTURB_SIZE * sizeof(*xtcp_table_perturb));

	for (i = 0; i < ARRAY_SIZE(xtcp_lhash); i++)
		INIT_HLIST_HEAD(&xtcp_lhash[i]);
	for (i = 0; i < ARRAY_SIZE(xtcp_bhash); i++) {
		INIT_HLIST_HEAD(&xtcp_bhash[i].chain);
		INIT_HLIST_HEAD(&xtcp_bhash[i].tw_chain);
		spin_lock_init(&xtcp_bhash[i].lock);
	}
	return 0;
}

void xtcp_table_exit(void)
{
	kvfree(xtcp_ehash);
	xtcp_ehash = NULL;
	kvfree(xtcp_table_perturb);
	xtcp_table_perturb = NULL;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/table_test.c"
#endif
