/* service_probes: a line-by-line reader of nmap-service-probes. Directives
 * (Probe, match, softmatch, ports, sslports, rarity, fallback, totalwaitms,
 * tcpwrappedms, Exclude) fill an sp_set; what cannot be used is a problem. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "service_probes.h"

#define WHY_LEN 160

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		abort();
	return d;
}

void
sp_init(struct sp_set *set)
{
	memset(set, 0, sizeof(*set));
}

static void
match_free(struct sp_match *m)
{
	free(m->service);
	free(m->pattern);
	for (int f = 0; f < SP_FIELDS; f++)
		free(m->tmpl[f]);
	for (unsigned c = 0; c < m->cpe_count; c++)
		free(m->cpe[c]);
}

void
sp_free(struct sp_set *set)
{
	for (unsigned i = 0; i < set->probe_count; i++) {
		struct sp_probe *p = &set->probes[i];

		free(p->name);
		free(p->payload);
		free(p->ports);
		free(p->sslports);
		for (unsigned f = 0; f < p->fallback_name_count; f++)
			free(p->fallback_names[f]);
		for (unsigned m = 0; m < p->match_count; m++)
			match_free(&p->matches[m]);
		free(p->matches);
	}
	free(set->probes);
	for (unsigned i = 0; i < set->problem_count; i++) {
		free(set->problems[i].text);
		free(set->problems[i].reason);
	}
	free(set->problems);
	for (unsigned i = 0; i < set->file_count; i++)
		free(set->files[i]);
	free(set->files);
	sp_init(set);
}

const char *
sp_file_name(struct sp_set *set, const char *name)
{
	for (unsigned i = 0; i < set->file_count; i++)
		if (!strcmp(set->files[i], name))
			return set->files[i];
	set->files =
	    xrealloc(set->files, (set->file_count + 1) * sizeof(*set->files));
	set->files[set->file_count] = xstrndup(name, strlen(name));
	return set->files[set->file_count++];
}

void
sp_problem_add(struct sp_set *set, const char *file, unsigned line,
	       const char *text, const char *reason)
{
	struct sp_problem *pr;

	if (set->problem_count == set->problem_cap) {
		set->problem_cap = set->problem_cap ? 2 * set->problem_cap : 16;
		set->problems =
		    xrealloc(set->problems, set->problem_cap * sizeof(*pr));
	}
	pr = &set->problems[set->problem_count++];
	pr->file = file;
	pr->line = line;
	pr->text = xstrndup(text, strlen(text));
	pr->reason = xstrndup(reason, strlen(reason));
}

void
sp_match_append(struct sp_probe *p, const struct sp_match *m)
{
	if (p->match_count == p->match_cap) {
		p->match_cap = p->match_cap ? 2 * p->match_cap : 8;
		p->matches = xrealloc(p->matches, p->match_cap * sizeof(*m));
	}
	p->matches[p->match_count++] = *m;
}

int
sp_ports_have(const struct sp_range *r, unsigned n, uint16_t port)
{
	for (unsigned i = 0; i < n; i++)
		if (port >= r[i].first && port <= r[i].last)
			return 1;
	return 0;
}

int
sp_probe_find(const struct sp_set *set, const char *name, uint8_t proto)
{
	for (unsigned i = 0; i < set->probe_count; i++)
		if (set->probes[i].proto == proto &&
		    !strcmp(set->probes[i].name, name))
			return (int)i;
	return -1;
}

/* ---- pieces of a line ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* C-style escapes of a probe string (\\ \0 \a \b \f \n \r \t \v \xHH) into
 * out (at most len bytes); its length, or -1 on a bad escape. */
static long
unescape(const char *s, size_t len, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '\\') {
			out[n++] = (uint8_t)s[i];
			continue;
		}
		if (++i == len)
			return -1;
		switch (s[i]) {
		case '\\':
			out[n++] = '\\';
			break;
		case '0':
			out[n++] = 0;
			break;
		case 'a':
			out[n++] = '\a';
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'v':
			out[n++] = '\v';
			break;
		case 'x':
			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		default:
			return -1;
		}
	}
	return (long)n;
}

/* "80,443,8000-8010" into ranges; 0 or -1. */
static int
parse_ports(const char *s, struct sp_range **out, unsigned *count)
{
	struct sp_range *r = NULL;
	unsigned n = 0;

	while (*s) {
		char *end;
		unsigned long a, b;

		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			break;
		errno = 0;
		a = strtoul(s, &end, 10);
		if (end == s || errno || a > 65535)
			goto bad;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtoul(++s, &end, 10);
			if (end == s || errno || b > 65535 || b < a)
				goto bad;
			s = end;
		}
		if (*s && *s != ',' && *s != ' ')
			goto bad;
		r = xrealloc(r, (n + 1) * sizeof(*r));
		r[n].first = (uint16_t)a;
		r[n].last = (uint16_t)b;
		n++;
	}
	free(*out);
	*out = r;
	*count = n;
	return 0;
bad:
	free(r);
	return -1;
}

static int
parse_uint_arg(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	while (*end == ' ')
		end++;
	if (end == s || *end || errno || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* One delimited field at s: s[0] is the delimiter; the text runs to its
 * next occurrence (nmap allows no escaping of it). Sets *text and *len; returns
 * the position after the closing delimiter, or NULL. */
static const char *
delimited(const char *s, const char **text, size_t *len)
{
	const char *end;

	if (!*s)
		return NULL;
	end = strchr(s + 1, s[0]);
	if (!end)
		return NULL;
	*text = s + 1;
	*len = (size_t)(end - s - 1);
	return end + 1;
}

static int
field_of_letter(char c)
{
	switch (c) {
	case 'p':
		return SP_PRODUCT;
	case 'v':
		return SP_VERSION;
	case 'i':
		return SP_INFO;
	case 'h':
		return SP_HOSTNAME;
	case 'o':
		return SP_OS;
	case 'd':
		return SP_DEVICETYPE;
	}
	return -1;
}

static int
refers_to_group(const char *t)
{
	for (; *t; t++)
		if (t[0] == '$' &&
		    (isdigit((unsigned char)t[1]) || !strncmp(t + 1, "P(", 2) ||
		     !strncmp(t + 1, "SUBST(", 6) || !strncmp(t + 1, "I(", 2)))
			return 1;
	return 0;
}

int
sp_parse_templates(struct sp_match *m, const char *s, char *why, size_t wl)
{
	for (;;) {
		const char *text;
		size_t len;
		int f;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return 0;
		if (!strncmp(s, "cpe:", 4)) {
			s = delimited(s + 4, &text, &len);
			if (!s) {
				errf(why, wl, "unterminated cpe: template");
				return -1;
			}
			if (*s == 'a')
				s++;
			if (m->cpe_count == SERVICE_MAX_CPE) {
				errf(why, wl, "more than %d cpe: templates",
				     SERVICE_MAX_CPE);
				return -1;
			}
			m->cpe[m->cpe_count++] = xstrndup(text, len);
		} else if ((f = field_of_letter(*s)) >= 0 && s[1] &&
			   !isalnum((unsigned char)s[1]) && s[1] != ' ') {
			char letter = *s;

			s = delimited(s + 1, &text, &len);
			if (!s) {
				errf(why, wl, "unterminated %c template",
				     letter);
				return -1;
			}
			if (m->tmpl[f]) {
				errf(why, wl, "a version field given twice");
				return -1;
			}
			m->tmpl[f] = xstrndup(text, len);
		} else {
			errf(why, wl, "unknown version field at \"%.20s\"", s);
			return -1;
		}
		if (*s && *s != ' ' && *s != '\t') {
			errf(why, wl, "junk after a version field: \"%.20s\"",
			     s);
			return -1;
		}
	}
}

/* ---- the directives ---- */

struct sp_reader {
	struct sp_set *set;
	const char *file;
	unsigned line;
	const char *text;	/* the whole line, for problems */
	struct sp_probe *probe; /* the current Probe, or NULL */
};

static void problem(struct sp_reader *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct sp_reader *rd, const char *fmt, ...)
{
	char why[WHY_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	sp_problem_add(rd->set, rd->file, rd->line, rd->text, why);
}

static void
directive_probe(struct sp_reader *rd, const char *args)
{
	struct sp_set *set = rd->set;
	struct sp_probe *p;
	char proto[8];
	const char *name, *text, *rest;
	size_t name_len, len;
	uint8_t *payload;
	long n;

	rd->probe = NULL;
	if (sscanf(args, "%7s", proto) != 1 ||
	    (strcmp(proto, "TCP") && strcmp(proto, "UDP"))) {
		problem(rd, "Probe needs TCP or UDP");
		return;
	}
	name = args + 3;
	while (*name == ' ')
		name++;
	name_len = strcspn(name, " ");
	rest = name + name_len;
	while (*rest == ' ')
		rest++;
	if (!name_len || rest[0] != 'q' ||
	    !(rest = delimited(rest + 1, &text, &len))) {
		problem(rd, "Probe needs a name and q|payload|");
		return;
	}
	payload = xrealloc(NULL, len);
	n = unescape(text, len, payload);
	if (n < 0) {
		free(payload);
		problem(rd, "bad escape in the probe payload");
		return;
	}
	if (set->probe_count == set->probe_cap) {
		set->probe_cap = set->probe_cap ? 2 * set->probe_cap : 64;
		set->probes =
		    xrealloc(set->probes, set->probe_cap * sizeof(*p));
	}
	p = &set->probes[set->probe_count++];
	memset(p, 0, sizeof(*p));
	p->name = xstrndup(name, name_len);
	p->proto = proto[0] == 'T' ? 6 : 17;
	p->payload = payload;
	p->payload_len = (size_t)n;
	p->rarity = SP_RARITY_DEFAULT;
	while (*rest == ' ')
		rest++;
	if (!strncmp(rest, "no-payload", 10))
		p->no_payload = 1;
	else if (*rest)
		problem(rd, "junk after the probe payload ignored");
	rd->probe = p;
}

static void
directive_match(struct sp_reader *rd, const char *args, int soft)
{
	struct sp_match m = {0};
	const char *name = args, *s, *text;
	size_t name_len, len;
	char why[WHY_LEN];

	if (!rd->probe) {
		problem(rd, "match line before any Probe");
		return;
	}
	name_len = strcspn(name, " ");
	s = name + name_len;
	while (*s == ' ')
		s++;
	if (!name_len || s[0] != 'm' || !(s = delimited(s + 1, &text, &len))) {
		problem(rd, "needs a service and m<delim>regex<delim>");
		return;
	}
	for (; *s && *s != ' '; s++) {
		if (*s == 'i')
			m.flags |= SP_CASELESS;
		else if (*s == 's')
			m.flags |= SP_DOTALL;
		else {
			problem(rd, "unknown regex flag '%c'", *s);
			return;
		}
	}
	m.service = xstrndup(name, name_len);
	m.pattern = xstrndup(text, len);
	m.soft = (uint8_t)soft;
	m.line = rd->line;
	m.file = rd->file;
	if (sp_parse_templates(&m, s, why, sizeof(why))) {
		match_free(&m);
		problem(rd, "%s", why);
		return;
	}
	for (int f = 0; f < SP_FIELDS; f++)
		if (m.tmpl[f] && refers_to_group(m.tmpl[f]))
			m.uses_captures = 1;
	for (unsigned c = 0; c < m.cpe_count; c++)
		if (refers_to_group(m.cpe[c]))
			m.uses_captures = 1;
	sp_match_append(rd->probe, &m);
}

static void
directive(struct sp_reader *rd, const char *word, const char *args)
{
	struct sp_probe *p = rd->probe;
	uint32_t v;

	if (!strcmp(word, "Probe")) {
		directive_probe(rd, args);
		return;
	}
	if (!strcmp(word, "match") || !strcmp(word, "softmatch")) {
		directive_match(rd, args, word[0] == 's');
		return;
	}
	if (!strcmp(word, "Exclude"))
		return; /* a -sV policy (skip ports), not a signature */
	if (!p) {
		problem(rd, "%s before any Probe", word);
		return;
	}
	if (!strcmp(word, "ports") || !strcmp(word, "sslports")) {
		int ssl = word[0] == 's';

		if (parse_ports(args, ssl ? &p->sslports : &p->ports,
				ssl ? &p->sslport_count : &p->port_count))
			problem(rd, "bad port list");
	} else if (!strcmp(word, "rarity")) {
		if (parse_uint_arg(args, 9, &v) || v < 1)
			problem(rd, "rarity must be 1..9");
		else
			p->rarity = (uint8_t)v;
	} else if (!strcmp(word, "totalwaitms") ||
		   !strcmp(word, "tcpwrappedms")) {
		if (parse_uint_arg(args, 600000, &v))
			problem(rd, "bad %s", word);
		else if (word[0] == 't' && word[1] == 'o')
			p->totalwaitms = v;
		else
			p->tcpwrappedms = v;
	} else if (!strcmp(word, "fallback")) {
		const char *s = args;

		while (*s) {
			size_t n = strcspn(s, ", ");

			if (n && p->fallback_name_count == SP_FALLBACK_MAX) {
				problem(rd, "more than %d fallbacks",
					SP_FALLBACK_MAX);
				break;
			}
			if (n)
				p->fallback_names[p->fallback_name_count++] =
				    xstrndup(s, n);
			s += n;
			while (*s == ',' || *s == ' ')
				s++;
		}
	} else {
		problem(rd, "unknown directive %s", word);
	}
}

int
sp_parse_text(struct sp_set *set, const char *text, size_t len,
	      const char *name, char *err, size_t errlen)
{
	struct sp_reader rd = {.set = set, .file = sp_file_name(set, name)};
	const char *s = text, *end = text + len;
	char *line = NULL;
	size_t line_cap = 0;

	(void)err;
	(void)errlen;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		char word[16];
		size_t wl;

		rd.line++;
		if (n + 1 > line_cap) {
			line_cap = n + 1;
			line = xrealloc(line, line_cap);
		}
		memcpy(line, s, n);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		line[n] = 0;
		s = nl ? nl + 1 : end;
		rd.text = line;
		if (!n || line[0] == '#')
			continue;
		if (memchr(line, 0, n)) {
			problem(&rd, "a NUL byte in the line");
			continue;
		}
		wl = strcspn(line, " \t");
		if (wl >= sizeof(word)) {
			problem(&rd, "unknown directive");
			continue;
		}
		memcpy(word, line, wl);
		word[wl] = 0;
		directive(&rd, word, line + wl + strspn(line + wl, " \t"));
	}
	free(line);
	return 0;
}

int
sp_parse_file(struct sp_set *set, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	if (!f) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	do {
		if (len + 65536 > cap) {
			cap = cap ? 2 * cap : 1 << 20;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		errf(err, errlen, "%s: read error", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	rc = sp_parse_text(set, buf, len, path, err, errlen);
	free(buf);
	return rc;
}

void
sp_finish(struct sp_set *set)
{
	int null_probe = sp_probe_find(set, "NULL", 6);

	set->null_probe =
	    null_probe < 0 ? set->probe_count : (unsigned)null_probe;
	for (unsigned i = 0; i < set->probe_count; i++) {
		struct sp_probe *p = &set->probes[i];

		p->chain_len = 0;
		p->chain[p->chain_len++] = i;
		for (unsigned f = 0; f < p->fallback_name_count; f++) {
			/* nmap names UDP probes as fallbacks of TCP ones
			 * (DNSVersionBindReqTCP): the other protocol's
			 * probe of that name then */
			int j =
			    sp_probe_find(set, p->fallback_names[f], p->proto);
			char why[WHY_LEN];

			if (j < 0)
				j = sp_probe_find(set, p->fallback_names[f],
						  p->proto == 6 ? 17 : 6);

			if (j < 0) {
				snprintf(why, sizeof(why),
					 "probe %s: unknown fallback %s",
					 p->name, p->fallback_names[f]);
				sp_problem_add(set, set->files[0], 0,
					       "fallback", why);
				continue;
			}
			if ((unsigned)j != i)
				p->chain[p->chain_len++] = (unsigned)j;
		}
		if (p->proto == 6 && null_probe >= 0 && (int)i != null_probe)
			p->chain[p->chain_len++] = (unsigned)null_probe;
	}
}

unsigned
sp_plan(const struct sp_set *set, uint16_t port, unsigned intensity,
	unsigned *out, unsigned cap)
{
	unsigned n = 0;

	if (set->null_probe < set->probe_count && n < cap)
		out[n++] = set->null_probe;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < set->probe_count && n < cap; i++) {
			const struct sp_probe *p = &set->probes[i];
			int listed =
			    sp_ports_have(p->ports, p->port_count, port) ||
			    sp_ports_have(p->sslports, p->sslport_count, port);

			if (p->proto != 6 || i == set->null_probe)
				continue;
			if (pass == 0 ? listed
				      : !listed && p->rarity <= intensity)
				out[n++] = i;
		}
	return n;
}
