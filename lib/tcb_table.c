/* tcb_table: TCB allocation (never-used TCBs first, then a free list) and
 * the linear-probing index with backward-shift deletion, which leaves no
 * tombstones: a lookup's probe always ends at the first empty slot. */
#include <string.h>

#include "tcb_table.h"

/* Slots for `capacity` TCBs: a power of two at least 1.25 times as many,
 * so the index is never more than 80% full. */
static uint32_t
slot_count(uint32_t capacity)
{
	uint64_t want = (uint64_t)capacity + capacity / 4 + 1;
	uint64_t n = 16;

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
	       (size_t)slot_count(capacity) * sizeof(struct tcb_slot);
}

void
tcb_table_init(struct tcb_table *t, void *mem, uint32_t capacity, uint64_t seed)
{
	uint32_t slots = slot_count(capacity);

	t->tcbs = mem;
	t->slots = (struct tcb_slot *)((char *)mem + tcbs_bytes(capacity));
	t->mask = slots - 1;
	t->capacity = capacity;
	t->in_use = 0;
	t->free_head = TIMER_NIL;
	t->fresh = 0;
	t->seed = seed;
	memset(t->slots, 0, (size_t)slots * sizeof(struct tcb_slot));
}

struct tcb *
tcb_table_insert(struct tcb_table *t, const struct tcp_tuple *k, uint32_t hash)
{
	struct tcb *tcb;
	uint32_t n, i;

	if (t->free_head != TIMER_NIL) {
		n = t->free_head;
		tcb = &t->tcbs[n];
		t->free_head = tcb->timer.at;
	} else if (t->fresh < t->capacity) {
		n = t->fresh++;
		tcb = &t->tcbs[n];
		timer_link_init(&tcb->timer);
	} else {
		return NULL;
	}
	tcb->tuple = *k;
	tcb->state = TCB_FREE;
	for (i = hash & t->mask; t->slots[i].tcb_plus1 != 0;
	     i = (i + 1) & t->mask)
		;
	t->slots[i].hash = hash;
	t->slots[i].tcb_plus1 = n + 1;
	t->in_use++;
	return tcb;
}

/* Empty slot `hole` and pull back the entries after it that may sit there
 * (those whose home is not cyclically in (hole, j]), so every entry stays
 * reachable from its home without crossing an empty slot. */
static void
backward_shift(struct tcb_table *t, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (t->slots[j].tcb_plus1 == 0)
			break;
		home = t->slots[j].hash & t->mask;
		/* Distance from home to j vs. from hole to j, cyclically:
		 * the entry may move to the hole iff its home is at or
		 * before the hole on its probe path. */
		if (((j - home) & t->mask) >= ((j - hole) & t->mask)) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].hash = 0;
	t->slots[hole].tcb_plus1 = 0;
}

void
tcb_table_remove(struct tcb_table *t, struct tcb *tcb)
{
	uint32_t n = tcb_index(t, tcb);
	uint32_t hash = tcb_hash(t, &tcb->tuple);
	uint32_t i = hash & t->mask;

	while (t->slots[i].tcb_plus1 != n + 1 && t->slots[i].tcb_plus1 != 0)
		i = (i + 1) & t->mask;
	if (t->slots[i].tcb_plus1 == n + 1)
		backward_shift(t, i);
	tcb->state = TCB_FREE;
	tcb->timer.at = t->free_head;
	t->free_head = n;
	t->in_use--;
}
