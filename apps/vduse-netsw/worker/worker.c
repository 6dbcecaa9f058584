/* SPDX-License-Identifier: BSD-3-Clause */
/* The worker loop, its transmit buffers, and the placement of receive queues. */
#include <errno.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>

#include "capture.h"
#include "filter/bpf_filter.h"
#include "fwd/fwd.h"
#include "log.h"
#include "worker.h"

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

void vns_worker_flush_port(struct vns_worker *w, uint16_t port_id)
{
	struct vns_txbuf *b = &w->tx[port_id];
	struct vns_port *vp = __atomic_load_n(&w->sw->ports[port_id], __ATOMIC_ACQUIRE);
	uint16_t sent = 0, retries = 0, q;
	const struct vns_bpf *bpf;
	struct capture *cap;

	if (unlikely(vp == NULL || __atomic_load_n(&vp->stopped, __ATOMIC_ACQUIRE))) {
		/* The port went away or stopped while its frames waited. */
		rte_pktmbuf_free_bulk(b->pkts, b->n);
		w->counters[port_id].filtered += b->n;
		b->n = 0;
		return;
	}
	q = vns_worker_txq(w, vp);
	bpf = __atomic_load_n(&vp->bpf[VNS_BPF_TX][q], __ATOMIC_ACQUIRE);
	if (unlikely(bpf != NULL)) {
		uint16_t kept = vns_bpf_run(bpf, b->pkts, b->n);

		w->counters[port_id].bpf_dropped += b->n - kept;
		b->n = kept;
		if (kept == 0)
			return;
	}
	cap = __atomic_load_n(&w->sw->capture, __ATOMIC_ACQUIRE);
	if (unlikely(cap != NULL))
		capture_burst(cap, port_id, q, CAPTURE_TX, b->pkts, b->n);
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

void vns_worker_flush(struct vns_worker *w)
{
	unsigned int i, nb_ports = __atomic_load_n(&w->sw->nb_ports, __ATOMIC_ACQUIRE);

	for (i = 0; i < nb_ports; i++)
		if (w->tx[i].n != 0)
			vns_worker_flush_port(w, (uint16_t)i);
}

/* The receive queue's eBPF filter, if any, on a burst: @return the frames it passed. */
static inline uint16_t rx_filter(struct vns_worker *w, struct vns_port *vp,
				 const struct vns_rxq *rq, struct rte_mbuf **pkts, uint16_t n)
{
	const struct vns_bpf *bpf =
		__atomic_load_n(&vp->bpf[VNS_BPF_RX][rq->queue], __ATOMIC_ACQUIRE);
	uint16_t kept;

	if (likely(bpf == NULL))
		return n;
	kept = vns_bpf_run(bpf, pkts, n);
	w->counters[rq->port_id].bpf_dropped += n - kept;
	return kept;
}

/*
 * --idle-sleep: after a round that found nothing, sleep 1 us, then twice as
 * long each idle round up to the maximum (as OVS's pmd-maxsleep); any frame
 * ends it. Offline meanwhile, so that a grace period does not wait for us.
 * @return the next sleep.
 */
static unsigned int idle_sleep(struct vns_worker *w, unsigned int us, unsigned int max_us)
{
	struct vns_switch *sw = w->sw;

	us = us == 0 ? 1 : RTE_MIN(us * 2, max_us);
	rte_rcu_qsbr_thread_offline(sw->qsbr, w->lcore_id);
	rte_delay_us_sleep(us);
	rte_rcu_qsbr_thread_online(sw->qsbr, w->lcore_id);
	w->sleeps++;
	return us;
}

/* "start tx_first": a burst of txonly's frames from each queue polled, to prime loops. */
static void send_first(struct vns_worker *w, const struct vns_rxq_set *set)
{
	unsigned int i;

	for (i = 0; set != NULL && i < set->n; i++) {
		struct vns_port *vp =
			__atomic_load_n(&w->sw->ports[set->q[i].port_id], __ATOMIC_ACQUIRE);

		if (vp != NULL)
			fwd_txonly.generate(w, vp, set->q[i].queue);
	}
	vns_worker_flush(w);
}

/* One round over the worker's queues: @return frames received or generated. */
static uint64_t poll_queues(struct vns_worker *w, const struct vns_rxq_set *set)
{
	struct vns_switch *sw = w->sw;
	const struct fwd_engine *engine = __atomic_load_n(&sw->engine, __ATOMIC_ACQUIRE);
	struct capture *cap = __atomic_load_n(&sw->capture, __ATOMIC_ACQUIRE);
	uint16_t burst = __atomic_load_n(&sw->burst, __ATOMIC_RELAXED);
	struct rte_mbuf *pkts[VNS_BURST];
	uint64_t got = 0;
	unsigned int i;

	for (i = 0; set != NULL && i < set->n; i++) {
		const struct vns_rxq *rq = &set->q[i];
		struct vns_port *vp = __atomic_load_n(&sw->ports[rq->port_id], __ATOMIC_ACQUIRE);
		uint16_t n;

		if (unlikely(vp == NULL))
			continue;
		if (engine->generate != NULL) {
			got += engine->generate(w, vp, rq->queue);
			vns_worker_flush(w);
			continue;
		}
		n = port_rx_burst(vp->port, rq->queue, pkts, burst);
		if (n == 0)
			continue;
		got += n;
		w->rx_packets += n;
		if (unlikely(cap != NULL))
			capture_burst(cap, rq->port_id, rq->queue, CAPTURE_RX, pkts, n);
		n = rx_filter(w, vp, rq, pkts, n);
		if (n != 0)
			engine->rx_burst(w, vp, pkts, n);
		vns_worker_flush(w);
	}
	return got;
}

int vns_worker_main(void *arg)
{
	struct vns_worker *w = arg;
	struct vns_switch *sw = w->sw;
	unsigned int sleep_us = 0, max_sleep_us = sw->opts != NULL ? sw->opts->idle_sleep_us : 0;

	rte_rcu_qsbr_thread_register(sw->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_online(sw->qsbr, w->lcore_id);
	while (!sw->stop) {
		const struct vns_rxq_set *set = __atomic_load_n(&w->rxqs, __ATOMIC_ACQUIRE);
		uint64_t t0 = rte_rdtsc(), got = 0;

		if (!__atomic_load_n(&sw->forwarding, __ATOMIC_ACQUIRE)) {
			/* Stopped ("stop"): nothing polled, as testpmd's idle lcores. */
			rte_rcu_qsbr_quiescent(sw->qsbr, w->lcore_id);
			sleep_us = idle_sleep(w, sleep_us, VNS_STOPPED_SLEEP_US);
			continue;
		}
		if (unlikely(__atomic_load_n(&w->tx_first, __ATOMIC_ACQUIRE))) {
			send_first(w, set);
			__atomic_store_n(&w->tx_first, false, __ATOMIC_RELEASE);
		}
		got = poll_queues(w, set);
		/* Between rounds no queue, port or MAC entry is in use: retired ones may be freed.
		 */
		rte_rcu_qsbr_quiescent(sw->qsbr, w->lcore_id);
		if (got) {
			w->busy_cycles += rte_rdtsc() - t0;
			sleep_us = 0;
		} else {
			if (max_sleep_us != 0)
				sleep_us = idle_sleep(w, sleep_us, max_sleep_us);
			w->idle_cycles += rte_rdtsc() - t0;
		}
	}
	rte_rcu_qsbr_thread_offline(sw->qsbr, w->lcore_id);
	rte_rcu_qsbr_thread_unregister(sw->qsbr, w->lcore_id);
	return 0;
}

struct vns_worker *vns_worker_of_lcore(struct vns_switch *sw, int lcore)
{
	unsigned int i;

	for (i = 0; lcore >= 0 && i < sw->nb_workers; i++)
		if (sw->workers[i].lcore_id == (unsigned int)lcore)
			return &sw->workers[i];
	return NULL;
}

unsigned int vns_workers_forwarding(const struct vns_switch *sw)
{
	unsigned int n = sw->opts != NULL ? sw->opts->nb_cores : 0;

	return n != 0 && n < sw->nb_workers ? n : sw->nb_workers;
}

static unsigned int nb_rxq(const struct vns_worker *w)
{
	return w->rxqs != NULL ? w->rxqs->n : 0;
}

/* The worker of @p socket polling the fewest queues; of any socket if none is on it. */
static struct vns_worker *least_loaded(struct vns_switch *sw, const unsigned int *extra, int socket)
{
	struct vns_worker *best = NULL;
	unsigned int i, best_load = 0, pass;

	for (pass = 0; pass < 2 && best == NULL; pass++)
		for (i = 0; i < vns_workers_forwarding(sw); i++) {
			struct vns_worker *w = &sw->workers[i];
			unsigned int load = nb_rxq(w) + extra[i];

			if (pass == 0 && socket != SOCKET_ID_ANY && w->socket_id != socket)
				continue;
			if (best == NULL || load < best_load) {
				best = w;
				best_load = load;
			}
		}
	return best;
}

/*
 * Publish @p next (NULL entries: no change) as the workers' sets, wait until
 * no worker uses the sets they replace, and free those.
 */
static void publish(struct vns_switch *sw, struct vns_rxq_set **next)
{
	struct vns_rxq_set *old[RTE_MAX_LCORE] = {NULL};
	unsigned int i;

	for (i = 0; i < sw->nb_workers; i++) {
		if (next[i] == NULL)
			continue;
		old[i] = sw->workers[i].rxqs;
		__atomic_store_n(&sw->workers[i].rxqs, next[i], __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
	for (i = 0; i < sw->nb_workers; i++)
		rte_free(old[i]);
}

/* A copy of @p w's set to change, or NULL for want of memory. */
static struct vns_rxq_set *copy_set(const struct vns_worker *w)
{
	struct vns_rxq_set *set =
		rte_zmalloc_socket("vns_rxqs", sizeof(*set), RTE_CACHE_LINE_SIZE, w->socket_id);

	if (set != NULL && w->rxqs != NULL)
		*set = *w->rxqs;
	return set;
}

int vns_workers_add_port(struct vns_switch *sw, uint16_t port_id)
{
	struct vns_rxq_set *next[RTE_MAX_LCORE] = {NULL};
	unsigned int extra[RTE_MAX_LCORE] = {0};
	struct vns_port *vp = sw->ports[port_id];
	unsigned int q, i;
	int ret = 0;

	vp->txq_shared = sw->nb_workers > vp->info.nb_tx_queues;
	for (q = 0; q < vp->info.nb_rx_queues; q++) {
		struct vns_worker *w = vns_worker_of_lcore(sw, vp->lcore);
		unsigned int k;

		if (w == NULL)
			w = least_loaded(sw, extra, vp->info.socket_id);
		k = (unsigned int)(w - sw->workers);

		if (next[k] == NULL) {
			next[k] = copy_set(w);
			if (next[k] == NULL) {
				ret = -ENOMEM;
				break;
			}
		}
		if (next[k]->n == VNS_MAX_RXQ) {
			ret = -ENOSPC;
			break;
		}
		next[k]->q[next[k]->n++] = (struct vns_rxq){
			.port_id = port_id,
			.queue = (uint16_t)q,
			.pinned = vp->lcore >= 0,
		};
		extra[k]++;
	}
	if (ret < 0) {
		for (i = 0; i < sw->nb_workers; i++)
			rte_free(next[i]);
		return ret;
	}
	publish(sw, next);
	return 0;
}

void vns_workers_del_port(struct vns_switch *sw, uint16_t port_id)
{
	struct vns_rxq_set *next[RTE_MAX_LCORE] = {NULL};
	unsigned int i, j, n;

	for (i = 0; i < sw->nb_workers; i++) {
		struct vns_worker *w = &sw->workers[i];

		for (j = 0; j < nb_rxq(w) && w->rxqs->q[j].port_id != port_id; j++)
			;
		if (j == nb_rxq(w))
			continue;
		next[i] = copy_set(w);
		if (next[i] == NULL) {
			/* No memory for a copy: the workers skip the port while its slot is empty.
			 */
			continue;
		}
		for (j = 0, n = 0; j < w->rxqs->n; j++)
			if (w->rxqs->q[j].port_id != port_id)
				next[i]->q[n++] = w->rxqs->q[j];
		next[i]->n = n;
	}
	publish(sw, next);
}

int vns_workers_cache_fdb(struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_workers; i++) {
		struct vns_worker *w = &sw->workers[i];

		w->fdb_cache = fdb_cache_create(sw->fdb, 0, w->socket_id);
		if (w->fdb_cache == NULL) {
			VNS_LOG(ERR, "vduse-netsw: no memory for the MAC table cache of lcore %u",
				w->lcore_id);
			return -ENOMEM;
		}
	}
	return 0;
}

void vns_workers_free(struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_workers; i++) {
		rte_free(sw->workers[i].rxqs);
		sw->workers[i].rxqs = NULL;
		fdb_cache_free(sw->workers[i].fdb_cache);
		sw->workers[i].fdb_cache = NULL;
	}
}
