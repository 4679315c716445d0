/* banner: the RX lcore's side of banner grabbing — the probe table built
 * from the registry (shared, read-only), one lib/tcp stack per RX lcore in
 * hugepages on the port's socket, and the callbacks that turn what the
 * stack says into frames (through the TX lcore) and records (to the
 * writer). */
#ifndef TIDESCAN_BANNER_H
#define TIDESCAN_BANNER_H

#include "probes.h"
#include "service_probes.h"
#include "scan.h"
#include "tcp.h"

/* What a finished connection hands the writer, through rx->banners. */
struct banner_record {
	struct scan_result result;
	uint32_t len;
	uint8_t reason; /* enum tcp_close_reason */
	uint8_t data[];
};

struct banner_probes {
	struct probe_registry registry;
	struct tcp_probe *probes;	  /* one per registry entry */
	const struct tcp_probe **by_port; /* 65536; NULL: the fallback */
	const char *user_agent;
};

/* Load the probe registry the config names (before EAL: errors are usage
 * errors), with nmap's probes for the ports it leaves to its fallback when
 * nmap is not NULL. 0, or -1 with a message. */
int banner_probes_load(struct banner_probes *bp, const struct config *cfg,
		       const struct sp_set *nmap, char *err, size_t errlen);

/* Give an RX lcore its stack, its record pool and its ring (exits on
 * failure, naming what is missing). */
void banner_lcore_setup(struct rx_lcore *rx, int socket);

/* Milliseconds since the scan started: the stack's clock. */
static inline uint64_t
banner_now_ms(const struct scan_context *scan)
{
	return (rte_rdtsc() - scan->start_tsc) / scan->tsc_per_ms;
}

/* A TCP segment to one of our endpoints, with banners on. */
void banner_handle_tcp(struct rx_lcore *rx, const struct parsed_frame *pf,
		       struct scan_result_batch *batch);

/* Once per RX poll: run the stack's due timers; in PHASE_CLOSE, reset
 * every connection still open (once). */
void banner_tick(struct rx_lcore *rx);

#endif
