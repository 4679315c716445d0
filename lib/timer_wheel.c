/* timer_wheel: buckets as stacks of element numbers in pool chunks, and
 * lazy entries (an entry is queued again if its element's deadline moved
 * later, dropped if it was cancelled); see timer_wheel.h. */
#include "timer_wheel.h"

/* Elements whose links expiry starts loading ahead of their turn. */
#define EXPIRE_AHEAD 20

/* The bucket that holds the entries of the tick expiring. */
static inline uint32_t
expiring(const struct timer_wheel *w)
{
	return w->mask + 1;
}

/* Chunks: one per TIMER_CHUNK_ENTRIES entries (an element has at most
 * one), plus a partly filled top per bucket. */
static size_t
chunk_count(uint32_t buckets, uint32_t elements)
{
	return (size_t)elements / TIMER_CHUNK_ENTRIES + buckets + 2;
}

static size_t
buckets_bytes(uint32_t buckets)
{
	size_t n = ((size_t)buckets + 1) * sizeof(struct timer_bucket);

	return (n + 63) & ~(size_t)63;
}

size_t
timer_wheel_footprint(uint32_t buckets, uint32_t elements)
{
	return buckets_bytes(buckets) + chunk_count(buckets, elements) *
					    TIMER_CHUNK_WORDS *
					    sizeof(uint32_t);
}

void
timer_wheel_init(struct timer_wheel *w, void *mem, uint32_t buckets,
		 uint32_t elements, struct timer_link *links, size_t stride,
		 uint32_t now)
{
	size_t chunks = chunk_count(buckets, elements);

	w->bucket = mem;
	w->pool = (uint32_t *)((char *)mem + buckets_bytes(buckets));
	w->mask = buckets - 1;
	w->now = now;
	w->base = (char *)links;
	w->stride = stride;
	w->armed = 0;
	for (uint32_t b = 0; b <= buckets; b++)
		w->bucket[b] = (struct timer_bucket){TIMER_NIL, 0, 0};
	for (size_t c = 0; c < chunks; c++)
		w->pool[c * TIMER_CHUNK_WORDS] =
		    c + 1 < chunks ? (uint32_t)(c + 1) : TIMER_NIL;
	w->free_chunk = 0;
}

/* Drop bucket b's top chunk, now empty. */
static inline void
chunk_free_top(struct timer_wheel *w, struct timer_bucket *bk)
{
	uint32_t c = bk->top;

	bk->top = w->pool[c * TIMER_CHUNK_WORDS];
	bk->n = bk->top == TIMER_NIL ? 0 : TIMER_CHUNK_ENTRIES;
	w->pool[c * TIMER_CHUNK_WORDS] = w->free_chunk;
	w->free_chunk = c;
}

/* The bucket holding a chunk: the one named in its word 1, or, if that
 * one has taken a turn since, the expiring bucket (which holds the chunks
 * of the latest bucket taken: it is empty when the next is taken). */
static inline struct timer_bucket *
chunk_bucket(struct timer_wheel *w, uint32_t chunk)
{
	uint32_t word = w->pool[chunk + 1];
	struct timer_bucket *bk = &w->bucket[word & ~TIMER_TURN];

	if ((word & TIMER_TURN) != (uint32_t)bk->turn << 16)
		return &w->bucket[expiring(w)];
	return bk;
}

void
timer_entry_remove(struct timer_wheel *w, uint32_t pos)
{
	uint32_t chunk = pos & ~(uint32_t)(TIMER_CHUNK_WORDS - 1);
	struct timer_bucket *bk = chunk_bucket(w, chunk);
	uint32_t last;

	last = bk->top * TIMER_CHUNK_WORDS + TIMER_FIRST_ENTRY + bk->n - 1;
	if (last != pos) {
		uint32_t j = w->pool[last];
		struct timer_link *m = timer_link_of(w, j);

		w->pool[pos] = j;
		m->pos = (m->pos & TIMER_ARMED) | pos;
	}
	if (--bk->n == 0)
		chunk_free_top(w, bk);
}

/* Start loading the chunk two below the top of bucket e: the chunks are
 * chained, and expiry reads the entries of the one below the top ahead
 * (prefetch_below), so that one must be loaded already. Called when a
 * chunk becomes the top: each is loaded a chunk's worth of expiries ahead
 * of its use, not when it is reached. */
static inline void
prefetch_chunks(const struct timer_wheel *w, const struct timer_bucket *e)
{
	uint32_t c = e->top;

	for (int k = 0; k < 2 && c != TIMER_NIL; k++)
		c = w->pool[c * TIMER_CHUNK_WORDS];
	if (c != TIMER_NIL)
		__builtin_prefetch(&w->pool[c * TIMER_CHUNK_WORDS]);
}

/* Move the entries of the wheel's next tick to the expiring bucket: its
 * chunks go as they are, the bucket takes its next turn. */
static void
take_next_tick(struct timer_wheel *w)
{
	struct timer_bucket *bk, *e = &w->bucket[expiring(w)];

	w->now++;
	bk = &w->bucket[w->now & w->mask];
	*e = *bk;
	bk->top = TIMER_NIL;
	bk->n = 0;
	bk->turn ^= TIMER_TURN >> 16;
	prefetch_chunks(w, e);
}

/* Start loading the link of the entry `ahead` places below the top of
 * bucket e. */
static inline void
prefetch_below(const struct timer_wheel *w, const struct timer_bucket *e,
	       uint32_t ahead)
{
	uint32_t c = e->top, n = e->n;

	while (ahead >= n) {
		c = w->pool[c * TIMER_CHUNK_WORDS];
		if (c == TIMER_NIL)
			return;
		ahead -= n;
		n = TIMER_CHUNK_ENTRIES;
	}
	__builtin_prefetch(
	    timer_link_of(w, w->pool[c * TIMER_CHUNK_WORDS + TIMER_FIRST_ENTRY +
				     n - 1 - ahead]),
	    1);
}

uint32_t
timer_wheel_expire(struct timer_wheel *w, uint32_t now)
{
	struct timer_bucket *e = &w->bucket[expiring(w)];

	for (;;) {
		if (e->top != TIMER_NIL) {
			uint32_t pos = e->top * TIMER_CHUNK_WORDS +
				       TIMER_FIRST_ENTRY + e->n - 1;
			uint32_t i = w->pool[pos];
			struct timer_link *l = timer_link_of(w, i);

			prefetch_below(w, e, EXPIRE_AHEAD);
			if (--e->n == 0) {
				chunk_free_top(w, e);
				prefetch_chunks(w, e);
			}
			l->pos &= TIMER_ARMED;
			l->pos |= TIMER_POS_NONE;
			if (!(l->pos & TIMER_ARMED))
				continue; /* cancelled */
			if (tick_before(w->now, l->at)) {
				/* moved later, or due in a later turn */
				timer_entry_push(w, i, l, l->at);
				continue;
			}
			l->pos = TIMER_POS_NONE;
			w->armed--;
			return i;
		}
		if (!tick_before(w->now, now))
			return TIMER_NIL;
		/* Past a whole revolution every bucket is due once: start
		 * one revolution before now, so each is visited once. */
		if (now - w->now > w->mask + 1)
			w->now = now - (w->mask + 1);
		take_next_tick(w);
	}
}
