// SPDX-License-Identifier: GPL-2.0
/*
 * The core of every selftest: checks that count failures and go on,
 * counters of the caller's own namespace, and the clock.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <time.h>

#include "xt.h"

int xt_failures;

void xt_fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	printf("  FATAL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno %d: %s)\n", err, strerror(err));
	/* no orphan of a failed program may hold the module for the next */
	xt_sock_abort_all();
	exit(1);
}

int xt_done(void)
{
	if (xt_failures)
		xt_log("%d check(s) failed", xt_failures);
	return xt_failures ? 1 : 0;
}

long xt_read_long(const char *path, long dflt)
{
	FILE *f = fopen(path, "r");
	long v;

	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/*
 * Is the stack under test Linux TCP ($XT_STACK=tcp)? A tool built for
 * xtcp then drives TCP the same way, as the referee of a behaviour.
 */
int xt_stack_is_tcp(void)
{
	const char *s = getenv("XT_STACK");

	return s && !strcmp(s, "tcp");
}

/* The running module's family and protocol numbers (module parameters). */
int xt_family(void)
{
	if (xt_stack_is_tcp())
		return AF_INET;
	return (int)xt_read_long("/sys/module/xtcp/parameters/family", AF_XTCP);
}

int xt_ipproto(void)
{
	if (xt_stack_is_tcp())
		return IPPROTO_TCP;
	return (int)xt_read_long("/sys/module/xtcp/parameters/ipproto",
				 IPPROTO_XTCP);
}

/* One counter from /proc/net/xtcp_stat of the caller's netns; -1 if absent. */
long xt_stat(const char *name)
{
	FILE *f = fopen("/proc/net/xtcp_stat", "r");
	char key[64];
	long val, found = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			found = val;
			break;
		}
	}
	fclose(f);
	return found;
}

double xt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep until xt_now() reaches @t, in small steps (timers are coarse). */
void xt_sleep_until(double t)
{
	while (xt_now() < t)
		usleep(5000);
}

/*
 * Wait until a counter reaches want (delivery through loopback ends in a
 * softirq, after sendto() has returned). Returns the last value seen.
 */
long xt_wait_stat(const char *name, long want, double secs)
{
	double end = xt_now() + secs;
	long v;

	for (;;) {
		v = xt_stat(name);
		if (v >= want || xt_now() > end)
			return v;
		usleep(2000);
	}
}

/* A dotted IPv4 address in network order; a typo is the test's bug. */
uint32_t xt_addr(const char *dotted)
{
	struct in_addr a;

	if (inet_pton(AF_INET, dotted, &a) != 1)
		xt_fatal("bad address %s", dotted);
	return a.s_addr;
}
