/* output_binary: the binary writer (header once, then length + checksum +
 * payload per record; APPEND checks the header and cuts a torn tail off
 * before going on) and the reader that --readscan and APPEND use. */
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "errmsg.h"
#include "output_binary.h"
#include "output_formats.h"

static const uint8_t magic[8] = {'T', 'I', 'D', 'E', 'S', 'C', 'A', 'N'};

static void
le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
header_make(uint8_t h[BINARY_HEADER_BYTES])
{
	memset(h, 0, BINARY_HEADER_BYTES);
	memcpy(h, magic, sizeof(magic));
	h[8] = BINARY_VERSION & 0xff;
	h[9] = BINARY_VERSION >> 8;
	le32_put(h + 12, crc32c(0, h, 12));
}

static int
buffer_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *grown;

	if (need <= *cap)
		return 0;
	grown = realloc(*buf, need);
	if (!grown)
		return -1;
	*buf = grown;
	*cap = need;
	return 0;
}

/* ---- reader ---- */

int
binary_reader_open(struct binary_reader *r, FILE *in, char *err, size_t errlen)
{
	uint8_t h[BINARY_HEADER_BYTES];
	unsigned version;

	memset(r, 0, sizeof(*r));
	r->in = in;
	if (fseek(in, 0, SEEK_SET) || fread(h, 1, sizeof(h), in) != sizeof(h) ||
	    memcmp(h, magic, sizeof(magic))) {
		errf(err, errlen,
		     "not a tidescan binary file (no TIDESCAN "
		     "header)");
		return -1;
	}
	version = h[8] | (unsigned)h[9] << 8;
	if (le32_get(h + 12) != crc32c(0, h, 12)) {
		errf(err, errlen, "damaged header (checksum mismatch)");
		return -1;
	}
	if (version != BINARY_VERSION) {
		errf(err, errlen,
		     "binary format version %u: this tidescan reads version %u",
		     version, BINARY_VERSION);
		return -1;
	}
	r->offset = BINARY_HEADER_BYTES;
	return 0;
}

/* Bytes from the reader's position to the end of the file. */
static long
bytes_left(struct binary_reader *r)
{
	long here = ftell(r->in), end;

	if (here < 0 || fseek(r->in, 0, SEEK_END) || (end = ftell(r->in)) < 0 ||
	    fseek(r->in, here, SEEK_SET))
		return -1;
	return end - r->offset;
}

static int
bad_record(struct binary_reader *r, const char *what, char *err, size_t errlen)
{
	errf(err, errlen,
	     "%s record at byte %ld after %llu good records: it and the %ld "
	     "bytes after it skipped",
	     what, r->offset, (unsigned long long)r->records, bytes_left(r));
	return -1;
}

int
binary_reader_next(struct binary_reader *r, const struct output_record **rec,
		   char *err, size_t errlen)
{
	uint8_t frame[BINARY_FRAME_BYTES];
	size_t got;
	uint32_t len;

	/* records are read in order: the stream stands at r->offset */
	got = fread(frame, 1, sizeof(frame), r->in);
	if (got == 0 && feof(r->in))
		return 0;
	if (got < sizeof(frame))
		return bad_record(r, "torn", err, errlen);
	len = le32_get(frame);
	if (len > RECORD_MAX_BYTES)
		return bad_record(r, "damaged (impossible length)", err,
				  errlen);
	if (buffer_reserve(&r->buf, &r->cap, len ? len : 1))
		return bad_record(r, "unreadable (out of memory)", err, errlen);
	if (fread(r->buf, 1, len, r->in) != len)
		return bad_record(r, "torn", err, errlen);
	if (le32_get(frame + 4) != crc32c(crc32c(0, frame, 4), r->buf, len))
		return bad_record(r, "torn or damaged (checksum mismatch)", err,
				  errlen);
	if (record_decode(&r->dec, r->buf, len))
		return bad_record(r, "malformed", err, errlen);
	r->offset += (long)(BINARY_FRAME_BYTES + len);
	r->records++;
	*rec = &r->dec.rec;
	return 1;
}

void
binary_reader_close(struct binary_reader *r)
{
	free(r->buf);
	record_decoded_free(&r->dec);
	memset(r, 0, sizeof(*r));
}

/* ---- writer ---- */

struct binary_state {
	uint8_t *buf;
	size_t cap;
};

/* APPEND to a file that holds records already: keep every good record,
 * cut a torn tail (the last run crashed mid-write) off. */
static int
binary_continue(struct output_writer *w, char *err, size_t errlen)
{
	struct binary_reader r;
	const struct output_record *rec;
	int rc;

	if (binary_reader_open(&r, w->out, err, errlen))
		return -1;
	while ((rc = binary_reader_next(&r, &rec, NULL, 0)) == 1)
		;
	w->continued = r.records > 0;
	rc = output_truncate(w->out, r.offset);
	binary_reader_close(&r);
	if (rc)
		errf(err, errlen, "cannot cut the torn record off");
	return rc;
}

static int
binary_begin(struct output_writer *w, char *err, size_t errlen)
{
	uint8_t h[BINARY_HEADER_BYTES];
	char tail[1];

	w->state = calloc(1, sizeof(struct binary_state));
	if (!w->state) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	if (w->mode == OUTPUT_APPEND && output_tail(w->out, tail, 1) > 0)
		return binary_continue(w, err, errlen);
	header_make(h);
	fwrite(h, 1, sizeof(h), w->out);
	return 0;
}

static void
binary_record(struct output_writer *w, const struct output_record *rec)
{
	struct binary_state *s = w->state;
	size_t len = record_encoded_size(rec);
	uint8_t *frame;

	if (len > RECORD_MAX_BYTES ||
	    buffer_reserve(&s->buf, &s->cap, BINARY_FRAME_BYTES + len)) {
		w->lost++;
		return;
	}
	frame = s->buf;
	record_encode(rec, frame + BINARY_FRAME_BYTES);
	le32_put(frame, (uint32_t)len);
	le32_put(frame + 4,
		 crc32c(crc32c(0, frame, 4), frame + BINARY_FRAME_BYTES, len));
	fwrite(frame, 1, BINARY_FRAME_BYTES + len, w->out);
}

static void
binary_end(struct output_writer *w)
{
	struct binary_state *s = w->state;

	if (s)
		free(s->buf);
	free(s);
	w->state = NULL;
}

const struct output_format_ops output_binary_ops = {
    .name = "binary",
    .begin = binary_begin,
    .record = binary_record,
    .end = binary_end,
};
