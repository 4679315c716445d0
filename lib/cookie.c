/* cookie: SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input
 * PRF", INDOCRYPT 2012) and the stateless SYN cookies and source choices
 * built on it, with fixed-length forms for the per-probe path. */
#include "cookie.h"
#include "splitmix64.h"

#include <errno.h>
#include <sys/random.h>

/* "somepseudorandomlygeneratedbytes", the initial state of the paper. */
#define SIP_INIT0 0x736f6d6570736575ULL
#define SIP_INIT1 0x646f72616e646f6dULL
#define SIP_INIT2 0x6c7967656e657261ULL
#define SIP_INIT3 0x7465646279746573ULL

/* The source choice hashes under k1 ^ this, so it never equals a cookie. */
#define SOURCE_KEY_TAG 0x736f757263652d31ULL
/* A seed is mixed with this before expansion, so the cookie key differs
 * from the permutation keys taken from the same seed. */
#define COOKIE_SEED_TAG 0x636f6f6b69652d31ULL

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t
rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void
sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static inline void
sip_init(struct sip_state *s, uint64_t k0, uint64_t k1)
{
	s->v0 = k0 ^ SIP_INIT0;
	s->v1 = k1 ^ SIP_INIT1;
	s->v2 = k0 ^ SIP_INIT2;
	s->v3 = k1 ^ SIP_INIT3;
}

/* Compression of one 64-bit message word: two SipRounds. */
static inline void
sip_compress(struct sip_state *s, uint64_t m)
{
	s->v3 ^= m;
	sip_round(s);
	sip_round(s);
	s->v0 ^= m;
}

/* Finalization: four SipRounds. */
static inline uint64_t
sip_finish(struct sip_state *s)
{
	s->v2 ^= 0xff;
	sip_round(s);
	sip_round(s);
	sip_round(s);
	sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* Bytes p[0..n) as a little-endian number, n <= 8. */
static inline uint64_t
load_le(const uint8_t *p, size_t n)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n; i++)
		x |= (uint64_t)p[i] << (8 * i);
	return x;
}

uint64_t
siphash24(const struct siphash_key *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t whole = len & ~(size_t)7;
	struct sip_state s;
	size_t i;

	sip_init(&s, key->k0, key->k1);
	for (i = 0; i < whole; i += 8)
		sip_compress(&s, load_le(p + i, 8));
	/* The last word: the 0-7 bytes left, and len mod 256 on top. */
	sip_compress(&s, load_le(p + whole, len - whole) |
			     ((uint64_t)(len & 0xff) << 56));
	return sip_finish(&s);
}

int
cookie_key_make(struct siphash_key *key, int have_seed, uint64_t seed)
{
	uint8_t buf[16];
	size_t got = 0;

	if (have_seed) {
		uint64_t state = seed ^ COOKIE_SEED_TAG;

		key->k0 = splitmix64_next(&state);
		key->k1 = splitmix64_next(&state);
		return 0;
	}
	while (got < sizeof(buf)) {
		ssize_t n = getrandom(buf + got, sizeof(buf) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	key->k0 = load_le(buf, 8);
	key->k1 = load_le(buf + 8, 8);
	return 0;
}

uint32_t
cookie_syn(const struct siphash_key *key, uint32_t their_ip,
	   uint16_t their_port, uint32_t our_ip, uint16_t our_port)
{
	struct sip_state s;

	/* Bytes 0-7: their_ip, our_ip. Bytes 8-11: their_port, our_port,
	 * then the length 12 in the top byte of the last word. */
	sip_init(&s, key->k0, key->k1);
	sip_compress(&s, (uint64_t)their_ip | ((uint64_t)our_ip << 32));
	sip_compress(&s, (uint64_t)their_port | ((uint64_t)our_port << 16) |
			     (12ULL << 56));
	return (uint32_t)sip_finish(&s);
}

/* The same cookies for n tuples at once. Each iteration is independent and
 * made only of 64-bit adds, xors and rotates, so the compiler turns the loop
 * into SIMD lanes (8 per AVX-512 register) where the CPU has them. */
void
cookie_syn_burst(const struct siphash_key *key, unsigned n,
		 const uint32_t *their_ip, const uint16_t *their_port,
		 const uint32_t *our_ip, const uint16_t *our_port,
		 uint32_t *cookie)
{
	const uint64_t k0 = key->k0, k1 = key->k1;

	for (unsigned i = 0; i < n; i++) {
		struct sip_state s;

		sip_init(&s, k0, k1);
		sip_compress(&s, (uint64_t)their_ip[i] |
					 ((uint64_t)our_ip[i] << 32));
		sip_compress(&s, (uint64_t)their_port[i] |
					 ((uint64_t)our_port[i] << 16) |
					 (12ULL << 56));
		cookie[i] = (uint32_t)sip_finish(&s);
	}
}

void
cookie_pick_source(const struct siphash_key *key,
		   const struct source_range *src, uint32_t their_ip,
		   uint16_t their_port, uint32_t *our_ip, uint16_t *our_port)
{
	struct sip_state s;
	uint64_t h;

	/* SipHash-2-4 of the 6 bytes their_ip, their_port under the key with
	 * k1 ^ SOURCE_KEY_TAG: one word, length 6 on top. */
	sip_init(&s, key->k0, key->k1 ^ SOURCE_KEY_TAG);
	sip_compress(&s, (uint64_t)their_ip | ((uint64_t)their_port << 32) |
			     (6ULL << 56));
	h = sip_finish(&s);
	/* Each 32-bit half scaled onto its count by a multiply-high: uniform
	 * over ip_count x port_count to within count / 2^32, no division. */
	*our_ip = src->ip_first +
		  (uint32_t)(((h & 0xffffffffULL) * src->ip_count) >> 32);
	*our_port =
	    (uint16_t)(src->port_first + (((h >> 32) * src->port_count) >> 32));
}
