/* test_tcb_table: insert, find and remove under random churn agree with a
 * plain model; groups that fill up pass entries on and count them, and
 * removals keep every entry reachable and the counts exact (also across
 * the end of the index); a full table refuses; TCB numbers never move;
 * nothing leaks. */
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

/* Every entry of the index names a TCB in use whose tuple has that hash,
 * once, and every group's overflow counts exactly the entries that sit
 * past it on their probe (from their home group). */
static int
index_sound(const struct tcb_table *t)
{
	uint32_t entries = 0, groups = t->mask + 1;
	char *seen = calloc(t->capacity, 1);
	uint32_t *passing = calloc(groups, sizeof(uint32_t));
	int ok = 1;

	for (uint32_t i = 0; i < groups; i++) {
		const struct tcb_group *g = &t->groups[i];

		for (unsigned k = 0; k < TCB_GROUP_SLOTS; k++) {
			uint32_t n;

			if (g->tcb_plus1[k] == 0)
				continue;
			entries++;
			n = g->tcb_plus1[k] - 1;
			if (n >= t->capacity || seen[n]++ ||
			    t->tcbs[n].state == TCB_FREE ||
			    tcb_tag(tcb_hash(t, &t->tcbs[n].tuple)) !=
				g->hash[k]) {
				ok = 0;
				continue;
			}
			for (uint32_t h =
				 tcb_hash(t, &t->tcbs[n].tuple) & t->mask;
			     h != i; h = (h + 1) & t->mask)
				passing[h]++;
		}
	}
	for (uint32_t i = 0; i < groups; i++)
		if (passing[i] != t->groups[i].overflow)
			ok = 0;
	free(seen);
	free(passing);
	return ok && entries == t->in_use;
}

static void
test_sizes(void)
{
	CHECK_EQ_U64(sizeof(struct tcb), 64);
	CHECK_EQ_U64(sizeof(struct tcb_group), 64);
	/* 10M TCBs: 640 MB of TCBs and 2^22 groups (256 MiB) */
	CHECK_EQ_U64(tcb_table_footprint(10000000),
		     10000000ull * 64 + (1ull << 22) * 64);
	/* less than half of the index's slots are ever used */
	CHECK_EQ_U64(tcb_table_footprint(111), 111 * 64 + 32 * 64);
	CHECK_EQ_U64(tcb_table_footprint(112), 112 * 64 + 64 * 64);
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

/* A tuple whose home group is `home` (by search). */
static struct tcp_tuple
tuple_at(const struct tcb_table *t, uint32_t home)
{
	for (;;) {
		struct tcp_tuple k = random_tuple();

		if ((tcb_hash(t, &k) & t->mask) == home)
			return k;
	}
}

/* Groups that fill up and pass entries on, across the end of the index;
 * removals in a mixed order: the survivors stay reachable, the overflow
 * counts stay exact and the index ends empty. */
static void
test_overflow(void)
{
	enum { K = 18 };
	struct tcb_table *t = table_new(20, 3); /* 8 groups, 56 slots */
	struct tcp_tuple k[K];
	struct tcb *p[K];
	/* 9 at the last group (2 wrap to group 0), 6 at group 0 (1 goes on
	 * to group 1), 3 at group 1 */
	static const uint32_t homes[K] = {7, 7, 7, 7, 7, 7, 7, 7, 7,
					  0, 0, 0, 0, 0, 0, 1, 1, 1};
	static const int order[K] = {0,	 9, 15, 8, 3, 16, 10, 1,  12,
				     17, 4, 11, 7, 2, 14, 5,  13, 6};

	CHECK_EQ_U64(t->mask, 7);
	for (int i = 0; i < K; i++) {
		k[i] = tuple_at(t, homes[i]);
		p[i] = tcb_table_insert(t, &k[i], tcb_hash(t, &k[i]));
		CHECK(p[i] != NULL);
		if (p[i])
			p[i]->state = TCB_OPEN;
	}
	CHECK_EQ_U64(t->groups[7].overflow, 2);
	CHECK_EQ_U64(t->groups[0].overflow,
		     1); /* the 2 from group 3 sit in it */
	CHECK(index_sound(t));
	for (int r = 0; r < K; r++) {
		int gone = order[r];

		tcb_table_remove(t, p[gone]);
		p[gone] = NULL;
		CHECK(index_sound(t));
		for (int i = 0; i < K; i++) {
			struct tcb *f =
			    tcb_table_find(t, &k[i], tcb_hash(t, &k[i]));

			CHECK(f == p[i]);
			if (p[i])
				CHECK(tcb_table_candidate(
					  t, tcb_hash(t, &k[i])) != NULL);
		}
	}
	CHECK_EQ_U64(t->in_use, 0);
	for (uint32_t i = 0; i <= t->mask; i++) {
		CHECK_EQ_U64(t->groups[i].overflow, 0);
		for (unsigned s = 0; s < TCB_GROUP_SLOTS; s++)
			CHECK_EQ_U64(t->groups[i].tcb_plus1[s], 0);
	}
	table_free(t);
}

/* Random churn at up to 100% of capacity (half the index) against a
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
	test_overflow();
	test_churn();
	return check_report("tcb_table");
}
