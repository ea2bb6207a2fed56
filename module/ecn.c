// SPDX-License-Identifier: GPL-2.0
/*
 * Explicit Congestion Notification (RFC 3168), as Linux TCP does it: the
 * rules of negotiation and of the three flags, kept here as small
 * decisions that send.c, recv.c, conn.c, request.c and listen.c ask.
 *
 * Negotiation, under the ecn sysctl (Linux's tcp_ecn: 0 off, 1 request
 * and accept, 2 accept only, the default):
 *   - with ecn = 1 our SYN carries ECE|CWR and is not ECT. A SYN sent
 *     again goes without them when ecn_fallback is on (a middlebox may
 *     drop ECN-setup SYNs); an answer with ECE still turns ECN on, as
 *     only the SYN-ACK decides.
 *   - a listener (ecn 1 or 2) grants ECN to a SYN with ECE and CWR that
 *     is not itself ECT (RFC 3168 6.1.1: a SYN must not be, so an ECT
 *     one has met something rewriting the ECN field), with ECE alone on
 *     its SYN-ACK.
 *   - the SYN-ACK must have ECE without CWR; anything else (a peer or
 *     middlebox that reflects the flags) leaves ECN off.
 *   - SYN cookies keep the grant in the low bit of the SYN-ACK's TSval,
 *     which the final ACK echoes; without timestamps there is no room,
 *     and ECN is not granted, as Linux does.
 *
 * Once negotiated:
 *   - new data leaves ECT(0); pure ACKs, window probes, retransmissions,
 *     SYNs and RSTs do not (RFC 3168 6.1.4, 6.1.5);
 *   - a data segment that arrives CE makes every ACK carry ECE until a
 *     segment with CWR comes (XTCP_ECN_DEMAND_CWR); the first CE, and a
 *     segment with CWR, are ACKed at once;
 *   - ECE on an ACK cuts the window once per window of data (send.c's
 *     CWR state, through the congestion control's ssthresh), and the
 *     next new data segment carries CWR; so does the first after a fast
 *     retransmit or an RTO, which cut the window already.
 */
#include <net/inet_ecn.h>
#include <net/sock.h>

#include "xtcp.h"
#include "wire.h"

/**
 * xtcp_ecn_syn_flags() - ECN flags of our SYN
 * @sk: the socket, in SYN_SENT; xtcp_ecn_connect() ran
 * @again: a retransmission
 *
 * Return: ECE|CWR, or 0.
 */
u8 xtcp_ecn_syn_flags(const struct sock *sk, bool again)
{
	if (!xtcp_sk(sk)->opt.ecn_ok)
		return 0;
	if (again && XTCP_SYSCTL(sock_net(sk), ecn_fallback))
		return 0;
	return XTCP_FLAG_ECE | XTCP_FLAG_CWR;
}

/**
 * xtcp_ecn_connect() - does a new connection ask for ECN?
 * @sk: the socket about to send its first SYN
 */
void xtcp_ecn_connect(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	xs->opt.ecn_ok = XTCP_SYSCTL(sock_net(sk), ecn) == 1;
	xs->ecn_flags = 0;
}

/**
 * xtcp_ecn_syn_ok() - is a SYN an ECN-setup SYN we can grant?
 * @net: the listener's namespace
 * @cb: the SYN
 *
 * Return: true if the SYN-ACK says yes.
 */
bool xtcp_ecn_syn_ok(const struct net *net, const struct xtcp_skb_cb *cb)
{
	if ((cb->ecn & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) !=
	    (XTCP_FLAG_ECE | XTCP_FLAG_CWR))
		return false;
	if (!XTCP_SYSCTL(net, ecn))
		return false;
	return (cb->ecn & INET_ECN_MASK) == INET_ECN_NOT_ECT;
}

/**
 * xtcp_ecn_rcv_synack() - the SYN-ACK (or a crossing SYN) answers ours
 * @sk: the socket, in SYN_SENT
 * @cb: the segment
 *
 * A SYN-ACK must have ECE alone; a SYN of a simultaneous open, ECE and
 * CWR as ours had. Anything else leaves ECN off.
 */
void xtcp_ecn_rcv_synack(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 want = XTCP_FLAG_ECE;

	if (!(cb->flags & XTCP_FLAG_ACK))
		want |= XTCP_FLAG_CWR;
	if ((cb->ecn & (XTCP_FLAG_ECE | XTCP_FLAG_CWR)) != want)
		xs->opt.ecn_ok = 0;
}

/**
 * xtcp_ecn_established() - count a connection that negotiated ECN
 * @sk: the socket, synchronized now
 */
void xtcp_ecn_established(struct sock *sk)
{
	if (xtcp_sk(sk)->opt.ecn_ok)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNNEGOTIATED);
}

/* Cookies: the grant in the TSval's lowest bit. */
#define XTCP_ECN_COOKIE_BIT	1U

/**
 * xtcp_ecn_cookie_tsval() - the TSval of a cookie SYN-ACK
 * @tsval: the clock's TSval now
 * @ecn_ok: ECN granted
 *
 * Return: @tsval with the grant in its low bit, never ahead of @tsval:
 * later segments carry the clock, and a peer must not see it go back.
 */
u32 xtcp_ecn_cookie_tsval(u32 tsval, bool ecn_ok)
{
	u32 ts = (tsval & ~XTCP_ECN_COOKIE_BIT) |
		 (ecn_ok ? XTCP_ECN_COOKIE_BIT : 0);

	if ((s32)(ts - tsval) > 0)
		ts -= 2 * XTCP_ECN_COOKIE_BIT;
	return ts;
}

/**
 * xtcp_ecn_cookie_ok() - did a cookie grant ECN?
 * @net: the listener's namespace
 * @opts: the final ACK's options
 *
 * The echo is the peer's word, not authenticated; a lie only turns on
 * ECN for a connection whose SYN asked for it or not, as in Linux.
 *
 * Return: true if the echoed TSval says so and ECN is not switched off.
 */
bool xtcp_ecn_cookie_ok(const struct net *net, const struct xtcp_options *opts)
{
	return opts->has_ts && (opts->tsecr & XTCP_ECN_COOKIE_BIT) &&
	       XTCP_SYSCTL(net, ecn);
}

/**
 * xtcp_ecn_rcv_cwr() - a segment's CWR: the peer cut its window
 * @sk: the socket
 * @cb: an acceptable segment with an acceptable ACK
 *
 * Accepted on pure ACKs too, as Linux does (some stacks send it there).
 */
void xtcp_ecn_rcv_cwr(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->opt.ecn_ok || !(cb->ecn & XTCP_FLAG_CWR))
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCWRRECEIVED);
	xs->ecn_flags &= ~XTCP_ECN_DEMAND_CWR;
	/* its window may be down to a segment: do not delay our ACK */
	if (cb->end_seq != cb->seq)
		xs->rcv.ack_now = 1;
}

/**
 * xtcp_ecn_rcv_data() - the ECN field of a data segment taken
 * @sk: the socket
 * @ecn: the segment's xtcp_skb_cb.ecn
 *
 * Return: true if ACKs are due at once for a while (a first CE; a
 * segment not ECT after ECT ones, likely a retransmission).
 */
bool xtcp_ecn_rcv_data(struct sock *sk, u8 ecn)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->opt.ecn_ok)
		return false;
	switch (ecn & INET_ECN_MASK) {
	case INET_ECN_NOT_ECT:
		return xs->ecn_flags & XTCP_ECN_SEEN;
	case INET_ECN_CE:
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCERECEIVED);
		xs->ecn_flags |= XTCP_ECN_SEEN;
		if (xs->ecn_flags & XTCP_ECN_DEMAND_CWR)
			return false;
		xs->ecn_flags |= XTCP_ECN_DEMAND_CWR;
		return true;
	default:
		xs->ecn_flags |= XTCP_ECN_SEEN;
		return false;
	}
}

/**
 * xtcp_ecn_ack_flags() - ECN flags of any segment but a SYN or RST
 * @xs: the socket
 *
 * Return: ECE while a CE is not yet answered by CWR, else 0.
 */
u8 xtcp_ecn_ack_flags(const struct xtcp_sock *xs)
{
	return xs->ecn_flags & XTCP_ECN_DEMAND_CWR ? XTCP_FLAG_ECE : 0;
}

/**
 * xtcp_ecn_data_out() - ECN of a data segment on its way out
 * @sk: the socket
 * @s: the segment
 * @fresh: new data, sent for the first time
 */
void xtcp_ecn_data_out(struct sock *sk, struct xtcp_seg *s, bool fresh)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->opt.ecn_ok || !fresh)
		return;
	s->ect = 1;
	if (xs->ecn_flags & XTCP_ECN_QUEUE_CWR) {
		xs->ecn_flags &= ~XTCP_ECN_QUEUE_CWR;
		s->flags |= XTCP_FLAG_CWR;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCWRSENT);
	}
}

/**
 * xtcp_ecn_queue_cwr() - the window was cut: CWR on the next new data
 * @sk: the socket
 */
void xtcp_ecn_queue_cwr(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->opt.ecn_ok)
		xs->ecn_flags |= XTCP_ECN_QUEUE_CWR;
}

/**
 * xtcp_ecn_echoed() - does an ACK carry a congestion echo?
 * @sk: the socket
 * @cb: the ACK, acceptable
 *
 * Return: true if ECN is on and the ACK has ECE.
 */
bool xtcp_ecn_echoed(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	if (!xtcp_sk(sk)->opt.ecn_ok || !(cb->ecn & XTCP_FLAG_ECE) ||
	    (cb->flags & XTCP_FLAG_SYN))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNECERECEIVED);
	return true;
}

/**
 * xtcp_ecn_set_ect() - the IP ECN field of what @sk sends next
 * @sk: the socket
 * @ect: ECT(0), or not ECT
 *
 * ip_queue_xmit() takes the field from the socket's TOS, which IP_TOS
 * cannot change on a stream socket (it keeps the ECN bits), as Linux's
 * INET_ECN_xmit() does. Without ECN the field is kept clear, whatever
 * an earlier connection of the socket left there.
 */
void xtcp_ecn_set_ect(struct sock *sk, bool ect)
{
	struct inet_sock *inet = inet_sk(sk);
	u8 tos = READ_ONCE(inet->tos);
	u8 want = (tos & ~INET_ECN_MASK) | (ect ? INET_ECN_ECT_0 : 0);

	if (tos != want)
		WRITE_ONCE(inet->tos, want);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/ecn_test.c"
#endif
