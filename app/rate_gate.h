/* rate_gate: a TSC token bucket, consulted once per burst. The TX lcores
 * pace the walk with one each; the writer paces follow-up SYNs with its own
 * and charges what it sent to the TX lcores' buckets, so that --rate bounds
 * every SYN the scan sends. */
#ifndef TIDESCAN_RATE_GATE_H
#define TIDESCAN_RATE_GATE_H

#include <rte_common.h>
#include <rte_cycles.h>

#include "scan.h"

struct rate_gate {
	double tokens; /* below 0 while a charge is being paid off */
	double tokens_per_tsc;
	double capacity;
	uint64_t last_tsc;
	int unlimited;
};

static inline void
rate_gate_init(struct rate_gate *gate, uint64_t rate, uint64_t tsc_hz)
{
	gate->unlimited = rate == 0;
	gate->tokens_per_tsc = (double)rate / (double)tsc_hz;
	/* Hold at most 10 ms of credit (and at least one burst): enough to
	 * make up for a lcore that was briefly preempted, too little for a
	 * stalled port to turn into a flood once it drains. */
	gate->capacity = RTE_MAX((double)BURST_SIZE, (double)rate / 100.0);
	gate->tokens = 0;
	gate->last_tsc = rte_rdtsc();
}

/* Up to `want` packets may leave now; returns how many. */
static inline unsigned
rate_gate_take(struct rate_gate *gate, unsigned want)
{
	uint64_t now;
	unsigned granted;

	if (gate->unlimited)
		return want;
	now = rte_rdtsc();
	gate->tokens += (double)(now - gate->last_tsc) * gate->tokens_per_tsc;
	gate->last_tsc = now;
	if (gate->tokens > gate->capacity)
		gate->tokens = gate->capacity;
	if (gate->tokens < 1.0)
		return 0;
	granted = gate->tokens >= want ? want : (unsigned)gate->tokens;
	gate->tokens -= granted;
	return granted;
}

/* Packets that left by another way are paid from this bucket. */
static inline void
rate_gate_charge(struct rate_gate *gate, uint64_t sent)
{
	if (!gate->unlimited)
		gate->tokens -= (double)sent;
}

#endif
