// SPDX-License-Identifier: GPL-2.0
/*
 * The send side of a byte stream: sendmsg() into the write queue, what
 * leaves when (congestion and receive windows, Nagle), what an ACK
 * acknowledges, loss recovery, and every segment a connection sends.
 *
 * The write queue (sk_write_queue) holds one skb per segment, in
 * sequence order: those sent and not yet cumulatively acknowledged, then
 * from snd.head on those never sent. Each skb holds at most one MSS of
 * payload, in page fragments (the socket's page_frag, as TCP's), so that
 * a receiver can keep the pages rather than copy them, a run of segments
 * can leave as one GSO skb, and an skb is charged for the bytes it holds
 * rather than for a full-sized buffer; only a Fast Open SYN's data is
 * linear. The payload is not summed (output.c has the device sum it, or
 * sums it when the device cannot), and each skb keeps headroom for the
 * headers; output.c sends a clone. Every queued byte is charged
 * (sk_wmem_queued, sk_forward_alloc against the module-wide limit) and
 * bounded by SO_SNDBUF.
 *
 * Loss recovery: three duplicate ACKs, or with SACK three segments SACKed
 * above a hole, start fast retransmit (RFC 5681, RFC 6675). Segments
 * deemed lost are marked on the scoreboard (skb's sacked bits) and sent
 * again before new data whenever the pipe (RFC 6675: sent - SACKed -
 * lost + retransmitted) is below cwnd. Without SACK, NewReno (RFC 6582):
 * duplicate ACKs stand in for SACKed segments, and each partial ACK marks
 * the next hole lost. An RTO marks everything outstanding lost and starts
 * over from a window of one (RFC 5681 3.1, RFC 6298).
 *
 * Everything runs with the socket to itself (lock_sock, or bh-locked
 * and not owned).
 */
#include <linux/skbuff.h>
#include <linux/uio.h>
#include <net/checksum.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"
#include "seq.h"
#include "wire.h"

#define XTCP_INIT_CWND		10	/* RFC 6928 */
#define XTCP_DUPTHRESH		3
/* the most a reordering seen may raise it to, as tcp_max_reordering */
#define XTCP_REORDERING_MAX	300
#define XTCP_MIN_SND_MSS	48	/* Linux's min_snd_mss */

#define XTCPF(state)		(1 << (state))
/* States with a send side still running: data, or our FIN, to deliver. */
#define XTCP_SEND_STATES	(XTCPF(TCP_ESTABLISHED) | XTCPF(TCP_CLOSE_WAIT) | \
				 XTCPF(TCP_FIN_WAIT1) | XTCPF(TCP_CLOSING) | \
				 XTCPF(TCP_LAST_ACK))

/*
 * May the connection send data now? The synchronized states, and a Fast
 * Open child in SYN_RECV: as Linux's, it sends before the final ACK,
 * its data behind the SYN-ACK that is still unacknowledged.
 */
static bool xtcp_send_state_ok(const struct sock *sk)
{
	return (XTCPF(sk->sk_state) & XTCP_SEND_STATES) ||
	       (sk->sk_state == TCP_SYN_RECV && xtcp_sk(sk)->fo_synack);
}

static u32 xtcp_send_ts(const struct xtcp_sock *xs)
{
	return xtcp_secure_ts_now() + xs->snd.ts_off;
}

/**
 * xtcp_send_mss() - payload bytes per segment now
 * @xs: the socket
 *
 * Return: the send MSS less the options every segment carries,
 * at least 48 bytes whatever the peer announced.
 */
u32 xtcp_send_mss(const struct xtcp_sock *xs)
{
	u32 mss = xs->snd.mss;

	if (xs->opt.tstamp_ok)
		mss -= min_t(u32, mss, 12);
	return max_t(u32, mss, XTCP_MIN_SND_MSS);
}

/* Segments in the network: RFC 6675's pipe. */
static u32 xtcp_send_in_flight(const struct xtcp_snd *snd)
{
	return snd->packets_out - snd->sacked_out - snd->lost_out +
	       snd->retrans_out;
}

/**
 * xtcp_send_init() - the send side of a socket that just synchronized
 * @sk: the socket, snd.una/nxt/wnd set by the handshake
 */
void xtcp_send_init(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	snd->write_seq = snd->nxt;
	snd->head = NULL;
	snd->wl1 = xtcp_sk(sk)->rcv.irs;
	snd->wl2 = snd->una;
	snd->max_wnd = snd->wnd;
	snd->cwnd = XTCP_INIT_CWND;
	snd->ssthresh = INT_MAX;
	snd->ca_state = XTCP_CA_OPEN;
	snd->undo_on = 0;
	snd->reordering = XTCP_DUPTHRESH;
	if (!snd->cc)
		snd->cc = xtcp_cc_default();
	xtcp_cc_init(sk);
}

/* Fill the ACK, window and timestamp of a segment from the socket. */
static void xtcp_send_fill(struct sock *sk, struct xtcp_seg *s)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	s->ack = xs->rcv.nxt;
	s->flags |= XTCP_FLAG_ACK | xtcp_ecn_ack_flags(xs);
	s->window = xtcp_recv_window(sk);
	if (xs->opt.tstamp_ok) {
		s->has_ts = 1;
		s->tsval = xtcp_send_ts(xs);
		s->tsecr = xs->rcv.ts_recent;
	}
}

/* An ACK for everything up to rcv.nxt has gone out. */
static void xtcp_send_acked_all(struct sock *sk)
{
	xtcp_recv_ack_sent(sk);
	xtcp_timer_ack_sent(sk);
}

/*
 * The sequence number of a segment without data: snd.nxt, unless the
 * peer's window shrank below it, as it does when the peer's buffer
 * fills with what we already sent. Then the right edge of its window,
 * which a zero window accepts (it is the peer's rcv.nxt), as Linux's
 * tcp_acceptable_seq(): an ACK at snd.nxt would be out of the peer's
 * window and dropped, and both sides would wait on each other.
 */
static u32 xtcp_send_ack_seq(const struct xtcp_snd *snd)
{
	u32 edge = snd->una + snd->wnd;

	return xtcp_seq_after(snd->nxt, edge) ? edge : snd->nxt;
}

/**
 * xtcp_send_ack() - a bare ACK of the connection's state, with SACK blocks
 * @sk: the socket, synchronized
 */
void xtcp_send_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_seg s = { .seq = xtcp_send_ack_seq(&xs->snd) };

	xtcp_send_fill(sk, &s);
	if (xs->opt.sack_ok)
		s.nr_sack = xtcp_recv_sack_blocks(sk, s.sack, s.has_ts ?
						  XTCP_SACK_MAX :
						  XTCP_SACK_MAX + 1);
	xtcp_output_sk(sk, &s);
	/* data segments carry no SACK blocks: a D-SACK waits for this */
	xs->rcv.dsack = 0;
	xtcp_send_acked_all(sk);
}

/**
 * xtcp_send_reset() - RST the peer of a synchronized connection
 * @sk: the socket
 */
void xtcp_send_reset(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_seg s = {
		.seq = xtcp_send_ack_seq(&xs->snd),
		.ack = xs->rcv.nxt,
		.flags = XTCP_FLAG_RST | XTCP_FLAG_ACK,
	};

	/* RFC 7323: no timestamps on a RST */
	xtcp_output_sk(sk, &s);
}

/*
 * New data soon after data came in: an answer. The connection is a
 * conversation (Linux's pingpong mode): its ACKs wait to ride on the
 * next answer rather than go alone, until the delayed-ACK timer finds
 * one still owed.
 */
static void xtcp_send_answer_check(struct xtcp_sock *xs)
{
	if (xs->rcv.data_segs_in &&
	    time_before(jiffies, xs->rcv.lrcv_data + xtcp_timer_ato(xs)))
		xs->rcv.pingpong = 1;
}

/* One segment's share of a transmission. */
static void xtcp_send_sent_one(struct xtcp_sock *xs, struct sk_buff *skb,
			       u32 now)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->tx_stamp = now;
	cb->tx_count++;
	xs->snd.segs_out++;
	xs->snd.data_segs_out++;
	xs->snd.bytes_sent += skb->len;
}

/*
 * Send @n segments of the write queue from @skb on, @n > 1 only for new
 * data that xtcp_send_joins() let run together: one GSO skb.
 */
static void xtcp_send_xmit_run(struct sock *sk, struct sk_buff *skb,
			       unsigned int n, u32 mss)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_seg s = { .seq = cb->seq };
	struct sk_buff *last = skb, *first = skb;
	u32 now = xtcp_secure_ts_now();
	bool fresh = !cb->tx_count && skb->len;
	unsigned int i;

	for (i = 1; i < n; i++)
		last = last->next;
	if (fresh)
		xtcp_send_answer_check(xs);
	/* PSH on the last segment queued, as Linux does for a write's end */
	if (skb_queue_is_last(&sk->sk_write_queue, last) && last->len)
		s.flags = XTCP_FLAG_PSH;
	s.flags |= XTCP_SKB_CB(last)->flags & XTCP_FLAG_FIN;
	xtcp_send_fill(sk, &s);
	xtcp_ecn_data_out(sk, &s, fresh);
	for (i = 0; i < n; i++, skb = skb->next)
		xtcp_send_sent_one(xs, skb, now);
	if (n > 1)
		xtcp_output_data_gso(sk, first, n, mss, &s);
	else
		xtcp_output_data(sk, first, &s);
	xtcp_send_acked_all(sk);
	xtcp_timer_data_sent(sk);
}

/* Send @skb of the write queue, for the first time or again. */
static void xtcp_send_xmit(struct sock *sk, struct sk_buff *skb)
{
	xtcp_send_xmit_run(sk, skb, 1, 0);
}

/*
 * Fragment slots @skb adds to a GSO skb that ends with @prev: its first
 * fragment continues @prev's last in the same page when both were
 * copied in one after the other, and merges.
 */
static unsigned int xtcp_send_frag_slots(const struct sk_buff *prev,
					 const struct sk_buff *skb)
{
	const struct skb_shared_info *p = skb_shinfo(prev);
	const struct skb_shared_info *q = skb_shinfo(skb);
	const skb_frag_t *a, *b;

	if (!p->nr_frags || !q->nr_frags)
		return q->nr_frags;
	a = &p->frags[p->nr_frags - 1];
	b = &q->frags[0];
	if (skb_frag_page(a) == skb_frag_page(b) &&
	    skb_frag_off(a) + skb_frag_size(a) == skb_frag_off(b))
		return q->nr_frags - 1;
	return q->nr_frags;
}

/* What a run of segments being gathered into one GSO skb holds so far. */
struct xtcp_send_run {
	struct sk_buff *prev;		/* its last segment */
	unsigned int n;			/* segments */
	unsigned int slots;		/* fragment slots */
	u32 bytes;
	u32 max_bytes;
	u32 max_segs;
};

/*
 * May @skb, the next unsent segment, join @run? New data in page
 * fragments only, behind full-sized segments without FIN, within what a
 * GSO skb may hold (64 kB of IP packet, the route's GSO limits, the
 * fragment slots); a segment with CWR goes alone, so only its own
 * header has it.
 */
static bool xtcp_send_joins(struct sock *sk, const struct xtcp_send_run *run,
			    const struct sk_buff *skb, u32 mss,
			    unsigned int *slots)
{
	const struct sk_buff *prev = run->prev;

	if (run->n >= run->max_segs || !skb->len ||
	    skb_headlen(skb) || XTCP_SKB_CB(skb)->tx_count ||
	    prev->len != mss || skb_headlen(prev) ||
	    (XTCP_SKB_CB(prev)->flags & XTCP_FLAG_FIN) ||
	    (xtcp_sk(sk)->ecn_flags & XTCP_ECN_QUEUE_CWR) ||
	    run->bytes + skb->len > run->max_bytes)
		return false;
	*slots = run->slots + xtcp_send_frag_slots(prev, skb);
	return *slots <= MAX_SKB_FRAGS;
}

/* An empty run, with the limits of the socket's route. */
static void xtcp_send_run_init(struct sock *sk, struct xtcp_send_run *run)
{
	/* an IP packet's 64 kB, less the largest IP and xtcp headers */
	u32 max = IP_MAX_MTU - sizeof(struct iphdr) - 60;

	memset(run, 0, sizeof(*run));
	run->max_bytes = max;
	run->max_segs = U16_MAX;
	if (!xtcp_gso || !(xtcp_output_dev_caps(sk) & XTCP_DEV_RUNS)) {
		run->max_segs = 1;
		return;
	}
	if (sk_can_gso(sk)) {
		run->max_bytes = min_t(u32, max, sk->sk_gso_max_size);
		run->max_segs = sk->sk_gso_max_segs;
	}
}

/* Send a segment deemed lost again. */
static void xtcp_send_retransmit(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (!(cb->sacked & XTCP_SKB_RETRANS)) {
		cb->sacked |= XTCP_SKB_RETRANS;
		snd->retrans_out++;
	}
	snd->total_retrans++;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RETRANSSEGS);
	if (snd->undo_on) {
		snd->undo_retrans++;
		if (!snd->retrans_stamp)
			snd->retrans_stamp = xtcp_send_ts(xtcp_sk(sk)) ? : 1;
	}
	xtcp_send_xmit(sk, skb);
}

/*
 * Split @skb after @len bytes: an unsent one so that what fits a small
 * window can go (sender-side silly window avoidance allows it when nothing
 * else is in flight, RFC 1122 4.2.3.4), or after the path MTU fell, any
 * skb longer than the new MSS. The tail takes the scoreboard state of
 * the whole (a sent skb's transmissions, its lost and retransmitted
 * marks), so that both halves count as what the whole was.
 */
static int xtcp_send_split(struct sock *sk, struct sk_buff *skb, u32 len)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 rest = skb->len - len;
	/* linear bytes beyond @len (a Fast Open SYN's data) need room */
	u32 head = skb_headlen(skb) > len ? skb_headlen(skb) - len : 0;
	u32 paged = rest - head;	/* page bytes that change owner */
	struct sk_buff *tail;
	u8 sacked;

	/*
	 * A clone still in flight shares the fragment table that the split
	 * rewrites: ours gets a private one first. Its charge stays what it
	 * was (the pages are the same).
	 */
	if (skb_cloned(skb)) {
		u32 truesize = skb->truesize;

		if (pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
			return -ENOMEM;
		skb->truesize = truesize;
	}
	tail = alloc_skb(XTCP_SKB_HEADROOM + head, GFP_ATOMIC);
	if (!tail)
		return -ENOMEM;
	if (!sk_wmem_schedule(sk, tail->truesize)) {
		kfree_skb(tail);
		return -ENOMEM;
	}
	skb_reserve(tail, XTCP_SKB_HEADROOM);
	tail->ip_summed = CHECKSUM_PARTIAL;
	sk_wmem_queued_add(sk, tail->truesize);
	sk_mem_charge(sk, tail->truesize);
	skb_split(skb, tail, len);
	tail->truesize += paged;
	skb->truesize -= paged;
	*XTCP_SKB_CB(tail) = *cb;
	XTCP_SKB_CB(tail)->seq = cb->seq + len;
	/* the tail was charged just now, whatever the whole was */
	XTCP_SKB_CB(tail)->uncharged = 0;
	/* a FIN belongs after the last byte: it goes with the tail */
	cb->flags &= ~XTCP_FLAG_FIN;
	if (cb->tx_count) {
		/* sent: one more segment in flight, marked as the whole was */
		sacked = cb->sacked;
		snd->packets_out++;
		snd->sacked_out += !!(sacked & XTCP_SKB_SACKED);
		snd->lost_out += !!(sacked & XTCP_SKB_LOST);
		snd->retrans_out += !!(sacked & XTCP_SKB_RETRANS);
	}
	cb->end_seq = cb->seq + len;
	__skb_queue_after(&sk->sk_write_queue, skb, tail);
	return 0;
}

/* Resend what the scoreboard says is lost, while the pipe has room. */
static void xtcp_send_lost(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb;

	if (!snd->lost_out)
		return;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		u8 sacked = XTCP_SKB_CB(skb)->sacked;

		if (skb == snd->head ||
		    xtcp_send_in_flight(snd) >= snd->cwnd)
			break;
		if ((sacked & XTCP_SKB_LOST) && !(sacked & XTCP_SKB_RETRANS))
			xtcp_send_retransmit(sk, skb);
	}
}

/*
 * May @skb, the next unsent segment, leave now? The congestion window,
 * the peer's window (splitting @skb to what fits when nothing is in
 * flight), Nagle (RFC 896) and TCP_CORK say.
 */
static bool xtcp_send_may_xmit(struct sock *sk, struct sk_buff *skb, u32 mss)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u32 edge = snd->una + snd->wnd;
	bool last = skb_queue_is_last(&sk->sk_write_queue, skb);

	if (xtcp_send_in_flight(snd) >= snd->cwnd)
		return false;
	/* queued before the path MTU fell: cut to the MSS now in force */
	if (skb->len > mss && xtcp_send_split(sk, skb, mss))
		return false;
	if (xtcp_seq_after(cb->end_seq, edge)) {
		if (snd->packets_out || !xtcp_seq_after(edge, cb->seq))
			return false;
		if (xtcp_send_split(sk, skb, edge - cb->seq))
			return false;
	}
	/* a FIN is never held back (Nagle and TCP_CORK wait for more data) */
	if (skb->len < mss && last && !(cb->flags & XTCP_FLAG_FIN)) {
		if (snd->cork)
			return false;
		if (!snd->nodelay && snd->packets_out)
			return false;
	}
	return true;
}

/**
 * xtcp_send_push() - send what may be sent now
 * @sk: the socket
 *
 * Lost segments first, then new data. When the peer's window holds up
 * data with nothing in flight, the persist timer takes over.
 */
void xtcp_send_push(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	u32 mss = xtcp_send_mss(xs);
	struct sk_buff *skb;

	if (!xtcp_send_state_ok(sk))
		return;
	/*
	 * Before the final ACK, what the SYN-ACK's timeout marked lost
	 * waits for it: the client drops data until it has the SYN-ACK.
	 */
	if (!xs->fo_synack)
		xtcp_send_lost(sk);
	/*
	 * New data, in runs: the segments that may leave now one after
	 * another go as one GSO skb where they can (xtcp_send_joins()).
	 */
	while ((skb = snd->head)) {
		struct sk_buff *first = skb;
		struct xtcp_send_run run;
		unsigned int slots;

		xtcp_send_run_init(sk, &run);
		do {
			if (!xtcp_send_may_xmit(sk, skb, mss))
				break;
			if (run.n) {
				if (!xtcp_send_joins(sk, &run, skb, mss, &slots))
					break;
				run.slots = slots;
			} else {
				run.slots = skb_shinfo(skb)->nr_frags;
			}
			snd->head = skb_queue_is_last(&sk->sk_write_queue,
						      skb) ? NULL : skb->next;
			if (!snd->packets_out)
				xtcp_cc_restart(sk);
			snd->packets_out++;
			if (xtcp_seq_after(XTCP_SKB_CB(skb)->end_seq, snd->nxt))
				snd->nxt = XTCP_SKB_CB(skb)->end_seq;
			run.prev = skb;
			run.n++;
			run.bytes += skb->len;
		} while ((skb = snd->head));
		if (!run.n)
			break;
		xtcp_send_xmit_run(sk, first, run.n, mss);
	}
	/* the SYN-ACK's timer keeps its place until the final ACK */
	if (snd->head && !snd->packets_out && !xs->fo_synack &&
	    xtcp_seq_after(XTCP_SKB_CB(snd->head)->end_seq,
			   snd->una + snd->wnd))
		xtcp_timer_window_closed(sk);
}

/*
 * An ACK with SEG.SEQ = SND.UNA - 1, as Linux probes: the peer must
 * answer it with its window and ACK, and it carries no data to drop.
 */
static void xtcp_send_old_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_seg s = { .seq = xs->snd.una - 1 };

	xtcp_send_fill(sk, &s);
	xtcp_output_sk(sk, &s);
}

/**
 * xtcp_send_probe() - the persist timer fired: probe a zero window
 * @sk: the socket
 */
void xtcp_send_probe(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!xs->snd.head || xs->snd.packets_out) {
		xtcp_send_push(sk);
		return;
	}
	xtcp_send_old_ack(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ZEROWINDOWPROBES);
	xtcp_timer_probe_sent(sk);
}

/**
 * xtcp_send_keepalive() - a keepalive probe (RFC 1122 4.2.3.6)
 * @sk: the socket, with nothing in flight
 */
void xtcp_send_keepalive(struct sock *sk)
{
	xtcp_send_old_ack(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_KEEPALIVEPROBES);
}

/* Write space came back: wake writers, as sk_stream_write_space does. */
static void xtcp_send_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sk_stream_is_writeable(sk) || !sock)
		return;
	clear_bit(SOCK_NOSPACE, &sock->flags);
	rcu_read_lock();
	wq = rcu_dereference(sk->sk_wq);
	if (skwq_has_sleeper(wq))
		wake_up_interruptible_poll(&wq->wait, EPOLLOUT | EPOLLWRNORM |
					   EPOLLWRBAND);
	if (wq && wq->fasync_list && !(sk->sk_shutdown & SEND_SHUTDOWN))
		sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	rcu_read_unlock();
}

/**
 * xtcp_send_sk_init() - socket callbacks of the send side
 * @sk: a new socket
 */
void xtcp_send_sk_init(struct sock *sk)
{
	sk->sk_write_space = xtcp_send_write_space;
	xtcp_sk(sk)->snd.reordering = XTCP_DUPTHRESH;
}

/* Free a write-queue skb, giving back what it was charged. */
static void xtcp_send_free_skb(struct sock *sk, struct sk_buff *skb)
{
	if (!XTCP_SKB_CB(skb)->uncharged) {
		sk_wmem_queued_add(sk, -skb->truesize);
		sk_mem_uncharge(sk, skb->truesize);
	}
	__kfree_skb(skb);
}

/* Take @skb off the write queue and uncharge it. */
static void xtcp_send_free(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	u8 sacked = XTCP_SKB_CB(skb)->sacked;

	if (sacked & XTCP_SKB_SACKED)
		snd->sacked_out--;
	if (sacked & XTCP_SKB_LOST)
		snd->lost_out--;
	if (sacked & XTCP_SKB_RETRANS)
		snd->retrans_out--;
	snd->packets_out--;
	__skb_unlink(skb, &sk->sk_write_queue);
	xtcp_send_free_skb(sk, skb);
}

/*
 * Free what @ack acknowledges in full. Return the number of segments, and
 * in @rtt_us an RTT from the newest segment, or 0 when any segment the
 * ACK covers was sent again or deemed lost (Karn's rule, as Linux applies
 * it: the ACK may be for the first transmission of a segment that waited
 * out an RTO behind a hole, and would time the RTO, not the path).
 */
static u32 xtcp_send_clean(struct sock *sk, u32 ack, u32 *rtt_us)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	u32 segs = 0, now = xtcp_secure_ts_now(), stamp = 0;
	bool ambiguous = false;
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->sk_write_queue)) && skb != snd->head) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (xtcp_seq_after(cb->end_seq, ack))
			break;
		if (cb->tx_count != 1 || (cb->sacked & XTCP_SKB_LOST))
			ambiguous = true;
		stamp = cb->tx_stamp;
		segs++;
		xtcp_send_free(sk, skb);
	}
	/* a millisecond clock: a faster answer counts as 1 us */
	*rtt_us = segs && !ambiguous ?
		  max_t(u32, (now - stamp) * USEC_PER_MSEC, 1) : 0;
	return segs;
}

/* Mark @skb lost, to be sent again. */
static void xtcp_send_mark_lost(struct xtcp_snd *snd, struct sk_buff *skb)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	if (cb->sacked & (XTCP_SKB_LOST | XTCP_SKB_SACKED))
		return;
	cb->sacked |= XTCP_SKB_LOST;
	snd->lost_out++;
}

/* The first sent segment, if any. */
static struct sk_buff *xtcp_send_first(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);

	return skb == xtcp_sk(sk)->snd.head ? NULL : skb;
}

/*
 * Is the first unacknowledged segment marked SACKed? Only a peer that
 * dropped what it SACKed, or ACKs reordered on the way, leave it so.
 */
static bool xtcp_send_reneged(struct sock *sk)
{
	struct sk_buff *skb = xtcp_send_first(sk);

	return skb && (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED);
}

/*
 * RFC 6675 IsLost, per segment: with SACK, a hole with at least
 * DupThresh SACKed segments above it is lost. One walk from the top.
 */
static void xtcp_send_sack_losses(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb, *last;
	u32 above = 0;

	last = snd->head ? snd->head->prev :
			   skb_peek_tail(&sk->sk_write_queue);
	if (!last)
		return;
	for (skb = last; skb != (struct sk_buff *)&sk->sk_write_queue;
	     skb = skb->prev) {
		if (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED)
			above++;
		else if (above >= snd->reordering)
			xtcp_send_mark_lost(snd, skb);
	}
}

/*
 * RFC 2883 4: the first SACK block is a D-SACK if it lies below the
 * cumulative ACK, or inside the second block. It reports data that
 * arrived twice: if ours to undo, one retransmission fewer was needed.
 * Return true if the first block was one.
 */
static bool xtcp_send_dsack(struct sock *sk, const struct xtcp_skb_cb *rcb,
			    const u8 *p)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	u32 start = get_unaligned_be32(p);
	u32 end = get_unaligned_be32(p + 4);

	if (!xtcp_seq_before(start, end))
		return false;
	if (!xtcp_seq_before(start, rcb->ack_seq)) {
		u32 start1, end1;

		if (rcb->opts.sack_blocks < 2)
			return false;
		start1 = get_unaligned_be32(p + 8);
		end1 = get_unaligned_be32(p + 12);
		if (xtcp_seq_before(start, start1) || xtcp_seq_after(end, end1))
			return false;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DSACKRECV);
	snd->dsack_dups++;
	/*
	 * Only a block inside what this reduction sent again counts: an
	 * older one (a D-SACK that took long, a duplicate the network
	 * made) is no news about it.
	 */
	if (snd->undo_on && snd->undo_retrans &&
	    !xtcp_seq_before(start, snd->undo_marker) &&
	    !xtcp_seq_after(end, snd->nxt))
		snd->undo_retrans--;
	return true;
}

/*
 * Mark the segments the SACK blocks of @skb cover. Blocks outside
 * snd.una..snd.nxt are lies or stale and are ignored (RFC 2018 allows
 * nothing else), and each block costs at most one walk of what is in
 * flight, so a peer cannot make an ACK expensive (CVE-2019-11478).
 */
static void xtcp_send_sack(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *rcb = XTCP_SKB_CB(skb);
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	const u8 *p = skb->data + XTCP_HDR_LEN + rcb->opts.sack_off + 2;
	unsigned int i;

	if (xtcp_send_dsack(sk, rcb, p)) {
		/* the rest says nothing the D-SACK block can add to */
		i = 1;
		p += 8;
	} else {
		i = 0;
	}
	for (; i < rcb->opts.sack_blocks; i++, p += 8) {
		u32 start = get_unaligned_be32(p);
		u32 end = get_unaligned_be32(p + 4);
		struct sk_buff *q;

		if (!xtcp_seq_before(start, end) ||
		    !xtcp_seq_after(start, snd->una) ||
		    xtcp_seq_after(end, snd->nxt)) {
			XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SACKDISCARD);
			continue;
		}
		skb_queue_walk(&sk->sk_write_queue, q) {
			struct xtcp_skb_cb *cb = XTCP_SKB_CB(q);

			if (q == snd->head || !xtcp_seq_before(cb->seq, end))
				break;
			if (xtcp_seq_before(cb->seq, start) ||
			    xtcp_seq_after(cb->end_seq, end) ||
			    (cb->sacked & XTCP_SKB_SACKED))
				continue;
			if (cb->sacked & XTCP_SKB_LOST) {
				cb->sacked &= ~XTCP_SKB_LOST;
				snd->lost_out--;
			}
			if (cb->sacked & XTCP_SKB_RETRANS) {
				cb->sacked &= ~XTCP_SKB_RETRANS;
				snd->retrans_out--;
			}
			cb->sacked |= XTCP_SKB_SACKED;
			snd->sacked_out++;
		}
	}
}

/*
 * A reduction begins: remember what to go back to, unless one already
 * runs (an RTO in the middle of a fast recovery keeps the window from
 * before the recovery, as Linux does).
 */
static void xtcp_send_undo_begin(struct xtcp_snd *snd)
{
	if (snd->undo_on)
		return;
	snd->undo_on = 1;
	snd->undo_marker = snd->una;
	snd->undo_retrans = 0;
	snd->undo_sacked = 0;
	snd->retrans_stamp = 0;
	snd->prior_cwnd = snd->cwnd;
	snd->prior_ssthresh = snd->ssthresh;
}

/*
 * Was the reduction needless? Every retransmission was reported
 * received twice (D-SACK), or this ACK echoes a TSval older than the
 * first retransmission, so an original, not a copy, got through
 * (RFC 3522, Eifel detection).
 */
static int xtcp_send_undo_why(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;

	if (!snd->undo_on || !snd->retrans_stamp)
		return 0;
	if (!snd->undo_retrans)
		return XTCP_MIB_DSACKUNDO;
	if (xs->opt.tstamp_ok && cb->opts.has_ts && cb->opts.tsecr &&
	    (s32)(cb->opts.tsecr - snd->retrans_stamp) < 0)
		return snd->ca_state == XTCP_CA_LOSS ? XTCP_MIB_LOSSUNDO :
						       XTCP_MIB_FULLUNDO;
	return 0;
}

/*
 * Undo a needless reduction: the window back to what it was, and the
 * segments deemed lost but not yet sent again are in flight after all.
 * Return true if it was undone.
 */
static bool xtcp_send_try_undo(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	int why = xtcp_send_undo_why(sk, cb);
	struct sk_buff *skb;

	if (!why)
		return false;
	XTCP_INC_STATS(sock_net(sk), why);
	/*
	 * After a fast recovery, the holes were reordering, not loss: as
	 * many segments as were SACKed above them must not start one
	 * again (RFC 4653's idea; Linux raises tp->reordering on an undo).
	 * A needless RTO says the path was slow, not that it reorders.
	 */
	if (snd->ca_state == XTCP_CA_RECOVERY) {
		snd->reord_seen++;
		snd->reordering = clamp_t(u32, snd->undo_sacked + 1,
					  snd->reordering,
					  XTCP_REORDERING_MAX);
	}
	snd->cwnd = max(snd->cwnd, snd->prior_cwnd);
	snd->ssthresh = max(snd->ssthresh, snd->prior_ssthresh);
	snd->cwnd_cnt = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct xtcp_skb_cb *c = XTCP_SKB_CB(skb);

		if (skb == snd->head)
			break;
		if ((c->sacked & (XTCP_SKB_LOST | XTCP_SKB_RETRANS)) ==
		    XTCP_SKB_LOST) {
			c->sacked &= ~XTCP_SKB_LOST;
			snd->lost_out--;
		}
	}
	snd->undo_on = 0;
	snd->ca_state = XTCP_CA_OPEN;
	snd->dupacks = 0;
	return true;
}

/* Fast retransmit: into recovery, the first hole lost (RFC 5681 3.2). */
static void xtcp_send_enter_recovery(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *first = xtcp_send_first(sk);

	/* an ECE cut the window for this window of data already */
	if (snd->ca_state != XTCP_CA_CWR) {
		xtcp_send_undo_begin(snd);
		snd->ssthresh = snd->cc->ssthresh(sk);
		snd->cwnd = snd->ssthresh;
		snd->cwnd_cnt = 0;
		xtcp_ecn_queue_cwr(sk);
	}
	snd->recover = snd->nxt;
	snd->ca_state = XTCP_CA_RECOVERY;
	snd->fast_retrans++;
	XTCP_INC_STATS(sock_net(sk), xtcp_sk(sk)->opt.sack_ok ?
		       XTCP_MIB_SACKRECOVERY : XTCP_MIB_RENORECOVERY);
	if (first)
		xtcp_send_mark_lost(snd, first);
}

/* A duplicate ACK: count it, and without SACK let it stand for one. */
static void xtcp_send_dupack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;

	if (snd->dupacks < U8_MAX)
		snd->dupacks++;
	if (!xs->opt.sack_ok && snd->sacked_out + 1 < snd->packets_out)
		snd->sacked_out++;
}

/*
 * ECE (RFC 3168 6.1.2): the window is cut as for a loss, at most once
 * per window of data: until what is out now is acknowledged (the CWR
 * state, ended at snd.recover as recovery is), and not at all while
 * recovering from a loss, which cut it already. The next new data
 * carries CWR. Linux brings cwnd down to ssthresh over the window
 * (PRR); here it falls at once, as xtcp's fast retransmit does.
 */
static void xtcp_send_ecn_reduce(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	if (snd->ca_state >= XTCP_CA_CWR)
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ECNCWNDREDUCED);
	snd->ssthresh = snd->cc->ssthresh(sk);
	snd->cwnd = snd->ssthresh;
	snd->cwnd_cnt = 0;
	snd->recover = snd->nxt;
	snd->ca_state = XTCP_CA_CWR;
	xtcp_ecn_queue_cwr(sk);
}

/* Recovery is over: the whole window that was out is acknowledged. */
static void xtcp_send_recovered(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	if (snd->ca_state == XTCP_CA_RECOVERY || snd->ca_state == XTCP_CA_CWR)
		snd->cwnd = max(snd->ssthresh, 2U);	/* RFC 6582 3.2 (3) */
	snd->ca_state = XTCP_CA_OPEN;
	snd->dupacks = 0;
	snd->undo_on = 0;
}

/* Update the peer's window, RFC 9293 3.10.7.4 with Linux's refinement. */
static void xtcp_send_window(struct sock *sk, const struct xtcp_skb_cb *cb)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	u32 wnd = (u32)cb->window << xs->opt.snd_wscale;

	if (xtcp_seq_after(cb->ack_seq, snd->una) ||
	    xtcp_seq_after(cb->seq, snd->wl1) ||
	    (cb->seq == snd->wl1 && (wnd > snd->wnd || !wnd))) {
		snd->wnd = wnd;
		snd->wl1 = cb->seq;
		snd->wl2 = cb->ack_seq;
		snd->max_wnd = max(snd->max_wnd, wnd);
	}
}

/**
 * xtcp_send_rcv_ack() - what an acceptable segment's ACK tells the sender
 * @sk: the socket
 * @skb: the segment, header at skb->data
 *
 * Return: 0, or -EINVAL if the ACK acknowledges what was never sent or
 * is older than the largest window ever offered (RFC 5961 5.2): the
 * caller drops the segment and answers with a challenge ACK.
 */
int xtcp_send_rcv_ack(struct sock *sk, const struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	u32 ack = cb->ack_seq, old_wnd = snd->wnd, segs, rtt_us;
	bool pure = cb->end_seq == cb->seq, ece;

	if (xtcp_seq_after(ack, snd->nxt) ||
	    xtcp_seq_before(ack, snd->una - snd->max_wnd))
		return -EINVAL;
	xtcp_send_window(sk, cb);
	if (xtcp_seq_before(ack, snd->una))
		return 0;		/* an old duplicate: its data may count */
	xtcp_ecn_rcv_cwr(sk, cb);
	ece = xtcp_ecn_echoed(sk, cb);

	if (cb->opts.has_sack && xs->opt.sack_ok)
		xtcp_send_sack(sk, skb);

	if (xtcp_seq_after(ack, snd->una)) {
		snd->bytes_acked += ack - snd->una;
		segs = xtcp_send_clean(sk, ack, &rtt_us);
		snd->una = ack;
		snd->dupacks = 0;
		if (!xs->opt.sack_ok)
			snd->sacked_out -= min(snd->sacked_out, segs);
		/*
		 * The newest segment sent once times the ACK (Karn's rule).
		 * The timestamp echo is not used: a peer echoes the TSval of
		 * the segment that last moved its window edge, and while a
		 * hole is open that is far older than the path's RTT. Taken
		 * after every RTO (all segments sent again), such samples
		 * inflated the RTO to tens of seconds under loss.
		 */
		if (rtt_us)
			xtcp_timer_rtt_sample(sk, rtt_us);
		if (snd->cc->acked)
			snd->cc->acked(sk, rtt_us);
		if (snd->ca_state >= XTCP_CA_RECOVERY &&
		    xtcp_send_try_undo(sk, cb)) {
			/* back in the open state, with the window from before */
		} else if (snd->ca_state >= XTCP_CA_CWR &&
			   !xtcp_seq_before(ack, snd->recover)) {
			xtcp_send_recovered(sk);
		} else if (snd->ca_state == XTCP_CA_RECOVERY) {
			/* RFC 6582 partial ACK: the next hole is lost too */
			struct sk_buff *first = xtcp_send_first(sk);

			if (first && !xs->opt.sack_ok)
				xtcp_send_mark_lost(snd, first);
		}
		/* after the state is settled: an ECE may start a new cut */
		if (ece)
			xtcp_send_ecn_reduce(sk);
		if (snd->ca_state != XTCP_CA_RECOVERY &&
		    snd->ca_state != XTCP_CA_CWR && segs)
			snd->cc->cong_avoid(sk, segs);
		xtcp_timer_acked(sk, snd->packets_out);
		if (xtcp_send_reneged(sk))
			xtcp_timer_reneging(sk);
		sk->sk_write_space(sk);
	} else {
		/* a D-SACK may have shown the last retransmission needless */
		if (snd->ca_state >= XTCP_CA_RECOVERY && cb->opts.has_sack &&
		    !snd->undo_retrans)
			xtcp_send_try_undo(sk, cb);
		if (ece)
			xtcp_send_ecn_reduce(sk);
		if (pure && snd->wnd == old_wnd && snd->packets_out &&
		    !(cb->flags & (XTCP_FLAG_SYN | XTCP_FLAG_FIN)))
			xtcp_send_dupack(sk);
	}

	if (snd->ca_state < XTCP_CA_RECOVERY &&
	    (snd->dupacks >= snd->reordering ||
	     (xs->opt.sack_ok && snd->sacked_out >= snd->reordering)))
		xtcp_send_enter_recovery(sk);
	if (xs->opt.sack_ok && snd->sacked_out)
		xtcp_send_sack_losses(sk);
	if (snd->undo_on)
		snd->undo_sacked = max(snd->undo_sacked, snd->sacked_out);
	xtcp_send_push(sk);
	return 0;
}

/**
 * xtcp_send_rto() - the retransmission timer fired on outstanding data
 * @sk: the socket
 *
 * Whether to give up instead is the caller's decision (conn.c).
 */
void xtcp_send_rto(struct sock *sk)
{
	if (!xtcp_sk(sk)->snd.packets_out) {
		xtcp_send_push(sk);
		return;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_RTOS);
	xtcp_send_enter_loss(sk);
	xtcp_timer_rto_fired(sk);
	xtcp_send_push(sk);
}

/**
 * xtcp_send_enter_loss() - a timeout: everything out is deemed lost, and
 *	the window starts over from one segment (RFC 5681 3.1)
 * @sk: the socket, with data in flight
 *
 * The RTO's work, and a Fast Open child's when its SYN-ACK times out
 * with data behind it (the client drops that data until it has the
 * SYN-ACK). The caller arms the timer and pushes.
 */
void xtcp_send_enter_loss(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	struct sk_buff *skb;
	bool reneged;

	xtcp_send_undo_begin(snd);
	if (snd->ca_state != XTCP_CA_LOSS || !xs->tmr.retries)
		snd->ssthresh = snd->cc->ssthresh(sk);
	snd->cwnd = 1;
	snd->cwnd_cnt = 0;
	xtcp_cc_timeout(sk);
	xtcp_ecn_queue_cwr(sk);
	snd->recover = snd->nxt;
	snd->ca_state = XTCP_CA_LOSS;
	snd->dupacks = 0;
	/*
	 * RFC 2018 8: the segment at snd.una goes again even if SACKed.
	 * If it was, the peer dropped what it SACKed (a receiver short of
	 * memory prunes its out-of-order queue): no mark can be trusted,
	 * and every segment is resent, as Linux does.
	 */
	reneged = xtcp_send_reneged(sk);
	if (reneged)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SACKRENEGING);
	if (!xs->opt.sack_ok || reneged)
		snd->sacked_out = 0;
	/* everything out is lost, and no retransmission is in flight */
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

		if (skb == snd->head)
			break;
		if (reneged)
			cb->sacked &= ~XTCP_SKB_SACKED;
		if (cb->sacked & XTCP_SKB_RETRANS) {
			cb->sacked &= ~XTCP_SKB_RETRANS;
			snd->retrans_out--;
		}
		xtcp_send_mark_lost(snd, skb);
	}
}

/*
 * Cut a sent @skb, longer than @mss, into segments of @mss, every one
 * deemed lost: the network dropped the whole for its size (RFC 1191).
 * Return the last piece.
 */
static struct sk_buff *xtcp_send_refit(struct sock *sk, struct sk_buff *skb,
				       u32 mss)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	for (;;) {
		struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
		bool more = skb->len > mss && !xtcp_send_split(sk, skb, mss);

		/* a retransmission of it was lost the same way: send again */
		if (cb->sacked & XTCP_SKB_RETRANS) {
			cb->sacked &= ~XTCP_SKB_RETRANS;
			snd->retrans_out--;
		}
		xtcp_send_mark_lost(snd, skb);
		if (!more)
			return skb;
		skb = skb->next;
	}
}

/**
 * xtcp_send_mtu_reduced() - the path MTU fell: a smaller MSS, and what
 *	was too big for the path sent again at once
 * @sk: the socket, synchronized or in a handshake
 * @mtu: the path MTU now
 *
 * As Linux's tcp_simple_retransmit(), this is no congestion signal: cwnd
 * and ssthresh stay. The segments too big are marked lost and resent
 * (split to the new MSS) before new data; the loss state keeps their
 * duplicate ACKs from starting a fast retransmit.
 *
 * Return: true if the send MSS fell.
 */
bool xtcp_send_mtu_reduced(struct sock *sk, u32 mtu)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_snd *snd = &xs->snd;
	struct sk_buff *skb;
	bool lost = false;
	u32 mss;

	if (mtu <= sizeof(struct iphdr) + XTCP_HDR_LEN + XTCP_MIN_SND_MSS)
		return false;
	mss = mtu - sizeof(struct iphdr) - XTCP_HDR_LEN;
	if (mss >= snd->mss)
		return false;
	snd->mss = mss;
	if (!xtcp_send_state_ok(sk))
		return true;	/* a handshake: its SYNs are small */

	mss = xtcp_send_mss(xs);
	for (skb = skb_peek(&sk->sk_write_queue); skb && skb != snd->head;
	     skb = skb_queue_is_last(&sk->sk_write_queue, skb) ?
		   NULL : skb->next) {
		if (skb->len <= mss ||
		    (XTCP_SKB_CB(skb)->sacked & XTCP_SKB_SACKED))
			continue;
		skb = xtcp_send_refit(sk, skb, mss);
		lost = true;
	}
	if (lost && snd->ca_state != XTCP_CA_LOSS) {
		snd->ca_state = XTCP_CA_LOSS;
		snd->recover = snd->nxt;
		snd->dupacks = 0;
	}
	xtcp_send_push(sk);
	return true;
}

/* Wait for the handshake, or say why sending cannot start. */
static int xtcp_send_wait_connect(struct sock *sk, long *timeo)
{
	if (XTCPF(sk->sk_state) & (XTCPF(TCP_ESTABLISHED) |
				   XTCPF(TCP_CLOSE_WAIT)))
		return 0;
	/* a Fast Open child answers before the final ACK, as Linux's */
	if (sk->sk_state == TCP_SYN_RECV && xtcp_sk(sk)->fo_synack)
		return 0;
	return sk_stream_wait_connect(sk, timeo);
}

/* Make @skb the empty, unsent tail of the write queue, at write_seq. */
static void xtcp_send_enqueue(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	skb_reserve(skb, XTCP_SKB_HEADROOM);
	memset(XTCP_SKB_CB(skb), 0, sizeof(struct xtcp_skb_cb));
	XTCP_SKB_CB(skb)->seq = snd->write_seq;
	XTCP_SKB_CB(skb)->end_seq = snd->write_seq;
	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!snd->head)
		snd->head = skb;
}

/* A new, empty skb at the tail of the write queue, charged; or NULL. */
static struct sk_buff *xtcp_send_new_skb(struct sock *sk, u32 size)
{
	struct sk_buff *skb;

	if (!sk_stream_memory_free(sk))
		return NULL;
	/*
	 * Not sleeping first: a write takes one skb per segment, and an
	 * allocation that may sleep is a point where the writer yields
	 * the CPU (cond_resched), once per MSS where TCP's write reaches
	 * one per 64 kB. Only if that fails, what the socket allows.
	 */
	skb = alloc_skb(XTCP_SKB_HEADROOM + size, GFP_NOWAIT | __GFP_NOWARN);
	if (!skb)
		skb = alloc_skb(XTCP_SKB_HEADROOM + size, sk->sk_allocation);
	if (!skb)
		return NULL;
	/* not summed when copied in: output.c sums (or has summed) it */
	skb->ip_summed = CHECKSUM_PARTIAL;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		kfree_skb(skb);
		return NULL;
	}
	xtcp_send_enqueue(sk, skb);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	return skb;
}

/* The unsent tail skb, if it has room for more of this write. */
static struct sk_buff *xtcp_send_tail(struct sock *sk, u32 mss)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (!skb || XTCP_SKB_CB(skb)->tx_count || skb->len >= mss ||
	    (XTCP_SKB_CB(skb)->flags & XTCP_FLAG_FIN) ||
	    skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
		return NULL;
	return skb;
}

/*
 * Copy up to @len bytes of @msg into the socket's page fragment, as a
 * fragment at the end of @skb (the last one grows when the bytes follow
 * it in the same page), and charge them. @skb has a free fragment slot.
 *
 * Return: the bytes copied, or a negative errno (-ENOMEM: wait for
 * memory).
 */
static int xtcp_send_copy_frag(struct sock *sk, struct sk_buff *skb,
			       struct msghdr *msg, u32 len)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	bool merge;
	int err;

	if (!sk_page_frag_refill(sk, pfrag))
		return -ENOMEM;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	len = min_t(u32, len, pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, len))
		return -ENOMEM;
	err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
				       pfrag->offset, len);
	if (err)
		return err;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], len);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, len);
		get_page(pfrag->page);
	}
	pfrag->offset += len;
	XTCP_SKB_CB(skb)->end_seq += len;
	snd->write_seq += len;
	return len;
}

/* Copy @len bytes of @msg to the end of the linear @skb. */
static int xtcp_send_copy(struct sock *sk, struct sk_buff *skb,
			  struct msghdr *msg, u32 len)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	int off = skb->len;

	if (!copy_from_iter_full(skb_put(skb, len), len, &msg->msg_iter)) {
		skb_trim(skb, off);
		return -EFAULT;
	}
	XTCP_SKB_CB(skb)->end_seq += len;
	snd->write_seq += len;
	return 0;
}

/*
 * How much unsent data a write lets gather before it sends: the most one
 * GSO skb holds, in whole segments; a segment when there is no GSO.
 */
static u32 xtcp_send_goal(struct sock *sk, u32 mss)
{
	struct xtcp_send_run run;

	xtcp_send_run_init(sk, &run);
	if (run.max_segs < 2)
		return mss;
	return max(mss, rounddown(run.max_bytes, mss));
}

/*
 * A write that stopped (memory, a fault) may leave the new tail skb
 * empty: it goes, or Nagle's "nothing in flight" would send it as an
 * empty segment.
 */
static void xtcp_send_drop_empty(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (!skb || skb->len || XTCP_SKB_CB(skb)->tx_count ||
	    (XTCP_SKB_CB(skb)->flags & XTCP_FLAG_FIN))
		return;
	if (snd->head == skb)
		snd->head = NULL;
	__skb_unlink(skb, &sk->sk_write_queue);
	xtcp_send_free_skb(sk, skb);
}

/**
 * xtcp_send_msg() - sendmsg() on a connection; the socket lock is held
 * @sk: the socket
 * @msg: the data
 * @size: its length
 *
 * Blocks for the handshake and for send buffer space as TCP does
 * (SO_SNDTIMEO, MSG_DONTWAIT, signals), returning a partial count when
 * interrupted after copying something.
 *
 * Return: bytes queued, or a negative errno (EPIPE with SIGPIPE unless
 * MSG_NOSIGNAL, once the connection can send no more).
 */
int xtcp_send_msg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	long timeo = sock_sndtimeo(sk, msg->msg_flags & MSG_DONTWAIT);
	u32 mss, goal, fresh = 0;
	size_t room;
	size_t copied = 0;
	struct sk_buff *skb;
	int err;

	err = xtcp_send_wait_connect(sk, &timeo);
	if (err)
		goto out_err;
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto out_err;
	mss = xtcp_send_mss(xs);
	goal = xtcp_send_goal(sk, mss);

	while (msg_data_left(msg)) {
		skb = xtcp_send_tail(sk, mss);
		if (!skb) {
			/*
			 * Let in what arrived meanwhile now and then: ACKs
			 * free space, and data must not overflow the backlog
			 * while a long write holds the socket.
			 */
			if (++fresh % 16 == 0)
				sk_flush_backlog(sk);
			skb = xtcp_send_new_skb(sk, 0);
		}
		room = min_t(size_t, mss - (skb ? skb->len : 0),
			     msg_data_left(msg));
		err = skb ? xtcp_send_copy_frag(sk, skb, msg, room) : -ENOMEM;
		if (err == -ENOMEM) {
			xtcp_send_drop_empty(sk);
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			xtcp_send_push(sk);
			err = sk_stream_wait_memory(sk, &timeo);
			if (err)
				goto out_err;
			continue;
		}
		if (err < 0)
			goto out_err;
		copied += err;
		/*
		 * Full segments need not wait for the end of the write, but
		 * they go in runs, one GSO skb each: once a run is unsent.
		 */
		if (skb->len >= mss && xtcp_send_unsent(sk) >= goal)
			xtcp_send_push(sk);
	}
	xtcp_send_push(sk);
	return copied;

out_err:
	xtcp_send_drop_empty(sk);
	if (copied) {
		xtcp_send_push(sk);
		return copied;
	}
	return sk_stream_error(sk, msg->msg_flags, err);
}

/**
 * xtcp_send_syn_data() - queue the first bytes of @msg for a Fast Open SYN
 * @sk: the socket in SYN_SENT, its SYN not sent yet; the lock held
 * @msg: the data
 * @len: how much of it the SYN carries
 *
 * The bytes go on the write queue at ISS + 1, as sent (snd.head stays
 * NULL): the SYN carries them (conn.c), and only the SYN-ACK decides
 * whether they were received (xtcp_send_syn_data_left()).
 *
 * Return: @len, or a negative errno.
 */
int xtcp_send_syn_data(struct sock *sk, struct msghdr *msg, u32 len)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb;
	int err;

	snd->write_seq = snd->iss + 1;
	skb = xtcp_send_new_skb(sk, len);
	if (!skb)
		return -ENOBUFS;
	snd->head = NULL;
	err = xtcp_send_copy(sk, skb, msg, len);
	if (err) {
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_send_free_skb(sk, skb);
		snd->write_seq = snd->iss + 1;
		return err;
	}
	return len;
}

/**
 * xtcp_send_syn_data_left() - after the SYN-ACK, what of the SYN's data
 * its ACK did not cover, to be sent again at once
 * @sk: the socket, just synchronized (xtcp_send_init() done, snd.una at
 *	the SYN-ACK's ACK)
 *
 * Return: true if data is left: it is the next to send.
 */
bool xtcp_send_syn_data_left(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct xtcp_skb_cb *cb;
	u32 acked;

	if (!skb)
		return false;
	cb = XTCP_SKB_CB(skb);
	if (!xtcp_seq_after(cb->end_seq, snd->una)) {
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_send_free_skb(sk, skb);
		return false;
	}
	acked = snd->una - cb->seq;
	if ((int)acked > 0) {
		/* a part came: the rest is sent from there */
		skb_pull(skb, acked);
		cb->seq = snd->una;
	}
	snd->head = skb;
	snd->write_seq = cb->end_seq;
	return true;
}

/*
 * Charge a FIN's skb to the socket if memory allows. The close must
 * happen whatever the memory state (TCP forces the charge, with a
 * helper modules cannot reach): an skb memory refused goes uncharged,
 * and its free knows.
 */
static void xtcp_send_charge_fin(struct sock *sk, struct sk_buff *skb)
{
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		XTCP_SKB_CB(skb)->uncharged = 1;
		return;
	}
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
}

/**
 * xtcp_send_fin() - queue our FIN after everything written, and push
 * @sk: the socket, ESTABLISHED or CLOSE_WAIT going to FIN_WAIT_1 or
 *	LAST_ACK; process context (close, shutdown)
 *
 * The FIN rides on the last unsent segment, or goes alone in a new one;
 * either way it is retransmitted like data until acknowledged.
 */
void xtcp_send_fin(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (snd->fin_queued)
		return;
	if (!skb || XTCP_SKB_CB(skb)->tx_count) {
		/* a segment sent once never grows: a new one */
		skb = alloc_skb(XTCP_SKB_HEADROOM, GFP_KERNEL | __GFP_NOFAIL);
		xtcp_send_enqueue(sk, skb);
		xtcp_send_charge_fin(sk, skb);
	}
	XTCP_SKB_CB(skb)->flags |= XTCP_FLAG_FIN;
	XTCP_SKB_CB(skb)->end_seq++;
	snd->write_seq++;
	snd->fin_queued = 1;
	xtcp_send_push(sk);
}

/**
 * xtcp_send_purge() - drop everything queued for sending
 * @sk: the socket
 */
void xtcp_send_purge(struct sock *sk)
{
	struct xtcp_snd *snd = &xtcp_sk(sk)->snd;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		xtcp_send_free_skb(sk, skb);
	snd->head = NULL;
	snd->packets_out = 0;
	snd->sacked_out = 0;
	snd->lost_out = 0;
	snd->retrans_out = 0;
	sk_mem_reclaim(sk);
}

/**
 * xtcp_send_unsent() - bytes queued and never sent (SIOCOUTQNSD)
 * @sk: the socket
 *
 * Return: the count.
 */
u32 xtcp_send_unsent(const struct sock *sk)
{
	const struct xtcp_snd *snd = &xtcp_sk(sk)->snd;

	return snd->write_seq - snd->nxt;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/send_test.c"
#endif
