/* output: the registry of result writers and the NDJSON writer, one object
 * per line: {"ts":..,"ip":"..","port":..,"proto":"tcp","status":"open",...}. */
#include <arpa/inet.h>
#include <string.h>

#include "json_escape.h"
#include "output.h"

static const char *
proto_name(uint8_t proto)
{
	return proto == 17 ? "udp" : "tcp";
}

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

	fprintf(w->out,
		"{\"ts\":%.3f,\"ip\":\"%u.%u.%u.%u\",\"port\":%u,"
		"\"proto\":\"%s\",\"status\":\"%s\",\"ttl\":%u",
		r->ts, r->ip >> 24, (r->ip >> 16) & 0xff, (r->ip >> 8) & 0xff,
		r->ip & 0xff, r->port, proto_name(r->proto),
		result_status_name(r->status), r->ttl);
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

static const struct output_format_ops ndjson_ops = {
	.name = "ndjson",
	.record = ndjson_record,
};

static const struct output_format_ops *const registry[] = {
	&ndjson_ops,
};

const struct output_format_ops *
output_format_find(const char *name)
{
	for (size_t i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (!strcmp(registry[i]->name, name))
			return registry[i];
	return NULL;
}

const char *
result_status_name(enum result_status status)
{
	switch (status) {
	case RESULT_OPEN:
		return "open";
	case RESULT_CLOSED:
		return "closed";
	case RESULT_UNREACHABLE:
		return "unreachable";
	}
	return "unknown";
}

void
output_open(struct output_writer *w, const struct output_format_ops *ops,
	    FILE *out)
{
	w->ops = ops;
	w->out = out;
	w->records = 0;
	if (ops->begin)
		ops->begin(w);
}

void
output_write_record(struct output_writer *w, const struct output_record *rec)
{
	w->ops->record(w, rec);
	w->records++;
}

void
output_write(struct output_writer *w, const struct scan_result *r)
{
	const struct output_record rec = {.result = r};

	output_write_record(w, &rec);
}

void
output_write_banner(struct output_writer *w, const struct scan_result *r,
		    const uint8_t *banner, uint32_t banner_len)
{
	static const uint8_t none[1];
	const struct output_record rec = {
		.result = r,
		.banner = banner ? banner : none,
		.banner_len = banner_len,
	};

	output_write_record(w, &rec);
}

void
output_close(struct output_writer *w)
{
	if (w->ops->end)
		w->ops->end(w);
	fflush(w->out);
}
