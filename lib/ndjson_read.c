/* ndjson_read: a small reader for the flat objects tidescan writes: string,
 * number and nested values, with the keys output.c renders. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "ndjson_read.h"

struct jr {
	const char *p;
	char *err;
	size_t errlen;
};

static void
ws(struct jr *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static int
hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = tolower((unsigned char)s[i]);

		if (isdigit(c))
			*v = *v << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v = *v << 4 | (unsigned)(c - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

static size_t
put_utf8(uint8_t *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uint8_t)(0xc0 | cp >> 6);
		o[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uint8_t)(0xe0 | cp >> 12);
		o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | cp >> 18);
	o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* A JSON string at j->p into out (cap bytes, NUL added when room); its
 * length, or -1. out may be NULL to skip. */
static long
jstring(struct jr *j, uint8_t *out, size_t cap)
{
	size_t n = 0;
	uint8_t tmp[4];

	if (*j->p != '"')
		return -1;
	for (j->p++; *j->p != '"'; j->p++) {
		const uint8_t *src = (const uint8_t *)j->p;
		size_t k = 1;
		unsigned cp, lo;

		if (!*j->p)
			return -1;
		if (*j->p == '\\') {
			switch (*++j->p) {
			case 'n':
				tmp[0] = '\n';
				break;
			case 'r':
				tmp[0] = '\r';
				break;
			case 't':
				tmp[0] = '\t';
				break;
			case 'b':
				tmp[0] = '\b';
				break;
			case 'f':
				tmp[0] = '\f';
				break;
			case '"':
			case '\\':
			case '/':
				tmp[0] = (uint8_t)*j->p;
				break;
			case 'u':
				if (hex4(j->p + 1, &cp))
					return -1;
				j->p += 4;
				if (cp >= 0xdc80 && cp <= 0xdcff) {
					tmp[0] = (uint8_t)(cp & 0xff);
				} else if (cp >= 0xd800 && cp < 0xdc00 &&
					   j->p[1] == '\\' && j->p[2] == 'u' &&
					   !hex4(j->p + 3, &lo) &&
					   lo >= 0xdc00 && lo < 0xe000) {
					j->p += 6;
					k = put_utf8(tmp,
						     0x10000 +
							 ((cp - 0xd800) << 10) +
							 (lo - 0xdc00));
				} else {
					k = put_utf8(tmp, cp);
				}
				break;
			default:
				return -1;
			}
			src = tmp;
		}
		for (size_t i = 0; i < k; i++, n++)
			if (out && n < cap)
				out[n] = src[i];
	}
	j->p++;
	if (out && n < cap)
		out[n] = 0;
	return (long)n;
}

/* Skip any value (nested objects and lists too). */
static int
skip_value(struct jr *j)
{
	int depth = 0;

	for (;;) {
		char c;

		ws(j);
		c = *j->p;
		if (!c)
			return -1;
		if (c == '"') {
			if (jstring(j, NULL, 0) < 0)
				return -1;
		} else if (c == '{' || c == '[') {
			depth++;
			j->p++;
		} else if (c == '}' || c == ']' || c == ',') {
			if (!depth)
				return 0;
			depth -= c != ',';
			j->p++;
		} else {
			j->p++;
		}
		ws(j);
		if (!depth && (*j->p == ',' || *j->p == '}'))
			return 0;
	}
}

static int
parse_ip(const char *s, uint32_t *ip)
{
	unsigned a, b, c, d;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 ||
	    b > 255 || c > 255 || d > 255)
		return -1;
	*ip = a << 24 | b << 16 | c << 8 | d;
	return 0;
}

int
ndjson_read_record(const char *line, struct scan_result *r, uint8_t *banner,
		   size_t cap, size_t *banner_len, int *has_banner, char *err,
		   size_t errlen)
{
	struct jr j = {line, err, errlen};
	char key[32], val[32];

	memset(r, 0, sizeof(*r));
	r->proto = 6;
	*has_banner = 0;
	*banner_len = 0;
	ws(&j);
	if (*j.p++ != '{')
		goto bad;
	for (;;) {
		long n;

		ws(&j);
		if (*j.p == '}')
			return 0;
		if (jstring(&j, (uint8_t *)key, sizeof(key) - 1) < 0)
			goto bad;
		ws(&j);
		if (*j.p++ != ':')
			goto bad;
		ws(&j);
		if (!strcmp(key, "banner")) {
			n = jstring(&j, banner, cap);
			if (n < 0)
				goto bad;
			if ((size_t)n > cap) {
				errf(err, errlen, "banner over %zu bytes", cap);
				return -1;
			}
			*banner_len = (size_t)n;
			*has_banner = 1;
		} else if (!strcmp(key, "ip") || !strcmp(key, "proto") ||
			   !strcmp(key, "status")) {
			if (jstring(&j, (uint8_t *)val, sizeof(val) - 1) < 0)
				goto bad;
			val[sizeof(val) - 1] = 0;
			if (key[0] == 'i' && parse_ip(val, &r->ip))
				goto bad;
			if (key[0] == 'p')
				r->proto = strcmp(val, "udp") ? 6 : 17;
			if (key[0] == 's')
				r->status = !strcmp(val, "closed")
						? RESULT_CLOSED
					    : !strcmp(val, "unreachable")
						? RESULT_UNREACHABLE
						: RESULT_OPEN;
		} else if (!strcmp(key, "ts") || !strcmp(key, "port") ||
			   !strcmp(key, "ttl") || !strcmp(key, "icmp_code")) {
			char *end;
			double v = strtod(j.p, &end);

			if (end == j.p)
				goto bad;
			j.p = end;
			if (key[0] == 't' && key[1] == 's')
				r->ts = v;
			else if (key[0] == 'p')
				r->port = (uint16_t)v;
			else if (key[0] == 't')
				r->ttl = (uint8_t)v;
			else
				r->icmp_code = (uint8_t)v;
		} else if (skip_value(&j)) {
			goto bad;
		}
		ws(&j);
		if (*j.p == ',')
			j.p++;
		else if (*j.p != '}')
			goto bad;
	}
bad:
	errf(err, errlen, "not a tidescan NDJSON record near \"%.20s\"", j.p);
	return -1;
}
