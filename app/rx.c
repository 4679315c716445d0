/* rx: the RX lcore. Every frame is parsed once; ARP for our addresses is
 * answered, TCP and ICMP answers are recognised by their SYN cookie (no
 * per-probe state), reported once through a ring to the writer, and open
 * ports are closed again with a RST. */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "arp.h"
#include "banner.h"
#include "scan.h"

/* Report an answer once: a fixed table of 4-way buckets remembers recent
 * (ip, port, status) triples, so retransmitted SYN-ACKs and answers to
 * retries do not repeat a result. A full bucket forgets its oldest entry. */
int
rx_seen_before(struct rx_lcore *rx, uint32_t ip, uint16_t port,
	       uint8_t status)
{
	uint64_t key = ((uint64_t)ip << 24 | (uint64_t)port << 8 | status) + 1;
	uint64_t *bucket = rx->dedup + (((key * 0x9e3779b97f4a7c15ull) >> 32 &
					 rx->dedup_mask) & ~(uint64_t)3);

	if (bucket[0] == key || bucket[1] == key || bucket[2] == key ||
	    bucket[3] == key)
		return 1;
	bucket[3] = bucket[2];
	bucket[2] = bucket[1];
	bucket[1] = bucket[0];
	bucket[0] = key;
	return 0;
}

void
rx_report(struct rx_lcore *rx, struct scan_result_batch *batch, uint32_t ip,
	  uint16_t port, uint8_t status, uint8_t ttl, uint8_t code)
{
	const struct scan_context *scan = rx->scan;
	struct scan_result *r;

	if (rx_seen_before(rx, ip, port, status)) {
		COUNTER_ADD(rx->duplicates, 1);
		return;
	}
	r = &batch->r[batch->count++];
	*r = (struct scan_result){
		.ts = scan_wall_now(scan),
		.ip = ip,
		.port = port,
		.proto = PROTO_TCP,
		.status = status,
		.ttl = ttl,
		.icmp_code = code,
	};
	if (status == RESULT_OPEN)
		COUNTER_ADD(rx->open, 1);
	else if (status == RESULT_CLOSED)
		COUNTER_ADD(rx->closed, 1);
	else
		COUNTER_ADD(rx->unreachable, 1);
}

static void
flush_results(struct rx_lcore *rx, struct scan_result_batch *batch)
{
	unsigned n;

	if (batch->count == 0)
		return;
	n = rte_ring_sp_enqueue_burst_elem(rx->results, batch->r,
					   sizeof(batch->r[0]), batch->count,
					   NULL);
	if (unlikely(n < batch->count))
		COUNTER_ADD(rx->dropped, batch->count - n);
	batch->count = 0;
}

/* A reply frame is built straight into an mbuf of the port's pool ... */
struct rte_mbuf *
rx_reply_alloc(struct rx_lcore *rx)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(rx->scan->pool);

	if (unlikely(m == NULL))
		COUNTER_ADD(rx->replies_dropped, 1);
	return m;
}

/* ... and handed, len bytes long, to the paired TX lcore, which owns the TX
 * queue. A length of 0 (nothing could be built) drops it. */
void
rx_reply_send(struct rx_lcore *rx, struct rte_mbuf *m, size_t len)
{
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	if (unlikely(len == 0 || rte_ring_sp_enqueue(rx->replies, m) != 0)) {
		rte_pktmbuf_free(m);
		COUNTER_ADD(rx->replies_dropped, 1);
	}
}

void
rx_reset_to(struct rx_lcore *rx, const uint8_t mac[6], uint32_t our_ip,
	    uint32_t their_ip, uint16_t our_port, uint16_t their_port,
	    uint32_t seq)
{
	struct rte_mbuf *m = rx_reply_alloc(rx);

	if (m)
		rx_reply_send(rx, m,
			      tcp_segment_build(rte_pktmbuf_mtod(m, uint8_t *),
						rx->scan->our_mac, mac, our_ip,
						their_ip, our_port, their_port,
						seq, 0, TCP_FLAG_RST, 0, NULL,
						0));
}

void
rx_reset(struct rx_lcore *rx, const struct parsed_frame *pf)
{
	rx_reset_to(rx, pf->src_mac, pf->ip_dst, pf->ip_src, pf->dport,
		    pf->sport, pf->ack);
}

static void
handle_arp(struct rx_lcore *rx, const struct parsed_frame *pf)
{
	const struct scan_context *scan = rx->scan;
	const struct config *cfg = scan->cfg;
	struct arp_identity us = {
		.ip_first = scan->source.ip_first,
		.ip_last = scan->source.ip_first + scan->source.ip_count - 1,
	};
	struct rte_mbuf *m;
	uint8_t mac[6];

	memcpy(us.mac, scan->our_mac, 6);
	if (arp_wants_answer(&us, pf) && (m = rx_reply_alloc(rx)) != NULL) {
		rx_reply_send(rx, m,
			      arp_reply_build(rte_pktmbuf_mtod(m, uint8_t *),
					      us.mac, pf->arp_tpa, pf));
		COUNTER_ADD(rx->arp_answered, 1);
	}
	if (cfg->have_gateway && rx->gateway_mac == 0 &&
	    arp_learn(pf, cfg->gateway_ip, mac)) {
		uint64_t packed = 0;

		memcpy(&packed, mac, 6);
		__atomic_store_n(&rx->gateway_mac, packed, __ATOMIC_RELEASE);
	}
}

/* A TCP segment: only an answer whose ack is our cookie + 1 counts. */
static void
handle_tcp(struct rx_lcore *rx, struct scan_result_batch *batch,
	   const struct parsed_frame *pf)
{
	const struct scan_context *scan = rx->scan;
	int step = scan_source_step(scan, pf->ip_src, pf->sport, pf->ip_dst,
				    pf->dport);
	uint32_t cookie;

	if (step < 0)
		return; /* not addressed to a probe of ours */
	if (scan->banners) {
		banner_handle_tcp(rx, pf, (unsigned)step);
		return;
	}
	cookie = cookie_syn(&scan->key, pf->ip_src, pf->sport, pf->ip_dst,
			    pf->dport);
	if (!(pf->tcp_flags & TCP_FLAG_ACK) || pf->ack - 1 != cookie) {
		COUNTER_ADD(rx->bad_cookie, 1);
		return;
	}
	if ((pf->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_RST)) == TCP_FLAG_SYN) {
		rx_report(rx, batch, pf->ip_src, pf->sport, RESULT_OPEN,
			  pf->ttl, 0);
		rx_reset(rx, pf);
	} else if (pf->tcp_flags & TCP_FLAG_RST) {
		rx_report(rx, batch, pf->ip_src, pf->sport, RESULT_CLOSED,
		       pf->ttl, 0);
	}
}

/* ICMP destination unreachable quoting one of our probes. */
static void
handle_icmp(struct rx_lcore *rx, struct scan_result_batch *batch,
	    const struct parsed_frame *pf)
{
	const struct scan_context *scan = rx->scan;

	/* (not for a follow-up: its port was found open already) */
	if (scan_source_step(scan, pf->quoted_dst, pf->quoted_dport,
			     pf->quoted_src, pf->quoted_sport) != 0)
		return;
	if (pf->quoted_seq != cookie_syn(&scan->key, pf->quoted_dst,
					 pf->quoted_dport, pf->quoted_src,
					 pf->quoted_sport)) {
		COUNTER_ADD(rx->bad_cookie, 1);
		return;
	}
	rx_report(rx, batch, pf->quoted_dst, pf->quoted_dport,
		  RESULT_UNREACHABLE,
	       pf->ttl, pf->icmp_code);
}

/* The loop: receive a burst, parse each frame and act on it. With banners,
 * TCP segments for the stack are queued instead and go in one burst later,
 * a burst behind: the stack prefetches the new burst's table lines and
 * then handles the one before, whose frames (m[cur ^ 1], held) are freed
 * only then. A poll that brings nothing hands the held burst over at
 * once. */
int
rx_lcore_main(void *arg)
{
	struct rx_lcore *rx = arg;
	const struct scan_context *scan = rx->scan;
	struct rte_mbuf *m[2][BURST_SIZE];
	struct scan_result_batch batch = {.count = 0};
	struct parsed_frame pf;
	unsigned cur = 0, held = 0;

	while (scan->phase != PHASE_STOP) {
		struct rte_mbuf **f = m[cur];
		unsigned n = rte_eth_rx_burst(scan->port_id, rx->queue, f,
					      BURST_SIZE);

		if (rx->tcp)
			banner_tick(rx);
		if (n == 0) {
			if (held) {
				banner_burst_flush(rx, &batch);
				rte_pktmbuf_free_bulk(m[cur ^ 1], held);
				held = 0;
				flush_results(rx, &batch);
			}
			continue;
		}
		COUNTER_ADD(rx->received, n);
		/* Start loading every frame's headers before the first is
		 * parsed: their misses overlap. */
		for (unsigned i = 0; i < n; i++)
			rte_prefetch0(rte_pktmbuf_mtod(f[i], void *));
		for (unsigned i = 0; i < n; i++) {
			switch (frame_parse(rte_pktmbuf_mtod(f[i], uint8_t *),
					    rte_pktmbuf_data_len(f[i]), &pf)) {
			case PARSED_TCP:
				handle_tcp(rx, &batch, &pf);
				break;
			case PARSED_ICMP_UNREACH:
				handle_icmp(rx, &batch, &pf);
				break;
			case PARSED_ARP:
				handle_arp(rx, &pf);
				break;
			case PARSED_MALFORMED:
				COUNTER_ADD(rx->malformed, 1);
				break;
			case PARSED_OTHER:
				break;
			}
		}
		flush_results(rx, &batch);
		if (rx->tcp) {
			banner_burst_advance(rx, &batch);
			if (held)
				rte_pktmbuf_free_bulk(m[cur ^ 1], held);
			held = n;
			cur ^= 1;
			flush_results(rx, &batch);
		} else {
			rte_pktmbuf_free_bulk(f, n);
		}
	}
	if (held)
		rte_pktmbuf_free_bulk(m[cur ^ 1], held);
	return 0;
}
