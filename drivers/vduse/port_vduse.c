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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "port_vduse.h"
#include "vdu_vq.h"

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
		fprintf(stderr, "%s: queue %u: cannot serve the ring: %s\n", p->port.name, q->index,
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

static uint16_t vduse_rx_burst(struct port *port, struct rte_mbuf **pkts, uint16_t count)
{
	struct port_vduse *p = to_vduse(port);
	struct vq *vq = __atomic_load_n(&p->vqs[VDU_NET_TXQ], __ATOMIC_ACQUIRE);
	uint16_t n;

	if (unlikely(vq == NULL))
		return 0;
	n = vq_dequeue_burst(vq, port->pool, pkts, count);
	/* The driver frees its transmitted buffers when told they are used. */
	if (vq_need_interrupt(vq))
		vdu_queue_notify(p->dev, VDU_NET_TXQ);
	return n;
}

static uint16_t vduse_tx_burst(struct port *port, struct rte_mbuf **pkts, uint16_t count)
{
	struct port_vduse *p = to_vduse(port);
	struct vq *vq = __atomic_load_n(&p->vqs[VDU_NET_RXQ], __ATOMIC_ACQUIRE);
	uint16_t n;

	if (unlikely(vq == NULL)) {
		/* Nobody to receive: the frames are dropped, as on a down link. */
		rte_pktmbuf_free_bulk(pkts, count);
		p->dropped_not_ready += count;
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

static void vduse_stats_get(struct port *port, struct port_stats *stats)
{
	struct port_vduse *p = to_vduse(port);
	struct vq_stats q[VDU_NET_QUEUES];
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
	*stats = (struct port_stats){
		.rx_packets = q[VDU_NET_TXQ].packets,
		.rx_bytes = q[VDU_NET_TXQ].bytes,
		.rx_errors = q[VDU_NET_TXQ].bad_chains + q[VDU_NET_TXQ].bad_headers +
			     q[VDU_NET_TXQ].too_big,
		.rx_nombuf = q[VDU_NET_TXQ].no_mbufs,
		.tx_packets = q[VDU_NET_RXQ].packets,
		.tx_bytes = q[VDU_NET_RXQ].bytes,
		.tx_dropped = q[VDU_NET_RXQ].too_big + q[VDU_NET_RXQ].no_offload +
			      q[VDU_NET_RXQ].bad_chains + q[VDU_NET_RXQ].gso_dropped +
			      p->dropped_not_ready,
		.tx_gso_segments = q[VDU_NET_RXQ].gso_segments,
	};
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
	.link_get = vduse_link_get,
	.link_set = vduse_link_set,
	.stats_get = vduse_stats_get,
	.close = vduse_close,
};

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
		.features = params->features,
		.link_up = true,
		.hugepages = params->hugepages,
		.numa_node = params->socket_id == SOCKET_ID_ANY ? -1 : params->socket_id,
		.state_dir = params->state_dir,
		.fresh = params->fresh,
	};
	struct port_vduse *p;

	if (strlen(params->name) >= PORT_NAME_MAX) {
		fprintf(stderr, "vduse port name '%s' is longer than %d characters\n", params->name,
			PORT_NAME_MAX - 1);
		*err = -EINVAL;
		return NULL;
	}
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
