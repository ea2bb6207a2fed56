// SPDX-License-Identifier: GPL-2.0
/*
 * The listener: entering and leaving LISTEN, and everything a LISTEN
 * socket does with a segment (RFC 9293 3.10.7.2):
 *
 *   RST          ignored
 *   ACK          the final ACK of a SYN cookie handshake, else RST
 *   SYN (no FIN) a request sock (request.c), or a SYN cookie when the
 *                request queue is full (syncookies=1) or always (=2)
 *   anything else dropped
 *
 * A segment reaches us only when the ehash had nothing for its 4-tuple:
 * segments for request socks and children go to request.c and conn.c.
 * The listener's queues are accept.c's; the cookie arithmetic is
 * cookie.c's. Segments arrive in softirq without the listener's socket
 * lock, so everything here works under the queue lock or on values that
 * may be stale (the queue lengths).
 */
#include <linux/jiffies.h>
#include <linux/ratelimit.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "wire.h"

/*
 * Mode 1 takes cookie ACKs for this long after the listener's last cookie:
 * as long as that cookie can be valid (two ticks of cookie.c's 64 s
 * counter; Linux: 120 s). A listener that sent no cookie lately offers
 * no cookie to guess.
 */
#define XTCP_LISTEN_COOKIE_WINDOW	(128 * HZ)
/* One "possible SYN flood" line per listener per this long. */
#define XTCP_LISTEN_FLOOD_LOG_GAP	(60 * HZ)
/*
 * ... and at most 10 a minute in all, whatever the number of listeners
 * and namespaces: SYNs to many ports, from a remote sender or from an
 * unprivileged namespace, must not flood the kernel log. The lines over
 * the bound are counted (SynFloodLogSuppressed, and the ratelimit's own
 * "callbacks suppressed" line).
 */
static DEFINE_RATELIMIT_STATE(xtcp_listen_flood_rs, 60 * HZ, 10);

/**
 * xtcp_listen_start() - enter LISTEN; the socket lock is held
 * @sk: the socket, in CLOSE, its backlog already set
 *
 * An unbound socket gets an ephemeral port first. A port shared under
 * SO_REUSEADDR may have one listener only: the table refuses a second.
 *
 * Return: 0, -EADDRINUSE or -EADDRNOTAVAIL.
 */
int xtcp_listen_start(struct sock *sk)
{
	int err;

	if (!xtcp_sk(sk)->bound) {
		err = xtcp_table_bind(sk, 0);
		if (err)
			return err;
	}
	/*
	 * LISTEN before the table can find us, as TCP does: bind() of another
	 * SO_REUSEADDR socket must already see a listener here, and the
	 * table's own check settles a race between two listen() calls.
	 */
	WRITE_ONCE(xtcp_sk(sk)->lsn.migrating, 0);
	xtcp_accept_open(sk);
	xtcp_conn_set_state(sk, TCP_LISTEN);
	err = xtcp_table_listen_add(sk);
	if (err) {
		xtcp_conn_set_state(sk, TCP_CLOSE);
		xtcp_accept_close(sk);
	}
	return err;
}

/*
 * Hand a closing member's children over to the other members of its
 * SO_REUSEPORT group, each to the member its 4-tuple picks; one that
 * finds none is reset, as without a group.
 */
static void xtcp_listen_migrate_children(struct sock *sk)
{
	struct net *net = sock_net(sk);
	struct sock *child, *home;

	while ((child = xtcp_accept_child_pop(sk))) {
		u32 hash = xtcp_table_tuple_hash(&xtcp_sk(child)->eh);

		home = xtcp_table_reuseport_peer(sk, hash);
		if (home && xtcp_accept_child_add(home, child, NULL)) {
			XTCP_INC_STATS(net, XTCP_MIB_MIGRATEREQSUCCESS);
			home->sk_data_ready(home);
		} else {
			XTCP_INC_STATS(net, XTCP_MIB_MIGRATEREQFAILURE);
			xtcp_conn_abort_child(child);
		}
		if (home)
			sock_put(home);
	}
}

/**
 * xtcp_listen_stop() - leave LISTEN; the socket lock is held
 * @sk: the listener
 *
 * No new requests or children from here on. Without migration none is
 * kept: pending requests are dropped and children nobody accepted are
 * reset. A SO_REUSEPORT member with another member still listening
 * (and migrate_req on) hands them over instead: its children join the
 * others' accept queues now, and its requests stay hashed, with their
 * timers, until their final ACK promotes them into another member
 * (request.c). They hold this socket, which outlives close() until the
 * last of them is gone.
 */
void xtcp_listen_stop(struct sock *sk)
{
	struct xtcp_request *req;
	struct sock *child, *peer = NULL;

	if (XTCP_SYSCTL(sock_net(sk), migrate_req) &&
	    rcu_access_pointer(sk->sk_reuseport_cb))
		peer = xtcp_table_reuseport_peer(sk, 0);
	/* before the queue closes: a promotion it refuses looks for a peer */
	if (peer)
		WRITE_ONCE(xtcp_sk(sk)->lsn.migrating, 1);
	/* first, so a promotion on another CPU either queued or is refused */
	xtcp_accept_close(sk);
	xtcp_conn_set_state(sk, TCP_CLOSE);
	xtcp_table_listen_remove(sk);

	if (peer) {
		sock_put(peer);
		xtcp_listen_migrate_children(sk);
		return;
	}
	while ((req = xtcp_accept_req_pop(sk))) {
		xtcp_req_drop(req);
		xtcp_req_put(req);
	}
	while ((child = xtcp_accept_child_pop(sk)))
		xtcp_conn_abort_child(child);
}

/* The cookie tuple of a segment: local first, the peer's ISN. */
static void xtcp_listen_cookie_tuple(const struct sk_buff *skb, u32 isn,
				     struct xtcp_cookie_tuple *t)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	const struct iphdr *iph = ip_hdr(skb);

	t->saddr = iph->daddr;
	t->daddr = iph->saddr;
	t->sport = th->dest;
	t->dport = th->source;
	t->isn = isn;
}

/* Once a minute per listener, for as long as a flood lasts. */
static void xtcp_listen_flood_log(struct sock *lsk, const struct sk_buff *skb)
{
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct xtcp_listener *lsn = &xtcp_sk(lsk)->lsn;
	unsigned long last = READ_ONCE(lsn->flood_log_stamp);

	if (last && !time_after(jiffies, last + XTCP_LISTEN_FLOOD_LOG_GAP))
		return;
	WRITE_ONCE(lsn->flood_log_stamp, jiffies ? : 1);
	if (!__ratelimit(&xtcp_listen_flood_rs)) {
		XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_SYNFLOODLOGSUPPRESSED);
		return;
	}
	pr_info("possible SYN flood on %pI4:%u (netns %u): request queue full, sending cookies\n",
		&ip_hdr(skb)->daddr, ntohs(th->dest), sock_net(lsk)->ns.inum);
}

/*
 * Answer a SYN with a SYN-ACK whose ISN encodes what a request sock would
 * have kept, and keep nothing. @flood: sent because the request queue is
 * full, which is worth a log line.
 */
static void xtcp_listen_send_cookie(struct sock *lsk, struct sk_buff *skb,
				    bool flood)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = sock_net(lsk);
	struct xtcp_cookie_opts c = {
		.mss = cb->opts.mss ? cb->opts.mss : XTCP_MSS_DEFAULT,
		.has_wscale = cb->opts.has_wscale,
		.wscale = cb->opts.wscale,
		.sack_ok = cb->opts.sack_ok,
	};
	struct xtcp_cookie_tuple t;
	/* the request we do not keep, just long enough to answer */
	struct xtcp_request tmp = {};

	xtcp_listen_cookie_tuple(skb, cb->seq, &t);
	xtcp_req_from_syn(&tmp, lsk, skb);
	/* ECN can be granted only where the cookie's TSval can keep it */
	tmp.cookie = 1;
	if (!tmp.opt.tstamp_ok)
		tmp.opt.ecn_ok = 0;
	tmp.snt_isn = xtcp_cookie_make(&xtcp_net(net)->cookie_key, &t, &c,
				       xtcp_cookie_now());
	WRITE_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp, jiffies ? : 1);
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESSENT);
	xtcp_req_send_synack(&tmp);
	if (flood)
		xtcp_listen_flood_log(lsk, skb);
}

/* Does @lsk take cookie ACKs now (the sysctl, and mode 1's window)? */
static bool xtcp_listen_takes_cookies(struct sock *lsk)
{
	unsigned long last = READ_ONCE(xtcp_sk(lsk)->lsn.cookie_stamp);
	int mode = XTCP_SYSCTL(sock_net(lsk), syncookies);

	if (mode == 2)
		return true;
	return mode == 1 && last &&
	       !time_after(jiffies, last + XTCP_LISTEN_COOKIE_WINDOW);
}

/* Does the ACK carry a cookie of ours, valid for its 4-tuple? */
static bool xtcp_listen_cookie_valid(struct sock *lsk, struct sk_buff *skb,
				     struct xtcp_cookie_opts *c)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_cookie_tuple t;

	xtcp_listen_cookie_tuple(skb, cb->seq - 1, &t);
	return !xtcp_cookie_check(&xtcp_net(sock_net(lsk))->cookie_key, &t,
				  cb->ack_seq - 1, xtcp_cookie_now(), c);
}

/*
 * Is the ACK the final ACK of a cookie handshake? If so make the
 * connection. Return true if it was a valid cookie (and is dealt with),
 * false if the caller should answer it with RST.
 */
static bool xtcp_listen_cookie_ack(struct sock *lsk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = sock_net(lsk);
	struct xtcp_request tmp = {};
	struct xtcp_cookie_opts c;
	struct sock *child;

	if (!xtcp_listen_takes_cookies(lsk))
		return false;
	if (!xtcp_listen_cookie_valid(lsk, skb, &c)) {
		XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESFAILED);
		return false;
	}
	XTCP_INC_STATS(net, XTCP_MIB_SYNCOOKIESRECV);
	if (sk_acceptq_is_full(lsk)) {
		xtcp_accept_count_drop(lsk, true);
		return true;
	}

	/* the request sock the cookie stood in for, just long enough */
	xtcp_req_from_cookie(&tmp, lsk, skb, &c);
	child = xtcp_req_make_child(&tmp, skb);
	if (!child) {
		xtcp_accept_count_drop(lsk, false);
		return true;
	}
	if (xtcp_table_ehash_insert(&xtcp_sk(child)->eh)) {
		/* the 4-tuple is taken (a replayed ACK): no second connection */
		sock_put(child);	/* the ehash's, never used */
		xtcp_conn_abort_child(child);
		return true;
	}
	/* ours, for the segment's data: accept() may take the child at once */
	sock_hold(child);
	if (!xtcp_accept_child_add(lsk, child, NULL)) {
		xtcp_conn_abort_child(child);
		sock_put(child);
		return true;
	}
	XTCP_INC_STATS(net, XTCP_MIB_PASSIVEOPENS);
	lsk->sk_data_ready(lsk);
	/* a cookie ACK with data: the child takes it as its first segment */
	if (cb->end_seq != cb->seq) {
		struct sk_buff *data = skb_clone(skb, GFP_ATOMIC);

		if (data)
			xtcp_conn_input(child, data);
	}
	sock_put(child);
	return true;
}

/* Return true if @skb was used, false if it was dropped. */
static bool xtcp_listen_rcv_ack(struct sock *lsk, struct sk_buff *skb)
{
	if (!(XTCP_SKB_CB(skb)->flags & XTCP_FLAG_SYN) &&
	    xtcp_listen_cookie_ack(lsk, skb))
		return true;
	xtcp_output_reset(sock_net(lsk), lsk, skb);
	return false;
}

/**
 * xtcp_listen_rcv_req_ack() - an ACK that a request of @lsk did not take
 * @lsk: @req's listener
 * @req: the request of the ACK's 4-tuple, whose ISN the ACK does not
 *	acknowledge (the caller holds a reference)
 * @skb: the ACK, validated; consumed
 *
 * The client may have taken the SYN-ACK of a cookie the listener sent,
 * its request queue full, for an earlier copy of the SYN that later made
 * @req. A valid cookie then makes the connection, and @req, which the
 * client will never complete, makes way for it. Linux's listener drops
 * such an ACK while the request holds the 4-tuple (its child would be a
 * duplicate), so the client waits until the request expires; anything
 * that is not a valid cookie gets RST, as from the request itself.
 */
void xtcp_listen_rcv_req_ack(struct sock *lsk, struct xtcp_request *req,
			     struct sk_buff *skb)
{
	struct xtcp_cookie_opts c;

	if (READ_ONCE(lsk->sk_state) == TCP_LISTEN &&
	    !(XTCP_SKB_CB(skb)->flags & XTCP_FLAG_SYN) &&
	    xtcp_listen_takes_cookies(lsk) &&
	    xtcp_listen_cookie_valid(lsk, skb, &c)) {
		xtcp_req_drop(req);
		XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_SYNCOOKIESREPLACED);
		if (xtcp_listen_cookie_ack(lsk, skb)) {
			consume_skb(skb);
			return;
		}
	}
	xtcp_output_reset(sock_net(lsk), lsk, skb);
	kfree_skb(skb);
}

/* A SYN the request queue has no room for: a cookie, or a drop. */
static bool xtcp_listen_synq_full(struct sock *lsk, struct sk_buff *skb)
{
	if (XTCP_SYSCTL(sock_net(lsk), syncookies) == 1) {
		xtcp_listen_send_cookie(lsk, skb, true);
		return true;
	}
	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_SYNQUEUEFULL);
	xtcp_accept_count_drop(lsk, false);
	return false;
}

/* A SYN: a request sock, a cookie, or a drop. Return true if used. */
static bool xtcp_listen_rcv_syn(struct sock *lsk, struct sk_buff *skb)
{
	u8 fo_cookie[XTCP_FO_COOKIE_LEN];
	enum xtcp_fastopen_verdict fo;
	int err;

	if (READ_ONCE(lsk->sk_ack_backlog) > READ_ONCE(lsk->sk_max_ack_backlog)) {
		xtcp_accept_count_drop(lsk, true);
		return false;
	}
	/*
	 * Before SYN cookies: a valid Fast Open cookie is served at once;
	 * a request (or a bad cookie) gets a cookie in our SYN-ACK below.
	 */
	fo = xtcp_fastopen_syn(lsk, skb, fo_cookie);
	if (fo == XTCP_FO_CHILD)
		return true;
	if (XTCP_SYSCTL(sock_net(lsk), syncookies) == 2) {
		xtcp_listen_send_cookie(lsk, skb, false);
		return true;
	}
	if (xtcp_accept_synq_full(lsk))
		return xtcp_listen_synq_full(lsk, skb);

	err = xtcp_req_start(lsk, skb, fo == XTCP_FO_COOKIE ? fo_cookie : NULL);
	switch (err) {
	case 0:
		return true;
	case -ENOSPC:
		/* another CPU filled the queue since we looked */
		return xtcp_listen_synq_full(lsk, skb);
	case -ENOMEM:
	case -ESHUTDOWN:
		xtcp_accept_count_drop(lsk, false);
		return false;
	default:
		/* the same SYN on another CPU won, or the listener closed */
		return false;
	}
}

/**
 * xtcp_listen_rcv() - a segment for a listener that matched nothing else
 * @lsk: the listener (reference held by the caller)
 * @skb: the segment, validated, XTCP_SKB_CB filled; consumed
 */
void xtcp_listen_rcv(struct sock *lsk, struct sk_buff *skb)
{
	u8 flags = XTCP_SKB_CB(skb)->flags;
	bool used = false;

	if (flags & XTCP_FLAG_RST)
		XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_LISTENIGNORED);
	else if (flags & XTCP_FLAG_ACK)
		used = xtcp_listen_rcv_ack(lsk, skb);
	else if ((flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)) == XTCP_FLAG_SYN)
		used = xtcp_listen_rcv_syn(lsk, skb);
	else	/* SYN+FIN, or neither SYN nor ACK */
		XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_LISTENIGNORED);

	if (used)
		consume_skb(skb);
	else
		kfree_skb(skb);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/listen_test.c"
#endif
