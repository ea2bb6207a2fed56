// SPDX-License-Identifier: GPL-2.0
/*
 * sendsyn DEST COUNT [PORT [ack]]: send COUNT well-formed xtcp SYN segments
 * to DEST (broadcast allowed) through a raw socket, to PORT (default 8080),
 * each from its own source port (40000 up), so that at a listener each
 * starts its own handshake. With "ack", send ACKs with random sequence and
 * acknowledgment numbers instead: forged SYN-cookie answers. For tests
 * that look at the counters of another namespace than the sender's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xt.h"

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET }, me;
	socklen_t len = sizeof(me);
	uint8_t seg[60];
	int fd, one = 1, i, n, port, ack;
	struct xt_hdr h;

	if (argc < 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		xt_fatal("usage: sendsyn DEST COUNT [PORT]");
	n = atoi(argv[2]);
	port = argc > 3 ? atoi(argv[3]) : 8080;
	ack = argc > 4 && !strcmp(argv[4], "ack");
	fd = socket(AF_INET, SOCK_RAW, xt_ipproto());
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		xt_fatal("raw socket");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len))
		xt_fatal("connect/getsockname");
	for (i = 0; i < n; i++) {
		unsigned int l;

		xt_seg_hdr_init(&h, 40000 + i, port, XT_SYN, 1, 0);
		if (ack) {
			h.flags = XT_ACK;
			h.seq = (uint32_t)rand();
			h.ack = (uint32_t)rand();
		}
		l = xt_seg_build(seg, sizeof(seg), &h, me.sin_addr.s_addr,
				 dst.sin_addr.s_addr, 6);
		if (send(fd, seg, l, 0) != (ssize_t)l)
			xt_fatal("send");
	}
	xt_log("sent %d %s segments to %s", n, ack ? "ACK" : "SYN", argv[1]);
	return 0;
}
