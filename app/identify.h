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

/* A scan's identification of its banners, on the writer (main) lcore: the
 * RX lcores stay as they are, and one scratch serves. */
struct banner_identifier {
	struct match_db *db;
	struct match_scratch *scratch;
	unsigned intensity;
	uint64_t identified;
};

/* Load the signatures (before EAL). 0, or -1 with a message. */
int banner_identifier_open(struct banner_identifier *bi,
			   const struct config *cfg, char *err, size_t errlen);
/* Identify a banner from port: out, or NULL when there is nothing to try. */
const struct service_id *banner_identify(struct banner_identifier *bi,
					 uint16_t port, const uint8_t *data,
					 uint32_t len, struct service_id *out);
/* Identify a follow-up's answer to nmap probe `probe` (an index of the
 * set), only lines of service `narrow` counting when it is not NULL (an
 * earlier answer's softmatch): out, or NULL when there is nothing to try. */
const struct service_id *banner_identify_as(struct banner_identifier *bi,
					    unsigned probe, const char *narrow,
					    const uint8_t *data, uint32_t len,
					    struct service_id *out);
void banner_identifier_close(struct banner_identifier *bi);

#endif
