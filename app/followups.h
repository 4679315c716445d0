/* followups: the writer's side of follow-up probes — after each banner
 * connection, write the port's record if its service is known (a hard
 * match) or nothing is left to try; otherwise hold it and ask an RX lcore
 * for the next probe's connection, and write it when a later answer
 * matches hard, the chain ends or a step gets no answer in time. */
#ifndef TIDESCAN_FOLLOWUPS_H
#define TIDESCAN_FOLLOWUPS_H

#include <stdint.h>

#include "followup.h"

struct writer;
struct rx_lcore;
struct banner_record;

struct followups {
	struct followup_table table; /* ports held */
	uint64_t next_expiry_tsc;
	/* counters */
	uint64_t started;    /* ports that went on to a follow-up */
	uint64_t identified; /* hard matches a follow-up brought */
	uint64_t expired;    /* steps that got no answer in time */
	uint64_t skipped;    /* ports written at once: table full */
	uint64_t stale;	     /* answers to a step no longer awaited */
};

/* With scan->followups: the table (exits if out of memory). */
void followups_open(struct writer *w);
/* A finished banner connection of rx's: written now, or held. */
void followups_take(struct writer *w, struct rx_lcore *rx,
		    const struct banner_record *rec);
/* Write the ports whose step is past its deadline (cheap to call often:
 * it looks twice a second). */
void followups_expire(struct writer *w, uint64_t now_tsc);
/* Write up to max of the ports still held (the end of the scan); returns
 * how many. */
unsigned followups_flush(struct writer *w, unsigned max);
void followups_close(struct writer *w);

#endif
