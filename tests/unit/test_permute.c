/* test_permute: the permutation is a bijection on [0, N) for every N tried,
 * depends on its seed, spreads consecutive positions over the space, and the
 * walk slices of shards and lcores partition the positions. */
#include <stdbool.h>
#include <stdlib.h>

#include "check.h"
#include "permute.h"

#define RANGE_MAX (1ULL << 48)

static const uint64_t seeds[] = {0, 1, 42, 0xdeadbeefcafef00dULL};
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

/* Every index maps below range and no image repeats. */
static bool
is_bijection(uint64_t range, uint64_t seed)
{
	struct permutation perm;
	uint8_t *seen = calloc((range + 7) / 8, 1);
	bool ok = seen != NULL;
	uint64_t i;

	permute_init(&perm, range, seed);
	for (i = 0; ok && i < range; i++) {
		uint64_t x = permute_index(&perm, i);

		if (x >= range || (seen[x / 8] & (1u << (x % 8))))
			ok = false;
		else
			seen[x / 8] |= 1u << (x % 8);
	}
	free(seen);
	return ok;
}

static void
test_small_ranges_exhaustive(void)
{
	uint64_t range;
	unsigned s;
	int bad = 0;

	for (range = 1; range <= 2000; range++)
		for (s = 0; s < NSEEDS; s++)
			if (!is_bijection(range, seeds[s])) {
				fprintf(stderr,
					"not a bijection: N=%" PRIu64
					" seed=%" PRIx64 "\n",
					range, seeds[s]);
				bad++;
			}
	CHECK_EQ_U64(bad, 0);
}

static void
test_split(void)
{
	static const uint64_t ranges[] = {
	    1,	       2,	   3,
	    5,	       1000,	   65536,
	    1000000,   1ULL << 40, RANGE_MAX - 1,
	    RANGE_MAX, 1ULL << 34, 999999999989ULL,
	};
	unsigned i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct permutation perm;

		permute_init(&perm, ranges[i], 7);
		CHECK_EQ_U64(perm.range, ranges[i]);
		CHECK(perm.a >= 1 && perm.b >= perm.a);
		CHECK(perm.a * perm.b >= ranges[i]);
		/* Little to cycle-walk over: fewer than a spare points. */
		CHECK(perm.a * perm.b - ranges[i] < perm.a);
	}
}

static void
test_million(void)
{
	CHECK(is_bijection(1000000, 3));
	CHECK(is_bijection(1000003, 0xabcdef)); /* a prime: a * b > N */
}

static int
cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

/* Near the largest range: images in range and distinct over a sample. */
static void
test_huge_ranges(void)
{
	/* 2^48 - 59 is the largest prime below 2^48. */
	static const uint64_t ranges[] = {
	    RANGE_MAX,	       RANGE_MAX - 1,  RANGE_MAX - 12345,
	    RANGE_MAX / 2 + 1, RANGE_MAX - 59,
	    /* all TCP and UDP ports of 0.0.0.0/0 */
	    2 * RANGE_MAX, 2 * RANGE_MAX - 7,
	};
	enum { SAMPLE = 100000 };
	uint64_t *out = malloc(SAMPLE * sizeof(*out));
	unsigned i;

	CHECK(out != NULL);
	if (!out)
		return;
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		struct permutation perm;
		uint64_t range = ranges[i], j;
		int out_of_range = 0, repeats = 0;

		permute_init(&perm, range, 0x1234 + i);
		for (j = 0; j < SAMPLE; j++) {
			/* Half from the start, half from the end of [0, N). */
			uint64_t idx =
			    j < SAMPLE / 2 ? j : range - 1 - (j - SAMPLE / 2);

			out[j] = permute_index(&perm, idx);
			out_of_range += out[j] >= range;
		}
		qsort(out, SAMPLE, sizeof(*out), cmp_u64);
		for (j = 1; j < SAMPLE; j++)
			repeats += out[j] == out[j - 1];
		CHECK_EQ_U64(out_of_range, 0);
		CHECK_EQ_U64(repeats, 0);
		/* The images are spread over the whole range. */
		CHECK(out[0] < range / 1000);
		CHECK(out[SAMPLE - 1] > range - range / 1000);
	}
	free(out);
}

static void
test_seeds(void)
{
	struct permutation p1, p2, p3;
	uint64_t i, same = 0, differ = 0;

	permute_init(&p1, 1000000, 99);
	permute_init(&p2, 1000000, 99);
	permute_init(&p3, 1000000, 100);
	for (i = 0; i < 10000; i++) {
		uint64_t x = permute_index(&p1, i);

		same += x == permute_index(&p2, i);
		differ += x != permute_index(&p3, i);
	}
	CHECK_EQ_U64(same, 10000);
	CHECK(differ > 9900);

	/* Not the identity, not a rotation: consecutive images rarely
	 * consecutive. */
	for (i = 0, same = 0; i < 10000; i++)
		same += permute_index(&p1, i + 1) == permute_index(&p1, i) + 1;
	CHECK(same < 10);

	/* Even small ranges get different orders from different seeds. */
	permute_init(&p1, 50, 1);
	permute_init(&p2, 50, 2);
	for (i = 0, differ = 0; i < 50; i++)
		differ += permute_index(&p1, i) != permute_index(&p2, i);
	CHECK(differ > 25);
}

/* A /16 times one port: consecutive probes should land in unrelated /24s, as
 * if drawn at random (1 pair in 256 in the same /24), and any 256 consecutive
 * probes should touch many /24s (about 162 at random, 1 in address order). */
static void
test_spread(void)
{
	enum { N = 65536, WINDOW = 256 };
	unsigned s;

	for (s = 0; s < NSEEDS; s++) {
		struct permutation perm;
		uint64_t i, prev, same24 = 0;
		unsigned w, min_distinct = WINDOW, total_distinct = 0;
		unsigned per24[256] = {0};
		double chi2 = 0;

		permute_init(&perm, N, seeds[s]);
		prev = permute_index(&perm, 0);
		for (i = 1; i < N; i++) {
			uint64_t x = permute_index(&perm, i);

			same24 += (x >> 8) == (prev >> 8);
			prev = x;
		}
		/* Expected 65535 / 256 = 256, standard deviation 16. */
		CHECK(same24 > 150 && same24 < 380);

		for (w = 0; w < N / WINDOW; w++) {
			uint8_t hit[256] = {0};
			unsigned distinct = 0;

			for (i = 0; i < WINDOW; i++) {
				uint64_t x =
				    permute_index(&perm, w * WINDOW + i);

				distinct += !hit[x >> 8];
				hit[x >> 8] = 1;
			}
			total_distinct += distinct;
			if (distinct < min_distinct)
				min_distinct = distinct;
		}
		CHECK(total_distinct / (N / WINDOW) >= 150);
		CHECK(min_distinct >= 120);

		/* The first 4096 probes cover the /24s evenly (chi-square, 255
		 * degrees of freedom: mean 255, sd about 23). */
		for (i = 0; i < 4096; i++)
			per24[permute_index(&perm, i) >> 8]++;
		for (i = 0; i < 256; i++)
			chi2 += (per24[i] - 16.0) * (per24[i] - 16.0) / 16.0;
		CHECK(chi2 < 400);
	}
}

/* Walk every slice of shards n and parts m over [0, total): each position is
 * visited exactly once and the counts agree with the walks. */
static bool
slices_partition(uint64_t total, unsigned n, unsigned m)
{
	uint8_t *hits = calloc(total + 1, 1);
	bool ok = hits != NULL;
	unsigned k, j;
	uint64_t p, sum = 0;

	for (k = 1; ok && k <= n; k++) {
		for (j = 0; ok && j < m; j++) {
			struct walk_slice s =
			    walk_slice_make(total, k, n, j, m);
			uint64_t walked = 0;

			for (p = s.first; p < s.end; p += s.stride) {
				hits[p]++;
				walked++;
			}
			ok = walked == walk_slice_count(&s);
			/* masscan order: shard k starts at k - 1. */
			if (j == 0 && total > k - 1)
				ok = ok && s.first == k - 1;
			sum += walked;
		}
	}
	for (p = 0; ok && p < total; p++)
		ok = hits[p] == 1;
	ok = ok && sum == total;
	free(hits);
	return ok;
}

static void
test_slices(void)
{
	static const uint64_t totals[] = {
	    0, 1, 2, 3, 4, 5, 7, 11, 19, 20, 21, 59, 60, 61, 100, 1000, 65537,
	};
	unsigned n, m, t;
	int bad = 0;

	for (t = 0; t < sizeof(totals) / sizeof(totals[0]); t++)
		for (n = 1; n <= 5; n++)
			for (m = 1; m <= 4; m++)
				if (!slices_partition(totals[t], n, m)) {
					fprintf(stderr,
						"slices: total=%" PRIu64
						" n=%u m=%u\n",
						totals[t], n, m);
					bad++;
				}
	CHECK_EQ_U64(bad, 0);
}

static void
test_slice_shapes(void)
{
	struct walk_slice s;

	/* --shard 2/3, lcore 1 of 2: positions 4, 10, 16, ... */
	s = walk_slice_make(100, 2, 3, 1, 2);
	CHECK_EQ_U64(s.first, 4);
	CHECK_EQ_U64(s.stride, 6);
	CHECK_EQ_U64(s.end, 100);
	CHECK_EQ_U64(walk_slice_count(&s), 16); /* 4 .. 94 */

	/* One shard, one lcore: the whole walk. */
	s = walk_slice_make(12345, 1, 1, 0, 1);
	CHECK_EQ_U64(walk_slice_count(&s), 12345);

	/* Retries: a walk of three passes over 10 pairs. */
	s = walk_slice_make(30, 1, 1, 0, 1);
	CHECK_EQ_U64(walk_slice_count(&s), 30);

	/* More slices than positions: the late slices are empty. */
	s = walk_slice_make(3, 2, 2, 1, 2);
	CHECK_EQ_U64(walk_slice_count(&s), 0);

	/* A walk as long as the largest range with retries. */
	s = walk_slice_make(3 * RANGE_MAX, 3, 5, 3, 4);
	CHECK_EQ_U64(s.first, 17);
	CHECK_EQ_U64(walk_slice_count(&s), (3 * RANGE_MAX - 17 - 1) / 20 + 1);

	/* Invalid arguments: an empty slice, never a bogus one. */
	s = walk_slice_make(100, 0, 3, 0, 1);
	CHECK_EQ_U64(walk_slice_count(&s), 0);
	s = walk_slice_make(100, 4, 3, 0, 1);
	CHECK_EQ_U64(walk_slice_count(&s), 0);
	s = walk_slice_make(100, 1, 3, 2, 2);
	CHECK_EQ_U64(walk_slice_count(&s), 0);
	s = walk_slice_make(100, 1, 1, 0, 0);
	CHECK_EQ_U64(walk_slice_count(&s), 0);
}

/* The walk as the TX lcores run it: every pair once per pass, over all
 * slices, with retries. */
static void
test_walk_with_retries(void)
{
	enum { RANGE = 997, RETRIES = 2, SHARDS = 3, PARTS = 2 };
	struct permutation perm;
	unsigned hits[RANGE] = {0};
	unsigned k, j, i, bad = 0;

	permute_init(&perm, RANGE, 5);
	for (k = 1; k <= SHARDS; k++)
		for (j = 0; j < PARTS; j++) {
			struct walk_slice s =
			    walk_slice_make((uint64_t)RANGE * (RETRIES + 1), k,
					    SHARDS, j, PARTS);
			uint64_t p;

			for (p = s.first; p < s.end; p += s.stride)
				hits[permute_index(&perm, p % RANGE)]++;
		}
	for (i = 0; i < RANGE; i++)
		bad += hits[i] != RETRIES + 1;
	CHECK_EQ_U64(bad, 0);
}

int
main(void)
{
	test_small_ranges_exhaustive();
	test_split();
	test_million();
	test_huge_ranges();
	test_seeds();
	test_spread();
	test_slices();
	test_slice_shapes();
	test_walk_with_retries();
	return check_report("permute");
}
