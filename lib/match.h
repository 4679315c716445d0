/* match: service identification from a response, as nmap -sV decides it —
 * nmap-service-probes plus tidescan's config/signatures (*.yaml), one Hyperscan
 * block-mode database per probe, PCRE2 to confirm candidates and fill the
 * version templates. Databases are cached on disk; one scratch per thread. */
#ifndef TIDESCAN_MATCH_H
#define TIDESCAN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "service.h"
#include "service_probes.h"

#define MATCH_ERR_LEN 512
#define MATCH_PROBES_DEFAULT "/usr/share/nmap/nmap-service-probes"
#define MATCH_FIELD_MAX 256 /* bytes of one filled template */

/* How a line takes part in its probe's Hyperscan database. */
enum match_kind {
	MATCH_EXACT = 0, /* Hyperscan answers exactly as PCRE2 would */
	MATCH_PREFILTER, /* HS_FLAG_PREFILTER: a hit is confirmed by PCRE2 */
	MATCH_ALWAYS,	 /* not in Hyperscan: always confirmed by PCRE2 */
	MATCH_UNUSABLE,	 /* PCRE2 rejects it: never matches, a problem */
};

struct match_options {
	const char *probes_file;    /* NULL: MATCH_PROBES_DEFAULT */
	const char *signatures_dir; /* *.yaml read in name order; NULL: none */
	const char *cache_dir;	    /* NULL: match_default_cache_dir() */
	int no_cache;		    /* 1: neither read nor write a cache */
};

struct match_stats {
	unsigned probes, lines;
	unsigned kind[4]; /* lines per enum match_kind */
	/* of them, not in Hyperscan as patterns (PCRE2 confirms them): */
	unsigned by_prefix;  /* found by their literal prefix */
	unsigned by_literal; /* by a literal they require, and their prefix */
	unsigned problems;
	int from_cache;		/* 1: the databases came from the cache */
	int cache_written;	/* 1: compiled and saved this time */
	double parse_ms, db_ms; /* reading the inputs; compiling or loading */
	size_t db_bytes;	/* all databases */
	size_t scratch_bytes;	/* one scratch */
	char cache_path[512];	/* "" when no cache was used */
	char cache_note[256];	/* why the cache was not written, or "" */
};

struct match_db;
struct match_scratch;

/* $XDG_CACHE_HOME/tidescan, else $HOME/.cache/tidescan, else
 * /var/cache/tidescan, into buf. */
void match_default_cache_dir(char *buf, size_t len);

/* Load the signatures and their databases: from the cache when its key
 * (hash of every input, Hyperscan and PCRE2 versions) matches, else compiled
 * and saved. Unusable lines are problems, not errors. NULL with a message
 * when a file cannot be read or a database cannot be built. */
struct match_db *match_db_open(const struct match_options *opt, char *err,
			       size_t errlen);
void match_db_close(struct match_db *db);

const struct sp_set *match_db_set(const struct match_db *db);
void match_db_stats(const struct match_db *db, struct match_stats *st);
enum match_kind match_line_kind(const struct match_db *db, unsigned probe,
				unsigned line);

/* Compile (and JIT) every line's PCRE2 code now instead of on first use;
 * 0 or -1 if out of memory. */
int match_db_compile_all(struct match_db *db);

/* One per thread that matches: Hyperscan scratch, PCRE2 match data and the
 * buffers results are written to. NULL when out of memory. */
struct match_scratch *match_scratch_new(const struct match_db *db);
void match_scratch_free(struct match_scratch *s);
size_t match_scratch_size(const struct match_scratch *s);

enum match_engine {
	MATCH_HYPERSCAN = 0, /* candidates from Hyperscan, PCRE2 to confirm */
	MATCH_PCRE2_JIT,     /* every line in nmap's order, PCRE2 JIT */
	MATCH_PCRE2_INTERP,  /* the same with PCRE2's interpreter */
};

/* Identify data, the response to probe (an index of match_db_set()), as
 * nmap does: the lines of the probe's chain (itself, its fallbacks, NULL)
 * are tried in file order; the first hard match wins; the first softmatch is
 * kept if no hard match follows. narrow, when not NULL, is a service an
 * earlier response softmatched: only lines of that service count. out's
 * strings live in s until its next use. Returns out->match. */
enum service_match match_identify(const struct match_db *db,
				  struct match_scratch *s,
				  enum match_engine engine, unsigned probe,
				  const uint8_t *data, size_t len,
				  const char *narrow, struct service_id *out);

/* Identify data as the answer to each probe of plan in turn (see
 * sp_plan()): the first hard match wins, a softmatch narrows the probes
 * after it to its service. For a banner whose probe is unknown. */
enum service_match
match_identify_plan(const struct match_db *db, struct match_scratch *s,
		    enum match_engine engine, const unsigned *plan, unsigned n,
		    const uint8_t *data, size_t len, struct service_id *out);

/* The file line that decided s's last answer ("" and 0 when none). */
void match_last_line(const struct match_scratch *s, const char **file,
		     unsigned *line);

#endif
