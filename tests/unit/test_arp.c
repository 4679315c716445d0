/* test_arp: the scanner answers ARP only for its own source addresses and
 * learns a gateway's MAC only from that gateway. */
#include "arp.h"
#include "check.h"

int
main(void)
{
	struct arp_identity us = {
		.ip_first = 0xc6120002, /* 198.18.0.2 */
		.ip_last = 0xc6120009,
		.mac = {2, 0, 0, 0, 0, 2},
	};
	struct parsed_frame f = {
		.kind = PARSED_ARP,
		.arp_op = 1,
		.arp_sha = {2, 0, 0, 0, 0, 1},
		.arp_spa = 0xc6120001,
		.arp_tpa = 0xc6120002,
	};
	uint8_t mac[6] = {0};

	CHECK(arp_wants_answer(&us, &f));
	f.arp_tpa = 0xc6120009;
	CHECK(arp_wants_answer(&us, &f));
	f.arp_tpa = 0xc612000a;
	CHECK(!arp_wants_answer(&us, &f));
	f.arp_tpa = 0xc6120001;
	CHECK(!arp_wants_answer(&us, &f));
	f.arp_tpa = 0xc6120002;
	f.arp_op = 2;
	CHECK(!arp_wants_answer(&us, &f)); /* a reply is not a question */
	f.kind = PARSED_TCP;
	f.arp_op = 1;
	CHECK(!arp_wants_answer(&us, &f));

	f.kind = PARSED_ARP;
	f.arp_op = 2;
	CHECK(arp_learn(&f, 0xc6120001, mac));
	CHECK(mac[0] == 2 && mac[5] == 1);
	CHECK(!arp_learn(&f, 0xc6120003, mac)); /* not the gateway */
	f.arp_op = 1;				 /* its own request also tells */
	CHECK(arp_learn(&f, 0xc6120001, mac));
	f.arp_op = 3;
	CHECK(!arp_learn(&f, 0xc6120001, mac));
	f.arp_op = 2;
	for (int i = 0; i < 6; i++)
		f.arp_sha[i] = 0;
	CHECK(!arp_learn(&f, 0xc6120001, mac)); /* zero MAC is no answer */
	return check_report("arp");
}
