/* output: the registry of result writers and the NDJSON writer, one object
 * per line: {"ts":..,"ip":"..","port":..,"proto":"tcp","status":"open",...}. */
#include <arpa/inet.h>
#include <string.h>

#include "output.h"

static const char *
proto_name(uint8_t proto)
{
	return proto == 17 ? "udp" : "tcp";
}

static void
ndjson_record(struct output_writer *w, const struct scan_result *r)
{
	fprintf(w->out,
		"{\"ts\":%.3f,\"ip\":\"%u.%u.%u.%u\",\"port\":%u,"
		"\"proto\":\"%s\",\"status\":\"%s\",\"ttl\":%u",
		r->ts, r->ip >> 24, (r->ip >> 16) & 0xff, (r->ip >> 8) & 0xff,
		r->ip & 0xff, r->port, proto_name(r->proto),
		result_status_name(r->status), r->ttl);
	if (r->status == RESULT_UNREACHABLE)
		fprintf(w->out, ",\"icmp_code\":%u", r->icmp_code);
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
output_write(struct output_writer *w, const struct scan_result *r)
{
	w->ops->record(w, r);
	w->records++;
}

void
output_close(struct output_writer *w)
{
	if (w->ops->end)
		w->ops->end(w);
	fflush(w->out);
}
