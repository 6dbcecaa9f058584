/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vduse port driver. The driver's TX queue is the port's receive side,
 * its RX queue the port's transmit side. Queues are published to the worker
 * with a release store and retired through RCU: the control thread clears
 * the pointer, waits until every worker has passed a quiescent state, and
 * only then frees the queue and lets lib/vduse answer the kernel. Readers on
 * the control path (stats, from the main thread) are not RCU readers: a
 * mutex keeps a queue from being freed while one of them is inside it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>
#include <rte_malloc.h>

#include "port_vduse.h"
#include "vdu_vq.h"

RTE_LOG_REGISTER(port_vduse_logtype, netsw.port.vduse, INFO);
#define VDUSE_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, port_vduse_logtype, fmt "\n", ##__VA_ARGS__)

struct port_vduse {
	struct port port; /* first: the port interface */
	struct vdu_dev *dev;
	struct rte_rcu_qsbr *qsbr;
	int socket_id;
	bool link_up;
	pthread_mutex_t lock;			 /* queue retirement vs. control-path readers */
	struct vq *vqs[VDU_NET_QUEUES];		 /* NULL while a queue is stopped */
	struct vq_stats retired[VDU_NET_QUEUES]; /* counters of queues already freed */
	uint64_t dropped_not_ready;		 /* frames sent while the driver had no RX queue */
	uint16_t mtu;				 /* offered; 0: none */
	uint8_t mac[RTE_ETHER_ADDR_LEN];	 /* offered */
	uint64_t rx_offloads;			 /* RTE_ETH_RX_OFFLOAD_* its frames may carry */
};

static inline struct port_vduse *to_vduse(struct port *port)
{
	return (struct port_vduse *)port;
}

static void add_stats(struct vq_stats *sum, const struct vq_stats *s)
{
	sum->packets += s->packets;
	sum->bytes += s->bytes;
	sum->bad_chains += s->bad_chains;
	sum->bad_headers += s->bad_headers;
	sum->no_mbufs += s->no_mbufs;
	sum->too_big += s->too_big;
	sum->no_offload += s->no_offload;
	sum->interrupts += s->interrupts;
	sum->interrupts_suppressed += s->interrupts_suppressed;
	sum->gso_segments += s->gso_segments;
	sum->gso_dropped += s->gso_dropped;
}

static int queue_start(struct vdu_dev *dev, const struct vdu_queue *q, void *arg)
{
	struct port_vduse *p = arg;
	struct vq_config cfg = vdu_queue_vq_config(q);
	struct vq *vq;
	int err;

	(void)dev;
	vq = vq_create(&cfg, p->socket_id, &err);
	if (vq == NULL) {
		VDUSE_LOG(ERR, "%s: queue %u: cannot serve the ring: %s", p->port.name, q->index,
			  strerror(-err));
		return err;
	}
	/* Poll mode: the driver need not kick. */
	vq_disable_kicks(vq);
	__atomic_store_n(&p->vqs[q->index], vq, __ATOMIC_RELEASE);
	return 0;
}

static uint16_t queue_stop(struct vdu_dev *dev, uint16_t qid, void *arg)
{
	struct port_vduse *p = arg;
	struct vq *vq = p->vqs[qid];
	struct vq_stats s;
	uint16_t last_avail;

	(void)dev;
	if (vq == NULL)
		return 0;
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->vqs[qid], NULL, __ATOMIC_RELEASE);
	if (p->qsbr != NULL)
		rte_rcu_qsbr_synchronize(p->qsbr, RTE_QSBR_THRID_INVALID);
	last_avail = vq_last_avail_idx(vq);
	vq_get_stats(vq, &s);
	add_stats(&p->retired[qid], &s);
	vq_free(vq);
	pthread_mutex_unlock(&p->lock);
	return last_avail;
}

/* One queue pair: the app polls queue 0 only (port_info says so). */
static uint16_t vduse_rx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
			       uint16_t count)
{
	struct port_vduse *p = to_vduse(port);
	struct vq *vq = __atomic_load_n(&p->vqs[VDU_NET_TXQ], __ATOMIC_ACQUIRE);
	uint16_t n;

	(void)queue;
	if (unlikely(vq == NULL))
		return 0;
	n = vq_dequeue_burst(vq, port->pool, pkts, count);
	/* The driver frees its transmitted buffers when told they are used. */
	if (vq_need_interrupt(vq))
		vdu_queue_notify(p->dev, VDU_NET_TXQ);
	return n;
}

static uint16_t vduse_tx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
			       uint16_t count)
{
	struct port_vduse *p = to_vduse(port);
	struct vq *vq = __atomic_load_n(&p->vqs[VDU_NET_RXQ], __ATOMIC_ACQUIRE);
	uint16_t n;

	(void)queue;
	if (unlikely(vq == NULL)) {
		/* Nobody to receive: the frames are dropped, as on a down link. */
		rte_pktmbuf_free_bulk(pkts, count);
		__atomic_store_n(&p->dropped_not_ready, p->dropped_not_ready + count,
				 __ATOMIC_RELAXED);
		return count;
	}
	n = vq_enqueue_burst(vq, pkts, count);
	rte_pktmbuf_free_bulk(pkts, n);
	if (vq_need_interrupt(vq))
		vdu_queue_notify(p->dev, VDU_NET_RXQ);
	return n;
}

static int vduse_link_get(struct port *port, struct port_link *link)
{
	struct port_vduse *p = to_vduse(port);

	link->up = p->link_up && (vdu_status(p->dev) & VIRTIO_CONFIG_S_DRIVER_OK);
	link->speed_mbps = 0;
	return 0;
}

static int vduse_link_set(struct port *port, bool up)
{
	struct port_vduse *p = to_vduse(port);
	int ret = vdu_set_link(p->dev, up);

	if (ret == 0)
		p->link_up = up;
	return ret;
}

/* Counters of both queues, those of queues already freed included. */
static void queue_stats(struct port_vduse *p, struct vq_stats q[VDU_NET_QUEUES])
{
	int i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < VDU_NET_QUEUES; i++) {
		struct vq *vq = __atomic_load_n(&p->vqs[i], __ATOMIC_ACQUIRE);

		q[i] = p->retired[i];
		if (vq != NULL) {
			struct vq_stats live;

			vq_get_stats(vq, &live);
			add_stats(&q[i], &live);
		}
	}
	pthread_mutex_unlock(&p->lock);
}

static void vduse_stats_get(struct port *port, struct port_stats *stats)
{
	struct port_vduse *p = to_vduse(port);
	struct vq_stats q[VDU_NET_QUEUES];
	const struct vq_stats *rx = &q[VDU_NET_TXQ], *tx = &q[VDU_NET_RXQ];

	queue_stats(p, q);
	*stats = (struct port_stats){
		.rx_packets = rx->packets,
		.rx_bytes = rx->bytes,
		.rx_errors = rx->bad_chains + rx->bad_headers + rx->too_big,
		.rx_nombuf = rx->no_mbufs,
		.tx_packets = tx->packets,
		.tx_bytes = tx->bytes,
		.tx_dropped = tx->too_big + tx->no_offload + tx->bad_chains + tx->gso_dropped +
			      __atomic_load_n(&p->dropped_not_ready, __ATOMIC_RELAXED),
	};
}

/* Drops by reason, in the driver's words, and the offload work done. */
static int vduse_xstats_get(struct port *port, struct port_xstat *xstats, unsigned int n)
{
	struct port_vduse *p = to_vduse(port);
	struct vq_stats q[VDU_NET_QUEUES];
	const struct vq_stats *rx = &q[VDU_NET_TXQ], *tx = &q[VDU_NET_RXQ];
	unsigned int i;

	queue_stats(p, q);
	const struct port_xstat all[] = {
		{"rx_bad_chains", rx->bad_chains},
		{"rx_bad_headers", rx->bad_headers},
		{"rx_too_big", rx->too_big},
		{"rx_no_mbufs", rx->no_mbufs},
		{"rx_interrupts", rx->interrupts},
		{"rx_interrupts_suppressed", rx->interrupts_suppressed},
		{"tx_bad_chains", tx->bad_chains},
		{"tx_too_big", tx->too_big},
		{"tx_offload_missing", tx->no_offload},
		{"tx_gso_dropped", tx->gso_dropped},
		{"tx_gso_segments", tx->gso_segments},
		{"tx_not_ready", __atomic_load_n(&p->dropped_not_ready, __ATOMIC_RELAXED)},
		{"tx_interrupts", tx->interrupts},
		{"tx_interrupts_suppressed", tx->interrupts_suppressed},
	};

	for (i = 0; xstats != NULL && i < n && i < RTE_DIM(all); i++)
		xstats[i] = all[i];
	return (int)RTE_DIM(all);
}

static void vduse_info_get(struct port *port, struct port_info *info)
{
	struct port_vduse *p = to_vduse(port);

	*info = (struct port_info){
		.driver = "vduse",
		.socket_id = p->socket_id,
		.nb_rx_queues = 1,
		.nb_tx_queues = 1,
		/* Without VIRTIO_NET_F_MTU the driver's netdev starts at Ethernet's 1500. */
		.mtu = p->mtu != 0 ? p->mtu : RTE_ETHER_MTU,
		.max_mtu = p->mtu != 0 ? p->mtu : RTE_ETHER_MTU,
		.rx_offloads = p->rx_offloads,
		/* What the driver cannot take is segmented or summed in software. */
		.tx_offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | PORT_VDUSE_OFFLOADS,
	};
	memcpy(info->mac.addr_bytes, p->mac, RTE_ETHER_ADDR_LEN);
}

static void vduse_close(struct port *port)
{
	struct port_vduse *p = to_vduse(port);

	/* Detaching resets the device, which stops the queues first. */
	vdu_destroy(p->dev);
	pthread_mutex_destroy(&p->lock);
	rte_free(p);
}

static const struct port_ops vduse_ops = {
	.rx_burst = vduse_rx_burst,
	.tx_burst = vduse_tx_burst,
	.info_get = vduse_info_get,
	.link_get = vduse_link_get,
	.link_set = vduse_link_set,
	.stats_get = vduse_stats_get,
	.xstats_get = vduse_xstats_get,
	.close = vduse_close,
};

/*
 * The virtio features behind the offloads asked for: the port offers each
 * both ways, so that a guest that sends TSO frames also takes them (virtio
 * spec 5.1.3 "Feature bits"; GUEST_* is the guest's receive side).
 */
static int offload_features(const struct port_vduse_params *params, uint64_t *features,
			    uint64_t *rx_offloads)
{
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	uint64_t off = params->offloads;

	if ((off & ~PORT_VDUSE_OFFLOADS) != 0 || ((off & csum) != 0 && (off & csum) != csum) ||
	    ((off & (RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO)) &&
	     (off & csum) != csum)) {
		VDUSE_LOG(ERR,
			  "vduse port %s: offloads %#" PRIx64 " cannot be offered: TCP and UDP "
			  "checksums go together, segmentation needs them, nothing else exists",
			  params->name, off);
		return -EINVAL;
	}
	*features = VDU_NET_OPTIONAL_FEATURES;
	*rx_offloads = 0;
	if (!params->packed_ring)
		*features &= ~(1ULL << VIRTIO_F_RING_PACKED);
	if (!(off & csum))
		*features &= ~((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM));
	else
		*rx_offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	if (!(off & RTE_ETH_TX_OFFLOAD_TCP_TSO))
		*features &=
			~((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |
			  (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6));
	else
		*rx_offloads |= RTE_ETH_RX_OFFLOAD_TCP_LRO;
	if (!(off & RTE_ETH_TX_OFFLOAD_UDP_TSO))
		*features &= ~((1ULL << VIRTIO_NET_F_HOST_USO) | (1ULL << VIRTIO_NET_F_GUEST_USO4) |
			       (1ULL << VIRTIO_NET_F_GUEST_USO6));
	return 0;
}

struct port *port_vduse_open(const struct port_vduse_params *params, struct rte_mempool *pool,
			     int *err)
{
	static const struct vdu_ops ops = {
		.queue_start = queue_start,
		.queue_stop = queue_stop,
	};
	struct vdu_net_params net = {
		.name = params->name,
		.mtu = params->mtu,
		.queue_size = params->queue_size,
		.link_up = true,
		.hugepages = params->hugepages,
		.numa_node = params->socket_id == SOCKET_ID_ANY ? -1 : params->socket_id,
		.state_dir = params->state_dir,
		.fresh = params->fresh,
	};
	struct port_vduse *p;
	uint64_t rx_offloads;

	if (strlen(params->name) >= PORT_NAME_MAX) {
		VDUSE_LOG(ERR, "vduse port name '%s' is longer than %d characters", params->name,
			  PORT_NAME_MAX - 1);
		*err = -EINVAL;
		return NULL;
	}
	*err = offload_features(params, &net.features, &rx_offloads);
	if (*err != 0)
		return NULL;
	p = rte_zmalloc_socket("port_vduse", sizeof(*p), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (p == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	p->port.ops = &vduse_ops;
	p->port.pool = pool;
	snprintf(p->port.name, sizeof(p->port.name), "%s", params->name);
	p->qsbr = params->qsbr;
	p->socket_id = params->socket_id;
	p->link_up = true;
	p->mtu = params->mtu;
	memcpy(p->mac, params->mac, sizeof(p->mac));
	p->rx_offloads = rx_offloads;
	pthread_mutex_init(&p->lock, NULL);
	memcpy(net.mac, params->mac, sizeof(net.mac));

	*err = vdu_net_create(&net, &ops, p, &p->dev);
	if (*err == 0) {
		*err = vdu_attach(p->dev, params->driver);
		if (*err != 0)
			vdu_destroy(p->dev);
	}
	if (*err != 0) {
		pthread_mutex_destroy(&p->lock);
		rte_free(p);
		return NULL;
	}
	return &p->port;
}

int port_vduse_netdev(struct port *port, char *buf, size_t len)
{
	return vdu_netdev_name(to_vduse(port)->dev, buf, len);
}

bool port_vduse_taken_back(struct port *port)
{
	return vdu_taken_back(to_vduse(port)->dev);
}

bool port_vduse_exists(const char *name)
{
	return vdu_net_exists(name);
}

int port_vduse_remove_leftover(const char *name, const char *state_dir)
{
	return vdu_net_remove(name, state_dir);
}
