/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VDUSE_H
#define VDUSE_H

/**
 * @file
 * VDUSE control plane for virtio-net ports.
 *
 * A struct vdu_dev is one virtio-net device served from this process through
 * the kernel's VDUSE interface (/dev/vduse). The library creates the device,
 * attaches it to the vdpa bus (so the kernel's virtio_net gives a netdev, or
 * vhost_vdpa gives a VM backend), and answers the kernel's requests on a
 * control thread of its own. When the driver sets DRIVER_OK the library maps
 * the rings and buffers, describes them in a struct vq_mem_table and hands
 * each queue to the caller (vdu_ops.queue_start); before the memory goes away
 * (reset, IOTLB update) it takes the queues back (vdu_ops.queue_stop).
 *
 * Every function returns 0 or a negative errno and logs the cause and the fix
 * of a failure the user can act on. All functions but vdu_queue_notify() are
 * for the control path; vdu_queue_notify() is what a worker calls.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio_net_uso.h"
#include "vq_mem.h"

/** Number of virtqueues of a device: one receive and one transmit queue. */
#define VDU_NET_QUEUES 2
/** Index of the receive queue (device to driver). */
#define VDU_NET_RXQ 0
/** Index of the transmit queue (driver to device). */
#define VDU_NET_TXQ 1

/**
 * Optional features a caller may offer (VIRTIO_NET_F_* and VIRTIO_RING_F_*
 * bits). VERSION_1, ACCESS_PLATFORM, MAC and STATUS are always offered, MTU
 * when vdu_net_params.mtu is set. CTRL_VQ and what depends on it are not
 * offered: the upstream kernel refuses a control queue for VDUSE.
 */
#define VDU_NET_OPTIONAL_FEATURES                                                    \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |           \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |     \
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |       \
	 (1ULL << VIRTIO_NET_F_HOST_USO) | (1ULL << VIRTIO_NET_F_GUEST_USO4) |       \
	 (1ULL << VIRTIO_NET_F_GUEST_USO6) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |      \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) | (1ULL << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ULL << VIRTIO_F_RING_PACKED))

/** Which vdpa bus driver takes the device. */
enum vdu_driver {
	VDU_DRIVER_VIRTIO, /**< virtio_vdpa: a kernel netdev (containers) */
	VDU_DRIVER_VHOST,  /**< vhost_vdpa: a /dev/vhost-vdpa-N for a VM */
};

/** What the device looks like. */
struct vdu_net_params {
	const char *name;    /**< device name: /dev/vduse/NAME and vdpa device NAME */
	uint8_t mac[6];	     /**< MAC address offered to the driver */
	uint16_t mtu;	     /**< MTU offered (VIRTIO_NET_F_MTU), 0 to offer none */
	uint16_t queue_size; /**< largest ring per queue: a power of two, 2..32768 */
	uint64_t features;   /**< subset of VDU_NET_OPTIONAL_FEATURES to offer */
	bool link_up;	     /**< link state at creation */
	bool hugepages;	     /**< back the bounce buffer with hugepages when possible */
	int numa_node;	     /**< node for the bounce buffer, -1 for no preference */
	/**
	 * Directory of the state files (e.g. /run/vduse-netsw), or NULL. With
	 * one, the device's state is kept in DIR/NAME.state and a device of
	 * that name that survived its previous process is taken back instead
	 * of failing with -EEXIST (see vdu_net_create()).
	 */
	const char *state_dir;
	bool fresh; /**< with state_dir: replace a surviving device instead of taking it back */
};

/** A queue handed to the caller: where the ring is and how to reach it. */
struct vdu_queue {
	uint16_t index;		 /**< VDU_NET_RXQ or VDU_NET_TXQ */
	uint16_t size;		 /**< ring size the driver chose */
	uint64_t features;	 /**< features the driver accepted */
	uint64_t desc_iova;	 /**< descriptor table */
	uint64_t driver_iova;	 /**< driver area (available ring) */
	uint64_t device_iova;	 /**< device area (used ring) */
	uint16_t last_avail_idx; /**< first available entry: split index, or packed slot with the
				    wrap counter in bit 15 */
	int kick_fd;		 /**< eventfd the kernel signals on a driver kick */
	const struct vq_mem_table *mem; /**< the driver's memory; valid until queue_stop */
	/**
	 * Crash-recovery journal to give the queue engine (vq_config::journal),
	 * in the state file; NULL without a state directory.
	 */
	struct vq_journal *journal;
	bool recovered; /**< last_avail_idx was read back from the ring after a crash */
};

/** A VDUSE device served by this process; opaque. */
struct vdu_dev;

/**
 * Callbacks into the port driver. They run on the device's control thread,
 * never on a worker (queue_stop also in vdu_destroy(), after that thread has
 * stopped, for queues a failed detach left running).
 */
struct vdu_ops {
	/**
	 * Start serving a queue. @p q and the table it points to stay valid
	 * until queue_stop() for the same queue returns. Hand them to the
	 * worker through something that orders memory (a release store or a
	 * message ring): the table was just written on this thread.
	 *
	 * @return 0, or a negative errno to refuse (the device then fails).
	 */
	int (*queue_start)(struct vdu_dev *dev, const struct vdu_queue *q, void *arg);
	/**
	 * Stop serving a queue. Must return only when no worker touches the
	 * queue or its memory any more.
	 *
	 * @return the queue's last_avail_idx, kept for the next start and for
	 *         the kernel's GET_VQ_STATE.
	 */
	uint16_t (*queue_stop)(struct vdu_dev *dev, uint16_t qid, void *arg);
};

/** Severity of a log message. */
enum vdu_log_level {
	VDU_LOG_ERR,	 /**< a call failed; the message names cause and fix */
	VDU_LOG_WARNING, /**< something fell back (e.g. no hugepages) */
	VDU_LOG_INFO,	 /**< lifecycle: status changes, queues, memory in use */
	VDU_LOG_DEBUG,	 /**< each IOTLB range mapped */
};

/**
 * Where the library's messages go; by default to stderr, debug messages
 * dropped.
 *
 * @param fn  function called with each message (no trailing newline), or
 *            NULL to restore the default
 */
void vdu_set_logger(void (*fn)(enum vdu_log_level level, const char *msg));

/**
 * Create a virtio-net VDUSE device and start its control thread.
 *
 * With vdu_net_params.state_dir, a device of that name left by a process
 * that died is taken back: its fd is reopened, the negotiated features,
 * status and queue addresses come from the state file (each checked against
 * what the kernel says), the driver's memory is mapped again and every
 * running queue restarts where the dead process stopped (read back from the
 * ring by vq_recover_position()), so the driver keeps its netdev and loses
 * no buffer it handed over. A state file that is missing, corrupt or of
 * another device, or a device that broke meanwhile (a request timed out),
 * is logged and the device replaced by a new one; vdu_net_params.fresh
 * replaces it always. A device that another process serves is left alone.
 *
 * @param params  the device; copied
 * @param ops     callbacks; copied
 * @param arg     passed to every callback
 * @param out     the device, on success
 * @return 0; -ENOENT without VDUSE, -EEXIST when the name is taken (and no
 *         state directory is given), -EBUSY when another process serves the
 *         device, -EPERM without CAP_NET_ADMIN, -EINVAL for parameters the
 *         library or the kernel refuses, or another negative errno.
 */
int vdu_net_create(const struct vdu_net_params *params, const struct vdu_ops *ops, void *arg,
		   struct vdu_dev **out);

/**
 * Whether a VDUSE device @p name exists in the kernel (/dev/vduse/NAME):
 * one that vdu_net_create() would take back or replace rather than create.
 */
bool vdu_net_exists(const char *name);

/**
 * Remove the device @p name that a process which died left behind and no
 * process took back (e.g. a container's port whose switch restarted without
 * it): detach it from the vdpa bus (its netdev goes, in whatever namespace
 * it is), destroy it, and remove its state file in @p state_dir. Only a
 * device that such a state file describes is removed. Not from a callback.
 *
 * @return 1 when it was removed, 0 when there is no such device (a state
 *         file left alone is removed too), -EBUSY when a process serves it,
 *         -EEXIST when no state file describes it, -ENOENT without VDUSE,
 *         -EINVAL for a bad name, or another negative errno; each logged.
 */
int vdu_net_remove(const char *name, const char *state_dir);

/**
 * Attach the device to the vdpa bus (what `vdpa dev add` does) and have
 * @p driver take it; nothing to do for a device taken back attached. With VDU_DRIVER_VIRTIO the
 * driver negotiates and starts the queues before this returns. Without a vdpa bus (a VDUSE module
 * that is its own virtio transport) only VDU_DRIVER_VIRTIO is possible.
 *
 * @return 0; -ENOENT when the vdpa module or the driver is missing, -EEXIST
 *         when a vdpa device of that name exists, or another negative errno.
 */
int vdu_attach(struct vdu_dev *dev, enum vdu_driver driver);

/**
 * Detach the device from the vdpa bus (what `vdpa dev del` does). The driver
 * resets the device first, which stops the queues. Does nothing when the
 * device is not attached.
 *
 * @return 0 or a negative errno.
 */
int vdu_detach(struct vdu_dev *dev);

/**
 * Detach if attached, stop the control thread, destroy the VDUSE device and
 * free @p dev (NULL is allowed). Not from a callback: it waits for the
 * control thread.
 */
void vdu_destroy(struct vdu_dev *dev);

/**
 * Name of the kernel netdev that virtio_net made of an attached device.
 *
 * @param buf  receives the name
 * @param len  size of @p buf (IFNAMSIZ is enough)
 * @return 0, -ENODEV when there is none (not attached, other driver).
 */
int vdu_netdev_name(const struct vdu_dev *dev, char *buf, size_t len);

/** Whether vdu_net_create() took back a device a dead process left. */
bool vdu_taken_back(const struct vdu_dev *dev);

/** Device name given at creation. */
const char *vdu_name(const struct vdu_dev *dev);

/** Device status the driver last set (VIRTIO_CONFIG_S_* bits). */
uint8_t vdu_status(const struct vdu_dev *dev);

/**
 * Set the link state the driver sees and tell it (config interrupt).
 *
 * @return 0 or a negative errno.
 */
int vdu_set_link(struct vdu_dev *dev, bool up);

/**
 * Interrupt the driver for a queue: the call a worker makes once per burst
 * when the queue engine says the driver wants one. One ioctl, no lock.
 *
 * @return 0 or a negative errno (-EINVAL when the device is not running).
 */
int vdu_queue_notify(struct vdu_dev *dev, uint16_t qid);

#endif /* VDUSE_H */
