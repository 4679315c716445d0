/* probe_chain: every port's row is filled in two passes, as sp_plan orders
 * probes — first those whose ports or sslports list the port (found by
 * walking each probe's ranges once), then the others of rarity <= intensity
 * in file order — leaving out what the port's first connection sends. */
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "probe_chain.h"

/* The bytes a registry entry always sends, when it has no placeholder. */
static int
entry_literal(const struct probe_entry *e, const uint8_t **bytes, size_t *len)
{
	if (e->piece_count == 0) {
		*bytes = NULL;
		*len = 0;
		return 1;
	}
	if (e->piece_count == 1 && e->pieces[0].kind == PROBE_PIECE_TEXT) {
		*bytes = e->text + e->pieces[0].off;
		*len = e->pieces[0].len;
		return 1;
	}
	return 0;
}

/* Can probe i be a follow-up of port: a TCP probe that says something,
 * not NULL, and not what the first connection sent? */
static int
followup_allowed(const struct sp_set *set, const struct probe_registry *reg,
		 unsigned i, uint16_t port)
{
	const struct sp_probe *p = &set->probes[i];
	const uint8_t *first;
	size_t first_len;

	if (p->proto != 6 || i == set->null_probe || p->payload_len == 0 ||
	    p->no_payload)
		return 0;
	if (!entry_literal(probes_for_port(reg, port), &first, &first_len))
		return 1;
	return !(first_len == p->payload_len &&
		 memcmp(first, p->payload, first_len) == 0);
}

static int
listed(const struct sp_probe *p, uint16_t port)
{
	return sp_ports_have(p->ports, p->port_count, port) ||
	       sp_ports_have(p->sslports, p->sslport_count, port);
}

static void
row_add(struct probe_chain *c, uint8_t *filled, uint16_t port, unsigned i)
{
	if (filled[port] < c->followups)
		c->steps[(size_t)port * c->followups + filled[port]++] =
		    (uint16_t)(i + 1);
}

int
probe_chain_build(struct probe_chain *c, const struct sp_set *set,
		  const struct probe_registry *reg, unsigned intensity,
		  unsigned followups, char *err, size_t errlen)
{
	uint8_t *filled;

	memset(c, 0, sizeof(*c));
	if (followups > PROBE_CHAIN_MAX) {
		errf(err, errlen, "at most %u follow-up probes",
		     PROBE_CHAIN_MAX);
		return -1;
	}
	c->followups = followups;
	if (followups == 0)
		return 0;
	if (set->probe_count >= UINT16_MAX) {
		errf(err, errlen, "too many probes (%u)", set->probe_count);
		return -1;
	}
	c->steps = calloc((size_t)65536 * followups, sizeof(*c->steps));
	filled = calloc(65536, 1);
	if (!c->steps || !filled) {
		free(filled);
		probe_chain_free(c);
		errf(err, errlen, "out of memory");
		return -1;
	}
	/* the probes that list a port, in file order */
	for (unsigned i = 0; i < set->probe_count; i++) {
		const struct sp_probe *p = &set->probes[i];

		for (int ssl = 0; ssl < 2; ssl++) {
			const struct sp_range *r = ssl ? p->sslports : p->ports;
			unsigned n = ssl ? p->sslport_count : p->port_count;

			for (unsigned k = 0; k < n; k++)
				for (unsigned port = r[k].first;
				     port <= r[k].last; port++)
					/* a probe listing a port twice, or
					 * in both lists, comes once */
					if ((ssl == 0 ||
					     !sp_ports_have(p->ports,
							    p->port_count,
							    (uint16_t)port)) &&
					    !sp_ports_have(r, k,
							   (uint16_t)port) &&
					    followup_allowed(set, reg, i,
							     (uint16_t)port))
						row_add(c, filled,
							(uint16_t)port, i);
		}
	}
	/* then the others of rarity <= intensity */
	for (unsigned port = 0; port < 65536; port++)
		for (unsigned i = 0;
		     i < set->probe_count && filled[port] < followups; i++) {
			const struct sp_probe *p = &set->probes[i];

			if (p->rarity <= intensity &&
			    followup_allowed(set, reg, i, (uint16_t)port) &&
			    !listed(p, (uint16_t)port))
				row_add(c, filled, (uint16_t)port, i);
		}
	free(filled);
	return 0;
}

unsigned
probe_chain_length(const struct probe_chain *c, uint16_t port)
{
	unsigned n = 0;

	while (n < c->followups &&
	       c->steps[(size_t)port * c->followups + n] != 0)
		n++;
	return n;
}

void
probe_chain_free(struct probe_chain *c)
{
	free(c->steps);
	memset(c, 0, sizeof(*c));
}
