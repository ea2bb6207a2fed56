// SPDX-License-Identifier: GPL-2.0
/*
 * xinject SCENARIO: one handshake or security rule of xtcp, checked with
 * crafted segments. Run by inject.sh inside the "injector" namespace xi:
 *
 *   xs (192.0.2.1/24) vs ---- vi (192.0.2.2/24) xi
 *                             tc ingress on vi drops IP protocol 253
 *
 * xtcp is loaded for every namespace, so xi's own stack would answer what
 * xs sends; the tc filter keeps the replies away from it. We see them with
 * an AF_PACKET tap (ETH_P_ALL taps run before tc ingress) on vi, and send
 * through a raw IPv4 socket at the xtcp protocol number. The sockets under
 * test (listeners, connecting sockets) are created inside xs by setns(),
 * and stay there when we come back: a socket keeps its namespace. xs's
 * counters and /proc/net/xtcp are read the same way.
 *
 * Every segment sent and received is printed. `xinject list` names the
 * scenarios. Exit status as the other selftests: 0 pass, 1 fail.
 *
 * The files: main.c (this table), wire.c (send and capture), xs.c (the
 * namespaces under test), conn.c (one connection as we play it), and the
 * scenarios by area: listener.c, request.c, connect.c, established.c,
 * security.c. A new scenario goes in its area's file and in this table.
 */
#include "inject.h"

int proto;
int family;
uint32_t srv_addr, inj_addr;
double t_start;

static const struct {
	const char *name;
	void (*fn)(void);
	const char *desc;
} scenarios[] = {
	{ "listen_rst", listener_rst, "listener ignores RST" },
	{ "listen_ack", listener_ack, "listener answers ACK with RST <SEQ=SEG.ACK>" },
	{ "listen_synfin", listener_synfin, "listener drops SYN+FIN" },
	{ "listen_noflags", listener_noflags, "listener drops segments without SYN, ACK, RST" },
	{ "synack_basic", listener_synack_basic, "SYN-ACK to a SYN without options" },
	{ "synack_opts", listener_synack_opts, "SYN-ACK options only as offered" },
	{ "synack_window", listener_synack_window, "SYN-ACK window never scaled" },
	{ "syn_repeat", request_syn_repeat,
	  "repeated SYN: same SYN-ACK, rate-limited, one request" },
	{ "req_oow", request_oow, "request sock: out-of-window segments" },
	{ "req_rst", request_rst, "request sock: in-window RST drops it" },
	{ "req_syn", request_syn, "request sock: in-window SYN gets RST, drops it" },
	{ "req_bad_ack", request_bad_ack, "request sock: ack != ISS+1 gets RST, kept" },
	{ "promote", request_promote, "final ACK promotes to an accepted socket" },
	{ "req_ts_missing", request_ts_missing, "final ACK without negotiated TS dropped" },
	{ "data_on_ack", request_data_on_ack, "final ACK with data" },
	{ "est_rst", established_rst, "ESTABLISHED: RST at RCV.NXT resets" },
	{ "closing_tw", closing_tw,
	  "xs's FIN retransmitted; TIME_WAIT ignores a RST, ACKs a FIN again" },
	{ "closing_fin_delack", closing_fin_delack,
	  "our FIN is ACKed by the delayed-ACK timer; xs's FIN|ACK then" },
	{ "est_rst_inwin", established_rst_inwin, "ESTABLISHED: other RSTs challenged or dropped" },
	{ "est_syn", established_syn, "ESTABLISHED: SYN gets a challenge ACK" },
	{ "est_oow", established_oow, "ESTABLISHED: out-of-window segments get an ACK" },
	{ "challenge_limit", security_challenge_limit, "challenge ACKs: 10 per second" },
	{ "challenge_per_socket", security_challenge_per_socket, "challenge ACK limit per socket" },
	{ "ts_every", established_ts_every, "TS on every non-RST segment once negotiated" },
	{ "ts_stop", established_ts_stop, "peer stops sending TS" },
	{ "paws", established_paws, "PAWS: one tick of TSval back is taken, two dropped" },
	{ "renege", established_renege,
	  "SACKed data at snd.una after an ACK: sent again (RFC 2018 8)" },
	{ "nosock_rst", listener_nosock_rst, "segment for no socket: RFC 9293 RST" },
	{ "netns_listener", security_netns_listener, "listener of another netns not matched" },
	{ "netns_ehash", security_netns_ehash, "connection of another netns not matched" },
	{ "close_reqs", listener_close_reqs, "close() drops the requests at once" },
	{ "isn", security_isn, "ISN = clock + keyed hash (RFC 6528)" },
	{ "active_open", connect_active_open, "connect(): SYN, final ACK, TS" },
	{ "simul_open", connect_simopen, "simultaneous open (MUST-10)" },
	{ "simul_crossed", connect_crossed_syn, "simultaneous open, crossing SYN-ACKs" },
	{ "simul_rst", connect_simopen_rst, "active SYN_RECV + RST: refused (MUST-11)" },
	{ "acceptq_syn", listener_acceptq_syn, "accept queue full: a new SYN is dropped" },
	{ "acceptq_ack", listener_acceptq_ack,
	  "accept queue full: final ACK dropped, request kept" },
	{ "abort_overflow", listener_abort_overflow,
	  "net.xtcp.abort_on_overflow: RST for the final ACK" },
	{ "abort_sockopt", listener_abort_sockopt, "XTCP_ABORT_ON_OVERFLOW overrides the sysctl" },
	{ "synq_limit", listener_synq_limit, "request socks: backlog + 1, max_syn_backlog" },
	{ "synq_pressure", listener_synq_pressure, "queue over half full: pruned back to half" },
	{ "cookie_data", security_cookie_data, "syncookies=2: a cookie ACK with data connects" },
	{ "cookie_acceptq_full", security_cookie_acceptq_full,
	  "a cookie ACK on a full accept queue is dropped" },
	{ "cookie_replay", security_cookie_replay,
	  "a replayed cookie ACK makes no second connection" },
	{ "sysctls", listener_sysctls, "/proc/sys/net/xtcp: per netns, defaults, bounds" },
};

static void inject_setup(void)
{
	xt_ns_init("xi");
	if (xt_ns_open(NS_XS, "xs"))
		xt_fatal("netns xi (ours) and xs needed: run me from inject.sh");
	xt_ns_open(NS_XN, "xn");	/* only netns_ehash has it */
	family = xt_family();
	srv_addr = xt_addr(SRV_ADDR);
	inj_addr = xt_addr(INJ_ADDR);
	wire_open();
}

int main(int argc, char **argv)
{
	unsigned int i, n = ARRAY_SIZE(scenarios);
	long xi_segs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2 || !strcmp(argv[1], "list")) {
		for (i = 0; i < n; i++)
			printf("%-22s %s\n", scenarios[i].name, scenarios[i].desc);
		return argc == 2 ? 0 : 2;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(argv[1], scenarios[i].name))
			break;
	if (i == n) {
		fprintf(stderr, "xinject: no scenario %s (xinject list)\n", argv[1]);
		return 2;
	}
	inject_setup();
	xt_log("xinject %s: %s (family %d, protocol %d)", scenarios[i].name,
	       scenarios[i].desc, family, proto);
	xi_segs = xt_ns_stat(NS_XI, "InSegs");
	t_start = xt_now();
	scenarios[i].fn();
	xt_check(xt_ns_stat(NS_XI, "InSegs") == xi_segs,
		 "xi's own stack saw none of xs's segments (tc filter works)");
	xt_sock_abort_all();
	return xt_done();
}
