/* record_codec: one output_record (result, banner, service) as bytes and
 * back: the payload of a binary output record, and what the XML writer
 * keeps while it groups results by host. Little-endian, field by field. */
#ifndef TIDESCAN_RECORD_CODEC_H
#define TIDESCAN_RECORD_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* No payload is longer (a banner is at most banners.max_bytes, 1 MiB). */
#define RECORD_MAX_BYTES (16u << 20)

size_t record_encoded_size(const struct output_record *rec);
/* Write record_encoded_size(rec) bytes to out. */
void record_encode(const struct output_record *rec, uint8_t *out);

/* A decoded record: `rec` points into the struct and into the payload it
 * was decoded from (the banner), which must outlive it. */
struct record_decoded {
	struct output_record rec;
	struct scan_result result;
	struct service_id service;
	char *strings; /* the service's strings, NUL-terminated */
	size_t strings_cap;
};

/* Decode a whole payload; -1 if it is malformed (lengths that do not add
 * up, unknown flags) or out of memory. */
int record_decode(struct record_decoded *d, const uint8_t *p, size_t len);
void record_decoded_free(struct record_decoded *d);

#endif
