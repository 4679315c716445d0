/* redis_sink: a bounded queue of record copies in front of a non-blocking
 * hiredis connection. The queue is a ring of three marks: [head, sent) are
 * XADDs written and awaiting their answers, [sent, tail) wait to be written.
 * An answer acknowledges the oldest in-flight record (Redis answers in
 * order). On any connection error the unacknowledged records spill. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "redis_sink.h"

#define APPEND_BATCH 256

/* A record copied out of the writer's buffers: its strings live in data[]. */
struct sink_entry {
	size_t bytes;
	struct scan_result result;
	struct service_id service;
	int has_service;
	int has_banner;
	uint32_t banner_len;
	uint8_t *banner;
	char data[];
};

struct redis_sink {
	struct redis_sink_config cfg;
	redisContext *redis;
	struct sink_entry **ring;
	uint64_t head, sent, tail;
	size_t queued_bytes;
	int was_nearly_full;
	/* after the connection is lost */
	int spilling; /* the spill writer is open */
	struct output_writer spill;
	int spill_failed;
	char spill_error[256];
	struct redis_sink_stats stats;
};

int
redis_url_is(const char *name)
{
	return strncmp(name, "redis://", 8) == 0;
}

int
redis_url_parse(const char *url, struct redis_url *u, char *err, size_t errlen)
{
	const char *p = url + 8, *host_end, *slash;
	size_t host_len;

	memset(u, 0, sizeof(*u));
	u->port = 6379;
	if (!redis_url_is(url))
		goto bad;
	slash = strchr(p, '/');
	if (slash == NULL || slash[1] == '\0')
		goto bad;
	if (*p == '[') { /* [IPv6]:port */
		host_end = memchr(p, ']', (size_t)(slash - p));
		if (host_end == NULL)
			goto bad;
		p++;
		host_len = (size_t)(host_end - p);
		host_end++;
	} else {
		host_end = memchr(p, ':', (size_t)(slash - p));
		if (host_end == NULL)
			host_end = slash;
		host_len = (size_t)(host_end - p);
	}
	if (host_len == 0 || host_len >= sizeof(u->host))
		goto bad;
	memcpy(u->host, p, host_len);
	if (*host_end == ':') {
		char *end;
		long port = strtol(host_end + 1, &end, 10);

		if (end != slash || port < 1 || port > 65535)
			goto bad;
		u->port = (int)port;
	} else if (host_end != slash) {
		goto bad;
	}
	if (strlen(slash + 1) >= sizeof(u->stream) || strchr(slash + 1, '/'))
		goto bad;
	strcpy(u->stream, slash + 1);
	return 0;
bad:
	snprintf(err, errlen,
		 "bad Redis output '%s': expected redis://HOST[:PORT]/STREAM",
		 url);
	return -1;
}

static size_t
string_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *
string_copy(char **at, const char *s)
{
	char *copy = *at;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	memcpy(copy, s, n);
	*at += n;
	return copy;
}

static struct sink_entry *
entry_make(const struct output_record *rec)
{
	const struct service_id *svc = rec->service;
	size_t strings = 0;
	struct sink_entry *e;
	char *at;

	if (svc && svc->match != SERVICE_NONE) {
		strings += string_size(svc->name) + string_size(svc->product) +
			   string_size(svc->version) + string_size(svc->info) +
			   string_size(svc->hostname) + string_size(svc->os) +
			   string_size(svc->devicetype);
		for (unsigned i = 0; i < svc->cpe_count; i++)
			strings += string_size(svc->cpe[i]);
	} else {
		svc = NULL;
	}
	e = malloc(sizeof(*e) + rec->banner_len + strings);
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->bytes = sizeof(*e) + rec->banner_len + strings;
	e->result = *rec->result;
	at = e->data;
	if (rec->banner) {
		e->has_banner = 1;
		e->banner_len = rec->banner_len;
		e->banner = (uint8_t *)at;
		memcpy(at, rec->banner, rec->banner_len);
		at += rec->banner_len;
	}
	if (svc) {
		struct service_id *copy = &e->service;

		e->has_service = 1;
		copy->match = svc->match;
		copy->name = string_copy(&at, svc->name);
		copy->product = string_copy(&at, svc->product);
		copy->version = string_copy(&at, svc->version);
		copy->info = string_copy(&at, svc->info);
		copy->hostname = string_copy(&at, svc->hostname);
		copy->os = string_copy(&at, svc->os);
		copy->devicetype = string_copy(&at, svc->devicetype);
		copy->cpe_count = svc->cpe_count;
		for (unsigned i = 0; i < svc->cpe_count; i++)
			copy->cpe[i] = string_copy(&at, svc->cpe[i]);
	}
	return e;
}

static struct output_record
entry_record(const struct sink_entry *e)
{
	return (struct output_record){
		.result = &e->result,
		.banner = e->has_banner ? e->banner : NULL,
		.banner_len = e->banner_len,
		.service = e->has_service ? &e->service : NULL,
	};
}

/* XADD stream * field value ...: the record's fields, banner as raw bytes
 * (Redis strings are binary-safe), cpe names joined by spaces. */
static void
entry_append_xadd(struct redis_sink *s, const struct sink_entry *e)
{
	const struct scan_result *r = &e->result;
	const char *argv[40];
	size_t len[40];
	char ts[32], ip[16], port[8], ttl[8], code[8], blen[12], cpe[512];
	int n = 0;

#define ARG(str, l)                                                          \
	do {                                                                 \
		argv[n] = (str);                                             \
		len[n] = (l);                                                \
		n++;                                                         \
	} while (0)
#define FIELD(key, value)                                                    \
	do {                                                                 \
		if ((value) != NULL) {                                       \
			ARG(key, strlen(key));                               \
			ARG(value, strlen(value));                           \
		}                                                            \
	} while (0)

	snprintf(ts, sizeof(ts), "%.3f", r->ts);
	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", r->ip >> 24,
		 (r->ip >> 16) & 0xff, (r->ip >> 8) & 0xff, r->ip & 0xff);
	snprintf(port, sizeof(port), "%u", r->port);
	snprintf(ttl, sizeof(ttl), "%u", r->ttl);
	ARG("XADD", 4);
	ARG(s->cfg.url.stream, strlen(s->cfg.url.stream));
	ARG("*", 1);
	FIELD("ts", ts);
	FIELD("ip", ip);
	FIELD("port", port);
	FIELD("proto", r->proto == 17 ? "udp" : "tcp");
	FIELD("status", result_status_name((enum result_status)r->status));
	FIELD("ttl", ttl);
	if (r->status == RESULT_UNREACHABLE) {
		snprintf(code, sizeof(code), "%u", r->icmp_code);
		FIELD("icmp_code", code);
	}
	if (e->has_banner) {
		snprintf(blen, sizeof(blen), "%u", e->banner_len);
		ARG("banner", 6);
		ARG((const char *)e->banner, e->banner_len);
		FIELD("banner_bytes", blen);
	}
	if (e->has_service) {
		const struct service_id *svc = &e->service;
		size_t at = 0;

		FIELD("service", svc->name);
		FIELD("product", svc->product);
		FIELD("version", svc->version);
		FIELD("info", svc->info);
		FIELD("hostname", svc->hostname);
		FIELD("os", svc->os);
		FIELD("devicetype", svc->devicetype);
		cpe[0] = '\0';
		for (unsigned i = 0; i < svc->cpe_count && at < sizeof(cpe);
		     i++)
			at += (size_t)snprintf(cpe + at, sizeof(cpe) - at,
					       "%s%s", i ? " " : "",
					       svc->cpe[i]);
		if (svc->cpe_count)
			FIELD("cpe", cpe);
		FIELD("match",
		      service_match_name((enum service_match)svc->match));
	}
#undef FIELD
#undef ARG
	redisAppendCommandArgv(s->redis, n, argv, len);
}

static struct sink_entry **
slot(struct redis_sink *s, uint64_t i)
{
	return &s->ring[i % s->cfg.queue_records];
}

static void
entry_release(struct redis_sink *s, uint64_t i)
{
	struct sink_entry **e = slot(s, i);

	s->queued_bytes -= (*e)->bytes;
	free(*e);
	*e = NULL;
}

static void
spill_entry(struct redis_sink *s, const struct sink_entry *e)
{
	const struct output_record rec = entry_record(e);

	output_write_record(&s->spill, &rec);
	s->stats.spilled++;
}

/* Redis is gone: from now on records go to the spill file, starting with
 * every one it has not acknowledged. */
static void
connection_lost(struct redis_sink *s, const char *why)
{
	if (s->stats.connection_lost)
		return;
	s->stats.connection_lost = 1;
	snprintf(s->stats.error, sizeof(s->stats.error), "%s", why);
	if (s->cfg.spill_path &&
	    output_open_file(&s->spill, s->cfg.spill_format,
			     s->cfg.spill_path, OUTPUT_APPEND, s->spill_error,
			     sizeof(s->spill_error)) == 0)
		s->spilling = 1;
	else
		s->spill_failed = 1;
	for (uint64_t i = s->head; i < s->tail; i++) {
		if (s->spilling)
			spill_entry(s, *slot(s, i));
		entry_release(s, i);
	}
	s->head = s->sent = s->tail;
	if (s->redis) {
		redisFree(s->redis);
		s->redis = NULL;
	}
}

static int
expect_reply(redisContext *c, redisReply *reply, char *err, size_t errlen,
	     const char *what)
{
	if (reply == NULL) {
		snprintf(err, errlen, "Redis %s: %s", what,
			 c->errstr[0] ? c->errstr : "no answer");
		return -1;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "Redis %s: %s", what, reply->str);
		freeReplyObject(reply);
		return -1;
	}
	return 0;
}

/* The stream key must be a stream, or not exist yet. */
static int
check_stream_key(struct redis_sink *s, char *err, size_t errlen)
{
	redisReply *reply = redisCommand(s->redis, "TYPE %s",
					 s->cfg.url.stream);

	if (expect_reply(s->redis, reply, err, errlen, "TYPE") < 0)
		return -1;
	if (reply->type != REDIS_REPLY_STATUS ||
	    (strcmp(reply->str, "stream") && strcmp(reply->str, "none"))) {
		snprintf(err, errlen,
			 "Redis key '%s' exists and is a %s, not a stream",
			 s->cfg.url.stream,
			 reply->type == REDIS_REPLY_STATUS ? reply->str : "?");
		freeReplyObject(reply);
		return -1;
	}
	freeReplyObject(reply);
	return 0;
}

struct redis_sink *
redis_sink_open(const struct redis_sink_config *cfg, char *err, size_t errlen)
{
	struct timeval tv = {
		.tv_sec = (time_t)cfg->connect_timeout,
		.tv_usec = (suseconds_t)((cfg->connect_timeout -
					  (double)(time_t)cfg->connect_timeout) *
					 1e6),
	};
	struct redis_sink *s = calloc(1, sizeof(*s));
	int flags;

	if (s == NULL)
		goto nomem;
	s->cfg = *cfg;
	s->ring = calloc(cfg->queue_records, sizeof(s->ring[0]));
	if (s->ring == NULL)
		goto nomem;
	s->redis = redisConnectWithTimeout(cfg->url.host, cfg->url.port, tv);
	if (s->redis == NULL || s->redis->err) {
		snprintf(err, errlen, "cannot reach Redis at %s:%d: %s",
			 cfg->url.host, cfg->url.port,
			 s->redis ? s->redis->errstr : "out of memory");
		goto fail;
	}
	redisSetTimeout(s->redis, tv);
	if (check_stream_key(s, err, errlen) < 0)
		goto fail;
	/* From here on, never block: the writer must keep draining. */
	flags = fcntl(s->redis->fd, F_GETFL);
	if (flags < 0 || fcntl(s->redis->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "Redis socket: %s", strerror(errno));
		goto fail;
	}
	s->redis->flags &= ~REDIS_BLOCK;
	return s;
nomem:
	snprintf(err, errlen, "out of memory for the Redis queue");
fail:
	if (s && s->redis)
		redisFree(s->redis);
	if (s)
		free(s->ring);
	free(s);
	return NULL;
}

int
redis_sink_nearly_full(const struct redis_sink *s)
{
	return (s->tail - s->head) * 4 >= s->cfg.queue_records * 3 ||
	       s->queued_bytes * 4 >= s->cfg.queue_bytes * 3;
}

int
redis_sink_has_room(const struct redis_sink *s, size_t records)
{
	return s->stats.connection_lost ||
	       (s->tail - s->head + records <= s->cfg.queue_records &&
		s->queued_bytes < s->cfg.queue_bytes);
}

size_t
redis_sink_pending(const struct redis_sink *s)
{
	return (size_t)(s->tail - s->head);
}

int
redis_sink_push(struct redis_sink *s, const struct output_record *rec)
{
	struct sink_entry *e;

	if (s->stats.connection_lost) {
		if (s->spilling) {
			output_write_record(&s->spill, rec);
			s->stats.spilled++;
			return 0;
		}
		return -1;
	}
	if (!redis_sink_has_room(s, 1) || (e = entry_make(rec)) == NULL) {
		s->stats.lost++;
		return -1;
	}
	*slot(s, s->tail++) = e;
	s->queued_bytes += e->bytes;
	if (redis_sink_nearly_full(s)) {
		if (!s->was_nearly_full)
			s->stats.held++;
		s->was_nearly_full = 1;
	} else {
		s->was_nearly_full = 0;
	}
	return 0;
}

/* Each answer acknowledges the oldest XADD in flight. */
static void
read_answers(struct redis_sink *s)
{
	void *answer;

	if (redisBufferRead(s->redis) != REDIS_OK) {
		connection_lost(s, s->redis->errstr);
		return;
	}
	while (s->head < s->sent) {
		redisReply *reply;

		if (redisGetReplyFromReader(s->redis, &answer) != REDIS_OK) {
			connection_lost(s, s->redis->errstr);
			return;
		}
		if (answer == NULL)
			return;
		reply = answer;
		if (reply->type == REDIS_REPLY_ERROR) {
			char why[128];

			snprintf(why, sizeof(why), "XADD: %s", reply->str);
			freeReplyObject(reply);
			connection_lost(s, why);
			return;
		}
		freeReplyObject(reply);
		entry_release(s, s->head++);
		s->stats.added++;
	}
}

void
redis_sink_poll(struct redis_sink *s)
{
	unsigned appended = 0;
	int done;

	if (s->stats.connection_lost)
		return;
	while (s->sent < s->tail &&
	       s->sent - s->head < s->cfg.max_in_flight &&
	       appended++ < APPEND_BATCH)
		entry_append_xadd(s, *slot(s, s->sent++));
	if (redisBufferWrite(s->redis, &done) != REDIS_OK) {
		connection_lost(s, s->redis->errstr);
		return;
	}
	if (s->head < s->sent)
		read_answers(s);
}

void
redis_sink_abandon(struct redis_sink *s, const char *why)
{
	connection_lost(s, why);
}

static double
now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

void
redis_sink_stats_read(const struct redis_sink *s,
		      struct redis_sink_stats *stats)
{
	*stats = s->stats;
}

int
redis_sink_close(struct redis_sink *s, double timeout,
		 struct redis_sink_stats *stats)
{
	double deadline = now_seconds() + timeout;
	int rc;

	while (!s->stats.connection_lost && redis_sink_pending(s) &&
	       now_seconds() < deadline) {
		uint64_t before = s->head;

		redis_sink_poll(s);
		if (s->head == before)
			usleep(500);
	}
	if (redis_sink_pending(s))
		connection_lost(s, "timed out waiting for Redis to answer");
	if (s->redis)
		redisFree(s->redis);
	if (s->spilling && output_close(&s->spill) != 0)
		s->spill_failed = 1;
	rc = s->spill_failed ? -1 : 0;
	*stats = s->stats;
	free(s->ring);
	free(s);
	return rc;
}
