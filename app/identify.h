/* identify: the service-identification commands that need no EAL —
 * `tidescan --check-signatures` and `tidescan --identify FILE.ndjson` — and
 * the match options a scan shares with them. */
#ifndef TIDESCAN_IDENTIFY_H
#define TIDESCAN_IDENTIFY_H

#include "config.h"
#include "match.h"

/* The lib/match options of a configuration. */
void identify_options(const struct config *cfg, struct match_options *opt);

/* Load the signatures, print counts, timings and every unusable line.
 * Returns the exit status (1 when the signatures cannot be loaded). */
int check_signatures(const struct config *cfg);

/* Re-identify the banners of cfg->identify_file, writing every record with
 * its service to the output (stdout or -o). Returns the exit status. */
int identify_file(const struct config *cfg);

#endif
