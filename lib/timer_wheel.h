/* timer_wheel: a hashed timing wheel of 1 ms ticks over the elements of a
 * caller's array, each carrying a struct timer_link. Each tick's bucket is a
 * stack of element numbers in 64-byte chunks from a preallocated pool; an
 * element has at most one entry. Arming later than the entry just moves the
 * element's deadline (the entry is queued again when it comes up), and
 * cancelling only clears a flag: neither writes anywhere but the element. */
#ifndef TIDESCAN_TIMER_WHEEL_H
#define TIDESCAN_TIMER_WHEEL_H

#include <stddef.h>
#include <stdint.h>

/* "No element" from timer_wheel_expire, and "none" in the wheel's lists. */
#define TIMER_NIL 0xffffffffu
/* Elements are numbered from 0 to TIMER_MAX_ELEMENTS - 1 (so that entry
 * places fit in 31 bits). */
#define TIMER_MAX_ELEMENTS 0x40000000u
/* Entries per 64-byte chunk (two words of header). */
#define TIMER_CHUNK_ENTRIES 14
#define TIMER_CHUNK_WORDS 16
#define TIMER_FIRST_ENTRY 2 /* words 0 and 1: the chunk below, the bucket */
/* In a chunk's word 1 with its bucket's number: the bucket's turn bit when
 * the chunk was taken (see struct timer_bucket). */
#define TIMER_TURN 0x80000000u

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

/* Embedded in each element. pos is its entry's place in the pool
 * (TIMER_POS_NONE: it has none) with TIMER_ARMED set while it is armed;
 * an armed element always has an entry, at a tick no later than `at`. An
 * unarmed element's `at` is free for its owner (tcb_table chains free
 * TCBs through it). */
struct timer_link {
	uint32_t at;  /* tick it fires at, when armed */
	uint32_t pos; /* TIMER_ARMED | entry place, or TIMER_POS_NONE */
	uint32_t qat; /* tick its entry comes up at, when it has one */
};
#define TIMER_ARMED 0x80000000u
#define TIMER_POS_NONE 0x7fffffffu

/* A bucket: its top chunk (TIMER_NIL: empty) and the entries in it; the
 * chunks below the top are full. turn flips each time the bucket's
 * chunks are moved to the expiring bucket: they keep the old turn in
 * their word 1, so that moving them writes none of them. */
struct timer_bucket {
	uint32_t top;
	uint16_t n;
	uint16_t turn; /* 0 or TIMER_TURN >> 16 */
};

struct timer_wheel {
	uint32_t *pool;		     /* chunks of 16 words: below, bucket,
				      * then TIMER_CHUNK_ENTRIES entries */
	struct timer_bucket *bucket; /* mask + 2: the last holds the
				      * entries of the tick expiring */
	uint32_t free_chunk;	     /* free chunks, chained by word 0 */
	uint32_t mask;		     /* buckets - 1 */
	uint32_t now;		     /* last tick whose bucket was taken */
	char *base;		     /* element i's link is at base + i *
				      * stride */
	size_t stride;
	uint32_t armed; /* elements armed now */
};

/* Bytes of `mem` timer_wheel_init needs for `buckets` (a power of two, at
 * most 2^24) and `elements` (at most TIMER_MAX_ELEMENTS): every element can
 * be armed at once, whatever the deadlines. */
size_t timer_wheel_footprint(uint32_t buckets, uint32_t elements);

/* Set up an empty wheel whose clock reads `now`, in mem (64-byte aligned).
 * links points at element 0's struct timer_link; element i's is stride
 * bytes further per step. Every element's link must be set up with
 * timer_link_init before it is first armed, and never again after. */
void timer_wheel_init(struct timer_wheel *w, void *mem, uint32_t buckets,
		      uint32_t elements, struct timer_link *links,
		      size_t stride, uint32_t now);

static inline void
timer_link_init(struct timer_link *l)
{
	l->at = 0;
	l->pos = TIMER_POS_NONE;
	l->qat = 0;
}

static inline int
timer_link_armed(const struct timer_link *l)
{
	return (l->pos & TIMER_ARMED) != 0;
}

static inline struct timer_link *
timer_link_of(const struct timer_wheel *w, uint32_t i)
{
	return (struct timer_link *)(w->base + (size_t)i * w->stride);
}

/* Queue element i (link l, armed or not) at tick `at`. */
static inline void
timer_entry_push(struct timer_wheel *w, uint32_t i, struct timer_link *l,
		 uint32_t at)
{
	uint32_t b = at & w->mask;
	struct timer_bucket *bk = &w->bucket[b];
	uint32_t pos;

	if (bk->top == TIMER_NIL || bk->n == TIMER_CHUNK_ENTRIES) {
		/* the pool holds a chunk for every full one plus a top per
		 * bucket, so it is never empty here */
		uint32_t c = w->free_chunk;

		w->free_chunk = w->pool[c * TIMER_CHUNK_WORDS];
		w->pool[c * TIMER_CHUNK_WORDS] = bk->top;
		w->pool[c * TIMER_CHUNK_WORDS + 1] = b | (uint32_t)bk->turn
							     << 16;
		bk->top = c;
		bk->n = 0;
	}
	pos = bk->top * TIMER_CHUNK_WORDS + TIMER_FIRST_ENTRY + bk->n++;
	w->pool[pos] = i;
	l->pos = (l->pos & TIMER_ARMED) | pos;
	l->qat = at;
}

/* Take the entry at pos out of its bucket: the bucket's last entry fills
 * its place. */
void timer_entry_remove(struct timer_wheel *w, uint32_t pos);

/* Arm element i to fire at tick `at`, or move it there if armed. A tick the
 * wheel has already passed is taken as the next one. Writes only element
 * i's link and, when its entry must come earlier, the top of two buckets
 * and the element whose entry fills the gap. Inline: the stack arms a
 * timer for most segments. */
static inline void
timer_wheel_arm(struct timer_wheel *w, uint32_t i, uint32_t at)
{
	struct timer_link *l = timer_link_of(w, i);
	uint32_t pos = l->pos & ~TIMER_ARMED;

	if (!(l->pos & TIMER_ARMED))
		w->armed++;
	if (tick_before_eq(at, w->now))
		at = w->now + 1;
	l->at = at;
	l->pos |= TIMER_ARMED;
	if (pos != TIMER_POS_NONE) {
		if (tick_before_eq(l->qat, at))
			return; /* its entry comes first: queued again then */
		timer_entry_remove(w, pos);
	}
	timer_entry_push(w, i, l, at);
}

/* Disarm element i (its entry is dropped when it comes up); nothing
 * happens if it is not armed. */
static inline void
timer_wheel_cancel(struct timer_wheel *w, uint32_t i)
{
	struct timer_link *l =
	    (struct timer_link *)(w->base + (size_t)i * w->stride);

	if (l->pos & TIMER_ARMED) {
		l->pos &= ~TIMER_ARMED;
		w->armed--;
	}
}

/* Take one element whose tick is at or before `now`, disarmed, and return
 * its number; TIMER_NIL once none is left. Elements come out in the order
 * of their ticks (any order within a tick); the caller may arm or cancel
 * any element between calls. An element armed during a round for a tick
 * the wheel has passed comes out at the next tick: in this round if that
 * is not after `now`. */
uint32_t timer_wheel_expire(struct timer_wheel *w, uint32_t now);

#endif
