/* packet: the SYN probe template and its per-probe stamping with RFC 1624
 * incremental checksums, RFC 1071 checksum helpers, the reply builders (ARP,
 * bare TCP segments) and a parser that never reads past the frame's end. */
#include "packet.h"

#include <endian.h>
#include <string.h>

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define VLAN_TAG_LEN 4
#define VLAN_MAX_TAGS 2

#define ARP_LEN 28
#define ARP_HTYPE_ETHERNET 1

#define IPV4_HLEN 20
#define IPV4_DF 0x4000
#define IPV4_FRAG_MASK 0x3fff /* MF and the fragment offset */
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6

#define TCP_HLEN 20
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_TIMESTAMP 8
#define TCP_WSCALE_MAX 14

#define ICMP_HLEN 8
#define ICMP_DEST_UNREACH 3
#define ICMP_QUOTED_L4_MIN 8 /* RFC 792: the quote holds 64 bits of data */

#define SYN_TTL_DEFAULT 64
#define SYN_MSS_DEFAULT 1460
#define SYN_WSCALE_DEFAULT 7
#define SYN_WINDOW_DEFAULT 64240
#define SYN_TSVAL 0x2a3b4c5d /* fixed, nonzero: we never answer an echo */
#define REPLY_TTL 64

/* probe_stamp copies a template as two overlapping fixed-size blocks, which
 * covers any length in [STAMP_COPY_TAIL, STAMP_COPY_HEAD + STAMP_COPY_TAIL]. */
#define STAMP_COPY_HEAD 48
#define STAMP_COPY_TAIL 32

static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
put_be16(uint8_t *p, uint16_t v)
{
	uint16_t be = htobe16(v);

	memcpy(p, &be, sizeof(be));
}

static inline void
put_be32(uint8_t *p, uint32_t v)
{
	uint32_t be = htobe32(v);

	memcpy(p, &be, sizeof(be));
}

/* ---- checksums ---- */

/* Fold a ones'-complement sum to 16 bits with end-around carries. A nonzero
 * sum never folds to 0, so a multiple of 0xffff gives 0xffff, as a full
 * computation does (RFC 1624 section 3: no -0 trouble with eqn. 3). */
static inline uint16_t
sum_reduce(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t
csum_partial(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t acc = sum;

	while (len > 1) {
		acc += get_be16(p);
		p += 2;
		len -= 2;
	}
	if (len)
		acc += (uint32_t)p[0] << 8;
	/* 2^32 = 1 modulo 0xffff: folding the high half keeps the sum. */
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
csum_fold(uint32_t sum)
{
	return (uint16_t)~sum_reduce(sum);
}

/* The pseudo header of a TCP segment of tcp_len bytes in the IPv4 packet ip. */
static uint32_t
tcp_pseudo_sum(const uint8_t *ip, size_t tcp_len)
{
	return csum_partial(ip + 12, 8, IPPROTO_TCP_ + (uint32_t)tcp_len);
}

static int
ipv4_header_len(const uint8_t *ip, size_t len)
{
	int hlen;

	if (len < IPV4_HLEN || ip[0] >> 4 != 4)
		return -1;
	hlen = (ip[0] & 0x0f) * 4;
	if (hlen < IPV4_HLEN || (size_t)hlen > len)
		return -1;
	return hlen;
}

uint16_t
ipv4_header_verify(const uint8_t *ip, size_t len)
{
	int hlen = ipv4_header_len(ip, len);

	if (hlen < 0)
		return 0xffff;
	return csum_fold(csum_partial(ip, (size_t)hlen, 0));
}

uint16_t
tcp_verify(const uint8_t *ip, size_t len)
{
	int hlen = ipv4_header_len(ip, len);
	size_t total, tcp_len;
	uint32_t sum;

	if (hlen < 0 || ip[9] != IPPROTO_TCP_)
		return 0xffff;
	total = get_be16(ip + 2);
	if (total > len || total < (size_t)hlen + TCP_HLEN)
		return 0xffff;
	tcp_len = total - (size_t)hlen;
	sum = csum_partial(ip + hlen, tcp_len, tcp_pseudo_sum(ip, tcp_len));
	return csum_fold(sum);
}

void
ipv4_tcp_checksum_fill(uint8_t *ip, size_t len)
{
	int hlen = ipv4_header_len(ip, len);
	uint8_t *tcp;
	size_t tcp_len;
	uint32_t sum;

	if (hlen < 0 || len < (size_t)hlen + TCP_HLEN)
		return;
	put_be16(ip + 10, 0);
	put_be16(ip + 10, csum_fold(csum_partial(ip, (size_t)hlen, 0)));

	tcp = ip + hlen;
	tcp_len = len - (size_t)hlen;
	put_be16(tcp + 16, 0);
	sum = csum_partial(tcp, tcp_len, tcp_pseudo_sum(ip, tcp_len));
	put_be16(tcp + 16, csum_fold(sum));
}

/* ---- the SYN template ---- */

void
probe_params_default(struct probe_params *params)
{
	memset(params, 0, sizeof(*params));
	params->ttl = SYN_TTL_DEFAULT;
	params->mss = SYN_MSS_DEFAULT;
	params->wscale = SYN_WSCALE_DEFAULT;
	params->window = SYN_WINDOW_DEFAULT;
	params->options = SYN_OPTIONS_LINUX;
}

/* Write the SYN's TCP options; return their length (a multiple of 4). */
static size_t
syn_options_write(uint8_t *opt, const struct probe_params *params)
{
	uint16_t mss = params->mss ? params->mss : SYN_MSS_DEFAULT;
	uint8_t wscale = params->wscale;
	uint8_t *p = opt;

	if (wscale > TCP_WSCALE_MAX)
		wscale = TCP_WSCALE_MAX;

	switch (params->options) {
	case SYN_OPTIONS_LINUX:
		/* As Linux orders them: MSS, SACK-permitted, timestamps, NOP,
		 * window scale. */
		*p++ = TCPOPT_MSS;
		*p++ = 4;
		put_be16(p, mss);
		p += 2;
		*p++ = TCPOPT_SACK_PERM;
		*p++ = 2;
		*p++ = TCPOPT_TIMESTAMP;
		*p++ = 10;
		put_be32(p, SYN_TSVAL);
		p += 4;
		put_be32(p, 0); /* TSecr */
		p += 4;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WSCALE;
		*p++ = 3;
		*p++ = wscale;
		break;
	case SYN_OPTIONS_NO_TIMESTAMPS:
		*p++ = TCPOPT_MSS;
		*p++ = 4;
		put_be16(p, mss);
		p += 2;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WSCALE;
		*p++ = 3;
		*p++ = wscale;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_SACK_PERM;
		*p++ = 2;
		break;
	case SYN_OPTIONS_MSS_WSCALE:
		*p++ = TCPOPT_MSS;
		*p++ = 4;
		put_be16(p, mss);
		p += 2;
		*p++ = TCPOPT_NOP;
		*p++ = TCPOPT_WSCALE;
		*p++ = 3;
		*p++ = wscale;
		break;
	case SYN_OPTIONS_MSS:
		*p++ = TCPOPT_MSS;
		*p++ = 4;
		put_be16(p, mss);
		p += 2;
		break;
	case SYN_OPTIONS_BARE:
	default:
		break;
	}
	return (size_t)(p - opt);
}

static void
eth_header_write(uint8_t *eth, const uint8_t dst[6], const uint8_t src[6],
		 uint16_t ethertype)
{
	memcpy(eth, dst, ETH_ALEN_);
	memcpy(eth + 6, src, ETH_ALEN_);
	put_be16(eth + 12, ethertype);
}

/* An IPv4 header without options; id, checksum and addresses as given. */
static void
ipv4_header_write(uint8_t *ip, uint16_t total_len, uint16_t id, uint8_t ttl,
		  uint32_t src, uint32_t dst)
{
	ip[0] = 0x45;
	ip[1] = 0;
	put_be16(ip + 2, total_len);
	put_be16(ip + 4, id);
	put_be16(ip + 6, IPV4_DF);
	ip[8] = ttl;
	ip[9] = IPPROTO_TCP_;
	put_be16(ip + 10, 0);
	put_be32(ip + 12, src);
	put_be32(ip + 16, dst);
}

static void
tcp_header_write(uint8_t *tcp, size_t hlen, uint16_t sport, uint16_t dport,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window)
{
	put_be16(tcp, sport);
	put_be16(tcp + 2, dport);
	put_be32(tcp + 4, seq);
	put_be32(tcp + 8, ack);
	tcp[12] = (uint8_t)(hlen / 4 << 4);
	tcp[13] = flags;
	put_be16(tcp + 14, window);
	put_be16(tcp + 16, 0);
	put_be16(tcp + 18, 0);
}

void
probe_template_init(struct probe_template *tpl,
		    const struct probe_params *params)
{
	uint8_t *ip, *tcp;
	size_t opt_len, tcp_len, len;

	memset(tpl, 0, sizeof(*tpl));
	tpl->ip_offset = ETH_HLEN;
	tpl->tcp_offset = ETH_HLEN + IPV4_HLEN;
	tpl->src_ip = params->src_ip;
	ip = tpl->frame + tpl->ip_offset;
	tcp = tpl->frame + tpl->tcp_offset;

	opt_len = syn_options_write(tcp + TCP_HLEN, params);
	tcp_len = TCP_HLEN + opt_len;

	eth_header_write(tpl->frame, params->dst_mac, params->src_mac,
			 ETHERTYPE_IPV4);
	/* Varying fields (id, addresses, ports, seq) stay zero. */
	ipv4_header_write(ip, (uint16_t)(IPV4_HLEN + tcp_len), 0,
			  params->ttl ? params->ttl : SYN_TTL_DEFAULT, 0, 0);
	tcp_header_write(tcp, tcp_len, 0, 0, 0, 0, TCP_FLAG_SYN,
			 params->window ? params->window : SYN_WINDOW_DEFAULT);

	len = ETH_HLEN + IPV4_HLEN + tcp_len;
	tpl->len = (uint16_t)(len < FRAME_MIN_LEN ? FRAME_MIN_LEN : len);

	tpl->ip_sum_base = csum_partial(ip, IPV4_HLEN, 0);
	tpl->phdr_sum_base = IPPROTO_TCP_ + (uint32_t)tcp_len;
	tpl->tcp_sum_base = csum_partial(tcp, tcp_len, tpl->phdr_sum_base);
}

/* Copy the template and store the varying fields; return the sum of the two
 * addresses (taken whole: 2^16 = 1 modulo 0xffff, so a 32-bit value adds as
 * its two 16-bit words do). */
static inline uint64_t
probe_copy_fields(const struct probe_template *tpl, uint8_t *out,
		  const struct probe_fields *f, uint32_t *src_ip)
{
	uint8_t *ip = out + ETH_HLEN;
	uint8_t *tcp = ip + IPV4_HLEN;
	uint32_t src = f->src_ip ? f->src_ip : tpl->src_ip;
	size_t tail = tpl->len - STAMP_COPY_TAIL;

	memcpy(out, tpl->frame, STAMP_COPY_HEAD);
	memcpy(out + tail, tpl->frame + tail, STAMP_COPY_TAIL);

	put_be16(ip + 4, f->ip_id);
	put_be32(ip + 12, src);
	put_be32(ip + 16, f->dst_ip);
	put_be16(tcp, f->src_port);
	put_be16(tcp + 2, f->dst_port);
	put_be32(tcp + 4, f->seq);
	*src_ip = src;
	return (uint64_t)src + f->dst_ip;
}

void
probe_stamp(const struct probe_template *tpl, uint8_t *out,
	    const struct probe_fields *f)
{
	uint8_t *ip = out + ETH_HLEN;
	uint8_t *tcp = ip + IPV4_HLEN;
	uint32_t src;
	uint64_t addrs = probe_copy_fields(tpl, out, f, &src);
	uint64_t ip_sum = tpl->ip_sum_base + addrs + f->ip_id;
	uint64_t tcp_sum = tpl->tcp_sum_base + addrs + f->src_port +
			   f->dst_port + f->seq;

	/* RFC 1624 eqn. 3 with the old fields zero: HC' = ~(~HC + m'). */
	put_be16(ip + 10, (uint16_t)~sum_reduce(ip_sum));
	put_be16(tcp + 16, (uint16_t)~sum_reduce(tcp_sum));
}

void
probe_stamp_offload(const struct probe_template *tpl, uint8_t *out,
		    const struct probe_fields *f)
{
	uint8_t *tcp = out + ETH_HLEN + IPV4_HLEN;
	uint32_t src;
	uint64_t addrs = probe_copy_fields(tpl, out, f, &src);

	/* The IP checksum stays 0 from the template; the NIC finishes the TCP
	 * one from the folded, uncomplemented pseudo-header sum. */
	put_be16(tcp + 16, sum_reduce(tpl->phdr_sum_base + addrs));
}

/* ---- parsing ---- */

static enum parsed_kind
arp_parse(const uint8_t *arp, size_t len, struct parsed_frame *out)
{
	if (len < ARP_LEN)
		return PARSED_MALFORMED;
	if (get_be16(arp) != ARP_HTYPE_ETHERNET ||
	    get_be16(arp + 2) != ETHERTYPE_IPV4)
		return PARSED_OTHER;
	if (arp[4] != ETH_ALEN_ || arp[5] != 4)
		return PARSED_MALFORMED;
	out->arp_op = get_be16(arp + 6);
	memcpy(out->arp_sha, arp + 8, ETH_ALEN_);
	out->arp_spa = get_be32(arp + 14);
	out->arp_tpa = get_be32(arp + 24);
	return PARSED_ARP;
}

/* Options as Linux reads them: a malformed option ends the walk and keeps the
 * segment; a known kind with the wrong length is skipped. */
static void
tcp_options_parse(const uint8_t *opt, size_t len, struct parsed_frame *out)
{
	size_t i = 0;

	while (i < len) {
		uint8_t kind = opt[i];
		uint8_t olen;

		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return;
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return;
		if (kind == TCPOPT_MSS && olen == 4)
			out->mss = get_be16(opt + i + 2);
		else if (kind == TCPOPT_WSCALE && olen == 3)
			out->wscale = opt[i + 2];
		i += olen;
	}
}

static enum parsed_kind
tcp_parse(const uint8_t *tcp, size_t len, struct parsed_frame *out)
{
	size_t hlen;

	if (len < TCP_HLEN)
		return PARSED_MALFORMED;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	if (hlen < TCP_HLEN || hlen > len)
		return PARSED_MALFORMED;
	out->sport = get_be16(tcp);
	out->dport = get_be16(tcp + 2);
	out->seq = get_be32(tcp + 4);
	out->ack = get_be32(tcp + 8);
	out->tcp_flags = tcp[13];
	out->window = get_be16(tcp + 14);
	tcp_options_parse(tcp + TCP_HLEN, hlen - TCP_HLEN, out);
	out->payload = tcp + hlen;
	out->payload_len = (uint16_t)(len - hlen);
	return PARSED_TCP;
}

/* Destination unreachable quoting a TCP probe: the quoted IPv4 header and
 * the first 8 bytes of its TCP header (ports and sequence number). */
static enum parsed_kind
icmp_parse(const uint8_t *icmp, size_t len, struct parsed_frame *out)
{
	const uint8_t *q = icmp + ICMP_HLEN;
	size_t qlen, qhlen;

	if (len < ICMP_HLEN)
		return PARSED_MALFORMED;
	out->icmp_type = icmp[0];
	out->icmp_code = icmp[1];
	if (out->icmp_type != ICMP_DEST_UNREACH)
		return PARSED_OTHER;

	qlen = len - ICMP_HLEN;
	if (qlen < IPV4_HLEN || q[0] >> 4 != 4)
		return PARSED_MALFORMED;
	qhlen = (size_t)(q[0] & 0x0f) * 4;
	if (qhlen < IPV4_HLEN || qhlen + ICMP_QUOTED_L4_MIN > qlen)
		return PARSED_MALFORMED;
	out->quoted_src = get_be32(q + 12);
	out->quoted_dst = get_be32(q + 16);
	/* Only a first fragment starts with the TCP header. */
	if (q[9] != IPPROTO_TCP_ || (get_be16(q + 6) & 0x1fff))
		return PARSED_OTHER;
	out->quoted_sport = get_be16(q + qhlen);
	out->quoted_dport = get_be16(q + qhlen + 2);
	out->quoted_seq = get_be32(q + qhlen + 4);
	return PARSED_ICMP_UNREACH;
}

static enum parsed_kind
ipv4_parse(const uint8_t *frame, size_t off, size_t len,
	   struct parsed_frame *out)
{
	const uint8_t *ip = frame + off;
	size_t avail = len - off;
	size_t hlen, total;

	if (avail < IPV4_HLEN || ip[0] >> 4 != 4)
		return PARSED_MALFORMED;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	total = get_be16(ip + 2);
	/* Total length, not the frame, bounds the packet: Ethernet pads. */
	if (hlen < IPV4_HLEN || total < hlen || total > avail)
		return PARSED_MALFORMED;
	out->ip_id = get_be16(ip + 4);
	out->ttl = ip[8];
	out->ip_src = get_be32(ip + 12);
	out->ip_dst = get_be32(ip + 16);
	if (get_be16(ip + 6) & IPV4_FRAG_MASK) {
		out->ip_fragment = 1;
		return PARSED_OTHER;
	}
	out->l4_offset = (uint16_t)(off + hlen);
	switch (ip[9]) {
	case IPPROTO_TCP_:
		return tcp_parse(ip + hlen, total - hlen, out);
	case IPPROTO_ICMP_:
		return icmp_parse(ip + hlen, total - hlen, out);
	default:
		return PARSED_OTHER;
	}
}

static enum parsed_kind
frame_parse_l2(const uint8_t *frame, size_t len, struct parsed_frame *out)
{
	size_t off = ETH_HLEN;
	uint16_t ethertype;
	int tags = 0;

	if (len < ETH_HLEN)
		return PARSED_MALFORMED;
	memcpy(out->dst_mac, frame, ETH_ALEN_);
	memcpy(out->src_mac, frame + 6, ETH_ALEN_);
	ethertype = get_be16(frame + 12);

	while (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) {
		uint16_t vid;

		if (tags == VLAN_MAX_TAGS)
			return PARSED_OTHER;
		if (len - off < VLAN_TAG_LEN)
			return PARSED_MALFORMED;
		vid = get_be16(frame + off) & 0x0fff;
		if (tags == 0)
			out->vlan = vid;
		else
			out->vlan_inner = vid;
		ethertype = get_be16(frame + off + 2);
		off += VLAN_TAG_LEN;
		tags++;
	}

	out->l3_offset = (uint16_t)off;
	switch (ethertype) {
	case ETHERTYPE_ARP:
		return arp_parse(frame + off, len - off, out);
	case ETHERTYPE_IPV4:
		return ipv4_parse(frame, off, len, out);
	default:
		return PARSED_OTHER;
	}
}

enum parsed_kind
frame_parse(const uint8_t *frame, size_t len, struct parsed_frame *out)
{
	memset(out, 0, sizeof(*out));
	out->wscale = 0xff;
	out->kind = frame_parse_l2(frame, len, out);
	return out->kind;
}

/* ---- builders ---- */

static size_t
frame_pad(uint8_t *out, size_t len)
{
	if (len >= FRAME_MIN_LEN)
		return len;
	memset(out + len, 0, FRAME_MIN_LEN - len);
	return FRAME_MIN_LEN;
}

static size_t
arp_build(uint8_t *out, const uint8_t eth_dst[6], const uint8_t our_mac[6],
	  uint16_t op, uint32_t our_ip, const uint8_t tha[6], uint32_t tpa)
{
	uint8_t *arp = out + ETH_HLEN;

	eth_header_write(out, eth_dst, our_mac, ETHERTYPE_ARP);
	put_be16(arp, ARP_HTYPE_ETHERNET);
	put_be16(arp + 2, ETHERTYPE_IPV4);
	arp[4] = ETH_ALEN_;
	arp[5] = 4;
	put_be16(arp + 6, op);
	memcpy(arp + 8, our_mac, ETH_ALEN_);
	put_be32(arp + 14, our_ip);
	memcpy(arp + 18, tha, ETH_ALEN_);
	put_be32(arp + 24, tpa);
	return frame_pad(out, ETH_HLEN + ARP_LEN);
}

size_t
arp_reply_build(uint8_t *out, const uint8_t our_mac[6], uint32_t our_ip,
		const struct parsed_frame *request)
{
	return arp_build(out, request->arp_sha, our_mac, 2, our_ip,
			 request->arp_sha, request->arp_spa);
}

size_t
arp_request_build(uint8_t *out, const uint8_t our_mac[6], uint32_t our_ip,
		  uint32_t target_ip)
{
	static const uint8_t broadcast[ETH_ALEN_] = {0xff, 0xff, 0xff,
						     0xff, 0xff, 0xff};
	static const uint8_t unknown[ETH_ALEN_];

	return arp_build(out, broadcast, our_mac, 1, our_ip, unknown,
			 target_ip);
}

size_t
tcp_segment_build(uint8_t *out, const uint8_t src_mac[6],
		  const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
		  uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		  uint8_t flags, uint16_t window, const uint8_t *payload,
		  uint16_t payload_len)
{
	uint8_t *ip = out + ETH_HLEN;
	uint8_t *tcp = ip + IPV4_HLEN;
	size_t ip_len = IPV4_HLEN + TCP_HLEN + (size_t)payload_len;

	if (ip_len > 0xffff)
		return 0;
	eth_header_write(out, dst_mac, src_mac, ETHERTYPE_IPV4);
	ipv4_header_write(ip, (uint16_t)ip_len, 0, REPLY_TTL, src_ip, dst_ip);
	tcp_header_write(tcp, TCP_HLEN, sport, dport, seq, ack, flags, window);
	if (payload_len)
		memcpy(tcp + TCP_HLEN, payload, payload_len);
	ipv4_tcp_checksum_fill(ip, ip_len);
	return frame_pad(out, ETH_HLEN + ip_len);
}
