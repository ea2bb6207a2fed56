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

#include "xtcp_test.h"

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET }, me;
	socklen_t len = sizeof(me);
	uint8_t seg[20] = {
		0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0,
		5 << 4, 0x02, 0xff, 0xff,
	};
	int fd, one = 1, i, n, port;

	if (argc < 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		xt_fatal("usage: sendsyn DEST COUNT [PORT]");
	n = atoi(argv[2]);
	port = argc > 3 ? atoi(argv[3]) : 8080;
	if (argc > 4 && !strcmp(argv[4], "ack"))
		seg[13] = 0x10;
	seg[2] = port >> 8;
	seg[3] = port & 0xff;
	fd = socket(AF_INET, SOCK_RAW, xt_ipproto());
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		xt_fatal("raw socket");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len))
		xt_fatal("connect/getsockname");
	for (i = 0; i < n; i++) {
		seg[0] = (40000 + i) >> 8;
		seg[1] = (40000 + i) & 0xff;
		if (seg[13] == 0x10) {
			uint32_t r[2] = { (uint32_t)rand(), (uint32_t)rand() };

			memcpy(seg + 4, r, sizeof(r));
		}
		xt_set_csum(seg, sizeof(seg), me.sin_addr.s_addr,
			    dst.sin_addr.s_addr, 6);
		if (send(fd, seg, sizeof(seg), 0) != sizeof(seg))
			xt_fatal("send");
	}
	xt_log("sent %d %s segments to %s", n, seg[13] == 0x10 ? "ACK" : "SYN",
	       argv[1]);
	return 0;
}
