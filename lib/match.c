/* match: the signature set compiled for speed. Per probe, the lines whose
 * literal prefix selects few of them are found from a banner's first bytes
 * (match_prefix); most others by a literal they require (match_lit); the
 * rest form a Hyperscan database of the patterns (SINGLEMATCH; PREFILTER
 * for what Hyperscan cannot do exactly). All yield candidate lines, which
 * must be long enough and hold the literal runs their pattern requires
 * (read from a small per-line check, apart from the lines) before PCRE2
 * confirms them in file order until the first hard match, whose answer is
 * filled from a block of its own (service, templates, CPEs). The same rules
 * run line by line with PCRE2 alone (JIT or interpreter) as the
 * reference and the benchmark baseline. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <emmintrin.h>

#include <hs/hs.h>

#include "errmsg.h"
#include "match.h"
#include "match_cache.h"
#include "match_lit.h"
#include "match_prefix.h"
#include "signatures.h"
#include "version_tmpl.h"

#define OVEC_PAIRS 16 /* $1..$9 need 10; room for patterns with more */
/* A line no shorter subject can match (PCRE2's minimum length) is left out
 * of Hyperscan (long bounded repeats are costly there) and confirmed by
 * PCRE2 when a banner is that long. */
#define MIN_LEN_ALWAYS 100
/* At most this many lines of a probe are selected by any banner's prefix:
 * each is a candidate to sort, fetch and test, and a line a longer prefix
 * would not select is better found by a literal it requires (8 measured
 * faster than 16 or 32). */
#define PREFIX_LOAD_MAX 8

/* How a line becomes a candidate. */
enum found_by {
	FOUND_BY_REGEX = 0, /* its pattern in Hyperscan (or always) */
	FOUND_BY_PREFIX,    /* its literal prefix, in the prefix index */
	FOUND_BY_LITERAL,   /* a literal it requires, then its prefix */
};
/* A line's byte in the cache: its kind, and found_by shifted by this. */
#define CACHE_FOUND_SHIFT 4
/* What a probe keeps in the cache besides: */
enum {
	CACHE_HS,	/* its Hyperscan database */
	CACHE_LITERALS, /* its literals (struct match_probe) */
};

struct match_line {
	const struct sp_match *m;
	uint8_t kind;	    /* enum match_kind */
	uint8_t found_by;   /* enum found_by */
	uint8_t prefix_len; /* of its prefix, folded (0: none) */
	uint8_t prefix[MATCH_PREFIX_MAX];
	uint8_t anchored; /* its first run is where a match begins */
	uint16_t min_len; /* of any subject it matches (PCRE2's bound) */
	uint16_t runs_len;
	/* the literal runs it requires, in order: a length byte, then the
	 * bytes (folded if caseless); in its probe's literals */
	const uint8_t *runs;
};

/* What a line's answer is made of, in one block of its own (64-byte
 * aligned, a cache line or two, fetched while PCRE2 runs): its service,
 * templates and CPEs. */
struct line_out {
	const struct sp_match *m;
	uint8_t soft, uses_captures, cpe_count;
	uint16_t tmpl[SP_FIELDS]; /* of each template in text; OUT_NONE */
	uint16_t cpe[SERVICE_MAX_CPE];
	char text[]; /* the service, each template and CPE: NUL-terminated */
};
#define OUT_NONE UINT16_MAX

/* What a line is, and matched by: all that matching reads of a candidate
 * (32 bytes: a probe's checks are a small array, apart from its lines). */
struct line_check {
	const struct line_out *out;
	pcre2_code *code; /* compiled on first use, published atomically */
	uint8_t what;	  /* enum check_what */
	uint8_t soft;
	uint8_t caseless; /* its runs are ASCII-folded */
	/* the first bytes of its first run when that is at the start (0
	 * bytes: it is not) */
	uint8_t head_len;
	uint8_t head[4];
	uint16_t min_len;  /* of any subject it matches (PCRE2's bound) */
	uint16_t runs_len; /* of its runs, at runs in its probe's literals */
	uint32_t runs;
};

enum check_what {
	CHECK_NEVER = 0, /* unusable: never a match */
	CHECK_EXACT,	 /* an exact Hyperscan line: its hit is a match */
	CHECK_CONFIRM,	 /* long enough and holding its runs: PCRE2 says */
};

struct match_probe {
	hs_database_t *hs;	     /* NULL when no line is in Hyperscan */
	struct prefix_index *prefix; /* the FOUND_BY_PREFIX lines, or NULL */
	struct lit_set
	    *lits; /* the FOUND_BY_LITERAL lines' literals, or NULL */
	struct match_line *lines;
	struct line_check *checks; /* per line */
	unsigned line_count;
	unsigned *always; /* MATCH_ALWAYS lines, ascending */
	/* per line: prefix length and bytes, minimum length (2 bytes),
	 * anchored, runs length (2 bytes) and runs, as the cache keeps them */
	uint8_t *literals;
	size_t literals_len;
	unsigned always_count;
};

struct match_db {
	struct sp_set set;
	struct match_probe *probes;
	unsigned max_lines;
	hs_scratch_t *scratch; /* the prototype each match_scratch clones */
	/* databases loaded from the cache live in one mapping (transparent
	 * huge pages: a start-up faults in a few pages, not thousands) */
	char *arena;
	size_t arena_size, arena_used;
	char *outs; /* every line's struct line_out */
	struct match_stats stats;
};

struct match_scratch {
	hs_scratch_t *hs;
	pcre2_match_data *md;
	const struct line_out *md_for; /* whose match md holds, or NULL */
	unsigned *cand;
	unsigned cand_count;
	const struct sp_match *decided;
	char fields[SP_FIELDS][MATCH_FIELD_MAX];
	char cpe[SERVICE_MAX_CPE][MATCH_FIELD_MAX];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
match_default_cache_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg == '/')
		snprintf(buf, len, "%s/tidescan", xdg);
	else if (home && *home == '/')
		snprintf(buf, len, "%s/.cache/tidescan", home);
	else
		snprintf(buf, len, "/var/cache/tidescan");
}

/* ---- PCRE2 ---- */

static uint32_t
pcre2_options(const struct sp_match *m)
{
	return (m->flags & SP_CASELESS ? PCRE2_CASELESS : 0) |
	       (m->flags & SP_DOTALL ? PCRE2_DOTALL : 0);
}

static pcre2_code *
pcre2_build(const struct sp_match *m, char *why, size_t wl)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code =
	    pcre2_compile((PCRE2_SPTR)m->pattern, PCRE2_ZERO_TERMINATED,
			  pcre2_options(m), &ec, &off, NULL);

	if (!code) {
		PCRE2_UCHAR msg[120];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		errf(why, wl, "PCRE2: %s at offset %zu", (char *)msg,
		     (size_t)off);
		return NULL;
	}
	/* without JIT (no executable memory, too complex) the interpreter
	 * answers the same */
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

/* The line's code, compiled the first time any thread needs it. */
static pcre2_code *
line_code(struct line_check *c)
{
	pcre2_code *code = __atomic_load_n(&c->code, __ATOMIC_ACQUIRE);
	pcre2_code *none = NULL;

	if (code)
		return code;
	code = pcre2_build(c->out->m, NULL, 0);
	if (!code)
		return NULL;
	if (!__atomic_compare_exchange_n(&c->code, &none, code, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pcre2_code_free(code);
		code = none;
	}
	return code;
}

/* The length below which line l (its check c) cannot match (0 when
 * unknown). */
static uint16_t
line_min_len(const struct match_line *l, struct line_check *c)
{
	uint32_t n = 0;
	pcre2_code *code = l->kind == MATCH_UNUSABLE ? NULL : line_code(c);

	if (code && pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &n))
		n = 0;
	return (uint16_t)(n > UINT16_MAX ? UINT16_MAX : n);
}

/* How line_matches() runs PCRE2. */
enum pcre2_way {
	PCRE2_WAY_INTERP,   /* the interpreter */
	PCRE2_WAY_MATCH,    /* pcre2_match(): the JIT code when there is */
	PCRE2_WAY_JIT_FAST, /* pcre2_jit_match(), skipping its checks */
};

/* 1 when the line of check c matches data, its groups then in s->md. */
static int
line_matches(struct line_check *c, struct match_scratch *s, const uint8_t *data,
	     size_t len, enum pcre2_way way)
{
	pcre2_code *code = line_code(c);
	int rc = PCRE2_ERROR_JIT_BADOPTION;

	if (!code)
		return 0;
	if (way == PCRE2_WAY_JIT_FAST)
		rc = pcre2_jit_match(code, (PCRE2_SPTR)data, len, 0, 0, s->md,
				     NULL);
	if (rc == PCRE2_ERROR_JIT_BADOPTION) /* not JIT-compiled */
		rc = pcre2_match(code, (PCRE2_SPTR)data, len, 0,
				 way == PCRE2_WAY_INTERP ? PCRE2_NO_JIT : 0,
				 s->md, NULL);
	s->md_for = rc >= 0 ? c->out : NULL;
	return rc >= 0;
}

/* ---- Hyperscan databases ---- */

static unsigned
hs_flags(const struct sp_match *m, enum match_kind kind)
{
	return HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
	       (m->flags & SP_CASELESS ? HS_FLAG_CASELESS : 0) |
	       (m->flags & SP_DOTALL ? HS_FLAG_DOTALL : 0) |
	       (kind == MATCH_PREFILTER ? HS_FLAG_PREFILTER : 0);
}

/* Whether Hyperscan compiles m alone with these flags. */
static int
hs_accepts(const struct sp_match *m, enum match_kind kind)
{
	hs_database_t *db = NULL;
	hs_compile_error_t *ce = NULL;
	int ok = hs_compile(m->pattern, hs_flags(m, kind), HS_MODE_BLOCK, NULL,
			    &db, &ce) == HS_SUCCESS;

	hs_free_database(db);
	hs_free_compile_error(ce);
	return ok;
}

/* l's prefix as an index entry (folded, as the index keys are); its
 * length, <= 0 when it has none. */
static int
line_prefix(const struct match_line *l, unsigned i, struct prefix_entry *e)
{
	int n = match_prefix(l->m->pattern, l->m->flags & SP_CASELESS, e->bytes,
			     sizeof(e->bytes));

	for (int b = 0; b < n; b++)
		e->bytes[b] = match_prefix_fold(e->bytes[b]);
	e->len = (uint8_t)(n > 0 ? n : 0);
	e->line = i;
	return n;
}

/* Mark FOUND_BY_PREFIX the usable lines of mp whose prefix selects them well
 * (prefix_choose()). 0 or -1 if out of memory. */
static int
probe_choose_prefixed(struct match_probe *mp)
{
	struct prefix_entry *e = malloc((mp->line_count + 1) * sizeof(*e));
	uint8_t *keep = malloc(mp->line_count + 1);
	unsigned n = 0;
	int rc = -1;

	if (!e || !keep)
		goto out;
	for (unsigned i = 0; i < mp->line_count; i++)
		if (mp->lines[i].kind != MATCH_UNUSABLE &&
		    line_prefix(&mp->lines[i], i, &e[n]) > 0)
			n++;
	if (prefix_choose(e, n, PREFIX_LOAD_MAX, keep))
		goto out;
	for (unsigned i = 0; i < n; i++)
		if (keep[i])
			mp->lines[e[i].line].found_by = FOUND_BY_PREFIX;
	rc = 0;
out:
	free(e);
	free(keep);
	return rc;
}

/* A literal run of one line, and how many lines of its probe have the
 * same run: the rarer, the fewer banners hold it. */
struct lit_run {
	uint8_t bytes[MATCH_LITERAL_MAX];
	uint8_t len, at_start;
	unsigned line, count;
};

struct run_list {
	struct lit_run *runs;
	unsigned n, cap, line;
	int oom;
};

static void
collect_run(void *ctx, const uint8_t *run, size_t len, int at_start)
{
	struct run_list *rl = ctx;
	struct lit_run *r;

	if (len < MATCH_LIT_MIN || rl->oom)
		return;
	if (rl->n == rl->cap) {
		unsigned cap = rl->cap ? 2 * rl->cap : 256;
		struct lit_run *more = realloc(rl->runs, cap * sizeof(*more));

		if (!more) {
			rl->oom = 1;
			return;
		}
		rl->runs = more;
		rl->cap = cap;
	}
	r = &rl->runs[rl->n++];
	memcpy(r->bytes, run, len);
	r->len = (uint8_t)len;
	r->at_start = (uint8_t)at_start;
	r->line = rl->line;
}

static int
run_cmp(const void *a, const void *b)
{
	const struct lit_run *x = *(const struct lit_run *const *)a;
	const struct lit_run *y = *(const struct lit_run *const *)b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, x->len);
}

/* Count equal runs. 0 or -1 if out of memory. */
static int
count_runs(struct run_list *rl)
{
	struct lit_run **by = malloc((rl->n + 1) * sizeof(*by));

	if (!by)
		return -1;
	for (unsigned i = 0; i < rl->n; i++)
		by[i] = &rl->runs[i];
	qsort(by, rl->n, sizeof(*by), run_cmp);
	for (unsigned k = 0, end; k < rl->n; k = end) {
		for (end = k + 1; end < rl->n && !run_cmp(&by[k], &by[end]);
		     end++)
			;
		for (unsigned i = k; i < end; i++)
			by[i]->count = end - k;
	}
	free(by);
	return 0;
}

/* Whether run a selects better than b (NULL): rarer, then longer. The run
 * at the start only when longer than the prefix that is checked anyway. */
static int
run_better(const struct lit_run *a, const struct lit_run *b)
{
	if (a->at_start && a->len <= MATCH_PREFIX_MAX)
		return 0;
	return !b || a->count < b->count ||
	       (a->count == b->count && a->len > b->len);
}

/* Mark FOUND_BY_LITERAL the usable lines not found by prefix that require a
 * literal of MATCH_LIT_MIN bytes: a literal is found far faster than a
 * pattern. 0 or -1 if out of memory. */
static int
probe_mark_literals(struct match_probe *mp)
{
	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];
		struct run_list rl = {.line = i};

		if (l->kind == MATCH_UNUSABLE || l->found_by != FOUND_BY_REGEX)
			continue;
		match_literal_runs(l->m->pattern, l->m->flags & SP_CASELESS,
				   collect_run, &rl);
		if (rl.oom)
			return -1;
		if (rl.n)
			l->found_by = FOUND_BY_LITERAL;
		free(rl.runs);
	}
	return 0;
}

/* The literal set of mp's FOUND_BY_LITERAL lines (their required runs are
 * known), each line by its rarest run of MATCH_LIT_MIN bytes. 0, or -1 when
 * out of memory or such a line has none (a cache that does not fit). */
static int
probe_literals(struct match_probe *mp)
{
	struct run_list rl = {0};
	struct match_lit *lits = malloc((mp->line_count + 1) * sizeof(*lits));
	unsigned n = 0;
	int rc = -1;

	if (!lits)
		return -1;
	for (unsigned i = 0; i < mp->line_count; i++) {
		const struct match_line *l = &mp->lines[i];
		const uint8_t *r = l->runs, *end = r + l->runs_len;
		unsigned before = rl.n;

		if (l->found_by != FOUND_BY_LITERAL)
			continue;
		rl.line = i;
		for (int first = 1; r < end; r += 1 + r[0], first = 0)
			collect_run(&rl, r + 1, r[0], first && l->anchored);
		if (rl.oom || rl.n == before)
			goto out;
	}
	if (count_runs(&rl))
		goto out;
	for (unsigned k = 0, end; k < rl.n; k = end) {
		const struct lit_run *best = NULL;
		const struct match_line *l = &mp->lines[rl.runs[k].line];

		for (end = k;
		     end < rl.n && rl.runs[end].line == rl.runs[k].line; end++)
			if (run_better(&rl.runs[end], best))
				best = &rl.runs[end];
		if (!best)
			best =
			    &rl.runs[k]; /* only the prefix: still a filter */
		lits[n].bytes = best->bytes;
		lits[n].len = best->len;
		lits[n].caseless = (uint8_t)(l->m->flags & SP_CASELESS ? 1 : 0);
		lits[n++].id = best->line;
	}
	rc = 0;
	if (n && !(mp->lits = lit_set_build(lits, n)))
		rc = -1;
out:
	free(rl.runs);
	free(lits);
	return rc;
}

/* Classify p's lines (PCRE2 first: what it rejects is unusable), choose
 * those found by prefix or literal and build the database of the others. A line
 * Hyperscan refuses in the combined build moves down a kind and the build is
 * retried. 0 or -1 with a message. */
static int
probe_compile(struct match_db *db, struct match_probe *mp,
	      const struct sp_probe *sp, char *err, size_t errlen)
{
	const char **expr = calloc(mp->line_count + 1, sizeof(*expr));
	unsigned *flags = calloc(mp->line_count + 1, sizeof(*flags));
	unsigned *ids = calloc(mp->line_count + 1, sizeof(*ids));
	int rc = -1;

	if (!expr || !flags || !ids) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];
		char why[160], text[200];
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;

		mp->checks[i].code = pcre2_build(l->m, why, sizeof(why));
		if (!mp->checks[i].code) {
			l->kind = MATCH_UNUSABLE;
			snprintf(text, sizeof(text), "%smatch %s (probe %s)",
				 l->m->soft ? "soft" : "", l->m->service,
				 sp->name);
			sp_problem_add(&db->set, l->m->file, l->m->line, text,
				       why);
			continue;
		}
		if (hs_expression_info(l->m->pattern,
				       hs_flags(l->m, MATCH_EXACT), &info,
				       &ce) == HS_SUCCESS)
			l->kind = MATCH_EXACT;
		else if (hs_accepts(l->m, MATCH_PREFILTER))
			l->kind = MATCH_PREFILTER;
		else
			l->kind = MATCH_ALWAYS;
		free(info);
		hs_free_compile_error(ce);
	}
	if (probe_choose_prefixed(mp)) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	if (probe_mark_literals(mp)) {
		errf(err, errlen, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];

		if (l->kind != MATCH_UNUSABLE &&
		    l->found_by == FOUND_BY_REGEX &&
		    line_min_len(l, &mp->checks[i]) >= MIN_LEN_ALWAYS)
			l->kind = MATCH_ALWAYS;
	}
	for (;;) {
		unsigned n = 0;
		hs_compile_error_t *ce = NULL;
		struct match_line *bad;

		for (unsigned i = 0; i < mp->line_count; i++) {
			struct match_line *l = &mp->lines[i];

			if ((l->kind != MATCH_EXACT &&
			     l->kind != MATCH_PREFILTER) ||
			    l->found_by != FOUND_BY_REGEX)
				continue;
			expr[n] = l->m->pattern;
			flags[n] = hs_flags(l->m, l->kind);
			ids[n++] = i;
		}
		if (!n) {
			rc = 0;
			break;
		}
		if (hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL,
				     &mp->hs, &ce) == HS_SUCCESS) {
			rc = 0;
			break;
		}
		if (ce->expression < 0) {
			errf(err, errlen, "Hyperscan, probe %s: %s", sp->name,
			     ce->message);
			hs_free_compile_error(ce);
			break;
		}
		bad = &mp->lines[ids[ce->expression]];
		hs_free_compile_error(ce);
		if (bad->kind == MATCH_EXACT &&
		    hs_accepts(bad->m, MATCH_PREFILTER))
			bad->kind = MATCH_PREFILTER;
		else
			bad->kind = MATCH_ALWAYS;
	}
out:
	free(expr);
	free(flags);
	free(ids);
	return rc;
}

/* A growing byte buffer. */
struct bytes {
	uint8_t *p;
	size_t n, cap;
	int oom;
};

static void
bytes_put(struct bytes *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		uint8_t *more;

		while (cap < b->n + n)
			cap *= 2;
		more = realloc(b->p, cap);
		if (!more) {
			b->oom = 1;
			return;
		}
		b->p = more;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
}

struct line_runs {
	struct bytes runs;
	uint8_t anchored;
};

static void
add_required(void *ctx, const uint8_t *run, size_t len, int at_start)
{
	struct line_runs *lr = ctx;
	uint8_t n = (uint8_t)len;

	if (lr->runs.n + len + 1 > UINT16_MAX)
		return; /* a run fewer: still a condition every match meets */
	if (!lr->runs.n)
		lr->anchored = (uint8_t)at_start;
	bytes_put(&lr->runs, &n, 1);
	bytes_put(&lr->runs, run, len);
}

/* Point mp's lines into its literals (len bytes, copied from data): 0, or
 * -1 when out of memory or they do not describe its lines. */
static int
probe_take_literals(struct match_probe *mp, const uint8_t *data, size_t len)
{
	uint8_t *b = malloc(len + 1);
	size_t at = 0;

	if (!b)
		return -1;
	memcpy(b, data, len);
	free(mp->literals);
	mp->literals = b;
	mp->literals_len = len;
	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];
		uint16_t rl;

		if (at >= len || b[at] > MATCH_PREFIX_MAX ||
		    len - at < 1u + b[at] + 5)
			return -1;
		l->prefix_len = b[at];
		memcpy(l->prefix, b + at + 1, l->prefix_len);
		at += 1u + l->prefix_len;
		memcpy(&l->min_len, b + at, 2);
		at += 2;
		l->anchored = b[at];
		memcpy(&rl, b + at + 1, 2);
		at += 3;
		if (len - at < rl)
			return -1;
		l->runs = b + at;
		l->runs_len = rl;
		for (size_t r = 0; r < rl; r += 1u + b[at + r])
			if (!b[at + r] || b[at + r] > MATCH_LITERAL_MAX ||
			    r + 1u + b[at + r] > rl)
				return -1;
		at += rl;
	}
	return at == len ? 0 : -1;
}

/* Each usable line's prefix and required runs, read from its pattern, as
 * mp's literals. 0 or -1 if out of memory. */
static int
probe_literals_read(struct match_probe *mp)
{
	struct bytes b = {0};
	int rc;

	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];
		struct prefix_entry e;
		struct line_runs lr = {0};
		uint16_t rl, min_len = line_min_len(l, &mp->checks[i]);

		e.len = 0;
		if (l->kind != MATCH_UNUSABLE) {
			line_prefix(l, i, &e);
			match_literal_runs(l->m->pattern,
					   l->m->flags & SP_CASELESS,
					   add_required, &lr);
		}
		rl = (uint16_t)lr.runs.n;
		bytes_put(&b, &e.len, 1);
		bytes_put(&b, e.bytes, e.len);
		bytes_put(&b, &min_len, 2);
		bytes_put(&b, &lr.anchored, 1);
		bytes_put(&b, &rl, 2);
		bytes_put(&b, lr.runs.p, lr.runs.n);
		b.oom |= lr.runs.oom;
		free(lr.runs.p);
	}
	rc = b.oom ? -1 : probe_take_literals(mp, b.p, b.n);
	free(b.p);
	return rc;
}

/* Whether run r (n bytes, folded if fold) is at data + i. */
static int
run_at(const uint8_t *data, size_t i, const uint8_t *r, size_t n, int fold)
{
	if (!fold)
		return !memcmp(data + i, r, n);
	for (size_t k = 0; k < n; k++)
		if (match_prefix_fold(data[i + k]) != r[k])
			return 0;
	return 1;
}

/* Where run r (n >= 1 bytes) first is in data at or after from; len when
 * nowhere. Sixteen positions at a time: those whose first and last bytes
 * fit (bit 5 set on both sides when folded: a superset), then checked. */
static size_t
find_run(const uint8_t *data, size_t len, size_t from, const uint8_t *r,
	 size_t n, int fold)
{
	const __m128i set = _mm_set1_epi8(fold ? 0x20 : 0);
	const __m128i first = _mm_set1_epi8((char)(r[0] | (fold ? 0x20 : 0)));
	const __m128i last =
	    _mm_set1_epi8((char)(r[n - 1] | (fold ? 0x20 : 0)));
	size_t i = from;

	for (; i + n + 15 <= len; i += 16) {
		__m128i a = _mm_or_si128(
		    _mm_loadu_si128((const __m128i *)(data + i)), set);
		__m128i b = _mm_or_si128(
		    _mm_loadu_si128((const __m128i *)(data + i + n - 1)), set);
		unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		    _mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));

		for (; mask; mask &= mask - 1)
			if (run_at(data, i + (unsigned)__builtin_ctz(mask), r,
				   n, fold))
				return i + (unsigned)__builtin_ctz(mask);
	}
	for (; i + n <= len; i++)
		if (run_at(data, i, r, n, fold))
			return i;
	return len;
}

/* Whether data holds c's required runs (in literals) in order, the first at
 * its start when c has a head: a cheap test every subject its line matches
 * passes. The head's bytes are compared first, in the check itself. */
static int
has_runs(const struct line_check *c, const uint8_t *literals,
	 const uint8_t *data, size_t len)
{
	const uint8_t *r = literals + c->runs, *end = r + c->runs_len;
	int fold = c->caseless;
	size_t at = 0;

	if (c->head_len) {
		if (len < c->head_len)
			return 0;
		for (unsigned k = 0; k < c->head_len; k++)
			if ((fold ? match_prefix_fold(data[k]) : data[k]) !=
			    c->head[k])
				return 0;
		/* only now the runs, elsewhere in memory */
		if (len < r[0] || !run_at(data, 0, r + 1, r[0], fold))
			return 0;
		at = r[0];
		r += 1 + r[0];
	}
	for (; r < end; r += 1 + r[0]) {
		size_t i = find_run(data, len, at, r + 1, r[0], fold);

		if (i == len)
			return 0;
		at = i + r[0];
	}
	return 1;
}

/* Whether an anchored line's first run begins with its prefix (ASCII case
 * aside), as match_literal_runs() promises: the runs test then covers the
 * prefix test a candidate found by literal needs. */
static int
runs_cover_prefix(const struct match_line *l)
{
	if (!l->prefix_len)
		return 1;
	if (!l->anchored || !l->runs_len || l->runs[0] < l->prefix_len)
		return 0;
	for (unsigned k = 0; k < l->prefix_len; k++)
		if (match_prefix_fold(l->runs[1 + k]) != l->prefix[k])
			return 0;
	return 1;
}

/* The rest of line l's check c, its runs in literals (c's line and code
 * are set). */
static void
line_check_make(const struct match_line *l, const uint8_t *literals,
		struct line_check *c)
{
	c->what = l->kind == MATCH_UNUSABLE ? CHECK_NEVER
		  : l->kind == MATCH_EXACT && l->found_by == FOUND_BY_REGEX
		      ? CHECK_EXACT
		      : CHECK_CONFIRM;
	c->caseless = (uint8_t)(l->m->flags & SP_CASELESS ? 1 : 0);
	c->soft = l->m->soft;
	c->min_len = l->min_len;
	c->runs = (uint32_t)(l->runs - literals);
	c->runs_len = l->runs_len;
	c->head_len = 0;
	if (l->anchored && l->runs_len) {
		c->head_len = (uint8_t)(l->runs[0] < 4 ? l->runs[0] : 4);
		memcpy(c->head, l->runs + 1, c->head_len);
	}
}

/* Each line's check, the lines mp always confirms and the index of its
 * FOUND_BY_PREFIX lines. 0, or -1 when out of memory, such a line has no
 * prefix or a FOUND_BY_LITERAL line's runs do not cover its prefix (a cache
 * that does not fit its inputs). */
static int
probe_index(struct match_probe *mp)
{
	struct prefix_entry *e = malloc((mp->line_count + 1) * sizeof(*e));
	unsigned n = 0;

	if (!e)
		return -1;
	mp->always_count = 0;
	for (unsigned i = 0; i < mp->line_count; i++) {
		struct match_line *l = &mp->lines[i];

		line_check_make(l, mp->literals, &mp->checks[i]);
		if (l->found_by == FOUND_BY_LITERAL && !runs_cover_prefix(l)) {
			free(e);
			return -1;
		}
		if (l->prefix_len && l->found_by == FOUND_BY_PREFIX) {
			e[n].len = l->prefix_len;
			memcpy(e[n].bytes, l->prefix, l->prefix_len);
			e[n++].line = i;
		} else if (l->found_by == FOUND_BY_PREFIX) {
			free(e);
			return -1;
		}
		if (l->kind == MATCH_ALWAYS && l->found_by == FOUND_BY_REGEX)
			mp->always[mp->always_count++] = i;
	}
	if (n)
		mp->prefix = prefix_index_build(e, n);
	free(e);
	if (n && !mp->prefix)
		return -1;
	return probe_literals(mp);
}

/* ---- open and close ---- */

static int
read_inputs(struct match_db *db, const struct match_options *opt,
	    struct match_key *key, char *err, size_t errlen)
{
	const char *path =
	    opt->probes_file ? opt->probes_file : MATCH_PROBES_DEFAULT;
	size_t len;
	char *text = match_read_file(path, &len, err, errlen);

	if (!text)
		return -1;
	match_key_add(key, text, len);
	sp_parse_text(&db->set, text, len, path, err, errlen);
	free(text);
	if (!db->set.probe_count) {
		errf(err, errlen,
		     "%s: no Probe line: not an nmap-service-probes file",
		     path);
		return -1;
	}
	if (opt->signatures_dir &&
	    signatures_load_dir(&db->set, opt->signatures_dir, key, err,
				errlen))
		return -1;
	sp_finish(&db->set);
	return 0;
}

/* Bytes of n checks, rounded up to a multiple of 64 (aligned_alloc()). */
static size_t
checks_size(unsigned n)
{
	return ((n + 1) * sizeof(struct line_check) + 63) & ~(size_t)63;
}

/* Bytes of m's struct line_out, rounded up to a multiple of 64; 0 when
 * its text is too long for 16-bit offsets. */
static size_t
out_size(const struct sp_match *m)
{
	size_t n = strlen(m->service) + 1;

	for (int f = 0; f < SP_FIELDS; f++)
		n += m->tmpl[f] ? strlen(m->tmpl[f]) + 1 : 0;
	for (unsigned k = 0; k < m->cpe_count; k++)
		n += strlen(m->cpe[k]) + 1;
	if (n >= OUT_NONE)
		return 0;
	return (sizeof(struct line_out) + n + 63) & ~(size_t)63;
}

/* Append string t to lo's text (at *at); its offset. */
static uint16_t
out_put(struct line_out *lo, size_t *at, const char *t)
{
	size_t n = strlen(t) + 1, off = *at;

	memcpy(lo->text + off, t, n);
	*at += n;
	return (uint16_t)off;
}

/* Every line's struct line_out, in db->outs, pointed to by its check. 0,
 * or -1 when out of memory or a line's text is too long. */
static int
build_outs(struct match_db *db)
{
	size_t total = 0;
	char *at;

	for (unsigned p = 0; p < db->set.probe_count; p++)
		for (unsigned i = 0; i < db->set.probes[p].match_count; i++) {
			size_t n = out_size(&db->set.probes[p].matches[i]);

			if (!n)
				return -1;
			total += n;
		}
	db->outs = aligned_alloc(64, total + 64);
	if (!db->outs)
		return -1;
	at = db->outs;
	for (unsigned p = 0; p < db->set.probe_count; p++)
		for (unsigned i = 0; i < db->set.probes[p].match_count; i++) {
			const struct sp_match *m =
			    &db->set.probes[p].matches[i];
			struct line_out *lo = (struct line_out *)at;
			size_t text = 0;

			lo->m = m;
			lo->soft = m->soft;
			lo->uses_captures = m->uses_captures;
			lo->cpe_count = m->cpe_count;
			out_put(lo, &text, m->service);
			for (int f = 0; f < SP_FIELDS; f++)
				lo->tmpl[f] =
				    m->tmpl[f] ? out_put(lo, &text, m->tmpl[f])
					       : OUT_NONE;
			for (unsigned k = 0; k < m->cpe_count; k++)
				lo->cpe[k] = out_put(lo, &text, m->cpe[k]);
			db->probes[p].checks[i].out = lo;
			at += out_size(m);
		}
	return 0;
}

static int
build_lines(struct match_db *db)
{
	db->probes = calloc(db->set.probe_count, sizeof(*db->probes));
	if (!db->probes)
		return -1;
	for (unsigned p = 0; p < db->set.probe_count; p++) {
		struct match_probe *mp = &db->probes[p];
		const struct sp_probe *sp = &db->set.probes[p];

		mp->line_count = sp->match_count;
		mp->lines = calloc(sp->match_count + 1, sizeof(*mp->lines));
		mp->always = calloc(sp->match_count + 1, sizeof(*mp->always));
		/* a check never spans two cache lines */
		mp->checks = aligned_alloc(64, checks_size(sp->match_count));
		if (!mp->lines || !mp->always || !mp->checks)
			return -1;
		memset(mp->checks, 0, checks_size(sp->match_count));
		for (unsigned i = 0; i < sp->match_count; i++)
			mp->lines[i].m = &sp->matches[i];
		if (sp->match_count > db->max_lines)
			db->max_lines = sp->match_count;
	}
	return build_outs(db);
}

struct match_db *
match_db_open(const struct match_options *opt, char *err, size_t errlen)
{
	struct match_db *db = calloc(1, sizeof(*db));
	struct match_key key;
	const unsigned choice[] = {PREFIX_LOAD_MAX, MATCH_LIT_MIN,
				   MIN_LEN_ALWAYS};
	char dir[400];
	double t0 = now_ms();
	int loaded = 0;

	if (!db) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	sp_init(&db->set);
	match_key_init(&key);
	/* how lines are found depends on these bounds too */
	match_key_add(&key, choice, sizeof(choice));
	if (read_inputs(db, opt, &key, err, errlen))
		goto fail;
	if (build_lines(db)) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	db->stats.parse_ms = now_ms() - t0;
	t0 = now_ms();
	if (!opt->no_cache) {
		if (opt->cache_dir)
			snprintf(dir, sizeof(dir), "%s", opt->cache_dir);
		else
			match_default_cache_dir(dir, sizeof(dir));
		match_cache_path(dir, &key, db->stats.cache_path,
				 sizeof(db->stats.cache_path));
		loaded = match_cache_load(db->stats.cache_path, &key,
					  db->set.probe_count,
					  match_cache_probe_sink, db) == 0;
	}
	if (!loaded) {
		/* a cache that failed half-way leaves nothing behind */
		for (unsigned p = 0; db->arena && p < db->set.probe_count;
		     p++) {
			db->probes[p].hs = NULL;
		}
		if (db->arena)
			munmap(db->arena, db->arena_size);
		db->arena = NULL;
		for (unsigned p = 0; p < db->set.probe_count; p++) {
			if (probe_compile(db, &db->probes[p],
					  &db->set.probes[p], err, errlen))
				goto fail;
			if (probe_literals_read(&db->probes[p])) {
				errf(err, errlen, "out of memory");
				goto fail;
			}
		}
		if (!opt->no_cache) {
			db->stats.cache_written =
			    match_cache_save(db->stats.cache_path, dir, &key,
					     db->set.probe_count,
					     match_cache_probe_source, db,
					     db->stats.cache_note,
					     sizeof(db->stats.cache_note)) == 0;
		}
	} else {
		/* lines PCRE2 rejects are problems again on every start */
		for (unsigned p = 0; p < db->set.probe_count; p++)
			for (unsigned i = 0; i < db->probes[p].line_count;
			     i++) {
				struct match_line *l = &db->probes[p].lines[i];
				struct line_check *c = &db->probes[p].checks[i];
				char why[160], text[200];

				if (l->kind != MATCH_UNUSABLE ||
				    (c->code =
					 pcre2_build(l->m, why, sizeof(why))))
					continue;
				snprintf(text, sizeof(text),
					 "%smatch %s (probe %s)",
					 l->m->soft ? "soft" : "",
					 l->m->service, db->set.probes[p].name);
				sp_problem_add(&db->set, l->m->file, l->m->line,
					       text, why);
			}
	}
	db->stats.from_cache = loaded;
	for (unsigned p = 0; p < db->set.probe_count; p++) {
		struct match_probe *mp = &db->probes[p];
		size_t size = 0;

		if (probe_index(mp)) {
			errf(err, errlen,
			     "cannot index the prefixes of probe %s%s",
			     db->set.probes[p].name,
			     db->stats.from_cache ? " (remove the cache)" : "");
			goto fail;
		}
		if (!mp->hs)
			continue;
		if (hs_alloc_scratch(mp->hs, &db->scratch) != HS_SUCCESS) {
			errf(err, errlen, "cannot allocate Hyperscan scratch");
			goto fail;
		}
		hs_database_size(mp->hs, &size);
		db->stats.db_bytes += size;
	}
	db->stats.db_ms = now_ms() - t0;
	if (db->scratch)
		hs_scratch_size(db->scratch, &db->stats.scratch_bytes);
	return db;
fail:
	match_db_close(db);
	return NULL;
}

void
match_db_close(struct match_db *db)
{
	if (!db)
		return;
	for (unsigned p = 0; db->probes && p < db->set.probe_count; p++) {
		struct match_probe *mp = &db->probes[p];

		if (!db->arena)
			hs_free_database(mp->hs);
		lit_set_free(mp->lits);
		for (unsigned i = 0; mp->lines && i < mp->line_count; i++)
			pcre2_code_free(mp->checks[i].code);
		free(mp->literals);
		free(mp->lines);
		free(mp->checks);
		free(mp->always);
		prefix_index_free(mp->prefix);
	}
	free(db->probes);
	free(db->outs);
	if (db->arena)
		munmap(db->arena, db->arena_size);
	hs_free_scratch(db->scratch);
	sp_free(&db->set);
	free(db);
}

const struct sp_set *
match_db_set(const struct match_db *db)
{
	return &db->set;
}

void
match_db_stats(const struct match_db *db, struct match_stats *st)
{
	*st = db->stats;
	st->probes = db->set.probe_count;
	st->lines = 0;
	st->by_prefix = st->by_literal = 0;
	memset(st->kind, 0, sizeof(st->kind));
	for (unsigned p = 0; p < db->set.probe_count; p++)
		for (unsigned i = 0; i < db->probes[p].line_count; i++) {
			st->lines++;
			st->kind[db->probes[p].lines[i].kind]++;
			st->by_prefix +=
			    db->probes[p].lines[i].found_by == FOUND_BY_PREFIX;
			st->by_literal +=
			    db->probes[p].lines[i].found_by == FOUND_BY_LITERAL;
		}
	st->problems = db->set.problem_count;
}

enum match_kind
match_line_kind(const struct match_db *db, unsigned probe, unsigned line)
{
	return (enum match_kind)db->probes[probe].lines[line].kind;
}

int
match_db_compile_all(struct match_db *db)
{
	for (unsigned p = 0; p < db->set.probe_count; p++)
		for (unsigned i = 0; i < db->probes[p].line_count; i++) {
			if (db->probes[p].lines[i].kind != MATCH_UNUSABLE &&
			    !line_code(&db->probes[p].checks[i]))
				return -1;
		}
	return 0;
}

/* ---- the cache's view of the databases ---- */

int
match_cache_probe_source(void *ctx, unsigned p, uint8_t **kinds,
			 unsigned *line_count, char *bytes[MATCH_CACHE_DBS],
			 size_t len[MATCH_CACHE_DBS])
{
	struct match_db *db = ctx;
	struct match_probe *mp = &db->probes[p];
	hs_database_t *hs = mp->hs;

	*kinds = malloc(mp->line_count + 1);
	if (!*kinds)
		return -1;
	*line_count = mp->line_count;
	for (unsigned i = 0; i < mp->line_count; i++)
		(*kinds)[i] =
		    (uint8_t)(mp->lines[i].kind | mp->lines[i].found_by
						      << CACHE_FOUND_SHIFT);
	bytes[CACHE_HS] = NULL;
	len[CACHE_HS] = 0;
	if (hs && hs_serialize_database(hs, &bytes[CACHE_HS], &len[CACHE_HS]) !=
		      HS_SUCCESS)
		return -1;
	bytes[CACHE_LITERALS] = malloc(mp->literals_len + 1);
	len[CACHE_LITERALS] = mp->literals_len;
	if (!bytes[CACHE_LITERALS])
		return -1;
	memcpy(bytes[CACHE_LITERALS], mp->literals, mp->literals_len);
	return 0;
}

/* A serialized database into the arena (mapped on first use); NULL when
 * it does not fit or is damaged. */
static hs_database_t *
arena_load(struct match_db *db, const char *bytes, size_t len, size_t total)
{
	hs_database_t *hs;
	size_t size;

	if (!db->arena) {
		/* a database takes about its serialized size; twice the
		 * file is address space, touched only as far as used */
		db->arena_size = 2 * total + (1u << 21);
		db->arena = mmap(NULL, db->arena_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (db->arena == MAP_FAILED) {
			db->arena = NULL;
			return NULL;
		}
		madvise(db->arena, db->arena_size, MADV_HUGEPAGE);
	}
	if (hs_serialized_database_size(bytes, len, &size) != HS_SUCCESS ||
	    db->arena_used + size > db->arena_size)
		return NULL;
	hs = (hs_database_t *)(db->arena + db->arena_used);
	if (hs_deserialize_database_at(bytes, len, hs) != HS_SUCCESS)
		return NULL;
	db->arena_used += (size + 63) & ~(size_t)63;
	return hs;
}

int
match_cache_probe_sink(void *ctx, unsigned p, const uint8_t *kinds,
		       unsigned line_count,
		       const char *const bytes[MATCH_CACHE_DBS],
		       const size_t len[MATCH_CACHE_DBS], size_t total)
{
	struct match_db *db = ctx;
	struct match_probe *mp = &db->probes[p];

	if (line_count != mp->line_count)
		return -1;
	for (unsigned i = 0; i < line_count; i++) {
		unsigned kind = kinds[i] & ((1u << CACHE_FOUND_SHIFT) - 1);
		unsigned found = kinds[i] >> CACHE_FOUND_SHIFT;

		if (kind > MATCH_UNUSABLE || found > FOUND_BY_LITERAL ||
		    (kind == MATCH_UNUSABLE && found))
			return -1;
		mp->lines[i].kind = (uint8_t)kind;
		mp->lines[i].found_by = (uint8_t)found;
	}
	mp->hs = NULL;
	if (len[CACHE_HS] &&
	    !(mp->hs = arena_load(db, bytes[CACHE_HS], len[CACHE_HS], total)))
		return -1;
	return probe_take_literals(mp, (const uint8_t *)bytes[CACHE_LITERALS],
				   len[CACHE_LITERALS]);
}

/* ---- scratch ---- */

struct match_scratch *
match_scratch_new(const struct match_db *db)
{
	struct match_scratch *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cand = calloc(db->max_lines + 1, sizeof(*s->cand));
	s->md = pcre2_match_data_create(OVEC_PAIRS, NULL);
	if (!s->cand || !s->md ||
	    (db->scratch &&
	     hs_clone_scratch(db->scratch, &s->hs) != HS_SUCCESS)) {
		match_scratch_free(s);
		return NULL;
	}
	return s;
}

void
match_scratch_free(struct match_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	free(s->cand);
	free(s);
}

size_t
match_scratch_size(const struct match_scratch *s)
{
	size_t n = 0;

	if (s->hs)
		hs_scratch_size(s->hs, &n);
	return n;
}

void
match_last_line(const struct match_scratch *s, const char **file,
		unsigned *line)
{
	*file = s->decided ? s->decided->file : "";
	*line = s->decided ? s->decided->line : 0;
}

/* ---- identification ---- */

/* Fill out from the templates of c's line (its groups are in s->md, or are
 * found again). */
static enum service_match
fill(struct match_scratch *s, struct line_check *c, const uint8_t *data,
     size_t len, struct service_id *out)
{
	const struct line_out *lo = c->out;
	const PCRE2_SIZE *ov = NULL;
	unsigned pairs = 0;
	const char **dst[SP_FIELDS] = {&out->product, &out->version,
				       &out->info,    &out->hostname,
				       &out->os,      &out->devicetype};

	memset(out, 0, sizeof(*out));
	s->decided = lo->m;
	out->match = lo->soft ? SERVICE_SOFT : SERVICE_HARD;
	out->name = lo->text;
	if (lo->uses_captures && s->md_for != lo)
		line_matches(c, s, data, len, PCRE2_WAY_JIT_FAST);
	if (lo->uses_captures && s->md_for == lo) {
		ov = pcre2_get_ovector_pointer(s->md);
		pairs = pcre2_get_ovector_count(s->md);
	}
	for (int f = 0; f < SP_FIELDS; f++) {
		if (lo->tmpl[f] == OUT_NONE)
			continue;
		if (vt_render(lo->text + lo->tmpl[f], data, ov, pairs,
			      s->fields[f], MATCH_FIELD_MAX))
			*dst[f] = s->fields[f];
	}
	for (unsigned k = 0; k < lo->cpe_count; k++) {
		memcpy(s->cpe[k], "cpe:/", 5);
		vt_render(lo->text + lo->cpe[k], data, ov, pairs, s->cpe[k] + 5,
			  MATCH_FIELD_MAX - 5);
		out->cpe[out->cpe_count++] = s->cpe[k];
	}
	return (enum service_match)out->match;
}

struct candidates {
	unsigned *ids;
	unsigned n;
};

static int
on_hs_match(unsigned id, unsigned long long from, unsigned long long to,
	    unsigned flags, void *ctx)
{
	struct candidates *c = ctx;

	(void)from;
	(void)to;
	(void)flags;
	c->ids[c->n++] = id;
	return 0;
}

/* Candidates of probe mp for data into s->cand, ascending. */
static void
candidates(const struct match_probe *mp, struct match_scratch *s,
	   const uint8_t *data, size_t len)
{
	struct candidates c = {.ids = s->cand};

	if (mp->hs)
		hs_scan(mp->hs, (const char *)data, (unsigned)len, 0, s->hs,
			on_hs_match, &c);
	if (mp->lits) /* a line whose literal is in the data */
		c.n += lit_set_scan(mp->lits, data, len, c.ids + c.n);
	/* a line always tried, unless the banner is too short for it (its
	 * check, read for every banner, stays in cache) */
	for (unsigned i = 0; i < mp->always_count; i++)
		if (len >= mp->checks[mp->always[i]].min_len)
			c.ids[c.n++] = mp->always[i];
	if (mp->prefix)
		c.n += prefix_index_find(mp->prefix, data, len, c.ids + c.n);
	for (unsigned i = 1; i < c.n; i++) {
		unsigned v = c.ids[i], j = i;

		for (; j && c.ids[j - 1] > v; j--)
			c.ids[j] = c.ids[j - 1];
		c.ids[j] = v;
	}
	/* their checks are read in order next: fetch them all at once */
	for (unsigned i = 0; i < c.n; i++)
		__builtin_prefetch(&mp->checks[c.ids[i]]);
	s->cand_count = c.n;
}

enum service_match
match_identify(const struct match_db *db, struct match_scratch *s,
	       enum match_engine engine, unsigned probe, const uint8_t *data,
	       size_t len, const char *narrow, struct service_id *out)
{
	const struct sp_probe *sp = &db->set.probes[probe];
	struct line_check *soft = NULL;
	int fast = engine == MATCH_HYPERSCAN;
	/* the references call PCRE2 as nmap does */
	enum pcre2_way way = fast			 ? PCRE2_WAY_JIT_FAST
			     : engine == MATCH_PCRE2_JIT ? PCRE2_WAY_MATCH
							 : PCRE2_WAY_INTERP;

	s->md_for = NULL;
	s->decided = NULL;
	for (unsigned k = 0; k < sp->chain_len; k++) {
		const struct match_probe *mp = &db->probes[sp->chain[k]];
		unsigned n = mp->line_count;

		if (fast) {
			candidates(mp, s, data, len);
			n = s->cand_count;
		}
		for (unsigned j = 0; j < n; j++) {
			struct line_check *c =
			    &mp->checks[fast ? s->cand[j] : j];

			/* the next candidate's PCRE2 code, while this one is
			 * tested */
			if (fast && j + 1 < n)
				__builtin_prefetch(__atomic_load_n(
				    &mp->checks[s->cand[j + 1]].code,
				    __ATOMIC_RELAXED));

			if (c->what == CHECK_NEVER)
				continue;
			/* the fast path's exact tests first */
			if (fast && c->what == CHECK_CONFIRM &&
			    (len < c->min_len ||
			     !has_runs(c, mp->literals, data, len)))
				continue;
			/* what its answer is made of, read if it matches */
			__builtin_prefetch(c->out);
			__builtin_prefetch((const char *)c->out + 64);
			if ((narrow && strcmp(c->out->text, narrow)) ||
			    ((!fast || c->what == CHECK_CONFIRM) &&
			     !line_matches(c, s, data, len, way)))
				continue;
			if (!c->soft)
				return fill(s, c, data, len, out);
			if (!soft)
				soft = c;
		}
	}
	if (soft)
		return fill(s, soft, data, len, out);
	memset(out, 0, sizeof(*out));
	return SERVICE_NONE;
}

enum service_match
match_identify_plan(const struct match_db *db, struct match_scratch *s,
		    enum match_engine engine, const unsigned *plan, unsigned n,
		    const uint8_t *data, size_t len, struct service_id *out)
{
	char narrow[128] = "";
	unsigned soft_at = n;

	for (unsigned k = 0; k < n; k++) {
		enum service_match m =
		    match_identify(db, s, engine, plan[k], data, len,
				   soft_at < n ? narrow : NULL, out);

		if (m == SERVICE_HARD)
			return m;
		if (m == SERVICE_SOFT && soft_at == n) {
			soft_at = k;
			snprintf(narrow, sizeof(narrow), "%s", out->name);
		}
	}
	/* the softmatch again: later probes wrote over its fields */
	if (soft_at < n)
		return match_identify(db, s, engine, plan[soft_at], data, len,
				      NULL, out);
	memset(out, 0, sizeof(*out));
	return SERVICE_NONE;
}
