/* test_redis_sink: the Redis sink against a real redis-server this test
 * starts on 127.0.0.1: every record arrives as one XADD with exact fields
 * (binary banners included); a stalled server fills the queue to its high
 * mark and no further; a server killed mid-stream loses nothing (what it
 * acknowledged is in its append-only file, the rest is in the spill file);
 * unreachable servers and wrong key types are clear errors at open. */
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "../unit/check.h"
#include "redis_sink.h"

static char dir[] = "/tmp/tidescan-redis-test.XXXXXX";
static int port;
static pid_t server;

static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

/* redis-server with an append-only file synced on every write, so what it
 * acknowledged survives a SIGKILL. */
static void
server_start(void)
{
	char port_arg[16];

	snprintf(port_arg, sizeof(port_arg), "%d", port);
	server = fork();
	if (server == 0) {
		execlp("redis-server", "redis-server", "--port", port_arg,
		       "--bind", "127.0.0.1", "--dir", dir, "--save", "",
		       "--appendonly", "yes", "--appendfsync", "always",
		       "--loglevel", "warning", "--logfile", "redis.log",
		       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		redisContext *c = redisConnect("127.0.0.1", port);
		redisReply *pong = c && !c->err ? redisCommand(c, "PING") : NULL;
		int up = pong && pong->type == REDIS_REPLY_STATUS; /* not LOADING */

		if (pong)
			freeReplyObject(pong);
		if (c)
			redisFree(c);
		if (up)
			return;
		usleep(50000);
	}
	fprintf(stderr, "redis-server did not start\n");
	exit(1);
}

static void
server_kill(void)
{
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}

static struct redis_sink_config
config_for(const char *stream, const char *spill)
{
	struct redis_sink_config cfg = {
		.queue_records = 4096,
		.queue_bytes = 1 << 20,
		.max_in_flight = 512,
		.connect_timeout = 2.0,
		.spill_path = spill,
		.spill_format = output_format_find("ndjson"),
	};
	char url[128], err[256];

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/%s", port, stream);
	if (redis_url_parse(url, &cfg.url, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return cfg;
}

/* Record i: a distinct (ip, port), a banner with NUL and stray bytes, and
 * a service on every third. */
static void
record_make(unsigned i, struct scan_result *r, uint8_t *banner,
	    uint32_t *banner_len)
{
	*r = (struct scan_result){
		.ts = 1764000000.5 + i,
		.ip = (198u << 24) | (18u << 16) | (i >> 8),
		.port = (uint16_t)(1 + (i & 0xff)),
		.proto = 6,
		.status = RESULT_OPEN,
		.ttl = 64,
	};
	*banner_len = (uint32_t)snprintf((char *)banner, 64, "SSH-2.0-%u", i);
	banner[(*banner_len)++] = 0;
	banner[(*banner_len)++] = 0xff;
}

static const struct service_id ssh = {
	.match = SERVICE_HARD,
	.name = "ssh",
	.product = "OpenSSH",
	.cpe_count = 2,
	.cpe = {"cpe:/a:openbsd:openssh", "cpe:/o:linux:linux_kernel"},
};

static void
push_all(struct redis_sink *s, unsigned first, unsigned count)
{
	for (unsigned i = first; i < first + count; i++) {
		struct scan_result r;
		uint8_t banner[64];
		struct output_record rec = {.result = &r, .banner = banner};

		record_make(i, &r, banner, &rec.banner_len);
		rec.service = i % 3 ? NULL : &ssh;
		while (redis_sink_nearly_full(s))
			redis_sink_poll(s);
		CHECK(redis_sink_push(s, &rec) == 0);
		redis_sink_poll(s);
	}
}

static const char *
field(const redisReply *entry, const char *key, size_t *len)
{
	const redisReply *kv = entry->element[1];

	for (size_t i = 0; i + 1 < kv->elements; i += 2)
		if (!strcmp(kv->element[i]->str, key)) {
			if (len)
				*len = kv->element[i + 1]->len;
			return kv->element[i + 1]->str;
		}
	return NULL;
}

/* Which records the stream holds, by index (from the banner's number);
 * checks each entry's fields against the record it came from. */
static unsigned
stream_read(const char *stream, uint8_t *seen, unsigned total,
	    int with_services)
{
	redisContext *c = redisConnect("127.0.0.1", port);
	redisReply *all = redisCommand(c, "XRANGE %s - +", stream);
	unsigned n = 0;

	CHECK(all && all->type == REDIS_REPLY_ARRAY);
	for (size_t e = 0; all && e < all->elements; e++) {
		const redisReply *entry = all->element[e];
		size_t blen = 0;
		const char *b = field(entry, "banner", &blen);
		unsigned i = b ? (unsigned)atoi(b + 8) : total;
		struct scan_result r;
		uint8_t want[64];
		uint32_t want_len;
		char ip[16];

		if (i >= total) {
			CHECK(i < total);
			continue;
		}
		record_make(i, &r, want, &want_len);
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", r.ip >> 24,
			 (r.ip >> 16) & 0xff, (r.ip >> 8) & 0xff, r.ip & 0xff);
		CHECK(blen == want_len && !memcmp(b, want, blen));
		CHECK_STR(field(entry, "ip", NULL), ip);
		CHECK_EQ_U64((uint64_t)atoi(field(entry, "port", NULL)), r.port);
		CHECK_STR(field(entry, "status", NULL), "open");
		CHECK_STR(field(entry, "proto", NULL), "tcp");
		if (with_services && i % 3 == 0) {
			CHECK_STR(field(entry, "service", NULL), "ssh");
			CHECK_STR(field(entry, "cpe", NULL),
				  "cpe:/a:openbsd:openssh "
				  "cpe:/o:linux:linux_kernel");
			CHECK_STR(field(entry, "match", NULL), "hard");
		} else {
			CHECK(field(entry, "service", NULL) == NULL);
		}
		seen[i]++;
		n++;
	}
	freeReplyObject(all);
	redisFree(c);
	return n;
}

/* Which records the NDJSON spill file holds, by the banner's number. */
static unsigned
spill_read(const char *path, uint8_t *seen, unsigned total)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		const char *b = strstr(line, "\"banner\":\"SSH-2.0-");
		unsigned i = b ? (unsigned)atoi(b + 18) : total;

		CHECK(i < total);
		if (i < total) {
			seen[i]++;
			n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

static void
test_urls(void)
{
	struct redis_url u;
	char err[256];

	CHECK(redis_url_parse("redis://10.0.0.1:7000/scans", &u, err,
			      sizeof(err)) == 0);
	CHECK_STR(u.host, "10.0.0.1");
	CHECK_EQ_U64(u.port, 7000);
	CHECK_STR(u.stream, "scans");
	CHECK(redis_url_parse("redis://db/s", &u, err, sizeof(err)) == 0);
	CHECK_STR(u.host, "db");
	CHECK_EQ_U64(u.port, 6379);
	CHECK(redis_url_parse("redis://[::1]:6380/s", &u, err, sizeof(err)) ==
	      0);
	CHECK_STR(u.host, "::1");
	CHECK_EQ_U64(u.port, 6380);
	CHECK(redis_url_parse("redis://db:0/s", &u, err, sizeof(err)) < 0);
	CHECK(strstr(err, "redis://HOST[:PORT]/STREAM") != NULL);
	CHECK(redis_url_parse("redis://db:1/", &u, err, sizeof(err)) < 0);
	CHECK(redis_url_parse("redis://db", &u, err, sizeof(err)) < 0);
	CHECK(redis_url_parse("redis://:1/s", &u, err, sizeof(err)) < 0);
	CHECK(redis_url_parse("http://db/s", &u, err, sizeof(err)) < 0);
	CHECK(redis_url_is("redis://x/y") && !redis_url_is("out.json"));
}

static void
test_every_record_arrives(void)
{
	struct redis_sink_config cfg = config_for("all", "/dev/null");
	struct redis_sink_stats st;
	static uint8_t seen[20000];
	char err[256];
	struct redis_sink *s = redis_sink_open(&cfg, err, sizeof(err));

	CHECK(s != NULL);
	if (!s)
		return;
	push_all(s, 0, 20000);
	CHECK(redis_sink_close(s, 10, &st) == 0);
	CHECK_EQ_U64(st.added, 20000);
	CHECK_EQ_U64(st.spilled, 0);
	CHECK(!st.connection_lost);
	CHECK_EQ_U64(stream_read("all", seen, 20000, 1), 20000);
	for (unsigned i = 0; i < 20000; i++)
		CHECK(seen[i] == 1);
}

/* A stalled server: the queue fills to its high mark, the caller is told to
 * hold back, and once the server resumes everything arrives. */
static void
test_stalled_server_bounds_the_queue(void)
{
	struct redis_sink_config cfg = config_for("stall", "/dev/null");
	struct redis_sink_stats st;
	static uint8_t seen[3500];
	struct scan_result r;
	uint8_t banner[64];
	struct output_record rec = {.result = &r, .banner = banner};
	char err[256];
	struct redis_sink *s = redis_sink_open(&cfg, err, sizeof(err));
	unsigned pushed = 0;

	CHECK(s != NULL);
	if (!s)
		return;
	kill(server, SIGSTOP);
	while (!redis_sink_nearly_full(s) && pushed < 3500) {
		record_make(pushed++, &r, banner, &rec.banner_len);
		CHECK(redis_sink_push(s, &rec) == 0);
		redis_sink_poll(s);
	}
	CHECK(redis_sink_nearly_full(s));
	CHECK_EQ_U64(redis_sink_pending(s), cfg.queue_records * 3 / 4);
	for (int i = 0; i < 50; i++)
		redis_sink_poll(s); /* nothing moves, nothing breaks */
	CHECK_EQ_U64(redis_sink_pending(s), pushed);
	kill(server, SIGCONT);
	CHECK(redis_sink_close(s, 10, &st) == 0);
	CHECK_EQ_U64(st.added, pushed);
	CHECK(st.held >= 1);
	CHECK_EQ_U64(stream_read("stall", seen, 3500, 0), pushed);
}

/* The queue's bounds: records and bytes. A full queue says so before a
 * push, and a push past it is refused and counted, never queued. */
static void
test_queue_bounds(void)
{
	struct redis_sink_config cfg = config_for("bounds", "/dev/null");
	struct redis_sink_stats st;
	struct scan_result r;
	uint8_t banner[64];
	struct output_record rec = {.result = &r, .banner = banner};
	char err[256];
	struct redis_sink *s;

	cfg.queue_records = 8;
	s = redis_sink_open(&cfg, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	kill(server, SIGSTOP);
	for (unsigned i = 0; i < 8; i++) {
		CHECK(redis_sink_has_room(s, 8 - i));
		CHECK(!redis_sink_has_room(s, 9 - i));
		record_make(i, &r, banner, &rec.banner_len);
		CHECK(redis_sink_push(s, &rec) == 0);
	}
	CHECK(!redis_sink_has_room(s, 1));
	CHECK(redis_sink_push(s, &rec) == -1);
	CHECK_EQ_U64(redis_sink_pending(s), 8);
	kill(server, SIGCONT);
	CHECK(redis_sink_close(s, 10, &st) == 0);
	CHECK_EQ_U64(st.added, 8);
	CHECK_EQ_U64(st.lost, 1);

	/* a byte bound smaller than one record: room for the first only */
	cfg = config_for("bounds", "/dev/null");
	cfg.queue_bytes = 1;
	s = redis_sink_open(&cfg, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	kill(server, SIGSTOP);
	CHECK(redis_sink_has_room(s, 1));
	CHECK(redis_sink_push(s, &rec) == 0);
	CHECK(!redis_sink_has_room(s, 1));
	CHECK(redis_sink_push(s, &rec) == -1);
	kill(server, SIGCONT);
	CHECK(redis_sink_close(s, 10, &st) == 0);
	CHECK_EQ_U64(st.added, 1);
	CHECK_EQ_U64(st.lost, 1);
}

/* SIGKILL mid-stream: acknowledged records are in the server's append-only
 * file, everything else in the spill file; a few in flight may be in both
 * (at-least-once), none is in neither. */
static void
test_server_killed_loses_nothing(void)
{
	char spill[128];
	struct redis_sink_config cfg;
	struct redis_sink_stats st;
	static uint8_t seen[12000];
	unsigned in_stream, in_spill;
	char err[256];
	struct redis_sink *s;

	snprintf(spill, sizeof(spill), "%s/spill.ndjson", dir);
	cfg = config_for("killed", spill);
	s = redis_sink_open(&cfg, err, sizeof(err));
	CHECK(s != NULL);
	if (!s)
		return;
	push_all(s, 0, 6000);
	server_kill();
	push_all(s, 6000, 6000);
	CHECK(redis_sink_close(s, 2, &st) == 0);
	CHECK(st.connection_lost);
	CHECK(st.error[0] != '\0');
	server_start();
	in_stream = stream_read("killed", seen, 12000, 1);
	in_spill = spill_read(spill, seen, 12000);
	CHECK(in_stream >= st.added);
	CHECK_EQ_U64(st.spilled, in_spill);
	CHECK(in_spill >= 6000);
	for (unsigned i = 0; i < 12000; i++)
		CHECK(seen[i] >= 1 && seen[i] <= 2);
	CHECK(in_stream + in_spill - 12000 <= cfg.max_in_flight);
	printf("killed mid-stream: %u in stream (%" PRIu64
	       " acknowledged), %u spilled, %u in both\n",
	       in_stream, st.added, in_spill, in_stream + in_spill - 12000);
}

static void
test_open_errors(void)
{
	struct redis_sink_config cfg = config_for("wrongtype", "/dev/null");
	redisContext *c = redisConnect("127.0.0.1", port);
	char err[256];

	freeReplyObject(redisCommand(c, "SET wrongtype x"));
	redisFree(c);
	CHECK(redis_sink_open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "'wrongtype' exists and is a string") != NULL);
	if (!strstr(err, "exists"))
		fprintf(stderr, "open error: %s\n", err);
	cfg.url.port = free_port();
	CHECK(redis_sink_open(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "cannot reach Redis at 127.0.0.1:") != NULL);
}

int
main(void)
{
	char cmd[128];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(dir) == NULL)
		return 1;
	port = free_port();
	server_start();
	test_urls();
	test_every_record_arrives();
	test_stalled_server_bounds_the_queue();
	test_queue_bounds();
	test_server_killed_loses_nothing();
	test_open_errors();
	server_kill();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_report("redis_sink");
}
