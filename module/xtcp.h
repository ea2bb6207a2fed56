/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp internal header: what the module's files share.
 */
#ifndef _XTCP_H
#define _XTCP_H

#include <linux/ip.h>
#include <linux/percpu.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "uapi/linux/xtcp.h"

/* Module parameters (main.c). */
extern int xtcp_family;
extern int xtcp_ipproto;
extern bool xtcp_gso;

/*
 * Counters, per network namespace, shown in /proc/net/xtcp_stat. Each
 * needs its name in xtcp_stats_names[] (stats.c), which is indexed by
 * these values; the file prints them in this order.
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
	XTCP_MIB_LOOKUPRESTARTS,	/* table walks begun again (nulls) */
	XTCP_MIB_OUTSEGS,
	XTCP_MIB_OUTRSTS,
	XTCP_MIB_ACTIVEOPENS,		/* connect() sent a SYN */
	XTCP_MIB_PASSIVEOPENS,		/* a request sock became a child */
	XTCP_MIB_ATTEMPTFAILS,		/* handshakes that failed */
	XTCP_MIB_ESTABRESETS,		/* ESTABLISHED -> CLOSE by RST */
	XTCP_MIB_CURRESTAB,		/* sockets ESTABLISHED now */
	XTCP_MIB_LISTENOVERFLOWS,	/* accept queue full */
	XTCP_MIB_LISTENDROPS,		/* SYNs and ACKs a listener dropped */
	XTCP_MIB_SYNQUEUEFULL,		/* ... of which: request limit */
	XTCP_MIB_REQTIMEOUTS,		/* request socks that expired */
	XTCP_MIB_EMBRYONICRSTS,		/* request socks dropped by RST/SYN */
	XTCP_MIB_SYNRETRANS,		/* SYNs and SYN-ACKs sent again */
	XTCP_MIB_SYNACKRESENDS,		/* SYN-ACKs resent for a repeated SYN */
	XTCP_MIB_CONNECTTIMEOUTS,	/* connect() gave up: ETIMEDOUT */
	XTCP_MIB_CONNECTREFUSED,	/* connect() got RST: ECONNREFUSED */
	XTCP_MIB_PORTSEXHAUSTED,	/* connect() found no free port */
	XTCP_MIB_CHALLENGEACKS,		/* RFC 5961 challenge ACKs sent */
	XTCP_MIB_CHALLENGELIMITED,	/* ... withheld by the rate limit */
	XTCP_MIB_OUTOFWINDOW,		/* segments outside the window */
	XTCP_MIB_BADACKS,		/* unacceptable ACK numbers */
	XTCP_MIB_INNOTIMESTAMP,		/* no TSopt though negotiated */
	XTCP_MIB_LISTENIGNORED,		/* RST or SYN+FIN at a listener */
	XTCP_MIB_SYNCOOKIESSENT,
	XTCP_MIB_SYNCOOKIESRECV,	/* valid cookie ACKs */
	XTCP_MIB_SYNCOOKIESFAILED,	/* invalid or stale cookie ACKs */
	XTCP_MIB_SYNCOOKIESREPLACED,	/* valid cookie ACKs over a request */
	XTCP_MIB_CURRREQUESTS,		/* request socks alive now */
	/* the data path */
	XTCP_MIB_RETRANSSEGS,		/* segments sent again */
	XTCP_MIB_RENORECOVERY,		/* fast retransmits on dupacks */
	XTCP_MIB_SACKRECOVERY,		/* fast retransmits on SACK */
	XTCP_MIB_RTOS,			/* retransmission timeouts */
	XTCP_MIB_DATATIMEOUTS,		/* connections failed: ETIMEDOUT */
	XTCP_MIB_SACKDISCARD,		/* SACK blocks out of range */
	XTCP_MIB_OFOQUEUE,		/* segments kept out of order */
	XTCP_MIB_OFOPRUNED,		/* out-of-order queues dropped */
	XTCP_MIB_PRUNECALLED,		/* receive buffer full */
	XTCP_MIB_RCVQDROP,		/* data dropped: no receive memory */
	XTCP_MIB_DUPDATA,		/* data received twice */
	XTCP_MIB_BEYONDWINDOW,		/* data beyond our window */
	XTCP_MIB_PAWSDROPS,		/* segments PAWS rejected */
	XTCP_MIB_ZEROWINDOWPROBES,	/* persist probes sent */
	XTCP_MIB_DELAYEDACKS,		/* ACKs the delack timer sent */
	XTCP_MIB_MEMORYPRESSURES,	/* entries into memory pressure */
	XTCP_MIB_BACKLOGDROP,		/* segments the socket backlog refused */
	XTCP_MIB_BACKLOGQUEUED,		/* segments that waited on the backlog */
	XTCP_MIB_BACKLOGCOALESCE,	/* ... joined to the one before them */
	XTCP_MIB_BACKLOGACKS,		/* ACKs held to the backlog's end */
	XTCP_MIB_RCVCOALESCE,		/* in-order data merged into the last skb */
	XTCP_MIB_FILTERDROPS,		/* dropped by the socket's filter or LSM */
	XTCP_MIB_SYNFLOODLOGSUPPRESSED,	/* flood lines over the global bound */
	XTCP_MIB_MIGRATEREQSUCCESS,	/* handshakes and children handed over */
	XTCP_MIB_MIGRATEREQFAILURE,	/* ... that found no member to take them */
	/* closing */
	XTCP_MIB_CURRORPHANS,		/* closed by the program, not yet done */
	XTCP_MIB_CURRTIMEWAIT,		/* TIME_WAIT and FIN_WAIT_2 entries now */
	XTCP_MIB_TIMEWAITS,		/* TIME_WAIT entries created */
	XTCP_MIB_TIMEWAITREUSED,	/* ... taken over by connect() */
	XTCP_MIB_TIMEWAITRECYCLED,	/* ... ended by a new SYN (RFC 6191) */
	XTCP_MIB_TIMEWAITOVERFLOW,	/* none created: max_tw_buckets */
	XTCP_MIB_TIMEWAITRSTIGNORED,	/* RSTs into TIME_WAIT (RFC 1337) */
	XTCP_MIB_FINWAIT2TIMEOUTS,	/* orphans that never got the FIN */
	XTCP_MIB_KEEPALIVEPROBES,	/* keepalive probes sent */
	XTCP_MIB_ABORTONDATA,		/* RST: data after close, linger 0 */
	XTCP_MIB_ABORTONCLOSE,		/* RST: closed with unread data */
	XTCP_MIB_ABORTONMEMORY,		/* RST: too many orphans */
	XTCP_MIB_ABORTONTIMEOUT,	/* gave up: retries, keepalive, timeout */
	XTCP_MIB_ABORTONLINGER,		/* RST: FIN_WAIT_2 with TCP_LINGER2 < 0 */
	/* ICMP errors (icmp.c) */
	XTCP_MIB_INICMPS,		/* ICMP errors quoting our segments */
	XTCP_MIB_INICMPERRS,		/* ... ignored: quote short or not ours */
	XTCP_MIB_ICMPNOSOCKET,		/* ... for no connection or TIME_WAIT */
	XTCP_MIB_OUTOFWINDOWICMPS,	/* ... quoting a sequence not in flight */
	XTCP_MIB_CONNECTUNREACH,	/* handshakes ended by an ICMP error */
	XTCP_MIB_REQICMPDROPS,		/* request socks dropped by an ICMP error */
	XTCP_MIB_ICMPSOFTERRORS,	/* kept in sk_err_soft, for a timeout */
	XTCP_MIB_ICMPDEFERRED,		/* handled at release_sock(): owned */
	XTCP_MIB_PMTUREDUCED,		/* send MSS lowered: fragmentation needed */
	/* D-SACK and undo (RFC 2883, RFC 3522) */
	XTCP_MIB_DSACKOLDSENT,		/* D-SACK for data below rcv.nxt */
	XTCP_MIB_DSACKOFOSENT,		/* D-SACK for data held out of order */
	XTCP_MIB_DSACKRECV,		/* D-SACK blocks received */
	XTCP_MIB_DSACKUNDO,		/* reductions undone: all D-SACKed */
	XTCP_MIB_FULLUNDO,		/* fast recoveries undone by timestamps */
	XTCP_MIB_LOSSUNDO,		/* RTO reductions undone by timestamps */
	/* ECN (ecn.c) */
	XTCP_MIB_ECNNEGOTIATED,		/* connections that use ECN */
	XTCP_MIB_ECNCERECEIVED,		/* data segments that arrived CE */
	XTCP_MIB_ECNECERECEIVED,	/* ACKs with ECE */
	XTCP_MIB_ECNCWNDREDUCED,	/* ... that cut the window (once per window) */
	XTCP_MIB_ECNCWRSENT,		/* segments sent with CWR */
	XTCP_MIB_ECNCWRRECEIVED,	/* segments received with CWR */
	XTCP_MIB_ICMPRTOREVERTS,	/* RTO backoffs undone by ICMP (RFC 6069) */
	/* Fast Open, the server's side (fastopen.c) */
	XTCP_MIB_FASTOPENPASSIVE,	/* children made from a SYN's cookie */
	XTCP_MIB_FASTOPENPASSIVEFAIL,	/* ... refused: bad cookie, no memory */
	XTCP_MIB_FASTOPENPASSIVEALTKEY,	/* ... by the backup key's cookie */
	XTCP_MIB_FASTOPENLISTENOVERFLOW, /* ... refused: qlen children pending */
	XTCP_MIB_FASTOPENCOOKIEREQD,	/* SYNs that asked for a cookie */
	/* Fast Open, the client's side (fastopen_client.c) */
	XTCP_MIB_FASTOPENACTIVE,	/* SYNs whose data the SYN-ACK acked */
	XTCP_MIB_FASTOPENACTIVEFAIL,	/* ... not acked, or a Fast Open timed out */
	XTCP_MIB_FASTOPENBLACKHOLE,	/* active Fast Open paused (a blackhole) */
	XTCP_MIB_RCVBUFGROWN,		/* receive buffers grown by auto-tuning */
	/* CUBIC's HyStart (cc.c) */
	XTCP_MIB_HYSTARTDELAYDETECT,	/* slow starts left on a rising RTT */
	XTCP_MIB_HYSTARTDELAYCWND,	/* ... the windows they left at, summed */
	/* the sender's SACK scoreboard (send.c) */
	XTCP_MIB_SACKRENEGING,		/* RTOs that found SACKed data dropped */
	XTCP_MIB_MAX
};

struct xtcp_mib {
	unsigned long mibs[XTCP_MIB_MAX];
};

/* /proc/sys/net/xtcp/, per namespace (sysctl.c). */
struct xtcp_sysctls {
	int socket_needs_net_raw;	/* socket() needs CAP_NET_RAW */
	int syncookies;			/* 0 never, 1 when full, 2 always */
	int max_syn_backlog;
	int syn_retries;
	int synack_retries;
	int abort_on_overflow;
	int retries2;			/* RTOs before a connection fails */
	int orphan_retries;		/* ... once orphaned; 0: 8 */
	int fin_timeout;		/* seconds an orphan waits in FIN_WAIT_2 */
	int tw_reuse_mode;		/* tw_reuse: over TIME_WAIT, 0, 1, 2 lo */
	int max_tw_buckets;		/* TIME_WAIT entries at most */
	int max_orphans;		/* orphaned sockets at most */
	int keepalive_time;		/* seconds idle before the first probe */
	int keepalive_intvl;		/* seconds between probes */
	int keepalive_probes;		/* unanswered probes before giving up */
	int ecn;			/* 0 off, 1 request and accept, 2 accept */
	int ecn_fallback;		/* SYNs sent again ask for no ECN */
	int fastopen;			/* XTCP_FASTOPEN_* bits, tcp_fastopen's */
	int fastopen_blackhole_timeout;	/* seconds of the first pause; 0 never */
	int migrate_req;		/* a closing reuseport member hands over */
	/* receive buffer: min, default, max bytes, as tcp_rmem */
	int rmem[3];
	int moderate_rcvbuf;		/* auto-tune receive buffers */
	/* what new sockets get; a pointer so readers see one whole value */
	const struct xtcp_cc_ops *congestion_control;
};

struct xtcp_foc_cache;

/* Per-netns state, from net_generic(). */
struct xtcp_net {
	struct xtcp_mib __percpu *mib;
	struct sock *ctl_sk;		/* sends segments no socket owns */
	struct xtcp_sysctls sysctl;
	struct ctl_table_header *sysctl_hdr;
	siphash_key_t cookie_key;	/* the namespace's SYN cookie secret */
	/* Fast Open cookie keys, primary and backup (fastopen.c) */
	spinlock_t fo_lock;
	u8 fo_nkeys;			/* 1, or 2 with a backup key */
	siphash_key_t fo_key[2];
	/* the client's: cookies by destination, blackhole pauses */
	struct xtcp_foc_cache *fo_cache;
	atomic_t fo_bh_times;		/* pauses in a row */
	unsigned long fo_bh_stamp;	/* jiffies the last one began */
};

extern unsigned int xtcp_net_id;

static inline struct xtcp_net *xtcp_net(const struct net *net)
{
	return net_generic(net, xtcp_net_id);
}

/* Safe from any context: per-CPU increments need no lock. */
#define XTCP_INC_STATS(net, field) \
	this_cpu_inc(xtcp_net(net)->mib->mibs[field])
#define XTCP_DEC_STATS(net, field) \
	this_cpu_dec(xtcp_net(net)->mib->mibs[field])
#define XTCP_ADD_STATS(net, field, n) \
	this_cpu_add(xtcp_net(net)->mib->mibs[field], n)

/* Options of a segment, as parsed by xtcp_options_parse(). */
struct xtcp_options {
	u16 mss;		/* 0: no MSS option */
	u8 wscale;		/* valid when has_wscale */
	u8 has_wscale:1,
	   sack_ok:1,		/* SACK-permitted seen */
	   has_ts:1,		/* timestamps: tsval/tsecr valid */
	   has_sack:1,		/* SACK blocks present: see sack_off */
	   has_fo:1;		/* a Fast Open option: fo_len, fo_off */
	u8 sack_off;		/* SACK option's offset in the option list */
	u8 sack_blocks;		/* ... and how many blocks it holds */
	u8 fo_off;		/* the cookie's offset in the option list */
	u8 fo_len;		/* ... and its length; 0: a cookie request */
	u32 tsval;
	u32 tsecr;
};

/*
 * A received segment's header fields in host order, kept in skb->cb once
 * the segment is validated (the IP layer is done with the cb by then).
 */
struct xtcp_skb_cb {
	u32 seq;
	u32 end_seq;		/* seq + payload + SYN + FIN */
	u8 flags;		/* XTCP_FLAG_*, ECE and CWR left out */
	u8 ecn;			/* received: its ECE and CWR, and the IP ECN
				 * field (INET_ECN_MASK)
				 */
	union {
		struct {		/* a received segment */
			u32 ack_seq;
			u16 window;	/* as on the wire, unscaled */
			u8 doff;	/* header bytes */
			struct xtcp_options opts;
		};
		struct {		/* data on the write queue (send.c) */
			u32 tx_stamp;	/* ms clock of the last transmission */
			u8 sacked;	/* XTCP_SKB_SACKED, _LOST, _RETRANS */
			u8 tx_count;	/* transmissions so far */
			u8 uncharged;	/* a FIN's skb memory refused */
		};
	};
};

/* Scoreboard bits of a segment on the write queue. */
#define XTCP_SKB_SACKED		0x01	/* the peer holds it (SACK or dupack) */
#define XTCP_SKB_LOST		0x02	/* deemed lost, to be sent again */
#define XTCP_SKB_RETRANS	0x04	/* sent again and not yet acked */

#define XTCP_SKB_CB(skb) ((struct xtcp_skb_cb *)&((skb)->cb[0]))

/* The Fast Open cookie we give: a 64-bit MAC, as Linux's. */
#define XTCP_FO_COOKIE_LEN	8
/* One we take: RFC 7413 4.1.1, 4 to 16 bytes, an even number. */
#define XTCP_FO_COOKIE_MIN	4
#define XTCP_FO_COOKIE_MAX	16

/* SACK blocks, at most as many as fit beside a timestamp option. */
#define XTCP_SACK_MAX		3

struct xtcp_sack_block {
	u32 start;
	u32 end;
};

/* A segment to send. */
struct xtcp_seg {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	u32 seq;
	u32 ack;
	u16 window;		/* as it goes on the wire */
	u8 flags;		/* XTCP_FLAG_*, ECE and CWR included */
	u8 wscale;
	u16 mss;		/* 0: no MSS option */
	u8 has_wscale:1,
	   sack_ok:1,
	   has_ts:1,
	   ect:1;		/* data: leaves ECT(0) (ecn.c) */
	u8 nr_sack;		/* SACK blocks in sack[] */
	u32 tsval;
	u32 tsecr;
	struct xtcp_sack_block sack[XTCP_SACK_MAX];
	u8 fo_len;		/* a Fast Open cookie of this length; 0: none */
	u8 fo_req;		/* an empty Fast Open option: a cookie request */
	u8 fo_cookie[XTCP_FO_COOKIE_MAX];
};

/*
 * The part of a connection that the established-hash (ehash) sees. Request
 * socks and full sockets both embed one, so a lookup by 4-tuple finds either
 * kind and a promotion can swap one for the other in place.
 */
enum xtcp_ehash_kind {
	XTCP_EH_SOCK,
	XTCP_EH_REQ,
	XTCP_EH_TW,
};

struct xtcp_ehash_node {
	struct hlist_nulls_node node;
	possible_net_t net;
	__be32 laddr;
	__be32 raddr;
	__be16 lport;
	__be16 rport;
	u8 kind;		/* enum xtcp_ehash_kind */
	u8 hashed;		/* in the table; changed under its bucket lock */
	u8 tw_tos;		/* XTCP_EH_TW: the TOS of the entry's ACKs, in
				 * padding where struct xtcp_tw has no room
				 */
	u8 tw_reuse_port:1;	/* XTCP_EH_TW: the socket had SO_REUSEPORT;
				 * the last byte of that padding
				 */
};

/* Where a walk of a table that pauses stands (xtcp_table_*_seek()). */
struct xtcp_table_cursor {
	unsigned int bucket;
	unsigned int skip;	/* entries of the namespace before, in the bucket */
};

/*
 * Negotiated handshake options, as a request sock records them and a
 * promoted child inherits them.
 */
struct xtcp_negotiated {
	u16 mss;		/* peer's MSS, 536 if it sent none */
	u8 snd_wscale:4,	/* shift the peer applies to its windows */
	   rcv_wscale:4;	/* shift we apply to ours */
	u8 wscale_ok:1,
	   sack_ok:1,
	   tstamp_ok:1,
	   ecn_ok:1;		/* ECN: asked for (SYN_SENT), or negotiated */
};

/*
 * A request sock: a SYN received on a listener, answered with a SYN-ACK, not
 * yet acknowledged. Kept small (see xtcp_req_test_size). References: one
 * while hashed in the ehash, one while its timer is pending, and temporary
 * ones taken by lookups.
 */
struct xtcp_request {
	struct xtcp_ehash_node eh;
	refcount_t refcnt;
	u8 num_retrans;		/* SYN-ACKs sent again */
	u8 num_timeout;		/* timer expiries */
	struct xtcp_negotiated opt;
	u8 cookie:1;		/* a cookie's stand-in: ECN goes in the TSval */
	int bound_dev_if;	/* hears and answers on this device only; 0: any */
	struct sock *listener;	/* holds a reference */
	struct list_head lnode;	/* on the listener's request list */
	struct timer_list timer;
	u32 snt_isn;		/* our ISN */
	u32 rcv_isn;		/* the peer's ISN */
	u32 ts_recent;		/* the peer's last TSval */
	u32 ts_off;		/* offset of our TSvals for this 4-tuple */
	unsigned long oow_stamp; /* jiffies of the last answer to a repeated SYN
				  * or out-of-window segment; 0: never
				  */
	struct rcu_head rcu;
};

/*
 * What is left of a connection in TIME_WAIT, or of an orphan waiting in
 * FIN_WAIT_2 for the peer's FIN (timewait.c): enough to answer segments
 * for the 4-tuple and to hold its port, 128 bytes on x86-64 (Linux's
 * tw_sock_TCP is about twice that). It takes the full socket's place in
 * the ehash in one swap, and the socket is freed. References: one while
 * hashed, one while its timer is pending, and lookups' temporary ones.
 */
struct xtcp_tw {
	struct xtcp_ehash_node eh;
	refcount_t refcnt;
	u8 substate;		/* TCP_TIME_WAIT or TCP_FIN_WAIT2 */
	u8 rcv_wscale:4,
	   tstamp_ok:1,
	   reuse:1,		/* the socket had SO_REUSEADDR */
	   bind_explicit:1,	/* its port came from bind() */
	   bound:1;		/* in the bind table */
	u16 rcv_wnd;		/* the window field of our ACKs */
	int bound_dev_if;
	u32 rcv_nxt;		/* the peer's FIN included, in TIME_WAIT */
	u32 snd_nxt;		/* our FIN included */
	u32 ts_recent;		/* the peer's last TSval */
	u32 ts_recent_stamp;	/* seconds when ts_recent was taken */
	u32 mark;		/* the socket's SO_MARK, for what is sent */
	struct timer_list timer;
	union {
		struct hlist_node bind_node;	/* while bound */
		struct rcu_head rcu;		/* once unbound and unhashed */
	};
};

/*
 * A listener's two queues (accept.c): request socks waiting for their
 * final ACK, and children waiting for accept(). One lock covers both, and
 * a promotion moves an entry from one to the other under it.
 */
struct xtcp_accept_queue {
	spinlock_t lock;		/* the lists, syn_qlen and open */
	struct list_head children;	/* ESTABLISHED children, oldest first */
	struct list_head reqs;		/* request socks */
	unsigned int syn_qlen;		/* entries on reqs */
	u8 open;			/* takes new entries (listening) */
	atomic_long_t overflows;	/* per-listener drop counts */
	atomic_long_t drops;
};

/* What a socket uses only while it listens (listen.c). */
struct xtcp_listener {
	struct xtcp_accept_queue queue;
	unsigned long cookie_stamp;	/* jiffies of the last cookie; 0: never */
	unsigned long flood_log_stamp;	/* jiffies of the last flood log line */
	int abort_on_overflow;		/* -1: follow the sysctl */
	int fo_qlen;			/* TCP_FASTOPEN; 0: no Fast Open */
	int migrating;			/* closed; its requests go elsewhere */
	atomic_t fo_pending;		/* Fast Open children in SYN_RECV */
};

/*
 * The send side of a connection: RFC 9293's send sequence variables. The
 * data path (send.c) adds the write and retransmission queues and the
 * congestion state here.
 */
struct xtcp_snd {
	u32 iss;
	u32 una;
	u32 nxt;			/* highest sequence sent + 1 */
	u32 wnd;			/* peer's window, scaled */
	u32 wl1;			/* seq of the last window update */
	u32 wl2;			/* ack of the last window update */
	u32 max_wnd;			/* largest window the peer offered */
	u32 write_seq;			/* end of what sendmsg() queued */
	u16 mss;			/* effective send MSS, options included */
	u16 user_mss;			/* TCP_MAXSEG; 0: none */
	u32 ts_off;			/* offset of our TSvals */
	struct sk_buff *head;		/* first skb never sent; NULL: none */

	/* congestion control (cc.c), in segments */
	const struct xtcp_cc_ops *cc;
	u32 cwnd;
	u32 ssthresh;
	u32 cwnd_cnt;			/* ACKed segments toward cwnd + 1 */
	u64 cc_priv[8];			/* the algorithm's own state */

	/* the scoreboard, in segments */
	u32 packets_out;		/* sent, not yet cumulatively acked */
	u32 sacked_out;			/* ... of which the peer holds */
	u32 lost_out;			/* ... of which deemed lost */
	u32 retrans_out;		/* ... of which sent again */
	u32 recover;			/* snd.nxt when recovery began */
	u8 ca_state;			/* XTCP_CA_* */
	u8 cc_chosen;			/* cc set by TCP_CONGESTION */
	u8 dupacks;			/* duplicate ACKs in a row */
	u8 nodelay:1,			/* TCP_NODELAY */
	   cork:1,			/* TCP_CORK */
	   probe_pending:1,		/* a zero-window probe is due */
	   fin_queued:1,		/* our FIN is on the write queue */
	   undo_on:1;			/* a reduction that may be undone */

	/*
	 * Undoing a reduction the network did not ask for (RFC 2883 with
	 * D-SACK, RFC 3522 with timestamps): what cwnd and ssthresh were
	 * before it, the retransmissions not yet shown needless, and the
	 * TSval of the first of them.
	 */
	u32 undo_marker;		/* snd.una when the reduction began */
	u32 undo_retrans;
	u32 retrans_stamp;		/* 0: nothing sent again yet */
	u32 prior_cwnd;
	u32 prior_ssthresh;
	u32 undo_sacked;		/* most segments SACKed meanwhile */
	u32 reordering;			/* the duplicate threshold now */

	/* what TCP_INFO reports */
	u32 total_retrans;
	u64 bytes_acked;
	u64 bytes_sent;
	u32 segs_out;			/* every segment sent */
	u32 data_segs_out;		/* ... of which carried data or FIN */
	u32 fast_retrans;
	u32 dsack_dups;			/* D-SACK blocks received */
	u32 reord_seen;			/* reductions undone as reordering */
};

/* Congestion states, as TCP_INFO's tcpi_ca_state. */
enum xtcp_ca_state {
	XTCP_CA_OPEN,
	XTCP_CA_DISORDER,
	XTCP_CA_CWR,			/* ECE: the window cut, until recover */
	XTCP_CA_RECOVERY,
	XTCP_CA_LOSS,
};

/*
 * The receive side: RFC 9293's receive sequence variables. recv.c adds
 * the receive and out-of-order queues and the ACK state here.
 */
struct xtcp_rcv {
	u32 irs;
	u32 nxt;
	u32 wnd;			/* last window advertised, unscaled */
	u32 wup;			/* rcv.nxt when wnd was advertised */
	u32 copied;			/* next byte recvmsg() hands out */
	u16 advmss;			/* what we advertised */
	u16 mss;			/* largest segment seen from the peer */
	u32 window_clamp;		/* TCP_WINDOW_CLAMP; 0: none */
	u32 ts_recent;			/* the peer's last TSval (RFC 7323) */
	struct rb_root ofo;		/* out-of-order segments, by seq */
	u32 ofo_seq;			/* the last out-of-order segment: its */
	u32 ofo_end;			/* block goes first in SACKs */
	u16 unacked;			/* full segments not yet acked */
	u8 quick;			/* quick ACKs left */
	u8 ack_now:1,			/* send an ACK at once */
	   delack_due:1,		/* an ACK is owed, on the delack timer */
	   pingpong:1,			/* interactive: ACKs ride on answers */
	   fin_pending:1,		/* a FIN at fin_seq, beyond a hole */
	   fin_rcvd:1,			/* the peer's FIN is in rcv.nxt */
	   dsack:1,			/* dsack_start..end goes on our ACK */
	   ack_deferred:1;		/* ACK owed by the backlog: release_cb */
	u32 dsack_start;		/* data we got twice (RFC 2883) */
	u32 dsack_end;
	u32 fin_seq;			/* the sequence number of that FIN */
	unsigned long lrcv;		/* jiffies of the last segment */
	unsigned long lrcv_data;	/* ... of the last one with data */
	struct timer_list delack;	/* the delayed-ACK timer */

	/* receive-buffer auto-tuning (xtcp_recv_space_adjust) */
	u32 rtt_us;			/* RTT seen from here << 3, or 0 */
	u32 space;			/* bytes read in the last RTT measured */
	u32 space_seq;			/* rcv.copied when this RTT began */
	u64 space_us;			/* and the time it began, microseconds */

	/* what TCP_INFO reports */
	u64 bytes_received;
	u32 segs_in;			/* every segment, synchronized */
	u32 data_segs_in;		/* ... of which carried data */
};

/*
 * A connection's timers' state. timer.c will own every connection timer
 * (RTO, delayed ACK, persist, keepalive); today sk_timer is the SYN timer.
 */
struct xtcp_timers {
	unsigned long rto;		/* current retransmit timeout, jiffies */
	u32 srtt_us;			/* smoothed RTT << 3, microseconds */
	u32 rttvar_us;			/* RTT variation << 2, microseconds */
	u32 rtt_min_us;			/* smallest RTT seen */
	u8 syn_retries;			/* SYNs sent again */
	u8 retries;			/* RTO expiries since progress */
	u8 backoff;			/* doublings of the RTO in force */
	u8 probes;			/* zero-window probes since progress */
	u8 pending;			/* XTCP_TIMER_*: what sk_timer is for */
	u8 ka_probes;			/* keepalive probes unanswered */
	u8 syn_count;			/* TCP_SYNCNT; 0: the sysctl */
	u8 ka_count;			/* TCP_KEEPCNT; 0: the sysctl */
	int ka_idle;			/* TCP_KEEPIDLE, jiffies; 0: sysctl */
	int ka_intvl;			/* TCP_KEEPINTVL, jiffies; 0: sysctl */
	int linger2;			/* TCP_LINGER2, jiffies; 0: sysctl, -1 */
	unsigned long user_timeout;	/* TCP_USER_TIMEOUT, jiffies; 0: none */
	unsigned long stall_start;	/* jiffies since snd.una last moved */
	struct timer_list keepalive;	/* SO_KEEPALIVE probes */
};

/* What the connection's sk_timer is armed for. */
enum xtcp_timer_kind {
	XTCP_TIMER_NONE,
	XTCP_TIMER_SYN,			/* SYN or SYN-ACK retransmission */
	XTCP_TIMER_RTO,			/* data retransmission */
	XTCP_TIMER_PROBE,		/* zero-window probe */
};

/* What the first SYN of a connection does for Fast Open. */
enum xtcp_fo_plan {
	XTCP_FO_PLAN_OFF,		/* nothing: an ordinary SYN */
	XTCP_FO_PLAN_REQUEST,		/* an empty option: asks for a cookie */
	XTCP_FO_PLAN_DATA,		/* data, with the cached cookie if any */
};

/* A Fast Open client's state (fastopen_client.c, conn.c, socket.c). */
struct xtcp_fo_client {
	struct msghdr *msg;		/* sendmsg()'s, while it connects */
	int copied;			/* bytes of @msg the SYN carries */
	u16 mss;			/* the peer's, from the cache; 0 unknown */
	u8 plan;			/* enum xtcp_fo_plan */
	u8 cookie_len;
	u8 cookie[XTCP_FO_COOKIE_MAX];
	u8 defer;			/* connect() returned: a write sends SYN;
					 * poll() reads it unlocked
					 */
	u8 connect:1,			/* TCP_FASTOPEN_CONNECT */
	   syn_fo:1,			/* our first SYN was a Fast Open one */
	   syn_data:1,			/* ... and carried data */
	   data_acked:1,		/* ... which the SYN-ACK acknowledged */
	   bh_check:1;			/* a pause just ended: success ends it */
};

/* RFC 5961 challenge ACKs, limited per socket. */
struct xtcp_challenge {
	unsigned long stamp;		/* second of the last challenge ACK */
	u32 count;			/* challenge ACKs in that second */
};

/* An xtcp socket. inet_sock first: the IPv4 output path relies on it. */
struct xtcp_sock {
	struct inet_sock inet;

	/* from here on ours: xtcp_conn_init_sock() clears it all */
	struct xtcp_ehash_node eh;	/* while it has a 4-tuple */
	struct hlist_node bind_node;	/* while it holds a local port */
	struct hlist_nulls_node listen_node; /* while listening */
	u8 bound:1,			/* in the bind table */
	   bind_explicit:1,		/* port chosen by bind(), not connect() */
	   passive:1,			/* SYN_RECV from a listener (MUST-11) */
	   orphan_counted:1;		/* counted in CurrOrphans */

	struct xtcp_listener lsn;	/* a listener's */
	struct list_head accept_node;	/* a child's, on its listener's queue */

	/* a connection's */
	struct xtcp_snd snd;
	struct xtcp_rcv rcv;
	struct xtcp_negotiated opt;
	struct xtcp_timers tmr;
	struct xtcp_challenge chal;
	u8 ecn_flags;			/* XTCP_ECN_*, once opt.ecn_ok */
	/* a Fast Open child until its SYN-ACK is acknowledged: its listener */
	struct sock *fo_listener;
	/*
	 * A Fast Open child whose SYN-ACK is not acknowledged yet (SYN_RECV,
	 * or FIN_WAIT_1 after a close): snd.una is still the ISS, the SYN
	 * timer resends the SYN-ACK, and data may already be out.
	 */
	u8 fo_synack;
	struct xtcp_fo_client foc;	/* an active open's Fast Open */

	/*
	 * ICMP errors that came while a process held the socket (icmp.c),
	 * for release_sock() to act on; written under the socket spinlock.
	 */
	u8 icmp_deferred;		/* XTCP_ICMP_DEFER_* bits */
	int icmp_err;			/* the handshake's hard error */
};

/* ECN state of a connection (ecn.c). */
#define XTCP_ECN_QUEUE_CWR	0x01	/* CWR on the next new data */
#define XTCP_ECN_DEMAND_CWR	0x02	/* ECE on every ACK until CWR */
#define XTCP_ECN_SEEN		0x04	/* the peer's data came ECT or CE */

#define XTCP_ICMP_DEFER_ERR	0x01	/* icmp_err ends the handshake */
#define XTCP_ICMP_DEFER_MTU	0x02	/* the route's PMTU fell: the MSS too */

static inline struct xtcp_sock *xtcp_sk(const struct sock *sk)
{
	return (struct xtcp_sock *)sk;
}

static inline struct sock *xtcp_eh_sk(struct xtcp_ehash_node *eh)
{
	return &container_of(eh, struct xtcp_sock, eh)->inet.sk;
}

static inline struct xtcp_request *xtcp_eh_req(struct xtcp_ehash_node *eh)
{
	return container_of(eh, struct xtcp_request, eh);
}

static inline struct xtcp_tw *xtcp_eh_tw(struct xtcp_ehash_node *eh)
{
	return container_of(eh, struct xtcp_tw, eh);
}

/* Defaults of the per-netns sysctls. */
#define XTCP_TIMEOUT_INIT	HZ		/* RFC 6298 initial RTO */
#define XTCP_RTO_MAX		(120 * HZ)	/* largest RTO, as TCP's */
#define XTCP_SYN_RETRIES	6
#define XTCP_SYNACK_RETRIES	5
#define XTCP_MAX_SYN_BACKLOG	4096
#define XTCP_MSS_DEFAULT	536		/* RFC 9293 3.7.1, IPv4 */
#define XTCP_MSS_FROM_ROUTE	0xffff		/* xtcp_seg.mss: ask the route */
#define XTCP_RCV_WND_INIT	65535U		/* SYN windows are never scaled */
#define XTCP_CHALLENGE_PER_SEC	10		/* per socket, RFC 5961 10 */
#define XTCP_RETRIES2		15		/* as tcp_retries2 */
#define XTCP_ORPHAN_RETRIES	8		/* tcp_orphan_retries 0 means 8 */
#define XTCP_TIMEWAIT_LEN	(60 * HZ)	/* 2MSL, as TCP_TIMEWAIT_LEN */
#define XTCP_FIN_TIMEOUT	60		/* seconds, tcp_fin_timeout */
#define XTCP_FIN_TIMEOUT_MAX	(120 * HZ)	/* TCP_LINGER2's bound */
#define XTCP_KEEPALIVE_TIME	7200		/* seconds, as TCP's */
#define XTCP_KEEPALIVE_INTVL	75
#define XTCP_KEEPALIVE_PROBES	9

/* Room before a segment's payload for link, IP and our largest header. */
#define XTCP_SKB_HEADROOM	(MAX_HEADER + sizeof(struct iphdr) + 60)

/* sysctl.c */
int xtcp_sysctl_net_init(struct net *net);
void xtcp_sysctl_net_exit(struct net *net);

/* Read a sysctl of @net; they change under us at any time. */
#define XTCP_SYSCTL(net, name) READ_ONCE(xtcp_net(net)->sysctl.name)

/* proc.c */
int xtcp_proc_net_init(struct net *net);
void xtcp_proc_net_exit(struct net *net);

/* table.c */
extern unsigned int xtcp_ehash_entries;
int xtcp_table_init(void);
void xtcp_table_exit(void);
struct xtcp_ehash_node *xtcp_table_ehash_lookup(const struct net *net,
						__be32 laddr, __be16 lport,
						__be32 raddr, __be16 rport,
						int dif, int sdif);
struct xtcp_tw *xtcp_table_tw_lookup(const struct net *net, __be32 laddr,
				     __be16 lport, __be32 raddr, __be16 rport,
				     int dif);
int xtcp_table_ehash_insert(struct xtcp_ehash_node *eh);
bool xtcp_table_ehash_remove(struct xtcp_ehash_node *eh);
bool xtcp_table_ehash_replace(struct xtcp_ehash_node *old,
			      struct xtcp_ehash_node *new);
bool xtcp_table_ehash_mod_timer(struct xtcp_ehash_node *eh,
				struct timer_list *timer, unsigned long expires);
void xtcp_table_ehash_walk(const struct net *net,
			   bool (*fn)(struct xtcp_ehash_node *eh, void *arg),
			   void *arg);
struct xtcp_ehash_node *xtcp_table_ehash_seek(const struct net *net,
					      struct xtcp_table_cursor *cur);
int xtcp_table_listen_add(struct sock *sk);
void xtcp_table_listen_remove(struct sock *sk);
struct sock *xtcp_table_reuseport_peer(const struct sock *sk, u32 hash);
u32 xtcp_table_tuple_hash(const struct xtcp_ehash_node *eh);
struct sock *xtcp_table_listen_lookup(const struct net *net,
				      struct sk_buff *skb, int dif, int sdif);
bool xtcp_table_l3mdev_accept(const struct net *net);
void xtcp_table_listen_walk(const struct net *net,
			    bool (*fn)(struct sock *sk, void *arg), void *arg);
struct sock *xtcp_table_listen_seek(const struct net *net,
				    struct xtcp_table_cursor *cur);
int xtcp_table_bind(struct sock *sk, u16 port);
typedef bool (*xtcp_table_tw_reusable_t)(const struct xtcp_tw *tw,
					 const struct sock *sk, bool bound);
int xtcp_table_connect_hash(struct sock *sk, u64 port_offset,
			    xtcp_table_tw_reusable_t reusable,
			    struct xtcp_tw **twp);
void xtcp_table_tw_bind(struct xtcp_tw *tw);
void xtcp_table_tw_unbind(struct xtcp_tw *tw);
void xtcp_table_inherit_port(struct sock *child, struct sock *listener);
void xtcp_table_unbind(struct sock *sk);

/* secure.c */
void xtcp_secure_init(void);
u32 xtcp_secure_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport);
u32 xtcp_secure_ts_off(__be32 saddr, __be32 daddr);
u64 xtcp_secure_port_offset(const struct net *net, __be32 saddr,
			    __be32 daddr, __be16 dport);
u32 xtcp_secure_ts_now(void);

/* output.c */
#define XTCP_DEV_CSUM	BIT(0)	/* sums any protocol */
#define XTCP_DEV_RUNS	BIT(1)	/* loopback or veth: GSO runs */
unsigned int xtcp_output_dev_caps(struct sock *sk);
struct sk_buff *xtcp_output_build(const struct xtcp_seg *s, gfp_t gfp);
int xtcp_output_ctl(struct net *net, const struct xtcp_seg *s, int oif,
		    u8 tos, u32 mark);
int xtcp_output_synack(const struct sock *lsk, const struct xtcp_seg *s,
		       int oif);
int xtcp_output_sk(struct sock *sk, struct xtcp_seg *s);
int xtcp_output_data(struct sock *sk, struct sk_buff *skb, struct xtcp_seg *s);
int xtcp_output_data_gso(struct sock *sk, struct sk_buff *first,
			 unsigned int n, u32 mss, struct xtcp_seg *s);
int xtcp_offload_init(void);
void xtcp_offload_exit(void);
unsigned int xtcp_output_opts_room(const struct xtcp_seg *s);
void xtcp_output_reset(struct net *net, const struct sock *sk,
		       struct sk_buff *skb);
void xtcp_output_reset_mark(struct net *net, u32 sk_mark,
			    struct sk_buff *skb);
int xtcp_output_net_init(struct net *net);
void xtcp_output_net_exit(struct net *net);

/*
 * A congestion control algorithm (cc.c). send.c owns cwnd and ssthresh,
 * in segments, and asks the algorithm only these.
 */
struct xtcp_cc_ops {
	const char *name;		/* as TCP_CONGESTION names it */
	u32 (*ssthresh)(struct sock *sk);	/* on loss */
	void (*cong_avoid)(struct sock *sk, u32 acked);	/* on new ACKs */
	void (*timeout)(struct sock *sk);	/* RTO: cwnd now 1; optional */
	void (*restart)(struct sock *sk);	/* sending after idle; optional */
	/* snd.una moved on, timed by @rtt_us (0: no sample); optional */
	void (*acked)(struct sock *sk, u32 rtt_us);
};

/* Longest algorithm name, NUL included: Linux's TCP_CA_NAME_MAX. */
#define XTCP_CC_NAME_MAX	16

/* cc.c */
const struct xtcp_cc_ops *xtcp_cc_default(void);
const struct xtcp_cc_ops *xtcp_cc_find(const char *name);
void xtcp_cc_init(struct sock *sk);
void xtcp_cc_set(struct sock *sk, const struct xtcp_cc_ops *ops);
void xtcp_cc_timeout(struct sock *sk);
void xtcp_cc_restart(struct sock *sk);

/* timer.c */
void xtcp_timer_rtt_sample(struct sock *sk, u32 rtt_us);
unsigned long xtcp_timer_rto_base(const struct xtcp_timers *t);
void xtcp_timer_stop(struct sock *sk);
void xtcp_timer_syn_sent(struct sock *sk);
void xtcp_timer_data_sent(struct sock *sk);
void xtcp_timer_acked(struct sock *sk, bool outstanding);
void xtcp_timer_rto_fired(struct sock *sk);
void xtcp_timer_reneging(struct sock *sk);
long xtcp_timer_rto_revert(struct sock *sk, u32 sent_ms);
unsigned long xtcp_timer_backoff_span(unsigned int retries);
void xtcp_timer_window_closed(struct sock *sk);
void xtcp_timer_probe_sent(struct sock *sk);
unsigned long xtcp_timer_ato(const struct xtcp_sock *xs);
void xtcp_timer_ack_owed(struct sock *sk);
void xtcp_timer_ack_sent(struct sock *sk);
void xtcp_timer_stop_all(struct sock *sk);
bool xtcp_timer_user_timeout_passed(const struct xtcp_timers *t);
void xtcp_timer_keepalive(struct sock *sk, unsigned long when);

/* recv.c */
void xtcp_recv_init(struct sock *sk);
u32 xtcp_recv_initial_window(const struct sock *sk);
u8 xtcp_recv_wscale_calc(u32 space, u32 rmem_max, u32 core_max, u32 clamp);
u8 xtcp_recv_wscale(const struct sock *sk);
u32 xtcp_recv_wnd_left(const struct xtcp_sock *xs);
u16 xtcp_recv_window(struct sock *sk);
bool xtcp_recv_window_update_due(struct sock *sk);
void xtcp_recv_dsack(struct sock *sk, u32 start, u32 end);
unsigned int xtcp_recv_sack_blocks(struct sock *sk,
				   struct xtcp_sack_block *blocks,
				   unsigned int max);
bool xtcp_recv_data(struct sock *sk, struct sk_buff *skb);
u64 xtcp_recv_space_grow(u32 copied, u32 prev, u32 mss);
void xtcp_recv_space_adjust(struct sock *sk);
void xtcp_recv_ack_sent(struct sock *sk);
u32 xtcp_recv_readable(const struct sock *sk);
void xtcp_recv_purge(struct sock *sk);
void xtcp_recv_fin(struct sock *sk);
bool xtcp_recv_note_fin(struct sock *sk, u32 seq);
int xtcp_recv_msg(struct sock *sk, struct msghdr *msg, size_t len, int flags);

/* send.c */
u32 xtcp_send_mss(const struct xtcp_sock *xs);
void xtcp_send_init(struct sock *sk);
void xtcp_send_sk_init(struct sock *sk);
void xtcp_send_ack(struct sock *sk);
void xtcp_send_reset(struct sock *sk);
void xtcp_send_push(struct sock *sk);
void xtcp_send_probe(struct sock *sk);
void xtcp_send_keepalive(struct sock *sk);
void xtcp_send_fin(struct sock *sk);
int xtcp_send_rcv_ack(struct sock *sk, const struct sk_buff *skb);
void xtcp_send_rto(struct sock *sk);
void xtcp_send_enter_loss(struct sock *sk);
int xtcp_send_msg(struct sock *sk, struct msghdr *msg, size_t size);
int xtcp_send_syn_data(struct sock *sk, struct msghdr *msg, u32 len);
bool xtcp_send_syn_data_left(struct sock *sk);
void xtcp_send_purge(struct sock *sk);
u32 xtcp_send_unsent(const struct sock *sk);
bool xtcp_send_mtu_reduced(struct sock *sk, u32 mtu);

/* ecn.c */
void xtcp_ecn_connect(struct sock *sk);
u8 xtcp_ecn_syn_flags(const struct sock *sk, bool again);
bool xtcp_ecn_syn_ok(const struct net *net, const struct xtcp_skb_cb *cb);
void xtcp_ecn_rcv_synack(struct sock *sk, const struct xtcp_skb_cb *cb);
void xtcp_ecn_established(struct sock *sk);
u32 xtcp_ecn_cookie_tsval(u32 tsval, bool ecn_ok);
bool xtcp_ecn_cookie_ok(const struct net *net, const struct xtcp_options *opts);
void xtcp_ecn_rcv_cwr(struct sock *sk, const struct xtcp_skb_cb *cb);
bool xtcp_ecn_rcv_data(struct sock *sk, u8 ecn);
u8 xtcp_ecn_ack_flags(const struct xtcp_sock *xs);
void xtcp_ecn_data_out(struct sock *sk, struct xtcp_seg *s, bool fresh);
void xtcp_ecn_queue_cwr(struct sock *sk);
bool xtcp_ecn_echoed(struct sock *sk, const struct xtcp_skb_cb *cb);
void xtcp_ecn_set_ect(struct sock *sk, bool ect);

/* cookie.c */
struct xtcp_cookie_tuple {
	__be32 saddr;			/* local */
	__be32 daddr;			/* remote */
	__be16 sport;
	__be16 dport;
	u32 isn;			/* the client's */
};

struct xtcp_cookie_opts {
	u16 mss;
	u8 wscale;
	bool has_wscale;
	bool sack_ok;
};

u32 xtcp_cookie_now(void);
u32 xtcp_cookie_make(const siphash_key_t *key,
		     const struct xtcp_cookie_tuple *t,
		     struct xtcp_cookie_opts *c, u32 counter);
int xtcp_cookie_check(const siphash_key_t *key,
		      const struct xtcp_cookie_tuple *t, u32 cookie,
		      u32 counter, struct xtcp_cookie_opts *c);

/* accept.c */
void xtcp_accept_init(struct xtcp_accept_queue *q);
void xtcp_accept_open(struct sock *lsk);
void xtcp_accept_close(struct sock *lsk);
bool xtcp_accept_is_open(const struct sock *lsk);
unsigned int xtcp_accept_synq_limit(const struct sock *lsk);
unsigned int xtcp_accept_synq_len(const struct sock *lsk);
bool xtcp_accept_synq_full(const struct sock *lsk);
int xtcp_accept_req_add(struct sock *lsk, struct xtcp_request *req);
void xtcp_accept_req_del(struct sock *lsk, struct xtcp_request *req);
struct xtcp_request *xtcp_accept_req_pop(struct sock *lsk);
bool xtcp_accept_child_add(struct sock *lsk, struct sock *child,
			   struct xtcp_request *req);
struct sock *xtcp_accept_child_pop(struct sock *lsk);
bool xtcp_accept_has_child(const struct sock *lsk);
void xtcp_accept_count_drop(struct sock *lsk, bool overflow);
void xtcp_accept_info(struct sock *lsk, struct xtcp_listen_info *info);

/* listen.c */
int xtcp_listen_start(struct sock *sk);
void xtcp_listen_stop(struct sock *sk);
void xtcp_listen_rcv(struct sock *lsk, struct sk_buff *skb);
void xtcp_listen_rcv_req_ack(struct sock *lsk, struct xtcp_request *req,
			     struct sk_buff *skb);

/* request.c */
int xtcp_req_init(void);
void xtcp_req_exit(void);
void xtcp_req_put(struct xtcp_request *req);
void xtcp_req_drop(struct xtcp_request *req);
int xtcp_req_start(struct sock *lsk, const struct sk_buff *skb,
		   const u8 *fo_cookie);
void xtcp_req_from_syn(struct xtcp_request *req, struct sock *lsk,
		       const struct sk_buff *skb);
void xtcp_req_from_cookie(struct xtcp_request *req, struct sock *lsk,
			  const struct sk_buff *skb,
			  const struct xtcp_cookie_opts *c);
void xtcp_req_send_synack(struct xtcp_request *req);
struct sock *xtcp_req_make_child(struct xtcp_request *req,
				 const struct sk_buff *skb);
bool xtcp_req_rcv(struct xtcp_request *req, struct sk_buff *skb);

/* timewait.c */
enum xtcp_tw_verdict {
	XTCP_TW_DONE,			/* handled; nothing more to do */
	XTCP_TW_RST,			/* answer with a RST; the entry ended */
	XTCP_TW_SYN,			/* the entry ended: a listener's SYN */
};

int xtcp_tw_init(void);
void xtcp_tw_exit(void);
void xtcp_tw_put(struct xtcp_tw *tw);
bool xtcp_tw_enter(struct sock *sk, int substate, unsigned long timeo);
enum xtcp_tw_verdict xtcp_tw_rcv(struct xtcp_tw *tw, struct sk_buff *skb);
void xtcp_tw_redeliver(struct sock *sk, struct sk_buff *skb);
bool xtcp_tw_reusable(const struct xtcp_tw *tw, const struct sock *sk,
		      bool bound);
u32 xtcp_tw_reused(struct xtcp_tw *tw);
unsigned long xtcp_tw_remaining(const struct xtcp_tw *tw);
void xtcp_tw_net_exit(struct net *net);

/* conn.c */
void xtcp_conn_init_sock(struct sock *sk);
void xtcp_conn_set_state(struct sock *sk, int state);
int xtcp_conn_connect(struct sock *sk, __be32 daddr, __be16 dport);
void xtcp_conn_fastopen_send(struct sock *sk);
int xtcp_conn_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_conn_rcv(struct sock *sk, struct sk_buff *skb);
void xtcp_conn_input(struct sock *sk, struct sk_buff *skb);
void xtcp_conn_established(struct sock *sk, const struct xtcp_skb_cb *cb);
void xtcp_conn_abort(struct sock *sk);
void xtcp_conn_abort_child(struct sock *child);
void xtcp_conn_inherit(struct sock *child, const struct sock *lsk);
void xtcp_conn_close(struct sock *sk, long timeout);
void xtcp_conn_orphaned(struct sock *sk);
void xtcp_conn_shutdown(struct sock *sk);
void xtcp_conn_set_keepalive(struct sock *sk, int on);
void xtcp_conn_keepalive_reset(struct sock *sk);
bool xtcp_conn_need_reset(int state);
void xtcp_conn_unreachable(struct sock *sk, int err);
bool xtcp_conn_rto_revert(struct sock *sk, u32 seq);
void xtcp_conn_send_syn(struct sock *sk);

/* icmp.c */
int xtcp_icmp_err(struct sk_buff *skb, u32 info);
void xtcp_icmp_release_cb(struct sock *sk);
void xtcp_conn_release_ack(struct sock *sk);

/* socket.c */
extern struct proto xtcp_prot;
extern struct net_proto_family xtcp_family_ops;
extern struct proto_ops xtcp_stream_ops;
int xtcp_sock_init(void);

/* sockopt.c */
int xtcp_sockopt_set(struct sock *sk, int optname, sockptr_t optval,
		     unsigned int optlen);
int xtcp_sockopt_get(struct sock *sk, int optname, char __user *optval,
		     int __user *optlen);
void xtcp_sock_exit(void);

/* input.c */
int xtcp_input_rcv(struct sk_buff *skb);

/* options.c */
int xtcp_options_parse(const u8 *ptr, unsigned int len,
		       struct xtcp_options *opts);

/* fastopen.c */
#define XTCP_FASTOPEN_CLIENT		0x1	/* Linux's TFO_* bits */
#define XTCP_FASTOPEN_SERVER		0x2
#define XTCP_FASTOPEN_CLIENT_NO_COOKIE	0x4
#define XTCP_FASTOPEN_SERVER_NO_COOKIE	0x200
#define XTCP_FASTOPEN_SERVER_ALWAYS	0x400	/* qlen = backlog unless set */
#define XTCP_FASTOPEN_KEY_LEN		16	/* as TCP_FASTOPEN_KEY_LENGTH */
void xtcp_fastopen_net_init(struct net *net);
int xtcp_fastopen_set_key(struct net *net, const u8 *buf, unsigned int len);
int xtcp_fastopen_get_key(struct net *net, u8 *buf);
enum xtcp_fastopen_verdict {
	XTCP_FO_NONE,			/* an ordinary handshake */
	XTCP_FO_CHILD,			/* a child took the SYN and its data */
	XTCP_FO_COOKIE,			/* ordinary, our SYN-ACK gives a cookie */
};

enum xtcp_fastopen_verdict xtcp_fastopen_syn(struct sock *lsk,
					     struct sk_buff *skb, u8 *cookie);

/* fastopen_client.c */
int xtcp_fastopen_client_net_init(struct net *net);
void xtcp_fastopen_client_net_exit(struct net *net);
void xtcp_fastopen_client_plan(struct sock *sk);
void xtcp_fastopen_client_synack(struct sock *sk, const u8 *cookie, int len,
				 bool syn_lost);
void xtcp_fastopen_client_timeout(struct sock *sk, int timeouts, bool expired);

/* stats.c */
int xtcp_stats_net_init(struct net *net);
unsigned long xtcp_stats_read(struct net *net, enum xtcp_mib_field field);
void xtcp_stats_net_exit(struct net *net);

#endif /* _XTCP_H */
