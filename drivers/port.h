/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PORT_H
#define PORT_H

/**
 * @file
 * The switch's port interface: what the forwarding engines see of a VDUSE
 * device or a DPDK ethdev. One receive and one transmit queue per port.
 *
 * port_rx_burst() and port_tx_burst() are the data path: a port is polled by
 * one worker at a time, and they never block. The other calls are for the
 * control path.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

/** Longest port name, terminating NUL included. */
#define PORT_NAME_MAX 32

/** Counters of a port, seen from the switch: rx is what it received. */
struct port_stats {
	uint64_t rx_packets; /**< frames received */
	uint64_t rx_bytes;   /**< their bytes */
	uint64_t rx_errors;  /**< frames the peer sent that were refused (bad chains, headers) */
	uint64_t rx_nombuf;  /**< receive bursts cut short for want of mbufs */
	uint64_t tx_packets; /**< frames delivered */
	uint64_t tx_bytes;   /**< their bytes */
	uint64_t tx_dropped; /**< frames the peer could not take (too big, offload missing) */
	uint64_t tx_gso_segments; /**< of tx_packets: segments cut in software from GSO frames */
};

/** Link state of a port. */
struct port_link {
	bool up;	     /**< carrier */
	uint32_t speed_mbps; /**< nominal speed, 0 when unknown */
};

struct port;

/** What a port driver provides. */
struct port_ops {
	/** See port_rx_burst(). */
	uint16_t (*rx_burst)(struct port *port, struct rte_mbuf **pkts, uint16_t count);
	/** See port_tx_burst(). */
	uint16_t (*tx_burst)(struct port *port, struct rte_mbuf **pkts, uint16_t count);
	/** Read the link state. */
	int (*link_get)(struct port *port, struct port_link *link);
	/** Set the link state the peer sees, where the port can. */
	int (*link_set)(struct port *port, bool up);
	/** Read the counters. */
	void (*stats_get)(struct port *port, struct port_stats *stats);
	/** Release everything; the port is gone afterwards. */
	void (*close)(struct port *port);
};

/** A port: the part every driver shares; drivers embed it first. */
struct port {
	const struct port_ops *ops; /**< the driver */
	char name[PORT_NAME_MAX];   /**< name given by the user */
	struct rte_mempool *pool;   /**< mbufs for received frames */
};

/**
 * Receive up to @p count frames.
 *
 * @return the number stored in @p pkts; the caller owns them.
 */
static inline uint16_t port_rx_burst(struct port *port, struct rte_mbuf **pkts, uint16_t count)
{
	return port->ops->rx_burst(port, pkts, count);
}

/**
 * Transmit up to @p count frames.
 *
 * @return the number taken from the front of @p pkts (sent, or dropped and
 *         counted); the port frees those. The caller still owns the rest,
 *         which found no room, and may retry or free them.
 */
static inline uint16_t port_tx_burst(struct port *port, struct rte_mbuf **pkts, uint16_t count)
{
	return port->ops->tx_burst(port, pkts, count);
}

/** Read the link state. @return 0 or a negative errno. */
static inline int port_link_get(struct port *port, struct port_link *link)
{
	return port->ops->link_get(port, link);
}

/** Set the link state the peer sees. @return 0, -ENOTSUP, or a negative errno. */
static inline int port_link_set(struct port *port, bool up)
{
	return port->ops->link_set(port, up);
}

/** Read the counters. */
static inline void port_stats_get(struct port *port, struct port_stats *stats)
{
	port->ops->stats_get(port, stats);
}

/** Close the port (NULL is allowed). */
static inline void port_close(struct port *port)
{
	if (port != NULL)
		port->ops->close(port);
}

#endif /* PORT_H */
