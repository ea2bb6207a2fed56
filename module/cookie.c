// SPDX-License-Identifier: GPL-2.0
/*
 * SYN cookies: when a listener's request queue is full (syncookies = 1) or
 * always (syncookies = 2), a SYN gets a SYN-ACK whose sequence number is a
 * cookie and no request sock is kept. The final ACK carries the cookie back
 * (as its ack number minus one); if it checks out, the connection is made
 * from what the cookie encodes.
 *
 * Layout of the 32-bit cookie (xtcp's own):
 *
 *   31                          9   8   7  6   5  4   3      0
 *  +-----------------------------+----+------+-------+--------+
 *  |  MAC, 23 bits               |SACK| time |  MSS  | wscale |
 *  +-----------------------------+----+------+-------+--------+
 *                                 \_____ XOR 9 keyed bits _____/
 *
 *  - wscale: the client's window scale shift, 0..14; 15 means it sent
 *    none. Kept even without timestamps (Linux loses it then).
 *  - MSS: index into xtcp_cookie_mss[] (the largest entry not above the
 *    client's MSS).
 *  - time: low 2 bits of a counter that ticks every 64 s; a cookie is
 *    good in the tick it was made and the next (64 to 128 s).
 *  - SACK: the client sent SACK-permitted.
 *  - MAC: siphash over the 4-tuple, the client's ISN, the full time
 *    counter and the 9 field bits, under a per-netns secret.
 *  - The 9 field bits go out XORed with 9 bits of another siphash of the
 *    4-tuple, ISN and counter, so every bit of the cookie depends on the
 *    secret and an attacker cannot aim a guess at the MAC alone.
 *
 * Forging: for one SYN (4-tuple and ISN) and one tick there is exactly
 * one valid cookie per option set, 16 x 4 x 2 = 2^7 of them, and two
 * ticks are accepted: a blind guess passes with probability 2^8 / 2^32 =
 * 2^-24. Linux's cookie, which keeps only the MSS index when there are no
 * timestamps, is about 2^-29: keeping window scale and SACK costs a
 * factor of 32.
 *
 * Timestamps need no bit: we grant them whenever the SYN offers them, so a
 * final ACK that carries TSopt shows they were negotiated. ECN has no bit
 * here either: it rides in the low bit of the SYN-ACK's TSval (ecn.c), as
 * Linux keeps it in its cookie timestamp, and is not granted without
 * timestamps.
 */
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "xtcp.h"

/* Linux's IPv4 table: the MSS values seen most on the Internet. */
static const u16 xtcp_cookie_mss[] = { 536, 1300, 1440, 1460 };

#define XTCP_COOKIE_WS_NONE	15
#define XTCP_COOKIE_MAC_SHIFT	9
#define XTCP_COOKIE_FIELDS	((1U << XTCP_COOKIE_MAC_SHIFT) - 1)
/* The mask's hash input: above any field value, so never a MAC's input. */
#define XTCP_COOKIE_MASK_TAG	BIT(XTCP_COOKIE_MAC_SHIFT)
#define XTCP_COOKIE_TICK_SHIFT	6	/* 64-second counter */

u32 xtcp_cookie_now(void)
{
	return (u32)(ktime_get_seconds() >> XTCP_COOKIE_TICK_SHIFT);
}

static u64 xtcp_cookie_hash(const siphash_key_t *key,
			    const struct xtcp_cookie_tuple *t, u32 counter,
			    u32 low)
{
	u64 a = (u64)(__force u32)t->saddr << 32 | (__force u32)t->daddr;
	u64 b = (u64)(__force u16)t->sport << 48 |
		(u64)(__force u16)t->dport << 32 | t->isn;
	u64 c = (u64)counter << 32 | low;

	return siphash_3u64(a, b, c, key);
}

/* The 23-bit MAC of the field bits @low. */
static u32 xtcp_cookie_mac(const siphash_key_t *key,
			   const struct xtcp_cookie_tuple *t, u32 counter,
			   u32 low)
{
	return (u32)xtcp_cookie_hash(key, t, counter, low) >>
	       XTCP_COOKIE_MAC_SHIFT;
}

/* The 9 bits that hide the field bits in tick @counter. */
static u32 xtcp_cookie_mask(const siphash_key_t *key,
			    const struct xtcp_cookie_tuple *t, u32 counter)
{
	return (u32)xtcp_cookie_hash(key, t, counter, XTCP_COOKIE_MASK_TAG) &
	       XTCP_COOKIE_FIELDS;
}

/**
 * xtcp_cookie_make() - the cookie for a SYN
 * @key: the namespace's secret
 * @t: the SYN's 4-tuple (local side as saddr/sport) and ISN
 * @c: what to encode; @c->mss is rounded down to a table entry
 * @counter: xtcp_cookie_now()
 *
 * Return: the cookie, to be our ISN.
 */
u32 xtcp_cookie_make(const siphash_key_t *key,
		     const struct xtcp_cookie_tuple *t,
		     struct xtcp_cookie_opts *c, u32 counter)
{
	unsigned int i = 0, idx;
	u32 low;

	for (idx = 0; idx < ARRAY_SIZE(xtcp_cookie_mss); idx++)
		if (xtcp_cookie_mss[idx] <= c->mss)
			i = idx;
	c->mss = xtcp_cookie_mss[i];
	low = (c->has_wscale ? min_t(u32, c->wscale, 14) : XTCP_COOKIE_WS_NONE) |
	      i << 4 | (counter & 3) << 6 | (c->sack_ok ? 1 : 0) << 8;
	return xtcp_cookie_mac(key, t, counter, low) << XTCP_COOKIE_MAC_SHIFT |
	       (low ^ xtcp_cookie_mask(key, t, counter));
}

/**
 * xtcp_cookie_check() - is @cookie ours, for this 4-tuple, and fresh?
 * @key: the namespace's secret
 * @t: the ACK's 4-tuple (local side as saddr/sport) and the client ISN
 *     (the ACK's seq - 1)
 * @cookie: the ACK's ack number - 1
 * @counter: xtcp_cookie_now()
 * @c: filled with what the cookie encodes
 *
 * Return: 0, or -EINVAL (forged, tampered, stale, other 4-tuple or
 * secret).
 */
int xtcp_cookie_check(const siphash_key_t *key,
		      const struct xtcp_cookie_tuple *t, u32 cookie,
		      u32 counter, struct xtcp_cookie_opts *c)
{
	u32 age, tick, low, ws;

	/* made in this tick or the last; older ones are stale */
	for (age = 0; age <= 1; age++) {
		tick = counter - age;
		low = (cookie ^ xtcp_cookie_mask(key, t, tick)) &
		      XTCP_COOKIE_FIELDS;
		if (((low >> 6) & 3) != (tick & 3))
			continue;
		if (xtcp_cookie_mac(key, t, tick, low) ==
		    cookie >> XTCP_COOKIE_MAC_SHIFT)
			break;
	}
	if (age > 1)
		return -EINVAL;
	ws = low & 0xf;
	c->mss = xtcp_cookie_mss[(low >> 4) & 3];
	c->has_wscale = ws != XTCP_COOKIE_WS_NONE;
	c->wscale = c->has_wscale ? ws : 0;
	c->sack_ok = (low >> 8) & 1;
	return 0;
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "../kunit/cookie_test.c"
#endif
