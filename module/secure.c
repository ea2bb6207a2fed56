// SPDX-License-Identifier: GPL-2.0
/*
 * Numbers an off-path attacker must not guess, each from a keyed siphash
 * with a secret drawn at module load:
 *  - initial sequence numbers, RFC 6528: ISN = M + F(4-tuple, secret), M
 *    a clock ticking every 64 ns so that successive connections on one
 *    4-tuple get increasing ISNs;
 *  - the offset of our timestamp clock per address pair, so TSvals do not
 *    reveal uptime or link connections of different pairs;
 *  - where connect() starts looking for an ephemeral port for a given
 *    destination: the keyed hash F of RFC 6056 algorithm 4, whose table
 *    of per-bucket counters is table.c's.
 */
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "xtcp.h"

static siphash_key_t xtcp_isn_key __read_mostly;
static siphash_key_t xtcp_ts_key __read_mostly;
static siphash_key_t xtcp_port_key __read_mostly;

void __init xtcp_secure_init(void)
{
	get_random_bytes(&xtcp_isn_key, sizeof(xtcp_isn_key));
	get_random_bytes(&xtcp_ts_key, sizeof(xtcp_ts_key));
	get_random_bytes(&xtcp_port_key, sizeof(xtcp_port_key));
}

/**
 * xtcp_secure_isn() - initial sequence number for a connection
 * @saddr: local address
 * @daddr: remote address
 * @sport: local port
 * @dport: remote port
 *
 * Return: the ISN.
 */
u32 xtcp_secure_isn(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	u32 f = (u32)siphash_3u32((__force u32)saddr, (__force u32)daddr,
				  (__force u32)sport << 16 | (__force u32)dport,
				  &xtcp_isn_key);

	return f + (u32)(ktime_get_real_ns() >> 6);
}

/**
 * xtcp_secure_ts_off() - offset of our TSval clock for an address pair
 * @saddr: local address
 * @daddr: remote address
 *
 * Return: the offset.
 */
u32 xtcp_secure_ts_off(__be32 saddr, __be32 daddr)
{
	return (u32)siphash_2u32((__force u32)saddr, (__force u32)daddr,
				 &xtcp_ts_key);
}

/**
 * xtcp_secure_port_offset() - where to start the ephemeral port search
 * @net: namespace
 * @saddr: local address
 * @daddr: remote address
 * @dport: remote port
 *
 * Return: 64 hash bits: the low ones pick a perturbation counter, the high
 * ones are the offset into the local port range (table.c).
 */
u64 xtcp_secure_port_offset(const struct net *net, __be32 saddr,
			    __be32 daddr, __be16 dport)
{
	return siphash_4u32((__force u32)saddr, (__force u32)daddr,
			    (__force u32)dport, net_hash_mix(net),
			    &xtcp_port_key);
}

/**
 * xtcp_secure_ts_now() - our millisecond timestamp clock, before offset
 *
 * Return: milliseconds since boot, modulo 2^32.
 */
u32 xtcp_secure_ts_now(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

#if IS_ENABLED(CONFIG_XTCP_KUNIT_TEST)
#include "seq.h"
#include "../kunit/secure_test.c"
#endif
