// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: how the congestion window grows on ACKs and where
 * it falls to on loss. send.c owns the window (snd.cwnd, snd.ssthresh,
 * in segments) and the loss detection; an algorithm answers questions
 * and hears of events through struct xtcp_cc_ops:
 *
 *   ssthresh()    the new slow-start threshold when loss is detected
 *   cong_avoid()  how cwnd grows when an ACK acknowledges @acked segments
 *                 outside recovery
 *   timeout()     an RTO has taken cwnd down to one segment (optional)
 *   restart()     new data leaves with nothing in flight: the sender was
 *                 idle, or limited by its application (optional)
 *   acked()       snd.una moved on, with the RTT the ACK measured, if any
 *                 (optional)
 *
 * An algorithm keeps its state in snd.cc_priv, which is all zero when a
 * connection starts or the algorithm is changed: zero is every
 * algorithm's initial state, so none needs an init hook.
 *
 * Two are built in, by Linux's names for TCP_CONGESTION and the
 * congestion_control sysctl: NewReno ("reno": RFC 5681, RFC 6582) and
 * CUBIC ("cubic": RFC 9438, with HyStart++'s delay detection, RFC
 * 9406), the default as in Linux.
 */
#include <linux/math64.h>
#include <linux/string.h>
#include <net/sock.h>

#include "xtcp.h"
#include "seq.h"

/* Window bound, as Linux's snd_cwnd_clamp default. */
#define XTCP_CC_CWND_MAX	10000U

/* RFC 5681 3.1: slow start, one segment per segment acknowledged. */
static u32 xtcp_cc_slow_start(struct xtcp_snd *snd, u32 acked)
{
	u32 cwnd = min(snd->cwnd + acked, snd->ssthresh);

	acked -= cwnd - snd->cwnd;
	snd->cwnd = min(cwnd, XTCP_CC_CWND_MAX);
	return acked;
}

/*
 * Congestion avoidance: one segment per window's worth acknowledged (RFC
 * 5681 3.1, counted in segments as RFC 3465 appropriate byte counting
 * does with L = 1), with no extra constant.
 */
static void xtcp_cc_additive(struct xtcp_snd *snd, u32 w, u32 acked)
{
	if (snd->cwnd_cnt >= w) {
		snd->cwnd_cnt = 0;
		snd->cwnd++;
	}
	snd->cwnd_cnt += acked;
	if (snd->cwnd_cnt >= w) {
		snd->cwnd += snd->cwnd_cnt / w;
		snd->cwnd_cnt %= w;
	}
	snd->cwnd = min(snd->cwnd, XTCP_CC_CWND_MAX);
}

static void xtcp_cc_reno_cong_avoid(struct sock *sk, u32 acked)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	if (snd->cwnd < snd->ssthresh) {
		acked = xtcp_cc_slow_start(snd, acked);
		if (!acked)
			return;
	}
	xtcp_cc_additive(snd, snd->cwnd, acked);
}

/* RFC 5681 (4): half the window, at least two segments. */
static u32 xtcp_cc_reno_ssthresh(struct sock *sk)
{
	return max(xtcp_sk(sk)->snd.cwnd >> 1, 2U);
}

static const struct xtcp_cc_ops xtcp_cc_reno = {
	.name		= "reno",
	.ssthresh	= xtcp_cc_reno_ssthresh,
	.cong_avoid	= xtcp_cc_reno_cong_avoid,
};

/*
 * CUBIC (RFC 9438). From the start of congestion avoidance after a loss
 * (t = 0, cwnd_epoch) the window follows
 *
 *	W_cubic(t) = C (t - K)^3 + W_max,  K = cbrt((W_max - cwnd_epoch) / C)
 *
 * concave up to the window of the last loss (W_max, reached at t = K),
 * where the queue filled before, and convex beyond it, probing for more.
 * Each ACK moves cwnd toward where the curve will be an RTT later, at
 * most half a window per RTT (4.2). Beside the curve runs W_est, what
 * Reno would have by now (4.3); where that is larger, as with small
 * windows and short RTTs, it wins, so that CUBIC never does worse there.
 *
 * Integers only: times and K in ms, so C = 0.4 segments/s^3 is
 * 2 / (5 * 10^9) segments/ms^3; the curve in 1/1024 segments, so that the
 * growth near W_max, a fraction of a segment per RTT, is not rounded away.
 */
#define XTCP_CC_CUBIC_SHIFT	10
/* beta_cubic = 0.7: what is kept of the window on loss */
#define XTCP_CC_CUBIC_BETA	7
#define XTCP_CC_CUBIC_BETA_DIV	10
/* C (t - K)^3 in 1/1024 segments is (t - K)^3, in ms^3, times MUL / DIV */
#define XTCP_CC_CUBIC_C_MUL	(2ULL << XTCP_CC_CUBIC_SHIFT)
#define XTCP_CC_CUBIC_C_DIV	5000000000ULL
/* 1/C in ms^3 per segment: K^3 = (W_max - cwnd_epoch) times this */
#define XTCP_CC_CUBIC_INV_C	2500000000ULL
/*
 * |t - K| is taken at most this far (100 s): the curve is 400000 segments
 * off W_max there, past any window, and |t - K|^3 * C_MUL fits a u64.
 */
#define XTCP_CC_CUBIC_D_MAX	100000ULL
/*
 * alpha_cubic = 3 (1 - beta) / (1 + beta) = 9/17 segments per RTT: with
 * it W_est, cut by beta on loss, averages the rate Reno has, cut by half.
 */
#define XTCP_CC_CUBIC_ALPHA	9
#define XTCP_CC_CUBIC_ALPHA_DIV	17

/* In snd.cc_priv; all zero: no loss seen, no epoch running. */
struct xtcp_cc_cubic {
	u32 epoch;		/* t_epoch: when avoidance began, ms */
	u32 last;		/* when an ACK last reached cong_avoid, ms */
	u32 k;			/* K, ms */
	u32 w_max;		/* W_max, segments; 0: the window at t_epoch */
	u32 prior;		/* cwnd_prior: the window at the last loss */
	u32 w_est;		/* W_est, segments */
	u32 est_cnt;		/* segments acked, times 17 alpha, toward W_est + 1 */
	bool in_epoch;		/* epoch, k and w_est are valid */
	/* HyStart: slow start's rounds and their smallest RTTs */
	bool round_on;		/* round_end is valid */
	u8 samples;		/* RTT samples in this round */
	u32 round_end;		/* the round ends when snd.una reaches this */
	u32 last_min_us;	/* the last round's smallest RTT, 0: none */
	u32 cur_min_us;		/* this round's so far, 0: none */
};

static struct xtcp_cc_cubic *xtcp_cc_cubic_ca(struct sock *sk)
{
	BUILD_BUG_ON(sizeof(struct xtcp_cc_cubic) >
		     sizeof_field(struct xtcp_snd, cc_priv));
	return (struct xtcp_cc_cubic *)xtcp_sk(sk)->snd.cc_priv;
}

/* floor(cbrt(@x)): one bit of the root per step, as long division does. */
static u32 xtcp_cc_cbrt(u64 x)
{
	u64 r = 0, b;
	int s;

	for (s = 63; s >= 0; s -= 3) {
		r <<= 1;
		/* (r + 1)^3 - r^3 */
		b = 3 * r * (r + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			r++;
		}
	}
	return r;
}

/* W_cubic(@t), @t in ms since t_epoch; in 1/1024 segments. */
static u64 xtcp_cc_cubic_w(const struct xtcp_cc_cubic *ca, u64 t)
{
	u64 w_max = (u64)ca->w_max << XTCP_CC_CUBIC_SHIFT;
	u64 d = t > ca->k ? t - ca->k : ca->k - t;
	u64 delta;

	d = min(d, XTCP_CC_CUBIC_D_MAX);
	delta = div64_u64(d * d * d * XTCP_CC_CUBIC_C_MUL, XTCP_CC_CUBIC_C_DIV);
	if (t >= ca->k)
		return w_max + delta;
	return w_max > delta ? w_max - delta : 0;
}

/* Congestion avoidance begins: t = 0 at @now, from a window of @cwnd. */
static void xtcp_cc_cubic_epoch(struct xtcp_cc_cubic *ca, u32 cwnd, u32 now)
{
	ca->in_epoch = true;
	ca->epoch = now;
	ca->w_est = cwnd;
	ca->est_cnt = 0;
	if (ca->w_max > cwnd) {
		ca->k = xtcp_cc_cbrt((u64)(ca->w_max - cwnd) *
				     XTCP_CC_CUBIC_INV_C);
	} else {
		/*
		 * Nothing below the last loss to climb back to (or an RTO
		 * forgot it, 4.8): the curve starts here, convex at once.
		 */
		ca->k = 0;
		ca->w_max = cwnd;
	}
}

/*
 * W_est grows by alpha_cubic per window acknowledged; once it is past
 * the window of the last loss, by 1 as Reno's does (4.3): from there on
 * it competes with Reno flows that were not cut at the same time.
 */
static void xtcp_cc_cubic_reno(struct xtcp_cc_cubic *ca, u32 cwnd,
			       u32 acked)
{
	u32 per = XTCP_CC_CUBIC_ALPHA_DIV * cwnd;

	if (ca->w_est < ca->prior)
		ca->est_cnt += XTCP_CC_CUBIC_ALPHA * acked;
	else
		ca->est_cnt += XTCP_CC_CUBIC_ALPHA_DIV * acked;
	if (ca->est_cnt >= per) {
		ca->w_est += ca->est_cnt / per;
		ca->est_cnt %= per;
	}
}

/* cong_avoid() with the clock read: @now in ms, as the tests set it. */
static void xtcp_cc_cubic_update(struct sock *sk, u32 acked, u32 now)
{
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	u32 rtt = xs->tmr.srtt_us / (8 * USEC_PER_MSEC);
	u64 cwnd, target, t;

	ca->last = now;
	if (snd->cwnd < snd->ssthresh) {
		acked = xtcp_cc_slow_start(snd, acked);
		if (!acked)
			return;
	}
	if (!ca->in_epoch)
		xtcp_cc_cubic_epoch(ca, snd->cwnd, now);
	t = now - ca->epoch;
	xtcp_cc_cubic_reno(ca, snd->cwnd, acked);
	if (xtcp_cc_cubic_w(ca, t) < (u64)ca->w_est << XTCP_CC_CUBIC_SHIFT) {
		/* the Reno-friendly region: cwnd = W_est */
		snd->cwnd = min(max(snd->cwnd, ca->w_est), XTCP_CC_CWND_MAX);
		return;
	}
	cwnd = (u64)snd->cwnd << XTCP_CC_CUBIC_SHIFT;
	target = min(xtcp_cc_cubic_w(ca, t + rtt), cwnd + cwnd / 2);
	/*
	 * (target - cwnd) / cwnd per segment acknowledged is one segment
	 * per cwnd / (target - cwnd) of them: at least 2, as target is at
	 * most 1.5 cwnd. A target at or below cwnd holds the window.
	 */
	if (target > cwnd)
		xtcp_cc_additive(snd, div64_u64(cwnd, target - cwnd), acked);
}

static void xtcp_cc_cubic_cong_avoid(struct sock *sk, u32 acked)
{
	xtcp_cc_cubic_update(sk, acked, xtcp_secure_ts_now());
}

/* On loss: keep beta_cubic of the window, and remember where it was. */
static u32 xtcp_cc_cubic_ssthresh(struct sock *sk)
{
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	u32 cwnd = xtcp_sk(sk)->snd.cwnd;

	ca->in_epoch = false;
	ca->prior = cwnd;
	/*
	 * Fast convergence (4.7): a loss below the last W_max says another
	 * flow is taking a share. Aim the curve lower, at (1 + beta) / 2
	 * of this window, to hand it bandwidth sooner.
	 */
	if (cwnd < ca->w_max)
		ca->w_max = cwnd * (XTCP_CC_CUBIC_BETA_DIV + XTCP_CC_CUBIC_BETA) /
			    (2 * XTCP_CC_CUBIC_BETA_DIV);
	else
		ca->w_max = cwnd;
	return max(cwnd * XTCP_CC_CUBIC_BETA / XTCP_CC_CUBIC_BETA_DIV, 2U);
}

/*
 * After an RTO the first avoidance starts its curve from the window it
 * has then (4.8: K = 0, W_max = that window, W_est too); ssthresh() was
 * asked before the window fell, and remembered the loss for the next.
 */
static void xtcp_cc_cubic_timeout(struct sock *sk)
{
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);

	ca->in_epoch = false;
	ca->w_max = 0;
	/* the slow start that follows measures its rounds afresh */
	ca->round_on = false;
	ca->cur_min_us = 0;
}

/*
 * t must leave out the time the sender had nothing to send (5.8): the
 * curve would have run on meanwhile, and the window would jump toward
 * it on the first ACKs. Move t_epoch forward by the idle time.
 */
static void xtcp_cc_cubic_restart(struct sock *sk)
{
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);

	if (ca->in_epoch)
		ca->epoch += xtcp_secure_ts_now() - ca->last;
}

/*
 * HyStart++'s delay detection (RFC 9406): slow start doubles the window
 * each round trip until a loss, by which time the bottleneck's queue has
 * overflowed by as much again. A queue filling shows earlier as a rising
 * RTT: once the smallest of this round's first 8 RTT samples is larger
 * than the last round's smallest by an eighth of it (at least 4 ms, at
 * most 16), slow start ends where it is (ssthresh = cwnd, as Linux's
 * CUBIC does, leaving out the RFC's conservative slow start) and CUBIC's
 * curve takes over from that window. Not below 16 segments, where a
 * round has too few samples to say.
 *
 * Linux's CUBIC also ends slow start on a long ACK train (ACKs of one
 * round coming closely spaced for more than half the smallest RTT).
 * Tried here, it ended slow start at 21 segments on veth: xtcp times
 * RTTs in milliseconds, so a sub-millisecond path's smallest RTT reads
 * as 1 us or 1 ms, and any two ACKs make a train. RFC 9406 left the
 * train out too.
 */
#define XTCP_CC_HYSTART_SAMPLES		8
#define XTCP_CC_HYSTART_LOW_WINDOW	16U
#define XTCP_CC_HYSTART_MIN_US		4000U
#define XTCP_CC_HYSTART_MAX_US		16000U

static void xtcp_cc_cubic_acked(struct sock *sk, u32 rtt_us)
{
	struct xtcp_cc_cubic *ca = xtcp_cc_cubic_ca(sk);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	u32 thresh;

	if (snd->cwnd >= snd->ssthresh)
		return;
	if (!ca->round_on || !xtcp_seq_before(snd->una, ca->round_end)) {
		/* what was sent when this round began is acked: a new one */
		ca->round_on = true;
		ca->round_end = snd->nxt;
		ca->last_min_us = ca->cur_min_us;
		ca->cur_min_us = 0;
		ca->samples = 0;
	}
	if (!rtt_us || ca->samples >= XTCP_CC_HYSTART_SAMPLES)
		return;
	if (!ca->cur_min_us || rtt_us < ca->cur_min_us)
		ca->cur_min_us = rtt_us;
	if (++ca->samples < XTCP_CC_HYSTART_SAMPLES || !ca->last_min_us ||
	    snd->cwnd < XTCP_CC_HYSTART_LOW_WINDOW)
		return;
	thresh = clamp(ca->last_min_us / 8, XTCP_CC_HYSTART_MIN_US,
		       XTCP_CC_HYSTART_MAX_US);
	if (ca->cur_min_us >= ca->last_min_us + thresh) {
		snd->ssthresh = snd->cwnd;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_HYSTARTDELAYDETECT);
		XTCP_ADD_STATS(sock_net(sk), XTCP_MIB_HYSTARTDELAYCWND,
			       snd->cwnd);
	}
}

static const struct xtcp_cc_ops xtcp_cc_cubic = {
	.name		= "cubic",
	.ssthresh	= xtcp_cc_cubic_ssthresh,
	.cong_avoid	= xtcp_cc_cubic_cong_avoid,
	.timeout	= xtcp_cc_cubic_timeout,
	.restart	= xtcp_cc_cubic_restart,
	.acked		= xtcp_cc_cubic_acked,
};

static const struct xtcp_cc_ops *const xtcp_cc_all[] = {
	&xtcp_cc_cubic,
	&xtcp_cc_reno,
};

/**
 * xtcp_cc_default() - the algorithm a network namespace starts with
 *
 * CUBIC, as Linux's default; the congestion_control sysctl changes it.
 *
 * Return: its ops.
 */
const struct xtcp_cc_ops *xtcp_cc_default(void)
{
	return &xtcp_cc_cubic;
}

/**
 * xtcp_cc_find() - an algorithm by its TCP_CONGESTION name
 * @name: the name, NUL-terminated
 *
 * Return: its ops, or NULL if xtcp has none by that name.
 */
const struct xtcp_cc_ops *xtcp_cc_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xtcp_cc_all); i++)
		if (!strcmp(xtcp_cc_all[i]->name, name))
			return xtcp_cc_all[i];
	return NULL;
}

/**
 * xtcp_cc_init() - a connection starts: its algorithm starts afresh
 * @sk: the socket
 */
void xtcp_cc_init(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	memset(snd->cc_priv, 0, sizeof(snd->cc_priv));
	snd->cwnd_cnt = 0;
}

/**
 * xtcp_cc_set() - give @sk another algorithm (TCP_CONGESTION)
 * @sk: the socket, locked by its owner
 * @ops: the algorithm
 *
 * The window stays; the new algorithm grows it from there with its own
 * state from scratch. Choosing the algorithm in use changes only that it
 * is now chosen: a listener's children take it (request.c).
 */
void xtcp_cc_set(struct sock *sk, const struct xtcp_cc_ops *ops)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	/* a listener's are read without its lock, for a new child */
	WRITE_ONCE(snd->cc_chosen, 1);
	if (snd->cc == ops)
		return;
	WRITE_ONCE(snd->cc, ops);
	xtcp_cc_init(sk);
}

/**
 * xtcp_cc_timeout() - an RTO took the window to one segment
 * @sk: the socket
 */
void xtcp_cc_timeout(struct sock *sk)
{
	const struct xtcp_cc_ops *cc = xtcp_sk(sk)->snd.cc;

	if (cc->timeout)
		cc->timeout(sk);
}

/**
 * xtcp_cc_restart() - new data leaves with nothing in flight
 * @sk: the socket
 */
void xtcp_cc_restart(struct sock *sk)
{
	const struct xtcp_cc_ops *cc = xtcp_sk(sk)->snd.cc;

	if (cc->restart)
		cc->restart(sk);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/cc_test.c"
#endif
