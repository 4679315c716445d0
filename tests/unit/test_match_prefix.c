/* test_match_prefix: the literal prefix and the literal runs of tricky
 * nmap-style patterns (escapes, a quantifier after a literal, alternation,
 * the i flag, classes, \x bytes, groups) or their ineligibility, and the
 * index that finds lines by a banner's first bytes within its load bound,
 * and finds the same lines as a scan of every entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "match_prefix.h"

struct prefix_case {
	const char *pattern;
	int caseless;
	int want; /* length, or -1: not eligible */
	const char *bytes;
};

static const struct prefix_case cases[] = {
    /* real lines' openings */
    {"^SSH-([\\d.]+)-OpenSSH_([\\w._-]+)", 0, 4, "SSH-"},
    {"^HTTP/1\\.[01] \\d\\d\\d .*\\r\\nServer: nginx", 0, 7, "HTTP/1."},
    {"^\\+OK Dovecot ready", 0, 16, "+OK Dovecot read"},
    {"^\\xff\\xfb\\x01\\xff\\xfb\\x03", 0, 6, "\xff\xfb\x01\xff\xfb\x03"},
    {"^\\0\\0\\x01abc", 0, 6,
     "\0\0\x01"
     "abc"},
    {"^220 Welcome to ([-.\\w]+) FTP.*\\r\\n$", 1, 15, "220 welcome to "},
    {"^\\xC9Ab", 1, 3,
     "\xc9"
     "ab"},
    {"^\\e\\a\\f\\t\\r\\n", 0, 6, "\x1b\x07\x0c\x09\r\n"},
    {"^\\.\\-\\/\\\\x", 0, 5, ".-/\\x"},
    /* a quantifier that allows zero drops the byte before it; + keeps it */
    {"^\\r?\\n", 0, 0, ""},
    {"^ab\\r?\\n", 0, 2, "ab"},
    {"^abc*d", 0, 2, "ab"},
    {"^abc{2}", 0, 2, "ab"},
    {"^abc+d", 0, 3, "abc"},
    {"^abc+?d", 0, 3, "abc"},
    {"^{?Syntax Error", 0, 0, ""},
    {"^a\\x41?", 0, 1, "a"},
    /* escapes that are not one known byte end the prefix */
    {"^a\\d", 0, 1, "a"},
    {"^a\\bc", 0, 1, "a"},
    {"^\\x4g", 0, 0, ""},
    {"^a\\x{41}", 0, 1, "a"},
    {"^\\012", 0, 0, ""},
    {"^\\08", 0, 2,
     "\0"
     "8"},
    {"^ab\\1", 0, 2, "ab"},
    /* groups and classes end it; their alternations are inside */
    {"^(?:abc|def)x", 0, 0, ""},
    {"^a(?=b)", 0, 1, "a"},
    {"^ab(?<=b)c", 0, 2, "ab"},
    {"^ab(?<!x)c", 0, 2, "ab"},
    {"^a(?>b|c)", 0, 1, "a"},
    {"^a[|]b", 0, 1, "a"},
    {"^a[]|]b", 0, 1, "a"},
    {"^a[^]|)]b", 0, 1, "a"},
    {"^a[\\]|]b", 0, 1, "a"},
    {"^a\\|b", 0, 3, "a|b"},
    {"^a.b", 0, 1, "a"},
    {"^a$", 0, 1, "a"},
    /* not eligible */
    {"SSH-2\\.0", 0, -1, NULL},
    {"^abc|def", 0, -1, NULL},
    {"^a(b|c)|d", 0, -1, NULL},
    {"^a[|]|b", 0, -1, NULL},
    {"^\\Qa|b\\E", 0, -1, NULL},
    {"^ab\\Q)\\E", 0, -1, NULL},
    {"^(?i)abc", 0, -1, NULL},
    {"^abc(?i)d", 0, -1, NULL},
    {"^ab(*COMMIT)c", 0, -1, NULL},
    {"(*CR)^abc", 0, -1, NULL},
    {"^(?<name>a)b", 0, -1, NULL},
    {"^(?#a|b)c", 0, -1, NULL},
    {"^(?|a|b)c", 0, -1, NULL},
    {"^a[[:alpha:]|]", 0, -1, NULL},
    {"^ab)", 0, -1, NULL},
    {"^(ab", 0, -1, NULL},
    {"^a[bc", 0, -1, NULL},
    {"^ab\\", 0, -1, NULL},
};

static void
test_extract(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct prefix_case *c = &cases[i];
		uint8_t out[MATCH_PREFIX_MAX];
		int n = match_prefix(c->pattern, c->caseless, out, sizeof(out));

		if (n != c->want)
			fprintf(stderr, "pattern %s\n", c->pattern);
		CHECK_EQ_U64((uint64_t)(int64_t)n, (uint64_t)(int64_t)c->want);
		if (n > 0 && n == c->want && memcmp(out, c->bytes, (size_t)n))
			fprintf(stderr, "pattern %s: other bytes\n",
				c->pattern);
		CHECK(n <= 0 || n != c->want ||
		      !memcmp(out, c->bytes, (size_t)n));
	}
}

struct runs_case {
	const char *pattern;
	int caseless;
	const char *runs; /* "|"-separated, "^" before the anchored one; NULL:
			     not eligible */
};

static const struct runs_case runs_cases[] = {
    {"^SSH-([\\d.]+)-OpenSSH_([\\w._-]+) Debian", 0, "^SSH-|-OpenSSH_| Debian"},
    {"^HTTP/1\\.[01] \\d\\d\\d (?:[^\\r\\n]*\\r\\n(?!\\r\\n))*?Server: "
     "[sS]quid",
     0, "^HTTP/1.| | |Server: |quid"},
    {"^Welcome (\\w+) FTP", 1, "^welcome | ftp"},
    {"x\\r\\n\\x41\\t", 0, "x\r\nA\t"},
    {"ab?c", 0, "a|c"},
    {"abc+d", 0, "abc|d"},
    {"ab{2}c", 0, "ab|c"},
    {"ab{0,3}c", 0, "a|c"},
    {"ab*?c", 0, "a|c"},
    {"ab(cd)?ef", 0, "ab|ef"},
    {"ab(?:c|d)+gh", 0, "ab|gh"},
    {"a[bc|]d", 0, "a|d"},
    {"a\\dbc\\b", 0, "a|bc"},
    {"a.b$", 0, "a|b"},
    {"^(ab)cd", 0, "^abcd"},
    {"^(?:a(b.c))d", 0, "^ab|cd"},
    {"(?>ab)c", 0, "abc"},
    {"a(b|c)d(e(?:f|g)h)i", 0, "a|de|hi"},
    {"a(?=bc)d(?!e)f", 0, "a|d|f"},
    {"a(bc)+d", 0, "a|d"},
    {"a(bc){2}d\\{2}", 0, "a|d{2"},
    {"Ipswitch={", 0, "Ipswitch={"},
    {"a{b}", 0, "a{b"},
    {"^aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
     "^aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa|aaaaaaaa"},
    {"a\\x{41}b", 0, NULL},
    {"a\\p{L}b", 0, NULL},
    {"a\\12b", 0, NULL},
    {"a{,3}b", 0, NULL},
    {"a{ 3}b", 0, NULL},
    {"(ab){,3}c", 0, NULL},
    {"^a|b", 0, NULL},
    {"(?i)ab", 0, NULL},
};

static void
add_run(void *ctx, const uint8_t *run, size_t len, int at_start)
{
	char *s = ctx;
	size_t n = strlen(s);

	if (n)
		s[n++] = '|';
	if (at_start)
		s[n++] = '^';
	memcpy(s + n, run, len);
	s[n + len] = 0;
}

static void
test_runs(void)
{
	for (size_t i = 0; i < sizeof(runs_cases) / sizeof(runs_cases[0]);
	     i++) {
		const struct runs_case *c = &runs_cases[i];
		char got[256] = "";
		int rc =
		    match_literal_runs(c->pattern, c->caseless, add_run, got);

		if (c->runs) {
			CHECK(rc == 0);
			if (strcmp(got, c->runs))
				fprintf(stderr, "pattern %s\n", c->pattern);
			CHECK_STR(got, c->runs);
		} else {
			CHECK(rc == -1);
		}
	}
}

/* Not eligible, but the runs before what is not understood are reported
 * (a brace's last byte aside: {,n} may make it optional). */
static const struct runs_case partial_cases[] = {
    {"^ab\\x{41}c", 0, "^ab"}, {"xy\\p{L}b", 0, "xy"}, {"a.bc\\12", 0, "a|bc"},
    {"^abc{,3}d", 0, "^ab"},   {"a{,3}b", 0, ""},      {"^Ab{ 3}", 1, "^a"},
};

static void
test_runs_partial(void)
{
	for (size_t i = 0; i < sizeof(partial_cases) / sizeof(partial_cases[0]);
	     i++) {
		const struct runs_case *c = &partial_cases[i];
		char got[256] = "";

		CHECK(match_literal_runs(c->pattern, c->caseless, add_run,
					 got) == -1);
		CHECK_STR(got, c->runs);
	}
}

static struct prefix_entry
entry(const char *key, unsigned line)
{
	struct prefix_entry e = {.len = (uint8_t)strlen(key), .line = line};

	memcpy(e.bytes, key, e.len);
	return e;
}

/* The lines find() selects for data, sorted, as a string of letters
 * ('a' + line) to compare. */
static const char *
found(const struct prefix_index *ix, const char *data, char *buf)
{
	unsigned lines[64], n = prefix_index_find(ix, (const uint8_t *)data,
						  strlen(data), lines);

	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && lines[j - 1] > lines[j]; j--) {
			unsigned t = lines[j];

			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	for (unsigned i = 0; i < n; i++)
		buf[i] = (char)('a' + lines[i]);
	buf[n] = 0;
	return buf;
}

static void
test_index(void)
{
	/* lines 0-4 "220 ", 5 "220 proftpd", 6-8 "ssh-", 9-19 "2" */
	struct prefix_entry e[20], kept[20];
	uint8_t keep[20];
	unsigned n = 0, k = 0;
	char buf[64];
	struct prefix_index *ix;

	for (unsigned i = 0; i < 5; i++)
		e[n++] = entry("220 ", i);
	e[n++] = entry("220 proftpd", 5);
	for (unsigned i = 6; i < 9; i++)
		e[n++] = entry("ssh-", i);
	for (unsigned i = 9; i < 20; i++)
		e[n++] = entry("2", i);
	/* bound 8: "2" (11 lines) is left to Hyperscan; a banner beginning
	 * "220 proftpd" selects 6 */
	CHECK(prefix_choose(e, n, 8, keep) == 0);
	for (unsigned i = 0; i < n; i++) {
		CHECK(keep[i] == (e[i].len > 1));
		if (keep[i])
			kept[k++] = e[i];
	}
	/* bound 5: "220 " would make 6 with "220 proftpd", the longer one
	 * is kept (and "ssh-") */
	CHECK(prefix_choose(e, n, 5, keep) == 0);
	for (unsigned i = 0; i < n; i++)
		CHECK(keep[i] == (e[i].len > 4 || e[i].bytes[0] == 's'));
	ix = prefix_index_build(kept, k);
	CHECK(ix != NULL);
	if (!ix)
		return;
	CHECK_STR(found(ix, "220 ProFTPD 1.3.5 Server", buf), "abcdef");
	CHECK_STR(found(ix, "220 ProFTP", buf), "abcde");
	CHECK_STR(found(ix, "220 (vsFTPd 3.0.3)", buf), "abcde");
	CHECK_STR(found(ix, "SSH-2.0-OpenSSH_9.2", buf), "ghi");
	CHECK_STR(found(ix, "ssh-", buf), "ghi");
	CHECK_STR(found(ix, "220", buf), "");
	CHECK_STR(found(ix, "220-", buf), "");
	CHECK_STR(found(ix, "", buf), "");
	CHECK_STR(found(ix, "+OK", buf), "");
	prefix_index_free(ix);
}

/* Many keys (its filter then spans many words): for random banners, some
 * beginning with a key, the index finds exactly the lines a scan of every
 * entry finds. */
static void
test_index_many(void)
{
	enum { N = 3000, BANNERS = 20000 };
	static struct prefix_entry e[N];
	static unsigned got[N];
	struct prefix_index *ix;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned bad = 0;

	for (unsigned i = 0; i < N; i++) {
		e[i].len = (uint8_t)(1 + i % MATCH_PREFIX_MAX);
		for (unsigned b = 0; b < e[i].len; b++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			/* few distinct bytes: keys share their beginnings */
			e[i].bytes[b] = (uint8_t)('a' + (x >> 60) % 4);
		}
		e[i].line = i;
	}
	ix = prefix_index_build(e, N);
	CHECK(ix != NULL);
	if (!ix)
		return;
	for (unsigned t = 0; t < BANNERS; t++) {
		uint8_t data[24];
		unsigned n, want = 0, len = 1 + t % 24;

		for (unsigned b = 0; b < len; b++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			data[b] = (uint8_t)((x >> 60) % 4 +
					    (x >> 59 & 1 ? 'A' : 'a'));
		}
		if (t % 2) /* begins with a key */
			memcpy(data, e[t % N].bytes,
			       e[t % N].len < len ? e[t % N].len : len);
		n = prefix_index_find(ix, data, len, got);
		for (unsigned i = 0; i < N; i++) {
			unsigned k = 0;

			while (k < e[i].len && k < len &&
			       match_prefix_fold(data[k]) == e[i].bytes[k])
				k++;
			want += k == e[i].len;
		}
		for (unsigned i = 0; i < n; i++) {
			unsigned k = 0;

			while (k < e[got[i]].len && k < len &&
			       match_prefix_fold(data[k]) == e[got[i]].bytes[k])
				k++;
			bad += k != e[got[i]].len;
		}
		bad += n != want;
	}
	CHECK(bad == 0);
	prefix_index_free(ix);
}

int
main(void)
{
	test_extract();
	test_runs();
	test_runs_partial();
	test_index();
	test_index_many();
	return check_report("match_prefix");
}
