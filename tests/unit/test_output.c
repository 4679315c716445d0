/* test_output: the NDJSON writer prints exactly the documented record, and the
 * registry knows which formats exist. */
#include <stdlib.h>

#include "check.h"
#include "output.h"

static char *
render(const struct scan_result *r)
{
	static char buf[512];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	struct output_writer w;

	output_open(&w, output_format_find("ndjson"), f);
	output_write(&w, r);
	output_close(&w);
	CHECK_EQ_U64(w.records, 1);
	fclose(f);
	return buf;
}

int
main(void)
{
	struct scan_result r = {
		.ts = 1732540000.123,
		.ip = (198u << 24) | (18u << 16) | 10,
		.port = 22,
		.proto = 6,
		.status = RESULT_OPEN,
		.ttl = 64,
	};

	CHECK(output_format_find("ndjson") != NULL);
	CHECK(output_format_find("nope") == NULL);
	CHECK_STR(render(&r), "{\"ts\":1732540000.123,\"ip\":\"198.18.0.10\","
			      "\"port\":22,\"proto\":\"tcp\",\"status\":\"open\","
			      "\"ttl\":64}\n");
	r.status = RESULT_UNREACHABLE;
	r.icmp_code = 3;
	r.port = 65535;
	r.ip = 0xffffffff;
	CHECK_STR(render(&r),
		  "{\"ts\":1732540000.123,\"ip\":\"255.255.255.255\","
		  "\"port\":65535,\"proto\":\"tcp\",\"status\":\"unreachable\","
		  "\"ttl\":64,\"icmp_code\":3}\n");
	r.status = RESULT_CLOSED;
	r.proto = 17;
	CHECK(strstr(render(&r), "\"proto\":\"udp\",\"status\":\"closed\"") !=
	      NULL);
	CHECK_STR(result_status_name(RESULT_OPEN), "open");
	return check_report("output");
}
