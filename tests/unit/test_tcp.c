/* test_tcp: the banner stack driven by synthetic segments and fake
 * callbacks — whole flows (server-first, client-first, FIN, RST, max_bytes,
 * trickle, silence, retransmission, bad acks), reassembly edge cases, zero
 * windows, a full table or pool, shutdown, the burst path, and random churn
 * after which nothing is left held. */
#include <stdlib.h>

#include "check.h"
#include "packet.h"
#include "tcp.h"

#define MAX_OUT 512
#define MAX_DONE 64

struct out_seg {
	struct tcp_tuple tuple;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	uint16_t len;
	uint8_t data[2048];
};

struct done_banner {
	struct tcp_tuple tuple;
	uint8_t data[4096];
	uint32_t len;
	uint8_t ttl;
	enum tcp_close_reason reason;
	const struct tcp_probe *probe;
};

static struct out_seg out[MAX_OUT];
static unsigned n_out;
static struct done_banner done[MAX_DONE];
static unsigned n_done;
/* banners delivered per their_ip & 0xffff (the churn test's slots) */
static unsigned done_by_slot[65536];

static void
fake_emit(void *ctx, const struct tcp_tuple *tuple, uint32_t seq, uint32_t ack,
	  uint8_t flags, uint16_t window, const uint8_t *payload, uint16_t len)
{
	struct out_seg *o;

	(void)ctx;
	if (n_out == MAX_OUT)
		n_out = 0; /* the churn test emits a lot: keep the last */
	o = &out[n_out++];
	o->tuple = *tuple;
	o->seq = seq;
	o->ack = ack;
	o->flags = flags;
	o->window = window;
	o->len = len;
	if (len)
		memcpy(o->data, payload,
		       len < sizeof(o->data) ? len : sizeof(o->data));
}

static void
fake_done(void *ctx, const struct tcp_tuple *tuple, uint8_t ttl,
	  const uint8_t *data, uint32_t len, enum tcp_close_reason reason,
	  const struct tcp_probe *probe)
{
	struct done_banner *d;

	(void)ctx;
	done_by_slot[tuple->their_ip & 0xffff]++;
	CHECK((len == 0) == (data == NULL));
	if (n_done == MAX_DONE)
		n_done = 0;
	d = &done[n_done++];
	d->tuple = *tuple;
	d->ttl = ttl;
	d->len = len;
	if (len)
		memcpy(d->data, data,
		       len < sizeof(d->data) ? len : sizeof(d->data));
	d->reason = reason;
	d->probe = probe;
}

/* "HI a.b.c.d\r\n" for their address: a probe rendered per target. */
static uint16_t
fake_render(void *ctx, const struct tcp_tuple *tuple,
	    const struct tcp_probe *probe, uint8_t *buf, uint16_t cap)
{
	char text[64];
	int n;

	(void)ctx;
	(void)probe;
	n = snprintf(text, sizeof(text), "HI %u.%u.%u.%u\r\n",
		     tuple->their_ip >> 24, tuple->their_ip >> 16 & 255,
		     tuple->their_ip >> 8 & 255, tuple->their_ip & 255);
	if (n > cap)
		n = cap;
	memcpy(buf, text, (size_t)n);
	return (uint16_t)n;
}

static void
reset_io(void)
{
	n_out = 0;
	n_done = 0;
}

static struct tcp_config
config_small(void)
{
	struct tcp_config cfg;

	tcp_config_default(&cfg);
	cfg.max_connections = 64;
	cfg.buffer_count = 16;
	cfg.emit = fake_emit;
	cfg.banner_done = fake_done;
	cfg.render = fake_render;
	return cfg;
}

static struct tcp_stack *
stack_new(const struct tcp_config *cfg, uint64_t now)
{
	size_t len = tcp_stack_footprint(cfg);
	void *mem = aligned_alloc(64, (len + 63) & ~(size_t)63);
	struct tcp_stack *s = NULL;
	char err[256];

	if (len == 0 || mem == NULL ||
	    tcp_stack_init(&s, mem, len, cfg, now, err, sizeof(err))) {
		fprintf(stderr, "test_tcp: stack: %s\n",
			len ? err : "footprint");
		exit(1);
	}
	reset_io();
	return s;
}

/* The stack is the start of its block. */
static void
stack_free(struct tcp_stack *s)
{
	free(s);
}

/* A connection as the far end sees it. */
struct conn {
	struct tcp_tuple t;
	uint32_t iss; /* ours: the cookie */
	uint32_t irs; /* theirs */
};

static struct conn
conn_make(uint32_t n, uint16_t port)
{
	return (struct conn){
	    .t = {.their_ip = 0xc6120000u + n,
		  .our_ip = 0xc6130002u,
		  .their_port = port,
		  .our_port = 61000},
	    .iss = 0xfffffff0u + n * 0x01000000u, /* some wrap soon */
	    .irs = 0x7ffffff8u + n * 77,
	};
}

/* Their SYN-ACK's TTL, which every banner must carry. */
#define SYNACK_TTL 57

/* Their SYN-ACK, answering our SYN of c. */
static struct tcp_segment
synack_of(const struct conn *c, uint16_t window, uint16_t mss, uint8_t wscale)
{
	return (struct tcp_segment){
	    .tuple = c->t,
	    .seq = c->irs,
	    .ack = c->iss + 1,
	    .flags = TCP_FLAG_SYN | TCP_FLAG_ACK,
	    .wscale = wscale,
	    .window = window,
	    .mss = mss,
	    .ttl = SYNACK_TTL,
	};
}

static enum tcp_verdict
synack_w(struct tcp_stack *s, const struct conn *c, uint16_t window,
	 uint16_t mss, uint8_t wscale, uint64_t now)
{
	struct tcp_segment g = synack_of(c, window, mss, wscale);

	return tcp_input(s, &g, now);
}

static enum tcp_verdict
synack(struct tcp_stack *s, const struct conn *c, uint64_t now)
{
	return synack_w(s, c, 65535, 1460, TCP_NO_WSCALE, now);
}

/* A segment from them: their byte `off` (from irs + 1) acking our byte
 * `ack_off` (from iss + 1). */
static enum tcp_verdict
seg_w(struct tcp_stack *s, const struct conn *c, uint8_t flags, uint32_t off,
      uint32_t ack_off, uint16_t window, const char *text, uint64_t now)
{
	struct tcp_segment g = {
	    .tuple = c->t,
	    .seq = c->irs + 1 + off,
	    .ack = c->iss + 1 + ack_off,
	    .flags = flags,
	    .wscale = TCP_NO_WSCALE,
	    .window = window,
	    .len = text ? (uint16_t)strlen(text) : 0,
	    .ttl = 3, /* not the SYN-ACK's: the banner keeps that */
	    .payload = (const uint8_t *)text,
	};

	return tcp_input(s, &g, now);
}

static enum tcp_verdict
seg(struct tcp_stack *s, const struct conn *c, uint8_t flags, uint32_t off,
    uint32_t ack_off, const char *text, uint64_t now)
{
	return seg_w(s, c, flags, off, ack_off, 65535, text, now);
}

#define A TCP_FLAG_ACK
#define PA (TCP_FLAG_PSH | TCP_FLAG_ACK)
#define FA (TCP_FLAG_FIN | TCP_FLAG_ACK)
#define RA (TCP_FLAG_RST | TCP_FLAG_ACK)

/* Is out[i] from us on c with these flags, seq offset, ack offset and
 * payload? */
static int
out_is(unsigned i, const struct conn *c, uint8_t flags, uint32_t seq_off,
       uint32_t ack_off, const char *text)
{
	const struct out_seg *o = &out[i];
	size_t len = text ? strlen(text) : 0;

	if (i >= n_out || !tcp_tuple_equal(&o->tuple, &c->t) ||
	    o->flags != flags || o->seq != c->iss + 1 + seq_off ||
	    o->ack != c->irs + 1 + ack_off || o->len != len ||
	    memcmp(o->data, text ? text : "", len) != 0) {
		fprintf(stderr,
			"  out[%u] of %u: flags %#x seq +%u ack +%u len %u\n",
			i, n_out, o->flags, o->seq - c->iss - 1,
			o->ack - c->irs - 1, o->len);
		return 0;
	}
	return (o->flags & TCP_FLAG_RST) ? o->window == 0 : o->window == 64240;
}

static int
banner_is(unsigned i, const struct conn *c, const char *text,
	  enum tcp_close_reason reason)
{
	const struct done_banner *d = &done[i];
	size_t len = strlen(text);

	return i < n_done && tcp_tuple_equal(&d->tuple, &c->t) &&
	       d->len == len && memcmp(d->data, text, len) == 0 &&
	       d->reason == reason && d->ttl == SYNACK_TTL;
}

static void
check_empty(const struct tcp_stack *s)
{
	CHECK_EQ_U64(s->counters.in_use, 0);
	CHECK_EQ_U64(s->counters.buffers_in_use, 0);
	CHECK_EQ_U64(s->table.in_use, 0);
	CHECK_EQ_U64(s->wheel.armed, 0);
}

/* ---- set-up ---- */

static void
test_config(void)
{
	struct tcp_config cfg;
	struct tcp_stack *s;
	struct tcp_probe big = {.payload = (const uint8_t *)"x",
				.len = TCP_PROBE_MAX_LEN + 1};
	struct tcp_probe rendered = {.len = 10};
	const struct tcp_probe *table[65536] = {0};
	char err[256];
	void *mem;
	size_t len;

	tcp_config_default(&cfg);
	CHECK_EQ_U64(cfg.max_connections, 1000000);
	CHECK_EQ_U64(cfg.max_bytes, 4096);
	CHECK_EQ_U64(cfg.server_first_wait_ms, 1000);
	CHECK_EQ_U64(cfg.idle_timeout_ms, 2000);
	CHECK_EQ_U64(cfg.total_timeout_ms, 10000);
	CHECK(tcp_stack_footprint(&cfg) > 0); /* callbacks not needed yet */

	/* the memory goals, from the layout */
	cfg.max_bytes = 1024;
	cfg.buffer_count = 1000000;
	len = tcp_stack_footprint(&cfg);
	printf("footprint: 1M connections, 1M x 1 KiB buffers: %zu MiB\n",
	       len >> 20);
	CHECK(len <= 1536ull << 20);
	cfg.max_connections = 10000000;
	len = tcp_stack_footprint(&cfg);
	printf("footprint: 10M connections, 1M x 1 KiB buffers: %zu MiB\n",
	       len >> 20);
	CHECK(len <= 2048ull << 20);

	cfg = config_small();
	cfg.max_connections = 0;
	CHECK_EQ_U64(tcp_stack_footprint(&cfg), 0);
	CHECK(tcp_stack_init(&s, NULL, 0, &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "max_connections") != NULL);
	cfg.max_connections = TCP_MAX_CONNECTIONS + 1;
	CHECK_EQ_U64(tcp_stack_footprint(&cfg), 0);
	cfg = config_small();
	cfg.max_bytes = 8;
	CHECK_EQ_U64(tcp_stack_footprint(&cfg), 0);
	cfg = config_small();
	cfg.buffer_count = 65;
	CHECK(tcp_stack_init(&s, NULL, 0, &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "buffer_count") != NULL);
	cfg = config_small();
	cfg.rto_ms = 0;
	CHECK_EQ_U64(tcp_stack_footprint(&cfg), 0);
	cfg = config_small();
	cfg.idle_timeout_ms = 0;
	CHECK_EQ_U64(tcp_stack_footprint(&cfg), 0);
	cfg = config_small();
	cfg.probes = table;
	table[443] = &big;
	CHECK(tcp_stack_init(&s, NULL, 0, &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "port 443") != NULL);
	table[443] = &rendered;
	CHECK(tcp_stack_footprint(&cfg) > 0);
	cfg.render = NULL;
	CHECK(tcp_stack_init(&s, NULL, 0, &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "render") != NULL);

	cfg = config_small();
	cfg.emit = NULL;
	len = tcp_stack_footprint(&cfg);
	mem = aligned_alloc(64, (len + 63) & ~(size_t)63);
	CHECK(tcp_stack_init(&s, mem, len, &cfg, 0, err, sizeof(err)) == -1);
	CHECK(strstr(err, "callbacks") != NULL);
	cfg.emit = fake_emit;
	CHECK(tcp_stack_init(&s, (char *)mem + 8, len, &cfg, 0, err,
			     sizeof(err)) == -1);
	CHECK(strstr(err, "aligned") != NULL);
	CHECK(tcp_stack_init(&s, mem, len - 1, &cfg, 0, err, sizeof(err)) ==
	      -1);
	CHECK(strstr(err, "needed") != NULL);
	CHECK(tcp_stack_init(&s, mem, len, &cfg, 0, err, sizeof(err)) == 0);
	CHECK((void *)s == mem);
	free(mem);

	CHECK_STR(tcp_close_reason_name(TCP_CLOSE_FIN), "fin");
	CHECK_STR(tcp_close_reason_name(TCP_CLOSE_SHUTDOWN), "shutdown");
	CHECK_STR(tcp_close_reason_name(TCP_CLOSE_REASONS), "?");
}

/* ---- whole flows ---- */

/* The server speaks first: we ACK, never probe, and close on idle. */
static void
test_server_first_idle(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 5000);
	struct conn c = conn_make(1, 22);
	const char *b = "SSH-2.0-OpenSSH_9.2\r\n";

	CHECK(synack(s, &c, 5000) == TCP_OPENED);
	CHECK(n_out == 1 && out_is(0, &c, A, 0, 0, NULL));
	CHECK(seg(s, &c, PA, 0, 0, b, 5100) == TCP_ACCEPTED);
	CHECK(n_out == 2 && out_is(1, &c, A, 0, (uint32_t)strlen(b), NULL));
	/* the wait is over once they spoke: no wake-up at its end */
	CHECK_EQ_U64(tcp_timers_run(s, 7099), 0);
	CHECK_EQ_U64(n_out, 2);
	CHECK_EQ_U64(n_done, 0);
	CHECK_EQ_U64(tcp_timers_run(s, 7100), 1);
	CHECK(n_done == 1 && banner_is(0, &c, b, TCP_CLOSE_IDLE));
	CHECK(done[0].probe == NULL);
	CHECK(n_out == 3 && out_is(2, &c, RA, 0, (uint32_t)strlen(b), NULL));
	CHECK_EQ_U64(s->counters.connections_opened, 1);
	CHECK_EQ_U64(s->counters.banners, 1);
	CHECK_EQ_U64(s->counters.timeouts, 1);
	CHECK_EQ_U64(s->counters.probes_sent, 0);
	CHECK_EQ_U64(s->counters.bytes, strlen(b));
	check_empty(s);
	/* the tuple is gone: its segments are not ours any more */
	CHECK(seg(s, &c, PA, 21, 0, "x", 7200) == TCP_UNKNOWN);
	CHECK_EQ_U64(s->counters.unknown, 1);
	stack_free(s);
}

/* Client-first: the probe rides the handshake's ACK; the response is
 * kept; their FIN is ACKed and the connection reset. */
static void
test_client_first_fin(void)
{
	static const struct tcp_probe http = {
	    .payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n",
	    .len = 18,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *table[65536] = {[80] = &http};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(2, 80);

	cfg.probes = table;
	s = stack_new(&cfg, 0);
	CHECK(synack(s, &c, 10) == TCP_OPENED);
	CHECK(n_out == 1 && out_is(0, &c, PA, 0, 0, "GET / HTTP/1.0\r\n\r\n"));
	CHECK_EQ_U64(s->counters.probes_sent, 1);
	CHECK(seg(s, &c, A, 0, 18, NULL, 20) == TCP_ACCEPTED); /* acked */
	CHECK_EQ_U64(n_out, 1);
	CHECK(seg(s, &c, PA, 0, 18, "HTTP/1.0 200 OK\r\n", 30) == TCP_ACCEPTED);
	CHECK(n_out == 2 && out_is(1, &c, A, 18, 17, NULL));
	CHECK(seg(s, &c, PA | TCP_FLAG_FIN, 17, 18, "\r\n", 40) ==
	      TCP_ACCEPTED);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "HTTP/1.0 200 OK\r\n\r\n", TCP_CLOSE_FIN));
	CHECK(done[0].probe == &http);
	CHECK(n_out == 4 && out_is(2, &c, A, 18, 20, NULL) &&
	      out_is(3, &c, RA, 18, 20, NULL));
	CHECK_EQ_U64(s->counters.closed[TCP_CLOSE_FIN], 1);
	check_empty(s);
	/* a late retransmission of their FIN finds no connection */
	CHECK(seg(s, &c, FA, 19, 18, NULL, 50) == TCP_UNKNOWN);
	tcp_timers_run(s, 60000);
	CHECK_EQ_U64(n_done, 1);
	stack_free(s);
}

/* close_with_fin: our FIN answers theirs; its ack ends the TCB. Unacked,
 * our FIN is retransmitted max_retries times, then reset. */
static void
test_close_with_fin(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(3, 25), d = conn_make(4, 25);

	cfg.close_with_fin = 1;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	seg(s, &c, PA | TCP_FLAG_FIN, 0, 0, "220 hi\r\n", 10);
	CHECK(n_done == 1 && banner_is(0, &c, "220 hi\r\n", TCP_CLOSE_FIN));
	CHECK(n_out == 2 && out_is(1, &c, FA, 0, 9, NULL));
	CHECK_EQ_U64(s->counters.in_use, 1); /* closing */
	CHECK_EQ_U64(s->counters.buffers_in_use, 0);
	/* data after our FIN: a stale ack of ours is fine, data is not
	 * taken; here their ack of our FIN ends it */
	CHECK(seg(s, &c, A, 9, 1, NULL, 20) == TCP_ACCEPTED);
	check_empty(s);
	CHECK_EQ_U64(n_done, 1);

	/* idle close with FIN; they never ack it */
	reset_io();
	synack(s, &d, 100);
	seg(s, &d, PA, 0, 0, "hello", 200);
	tcp_timers_run(s, 2199);
	CHECK_EQ_U64(n_done, 0);
	tcp_timers_run(s, 2200);
	CHECK(n_done == 1 && banner_is(0, &d, "hello", TCP_CLOSE_IDLE));
	CHECK(n_out == 3 && out_is(2, &d, FA, 0, 5, NULL));
	/* their FIN while we wait: ACKed, we keep waiting for our ack */
	CHECK(seg(s, &d, FA, 5, 0, NULL, 2300) == TCP_ACCEPTED);
	CHECK(n_out == 4 && out_is(3, &d, A, 1, 6, NULL));
	/* retransmissions at +1 s, +2 s, +4 s, then RST */
	tcp_timers_run(s, 3200);
	CHECK(n_out == 5 && out_is(4, &d, FA, 0, 6, NULL));
	tcp_timers_run(s, 5199);
	CHECK_EQ_U64(n_out, 5);
	tcp_timers_run(s, 5200);
	tcp_timers_run(s, 9200);
	CHECK(n_out == 7 && out_is(6, &d, FA, 0, 6, NULL));
	tcp_timers_run(s, 17200);
	CHECK(n_out == 8 && out_is(7, &d, RA, 1, 6, NULL));
	CHECK_EQ_U64(s->counters.retransmits, 3);
	CHECK_EQ_U64(n_done, 1);
	check_empty(s);
	stack_free(s);
}

/* Their RST mid-way ends the banner (nothing sent back); an RST outside
 * the window is ignored. */
static void
test_rst(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(5, 21), d = conn_make(6, 21);

	synack(s, &c, 0);
	seg(s, &c, PA, 0, 0, "220 ftp", 10);
	CHECK(seg(s, &c, TCP_FLAG_RST, 70000, 0, NULL, 20) == TCP_IGNORED);
	CHECK(seg(s, &c, RA, 7, 5, NULL, 20) == TCP_IGNORED); /* bad ack */
	CHECK_EQ_U64(s->counters.bad_rst, 1);
	CHECK_EQ_U64(n_done, 0);
	CHECK(seg(s, &c, TCP_FLAG_RST, 7, 0, NULL, 30) == TCP_ACCEPTED);
	CHECK(n_done == 1 && banner_is(0, &c, "220 ftp", TCP_CLOSE_RST));
	CHECK_EQ_U64(n_out, 2); /* the handshake ACK and the data ACK */
	/* reset before a word: an empty banner, not counted in banners */
	synack(s, &d, 40);
	CHECK(seg(s, &d, RA, 0, 0, NULL, 50) == TCP_ACCEPTED);
	CHECK(n_done == 2 && banner_is(1, &d, "", TCP_CLOSE_RST));
	CHECK_EQ_U64(s->counters.banners, 1);
	CHECK_EQ_U64(s->counters.closed[TCP_CLOSE_RST], 2);
	check_empty(s);
	stack_free(s);
}

/* max_bytes: the banner is cut there and the connection reset. */
static void
test_max_bytes(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(7, 23), d = conn_make(8, 23);

	cfg.max_bytes = 16;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	seg(s, &c, PA, 0, 0, "0123456789", 10);
	CHECK_EQ_U64(n_done, 0);
	seg(s, &c, PA, 10, 0, "abcdefghij", 20);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "0123456789abcdef", TCP_CLOSE_MAX_BYTES));
	CHECK(n_out == 3 && out_is(2, &c, RA, 0, 16, NULL));
	/* exactly max_bytes also closes */
	synack(s, &d, 30);
	seg(s, &d, PA, 0, 0, "0123456789abcdef", 40);
	CHECK(n_done == 2 &&
	      banner_is(1, &d, "0123456789abcdef", TCP_CLOSE_MAX_BYTES));
	CHECK_EQ_U64(s->counters.closed[TCP_CLOSE_MAX_BYTES], 2);
	check_empty(s);
	stack_free(s);
}

/* A trickle never idle long enough: the total timeout ends it. */
static void
test_trickle_total(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(9, 7);
	char expect[16] = {0};
	uint32_t n = 0;

	synack(s, &c, 0);
	for (uint64_t t = 500; t < 10000; t += 1500) {
		tcp_timers_run(s, t);
		CHECK(seg(s, &c, PA, n, 0, "z", t) == TCP_ACCEPTED);
		expect[n++] = 'z';
	}
	tcp_timers_run(s, 9999);
	CHECK_EQ_U64(n_done, 0);
	tcp_timers_run(s, 10000);
	CHECK(n_done == 1 && banner_is(0, &c, expect, TCP_CLOSE_TOTAL));
	CHECK_EQ_U64(s->counters.timeouts, 1);
	CHECK_EQ_U64(s->counters.probes_sent, 0);
	check_empty(s);
	stack_free(s);
}

/* A hole in their data holds the idle timeout off until it is filled:
 * the missing segment is on its way (their retransmit timer may be
 * seconds); only the total timeout bounds the wait. */
static void
test_gap_holds_idle(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(2, 22);

	CHECK(synack(s, &c, 0) == TCP_OPENED);
	CHECK(seg(s, &c, PA, 0, 0, "SSH-", 100) == TCP_ACCEPTED);
	/* bytes 4.. lost; 8.. arrive: out of order, kept, re-ACKed */
	CHECK(seg(s, &c, PA, 8, 0, "OpenSSH\r\n", 200) == TCP_ACCEPTED);
	CHECK_EQ_U64(s->counters.out_of_order, 1);
	tcp_timers_run(s, 2100); /* idle would have ended it here */
	CHECK_EQ_U64(n_done, 0);
	/* the hole filled at 4000: idle counts again from there */
	CHECK(seg(s, &c, PA, 4, 0, "2.0-OpenSSH\r\n", 4000) == TCP_ACCEPTED);
	tcp_timers_run(s, 5999);
	CHECK_EQ_U64(n_done, 0);
	tcp_timers_run(s, 6000);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "SSH-2.0-OpenSSH\r\n", TCP_CLOSE_IDLE));
	check_empty(s);
	stack_free(s);
}

/* Silence: after the wait the generic probe goes out; still nothing, and
 * idle ends it with an empty banner. */
static void
test_silent_generic(void)
{
	static const struct tcp_probe mine = {
	    .payload = (const uint8_t *)"HELP\r\n",
	    .len = 6,
	};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(10, 9999);

	synack(s, &c, 0);
	tcp_timers_run(s, 999);
	CHECK_EQ_U64(n_out, 1);
	tcp_timers_run(s, 1000);
	CHECK(n_out == 2 && out_is(1, &c, PA, 0, 0, "\r\n\r\n"));
	/* Idle counts from when they had all of the probe (its ACK). */
	CHECK(seg(s, &c, A, 0, 4, NULL, 1010) == TCP_ACCEPTED);
	tcp_timers_run(s, 3009);
	CHECK_EQ_U64(n_done, 0);
	tcp_timers_run(s, 3010);
	CHECK(n_done == 1 && banner_is(0, &c, "", TCP_CLOSE_IDLE));
	CHECK(done[0].probe && done[0].probe->len == 4 &&
	      memcmp(done[0].probe->payload, "\r\n\r\n", 4) == 0);
	CHECK(n_out == 3 && out_is(2, &c, RA, 4, 0, NULL));
	CHECK_EQ_U64(s->counters.banners, 0);
	CHECK_EQ_U64(s->counters.probes_sent, 1);
	check_empty(s);
	stack_free(s);

	/* the caller's own generic probe comes back as itself */
	cfg.generic_probe = &mine;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	tcp_timers_run(s, 1000);
	CHECK(n_out == 2 && out_is(1, &c, PA, 0, 0, "HELP\r\n"));
	tcp_stack_close_all(s, 1100);
	CHECK(n_done == 1 && done[0].probe == &mine);
	check_empty(s);
	stack_free(s);
}

/* Port 25's own server-first probe, with a wait of its own. */
static const struct tcp_probe smtp = {
    .payload = (const uint8_t *)"EHLO x\r\n",
    .len = 8,
    .wait_ms = 300,
};
static const struct tcp_probe *smtp_table[65536] = {[25] = &smtp};

/* A port's own (server-first) probe with its own wait; the server
 * speaking first on such a port means no probe at all. */
static void
test_port_probe_wait(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(11, 25), d = conn_make(12, 25);

	cfg.probes = smtp_table;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	synack(s, &d, 0);
	seg(s, &d, PA, 0, 0, "220 mx\r\n", 100);
	tcp_timers_run(s, 299);
	CHECK_EQ_U64(n_out, 3);
	tcp_timers_run(s, 300);
	CHECK(n_out == 4 && out_is(3, &c, PA, 0, 0, "EHLO x\r\n"));
	seg(s, &c, PA, 0, 8, "250 ok\r\n", 320);
	seg(s, &d, TCP_FLAG_RST, 8, 0, NULL, 330);
	seg(s, &c, TCP_FLAG_RST, 8, 0, NULL, 340);
	CHECK(n_done == 2 && banner_is(0, &d, "220 mx\r\n", TCP_CLOSE_RST) &&
	      banner_is(1, &c, "250 ok\r\n", TCP_CLOSE_RST));
	CHECK(done[0].probe == NULL && done[1].probe == &smtp);
	check_empty(s);
	stack_free(s);
}

/* Follow-up probes, named from the tuple: our port's offset from 61000
 * picks one (the caller's scheme; the stack only asks). */
static const struct tcp_probe followup_probes[2] = {
    {.payload = (const uint8_t *)"OPTIONS / RTSP/1.0\r\n\r\n", .len = 22},
    {.payload = (const uint8_t *)"\x80\0\0\x28", .len = 4},
};
static unsigned followup_asked;

static const struct tcp_probe *
fake_followup(void *ctx, const struct tcp_tuple *tuple)
{
	(void)ctx;
	followup_asked++;
	return &followup_probes[(tuple->our_port - 61001) & 1];
}

/* A SYN-ACK marked followup: its probe goes out with the ACK, even on a
 * port whose own probe is server-first; it is retransmitted and named at
 * close as the connection's probe. Unmarked SYN-ACKs of the same port keep
 * the port's wait. */
static void
test_followup(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(20, 25), d = conn_make(21, 25),
		    e = conn_make(22, 25);
	struct tcp_segment g;

	cfg.probes = smtp_table;
	cfg.followup_probe = fake_followup;
	s = stack_new(&cfg, 0);
	c.t.our_port = 61001;
	e.t.our_port = 61002;
	g = synack_of(&c, 65535, 1460, TCP_NO_WSCALE);
	g.followup = 1;
	CHECK(tcp_input(s, &g, 0) == TCP_OPENED);
	CHECK(n_out == 1 &&
	      out_is(0, &c, PA, 0, 0, "OPTIONS / RTSP/1.0\r\n\r\n"));
	synack(s, &d, 0); /* the port's own: waits */
	CHECK_EQ_U64(n_out, 2);
	/* unacknowledged: sent again after the RTO */
	tcp_timers_run(s, 1000);
	CHECK(n_out == 4 && out_is(2, &d, PA, 0, 0, "EHLO x\r\n") &&
	      out_is(3, &c, PA, 0, 0, "OPTIONS / RTSP/1.0\r\n\r\n"));
	seg(s, &c, PA, 0, 22, "RTSP/1.0 200 OK\r\n", 1010);
	seg(s, &c, FA, 17, 22, NULL, 1020);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "RTSP/1.0 200 OK\r\n", TCP_CLOSE_FIN));
	CHECK(done[0].probe == &followup_probes[0]);
	/* the other follow-up probe, for another of our ports */
	g = synack_of(&e, 65535, 1460, TCP_NO_WSCALE);
	g.followup = 1;
	CHECK(tcp_input(s, &g, 1030) == TCP_OPENED);
	/* (a NUL in the payload: out_is cannot compare it) */
	CHECK(tcp_tuple_equal(&out[n_out - 1].tuple, &e.t) &&
	      out[n_out - 1].flags == PA && out[n_out - 1].len == 4 &&
	      memcmp(out[n_out - 1].data, "\x80\0\0\x28", 4) == 0);
	tcp_stack_close_all(s, 1100);
	/* (closed in TCB order: e took c's TCB) */
	CHECK(n_done == 3 && tcp_tuple_equal(&done[1].tuple, &e.t) &&
	      done[1].probe == &followup_probes[1] &&
	      tcp_tuple_equal(&done[2].tuple, &d.t) && done[2].probe == &smtp);
	CHECK(followup_asked >= 3);
	check_empty(s);
	stack_free(s);

	/* without the callback a marked SYN-ACK is an ordinary one */
	cfg.followup_probe = NULL;
	s = stack_new(&cfg, 0);
	g = synack_of(&c, 65535, 1460, TCP_NO_WSCALE);
	g.followup = 1;
	CHECK(tcp_input(s, &g, 0) == TCP_OPENED);
	CHECK_EQ_U64(n_out, 1); /* the ACK; the port's wait runs */
	tcp_timers_run(s, 300);
	CHECK(n_out == 2 && out_is(1, &c, PA, 0, 0, "EHLO x\r\n"));
	tcp_stack_close_all(s, 400);
	check_empty(s);
	stack_free(s);
}

/* Never acknowledged: RTO 1 s doubling, exactly max_retries resends, then
 * reset with reason no_ack. */
static void
test_retransmit_bounded(void)
{
	static const struct tcp_probe p = {
	    .payload = (const uint8_t *)"HELP\r\n",
	    .len = 6,
	};
	static const struct tcp_probe *table[65536] = {[4000] = &p};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(13, 4000);
	static const uint64_t resend[] = {2000, 4000, 8000};

	cfg.probes = table;
	cfg.total_timeout_ms = 60000;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	tcp_timers_run(s, 1000);
	CHECK(n_out == 2 && out_is(1, &c, PA, 0, 0, "HELP\r\n"));
	for (unsigned i = 0; i < 3; i++) {
		tcp_timers_run(s, resend[i] - 1);
		CHECK_EQ_U64(n_out, 2 + i);
		tcp_timers_run(s, resend[i]);
		CHECK(n_out == 3 + i &&
		      out_is(2 + i, &c, PA, 0, 0, "HELP\r\n"));
	}
	tcp_timers_run(s, 15999);
	CHECK_EQ_U64(n_done, 0);
	tcp_timers_run(s, 16000);
	CHECK(n_done == 1 && banner_is(0, &c, "", TCP_CLOSE_NO_ACK));
	CHECK(n_out == 6 && out_is(5, &c, RA, 6, 0, NULL));
	CHECK_EQ_U64(s->counters.retransmits, 3);
	check_empty(s);

	/* an ack stops retransmission: idle then counts */
	reset_io();
	synack(s, &c, 20000);
	tcp_timers_run(s, 21000);
	tcp_timers_run(s, 22000); /* one resend */
	CHECK(seg(s, &c, A, 0, 6, NULL, 22100) == TCP_ACCEPTED);
	tcp_timers_run(s, 30000);
	CHECK_EQ_U64(s->counters.retransmits, 4);
	CHECK(n_done == 1 && banner_is(0, &c, "", TCP_CLOSE_IDLE));
	check_empty(s);
	stack_free(s);
}

/* Acks outside what we sent, and segments without ACK, are ignored: no
 * data taken, nothing sent. So is a stranger reusing the tuple. */
static void
test_bad_ack(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(14, 110), stranger;

	synack(s, &c, 0);
	CHECK(seg(s, &c, PA, 0, 1, "+OK", 10) == TCP_IGNORED); /* past */
	CHECK(seg(s, &c, PA, 0, (uint32_t)-1, "+OK", 10) == TCP_IGNORED);
	CHECK(seg(s, &c, TCP_FLAG_PSH, 0, 0, "+OK", 10) == TCP_IGNORED);
	stranger = c;
	stranger.iss += 0x01000000; /* another cookie */
	CHECK(seg(s, &stranger, PA, 0, 0, "+OK", 10) == TCP_IGNORED);
	/* a SYN-ACK with another ISN is not a retransmission */
	stranger = c;
	stranger.irs += 1000;
	CHECK(synack(s, &stranger, 10) == TCP_IGNORED);
	CHECK_EQ_U64(s->counters.bad_ack, 5);
	CHECK_EQ_U64(n_out, 1);
	CHECK_EQ_U64(s->counters.bytes, 0);
	/* the genuine one still works */
	CHECK(seg(s, &c, PA, 0, 0, "+OK", 20) == TCP_ACCEPTED);
	seg(s, &c, TCP_FLAG_RST, 3, 0, NULL, 30);
	CHECK(n_done == 1 && banner_is(0, &c, "+OK", TCP_CLOSE_RST));
	check_empty(s);
	stack_free(s);
}

/* Reassembly: out-of-order bytes are kept and re-ACKed, duplicates
 * re-ACKed, a partial overlap gives its new bytes, a FIN past a hole
 * counts once the hole is filled. */
static void
test_reassembly(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(15, 5000);

	synack(s, &c, 0);
	CHECK(seg(s, &c, PA, 4, 0, "4567", 10) == TCP_ACCEPTED); /* gap */
	CHECK(n_out == 2 && out_is(1, &c, A, 0, 0, NULL));
	CHECK_EQ_U64(s->counters.out_of_order, 1);
	CHECK_EQ_U64(s->counters.buffers_in_use, 1);
	seg(s, &c, PA, 0, 0, "0123", 20); /* fills it: 0..7 */
	CHECK(n_out == 3 && out_is(2, &c, A, 0, 8, NULL));
	seg(s, &c, PA, 0, 0, "0123", 30); /* duplicate */
	CHECK(n_out == 4 && out_is(3, &c, A, 0, 8, NULL));
	CHECK_EQ_U64(s->counters.duplicates, 1);
	seg(s, &c, PA, 2, 0, "23456789", 40); /* overlap: 8..9 new */
	CHECK(n_out == 5 && out_is(4, &c, A, 0, 10, NULL));
	seg(s, &c, A, 10, 0, NULL, 45); /* a pure ACK: no reply */
	CHECK_EQ_U64(n_out, 5);
	seg(s, &c, FA, 12, 0, NULL, 50); /* FIN past a gap: noted */
	CHECK(n_out == 6 && out_is(5, &c, A, 0, 10, NULL));
	CHECK_EQ_U64(n_done, 0);
	seg(s, &c, PA, 0, 0, "0123456789", 55); /* all old */
	CHECK_EQ_U64(s->counters.duplicates, 2);
	seg(s, &c, PA, 8, 0, "89ab", 60); /* overlap up to the FIN */
	CHECK(n_done == 1 && banner_is(0, &c, "0123456789ab", TCP_CLOSE_FIN));
	CHECK(n_out == 9 && out_is(7, &c, A, 0, 13, NULL) &&
	      out_is(8, &c, RA, 0, 13, NULL));
	CHECK_EQ_U64(s->counters.bytes, 12);
	check_empty(s);
	stack_free(s);
}

/* Holes filled in any order: ranges merge (overlapping, touching,
 * duplicated), the TCP_OOO_RANGES + 1st apart is dropped and must come
 * again, and the banner is whole once every hole is filled. */
static void
test_reassembly_holes(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(16, 5000);
	const char *want = "0123456789abcdefghijklmnopqrstuv";

	synack(s, &c, 0);
	seg(s, &c, PA, 28, 0, "stuv", 10);
	seg(s, &c, PA, 4, 0, "4567", 11);
	seg(s, &c, PA, 12, 0, "cdef", 12);
	seg(s, &c, PA, 20, 0, "klmn", 13);
	seg(s, &c, PA, 24, 0, "op", 14); /* 4 ranges now (20..25 merged) */
	seg(s, &c, PA, 17, 0, "hi", 15); /* a 5th apart: dropped */
	seg(s, &c, PA, 5, 0, "56", 16);	 /* inside one: nothing new */
	seg(s, &c, PA, 10, 0, "ab", 17); /* touches 12..15 */
	CHECK_EQ_U64(s->counters.out_of_order, 8);
	CHECK(n_out == 9 && out_is(8, &c, A, 0, 0, NULL));
	seg(s, &c, PA, 0, 0, "0123", 20); /* 0..7 */
	CHECK(out_is(n_out - 1, &c, A, 0, 8, NULL));
	seg(s, &c, PA, 8, 0, "89", 21); /* 8..15 */
	CHECK(out_is(n_out - 1, &c, A, 0, 16, NULL));
	seg(s, &c, PA, 16, 0, "ghij", 22); /* the dropped one again: ..25 */
	CHECK(out_is(n_out - 1, &c, A, 0, 26, NULL));
	tcp_timers_run(s, 3000); /* a hole is left: not idle */
	CHECK_EQ_U64(n_done, 0);
	seg(s, &c, PA, 26, 0, "qr", 3001); /* the last hole: ..31 */
	CHECK(out_is(n_out - 1, &c, A, 0, 32, NULL));
	CHECK_EQ_U64(s->counters.bytes, 32);
	tcp_timers_run(s, 3001 + 2000);
	CHECK(n_done == 1 && banner_is(0, &c, want, TCP_CLOSE_IDLE));
	check_empty(s);
	stack_free(s);
}

/* Bytes past max_bytes or past our window are not kept; a hole filled up
 * to max_bytes ends the banner. */
static void
test_reassembly_limits(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(17, 5000), d = conn_make(18, 5000);

	cfg.max_bytes = 16;
	cfg.window = 12;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	/* 8..19 comes, 8..11 is in our window (0..11) */
	seg(s, &c, PA, 8, 0, "89abcdefghij", 10);
	seg(s, &c, PA, 0, 0, "01234567", 11);
	CHECK(out[n_out - 1].ack == c.irs + 1 + 12);
	/* now 12..15 fit max_bytes: 16..19 are dropped */
	seg(s, &c, PA, 14, 0, "efghij", 12);
	CHECK(out[n_out - 1].ack == c.irs + 1 + 12);
	CHECK_EQ_U64(n_done, 0);
	seg(s, &c, PA, 12, 0, "cd", 13);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "0123456789abcdef", TCP_CLOSE_MAX_BYTES));
	/* wholly past max_bytes: nothing kept, no buffer taken */
	synack(s, &d, 20);
	seg(s, &d, PA, 16, 0, "ghij", 21);
	CHECK_EQ_U64(s->counters.buffers_in_use, 0);
	CHECK(out[n_out - 1].ack == d.irs + 1);
	seg(s, &d, RA, 0, 0, NULL, 22);
	CHECK(n_done == 2 && banner_is(1, &d, "", TCP_CLOSE_RST));
	check_empty(s);
	stack_free(s);
}

/* A port whose probe completes at the first line end: the banner is done
 * at '\n' (even when the line comes in pieces), closed with RST. */
static void
test_complete_line(void)
{
	static const struct tcp_probe ssh = {
	    .flags = TCP_PROBE_COMPLETE_LINE,
	};
	static const struct tcp_probe *probes[65536];
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(19, 22), d = conn_make(20, 21);

	probes[22] = &ssh;
	cfg.probes = probes;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	synack(s, &d, 0);
	seg(s, &c, PA, 0, 0, "SSH-2.0-", 10);
	CHECK_EQ_U64(n_done, 0);
	seg(s, &c, PA, 8, 0, "OpenSSH_9.2\r\n", 11);
	CHECK(n_done == 1 &&
	      banner_is(0, &c, "SSH-2.0-OpenSSH_9.2\r\n", TCP_CLOSE_LINE));
	CHECK(out_is(n_out - 1, &c, RA, 0, 21, NULL));
	/* another port: a line end is not the end */
	seg(s, &d, PA, 0, 0, "220-hello\r\n", 12);
	CHECK_EQ_U64(n_done, 1);
	tcp_timers_run(s, 12 + 2000);
	CHECK(n_done == 2 && banner_is(1, &d, "220-hello\r\n", TCP_CLOSE_IDLE));
	check_empty(s);
	stack_free(s);
}

/* Their window: a zero window holds the probe back (persist probes), a
 * small one splits it, as does their MSS; scaled windows. */
static void
test_window(void)
{
	static const struct tcp_probe p = {
	    .payload = (const uint8_t *)"ABCDEFGHIJ",
	    .len = 10,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *table[65536] = {[9000] = &p};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(16, 9000), d = conn_make(17, 9000);
	struct conn e = conn_make(18, 9000);

	cfg.probes = table;
	s = stack_new(&cfg, 0);
	CHECK(synack_w(s, &c, 0, 1460, TCP_NO_WSCALE, 0) == TCP_OPENED);
	CHECK(n_out == 1 && out_is(0, &c, A, 0, 0, NULL)); /* no data */
	tcp_timers_run(s, 1000);
	CHECK(n_out == 2 && out_is(1, &c, A, (uint32_t)-1, 0, NULL));
	CHECK_EQ_U64(s->counters.persist_probes, 1);
	seg_w(s, &c, A, 0, 0, 4, NULL, 1100); /* window opens: 4 bytes */
	CHECK(n_out == 3 && out_is(2, &c, PA, 0, 0, "ABCD"));
	seg_w(s, &c, A, 0, 4, 4, NULL, 1200);
	CHECK(n_out == 4 && out_is(3, &c, PA, 4, 0, "EFGH"));
	seg_w(s, &c, A, 0, 6, 3, NULL, 1250); /* 2 in flight, room for 1 */
	CHECK(n_out == 5 && out_is(4, &c, PA, 8, 0, "I"));
	seg_w(s, &c, A, 0, 9, 0, NULL, 1300); /* shut again */
	CHECK_EQ_U64(n_out, 5);
	tcp_timers_run(s, 2299);
	CHECK_EQ_U64(n_out, 5);
	tcp_timers_run(s, 2300);
	CHECK(n_out == 6 && out_is(5, &c, A, 8, 0, NULL)); /* persist */
	seg_w(s, &c, A, 0, 9, 100, NULL, 2400);
	CHECK(n_out == 7 && out_is(6, &c, PA, 9, 0, "J"));
	seg_w(s, &c, PA, 0, 10, 100, "ok", 2500);
	CHECK(n_out == 8 && out_is(7, &c, A, 10, 2, NULL));

	/* their MSS splits the probe */
	reset_io();
	synack_w(s, &d, 65535, 3, TCP_NO_WSCALE, 3000);
	CHECK(n_out == 4 && out_is(0, &d, PA, 0, 0, "ABC") &&
	      out_is(1, &d, PA, 3, 0, "DEF") &&
	      out_is(2, &d, PA, 6, 0, "GHI") && out_is(3, &d, PA, 9, 0, "J"));

	/* a scaled window: 1 << 2 = 4 bytes after the SYN-ACK */
	reset_io();
	synack_w(s, &e, 0, 1460, 2, 3000);
	CHECK_EQ_U64(n_out, 1);
	seg_w(s, &e, A, 0, 0, 1, NULL, 3100);
	CHECK(n_out == 2 && out_is(1, &e, PA, 0, 0, "ABCD"));
	tcp_stack_close_all(s, 4000);
	check_empty(s);
	stack_free(s);
}

/* Our ACK of their SYN-ACK was lost: they send it again, we ACK again. */
static void
test_synack_again(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s = stack_new(&cfg, 0);
	struct conn c = conn_make(19, 8080);

	CHECK(synack(s, &c, 0) == TCP_OPENED);
	CHECK(synack(s, &c, 200) == TCP_ACCEPTED);
	CHECK(n_out == 2 && out_is(1, &c, A, 0, 0, NULL));
	CHECK_EQ_U64(s->counters.duplicates, 1);
	CHECK_EQ_U64(s->counters.connections_opened, 1);
	tcp_stack_close_all(s, 300);
	check_empty(s);
	stack_free(s);
}

/* A full table, or an empty pool, refuses SYN-ACKs with RST; data the
 * pool cannot take is left unacknowledged until a buffer comes back. */
static void
test_full(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c[4];

	cfg.max_connections = 2;
	cfg.buffer_count = 1;
	s = stack_new(&cfg, 0);
	for (int i = 0; i < 4; i++)
		c[i] = conn_make(20 + (uint32_t)i, 22);
	CHECK(synack(s, &c[0], 0) == TCP_OPENED);
	CHECK(synack(s, &c[1], 0) == TCP_OPENED);
	CHECK(synack(s, &c[2], 0) == TCP_REFUSED);
	CHECK(n_out == 3 && out[2].flags == TCP_FLAG_RST &&
	      out[2].seq == c[2].iss + 1 && out[2].ack == 0 &&
	      tcp_tuple_equal(&out[2].tuple, &c[2].t));
	CHECK_EQ_U64(s->counters.tcb_full, 1);
	CHECK(seg(s, &c[2], PA, 0, 0, "x", 0) == TCP_UNKNOWN);

	/* the one buffer goes to c[0]; c[1]'s data waits */
	seg(s, &c[0], PA, 0, 0, "first", 10);
	CHECK(seg(s, &c[1], PA, 0, 0, "second", 10) == TCP_ACCEPTED);
	CHECK_EQ_U64(n_out, 4); /* c[1]'s data not acknowledged */
	CHECK_EQ_U64(s->counters.no_buffer, 1);
	seg(s, &c[0], TCP_FLAG_RST, 5, 0, NULL, 20);
	CHECK(synack(s, &c[3], 20) == TCP_OPENED); /* a TCB is free */
	/* pool empty again once c[1] has the buffer: refused */
	seg(s, &c[1], PA, 0, 0, "second", 30);
	CHECK(n_out == 6 && out_is(5, &c[1], A, 0, 6, NULL));
	seg(s, &c[3], TCP_FLAG_RST, 0, 0, NULL, 40);
	CHECK(synack(s, &c[2], 40) == TCP_REFUSED);
	CHECK_EQ_U64(s->counters.tcb_full, 2);
	seg(s, &c[1], TCP_FLAG_RST, 6, 0, NULL, 50);
	CHECK(n_done == 3 && banner_is(2, &c[1], "second", TCP_CLOSE_RST));
	check_empty(s);
	stack_free(s);
}

/* Shutdown closes everything held, in any state, with one banner each. */
static void
test_close_all(void)
{
	static const struct tcp_probe p = {
	    .payload = (const uint8_t *)"PING\r\n",
	    .len = 6,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *table[65536] = {[6379] = &p};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn waiting = conn_make(30, 22), spoke = conn_make(31, 22);
	struct conn probing = conn_make(32, 6379), closing = conn_make(33, 22);
	unsigned rst = 0;

	cfg.probes = table;
	cfg.close_with_fin = 1;
	s = stack_new(&cfg, 0);
	synack(s, &waiting, 0);
	synack(s, &spoke, 0);
	seg(s, &spoke, PA, 0, 0, "SSH-", 10);
	synack(s, &probing, 0);
	synack(s, &closing, 0);
	seg(s, &closing, FA, 0, 0, NULL, 10); /* closing: our FIN out */
	CHECK_EQ_U64(n_done, 1);
	CHECK_EQ_U64(s->counters.in_use, 4);
	reset_io();
	tcp_stack_close_all(s, 100);
	CHECK_EQ_U64(n_done, 3);
	for (unsigned i = 0; i < n_done; i++)
		CHECK(done[i].reason == TCP_CLOSE_SHUTDOWN);
	for (unsigned i = 0; i < n_out; i++)
		rst += out[i].flags == RA;
	CHECK_EQ_U64(rst, 4);
	CHECK_EQ_U64(n_out, 4);
	CHECK_EQ_U64(s->counters.closed[TCP_CLOSE_SHUTDOWN], 3);
	check_empty(s);
	tcp_timers_run(s, 100000);
	CHECK_EQ_U64(n_out, 4);
	stack_free(s);
}

/* A probe rendered per target, identical when retransmitted. */
static void
test_rendered_probe(void)
{
	static const struct tcp_probe hi = {
	    .len = 64,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *table[65536] = {[7777] = &hi};
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c = conn_make(34, 7777);

	cfg.probes = table;
	s = stack_new(&cfg, 0);
	synack(s, &c, 0);
	CHECK(n_out == 1 && out_is(0, &c, PA, 0, 0, "HI 198.18.0.34\r\n"));
	tcp_timers_run(s, 1000);
	CHECK(n_out == 2 && out_is(1, &c, PA, 0, 0, "HI 198.18.0.34\r\n"));
	seg(s, &c, PA, 0, 16, "HELLO", 1100);
	CHECK(n_out == 3 && out_is(2, &c, A, 16, 5, NULL));
	tcp_stack_close_all(s, 1200);
	CHECK(n_done == 1 && banner_is(0, &c, "HELLO", TCP_CLOSE_SHUTDOWN));
	CHECK(done[0].probe == &hi);
	check_empty(s);
	stack_free(s);
}

/* The burst path gives what segment-by-segment input gives, also when one
 * burst opens a connection and feeds it. */
static void
test_burst(void)
{
	struct tcp_config cfg = config_small();
	struct tcp_stack *s1, *s2;
	struct tcp_segment g[40];
	enum tcp_verdict v1[40], v2[40];
	struct out_seg o1[64];
	unsigned n1, n = 0;

	for (uint32_t i = 0; i < 10; i++) {
		struct conn c = conn_make(40 + i, 22);

		g[n++] = (struct tcp_segment){
		    .tuple = c.t,
		    .seq = c.irs,
		    .ack = c.iss + 1,
		    .flags = TCP_FLAG_SYN | TCP_FLAG_ACK,
		    .wscale = TCP_NO_WSCALE,
		    .window = 1000,
		};
		g[n++] = (struct tcp_segment){
		    .tuple = c.t,
		    .seq = c.irs + 1,
		    .ack = c.iss + 1,
		    .flags = PA,
		    .window = 1000,
		    .len = 3,
		    .payload = (const uint8_t *)"abc",
		};
		g[n++] = (struct tcp_segment){
		    .tuple = c.t,
		    .seq = c.irs + 1 + (i & 1 ? 3 : 9),
		    .ack = c.iss + 1,
		    .flags = i & 2 ? FA : TCP_FLAG_RST,
		    .window = 1000,
		};
		g[n++] = (struct tcp_segment){
		    .tuple = c.t,
		    .seq = c.irs + 4,
		    .ack = c.iss + 2,
		    .flags = PA,
		    .window = 1000,
		    .len = 1,
		    .payload = (const uint8_t *)"d",
		};
	}
	s1 = stack_new(&cfg, 0);
	for (unsigned i = 0; i < n; i++)
		v1[i] = tcp_input(s1, &g[i], 10);
	n1 = n_out;
	memcpy(o1, out, sizeof(o1[0]) * (n1 < 64 ? n1 : 64));
	s2 = stack_new(&cfg, 0);
	tcp_input_burst(s2, g, n, 10, v2);
	CHECK_EQ_U64(n_out, n1);
	CHECK(memcmp(v1, v2, sizeof(v1[0]) * n) == 0);
	for (unsigned i = 0; i < n1 && i < 64; i++)
		CHECK(o1[i].seq == out[i].seq && o1[i].ack == out[i].ack &&
		      o1[i].flags == out[i].flags &&
		      tcp_tuple_equal(&o1[i].tuple, &out[i].tuple));
	CHECK(memcmp(&s1->counters, &s2->counters, sizeof(s1->counters)) == 0);
	tcp_stack_close_all(s1, 20);
	tcp_stack_close_all(s2, 20);
	check_empty(s1);
	check_empty(s2);
	stack_free(s1);
	stack_free(s2);
}

/* Random churn over a small table and pool, with a random clock: every
 * connection opened gets exactly one banner and nothing is left held. */
static void
test_churn(int close_with_fin)
{
	enum { SLOTS = 200, EVENTS = 200000 };
	static const struct tcp_probe p = {
	    .payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n",
	    .len = 18,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *table[65536] = {[80] = &p};
	static const char text[] =
	    "The quick brown fox jumps over the lazy dog";
	struct tcp_config cfg = config_small();
	struct tcp_stack *s;
	struct conn c[SLOTS];
	uint32_t sent[SLOTS];
	unsigned opened[SLOTS] = {0};
	uint64_t now = 1000, rng = 42, refused = 0;
	unsigned bad = 0;

	cfg.probes = table;
	cfg.max_bytes = 24;
	cfg.close_with_fin = close_with_fin;
	s = stack_new(&cfg, now);
	memset(done_by_slot, 0, sizeof(done_by_slot));
	for (uint32_t i = 0; i < SLOTS; i++) {
		c[i] = conn_make(i, i % 3 ? 22 : 80);
		sent[i] = 0;
	}
	for (int ev = 0; ev < EVENTS; ev++) {
		uint32_t i, r, off, len;
		struct conn *k;
		enum tcp_verdict v;
		char buf[64];

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		r = (uint32_t)(rng >> 33);
		i = r % SLOTS;
		k = &c[i];
		r >>= 8;
		off = sent[i];
		len = r % 12;
		memcpy(buf, text + (r >> 4) % 30, len);
		buf[len] = 0;
		switch (r >> 9 & 15) {
		case 0:
		case 1:
			v = synack(s, k, now);
			if (v == TCP_OPENED) {
				opened[i]++;
				sent[i] = 0;
			}
			refused += v == TCP_REFUSED;
			break;
		case 2: /* out of order */
			seg(s, k, PA, off + 1 + len, 0, buf, now);
			break;
		case 3: /* overlap */
			seg(s, k, PA, off > 3 ? off - 3 : 0, 0, buf, now);
			break;
		case 4:
			if (seg(s, k, FA, off, 0, NULL, now) == TCP_ACCEPTED)
				sent[i]++;
			break;
		case 5:
			seg(s, k, r & 1 ? RA : TCP_FLAG_RST, off, 0, NULL, now);
			break;
		case 6: /* acks of the probe, or of our FIN, or wrong */
			seg(s, k, A, off, r % 24, NULL, now);
			break;
		case 7:
			now += r % 700;
			tcp_timers_run(s, now);
			break;
		default:
			if (seg(s, k, PA, off, 0, buf, now) == TCP_ACCEPTED)
				sent[i] += len;
			break;
		}
		if (s->counters.in_use > cfg.max_connections ||
		    s->counters.buffers_in_use > cfg.buffer_count)
			bad++;
	}
	CHECK_EQ_U64(bad, 0);
	CHECK(refused > 0); /* the table or pool filled at times */
	CHECK(s->counters.closed[TCP_CLOSE_FIN] > 0);
	CHECK(s->counters.closed[TCP_CLOSE_RST] > 0);
	CHECK(s->counters.closed[TCP_CLOSE_MAX_BYTES] > 0);
	CHECK(s->counters.closed[TCP_CLOSE_IDLE] > 0);
	tcp_stack_close_all(s, now);
	check_empty(s);
	for (uint32_t i = 0; i < SLOTS; i++)
		if (opened[i] != done_by_slot[i])
			bad++;
	CHECK_EQ_U64(bad, 0);
	{
		uint64_t total = 0;

		for (int r = 0; r < TCP_CLOSE_REASONS; r++)
			total += s->counters.closed[r];
		CHECK_EQ_U64(total, s->counters.connections_opened);
	}
	stack_free(s);
}

int
main(void)
{
	test_config();
	test_server_first_idle();
	test_client_first_fin();
	test_close_with_fin();
	test_rst();
	test_max_bytes();
	test_trickle_total();
	test_silent_generic();
	test_gap_holds_idle();
	test_port_probe_wait();
	test_followup();
	test_retransmit_bounded();
	test_bad_ack();
	test_reassembly();
	test_reassembly_holes();
	test_reassembly_limits();
	test_complete_line();
	test_window();
	test_synack_again();
	test_full();
	test_close_all();
	test_rendered_probe();
	test_burst();
	test_churn(0);
	test_churn(1);
	return check_report("tcp");
}
