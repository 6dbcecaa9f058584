/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker loop, its transmit buffers, and the placement of receive queues. */
#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "fwd/fwd.h"
#include "worker.h"

/* The transmit queue of @p vp this worker uses: its own when the port has enough. */
static inline uint16_t txq_of(const struct vns_worker *w, const struct vns_port *vp)
{
	return (uint16_t)(w->index % vp->info.nb_tx_queues);
}

static uint16_t tx_locked(struct vns_port *vp, uint16_t q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent;

	if (!vp->txq_shared)
		return port_tx_burst(vp->port, q, pkts, n);
	rte_spinlock_lock(&vp->txq_lock[q]);
	sent = port_tx_burst(vp->port, q, pkts, n);
	rte_spinlock_unlock(&vp->txq_lock[q]);
	return sent;
}

static void flush_port(struct vns_worker *w, uint16_t port_id)
{
	struct vns_txbuf *b = &w->tx[port_id];
	struct vns_port *vp = __atomic_load_n(&w->sw->ports[port_id], __ATOMIC_ACQUIRE);
	uint16_t sent = 0, retries = 0, q;

	if (unlikely(vp == NULL)) {
		/* The port went away while its frames waited. */
		rte_pktmbuf_free_bulk(b->pkts, b->n);
		w->counters[port_id].filtered += b->n;
		b->n = 0;
		return;
	}
	q = txq_of(w, vp);
	sent = tx_locked(vp, q, b->pkts, b->n);
	/* A peer whose ring is full often frees room within microseconds. */
	while (sent < b->n && retries++ < VNS_TX_RETRIES) {
		rte_pause();
		sent += tx_locked(vp, q, b->pkts + sent, b->n - sent);
	}
	if (unlikely(sent < b->n)) {
		rte_pktmbuf_free_bulk(b->pkts + sent, b->n - sent);
		w->counters[port_id].tx_full += b->n - sent;
	}
	b->n = 0;
}

void vns_worker_send(struct vns_worker *w, uint16_t port_id, struct rte_mbuf *m)
{
	struct vns_txbuf *b = &w->tx[port_id];

	b->pkts[b->n++] = m;
	if (b->n == VNS_BURST)
		flush_port(w, port_id);
}

void vns_worker_flush(struct vns_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->sw->nb_ports; i++)
		if (w->tx[i].n != 0)
			flush_port(w, (uint16_t)i);
}

int vns_worker_main(void *arg)
{
	struct vns_worker *w = arg;
	struct vns_switch *sw = w->sw;
	struct rte_mbuf *pkts[VNS_BURST];
	unsigned int i;

	rte_rcu_qsbr_thread_register(sw->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_online(sw->qsbr, w->lcore_id);
	while (!sw->stop) {
		const struct fwd_engine *engine = __atomic_load_n(&sw->engine, __ATOMIC_ACQUIRE);
		uint64_t t0 = rte_rdtsc(), got = 0;

		for (i = 0; i < w->nb_rxq; i++) {
			const struct vns_rxq *rq = &w->rxq[i];
			struct vns_port *vp =
				__atomic_load_n(&sw->ports[rq->port_id], __ATOMIC_ACQUIRE);
			uint16_t n;

			if (unlikely(vp == NULL))
				continue;
			if (engine->generate != NULL) {
				got += engine->generate(w, vp, rq->queue);
				vns_worker_flush(w);
				continue;
			}
			n = port_rx_burst(vp->port, rq->queue, pkts, VNS_BURST);
			if (n == 0)
				continue;
			got += n;
			w->rx_packets += n;
			engine->rx_burst(w, vp, pkts, n);
			vns_worker_flush(w);
		}
		if (got)
			w->busy_cycles += rte_rdtsc() - t0;
		else
			w->idle_cycles += rte_rdtsc() - t0;
		/* Between rounds no queue, port or MAC entry is in use: retired ones may be freed.
		 */
		rte_rcu_qsbr_quiescent(sw->qsbr, w->lcore_id);
	}
	rte_rcu_qsbr_thread_offline(sw->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_unregister(sw->qsbr, w->lcore_id);
	return 0;
}

/* Next worker of @p socket after *cursor in round-robin order, or any if none is there. */
static struct vns_worker *next_worker(struct vns_switch *sw, int socket, unsigned int *cursor)
{
	unsigned int i, k;

	for (i = 0; i < sw->nb_workers; i++) {
		k = (*cursor + i) % sw->nb_workers;
		if (socket == SOCKET_ID_ANY || sw->workers[k].socket_id == socket) {
			*cursor = k + 1;
			return &sw->workers[k];
		}
	}
	k = (*cursor)++ % sw->nb_workers;
	return &sw->workers[k];
}

int vns_workers_assign(struct vns_switch *sw)
{
	unsigned int p, q, cursor = 0;

	for (p = 0; p < sw->nb_workers; p++)
		sw->workers[p].nb_rxq = 0;
	for (p = 0; p < sw->nb_ports; p++) {
		struct vns_port *vp = sw->ports[p];

		if (vp == NULL)
			continue;
		vp->txq_shared = sw->nb_workers > vp->info.nb_tx_queues;
		for (q = 0; q < vp->info.nb_rx_queues; q++) {
			struct vns_worker *w = next_worker(sw, vp->info.socket_id, &cursor);

			if (w->nb_rxq == VNS_MAX_RXQ)
				return -ENOSPC;
			w->rxq[w->nb_rxq++] = (struct vns_rxq){
				.port_id = (uint16_t)p,
				.queue = (uint16_t)q,
			};
		}
	}
	return 0;
}
