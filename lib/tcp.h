/* tcp: the user-mode TCP stack that grabs banners from open ports, run by
 * one RX lcore (single-threaded, no locks, no allocation after init). The
 * caller hands it segments and the time; it hands back segments to send and
 * finished banners through callbacks. */
#ifndef TIDESCAN_TCP_H
#define TIDESCAN_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "tcb_table.h"
#include "timer_wheel.h"

/*
 * The life of a connection
 *
 * The caller checks a SYN-ACK's cookie (their ack == cookie + 1) and passes
 * it to tcp_input, which opens a TCB (our ISN = the cookie) and ACKs it. If
 * the port's probe is client-first (TCP_PROBE_IMMEDIATE) it goes out at
 * once, carrying that ACK. Otherwise the stack waits (the probe's wait_ms,
 * or server_first_wait_ms) for the server to speak; if it says nothing, the
 * port's probe is sent, or the generic probe for a port without one. Data is
 * kept at its offset in the banner buffer (up to max_bytes): bytes past a
 * hole wait there, in up to TCP_OOO_RANGES ranges, until the hole is filled;
 * every data segment is ACKed (cumulatively: no SACK blocks, so the SYN
 * should not offer SACK). The banner is done, and the connection closed (RST,
 * or FIN if close_with_fin), on their FIN, their RST, max_bytes, the first
 * line end for a probe with TCP_PROBE_COMPLETE_LINE, idle_timeout_ms without
 * data, total_timeout_ms after the SYN-ACK, or when our probe is never
 * acknowledged after max_retries retransmissions. banner_done is called
 * exactly once for every connection opened.
 *
 * A follow-up connection — the caller's next try at a port whose first
 * answer said too little — is opened by a SYN-ACK marked followup: its
 * probe, which the caller names from the tuple, goes out with the ACK.
 *
 * Every segment's ack must lie in what we sent (iss + 1 up to our last
 * byte): the stack never accepts a stranger's segment through a stale TCB.
 */

/* A probe: what to say to a port. Its bytes are either fixed (payload) or,
 * with payload NULL, rendered per connection by tcp_config.render (e.g. an
 * HTTP request naming the target): then len is the most it renders. */
struct tcp_probe {
	const uint8_t *payload;
	uint16_t len;  /* at most TCP_PROBE_MAX_LEN; 0: say nothing, listen */
	uint8_t flags; /* TCP_PROBE_* */
	uint32_t wait_ms; /* server-first wait; 0: server_first_wait_ms */
	const void *user; /* the caller's, e.g. its probe entry */
};
/* Client-first: send right after the handshake instead of waiting. */
#define TCP_PROBE_IMMEDIATE 0x01
/* The banner is complete at its first line end ('\n'): close then rather
 * than wait for the idle timeout (a one-line greeting such as SSH's). */
#define TCP_PROBE_COMPLETE_LINE 0x02
#define TCP_PROBE_MAX_LEN 16384

enum tcp_close_reason {
	TCP_CLOSE_FIN,	     /* they closed */
	TCP_CLOSE_RST,	     /* they reset */
	TCP_CLOSE_MAX_BYTES, /* the banner reached max_bytes */
	TCP_CLOSE_LINE,	    /* its first line ended (TCP_PROBE_COMPLETE_LINE) */
	TCP_CLOSE_IDLE,	    /* nothing new for idle_timeout_ms */
	TCP_CLOSE_TOTAL,    /* total_timeout_ms since the SYN-ACK */
	TCP_CLOSE_NO_ACK,   /* our probe was never acknowledged */
	TCP_CLOSE_SHUTDOWN, /* tcp_stack_close_all */
	TCP_CLOSE_REASONS
};

/* "fin", "rst", "max_bytes", "line", "idle", "total", "no_ack",
 * "shutdown". */
const char *tcp_close_reason_name(enum tcp_close_reason reason);

/* A segment to send, from us (tuple->our_*) to them; window 0 on RSTs. */
typedef void tcp_emit_fn(void *ctx, const struct tcp_tuple *tuple, uint32_t seq,
			 uint32_t ack, uint8_t flags, uint16_t window,
			 const uint8_t *payload, uint16_t len);
/* A finished banner: data (NULL when len is 0) is valid only during the
 * call; ttl is their SYN-ACK's IP TTL. probe is what we sent, as the caller
 * gave it (the port's entry or generic_probe), NULL if nothing: the server
 * spoke first. */
typedef void tcp_banner_fn(void *ctx, const struct tcp_tuple *tuple,
			   uint8_t ttl, const uint8_t *data, uint32_t len,
			   enum tcp_close_reason reason,
			   const struct tcp_probe *probe);

/* Render probe's bytes for a connection into out (cap = probe->len bytes)
 * and return their number (at most cap). The same tuple must always give
 * the same bytes: they are rendered again to be retransmitted. */
typedef uint16_t tcp_render_fn(void *ctx, const struct tcp_tuple *tuple,
			       const struct tcp_probe *probe, uint8_t *out,
			       uint16_t cap);

/* The probe of a follow-up connection (one a SYN-ACK marked followup
 * opened), from its tuple alone: the same tuple always gives the same
 * probe, and never NULL. */
typedef const struct tcp_probe *tcp_followup_fn(void *ctx,
						const struct tcp_tuple *tuple);

/* Limits of tcp_config. */
#define TCP_MAX_CONNECTIONS 10000000u
#define TCP_MAX_TIMEOUT_MS 3600000u
#define TCP_NO_WSCALE 0xff

struct tcp_config {
	uint32_t max_connections; /* TCBs: 1 to 10,000,000 (1,000,000) */
	uint32_t max_bytes;	  /* banner bytes kept: 16 to 65535 (4096) */
	uint32_t buffer_count;	  /* banner buffers, 1 to max_connections
				   * (max_connections / 4) */
	uint32_t server_first_wait_ms; /* 1000 */
	uint32_t idle_timeout_ms;      /* 2000 */
	uint32_t total_timeout_ms;     /* 10000 */
	uint32_t rto_ms;	       /* first retransmit timeout: 1000 */
	uint8_t max_retries;	       /* retransmissions, 0 to 8 (3) */
	uint8_t syn_wscale;	       /* window scale our SYN offered (7), or
					* TCP_NO_WSCALE: then their windows are unscaled */
	uint16_t window;	       /* the window we advertise (64240) */
	uint16_t mss;		       /* cap on the segments we send (1460) */
	int close_with_fin;	       /* close with FIN instead of RST (0) */
	uint64_t hash_seed;	       /* keys the TCB index hash (0) */
	/* Probes by their port (65536 entries, NULL: none), or NULL for no
	 * port probes at all; a port without one gets generic_probe after
	 * the wait (NULL: "\r\n\r\n"). The stack keeps the pointers: the
	 * probes must outlive it. */
	const struct tcp_probe *const *probes;
	const struct tcp_probe *generic_probe;
	tcp_emit_fn *emit;
	tcp_banner_fn *banner_done;
	tcp_render_fn *render; /* needed only by probes without payload */
	/* needed only if SYN-ACKs marked followup come */
	tcp_followup_fn *followup_probe;
	void *ctx; /* first argument of the callbacks */
};

/* The defaults above (no probes, no callbacks). */
void tcp_config_default(struct tcp_config *cfg);

/* Counters, written by the stack's lcore only. */
struct tcp_counters {
	uint64_t connections_opened;
	uint64_t banners;  /* done with at least one byte */
	uint64_t tcb_full; /* SYN-ACKs refused with RST: table or pool full */
	uint64_t retransmits; /* segments sent again (probe, FIN) */
	uint64_t timeouts;    /* closed by the idle or total timeout */
	uint64_t in_use;      /* connections held now (open or closing) */
	uint64_t buffers_in_use;
	uint64_t closed[TCP_CLOSE_REASONS]; /* banners done, by reason */
	uint64_t segments;		    /* handed to tcp_input */
	uint64_t unknown;		    /* for no connection: TCP_UNKNOWN */
	uint64_t bad_ack;	 /* ack outside what we sent, or no ACK flag */
	uint64_t bad_rst;	 /* RST outside the window */
	uint64_t out_of_order;	 /* data past a hole: kept, re-ACKed */
	uint64_t duplicates;	 /* nothing new (data or SYN-ACK): re-ACKed */
	uint64_t no_buffer;	 /* data left unacknowledged: pool empty */
	uint64_t bytes;		 /* banner bytes kept */
	uint64_t probes_sent;	 /* probes started (first transmission) */
	uint64_t persist_probes; /* zero-window probes */
	uint64_t timers_fired;
};

/* Ranges of data past a hole a connection keeps; a segment that would need
 * another is dropped (and re-ACKed). */
#define TCP_OOO_RANGES 4

/* Ticks per revolution of the stack's timer wheel (ms): longer deadlines
 * wait in their bucket for a later turn. */
#define TCP_WHEEL_BUCKETS 4096u

/* The stack. Read counters freely; the rest is the stack's own. */
struct tcp_stack {
	struct tcp_counters counters;
	struct tcb_table table;
	struct timer_wheel wheel;
	/* banner buffers: free ones are numbered in a stack (the top, last
	 * freed, is reused first: its entry is hot and nothing is written
	 * into a free buffer) */
	uint8_t *buffers;
	uint32_t *buf_stack;
	size_t buf_stride;
	uint32_t buf_count;
	uint32_t buf_free; /* entries in buf_stack */
	/* settings, from tcp_config */
	uint32_t max_bytes;
	uint32_t wait_ms, idle_ms, total_ms, rto_ms;
	uint8_t max_retries;
	uint8_t syn_wscale;
	uint16_t window;
	uint16_t mss;
	int close_with_fin;
	const struct tcp_probe *const *probes;
	const struct tcp_probe *generic;
	tcp_emit_fn *emit;
	tcp_banner_fn *banner_done;
	tcp_render_fn *render;
	tcp_followup_fn *followup_probe;
	void *ctx;
	uint8_t scratch[TCP_PROBE_MAX_LEN]; /* rendered probe bytes */
};

/* Bytes tcp_stack_init needs for cfg (0 if cfg is invalid; the callbacks
 * need not be set yet). */
size_t tcp_stack_footprint(const struct tcp_config *cfg);

/* Build a stack in mem (64-byte aligned, len >= tcp_stack_footprint) with
 * its clock reading now (ms, monotonic). The stack struct, TCBs, index,
 * timer wheel and banner buffers all live in mem; nothing else is
 * allocated, then or later. 0, or -1 with a message in err. */
int tcp_stack_init(struct tcp_stack **out, void *mem, size_t len,
		   const struct tcp_config *cfg, uint64_t now, char *err,
		   size_t errlen);

/* A segment from them to us, host byte order. */
struct tcp_segment {
	struct tcp_tuple tuple;
	uint32_t seq, ack;
	uint8_t flags; /* TCP_FLAG_* of lib/packet */
	uint8_t
	    wscale; /* window scale option (SYN-ACK), TCP_NO_WSCALE if none */
	uint16_t window; /* the raw window field */
	uint16_t mss;	 /* MSS option (SYN-ACK), 0 if none */
	uint16_t len;
	uint8_t ttl; /* IP TTL (kept from the SYN-ACK) */
	/* A SYN-ACK answering a follow-up SYN: no wait, the connection's
	 * probe (tcp_config.followup_probe) goes out at once. */
	uint8_t followup;
	uint8_t hashed; /* hash holds the tuple's tcb_hash (set by
			 * tcp_input_prefetch; 0: not yet) */
	uint32_t hash;
	const uint8_t *payload;
};

enum tcp_verdict {
	TCP_ACCEPTED = 0, /* taken by an open connection */
	TCP_OPENED,	  /* a SYN-ACK opened a connection */
	TCP_REFUSED,	  /* a SYN-ACK found the table or the pool full:
			   * answered with RST, counted as tcb_full */
	TCP_UNKNOWN,	  /* no connection has this tuple: not ours (the
			   * caller may count it, drop it or RST it) */
	TCP_IGNORED,	  /* a connection has this tuple but the segment
			   * is not acceptable (bad ack, RST out of window) */
};

/* Handle one segment at time now (ms; never going back). A SYN-ACK
 * (SYN and ACK set, no RST) must have passed the cookie check: ack - 1 is
 * taken as our ISN. */
enum tcp_verdict tcp_input(struct tcp_stack *s, const struct tcp_segment *seg,
			   uint64_t now);

/* The same for n segments, with the table reads of the whole burst
 * prefetched first; verdicts may be NULL. */
void tcp_input_burst(struct tcp_stack *s, const struct tcp_segment *segs,
		     unsigned n, uint64_t now, enum tcp_verdict *verdicts);

/* Start loading the index lines that the lookups of these segments will
 * read, for a burst that tcp_input_burst takes next: called before the
 * burst in hand is handled, its misses overlap that work. Each segment
 * keeps its tuple's hash (hash, hashed) for tcp_input_burst. */
void tcp_input_prefetch(const struct tcp_stack *s, struct tcp_segment *segs,
			unsigned n);

/* Run the timers due at or before now; call it often (every poll loop).
 * Returns how many fired. */
unsigned tcp_timers_run(struct tcp_stack *s, uint64_t now);

/* Close every connection still held with RST, delivering the banners of
 * the open ones (reason shutdown). Afterwards counters.in_use is 0. */
void tcp_stack_close_all(struct tcp_stack *s, uint64_t now);

#endif
