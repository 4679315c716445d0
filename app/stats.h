/* stats: the scan's live figures, one snapshot of every lcore's counters —
 * shown as the status line on a terminal, as JSON lines on stderr for
 * scripts (--stats-format json) and to DPDK telemetry clients
 * (/tidescan/stats). */
#ifndef TIDESCAN_STATS_H
#define TIDESCAN_STATS_H

#include <stdio.h>

#include "writer.h"

struct scan_stats {
	double ts;	/* wall clock */
	double elapsed; /* since the scan started */
	const char *phase;
	uint64_t sent, received, open, closed, unreachable;
	uint64_t dropped, bad_cookie, tcb_in_use;
	uint64_t walk_done, walk_total; /* walk positions, over all legs */
	double progress;		/* walk_done / walk_total */
	double rate;			/* probes/s over the last interval */
	double eta;			/* seconds left at that rate */
};

/* Read every lcore's counters; rate and eta from the last published rate. */
void scan_stats_read(const struct scan_context *scan,
		     const struct scan_lcores *lcores, struct scan_stats *s);
/* The main lcore's rate over its last interval, for readers that keep no
 * history (telemetry). */
void scan_stats_publish_rate(double rate);

void scan_stats_print_text(const struct scan_stats *s, FILE *out);
/* One JSON object and a newline. */
void scan_stats_print_json(const struct scan_stats *s, FILE *out);

/* Register /tidescan/stats with DPDK telemetry (after rte_eal_init); reads
 * go to these lcores until scan_stats_telemetry_stop(). */
void scan_stats_telemetry_start(const struct scan_context *scan,
				const struct scan_lcores *lcores);
void scan_stats_telemetry_stop(void);

#endif
