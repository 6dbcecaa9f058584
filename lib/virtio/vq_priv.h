/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VQ_PRIV_H
#define VQ_PRIV_H

/* Internals shared by the engine's files; not part of the API. */

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <rte_branch_prediction.h>

#include "vq.h"

/* A piece of a driver buffer, translated: host address and length. */
struct vq_seg {
	uint8_t *addr;
	uint32_t len;
};

/* Where one chain's segments start in vq->segs, for mergeable RX. */
struct vq_chain {
	uint16_t head;
	uint32_t first_seg;
	uint32_t nsegs;
	uint32_t capacity;
};

struct vq {
	/* Ring areas, translated once at creation. */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t size;
	uint16_t mask;

	uint16_t last_avail_idx; /* next avail entry to consume */
	uint16_t used_idx;	 /* our copy of used->idx */
	uint16_t signalled_used; /* used_idx when we last decided about an interrupt */
	bool broken;

	bool event_idx;
	bool indirect;
	bool mrg_rxbuf;
	bool guest_csum;
	bool guest_tso4;
	bool guest_tso6;
	bool guest_ufo;

	const struct vq_mem_table *mem;
	const struct vq_mem_region *last_region; /* translation cache */

	struct vq_stats stats;

	/* Scratch for the chain being processed; sized at creation. */
	uint32_t max_segs;
	struct vq_seg *segs;
	struct vq_chain *chains;
};

/* Result of walking one descriptor chain. */
enum vq_chain_status {
	VQ_CHAIN_OK,
	VQ_CHAIN_BAD,	 /* consume the chain, return it with len 0, count it */
	VQ_CHAIN_BROKEN, /* the ring itself is unusable */
};

/*
 * Walk the chain at @head, appending translated segments to vq->segs from
 * index *nsegs on; @writable selects device-writable (RX) or device-readable
 * (TX) buffers. On VQ_CHAIN_OK *nsegs and *total have grown.
 */
enum vq_chain_status vq_split_collect(struct vq *vq, uint16_t head, bool writable, uint32_t *nsegs,
				      uint32_t *total);

/* Copy @len bytes from the segments, from byte @off on, into @dst. */
void vq_segs_read(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, void *dst, uint32_t len);

/* Copy @len bytes from @src into the segments, from byte @off on. */
void vq_segs_write(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, const void *src,
		   uint32_t len);

/*
 * Apply a driver's TX header to a dequeued frame: offload flags, or a
 * software checksum. Returns 0, or -EINVAL when the header is invalid.
 */
int vq_net_hdr_to_mbuf(const struct virtio_net_hdr *hdr, struct rte_mbuf *m);

/* What vq_net_hdr_from_mbuf() asks the caller to patch after copying. */
struct vq_csum_patch {
	bool needed;
	uint32_t offset; /* in the frame */
	uint16_t value;
};

/*
 * Build the RX header for @m as this queue's driver negotiated it. Returns
 * 0, or -ENOTSUP when the frame needs an offload the driver lacks.
 */
int vq_net_hdr_from_mbuf(const struct vq *vq, const struct rte_mbuf *m,
			 struct virtio_net_hdr_mrg_rxbuf *hdr, struct vq_csum_patch *patch);

#endif /* VQ_PRIV_H */
