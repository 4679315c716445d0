/* stats: a snapshot of the scan's counters and its three readers — the
 * status line, JSON lines on stderr, and the DPDK telemetry command
 * /tidescan/stats (answered on EAL's telemetry thread, which only reads). */
#include <inttypes.h>
#include <string.h>

#include <rte_telemetry.h>

#include "stats.h"
#include "tcp.h"

static const char *const phase_names[] = {
    [PHASE_SETUP] = "setup", [PHASE_SEND] = "send", [PHASE_DRAIN] = "wait",
    [PHASE_CLOSE] = "close", [PHASE_STOP] = "done",
};

static uint64_t published_rate; /* probes/s, written by the main lcore */

void
scan_stats_publish_rate(double rate)
{
	__atomic_store_n(&published_rate, (uint64_t)(rate + 0.5),
			 __ATOMIC_RELAXED);
}

void
scan_stats_read(const struct scan_context *scan,
		const struct scan_lcores *lcores, struct scan_stats *s)
{
	struct scan_totals t;
	int phase = scan->phase;

	scan_totals_read(lcores, &t);
	memset(s, 0, sizeof(*s));
	s->ts = scan_wall_now(scan);
	s->elapsed = s->ts - scan->start_wall;
	s->phase = phase >= PHASE_SETUP && phase <= PHASE_STOP
		       ? phase_names[phase]
		       : "?";
	s->sent = t.sent;
	s->received = t.received;
	s->open = t.open;
	s->closed = t.closed;
	s->unreachable = t.unreachable;
	s->dropped = t.dropped;
	s->bad_cookie = t.bad_cookie;
	for (unsigned q = 0; q < lcores->count; q++) {
		const struct tx_lcore *tx = lcores->tx[q];
		uint64_t pos = COUNTER_READ(tx->position);

		s->walk_total += walk_slice_count(&tx->slice);
		s->walk_done +=
		    pos >= tx->slice.end
			? walk_slice_count(&tx->slice)
			: (pos - tx->slice.first) / tx->slice.stride;
		if (lcores->rx[q]->tcp)
			s->tcb_in_use +=
			    COUNTER_READ(lcores->rx[q]->tcp->counters.in_use);
	}
	s->progress =
	    s->walk_total ? (double)s->walk_done / (double)s->walk_total : 1.0;
	s->rate = (double)__atomic_load_n(&published_rate, __ATOMIC_RELAXED);
	s->eta =
	    s->rate > 0 ? (double)(s->walk_total - s->walk_done) / s->rate : 0;
}

void
scan_stats_print_text(const struct scan_stats *s, FILE *out)
{
	fprintf(out,
		"\rrate %8.2f kpps, sent %" PRIu64 ", %5.1f%% done, ETA "
		"%02u:%02u:%02u, open %" PRIu64 ", drops %" PRIu64 "   ",
		s->rate / 1000.0, s->sent, s->progress * 100.0,
		(unsigned)(s->eta / 3600), (unsigned)(s->eta / 60) % 60,
		(unsigned)s->eta % 60, s->open, s->dropped);
}

void
scan_stats_print_json(const struct scan_stats *s, FILE *out)
{
	fprintf(
	    out,
	    "{\"ts\":%.3f,\"elapsed\":%.3f,\"phase\":\"%s\",\"sent\":%" PRIu64
	    ",\"rate\":%.0f,\"progress\":%.6f,\"received\":%" PRIu64
	    ",\"open\":%" PRIu64 ",\"closed\":%" PRIu64
	    ",\"unreachable\":%" PRIu64 ",\"dropped\":%" PRIu64
	    ",\"bad_cookie\":%" PRIu64 ",\"tcb_in_use\":%" PRIu64
	    ",\"eta\":%.1f}\n",
	    s->ts, s->elapsed, s->phase, s->sent, s->rate, s->progress,
	    s->received, s->open, s->closed, s->unreachable, s->dropped,
	    s->bad_cookie, s->tcb_in_use, s->eta);
	fflush(out);
}

/* ---- DPDK telemetry ---- */

static const struct scan_context *tel_scan;
static const struct scan_lcores *tel_lcores;
static int tel_live; /* the lcores above may be read */

/* /tidescan/stats: the snapshot as a dictionary. DPDK 22.11 telemetry has
 * no floating point values: progress is a decimal string, rate and eta are
 * whole numbers. */
static int
telemetry_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct scan_stats s;
	char progress[32];

	(void)cmd;
	(void)params;
	if (!__atomic_load_n(&tel_live, __ATOMIC_ACQUIRE))
		return -1;
	scan_stats_read(tel_scan, tel_lcores, &s);
	snprintf(progress, sizeof(progress), "%.6f", s.progress);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "phase", s.phase);
	rte_tel_data_add_dict_u64(d, "sent", s.sent);
	rte_tel_data_add_dict_u64(d, "received", s.received);
	rte_tel_data_add_dict_u64(d, "open", s.open);
	rte_tel_data_add_dict_u64(d, "closed", s.closed);
	rte_tel_data_add_dict_u64(d, "unreachable", s.unreachable);
	rte_tel_data_add_dict_u64(d, "bad_cookie", s.bad_cookie);
	rte_tel_data_add_dict_u64(d, "dropped", s.dropped);
	rte_tel_data_add_dict_u64(d, "tcb_in_use", s.tcb_in_use);
	rte_tel_data_add_dict_u64(d, "rate", (uint64_t)s.rate);
	rte_tel_data_add_dict_string(d, "progress", progress);
	rte_tel_data_add_dict_u64(d, "walk_done", s.walk_done);
	rte_tel_data_add_dict_u64(d, "walk_total", s.walk_total);
	rte_tel_data_add_dict_u64(d, "eta", (uint64_t)s.eta);
	return 0;
}

void
scan_stats_telemetry_start(const struct scan_context *scan,
			   const struct scan_lcores *lcores)
{
	tel_scan = scan;
	tel_lcores = lcores;
	__atomic_store_n(&tel_live, 1, __ATOMIC_RELEASE);
	if (rte_telemetry_register_cmd(
		"/tidescan/stats", telemetry_stats,
		"Returns tidescan's counters, rate, progress and eta. "
		"Takes no parameters"))
		fprintf(stderr, "tidescan: cannot register telemetry command "
				"/tidescan/stats\n");
}

void
scan_stats_telemetry_stop(void)
{
	__atomic_store_n(&tel_live, 0, __ATOMIC_RELEASE);
}
