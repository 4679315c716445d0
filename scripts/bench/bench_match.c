/* bench_match: lib/match over a banner corpus ("PROBE<TAB>HEX" lines, from
 * scripts/make_banners.py). --compare checks that the Hyperscan path and
 * nmap-order PCRE2 (JIT, and the interpreter) answer identically, line by
 * line; otherwise it times each engine per probe and the cached load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match.h"

struct banner {
	unsigned probe;
	uint8_t *data;
	size_t len;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: on a shared machine, time we were not running
 * does not count against the engine being measured. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
hexval(int c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static struct banner *
read_corpus(const char *path, const struct sp_set *set, size_t *count)
{
	FILE *f = fopen(path, "r");
	struct banner *b = NULL;
	size_t n = 0, cap = 0, lcap = 0;
	char *line = NULL;
	ssize_t ll;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((ll = getline(&line, &lcap, f)) > 0) {
		char *tab = strchr(line, '\t');
		int p;

		if (!tab)
			continue;
		*tab = 0;
		p = sp_probe_find(set, line, 6);
		if (p < 0) {
			fprintf(stderr, "corpus: unknown probe %s\n", line);
			exit(2);
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			b = realloc(b, cap * sizeof(*b));
		}
		char *hex = tab + 1;
		size_t hl = strcspn(hex, "\r\n");

		b[n].probe = (unsigned)p;
		b[n].len = hl / 2;
		b[n].data = malloc(hl / 2 + 1);
		for (size_t i = 0; i < hl / 2; i++)
			b[n].data[i] = (uint8_t)(hexval(hex[2 * i]) << 4 |
						 hexval(hex[2 * i + 1]));
		n++;
	}
	free(line);
	fclose(f);
	*count = n;
	return b;
}

static int
same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int
same_id(const struct service_id *a, const struct service_id *b)
{
	if (a->match != b->match || a->cpe_count != b->cpe_count)
		return 0;
	if (!same_str(a->name, b->name) || !same_str(a->product, b->product) ||
	    !same_str(a->version, b->version) || !same_str(a->info, b->info) ||
	    !same_str(a->hostname, b->hostname) || !same_str(a->os, b->os) ||
	    !same_str(a->devicetype, b->devicetype))
		return 0;
	for (unsigned i = 0; i < a->cpe_count; i++)
		if (!same_str(a->cpe[i], b->cpe[i]))
			return 0;
	return 1;
}

static void
print_id(const char *what, const struct service_id *id,
	 const struct match_scratch *s)
{
	const char *file;
	unsigned line;

	match_last_line(s, &file, &line);
	fprintf(stderr, "  %s: %s %s product=%s version=%s info=%s (line %u)\n",
		what, service_match_name((enum service_match)id->match),
		id->name ? id->name : "-", id->product ? id->product : "-",
		id->version ? id->version : "-", id->info ? id->info : "-",
		line);
}

/* Hyperscan vs JIT on every banner; the interpreter vs JIT on every
 * interp_every-th; half of them narrowed to a service. Returns the number
 * of disagreements. */
static unsigned long
compare(const struct match_db *db, const struct banner *b, size_t n,
	unsigned interp_every)
{
	struct match_scratch *s1 = match_scratch_new(db);
	struct match_scratch *s2 = match_scratch_new(db);
	struct match_scratch *s3 = match_scratch_new(db);
	static const char *const narrows[] = {NULL, "http", NULL, "ssh",
					      NULL, "ftp",  NULL, "smtp"};
	unsigned long diff = 0, hard = 0, soft = 0;

	for (size_t i = 0; i < n; i++) {
		struct service_id h, j, t;

		/* every other banner as if an earlier probe had softmatched
		 * a common service: narrowing must agree too */
		const char *narrow =
		    narrows[i % (sizeof(narrows) / sizeof(narrows[0]))];

		match_identify(db, s1, MATCH_HYPERSCAN, b[i].probe, b[i].data,
			       b[i].len, narrow, &h);
		match_identify(db, s2, MATCH_PCRE2_JIT, b[i].probe, b[i].data,
			       b[i].len, narrow, &j);
		hard += h.match == SERVICE_HARD;
		soft += h.match == SERVICE_SOFT;
		int ok = same_id(&h, &j);

		if (ok && interp_every && i % interp_every == 0) {
			match_identify(db, s3, MATCH_PCRE2_INTERP, b[i].probe,
				       b[i].data, b[i].len, narrow, &t);
			ok = same_id(&t, &j);
		}
		if (!ok) {
			if (diff++ < 20) {
				fprintf(
				    stderr,
				    "banner %zu (probe %s, %zu bytes) "
				    "differs:\n",
				    i,
				    match_db_set(db)->probes[b[i].probe].name,
				    b[i].len);
				print_id("hyperscan", &h, s1);
				print_id("pcre2-jit", &j, s2);
			}
		}
	}
	printf("compared %zu banners: %lu hard, %lu soft, %lu none; %lu "
	       "disagreements\n",
	       n, hard, soft, n - hard - soft, diff);
	match_scratch_free(s1);
	match_scratch_free(s2);
	match_scratch_free(s3);
	return diff;
}

static const char *const engine_names[] = {
    "hyperscan", "pcre2-jit (nmap order)", "pcre2-interp (nmap order)"};

/* banners per CPU second of engine over the corpus entries of probe p. */
static double
rate(const struct match_db *db, struct match_scratch *s, enum match_engine e,
     const struct banner *b, size_t n, unsigned p, double min_s)
{
	unsigned long done = 0, matched = 0;
	double t0 = cpu_s(), t;

	do {
		for (size_t i = 0; i < n; i++) {
			struct service_id id;

			if (b[i].probe != p)
				continue;
			matched +=
			    match_identify(db, s, e, p, b[i].data, b[i].len,
					   NULL, &id) != SERVICE_NONE;
			done++;
		}
		t = cpu_s() - t0;
	} while (t < min_s);
	return done / t;
}

int
main(int argc, char **argv)
{
	struct match_options opt = {0};
	const char *corpus = NULL, *probes[8];
	unsigned probe_count = 0, interp_every = 10, engines = 3;
	int do_compare = 0;
	double min_s = 1.0;
	char err[MATCH_ERR_LEN];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--compare"))
			do_compare = 1;
		else if (!strcmp(argv[i], "--service-probes") && i + 1 < argc)
			opt.probes_file = argv[++i];
		else if (!strcmp(argv[i], "--signatures") && i + 1 < argc)
			opt.signatures_dir = argv[++i];
		else if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			opt.cache_dir = argv[++i];
		else if (!strcmp(argv[i], "--probe") && i + 1 < argc &&
			 probe_count < 8)
			probes[probe_count++] = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			min_s = atof(argv[++i]);
		else if (!strcmp(argv[i], "--hyperscan-only"))
			engines = 1;
		else if (!strcmp(argv[i], "--interp-every") && i + 1 < argc)
			interp_every = (unsigned)atoi(argv[++i]);
		else if (!corpus && argv[i][0] != '-')
			corpus = argv[i];
		else {
			fprintf(stderr, "usage: bench_match [--compare] "
					"[--service-probes F] "
					"[--signatures DIR] [--cache DIR] "
					"[--probe NAME]... "
					"[--seconds S] [--interp-every N] "
					"[--hyperscan-only] "
					"CORPUS\n");
			return 2;
		}
	}
	if (!corpus) {
		fprintf(stderr, "bench_match: no corpus\n");
		return 2;
	}
	double t0 = now_s();
	struct match_db *db = match_db_open(&opt, err, sizeof(err));
	double open_ms = (now_s() - t0) * 1e3;

	if (!db) {
		fprintf(stderr, "bench_match: %s\n", err);
		return 1;
	}
	struct match_stats st;

	match_db_stats(db, &st);
	printf("signatures: %u probes, %u lines (%u exact, %u prefilter, %u "
	       "PCRE2-only, %u unusable; %u found by prefix, %u by "
	       "literal)\n",
	       st.probes, st.lines, st.kind[MATCH_EXACT],
	       st.kind[MATCH_PREFILTER], st.kind[MATCH_ALWAYS],
	       st.kind[MATCH_UNUSABLE], st.by_prefix, st.by_literal);
	printf("open: %.1f ms (parse %.1f ms, databases %s %.1f ms, %.1f MiB); "
	       "cache %s\n",
	       open_ms, st.parse_ms,
	       st.from_cache ? "loaded from cache in" : "compiled in", st.db_ms,
	       st.db_bytes / 1048576.0, st.cache_path);
	struct match_scratch *s = match_scratch_new(db);

	printf("scratch per lcore: %zu bytes\n", match_scratch_size(s));
	if (match_db_compile_all(db)) {
		fprintf(stderr, "bench_match: PCRE2 compile failed\n");
		return 1;
	}
	size_t n;
	struct banner *b = read_corpus(corpus, match_db_set(db), &n);

	if (do_compare) {
		int rc = compare(db, b, n, interp_every) ? 1 : 0;

		for (size_t i = 0; i < n; i++)
			free(b[i].data);
		free(b);
		match_scratch_free(s);
		match_db_close(db);
		return rc;
	}
	if (!probe_count) {
		probes[probe_count++] = "NULL";
		probes[probe_count++] = "GetRequest";
	}
	for (unsigned k = 0; k < probe_count; k++) {
		int p = sp_probe_find(match_db_set(db), probes[k], 6);
		size_t np = 0;
		double r[3] = {0, 0, 0};

		if (p < 0) {
			fprintf(stderr, "bench_match: no probe %s\n",
				probes[k]);
			return 2;
		}
		const struct sp_probe *sp = &match_db_set(db)->probes[p];
		unsigned chain_lines = 0;

		for (unsigned c = 0; c < sp->chain_len; c++)
			chain_lines +=
			    match_db_set(db)->probes[sp->chain[c]].match_count;
		for (size_t i = 0; i < n; i++)
			np += b[i].probe == (unsigned)p;
		printf("probe %s: %zu banners of the corpus, %u lines in its "
		       "chain\n",
		       probes[k], np, chain_lines);
		for (unsigned e = 0; e < engines; e++) {
			r[e] = rate(db, s, (enum match_engine)e, b, n,
				    (unsigned)p, e ? min_s / 2 : min_s);
			printf("  %-27s %12.0f banners/s\n", engine_names[e],
			       r[e]);
		}
		double fastest = r[1] > r[2] ? r[1] : r[2];

		if (engines == 1)
			continue;

		printf("  hyperscan vs pcre2-jit %.0fx, vs pcre2-interp %.0fx, "
		       "vs the "
		       "fastest sequential %.0fx\n",
		       r[0] / r[1], r[0] / r[2], r[0] / fastest);
	}
	for (size_t i = 0; i < n; i++)
		free(b[i].data);
	free(b);
	match_scratch_free(s);
	match_db_close(db);
	return 0;
}
