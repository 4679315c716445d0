/* writer: drains the result rings on the main lcore, formats records through
 * lib/output, and keeps the operator informed on stderr. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "banner.h"
#include "identify.h"
#include "writer.h"

#define DRAIN_BURST 256

void
writer_open(struct writer *w, const struct scan_context *scan,
	    const struct scan_lcores *lcores)
{
	const struct config *cfg = scan->cfg;
	const struct output_format_ops *ops = output_format_find("ndjson");

	memset(w, 0, sizeof(*w));
	w->scan = scan;
	w->lcores = lcores;
	w->status_live = !cfg->quiet && isatty(STDERR_FILENO);
	if (cfg->output_file) {
		w->file = fopen(cfg->output_file, "w");
		if (w->file == NULL)
			rte_exit(EXIT_FAILURE, "cannot open %s: %s\n",
				 cfg->output_file, strerror(errno));
	} else {
		w->file = stdout;
	}
	output_open(&w->out, ops, w->file);
	w->last_status_tsc = rte_rdtsc();
}

/* Finished banner connections: each is an open port with its banner. */
static unsigned
drain_banners(struct writer *w, struct rx_lcore *rx)
{
	struct banner_record *rec[DRAIN_BURST];
	unsigned n, total = 0;

	if (rx->banners == NULL)
		return 0;
	do {
		n = rte_ring_sc_dequeue_burst(rx->banners, (void **)rec,
					      DRAIN_BURST, NULL);
		for (unsigned i = 0; i < n; i++) {
			struct service_id id;
			struct output_record out = {
				.result = &rec[i]->result,
				.banner = rec[i]->data,
				.banner_len = rec[i]->len,
			};

			if (w->scan->identify)
				out.service = banner_identify(
					w->scan->identify, rec[i]->result.port,
					rec[i]->data, rec[i]->len, &id);
			output_write_record(&w->out, &out);
		}
		if (n)
			rte_mempool_put_bulk(rx->records, (void **)rec, n);
		total += n;
	} while (n == DRAIN_BURST);
	return total;
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
			n = rte_ring_sc_dequeue_burst_elem(
				w->lcores->rx[q]->results, r, sizeof(r[0]),
				DRAIN_BURST, NULL);
			for (unsigned i = 0; i < n; i++)
				if (r[i].status == RESULT_OPEN ||
				    cfg->report_closed)
					output_write(&w->out, &r[i]);
			total += n;
		} while (n == DRAIN_BURST);
	}
	for (unsigned q = 0; q < w->lcores->count; q++)
		total += drain_banners(w, w->lcores->rx[q]);
	if (total && w->file != stdout)
		fflush(w->file);
	else if (total)
		fflush(stdout);
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
		t->position_done += (COUNTER_READ(tx->position) -
				    tx->slice.first) /
				   tx->slice.stride;
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
	uint64_t now = rte_rdtsc(), hz = w->scan->tsc_hz;
	struct scan_totals t;
	double seconds, rate, done, total, eta;
	uint64_t walk = 0;

	if (!w->status_live || now - w->last_status_tsc < hz)
		return;
	scan_totals_read(w->lcores, &t);
	for (unsigned q = 0; q < w->lcores->count; q++)
		walk += walk_slice_count(&w->lcores->tx[q]->slice);
	seconds = (double)(now - w->last_status_tsc) / (double)hz;
	rate = (double)(t.sent - w->last_status_sent) / seconds;
	total = walk ? (double)walk : 1.0;
	done = (double)t.position_done / total;
	eta = rate > 0 ? (total - (double)t.position_done) / rate : 0;
	fprintf(stderr,
		"\rrate %8.2f kpps, sent %" PRIu64 ", %5.1f%% done, ETA "
		"%02u:%02u:%02u, open %" PRIu64 ", drops %" PRIu64 "   ",
		rate / 1000.0, t.sent, done * 100.0, (unsigned)(eta / 3600),
		(unsigned)(eta / 60) % 60, (unsigned)eta % 60, t.open,
		t.dropped);
	w->last_status_tsc = now;
	w->last_status_sent = t.sent;
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

void
writer_finish(struct writer *w, double elapsed, double sending)
{
	struct scan_totals t;

	writer_drain(w);
	output_close(&w->out);
	if (w->file != stdout)
		fclose(w->file);
	scan_totals_read(w->lcores, &t);
	if (w->status_live)
		fputc('\n', stderr);
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
}
