/* followup: the open ports whose identification goes on over follow-up
 * connections — per (address, port) the step awaited, its deadline, and
 * what is best so far (the banner to report and the first softmatch) — in a
 * fixed open-addressing table the writer owns. */
#ifndef TIDESCAN_FOLLOWUP_H
#define TIDESCAN_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "service.h"

struct followup {
	uint32_t ip;
	uint16_t port;
	uint8_t used;
	uint8_t step;		   /* the follow-up awaited */
	uint64_t deadline;	   /* the caller's clock: give up after it */
	struct scan_result result; /* the open port, as first reported */
	/* the banner to report: the softmatched one, else the first that
	 * said something (malloc'd; NULL while none did) */
	uint8_t *banner;
	uint32_t banner_len;
	/* the first softmatch (strings in soft_text), match NONE until one */
	struct service_id soft;
	char *soft_text;
};

struct followup_table {
	struct followup *slots;
	uint32_t mask;	   /* slots - 1 */
	uint32_t count;	   /* entries held */
	uint32_t capacity; /* entries held at most (3/4 of the slots) */
};

/* A table for up to `capacity` entries (at least 1). 0, or -1 if out of
 * memory. */
int followup_table_init(struct followup_table *t, uint32_t capacity);
/* Frees every entry's copies and the table. */
void followup_table_free(struct followup_table *t);

struct followup *followup_find(struct followup_table *t, uint32_t ip,
			       uint16_t port);
/* A new entry for this open port (none must be held for it): step 0, no
 * banner, no softmatch. NULL when the table is full. */
struct followup *followup_add(struct followup_table *t,
			      const struct scan_result *result);
/* Drop e (its copies freed); entries after it may move into its slot. */
void followup_remove(struct followup_table *t, struct followup *e);

/* Take one connection's answer: data (len bytes) and what identifying it
 * found. The first softmatch is kept with its banner; otherwise the first
 * banner with bytes is. -1 if out of memory (e unchanged). */
int followup_take(struct followup *e, const uint8_t *data, uint32_t len,
		  const struct service_id *id);

/* The record that reports e: its result, banner ("" when none said
 * anything) and its softmatch, or `none` (a service_id of match NONE). */
struct output_record followup_record(const struct followup *e,
				     const struct service_id *none);

/* Slot i of the table (0 to mask), or NULL if it is empty: to visit every
 * entry (e.g. those past their deadline). After followup_remove of slot
 * i's entry, visit slot i again: another may have moved in. */
static inline struct followup *
followup_slot(struct followup_table *t, uint32_t i)
{
	return t->slots[i].used ? &t->slots[i] : NULL;
}

#endif
