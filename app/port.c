/* port: bring one ethdev port up for a scan — any PMD, physical or virtual.
 * Offloads the port has are used (IPv4/TCP checksum, fast free); software
 * checksums otherwise; decided here once, never per packet. */
#include <numa.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "port.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define MBUF_CACHE 256
#define LINK_WAIT_MS 9000

int
port_socket(uint16_t port_id)
{
	int socket = rte_eth_dev_socket_id(port_id);

	/* Virtual devices have no socket; keep their memory where we run.
	 * libnuma tells whether the socket the PMD reports really exists. */
	if (socket < 0 || (numa_available() >= 0 &&
			   socket > numa_max_node()))
		socket = (int)rte_socket_id();
	return socket;
}

static void
wait_for_link(uint16_t port_id)
{
	struct rte_eth_link link;

	for (int ms = 0; ms < LINK_WAIT_MS; ms += 100) {
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return;
		rte_delay_ms(100);
	}
	rte_exit(EXIT_FAILURE, "port %u: link is down after %d s\n", port_id,
		 LINK_WAIT_MS / 1000);
}

void
port_start(struct scan_context *scan, unsigned queues)
{
	const struct config *cfg = scan->cfg;
	uint16_t port = scan->port_id;
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	struct rte_ether_addr mac;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint64_t want_csum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			     RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	int socket, ret;

	if (rte_eth_dev_count_avail() == 0)
		rte_exit(EXIT_FAILURE,
			 "no DPDK port: bind a NIC to DPDK or give a virtual "
			 "device, e.g. --dpdk \"--vdev=net_af_packet0,iface=eth1\"\n");
	if (!rte_eth_dev_is_valid_port(port))
		rte_exit(EXIT_FAILURE, "port %u does not exist (%u ports)\n",
			 port, rte_eth_dev_count_avail());
	ret = rte_eth_dev_info_get(port, &info);
	if (ret)
		rte_exit(EXIT_FAILURE, "port %u: cannot read device info: %s\n",
			 port, rte_strerror(-ret));
	if (queues > info.max_rx_queues || queues > info.max_tx_queues)
		rte_exit(EXIT_FAILURE,
			 "port %u (%s) has %u RX / %u TX queues, %u wanted\n",
			 port, info.driver_name, info.max_rx_queues,
			 info.max_tx_queues, queues);

	if ((info.tx_offload_capa & want_csum) == want_csum) {
		conf.txmode.offloads |= want_csum;
		scan->tx_csum_offload = 1;
	}
	/* One pool, single-segment mbufs with refcnt 1: fast free is safe. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	if (queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP) &
			info.flow_type_rss_offloads;
	}

	socket = port_socket(port);
	snprintf(name, sizeof(name), "mbufs_p%u", port);
	scan->pool = rte_pktmbuf_pool_create(name, cfg->mempool_size,
					     MBUF_CACHE, 0,
					     RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (scan->pool == NULL)
		rte_exit(EXIT_FAILURE,
			 "cannot create %u mbufs on socket %d: %s (are "
			 "hugepages reserved? try scripts/hugepages.sh or EAL "
			 "--no-huge)\n",
			 cfg->mempool_size, socket, rte_strerror(rte_errno));

	ret = rte_eth_dev_configure(port, queues, queues, &conf);
	if (ret)
		rte_exit(EXIT_FAILURE, "port %u: configure failed: %s\n", port,
			 rte_strerror(-ret));
	for (unsigned q = 0; q < queues; q++) {
		struct rte_eth_txconf txconf = info.default_txconf;

		txconf.offloads = conf.txmode.offloads;
		ret = rte_eth_rx_queue_setup(port, q, RX_DESC, socket, NULL,
					     scan->pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, TX_DESC, socket,
						     &txconf);
		if (ret)
			rte_exit(EXIT_FAILURE, "port %u: queue %u setup: %s\n",
				 port, q, rte_strerror(-ret));
	}
	ret = rte_eth_dev_start(port);
	if (ret)
		rte_exit(EXIT_FAILURE, "port %u: start failed: %s\n", port,
			 rte_strerror(-ret));

	rte_eth_macaddr_get(port, &mac);
	if (cfg->have_source_mac) {
		memcpy(scan->our_mac, cfg->source_mac, 6);
		/* Frames to a MAC that is not the port's own need promiscuous
		 * mode to reach us. */
		if (memcmp(scan->our_mac, mac.addr_bytes, 6))
			rte_eth_promiscuous_enable(port);
	} else {
		memcpy(scan->our_mac, mac.addr_bytes, 6);
	}
	wait_for_link(port);
}

void
port_stop(struct scan_context *scan)
{
	rte_eth_dev_stop(scan->port_id);
	rte_eth_dev_close(scan->port_id);
}
