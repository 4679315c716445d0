/* probes_nmap: nmap's probes merged into the banner probe registry — a port
 * that config/probes.yaml leaves to its fallback gets what nmap -sV sends it
 * after the NULL probe: the first probe (file order) whose ports or sslports
 * list the port, sent if the server says nothing (server-first). */
#ifndef TIDESCAN_PROBES_NMAP_H
#define TIDESCAN_PROBES_NMAP_H

#include <stddef.h>

#include "probes.h"
#include "service_probes.h"

/* Add an entry "nmap-NAME" per nmap TCP probe that takes over a port (of
 * rarity <= intensity, payload within PROBE_PAYLOAD_MAX, entries within
 * PROBE_ENTRIES_MAX). Returns how many ports changed hands, or -1 with a
 * message (out of memory). */
int probes_merge_nmap(struct probe_registry *reg, const struct sp_set *set,
		      unsigned intensity, char *err, size_t errlen);

#endif
