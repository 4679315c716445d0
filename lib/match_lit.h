/* match_lit: a set of literals (each at least 4 bytes, ASCII case ignored
 * or not) and a scan that tells which of them occur in a short subject: a
 * banner is read once, four bytes at a time, through a bitmap of the
 * literals' chosen 4-byte windows; a hit is checked in full. */
#ifndef TIDESCAN_MATCH_LIT_H
#define TIDESCAN_MATCH_LIT_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_LIT_MIN 4 /* bytes of the shortest literal */

struct match_lit {
	const uint8_t *bytes; /* folded (match_prefix_fold) when caseless */
	uint8_t len;	      /* >= MATCH_LIT_MIN */
	uint8_t caseless;
	unsigned id;
};

struct lit_set;

/* A set of n literals (copied); NULL when out of memory or a literal is
 * shorter than MATCH_LIT_MIN. */
struct lit_set *lit_set_build(const struct match_lit *lits, unsigned n);
void lit_set_free(struct lit_set *ls);

/* Append to out the id of each literal that occurs in data, once each in
 * no set order (out holds at least as many as the set has literals);
 * returns how many. */
unsigned lit_set_scan(const struct lit_set *ls, const uint8_t *data, size_t len,
		      unsigned *out);

#endif
