// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp's connection tables, shared by all network namespaces (every key
 * includes the namespace):
 *
 *  - the ehash, keyed by the 4-tuple through a secret siphash key, holding
 *    request socks, full sockets and TIME_WAIT entries side by side.
 *    Lookups run under RCU and take a reference; writers hold the
 *    bucket's spinlock. Chains are nulls-terminated: each ends in its
 *    bucket's index, so a lookup that an entry moving to another chain
 *    led astray sees a foreign end and starts again. A promotion or a
 *    TIME_WAIT swap replaces one entry by another in a single store
 *    (xtcp_table_nulls_replace()), so a concurrent lookup sees one or the
 *    other, never neither or both. An entry bound to a device
 *    (SO_BINDTODEVICE, a VRF) matches only what arrives on it, as in
 *    Linux's lookups; uniqueness is the 4-tuple's.
 *  - the listener hash, keyed by (netns, address, port), nulls-terminated
 *    too; an exact local address wins over the wildcard. Listen and close
 *    are rare: one lock.
 *  - the bind table, keyed by (netns, port): every socket and TIME_WAIT
 *    entry that holds a local port, for bind() conflicts and ephemeral
 *    port choice. connect() may take over a TIME_WAIT entry's 4-tuple
 *    (timewait.c says when) in the same swap as a promotion's.
 *
 * Lock order: a bind bucket lock may be held while taking an ehash bucket
 * lock (connect() reserves its port and 4-tuple together) or the listener
 * hash's (listen() checks and inserts together), never the other way
 * round. All three are taken with BHs off, since the receive path
 * takes the ehash locks in softirq context.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rculist_nulls.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/inet_hashtables.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/sock_reuseport.h>
#include <net/tcp_states.h>

#include "xtcp.h"

struct xtcp_table_bucket {
	struct hlist_nulls_head chain;	/* ends in the bucket's index */
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

/* 10,000 listeners on distinct addresses: chains of a few */
#define XTCP_LHASH_SIZE		BIT(12)
/*
 * The bind hash: a bucket per port within a namespace (the index is the
 * port plus the namespace's mix, as Linux's inet_bhashfn), so checking a
 * port walks only the sockets on that port, however many others there
 * are (100,000 connections on 4096 buckets cost connect() a fifth of its
 * rate).
 */
#define XTCP_BHASH_SIZE		BIT(16)
/* each chain ends in its index, as the ehash's */
static struct hlist_nulls_head xtcp_lhash[XTCP_LHASH_SIZE];
/* guards the listener hash's chains; readers use RCU */
static DEFINE_SPINLOCK(xtcp_lhash_lock);
static struct xtcp_table_bbucket *xtcp_bhash __read_mostly;
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
/* KUnit: run as a lookup steps onto each entry (interleavings). */
static void (*xtcp_table_visit_hook)(struct hlist_nulls_node *n);
#endif

static void xtcp_table_matched(struct xtcp_ehash_node *eh)
{
#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
	if (xtcp_table_matched_hook)
		xtcp_table_matched_hook(eh);
#endif
}

static void xtcp_table_visit(struct hlist_nulls_node *n)
{
#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
	if (xtcp_table_visit_hook)
		xtcp_table_visit_hook(n);
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

/*
 * The lookup proper; @restarts counts the walks begun again. Kept apart
 * from the counter so KUnit can call it with namespaces that have none.
 * @kind: only an entry of this kind (XTCP_EH_*), or -1 for any.
 */
static struct xtcp_ehash_node *
xtcp_table_ehash_find(const struct net *net, __be32 laddr, __be16 lport,
		      __be32 raddr, __be16 rport, int dif, int sdif, int kind,
		      unsigned int *restarts)
{
	u32 slot = xtcp_table_ehashfn(net, laddr, lport, raddr, rport) &
		   xtcp_ehash_mask;
	struct xtcp_table_bucket *b = &xtcp_ehash[slot];
	struct hlist_nulls_node *n;
	struct xtcp_ehash_node *eh;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(eh, n, &b->chain, node) {
		xtcp_table_visit(&eh->node);
		if (!xtcp_table_ematch(eh, net, laddr, lport, raddr, rport) ||
		    !xtcp_table_dev_match(net, xtcp_table_ebound_dev(eh), dif,
					  sdif) ||
		    (kind >= 0 && eh->kind != kind))
			continue;
		xtcp_table_matched(eh);
		if (!xtcp_table_ehold(eh))
			continue;
		/*
		 * A socket can be disconnected and connected to another
		 * 4-tuple, or bound to another device, between the match and
		 * the reference (SOCK_RCU_FREE keeps it alive, not its key):
		 * match again now that it is held, as TCP's lookups do. A
		 * request's or a TIME_WAIT entry's key and device never
		 * change, and their memory is not reused before a grace
		 * period (call_rcu(), no SLAB_TYPESAFE_BY_RCU).
		 */
		if (eh->kind == XTCP_EH_SOCK &&
		    (!xtcp_table_ematch(eh, net, laddr, lport, raddr, rport) ||
		     !xtcp_table_dev_match(net, xtcp_table_ebound_dev(eh), dif,
					   sdif))) {
			sock_put(xtcp_eh_sk(eh));
			continue;
		}
		rcu_read_unlock();
		return eh;
	}
	/*
	 * The walk ended on another chain's nulls: an entry it stood on left
	 * this chain for another (a socket disconnected and connected again)
	 * and took the walk along, past entries of ours it never saw.
	 */
	if (get_nulls_value(n) != slot) {
		(*restarts)++;
		goto begin;
	}
	rcu_read_unlock();
	return NULL;
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
 * An entry bound to a device only matches segments from that device. A
 * walk led off its chain by an entry that moved starts again (counted in
 * LookupRestarts), so an entry hashed all along is never missed.
 *
 * Return: the entry with a reference held (xtcp_req_put(), xtcp_tw_put()
 * or sock_put() by kind), or NULL.
 */
struct xtcp_ehash_node *xtcp_table_ehash_lookup(const struct net *net,
						__be32 laddr, __be16 lport,
						__be32 raddr, __be16 rport,
						int dif, int sdif)
{
	unsigned int restarts = 0;
	struct xtcp_ehash_node *eh;

	eh = xtcp_table_ehash_find(net, laddr, lport, raddr, rport, dif, sdif,
				   -1, &restarts);
	if (unlikely(restarts))
		XTCP_ADD_STATS(net, XTCP_MIB_LOOKUPRESTARTS, restarts);
	return eh;
}

/**
 * xtcp_table_tw_lookup() - the TIME_WAIT (or FIN_WAIT_2) entry of a 4-tuple
 * @net: namespace of the segment
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 * @dif: interface the segment arrived on
 *
 * As xtcp_table_ehash_lookup(), but an entry of another kind is passed
 * over untouched, so the caller has only one kind of reference to drop.
 *
 * Return: the entry with a reference held (xtcp_tw_put()), or NULL.
 */
struct xtcp_tw *xtcp_table_tw_lookup(const struct net *net, __be32 laddr,
				     __be16 lport, __be32 raddr, __be16 rport,
				     int dif)
{
	unsigned int restarts = 0;
	struct xtcp_ehash_node *eh;

	eh = xtcp_table_ehash_find(net, laddr, lport, raddr, rport, dif, 0,
				   XTCP_EH_TW, &restarts);
	if (unlikely(restarts))
		XTCP_ADD_STATS(net, XTCP_MIB_LOOKUPRESTARTS, restarts);
	return eh ? xtcp_eh_tw(eh) : NULL;
}

static bool xtcp_table_ehash_taken(struct xtcp_table_bucket *b,
				   const struct xtcp_ehash_node *new)
{
	struct hlist_nulls_node *n;
	struct xtcp_ehash_node *eh;

	hlist_nulls_for_each_entry(eh, n, &b->chain, node)
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
		hlist_nulls_add_head_rcu(&eh->node, &b->chain);
		eh->hashed = 1;
	}
	spin_unlock_bh(&b->lock);
	return err;
}

/**
 * xtcp_table_ehash_remove() - take an entry out of the ehash
 * @eh: the entry
 *
 * Its next pointer stays as it was, for lookups standing on it.
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
		hlist_nulls_del_init_rcu(&eh->node);
		eh->hashed = 0;
		removed = true;
	}
	spin_unlock_bh(&b->lock);
	return removed;
}

/*
 * Put @new in @old's place in a nulls chain, with lookups walking it
 * under RCU; the chain's lock is held. Linux 6.1 has no nulls version of
 * hlist_replace_rcu(); this is the one place xtcp does it.
 *
 * Why a lookup meets exactly one of the two:
 *  - Lookups read only ->next pointers (rcu_dereference()). The one store
 *    they can see is the rcu_assign_pointer() below, into the next pointer
 *    of @old's predecessor (or the chain head): a single aligned store, so
 *    a lookup loads either @old or @new from it, never something else.
 *  - @new->next is written before that store, and rcu_assign_pointer() is
 *    a release: a lookup that loaded @new (a dependent load follows) sees
 *    @new->next == @old's successor, and @new's key filled in earlier.
 *  - @old->next is not touched, here or later while a lookup may stand on
 *    @old (@old is freed after a grace period, never hashed again): a
 *    lookup that loaded @old goes on to the same successor.
 *  - So both paths rejoin at the successor: one or the other, never both,
 *    never neither. Nothing moves between chains, so the chain still ends
 *    on its own nulls value and no lookup restarts.
 *  - The ->pprev stores are for writers only, who hold the lock.
 * A lookup standing on @new itself from an earlier life (a socket
 * disconnected and connected again to a 4-tuple of this same chain)
 * would go on at @old's successor; it had to stall across both a
 * disconnect and a connect for that, as in TCP, whose sockets have the
 * same window.
 */
static void xtcp_table_nulls_replace(struct hlist_nulls_node *old,
				     struct hlist_nulls_node *new)
{
	struct hlist_nulls_node *next = old->next;

	WRITE_ONCE(new->next, next);
	new->pprev = old->pprev;
	rcu_assign_pointer(hlist_nulls_pprev_rcu(new), new);
	if (!is_a_nulls(next))
		next->pprev = &new->next;
	WRITE_ONCE(old->pprev, NULL);
}

/**
 * xtcp_table_ehash_replace() - swap a hashed entry for another, atomically
 * @old: the hashed entry (a request sock, a socket going to TIME_WAIT)
 * @new: its replacement with the same key (the child, the TIME_WAIT entry)
 *
 * A concurrent lookup finds one or the other, never neither or both
 * (xtcp_table_nulls_replace()).
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
		xtcp_table_nulls_replace(&old->node, &new->node);
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
 *
 * A bucket whose walk another namespace's moving socket led astray is
 * walked again, so no entry hashed all along is left out (a dying
 * namespace's TIME_WAIT entries must all be found); @fn may see an entry
 * twice.
 */
void xtcp_table_ehash_walk(const struct net *net,
			   bool (*fn)(struct xtcp_ehash_node *eh, void *arg),
			   void *arg)
{
	struct hlist_nulls_node *n;
	struct xtcp_ehash_node *eh;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i <= xtcp_ehash_mask; i++) {
again:
		hlist_nulls_for_each_entry_rcu(eh, n, &xtcp_ehash[i].chain,
					       node) {
			if (!net_eq(read_pnet(&eh->net), net))
				continue;
			if (!fn(eh, arg))
				goto out;
		}
		if (get_nulls_value(n) != i)
			goto again;
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
	struct hlist_nulls_node *nn;
	struct xtcp_ehash_node *eh;
	unsigned int n;

	for (; cur->bucket <= xtcp_ehash_mask; cur->bucket++, cur->skip = 0) {
		/* most buckets of a table sized for the machine are empty */
		if (hlist_nulls_empty(&xtcp_ehash[cur->bucket].chain))
			continue;
		n = 0;
		hlist_nulls_for_each_entry_rcu(eh, nn,
					       &xtcp_ehash[cur->bucket].chain,
					       node)
			if (net_eq(read_pnet(&eh->net), net) && n++ == cur->skip)
				return eh;
	}
	return NULL;
}

/* --- listener hash --- */

/*
 * Listeners are hashed by (netns, address, port), a wildcard one under
 * address 0, as Linux's lhash2: a lookup reads the chain of the exact
 * address and, only if nothing there takes the segment, the wildcard's,
 * so its cost does not grow with the listeners on other addresses.
 */
static u32 xtcp_table_lslot(const struct net *net, __be32 addr, u16 port)
{
	return jhash_2words((__force u32)addr, port, net_hash_mix(net)) &
	       (XTCP_LHASH_SIZE - 1);
}

void xtcp_table_listen_remove(struct sock *sk)
{
	/* first, so that no SYN is sent to us by the group from now on */
	if (rcu_access_pointer(sk->sk_reuseport_cb))
		reuseport_detach_sock(sk);
	spin_lock_bh(&xtcp_lhash_lock);
	if (!hlist_nulls_unhashed(&xtcp_sk(sk)->listen_node))
		hlist_nulls_del_init_rcu(&xtcp_sk(sk)->listen_node);
	spin_unlock_bh(&xtcp_lhash_lock);
}

static bool xtcp_table_lmatch(const struct xtcp_sock *xs, const struct net *net,
			      __be32 addr, u16 port)
{
	return xs->inet.inet_num == port && xs->inet.inet_rcv_saddr == addr &&
	       net_eq(sock_net(&xs->inet.sk), net);
}

/*
 * The member of @sk's SO_REUSEPORT group that takes @skb (a SYN, or the
 * ACK of a cookie): the group's program if one is attached, else a
 * member on the CPU that took the segment if SO_INCOMING_CPU asks for
 * it, else one chosen by a hash of the 4-tuple, so the ACK that ends a
 * cookie handshake comes to the listener that sent the cookie. The
 * program sees the payload, as TCP's: skb->data is at our header.
 */
static struct sock *xtcp_table_reuseport_pick(const struct net *net,
					      struct sock *sk,
					      struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct sock *sel;
	u32 hash;

	hash = xtcp_table_ehashfn(net, iph->daddr, th->dest, iph->saddr,
				  th->source);
	sel = reuseport_select_sock(sk, hash, skb, th->doff * 4);
	return sel ?: sk;
}

/*
 * The best listener of chain @slot for (@addr, @port), held. Among those
 * of the address, one bound to the arriving device beats an unbound one,
 * as in compute_score(). Called under RCU.
 */
static struct sock *xtcp_table_listen_chain(const struct net *net, u32 slot,
					    __be32 addr, u16 port, int dif,
					    int sdif, struct sk_buff *skb,
					    unsigned int *restarts)
{
	struct hlist_nulls_node *n;
	struct xtcp_sock *xs;
	struct sock *best;
	int best_score;

begin:
	best = NULL;
	best_score = 0;
	hlist_nulls_for_each_entry_rcu(xs, n, &xtcp_lhash[slot], listen_node) {
		struct sock *sk = &xs->inet.sk;
		int score, bound;

		xtcp_table_visit(&xs->listen_node);
		if (!xtcp_table_lmatch(xs, net, addr, port))
			continue;
		bound = READ_ONCE(sk->sk_bound_dev_if);
		if (!xtcp_table_dev_match(net, bound, dif, sdif))
			continue;
		score = bound ? 2 : 1;
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	/* as in the ehash: a listener that moved took the walk along */
	if (get_nulls_value(n) != slot) {
		(*restarts)++;
		goto begin;
	}
	if (best && skb && rcu_access_pointer(best->sk_reuseport_cb))
		best = xtcp_table_reuseport_pick(net, best, skb);
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		return NULL;
	/* its key could only have changed after it left the chain: again */
	if (best && !xtcp_table_lmatch(xtcp_sk(best), net, addr, port)) {
		sock_put(best);
		(*restarts)++;
		goto begin;
	}
	return best;
}

/**
 * xtcp_table_tuple_hash() - the 4-tuple hash a group member is chosen by
 * @eh: a request's or a socket's key
 *
 * Return: the hash xtcp_table_reuseport_pick() gives the same 4-tuple.
 */
u32 xtcp_table_tuple_hash(const struct xtcp_ehash_node *eh)
{
	return xtcp_table_ehashfn(read_pnet(&eh->net), eh->laddr, eh->lport,
				  eh->raddr, eh->rport);
}

/* Another listening member of @sk's group, on @sk's chain. RCU held. */
static bool xtcp_table_is_peer(const struct sock *sk, struct xtcp_sock *xs)
{
	const struct sock *sk2 = &xs->inet.sk;

	return sk2 != sk && sk2->sk_reuseport &&
	       READ_ONCE(sk2->sk_state) == TCP_LISTEN &&
	       sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
	       xtcp_table_lmatch(xs, sock_net(sk), inet_sk(sk)->inet_rcv_saddr,
				 inet_sk(sk)->inet_num);
}

/**
 * xtcp_table_reuseport_peer() - where a closing member's handshakes go
 * @sk: a SO_REUSEPORT listener, hashed or just taken out
 * @hash: the 4-tuple's hash (xtcp_table_tuple_hash())
 *
 * The listeners of @sk's (address, port, device) that still listen, with
 * SO_REUSEPORT, are its group (bind() let no other owner in); @hash picks
 * one of them, evenly. Not the kernel's group: @sk has left it, and
 * reuseport_migrate_sock() obeys TCP's tcp_migrate_req, not ours.
 *
 * Return: the member, held, or NULL if none is left.
 */
struct sock *xtcp_table_reuseport_peer(const struct sock *sk, u32 hash)
{
	u32 slot = xtcp_table_lslot(sock_net(sk), inet_sk(sk)->inet_rcv_saddr,
				    inet_sk(sk)->inet_num);
	struct hlist_nulls_node *n;
	struct sock *found = NULL;
	struct xtcp_sock *xs;
	unsigned int cnt = 0, want;

	rcu_read_lock();
	hlist_nulls_for_each_entry_rcu(xs, n, &xtcp_lhash[slot], listen_node)
		cnt += xtcp_table_is_peer(sk, xs);
	want = reciprocal_scale(hash, cnt);
	hlist_nulls_for_each_entry_rcu(xs, n, &xtcp_lhash[slot], listen_node) {
		if (!xtcp_table_is_peer(sk, xs))
			continue;
		found = &xs->inet.sk;
		if (!want--)
			break;
	}
	if (found && !refcount_inc_not_zero(&found->sk_refcnt))
		found = NULL;
	rcu_read_unlock();
	return found;
}

/* The lookup proper, its restarts counted in @restarts (as in the ehash). */
static struct sock *xtcp_table_listen_find(const struct net *net,
					   __be32 daddr, u16 port, int dif,
					   int sdif, struct sk_buff *skb,
					   unsigned int *restarts)
{
	struct sock *sk;

	rcu_read_lock();
	sk = xtcp_table_listen_chain(net, xtcp_table_lslot(net, daddr, port),
				     daddr, port, dif, sdif, skb, restarts);
	if (!sk && daddr)
		sk = xtcp_table_listen_chain(net, xtcp_table_lslot(net, 0, port),
					     0, port, dif, sdif, skb, restarts);
	rcu_read_unlock();
	return sk;
}

/**
 * xtcp_table_listen_lookup() - find the listener for a new connection
 * @net: namespace
 * @skb: the segment, skb->data at our header
 * @dif: interface the segment arrived on
 * @sdif: the VRF slave it came through, or 0
 *
 * A listener bound to the destination address beats one bound to the
 * wildcard; a listener bound to a device only hears segments from that
 * device, and beats an unbound one of the same address. Of a SO_REUSEPORT
 * group, the member xtcp_table_reuseport_pick() chooses.
 *
 * Return: the listener with a reference held, or NULL.
 */
struct sock *xtcp_table_listen_lookup(const struct net *net,
				      struct sk_buff *skb, int dif, int sdif)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	unsigned int restarts = 0;
	struct sock *sk;

	sk = xtcp_table_listen_find(net, ip_hdr(skb)->daddr, ntohs(th->dest),
				    dif, sdif, skb, &restarts);
	if (unlikely(restarts))
		XTCP_ADD_STATS(net, XTCP_MIB_LOOKUPRESTARTS, restarts);
	return sk;
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
	struct hlist_nulls_node *n;
	struct xtcp_sock *xs;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < XTCP_LHASH_SIZE; i++) {
again:
		hlist_nulls_for_each_entry_rcu(xs, n, &xtcp_lhash[i],
					       listen_node)
			if (net_eq(sock_net(&xs->inet.sk), net) &&
			    !fn(&xs->inet.sk, arg))
				goto out;
		/* as in the ehash: @fn may see a listener twice */
		if (get_nulls_value(n) != i)
			goto again;
	}
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
	struct hlist_nulls_node *nn;
	struct xtcp_sock *xs;
	unsigned int n;

	for (; cur->bucket < XTCP_LHASH_SIZE; cur->bucket++, cur->skip = 0) {
		if (hlist_nulls_empty(&xtcp_lhash[cur->bucket]))
			continue;
		n = 0;
		hlist_nulls_for_each_entry_rcu(xs, nn, &xtcp_lhash[cur->bucket],
					       listen_node)
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
	return &xtcp_bhash[(port + net_hash_mix(net)) & (XTCP_BHASH_SIZE - 1)];
}

/*
 * SO_REUSEPORT lets two sockets share a port when both set it and one
 * user owns both (in its namespace's view: kuids compare across user
 * namespaces), so that another user cannot steal a share of a service's
 * connections. A socket already in a group of its own (a CBPF program
 * attached before bind) joins none, as in TCP.
 */
static bool xtcp_table_reuseport_ok(const struct sock *sk,
				    const struct sock *sk2)
{
	if (!sk->sk_reuseport || !sk2->sk_reuseport ||
	    rcu_access_pointer(sk->sk_reuseport_cb))
		return false;
	return uid_eq(sock_i_uid((struct sock *)sk),
		      sock_i_uid((struct sock *)sk2));
}

/*
 * Would @sk, taking port @port, clash with @sk2? TCP's rules: sockets on
 * different devices never clash; two SO_REUSEADDR sockets share a port
 * unless the other one listens, two SO_REUSEPORT sockets of one user
 * share it always; otherwise the addresses clash when equal
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
	if (xtcp_table_reuseport_ok(sk, sk2))
		return false;
	return !addr || !addr2 || addr == addr2;
}

/*
 * The same rules against a TIME_WAIT entry, which never listens: it
 * yields to SO_REUSEADDR if its socket had SO_REUSEADDR too, and to
 * SO_REUSEPORT if its socket had SO_REUSEPORT, as TCP's. TCP asks no
 * owner of a TIME_WAIT socket (inet_bind_conflict() skips the uid check
 * for TCP_TIME_WAIT, FIN_WAIT2 entries included): the connection is over
 * and takes no new segments of its port, so no user can steal a share of
 * anything through it. The entry keeps no uid for that reason.
 */
static bool xtcp_table_bind_clash_tw(const struct sock *sk,
				     const struct xtcp_tw *tw, __be32 addr)
{
	if (sk->sk_bound_dev_if && tw->bound_dev_if &&
	    sk->sk_bound_dev_if != tw->bound_dev_if)
		return false;
	if (sk->sk_reuse && tw->reuse)
		return false;
	if (sk->sk_reuseport && tw->eh.tw_reuse_port &&
	    !rcu_access_pointer(sk->sk_reuseport_cb))
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

/*
 * A SO_REUSEPORT listener joins the group of the listeners of its
 * (address, port, device) that share its owner, or starts one. The group
 * is the kernel's (sock_reuseport.c, exported): its selection by hash,
 * its SO_INCOMING_CPU preference and its CBPF/EBPF programs are TCP's
 * own, run on our listeners. The lhash lock is held: the chain is stable.
 */
static int xtcp_table_reuseport_join(struct sock *sk, u32 slot)
{
	const struct xtcp_sock *me = xtcp_sk(sk);
	bool inany = !me->inet.inet_rcv_saddr;
	struct hlist_nulls_node *n;
	struct xtcp_sock *xs;

	if (!sk->sk_reuseport)
		return 0;
	hlist_nulls_for_each_entry(xs, n, &xtcp_lhash[slot], listen_node) {
		struct sock *sk2 = &xs->inet.sk;

		if (xtcp_table_lmatch(xs, sock_net(sk), me->inet.inet_rcv_saddr,
				      me->inet.inet_num) &&
		    sk2->sk_bound_dev_if == sk->sk_bound_dev_if &&
		    sk2->sk_reuseport &&
		    uid_eq(sock_i_uid(sk), sock_i_uid(sk2)))
			return reuseport_add_sock(sk, sk2, inany);
	}
	return reuseport_alloc(sk, inany);
}

/**
 * xtcp_table_listen_add() - make a listener findable, unless one clashes
 * @sk: the socket, bound, already in LISTEN
 *
 * A port shared under SO_REUSEADDR may have one listener only. Every
 * socket holding the port is in one bind bucket, whose lock is held over
 * the check and the insertion, so two listen() calls on a port cannot
 * both pass it, whichever addresses they listen on.
 *
 * Return: 0 or -EADDRINUSE.
 */
int xtcp_table_listen_add(struct sock *sk)
{
	u16 port = inet_sk(sk)->inet_num;
	__be32 addr = inet_sk(sk)->inet_rcv_saddr;
	struct net *net = sock_net(sk);
	struct xtcp_table_bbucket *b = xtcp_table_bbucket(net, port);
	struct xtcp_sock *xs;
	int err = 0;

	spin_lock_bh(&b->lock);
	hlist_for_each_entry(xs, &b->chain, bind_node) {
		struct sock *sk2 = &xs->inet.sk;

		/* a listener leaves its chain under the lhash lock only */
		if (xs->inet.inet_num == port && net_eq(sock_net(sk2), net) &&
		    !hlist_nulls_unhashed_lockless(&xs->listen_node) &&
		    xtcp_table_bind_clash(sk, sk2, addr)) {
			err = -EADDRINUSE;
			break;
		}
	}
	if (!err) {
		spin_lock(&xtcp_lhash_lock);
		err = xtcp_table_reuseport_join(sk, xtcp_table_lslot(net, addr,
								     port));
		if (!err)
			hlist_nulls_add_head_rcu(&xtcp_sk(sk)->listen_node,
						 &xtcp_lhash[xtcp_table_lslot(net,
									      addr,
									      port)]);
		spin_unlock(&xtcp_lhash_lock);
	}
	spin_unlock_bh(&b->lock);
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
	struct hlist_nulls_node *n;
	int err = 0;

	spin_lock_bh(&b->lock);
	hlist_nulls_for_each_entry(eh, n, &b->chain, node) {
		if (xtcp_table_ematch(eh, read_pnet(&new->net), new->laddr,
				      new->lport, new->raddr, new->rport)) {
			found = eh;
			break;
		}
	}
	if (!found) {
		hlist_nulls_add_head_rcu(&new->node, &b->chain);
		new->hashed = 1;
	} else if (found->kind == XTCP_EH_TW && arg->reusable &&
		   arg->reusable(xtcp_eh_tw(found), sk, bound)) {
		xtcp_table_nulls_replace(&found->node, &new->node);
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
		INIT_HLIST_NULLS_HEAD(&xtcp_ehash[i].chain, i);
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
	xtcp_bhash = kvmalloc_array(XTCP_BHASH_SIZE, sizeof(*xtcp_bhash),
				    GFP_KERNEL);
	if (!xtcp_bhash) {
		xtcp_table_exit();
		return -ENOMEM;
	}

	for (i = 0; i < XTCP_LHASH_SIZE; i++)
		INIT_HLIST_NULLS_HEAD(&xtcp_lhash[i], i);
	for (i = 0; i < XTCP_BHASH_SIZE; i++) {
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
	kvfree(xtcp_bhash);
	xtcp_bhash = NULL;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/table_test.c"
#endif
