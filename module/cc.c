// SPDX-License-Identifier: GPL-2.0
/*
 * Congestion control: how the congestion window grows on ACKs and where
 * it falls to on loss. send.c owns the window (snd.cwnd, snd.ssthresh,
 * in segments) and the loss detection; an algorithm only answers two
 * questions through struct xtcp_cc_ops:
 *
 *   ssthresh()    the new slow-start threshold when loss is detected
 *   cong_avoid()  how cwnd grows when an ACK acknowledges @acked segments
 *                 outside recovery
 *
 * NewReno (RFC 5681, RFC 6582) is the one built in; a socket picks its
 * algorithm with TCP_CONGESTION, by Linux's name ("reno").
 */
#include <linux/string.h>
#include <net/sock.h>

#include "xtcp.h"

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

static const struct xtcp_cc_ops *const xtcp_cc_all[] = {
	&xtcp_cc_reno,
};

/**
 * xtcp_cc_default() - the algorithm new connections get
 *
 * Return: its ops.
 */
const struct xtcp_cc_ops *xtcp_cc_default(void)
{
	return &xtcp_cc_reno;
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

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/cc_test.c"
#endif
