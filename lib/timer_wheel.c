/* timer_wheel: buckets of doubly linked lists threaded through the elements
 * themselves (uint32_t indices, no pointers), one bucket per tick modulo the
 * wheel size; see timer_wheel.h for the contract. */
#include "timer_wheel.h"

/* prev of a list's first element: TIMER_HEAD | list number. */
#define TIMER_HEAD 0x80000000u

static inline struct timer_link *
link_of(const struct timer_wheel *w, uint32_t i)
{
	return (struct timer_link *)(w->base + (size_t)i * w->stride);
}

static inline uint32_t
pending_list(const struct timer_wheel *w)
{
	return w->mask + 1;
}

size_t
timer_wheel_footprint(uint32_t buckets)
{
	return ((size_t)buckets + 1) * sizeof(uint32_t);
}

void
timer_wheel_init(struct timer_wheel *w, void *mem, uint32_t buckets,
		 struct timer_link *links, size_t stride, uint32_t now)
{
	w->heads = mem;
	w->mask = buckets - 1;
	w->now = now;
	w->base = (char *)links;
	w->stride = stride;
	w->armed = 0;
	for (uint32_t b = 0; b <= buckets; b++)
		w->heads[b] = TIMER_NIL;
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
	list_push(w, at & w->mask, i, l);
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

uint32_t
timer_wheel_expire(struct timer_wheel *w, uint32_t now)
{
	uint32_t pending = pending_list(w);

	for (;;) {
		uint32_t i = w->heads[pending];

		if (i != TIMER_NIL) {
			struct timer_link *l = link_of(w, i);

			list_unlink(w, l);
			if (tick_before_eq(l->at, w->now)) {
				/* the caller works on i while the next loads */
				if (l->next != TIMER_NIL)
					__builtin_prefetch(link_of(w, l->next));
				w->armed--;
				return i;
			}
			/* Due in a later revolution: back to its bucket. */
			list_push(w, l->at & w->mask, i, l);
			continue;
		}
		if (!tick_before(w->now, now))
			return TIMER_NIL;
		/* Past a whole revolution every bucket is due once: start
		 * one revolution before now, so each is visited once. */
		if (now - w->now > w->mask + 1)
			w->now = now - (w->mask + 1);
		w->now++;
		i = w->heads[w->now & w->mask];
		if (i != TIMER_NIL) {
			w->heads[w->now & w->mask] = TIMER_NIL;
			w->heads[pending] = i;
			link_of(w, i)->prev = TIMER_HEAD | pending;
		}
	}
}
