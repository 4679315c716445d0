/* packet: the SYN probe template and its stamping (RFC 1624 incremental
 * checksums), checksum helpers, and a bounds-checked parser for whatever comes
 * back (Ethernet, 802.1Q, ARP, IPv4, TCP, ICMP unreachable). No DPDK. */
#ifndef TIDESCAN_PACKET_H
#define TIDESCAN_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN_ 6
#define PROBE_MAX_LEN 128
/* Shortest Ethernet frame without FCS: templates and builders pad to it. */
#define FRAME_MIN_LEN 60

/* TCP option layouts of the SYN. */
enum syn_options {
	SYN_OPTIONS_LINUX,  /* MSS, SACK-permitted, timestamps, NOP, wscale (20 B) */
	SYN_OPTIONS_MSS,    /* MSS only (4 B) */
	SYN_OPTIONS_BARE,   /* no options, as masscan */
	SYN_OPTIONS_NO_TIMESTAMPS, /* MSS, NOP, wscale, NOP, NOP, SACK-permitted
				    * (12 B, Windows' order): for connections
				    * that will not echo timestamps */
	SYN_OPTIONS_MSS_WSCALE,	   /* MSS, NOP, wscale (8 B): for connections
				    * that will neither echo timestamps nor
				    * send SACK blocks (the banner stack) */
};

struct probe_params {
	uint8_t src_mac[ETH_ALEN_];
	uint8_t dst_mac[ETH_ALEN_];
	uint32_t src_ip; /* host order; fixed part of the template */
	uint8_t ttl;	 /* default 64 (0 means the default) */
	uint16_t mss;	 /* default 1460 (0 means the default) */
	uint8_t wscale;	 /* default 7; taken as given, above 14 means 14 */
	uint16_t window; /* default 64240 (0 means the default) */
	enum syn_options options; /* a value not listed means no options */
};

/* Fill params with the defaults above, zero MACs and address, Linux options. */
void probe_params_default(struct probe_params *params);

/* A frame ready to copy, with the partial checksums of its fixed fields.
 * The varying fields (dst ip, ip id, src ip, ports, seq) are zero in `frame`
 * and added at stamp time. Sums are of 16-bit words read big-endian. The frame
 * is padded with zeros to FRAME_MIN_LEN; IPv4 total length is the real one. */
struct probe_template {
	uint8_t frame[PROBE_MAX_LEN];
	uint16_t len;	     /* whole frame: 74 (Linux options), 60 otherwise */
	uint16_t ip_offset;  /* 14 */
	uint16_t tcp_offset; /* 34 */
	uint32_t ip_sum_base;  /* unfolded ones'-complement sum of fixed IP words */
	uint32_t tcp_sum_base; /* same for TCP header + pseudo header fixed part */
	uint32_t phdr_sum_base; /* pseudo header fixed part only (offload) */
	uint32_t src_ip;	/* params->src_ip, host order */
};

void probe_template_init(struct probe_template *tpl,
			 const struct probe_params *params);

/* What varies per probe, host byte order. */
struct probe_fields {
	uint32_t src_ip; /* 0: the template's params->src_ip */
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t seq;
	uint16_t ip_id;
};

/* Copy the template to out (tpl->len bytes) and stamp the fields with full
 * valid IPv4 and TCP checksums computed incrementally from the bases. */
void probe_stamp(const struct probe_template *tpl, uint8_t *out,
		 const struct probe_fields *f);
/* Same, but for a NIC with checksum offload: IP checksum 0, TCP checksum set to
 * the pseudo-header sum as DPDK offloads expect. */
void probe_stamp_offload(const struct probe_template *tpl, uint8_t *out,
			 const struct probe_fields *f);

/* RFC 1071 checksum helpers. csum_partial adds the 16-bit big-endian words of
 * data (an odd last byte is padded with zero) to sum and returns the unfolded
 * sum: chain calls with even lengths but the last. csum_fold folds a sum to 16
 * bits and complements it: the checksum to store big-endian. */
uint32_t csum_partial(const void *data, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/* Full checksums of a finished frame's headers (for tests and verification):
 * return 0 when the stored checksum is right, nonzero when it is wrong or the
 * header does not fit in len. ip points at the IPv4 header, len is what is
 * available from there; tcp_verify covers the IPv4 total length (so frame
 * padding is ignored) and needs protocol TCP. */
uint16_t ipv4_header_verify(const uint8_t *ip, size_t len);
uint16_t tcp_verify(const uint8_t *ip, size_t len);
/* Compute and store IPv4 and TCP checksums of a frame in place (slow path:
 * used for RST/ACK replies and ARP is unaffected). ip points at the IPv4
 * header; len covers IP header + TCP header + payload. */
void ipv4_tcp_checksum_fill(uint8_t *ip, size_t len);

/* ---- parsing what comes back ---- */

enum parsed_kind {
	PARSED_OTHER = 0,   /* well-formed but not for us (IPv6, UDP, ...) */
	PARSED_MALFORMED,   /* truncated or inconsistent: count and drop */
	PARSED_ARP,
	PARSED_TCP,
	PARSED_ICMP_UNREACH,
};

struct parsed_frame {
	enum parsed_kind kind;
	uint16_t vlan;	     /* 0 if none; the outer tag's VLAN id if two */
	uint16_t vlan_inner; /* inner VLAN id of a double tag, else 0 */
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	/* ARP */
	uint16_t arp_op;
	uint8_t arp_sha[6];
	uint32_t arp_spa, arp_tpa;
	/* IPv4 (host order) */
	uint32_t ip_src, ip_dst;
	uint8_t ttl;
	uint8_t ip_fragment; /* 1 if MF or offset != 0 (L4 not parsed then,
			      * kind PARSED_OTHER) */
	uint16_t ip_id;
	/* TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags;
	uint16_t window;
	uint16_t mss; /* 0 if absent */
	uint8_t wscale; /* 0xff if absent */
	const uint8_t *payload; /* TCP payload, within the IP total length */
	uint16_t payload_len;
	/* ICMP unreachable: the quoted probe */
	uint8_t icmp_type, icmp_code;
	uint32_t quoted_src, quoted_dst;
	uint16_t quoted_sport, quoted_dport;
	uint32_t quoted_seq;
	/* offsets into the frame (0 when not reached) */
	uint16_t l3_offset;
	uint16_t l4_offset;
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10

/* Parse one frame of len bytes; never reads past len. Returns out->kind.
 * Checksums are not verified. IPv4 fields are filled for any IPv4 packet;
 * an ICMP message other than destination-unreachable-quoting-TCP is OTHER,
 * with icmp_type and icmp_code filled. TCP options are read as Linux reads
 * them: a malformed option ends the walk but does not drop the segment. */
enum parsed_kind frame_parse(const uint8_t *frame, size_t len,
			     struct parsed_frame *out);

/* Build replies into out (at least 64 bytes); return frame length, padded to
 * FRAME_MIN_LEN. Frames are untagged. */
size_t arp_reply_build(uint8_t *out, const uint8_t our_mac[6], uint32_t our_ip,
		       const struct parsed_frame *request);
size_t arp_request_build(uint8_t *out, const uint8_t our_mac[6],
			 uint32_t our_ip, uint32_t target_ip);
/* A bare TCP segment (RST, ACK, FIN...) from us to them, valid checksums:
 * IPv4 with DF, TTL 64, id 0; TCP without options. out must hold
 * max(FRAME_MIN_LEN, 54 + payload_len) bytes. Returns 0 if the payload does
 * not fit in one IPv4 packet. */
size_t tcp_segment_build(uint8_t *out, const uint8_t src_mac[6],
			 const uint8_t dst_mac[6], uint32_t src_ip,
			 uint32_t dst_ip, uint16_t sport, uint16_t dport,
			 uint32_t seq, uint32_t ack, uint8_t flags,
			 uint16_t window, const uint8_t *payload,
			 uint16_t payload_len);

#endif
