/* writer: the main lcore's side of a scan — drains the RX lcores' result
 * rings into the output, shows the status line, prints the summary. */
#ifndef TIDESCAN_WRITER_H
#define TIDESCAN_WRITER_H

#include <stdio.h>

#include "followups.h"
#include "scan.h"

struct scan_lcores {
	struct tx_lcore *tx[MAX_QUEUES];
	struct rx_lcore *rx[MAX_QUEUES];
	unsigned count; /* pairs */
};

/* Counters summed over every lcore. */
struct scan_totals {
	uint64_t sent, received, open, closed, unreachable, bad_cookie;
	uint64_t dropped, duplicates, malformed;
	uint64_t replies_lost;
};

struct writer {
	struct output_writer out;
	struct redis_sink *redis; /* -o redis://..: instead of out */
	char redis_spill[64];
	uint64_t hold_start_tsc, hold_tsc; /* TX held for Redis */
	const struct scan_context *scan;
	const struct scan_lcores *lcores;
	int status_live; /* a status line on a terminal */
	int status_json; /* --stats-format json: JSON lines on stderr */
	uint64_t status_interval_tsc;
	uint64_t last_status_tsc;
	uint64_t last_status_sent;
	uint64_t records;
	struct followups followups; /* with scan->followups */
};

/* Open the output the config names, in its format, created or appended to;
 * exits 1 if it cannot be opened (or not appended to). */
void writer_open(struct writer *w, const struct scan_context *scan,
		 const struct scan_lcores *lcores);
/* Move every queued result to the output; returns how many. */
unsigned writer_drain(struct writer *w);
/* One record to the output: the file's writer, or Redis' queue. */
void writer_emit(struct writer *w, const struct output_record *rec);
/* Ports whose identification still waits for a follow-up's answer. */
static inline uint32_t
writer_followups_pending(const struct writer *w)
{
	return w->scan->followups ? w->followups.table.count : 0;
}
/* How long a banner connection, or a follow-up step, may take (TSC
 * ticks): the total timeout and a margin for the handshake. */
static inline uint64_t
writer_followup_ttl(const struct writer *w)
{
	return (uint64_t)(w->scan->cfg->banner_total_ms + 3000) *
	       (w->scan->tsc_hz / 1000);
}
/* Every --stats-interval: the status line (rate, sent, % done, ETA, found,
 * drops), or a JSON line of the same with --stats-format json. */
void writer_status(struct writer *w);
void scan_totals_read(const struct scan_lcores *lcores, struct scan_totals *t);
/* Flush, close, and print the parseable summary line on stderr: elapsed is
 * the whole scan, the rate is over the sending phase only. -1 (said on
 * stderr) if the output could not be written whole. */
int writer_finish(struct writer *w, double elapsed, double sending);

#endif
