/* followups: the writer's side of follow-up probes — after each banner
 * connection, write the port's record if its service is known (a hard
 * match) or nothing is left to try; otherwise hold it and ask an RX lcore
 * for the next probe's connection, and write it when a later answer
 * matches hard, the chain ends or a step gets no answer in time. */
#ifndef TIDESCAN_FOLLOWUPS_H
#define TIDESCAN_FOLLOWUPS_H

#include <stdint.h>

#include "followup.h"
#include "rate_gate.h"

struct writer;
struct rx_lcore;
struct banner_record;

/* A step asked for and waiting for its turn under --rate. */
struct followup_ask {
	uint32_t ip;
	uint16_t port;
	uint8_t step;
	uint8_t queue; /* the RX lcore that got the port's first answer */
};

struct followups {
	struct followup_table table; /* ports held */
	uint64_t next_expiry_tsc;
	/* steps waiting for the rate gate, first asked first sent: a port
	 * waits for one step at most, so the queue holds the table's size */
	struct followup_ask *asks;
	uint32_t asks_head, asks_tail, asks_mask;
	struct rate_gate gate;
	uint64_t last_send_tsc;
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
/* Send the steps the rate allows now, and write the ports whose step is
 * past its deadline (cheap to call often: it looks twice a second). */
void followups_tick(struct writer *w, uint64_t now_tsc);
/* Write up to max of the ports still held (the end of the scan); returns
 * how many. */
unsigned followups_flush(struct writer *w, unsigned max);
void followups_close(struct writer *w);

#endif
