// SPDX-License-Identifier: GPL-2.0
/*
 * Request socks: the passive side of a handshake between SYN and final ACK.
 *
 * A SYN on a listener creates a struct xtcp_request (our own small object,
 * not a socket), puts it on the listener's request list and in the ehash,
 * arms its timer and answers with a SYN-ACK. The timer resends the SYN-ACK
 * with exponential backoff and, after the last retry, drops the request.
 * A valid final ACK promotes it: a child socket is cloned from the
 * listener, takes the request's place in the ehash in one step, and joins
 * the listener's accept queue.
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
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

static struct kmem_cache *xtcp_req_cachep __read_mostly;

/* Largest gap between SYN-ACKs, as TCP's maximum RTO. */
#define XTCP_RTO_MAX		(120 * HZ)
/* Retries a request keeps when its listener's queue is over half full. */
#define XTCP_REQ_PRESSURE_RETRIES	2
/* At most one SYN-ACK or ACK per this long for repeated or stray segments. */
#define XTCP_REQ_OOW_RATELIMIT	(HZ / 2)

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
	struct xtcp_sock *lxs = xtcp_sk(req->listener);

	spin_lock_bh(&lxs->accept_lock);
	if (!list_empty(&req->lnode)) {
		list_del_init(&req->lnode);
		lxs->syn_qlen--;
	}
	spin_unlock_bh(&lxs->accept_lock);
	if (xtcp_table_ehash_remove(&req->eh))
		xtcp_req_put(req);
}

static void xtcp_req_cancel_timer(struct xtcp_request *req)
{
	if (timer_delete(&req->timer))
		xtcp_req_put(req);
}

/* Drop a request for good. The caller holds a reference. */
static void xtcp_req_drop(struct xtcp_request *req)
{
	xtcp_req_unlink(req);
	xtcp_req_cancel_timer(req);
}

/*
 * Count a segment a listener dropped: in ListenDrops, and in
 * ListenOverflows too when the accept queue was full, per namespace and
 * per listener.
 */
static void xtcp_req_count_drop(struct sock *lsk, bool overflow)
{
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);

	if (overflow) {
		XTCP_INC_STATS(net, XTCP_MIB_LISTENOVERFLOWS);
		atomic_long_inc(&lxs->listen_overflows);
	}
	XTCP_INC_STATS(net, XTCP_MIB_LISTENDROPS);
	atomic_long_inc(&lxs->listen_drops);
}

/* The 4-tuple, listener and timestamp offset of a request for @skb. */
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
		req->opt.rcv_wscale = XTCP_RCV_WSCALE;
	}
	req->opt.sack_ok = sack_ok;
	if (opts->has_ts) {
		req->opt.tstamp_ok = 1;
		req->ts_recent = opts->tsval;
	}
}

/* A request (real, or a cookie's stand-in) for the SYN in @skb. */
static void xtcp_req_from_syn(struct xtcp_request *req, struct sock *lsk,
			      const struct sk_buff *skb)
{
	const struct xtcp_options *o = &XTCP_SKB_CB(skb)->opts;

	xtcp_req_init_key(req, lsk, skb);
	req->rcv_isn = XTCP_SKB_CB(skb)->seq;
	xtcp_req_set_opts(req, o->mss, o->has_wscale, o->wscale, o->sack_ok, o);
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
	s->window = XTCP_RCV_WND_INIT >> req->opt.rcv_wscale;
	if (req->opt.tstamp_ok) {
		s->has_ts = 1;
		s->tsval = xtcp_secure_ts_now() + req->ts_off;
		s->tsecr = req->ts_recent;
	}
}

static void xtcp_req_send(struct xtcp_request *req, struct xtcp_seg *s)
{
	struct sock *lsk = req->listener;

	xtcp_output_ctl(xtcp_req_net(req), s, READ_ONCE(lsk->sk_bound_dev_if),
			inet_sk(lsk)->tos);
}

static void xtcp_req_send_synack(struct xtcp_request *req)
{
	struct xtcp_seg s;

	xtcp_req_seg_init(req, &s);
	s.seq = req->snt_isn;
	s.flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK;
	/* RFC 7323 2.2: the window of a SYN-ACK is never scaled */
	s.window = XTCP_RCV_WND_INIT;
	s.mss = XTCP_MSS_FROM_ROUTE;
	s.sack_ok = req->opt.sack_ok;
	if (req->opt.wscale_ok) {
		s.has_wscale = 1;
		s.wscale = req->opt.rcv_wscale;
	}
	xtcp_req_send(req, &s);
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

/* How many request socks @lsk may hold: backlog + 1, as the accept queue. */
static unsigned int xtcp_req_synq_limit(const struct sock *lsk)
{
	return min_t(unsigned int, READ_ONCE(lsk->sk_max_ack_backlog) + 1,
		     XTCP_SYSCTL(sock_net(lsk), max_syn_backlog));
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

	if (READ_ONCE(xtcp_sk(lsk)->syn_qlen) > xtcp_req_synq_limit(lsk) / 2)
		max = min(max, XTCP_REQ_PRESSURE_RETRIES);
	return max;
}

static unsigned long xtcp_req_timeout(const struct xtcp_request *req)
{
	return min_t(unsigned long, XTCP_TIMEOUT_INIT << req->num_timeout,
		     XTCP_RTO_MAX);
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
	if (READ_ONCE(lsk->sk_state) != TCP_LISTEN) {
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

/* A child socket for @req, cloned from its listener, ESTABLISHED. */
static struct sock *xtcp_req_make_child(struct xtcp_request *req,
					const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sock *child;
	struct inet_sock *inet;
	struct xtcp_sock *xs;

	child = sk_clone_lock(req->listener, GFP_ATOMIC);
	if (!child)
		return NULL;
	/* sk_clone_lock() returns it bh-locked; tell sparse so */
	__acquire(&child->sk_lock.slock);
	xs = xtcp_sk(child);
	inet = inet_sk(child);
	/* the clone copied the listener's IP options pointer: not ours */
	RCU_INIT_POINTER(inet->inet_opt, NULL);
	inet->mc_list = NULL;
	xtcp_conn_init_sock(child);
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

	xs->iss = req->snt_isn;
	xs->snd_una = req->snt_isn + 1;
	xs->snd_nxt = req->snt_isn + 1;
	xs->irs = req->rcv_isn;
	xs->rcv_nxt = req->rcv_isn + 1;
	xs->opt = req->opt;
	xs->snd_wnd = (u32)cb->window << req->opt.snd_wscale;
	xs->mss = req->opt.mss;
	xs->ts_off = req->ts_off;
	xs->ts_recent = cb->opts.has_ts ? cb->opts.tsval : req->ts_recent;
	xs->passive = 1;
	xtcp_conn_set_established(child);
	bh_unlock_sock(child);
	return child;
}

/*
 * Put a new, hashed @child on @lsk's accept queue, taking @req (if any)
 * off its request list in the same step. If the listener closed meanwhile
 * the child is reset instead.
 */
static void xtcp_req_enqueue(struct sock *lsk, struct sock *child,
			     struct xtcp_request *req)
{
	struct xtcp_sock *lxs = xtcp_sk(lsk);

	spin_lock_bh(&lxs->accept_lock);
	if (lsk->sk_state != TCP_LISTEN) {
		spin_unlock_bh(&lxs->accept_lock);
		xtcp_conn_abort_child(child);
		return;
	}
	if (req && !list_empty(&req->lnode)) {
		list_del_init(&req->lnode);
		lxs->syn_qlen--;
	}
	list_add_tail(&xtcp_sk(child)->accept_node, &lxs->accept_queue);
	sk_acceptq_added(lsk);
	spin_unlock_bh(&lxs->accept_lock);

	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_PASSIVEOPENS);
	lsk->sk_data_ready(lsk);
}

/*
 * Cookie mode: answer a SYN with a SYN-ACK whose ISN encodes what a
 * request sock would have kept, and keep nothing. @flood: sent because
 * the request queue is full, which is worth a (rate-limited) log line.
 */
static void xtcp_req_send_cookie(struct sock *lsk, struct sk_buff *skb,
				 bool flood)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	struct xtcp_cookie_tuple t = {
		.saddr = iph->daddr, .daddr = iph->saddr,
		.sport = th->dest, .dport = th->source, .isn = cb->seq,
	};
	struct xtcp_cookie_opts c = {
		.mss = cb->opts.mss ? cb->opts.mss : XTCP_MSS_DEFAULT,
		.has_wscale = cb->opts.has_wscale,
		.wscale = cb->opts.wscale,
		.sack_ok = cb->opts.sack_ok,
	};
	/* the request we do not keep, just long enough to answer */
	struct xtcp_request tmp = {};
	unsigned long last;

	xtcp_req_from_syn(&tmp, lsk, skb);
	tmp.snt_isn = xtcp_cookie_make(&xtcp_net(net)->cookie_key, &t, &c,
				       xtcp_cookie_now());
	WRITE_ONCE(lxs->cookie_stamp, jiffies ? : 1);
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESSENT);
	xtcp_req_send_synack(&tmp);

	/* once a minute per listener for as long as the flood lasts */
	last = READ_ONCE(lxs->flood_log_stamp);
	if (flood && (!last || time_after(jiffies, last + 60 * HZ))) {
		WRITE_ONCE(lxs->flood_log_stamp, jiffies ? : 1);
		pr_info("possible SYN flood on %pI4:%u (netns %u): request queue full, sending cookies\n",
			&iph->daddr, ntohs(th->dest), net->ns.inum);
	}
}

/*
 * An ACK for a listener: is it the final ACK of a cookie handshake? If so
 * make the connection. Return true if the ACK was a valid cookie (and is
 * dealt with), false if the caller should answer it with RST.
 */
static bool xtcp_req_cookie_ack(struct sock *lsk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	int mode = XTCP_SYSCTL(net, syncookies);
	unsigned long last = READ_ONCE(lxs->cookie_stamp);
	struct xtcp_cookie_tuple t = {
		.saddr = iph->daddr, .daddr = iph->saddr,
		.sport = th->dest, .dport = th->source, .isn = cb->seq - 1,
	};
	struct xtcp_request tmp = {};
	struct xtcp_cookie_opts c;
	struct sock *child;

	/*
	 * In mode 1 a listener that sent no cookie for two validity windows
	 * takes no cookie: fewer chances to guess one.
	 */
	if (!mode || (mode == 1 && (!last || time_after(jiffies, last + 256 * HZ))))
		return false;
	if (xtcp_cookie_check(&xtcp_net(net)->cookie_key, &t, cb->ack_seq - 1,
			      xtcp_cookie_now(), &c)) {
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESFAILED);
		return false;
	}
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESRECV);
	if (sk_acceptq_is_full(lsk)) {
		xtcp_req_count_drop(lsk, true);
		return true;
	}

	/* the request sock the cookie stood in for, just long enough */
	xtcp_req_init_key(&tmp, lsk, skb);
	tmp.snt_isn = cb->ack_seq - 1;
	tmp.rcv_isn = cb->seq - 1;
	xtcp_req_set_opts(&tmp, c.mss, c.has_wscale, c.wscale, c.sack_ok,
			  &cb->opts);

	child = xtcp_req_make_child(&tmp, skb);
	if (!child) {
		xtcp_req_count_drop(lsk, false);
		return true;
	}
	xtcp_table_inherit_port(child, lsk);
	if (xtcp_table_ehash_insert(&xtcp_sk(child)->eh)) {
		/* the 4-tuple is taken (a replayed ACK): no second connection */
		sock_put(child);	/* the ehash's, never used */
		xtcp_conn_abort_child(child);
		return true;
	}
	xtcp_req_enqueue(lsk, child, NULL);
	if (cb->end_seq != cb->seq)
		XTCP_INC_STATS(net, XTCP_MIB_INDATADROPPED);
	return true;
}

/**
 * xtcp_req_listen_rcv() - a segment for a listener that matched nothing
 * @lsk: the listener (reference held by the caller)
 * @skb: the segment, validated, XTCP_SKB_CB filled; consumed
 *
 * RFC 9293 3.10.7.2: RST is ignored, an ACK gets a RST, a SYN (without
 * FIN) starts a handshake, anything else is dropped.
 */
void xtcp_req_listen_rcv(struct sock *lsk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	const struct iphdr *iph = ip_hdr(skb);
	struct xtcp_request *req;
	int cookies;
	bool full;

	if (cb->flags & XTCP_FLAG_RST)
		goto ignore;
	if (cb->flags & XTCP_FLAG_ACK) {
		if (!(cb->flags & XTCP_FLAG_SYN) && xtcp_req_cookie_ack(lsk, skb))
			goto drop;
		xtcp_output_reset(net, skb);
		goto drop;
	}
	if (!(cb->flags & XTCP_FLAG_SYN) || (cb->flags & XTCP_FLAG_FIN))
		goto ignore;

	if (READ_ONCE(lsk->sk_ack_backlog) > READ_ONCE(lsk->sk_max_ack_backlog)) {
		xtcp_req_count_drop(lsk, true);
		goto drop;
	}
	full = READ_ONCE(lxs->syn_qlen) >= xtcp_req_synq_limit(lsk);
	cookies = XTCP_SYSCTL(net, syncookies);
	if (cookies == 2 || (cookies == 1 && full)) {
		xtcp_req_send_cookie(lsk, skb, cookies == 1);
		goto drop;
	}
	if (full) {
		XTCP_INC_STATS(net, XTCP_MIB_SYNQUEUEFULL);
		goto listen_drop;
	}

	req = kmem_cache_zalloc(xtcp_req_cachep, GFP_ATOMIC);
	if (!req)
		goto listen_drop;
	XTCP_INC_STATS(net, XTCP_MIB_CURRREQUESTS);
	xtcp_req_from_syn(req, lsk, skb);
	/* ours + the ehash's + the timer's */
	refcount_set(&req->refcnt, 3);
	sock_hold(lsk);
	INIT_LIST_HEAD(&req->lnode);
	timer_setup(&req->timer, xtcp_req_timer, 0);
	req->snt_isn = xtcp_secure_isn(iph->daddr, iph->saddr, th->dest,
				       th->source);

	spin_lock_bh(&lxs->accept_lock);
	if (lsk->sk_state != TCP_LISTEN) {
		spin_unlock_bh(&lxs->accept_lock);
		goto free_req;
	}
	list_add_tail(&req->lnode, &lxs->req_list);
	lxs->syn_qlen++;
	spin_unlock_bh(&lxs->accept_lock);

	mod_timer(&req->timer, jiffies + xtcp_req_timeout(req));
	if (xtcp_table_ehash_insert(&req->eh)) {
		/* the same SYN on another CPU got there first */
		xtcp_req_put(req);	/* the ehash's, never taken */
		xtcp_req_drop(req);
		xtcp_req_put(req);
		goto drop;
	}
	/* a close that ran before we were hashed could not see us */
	if (READ_ONCE(lsk->sk_state) != TCP_LISTEN) {
		xtcp_req_drop(req);
		xtcp_req_put(req);
		goto drop;
	}
	xtcp_req_send_synack(req);
	xtcp_req_put(req);
	consume_skb(skb);
	return;

free_req:
	XTCP_DEC_STATS(net, XTCP_MIB_CURRREQUESTS);
	sock_put(lsk);
	kmem_cache_free(xtcp_req_cachep, req);
listen_drop:
	xtcp_req_count_drop(lsk, false);
	goto drop;
ignore:
	XTCP_INC_STATS(net, XTCP_MIB_LISTENIGNORED);
drop:
	kfree_skb(skb);
}

/*
 * A valid final ACK: replace @req by a child socket and queue it for
 * accept(). With the accept queue full the ACK is dropped and the request
 * kept, so the SYN-ACK is resent and the client's next ACK can succeed;
 * or, with abort_on_overflow (the listener's option, else the sysctl),
 * the client gets a RST and the request goes. Never both dropped silently.
 */
static void xtcp_req_promote(struct xtcp_request *req, struct sk_buff *skb)
{
	struct sock *lsk = req->listener;
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct net *net = sock_net(lsk);
	struct sock *child;

	if (sk_acceptq_is_full(lsk)) {
		int abort = READ_ONCE(lxs->abort_on_overflow);

		xtcp_req_count_drop(lsk, true);
		if (abort < 0)
			abort = XTCP_SYSCTL(net, abort_on_overflow);
		if (abort) {
			xtcp_output_reset(net, skb);
			xtcp_req_drop(req);
		}
		return;
	}
	child = xtcp_req_make_child(req, skb);
	if (!child) {
		xtcp_req_count_drop(lsk, false);
		return;
	}
	xtcp_table_inherit_port(child, lsk);
	if (!xtcp_table_ehash_replace(&req->eh, &xtcp_sk(child)->eh)) {
		/* expired or promoted on another CPU meanwhile */
		sock_put(child);	/* the ehash's, never used */
		xtcp_conn_abort_child(child);
		return;
	}
	xtcp_req_put(req);		/* the ehash's reference */
	xtcp_req_cancel_timer(req);
	xtcp_req_enqueue(lsk, child, req);
}

/**
 * xtcp_req_rcv() - a segment for a request sock
 * @req: the request (reference held by the caller)
 * @skb: the segment, validated, XTCP_SKB_CB filled; consumed
 */
void xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = xtcp_req_net(req);
	u32 rcv_nxt = req->rcv_isn + 1;
	u8 flags = cb->flags;
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
			xtcp_output_reset(net, skb);
		XTCP_INC_STATS(net, XTCP_MIB_EMBRYONICRSTS);
		XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		xtcp_req_drop(req);
		goto drop;
	}
	if (!(flags & XTCP_FLAG_ACK))
		goto drop;
	if (cb->ack_seq != req->snt_isn + 1) {
		XTCP_INC_STATS(net, XTCP_MIB_BADACKS);
		xtcp_output_reset(net, skb);
		goto drop;
	}
	if (req->opt.tstamp_ok && !cb->opts.has_ts) {
		/* RFC 7323 3.2: drop non-RST segments without TSopt */
		XTCP_INC_STATS(net, XTCP_MIB_INNOTIMESTAMP);
		goto drop;
	}
	xtcp_req_promote(req, skb);
	if (cb->end_seq != cb->seq)
		XTCP_INC_STATS(net, XTCP_MIB_INDATADROPPED);
drop:
	consume_skb(skb);
}

/**
 * xtcp_req_drop_all() - drop every request sock of a closing listener
 * @lsk: the listener, already out of TCP_LISTEN
 */
void xtcp_req_drop_all(struct sock *lsk)
{
	struct xtcp_sock *lxs = xtcp_sk(lsk);
	struct xtcp_request *req;

	spin_lock_bh(&lxs->accept_lock);
	while (!list_empty(&lxs->req_list)) {
		req = list_first_entry(&lxs->req_list, struct xtcp_request,
				       lnode);
		list_del_init(&req->lnode);
		lxs->syn_qlen--;
		/* a request on the list is alive: the ehash still holds it */
		refcount_inc(&req->refcnt);
		spin_unlock_bh(&lxs->accept_lock);
		xtcp_req_drop(req);
		xtcp_req_put(req);
		spin_lock_bh(&lxs->accept_lock);
	}
	spin_unlock_bh(&lxs->accept_lock);
}

int __init xtcp_req_init(void)
{
	xtcp_req_cachep = kmem_cache_create("xtcp_request",
					    sizeof(struct xtcp_request), 0, 0,
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
