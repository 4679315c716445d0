/* cookie: SipHash-2-4 and the SYN cookies built on it. A probe's sequence
 * number, and its source address and port when ranges are given, follow from
 * the 4-tuple and the per-scan key, so answers are validated with no state. */
#ifndef TIDESCAN_COOKIE_H
#define TIDESCAN_COOKIE_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
	uint64_t k0, k1;
};

/* Reference SipHash-2-4 over any bytes (little-endian key, as the paper). */
uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

/* The per-scan key: derived from seed, or from getrandom() when !have_seed. */
int cookie_key_make(struct siphash_key *key, int have_seed, uint64_t seed);

/* 32-bit SYN cookie of a 4-tuple (host byte order). Equal to the low 32 bits
 * of siphash24 over the 12 bytes their_ip, our_ip, their_port, our_port
 * (each little-endian), computed without a generic loop. */
uint32_t cookie_syn(const struct siphash_key *key, uint32_t their_ip,
		    uint16_t their_port, uint32_t our_ip, uint16_t our_port);

/* cookie_syn of n tuples given as arrays, vectorized; cookie[i] equals
 * cookie_syn(key, their_ip[i], their_port[i], our_ip[i], our_port[i]). */
void cookie_syn_burst(const struct siphash_key *key, unsigned n,
		      const uint32_t *their_ip, const uint16_t *their_port,
		      const uint32_t *our_ip, const uint16_t *our_port,
		      uint32_t *cookie);

/* Source choice for a target when a source range is given: a hash of
 * (their_ip, their_port) only, so RX can recompute it. */
struct source_range {
	uint32_t ip_first;
	uint32_t ip_count; /* >= 1 */
	uint16_t port_first;
	uint32_t port_count; /* >= 1 */
};
void cookie_pick_source(const struct siphash_key *key,
			const struct source_range *src, uint32_t their_ip,
			uint16_t their_port, uint32_t *our_ip,
			uint16_t *our_port);

#endif
