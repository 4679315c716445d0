/* config: the defaults, the table of profile keys and their parsers, YAML
 * profiles in (libyaml, errors at FILE:LINE:COL) and out, cross-field checks,
 * and the target space a config describes. Flags are in config_args.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <yaml.h>

#include "config.h"
#include "errmsg.h"
#include "redis_sink.h"
#include "yaml_doc.h"
#include "tidescan_build.h"

#define DEFAULT_RATE 100000
#define DEFAULT_WAIT 10.0
#define DEFAULT_SOURCE_PORT 61000
#define RATE_MAX 1000000000ULL /* 1 Gpps: above 400GbE line rate */
#define WAIT_MAX 86400.0
#define SHARD_MAX 65536

/* ---- small helpers ---- */

static int
strlist_add(char ***list, unsigned *count, const char *s, size_t len)
{
	char **grown = realloc(*list, (*count + 1) * sizeof(**list));

	if (!grown)
		return -1;
	*list = grown;
	grown[*count] = strndup(s, len);
	if (!grown[*count])
		return -1;
	(*count)++;
	return 0;
}

static void
strlist_free(char ***list, unsigned *count)
{
	for (unsigned i = 0; i < *count; i++)
		free((*list)[i]);
	free(*list);
	*list = NULL;
	*count = 0;
}

static char *
default_exclude_path(void)
{
	const char *dir = getenv("TIDESCAN_DATADIR");
	char *path;

	if (!dir || !*dir)
		dir = TIDESCAN_DATADIR;
	if (asprintf(&path, "%s/exclude.conf", dir) < 0)
		return NULL;
	return path;
}

/* ---- value parsers: 0, or -1 with a message that quotes the value ---- */

/* Decimal digits only (or 0x... when hex is allowed), no sign, no blanks. */
static int
parse_u64(const char *s, int hex, uint64_t *out)
{
	int base = 10;
	uint64_t v = 0;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (v > (UINT64_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int
parse_uint_range(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		 char *err, size_t errlen)
{
	if (parse_u64(s, 0, out) || *out < min || *out > max) {
		errf(err, errlen, "'%s' is not an integer in %llu..%llu", s,
		     (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

/* "250000", "2.5M", "100k", "1G": packets per second. */
static int
parse_rate(const char *s, uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	size_t len = strlen(s), digits = strspn(s, "0123456789.");
	double scale = 1, v;
	char *end = NULL;

	if (digits && digits + 1 == len) {
		switch (s[digits]) {
		case 'k':
		case 'K':
			scale = 1e3;
			break;
		case 'm':
		case 'M':
			scale = 1e6;
			break;
		case 'g':
		case 'G':
			scale = 1e9;
			break;
		default:
			scale = 0;
			break;
		}
	} else if (digits != len) {
		scale = 0;
	}
	errno = 0;
	v = digits && scale ? strtod(s, &end) * scale : -1;
	if (v < 0 || errno || end != s + digits || v > (double)max ||
	    v != (double)(uint64_t)v) {
		errf(err, errlen,
		     "'%s' is not a rate in 0..%llu packets/s (suffix k, M or "
		     "G allowed)",
		     s, (unsigned long long)max);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

/* A decimal number of seconds, exponent allowed ("2.5", "1e-3"). */
static int
parse_seconds(const char *s, double max, double *out, char *err, size_t errlen)
{
	size_t len = strspn(s, "0123456789.eE+-");
	char *end = NULL;

	errno = 0;
	*out = len && !s[len] && isdigit((unsigned char)s[0]) ? strtod(s, &end)
							      : -1;
	if (errno || end != s + len || !(*out >= 0 && *out <= max)) {
		errf(err, errlen, "'%s' is not a number of seconds in 0..%g", s,
		     max);
		return -1;
	}
	return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "a.b.c.d" or "a.b.c.d-e.f.g.h", first <= last. */
static int
parse_ipv4_range(const char *s, uint32_t *first, uint32_t *last, char *err,
		 size_t errlen)
{
	const char *dash = strchr(s, '-');
	char head[INET_ADDRSTRLEN];
	size_t n = dash ? (size_t)(dash - s) : strlen(s);

	if (n >= sizeof(head))
		goto bad;
	memcpy(head, s, n);
	head[n] = 0;
	if (parse_ipv4(head, first))
		goto bad;
	*last = *first;
	if (dash && parse_ipv4(dash + 1, last))
		goto bad;
	if (*first > *last) {
		errf(err, errlen, "'%s' is a reversed range (first > last)", s);
		return -1;
	}
	return 0;
bad:
	errf(err, errlen,
	     "'%s' is not an IPv4 address or range a.b.c.d-e.f.g.h", s);
	return -1;
}

static int
parse_port_range(const char *s, uint16_t *first, uint16_t *last, char *err,
		 size_t errlen)
{
	const char *dash = strchr(s, '-');
	char head[8];
	size_t n = dash ? (size_t)(dash - s) : strlen(s);
	uint64_t a, b;

	if (n >= sizeof(head))
		goto bad;
	memcpy(head, s, n);
	head[n] = 0;
	if (parse_u64(head, 0, &a) || a < 1 || a > 65535)
		goto bad;
	b = a;
	if (dash && (parse_u64(dash + 1, 0, &b) || b < 1 || b > 65535))
		goto bad;
	if (a > b) {
		errf(err, errlen, "'%s' is a reversed port range", s);
		return -1;
	}
	*first = a;
	*last = b;
	return 0;
bad:
	errf(err, errlen, "'%s' is not a port 1..65535 or range a-b", s);
	return -1;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff". */
static int
parse_mac(const char *s, uint8_t mac[6], char *err, size_t errlen)
{
	if (strlen(s) != 17 || (s[2] != ':' && s[2] != '-'))
		goto bad;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != s[2]))
			goto bad;
		mac[i] = hi << 4 | lo;
	}
	return 0;
bad:
	errf(err, errlen, "'%s' is not a MAC address aa:bb:cc:dd:ee:ff", s);
	return -1;
}

/* ---- the keys of a profile ---- */

enum key_type {
	KEY_BOOL,   /* int field */
	KEY_UINT,   /* unsigned field of `size` bytes in min..max */
	KEY_ENUM,   /* enum field, one of `names` */
	KEY_LIST,   /* char ** with a count; values are appended */
	KEY_CUSTOM, /* `parse` and `format` own the bytes [offset, +size) */
};

struct config_key {
	const char *name; /* as in YAML: "rate" in "scan:" is "scan.rate" */
	enum key_type type;
	size_t offset;
	size_t size;
	size_t count_offset; /* KEY_LIST */
	uint64_t min, max;   /* KEY_UINT */
	unsigned flags;
	const char *const *names; /* KEY_ENUM, NULL-terminated */
	/* KEY_CUSTOM: set from text ("" = unset); KEY_LIST: check one item */
	int (*parse)(struct config *cfg, const char *value, char *err,
		     size_t errlen);
	/* KEY_CUSTOM: the YAML scalar for the current value */
	void (*format)(const struct config *cfg, FILE *out);
};

#define KF_SPLIT 1  /* KEY_LIST: a value holds tokens split on blanks/commas */
#define KF_RATE 2   /* KEY_UINT: k/M/G suffixes */
#define KF_POW2 4   /* KEY_UINT: a power of two */
#define KF_STRING 8 /* KEY_CUSTOM: the field at offset is a malloc'd char * */
#define KF_SEQ 16   /* KEY_CUSTOM: a YAML sequence is several values appended */
#define KF_RESET_EMPTY 32 /* KEY_CUSTOM: reset by setting "" (frees memory) */

#define FIELD(f)                                                               \
	.offset = offsetof(struct config, f),                                  \
	.size = sizeof(((struct config *)0)->f)
#define SPAN(a, b)                                                             \
	.offset = offsetof(struct config, a),                                  \
	.size = offsetof(struct config, b) + sizeof(((struct config *)0)->b) - \
		offsetof(struct config, a)
#define LIST(f, n) FIELD(f), .count_offset = offsetof(struct config, n)

static void
write_quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void
write_ipv4(FILE *out, uint32_t ip)
{
	fprintf(out, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		(ip >> 8) & 0xff, ip & 0xff);
}

static void
write_mac(FILE *out, const uint8_t m[6], int have)
{
	if (!have) {
		fputs("\"\"", out);
		return;
	}
	fprintf(out, "\"%02x:%02x:%02x:%02x:%02x:%02x\"", m[0], m[1], m[2],
		m[3], m[4], m[5]);
}

/* Target and exclude tokens are checked as they come, so that the error
 * points at the culprit rather than at the build of the space. */
static int
check_targets(struct config *cfg, const char *text, char *err, size_t errlen)
{
	struct range_list check = {0};
	int rc = range_list_add_tokens(&check, text, NULL, err, errlen);

	(void)cfg;
	range_list_free(&check);
	return rc;
}

static int
set_default_exclude_file(struct config *cfg, const char *v, char *err,
			 size_t errlen)
{
	free(cfg->default_exclude_file);
	cfg->default_exclude_file = *v ? strdup(v) : default_exclude_path();
	if (!cfg->default_exclude_file) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
format_default_exclude_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->default_exclude_file);
}

/* Ports accumulate: "-p 80 -p 443" is "80,443". A T:/U: prefix holds until
 * the next one, so a plain spec that follows a prefixed one gets "T:". */
static int
set_ports(struct config *cfg, const char *v, char *err, size_t errlen)
{
	struct port_list check = {0};
	char *joined;
	int rc;

	if (!*v) {
		free(cfg->ports);
		cfg->ports = NULL;
		return 0;
	}
	rc = port_list_parse(&check, v, err, errlen);
	if (!rc && !port_list_count(&check)) {
		errf(err, errlen, "'%s' holds no port", v);
		rc = -1;
	}
	port_list_free(&check);
	if (rc)
		return -1;
	if (!cfg->ports) {
		joined = strdup(v);
	} else {
		const char *first = v + strspn(v, " \t");
		int prefixed =
		    isalpha((unsigned char)first[0]) && first[1] == ':';
		int tcp = strchr(cfg->ports, ':') && !prefixed;

		if (asprintf(&joined, "%s,%s%s", cfg->ports, tcp ? "T:" : "",
			     v) < 0)
			joined = NULL;
	}
	if (!joined) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	free(cfg->ports);
	cfg->ports = joined;
	return 0;
}

static void
format_ports(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->ports);
}

static int
set_wait(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return parse_seconds(v, WAIT_MAX, &cfg->wait, err, errlen);
}

/* The shortest decimal that reads back to the same double: fixed point if
 * 17 decimals do, else with an exponent. */
static void
write_seconds(FILE *out, double v)
{
	char buf[48];
	int prec;

	for (prec = 0; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*f", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	for (prec = 1; prec <= 17 && strtod(buf, NULL) != v; prec++)
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
	fputs(buf, out);
}

static void
format_wait(const struct config *cfg, FILE *out)
{
	write_seconds(out, cfg->wait);
}

static int
set_pause_after(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return parse_seconds(v, WAIT_MAX, &cfg->pause_after, err, errlen);
}

static void
format_pause_after(const struct config *cfg, FILE *out)
{
	write_seconds(out, cfg->pause_after);
}

static int
set_stats_interval(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (parse_seconds(v, WAIT_MAX, &cfg->stats_interval, err, errlen))
		return -1;
	if (cfg->stats_interval < 0.01) {
		errf(err, errlen, "'%s': need at least 0.01 seconds", v);
		return -1;
	}
	return 0;
}

static void
format_stats_interval(const struct config *cfg, FILE *out)
{
	write_seconds(out, cfg->stats_interval);
}

static int
set_seed(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v || !strcmp(v, "random")) {
		cfg->seed = 0;
		cfg->have_seed = 0;
		return 0;
	}
	if (parse_u64(v, 1, &cfg->seed)) {
		errf(err, errlen,
		     "'%s' is not a seed (a 64-bit integer, or random)", v);
		return -1;
	}
	cfg->have_seed = 1;
	return 0;
}

static void
format_seed(const struct config *cfg, FILE *out)
{
	if (cfg->have_seed)
		fprintf(out, "%llu", (unsigned long long)cfg->seed);
	else
		fputs("random", out);
}

static int
set_shard(struct config *cfg, const char *v, char *err, size_t errlen)
{
	const char *slash = strchr(v, '/');
	char head[16];
	uint64_t k, n;

	if (!slash || (size_t)(slash - v) >= sizeof(head))
		goto bad;
	memcpy(head, v, slash - v);
	head[slash - v] = 0;
	if (parse_u64(head, 0, &k) || parse_u64(slash + 1, 0, &n) || k < 1 ||
	    n < 1 || k > n || n > SHARD_MAX)
		goto bad;
	cfg->shard_k = k;
	cfg->shard_n = n;
	return 0;
bad:
	errf(err, errlen, "'%s' is not a shard k/n with 1 <= k <= n <= %d", v,
	     SHARD_MAX);
	return -1;
}

static void
format_shard(const struct config *cfg, FILE *out)
{
	fprintf(out, "\"%u/%u\"", cfg->shard_k, cfg->shard_n);
}

static int
set_source_ip(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v) {
		cfg->source_ip_first = cfg->source_ip_last = 0;
		return 0;
	}
	return parse_ipv4_range(v, &cfg->source_ip_first, &cfg->source_ip_last,
				err, errlen);
}

static void
format_source_ip(const struct config *cfg, FILE *out)
{
	fputc('"', out);
	if (cfg->source_ip_first || cfg->source_ip_last) {
		write_ipv4(out, cfg->source_ip_first);
		if (cfg->source_ip_last != cfg->source_ip_first) {
			fputc('-', out);
			write_ipv4(out, cfg->source_ip_last);
		}
	}
	fputc('"', out);
}

static int
set_source_port(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v) {
		cfg->source_port_first = DEFAULT_SOURCE_PORT;
		cfg->source_port_last = DEFAULT_SOURCE_PORT;
		cfg->have_source_port = 0;
		return 0;
	}
	if (parse_port_range(v, &cfg->source_port_first, &cfg->source_port_last,
			     err, errlen))
		return -1;
	cfg->have_source_port = 1;
	return 0;
}

static void
format_source_port(const struct config *cfg, FILE *out)
{
	if (!cfg->have_source_port)
		fprintf(out, "\"\"  # unset: %d", DEFAULT_SOURCE_PORT);
	else if (cfg->source_port_first == cfg->source_port_last)
		fprintf(out, "%u", cfg->source_port_first);
	else
		fprintf(out, "\"%u-%u\"", cfg->source_port_first,
			cfg->source_port_last);
}

static int
set_mac(const char *v, uint8_t mac[6], int *have, char *err, size_t errlen)
{
	if (!*v) {
		memset(mac, 0, 6);
		*have = 0;
		return 0;
	}
	if (parse_mac(v, mac, err, errlen))
		return -1;
	*have = 1;
	return 0;
}

static int
set_source_mac(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return set_mac(v, cfg->source_mac, &cfg->have_source_mac, err, errlen);
}

static void
format_source_mac(const struct config *cfg, FILE *out)
{
	write_mac(out, cfg->source_mac, cfg->have_source_mac);
}

static int
set_router_mac(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return set_mac(v, cfg->router_mac, &cfg->have_router_mac, err, errlen);
}

static void
format_router_mac(const struct config *cfg, FILE *out)
{
	write_mac(out, cfg->router_mac, cfg->have_router_mac);
}

static int
set_gateway(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v) {
		cfg->gateway_ip = 0;
		cfg->have_gateway = 0;
		return 0;
	}
	if (parse_ipv4(v, &cfg->gateway_ip)) {
		errf(err, errlen, "'%s' is not an IPv4 address", v);
		return -1;
	}
	cfg->have_gateway = 1;
	return 0;
}

static void
format_gateway(const struct config *cfg, FILE *out)
{
	fputc('"', out);
	if (cfg->have_gateway)
		write_ipv4(out, cfg->gateway_ip);
	fputc('"', out);
}

/* An optional string: "" unsets it. */
static int
replace_string(char **field, const char *v, char *err, size_t errlen)
{
	free(*field);
	*field = NULL;
	if (!*v)
		return 0;
	*field = strdup(v);
	if (!*field) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* A file, "-" for stdout, or redis://HOST[:PORT]/STREAM. */
static int
set_output_file(struct config *cfg, const char *v, char *err, size_t errlen)
{
	struct redis_url url;

	if (redis_url_is(v) && redis_url_parse(v, &url, err, errlen) < 0)
		return -1;
	return replace_string(&cfg->output_file, strcmp(v, "-") ? v : "", err,
			      errlen);
}

static int
set_probes_file(struct config *cfg, const char *v, char *err, size_t errlen)
{
	return replace_string(&cfg->probes_file, v, err, errlen);
}

static void
format_probes_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->probes_file);
}

static int
set_service_probes_file(struct config *cfg, const char *v, char *err,
			size_t errlen)
{
	return replace_string(&cfg->service_probes_file, v, err, errlen);
}

static void
format_service_probes_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->service_probes_file);
}

static int
set_signature_cache(struct config *cfg, const char *v, char *err,
		    size_t errlen)
{
	return replace_string(&cfg->signature_cache, v, err, errlen);
}

static void
format_signature_cache(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->signature_cache);
}

static int
set_identify_file(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (*v)
		cfg->mode = MODE_IDENTIFY;
	return replace_string(&cfg->identify_file, v, err, errlen);
}

static void
format_identify_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->identify_file);
}

static int
set_user_agent(struct config *cfg, const char *v, char *err, size_t errlen)
{
	for (const char *c = v; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			errf(err, errlen,
			     "user agent holds a control character");
			return -1;
		}
	}
	return replace_string(&cfg->user_agent, v, err, errlen);
}

static void
format_user_agent(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->user_agent);
}

static void
format_output_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->output_file);
}

/* EAL arguments accumulate, separated by a blank. */
static int
set_eal_args(struct config *cfg, const char *v, char *err, size_t errlen)
{
	char *joined;

	if (!*v) {
		free(cfg->eal_args);
		cfg->eal_args = NULL;
		return 0;
	}
	if (!cfg->eal_args)
		joined = strdup(v);
	else if (asprintf(&joined, "%s %s", cfg->eal_args, v) < 0)
		joined = NULL;
	if (!joined) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	free(cfg->eal_args);
	cfg->eal_args = joined;
	return 0;
}

static int
set_pause_file(struct config *cfg, const char *v, char *err, size_t errlen)
{
	if (!*v) {
		errf(err, errlen, "empty file name");
		return -1;
	}
	return replace_string(&cfg->pause_file, v, err, errlen);
}

static void
format_pause_file(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->pause_file);
}

/* One TX lcore's resume point, "PASS:INDEX"; "" empties the list. */
static int
set_resume_points(struct config *cfg, const char *v, char *err, size_t errlen)
{
	struct resume_point pt, *grown;
	const char *colon = strchr(v, ':');
	char head[24];

	if (!*v) {
		free(cfg->resume_points);
		cfg->resume_points = NULL;
		cfg->resume_point_count = 0;
		return 0;
	}
	if (!colon || (size_t)(colon - v) >= sizeof(head))
		goto bad;
	memcpy(head, v, colon - v);
	head[colon - v] = 0;
	if (parse_u64(head, 0, &pt.pass) || parse_u64(colon + 1, 0, &pt.index))
		goto bad;
	grown = realloc(cfg->resume_points,
			(cfg->resume_point_count + 1) * sizeof(*grown));
	if (!grown) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	cfg->resume_points = grown;
	cfg->resume_points[cfg->resume_point_count++] = pt;
	return 0;
bad:
	errf(err, errlen, "'%s' is not a resume point PASS:INDEX", v);
	return -1;
}

static void
format_resume_points(const struct config *cfg, FILE *out)
{
	fputc('[', out);
	for (unsigned i = 0; i < cfg->resume_point_count; i++)
		fprintf(out, "%s\"%llu:%llu\"", i ? ", " : "",
			(unsigned long long)cfg->resume_points[i].pass,
			(unsigned long long)cfg->resume_points[i].index);
	fputc(']', out);
}

static void
format_eal_args(const struct config *cfg, FILE *out)
{
	write_quoted(out, cfg->eal_args);
}

static const char *const syn_option_names[] = {"linux", "mss", "bare",
						    "no_timestamps", NULL};
static const char *const output_format_names[] = {
    "ndjson", "json", "list", "grepable", "xml", "binary", NULL};
static const char *const stats_format_names[] = {"text", "json", NULL};

/* Every key of a profile, in the order config_write_yaml() writes them.
 * Keys without a dot come first; the others are grouped by section. */
/* clang-format off */
static const struct config_key config_keys[] = {
	{ .name = "targets", .type = KEY_LIST,
	  LIST(targets, target_count), .flags = KF_SPLIT,
	  .parse = check_targets },
	{ .name = "ports", .type = KEY_CUSTOM, FIELD(ports),
	  .flags = KF_STRING | KF_SEQ, .parse = set_ports,
	  .format = format_ports },
	{ .name = "include_files", .type = KEY_LIST,
	  LIST(include_files, include_file_count) },
	{ .name = "excludes", .type = KEY_LIST,
	  LIST(excludes, exclude_count), .flags = KF_SPLIT,
	  .parse = check_targets },
	{ .name = "exclude_files", .type = KEY_LIST,
	  LIST(exclude_files, exclude_file_count) },
	{ .name = "default_excludes", .type = KEY_BOOL,
	  FIELD(default_excludes) },
	{ .name = "default_exclude_file", .type = KEY_CUSTOM,
	  FIELD(default_exclude_file), .flags = KF_STRING,
	  .parse = set_default_exclude_file,
	  .format = format_default_exclude_file },

	{ .name = "scan.rate", .type = KEY_UINT, FIELD(rate),
	  .min = 0, .max = RATE_MAX, .flags = KF_RATE },
	{ .name = "scan.retries", .type = KEY_UINT, FIELD(retries),
	  .min = 0, .max = 100 },
	{ .name = "scan.wait", .type = KEY_CUSTOM, FIELD(wait),
	  .parse = set_wait, .format = format_wait },
	{ .name = "scan.seed", .type = KEY_CUSTOM, SPAN(seed, have_seed),
	  .parse = set_seed, .format = format_seed },
	{ .name = "scan.shard", .type = KEY_CUSTOM, SPAN(shard_k, shard_n),
	  .parse = set_shard, .format = format_shard },
	{ .name = "scan.pause_after", .type = KEY_CUSTOM, FIELD(pause_after),
	  .parse = set_pause_after, .format = format_pause_after },
	{ .name = "scan.pause_file", .type = KEY_CUSTOM, FIELD(pause_file),
	  .flags = KF_STRING, .parse = set_pause_file,
	  .format = format_pause_file },

	{ .name = "source.ip", .type = KEY_CUSTOM,
	  SPAN(source_ip_first, source_ip_last),
	  .parse = set_source_ip, .format = format_source_ip },
	{ .name = "source.port", .type = KEY_CUSTOM,
	  SPAN(source_port_first, have_source_port),
	  .parse = set_source_port, .format = format_source_port },
	{ .name = "source.mac", .type = KEY_CUSTOM,
	  SPAN(source_mac, have_source_mac),
	  .parse = set_source_mac, .format = format_source_mac },

	{ .name = "router.mac", .type = KEY_CUSTOM,
	  SPAN(router_mac, have_router_mac),
	  .parse = set_router_mac, .format = format_router_mac },
	{ .name = "router.gateway", .type = KEY_CUSTOM,
	  SPAN(gateway_ip, have_gateway),
	  .parse = set_gateway, .format = format_gateway },

	{ .name = "probe.syn_options", .type = KEY_ENUM, FIELD(syn_options),
	  .names = syn_option_names },
	{ .name = "probe.ttl", .type = KEY_UINT, FIELD(ttl),
	  .min = 1, .max = 255 },
	{ .name = "probe.mss", .type = KEY_UINT, FIELD(mss),
	  .min = 1, .max = 65535 },
	{ .name = "probe.window", .type = KEY_UINT, FIELD(window),
	  .min = 0, .max = 65535 },
	{ .name = "probe.wscale", .type = KEY_UINT, FIELD(wscale),
	  .min = 0, .max = 14 },

	{ .name = "output.file", .type = KEY_CUSTOM, FIELD(output_file),
	  .flags = KF_STRING, .parse = set_output_file,
	  .format = format_output_file },
	{ .name = "output.format", .type = KEY_ENUM, FIELD(output_format),
	  .names = output_format_names },
	{ .name = "output.append", .type = KEY_BOOL, FIELD(output_append) },
	{ .name = "output.report_closed", .type = KEY_BOOL,
	  FIELD(report_closed) },
	{ .name = "output.banners", .type = KEY_BOOL, FIELD(banners) },
	{ .name = "output.quiet", .type = KEY_BOOL, FIELD(quiet) },
	{ .name = "output.stats_interval", .type = KEY_CUSTOM,
	  FIELD(stats_interval), .parse = set_stats_interval,
	  .format = format_stats_interval },
	{ .name = "output.redis_queue", .type = KEY_UINT, FIELD(redis_queue),
	  .min = 1024, .max = 1 << 26 },
	{ .name = "output.stats_format", .type = KEY_ENUM, FIELD(stats_format),
	  .names = stats_format_names },

	{ .name = "banners.max_connections", .type = KEY_UINT,
	  FIELD(banner_max_connections), .min = 16, .max = 10000000 },
	{ .name = "banners.max_bytes", .type = KEY_UINT,
	  FIELD(banner_max_bytes), .min = 1, .max = 1 << 20 },
	{ .name = "banners.buffers", .type = KEY_UINT, FIELD(banner_buffers),
	  .min = 16, .max = 10000000 },
	{ .name = "banners.idle_timeout_ms", .type = KEY_UINT,
	  FIELD(banner_idle_ms), .min = 1, .max = 3600000 },
	{ .name = "banners.total_timeout_ms", .type = KEY_UINT,
	  FIELD(banner_total_ms), .min = 1, .max = 3600000 },
	{ .name = "banners.probes_file", .type = KEY_CUSTOM,
	  FIELD(probes_file), .flags = KF_STRING, .parse = set_probes_file,
	  .format = format_probes_file },
	{ .name = "banners.user_agent", .type = KEY_CUSTOM, FIELD(user_agent),
	  .flags = KF_STRING, .parse = set_user_agent,
	  .format = format_user_agent },

	{ .name = "service.identify", .type = KEY_BOOL,
	  FIELD(service_identify) },
	{ .name = "service.probes_file", .type = KEY_CUSTOM,
	  FIELD(service_probes_file), .flags = KF_STRING,
	  .parse = set_service_probes_file,
	  .format = format_service_probes_file },
	{ .name = "service.cache_dir", .type = KEY_CUSTOM,
	  FIELD(signature_cache), .flags = KF_STRING,
	  .parse = set_signature_cache, .format = format_signature_cache },
	{ .name = "service.intensity", .type = KEY_UINT,
	  FIELD(version_intensity), .min = 0, .max = 9 },
	{ .name = "service.max_probes", .type = KEY_UINT, FIELD(max_probes),
	  .min = 1, .max = 32 },
	{ .name = "service.identify_file", .type = KEY_CUSTOM,
	  FIELD(identify_file), .flags = KF_STRING,
	  .parse = set_identify_file, .format = format_identify_file },

	{ .name = "dpdk.eal_args", .type = KEY_CUSTOM, FIELD(eal_args),
	  .flags = KF_STRING | KF_SEQ, .parse = set_eal_args,
	  .format = format_eal_args },
	{ .name = "dpdk.port_id", .type = KEY_UINT, FIELD(port_id),
	  .min = 0, .max = 65535 },
	{ .name = "dpdk.rx_queues", .type = KEY_UINT, FIELD(rx_queues),
	  .min = 1, .max = 1024 },
	{ .name = "dpdk.mempool_size", .type = KEY_UINT, FIELD(mempool_size),
	  .min = 511, .max = 1 << 26 },
	{ .name = "dpdk.ring_size", .type = KEY_UINT, FIELD(ring_size),
	  .min = 64, .max = 1 << 28, .flags = KF_POW2 },

	{ .name = "resume.tx_next", .type = KEY_CUSTOM,
	  SPAN(resume_points, resume_point_count),
	  .flags = KF_SEQ | KF_RESET_EMPTY,
	  .parse = set_resume_points, .format = format_resume_points },
	{ .name = "resume.space", .type = KEY_UINT, FIELD(resume_space),
	  .min = 0, .max = UINT64_MAX },
};
/* clang-format on */

/* Between target tokens, as lib/targets reads them. */
#define SEPARATORS ", \t\r\n\v\f"

#define KEY_COUNT (sizeof(config_keys) / sizeof(config_keys[0]))

_Static_assert(sizeof(enum syn_options) == sizeof(unsigned) &&
		   sizeof(enum output_format) == sizeof(unsigned) &&
		   sizeof(enum stats_format) == sizeof(unsigned),
	       "enum fields are stored as unsigned");

static const struct config_key *
key_find(const char *name)
{
	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!strcmp(config_keys[i].name, name))
			return &config_keys[i];
	return NULL;
}

static void *
key_field(struct config *cfg, const struct config_key *k)
{
	return (char *)cfg + k->offset;
}

static const void *
key_cfield(const struct config *cfg, const struct config_key *k)
{
	return (const char *)cfg + k->offset;
}

static uint64_t
uint_get(const struct config *cfg, const struct config_key *k)
{
	const void *p = key_cfield(cfg, k);

	switch (k->size) {
	case 1:
		return *(const uint8_t *)p;
	case 2:
		return *(const uint16_t *)p;
	case 4:
		return *(const uint32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

static void
uint_put(struct config *cfg, const struct config_key *k, uint64_t v)
{
	void *p = key_field(cfg, k);

	switch (k->size) {
	case 1:
		*(uint8_t *)p = v;
		break;
	case 2:
		*(uint16_t *)p = v;
		break;
	case 4:
		*(uint32_t *)p = v;
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}

static int
uint_check(const struct config_key *k, uint64_t v, const char *text, char *err,
	   size_t errlen)
{
	if (v < k->min || v > k->max) {
		errf(err, errlen, "'%s' is not an integer in %llu..%llu", text,
		     (unsigned long long)k->min, (unsigned long long)k->max);
		return -1;
	}
	if ((k->flags & KF_POW2) && (v & (v - 1))) {
		errf(err, errlen, "'%s' is not a power of two", text);
		return -1;
	}
	return 0;
}

static int
key_set(struct config *cfg, const struct config_key *k, const char *value,
	char *err, size_t errlen)
{
	uint64_t u;
	int b;

	switch (k->type) {
	case KEY_BOOL:
		if (yaml_parse_bool(value, &b, err, errlen))
			return -1;
		*(int *)key_field(cfg, k) = b;
		return 0;
	case KEY_UINT:
		if (k->flags & KF_RATE) {
			if (parse_rate(value, k->max, &u, err, errlen))
				return -1;
		} else if (parse_uint_range(value, k->min, k->max, &u, err,
					    errlen)) {
			return -1;
		}
		if (uint_check(k, u, value, err, errlen))
			return -1;
		uint_put(cfg, k, u);
		return 0;
	case KEY_ENUM:
		for (unsigned i = 0; k->names[i]; i++) {
			if (!strcmp(value, k->names[i])) {
				*(unsigned *)key_field(cfg, k) = i;
				return 0;
			}
		}
		if (errlen) {
			size_t n =
			    snprintf(err, errlen, "'%s' is not one of:", value);

			for (unsigned i = 0; k->names[i] && n < errlen; i++)
				n += snprintf(err + n, errlen - n, " %s",
					      k->names[i]);
		}
		return -1;
	case KEY_LIST: {
		char ***list = key_field(cfg, k);
		unsigned *count = (unsigned *)((char *)cfg + k->count_offset);
		const char *p = value;
		int added = 0;

		if (!(k->flags & KF_SPLIT)) {
			if (!*value) {
				errf(err, errlen, "empty file name");
				return -1;
			}
			if (strlist_add(list, count, value, strlen(value)))
				goto oom;
			return 0;
		}
		if (k->parse && k->parse(cfg, value, err, errlen))
			return -1;
		while (*(p += strspn(p, SEPARATORS))) {
			size_t n = strcspn(p, SEPARATORS);

			if (strlist_add(list, count, p, n))
				goto oom;
			p += n;
			added++;
		}
		if (!added) {
			errf(err, errlen, "empty target list '%s'", value);
			return -1;
		}
		return 0;
	}
	case KEY_CUSTOM:
		return k->parse(cfg, value, err, errlen);
	}
	return 0;
oom:
	errf(err, errlen, "out of memory");
	return -1;
}

static void
key_reset(struct config *cfg, const struct config_key *k)
{
	struct config def;

	if (k->type == KEY_LIST) {
		strlist_free(key_field(cfg, k),
			     (unsigned *)((char *)cfg + k->count_offset));
		return;
	}
	if (k->flags & KF_RESET_EMPTY) {
		k->parse(cfg, "", NULL, 0);
		return;
	}
	config_init(&def);
	if (k->flags & KF_STRING) {
		char **field = key_field(cfg, k), **from = key_field(&def, k);

		free(*field);
		*field = *from;
		*from = NULL;
	} else {
		memcpy(key_field(cfg, k), key_field(&def, k), k->size);
	}
	config_free(&def);
}

int
config_set(struct config *cfg, const char *key, const char *value, char *err,
	   size_t errlen)
{
	const struct config_key *k = key_find(key);

	if (!k) {
		errf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	return key_set(cfg, k, value, err, errlen);
}

int
config_unset(struct config *cfg, const char *key)
{
	const struct config_key *k = key_find(key);

	if (!k)
		return -1;
	key_reset(cfg, k);
	return 0;
}

/* ---- defaults ---- */

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = MODE_SCAN;
	cfg->default_excludes = 1;
	cfg->default_exclude_file = default_exclude_path();
	cfg->shard_k = 1;
	cfg->shard_n = 1;
	cfg->rate = DEFAULT_RATE;
	cfg->retries = 0;
	cfg->wait = DEFAULT_WAIT;
	cfg->pause_file = strdup("paused.yaml");
	cfg->stats_interval = 1.0;
	cfg->source_port_first = DEFAULT_SOURCE_PORT;
	cfg->source_port_last = DEFAULT_SOURCE_PORT;
	cfg->syn_options = SYN_OPTIONS_LINUX;
	cfg->ttl = 64;
	cfg->mss = 1460;
	cfg->window = 64240;
	cfg->wscale = 7;
	cfg->output_format = OUTPUT_NDJSON;
	cfg->port_id = 0;
	cfg->rx_queues = 1;
	cfg->mempool_size = 8191;
	cfg->ring_size = 65536;
	cfg->redis_queue = 1 << 20;
	cfg->banner_max_connections = 1000000;
	cfg->banner_max_bytes = 4096;
	cfg->banner_buffers = 65536;
	cfg->banner_idle_ms = 2000;
	cfg->version_intensity = 7;
	cfg->max_probes = 6;
	cfg->service_identify = 1;
	cfg->banner_total_ms = 10000;
}

void
config_free(struct config *cfg)
{
	strlist_free(&cfg->targets, &cfg->target_count);
	strlist_free(&cfg->include_files, &cfg->include_file_count);
	strlist_free(&cfg->excludes, &cfg->exclude_count);
	strlist_free(&cfg->exclude_files, &cfg->exclude_file_count);
	strlist_free(&cfg->readscan_files, &cfg->readscan_file_count);
	free(cfg->default_exclude_file);
	free(cfg->ports);
	free(cfg->output_file);
	free(cfg->eal_args);
	free(cfg->probes_file);
	free(cfg->service_probes_file);
	free(cfg->signature_cache);
	free(cfg->identify_file);
	free(cfg->user_agent);
	free(cfg->pause_file);
	free(cfg->resume_points);
	free(cfg->resume_file);
	cfg->pause_file = NULL;
	cfg->resume_points = NULL;
	cfg->resume_point_count = 0;
	cfg->resume_file = NULL;
	cfg->default_exclude_file = NULL;
	cfg->ports = NULL;
	cfg->output_file = NULL;
	cfg->eal_args = NULL;
	cfg->probes_file = NULL;
	cfg->service_probes_file = NULL;
	cfg->signature_cache = NULL;
	cfg->identify_file = NULL;
	cfg->user_agent = NULL;
}

/* ---- YAML in ---- */

struct yaml_load {
	struct config *cfg;
	struct yaml_source src;
};

static const char *
key_expects(const struct config_key *k)
{
	switch (k->type) {
	case KEY_BOOL:
		return "true or false";
	case KEY_UINT:
		return "an integer";
	case KEY_ENUM:
		return "a name";
	case KEY_LIST:
		return "a string or a list of strings";
	case KEY_CUSTOM:
		break;
	}
	return k->flags & KF_SEQ ? "a string or a list" : "a scalar";
}

static int
yaml_set_scalar(struct yaml_load *ld, const struct config_key *k,
		const yaml_node_t *node)
{
	char msg[CONFIG_ERR_LEN];

	if (node->type != YAML_SCALAR_NODE)
		return yaml_source_fail(&ld->src, node, "%s expects %s, got %s",
					k->name, key_expects(k),
					yaml_node_kind(node));
	if (strlen((const char *)node->data.scalar.value) !=
	    node->data.scalar.length)
		return yaml_source_fail(&ld->src, node,
					"%s: value holds a NUL byte", k->name);
	if (key_set(ld->cfg, k, (const char *)node->data.scalar.value, msg,
		    sizeof(msg)))
		return yaml_source_fail(&ld->src, node, "%s: %s", k->name, msg);
	return 0;
}

/* A key's value in a profile replaces what was there (an earlier profile's
 * value, or the default). */
static int
yaml_apply(struct yaml_load *ld, const struct config_key *k, yaml_node_t *value)
{
	key_reset(ld->cfg, k);
	if (yaml_node_is_null(value)) {
		if (k->type == KEY_LIST || k->type == KEY_CUSTOM)
			return 0;
		return yaml_source_fail(&ld->src, value,
					"%s has no value (expects %s)", k->name,
					key_expects(k));
	}
	if (value->type == YAML_SEQUENCE_NODE &&
	    (k->type == KEY_LIST || (k->flags & KF_SEQ))) {
		for (yaml_node_item_t *it = value->data.sequence.items.start;
		     it < value->data.sequence.items.top; it++) {
			yaml_node_t *item =
			    yaml_document_get_node(ld->src.doc, *it);

			if (yaml_node_is_null(item))
				return yaml_source_fail(&ld->src, item,
							"%s: empty list item",
							k->name);
			if (item->type != YAML_SCALAR_NODE)
				return yaml_source_fail(
				    &ld->src, item,
				    "%s: a list item must be a "
				    "scalar, got %s",
				    k->name, yaml_node_kind(item));
			if (yaml_set_scalar(ld, k, item))
				return -1;
		}
		return 0;
	}
	return yaml_set_scalar(ld, k, value);
}

static int
is_section(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < KEY_COUNT; i++)
		if (!strncmp(config_keys[i].name, name, n) &&
		    config_keys[i].name[n] == '.')
			return 1;
	return 0;
}

static int
yaml_unknown_key(struct yaml_load *ld, const yaml_node_t *node,
		 const char *section, const char *key)
{
	char known[CONFIG_ERR_LEN / 2];
	size_t n = 0, slen = section ? strlen(section) : 0;

	known[0] = 0;
	for (size_t i = 0; i < KEY_COUNT && n < sizeof(known); i++) {
		const char *name = config_keys[i].name;
		const char *dot = strchr(name, '.');

		if (section ? strncmp(name, section, slen) || name[slen] != '.'
			    : dot != NULL)
			continue;
		n += snprintf(known + n, sizeof(known) - n, "%s%s",
			      n ? ", " : "", section ? dot + 1 : name);
	}
	if (section)
		return yaml_source_fail(
		    &ld->src, node,
		    "unknown key '%s' in section '%s' (known: %s)", key,
		    section, known);
	for (size_t i = 0; i < KEY_COUNT && n < sizeof(known); i++) {
		const char *name = config_keys[i].name;
		const char *dot = strchr(name, '.');

		if (dot && (i == 0 || strncmp(config_keys[i - 1].name, name,
					      dot - name + 1)))
			n += snprintf(known + n, sizeof(known) - n,
				      ", %.*s:", (int)(dot - name), name);
	}
	return yaml_source_fail(&ld->src, node, "unknown key '%s' (known: %s)",
				key, known);
}

static int
yaml_mapping(struct yaml_load *ld, yaml_node_t *map, const char *section)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->src.doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(ld->src.doc, p->value);
		const struct config_key *k;
		char full[64];
		const char *key;

		if (kn->type != YAML_SCALAR_NODE)
			return yaml_source_fail(
			    &ld->src, kn, "a key must be a scalar, got %s",
			    yaml_node_kind(kn));
		key = (const char *)kn->data.scalar.value;
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p;
		     q++) {
			yaml_node_t *prev =
			    yaml_document_get_node(ld->src.doc, q->key);

			if (!strcmp((const char *)prev->data.scalar.value, key))
				return yaml_source_fail(
				    &ld->src, kn,
				    "duplicate key '%s' (first at line %zu)",
				    key, prev->start_mark.line + 1);
		}
		if (!section && is_section(key)) {
			if (yaml_node_is_null(vn))
				continue;
			if (vn->type != YAML_MAPPING_NODE)
				return yaml_source_fail(
				    &ld->src, vn,
				    "section '%s' expects a mapping, got %s",
				    key, yaml_node_kind(vn));
			if (yaml_mapping(ld, vn, key))
				return -1;
			continue;
		}
		snprintf(full, sizeof(full), "%s%s%.40s",
			 section ? section : "", section ? "." : "", key);
		k = strlen(key) <= 40 ? key_find(full) : NULL;
		if (!k)
			return yaml_unknown_key(ld, kn, section, key);
		if (yaml_apply(ld, k, vn))
			return -1;
	}
	return 0;
}

/* The profile's document, read into cfg; the document is deleted. */
static int
yaml_load(struct config *cfg, yaml_document_t *doc, const char *name,
	  char *err, size_t errlen)
{
	struct yaml_load ld = {cfg, {doc, name, err, errlen}};
	yaml_node_t *root = yaml_document_get_root_node(doc);
	int rc = 0;

	if (root && !yaml_node_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE)
			rc = yaml_source_fail(
			    &ld.src, root,
			    "a profile is a mapping of keys, got %s",
			    yaml_node_kind(root));
		else
			rc = yaml_mapping(&ld, root, NULL);
	}
	yaml_document_delete(doc);
	return rc;
}

int
config_load_string(struct config *cfg, const char *yaml, const char *name,
		   char *err, size_t errlen)
{
	yaml_document_t doc;

	if (yaml_doc_load_string(&doc, yaml, name, "profile", err, errlen))
		return -1;
	return yaml_load(cfg, &doc, name, err, errlen);
}

int
config_load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	yaml_document_t doc;

	if (yaml_doc_load_file(&doc, path, "profile", err, errlen))
		return -1;
	return yaml_load(cfg, &doc, path, err, errlen);
}

/* ---- YAML out ---- */

/* The value of k as YAML, after "key:" (lists on the lines that follow,
 * under indent). */
static void
write_value(const struct config *cfg, const struct config_key *k,
	    const char *indent, FILE *out)
{
	if (k->type != KEY_LIST)
		fputc(' ', out);
	switch (k->type) {
	case KEY_BOOL:
		fputs(*(const int *)key_cfield(cfg, k) ? "true" : "false", out);
		break;
	case KEY_UINT:
		fprintf(out, "%llu", (unsigned long long)uint_get(cfg, k));
		break;
	case KEY_ENUM: {
		unsigned v = *(const unsigned *)key_cfield(cfg, k), n = 0;

		while (k->names[n])
			n++;
		fputs(v < n ? k->names[v] : "invalid", out);
		break;
	}
	case KEY_LIST: {
		char *const *list = *(char **const *)key_cfield(cfg, k);
		unsigned count =
		    *(const unsigned *)((const char *)cfg + k->count_offset);

		if (!count)
			fputs(" []", out);
		for (unsigned j = 0; j < count; j++) {
			fprintf(out, "\n%s  - ", indent);
			write_quoted(out, list[j]);
		}
		break;
	}
	case KEY_CUSTOM:
		k->format(cfg, out);
		break;
	}
}

int
config_write_yaml(const struct config *cfg, FILE *out)
{
	size_t section_len = 0;
	const char *section = NULL;

	fputs("# tidescan profile: the effective configuration "
	      "(config/default.yaml documents every key)\n",
	      out);
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct config_key *k = &config_keys[i];
		const char *dot = strchr(k->name, '.');
		const char *leaf = dot ? dot + 1 : k->name;
		const char *indent = dot ? "  " : "";

		if (dot &&
		    (!section || (size_t)(dot - k->name) != section_len ||
		     strncmp(section, k->name, section_len))) {
			section = k->name;
			section_len = dot - k->name;
			fprintf(out, "\n%.*s:\n", (int)section_len, section);
		}
		fprintf(out, "%s%s:", indent, leaf);
		write_value(cfg, k, indent, out);
		fputc('\n', out);
	}
	fflush(out);
	return ferror(out) ? -1 : 0;
}

const char *
config_output_format_name(enum output_format format)
{
	return output_format_names[format];
}

int
config_add_readscan_file(struct config *cfg, const char *path, char *err,
			 size_t errlen)
{
	if (strlist_add(&cfg->readscan_files, &cfg->readscan_file_count, path,
			strlen(path))) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

const char *
config_key_name(size_t i)
{
	return i < KEY_COUNT ? config_keys[i].name : NULL;
}

char *
config_key_text(const struct config *cfg, const char *key)
{
	const struct config_key *k = key_find(key);
	char *text = NULL;
	size_t len;
	FILE *out;

	if (!k || !(out = open_memstream(&text, &len)))
		return NULL;
	write_value(cfg, k, "", out);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- cross-field checks ---- */

int
config_validate(const struct config *cfg, char *err, size_t errlen)
{
	for (size_t i = 0; i < KEY_COUNT; i++) {
		const struct config_key *k = &config_keys[i];
		uint64_t v;

		if (k->type != KEY_UINT)
			continue;
		v = uint_get(cfg, k);
		if (v < k->min || v > k->max ||
		    ((k->flags & KF_POW2) && (v & (v - 1)))) {
			errf(err, errlen, "%s = %llu: need %s%llu..%llu",
			     k->name, (unsigned long long)v,
			     k->flags & KF_POW2 ? "a power of two in " : "",
			     (unsigned long long)k->min,
			     (unsigned long long)k->max);
			return -1;
		}
	}
	if ((unsigned)cfg->syn_options > SYN_OPTIONS_NO_TIMESTAMPS ||
	    (unsigned)cfg->output_format > OUTPUT_BINARY) {
		errf(err, errlen, "invalid syn options or output format");
		return -1;
	}
	if (cfg->shard_k < 1 || cfg->shard_k > cfg->shard_n ||
	    cfg->shard_n > SHARD_MAX) {
		errf(err, errlen, "shard %u/%u: need 1 <= k <= n <= %d",
		     cfg->shard_k, cfg->shard_n, SHARD_MAX);
		return -1;
	}
	if (!(cfg->wait >= 0 && cfg->wait <= WAIT_MAX)) {
		errf(err, errlen, "wait %g: need 0..%g seconds", cfg->wait,
		     WAIT_MAX);
		return -1;
	}
	if (cfg->source_ip_first > cfg->source_ip_last) {
		errf(err, errlen, "source ip range is reversed (first > last)");
		return -1;
	}
	if (cfg->source_port_first > cfg->source_port_last ||
	    !cfg->source_port_first) {
		errf(err, errlen,
		     "source port range %u-%u: need 1 <= first <= last",
		     cfg->source_port_first, cfg->source_port_last);
		return -1;
	}
	if (cfg->default_excludes && !cfg->default_exclude_file) {
		errf(err, errlen, "default excludes on but no exclude file");
		return -1;
	}
	if (cfg->mode == MODE_READSCAN && !cfg->readscan_file_count) {
		errf(err, errlen, "--readscan: give the binary files to read");
		return -1;
	}
	if (cfg->mode != MODE_SCAN && cfg->mode != MODE_LIST)
		return 0;
	if (!cfg->target_count && !cfg->include_file_count) {
		errf(err, errlen,
		     "nothing to scan: give TARGET... or --include-file "
		     "(targets: in a profile)");
		return -1;
	}
	if (!cfg->ports) {
		errf(err, errlen,
		     "no ports: give -p/--ports, e.g. -p 80,443 (ports: in a "
		     "profile)");
		return -1;
	}
	return 0;
}

/* ---- the target space ---- */

int
config_build_space(const struct config *cfg, struct target_space *space,
		   char *err, size_t errlen)
{
	struct range_list inc = {0}, exc = {0};
	struct port_list ports = {0};
	int rc = -1;

	for (unsigned i = 0; i < cfg->target_count; i++)
		if (range_list_add_token(&inc, cfg->targets[i], "target", err,
					 errlen))
			goto out;
	for (unsigned i = 0; i < cfg->include_file_count; i++)
		if (range_list_add_file(&inc, cfg->include_files[i], err,
					errlen))
			goto out;
	for (unsigned i = 0; i < cfg->exclude_count; i++)
		if (range_list_add_token(&exc, cfg->excludes[i], "exclude", err,
					 errlen))
			goto out;
	for (unsigned i = 0; i < cfg->exclude_file_count; i++)
		if (range_list_add_file(&exc, cfg->exclude_files[i], err,
					errlen))
			goto out;
	if (cfg->default_excludes &&
	    range_list_add_file(&exc, cfg->default_exclude_file, err, errlen))
		goto out;
	if (!cfg->ports) {
		errf(err, errlen, "no ports");
		goto out;
	}
	if (port_list_parse(&ports, cfg->ports, err, errlen))
		goto out;
	rc = target_space_build(space, &inc, &exc, &ports, err, errlen);
out:
	range_list_free(&inc);
	range_list_free(&exc);
	port_list_free(&ports);
	return rc;
}
