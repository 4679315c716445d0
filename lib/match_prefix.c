/* match_prefix: the literal prefix of an anchored pattern — anything not
 * understood ends the prefix or makes the pattern ineligible: a prefix too
 * short costs speed, a wrong one would lose matches — and a hash index from
 * a banner's first bytes to the lines whose prefix they are. */
#include <stdlib.h>
#include <string.h>

#include "match_prefix.h"

static int
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Whether c is one of s's bytes (not its NUL): strchr() without the call,
 * for the short sets of metacharacters read on every byte. */
static inline int
one_of(int c, const char *s)
{
	for (; *s; s++)
		if (*s == c)
			return 1;
	return 0;
}

/* The end (its ']') of the class that opens at p, or NULL for a class this
 * file does not read (POSIX [:name:], \Q, unterminated). */
static const char *
class_end(const char *p)
{
	const char *q = p + 1;

	if (*q == '^')
		q++;
	if (*q == ']') /* a first ']' is literal */
		q++;
	for (; *q; q++) {
		if (*q == '\\') {
			if (!q[1] || q[1] == 'Q')
				return NULL;
			q++;
		} else if (*q == '[' &&
			   (q[1] == ':' || q[1] == '.' || q[1] == '=')) {
			return NULL;
		} else if (*q == ']') {
			return q;
		}
	}
	return NULL;
}

/* Whether a group opening "(?" at p is one that changes nothing outside
 * itself: non-capturing, lookaround, atomic. */
static int
plain_group(const char *p)
{
	if (p[1] != '?')
		return p[1] != '*'; /* (*VERB) */
	if (p[2] == ':' || p[2] == '=' || p[2] == '!' || p[2] == '>')
		return 1;
	return p[2] == '<' && (p[3] == '=' || p[3] == '!');
}

/* Whether pattern has a shape this file reads: balanced groups, no
 * alternation outside them, none of the constructs class_end() and
 * plain_group() refuse. */
static int
readable(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		switch (*p) {
		case '\\':
			if (!p[1] || p[1] == 'Q')
				return 0;
			p++;
			break;
		case '[':
			p = class_end(p);
			if (!p)
				return 0;
			break;
		case '(':
			if (!plain_group(p))
				return 0;
			depth++;
			break;
		case ')':
			if (!depth--)
				return 0;
			break;
		case '|':
			if (!depth)
				return 0;
			break;
		}
	}
	return depth == 0;
}

/* The byte an escape at p stands for (next set past it), or -1 when it is
 * not a single literal byte this file knows. */
static int
escaped_byte(const char *p, const char **next)
{
	static const char from[] = "rntfea";
	static const uint8_t to[] = {'\r', '\n', '\t', '\f', 0x1b, 0x07};
	const char *e;

	*next = p + 2;
	if (p[1] == '0') /* \0 and up to two more octal digits */
		return p[2] >= '0' && p[2] <= '7' ? -1 : 0;
	if (p[1] == 'x') {
		/* exactly two hex digits; \x{..} and \xh are left alone */
		if (hex_digit(p[2]) < 0 || hex_digit(p[3]) < 0)
			return -1;
		*next = p + 4;
		return hex_digit(p[2]) << 4 | hex_digit(p[3]);
	}
	e = p[1] ? strchr(from, p[1]) : NULL;
	if (e)
		return to[e - from];
	if (!p[1] || is_alnum((uint8_t)p[1]))
		return -1;
	return (uint8_t)p[1]; /* \. \\ \/ \- \  and the like */
}

/* The end of the quantifier at p (p itself when there is none) and
 * whether it allows zero repeats. */
static const char *
quantifier_end(const char *p, int *zero)
{
	const char *q = p;

	*zero = 0;
	if (*p == '?' || *p == '*') {
		*zero = 1;
		q = p + 1;
	} else if (*p == '+') {
		q = p + 1;
	} else if (*p == '{') {
		/* {n}, {n,} or {n,m}; anything else leaves q at p */
		const char *d = p + 1;
		unsigned lo = 0, digits = 0;

		for (; *d >= '0' && *d <= '9'; d++, digits++)
			lo = lo * 10 + (unsigned)(*d - '0');
		if (digits && *d == ',')
			for (d++; *d >= '0' && *d <= '9'; d++)
				;
		if (!digits || *d != '}')
			return p;
		*zero = lo == 0;
		q = d + 1;
	}
	if (q != p && (*q == '?' || *q == '+')) /* lazy, possessive */
		q++;
	return q;
}

/* The character after the group that opens at p (readable() checked the
 * pattern). */
static const char *
group_end(const char *p)
{
	int depth = 0;

	for (;; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '[')
			p = class_end(p);
		else if (*p == '(')
			depth++;
		else if (*p == ')' && !--depth)
			return p + 1;
	}
}

/* Whether the escape at p is one this file can step over as a single atom
 * that is not a literal byte: \d, \w, \b and the like. */
static int
class_escape(const char *p)
{
	return p[1] && strchr("dDwWsShHvVbBAzZGKRXCE", p[1]);
}

/* Whether the group that opens at p can be read through as a sequence:
 * capturing, non-capturing or atomic (it consumes its content), no
 * alternation of its own and nothing after it that could repeat it or make
 * it optional (a brace of any kind counts: PCRE2 versions differ). */
static int
group_transparent(const char *p)
{
	const char *q = p + 1, *end = group_end(p);

	if (*q == '?') {
		if (q[1] != ':' && q[1] != '>')
			return 0;
		q += 2;
	}
	if (one_of(*end, "?*+{"))
		return 0;
	for (; q < end - 1; q++) {
		if (*q == '\\')
			q++;
		else if (*q == '[')
			q = class_end(q);
		else if (*q == '(')
			q = group_end(q) - 1;
		else if (*q == '|')
			return 0;
	}
	return 1;
}

int
match_literal_runs(const char *pattern, int caseless, match_run_fn fn,
		   void *ctx)
{
	uint8_t run[MATCH_LITERAL_MAX];
	size_t rn = 0;
	int at_start = pattern[0] == '^';
	const char *p = pattern + at_start;

	if (!readable(pattern))
		return -1;
	for (;;) {
		const char *atom_end = p + 1, *q;
		int c = -1, zero = 0;

		if (*p == '(' && group_transparent(p)) {
			/* its content continues the sequence; its ')' too */
			p += p[1] == '?' ? 3 : 1;
			continue;
		}
		if (*p == ')') {
			p++;
			continue;
		}
		if (!*p) {
			q = p;
		} else {
			if (*p == '\\') {
				c = escaped_byte(p, &atom_end);
				if (c < 0 && !class_escape(p)) {
					/* \x{..}, \p{..}, \12: the run before
					 * it is required still */
					if (rn)
						fn(ctx, run, rn, at_start);
					return -1;
				}
			} else if (*p == '(') {
				atom_end = group_end(p);
			} else if (*p == '[') {
				atom_end = class_end(p) + 1;
			} else if (*p == '{' &&
				   !one_of(p[1], "0123456789, \t")) {
				c = '{'; /* literal in every PCRE2 version */
			} else if (*p == '{') {
				/* literal or {,n}: PCRE2 versions differ; the
				 * run is required but for its last byte, which
				 * {,n} would make optional */
				if (rn > 1)
					fn(ctx, run, rn - 1, at_start);
				return -1;
			} else if (!one_of(*p, ".^$|)]}*+?")) {
				c = (uint8_t)*p;
			}
			q = quantifier_end(atom_end, &zero);
			if (c >= 0 && !zero && rn == sizeof(run)) {
				/* a long run goes in pieces */
				fn(ctx, run, rn, at_start);
				at_start = 0;
				rn = 0;
			}
			if (c >= 0 && !zero)
				run[rn++] = caseless
						? match_prefix_fold((uint8_t)c)
						: (uint8_t)c;
		}
		/* the end, any other atom, or a repeated byte ends the run */
		if (!*p || c < 0 || q != atom_end) {
			if (rn)
				fn(ctx, run, rn, at_start);
			at_start = 0;
			rn = 0;
		}
		if (!*p)
			return 0;
		p = q;
	}
}

int
match_prefix(const char *pattern, int caseless, uint8_t *out, size_t cap)
{
	const char *p = pattern + 1;
	size_t n = 0;

	if (pattern[0] != '^' || !readable(pattern))
		return -1;
	while (n < cap && *p) {
		const char *next = p + 1;
		int c = (uint8_t)*p;

		if (c == '\\')
			c = escaped_byte(p, &next);
		else if (one_of(c, ".[]()|*+?{}^$"))
			c = -1;
		/* a quantifier that allows zero makes the byte optional */
		if (c < 0 || *next == '?' || *next == '*' || *next == '{')
			break;
		out[n++] =
		    caseless ? match_prefix_fold((uint8_t)c) : (uint8_t)c;
		if (*next == '+')
			break;
		p = next;
	}
	return (int)n;
}

/* ---- choosing the lines to index ---- */

/* Entries in key order, a key before the longer keys it begins, equal keys
 * by line: the keys that begin with k follow k's own entries. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct prefix_entry *x = a, *y = b;
	int c = memcmp(x->bytes, y->bytes, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
begins(const struct prefix_entry *d, const struct prefix_entry *k)
{
	return d->len >= k->len && !memcmp(d->bytes, k->bytes, k->len);
}

static unsigned
key_end(const struct prefix_entry *e, unsigned n, unsigned k)
{
	unsigned end = k + 1;

	while (end < n && e[end].len == e[k].len && begins(&e[end], &e[k]))
		end++;
	return end;
}

int
prefix_choose(struct prefix_entry *e, unsigned n, unsigned max_load,
	      uint8_t *keep)
{
	/* load[d]: the kept lines a banner beginning with d's key selects */
	unsigned *load = calloc(n + 1, sizeof(*load));

	if (!load)
		return -1;
	qsort(e, n, sizeof(*e), entry_cmp);
	memset(keep, 0, n);
	for (unsigned len = MATCH_PREFIX_MAX; len >= 1; len--) {
		for (unsigned k = 0, end; k < n; k = end) {
			unsigned most = 0, d;

			end = key_end(e, n, k);
			if (e[k].len != len)
				continue;
			for (d = end; d < n && begins(&e[d], &e[k]); d++)
				if (keep[d] && load[d] > most)
					most = load[d];
			if (end - k + most > max_load)
				continue;
			for (d = k; d < n && begins(&e[d], &e[k]); d++)
				if (d < end || keep[d])
					load[d] += end - k;
			memset(keep + k, 1, end - k);
		}
	}
	free(load);
	return 0;
}

/* ---- the index ---- */

#define FNV32_BASIS 2166136261u
#define FNV32_PRIME 16777619u

struct prefix_slot {
	uint32_t hash;
	unsigned key; /* key index + 1; 0: empty */
};

struct prefix_index {
	uint32_t lens;	  /* bit l: some key is l bytes long */
	unsigned max_len; /* of the keys */
	unsigned mask;	  /* slots - 1 */
	/* bit (hash >> filter_shift) set for each key's hash: most of a
	 * banner's first bytes are no key, told without reading a slot */
	unsigned filter_shift;
	uint64_t *filter;
	struct prefix_slot *slots;
	struct prefix_entry *keys; /* one entry per key (its line unused) */
	unsigned *first; /* key k's lines: lines[first[k]..first[k+1]) */
	unsigned *lines;
};

static uint32_t
key_hash(const uint8_t *b, unsigned len)
{
	uint32_t h = FNV32_BASIS;

	for (unsigned i = 0; i < len; i++)
		h = (h ^ b[i]) * FNV32_PRIME;
	return h;
}

/* The word and bit of a key hash h in ix's filter. */
static inline uint64_t *
filter_word(const struct prefix_index *ix, uint32_t h)
{
	return &ix->filter[h >> ix->filter_shift >> 6];
}

static inline uint64_t
filter_bit(const struct prefix_index *ix, uint32_t h)
{
	return 1ull << (h >> ix->filter_shift & 63);
}

void
prefix_index_free(struct prefix_index *ix)
{
	if (!ix)
		return;
	free(ix->slots);
	free(ix->filter);
	free(ix->keys);
	free(ix->first);
	free(ix->lines);
	free(ix);
}

struct prefix_index *
prefix_index_build(const struct prefix_entry *e, unsigned n)
{
	struct prefix_index *ix = calloc(1, sizeof(*ix));
	struct prefix_entry *sorted = malloc((n + 1) * sizeof(*sorted));
	unsigned keys = 0, slots = 2, bits = 64;

	if (!ix || !sorted)
		goto fail;
	memcpy(sorted, e, n * sizeof(*e));
	qsort(sorted, n, sizeof(*sorted), entry_cmp);
	while (slots < 2 * n)
		slots *= 2;
	/* 8 bits a line (a key at most): few false hits, a few KiB */
	ix->filter_shift = 26;
	while (bits < 8 * n && ix->filter_shift > 12) {
		bits *= 2;
		ix->filter_shift--;
	}
	ix->mask = slots - 1;
	ix->slots = calloc(slots, sizeof(*ix->slots));
	ix->filter = calloc(bits / 64, sizeof(*ix->filter));
	ix->keys = malloc((n + 1) * sizeof(*ix->keys));
	ix->first = malloc((n + 1) * sizeof(*ix->first));
	ix->lines = malloc((n + 1) * sizeof(*ix->lines));
	if (!ix->slots || !ix->filter || !ix->keys || !ix->first || !ix->lines)
		goto fail;
	for (unsigned k = 0, end; k < n; k = end) {
		unsigned s;
		uint32_t h;

		end = key_end(sorted, n, k);
		ix->keys[keys] = sorted[k];
		ix->first[keys] = k;
		ix->lens |= 1u << sorted[k].len;
		if (sorted[k].len > ix->max_len)
			ix->max_len = sorted[k].len;
		h = key_hash(sorted[k].bytes, sorted[k].len);
		*filter_word(ix, h) |= filter_bit(ix, h);
		s = h & ix->mask;
		while (ix->slots[s].key)
			s = (s + 1) & ix->mask;
		ix->slots[s].hash = h;
		ix->slots[s].key = ++keys;
	}
	ix->first[keys] = n;
	for (unsigned i = 0; i < n; i++)
		ix->lines[i] = sorted[i].line;
	free(sorted);
	return ix;
fail:
	free(sorted);
	prefix_index_free(ix);
	return NULL;
}

unsigned
prefix_index_find(const struct prefix_index *ix, const uint8_t *data,
		  size_t len, unsigned *out)
{
	uint8_t key[MATCH_PREFIX_MAX];
	uint32_t h = FNV32_BASIS;
	unsigned n = 0, max = len < ix->max_len ? (unsigned)len : ix->max_len;

	for (unsigned l = 1; l <= max; l++) {
		key[l - 1] = match_prefix_fold(data[l - 1]);
		h = (h ^ key[l - 1]) * FNV32_PRIME;
		if (!(ix->lens >> l & 1) ||
		    !(*filter_word(ix, h) & filter_bit(ix, h)))
			continue;
		for (unsigned s = h & ix->mask; ix->slots[s].key;
		     s = (s + 1) & ix->mask) {
			unsigned k = ix->slots[s].key - 1;

			if (ix->slots[s].hash != h || ix->keys[k].len != l ||
			    memcmp(ix->keys[k].bytes, key, l))
				continue;
			for (unsigned i = ix->first[k]; i < ix->first[k + 1];
			     i++)
				out[n++] = ix->lines[i];
			break;
		}
	}
	return n;
}
