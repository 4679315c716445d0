/* timer_wheel: buckets of doubly linked lists threaded through the elements
 * themselves (uint32_t indices, no pointers), one bucket per tick modulo the
 * wheel size, TIMER_LANES lists per bucket; see timer_wheel.h. */
#include "timer_wheel.h"

/* prev of a list's first element: TIMER_HEAD | list number. */
#define TIMER_HEAD 0x80000000u

static inline struct timer_link *
link_of(const struct timer_wheel *w, uint32_t i)
{
	return (struct timer_link *)(w->base + (size_t)i * w->stride);
}

/* The list of element i armed for tick `at`. */
static inline uint32_t
list_of(const struct timer_wheel *w, uint32_t at, uint32_t i)
{
	return (at & w->mask) * TIMER_LANES + i % TIMER_LANES;
}

/* The list holding lane k of the tick being expired. */
static inline uint32_t
expiring(const struct timer_wheel *w, uint32_t k)
{
	return (w->mask + 1) * TIMER_LANES + k;
}

size_t
timer_wheel_footprint(uint32_t buckets)
{
	return ((size_t)buckets + 1) * TIMER_LANES * sizeof(uint32_t);
}

void
timer_wheel_init(struct timer_wheel *w, void *mem, uint32_t buckets,
		 struct timer_link *links, size_t stride, uint32_t now)
{
	w->heads = mem;
	w->mask = buckets - 1;
	w->now = now;
	w->lane = 0;
	w->base = (char *)links;
	w->stride = stride;
	w->armed = 0;
	for (size_t l = 0; l < ((size_t)buckets + 1) * TIMER_LANES; l++)
		w->heads[l] = TIMER_NIL;
}

/* Put element i first in list `list`. */
static inline void
list_push(struct timer_wheel *w, uint32_t list, uint32_t i,
	  struct timer_link *l)
{
	uint32_t first = w->heads[list];

	l->next = first;
	l->prev = TIMER_HEAD | list;
	if (first != TIMER_NIL)
		link_of(w, first)->prev = i;
	w->heads[list] = i;
}

static inline void
list_unlink(struct timer_wheel *w, struct timer_link *l)
{
	if (l->next != TIMER_NIL)
		link_of(w, l->next)->prev = l->prev;
	if (l->prev & TIMER_HEAD)
		w->heads[l->prev & ~TIMER_HEAD] = l->next;
	else
		link_of(w, l->prev)->next = l->next;
	l->prev = TIMER_NIL;
}

void
timer_wheel_arm(struct timer_wheel *w, uint32_t i, uint32_t at)
{
	struct timer_link *l = link_of(w, i);

	if (timer_link_armed(l))
		list_unlink(w, l);
	else
		w->armed++;
	if (tick_before_eq(at, w->now))
		at = w->now + 1;
	l->at = at;
	list_push(w, list_of(w, at, i), i, l);
}

void
timer_wheel_cancel(struct timer_wheel *w, uint32_t i)
{
	struct timer_link *l = link_of(w, i);

	if (!timer_link_armed(l))
		return;
	list_unlink(w, l);
	w->armed--;
}

void
timer_wheel_prefetch_cancel(const struct timer_wheel *w, uint32_t i)
{
	const struct timer_link *l = link_of(w, i);

	if (!timer_link_armed(l))
		return;
	if (l->next != TIMER_NIL)
		__builtin_prefetch(link_of(w, l->next), 1);
	if (!(l->prev & TIMER_HEAD))
		__builtin_prefetch(link_of(w, l->prev), 1);
}

void
timer_wheel_prefetch_arm(const struct timer_wheel *w, uint32_t i, uint32_t at)
{
	uint32_t first;

	if (tick_before_eq(at, w->now))
		at = w->now + 1;
	first = w->heads[list_of(w, at, i)];
	if (first != TIMER_NIL)
		__builtin_prefetch(link_of(w, first), 1);
}

/* Move the lists of the wheel's next tick to the expiring lists. */
static void
take_next_tick(struct timer_wheel *w)
{
	uint32_t base;

	w->now++;
	base = (w->now & w->mask) * TIMER_LANES;
	for (uint32_t k = 0; k < TIMER_LANES; k++) {
		uint32_t i = w->heads[base + k];

		if (i == TIMER_NIL)
			continue;
		w->heads[base + k] = TIMER_NIL;
		w->heads[expiring(w, k)] = i;
		link_of(w, i)->prev = TIMER_HEAD | expiring(w, k);
		__builtin_prefetch(link_of(w, i));
	}
}

uint32_t
timer_wheel_expire(struct timer_wheel *w, uint32_t now)
{
	for (;;) {
		uint32_t k, i = TIMER_NIL;

		/* the next lane with entries, in turn: while one lane's
		 * element is handled, the next ones' are on their way */
		for (k = 0; k < TIMER_LANES; k++) {
			i = w->heads[expiring(w, (w->lane + k) % TIMER_LANES)];
			if (i != TIMER_NIL)
				break;
		}
		if (i != TIMER_NIL) {
			struct timer_link *l = link_of(w, i);

			w->lane = (w->lane + k + 1) % TIMER_LANES;
			list_unlink(w, l);
			if (l->next != TIMER_NIL)
				__builtin_prefetch(link_of(w, l->next));
			if (tick_before_eq(l->at, w->now)) {
				w->armed--;
				return i;
			}
			/* Due in a later revolution: back to its bucket. */
			list_push(w, list_of(w, l->at, i), i, l);
			continue;
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
