/* tidescan: a DPDK poll-mode TCP SYN scanner. main() is the story of a scan:
 * load config → init EAL → set up the port → launch RX, resolve the router,
 * launch TX → write results until every probe is sent → wait for late answers
 * → stop the lcores → summary. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include "banner.h"
#include "identify.h"
#include "list.h"
#include "port.h"
#include "readscan.h"
#include "resume.h"
#include "scan.h"
#include "stats.h"
#include "tidescan_build.h"
#include "writer.h"

#define EXIT_USAGE 2
#define MAX_EAL_ARGS 64
#define DEDUP_ENTRIES (1u << 20)
#define REPLY_RING_SIZE 16384
#define ARP_TRIES 5

#define SAME_INTERRUPT_NS (250 * 1000 * 1000)

static volatile sig_atomic_t interrupts; /* SIGINT/SIGTERM seen */

/* The first interrupt stops sending and still waits for answers; a second
 * cuts the wait short. One interrupt often arrives twice at once —
 * timeout(1) signals its child and then its whole process group — so a
 * repeat within 250 ms is the same one. */
static void
on_interrupt(int sig)
{
	static struct timespec first;
	struct timespec now;

	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (interrupts == 1 &&
	    (now.tv_sec - first.tv_sec) * 1000000000 +
		    (now.tv_nsec - first.tv_nsec) <
		SAME_INTERRUPT_NS)
		return;
	if (interrupts == 0)
		first = now;
	interrupts++;
}

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage_error(const char *msg)
{
	fprintf(stderr, "tidescan: %s\n", msg);
	exit(EXIT_USAGE);
}

/* ---- configuration (no EAL yet) ---- */

/* --resume FILE: the flags beside it may change only what moves no pair;
 * a paused scan's profile is not a new scan's. */
static void
resume_check(const struct config *cfg)
{
	struct config saved;
	char err[CONFIG_ERR_LEN];

	if (cfg->mode != MODE_SCAN)
		return;
	if (!cfg->resume_file) {
		if (cfg->resume_point_count)
			usage_error("the profile is a paused scan "
				    "(resume.tx_next): go on with --resume "
				    "FILE, or empty resume.tx_next for a new "
				    "scan");
		return;
	}
	config_init(&saved);
	if (config_load_file(&saved, cfg->resume_file, err, sizeof(err)) ||
	    resume_check_overrides(&saved, cfg, err, sizeof(err)))
		usage_error(err);
	config_free(&saved);
}

static void
load_config(struct config *cfg, int argc, char **argv)
{
	char err[CONFIG_ERR_LEN];

	config_init(cfg);
	if (config_parse_args(cfg, argc, argv, err, sizeof(err)))
		usage_error(err);
	if (cfg->mode == MODE_HELP) {
		config_print_usage(stdout);
		exit(EXIT_SUCCESS);
	}
	if (cfg->mode == MODE_VERSION) {
		printf("tidescan %s (DPDK %s)\n", TIDESCAN_VERSION,
		       rte_version());
		exit(EXIT_SUCCESS);
	}
	if (config_validate(cfg, err, sizeof(err)))
		usage_error(err);
	resume_check(cfg);
}

static uint64_t
scan_seed(const struct config *cfg)
{
	uint64_t seed;

	if (cfg->have_seed)
		return cfg->seed;
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)rte_rdtsc();
	return seed;
}

/* ---- EAL ---- */

/* EAL arguments come from --dpdk "..." or the profile's dpdk section; DPDK's
 * own log goes to stderr so that stdout carries results only. */
static char *eal_args_copy; /* EAL may keep pointers into it until cleanup */

static void
eal_start(const struct config *cfg, const char *prog)
{
	char *eal_argv[MAX_EAL_ARGS];
	int eal_argc = 0;
	char *copy = eal_args_copy = strdup(cfg->eal_args ? cfg->eal_args : "");
	char *save = NULL;

	eal_argv[eal_argc++] = (char *)prog;
	eal_argv[eal_argc++] = "--log-level=4";
	for (char *tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (eal_argc == MAX_EAL_ARGS - 1)
			usage_error("too many EAL arguments in --dpdk");
		eal_argv[eal_argc++] = tok;
	}
	eal_argv[eal_argc] = NULL;
	rte_openlog_stream(stderr);
	if (rte_eal_init(eal_argc, eal_argv) < 0)
		rte_exit(EXIT_FAILURE,
			 "cannot initialise DPDK EAL with \"%s\": %s\n",
			 cfg->eal_args ? cfg->eal_args : "",
			 rte_strerror(rte_errno));
}

/* ---- the scan's shared context and its lcores ---- */

/* The walk, the cookie key and our source endpoints: what RX needs to
 * recognise answers, and TX to make probes. */
static void
scan_prepare(struct scan_context *scan, const struct config *cfg,
	     uint64_t seed)
{
	permute_init(&scan->perm, scan->space.pair_count, seed);
	if (cookie_key_make(&scan->key, cfg->have_seed, seed))
		rte_exit(EXIT_FAILURE, "cannot make the cookie key\n");
	scan->source = (struct source_range){
		.ip_first = cfg->source_ip_first,
		.ip_count = cfg->source_ip_last - cfg->source_ip_first + 1,
		.port_first = cfg->source_port_first,
		.port_count = (uint32_t)cfg->source_port_last -
			      cfg->source_port_first + 1,
	};
	scan->source_is_range =
		scan->source.ip_count > 1 || scan->source.port_count > 1;
	scan->walk_total = scan->space.pair_count * (cfg->retries + 1);
	/* A SYN that offers timestamps obliges every later segment of the
	 * connection to carry them (RFC 7323); the banner stack's do not, nor
	 * do they carry SACK blocks, without which a sender that agreed to
	 * SACK recovers a loss only by its retransmit timeout: with banners,
	 * a SYN offering either offers MSS and window scale only. */
	scan->syn_options = cfg->syn_options;
	if (scan->banners && (cfg->syn_options == SYN_OPTIONS_LINUX ||
			      cfg->syn_options == SYN_OPTIONS_NO_TIMESTAMPS))
		scan->syn_options = SYN_OPTIONS_MSS_WSCALE;
}

/* The SYN every probe is stamped from, once the router's MAC is known. */
static void
template_prepare(struct scan_context *scan, const struct config *cfg)
{
	struct probe_params params = {
		.src_ip = cfg->source_ip_first,
		.ttl = cfg->ttl,
		.mss = cfg->mss,
		.wscale = cfg->wscale,
		.window = cfg->window,
		.options = scan->syn_options,
	};

	memcpy(params.src_mac, scan->our_mac, 6);
	memcpy(params.dst_mac, scan->router_mac, 6);
	probe_template_init(&scan->tpl, &params);
}

/* Where each TX lcore's walk starts: at its slice's first position, or
 * where the paused scan's stopped. */
static void
walk_starts(const struct config *cfg, const struct target_space *space,
	    unsigned queues, uint64_t *start)
{
	struct walk_slice slices[MAX_QUEUES];
	char err[CONFIG_ERR_LEN];

	for (unsigned q = 0; q < queues; q++) {
		slices[q] =
		    walk_slice_make(space->pair_count * (cfg->retries + 1),
				    cfg->shard_k, cfg->shard_n, q, queues);
		start[q] = slices[q].first;
	}
	if (!cfg->resume_file)
		return;
	if (resume_positions(cfg, space, slices, queues, start, err,
			     sizeof(err)))
		usage_error(err);
	if (resume_walk_done(slices, start, queues)) {
		fprintf(stderr,
			"tidescan: %s: the scan is complete, nothing "
			"is left to send\n",
			cfg->resume_file);
		exit(EXIT_SUCCESS);
	}
}

static void
lcores_create(struct scan_context *scan, struct scan_lcores *lcores,
	      unsigned queues, const uint64_t *start)
{
	const struct config *cfg = scan->cfg;
	int socket = port_socket(scan->port_id);
	char name[RTE_RING_NAMESIZE];

	lcores->count = queues;
	for (unsigned q = 0; q < queues; q++) {
		struct tx_lcore *tx = rte_zmalloc_socket(
			"tx_lcore", sizeof(*tx), RTE_CACHE_LINE_SIZE, socket);
		struct rx_lcore *rx = rte_zmalloc_socket(
			"rx_lcore", sizeof(*rx), RTE_CACHE_LINE_SIZE, socket);

		if (!tx || !rx)
			rte_exit(EXIT_FAILURE, "out of memory for lcore state\n");
		snprintf(name, sizeof(name), "replies_q%u", q);
		rx->replies = rte_ring_create(name, REPLY_RING_SIZE, socket,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "results_q%u", q);
		rx->results = rte_ring_create_elem(
			name, sizeof(struct scan_result), cfg->ring_size,
			socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		rx->dedup = rte_zmalloc_socket("dedup",
					       DEDUP_ENTRIES * sizeof(uint64_t),
					       RTE_CACHE_LINE_SIZE, socket);
		if (!rx->replies || !rx->results || !rx->dedup)
			rte_exit(EXIT_FAILURE,
				 "cannot create rings/tables for queue %u: %s "
				 "(ring_size must be a power of two)\n",
				 q, rte_strerror(rte_errno));
		rx->dedup_mask = DEDUP_ENTRIES - 1;
		rx->scan = scan;
		rx->queue = (uint16_t)q;
		tx->scan = scan;
		tx->queue = (uint16_t)q;
		tx->replies = rx->replies;
		tx->slice = walk_slice_make(scan->walk_total, cfg->shard_k,
					    cfg->shard_n, q, queues);
		tx->position = start[q];
		if (scan->banners)
			banner_lcore_setup(rx, socket);
		lcores->tx[q] = tx;
		lcores->rx[q] = rx;
	}
}

/* Workers in order: RX lcore and TX lcore of queue 0, then of queue 1... */
static void
lcores_launch(struct scan_lcores *lcores, int tx_side)
{
	unsigned lcore = rte_get_next_lcore(-1, 1, 0);

	for (unsigned q = 0; q < lcores->count; q++) {
		unsigned tx_lcore = rte_get_next_lcore(lcore, 1, 0);

		if (tx_side)
			rte_eal_remote_launch(tx_lcore_main, lcores->tx[q],
					      tx_lcore);
		else
			rte_eal_remote_launch(rx_lcore_main, lcores->rx[q],
					      lcore);
		lcore = rte_get_next_lcore(tx_lcore, 1, 0);
	}
}

/* The router's MAC: given, or asked of the gateway by ARP (the RX lcores
 * hear the answer). Returns 0, or -1 if the gateway never answered. */
static int
resolve_router_mac(struct scan_context *scan, struct scan_lcores *lcores)
{
	const struct config *cfg = scan->cfg;
	uint8_t frame[64];
	size_t len;

	if (cfg->have_router_mac) {
		memcpy(scan->router_mac, cfg->router_mac, 6);
		return 0;
	}
	len = arp_request_build(frame, scan->our_mac, cfg->source_ip_first,
				cfg->gateway_ip);
	for (int try = 0; try < ARP_TRIES && !interrupts; try++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(scan->pool);

		if (m) {
			memcpy(rte_pktmbuf_mtod(m, void *), frame, len);
			m->data_len = m->pkt_len = (uint32_t)len;
			if (rte_eth_tx_burst(scan->port_id, 0, &m, 1) == 0)
				rte_pktmbuf_free(m);
		}
		for (int ms = 0; ms < 1000; ms++) {
			for (unsigned q = 0; q < lcores->count; q++) {
				uint64_t mac = __atomic_load_n(
					&lcores->rx[q]->gateway_mac,
					__ATOMIC_ACQUIRE);

				if (mac) {
					memcpy(scan->router_mac, &mac, 6);
					return 0;
				}
			}
			rte_delay_ms(1);
		}
	}
	return -1;
}

static int
all_tx_done(const struct scan_lcores *lcores)
{
	for (unsigned q = 0; q < lcores->count; q++)
		if (!lcores->tx[q]->done)
			return 0;
	return 1;
}

/* Are banner connections open, their records not yet written, or ports
 * waiting for a follow-up? (A connection's record is queued before it
 * stops counting as in use.) */
static int
banners_busy(const struct writer *w, const struct scan_lcores *lcores)
{
	if (writer_followups_pending(w))
		return 1;
	for (unsigned q = 0; q < lcores->count; q++) {
		const struct rx_lcore *rx = lcores->rx[q];

		if (rx->tcp && (COUNTER_READ(rx->tcp->counters.in_use) ||
				rte_ring_count(rx->banners)))
			return 1;
	}
	return 0;
}

/* When the ports in follow-up are done at the latest, counted from the last
 * step sent: each step after it is sent and answered, or given up, within
 * its ttl. */
static uint64_t
followups_end(const struct scan_context *scan, const struct writer *w)
{
	return w->followups.last_send_tsc +
	       scan->followups * writer_followup_ttl(w);
}

/* Banner connections still open are reset — none is left half-open on a
 * target — and their banners written; the TX lcores send the RSTs. */
static void
close_connections(struct scan_context *scan, struct writer *w,
		  const struct scan_lcores *lcores)
{
	uint64_t deadline = rte_rdtsc() + scan->tsc_hz;

	scan->phase = PHASE_CLOSE;
	for (unsigned q = 0; q < lcores->count; q++)
		while (!lcores->rx[q]->tcp_closed && rte_rdtsc() < deadline)
			writer_drain(w);
	/* A moment for the RSTs to leave through the TX lcores. */
	rte_delay_us_sleep(50 * 1000);
	writer_drain(w);
}

/* Write results while probes go out; then for `wait` seconds more while
 * late answers arrive, and on while ports are still being identified by
 * follow-up connections. The first SIGINT (or --pause-after) ends sending
 * early, the second ends waiting. */
static uint64_t
write_results(struct scan_context *scan, struct writer *w,
	      const struct scan_lcores *lcores)
{
	uint64_t deadline, busy_end, sent_tsc, pause_tsc = UINT64_MAX;

	if (scan->cfg->pause_after > 0)
		pause_tsc = rte_rdtsc() +
			    (uint64_t)(scan->cfg->pause_after * scan->tsc_hz);
	while (!all_tx_done(lcores) && !interrupts && rte_rdtsc() < pause_tsc) {
		if (writer_drain(w) == 0)
			rte_delay_us_sleep(1000);
		writer_status(w);
	}
	scan->phase = PHASE_DRAIN;
	sent_tsc = rte_rdtsc();
	deadline = sent_tsc + (uint64_t)(scan->cfg->wait * scan->tsc_hz);
	/* Banner connections still open and ports still being identified
	 * hold the end back: each gives up by itself (total timeout), so
	 * this bound, counted from the last follow-up sent (they wait for
	 * --rate), is only a safety net. */
	busy_end = deadline + (scan->followups + 1) * writer_followup_ttl(w);
	while ((rte_rdtsc() < deadline ||
		(banners_busy(w, lcores) &&
		 rte_rdtsc() < RTE_MAX(busy_end, followups_end(scan, w)))) &&
	       interrupts < 2) {
		if (writer_drain(w) == 0)
			rte_delay_us_sleep(1000);
		writer_status(w);
	}
	if (scan->banners)
		close_connections(scan, w, lcores);
	return sent_tsc;
}

static double
seconds_since(const struct scan_context *scan, uint64_t tsc)
{
	return (double)(tsc - scan->start_tsc) / (double)scan->tsc_hz;
}

/* A walk stopped before its end (SIGINT, --pause-after) is written to the
 * pause file, after the output holds every answer that came: each TX
 * lcore's first unsent position, with the profile that defines them. A
 * resumed scan writes it when complete too, so that the file it went on
 * from cannot be resumed twice. */
static void
pause_write(const struct scan_context *scan, const struct scan_lcores *lcores,
	    uint64_t seed)
{
	const struct config *cfg = scan->cfg;
	struct walk_slice slices[MAX_QUEUES];
	uint64_t positions[MAX_QUEUES];
	char err[CONFIG_ERR_LEN];
	int done;

	for (unsigned q = 0; q < lcores->count; q++) {
		slices[q] = lcores->tx[q]->slice;
		/* A finished lcore stops up to a stride past its end. */
		positions[q] = RTE_MIN(lcores->tx[q]->position, slices[q].end);
	}
	done = resume_walk_done(slices, positions, lcores->count);
	if (done && !scan->resumed)
		return;
	if (resume_write(cfg->pause_file, cfg, seed, &scan->space, positions,
			 lcores->count, err, sizeof(err)))
		rte_exit(EXIT_FAILURE, "cannot save the paused scan: %s\n",
			 err);
	if (done) {
		fprintf(stderr, "complete: %s says nothing is left to send\n",
			cfg->pause_file);
		return;
	}
	if (interrupts >= 2)
		fprintf(stderr, "tidescan: the wait was cut short: answers to "
				"the last probes sent may be missing\n");
	fprintf(stderr, "paused: go on with: tidescan --resume %s\n",
		cfg->pause_file);
}

static int
scan_run(struct config *cfg, struct scan_context *scan, uint64_t seed,
	 const char *prog)
{
	static struct scan_lcores lcores;
	struct writer w;
	unsigned queues = cfg->rx_queues;
	uint64_t sent_tsc, start[MAX_QUEUES];
	int rc;

	if (queues == 0 || queues > MAX_QUEUES)
		usage_error("dpdk queues must be 1..16");
	walk_starts(cfg, &scan->space, queues, start);
	scan->resumed = cfg->resume_file != NULL;
	if (!cfg->have_router_mac && !cfg->have_gateway)
		usage_error("need --router-mac MAC or --gateway IP to address "
			    "probes");
	if (cfg->source_ip_first == 0)
		usage_error("need --source-ip: an address of the scanner that "
			    "its kernel does not own");

	if (cfg->banners && cfg->service_identify) {
		static struct banner_identifier identify;
		char err[MATCH_ERR_LEN];

		if (banner_identifier_open(&identify, cfg, err, sizeof(err)))
			usage_error(err);
		scan->identify = &identify;
	}
	if (cfg->banners) {
		static struct banner_probes probes;
		char err[CONFIG_ERR_LEN];

		/* Follow-ups go on while identification finds no hard
		 * match: there is none to wait for without it. */
		scan->followups = scan->identify ? cfg->max_probes - 1 : 0;
		if (banner_probes_load(&probes, cfg,
				       scan->identify
					       ? match_db_set(scan->identify->db)
					       : NULL,
				       scan->followups, err, sizeof(err)))
			usage_error(err);
		scan->probes = &probes;
		scan->banners = 1;
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	eal_start(cfg, prog);
	if (rte_lcore_count() < 1 + 2 * queues)
		rte_exit(EXIT_FAILURE,
			 "too few lcores: %u queue(s) need %u (main, then an "
			 "RX and a TX lcore per queue), EAL gave %u; e.g. "
			 "--dpdk \"--lcores=0@0,1@1,2@0\"\n",
			 queues, 1 + 2 * queues, rte_lcore_count());

	scan->cfg = cfg;
	scan->port_id = (uint16_t)cfg->port_id;
	scan->tsc_hz = rte_get_tsc_hz();
	scan->tsc_per_ms = rte_reciprocal_value_u64(scan->tsc_hz / 1000);
	port_start(scan, queues);
	scan_prepare(scan, cfg, seed);
	lcores_create(scan, &lcores, queues, start);
	/* The output and the clock exist before any answer can arrive. */
	writer_open(&w, scan, &lcores);
	scan->start_wall = wall_clock();
	scan->start_tsc = rte_rdtsc();
	scan->phase = PHASE_SETUP;
	scan_stats_telemetry_start(scan, &lcores);
	lcores_launch(&lcores, 0);
	/* Interrupted before the router answered: nothing is sent, the scan
	 * ends (and is saved) as any paused one. */
	if (resolve_router_mac(scan, &lcores) && !interrupts) {
		/* The RX lcores are running: stop them before exiting. */
		scan->phase = PHASE_STOP;
		rte_eal_mp_wait_lcore();
		rte_exit(EXIT_FAILURE,
			 "gateway %u.%u.%u.%u did not answer ARP after %d "
			 "tries; check --gateway or give --router-mac\n",
			 cfg->gateway_ip >> 24, (cfg->gateway_ip >> 16) & 0xff,
			 (cfg->gateway_ip >> 8) & 0xff, cfg->gateway_ip & 0xff,
			 ARP_TRIES);
	}
	if (!interrupts) {
		template_prepare(scan, cfg);
		lcores_launch(&lcores, 1);
		scan->phase = PHASE_SEND;
	}

	sent_tsc = write_results(scan, &w, &lcores);

	scan->phase = PHASE_STOP;
	rte_eal_mp_wait_lcore();
	rc = writer_finish(&w, seconds_since(scan, rte_rdtsc()),
			   seconds_since(scan, sent_tsc));
	pause_write(scan, &lcores, seed);
	scan_stats_telemetry_stop();
	if (scan->identify)
		banner_identifier_close(scan->identify);
	port_stop(scan);
	rte_eal_cleanup();
	free(eal_args_copy);
	return rc;
}

int
main(int argc, char **argv)
{
	static struct config cfg;
	static struct scan_context scan;
	char err[CONFIG_ERR_LEN];
	uint64_t seed;

	load_config(&cfg, argc, argv);
	if (cfg.mode == MODE_ECHO) {
		config_write_yaml(&cfg, stdout);
		return EXIT_SUCCESS;
	}
	if (cfg.mode == MODE_READSCAN)
		return readscan_run(&cfg);
	if (cfg.mode == MODE_CHECK_SIGNATURES)
		return check_signatures(&cfg);
	if (cfg.mode == MODE_IDENTIFY)
		return identify_file(&cfg);
	if (config_build_space(&cfg, &scan.space, err, sizeof(err)))
		usage_error(err);
	if (cfg.mode == MODE_SCAN &&
	    scan.space.ports[scan.space.port_count - 1] >> 16 == PROTO_UDP)
		usage_error("U: ports: UDP scanning is not supported yet");
	seed = scan_seed(&cfg);
	if (cfg.mode == MODE_LIST) {
		list_pairs(&cfg, &scan.space, seed, stdout);
		return EXIT_SUCCESS;
	}
	return scan_run(&cfg, &scan, seed, argv[0]) ? EXIT_FAILURE
						    : EXIT_SUCCESS;
}
