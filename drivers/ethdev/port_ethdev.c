/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ethdev port driver: a thin layer over rte_ethdev that enables what the
 * PMD can offload and finishes in software what it cannot, so that every
 * port of the switch honours the same RTE_MBUF_F_TX_* requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "offload.h"
#include "port_ethdev.h"

RTE_LOG_REGISTER(port_ethdev_logtype, netsw.port.ethdev, INFO);
#define ETHDEV_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, port_ethdev_logtype, fmt "\n", ##__VA_ARGS__)

/* Offloads the switch uses when the PMD has them. */
#define WANTED_TX_OFFLOADS                                               \
	(RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | \
	 RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM |   \
	 RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO)
#define WANTED_RX_OFFLOADS                                              \
	(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM | \
	 RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
/* Software segmentation cuts a 64 KiB frame at the smallest gso_size (48). */
#define MAX_SEGS 1400
/* Tries to hand a frame's segments to a full transmit queue before dropping the rest. */
#define SEG_TX_RETRIES 8

/* Per transmit queue counters: one lcore writes them, the control thread reads. */
struct txq_stats {
	uint64_t offload_missing; /* frames that could not be finished in software */
	uint64_t gso_segments;	  /* segments cut in software */
	uint64_t csum_sw;	  /* checksums finished in software */
	uint64_t seg_dropped;	  /* segments the full queue did not take */
} __rte_cache_aligned;

struct port_ethdev {
	struct port port; /* first: the port interface */
	uint16_t port_id;
	uint16_t nb_rxq, nb_txq;
	uint16_t mtu, max_mtu;
	int socket_id;
	bool started;
	uint64_t rx_offloads, tx_offloads;
	uint64_t sw_flags; /* RTE_MBUF_F_TX_* the PMD cannot honour: finished here */
	bool hw_offloads;  /* the PMD does some: rte_eth_tx_prepare() first */
	const char *driver;
	struct rte_ether_addr mac;
	struct rte_mbuf **segs; /* per queue, MAX_SEGS each: software segments */
	struct txq_stats txq[PORT_MAX_QUEUES];
};

static inline struct port_ethdev *to_ethdev(struct port *port)
{
	return (struct port_ethdev *)port;
}

static uint16_t ethdev_rx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
				uint16_t count)
{
	return rte_eth_rx_burst(to_ethdev(port)->port_id, queue, pkts, count);
}

/*
 * rte_eth_tx_burst(), after rte_eth_tx_prepare() where the PMD does offloads:
 * it sets the headers up as the NIC wants them (e.g. a TSO pseudo-header sum
 * without the length). A frame prepare refuses ends the burst there; the
 * caller retries it and, in the end, drops it as if the queue were full.
 */
static inline uint16_t hw_send(struct port_ethdev *p, uint16_t queue, struct rte_mbuf **pkts,
			       uint16_t n)
{
	if (p->hw_offloads)
		n = rte_eth_tx_prepare(p->port_id, queue, pkts, n);
	return rte_eth_tx_burst(p->port_id, queue, pkts, n);
}

/* Hand @n segments to the PMD, retrying a full queue a little, dropping the rest. */
static void tx_segments(struct port_ethdev *p, uint16_t queue, struct rte_mbuf **segs, uint16_t n)
{
	uint16_t sent = 0, tries = 0;

	while (sent < n && tries++ <= SEG_TX_RETRIES)
		sent += hw_send(p, queue, segs + sent, n - sent);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(segs + sent, n - sent);
		p->txq[queue].seg_dropped += n - sent;
	}
}

/* Cut a TSO or USO frame the PMD cannot take into segments and send them; @p m is freed. */
static void segment_and_send(struct port_ethdev *p, uint16_t queue, struct rte_mbuf *m)
{
	struct txq_stats *st = &p->txq[queue];
	struct rte_mbuf **segs = p->segs + (size_t)queue * MAX_SEGS;
	int n = offload_segment(m, p->port.pool, p->tx_offloads, segs, MAX_SEGS);

	rte_pktmbuf_free(m); /* only read: the segments carry it now */
	if (unlikely(n < 0)) {
		st->offload_missing++;
		return;
	}
	st->gso_segments += (uint64_t)n;
	tx_segments(p, queue, segs, (uint16_t)n);
}

/*
 * The common case is one rte_eth_tx_burst(). A frame asking for a checksum
 * the PMD cannot do is finished in place and stays in the burst. One asking
 * for segmentation (or whose checksum cannot be finished) ends the burst:
 * the frames before it go first, so that the order on the wire is kept,
 * then it is cut and sent (or dropped and counted) and the walk goes on.
 */
static uint16_t ethdev_tx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
				uint16_t count)
{
	struct port_ethdev *p = to_ethdev(port);
	uint16_t i, done = 0, sent, n;

	for (i = 0; i < count; i++) {
		struct rte_mbuf *m = pkts[i];
		bool segment;

		if (likely(!(m->ol_flags & p->sw_flags)))
			continue;
		segment =
			m->ol_flags & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG) & p->sw_flags;
		if (!segment && offload_finish_csum(m) == 0) {
			p->txq[queue].csum_sw++;
			continue;
		}
		n = i - done;
		sent = n ? hw_send(p, queue, pkts + done, n) : 0;
		if (sent < n)
			return done + sent; /* @m is still the caller's */
		done = i + 1;
		if (segment) {
			segment_and_send(p, queue, m);
		} else {
			rte_pktmbuf_free(m);
			p->txq[queue].offload_missing++;
		}
	}
	n = count - done;
	sent = n ? hw_send(p, queue, pkts + done, n) : 0;
	return done + sent;
}

static void ethdev_info_get(struct port *port, struct port_info *info)
{
	struct port_ethdev *p = to_ethdev(port);

	*info = (struct port_info){
		.driver = p->driver,
		.socket_id = p->socket_id,
		.nb_rx_queues = p->nb_rxq,
		.nb_tx_queues = p->nb_txq,
		.mtu = p->mtu,
		.max_mtu = p->max_mtu,
		.rx_offloads = p->rx_offloads,
		/* Software finishes what the PMD lacks. */
		.tx_offloads = p->tx_offloads | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
			       RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_TSO |
			       RTE_ETH_TX_OFFLOAD_UDP_TSO,
		.mac = p->mac,
	};
}

static int ethdev_start(struct port *port)
{
	struct port_ethdev *p = to_ethdev(port);
	int ret;

	if (p->started)
		return 0;
	ret = rte_eth_dev_start(p->port_id);
	if (ret < 0) {
		ETHDEV_LOG(ERR, "port %s: rte_eth_dev_start failed: %s", port->name,
			   strerror(-ret));
		return ret;
	}
	p->started = true;
	return 0;
}

static void ethdev_stop(struct port *port)
{
	struct port_ethdev *p = to_ethdev(port);

	if (p->started && rte_eth_dev_stop(p->port_id) == 0)
		p->started = false;
}

static int ethdev_link_get(struct port *port, struct port_link *link)
{
	struct rte_eth_link l;
	int ret = rte_eth_link_get_nowait(to_ethdev(port)->port_id, &l);

	if (ret < 0)
		return ret;
	link->up = l.link_status == RTE_ETH_LINK_UP;
	link->speed_mbps = l.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : l.link_speed;
	return 0;
}

static int ethdev_link_set(struct port *port, bool up)
{
	uint16_t id = to_ethdev(port)->port_id;

	return up ? rte_eth_dev_set_link_up(id) : rte_eth_dev_set_link_down(id);
}

static void ethdev_stats_get(struct port *port, struct port_stats *stats)
{
	struct port_ethdev *p = to_ethdev(port);
	struct rte_eth_stats s;
	uint64_t dropped = 0;
	unsigned int q;

	if (rte_eth_stats_get(p->port_id, &s) != 0)
		memset(&s, 0, sizeof(s));
	for (q = 0; q < p->nb_txq; q++)
		dropped += p->txq[q].offload_missing + p->txq[q].seg_dropped;
	*stats = (struct port_stats){
		.rx_packets = s.ipackets,
		.rx_bytes = s.ibytes,
		.rx_missed = s.imissed,
		.rx_errors = s.ierrors,
		.rx_nombuf = s.rx_nombuf,
		.tx_packets = s.opackets,
		.tx_bytes = s.obytes,
		.tx_dropped = s.oerrors + dropped,
	};
}

static int ethdev_promisc_set(struct port *port, bool on)
{
	uint16_t id = to_ethdev(port)->port_id;

	return on ? rte_eth_promiscuous_enable(id) : rte_eth_promiscuous_disable(id);
}

/* The driver's own counters, then the PMD's xstats as it names them. */
static int ethdev_xstats_get(struct port *port, struct port_xstat *xstats, unsigned int n)
{
	struct port_ethdev *p = to_ethdev(port);
	struct txq_stats sum = {0};
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *values = NULL;
	unsigned int q, i, own;
	int nb, ret;

	for (q = 0; q < p->nb_txq; q++) {
		sum.offload_missing += p->txq[q].offload_missing;
		sum.gso_segments += p->txq[q].gso_segments;
		sum.csum_sw += p->txq[q].csum_sw;
		sum.seg_dropped += p->txq[q].seg_dropped;
	}
	const struct port_xstat mine[] = {
		{"tx_offload_missing", sum.offload_missing},
		{"tx_gso_segments", sum.gso_segments},
		{"tx_csum_software", sum.csum_sw},
		{"tx_gso_ring_full", sum.seg_dropped},
	};
	own = RTE_DIM(mine);
	for (i = 0; xstats != NULL && i < n && i < own; i++)
		xstats[i] = mine[i];
	nb = rte_eth_xstats_get_names(p->port_id, NULL, 0);
	if (nb <= 0)
		return (int)own;
	if (xstats == NULL || n <= own)
		return (int)own + nb;
	names = calloc((size_t)nb, sizeof(*names));
	values = calloc((size_t)nb, sizeof(*values));
	ret = -ENOMEM;
	if (names == NULL || values == NULL)
		goto out;
	if (rte_eth_xstats_get_names(p->port_id, names, nb) != nb ||
	    rte_eth_xstats_get(p->port_id, values, nb) != nb) {
		ret = (int)own; /* the PMD changed its set meanwhile: ours only */
		goto out;
	}
	for (i = 0; i < (unsigned int)nb && own + i < n; i++) {
		snprintf(xstats[own + i].name, sizeof(xstats[own + i].name), "%s",
			 names[values[i].id].name);
		xstats[own + i].value = values[i].value;
	}
	ret = (int)own + nb;
out:
	free(names);
	free(values);
	return ret;
}

static void ethdev_close(struct port *port)
{
	struct port_ethdev *p = to_ethdev(port);

	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;
	uint16_t other, users = 0;
	int ret;

	if (rte_eth_dev_info_get(p->port_id, &info) == 0)
		dev = info.device;
	ethdev_stop(port);
	rte_eth_dev_close(p->port_id);
	/*
	 * Detach the device once none of its ports is left (as OVS does on
	 * del-port), so that "port add" can probe the same devargs again.
	 */
	if (dev != NULL) {
		RTE_ETH_FOREACH_DEV_OF(other, dev)
		users++;
		ret = users == 0 ? rte_dev_remove(dev) : 0;
		if (ret < 0)
			ETHDEV_LOG(WARNING, "port %s: cannot detach its device: %s", port->name,
				   strerror(-ret));
	}
	rte_free(p->segs);
	rte_free(p);
}

static const struct port_ops ethdev_ops = {
	.rx_burst = ethdev_rx_burst,
	.tx_burst = ethdev_tx_burst,
	.info_get = ethdev_info_get,
	.start = ethdev_start,
	.stop = ethdev_stop,
	.link_get = ethdev_link_get,
	.link_set = ethdev_link_set,
	.promisc_set = ethdev_promisc_set,
	.stats_get = ethdev_stats_get,
	.xstats_get = ethdev_xstats_get,
	.close = ethdev_close,
};

/* The mbuf flags of the offloads a port without @tx_offloads must do in software. */
static uint64_t software_flags(uint64_t tx_offloads)
{
	uint64_t flags = 0;

	if (!(tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		flags |= RTE_MBUF_F_TX_TCP_SEG;
	if (!(tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_TSO))
		flags |= RTE_MBUF_F_TX_UDP_SEG;
	if (!(tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) ||
	    !(tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM))
		flags |= RTE_MBUF_F_TX_L4_MASK;
	if (!(tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM))
		flags |= RTE_MBUF_F_TX_IP_CKSUM;
	return flags;
}

static int configure(struct port_ethdev *p, const struct port_ethdev_params *params,
		     const struct rte_eth_dev_info *info)
{
	struct rte_eth_conf conf = {0};
	uint16_t nb_rxd = params->nb_rxd ? params->nb_rxd : PORT_ETHDEV_DEFAULT_DESC;
	uint16_t nb_txd = params->nb_txd ? params->nb_txd : PORT_ETHDEV_DEFAULT_DESC;
	struct rte_eth_txconf txconf = info->default_txconf;
	struct rte_eth_rxconf rxconf = info->default_rxconf;
	uint16_t q;
	int ret;

	conf.rxmode.offloads = p->rx_offloads;
	conf.txmode.offloads = p->tx_offloads;
	if (params->mtu != 0)
		conf.rxmode.mtu = params->mtu;
	ret = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (ret < 0) {
		ETHDEV_LOG(ERR, "port %s: rte_eth_dev_configure(%u rx, %u tx queues) failed: %s",
			   p->port.name, p->nb_rxq, p->nb_txq, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nb_rxd, &nb_txd);
	if (ret < 0)
		return ret;
	rxconf.offloads = p->rx_offloads;
	txconf.offloads = p->tx_offloads;
	for (q = 0; q < p->nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, nb_rxd, (unsigned int)p->socket_id,
					     &rxconf, params->pool);
		if (ret < 0) {
			ETHDEV_LOG(ERR, "port %s: receive queue %u: %s", p->port.name, q,
				   strerror(-ret));
			return ret;
		}
	}
	for (q = 0; q < p->nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(p->port_id, q, nb_txd, (unsigned int)p->socket_id,
					     &txconf);
		if (ret < 0) {
			ETHDEV_LOG(ERR, "port %s: transmit queue %u: %s", p->port.name, q,
				   strerror(-ret));
			return ret;
		}
	}
	if (params->mtu != 0) {
		ret = rte_eth_dev_set_mtu(p->port_id, params->mtu);
		if (ret < 0) {
			ETHDEV_LOG(ERR, "port %s: MTU %u refused (%u to %u): %s", p->port.name,
				   params->mtu, info->min_mtu, info->max_mtu, strerror(-ret));
			return ret;
		}
	}
	if (params->promiscuous) {
		ret = rte_eth_promiscuous_enable(p->port_id);
		/* Some PMDs (net_null, net_ring) are always promiscuous. */
		if (ret < 0 && ret != -ENOTSUP) {
			ETHDEV_LOG(ERR, "port %s: promiscuous mode: %s", p->port.name,
				   strerror(-ret));
			return ret;
		}
	}
	return 0;
}

struct port *port_ethdev_open(const struct port_ethdev_params *params, int *err)
{
	struct rte_eth_dev_info info;
	char devname[RTE_ETH_NAME_MAX_LEN];
	const char *name = params->name;
	struct port_ethdev *p;
	int socket;

	if (!rte_eth_dev_is_valid_port(params->port_id) ||
	    rte_eth_dev_info_get(params->port_id, &info) != 0 ||
	    rte_eth_dev_get_name_by_port(params->port_id, devname) != 0) {
		ETHDEV_LOG(ERR, "ethdev port %u: no such device", params->port_id);
		*err = -ENODEV;
		return NULL;
	}
	if (name == NULL)
		name = devname;
	if (strlen(name) >= PORT_NAME_MAX || params->nb_rx_queues == 0 ||
	    params->nb_tx_queues == 0 || params->nb_rx_queues > PORT_MAX_QUEUES ||
	    params->nb_tx_queues > PORT_MAX_QUEUES || params->nb_rx_queues > info.max_rx_queues ||
	    params->nb_tx_queues > info.max_tx_queues) {
		ETHDEV_LOG(ERR,
			   "ethdev port %s: %u rx and %u tx queues asked for; it has up to %u and "
			   "%u (the switch up to %d), and a name of up to %d characters",
			   name, params->nb_rx_queues, params->nb_tx_queues, info.max_rx_queues,
			   info.max_tx_queues, PORT_MAX_QUEUES, PORT_NAME_MAX - 1);
		*err = -EINVAL;
		return NULL;
	}
	socket = rte_eth_dev_socket_id(params->port_id);
	if (socket < 0)
		socket = SOCKET_ID_ANY;
	p = rte_zmalloc_socket("port_ethdev", sizeof(*p), RTE_CACHE_LINE_SIZE, socket);
	if (p != NULL)
		p->segs = rte_calloc_socket("port_ethdev_segs",
					    (size_t)params->nb_tx_queues * MAX_SEGS,
					    sizeof(*p->segs), RTE_CACHE_LINE_SIZE, socket);
	if (p == NULL || p->segs == NULL) {
		if (p != NULL)
			rte_free(p);
		*err = -ENOMEM;
		return NULL;
	}
	p->port.ops = &ethdev_ops;
	p->port.pool = params->pool;
	snprintf(p->port.name, sizeof(p->port.name), "%s", name);
	p->port_id = params->port_id;
	p->nb_rxq = params->nb_rx_queues;
	p->nb_txq = params->nb_tx_queues;
	p->socket_id = socket;
	p->driver = info.driver_name;
	p->max_mtu = info.max_mtu;
	p->rx_offloads = info.rx_offload_capa & WANTED_RX_OFFLOADS;
	p->tx_offloads = info.tx_offload_capa & WANTED_TX_OFFLOADS;
	p->sw_flags = software_flags(p->tx_offloads);
	p->hw_offloads = (p->tx_offloads & ~RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	*err = configure(p, params, &info);
	if (*err == 0)
		*err = rte_eth_macaddr_get(p->port_id, &p->mac);
	if (*err == 0 && rte_eth_dev_get_mtu(p->port_id, &p->mtu) != 0)
		p->mtu = 0;
	if (*err != 0) {
		rte_free(p->segs);
		rte_free(p);
		return NULL;
	}
	return &p->port;
}
