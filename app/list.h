/* list: `tidescan --list` — the scan's pairs in scan order, no EAL, no
 * privileges, no network. */
#ifndef TIDESCAN_LIST_H
#define TIDESCAN_LIST_H

#include <stdio.h>

#include "config.h"
#include "targets.h"

/* Print "IP PORT" lines for one pass of the walk of this shard (retries are
 * later passes over the same pairs and are not repeated). */
void list_pairs(const struct config *cfg, const struct target_space *space,
		uint64_t seed, FILE *out);

#endif
