// SPDX-License-Identifier: GPL-2.0
/*
 * The AF_XTCP socket layer: socket creation and the proto_ops a program
 * reaches through the socket calls.
 *
 * A socket is an inet_sock underneath, so that the IPv4 output path can
 * send for it, but its family is AF_XTCP and every call lands here. Calls
 * that the handshake work has not implemented yet answer EOPNOTSUPP; calls
 * whose TCP answer depends only on the socket being unconnected (getname,
 * shutdown, poll) already give TCP's answer.
 */
#include <linux/in.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/socket.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "xtcp.h"

static int xtcp_sock_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;

	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	sock_orphan(sk);
	release_sock(sk);
	sock->sk = NULL;
	sock_put(sk);
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
		if (sk->sk_state == TCP_CLOSE || sk->sk_state == TCP_LISTEN ||
		    sk->sk_state == TCP_SYN_SENT) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr.s_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr.s_addr = inet->inet_rcv_saddr;
	}
	release_sock(sk);
	return sizeof(*sin);
}

static __poll_t xtcp_sock_poll(struct file *file, struct socket *sock,
			       poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);

	/* As TCP: an unconnected socket is writable and hung up. */
	if (READ_ONCE(sk->sk_state) == TCP_CLOSE)
		mask |= EPOLLOUT | EPOLLWRNORM | EPOLLHUP;
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

static int xtcp_sock_shutdown(struct socket *sock, int how)
{
	/* SHUT_RD/SHUT_WR/SHUT_RDWR are 0..2; TCP checks them first */
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	/* Nothing can be connected before the handshake exists. */
	return -ENOTCONN;
}

static int xtcp_sock_ioctl(struct socket *sock, unsigned int cmd,
			   unsigned long arg)
{
	/* Lets the socket layer answer the generic ioctls (or ENOTTY). */
	return -ENOIOCTLCMD;
}

static int xtcp_sock_setsockopt(struct socket *sock, int level, int optname,
				sockptr_t optval, unsigned int optlen)
{
	/* SOL_SOCKET never gets here; xtcp has no options of its own yet. */
	return -ENOPROTOOPT;
}

static int xtcp_sock_getsockopt(struct socket *sock, int level, int optname,
				char __user *optval, int __user *optlen)
{
	return -ENOPROTOOPT;
}

/* family is filled in from the module parameter before registration */
struct proto_ops xtcp_stream_ops __ro_after_init = {
	.owner		= THIS_MODULE,
	.release	= xtcp_sock_release,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= xtcp_sock_getname,
	.poll		= xtcp_sock_poll,
	.ioctl		= xtcp_sock_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= xtcp_sock_shutdown,
	.setsockopt	= xtcp_sock_setsockopt,
	.getsockopt	= xtcp_sock_getsockopt,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
};

struct proto xtcp_prot = {
	.name		= "XTCP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct xtcp_sock),
};

static int xtcp_sock_create(struct net *net, struct socket *sock,
			    int protocol, int kern)
{
	struct sock *sk;

	if (sock->type != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0 && protocol != xtcp_ipproto)
		return -EPROTONOSUPPORT;

	sk = sk_alloc(net, xtcp_family, GFP_KERNEL, &xtcp_prot, kern);
	if (!sk)
		return -ENOBUFS;

	sock->state = SS_UNCONNECTED;
	sock->ops = &xtcp_stream_ops;
	sock_init_data(sock, sk);
	sk->sk_protocol = xtcp_ipproto;
	/* -1: take the TTL from the route, as an unconfigured TCP socket does */
	inet_sk(sk)->uc_ttl = -1;
	return 0;
}

/* family is filled in from the module parameter before registration */
struct net_proto_family xtcp_family_ops __ro_after_init = {
	.create	= xtcp_sock_create,
	.owner	= THIS_MODULE,
};
