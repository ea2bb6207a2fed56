// SPDX-License-Identifier: GPL-2.0
/*
 * The IPPROTO_TCP (SOL_TCP) socket options on xtcp sockets, so that code
 * written for TCP ports by changing only the address family: what each
 * accepts, returns and answers with is TCP's (net/ipv4/tcp.c), for the
 * options xtcp implements. Any other TCP option gives ENOPROTOOPT: never
 * a silent success for something xtcp does not do.
 */
#include <linux/tcp.h>
#include <linux/uaccess.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

/* Linux's bounds for TCP_MAXSEG and TCP_WINDOW_CLAMP. */
#define XTCP_SOCKOPT_MIN_MSS	88
/* ... and for the keepalive options and TCP_SYNCNT (seconds, counts) */
#define XTCP_SOCKOPT_MAX_KEEPIDLE	32767
#define XTCP_SOCKOPT_MAX_KEEPCNT	127
#define XTCP_SOCKOPT_MAX_SYNCNT		127

static int xtcp_sockopt_set_cc(struct sock *sk, sockptr_t optval,
			       unsigned int optlen)
{
	char name[XTCP_CC_NAME_MAX];
	const struct xtcp_cc_ops *ops;

	if (optlen < 1)
		return -EINVAL;
	optlen = min_t(unsigned int, optlen, sizeof(name) - 1);
	if (copy_from_sockptr(name, optval, optlen))
		return -EFAULT;
	name[optlen] = '\0';
	ops = xtcp_cc_find(name);
	if (!ops)
		return -ENOENT;		/* TCP's answer for an unknown name */
	lock_sock(sk);
	xtcp_cc_set(sk, ops);
	release_sock(sk);
	return 0;
}

/*
 * TCP_FASTOPEN_KEY: the primary key, or primary and backup, in Linux's
 * 16- or 32-byte format. Linux keeps a key per listener; xtcp's key is
 * the namespace's (fastopen.c), so setting it takes CAP_NET_ADMIN there,
 * as writing Linux's tcp_fastopen_key sysctl does.
 */
static int xtcp_sockopt_set_fo_key(struct sock *sk, sockptr_t optval,
				   unsigned int optlen)
{
	u8 key[2 * XTCP_FASTOPEN_KEY_LEN];
	struct net *net = sock_net(sk);
	int err;

	if (optlen != XTCP_FASTOPEN_KEY_LEN &&
	    optlen != 2 * XTCP_FASTOPEN_KEY_LEN)
		return -EINVAL;
	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_sockptr(key, optval, optlen))
		return -EFAULT;
	err = xtcp_fastopen_set_key(net, key, optlen);
	memzero_explicit(key, sizeof(key));
	return err;
}

/* An int option; the socket lock is held. */
static int xtcp_sockopt_set_int(struct sock *sk, int optname, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	switch (optname) {
	case TCP_FASTOPEN:
		/* a listener's qlen, set before or after listen(), as TCP */
		if (val < 0 || !((1 << sk->sk_state) &
				 ((1 << TCP_CLOSE) | (1 << TCP_LISTEN))))
			return -EINVAL;
		WRITE_ONCE(xs->lsn.fo_qlen,
			   min_t(unsigned int, val,
				 READ_ONCE(sock_net(sk)->core.sysctl_somaxconn)));
		return 0;
	case TCP_FASTOPEN_CONNECT:
		/* as TCP: only with the client bit on, before connect() */
		if (val < 0 || val > 1)
			return -EINVAL;
		if (!(XTCP_SYSCTL(sock_net(sk), fastopen) &
		      XTCP_FASTOPEN_CLIENT))
			return -EOPNOTSUPP;
		if (sk->sk_state != TCP_CLOSE)
			return -EINVAL;
		xs->foc.connect = val;
		return 0;
	case TCP_NODELAY:
		xs->snd.nodelay = !!val;
		if (val)
			xtcp_send_push(sk);
		return 0;
	case TCP_CORK:
		xs->snd.cork = !!val;
		if (!val)
			xtcp_send_push(sk);
		return 0;
	case TCP_QUICKACK:
		/*
		 * Not sticky, as in TCP: 1 ACKs at once for a while and ends
		 * the conversation mode; 0 enters it (ACKs wait for answers).
		 */
		if (!val) {
			xs->rcv.quick = 0;
			xs->rcv.pingpong = 1;
			return 0;
		}
		xs->rcv.pingpong = 0;
		xs->rcv.quick = max_t(u8, xs->rcv.quick, 16);
		if (xs->rcv.delack_due && sk->sk_state == TCP_ESTABLISHED)
			xtcp_send_ack(sk);
		return 0;
	case TCP_MAXSEG:
		if (val && (val < XTCP_SOCKOPT_MIN_MSS || val > 65535))
			return -EINVAL;
		xs->snd.user_mss = val;
		return 0;
	case TCP_WINDOW_CLAMP:
		if (val < 0)
			return -EINVAL;
		if (!val && sk->sk_state != TCP_CLOSE)
			return -EINVAL;
		xs->rcv.window_clamp = val ? max(val, SOCK_MIN_RCVBUF / 2) : 0;
		return 0;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_SOCKOPT_MAX_KEEPIDLE)
			return -EINVAL;
		WRITE_ONCE(xs->tmr.ka_idle, val * HZ);
		xtcp_conn_keepalive_reset(sk);
		return 0;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_SOCKOPT_MAX_KEEPIDLE)
			return -EINVAL;
		WRITE_ONCE(xs->tmr.ka_intvl, val * HZ);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_SOCKOPT_MAX_KEEPCNT)
			return -EINVAL;
		WRITE_ONCE(xs->tmr.ka_count, val);
		return 0;
	case TCP_SYNCNT:
		if (val < 1 || val > XTCP_SOCKOPT_MAX_SYNCNT)
			return -EINVAL;
		WRITE_ONCE(xs->tmr.syn_count, val);
		return 0;
	case TCP_USER_TIMEOUT:
		/* milliseconds; 0 turns it off (RFC 5482) */
		if (val < 0)
			return -EINVAL;
		WRITE_ONCE(xs->tmr.user_timeout, msecs_to_jiffies(val));
		return 0;
	case TCP_LINGER2:
		/* < 0: an orphan in FIN_WAIT_2 is reset; 0: fin_timeout */
		if (val < 0)
			WRITE_ONCE(xs->tmr.linger2, -1);
		else if (val > XTCP_FIN_TIMEOUT_MAX / HZ)
			WRITE_ONCE(xs->tmr.linger2, XTCP_FIN_TIMEOUT_MAX);
		else
			WRITE_ONCE(xs->tmr.linger2, val * HZ);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/**
 * xtcp_sockopt_set() - setsockopt(IPPROTO_TCP, ...)
 * @sk: the socket
 * @optname: TCP_*
 * @optval: the value
 * @optlen: its length
 *
 * Return: 0 or TCP's errno.
 */
int xtcp_sockopt_set(struct sock *sk, int optname, sockptr_t optval,
		     unsigned int optlen)
{
	int val, err;

	if (optname == TCP_CONGESTION)
		return xtcp_sockopt_set_cc(sk, optval, optlen);
	if (optname == TCP_FASTOPEN_KEY)
		return xtcp_sockopt_set_fo_key(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	err = xtcp_sockopt_set_int(sk, optname, val);
	release_sock(sk);
	return err;
}

/* TCP_INFO, for the fields xtcp has; the socket lock is held. */
static void xtcp_sockopt_info(struct sock *sk, struct tcp_info *ti)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 state = sk->sk_state;

	memset(ti, 0, sizeof(*ti));
	ti->tcpi_state = state;
	if (state == TCP_LISTEN) {
		/* as Linux: the accept queue and the backlog in force */
		ti->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		ti->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	ti->tcpi_ca_state = xs->snd.ca_state;
	ti->tcpi_retransmits = xs->tmr.retries;
	ti->tcpi_probes = xs->tmr.probes;
	ti->tcpi_backoff = xs->tmr.backoff;
	if (xs->opt.tstamp_ok)
		ti->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xs->opt.sack_ok)
		ti->tcpi_options |= TCPI_OPT_SACK;
	/* as Linux: our SYN's data was acknowledged by the SYN-ACK */
	if (xs->foc.data_acked)
		ti->tcpi_options |= TCPI_OPT_SYN_DATA;
	if (xs->opt.ecn_ok && state != TCP_SYN_SENT)
		ti->tcpi_options |= TCPI_OPT_ECN;
	if (xs->ecn_flags & XTCP_ECN_SEEN)
		ti->tcpi_options |= TCPI_OPT_ECN_SEEN;
	if (xs->opt.wscale_ok) {
		ti->tcpi_options |= TCPI_OPT_WSCALE;
		ti->tcpi_snd_wscale = xs->opt.snd_wscale;
		ti->tcpi_rcv_wscale = xs->opt.rcv_wscale;
	}
	ti->tcpi_rto = jiffies_to_usecs(xs->tmr.rto << min_t(u8, xs->tmr.backoff, 10));
	ti->tcpi_ato = jiffies_to_usecs(HZ / 25);
	ti->tcpi_snd_mss = xtcp_send_mss(xs);
	ti->tcpi_rcv_mss = xs->rcv.mss;
	ti->tcpi_unacked = xs->snd.packets_out;
	ti->tcpi_sacked = xs->snd.sacked_out;
	ti->tcpi_lost = xs->snd.lost_out;
	ti->tcpi_retrans = xs->snd.retrans_out;
	ti->tcpi_rtt = xs->tmr.srtt_us >> 3;
	ti->tcpi_rttvar = xs->tmr.rttvar_us >> 2;
	ti->tcpi_snd_ssthresh = min_t(u32, xs->snd.ssthresh, 0xffff);
	ti->tcpi_snd_cwnd = xs->snd.cwnd;
	ti->tcpi_advmss = xs->rcv.advmss;
	ti->tcpi_reordering = xs->snd.reordering;
	ti->tcpi_rcv_space = xs->rcv.wnd;
	ti->tcpi_total_retrans = xs->snd.total_retrans;
	ti->tcpi_bytes_acked = xs->snd.bytes_acked;
	ti->tcpi_bytes_received = xs->rcv.bytes_received;
	ti->tcpi_segs_out = xs->snd.segs_out;
	ti->tcpi_data_segs_out = xs->snd.data_segs_out;
	ti->tcpi_segs_in = xs->rcv.segs_in;
	ti->tcpi_data_segs_in = xs->rcv.data_segs_in;
	ti->tcpi_notsent_bytes = xtcp_send_unsent(sk);
	ti->tcpi_min_rtt = xs->tmr.rtt_min_us;
	ti->tcpi_bytes_sent = xs->snd.bytes_sent;
	ti->tcpi_snd_wnd = xs->snd.wnd;
	ti->tcpi_dsack_dups = xs->snd.dsack_dups;
	ti->tcpi_reord_seen = xs->snd.reord_seen;
}

/**
 * xtcp_sockopt_get() - getsockopt(IPPROTO_TCP, ...)
 * @sk: the socket
 * @optname: TCP_*
 * @optval: where to
 * @optlen: in: room, out: length written
 *
 * Return: 0 or TCP's errno.
 */
int xtcp_sockopt_get(struct sock *sk, int optname, char __user *optval,
		     int __user *optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	char cc[XTCP_CC_NAME_MAX] = {};
	struct tcp_info ti;
	int len, val;
	void *src = &val;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == TCP_FASTOPEN_KEY) {
		u8 key[2 * XTCP_FASTOPEN_KEY_LEN];

		len = min_t(int, len, xtcp_fastopen_get_key(sock_net(sk), key));
		val = put_user(len, optlen) || copy_to_user(optval, key, len);
		memzero_explicit(key, sizeof(key));
		return val ? -EFAULT : 0;
	}
	lock_sock(sk);
	switch (optname) {
	case TCP_FASTOPEN:
		val = READ_ONCE(xs->lsn.fo_qlen);
		break;
	case TCP_FASTOPEN_CONNECT:
		val = xs->foc.connect;
		break;
	case TCP_NODELAY:
		val = xs->snd.nodelay;
		break;
	case TCP_CORK:
		val = xs->snd.cork;
		break;
	case TCP_QUICKACK:
		val = !xs->rcv.pingpong;	/* as TCP answers */
		break;
	case TCP_MAXSEG:
		val = xtcp_send_mss(xs);
		if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN)
			val = xs->snd.user_mss ? : XTCP_MSS_DEFAULT;
		break;
	case TCP_WINDOW_CLAMP:
		val = xs->rcv.window_clamp;
		break;
	case TCP_KEEPIDLE:
		val = (xs->tmr.ka_idle ? :
		       XTCP_SYSCTL(sock_net(sk), keepalive_time) * HZ) / HZ;
		break;
	case TCP_KEEPINTVL:
		val = (xs->tmr.ka_intvl ? :
		       XTCP_SYSCTL(sock_net(sk), keepalive_intvl) * HZ) / HZ;
		break;
	case TCP_KEEPCNT:
		val = xs->tmr.ka_count ? :
		      XTCP_SYSCTL(sock_net(sk), keepalive_probes);
		break;
	case TCP_SYNCNT:
		val = xs->tmr.syn_count ? : XTCP_SYSCTL(sock_net(sk), syn_retries);
		break;
	case TCP_USER_TIMEOUT:
		val = jiffies_to_msecs(xs->tmr.user_timeout);
		break;
	case TCP_LINGER2:
		val = xs->tmr.linger2;
		if (val >= 0)
			val = (val ? : XTCP_SYSCTL(sock_net(sk), fin_timeout) * HZ) / HZ;
		break;
	case TCP_CONGESTION:
		strscpy(cc, xs->snd.cc->name, sizeof(cc));
		src = cc;
		len = min_t(int, len, sizeof(cc));
		release_sock(sk);
		goto copy;
	case TCP_INFO:
		xtcp_sockopt_info(sk, &ti);
		src = &ti;
		len = min_t(int, len, sizeof(ti));
		release_sock(sk);
		goto copy;
	default:
		release_sock(sk);
		return -ENOPROTOOPT;
	}
	release_sock(sk);
	len = min_t(int, len, sizeof(val));
copy:
	if (put_user(len, optlen) || copy_to_user(optval, src, len))
		return -EFAULT;
	return 0;
}
