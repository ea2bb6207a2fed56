/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xtcp: TCP's connection establishment as a protocol family of its own.
 *
 * Userspace API. AF_XTCP is the module's default family number; a module
 * loaded with another "family" parameter reports the running value in
 * /sys/module/xtcp/parameters/family, and programs that must cope with that
 * should read it from there. Likewise IPPROTO_XTCP and the "ipproto"
 * parameter.
 *
 * Addresses are struct sockaddr_in with sin_family = AF_XTCP (AF_INET is
 * accepted on input).
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

#define AF_XTCP		18
#define PF_XTCP		AF_XTCP

/* IP protocol number that carries xtcp segments (RFC 3692 experimental). */
#define IPPROTO_XTCP	253

/* Level for xtcp's own socket options. Fixed, whatever "ipproto" is. */
#define SOL_XTCP	253

#include <linux/types.h>

/*
 * getsockopt(SOL_XTCP, XTCP_BACKLOG): int, the listen() backlog in force
 * after clamping to net.core.somaxconn.
 */
#define XTCP_BACKLOG		10

/*
 * XTCP_ABORT_ON_OVERFLOW: int. What a listener does with a final ACK that
 * finds its accept queue full: 0 drop it and keep the handshake (the
 * SYN-ACK is resent, the client's next ACK may succeed), 1 answer RST,
 * -1 (the default) as net.xtcp.abort_on_overflow says.
 */
#define XTCP_ABORT_ON_OVERFLOW	12

/*
 * XTCP_REUSEPORT: int, SO_REUSEPORT by another name, for kernels (6.1)
 * whose generic SOL_SOCKET code refuses SO_REUSEPORT to any family but
 * AF_INET/AF_INET6 before xtcp is asked. Sets and reads the same flag;
 * where SOL_SOCKET SO_REUSEPORT works (6.2 and later) either will do.
 */
#define XTCP_REUSEPORT		13

/* getsockopt(SOL_XTCP, XTCP_LISTEN_INFO): a listener's queues. */
#define XTCP_LISTEN_INFO	11

struct xtcp_listen_info {
	__u32 backlog;		/* effective backlog */
	__u32 accept_qlen;	/* connections waiting for accept() */
	__u32 syn_qlen;		/* handshakes in progress (request socks) */
	__u32 pad;
	__u64 overflows;	/* accept queue was full */
	__u64 drops;		/* SYNs and final ACKs dropped */
};

#endif /* _UAPI_LINUX_XTCP_H */
