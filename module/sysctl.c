// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns sysctls under /proc/sys/net/xtcp/. Every namespace gets its own
 * copy of the table pointing at its own struct xtcp_sysctls, filled with
 * the defaults when the namespace is created: a new namespace never
 * inherits another's settings.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "xtcp.h"

static const struct xtcp_sysctls xtcp_sysctl_defaults = {
	.socket_needs_net_raw	= 1,
	.syncookies		= 1,
	.max_syn_backlog	= XTCP_MAX_SYN_BACKLOG,
	.syn_retries		= XTCP_SYN_RETRIES,
	.synack_retries		= XTCP_SYNACK_RETRIES,
	.abort_on_overflow	= 0,
	.retries2		= XTCP_RETRIES2,
	.orphan_retries		= 0,
	.fin_timeout		= XTCP_FIN_TIMEOUT,
	.tw_reuse_mode		= 2,
	/* max_tw_buckets and max_orphans: from the ehash, at netns init */
	.keepalive_time		= XTCP_KEEPALIVE_TIME,
	.keepalive_intvl	= XTCP_KEEPALIVE_INTVL,
	.keepalive_probes	= XTCP_KEEPALIVE_PROBES,
	.ecn			= 2,	/* as tcp_ecn: accept, do not ask */
	.ecn_fallback		= 1,
	.fastopen		= XTCP_FASTOPEN_CLIENT,	/* tcp_fastopen's 1 */
	.fastopen_blackhole_timeout = 0,	/* as Linux 6.1: no pauses */
	/* on, unlike tcp_migrate_req: README, "SO_REUSEPORT" says why */
	.migrate_req		= 1,
	/* tcp_rmem's, but a 1 MiB default buffer (xtcp had no auto-tuning) */
	.rmem			= { 4096, 1 << 20, 6 << 20 },
	.moderate_rcvbuf	= 1,
	/* .congestion_control: xtcp_cc_default(), set per namespace */
};

/* Bounds. TCP's own: a SYN count fits in its u8 retransmit counter. */
static int xtcp_sysctl_retries_max = 127;
static int xtcp_sysctl_retries2_max = 255;
static int xtcp_sysctl_backlog_max = 1 << 20;
/* TCP's bounds: TCP_FIN_TIMEOUT_MAX, MAX_TCP_KEEPIDLE/INTVL/CNT */
static int xtcp_sysctl_fin_timeout_max = XTCP_FIN_TIMEOUT_MAX / HZ;
static int xtcp_sysctl_keepalive_max = 32767;
static int xtcp_sysctl_keepcnt_max = 127;
/*
 * In a namespace a user namespace owns, whose root is anyone's: 65536
 * request socks per listener (about 12 MB), not 1M (about 190 MB).
 */
static int xtcp_sysctl_backlog_max_userns = 1 << 16;

/*
 * congestion_control reads and writes an algorithm's name; what is kept
 * is its ops, for new sockets to take without a lookup. An unknown name
 * is refused with ENOENT, as tcp_congestion_control does.
 */
static XTCP_PROC_HANDLER(xtcp_sysctl_cc)
{
	const struct xtcp_cc_ops **slot = table->data;
	char name[XTCP_CC_NAME_MAX];
	struct ctl_table tmp = {
		.data	= name,
		.maxlen	= sizeof(name),
	};
	const struct xtcp_cc_ops *ops;
	int err;

	strscpy(name, READ_ONCE(*slot)->name, sizeof(name));
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (err || !write)
		return err;
	ops = xtcp_cc_find(name);
	if (!ops)
		return -ENOENT;
	WRITE_ONCE(*slot, ops);
	return 0;
}

/*
 * The template's .data point into xtcp_sysctl_defaults; each namespace's
 * copy is moved to its own struct by the same offset.
 */
#define XTCP_SYSCTL_ENTRY(name, lo, hi)					\
	XTCP_SYSCTL_NAMED(#name, name, lo, hi)
/* A field whose name would clash with a kernel macro (tw_reuse). */
#define XTCP_SYSCTL_NAMED(pname, field, lo, hi) {			\
	.procname	= pname,					\
	.data		= (void *)&xtcp_sysctl_defaults.field,		\
	.maxlen		= sizeof(int),					\
	.mode		= 0644,						\
	.proc_handler	= proc_dointvec_minmax,				\
	.extra1		= (lo),						\
	.extra2		= (hi),						\
}

static struct ctl_table xtcp_sysctl_template[] = {
	/* socket(AF_XTCP) needs CAP_NET_RAW: see README, "Security" */
	XTCP_SYSCTL_ENTRY(socket_needs_net_raw, SYSCTL_ZERO, SYSCTL_ONE),
	/* 0: never, 1: when the request queue is full, 2: always */
	XTCP_SYSCTL_ENTRY(syncookies, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL_ENTRY(max_syn_backlog, SYSCTL_ONE, &xtcp_sysctl_backlog_max),
	XTCP_SYSCTL_ENTRY(syn_retries, SYSCTL_ONE, &xtcp_sysctl_retries_max),
	XTCP_SYSCTL_ENTRY(synack_retries, SYSCTL_ONE, &xtcp_sysctl_retries_max),
	XTCP_SYSCTL_ENTRY(abort_on_overflow, SYSCTL_ZERO, SYSCTL_ONE),
	/* RTOs without progress before a connection fails: tcp_retries2 */
	XTCP_SYSCTL_ENTRY(retries2, SYSCTL_ONE, &xtcp_sysctl_retries2_max),
	/* RTOs an orphan gets: tcp_orphan_retries, 0 meaning 8 */
	XTCP_SYSCTL_ENTRY(orphan_retries, SYSCTL_ZERO, &xtcp_sysctl_retries2_max),
	/* seconds an orphan waits for the peer's FIN: tcp_fin_timeout */
	XTCP_SYSCTL_ENTRY(fin_timeout, SYSCTL_ONE, &xtcp_sysctl_fin_timeout_max),
	/* connect() over TIME_WAIT: 0 never, 1 always, 2 loopback only */
	XTCP_SYSCTL_NAMED("tw_reuse", tw_reuse_mode, SYSCTL_ZERO, SYSCTL_TWO),
	XTCP_SYSCTL_ENTRY(max_tw_buckets, SYSCTL_ZERO, SYSCTL_INT_MAX),
	XTCP_SYSCTL_ENTRY(max_orphans, SYSCTL_ZERO, SYSCTL_INT_MAX),
	/* seconds, as tcp_keepalive_time and tcp_keepalive_intvl */
	XTCP_SYSCTL_ENTRY(keepalive_time, SYSCTL_ONE, &xtcp_sysctl_keepalive_max),
	XTCP_SYSCTL_ENTRY(keepalive_intvl, SYSCTL_ONE, &xtcp_sysctl_keepalive_max),
	XTCP_SYSCTL_ENTRY(keepalive_probes, SYSCTL_ONE, &xtcp_sysctl_keepcnt_max),
	/* as tcp_ecn: 0 off, 1 request and accept, 2 accept only */
	XTCP_SYSCTL_ENTRY(ecn, SYSCTL_ZERO, SYSCTL_TWO),
	/* as tcp_ecn_fallback: a SYN sent again does not ask for ECN */
	XTCP_SYSCTL_ENTRY(ecn_fallback, SYSCTL_ZERO, SYSCTL_ONE),
	/* Fast Open: tcp_fastopen's bits (fastopen.c) */
	XTCP_SYSCTL_ENTRY(fastopen, SYSCTL_ZERO, SYSCTL_INT_MAX),
	/* seconds active Fast Open pauses after a blackhole; 0: never */
	XTCP_SYSCTL_NAMED("fastopen_blackhole_timeout_sec",
			  fastopen_blackhole_timeout, SYSCTL_ZERO, SYSCTL_INT_MAX),
	/* a closing SO_REUSEPORT listener's handshakes go to another member */
	XTCP_SYSCTL_ENTRY(migrate_req, SYSCTL_ZERO, SYSCTL_ONE),
	/*
	 * as tcp_rmem: receive buffer min, default (new sockets) and max
	 * (what auto-tuning grows to, and what the window scale is sized
	 * for)
	 */
	{
		.procname	= "rmem",
		.data		= (void *)&xtcp_sysctl_defaults.rmem,
		.maxlen		= sizeof(xtcp_sysctl_defaults.rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	/* as tcp_moderate_rcvbuf: grow receive buffers up to rmem[2] */
	XTCP_SYSCTL_ENTRY(moderate_rcvbuf, SYSCTL_ZERO, SYSCTL_ONE),
	{
		.procname	= "congestion_control",
		.data		= (void *)&xtcp_sysctl_defaults.congestion_control,
		.maxlen		= XTCP_CC_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_sysctl_cc,
	},
	{ }
};

/**
 * xtcp_sysctl_net_init() - defaults and /proc/sys/net/xtcp for @net
 * @net: namespace
 *
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);
	struct ctl_table *table;
	ptrdiff_t shift;
	int i;

	xn->sysctl = xtcp_sysctl_defaults;
	/* as TCP sizes tcp_max_tw_buckets and tcp_max_orphans: half the ehash */
	xn->sysctl.max_tw_buckets = xtcp_ehash_entries / 2;
	xn->sysctl.max_orphans = xtcp_ehash_entries / 2;
	xn->sysctl.congestion_control = xtcp_cc_default();
	table = kmemdup(xtcp_sysctl_template, sizeof(xtcp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	shift = (char *)&xn->sysctl - (char *)&xtcp_sysctl_defaults;
	for (i = 0; i < ARRAY_SIZE(xtcp_sysctl_template) - 1; i++) {
		table[i].data = (char *)table[i].data + shift;
		if (table[i].data == &xn->sysctl.max_syn_backlog &&
		    net->user_ns != &init_user_ns)
			table[i].extra2 = &xtcp_sysctl_backlog_max_userns;
	}

	xn->sysctl_hdr = xtcp_register_net_sysctl(net, "net/xtcp", table,
						  ARRAY_SIZE(xtcp_sysctl_template) - 1);
	if (!xn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_sysctl_net_exit() - remove @net's sysctls
 * @net: namespace
 */
void xtcp_sysctl_net_exit(struct net *net)
{
	struct xtcp_net *xn = xtcp_net(net);
	const struct ctl_table *table = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(table);
}
