/* output: the registry of result writers, the open/close path every format
 * shares (create or append), and the small helpers writers have in common. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "output_formats.h"

#define OUTPUT_IOBUF_BYTES (1u << 20)

static const struct output_format_ops *const registry[] = {
    &output_ndjson_ops,	  &output_json_ops, &output_list_ops,
    &output_grepable_ops, &output_xml_ops,  &output_binary_ops,
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

const char *
output_proto_name(uint8_t proto)
{
	return proto == 17 ? "udp" : "tcp";
}

const char *
output_ip_string(uint32_t ip, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}

const char *
output_nmap_state(const struct scan_result *r)
{
	switch (r->status) {
	case RESULT_OPEN:
		return "open";
	case RESULT_CLOSED:
		return "closed";
	default:
		return "filtered"; /* what nmap calls an ICMP-unreachable port
				    */
	}
}

const char *
output_nmap_reason(const struct scan_result *r)
{
	if (r->status == RESULT_OPEN)
		return "syn-ack";
	if (r->status == RESULT_CLOSED)
		return "reset";
	switch (r->icmp_code) {
	case 0:
		return "net-unreach";
	case 1:
		return "host-unreach";
	case 2:
		return "proto-unreach";
	case 3:
		return "port-unreach";
	case 9:
		return "net-prohibited";
	case 10:
		return "host-prohibited";
	case 13:
		return "admin-prohibited";
	default:
		return "unreachable";
	}
}

long
output_tail(FILE *f, char *buf, size_t len)
{
	long size;
	size_t n;

	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0)
		return -1;
	n = (size_t)size < len ? (size_t)size : len;
	if (fseek(f, size - (long)n, SEEK_SET) || fread(buf, 1, n, f) != n)
		return -1;
	return (long)n;
}

int
output_truncate(FILE *f, long size)
{
	if (fflush(f) || ftruncate(fileno(f), size) || fseek(f, size, SEEK_SET))
		return -1;
	return 0;
}

int
output_begin_lines(struct output_writer *w, char *err, size_t errlen)
{
	char buf[4096];
	long end, at;

	if (w->mode != OUTPUT_APPEND || fseek(w->out, 0, SEEK_END) ||
	    (end = ftell(w->out)) <= 0)
		return 0;
	/* back from the end, a block at a time, to the last newline */
	for (at = end; at > 0;) {
		long n = at < (long)sizeof(buf) ? at : (long)sizeof(buf);

		at -= n;
		if (fseek(w->out, at, SEEK_SET) ||
		    fread(buf, 1, (size_t)n, w->out) != (size_t)n)
			break;
		for (long i = n - 1; i >= 0; i--)
			if (buf[i] == '\n') {
				w->continued = 1;
				return at + i + 1 == end
					   ? fseek(w->out, end, SEEK_SET)
					   : output_truncate(w->out,
							     at + i + 1);
			}
	}
	if (at > 0 || output_truncate(w->out, 0)) {
		errf(err, errlen, "cannot read the file to append to it");
		return -1;
	}
	return 0;
}

static int
output_begin(struct output_writer *w, const struct output_format_ops *ops,
	     FILE *out, enum output_mode mode, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->out = out;
	w->mode = mode;
	w->start = (int64_t)time(NULL);
	if (ops->begin)
		return ops->begin(w, err, errlen);
	return 0;
}

int
output_open(struct output_writer *w, const struct output_format_ops *ops,
	    FILE *out)
{
	/* CREATE on a stream: nothing to check, only memory can fail */
	return output_begin(w, ops, out, OUTPUT_CREATE, NULL, 0);
}

int
output_open_file(struct output_writer *w, const struct output_format_ops *ops,
		 const char *path, enum output_mode mode, char *err,
		 size_t errlen)
{
	char msg[256], *iobuf;
	FILE *f;

	if (!path || !*path || !strcmp(path, "-"))
		return output_begin(w, ops, stdout, OUTPUT_CREATE, err, errlen);
	/* a+: reads anywhere (APPEND's checks), writes at the end */
	f = fopen(path, mode == OUTPUT_APPEND ? "a+" : "w");
	if (!f) {
		errf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* big writes: a result costs a few hundred nanoseconds, a write(2)
	 * per 4 KiB would be a good part of that */
	iobuf = malloc(OUTPUT_IOBUF_BYTES);
	if (iobuf)
		setvbuf(f, iobuf, _IOFBF, OUTPUT_IOBUF_BYTES);
	if (output_begin(w, ops, f, mode, msg, sizeof(msg))) {
		errf(err, errlen, "%s: %s", path, msg);
		free(w->state); /* a format's state holds nothing yet */
		fclose(f);
		free(iobuf);
		return -1;
	}
	w->own_file = 1;
	w->iobuf = iobuf;
	return 0;
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

int
output_close(struct output_writer *w)
{
	int rc;

	if (w->ops->end)
		w->ops->end(w);
	rc = fflush(w->out) || ferror(w->out) || w->lost ? -1 : 0;
	if (w->own_file && fclose(w->out))
		rc = -1;
	free(w->iobuf);
	w->iobuf = NULL;
	w->out = NULL;
	return rc;
}
