/* test_timer_wheel: elements fire exactly once, at their tick, in tick
 * order; cancel and re-arm (earlier and later, also during expiry) hold;
 * deadlines beyond one revolution, jumps of the clock and the 2^32 wrap
 * of ticks are handled —
 * checked against a plain array model under random churn — and the wheel
 * stays in its footprint (allocated exactly, for ASan) whatever is armed. */
#include <stdlib.h>

#include "check.h"
#include "timer_wheel.h"

#define N 2000
#define BUCKETS 64

struct elem {
	uint64_t payload; /* the link need not come first */
	struct timer_link link;
};

static struct elem elems[N];
static void *mem;      /* timer_wheel_footprint bytes */
static int64_t due[N]; /* the model: tick when armed, -1 if not */

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void
setup(struct timer_wheel *w, uint32_t now)
{
	for (int i = 0; i < N; i++) {
		timer_link_init(&elems[i].link);
		due[i] = -1;
	}
	timer_wheel_init(w, mem, BUCKETS, N, &elems[0].link, sizeof(elems[0]),
			 now);
}

/* A few elements by hand: order, past ticks, cancel, re-arm. */
static void
test_basics(void)
{
	struct timer_wheel w;
	uint32_t got[8];
	int n = 0;

	CHECK(timer_wheel_footprint(BUCKETS, N) <
	      timer_wheel_footprint(BUCKETS, 2 * N));
	setup(&w, 1000);
	timer_wheel_arm(&w, 3, 1010);
	timer_wheel_arm(&w, 1, 1005);
	timer_wheel_arm(&w, 2, 1005);
	timer_wheel_arm(&w, 4, 1200); /* beyond one revolution (64) */
	timer_wheel_arm(&w, 5, 990);  /* in the past: the next tick */
	timer_wheel_arm(&w, 6, 1007);
	CHECK_EQ_U64(w.armed, 6);
	CHECK(timer_link_armed(&elems[6].link));
	timer_wheel_cancel(&w, 6);
	timer_wheel_cancel(&w, 6); /* twice is harmless */
	CHECK(!timer_link_armed(&elems[6].link));
	CHECK_EQ_U64(w.armed, 5);

	CHECK_EQ_U64(timer_wheel_expire(&w, 1000), TIMER_NIL);
	CHECK_EQ_U64(timer_wheel_expire(&w, 1001), 5);
	CHECK_EQ_U64(timer_wheel_expire(&w, 1001), TIMER_NIL);
	CHECK_EQ_U64(timer_wheel_expire(&w, 1004), TIMER_NIL);
	timer_wheel_arm(&w, 3, 1006); /* re-arm earlier */
	for (uint32_t i; (i = timer_wheel_expire(&w, 1010)) != TIMER_NIL;)
		got[n++] = i;
	CHECK_EQ_U64(n, 3);
	CHECK((got[0] == 1 && got[1] == 2) || (got[0] == 2 && got[1] == 1));
	CHECK_EQ_U64(got[2], 3);
	/* 4 is due at 1200: passes at 1008+64k leave it in place. */
	CHECK_EQ_U64(timer_wheel_expire(&w, 1199), TIMER_NIL);
	CHECK(timer_link_armed(&elems[4].link));
	timer_wheel_arm(&w, 4, 1300); /* re-arm later */
	CHECK_EQ_U64(timer_wheel_expire(&w, 1299), TIMER_NIL);
	CHECK_EQ_U64(timer_wheel_expire(&w, 1300), 4);
	CHECK_EQ_U64(w.armed, 0);
	CHECK(!timer_link_armed(&elems[4].link));
}

/* An element re-armed from its own expiry, every 7 ticks, fires exactly
 * once per period; one armed for "now" during expiry fires next tick. */
static void
test_periodic(void)
{
	struct timer_wheel w;
	unsigned fired = 0;

	setup(&w, 0);
	timer_wheel_arm(&w, 0, 7);
	for (uint32_t now = 1; now <= 700; now++) {
		for (uint32_t i;
		     (i = timer_wheel_expire(&w, now)) != TIMER_NIL;) {
			CHECK_EQ_U64(i, 0);
			CHECK_EQ_U64(now % 7, 0);
			fired++;
			timer_wheel_arm(&w, 0, now + 7);
		}
	}
	CHECK_EQ_U64(fired, 100);

	setup(&w, 0);
	timer_wheel_arm(&w, 0, 5);
	CHECK_EQ_U64(timer_wheel_expire(&w, 5), 0);
	timer_wheel_arm(&w, 1, 5); /* the wheel is at 5: it means 6 */
	CHECK_EQ_U64(timer_wheel_expire(&w, 5), TIMER_NIL);
	CHECK_EQ_U64(elems[1].link.at, 6);
	CHECK_EQ_U64(timer_wheel_expire(&w, 6), 1);
}

/* One round of expiry at `now`: everything due fires exactly once, nothing
 * early, in tick order when the clock moved less than a revolution; some
 * fired elements are re-armed from the loop. The model keeps 64-bit ticks,
 * the wheel their low 32 bits. */
static void
expire_round(struct timer_wheel *w, int64_t prev, int64_t now)
{
	int ordered = now - prev <= BUCKETS;
	int64_t last = -1;
	uint32_t i;

	while ((i = timer_wheel_expire(w, (uint32_t)now)) != TIMER_NIL) {
		CHECK(i < N);
		if (i >= N)
			return;
		CHECK(due[i] >= 0 && due[i] <= now);
		if (ordered) {
			CHECK(due[i] >= last);
			last = due[i];
		}
		due[i] = -1;
		if (rnd(4) == 0) {
			due[i] = now + 1 + rnd(3 * BUCKETS);
			timer_wheel_arm(w, i, (uint32_t)due[i]);
		}
		/* another element, whose entry may sit in the bucket being
		 * expired (due a later revolution): armed earlier, it is
		 * taken out of that bucket */
		if (rnd(2) == 0) {
			uint32_t j = rnd(N);

			if (rnd(4)) {
				due[j] = now + 1 + rnd(3 * BUCKETS);
				timer_wheel_arm(w, j, (uint32_t)due[j]);
			} else {
				timer_wheel_cancel(w, j);
				due[j] = -1;
			}
		}
	}
}

/* Random churn against the model, starting just below the 2^32 wrap. */
static void
test_churn(void)
{
	struct timer_wheel w;
	int64_t now = 0xffffff00u, start = now;
	unsigned armed, wrong;

	setup(&w, (uint32_t)now);
	for (int step = 0; step < 3000; step++) {
		int64_t prev = now;

		for (int k = 0; k < 20; k++) {
			uint32_t i = rnd(N);

			switch (rnd(4)) {
			case 0:
			case 1: /* arm or re-arm, near or revolutions away */
				due[i] = now + 1 +
					 rnd(rnd(8) ? BUCKETS : 10 * BUCKETS);
				timer_wheel_arm(&w, i, (uint32_t)due[i]);
				break;
			case 2: /* a tick already passed: the next one */
				timer_wheel_arm(&w, i,
						(uint32_t)(now - rnd(5)));
				due[i] = now + 1;
				break;
			case 3:
				timer_wheel_cancel(&w, i);
				due[i] = -1;
				break;
			}
		}
		/* mostly small steps, sometimes a jump of revolutions */
		now += rnd(20) == 0 ? 1 + rnd(5 * BUCKETS) : 1 + rnd(3);
		expire_round(&w, prev, now);
		armed = 0;
		wrong = 0;
		for (int k = 0; k < N; k++) {
			if (due[k] >= 0) {
				armed++;
				wrong += due[k] <= now; /* left behind */
			}
			wrong +=
			    timer_link_armed(&elems[k].link) != (due[k] >= 0);
		}
		CHECK_EQ_U64(wrong, 0);
		CHECK_EQ_U64(w.armed, armed);
	}
	CHECK(now - start > 0x100); /* the ticks wrapped past 2^32 */
}

/* Free chunks left in the pool. */
static size_t
free_chunks(const struct timer_wheel *w)
{
	size_t n = 0;

	for (uint32_t c = w->free_chunk; c != TIMER_NIL; c = w->pool[c * 16])
		n++;
	return n;
}

/* Every element armed, spread so that every bucket has a partly filled
 * top chunk, then moved earlier one by one (each move takes an entry out
 * of one bucket and pushes it on another) and cancelled and armed again
 * (an entry stays behind): the pool never runs out, each fires once. */
static void
test_bounds(void)
{
	struct timer_wheel w;
	int fired = 0;

	setup(&w, 0);
	for (uint32_t i = 0; i < N; i++)
		timer_wheel_arm(&w, i, 1 + BUCKETS + i % (3 * BUCKETS));
	for (int round = 0; round < 3; round++)
		for (uint32_t i = 0; i < N; i++) {
			timer_wheel_arm(&w, i, 1 + (i * 7 + round) % BUCKETS);
			timer_wheel_cancel(&w, i);
			timer_wheel_arm(&w, i, 2 + (i * 7 + round) % BUCKETS);
		}
	CHECK_EQ_U64(w.armed, N);
	CHECK(free_chunks(&w) >= 1);
	for (uint32_t now = 1; now <= 2 + BUCKETS; now++) {
		uint32_t i;

		while ((i = timer_wheel_expire(&w, now)) != TIMER_NIL) {
			CHECK(i < N);
			if (i >= N)
				return;
			CHECK_EQ_U64(elems[i].link.at, now);
			CHECK(!timer_link_armed(&elems[i].link));
			fired++;
		}
	}
	CHECK_EQ_U64(fired, N);
	CHECK_EQ_U64(w.armed, 0);
	/* every entry is gone: all chunks are free again */
	CHECK_EQ_U64(free_chunks(&w), N / TIMER_CHUNK_ENTRIES + BUCKETS + 2);
}

int
main(void)
{
	mem = malloc(timer_wheel_footprint(BUCKETS, N));
	if (mem == NULL)
		return 1;
	test_basics();
	test_bounds();
	test_periodic();
	test_churn();
	free(mem);
	return check_report("timer_wheel");
}
