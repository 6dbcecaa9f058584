/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_WORKER_H
#define VNS_WORKER_H

/**
 * @file
 * Workers: poll-mode, run-to-completion loops on the EAL worker lcores. Each
 * polls the receive queues assigned to it, hands every burst to the
 * forwarding engine, and sends what the engine buffered. No lock, syscall or
 * allocation on the way, except a transmit queue's spinlock when more workers
 * than the port has transmit queues send to it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "switch.h"

/** Times a worker retries frames a full transmit queue did not take before dropping them. */
#define VNS_TX_RETRIES 8
/** Longest sleep of a worker while forwarding is stopped, in microseconds. */
#define VNS_STOPPED_SLEEP_US 1000
/** Most receive queues one worker polls. */
#define VNS_MAX_RXQ 128

/** A receive queue a worker polls. */
struct vns_rxq {
	uint16_t port_id; /**< in the switch's port table */
	uint16_t queue;	  /**< the port's receive queue */
	bool pinned;	  /**< placed by the user, not by the round-robin */
};

/** The receive queues a worker polls; replaced whole, never changed in place. */
struct vns_rxq_set {
	unsigned int n;		       /**< queues in @p q */
	struct vns_rxq q[VNS_MAX_RXQ]; /**< in polling order */
};

/** Frames waiting to go out of one port. */
struct vns_txbuf {
	uint16_t n;			  /**< frames in @p pkts */
	struct rte_mbuf *pkts[VNS_BURST]; /**< to send */
};

/** What a worker counts, per port; only that worker writes them. */
struct vns_port_counters {
	uint64_t tx_full;     /**< frames dropped: the transmit queue stayed full */
	uint64_t filtered;    /**< frames dropped by the engine (VLAN, same port, no peer) */
	uint64_t flooded;     /**< frames the bridge flooded */
	uint64_t no_mbuf;     /**< copies for flooding that found no mbuf */
	uint64_t bpf_dropped; /**< frames an eBPF port filter dropped (rx or tx) */
};

/** A worker lcore and what it serves. */
struct vns_worker {
	unsigned int lcore_id; /**< EAL lcore */
	unsigned int index;    /**< 0..nb_workers-1: picks transmit queues */
	int socket_id;	       /**< its NUMA socket */
	/** Receive queues polled; published by the control thread, retired under RCU. */
	struct vns_rxq_set *rxqs;
	struct vns_switch *sw;	     /**< the switch */
	struct fdb_cache *fdb_cache; /**< its cache of the MAC table, on its socket */
	uint64_t busy_cycles;	     /**< TSC cycles of rounds that received or sent frames */
	uint64_t idle_cycles;	     /**< TSC cycles of rounds that found nothing */
	uint64_t rx_packets;	     /**< frames received */
	uint64_t sleeps;	     /**< idle sleeps taken (--idle-sleep) */
	uint64_t seq;		     /**< per-worker sequence for generating engines */
	/** "start tx_first": send a burst from each queue polled before forwarding; it clears it.
	 */
	bool tx_first;
	struct vns_txbuf tx[VNS_MAX_PORTS];		  /**< by destination port id */
	struct vns_port_counters counters[VNS_MAX_PORTS]; /**< by port id */
} __rte_cache_aligned;

/** The transmit queue of @p vp worker @p w uses: its own when the port has enough. Any thread. */
static inline uint16_t vns_worker_txq(const struct vns_worker *w, const struct vns_port *vp)
{
	return (uint16_t)(w->index % vp->info.nb_tx_queues);
}

/**
 * Send what waits for port @p port_id (retrying a full queue a little, then
 * dropping and counting); frames for a port that is gone are freed and
 * counted. Worker lcore only.
 */
void vns_worker_flush_port(struct vns_worker *w, uint16_t port_id);

/**
 * Queue @p m for port @p port_id; sent when the buffer fills or at the end
 * of the burst (vns_worker_flush()). Inline: every frame of every engine
 * comes through here. Worker lcore only.
 */
static inline void vns_worker_send(struct vns_worker *w, uint16_t port_id, struct rte_mbuf *m)
{
	struct vns_txbuf *b = &w->tx[port_id];

	b->pkts[b->n++] = m;
	if (b->n == VNS_BURST)
		vns_worker_flush_port(w, port_id);
}

/** Send everything buffered (retrying a full queue a little). Worker lcore only. */
void vns_worker_flush(struct vns_worker *w);

/** The worker running on EAL lcore @p lcore, or NULL (none, or @p lcore < 0). */
struct vns_worker *vns_worker_of_lcore(struct vns_switch *sw, int lcore);

/**
 * Give the receive queues of port @p port_id to the workers: to the one on
 * the port's pinned lcore (vns_port::lcore), or each to the one polling the
 * fewest queues among the workers on the port's NUMA socket (among all when
 * that socket has none). Queues already placed stay where
 * they are, so that no queue is ever polled by two workers. Control thread;
 * the workers may be running.
 *
 * @return 0, -ENOMEM, or -ENOSPC when a worker would poll more than
 *         VNS_MAX_RXQ queues (nothing changed then).
 */
int vns_workers_add_port(struct vns_switch *sw, uint16_t port_id);

/**
 * Take the receive queues of port @p port_id from the workers, and return
 * once no worker polls them any more (an RCU grace period). Control thread.
 */
void vns_workers_del_port(struct vns_switch *sw, uint16_t port_id);

/**
 * Give each worker its cache of the MAC table, on its socket. Control
 * thread, before the workers start.
 *
 * @return 0, or -ENOMEM (logged); vns_workers_free() frees what was made.
 */
int vns_workers_cache_fdb(struct vns_switch *sw);

/**
 * The workers that poll queues: the first --nb-cores of them, or all.
 * Receive queues are placed only on those (unless a port pins another).
 */
unsigned int vns_workers_forwarding(const struct vns_switch *sw);

/** Free the workers' queue sets and caches (workers stopped). Control thread. */
void vns_workers_free(struct vns_switch *sw);

/** The worker loop, for rte_eal_remote_launch(); @p arg is its vns_worker. @return 0. */
int vns_worker_main(void *arg);

#endif /* VNS_WORKER_H */
