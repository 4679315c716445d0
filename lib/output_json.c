/* output_json: masscan's -oJ — one JSON array, an object per result:
 * {   "ip": "..",   "timestamp": "..", "ports": [ {"port": 22, "proto":
 * "tcp", "status": "open", "reason": "syn-ack", "ttl": 64} ] }, with the
 * banner and the identified service in a "service" object. APPEND takes
 * the closing "]" off and goes on. */
#include <string.h>

#include "errmsg.h"
#include "json_escape.h"
#include "output_formats.h"

static void
json_string(FILE *out, const char *s)
{
	json_write_bytes(out, (const uint8_t *)s, strlen(s));
}

static void
json_string_field(FILE *out, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(out, ", \"%s\": ", key);
	json_string(out, value);
}

/* "service": {"name": .., "product": .., ..., "cpe": [..], "match": ..,
 * "banner": ..}: the name (nmap's) and fields only if identified. */
static void
json_service(FILE *out, const struct output_record *rec)
{
	const struct service_id *s = rec->service;
	const char *sep = "";

	fputs(", \"service\": {", out);
	if (s && s->match != SERVICE_NONE) {
		fputs("\"name\": ", out);
		json_string(out, s->name);
		json_string_field(out, "product", s->product);
		json_string_field(out, "version", s->version);
		json_string_field(out, "extrainfo", s->info);
		json_string_field(out, "hostname", s->hostname);
		json_string_field(out, "ostype", s->os);
		json_string_field(out, "devicetype", s->devicetype);
		if (s->cpe_count) {
			fputs(", \"cpe\": [", out);
			for (unsigned i = 0; i < s->cpe_count; i++) {
				fputs(i ? ", " : "", out);
				json_string(out, s->cpe[i]);
			}
			fputc(']', out);
		}
		fprintf(out, ", \"match\": \"%s\"",
			service_match_name((enum service_match)s->match));
		sep = ", ";
	}
	if (rec->banner) {
		fprintf(out, "%s\"banner\": ", sep);
		json_write_bytes(out, rec->banner, rec->banner_len);
	}
	fputc('}', out);
}

static int
json_begin(struct output_writer *w, char *err, size_t errlen)
{
	char tail[4];
	long n;

	if (w->mode != OUTPUT_APPEND ||
	    (n = output_tail(w->out, tail, sizeof(tail))) == 0) {
		fputs("[\n", w->out);
		return 0;
	}
	if (n < 4 || memcmp(tail + 2, "]\n", 2)) {
		errf(err, errlen,
		     "cannot append: does not end in a JSON "
		     "array's \"]\"");
		return -1;
	}
	w->continued = memcmp(tail, "[\n", 2) != 0;
	return output_truncate(w->out, ftell(w->out) - 2);
}

static void
json_record(struct output_writer *w, const struct output_record *rec)
{
	const struct scan_result *r = rec->result;
	char ip[16];

	if (w->records || w->continued)
		fputs(",\n", w->out);
	fprintf(w->out,
		"{   \"ip\": \"%s\",   \"timestamp\": \"%lld\", \"ports\": [ "
		"{\"port\": %u, \"proto\": \"%s\", \"status\": \"%s\", "
		"\"reason\": \"%s\", \"ttl\": %u",
		output_ip_string(r->ip, ip), (long long)r->ts, r->port,
		output_proto_name(r->proto), result_status_name(r->status),
		output_nmap_reason(r), r->ttl);
	if (r->status == RESULT_UNREACHABLE)
		fprintf(w->out, ", \"icmp_code\": %u", r->icmp_code);
	if (rec->banner || (rec->service && rec->service->match))
		json_service(w->out, rec);
	fputs("} ] }\n", w->out);
}

static void
json_end(struct output_writer *w)
{
	fputs("]\n", w->out);
}

const struct output_format_ops output_json_ops = {
    .name = "json",
    .begin = json_begin,
    .record = json_record,
    .end = json_end,
};
