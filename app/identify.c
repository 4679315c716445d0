/* identify: --check-signatures and --identify. A saved banner's probe is not
 * recorded, so --identify tries it as the answer to each probe nmap would
 * send to its port (sp_plan), as a scan does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "identify.h"
#include "ndjson_read.h"
#include "output.h"
#include "tidescan_build.h"

#define BANNER_MAX (1u << 20)
#define PLAN_MAX 256

void
identify_options(const struct config *cfg, struct match_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->probes_file = cfg->service_probes_file;
	opt->signatures_dir = TIDESCAN_DATADIR "/signatures";
	opt->cache_dir = cfg->signature_cache;
}

static struct match_db *
open_db(const struct config *cfg)
{
	struct match_options opt;
	char err[MATCH_ERR_LEN];
	struct match_db *db;

	identify_options(cfg, &opt);
	db = match_db_open(&opt, err, sizeof(err));
	if (!db)
		fprintf(stderr, "tidescan: signatures: %s\n", err);
	return db;
}

int
check_signatures(const struct config *cfg)
{
	struct match_db *db = open_db(cfg);
	const struct sp_set *set;
	struct match_stats st;

	if (!db)
		return 1;
	set = match_db_set(db);
	match_db_stats(db, &st);
	printf("%u probes, %u match lines: %u exact in Hyperscan, %u "
	       "prefiltered, %u PCRE2 only, %u unusable\n",
	       st.probes, st.lines, st.kind[MATCH_EXACT],
	       st.kind[MATCH_PREFILTER], st.kind[MATCH_ALWAYS],
	       st.kind[MATCH_UNUSABLE]);
	printf("candidates: %u lines found by their literal prefix, %u by a "
	       "literal they require, the others by their pattern\n",
	       st.by_prefix, st.by_literal);
	printf("databases: %.1f MiB, %s in %.1f ms (inputs read in %.1f ms); "
	       "scratch %zu bytes per lcore\n",
	       st.db_bytes / 1048576.0,
	       st.from_cache ? "loaded from the cache" : "compiled", st.db_ms,
	       st.parse_ms, st.scratch_bytes);
	if (st.cache_path[0])
		printf("cache: %s%s%s\n", st.cache_path,
		       st.cache_note[0] ? " — not written: " : "",
		       st.cache_note);
	printf("%u unusable lines\n", set->problem_count);
	for (unsigned i = 0; i < set->problem_count; i++)
		printf("%s:%u: %s: %s\n", set->problems[i].file,
		       set->problems[i].line, set->problems[i].reason,
		       set->problems[i].text);
	match_db_close(db);
	return 0;
}

int
identify_file(const struct config *cfg)
{
	FILE *in = strcmp(cfg->identify_file, "-")
		       ? fopen(cfg->identify_file, "r")
		       : stdin;
	FILE *out = stdout;
	struct match_db *db;
	struct match_scratch *s;
	struct output_writer w;
	uint8_t *banner = malloc(BANNER_MAX + 1);
	char *line = NULL, err[256];
	size_t cap = 0;
	unsigned long lineno = 0, identified = 0;
	unsigned plan[PLAN_MAX];
	int rc = 0;

	if (!in) {
		fprintf(stderr, "tidescan: %s: %s\n", cfg->identify_file,
			strerror(errno));
		free(banner);
		return 1;
	}
	if (cfg->output_file && cfg->output_file[0] &&
	    !(out = fopen(cfg->output_file, "w"))) {
		fprintf(stderr, "tidescan: %s: %s\n", cfg->output_file,
			strerror(errno));
		free(banner);
		return 1;
	}
	db = open_db(cfg);
	s = db ? match_scratch_new(db) : NULL;
	if (!s || !banner) {
		free(banner);
		match_db_close(db);
		return 1;
	}
	output_open(&w, output_format_find("ndjson"), out);
	while (getline(&line, &cap, in) > 0) {
		struct scan_result r;
		struct service_id id;
		struct output_record rec = {.result = &r};
		size_t len;
		int has;

		lineno++;
		if (line[strspn(line, " \t\r\n")] == 0)
			continue;
		if (ndjson_read_record(line, &r, banner, BANNER_MAX, &len, &has,
				       err, sizeof(err))) {
			fprintf(stderr, "tidescan: %s:%lu: %s\n",
				cfg->identify_file, lineno, err);
			rc = 1;
			break;
		}
		if (has) {
			unsigned n =
			    sp_plan(match_db_set(db), r.port,
				    cfg->version_intensity, plan, PLAN_MAX);

			rec.banner = banner;
			rec.banner_len = (uint32_t)len;
			rec.service = &id;
			identified += match_identify_plan(
					  db, s, MATCH_HYPERSCAN, plan, n,
					  banner, len, &id) != SERVICE_NONE;
		}
		output_write_record(&w, &rec);
	}
	output_close(&w);
	if (!cfg->quiet)
		fprintf(stderr,
			"tidescan: %lu records, %lu services identified\n",
			w.records, identified);
	free(line);
	free(banner);
	match_scratch_free(s);
	match_db_close(db);
	if (in != stdin)
		fclose(in);
	if (out != stdout)
		fclose(out);
	return rc;
}

int
banner_identifier_open(struct banner_identifier *bi, const struct config *cfg,
		       char *err, size_t errlen)
{
	struct match_options opt;
	char why[MATCH_ERR_LEN];

	memset(bi, 0, sizeof(*bi));
	identify_options(cfg, &opt);
	bi->db = match_db_open(&opt, why, sizeof(why));
	if (!bi->db) {
		snprintf(err, errlen,
			 "service identification: %s (--no-identify to scan "
			 "without it)",
			 why);
		return -1;
	}
	bi->scratch = match_scratch_new(bi->db);
	if (!bi->scratch) {
		snprintf(err, errlen, "service identification: out of memory");
		match_db_close(bi->db);
		return -1;
	}
	bi->intensity = cfg->version_intensity;
	return 0;
}

const struct service_id *
banner_identify(struct banner_identifier *bi, uint16_t port,
		const uint8_t *data, uint32_t len, struct service_id *out)
{
	unsigned plan[PLAN_MAX];
	unsigned n;

	if (!len)
		return NULL;
	n = sp_plan(match_db_set(bi->db), port, bi->intensity, plan, PLAN_MAX);
	if (match_identify_plan(bi->db, bi->scratch, MATCH_HYPERSCAN, plan, n,
				data, len, out) != SERVICE_NONE)
		bi->identified++;
	return out;
}

const struct service_id *
banner_identify_as(struct banner_identifier *bi, unsigned probe,
		   const char *narrow, const uint8_t *data, uint32_t len,
		   struct service_id *out)
{
	if (!len)
		return NULL;
	match_identify(bi->db, bi->scratch, MATCH_HYPERSCAN, probe, data, len,
		       narrow, out);
	return out;
}

void
banner_identifier_close(struct banner_identifier *bi)
{
	match_scratch_free(bi->scratch);
	match_db_close(bi->db);
	memset(bi, 0, sizeof(*bi));
}
