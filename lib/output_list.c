/* output_list: masscan's -oL — "#masscan", then a line per result,
 * "open tcp 22 198.18.1.10 1795630340" (status, protocol, port, address,
 * seconds), a "banner tcp PORT ADDR SECONDS SERVICE BANNER" line after it
 * when a banner came, and "# end". Appending goes on after the last whole
 * line; each run's lines stand between its own header and end lines. */
#include "line_escape.h"
#include "output_formats.h"

static int
list_begin(struct output_writer *w, char *err, size_t errlen)
{
	if (output_begin_lines(w, err, errlen))
		return -1;
	fputs("#masscan\n", w->out);
	return 0;
}

static void
list_record(struct output_writer *w, const struct output_record *rec)
{
	const struct scan_result *r = rec->result;
	const struct service_id *s = rec->service;
	char ip[16];

	output_ip_string(r->ip, ip);
	fprintf(w->out, "%s %s %u %s %lld\n", result_status_name(r->status),
		output_proto_name(r->proto), r->port, ip, (long long)r->ts);
	if (!rec->banner)
		return;
	fprintf(w->out, "banner %s %u %s %lld ", output_proto_name(r->proto),
		r->port, ip, (long long)r->ts);
	/* the service is one word: spaces escaped too */
	line_write_string(w->out, s && s->match ? s->name : "unknown", " ");
	fputc(' ', w->out);
	line_write_bytes(w->out, rec->banner, rec->banner_len, "");
	fputc('\n', w->out);
}

static void
list_end(struct output_writer *w)
{
	fputs("# end\n", w->out);
}

const struct output_format_ops output_list_ops = {
    .name = "list",
    .begin = list_begin,
    .record = list_record,
    .end = list_end,
};
