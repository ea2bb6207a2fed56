// SPDX-License-Identifier: GPL-2.0
/*
 * The receive side of a byte stream: the in-order receive queue
 * (sk_receive_queue), the out-of-order queue (an rbtree by sequence),
 * the window we advertise, the SACK blocks we send, when an ACK is owed,
 * and recvmsg().
 *
 * Data arrives with the socket to ourselves (conn.c calls in, bh-locked
 * or from the backlog); recvmsg() holds lock_sock. Every queued byte is
 * charged to the socket (skb_set_owner_r: sk_rmem_alloc, sk_forward_alloc
 * against the module-wide limit), so a peer cannot make us hold more than
 * SO_RCVBUF: data that does not fit is dropped, out-of-order data first,
 * and counted. Nothing here sends: callers ask xtcp_recv_ack_due() and
 * send the ACK themselves (send.c builds every segment).
 *
 * Data above rcv.nxt is kept (RFC 2525 "failure to retain above-sequence
 * data"); overlaps and duplicates are trimmed, so the tree never holds a
 * byte twice and its size is bounded by the receive buffer, however small
 * the segments (CVE-2018-5390).
 */
#include <linux/math64.h>
#include <linux/rbtree.h>
#include <linux/skbuff.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

/* Quick ACKs at the start of a connection, before delaying any. */
#define XTCP_RECV_QUICK_ACKS	16

/* The clock auto-tuning measures reads against. */
static u64 xtcp_recv_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

/**
 * xtcp_recv_init() - the receive side of a socket that just synchronized
 * @sk: the socket, its rcv.nxt set from the peer's SYN
 */
void xtcp_recv_init(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	r->copied = r->nxt;
	r->wup = r->nxt;
	r->quick = XTCP_RECV_QUICK_ACKS;
	/* what an initial window of 10 segments (RFC 6928) would bring */
	r->space = min_t(u32, r->wnd ? : XTCP_RCV_WND_INIT, 10U * r->advmss);
	r->space_seq = r->copied;
	r->space_us = xtcp_recv_clock_us();
	/*
	 * The largest segment to expect: our MSS less the timestamp option
	 * every segment carries once negotiated, or no segment would count
	 * as full and "ACK every second full segment" would never fire.
	 */
	r->mss = r->advmss - (xtcp_sk(sk)->opt.tstamp_ok ? 12 : 0);
}

/**
 * xtcp_recv_initial_window() - the window of our SYN or SYN-ACK
 * @sk: the socket, or the listener of a request
 *
 * Never scaled (RFC 7323 2.2), and no more than half the receive buffer,
 * as the rest of the connection's windows: a peer that fills it must
 * find room, or what it sent would be dropped after we offered it.
 *
 * Return: the window, at most 65535.
 */
u32 xtcp_recv_initial_window(const struct sock *sk)
{
	return min_t(u32, XTCP_RCV_WND_INIT, READ_ONCE(sk->sk_rcvbuf) / 2);
}

/**
 * xtcp_recv_wscale_calc() - the window scale to offer, by Linux's rule
 * @space: payload the receive buffer holds now (half of sk_rcvbuf)
 * @rmem_max: the namespace's rmem[2], what auto-tuning may grow it to
 * @core_max: net.core.rmem_max, what SO_RCVBUF may ask for
 * @clamp: the largest window we will ever offer, 0 for no limit
 *
 * The buffer may grow after the handshake, and the scale cannot change
 * then: size it for the largest buffer the socket could get, unless a
 * clamp says its windows stay smaller. The smallest shift whose 16-bit
 * field reaches that size, which is what tcp_select_initial_window()
 * offers for the same settings, so a peer sees the same SYN from either
 * stack (8 MiB to 16 MiB gives 8; the default 6 MiB gives 7).
 *
 * Return: the shift, 0 to 14 (RFC 7323 2.3).
 */
u8 xtcp_recv_wscale_calc(u32 space, u32 rmem_max, u32 core_max, u32 clamp)
{
	u32 size = max3(space, rmem_max, core_max);

	if (!clamp)
		clamp = 65535U << XTCP_MAX_WSCALE;
	size = min(size, clamp);
	if (size < 1U << 16)
		return 0;
	return min_t(u32, ilog2(size) - 15, XTCP_MAX_WSCALE);
}

/**
 * xtcp_recv_wscale() - the window scale @sk offers in its SYN or SYN-ACK
 * @sk: the socket, or the listener of a request
 *
 * A buffer fixed by SO_RCVBUF never grows: its windows are clamped to
 * what it holds, and the scale follows, as Linux's.
 *
 * Return: the shift, 0 to 14.
 */
u8 xtcp_recv_wscale(const struct sock *sk)
{
	u32 space = READ_ONCE(sk->sk_rcvbuf) / 2;
	u32 clamp = READ_ONCE(xtcp_sk(sk)->rcv.window_clamp);

	if ((sk->sk_userlocks & SOCK_RCVBUF_LOCK) &&
	    (!clamp || clamp > space))
		clamp = space;
	return xtcp_recv_wscale_calc(space,
				     XTCP_SYSCTL(sock_net(sk), rmem[2]),
				     READ_ONCE(sysctl_rmem_max), clamp);
}

/* Bytes the receive buffer can still take, with room for skb overhead. */
static u32 xtcp_recv_space(const struct sock *sk)
{
	int space = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);

	/* half for the payload, half for what skbs cost around it */
	return space > 0 ? space / 2 : 0;
}

/**
 * xtcp_recv_wnd_left() - how much of the last advertised window is left
 * @xs: the socket
 *
 * Return: bytes from rcv.nxt to the right edge we advertised.
 */
u32 xtcp_recv_wnd_left(const struct xtcp_sock *xs)
{
	u32 edge = xs->rcv.wup + xs->rcv.wnd;

	return xtcp_seq_after(edge, xs->rcv.nxt) ? edge - xs->rcv.nxt : 0;
}

/**
 * xtcp_recv_window() - the window field of a segment we send now
 * @sk: the socket
 *
 * The right edge never moves left (RFC 9293 3.8.6.2.2); it moves right
 * only by at least min(MSS, half the buffer), receiver-side silly window
 * avoidance (RFC 1122 4.2.3.3). Records what it advertised.
 *
 * Return: the window, shifted by our scale, at most 65535.
 */
u16 xtcp_recv_window(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 ws = xs->opt.rcv_wscale;
	u32 cur = xtcp_recv_wnd_left(xs);
	u32 free = min_t(u32, xtcp_recv_space(sk), 65535U << ws);
	u32 clamp = xs->rcv.window_clamp;
	u32 step = min_t(u32, xs->rcv.mss ? : XTCP_MSS_DEFAULT,
			 READ_ONCE(sk->sk_rcvbuf) / 4);
	u32 wnd = cur;

	if (clamp)
		free = min(free, clamp);
	if (free > cur && free - cur >= step)
		wnd = round_down(free, 1U << ws);
	/*
	 * Keeping the old edge may need a window that is not a multiple of
	 * the scale: round it up, and take the rounded window as ours, as
	 * Linux does. The peer will use every byte the field says; bytes it
	 * sends there must be accepted, and its ACKs from there too.
	 */
	if (wnd < cur)
		wnd = min_t(u32, round_up(cur, 1U << ws), 65535U << ws);
	xs->rcv.wnd = wnd;
	xs->rcv.wup = xs->rcv.nxt;
	return wnd >> ws;
}

/**
 * xtcp_recv_window_update_due() - has reading opened the window enough
 *	that the peer should hear of it?
 * @sk: the socket
 *
 * Return: true when the window we could offer is at least twice what is
 * left of the advertised one and one step bigger (Linux's rule in
 * tcp_cleanup_rbuf, which ends a zero-window stall promptly).
 */
bool xtcp_recv_window_update_due(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 cur = xtcp_recv_wnd_left(xs);
	u32 free = xtcp_recv_space(sk);
	u32 mss = xs->rcv.mss ? : XTCP_MSS_DEFAULT;

	return free >= 2 * cur && free - cur >= mss;
}

/**
 * xtcp_recv_sack_blocks() - the SACK blocks to put on our next ACK
 * @sk: the socket
 * @blocks: filled, at most @max
 * @max: how many fit
 *
 * RFC 2018 4: the block holding the latest out-of-order segment first,
 * then the others in sequence order.
 *
 * Return: the number of blocks.
 */
unsigned int xtcp_recv_sack_blocks(struct sock *sk,
				   struct xtcp_sack_block *blocks,
				   unsigned int max)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	struct xtcp_sack_block others[XTCP_SACK_MAX], first, cur;
	unsigned int n = 0, i, out = 0;
	bool have_first = false;
	struct rb_node *node;

	max = min_t(unsigned int, max, XTCP_SACK_MAX);
	/* RFC 2883: a D-SACK block goes first, on one ACK only */
	if (r->dsack && max) {
		blocks[out].start = r->dsack_start;
		blocks[out++].end = r->dsack_end;
		max--;
	}
	node = rb_first(&r->ofo);
	while (node && (n < max || !have_first)) {
		cur.start = XTCP_SKB_CB(rb_to_skb(node))->seq;
		cur.end = XTCP_SKB_CB(rb_to_skb(node))->end_seq;
		/* the tree's segments do not overlap: merge the adjacent */
		for (node = rb_next(node); node; node = rb_next(node)) {
			if (XTCP_SKB_CB(rb_to_skb(node))->seq != cur.end)
				break;
			cur.end = XTCP_SKB_CB(rb_to_skb(node))->end_seq;
		}
		if (!have_first &&
		    xtcp_seq_between(r->ofo_seq, cur.start, cur.end - 1)) {
			first = cur;
			have_first = true;
		} else if (n < max) {
			others[n++] = cur;
		}
	}
	if (have_first && max)
		blocks[out++] = first;
	for (i = 0; i < n && out < max + r->dsack; i++)
		blocks[out++] = others[i];
	return out;
}

/**
 * xtcp_recv_dsack() - report @start..@end, received twice, on our next ACK
 * @sk: the socket
 * @start: the first byte received again
 * @end: the byte after the last
 *
 * RFC 2883: the sender learns that a retransmission was needless (its
 * original arrived), and can undo what it did to its window. Only with
 * SACK negotiated; a second duplicate before the ACK goes replaces the
 * first, as only one D-SACK block is sent.
 */
void xtcp_recv_dsack(struct sock *sk, u32 start, u32 end)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rcv *r = &xs->rcv;

	if (!xs->opt.sack_ok || !xtcp_seq_before(start, end))
		return;
	XTCP_INC_STATS(sock_net(sk), xtcp_seq_before(start, r->nxt) ?
		       XTCP_MIB_DSACKOLDSENT : XTCP_MIB_DSACKOFOSENT);
	r->dsack = 1;
	r->dsack_start = start;
	r->dsack_end = end;
	r->ack_now = 1;
}

/* Free @skb, charged to the socket or not. */
static void xtcp_recv_free(struct sk_buff *skb)
{
	__kfree_skb(skb);
}

/* Would @skb, in order, fit the receive buffer and the module-wide limit? */
static bool xtcp_recv_fits(struct sock *sk, struct sk_buff *skb)
{
	/*
	 * As TCP: refused once the buffer is over its size, so a segment
	 * the window allowed always fits an empty buffer, whatever its
	 * skb costs around the payload.
	 */
	return atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf) &&
	       sk_rmem_schedule(sk, skb, skb->truesize);
}

/*
 * Memory is short: drop out-of-order segments, the highest first (the
 * sender resends those last, and the lowest are what the next hole's
 * repair lets through), until in-order @skb fits; every one when @skb
 * is NULL. Our SACK blocks stop covering what went: the sender must send
 * it again though it saw it SACKed (RFC 2018 8, send.c's reneging).
 */
static bool xtcp_recv_prune_ofo(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	struct rb_node *node = rb_last(&r->ofo);

	if (!node)
		return false;
	while (node) {
		struct sk_buff *victim = rb_to_skb(node);

		node = rb_prev(node);
		rb_erase(&victim->rbnode, &r->ofo);
		xtcp_recv_free(victim);
		if (skb && xtcp_recv_fits(sk, skb))
			break;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OFOPRUNED);
	sk_mem_reclaim(sk);
	return true;
}

/*
 * Charge @skb to the socket if the receive buffer and the module-wide
 * limit allow it, pruning the out-of-order queue for in-order data.
 */
static bool xtcp_recv_charge(struct sock *sk, struct sk_buff *skb,
			     bool in_order, bool own)
{
	if (xtcp_recv_fits(sk, skb))
		goto ok;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PRUNECALLED);
	if (!in_order || !xtcp_recv_prune_ofo(sk, skb) ||
	    !xtcp_recv_fits(sk, skb))
		return false;
ok:
	if (own)
		skb_set_owner_r(skb, sk);
	return true;
}

/*
 * Append in-order @skb to the receive queue's last skb, as Linux's
 * TCPRcvCoalesce: its pages move over (or its bytes, where the last skb
 * has room), so the reader walks and frees fewer skbs. Not behind a
 * cloned skb (a tap's copy shares it) nor across a hole. @skb's memory
 * is scheduled, not yet charged; the merge charges what it adds.
 *
 * Return: true if @skb was merged and freed.
 */
static bool xtcp_recv_coalesce(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = skb_peek_tail(&sk->sk_receive_queue);
	bool stolen;
	int delta;

	if (!tail || XTCP_SKB_CB(tail)->end_seq != XTCP_SKB_CB(skb)->seq ||
	    !skb_try_coalesce(tail, skb, &stolen, &delta))
		return false;
	XTCP_SKB_CB(tail)->end_seq = XTCP_SKB_CB(skb)->end_seq;
	atomic_add(delta, &sk->sk_rmem_alloc);
	sk_mem_charge(sk, delta);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RCVCOALESCE);
	kfree_skb_partial(skb, stolen);
	return true;
}

/* Cut @len bytes off the front of @skb's payload. */
static bool xtcp_recv_trim_head(struct sk_buff *skb, u32 len)
{
	if (!pskb_pull(skb, len))
		return false;
	XTCP_SKB_CB(skb)->seq += len;
	return true;
}

/* Cut @skb's payload to end at @end. */
static bool xtcp_recv_trim_tail(struct sk_buff *skb, u32 end)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (pskb_trim(skb, end - cb->seq))
		return false;
	cb->end_seq = end;
	return true;
}

/* Move what the out-of-order queue holds at rcv.nxt to the receive queue. */
static bool xtcp_recv_ofo_drain(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	bool moved = false;
	struct rb_node *node;

	while ((node = rb_first(&r->ofo))) {
		struct sk_buff *skb = rb_to_skb(node);
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (xtcp_seq_after(cb->seq, r->nxt))
			break;
		rb_erase(&skb->rbnode, &r->ofo);
		if (!xtcp_seq_after(cb->end_seq, r->nxt) ||
		    (xtcp_seq_before(cb->seq, r->nxt) &&
		     !xtcp_recv_trim_head(skb, r->nxt - cb->seq))) {
			xtcp_recv_free(skb);
			continue;
		}
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		r->nxt = cb->end_seq;
		moved = true;
	}
	return moved;
}

/*
 * Keep @skb (seq > rcv.nxt) in the out-of-order queue, trimmed against
 * its neighbours so that no byte is held twice. Return false if it added
 * nothing (a duplicate) and was not kept.
 */
static bool xtcp_recv_ofo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct rb_node **p = &r->ofo.rb_node, *parent = NULL;
	struct sk_buff *prev = NULL, *next;
	struct rb_node *node;

	/* the last segment starting at or before ours */
	while (*p) {
		struct sk_buff *s = rb_to_skb(*p);

		parent = *p;
		if (xtcp_seq_after(XTCP_SKB_CB(s)->seq, cb->seq)) {
			p = &parent->rb_left;
		} else {
			prev = s;
			p = &parent->rb_right;
		}
	}
	if (prev) {
		u32 pend = XTCP_SKB_CB(prev)->end_seq;

		if (!xtcp_seq_before(pend, cb->end_seq)) {
			xtcp_recv_dsack(sk, cb->seq, cb->end_seq);
			return false;
		}
		if (xtcp_seq_after(pend, cb->seq)) {
			xtcp_recv_dsack(sk, cb->seq, pend);
			if (!xtcp_recv_trim_head(skb, pend - cb->seq))
				return false;
		}
	}
	/* segments ours covers go; one it overlaps trims ours */
	node = prev ? rb_next(&prev->rbnode) : rb_first(&r->ofo);
	while (node) {
		next = rb_to_skb(node);
		if (!xtcp_seq_before(XTCP_SKB_CB(next)->seq, cb->end_seq))
			break;
		if (xtcp_seq_after(XTCP_SKB_CB(next)->end_seq, cb->end_seq)) {
			if (!xtcp_recv_trim_tail(skb, XTCP_SKB_CB(next)->seq))
				return false;
			break;
		}
		node = rb_next(node);
		rb_erase(&next->rbnode, &r->ofo);
		xtcp_recv_free(next);
	}
	/* the tree may have changed under the insertion point: walk again */
	p = &r->ofo.rb_node;
	parent = NULL;
	while (*p) {
		parent = *p;
		if (xtcp_seq_after(XTCP_SKB_CB(rb_to_skb(parent))->seq, cb->seq))
			p = &parent->rb_left;
		else
			p = &parent->rb_right;
	}
	rb_link_node(&skb->rbnode, parent, p);
	rb_insert_color(&skb->rbnode, &r->ofo);
	return true;
}

/*
 * Is a second full segment worth an ACK at once? Only if the window it
 * would carry is no smaller than the one advertised (the right edge moves
 * on by all the data it acknowledges), or the reader waits for more than
 * is there (SO_RCVLOWAT): Linux's rule in __tcp_ack_snd_check(). A reader
 * that is behind gets its ACK held: its next read sends one for all it
 * took (xtcp_sock_recvmsg()), or the delayed-ACK timer does. The sender
 * then gets one ACK per read, not one per two segments.
 */
static bool xtcp_recv_ack_opens(struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 free = xtcp_recv_space(sk);

	if (xs->rcv.window_clamp)
		free = min(free, xs->rcv.window_clamp);
	return free >= xs->rcv.wnd ||
	       xtcp_recv_readable(sk) < (u32)READ_ONCE(sk->sk_rcvlowat);
}

/*
 * How the payload of an in-window segment ends up: queued in order,
 * kept out of order, or dropped.
 */
static bool xtcp_recv_queue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct net *net = sock_net(sk);
	bool had_ofo = !RB_EMPTY_ROOT(&r->ofo);

	if (xtcp_seq_after(cb->seq, r->nxt)) {
		/* out of order: ACK at once, with SACK blocks */
		r->ack_now = 1;
		r->quick = max_t(u8, r->quick, 2);
		if (!xtcp_recv_charge(sk, skb, false, true)) {
			XTCP_INC_STATS(net, XTCP_MIB_RCVQDROP);
			return false;
		}
		r->ofo_seq = cb->seq;
		r->ofo_end = cb->end_seq;
		if (!xtcp_recv_ofo_insert(sk, skb)) {
			/* charged by set_owner_r: the free uncharges it */
			return false;
		}
		XTCP_INC_STATS(net, XTCP_MIB_OFOQUEUE);
		return true;
	}
	if (!xtcp_recv_charge(sk, skb, true, false)) {
		XTCP_INC_STATS(net, XTCP_MIB_RCVQDROP);
		r->ack_now = 1;
		return false;
	}
	r->nxt = cb->end_seq;
	if (!xtcp_recv_coalesce(sk, skb)) {
		skb_set_owner_r(skb, sk);
		__skb_queue_tail(&sk->sk_receive_queue, skb);
	}
	if (had_ofo && xtcp_recv_ofo_drain(sk))
		r->ack_now = 1;		/* a hole filled: tell the sender */
	if (had_ofo && RB_EMPTY_ROOT(&r->ofo))
		r->ack_now = 1;
	return true;
}

/*
 * The round trip as the receiver sees it, for auto-tuning: a receiver
 * that only ACKs has no RTT samples of its own sending. The peer's data
 * echoes the timestamp of an ACK of ours (RFC 7323 4.3): now less that
 * echo is a round trip, at our clock's millisecond resolution, and never
 * taken as less than one. Smoothed by 1/8 as RFC 6298's SRTT.
 */
static void xtcp_recv_rtt_sample(struct xtcp_sock *xs, u32 tsecr)
{
	u32 ms = xtcp_secure_ts_now() + xs->snd.ts_off - tsecr;
	u32 us;

	/* a wild echo (an old or forged segment) is no sample */
	if (ms > 60 * MSEC_PER_SEC)
		return;
	us = max(ms, 1U) * USEC_PER_MSEC;
	if (!xs->rcv.rtt_us)
		xs->rcv.rtt_us = us << 3;
	else
		xs->rcv.rtt_us += us - (xs->rcv.rtt_us >> 3);
}

/**
 * xtcp_recv_data() - take the payload of an acceptable segment
 * @sk: the socket, to ourselves
 * @skb: the segment, skb->data at its header; kept if this returns true
 *
 * The caller has checked the segment's sequence range (RFC 9293
 * 3.10.7.4). Data before rcv.nxt is trimmed, data beyond the window
 * dropped, duplicates only acknowledged. Sets rcv.ack_now or
 * rcv.delack_due for the caller's ACK decision.
 *
 * Return: true if @skb was queued (and belongs to the socket now).
 */
bool xtcp_recv_data(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rcv *r = &xs->rcv;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 len = skb->len - cb->doff;
	u32 edge = r->nxt + xtcp_recv_wnd_left(xs);
	/*
	 * Several segments in one skb: Linux's TSO through the translator
	 * on veth hands us its GSO skb whole. Its gso_size is the peer's
	 * MSS (not the skb's length) and gso_segs the count.
	 */
	u32 segs = skb_shinfo(skb)->gso_segs ? : 1;
	u32 seg_len = skb_shinfo(skb)->gso_size ? : len;
	u8 ecn = cb->ecn;	/* the skb may be merged away when queued */
	u32 tsecr = cb->opts.has_ts ? cb->opts.tsecr : 0;
	bool queued;

	if (!len)
		return false;
	r->data_segs_in += segs;
	/* the payload only from here on; seq..end_seq its bytes */
	__skb_pull(skb, cb->doff);
	cb->end_seq = cb->seq + len;
	if (seg_len > r->mss)
		r->mss = min_t(u32, seg_len, U16_MAX);

	if (!xtcp_seq_after(cb->end_seq, r->nxt)) {
		/* all of it seen before: the ACK went missing */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DUPDATA);
		xtcp_recv_dsack(sk, cb->seq, cb->end_seq);
		r->ack_now = 1;
		return false;
	}
	if (xtcp_seq_before(cb->seq, r->nxt)) {
		xtcp_recv_dsack(sk, cb->seq, r->nxt);
		if (!xtcp_recv_trim_head(skb, r->nxt - cb->seq))
			return false;
	}
	if (xtcp_seq_after(cb->end_seq, edge)) {
		/* beyond the window: keep what fits (a zero window: none) */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BEYONDWINDOW);
		r->ack_now = 1;
		if (!xtcp_seq_after(edge, cb->seq) ||
		    !xtcp_recv_trim_tail(skb, edge))
			return false;
	}
	skb_dst_drop(skb);
	skb_orphan(skb);
	len = cb->end_seq - cb->seq;
	queued = xtcp_recv_queue(sk, skb);
	if (!queued)
		return false;
	r->bytes_received += len;
	if (seg_len >= r->mss)
		r->unacked += segs;
	/*
	 * Every segment, not once per new echo as Linux: the later segments
	 * of an echo add the sender's pace to the sample, and at our
	 * millisecond resolution that longer round is what lets auto-tuning
	 * see enough read per round to grow the buffer. Once per echo made
	 * a veth bulk stream run at 64 or 114 MB/s by turns (README).
	 */
	if (tsecr && xs->opt.tstamp_ok)
		xtcp_recv_rtt_sample(xs, tsecr);
	/* a first CE: ECE at once, the sender's window may be small */
	if (xtcp_ecn_rcv_data(sk, ecn))
		r->quick = max_t(u8, r->quick, 2);
	r->lrcv_data = jiffies;
	/* quick ACKs are for a bulk sender's start, not a conversation */
	if ((r->quick && !r->pingpong) ||
	    (r->unacked >= 2 && xtcp_recv_ack_opens(sk)))
		r->ack_now = 1;
	else
		r->delack_due = 1;
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	return true;
}

/**
 * xtcp_recv_ack_sent() - an ACK for everything up to rcv.nxt left
 * @sk: the socket
 */
void xtcp_recv_ack_sent(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	r->ack_now = 0;
	r->delack_due = 0;
	r->unacked = 0;
	if (r->quick)
		r->quick--;
}

/**
 * xtcp_recv_readable() - bytes in order and not yet read
 * @sk: the socket
 *
 * Return: the count.
 */
u32 xtcp_recv_readable(const struct sock *sk)
{
	const struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	u32 n = READ_ONCE(r->nxt) - READ_ONCE(r->copied);

	/* the peer's FIN takes a sequence number, not a byte to read */
	if (n && sock_flag(sk, SOCK_DONE))
		n--;
	return n;
}

/**
 * xtcp_recv_fin() - the peer's FIN is next in sequence: take it
 * @sk: the socket
 *
 * The stream ends here: reads return 0 once the data before it is read
 * (SOCK_DONE, RCV_SHUTDOWN). Out-of-order data beyond a FIN can never
 * be read and goes.
 */
void xtcp_recv_fin(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	r->fin_pending = 0;
	r->fin_rcvd = 1;
	sock_set_flag(sk, SOCK_DONE);
	/*
	 * SOCK_DONE before the FIN enters nxt: a lockless reader
	 * (xtcp_recv_readable() from poll) that sees the new nxt also sees
	 * SOCK_DONE and does not count the FIN as a byte.
	 */
	smp_wmb();
	WRITE_ONCE(r->nxt, r->nxt + 1);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	if (!RB_EMPTY_ROOT(&r->ofo))
		xtcp_recv_prune_ofo(sk, NULL);
}

/**
 * xtcp_recv_note_fin() - a segment carried a FIN at @seq
 * @sk: the socket
 * @seq: the FIN's sequence number
 *
 * Remembered if it is inside the window we offered (a zero window takes
 * a FIN at rcv.nxt, as TCP does); it is taken when rcv.nxt reaches it,
 * at once or when the hole before it fills.
 *
 * Return: true if the FIN is next in sequence now.
 */
bool xtcp_recv_note_fin(struct sock *sk, u32 seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rcv *r = &xs->rcv;

	if (r->fin_rcvd)
		return false;
	if (!r->fin_pending && !xtcp_seq_before(seq, r->nxt) &&
	    (seq == r->nxt || xtcp_seq_before(seq, r->wup + r->wnd))) {
		r->fin_pending = 1;
		r->fin_seq = seq;
	}
	return r->fin_pending && r->fin_seq == r->nxt;
}

/**
 * xtcp_recv_purge() - drop everything received and not read
 * @sk: the socket
 */
void xtcp_recv_purge(struct sock *sk)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;

	__skb_queue_purge(&sk->sk_receive_queue);
	while (!RB_EMPTY_ROOT(&r->ofo)) {
		struct sk_buff *skb = rb_to_skb(rb_first(&r->ofo));

		rb_erase(&skb->rbnode, &r->ofo);
		xtcp_recv_free(skb);
	}
	sk_mem_reclaim(sk);
}

/* The receive-queue skb holding byte @seq, or NULL. */
static struct sk_buff *xtcp_recv_find(struct sock *sk, u32 seq)
{
	struct sk_buff *skb;

	skb_queue_walk(&sk->sk_receive_queue, skb)
		if (xtcp_seq_before(seq, XTCP_SKB_CB(skb)->end_seq))
			return skb;
	return NULL;
}

/*
 * Why recvmsg() stops with nothing (more) to copy: 0 to wait on, else
 * what to return when nothing was copied (an errno, or 1 for EOF).
 */
static int xtcp_recv_stop(struct sock *sk, long timeo)
{
	/* as tcp_recvmsg(): a reset reads as ECONNRESET, not as the end */
	if (sock_flag(sk, SOCK_DONE))
		return 1;
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 1;
	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 0;
}

/**
 * xtcp_recv_msg() - recvmsg() on a connection; the socket lock is held
 * @sk: the socket
 * @msg: where to
 * @len: at most this many bytes
 * @flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, MSG_TRUNC as TCP has them
 *
 * Return: bytes copied (0 at end of stream), or a negative errno.
 */
int xtcp_recv_msg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct xtcp_rcv *r = &xtcp_sk(sk)->rcv;
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	u32 peek_seq = r->copied;
	u32 *seq = (flags & MSG_PEEK) ? &peek_seq : &r->copied;
	size_t copied = 0;
	int stop;

	if (sk->sk_state == TCP_LISTEN)
		return -ENOTCONN;
	while (copied < len) {
		struct sk_buff *skb = xtcp_recv_find(sk, *seq);

		if (skb) {
			u32 off = *seq - XTCP_SKB_CB(skb)->seq;
			size_t used = min_t(size_t, skb->len - off,
					    len - copied);

			if (!(flags & MSG_TRUNC) &&
			    skb_copy_datagram_msg(skb, off, msg, used)) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
			WRITE_ONCE(*seq, *seq + used);
			copied += used;
			if (!(flags & MSG_PEEK) && off + used == skb->len) {
				__skb_unlink(skb, &sk->sk_receive_queue);
				__kfree_skb(skb);
			}
			continue;
		}
		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		stop = xtcp_recv_stop(sk, timeo);
		if (stop) {
			if (!copied && stop < 0)
				copied = stop;
			break;
		}
		if (copied >= target) {
			/* the backlog may hold more: let it in */
			release_sock(sk);
			lock_sock(sk);
		} else {
			sk_wait_data(sk, &timeo,
				     skb_peek_tail(&sk->sk_receive_queue));
		}
	}
	if (copied > 0 && !(flags & MSG_PEEK))
		xtcp_recv_space_adjust(sk);
	sk_mem_reclaim(sk);
	return copied;
}

/**
 * xtcp_recv_space_grow() - the receive buffer a reading rate needs
 * @copied: bytes the reader took in the last round trip
 * @prev: bytes it took in the round trip measured before, < @copied
 * @mss: the segment size we advertised
 *
 * The sender can send, in the next round trip, twice what it sent in
 * this one (slow start), and the window must cover that and what is
 * still in flight: twice what was read, plus 16 segments of slack for
 * reordering and jitter. While the rate is still climbing, more in
 * proportion to how fast it climbed, so that the buffer leads the
 * sender instead of trailing it one round trip behind (the heuristic of
 * Linux's dynamic right-sizing, tcp_rcv_space_adjust). Half of a buffer
 * holds payload (xtcp_recv_space()), so the buffer is twice the window.
 *
 * Return: the buffer size in bytes, before any limit.
 */
u64 xtcp_recv_space_grow(u32 copied, u32 prev, u32 mss)
{
	u64 win = 2ULL * copied + 16ULL * mss;

	/* climbing faster than doubling counts as doubling: at most 3x */
	if (prev)
		win += mul_u64_u32_div(2 * win, min(copied - prev, prev), prev);
	return 2 * win;
}

/**
 * xtcp_recv_space_adjust() - receive-buffer auto-tuning, after a read
 * @sk: the socket, locked
 *
 * Once a round trip: if the reader took more than in the last one, the
 * buffer grows to what that rate needs, up to the namespace's rmem[2],
 * unless SO_RCVBUF fixed it or moderate_rcvbuf is 0. It never shrinks:
 * the window offered from it must not (RFC 9293 3.8.6.2.2).
 */
void xtcp_recv_space_adjust(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_rcv *r = &xs->rcv;
	u32 rtt = (r->rtt_us ? : xs->tmr.srtt_us) >> 3;
	u64 now = xtcp_recv_clock_us();
	u32 copied = r->copied - r->space_seq;
	struct net *net = sock_net(sk);
	u64 want;

	if (!rtt || now - r->space_us < rtt)
		return;
	if (copied > r->space) {
		if (XTCP_SYSCTL(net, moderate_rcvbuf) &&
		    !(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
			want = min_t(u64, xtcp_recv_space_grow(copied, r->space,
							       r->advmss),
				     XTCP_SYSCTL(net, rmem[2]));
			if (want > READ_ONCE(sk->sk_rcvbuf)) {
				WRITE_ONCE(sk->sk_rcvbuf, want);
				XTCP_INC_STATS(net, XTCP_MIB_RCVBUFGROWN);
			}
		}
		r->space = copied;
	}
	r->space_seq = r->copied;
	r->space_us = now;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/recv_test.c"
#endif
