/* targets: parsing of IPv4 targets and port lists, exact merge and subtraction
 * of ranges, and the flattened target space that maps a scan index to one
 * (address, port) pair with a multiply-high and a short table-guided search. */
#include "targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- parsing of one IPv4 target ---------------------------------------- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse a dotted quad at [*pos, end). Each octet is 1-3 decimal digits, at most
 * 255, without a leading zero ("01" reads as octal to inet_aton, so it is
 * refused rather than guessed). Returns NULL or the reason it is bad. */
static const char *
parse_ipv4(const char **pos, const char *end, uint32_t *out)
{
	const char *p = *pos;
	uint32_t addr = 0;

	for (int i = 0; i < 4; i++) {
		unsigned value = 0;
		int digits = 0;

		if (i > 0) {
			if (p == end || *p != '.')
				return "expected a.b.c.d";
			p++;
		}
		while (p < end && is_digit(*p) && digits < 4) {
			value = value * 10 + (unsigned)(*p - '0');
			digits++;
			p++;
		}
		if (digits == 0)
			return "expected a.b.c.d";
		if (digits > 3 || value > 255)
			return "octet above 255";
		if (digits > 1 && p[-digits] == '0')
			return "leading zero in octet (octal is ambiguous)";
		addr = addr << 8 | value;
	}
	*pos = p;
	*out = addr;
	return NULL;
}

/* Parse "a.b.c.d", "a.b.c.d/n" or "a.b.c.d-e.f.g.h" spanning exactly
 * [s, s + len). Returns NULL or the reason it is bad. */
static const char *
parse_target(const char *s, size_t len, struct ip_range *out)
{
	const char *p = s, *end = s + len;
	const char *why;
	uint32_t first, last, host;

	if (len == 0)
		return "empty target";
	if (memchr(s, ':', len))
		return "IPv6 is not supported yet";
	why = parse_ipv4(&p, end, &first);
	if (why)
		return why;
	if (p == end) {
		last = first;
	} else if (*p == '/') {
		unsigned prefix = 0;
		size_t digits = (size_t)(end - p - 1);

		p++;
		if (digits == 0 || digits > 2 || (digits == 2 && *p == '0'))
			return "prefix length must be 0..32";
		for (; p < end; p++) {
			if (!is_digit(*p))
				return "prefix length must be 0..32";
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > 32)
			return "prefix length must be 0..32";
		/* Host bits are ignored: 10.1.2.3/8 is 10.0.0.0/8. */
		host = (uint32_t)(0xffffffffull >> prefix);
		first &= ~host;
		last = first | host;
	} else if (*p == '-') {
		p++;
		why = parse_ipv4(&p, end, &last);
		if (why)
			return why;
		if (p != end)
			return "unexpected characters after address";
		if (last < first)
			return "range end before start";
	} else {
		return "unexpected characters after address";
	}
	out->first = first;
	out->last = last;
	return NULL;
}

static void
target_error(char *err, size_t errlen, const char *origin, const char *token,
	     size_t len, const char *why)
{
	if (!err || !errlen)
		return;
	snprintf(err, errlen, "%s%sbad target '%.*s': %s", origin ? origin : "",
		 origin ? ": " : "", (int)len, token, why);
}

int
ip_range_parse(const char *token, struct ip_range *out, char *err,
	       size_t errlen)
{
	size_t len = token ? strlen(token) : 0;
	const char *why = parse_target(token ? token : "", len, out);

	if (why) {
		target_error(err, errlen, NULL, token ? token : "", len, why);
		return -1;
	}
	return 0;
}

/* ---- range lists -------------------------------------------------------- */

static int
grow(void **items, size_t *capacity, size_t need, size_t size)
{
	size_t cap = *capacity ? *capacity : 16;
	void *p;

	if (need <= *capacity)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(*items, cap * size);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	*items = p;
	*capacity = cap;
	return 0;
}

int
range_list_add(struct range_list *list, struct ip_range range)
{
	if (range.first > range.last) {
		errno = EINVAL;
		return -1;
	}
	if (grow((void **)&list->ranges, &list->capacity, list->count + 1,
		 sizeof(*list->ranges)))
		return -1;
	list->ranges[list->count++] = range;
	return 0;
}

static int
add_target(struct range_list *list, const char *token, size_t len,
	   const char *origin, char *err, size_t errlen)
{
	struct ip_range range;
	const char *why = parse_target(token, len, &range);

	if (why) {
		target_error(err, errlen, origin, token, len, why);
		return -1;
	}
	if (range_list_add(list, range)) {
		snprintf(err, errlen, "%s%sout of memory", origin ? origin : "",
			 origin ? ": " : "");
		return -1;
	}
	return 0;
}

int
range_list_add_token(struct range_list *list, const char *token,
		     const char *origin, char *err, size_t errlen)
{
	if (!token)
		token = "";
	return add_target(list, token, strlen(token), origin, err, errlen);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Add the tokens of [text, text + len), separated by blanks and/or single
 * commas. An empty item ("a,,b", a leading or trailing comma) is an error. */
static int
add_targets(struct range_list *list, const char *text, size_t len,
	    const char *origin, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	int want_token = 0; /* after a comma, a token must follow */

	for (;;) {
		const char *tok;

		while (p < end && is_blank(*p))
			p++;
		if (p == end || *p == ',') {
			if (want_token || (p < end && *p == ',')) {
				snprintf(err, errlen,
					 "%s%sbad target list '%.*s': empty "
					 "item",
					 origin ? origin : "",
					 origin ? ": " : "", (int)len, text);
				return -1;
			}
			return 0;
		}
		tok = p;
		while (p < end && !is_blank(*p) && *p != ',')
			p++;
		if (add_target(list, tok, (size_t)(p - tok), origin, err,
			       errlen))
			return -1;
		while (p < end && is_blank(*p))
			p++;
		want_token = p < end && *p == ',';
		if (want_token)
			p++;
	}
}

int
range_list_add_tokens(struct range_list *list, const char *text,
		      const char *origin, char *err, size_t errlen)
{
	size_t count = list->count;

	if (!text)
		text = "";
	if (add_targets(list, text, strlen(text), origin, err, errlen)) {
		list->count = count;
		return -1;
	}
	return 0;
}

int
range_list_add_file(struct range_list *list, const char *path, char *err,
		    size_t errlen)
{
	size_t count = list->count, cap = 0;
	char *line = NULL, origin[4200];
	unsigned lineno = 0;
	ssize_t got;
	int rc = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	while ((got = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)got;
		char *hash = memchr(line, '#', len);

		lineno++;
		snprintf(origin, sizeof(origin), "%s:%u", path, lineno);
		if (hash)
			len = (size_t)(hash - line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (memchr(line, '\0', len)) {
			snprintf(err, errlen, "%s: NUL byte in line", origin);
			rc = -1;
			break;
		}
		if (add_targets(list, line, len, origin, err, errlen)) {
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error after line %u", path,
			 lineno);
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc)
		list->count = count;
	return rc;
}

static int
compare_ip_ranges(const void *a, const void *b)
{
	const struct ip_range *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->last > y->last) - (x->last < y->last);
}

void
range_list_normalize(struct range_list *list)
{
	size_t out = 0;

	if (list->count < 2)
		return;
	qsort(list->ranges, list->count, sizeof(*list->ranges),
	      compare_ip_ranges);
	for (size_t i = 1; i < list->count; i++) {
		struct ip_range *cur = &list->ranges[out];
		struct ip_range next = list->ranges[i];

		/* overlapping or adjacent; 64-bit so last + 1 cannot wrap */
		if ((uint64_t)next.first <= (uint64_t)cur->last + 1) {
			if (next.last > cur->last)
				cur->last = next.last;
		} else {
			list->ranges[++out] = next;
		}
	}
	list->count = out + 1;
}

int
range_list_subtract(struct range_list *list, struct range_list *excl)
{
	struct ip_range *out;
	size_t n = 0, j = 0;

	range_list_normalize(list);
	range_list_normalize(excl);
	if (!list->count || !excl->count)
		return 0;
	/* each exclude splits at most one range in two */
	out = malloc((list->count + excl->count) * sizeof(*out));
	if (!out) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < list->count; i++) {
		struct ip_range r = list->ranges[i];
		uint32_t cur = r.first;
		int covered = 0;

		while (j < excl->count && excl->ranges[j].last < cur)
			j++;
		/* Excludes that end inside r are consumed; one that reaches
		 * past r.last stays at j for the next range. */
		for (; j < excl->count && excl->ranges[j].first <= r.last;
		     j++) {
			struct ip_range x = excl->ranges[j];

			if (x.first > cur)
				out[n++] = (struct ip_range){cur, x.first - 1};
			if (x.last >= r.last) {
				covered = 1;
				break;
			}
			cur = x.last + 1;
		}
		if (!covered)
			out[n++] = (struct ip_range){cur, r.last};
	}
	free(list->ranges);
	list->ranges = out;
	list->count = n;
	list->capacity = list->count + excl->count;
	return 0;
}

uint64_t
range_list_addresses(const struct range_list *list)
{
	uint64_t total = 0;

	for (size_t i = 0; i < list->count; i++)
		total +=
		    (uint64_t)list->ranges[i].last - list->ranges[i].first + 1;
	return total;
}

void
range_list_free(struct range_list *list)
{
	free(list->ranges);
	memset(list, 0, sizeof(*list));
}

/* ---- port lists --------------------------------------------------------- */

int
port_list_add(struct port_list *list, struct port_range range)
{
	if (range.first > range.last ||
	    (range.proto != PROTO_TCP && range.proto != PROTO_UDP)) {
		errno = EINVAL;
		return -1;
	}
	if (grow((void **)&list->ranges, &list->capacity, list->count + 1,
		 sizeof(*list->ranges)))
		return -1;
	list->ranges[list->count++] = range;
	return 0;
}

/* Parse a decimal port at [*pos, end). Returns NULL or the reason. */
static const char *
parse_port(const char **pos, const char *end, uint16_t *out)
{
	const char *p = *pos;
	uint32_t value = 0;

	if (p == end || !is_digit(*p))
		return "expected a port number";
	for (; p < end && is_digit(*p); p++) {
		value = value * 10 + (uint32_t)(*p - '0');
		if (value > 65535)
			return "port above 65535";
	}
	*pos = p;
	*out = (uint16_t)value;
	return NULL;
}

/* Parse one item "[T:|U:]n[-m]" spanning [s, end); *proto carries the
 * protocol from item to item. Returns NULL or the reason. */
static const char *
parse_port_item(const char *s, const char *end, uint8_t *proto,
		struct port_range *out)
{
	const char *p = s;
	const char *why;

	if (end - p >= 2 && p[1] == ':') {
		if (*p == 'T' || *p == 't')
			*proto = PROTO_TCP;
		else if (*p == 'U' || *p == 'u')
			*proto = PROTO_UDP;
		else
			return "unknown protocol prefix (T: or U:)";
		p += 2;
	}
	why = parse_port(&p, end, &out->first);
	if (why)
		return why;
	out->last = out->first;
	if (p < end && *p == '-') {
		p++;
		why = parse_port(&p, end, &out->last);
		if (why)
			return why;
		if (out->last < out->first)
			return "range end before start";
	}
	if (p != end)
		return "unexpected characters after port";
	out->proto = *proto;
	return NULL;
}

int
port_list_parse(struct port_list *list, const char *spec, char *err,
		size_t errlen)
{
	size_t count = list->count;
	uint8_t proto = PROTO_TCP;
	const char *p = spec ? spec : "";
	const char *end = p + strlen(p);

	while (p < end && is_blank(*p))
		p++;
	if (p == end) {
		snprintf(err, errlen, "empty port list");
		return -1;
	}
	p = spec;
	for (;;) {
		const char *item, *item_end, *comma, *why;
		struct port_range range;

		comma = memchr(p, ',', (size_t)(end - p));
		item_end = comma ? comma : end;
		item = p;
		while (item < item_end && is_blank(*item))
			item++;
		while (item_end > item && is_blank(item_end[-1]))
			item_end--;
		if (item == item_end) {
			snprintf(err, errlen, "bad port list '%s': empty item",
				 spec);
			goto fail;
		}
		why = parse_port_item(item, item_end, &proto, &range);
		if (why) {
			snprintf(err, errlen, "bad port '%.*s': %s",
				 (int)(item_end - item), item, why);
			goto fail;
		}
		if (port_list_add(list, range)) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (!comma)
			return 0;
		p = comma + 1;
	}
fail:
	list->count = count;
	return -1;
}

static int
compare_port_ranges(const void *a, const void *b)
{
	const struct port_range *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->last > y->last) - (x->last < y->last);
}

void
port_list_normalize(struct port_list *list)
{
	size_t out = 0;

	if (list->count < 2)
		return;
	qsort(list->ranges, list->count, sizeof(*list->ranges),
	      compare_port_ranges);
	for (size_t i = 1; i < list->count; i++) {
		struct port_range *cur = &list->ranges[out];
		struct port_range next = list->ranges[i];

		if (next.proto == cur->proto &&
		    (uint32_t)next.first <= (uint32_t)cur->last + 1) {
			if (next.last > cur->last)
				cur->last = next.last;
		} else {
			list->ranges[++out] = next;
		}
	}
	list->count = out + 1;
}

uint32_t
port_list_count(const struct port_list *list)
{
	uint32_t total = 0;

	for (size_t i = 0; i < list->count; i++)
		total +=
		    (uint32_t)list->ranges[i].last - list->ranges[i].first + 1;
	return total;
}

void
port_list_free(struct port_list *list)
{
	free(list->ranges);
	memset(list, 0, sizeof(*list));
}

/* ---- the target space --------------------------------------------------- */

/* Buckets of the lookup table: two to four per range, at most 2^20 (4 MiB). */
#define LOOKUP_MAX_BITS 20

static unsigned
bits_for(uint64_t n)
{
	unsigned bits = 0;

	while (bits < 64 && (n >> bits) != 0)
		bits++;
	return bits;
}

/* lookup[b] is the range holding address index b << lookup_shift, so the range
 * of any address index a lies in [lookup[a >> shift], lookup[(a >> shift) + 1]]
 * (the table has one extra entry, the last range). */
static int
build_lookup(struct target_space *space)
{
	unsigned index_bits = bits_for(space->address_count - 1);
	unsigned want_bits = bits_for(space->range_count) + 1;
	uint64_t buckets;
	size_t r = 0;

	if (want_bits > LOOKUP_MAX_BITS)
		want_bits = LOOKUP_MAX_BITS;
	space->lookup_shift =
	    index_bits > want_bits ? index_bits - want_bits : 0;
	buckets = ((space->address_count - 1) >> space->lookup_shift) + 1;
	space->lookup = malloc((buckets + 1) * sizeof(*space->lookup));
	if (!space->lookup)
		return -1;
	for (uint64_t b = 0; b < buckets; b++) {
		uint64_t a = b << space->lookup_shift;

		while (r + 1 < space->range_count &&
		       space->range_start[r + 1] <= a)
			r++;
		space->lookup[b] = (uint32_t)r;
	}
	space->lookup[buckets] = (uint32_t)(space->range_count - 1);
	return 0;
}

int
target_space_build(struct target_space *space, struct range_list *includes,
		   struct range_list *excludes, struct port_list *ports,
		   char *err, size_t errlen)
{
	struct range_list left = {0};
	uint64_t start = 0;
	size_t k = 0;

	memset(space, 0, sizeof(*space));
	range_list_normalize(includes);
	if (excludes)
		range_list_normalize(excludes);
	if (ports)
		port_list_normalize(ports);
	if (!includes->count) {
		snprintf(err, errlen, "no targets given");
		return -1;
	}
	if (!ports || !port_list_count(ports)) {
		snprintf(err, errlen, "no ports given");
		return -1;
	}

	left.ranges = malloc(includes->count * sizeof(*left.ranges));
	if (!left.ranges)
		goto nomem;
	memcpy(left.ranges, includes->ranges,
	       includes->count * sizeof(*left.ranges));
	left.count = left.capacity = includes->count;
	if (excludes && range_list_subtract(&left, excludes))
		goto nomem;
	if (!left.count) {
		range_list_free(&left);
		snprintf(err, errlen, "no targets left after excludes");
		return -1;
	}

	space->ranges = left.ranges;
	space->range_count = left.count;
	space->range_start =
	    malloc((left.count + 1) * sizeof(*space->range_start));
	if (!space->range_start)
		goto nomem;
	for (size_t i = 0; i < left.count; i++) {
		space->range_start[i] = start;
		start +=
		    (uint64_t)left.ranges[i].last - left.ranges[i].first + 1;
	}
	space->address_count = start;
	space->range_start[left.count] = UINT64_MAX;

	space->port_count = port_list_count(ports);
	space->ports = malloc(space->port_count * sizeof(*space->ports));
	if (!space->ports)
		goto nomem;
	for (size_t i = 0; i < ports->count; i++) {
		const struct port_range *pr = &ports->ranges[i];

		for (uint32_t p = pr->first; p <= pr->last; p++)
			space->ports[k++] = (uint32_t)pr->proto << 16 | p;
	}
	space->pair_count = space->address_count * space->port_count;
	space->port_divisor_magic[0] = UINT64_MAX / space->port_count;
	space->port_divisor_magic[1] = space->port_count;

	if (build_lookup(space))
		goto nomem;
	return 0;

nomem:
	if (!space->ranges)
		free(left.ranges);
	target_space_free(space);
	snprintf(err, errlen, "out of memory building the target space");
	return -1;
}

void
target_space_free(struct target_space *space)
{
	free(space->ranges);
	free(space->range_start);
	free(space->ports);
	free(space->lookup);
	memset(space, 0, sizeof(*space));
}

/* index = address_index * port_count + port_index: the port varies fastest.
 * The divide by port_count uses m = floor((2^64 - 1) / d): then
 * 0 <= 2^64/d - m <= 1, so for any n < 2^64,
 * n/d - 1 < n/d - n/2^64 <= n * m / 2^64 <= n/d: the estimate
 * q' = floor(n * m / 2^64) is floor(n/d) or one below it, and one compare of
 * the remainder against d fixes it. With one port (m = 2^64 - 1) the same
 * steps give q = n. */
void
target_space_pair(const struct target_space *space, uint64_t index,
		  uint32_t *ip, uint32_t *proto_port)
{
	uint64_t d = space->port_divisor_magic[1];
	uint64_t q = (uint64_t)(((unsigned __int128)index *
				 space->port_divisor_magic[0]) >>
				64);
	uint64_t r = index - q * d;
	uint64_t fix = r >= d;
	uint64_t bucket;
	size_t lo, hi;

	q += fix;
	r -= d & -fix;

	/* The range of address index q lies in [lo, hi]. Buckets outnumber
	 * ranges, so the window is nearly always 0..2 wide: two branchless
	 * steps finish it (the UINT64_MAX sentinel after the last range stops
	 * them), and the binary search runs only in crowded buckets. */
	bucket = q >> space->lookup_shift;
	lo = space->lookup[bucket];
	hi = space->lookup[bucket + 1];
	while (unlikely(hi - lo > 2)) {
		size_t mid = (lo + hi + 1) / 2;

		if (space->range_start[mid] <= q)
			lo = mid;
		else
			hi = mid - 1;
	}
	lo += space->range_start[lo + 1] <= q;
	lo += space->range_start[lo + 1] <= q;
	*ip = space->ranges[lo].first + (uint32_t)(q - space->range_start[lo]);
	*proto_port = space->ports[r];
}

int
target_space_contains(const struct target_space *space, uint32_t ip)
{
	size_t lo = 0, hi = space->range_count;

	/* first range with last >= ip */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (space->ranges[mid].last < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < space->range_count && space->ranges[lo].first <= ip;
}
