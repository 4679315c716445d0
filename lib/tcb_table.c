/* tcb_table: TCB allocation (never-used TCBs first, then a free list) and
 * the grouped index: an entry goes to the first group along its probe with
 * a free slot, counting itself in the overflow of the full ones it passed;
 * removing it empties its slot and takes it off those counts, so no
 * tombstones are left. */
#include <string.h>

#include "tcb_table.h"

/* Groups for `capacity` TCBs: a power of two with more than twice as many
 * slots, so the index is always less than half full. Only the home
 * group's line is prefetched, and a probe seldom goes past it: at 1M TCBs
 * (1.9 entries a group) 0.1% of groups overflow and 0.4% are full, where
 * with 1.25 times as many slots (3.8 entries a group) 5% overflowed and
 * 10% were full — each probe past the home group a second miss. */
static uint32_t
group_count(uint32_t capacity)
{
	uint64_t want = ((uint64_t)2 * capacity + 1 + TCB_GROUP_SLOTS - 1) /
			TCB_GROUP_SLOTS;
	uint64_t n = 2;

	while (n < want)
		n <<= 1;
	return (uint32_t)n;
}

static size_t
tcbs_bytes(uint32_t capacity)
{
	return (size_t)capacity * sizeof(struct tcb);
}

size_t
tcb_table_footprint(uint32_t capacity)
{
	return tcbs_bytes(capacity) +
	       (size_t)group_count(capacity) * sizeof(struct tcb_group);
}

void
tcb_table_init(struct tcb_table *t, void *mem, uint32_t capacity, uint64_t seed)
{
	uint32_t groups = group_count(capacity);

	t->tcbs = mem;
	t->groups = (struct tcb_group *)((char *)mem + tcbs_bytes(capacity));
	t->mask = groups - 1;
	t->capacity = capacity;
	t->in_use = 0;
	t->free_head = TIMER_NIL;
	t->fresh = 0;
	t->seed = seed;
	memset(t->groups, 0, (size_t)groups * sizeof(struct tcb_group));
}

void
tcb_table_remove(struct tcb_table *t, struct tcb *tcb)
{
	uint32_t n = tcb_index(t, tcb);
	uint32_t hash = tcb_hash(t, &tcb->tuple);

	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		struct tcb_group *g = &t->groups[i];
		unsigned hit = tcb_group_naming(g, n + 1);

		if (hit) {
			unsigned slot = (unsigned)__builtin_ctz(hit);

			g->hash[slot] = 0;
			g->tcb_plus1[slot] = 0;
			break;
		}
		g->overflow--; /* it went past this group */
	}
	tcb->state = TCB_FREE;
	tcb->timer.at = t->free_head;
	t->free_head = n;
	t->in_use--;
}
