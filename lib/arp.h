/* arp: the ARP policy of the scanner — which requests to answer (those for
 * our source addresses) and recognising the gateway's answer when we resolve
 * its MAC. Frames are built by lib/packet. */
#ifndef TIDESCAN_ARP_H
#define TIDESCAN_ARP_H

#include <stdint.h>

#include "packet.h"

struct arp_identity {
	uint32_t ip_first; /* our source addresses, host order, inclusive */
	uint32_t ip_last;
	uint8_t mac[6];
};

/* Is this parsed frame an ARP request for one of our addresses? */
int arp_wants_answer(const struct arp_identity *us,
		     const struct parsed_frame *frame);

/* Does this parsed ARP frame tell us the MAC of ip (a reply from it, or a
 * request it sent)? Copies the MAC and returns 1 if so. */
int arp_learn(const struct parsed_frame *frame, uint32_t ip, uint8_t mac[6]);

#endif
