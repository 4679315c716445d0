/* arp: which ARP requests the scanner answers, and learning the gateway's
 * MAC from what it says. */
#include <string.h>

#include "arp.h"

#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

int
arp_wants_answer(const struct arp_identity *us,
		 const struct parsed_frame *frame)
{
	return frame->kind == PARSED_ARP && frame->arp_op == ARP_OP_REQUEST &&
	       frame->arp_tpa >= us->ip_first && frame->arp_tpa <= us->ip_last;
}

int
arp_learn(const struct parsed_frame *frame, uint32_t ip, uint8_t mac[6])
{
	static const uint8_t zero[6];

	if (frame->kind != PARSED_ARP || frame->arp_spa != ip)
		return 0;
	if (frame->arp_op != ARP_OP_REPLY && frame->arp_op != ARP_OP_REQUEST)
		return 0;
	if (!memcmp(frame->arp_sha, zero, 6))
		return 0;
	memcpy(mac, frame->arp_sha, 6);
	return 1;
}
