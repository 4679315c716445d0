/* service: what service identification found on a port — nmap's fields
 * (name, product, version, info, hostname, os, devicetype, cpe), only those
 * that matched are set. Filled by lib/match, rendered by every writer. */
#ifndef TIDESCAN_SERVICE_H
#define TIDESCAN_SERVICE_H

#include <stdint.h>

#define SERVICE_MAX_CPE 4

enum service_match {
	SERVICE_NONE = 0, /* nothing matched: the other fields are unset */
	SERVICE_SOFT,	  /* a softmatch: name only, maybe more */
	SERVICE_HARD,	  /* a match: the identification is final */
};

/* Each field is a NUL-terminated string, NULL when unset. The strings are
 * owned by whoever filled the struct and live until it is filled again. */
struct service_id {
	uint8_t match; /* enum service_match */
	uint8_t cpe_count;
	const char *name;
	const char *product;
	const char *version;
	const char *info;
	const char *hostname;
	const char *os;
	const char *devicetype;
	const char *cpe[SERVICE_MAX_CPE];
};

static inline const char *
service_match_name(enum service_match m)
{
	return m == SERVICE_HARD ? "hard" : m == SERVICE_SOFT ? "soft" : "none";
}

#endif
