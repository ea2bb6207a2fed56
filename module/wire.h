/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtcp wire format. A segment is a TCP segment (RFC 9293), header and
 * options byte for byte, carried in IPv4 under protocol xtcp_ipproto. The
 * checksum covers the TCP pseudo-header with protocol 6, so rewriting the
 * IP protocol byte (and the IP header checksum) turns an xtcp packet into
 * a TCP packet and back.
 */
#ifndef _XTCP_WIRE_H
#define _XTCP_WIRE_H

#include <linux/in.h>
#include <linux/tcp.h>

/* Protocol number in the checksum's pseudo-header: always TCP's. */
#define XTCP_CSUM_PROTO		IPPROTO_TCP

/*
 * The GSO type of a run of our data segments. TCPv4 says how to cut it.
 * FRAGLIST is there because only software devices (veth, loopback,
 * bridge, bond...) carry NETIF_F_GSO_FRAGLIST: a device must have every
 * bit of the type to take a GSO skb whole, so a NIC with TSO, or
 * virtio-net, gets the run cut into segments first (offload.c) instead
 * of feeding a protocol-253 packet to a TCP segmentation engine. The
 * run is not frag_list-shaped; TCP's segmenter, which meets it behind
 * the tests' protocol translator, cuts such a run the usual way (its
 * list cut wants a head of exactly one segment, never ours).
 */
#define XTCP_GSO_TYPE		(SKB_GSO_TCPV4 | SKB_GSO_FRAGLIST)

#define XTCP_HDR_LEN		((unsigned int)sizeof(struct tcphdr))
#define XTCP_MAX_HDR_LEN	60	/* data offset is 4 bits of words */
#define XTCP_MAX_OPT_LEN	(XTCP_MAX_HDR_LEN - XTCP_HDR_LEN)

/* Option kinds (IANA TCP option registry) and their lengths. */
#define XTCP_OPT_EOL		0
#define XTCP_OPT_NOP		1
#define XTCP_OPT_MSS		2
#define XTCP_OPT_WSCALE		3
#define XTCP_OPT_SACK_PERM	4
#define XTCP_OPT_SACK		5
#define XTCP_OPT_TS		8
#define XTCP_OPT_FASTOPEN	34	/* RFC 7413 */
#define XTCP_OPT_EXP		254	/* RFC 6994 shared experimental kind */

#define XTCP_OLEN_MSS		4
#define XTCP_OLEN_WSCALE	3
#define XTCP_OLEN_SACK_PERM	2
#define XTCP_OLEN_SACK_BLOCK	8
#define XTCP_OLEN_TS		10
/* Fast Open: kind, length, a cookie of 4 to 16 bytes (none: a request) */
#define XTCP_OLEN_FASTOPEN	2
/* XTCP_FO_COOKIE_MIN and _MAX: xtcp.h, which sizes its buffers by them */
/* the pre-RFC form: kind 254, length, this magic, the cookie */
#define XTCP_FO_EXP_MAGIC	0xF989

/* Flag bits of header byte 13, in wire order. */
#define XTCP_FLAG_FIN		0x01
#define XTCP_FLAG_SYN		0x02
#define XTCP_FLAG_RST		0x04
#define XTCP_FLAG_PSH		0x08
#define XTCP_FLAG_ACK		0x10
#define XTCP_FLAG_URG		0x20
#define XTCP_FLAG_ECE		0x40	/* RFC 3168 */
#define XTCP_FLAG_CWR		0x80

static inline u8 xtcp_wire_flags(const struct tcphdr *th)
{
	return ((const u8 *)th)[13] & 0x3f;
}

/* RFC 7323 2.3: a larger shift is treated as 14. */
#define XTCP_MAX_WSCALE		14

#endif /* _XTCP_WIRE_H */
