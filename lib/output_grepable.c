/* output_grepable: masscan's -oG (nmap's grepable lines) — a line per
 * result, "Timestamp: T<TAB>Host: ADDR ()<TAB>Ports: 22/open/tcp//ssh//
 * PRODUCT VERSION (INFO)/", and "Host: ADDR ()<TAB>Port: 22<TAB>Service: ssh
 * <TAB>Banner: ..." after it when a banner came; comment lines begin and
 * end each run (appending goes on after the last whole line). Tabs,
 * newlines, '/' and ',' inside a field are \xNN. */
#include <time.h>

#include "line_escape.h"
#include "output_formats.h"
#include "tidescan_build.h"

/* what separates grepable fields and the subfields of Ports: */
#define PORT_FIELD_SEPARATORS "/,"

static void
grepable_date(FILE *out, int64_t when)
{
	time_t t = (time_t)when;
	struct tm tm;
	char buf[64];

	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S %Y", &tm);
	fputs(buf, out);
}

static int
grepable_begin(struct output_writer *w, char *err, size_t errlen)
{
	if (output_begin_lines(w, err, errlen))
		return -1;
	fputs("# tidescan " TIDESCAN_VERSION " scan initiated ", w->out);
	grepable_date(w->out, w->start);
	fputc('\n', w->out);
	return 0;
}

/* nmap's version subfield: "product version (info)", of what is set. */
static void
grepable_version(FILE *out, const struct service_id *s)
{
	const char *sep = "";

	if (s->product) {
		line_write_string(out, s->product, PORT_FIELD_SEPARATORS);
		sep = " ";
	}
	if (s->version) {
		fputs(sep, out);
		line_write_string(out, s->version, PORT_FIELD_SEPARATORS);
		sep = " ";
	}
	if (s->info) {
		fprintf(out, "%s(", sep);
		line_write_string(out, s->info, PORT_FIELD_SEPARATORS);
		fputc(')', out);
	}
}

static void
grepable_record(struct output_writer *w, const struct output_record *rec)
{
	const struct scan_result *r = rec->result;
	const struct service_id *s =
	    rec->service && rec->service->match ? rec->service : NULL;
	char ip[16];

	output_ip_string(r->ip, ip);
	fprintf(w->out, "Timestamp: %lld\tHost: %s ()\tPorts: %u/%s/%s//",
		(long long)r->ts, ip, r->port, output_nmap_state(r),
		output_proto_name(r->proto));
	if (s)
		line_write_string(w->out, s->name, PORT_FIELD_SEPARATORS);
	fputs("//", w->out);
	if (s)
		grepable_version(w->out, s);
	fputs("/\n", w->out);
	if (!rec->banner)
		return;
	fprintf(w->out, "Host: %s ()\tPort: %u\tService: ", ip, r->port);
	line_write_string(w->out, s ? s->name : "unknown", "");
	fputs("\tBanner: ", w->out);
	line_write_bytes(w->out, rec->banner, rec->banner_len, "");
	fputc('\n', w->out);
}

static void
grepable_end(struct output_writer *w)
{
	fputs("# tidescan done at ", w->out);
	grepable_date(w->out, (int64_t)time(NULL));
	fputc('\n', w->out);
}

const struct output_format_ops output_grepable_ops = {
    .name = "grepable",
    .begin = grepable_begin,
    .record = grepable_record,
    .end = grepable_end,
};
