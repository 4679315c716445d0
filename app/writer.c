/* writer: drains the result rings on the main lcore, formats records through
 * lib/output, and keeps the operator informed on stderr. */
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "banner.h"
#include "identify.h"
#include "redis_sink.h"
#include "stats.h"
#include "writer.h"

#define DRAIN_BURST 256

/* Results wait for Redis in a queue of output.redis_queue records, and at
 * most this many bytes. */
#define REDIS_QUEUE_BYTES (512ull << 20)
#define REDIS_IN_FLIGHT 8192
#define REDIS_CLOSE_TIMEOUT 10.0

/* -o redis://HOST:PORT/STREAM: a clear error now if Redis is unreachable;
 * if it goes away later, results spill to a binary file named here. */
static void
redis_open(struct writer *w, const char *url)
{
	struct redis_sink_config rc = {
		.queue_records = w->scan->cfg->redis_queue,
		.queue_bytes = REDIS_QUEUE_BYTES,
		.max_in_flight = REDIS_IN_FLIGHT,
		.connect_timeout = 3.0,
		.spill_path = w->redis_spill,
		.spill_format = output_format_find("binary"),
	};
	char err[512];

	if (redis_url_parse(url, &rc.url, err, sizeof(err)) < 0)
		rte_exit(EXIT_FAILURE, "%s\n", err);
	snprintf(w->redis_spill, sizeof(w->redis_spill),
		 "tidescan-spill-%ld-%d.bin", (long)time(NULL), (int)getpid());
	w->redis = redis_sink_open(&rc, err, sizeof(err));
	if (w->redis == NULL)
		rte_exit(EXIT_FAILURE, "%s\n", err);
}

/* Redis' queue counts a record it could not take; writer_has_room() comes
 * first. */
void
writer_emit(struct writer *w, const struct output_record *rec)
{
	if (w->redis)
		redis_sink_push(w->redis, rec);
	else
		output_write_record(&w->out, rec);
}

/* Room for a whole drain burst in Redis' queue (always, for a file). */
static int
writer_has_room(const struct writer *w)
{
	return w->redis == NULL || redis_sink_has_room(w->redis, DRAIN_BURST);
}

void
writer_open(struct writer *w, const struct scan_context *scan,
	    const struct scan_lcores *lcores)
{
	const struct config *cfg = scan->cfg;
	const struct output_format_ops *ops =
		output_format_find(config_output_format_name(cfg->output_format));
	char err[CONFIG_ERR_LEN];

	memset(w, 0, sizeof(*w));
	w->scan = scan;
	w->lcores = lcores;
	w->status_json = cfg->stats_format == STATS_JSON;
	w->status_live =
	    !w->status_json && !cfg->quiet && isatty(STDERR_FILENO);
	w->status_interval_tsc =
	    (uint64_t)(cfg->stats_interval * (double)scan->tsc_hz);
	w->last_status_tsc = rte_rdtsc();
	if (scan->followups)
		followups_open(w);
	if (cfg->output_file && redis_url_is(cfg->output_file)) {
		redis_open(w, cfg->output_file);
		return;
	}
	/* A resumed scan adds to what the paused one wrote. */
	if (output_open_file(&w->out, ops, cfg->output_file,
			     cfg->output_append || scan->resumed ? OUTPUT_APPEND
								 : OUTPUT_CREATE,
			     err, sizeof(err)))
		rte_exit(EXIT_FAILURE, "%s\n", err);
}

/* A finished connection's record, identified if identification is on. */
static void
write_banner(struct writer *w, const struct banner_record *rec)
{
	struct service_id id;
	struct output_record out = {
		.result = &rec->result,
		.banner = rec->data,
		.banner_len = rec->len,
	};

	if (w->scan->identify)
		out.service = banner_identify(w->scan->identify,
					      rec->result.port, rec->data,
					      rec->len, &id);
	writer_emit(w, &out);
}

/* Finished banner connections: each is an open port with its banner (held
 * while follow-ups identify it). */
static unsigned
drain_banners(struct writer *w, struct rx_lcore *rx)
{
	struct banner_record *rec[DRAIN_BURST];
	unsigned n, total = 0;

	if (rx->banners == NULL)
		return 0;
	do {
		if (!writer_has_room(w))
			break;
		n = rte_ring_sc_dequeue_burst(rx->banners, (void **)rec,
					      DRAIN_BURST, NULL);
		for (unsigned i = 0; i < n; i++) {
			if (w->scan->followups)
				followups_take(w, rx, rec[i]);
			else
				write_banner(w, rec[i]);
		}
		if (n)
			rte_mempool_put_bulk(rx->records, (void **)rec, n);
		total += n;
	} while (n == DRAIN_BURST);
	return total;
}

/* Move Redis' bytes, and hold the TX lcores back while its queue is
 * nearly full: the answers to probes already sent still have room. */
static void
redis_hold_update(struct writer *w)
{
	struct scan_context *scan = (struct scan_context *)w->scan;
	int hold;

	redis_sink_poll(w->redis);
	hold = redis_sink_nearly_full(w->redis);
	if (hold && !scan->hold_sending)
		w->hold_start_tsc = rte_rdtsc();
	else if (!hold && scan->hold_sending)
		w->hold_tsc += rte_rdtsc() - w->hold_start_tsc;
	scan->hold_sending = hold;
}

unsigned
writer_drain(struct writer *w)
{
	struct scan_result r[DRAIN_BURST];
	const struct config *cfg = w->scan->cfg;
	unsigned total = 0;

	for (unsigned q = 0; q < w->lcores->count; q++) {
		unsigned n;

		do {
			if (!writer_has_room(w))
				break;
			n = rte_ring_sc_dequeue_burst_elem(
				w->lcores->rx[q]->results, r, sizeof(r[0]),
				DRAIN_BURST, NULL);
			for (unsigned i = 0; i < n; i++) {
				const struct output_record out = {
					.result = &r[i]};

				if (r[i].status == RESULT_OPEN ||
				    cfg->report_closed)
					writer_emit(w, &out);
			}
			total += n;
		} while (n == DRAIN_BURST);
	}
	for (unsigned q = 0; q < w->lcores->count; q++)
		total += drain_banners(w, w->lcores->rx[q]);
	if (w->scan->followups && writer_has_room(w))
		followups_tick(w, rte_rdtsc());
	if (w->redis)
		redis_hold_update(w);
	else if (total)
		fflush(w->out.out);
	w->records += total;
	return total;
}

void
scan_totals_read(const struct scan_lcores *lcores, struct scan_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned q = 0; q < lcores->count; q++) {
		const struct tx_lcore *tx = lcores->tx[q];
		const struct rx_lcore *rx = lcores->rx[q];

		t->sent += COUNTER_READ(tx->sent);
		t->received += COUNTER_READ(rx->received);
		t->open += COUNTER_READ(rx->open);
		t->closed += COUNTER_READ(rx->closed);
		t->unreachable += COUNTER_READ(rx->unreachable);
		t->bad_cookie += COUNTER_READ(rx->bad_cookie);
		t->dropped += COUNTER_READ(rx->dropped);
		t->replies_lost += COUNTER_READ(rx->replies_dropped) +
				   COUNTER_READ(tx->replies_lost);
		t->duplicates += COUNTER_READ(rx->duplicates);
		t->malformed += COUNTER_READ(rx->malformed);
	}
}

void
writer_status(struct writer *w)
{
	uint64_t now = rte_rdtsc();
	struct scan_stats st;
	double seconds;

	/* The rate is kept for telemetry even when nothing is shown. */
	if (now - w->last_status_tsc < w->status_interval_tsc)
		return;
	seconds = (double)(now - w->last_status_tsc) / (double)w->scan->tsc_hz;
	scan_stats_read(w->scan, w->lcores, &st);
	st.rate = (double)(st.sent - w->last_status_sent) / seconds;
	st.eta =
	    st.rate > 0 ? (double)(st.walk_total - st.walk_done) / st.rate : 0;
	scan_stats_publish_rate(st.rate);
	if (w->status_json)
		scan_stats_print_json(&st, stderr);
	else if (w->status_live)
		scan_stats_print_text(&st, stderr);
	w->last_status_tsc = now;
	w->last_status_sent = st.sent;
}

/* With banners, a second line: what the TCP stacks did. */
static void
print_banner_summary(const struct scan_lcores *lcores)
{
	struct tcp_counters sum = {0};

	for (unsigned q = 0; q < lcores->count; q++) {
		const struct tcp_counters *c = &lcores->rx[q]->tcp->counters;

		sum.connections_opened += c->connections_opened;
		sum.banners += c->banners;
		sum.tcb_full += c->tcb_full;
		sum.retransmits += c->retransmits;
		sum.timeouts += c->timeouts;
		sum.in_use += c->in_use;
	}
	fprintf(stderr,
		"connections %" PRIu64 ", banners %" PRIu64 ", tcb_full %" PRIu64
		", retransmits %" PRIu64 ", timeouts %" PRIu64
		", tcb_in_use %" PRIu64 "\n",
		sum.connections_opened, sum.banners, sum.tcb_full,
		sum.retransmits, sum.timeouts, sum.in_use);
}

/* With follow-ups, a third: what they did. */
static void
print_followup_summary(struct writer *w)
{
	const struct followups *f = &w->followups;
	uint64_t sent = 0;

	for (unsigned q = 0; q < w->lcores->count; q++)
		sent += COUNTER_READ(w->lcores->rx[q]->followups_sent);
	fprintf(stderr,
		"followups: ports %" PRIu64 ", connections %" PRIu64
		", identified %" PRIu64 ", expired %" PRIu64
		", skipped %" PRIu64 ", stale %" PRIu64 "\n",
		f->started, sent, f->identified, f->expired, f->skipped,
		f->stale);
}

/* Everything still in the rings goes to Redis' queue, waiting for room (a
 * Redis stalled that long is given up on: the rest spills); then wait for
 * its answers and say where results went. -1 if the spill file could not
 * be written whole. */
static int
redis_finish(struct writer *w)
{
	uint64_t deadline = rte_rdtsc() + (uint64_t)(REDIS_CLOSE_TIMEOUT *
						       (double)w->scan->tsc_hz);
	struct redis_sink_stats st;
	int rc;

	for (;;) {
		while (!writer_has_room(w)) {
			if (rte_rdtsc() > deadline)
				redis_sink_abandon(w->redis,
						   "no answer for too long");
			redis_sink_poll(w->redis);
			rte_delay_us_sleep(200);
		}
		/* then the ports still in follow-up, as they are */
		if (writer_drain(w) == 0 &&
		    (!w->scan->followups || followups_flush(w, DRAIN_BURST) == 0))
			break;
	}
	if (w->scan->hold_sending)
		w->hold_tsc += rte_rdtsc() - w->hold_start_tsc;
	rc = redis_sink_close(w->redis, REDIS_CLOSE_TIMEOUT, &st);
	fprintf(stderr,
		"redis added %" PRIu64 ", spilled %" PRIu64 ", held %" PRIu64
		", held_seconds %.3f\n",
		st.added, st.spilled, st.held,
		(double)w->hold_tsc / (double)w->scan->tsc_hz);
	if (st.lost)
		fprintf(stderr, "redis: %" PRIu64 " results could not be "
				"queued (out of memory)\n",
			st.lost);
	if (st.connection_lost)
		fprintf(stderr,
			"redis: %s; %" PRIu64 " results are in %s%s "
			"(tidescan --readscan %s)\n",
			st.error, st.spilled, w->redis_spill,
			rc < 0 ? ", which could not be written whole" : "",
			w->redis_spill);
	return rc;
}

int
writer_finish(struct writer *w, double elapsed, double sending)
{
	const struct config *cfg = w->scan->cfg;
	struct scan_totals t;
	int rc;

	if (w->redis) {
		rc = redis_finish(w);
	} else {
		writer_drain(w);
		while (w->scan->followups && followups_flush(w, DRAIN_BURST))
			;
		rc = output_close(&w->out);
	}
	scan_totals_read(w->lcores, &t);
	if (w->status_live)
		fputc('\n', stderr);
	if (w->status_json) {
		struct scan_stats st;

		/* The last line: every answer is in, rate over the sending. */
		scan_stats_read(w->scan, w->lcores, &st);
		st.rate = sending > 0 ? (double)st.sent / sending : 0.0;
		st.eta = 0;
		scan_stats_print_json(&st, stderr);
	}
	fprintf(stderr,
		"sent %" PRIu64 ", received %" PRIu64 ", open %" PRIu64
		", closed %" PRIu64 ", unreachable %" PRIu64
		", bad_cookie %" PRIu64 ", dropped %" PRIu64
		", elapsed %.3f, rate %.0f pps\n",
		t.sent, t.received, t.open, t.closed, t.unreachable,
		t.bad_cookie, t.dropped, elapsed,
		sending > 0 ? (double)t.sent / sending : 0.0);
	if (t.replies_lost)
		fprintf(stderr, "replies lost %" PRIu64
				" (RSTs, ARP answers or banner segments the "
				"reply ring or the port could not take)\n",
			t.replies_lost);
	if (w->scan->banners)
		print_banner_summary(w->lcores);
	if (w->scan->followups) {
		print_followup_summary(w);
		followups_close(w);
	}
	if (rc)
		fprintf(stderr, "tidescan: writing %s failed (disk full?)\n",
			cfg->output_file ? cfg->output_file : "stdout");
	return rc;
}
