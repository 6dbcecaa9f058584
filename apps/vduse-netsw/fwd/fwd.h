/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_FWD_H
#define VNS_FWD_H

/**
 * @file
 * Forwarding engines, one per file, as testpmd's: `bridge` (the default, an
 * L2 learning switch), and testpmd's `io`, `mac`, `macswap`, `rxonly`,
 * `txonly` and `flowgen`. The engine is switched at run time with one
 * release store of vns_switch::engine; workers load it once a round.
 *
 * The engines other than bridge use testpmd's paired topology: port 2k and
 * 2k+1 are each other's peer; a port without one drops what it receives.
 */

#include <stdint.h>

#include <rte_mbuf.h>

#include "switch.h"
#include "worker/worker.h"

/** A forwarding engine. */
struct fwd_engine {
	const char *name; /**< as the user types it */
	const char *help; /**< one line */
	/**
	 * Handle @p n frames received on @p in: hand each to vns_worker_send()
	 * or free it (counting why). NULL for generating engines. Worker lcore.
	 */
	void (*rx_burst)(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			 uint16_t n);
	/**
	 * Generate frames for the peer of @p in, in place of polling its
	 * receive queue @p queue. @return frames generated. Worker lcore.
	 */
	uint16_t (*generate)(struct vns_worker *w, struct vns_port *in, uint16_t queue);
};

extern const struct fwd_engine fwd_bridge, fwd_io, fwd_mac, fwd_macswap, fwd_rxonly, fwd_txonly,
	fwd_flowgen;

/** The engine called @p name, or NULL. */
const struct fwd_engine *fwd_engine_find(const char *name);

/** The engines' names joined by '|', e.g. for a usage line. */
const char *fwd_engine_names(void);

/**
 * The peer of port @p id in the paired topology, or -1 when it has none.
 * Worker lcore or control thread.
 */
static inline int fwd_peer(const struct vns_switch *sw, uint16_t id)
{
	uint16_t peer = id ^ 1;

	if (peer >= VNS_MAX_PORTS || __atomic_load_n(&sw->ports[peer], __ATOMIC_ACQUIRE) == NULL)
		return -1;
	return peer;
}

/** Free @p n frames the engine will not send, counting them as filtered on @p in. */
static inline void fwd_drop(struct vns_worker *w, struct vns_port *in, struct rte_mbuf **pkts,
			    uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
	w->counters[in->port->id].filtered += n;
}

/**
 * The peer of @p in for a burst of @p n frames, or -1 after dropping them
 * (counted as filtered) when @p in has none. Worker lcore.
 */
static inline int fwd_peer_or_drop(struct vns_worker *w, struct vns_port *in,
				   struct rte_mbuf **pkts, uint16_t n)
{
	int peer = fwd_peer(w->sw, in->port->id);

	if (peer < 0)
		fwd_drop(w, in, pkts, n);
	return peer;
}

#endif /* VNS_FWD_H */
