// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT, and FIN_WAIT_2 for orphans: what remains of a connection
 * after its socket is gone.
 *
 * When a connection reaches TIME_WAIT (RFC 9293 3.6), or an orphan's FIN
 * is acknowledged and it only waits for the peer's, a struct xtcp_tw
 * takes the socket's place in the ehash in one swap, as a promotion
 * swaps a request sock for its child: a lookup sees one or the other,
 * never neither. The socket and its buffers are freed at once; the entry
 * holds what answering needs (sequence numbers, window, timestamps) and
 * the local port, so that bind() and connect() see the 4-tuple in use.
 *
 * What an entry does with a segment (RFC 9293 3.10.7.4, RFC 1337, RFC
 * 6191, and Linux's tcp_timewait_state_process() as the referee):
 *
 *   TIME_WAIT    a retransmitted FIN, or anything out of window: ACK and
 *                restart the 2MSL timer; an in-window RST: ignored (RFC
 *                1337); a SYN with a newer timestamp, or without
 *                timestamps a sequence number above ours: the entry
 *                ends and the SYN goes to the listener.
 *   FIN_WAIT_2   the peer's FIN: TIME_WAIT; new data: RST (nobody will
 *                read it); an exact RST: the entry ends.
 *
 * The entry lives XTCP_TIMEWAIT_LEN (FIN_WAIT_2: fin_timeout), bounded
 * per namespace by max_tw_buckets. Entries hold no reference on their
 * namespace or on the module: the namespace's exit (which rmmod runs for
 * every namespace) ends them all, timers first.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

static struct kmem_cache *xtcp_tw_cache __read_mostly;

static struct net *xtcp_tw_net(const struct xtcp_tw *tw)
{
	return read_pnet(&tw->eh.net);
}

static void xtcp_tw_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xtcp_tw_cache, container_of(head, struct xtcp_tw, rcu));
}

/**
 * xtcp_tw_put() - drop a reference
 * @tw: the entry
 *
 * The last one frees it after a grace period: lookups walk the ehash
 * under RCU. The bind node it shares memory with is unlinked by then.
 */
void xtcp_tw_put(struct xtcp_tw *tw)
{
	if (refcount_dec_and_test(&tw->refcnt)) {
		WARN_ON_ONCE(tw->bound || tw->eh.hashed);
		call_rcu(&tw->rcu, xtcp_tw_free_rcu);
	}
}

/* Leave the ehash and the bind table, once; drop the ehash's reference. */
static void xtcp_tw_unhash(struct xtcp_tw *tw)
{
	if (!xtcp_table_ehash_remove(&tw->eh))
		return;
	xtcp_table_tw_unbind(tw);
	XTCP_DEC_STATS(xtcp_tw_net(tw), XTCP_MIB_CURRTIMEWAIT);
	xtcp_tw_put(tw);
}

/* 2MSL (or fin_timeout) passed: the 4-tuple is free. */
static void xtcp_tw_timer(struct timer_list *t)
{
	struct xtcp_tw *tw = from_timer(tw, t, timer);

	if (tw->substate == TCP_FIN_WAIT2)
		XTCP_INC_STATS(xtcp_tw_net(tw), XTCP_MIB_FINWAIT2TIMEOUTS);
	xtcp_tw_unhash(tw);
	xtcp_tw_put(tw);		/* the timer's */
}

/*
 * End @tw now. @sync waits for a timer handler running elsewhere, which
 * only the namespace's exit needs (nothing may run after it).
 */
static void xtcp_tw_kill(struct xtcp_tw *tw, bool sync)
{
	xtcp_tw_unhash(tw);
	if (sync ? del_timer_sync(&tw->timer) : del_timer(&tw->timer))
		xtcp_tw_put(tw);
}

/* Restart the timer, unless it has fired: a dying entry stays dying. */
static void xtcp_tw_reschedule(struct xtcp_tw *tw, unsigned long len)
{
	mod_timer_pending(&tw->timer, jiffies + len);
}

/*
 * The window our ACKs carry: what the socket last offered, as a field
 * value (unscaled), for xtcp_tw_enter().
 */
static u16 xtcp_tw_window(struct sock *sk)
{
	return xtcp_recv_window(sk);
}

/**
 * xtcp_tw_enter() - put a TIME_WAIT (or FIN_WAIT_2) entry in @sk's place
 * @sk: the socket, hashed, bh-locked or owned; the caller holds a
 *	reference besides the ehash's
 * @substate: TCP_TIME_WAIT or TCP_FIN_WAIT2
 * @timeo: how long the entry lives, in jiffies
 *
 * On success the socket is out of the ehash (the ehash's reference on it
 * is dropped here) and the caller finishes it as closed; it may keep its
 * own bind entry, the port is held by the new entry too.
 *
 * Return: true if the entry took over; false (counted) if the limit is
 * reached or memory is short: the caller closes the socket without one.
 */
bool xtcp_tw_enter(struct sock *sk, int substate, unsigned long timeo)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	struct xtcp_tw *tw;

	/* signed: a sum read while CPUs count may dip below zero */
	if ((long)xtcp_stats_read(net, XTCP_MIB_CURRTIMEWAIT) >=
	    XTCP_SYSCTL(net, max_tw_buckets))
		goto overflow;
	tw = kmem_cache_alloc(xtcp_tw_cache, GFP_ATOMIC);
	if (!tw)
		goto overflow;

	tw->eh.kind = XTCP_EH_TW;
	tw->eh.hashed = 0;
	write_pnet(&tw->eh.net, net);
	tw->eh.laddr = xs->eh.laddr;
	tw->eh.raddr = xs->eh.raddr;
	tw->eh.lport = xs->eh.lport;
	tw->eh.rport = xs->eh.rport;
	/* the ehash's and the timer's */
	refcount_set(&tw->refcnt, 2);
	tw->substate = substate;
	tw->rcv_wscale = xs->opt.rcv_wscale;
	tw->tstamp_ok = xs->opt.tstamp_ok;
	tw->reuse = !!sk->sk_reuse;
	tw->eh.tw_reuse_port = !!sk->sk_reuseport;
	tw->bind_explicit = xs->bind_explicit;
	tw->bound = 0;
	tw->rcv_wnd = xtcp_tw_window(sk);
	tw->bound_dev_if = sk->sk_bound_dev_if;
	tw->rcv_nxt = xs->rcv.nxt;
	tw->snd_nxt = xs->snd.nxt;
	tw->ts_recent = xs->rcv.ts_recent;
	/*
	 * What the entry sends goes as the socket's would have: its mark
	 * (policy routing, tc) and its DSCP, not ECT: an ACK is not
	 * ECN-capable (RFC 3168 6.1.4).
	 */
	tw->mark = READ_ONCE(sk->sk_mark);
	tw->eh.tw_tos = READ_ONCE(inet_sk(sk)->tos) & ~INET_ECN_MASK;
	/* nonzero: RFC 6191 reuse needs timestamps, and 0 means none */
	tw->ts_recent_stamp = tw->tstamp_ok ?
			      max_t(u32, ktime_get_seconds(), 1) : 0;
	/*
	 * Armed before it is findable, so that whoever ends it after the
	 * swap finds the timer to stop; it cannot fire within the swap.
	 */
	timer_setup(&tw->timer, xtcp_tw_timer, 0);
	mod_timer(&tw->timer, jiffies + timeo);
	xtcp_table_tw_bind(tw);
	if (!xtcp_table_ehash_replace(&xs->eh, &tw->eh)) {
		del_timer(&tw->timer);
		xtcp_table_tw_unbind(tw);
		kmem_cache_free(xtcp_tw_cache, tw);
		return false;
	}
	XTCP_INC_STATS(net, XTCP_MIB_CURRTIMEWAIT);
	if (substate == TCP_TIME_WAIT)
		XTCP_INC_STATS(net, XTCP_MIB_TIMEWAITS);
	sock_put(sk);			/* the ehash's; the caller holds one */
	return true;

overflow:
	XTCP_INC_STATS(net, XTCP_MIB_TIMEWAITOVERFLOW);
	net_info_ratelimited("TIME_WAIT table full (max_tw_buckets)\n");
	return false;
}

/* Our ACK of the entry's state, with the peer's timestamp echoed. */
static void xtcp_tw_send_ack(struct xtcp_tw *tw)
{
	struct xtcp_seg s = {
		.saddr = tw->eh.laddr,
		.daddr = tw->eh.raddr,
		.sport = tw->eh.lport,
		.dport = tw->eh.rport,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.flags = XTCP_FLAG_ACK,
		.window = tw->rcv_wnd,
	};

	if (tw->tstamp_ok) {
		s.has_ts = 1;
		s.tsval = xtcp_secure_ts_now() +
			  xtcp_secure_ts_off(tw->eh.laddr, tw->eh.raddr);
		s.tsecr = tw->ts_recent;
	}
	xtcp_output_ctl(xtcp_tw_net(tw), &s, tw->bound_dev_if, tw->eh.tw_tos,
			tw->mark);
}

/* Does seq..end_seq touch the window we last offered (tcp_in_window)? */
static bool xtcp_tw_in_window(const struct xtcp_tw *tw,
			      const struct xtcp_skb_cb *cb)
{
	u32 left = tw->rcv_nxt;
	u32 right = left + ((u32)tw->rcv_wnd << tw->rcv_wscale);

	if (cb->seq == left)
		return true;
	if (xtcp_seq_after(cb->end_seq, left) && xtcp_seq_before(cb->seq, right))
		return true;
	return cb->seq == right && cb->seq == cb->end_seq;
}

static void xtcp_tw_take_ts(struct xtcp_tw *tw, const struct xtcp_skb_cb *cb)
{
	if (tw->tstamp_ok && cb->opts.has_ts) {
		tw->ts_recent = cb->opts.tsval;
		tw->ts_recent_stamp = max_t(u32, ktime_get_seconds(), 1);
	}
}

/* An orphan waiting for the peer's FIN. */
static enum xtcp_tw_verdict xtcp_tw_rcv_finwait2(struct xtcp_tw *tw,
						 struct sk_buff *skb,
						 bool paws_reject)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u8 flags = cb->flags;

	if (paws_reject || !xtcp_tw_in_window(tw, cb)) {
		if (!(flags & XTCP_FLAG_RST))
			xtcp_tw_send_ack(tw);
		return XTCP_TW_DONE;
	}
	if (flags & XTCP_FLAG_RST) {
		/* RFC 5961 3.2: only an exact RST ends it */
		if (cb->seq == tw->rcv_nxt)
			xtcp_tw_kill(tw, false);
		else
			xtcp_tw_send_ack(tw);
		return XTCP_TW_DONE;
	}
	if ((flags & XTCP_FLAG_SYN) && !xtcp_seq_before(cb->seq, tw->rcv_nxt))
		return XTCP_TW_RST;
	/* a duplicate, or an ACK: nothing to do */
	if (!(flags & XTCP_FLAG_ACK) || cb->end_seq == cb->seq ||
	    !xtcp_seq_after(cb->end_seq, tw->rcv_nxt))
		return XTCP_TW_DONE;
	/* data after the program closed: nobody will read it */
	if (!(flags & XTCP_FLAG_FIN) || cb->end_seq != tw->rcv_nxt + 1) {
		XTCP_INC_STATS(xtcp_tw_net(tw), XTCP_MIB_ABORTONDATA);
		return XTCP_TW_RST;
	}
	/* the peer's FIN: TIME_WAIT proper */
	tw->substate = TCP_TIME_WAIT;
	tw->rcv_nxt = cb->end_seq;
	xtcp_tw_take_ts(tw, cb);
	XTCP_INC_STATS(xtcp_tw_net(tw), XTCP_MIB_TIMEWAITS);
	xtcp_tw_reschedule(tw, XTCP_TIMEWAIT_LEN);
	xtcp_tw_send_ack(tw);
	return XTCP_TW_DONE;
}

/**
 * xtcp_tw_rcv() - a segment for a TIME_WAIT or FIN_WAIT_2 entry
 * @tw: the entry, referenced by the caller
 * @skb: the segment, XTCP_SKB_CB filled; not consumed
 *
 * Return: XTCP_TW_DONE (nothing more to do), XTCP_TW_RST (answer with a
 * RST; the entry is ended) or XTCP_TW_SYN (the entry is ended: give the
 * SYN to the listener).
 */
enum xtcp_tw_verdict xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_tw_net(tw);
	u8 flags = cb->flags;
	bool paws_reject;
	enum xtcp_tw_verdict v;

	paws_reject = tw->tstamp_ok && cb->opts.has_ts &&
		      !(flags & XTCP_FLAG_RST) &&
		      (s32)(cb->opts.tsval - tw->ts_recent) < 0;
	if (paws_reject)
		XTCP_INC_STATS(net, XTCP_MIB_PAWSDROPS);

	if (tw->substate == TCP_FIN_WAIT2) {
		v = xtcp_tw_rcv_finwait2(tw, skb, paws_reject);
		if (v == XTCP_TW_RST)
			xtcp_tw_kill(tw, false);
		return v;
	}

	/* in window: a bare ACK, or a RST */
	if (!paws_reject && cb->seq == tw->rcv_nxt &&
	    (cb->seq == cb->end_seq || (flags & XTCP_FLAG_RST))) {
		if (flags & XTCP_FLAG_RST) {
			/* RFC 1337: a RST must not cut TIME_WAIT short */
			XTCP_INC_STATS(net, XTCP_MIB_TIMEWAITRSTIGNORED);
			return XTCP_TW_DONE;
		}
		xtcp_tw_take_ts(tw, cb);
		xtcp_tw_reschedule(tw, XTCP_TIMEWAIT_LEN);
		return XTCP_TW_DONE;
	}

	/*
	 * RFC 6191 (and RFC 9293's TIME-WAIT SYN rule): a new incarnation
	 * may start if its SYN is newer than anything of the old one, by
	 * timestamp, or without timestamps by sequence number.
	 */
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_RST | XTCP_FLAG_ACK)) ==
	    XTCP_FLAG_SYN && !paws_reject &&
	    (xtcp_seq_after(cb->seq, tw->rcv_nxt) ||
	     (tw->tstamp_ok && cb->opts.has_ts &&
	      (s32)(tw->ts_recent - cb->opts.tsval) < 0))) {
		XTCP_INC_STATS(net, XTCP_MIB_TIMEWAITRECYCLED);
		xtcp_tw_kill(tw, false);
		return XTCP_TW_SYN;
	}

	if (flags & XTCP_FLAG_RST) {
		XTCP_INC_STATS(net, XTCP_MIB_TIMEWAITRSTIGNORED);
		return XTCP_TW_DONE;
	}
	/*
	 * A retransmitted FIN (our ACK was lost) or any other segment out of
	 * window: ACK it, and start 2MSL again, since the peer may still be
	 * retransmitting. An ACK-less SYN does not restart it: it may be a
	 * new connection's with a random sequence number below ours.
	 */
	if (paws_reject || (flags & XTCP_FLAG_ACK))
		xtcp_tw_reschedule(tw, XTCP_TIMEWAIT_LEN);
	xtcp_tw_send_ack(tw);
	return XTCP_TW_DONE;
}

/**
 * xtcp_tw_redeliver() - a segment that reached a socket too late
 * @sk: the socket, closed: it has left the ehash or is leaving it
 * @skb: the segment, XTCP_SKB_CB filled; consumed
 *
 * A segment waits on the backlog while the process holds the socket; if
 * one before it ends the socket's life there (an orphan's FIN_WAIT_2 or
 * TIME_WAIT handed to a small entry), it finds the socket in CLOSE. If
 * such an entry holds the 4-tuple now, it answers: it ACKs the peer's
 * FIN, where the closed socket could only have sent a RST. Anything else
 * gets the RST as before: a listener or another socket would be locked
 * inside @sk's lock (the softirq path holds it), which lockdep rightly
 * calls recursive; the peer sends again. A SYN the entry makes way for is
 * dropped for the same reason, and comes again.
 */
void xtcp_tw_redeliver(struct sock *sk, struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = sock_net(sk);
	struct xtcp_tw *tw;
	/* the device it came in on, or the one the socket was bound to */
	int dif = skb->skb_iif ? : READ_ONCE(sk->sk_bound_dev_if);

	/* from the backlog this is process context; input runs in softirq */
	local_bh_disable();
	tw = xtcp_table_tw_lookup(net, iph->daddr, th->dest, iph->saddr,
				  th->source, dif);
	if (tw) {
		if (xtcp_tw_rcv(tw, skb) == XTCP_TW_RST)
			xtcp_output_reset_mark(net, tw->mark, skb);
		xtcp_tw_put(tw);
	} else {
		/* on its way out of the ehash: as if no socket were there */
		xtcp_output_reset(net, sk, skb);
	}
	local_bh_enable();
	consume_skb(skb);
}

/**
 * xtcp_tw_reusable() - may connect() take over @tw's 4-tuple?
 * @tw: a TIME_WAIT entry with the 4-tuple @sk wants
 * @sk: the connecting socket
 * @bound: @sk chose its port with bind(), not in connect()
 *
 * As TCP (twsk_unique()): only with timestamps, whose PAWS keeps the old
 * incarnation's duplicates out of the new one. A socket that bound the
 * port itself asked for this exact 4-tuple: it gets it. Otherwise the
 * tw_reuse sysctl decides (2: on loopback only), and the entry must be
 * at least a second old. Called under the ehash bucket lock.
 *
 * Return: true if it may.
 */
bool xtcp_tw_reusable(const struct xtcp_tw *tw, const struct sock *sk,
		      bool bound)
{
	int reuse = XTCP_SYSCTL(sock_net(sk), tw_reuse_mode);

	if (tw->substate != TCP_TIME_WAIT || !tw->ts_recent_stamp)
		return false;
	if (bound)
		return true;
	if (reuse == 2)
		reuse = (ipv4_is_loopback(tw->eh.laddr) &&
			 ipv4_is_loopback(tw->eh.raddr)) ||
			sk->sk_bound_dev_if == LOOPBACK_IFINDEX;
	return reuse &&
	       (s32)((u32)ktime_get_seconds() - tw->ts_recent_stamp) > 0;
}

/**
 * xtcp_tw_reused() - connect() took @tw's place in the ehash
 * @tw: the entry, no longer hashed; the ehash's reference is the caller's
 *
 * Return: the ISN the new connection should start from, beyond anything
 * the old one sent (as TCP: snd_nxt + 65535 + 2, never 0).
 */
u32 xtcp_tw_reused(struct xtcp_tw *tw)
{
	u32 isn = tw->snd_nxt + 65535 + 2;

	XTCP_INC_STATS(xtcp_tw_net(tw), XTCP_MIB_TIMEWAITREUSED);
	xtcp_table_tw_unbind(tw);
	XTCP_DEC_STATS(xtcp_tw_net(tw), XTCP_MIB_CURRTIMEWAIT);
	if (del_timer(&tw->timer))
		xtcp_tw_put(tw);
	xtcp_tw_put(tw);
	return isn ? : 1;
}

/**
 * xtcp_tw_remaining() - jiffies until the entry ends, for /proc
 * @tw: the entry
 *
 * Return: the time left, 0 if due.
 */
unsigned long xtcp_tw_remaining(const struct xtcp_tw *tw)
{
	long left = (long)(READ_ONCE(tw->timer.expires) - jiffies);

	return left > 0 ? left : 0;
}

static bool xtcp_tw_net_kill(struct xtcp_ehash_node *eh, void *arg)
{
	if (eh->kind == XTCP_EH_TW)
		xtcp_tw_kill(xtcp_eh_tw(eh), true);
	return true;
}

/**
 * xtcp_tw_net_exit() - end every entry of a dying namespace
 * @net: the namespace; no device, so no segment, is left in it
 *
 * Their timers are stopped and waited for: none fires afterwards.
 */
void xtcp_tw_net_exit(struct net *net)
{
	xtcp_table_ehash_walk(net, xtcp_tw_net_kill, NULL);
}

/*
 * Nothing to construct: on 6.1, which has no SLAB_NO_MERGE, the
 * constructor's presence alone keeps the cache apart (compat.h), so that
 * /proc/slabinfo shows xtcp_tw under its name.
 */
static void __maybe_unused xtcp_tw_ctor(void *obj)
{
}

/**
 * xtcp_tw_init() - the entries' cache
 *
 * Return: 0 or -ENOMEM.
 */
int __init xtcp_tw_init(void)
{
	/*
	 * Half of tw_sock_TCP is the point of an entry of its own (README):
	 * a new field takes a spare bit or padding, never a new cache line.
	 * Lockdep's map in the timer makes debug builds bigger: not counted.
	 */
	BUILD_BUG_ON(!IS_ENABLED(CONFIG_LOCKDEP) &&
		     sizeof(struct xtcp_tw) > 128);
	/* as the request cache: its own name in /proc/slabinfo (compat.h) */
	xtcp_tw_cache = kmem_cache_create("xtcp_tw", sizeof(struct xtcp_tw), 0,
					  SLAB_ACCOUNT | XTCP_SLAB_NO_MERGE,
					  XTCP_SLAB_NO_MERGE_CTOR(xtcp_tw_ctor));
	return xtcp_tw_cache ? 0 : -ENOMEM;
}

/**
 * xtcp_tw_exit() - after every namespace's entries are gone
 */
void xtcp_tw_exit(void)
{
	/* the last entries' frees are RCU callbacks */
	rcu_barrier();
	kmem_cache_destroy(xtcp_tw_cache);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/timewait_test.c"
#endif
