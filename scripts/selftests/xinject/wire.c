// SPDX-License-Identifier: GPL-2.0
/*
 * xinject's wire: segments go out through a raw IPv4 socket at xtcp's
 * protocol number (xi's stack adds the IP header), and xs's answers come
 * back through a tap on vi. Every answer is kept, with the time it came,
 * so a scenario can look back for a timer's resend it was not waiting for.
 */
#include "inject.h"

static int wire_fd;		/* sends */
static struct xt_cap wire_cap;	/* captures, on vi */
int wire_quiet;
struct wire_hist wire_hist[WIRE_HIST_MAX];
int wire_nhist;

/*
 * Send a segment from INJ_ADDR:@sport to SRV_ADDR:@dport with the options
 * described by @o (NULL: none) and @paylen bytes of payload.
 */
void wire_send(uint16_t sport, uint16_t dport, uint8_t flags,
	       uint32_t seq, uint32_t ack, uint16_t win,
	       const struct xt_opts *o, unsigned int paylen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint8_t b[1500];
	unsigned int len;
	struct xt_hdr h;
	struct xt_seg s;
	char str[256];

	if (paylen > sizeof(b) - 60)
		xt_fatal("%s: %u bytes of payload", __func__, paylen);
	xt_seg_hdr_init(&h, sport, dport, flags, seq, ack);
	h.win = win;
	h.optlen = xt_seg_opts_linux(h.opt, o);
	h.paylen = paylen;
	len = xt_seg_build(b, sizeof(b), &h, inj_addr, srv_addr, 6);
	dst.sin_addr.s_addr = srv_addr;
	if (sendto(wire_fd, b, len, 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)len)
		xt_fatal("sendto");
	if (!wire_quiet) {
		xt_seg_parse(b, len, inj_addr, srv_addr, &s);
		xt_seg_str(&s, str, sizeof(str));
		xt_log("  > %s", str);
	}
}

/*
 * The next xtcp segment that xs sent us (not our own, outgoing ones),
 * within @ms. Returns 1 with @s filled, 0 on timeout.
 */
int wire_recv(struct xt_seg *s, int ms)
{
	if (!xt_cap_recv(&wire_cap, s, ms))
		return 0;
	if (wire_nhist < WIRE_HIST_MAX) {
		wire_hist[wire_nhist].s = *s;
		wire_hist[wire_nhist].t = xt_now();
		wire_nhist++;
	}
	return 1;
}

/* Drop whatever the tap has queued. */
void wire_flush(void)
{
	struct xt_seg s;

	while (wire_recv(&s, 0))
		;
}

/* Seconds since the scenario began, for the log. */
static double wire_t_rel(double t)
{
	return t - t_start;
}

/* Read the tap until @until (xt_now() time), printing what comes. */
void wire_pump_until(double until)
{
	char str[256];
	struct xt_seg s;
	double left;

	while ((left = until - xt_now()) > 0) {
		if (!wire_recv(&s, (int)(left * 1000) + 1))
			continue;
		xt_seg_str(&s, str, sizeof(str));
		xt_log("  < %s (+%.2f s)", str, wire_t_rel(wire_hist[wire_nhist - 1].t));
	}
}

/* Open the raw socket and the tap; nothing before this is history. */
void wire_open(void)
{
	proto = xt_ipproto();
	wire_fd = socket(AF_INET, SOCK_RAW, proto);
	if (wire_fd < 0)
		xt_fatal("socket(AF_INET, SOCK_RAW, %d)", proto);
	xt_cap_open(&wire_cap, xt_ns_ifindex(NS_XI, INJ_IF, NULL), 0, 0);
	wire_flush();
	wire_nhist = 0;
}
