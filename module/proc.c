// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/xtcp: one line per listener, connection and request sock of
 * the reader's namespace, human-readable:
 *
 *   sl local  remote  state  recvq sendq synq timer when retr uid inode
 *
 * For a listener recvq is the accept queue, sendq the effective backlog
 * (listen()'s argument after the somaxconn clamp) and synq the number of
 * request socks. "when" is the time to the timer in ms. TIME_WAIT
 * entries (and orphans' FIN_WAIT_2 entries) show timer "tw" and the time
 * they have left; they belong to nobody (uid 0, inode 0).
 *
 * The file is world-readable and the ehash is shared by every namespace
 * (up to 1M buckets), so a read must not cost a walk of it per page: a
 * cursor (table.c's *_seek functions) remembers where the last page
 * ended, as /proc/net/tcp's iterator does, and RCU is held only while a
 * page is filled, never while it is copied out.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/seq_file_net.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

struct xtcp_proc_iter {
	struct seq_net_private p;	/* first, for seq_file_net() */
	struct seq_file *seq;
	int sl;
	/* the cursor: the entry at position @pos of the file is under it */
	struct xtcp_table_cursor cur;
	bool in_ehash;			/* past the listeners */
	loff_t pos;
};

/* What a connection's retransmit timer is armed for (enum xtcp_timer_kind). */
static const char *const xtcp_proc_timers[] = {
	[XTCP_TIMER_NONE]	= "none",
	[XTCP_TIMER_SYN]	= "syn",
	[XTCP_TIMER_RTO]	= "rto",
	[XTCP_TIMER_PROBE]	= "probe",
};

static const char *xtcp_proc_state(int state)
{
	switch (state) {
	case TCP_ESTABLISHED:	return "ESTABLISHED";
	case TCP_SYN_SENT:	return "SYN_SENT";
	case TCP_SYN_RECV:	return "SYN_RECV";
	case TCP_CLOSE:		return "CLOSE";
	case TCP_LISTEN:	return "LISTEN";
	case TCP_FIN_WAIT1:	return "FIN_WAIT1";
	case TCP_FIN_WAIT2:	return "FIN_WAIT2";
	case TCP_TIME_WAIT:	return "TIME_WAIT";
	case TCP_CLOSE_WAIT:	return "CLOSE_WAIT";
	case TCP_LAST_ACK:	return "LAST_ACK";
	case TCP_CLOSING:	return "CLOSING";
	default:		return "?";
	}
}

static long xtcp_proc_when(const struct timer_list *t)
{
	if (!timer_pending(t))
		return 0;
	return jiffies_to_msecs(max_t(long, READ_ONCE(t->expires) - jiffies, 0));
}

static void xtcp_proc_line(struct xtcp_proc_iter *it, __be32 laddr,
			   __be16 lport, __be32 raddr, __be16 rport,
			   int state, u32 recvq, u32 sendq, u32 synq,
			   const char *timer, long when, int retr,
			   struct sock *owner, unsigned long ino)
{
	struct seq_file *seq = it->seq;
	char local[24], remote[24];

	snprintf(local, sizeof(local), "%pI4:%u", &laddr, ntohs(lport));
	snprintf(remote, sizeof(remote), "%pI4:%u", &raddr, ntohs(rport));
	seq_printf(seq, "%4d %-21s %-21s %-11s %5u %5u %5u %-6s %8ld %4d %5u %8lu\n",
		   it->sl++, local, remote, xtcp_proc_state(state), recvq,
		   sendq, synq, timer, when, retr,
		   from_kuid_munged(seq_user_ns(seq),
				    owner ? sock_i_uid(owner) : GLOBAL_ROOT_UID),
		   ino);
}

static bool xtcp_proc_listener(struct sock *sk, void *arg)
{
	struct inet_sock *inet = inet_sk(sk);

	xtcp_proc_line(arg, inet->inet_rcv_saddr, inet->inet_sport, 0, 0,
		       TCP_LISTEN, READ_ONCE(sk->sk_ack_backlog),
		       READ_ONCE(sk->sk_max_ack_backlog), xtcp_accept_synq_len(sk),
		       "none", 0, 0, sk, sock_i_ino(sk));
	return true;
}

static bool xtcp_proc_conn(struct xtcp_ehash_node *eh, void *arg)
{
	struct xtcp_request *req;
	struct xtcp_sock *xs;
	struct sock *sk;
	u8 kind;

	if (eh->kind == XTCP_EH_TW) {
		struct xtcp_tw *tw = xtcp_eh_tw(eh);

		xtcp_proc_line(arg, eh->laddr, eh->lport, eh->raddr, eh->rport,
			       READ_ONCE(tw->substate), 0, 0, 0, "tw",
			       jiffies_to_msecs(xtcp_tw_remaining(tw)), 0,
			       NULL, 0);
		return true;
	}
	if (eh->kind == XTCP_EH_REQ) {
		req = xtcp_eh_req(eh);
		xtcp_proc_line(arg, eh->laddr, eh->lport, eh->raddr, eh->rport,
			       TCP_SYN_RECV, 0, 0, 0, "synack",
			       xtcp_proc_when(&req->timer),
			       READ_ONCE(req->num_retrans), req->listener, 0);
		return true;
	}
	sk = xtcp_eh_sk(eh);
	xs = xtcp_sk(sk);
	/* read without the socket lock: a snapshot, as /proc/net/tcp's */
	kind = READ_ONCE(xs->tmr.pending);
	if (!timer_pending(&sk->sk_timer) || kind >= ARRAY_SIZE(xtcp_proc_timers))
		kind = XTCP_TIMER_NONE;
	if (kind == XTCP_TIMER_NONE && timer_pending(&xs->tmr.keepalive)) {
		xtcp_proc_line(arg, eh->laddr, eh->lport, eh->raddr, eh->rport,
			       READ_ONCE(sk->sk_state), xtcp_recv_readable(sk),
			       READ_ONCE(xs->snd.write_seq) - READ_ONCE(xs->snd.una),
			       0, "keepalive", xtcp_proc_when(&xs->tmr.keepalive),
			       READ_ONCE(xs->tmr.ka_probes), sk, sock_i_ino(sk));
		return true;
	}
	xtcp_proc_line(arg, eh->laddr, eh->lport, eh->raddr, eh->rport,
		       READ_ONCE(sk->sk_state), xtcp_recv_readable(sk),
		       READ_ONCE(xs->snd.write_seq) - READ_ONCE(xs->snd.una), 0,
		       xtcp_proc_timers[kind], xtcp_proc_when(&sk->sk_timer),
		       kind == XTCP_TIMER_SYN ? READ_ONCE(xs->tmr.syn_retries) :
						READ_ONCE(xs->tmr.backoff),
		       sk, sock_i_ino(sk));
	return true;
}

/* The entry under the cursor, or the next one: listeners, then the ehash. */
static void *xtcp_proc_seek(struct xtcp_proc_iter *it)
{
	struct net *net = seq_file_net(it->seq);
	struct sock *sk;

	if (!it->in_ehash) {
		sk = xtcp_table_listen_seek(net, &it->cur);
		if (sk)
			return sk;
		it->in_ehash = true;
		it->cur = (struct xtcp_table_cursor){ };
	}
	return xtcp_table_ehash_seek(net, &it->cur);
}

static void *xtcp_proc_first(struct xtcp_proc_iter *it)
{
	it->in_ehash = false;
	it->cur = (struct xtcp_table_cursor){ };
	return xtcp_proc_seek(it);
}

static void *xtcp_proc_after(struct xtcp_proc_iter *it)
{
	it->cur.skip++;
	return xtcp_proc_seek(it);
}

static void *xtcp_proc_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct xtcp_proc_iter *it = seq->private;
	void *v;
	loff_t n;

	rcu_read_lock();
	it->seq = seq;
	if (!*pos)
		return SEQ_START_TOKEN;
	/*
	 * Where the last page stopped (the entry that did not fit, or the
	 * end): from the cursor. Anywhere else (lseek): from the top.
	 */
	if (*pos == it->pos)
		return xtcp_proc_seek(it);
	v = xtcp_proc_first(it);
	for (n = 1; v && n < *pos; n++)
		v = xtcp_proc_after(it);
	it->pos = *pos;
	return v;
}

static void *xtcp_proc_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct xtcp_proc_iter *it = seq->private;

	++*pos;
	v = v == SEQ_START_TOKEN ? xtcp_proc_first(it) : xtcp_proc_after(it);
	it->pos = *pos;
	return v;
}

static void xtcp_proc_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int xtcp_proc_show(struct seq_file *seq, void *v)
{
	struct xtcp_proc_iter *it = seq->private;

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "%4s %-21s %-21s %-11s %5s %5s %5s %-6s %8s %4s %5s %8s\n",
			   "sl", "local", "remote", "state", "recvq", "sendq",
			   "synq", "timer", "when", "retr", "uid", "inode");
		return 0;
	}
	it->sl = it->pos - 1;
	if (it->in_ehash)
		xtcp_proc_conn(v, it);
	else
		xtcp_proc_listener(v, it);
	return 0;
}

static const struct seq_operations xtcp_proc_seq_ops = {
	.start	= xtcp_proc_start,
	.next	= xtcp_proc_next,
	.stop	= xtcp_proc_stop,
	.show	= xtcp_proc_show,
};

/**
 * xtcp_proc_net_init() - create /proc/net/xtcp in @net
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_net_init(struct net *net)
{
	if (!proc_create_net("xtcp", 0444, net->proc_net, &xtcp_proc_seq_ops,
			     sizeof(struct xtcp_proc_iter)))
		return -ENOMEM;
	return 0;
}

/**
 * xtcp_proc_net_exit() - remove /proc/net/xtcp from @net
 * @net: namespace
 */
void xtcp_proc_net_exit(struct net *net)
{
	remove_proc_entry("xtcp", net->proc_net);
}
