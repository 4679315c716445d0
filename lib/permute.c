/* permute: a keyed pseudo-random bijection on [0, N), N up to 2^49 (every
 * TCP and UDP port of 0.0.0.0/0), so a scan
 * visits every (address, port) pair exactly once in an order that spreads its
 * load over the target networks; and the slicing of the walk among shards and
 * TX lcores. */
#include "permute.h"
#include "splitmix64.h"

/*
 * The cipher
 *
 * Black and Rogaway, "Ciphers with Arbitrary Finite Domains" (CT-RSA 2002,
 * IACR ePrint 2001/012), build a cipher on [0, N) for any N from a generalized
 * Feistel network on Z_a x Z_b, a * b >= N, whose rounds add modulo a and
 * modulo b in turn, with cycle-walking for the a * b - N points that fall
 * outside [0, N): apply the cipher again until the result is inside. masscan's
 * BlackRock is this construction, and so is this file.
 *
 * Why not ZMap's cyclic group (x -> g * x mod p, p a prime just above N)? It
 * is an iteration: position i is reached only by walking from position 0,
 * so shards, lcores and resumes need their own starting points and the walk
 * skips every element >= N in sequence. A cipher maps any position straight
 * to its pair with no state, so a slice of the walk is just an arithmetic
 * progression of positions (walk_slice below) and a resume is one number.
 *
 * Layout: x in [0, a * b) is the pair (left, right) = (x mod a, x div a).
 * Round r replaces (left, right) with (right, (left + F_r(right)) mod m_r),
 * where m_r is a for odd r and b for even r, so after each pair of rounds
 * left < a and right < b again and x' = left + a * right. Each round is
 * invertible (left = (new right - F_r(new left)) mod m_r), so the network is
 * a bijection on [0, a * b), and cycle-walking turns it into one on [0, N).
 *
 * Rounds: four. By Luby and Rackoff four Feistel rounds of pseudo-random
 * functions give a strong pseudo-random permutation, but only up to about
 * sqrt(a) queries: on halves this small no Feistel network is close to ideal
 * (for instance the low parts of the images of consecutive positions differ
 * by exactly 1 about 2/a of the time rather than 1/a). A scan needs no
 * secrecy from its order, only that it depends on the seed and spreads
 * consecutive probes over the space. Two rounds fail the spread tests;
 * three pass them, yet the images of consecutive positions still differ in
 * their low parts by a few fixed amounts far more often than chance; four
 * bring that down to the generic 2/a above. Each round costs about 1.5 ns,
 * the split and the call about as much again.
 *
 * Cost: permute_index is on the per-probe path, so there is no hardware
 * division in it. The round function F_r(v) is a multiply-xorshift mixer of
 * v ^ key_r whose high bits are scaled onto [0, m_r) by a multiply-high
 * (floor(h * m / 2^64) < m), so "(left + F) mod m" is one conditional
 * subtraction. The only true division, x div a for the split, uses a
 * reciprocal precomputed by permute_init (priv[0]) with one correction step.
 * a = floor(sqrt(N)) and b = ceil(N / a), so a * b - N < a and the expected
 * number of extra cycle-walking steps is below 1 / b (about 1 / sqrt(N)).
 */

#define MIX_MUL1 0xd6e8feb86659fd93ULL
#define MIX_MUL2 0x9e3779b97f4a7c15ULL

/* Domain tag so the permutation keys differ from other keys taken from the
 * same seed (the cookie key is one). */
#define PERMUTE_SEED_TAG 0x7065726d75746531ULL

static inline uint64_t
mul_high(uint64_t x, uint64_t y)
{
	return (uint64_t)(((unsigned __int128)x * y) >> 64);
}

/* floor(sqrt(n)) for n >= 1, bit by bit (init only). */
static uint64_t
isqrt64(uint64_t n)
{
	uint64_t root = 0;
	int shift;

	for (shift = 31; shift >= 0; shift--) {
		uint64_t cand = root | (1ULL << shift);

		if (cand * cand <= n)
			root = cand;
	}
	return root;
}

/* left + F(right) mod modulus, where left < modulus. */
static inline uint64_t
feistel_round(uint64_t left, uint64_t right, uint64_t key, uint64_t modulus)
{
	uint64_t h = (right ^ key) * MIX_MUL1;
	uint64_t sum;

	h ^= h >> 32;
	h *= MIX_MUL2;
	sum = left + mul_high(h, modulus);
	return sum >= modulus ? sum - modulus : sum;
}

/* The bijection on [0, a * b). */
static inline uint64_t
feistel(const struct permutation *perm, uint64_t x)
{
	uint64_t a = perm->a, b = perm->b;
	uint64_t right = mul_high(x, perm->priv[0]);
	uint64_t left = x - right * a;
	uint64_t t;

	if (left >= a) {
		left -= a;
		right++;
	}
	t = feistel_round(left, right, perm->keys[0], a);
	left = right;
	right = t;
	t = feistel_round(left, right, perm->keys[1], b);
	left = right;
	right = t;
	t = feistel_round(left, right, perm->keys[2], a);
	left = right;
	right = t;
	t = feistel_round(left, right, perm->keys[3], b);
	left = right;
	right = t;
	return left + a * right;
}

void
permute_init(struct permutation *perm, uint64_t range, uint64_t seed)
{
	uint64_t state = seed ^ PERMUTE_SEED_TAG;
	unsigned i;

	if (range == 0) /* not allowed; treated as 1 rather than divide by 0 */
		range = 1;
	perm->range = range;
	perm->a = isqrt64(range);
	perm->b = (range + perm->a - 1) / perm->a;
	for (i = 0; i < 4; i++)
		perm->keys[i] = splitmix64_next(&state);
	/* 2^64 / a - 1 <= priv[0] < 2^64 / a, so for any x mul_high(x, priv[0])
	 * is x div a or one less; feistel() corrects the latter. */
	perm->priv[0] = UINT64_MAX / perm->a;
	perm->priv[1] = 0;
	perm->priv[2] = 0;
	perm->priv[3] = 0;
}

uint64_t
permute_index(const struct permutation *perm, uint64_t index)
{
	uint64_t x = feistel(perm, index);

	while (x >= perm->range)
		x = feistel(perm, x);
	return x;
}

struct walk_slice
walk_slice_make(uint64_t total, unsigned shard_k, unsigned shard_n,
		unsigned part_j, unsigned part_m)
{
	struct walk_slice slice = {.first = 0, .stride = 1, .end = 0};

	/* Out-of-range arguments give an empty slice; config rejects them. */
	if (shard_k < 1 || shard_k > shard_n || part_j >= part_m)
		return slice;
	slice.first = (uint64_t)(shard_k - 1) + (uint64_t)shard_n * part_j;
	slice.stride = (uint64_t)shard_n * part_m;
	slice.end = total;
	return slice;
}

uint64_t
walk_slice_count(const struct walk_slice *slice)
{
	if (slice->first >= slice->end || slice->stride == 0)
		return 0;
	return (slice->end - slice->first - 1) / slice->stride + 1;
}
