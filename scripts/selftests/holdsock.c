// SPDX-License-Identifier: GPL-2.0
/*
 * holdsock [SECONDS]: open an AF_XTCP socket, print "ready", keep it open
 * for SECONDS (default: until killed). Shell tests use it to hold the module.
 * holdsock listen PORT [CONNECTS]: listen on PORT, never accept, connect
 * CONNECTS clients to it over loopback, print "ready", hold everything
 * until killed.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "xt.h"

static void listen_and_hold(int port, int n)
{
	struct sockaddr_in sin = {
		.sin_family = xt_family(),
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct sockaddr_in any = sin;
	int lfd = socket(xt_family(), SOCK_STREAM, 0), i, c;

	any.sin_addr.s_addr = 0;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&any, sizeof(any)) ||
	    listen(lfd, 64))
		xt_fatal("listen on %d", port);
	for (i = 0; i < n; i++) {
		c = socket(xt_family(), SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin)))
			xt_fatal("connect %d", i);
	}
	xt_log("ready");
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	int secs, fd;

	if (argc > 2 && !strcmp(argv[1], "listen"))
		listen_and_hold(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0);
	secs = argc > 1 ? atoi(argv[1]) : -1;
	fd = socket(xt_family(), SOCK_STREAM, 0);
	if (fd < 0)
		xt_fatal("socket(AF_XTCP)");
	xt_log("ready");
	if (secs < 0)
		for (;;)
			pause();
	sleep(secs);
	return 0;
}
