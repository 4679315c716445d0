/* test_output_binary: CRC-32C's published check value; every record
 * (result, banner, service) survives encode → decode and the binary file
 * byte for byte; a file cut at any byte of its last record reads back all
 * records before it and reports the torn one; appending goes on after the
 * last good record and refuses files that are not ours. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "crc32c.h"
#include "output_binary.h"

#define N 50

static struct scan_result results[N];
static uint8_t banners[N][300];
static struct service_id services[N];
static struct output_record records[N];

static void
records_make(void)
{
	for (int i = 0; i < N; i++) {
		struct scan_result *r = &results[i];

		*r = (struct scan_result){
		    .ts = 1795630000.0 + i * 0.001 + 1e-7,
		    .ip = 0xc6120100u + (uint32_t)(i * 7919),
		    .port = (uint16_t)(i * 1311),
		    .proto = i % 5 ? 6 : 17,
		    .status = (uint8_t)(i % 3),
		    .ttl = (uint8_t)(i + 1),
		    .icmp_code = (uint8_t)(i % 3 == 2 ? 3 + i % 11 : 0),
		};
		records[i].result = r;
		if (i % 2) {
			for (int k = 0; k < (int)sizeof(banners[i]); k++)
				banners[i][k] = (uint8_t)(i * 31 + k * 7);
			records[i].banner = banners[i];
			records[i].banner_len = (uint32_t)(i * 5) % 300;
		}
		if (i % 4 == 1) {
			services[i] = (struct service_id){
			    .match = i % 8 == 1 ? SERVICE_HARD : SERVICE_SOFT,
			    .name = "ssh",
			    .version = i % 8 == 1 ? "9.2p1" : NULL,
			    .product = "OpenSSH",
			    .os = "",
			    .cpe_count = (uint8_t)(i % 3),
			    .cpe = {"cpe:/a:openbsd:openssh:9.2p1",
				    "cpe:/o:linux:linux_kernel"},
			};
			records[i].service = &services[i];
		}
	}
}

static int
same_string(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int
same_record(const struct output_record *a, const struct output_record *b)
{
	const struct scan_result *x = a->result, *y = b->result;
	const struct service_id *s = a->service, *t = b->service;

	if (memcmp(&x->ts, &y->ts, sizeof(x->ts)) || x->ip != y->ip ||
	    x->port != y->port || x->proto != y->proto ||
	    x->status != y->status || x->ttl != y->ttl ||
	    x->icmp_code != y->icmp_code)
		return 0;
	if (!a->banner != !b->banner || a->banner_len != b->banner_len ||
	    (a->banner && memcmp(a->banner, b->banner, a->banner_len)))
		return 0;
	if (!s != !t)
		return 0;
	if (!s)
		return 1;
	if (s->match != t->match || s->cpe_count != t->cpe_count ||
	    !same_string(s->name, t->name) ||
	    !same_string(s->product, t->product) ||
	    !same_string(s->version, t->version) ||
	    !same_string(s->info, t->info) ||
	    !same_string(s->hostname, t->hostname) ||
	    !same_string(s->os, t->os) ||
	    !same_string(s->devicetype, t->devicetype))
		return 0;
	for (unsigned i = 0; i < s->cpe_count; i++)
		if (!same_string(s->cpe[i], t->cpe[i]))
			return 0;
	return 1;
}

static void
test_crc32c(void)
{
	CHECK_EQ_U64(crc32c(0, "123456789", 9), 0xe3069283u);
	CHECK_EQ_U64(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
	CHECK_EQ_U64(crc32c(0, "", 0), 0);
}

static void
test_codec(void)
{
	struct record_decoded d = {0};
	uint8_t buf[1024];

	for (int i = 0; i < N; i++) {
		size_t len = record_encoded_size(&records[i]);

		CHECK(len <= sizeof(buf));
		record_encode(&records[i], buf);
		CHECK(record_decode(&d, buf, len) == 0);
		CHECK(same_record(&records[i], &d.rec));
		/* a payload cut short or with a byte too many is refused */
		CHECK(record_decode(&d, buf, len - 1) == -1);
		CHECK(record_decode(&d, buf, len + 1) == -1);
	}
	record_decoded_free(&d);
}

/* Write records[0..n) to a new file at path. */
static void
write_file(const char *path, int first, int n, enum output_mode mode)
{
	struct output_writer w;
	char err[256];

	CHECK(output_open_file(&w, output_format_find("binary"), path, mode,
			       err, sizeof(err)) == 0);
	for (int i = first; i < first + n; i++)
		output_write_record(&w, &records[i]);
	CHECK(output_close(&w) == 0);
}

/* Read path back: how many records equal records[0..], and the last
 * return of binary_reader_next() in *end. */
static int
read_file(const char *path, int *end, char *err, size_t errlen)
{
	struct binary_reader r;
	const struct output_record *rec;
	FILE *f = fopen(path, "rb");
	int n = 0, rc;

	CHECK(f != NULL);
	if (binary_reader_open(&r, f, err, errlen)) {
		fclose(f);
		*end = -2;
		return 0;
	}
	while ((rc = binary_reader_next(&r, &rec, err, errlen)) == 1) {
		CHECK(n < N && same_record(&records[n], rec));
		n++;
	}
	*end = rc;
	binary_reader_close(&r);
	fclose(f);
	return n;
}

static long
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static void
test_round_trip_and_torn(const char *path)
{
	char err[256];
	int end;
	long full, last_start;

	write_file(path, 0, N, OUTPUT_CREATE);
	CHECK_EQ_U64(read_file(path, &end, err, sizeof(err)), N);
	CHECK(end == 0);

	/* where the last record starts: the size of a file of N-1 */
	full = file_size(path);
	write_file(path, 0, N - 1, OUTPUT_CREATE);
	last_start = file_size(path);
	CHECK(last_start < full);
	for (long cut = last_start + 1; cut < full; cut++) {
		write_file(path, 0, N, OUTPUT_CREATE);
		CHECK(truncate(path, cut) == 0);
		err[0] = 0;
		CHECK_EQ_U64(read_file(path, &end, err, sizeof(err)), N - 1);
		CHECK(end == -1);
		CHECK(strstr(err, "record at byte") != NULL);
	}
	/* one flipped byte anywhere in a record is caught by its checksum */
	write_file(path, 0, N, OUTPUT_CREATE);
	{
		FILE *f = fopen(path, "r+b");
		int c;

		fseek(f, last_start + 12, SEEK_SET);
		c = fgetc(f);
		fseek(f, last_start + 12, SEEK_SET);
		fputc(c ^ 0x20, f);
		fclose(f);
	}
	CHECK_EQ_U64(read_file(path, &end, err, sizeof(err)), N - 1);
	CHECK(end == -1 && strstr(err, "checksum") != NULL);
}

/* A scan resumed after a crash appends to a file with a torn tail: the
 * tail goes, the header is not repeated, everything reads back. */
static void
test_append(const char *path)
{
	char err[256];
	int end;
	long cut;

	write_file(path, 0, 20, OUTPUT_CREATE);
	cut = file_size(path);
	write_file(path, 20, 1, OUTPUT_APPEND);
	CHECK(truncate(path, cut + 9) == 0); /* torn: frame and a byte */
	write_file(path, 20, N - 20, OUTPUT_APPEND);
	CHECK_EQ_U64(read_file(path, &end, err, sizeof(err)), N);
	CHECK(end == 0);

	/* appending to a missing or empty file starts it */
	unlink(path);
	write_file(path, 0, 3, OUTPUT_APPEND);
	write_file(path, 3, 3, OUTPUT_APPEND);
	CHECK_EQ_U64(read_file(path, &end, err, sizeof(err)), 6);
	CHECK(end == 0);

	/* not ours: neither read nor appended to */
	{
		struct output_writer w;
		FILE *f = fopen(path, "w");

		fputs("{\"ip\":\"198.18.1.10\"}\n", f);
		fclose(f);
		CHECK(output_open_file(&w, output_format_find("binary"), path,
				       OUTPUT_APPEND, err, sizeof(err)) == -1);
		CHECK(strstr(err, "not a tidescan binary file") != NULL);
		CHECK(read_file(path, &end, err, sizeof(err)) == 0);
		CHECK(end == -2);
		CHECK_EQ_U64(file_size(path), 21);
	}
}

int
main(void)
{
	char path[] = "/tmp/test_output_binary.XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	records_make();
	test_crc32c();
	test_codec();
	test_round_trip_and_torn(path);
	test_append(path);
	unlink(path);
	return check_report("output_binary");
}
