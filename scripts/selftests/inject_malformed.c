// SPDX-License-Identifier: GPL-2.0
/*
 * inject_malformed [DEST]: send malformed and random xtcp segments through a
 * raw IPv4 socket at the xtcp protocol number, and check that each is
 * counted in /proc/net/xtcp_stat under the right counter and dropped.
 * DEST defaults to 127.0.0.1. The kernel log is checked by the harness.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "xt.h"

#define SEG_MAX 100

static int raw_fd;
static struct sockaddr_in dst;
static uint32_t src_addr;	/* network order, as the kernel will pick it */

enum {
	C_INSEGS, C_INERRS, C_CSUM, C_SHORT, C_DOFF, C_OPTS, C_NOSOCK, C_RSTS,
	C_MAX
};
static const char * const cnames[C_MAX] = {
	"InSegs", "InErrs", "InCsumErrors", "InShortSegs", "InBadDataOffset",
	"InBadOptions", "InNoSocket", "OutRsts",
};

static void snap(long *v)
{
	int i;

	for (i = 0; i < C_MAX; i++)
		v[i] = xt_stat(cnames[i]);
}

/*
 * A SYN from port 40000 to 8080 with @optlen option bytes (copied from
 * @opts) and @payload bytes, checksummed over pseudo-header protocol
 * @proto; @doff_words -1: the data offset the options need.
 */
static size_t make_seg(uint8_t *seg, int doff_words, const uint8_t *opts,
		       size_t optlen, size_t payload, uint8_t proto)
{
	struct xt_hdr h;

	xt_seg_hdr_init(&h, 40000, 8080, XT_SYN, 1, 0);
	h.doff = doff_words;
	memcpy(h.opt, opts, optlen);
	h.optlen = optlen;
	h.paylen = payload;
	return xt_seg_build(seg, SEG_MAX, &h, src_addr, dst.sin_addr.s_addr,
			    proto);
}

static void send_seg(const uint8_t *seg, size_t len)
{
	if (sendto(raw_fd, seg, len, 0, (struct sockaddr *)&dst,
		   sizeof(dst)) != (ssize_t)len)
		xt_fatal("sendto(%zu bytes)", len);
}

/*
 * Send @n segments made by @build, then check that InSegs grew by n, the
 * counter @which (and InErrs, for a malformed kind) by exactly n, and no
 * other counter moved. A valid segment for no socket is answered with a
 * RST (RFC 9293 3.10.7.1), which comes back to this host over loopback
 * and matches no socket either: that doubles InSegs and InNoSocket, and
 * OutRsts grows by n.
 */
static void run_case(const char *name, int n, int which,
		     size_t (*build)(uint8_t *seg, int i))
{
	long before[C_MAX], after[C_MAX];
	uint8_t seg[SEG_MAX];
	int i, c, ok = 1;

	snap(before);
	for (i = 0; i < n; i++)
		send_seg(seg, build(seg, i));
	xt_wait_stat("InSegs", before[C_INSEGS] + (which == C_NOSOCK ? 2 : 1) * n,
		     5.0);
	usleep(20000);	/* let any stray extra delivery show up too */
	snap(after);

	for (c = 0; c < C_MAX; c++) {
		long want = 0;

		if (c == C_INSEGS || c == which)
			want = which == C_NOSOCK ? 2 * n : n;
		if (c == C_INERRS && which != C_NOSOCK)
			want = n;
		if (c == C_RSTS && which == C_NOSOCK)
			want = n;
		if (after[c] - before[c] != want) {
			ok = 0;
			xt_log("  %s: %s moved by %ld, want %ld", name,
			       cnames[c], after[c] - before[c], want);
		}
	}
	xt_check(ok, "%-28s x%-3d counted as %s and dropped", name, n,
		 cnames[which]);
}

static size_t b_empty(uint8_t *seg, int i)
{
	(void)seg;
	(void)i;
	return 0;
}

static size_t b_short(uint8_t *seg, int i)
{
	make_seg(seg, -1, NULL, 0, 0, 6);
	return (size_t)(1 + i * 6);		/* 1, 7, 13, 19 bytes */
}

static size_t b_doff_small(uint8_t *seg, int i)
{
	return make_seg(seg, i % 5, NULL, 0, 4, 6);
}

static size_t b_doff_past_end(uint8_t *seg, int i)
{
	/* claims 24..60 header bytes, carries 20 */
	make_seg(seg, 6 + i % 10, NULL, 0, 0, 6);
	/* the builder pads the header to its offset: cut it back, re-sum */
	xt_seg_csum_set(seg, 20, src_addr, dst.sin_addr.s_addr, 6);
	return 20;
}

static size_t b_bad_csum(uint8_t *seg, int i)
{
	size_t len = make_seg(seg, -1, NULL, 0, (size_t)(i % 8) * 7, 6);

	seg[17] ^= 1 << (i % 8);
	return len;
}

static size_t b_csum_proto253(uint8_t *seg, int i)
{
	return make_seg(seg, -1, NULL, 0, (size_t)i, 253);
}

static size_t b_bad_opts(uint8_t *seg, int i)
{
	static const uint8_t bad[][8] = {
		{ 1, 1, 99, 0 },		/* zero length */
		{ 1, 1, 99, 1 },		/* length one */
		{ 254, 9, 0, 0 },		/* runs past the header */
		{ 1, 1, 1, 2 },			/* kind with no length byte */
		{ 2, 3, 5, 0 },			/* MSS with length 3 */
		{ 8, 8, 0, 0, 0, 0, 0, 0 },	/* timestamps with length 8 */
	};

	return make_seg(seg, -1, bad[i % 6], (i % 6) == 5 ? 8 : 4, 0, 6);
}

static size_t b_valid(uint8_t *seg, int i)
{
	static const uint8_t syn_opts[] = {
		2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7
	};
	return make_seg(seg, -1, syn_opts, sizeof(syn_opts), (size_t)i, 6);
}

/* Random bytes, random length; every other one with a right checksum. */
static void run_random(int n)
{
	long before[C_MAX], after[C_MAX], errs, kinds, rsts;
	uint8_t seg[SEG_MAX];
	int i, j;

	srand(0x5eed);
	snap(before);
	for (i = 0; i < n; i++) {
		size_t len = (size_t)(rand() % 81);

		for (j = 0; j < (int)len; j++)
			seg[j] = (uint8_t)rand();
		if ((i & 1) && len >= 20)
			xt_seg_csum_set(seg, len, src_addr,
					dst.sin_addr.s_addr, 6);
		send_seg(seg, len);
	}
	xt_wait_stat("InSegs", before[C_INSEGS] + n, 10.0);
	usleep(50000);	/* the RSTs some of them provoke come back too */
	snap(after);

	/* every RST we sent came back and was counted as a segment */
	rsts = after[C_RSTS] - before[C_RSTS];
	xt_check(after[C_INSEGS] - before[C_INSEGS] == n + rsts,
		 "random: %d segments sent + %ld RSTs answered, InSegs moved by %ld",
		 n, rsts, after[C_INSEGS] - before[C_INSEGS]);
	errs = after[C_INERRS] - before[C_INERRS];
	xt_check(errs + after[C_NOSOCK] - before[C_NOSOCK] == n + rsts,
		 "random: every one dropped as malformed (%ld) or unwanted (%ld)",
		 errs, after[C_NOSOCK] - before[C_NOSOCK]);
	kinds = 0;
	for (i = C_CSUM; i <= C_OPTS; i++)
		kinds += after[i] - before[i];
	xt_check(kinds == errs,
		 "random: InErrs (%ld) is the sum of its kinds (%ld)", errs,
		 kinds);
}

int main(int argc, char **argv)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	int proto = xt_ipproto();

	dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, argc > 1 ? argv[1] : "127.0.0.1",
		      &dst.sin_addr) != 1)
		xt_fatal("bad address");

	raw_fd = socket(AF_INET, SOCK_RAW, proto);
	if (raw_fd < 0)
		xt_fatal("socket(AF_INET, SOCK_RAW, %d)", proto);
	/* learn the source address the kernel will use, for the checksum */
	if (connect(raw_fd, (struct sockaddr *)&dst, sizeof(dst)) ||
	    getsockname(raw_fd, (struct sockaddr *)&me, &len))
		xt_fatal("connect/getsockname");
	src_addr = me.sin_addr.s_addr;
	if (xt_stat("InSegs") < 0)
		xt_fatal("no /proc/net/xtcp_stat");

	xt_log("inject_malformed: proto %d to %s", proto,
	       argc > 1 ? argv[1] : "127.0.0.1");
	run_case("empty", 3, C_SHORT, b_empty);
	run_case("shorter than a header", 4, C_SHORT, b_short);
	run_case("data offset under 5", 10, C_DOFF, b_doff_small);
	run_case("data offset past the end", 10, C_DOFF, b_doff_past_end);
	run_case("bad checksum", 16, C_CSUM, b_bad_csum);
	run_case("checksum over protocol 253", 8, C_CSUM, b_csum_proto253);
	run_case("garbage options", 12, C_OPTS, b_bad_opts);
	run_case("valid, no listener", 8, C_NOSOCK, b_valid);
	run_random(2000);
	return xt_done();
}
