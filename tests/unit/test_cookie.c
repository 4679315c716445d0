/* test_cookie: SipHash-2-4 against the reference vectors, the fixed-length
 * SYN cookie against the generic hash, key derivation, and the spread and
 * bounds of the source choice. */
#include "check.h"
#include "cookie.h"

/* SipHash-2-4 of the messages 00, 00 01, ..., 00 01 .. 3e (lengths 0..63)
 * under the key 00 01 .. 0f: the 64 vectors of the reference implementation
 * (github.com/veorq/SipHash, vectors.h), as little-endian 64-bit numbers. */
static const uint64_t sip64_vectors[64] = {
    0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL,
    0x85676696d7fb7e2dULL, 0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL,
    0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL, 0x93f5f5799a932462ULL,
    0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
    0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL,
    0xa129ca6149be45e5ULL, 0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL,
    0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL, 0xbed65cf21aa2ee98ULL,
    0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
    0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL,
    0x2f2e6163076bcfadULL, 0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL,
    0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL, 0x7127512f72f27cceULL,
    0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
    0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL,
    0x9abfd8766a33735cULL, 0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL,
    0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL, 0xf935451de4f21df2ULL,
    0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
    0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL,
    0xa192d576b245165aULL, 0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL,
    0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL, 0xb78dbfaf3a8d83bdULL,
    0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
    0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL,
    0x958a324ceb064572ULL,
};

/* The reference key 00 01 .. 0f read as two little-endian words. */
static const struct siphash_key ref_key = {
    .k0 = 0x0706050403020100ULL,
    .k1 = 0x0f0e0d0c0b0a0908ULL,
};

/* A small deterministic generator for the random-input tests. */
static uint64_t rng_state = 0x243f6a8885a308d3ULL;

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
test_reference_vectors(void)
{
	uint8_t msg[64];
	unsigned len;

	for (len = 0; len < 64; len++)
		msg[len] = (uint8_t)len;
	for (len = 0; len < 64; len++)
		CHECK_EQ_U64(siphash24(&ref_key, msg, len), sip64_vectors[len]);
	/* The paper's own example (appendix A): 15 bytes, same key. */
	CHECK_EQ_U64(siphash24(&ref_key, msg, 15), 0xa129ca6149be45e5ULL);
}

/* Unaligned input hashes like aligned input. */
static void
test_unaligned(void)
{
	uint8_t buf[80];
	unsigned len, off;
	int bad = 0;

	for (off = 1; off < 8; off++) {
		for (len = 0; len < 64; len++)
			buf[off + len] = (uint8_t)len;
		for (len = 0; len < 64; len++)
			bad += siphash24(&ref_key, buf + off, len) !=
			       sip64_vectors[len];
	}
	CHECK_EQ_U64(bad, 0);
}

static void
put_le(uint8_t *p, uint64_t x, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t
cookie_generic(const struct siphash_key *key, uint32_t their_ip,
	       uint16_t their_port, uint32_t our_ip, uint16_t our_port)
{
	uint8_t msg[12];

	put_le(msg, their_ip, 4);
	put_le(msg + 4, our_ip, 4);
	put_le(msg + 8, their_port, 2);
	put_le(msg + 10, our_port, 2);
	return (uint32_t)siphash24(key, msg, sizeof(msg));
}

static void
test_cookie_matches_siphash(void)
{
	unsigned i;
	int bad = 0;

	for (i = 0; i < 200000; i++) {
		struct siphash_key key = {rng_next(), rng_next()};
		uint64_t r = rng_next();
		uint32_t their_ip = (uint32_t)r, our_ip = (uint32_t)(r >> 32);
		uint16_t their_port = (uint16_t)rng_next();
		uint16_t our_port = (uint16_t)rng_next();

		if (i % 4 == 0)
			key = ref_key;
		bad +=
		    cookie_syn(&key, their_ip, their_port, our_ip, our_port) !=
		    cookie_generic(&key, their_ip, their_port, our_ip,
				   our_port);
	}
	CHECK_EQ_U64(bad, 0);
	/* Extremes of every field. */
	CHECK_EQ_U64(cookie_syn(&ref_key, 0, 0, 0, 0),
		     cookie_generic(&ref_key, 0, 0, 0, 0));
	CHECK_EQ_U64(cookie_syn(&ref_key, UINT32_MAX, UINT16_MAX, UINT32_MAX,
				UINT16_MAX),
		     cookie_generic(&ref_key, UINT32_MAX, UINT16_MAX,
				    UINT32_MAX, UINT16_MAX));
	/* Every field matters: swapping ours and theirs changes the cookie. */
	CHECK(cookie_syn(&ref_key, 0xc6120001, 80, 0xc6120101, 40000) !=
	      cookie_syn(&ref_key, 0xc6120101, 40000, 0xc6120001, 80));
	CHECK(cookie_syn(&ref_key, 0xc6120001, 80, 0xc6120101, 40000) !=
	      cookie_syn(&ref_key, 0xc6120001, 81, 0xc6120101, 40000));
}

static void
test_key_make(void)
{
	struct siphash_key a, b, c, r1, r2;

	CHECK_EQ_U64(cookie_key_make(&a, 1, 12345), 0);
	CHECK_EQ_U64(cookie_key_make(&b, 1, 12345), 0);
	CHECK_EQ_U64(cookie_key_make(&c, 1, 12346), 0);
	CHECK_EQ_U64(a.k0, b.k0);
	CHECK_EQ_U64(a.k1, b.k1);
	CHECK(a.k0 != c.k0 && a.k1 != c.k1);
	CHECK(a.k0 != a.k1);
	/* Seed 0 is a seed like any other, not an all-zero key. */
	CHECK_EQ_U64(cookie_key_make(&c, 1, 0), 0);
	CHECK(c.k0 != 0 && c.k1 != 0);

	CHECK_EQ_U64(cookie_key_make(&r1, 0, 12345), 0);
	CHECK_EQ_U64(cookie_key_make(&r2, 0, 12345), 0);
	CHECK(r1.k0 != r2.k0 || r1.k1 != r2.k1);
	CHECK(r1.k0 != a.k0 || r1.k1 != a.k1);
}

static void
test_pick_source_single(void)
{
	struct siphash_key key = {rng_next(), rng_next()};
	struct source_range src = {
	    .ip_first = 0xc6130001,
	    .ip_count = 1,
	    .port_first = 40000,
	    .port_count = 1,
	};
	unsigned i;
	int bad = 0;

	for (i = 0; i < 10000; i++) {
		uint32_t ip;
		uint16_t port;

		cookie_pick_source(&key, &src, (uint32_t)rng_next(),
				   (uint16_t)rng_next(), &ip, &port);
		bad += ip != src.ip_first || port != src.port_first;
	}
	CHECK_EQ_U64(bad, 0);
}

static void
test_pick_source_range(void)
{
	struct siphash_key key = {rng_next(), rng_next()};
	unsigned i, bad = 0;

	/* Random ranges, including the whole port space. */
	for (i = 0; i < 100000; i++) {
		struct source_range src = {
		    .ip_first = (uint32_t)rng_next() & 0xffff0000,
		    .ip_count = 1 + (uint32_t)(rng_next() % 65536),
		    .port_first = 0,
		    .port_count = 1 + (uint32_t)(rng_next() % 65536),
		};
		uint32_t ip, ip2;
		uint16_t port, port2;
		uint32_t them = (uint32_t)rng_next();
		uint16_t their_port = (uint16_t)rng_next();

		src.port_first =
		    (uint16_t)(rng_next() % (65537 - src.port_count));
		cookie_pick_source(&key, &src, them, their_port, &ip, &port);
		cookie_pick_source(&key, &src, them, their_port, &ip2, &port2);
		bad += ip < src.ip_first || ip - src.ip_first >= src.ip_count;
		bad += port < src.port_first ||
		       (uint32_t)(port - src.port_first) >= src.port_count;
		bad += ip != ip2 || port != port2;
	}
	CHECK_EQ_U64(bad, 0);
}

/* 8 addresses x 64 ports: over many targets every (ip, port) cell is used
 * about equally. Chi-square with 511 degrees of freedom: mean 511, standard
 * deviation 32; the bound is far out so only a real bias fails. */
static void
test_pick_source_spread(void)
{
	enum { IPS = 8, PORTS = 64, CELLS = IPS * PORTS, PER_CELL = 200 };
	static unsigned cell[CELLS];
	struct siphash_key key;
	struct source_range src = {
	    .ip_first = 0xc6130010,
	    .ip_count = IPS,
	    .port_first = 50000,
	    .port_count = PORTS,
	};
	unsigned i, empty = 0;
	double chi2 = 0;

	CHECK_EQ_U64(cookie_key_make(&key, 1, 7), 0);
	/* Targets as a scan meets them: consecutive addresses, few ports. */
	for (i = 0; i < CELLS * PER_CELL; i++) {
		uint32_t ip;
		uint16_t port;

		cookie_pick_source(&key, &src, 0xc6120000 + i / 4,
				   (uint16_t)(80 + i % 4), &ip, &port);
		cell[(ip - src.ip_first) * PORTS + (port - src.port_first)]++;
	}
	for (i = 0; i < CELLS; i++) {
		double d = cell[i] - (double)PER_CELL;

		chi2 += d * d / PER_CELL;
		empty += cell[i] == 0;
	}
	CHECK_EQ_U64(empty, 0);
	CHECK(chi2 < 700);
}

/* The source choice is not the cookie in disguise: for one target the two
 * are unrelated under the same key. */
static void
test_pick_source_domain(void)
{
	struct siphash_key key = {rng_next(), rng_next()};
	struct source_range src = {
	    .ip_first = 0,
	    .ip_count = UINT32_MAX,
	    .port_first = 0,
	    .port_count = 1,
	};
	unsigned i, equal = 0;

	for (i = 0; i < 1000; i++) {
		uint32_t them = (uint32_t)rng_next(), ip;
		uint16_t port;

		cookie_pick_source(&key, &src, them, 443, &ip, &port);
		equal += ip == cookie_syn(&key, them, 443, 0, 0);
		equal += ip == (uint32_t)siphash24(&key, &them, 4);
	}
	CHECK_EQ_U64(equal, 0);
}

/* The vectorized burst gives exactly the generic SipHash cookie, for every
 * burst length 0..33 (whole SIMD blocks and their remainders). */
static void
test_cookie_burst(void)
{
	struct siphash_key key = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
	uint32_t their_ip[33], our_ip[33], cookie[34];
	uint16_t their_port[33], our_port[33];
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	unsigned mismatches = 0;

	for (unsigned round = 0; round < 2000; round++) {
		unsigned n = round % 34;

		for (unsigned i = 0; i < n; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			their_ip[i] = (uint32_t)(x >> 32);
			our_ip[i] = (uint32_t)x;
			their_port[i] = (uint16_t)(x >> 17);
			our_port[i] = (uint16_t)(x >> 5);
		}
		cookie[n] = 0xdeadbeef;
		cookie_syn_burst(&key, n, their_ip, their_port, our_ip,
				 our_port, cookie);
		for (unsigned i = 0; i < n; i++)
			mismatches += cookie[i] != cookie_generic(&key,
					their_ip[i], their_port[i], our_ip[i],
					our_port[i]);
		mismatches += cookie[n] != 0xdeadbeef; /* wrote past n */
	}
	CHECK_EQ_U64(mismatches, 0);
}

int
main(void)
{
	test_reference_vectors();
	test_unaligned();
	test_cookie_burst();
	test_cookie_matches_siphash();
	test_key_make();
	test_pick_source_single();
	test_pick_source_range();
	test_pick_source_spread();
	test_pick_source_domain();
	return check_report("cookie");
}
