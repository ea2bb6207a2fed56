/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the in-VM selftest programs. Header-only: every test is
 * one C file, linked statically into the initramfs.
 *
 * A test prints what it checks, and exits 0 (pass), 4 (skip) or 1 (fail).
 */
#ifndef XTCP_TEST_H
#define XTCP_TEST_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/xtcp.h>

static int xt_failures;

#define xt_log(...) do { printf(__VA_ARGS__); putchar('\n'); fflush(stdout); } while (0)

/* Record a failed check and go on, so one run shows every broken rule. */
#define xt_check(cond, ...) do {					\
	if (cond) {							\
		printf("  ok: ");					\
	} else {							\
		xt_failures++;						\
		printf("  FAIL (%s:%d): ", __FILE__, __LINE__);		\
	}								\
	printf(__VA_ARGS__);						\
	putchar('\n');							\
	fflush(stdout);							\
} while (0)

/* A syscall that must fail with exactly this errno. */
#define xt_check_errno(ret, want, what) do {				\
	int __r = (ret), __e = errno;					\
	xt_check(__r == -1 && __e == (want),				\
		 "%s -> %d, errno %d (%s), want errno %d (%s)", (what),	\
		 __r, __r == -1 ? __e : 0,				\
		 __r == -1 ? strerror(__e) : "none", (want),		\
		 strerror(want));					\
} while (0)

static inline void xt_fatal(const char *fmt, ...)
{
	va_list ap;

	printf("  FATAL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno %d: %s)\n", errno, strerror(errno));
	exit(1);
}

static inline int xt_done(void)
{
	if (xt_failures)
		xt_log("%d check(s) failed", xt_failures);
	return xt_failures ? 1 : 0;
}

static inline long xt_read_long(const char *path, long dflt)
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

/* The running module's family and protocol numbers (module parameters). */
static inline int xt_family(void)
{
	return (int)xt_read_long("/sys/module/xtcp/parameters/family", AF_XTCP);
}

static inline int xt_ipproto(void)
{
	return (int)xt_read_long("/sys/module/xtcp/parameters/ipproto",
				 IPPROTO_XTCP);
}

/* One counter from /proc/net/xtcp_stat of the caller's netns; -1 if absent. */
static inline long xt_stat(const char *name)
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

static inline double xt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait until a counter reaches want (delivery through loopback ends in a
 * softirq, after sendto() has returned). Returns the last value seen.
 */
static inline long xt_wait_stat(const char *name, long want, double secs)
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

static inline uint32_t xt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/*
 * Fill in the TCP checksum of @seg (@len bytes) for the pseudo-header
 * @saddr -> @daddr (network order) with protocol @proto; xtcp uses 6.
 */
static inline void xt_set_csum(uint8_t *seg, size_t len, uint32_t saddr,
			       uint32_t daddr, uint8_t proto)
{
	uint8_t pseudo[12];
	uint32_t sum;

	memcpy(pseudo, &saddr, 4);
	memcpy(pseudo + 4, &daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	pseudo[10] = len >> 8;
	pseudo[11] = len & 0xff;
	seg[16] = seg[17] = 0;
	sum = xt_csum_add(xt_csum_add(0, pseudo, sizeof(pseudo)), seg, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	seg[16] = sum >> 8;
	seg[17] = sum & 0xff;
}

#endif /* XTCP_TEST_H */
