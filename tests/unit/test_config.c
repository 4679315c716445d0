/* test_config: profiles and flags into one config — every bad input is an
 * error naming FILE:LINE:COL or the flag, flags override profiles, --echo
 * output reads back into the same config, the shipped profiles load. */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "tidescan_build.h"

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

static char err[CONFIG_ERR_LEN];

/* config_parse_args over a NULL-terminated list of words after "tidescan". */
static int
parse(struct config *cfg, ...)
{
	char *argv[64] = {"tidescan"};
	int argc = 1;
	va_list ap;

	va_start(ap, cfg);
	while (argc < 63 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	err[0] = 0;
	return config_parse_args(cfg, argc, argv, err, sizeof(err));
}

static int
load(struct config *cfg, const char *yaml)
{
	err[0] = 0;
	return config_load_string(cfg, yaml, "t.yaml", err, sizeof(err));
}

static char *
to_yaml(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK(config_write_yaml(cfg, f) == 0);
	fclose(f);
	return buf;
}

/* A temporary file holding text; the caller unlinks and frees the path. */
static char *
temp_file(const char *text, const char *suffix)
{
	char *path = strdup("/tmp/test_config_XXXXXX.yaml");
	int fd;
	FILE *f;

	path[strlen(path) - 5] = 0;
	strcat(path, suffix);
	fd = mkstemps(path, strlen(suffix));
	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void
check_lists_equal(char **a, unsigned na, char **b, unsigned nb)
{
	CHECK_EQ_U64(na, nb);
	for (unsigned i = 0; i < na && i < nb; i++)
		CHECK_STR(a[i], b[i]);
}

static void
check_opt_str_equal(const char *a, const char *b)
{
	CHECK((a == NULL) == (b == NULL));
	if (a && b)
		CHECK_STR(a, b);
}

static void
check_configs_equal(const struct config *a, const struct config *b)
{
	check_lists_equal(a->targets, a->target_count, b->targets,
			  b->target_count);
	check_lists_equal(a->include_files, a->include_file_count,
			  b->include_files, b->include_file_count);
	check_lists_equal(a->excludes, a->exclude_count, b->excludes,
			  b->exclude_count);
	check_lists_equal(a->exclude_files, a->exclude_file_count,
			  b->exclude_files, b->exclude_file_count);
	CHECK_EQ_U64(a->default_excludes, b->default_excludes);
	check_opt_str_equal(a->default_exclude_file, b->default_exclude_file);
	check_opt_str_equal(a->ports, b->ports);
	CHECK_EQ_U64(a->seed, b->seed);
	CHECK_EQ_U64(a->have_seed, b->have_seed);
	CHECK_EQ_U64(a->shard_k, b->shard_k);
	CHECK_EQ_U64(a->shard_n, b->shard_n);
	CHECK_EQ_U64(a->rate, b->rate);
	CHECK_EQ_U64(a->retries, b->retries);
	CHECK(a->wait == b->wait);
	CHECK(a->pause_after == b->pause_after);
	check_opt_str_equal(a->pause_file, b->pause_file);
	CHECK(a->stats_interval == b->stats_interval);
	CHECK_EQ_U64(a->stats_format, b->stats_format);
	CHECK_EQ_U64(a->resume_point_count, b->resume_point_count);
	for (unsigned i = 0;
	     i < a->resume_point_count && i < b->resume_point_count; i++) {
		CHECK_EQ_U64(a->resume_points[i].pass,
			     b->resume_points[i].pass);
		CHECK_EQ_U64(a->resume_points[i].index,
			     b->resume_points[i].index);
	}
	CHECK_EQ_U64(a->resume_space, b->resume_space);
	CHECK_EQ_U64(a->source_ip_first, b->source_ip_first);
	CHECK_EQ_U64(a->source_ip_last, b->source_ip_last);
	CHECK_EQ_U64(a->source_port_first, b->source_port_first);
	CHECK_EQ_U64(a->source_port_last, b->source_port_last);
	CHECK_EQ_U64(a->have_source_port, b->have_source_port);
	CHECK(!memcmp(a->source_mac, b->source_mac, 6));
	CHECK_EQ_U64(a->have_source_mac, b->have_source_mac);
	CHECK(!memcmp(a->router_mac, b->router_mac, 6));
	CHECK_EQ_U64(a->have_router_mac, b->have_router_mac);
	CHECK_EQ_U64(a->gateway_ip, b->gateway_ip);
	CHECK_EQ_U64(a->have_gateway, b->have_gateway);
	CHECK_EQ_U64(a->syn_options, b->syn_options);
	CHECK_EQ_U64(a->ttl, b->ttl);
	CHECK_EQ_U64(a->mss, b->mss);
	CHECK_EQ_U64(a->window, b->window);
	CHECK_EQ_U64(a->wscale, b->wscale);
	check_opt_str_equal(a->output_file, b->output_file);
	CHECK_EQ_U64(a->output_format, b->output_format);
	CHECK_EQ_U64(a->report_closed, b->report_closed);
	CHECK_EQ_U64(a->banners, b->banners);
	CHECK_EQ_U64(a->quiet, b->quiet);
	check_opt_str_equal(a->eal_args, b->eal_args);
	CHECK_EQ_U64(a->port_id, b->port_id);
	CHECK_EQ_U64(a->rx_queues, b->rx_queues);
	CHECK_EQ_U64(a->mempool_size, b->mempool_size);
	CHECK_EQ_U64(a->ring_size, b->ring_size);
}

static void
test_defaults(void)
{
	struct config cfg;
	char want[4096];

	unsetenv("TIDESCAN_DATADIR");
	config_init(&cfg);
	CHECK_EQ_U64(cfg.mode, MODE_SCAN);
	CHECK_EQ_U64(cfg.rate, 100000);
	CHECK_EQ_U64(cfg.retries, 0);
	CHECK(cfg.wait == 10);
	CHECK_EQ_U64(cfg.shard_k, 1);
	CHECK_EQ_U64(cfg.shard_n, 1);
	CHECK_EQ_U64(cfg.have_seed, 0);
	CHECK_EQ_U64(cfg.syn_options, SYN_OPTIONS_LINUX);
	CHECK_EQ_U64(cfg.ttl, 64);
	CHECK_EQ_U64(cfg.mss, 1460);
	CHECK_EQ_U64(cfg.window, 64240);
	CHECK_EQ_U64(cfg.wscale, 7);
	CHECK(cfg.output_file == NULL);
	CHECK_EQ_U64(cfg.output_format, OUTPUT_NDJSON);
	CHECK_EQ_U64(cfg.port_id, 0);
	CHECK_EQ_U64(cfg.rx_queues, 1);
	CHECK_EQ_U64(cfg.mempool_size, 8191);
	CHECK_EQ_U64(cfg.ring_size, 65536);
	CHECK_EQ_U64(cfg.source_port_first, 61000);
	CHECK_EQ_U64(cfg.source_port_last, 61000);
	CHECK_EQ_U64(cfg.have_source_port, 0);
	CHECK_EQ_U64(cfg.default_excludes, 1);
	snprintf(want, sizeof(want), "%s/exclude.conf", TIDESCAN_DATADIR);
	CHECK_STR(cfg.default_exclude_file, want);
	CHECK(cfg.ports == NULL && cfg.target_count == 0);
	config_free(&cfg);

	/* The data directory moves at run time with the environment. */
	setenv("TIDESCAN_DATADIR", "/opt/tide/share", 1);
	config_init(&cfg);
	CHECK_STR(cfg.default_exclude_file, "/opt/tide/share/exclude.conf");
	config_free(&cfg);
	unsetenv("TIDESCAN_DATADIR");
}

/* config/default.yaml documents the defaults: loading it changes nothing. */
static void
test_default_yaml(void)
{
	struct config def, loaded;
	char *a, *b;

	config_init(&def);
	config_init(&loaded);
	loaded.rate = 1;
	loaded.ttl = 1;
	err[0] = 0;
	CHECK(config_load_file(&loaded, "config/default.yaml", err,
			       sizeof(err)) == 0);
	CHECK_STR(err, "");
	check_configs_equal(&def, &loaded);
	a = to_yaml(&def);
	b = to_yaml(&loaded);
	CHECK_STR(a, b);
	free(a);
	free(b);
	config_free(&def);
	config_free(&loaded);
}

static void
test_shipped_profiles(void)
{
	static const struct {
		const char *path;
		uint64_t pairs;
	} profiles[] = {
	    {"config/profiles/full-port-24.yaml", 256ull * 65536},
	    {"config/profiles/web-16.yaml", 65536ull * 10},
	    {"config/profiles/bench.yaml", 131072ull * 1000},
	};

	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct config cfg;
		struct target_space space;

		config_init(&cfg);
		err[0] = 0;
		CHECK(config_load_file(&cfg, profiles[i].path, err,
				       sizeof(err)) == 0);
		CHECK_STR(err, "");
		CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
		CHECK_EQ_U64(cfg.default_excludes, 0);
		memset(&space, 0, sizeof(space));
		CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == 0);
		CHECK_EQ_U64(space.pair_count, profiles[i].pairs);
		target_space_free(&space);
		if (strstr(profiles[i].path, "bench")) {
			CHECK_EQ_U64(cfg.rate, 0);
			CHECK_HAS(cfg.eal_args, "--vdev=net_null0");
			CHECK_STR(cfg.eal_args,
				  "--in-memory --no-pci --vdev=net_null0");
			CHECK_EQ_U64(cfg.have_router_mac, 1);
		}
		if (strstr(profiles[i].path, "web-16"))
			CHECK_EQ_U64(cfg.source_port_last, 61015);
		config_free(&cfg);
	}
}

static void
test_exclude_conf(void)
{
	struct config cfg;
	struct target_space space;
	uint32_t ip;

	/* 198.18.0.0/15 is excluded by default: the lab needs the flag. */
	config_init(&cfg);
	CHECK(parse(&cfg, "198.18.1.0/24", "-p", "80", NULL) == 0);
	memset(&space, 0, sizeof(space));
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == -1);
	CHECK_HAS(err, "no targets left");
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "198.18.1.0/24", "-p", "80", "--no-default-excludes",
		    NULL) == 0);
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == 0);
	CHECK_EQ_U64(space.pair_count, 256);
	target_space_free(&space);
	config_free(&cfg);

	/* The whole Internet less exactly the special-purpose ranges. */
	config_init(&cfg);
	CHECK(parse(&cfg, "0.0.0.0/0", "-p", "443", NULL) == 0);
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == 0);
	CHECK_EQ_U64(space.address_count, (1ull << 32) - (1u << 24) * 3 -
					      (1u << 22) - (1u << 16) * 2 -
					      (1u << 20) - 256 * 5 -
					      (1u << 17) - (1u << 28) * 2);
	CHECK(!target_space_contains(&space, 0xc0a80101)); /* 192.168.1.1 */
	CHECK(!target_space_contains(&space, 0xc6120001)); /* 198.18.0.1 */
	CHECK(!target_space_contains(&space, 0xffffffff));
	CHECK(target_space_contains(&space, 0x08080808)); /* 8.8.8.8 */
	CHECK(target_space_contains(&space, 0xc6110000)); /* 198.17.0.0 */
	target_space_pair(&space, 0, &ip, &(uint32_t){0});
	CHECK_EQ_U64(ip, 0x01000000);
	target_space_free(&space);
	config_free(&cfg);
}

/* Each bad profile: the error and where it points. */
static void
test_yaml_errors(void)
{
	static const struct {
		const char *yaml;
		const char *want;
	} cases[] = {
	    {"scan:\n  rate: 5\n  ratee: 7\n",
	     "t.yaml:3:3: unknown key 'ratee' in section 'scan'"},
	    {"ratee: 5\n", "t.yaml:1:1: unknown key 'ratee'"},
	    {"# top\n\nprobe:\n    ttl: 5\n    tll: 6\n",
	     "t.yaml:5:5: unknown key 'tll'"},
	    {"scan:\n  rate: fast\n",
	     "t.yaml:2:9: scan.rate: 'fast' is not a rate"},
	    {"scan:\n  rate: -1\n", "t.yaml:2:9: scan.rate: '-1'"},
	    {"scan:\n  rate: 2000000000\n", "scan.rate: '2000000000'"},
	    {"scan:\n  rate: 1.5\n", "scan.rate: '1.5'"},
	    {"scan:\n  rate:\n", "t.yaml:2:8: scan.rate has no value"},
	    {"scan:\n  rate: [1, 2]\n",
	     "t.yaml:2:9: scan.rate expects an integer, got a list"},
	    {"probe:\n  ttl: 0\n",
	     "t.yaml:2:8: probe.ttl: '0' is not an integer in 1..255"},
	    {"probe:\n  ttl: 256\n", "probe.ttl: '256'"},
	    {"probe:\n  wscale: 15\n", "probe.wscale: '15'"},
	    {"probe:\n  syn_options: fancy\n",
	     "'fancy' is not one of: linux mss bare"},
	    {"scan:\n  shard: 3/2\n", "t.yaml:2:10: scan.shard: '3/2'"},
	    {"scan:\n  shard: 0/2\n", "scan.shard: '0/2'"},
	    {"scan:\n  shard: 2\n", "scan.shard: '2'"},
	    {"scan:\n  retries: 101\n", "scan.retries: '101'"},
	    {"scan:\n  wait: soon\n", "scan.wait: 'soon'"},
	    {"scan:\n  seed: -3\n", "scan.seed: '-3'"},
	    {"scan: 5\n", "t.yaml:1:7: section 'scan' expects a mapping"},
	    {"output:\n  banners: 5\n",
	     "t.yaml:2:12: output.banners: '5' is not a boolean"},
	    {"output:\n  format: csv\n", "output.format: 'csv' is not one of"},
	    {"targets: {a: b}\n",
	     "t.yaml:1:10: targets expects a string or a list of strings, "
	     "got a mapping"},
	    {"targets: [10.0.0.1, 1.2.3.400]\n",
	     "t.yaml:1:21: targets: bad target '1.2.3.400'"},
	    {"targets:\n  - 10.0.0.1\n  - [1]\n",
	     "t.yaml:3:5: targets: a list item must be a scalar, got a list"},
	    {"excludes: 10.0.0.0/33\n", "excludes: bad target '10.0.0.0/33'"},
	    {"ports: 80,99999\n", "t.yaml:1:8: ports: bad port '99999'"},
	    {"ports: [80, x]\n", "t.yaml:1:13: ports: bad port 'x'"},
	    {"source:\n  ip: 10.0.0.9-10.0.0.1\n",
	     "source.ip: '10.0.0.9-10.0.0.1' is a reversed"},
	    {"source:\n  ip: 10.0.0\n", "source.ip: '10.0.0' is not an IPv4"},
	    {"source:\n  port: 70000\n", "source.port: '70000'"},
	    {"source:\n  mac: 00:11:22:33:44\n",
	     "source.mac: '00:11:22:33:44'"},
	    {"router:\n  gateway: gw\n", "router.gateway: 'gw'"},
	    {"dpdk:\n  ring_size: 1000\n", "'1000' is not a power of two"},
	    {"dpdk:\n  rx_queues: 0\n", "dpdk.rx_queues: '0'"},
	    {"dpdk:\n  eal: x\n", "unknown key 'eal' in section 'dpdk'"},
	    {"scan:\n  rate: 5\n  rate: 6\n",
	     "t.yaml:3:3: duplicate key 'rate' (first at line 2)"},
	    {"scan:\n  rate: [1\n", "t.yaml:3:1: YAML syntax error"},
	    {"scan:\n\trate: 5\n", "t.yaml:2:1: YAML syntax error"},
	    {"scan: {rate: 5\n", "YAML syntax error"},
	    {"- a\n- b\n",
	     "t.yaml:1:1: a profile is a mapping of keys, got a list"},
	    {"ports: 80\n---\nports: 81\n",
	     "t.yaml:3:1: a profile holds one YAML document"},
	    {"? [a]\n: 1\n", "t.yaml:1:3: a key must be a scalar"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;

		config_init(&cfg);
		CHECK(load(&cfg, cases[i].yaml) == -1);
		CHECK_HAS(err, cases[i].want);
		CHECK(!strchr(err, '\n'));
		config_free(&cfg);
	}
}

static void
test_yaml_forms(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(load(&cfg,
		   "targets: 10.0.0.0/8, 192.168.1.1  172.16.0.1-172.16.0.9\n"
		   "ports: [22, \"80-81\", U:53, 443]\n"
		   "excludes:\n"
		   "include_files: [a.txt]\n"
		   "default_excludes: no\n"
		   "scan:\n"
		   "  rate: 2.5M\n"
		   "  wait: 0.25\n"
		   "  seed: 0x10\n"
		   "  shard: 2/4\n"
		   "source:\n"
		   "  ip: 10.1.1.1-10.1.1.4\n"
		   "  port: \"1000-1003\"\n"
		   "  mac: 02-00-00-AA-bb-0c\n"
		   "router:\n"
		   "probe:\n"
		   "  syn_options: bare\n"
		   "output:\n"
		   "  file: '-'\n"
		   "  banners: On\n"
		   "  report_closed: yes\n"
		   "dpdk:\n"
		   "  eal_args: [--no-huge, \"--vdev=net_null0\"]\n") == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(cfg.target_count, 3);
	CHECK_STR(cfg.targets[1], "192.168.1.1");
	CHECK_STR(cfg.targets[2], "172.16.0.1-172.16.0.9");
	CHECK_STR(cfg.ports, "22,80-81,U:53,T:443");
	CHECK_EQ_U64(cfg.exclude_count, 0);
	CHECK_EQ_U64(cfg.include_file_count, 1);
	CHECK_EQ_U64(cfg.default_excludes, 0);
	CHECK_EQ_U64(cfg.rate, 2500000);
	CHECK(cfg.wait == 0.25);
	CHECK_EQ_U64(cfg.seed, 16);
	CHECK_EQ_U64(cfg.have_seed, 1);
	CHECK_EQ_U64(cfg.shard_k, 2);
	CHECK_EQ_U64(cfg.shard_n, 4);
	CHECK_EQ_U64(cfg.source_ip_first, 0x0a010101);
	CHECK_EQ_U64(cfg.source_ip_last, 0x0a010104);
	CHECK_EQ_U64(cfg.source_port_first, 1000);
	CHECK_EQ_U64(cfg.source_port_last, 1003);
	CHECK_EQ_U64(cfg.have_source_port, 1);
	CHECK(!memcmp(cfg.source_mac, "\x02\x00\x00\xaa\xbb\x0c", 6));
	CHECK_EQ_U64(cfg.have_source_mac, 1);
	CHECK_EQ_U64(cfg.syn_options, SYN_OPTIONS_BARE);
	CHECK(cfg.output_file == NULL);
	CHECK_EQ_U64(cfg.banners, 1);
	CHECK_EQ_U64(cfg.report_closed, 1);
	CHECK_STR(cfg.eal_args, "--no-huge --vdev=net_null0");

	/* A second profile replaces the keys it names, and only those. */
	CHECK(load(&cfg, "targets: [8.8.8.8]\nscan: {rate: 10k}\n"
			 "source: {ip: ''}\n") == 0);
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK_STR(cfg.targets[0], "8.8.8.8");
	CHECK_EQ_U64(cfg.rate, 10000);
	CHECK_EQ_U64(cfg.shard_k, 2);
	CHECK_EQ_U64(cfg.source_ip_first, 0);
	CHECK_STR(cfg.ports, "22,80-81,U:53,T:443");

	/* Empty documents and comments only are fine. */
	CHECK(load(&cfg, "") == 0);
	CHECK(load(&cfg, "# nothing\n") == 0);
	CHECK(load(&cfg, "---\n...\n") == 0);
	config_free(&cfg);
}

static void
test_load_file(void)
{
	struct config cfg;
	char *path =
	    temp_file("scan:\n  rate: 5\n\nprobe:\n  ttl: x\n", ".yaml");
	char want[256];

	config_init(&cfg);
	CHECK(config_load_file(&cfg, path, err, sizeof(err)) == -1);
	snprintf(want, sizeof(want), "%s:5:8: probe.ttl: 'x'", path);
	CHECK_HAS(err, want);
	CHECK(config_load_file(&cfg, "no/such/profile.yaml", err,
			       sizeof(err)) == -1);
	CHECK_HAS(err, "no/such/profile.yaml: cannot open profile");
	unlink(path);
	free(path);
	config_free(&cfg);
}

static void
test_args(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(parse(&cfg, "-p", "80,443", "10.0.0.0/24", "--rate=5000",
		    "--retries", "2", "--wait", "2.5", "--seed", "42",
		    "--shard", "2/3", "--source-ip", "10.1.1.1-10.1.1.4",
		    "--source-port", "40000-40003", "--source-mac",
		    "02:00:00:00:00:01", "--router-mac", "02:00:00:00:00:fe",
		    "--gateway", "10.0.0.1", "-o", "out.json",
		    "--output-format", "json", "--banners", "--report-closed",
		    "--quiet", "--dpdk", "--no-huge --no-pci", "--ttl", "50",
		    "--mss", "536", "--window", "1024", "--wscale", "0",
		    "--syn-options", "mss", "--port-id", "1", "--queues", "4",
		    "--mempool-size", "16383", "--ring-size", "1024",
		    "--exclude", "10.0.0.7", "--list", NULL) == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(cfg.mode, MODE_LIST);
	CHECK_STR(cfg.ports, "80,443");
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK_STR(cfg.targets[0], "10.0.0.0/24");
	CHECK_EQ_U64(cfg.rate, 5000);
	CHECK_EQ_U64(cfg.retries, 2);
	CHECK(cfg.wait == 2.5);
	CHECK_EQ_U64(cfg.seed, 42);
	CHECK_EQ_U64(cfg.have_seed, 1);
	CHECK_EQ_U64(cfg.shard_k, 2);
	CHECK_EQ_U64(cfg.shard_n, 3);
	CHECK_EQ_U64(cfg.source_ip_first, 0x0a010101);
	CHECK_EQ_U64(cfg.source_ip_last, 0x0a010104);
	CHECK_EQ_U64(cfg.source_port_first, 40000);
	CHECK_EQ_U64(cfg.source_port_last, 40003);
	CHECK(!memcmp(cfg.source_mac, "\x02\0\0\0\0\x01", 6));
	CHECK(!memcmp(cfg.router_mac, "\x02\0\0\0\0\xfe", 6));
	CHECK_EQ_U64(cfg.have_router_mac, 1);
	CHECK_EQ_U64(cfg.gateway_ip, 0x0a000001);
	CHECK_EQ_U64(cfg.have_gateway, 1);
	CHECK_STR(cfg.output_file, "out.json");
	CHECK_EQ_U64(cfg.output_format, OUTPUT_JSON);
	CHECK_EQ_U64(cfg.banners, 1);
	CHECK_EQ_U64(cfg.report_closed, 1);
	CHECK_EQ_U64(cfg.quiet, 1);
	CHECK_STR(cfg.eal_args, "--no-huge --no-pci");
	CHECK_EQ_U64(cfg.ttl, 50);
	CHECK_EQ_U64(cfg.mss, 536);
	CHECK_EQ_U64(cfg.window, 1024);
	CHECK_EQ_U64(cfg.wscale, 0);
	CHECK_EQ_U64(cfg.syn_options, SYN_OPTIONS_MSS);
	CHECK_EQ_U64(cfg.port_id, 1);
	CHECK_EQ_U64(cfg.rx_queues, 4);
	CHECK_EQ_U64(cfg.mempool_size, 16383);
	CHECK_EQ_U64(cfg.ring_size, 1024);
	CHECK_EQ_U64(cfg.exclude_count, 1);
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);
}

/* masscan's spellings, attached values, nmap habits. */
static void
test_args_aliases(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(parse(&cfg, "-sS", "-Pn", "-n", "-p80", "--adapter-ip",
		    "10.2.0.1", "--adapter-port", "55555", "--adapter-mac",
		    "02:00:00:00:00:02", "--max-rate", "1M", "--router-ip",
		    "10.2.0.254", "--excludefile", "x.conf", "--includefile",
		    "a.txt", "-iL", "b.txt", "-oX", "scan.xml", "--ports=443",
		    "--range", "10.3.0.0/16", "--max-retries", "3",
		    "--open-only", "--excludes=1.1.1.1,2.2.2.2", NULL) == 0);
	CHECK_STR(err, "");
	CHECK_STR(cfg.ports, "80,443");
	CHECK_EQ_U64(cfg.source_ip_first, 0x0a020001);
	CHECK_EQ_U64(cfg.source_ip_last, 0x0a020001);
	CHECK_EQ_U64(cfg.source_port_first, 55555);
	CHECK_EQ_U64(cfg.have_source_port, 1);
	CHECK_EQ_U64(cfg.have_source_mac, 1);
	CHECK_EQ_U64(cfg.rate, 1000000);
	CHECK_EQ_U64(cfg.gateway_ip, 0x0a0200fe);
	CHECK_EQ_U64(cfg.exclude_file_count, 1);
	CHECK_STR(cfg.exclude_files[0], "x.conf");
	CHECK_EQ_U64(cfg.include_file_count, 2);
	CHECK_STR(cfg.include_files[1], "b.txt");
	CHECK_STR(cfg.output_file, "scan.xml");
	CHECK_EQ_U64(cfg.output_format, OUTPUT_XML);
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK_EQ_U64(cfg.retries, 3);
	CHECK_EQ_U64(cfg.report_closed, 0);
	CHECK_EQ_U64(cfg.exclude_count, 2);
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "-oG", "-", "--output=r.txt", "--conf", "/dev/null",
		    NULL) == 0);
	CHECK_EQ_U64(cfg.output_format, OUTPUT_GREPABLE);
	CHECK_STR(cfg.output_file, "r.txt");
	CHECK(parse(&cfg, "-oJscan.json", "-iLt.txt", "-p=22", "-c/dev/null",
		    NULL) == 0);
	CHECK_EQ_U64(cfg.output_format, OUTPUT_JSON);
	CHECK_STR(cfg.output_file, "scan.json");
	CHECK_STR(cfg.include_files[0], "t.txt");
	CHECK_STR(cfg.ports, "22");
	config_free(&cfg);
}

/* Several -p, targets and excludes add up, as in masscan. */
static void
test_args_accumulate(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(parse(&cfg, "-p", "80", "-p", "443,8080", "--ports", "U:53", "-p",
		    "22", "10.0.0.1,10.0.0.2", "10.0.1.0/24", "--exclude",
		    "10.0.0.2", "--exclude", "10.0.1.9 10.0.1.10", "--dpdk",
		    "--no-huge", "--dpdk", "--vdev=net_null0", NULL) == 0);
	CHECK_STR(err, "");
	/* A plain spec after a U: one is TCP again, as its own -p was. */
	CHECK_STR(cfg.ports, "80,443,8080,U:53,T:22");
	CHECK_EQ_U64(cfg.target_count, 3);
	CHECK_STR(cfg.targets[1], "10.0.0.2");
	CHECK_EQ_U64(cfg.exclude_count, 3);
	CHECK_STR(cfg.eal_args, "--no-huge --vdev=net_null0");
	config_free(&cfg);
}

/* -c loads first wherever it stands; flags override; TARGETs, -p and --dpdk
 * replace the profile's, --exclude adds to them. */
static void
test_args_override(void)
{
	struct config cfg;
	char *path = temp_file("targets: [10.8.0.0/16]\n"
			       "ports: 22\n"
			       "excludes: [10.8.0.1]\n"
			       "scan: {rate: 5000, retries: 2}\n"
			       "output: {banners: true}\n"
			       "dpdk: {eal_args: --no-huge}\n",
			       ".yaml");

	config_init(&cfg);
	CHECK(parse(&cfg, "--rate", "7", "--exclude", "10.9.9.9", "-c", path,
		    NULL) == 0);
	CHECK_STR(err, "");
	CHECK_EQ_U64(cfg.rate, 7);
	CHECK_EQ_U64(cfg.retries, 2);
	CHECK_EQ_U64(cfg.banners, 1);
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK_STR(cfg.targets[0], "10.8.0.0/16");
	CHECK_STR(cfg.ports, "22");
	CHECK_EQ_U64(cfg.exclude_count, 2);
	CHECK_STR(cfg.eal_args, "--no-huge");
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "10.9.0.0/16", "-p", "80", "-p", "81", "--no-banners",
		    "--dpdk", "--in-memory", "--config=", NULL) == -1);
	CHECK_HAS(err, "--config: empty file name");
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "10.9.0.0/16", "-p", "80", "-p", "81", "--no-banners",
		    "--dpdk", "--in-memory", "--retries=0", "-c", path,
		    NULL) == 0);
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK_STR(cfg.targets[0], "10.9.0.0/16");
	CHECK_STR(cfg.ports, "80,81");
	CHECK_EQ_U64(cfg.banners, 0);
	CHECK_EQ_U64(cfg.retries, 0);
	CHECK_EQ_U64(cfg.rate, 5000);
	CHECK_STR(cfg.eal_args, "--in-memory");
	config_free(&cfg);

	/* An include file replaces the profile's targets too. */
	config_init(&cfg);
	CHECK(parse(&cfg, "-c", path, "-iL", "t.txt", NULL) == 0);
	CHECK_EQ_U64(cfg.target_count, 0);
	CHECK_EQ_U64(cfg.include_file_count, 1);
	config_free(&cfg);

	/* A bad profile: its file:line:col stands. */
	unlink(path);
	free(path);
	path = temp_file("scan:\n  ratee: 5\n", ".yaml");
	config_init(&cfg);
	CHECK(parse(&cfg, "-p", "80", "-c", path, NULL) == -1);
	CHECK_HAS(err, ":2:3: unknown key 'ratee'");
	CHECK(!strncmp(err, path, strlen(path)));
	config_free(&cfg);
	unlink(path);
	free(path);
}

static void
test_args_errors(void)
{
	static const struct {
		const char *argv[4];
		const char *want;
	} cases[] = {
	    {{"--ratee", "5"}, "unknown flag '--ratee' (see --help)"},
	    {{"-x"}, "unknown flag '-x'"},
	    {{"-p", "80", "--rate"}, "flag --rate needs a value"},
	    {{"-p"}, "flag -p needs a value"},
	    {{"-c"}, "flag -c needs a value"},
	    {{"-oX"}, "flag -oX needs a value"},
	    {{"--rate", "abc"}, "--rate: 'abc' is not a rate"},
	    {{"--rate", "1e99"}, "--rate: '1e99'"},
	    {{"--max-rate=-5"}, "--max-rate: '-5'"},
	    {{"--shard", "3/2"}, "--shard: '3/2' is not a shard"},
	    {{"--ttl", "0"}, "--ttl: '0' is not an integer in 1..255"},
	    {{"--ttl", "300"}, "--ttl: '300'"},
	    {{"--wait", "-1"}, "--wait: '-1'"},
	    {{"--banners=yes"}, "flag --banners takes no value (got 'yes')"},
	    {{"1.2.3.4.5"}, "target: bad target '1.2.3.4.5'"},
	    {{"10.0.0.0/24,,10.0.1.0/24"},
	     "target: bad target list '10.0.0.0/24,,10.0.1.0/24': empty item"},
	    {{""}, "target: empty target list"},
	    {{"-p", "99999"}, "-p: bad port '99999'"},
	    {{"-p", "80,x"}, "-p: bad port 'x'"},
	    {{"--exclude", "10.0.0.256"}, "--exclude: bad target '10.0.0.256'"},
	    {{"--exclude", "--help"}, "--exclude: bad target '--help'"},
	    {{"--source-ip", "1.2.3"}, "--source-ip: '1.2.3' is not an IPv4"},
	    {{"--adapter-port", "0"}, "--adapter-port: '0' is not a port"},
	    {{"--source-port", "9-8"}, "--source-port: '9-8' is a reversed"},
	    {{"--router-mac", "zz:00:00:00:00:00"}, "--router-mac: 'zz:00"},
	    {{"--output-format", "csv"},
	     "--output-format: 'csv' is not one of: ndjson json list grepable "
	     "xml binary"},
	    {{"--syn-options", "win"}, "--syn-options: 'win'"},
	    {{"--ring-size", "1000"},
	     "--ring-size: '1000' is not a power of two"},
	    {{"--list", "--echo"},
	     "--echo: --list, --echo and --readscan exclude each other"},
	    {{"-c", "no/such.yaml"}, "no/such.yaml: cannot open profile"},
	    {{"--include-file", ""}, "--include-file: empty file name"},
	    {{"--seed", "random!"}, "--seed: 'random!' is not a seed"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config cfg;
		const char *const *a = cases[i].argv;

		config_init(&cfg);
		CHECK(parse(&cfg, a[0], a[1], a[2], a[3], NULL) == -1);
		CHECK_HAS(err, cases[i].want);
		CHECK(!strchr(err, '\n'));
		config_free(&cfg);
	}
}

static void
test_args_modes(void)
{
	struct config cfg;

	/* --help and --version win over any other flag, good or bad. */
	config_init(&cfg);
	CHECK(parse(&cfg, "--ratee", "-c", "no/such.yaml", "--help", NULL) ==
	      0);
	CHECK_EQ_U64(cfg.mode, MODE_HELP);
	config_free(&cfg);
	config_init(&cfg);
	CHECK(parse(&cfg, "-h", NULL) == 0);
	CHECK_EQ_U64(cfg.mode, MODE_HELP);
	config_free(&cfg);
	config_init(&cfg);
	CHECK(parse(&cfg, "--version", NULL) == 0);
	CHECK_EQ_U64(cfg.mode, MODE_VERSION);
	config_free(&cfg);
	config_init(&cfg);
	CHECK(parse(&cfg, "--echo", NULL) == 0);
	CHECK_EQ_U64(cfg.mode, MODE_ECHO);
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);
	config_init(&cfg);
	CHECK(parse(&cfg, NULL) == 0);
	CHECK_EQ_U64(cfg.mode, MODE_SCAN);
	config_free(&cfg);

	/* After "--" every word is a target. */
	config_init(&cfg);
	CHECK(parse(&cfg, "-p", "1", "--", "10.0.0.1", NULL) == 0);
	CHECK_EQ_U64(cfg.target_count, 1);
	CHECK(parse(&cfg, "--", "--help", NULL) == -1);
	CHECK_HAS(err, "target: bad target '--help'");
	config_free(&cfg);
}

/* --echo: load a profile and flags, write, read back, write again. */
static void
test_echo_round_trip(void)
{
	struct config a, b, c;
	char *path =
	    temp_file("targets: [10.0.0.0/8, \"192.168.0.1-192.168.0.9\"]\n"
		      "ports: \"T:1-1024,U:53\"\n"
		      "include_files: [\"in \\\"1\\\".txt\"]\n"
		      "excludes: [10.1.0.0/16]\n"
		      "exclude_files: [ex.conf, 'back\\slash']\n"
		      "default_excludes: false\n"
		      "default_exclude_file: /etc/tide/exclude.conf\n"
		      "scan: {rate: 3.5M, retries: 3, wait: 0.1, "
		      "seed: 18446744073709551615, shard: 7/9, "
		      "pause_after: 2.5, pause_file: p.yaml}\n"
		      "source: {ip: 10.0.0.1-10.0.0.2, port: 5000, "
		      "mac: 02:aa:bb:cc:dd:ee}\n"
		      "router: {mac: 02:00:00:00:00:01, "
		      "gateway: 10.0.0.254}\n"
		      "probe: {syn_options: mss, ttl: 1, mss: 65535, "
		      "window: 0, wscale: 14}\n"
		      "output: {file: \"out\\tfile\", format: binary, "
		      "report_closed: true, banners: true, quiet: true, "
		      "stats_interval: 0.5, stats_format: json}\n"
		      "dpdk: {eal_args: \"-l 0-2 --no-huge\", port_id: 3, "
		      "rx_queues: 2, mempool_size: 511, "
		      "ring_size: 268435456}\n"
		      "resume: {tx_next: [\"1:5\", \"0:7\"], "
		      "space: 18446744073709551615}\n",
		      ".yaml");
	char *ya, *yb, *yc;

	config_init(&a);
	CHECK(parse(&a, "-c", path, "--wait", "1.3", "-p", "8080", "--exclude",
		    "10.2.0.0/16", "--source-port", "6000-6009", NULL) == 0);
	CHECK_STR(err, "");
	ya = to_yaml(&a);
	config_init(&b);
	CHECK(load(&b, ya) == 0);
	CHECK_STR(err, "");
	yb = to_yaml(&b);
	CHECK_STR(ya, yb);
	check_configs_equal(&a, &b);
	CHECK_STR(b.output_file, "out\tfile");
	CHECK_STR(b.include_files[0], "in \"1\".txt");
	CHECK_STR(b.exclude_files[1], "back\\slash");
	CHECK_STR(b.ports, "8080"); /* -p replaces the profile's */
	CHECK(b.wait == 1.3);
	CHECK_EQ_U64(b.seed, UINT64_MAX);
	CHECK(b.pause_after == 2.5);
	CHECK_STR(b.pause_file, "p.yaml");
	CHECK_EQ_U64(b.stats_format, STATS_JSON);
	CHECK_EQ_U64(b.resume_point_count, 2);
	CHECK_EQ_U64(b.resume_points[0].pass, 1);
	CHECK_EQ_U64(b.resume_points[1].index, 7);
	CHECK_EQ_U64(b.resume_space, UINT64_MAX);

	/* Any wait reads back as the same double. */
	static const double waits[] = {0,	0.1,   1e-20,
				       1.0 / 3, 86400, 1234.5678};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		config_init(&c);
		c.wait = waits[i];
		yc = to_yaml(&c);
		c.wait = 5;
		CHECK(load(&c, yc) == 0);
		CHECK(c.wait == waits[i]);
		free(yc);
		config_free(&c);
	}

	/* The defaults round-trip as well. */
	config_init(&c);
	yc = to_yaml(&c);
	config_free(&c);
	config_init(&c);
	c.rate = 1;
	CHECK(load(&c, yc) == 0);
	CHECK_STR(err, "");
	free(yb);
	yb = to_yaml(&c);
	CHECK_STR(yb, yc);
	free(yc);
	config_free(&c);

	unlink(path);
	free(path);
	free(ya);
	free(yb);
	config_free(&a);
	config_free(&b);
}

static void
test_validate(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "nothing to scan");
	CHECK(parse(&cfg, "10.0.0.1", NULL) == 0);
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "no ports");
	CHECK(parse(&cfg, "-p", "80", NULL) == 0);
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	cfg.mode = MODE_LIST;
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);

	/* Fields set directly are checked as flags would be. */
	cfg.shard_k = 3;
	cfg.shard_n = 2;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "shard 3/2");
	cfg.shard_k = 0;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	cfg.shard_k = cfg.shard_n = 1;
	cfg.source_ip_first = 0x0a000009;
	cfg.source_ip_last = 0x0a000001;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "source ip range is reversed");
	cfg.source_ip_last = cfg.source_ip_first;
	cfg.source_port_first = 9;
	cfg.source_port_last = 8;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "source port range 9-8");
	cfg.source_port_last = 9;
	cfg.ttl = 0;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "probe.ttl = 0");
	cfg.ttl = 64;
	cfg.ring_size = 1000;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK_HAS(err, "dpdk.ring_size = 1000: need a power of two");
	cfg.ring_size = 1024;
	cfg.wait = -1;
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	cfg.wait = 1;
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);

	/* Include files alone are something to scan. */
	config_init(&cfg);
	CHECK(parse(&cfg, "-iL", "list.txt", "-p", "1", NULL) == 0);
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);
}

static void
test_build_space(void)
{
	struct config cfg;
	struct target_space space;
	char *inc = temp_file("# targets\n8.8.4.0/24\n8.8.8.0/24\n", ".txt");
	char *exc = temp_file("8.8.8.128/25 # half\n", ".txt");

	config_init(&cfg);
	CHECK(parse(&cfg, "8.8.0.0/24", "--exclude", "8.8.0.0/25", "-iL", inc,
		    "--exclude-file", exc, "-p", "80,443", "-p", "U:53",
		    NULL) == 0);
	memset(&space, 0, sizeof(space));
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == 0);
	CHECK_EQ_U64(space.address_count, 128 + 256 + 128);
	CHECK_EQ_U64(space.port_count, 3);
	CHECK_EQ_U64(space.pair_count, 512 * 3);
	CHECK(!target_space_contains(&space, 0x08080880));
	CHECK(target_space_contains(&space, 0x0808087f));
	target_space_free(&space);

	/* A missing default exclude file is an error, not a silent skip. */
	config_set(&cfg, "default_exclude_file", "/no/such/exclude.conf", err,
		   sizeof(err));
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == -1);
	CHECK_HAS(err, "/no/such/exclude.conf");
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "8.8.8.8", "-p", "1", "-iL", "/no/such/targets",
		    NULL) == 0);
	CHECK(config_build_space(&cfg, &space, err, sizeof(err)) == -1);
	CHECK_HAS(err, "/no/such/targets");
	config_free(&cfg);

	unlink(inc);
	unlink(exc);
	free(inc);
	free(exc);
}

static void
test_set_unset(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(config_set(&cfg, "scan.ratee", "1", err, sizeof(err)) == -1);
	CHECK_HAS(err, "unknown key 'scan.ratee'");
	CHECK(config_set(&cfg, "probe.ttl", "9", err, sizeof(err)) == 0);
	CHECK_EQ_U64(cfg.ttl, 9);
	CHECK(config_unset(&cfg, "probe.ttl") == 0);
	CHECK_EQ_U64(cfg.ttl, 64);
	CHECK(config_set(&cfg, "output.file", "x", err, sizeof(err)) == 0);
	CHECK(config_unset(&cfg, "output.file") == 0);
	CHECK(cfg.output_file == NULL);
	CHECK(config_set(&cfg, "source.mac", "02:00:00:00:00:09", err,
			 sizeof(err)) == 0);
	CHECK(config_unset(&cfg, "source.mac") == 0);
	CHECK_EQ_U64(cfg.have_source_mac, 0);
	CHECK(config_unset(&cfg, "nope") == -1);
	config_free(&cfg);
}

static void
test_usage(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_print_usage(f);
	fclose(f);
	CHECK_HAS(buf, "usage: tidescan");
	CHECK_HAS(buf, "--rate");
	CHECK_HAS(buf, "--no-default-excludes");
	CHECK_HAS(buf, "--adapter-ip");
	CHECK_HAS(buf, "-iL");
	free(buf);
}

/* The banners section: defaults, flags, and its bad values. */
static void
test_banners_keys(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK_EQ_U64(cfg.banner_max_connections, 1000000);
	CHECK_EQ_U64(cfg.banner_max_bytes, 4096);
	CHECK_EQ_U64(cfg.banner_idle_ms, 2000);
	CHECK_EQ_U64(cfg.banner_total_ms, 10000);
	CHECK(cfg.probes_file == NULL && cfg.user_agent == NULL);
	CHECK(load(&cfg, "banners:\n  max_connections: 16\n  max_bytes: 1024\n"
			 "  user_agent: \"scanner/1 (+https://example.org)\"\n"
			 "  probes_file: my-probes.yaml\n") == 0);
	CHECK_EQ_U64(cfg.banner_max_connections, 16);
	CHECK_EQ_U64(cfg.banner_max_bytes, 1024);
	CHECK_STR(cfg.user_agent, "scanner/1 (+https://example.org)");
	CHECK_STR(cfg.probes_file, "my-probes.yaml");
	CHECK(parse(&cfg, "--max-connections", "20000000", NULL) == -1);
	CHECK(strstr(err, "--max-connections: '20000000'") != NULL);
	CHECK(parse(&cfg, "--user-agent", "a\r\nX-Evil: 1", NULL) == -1);
	CHECK(strstr(err, "control character") != NULL);
	CHECK(parse(&cfg, "--banner-bytes", "2048", "--idle-timeout", "500",
		    "--total-timeout=3000", "--user-agent", "", NULL) == 0);
	CHECK_EQ_U64(cfg.banner_max_bytes, 2048);
	CHECK_EQ_U64(cfg.banner_idle_ms, 500);
	CHECK_EQ_U64(cfg.banner_total_ms, 3000);
	CHECK(cfg.user_agent == NULL);
	CHECK(load(&cfg, "banners:\n  max_bytes: 0\n") == -1);
	CHECK(strstr(err, "t.yaml:2:14: banners.max_bytes: '0'") != NULL);
	CHECK(load(&cfg, "banners:\n  max_conections: 5\n") == -1);
	CHECK(strstr(err, "t.yaml:2:3: unknown key 'max_conections'") != NULL);
	config_free(&cfg);
}

/* --readscan takes the positional words as files, wherever it stands, and
 * the output flags as usual; --append-output sets output.append. */
static void
test_readscan_args(void)
{
	struct config cfg;

	config_init(&cfg);
	CHECK(parse(&cfg, "a.bin", "--readscan", "b.bin", "-oL", "out.txt",
		    "--append-output", NULL) == 0);
	CHECK(cfg.mode == MODE_READSCAN);
	CHECK_EQ_U64(cfg.readscan_file_count, 2);
	CHECK_STR(cfg.readscan_files[0], "a.bin");
	CHECK_STR(cfg.readscan_files[1], "b.bin");
	CHECK_EQ_U64(cfg.target_count, 0);
	CHECK(cfg.output_format == OUTPUT_LIST);
	CHECK_STR(cfg.output_file, "out.txt");
	CHECK(cfg.output_append == 1);
	CHECK_STR(config_output_format_name(cfg.output_format), "list");
	CHECK(config_validate(&cfg, err, sizeof(err)) == 0);
	config_free(&cfg);

	config_init(&cfg);
	CHECK(parse(&cfg, "--readscan", NULL) == 0);
	CHECK(config_validate(&cfg, err, sizeof(err)) == -1);
	CHECK(strstr(err, "--readscan") != NULL);
	config_free(&cfg);
}

int
main(void)
{
	test_defaults();
	test_default_yaml();
	test_shipped_profiles();
	test_exclude_conf();
	test_yaml_errors();
	test_yaml_forms();
	test_load_file();
	test_args();
	test_args_aliases();
	test_args_accumulate();
	test_args_override();
	test_args_errors();
	test_args_modes();
	test_echo_round_trip();
	test_validate();
	test_build_space();
	test_set_unset();
	test_usage();
	test_banners_keys();
	test_readscan_args();
	return check_report("test_config");
}
