/* targets: the scan's target space — IPv4 ranges minus excludes, times ports.
 * Parses addresses, CIDRs, ranges, files and port lists; merges and subtracts
 * exactly; maps an index in [0, N) to one (ip, port) pair in O(log ranges). */
#ifndef TIDESCAN_TARGETS_H
#define TIDESCAN_TARGETS_H

#include <stddef.h>
#include <stdint.h>

/* An inclusive range of IPv4 addresses, host byte order. */
struct ip_range {
	uint32_t first;
	uint32_t last;
};

/* A growable list of ranges. After range_list_normalize() it is sorted,
 * disjoint and non-adjacent ranges are merged. */
struct range_list {
	struct ip_range *ranges;
	size_t count;
	size_t capacity;
};

#define PROTO_TCP 6
#define PROTO_UDP 17

/* An inclusive range of ports of one protocol (PROTO_TCP or PROTO_UDP). */
struct port_range {
	uint16_t first;
	uint16_t last;
	uint8_t proto;
};

struct port_list {
	struct port_range *ranges;
	size_t count;
	size_t capacity;
};

/* Parse one target token: "a.b.c.d", "a.b.c.d/n" (0..32, host bits ignored),
 * or "a.b.c.d-e.f.g.h" (first <= last). Returns 0, or -1 with a message in err
 * that names the token. */
int ip_range_parse(const char *token, struct ip_range *out, char *err,
		   size_t errlen);

int range_list_add(struct range_list *list, struct ip_range range);
/* Parse token and add it; err names the token and `origin` (e.g. "file:3"),
 * origin may be NULL. */
int range_list_add_token(struct range_list *list, const char *token,
			 const char *origin, char *err, size_t errlen);
/* Add several tokens separated by blanks and/or commas ("10.0.0.0/8,
 * 192.168.1.1"), as on a command line or one line of a file. An empty item
 * (",,", a leading or trailing comma) is an error; on any error nothing from
 * text is added. */
int range_list_add_tokens(struct range_list *list, const char *text,
			  const char *origin, char *err, size_t errlen);
/* Add every token of a file: one per line (several separated by blanks or
 * commas are fine), '#' starts a comment. Errors say "path:line: ...", and on
 * error nothing from the file is added. */
int range_list_add_file(struct range_list *list, const char *path, char *err,
			size_t errlen);
void range_list_normalize(struct range_list *list);
/* list := list - excl; both normalized first. */
int range_list_subtract(struct range_list *list, struct range_list *excl);
/* Number of addresses (up to 2^32). */
uint64_t range_list_addresses(const struct range_list *list);
void range_list_free(struct range_list *list);

/* Parse "22,80,1000-2000", "0-65535", "T:80,U:53" and add to the list.
 * A "T:" / "U:" prefix sets the protocol for that item and the ones that follow
 * until another prefix (as masscan). */
int port_list_parse(struct port_list *list, const char *spec, char *err,
		    size_t errlen);
int port_list_add(struct port_list *list, struct port_range range);
void port_list_normalize(struct port_list *list);
uint32_t port_list_count(const struct port_list *list);
void port_list_free(struct port_list *list);

/* The flattened, read-only space used by the TX path. */
struct target_space {
	struct ip_range *ranges; /* sorted, disjoint */
	/* address index of ranges[i].first; one more entry, UINT64_MAX,
	 * follows the last */
	uint64_t *range_start;
	size_t range_count;
	uint64_t address_count;
	/* ports expanded, one entry per port: (proto << 16) | port */
	uint32_t *ports;
	uint32_t port_count;
	/* address_count * port_count: <= 2^48 with TCP only, <= 2^49 with all
	 * TCP and all UDP ports */
	uint64_t pair_count;
	/* private acceleration data for lookups (owned) */
	uint32_t *lookup;
	unsigned lookup_shift;
	uint64_t port_divisor_magic[2];
};

/* Build includes - excludes, times ports. Both lists are normalized here;
 * excludes may be NULL. includes keeps its (normalized) ranges.
 * Returns 0 or -1 with err (e.g. "no targets left after excludes"). */
int target_space_build(struct target_space *space, struct range_list *includes,
		       struct range_list *excludes, struct port_list *ports,
		       char *err, size_t errlen);
void target_space_free(struct target_space *space);

/* Map index in [0, pair_count) to one pair. No hardware division, no
 * allocation; O(log range_count). *proto_port is (proto << 16) | port.
 * The port varies fastest: index = address_index * port_count + port_index,
 * where address_index counts the space's addresses in ascending order and
 * port_index indexes space->ports (TCP ports ascending, then UDP). */
void target_space_pair(const struct target_space *space, uint64_t index,
		       uint32_t *ip, uint32_t *proto_port);

/* Is ip inside the space's address set? O(log range_count). */
int target_space_contains(const struct target_space *space, uint32_t ip);

#endif
