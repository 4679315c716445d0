/* tx: the TX lcore. It walks its slice of the keyed permutation, turns each
 * walk position into a cookie-stamped SYN and sends bursts of 32 at the
 * configured rate; it also forwards the RST and ARP replies its paired RX
 * lcore hands it, so one queue pair per lcore pair works on every PMD. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "rate_gate.h"
#include "scan.h"

/* ---- making probes ---- */

/* Position p of the walk sends the pair permute(p mod N). The walk keeps
 * p mod N up to date by addition, so no division happens per probe. */
struct walk_cursor {
	uint64_t position;
	uint64_t pair_index; /* position mod N */
	uint64_t stride_mod; /* stride mod N */
	uint64_t range;	     /* N */
	uint32_t ip_id_state;
};

static inline void
walk_advance(struct walk_cursor *c, uint64_t stride)
{
	c->position += stride;
	c->pair_index += c->stride_mod;
	if (c->pair_index >= c->range)
		c->pair_index -= c->range;
}

static inline uint16_t
next_ip_id(struct walk_cursor *c)
{
	uint32_t x = c->ip_id_state; /* xorshift32 */

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->ip_id_state = x;
	return (uint16_t)x;
}

/* The story of a burst of probes, in stages so that each loop holds
 * independent work the CPU can overlap: walk position → pair index →
 * (ip, port) and source → cookie → frame. Both flags are constants in each
 * instantiation below, so the choices they make are compiled away instead
 * of tested per packet. */
static inline __attribute__((always_inline)) void
make_probes(struct tx_lcore *tx, struct walk_cursor *c, struct rte_mbuf **m,
	    unsigned n, const int offload, const int source_range)
{
	const struct scan_context *scan = tx->scan;
	const uint16_t len = scan->tpl.len;
	uint64_t pair[BURST_SIZE];
	/* Zeroed so the compiler can see no lane past n is read unset. */
	uint32_t dst_ip[BURST_SIZE] = {0}, src_ip[BURST_SIZE] = {0};
	uint16_t dst_port[BURST_SIZE] = {0}, src_port[BURST_SIZE] = {0};
	uint32_t seq[BURST_SIZE];

	for (unsigned i = 0; i < n; i++) {
		pair[i] = permute_index(&scan->perm, c->pair_index);
		walk_advance(c, tx->slice.stride);
	}
	for (unsigned i = 0; i < n; i++) {
		uint32_t proto_port;

		target_space_pair(&scan->space, pair[i], &dst_ip[i],
				  &proto_port);
		dst_port[i] = (uint16_t)proto_port;
		if (source_range) {
			cookie_pick_source(&scan->key, &scan->source,
					   dst_ip[i], dst_port[i], &src_ip[i],
					   &src_port[i]);
		} else {
			src_ip[i] = scan->source.ip_first;
			src_port[i] = scan->source.port_first;
		}
	}
	cookie_syn_burst(&scan->key, n, dst_ip, dst_port, src_ip, src_port,
			 seq);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *frame = rte_pktmbuf_mtod(m[i], uint8_t *);
		struct probe_fields f = {
			.src_ip = src_ip[i],
			.dst_ip = dst_ip[i],
			.src_port = src_port[i],
			.dst_port = dst_port[i],
			.seq = seq[i],
			.ip_id = next_ip_id(c),
		};

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(m[i + 1], void *));
		m[i]->data_len = len;
		m[i]->pkt_len = len;
		if (offload) {
			probe_stamp_offload(&scan->tpl, frame, &f);
			m[i]->ol_flags = RTE_MBUF_F_TX_IPV4 |
					 RTE_MBUF_F_TX_IP_CKSUM |
					 RTE_MBUF_F_TX_TCP_CKSUM;
			m[i]->l2_len = scan->tpl.ip_offset;
			m[i]->l3_len = scan->tpl.tcp_offset - scan->tpl.ip_offset;
		} else {
			probe_stamp(&scan->tpl, frame, &f);
		}
	}
}

typedef void (*make_probes_fn)(struct tx_lcore *, struct walk_cursor *,
			       struct rte_mbuf **, unsigned);

#define MAKE_PROBES_VARIANT(name, offload, range)                            \
	static void name(struct tx_lcore *tx, struct walk_cursor *c,         \
			 struct rte_mbuf **m, unsigned n)                    \
	{                                                                    \
		make_probes(tx, c, m, n, offload, range);                    \
	}
MAKE_PROBES_VARIANT(make_probes_sw, 0, 0)
MAKE_PROBES_VARIANT(make_probes_sw_range, 0, 1)
MAKE_PROBES_VARIANT(make_probes_hw, 1, 0)
MAKE_PROBES_VARIANT(make_probes_hw_range, 1, 1)

static make_probes_fn
make_probes_choose(const struct scan_context *scan)
{
	if (scan->tx_csum_offload)
		return scan->source_is_range ? make_probes_hw_range
					     : make_probes_hw;
	return scan->source_is_range ? make_probes_sw_range : make_probes_sw;
}

/* ---- sending ---- */

/* Send what the paired RX lcore queued (RSTs, ARP replies, banner
 * segments). A full TX queue gets a few more chances before a reply is
 * given up, and counted. */
static void
forward_replies(struct tx_lcore *tx)
{
	struct rte_mbuf *m[BURST_SIZE];
	unsigned n, sent = 0;

	n = rte_ring_sc_dequeue_burst(tx->replies, (void **)m, BURST_SIZE,
				      NULL);
	if (n == 0)
		return;
	for (int tries = 0; sent < n && tries < 16; tries++)
		sent += rte_eth_tx_burst(tx->scan->port_id, tx->queue,
					 m + sent, n - sent);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(m + sent, n - sent);
		COUNTER_ADD(tx->replies_lost, n - sent);
	}
	COUNTER_ADD(tx->replies_sent, sent);
}

/* Offer pending[0..*count) to the port; keep what it did not take, in order,
 * for the next round: a full queue never makes us spin or drop. */
static void
send_pending(struct tx_lcore *tx, struct rte_mbuf **pending, unsigned *count)
{
	unsigned sent;

	sent = rte_eth_tx_burst(tx->scan->port_id, tx->queue, pending, *count);
	COUNTER_ADD(tx->sent, sent);
	if (likely(sent == *count)) {
		*count = 0;
		return;
	}
	COUNTER_ADD(tx->tx_full, 1);
	for (unsigned i = sent; i < *count; i++)
		pending[i - sent] = pending[i];
	*count -= sent;
}

/* Publish the first walk position not sent: the pending probes were made
 * but the port has not taken them yet. A pause saves exactly this. */
static inline void
publish_position(struct tx_lcore *tx, const struct walk_cursor *c,
		 unsigned pending)
{
	__atomic_store_n(&tx->position,
			 c->position - (uint64_t)pending * tx->slice.stride,
			 __ATOMIC_RELEASE);
}

int
tx_lcore_main(void *arg)
{
	struct tx_lcore *tx = arg;
	struct scan_context *scan = tx->scan;
	make_probes_fn make = make_probes_choose(scan);
	struct rte_mbuf *pending[BURST_SIZE];
	unsigned pending_count = 0;
	struct rate_gate gate;
	struct walk_cursor c = {
		.position = tx->position,
		.range = scan->space.pair_count,
		.ip_id_state = (uint32_t)(scan->key.k0 ^ tx->queue) | 1,
	};

	c.pair_index = c.position % c.range;
	c.stride_mod = tx->slice.stride % c.range;

	while (scan->phase == PHASE_SETUP)
		forward_replies(tx);
	rate_gate_init(&gate, scan->cfg->rate / tx->scan->cfg->rx_queues,
		       scan->tsc_hz);

	/* The walk: until the slice ends or the scan is told to stop. */
	while (scan->phase == PHASE_SEND) {
		unsigned want, n;

		forward_replies(tx);
		if (unlikely(__atomic_load_n(&tx->followup_syns,
					     __ATOMIC_RELAXED)))
			rate_gate_charge(&gate,
					 __atomic_exchange_n(&tx->followup_syns,
							     0, __ATOMIC_RELAXED));
		if (pending_count) {
			send_pending(tx, pending, &pending_count);
			publish_position(tx, &c, pending_count);
			continue;
		}
		if (c.position >= tx->slice.end)
			break;
		if (unlikely(scan->hold_sending)) {
			rte_pause();
			continue;
		}
		want = (unsigned)RTE_MIN((uint64_t)BURST_SIZE,
					 (tx->slice.end - c.position +
					  tx->slice.stride - 1) /
						 tx->slice.stride);
		n = rate_gate_take(&gate, want);
		if (n == 0) {
			rte_pause();
			continue;
		}
		if (unlikely(rte_pktmbuf_alloc_bulk(scan->pool, pending, n))) {
			gate.tokens += n;
			continue;
		}
		make(tx, &c, pending, n);
		pending_count = n;
		send_pending(tx, pending, &pending_count);
		publish_position(tx, &c, pending_count);
	}

	/* At the slice's end nothing is pending. Stopped early (SIGINT, a
	 * pause), the probes the port has not taken were never sent: the
	 * position says so, and a resume sends them. */
	publish_position(tx, &c, pending_count);
	if (pending_count)
		rte_pktmbuf_free_bulk(pending, pending_count);
	tx->done = 1;

	/* Late answers still need their RSTs and ARP replies. */
	while (scan->phase != PHASE_STOP)
		forward_replies(tx);
	forward_replies(tx);
	return 0;
}
