/* version_tmpl: substitution of capture groups into nmap's version templates,
 * one pass over the template, output bounded by the caller's buffer. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "version_tmpl.h"

struct vt_out {
	char *buf;
	size_t cap, len;
};

/* Append n bytes of p, up to a NUL among them and as far as they fit. */
static void
put(struct vt_out *o, const void *p, size_t n)
{
	const char *nul = n ? memchr(p, 0, n) : NULL;
	size_t room = o->len + 1 < o->cap ? o->cap - o->len - 1 : 0;

	if (nul)
		n = (size_t)(nul - (const char *)p);
	if (n > room)
		n = room;
	if (n)
		memcpy(o->buf + o->len, p, n);
	o->len += n;
}

/* The bytes of group g, or len 0. */
static const uint8_t *
group(const uint8_t *subject, const size_t *ovec, unsigned pairs, unsigned g,
      size_t *len)
{
	*len = 0;
	if (g >= pairs || ovec[2 * g] == VT_UNSET ||
	    ovec[2 * g + 1] < ovec[2 * g])
		return NULL;
	*len = ovec[2 * g + 1] - ovec[2 * g];
	return subject + ovec[2 * g];
}

/* A "quoted" argument at s (no escapes, as nmap); the position after it. */
static const char *
quoted(const char *s, const char **text, size_t *len)
{
	const char *end;

	if (*s != '"' || !(end = strchr(s + 1, '"')))
		return NULL;
	*text = s + 1;
	*len = (size_t)(end - s - 1);
	return end + 1;
}

/* "$P(", "$SUBST(" or "$I(" at t with its arguments rendered into o; the
 * position after the ')' or NULL when t is not such a call. */
static const char *
call(const char *t, const uint8_t *subject, const size_t *ovec, unsigned pairs,
     struct vt_out *o)
{
	const char *s, *a, *b;
	size_t alen, blen, glen;
	const uint8_t *g;
	int kind;

	if (!strncmp(t, "$P(", 3))
		kind = 'P', s = t + 3;
	else if (!strncmp(t, "$SUBST(", 7))
		kind = 'S', s = t + 7;
	else if (!strncmp(t, "$I(", 3))
		kind = 'I', s = t + 3;
	else
		return NULL;
	if (!isdigit((unsigned char)*s))
		return NULL;
	g = group(subject, ovec, pairs, (unsigned)(*s - '0'), &glen);
	s++;
	switch (kind) {
	case 'P':
		if (*s != ')')
			return NULL;
		for (size_t i = 0; i < glen; i++)
			if (g[i] >= 0x20 && g[i] < 0x7f)
				put(o, &g[i], 1);
		return s + 1;
	case 'S':
		if (*s != ',' || !(s = quoted(s + 1, &a, &alen)) || *s != ',' ||
		    !(s = quoted(s + 1, &b, &blen)) || *s != ')')
			return NULL;
		for (size_t i = 0; i < glen;) {
			if (alen && i + alen <= glen &&
			    !memcmp(g + i, a, alen)) {
				put(o, b, blen);
				i += alen;
			} else {
				put(o, &g[i++], 1);
			}
		}
		return s + 1;
	default: {
		unsigned long long v = 0;
		char num[24];

		if (*s != ',' || !(s = quoted(s + 1, &a, &alen)) || alen != 1 ||
		    (*a != '<' && *a != '>') || *s != ')')
			return NULL;
		if (glen > 8)
			glen = 8;
		for (size_t i = 0; i < glen; i++)
			v = *a == '>' ? v << 8 | g[i]
				      : v | (unsigned long long)g[i] << (8 * i);
		if (glen)
			put(o, num,
			    (size_t)snprintf(num, sizeof(num), "%llu", v));
		return s + 1;
	}
	}
}

size_t
vt_render(const char *t, const uint8_t *subject, const size_t *ovec,
	  unsigned pairs, char *out, size_t cap)
{
	struct vt_out o = {.buf = out, .cap = cap};

	while (*t) {
		const char *next = strchrnul(t, '$');

		if (next != t) { /* text up to the next $ */
			put(&o, t, (size_t)(next - t));
			t = next;
		} else if (isdigit((unsigned char)t[1])) {
			size_t len;
			const uint8_t *g = group(subject, ovec, pairs,
						 (unsigned)(t[1] - '0'), &len);

			put(&o, g, len);
			t += 2;
		} else if ((next = call(t, subject, ovec, pairs, &o))) {
			t = next;
		} else {
			put(&o, t++, 1);
		}
	}
	if (cap)
		out[o.len] = 0;
	return o.len;
}
