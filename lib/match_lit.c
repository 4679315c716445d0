/* match_lit: many literals found in a short subject in one pass. Each
 * literal is keyed by one of its 4-byte windows, ASCII-folded: the window
 * the fewest other windows of the set share. A scan folds the subject
 * eight bytes at a time into the keys of its windows; a key's hash tests a
 * bitmap, a set bit the table of literals, which keeps each one's key and
 * first bytes beside it; the rest is compared only when those agree. */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "match_lit.h"

/* A key's hash: the high half of a 64-bit product mixes every byte of the
 * key into every bit the bitmap and the table use. */
static inline uint32_t
key_hash(uint32_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32);
}

/* A literal in the table, at its key's hash or the first free slot after
 * it, after the other literals of its key (24 bytes: a hit reads one slot,
 * and the blob only when the first bytes agree). */
struct lit_slot {
	uint64_t word; /* its bytes as lit_word() reads them */
	uint32_t key;
	uint32_t id;
	uint32_t at;	  /* of its bytes in the blob */
	uint8_t len;	  /* 0: an empty slot */
	uint8_t caseless; /* bytes folded */
	uint8_t off;	  /* of its key window */
	uint8_t last;	  /* 1: no literal of its key after it */
};

struct lit_set {
	uint64_t *bits;		/* 1 << bit_order bits */
	unsigned bit_shift;	/* 32 - bit_order */
	struct lit_slot *slots; /* 1 << slot_order */
	unsigned slot_shift, slot_mask;
	uint8_t *blob;
};

static inline uint32_t
fold(uint8_t c)
{
	return c | (uint32_t)((unsigned)(c - 'A') < 26u) << 5;
}

/* The key of the window at b: its bytes folded, the first the lowest (as
 * a little-endian load of them reads). */
static uint32_t
window(const uint8_t *b)
{
	return fold(b[0]) | fold(b[1]) << 8 | fold(b[2]) << 16 |
	       fold(b[3]) << 24;
}

/* How many windows of the set have each key: an open-addressing table. */
struct key_counts {
	uint32_t *keys, *counts; /* counts[s] 0: an empty slot */
	unsigned mask;
};

static uint32_t *
count_slot(const struct key_counts *kc, uint32_t key)
{
	unsigned s = key_hash(key) & kc->mask;

	while (kc->counts[s] && kc->keys[s] != key)
		s = (s + 1) & kc->mask;
	kc->keys[s] = key;
	return &kc->counts[s];
}

struct keyed {
	uint32_t key;
	unsigned lit;
};

static int
keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->lit < y->lit ? -1 : x->lit > y->lit;
}

/* The eight bytes of x with 'A'..'Z' in lower case, all at once: bit 7 of a
 * byte's low seven bits plus a constant tells whether they reach 'A', and
 * whether they pass 'Z'; bytes with bit 7 set are not letters. */
static inline uint64_t
fold8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t low7 = x & 0x7f * ones;
	uint64_t ge_a = low7 + (0x80 - 'A') * ones;
	uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * ones;

	return x | (ge_a & ~gt_z & ~x & 0x80 * ones) >> 2;
}

static inline uint64_t
load8(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static inline uint64_t
load4(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return w;
}

/* The first eight bytes at p, or for n < 8 bytes its first four and its
 * last four: what a slot keeps of a literal to compare first. */
static inline uint64_t
lit_word(const uint8_t *p, unsigned n)
{
	return n < 8 ? load4(p) | load4(p + n - 4) << 32 : load8(p);
}

void
lit_set_free(struct lit_set *ls)
{
	if (!ls)
		return;
	free(ls->bits);
	free(ls->slots);
	free(ls->blob);
	free(ls);
}

struct lit_set *
lit_set_build(const struct match_lit *lits, unsigned n)
{
	struct lit_set *ls = calloc(1, sizeof(*ls));
	struct keyed *by = malloc((n + 1) * sizeof(*by));
	struct key_counts kc = {0};
	unsigned windows = 0, order, bytes = 0;

	if (!ls || !by)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		if (lits[i].len < MATCH_LIT_MIN)
			goto fail;
		windows += lits[i].len - MATCH_LIT_MIN + 1;
		bytes += lits[i].len;
	}
	for (order = 4; (1u << order) < 2 * windows; order++)
		;
	kc.mask = (1u << order) - 1;
	kc.keys = malloc((1u << order) * sizeof(*kc.keys));
	kc.counts = calloc(1u << order, sizeof(*kc.counts));
	ls->blob = malloc(bytes + 1);
	if (!kc.keys || !kc.counts || !ls->blob)
		goto fail;
	for (unsigned i = 0; i < n; i++)
		for (unsigned o = 0; o + MATCH_LIT_MIN <= lits[i].len; o++)
			(*count_slot(&kc, window(lits[i].bytes + o)))++;
	bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned best = 0, best_count = ~0u;

		for (unsigned o = 0; o + MATCH_LIT_MIN <= lits[i].len; o++) {
			unsigned c =
			    *count_slot(&kc, window(lits[i].bytes + o));

			if (c < best_count) {
				best = o;
				best_count = c;
			}
		}
		by[i].key = window(lits[i].bytes + best);
		by[i].lit = i;
	}
	qsort(by, n, sizeof(*by), keyed_cmp);
	/* a bitmap of 64 bits a literal, 512 at least */
	for (order = 9; order < 24 && (1u << order) < 64 * n; order++)
		;
	ls->bit_shift = 32 - order;
	ls->bits = calloc((1u << order) / 64, sizeof(*ls->bits));
	for (order = 1; (1u << order) < 2 * n; order++)
		;
	ls->slot_shift = 32 - order;
	ls->slot_mask = (1u << order) - 1;
	ls->slots = calloc(1u << order, sizeof(*ls->slots));
	if (!ls->bits || !ls->slots)
		goto fail;
	for (unsigned k = 0; k < n; k++) {
		const struct match_lit *l = &lits[by[k].lit];
		uint32_t h = key_hash(by[k].key), b = h >> ls->bit_shift;
		unsigned s = h >> ls->slot_shift;
		struct lit_slot *sl;

		while (ls->slots[s].len)
			s = (s + 1) & ls->slot_mask;
		sl = &ls->slots[s];
		sl->key = by[k].key;
		sl->id = l->id;
		sl->at = bytes;
		sl->len = l->len;
		sl->caseless = l->caseless;
		sl->word = lit_word(l->bytes, l->len);
		for (unsigned o = 0;; o++)
			if (window(l->bytes + o) == by[k].key) {
				sl->off = (uint8_t)o;
				break;
			}
		/* by is in key order: a key's literals go in one after
		 * another, each in the first free slot after the one before */
		sl->last = (uint8_t)(k + 1 == n || by[k + 1].key != by[k].key);
		memcpy(ls->blob + bytes, l->bytes, l->len);
		bytes += l->len;
		ls->bits[b / 64] |= 1ull << (b % 64);
	}
	free(kc.keys);
	free(kc.counts);
	free(by);
	return ls;
fail:
	free(kc.keys);
	free(kc.counts);
	free(by);
	lit_set_free(ls);
	return NULL;
}

/* Whether slot sl's literal is at d (its len bytes readable; ASCII case
 * ignored when caseless): its word first, then the rest from the blob
 * eight bytes at a time, the last word overlapping the one before it. */
static inline int
lit_at(const struct lit_set *ls, const struct lit_slot *sl, const uint8_t *d)
{
	const uint8_t *b = ls->blob + sl->at;
	unsigned n = sl->len;
	uint64_t x = lit_word(d, n);

	if ((sl->caseless ? fold8(x) : x) != sl->word)
		return 0;
	if (n <= 8)
		return 1;
	for (unsigned k = 8; k + 8 < n; k += 8) {
		x = load8(d + k);
		if ((sl->caseless ? fold8(x) : x) != load8(b + k))
			return 0;
	}
	x = load8(d + n - 8);
	return (sl->caseless ? fold8(x) : x) == load8(b + n - 8);
}

/* The literals keyed key whose window is the one starting at start: each
 * found once into out (n so far); returns the new n. A key's literals sit
 * in the slots from its hash on, up to its last one (or the next free slot
 * when it has none). */
static unsigned
key_hits(const struct lit_set *ls, uint32_t key, uint32_t h,
	 const uint8_t *data, size_t len, size_t start, unsigned *out,
	 unsigned n)
{
	for (unsigned s = h >> ls->slot_shift; ls->slots[s].len;
	     s = (s + 1) & ls->slot_mask) {
		const struct lit_slot *sl = &ls->slots[s];
		unsigned j = 0;

		if (sl->key != key)
			continue;
		if (start >= sl->off && start - sl->off + sl->len <= len &&
		    lit_at(ls, sl, data + start - sl->off)) {
			while (j < n && out[j] != sl->id)
				j++;
			if (j == n)
				out[n++] = sl->id;
		}
		if (sl->last)
			break;
	}
	return n;
}

/* Whether key's bit is set; its hash into *h. */
static inline int
key_maybe(const struct lit_set *ls, uint32_t key, uint32_t *h)
{
	uint32_t b;

	*h = key_hash(key);
	b = *h >> ls->bit_shift;
	return ls->bits[b / 64] >> (b % 64) & 1;
}

unsigned
lit_set_scan(const struct lit_set *ls, const uint8_t *data, size_t len,
	     unsigned *out)
{
	unsigned n = 0;
	size_t i = 0;
	uint32_t h;

	/* eight bytes loaded and folded give the keys of five windows, each
	 * hashed on its own (no chain from one position to the next) */
	for (; i + 8 <= len; i += 5) {
		uint64_t w = fold8(le64toh(load8(data + i)));
		for (unsigned k = 0; k < 5; k++) {
			uint32_t key = (uint32_t)(w >> 8 * k);

			if (key_maybe(ls, key, &h))
				n = key_hits(ls, key, h, data, len, i + k, out,
					     n);
		}
	}
	for (; i + MATCH_LIT_MIN <= len; i++) {
		uint32_t key = window(data + i);

		if (key_maybe(ls, key, &h))
			n = key_hits(ls, key, h, data, len, i, out, n);
	}
	return n;
}
