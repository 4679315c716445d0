/* timer_wheel: a hashed timing wheel of 1 ms ticks over the elements of a
 * caller's array, each carrying a struct timer_link. Arm and cancel are O(1)
 * and allocate nothing; expiry walks only the ticks that passed, and a
 * deadline beyond one revolution waits in its bucket for a later pass.
 * Each bucket is TIMER_LANES lists (element i in lane i % TIMER_LANES),
 * walked in turn on expiry so that their cache misses overlap. */
#ifndef TIDESCAN_TIMER_WHEEL_H
#define TIDESCAN_TIMER_WHEEL_H

#include <stddef.h>
#include <stdint.h>

/* Ends of lists, and "no element" from timer_wheel_expire. */
#define TIMER_NIL 0xffffffffu
/* Elements are numbered from 0 to TIMER_MAX_ELEMENTS - 1. */
#define TIMER_MAX_ELEMENTS 0x7fffffffu
#define TIMER_LANES 8

/* Ticks are uint32_t milliseconds compared modulo 2^32: any two deadlines
 * in use must lie within 2^31 ticks (24 days) of each other. */
static inline int
tick_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline int
tick_before_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* Embedded in each element. An element is armed iff prev != TIMER_NIL.
 * prev is the previous element, or TIMER_HEAD | list number for a list's
 * first. */
struct timer_link {
	uint32_t next;
	uint32_t prev;
	uint32_t at; /* tick it fires at, when armed */
};

struct timer_wheel {
	uint32_t *heads; /* (buckets + 1) * TIMER_LANES lists: bucket b's
			  * lane k is list b * TIMER_LANES + k; the last
			  * bucket holds a tick's entries while they expire */
	uint32_t mask;	 /* buckets - 1 */
	uint32_t now;	 /* last tick whose bucket was taken for expiry */
	uint32_t lane;	 /* the lane expiry takes from next */
	char *base;	 /* element i's link is at base + i * stride */
	size_t stride;
	uint32_t armed; /* elements armed now */
};

/* Bytes of `mem` timer_wheel_init needs for `buckets` (a power of two, at
 * most 2^24). */
size_t timer_wheel_footprint(uint32_t buckets);

/* Set up an empty wheel whose clock reads `now`. links points at element
 * 0's struct timer_link; element i's is stride bytes further per step.
 * Every element's link must be marked unarmed (timer_link_init) before
 * it is armed. */
void timer_wheel_init(struct timer_wheel *w, void *mem, uint32_t buckets,
		      struct timer_link *links, size_t stride, uint32_t now);

static inline void
timer_link_init(struct timer_link *l)
{
	l->next = TIMER_NIL;
	l->prev = TIMER_NIL;
	l->at = 0;
}

static inline int
timer_link_armed(const struct timer_link *l)
{
	return l->prev != TIMER_NIL;
}

/* Arm element i to fire at tick `at`, or move it there if armed. A tick the
 * wheel has already passed is taken as the next one. */
void timer_wheel_arm(struct timer_wheel *w, uint32_t i, uint32_t at);

/* Disarm element i; nothing happens if it is not armed. */
void timer_wheel_cancel(struct timer_wheel *w, uint32_t i);

/* Start loading, for writing, the elements that cancelling element i
 * would write to (its neighbours). */
void timer_wheel_prefetch_cancel(const struct timer_wheel *w, uint32_t i);

/* Start loading, for writing, the element that arming element i for tick
 * `at` would write to (the first of its list). */
void timer_wheel_prefetch_arm(const struct timer_wheel *w, uint32_t i,
			      uint32_t at);

/* Take one element whose tick is at or before `now`, disarmed, and return
 * its number; TIMER_NIL once none is left. Elements come out in the order
 * of their ticks (any order within a tick); the caller may arm or cancel
 * any element between calls. An element armed during a round for a tick
 * the wheel has passed comes out at the next tick: in this round if that
 * is not after `now`. */
uint32_t timer_wheel_expire(struct timer_wheel *w, uint32_t now);

#endif
