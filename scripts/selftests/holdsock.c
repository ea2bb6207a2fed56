// SPDX-License-Identifier: GPL-2.0
/*
 * holdsock [SECONDS]: open an AF_XTCP socket, print "ready", keep it open
 * for SECONDS (default: until killed). Shell tests use it to hold the module.
 */
#include <sys/socket.h>

#include "xtcp_test.h"

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : -1;
	int fd = socket(xt_family(), SOCK_STREAM, 0);

	if (fd < 0)
		xt_fatal("socket(AF_XTCP)");
	xt_log("ready");
	if (secs < 0)
		for (;;)
			pause();
	sleep(secs);
	return 0;
}
