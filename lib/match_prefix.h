/* match_prefix: the literal bytes that every subject an anchored nmap
 * pattern matches must begin with ("^220 (.*)" -> "220 "), found
 * conservatively, and an index of them: a banner's first bytes select the
 * lines worth trying, without scanning for them. */
#ifndef TIDESCAN_MATCH_PREFIX_H
#define TIDESCAN_MATCH_PREFIX_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_PREFIX_MAX 16 /* bytes kept of a longer prefix */

/* ASCII lower case: how caseless prefixes and the keys of the index are
 * stored (PCRE2's default tables fold no other byte). */
static inline uint8_t
match_prefix_fold(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

/* The prefix of pattern (PCRE2 syntax, options only i and s) into out (at
 * most cap bytes; ASCII-folded when caseless): the literal bytes after a
 * leading ^ up to the first metacharacter or unknown escape, without a last
 * byte that a ?, * or { makes optional. Returns its length (0: anchored but
 * no literal), or -1 when pattern is not eligible: not anchored, a
 * top-level alternation, \Q, (* verbs, (?options or names, POSIX classes,
 * unbalanced parentheses. */
int match_prefix(const char *pattern, int caseless, uint8_t *out, size_t cap);

#define MATCH_LITERAL_MAX 32 /* bytes of a literal run, at most */

/* A run of literal bytes that every subject pattern matches must contain;
 * at_start: it is where an anchored match begins (its prefix). */
typedef void (*match_run_fn)(void *ctx, const uint8_t *run, size_t len,
			     int at_start);

/* Call fn for each literal run of pattern (ASCII-folded when caseless):
 * bytes outside groups and classes that no quantifier makes optional, up
 * to any other atom or a repeated byte, a longer one in pieces of
 * MATCH_LITERAL_MAX bytes. 0, or -1 when pattern is not eligible (as for
 * match_prefix(), an escape such as \x{..}, \p{..} or \12 or a brace
 * that is not a quantifier {n}, {n,}, {n,m}): the runs before such an atom
 * are still reported, so that an anchored pattern's first run always
 * begins with its prefix (match_prefix()), ASCII case aside. */
int match_literal_runs(const char *pattern, int caseless, match_run_fn fn,
		       void *ctx);

/* One line's prefix, ASCII-folded whatever its flags (a caseless line and
 * a case-sensitive one share a key; PCRE2 tells them apart). */
struct prefix_entry {
	uint8_t bytes[MATCH_PREFIX_MAX];
	uint8_t len; /* >= 1 */
	unsigned line;
};

/* Which entries to index (keep[i] = 1) so that whatever a banner starts
 * with, the indexed lines whose prefix it begins with number at most
 * max_load; longer prefixes, the more selective, first. Sorts e. 0, or -1
 * when out of memory. */
int prefix_choose(struct prefix_entry *e, unsigned n, unsigned max_load,
		  uint8_t *keep);

struct prefix_index;

/* An index of n entries; NULL when out of memory. */
struct prefix_index *prefix_index_build(const struct prefix_entry *e,
					unsigned n);
void prefix_index_free(struct prefix_index *ix);

/* Append to out the lines whose prefix data begins with (ASCII case
 * ignored); returns how many. */
unsigned prefix_index_find(const struct prefix_index *ix, const uint8_t *data,
			   size_t len, unsigned *out);

#endif
