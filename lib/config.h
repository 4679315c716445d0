/* config: one validated scan configuration, from a YAML profile (libyaml) and
 * command-line flags (which override the profile). Errors name FILE:LINE:COL
 * and the key, or the flag; the caller exits 2 on any of them. */
#ifndef TIDESCAN_CONFIG_H
#define TIDESCAN_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "packet.h"
#include "targets.h"

#define CONFIG_ERR_LEN 512

enum output_format {
	OUTPUT_NDJSON = 0,
	OUTPUT_JSON,
	OUTPUT_LIST,
	OUTPUT_GREPABLE,
	OUTPUT_XML,
	OUTPUT_BINARY,
};

enum run_mode {
	MODE_SCAN = 0,
	MODE_LIST,    /* --list: print pairs in scan order, no EAL */
	MODE_ECHO,    /* --echo: print effective profile as YAML */
	MODE_HELP,
	MODE_VERSION,
	MODE_READSCAN, /* --readscan FILE...: binary output to another format */
	MODE_CHECK_SIGNATURES, /* --check-signatures: load, list problems */
	MODE_IDENTIFY,	       /* --identify FILE: re-identify saved banners */
};

enum stats_format {
	STATS_TEXT = 0, /* a status line refreshed in place, on a terminal */
	STATS_JSON,	/* one JSON object a line, always */
};

/* Where one TX lcore of a paused scan goes on: walk position
 * pass * pairs + index, the first one it did not send. */
struct resume_point {
	uint64_t pass;
	uint64_t index;
};

struct config {
	enum run_mode mode;

	/* targets: kept as the text the user gave, so --echo can print them */
	char **targets;		/* tokens: addresses, CIDRs, ranges */
	unsigned target_count;
	char **include_files;
	unsigned include_file_count;
	char **excludes;	/* tokens */
	unsigned exclude_count;
	char **exclude_files;
	unsigned exclude_file_count;
	int default_excludes;	/* 1: also exclude config/exclude.conf */
	/* path of exclude.conf: $TIDESCAN_DATADIR/exclude.conf when that is set
	 * at run time, else TIDESCAN_DATADIR (build time) "/exclude.conf" */
	char *default_exclude_file;
	char *ports;		/* port spec, e.g. "22,80,1000-2000"; NULL: none */

	/* walk */
	uint64_t seed;
	int have_seed;
	unsigned shard_k, shard_n; /* 1/1 by default */
	uint64_t rate;		   /* packets/s, 0 = unlimited; default 100000 */
	unsigned retries;
	double wait;		   /* seconds, default 10 */
	double pause_after;	   /* seconds sending, then pause; 0 = no */
	char *pause_file;	   /* written on a pause; "paused.yaml" */

	/* identity on the wire (host order) */
	uint32_t source_ip_first, source_ip_last; /* 0/0 = unset */
	/* always the ports to use: 61000-61000 (one port, as masscan) unless
	 * set; have_source_port says a profile or flag set them */
	uint16_t source_port_first, source_port_last;
	int have_source_port;
	uint8_t source_mac[6];	/* unset: the DPDK port's own */
	int have_source_mac;
	uint8_t router_mac[6];
	int have_router_mac;
	uint32_t gateway_ip;
	int have_gateway;

	/* probe */
	enum syn_options syn_options;
	uint8_t ttl;
	uint16_t mss;
	uint16_t window;
	uint8_t wscale;

	/* output */
	char *output_file;	/* NULL = stdout */
	enum output_format output_format;
	int output_append;	/* continue the file, as a resumed scan does */
	int report_closed;
	int banners;
	int quiet;
	double stats_interval;	/* between status lines, default 1 s */
	enum stats_format stats_format;
	unsigned redis_queue; /* records waiting for Redis, default 1M */

	/* banners: the user-mode TCP stack on the RX lcores */
	unsigned banner_max_connections; /* TCBs per RX lcore, default 1M */
	unsigned banner_max_bytes;	 /* kept per connection, default 4096 */
	unsigned banner_buffers;	 /* receive buffers per RX lcore */
	unsigned banner_idle_ms;	 /* close after silence, default 2000 */
	unsigned banner_total_ms;	 /* close after, default 10000 */
	char *probes_file;		 /* NULL: DATADIR/probes.yaml */
	char *user_agent;		 /* NULL: the probes file's */

	/* --readscan: the binary files to read (not a profile key) */
	char **readscan_files;
	unsigned readscan_file_count;

	/* service: identification of banners (lib/match) */
	char *service_probes_file; /* NULL: nmap's nmap-service-probes */
	char *signature_cache;	   /* NULL: the default cache directory */
	char *identify_file;	   /* --identify: NDJSON of saved banners */
	unsigned version_intensity; /* probes of rarity <= this, default 7 */
	/* connections per open port for identification: the first, then
	 * follow-ups while no hard match (default 6, at most 32) */
	unsigned max_probes;
	int service_identify;	   /* match banners (default on) */

	/* dpdk */
	char *eal_args;		/* string split on blanks, e.g. "--no-huge ..." */
	unsigned port_id;	/* DPDK port used, default 0 */
	unsigned rx_queues;	/* default 1 (TX queues follow) */
	unsigned mempool_size;	/* mbufs per port, default 8191 */
	unsigned ring_size;	/* results ring entries, default 65536 */

	/* resume: a paused scan's state, one point per TX lcore (empty for
	 * a fresh scan), and the fingerprint of its target space */
	struct resume_point *resume_points;
	unsigned resume_point_count;
	uint64_t resume_space;
	char *resume_file; /* --resume FILE (not a profile key) */
};

/* Defaults, as documented in config/default.yaml. */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/* Load a YAML profile into cfg (over what is there: each key the profile
 * names replaces its value, lists included). Unknown keys, wrong types,
 * out-of-range values: -1 with "FILE:LINE:COL: message naming key"; cfg may
 * then hold part of the profile and is still safe to config_free(). */
int config_load_file(struct config *cfg, const char *path, char *err,
		     size_t errlen);
/* Same from a string (name used in messages). */
int config_load_string(struct config *cfg, const char *yaml, const char *name,
		       char *err, size_t errlen);

/* Set one profile key, named as in YAML ("scan.rate", "targets"), from text,
 * the way a flag does. Scalars are replaced; targets, include_files,
 * excludes, exclude_files, ports and dpdk.eal_args get the value appended
 * (targets and excludes split on blanks and commas, and each token is
 * checked). "" unsets the optional keys (source.ip, output.file, ports...).
 * -1 with a message quoting the value. */
int config_set(struct config *cfg, const char *key, const char *value,
	       char *err, size_t errlen);
/* Put one key back to its default (lists emptied). -1 if there is no such
 * key. */
int config_unset(struct config *cfg, const char *key);

/* Parse argv (after EAL arguments are removed, argv[0] = program name). A -c
 * profile is loaded first, wherever it stands, then flags override it:
 * TARGETs/-iL, -p and --dpdk replace the profile's value and accumulate among
 * themselves; --exclude/--exclude-file add to the profile's. --help or
 * --version anywhere: mode set, 0, nothing else looked at. Does not call
 * config_validate(). -1 with a one-line message naming the culprit. */
int config_parse_args(struct config *cfg, int argc, char **argv, char *err,
		      size_t errlen);

/* "ndjson", "json"...: the name the output registry knows the format by. */
const char *config_output_format_name(enum output_format format);

/* Add a file for --readscan. -1 if out of memory. */
int config_add_readscan_file(struct config *cfg, const char *path, char *err,
			     size_t errlen);

/* Check cross-field rules after everything is loaded (shard k<=n, ranges
 * ordered, something to scan...). */
int config_validate(const struct config *cfg, char *err, size_t errlen);

/* Write the effective profile as YAML that config_load_file reads back into an
 * identical config. */
int config_write_yaml(const struct config *cfg, FILE *out);

/* Build the target space the config describes (targets + include files −
 * excludes − exclude files − default excludes) × ports. */
int config_build_space(const struct config *cfg, struct target_space *space,
		       char *err, size_t errlen);

/* The i-th profile key's name ("scan.rate"), NULL past the last. */
const char *config_key_name(size_t i);
/* The value of key as config_write_yaml writes it, malloc'd; NULL if there
 * is no such key (or no memory). */
char *config_key_text(const struct config *cfg, const char *key);

/* Usage text for --help. */
void config_print_usage(FILE *out);

#endif
