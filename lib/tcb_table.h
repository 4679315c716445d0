/* tcb_table: the banner stack's connections — a fixed array of 64-byte TCBs
 * and an open-addressing index from 4-tuple to TCB (groups of 7 slots in a
 * cache line, probed group by group), both in memory the caller provides.
 * Nothing is allocated after init; a TCB keeps its number for its whole
 * life. */
#ifndef TIDESCAN_TCB_TABLE_H
#define TIDESCAN_TCB_TABLE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__AVX2__) || defined(__SSE4_2__)
#include <immintrin.h>
#endif

#include "timer_wheel.h"

/* A connection's 4-tuple, host byte order. */
struct tcp_tuple {
	uint32_t their_ip;
	uint32_t our_ip;
	uint16_t their_port;
	uint16_t our_port;
};

/* TCB states: free, established (reading the banner), closing (our FIN
 * sent, banner already delivered). */
enum tcb_state {
	TCB_FREE = 0,
	TCB_OPEN,
	TCB_CLOSING,
};

/* One connection. Sequence offsets (snd_una, snd_nxt) count our bytes
 * (probe, then FIN) from iss + 1; times are ticks (ms, modulo 2^32). */
struct tcb {
	struct tcp_tuple tuple;	 /* the key: first, as tcb_table expects */
	struct timer_link timer; /* .at: the free list's link when free */
	uint32_t iss;		 /* our ISN: the SYN cookie */
	uint32_t rcv_nxt;	 /* next byte expected from them */
	uint32_t snd_wnd;	 /* their window in bytes, from snd_una */
	uint32_t opened_at;	 /* SYN-ACK: the total timeout counts from it */
	uint32_t active_at;	 /* last data, or our probe: the idle timeout */
	uint32_t event_at;	 /* wait, retransmit or persist, if TCB_EVENT */
	uint32_t buf;		 /* banner buffer number, or TCB_NO_BUFFER */
	uint16_t buf_len;	 /* banner bytes held */
	uint16_t snd_una;	 /* our bytes they acknowledged */
	uint16_t snd_nxt;	 /* our bytes sent */
	uint16_t mss;		 /* largest segment we send them */
	uint8_t state;		 /* enum tcb_state */
	uint8_t flags;		 /* TCB_* flags of lib/tcp.c */
	uint8_t retries : 4;	 /* retransmissions since the last new ack */
	uint8_t wscale : 4;	 /* shift of their window field (0..14) */
	uint8_t ttl;		 /* IP TTL of their SYN-ACK */
};

static_assert(sizeof(struct tcb) == 64, "a TCB is one cache line");
static_assert(offsetof(struct tcb, tuple) == 0, "the key comes first");

#define TCB_NO_BUFFER 0xffffffffu
/* Most TCBs a table holds (its index then has 2^25 groups). */
#define TCB_TABLE_MAX 200000000u
static_assert(TCB_TABLE_MAX <= TIMER_MAX_ELEMENTS,
	      "every TCB can be a timer wheel element");

/* An index group: one cache line of TCB_GROUP_SLOTS slots, each the
 * tuple's hash and the TCB's number plus one (0: empty), and how many
 * entries whose probe started before it went past it (full when they came
 * in): a lookup stops at the first group without one. The home group of a
 * hash h is h & mask; its slot keeps tcb_tag(h). */
#define TCB_GROUP_SLOTS 7
struct tcb_group {
	uint32_t hash[TCB_GROUP_SLOTS];
	uint32_t overflow;
	uint32_t tcb_plus1[TCB_GROUP_SLOTS];
	uint32_t unused;
};

static_assert(sizeof(struct tcb_group) == 64, "a group is one cache line");

struct tcb_table {
	struct tcb *tcbs;	  /* capacity TCBs */
	struct tcb_group *groups; /* mask + 1 groups: more than 2 *
				   * capacity slots */
	uint32_t mask;
	uint32_t capacity;
	uint32_t in_use;
	uint32_t free_head; /* freed TCBs, chained by timer.at */
	uint32_t fresh;	    /* TCBs from here on were never used */
	uint64_t seed;
};

/* Bytes of memory tcb_table_init needs for `capacity` TCBs (1 to
 * TCB_TABLE_MAX). */
size_t tcb_table_footprint(uint32_t capacity);

/* Set up an empty table in mem (64-byte aligned, tcb_table_footprint
 * bytes). Only the index is written now; TCBs are touched as they are
 * first used. seed keys the hash. */
void tcb_table_init(struct tcb_table *t, void *mem, uint32_t capacity,
		    uint64_t seed);

/* The 32-bit hash that find, insert and prefetch take: CRC32C of the
 * tuple from a seeded start where the CPU has it (a few instructions; the
 * tuples are the scan's, not chosen by the servers), a multiply mix
 * otherwise. */
static inline uint32_t
tcb_hash(const struct tcb_table *t, const struct tcp_tuple *k)
{
#ifdef __SSE4_2__
	uint64_t ips, crc;
	uint32_t ports;

	memcpy(&ips, &k->their_ip, sizeof(ips));
	memcpy(&ports, &k->their_port, sizeof(ports));
	crc = _mm_crc32_u32((uint32_t)_mm_crc32_u64((uint32_t)t->seed, ips),
			    ports ^ (uint32_t)(t->seed >> 32));
	/* CRC is linear: a multiply breaks up the patterns of a scan's
	 * tuples (runs of ports, of addresses) */
	return (uint32_t)((crc * 0x9e3779b97f4a7c15ull) >> 32);
#else
	uint64_t x = ((uint64_t)k->their_ip << 32 |
		      (uint32_t)k->their_port << 16 | k->our_port) ^
		     t->seed;

	x ^= (uint64_t)k->our_ip * 0x9e3779b97f4a7c15ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	return (uint32_t)(x >> 32);
#endif
}

static inline int
tcp_tuple_equal(const struct tcp_tuple *a, const struct tcp_tuple *b)
{
	return a->their_ip == b->their_ip && a->our_ip == b->our_ip &&
	       a->their_port == b->their_port && a->our_port == b->our_port;
}

static inline uint32_t
tcb_index(const struct tcb_table *t, const struct tcb *tcb)
{
	return (uint32_t)(tcb - t->tcbs);
}

static inline struct tcb *
tcb_at(const struct tcb_table *t, uint32_t i)
{
	return &t->tcbs[i];
}

/* Start loading the index line a lookup of this hash will read. */
static inline void
tcb_table_prefetch(const struct tcb_table *t, uint32_t hash)
{
	__builtin_prefetch(&t->groups[hash & t->mask]);
}

/* What a slot keeps of a hash: never 0, the hash of an empty slot. */
static inline uint32_t
tcb_tag(uint32_t hash)
{
	return hash | 1;
}

/* Which of a group's TCB_GROUP_SLOTS words (of 8, 32-byte aligned) equal
 * value, as bits (compared all at once). */
static inline unsigned
tcb_slots_equal(const uint32_t *words, uint32_t value)
{
#ifdef __AVX2__
	__m256i eq = _mm256_cmpeq_epi32(_mm256_load_si256((const __m256i *)words),
					_mm256_set1_epi32((int)value));

	return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(eq)) &
	       ((1u << TCB_GROUP_SLOTS) - 1);
#else
	unsigned match = 0;

	for (unsigned k = 0; k < TCB_GROUP_SLOTS; k++)
		match |= (unsigned)(words[k] == value) << k;
	return match;
#endif
}

/* Slots of group g holding this hash, as bits. */
static inline unsigned
tcb_group_match(const struct tcb_group *g, uint32_t hash)
{
	return tcb_slots_equal(g->hash, tcb_tag(hash));
}

/* Slots of group g naming TCB number n (tcb_plus1 == n + 1; 0: the empty
 * ones), as bits. */
static inline unsigned
tcb_group_naming(const struct tcb_group *g, uint32_t n_plus1)
{
	return tcb_slots_equal(g->tcb_plus1, n_plus1);
}

/* The TCB named by the first slot whose hash matches (its tuple not yet
 * compared): to prefetch before tcb_table_find. NULL if there is none. */
static inline struct tcb *
tcb_table_candidate(const struct tcb_table *t, uint32_t hash)
{
	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		const struct tcb_group *g = &t->groups[i];
		unsigned match = tcb_group_match(g, hash);

		if (match)
			return &t->tcbs[g->tcb_plus1[__builtin_ctz(match)] - 1];
		if (g->overflow == 0)
			return NULL;
	}
}

/* The TCB of this tuple (hash = tcb_hash(t, k)), or NULL. */
static inline struct tcb *
tcb_table_find(const struct tcb_table *t, const struct tcp_tuple *k,
	       uint32_t hash)
{
	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		const struct tcb_group *g = &t->groups[i];

		for (unsigned m = tcb_group_match(g, hash); m; m &= m - 1) {
			struct tcb *tcb =
			    &t->tcbs[g->tcb_plus1[__builtin_ctz(m)] - 1];

			if (tcp_tuple_equal(&tcb->tuple, k))
				return tcb;
		}
		if (g->overflow == 0)
			return NULL;
	}
}

/* Take a free TCB for a tuple that is not in the table and index it. Its
 * tuple is set, its timer link unarmed (set up by timer_link_init when
 * the TCB is first used, left as it is after: the wheel may still hold
 * its entry), its state TCB_FREE and the rest left as it was: the caller
 * fills it. NULL when all are in use. Inline: the stack opens a
 * connection for a third of its segments. */
static inline struct tcb *
tcb_table_insert(struct tcb_table *t, const struct tcp_tuple *k, uint32_t hash)
{
	struct tcb_group *g;
	struct tcb *tcb;
	unsigned empty, slot;
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
	/* the index has more slots than TCBs: some group has room */
	for (i = hash & t->mask;
	     (empty = tcb_group_naming(&t->groups[i], 0)) == 0;
	     i = (i + 1) & t->mask)
		t->groups[i].overflow++;
	g = &t->groups[i];
	slot = (unsigned)__builtin_ctz(empty);
	g->hash[slot] = tcb_tag(hash);
	g->tcb_plus1[slot] = n + 1;
	t->in_use++;
	return tcb;
}

/* Remove a TCB from the index and free it (state TCB_FREE). Its timer must
 * be disarmed. */
void tcb_table_remove(struct tcb_table *t, struct tcb *tcb);

#endif
