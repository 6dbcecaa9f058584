/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TEST_VIRTIO_DRIVER_H
#define TEST_VIRTIO_DRIVER_H

/**
 * @file
 * A model of the kernel's virtio-net driver side of a split or packed ring,
 * working on the same memory the engine sees, for tests. Its memory is a window of
 * IOVA space made of two regions that are contiguous in IOVA but not in host
 * memory, so buffers can be placed across the boundary; a third, read-only
 * region serves the permission tests.
 */

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "vq.h"

/** IOVA where the driver's memory starts. */
#define DRV_IOVA_BASE 0x10000000ULL
/** Bytes in each of the two writable regions. */
#define DRV_REGION_LEN (4u << 20)
/** IOVA of the read-only region (after a hole). */
#define DRV_RO_IOVA (DRV_IOVA_BASE + 4ULL * DRV_REGION_LEN)

/** One descriptor of a chain built by a test. */
struct drv_buf {
	uint64_t iova; /**< buffer address */
	uint32_t len;  /**< buffer length */
};

/** What the driver remembers of a buffer it made available (packed ring). */
struct drv_inflight {
	uint16_t slot;		 /**< first ring slot of the chain */
	uint16_t flags;		 /**< flags of that slot, written when published */
	uint16_t ndescs;	 /**< ring slots the chain takes */
	int nbufs;		 /**< buffers in @p bufs */
	struct drv_buf bufs[16]; /**< the chain's buffers, in order */
};

/** The driver's state. */
struct drv {
	struct vq_mem_table mem;		   /**< what the engine is given */
	uint8_t *host[3];			   /**< host memory of the regions */
	uint64_t next_iova;			   /**< bump allocator in the writable regions */
	uint16_t size;				   /**< ring size */
	uint64_t features;			   /**< negotiated features */
	uint64_t desc_iova, avail_iova, used_iova; /**< ring areas */
	struct vring_desc *desc;		   /**< descriptor table */
	struct vring_avail *avail;		   /**< available ring */
	struct vring_used *used;		   /**< used ring */
	uint16_t avail_idx;			   /**< next avail slot the driver fills */
	uint16_t last_used;			   /**< next used entry the driver reads */
	uint16_t next_desc;			   /**< next descriptor handed out (round robin) */
	bool packed;				   /**< VIRTIO_F_RING_PACKED negotiated */
	struct vring_packed_desc *pdesc;	   /**< packed: descriptor ring */
	struct vring_packed_desc_event *driver_event; /**< packed: our interrupt wishes */
	struct vring_packed_desc_event *device_event; /**< packed: the device's kick wishes */
	bool avail_wrap;	       /**< packed: wrap counter at avail_idx (a slot) */
	bool used_wrap;		       /**< packed: wrap counter at last_used (a slot) */
	uint16_t next_id;	       /**< packed: next buffer id */
	struct drv_inflight *inflight; /**< packed: by buffer id */
};

/**
 * Set up rings of @p size, split or packed as @p features say, starting at
 * avail/used index @p start_idx (a slot, for packed rings, with wrap counter 1).
 */
void drv_init(struct drv *d, uint16_t size, uint64_t features, uint16_t start_idx);

/** Release the driver's memory. */
void drv_fini(struct drv *d);

/** Engine configuration for this driver's queue. */
struct vq_config drv_vq_config(const struct drv *d);

/** Allocate @p len bytes of IOVA space aligned to @p align. */
uint64_t drv_alloc(struct drv *d, uint32_t len, uint32_t align);

/** Host pointer for @p iova, in any region. */
void *drv_ptr(const struct drv *d, uint64_t iova);

/** Copy bytes into driver memory at @p iova (may cross regions). */
void drv_write(const struct drv *d, uint64_t iova, const void *src, uint32_t len);

/** Copy bytes from driver memory at @p iova (may cross regions). */
void drv_read(const struct drv *d, uint64_t iova, void *dst, uint32_t len);

/**
 * Write a chain of @p n descriptors (each with @p flags plus NEXT as needed)
 * into the descriptor table, or into an indirect table when @p indirect.
 * Returns the head index (split) or buffer id (packed): what the used entry
 * will name. The chain is not yet made available.
 */
uint16_t drv_chain(struct drv *d, const struct drv_buf *bufs, int n, uint16_t flags, bool indirect);

/** Make the chain @p head (as drv_chain() returned it) available to the device. */
void drv_publish(struct drv *d, uint16_t head);

/**
 * Transmit a frame: virtio-net header then @p len bytes of @p data, cut into
 * descriptors of the sizes in @p cuts (the last one takes the rest), placed
 * at @p iova if nonzero or freshly allocated. Returns the head.
 */
uint16_t drv_tx(struct drv *d, const struct virtio_net_hdr *hdr, const void *data, uint32_t len,
		const uint32_t *cuts, int ncuts, bool indirect);

/** Post a receive buffer made of descriptors of the given sizes. Returns the head. */
uint16_t drv_post_rx(struct drv *d, const uint32_t *lens, int n, bool indirect);

/** Take the next used entry; false when there is none. */
bool drv_get_used(struct drv *d, uint16_t *id, uint32_t *len);

/** Read @p len bytes written into the RX chain at @p head (through its descriptors). */
uint32_t drv_read_rx(const struct drv *d, uint16_t head, void *out, uint32_t len);

/** Used entries the device has returned that the driver has not taken yet. */
unsigned int drv_pending_used(const struct drv *d);

#endif /* TEST_VIRTIO_DRIVER_H */
