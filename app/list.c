/* list: walk the shard's slice of the permutation as a single TX lcore
 * would and print each pair instead of sending it. */
#include <inttypes.h>

#include "list.h"
#include "permute.h"

void
list_pairs(const struct config *cfg, const struct target_space *space,
	   uint64_t seed, FILE *out)
{
	struct permutation perm;
	struct walk_slice slice;
	uint32_t ip, proto_port;

	permute_init(&perm, space->pair_count, seed);
	slice = walk_slice_make(space->pair_count, cfg->shard_k, cfg->shard_n,
				0, 1);
	for (uint64_t p = slice.first; p < slice.end; p += slice.stride) {
		target_space_pair(space, permute_index(&perm, p), &ip,
				  &proto_port);
		fprintf(out, "%u.%u.%u.%u %s%u\n", ip >> 24, (ip >> 16) & 0xff,
			(ip >> 8) & 0xff, ip & 0xff,
			(proto_port >> 16) == PROTO_UDP ? "U:" : "",
			proto_port & 0xffff);
	}
}
