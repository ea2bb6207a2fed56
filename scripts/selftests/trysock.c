// SPDX-License-Identifier: GPL-2.0
/*
 * trysock FAMILY [PROTO]: try socket(FAMILY, SOCK_STREAM, PROTO) and print
 * "ok" or the errno's symbolic name, for shell tests that check the family
 * a module load registered.
 */
#include <sys/socket.h>

#include "xt.h"

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		xt_fatal("usage: trysock FAMILY [PROTO]");
	fd = socket(atoi(argv[1]), SOCK_STREAM, argc > 2 ? atoi(argv[2]) : 0);
	if (fd >= 0) {
		puts("ok");
		return 0;
	}
	switch (errno) {
	case EAFNOSUPPORT:	puts("EAFNOSUPPORT"); break;
	case EPROTONOSUPPORT:	puts("EPROTONOSUPPORT"); break;
	case ESOCKTNOSUPPORT:	puts("ESOCKTNOSUPPORT"); break;
	default:		printf("errno%d\n", errno); break;
	}
	return 0;
}
