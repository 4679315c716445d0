/* service_probes: nmap's nmap-service-probes format read into probes (payload,
 * ports, rarity, fallbacks) and their match/softmatch lines (pattern, i/s
 * flags, version templates). Lines that cannot be used are kept as problems. */
#ifndef TIDESCAN_SERVICE_PROBES_H
#define TIDESCAN_SERVICE_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include "service.h"

#define SP_FALLBACK_MAX 8
#define SP_RARITY_DEFAULT 5 /* a probe without a rarity line */

enum sp_field {
	SP_PRODUCT = 0, /* p/ */
	SP_VERSION,	/* v/ */
	SP_INFO,	/* i/ */
	SP_HOSTNAME,	/* h/ */
	SP_OS,		/* o/ */
	SP_DEVICETYPE,	/* d/ */
	SP_FIELDS,
};

enum sp_flags {
	SP_CASELESS = 1, /* i */
	SP_DOTALL = 2,	 /* s */
};

struct sp_match {
	char *service;
	char *pattern; /* the regex as written (no NUL inside) */
	uint8_t flags; /* enum sp_flags */
	uint8_t soft;
	uint8_t cpe_count;
	uint8_t uses_captures; /* some template refers to a group */
	unsigned line;	       /* in its file */
	const char *file;      /* its file (the set's string) */
	char *tmpl[SP_FIELDS]; /* NULL when the line has none */
	char *cpe[SERVICE_MAX_CPE];
};

struct sp_range {
	uint16_t first, last;
};

struct sp_probe {
	char *name;
	uint8_t proto; /* 6 tcp, 17 udp */
	uint8_t no_payload;
	uint8_t rarity;
	uint8_t *payload;
	size_t payload_len;
	uint32_t totalwaitms, tcpwrappedms; /* 0: not given */
	struct sp_range *ports, *sslports;
	unsigned port_count, sslport_count;
	char *fallback_names[SP_FALLBACK_MAX];
	unsigned fallback_name_count;
	/* what a response to this probe is matched against, in order: the
	 * probe itself, its fallbacks, then NULL for a TCP probe other than
	 * NULL (indices into the set's probes) */
	unsigned chain[SP_FALLBACK_MAX + 2];
	unsigned chain_len;
	struct sp_match *matches;
	unsigned match_count, match_cap;
};

/* A line that was not used, and why. */
struct sp_problem {
	const char *file;
	unsigned line;
	char *text;
	char *reason;
};

struct sp_set {
	struct sp_probe *probes;
	unsigned probe_count, probe_cap;
	struct sp_problem *problems;
	unsigned problem_count, problem_cap;
	char **files; /* names the lines point to */
	unsigned file_count;
	unsigned null_probe; /* index of TCP NULL, or probe_count if none */
};

void sp_init(struct sp_set *set);
void sp_free(struct sp_set *set);

/* Read nmap-service-probes text into set (appending). Bad lines become
 * problems; -1 with a message only when the file cannot be read or is not
 * this format at all. */
int sp_parse_file(struct sp_set *set, const char *path, char *err,
		  size_t errlen);
int sp_parse_text(struct sp_set *set, const char *text, size_t len,
		  const char *name, char *err, size_t errlen);

/* Once every file is read: resolve fallbacks into chains (an unknown
 * fallback is a problem) and find the NULL probe. */
void sp_finish(struct sp_set *set);

/* Index of the probe named name for proto, or -1. */
int sp_probe_find(const struct sp_set *set, const char *name, uint8_t proto);

/* The TCP probes nmap sends to port, in its order, into out (at most cap):
 * NULL, then the probes whose ports or sslports list the port (whatever
 * their rarity), then the others of rarity <= intensity, in file order.
 * Returns how many. */
unsigned sp_plan(const struct sp_set *set, uint16_t port, unsigned intensity,
		 unsigned *out, unsigned cap);

/* Whether port is in ranges. */
int sp_ports_have(const struct sp_range *r, unsigned n, uint16_t port);

/* Record a problem (file must be one of set->files). */
void sp_problem_add(struct sp_set *set, const char *file, unsigned line,
		    const char *text, const char *reason);
/* A file name owned by set. */
const char *sp_file_name(struct sp_set *set, const char *name);
/* Append a match line to probe p (takes ownership of m's strings). */
void sp_match_append(struct sp_probe *p, const struct sp_match *m);

/* Parse version templates "p/../ v/../ cpe:/../a ..." into m (its tmpl and
 * cpe). 0, or -1 with a reason. */
int sp_parse_templates(struct sp_match *m, const char *s, char *why,
		       size_t whylen);

#endif
