/* test_match: the nmap-service-probes parser on tricky real lines
 * (delimiters, escapes, flags, templates), template substitution, and the
 * matching rules — first hard match in file order, softmatch kept and
 * narrowing, fallback chains — with Hyperscan and PCRE2 agreeing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "check.h"
#include "match.h"
#include "probes_nmap.h"
#include "signatures.h"
#include "version_tmpl.h"

/* Lines in nmap's own syntax, several copied from nmap-service-probes. */
static const char probes_text[] =
    "# a comment\n"
    "Exclude T:9100-9107\n"
    "Probe TCP NULL q||\n"
    "totalwaitms 6000\n"
    "tcpwrappedms 3000\n"
    "match ssh m|^SSH-([\\d.]+)-OpenSSH_([\\w._-]+) Debian-(\\S*)\\r?\\n| "
    "p/OpenSSH/ v/$2 Debian $3/ i/protocol $1/ o/Linux/ "
    "cpe:/a:openbsd:openssh:$2/ cpe:/o:debian:debian_linux/ "
    "cpe:/o:linux:linux_kernel/a\n"
    "match avg m=^220-AVG daemon (\\w+)\\r\\n= p/AVG daemon/ v/$1/\n"
    "match chess m%^\\n\\r +_ %s p|Lasker chess|\n"
    "softmatch ftp m|^220 Welcome to ([-.\\w]+) FTP.*\\r\\n$|i h/$1/\n"
    "match ftp m|^220 Welcome to ([-.\\w]+) FTP server \\(vsFTPd "
    "([\\d.]+)\\)|i "
    "p/vsftpd/ v/$2/ h/$1/\n"
    "match ftp m|^220 (.*) ready|s p/generic/ i/$P(1)/\n"
    "match redis m|^-ERR unknown command| p/Redis/\n"
    "match bad m|^(unclosed| p/x/\n"
    "match worse m|nodelimiter\n"
    "match badflag m|^x|q p/x/\n"
    "frobnicate 12\n"
    "Probe TCP GetRequest q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 1,70,80-85,88\n"
    "sslports 443\n"
    "match http m|^HTTP/1\\.[01] \\d\\d\\d .*\\r\\nServer: nginx/([\\d.]+)|s "
    "p/nginx/ v/$1/ cpe:/a:igor_sysoev:nginx:$1/\n"
    "match lsx m|^<Challenge version=\"([\\d,]+)\"| p/EA/ "
    "v/$SUBST(1,\",\",\".\")/\n"
    "match int m|^INT(....)| p/int/ v/$I(1,\">\")/ i/$I(1,\"<\")/\n"
    "Probe TCP Binary q|\\x80\\0\\0\\x28\\xff\\\\\\t|\n"
    "rarity 8\n"
    "fallback GetRequest\n"
    "match bin m|^\\x80\\x00ok$| p/binary/\n"
    "Probe TCP Bad q|\\q|\n"
    "Probe UDP Udp q|x|\n"
    "rarity 1\n";

static struct match_db *
open_text(const char *dir)
{
	char path[256], err[MATCH_ERR_LEN];
	struct match_options opt = {0};
	struct match_db *db;
	FILE *f;

	snprintf(path, sizeof(path), "%s/probes", dir);
	f = fopen(path, "w");
	fputs(probes_text, f);
	fclose(f);
	opt.probes_file = path;
	opt.cache_dir = dir;
	db = match_db_open(&opt, err, sizeof(err));
	if (!db)
		fprintf(stderr, "open: %s\n", err);
	return db;
}

static void
test_parser(const struct match_db *db)
{
	const struct sp_set *set = match_db_set(db);
	const struct sp_probe *null, *get, *bin;
	int problems_seen[8] = {0};

	CHECK_EQ_U64(set->probe_count, 4); /* Bad's payload is refused */
	null = &set->probes[sp_probe_find(set, "NULL", 6)];
	get = &set->probes[sp_probe_find(set, "GetRequest", 6)];
	bin = &set->probes[sp_probe_find(set, "Binary", 6)];
	CHECK(sp_probe_find(set, "Udp", 17) >= 0);
	CHECK(sp_probe_find(set, "Udp", 6) < 0);
	CHECK_EQ_U64(null->totalwaitms, 6000);
	CHECK_EQ_U64(null->tcpwrappedms, 3000);
	CHECK_EQ_U64(null->payload_len, 0);
	CHECK_EQ_U64(null->rarity, SP_RARITY_DEFAULT);
	/* the (unclosed pattern parses; PCRE2 refuses it later */
	CHECK_EQ_U64(null->match_count, 8);
	CHECK_STR(null->matches[0].service, "ssh");
	CHECK_STR(null->matches[0].tmpl[SP_VERSION], "$2 Debian $3");
	CHECK_EQ_U64(null->matches[0].cpe_count, 3);
	CHECK_STR(null->matches[0].cpe[2], "o:linux:linux_kernel");
	CHECK_STR(null->matches[1].pattern, "^220-AVG daemon (\\w+)\\r\\n");
	CHECK_STR(null->matches[2].pattern, "^\\n\\r +_ ");
	CHECK_EQ_U64(null->matches[2].flags, SP_DOTALL);
	CHECK_STR(null->matches[2].tmpl[SP_PRODUCT], "Lasker chess");
	CHECK(null->matches[3].soft);
	CHECK_EQ_U64(null->matches[3].flags, SP_CASELESS);
	CHECK(!null->matches[2].uses_captures);
	CHECK(null->matches[3].uses_captures);
	CHECK_EQ_U64(get->payload_len, 18);
	CHECK(!memcmp(get->payload, "GET / HTTP/1.0\r\n\r\n", 18));
	CHECK_EQ_U64(get->rarity, 1);
	CHECK_EQ_U64(get->port_count, 4);
	CHECK(sp_ports_have(get->ports, get->port_count, 83));
	CHECK(!sp_ports_have(get->ports, get->port_count, 86));
	CHECK(sp_ports_have(get->sslports, get->sslport_count, 443));
	CHECK_EQ_U64(bin->payload_len, 7);
	CHECK(!memcmp(bin->payload, "\x80\0\0\x28\xff\\\t", 7));
	/* chains: itself, fallbacks, then NULL */
	CHECK_EQ_U64(bin->chain_len, 3);
	CHECK_STR(set->probes[bin->chain[1]].name, "GetRequest");
	CHECK_STR(set->probes[bin->chain[2]].name, "NULL");
	CHECK_EQ_U64(null->chain_len, 1);
	/* every unusable line is listed with its line number */
	for (unsigned i = 0; i < set->problem_count; i++) {
		unsigned l = set->problems[i].line;

		if (l == 13)
			problems_seen[0]++; /* (unclosed: PCRE2 */
		if (l == 14)
			problems_seen[1]++; /* no closing delimiter */
		if (l == 15)
			problems_seen[2]++; /* flag q */
		if (l == 16)
			problems_seen[3]++; /* frobnicate */
		if (l == 28)
			problems_seen[4]++; /* \q */
	}
	for (int i = 0; i < 5; i++)
		CHECK_EQ_U64(problems_seen[i], 1);
	CHECK_EQ_U64(set->problem_count, 5);
	CHECK_EQ_U64(match_line_kind(db, sp_probe_find(set, "NULL", 6), 7),
		     MATCH_UNUSABLE);
}

static void
test_templates(void)
{
	const uint8_t subj[] = "ab\x01"
			       "c,d,e\x00\x01\x02";
	size_t ov[] = {0, 11, 0, 4, 4, 9, VT_UNSET, VT_UNSET, 9, 11};
	char out[64];

	vt_render("x $1 y", subj, ov, 5, out, sizeof(out));
	CHECK(!memcmp(out,
		      "x ab\x01"
		      "c y",
		      9));
	vt_render("$P(1)", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, "abc");
	vt_render("$SUBST(2,\",\",\".\")", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, ".d.e"); /* group 2 is ",d,e" then a NUL */
	vt_render("v$3.$9", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, "v.");
	vt_render("$I(4,\">\")", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, "258");
	vt_render("$I(4,\"<\")", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, "513");
	vt_render("$Q(1) $", subj, ov, 5, out, sizeof(out));
	CHECK_STR(out, "$Q(1) $");
	CHECK_EQ_U64(vt_render("$2$2$2", subj, ov, 5, out, 6), 5);
}

struct expect {
	const char *probe;
	const char *data;
	size_t len;
	const char *narrow;
	int match;
	const char *name, *product, *version, *info, *hostname;
};

static void
test_rules(struct match_db *db)
{
	static const struct expect cases[] = {
	    {"NULL", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", 0, NULL,
	     SERVICE_HARD, "ssh", "OpenSSH", "9.2p1 Debian 2+deb12u3",
	     "protocol 2.0", NULL},
	    /* the softmatch comes first, a later hard match wins */
	    {"NULL",
	     "220 Welcome to ftp.example.org FTP server (vsFTPd 3.0.3)\r\n", 0,
	     NULL, SERVICE_HARD, "ftp", "vsftpd", "3.0.3", NULL,
	     "ftp.example.org"},
	    /* only the softmatch: kept, with its hostname */
	    {"NULL", "220 WELCOME TO box.lan ftp\r\n", 0, NULL, SERVICE_SOFT,
	     "ftp", NULL, NULL, NULL, "box.lan"},
	    /* $ before a final newline, as PCRE2 has it; s lets . eat
	     * newlines */
	    {"NULL", "220 a\nb ready", 0, NULL, SERVICE_HARD, "ftp", "generic",
	     NULL, "ab", NULL},
	    /* narrowed to ftp by an earlier softmatch: redis is ignored */
	    {"NULL", "-ERR unknown command\r\n", 0, "ftp", SERVICE_NONE},
	    {"NULL", "-ERR unknown command\r\n", 0, NULL, SERVICE_HARD, "redis",
	     "Redis"},
	    /* i flag, m=..= and m%..% delimiters */
	    {"NULL", "220-AVG daemon Mode\r\n", 0, NULL, SERVICE_HARD, "avg",
	     "AVG daemon", "Mode"},
	    {"NULL", "\n\r   _ ", 0, NULL, SERVICE_HARD, "chess",
	     "Lasker chess"},
	    /* NULL's lines answer for another probe (its chain) */
	    {"GetRequest", "-ERR unknown command\r\n", 0, NULL, SERVICE_HARD,
	     "redis"},
	    {"GetRequest",
	     "HTTP/1.1 200 OK\r\nDate: x\r\nServer: nginx/1.22.1\r\n", 0, NULL,
	     SERVICE_HARD, "http", "nginx", "1.22.1"},
	    {"GetRequest", "<Challenge version=\"1,2,3\"", 0, NULL,
	     SERVICE_HARD, "lsx", "EA", "1.2.3"},
	    {"GetRequest", "INT\x00\x00\x01\x02", 7, NULL, SERVICE_HARD, "int",
	     "int", "258", "33619968"},
	    /* but GetRequest's lines do not answer for NULL */
	    {"NULL", "HTTP/1.1 200 OK\r\nServer: nginx/1.2\r\n", 0, NULL,
	     SERVICE_NONE},
	    /* Binary falls back to GetRequest, then NULL; NUL bytes */
	    {"Binary", "\x80\x00ok\n", 5, NULL, SERVICE_HARD, "bin", "binary"},
	    {"Binary", "HTTP/1.0 404 x\r\nServer: nginx/1.9\r\n", 0, NULL,
	     SERVICE_HARD, "http", "nginx", "1.9"},
	    {"Binary", "SSH-1.99-OpenSSH_3.9p1 Debian-1\n", 0, NULL,
	     SERVICE_HARD, "ssh", "OpenSSH", "3.9p1 Debian 1"},
	    {"Binary", "nothing at all", 0, NULL, SERVICE_NONE},
	};
	struct match_scratch *s = match_scratch_new(db);
	const struct sp_set *set = match_db_set(db);

	CHECK(s != NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct expect *e = &cases[i];
		size_t len = e->len ? e->len : strlen(e->data);
		int p = sp_probe_find(set, e->probe, 6);

		for (int eng = 0; eng < 3; eng++) {
			struct service_id id;
			int m = match_identify(
			    db, s, (enum match_engine)eng, (unsigned)p,
			    (const uint8_t *)e->data, len, e->narrow, &id);

			CHECK_EQ_U64(m, e->match);
			if (m != e->match) {
				fprintf(stderr, "case %zu engine %d\n", i, eng);
				continue;
			}
			if (e->match == SERVICE_NONE)
				continue;
			CHECK_STR(id.name, e->name);
			if (e->product)
				CHECK_STR(id.product, e->product);
			if (e->version)
				CHECK_STR(id.version, e->version);
			if (e->info)
				CHECK_STR(id.info, e->info);
			if (e->hostname)
				CHECK_STR(id.hostname, e->hostname);
		}
	}
	/* every field and CPE of a line with many, each engine */
	for (int eng = 0; eng < 3; eng++) {
		static const char ssh[] =
		    "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n";
		struct service_id id;

		CHECK_EQ_U64(match_identify(
				 db, s, (enum match_engine)eng,
				 (unsigned)sp_probe_find(set, "NULL", 6),
				 (const uint8_t *)ssh, strlen(ssh), NULL, &id),
			     SERVICE_HARD);
		CHECK_STR(id.os, "Linux");
		CHECK(id.hostname == NULL && id.devicetype == NULL);
		CHECK_EQ_U64(id.cpe_count, 3);
		if (id.cpe_count != 3)
			continue;
		CHECK_STR(id.cpe[0], "cpe:/a:openbsd:openssh:9.2p1");
		CHECK_STR(id.cpe[1], "cpe:/o:debian:debian_linux");
		CHECK_STR(id.cpe[2], "cpe:/o:linux:linux_kernel");
	}
	match_scratch_free(s);
}

static void
test_plan(struct match_db *db)
{
	const struct sp_set *set = match_db_set(db);
	unsigned plan[8], n;
	struct match_scratch *s = match_scratch_new(db);
	struct service_id id;
	const char ftp_then_redis[] = "220 Welcome to a FTP\r\n";

	/* port 80: NULL, then GetRequest (listed); Binary's rarity 8 > 7 */
	n = sp_plan(set, 80, 7, plan, 8);
	CHECK_EQ_U64(n, 2);
	CHECK_STR(set->probes[plan[1]].name, "GetRequest");
	CHECK_EQ_U64(sp_plan(set, 80, 9, plan, 8), 3);
	/* unlisted port: by rarity only */
	CHECK_EQ_U64(sp_plan(set, 1000, 7, plan, 8), 2);
	CHECK_EQ_U64(sp_plan(set, 1000, 0, plan, 8), 1);
	n = sp_plan(set, 80, 9, plan, 8);
	CHECK_EQ_U64(match_identify_plan(db, s, MATCH_HYPERSCAN, plan, n,
					 (const uint8_t *)ftp_then_redis,
					 strlen(ftp_then_redis), &id),
		     SERVICE_SOFT);
	CHECK_STR(id.hostname, "a");
	match_scratch_free(s);
}

static void
test_merge(const struct match_db *db)
{
	static const char yaml[] = "probes:\n"
				   "  - name: web\n"
				   "    ports: 80\n"
				   "    client_first: true\n"
				   "    payload: \"GET /\"\n"
				   "fallback:\n"
				   "  name: generic\n";
	struct probe_registry reg;
	char err[PROBES_ERR_LEN];
	const struct probe_entry *e;
	uint8_t out[64];

	CHECK(!probes_load_string(&reg, yaml, "t.yaml", err, sizeof(err)));
	/* rarity 1 > intensity 0: nothing */
	CHECK_EQ_U64(
	    probes_merge_nmap(&reg, match_db_set(db), 0, err, sizeof(err)), 0);
	/* GetRequest lists 1,70,80-85,88 and sslports 443; 80 is the
	 * registry's already */
	CHECK_EQ_U64(
	    probes_merge_nmap(&reg, match_db_set(db), 7, err, sizeof(err)), 9);
	CHECK_STR(probes_for_port(&reg, 80)->name, "web");
	e = probes_for_port(&reg, 81);
	CHECK_STR(e->name, "nmap-GetRequest");
	CHECK(!e->client_first && e->wait_ms == reg.wait_ms);
	CHECK_EQ_U64(probe_payload_render(e, 0, NULL, out, sizeof(out)), 18);
	CHECK(!memcmp(out, "GET / HTTP/1.0\r\n\r\n", 18));
	CHECK(probes_for_port(&reg, 443) == e);
	CHECK_STR(probes_for_port(&reg, 1000)->name, "generic");
	probes_free(&reg);
}

static void
test_signatures(void)
{
	static const char good[] = "signatures:\n"
				   "  - service: redis\n"
				   "    pattern: '^\\$\\d+\\r\\n# "
				   "Server\\r\\nredis_version:([\\d.]+)'\n"
				   "    product: Redis\n"
				   "    version: $1\n"
				   "    cpe: a:redis:redis:$1\n"
				   "  - probe: GetRequest\n"
				   "    service: web\n"
				   "    pattern: '^HTTP'\n"
				   "    flags: is\n"
				   "    soft: true\n"
				   "  - probe: Nope\n"
				   "    service: x\n"
				   "    pattern: x\n";
	struct sp_set set;
	char err[256];
	const struct sp_probe *null, *get;

	sp_init(&set);
	sp_parse_text(&set, probes_text, strlen(probes_text), "p", err,
		      sizeof(err));
	CHECK(!signatures_load_text(&set, good, "s.yaml", err, sizeof(err)));
	null = &set.probes[sp_probe_find(&set, "NULL", 6)];
	get = &set.probes[sp_probe_find(&set, "GetRequest", 6)];
	CHECK_EQ_U64(null->match_count, 9); /* after nmap's 8 */
	CHECK_STR(null->matches[8].service, "redis");
	CHECK_STR(null->matches[8].pattern,
		  "^\\$\\d+\\r\\n# Server\\r\\nredis_version:([\\d.]+)");
	CHECK(null->matches[8].uses_captures && !null->matches[8].soft);
	CHECK_STR(null->matches[8].cpe[0], "a:redis:redis:$1");
	CHECK_EQ_U64(null->matches[8].line, 2);
	CHECK(get->matches[get->match_count - 1].soft);
	CHECK_EQ_U64(get->matches[get->match_count - 1].flags,
		     SP_CASELESS | SP_DOTALL);
	/* the probe it names is missing: listed, not used */
	CHECK(strstr(set.problems[set.problem_count - 1].reason, "Nope"));
	CHECK(signatures_load_text(&set,
				   "signatures:\n  - service: a\n"
				   "    pattern: b\n    colour: red\n",
				   "bad.yaml", err, sizeof(err)));
	CHECK(strstr(err, "bad.yaml:4:13: unknown key 'colour'") == err);
	CHECK(signatures_load_text(&set, "signatures:\n  - service: a\n",
				   "bad.yaml", err, sizeof(err)));
	CHECK(strstr(err, "needs service and pattern") != NULL);
	sp_free(&set);
}

int
main(void)
{
	char dir[] = "/tmp/test_match.XXXXXX";
	char cmd[300];
	struct match_db *db;
	struct match_stats st;
	unsigned by_prefix = 0, by_literal = 0;

	if (!mkdtemp(dir))
		return 1;
	test_templates();
	test_signatures();
	db = open_text(dir);
	CHECK(db != NULL);
	if (db) {
		match_db_stats(db, &st);
		CHECK(!st.from_cache && st.cache_written);
		/* the anchored lines with a literal prefix are found by it */
		by_prefix = st.by_prefix;
		by_literal = st.by_literal;
		CHECK(by_prefix > 0 && by_prefix < st.lines);
		test_parser(db);
		test_rules(db);
		test_plan(db);
		test_merge(db);
		match_db_close(db);
		/* the second start loads what the first compiled */
		db = open_text(dir);
		match_db_stats(db, &st);
		CHECK(st.from_cache);
		CHECK_EQ_U64(st.by_prefix, by_prefix);
		CHECK_EQ_U64(st.by_literal, by_literal);
		CHECK_EQ_U64(st.problems, 5);
		test_rules(db);
		match_db_close(db);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return check_report("match");
}
