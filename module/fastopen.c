// SPDX-License-Identifier: GPL-2.0
/*
 * TCP Fast Open (RFC 7413), the server's side: data in a SYN is taken at
 * once when the SYN carries a cookie we gave its sender before.
 *
 * The cookie is a MAC of the client's and our address (in that order, as
 * they stand in the SYN's IP header) under the namespace's key: SipHash-
 * 2-4, 8 bytes, little-endian, which is Linux's own construction, so a
 * key set alike in both stacks (TCP_FASTOPEN_KEY, the 16- or 32-byte
 * format of Linux) gives the same cookies. A backup key keeps cookies of
 * the previous key valid during a rotation; a SYN that used it gets the
 * primary key's cookie in the SYN-ACK.
 *
 * A listener takes Fast Open SYNs when net.xtcp.fastopen has the server
 * bit (0x2) and TCP_FASTOPEN gave it a qlen (or bit 0x400 lends it the
 * backlog). A SYN with a valid cookie makes the child at once, in
 * SYN_RECV, its data queued and readable after accept(); the SYN-ACK
 * acknowledges the data, and the child's SYN timer resends it. As in
 * Linux the child sends at once, its data behind the SYN-ACK (snd.una
 * stays the ISS until the final ACK: fo_synack, conn.c), and a close
 * sends a FIN. Children whose SYN-ACK is not acknowledged are bounded
 * by qlen (fo_pending): beyond it, and for a
 * cookie that does not check, the handshake is the ordinary one, the
 * data left for the client to send again. A cookie request, or a bad
 * cookie, gets a fresh cookie in the first SYN-ACK.
 *
 * SYN cookies: a SYN with a valid Fast Open cookie is served before the
 * SYN-cookie decision, under a full request queue and with syncookies=2,
 * as long as qlen allows: the cookie proves the client's address (what a
 * SYN cookie proves with a round trip), and qlen bounds the memory. A
 * SYN without one that meets a full queue gets a SYN cookie and no Fast
 * Open cookie, as Linux (which also takes no Fast Open data then).
 *
 * A child keeps a reference to its listener (fo_listener) until its
 * SYN-ACK is acknowledged or the connection ends; conn.c gives it back
 * then, and lowers fo_pending. conn.c also answers a SYN the client
 * sends again with the SYN-ACK, and takes the final ACK, which may
 * acknowledge data sent in SYN_RECV too, as any ACK.
 */
#include <linux/capability.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "wire.h"

/**
 * xtcp_fastopen_net_init() - a random key for a new namespace
 * @net: the namespace
 */
void xtcp_fastopen_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);

	spin_lock_init(&xn->fo_lock);
	get_random_bytes(&xn->fo_key[0], sizeof(xn->fo_key[0]));
	xn->fo_nkeys = 1;
}

/* Linux's layout of a key: two little-endian 64-bit words. */
static void xtcp_fastopen_key_in(siphash_key_t *key, const u8 *buf)
{
	key->key[0] = get_unaligned_le64(buf);
	key->key[1] = get_unaligned_le64(buf + 8);
}

/**
 * xtcp_fastopen_set_key() - set the namespace's keys (TCP_FASTOPEN_KEY)
 * @net: the namespace
 * @buf: the primary key, then optionally the backup key
 * @len: 16 (primary only, the backup dropped) or 32
 *
 * Return: 0 or -EINVAL.
 */
int xtcp_fastopen_set_key(struct net *net, const u8 *buf, unsigned int len)
{
	struct xtcp_net *xn = xtcp_net(net);
	siphash_key_t keys[2] = {};
	u8 n = len / XTCP_FASTOPEN_KEY_LEN;

	if (len != XTCP_FASTOPEN_KEY_LEN && len != 2 * XTCP_FASTOPEN_KEY_LEN)
		return -EINVAL;
	xtcp_fastopen_key_in(&keys[0], buf);
	if (n == 2)
		xtcp_fastopen_key_in(&keys[1], buf + XTCP_FASTOPEN_KEY_LEN);
	spin_lock_bh(&xn->fo_lock);
	memcpy(xn->fo_key, keys, sizeof(keys));
	xn->fo_nkeys = n;
	spin_unlock_bh(&xn->fo_lock);
	memzero_explicit(keys, sizeof(keys));
	return 0;
}

/**
 * xtcp_fastopen_get_key() - the namespace's keys, in Linux's layout
 * @net: the namespace
 * @buf: room for two keys
 *
 * Return: the bytes written, 16 or 32.
 */
int xtcp_fastopen_get_key(struct net *net, u8 *buf)
{
	struct xtcp_net *xn = xtcp_net(net);
	int i, n;

	spin_lock_bh(&xn->fo_lock);
	n = xn->fo_nkeys;
	for (i = 0; i < n; i++) {
		put_unaligned_le64(xn->fo_key[i].key[0], buf + 16 * i);
		put_unaligned_le64(xn->fo_key[i].key[1], buf + 16 * i + 8);
	}
	spin_unlock_bh(&xn->fo_lock);
	return n * XTCP_FASTOPEN_KEY_LEN;
}

/* The cookie for a SYN from @saddr to @daddr under @key. */
static void xtcp_fastopen_mac(const siphash_key_t *key, __be32 saddr,
			      __be32 daddr, u8 *cookie)
{
	__be32 addrs[2] = { saddr, daddr };

	put_unaligned_le64(siphash(addrs, sizeof(addrs), key), cookie);
}

/* A copy of the keys: the MACs run outside the lock. */
static int xtcp_fastopen_keys(struct net *net, siphash_key_t *keys)
{
	struct xtcp_net *xn = xtcp_net(net);
	int n;

	spin_lock_bh(&xn->fo_lock);
	n = xn->fo_nkeys;
	memcpy(keys, xn->fo_key, sizeof(xn->fo_key));
	spin_unlock_bh(&xn->fo_lock);
	return n;
}

/*
 * Which of @net's keys made @cookie for this pair of addresses: 1 the
 * primary, 2 the backup, 0 none.
 */
static int xtcp_fastopen_check(struct net *net, __be32 saddr, __be32 daddr,
			       const u8 *cookie, unsigned int len)
{
	u8 mac[XTCP_FO_COOKIE_LEN];
	siphash_key_t keys[2];
	int i, n, found = 0;

	if (len != XTCP_FO_COOKIE_LEN)
		return 0;
	n = xtcp_fastopen_keys(net, keys);
	for (i = 0; i < n && !found; i++) {
		xtcp_fastopen_mac(&keys[i], saddr, daddr, mac);
		if (!memcmp(mac, cookie, sizeof(mac)))
			found = i + 1;
	}
	memzero_explicit(keys, sizeof(keys));
	return found;
}

/* The listener's qlen: TCP_FASTOPEN's, or its backlog under bit 0x400. */
static int xtcp_fastopen_qlen(const struct sock *lsk, int mode)
{
	int qlen = READ_ONCE(xtcp_sk(lsk)->lsn.fo_qlen);

	if (!qlen && (mode & XTCP_FASTOPEN_SERVER_ALWAYS))
		qlen = READ_ONCE(lsk->sk_max_ack_backlog);
	return qlen;
}

/* Take one of the listener's qlen places; false if all are taken. */
static bool xtcp_fastopen_reserve(struct sock *lsk, int qlen)
{
	atomic_t *pending = &xtcp_sk(lsk)->lsn.fo_pending;

	if (atomic_inc_return(pending) <= qlen)
		return true;
	atomic_dec(pending);
	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_FASTOPENLISTENOVERFLOW);
	return false;
}

/*
 * The SYN's data, past its sequence number, on the child's receive
 * queue. What cannot be queued is left unacknowledged: the client sends
 * it again. A SYN with a FIN never gets here: listeners drop SYN+FIN
 * (listen.c), as Linux's tcp_rcv_state_process() does before its Fast
 * Open code could take the FIN.
 */
static void xtcp_fastopen_take_data(struct sock *child, struct sk_buff *syn)
{
	struct xtcp_sock *xs = xtcp_sk(child);
	struct sk_buff *skb;

	if (syn->len <= XTCP_SKB_CB(syn)->doff)
		return;
	skb = skb_clone(syn, GFP_ATOMIC);
	if (!skb)
		return;
	XTCP_SKB_CB(skb)->seq++;
	XTCP_SKB_CB(skb)->flags &= ~(XTCP_FLAG_SYN | XTCP_FLAG_FIN);
	if (!xtcp_recv_data(child, skb))
		kfree_skb(skb);
	/* the SYN-ACK acknowledges it */
	xs->rcv.ack_now = 0;
	xs->rcv.delack_due = 0;
}

/* Our cookie for the sender of @syn, with the primary key. */
static void xtcp_fastopen_fill(struct net *net, const struct sk_buff *syn,
			       u8 *cookie)
{
	const struct iphdr *iph = ip_hdr(syn);
	siphash_key_t keys[2];

	xtcp_fastopen_keys(net, keys);
	xtcp_fastopen_mac(&keys[0], iph->saddr, iph->daddr, cookie);
	memzero_explicit(keys, sizeof(keys));
}

/* A Fast Open child's SYN-ACK, acknowledging the SYN's data. */
static void xtcp_fastopen_send_synack(struct sock *child,
				      const struct sk_buff *syn, bool cookie)
{
	struct xtcp_sock *xs = xtcp_sk(child);
	struct xtcp_seg s = {
		.seq = xs->snd.iss,
		.ack = xs->rcv.nxt,
		.flags = XTCP_FLAG_SYN | XTCP_FLAG_ACK,
		/* RFC 7323 2.2: never scaled */
		.window = xtcp_recv_initial_window(child),
		.mss = xs->rcv.advmss,
		.sack_ok = xs->opt.sack_ok,
		.has_wscale = xs->opt.wscale_ok,
		.wscale = xs->opt.rcv_wscale,
		.has_ts = xs->opt.tstamp_ok,
		.tsecr = xs->rcv.ts_recent,
	};

	if (s.has_ts)
		s.tsval = xtcp_secure_ts_now() + xs->snd.ts_off;
	if (cookie) {
		xtcp_fastopen_fill(sock_net(child), syn, s.fo_cookie);
		s.fo_len = XTCP_FO_COOKIE_LEN;
	}
	xtcp_output_sk(child, &s);
}

/*
 * Make the child of a Fast Open SYN, in SYN_RECV with its data, hashed,
 * its SYN-ACK sent and on the accept queue. @cookie: the SYN-ACK gives
 * a fresh cookie (the SYN's was the backup key's). The caller reserved
 * a qlen place, which the child now holds (or which is given back).
 */
static bool xtcp_fastopen_child(struct sock *lsk, struct sk_buff *syn,
				bool cookie)
{
	const struct tcphdr *th = (const struct tcphdr *)syn->data;
	const struct iphdr *iph = ip_hdr(syn);
	struct xtcp_request tmp = {};
	struct xtcp_sock *xs;
	struct sock *child;

	xtcp_req_from_syn(&tmp, lsk, syn);
	tmp.snt_isn = xtcp_secure_isn(iph->daddr, iph->saddr, th->dest,
				      th->source);
	child = xtcp_req_make_child(&tmp, syn);
	if (!child) {
		atomic_dec(&xtcp_sk(lsk)->lsn.fo_pending);
		return false;
	}
	xs = xtcp_sk(child);
	/* nobody sees the child yet: no lock needed until it is hashed */
	xs->snd.wnd = XTCP_SKB_CB(syn)->window;	/* a SYN's: not scaled */
	xs->snd.max_wnd = xs->snd.wnd;
	xs->snd.una = xs->snd.iss;		/* our SYN-ACK is in flight */
	xs->fo_synack = 1;
	xtcp_conn_set_state(child, TCP_SYN_RECV);
	sock_hold(lsk);
	xs->fo_listener = lsk;
	xtcp_fastopen_take_data(child, syn);

	if (xtcp_table_ehash_insert(&xs->eh)) {
		/* the same SYN made a child on another CPU */
		sock_put(child);	/* the ehash's, never used */
		xtcp_conn_abort_child(child);
		return false;
	}
	bh_lock_sock(child);
	xtcp_fastopen_send_synack(child, syn, cookie);
	xtcp_timer_syn_sent(child);
	bh_unlock_sock(child);
	if (!xtcp_accept_child_add(lsk, child, NULL)) {
		xtcp_conn_abort_child(child);
		return true;		/* the listener closed: SYN used */
	}
	XTCP_INC_STATS(sock_net(lsk), XTCP_MIB_PASSIVEOPENS);
	lsk->sk_data_ready(lsk);
	return true;
}

/**
 * xtcp_fastopen_syn() - Fast Open for a SYN on a listener
 * @lsk: the listener (reference held by the caller)
 * @skb: the SYN; not consumed
 * @cookie: XTCP_FO_COOKIE_LEN bytes, filled for XTCP_FO_COOKIE
 *
 * Return: XTCP_FO_CHILD if a Fast Open child took the SYN; else the
 * ordinary handshake follows, its SYN-ACK giving @cookie if
 * XTCP_FO_COOKIE.
 */
enum xtcp_fastopen_verdict xtcp_fastopen_syn(struct sock *lsk,
					     struct sk_buff *skb, u8 *cookie)
{
	const struct xtcp_options *o = &XTCP_SKB_CB(skb)->opts;
	const struct iphdr *iph = ip_hdr(skb);
	struct net *net = sock_net(lsk);
	int mode = XTCP_SYSCTL(net, fastopen);
	bool data = skb->len > XTCP_SKB_CB(skb)->doff;
	int qlen, key = 1;

	if (o->has_fo && !o->fo_len)
		XTCP_INC_STATS(net, XTCP_MIB_FASTOPENCOOKIEREQD);
	if (!(mode & XTCP_FASTOPEN_SERVER) || !(data || o->has_fo))
		return XTCP_FO_NONE;
	qlen = xtcp_fastopen_qlen(lsk, mode);
	if (!qlen)
		return XTCP_FO_NONE;
	if (atomic_read(&xtcp_sk(lsk)->lsn.fo_pending) >= qlen) {
		XTCP_INC_STATS(net, XTCP_MIB_FASTOPENLISTENOVERFLOW);
		return XTCP_FO_NONE;
	}
	if (!(mode & XTCP_FASTOPEN_SERVER_NO_COOKIE)) {
		if (!o->has_fo)
			return XTCP_FO_NONE;
		if (o->fo_len)
			key = xtcp_fastopen_check(net, iph->saddr, iph->daddr,
						  skb->data + XTCP_HDR_LEN +
						  o->fo_off, o->fo_len);
		if (!o->fo_len || !key) {
			if (o->fo_len)
				XTCP_INC_STATS(net,
					       XTCP_MIB_FASTOPENPASSIVEFAIL);
			xtcp_fastopen_fill(net, skb, cookie);
			return XTCP_FO_COOKIE;
		}
	}
	if (!xtcp_fastopen_reserve(lsk, qlen))
		return XTCP_FO_NONE;
	if (!xtcp_fastopen_child(lsk, skb, key == 2)) {
		XTCP_INC_STATS(net, XTCP_MIB_FASTOPENPASSIVEFAIL);
		xtcp_fastopen_fill(net, skb, cookie);
		return XTCP_FO_COOKIE;
	}
	if (key == 2)
		XTCP_INC_STATS(net, XTCP_MIB_FASTOPENPASSIVEALTKEY);
	XTCP_INC_STATS(net, XTCP_MIB_FASTOPENPASSIVE);
	return XTCP_FO_CHILD;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/fastopen_test.c"
#endif
