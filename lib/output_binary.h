/* output_binary: tidescan's binary results file and its reader. A 16-byte
 * header ("TIDESCAN", u16 version, u16 zero, u32 CRC-32C of those 12 bytes)
 * once, then records: u32 payload length, u32 CRC-32C of the length and the
 * payload, the payload (lib/record_codec), all little-endian. Records are
 * only ever appended: a crash mid-write leaves a torn last record, which
 * the reader detects and skips, and which an appending writer cuts off. */
#ifndef TIDESCAN_OUTPUT_BINARY_H
#define TIDESCAN_OUTPUT_BINARY_H

#include <stdint.h>
#include <stdio.h>

#include "record_codec.h"

#define BINARY_VERSION 1
#define BINARY_HEADER_BYTES 16
#define BINARY_FRAME_BYTES 8

struct binary_reader {
	FILE *in;
	long offset; /* of the next record */
	uint64_t records;
	uint8_t *buf;
	size_t cap;
	struct record_decoded dec;
};

/* Check the header of `in` (read from its start). -1 with a message if it
 * is not a tidescan binary file of a version this build reads. */
int binary_reader_open(struct binary_reader *r, FILE *in, char *err,
		       size_t errlen);
/* 1: the next record, valid until the next call; 0: the clean end of the
 * file; -1: a torn (cut short) or damaged record at r->offset, with a
 * message — nothing after it is read. */
int binary_reader_next(struct binary_reader *r,
		       const struct output_record **rec, char *err,
		       size_t errlen);
void binary_reader_close(struct binary_reader *r);

#endif
