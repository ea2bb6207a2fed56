// SPDX-License-Identifier: GPL-2.0
/*
 * Scenarios: the end of a connection, seen segment by segment. xs closes
 * first; its FIN, unacknowledged, comes again after the RTO; our ACK and
 * FIN put it in TIME_WAIT, where a RST changes nothing (RFC 1337) and
 * our FIN again is ACKed again. And the passive side: our FIN to an idle
 * xs is ACKed by the delayed-ACK timer, so that a program closing at once
 * sends one FIN|ACK instead of an ACK and a FIN.
 */
#include "inject.h"

void closing_tw(void)
{
	long ign = xs_stat("TimeWaitRstIgnored"), rtx = xs_stat("RetransSegs");
	int lfd = xs_listen();
	struct xt_seg s, s2;
	struct conn c;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	xt_log("  -- xs shuts down its side: FIN, never acknowledged");
	shutdown(c.fd, SHUT_WR);
	if (conn_expect(&c, &s, "xs's FIN"))
		xt_check((s.flags & XT_FIN) && s.seq == c.iss + 1,
			 "FIN at seq ISS + 1 (flags 0x%x seq %u)", s.flags, s.seq);
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, "FIN_WAIT1") == 1,
		 "xs in FIN_WAIT1");
	/* the RTO is 1 s or more here: no RTT sample yet beyond the SYN's */
	if (conn_recv(&c, &s2, 5000, 1))
		xt_check((s2.flags & XT_FIN) && s2.seq == c.iss + 1,
			 "the same FIN again after the RTO (flags 0x%x seq %u)",
			 s2.flags, s2.seq);
	else
		xt_check(0, "the FIN again after the RTO");
	xt_check(xs_stat("RetransSegs") > rtx, "RetransSegs counted it");

	xt_log("  -- our ACK of it and our FIN: TIME_WAIT");
	conn_send(&c, XT_ACK | XT_FIN, c.isn + 1, c.iss + 2, 0, c.ts);
	if (conn_expect(&c, &s, "ACK of our FIN"))
		xt_check(s.flags == XT_ACK && s.ack == c.isn + 2 &&
			 s.seq == c.iss + 2, "ACK <seq %u, ack %u>", s.seq, s.ack);
	xt_check(conn_wait_proc(&c, "TIME_WAIT", 1, 1000) == 1,
		 "xs in TIME_WAIT");

	xt_log("  -- a RST into TIME_WAIT: ignored (RFC 1337)");
	conn_send(&c, XT_RST, c.isn + 2, 0, 0, 0);
	conn_expect_none(&c, "RST into TIME_WAIT");
	xt_check(xs_stat("TimeWaitRstIgnored") - ign == 1,
		 "TimeWaitRstIgnored +1");
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, "TIME_WAIT") == 1,
		 "still in TIME_WAIT");

	xt_log("  -- our FIN again, as if our ACK was lost: ACKed again");
	conn_send(&c, XT_ACK | XT_FIN, c.isn + 1, c.iss + 2, 0, c.ts);
	if (conn_expect(&c, &s, "ACK of the repeated FIN"))
		xt_check(s.flags == XT_ACK && s.ack == c.isn + 2 &&
			 s.seq == c.iss + 2, "ACK <seq %u, ack %u> again",
			 s.seq, s.ack);
	conn_close(&c);
}

void closing_fin_delack(void)
{
	int lfd = xs_listen();
	struct xt_seg s;
	struct conn c;
	long dack;

	conn_init(&c, LPORT);
	if (conn_establish(&c, lfd, NULL))
		return;
	dack = xs_stat("DelayedAcks");
	xt_log("  -- our FIN; xs's program does nothing");
	conn_send(&c, XT_ACK | XT_FIN, c.isn + 1, c.iss + 1, 0, c.ts);
	if (conn_expect(&c, &s, "ACK of our FIN"))
		xt_check(s.flags == XT_ACK && s.seq == c.iss + 1 &&
			 s.ack == c.isn + 2, "ACK <seq %u, ack %u> (flags 0x%x)",
			 s.seq, s.ack, s.flags);
	xt_check(xs_stat("DelayedAcks") - dack == 1,
		 "sent by the delayed-ACK timer, not at once (DelayedAcks +1)");
	xt_check(xs_proc_count(NS_XS, LPORT, c.cport, "CLOSE_WAIT") == 1,
		 "xs in CLOSE_WAIT");

	xt_log("  -- xs closes: its FIN, then our ACK ends it");
	close(c.fd);
	c.fd = -1;
	if (conn_expect(&c, &s, "xs's FIN"))
		xt_check(s.flags == (XT_FIN | XT_ACK) && s.seq == c.iss + 1 &&
			 s.ack == c.isn + 2, "FIN|ACK <seq %u, ack %u>",
			 s.seq, s.ack);
	conn_send(&c, XT_ACK, c.isn + 2, c.iss + 2, 0, c.ts);
	xt_check(conn_wait_proc(&c, "LAST_ACK", 0, 2000) == 0,
		 "LAST_ACK ends with our ACK");
	conn_expect_none(&c, "our ACK of its FIN");
	xt_check(xs_stat("DelayedAcks") - dack == 1, "no other delayed ACK");
}
