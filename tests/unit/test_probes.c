/* test_probes: the banner probe registry — the shipped config/probes.yaml
 * loads and answers per port, templates render exactly and never past the
 * buffer, and every bad registry is an error at FILE:LINE:COL naming the key.
 */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "probes.h"

#define CHECK_HAS(s, sub)                                                      \
	do {                                                                   \
		const char *check_s_ = (s), *check_sub_ = (sub);               \
		check_count++;                                                 \
		if (!check_s_ || !strstr(check_s_, check_sub_)) {              \
			check_failures++;                                      \
			fprintf(stderr, "%s:%d: \"%s\" lacks \"%s\"\n",        \
				__FILE__, __LINE__,                            \
				check_s_ ? check_s_ : "(null)", check_sub_);   \
		}                                                              \
	} while (0)

#define IP(a, b, c, d)                                                         \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#define HTTP_GET(host, ua)                                                     \
	"GET / HTTP/1.1\r\nHost: " host "\r\nUser-Agent: " ua                  \
	"\r\nAccept: */*\r\nConnection: close\r\n\r\n"

static char err[PROBES_ERR_LEN];

static int
load(struct probe_registry *reg, const char *yaml)
{
	err[0] = 0;
	return probes_load_string(reg, yaml, "t.yaml", err, sizeof(err));
}

/* The rendering as a string (payloads of these tests hold no NUL). */
static const char *
render(const struct probe_entry *e, uint32_t ip, const char *ua)
{
	static char buf[PROBE_PAYLOAD_MAX + 1];
	size_t n =
	    probe_payload_render(e, ip, ua, (uint8_t *)buf, PROBE_PAYLOAD_MAX);

	CHECK(n <= PROBE_PAYLOAD_MAX);
	buf[n < PROBE_PAYLOAD_MAX ? n : PROBE_PAYLOAD_MAX] = 0;
	return buf;
}

/* The value of one header line of an HTTP request, or NULL. */
static char *
header(const char *request, const char *name)
{
	static char value[256];
	const char *p = request;
	size_t nlen = strlen(name);

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncmp(p, name, nlen) && p[nlen] == ':') {
			const char *v =
			    p + nlen + 1 + strspn(p + nlen + 1, " ");
			size_t n = strcspn(v, "\r");

			if (n >= sizeof(value))
				return NULL;
			memcpy(value, v, n);
			value[n] = 0;
			return value;
		}
	}
	return NULL;
}

static void
test_shipped(void)
{
	struct probe_registry reg;
	const struct probe_entry *e;
	static const uint16_t web[] = {80, 8000, 8008, 8080, 8081, 8888};
	static const struct {
		uint16_t port;
		const char *name;
		uint32_t wait_ms;
	} server_first[] = {
	    {21, "ftp", 3000},	 {22, "ssh", 3000},	{23, "telnet", 3000},
	    {25, "smtp", 5000},	 {587, "smtp", 5000},	{110, "pop3", 3000},
	    {143, "imap", 3000}, {3306, "mysql", 3000}, {5900, "vnc", 3000},
	};
	unsigned counts[PROBE_ENTRIES_MAX + 1] = {0}, bad = 0;

	err[0] = 0;
	CHECK(probes_load_file(&reg, "config/probes.yaml", err, sizeof(err)) ==
	      0);
	CHECK_STR(err, "");
	if (!reg.entries)
		return;
	CHECK_STR(reg.user_agent, "tidescan/0.1");
	CHECK_EQ_U64(reg.wait_ms, 3000);

	/* 80: the HTTP GET, Host the target's address. */
	e = probes_for_port(&reg, 80);
	CHECK_STR(e->name, "http");
	CHECK_EQ_U64(e->client_first, 1);
	CHECK_EQ_U64(e->wait_ms, 0);
	CHECK_STR(render(e, IP(198, 18, 0, 10), reg.user_agent),
		  HTTP_GET("198.18.0.10", "tidescan/0.1"));
	CHECK_STR(
	    header(render(e, IP(203, 0, 113, 254), reg.user_agent), "Host"),
	    "203.0.113.254");
	CHECK_STR(header(render(e, IP(1, 2, 3, 4), "curl/8.5.0"), "User-Agent"),
		  "curl/8.5.0");
	CHECK_EQ_U64(e->payload_max,
		     strlen(HTTP_GET("255.255.255.255", "tidescan/0.1")));
	for (size_t i = 0; i < sizeof(web) / sizeof(web[0]); i++)
		CHECK(probes_for_port(&reg, web[i]) == e);

	/* TLS ports: the same request under its own name. */
	e = probes_for_port(&reg, 443);
	CHECK_STR(e->name, "https-plain");
	CHECK(probes_for_port(&reg, 8443) == e);
	CHECK_STR(render(e, IP(10, 0, 0, 1), reg.user_agent),
		  HTTP_GET("10.0.0.1", "tidescan/0.1"));

	/* Server-first: wait, send nothing. */
	for (size_t i = 0; i < sizeof(server_first) / sizeof(server_first[0]);
	     i++) {
		uint8_t canary = 0xa5;

		e = probes_for_port(&reg, server_first[i].port);
		CHECK_STR(e->name, server_first[i].name);
		CHECK_EQ_U64(e->client_first, 0);
		CHECK_EQ_U64(e->wait_ms, server_first[i].wait_ms);
		/* one-line greetings only: FTP's and SMTP's continue */
		CHECK_EQ_U64(e->complete_line, server_first[i].port == 22);
		CHECK_EQ_U64(e->piece_count, 0);
		CHECK_EQ_U64(e->payload_max, 0);
		CHECK_EQ_U64(probe_payload_render(e, IP(1, 2, 3, 4),
						  reg.user_agent, &canary, 1),
			     0);
		CHECK_EQ_U64(canary, 0xa5);
	}

	e = probes_for_port(&reg, 6379);
	CHECK_STR(e->name, "redis");
	CHECK_EQ_U64(e->client_first, 1);
	CHECK_STR(render(e, 0, reg.user_agent), "INFO server\r\n");
	CHECK_STR(render(probes_for_port(&reg, 11211), 0, NULL), "version\r\n");

	/* Unlisted ports: the fallback, "\r\n\r\n" after the wait. */
	e = probes_for_port(&reg, 65000);
	CHECK(e == &reg.entries[0]);
	CHECK_STR(e->name, "generic");
	CHECK_EQ_U64(e->client_first, 0);
	CHECK_EQ_U64(e->wait_ms, 3000);
	CHECK_STR(render(e, IP(8, 8, 8, 8), reg.user_agent), "\r\n\r\n");
	CHECK(probes_for_port(&reg, 0) == e);
	CHECK(probes_for_port(&reg, 65535) == e);
	CHECK(probes_for_port(&reg, 81) == e);
	CHECK(probes_for_port(&reg, 2222) == e);

	/* Every port maps to a real entry; count how many each has. */
	for (uint32_t port = 0; port < 65536; port++) {
		unsigned num = reg.index[port];

		if (num < reg.entry_count)
			counts[num]++;
		else
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK_EQ_U64(reg.entry_count, 13);
	CHECK_EQ_U64(counts[0], 65536 - 6 - 2 - 9 - 2);
	for (unsigned i = 1; i < reg.entry_count; i++)
		CHECK(counts[i] >= 1);
	probes_free(&reg);
	CHECK(reg.entries == NULL && reg.index == NULL);
	probes_free(&reg);
}

/* The accepted forms of ports, payload, client_first, wait_ms and
 * complete. */
static void
test_forms(void)
{
	struct probe_registry reg;
	const struct probe_entry *e;
	uint8_t buf[64];

	CHECK(load(&reg, "fallback: {name: fb}\n") == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(reg.entry_count, 1);
	CHECK_STR(reg.user_agent, PROBE_USER_AGENT_DEFAULT);
	CHECK_EQ_U64(reg.wait_ms, PROBE_WAIT_MS_DEFAULT);
	e = probes_for_port(&reg, 80);
	CHECK_STR(e->name, "fb");
	CHECK_EQ_U64(e->client_first, 0);
	CHECK_EQ_U64(e->wait_ms, PROBE_WAIT_MS_DEFAULT);
	CHECK_EQ_U64(e->piece_count, 0);
	probes_free(&reg);

	CHECK(load(&reg, "# order of keys does not matter\n"
			 "probes:\n"
			 "  - {name: a, ports: 22, complete: line}\n"
			 "  - {name: b, ports: \"8000-8010\", wait_ms: 0,\n"
			 "     complete: idle}\n"
			 "  - {name: c, ports: [80, \"90-91\", '100, 102'],\n"
			 "     client_first: yes, payload: 'x'}\n"
			 "  - name: d\n"
			 "    ports: 65535\n"
			 "    payload: \"\\0{{{host}}\\x7f\"\n"
			 "    client_first: off\n"
			 "    wait_ms: 60000\n"
			 "fallback:\n"
			 "  name: f.b_2-x\n"
			 "  payload: ~\n"
			 "wait_ms: 250\n"
			 "user_agent: ua/1 (test)\n") == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(reg.entry_count, 5);
	CHECK_EQ_U64(reg.wait_ms, 250);
	CHECK_STR(reg.user_agent, "ua/1 (test)");
	CHECK_STR(probes_for_port(&reg, 22)->name, "a");
	CHECK_EQ_U64(probes_for_port(&reg, 22)->wait_ms, 250);
	CHECK_EQ_U64(probes_for_port(&reg, 22)->complete_line, 1);
	CHECK_EQ_U64(probes_for_port(&reg, 8000)->complete_line, 0);
	CHECK_EQ_U64(probes_for_port(&reg, 80)->complete_line, 0);
	CHECK_STR(probes_for_port(&reg, 7999)->name, "f.b_2-x");
	CHECK_EQ_U64(probes_for_port(&reg, 7999)->wait_ms, 250);
	for (uint32_t p = 8000; p <= 8010; p++)
		CHECK_STR(probes_for_port(&reg, p)->name, "b");
	CHECK_EQ_U64(probes_for_port(&reg, 8000)->wait_ms, 0);
	CHECK_STR(probes_for_port(&reg, 8011)->name, "f.b_2-x");
	CHECK_STR(probes_for_port(&reg, 80)->name, "c");
	CHECK_STR(probes_for_port(&reg, 90)->name, "c");
	CHECK_STR(probes_for_port(&reg, 91)->name, "c");
	CHECK_STR(probes_for_port(&reg, 100)->name, "c");
	CHECK_STR(probes_for_port(&reg, 101)->name, "f.b_2-x");
	CHECK_STR(probes_for_port(&reg, 102)->name, "c");
	CHECK_EQ_U64(probes_for_port(&reg, 80)->client_first, 1);
	CHECK_EQ_U64(probes_for_port(&reg, 80)->wait_ms, 0);
	/* NUL, "{{" and a placeholder between literals, "}" literal, \x7f. */
	e = probes_for_port(&reg, 65535);
	CHECK_STR(e->name, "d");
	CHECK_EQ_U64(e->client_first, 0);
	CHECK_EQ_U64(e->wait_ms, 60000);
	CHECK_EQ_U64(e->piece_count, 3);
	CHECK_EQ_U64(
	    probe_payload_render(e, IP(10, 1, 22, 255), NULL, buf, sizeof(buf)),
	    15);
	CHECK(!memcmp(buf, "\0{10.1.22.255}\x7f", 15));
	CHECK_EQ_U64(e->payload_max, 2 + 15 + 2);
	probes_free(&reg);

	/* Placeholders at both ends and side by side; a lone } is literal. */
	CHECK(load(&reg, "user_agent: UA\n"
			 "fallback:\n"
			 "  name: f\n"
			 "  payload: '{host}{user_agent}}{host}'\n") == 0);
	CHECK_STR(err, "");
	e = &reg.entries[0];
	CHECK_EQ_U64(e->piece_count, 4);
	CHECK_STR(render(e, IP(0, 0, 0, 0), reg.user_agent),
		  "0.0.0.0UA}0.0.0.0");
	CHECK_STR(render(e, IP(255, 255, 255, 255), "x"),
		  "255.255.255.255x}255.255.255.255");
	CHECK_STR(render(e, IP(100, 9, 10, 199), NULL),
		  "100.9.10.199}100.9.10.199");
	CHECK_STR(render(e, IP(1, 20, 0, 109), ""), "1.20.0.109}1.20.0.109");
	probes_free(&reg);

	/* Empty lists of probes, and an empty user_agent. */
	CHECK(load(&reg, "probes: []\nuser_agent: ''\nfallback: {name: f}\n") ==
	      0);
	CHECK_STR(reg.user_agent, "");
	probes_free(&reg);
	CHECK(load(&reg, "probes:\nfallback: {name: f}\n") == 0);
	probes_free(&reg);
}

/* Truncation: never a byte past cap, the prefix is right, the return value
 * is the whole length. */
static void
test_render_truncation(void)
{
	struct probe_registry reg;
	const struct probe_entry *e;
	uint8_t full[PROBE_PAYLOAD_MAX], buf[PROBE_PAYLOAD_MAX + 16];
	size_t len;

	CHECK(load(&reg, "fallback:\n"
			 "  name: f\n"
			 "  payload: 'a{host}bc{user_agent}{host}d'\n") == 0);
	e = &reg.entries[0];
	len = probe_payload_render(e, IP(192, 168, 100, 200), "agent", full,
				   sizeof(full));
	CHECK_EQ_U64(len, strlen("a192.168.100.200bcagent192.168.100.200d"));
	CHECK(!memcmp(full, "a192.168.100.200bcagent192.168.100.200d", len));
	for (size_t cap = 0; cap <= len + 2; cap++) {
		memset(buf, 0xa5, sizeof(buf));
		CHECK_EQ_U64(probe_payload_render(e, IP(192, 168, 100, 200),
						  "agent", buf, cap),
			     len);
		CHECK(!memcmp(buf, full, cap < len ? cap : len));
		for (size_t i = cap < len ? cap : len; i < sizeof(buf); i++)
			if (buf[i] != 0xa5) {
				CHECK(buf[i] == 0xa5);
				break;
			}
	}
	/* cap 0 writes nothing, even through NULL. */
	CHECK_EQ_U64(probe_payload_render(e, 0, "agent", NULL, 0),
		     1 + 7 + 2 + 5 + 7 + 1);
	/* A caller's user agent longer than the cap: truncated, not overrun. */
	{
		char ua[2048];

		memset(ua, 'u', sizeof(ua) - 1);
		ua[sizeof(ua) - 1] = 0;
		memset(buf, 0xa5, sizeof(buf));
		CHECK_EQ_U64(
		    probe_payload_render(e, 0, ua, buf, PROBE_PAYLOAD_MAX),
		    1 + 7 + 2 + 2047 + 7 + 1);
		CHECK_EQ_U64(buf[PROBE_PAYLOAD_MAX - 1], 'u');
		CHECK_EQ_U64(buf[PROBE_PAYLOAD_MAX], 0xa5);
	}
	probes_free(&reg);
}

static void
test_set_user_agent(void)
{
	struct probe_registry reg;
	char ua[PROBE_USER_AGENT_MAX + 2];

	CHECK(load(&reg,
		   "fallback:\n"
		   "  name: f\n"
		   "  payload: '{user_agent}{user_agent}{user_agent}'\n") == 0);
	CHECK(probes_set_user_agent(&reg, "Mozilla/5.0", err, sizeof(err)) ==
	      0);
	CHECK_STR(reg.user_agent, "Mozilla/5.0");
	CHECK_EQ_U64(reg.entries[0].payload_max, 33);
	CHECK_STR(render(&reg.entries[0], 0, reg.user_agent),
		  "Mozilla/5.0Mozilla/5.0Mozilla/5.0");

	CHECK(probes_set_user_agent(&reg, "a\r\nX-Injected: 1", err,
				    sizeof(err)) == -1);
	CHECK_HAS(err, "user agent: byte 0x0d at offset 1");
	memset(ua, 'u', sizeof(ua) - 1);
	ua[sizeof(ua) - 1] = 0;
	CHECK(probes_set_user_agent(&reg, ua, err, sizeof(err)) == -1);
	CHECK_HAS(err, "257 bytes, more than 256");
	CHECK_STR(reg.user_agent, "Mozilla/5.0");
	probes_free(&reg);

	/* Four {user_agent} of 256 bytes are over 1024 with anything else. */
	CHECK(load(&reg, "fallback:\n"
			 "  name: f\n"
			 "  payload: '{user_agent}{user_agent}{user_agent}"
			 "{user_agent}!'\n") == 0);
	ua[PROBE_USER_AGENT_MAX] = 0;
	CHECK(probes_set_user_agent(&reg, ua, err, sizeof(err)) == -1);
	CHECK_HAS(err, "probe 'f' would render up to 1025 bytes, more than "
		       "1024");
	CHECK_STR(reg.user_agent, PROBE_USER_AGENT_DEFAULT);
	ua[PROBE_USER_AGENT_MAX - 1] = 0;
	CHECK(probes_set_user_agent(&reg, ua, err, sizeof(err)) == 0);
	CHECK_EQ_U64(reg.entries[0].payload_max, 1021);
	probes_free(&reg);
}

/* Each bad registry: where the error points and what it says. */
static void
test_errors(void)
{
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
	    /* the document */
	    {"", "t.yaml: empty probe registry"},
	    {"probes: [\n", "t.yaml:2:1: YAML syntax error"},
	    {"- 1\n", "t.yaml:1:1: a probe registry is a mapping"},
	    {"fallback: {name: f}\n---\nfallback: {name: g}\n",
	     "t.yaml:3:1: a probe registry holds one YAML document"},
	    {"probes: []\n", "t.yaml:1:1: missing key 'fallback'"},
	    {"fallback: {name: f}\nprobs: []\n",
	     "t.yaml:2:1: unknown key 'probs' (known: user_agent, wait_ms, "
	     "probes, fallback)"},
	    {"fallback: {name: f}\nfallback: {name: g}\n",
	     "t.yaml:2:1: duplicate key 'fallback' (first at line 1)"},
	    {"fallback: {name: f}\n[a]: 1\n",
	     "t.yaml:2:1: a key must be a scalar, got a list"},
	    {"fallback: {name: f}\nprobes: {name: a}\n",
	     "t.yaml:2:9: probes expects a list of entries, got a mapping"},
	    {"fallback: [f]\n",
	     "t.yaml:1:11: fallback expects a mapping (name, payload"},
	    {"fallback: {name: f}\nprobes: [80]\n",
	     "t.yaml:2:10: probes[0] expects a mapping (name, ports, payload"},
	    /* top-level values */
	    {"fallback: {name: f}\nwait_ms: 60001\n",
	     "t.yaml:2:10: wait_ms: '60001' is not an integer in 0..60000"},
	    {"fallback: {name: f}\nwait_ms: -1\n",
	     "t.yaml:2:10: wait_ms: '-1'"},
	    {"fallback: {name: f}\nwait_ms: 3s\n", "wait_ms: '3s'"},
	    {"fallback: {name: f}\nwait_ms:\n",
	     "t.yaml:2:9: wait_ms has no value (expects an integer)"},
	    {"fallback: {name: f}\nwait_ms: [1]\n",
	     "t.yaml:2:10: wait_ms expects an integer, got a list"},
	    {"fallback: {name: f}\nuser_agent: {a: 1}\n",
	     "t.yaml:2:13: user_agent expects a string, got a mapping"},
	    {"fallback: {name: f}\nuser_agent: \"a\\r\\nb\"\n",
	     "t.yaml:2:13: user_agent: byte 0x0d at offset 1 is not printable"},
	    {"fallback: {name: f}\nuser_agent: \"caf\\xe9\"\n",
	     "t.yaml:2:13: user_agent: byte 0xc3 at offset 3"},
	    /* entry keys */
	    {"fallback: {name: f}\nprobes:\n  - name: a\n    port: 80\n",
	     "t.yaml:4:5: probes[0]: unknown key 'port' (known: name, ports, "
	     "payload, client_first, wait_ms, complete)"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: 1, complete: "
	     "lines}\n",
	     "t.yaml:3:35: probe 'a': complete: 'lines' is not line or idle"},
	    {"fallback: {name: f}\nprobes:\n  - {ports: 80}\n",
	     "t.yaml:3:5: probes[0]: missing key 'name'"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, name: b, ports: 1}\n",
	     "t.yaml:3:15: probes[0]: duplicate key 'name' (first at line 3)"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a}\n",
	     "t.yaml:3:5: probe 'a': missing key 'ports'"},
	    {"fallback: {payload: x}\n", "t.yaml:1:11: fallback: missing key "
					 "'name'"},
	    {"fallback: {name: f, ports: 80}\n",
	     "t.yaml:1:28: fallback takes no ports"},
	    /* name */
	    {"fallback: {name: [f]}\n",
	     "t.yaml:1:18: fallback: name expects a name, got a list"},
	    {"fallback: {name: }\n",
	     "t.yaml:1:18: fallback: name has no value"},
	    {"fallback: {name: 'a b'}\n",
	     "t.yaml:1:18: fallback: name: 'a b' is not a name (letters, "
	     "digits, - _ .)"},
	    {"fallback: {name: abcdefghijklmnopqrstuvwxyz0123456}\n",
	     "fallback: name: 'abcdefghijklmnopqrstuvwxyz0123456' is not a "
	     "name "
	     "of 1..32"},
	    {"fallback: {name: \"a\\0b\"}\n",
	     "t.yaml:1:18: fallback: name: value holds a NUL byte"},
	    {"fallback: {name: x}\nprobes:\n  - {name: a, ports: 1}\n"
	     "  - {name: x, ports: 2}\n",
	     "t.yaml:4:12: probes[1]: name 'x' is taken by the entry at "
	     "t.yaml:1:11"},
	    /* ports */
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: 0}\n",
	     "t.yaml:3:22: probe 'a': ports: '0' is not a port 1..65535 or a "
	     "range a-b"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: 65536}\n",
	     "probe 'a': ports: '65536' is not a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: 8o}\n",
	     "probe 'a': ports: '8o' is not a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: -80}\n",
	     "probe 'a': ports: '-80' is not a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: 90-80}\n",
	     "t.yaml:3:22: probe 'a': ports: '90-80' is a reversed port range"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: '80,,81'}\n",
	     "t.yaml:3:22: probe 'a': ports: '' is not a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: '80,'}\n",
	     "probe 'a': ports: '' is not a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: []}\n",
	     "t.yaml:3:22: probe 'a': ports: empty list"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: }\n",
	     "t.yaml:3:22: probe 'a': ports has no value"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: {80: 1}}\n",
	     "t.yaml:3:22: probe 'a': ports expects a port, a range a-b or a "
	     "list of them, got a mapping"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: [80, [81]]}\n",
	     "t.yaml:3:27: probe 'a': ports expects a port"},
	    {"fallback: {name: f}\nprobes:\n  - {name: a, ports: [80, ~]}\n",
	     "t.yaml:3:27: probe 'a': ports has no value"},
	    {"fallback: {name: f}\nprobes:\n"
	     "  - {name: a, ports: [70-90, 85]}\n",
	     "t.yaml:3:30: probe 'a': ports: port 85 is listed twice"},
	    /* overlaps name both entries and both places */
	    {"fallback: {name: f}\nprobes:\n"
	     "  - name: http\n    ports: [80, 8080]\n"
	     "  - name: alt\n    ports: \"8000-8100\"\n",
	     "t.yaml:6:12: probe 'alt': ports: port 8080 is already in probe "
	     "'http' (t.yaml:3:5)"},
	    {"fallback: {name: f}\nprobes:\n"
	     "  - {name: a, ports: 1-100}\n  - {name: b, ports: [200, 100]}\n",
	     "t.yaml:4:28: probe 'b': ports: port 100 is already in probe 'a' "
	     "(t.yaml:3:5)"},
	    /* client_first and wait_ms */
	    {"fallback: {name: f, client_first: maybe}\n",
	     "t.yaml:1:35: fallback 'f': client_first: 'maybe' is not a "
	     "boolean"},
	    {"fallback: {name: f, client_first: [true]}\n",
	     "fallback 'f': client_first expects true or false, got a list"},
	    {"fallback: {name: f, client_first: true}\n",
	     "t.yaml:1:11: fallback 'f': client_first: true needs a payload"},
	    {"fallback: {name: f, client_first: true, payload: ''}\n",
	     "t.yaml:1:50: fallback 'f': client_first: true needs a payload"},
	    {"fallback: {name: f, client_first: true, payload: x, "
	     "wait_ms: 10}\n",
	     "t.yaml:1:62: fallback 'f': wait_ms is the server-first wait: it "
	     "needs client_first: false"},
	    {"fallback: {name: f, wait_ms: 60001}\n",
	     "t.yaml:1:30: fallback 'f': wait_ms: '60001' is not an integer"},
	    {"fallback: {name: f, wait_ms: 1.5}\n",
	     "fallback 'f': wait_ms: '1.5'"},
	    /* payload */
	    {"fallback: {name: f, payload: [x]}\n",
	     "t.yaml:1:30: fallback 'f': payload expects a string, got a list"},
	    {"fallback: {name: f, payload: 'Host: {hots}'}\n",
	     "t.yaml:1:30: fallback 'f': payload: unknown placeholder '{hots}' "
	     "at offset 6 (known: {host}, {user_agent}; {{ is a literal {)"},
	    {"fallback: {name: f, payload: '{}'}\n",
	     "fallback 'f': payload: unknown placeholder '{}' at offset 0"},
	    {"fallback: {name: f, payload: '{{{HOST}'}\n",
	     "fallback 'f': payload: unknown placeholder '{HOST}' at offset 2"},
	    {"fallback: {name: f, payload: 'a{host'}\n",
	     "fallback 'f': payload: '{' at offset 1 opens no placeholder"},
	    {"fallback: {name: f, payload: \"caf\\xe9\"}\n",
	     "t.yaml:1:30: fallback 'f': payload: byte 0xc3 at offset 3 is not "
	     "ASCII"},
	    {"fallback: {name: f, payload: \"\\u00ff\"}\n",
	     "fallback 'f': payload: byte 0xc3 at offset 0 is not ASCII"},
	};
	struct probe_registry reg;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load(&reg, cases[i].yaml);

		CHECK(rc == -1);
		if (rc != -1 || !strstr(err, cases[i].want))
			fprintf(stderr, "case %zu: %s\n", i, cases[i].yaml);
		CHECK_HAS(err, cases[i].want);
		/* A failed load leaves nothing behind. */
		CHECK(reg.entries == NULL && reg.index == NULL &&
		      reg.user_agent == NULL && reg.entry_count == 0);
		probes_free(&reg);
	}
}

/* Limits: payload size after rendering, entry count. */
static void
test_limits(void)
{
	struct probe_registry reg;
	static char yaml[16 * PROBE_PAYLOAD_MAX];
	char *p, ua[257];
	size_t n;

	/* 1024 literal bytes fit; 1025 do not. */
	for (int extra = 0; extra <= 1; extra++) {
		p = yaml + sprintf(yaml, "fallback:\n  name: f\n  payload: '");
		memset(p, 'x', PROBE_PAYLOAD_MAX + extra);
		strcpy(p + PROBE_PAYLOAD_MAX + extra, "'\n");
		CHECK(load(&reg, yaml) == -extra);
		if (extra)
			CHECK_HAS(err, "t.yaml:3:12: fallback 'f': payload: up "
				       "to 1025 bytes once rendered");
		else
			CHECK_EQ_U64(reg.entries[0].payload_max,
				     PROBE_PAYLOAD_MAX);
		probes_free(&reg);
	}
	/* 2048 bytes of "{{" render to 1024: fine; one more byte is not. */
	p = yaml + sprintf(yaml, "fallback:\n  name: f\n  payload: '");
	for (int i = 0; i < PROBE_PAYLOAD_MAX; i++, p += 2)
		memcpy(p, "{{", 2);
	strcpy(p, "'\n");
	CHECK(load(&reg, yaml) == 0);
	CHECK_EQ_U64(reg.entries[0].payload_max, PROBE_PAYLOAD_MAX);
	probes_free(&reg);
	strcpy(p, "x'\n");
	CHECK(load(&reg, yaml) == -1);
	CHECK_HAS(err, "payload: 2049 bytes, more than 1024 once rendered");

	/* {host} counts as 15 bytes: 1009 literal + {host} fits, 1010 not. */
	for (int extra = 0; extra <= 1; extra++) {
		p = yaml + sprintf(yaml, "fallback:\n  name: f\n  payload: '");
		memset(p, 'x', PROBE_PAYLOAD_MAX - 15 + extra);
		strcpy(p + PROBE_PAYLOAD_MAX - 15 + extra, "{host}'\n");
		CHECK(load(&reg, yaml) == -extra);
		if (extra)
			CHECK_HAS(err, "up to 1025 bytes once rendered "
				       "(user_agent 8 bytes, {host} up to 15)");
		probes_free(&reg);
	}
	/* The file's user agent counts, wherever the key stands: 5 x 210. */
	memset(ua, 'u', 257);
	sprintf(yaml,
		"fallback:\n"
		"  name: f\n"
		"  payload: '{user_agent}{user_agent}{user_agent}{user_agent}"
		"{user_agent}'\n"
		"user_agent: %.210s\n",
		ua);
	CHECK(load(&reg, yaml) == -1);
	CHECK_HAS(err, "t.yaml:3:12: fallback 'f': payload: up to 1050 bytes "
		       "once rendered (user_agent 210 bytes");
	sprintf(yaml, "fallback: {name: f}\nuser_agent: %.257s\n", ua);
	CHECK(load(&reg, yaml) == -1);
	CHECK_HAS(err, "t.yaml:2:13: user_agent: 257 bytes, more than 256");
	sprintf(yaml, "fallback: {name: f}\nuser_agent: %.256s\n", ua);
	CHECK(load(&reg, yaml) == 0);
	CHECK_EQ_U64(strlen(reg.user_agent), 256);
	probes_free(&reg);

	/* 255 entries fit, 256 do not. */
	for (int extra = 0; extra <= 1; extra++) {
		n = snprintf(yaml, sizeof(yaml),
			     "fallback: {name: f}\nprobes:\n");
		for (int i = 0; i < PROBE_ENTRIES_MAX + extra; i++)
			n += snprintf(yaml + n, sizeof(yaml) - n,
				      "  - {name: p%d, ports: %d}\n", i, i + 1);
		CHECK(load(&reg, yaml) == -extra);
		if (extra) {
			CHECK_HAS(err, "t.yaml:3:3: probes: 256 entries, more "
				       "than 255");
		} else {
			CHECK_EQ_U64(reg.entry_count, 256);
			CHECK_STR(probes_for_port(&reg, 255)->name, "p254");
			CHECK_STR(probes_for_port(&reg, 256)->name, "f");
		}
		probes_free(&reg);
	}
}

static void
test_load_file(void)
{
	struct probe_registry reg;
	char path[] = "/tmp/test_probes_XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("fallback: {name: f}\nprobes:\n  - {name: a, ports: 70000}\n", f);
	fclose(f);
	CHECK(probes_load_file(&reg, path, err, sizeof(err)) == -1);
	CHECK(!strncmp(err, path, strlen(path)));
	CHECK_HAS(err, ":3:22: probe 'a': ports: '70000' is not a port");
	unlink(path);
	CHECK(probes_load_file(&reg, "/no/such/probes.yaml", err,
			       sizeof(err)) == -1);
	CHECK_HAS(err, "/no/such/probes.yaml: cannot open probe registry");
	CHECK(reg.entries == NULL);
	probes_free(&reg);
}

int
main(void)
{
	test_shipped();
	test_forms();
	test_render_truncation();
	test_set_user_agent();
	test_errors();
	test_limits();
	test_load_file();
	return check_report("test_probes");
}
