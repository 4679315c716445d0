/* resume: a paused scan — the walk position where each TX lcore goes on,
 * written into the effective profile as resume points (PASS:INDEX), the
 * fingerprint of the target space they index, and which profile keys a
 * resumed scan may change. */
#ifndef TIDESCAN_RESUME_H
#define TIDESCAN_RESUME_H

#include <stdint.h>

#include "config.h"
#include "permute.h"
#include "targets.h"

/* A hash of the space's ranges and ports: the positions of a paused scan
 * mean the same pairs only over the same space (include and exclude files
 * may have changed since). Never 0. */
uint64_t resume_space_fingerprint(const struct target_space *space);

/* given is the command line over the paused file, saved the file alone:
 * each key whose value differs must be one that may change without moving
 * a pair (rate, wait, output file, EAL arguments...). -1 naming the first
 * key that may not, with both values. */
int resume_check_overrides(const struct config *saved,
			   const struct config *given, char *err,
			   size_t errlen);

/* The walk position of TX lcore q, for each of the m slices: from cfg's
 * resume points, which must be m, over this space, each a position of its
 * slice (or past its end). -1 with a message otherwise. */
int resume_positions(const struct config *cfg, const struct target_space *space,
		     const struct walk_slice *slices, unsigned m,
		     uint64_t *positions, char *err, size_t errlen);

/* Does every slice's position lie at or past its end? */
int resume_walk_done(const struct walk_slice *slices, const uint64_t *positions,
		     unsigned m);

/* Write the paused scan to path (through path.tmp and a rename, so a crash
 * leaves the old file or the new one): cfg with the seed it ran with, no
 * pause_after, and one resume point per slice position. 0, or -1 with a
 * message. */
int resume_write(const char *path, const struct config *cfg, uint64_t seed,
		 const struct target_space *space, const uint64_t *positions,
		 unsigned m, char *err, size_t errlen);

#endif
