/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4). Comparisons
 * take the signed 32-bit difference, so they stay right across wrap-around
 * as long as the two numbers are less than 2^31 apart.
 */
#ifndef _XTCP_SEQ_H
#define _XTCP_SEQ_H

#include <linux/types.h>

/* a comes strictly before b */
static inline bool xtcp_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* a comes strictly after b */
static inline bool xtcp_seq_after(u32 a, u32 b)
{
	return xtcp_seq_before(b, a);
}

/* a is at or before b */
static inline bool xtcp_seq_leq(u32 a, u32 b)
{
	return !xtcp_seq_after(a, b);
}

/* a is at or after b */
static inline bool xtcp_seq_geq(u32 a, u32 b)
{
	return !xtcp_seq_before(a, b);
}

/*
 * low <= seq <= high, measured along the sequence space from low: the form
 * window checks need, correct even when the window straddles 2^32.
 */
static inline bool xtcp_seq_between(u32 seq, u32 low, u32 high)
{
	return seq - low <= high - low;
}

/* low <= seq < low + len: is seq inside a window of len bytes at low? */
static inline bool xtcp_seq_in_window(u32 seq, u32 low, u32 len)
{
	return seq - low < len;
}

#endif /* _XTCP_SEQ_H */
