/* fuzz_packet: libFuzzer target for frame_parse. Besides never reading past
 * the input (ASan), it asserts what the parser promises about what it returns,
 * and that frames rebuilt from a parse (TCP segment, ARP reply) parse back. */
#include "packet.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
require(int cond)
{
	if (!cond)
		abort();
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
tcp_invariants(const uint8_t *data, size_t size, const struct parsed_frame *p)
{
	const uint8_t *ip = data + p->l3_offset;
	const uint8_t *end = data + size;
	size_t ip_total;

	require(!p->ip_fragment);
	require(p->l3_offset == 14 || p->l3_offset == 18 ||
		p->l3_offset == 22);
	require((size_t)p->l3_offset + 20 <= size && ip[0] >> 4 == 4);
	require(p->l4_offset == p->l3_offset + (ip[0] & 0x0f) * 4);
	ip_total = rd16(ip + 2);
	require((size_t)p->l3_offset + ip_total <= size);
	/* The payload lies after the TCP header, inside the IP packet. */
	require(p->payload != NULL);
	require(p->payload >= data + p->l4_offset + 20);
	require(p->payload <= end);
	require(p->payload_len <= (size_t)(end - p->payload));
	require(p->payload + p->payload_len == ip + ip_total);
}

/* Rebuild the segment with our builder and parse it back. */
static void
tcp_round_trip(const struct parsed_frame *p)
{
	size_t cap = 54 + (size_t)p->payload_len + FRAME_MIN_LEN;
	uint8_t *buf = malloc(cap);
	struct parsed_frame q;
	size_t len;

	require(buf != NULL);
	len = tcp_segment_build(buf, p->dst_mac, p->src_mac, p->ip_dst,
				p->ip_src, p->dport, p->sport, p->ack, p->seq,
				p->tcp_flags, p->window, p->payload,
				p->payload_len);
	require(len >= FRAME_MIN_LEN && len <= cap);
	require(ipv4_header_verify(buf + 14, len - 14) == 0);
	require(tcp_verify(buf + 14, len - 14) == 0);
	require(frame_parse(buf, len, &q) == PARSED_TCP);
	require(q.ip_src == p->ip_dst && q.ip_dst == p->ip_src);
	require(q.sport == p->dport && q.dport == p->sport);
	require(q.seq == p->ack && q.ack == p->seq);
	require(q.tcp_flags == p->tcp_flags && q.window == p->window);
	require(q.payload_len == p->payload_len);
	require(memcmp(q.payload, p->payload, p->payload_len) == 0);
	free(buf);
}

static void
arp_round_trip(size_t size, const struct parsed_frame *p)
{
	static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 1};
	uint8_t buf[64];
	struct parsed_frame q;
	size_t len;

	require((size_t)p->l3_offset + 28 <= size);
	len = arp_reply_build(buf, our_mac, p->arp_tpa, p);
	require(len == FRAME_MIN_LEN);
	require(frame_parse(buf, len, &q) == PARSED_ARP);
	require(q.arp_op == 2 && q.arp_spa == p->arp_tpa &&
		q.arp_tpa == p->arp_spa);
	require(memcmp(q.dst_mac, p->arp_sha, 6) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed_frame p, again;
	enum parsed_kind kind = frame_parse(data, size, &p);

	require(kind == p.kind);
	require(kind <= PARSED_ICMP_UNREACH);
	require(kind == PARSED_MALFORMED || size >= 14);
	require(p.l3_offset <= size && p.l4_offset <= size);
	require(p.vlan <= 0x0fff && p.vlan_inner <= 0x0fff);
	if (kind != PARSED_TCP) {
		require(p.payload == NULL && p.payload_len == 0);
		require(p.wscale == 0xff && p.mss == 0);
	}

	switch (kind) {
	case PARSED_TCP:
		tcp_invariants(data, size, &p);
		tcp_round_trip(&p);
		break;
	case PARSED_ARP:
		arp_round_trip(size, &p);
		break;
	case PARSED_ICMP_UNREACH:
		require(!p.ip_fragment && p.icmp_type == 3);
		require((size_t)p.l4_offset + 8 + 20 + 8 <= size);
		break;
	case PARSED_OTHER:
	case PARSED_MALFORMED:
		break;
	}

	/* Parsing is a function of the bytes only. */
	require(frame_parse(data, size, &again) == kind);
	require(again.payload == p.payload &&
		again.payload_len == p.payload_len && again.seq == p.seq &&
		again.quoted_seq == p.quoted_seq && again.arp_spa == p.arp_spa);
	return 0;
}
