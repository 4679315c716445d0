/* test_probe_chain: follow-up probes per port — nmap's order (listed first,
 * then rarity <= intensity in file order), NULL, UDP and what the first
 * connection sent left out, the cap; then nmap 7.93's own file: the chain of
 * an unlisted port against sp_plan. */
#include <stdlib.h>

#include "check.h"
#include "probe_chain.h"

static const char probes_text[] =
    "Probe TCP NULL q||\n"
    "totalwaitms 6000\n"
    "match ssh m|^SSH-|\n"
    "Probe TCP GenericLines q|\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "Probe TCP GetRequest q|GET / HTTP/1.0\\r\\n\\r\\n|\n"
    "rarity 1\n"
    "ports 80,8000-8002\n"
    "sslports 443\n"
    "Probe UDP DNSStatusRequest q|\\0\\0\\x10\\0\\0\\0\\0\\0\\0\\0\\0\\0|\n"
    "rarity 1\n"
    "Probe TCP Rare q|RARE\\r\\n|\n"
    "rarity 9\n"
    "ports 7000\n"
    "Probe TCP Help q|HELP\\r\\n|\n"
    "rarity 3\n"
    "ports 8001\n"
    "sslports 8001\n"
    "Probe TCP Deep q|DEEP\\r\\n|\n"
    "rarity 8\n";

static const char registry_yaml[] =
    "probes:\n"
    "  - name: http\n"
    "    ports: [8000]\n"
    "    client_first: true\n"
    "    payload: \"GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n\"\n"
    "  - name: get10\n"
    "    ports: [8002]\n"
    "    client_first: true\n"
    "    payload: \"GET / HTTP/1.0\\r\\n\\r\\n\"\n"
    "  - name: ssh\n"
    "    ports: [22]\n"
    "fallback:\n"
    "  name: generic\n"
    "  payload: \"\\r\\n\\r\\n\"\n";

/* The names of port's chain, space-separated. */
static const char *
chain_names(const struct probe_chain *c, const struct sp_set *set,
	    uint16_t port)
{
	static char buf[512];
	size_t used = 0;

	buf[0] = 0;
	for (unsigned step = 1; probe_chain_at(c, port, step) >= 0; step++)
		used += (size_t)snprintf(
		    buf + used, sizeof(buf) - used, "%s%s", used ? " " : "",
		    set->probes[probe_chain_at(c, port, step)].name);
	return buf;
}

static void
check_chain(const struct probe_chain *c, const struct sp_set *set,
	    uint16_t port, const char *want)
{
	const char *got = chain_names(c, set, port);
	unsigned words = *want != 0;

	if (strcmp(got, want) != 0)
		fprintf(stderr, "  port %u: \"%s\", want \"%s\"\n", port, got,
			want);
	CHECK(strcmp(got, want) == 0);
	for (const char *w = want; *w; w++)
		words += *w == ' ';
	CHECK_EQ_U64(probe_chain_length(c, port), words);
}

static void
test_synthetic(void)
{
	struct sp_set set;
	struct probe_registry reg;
	struct probe_chain c;
	char err[512];

	sp_init(&set);
	CHECK(!sp_parse_text(&set, probes_text, sizeof(probes_text) - 1,
			     "t-probes", err, sizeof(err)));
	sp_finish(&set);
	CHECK(!probes_load_string(&reg, registry_yaml, "t.yaml", err,
				  sizeof(err)));

	CHECK(!probe_chain_build(&c, &set, &reg, 7, 8, err, sizeof(err)));
	/* unlisted port, fallback "\r\n\r\n" sent first: GenericLines is
	 * what it sent; then rarity <= 7 in file order (no UDP, no Rare) */
	check_chain(&c, &set, 9999, "GetRequest Help");
	/* listed first, whatever their rarity */
	check_chain(&c, &set, 7000, "Rare GetRequest Help");
	check_chain(&c, &set, 80, "GetRequest Help");
	/* 8001: both listed (Help by ports and sslports: once) */
	check_chain(&c, &set, 8001, "GetRequest Help");
	/* 8002's first connection sent GetRequest's bytes: not again */
	check_chain(&c, &set, 8002, "GenericLines Help");
	/* 8000 sent a templated GET (other bytes): GetRequest still goes */
	check_chain(&c, &set, 8000, "GetRequest GenericLines Help");
	/* ssh's entry sends nothing (the NULL wait): GenericLines goes */
	check_chain(&c, &set, 22, "GenericLines GetRequest Help");
	probe_chain_free(&c);

	/* intensity 9 reaches Deep; the cap cuts rows */
	CHECK(!probe_chain_build(&c, &set, &reg, 9, 2, err, sizeof(err)));
	check_chain(&c, &set, 9999, "GetRequest Rare");
	check_chain(&c, &set, 22, "GenericLines GetRequest");
	CHECK(probe_chain_at(&c, 22, 3) == -1 &&
	      probe_chain_at(&c, 22, 0) == -1);
	probe_chain_free(&c);
	CHECK(!probe_chain_build(&c, &set, &reg, 9, 0, err, sizeof(err)));
	CHECK(probe_chain_at(&c, 22, 1) == -1);
	CHECK_EQ_U64(probe_chain_length(&c, 22), 0);
	probe_chain_free(&c);
	CHECK(probe_chain_build(&c, &set, &reg, 7, PROBE_CHAIN_MAX + 1, err,
				sizeof(err)) == -1);
	probes_free(&reg);
	sp_free(&set);
}

/* nmap's file: an unlisted port's chain is sp_plan's order without NULL
 * and without GenericLines (the fallback's "\r\n\r\n"), no UDP. */
static void
test_nmap_file(void)
{
	const char *path = "/usr/share/nmap/nmap-service-probes";
	unsigned plan[256], n, step = 1;
	struct sp_set set;
	struct probe_registry reg;
	struct probe_chain c;
	char err[512];

	sp_init(&set);
	if (sp_parse_file(&set, path, err, sizeof(err))) {
		fprintf(stderr, "test_probe_chain: %s (install nmap-common)\n",
			err);
		exit(1);
	}
	sp_finish(&set);
	CHECK(!probes_load_string(&reg, registry_yaml, "t.yaml", err,
				  sizeof(err)));
	CHECK(!probe_chain_build(&c, &set, &reg, 7, PROBE_CHAIN_MAX, err,
				 sizeof(err)));
	n = sp_plan(&set, 40123, 7, plan, 256);
	CHECK(n > 10);
	for (unsigned k = 0; k < n && step <= PROBE_CHAIN_MAX; k++) {
		const struct sp_probe *p = &set.probes[plan[k]];

		if (plan[k] == set.null_probe ||
		    strcmp(p->name, "GenericLines") == 0)
			continue;
		CHECK(probe_chain_at(&c, 40123, step) == (int)plan[k]);
		step++;
	}
	CHECK_EQ_U64(probe_chain_length(&c, 40123), step - 1);
	CHECK(step > 10);
	CHECK(strcmp(set.probes[probe_chain_at(&c, 40123, 1)].name,
		     "GetRequest") == 0);
	/* 6379 lists redis-server's probe: it comes before GetRequest */
	CHECK(probe_chain_at(&c, 6379, 1) >= 0 &&
	      strcmp(set.probes[probe_chain_at(&c, 6379, 1)].name,
		     "GetRequest") != 0);
	probe_chain_free(&c);
	probes_free(&reg);
	sp_free(&set);
}

int
main(void)
{
	test_synthetic();
	test_nmap_file();
	return check_report("probe_chain");
}
