/* output_ndjson: one JSON object per line, tidescan's own format:
 * {"ts":..,"ip":"..","port":..,"proto":"tcp","status":"open","ttl":..,...}.
 * Appending goes on after the last whole line. */
#include <string.h>

#include "json_escape.h"
#include "output_formats.h"

static void
ndjson_string_field(FILE *out, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(out, ",\"%s\":", key);
	json_write_bytes(out, (const uint8_t *)value, strlen(value));
}

/* ,"service":{"name":..,...,"cpe":[..]},"match":"hard" */
static void
ndjson_service(FILE *out, const struct service_id *s)
{
	fputs(",\"service\":{\"name\":", out);
	json_write_bytes(out, (const uint8_t *)s->name, strlen(s->name));
	ndjson_string_field(out, "product", s->product);
	ndjson_string_field(out, "version", s->version);
	ndjson_string_field(out, "info", s->info);
	ndjson_string_field(out, "hostname", s->hostname);
	ndjson_string_field(out, "os", s->os);
	ndjson_string_field(out, "devicetype", s->devicetype);
	if (s->cpe_count) {
		fputs(",\"cpe\":[", out);
		for (unsigned i = 0; i < s->cpe_count; i++) {
			if (i)
				fputc(',', out);
			json_write_bytes(out, (const uint8_t *)s->cpe[i],
					 strlen(s->cpe[i]));
		}
		fputc(']', out);
	}
	fprintf(out, "},\"match\":\"%s\"",
		service_match_name((enum service_match)s->match));
}

static void
ndjson_record(struct output_writer *w, const struct output_record *rec)
{
	const struct scan_result *r = rec->result;
	char ip[16];

	fprintf(w->out,
		"{\"ts\":%.3f,\"ip\":\"%s\",\"port\":%u,\"proto\":\"%s\","
		"\"status\":\"%s\",\"ttl\":%u",
		r->ts, output_ip_string(r->ip, ip), r->port,
		output_proto_name(r->proto), result_status_name(r->status),
		r->ttl);
	if (r->status == RESULT_UNREACHABLE)
		fprintf(w->out, ",\"icmp_code\":%u", r->icmp_code);
	if (rec->banner) {
		fputs(",\"banner\":", w->out);
		json_write_bytes(w->out, rec->banner, rec->banner_len);
		fprintf(w->out, ",\"banner_bytes\":%u", rec->banner_len);
	}
	if (rec->service && rec->service->match != SERVICE_NONE)
		ndjson_service(w->out, rec->service);
	fputs("}\n", w->out);
}

const struct output_format_ops output_ndjson_ops = {
    .name = "ndjson",
    .begin = output_begin_lines,
    .record = ndjson_record,
};
