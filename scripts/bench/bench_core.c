/* bench_core: the per-probe cost of the TX pipeline without DPDK —
 * permute → (ip, port) → cookie → stamp into a template — on one core.
 * Usage: bench_core PROBES TARGETS PORTS [EXCLUDE_RANGES] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cookie.h"
#include "packet.h"
#include "permute.h"
#include "targets.h"

#define BURST 32

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_core: %s: %s\n", what, err);
	exit(1);
}

/* Exclude `count` small ranges spread over the targets, as a real exclude
 * list of scattered networks would. */
static void
add_excludes(struct range_list *excl, const struct range_list *incl,
	     unsigned count)
{
	uint64_t span = range_list_addresses(incl);
	uint32_t base = incl->ranges[0].first;

	for (unsigned i = 0; i < count; i++) {
		uint32_t first = base + (uint32_t)(span * i / count) + 3;

		if (range_list_add(excl, (struct ip_range){first, first + 7}))
			die("exclude", "out of memory");
	}
}

int
main(int argc, char **argv)
{
	struct range_list incl = {0}, excl = {0};
	struct port_list ports = {0};
	struct target_space space;
	struct permutation perm;
	struct siphash_key key;
	struct probe_template tpl;
	struct probe_params params = {
		.src_mac = {2, 0, 0, 0, 0, 2},
		.dst_mac = {2, 0, 0, 0, 0, 1},
		.src_ip = 0xc6120002,
		.ttl = 64,
		.mss = 1460,
		.wscale = 7,
		.window = 64240,
		.options = SYN_OPTIONS_LINUX,
	};
	static uint8_t frames[BURST][PROBE_MAX_LEN];
	char err[256];
	uint64_t probes, sink = 0;
	double t0, t1;

	if (argc < 4) {
		fprintf(stderr, "usage: %s PROBES TARGETS PORTS [EXCLUDES]\n",
			argv[0]);
		return 2;
	}
	probes = strtoull(argv[1], NULL, 10);
	if (range_list_add_token(&incl, argv[2], "argv", err, sizeof(err)))
		die("targets", err);
	if (port_list_parse(&ports, argv[3], err, sizeof(err)))
		die("ports", err);
	if (argc > 4)
		add_excludes(&excl, &incl, (unsigned)atoi(argv[4]));
	if (target_space_build(&space, &incl, &excl, &ports, err, sizeof(err)))
		die("space", err);
	permute_init(&perm, space.pair_count, 42);
	cookie_key_make(&key, 1, 42);
	probe_template_init(&tpl, &params);

	t0 = now();
	/* Staged by burst, as the TX lcore does: each stage is a loop of
	 * independent iterations the CPU can overlap. */
	for (uint64_t done = 0, pos = 0; done < probes; done += BURST) {
		uint64_t pair[BURST];
		uint32_t dst_ip[BURST], src_ip[BURST], seq[BURST];
		uint16_t dst_port[BURST], src_port[BURST];

		for (unsigned i = 0; i < BURST; i++) {
			pair[i] = permute_index(&perm, pos);
			if (++pos == space.pair_count)
				pos = 0;
		}
		for (unsigned i = 0; i < BURST; i++) {
			uint32_t proto_port;

			target_space_pair(&space, pair[i], &dst_ip[i],
					  &proto_port);
			dst_port[i] = (uint16_t)proto_port;
			src_ip[i] = params.src_ip;
			src_port[i] = 40000;
		}
		cookie_syn_burst(&key, BURST, dst_ip, dst_port, src_ip,
				 src_port, seq);
		for (unsigned i = 0; i < BURST; i++) {
			struct probe_fields f = {
				.src_ip = src_ip[i],
				.dst_ip = dst_ip[i],
				.src_port = src_port[i],
				.dst_port = dst_port[i],
				.seq = seq[i],
				.ip_id = (uint16_t)(done + i),
			};

			probe_stamp(&tpl, frames[i], &f);
		}
		sink += frames[done % BURST][40];
	}
	t1 = now();
	printf("%-28s ranges %6zu  pairs %15" PRIu64 "  %6.2f ns/probe  "
	       "%6.2f Mpps  (sink %" PRIu64 ")\n",
	       argc > 4 ? "excludes" : argv[2], space.range_count,
	       space.pair_count, (t1 - t0) * 1e9 / (double)probes,
	       (double)probes / (t1 - t0) / 1e6, sink & 0xff);
	target_space_free(&space);
	range_list_free(&incl);
	range_list_free(&excl);
	port_list_free(&ports);
	return 0;
}
