/* ndjson_read: one record of tidescan's NDJSON output read back — the
 * result fields and the banner bytes (JSON escapes and \udcXX bytes undone),
 * so saved scans can be processed again (tidescan --identify). */
#ifndef TIDESCAN_NDJSON_READ_H
#define TIDESCAN_NDJSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* Parse line (a flat JSON object; nested values such as "service" are
 * skipped) into r and the banner into banner (cap bytes; longer banners are
 * an error). *has_banner says whether it had one. 0, or -1 with a message. */
int ndjson_read_record(const char *line, struct scan_result *r, uint8_t *banner,
		       size_t cap, size_t *banner_len, int *has_banner,
		       char *err, size_t errlen);

#endif
