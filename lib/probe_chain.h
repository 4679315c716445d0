/* probe_chain: the follow-up probes of every port — when a port's first
 * connection (nmap's NULL wait, then the registry's probe) leaves its service
 * unidentified, the nmap probes to try next, one connection each, in nmap's
 * order (sp_plan: those whose ports list the port, then the others of rarity
 * <= intensity), skipping NULL and what the first connection sent. */
#ifndef TIDESCAN_PROBE_CHAIN_H
#define TIDESCAN_PROBE_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "probes.h"
#include "service_probes.h"

/* Most follow-ups per port (connections per port: one more). */
#define PROBE_CHAIN_MAX 31

struct probe_chain {
	unsigned followups; /* per port at most, 0 to PROBE_CHAIN_MAX */
	/* 65536 rows of `followups` probe numbers of the set plus one;
	 * 0 ends a row early */
	uint16_t *steps;
};

/* Build the chains of every TCP port from set (nmap's probes, TCP ones with
 * a payload) and reg (what each port's first connection sends). 0, or -1
 * with a message (out of memory). */
int probe_chain_build(struct probe_chain *c, const struct sp_set *set,
		      const struct probe_registry *reg, unsigned intensity,
		      unsigned followups, char *err, size_t errlen);

void probe_chain_free(struct probe_chain *c);

/* The set's probe of port's follow-up `step` (1 to followups), or -1 when
 * the port has no such step. */
static inline int
probe_chain_at(const struct probe_chain *c, uint16_t port, unsigned step)
{
	if (step == 0 || step > c->followups)
		return -1;
	return (int)c->steps[(size_t)port * c->followups + step - 1] - 1;
}

/* How many follow-ups port has. */
unsigned probe_chain_length(const struct probe_chain *c, uint16_t port);

#endif
