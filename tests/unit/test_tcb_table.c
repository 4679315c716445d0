/* test_tcb_table: insert, find and remove under random churn agree with a
 * plain model; backward-shift deletion keeps every entry reachable (also
 * across the end of the index, and in long clusters); a full table refuses;
 * TCB numbers never move; nothing leaks. */
#include <stdlib.h>

#include "check.h"
#include "tcb_table.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct tcp_tuple
random_tuple(void)
{
	uint64_t r = rnd64();

	return (struct tcp_tuple){
	    .their_ip = 0xc6120000u | (uint32_t)(r & 0x1ffff),
	    .our_ip = 0xc6130001u + (uint32_t)(r >> 17 & 1),
	    .their_port = (uint16_t)(r >> 18),
	    .our_port = (uint16_t)(61000 + (r >> 34 & 3)),
	};
}

static struct tcb_table *
table_new(uint32_t capacity, uint64_t seed)
{
	struct tcb_table *t = malloc(sizeof(*t));
	void *mem = aligned_alloc(64, (tcb_table_footprint(capacity) + 63) &
					  ~(size_t)63);

	tcb_table_init(t, mem, capacity, seed);
	return t;
}

static void
table_free(struct tcb_table *t)
{
	free(t->tcbs);
	free(t);
}

/* Every entry of the index is found from its home without crossing an
 * empty slot, names a TCB in use whose tuple has that hash, once. */
static int
index_sound(const struct tcb_table *t)
{
	uint32_t entries = 0;
	char *seen = calloc(t->capacity, 1);
	int ok = 1;

	for (uint32_t i = 0; i <= t->mask; i++) {
		const struct tcb_slot *s = &t->slots[i];
		uint32_t n, home;

		if (s->tcb_plus1 == 0)
			continue;
		entries++;
		n = s->tcb_plus1 - 1;
		if (n >= t->capacity || seen[n]++ ||
		    t->tcbs[n].state == TCB_FREE ||
		    tcb_hash(t, &t->tcbs[n].tuple) != s->hash) {
			ok = 0;
			continue;
		}
		for (home = s->hash & t->mask; home != i;
		     home = (home + 1) & t->mask)
			if (t->slots[home].tcb_plus1 == 0)
				ok = 0;
	}
	free(seen);
	return ok && entries == t->in_use;
}

static void
test_sizes(void)
{
	CHECK_EQ_U64(sizeof(struct tcb), 64);
	CHECK_EQ_U64(sizeof(struct tcb_slot), 8);
	/* 10M TCBs: 640 MB of TCBs and a 2^24-slot index (128 MiB) */
	CHECK_EQ_U64(tcb_table_footprint(10000000),
		     10000000ull * 64 + (1ull << 24) * 8);
	/* at most 80% of the index is ever used */
	CHECK_EQ_U64(tcb_table_footprint(100), 100 * 64 + 128 * 8);
	CHECK_EQ_U64(tcb_table_footprint(103), 103 * 64 + 256 * 8);
}

static void
test_basic(void)
{
	struct tcb_table *t = table_new(4, 1);
	struct tcp_tuple a = {0xc6120001, 0xc6130001, 80, 61000};
	struct tcp_tuple b = a, c = a, d = a, e = a;
	struct tcb *ta, *tb;

	b.their_port = 22;
	c.our_port = 61001;
	d.their_ip++;
	e.our_ip++;
	CHECK(tcb_table_find(t, &a, tcb_hash(t, &a)) == NULL);
	ta = tcb_table_insert(t, &a, tcb_hash(t, &a));
	tb = tcb_table_insert(t, &b, tcb_hash(t, &b));
	CHECK(ta && tb && ta != tb);
	CHECK(tcb_table_find(t, &a, tcb_hash(t, &a)) == ta);
	CHECK(tcb_table_find(t, &b, tcb_hash(t, &b)) == tb);
	CHECK(tcb_table_find(t, &c, tcb_hash(t, &c)) == NULL);
	CHECK(tcp_tuple_equal(&ta->tuple, &a));
	CHECK(!timer_link_armed(&ta->timer));
	ta->state = TCB_OPEN;
	tb->state = TCB_OPEN;
	CHECK(tcb_table_insert(t, &c, tcb_hash(t, &c)) != NULL);
	CHECK(tcb_table_insert(t, &d, tcb_hash(t, &d)) != NULL);
	CHECK_EQ_U64(t->in_use, 4);
	CHECK(tcb_table_insert(t, &e, tcb_hash(t, &e)) == NULL); /* full */
	CHECK_EQ_U64(t->in_use, 4);
	tcb_table_remove(t, ta);
	CHECK(ta->state == TCB_FREE);
	CHECK(tcb_table_find(t, &a, tcb_hash(t, &a)) == NULL);
	CHECK(tcb_table_find(t, &b, tcb_hash(t, &b)) == tb);
	/* the freed TCB is reused */
	CHECK(tcb_table_insert(t, &e, tcb_hash(t, &e)) == ta);
	CHECK(tcb_table_find(t, &e, tcb_hash(t, &e)) == ta);
	/* hashes depend on the seed */
	{
		struct tcb_table *u = table_new(4, 2);

		CHECK(tcb_hash(t, &a) != tcb_hash(u, &a));
		table_free(u);
	}
	table_free(t);
}

/* A tuple whose home slot is `home` (by search). */
static struct tcp_tuple
tuple_at(const struct tcb_table *t, uint32_t home)
{
	for (;;) {
		struct tcp_tuple k = random_tuple();

		if ((tcb_hash(t, &k) & t->mask) == home)
			return k;
	}
}

/* Clusters that wrap past the last slot, removals from their middle and
 * ends: the survivors stay reachable and the index stays tight. */
static void
test_backward_shift(void)
{
	struct tcb_table *t = table_new(12, 3); /* 16 slots */
	struct tcp_tuple k[12];
	struct tcb *p[12];
	static const uint32_t homes[12] = {14, 14, 15, 14, 0, 1,
					   1,  15, 5,  5,  6, 3};
	/* the first of the wrapping cluster, then one from its middle,
	 * then its last, ... */
	static const int order[12] = {0, 4, 7, 8, 2, 11, 1, 9, 3, 10, 5, 6};

	CHECK_EQ_U64(t->mask, 15);
	for (int i = 0; i < 12; i++) {
		k[i] = tuple_at(t, homes[i]);
		p[i] = tcb_table_insert(t, &k[i], tcb_hash(t, &k[i]));
		CHECK(p[i] != NULL);
		if (p[i])
			p[i]->state = TCB_OPEN;
	}
	CHECK(index_sound(t));
	for (int r = 0; r < 12; r++) {
		int gone = order[r];

		tcb_table_remove(t, p[gone]);
		p[gone] = NULL;
		CHECK(index_sound(t));
		for (int i = 0; i < 12; i++) {
			struct tcb *f =
			    tcb_table_find(t, &k[i], tcb_hash(t, &k[i]));

			CHECK(f == p[i]);
		}
	}
	CHECK_EQ_U64(t->in_use, 0);
	for (uint32_t i = 0; i <= t->mask; i++)
		CHECK_EQ_U64(t->slots[i].tcb_plus1, 0);
	table_free(t);
}

/* Random churn at up to 100% of capacity (80% of the index) against a
 * model; TCB numbers are stable while in use. */
static void
test_churn(void)
{
	enum { CAP = 1000, OPS = 200000 };
	struct tcb_table *t = table_new(CAP, 4);
	struct tcp_tuple keys[CAP];
	struct tcb *held[CAP];
	unsigned n = 0, full = 0, bad = 0;

	for (int op = 0; op < OPS; op++) {
		/* lean towards filling, so the table is often full */
		if (rnd64() % 100 < 55) {
			struct tcp_tuple k = random_tuple();
			struct tcb *f = tcb_table_find(t, &k, tcb_hash(t, &k));
			struct tcb *x;

			if (f) /* already there: the model agrees */
				continue;
			x = tcb_table_insert(t, &k, tcb_hash(t, &k));
			if (n == CAP) {
				full++;
				if (x != NULL)
					bad++;
				continue;
			}
			if (x == NULL) {
				bad++;
				continue;
			}
			x->state = TCB_OPEN;
			keys[n] = k;
			held[n++] = x;
		} else if (n) {
			unsigned i = (unsigned)(rnd64() % n);

			tcb_table_remove(t, held[i]);
			if (tcb_table_find(t, &keys[i],
					   tcb_hash(t, &keys[i])) != NULL)
				bad++;
			keys[i] = keys[--n];
			held[i] = held[n];
		}
		if (op % 5000 == 0) {
			CHECK(index_sound(t));
			for (unsigned i = 0; i < n; i++)
				if (tcb_table_find(t, &keys[i],
						   tcb_hash(t, &keys[i])) !=
				    held[i])
					bad++;
		}
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(full > 1000); /* the full table was exercised */
	CHECK_EQ_U64(t->in_use, n);
	CHECK(index_sound(t));
	while (n)
		tcb_table_remove(t, held[--n]);
	CHECK_EQ_U64(t->in_use, 0);
	CHECK(index_sound(t));
	CHECK(t->fresh <= CAP);
	table_free(t);
}

int
main(void)
{
	test_sizes();
	test_basic();
	test_backward_shift();
	test_churn();
	return check_report("tcb_table");
}
