/* output_xml: nmap's -oX format (valid against nmap.dtd, rendered by
 * nmap.xsl, compared by ndiff). Results arrive interleaved over hosts, and
 * nmap's tools want one <host> per address: records are kept (encoded by
 * lib/record_codec) and written grouped by host, sorted, at the end — or
 * whenever XML_BUFFER_BYTES are kept, when a host seen again later gets a
 * second <host>. Banners are <script id="banner" output=...>, services
 * <service ... method="probed">. APPEND takes <runstats> off and goes on. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errmsg.h"
#include "json_escape.h"
#include "output_formats.h"
#include "record_codec.h"
#include "tidescan_build.h"

#define XML_BUFFER_BYTES (64u << 20)

struct xml_entry {
	uint32_t ip;
	uint16_t port;
	uint8_t proto;
	uint64_t seq; /* arrival: keeps the sort stable */
	size_t offset;
	uint32_t len;
};

struct xml_state {
	uint8_t *data;
	size_t used, cap;
	struct xml_entry *index;
	size_t count, index_cap;
	uint64_t hosts; /* <host> elements written, earlier runs' included */
	struct record_decoded dec;
};

/* Bytes as XML text or attribute value. XML 1.0 cannot carry NUL, most C0
 * controls, U+FFFE/U+FFFF or bytes that are not UTF-8, even as character
 * references: those (and the backslash) become the text \xNN, as masscan
 * writes banners. Tab, LF and CR are character references, so attribute
 * normalization keeps them. */
static void
xml_write_bytes(FILE *out, const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n, run = i;

		/* printable ASCII that is not markup: one fwrite per run */
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		       !strchr("&<>\"\\", p[run]))
			run++;
		if (run > i) {
			fwrite(p + i, 1, run - i, out);
			i = run;
			continue;
		}
		n = utf8_sequence_length(p + i, len - i);

		if (n > 1 && !(n == 3 && c == 0xef && p[i + 1] == 0xbf &&
			       p[i + 2] >= 0xbe)) {
			fwrite(p + i, 1, n, out);
			i += n;
			continue;
		}
		if (n > 1) /* U+FFFE, U+FFFF */
			n = 3;
		else
			n = 1;
		for (size_t k = 0; k < n; k++, i++) {
			c = p[i];
			switch (c) {
			case '&':
				fputs("&amp;", out);
				break;
			case '<':
				fputs("&lt;", out);
				break;
			case '>':
				fputs("&gt;", out);
				break;
			case '"':
				fputs("&quot;", out);
				break;
			case '\t':
			case '\n':
			case '\r':
				fprintf(out, "&#%u;", c);
				break;
			default:
				if (c < 0x20 || c >= 0x7f || c == '\\')
					fprintf(out, "\\x%02x", c);
				else
					fputc(c, out);
			}
		}
	}
}

static void
xml_attr(FILE *out, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(out, " %s=\"", name);
	xml_write_bytes(out, (const uint8_t *)value, strlen(value));
	fputc('"', out);
}

static void
xml_timestr(int64_t when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%a %b %d %H:%M:%S %Y", &tm);
}

/* ---- APPEND: the file must end in our trailer ---- */

static int
xml_continue(struct output_writer *w, struct xml_state *s, char *err,
	     size_t errlen)
{
	char tail[1024], *at = NULL;
	long n = output_tail(w->out, tail, sizeof(tail) - 1), end;
	unsigned long long up;

	if (n < 0)
		return -1;
	tail[n] = '\0';
	end = ftell(w->out);
	for (char *p = tail; (p = strstr(p, "<runstats>")); p++)
		at = p;
	if (!at || !strstr(at, "</nmaprun>") ||
	    sscanf(strstr(at, "<hosts up=\"") ? strstr(at, "<hosts up=\"") : "",
		   "<hosts up=\"%llu\"", &up) != 1) {
		errf(err, errlen,
		     "cannot append: does not end in tidescan's "
		     "<runstats>...</nmaprun>");
		return -1;
	}
	s->hosts = up;
	w->continued = up > 0;
	return output_truncate(w->out, end - (long)(tail + n - at));
}

static int
xml_begin(struct output_writer *w, char *err, size_t errlen)
{
	struct xml_state *s = calloc(1, sizeof(*s));
	char tail[1], timestr[64];

	w->state = s;
	if (!s) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	if (w->mode == OUTPUT_APPEND && output_tail(w->out, tail, 1) > 0)
		return xml_continue(w, s, err, errlen);
	xml_timestr(w->start, timestr, sizeof(timestr));
	fprintf(w->out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<!DOCTYPE nmaprun>\n"
		"<?xml-stylesheet href=\"file:///usr/share/nmap/nmap.xsl\" "
		"type=\"text/xsl\"?>\n"
		"<!-- tidescan " TIDESCAN_VERSION " scan, in nmap's XML format "
		"(whose DTD knows the scanner \"nmap\" only) -->\n"
		"<nmaprun scanner=\"nmap\" args=\"tidescan\" start=\"%lld\" "
		"startstr=\"%s\" version=\"tidescan " TIDESCAN_VERSION "\" "
		"xmloutputversion=\"1.05\">\n"
		"<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"0\" "
		"services=\"\"/>\n"
		"<verbose level=\"0\"/>\n"
		"<debugging level=\"0\"/>\n",
		(long long)w->start, timestr);
	return 0;
}

/* ---- one <host> per address ---- */

static void
xml_service(FILE *out, const struct service_id *s)
{
	fputs("<service", out);
	xml_attr(out, "name", s->name);
	xml_attr(out, "product", s->product);
	xml_attr(out, "version", s->version);
	xml_attr(out, "extrainfo", s->info);
	xml_attr(out, "hostname", s->hostname);
	xml_attr(out, "ostype", s->os);
	xml_attr(out, "devicetype", s->devicetype);
	/* a softmatch is less sure than a match */
	fprintf(out, " method=\"probed\" conf=\"%u\"",
		s->match == SERVICE_HARD ? 10 : 8);
	if (!s->cpe_count) {
		fputs("/>", out);
		return;
	}
	fputc('>', out);
	for (unsigned i = 0; i < s->cpe_count; i++) {
		fputs("<cpe>", out);
		xml_write_bytes(out, (const uint8_t *)s->cpe[i],
				strlen(s->cpe[i]));
		fputs("</cpe>", out);
	}
	fputs("</service>", out);
}

static void
xml_port(FILE *out, const struct output_record *rec)
{
	const struct scan_result *r = rec->result;

	fprintf(out,
		"<port protocol=\"%s\" portid=\"%u\"><state state=\"%s\" "
		"reason=\"%s\" reason_ttl=\"%u\"/>",
		output_proto_name(r->proto), r->port, output_nmap_state(r),
		output_nmap_reason(r), r->ttl);
	if (rec->service && rec->service->match != SERVICE_NONE)
		xml_service(out, rec->service);
	if (rec->banner) {
		fputs("<script id=\"banner\" output=\"", out);
		xml_write_bytes(out, rec->banner, rec->banner_len);
		fputs("\"/>", out);
	}
	fputs("</port>\n", out);
}

static struct output_record *
xml_entry_decode(struct xml_state *s, const struct xml_entry *e)
{
	/* the writer encoded it: it decodes */
	if (record_decode(&s->dec, s->data + e->offset, e->len))
		abort();
	return &s->dec.rec;
}

/* index[first..last): one address's results, sorted by port */
static void
xml_host(struct output_writer *w, struct xml_state *s, size_t first,
	 size_t last)
{
	FILE *out = w->out;
	double t0 = 1e300, t1 = 0;
	const struct output_record *rec;
	char ip[16];

	for (size_t i = first; i < last; i++) {
		rec = xml_entry_decode(s, &s->index[i]);
		t0 = rec->result->ts < t0 ? rec->result->ts : t0;
		t1 = rec->result->ts > t1 ? rec->result->ts : t1;
	}
	rec = xml_entry_decode(s, &s->index[first]);
	fprintf(
	    out,
	    "<host starttime=\"%lld\" endtime=\"%lld\"><status state=\"up\" "
	    "reason=\"%s\" reason_ttl=\"%u\"/>\n"
	    "<address addr=\"%s\" addrtype=\"ipv4\"/>\n<hostnames>\n"
	    "</hostnames>\n<ports>",
	    (long long)t0, (long long)t1, output_nmap_reason(rec->result),
	    rec->result->ttl, output_ip_string(s->index[first].ip, ip));
	for (size_t i = first; i < last; i++)
		xml_port(out, xml_entry_decode(s, &s->index[i]));
	fputs("</ports>\n</host>\n", out);
	s->hosts++;
}

static int
entry_compare(const void *a, const void *b)
{
	const struct xml_entry *x = a, *y = b;

	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
xml_flush(struct output_writer *w, struct xml_state *s)
{
	size_t first = 0;

	qsort(s->index, s->count, sizeof(s->index[0]), entry_compare);
	for (size_t i = 1; i <= s->count; i++)
		if (i == s->count || s->index[i].ip != s->index[first].ip) {
			xml_host(w, s, first, i);
			first = i;
		}
	s->count = 0;
	s->used = 0;
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *grown;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	grown = realloc(*p, n * size);
	if (!grown)
		return -1;
	*p = grown;
	*cap = n;
	return 0;
}

static void
xml_record(struct output_writer *w, const struct output_record *rec)
{
	struct xml_state *s = w->state;
	size_t len = record_encoded_size(rec);
	struct xml_entry *e;

	if (s->used && s->used + len > XML_BUFFER_BYTES)
		xml_flush(w, s);
	if (grow((void **)&s->data, &s->cap, s->used + len, 1) ||
	    grow((void **)&s->index, &s->index_cap, s->count + 1,
		 sizeof(*s->index))) {
		w->lost++;
		return;
	}
	record_encode(rec, s->data + s->used);
	e = &s->index[s->count];
	*e = (struct xml_entry){
	    .ip = rec->result->ip,
	    .port = rec->result->port,
	    .proto = rec->result->proto,
	    .seq = w->records,
	    .offset = s->used,
	    .len = (uint32_t)len,
	};
	s->count++;
	s->used += len;
}

static void
xml_end(struct output_writer *w)
{
	struct xml_state *s = w->state;
	int64_t now = (int64_t)time(NULL);
	char timestr[64];

	xml_flush(w, s);
	xml_timestr(now, timestr, sizeof(timestr));
	fprintf(w->out,
		"<runstats><finished time=\"%lld\" timestr=\"%s\" "
		"elapsed=\"%lld\" summary=\"tidescan done at %s; %" PRIu64
		" IP addresses (%" PRIu64 " hosts up)\" exit=\"success\"/>"
		"<hosts up=\"%" PRIu64 "\" down=\"0\" total=\"%" PRIu64
		"\"/>\n</runstats>\n</nmaprun>\n",
		(long long)now, timestr, (long long)(now - w->start), timestr,
		s->hosts, s->hosts, s->hosts, s->hosts);
	free(s->data);
	free(s->index);
	record_decoded_free(&s->dec);
	free(s);
	w->state = NULL;
}

const struct output_format_ops output_xml_ops = {
    .name = "xml",
    .begin = xml_begin,
    .record = xml_record,
    .end = xml_end,
};
