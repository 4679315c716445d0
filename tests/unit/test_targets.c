/* test_targets: parsing (good and bad tokens, files with line numbers, port
 * lists), merge and subtraction against a brute-force bitmap, and the index ->
 * (ip, port) mapping: exact against brute force, at 2^48 and 2^49, and with
 * 10,000+ ranges. */
#include "check.h"
#include "targets.h"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define TCP(p) ((uint32_t)PROTO_TCP << 16 | (p))
#define UDP(p) ((uint32_t)PROTO_UDP << 16 | (p))
#define IP(a, b, c, d)                                                         \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* splitmix64: a fixed seed so a failure repeats */
static uint64_t
rand64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t
rand_below(uint32_t n)
{
	return (uint32_t)(rand64() % n);
}

/* Does err name this token, quoted? */
static int
names(const char *err, const char *token)
{
	char quoted[256];

	snprintf(quoted, sizeof(quoted), "'%s'", token);
	return strstr(err, quoted) != NULL;
}

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- single tokens ------------------------------------------------------ */

static void
test_parse_good(void)
{
	static const struct {
		const char *token;
		uint32_t first, last;
	} cases[] = {
	    {"1.2.3.4", IP(1, 2, 3, 4), IP(1, 2, 3, 4)},
	    {"0.0.0.0", 0, 0},
	    {"255.255.255.255", 0xffffffff, 0xffffffff},
	    {"10.0.0.0/8", IP(10, 0, 0, 0), IP(10, 255, 255, 255)},
	    {"10.1.2.3/8", IP(10, 0, 0, 0), IP(10, 255, 255, 255)},
	    {"0.0.0.0/0", 0, 0xffffffff},
	    {"200.1.2.3/0", 0, 0xffffffff},
	    {"1.2.3.4/32", IP(1, 2, 3, 4), IP(1, 2, 3, 4)},
	    {"1.2.3.5/31", IP(1, 2, 3, 4), IP(1, 2, 3, 5)},
	    {"192.168.1.77/24", IP(192, 168, 1, 0), IP(192, 168, 1, 255)},
	    {"128.0.0.0/1", IP(128, 0, 0, 0), 0xffffffff},
	    {"1.2.3.4-1.2.3.4", IP(1, 2, 3, 4), IP(1, 2, 3, 4)},
	    {"1.2.3.250-1.2.4.3", IP(1, 2, 3, 250), IP(1, 2, 4, 3)},
	    {"0.0.0.0-255.255.255.255", 0, 0xffffffff},
	    {"10.0.0.100", IP(10, 0, 0, 100), IP(10, 0, 0, 100)},
	};
	char err[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ip_range r = {0};

		err[0] = '\0';
		CHECK(ip_range_parse(cases[i].token, &r, err, sizeof(err)) ==
		      0);
		CHECK_EQ_U64(r.first, cases[i].first);
		CHECK_EQ_U64(r.last, cases[i].last);
		CHECK_STR(err, "");
	}
}

static const char *const bad_targets[] = {
    "1.2.3",
    "1.2.3.4/33",
    "256.1.1.1",
    "1.2.3.4-1.2.3.3",
    "01.2.3.4",
    "1.02.3.4",
    "1.2.3.00",
    "1.2.3.4x",
    "",
    "1.2.3.4/",
    "1.2.3.4/-1",
    "1.2.3.4/08",
    "1.2.3.4/100",
    "1.2.3.4/8/8",
    "1.2.3.4/3x",
    "1..2.3",
    ".1.2.3.4",
    "1.2.3.4.",
    "1.2.3.4.5",
    "1.2.3.4-",
    "-1.2.3.4",
    "1.2.3.4-1.2.3.5-1.2.3.6",
    "1.2.3.4-1.2.3",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.1000",
    "1.2.3.256",
    "abc",
    "::1",
    "2001:db8::/32",
    "0x1.2.3.4",
    "1.2.3.-4",
    "+1.2.3.4",
    "1.2.3.4,5.6.7.8",
    "4294967295",
    "1.2.3.4/32x",
    "1.2.3.4#",
};

static void
test_parse_bad(void)
{
	char err[256];
	size_t n = sizeof(bad_targets) / sizeof(bad_targets[0]);

	for (size_t i = 0; i < n; i++) {
		struct ip_range r = {0};
		const char *tok = bad_targets[i];

		err[0] = '\0';
		CHECK(ip_range_parse(tok, &r, err, sizeof(err)) == -1);
		CHECK(starts_with(err, "bad target '"));
		CHECK(names(err, tok));
	}

	/* with an origin, the message opens with it; nothing is added */
	for (size_t i = 0; i < n; i++) {
		struct range_list list = {0};
		char want[128];

		range_list_add_token(&list, "9.9.9.9", NULL, err, sizeof(err));
		err[0] = '\0';
		CHECK(range_list_add_token(&list, bad_targets[i], "--exclude",
					   err, sizeof(err)) == -1);
		snprintf(want, sizeof(want),
			 "--exclude: bad target '%s': ", bad_targets[i]);
		CHECK(starts_with(err, want));
		CHECK_EQ_U64(list.count, 1);
		range_list_free(&list);
	}

	/* a couple of exact messages, so the wording stays useful */
	ip_range_parse("01.2.3.4", &(struct ip_range){0}, err, sizeof(err));
	CHECK_STR(err, "bad target '01.2.3.4': leading zero in octet (octal "
		       "is ambiguous)");
	ip_range_parse("1.2.3.4-1.2.3.3", &(struct ip_range){0}, err,
		       sizeof(err));
	CHECK_STR(err, "bad target '1.2.3.4-1.2.3.3': range end before start");
	ip_range_parse("::1", &(struct ip_range){0}, err, sizeof(err));
	CHECK_STR(err, "bad target '::1': IPv6 is not supported yet");
}

static void
test_token_lists(void)
{
	static const char *const bad[] = {
	    "1.2.3.4,,5.6.7.8",	  "1.2.3.4,", ",1.2.3.4",
	    "1.2.3.4 , ,5.6.7.8", ",",	      "1.2.3.4, 5.6.7.8x",
	};
	struct range_list list = {0};
	char err[256];

	CHECK(range_list_add_tokens(&list,
				    "10.0.0.0/30, 10.0.1.1,10.0.2.0-10.0.2.1 "
				    "\t10.0.3.3",
				    "cli", err, sizeof(err)) == 0);
	CHECK_EQ_U64(list.count, 4);
	CHECK_EQ_U64(range_list_addresses(&list), 4 + 1 + 2 + 1);
	CHECK(range_list_add_tokens(&list, "", "cli", err, sizeof(err)) == 0);
	CHECK(range_list_add_tokens(&list, "  ", "cli", err, sizeof(err)) == 0);
	CHECK_EQ_U64(list.count, 4);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(range_list_add_tokens(&list, bad[i], "cli", err,
					    sizeof(err)) == -1);
		CHECK(starts_with(err, "cli: bad target"));
		/* all or nothing: the good tokens before the bad one are not
		 * kept */
		CHECK_EQ_U64(list.count, 4);
	}
	range_list_add_tokens(&list, "1.2.3.4, 5.6.7.8x", "cli", err,
			      sizeof(err));
	CHECK_STR(err, "cli: bad target '5.6.7.8x': unexpected characters "
		       "after address");
	range_list_add_tokens(&list, "1.2.3.4,,5.6.7.8", "cli", err,
			      sizeof(err));
	CHECK_STR(err, "cli: bad target list '1.2.3.4,,5.6.7.8': empty item");
	range_list_free(&list);
}

/* ---- files -------------------------------------------------------------- */

/* Write text (len bytes) to a new temp file; path receives its name. */
static void
write_temp(char *path, size_t pathlen, const char *text, size_t len)
{
	int fd;

	snprintf(path, pathlen, "/tmp/test_targets_XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, text, len) == (ssize_t)len);
	close(fd);
}

#define FILE_ERROR(text, line, message)                                        \
	expect_file_error(text, sizeof(text) - 1, line, message)

static void
expect_file_error(const char *text, size_t len, unsigned line,
		  const char *message)
{
	struct range_list list = {0};
	char path[64], err[512], want[512];

	write_temp(path, sizeof(path), text, len);
	range_list_add_token(&list, "9.9.9.9", NULL, err, sizeof(err));
	err[0] = '\0';
	CHECK(range_list_add_file(&list, path, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, message);
	CHECK_STR(err, want);
	CHECK_EQ_U64(list.count, 1);
	unlink(path);
	range_list_free(&list);
}

static void
test_files(void)
{
	static const char good[] =
	    "# targets for the lab\n"
	    "10.0.0.1 10.0.0.2,10.0.0.3\n"
	    "\n"
	    "   \t\n"
	    "  10.0.1.0/24   # trailing comment 1.2.3.4x\n"
	    "10.0.2.0-10.0.2.9\t,  10.0.3.1\r\n"
	    "#10.9.9.9\n"
	    "10.0.4.0/31 , 10.0.5.5";
	struct range_list list = {0};
	char path[64], err[512];

	write_temp(path, sizeof(path), good, sizeof(good) - 1);
	CHECK(range_list_add_file(&list, path, err, sizeof(err)) == 0);
	CHECK_EQ_U64(list.count, 8);
	CHECK_EQ_U64(range_list_addresses(&list), 3 + 256 + 10 + 1 + 2 + 1);
	range_list_normalize(&list);
	/* the /24 and 10.0.2.0-10.0.2.9 are neighbours: one range */
	CHECK_EQ_U64(list.count, 5);
	CHECK_EQ_U64(list.ranges[0].first, IP(10, 0, 0, 1));
	CHECK_EQ_U64(list.ranges[0].last, IP(10, 0, 0, 3));
	CHECK_EQ_U64(list.ranges[1].first, IP(10, 0, 1, 0));
	CHECK_EQ_U64(list.ranges[1].last, IP(10, 0, 2, 9));
	CHECK_EQ_U64(list.ranges[4].first, IP(10, 0, 5, 5));
	unlink(path);
	range_list_free(&list);

	FILE_ERROR("10.0.0.1\n# fine\n10.0.0.2 1.2.3.4x\n10.0.0.3\n", 3,
		   "bad target '1.2.3.4x': unexpected characters after "
		   "address");
	FILE_ERROR("10.0.0.1\n1.2.3.4,,5.6.7.8\r\n", 2,
		   "bad target list '1.2.3.4,,5.6.7.8': empty item");
	FILE_ERROR("1.1.1.1\n\n\n10.0.0.1/33", 4,
		   "bad target '10.0.0.1/33': prefix length must be "
		   "0..32");
	FILE_ERROR("1.1.1.1\n256.0.0.1 # comment\n", 2,
		   "bad target '256.0.0.1': octet above 255");
	FILE_ERROR("1.1.1.1\n1.1.1.2\0 1.1.1.3\n", 2, "NUL byte in line");
	FILE_ERROR("1.1.1.1 - 1.1.1.9\n", 1,
		   "bad target '-': expected a.b.c.d");

	/* a missing file names the path */
	err[0] = '\0';
	CHECK(range_list_add_file(&list, "/nonexistent/targets.txt", err,
				  sizeof(err)) == -1);
	CHECK(starts_with(err, "/nonexistent/targets.txt: cannot open"));
	CHECK_EQ_U64(list.count, 0);
}

/* ---- port lists --------------------------------------------------------- */

static void
test_ports_good(void)
{
	struct port_list pl = {0};
	char err[256];

	CHECK(port_list_parse(&pl, "22,80,1000-2000", err, sizeof(err)) == 0);
	CHECK_EQ_U64(port_list_count(&pl), 1003);
	port_list_free(&pl);

	CHECK(port_list_parse(&pl, "0-65535", err, sizeof(err)) == 0);
	CHECK_EQ_U64(port_list_count(&pl), 65536);
	port_list_free(&pl);

	/* a prefix holds until the next one */
	CHECK(port_list_parse(&pl, "T:80,U:53,161", err, sizeof(err)) == 0);
	port_list_normalize(&pl);
	CHECK_EQ_U64(pl.count, 3);
	CHECK(pl.ranges[0].proto == PROTO_TCP && pl.ranges[0].first == 80 &&
	      pl.ranges[0].last == 80);
	CHECK(pl.ranges[1].proto == PROTO_UDP && pl.ranges[1].first == 53);
	CHECK(pl.ranges[2].proto == PROTO_UDP && pl.ranges[2].first == 161);
	port_list_free(&pl);

	CHECK(port_list_parse(&pl, " u:53 , t:22 ", err, sizeof(err)) == 0);
	port_list_normalize(&pl);
	CHECK_EQ_U64(pl.count, 2);
	CHECK(pl.ranges[0].proto == PROTO_TCP && pl.ranges[0].first == 22);
	CHECK(pl.ranges[1].proto == PROTO_UDP && pl.ranges[1].first == 53);
	port_list_free(&pl);

	/* duplicates, overlaps and neighbours merge; protocols do not */
	CHECK(port_list_parse(&pl, "80,80,79-81,82,U:80,T:84,65535,0-65534",
			      err, sizeof(err)) == 0);
	port_list_normalize(&pl);
	CHECK_EQ_U64(pl.count, 2);
	CHECK(pl.ranges[0].proto == PROTO_TCP && pl.ranges[0].first == 0 &&
	      pl.ranges[0].last == 65535);
	CHECK(pl.ranges[1].proto == PROTO_UDP && pl.ranges[1].first == 80 &&
	      pl.ranges[1].last == 80);
	CHECK_EQ_U64(port_list_count(&pl), 65537);
	port_list_free(&pl);

	CHECK(port_list_parse(&pl, "80-90", err, sizeof(err)) == 0);
	CHECK(port_list_parse(&pl, "91,93", err, sizeof(err)) == 0);
	port_list_normalize(&pl);
	CHECK_EQ_U64(pl.count, 2);
	CHECK(pl.ranges[0].first == 80 && pl.ranges[0].last == 91);
	port_list_free(&pl);

	CHECK(port_list_parse(&pl, "U:0-65535,T:0-65535", err, sizeof(err)) ==
	      0);
	CHECK_EQ_U64(port_list_count(&pl), 131072);
	port_list_free(&pl);
}

static void
test_ports_bad(void)
{
	static const struct {
		const char *spec;
		const char *named; /* what the message must quote */
	} cases[] = {
	    {"70000", "70000"},
	    {"80-22", "80-22"},
	    {"abc", "abc"},
	    {"22,abc", "abc"},
	    {"22,,80", "22,,80"},
	    {"22,", "22,"},
	    {",22", ",22"},
	    {"22 ,  , 80", "22 ,  , 80"},
	    {"T:", "T:"},
	    {"X:80", "X:80"},
	    {"80-", "80-"},
	    {"-80", "-80"},
	    {"65536", "65536"},
	    {"1-65536", "1-65536"},
	    {"80 90", "80 90"},
	    {"T:U:80", "T:U:80"},
	    {"99999999999999999999", "99999999999999999999"},
	    {"22;80", "22;80"},
	    {"0x50", "0x50"},
	    {"+80", "+80"},
	    {"80-90-100", "80-90-100"},
	    {"22,U:", "U:"},
	};
	struct port_list pl = {0};
	char err[256];

	port_list_parse(&pl, "443", err, sizeof(err));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(port_list_parse(&pl, cases[i].spec, err, sizeof(err)) ==
		      -1);
		CHECK(starts_with(err, "bad port"));
		CHECK(names(err, cases[i].named));
		CHECK_EQ_U64(pl.count, 1);
	}
	CHECK(port_list_parse(&pl, "", err, sizeof(err)) == -1);
	CHECK_STR(err, "empty port list");
	CHECK(port_list_parse(&pl, " \t", err, sizeof(err)) == -1);
	CHECK_STR(err, "empty port list");
	CHECK(port_list_parse(&pl, NULL, err, sizeof(err)) == -1);
	CHECK_STR(err, "empty port list");
	port_list_parse(&pl, "22,70000", err, sizeof(err));
	CHECK_STR(err, "bad port '70000': port above 65535");
	port_list_parse(&pl, "80-22", err, sizeof(err));
	CHECK_STR(err, "bad port '80-22': range end before start");
	CHECK_EQ_U64(pl.count, 1);
	port_list_free(&pl);
}

/* ---- normalize and subtract at the edges -------------------------------- */

static void
test_normalize_edges(void)
{
	struct range_list a = {0}, x = {0};

	range_list_add(&a, (struct ip_range){0xffffffff, 0xffffffff});
	range_list_add(&a, (struct ip_range){0, 0});
	range_list_add(&a, (struct ip_range){0xfffffffe, 0xffffffff});
	range_list_add(&a, (struct ip_range){1, 5});
	range_list_add(&a, (struct ip_range){7, 7});
	CHECK(range_list_add(&a, (struct ip_range){9, 8}) == -1);
	range_list_normalize(&a);
	CHECK_EQ_U64(a.count, 3);
	CHECK(a.ranges[0].first == 0 && a.ranges[0].last == 5);
	CHECK(a.ranges[1].first == 7 && a.ranges[1].last == 7);
	CHECK(a.ranges[2].first == 0xfffffffe &&
	      a.ranges[2].last == 0xffffffff);
	range_list_free(&a);

	/* /0 minus a /32 */
	range_list_add(&a, (struct ip_range){0, 0xffffffff});
	range_list_add(&x, (struct ip_range){IP(1, 2, 3, 4), IP(1, 2, 3, 4)});
	CHECK(range_list_subtract(&a, &x) == 0);
	CHECK_EQ_U64(a.count, 2);
	CHECK(a.ranges[0].first == 0 && a.ranges[0].last == IP(1, 2, 3, 3));
	CHECK(a.ranges[1].first == IP(1, 2, 3, 5) &&
	      a.ranges[1].last == 0xffffffff);
	CHECK_EQ_U64(range_list_addresses(&a), 0xffffffffull);
	range_list_free(&x);

	/* the very ends of the space */
	range_list_add(&x, (struct ip_range){0, 0});
	range_list_add(&x, (struct ip_range){0xffffffff, 0xffffffff});
	CHECK(range_list_subtract(&a, &x) == 0);
	CHECK_EQ_U64(a.count, 2);
	CHECK(a.ranges[0].first == 1 && a.ranges[1].last == 0xfffffffe);
	CHECK_EQ_U64(range_list_addresses(&a), 0xffffffffull - 2);
	range_list_free(&x);

	/* one exclude spanning several ranges, and everything */
	range_list_add(&x, (struct ip_range){IP(1, 0, 0, 0), IP(2, 0, 0, 0)});
	CHECK(range_list_subtract(&a, &x) == 0);
	CHECK_EQ_U64(a.count, 2);
	CHECK(a.ranges[0].last == IP(0, 255, 255, 255));
	CHECK(a.ranges[1].first == IP(2, 0, 0, 1));
	range_list_add(&x, (struct ip_range){0, 0xffffffff});
	CHECK(range_list_subtract(&a, &x) == 0);
	CHECK_EQ_U64(a.count, 0);
	CHECK_EQ_U64(range_list_addresses(&a), 0);
	range_list_free(&a);
	range_list_free(&x);
}

/* ---- random small inputs against a bitmap ------------------------------- */

#define WIN_BASE IP(10, 0, 0, 0) /* a /20 window */
#define WIN_SIZE 4096u
#define PORT_SPAN 8u /* ports 0..7 of each protocol */

/* A random target token inside the window (or, for excludes, sometimes
 * overlapping its edges); marks its addresses in bits if in the window. */
static void
random_target(char *tok, size_t len, uint8_t *bits, int may_leave)
{
	uint32_t a = WIN_BASE + rand_below(WIN_SIZE);
	uint32_t first, last;

	switch (rand_below(may_leave ? 4 : 3)) {
	case 0:
		first = last = a;
		snprintf(tok, len, "%u.%u.%u.%u", a >> 24, a >> 16 & 255,
			 a >> 8 & 255, a & 255);
		break;
	case 1: {
		unsigned prefix = 20 + rand_below(13);
		uint32_t host = (uint32_t)(0xffffffffull >> prefix);

		first = a & ~host;
		last = first | host;
		/* host bits left set on purpose: they are ignored */
		snprintf(tok, len, "%u.%u.%u.%u/%u", a >> 24, a >> 16 & 255,
			 a >> 8 & 255, a & 255, prefix);
		break;
	}
	case 2: {
		uint32_t b = a + rand_below(WIN_BASE + WIN_SIZE - a);

		first = a;
		last = b;
		snprintf(tok, len, "%u.%u.%u.%u-%u.%u.%u.%u", first >> 24,
			 first >> 16 & 255, first >> 8 & 255, first & 255,
			 last >> 24, last >> 16 & 255, last >> 8 & 255,
			 last & 255);
		break;
	}
	default:
		/* straddles an edge of the window */
		if (rand_below(2)) {
			first = WIN_BASE - 1 - rand_below(100);
			last = WIN_BASE + rand_below(100);
		} else {
			first = WIN_BASE + WIN_SIZE - 1 - rand_below(100);
			last = WIN_BASE + WIN_SIZE + rand_below(100);
		}
		snprintf(tok, len, "%u.%u.%u.%u-%u.%u.%u.%u", first >> 24,
			 first >> 16 & 255, first >> 8 & 255, first & 255,
			 last >> 24, last >> 16 & 255, last >> 8 & 255,
			 last & 255);
		break;
	}
	for (uint64_t ip = first; ip <= last; ip++)
		if (ip >= WIN_BASE && ip < WIN_BASE + WIN_SIZE)
			bits[ip - WIN_BASE] = 1;
}

/* Is the list sorted, disjoint, non-adjacent, and exactly the bitmap? */
static int
list_matches(const struct range_list *list, const uint8_t *bits)
{
	uint8_t seen[WIN_SIZE] = {0};

	for (size_t i = 0; i < list->count; i++) {
		struct ip_range r = list->ranges[i];

		if (r.first > r.last || r.first < WIN_BASE ||
		    r.last >= WIN_BASE + WIN_SIZE)
			return 0;
		if (i > 0 && (uint64_t)list->ranges[i - 1].last + 1 >= r.first)
			return 0;
		for (uint32_t ip = r.first; ip <= r.last; ip++)
			seen[ip - WIN_BASE] = 1;
	}
	return memcmp(seen, bits, WIN_SIZE) == 0;
}

static void
random_ports(char *spec, size_t len, uint8_t *bits /* [2][PORT_SPAN] */)
{
	unsigned items = 1 + rand_below(4);
	int udp = 0;
	size_t n = 0;

	spec[0] = '\0';
	for (unsigned i = 0; i < items; i++) {
		uint32_t a = rand_below(PORT_SPAN);
		uint32_t b = a + rand_below(PORT_SPAN - a);
		const char *prefix = "";

		if (rand_below(3) == 0) {
			udp = (int)rand_below(2);
			prefix = udp ? "U:" : "T:";
		}
		if (a == b)
			n += (size_t)snprintf(spec + n, len - n, "%s%s%u",
					      i ? "," : "", prefix, a);
		else
			n += (size_t)snprintf(spec + n, len - n, "%s%s%u-%u",
					      i ? "," : "", prefix, a, b);
		for (uint32_t p = a; p <= b; p++)
			bits[udp * PORT_SPAN + p] = 1;
	}
}

static void
test_random_against_bitmap(void)
{
	static uint8_t pair_seen[WIN_SIZE * 2 * PORT_SPAN];
	unsigned list_bad = 0, space_bad = 0, contains_bad = 0;
	unsigned built = 0, emptied = 0;

	for (int trial = 0; trial < 5000; trial++) {
		uint8_t inc[WIN_SIZE] = {0}, exc[WIN_SIZE] = {0};
		uint8_t want[WIN_SIZE], port_bits[2 * PORT_SPAN] = {0};
		uint32_t addrs[WIN_SIZE], ports[2 * PORT_SPAN];
		struct range_list in = {0}, ex = {0}, diff = {0};
		struct port_list pl = {0};
		struct target_space space;
		char tok[64], spec[128], err[256];
		unsigned n_in = 1 + rand_below(12), n_ex = rand_below(12);
		uint32_t na = 0, np = 0;
		int rc;

		for (unsigned i = 0; i < n_in; i++) {
			random_target(tok, sizeof(tok), inc, 0);
			if (range_list_add_token(&in, tok, NULL, err,
						 sizeof(err)))
				list_bad++;
		}
		for (unsigned i = 0; i < n_ex; i++) {
			random_target(tok, sizeof(tok), exc, 1);
			if (range_list_add_token(&ex, tok, NULL, err,
						 sizeof(err)))
				list_bad++;
		}
		random_ports(spec, sizeof(spec), port_bits);
		if (port_list_parse(&pl, spec, err, sizeof(err)))
			list_bad++;

		for (uint32_t i = 0; i < WIN_SIZE; i++) {
			want[i] = inc[i] && !exc[i];
			if (want[i])
				addrs[na++] = WIN_BASE + i;
		}
		for (uint32_t i = 0; i < 2 * PORT_SPAN; i++)
			if (port_bits[i])
				ports[np++] =
				    i < PORT_SPAN ? TCP(i) : UDP(i - PORT_SPAN);

		/* merge and subtract, directly */
		for (size_t i = 0; i < in.count; i++)
			range_list_add(&diff, in.ranges[i]);
		range_list_normalize(&in);
		if (!list_matches(&in, inc))
			list_bad++;
		if (range_list_subtract(&diff, &ex) ||
		    !list_matches(&diff, want))
			list_bad++;
		if (range_list_addresses(&diff) != na)
			list_bad++;

		/* the port list merges per protocol */
		port_list_normalize(&pl);
		if (port_list_count(&pl) != np)
			list_bad++;
		for (size_t i = 1; i < pl.count; i++)
			if (pl.ranges[i - 1].proto == pl.ranges[i].proto &&
			    pl.ranges[i - 1].last + 1u >= pl.ranges[i].first)
				list_bad++;

		/* the space: index -> pair is exactly the documented order,
		 * hence a bijection onto the brute-force set */
		rc =
		    target_space_build(&space, &in, &ex, &pl, err, sizeof(err));
		if (na == 0) {
			emptied++;
			if (rc != -1 ||
			    strcmp(err, "no targets left after excludes"))
				space_bad++;
			goto next;
		}
		built++;
		if (rc || space.address_count != na || space.port_count != np ||
		    space.pair_count != (uint64_t)na * np) {
			space_bad++;
			goto next;
		}
		memset(pair_seen, 0, sizeof(pair_seen));
		for (uint64_t idx = 0; idx < space.pair_count; idx++) {
			uint32_t ip, pp, slot;

			target_space_pair(&space, idx, &ip, &pp);
			if (ip != addrs[idx / np] || pp != ports[idx % np]) {
				space_bad++;
				continue;
			}
			slot = (ip - WIN_BASE) * 2 * PORT_SPAN +
			       ((pp >> 16) == PROTO_UDP) * PORT_SPAN +
			       (pp & 0xffff);
			if (pair_seen[slot]++)
				space_bad++;
		}
		for (uint32_t ip = WIN_BASE - 16; ip < WIN_BASE + WIN_SIZE + 16;
		     ip++) {
			int in_set = ip >= WIN_BASE &&
				     ip < WIN_BASE + WIN_SIZE &&
				     want[ip - WIN_BASE];

			if (target_space_contains(&space, ip) != in_set)
				contains_bad++;
		}
		if (target_space_contains(&space, 0) ||
		    target_space_contains(&space, 0xffffffff))
			contains_bad++;
	next:
		target_space_free(&space);
		range_list_free(&in);
		range_list_free(&ex);
		range_list_free(&diff);
		port_list_free(&pl);
	}
	CHECK_EQ_U64(list_bad, 0);
	CHECK_EQ_U64(space_bad, 0);
	CHECK_EQ_U64(contains_bad, 0);
	/* both outcomes were exercised */
	CHECK(built > 2500);
	CHECK(emptied > 0);
}

/* ---- whole-space edges and the division --------------------------------- */

static int
build_from(struct target_space *space, const char *targets,
	   const char *excludes, const char *ports, char *err, size_t errlen)
{
	struct range_list in = {0}, ex = {0};
	struct port_list pl = {0};
	int rc = -1;

	if (range_list_add_tokens(&in, targets, NULL, err, errlen) ||
	    range_list_add_tokens(&ex, excludes, NULL, err, errlen) ||
	    port_list_parse(&pl, ports, err, errlen))
		goto out;
	rc = target_space_build(space, &in, &ex, &pl, err, errlen);
out:
	range_list_free(&in);
	range_list_free(&ex);
	port_list_free(&pl);
	return rc;
}

static void
test_full_space(void)
{
	struct target_space s;
	uint32_t ip, pp;
	char err[256];

	CHECK(build_from(&s, "0.0.0.0/0", "", "0-65535", err, sizeof(err)) ==
	      0);
	CHECK_EQ_U64(s.address_count, 1ull << 32);
	CHECK_EQ_U64(s.port_count, 65536);
	CHECK_EQ_U64(s.pair_count, 1ull << 48);
	target_space_pair(&s, (1ull << 48) - 1, &ip, &pp);
	CHECK_EQ_U64(ip, 0xffffffff);
	CHECK_EQ_U64(pp, TCP(65535));
	target_space_pair(&s, 0, &ip, &pp);
	CHECK_EQ_U64(ip, 0);
	CHECK_EQ_U64(pp, TCP(0));
	target_space_pair(&s, 65536, &ip, &pp);
	CHECK_EQ_U64(ip, 1);
	CHECK_EQ_U64(pp, TCP(0));
	target_space_pair(&s, (1ull << 48) - 65536, &ip, &pp);
	CHECK_EQ_U64(ip, 0xffffffff);
	CHECK_EQ_U64(pp, TCP(0));
	target_space_pair(&s, (1ull << 48) - 65537, &ip, &pp);
	CHECK_EQ_U64(ip, 0xfffffffe);
	CHECK_EQ_U64(pp, TCP(65535));
	CHECK(target_space_contains(&s, 0) &&
	      target_space_contains(&s, 0xffffffff));
	target_space_free(&s);

	/* every TCP and UDP port: 2^49 pairs, UDP after TCP */
	CHECK(build_from(&s, "0.0.0.0/0", "", "U:0-65535,T:0-65535", err,
			 sizeof(err)) == 0);
	CHECK_EQ_U64(s.pair_count, 1ull << 49);
	target_space_pair(&s, (1ull << 49) - 1, &ip, &pp);
	CHECK_EQ_U64(ip, 0xffffffff);
	CHECK_EQ_U64(pp, UDP(65535));
	target_space_pair(&s, 65536, &ip, &pp);
	CHECK_EQ_U64(ip, 0);
	CHECK_EQ_U64(pp, UDP(0));
	target_space_pair(&s, 131072 + 65535, &ip, &pp);
	CHECK_EQ_U64(ip, 1);
	CHECK_EQ_U64(pp, TCP(65535));
	target_space_free(&s);

	/* /0 minus a /32: the hole is skipped, not mapped */
	CHECK(build_from(&s, "0.0.0.0/0", "1.2.3.4", "80", err, sizeof(err)) ==
	      0);
	CHECK_EQ_U64(s.range_count, 2);
	CHECK_EQ_U64(s.pair_count, 0xffffffffull);
	CHECK(!target_space_contains(&s, IP(1, 2, 3, 4)));
	CHECK(target_space_contains(&s, IP(1, 2, 3, 3)));
	CHECK(target_space_contains(&s, IP(1, 2, 3, 5)));
	target_space_pair(&s, IP(1, 2, 3, 3), &ip, &pp);
	CHECK_EQ_U64(ip, IP(1, 2, 3, 3));
	CHECK_EQ_U64(pp, TCP(80));
	target_space_pair(&s, IP(1, 2, 3, 4), &ip, &pp);
	CHECK_EQ_U64(ip, IP(1, 2, 3, 5));
	target_space_pair(&s, 0xfffffffe, &ip, &pp);
	CHECK_EQ_U64(ip, 0xffffffff);
	target_space_free(&s);

	/* ports come out sorted, TCP first */
	CHECK(build_from(&s, "10.0.0.1", "", "U:53,T:80,22", err,
			 sizeof(err)) == 0);
	CHECK_EQ_U64(s.port_count, 3);
	CHECK_EQ_U64(s.ports[0], TCP(22));
	CHECK_EQ_U64(s.ports[1], TCP(80));
	CHECK_EQ_U64(s.ports[2], UDP(53));
	target_space_free(&s);
}

static void
test_build_errors(void)
{
	struct range_list in = {0}, ex = {0};
	struct port_list pl = {0};
	struct target_space s;
	char err[256];

	port_list_parse(&pl, "80", err, sizeof(err));
	CHECK(target_space_build(&s, &in, NULL, &pl, err, sizeof(err)) == -1);
	CHECK_STR(err, "no targets given");
	target_space_free(&s);

	range_list_add_token(&in, "10.0.0.0/24", NULL, err, sizeof(err));
	range_list_add_token(&ex, "10.0.0.0/25", NULL, err, sizeof(err));
	range_list_add_token(&ex, "10.0.0.128-10.0.0.255", NULL, err,
			     sizeof(err));
	CHECK(target_space_build(&s, &in, &ex, &pl, err, sizeof(err)) == -1);
	CHECK_STR(err, "no targets left after excludes");
	target_space_free(&s);
	/* includes are normalized, not consumed */
	CHECK_EQ_U64(range_list_addresses(&in), 256);

	CHECK(target_space_build(&s, &in, NULL, NULL, err, sizeof(err)) == -1);
	CHECK_STR(err, "no ports given");
	port_list_free(&pl);
	CHECK(target_space_build(&s, &in, NULL, &pl, err, sizeof(err)) == -1);
	CHECK_STR(err, "no ports given");
	target_space_free(&s);

	CHECK(build_from(&s, "10.0.0.0/8", "0.0.0.0/0", "80", err,
			 sizeof(err)) == -1);
	CHECK_STR(err, "no targets left after excludes");
	range_list_free(&in);
	range_list_free(&ex);
}

/* Expected proto_port for port index i of the space built by
 * divisor_space(): TCP 0.. first, then UDP 0.. */
static uint32_t
divisor_port(uint64_t i)
{
	return i < 65536 ? TCP((uint32_t)i) : UDP((uint32_t)(i - 65536));
}

/* /0 times count ports, so the address index is the ip itself and the pair
 * of index n must be (n / count, port n % count). */
static unsigned
check_division(uint32_t count)
{
	struct range_list in = {0};
	struct port_list pl = {0};
	struct target_space s;
	uint32_t tcp = count > 65536 ? 65536 : count, udp = count - tcp;
	uint64_t n, probes[64];
	unsigned bad = 0, np = 0;
	char err[256];

	range_list_add(&in, (struct ip_range){0, 0xffffffff});
	port_list_add(&pl,
		      (struct port_range){0, (uint16_t)(tcp - 1), PROTO_TCP});
	if (udp)
		port_list_add(&pl, (struct port_range){0, (uint16_t)(udp - 1),
						       PROTO_UDP});
	if (target_space_build(&s, &in, NULL, &pl, err, sizeof(err)))
		return 1;
	n = s.pair_count;
	if (n != (uint64_t)count << 32)
		bad++;

	/* edges: both ends, and around multiples of the divisor low and high
	 * in the space */
	probes[np++] = 0;
	probes[np++] = 1;
	probes[np++] = n - 1;
	probes[np++] = n - 2;
	probes[np++] = n - count;
	probes[np++] = n - count - 1;
	for (int i = 0; i < 8; i++) {
		uint64_t k[3] = {1 + rand64() % 1000,
				 (1ull << 32) - 1 - rand64() % 1000,
				 rand64() % (1ull << 32)};

		for (int j = 0; j < 3; j++) {
			probes[np++] = k[j] * count - 1;
			probes[np++] = k[j] * count % n;
		}
	}
	for (unsigned i = 0; i < np + 20000; i++) {
		uint64_t idx = i < np ? probes[i] : rand64() % n;
		uint32_t ip, pp;

		if (idx >= n)
			continue;
		target_space_pair(&s, idx, &ip, &pp);
		if (ip != idx / count || pp != divisor_port(idx % count))
			bad++;
	}
	target_space_free(&s);
	range_list_free(&in);
	port_list_free(&pl);
	return bad;
}

static void
test_division(void)
{
	static const uint32_t counts[] = {
	    1,	   2,	  3,	 5,	 7,	 10,	 13,
	    100,   641,	  1000,	 4095,	 4096,	 4097,	 65535,
	    65536, 65537, 99991, 100000, 131071, 131072,
	};
	unsigned bad = 0;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		bad += check_division(counts[i]);
	for (int i = 0; i < 30; i++)
		bad += check_division(1 + rand_below(131072));
	CHECK_EQ_U64(bad, 0);
}

/* ---- many ranges: the lookup table and the search ----------------------- */

/* Reference: the range holding address index a, by plain binary search. */
static size_t
ref_range(const uint64_t *start, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi + 1) / 2;

		if (start[mid] <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static unsigned
check_many_ranges(const struct ip_range *ranges, size_t n, const char *ports)
{
	struct range_list in = {0};
	struct port_list pl = {0};
	struct target_space s;
	uint64_t *start = malloc(n * sizeof(*start)), total = 0;
	unsigned bad = 0;
	char err[256];

	/* shuffled in, so build has to sort */
	for (size_t i = 0; i < n; i++)
		range_list_add(&in, ranges[(i * 7919) % n]);
	for (size_t i = 0; i < n; i++) {
		start[i] = total;
		total += (uint64_t)ranges[i].last - ranges[i].first + 1;
	}
	port_list_parse(&pl, ports, err, sizeof(err));
	if (target_space_build(&s, &in, NULL, &pl, err, sizeof(err)) ||
	    s.range_count != n || s.address_count != total) {
		bad++;
		goto out;
	}

	for (size_t i = 0; i < n; i++) {
		uint32_t ip, pp;
		uint64_t pc = s.port_count;

		/* the first and last address of every range */
		target_space_pair(&s, start[i] * pc + rand64() % pc, &ip, &pp);
		bad += ip != ranges[i].first;
		target_space_pair(
		    &s,
		    (start[i] + ranges[i].last - ranges[i].first) * pc + pc - 1,
		    &ip, &pp);
		bad += ip != ranges[i].last || pp != s.ports[pc - 1];
		/* contains: the ends in, the gaps out */
		bad += !target_space_contains(&s, ranges[i].first);
		bad += !target_space_contains(&s, ranges[i].last);
		if (ranges[i].first > 0)
			bad += target_space_contains(&s, ranges[i].first - 1);
		if (ranges[i].last < 0xffffffff)
			bad += target_space_contains(&s, ranges[i].last + 1);
	}
	for (int i = 0; i < 200000; i++) {
		uint64_t idx = rand64() % s.pair_count, a = idx / s.port_count;
		size_t r = ref_range(start, n, a);
		uint32_t ip, pp;

		target_space_pair(&s, idx, &ip, &pp);
		bad += ip != ranges[r].first + (uint32_t)(a - start[r]);
		bad += pp != s.ports[idx % s.port_count];
	}
out:
	free(start);
	target_space_free(&s);
	range_list_free(&in);
	port_list_free(&pl);
	return bad;
}

static int
compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static void
test_many_ranges(void)
{
	enum { N = 12000 };
	struct ip_range *ranges = malloc((N + 2) * sizeof(*ranges));
	uint32_t *v = malloc(4 * N * sizeof(*v));
	size_t n = 0;
	uint32_t prev = 0;
	int have_prev = 0;

	/* random disjoint, non-adjacent ranges spread over the space */
	for (size_t i = 0; i < 4 * N; i++)
		v[i] = (uint32_t)rand64();
	qsort(v, 4 * N, sizeof(*v), compare_u32);
	for (size_t i = 0; i + 1 < 4 * N && n < N; i += 2) {
		if (have_prev && v[i] <= (uint64_t)prev + 1)
			continue;
		if (v[i + 1] < v[i])
			continue;
		/* mostly short ranges, some single addresses */
		ranges[n].first = v[i];
		ranges[n].last = rand_below(4) ? v[i] + rand_below(64) : v[i];
		if (ranges[n].last >= v[i + 1] || ranges[n].last < v[i])
			ranges[n].last = v[i];
		prev = ranges[n].last;
		have_prev = 1;
		n++;
	}
	CHECK(n > 10000);
	CHECK_EQ_U64(check_many_ranges(ranges, n, "1-1000"), 0);
	CHECK_EQ_U64(check_many_ranges(ranges, n, "443"), 0);

	/* skewed: 12,000 single addresses packed low, then two huge ranges,
	 * so one lookup bucket covers thousands of ranges */
	n = 0;
	for (uint32_t i = 0; i < 20000 && n < N; i++) {
		ranges[n].first = ranges[n].last = IP(10, 0, 0, 0) + 2 * i;
		n++;
	}
	ranges[n++] = (struct ip_range){IP(11, 0, 0, 0), IP(11, 255, 255, 255)};
	ranges[n++] = (struct ip_range){IP(128, 0, 0, 0), 0xffffffff};
	CHECK_EQ_U64(check_many_ranges(ranges, n, "80,443,U:53"), 0);
	free(ranges);
	free(v);
}

int
main(void)
{
	test_parse_good();
	test_parse_bad();
	test_token_lists();
	test_files();
	test_ports_good();
	test_ports_bad();
	test_normalize_edges();
	test_random_against_bitmap();
	test_full_space();
	test_build_errors();
	test_division();
	test_many_ranges();
	return check_report("test_targets");
}
