/* output: scan result records and the writers that format them. A writer is
 * a table of callbacks (begin/record/end) in its own lib/output_*.c; adding a
 * format is one new file and one line in the registry of output.c. */
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
	double ts;   /* wall-clock seconds */
	uint32_t ip; /* host order */
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

/* How a file is opened: CREATE truncates it; APPEND continues what an
 * earlier run of the same format wrote (a resumed scan, --append-output):
 * the header is not repeated and a trailer (JSON's "]", XML's runstats) is
 * taken off and written again at the end. */
enum output_mode {
	OUTPUT_CREATE = 0,
	OUTPUT_APPEND,
};

struct output_format_ops {
	const char *name;
	/* Header, or in APPEND mode to a file that is not empty, the checks
	 * and repairs that let the file go on. -1 with a message. */
	int (*begin)(struct output_writer *w, char *err, size_t errlen);
	void (*record)(struct output_writer *w,
		       const struct output_record *rec);
	/* Trailer; frees the format's state. */
	void (*end)(struct output_writer *w);
};

struct output_writer {
	const struct output_format_ops *ops;
	FILE *out;
	enum output_mode mode;
	int own_file;	  /* output_close() closes `out` */
	int continued;	  /* APPEND found records of an earlier run */
	uint64_t records; /* written through this writer */
	uint64_t lost;	  /* of those, not written (out of memory) */
	int64_t start;	  /* wall clock at open, seconds (headers) */
	void *state;	  /* the format's own, if any */
	char *iobuf;	  /* the stdio buffer of a file we opened */
};

/* The writer for a format name ("ndjson", "json", "list", "grepable",
 * "xml", "binary"), or NULL if unknown. */
const struct output_format_ops *output_format_find(const char *name);

/* Start a writer on an open stream, in CREATE mode (stdout, memory); -1
 * only if out of memory. */
int output_open(struct output_writer *w, const struct output_format_ops *ops,
		FILE *out);
/* Open `path` (NULL or "-": stdout, where APPEND means CREATE) and start a
 * writer on it. -1 with a message naming the file. */
int output_open_file(struct output_writer *w,
		     const struct output_format_ops *ops, const char *path,
		     enum output_mode mode, char *err, size_t errlen);
void output_write(struct output_writer *w, const struct scan_result *r);
/* A result with the banner its connection collected. */
void output_write_banner(struct output_writer *w, const struct scan_result *r,
			 const uint8_t *banner, uint32_t banner_len);
/* A whole record: result, banner, service. */
void output_write_record(struct output_writer *w,
			 const struct output_record *rec);
/* Trailer, flush, and close the file if output_open_file() opened it.
 * -1 if a write failed (disk full...) or a record was lost. */
int output_close(struct output_writer *w);

const char *result_status_name(enum result_status status);
const char *output_proto_name(uint8_t proto);
/* "a.b.c.d" into buf (16 bytes). */
const char *output_ip_string(uint32_t ip, char *buf);
/* nmap's vocabulary: state open/closed/filtered and its reason (syn-ack,
 * reset, port-unreach...), for the nmap-compatible writers. */
const char *output_nmap_state(const struct scan_result *r);
const char *output_nmap_reason(const struct scan_result *r);
/* The file's last `len` bytes (fewer if it is shorter) into buf, for APPEND
 * checks of a trailer; returns how many, -1 on a read error. */
long output_tail(FILE *f, char *buf, size_t len);
/* Cut the file to `size` bytes and write on from there. -1 on error. */
int output_truncate(FILE *f, long size);
/* APPEND for line formats: a last line without its newline (the earlier
 * run crashed mid-write) is cut off, so the next line starts clean. */
int output_begin_lines(struct output_writer *w, char *err, size_t errlen);

#endif
