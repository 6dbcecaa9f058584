/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef PORT_VDUSE_H
#define PORT_VDUSE_H

/**
 * @file
 * The vduse port driver: a virtio-net device served through VDUSE
 * (lib/vduse) whose queues the virtqueue engine (lib/virtio) works.
 *
 * The device's control thread starts and stops the queues; workers that poll
 * the port must be registered with the RCU variable given here and report
 * quiescent states between bursts, so that a queue is freed only when no
 * worker can still be inside it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>

#include "port.h"
#include "vduse.h"

/** How to create a vduse port. */
struct port_vduse_params {
	const char *name;    /**< VDUSE and vdpa device name */
	uint8_t mac[6];	     /**< MAC address offered to the driver */
	uint16_t mtu;	     /**< MTU offered; 0 offers none */
	uint16_t queue_size; /**< largest ring per queue (power of two) */
	/**
	 * Offloads to offer both ways, as RTE_ETH_TX_OFFLOAD_TCP_CKSUM and
	 * UDP_CKSUM (partial checksums; both or neither), TCP_TSO and UDP_TSO
	 * (each needs the checksums); the driver maps them to virtio features.
	 */
	uint64_t offloads;
	bool packed_ring;	   /**< offer VIRTIO_F_RING_PACKED */
	bool hugepages;		   /**< hugepage-backed bounce buffer when possible */
	int socket_id;		   /**< NUMA socket of the polling worker, or SOCKET_ID_ANY */
	enum vdu_driver driver;	   /**< virtio_vdpa (container) or vhost_vdpa (VM) */
	struct rte_rcu_qsbr *qsbr; /**< the workers' RCU variable; NULL if none polls yet */
	const char *state_dir;	   /**< state files, to take a surviving device back; or NULL */
	bool fresh;		   /**< replace a surviving device instead */
};

/** The offloads a vduse port can offer (port_vduse_params::offloads). */
#define PORT_VDUSE_OFFLOADS                                            \
	(RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
	 RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_UDP_TSO)

/**
 * Create the device, attach it to the vdpa bus and open it as a port; or,
 * with a state directory, take back the device of that name a dead process
 * left, attached and running (vdu_net_create()).
 *
 * @param params what to create
 * @param pool   mbufs for frames the driver transmits
 * @param err    set to a negative errno on failure (the cause is logged):
 *               -EINVAL for offloads outside PORT_VDUSE_OFFLOADS or TSO
 *               without the checksums
 * @return the port, or NULL.
 */
struct port *port_vduse_open(const struct port_vduse_params *params, struct rte_mempool *pool,
			     int *err);

/**
 * Name of the kernel netdev of a vduse port attached to virtio_vdpa.
 *
 * @return 0, or -ENODEV.
 */
int port_vduse_netdev(struct port *port, char *buf, size_t len);

/**
 * Whether port_vduse_open() took back a device a dead process left (its
 * netdev exists, wherever it was moved) rather than creating one.
 */
bool port_vduse_taken_back(struct port *port);

/**
 * Whether VDUSE device @p name exists already (vdu_net_exists()): opening
 * the port then takes it back, with its netdev where it is, or replaces it.
 */
bool port_vduse_exists(const char *name);

/**
 * Remove VDUSE device @p name that a switch which died left and no port
 * took back, with its state file in @p state_dir (vdu_net_remove()):
 * its netdev goes wherever it is. Control thread.
 *
 * @return 1 removed, 0 no such device, or a negative errno (-EBUSY: a
 *         process serves it; -EEXIST: no state file of ours describes it).
 */
int port_vduse_remove_leftover(const char *name, const char *state_dir);

#endif /* PORT_VDUSE_H */
