// SPDX-License-Identifier: GPL-2.0
/*
 * TCP option parsing for xtcp segments.
 *
 * The parser is strict about structure and lenient about content: an option
 * list that cannot be walked (a kind with no length byte, a length under 2,
 * an option running past the header) or a known option with the wrong length
 * makes the whole segment malformed, because nothing after that point can be
 * trusted. Unknown kinds with a sane length are skipped (RFC 9293 3.1 asks
 * for that), and so is everything after End of Option List.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "xtcp.h"
#include "wire.h"

static bool xtcp_options_len_ok(u8 kind, u8 olen)
{
	switch (kind) {
	case XTCP_OPT_MSS:
		return olen == XTCP_OLEN_MSS;
	case XTCP_OPT_WSCALE:
		return olen == XTCP_OLEN_WSCALE;
	case XTCP_OPT_SACK_PERM:
		return olen == XTCP_OLEN_SACK_PERM;
	case XTCP_OPT_SACK:
		/* one to four blocks fit in 40 bytes of options */
		return olen > 2 && (olen - 2) % XTCP_OLEN_SACK_BLOCK == 0;
	case XTCP_OPT_TS:
		return olen == XTCP_OLEN_TS;
	default:
		return true;
	}
}

/*
 * A Fast Open option (RFC 7413), or its experimental form (kind 254 with
 * magic 0xF989, which Linux still accepts): the cookie's place and size.
 * A cookie of a length the RFC does not allow is ignored, as Linux does,
 * not a malformed segment: Fast Open just does not happen.
 */
static void xtcp_options_fastopen(const u8 *opt, u8 olen, unsigned int off,
				  struct xtcp_options *opts)
{
	unsigned int hdr = XTCP_OLEN_FASTOPEN;
	u8 clen;

	if (opt[0] == XTCP_OPT_EXP) {
		if (olen < hdr + 2 ||
		    get_unaligned_be16(opt + 2) != XTCP_FO_EXP_MAGIC)
			return;
		hdr += 2;
	}
	clen = olen - hdr;
	if (clen && (clen < XTCP_FO_COOKIE_MIN || clen > XTCP_FO_COOKIE_MAX ||
		     clen & 1))
		return;
	opts->has_fo = 1;
	opts->fo_off = off + hdr;
	opts->fo_len = clen;
}

/**
 * xtcp_options_parse() - parse the option bytes of a segment
 * @ptr: first option byte (just past the fixed 20-byte header)
 * @len: number of option bytes (data offset * 4 - 20)
 * @opts: filled with what was found; zeroed first
 *
 * Return: 0, or -EINVAL if the option list is malformed.
 */
int xtcp_options_parse(const u8 *ptr, unsigned int len,
		       struct xtcp_options *opts)
{
	unsigned int i = 0;

	memset(opts, 0, sizeof(*opts));
	while (i < len) {
		u8 kind = ptr[i];
		u8 olen;

		if (kind == XTCP_OPT_EOL)
			break;
		if (kind == XTCP_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return -EINVAL;
		olen = ptr[i + 1];
		if (olen < 2 || olen > len - i)
			return -EINVAL;
		if (!xtcp_options_len_ok(kind, olen))
			return -EINVAL;

		switch (kind) {
		case XTCP_OPT_MSS:
			opts->mss = get_unaligned_be16(ptr + i + 2);
			break;
		case XTCP_OPT_WSCALE:
			opts->wscale = min_t(u8, ptr[i + 2], XTCP_MAX_WSCALE);
			opts->has_wscale = 1;
			break;
		case XTCP_OPT_SACK_PERM:
			opts->sack_ok = 1;
			break;
		case XTCP_OPT_SACK:
			/* the blocks stay in the header: see send.c */
			opts->has_sack = 1;
			opts->sack_off = i;
			opts->sack_blocks = (olen - 2) / XTCP_OLEN_SACK_BLOCK;
			break;
		case XTCP_OPT_TS:
			opts->tsval = get_unaligned_be32(ptr + i + 2);
			opts->tsecr = get_unaligned_be32(ptr + i + 6);
			opts->has_ts = 1;
			break;
		case XTCP_OPT_FASTOPEN:
		case XTCP_OPT_EXP:
			xtcp_options_fastopen(ptr + i, olen, i, opts);
			break;
		}
		i += olen;
	}
	return 0;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/options_test.c"
#endif
