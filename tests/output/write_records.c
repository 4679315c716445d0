/* write_records: a binary results file (-oB) from hex lines on stdin, one
 * record per line: banner = the line's bytes; the service (a hard match
 * "svc") has product, version, info, hostname, os, devicetype and one cpe
 * set to the same bytes without their NULs; a line "-" is a plain open
 * port. Record i is 198.18.2.i (mod 256, then on into 198.18.3...) port
 * 1000+i. For tests that feed every writer hostile bytes via --readscan,
 * and for scripts/bench/output.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static size_t
unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

int
main(int argc, char **argv)
{
	static char line[65536];
	static uint8_t banner[32768];
	static char text[32768];
	struct output_writer w;
	char err[256];
	uint32_t i = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.bin < hex-lines\n", argv[0]);
		return 2;
	}
	if (output_open_file(&w, output_format_find("binary"), argv[1],
			     OUTPUT_CREATE, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = unhex(line, banner), t = 0;
		struct scan_result r = {
		    .ts = 1795630000.25 + i,
		    .ip = (198u << 24) | (18u << 16) | (2u << 8) | i,
		    .port = (uint16_t)(1000 + i),
		    .proto = 6,
		    .status = RESULT_OPEN,
		    .ttl = 64,
		};
		struct service_id s = {.match = SERVICE_HARD, .name = "svc"};
		struct output_record rec = {
		    .result = &r,
		    .banner = banner,
		    .banner_len = (uint32_t)n,
		    .service = &s,
		};

		if (line[0] == '-') {
			rec.banner = NULL;
			rec.service = NULL;
		}
		for (size_t k = 0; k < n; k++)
			if (banner[k])
				text[t++] = (char)banner[k];
		text[t] = 0;
		s.product = s.version = s.info = s.hostname = s.os =
		    s.devicetype = s.cpe[0] = text;
		s.cpe_count = 1;
		output_write_record(&w, &rec);
		i++;
	}
	return output_close(&w) ? 1 : 0;
}
