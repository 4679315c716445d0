/* banner: wires lib/tcp to the RX lcore. A valid SYN-ACK opens a connection
 * in this lcore's stack; the stack's segments become frames sent by the
 * paired TX lcore; each finished connection becomes one record — the open
 * port with its banner — for the writer. */
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "banner.h"
#include "probes_nmap.h"
#include "tidescan_build.h"

#define RECORD_POOL_SIZE 8191
#define RECORD_RING_SIZE 8192
#define FOLLOWUP_RING_SIZE 16384
/* rx_seen_before's status for a follow-up's SYN-ACK (| its step): apart
 * from every result status */
#define FOLLOWUP_SEEN 0x80

/* ---- the probe table (main lcore, before the scan) ---- */

static char *
default_probes_path(void)
{
	const char *dir = getenv("TIDESCAN_DATADIR");
	char *path;

	if (asprintf(&path, "%s/probes.yaml", dir && *dir ? dir : TIDESCAN_DATADIR) < 0)
		return NULL;
	return path;
}

/* A tcp_probe for each TCP probe of nmap's set with a payload (sent at
 * once: a follow-up has had its wait), and every port's chain of them. */
static int
followups_load(struct banner_probes *bp, const struct sp_set *nmap,
	       const struct config *cfg, unsigned followups, char *err,
	       size_t errlen)
{
	if (probe_chain_build(&bp->chain, nmap, &bp->registry,
			      cfg->version_intensity, followups, err, errlen))
		return -1;
	bp->nmap_probes = calloc(nmap->probe_count, sizeof(*bp->nmap_probes));
	if (!bp->nmap_probes) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < nmap->probe_count; i++) {
		const struct sp_probe *p = &nmap->probes[i];

		if (p->payload_len > PROBE_PAYLOAD_MAX) {
			snprintf(err, errlen,
				 "nmap probe %s has %zu bytes, more than %u",
				 p->name, p->payload_len, PROBE_PAYLOAD_MAX);
			return -1;
		}
		bp->nmap_probes[i] = (struct tcp_probe){
			.payload = p->payload,
			.len = (uint16_t)p->payload_len,
			.flags = TCP_PROBE_IMMEDIATE,
		};
	}
	return 0;
}

int
banner_probes_load(struct banner_probes *bp, const struct config *cfg,
		   const struct sp_set *nmap, unsigned followups, char *err,
		   size_t errlen)
{
	char *path = cfg->probes_file ? strdup(cfg->probes_file)
				      : default_probes_path();
	struct probe_registry *reg = &bp->registry;
	int rc;

	if (!path) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = probes_load_file(reg, path, err, errlen);
	free(path);
	if (rc)
		return -1;
	if (cfg->user_agent &&
	    probes_set_user_agent(reg, cfg->user_agent, err, errlen))
		return -1;
	if (nmap && probes_merge_nmap(reg, nmap, cfg->version_intensity, err,
				      errlen) < 0)
		return -1;
	bp->user_agent = reg->user_agent;
	bp->probes = calloc(reg->entry_count, sizeof(*bp->probes));
	bp->by_port = calloc(65536, sizeof(*bp->by_port));
	if (!bp->probes || !bp->by_port) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* Payloads are rendered per connection ({host} is the target). */
	for (unsigned i = 0; i < reg->entry_count; i++) {
		const struct probe_entry *e = &reg->entries[i];

		bp->probes[i] = (struct tcp_probe){
			.payload = NULL,
			.len = (uint16_t)e->payload_max,
			.flags = (e->client_first ? TCP_PROBE_IMMEDIATE : 0) |
				 (e->complete_line ? TCP_PROBE_COMPLETE_LINE
						   : 0),
			.wait_ms = e->client_first ? 0 : e->wait_ms,
			.user = e,
		};
	}
	for (unsigned port = 0; port < 65536; port++)
		if (reg->index[port])
			bp->by_port[port] = &bp->probes[reg->index[port]];
	if (nmap && followups)
		return followups_load(bp, nmap, cfg, followups, err, errlen);
	return 0;
}

/* ---- the stack's callbacks (RX lcore) ---- */

static uint16_t
render_probe(void *ctx, const struct tcp_tuple *tuple,
	     const struct tcp_probe *probe, uint8_t *out, uint16_t cap)
{
	const struct rx_lcore *rx = ctx;
	const struct banner_probes *bp = rx->scan->probes;
	/* The stack may hand back a copy of a probe (the generic one): its
	 * entry rides along in user, not in its address. */
	const struct probe_entry *e = probe->user;

	return (uint16_t)RTE_MIN(probe_payload_render(e, tuple->their_ip,
						      bp->user_agent, out, cap),
				 (size_t)cap);
}

/* A follow-up's probe: the one its step (from our port) names in the port's
 * chain. */
static const struct tcp_probe *
followup_probe(void *ctx, const struct tcp_tuple *tuple)
{
	const struct rx_lcore *rx = ctx;
	const struct banner_probes *bp = rx->scan->probes;
	int step = scan_source_step(rx->scan, tuple->their_ip,
				    tuple->their_port, tuple->our_ip,
				    tuple->our_port);
	int probe = step > 0 ? probe_chain_at(&bp->chain, tuple->their_port,
					      (unsigned)step)
			     : -1;

	/* (the RX path opens follow-ups only for steps the chain has) */
	return probe >= 0 ? &bp->nmap_probes[probe] : &bp->probes[0];
}

static void
emit_segment(void *ctx, const struct tcp_tuple *tuple, uint32_t seq,
	     uint32_t ack, uint8_t flags, uint16_t window,
	     const uint8_t *payload, uint16_t len)
{
	struct rx_lcore *rx = ctx;
	const struct scan_context *scan = rx->scan;
	struct rte_mbuf *m = rx_reply_alloc(rx);
	size_t frame_len;

	if (unlikely(m == NULL))
		return;
	/* Probes are at most PROBE_PAYLOAD_MAX bytes: a frame always fits;
	 * refuse rather than write past the mbuf if that ever changes. */
	if (unlikely((size_t)len + FRAME_MIN_LEN > rte_pktmbuf_tailroom(m))) {
		rx_reply_send(rx, m, 0);
		return;
	}
	frame_len = tcp_segment_build(rte_pktmbuf_mtod(m, uint8_t *),
				      scan->our_mac, scan->router_mac,
				      tuple->our_ip, tuple->their_ip,
				      tuple->our_port, tuple->their_port, seq,
				      ack, flags, window, payload, len);
	rx_reply_send(rx, m, frame_len);
}

static void
banner_finished(void *ctx, const struct tcp_tuple *tuple, uint8_t ttl,
		const uint8_t *data, uint32_t len,
		enum tcp_close_reason reason, const struct tcp_probe *probe)
{
	struct rx_lcore *rx = ctx;
	const struct scan_context *scan = rx->scan;
	struct banner_record *rec;

	(void)probe;
	if (unlikely(rte_mempool_get(rx->records, (void **)&rec) != 0)) {
		COUNTER_ADD(rx->dropped, 1);
		return;
	}
	rec->result = (struct scan_result){
		.ts = scan_wall_now(scan),
		.ip = tuple->their_ip,
		.port = tuple->their_port,
		.proto = PROTO_TCP,
		.status = RESULT_OPEN,
		.ttl = ttl,
	};
	rec->len = RTE_MIN(len, scan->cfg->banner_max_bytes);
	rec->reason = (uint8_t)reason;
	rec->step = (uint8_t)RTE_MAX(
		scan_source_step(scan, tuple->their_ip, tuple->their_port,
				 tuple->our_ip, tuple->our_port),
		0);
	if (rec->len)
		memcpy(rec->data, data, rec->len);
	if (unlikely(rte_ring_sp_enqueue(rx->banners, rec) != 0)) {
		rte_mempool_put(rx->records, rec);
		COUNTER_ADD(rx->dropped, 1);
	}
}

/* ---- setup (main lcore) ---- */

void
banner_lcore_setup(struct rx_lcore *rx, int socket)
{
	const struct scan_context *scan = rx->scan;
	const struct config *cfg = scan->cfg;
	const struct banner_probes *bp = scan->probes;
	struct tcp_config tc;
	char name[RTE_MEMPOOL_NAMESIZE], err[256];
	size_t bytes;
	void *mem;

	tcp_config_default(&tc);
	tc.max_connections = cfg->banner_max_connections;
	tc.max_bytes = cfg->banner_max_bytes;
	tc.buffer_count = RTE_MIN(cfg->banner_buffers,
				  cfg->banner_max_connections);
	tc.server_first_wait_ms = bp->registry.wait_ms;
	tc.idle_timeout_ms = cfg->banner_idle_ms;
	tc.total_timeout_ms = cfg->banner_total_ms;
	tc.syn_wscale = TCP_NO_WSCALE; /* what our SYN offered */
	if (scan->syn_options == SYN_OPTIONS_LINUX ||
	    scan->syn_options == SYN_OPTIONS_NO_TIMESTAMPS ||
	    scan->syn_options == SYN_OPTIONS_MSS_WSCALE)
		tc.syn_wscale = cfg->wscale;
	tc.window = cfg->window ? cfg->window : 64240;
	tc.mss = cfg->mss;
	tc.hash_seed = scan->key.k0;
	tc.probes = bp->by_port;
	tc.generic_probe = &bp->probes[0];
	tc.render = render_probe;
	tc.emit = emit_segment;
	tc.banner_done = banner_finished;
	if (scan->followups)
		tc.followup_probe = followup_probe;
	tc.ctx = rx;

	bytes = tcp_stack_footprint(&tc);
	if (bytes == 0)
		rte_exit(EXIT_FAILURE, "banner settings are not valid for the "
				       "TCP stack (see config/default.yaml)\n");
	mem = rte_zmalloc_socket("tcp_stack", bytes, 64, socket);
	if (mem == NULL)
		rte_exit(EXIT_FAILURE,
			 "cannot allocate %zu MiB for %u banner connections "
			 "on socket %d: reserve more hugepages or lower "
			 "--max-connections / --banner-buffers\n",
			 bytes >> 20, tc.max_connections, socket);
	if (tcp_stack_init(&rx->tcp, mem, bytes, &tc, 0, err, sizeof(err)))
		rte_exit(EXIT_FAILURE, "banner stack: %s\n", err);

	snprintf(name, sizeof(name), "banners_q%u", rx->queue);
	rx->banners = rte_ring_create(name, RECORD_RING_SIZE, socket,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "records_q%u", rx->queue);
	rx->records = rte_mempool_create(
		name, RECORD_POOL_SIZE,
		sizeof(struct banner_record) + cfg->banner_max_bytes, 0, 0,
		NULL, NULL, NULL, NULL, socket, 0);
	rx->burst = rte_zmalloc_socket("banner_burst", 2 * sizeof(*rx->burst),
				       64, socket);
	rx->burst_fill = 0;
	if (scan->followups) {
		snprintf(name, sizeof(name), "followups_q%u", rx->queue);
		rx->followups = rte_ring_create(name, FOLLOWUP_RING_SIZE,
						socket,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!rx->followups)
			rte_exit(EXIT_FAILURE,
				 "cannot create the follow-up ring: %s\n",
				 rte_strerror(rte_errno));
	}
	if (!rx->banners || !rx->records || !rx->burst)
		rte_exit(EXIT_FAILURE, "cannot create the banner ring/pool: %s\n",
			 rte_strerror(rte_errno));
}

/* ---- the RX path ---- */

/* Is a SYN-ACK of this tuple queued (held or being filled), not yet seen
 * by the stack? */
static int
synack_queued(const struct rx_lcore *rx, const struct tcp_tuple *tuple)
{
	for (unsigned k = 0; k < 2; k++) {
		const struct banner_burst *b = &rx->burst[k];

		for (unsigned i = 0; i < b->n; i++)
			if ((b->seg[i].flags & TCP_FLAG_SYN) &&
			    tcp_tuple_equal(&b->seg[i].tuple, tuple))
				return 1;
	}
	return 0;
}

void
banner_handle_tcp(struct rx_lcore *rx, const struct parsed_frame *pf,
		  unsigned step)
{
	const struct scan_context *scan = rx->scan;
	struct banner_burst *b = &rx->burst[rx->burst_fill];
	const int syn_ack = (pf->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK |
					      TCP_FLAG_RST)) ==
			    (TCP_FLAG_SYN | TCP_FLAG_ACK);
	const uint32_t cookie = cookie_syn(&scan->key, pf->ip_src, pf->sport,
					   pf->ip_dst, pf->dport);
	const int cookie_ok = (pf->tcp_flags & TCP_FLAG_ACK) &&
			      pf->ack - 1 == cookie;
	struct tcp_segment *seg = &b->seg[b->n];

	*seg = (struct tcp_segment){
		.tuple = {.their_ip = pf->ip_src,
			  .our_ip = pf->ip_dst,
			  .their_port = pf->sport,
			  .our_port = pf->dport},
		.seq = pf->seq,
		.ack = pf->ack,
		.flags = pf->tcp_flags,
		.wscale = pf->wscale,
		.window = pf->window,
		.mss = pf->mss,
		.len = pf->payload_len,
		.ttl = pf->ttl,
		.followup = step > 0,
		.payload = pf->payload,
	};
	if (syn_ack) {
		if (!cookie_ok) {
			COUNTER_ADD(rx->bad_cookie, 1);
			return;
		}
		/* A SYN-ACK again, after its connection closed: not a new
		 * connection; the stack re-ACKs one that is still open (or
		 * that a queued SYN-ACK opens). A follow-up's are told
		 * apart by their step. */
		if (rx_seen_before(rx, pf->ip_src, pf->sport,
				   step ? FOLLOWUP_SEEN | step : RESULT_OPEN) &&
		    !tcb_table_find(&rx->tcp->table, &seg->tuple,
				    tcb_hash(&rx->tcp->table, &seg->tuple)) &&
		    !synack_queued(rx, &seg->tuple)) {
			COUNTER_ADD(rx->duplicates, 1);
			rx_reset(rx, pf);
			return;
		}
	}
	memcpy(b->mac[b->n], pf->src_mac, 6);
	b->cookie_ok[b->n] = (uint8_t)cookie_ok;
	b->step[b->n] = (uint8_t)step;
	b->n++;
}

/* Hand burst b to the stack and act on its verdicts. */
static void
burst_input(struct rx_lcore *rx, struct banner_burst *b,
	    struct scan_result_batch *batch)
{
	const struct scan_context *scan = rx->scan;

	if (b->n == 0)
		return;
	tcp_input_burst(rx->tcp, b->seg, b->n, banner_now_ms(scan), b->verdict);
	for (unsigned i = 0; i < b->n; i++) {
		const struct tcp_segment *g = &b->seg[i];

		/* A follow-up's port is open and reported already: its
		 * connection ends with a record (the writer gives up on one
		 * that could not open). */
		if (b->step[i] && b->verdict[i] != TCP_UNKNOWN)
			continue;
		switch (b->verdict[i]) {
		case TCP_OPENED:
			COUNTER_ADD(rx->open, 1);
			break;
		case TCP_REFUSED:
			/* No room for a connection: the port is open all the
			 * same. */
			COUNTER_ADD(rx->open, 1);
			batch->r[batch->count++] = (struct scan_result){
				.ts = scan_wall_now(scan),
				.ip = g->tuple.their_ip,
				.port = g->tuple.their_port,
				.proto = PROTO_TCP,
				.status = RESULT_OPEN,
				.ttl = g->ttl,
			};
			break;
		case TCP_UNKNOWN:
			/* No connection: a RST answering a probe means
			 * closed. */
			if ((g->flags & TCP_FLAG_RST) && b->cookie_ok[i] &&
			    b->step[i] == 0) {
				rx_report(rx, batch, g->tuple.their_ip,
					  g->tuple.their_port, RESULT_CLOSED,
					  g->ttl, 0);
				break;
			}
			COUNTER_ADD(rx->strays, 1);
			/* A segment for no connection of ours — one we closed
			 * whose RST was lost, or one left on the target by an
			 * earlier scan that now answers our SYN with a bare
			 * ACK — is reset, as a kernel does (RFC 9293
			 * 3.10.7.1): no socket is left waiting on the target,
			 * and a retried SYN can open the port. */
			if (!(g->flags & TCP_FLAG_RST) &&
			    (g->flags & TCP_FLAG_ACK))
				rx_reset_to(rx, b->mac[i], g->tuple.our_ip,
					    g->tuple.their_ip,
					    g->tuple.our_port,
					    g->tuple.their_port, g->ack);
			break;
		case TCP_ACCEPTED:
		case TCP_IGNORED:
			break;
		}
	}
	b->n = 0;
}

void
banner_burst_advance(struct rx_lcore *rx, struct scan_result_batch *batch)
{
	struct banner_burst *filled = &rx->burst[rx->burst_fill];

	tcp_input_prefetch(rx->tcp, filled->seg, filled->n);
	rx->burst_fill ^= 1;
	burst_input(rx, &rx->burst[rx->burst_fill], batch);
}

void
banner_burst_flush(struct rx_lcore *rx, struct scan_result_batch *batch)
{
	burst_input(rx, &rx->burst[rx->burst_fill ^ 1], batch);
}

/* The SYNs of the follow-ups the writer asked for: each from the probe's
 * source port + its step, its sequence number the cookie of that tuple. */
static void
send_followups(struct rx_lcore *rx)
{
	const struct scan_context *scan = rx->scan;
	void *req[BURST_SIZE];
	unsigned n = rte_ring_sc_dequeue_burst(rx->followups, req, BURST_SIZE,
					       NULL);

	for (unsigned i = 0; i < n; i++) {
		struct probe_fields f;
		struct rte_mbuf *m = rx_reply_alloc(rx);
		unsigned step;

		if (unlikely(m == NULL))
			continue;
		banner_followup_unpack(req[i], &f.dst_ip, &f.dst_port, &step);
		scan_source_of(scan, f.dst_ip, f.dst_port, &f.src_ip,
			       &f.src_port);
		f.src_port = (uint16_t)(f.src_port + step);
		f.seq = cookie_syn(&scan->key, f.dst_ip, f.dst_port, f.src_ip,
				   f.src_port);
		f.ip_id = (uint16_t)f.seq;
		probe_stamp(&scan->tpl, rte_pktmbuf_mtod(m, uint8_t *), &f);
		rx_reply_send(rx, m, scan->tpl.len);
	}
	if (n)
		COUNTER_ADD(rx->followups_sent, n);
}

void
banner_tick(struct rx_lcore *rx)
{
	const struct scan_context *scan = rx->scan;
	uint64_t now = banner_now_ms(scan);

	tcp_timers_run(rx->tcp, now);
	if (rx->followups)
		send_followups(rx);
	if (unlikely(scan->phase == PHASE_CLOSE && !rx->tcp_closed)) {
		tcp_stack_close_all(rx->tcp, now);
		rx->tcp_closed = 1;
	}
}
