/* permute: a keyed pseudo-random bijection on [0, N) for any N in [1, 2^49]
 * and the slicing of the walk among shards (k of n) and TX lcores. */
#ifndef TIDESCAN_PERMUTE_H
#define TIDESCAN_PERMUTE_H

#include <stdint.h>

struct permutation {
	uint64_t range; /* N */
	uint64_t a, b;	/* domain split: a * b >= N */
	uint64_t keys[4];
	/* private: precomputed reciprocals etc. */
	uint64_t priv[4];
};

/* Prepare the bijection on [0, range) for this seed. range >= 1. */
void permute_init(struct permutation *perm, uint64_t range, uint64_t seed);

/* The image of index (< range) under the bijection. */
uint64_t permute_index(const struct permutation *perm, uint64_t index);

/* A slice of the walk: the positions first, first+stride, ... below end.
 * A walk position p sends the pair permute_index(p % range). Positions run over
 * [0, range * (retries + 1)) so that each retry of a pair comes one whole
 * pass later. */
struct walk_slice {
	uint64_t first;
	uint64_t stride;
	uint64_t end; /* exclusive bound on positions */
};

/* Shard k of n (1 <= k <= n), split again into part j of m (0 <= j < m),
 * over positions [0, total). The n*m slices partition [0, total). */
struct walk_slice walk_slice_make(uint64_t total, unsigned shard_k,
				  unsigned shard_n, unsigned part_j,
				  unsigned part_m);
/* Number of positions in the slice. */
uint64_t walk_slice_count(const struct walk_slice *slice);

#endif
