// SPDX-License-Identifier: GPL-2.0
/*
 * Request socks: the passive side of a handshake between SYN and final ACK.
 *
 * A SYN on a listener (listen.c decides) creates a struct xtcp_request (our
 * own small object, not a socket), puts it on the listener's request list
 * (accept.c) and in the ehash, arms its timer and answers with a SYN-ACK.
 * The timer resends the SYN-ACK with exponential backoff and, after the
 * last retry, drops the request.
 * A valid final ACK promotes it: a child socket is cloned from the
 * listener, takes the request's place in the ehash in one step, and joins
 * the listener's accept queue. A request whose listener closed while
 * handing its work over (a SO_REUSEPORT member, migrate_req) lives on,
 * and its final ACK promotes it into another member of the group.
 *
 * References: the ehash holds one and a pending timer holds one; lookups
 * take their own. The timer is only (re)armed under the ehash bucket lock
 * while the request is hashed, so once a request is unhashed, a
 * timer_delete() that finds the timer pending is the last word on it.
 */
#include <linux/slab.h>
#include <linux/timer.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

static struct kmem_cache *xtcp_req_cachep __read_mostly;

/* Retries a request keeps when its listener's queue is over half full. */
#define XTCP_REQ_PRESSURE_RETRIES	2
/* At most one SYN-ACK or ACK per this long for repeated or stray segments. */
#define XTCP_REQ_OOW_RATELIMIT	(HZ / 2)

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
/* KUnit: run right after a new request's timer is armed (races replayed). */
static void (*xtcp_req_armed_hook)(struct xtcp_request *req);
#endif

static void xtcp_req_armed(struct xtcp_request *req)
{
#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
	if (xtcp_req_armed_hook)
		xtcp_req_armed_hook(req);
#endif
}

static void xtcp_req_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xtcp_req_cachep,
			container_of(head, struct xtcp_request, rcu));
}

static struct net *xtcp_req_net(const struct xtcp_request *req)
{
	return read_pnet(&req->eh.net);
}

/**
 * xtcp_req_put() - drop a reference to a request sock
 * @req: the request
 */
void xtcp_req_put(struct xtcp_request *req)
{
	if (refcount_dec_and_test(&req->refcnt)) {
		XTCP_DEC_STATS(xtcp_req_net(req), XTCP_MIB_CURRREQUESTS);
		sock_put(req->listener);
		/* lookups may still be walking past it */
		call_rcu(&req->rcu, xtcp_req_free_rcu);
	}
}

/* Take @req off its listener's list and out of the ehash. */
static void xtcp_req_unlink(struct xtcp_request *req)
{
	xtcp_accept_req_del(req->listener, req);
	if (xtcp_table_ehash_remove(&req->eh))
		xtcp_req_put(req);
}

static void xtcp_req_cancel_timer(struct xtcp_request *req)
{
	if (timer_delete(&req->timer))
		xtcp_req_put(req);
}

/**
 * xtcp_req_drop() - drop a request for good
 * @req: the request; the caller holds a reference, which it keeps
 */
void xtcp_req_drop(struct xtcp_request *req)
{
	xtcp_req_unlink(req);
	xtcp_req_cancel_timer(req);
}

/*
 * The device a request hears and answers on, as Linux's ir_iif: its
 * listener's; for a listener bound to none, the VRF the SYN came through
 * if tcp_l3mdev_accept lets unbound sockets hear VRFs. The child keeps it.
 */
static int xtcp_req_bound_dev(struct sock *lsk, const struct sk_buff *skb)
{
	int dev = READ_ONCE(lsk->sk_bound_dev_if);

	if (!dev && xtcp_table_l3mdev_accept(sock_net(lsk)))
		dev = l3mdev_master_ifindex_by_index(sock_net(lsk),
						     skb->skb_iif);
	return dev;
}

/* The 4-tuple, device, listener and timestamp offset of a request. */
static void xtcp_req_init_key(struct xtcp_request *req, struct sock *lsk,
			      const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);

	req->eh.kind = XTCP_EH_REQ;
	write_pnet(&req->eh.net, sock_net(lsk));
	req->eh.laddr = iph->daddr;
	req->eh.raddr = iph->saddr;
	req->eh.lport = th->dest;
	req->eh.rport = th->source;
	req->bound_dev_if = xtcp_req_bound_dev(lsk, skb);
	req->listener = lsk;
	req->ts_off = xtcp_secure_ts_off(iph->daddr, iph->saddr);
}

/* What the handshake negotiates, from the peer's options. */
static void xtcp_req_set_opts(struct xtcp_request *req, u16 mss,
			      bool has_wscale, u8 wscale, bool sack_ok,
			      const struct xtcp_options *opts)
{
	req->opt.mss = mss ? mss : XTCP_MSS_DEFAULT;
	if (has_wscale) {
		req->opt.wscale_ok = 1;
		req->opt.snd_wscale = wscale;
		/* the listener's, as a socket of its own would offer */
		req->opt.rcv_wscale = xtcp_recv_wscale(req->listener);
	}
	req->opt.sack_ok = sack_ok;
	if (opts->has_ts) {
		req->opt.tstamp_ok = 1;
		req->ts_recent = opts->tsval;
	}
}

/**
 * xtcp_req_from_syn() - fill a request (real, or a cookie's stand-in)
 * @req: the request, zeroed
 * @lsk: the listener
 * @skb: the SYN
 */
void xtcp_req_from_syn(struct xtcp_request *req, struct sock *lsk,
		       const struct sk_buff *skb)
{
	const struct xtcp_options *o = &XTCP_SKB_CB(skb)->opts;

	xtcp_req_init_key(req, lsk, skb);
	req->rcv_isn = XTCP_SKB_CB(skb)->seq;
	xtcp_req_set_opts(req, o->mss, o->has_wscale, o->wscale, o->sack_ok, o);
	req->opt.ecn_ok = xtcp_ecn_syn_ok(sock_net(lsk), XTCP_SKB_CB(skb));
}

/**
 * xtcp_req_from_cookie() - the request a valid cookie stood in for
 * @req: the request, zeroed; a stand-in on the caller's stack
 * @lsk: the listener
 * @skb: the final ACK that carried the cookie
 * @c: what the cookie encoded
 */
void xtcp_req_from_cookie(struct xtcp_request *req, struct sock *lsk,
			  const struct sk_buff *skb,
			  const struct xtcp_cookie_opts *c)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	xtcp_req_init_key(req, lsk, skb);
	req->snt_isn = cb->ack_seq - 1;
	req->rcv_isn = cb->seq - 1;
	xtcp_req_set_opts(req, c->mss, c->has_wscale, c->wscale, c->sack_ok,
			  &cb->opts);
	req->opt.ecn_ok = xtcp_ecn_cookie_ok(sock_net(lsk), &cb->opts);
}

static void xtcp_req_seg_init(const struct xtcp_request *req,
			      struct xtcp_seg *s)
{
	memset(s, 0, sizeof(*s));
	s->saddr = req->eh.laddr;
	s->daddr = req->eh.raddr;
	s->sport = req->eh.lport;
	s->dport = req->eh.rport;
	s->seq = req->snt_isn + 1;
	s->ack = req->rcv_isn + 1;
	s->window = xtcp_recv_initial_window(req->listener) >>
		    req->opt.rcv_wscale;
	if (req->opt.tstamp_ok) {
		s->has_ts = 1;
		s->tsval = xtcp_secure_ts_now() + req->ts_off;
		s->tsecr = req->ts_recent;
	}
}

/* As TCP: a request's segments carry its listener's TOS and mark. */
static void xtcp_req_send(struct xtcp_request *req, struct xtcp_seg *s)
{
	const struct sock *lsk = req->listener;

	if (s->flags & XTCP_FLAG_SYN)
		xtcp_output_synack(lsk, s, req->bound_dev_if);
	else
		xtcp_output_ctl(xtcp_req_net(req), s, req->bound_dev_if,
				READ_ONCE(inet_sk(lsk)->tos),
				READ_ONCE(lsk->sk_mark));
}

/* @req's SYN-ACK; @fo_cookie: a Fast Open cookie it gives, or NULL. */
static void xtcp_req_synack(struct xtcp_request *req, const u8 *fo_cookie)
{
	struct xtcp_seg s;

	xtcp_req_seg_init(req, &s);
	s.seq = req->snt_isn;
	s.flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK;
	if (req->opt.ecn_ok)
		s.flags |= XTCP_FLAG_ECE;
	/* a cookie keeps the grant where the final ACK echoes it */
	if (req->cookie && s.has_ts)
		s.tsval = xtcp_ecn_cookie_tsval(s.tsval, req->opt.ecn_ok);
	/* RFC 7323 2.2: the window of a SYN-ACK is never scaled */
	s.window = xtcp_recv_initial_window(req->listener);
	s.mss = XTCP_MSS_FROM_ROUTE;
	s.sack_ok = req->opt.sack_ok;
	if (req->opt.wscale_ok) {
		s.has_wscale = 1;
		s.wscale = req->opt.rcv_wscale;
	}
	/* only the first SYN-ACK gives a Fast Open cookie, as Linux's */
	if (fo_cookie) {
		s.fo_len = XTCP_FO_COOKIE_LEN;
		memcpy(s.fo_cookie, fo_cookie, XTCP_FO_COOKIE_LEN);
	}
	xtcp_req_send(req, &s);
}

/**
 * xtcp_req_send_synack() - send @req's SYN-ACK
 * @req: the request, or a cookie's stand-in
 */
void xtcp_req_send_synack(struct xtcp_request *req)
{
	xtcp_req_synack(req, NULL);
}

/*
 * Answers to a repeated SYN or an out-of-window segment are limited to one
 * per XTCP_REQ_OOW_RATELIMIT, on a clock of their own: the first one is
 * sent at once, however recent the last SYN-ACK from the timer.
 */
static bool xtcp_req_oow_limited(struct xtcp_request *req)
{
	unsigned long last = READ_ONCE(req->oow_stamp);

	if (last && time_before(jiffies, last + XTCP_REQ_OOW_RATELIMIT))
		return true;
	WRITE_ONCE(req->oow_stamp, jiffies ? : 1);
	return false;
}

/* An ACK for an unacceptable segment. */
static void xtcp_req_send_ack(struct xtcp_request *req)
{
	struct xtcp_seg s;

	if (xtcp_req_oow_limited(req))
		return;
	xtcp_req_seg_init(req, &s);
	s.flags = XTCP_FLAG_ACK;
	xtcp_req_send(req, &s);
}

/*
 * SYN-ACK retries for @req. Under pressure, with the listener's request
 * queue more than half full, a request already answered three times
 * (the SYN-ACK and two resends) gets no more: the room goes to new
 * handshakes, and a peer that is really there has had its chances.
 */
static int xtcp_req_max_retries(const struct xtcp_request *req)
{
	const struct sock *lsk = req->listener;
	int max = XTCP_SYSCTL(sock_net(lsk), synack_retries);

	if (xtcp_accept_synq_len(lsk) > xtcp_accept_synq_limit(lsk) / 2)
		max = min(max, XTCP_REQ_PRESSURE_RETRIES);
	return max;
}

/*
 * The SYN-ACK backoff: 1 s doubling up to 120 s. synack_retries may be as
 * high as 127, so the shift is done in 64 bits with its count capped, as
 * the SYN timer's doubling is: an int shift would overflow (or be
 * undefined) after about 24 doublings and start the backoff over.
 */
static unsigned long xtcp_req_timeout(const struct xtcp_request *req)
{
	u64 t = (u64)XTCP_TIMEOUT_INIT << min_t(u8, req->num_timeout, 32);

	return min_t(u64, t, XTCP_RTO_MAX);
}

static void xtcp_req_timer(struct timer_list *t)
{
	struct xtcp_request *req = from_timer(req, t, timer);
	struct sock *lsk = req->listener;
	struct net *net = xtcp_req_net(req);

	/*
	 * A reference of our own: once re-armed, the timer's reference can
	 * be taken by a promotion on another CPU while we still send.
	 */
	refcount_inc(&req->refcnt);
	/* a migrating listener's requests live on, for another member */
	if (READ_ONCE(lsk->sk_state) != TCP_LISTEN &&
	    !READ_ONCE(xtcp_sk(lsk)->lsn.migrating)) {
		xtcp_req_unlink(req);
	} else if (req->num_timeout >= xtcp_req_max_retries(req)) {
		XTCP_INC_STATS(net, XTCP_MIB_REQTIMEOUTS);
		XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		xtcp_req_unlink(req);
	} else {
		req->num_timeout++;
		/* the timer's reference passes to the re-armed timer */
		if (xtcp_table_ehash_mod_timer(&req->eh, &req->timer,
					       jiffies + xtcp_req_timeout(req))) {
			req->num_retrans++;
			XTCP_INC_STATS(net, XTCP_MIB_SYNRETRANS);
			xtcp_req_send_synack(req);
			xtcp_req_put(req);
			return;
		}
	}
	xtcp_req_put(req);	/* the timer's */
	xtcp_req_put(req);	/* ours */
}

/* As xtcp_req_make_child(), cloned from @lsk: a migration's new home. */
static struct sock *__xtcp_req_make_child(struct xtcp_request *req,
					  struct sock *lsk,
					  const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sock *child;
	struct inet_sock *inet;
	struct xtcp_sock *xs;

	child = sk_clone_lock(lsk, GFP_ATOMIC);
	if (!child)
		return NULL;
	/* sk_clone_lock() returns it bh-locked; tell sparse so */
	__acquire(&child->sk_lock.slock);
	xs = xtcp_sk(child);
	inet = inet_sk(child);
	/* the clone copied the listener's IP options pointer: not ours */
	RCU_INIT_POINTER(inet->inet_opt, NULL);
	inet->mc_list = NULL;
	/* the listener's device, or the VRF its request was bound to */
	child->sk_bound_dev_if = req->bound_dev_if;
	xtcp_conn_init_sock(child);
	xtcp_conn_inherit(child, lsk);
	/*
	 * The listener's algorithm if TCP_CONGESTION chose it, else the
	 * namespace's default as it is now (init_sock's), as Linux does.
	 */
	if (READ_ONCE(xtcp_sk(lsk)->snd.cc_chosen))
		xs->snd.cc = READ_ONCE(xtcp_sk(lsk)->snd.cc);
	child->sk_ack_backlog = 0;
	child->sk_max_ack_backlog = 0;

	inet->inet_daddr = req->eh.raddr;
	inet->inet_dport = req->eh.rport;
	inet->inet_rcv_saddr = req->eh.laddr;
	inet->inet_saddr = req->eh.laddr;
	xs->eh.kind = XTCP_EH_SOCK;
	write_pnet(&xs->eh.net, xtcp_req_net(req));
	xs->eh.laddr = req->eh.laddr;
	xs->eh.raddr = req->eh.raddr;
	xs->eh.lport = req->eh.lport;
	xs->eh.rport = req->eh.rport;

	xs->snd.iss = req->snt_isn;
	xs->snd.una = req->snt_isn + 1;
	xs->snd.nxt = req->snt_isn + 1;
	xs->rcv.irs = req->rcv_isn;
	xs->rcv.nxt = req->rcv_isn + 1;
	xs->opt = req->opt;
	xs->snd.wnd = (u32)cb->window << req->opt.snd_wscale;
	xs->snd.mss = req->opt.mss;
	xs->snd.ts_off = req->ts_off;
	xs->rcv.ts_recent = cb->opts.has_ts ? cb->opts.tsval : req->ts_recent;
	xs->passive = 1;
	/* the route's MSS is the listener's business: the peer's is close */
	xs->rcv.advmss = req->opt.mss;
	/* the window our SYN-ACK offered, as the listener's buffer gave it */
	xs->rcv.wnd = xtcp_recv_initial_window(lsk);
	xtcp_conn_established(child, cb);
	bh_unlock_sock(child);
	xtcp_table_inherit_port(child, lsk);
	return child;
}

/**
 * xtcp_req_make_child() - a child socket for @req, ESTABLISHED
 * @req: the request, or a cookie's stand-in
 * @skb: the final ACK
 *
 * The child is cloned from the listener, holds the listener's port and
 * is in no table or queue yet.
 *
 * Return: the child, or NULL. It comes with two references (those of
 * sk_clone_lock()): one for the ehash and one for the accept queue.
 */
struct sock *xtcp_req_make_child(struct xtcp_request *req,
				 const struct sk_buff *skb)
{
	return __xtcp_req_make_child(req, req->listener, skb);
}

/* Tell the listener a child is ready for accept(). */
static void xtcp_req_child_ready(struct sock *lsk)
{
	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_PASSIVEOPENS);
	lsk->sk_data_ready(lsk);
}

/*
 * Arm a new request's first timer, only once it is hashed: the timer
 * finds a request that is not (or no longer) hashed already dead, so a
 * timer armed before hashing and fired before it (a CPU busy for a
 * second) would leave a hashed request with no timer, never to expire,
 * pinning its listener. Return false, the timer's reference given back,
 * if the request left the ehash before it could be armed.
 */
static bool xtcp_req_arm(struct xtcp_request *req)
{
	if (!xtcp_table_ehash_mod_timer(&req->eh, &req->timer,
					jiffies + xtcp_req_timeout(req))) {
		xtcp_req_put(req);
		return false;
	}
	xtcp_req_armed(req);
	return true;
}

/**
 * xtcp_req_start() - a request sock for a SYN on a listener
 * @lsk: the listener
 * @skb: the SYN; not consumed
 * @fo_cookie: a Fast Open cookie for the first SYN-ACK to give, or NULL
 *
 * Makes the request, puts it on the listener's list and in the ehash,
 * arms its timer and sends the SYN-ACK.
 *
 * Return: 0; -ENOMEM; -ENOSPC if the request queue is full; -ESHUTDOWN
 * if the listener no longer listens; -EEXIST if the same SYN made a
 * request on another CPU first; -ECONNABORTED if the listener closed
 * while the request was being hashed.
 */
int xtcp_req_start(struct sock *lsk, const struct sk_buff *skb,
		   const u8 *fo_cookie)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = sock_net(lsk);
	struct xtcp_request *req;
	int err;

	req = kmem_cache_zalloc(xtcp_req_cachep, GFP_ATOMIC);
	if (!req)
		return -ENOMEM;
	XTCP_INC_STATS(net, XTCP_MIB_CURRREQUESTS);
	xtcp_req_from_syn(req, lsk, skb);
	/* ours + the ehash's + the timer's */
	refcount_set(&req->refcnt, 3);
	sock_hold(lsk);
	INIT_LIST_HEAD(&req->lnode);
	timer_setup(&req->timer, xtcp_req_timer, 0);
	req->snt_isn = xtcp_secure_isn(iph->daddr, iph->saddr, th->dest,
				       th->source);

	err = xtcp_accept_req_add(lsk, req);
	if (err) {
		XTCP_DEC_STATS(net, XTCP_MIB_CURRREQUESTS);
		sock_put(lsk);
		kmem_cache_free(xtcp_req_cachep, req);
		return err;
	}

	if (xtcp_table_ehash_insert(&req->eh)) {
		/* the same SYN on another CPU got there first */
		xtcp_req_put(req);	/* the ehash's, never taken */
		xtcp_req_put(req);	/* the timer's, never armed */
		err = -EEXIST;
	} else if (!xtcp_req_arm(req)) {
		/* dropped by a closing listener the moment it was hashed */
		err = -ECONNABORTED;
	} else if (!xtcp_accept_is_open(lsk)) {
		/* a close that ran before we were hashed could not see us */
		err = -ECONNABORTED;
	}
	if (err)
		xtcp_req_drop(req);
	else
		xtcp_req_synack(req, fo_cookie);
	xtcp_req_put(req);
	return err;
}

/*
 * A child its listener's queue refused, because the listener closed
 * between our check and the queueing: if it is handing its work over,
 * another member of its group takes the child. Return true if one did.
 */
static bool xtcp_req_rehome(struct sock *lsk, struct sock *child)
{
	struct net *net = sock_net(lsk);
	struct sock *home;
	bool done;
	u32 hash;

	if (!READ_ONCE(xtcp_sk(lsk)->lsn.migrating))
		return false;
	hash = xtcp_table_tuple_hash(&xtcp_sk(child)->eh);
	home = xtcp_table_reuseport_peer(lsk, hash);
	done = home && xtcp_accept_child_add(home, child, NULL);
	XTCP_INC_STATS(net, done ? XTCP_MIB_MIGRATEREQSUCCESS :
				   XTCP_MIB_MIGRATEREQFAILURE);
	if (done)
		xtcp_req_child_ready(home);
	if (home)
		sock_put(home);
	return done;
}

/*
 * Promote @req into @home, another member of its closed listener's
 * group: the child is cloned from @home (options, buffers, owner) and
 * queued there; the request leaves the closed listener's list. A full
 * accept queue at @home drops the ACK and keeps the request, as for the
 * request's own listener.
 */
static struct sock *xtcp_req_adopt(struct xtcp_request *req,
				   struct sock *home, struct sk_buff *skb)
{
	struct net *net = sock_net(home);
	struct sock *child;

	if (sk_acceptq_is_full(home)) {
		xtcp_accept_count_drop(home, true);
		return NULL;
	}
	child = __xtcp_req_make_child(req, home, skb);
	if (!child) {
		xtcp_accept_count_drop(home, false);
		return NULL;
	}
	if (!xtcp_table_ehash_replace(&req->eh, &xtcp_sk(child)->eh)) {
		sock_put(child);
		xtcp_conn_abort_child(child);
		return NULL;
	}
	xtcp_req_put(req);		/* the ehash's reference */
	xtcp_req_cancel_timer(req);
	xtcp_accept_req_del(req->listener, req);
	sock_hold(child);
	if (xtcp_accept_child_add(home, child, NULL)) {
		XTCP_INC_STATS(net, XTCP_MIB_MIGRATEREQSUCCESS);
		xtcp_req_child_ready(home);
		return child;
	}
	XTCP_INC_STATS(net, XTCP_MIB_MIGRATEREQFAILURE);
	xtcp_conn_abort_child(child);
	sock_put(child);
	return NULL;
}

/*
 * The final ACK of a request whose listener closed while it waited: the
 * listener was a SO_REUSEPORT member that handed its handshakes over
 * (migrate_req), and another member of its group takes this one, chosen
 * by the 4-tuple. Return that member, held, or NULL (request dropped,
 * RST sent: as without a group).
 */
static struct sock *xtcp_req_migrate(struct xtcp_request *req,
				     struct sk_buff *skb)
{
	struct sock *lsk = req->listener;
	struct net *net = sock_net(lsk);
	struct sock *home;

	home = xtcp_table_reuseport_peer(lsk, xtcp_table_tuple_hash(&req->eh));
	if (home)
		return home;
	XTCP_INC_STATS(net, XTCP_MIB_MIGRATEREQFAILURE);
	xtcp_output_reset(net, lsk, skb);
	xtcp_req_drop(req);
	return NULL;
}

/*
 * A valid final ACK: replace @req by a child socket and queue it for
 * accept(). With the accept queue full the ACK is dropped and the request
 * kept, so the SYN-ACK is resent and the client's next ACK can succeed;
 * or, with abort_on_overflow (the listener's option, else the sysctl),
 * the client gets a RST and the request goes. Never both dropped silently.
 */
static struct sock *xtcp_req_promote(struct xtcp_request *req,
				     struct sk_buff *skb)
{
	struct sock *lsk = req->listener, *home;
	struct net *net = sock_net(lsk);
	struct sock *child;

	if (READ_ONCE(lsk->sk_state) != TCP_LISTEN &&
	    READ_ONCE(xtcp_sk(lsk)->lsn.migrating)) {
		home = xtcp_req_migrate(req, skb);
		if (!home)
			return NULL;
		child = xtcp_req_adopt(req, home, skb);
		sock_put(home);
		return child;
	}

	if (sk_acceptq_is_full(lsk)) {
		int abort = READ_ONCE(xtcp_sk(lsk)->lsn.abort_on_overflow);

		xtcp_accept_count_drop(lsk, true);
		if (abort < 0)
			abort = XTCP_SYSCTL(net, abort_on_overflow);
		if (abort) {
			xtcp_output_reset(net, lsk, skb);
			xtcp_req_drop(req);
		}
		return NULL;
	}
	child = xtcp_req_make_child(req, skb);
	if (!child) {
		xtcp_accept_count_drop(lsk, false);
		return NULL;
	}
	if (!xtcp_table_ehash_replace(&req->eh, &xtcp_sk(child)->eh)) {
		/* expired or promoted on another CPU meanwhile */
		sock_put(child);	/* the ehash's, never used */
		xtcp_conn_abort_child(child);
		return NULL;
	}
	xtcp_req_put(req);		/* the ehash's reference */
	xtcp_req_cancel_timer(req);
	/* ours, for the segment's data: accept() may take the child at once */
	sock_hold(child);
	if (xtcp_accept_child_add(lsk, child, req)) {
		xtcp_req_child_ready(lsk);
		return child;
	}
	/* the listener closed meanwhile, handing its work over */
	if (xtcp_req_rehome(lsk, child))
		return child;
	xtcp_conn_abort_child(child);
	sock_put(child);
	return NULL;
}

/**
 * xtcp_req_rcv() - a segment for a request sock
 * @req: the request (reference held by the caller)
 * @skb: the segment, validated, XTCP_SKB_CB filled
 *
 * An ACK of another ISN than this request's may still end a handshake
 * its listener made: the final ACK of a cookie (see
 * xtcp_listen_rcv_req_ack()). As Linux's tcp_check_req() hands such an
 * ACK back to the listener, so do we.
 *
 * Return: true if @skb is such an ACK (the caller passes it on to the
 * listener, still owning it), false if it was consumed here.
 */
bool xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_req_net(req);
	u32 rcv_nxt = req->rcv_isn + 1;
	u8 flags = cb->flags;
	struct sock *child;
	bool acceptable;

	/* The SYN again: our SYN-ACK was lost. Resend it, rate-limited. */
	if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK | XTCP_FLAG_RST |
		      XTCP_FLAG_FIN)) == XTCP_FLAG_SYN &&
	    cb->seq == req->rcv_isn) {
		if (!xtcp_req_oow_limited(req)) {
			XTCP_INC_STATS(net, XTCP_MIB_SYNACKRESENDS);
			xtcp_req_send_synack(req);
		}
		goto drop;
	}

	/* RFC 9293 3.10.7.4 first check, with our initial window */
	if (cb->end_seq == cb->seq)
		acceptable = xtcp_seq_in_window(cb->seq, rcv_nxt,
						XTCP_RCV_WND_INIT);
	else
		acceptable = xtcp_seq_before(cb->seq,
					     rcv_nxt + XTCP_RCV_WND_INIT) &&
			     xtcp_seq_after(cb->end_seq, rcv_nxt);
	if (!acceptable) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOW);
		if (!(flags & XTCP_FLAG_RST))
			xtcp_req_send_ack(req);
		goto drop;
	}

	/* An in-window RST or SYN ends the attempt (a SYN also gets a RST). */
	if (flags & (XTCP_FLAG_RST | XTCP_FLAG_SYN)) {
		if (!(flags & XTCP_FLAG_RST))
			xtcp_output_reset(net, req->listener, skb);
		XTCP_INC_STATS(net, XTCP_MIB_EMBRYONICRSTS);
		XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		xtcp_req_drop(req);
		goto drop;
	}
	if (!(flags & XTCP_FLAG_ACK))
		goto drop;
	if (cb->ack_seq != req->snt_isn + 1) {
		XTCP_INC_STATS(net, XTCP_MIB_BADACKS);
		return true;
	}
	if (req->opt.tstamp_ok && !cb->opts.has_ts) {
		/* RFC 7323 3.2: drop non-RST segments without TSopt */
		XTCP_INC_STATS(net, XTCP_MIB_INNOTIMESTAMP);
		goto drop;
	}
	child = xtcp_req_promote(req, skb);
	if (child) {
		/*
		 * The final ACK may be a data segment (the bare ACK was lost):
		 * the child takes it as its first segment. Its ACK repeats
		 * what promoted it, so only the data counts.
		 */
		if (cb->end_seq != cb->seq) {
			xtcp_conn_input(child, skb);
			skb = NULL;
		}
		sock_put(child);
	}
drop:
	consume_skb(skb);
	return false;
}

int __init xtcp_req_init(void)
{
	xtcp_req_cachep = kmem_cache_create("xtcp_request",
					    sizeof(struct xtcp_request), 0,
					    SLAB_ACCOUNT | XTCP_SLAB_NO_MERGE,
					    NULL);
	return xtcp_req_cachep ? 0 : -ENOMEM;
}

void xtcp_req_exit(void)
{
	/* the last requests may still be in call_rcu() */
	rcu_barrier();
	kmem_cache_destroy(xtcp_req_cachep);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/request_test.c"
#endif
