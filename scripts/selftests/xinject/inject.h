/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xinject's files share: the topology's constants, one connection
 * as the injector sees it, and each file's functions (prefixed with the
 * file's name). The toolkit (xt.h) does the wire format and the syscalls.
 */
#ifndef XINJECT_H
#define XINJECT_H

#define _GNU_SOURCE
#include <poll.h>
#include <sys/socket.h>

#include "xt.h"

#define SRV_ADDR	"192.0.2.1"	/* xs */
#define INJ_ADDR	"192.0.2.2"	/* xi, the source of what we send */
#define INJ_IF		"vi"		/* xi's end of the veth */
#define LPORT		8080		/* the listener's port in xs */
#define ROUTE_MSS	1460		/* veth MTU 1500 - 40 */
#define SYN_WND		65535		/* window field of SYN and SYN-ACK */
#define OUR_WSCALE	7		/* the shift xtcp offers */
#define REQ_WND		65535U		/* a request sock's receive window */
#define REPLY_MS	1000		/* a reply comes within this (TCG is slow) */
/* ... when the request timer's resend at 1 s must not pass for the reply */
#define QUICK_MS	300
#define NONE_MS		250		/* listen this long for no reply */

enum { NS_XI, NS_XS, NS_XN, NS_MAX };

extern int proto;		/* xtcp's IP protocol number */
extern int family;		/* AF_XTCP as loaded */
extern uint32_t srv_addr, inj_addr;	/* network order */
extern double t_start;		/* the scenario's start, for the log */

/*
 * One connection as the injector sees it: our port and ISN, the server
 * side's port and ISN, and what the server must be at once synchronized.
 */
struct conn {
	uint16_t cport;		/* ours */
	uint16_t sport;		/* xs's */
	uint32_t isn;		/* our ISN */
	uint32_t iss;		/* xs's ISN, once seen */
	int ts;			/* timestamps negotiated */
	uint32_t tsval;		/* our next TSval */
	uint32_t ts_recent;	/* xs's last TSval */
	int fd;			/* xs's socket for it (accepted or connecting) */
	int synacked;		/* xs's listener sent its SYN-ACK (conn_syn()) */
	double t_synack;	/* when that SYN-ACK came (xt_now()) */
};

/*
 * Every segment the tap gave us, with the time it was read: a resend by a
 * request's timer can come while we wait for another connection's reply,
 * and timer scenarios look for it here afterwards.
 */
#define WIRE_HIST_MAX	2048
struct wire_hist {
	struct xt_seg s;
	double t;
};

/* wire.c */
extern int wire_quiet;		/* don't print sent segments (bursts) */
extern struct wire_hist wire_hist[WIRE_HIST_MAX];
extern int wire_nhist;
void wire_send(uint16_t sport, uint16_t dport, uint8_t flags,
	       uint32_t seq, uint32_t ack, uint16_t win,
	       const struct xt_opts *o, unsigned int paylen);
int wire_recv(struct xt_seg *s, int ms);
void wire_flush(void);
void wire_pump_until(double until);
void wire_open(void);

/* xs.c */
long xs_stat(const char *name);
long xs_tcpext(const char *name);
int xs_proc_count(int ns, uint16_t lport, uint16_t rport,
		  const char *state);
int xs_listen_in(int ns, const char *addr, uint16_t port, int backlog);
int xs_listen(void);
int xs_connect_in(int ns, uint16_t lport, uint16_t rport);
int xs_sysctl_set(int ns, const char *name, int val);
long xs_sysctl_get(int ns, const char *name);
void xs_sysctl_must(const char *name, int val);
int xs_listen_info(int lfd, struct xtcp_listen_info *li);
void xs_check_listen_info(int lfd, const char *what, unsigned int accq,
			  unsigned int synq, unsigned long long ovf,
			  unsigned long long drops);

/* conn.c */
extern const struct xt_opts conn_opts_ts;
void conn_init(struct conn *c, uint16_t sport);
void conn_close(struct conn *c);
void conn_close_fd(int fd);
int conn_is_synack_rtx(const struct conn *c, const struct xt_seg *s);
int conn_recv(const struct conn *c, struct xt_seg *s, int ms,
	      int skip_rtx);
int conn_expect(const struct conn *c, struct xt_seg *s, const char *what);
void conn_expect_none(const struct conn *c, const char *what);
void conn_send(struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	       unsigned int paylen, int ts);
void conn_send_syn(struct conn *c, const struct xt_opts *o);
int conn_syn(struct conn *c, const struct xt_opts *o, struct xt_seg *synack);
int conn_ack_accept(struct conn *c, int lfd, unsigned int paylen);
int conn_read_payload(struct conn *c, unsigned int len);
int conn_establish(struct conn *c, int lfd, const struct xt_opts *o);
int conn_queue(struct conn *c);
int conn_accept_from(int lfd, const struct conn *c, int ms, const char *what);
void conn_check_ack(const struct conn *c, const struct xt_seg *s,
		    const char *what);
void conn_check_rst_seq(const struct xt_seg *s, uint32_t seq, const char *what);
void conn_check_rst_ack(const struct xt_seg *s, uint32_t ack, const char *what);
int conn_reqs(const struct conn *c);
int conn_estab(const struct conn *c);
int conn_wait_proc(const struct conn *c, const char *state, int n, int ms);
int conn_synack_resends(const struct conn *c, double *t, int max);
void conn_log_resends(const struct conn *c, const double *t, int n);

/* listener.c */
void closing_tw(void);
void closing_fin_delack(void);

void listener_rst(void);
void listener_ack(void);
void listener_synfin(void);
void listener_noflags(void);
void listener_synack_basic(void);
void listener_synack_opts(void);
void listener_synack_window(void);
void listener_nosock_rst(void);
void listener_close_reqs(void);
void listener_acceptq_syn(void);
void listener_acceptq_ack(void);
void listener_abort_overflow(void);
void listener_abort_sockopt(void);
void listener_synq_limit(void);
void listener_synq_pressure(void);
void listener_sysctls(void);

/* request.c */
void request_syn_repeat(void);
void request_oow(void);
void request_rst(void);
void request_syn(void);
void request_bad_ack(void);
void request_promote(void);
void request_ts_missing(void);
void request_data_on_ack(void);

/* connect.c */
void connect_active_open(void);
void connect_simopen(void);
void connect_crossed_syn(void);
void connect_simopen_rst(void);

/* established.c */
void established_rst(void);
void established_rst_inwin(void);
void established_syn(void);
void established_oow(void);
void established_ts_every(void);
void established_ts_stop(void);
void established_paws(void);
void established_renege(void);

/* security.c */
void security_challenge_limit(void);
void security_challenge_per_socket(void);
void security_isn(void);
void security_netns_listener(void);
void security_netns_ehash(void);
void security_cookie_data(void);
void security_cookie_acceptq_full(void);
void security_cookie_replay(void);

#endif /* XINJECT_H */
