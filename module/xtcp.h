/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp internal header: what the module's files share.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "uapi/linux/xtcp.h"

/* Module parameters (main.c). */
extern int xtcp_family;
extern int xtcp_ipproto;

/*
 * Counters, per network namespace, shown in /proc/net/xtcp_stat. Keep
 * xtcp_stats_names[] in stats.c in the same order.
 */
enum xtcp_mib_field {
	XTCP_MIB_INSEGS,		/* segments delivered to us, good or bad */
	XTCP_MIB_INERRS,		/* segments dropped as malformed */
	XTCP_MIB_INCSUMERRORS,		/* ... of which: bad checksum */
	XTCP_MIB_INSHORT,		/* ... of which: shorter than a header */
	XTCP_MIB_INBADDOFF,		/* ... of which: bad data offset */
	XTCP_MIB_INBADOPTS,		/* ... of which: malformed options */
	XTCP_MIB_INNOTHOST,		/* not addressed to this host */
	XTCP_MIB_INNOSOCKET,		/* valid, but no socket wants it */
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

/* Per-netns state, from net_generic(). */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
};

extern unsigned int xtcp_net_id;

static inline struct xtcp_net *xtcp_net(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* Safe from any context: per-CPU increments need no lock. */
#define XTCP_INC_STATS(net, field) \
	this_cpu_inc(xtcp_net(net)->mib->mibs[field])

/* Options of a segment, as parsed by xtcp_options_parse(). */
struct xtcp_options {
	u16 mss;		/* 0: no MSS option */
	u8 wscale;		/* valid when has_wscale */
	u8 has_wscale:1,
	   sack_ok:1,		/* SACK-permitted seen */
	   has_ts:1,		/* timestamps: tsval/tsecr valid */
	   has_sack:1;		/* SACK blocks present (not kept) */
	u32 tsval;
	u32 tsecr;
};

/* An xtcp socket. inet_sock first: the IPv4 output path relies on it. */
struct xtcp_sock {
	struct inet_sock inet;
};

/* socket.c */
extern struct proto xtcp_prot;
extern struct net_proto_family xtcp_family_ops;
extern struct proto_ops xtcp_stream_ops;

/* input.c */
int xtcp_input_rcv(struct sk_buff *skb);

/* options.c */
int xtcp_options_parse(const u8 *ptr, unsigned int len,
		       struct xtcp_options *opts);

/* stats.c */
int xtcp_stats_net_init(struct net *net);
void xtcp_stats_net_exit(struct net *net);

#endif /* _XTCP_H */
