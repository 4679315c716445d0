/* followups: a port's answers are identified as nmap does across its probes —
 * the first connection's against every probe nmap would send the port (its
 * probe is not recorded), each follow-up's as the answer to its own probe,
 * narrowed to the service an earlier answer softmatched. */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ring.h>

#include "banner.h"
#include "followups.h"
#include "identify.h"
#include "writer.h"

/* Ports held at once; more go out unidentified (counted as skipped). */
#define FOLLOWUP_PORTS_MAX 65536
#define EXPIRY_CHECKS_PER_SECOND 2
/* The deadline of a step queued for the rate gate, not sent yet: none. */
#define STEP_QUEUED UINT64_MAX

void
followups_open(struct writer *w)
{
	struct followups *f = &w->followups;

	f->asks = calloc(FOLLOWUP_PORTS_MAX, sizeof(*f->asks));
	if (followup_table_init(&f->table, FOLLOWUP_PORTS_MAX) || !f->asks)
		rte_exit(EXIT_FAILURE, "out of memory for follow-up ports\n");
	f->asks_mask = FOLLOWUP_PORTS_MAX - 1;
	rate_gate_init(&f->gate, w->scan->cfg->rate, w->scan->tsc_hz);
	f->next_expiry_tsc = rte_rdtsc();
}

static void
write_held(struct writer *w, struct followup *e)
{
	const struct service_id none = {.match = SERVICE_NONE};
	const struct output_record out = followup_record(e, &none);

	writer_emit(w, &out);
	followup_remove(&w->followups.table, e);
}

/* Queue follow-up `step` of e's port, to be sent through rx when the rate
 * allows (no deadline runs meanwhile); write e if there is no such step. */
static void
ask_step(struct writer *w, struct rx_lcore *rx, struct followup *e,
	 unsigned step)
{
	struct followups *f = &w->followups;

	if (step > probe_chain_length(&w->scan->probes->chain, e->port) ||
	    w->scan->phase >= PHASE_CLOSE ||
	    f->asks_tail - f->asks_head > f->asks_mask) {
		write_held(w, e);
		return;
	}
	e->step = (uint8_t)step;
	e->deadline = STEP_QUEUED;
	f->asks[f->asks_tail++ & f->asks_mask] = (struct followup_ask){
	    .ip = e->ip, .port = e->port, .step = e->step, .queue = rx->queue};
}

/* Hand the queued steps to their RX lcores as fast as --rate allows; each
 * SYN is charged to the pair's TX lcore too, whose walk shares the rate. */
static void
send_asks(struct writer *w, uint64_t now)
{
	struct followups *f = &w->followups;

	while (f->asks_head != f->asks_tail) {
		const struct followup_ask *a =
		    &f->asks[f->asks_head & f->asks_mask];
		struct followup *e = followup_find(&f->table, a->ip, a->port);

		if (e && e->step == a->step && e->deadline == STEP_QUEUED) {
			struct rx_lcore *rx = w->lcores->rx[a->queue];

			if (rate_gate_take(&f->gate, 1) == 0)
				return;
			if (w->scan->phase >= PHASE_CLOSE ||
			    rte_ring_sp_enqueue(rx->followups,
						banner_followup_pack(
						    a->ip, a->port, a->step))) {
				write_held(w, e);
			} else {
				e->deadline = now + writer_followup_ttl(w);
				f->last_send_tsc = now;
				__atomic_fetch_add(
				    &w->lcores->tx[a->queue]->followup_syns, 1,
				    __ATOMIC_RELAXED);
			}
		}
		f->asks_head++; /* sent, written, or its port moved on */
	}
}

/* Does a first connection's port go on to follow-ups: no hard match, a
 * chain to follow, and the scan not closing? */
static int
wants_followup(const struct writer *w, const struct banner_record *rec,
	       const struct service_id *svc)
{
	return !(svc && svc->match == SERVICE_HARD) &&
	       probe_chain_length(&w->scan->probes->chain, rec->result.port) &&
	       w->scan->phase < PHASE_CLOSE;
}

/* The port's first connection: identified as every probe's answer. */
static void
take_first(struct writer *w, struct rx_lcore *rx,
	   const struct banner_record *rec)
{
	struct followups *f = &w->followups;
	struct service_id id;
	const struct service_id *svc = banner_identify(
	    w->scan->identify, rec->result.port, rec->data, rec->len, &id);
	const struct output_record out = {.result = &rec->result,
					  .banner = rec->data,
					  .banner_len = rec->len,
					  .service = svc};

	if (wants_followup(w, rec, svc)) {
		struct followup *e = followup_add(&f->table, &rec->result);

		if (e == NULL) {
			f->skipped++;
		} else if (followup_take(e, rec->data, rec->len, svc)) {
			followup_remove(&f->table, e);
		} else {
			f->started++;
			ask_step(w, rx, e, 1);
			return;
		}
	}
	writer_emit(w, &out);
}

void
followups_take(struct writer *w, struct rx_lcore *rx,
	       const struct banner_record *rec)
{
	struct followups *f = &w->followups;
	struct followup *e;
	struct service_id id;
	const struct service_id *svc;
	int probe;

	if (rec->step == 0) {
		take_first(w, rx, rec);
		return;
	}
	e = followup_find(&f->table, rec->result.ip, rec->result.port);
	probe = probe_chain_at(&w->scan->probes->chain, rec->result.port,
			       rec->step);
	if (!e || e->step != rec->step || probe < 0) {
		f->stale++;
		return;
	}
	svc = banner_identify_as(w->scan->identify, (unsigned)probe,
				 e->soft.match ? e->soft.name : NULL, rec->data,
				 rec->len, &id);
	if (svc && svc->match == SERVICE_HARD) {
		const struct output_record out = {.result = &e->result,
						  .banner = rec->data,
						  .banner_len = rec->len,
						  .service = svc};

		writer_emit(w, &out);
		f->identified++;
		w->scan->identify->identified++;
		followup_remove(&f->table, e);
		return;
	}
	if (followup_take(e, rec->data, rec->len, svc)) {
		write_held(w, e);
		return;
	}
	ask_step(w, rx, e, rec->step + 1u);
}

/* Write up to max held ports whose deadline is at or before `due`;
 * returns how many. */
static unsigned
write_due(struct writer *w, uint64_t due, unsigned max)
{
	struct followups *f = &w->followups;
	unsigned n = 0;

	for (uint32_t i = 0; n < max && f->table.count && i <= f->table.mask;) {
		struct followup *e = followup_slot(&f->table, i);

		if (e && e->deadline <= due) {
			/* then slot i again: another may move in */
			write_held(w, e);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

void
followups_tick(struct writer *w, uint64_t now_tsc)
{
	struct followups *f = &w->followups;

	send_asks(w, now_tsc);
	if (now_tsc < f->next_expiry_tsc || f->table.count == 0)
		return;
	f->next_expiry_tsc =
	    now_tsc + w->scan->tsc_hz / EXPIRY_CHECKS_PER_SECOND;
	f->expired += write_due(w, now_tsc, UINT32_MAX);
}

unsigned
followups_flush(struct writer *w, unsigned max)
{
	return write_due(w, UINT64_MAX, max);
}

void
followups_close(struct writer *w)
{
	followup_table_free(&w->followups.table);
	free(w->followups.asks);
}
