/* bench_tcp: lib/tcp on one core with synthetic segments at a fixed number
 * of concurrent connections — ops/s (segments in + timers fired), and the
 * memory: the stack's footprint and the process's resident set.
 * Usage: bench_tcp CONNECTIONS BUFFERS MAX_BYTES SILENT_PERCENT OPS MIX
 * (MIX: realistic or heavy) */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <x86intrin.h>

#include "packet.h"
#include "tcp.h"

/*
 * The model
 *
 * Every one of N slots always holds one connection: when the stack closes
 * it (banner_done), the slot opens a new one (a new tuple: our port is the
 * slot's generation) with a SYN-ACK in the next burst. The first `active`
 * slots play a script, one step at a time, in random slot order; the
 * others are silent — a SYN-ACK and then nothing (firewalls that answer
 * every SYN), closed by the stack's timers: the wait, the generic probe,
 * its retransmissions, the total timeout. A script that ends without a
 * close (a server-first banner) is closed by the idle timeout. The clock
 * advances 1 ms per active/250 segments, so an active slot is stepped
 * every 250 ms on average and timers fire as they would. Bursts go in as
 * app/rx.c hands them over: the next one is built (parsed, there) and its
 * index lines prefetched (tcp_input_prefetch) before the one in hand goes
 * in (tcp_input_burst).
 */

#define BURST 32
#define THEIR_BASE 0x0a000000u
#define OUR_IP 0xc6130002u
#define PROBE_LEN 18 /* port 80's client-first probe */

/* One segment of a script after the SYN-ACK: their flags, seq offset and
 * length, and the ack of ours it carries. */
struct step {
	uint8_t flags;
	uint16_t seq_off;
	uint16_t len;
	uint16_t ack_off;
};

struct script {
	uint16_t port;
	uint8_t percent; /* of the active connections */
	uint8_t steps;
	struct step step[3];
};

#define PA (TCP_FLAG_PSH | TCP_FLAG_ACK)
#define FA (TCP_FLAG_FIN | TCP_FLAG_ACK)
#define RST TCP_FLAG_RST

/* Banners as a scan meets them: SSH and SMTP speak first (41 and 60 B)
 * and then wait for us (idle closes them); HTTP acknowledges the probe
 * (a pure ACK), answers it with a 512 B and a 300 B segment and closes;
 * some services reset the probe. */
static const struct script realistic[] = {
    {22, 30, 1, {{PA, 0, 41, 0}}},
    {80,
     30,
     3,
     {{TCP_FLAG_ACK, 0, 0, PROBE_LEN},
      {PA, 0, 512, PROBE_LEN},
      {FA | PA, 512, 300, PROBE_LEN}}},
    {25, 20, 1, {{PA, 0, 60, 0}}},
    {443, 20, 1, {{RST, 0, 0, 0}}},
};

/* Copy-bound: 1 KiB banners in 400-600 B segments, every one closed by
 * a segment (FIN, RST, max_bytes). */
static const struct script heavy[] = {
    {22, 50, 3, {{PA, 0, 400, 0}, {PA, 400, 400, 0}, {FA, 800, 0, 0}}},
    {80, 30, 2, {{PA, 0, 600, PROBE_LEN}, {RST, 600, 0, 0}}},
    {21, 20, 2, {{PA, 0, 600, 0}, {PA, 600, 600, 0}}},
};

/* The silent connections' script: the SYN-ACK only. */
static const struct script silent = {8443, 0, 0, {{0, 0, 0, 0}}};

struct slot {
	uint32_t gen;
	uint8_t step; /* segments of the generation sent, SYN-ACK included */
	uint8_t live;	/* a connection is open (opened, not yet done) */
	uint8_t listed; /* in pending (a reopened slot may still be) */
};

struct bench {
	const struct script *mix;
	unsigned mix_len;
	struct slot *slots;
	uint32_t n, active;
	uint32_t *pending; /* active slots with steps left to play */
	uint32_t pending_n;
	/* next random places in pending: their entries are prefetched when
	 * drawn, their slots half a ring later */
	uint32_t picks[2 * BURST];
	unsigned pick;
	uint32_t *reopen; /* ring of slots to open again */
	uint64_t reopen_head, reopen_tail;
	uint64_t reopen_marked; /* entries before it have their slot closed */
	uint64_t emitted, emitted_bytes, banners, banner_bytes;
};

static uint8_t payload[2048];

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	return x ^ (x >> 32);
}

static const struct script *
slot_script(const struct bench *b, uint32_t i, uint32_t gen)
{
	unsigned r, k;

	if (i >= b->active)
		return &silent;
	r = (unsigned)(mix((uint64_t)i << 32 | gen) % 100);
	for (k = 0; k + 1 < b->mix_len && r >= b->mix[k].percent; k++)
		r -= b->mix[k].percent;
	return &b->mix[k];
}

static void
bench_emit(void *ctx, const struct tcp_tuple *tuple, uint32_t seq, uint32_t ack,
	   uint8_t flags, uint16_t window, const uint8_t *data, uint16_t len)
{
	struct bench *b = ctx;

	(void)tuple, (void)seq, (void)ack, (void)flags, (void)window;
	(void)data;
	b->emitted++;
	b->emitted_bytes += len;
}

static void
bench_banner(void *ctx, const struct tcp_tuple *tuple, uint8_t ttl,
	     const uint8_t *data, uint32_t len, enum tcp_close_reason reason,
	     const struct tcp_probe *probe)
{
	struct bench *b = ctx;
	uint32_t i = tuple->their_ip - THEIR_BASE;

	(void)ttl, (void)data, (void)probe;
	b->banners++;
	b->banner_bytes += len;
	if (reason == TCP_CLOSE_SHUTDOWN)
		return;
	/* Only a sequential store here, as the app's callback (a record
	 * from its pool, a ring): the generator marks the slot closed
	 * (a random write) outside the stack's time. */
	b->reopen[b->reopen_tail++ % b->n] = i;
}

/* The segment of slot i's next step into g; 0 if it has none now. */
static int
next_segment(struct bench *b, uint32_t i, struct tcp_segment *g)
{
	struct slot *sl = &b->slots[i];
	const struct script *sc;
	const struct step *st;
	uint32_t iss, irs;

	if (!sl->live) {
		sl->gen++;
		sl->step = 0;
		sl->live = 1;
	}
	sc = slot_script(b, i, sl->gen);
	if (sl->step > sc->steps)
		return 0;
	if (sl->step == 0 && sc->steps && !sl->listed) {
		b->pending[b->pending_n++] = i;
		sl->listed = 1;
	}
	iss = (uint32_t)mix((uint64_t)i << 32 | sl->gen | 1ull << 63);
	irs = iss * 2654435761u;
	*g = (struct tcp_segment){
	    .tuple = {.their_ip = THEIR_BASE + i,
		      .our_ip = OUR_IP,
		      .their_port = sc->port,
		      .our_port = (uint16_t)(1024 + sl->gen % 60000)},
	    .seq = irs,
	    .ack = iss + 1,
	    .flags = TCP_FLAG_SYN | TCP_FLAG_ACK,
	    .wscale = 7,
	    .window = 65535,
	    .mss = 1460,
	    .payload = payload,
	};
	if (sl->step++ == 0)
		return 1;
	st = &sc->step[sl->step - 2];
	g->seq = irs + 1 + st->seq_off;
	g->ack = iss + 1 + st->ack_off;
	g->flags = st->flags;
	g->len = st->len;
	g->mss = 0;
	g->wscale = TCP_NO_WSCALE;
	return 1;
}

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t
random_below(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(((rng >> 32) * (uint64_t)n) >> 32);
}

static uint32_t
random_place(const struct bench *b)
{
	return b->pending_n ? random_below(b->pending_n) : 0;
}

/* A burst: slots waiting to reopen first, then steps of random pending
 * slots (a slot leaves the set when its script is played). */
static unsigned
build_burst(struct bench *b, struct tcp_segment *g)
{
	unsigned n = 0;

	for (; b->reopen_marked < b->reopen_tail; b->reopen_marked++)
		b->slots[b->reopen[b->reopen_marked % b->n]].live = 0;
	while (n < BURST && b->reopen_head < b->reopen_tail) {
		uint32_t i = b->reopen[b->reopen_head++ % b->n];

		n += (unsigned)next_segment(b, i, &g[n]);
	}
	while (n < BURST && b->pending_n) {
		unsigned k = b->pick++ % (2 * BURST);
		uint32_t p = b->picks[k],
			 half = b->picks[(k + BURST) % (2 * BURST)];
		uint32_t i;

		b->picks[k] = random_place(b);
		__builtin_prefetch(&b->pending[b->picks[k]]);
		if (half < b->pending_n)
			__builtin_prefetch(&b->slots[b->pending[half]]);
		if (p >= b->pending_n)
			p = random_place(b);
		i = b->pending[p];
		if (b->slots[i].live && next_segment(b, i, &g[n]))
			n++;
		if (!b->slots[i].live ||
		    b->slots[i].step >
			slot_script(b, i, b->slots[i].gen)->steps) {
			b->slots[i].listed = 0;
			b->pending[p] = b->pending[--b->pending_n];
		}
	}
	return n;
}

static long
status_kib(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			kib = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return kib;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_tcp: %s\n", what);
	exit(1);
}

int
main(int argc, char **argv)
{
	struct tcp_probe http = {
	    .payload = (const uint8_t *)"GET / HTTP/1.0\r\n\r\n",
	    .len = PROBE_LEN,
	    .flags = TCP_PROBE_IMMEDIATE,
	};
	static const struct tcp_probe *probes[65536];
	struct tcp_segment g[2][BURST];
	enum tcp_verdict v[BURST];
	unsigned cur = 0, n;
	struct tcp_config cfg;
	struct tcp_stack *s;
	struct bench b = {0};
	uint64_t ops, in = 0, now = 1000, ops_per_ms, next_tick, fired = 0;
	uint64_t target, refused_before;
	double t0, t_fill, t_run, t_close, t_stack;
	uint64_t tsc_stack = 0, tsc0;
	size_t len;
	void *mem;
	char err[256];
	long rss_fill, rss_run;

	if (argc != 7)
		die("usage: bench_tcp CONNECTIONS BUFFERS MAX_BYTES "
		    "SILENT_PERCENT OPS realistic|heavy");
	if (strcmp(argv[6], "realistic") == 0) {
		b.mix = realistic;
		b.mix_len = sizeof(realistic) / sizeof(realistic[0]);
	} else if (strcmp(argv[6], "heavy") == 0) {
		b.mix = heavy;
		b.mix_len = sizeof(heavy) / sizeof(heavy[0]);
	} else {
		die("MIX is realistic or heavy");
	}
	tcp_config_default(&cfg);
	cfg.max_connections = (uint32_t)strtoul(argv[1], NULL, 10);
	cfg.buffer_count = (uint32_t)strtoul(argv[2], NULL, 10);
	cfg.max_bytes = (uint32_t)strtoul(argv[3], NULL, 10);
	target = strtoull(argv[5], NULL, 10);
	b.n = cfg.max_connections;
	b.active = (uint32_t)((uint64_t)b.n *
			      (100 - strtoul(argv[4], NULL, 10) % 101) / 100);
	probes[80] = &http;
	cfg.probes = probes;
	cfg.emit = bench_emit;
	cfg.banner_done = bench_banner;
	cfg.ctx = &b;
	cfg.hash_seed = 0x5eed;
	memset(payload, 'x', sizeof(payload));

	len = tcp_stack_footprint(&cfg);
	if (len == 0)
		die("invalid configuration");
	/* The app's block is in hugepages, faulted in before the scan: the
	 * same here with transparent hugepages, touched up front. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap of the stack's block failed");
	madvise(mem, len, MADV_HUGEPAGE);
	memset(mem, 0, len);
	b.slots = calloc(b.n, sizeof(*b.slots));
	b.reopen = calloc(b.n, sizeof(*b.reopen));
	b.pending = calloc(b.n, sizeof(*b.pending));
	if (b.slots == NULL || b.reopen == NULL || b.pending == NULL)
		die("out of memory");
	if (tcp_stack_init(&s, mem, len, &cfg, now, err, sizeof(err)))
		die(err);

	printf("connections %u (%u active, %s mix; %u silent), buffers %u x "
	       "%u B, TCB %zu B\n",
	       b.n, b.active, argv[6], b.n - b.active, cfg.buffer_count,
	       cfg.max_bytes, sizeof(struct tcb));

	/* Fill: open every slot once. */
	for (uint32_t i = 0; i < b.n; i++)
		b.reopen[b.reopen_tail++ % b.n] = i;
	b.reopen_marked = b.reopen_tail;
	t0 = now_s();
	while (b.reopen_head < b.reopen_tail) {
		n = 0;
		while (n < BURST && b.reopen_head < b.reopen_tail)
			n += (unsigned)next_segment(
			    &b, b.reopen[b.reopen_head++ % b.n], &g[0][n]);
		tcp_input_burst(s, g[0], n, now, NULL);
		in += n;
	}
	t_fill = now_s() - t0;
	rss_fill = status_kib("VmRSS");
	printf("fill: %" PRIu64 " SYN-ACKs in %.2f s: %.1f M/s; in use %" PRIu64
	       "\n",
	       in, t_fill, (double)in / t_fill / 1e6, s->counters.in_use);

	/* Steady state. */
	for (unsigned k = 0; k < 2 * BURST; k++)
		b.picks[k] = random_place(&b);
	ops_per_ms = b.active / 250 ? b.active / 250 : 1;
	next_tick = ops_per_ms;
	in = 0;
	refused_before = s->counters.tcb_full;
	t0 = now_s();
	tsc0 = __rdtsc();
	/* As the RX loop: the next burst is built (parsed) and its index
	 * lines prefetched before the burst in hand goes in. The stack's
	 * share is timed with the TSC (a clock_gettime pair per burst would
	 * add about 1 ns per op), converted by the run's wall time. */
	n = build_burst(&b, g[cur]);
	for (ops = 0; ops < target;) {
		unsigned next = build_burst(&b, g[cur ^ 1]);
		uint64_t t1 = __rdtsc();

		tcp_input_prefetch(s, g[cur ^ 1], next);
		tcp_input_burst(s, g[cur], n, now, v);
		tsc_stack += __rdtsc() - t1;
		for (unsigned k = 0; k < n; k++)
			if (v[k] == TCP_REFUSED) {
				uint32_t i =
				    g[cur][k].tuple.their_ip - THEIR_BASE;

				b.slots[i].live = 0;
				b.reopen[b.reopen_tail++ % b.n] = i;
			}
		in += n;
		ops += n;
		if (in >= next_tick || n == 0) {
			uint64_t t1 = __rdtsc();
			unsigned f;

			next_tick += ops_per_ms;
			f = tcp_timers_run(s, ++now);
			tsc_stack += __rdtsc() - t1;
			fired += f;
			ops += f;
		}
		cur ^= 1;
		n = next;
	}
	t_run = now_s() - t0;
	t_stack = t_run * (double)tsc_stack / (double)(__rdtsc() - tsc0);
	rss_run = status_kib("VmRSS");

	t0 = now_s();
	tcp_stack_close_all(s, now);
	t_close = now_s() - t0;

	printf("steady: %" PRIu64 " ops (%" PRIu64 " segments, %" PRIu64
	       " timers), %.1f s of scan time\n"
	       "  in lib/tcp: %.2f s: %.1f M ops/s, %.1f ns/op\n"
	       "  with the generator: %.2f s: %.1f M ops/s, %.1f ns/op\n",
	       ops, in, fired, (double)(now - 1000) / 1000, t_stack,
	       (double)ops / t_stack / 1e6, t_stack * 1e9 / (double)ops, t_run,
	       (double)ops / t_run / 1e6, t_run * 1e9 / (double)ops);
	printf("  opened %" PRIu64 ", banners %" PRIu64 " (fin %" PRIu64
	       ", rst %" PRIu64 ", max_bytes %" PRIu64 ", idle %" PRIu64
	       ", total %" PRIu64 ", no_ack %" PRIu64 "), tcb_full %" PRIu64
	       ", no_buffer %" PRIu64 ", retransmits %" PRIu64
	       ", unknown %" PRIu64 ", sent %" PRIu64 " segments\n",
	       s->counters.connections_opened, s->counters.banners,
	       s->counters.closed[TCP_CLOSE_FIN],
	       s->counters.closed[TCP_CLOSE_RST],
	       s->counters.closed[TCP_CLOSE_MAX_BYTES],
	       s->counters.closed[TCP_CLOSE_IDLE],
	       s->counters.closed[TCP_CLOSE_TOTAL],
	       s->counters.closed[TCP_CLOSE_NO_ACK],
	       s->counters.tcb_full - refused_before, s->counters.no_buffer,
	       s->counters.retransmits, s->counters.unknown, b.emitted);
	printf("close_all: %" PRIu64 " closed in %.2f s; in use now %" PRIu64
	       ", buffers %" PRIu64 "\n",
	       s->counters.closed[TCP_CLOSE_SHUTDOWN], t_close,
	       s->counters.in_use, s->counters.buffers_in_use);
	printf("memory: stack footprint %.1f MiB (%.1f B per connection "
	       "without the buffer pool of %zu B a buffer); RSS %.1f MiB "
	       "after fill, %.1f MiB steady, peak %.1f MiB (bench's own "
	       "slots %.1f MiB)\n",
	       (double)len / 1048576.0,
	       (double)(len - (size_t)cfg.buffer_count *
				  (s->buf_stride + sizeof(uint32_t))) /
		   b.n,
	       s->buf_stride + sizeof(uint32_t), rss_fill / 1024.0,
	       rss_run / 1024.0, status_kib("VmHWM") / 1024.0,
	       (double)b.n * (sizeof(*b.slots) + 2 * sizeof(uint32_t)) /
		   1048576.0);
	munmap(mem, len);
	free(b.slots);
	free(b.reopen);
	free(b.pending);
	return 0;
}
