/* port: bringing one ethdev port up for a scan — queues, mempool on the
 * port's NUMA socket, offloads decided once — and taking it down. */
#ifndef TIDESCAN_PORT_H
#define TIDESCAN_PORT_H

#include "scan.h"

/* Configure and start scan->port_id with `queues` RX/TX queue pairs; sets
 * scan->pool, scan->our_mac (unless given), scan->tx_csum_offload. Exits with
 * a clear message on failure. */
void port_start(struct scan_context *scan, unsigned queues);
void port_stop(struct scan_context *scan);
/* NUMA socket for the port's memory (its own, or the caller's if unknown). */
int port_socket(uint16_t port_id);

#endif
