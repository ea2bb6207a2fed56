/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, in one place. Force-included into every xtcp
 * source file by Kbuild, so the rest of the module is written against one
 * API. Supported: Debian 12's 6.1 and 6.12 kernels.
 *
 * Each entry names the kernel that changed the API.
 */
#ifndef _XTCP_COMPAT_H
#define _XTCP_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "xtcp supports Linux 6.1 and later"
#endif

/*
 * 6.12 moved the get/put_unaligned_be*() helpers from asm/ to linux/.
 * Included here, for every file, so no source file names either path.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * 6.10 passes accept() its flags in a struct proto_accept_arg. Define
 * the handler as XTCP_ACCEPT_FN(name) and read the flags with
 * XTCP_ACCEPT_FLAGS.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define XTCP_ACCEPT_FN(name) \
	int name(struct socket *sock, struct socket *newsock, \
		 struct proto_accept_arg *xtcp_accept_arg)
#define XTCP_ACCEPT_FLAGS	(xtcp_accept_arg->flags)
#else
#define XTCP_ACCEPT_FN(name) \
	int name(struct socket *sock, struct socket *newsock, \
		 int xtcp_accept_flags, bool xtcp_accept_kern)
#define XTCP_ACCEPT_FLAGS	(xtcp_accept_flags)
#endif

/*
 * 6.6 takes the table's size in register_net_sysctl_sz(); the sentinel
 * entry stays for older kernels, and @n does not count it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define xtcp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl_sz(net, path, table, n)
#else
#define xtcp_register_net_sysctl(net, path, table, n) \
	register_net_sysctl(net, path, table)
#endif

/*
 * 6.11 hands proc handlers a const table. Define a handler as
 * XTCP_PROC_HANDLER(name), its table being @table.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define XTCP_PROC_HANDLER(name) \
	int name(const struct ctl_table *table, int write, void *buffer, \
		 size_t *lenp, loff_t *ppos)
#else
#define XTCP_PROC_HANDLER(name) \
	int name(struct ctl_table *table, int write, void *buffer, \
		 size_t *lenp, loff_t *ppos)
#endif

/*
 * 6.5 lets a cache opt out of SLUB merging. Ours do, so /proc/slabinfo and
 * /sys/kernel/slab show xtcp's objects under xtcp's names, which the leak
 * checks of the tests (and anyone debugging) rely on; Debian's 6.12 would
 * otherwise fold the 160-byte request cache into another. 6.1 has no such
 * flag, and there the caches have kept their own names so far.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#define XTCP_SLAB_NO_MERGE	SLAB_NO_MERGE
#define XTCP_SLAB_NO_MERGE_CTOR(ctor)	NULL
#else
#define XTCP_SLAB_NO_MERGE	0
/*
 * Where a cache of a common size would still merge (xtcp_tw's 128
 * bytes), a constructor keeps it apart: SLUB never merges caches that
 * have one. It costs the object 8 bytes, the free pointer moving out.
 */
#define XTCP_SLAB_NO_MERGE_CTOR(ctor)	(ctor)
#endif

/*
 * 6.5 moved the GSO helpers (SKB_GSO_CB, gso_make_checksum(),
 * skb_gso_segment()) out of skbuff.h and netdevice.h into net/gso.h.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/*
 * 6.6 moved the inet_sock's one-bit options into inet_flags. Read
 * IP_BIND_ADDRESS_NO_PORT with xtcp_inet_bind_no_port(sk).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define xtcp_inet_bind_no_port(sk) inet_test_bit(BIND_ADDRESS_NO_PORT, sk)
#else
#define xtcp_inet_bind_no_port(sk) (inet_sk(sk)->bind_address_no_port)
#endif

/*
 * SOL_SOCKET options reach a family's own setsockopt only when it sets
 * SOCK_CUSTOM_SOCKOPT, from 6.2 on; 6.1 sends them all to the generic
 * code (it lets only MPTCP have its own), whose SO_REUSEPORT refuses
 * every family but AF_INET and AF_INET6. There, SOL_XTCP XTCP_REUSEPORT
 * is the way in (the preload library switches to it by itself).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define xtcp_sock_own_sol_socket(sock) \
	set_bit(SOCK_CUSTOM_SOCKOPT, &(sock)->flags)
#else
#define xtcp_sock_own_sol_socket(sock) do { } while (0)
#endif

#endif /* _XTCP_COMPAT_H */
