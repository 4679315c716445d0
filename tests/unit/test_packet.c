/* test_packet: checksum vectors (RFC 1071), incremental stamping against full
 * computation on random and edge-case fields (RFC 1624), template layouts,
 * parse round trips, VLAN, ICMP quotes, every truncation of valid frames. */
#include "check.h"
#include "packet.h"

#include <stdlib.h>

#define STAMPS_PER_LAYOUT 100000
#define EDGE_STAMPS_PER_LAYOUT 20000

static const uint8_t mac_us[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_gw[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
static const uint32_t ip_us = 0xc6120001;   /* 198.18.0.1 */
static const uint32_t ip_them = 0xc6130a07; /* 198.19.10.7 */
static const uint32_t ip_router = 0xc61200fe;

static const enum syn_options layouts[] = {
	SYN_OPTIONS_LINUX,
	SYN_OPTIONS_MSS,
	SYN_OPTIONS_BARE,
	SYN_OPTIONS_NO_TIMESTAMPS,
	SYN_OPTIONS_MSS_WSCALE,
};
static const char *const layout_names[] = {"linux", "mss", "bare",
					   "no_timestamps", "mss_wscale"};

/* ---- an independent reference: RFC 1071 section 4.1, folding as it goes */

static uint16_t
ref_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		sum += (uint32_t)p[i] << 8 | p[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)sum;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

/* Full IPv4 header checksum of ip, as if its checksum field were 0. */
static uint16_t
ref_ip_csum(const uint8_t *ip)
{
	uint8_t h[60];
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;

	memcpy(h, ip, hlen);
	wr16(h + 10, 0);
	return (uint16_t)~ref_sum(h, hlen);
}

/* Full TCP checksum (pseudo header + segment, checksum field 0). */
static uint16_t
ref_tcp_csum(const uint8_t *ip)
{
	static uint8_t buf[12 + 65536];
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
	size_t tcp_len = rd16(ip + 2) - hlen;

	memcpy(buf, ip + 12, 8);
	buf[8] = 0;
	buf[9] = 6;
	wr16(buf + 10, (uint16_t)tcp_len);
	memcpy(buf + 12, ip + hlen, tcp_len);
	wr16(buf + 12 + 16, 0);
	return (uint16_t)~ref_sum(buf, 12 + tcp_len);
}

/* Folded pseudo-header sum, not complemented (rte_ipv4_phdr_cksum). */
static uint16_t
ref_phdr_sum(const uint8_t *ip)
{
	uint8_t buf[12];
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;

	memcpy(buf, ip + 12, 8);
	buf[8] = 0;
	buf[9] = 6;
	wr16(buf + 10, (uint16_t)(rd16(ip + 2) - hlen));
	return ref_sum(buf, sizeof(buf));
}

/* ---- random fields, with the all-zero and all-one edges mixed in ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
rng_field32(void)
{
	static const uint32_t edges[] = {0, 0xffffffff, 0xffff, 0xffff0000,
					 1, 0xfffe, 0x8000, 0x80000000};
	uint64_t r = rng_next();

	if ((r & 7) == 0)
		return edges[(r >> 3) % (sizeof(edges) / sizeof(edges[0]))];
	return (uint32_t)(r >> 32);
}

static uint16_t
rng_field16(void)
{
	static const uint16_t edges[] = {0, 0xffff, 1, 0xfffe, 0x8000};
	uint64_t r = rng_next();

	if ((r & 7) == 0)
		return edges[(r >> 3) % (sizeof(edges) / sizeof(edges[0]))];
	return (uint16_t)(r >> 32);
}

static void
random_fields(struct probe_fields *f)
{
	f->src_ip = rng_field32();
	f->dst_ip = rng_field32();
	f->src_port = rng_field16();
	f->dst_port = rng_field16();
	f->seq = rng_field32();
	f->ip_id = rng_field16();
}

static void
template_make(struct probe_template *tpl, enum syn_options options)
{
	struct probe_params params;

	probe_params_default(&params);
	memcpy(params.src_mac, mac_us, 6);
	memcpy(params.dst_mac, mac_gw, 6);
	params.src_ip = ip_us;
	params.options = options;
	probe_template_init(tpl, &params);
}

/* ---- checksum helpers ---- */

static void
test_checksum_vectors(void)
{
	/* RFC 1071 section 3: sum of these words is ddf2, checksum 220d. */
	static const uint8_t rfc1071[] = {0x00, 0x01, 0xf2, 0x03,
					  0xf4, 0xf5, 0xf6, 0xf7};
	/* A well-known IPv4 header with checksum b861. */
	static const uint8_t ip_hdr[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00,
					 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
					 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
					 0x00, 0xc7};
	uint8_t hdr[20];
	uint8_t *big;
	size_t big_len = 1 << 20;

	CHECK_EQ_U64(csum_fold(csum_partial(rfc1071, 8, 0)), 0x220d);
	CHECK_EQ_U64((uint16_t)~csum_fold(csum_partial(rfc1071, 8, 0)), 0xddf2);
	/* Chained in two even pieces, and with an odd tail. */
	CHECK_EQ_U64(csum_fold(csum_partial(rfc1071 + 4, 4,
					    csum_partial(rfc1071, 4, 0))),
		     0x220d);
	CHECK_EQ_U64(csum_fold(csum_partial(rfc1071, 3, 0)),
		     (uint16_t)~(0x0001 + 0xf200));
	CHECK_EQ_U64(csum_fold(csum_partial(rfc1071, 0, 0)), 0xffff);

	CHECK_EQ_U64(ipv4_header_verify(ip_hdr, sizeof(ip_hdr)), 0);
	memcpy(hdr, ip_hdr, sizeof(hdr));
	hdr[10] = hdr[11] = 0;
	CHECK_EQ_U64(csum_fold(csum_partial(hdr, sizeof(hdr), 0)), 0xb861);
	CHECK(ipv4_header_verify(hdr, sizeof(hdr)) != 0);
	/* -0: the stored checksum ffff is the same zero as 0000. */
	CHECK(ipv4_header_verify(ip_hdr, 19) != 0);

	/* A megabyte: no overflow of the running sum. */
	big = malloc(big_len);
	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, 0xff, big_len);
	CHECK_EQ_U64(csum_fold(csum_partial(big, big_len, 0)), 0);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (uint8_t)(rng_next() >> 40);
	CHECK_EQ_U64(csum_fold(csum_partial(big, big_len, 0)),
		     (uint16_t)~ref_sum(big, big_len));
	CHECK_EQ_U64(csum_fold(csum_partial(big + 1000, big_len - 1000,
					    csum_partial(big, 1000, 0))),
		     (uint16_t)~ref_sum(big, big_len));
	/* A starting sum near 2^32 carries: 0xfffffffe is ffff + fffe, that
	 * is -1, and ddf2 - 1 = ddf1, complemented 220e. */
	CHECK_EQ_U64(csum_fold(csum_partial(rfc1071, 8, 0xfffffffe)), 0x220e);
	free(big);
}

/* ---- the template ---- */

static void
test_template_layouts(void)
{
	static const uint8_t linux_opts[20] = {
		0x02, 0x04, 0x05, 0xb4,	     /* MSS 1460 */
		0x04, 0x02,		     /* SACK permitted */
		0x08, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, /* timestamps */
		0x01,			     /* NOP */
		0x03, 0x03, 0x07,	     /* window scale 7 */
	};
	struct probe_template tpl;
	struct probe_params params;
	const uint8_t *ip, *tcp;

	template_make(&tpl, SYN_OPTIONS_LINUX);
	ip = tpl.frame + tpl.ip_offset;
	tcp = tpl.frame + tpl.tcp_offset;
	CHECK_EQ_U64(tpl.len, 74);
	CHECK_EQ_U64(tpl.ip_offset, 14);
	CHECK_EQ_U64(tpl.tcp_offset, 34);
	CHECK(memcmp(tpl.frame, mac_gw, 6) == 0);
	CHECK(memcmp(tpl.frame + 6, mac_us, 6) == 0);
	CHECK_EQ_U64(rd16(tpl.frame + 12), 0x0800);
	CHECK_EQ_U64(ip[0], 0x45);
	CHECK_EQ_U64(rd16(ip + 2), 60);
	CHECK_EQ_U64(rd16(ip + 6), 0x4000); /* DF */
	CHECK_EQ_U64(ip[8], 64);
	CHECK_EQ_U64(ip[9], 6);
	CHECK_EQ_U64(tcp[12] >> 4, 10);
	CHECK_EQ_U64(tcp[13], TCP_FLAG_SYN);
	CHECK_EQ_U64(rd16(tcp + 14), 64240);
	CHECK(memcmp(tcp + 20, linux_opts, 8) == 0);
	CHECK(rd32(tcp + 28) != 0); /* TSval */
	CHECK_EQ_U64(rd32(tcp + 32), 0); /* TSecr */
	CHECK(memcmp(tcp + 36, linux_opts + 16, 4) == 0);
	/* Varying fields are left zero. */
	CHECK_EQ_U64(rd16(ip + 4) | rd32(ip + 12) | rd32(ip + 16), 0);
	CHECK_EQ_U64(rd32(tcp) | rd32(tcp + 4), 0);

	template_make(&tpl, SYN_OPTIONS_MSS);
	tcp = tpl.frame + tpl.tcp_offset;
	CHECK_EQ_U64(tpl.len, 60); /* 58, padded */
	CHECK_EQ_U64(rd16(tpl.frame + 16), 44);
	CHECK_EQ_U64(tcp[12] >> 4, 6);
	CHECK(memcmp(tcp + 20, linux_opts, 4) == 0);
	CHECK_EQ_U64(tpl.frame[58] | tpl.frame[59], 0);

	template_make(&tpl, SYN_OPTIONS_NO_TIMESTAMPS);
	tcp = tpl.frame + tpl.tcp_offset;
	CHECK_EQ_U64(tpl.len, 66);
	CHECK_EQ_U64(tcp[12] >> 4, 8);
	{
		static const uint8_t want[12] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7,
						 1, 1, 4, 2};

		CHECK(memcmp(tcp + 20, want, 12) == 0);
	}

	template_make(&tpl, SYN_OPTIONS_MSS_WSCALE);
	tcp = tpl.frame + tpl.tcp_offset;
	CHECK_EQ_U64(tpl.len, 62);
	CHECK_EQ_U64(tcp[12] >> 4, 7);
	{
		static const uint8_t want[8] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7};

		CHECK(memcmp(tcp + 20, want, 8) == 0);
	}

	template_make(&tpl, SYN_OPTIONS_BARE);
	CHECK_EQ_U64(tpl.len, 60); /* 54, padded */
	CHECK_EQ_U64(rd16(tpl.frame + 16), 40);
	CHECK_EQ_U64(tpl.frame[tpl.tcp_offset + 12] >> 4, 5);

	/* Zeros mean defaults; window scale is clamped to 14. */
	memset(&params, 0, sizeof(params));
	params.wscale = 200;
	probe_template_init(&tpl, &params);
	CHECK_EQ_U64(tpl.frame[22], 64);
	CHECK_EQ_U64(rd16(tpl.frame + 34 + 14), 64240);
	CHECK_EQ_U64(rd16(tpl.frame + 34 + 22), 1460);
	CHECK_EQ_U64(tpl.frame[34 + 39], 14);
}

/* ---- stamping: incremental against full, on random fields ---- */

struct stamp_errors {
	uint64_t ip_csum, tcp_csum, verify, fields, rest, overrun, offload;
};

static void
stamp_check_one(const struct probe_template *tpl, const struct probe_fields *f,
		struct stamp_errors *e)
{
	uint8_t out[PROBE_MAX_LEN], off[PROBE_MAX_LEN], masked[PROBE_MAX_LEN];
	const uint8_t *ip = out + 14, *tcp = out + 34;
	uint32_t src = f->src_ip ? f->src_ip : tpl->src_ip;

	memset(out, 0xa5, sizeof(out));
	memset(off, 0x5a, sizeof(off));
	probe_stamp(tpl, out, f);
	probe_stamp_offload(tpl, off, f);

	e->ip_csum += rd16(ip + 10) != ref_ip_csum(ip);
	e->tcp_csum += rd16(tcp + 16) != ref_tcp_csum(ip);
	e->verify += ipv4_header_verify(ip, tpl->len - 14u) != 0 ||
		     tcp_verify(ip, tpl->len - 14u) != 0;
	e->fields += rd16(ip + 4) != f->ip_id || rd32(ip + 12) != src ||
		     rd32(ip + 16) != f->dst_ip || rd16(tcp) != f->src_port ||
		     rd16(tcp + 2) != f->dst_port || rd32(tcp + 4) != f->seq;
	for (size_t i = tpl->len; i < sizeof(out); i++)
		e->overrun += out[i] != 0xa5 || off[i] != 0x5a;

	/* Everything else is the template's. */
	memcpy(masked, out, tpl->len);
	memset(masked + 14 + 4, 0, 2);
	memset(masked + 14 + 10, 0, 10);
	memset(masked + 34, 0, 8);
	memset(masked + 34 + 16, 0, 2);
	e->rest += memcmp(masked, tpl->frame, tpl->len) != 0;

	/* Offload: same frame, IP checksum 0, TCP checksum the folded
	 * pseudo-header sum; finishing it as a NIC does gives a valid one. */
	e->offload += rd16(off + 24) != 0 ||
		      rd16(off + 50) != ref_phdr_sum(ip) ||
		      memcmp(off, out, 24) != 0 ||
		      memcmp(off + 26, out + 26, 24) != 0 ||
		      memcmp(off + 52, out + 52, tpl->len - 52u) != 0;
	wr16(off + 50, (uint16_t)~ref_sum(off + 34, rd16(off + 16) - 20u));
	e->offload += tcp_verify(off + 14, tpl->len - 14u) != 0;
}

static void
test_stamp_random(void)
{
	for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		struct probe_template tpl;
		struct stamp_errors e = {0};
		struct probe_fields f;

		template_make(&tpl, layouts[l]);
		for (int i = 0; i < STAMPS_PER_LAYOUT; i++) {
			random_fields(&f);
			stamp_check_one(&tpl, &f, &e);
		}
		/* All-zero and all-one fields. */
		memset(&f, 0, sizeof(f));
		stamp_check_one(&tpl, &f, &e);
		memset(&f, 0xff, sizeof(f));
		stamp_check_one(&tpl, &f, &e);

		printf("stamp %s: %d random stamps\n", layout_names[l],
		       STAMPS_PER_LAYOUT);
		CHECK_EQ_U64(e.ip_csum, 0);
		CHECK_EQ_U64(e.tcp_csum, 0);
		CHECK_EQ_U64(e.verify, 0);
		CHECK_EQ_U64(e.fields, 0);
		CHECK_EQ_U64(e.rest, 0);
		CHECK_EQ_U64(e.overrun, 0);
		CHECK_EQ_U64(e.offload, 0);
	}
}

/* Fields chosen so that a checksum comes out 0x0000 (its sum is a multiple
 * of 0xffff: RFC 1624's -0 case), including sums where the last field may be
 * 0x0000 or 0xffff with the same result. */
static void
test_stamp_negative_zero(void)
{
	for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		struct probe_template tpl;
		struct stamp_errors e = {0};
		uint64_t ip_zero = 0, tcp_zero = 0, tries = 0;

		template_make(&tpl, layouts[l]);
		for (int i = 0; i < EDGE_STAMPS_PER_LAYOUT; i++) {
			struct probe_fields f;
			uint8_t out[PROBE_MAX_LEN];

			random_fields(&f);
			/* With ip_id 0 the stored checksum is ~S, S the folded
			 * sum of the rest: ip_id = ~S makes the total a
			 * multiple of 0xffff. Every other time, first make
			 * S itself 0xffff with the low word of dst_ip, so that
			 * ip_id 0x0000 and 0xffff must both give 0x0000. */
			f.ip_id = 0;
			if (i & 1) {
				f.dst_ip &= 0xffff0000;
				probe_stamp(&tpl, out, &f);
				f.dst_ip |= rd16(out + 24);
				f.ip_id = (i & 2) ? 0xffff : 0;
			} else {
				probe_stamp(&tpl, out, &f);
				f.ip_id = rd16(out + 24);
			}
			/* TCP: the same with the destination port. */
			f.dst_port = 0;
			probe_stamp(&tpl, out, &f);
			f.dst_port = rd16(out + 50);
			probe_stamp(&tpl, out, &f);
			tries++;
			ip_zero += rd16(out + 24) == 0;
			tcp_zero += rd16(out + 50) == 0;
			stamp_check_one(&tpl, &f, &e);
		}
		CHECK_EQ_U64(ip_zero, tries);
		CHECK_EQ_U64(tcp_zero, tries);
		CHECK_EQ_U64(e.ip_csum, 0);
		CHECK_EQ_U64(e.tcp_csum, 0);
		CHECK_EQ_U64(e.verify, 0);
		CHECK_EQ_U64(e.fields, 0);
		CHECK_EQ_U64(e.offload, 0);
	}
}

/* ---- frames as they come back, built by hand ---- */

struct frame_spec {
	int ntags;
	uint16_t tag_type[3];
	uint16_t tci[3];
	size_t ip_opt_len; /* multiple of 4: NOPs then EOL */
	uint16_t frag;	   /* flags and fragment offset */
	uint8_t proto;
	uint32_t src, dst;
	uint16_t id;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	const uint8_t *tcp_opt;
	size_t tcp_opt_len; /* multiple of 4 */
	const uint8_t *l4;  /* for proto != 6: the whole L4 message */
	size_t l4_len;
	const uint8_t *payload;
	size_t payload_len;
	uint8_t pad_byte;
};

/* A server's SYN-ACK options: MSS 1400, SACK permitted, timestamps, NOP,
 * window scale 9. */
static const uint8_t synack_opts[20] = {
	0x02, 0x04, 0x05, 0x78, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02,
	0x03, 0x04, 0x2a, 0x3b, 0x4c, 0x5d, 0x01, 0x03, 0x03, 0x09,
};

static struct frame_spec
synack_spec(void)
{
	struct frame_spec s = {
		.frag = 0x4000,
		.proto = 6,
		.src = ip_them,
		.dst = ip_us,
		.id = 0,
		.sport = 80,
		.dport = 40000,
		.seq = 0x11223344,
		.ack = 0xabcdef01,
		.flags = TCP_FLAG_SYN | TCP_FLAG_ACK,
		.window = 65160,
		.tcp_opt = synack_opts,
		.tcp_opt_len = sizeof(synack_opts),
	};
	return s;
}

/* Build the frame from them to us; return its length (padded to 60 with
 * pad_byte) and the length without padding in *content. */
static size_t
frame_build(uint8_t *out, const struct frame_spec *s, size_t *content)
{
	size_t off = 12, ip_hlen = 20 + s->ip_opt_len, l4_len, total;
	uint8_t *ip, *l4;

	memcpy(out, mac_us, 6);
	memcpy(out + 6, mac_gw, 6);
	for (int t = 0; t < s->ntags; t++) {
		wr16(out + off, s->tag_type[t]);
		wr16(out + off + 2, s->tci[t]);
		off += 4;
	}
	wr16(out + off, 0x0800);
	ip = out + off + 2;
	l4 = ip + ip_hlen;
	if (s->proto == 6) {
		size_t thlen = 20 + s->tcp_opt_len;

		wr16(l4, s->sport);
		wr16(l4 + 2, s->dport);
		wr32(l4 + 4, s->seq);
		wr32(l4 + 8, s->ack);
		l4[12] = (uint8_t)(thlen / 4 << 4);
		l4[13] = s->flags;
		wr16(l4 + 14, s->window);
		wr32(l4 + 16, 0);
		memcpy(l4 + 20, s->tcp_opt, s->tcp_opt_len);
		if (s->payload_len)
			memcpy(l4 + thlen, s->payload, s->payload_len);
		l4_len = thlen + s->payload_len;
	} else {
		memcpy(l4, s->l4, s->l4_len);
		l4_len = s->l4_len;
	}
	total = ip_hlen + l4_len;
	ip[0] = (uint8_t)(0x40 | ip_hlen / 4);
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)total);
	wr16(ip + 4, s->id);
	wr16(ip + 6, s->frag);
	ip[8] = 57;
	ip[9] = s->proto;
	wr16(ip + 10, 0);
	wr32(ip + 12, s->src);
	wr32(ip + 16, s->dst);
	memset(ip + 20, 1, s->ip_opt_len);
	if (s->ip_opt_len)
		ip[ip_hlen - 1] = 0;
	if (s->proto == 6)
		ipv4_tcp_checksum_fill(ip, total);
	else
		wr16(ip + 10, csum_fold(csum_partial(ip, ip_hlen, 0)));
	*content = (size_t)(ip - out) + total;
	if (*content >= 60)
		return *content;
	memset(out + *content, s->pad_byte, 60 - *content);
	return 60;
}

/* Every truncation of a valid frame: MALFORMED while content is cut, the
 * full frame's kind once only padding is; never a read past the copy (ASan
 * sees each copy as its own allocation). */
static void
check_truncations(const uint8_t *frame, size_t len, size_t content,
		  enum parsed_kind kind, const char *what)
{
	uint64_t wrong = 0, outside = 0;
	struct parsed_frame p;

	CHECK_EQ_U64(frame_parse(frame, len, &p), kind);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		enum parsed_kind want = cut < content ? PARSED_MALFORMED : kind;

		if (!copy)
			abort();
		memcpy(copy, frame, cut);
		if (frame_parse(copy, cut, &p) != want || p.kind != want) {
			wrong++;
			fprintf(stderr, "%s: cut at %zu: kind %d, want %d\n",
				what, cut, p.kind, want);
		}
		if (p.kind == PARSED_TCP &&
		    (p.payload < copy ||
		     p.payload + p.payload_len > copy + cut))
			outside++;
		free(copy);
	}
	CHECK_EQ_U64(wrong, 0);
	CHECK_EQ_U64(outside, 0);
}

static void
test_parse_syn_round_trip(void)
{
	static const uint16_t want_mss[] = {1460, 1460, 0, 1460, 1460};
	static const uint8_t want_wscale[] = {7, 0xff, 0xff, 7, 7};

	for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		struct probe_template tpl;
		struct probe_fields f;
		struct parsed_frame p;
		uint8_t out[PROBE_MAX_LEN];

		template_make(&tpl, layouts[l]);
		random_fields(&f);
		f.src_ip = 0; /* the template's */
		probe_stamp(&tpl, out, &f);
		CHECK_EQ_U64(frame_parse(out, tpl.len, &p), PARSED_TCP);
		CHECK(memcmp(p.dst_mac, mac_gw, 6) == 0);
		CHECK(memcmp(p.src_mac, mac_us, 6) == 0);
		CHECK_EQ_U64(p.vlan, 0);
		CHECK_EQ_U64(p.ip_src, ip_us);
		CHECK_EQ_U64(p.ip_dst, f.dst_ip);
		CHECK_EQ_U64(p.ip_id, f.ip_id);
		CHECK_EQ_U64(p.ttl, 64);
		CHECK_EQ_U64(p.ip_fragment, 0);
		CHECK_EQ_U64(p.sport, f.src_port);
		CHECK_EQ_U64(p.dport, f.dst_port);
		CHECK_EQ_U64(p.seq, f.seq);
		CHECK_EQ_U64(p.ack, 0);
		CHECK_EQ_U64(p.tcp_flags, TCP_FLAG_SYN);
		CHECK_EQ_U64(p.window, 64240);
		CHECK_EQ_U64(p.mss, want_mss[l]);
		CHECK_EQ_U64(p.wscale, want_wscale[l]);
		CHECK_EQ_U64(p.payload_len, 0);
		CHECK_EQ_U64(p.l3_offset, 14);
		CHECK_EQ_U64(p.l4_offset, 34);
		check_truncations(out, tpl.len, 14 + rd16(out + 16),
				  PARSED_TCP, layout_names[l]);
	}
}

static void
test_parse_synack(void)
{
	static const uint8_t banner[] = "SSH-2.0-OpenSSH_9.2\r\n";
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	size_t len, content;

	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(len, 74);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(ipv4_header_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.ip_src, ip_them);
	CHECK_EQ_U64(p.ip_dst, ip_us);
	CHECK_EQ_U64(p.ttl, 57);
	CHECK_EQ_U64(p.sport, 80);
	CHECK_EQ_U64(p.dport, 40000);
	CHECK_EQ_U64(p.seq, 0x11223344);
	CHECK_EQ_U64(p.ack, 0xabcdef01);
	CHECK_EQ_U64(p.tcp_flags, TCP_FLAG_SYN | TCP_FLAG_ACK);
	CHECK_EQ_U64(p.window, 65160);
	CHECK_EQ_U64(p.mss, 1400);
	CHECK_EQ_U64(p.wscale, 9);
	CHECK_EQ_U64(p.payload_len, 0);
	check_truncations(frame, len, content, PARSED_TCP, "syn-ack");

	/* Data after the options. */
	s.flags = TCP_FLAG_PSH | TCP_FLAG_ACK;
	s.payload = banner;
	s.payload_len = sizeof(banner) - 1;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.payload_len, sizeof(banner) - 1);
	CHECK(p.payload == frame + 74);
	CHECK(memcmp(p.payload, banner, sizeof(banner) - 1) == 0);
	check_truncations(frame, len, content, PARSED_TCP, "data");
}

/* A 54-byte segment padded to 60 with garbage: IP total length decides. */
static void
test_parse_padding(void)
{
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[128];
	size_t len, content;

	s.tcp_opt_len = 0;
	s.flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	s.pad_byte = 0xee;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(len, 60);
	CHECK_EQ_U64(content, 54);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.payload_len, 0);
	CHECK_EQ_U64(p.mss, 0);
	CHECK_EQ_U64(p.wscale, 0xff);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	check_truncations(frame, len, content, PARSED_TCP, "padded rst");

	/* Trailing bytes after a long frame (an FCS left on) too. */
	s.tcp_opt_len = sizeof(synack_opts);
	len = frame_build(frame, &s, &content);
	memset(frame + len, 0xcc, 4);
	CHECK_EQ_U64(frame_parse(frame, len + 4, &p), PARSED_TCP);
	CHECK_EQ_U64(p.payload_len, 0);
}

static void
test_tcp_segment_build(void)
{
	static const uint8_t request[] = "GET / HTTP/1.0\r\n\r\n";
	struct parsed_frame p;
	uint8_t frame[256];
	uint8_t *big;
	size_t len;

	len = tcp_segment_build(frame, mac_us, mac_gw, ip_us, ip_them, 40000,
				443, 0xabcdef01, 0x11223345,
				TCP_FLAG_RST | TCP_FLAG_ACK, 0, NULL, 0);
	CHECK_EQ_U64(len, 60);
	CHECK_EQ_U64(ipv4_header_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(rd16(frame + 24), ref_ip_csum(frame + 14));
	CHECK_EQ_U64(rd16(frame + 50), ref_tcp_csum(frame + 14));
	CHECK_EQ_U64(frame[54] | frame[55] | frame[56] | frame[57] |
			     frame[58] | frame[59],
		     0);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK(memcmp(p.src_mac, mac_us, 6) == 0);
	CHECK(memcmp(p.dst_mac, mac_gw, 6) == 0);
	CHECK_EQ_U64(p.ip_src, ip_us);
	CHECK_EQ_U64(p.ip_dst, ip_them);
	CHECK_EQ_U64(p.ttl, 64);
	CHECK_EQ_U64(p.sport, 40000);
	CHECK_EQ_U64(p.dport, 443);
	CHECK_EQ_U64(p.seq, 0xabcdef01);
	CHECK_EQ_U64(p.ack, 0x11223345);
	CHECK_EQ_U64(p.tcp_flags, TCP_FLAG_RST | TCP_FLAG_ACK);
	CHECK_EQ_U64(p.window, 0);
	CHECK_EQ_U64(p.payload_len, 0);
	check_truncations(frame, len, 54, PARSED_TCP, "built rst");

	len = tcp_segment_build(frame, mac_us, mac_gw, ip_us, ip_them, 40000,
				80, 1000, 2000, TCP_FLAG_PSH | TCP_FLAG_ACK,
				502, request, sizeof(request) - 1);
	CHECK_EQ_U64(len, 54 + sizeof(request) - 1);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(rd16(frame + 50), ref_tcp_csum(frame + 14));
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.window, 502);
	CHECK_EQ_U64(p.payload_len, sizeof(request) - 1);
	CHECK(memcmp(p.payload, request, sizeof(request) - 1) == 0);

	/* Recomputation after the fact. */
	frame[24] ^= 0x5a;
	frame[51] ^= 0x33;
	CHECK(ipv4_header_verify(frame + 14, len - 14) != 0);
	CHECK(tcp_verify(frame + 14, len - 14) != 0);
	ipv4_tcp_checksum_fill(frame + 14, len - 14);
	CHECK_EQ_U64(ipv4_header_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	/* Too short to hold the headers: nothing happens. */
	ipv4_tcp_checksum_fill(frame + 14, 39);
	CHECK(tcp_verify(frame + 14, 39) != 0);

	/* The largest payload an IPv4 packet holds, and one byte more. */
	big = malloc(14 + 65535 + 1);
	CHECK(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < 65495; i++)
		big[i] = (uint8_t)rng_next();
	memmove(big + 54, big, 65495);
	len = tcp_segment_build(big, mac_us, mac_gw, ip_us, ip_them, 1, 2, 3,
				4, TCP_FLAG_ACK, 5, big + 54, 65495);
	CHECK_EQ_U64(len, 14 + 65535);
	CHECK_EQ_U64(tcp_verify(big + 14, 65535), 0);
	CHECK_EQ_U64(rd16(big + 50), ref_tcp_csum(big + 14));
	CHECK_EQ_U64(tcp_segment_build(big, mac_us, mac_gw, ip_us, ip_them, 1,
				       2, 3, 4, TCP_FLAG_ACK, 5, big + 54,
				       65496),
		     0);
	free(big);
}

static void
test_arp_round_trip(void)
{
	static const uint8_t mac_asker[6] = {0x02, 0xaa, 0xbb,
					     0xcc, 0xdd, 0xee};
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];
	struct parsed_frame req, rep;
	uint8_t frame[64], reply[64];
	size_t len;

	len = arp_request_build(frame, mac_asker, ip_router, ip_us);
	CHECK_EQ_U64(len, 60);
	CHECK(memcmp(frame, bcast, 6) == 0);
	CHECK(memcmp(frame + 32, zero, 6) == 0); /* target MAC unknown */
	CHECK_EQ_U64(frame_parse(frame, len, &req), PARSED_ARP);
	CHECK_EQ_U64(req.arp_op, 1);
	CHECK(memcmp(req.arp_sha, mac_asker, 6) == 0);
	CHECK(memcmp(req.src_mac, mac_asker, 6) == 0);
	CHECK(memcmp(req.dst_mac, bcast, 6) == 0);
	CHECK_EQ_U64(req.arp_spa, ip_router);
	CHECK_EQ_U64(req.arp_tpa, ip_us);
	CHECK_EQ_U64(req.l3_offset, 14);
	check_truncations(frame, len, 42, PARSED_ARP, "arp request");

	len = arp_reply_build(reply, mac_us, ip_us, &req);
	CHECK_EQ_U64(len, 60);
	CHECK_EQ_U64(frame_parse(reply, len, &rep), PARSED_ARP);
	CHECK_EQ_U64(rep.arp_op, 2);
	CHECK(memcmp(rep.dst_mac, mac_asker, 6) == 0);
	CHECK(memcmp(rep.src_mac, mac_us, 6) == 0);
	CHECK(memcmp(rep.arp_sha, mac_us, 6) == 0);
	CHECK(memcmp(reply + 32, mac_asker, 6) == 0);
	CHECK_EQ_U64(rep.arp_spa, ip_us);
	CHECK_EQ_U64(rep.arp_tpa, ip_router);
	check_truncations(reply, len, 42, PARSED_ARP, "arp reply");

	/* Not Ethernet/IPv4: other; inconsistent lengths: malformed. */
	frame[15] = 6; /* IEEE 802 */
	CHECK_EQ_U64(frame_parse(frame, len, &req), PARSED_OTHER);
	frame[15] = 1;
	frame[18] = 8;
	CHECK_EQ_U64(frame_parse(frame, len, &req), PARSED_MALFORMED);
}

static void
test_vlan(void)
{
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	size_t len, content;

	s.ntags = 1;
	s.tag_type[0] = 0x8100;
	s.tci[0] = 0xa064; /* priority 5, VLAN 100 */
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.vlan, 100);
	CHECK_EQ_U64(p.vlan_inner, 0);
	CHECK_EQ_U64(p.l3_offset, 18);
	CHECK_EQ_U64(p.l4_offset, 38);
	CHECK_EQ_U64(p.sport, 80);
	CHECK_EQ_U64(p.ack, 0xabcdef01);
	CHECK_EQ_U64(p.mss, 1400);
	check_truncations(frame, len, content, PARSED_TCP, "vlan");

	s.ntags = 2;
	s.tag_type[0] = 0x88a8;
	s.tci[0] = 10;
	s.tag_type[1] = 0x8100;
	s.tci[1] = 0x1fff; /* DEI set, VLAN 4095 */
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.vlan, 10);
	CHECK_EQ_U64(p.vlan_inner, 4095);
	CHECK_EQ_U64(p.l3_offset, 22);
	CHECK_EQ_U64(p.seq, 0x11223344);
	check_truncations(frame, len, content, PARSED_TCP, "qinq");

	/* Two 0x8100 tags are two tags too; a third is not ours. */
	s.tag_type[0] = 0x8100;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	s.ntags = 3;
	s.tag_type[2] = 0x8100;
	s.tci[2] = 30;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
	check_truncations(frame, len, 22, PARSED_OTHER, "three tags");

	/* A tagged ARP. */
	len = arp_request_build(frame + 4, mac_gw, ip_router, ip_us);
	memmove(frame, frame + 4, 12);
	wr16(frame + 12, 0x8100);
	wr16(frame + 14, 7);
	CHECK_EQ_U64(frame_parse(frame, len + 4, &p), PARSED_ARP);
	CHECK_EQ_U64(p.vlan, 7);
	CHECK_EQ_U64(p.arp_tpa, ip_us);
	check_truncations(frame, len + 4, 46, PARSED_ARP, "vlan arp");
}

/* An ICMP destination unreachable from the router quoting quote_len bytes of
 * the probe's IP packet. */
static size_t
icmp_unreach_build(uint8_t *frame, uint8_t type, uint8_t code,
		   const uint8_t *quote, size_t quote_len, size_t *content)
{
	struct frame_spec s = synack_spec();
	uint8_t icmp[128];

	icmp[0] = type;
	icmp[1] = code;
	wr16(icmp + 2, 0);
	wr32(icmp + 4, 0);
	memcpy(icmp + 8, quote, quote_len);
	wr16(icmp + 2, csum_fold(csum_partial(icmp, 8 + quote_len, 0)));
	s.proto = 1;
	s.src = ip_router;
	s.l4 = icmp;
	s.l4_len = 8 + quote_len;
	return frame_build(frame, &s, content);
}

static void
test_icmp_quote(void)
{
	struct probe_template tpl;
	struct probe_fields f = {
		.src_ip = ip_us,
		.dst_ip = ip_them,
		.src_port = 40000,
		.dst_port = 8080,
		.seq = 0xdeadbeef,
		.ip_id = 0x1234,
	};
	struct parsed_frame p;
	uint8_t probe[PROBE_MAX_LEN], quote[128], frame[256];
	size_t len, content;

	template_make(&tpl, SYN_OPTIONS_LINUX);
	probe_stamp(&tpl, probe, &f);

	/* Port unreachable, quoting the IP header and 8 bytes of TCP. */
	len = icmp_unreach_build(frame, 3, 3, probe + 14, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_ICMP_UNREACH);
	CHECK_EQ_U64(p.icmp_type, 3);
	CHECK_EQ_U64(p.icmp_code, 3);
	CHECK_EQ_U64(p.ip_src, ip_router);
	CHECK_EQ_U64(p.ip_dst, ip_us);
	CHECK_EQ_U64(p.quoted_src, ip_us);
	CHECK_EQ_U64(p.quoted_dst, ip_them);
	CHECK_EQ_U64(p.quoted_sport, 40000);
	CHECK_EQ_U64(p.quoted_dport, 8080);
	CHECK_EQ_U64(p.quoted_seq, 0xdeadbeef);
	CHECK_EQ_U64(p.l4_offset, 34);
	check_truncations(frame, len, content, PARSED_ICMP_UNREACH,
			  "icmp 28");

	/* Admin prohibited, quoting the whole probe (as Linux does). */
	len = icmp_unreach_build(frame, 3, 13, probe + 14, 60, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_ICMP_UNREACH);
	CHECK_EQ_U64(p.icmp_code, 13);
	CHECK_EQ_U64(p.quoted_seq, 0xdeadbeef);
	check_truncations(frame, len, content, PARSED_ICMP_UNREACH,
			  "icmp 60");

	/* A quoted header with options. */
	memcpy(quote, probe + 14, 20);
	quote[0] = 0x46;
	memcpy(quote + 20, "\x01\x01\x01\x00", 4);
	memcpy(quote + 24, probe + 34, 8);
	len = icmp_unreach_build(frame, 3, 1, quote, 32, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_ICMP_UNREACH);
	CHECK_EQ_U64(p.quoted_dport, 8080);
	CHECK_EQ_U64(p.quoted_seq, 0xdeadbeef);
	check_truncations(frame, len, content, PARSED_ICMP_UNREACH,
			  "icmp options");
	/* ... whose 8 bytes of TCP are not all there. */
	len = icmp_unreach_build(frame, 3, 1, quote, 31, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);

	/* Too short a quote, a bogus quoted IHL or version. */
	len = icmp_unreach_build(frame, 3, 3, probe + 14, 27, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);
	memcpy(quote, probe + 14, 28);
	quote[0] = 0x44;
	len = icmp_unreach_build(frame, 3, 3, quote, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);
	quote[0] = 0x4f;
	len = icmp_unreach_build(frame, 3, 3, quote, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);
	quote[0] = 0x65;
	len = icmp_unreach_build(frame, 3, 3, quote, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);

	/* Quoting UDP, or a non-first fragment: not ours. */
	memcpy(quote, probe + 14, 28);
	quote[9] = 17;
	len = icmp_unreach_build(frame, 3, 3, quote, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
	CHECK_EQ_U64(p.quoted_dst, ip_them);
	quote[9] = 6;
	wr16(quote + 6, 0x0010);
	len = icmp_unreach_build(frame, 3, 3, quote, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);

	/* Other ICMP: echo reply, time exceeded; and a 7-byte ICMP. */
	len = icmp_unreach_build(frame, 0, 0, probe + 14, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
	len = icmp_unreach_build(frame, 11, 0, probe + 14, 28, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
	CHECK_EQ_U64(p.icmp_type, 11);
	len = icmp_unreach_build(frame, 3, 3, probe + 14, 0, &content);
	wr16(frame + 16, 27);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_MALFORMED);
}

static void
test_ip_options(void)
{
	static const uint8_t data[] = "hello";
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	size_t len, content;

	s.ip_opt_len = 4;
	s.payload = data;
	s.payload_len = 5;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(ipv4_header_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.l4_offset, 38);
	CHECK_EQ_U64(p.sport, 80);
	CHECK_EQ_U64(p.mss, 1400);
	CHECK_EQ_U64(p.payload_len, 5);
	CHECK(memcmp(p.payload, data, 5) == 0);
	check_truncations(frame, len, content, PARSED_TCP, "ihl 6");

	s.ip_opt_len = 40;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(tcp_verify(frame + 14, len - 14), 0);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.l4_offset, 74);
	CHECK_EQ_U64(p.ack, 0xabcdef01);
	CHECK_EQ_U64(p.payload_len, 5);
	check_truncations(frame, len, content, PARSED_TCP, "ihl 15");
}

static void
test_fragments(void)
{
	static const uint16_t frags[] = {0x2000, 0x2000 | 185, 185, 0x1fff};
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	size_t len, content;

	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		s.frag = frags[i];
		s.id = 0x4242;
		len = frame_build(frame, &s, &content);
		CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
		CHECK_EQ_U64(p.ip_fragment, 1);
		CHECK_EQ_U64(p.ip_id, 0x4242);
		CHECK_EQ_U64(p.ip_src, ip_them);
		CHECK_EQ_U64(p.sport, 0);
		CHECK(p.payload == NULL);
		check_truncations(frame, len, content, PARSED_OTHER,
				  "fragment");
	}
	/* DF alone, or no flags at all: whole packets. */
	s.frag = 0;
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.ip_fragment, 0);
}

static void
test_tcp_options(void)
{
	static const uint8_t eol_first[4] = {0x00, 0x02, 0x04, 0x05};
	static const uint8_t unknown_then_mss[8] = {0x1e, 0x06, 1, 2,
						    3, 4, 0x02, 0x04};
	static const uint8_t bad_len0[8] = {0x03, 0x03, 0x05, 0x02,
					    0x00, 0x02, 0x04, 0x00};
	static const uint8_t beyond[4] = {0x01, 0x02, 0x08, 0x01};
	static const uint8_t odd_lengths[8] = {0x02, 0x03, 0x05, 0x03,
					       0x02, 0x03, 0x05, 0x00};
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	uint8_t opts[12];
	size_t len, content;

	s.tcp_opt = eol_first;
	s.tcp_opt_len = sizeof(eol_first);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.mss, 0);

	memcpy(opts, unknown_then_mss, 8);
	memcpy(opts + 8, "\x05\xb4\x01\x00", 4);
	s.tcp_opt = opts;
	s.tcp_opt_len = sizeof(opts);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.mss, 1460);

	/* A malformed option ends the walk; the segment stays. */
	s.tcp_opt = bad_len0;
	s.tcp_opt_len = sizeof(bad_len0);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.wscale, 5);
	CHECK_EQ_U64(p.mss, 0);
	s.tcp_opt = beyond;
	s.tcp_opt_len = sizeof(beyond);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.wscale, 0xff);
	/* Known kinds with the wrong length are skipped. */
	s.tcp_opt = odd_lengths;
	s.tcp_opt_len = sizeof(odd_lengths);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
	CHECK_EQ_U64(p.mss, 0);
	CHECK_EQ_U64(p.wscale, 0xff);
	/* The full 40 bytes of options. */
	memset(opts, 1, sizeof(opts));
	{
		uint8_t forty[40];

		memset(forty, 1, sizeof(forty));
		memcpy(forty + 36, "\x01\x03\x03\x0e", 4);
		s.tcp_opt = forty;
		s.tcp_opt_len = sizeof(forty);
		len = frame_build(frame, &s, &content);
		CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_TCP);
		CHECK_EQ_U64(p.wscale, 14);
		check_truncations(frame, len, content, PARSED_TCP,
				  "40 option bytes");
	}
}

/* One valid SYN-ACK, each header field broken in turn. */
static void
test_malformed(void)
{
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t good[256], frame[256];
	size_t len, flen, content;

	s.tcp_opt_len = 0; /* 54 bytes, padded to 60 */
	len = frame_build(good, &s, &content);

#define BROKEN(what, ...)                                                    \
	do {                                                                 \
		memcpy(frame, good, len);                                    \
		flen = len;                                                  \
		__VA_ARGS__;                                                 \
		if (frame_parse(frame, flen, &p) != PARSED_MALFORMED)        \
			fprintf(stderr, "not malformed: %s\n", what);        \
		CHECK_EQ_U64(p.kind, PARSED_MALFORMED);                      \
		CHECK(p.payload == NULL);                                    \
	} while (0)

	BROKEN("ihl 4", frame[14] = 0x44);
	BROKEN("ihl 0", frame[14] = 0x40);
	BROKEN("ihl 6 over total 40 with no room", frame[14] = 0x4f);
	BROKEN("version 6 in IPv4", frame[14] = 0x65);
	BROKEN("version 0", frame[14] = 0x05);
	BROKEN("total 19", wr16(frame + 16, 19));
	BROKEN("total 0", wr16(frame + 16, 0));
	BROKEN("total < ihl", frame[14] = 0x46; wr16(frame + 16, 23));
	BROKEN("total > frame", wr16(frame + 16, 47));
	BROKEN("total 65535", wr16(frame + 16, 0xffff));
	BROKEN("tcp 19 bytes", wr16(frame + 16, 39));
	BROKEN("tcp data offset 4", frame[46] = 0x40);
	BROKEN("tcp data offset 0", frame[46] = 0x00);
	BROKEN("tcp data offset 6 over 20 bytes", frame[46] = 0x60);
	BROKEN("tcp data offset 15", frame[46] = 0xf0);
	BROKEN("icmp 7 bytes", frame[23] = 1; wr16(frame + 16, 27));
	BROKEN("frame of 13", flen = 13);
#undef BROKEN

	/* Malformed after a good parse: nothing of the old one is left. */
	CHECK_EQ_U64(frame_parse(good, len, &p), PARSED_TCP);
	CHECK_EQ_U64(frame_parse(good, 20, &p), PARSED_MALFORMED);
	CHECK_EQ_U64(p.sport, 0);
	CHECK_EQ_U64(p.wscale, 0xff);
	CHECK_EQ_U64(frame_parse(NULL, 0, &p), PARSED_MALFORMED);
}

static void
test_other(void)
{
	struct frame_spec s = synack_spec();
	struct parsed_frame p;
	uint8_t frame[256];
	uint8_t udp[16] = {0x00, 0x35, 0x9c, 0x40, 0x00, 0x10};
	size_t len, content;

	/* IPv6 and LLDP ethertypes. */
	memset(frame, 0, 80);
	memcpy(frame, mac_us, 6);
	wr16(frame + 12, 0x86dd);
	frame[14] = 0x60;
	CHECK_EQ_U64(frame_parse(frame, 74, &p), PARSED_OTHER);
	check_truncations(frame, 74, 14, PARSED_OTHER, "ipv6");
	wr16(frame + 12, 0x88cc);
	CHECK_EQ_U64(frame_parse(frame, 60, &p), PARSED_OTHER);
	CHECK_EQ_U64(frame_parse(frame, 14, &p), PARSED_OTHER);

	/* UDP: the IPv4 fields are there, the kind is other. */
	s.proto = 17;
	s.l4 = udp;
	s.l4_len = sizeof(udp);
	len = frame_build(frame, &s, &content);
	CHECK_EQ_U64(frame_parse(frame, len, &p), PARSED_OTHER);
	CHECK_EQ_U64(p.ip_src, ip_them);
	CHECK_EQ_U64(p.sport, 0);
	check_truncations(frame, len, content, PARSED_OTHER, "udp");
}

int
main(void)
{
	test_checksum_vectors();
	test_template_layouts();
	test_stamp_random();
	test_stamp_negative_zero();
	test_parse_syn_round_trip();
	test_parse_synack();
	test_parse_padding();
	test_tcp_segment_build();
	test_arp_round_trip();
	test_vlan();
	test_icmp_quote();
	test_ip_options();
	test_fragments();
	test_tcp_options();
	test_malformed();
	test_other();
	return check_report("test_packet");
}
