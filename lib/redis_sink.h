/* redis_sink: scan results into a Redis Stream, one XADD per record,
 * pipelined and non-blocking. Records wait in a bounded queue while Redis is
 * slow (the caller holds the scan back while the queue is nearly full); if
 * Redis goes away, every record it has not acknowledged, and every later
 * one, spills to a local file in the spill format, so nothing is lost. */
#ifndef TIDESCAN_REDIS_SINK_H
#define TIDESCAN_REDIS_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"

/* redis://HOST[:PORT]/STREAM; HOST may be [IPv6]. */
struct redis_url {
	char host[256];
	int port;
	char stream[256];
};

/* 0, or -1 with a message in err. */
int redis_url_parse(const char *url, struct redis_url *u, char *err,
		    size_t errlen);
/* Whether an output name is a Redis URL (starts with "redis://"). */
int redis_url_is(const char *name);

struct redis_sink_config {
	struct redis_url url;
	size_t queue_records;  /* records waiting or in flight, at most */
	size_t queue_bytes;    /* and their bytes, at most */
	unsigned max_in_flight; /* XADDs sent and not yet answered */
	double connect_timeout; /* seconds */
	const char *spill_path; /* where records go if Redis goes away */
	const struct output_format_ops *spill_format;
};

struct redis_sink_stats {
	uint64_t added;	     /* XADDs Redis acknowledged */
	uint64_t spilled;    /* records written to the spill file */
	uint64_t held;	     /* times the queue reached its high mark */
	uint64_t lost;	     /* records refused: queue full, out of memory */
	int connection_lost; /* Redis went away: see spill_path */
	char error[128];     /* why, when connection_lost */
};

struct redis_sink;

/* Connects and checks the server answers; NULL with a message in err. */
struct redis_sink *redis_sink_open(const struct redis_sink_config *cfg,
				   char *err, size_t errlen);
/* Queue a copy of a record. -1 (counted as lost) only if the queue is full
 * or out of memory: a caller that asks redis_sink_has_room() first never
 * sees the first. */
int redis_sink_push(struct redis_sink *s, const struct output_record *rec);
/* Room for `records` more: under the record bound with them, and under the
 * byte bound now (a batch may pass it by its own size). */
int redis_sink_has_room(const struct redis_sink *s, size_t records);
/* Above the high mark (3/4 of either bound): hold new results back. */
int redis_sink_nearly_full(const struct redis_sink *s);
/* Records queued and not yet acknowledged (or spilled). */
size_t redis_sink_pending(const struct redis_sink *s);
/* Move bytes: send queued XADDs, read answers. Never blocks. */
void redis_sink_poll(struct redis_sink *s);
/* Stop waiting for Redis: what is queued, and every later record, goes to
 * the spill file, as if the connection had been lost. */
void redis_sink_abandon(struct redis_sink *s, const char *why);
/* Flush: wait up to timeout seconds for every answer, spill what is left,
 * close, free. Fills stats; returns 0 when nothing was lost (spilled
 * records are not lost), -1 if the spill file could not be written. */
int redis_sink_close(struct redis_sink *s, double timeout,
		     struct redis_sink_stats *stats);
/* Counters so far (for status lines). */
void redis_sink_stats_read(const struct redis_sink *s,
			   struct redis_sink_stats *stats);

#endif
