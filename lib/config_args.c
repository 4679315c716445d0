/* config_args: the command line — masscan-style flags (with masscan's aliases)
 * mapped onto profile keys, -c profiles loaded first wherever they stand, and
 * the --help text. Every bad flag or value is a one-line error naming it. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "errmsg.h"
#include "match.h"
#include "tidescan_build.h"

enum flag_kind {
	FLAG_VALUE, /* --flag VALUE sets `key` */
	FLAG_TRUE,  /* --flag sets the boolean `key` */
	FLAG_FALSE,
	FLAG_CONFIG,	/* -c FILE: loaded before every other flag */
	FLAG_RESUME,	/* --resume FILE: a paused scan, loaded as -c is */
	FLAG_MODE,	/* --list, --echo, --help, --version */
	FLAG_OUTPUT_AS, /* -oX FILE (masscan): output file and format at once */
	FLAG_NOOP, /* nmap/masscan switches naming what tidescan always does */
};

/* Flags that replace the profile's value on first use, then accumulate. */
#define GROUP_TARGETS                                                          \
	1 /* TARGET..., --include-file: the profile's targets go */
#define GROUP_PORTS 2
#define GROUP_EAL 4

struct flag {
	const char *name;
	enum flag_kind kind;
	const char *key;
	int arg; /* FLAG_VALUE: group; FLAG_MODE: mode; FLAG_OUTPUT_AS: format
		  */
};

static const struct flag flags[] = {
    {"-c", FLAG_CONFIG, NULL, 0},
    {"--config", FLAG_CONFIG, NULL, 0},
    {"--conf", FLAG_CONFIG, NULL, 0},

    {"-p", FLAG_VALUE, "ports", GROUP_PORTS},
    {"--ports", FLAG_VALUE, "ports", GROUP_PORTS},
    {"--port", FLAG_VALUE, "ports", GROUP_PORTS},
    {"--range", FLAG_VALUE, "targets", GROUP_TARGETS},
    {"--ranges", FLAG_VALUE, "targets", GROUP_TARGETS},
    {"--include-file", FLAG_VALUE, "include_files", GROUP_TARGETS},
    {"--includefile", FLAG_VALUE, "include_files", GROUP_TARGETS},
    {"-iL", FLAG_VALUE, "include_files", GROUP_TARGETS},
    {"--exclude", FLAG_VALUE, "excludes", 0},
    {"--excludes", FLAG_VALUE, "excludes", 0},
    {"--exclude-file", FLAG_VALUE, "exclude_files", 0},
    {"--excludefile", FLAG_VALUE, "exclude_files", 0},
    {"--no-default-excludes", FLAG_FALSE, "default_excludes", 0},

    {"--rate", FLAG_VALUE, "scan.rate", 0},
    {"--max-rate", FLAG_VALUE, "scan.rate", 0},
    {"--retries", FLAG_VALUE, "scan.retries", 0},
    {"--max-retries", FLAG_VALUE, "scan.retries", 0},
    {"--wait", FLAG_VALUE, "scan.wait", 0},
    {"--seed", FLAG_VALUE, "scan.seed", 0},
    {"--shard", FLAG_VALUE, "scan.shard", 0},
    {"--shards", FLAG_VALUE, "scan.shard", 0},
    {"--pause-after", FLAG_VALUE, "scan.pause_after", 0},
    {"--pause-file", FLAG_VALUE, "scan.pause_file", 0},
    {"--resume", FLAG_RESUME, NULL, 0},

    {"--source-ip", FLAG_VALUE, "source.ip", 0},
    {"--adapter-ip", FLAG_VALUE, "source.ip", 0},
    {"--source-port", FLAG_VALUE, "source.port", 0},
    {"--adapter-port", FLAG_VALUE, "source.port", 0},
    {"--source-mac", FLAG_VALUE, "source.mac", 0},
    {"--adapter-mac", FLAG_VALUE, "source.mac", 0},
    {"--router-mac", FLAG_VALUE, "router.mac", 0},
    {"--gateway", FLAG_VALUE, "router.gateway", 0},
    {"--router-ip", FLAG_VALUE, "router.gateway", 0},

    {"--syn-options", FLAG_VALUE, "probe.syn_options", 0},
    {"--ttl", FLAG_VALUE, "probe.ttl", 0},
    {"--mss", FLAG_VALUE, "probe.mss", 0},
    {"--window", FLAG_VALUE, "probe.window", 0},
    {"--wscale", FLAG_VALUE, "probe.wscale", 0},

    {"-o", FLAG_VALUE, "output.file", 0},
    {"--output", FLAG_VALUE, "output.file", 0},
    {"--output-file", FLAG_VALUE, "output.file", 0},
    {"--output-filename", FLAG_VALUE, "output.file", 0},
    {"--output-format", FLAG_VALUE, "output.format", 0},
    {"-oD", FLAG_OUTPUT_AS, NULL, OUTPUT_NDJSON},
    {"-oJ", FLAG_OUTPUT_AS, NULL, OUTPUT_JSON},
    {"-oL", FLAG_OUTPUT_AS, NULL, OUTPUT_LIST},
    {"-oG", FLAG_OUTPUT_AS, NULL, OUTPUT_GREPABLE},
    {"-oX", FLAG_OUTPUT_AS, NULL, OUTPUT_XML},
    {"-oB", FLAG_OUTPUT_AS, NULL, OUTPUT_BINARY},
    {"--append-output", FLAG_TRUE, "output.append", 0},
    {"--report-closed", FLAG_TRUE, "output.report_closed", 0},
    {"--open-only", FLAG_FALSE, "output.report_closed", 0},
    {"--open", FLAG_FALSE, "output.report_closed", 0},
    {"--banners", FLAG_TRUE, "output.banners", 0},
    {"--no-banners", FLAG_FALSE, "output.banners", 0},
    {"-q", FLAG_TRUE, "output.quiet", 0},
    {"--quiet", FLAG_TRUE, "output.quiet", 0},
    {"--stats-interval", FLAG_VALUE, "output.stats_interval", 0},
    {"--stats-format", FLAG_VALUE, "output.stats_format", 0},
    {"--redis-queue", FLAG_VALUE, "output.redis_queue", 0},

    {"--max-connections", FLAG_VALUE, "banners.max_connections", 0},
    {"--banner-bytes", FLAG_VALUE, "banners.max_bytes", 0},
    {"--banner-buffers", FLAG_VALUE, "banners.buffers", 0},
    {"--idle-timeout", FLAG_VALUE, "banners.idle_timeout_ms", 0},
    {"--total-timeout", FLAG_VALUE, "banners.total_timeout_ms", 0},
    {"--probes", FLAG_VALUE, "banners.probes_file", 0},
    {"--user-agent", FLAG_VALUE, "banners.user_agent", 0},
    {"--http-user-agent", FLAG_VALUE, "banners.user_agent", 0},

    {"--service-probes", FLAG_VALUE, "service.probes_file", 0},
    {"--signature-cache", FLAG_VALUE, "service.cache_dir", 0},
    {"--version-intensity", FLAG_VALUE, "service.intensity", 0},
    {"--max-probes", FLAG_VALUE, "service.max_probes", 0},
    {"--no-identify", FLAG_FALSE, "service.identify", 0},
    {"--identify", FLAG_VALUE, "service.identify_file", 0},
    {"--check-signatures", FLAG_MODE, NULL, MODE_CHECK_SIGNATURES},

    {"--dpdk", FLAG_VALUE, "dpdk.eal_args", GROUP_EAL},
    {"--port-id", FLAG_VALUE, "dpdk.port_id", 0},
    {"--queues", FLAG_VALUE, "dpdk.rx_queues", 0},
    {"--rx-queues", FLAG_VALUE, "dpdk.rx_queues", 0},
    {"--mempool-size", FLAG_VALUE, "dpdk.mempool_size", 0},
    {"--ring-size", FLAG_VALUE, "dpdk.ring_size", 0},

    {"--list", FLAG_MODE, NULL, MODE_LIST},
    {"--echo", FLAG_MODE, NULL, MODE_ECHO},
    {"--readscan", FLAG_MODE, NULL, MODE_READSCAN},
    {"-h", FLAG_MODE, NULL, MODE_HELP},
    {"-?", FLAG_MODE, NULL, MODE_HELP},
    {"--help", FLAG_MODE, NULL, MODE_HELP},
    {"-V", FLAG_MODE, NULL, MODE_VERSION},
    {"--version", FLAG_MODE, NULL, MODE_VERSION},

    {"-sS", FLAG_NOOP, NULL, 0}, /* SYN scan: the only kind */
    {"-Pn", FLAG_NOOP, NULL, 0}, /* no host discovery: never done */
    {"-n", FLAG_NOOP, NULL, 0},	 /* no DNS resolution: never done */
};

#define FLAG_COUNT (sizeof(flags) / sizeof(flags[0]))

static const struct flag *
flag_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < FLAG_COUNT; i++)
		if (strlen(flags[i].name) == len &&
		    !strncmp(flags[i].name, name, len))
			return &flags[i];
	return NULL;
}

static int
takes_value(const struct flag *f)
{
	return f->kind == FLAG_VALUE || f->kind == FLAG_CONFIG ||
	       f->kind == FLAG_RESUME || f->kind == FLAG_OUTPUT_AS;
}

/* One command-line word: a flag, its value if attached ("--rate=5", "-p80"),
 * or a positional target. */
struct word {
	const struct flag *flag; /* NULL: positional, or unknown if `dash` */
	const char *value;	 /* attached value, or NULL */
	int dash;		 /* starts with '-' */
};

static struct word
word_parse(const char *arg)
{
	struct word w = {NULL, NULL, arg[0] == '-' && arg[1]};
	const char *eq;

	if (!w.dash)
		return w;
	if (arg[1] == '-') {
		eq = strchr(arg, '=');
		w.flag =
		    flag_lookup(arg, eq ? (size_t)(eq - arg) : strlen(arg));
		w.value = eq ? eq + 1 : NULL;
		return w;
	}
	w.flag = flag_lookup(arg, strlen(arg));
	if (w.flag)
		return w;
	/* Attached values: -p80, -p=80, -cFILE, -oJFILE, -iLFILE. */
	for (size_t len = 3; len >= 2; len--) {
		w.flag = strlen(arg) > len ? flag_lookup(arg, len) : NULL;
		if (w.flag && takes_value(w.flag)) {
			w.value = arg[len] == '=' ? arg + len + 1 : arg + len;
			return w;
		}
	}
	w.flag = NULL;
	return w;
}

/* The value of argv[*i]: attached, or the next word (consumed). */
static const char *
word_value(const struct word *w, int argc, char **argv, int *i)
{
	if (w->value)
		return w->value;
	if (*i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Pass 1: --help/--version win over everything; --readscan makes the
 * positional words files; -c profiles load first. */
static int
load_profiles(struct config *cfg, int argc, char **argv, char *err,
	      size_t errlen)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		struct word w = word_parse(argv[i]);

		if (!w.flag)
			continue;
		if (w.flag->kind == FLAG_MODE &&
		    (w.flag->arg == MODE_HELP || w.flag->arg == MODE_VERSION)) {
			cfg->mode = w.flag->arg;
			return 1;
		}
		if (w.flag->kind == FLAG_MODE && w.flag->arg == MODE_READSCAN)
			cfg->mode = MODE_READSCAN;
		if (takes_value(w.flag))
			word_value(&w, argc, argv, &i);
	}
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		struct word w = word_parse(argv[i]);
		const char *v;

		if (!w.flag || !takes_value(w.flag))
			continue;
		v = word_value(&w, argc, argv, &i);
		if ((w.flag->kind != FLAG_CONFIG &&
		     w.flag->kind != FLAG_RESUME) ||
		    !v)
			continue;
		if (!*v) {
			errf(err, errlen, "%s: empty file name", w.flag->name);
			return -1;
		}
		if (w.flag->kind == FLAG_RESUME) {
			if (cfg->resume_file) {
				errf(err, errlen, "--resume: given twice");
				return -1;
			}
			cfg->resume_file = strdup(v);
			if (!cfg->resume_file) {
				errf(err, errlen, "out of memory");
				return -1;
			}
		}
		if (config_load_file(cfg, v, err, errlen))
			return -1;
	}
	return 0;
}

static void
group_reset(struct config *cfg, int group, int *done)
{
	if (!group || (*done & group))
		return;
	*done |= group;
	if (group == GROUP_TARGETS) {
		config_unset(cfg, "targets");
		config_unset(cfg, "include_files");
	} else if (group == GROUP_PORTS) {
		config_unset(cfg, "ports");
	} else if (group == GROUP_EAL) {
		config_unset(cfg, "dpdk.eal_args");
	}
}

static int
set_from_flag(struct config *cfg, const char *flag, const char *key,
	      const char *value, char *err, size_t errlen)
{
	char msg[CONFIG_ERR_LEN];

	if (config_set(cfg, key, value, msg, sizeof(msg))) {
		errf(err, errlen, "%s: %s", flag, msg);
		return -1;
	}
	return 0;
}

/* Pass 2: every flag but -c, in order, over the profiles. */
static int
apply_flags(struct config *cfg, int argc, char **argv, char *err, size_t errlen)
{
	int groups = 0, mode_set = 0, only_targets = 0;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v = NULL;
		struct word w;
		const struct flag *f;

		if (!only_targets && !strcmp(arg, "--")) {
			only_targets = 1;
			continue;
		}
		w = only_targets ? (struct word){NULL, NULL, 0}
				 : word_parse(arg);
		f = w.flag;
		if (!f && w.dash) {
			errf(err, errlen, "unknown flag '%s' (see --help)",
			     arg);
			return -1;
		}
		if (!f && cfg->mode == MODE_READSCAN) {
			if (config_add_readscan_file(cfg, arg, err, errlen))
				return -1;
			continue;
		}
		if (!f) {
			group_reset(cfg, GROUP_TARGETS, &groups);
			if (set_from_flag(cfg, "target", "targets", arg, err,
					  errlen))
				return -1;
			continue;
		}
		if (takes_value(f)) {
			v = word_value(&w, argc, argv, &i);
			if (!v) {
				errf(err, errlen, "flag %s needs a value",
				     f->name);
				return -1;
			}
		} else if (w.value) {
			errf(err, errlen, "flag %s takes no value (got '%s')",
			     f->name, w.value);
			return -1;
		}
		switch (f->kind) {
		case FLAG_VALUE:
			group_reset(cfg, f->arg, &groups);
			if (set_from_flag(cfg, f->name, f->key, v, err, errlen))
				return -1;
			break;
		case FLAG_TRUE:
		case FLAG_FALSE:
			if (set_from_flag(cfg, f->name, f->key,
					  f->kind == FLAG_TRUE ? "true"
							       : "false",
					  err, errlen))
				return -1;
			break;
		case FLAG_OUTPUT_AS:
			if (set_from_flag(cfg, f->name, "output.file", v, err,
					  errlen))
				return -1;
			cfg->output_format = f->arg;
			break;
		case FLAG_MODE:
			if (mode_set && cfg->mode != (enum run_mode)f->arg) {
				errf(err, errlen,
				     "%s: --list, --echo and --readscan "
				     "exclude each other",
				     f->name);
				return -1;
			}
			cfg->mode = f->arg;
			mode_set = 1;
			break;
		case FLAG_CONFIG:
		case FLAG_RESUME:
		case FLAG_NOOP:
			break;
		}
	}
	return 0;
}

int
config_parse_args(struct config *cfg, int argc, char **argv, char *err,
		  size_t errlen)
{
	int rc = load_profiles(cfg, argc, argv, err, errlen);

	if (rc)
		return rc < 0 ? -1 : 0;
	return apply_flags(cfg, argc, argv, err, errlen);
}

/* clang-format off */
void
config_print_usage(FILE *out)
{
	fputs(
"tidescan " TIDESCAN_VERSION " - DPDK network scanner (SYN probes, stateless cookies, banners)\n"
"\n"
"usage: tidescan [-c PROFILE] [FLAGS] TARGET... -p PORTS\n"
"\n"
"  TARGET is an address, a CIDR or a range a.b.c.d-e.f.g.h (commas allowed).\n"
"  -c PROFILE is loaded first wherever it stands; flags override it. TARGETs,\n"
"  -iL, -p and --dpdk replace the profile's value, then accumulate; --exclude\n"
"  and --exclude-file add to the profile's. Flags take 'FLAG VALUE' or\n"
"  'FLAG=VALUE'. config/default.yaml documents every profile key.\n"
"\n"
"targets\n"
"  -p, --ports PORTS         22,80,1000-2000, T:80,U:53 (repeatable: adds)\n"
"  --range TARGET            same as a positional TARGET\n"
"  -iL, --include-file FILE  targets from FILE (also --includefile)\n"
"  --exclude TARGET          never probe TARGET (repeatable)\n"
"  --exclude-file FILE       excludes from FILE (also --excludefile)\n"
"  --no-default-excludes     do not apply DATADIR/exclude.conf (DATADIR is\n"
"                            $TIDESCAN_DATADIR, else " TIDESCAN_DATADIR ")\n"
"scan\n"
"  --rate N                  packets/s, k/M/G suffix, 0 = unlimited\n"
"                            (default 100000; also --max-rate)\n"
"  --retries N               extra probes per pair (default 0)\n"
"  --wait SECONDS            wait for late answers (default 10)\n"
"  --seed N                  permutation and cookie key (default random)\n"
"  --shard K/N               scan only shard K of N (default 1/1)\n"
"  --pause-after SECONDS     pause after sending so long (as SIGINT does)\n"
"  --pause-file FILE         where a pause writes the scan (paused.yaml)\n"
"  --resume FILE             go on with a paused scan; rate, wait, output\n"
"                            file, EAL arguments and the like may change\n"
"identity\n"
"  --source-ip IP[-IP]       source address or range (also --adapter-ip)\n"
"  --source-port P[-P]       source port or range, default 61000\n"
"                            (also --adapter-port)\n"
"  --source-mac MAC          default: the port's own (also --adapter-mac)\n"
"  --router-mac MAC          next hop MAC, or:\n"
"  --gateway IP              next hop to resolve by ARP (also --router-ip)\n"
"probe\n"
"  --syn-options LAYOUT      linux (default), mss, bare or no_timestamps\n"
"  --ttl N  --mss N  --window N  --wscale N   (64, 1460, 64240, 7)\n"
"output\n"
"  -o, --output FILE         default stdout ('-'); redis://HOST[:PORT]/STREAM\n"
"                            adds each result to a Redis Stream (XADD)\n"
"  --redis-queue N           results waiting for Redis (default 1048576);\n"
"                            sending holds at three quarters\n"
"  --output-format FORMAT    ndjson (default), json, list, grepable, xml, binary\n"
"  -oD/-oJ/-oL/-oG/-oX/-oB FILE   file and format at once, as masscan\n"
"  --append-output           continue the file (header once, trailer moved)\n"
"  --report-closed           report closed ports too (--open-only: not)\n"
"  --banners                 finish handshakes and grab banners (--no-banners)\n"
"  -q, --quiet               no status line\n"
"  --stats-interval SECONDS  between status lines (default 1)\n"
"  --stats-format FORMAT     text (a line on a terminal) or json (one\n"
"                            object a line on stderr, always)\n"
"banners\n"
"  --max-connections N       TCBs per RX lcore (default 1000000)\n"
"  --banner-bytes N          bytes kept per banner (default 4096)\n"
"  --banner-buffers N        receive buffers per RX lcore (default 65536)\n"
"  --idle-timeout MS         close after MS of silence (default 2000)\n"
"  --total-timeout MS        close after MS in all (default 10000)\n"
"  --probes FILE             probe registry (default DATADIR/probes.yaml)\n"
"  --user-agent TEXT         HTTP User-Agent (default: the registry's)\n"
"service identification (nmap's probes and signatures, Hyperscan)\n"
"  --service-probes FILE     nmap's probes (default " MATCH_PROBES_DEFAULT ")\n"
"  --signature-cache DIR     compiled databases (default\n"
"                            $XDG_CACHE_HOME/tidescan or ~/.cache/tidescan)\n"
"  --version-intensity N     send probes of rarity <= N, 0..9 (default 7)\n"
"  --max-probes N            connections per open port while unidentified:\n"
"                            the first, then nmap's next probes, 1..32\n"
"                            (default 6)\n"
"  --no-identify             keep banners, do not identify them\n"
"  --check-signatures        load the signatures, list the unusable lines\n"
"  --identify FILE.ndjson    re-identify saved banners, write the records\n"
"dpdk\n"
"  --dpdk \"EAL ARGS\"         EAL arguments, e.g. \"--no-huge --vdev=net_null0\"\n"
"  --port-id N               DPDK port (default 0)\n"
"  --queues N                RX queues, TX follows (default 1)\n"
"  --mempool-size N          mbufs per port (default 8191)\n"
"  --ring-size N             results ring, power of two (default 65536)\n"
"modes\n"
"  --list                    print the (address, port) pairs in scan order\n"
"  --echo                    print the effective profile as YAML\n"
"  --readscan FILE...        convert binary files (-oB) to --output-format\n"
"  -h, --help                this text\n"
"  -V, --version             the version\n"
"  -sS, -Pn, -n              accepted for nmap/masscan habits: tidescan always\n"
"                            SYN-scans, never pings first, never resolves names\n",
	      out);
}
/* clang-format on */
