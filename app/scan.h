/* scan: what the lcores of one scan share — the read-only scan context set up
 * by main, and the per-lcore state each TX and RX lcore owns alone (counters
 * included: the main lcore only reads them). */
#ifndef TIDESCAN_SCAN_H
#define TIDESCAN_SCAN_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_reciprocal.h>
#include <rte_ring.h>

#include "config.h"
#include "cookie.h"
#include "output.h"
#include "packet.h"
#include "permute.h"
#include "targets.h"

#define BURST_SIZE 32
#define MAX_QUEUES 16

/* Read another lcore's counter (written only by its owner). */
#define COUNTER_READ(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define COUNTER_ADD(x, n) __atomic_store_n(&(x), (x) + (n), __ATOMIC_RELAXED)

/* Phases of the scan, set by the main lcore, read by the others. */
enum scan_phase {
	PHASE_SETUP = 0, /* RX runs (ARP), TX waits */
	PHASE_SEND,	 /* TX walks its slice */
	PHASE_DRAIN,	 /* no new probes; TX only forwards RX's replies */
	PHASE_CLOSE,	 /* RX resets every banner connection still open */
	PHASE_STOP,	 /* everyone returns */
};

/* Everything the lcores read and nobody writes after setup. */
struct scan_context {
	const struct config *cfg;
	struct target_space space;
	struct permutation perm;
	struct siphash_key key;
	struct source_range source;
	int source_is_range; /* pick source per target (else the firsts) */
	struct probe_template tpl;
	enum syn_options syn_options; /* the template's: see scan_prepare */
	int tx_csum_offload; /* decided once at setup */
	uint16_t port_id;
	uint8_t our_mac[6];
	uint8_t router_mac[6];
	uint64_t walk_total; /* pair_count * (retries + 1) */
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	struct rte_reciprocal_u64 tsc_per_ms; /* divides TSC ticks into ms */
	uint64_t start_tsc;
	int banners;			    /* finish handshakes, grab banners */
	const struct banner_probes *probes; /* with banners */
	/* identifies banners on the writer (main) lcore; NULL: off */
	struct banner_identifier *identify;
	/* follow-up connections per open port while unidentified (0: none);
	 * follow-up k leaves from the probe's source port + k */
	unsigned followups;
	double start_wall;
	int resumed; /* going on with a paused scan: output is appended */
	volatile int phase; /* enum scan_phase */
	/* set by the writer while its output (Redis) is nearly full: the TX
	 * lcores send no new probes until it clears */
	volatile int hold_sending;
};

/* The source endpoint a target's probe leaves from: picked by the cookie
 * key from a range, else the first address and port. */
static inline void
scan_source_of(const struct scan_context *scan, uint32_t their_ip,
	       uint16_t their_port, uint32_t *our_ip, uint16_t *our_port)
{
	*our_ip = scan->source.ip_first;
	*our_port = scan->source.port_first;
	if (scan->source_is_range)
		cookie_pick_source(&scan->key, &scan->source, their_ip,
				   their_port, our_ip, our_port);
}

/* Which of our source endpoints (ip, port) is for this target: step 0 for
 * its probe, k for its follow-up k (the probe's source port + k), -1 if it
 * is none of ours. */
static inline int
scan_source_step(const struct scan_context *scan, uint32_t their_ip,
		 uint16_t their_port, uint32_t our_ip, uint16_t our_port)
{
	uint32_t ip;
	uint16_t port, step;

	if (our_ip - scan->source.ip_first >= scan->source.ip_count)
		return -1;
	scan_source_of(scan, their_ip, their_port, &ip, &port);
	if (ip != our_ip)
		return -1;
	step = (uint16_t)(our_port - port);
	return step <= scan->followups ? step : -1;
}

/* Wall-clock seconds now, from the TSC (results' timestamps). */
static inline double
scan_wall_now(const struct scan_context *scan)
{
	return scan->start_wall +
	       (double)(rte_rdtsc() - scan->start_tsc) / (double)scan->tsc_hz;
}

struct tx_lcore {
	struct scan_context *scan;
	uint16_t queue;
	struct walk_slice slice;
	struct rte_ring *replies; /* frames from the paired RX lcore */
	/* progress, written by this lcore only */
	uint64_t position; /* first walk position not sent */
	uint64_t sent;
	uint64_t replies_sent;
	uint64_t replies_lost; /* the port would not take them */
	uint64_t tx_full; /* bursts the port did not take whole */
	volatile int done;
	/* follow-up SYNs the writer sent on this pair's behalf, not yet
	 * charged to the walk's rate gate (its own line: the writer adds) */
	uint64_t followup_syns __rte_cache_aligned;
} __rte_cache_aligned;

struct rx_lcore {
	struct scan_context *scan;
	struct tcp_stack *tcp;	      /* with banners: this lcore's stack */
	struct rte_ring *banners;     /* with banners: records to the writer */
	struct rte_mempool *records;  /* with banners: banner_record pool */
	volatile int tcp_closed;      /* PHASE_CLOSE done */
	struct banner_burst *burst;   /* with banners: [2], see banner.h */
	unsigned burst_fill;	      /* the one banner_handle_tcp fills */
	uint16_t queue;
	struct rte_ring *results; /* to the writer */
	struct rte_ring *replies; /* to the paired TX lcore */
	struct rte_ring *followups; /* with follow-ups: SYNs the writer asks */
	uint64_t *dedup;	  /* fixed table of recent answers */
	uint32_t dedup_mask;
	uint64_t gateway_mac; /* learnt during setup; 0 = not yet */
	/* counters, written by this lcore only */
	uint64_t received;
	uint64_t open, closed, unreachable;
	uint64_t duplicates;
	uint64_t bad_cookie;
	uint64_t malformed;
	uint64_t dropped; /* results lost to a full ring */
	uint64_t replies_dropped;
	uint64_t arp_answered;
	uint64_t strays; /* segments for no connection (banners) */
	uint64_t followups_sent; /* follow-up SYNs */
} __rte_cache_aligned;

/* Results of one RX burst, enqueued to the writer together. */
struct scan_result_batch {
	struct scan_result r[BURST_SIZE];
	unsigned count;
};

struct banner_probes;
struct banner_identifier;
struct tcp_stack;

/* RX helpers shared by rx.c and banner.c. */
int rx_seen_before(struct rx_lcore *rx, uint32_t ip, uint16_t port,
		   uint8_t status);
void rx_report(struct rx_lcore *rx, struct scan_result_batch *batch,
	       uint32_t ip, uint16_t port, uint8_t status, uint8_t ttl,
	       uint8_t code);
struct rte_mbuf *rx_reply_alloc(struct rx_lcore *rx);
void rx_reply_send(struct rx_lcore *rx, struct rte_mbuf *m, size_t len);
/* Close a half-open connection: RST with seq = their ack. */
void rx_reset(struct rx_lcore *rx, const struct parsed_frame *pf);
/* The same from its parts (addresses host order; mac: theirs). */
void rx_reset_to(struct rx_lcore *rx, const uint8_t mac[6], uint32_t our_ip,
		 uint32_t their_ip, uint16_t our_port, uint16_t their_port,
		 uint32_t seq);

int tx_lcore_main(void *arg);
int rx_lcore_main(void *arg);

#endif
