/* tcp: the banner stack's protocol — opening a TCB on a SYN-ACK, the
 * server-first wait and the probe, reassembly into a banner buffer,
 * retransmission, zero-window persist, timeouts and close; see tcp.h. */
#include <stdio.h>
#include <string.h>

#include "errmsg.h"
#include "packet.h"
#include "tcp.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * Timers
 *
 * Each TCB has one timer on the wheel, armed for the earliest of its
 * deadlines: total (opened_at + total), the event (server-first wait,
 * retransmit or persist, at event_at) and idle (active_at + idle, once the
 * server spoke or our probe went out and nothing of ours is pending).
 * Moving it later (new data, the event gone) only stores the deadline in
 * the TCB: the wheel queues its entry again when that comes up. Closing
 * only clears the TCB's armed flag. No timer operation writes to another
 * TCB but the rare move earlier (timer_wheel.h).
 */

/* tcb.flags */
#define TCB_SPOKE 0x01	  /* they sent data */
#define TCB_PROBED 0x02	  /* our probe was chosen: no more waiting */
#define TCB_GENERIC 0x04  /* ... and it is the generic probe */
#define TCB_EVENT 0x08	  /* event_at is armed */
#define TCB_PERSIST 0x10  /* ... for a zero-window probe, not a retransmit */
#define TCB_SENT_ALL 0x20 /* every byte of the probe went out once */
#define TCB_GAP 0x40	  /* data past a hole is kept (buffer's ranges) */
#define TCB_FOLLOWUP 0x80 /* a follow-up: followup_probe names its probe */

/* Persist probes back off up to rto << PERSIST_MAX_SHIFT. */
#define PERSIST_MAX_SHIFT 6
/* Their MSS when the SYN-ACK gave none (RFC 9293). */
#define DEFAULT_MSS 536
#define MAX_WSCALE 14
#define MAX_RTO_MS 60000u
#define BURST 32
/* Segments ahead of the one handled whose writes are prefetched. */
#define WRITES_AHEAD 8

static_assert(TCP_MAX_CONNECTIONS <= TCB_TABLE_MAX,
	      "the TCB table holds the most connections allowed");

static const uint8_t generic_payload[] = "\r\n\r\n";
static const struct tcp_probe generic_builtin = {
    .payload = generic_payload,
    .len = sizeof(generic_payload) - 1,
};

static const char *const reason_names[TCP_CLOSE_REASONS] = {
    [TCP_CLOSE_FIN] = "fin",
    [TCP_CLOSE_RST] = "rst",
    [TCP_CLOSE_MAX_BYTES] = "max_bytes",
    [TCP_CLOSE_LINE] = "line",
    [TCP_CLOSE_IDLE] = "idle",
    [TCP_CLOSE_TOTAL] = "total",
    [TCP_CLOSE_NO_ACK] = "no_ack",
    [TCP_CLOSE_SHUTDOWN] = "shutdown",
};

const char *
tcp_close_reason_name(enum tcp_close_reason reason)
{
	if ((unsigned)reason >= TCP_CLOSE_REASONS)
		return "?";
	return reason_names[reason];
}

static inline uint32_t
tick_min(uint32_t a, uint32_t b)
{
	return tick_before(a, b) ? a : b;
}

/* ---- banner buffers ---- */

/* The tail of a banner buffer, after its max_bytes: what came past a hole
 * (valid while the TCB has TCB_GAP). Offsets count their bytes from the
 * first; ranges are sorted, apart (not even touching) and past buf_len. */
struct ooo_ranges {
	uint32_t fin; /* offset of their FIN, or NO_FIN */
	uint8_t n;
	struct {
		uint16_t lo, hi; /* [lo, hi) */
	} r[TCP_OOO_RANGES];
};
#define NO_FIN 0xffffffffu

static inline uint8_t *
buffer_data(const struct tcp_stack *s, uint32_t b)
{
	return s->buffers + (size_t)b * s->buf_stride;
}

static inline struct ooo_ranges *
buffer_ranges(const struct tcp_stack *s, uint32_t b)
{
	return (struct ooo_ranges *)(buffer_data(s, b) + s->buf_stride -
				     sizeof(struct ooo_ranges));
}

static inline int
buffer_available(const struct tcp_stack *s)
{
	return s->buf_free != 0;
}

static inline uint32_t
buffer_get(struct tcp_stack *s)
{
	if (unlikely(s->buf_free == 0))
		return TCB_NO_BUFFER;
	s->counters.buffers_in_use++;
	return s->buf_stack[--s->buf_free];
}

static inline void
buffer_put(struct tcp_stack *s, uint32_t b)
{
	s->buf_stack[s->buf_free++] = b;
	s->counters.buffers_in_use--;
}

/* ---- probes ---- */

static inline const struct tcp_probe *
port_probe(const struct tcp_stack *s, uint16_t port)
{
	return s->probes ? s->probes[port] : NULL;
}

/* The probe this connection sends, NULL before one is chosen. */
static inline const struct tcp_probe *
tcb_probe(const struct tcp_stack *s, const struct tcb *t)
{
	if (!(t->flags & TCB_PROBED))
		return NULL;
	if (t->flags & TCB_GENERIC)
		return s->generic;
	if (t->flags & TCB_FOLLOWUP)
		return s->followup_probe(s->ctx, &t->tuple);
	return port_probe(s, t->tuple.their_port);
}

/* The bytes of the connection's probe p: fixed, or rendered into the
 * stack's scratch buffer. */
static uint16_t
probe_bytes(struct tcp_stack *s, const struct tcb *t, const struct tcp_probe *p,
	    const uint8_t **bytes)
{
	uint16_t n;

	*bytes = p->payload;
	if (p->payload || p->len == 0)
		return p->len;
	n = s->render(s->ctx, &t->tuple, p, s->scratch, p->len);
	*bytes = s->scratch;
	return n < p->len ? n : p->len;
}

/* ---- sending ---- */

/* A segment whose seq is our byte `off` (from iss + 1, modulo 2^32). */
static inline void
send_segment(struct tcp_stack *s, const struct tcb *t, uint32_t off,
	     uint8_t flags, const uint8_t *payload, uint16_t len)
{
	s->emit(s->ctx, &t->tuple, t->iss + 1 + off, t->rcv_nxt, flags,
		(flags & TCP_FLAG_RST) ? 0 : s->window, payload, len);
}

static inline void
send_ack(struct tcp_stack *s, const struct tcb *t)
{
	send_segment(s, t, t->snd_nxt, TCP_FLAG_ACK, NULL, 0);
}

static inline void
send_rst(struct tcp_stack *s, const struct tcb *t)
{
	send_segment(s, t, t->snd_nxt, TCP_FLAG_RST | TCP_FLAG_ACK, NULL, 0);
}

/* Send what their window allows of the probe's unsent bytes, in segments
 * of at most their MSS; start the retransmit timer if something went out,
 * or the persist timer if the window is shut with nothing in flight.
 * Returns how many segments were sent. */
static unsigned
tcb_send(struct tcp_stack *s, struct tcb *t, uint32_t now)
{
	const uint8_t *bytes;
	uint16_t len = probe_bytes(s, t, tcb_probe(s, t), &bytes);
	unsigned sent = 0;

	while (t->snd_nxt < len) {
		uint32_t flight = (uint32_t)(t->snd_nxt - t->snd_una);
		uint32_t n = len - t->snd_nxt;

		if (flight >= t->snd_wnd)
			break;
		if (n > t->snd_wnd - flight)
			n = t->snd_wnd - flight;
		if (n > t->mss)
			n = t->mss;
		send_segment(s, t, t->snd_nxt, TCP_FLAG_PSH | TCP_FLAG_ACK,
			     bytes + t->snd_nxt, (uint16_t)n);
		t->snd_nxt += (uint16_t)n;
		sent++;
	}
	if (t->snd_nxt >= len)
		t->flags |= TCB_SENT_ALL;
	if (sent) {
		if (t->flags & TCB_PERSIST) {
			t->flags &= ~TCB_PERSIST;
			t->retries = 0;
		} else if (t->flags & TCB_EVENT) {
			return sent; /* the retransmit timer runs already */
		}
		t->flags |= TCB_EVENT;
		t->event_at = now + (s->rto_ms << t->retries);
	} else if (!(t->flags & TCB_SENT_ALL) && t->snd_una == t->snd_nxt &&
		   !(t->flags & TCB_EVENT)) {
		t->flags |= TCB_EVENT | TCB_PERSIST;
		t->event_at = now + (s->rto_ms << t->retries);
	}
	return sent;
}

/* Send again what is unacknowledged (probe bytes, then our FIN when
 * closing) and back the timer off. */
static void
tcb_retransmit(struct tcp_stack *s, struct tcb *t, uint32_t now)
{
	uint32_t end = t->snd_nxt - (t->state == TCB_CLOSING);
	uint32_t off = t->snd_una;

	if (off < end) {
		const uint8_t *bytes;

		probe_bytes(s, t, tcb_probe(s, t), &bytes);
		while (off < end) {
			uint32_t n = end - off < t->mss ? end - off : t->mss;

			send_segment(s, t, off, TCP_FLAG_PSH | TCP_FLAG_ACK,
				     bytes + off, (uint16_t)n);
			off += n;
			s->counters.retransmits++;
		}
	}
	if (t->state == TCB_CLOSING) {
		send_segment(s, t, end, TCP_FLAG_FIN | TCP_FLAG_ACK, NULL, 0);
		s->counters.retransmits++;
	}
	t->retries++;
	t->event_at = now + (s->rto_ms << t->retries);
}

/* The wait is over, or the probe is client-first: choose the probe and
 * send what the window allows. Returns the segments sent. */
static unsigned
tcb_start_probe(struct tcp_stack *s, struct tcb *t, uint32_t now)
{
	unsigned sent;

	t->flags |= TCB_PROBED;
	if (!(t->flags & TCB_FOLLOWUP) &&
	    port_probe(s, t->tuple.their_port) == NULL)
		t->flags |= TCB_GENERIC;
	t->active_at = now;
	sent = tcb_send(s, t, now);
	if (t->snd_nxt || !(t->flags & TCB_SENT_ALL))
		s->counters.probes_sent++; /* not for an empty probe */
	return sent;
}

/* ---- timers ---- */

/* Idle counts once something happened (they spoke or we probed), no hole
 * in their data is waiting to be filled, and nothing of ours is pending:
 * unacknowledged bytes have the retransmit bound, bytes their window holds
 * back the persist timer (and both the total timeout). */
static inline int
idle_applies(const struct tcb *t)
{
	if (t->flags & TCB_GAP)
		return 0; /* not idle: they are resending what we miss */
	if (!(t->flags & (TCB_SPOKE | TCB_PROBED)) || t->snd_una != t->snd_nxt)
		return 0;
	return (t->flags & (TCB_PROBED | TCB_SENT_ALL)) != TCB_PROBED;
}

static inline uint32_t
tcb_deadline(const struct tcp_stack *s, const struct tcb *t)
{
	uint32_t at;

	if (t->state == TCB_CLOSING)
		return t->event_at;
	at = t->opened_at + s->total_ms;
	if (t->flags & TCB_EVENT)
		at = tick_min(at, t->event_at);
	if (idle_applies(t))
		at = tick_min(at, t->active_at + s->idle_ms);
	return at;
}

/* Set the timer to the earliest deadline. A later one costs no wheel
 * work (the wheel queues the entry again when it comes up), an earlier
 * one moves the entry. */
static inline void
tcb_schedule(struct tcp_stack *s, struct tcb *t)
{
	uint32_t at = tcb_deadline(s, t);

	if (timer_link_armed(&t->timer) && t->timer.at == at)
		return;
	timer_wheel_arm(&s->wheel, tcb_index(&s->table, t), at);
}

/* ---- closing ---- */

static void
tcb_delete(struct tcp_stack *s, struct tcb *t)
{
	timer_wheel_cancel(&s->wheel, tcb_index(&s->table, t));
	if (t->buf != TCB_NO_BUFFER) {
		buffer_put(s, t->buf);
		t->buf = TCB_NO_BUFFER;
	}
	tcb_table_remove(&s->table, t);
	s->counters.in_use--;
}

/* The banner is done: deliver it, then close — nothing to send after
 * their RST; RST, or FIN and wait for its ack (close_with_fin) otherwise. */
static void
tcb_finish(struct tcp_stack *s, struct tcb *t, enum tcp_close_reason reason,
	   uint32_t now)
{
	const uint8_t *data = t->buf_len ? buffer_data(s, t->buf) : NULL;

	s->banner_done(s->ctx, &t->tuple, t->ttl, data, t->buf_len, reason,
		       tcb_probe(s, t));
	s->counters.closed[reason]++;
	if (t->buf_len)
		s->counters.banners++;
	if (reason == TCP_CLOSE_IDLE || reason == TCP_CLOSE_TOTAL)
		s->counters.timeouts++;
	if (t->buf != TCB_NO_BUFFER) {
		buffer_put(s, t->buf);
		t->buf = TCB_NO_BUFFER;
	}
	if (reason == TCP_CLOSE_RST) {
		tcb_delete(s, t);
		return;
	}
	if (s->close_with_fin && reason != TCP_CLOSE_SHUTDOWN) {
		send_segment(s, t, t->snd_nxt, TCP_FLAG_FIN | TCP_FLAG_ACK,
			     NULL, 0);
		t->snd_nxt++;
		t->state = TCB_CLOSING;
		t->retries = 0;
		t->flags = (uint8_t)((t->flags & ~TCB_PERSIST) | TCB_EVENT);
		t->event_at = now + s->rto_ms;
		tcb_schedule(s, t);
		return;
	}
	if (reason == TCP_CLOSE_FIN)
		send_ack(s, t);
	send_rst(s, t);
	tcb_delete(s, t);
}

static void
tcb_on_timer(struct tcp_stack *s, struct tcb *t, uint32_t now)
{
	if (t->state == TCB_CLOSING) {
		if (!tick_before(now, t->event_at)) {
			if (t->retries >= s->max_retries) {
				send_rst(s, t);
				tcb_delete(s, t);
				return;
			}
			tcb_retransmit(s, t, now);
		}
		tcb_schedule(s, t);
		return;
	}
	if (!tick_before(now, t->opened_at + s->total_ms)) {
		tcb_finish(s, t, TCP_CLOSE_TOTAL, now);
		return;
	}
	if ((t->flags & TCB_EVENT) && !tick_before(now, t->event_at)) {
		if (!(t->flags & TCB_PROBED)) {
			t->flags &= ~TCB_EVENT; /* the server-first wait */
			tcb_start_probe(s, t, now);
		} else if (t->flags & TCB_PERSIST) {
			/* One byte before what we sent: they answer with an
			 * ACK telling their window. */
			send_segment(s, t, (uint32_t)t->snd_nxt - 1,
				     TCP_FLAG_ACK, NULL, 0);
			s->counters.persist_probes++;
			if (t->retries < PERSIST_MAX_SHIFT)
				t->retries++;
			t->event_at = now + (s->rto_ms << t->retries);
		} else if (t->retries >= s->max_retries) {
			tcb_finish(s, t, TCP_CLOSE_NO_ACK, now);
			return;
		} else {
			tcb_retransmit(s, t, now);
		}
	}
	if (idle_applies(t) && !tick_before(now, t->active_at + s->idle_ms)) {
		tcb_finish(s, t, TCP_CLOSE_IDLE, now);
		return;
	}
	tcb_schedule(s, t);
}

/* Expired TCBs are taken TIMER_AHEAD ahead of their handling, and their
 * index lines prefetched: a close from a timer must edit the index. */
#define TIMER_AHEAD 8

unsigned
tcp_timers_run(struct tcp_stack *s, uint64_t now)
{
	uint32_t tick = (uint32_t)now, ahead[TIMER_AHEAD], i;
	unsigned first = 0, count = 0, fired = 0;

	for (;;) {
		while (count < TIMER_AHEAD &&
		       (i = timer_wheel_expire(&s->wheel, tick)) != TIMER_NIL) {
			tcb_table_prefetch(
			    &s->table,
			    tcb_hash(&s->table, &tcb_at(&s->table, i)->tuple));
			ahead[(first + count++) % TIMER_AHEAD] = i;
		}
		if (count == 0)
			break;
		i = ahead[first];
		first = (first + 1) % TIMER_AHEAD;
		count--;
		tcb_on_timer(s, tcb_at(&s->table, i), tick);
		fired++;
	}
	s->counters.timers_fired += fired;
	return fired;
}

/* ---- receiving ---- */

static enum tcp_verdict
tcb_open(struct tcp_stack *s, const struct tcp_segment *seg, uint32_t hash,
	 uint32_t now)
{
	const int followup = seg->followup && s->followup_probe;
	const struct tcp_probe *p;
	struct tcb *t = NULL;

	if (likely(buffer_available(s)))
		t = tcb_table_insert(&s->table, &seg->tuple, hash);
	if (unlikely(t == NULL)) {
		s->counters.tcb_full++;
		s->emit(s->ctx, &seg->tuple, seg->ack, 0, TCP_FLAG_RST, 0, NULL,
			0);
		return TCP_REFUSED;
	}
	t->iss = seg->ack - 1;
	t->rcv_nxt = seg->seq + 1;
	t->wscale = 0;
	if (seg->wscale != TCP_NO_WSCALE && s->syn_wscale != TCP_NO_WSCALE)
		t->wscale = seg->wscale < MAX_WSCALE ? seg->wscale : MAX_WSCALE;
	t->snd_wnd = seg->window; /* a SYN's window is never scaled */
	t->ttl = seg->ttl;
	t->mss = seg->mss ? seg->mss : DEFAULT_MSS;
	if (t->mss > s->mss)
		t->mss = s->mss;
	t->opened_at = now;
	t->active_at = now;
	t->buf = TCB_NO_BUFFER;
	t->buf_len = 0;
	t->snd_una = 0;
	t->snd_nxt = 0;
	t->state = TCB_OPEN;
	t->flags = followup ? TCB_FOLLOWUP : 0;
	t->retries = 0;
	s->counters.connections_opened++;
	s->counters.in_use++;
	p = port_probe(s, seg->tuple.their_port);
	if (followup || (p && (p->flags & TCP_PROBE_IMMEDIATE))) {
		/* Client-first: the probe's first segment carries the ACK. */
		if (tcb_start_probe(s, t, now) == 0)
			send_ack(s, t);
	} else {
		send_ack(s, t);
		t->flags |= TCB_EVENT;
		t->event_at = now + (p && p->wait_ms ? p->wait_ms : s->wait_ms);
	}
	tcb_schedule(s, t);
	return TCP_OPENED;
}

/* A SYN-ACK again: our ACK was lost. Re-ACK it if it is the same one. */
static enum tcp_verdict
tcb_input_synack(struct tcp_stack *s, struct tcb *t,
		 const struct tcp_segment *seg)
{
	if (!(seg->flags & TCP_FLAG_ACK) || seg->ack != t->iss + 1 ||
	    t->state != TCB_OPEN || seg->seq != t->rcv_nxt - 1 - t->buf_len) {
		s->counters.bad_ack++;
		return TCP_IGNORED;
	}
	s->counters.duplicates++;
	send_ack(s, t);
	return TCP_ACCEPTED;
}

static enum tcp_verdict
tcb_input_rst(struct tcp_stack *s, struct tcb *t, const struct tcp_segment *seg,
	      uint32_t now)
{
	if ((seg->flags & TCP_FLAG_ACK) &&
	    seg->ack - (t->iss + 1) > t->snd_nxt) {
		s->counters.bad_ack++;
		return TCP_IGNORED;
	}
	if (seg->seq - t->rcv_nxt >= s->window) {
		s->counters.bad_rst++;
		return TCP_IGNORED;
	}
	if (t->state == TCB_CLOSING)
		tcb_delete(s, t);
	else
		tcb_finish(s, t, TCP_CLOSE_RST, now);
	return TCP_ACCEPTED;
}

/* Our FIN is out and the banner delivered: wait for its ack, ACK their
 * FIN; more data is refused with RST. */
static enum tcp_verdict
tcb_input_closing(struct tcp_stack *s, struct tcb *t,
		  const struct tcp_segment *seg, uint32_t ack_off)
{
	if (ack_off > t->snd_una) {
		t->snd_una = (uint16_t)ack_off;
		t->retries = 0;
	}
	if (seg->len) {
		send_rst(s, t);
		tcb_delete(s, t);
		return TCP_ACCEPTED;
	}
	if (seg->flags & TCP_FLAG_FIN) {
		if (seg->seq == t->rcv_nxt)
			t->rcv_nxt++;
		send_ack(s, t);
	}
	if (t->snd_una == t->snd_nxt)
		tcb_delete(s, t);
	return TCP_ACCEPTED;
}

/* Take an acceptable ack (ack_off within what we sent) and the window. */
static inline void
tcb_ack(struct tcp_stack *s, struct tcb *t, const struct tcp_segment *seg,
	uint32_t ack_off, uint32_t now)
{
	if (ack_off > t->snd_una) {
		t->snd_una = (uint16_t)ack_off;
		t->retries = 0;
		if (t->snd_una == t->snd_nxt) {
			t->flags &= ~(TCB_EVENT | TCB_PERSIST);
			/* The server has all of our probe: its time to answer
			 * counts from now, however long that took. */
			t->active_at = now;
		} else {
			t->event_at = now + s->rto_ms;
		}
	}
	if (ack_off == t->snd_una)
		t->snd_wnd = (uint32_t)seg->window << t->wscale;
}

enum receive_result {
	RECEIVE_QUIET, /* nothing to acknowledge */
	RECEIVE_ACK,   /* acknowledge (new data, or a re-ACK) */
	RECEIVE_DONE,  /* the banner is done: the TCB is closed or closing */
};

/* Merge [lo, hi) into the ranges; -1 if it touches none of them and
 * there is no room for another. */
static int
ranges_add(struct ooo_ranges *o, uint32_t lo, uint32_t hi)
{
	unsigned i = 0, j;

	while (i < o->n && o->r[i].hi < lo)
		i++;
	for (j = i; j < o->n && o->r[j].lo <= hi; j++) {
		lo = o->r[j].lo < lo ? o->r[j].lo : lo;
		hi = o->r[j].hi > hi ? o->r[j].hi : hi;
	}
	if (j == i) {
		if (o->n == TCP_OOO_RANGES)
			return -1;
		memmove(&o->r[i + 1], &o->r[i], (o->n - i) * sizeof(o->r[0]));
		o->n++;
	} else if (j > i + 1) {
		memmove(&o->r[i + 1], &o->r[j], (o->n - j) * sizeof(o->r[0]));
		o->n -= j - i - 1;
	}
	o->r[i].lo = (uint16_t)lo;
	o->r[i].hi = (uint16_t)hi;
	return 0;
}

/* Data past a hole (ahead bytes past rcv_nxt): keep what fits in our
 * window and max_bytes at its offset and note its range (and a FIN after
 * it); the caller re-ACKs, telling them what is missing. */
static enum receive_result
tcb_receive_ahead(struct tcp_stack *s, struct tcb *t,
		  const struct tcp_segment *seg, uint32_t ahead)
{
	uint32_t lo = t->buf_len + ahead, hi = lo + seg->len;
	uint32_t end = t->buf_len + s->window, fin = NO_FIN;
	struct ooo_ranges *o;

	s->counters.out_of_order++;
	if (seg->flags & TCP_FLAG_FIN)
		fin = hi;
	if (end > s->max_bytes)
		end = s->max_bytes;
	if (hi > end) {
		hi = end;
		fin = NO_FIN; /* past what we take: it comes again */
	}
	if (lo >= hi && fin == NO_FIN)
		return RECEIVE_ACK;
	if (t->buf == TCB_NO_BUFFER) {
		t->buf = buffer_get(s);
		if (unlikely(t->buf == TCB_NO_BUFFER)) {
			s->counters.no_buffer++;
			return RECEIVE_ACK;
		}
	}
	o = buffer_ranges(s, t->buf);
	if (!(t->flags & TCB_GAP)) {
		o->n = 0;
		o->fin = NO_FIN;
		t->flags |= TCB_GAP;
	}
	if (lo < hi) {
		/* no room for another range: dropped, it comes again */
		if (ranges_add(o, lo, hi))
			return RECEIVE_ACK;
		memcpy(buffer_data(s, t->buf) + lo, seg->payload, hi - lo);
	}
	if (fin != NO_FIN)
		o->fin = fin;
	return RECEIVE_ACK;
}

/* The banner grew to buf_len: take in the ranges it reached. Returns 1 if
 * their FIN is next. */
static int
tcb_join_ranges(struct tcp_stack *s, struct tcb *t)
{
	struct ooo_ranges *o = buffer_ranges(s, t->buf);
	unsigned k = 0;

	while (k < o->n && o->r[k].lo <= t->buf_len) {
		if (o->r[k].hi > t->buf_len) {
			uint32_t n = o->r[k].hi - t->buf_len;

			t->buf_len = o->r[k].hi;
			t->rcv_nxt += n;
			s->counters.bytes += n;
		}
		k++;
	}
	if (k) {
		memmove(&o->r[0], &o->r[k], (o->n - k) * sizeof(o->r[0]));
		o->n -= k;
	}
	if (o->n == 0 && (o->fin == NO_FIN || o->fin <= t->buf_len))
		t->flags &= ~TCB_GAP;
	return o->fin == t->buf_len;
}

/* Does the banner end a line in its bytes from `from` on, for a port whose
 * probe says the first line completes it? */
static inline int
line_complete(const struct tcp_stack *s, const struct tcb *t, uint32_t from)
{
	const struct tcp_probe *p = port_probe(s, t->tuple.their_port);

	return p && (p->flags & TCP_PROBE_COMPLETE_LINE) &&
	       memchr(buffer_data(s, t->buf) + from, '\n', t->buf_len - from);
}

/* Data at rcv_nxt goes to the banner buffer, then the ranges kept past
 * it that it reaches; the part of a segment before rcv_nxt is dropped. */
static enum receive_result
tcb_receive(struct tcp_stack *s, struct tcb *t, const struct tcp_segment *seg,
	    uint32_t now)
{
	int32_t ahead = (int32_t)(seg->seq - t->rcv_nxt);
	int fin = seg->flags & TCP_FLAG_FIN;
	uint32_t skip, take;

	if (ahead > 0)
		return tcb_receive_ahead(s, t, seg, (uint32_t)ahead);
	skip = -(uint32_t)ahead;
	if (skip > seg->len || (skip == seg->len && !fin)) {
		s->counters.duplicates++;
		return RECEIVE_ACK;
	}
	take = seg->len - skip;
	if (take) {
		uint32_t room, n, from = t->buf_len;

		if (t->buf == TCB_NO_BUFFER) {
			t->buf = buffer_get(s);
			if (unlikely(t->buf == TCB_NO_BUFFER)) {
				s->counters.no_buffer++;
				return RECEIVE_QUIET;
			}
		}
		room = s->max_bytes - t->buf_len;
		n = take < room ? take : room;
		memcpy(buffer_data(s, t->buf) + t->buf_len, seg->payload + skip,
		       n);
		t->buf_len += (uint16_t)n;
		t->rcv_nxt += n;
		s->counters.bytes += n;
		t->active_at = now;
		if ((t->flags & TCB_GAP) && tcb_join_ranges(s, t))
			fin = 1;
		if (!(t->flags & TCB_SPOKE)) {
			t->flags |= TCB_SPOKE;
			if (!(t->flags & TCB_PROBED))
				t->flags &= ~TCB_EVENT; /* no probe then */
		}
		if (n < take) {
			tcb_finish(s, t, TCP_CLOSE_MAX_BYTES, now);
			return RECEIVE_DONE;
		}
		if (line_complete(s, t, from)) {
			tcb_finish(s, t, TCP_CLOSE_LINE, now);
			return RECEIVE_DONE;
		}
	}
	if (fin) {
		t->rcv_nxt++;
		tcb_finish(s, t, TCP_CLOSE_FIN, now);
		return RECEIVE_DONE;
	}
	if (t->buf_len == s->max_bytes) {
		tcb_finish(s, t, TCP_CLOSE_MAX_BYTES, now);
		return RECEIVE_DONE;
	}
	return RECEIVE_ACK;
}

static enum tcp_verdict
tcb_input(struct tcp_stack *s, struct tcb *t, const struct tcp_segment *seg,
	  uint32_t now)
{
	enum receive_result r = RECEIVE_QUIET;
	uint32_t ack_off;
	unsigned sent = 0;

	if (unlikely(seg->flags & (TCP_FLAG_RST | TCP_FLAG_SYN))) {
		if (seg->flags & TCP_FLAG_RST)
			return tcb_input_rst(s, t, seg, now);
		return tcb_input_synack(s, t, seg);
	}
	ack_off = seg->ack - (t->iss + 1);
	if (unlikely(!(seg->flags & TCP_FLAG_ACK) || ack_off > t->snd_nxt)) {
		s->counters.bad_ack++;
		return TCP_IGNORED;
	}
	if (unlikely(t->state == TCB_CLOSING))
		return tcb_input_closing(s, t, seg, ack_off);
	tcb_ack(s, t, seg, ack_off, now);
	if (seg->len || (seg->flags & TCP_FLAG_FIN)) {
		r = tcb_receive(s, t, seg, now);
		if (r == RECEIVE_DONE)
			return TCP_ACCEPTED;
	}
	if ((t->flags & (TCB_PROBED | TCB_SENT_ALL)) == TCB_PROBED)
		sent = tcb_send(s, t, now);
	if (r == RECEIVE_ACK && sent == 0)
		send_ack(s, t);
	tcb_schedule(s, t);
	return TCP_ACCEPTED;
}

static inline int
is_synack(uint8_t flags)
{
	return (flags & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) ==
	       (TCP_FLAG_SYN | TCP_FLAG_ACK);
}

/* seg, whose tuple has this hash and TCB t (NULL: none). */
static inline enum tcp_verdict
input_one(struct tcp_stack *s, const struct tcp_segment *seg, struct tcb *t,
	  uint32_t hash, uint32_t now)
{
	s->counters.segments++;
	if (likely(t != NULL))
		return tcb_input(s, t, seg, now);
	if (is_synack(seg->flags))
		return tcb_open(s, seg, hash, now);
	s->counters.unknown++;
	return TCP_UNKNOWN;
}

enum tcp_verdict
tcp_input(struct tcp_stack *s, const struct tcp_segment *seg, uint64_t now)
{
	uint32_t hash = tcb_hash(&s->table, &seg->tuple);

	return input_one(s, seg, tcb_table_find(&s->table, &seg->tuple, hash),
			 hash, (uint32_t)now);
}

/* Start loading the lines of the banner buffer that data segment g will
 * be copied to (the buffer it holds, or the one it would take next). */
static inline unsigned
prefetch_copy(const struct tcp_stack *s, const struct tcb *t,
	      const struct tcp_segment *g, unsigned taking)
{
	uint32_t b = t->buf, from = t->buf_len, len = g->len;
	unsigned took = 0;
	const uint8_t *p;

	if (b == TCB_NO_BUFFER) {
		if (taking >= s->buf_free)
			return 0;
		b = s->buf_stack[s->buf_free - 1 - taking];
		from = 0;
		took = 1;
	}
	if (len > s->max_bytes - from)
		len = s->max_bytes - from;
	p = buffer_data(s, b) + from;
	for (uint32_t off = 0; off < len + ((uintptr_t)p & 63); off += 64)
		__builtin_prefetch(p + off, 1);
	return took;
}

/* Start loading what handling segment g will write to beyond its TCB:
 * where its data goes (stores that miss the cache hold up later stores).
 * t is its TCB, or NULL for a SYN-ACK that would open one; `taking` and
 * `opening` are the buffers that segments before it will take and the
 * free TCB the next SYN-ACK will. Returns 1 if it counted on a buffer. */
static inline unsigned
prefetch_writes(const struct tcp_stack *s, const struct tcb *t,
		const struct tcp_segment *g, unsigned taking, uint32_t *opening)
{
	if (t == NULL) {
		uint32_t i = *opening;
		const struct tcb *f;

		if (!is_synack(g->flags) || i == TIMER_NIL)
			return 0;
		/* the TCB it will take */
		f = tcb_at(&s->table, i);
		__builtin_prefetch(f, 1);
		*opening = f->timer.at;
		return 0;
	}
	if (t->state != TCB_OPEN || g->len == 0)
		return 0;
	return prefetch_copy(s, t, g, taking);
}

/* Four passes over each group of BURST segments, so that the cache misses
 * of one pass overlap: hash and prefetch the index lines; prefetch the
 * TCBs the index names; prefetch what handling will write; then handle the
 * segments. An earlier segment of the group may have changed the table: a
 * candidate still in use with the segment's tuple is its TCB (a tuple has
 * one at a time); no candidate means no TCB unless a segment before it
 * opened one of a hash alike (a bit of `opened` per hash's top 6 bits);
 * otherwise the tuple is looked up again. */
void
tcp_input_burst(struct tcp_stack *s, const struct tcp_segment *segs, unsigned n,
		uint64_t now, enum tcp_verdict *verdicts)
{
	struct tcb *cand[BURST];
	uint32_t hash[BURST];
	unsigned took[BURST];

	for (unsigned base = 0; base < n; base += BURST) {
		unsigned m = n - base < BURST ? n - base : BURST;
		const struct tcp_segment *g = segs + base;
		uint32_t opening = s->table.free_head;
		unsigned taking = 0;
		uint64_t opened = 0; /* a bit per hash opened in the group */

		for (unsigned i = 0; i < m; i++) {
			/* given to tcp_input_prefetch: hashed, line loading */
			hash[i] = g[i].hash;
			if (!g[i].hashed) {
				hash[i] = tcb_hash(&s->table, &g[i].tuple);
				tcb_table_prefetch(&s->table, hash[i]);
			}
		}
		for (unsigned i = 0; i < m; i++) {
			cand[i] = tcb_table_candidate(&s->table, hash[i]);
			if (cand[i])
				__builtin_prefetch(cand[i], 1);
		}
		for (unsigned i = 0; i < m && i < WRITES_AHEAD; i++) {
			took[i] = prefetch_writes(s, cand[i], &g[i], taking,
						  &opening);
			taking += took[i];
		}
		for (unsigned i = 0; i < m; i++) {
			unsigned j = i + WRITES_AHEAD;
			struct tcb *t = cand[i];
			enum tcp_verdict v;

			if (j < m) {
				took[j] = prefetch_writes(s, cand[j], &g[j],
							  taking, &opening);
				taking += took[j];
			}
			taking -= took[i];
			if (t ? t->state == TCB_FREE ||
				    !tcp_tuple_equal(&t->tuple, &g[i].tuple)
			      : (opened >> (hash[i] >> 26) & 1))
				t = tcb_table_find(&s->table, &g[i].tuple,
						   hash[i]);
			v = input_one(s, &g[i], t, hash[i], (uint32_t)now);
			if (v == TCP_OPENED)
				opened |= 1ull << (hash[i] >> 26);

			if (verdicts)
				verdicts[base + i] = v;
		}
	}
}

void
tcp_input_prefetch(const struct tcp_stack *s, struct tcp_segment *segs,
		   unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		segs[i].hash = tcb_hash(&s->table, &segs[i].tuple);
		segs[i].hashed = 1;
		tcb_table_prefetch(&s->table, segs[i].hash);
	}
}

void
tcp_stack_close_all(struct tcp_stack *s, uint64_t now)
{
	for (uint32_t i = 0; i < s->table.fresh; i++) {
		struct tcb *t = tcb_at(&s->table, i);

		if (t->state == TCB_OPEN) {
			tcb_finish(s, t, TCP_CLOSE_SHUTDOWN, (uint32_t)now);
		} else if (t->state == TCB_CLOSING) {
			send_rst(s, t);
			tcb_delete(s, t);
		}
	}
}

/* ---- set-up ---- */

void
tcp_config_default(struct tcp_config *cfg)
{
	*cfg = (struct tcp_config){
	    .max_connections = 1000000,
	    .max_bytes = 4096,
	    .buffer_count = 250000,
	    .server_first_wait_ms = 1000,
	    .idle_timeout_ms = 2000,
	    .total_timeout_ms = 10000,
	    .rto_ms = 1000,
	    .max_retries = 3,
	    .syn_wscale = 7,
	    .window = 64240,
	    .mss = 1460,
	};
}

/* A probe fits in the sequence space we track and can be rendered
 * (port < 0: the generic probe). */
static int
probe_check(const struct tcp_probe *p, int port, const struct tcp_config *cfg,
	    char *err, size_t errlen)
{
	char name[32];

	if (p->len <= TCP_PROBE_MAX_LEN && p->wait_ms <= TCP_MAX_TIMEOUT_MS &&
	    (p->len == 0 || p->payload || cfg->render))
		return 0;
	if (port < 0)
		snprintf(name, sizeof(name), "the generic probe");
	else
		snprintf(name, sizeof(name), "the probe of port %d", port);
	if (p->len > TCP_PROBE_MAX_LEN)
		errf(err, errlen, "tcp: %s has %u bytes, more than %u", name,
		     p->len, TCP_PROBE_MAX_LEN);
	else if (p->wait_ms > TCP_MAX_TIMEOUT_MS)
		errf(err, errlen, "tcp: %s waits %u ms, more than %u", name,
		     p->wait_ms, TCP_MAX_TIMEOUT_MS);
	else
		errf(err, errlen,
		     "tcp: %s has no payload and there is no render callback",
		     name);
	return -1;
}

static int
config_check(const struct tcp_config *cfg, char *err, size_t errlen)
{
	if (cfg->max_connections < 1 ||
	    cfg->max_connections > TCP_MAX_CONNECTIONS) {
		errf(err, errlen, "tcp: max_connections %u is not in 1..%u",
		     cfg->max_connections, TCP_MAX_CONNECTIONS);
		return -1;
	}
	if (cfg->max_bytes < 16 || cfg->max_bytes > 65535) {
		errf(err, errlen, "tcp: max_bytes %u is not in 16..65535",
		     cfg->max_bytes);
		return -1;
	}
	if (cfg->buffer_count < 1 || cfg->buffer_count > cfg->max_connections) {
		errf(err, errlen,
		     "tcp: buffer_count %u is not in 1..max_connections (%u)",
		     cfg->buffer_count, cfg->max_connections);
		return -1;
	}
	if (cfg->server_first_wait_ms < 1 ||
	    cfg->server_first_wait_ms > TCP_MAX_TIMEOUT_MS ||
	    cfg->idle_timeout_ms < 1 ||
	    cfg->idle_timeout_ms > TCP_MAX_TIMEOUT_MS ||
	    cfg->total_timeout_ms < 1 ||
	    cfg->total_timeout_ms > TCP_MAX_TIMEOUT_MS) {
		errf(err, errlen,
		     "tcp: server_first_wait_ms, idle_timeout_ms and "
		     "total_timeout_ms must be in 1..%u",
		     TCP_MAX_TIMEOUT_MS);
		return -1;
	}
	if (cfg->rto_ms < 1 || cfg->rto_ms > MAX_RTO_MS) {
		errf(err, errlen, "tcp: rto_ms %u is not in 1..%u", cfg->rto_ms,
		     MAX_RTO_MS);
		return -1;
	}
	if (cfg->max_retries > 8) {
		errf(err, errlen, "tcp: max_retries %u is not in 0..8",
		     cfg->max_retries);
		return -1;
	}
	if (cfg->syn_wscale > MAX_WSCALE && cfg->syn_wscale != TCP_NO_WSCALE) {
		errf(err, errlen, "tcp: syn_wscale %u is not in 0..%u",
		     cfg->syn_wscale, MAX_WSCALE);
		return -1;
	}
	if (cfg->window < 1 || cfg->mss < 1) {
		errf(err, errlen, "tcp: window and mss must be >= 1");
		return -1;
	}
	if (cfg->generic_probe &&
	    probe_check(cfg->generic_probe, -1, cfg, err, errlen))
		return -1;
	if (cfg->probes)
		for (int port = 0; port < 65536; port++)
			if (cfg->probes[port] &&
			    probe_check(cfg->probes[port], port, cfg, err,
					errlen))
				return -1;
	return 0;
}

static size_t
align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Where each part lives in the caller's block. */
struct layout {
	size_t table, wheel, buf_stack, buffers, buf_stride, total;
};

static void
layout_of(const struct tcp_config *cfg, struct layout *l)
{
	size_t off = align64(sizeof(struct tcp_stack));

	l->table = off;
	off += align64(tcb_table_footprint(cfg->max_connections));
	l->wheel = off;
	off += align64(
	    timer_wheel_footprint(TCP_WHEEL_BUCKETS, cfg->max_connections));
	l->buf_stack = off;
	off += align64((size_t)cfg->buffer_count * sizeof(uint32_t));
	l->buffers = off;
	l->buf_stride = align64(cfg->max_bytes + sizeof(struct ooo_ranges));
	off += (size_t)cfg->buffer_count * l->buf_stride;
	l->total = off;
}

size_t
tcp_stack_footprint(const struct tcp_config *cfg)
{
	struct layout l;

	if (config_check(cfg, NULL, 0))
		return 0;
	layout_of(cfg, &l);
	return l.total;
}

int
tcp_stack_init(struct tcp_stack **out, void *mem, size_t len,
	       const struct tcp_config *cfg, uint64_t now, char *err,
	       size_t errlen)
{
	char *base = mem;
	struct tcp_stack *s;
	struct layout l;

	if (config_check(cfg, err, errlen))
		return -1;
	if (cfg->emit == NULL || cfg->banner_done == NULL) {
		errf(err, errlen,
		     "tcp: the emit and banner_done callbacks are needed");
		return -1;
	}
	layout_of(cfg, &l);
	if (mem == NULL || ((uintptr_t)mem & 63) != 0) {
		errf(err, errlen,
		     "tcp: the memory block must be 64-byte aligned");
		return -1;
	}
	if (len < l.total) {
		errf(err, errlen,
		     "tcp: the memory block has %zu bytes, %zu needed", len,
		     l.total);
		return -1;
	}
	s = mem;
	memset(s, 0, sizeof(*s));
	tcb_table_init(&s->table, base + l.table, cfg->max_connections,
		       cfg->hash_seed);
	timer_wheel_init(&s->wheel, base + l.wheel, TCP_WHEEL_BUCKETS,
			 cfg->max_connections, &s->table.tcbs[0].timer,
			 sizeof(struct tcb), (uint32_t)now);
	s->buffers = (uint8_t *)base + l.buffers;
	s->buf_stack = (uint32_t *)(base + l.buf_stack);
	s->buf_stride = l.buf_stride;
	s->buf_count = cfg->buffer_count;
	/* buffer 0 on top: buffers are first used in address order */
	for (uint32_t b = 0; b < cfg->buffer_count; b++)
		s->buf_stack[b] = cfg->buffer_count - 1 - b;
	s->buf_free = cfg->buffer_count;
	s->max_bytes = cfg->max_bytes;
	s->wait_ms = cfg->server_first_wait_ms;
	s->idle_ms = cfg->idle_timeout_ms;
	s->total_ms = cfg->total_timeout_ms;
	s->rto_ms = cfg->rto_ms;
	s->max_retries = cfg->max_retries;
	s->syn_wscale = cfg->syn_wscale;
	s->window = cfg->window;
	s->mss = cfg->mss;
	s->close_with_fin = cfg->close_with_fin;
	s->probes = cfg->probes;
	s->generic = cfg->generic_probe ? cfg->generic_probe : &generic_builtin;
	s->emit = cfg->emit;
	s->banner_done = cfg->banner_done;
	s->render = cfg->render;
	s->followup_probe = cfg->followup_probe;
	s->ctx = cfg->ctx;
	*out = s;
	return 0;
}
