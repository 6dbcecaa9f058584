/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PORT_H
#define PORT_H

/**
 * @file
 * The switch's port interface: what the workers and the control path see of
 * a VDUSE device or a DPDK ethdev. Modelled on OVS's netdev-provider.h: each
 * op says what it returns, who owns the mbufs, and which thread may call it.
 *
 * Thread rules. The data path is rx_burst() and tx_burst(): each (port,
 * queue) pair is used by one worker lcore at a time (the app serialises
 * shared transmit queues itself), they never block, sleep, allocate memory
 * other than mbufs from the port's pool, or make syscalls beyond what the
 * PMD does. Every other op is for the control thread only, which may call
 * it while workers poll the port unless the op says otherwise.
 *
 * Offloads are spoken in DPDK's terms for every driver: an mbuf a port
 * receives may ask for segmentation or checksums with RTE_MBUF_F_TX_* flags
 * (a guest's TSO frame arrives that way), and a port transmits an mbuf
 * carrying such flags only if its port_info::tx_offloads has the matching
 * RTE_ETH_TX_OFFLOAD_* bit; otherwise the sender finishes the frame in
 * software first (lib/offload).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

/** Longest port name, terminating NUL included. */
#define PORT_NAME_MAX 32
/** Most receive or transmit queues of one port the switch uses. */
#define PORT_MAX_QUEUES 16
/** Longest extended counter name, terminating NUL included. */
#define PORT_XSTAT_NAME_MAX 64

/** Counters of a port, seen from the switch: rx is what it received. */
struct port_stats {
	uint64_t rx_packets; /**< frames received */
	uint64_t rx_bytes;   /**< their bytes */
	uint64_t rx_missed;  /**< frames the device dropped for want of receive descriptors */
	uint64_t rx_errors;  /**< frames the peer sent that were refused (see the xstats) */
	uint64_t rx_nombuf;  /**< frames not received for want of mbufs */
	uint64_t tx_packets; /**< frames delivered */
	uint64_t tx_bytes;   /**< their bytes */
	uint64_t tx_dropped; /**< frames taken but not delivered (see the xstats) */
};

/** One named counter of port_xstats_get(), e.g. "rx_bad_chains". */
struct port_xstat {
	char name[PORT_XSTAT_NAME_MAX]; /**< snake_case, stable across releases */
	uint64_t value;			/**< count since the port was opened */
};

/** What a port is and can do; see port_info_get(). */
struct port_info {
	const char *driver;	   /**< "vduse", or the PMD's name ("net_af_packet") */
	int socket_id;		   /**< NUMA socket of its memory, or SOCKET_ID_ANY */
	uint16_t nb_rx_queues;	   /**< receive queues the port was opened with */
	uint16_t nb_tx_queues;	   /**< transmit queues the port was opened with */
	uint16_t mtu;		   /**< current MTU (L3 bytes), 0 when unknown */
	uint16_t max_mtu;	   /**< largest MTU it takes */
	uint64_t rx_offloads;	   /**< RTE_ETH_RX_OFFLOAD_* of the frames it receives */
	uint64_t tx_offloads;	   /**< RTE_ETH_TX_OFFLOAD_* tx_burst() honours */
	struct rte_ether_addr mac; /**< its own MAC address */
};

/** Link state of a port. */
struct port_link {
	bool up;	     /**< carrier */
	uint32_t speed_mbps; /**< nominal speed, 0 when unknown */
};

struct port;

/** What a port driver provides; see the port_*() wrappers for each contract. */
struct port_ops {
	uint16_t (*rx_burst)(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
			     uint16_t count);
	uint16_t (*tx_burst)(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
			     uint16_t count);
	void (*info_get)(struct port *port, struct port_info *info);
	int (*start)(struct port *port); /**< may be NULL: nothing to start */
	void (*stop)(struct port *port); /**< may be NULL: nothing to stop */
	int (*link_get)(struct port *port, struct port_link *link);
	int (*link_set)(struct port *port, bool up);	/**< may be NULL: -ENOTSUP */
	int (*promisc_set)(struct port *port, bool on); /**< may be NULL: -ENOTSUP */
	void (*stats_get)(struct port *port, struct port_stats *stats);
	int (*xstats_get)(struct port *port, struct port_xstat *xstats, unsigned int n);
	void (*close)(struct port *port);
};

/** A port: the part every driver shares; drivers embed it first. */
struct port {
	const struct port_ops *ops; /**< the driver */
	char name[PORT_NAME_MAX];   /**< name given by the user, unique in the switch */
	uint16_t id;		    /**< index in the switch's port table, set by the app */
	struct rte_mempool *pool;   /**< mbufs for received frames */
};

/**
 * Receive up to @p count frames from receive queue @p queue.
 *
 * Data path: one lcore per (port, queue) at a time; never blocks.
 * @return the number stored in @p pkts (0 when none); the caller owns them.
 */
static inline uint16_t port_rx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
				     uint16_t count)
{
	return port->ops->rx_burst(port, queue, pkts, count);
}

/**
 * Transmit up to @p count frames on transmit queue @p queue.
 *
 * Data path: one lcore per (port, queue) at a time; never blocks.
 * @return the number taken from the front of @p pkts (sent, or dropped and
 *         counted by reason in the xstats); the port frees those. The caller
 *         still owns the rest, which found no room, and may retry or free them.
 */
static inline uint16_t port_tx_burst(struct port *port, uint16_t queue, struct rte_mbuf **pkts,
				     uint16_t count)
{
	return port->ops->tx_burst(port, queue, pkts, count);
}

/** Describe the port (control thread). Cannot fail. */
static inline void port_info_get(struct port *port, struct port_info *info)
{
	port->ops->info_get(port, info);
}

/**
 * Start the port, before any worker polls it (control thread). Starting a
 * started port does nothing.
 *
 * @return 0 or a negative errno (the cause is logged).
 */
static inline int port_start(struct port *port)
{
	return port->ops->start != NULL ? port->ops->start(port) : 0;
}

/**
 * Stop the port (control thread). No worker may poll it any more: the app
 * takes it out of the workers' view and waits for a grace period first.
 */
static inline void port_stop(struct port *port)
{
	if (port->ops->stop != NULL)
		port->ops->stop(port);
}

/** Read the link state (control thread). @return 0 or a negative errno. */
static inline int port_link_get(struct port *port, struct port_link *link)
{
	return port->ops->link_get(port, link);
}

/**
 * Set the link state the peer sees (control thread).
 *
 * @return 0, -ENOTSUP when the port cannot, or a negative errno.
 */
static inline int port_link_set(struct port *port, bool up)
{
	return port->ops->link_set != NULL ? port->ops->link_set(port, up) : -ENOTSUP;
}

/**
 * Take frames for every destination MAC (@p on), or only the port's own,
 * broadcast and multicast (control thread). A VDUSE port has no receive
 * filter of its own: its guest's driver filters.
 *
 * @return 0, -ENOTSUP when the port cannot, or a negative errno.
 */
static inline int port_promisc_set(struct port *port, bool on)
{
	return port->ops->promisc_set != NULL ? port->ops->promisc_set(port, on) : -ENOTSUP;
}

/** Read the counters (control thread; they may lag the workers by a burst). */
static inline void port_stats_get(struct port *port, struct port_stats *stats)
{
	port->ops->stats_get(port, stats);
}

/**
 * Read the extended counters, drops by reason among them (control thread).
 *
 * @param xstats where to store them, or NULL to only count them
 * @param n      room in @p xstats
 * @return how many the port has (more than @p n: only @p n were stored), or
 *         a negative errno.
 */
static inline int port_xstats_get(struct port *port, struct port_xstat *xstats, unsigned int n)
{
	return port->ops->xstats_get(port, xstats, n);
}

/**
 * Release everything; the port is gone afterwards (control thread, after
 * port_stop()). NULL is allowed.
 */
static inline void port_close(struct port *port)
{
	if (port != NULL)
		port->ops->close(port);
}

#endif /* PORT_H */
