// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_XTCP socket layer: what a program reaches through the socket
 * calls. Semantics, errno values and poll events are TCP's (the calls
 * follow net/ipv4/af_inet.c's stream paths), except where noted.
 *
 * A socket is an inet_sock underneath, so that the IPv4 output path can
 * send for it, but its family is AF_XTCP and every call lands here.
 */
#include <linux/bpf-cgroup.h>
#include <linux/capability.h>
#include <linux/in.h>
#include <linux/mm.h>
#include <linux/percpu_counter.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <linux/tcp.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/socket.h>
#include <net/inet_sock.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

#define XTCPF(state)	(1 << (state))

/*
 * Socket memory, module-wide, as TCP's tcp_mem: pages all xtcp sockets
 * may hold (low, pressure, high), set from RAM at load. Per socket,
 * SO_SNDBUF and SO_RCVBUF bound the queues; the send side's default and
 * the floors under memory pressure are xtcp_wmem and xtcp_rmem {min,
 * default, max}, as tcp_wmem and tcp_rmem, in bytes. The receive side's
 * default and max are the namespace's rmem sysctl, which auto-tuning and
 * the window scale read.
 */
static atomic_long_t xtcp_memory_allocated;
static DEFINE_PER_CPU(int, xtcp_memory_per_cpu_fw_alloc);
static struct percpu_counter xtcp_sockets_allocated;
static unsigned long xtcp_memory_pressure;
static long xtcp_mem[3];
static int xtcp_wmem[3] = { 4096, 1 << 20, 4 << 20 };
static int xtcp_rmem[3] = { 4096, 1 << 20, 6 << 20 };

static void xtcp_sock_enter_memory_pressure(struct sock *sk)
{
	if (!READ_ONCE(xtcp_memory_pressure)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_MEMORYPRESSURES);
		WRITE_ONCE(xtcp_memory_pressure, 1);
	}
}

static void xtcp_sock_leave_memory_pressure(struct sock *sk)
{
	WRITE_ONCE(xtcp_memory_pressure, 0);
}

/* Addresses come as sockaddr_in with AF_XTCP, or AF_INET for porting. */
static bool xtcp_sock_family_ok(sa_family_t family)
{
	return family == xtcp_family || family == AF_INET;
}

static void xtcp_sock_destruct(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	/* a socket freed while still findable would be a use-after-free */
	WARN_ON_ONCE(xs->eh.hashed || xs->bound ||
		     !hlist_nulls_unhashed(&xs->listen_node));
	/* what a peer sent and nobody read; nothing is left to send */
	xtcp_recv_purge(sk);
	xtcp_send_purge(sk);
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc) || sk->sk_wmem_queued ||
		     sk->sk_forward_alloc);
	sk_sockets_allocated_dec(sk);
	if (xs->orphan_counted)
		XTCP_DEC_STATS(sock_net(sk), XTCP_MIB_CURRORPHANS);
	/*
	 * The route it last sent on, as inet_sock_destruct() drops it: a
	 * child reset by its closing listener never went through
	 * disconnect's sk_dst_reset().
	 */
	dst_release(rcu_dereference_protected(sk->sk_dst_cache, 1));
}

/*
 * Back to CLOSE, as TCP's disconnect: a listener stops listening, a
 * handshake stops, a connection is reset. A port that bind() chose is
 * kept, one that connect() or listen() chose is given back. The socket
 * lock is held.
 *
 * As tcp_disconnect(): a stopped handshake or a reset connection reports
 * ECONNRESET, and everyone waiting is told (a connect() or accept()
 * blocked in another thread, poll and epoll, SIGIO).
 */
static void xtcp_sock_disconnect(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	int old = sk->sk_state;

	if (old == TCP_LISTEN) {
		xtcp_listen_stop(sk);
	} else {
		/* as tcp_disconnect(): whatever owed the peer more, resets */
		if (xtcp_conn_need_reset(old) || old == TCP_SYN_SENT ||
		    ((XTCPF(old) & (XTCPF(TCP_CLOSING) | XTCPF(TCP_LAST_ACK))) &&
		     xtcp_sk(sk)->snd.nxt != xtcp_sk(sk)->snd.write_seq))
			WRITE_ONCE(sk->sk_err, ECONNRESET);
		xtcp_conn_abort(sk);
	}
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK))
		xtcp_table_unbind(sk);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_saddr = 0;
		inet->inet_rcv_saddr = 0;
	}
	sk_dst_reset(sk);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sk_error_report(sk);
}

/*
 * close(): a listener stops, a connection closes as TCP's does (FIN, or
 * RST by TCP's rules) and lives on as an orphan until it is done. The
 * socket's own reference goes here; the ehash's keeps an orphan alive.
 */
static int xtcp_sock_close(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;

	/* SO_LINGER waits in close(), unless the process is exiting */
	if (sock_flag(sk, SOCK_LINGER) && !(current->flags & PF_EXITING))
		timeout = sk->sk_lingertime;
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN)
		xtcp_sock_disconnect(sk);
	else
		xtcp_conn_close(sk, timeout);
	sock_orphan(sk);
	xtcp_conn_orphaned(sk);
	if (sk->sk_state == TCP_CLOSE)
		xtcp_table_unbind(sk);
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/*
 * The cgroup's sock_release programs (BPF_CGROUP_INET_SOCK_RELEASE) see a
 * user socket's close as inet_release() shows them TCP's: the kernel checks
 * no family there. A socket whose creation failed never gets here, as in
 * inet_create().
 */
static int xtcp_sock_release(struct socket *sock)
{
	if (sock->sk && !sock->sk->sk_kern_sock)
		BPF_CGROUP_RUN_PROG_INET_SOCK_RELEASE(sock->sk);
	return xtcp_sock_close(sock);
}

/*
 * The cgroup's post_bind4 programs (BPF_CGROUP_INET4_POST_BIND) judge the
 * address and port bind() gave, as __inet_bind() lets them judge TCP's.
 * The kernel checks no family there, and what they read (family, type,
 * protocol, addresses, ports) an xtcp socket has as any inet socket does.
 * A refusal gives the port back: EPERM. The socket lock is held.
 */
static int xtcp_sock_cgroup_post_bind(struct sock *sk)
{
	int err = BPF_CGROUP_RUN_PROG_INET4_POST_BIND(sk);

	if (err)
		xtcp_table_unbind(sk);
	return err;
}

static int xtcp_sock_bind(struct socket *sock, struct sockaddr *uaddr,
			  int addr_len)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	struct net *net = sock_net(sk);
	__be32 addr;
	int chk, err;
	u16 port;

	if (addr_len < (int)sizeof(*sin))
		return -EINVAL;
	addr = sin->sin_addr.s_addr;
	if (!xtcp_sock_family_ok(sin->sin_family) &&
	    /* like TCP: AF_UNSPEC is tolerated for the wildcard address */
	    (sin->sin_family != AF_UNSPEC || addr != htonl(INADDR_ANY)))
		return -EAFNOSUPPORT;

	chk = inet_addr_type(net, addr);
	if (!inet_addr_valid_or_nonlocal(net, inet, addr, chk))
		return -EADDRNOTAVAIL;
	port = ntohs(sin->sin_port);
	if (port && inet_port_requires_bind_service(net, port) &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || xtcp_sk(sk)->bound)
		goto out;
	inet->inet_rcv_saddr = addr;
	inet->inet_saddr = addr;
	/* send from the device's address to broadcast/multicast binds */
	if (chk == RTN_MULTICAST || chk == RTN_BROADCAST)
		inet->inet_saddr = 0;
	/*
	 * IP_BIND_ADDRESS_NO_PORT: the address now, the port at connect(),
	 * which then picks it for the 4-tuple as for an unbound socket.
	 */
	err = 0;
	if (port || !xtcp_inet_bind_no_port(sk))
		err = xtcp_table_bind(sk, port) ?:
		      xtcp_sock_cgroup_post_bind(sk);
	if (err) {
		inet->inet_rcv_saddr = 0;
		inet->inet_saddr = 0;
		goto out;
	}
	if (addr)
		sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	/* as TCP: a port bind(0) chose goes back at disconnect */
	if (port)
		sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	sk_dst_reset(sk);
out:
	release_sock(sk);
	return err;
}

static int xtcp_sock_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	unsigned int somaxconn;
	int old, err;

	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED)
		goto out;
	old = sk->sk_state;
	if (!(XTCPF(old) & (XTCPF(TCP_CLOSE) | XTCPF(TCP_LISTEN))))
		goto out;

	/* as TCP: clamp to somaxconn; the result is what XTCP_BACKLOG reads */
	somaxconn = READ_ONCE(sock_net(sk)->core.sysctl_somaxconn);
	if ((unsigned int)backlog > somaxconn)
		backlog = somaxconn;
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);

	err = old == TCP_LISTEN ? 0 : xtcp_listen_start(sk);
out:
	release_sock(sk);
	return err;
}

/* Wait while the handshake runs. Returns the time left. */
static long xtcp_sock_wait_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while (XTCPF(sk->sk_state) & (XTCPF(TCP_SYN_SENT) | XTCPF(TCP_SYN_RECV))) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		if (signal_pending(current) || !timeo)
			break;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

/*
 * connect(), or sendmsg()'s for Fast Open, the socket locked. As TCP's:
 * a deferred Fast Open connect (TCP_FASTOPEN_CONNECT) returns 0 at once;
 * then connect() again says EISCONN, and the first write, whose SYN
 * began the handshake (@deferred), waits for it or, non-blocking,
 * reports EINPROGRESS.
 */
static int xtcp_sock_do_connect(struct socket *sock, struct sockaddr *uaddr,
				int addr_len, int flags, bool deferred)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (!uaddr)
		goto state;
	if (addr_len < (int)sizeof(sin->sin_family))
		return -EINVAL;
	if (sin->sin_family == AF_UNSPEC) {
		/* connect(AF_UNSPEC) disconnects, as in TCP */
		sk->sk_disconnects++;
		xtcp_sock_disconnect(sk);
		sock->state = SS_UNCONNECTED;
		return 0;
	}

state:
	switch (sock->state) {
	default:
		err = -EINVAL;
		goto out;
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EISCONN;
		if (xtcp_sk(sk)->foc.defer)
			goto out;
		err = deferred ? -EINPROGRESS : -EALREADY;
		break;
	case SS_UNCONNECTED:
		err = -EISCONN;
		if (sk->sk_state != TCP_CLOSE)
			goto out;
		err = -EINVAL;
		if (!uaddr || addr_len < (int)sizeof(*sin))
			goto out;
		err = -EAFNOSUPPORT;
		if (!xtcp_sock_family_ok(sin->sin_family))
			goto out;
		err = xtcp_conn_connect(sk, sin->sin_addr.s_addr,
					sin->sin_port);
		if (err < 0)
			goto out;
		sock->state = SS_CONNECTING;
		if (xtcp_sk(sk)->foc.defer)
			goto out;	/* 0: the first write sends the SYN */
		err = -EINPROGRESS;
		break;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (XTCPF(sk->sk_state) & (XTCPF(TCP_SYN_SENT) | XTCPF(TCP_SYN_RECV))) {
		int dis = sk->sk_disconnects;

		/* non-blocking, or SO_SNDTIMEO ran out: err as set above */
		if (!timeo || !xtcp_sock_wait_connect(sk, timeo))
			goto out;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		/* another thread disconnected us meanwhile: as TCP, EPIPE */
		if (dis != sk->sk_disconnects) {
			err = -EPIPE;
			goto out;
		}
	}

	if (sk->sk_state == TCP_CLOSE) {
		/* refused, timed out, or reset */
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		sk->sk_disconnects++;
		xtcp_sock_disconnect(sk);
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	return err;
}

static int xtcp_sock_connect(struct socket *sock, struct sockaddr *uaddr,
			     int addr_len, int flags)
{
	int err;

	if (addr_len < (int)sizeof(uaddr->sa_family))
		return -EINVAL;
	lock_sock(sock->sk);
	err = xtcp_sock_do_connect(sock, uaddr, addr_len, flags, false);
	release_sock(sock->sk);
	return err;
}

/* Wait for a child on the accept queue. Returns 0 or -errno. */
static int xtcp_sock_wait_accept(struct sock *sk, long timeo)
{
	DEFINE_WAIT(wait);
	int err;

	for (;;) {
		prepare_to_wait_exclusive(sk_sleep(sk), &wait,
					  TASK_INTERRUPTIBLE);
		release_sock(sk);
		if (!xtcp_accept_has_child(sk))
			timeo = schedule_timeout(timeo);
		/*
		 * A child that came before we slept leaves us not RUNNING;
		 * lock_sock() may sleep, which is harmless here (finish_wait
		 * follows), as in TCP's inet_csk_wait_for_connect().
		 */
		sched_annotate_sleep();
		lock_sock(sk);
		err = 0;
		if (xtcp_accept_has_child(sk))
			break;
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = sock_intr_errno(timeo);
		if (signal_pending(current))
			break;
		err = -EAGAIN;
		if (!timeo)
			break;
	}
	finish_wait(sk_sleep(sk), &wait);
	return err;
}

static XTCP_ACCEPT_FN(xtcp_sock_accept)
{
	struct sock *sk = sock->sk, *child = NULL;
	long timeo;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;
	if (!xtcp_accept_has_child(sk)) {
		timeo = sock_rcvtimeo(sk, XTCP_ACCEPT_FLAGS & O_NONBLOCK);
		err = -EAGAIN;
		if (!timeo)
			goto out;
		err = xtcp_sock_wait_accept(sk, timeo);
		if (err)
			goto out;
	}
	child = xtcp_accept_child_pop(sk);
	err = child ? 0 : -EAGAIN;
out:
	release_sock(sk);
	if (!child)
		return err;

	/* the accept queue's reference becomes the new socket's */
	lock_sock(child);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	/* SO_REUSEPORT on an accepted socket is ours to answer too */
	xtcp_sock_own_sol_socket(newsock);
	release_sock(child);
	return 0;
}

static int xtcp_sock_getname(struct socket *sock, struct sockaddr *uaddr,
			     int peer)
{
	DECLARE_SOCKADDR(struct sockaddr_in *, sin, uaddr);
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = xtcp_family;
	lock_sock(sk);
	if (peer) {
		/*
		 * peer == 2 is accept() asking for a child's peer: TCP gives
		 * it even when the peer has reset the connection meanwhile.
		 */
		if (!inet->inet_dport ||
		    (peer == 1 &&
		     (XTCPF(sk->sk_state) & (XTCPF(TCP_CLOSE) | XTCPF(TCP_SYN_SENT))))) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr ? :
				       inet->inet_saddr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

/* Writable by tcp_poll()'s rule, with the race against ACKs closed. */
static __poll_t xtcp_sock_poll_out(struct sock *sk)
{
	if (sk_stream_is_writeable(sk))
		return EPOLLOUT | EPOLLWRNORM;
	sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
	/* an ACK that freed space before the bit was set would go unheard */
	smp_mb__after_atomic();
	return sk_stream_is_writeable(sk) ? EPOLLOUT | EPOLLWRNORM : 0;
}

static __poll_t xtcp_sock_poll(struct file *file, struct socket *sock,
			       poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	u8 shutdown;
	int state;

	sock_poll_wait(file, sock, wait);
	/* pairs with the release in every state change */
	state = smp_load_acquire(&sk->sk_state);
	shutdown = READ_ONCE(sk->sk_shutdown);

	if (state == TCP_LISTEN)
		return READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;

	/* as tcp_poll() */
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	/* a deferred Fast Open connect: a write sends the SYN */
	if (state == TCP_SYN_SENT && READ_ONCE(xtcp_sk(sk)->foc.defer))
		mask |= EPOLLOUT | EPOLLWRNORM;
	/*
	 * A Fast Open child reads its SYN's data and writes its answer
	 * before the final ACK, as tcp_poll() allows with fastopen_rsk.
	 */
	if (state != TCP_SYN_SENT &&
	    (state != TCP_SYN_RECV || READ_ONCE(xtcp_sk(sk)->fo_listener))) {
		if (xtcp_recv_readable(sk) >= (u32)sock_rcvlowat(sk, 0, INT_MAX))
			mask |= EPOLLIN | EPOLLRDNORM;
		/*
		 * After SEND_SHUTDOWN (or on a closed socket) always writable,
		 * as tcp_poll() says, so a writer wakes up to meet the error.
		 */
		if (shutdown & SEND_SHUTDOWN || state == TCP_CLOSE)
			mask |= EPOLLOUT | EPOLLWRNORM;
		else
			mask |= xtcp_sock_poll_out(sk);
	}
	/* read sk_err after the state, as tcp_poll() does */
	smp_rmb();
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

static int xtcp_sock_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	/* SHUT_RD/WR/RDWR (0..2) become RCV/SEND_SHUTDOWN bits (1..3) */
	how++;
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;

	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if (XTCPF(sk->sk_state) &
		    (XTCPF(TCP_SYN_SENT) | XTCPF(TCP_SYN_RECV) | XTCPF(TCP_CLOSE)))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		fallthrough;
	default:
		WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
		/* half-close: our FIN after the data, and we keep reading */
		if (how & SEND_SHUTDOWN)
			xtcp_conn_shutdown(sk);
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		fallthrough;
	case TCP_SYN_SENT:
		xtcp_sock_disconnect(sk);
		sock->state = SS_UNCONNECTED;
		break;
	}
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

static int xtcp_sock_ioctl(struct socket *sock, unsigned int cmd,
			   unsigned long arg)
{
	struct sock *sk = sock->sk;
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = xtcp_recv_readable(sk);
		release_sock(sk);
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		if (cmd == SIOCOUTQ)
			answ = xtcp_sk(sk)->snd.write_seq - xtcp_sk(sk)->snd.una;
		else
			answ = xtcp_send_unsent(sk);
		/* as TCP: nothing is queued before the handshake is done */
		if (XTCPF(sk->sk_state) & (XTCPF(TCP_SYN_SENT) |
					   XTCPF(TCP_SYN_RECV)))
			answ = 0;
		release_sock(sk);
		break;
	default:
		/* the socket layer answers the generic ones (or ENOTTY) */
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}

/*
 * sendmsg(MSG_FASTOPEN), or the first write after a deferred connect:
 * connect, the SYN carrying what it can of @msg (conn.c). Return: as
 * connect's, the bytes the SYN took in @copied.
 */
static int xtcp_sock_sendmsg_fastopen(struct socket *sock,
				      struct msghdr *msg, int *copied)
{
	struct sock *sk = sock->sk;
	struct xtcp_fo_client *fo = &xtcp_sk(sk)->foc;
	int mode = XTCP_SYSCTL(sock_net(sk), fastopen);
	int flags = msg->msg_flags & MSG_DONTWAIT ? O_NONBLOCK : 0;
	int err;

	/* as TCP: the client bit off, or an address after connect() */
	if (!(mode & XTCP_FASTOPEN_CLIENT) || (msg->msg_name && fo->defer))
		return -EOPNOTSUPP;
	/* another thread's Fast Open is under way */
	if (fo->msg)
		return -EALREADY;
	fo->msg = msg;
	fo->copied = 0;
	if (fo->defer) {
		xtcp_conn_fastopen_send(sk);
		err = xtcp_sock_do_connect(sock, NULL, 0, flags, true);
	} else if (msg->msg_name &&
		   msg->msg_namelen < (int)sizeof(sa_family_t)) {
		err = -EINVAL;
	} else {
		err = xtcp_sock_do_connect(sock, msg->msg_name,
					   msg->msg_namelen, flags, false);
	}
	*copied = fo->copied;
	fo->msg = NULL;
	return err;
}

static int xtcp_sock_sendmsg(struct socket *sock, struct msghdr *msg,
			     size_t size)
{
	struct sock *sk = sock->sk;
	int ret, syn = 0;

	lock_sock(sk);
	if ((msg->msg_flags & MSG_FASTOPEN) || xtcp_sk(sk)->foc.defer) {
		ret = xtcp_sock_sendmsg_fastopen(sock, msg, &syn);
		/*
		 * As TCP: non-blocking, what the SYN took; a handshake that
		 * failed, its error (the SYN's data is lost with it)
		 */
		if (ret == -EINPROGRESS && syn > 0) {
			ret = syn;
			goto out;
		}
		if (ret) {
			ret = sk_stream_error(sk, msg->msg_flags, ret);
			goto out;
		}
	}
	ret = xtcp_send_msg(sk, msg, size - syn);
	/* connected: the SYN's bytes count whatever comes of the rest */
	if (syn)
		ret = ret < 0 ? syn : ret + syn;
out:
	release_sock(sk);
	return ret;
}

static int xtcp_sock_recvmsg(struct socket *sock, struct msghdr *msg,
			     size_t size, int flags)
{
	struct sock *sk = sock->sk;
	int ret;

	if (flags & MSG_ERRQUEUE)
		return -EAGAIN;		/* no IP_RECVERR yet: nothing queued */
	if (flags & MSG_OOB)
		return -EINVAL;		/* TCP's answer with no urgent data */
	lock_sock(sk);
	ret = xtcp_recv_msg(sk, msg, size, flags);
	/*
	 * The window reading opened, if the peer should hear of it; and an
	 * ACK held back goes now, as tcp_cleanup_rbuf() sends it: if it owes
	 * two full segments or more (held while the reader was behind: one
	 * ACK for all this read took), or if the reader took everything (the
	 * sender's tail is acknowledged at once, not after the timer) and
	 * the connection is no conversation, whose answer carries the ACK.
	 */
	if (ret > 0 &&
	    (XTCPF(sk->sk_state) & (XTCPF(TCP_ESTABLISHED) |
				    XTCPF(TCP_FIN_WAIT1) | XTCPF(TCP_FIN_WAIT2))) &&
	    (xtcp_recv_window_update_due(sk) ||
	     (xtcp_sk(sk)->rcv.delack_due &&
	      (xtcp_sk(sk)->rcv.unacked >= 2 ||
	       (!xtcp_recv_readable(sk) && !xtcp_sk(sk)->rcv.pingpong)))))
		xtcp_send_ack(sk);
	release_sock(sk);
	return ret;
}

/*
 * The IP-level options xtcp honours, answered by the IPv4 layer itself so
 * values and errnos are TCP's: each is a field of the inet_sock that our
 * output path (ip_queue_xmit, ip_build_and_send_pkt) or bind() reads.
 * Anything else, multicast and IP_OPTIONS above all, assumes an AF_INET
 * socket or a path we do not have: ENOPROTOOPT, never a silent success.
 */
static bool xtcp_sock_ip_opt_ok(int optname, bool get)
{
	switch (optname) {
	case IP_TOS:
	case IP_TTL:
	case IP_MTU_DISCOVER:
	case IP_BIND_ADDRESS_NO_PORT:
	case IP_FREEBIND:
	case IP_TRANSPARENT:
		return true;
	case IP_MTU:
		return get;	/* as TCP: read-only */
	default:
		return false;
	}
}

/*
 * SO_REUSEPORT as TCP's socket takes it, values and errnos alike. The
 * generic code refuses it to any family but AF_INET and AF_INET6, so
 * SOL_SOCKET comes to us first where the kernel allows (compat.h), and
 * SOL_XTCP XTCP_REUSEPORT does the same everywhere. Reading it back
 * needs nothing of ours: getsockopt(SOL_SOCKET) is always generic.
 */
static int xtcp_sock_set_reuseport(struct sock *sk, sockptr_t optval,
				   unsigned int optlen)
{
	int val;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	/* the bind table reads it under its bucket lock, after bind() */
	lock_sock(sk);
	sk->sk_reuseport = !!val;
	release_sock(sk);
	return 0;
}

static int xtcp_sock_setsockopt(struct socket *sock, int level, int optname,
				sockptr_t optval, unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sock->sk);
	int val;

	if (level == SOL_SOCKET && optname == SO_REUSEPORT)
		return xtcp_sock_set_reuseport(sock->sk, optval, optlen);
	/* every other SOL_SOCKET option, as if we had not been asked */
	if (level == SOL_SOCKET)
		return sock_setsockopt(sock, level, optname, optval, optlen);
	if (level == SOL_TCP)
		return xtcp_sockopt_set(sock->sk, optname, optval, optlen);
	if (level == SOL_IP && xtcp_sock_ip_opt_ok(optname, false))
		return ip_setsockopt(sock->sk, level, optname, optval, optlen);
	if (level != SOL_XTCP)
		return -ENOPROTOOPT;
	switch (optname) {
	case XTCP_ABORT_ON_OVERFLOW:
		if (optlen < sizeof(int))
			return -EINVAL;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		/* -1 follows net.xtcp.abort_on_overflow, 0 and 1 override it */
		if (val < -1 || val > 1)
			return -EINVAL;
		WRITE_ONCE(xs->lsn.abort_on_overflow, val);
		return 0;
	case XTCP_REUSEPORT:
		return xtcp_sock_set_reuseport(sock->sk, optval, optlen);
	default:
		return -ENOPROTOOPT;
	}
}

static int xtcp_sock_getsockopt(struct socket *sock, int level, int optname,
				char __user *optval, int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_listen_info info = {};
	int len, val;
	void *src;

	if (level == SOL_TCP)
		return xtcp_sockopt_get(sk, optname, optval, optlen);
	if (level == SOL_IP && xtcp_sock_ip_opt_ok(optname, true))
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (level != SOL_XTCP)
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case XTCP_BACKLOG:
		val = READ_ONCE(sk->sk_max_ack_backlog);
		src = &val;
		len = min_t(int, len, sizeof(val));
		break;
	case XTCP_ABORT_ON_OVERFLOW:
		val = READ_ONCE(xs->lsn.abort_on_overflow);
		src = &val;
		len = min_t(int, len, sizeof(val));
		break;
	case XTCP_REUSEPORT:
		val = sk->sk_reuseport;
		src = &val;
		len = min_t(int, len, sizeof(val));
		break;
	case XTCP_LISTEN_INFO:
		lock_sock(sk);
		if (sk->sk_state != TCP_LISTEN) {
			release_sock(sk);
			return -EINVAL;
		}
		xtcp_accept_info(sk, &info);
		release_sock(sk);
		src = &info;
		len = min_t(int, len, sizeof(info));
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (put_user(len, optlen) || copy_to_user(optval, src, len))
		return -EFAULT;
	return 0;
}

/* family is filled in from the module parameter before registration */
struct proto_ops xtcp_stream_ops __ro_after_init = {
	.owner		= THIS_MODULE,
	.release	= xtcp_sock_release,
	.bind		= xtcp_sock_bind,
	.connect	= xtcp_sock_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= xtcp_sock_accept,
	.getname	= xtcp_sock_getname,
	.poll		= xtcp_sock_poll,
	.ioctl		= xtcp_sock_ioctl,
	.listen		= xtcp_sock_listen,
	.shutdown	= xtcp_sock_shutdown,
	.setsockopt	= xtcp_sock_setsockopt,
	.getsockopt	= xtcp_sock_getsockopt,
	.sendmsg	= xtcp_sock_sendmsg,
	.recvmsg	= xtcp_sock_recvmsg,
	.mmap		= sock_no_mmap,
};

/*
 * What waited for the process to let go of the socket: the ACK its
 * backlog owes, then ICMP's news.
 */
static void xtcp_sock_release_cb(struct sock *sk)
{
	xtcp_conn_release_ack(sk);
	xtcp_icmp_release_cb(sk);
}

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct xtcp_sock),
	.slab_flags	= XTCP_SLAB_NO_MERGE,
	.backlog_rcv	= xtcp_conn_backlog_rcv,
	/* ICMP errors that came while the socket was owned (icmp.c) */
	.release_cb	= xtcp_sock_release_cb,
	.keepalive	= xtcp_conn_set_keepalive,
	.enter_memory_pressure = xtcp_sock_enter_memory_pressure,
	.leave_memory_pressure = xtcp_sock_leave_memory_pressure,
	.memory_allocated = &xtcp_memory_allocated,
	.per_cpu_fw_alloc = &xtcp_memory_per_cpu_fw_alloc,
	.sockets_allocated = &xtcp_sockets_allocated,
	.memory_pressure = &xtcp_memory_pressure,
	.sysctl_mem	= xtcp_mem,
	.sysctl_wmem	= xtcp_wmem,
	.sysctl_rmem	= xtcp_rmem,
	.max_header	= XTCP_SKB_HEADROOM,
};

/**
 * xtcp_sock_init() - module-wide socket memory state
 *
 * The limits follow TCP's: a sixteenth of the memory free for buffers
 * at the high mark, three quarters of that before pressure.
 *
 * Return: 0 or -ENOMEM.
 */
int __init xtcp_sock_init(void)
{
	long limit = max_t(long, nr_free_buffer_pages() / 16, 128);

	xtcp_mem[0] = limit / 4 * 3;
	xtcp_mem[1] = limit;
	xtcp_mem[2] = xtcp_mem[0] * 2;
	return percpu_counter_init(&xtcp_sockets_allocated, 0, GFP_KERNEL);
}

/**
 * xtcp_sock_exit() - after the last socket is gone
 */
void xtcp_sock_exit(void)
{
	percpu_counter_destroy(&xtcp_sockets_allocated);
}

/*
 * socket_needs_net_raw: the cgroup-BPF programs that police a process's
 * traffic (egress, ingress, bind and connect addresses) never see an
 * AF_XTCP socket's, because the kernel runs them for AF_INET and AF_INET6
 * sockets only. Sending past them already takes CAP_NET_RAW (a packet
 * socket), so the sysctl asks that of xtcp too, in the namespace's user
 * namespace, with a raw socket's EPERM. Kernel sockets are exempt.
 */
static int xtcp_sock_may_create(struct net *net, int kern)
{
	if (kern || !XTCP_SYSCTL(net, socket_needs_net_raw) ||
	    ns_capable(net->user_ns, CAP_NET_RAW))
		return 0;
	return -EPERM;
}

/*
 * The cgroup's sock_create programs (BPF_CGROUP_INET_SOCK_CREATE) run for
 * xtcp sockets as inet_create() runs them for TCP's: the kernel checks no
 * family there, and what they read and may set (family, type, protocol,
 * bound device, mark, priority) an xtcp socket has; `ip vrf exec` binds
 * a program's sockets to its VRF with one. A refusal closes the socket:
 * EPERM.
 */
static int xtcp_sock_cgroup_create(struct socket *sock, int kern)
{
	int err;

	if (kern)
		return 0;
	err = BPF_CGROUP_RUN_PROG_INET_SOCK(sock->sk);
	if (err)
		xtcp_sock_close(sock);
	return err;
}

static int xtcp_sock_create(struct net *net, struct socket *sock,
			    int protocol, int kern)
{
	struct sock *sk;
	int err;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != xtcp_ipproto)
		return -EPROTONOSUPPORT;
	err = xtcp_sock_may_create(net, kern);
	if (err)
		return err;

	sk = sk_alloc(net, xtcp_family, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOBUFS;

	sock->state = SS_UNCONNECTED;
	sock->ops = &xtcp_stream_ops;
	/* SOL_SOCKET options come to xtcp_sock_setsockopt() first */
	xtcp_sock_own_sol_socket(sock);
	sock_init_data(sock, sk);
	sk->sk_protocol = xtcp_ipproto;
	sk->sk_backlog_rcv = xtcp_conn_backlog_rcv;
	sk_sockets_allocated_inc(sk);
	/* TCP's defaults (tcp_wmem[1], tcp_rmem[1]) until SO_*BUF says else */
	WRITE_ONCE(sk->sk_sndbuf, xtcp_wmem[1]);
	WRITE_ONCE(sk->sk_rcvbuf, XTCP_SYSCTL(net, rmem[1]));
	sk->sk_destruct = xtcp_sock_destruct;
	/* lookups run under RCU without the socket lock */
	sock_set_flag(sk, SOCK_RCU_FREE);
	/* -1: take the TTL from the route, as an unconfigured TCP socket does */
	inet_sk(sk)->uc_ttl = -1;
	/* DF on our segments and path MTU discovery, as inet_create() */
	inet_sk(sk)->pmtudisc =
		READ_ONCE(net->ipv4.sysctl_ip_no_pmtu_disc) ?
		IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;
	xtcp_conn_init_sock(sk);
	return xtcp_sock_cgroup_create(sock, kern);
}

/* family is filled in from the module parameter before registration */
struct net_proto_family xtcp_family_ops __ro_after_init = {
	.create	= xtcp_sock_create,
	.owner	= THIS_MODULE,
};
