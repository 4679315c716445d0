/* probes_nmap: one registry entry per nmap probe that some fallback port
 * gets, its payload one literal piece (nmap payloads are bytes, with no
 * placeholders). */
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "probes_nmap.h"

static int
add_entry(struct probe_registry *reg, const struct sp_probe *p)
{
	struct probe_entry *entries, *e;
	size_t n = strlen(p->name) + 6;

	entries = realloc(reg->entries, (reg->entry_count + 1) * sizeof(*e));
	if (!entries)
		return -1;
	reg->entries = entries;
	e = &entries[reg->entry_count];
	memset(e, 0, sizeof(*e));
	e->name = malloc(n);
	e->text = malloc(p->payload_len ? p->payload_len : 1);
	e->pieces = malloc(sizeof(*e->pieces));
	if (!e->name || !e->text || !e->pieces) {
		free(e->name);
		free(e->text);
		free(e->pieces);
		return -1;
	}
	snprintf(e->name, n, "nmap-%s", p->name);
	memcpy(e->text, p->payload, p->payload_len);
	e->wait_ms = reg->wait_ms;
	e->payload_max = p->payload_len;
	e->pieces[0] = (struct probe_piece){.kind = PROBE_PIECE_TEXT,
					    .len = (uint16_t)p->payload_len};
	e->piece_count = p->payload_len ? 1 : 0;
	return (int)reg->entry_count++;
}

int
probes_merge_nmap(struct probe_registry *reg, const struct sp_set *set,
		  unsigned intensity, char *err, size_t errlen)
{
	uint8_t *taken = calloc(65536, 1); /* ports nmap already gave */
	int changed = 0;

	if (!taken) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < set->probe_count; i++) {
		const struct sp_probe *p = &set->probes[i];
		int entry = -1;

		if (p->proto != 6 || i == set->null_probe || !p->payload_len ||
		    p->payload_len > PROBE_PAYLOAD_MAX || p->rarity > intensity)
			continue;
		for (int ssl = 0; ssl < 2; ssl++) {
			const struct sp_range *r = ssl ? p->sslports : p->ports;
			unsigned nr = ssl ? p->sslport_count : p->port_count;

			for (unsigned k = 0; k < nr; k++)
				for (unsigned port = r[k].first;
				     port <= r[k].last; port++) {
					if (reg->index[port] || taken[port])
						continue;
					if (entry < 0) {
						if (reg->entry_count >=
						    PROBE_ENTRIES_MAX)
							goto out;
						entry = add_entry(reg, p);
						if (entry < 0) {
							free(taken);
							errf(err, errlen,
							     "out of memory");
							return -1;
						}
					}
					taken[port] = 1;
					reg->index[port] = (uint8_t)entry;
					changed++;
				}
		}
	}
out:
	free(taken);
	return changed;
}
