// SPDX-License-Identifier: GPL-2.0
/*
 * Segments on the wire, the one codec of the selftests: the checksum, the
 * options (the receive rule xtcp applies, and Linux's layout for what we
 * offer), a builder that sends every field as it is told (a fuzzer needs
 * lies too), a parser for what xtcp sends, and the IPv4 header for the
 * programs that build whole frames.
 *
 * xtcp's segments have TCP's format and TCP's checksum (pseudo-header
 * protocol 6), whatever IP protocol number carries them.
 */
#include "xt.h"

uint32_t xt_seg_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The ones' complement of the folded sum: what goes in a checksum field. */
uint16_t xt_seg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t xt_seg_csum_pseudo(uint32_t saddr, uint32_t daddr,
				   uint8_t proto, size_t len)
{
	uint8_t pseudo[12];

	memcpy(pseudo, &saddr, 4);
	memcpy(pseudo + 4, &daddr, 4);
	pseudo[8] = 0;
	pseudo[9] = proto;
	xt_put16(pseudo + 10, len);
	return xt_seg_csum_add(0, pseudo, sizeof(pseudo));
}

/*
 * Fill in the checksum of @seg (@len bytes) for the pseudo-header @saddr
 * -> @daddr (network order) with protocol @proto: 6 is right, anything
 * else makes a checksum xtcp must refuse.
 */
void xt_seg_csum_set(uint8_t *seg, size_t len, uint32_t saddr, uint32_t daddr,
		     uint8_t proto)
{
	uint32_t sum;

	xt_put16(seg + 16, 0);
	sum = xt_seg_csum_add(xt_seg_csum_pseudo(saddr, daddr, proto, len),
			      seg, len);
	xt_put16(seg + 16, xt_seg_csum_fold(sum));
}

/* Does @seg's checksum verify, as the receiver computes it? */
int xt_seg_csum_ok(const uint8_t *seg, size_t len, uint32_t saddr,
		   uint32_t daddr)
{
	uint32_t sum = xt_seg_csum_pseudo(saddr, daddr, 6, len);

	return !xt_seg_csum_fold(xt_seg_csum_add(sum, seg, len));
}

/*
 * The option rules README.md states: a kind with no length byte, a length
 * under 2, an option running past the header or a known option with the
 * wrong length make the segment malformed; EOL ends the list.
 */
int xt_seg_opts_valid(const uint8_t *p, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == 0)
			return 1;
		if (kind == 1) {
			i++;
			continue;
		}
		if (len - i < 2)
			return 0;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return 0;
		if ((kind == 2 && olen != 4) || (kind == 3 && olen != 3) ||
		    (kind == 4 && olen != 2) || (kind == 8 && olen != 10) ||
		    (kind == 5 && (olen <= 2 || (olen - 2) % 8)))
			return 0;
		i += olen;
	}
	return 1;
}

/*
 * Append @len option bytes to the @n in @o, cut at XT_OPT_MAX (a cut
 * option is what a fuzzer wants; a caller that builds valid ones stays
 * under it). Returns the new length.
 */
unsigned int xt_seg_opt_add(uint8_t *o, unsigned int n, const uint8_t *b,
			    unsigned int len)
{
	if (n + len > XT_OPT_MAX)
		len = XT_OPT_MAX - n;
	memmove(o + n, b, len);
	return n + len;
}

unsigned int xt_seg_opt_mss(uint8_t *o, unsigned int n, uint16_t mss)
{
	uint8_t b[4] = { 2, 4, mss >> 8, mss & 0xff };

	return xt_seg_opt_add(o, n, b, 4);
}

/* NOP-aligned, as Linux sends it. */
unsigned int xt_seg_opt_ws(uint8_t *o, unsigned int n, uint8_t ws)
{
	uint8_t b[4] = { 1, 3, 3, ws };

	return xt_seg_opt_add(o, n, b, 4);
}

unsigned int xt_seg_opt_sackok(uint8_t *o, unsigned int n)
{
	uint8_t b[4] = { 1, 1, 4, 2 };

	return xt_seg_opt_add(o, n, b, 4);
}

unsigned int xt_seg_opt_ts(uint8_t *o, unsigned int n, uint32_t val,
			   uint32_t ecr)
{
	uint8_t b[12] = { 1, 1, 8, 10 };

	xt_put32(b + 4, val);
	xt_put32(b + 8, ecr);
	return xt_seg_opt_add(o, n, b, 12);
}

/*
 * Linux's layout of @o: MSS, then SACK-permitted in the two NOPs before
 * TS (or NOP-aligned alone), then NOP + WS. NULL: no options.
 */
unsigned int xt_seg_opts_linux(uint8_t *p, const struct xt_opts *o)
{
	static const uint8_t sack_ts[2] = { 4, 2 };
	unsigned int n = 0;

	if (!o)
		return 0;
	if (o->has_mss)
		n = xt_seg_opt_mss(p, n, o->mss);
	if (o->has_ts) {
		n = xt_seg_opt_ts(p, n, o->tsval, o->tsecr);
		if (o->sack)
			memcpy(p + n - 12, sack_ts, 2);
	} else if (o->sack) {
		n = xt_seg_opt_sackok(p, n);
	}
	if (o->has_ws)
		n = xt_seg_opt_ws(p, n, o->ws);
	if (o->nsack && o->nsack <= 3) {
		uint8_t b[2 + 2 + 3 * 8] = { 1, 1, 5, 2 + 8 * o->nsack };
		unsigned int i;

		for (i = 0; i < o->nsack; i++) {
			uint32_t start = htonl(o->blocks[i][0]);
			uint32_t end = htonl(o->blocks[i][1]);

			memcpy(b + 4 + 8 * i, &start, 4);
			memcpy(b + 8 + 8 * i, &end, 4);
		}
		n = xt_seg_opt_add(p, n, b, 4 + 8 * o->nsack);
	}
	return n;
}

/* A header with no options, no payload and the largest unscaled window. */
void xt_seg_hdr_init(struct xt_hdr *h, uint16_t sport, uint16_t dport,
		     uint8_t flags, uint32_t seq, uint32_t ack)
{
	memset(h, 0, sizeof(*h));
	h->sport = sport;
	h->dport = dport;
	h->flags = flags;
	h->seq = seq;
	h->ack = ack;
	h->doff = -1;
	h->win = 65535;
}

/*
 * Serialize @h into @b (room for @max bytes, at least 60), checksummed
 * over @saddr -> @daddr with pseudo-header protocol @csum_proto. The
 * header is as long as the data offset says, but at least what the
 * options fill; between them EOL bytes; the payload is a letter pattern
 * cut at @max. Returns the length.
 */
unsigned int xt_seg_build(uint8_t *b, unsigned int max, const struct xt_hdr *h,
			  uint32_t saddr, uint32_t daddr, uint8_t csum_proto)
{
	unsigned int len, i, doff = (20 + h->optlen + 3) / 4;

	if (h->doff >= 0)
		doff = h->doff;
	memset(b, 0, 60);
	xt_put16(b, h->sport);
	xt_put16(b + 2, h->dport);
	xt_put32(b + 4, h->seq);
	xt_put32(b + 8, h->ack);
	b[12] = doff << 4 | (h->res & 0xf);
	b[13] = h->flags;
	xt_put16(b + 14, h->win);
	xt_put16(b + 18, h->urg);
	memcpy(b + 20, h->opt, h->optlen);
	len = doff * 4;
	if (len < 20 + h->optlen)
		len = 20 + h->optlen;
	if (len + h->paylen > max)
		len = max;
	else
		len += h->paylen;
	for (i = 20 + h->optlen; i < len; i++)
		b[i] = i < doff * 4 ? 0 : (uint8_t)('a' + i % 26);
	xt_seg_csum_set(b, len, saddr, daddr, csum_proto);
	return len;
}

/* The options xtcp may send, read from a header already found valid. */
static void xt_seg_parse_opts(const uint8_t *p, unsigned int len,
			      struct xt_seg *s)
{
	unsigned int i = 0;

	while (i + 1 < len && p[i]) {
		uint8_t kind = p[i], olen = p[i + 1];

		if (kind == 1) {
			i++;
			continue;
		}
		if (kind == 2 && olen == 4) {
			s->mss = xt_get16(p + i + 2);
		} else if (kind == 3 && olen == 3) {
			s->ws = p[i + 2];
		} else if (kind == 4 && olen == 2) {
			s->sack_ok = 1;
		} else if (kind == 8 && olen == 10) {
			s->has_ts = 1;
			s->tsval = xt_get32(p + i + 2);
			s->tsecr = xt_get32(p + i + 6);
		}
		i += olen;
	}
}

/* Parse a TCP-format segment of @len (at least 20) bytes into @s. */
void xt_seg_parse(const uint8_t *b, size_t len, uint32_t saddr, uint32_t daddr,
		  struct xt_seg *s)
{
	unsigned int doff = (b[12] >> 4) * 4;

	memset(s, 0, sizeof(*s));
	s->saddr = saddr;
	s->daddr = daddr;
	s->sport = xt_get16(b);
	s->dport = xt_get16(b + 2);
	s->seq = xt_get32(b + 4);
	s->ack = xt_get32(b + 8);
	s->flags = b[13];
	s->win = xt_get16(b + 14);
	s->mss = -1;
	s->ws = -1;
	s->csum_ok = xt_seg_csum_ok(b, len, saddr, daddr);
	if (doff < 20 || doff > len) {
		doff = 20;
		s->opts_ok = 0;
	} else {
		s->opts_ok = xt_seg_opts_valid(b + 20, doff - 20);
		if (s->opts_ok)
			xt_seg_parse_opts(b + 20, doff - 20, s);
	}
	s->paylen = len - doff;
}

/* One line for the log: ports, flags, numbers, options, length. */
void xt_seg_str(const struct xt_seg *s, char *buf, size_t len)
{
	static const char names[] = "SFRPUEW.";
	static const uint8_t bits[] = { XT_SYN, XT_FIN, XT_RST, XT_PSH, XT_URG,
					XT_ECE, XT_CWR, XT_ACK };
	char fl[10], opt[96] = "";
	unsigned int i, f = 0;
	int o = 0;

	for (i = 0; i < sizeof(bits); i++)
		if (s->flags & bits[i])
			fl[f++] = names[i];
	if (!f)
		fl[f++] = '-';
	fl[f] = 0;
	if (s->mss >= 0)
		o += snprintf(opt + o, sizeof(opt) - o, "mss %d,", s->mss);
	if (s->ws >= 0)
		o += snprintf(opt + o, sizeof(opt) - o, "ws %d,", s->ws);
	if (s->sack_ok)
		o += snprintf(opt + o, sizeof(opt) - o, "sackOK,");
	if (s->has_ts)
		o += snprintf(opt + o, sizeof(opt) - o, "ts %u ecr %u,",
			      s->tsval, s->tsecr);
	if (o)
		opt[o - 1] = 0;
	snprintf(buf, len, "%u > %u [%s] seq %u ack %u win %u%s%s%s len %u%s%s",
		 s->sport, s->dport, fl, s->seq, s->ack, s->win,
		 o ? " <" : "", opt, o ? ">" : "", s->paylen,
		 s->csum_ok ? "" : " BAD-CHECKSUM",
		 s->opts_ok ? "" : " BAD-OPTIONS");
}

/* Recompute the checksum of the IPv4 header at @h (after an edit). */
void xt_seg_ip_csum(uint8_t *h)
{
	unsigned int ihl = (h[0] & 0xf) * 4;

	xt_put16(h + 10, 0);
	xt_put16(h + 10, xt_seg_csum_fold(xt_seg_csum_add(0, h, ihl)));
}

/*
 * An IPv4 header at @h with @optlen (a multiple of 4, up to 40) bytes of
 * NOP options, TTL 64 and the total length @totlen (which may lie).
 * @frag_off is the whole flags + offset field. Returns its length.
 */
unsigned int xt_seg_ip_build(uint8_t *h, uint32_t saddr, uint32_t daddr,
			     uint8_t proto, unsigned int optlen,
			     unsigned int totlen, uint16_t id,
			     uint16_t frag_off)
{
	unsigned int ihl = 20 + optlen;

	memset(h, 0, 20);
	memset(h + 20, 1, optlen);
	h[0] = 0x40 | ihl / 4;
	xt_put16(h + 2, totlen);
	xt_put16(h + 4, id);
	xt_put16(h + 6, frag_off);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &saddr, 4);
	memcpy(h + 16, &daddr, 4);
	xt_seg_ip_csum(h);
	return ihl;
}
