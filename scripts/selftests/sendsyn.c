// SPDX-License-Identifier: GPL-2.0
/*
 * sendsyn DEST COUNT: send COUNT well-formed xtcp SYN segments to DEST
 * (broadcast allowed) through a raw socket. For tests that look at the
 * counters of another namespace than the sender's.
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
	int fd, one = 1, i, n;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1)
		xt_fatal("usage: sendsyn DEST COUNT");
	n = atoi(argv[2]);
	fd = socket(AF_INET, SOCK_RAW, xt_ipproto());
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		xt_fatal("raw socket");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len))
		xt_fatal("connect/getsockname");
	xt_set_csum(seg, sizeof(seg), me.sin_addr.s_addr, dst.sin_addr.s_addr, 6);
	for (i = 0; i < n; i++)
		if (send(fd, seg, sizeof(seg), 0) != sizeof(seg))
			xt_fatal("send");
	xt_log("sent %d SYN segments to %s", n, argv[1]);
	return 0;
}
