/* signatures: tidescan's own signatures, config/signatures/ (*.yaml), added to
 * the lines of the nmap probe they read answers of — the same fields as a
 * match line: service, pattern, flags, soft, and the version templates. */
#ifndef TIDESCAN_SIGNATURES_H
#define TIDESCAN_SIGNATURES_H

#include <stddef.h>

#include "match_cache.h"
#include "service_probes.h"

/* Every *.yaml of dir, in name order, added after the probes' nmap lines
 * (nmap's answer stands where both match). Each file's bytes go into key.
 * Mistakes are errors "FILE:LINE:COL: ..." (-1); a missing dir is none; a
 * signature for a probe the set lacks is a problem (listed, not used). */
int signatures_load_dir(struct sp_set *set, const char *dir,
			struct match_key *key, char *err, size_t errlen);
/* The same for one file's text (name used in messages). */
int signatures_load_text(struct sp_set *set, const char *text, const char *name,
			 char *err, size_t errlen);

#endif
