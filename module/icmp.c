// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP errors about our segments: the err_handler of xtcp's IP protocol.
 *
 * The IP layer hands us an ICMP error whose quoted datagram carries our
 * protocol number, skb->data at the quoted IP header. Nothing in it is
 * believed before the checks: the quote holds the IP header and the
 * first 8 bytes of ours (ports and sequence number, all RFC 792 promises);
 * it names a connection of this namespace in the ehash (listeners and
 * TIME_WAIT entries get no ICMP action); and, as RFC 5927 asks, the
 * sequence number it quotes is one in flight: snd.una..snd.nxt of a
 * socket, our ISN for a request sock. A blind attacker must guess the
 * 4-tuple and a sequence number in flight, as for a RST.
 *
 * What each error does (RFC 1122 4.2.3.9, and what Linux's TCP does):
 * - in a handshake we started (SYN_SENT, or SYN_RECV of a simultaneous
 *   open) an unreachable, time exceeded or parameter problem ends the
 *   attempt at once with its errno, as a RST would;
 * - on a synchronized connection it is soft: kept in sk_err_soft, and
 *   reported only if the connection later gives up (conn.c);
 * - on a request sock, net or host unreachable, time exceeded and
 *   parameter problem drop it (no process to tell; the client's SYN
 *   was likely spoofed or its path is gone), as Linux does;
 * - fragmentation needed lowers the route's path MTU and the connection's
 *   MSS, and what was too big is sent again at once (RFC 1191);
 * - source quench (RFC 6633), redirects and the rest are ignored.
 *
 * Locking: the handler runs in softirq. A socket a process holds gets
 * its hard error or MSS change later, from release_sock() through the
 * proto's release_cb, so that connect() fails at once even when the ICMP
 * came back while connect() itself still held the socket (one softirq run
 * on a veth path does that). Calls go from here to conn.c, send.c,
 * request.c, accept.c and table.c, never back.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <net/dst.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

/* What an ICMP error asks of a connection. */
enum xtcp_icmp_action {
	XTCP_ICMP_IGNORE,
	XTCP_ICMP_ERROR,		/* an errno: hard or soft by state */
	XTCP_ICMP_MTU,			/* fragmentation needed */
};

/*
 * The errno of each Destination Unreachable code, Linux's for TCP with one
 * exception: protocol unreachable means the host has no xtcp, which for a
 * program is what a port with no listener is, so ECONNREFUSED (TCP's
 * ENOPROTOOPT reads as a setsockopt error, and for TCP it never happens).
 */
static const u8 xtcp_icmp_unreach_errno[NR_ICMP_UNREACH + 1] = {
	[ICMP_NET_UNREACH]	= ENETUNREACH,
	[ICMP_HOST_UNREACH]	= EHOSTUNREACH,
	[ICMP_PROT_UNREACH]	= ECONNREFUSED,
	[ICMP_PORT_UNREACH]	= ECONNREFUSED,
	[ICMP_FRAG_NEEDED]	= EMSGSIZE,	/* not an error: path MTU */
	[ICMP_SR_FAILED]	= EOPNOTSUPP,
	[ICMP_NET_UNKNOWN]	= ENETUNREACH,
	[ICMP_HOST_UNKNOWN]	= EHOSTDOWN,
	[ICMP_HOST_ISOLATED]	= ENONET,
	[ICMP_NET_ANO]		= ENETUNREACH,
	[ICMP_HOST_ANO]		= EHOSTUNREACH,
	[ICMP_NET_UNR_TOS]	= ENETUNREACH,
	[ICMP_HOST_UNR_TOS]	= EHOSTUNREACH,
	[ICMP_PKT_FILTERED]	= EHOSTUNREACH,
	[ICMP_PREC_VIOLATION]	= EHOSTUNREACH,
	[ICMP_PREC_CUTOFF]	= EHOSTUNREACH,
};

/* What ICMP @type/@code asks, and in @err the errno it carries. */
static enum xtcp_icmp_action xtcp_icmp_classify(u8 type, u8 code, int *err)
{
	*err = 0;
	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			return XTCP_ICMP_IGNORE;
		if (code == ICMP_FRAG_NEEDED)
			return XTCP_ICMP_MTU;
		*err = xtcp_icmp_unreach_errno[code];
		return XTCP_ICMP_ERROR;
	case ICMP_TIME_EXCEEDED:
		*err = EHOSTUNREACH;
		return XTCP_ICMP_ERROR;
	case ICMP_PARAMETERPROB:
		*err = EPROTO;
		return XTCP_ICMP_ERROR;
	default:
		return XTCP_ICMP_IGNORE;
	}
}

/*
 * Does the error end a handshake we started? Only there: a passive
 * SYN_RECV socket and synchronized ones keep trying (RFC 1122 4.2.3.9).
 */
static bool xtcp_icmp_is_hard(int state, bool passive)
{
	return state == TCP_SYN_SENT || (state == TCP_SYN_RECV && !passive);
}

/* RFC 5927 4.1: does the quoted @seq lie in what we have in flight? */
static bool xtcp_icmp_seq_ok(u32 seq, u32 una, u32 nxt)
{
	return xtcp_seq_between(seq, una, nxt);
}

/* Does the error drop a request sock (Linux's choice, tcp_req_err)? */
static bool xtcp_icmp_req_fatal(u8 type, u8 code)
{
	return type == ICMP_PARAMETERPROB || type == ICMP_TIME_EXCEEDED ||
	       (type == ICMP_DEST_UNREACH &&
		(code == ICMP_NET_UNREACH || code == ICMP_HOST_UNREACH));
}

/*
 * The quoted IP header, once the quote is known to hold it and 8 bytes
 * of ours and to be ours; or NULL. May move skb->data's contents.
 */
static const struct iphdr *xtcp_icmp_quote(struct sk_buff *skb)
{
	const struct iphdr *iph;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return NULL;
	iph = (const struct iphdr *)skb->data;
	if (iph->ihl < 5 || iph->protocol != xtcp_ipproto)
		return NULL;
	if (!pskb_may_pull(skb, iph->ihl * 4 + 8))
		return NULL;
	return (const struct iphdr *)skb->data;
}

/*
 * Our MSS from the route's PMTU, with the socket to ourselves. The route
 * has the last word: it refuses a PMTU below min_pmtu (and then lets the
 * segments fragment), as Linux's TCP takes it.
 */
static void xtcp_icmp_mtu_reduced(struct sock *sk)
{
	struct dst_entry *dst;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	/* IP_PMTUDISC_DONT: the route learns, our segments may fragment */
	if (inet_sk(sk)->pmtudisc == IP_PMTUDISC_DONT)
		return;
	/* a route with the new PMTU, if the update replaced the old one */
	if (inet_sk_rebuild_header(sk))
		return;
	dst = __sk_dst_get(sk);
	if (!dst)
		return;
	if (xtcp_send_mtu_reduced(sk, dst_mtu(dst)))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PMTUREDUCED);
}

/* Fragmentation needed (RFC 1191): first the route, then the socket. */
static void xtcp_icmp_frag_needed(struct sock *sk, struct sk_buff *skb,
				  u32 mtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* takes the socket spinlock itself, and leaves an owned socket be */
	ipv4_sk_update_pmtu(skb, sk, mtu);
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_icmp_mtu_reduced(sk);
	} else {
		xs->icmp_deferred |= XTCP_ICMP_DEFER_MTU;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ICMPDEFERRED);
	}
	bh_unlock_sock(sk);
}

/* An unreachable (or the like) for a full socket, bh-locked. */
static void xtcp_icmp_error(struct sock *sk, int err)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct net *net = sock_net(sk);

	if (!xtcp_icmp_is_hard(sk->sk_state, xs->passive)) {
		WRITE_ONCE(sk->sk_err_soft, err);
		XTCP_INC_STATS(net, XTCP_MIB_ICMPSOFTERRORS);
		return;
	}
	XTCP_INC_STATS(net, XTCP_MIB_CONNECTUNREACH);
	if (!sock_owned_by_user(sk)) {
		xtcp_conn_unreachable(sk, err);
		return;
	}
	/* also kept soft: should the handshake end otherwise, a timeout */
	WRITE_ONCE(sk->sk_err_soft, err);
	xs->icmp_err = err;
	xs->icmp_deferred |= XTCP_ICMP_DEFER_ERR;
	XTCP_INC_STATS(net, XTCP_MIB_ICMPDEFERRED);
}

/* An ICMP error for a full socket; @skb at the quoted IP header. */
static void xtcp_icmp_sock(struct sock *sk, struct sk_buff *skb, u32 seq,
			   enum xtcp_icmp_action action, int err, u32 info,
			   u8 code)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool mtu = false;

	bh_lock_sock(sk);
	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		goto out;
	if (!xtcp_icmp_seq_ok(seq, xs->snd.una, xs->snd.nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTOFWINDOWICMPS);
		goto out;
	}
	if (action == XTCP_ICMP_MTU) {
		mtu = true;
		goto out;
	}
	/*
	 * RFC 6069: net and host unreachable for a retransmission undo its
	 * backoff, as in Linux (not with a process holding the socket).
	 */
	if ((code == ICMP_NET_UNREACH || code == ICMP_HOST_UNREACH) &&
	    icmp_hdr(skb)->type == ICMP_DEST_UNREACH && !sock_owned_by_user(sk))
		xtcp_conn_rto_revert(sk, seq);
	xtcp_icmp_error(sk, err);
out:
	bh_unlock_sock(sk);
	if (mtu)
		xtcp_icmp_frag_needed(sk, skb, info);
}

/* An ICMP error for a request sock: it may drop it, nothing else. */
static void xtcp_icmp_req(struct xtcp_request *req, u32 seq, u8 type,
			  u8 code)
{
	struct net *net = read_pnet(&req->eh.net);

	if (seq != req->snt_isn) {
		XTCP_INC_STATS(net, XTCP_MIB_OUTOFWINDOWICMPS);
		return;
	}
	if (!xtcp_icmp_req_fatal(type, code))
		return;
	XTCP_INC_STATS(net, XTCP_MIB_REQICMPDROPS);
	xtcp_accept_count_drop(req->listener, false);
	xtcp_req_drop(req);
}

/**
 * xtcp_icmp_err() - the IP protocol's ICMP error handler
 * @skb: the ICMP message, skb->data at the quoted IP header
 * @info: the next-hop MTU for fragmentation needed, else 0
 *
 * Return: 0 (the IP layer ignores the value).
 */
int xtcp_icmp_err(struct sk_buff *skb, u32 info)
{
	struct net *net = dev_net(skb->dev);
	u8 type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	enum xtcp_icmp_action action;
	struct xtcp_ehash_node *eh;
	const struct iphdr *iph;
	const struct tcphdr *th;
	int err;
	u32 seq;

	XTCP_INC_STATS(net, XTCP_MIB_INICMPS);
	iph = xtcp_icmp_quote(skb);
	if (!iph) {
		XTCP_INC_STATS(net, XTCP_MIB_INICMPERRS);
		return 0;
	}
	action = xtcp_icmp_classify(type, code, &err);
	if (action == XTCP_ICMP_IGNORE)
		return 0;
	/* the quote is of a segment we sent: we are its source */
	th = (const struct tcphdr *)((const u8 *)iph + iph->ihl * 4);
	seq = ntohl(th->seq);
	/* the device the error came in on, as tcp_v4_err() looks it up */
	eh = xtcp_table_ehash_lookup(net, iph->saddr, th->source, iph->daddr,
				     th->dest, inet_iif(skb), inet_sdif(skb));
	if (!eh || eh->kind == XTCP_EH_TW) {
		XTCP_INC_STATS(net, XTCP_MIB_ICMPNOSOCKET);
		if (eh)
			xtcp_tw_put(xtcp_eh_tw(eh));
		return 0;
	}
	if (eh->kind == XTCP_EH_REQ) {
		xtcp_icmp_req(xtcp_eh_req(eh), seq, type, code);
		xtcp_req_put(xtcp_eh_req(eh));
		return 0;
	}
	xtcp_icmp_sock(xtcp_eh_sk(eh), skb, seq, action, err, info, code);
	sock_put(xtcp_eh_sk(eh));
	return 0;
}

/**
 * xtcp_icmp_release_cb() - act on ICMP errors that came while a process
 *	held the socket (the proto's release_cb)
 * @sk: the socket, still owned, its spinlock held by release_sock()
 */
void xtcp_icmp_release_cb(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 todo = xs->icmp_deferred;

	if (likely(!todo))
		return;
	xs->icmp_deferred = 0;
	/* the state may have moved on meanwhile: conn.c checks it */
	if (todo & XTCP_ICMP_DEFER_ERR)
		xtcp_conn_unreachable(sk, xs->icmp_err);
	if (todo & XTCP_ICMP_DEFER_MTU)
		xtcp_icmp_mtu_reduced(sk);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/icmp_test.c"
#endif
