/* banner: the RX lcore's side of banner grabbing — the probe table built
 * from the registry (shared, read-only), one lib/tcp stack per RX lcore in
 * hugepages on the port's socket, and the callbacks that turn what the
 * stack says into frames (through the TX lcore) and records (to the
 * writer). */
#ifndef TIDESCAN_BANNER_H
#define TIDESCAN_BANNER_H

#include "probe_chain.h"
#include "probes.h"
#include "service_probes.h"
#include "scan.h"
#include "tcp.h"

/* What a finished connection hands the writer, through rx->banners. */
struct banner_record {
	struct scan_result result;
	uint32_t len;
	uint8_t reason; /* enum tcp_close_reason */
	uint8_t step;	/* 0: the port's first connection; k: follow-up k */
	uint8_t data[];
};

/* One RX burst's segments for the stack — queued by banner_handle_tcp,
 * handed over together by banner_burst_advance — with what the RX lcore
 * needs of their frames afterwards. An RX lcore has two: the one being
 * filled from the burst in hand and the one held from the burst before,
 * whose frames are not freed yet. */
struct banner_burst {
	unsigned n;
	struct tcp_segment seg[BURST_SIZE];
	enum tcp_verdict verdict[BURST_SIZE];
	uint8_t mac[BURST_SIZE][6]; /* their frame's source */
	uint8_t cookie_ok[BURST_SIZE];
	uint8_t step[BURST_SIZE]; /* the follow-up its tuple stands for */
};

struct banner_probes {
	struct probe_registry registry;
	struct tcp_probe *probes;	  /* one per registry entry */
	const struct tcp_probe **by_port; /* 65536; NULL: the fallback */
	const char *user_agent;
	/* follow-ups (scan->followups > 0): each port's next nmap probes,
	 * and a tcp_probe for each probe of nmap's set */
	struct probe_chain chain;
	struct tcp_probe *nmap_probes;
};

/* Load the probe registry the config names (before EAL: errors are usage
 * errors), with nmap's probes for the ports it leaves to its fallback when
 * nmap is not NULL, and `followups` follow-up probes per port from nmap's
 * (0: none). 0, or -1 with a message. */
int banner_probes_load(struct banner_probes *bp, const struct config *cfg,
		       const struct sp_set *nmap, unsigned followups,
		       char *err, size_t errlen);

/* Give an RX lcore its stack, its record pool and its ring (exits on
 * failure, naming what is missing). */
void banner_lcore_setup(struct rx_lcore *rx, int socket);

/* Milliseconds since the scan started: the stack's clock (a multiply and
 * a shift, no division). */
static inline uint64_t
banner_now_ms(const struct scan_context *scan)
{
	return rte_reciprocal_divide_u64(rte_rdtsc() - scan->start_tsc,
					 &scan->tsc_per_ms);
}

/* A TCP segment to one of our endpoints, with banners on — the probe's own
 * (step 0) or follow-up `step`'s: checked, then queued in the burst being
 * filled (its payload must stay until the stack has taken it). */
void banner_handle_tcp(struct rx_lcore *rx, const struct parsed_frame *pf,
		       unsigned step);

/* Once per RX burst, after its frames: start loading the index lines of
 * the burst just filled and hold it; hand the held one (the RX burst
 * before) to the stack and act on what it says of each segment (results
 * for open ports it could not hold, closed ports, resets for strays). Its
 * frames may be freed afterwards. The stack's misses on the new burst so
 * overlap its work on the old one. */
void banner_burst_advance(struct rx_lcore *rx, struct scan_result_batch *batch);

/* Hand the held burst to the stack (nothing new came: it waits no
 * longer). Its frames may be freed afterwards. */
void banner_burst_flush(struct rx_lcore *rx, struct scan_result_batch *batch);

/* Once per RX poll: run the stack's due timers; send the follow-up SYNs
 * the writer asked for; in PHASE_CLOSE, reset every connection still open
 * (once). */
void banner_tick(struct rx_lcore *rx);

/* Follow-up requests, writer to RX lcore: (address, port, step) packed
 * in a ring entry. */
static inline void *
banner_followup_pack(uint32_t ip, uint16_t port, unsigned step)
{
	return (void *)(uintptr_t)((uint64_t)ip << 32 | (uint32_t)port << 8 |
				   step);
}

static inline void
banner_followup_unpack(const void *req, uint32_t *ip, uint16_t *port,
		       unsigned *step)
{
	uint64_t v = (uint64_t)(uintptr_t)req;

	*ip = (uint32_t)(v >> 32);
	*port = (uint16_t)(v >> 8);
	*step = (unsigned)(v & 0xff);
}

#endif
