// SPDX-License-Identifier: GPL-2.0
/*
 * A connection's timers: when each one runs, and the retransmission
 * timeout they are measured in.
 *
 * The rest of the module calls hooks named after events (data sent, an
 * ACK advanced snd.una, the window closed, a segment needs an ACK); only
 * this file knows which timer an event arms, stops or moves, as in
 * WireGuard's timers.c. What a timer does when it fires is the business
 * of the file that owns the action: conn.c's retransmit handler (SYN,
 * data, zero-window probe) and recv.c's delayed-ACK handler.
 *
 * sk_timer is the retransmit timer, used for one thing at a time
 * (tmr.pending says which); rcv.delack is the delayed-ACK timer. Both
 * hold a socket reference while pending (sk_reset_timer). Everything here
 * runs with the socket to itself: lock_sock or bh_lock_sock not owned.
 *
 * The RTO follows RFC 6298 with Linux's bounds: 200 ms at least, 120 s
 * at most, 1 s before the first sample, doubled on each expiry.
 */
#include <linux/jiffies.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

/* Linux's TCP_RTO_MIN and delayed-ACK bounds. */
#define XTCP_RTO_MIN		(HZ / 5)
#define XTCP_DELACK_MIN		(HZ / 25)	/* 40 ms */
#define XTCP_DELACK_MAX		(HZ / 5)	/* 200 ms */

/**
 * xtcp_timer_rtt_sample() - fold an RTT measurement into the estimator
 * @sk: the socket
 * @rtt_us: the sample, microseconds; a sample of 0 counts as 1
 *
 * RFC 6298 2.2 and 2.3: the first sample sets SRTT = R and RTTVAR = R/2;
 * later ones move RTTVAR by 1/4 of |SRTT - R| and SRTT by 1/8 of R.
 */
void xtcp_timer_rtt_sample(struct sock *sk, u32 rtt_us)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;
	u32 srtt, dev;

	rtt_us = max(rtt_us, 1U);
	if (!t->rtt_min_us || rtt_us < t->rtt_min_us)
		t->rtt_min_us = rtt_us;
	if (!t->srtt_us) {
		t->srtt_us = rtt_us << 3;
		t->rttvar_us = (rtt_us / 2) << 2;
	} else {
		srtt = t->srtt_us >> 3;
		dev = srtt > rtt_us ? srtt - rtt_us : rtt_us - srtt;
		/* rttvar' = 3/4 rttvar + 1/4 dev, kept << 2 */
		t->rttvar_us = t->rttvar_us - (t->rttvar_us >> 2) + dev;
		/* srtt' = 7/8 srtt + 1/8 rtt, kept << 3 */
		t->srtt_us = t->srtt_us - (t->srtt_us >> 3) + rtt_us;
	}
	t->rto = xtcp_timer_rto_base(t);
}

/**
 * xtcp_timer_rto_base() - the RTO before backoff
 * @t: the timers' state
 *
 * Return: SRTT + max(G, 4 RTTVAR) in jiffies, within the bounds; the
 * initial 1 s before any sample.
 */
unsigned long xtcp_timer_rto_base(const struct xtcp_timers *t)
{
	unsigned long rto;
	u32 var;

	if (!t->srtt_us)
		return XTCP_TIMEOUT_INIT;
	/* rttvar_us is kept << 2: it is already 4 * RTTVAR */
	var = max_t(u32, t->rttvar_us, jiffies_to_usecs(1));
	rto = usecs_to_jiffies((t->srtt_us >> 3) + var);
	return clamp_t(unsigned long, rto, XTCP_RTO_MIN, XTCP_RTO_MAX);
}

/* The RTO in force: the base doubled once per backoff step, capped. */
static unsigned long xtcp_timer_rto_now(const struct xtcp_timers *t)
{
	unsigned long rto = t->rto;

	if (t->backoff >= ilog2(XTCP_RTO_MAX))
		return XTCP_RTO_MAX;
	return min_t(unsigned long, rto << t->backoff, XTCP_RTO_MAX);
}

/* Arm the retransmit timer for @kind, @when jiffies from now. */
static void xtcp_timer_arm(struct sock *sk, u8 kind, unsigned long when)
{
	xtcp_sk(sk)->tmr.pending = kind;
	sk_reset_timer(sk, &sk->sk_timer, jiffies + when);
}

/**
 * xtcp_timer_stop() - stop the retransmit timer, whatever it was for
 * @sk: the socket
 */
void xtcp_timer_stop(struct sock *sk)
{
	xtcp_sk(sk)->tmr.pending = XTCP_TIMER_NONE;
	sk_stop_timer(sk, &sk->sk_timer);
}

/**
 * xtcp_timer_syn_sent() - a SYN (or our SYN-ACK) went out
 * @sk: the socket
 */
void xtcp_timer_syn_sent(struct sock *sk)
{
	xtcp_timer_arm(sk, XTCP_TIMER_SYN, xtcp_sk(sk)->tmr.rto);
}

/**
 * xtcp_timer_data_sent() - data left, new or again
 * @sk: the socket
 *
 * RFC 6298 5.1: start the timer if it is not running. A probe timer
 * gives way: there is data in flight to time now; a SYN-ACK's does not.
 */
void xtcp_timer_data_sent(struct sock *sk)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	if (t->pending == XTCP_TIMER_RTO && timer_pending(&sk->sk_timer))
		return;
	/*
	 * A Fast Open child's data behind its SYN-ACK: the SYN-ACK's timer
	 * stands for both until the final ACK, as in Linux (conn.c).
	 */
	if (t->pending == XTCP_TIMER_SYN && timer_pending(&sk->sk_timer))
		return;
	/* nothing was outstanding: TCP_USER_TIMEOUT counts from here */
	t->stall_start = jiffies;
	xtcp_timer_arm(sk, XTCP_TIMER_RTO, xtcp_timer_rto_now(t));
}

/**
 * xtcp_timer_acked() - an ACK advanced snd.una
 * @sk: the socket
 * @outstanding: data is still unacknowledged
 *
 * RFC 6298 5.2 and 5.3: stop the timer when all is acknowledged, else
 * restart it with the current RTO. Progress ends any backoff (5.7 keeps
 * the backed-off value; Linux, and we, recompute from the estimator).
 */
void xtcp_timer_acked(struct sock *sk, bool outstanding)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	t->backoff = 0;
	t->retries = 0;
	t->probes = 0;
	t->stall_start = jiffies;
	if (outstanding)
		xtcp_timer_arm(sk, XTCP_TIMER_RTO, xtcp_timer_rto_now(t));
	else if (t->pending == XTCP_TIMER_RTO)
		xtcp_timer_stop(sk);
}

/**
 * xtcp_timer_reneging() - an ACK stopped at data the peer had SACKed
 * @sk: the socket, with data outstanding
 *
 * The peer may have dropped what it SACKed (RFC 2018 8), or the ACKs
 * that fix the scoreboard are on their way: the RTO, which decides, is
 * brought in to half an RTT, 10 ms at least, as Linux does. An earlier
 * expiry stays.
 */
void xtcp_timer_reneging(struct sock *sk)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;
	unsigned long when = max(usecs_to_jiffies(t->srtt_us >> 4),
				 msecs_to_jiffies(10));

	if (t->pending == XTCP_TIMER_RTO && timer_pending(&sk->sk_timer) &&
	    time_before(sk->sk_timer.expires, jiffies + when))
		return;
	xtcp_timer_arm(sk, XTCP_TIMER_RTO, when);
}

/**
 * xtcp_timer_rto_fired() - the retransmit timer expired on data
 * @sk: the socket
 *
 * RFC 6298 5.5 and 5.6: back off and restart.
 */
void xtcp_timer_rto_fired(struct sock *sk)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;
	unsigned long when;

	if (t->backoff < U8_MAX)
		t->backoff++;
	if (t->retries < U8_MAX)
		t->retries++;
	when = xtcp_timer_rto_now(t);
	/*
	 * TCP_USER_TIMEOUT (RFC 5482): fire no later than when it runs
	 * out, so the connection fails on time, not a backed-off RTO late.
	 */
	if (t->user_timeout) {
		long left = (long)(t->stall_start + t->user_timeout - jiffies);

		when = clamp_t(long, left, 1, (long)when);
	}
	xtcp_timer_arm(sk, XTCP_TIMER_RTO, when);
}

/* Arm the RTO for what is left of @when since @sent_ms; <= 0: none left. */
static long xtcp_timer_rto_rearm(struct sock *sk, u32 sent_ms)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;
	u32 elapsed = xtcp_secure_ts_now() - sent_ms;
	long left = (long)xtcp_timer_rto_now(t) -
		    (long)msecs_to_jiffies(min_t(u32, elapsed, 3600000));

	if (left > 0)
		xtcp_timer_arm(sk, XTCP_TIMER_RTO, left);
	return left;
}

/**
 * xtcp_timer_rto_revert() - undo the last RTO backoff (RFC 6069)
 * @sk: the socket, retransmitting, its timer armed for the RTO
 * @sent_ms: when the oldest unacknowledged segment was last sent, on
 *	xtcp_secure_ts_now()'s clock
 *
 * An ICMP unreachable for that retransmission says the path, not
 * congestion, lost it: the timeout is halved again and counted from
 * that transmission, as Linux's tcp_ld_RTO_revert() does.
 *
 * Return: jiffies left of the reverted timeout; <= 0 if it has run out
 * and the caller must retransmit now (the timer is not re-armed then).
 */
long xtcp_timer_rto_revert(struct sock *sk, u32 sent_ms)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	t->backoff--;
	return xtcp_timer_rto_rearm(sk, sent_ms);
}

/**
 * xtcp_timer_backoff_span() - how long @retries backed-off RTOs last at
 *	the least
 * @retries: the count
 *
 * From the smallest RTO, doubling up to XTCP_RTO_MAX, as Linux's
 * tcp_model_timeout(): the time a connection must have retransmitted
 * before giving up, whatever RFC 6069 reverts shortened.
 *
 * Return: jiffies.
 */
unsigned long xtcp_timer_backoff_span(unsigned int retries)
{
	unsigned int doubling = ilog2(XTCP_RTO_MAX / XTCP_RTO_MIN);

	if (retries <= doubling)
		return ((2UL << retries) - 1) * XTCP_RTO_MIN;
	return ((2UL << doubling) - 1) * XTCP_RTO_MIN +
	       (unsigned long)(retries - doubling) * XTCP_RTO_MAX;
}

/**
 * xtcp_timer_user_timeout_passed() - has TCP_USER_TIMEOUT run out?
 * @t: the timers' state
 *
 * Return: true if a user timeout is set and the connection has made no
 * progress for that long.
 */
bool xtcp_timer_user_timeout_passed(const struct xtcp_timers *t)
{
	return t->user_timeout &&
	       time_after_eq(jiffies, t->stall_start + t->user_timeout);
}

/**
 * xtcp_timer_keepalive() - (re)arm the keepalive timer
 * @sk: the socket
 * @when: jiffies from now; 0 stops it
 */
void xtcp_timer_keepalive(struct sock *sk, unsigned long when)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (when)
		sk_reset_timer(sk, &xs->tmr.keepalive, jiffies + when);
	else
		sk_stop_timer(sk, &xs->tmr.keepalive);
}

/**
 * xtcp_timer_window_closed() - the peer's window is zero with data waiting
 * @sk: the socket
 *
 * The persist timer (RFC 9293 3.8.6.1): probe after the RTO, backing
 * off like it. A zero window alone never kills the connection (RFC
 * 1122 4.2.2.17): the probes count, the caller decides.
 */
void xtcp_timer_window_closed(struct sock *sk)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	if (t->pending == XTCP_TIMER_PROBE && timer_pending(&sk->sk_timer))
		return;
	if (t->pending == XTCP_TIMER_RTO && timer_pending(&sk->sk_timer))
		return;
	xtcp_timer_arm(sk, XTCP_TIMER_PROBE, xtcp_timer_rto_now(t));
}

/**
 * xtcp_timer_probe_sent() - a zero-window probe went out
 * @sk: the socket
 */
void xtcp_timer_probe_sent(struct sock *sk)
{
	struct xtcp_timers *t = &xtcp_sk(sk)->tmr;

	if (t->probes < U8_MAX)
		t->probes++;
	if (t->backoff < U8_MAX)
		t->backoff++;
	xtcp_timer_arm(sk, XTCP_TIMER_PROBE, xtcp_timer_rto_now(t));
}

/**
 * xtcp_timer_ato() - how long an ACK may be held back
 * @xs: the socket
 *
 * Return: half the smoothed RTT, within Linux's 40 to 200 ms (RFC 1122
 * allows up to 500 ms), in jiffies.
 */
unsigned long xtcp_timer_ato(const struct xtcp_sock *xs)
{
	unsigned long ato = usecs_to_jiffies(xs->tmr.srtt_us >> 4);

	return clamp_t(unsigned long, ato, XTCP_DELACK_MIN, XTCP_DELACK_MAX);
}

/**
 * xtcp_timer_ack_owed() - a segment wants an ACK, not necessarily now
 * @sk: the socket
 *
 * The delayed-ACK timer runs for xtcp_timer_ato(), so no ACK waits longer.
 */
void xtcp_timer_ack_owed(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (timer_pending(&xs->rcv.delack))
		return;
	sk_reset_timer(sk, &xs->rcv.delack, jiffies + xtcp_timer_ato(xs));
}

/**
 * xtcp_timer_ack_sent() - an ACK left: no delayed ACK is owed
 * @sk: the socket
 */
void xtcp_timer_ack_sent(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->rcv.delack_due = 0;
	sk_stop_timer(sk, &xs->rcv.delack);
}

/**
 * xtcp_timer_stop_all() - the connection is over: no timer may run on
 * @sk: the socket
 *
 * Waits for a handler running on another CPU, so call it without the
 * bh socket lock (lock_sock is fine: the handlers back off from an
 * owned socket).
 */
void xtcp_timer_stop_all(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->tmr.pending = XTCP_TIMER_NONE;
	sk_stop_timer_sync(sk, &sk->sk_timer);
	sk_stop_timer_sync(sk, &xs->rcv.delack);
	sk_stop_timer_sync(sk, &xs->tmr.keepalive);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/timer_test.c"
#endif
