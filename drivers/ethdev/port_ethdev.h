/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PORT_ETHDEV_H
#define PORT_ETHDEV_H

/**
 * @file
 * The ethdev port driver: any DPDK ethdev the EAL probed — a PCI NIC given
 * with -a, or a virtual device given with --vdev (net_af_packet, net_af_xdp,
 * net_tap, net_memif, net_pcap, net_ring, net_null ...).
 *
 * The port enables the checksum and segmentation offloads the PMD has; a
 * frame asking for one it lacks (a guest's TSO frame towards net_af_packet)
 * is finished in software (lib/offload) before the PMD sees it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "port.h"

/** Receive and transmit descriptors per queue when none are asked for. */
#define PORT_ETHDEV_DEFAULT_DESC 1024

/** How to open an ethdev port. */
struct port_ethdev_params {
	uint16_t port_id;	  /**< DPDK's port id (rte_eth_dev_get_port_by_name()) */
	const char *name;	  /**< the switch's name for it; NULL: the device name */
	uint16_t nb_rx_queues;	  /**< receive queues (1 or more, up to PORT_MAX_QUEUES) */
	uint16_t nb_tx_queues;	  /**< transmit queues (1 or more, up to PORT_MAX_QUEUES) */
	uint16_t nb_rxd;	  /**< descriptors per receive queue; 0: the default */
	uint16_t nb_txd;	  /**< descriptors per transmit queue; 0: the default */
	uint16_t mtu;		  /**< MTU to set; 0 keeps the PMD's */
	bool promiscuous;	  /**< receive every frame (a switch port wants it) */
	struct rte_mempool *pool; /**< mbufs for received frames, on the port's socket */
};

/**
 * Configure the ethdev and set up its queues; port_start() starts it.
 * Control thread.
 *
 * @param err set to a negative errno on failure (the cause is logged):
 *            -ENODEV no such ethdev, -EINVAL queue counts or MTU the device
 *            refuses, or what the PMD returned.
 * @return the port, or NULL.
 */
struct port *port_ethdev_open(const struct port_ethdev_params *params, int *err);

#endif /* PORT_ETHDEV_H */
