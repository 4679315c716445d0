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

	/* A banner rides along, escaped losslessly, with its byte count. */
	{
		static char buf[512];
		FILE *f = fmemopen(buf, sizeof(buf), "w");
		struct output_writer w;
		static const uint8_t banner[] = "SSH-2.0-x\r\n\xff";

		r.status = RESULT_OPEN;
		r.proto = 6;
		r.ip = (198u << 24) | (18u << 16) | 10;
		r.port = 22;
		r.ttl = 0;
		output_open(&w, output_format_find("ndjson"), f);
		output_write_banner(&w, &r, banner, sizeof(banner) - 1);
		output_write_banner(&w, &r, NULL, 0);
		output_close(&w);
		fclose(f);
		CHECK_STR(buf, "{\"ts\":1732540000.123,\"ip\":\"198.18.0.10\","
			       "\"port\":22,\"proto\":\"tcp\",\"status\":\"open\","
			       "\"ttl\":0,\"banner\":\"SSH-2.0-x\\r\\n\\udcff\","
			       "\"banner_bytes\":12}\n"
			       "{\"ts\":1732540000.123,\"ip\":\"198.18.0.10\","
			       "\"port\":22,\"proto\":\"tcp\",\"status\":\"open\","
			       "\"ttl\":0,\"banner\":\"\",\"banner_bytes\":0}\n");
	}

	/* A service identification follows the banner: only the fields that
	 * matched, cpe as an array, and the kind of match. */
	{
		static char buf[1024];
		FILE *f = fmemopen(buf, sizeof(buf), "w");
		struct output_writer w;
		const struct service_id ssh = {
			.match = SERVICE_HARD,
			.name = "ssh",
			.product = "OpenSSH",
			.version = "9.2p1 Debian 2+deb12u3",
			.info = "protocol \"2.0\"",
			.os = "Linux",
			.cpe_count = 2,
			.cpe = {"cpe:/a:openbsd:openssh:9.2p1", "cpe:/o:linux"},
		};
		const struct output_record rec = {
			.result = &r,
			.banner = (const uint8_t *)"SSH-2.0-x",
			.banner_len = 9,
			.service = &ssh,
		};

		output_open(&w, output_format_find("ndjson"), f);
		output_write_record(&w, &rec);
		output_close(&w);
		fclose(f);
		CHECK(strstr(buf,
			     ",\"banner_bytes\":9,\"service\":{\"name\":\"ssh\","
			     "\"product\":\"OpenSSH\",\"version\":\"9.2p1 Debian "
			     "2+deb12u3\",\"info\":\"protocol \\\"2.0\\\"\","
			     "\"os\":\"Linux\",\"cpe\":[\"cpe:/a:openbsd:openssh:"
			     "9.2p1\",\"cpe:/o:linux\"]},\"match\":\"hard\"}\n") !=
		      NULL);
	}
	return check_report("output");
}
