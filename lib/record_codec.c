/* record_codec: the fixed part (ts, ip, port, proto, status, ttl,
 * icmp_code), a flags byte, then the banner (u32 length + bytes) and the
 * service (match, a bitmap of the fields present, the cpe count, then each
 * string as u16 length + bytes), each only if present. */
#include <stdlib.h>
#include <string.h>

#include "record_codec.h"

#define FIXED_BYTES 19
#define HAS_BANNER 1u
#define HAS_SERVICE 2u
#define SERVICE_FIELDS 7
#define STRING_MAX 65535u

static const char **
service_field(struct service_id *s, unsigned i)
{
	const char **fields[SERVICE_FIELDS] = {
	    &s->name,	  &s->product, &s->version,    &s->info,
	    &s->hostname, &s->os,      &s->devicetype,
	};

	return fields[i];
}

static size_t
string_size(const char *s)
{
	size_t n = strlen(s);

	return n > STRING_MAX ? STRING_MAX : n;
}

static int
has_service(const struct output_record *rec)
{
	return rec->service && rec->service->match != SERVICE_NONE;
}

size_t
record_encoded_size(const struct output_record *rec)
{
	size_t n = FIXED_BYTES;

	if (rec->banner)
		n += 4 + rec->banner_len;
	if (has_service(rec)) {
		struct service_id s = *rec->service;

		n += 3;
		for (unsigned i = 0; i < SERVICE_FIELDS; i++)
			if (*service_field(&s, i))
				n += 2 + string_size(*service_field(&s, i));
		for (unsigned i = 0; i < s.cpe_count && i < SERVICE_MAX_CPE;
		     i++)
			n += 2 + string_size(s.cpe[i]);
	}
	return n;
}

static uint8_t *
put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

static uint64_t
get_le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint8_t *
put_string(uint8_t *p, const char *s)
{
	size_t n = string_size(s);

	p = put_le(p, n, 2);
	memcpy(p, s, n);
	return p + n;
}

void
record_encode(const struct output_record *rec, uint8_t *p)
{
	const struct scan_result *r = rec->result;
	uint64_t ts;

	memcpy(&ts, &r->ts, sizeof(ts));
	p = put_le(p, ts, 8);
	p = put_le(p, r->ip, 4);
	p = put_le(p, r->port, 2);
	*p++ = r->proto;
	*p++ = r->status;
	*p++ = r->ttl;
	*p++ = r->icmp_code;
	*p++ = (uint8_t)((rec->banner ? HAS_BANNER : 0) |
			 (has_service(rec) ? HAS_SERVICE : 0));
	if (rec->banner) {
		p = put_le(p, rec->banner_len, 4);
		memcpy(p, rec->banner, rec->banner_len);
		p += rec->banner_len;
	}
	if (has_service(rec)) {
		struct service_id s = *rec->service;
		unsigned cpes = s.cpe_count < SERVICE_MAX_CPE ? s.cpe_count
							      : SERVICE_MAX_CPE;
		uint8_t present = 0;

		for (unsigned i = 0; i < SERVICE_FIELDS; i++)
			if (*service_field(&s, i))
				present |= (uint8_t)(1u << i);
		*p++ = s.match;
		*p++ = present;
		*p++ = (uint8_t)cpes;
		for (unsigned i = 0; i < SERVICE_FIELDS; i++)
			if (*service_field(&s, i))
				p = put_string(p, *service_field(&s, i));
		for (unsigned i = 0; i < cpes; i++)
			p = put_string(p, s.cpe[i]);
	}
}

/* The next u16-prefixed string, copied NUL-terminated into d->strings at
 * *used; the caller fixes up pointers once the buffer stops moving. */
static int
take_string(struct record_decoded *d, const uint8_t **p, const uint8_t *end,
	    size_t *used, size_t *offset)
{
	size_t n;

	if (end - *p < 2)
		return -1;
	n = (size_t)get_le(*p, 2);
	*p += 2;
	if ((size_t)(end - *p) < n)
		return -1;
	memcpy(d->strings + *used, *p, n);
	d->strings[*used + n] = '\0';
	*offset = *used;
	*used += n + 1;
	*p += n;
	return 0;
}

static int
decode_service(struct record_decoded *d, const uint8_t *p, const uint8_t *end)
{
	size_t used = 0, offsets[SERVICE_FIELDS + SERVICE_MAX_CPE];
	struct service_id *s = &d->service;
	uint8_t present;
	size_t need = (size_t)(end - p) + SERVICE_FIELDS + SERVICE_MAX_CPE;
	unsigned k = 0;

	if (end - p < 3)
		return -1;
	memset(s, 0, sizeof(*s));
	s->match = p[0];
	present = p[1];
	s->cpe_count = p[2];
	p += 3;
	if (s->match < SERVICE_SOFT || s->match > SERVICE_HARD ||
	    !(present & 1) || present >> SERVICE_FIELDS ||
	    s->cpe_count > SERVICE_MAX_CPE)
		return -1;
	if (need > d->strings_cap) {
		char *grown = realloc(d->strings, need);

		if (!grown)
			return -1;
		d->strings = grown;
		d->strings_cap = need;
	}
	for (unsigned i = 0; i < SERVICE_FIELDS; i++)
		if (present & (1u << i) &&
		    take_string(d, &p, end, &used, &offsets[k++]))
			return -1;
	for (unsigned i = 0; i < s->cpe_count; i++)
		if (take_string(d, &p, end, &used, &offsets[k++]))
			return -1;
	if (p != end)
		return -1;
	k = 0;
	for (unsigned i = 0; i < SERVICE_FIELDS; i++)
		if (present & (1u << i))
			*service_field(s, i) = d->strings + offsets[k++];
	for (unsigned i = 0; i < s->cpe_count; i++)
		s->cpe[i] = d->strings + offsets[k++];
	return 0;
}

int
record_decode(struct record_decoded *d, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	struct scan_result *r = &d->result;
	uint64_t ts;
	uint8_t flags;

	if (len < FIXED_BYTES)
		return -1;
	memset(r, 0, sizeof(*r));
	ts = get_le(p, 8);
	memcpy(&r->ts, &ts, sizeof(ts));
	r->ip = (uint32_t)get_le(p + 8, 4);
	r->port = (uint16_t)get_le(p + 12, 2);
	r->proto = p[14];
	r->status = p[15];
	r->ttl = p[16];
	r->icmp_code = p[17];
	flags = p[18];
	p += FIXED_BYTES;
	if (flags & ~(HAS_BANNER | HAS_SERVICE) ||
	    r->status > RESULT_UNREACHABLE)
		return -1;
	d->rec = (struct output_record){.result = r};
	if (flags & HAS_BANNER) {
		if (end - p < 4)
			return -1;
		d->rec.banner_len = (uint32_t)get_le(p, 4);
		p += 4;
		if ((size_t)(end - p) < d->rec.banner_len)
			return -1;
		d->rec.banner = p;
		p += d->rec.banner_len;
	}
	if (flags & HAS_SERVICE) {
		if (decode_service(d, p, end))
			return -1;
		d->rec.service = &d->service;
	} else if (p != end) {
		return -1;
	}
	return 0;
}

void
record_decoded_free(struct record_decoded *d)
{
	free(d->strings);
	d->strings = NULL;
	d->strings_cap = 0;
}
