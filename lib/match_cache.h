/* match_cache: compiled signature databases on disk, so a start-up loads
 * instead of compiling. The file is named and stamped with a key: a hash of
 * every input, the Hyperscan and PCRE2 versions and the CPU's features. */
#ifndef TIDESCAN_MATCH_CACHE_H
#define TIDESCAN_MATCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct match_key {
	uint64_t hash;
};

/* Start a key with the format version, library versions and platform. */
void match_key_init(struct match_key *k);
/* Add one input's bytes. */
void match_key_add(struct match_key *k, const void *data, size_t len);

/* DIR/match-KEY.hsdb into buf. */
void match_cache_path(const char *dir, const struct match_key *k, char *buf,
		      size_t len);

/* blobs per probe: its serialized Hyperscan database, its lines' literals */
#define MATCH_CACHE_DBS 2

/* One probe's part: a byte per line (its kind and how it is found) and the
 * blobs (len 0: none). A source hands out kinds and bytes
 * that the cache frees with free(). */
typedef int (*match_cache_source_fn)(void *ctx, unsigned probe, uint8_t **kinds,
				     unsigned *line_count,
				     char *bytes[MATCH_CACHE_DBS],
				     size_t len[MATCH_CACHE_DBS]);
/* A sink is also told the whole file's size (total). */
typedef int (*match_cache_sink_fn)(void *ctx, unsigned probe,
				   const uint8_t *kinds, unsigned line_count,
				   const char *const bytes[MATCH_CACHE_DBS],
				   const size_t len[MATCH_CACHE_DBS],
				   size_t total);
int match_cache_probe_source(void *ctx, unsigned probe, uint8_t **kinds,
			     unsigned *line_count, char *bytes[MATCH_CACHE_DBS],
			     size_t len[MATCH_CACHE_DBS]);
int match_cache_probe_sink(void *ctx, unsigned probe, const uint8_t *kinds,
			   unsigned line_count,
			   const char *const bytes[MATCH_CACHE_DBS],
			   const size_t len[MATCH_CACHE_DBS], size_t total);

/* Load path if it holds key and probe_count probes, handing each to sink.
 * 0, or -1 (missing, stale, damaged: the caller compiles). */
int match_cache_load(const char *path, const struct match_key *k,
		     unsigned probe_count, match_cache_sink_fn sink, void *ctx);
/* Write the databases to path (dir made if missing) through a temporary
 * file and a rename. 0, or -1 with why in note. */
int match_cache_save(const char *path, const char *dir,
		     const struct match_key *k, unsigned probe_count,
		     match_cache_source_fn source, void *ctx, char *note,
		     size_t notelen);

/* A whole file into a malloc'd, NUL-terminated buffer; NULL with a
 * message. */
char *match_read_file(const char *path, size_t *len, char *err, size_t errlen);

#endif
