/* output: scan result records and the writers that format them. A writer is
 * a table of callbacks (open/write/close); adding a format is one new writer
 * and one line in the registry of output.c. */
#ifndef TIDESCAN_OUTPUT_H
#define TIDESCAN_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "service.h"

enum result_status {
	RESULT_OPEN = 0,
	RESULT_CLOSED,
	RESULT_UNREACHABLE,
};

/* One answer, as the RX lcores hand it to the writer. 24 bytes. */
struct scan_result {
	double ts;	/* wall-clock seconds */
	uint32_t ip;	/* host order */
	uint16_t port;
	uint8_t proto;	/* 6 = tcp, 17 = udp */
	uint8_t status; /* enum result_status */
	uint8_t ttl;
	uint8_t icmp_code; /* for RESULT_UNREACHABLE */
	uint8_t pad[6];
};

/* What a writer formats: a result, and what a banner connection added. */
struct output_record {
	const struct scan_result *result;
	/* the bytes a banner connection received: NULL when the result has
	 * no banner; banner_len may be 0 with a banner */
	const uint8_t *banner;
	uint32_t banner_len;
	/* the service identified from the banner; NULL when none was tried */
	const struct service_id *service;
};

struct output_writer;

struct output_format_ops {
	const char *name;
	void (*begin)(struct output_writer *w);
	void (*record)(struct output_writer *w, const struct output_record *rec);
	void (*end)(struct output_writer *w);
};

struct output_writer {
	const struct output_format_ops *ops;
	FILE *out;
	uint64_t records;
};

/* The writer for a format name ("ndjson", ...), or NULL if unknown or not
 * supported yet. */
const struct output_format_ops *output_format_find(const char *name);

void output_open(struct output_writer *w, const struct output_format_ops *ops,
		 FILE *out);
void output_write(struct output_writer *w, const struct scan_result *r);
/* A result with the banner its connection collected. */
void output_write_banner(struct output_writer *w, const struct scan_result *r,
			 const uint8_t *banner, uint32_t banner_len);
/* A whole record: result, banner, service. */
void output_write_record(struct output_writer *w,
			 const struct output_record *rec);
void output_close(struct output_writer *w);

const char *result_status_name(enum result_status status);

#endif
