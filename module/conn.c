// SPDX-License-Identifier: GPL-2.0
/*
 * A connected socket's state machine (RFC 9293 3.10): the active open
 * (connect), simultaneous open, the ESTABLISHED checks of RFC 9293 and
 * RFC 5961, and tearing a connection down. Every change of sk_state, a
 * listener's included, goes through xtcp_conn_set_state().
 *
 * Listeners are listen.c's, request socks request.c's; nothing here knows
 * of either. The data path will add send.c and recv.c for the byte
 * streams and timer.c for the connection's timers; this file stays the
 * state machine that calls them.
 *
 * Segments for a socket arrive in softirq context; if a process holds the
 * socket lock they wait on the socket backlog and run at release_sock(),
 * so all of this runs with the socket to itself.
 *
 * Closing (RFC 9293 3.6): close() and shutdown() queue our FIN behind the
 * data (FIN_WAIT_1, or LAST_ACK after the peer's FIN); its ACK moves on
 * to FIN_WAIT_2, CLOSING to TIME_WAIT, LAST_ACK to CLOSE. The peer's FIN
 * ends the receive stream (CLOSE_WAIT, CLOSING, TIME_WAIT). TIME_WAIT,
 * and FIN_WAIT_2 of a socket nobody holds any more (an orphan), are not
 * sockets: timewait.c's small entries take the socket's place and the
 * socket is freed.
 */
#include <linux/filter.h>
#include <linux/jiffies.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

#define XTCPF(state)		(1 << (state))
/* States that still take the peer's data. */
#define XTCP_RCV_DATA_STATES	(XTCPF(TCP_ESTABLISHED) | \
				 XTCPF(TCP_FIN_WAIT1) | XTCPF(TCP_FIN_WAIT2))
/* States with data or our FIN to deliver. */
#define XTCP_SEND_STATES	(XTCPF(TCP_ESTABLISHED) | XTCPF(TCP_CLOSE_WAIT) | \
				 XTCPF(TCP_FIN_WAIT1) | XTCPF(TCP_CLOSING) | \
				 XTCPF(TCP_LAST_ACK))
/* Synchronized states a full socket can be in. */
#define XTCP_SYNCED_STATES	(XTCP_SEND_STATES | XTCPF(TCP_FIN_WAIT2))
/* Where keepalive probes may run (Linux's choice). */
#define XTCP_KEEPALIVE_STATES	(XTCPF(TCP_ESTABLISHED) | \
				 XTCPF(TCP_CLOSE_WAIT) | XTCPF(TCP_FIN_WAIT2))

static void xtcp_conn_timer(struct timer_list *t);
static void xtcp_conn_delack_timer(struct timer_list *t);
static void xtcp_conn_keepalive_timer(struct timer_list *t);

/**
 * xtcp_conn_init_sock() - reset the xtcp part of a new or cloned socket
 * @sk: the socket
 */
void xtcp_conn_init_sock(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	memset((u8 *)xs + offsetof(struct xtcp_sock, eh), 0,
	       sizeof(*xs) - offsetof(struct xtcp_sock, eh));
	/* the ehash bucket of even an unhashed socket must be computable */
	xs->eh.kind = XTCP_EH_SOCK;
	write_pnet(&xs->eh.net, sock_net(sk));
	INIT_HLIST_NODE(&xs->bind_node);
	xs->listen_node.pprev = NULL;	/* unhashed */
	xtcp_accept_init(&xs->lsn.queue);
	INIT_LIST_HEAD(&xs->accept_node);
	xs->lsn.abort_on_overflow = -1;
	xs->rcv.wnd = XTCP_RCV_WND_INIT;
	xs->tmr.rto = XTCP_TIMEOUT_INIT;
	xs->snd.cc = XTCP_SYSCTL(sock_net(sk), congestion_control);
	timer_setup(&sk->sk_timer, xtcp_conn_timer, 0);
	timer_setup(&xs->rcv.delack, xtcp_conn_delack_timer, 0);
	timer_setup(&xs->tmr.keepalive, xtcp_conn_keepalive_timer, 0);
	xtcp_send_sk_init(sk);
}

/**
 * xtcp_conn_inherit() - what a child takes from its listener's options
 * @child: the new child, after xtcp_conn_init_sock()
 * @lsk: its listener
 *
 * The TCP options a program set on the listener, as a clone of a TCP
 * listener keeps them.
 */
void xtcp_conn_inherit(struct sock *child, const struct sock *lsk)
{
	const struct xtcp_sock *l = xtcp_sk(lsk);
	struct xtcp_sock *xs = xtcp_sk(child);

	xs->snd.nodelay = l->snd.nodelay;
	xs->snd.cork = l->snd.cork;
	xs->snd.user_mss = l->snd.user_mss;
	xs->rcv.window_clamp = l->rcv.window_clamp;
	xs->tmr.syn_count = l->tmr.syn_count;
	xs->tmr.ka_count = l->tmr.ka_count;
	xs->tmr.ka_idle = l->tmr.ka_idle;
	xs->tmr.ka_intvl = l->tmr.ka_intvl;
	xs->tmr.linger2 = l->tmr.linger2;
	xs->tmr.user_timeout = l->tmr.user_timeout;
}

/*
 * A Fast Open child (fastopen.c) is done with its handshake (its SYN-ACK
 * acknowledged, or the connection over): its place in the listener's
 * qlen and its reference to the listener go back.
 */
static void xtcp_conn_fastopen_done(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sock *lsk = xs->fo_listener;

	if (!lsk)
		return;
	xs->fo_listener = NULL;
	atomic_dec(&xtcp_sk(lsk)->lsn.fo_pending);
	sock_put(lsk);
}

/**
 * xtcp_conn_set_state() - the one writer of sk_state
 * @sk: the socket, locked by its owner (or not yet visible to anyone)
 * @state: the new TCP_* state
 *
 * Keeps the per-state counters right (CurrEstab) and publishes the state
 * for poll(), which reads it without the socket lock.
 */
void xtcp_conn_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	if (old == TCP_ESTABLISHED && state != TCP_ESTABLISHED)
		XTCP_DEC_STATS(sock_net(sk), XTCP_MIB_CURRESTAB);
	else if (state == TCP_ESTABLISHED && old != TCP_ESTABLISHED)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_CURRESTAB);
	/*
	 * A Fast Open child's qlen place ends with its SYN_RECV, or with
	 * the FIN_WAIT_1 that a close before the final ACK took it to (the
	 * final ACK ends it there: xtcp_conn_fastopen_acked()).
	 */
	if (state != TCP_SYN_RECV && state != TCP_FIN_WAIT1) {
		xtcp_sk(sk)->fo_synack = 0;
		xtcp_conn_fastopen_done(sk);
	}
	/* pairs with the acquire in poll(): a state seen is a state set up */
	smp_store_release(&sk->sk_state, state);
}

static u32 xtcp_conn_tsval(const struct xtcp_sock *xs)
{
	return xtcp_secure_ts_now() + xs->snd.ts_off;
}

/*
 * RFC 5961: challenge ACKs and ACKs for out-of-window segments, limited
 * per socket (a global limit is a side channel, CVE-2016-5696).
 */
static void xtcp_conn_challenge_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long now = jiffies / HZ;
	struct net *net = sock_net(sk);

	if (xs->chal.stamp != now) {
		xs->chal.stamp = now;
		xs->chal.count = 0;
	}
	if (++xs->chal.count > XTCP_CHALLENGE_PER_SEC) {
		XTCP_INC_STATS(net, XTCP_MIB_CHALLENGELIMITED);
		return;
	}
	XTCP_INC_STATS(net, XTCP_MIB_CHALLENGEACKS);
	xtcp_send_ack(sk);
}

/*
 * The Fast Open option of our first SYN: the cookie, or an empty one
 * that asks for a cookie; none for data under the no-cookie mode. A SYN
 * sent again carries neither option nor data, as Linux's: if the first
 * was dropped for them, the next gets through.
 */
static void xtcp_conn_fastopen_opt(struct xtcp_sock *xs, struct xtcp_seg *s)
{
	struct xtcp_fo_client *fo = &xs->foc;

	fo->syn_fo = 1;
	if (fo->plan == XTCP_FO_PLAN_REQUEST) {
		s->fo_req = 1;
		return;
	}
	s->fo_len = fo->cookie_len;
	memcpy(s->fo_cookie, fo->cookie, fo->cookie_len);
}

/**
 * xtcp_conn_send_syn() - our SYN, or in SYN_RECV (a simultaneous open, a
 * Fast Open child) our SYN-ACK, with our options
 * @sk: the socket, its owner's
 */
void xtcp_conn_send_syn(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool synack = sk->sk_state == TCP_SYN_RECV || xs->fo_synack;
	struct xtcp_seg s = {
		.seq = xs->snd.iss,
		.flags = XTCP_FLAG_SYN,
		/* RFC 7323 2.2: the window of a SYN is never scaled */
		.window = xtcp_recv_initial_window(sk),
		.mss = xs->rcv.advmss,
	};

	if (synack) {
		s.flags |= XTCP_FLAG_ACK;
		s.ack = xs->rcv.nxt;
		s.sack_ok = xs->opt.sack_ok;
		s.has_wscale = xs->opt.wscale_ok;
		s.wscale = xs->opt.rcv_wscale;
		s.has_ts = xs->opt.tstamp_ok;
		s.tsecr = xs->rcv.ts_recent;
		if (xs->opt.ecn_ok)
			s.flags |= XTCP_FLAG_ECE;
	} else {
		/* offer everything; the peer's answer decides */
		s.sack_ok = 1;
		s.has_wscale = 1;
		s.wscale = xs->opt.rcv_wscale;
		s.has_ts = 1;
		if (!xs->tmr.syn_retries)
			xtcp_ecn_connect(sk);
		s.flags |= xtcp_ecn_syn_flags(sk, xs->tmr.syn_retries);
	}
	if (s.has_ts)
		s.tsval = xtcp_conn_tsval(xs);
	if (!synack && !xs->tmr.syn_retries && xs->foc.plan) {
		xtcp_conn_fastopen_opt(xs, &s);
		if (xs->foc.syn_data) {
			xtcp_output_data(sk, skb_peek(&sk->sk_write_queue), &s);
			return;
		}
	}
	xtcp_output_sk(sk, &s);
}

static void xtcp_conn_unhash(struct sock *sk)
{
	if (xtcp_table_ehash_remove(&xtcp_sk(sk)->eh))
		sock_put(sk);		/* the ehash's reference */
}

/*
 * The connection is over: report @err (if any) to the process, leave the
 * ehash, give back a port that connect() chose, wake everyone.
 */
static void xtcp_conn_done(struct sock *sk, int err)
{
	xtcp_timer_stop(sk);
	xtcp_timer_ack_sent(sk);
	xtcp_timer_keepalive(sk, 0);
	/* nothing more will be sent; what was received stays readable */
	xtcp_send_purge(sk);
	/*
	 * The error and the shutdown before the state: poll() and SO_ERROR
	 * read them without the socket lock, and whoever sees CLOSE (the
	 * release in set_state pairs with poll()'s acquire) must see why,
	 * or a refused non-blocking connect reads as connected.
	 */
	if (err)
		WRITE_ONCE(sk->sk_err, err);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	xtcp_conn_set_state(sk, TCP_CLOSE);
	xtcp_conn_unhash(sk);
	/* an orphan's port goes too: nobody will bind() with it again */
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK) || sock_flag(sk, SOCK_DEAD))
		xtcp_table_unbind(sk);
	if (err)
		sk_error_report(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
}

/*
 * Hand the 4-tuple to a TIME_WAIT (or an orphan's FIN_WAIT_2) entry and
 * close the socket; without an entry (limit, memory) it just closes.
 */
static void xtcp_conn_time_wait(struct sock *sk, int substate,
				unsigned long timeo)
{
	xtcp_tw_enter(sk, substate, timeo);
	xtcp_conn_done(sk, 0);
}

/*
 * How long an orphan waits in FIN_WAIT_2: TCP_LINGER2 or fin_timeout,
 * but at least 3.5 RTOs, as TCP, so a FIN retransmitted once can come.
 */
static unsigned long xtcp_conn_fin_time(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long rto = xs->tmr.rto;
	int l2 = READ_ONCE(xs->tmr.linger2);
	unsigned long tmo;

	tmo = l2 > 0 ? l2 : XTCP_SYSCTL(sock_net(sk), fin_timeout) * HZ;
	return max(tmo, (rto << 2) - (rto >> 1));
}

/*
 * Fast Open's plan for an active open that asked for it. TCP_FASTOPEN_
 * CONNECT with data to send in the SYN (a cookie known, or the no-cookie
 * mode) defers the SYN to the first write, as Linux: connect() returns
 * 0 at once. Return: true if deferred.
 */
static bool xtcp_conn_fastopen_defer(struct sock *sk)
{
	struct xtcp_fo_client *fo = &xtcp_sk(sk)->foc;

	fo->plan = XTCP_FO_PLAN_OFF;
	WRITE_ONCE(fo->defer, 0);
	fo->syn_fo = 0;
	fo->syn_data = 0;
	fo->data_acked = 0;
	fo->bh_check = 0;
	fo->copied = 0;
	if (!fo->msg && !fo->connect)
		return false;
	xtcp_fastopen_client_plan(sk);
	if (fo->msg || fo->plan != XTCP_FO_PLAN_DATA)
		return false;
	WRITE_ONCE(fo->defer, 1);
	return true;
}

/*
 * The data of a Fast Open SYN: what fits in one segment to the peer (its
 * MSS as cached, less the room options may take, as Linux reserves), the
 * rest of the write following the handshake.
 */
static void xtcp_conn_fastopen_data(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_fo_client *fo = &xs->foc;
	u32 room = xs->rcv.advmss;
	int n;

	if (fo->mss)
		room = min_t(u32, room, fo->mss);
	room = room > XTCP_MAX_OPT_LEN ? room - XTCP_MAX_OPT_LEN : 0;
	room = min_t(size_t, room, msg_data_left(fo->msg));
	if (!room)
		return;
	n = xtcp_send_syn_data(sk, fo->msg, room);
	if (n <= 0)
		return;
	fo->copied = n;
	fo->syn_data = 1;
	xs->snd.nxt += n;
}

/**
 * xtcp_conn_fastopen_send() - send the first SYN of an active open
 * @sk: the socket in SYN_SENT, its SYN not sent; the lock held
 *
 * With Fast Open's option, and the data of foc.msg when the plan says
 * so; a deferred connect's first write calls it (socket.c).
 */
void xtcp_conn_fastopen_send(struct sock *sk)
{
	struct xtcp_fo_client *fo = &xtcp_sk(sk)->foc;

	WRITE_ONCE(fo->defer, 0);
	if (fo->plan == XTCP_FO_PLAN_DATA && fo->msg)
		xtcp_conn_fastopen_data(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	xtcp_conn_send_syn(sk);
	xtcp_timer_syn_sent(sk);
}

/**
 * xtcp_conn_connect() - start an active open; the socket lock is held
 * @sk: the socket, in CLOSE
 * @daddr: destination address
 * @dport: destination port
 *
 * Return: 0 with the SYN sent and the socket in SYN_SENT, or a negative
 * errno (-ENETUNREACH, -EADDRNOTAVAIL, ...).
 */
int xtcp_conn_connect(struct sock *sk, __be32 daddr, __be16 dport)
{
	struct inet_sock *inet = inet_sk(sk);
	struct flowi4 *fl4 = &inet->cork.fl.u.ip4;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	__be16 orig_sport = inet->inet_sport;
	bool set_saddr = false;
	struct xtcp_tw *tw;
	struct rtable *rt;
	u32 tw_isn = 0;
	int err;

	rt = ip_route_connect(fl4, daddr, inet->inet_saddr,
			      sk->sk_bound_dev_if, sk->sk_protocol,
			      orig_sport, dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	/* the routed destination: 0.0.0.0 means this host, as for TCP */
	daddr = fl4->daddr;
	if (!inet->inet_saddr) {
		inet->inet_saddr = fl4->saddr;
		set_saddr = true;
	}
	if (!inet->inet_rcv_saddr)
		inet->inet_rcv_saddr = inet->inet_saddr;
	inet->inet_daddr = daddr;
	inet->inet_dport = dport;

	/* the ehash holds a reference from here on */
	sock_hold(sk);
	err = xtcp_table_connect_hash(sk,
				      xtcp_secure_port_offset(net, inet->inet_saddr,
							      daddr, dport),
				      xtcp_tw_reusable, &tw);
	if (tw)
		tw_isn = xtcp_tw_reused(tw);
	if (err) {
		__sock_put(sk);
		if (!xs->bound)
			XTCP_INC_STATS(net, XTCP_MIB_PORTSEXHAUSTED);
		goto fail;
	}
	rt = ip_route_newports(fl4, rt, orig_sport, dport, inet->inet_sport,
			       dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		xtcp_conn_unhash(sk);
		if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
			xtcp_table_unbind(sk);
		goto fail;
	}
	sk_setup_caps(sk, &rt->dst);

	/* over a TIME_WAIT entry, start beyond the old connection */
	xs->snd.iss = tw_isn ? : xtcp_secure_isn(inet->inet_saddr, daddr,
						 inet->inet_sport, dport);
	xs->snd.una = xs->snd.iss;
	xs->snd.nxt = xs->snd.iss + 1;
	xs->snd.ts_off = xtcp_secure_ts_off(inet->inet_saddr, daddr);
	xs->rcv.advmss = dst_metric_advmss(&rt->dst);
	if (xs->snd.user_mss)
		xs->rcv.advmss = min(xs->rcv.advmss, xs->snd.user_mss);
	xs->snd.mss = xs->rcv.advmss;
	xs->tmr.rto = XTCP_TIMEOUT_INIT;
	/* chosen once: every copy of our SYN must offer the same scale */
	xs->opt.rcv_wscale = xtcp_recv_wscale(sk);
	xs->tmr.syn_retries = 0;
	xs->tmr.stall_start = jiffies;
	xs->passive = 0;
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	xtcp_conn_set_state(sk, TCP_SYN_SENT);
	if (xtcp_conn_fastopen_defer(sk))
		return 0;
	xtcp_conn_fastopen_send(sk);
	return 0;

fail:
	if (rt)
		ip_rt_put(rt);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (set_saddr && !(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
	}
	return err;
}

/* SYN (or SYN-ACK) retransmission while the handshake is under way. */
static void xtcp_conn_syn_timer(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	int max = xs->tmr.syn_count ? : XTCP_SYSCTL(net, syn_retries);
	bool expired;

	if (sk->sk_state != TCP_SYN_SENT && !xs->fo_synack &&
	    !(sk->sk_state == TCP_SYN_RECV && !xs->passive))
		return;
	/* a Fast Open child resends its SYN-ACK as a request sock would */
	if (xs->fo_synack)
		max = XTCP_SYSCTL(net, synack_retries);
	expired = xs->tmr.syn_retries >= max ||
		  xtcp_timer_user_timeout_passed(&xs->tmr);
	if (sk->sk_state == TCP_SYN_SENT)
		xtcp_fastopen_client_timeout(sk, xs->tmr.syn_retries, expired);
	if (expired) {
		XTCP_INC_STATS(net, XTCP_MIB_CONNECTTIMEOUTS);
		XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
		xtcp_conn_done(sk, ETIMEDOUT);
		return;
	}
	/*
	 * A Fast Open child's data went out behind its SYN-ACK: if the
	 * SYN-ACK was lost the client dropped the data, which goes again
	 * once the final ACK comes (Linux marks it lost on a later timeout,
	 * costing a data RTO more after a lost SYN-ACK).
	 */
	if (xs->fo_synack && !xs->tmr.syn_retries && xs->snd.packets_out)
		xtcp_send_enter_loss(sk);
	xs->tmr.syn_retries++;
	xs->tmr.rto = min_t(unsigned long, xs->tmr.rto * 2, XTCP_RTO_MAX);
	XTCP_INC_STATS(net, XTCP_MIB_SYNRETRANS);
	xtcp_conn_send_syn(sk);
	xtcp_timer_syn_sent(sk);
}

/**
 * xtcp_conn_unreachable() - the network said the handshake cannot succeed
 * @sk: the socket in SYN_SENT, or SYN_RECV of a simultaneous open; its
 *	owner's (not owned, bh-locked, or from release_sock())
 * @err: the errno for connect() and SO_ERROR (an ICMP error's, icmp.c)
 *
 * As a RST does in SYN_SENT: the attempt ends at once, not after every
 * SYN retransmission.
 */
void xtcp_conn_unreachable(struct sock *sk, int err)
{
	if (sk->sk_state != TCP_SYN_SENT &&
	    !(sk->sk_state == TCP_SYN_RECV && !xtcp_sk(sk)->passive))
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
	xtcp_conn_done(sk, err);
}

/* RTO expiries an orphan gets: orphan_retries, 0 meaning 8, as TCP. */
static int xtcp_conn_orphan_retries(const struct sock *sk)
{
	return XTCP_SYSCTL(sock_net(sk), orphan_retries) ? : XTCP_ORPHAN_RETRIES;
}

static void xtcp_conn_rto_timer(struct sock *sk);

/* Has the connection retransmitted long enough to give up? */
static bool xtcp_conn_timed_out(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int limit = sock_flag(sk, SOCK_DEAD) ? xtcp_conn_orphan_retries(sk) :
		    XTCP_SYSCTL(sock_net(sk), retries2);

	if (xs->tmr.user_timeout)
		return xtcp_timer_user_timeout_passed(&xs->tmr);
	/*
	 * The count, and the time the count would take backed off: RTOs
	 * that an ICMP reverted (RFC 6069) come faster, and must not end
	 * the connection sooner than TCP would.
	 */
	return xs->tmr.retries >= limit &&
	       time_after_eq(jiffies, xs->tmr.stall_start +
				      xtcp_timer_backoff_span(limit));
}

/* The connection failed on the network: tell the program, or just end. */
static void xtcp_conn_give_up(struct sock *sk)
{
	struct net *net = sock_net(sk);

	XTCP_INC_STATS(net, XTCP_MIB_ABORTONTIMEOUT);
	/* an orphan's peer may still be there: tell it, as TCP does */
	if (sock_flag(sk, SOCK_DEAD))
		xtcp_send_reset(sk);
	xtcp_conn_done(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
}

/* Data (or our FIN) unacknowledged for an RTO: retransmit, or give up. */
static void xtcp_conn_rto_timer(struct sock *sk)
{
	if (!(XTCPF(sk->sk_state) & XTCP_SEND_STATES))
		return;
	if (xtcp_sk(sk)->snd.packets_out && xtcp_conn_timed_out(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DATATIMEOUTS);
		xtcp_conn_give_up(sk);
		return;
	}
	xtcp_send_rto(sk);
}

/*
 * The persist timer. A zero window never ends a connection whose peer
 * answers (RFC 1122 4.2.2.17), but an orphan's probes are bounded like
 * its retransmissions, or a peer that never reads would keep it forever.
 */
static void xtcp_conn_probe_timer(struct sock *sk)
{
	if (!(XTCPF(sk->sk_state) & XTCP_SEND_STATES))
		return;
	if (sock_flag(sk, SOCK_DEAD) &&
	    xtcp_sk(sk)->tmr.backoff >= xtcp_conn_orphan_retries(sk)) {
		xtcp_conn_give_up(sk);
		return;
	}
	xtcp_send_probe(sk);
}

/**
 * xtcp_conn_rto_revert() - an ICMP unreachable quoted a retransmission
 * @sk: the socket, bh-locked and not owned by a process
 * @seq: the sequence number the ICMP quotes
 *
 * RFC 6069: if it is the retransmission of snd.una the RTO backed off
 * for, the backoff was for a path that is down, not for congestion: it
 * is undone, so that the connection resumes soon after the path does.
 *
 * Return: true if the backoff was reverted.
 */
bool xtcp_conn_rto_revert(struct sock *sk, u32 seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	if (!(XTCPF(sk->sk_state) & XTCP_SEND_STATES) ||
	    xs->tmr.pending != XTCP_TIMER_RTO || seq != xs->snd.una ||
	    !xs->tmr.retries || !xs->tmr.backoff || !skb ||
	    skb == xs->snd.head)
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ICMPRTOREVERTS);
	if (xtcp_timer_rto_revert(sk, XTCP_SKB_CB(skb)->tx_stamp) <= 0)
		xtcp_conn_rto_timer(sk);
	return true;
}

/*
 * The retransmit timer (timer.c arms it): SYN, data or zero-window
 * probe, as tmr.pending says.
 */
static void xtcp_conn_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);
	struct xtcp_sock *xs = xtcp_sk(sk);

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		/* try again shortly rather than race the process */
		sk_reset_timer(sk, &sk->sk_timer, jiffies + HZ / 20);
		goto out;
	}
	switch (xs->tmr.pending) {
	case XTCP_TIMER_SYN:
		xtcp_conn_syn_timer(sk);
		break;
	case XTCP_TIMER_RTO:
		xtcp_conn_rto_timer(sk);
		break;
	case XTCP_TIMER_PROBE:
		xtcp_conn_probe_timer(sk);
		break;
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* The delayed-ACK timer: the ACK that was held back goes now. */
static void xtcp_conn_delack_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, rcv.delack);
	struct sock *sk = &xs->inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &xs->rcv.delack, jiffies + HZ / 50);
	} else if (xs->rcv.delack_due &&
		   (XTCPF(sk->sk_state) & XTCP_SYNCED_STATES)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DELAYEDACKS);
		/* no answer carried it: not a conversation after all */
		xs->rcv.pingpong = 0;
		xtcp_send_ack(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/* TCP_KEEPIDLE, or the sysctl. */
static unsigned long xtcp_conn_ka_idle(const struct sock *sk)
{
	int v = READ_ONCE(xtcp_sk(sk)->tmr.ka_idle);

	return v ? : XTCP_SYSCTL(sock_net(sk), keepalive_time) * HZ;
}

static unsigned long xtcp_conn_ka_intvl(const struct sock *sk)
{
	int v = READ_ONCE(xtcp_sk(sk)->tmr.ka_intvl);

	return v ? : XTCP_SYSCTL(sock_net(sk), keepalive_intvl) * HZ;
}

static int xtcp_conn_ka_count(const struct sock *sk)
{
	return READ_ONCE(xtcp_sk(sk)->tmr.ka_count) ? :
	       XTCP_SYSCTL(sock_net(sk), keepalive_probes);
}

/*
 * The keepalive timer fired (RFC 1122 4.2.3.6): after keepalive_time
 * with nothing heard, probe every keepalive_intvl; after keepalive_probes
 * unanswered probes (or TCP_USER_TIMEOUT), the peer is dead: RST and
 * ETIMEDOUT, as TCP.
 */
static void xtcp_conn_keepalive(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	unsigned long idle = xtcp_conn_ka_idle(sk), elapsed;

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !(XTCPF(sk->sk_state) & XTCP_KEEPALIVE_STATES))
		return;
	/* data in flight has its own timer; a probe would only add to it */
	if (xs->snd.packets_out || xs->snd.head) {
		xtcp_timer_keepalive(sk, idle);
		return;
	}
	elapsed = jiffies - xs->rcv.lrcv;
	if (elapsed < idle) {
		xtcp_timer_keepalive(sk, idle - elapsed);
		return;
	}
	if ((xs->tmr.user_timeout && elapsed >= xs->tmr.user_timeout &&
	     xs->tmr.ka_probes) ||
	    (!xs->tmr.user_timeout &&
	     xs->tmr.ka_probes >= xtcp_conn_ka_count(sk))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONTIMEOUT);
		xtcp_send_reset(sk);
		xtcp_conn_done(sk, READ_ONCE(sk->sk_err_soft) ? : ETIMEDOUT);
		return;
	}
	xtcp_send_keepalive(sk);
	if (xs->tmr.ka_probes < U8_MAX)
		xs->tmr.ka_probes++;
	xtcp_timer_keepalive(sk, xtcp_conn_ka_intvl(sk));
}

static void xtcp_conn_keepalive_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, tmr.keepalive);
	struct sock *sk = &xs->inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &xs->tmr.keepalive, jiffies + HZ / 20);
	else
		xtcp_conn_keepalive(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_conn_set_keepalive() - SO_KEEPALIVE changes (proto->keepalive)
 * @sk: the socket, locked; SOCK_KEEPOPEN not yet updated
 * @on: the new value
 */
void xtcp_conn_set_keepalive(struct sock *sk, int on)
{
	if (!(XTCPF(sk->sk_state) & XTCP_KEEPALIVE_STATES))
		return;
	if (on && !sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_timer_keepalive(sk, xtcp_conn_ka_idle(sk));
	else if (!on)
		xtcp_timer_keepalive(sk, 0);
}

/**
 * xtcp_conn_keepalive_reset() - TCP_KEEPIDLE changed: count from the
 * last segment heard with the new idle time
 * @sk: the socket, locked
 */
void xtcp_conn_keepalive_reset(struct sock *sk)
{
	unsigned long idle = xtcp_conn_ka_idle(sk);
	unsigned long elapsed = jiffies - xtcp_sk(sk)->rcv.lrcv;

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !(XTCPF(sk->sk_state) & XTCP_KEEPALIVE_STATES))
		return;
	xtcp_timer_keepalive(sk, elapsed < idle ? idle - elapsed : 1);
}

/* Take the peer's SYN options. */
static void xtcp_conn_take_syn(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv.irs = cb->seq;
	xs->rcv.nxt = cb->seq + 1;
	xs->opt.mss = cb->opts.mss ? cb->opts.mss : XTCP_MSS_DEFAULT;
	xs->snd.mss = min(xs->rcv.advmss, xs->opt.mss);
	xs->opt.wscale_ok = cb->opts.has_wscale;
	xs->opt.snd_wscale = cb->opts.has_wscale ? cb->opts.wscale : 0;
	/* what our SYN offered, in force only if the peer offered too */
	xs->opt.rcv_wscale = cb->opts.has_wscale ? xs->opt.rcv_wscale : 0;
	xs->opt.sack_ok = cb->opts.sack_ok;
	xs->opt.tstamp_ok = cb->opts.has_ts;
	xs->rcv.ts_recent = cb->opts.tsval;
	xs->rcv.wnd = xtcp_recv_initial_window(sk);
	xtcp_recv_init(sk);
	/* a SYN's window is never scaled */
	xs->snd.wnd = cb->window;
}

/**
 * xtcp_conn_established() - a handshake completed: both byte streams start
 * @sk: the socket, snd.una..nxt and rcv.nxt set by the handshake
 * @cb: the segment that completed it (its timestamp echo times the
 *	handshake), or NULL
 */
void xtcp_conn_established(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_send_init(sk);
	/* a Fast Open child's receive side began with the SYN's data */
	if (!xs->fo_listener)
		xtcp_recv_init(sk);
	xs->tmr.rto = XTCP_TIMEOUT_INIT;
	xs->rcv.lrcv = jiffies;
	if (cb && xs->opt.tstamp_ok && cb->opts.tsecr)
		xtcp_timer_rtt_sample(sk, (xtcp_conn_tsval(xs) -
					   cb->opts.tsecr) * USEC_PER_MSEC);
	xtcp_conn_set_state(sk, TCP_ESTABLISHED);
	xtcp_ecn_established(sk);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		xtcp_timer_keepalive(sk, xtcp_conn_ka_idle(sk));
}

static void xtcp_conn_established_now(struct sock *sk,
				      const struct xtcp_skb_cb *cb)
{
	xtcp_sk(sk)->snd.una = cb->ack_seq;
	xtcp_timer_stop(sk);
	xtcp_conn_established(sk, cb);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		/* SIGIO for O_ASYNC users, as tcp_finish_connect() sends */
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
}

/*
 * The SYN-ACK of our Fast Open SYN: its cookie for the cache, and
 * whether it acknowledged the SYN's data.
 */
static void xtcp_conn_fastopen_synack(struct sock *sk,
				      const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_fo_client *fo = &xs->foc;
	const u8 *cookie = NULL;
	bool lost;

	if (cb->opts.has_fo && cb->opts.fo_len)
		cookie = skb->data + XTCP_HDR_LEN + cb->opts.fo_off;
	fo->data_acked = fo->syn_data && cb->ack_seq == xs->snd.nxt;
	/*
	 * The SYN went again, and the answer neither gives a cookie nor
	 * takes the data: the server heard only the SYN without data.
	 */
	lost = fo->syn_data && xs->tmr.syn_retries && !cookie &&
	       !fo->data_acked;
	xtcp_fastopen_client_synack(sk, cookie, cookie ? cb->opts.fo_len : 0,
				    lost);
}

/* RFC 9293 3.10.7.3, SYN-SENT. */
static void xtcp_conn_rcv_synsent(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);
	bool ack_ok = false;

	if (cb->flags & XTCP_FLAG_ACK) {
		if (!xtcp_seq_after(cb->ack_seq, xs->snd.iss) ||
		    xtcp_seq_after(cb->ack_seq, xs->snd.nxt)) {
			XTCP_INC_STATS(net, XTCP_MIB_BADACKS);
			xtcp_output_reset(net, sk, skb);
			return;
		}
		ack_ok = true;
	}
	if (cb->flags & XTCP_FLAG_RST) {
		if (ack_ok) {
			XTCP_INC_STATS(net, XTCP_MIB_CONNECTREFUSED);
			XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
			xtcp_conn_done(sk, ECONNREFUSED);
		}
		return;
	}
	if (!(cb->flags & XTCP_FLAG_SYN))
		return;

	xtcp_conn_take_syn(sk, cb);
	xtcp_ecn_rcv_synack(sk, cb);
	if (ack_ok) {
		if (xs->opt.wscale_ok)
			xs->snd.wnd = (u32)cb->window << xs->opt.snd_wscale;
		xs->snd.una = cb->ack_seq;
		if (xs->foc.syn_fo)
			xtcp_conn_fastopen_synack(sk, skb);
		/* SYN data not acknowledged is not sent: it goes again */
		xs->snd.nxt = cb->ack_seq;
		xtcp_conn_established_now(sk, cb);
		/*
		 * The ACK leaves before connect() returns and can close: the
		 * SYN's data not acknowledged carries it, at once, as Linux
		 */
		if (xs->foc.syn_data && xtcp_send_syn_data_left(sk))
			xtcp_send_push(sk);
		else
			xtcp_send_ack(sk);
		return;
	}
	/* Simultaneous open (RFC 9293 MUST-10): SYN-RECEIVED, send SYN-ACK. */
	xs->passive = 0;
	xtcp_conn_set_state(sk, TCP_SYN_RECV);
	xtcp_conn_send_syn(sk);
}

/* Is the segment's sequence range acceptable (RFC 9293 3.10.7.4)? */
static bool xtcp_conn_seq_ok(const struct xtcp_sock *xs,
			     const struct xtcp_skb_cb *cb)
{
	u32 wnd = xtcp_recv_wnd_left(xs);

	/*
	 * A segment without data may sit at the right edge itself, as
	 * Linux's tcp_sequence() allows: a peer that filled our window
	 * sends its ACKs from there, and RFC 9293's strict test would drop
	 * every one of them until we read, while we may be waiting for
	 * exactly those ACKs to free our own send buffer.
	 */
	if (cb->end_seq == cb->seq)
		return xtcp_seq_between(cb->seq, xs->rcv.nxt, xs->rcv.nxt + wnd);
	/*
	 * With a zero window, a segment at rcv.nxt is still processed for
	 * its ACK (RFC 9293 3.10.7.4); recv.c drops the data and ACKs.
	 */
	if (!wnd)
		return cb->seq == xs->rcv.nxt;
	return xtcp_seq_before(cb->seq, xs->rcv.nxt + wnd) &&
	       xtcp_seq_after(cb->end_seq, xs->rcv.nxt);
}

/*
 * One tick of TSval may go back, as Linux's TCP_PAWS_WINDOW allows: two
 * CPUs sending for one connection can reorder segments stamped across a
 * millisecond boundary, and those are not old duplicates.
 */
#define XTCP_PAWS_WINDOW	1

/*
 * PAWS (RFC 7323 5.3): a non-RST segment whose TSval is older than
 * ts_recent is a duplicate from an earlier wrap of the sequence space.
 */
static bool xtcp_conn_paws_reject(const struct xtcp_sock *xs,
				  const struct xtcp_skb_cb *cb)
{
	return xs->opt.tstamp_ok && cb->opts.has_ts &&
	       !(cb->flags & XTCP_FLAG_RST) &&
	       (s32)(xs->rcv.ts_recent - cb->opts.tsval) > XTCP_PAWS_WINDOW;
}

/*
 * Checks shared by SYN-RECEIVED (active) and ESTABLISHED. Return true if
 * the segment survives them, with its ACK to be looked at next.
 */
static bool xtcp_conn_validate(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);

	if (xs->opt.tstamp_ok && !cb->opts.has_ts &&
	    !(cb->flags & XTCP_FLAG_RST)) {
		XTCP_INC_STATS(net, XTCP_MIB_INNOTIMESTAMP);
		return false;
	}
	/*
	 * The SYN-ACK that crosses ours in a simultaneous open repeats the
	 * SYN we already took: let it through to the ACK check (RFC 5961 4.2
	 * exempts it too).
	 */
	if (sk->sk_state == TCP_SYN_RECV &&
	    (cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK)) ==
	    (XTCP_FLAG_SYN | XTCP_FLAG_ACK) && !(cb->flags & XTCP_FLAG_RST) &&
	    cb->seq + 1 == xs->rcv.nxt && cb->ack_seq == xs->snd.nxt)
		return true;
	if (sk->sk_state != TCP_SYN_RECV && xtcp_conn_paws_reject(xs, cb)) {
		XTCP_INC_STATS(net, XTCP_MIB_PAWSDROPS);
		xtcp_conn_challenge_ack(sk);
		return false;
	}

	if (!xtcp_conn_seq_ok(xs, cb)) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOW);
		if (cb->flags & XTCP_FLAG_RST)
			return false;
		/*
		 * Data we already have (a retransmission whose ACK was
		 * lost, a duplicate): ACK it at once, every time, as TCP
		 * does, or the sender waits for its RTO. Data cannot make
		 * an ACK loop; only bare segments share the rate limit.
		 */
		if (cb->end_seq != cb->seq && !(cb->flags & XTCP_FLAG_SYN) &&
		    !xtcp_seq_after(cb->end_seq, xs->rcv.nxt)) {
			XTCP_INC_STATS(net, XTCP_MIB_DUPDATA);
			xtcp_recv_dsack(sk, cb->seq,
					cb->seq + skb->len - cb->doff);
			xtcp_send_ack(sk);
		} else {
			xtcp_conn_challenge_ack(sk);
		}
		return false;
	}
	if (cb->flags & XTCP_FLAG_RST) {
		/* RFC 5961 3.2: only an exact RST resets */
		if (cb->seq != xs->rcv.nxt) {
			xtcp_conn_challenge_ack(sk);
			return false;
		}
		if (sk->sk_state == TCP_SYN_RECV && !xs->fo_listener) {
			/* active open (MUST-11): the connection is refused */
			XTCP_INC_STATS(net, XTCP_MIB_CONNECTREFUSED);
			XTCP_INC_STATS(net, XTCP_MIB_ATTEMPTFAILS);
			xtcp_conn_done(sk, ECONNREFUSED);
		} else {
			if (XTCPF(sk->sk_state) & (XTCPF(TCP_ESTABLISHED) |
						   XTCPF(TCP_CLOSE_WAIT)))
				XTCP_INC_STATS(net, XTCP_MIB_ESTABRESETS);
			/*
			 * As TCP: in CLOSE_WAIT a reset reads as EPIPE; a
			 * Fast Open child's in SYN_RECV as ECONNRESET.
			 */
			xtcp_conn_done(sk, sk->sk_state == TCP_CLOSE_WAIT ?
					   EPIPE : ECONNRESET);
		}
		return false;
	}
	if (cb->flags & XTCP_FLAG_SYN) {
		/* RFC 5961 4.2: a SYN in a synchronized state */
		xtcp_conn_challenge_ack(sk);
		return false;
	}
	return cb->flags & XTCP_FLAG_ACK;
}

/*
 * SYN-RECEIVED (RFC 9293 3.10.7.4): the segment passes the checks and
 * its ACK acknowledges our SYN-ACK; else RST for a bad ACK. Return true
 * if it completes the handshake.
 */
static bool xtcp_conn_synrecv_ack_ok(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_conn_validate(sk, skb))
		return false;
	if (xtcp_seq_after(cb->ack_seq, xs->snd.una) &&
	    !xtcp_seq_after(cb->ack_seq, xs->snd.nxt))
		return true;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADACKS);
	xtcp_output_reset(sock_net(sk), sk, skb);
	return false;
}

static void xtcp_conn_rcv_synrecv(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xtcp_conn_synrecv_ack_ok(sk, skb))
		return;
	xs->snd.wnd = (u32)cb->window << xs->opt.snd_wscale;
	xtcp_conn_established_now(sk, cb);
}

/*
 * A Fast Open child's SYN-ACK is acknowledged (by @cb, whose ACK is
 * within snd.una..nxt, not yet taken). The send side has run since the
 * child was made, perhaps with data out: the ACK itself goes to
 * xtcp_send_rcv_ack() next, which frees what it covers and times what
 * is left. Here the SYN-ACK's part: its timer stops, the handshake's RTT
 * (from the echo, which tells a resent SYN-ACK's) starts the estimator,
 * and SYN_RECV becomes ESTABLISHED (FIN_WAIT_1 stays: a close came
 * first).
 */
static void xtcp_conn_fastopen_acked(struct sock *sk,
				     const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->fo_synack = 0;
	xtcp_conn_fastopen_done(sk);
	xtcp_timer_stop(sk);
	xs->tmr.rto = XTCP_TIMEOUT_INIT;
	if (xs->opt.tstamp_ok && cb->opts.tsecr)
		xtcp_timer_rtt_sample(sk, (xtcp_conn_tsval(xs) -
					   cb->opts.tsecr) * USEC_PER_MSEC);
	if (sk->sk_state != TCP_SYN_RECV)
		return;
	xtcp_conn_set_state(sk, TCP_ESTABLISHED);
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	}
}

/*
 * A Fast Open child in SYN_RECV hears the client's SYN again: our SYN-ACK
 * was lost, so it goes again (it acknowledges the SYN's data too). Return
 * true if @skb was that SYN.
 */
static bool xtcp_conn_fastopen_syn(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if ((cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_ACK | XTCP_FLAG_RST)) !=
	    XTCP_FLAG_SYN || cb->seq != xtcp_sk(sk)->rcv.irs)
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNACKRESENDS);
	xtcp_conn_send_syn(sk);
	return true;
}

/*
 * ACK now what wants an ACK now; leave the rest to the delayed ACK.
 *
 * While release_sock() runs the backlog (the socket still owned), the
 * ACK waits for the end of it, xtcp_conn_release_ack(): the segments a
 * reader let pile up are acknowledged once, not one ACK per two of them,
 * which the sender would have to take one by one (Linux 6.7 on defers
 * its ACKs from the backlog the same way).
 */
static void xtcp_conn_ack_decision(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	if (r->ack_now) {
		if (sock_owned_by_user_nocheck(sk)) {
			r->ack_deferred = 1;
			return;
		}
		xtcp_send_ack(sk);
	} else if (r->delack_due) {
		xtcp_timer_ack_owed(sk);
	}
}

/**
 * xtcp_conn_release_ack() - the ACK the backlog owes, when the process
 *	lets go of the socket (the proto's release_cb)
 * @sk: the socket, still owned, its spinlock held by release_sock()
 *
 * It goes now, unless one went meanwhile (our own data carried it) or
 * the connection is over.
 */
void xtcp_conn_release_ack(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	if (r->ack_deferred) {
		r->ack_deferred = 0;
		if (r->ack_now && (XTCPF(sk->sk_state) & XTCP_SYNCED_STATES)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGACKS);
			xtcp_send_ack(sk);
		}
	}
}

/*
 * The peer's FIN is next in sequence (RFC 9293 3.10.7.4, eighth step):
 * the receive stream ends, and the state moves on.
 */
static void xtcp_conn_rcv_fin(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	xtcp_recv_fin(sk);
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		/*
		 * The program's answer to a FIN is mostly its own FIN, or a
		 * last write: the delayed ACK lets that carry the ACK, one
		 * segment fewer per connection, as Linux's pingpong mode
		 * does. What asked for an ACK at once still gets it.
		 */
		if (!r->ack_now)
			r->delack_due = 1;
		xtcp_conn_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		/* ours is not acknowledged yet: simultaneous close */
		r->ack_now = 1;
		xtcp_conn_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		xtcp_send_ack(sk);
		xtcp_conn_time_wait(sk, TCP_TIME_WAIT, XTCP_TIMEWAIT_LEN);
		return;
	}
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);
		sk_wake_async(sk, SOCK_WAKE_WAITD,
			      sk->sk_shutdown == SHUTDOWN_MASK ? POLL_HUP : POLL_IN);
	}
}

/*
 * Our FIN is acknowledged (@sk in FIN_WAIT_1, CLOSING or LAST_ACK). An
 * orphan in FIN_WAIT_2 leaves its wait for the peer's FIN to a small
 * entry, unless this very segment brings more. Return false if the
 * socket is closed now.
 */
static bool xtcp_conn_fin_acked(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		xtcp_conn_set_state(sk, TCP_FIN_WAIT2);
		if (!sock_flag(sk, SOCK_DEAD)) {
			sk->sk_state_change(sk);
			return true;
		}
		if (READ_ONCE(xtcp_sk(sk)->tmr.linger2) < 0) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONLINGER);
			xtcp_conn_done(sk, 0);
			return false;
		}
		if (cb->end_seq != cb->seq)
			return true;
		xtcp_conn_time_wait(sk, TCP_FIN_WAIT2, xtcp_conn_fin_time(sk));
		return false;
	case TCP_CLOSING:
		xtcp_conn_time_wait(sk, TCP_TIME_WAIT, XTCP_TIMEWAIT_LEN);
		return false;
	case TCP_LAST_ACK:
		xtcp_conn_done(sk, 0);
		return false;
	}
	return true;
}

/*
 * Text and FIN of a segment, in the states that take them. Return true
 * if @skb was kept (its data queued).
 */
static bool xtcp_conn_rcv_text(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool fin = cb->flags & XTCP_FLAG_FIN;
	u32 fin_seq = cb->end_seq - 1;
	bool kept, fin_next;

	/*
	 * New data after close() (or shutdown(SHUT_RD)) in FIN_WAIT: nobody
	 * will read it, and the peer must learn that now, as TCP tells it.
	 */
	if ((sk->sk_shutdown & RCV_SHUTDOWN) && !xs->rcv.fin_rcvd &&
	    sk->sk_state != TCP_ESTABLISHED && skb->len > cb->doff &&
	    xtcp_seq_after(cb->end_seq - fin, xs->rcv.nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONDATA);
		xtcp_send_reset(sk);
		xtcp_conn_done(sk, ECONNRESET);
		return false;
	}
	kept = xtcp_recv_data(sk, skb);
	if (fin)
		fin_next = xtcp_recv_note_fin(sk, fin_seq);
	else
		fin_next = xs->rcv.fin_pending && xs->rcv.fin_seq == xs->rcv.nxt;
	if (fin_next)
		xtcp_conn_rcv_fin(sk);
	return kept;
}

/*
 * Every synchronized state of a full socket: ESTABLISHED, the closing
 * states, CLOSE_WAIT. Return true if @skb was kept (its data queued).
 */
static bool xtcp_conn_rcv_synced(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool kept = false;

	if (!xtcp_conn_validate(sk, skb))
		return false;
	if (unlikely(xs->fo_synack) &&
	    xtcp_seq_after(cb->ack_seq, xs->snd.una) &&
	    !xtcp_seq_after(cb->ack_seq, xs->snd.nxt))
		xtcp_conn_fastopen_acked(sk, cb);
	if (xtcp_send_rcv_ack(sk, skb)) {
		/* acknowledges what we never sent, or far too old */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BADACKS);
		xtcp_conn_challenge_ack(sk);
		return false;
	}
	/* the peer is alive: keepalive and the persist count start over */
	xs->rcv.lrcv = jiffies;
	xs->tmr.ka_probes = 0;
	xs->tmr.probes = 0;
	/*
	 * RFC 7323 4.3: keep the TSval of a segment that covers the last
	 * ACK we sent (rcv.wup, where our advertised window starts).
	 */
	if (cb->opts.has_ts && !xtcp_seq_after(cb->seq, xs->rcv.wup) &&
	    (s32)(cb->opts.tsval - xs->rcv.ts_recent) >= 0)
		xs->rcv.ts_recent = cb->opts.tsval;
	if (xs->snd.fin_queued && xs->snd.una == xs->snd.write_seq &&
	    !xtcp_conn_fin_acked(sk, cb))
		return false;

	if (XTCPF(sk->sk_state) & XTCP_RCV_DATA_STATES) {
		kept = xtcp_conn_rcv_text(sk, skb);
	} else if (cb->end_seq != cb->seq) {
		/* after the peer's FIN: a retransmission; ACK it again */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPDATA);
		xs->rcv.ack_now = 1;
	}
	if (sk->sk_state != TCP_CLOSE)
		xtcp_conn_ack_decision(sk);
	/*
	 * An orphan still in FIN_WAIT_2 after a segment with more in it
	 * (an old duplicate, a FIN beyond a hole) has no timer of its own:
	 * it waits for the peer's FIN in a TIME_WAIT entry's FIN_WAIT_2,
	 * bounded by fin_timeout, like any other orphan.
	 */
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD))
		xtcp_conn_time_wait(sk, TCP_FIN_WAIT2, xtcp_conn_fin_time(sk));
	return kept;
}

/**
 * xtcp_conn_rcv() - a segment for a full socket, socket to ourselves
 * @sk: the socket (bh-locked and not owned by a process, or from backlog)
 * @skb: the segment, validated, XTCP_SKB_CB filled; consumed
 */
void xtcp_conn_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* every one, as tcpi_segs_in: a GSO skb counts its segments */
	xs->rcv.segs_in += skb_shinfo(skb)->gso_segs ? : 1;
	/* the client's SYN again: our SYN-ACK was lost */
	if (xs->fo_synack && xtcp_conn_fastopen_syn(sk, skb))
		goto out;
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		xtcp_conn_rcv_synsent(sk, skb);
		break;
	case TCP_SYN_RECV:
		/*
		 * A Fast Open child: the final ACK goes the way of every
		 * ACK (it may acknowledge data sent in SYN_RECV too), and
		 * data on it is taken.
		 */
		if (xs->fo_listener) {
			if (xtcp_conn_synrecv_ack_ok(sk, skb) &&
			    xtcp_conn_rcv_synced(sk, skb))
				return;
			break;
		}
		xtcp_conn_rcv_synrecv(sk, skb);
		break;
	case TCP_ESTABLISHED:
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (xtcp_conn_rcv_synced(sk, skb))
			return;
		break;
	default:
		/*
		 * Closed under the segment (it waited on the backlog, or met
		 * the socket as it left): the 4-tuple's new owner takes it.
		 */
		xtcp_tw_redeliver(sk, skb);
		return;
	}
out:
	consume_skb(skb);
}

/*
 * A data segment that continues the backlog's last one and whose header
 * matches it in all but its ACK and window joins it, as tcp_add_backlog()
 * merges: release_sock() then runs the stretch through the receive path
 * once and makes one ACK decision for it instead of one per segment,
 * which is most of a bulk receiver's work while its reader holds the
 * socket. Not bounded by the backlog limit: the merge adds no skb, and
 * an skb holds at most MAX_SKB_FRAGS pages (skb_try_coalesce() refuses
 * beyond). The backlog counts it as queued either way.
 *
 * Return: true if @skb was merged (and freed).
 */
static bool xtcp_conn_backlog_merge(struct sock *sk, struct sk_buff *skb)
{
	const u8 plain = XTCP_FLAG_ACK | XTCP_FLAG_PSH;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct sk_buff *tail = sk->sk_backlog.tail;
	struct skb_shared_info *tinfo;
	struct xtcp_skb_cb *tcb;
	u32 size, segs, tsize;
	struct tcphdr *th;
	bool stolen;
	int delta;

	if (!tail)
		return false;
	tcb = XTCP_SKB_CB(tail);
	/* options byte for byte: the same timestamp, no SACK news lost */
	if (tcb->end_seq != cb->seq || tcb->ecn != cb->ecn ||
	    tcb->doff != cb->doff || ((tcb->flags | cb->flags) & ~plain) ||
	    !(tcb->flags & cb->flags & XTCP_FLAG_ACK) ||
	    tail->len <= tcb->doff || skb->len <= cb->doff ||
	    memcmp(tail->data + sizeof(*th), skb->data + sizeof(*th),
		   cb->doff - sizeof(*th)))
		return false;

	tinfo = skb_shinfo(tail);
	tsize = tinfo->gso_size ? : tail->len - tcb->doff;
	segs = (tinfo->gso_segs ? : 1) + (skb_shinfo(skb)->gso_segs ? : 1);
	__skb_pull(skb, cb->doff);
	size = skb_shinfo(skb)->gso_size ? : skb->len;
	if (!skb_try_coalesce(tail, skb, &stolen, &delta)) {
		__skb_push(skb, cb->doff);
		return false;
	}
	tcb->end_seq = cb->end_seq;
	tcb->flags |= cb->flags;
	if (!xtcp_seq_before(cb->ack_seq, tcb->ack_seq)) {
		/* the header too: a TIME_WAIT may be the one to read it */
		th = (struct tcphdr *)tail->data;
		th->ack_seq = htonl(cb->ack_seq);
		th->window = htons(cb->window);
		tcb->ack_seq = cb->ack_seq;
		tcb->window = cb->window;
	}
	/* the receive path reads the peer's MSS and the count from these */
	tinfo->gso_size = max(size, tsize);
	tinfo->gso_segs = min_t(u32, segs, U16_MAX);
	sk->sk_backlog.len += delta;
	kfree_skb_partial(skb, stolen);
	return true;
}

/**
 * xtcp_conn_input() - hand a segment to its full socket
 * @sk: the socket, referenced by the caller
 * @skb: the segment, validated, XTCP_SKB_CB filled; consumed
 *
 * At once if no process holds the socket, else on its backlog, which
 * release_sock() runs; a full backlog drops the segment.
 */
void xtcp_conn_input(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th;

	/*
	 * The socket's filter (SO_ATTACH_FILTER) and the LSM's socket hook
	 * see the segment first, as tcp_filter() runs them; a filter may
	 * cut the payload, never the header.
	 */
	if (sk_filter_trim_cap(sk, skb, cb->doff)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_FILTERDROPS);
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_FILTER);
		return;
	}
	th = (const struct tcphdr *)skb->data;
	cb->end_seq = cb->seq + skb->len - cb->doff + th->syn + th->fin;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_conn_rcv(sk, skb);
	} else if (xtcp_conn_backlog_merge(sk, skb)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGQUEUED);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGCOALESCE);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGDROP);
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_BACKLOG);
	} else {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGQUEUED);
	}
	bh_unlock_sock(sk);
}

/**
 * xtcp_conn_backlog_rcv() - segments queued while a process held the lock
 * @sk: the socket
 * @skb: the segment
 *
 * Return: 0.
 */
int xtcp_conn_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	xtcp_conn_rcv(sk, skb);
	return 0;
}

/**
 * xtcp_conn_need_reset() - does ending a connection in @state owe the
 * peer a RST (tcp_need_reset())?
 * @state: the TCP_* state
 *
 * Return: true for the states whose peer still expects more of us.
 */
bool xtcp_conn_need_reset(int state)
{
	return XTCPF(state) & (XTCPF(TCP_ESTABLISHED) | XTCPF(TCP_CLOSE_WAIT) |
			       XTCPF(TCP_FIN_WAIT1) | XTCPF(TCP_FIN_WAIT2) |
			       XTCPF(TCP_SYN_RECV));
}

/*
 * Abort a synchronized connection: RST to the peer, as tcp_disconnect()
 * sends it (also from CLOSING and LAST_ACK with data never sent).
 */
static void xtcp_conn_reset(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	int state = sk->sk_state;

	if (xtcp_conn_need_reset(state) ||
	    ((XTCPF(state) & (XTCPF(TCP_CLOSING) | XTCPF(TCP_LAST_ACK))) &&
	     snd->nxt != snd->write_seq)) {
		xtcp_send_reset(sk);
		if (XTCPF(state) & (XTCPF(TCP_ESTABLISHED) | XTCPF(TCP_CLOSE_WAIT)))
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ESTABRESETS);
	}
}

/**
 * xtcp_conn_abort_child() - reset and release a child nobody accepted
 * @child: the child; the caller's reference (the accept queue's) is dropped
 */
void xtcp_conn_abort_child(struct sock *child)
{
	local_bh_disable();
	bh_lock_sock(child);
	if (xtcp_sk(child)->eh.hashed)
		xtcp_conn_reset(child);
	sock_set_flag(child, SOCK_DEAD);
	/* done() gives the port back: clones never have SOCK_BINDPORT_LOCK */
	xtcp_conn_done(child, 0);
	bh_unlock_sock(child);
	local_bh_enable();
	sock_put(child);
}

/**
 * xtcp_conn_abort() - end whatever the connection is doing, now
 * @sk: the socket, not a listener; the socket lock held
 *
 * A synchronized connection sends RST; a handshake just stops. The socket
 * is left in CLOSE, out of the ehash, its port and addresses untouched.
 */
void xtcp_conn_abort(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_conn_reset(sk);
	xtcp_timer_stop_all(sk);
	xtcp_conn_set_state(sk, TCP_CLOSE);
	xtcp_conn_unhash(sk);
	xtcp_send_purge(sk);
	xtcp_recv_purge(sk);
	/*
	 * Nothing of this connection's end may reach the next one the
	 * socket makes (connect(AF_UNSPEC), then connect): its FINs, the
	 * EOF, the keepalive count, as tcp_disconnect() clears them.
	 */
	sock_reset_flag(sk, SOCK_DONE);
	xs->snd.fin_queued = 0;
	xs->rcv.fin_pending = 0;
	xs->rcv.fin_rcvd = 0;
	xs->tmr.ka_probes = 0;
}

/*
 * Where close() and shutdown(SHUT_WR) take a state, and whether a FIN
 * goes (tcp_close_state()'s table). -1: not ours to change.
 */
static int xtcp_conn_fin_state(int state)
{
	switch (state) {
	case TCP_ESTABLISHED:
		return TCP_FIN_WAIT1;
	case TCP_CLOSE_WAIT:
		return TCP_LAST_ACK;
	default:
		return -1;
	}
}

/*
 * Our FIN after the data: FIN_WAIT_1 or LAST_ACK. A Fast Open child in
 * SYN_RECV too, as Linux's tcp_close_state(): its FIN follows its data,
 * and FIN_WAIT_1 still resends the SYN-ACK until the final ACK.
 */
static void xtcp_conn_send_fin(struct sock *sk)
{
	int next = xtcp_conn_fin_state(sk->sk_state);

	if (sk->sk_state == TCP_SYN_RECV && xtcp_sk(sk)->fo_synack)
		next = TCP_FIN_WAIT1;
	if (next < 0)
		return;
	xtcp_conn_set_state(sk, next);
	xtcp_send_fin(sk);
}

/**
 * xtcp_conn_shutdown() - shutdown(SHUT_WR): FIN after the queued data
 * @sk: the socket, locked; SEND_SHUTDOWN already set
 *
 * The socket keeps receiving (half-close).
 */
void xtcp_conn_shutdown(struct sock *sk)
{
	xtcp_conn_send_fin(sk);
}

/**
 * xtcp_conn_close() - close() of a connection, as TCP's
 * @sk: the socket, locked, not a listener; still the program's
 * @timeout: SO_LINGER's wait for our FIN's ACK, or 0
 *
 * Unread data, or SO_LINGER {1, 0}, aborts with RST (RFC 2525 2.17,
 * as Linux); a handshake just stops; otherwise a FIN follows the data.
 * With a linger time, waits (the lock dropped) until the FIN is
 * acknowledged, the time runs out or a signal comes.
 */
void xtcp_conn_close(struct sock *sk, long timeout)
{
	struct net *net = sock_net(sk);
	u32 unread;

	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	unread = xtcp_recv_readable(sk);
	xtcp_recv_purge(sk);

	switch (sk->sk_state) {
	case TCP_CLOSE:
		return;
	case TCP_SYN_SENT:
		xtcp_conn_abort(sk);
		return;
	case TCP_SYN_RECV:
		/* a Fast Open child's answer is out: a FIN follows it */
		if (!xtcp_sk(sk)->fo_synack) {
			xtcp_conn_abort(sk);
			return;
		}
		break;
	}
	if (unread) {
		XTCP_INC_STATS(net, XTCP_MIB_ABORTONCLOSE);
		xtcp_conn_abort(sk);
		return;
	}
	if (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime) {
		XTCP_INC_STATS(net, XTCP_MIB_ABORTONDATA);
		xtcp_conn_abort(sk);
		return;
	}
	xtcp_conn_send_fin(sk);
	if (timeout)
		sk_stream_wait_close(sk, timeout);
}

/**
 * xtcp_conn_orphaned() - the program let go of @sk (release, after
 * sock_orphan()); the connection finishes on its own
 * @sk: the socket, locked
 *
 * Counted as an orphan while it lives on, within max_orphans (beyond
 * it: RST, as TCP under memory pressure). An orphan already in
 * FIN_WAIT_2 waits for the peer's FIN in a TIME_WAIT entry at once.
 */
void xtcp_conn_orphaned(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);

	if (sk->sk_state == TCP_FIN_WAIT2) {
		if (READ_ONCE(xs->tmr.linger2) < 0) {
			XTCP_INC_STATS(net, XTCP_MIB_ABORTONLINGER);
			xtcp_conn_abort(sk);
		} else {
			local_bh_disable();
			xtcp_conn_time_wait(sk, TCP_FIN_WAIT2,
					    xtcp_conn_fin_time(sk));
			local_bh_enable();
		}
	}
	if (sk->sk_state == TCP_CLOSE)
		return;
	if ((long)xtcp_stats_read(net, XTCP_MIB_CURRORPHANS) >=
	    XTCP_SYSCTL(net, max_orphans)) {
		net_info_ratelimited("too many orphaned sockets (max_orphans)\n");
		XTCP_INC_STATS(net, XTCP_MIB_ABORTONMEMORY);
		xtcp_conn_abort(sk);
		return;
	}
	xs->orphan_counted = 1;
	XTCP_INC_STATS(net, XTCP_MIB_CURRORPHANS);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/conn_test.c"
#endif
