/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VQ_PRIV_H
#define VQ_PRIV_H

/* Internals shared by the engine's files; not part of the API. */

#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include <string.h>

#include <rte_atomic.h>
#include <rte_branch_prediction.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "offload.h"
#include "virtio_net_uso.h"
#include "vq.h"

/* A piece of a driver buffer, translated: host address and length. */
struct vq_seg {
	uint8_t *addr;
	uint32_t len;
};

/*
 * Where the next available chain is looked for. Split: a free-running avail
 * index, below @limit (avail->idx read once per burst). Packed: a ring
 * position and the wrap counter the driver uses there.
 */
struct vq_cursor {
	uint16_t idx;
	uint16_t limit;
	bool wrap;
};

/* One chain taken from the ring; where its segments are in vq->segs. */
struct vq_chain {
	struct vq_cursor at; /* the cursor before this chain */
	uint16_t id;	     /* split: head index; packed: buffer id */
	uint16_t ndescs;     /* packed: ring slots the chain occupies */
	uint32_t first_seg;
	uint32_t nsegs;
	uint32_t capacity; /* bytes; 0 for a bad chain */
};

struct vq {
	/* Ring areas, translated once at creation. */
	struct vring_desc *desc;		      /* split */
	struct vring_avail *avail;		      /* split */
	struct vring_used *used;		      /* split */
	struct vring_packed_desc *pdesc;	      /* packed */
	struct vring_packed_desc_event *driver_event; /* packed: when to interrupt */
	struct vring_packed_desc_event *device_event; /* packed: when to kick */
	uint16_t size;
	uint16_t mask; /* split */
	bool packed;

	uint16_t last_avail_idx; /* next available entry (split) or slot (packed) */
	bool avail_wrap;	 /* packed: driver's wrap counter at last_avail_idx */
	uint16_t used_idx;	 /* split: our copy of used->idx; packed: next used slot */
	bool used_wrap;		 /* packed: wrap counter at used_idx */
	uint16_t signalled_used; /* used_idx when we last decided about an interrupt */
	bool used_pending;	 /* used entries written since that decision */
	bool broken;

	bool event_idx;
	bool indirect;
	bool mrg_rxbuf;
	bool guest_csum;
	bool guest_tso4;
	bool guest_tso6;
	bool guest_uso4;
	bool guest_uso6;

	const struct vq_mem_table *mem;
	const struct vq_mem_region *last_region; /* translation cache */
	struct vq_journal *journal;		 /* packed: crash-recovery journal */

	struct vq_stats stats;

	/* Scratch for the chains being processed; sized at creation. */
	uint32_t max_segs;
	struct vq_seg *segs;
	struct vq_chain *chains;
};

/* Result of taking one chain from the ring. */
enum vq_chain_status {
	VQ_CHAIN_OK,
	VQ_CHAIN_NONE,	 /* nothing available */
	VQ_CHAIN_BAD,	 /* return the chain with len 0 and count it */
	VQ_CHAIN_BROKEN, /* the ring itself is unusable */
};

/* Whether region @r holds all of [addr, addr + len), len > 0, with @perm. */
static inline bool vq_region_holds(const struct vq_mem_region *r, uint64_t addr, uint32_t len,
				   uint32_t perm)
{
	return r != NULL && len > 0 && addr >= r->iova_start && addr <= r->iova_last &&
	       len - 1 <= r->iova_last - addr && (r->perm & perm) == perm;
}

/* vq_add_buffer() for buffers outside the cached region or spanning regions. */
bool vq_add_buffer_slow(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm, uint32_t *nsegs);

/* vq_translate_one() for buffers outside the cached region. */
uint8_t *vq_translate_one_slow(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm);

/*
 * Host address of [addr, addr + len) when a single region holds all of it
 * with @perm; NULL otherwise (the buffer may still span regions).
 */
static inline uint8_t *vq_translate_one(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm)
{
	const struct vq_mem_region *r = vq->last_region;

	if (likely(vq_region_holds(r, addr, len, perm)))
		return r->host_addr + (addr - r->iova_start);
	return vq_translate_one_slow(vq, addr, len, perm);
}

/*
 * Translate [addr, addr + len) into segments appended at vq->segs[*nsegs];
 * a buffer may span regions. False when any byte is unmapped, lacks @perm,
 * the range wraps, or the scratch is full.
 */
static inline bool vq_add_buffer(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm,
				 uint32_t *nsegs)
{
	const struct vq_mem_region *r = vq->last_region;

	/* Most buffers sit whole in the region the previous one was in. */
	if (likely(vq_region_holds(r, addr, len, perm) && *nsegs < vq->max_segs)) {
		vq->segs[(*nsegs)++] = (struct vq_seg){
			.addr = r->host_addr + (addr - r->iova_start),
			.len = len,
		};
		return true;
	}
	return vq_add_buffer_slow(vq, addr, len, perm, nsegs);
}

/* Per layout: start a burst (false: nothing to do), take the next chain,
 * return a chain to the driver, publish what was returned. */
bool vq_split_begin(struct vq *vq, struct vq_cursor *cur);
enum vq_chain_status vq_split_next(struct vq *vq, struct vq_cursor *cur, bool writable,
				   struct vq_chain *c, uint32_t *nsegs);
void vq_split_publish(struct vq *vq);
bool vq_split_need_interrupt(struct vq *vq);
bool vq_split_enable_kicks(struct vq *vq);
void vq_split_disable_kicks(struct vq *vq);

/* Packed descriptor flags that say who owns a slot. */
#define VQ_PACKED_AVAIL_F (1u << VRING_PACKED_DESC_F_AVAIL)
#define VQ_PACKED_USED_F  (1u << VRING_PACKED_DESC_F_USED)

/* Move a packed ring position @n slots on, turning the wrap counter at the end. */
static inline void vq_packed_advance(const struct vq *vq, uint16_t *idx, bool *wrap, uint16_t n)
{
	*idx += n;
	if (*idx >= vq->size) {
		*idx -= vq->size;
		*wrap = !*wrap;
	}
}

/* Return buffer @id (split: a head index) to the driver with @len bytes written. */
static inline void vq_split_put_used(struct vq *vq, uint16_t id, uint32_t len)
{
	struct vring_used_elem *e = &vq->used->ring[vq->used_idx & vq->mask];

	e->id = id;
	e->len = len;
	vq->used_idx++;
	vq->used_pending = true;
}

/* Return buffer @id, whose chain took @ndescs slots, with @len bytes written. */
static inline void vq_packed_put_used(struct vq *vq, uint16_t id, uint16_t ndescs, uint32_t len)
{
	struct vring_packed_desc *d = &vq->pdesc[vq->used_idx];

	/* The journal first: a used entry it does not describe cannot be walked over. */
	vq->journal->chain_len[vq->used_idx] = ndescs;
	d->id = id;
	d->len = len;
	/* The flags make the entry visible: they go last. */
	__atomic_store_n(&d->flags, vq->used_wrap ? VQ_PACKED_AVAIL_F | VQ_PACKED_USED_F : 0,
			 __ATOMIC_RELEASE);
	vq_packed_advance(vq, &vq->used_idx, &vq->used_wrap, ndescs);
	vq->used_pending = true;
}

bool vq_packed_begin(struct vq *vq, struct vq_cursor *cur);
enum vq_chain_status vq_packed_next(struct vq *vq, struct vq_cursor *cur, bool writable,
				    struct vq_chain *c, uint32_t *nsegs);
bool vq_packed_need_interrupt(struct vq *vq);
bool vq_packed_enable_kicks(struct vq *vq);
void vq_packed_disable_kicks(struct vq *vq);

/*
 * The common case of both layouts (vq_fast.c): take entries that are one
 * direct descriptor in one region, from @cur on, stopping at the first
 * other one, which is left for the general path. Dequeue fills up to @count
 * raw pool mbufs that have @mbuf_room bytes after the headroom and returns
 * how many it filled (entries with a bad header are returned to the driver
 * and counted); enqueue delivers up to @count one-segment frames whose
 * offloads the driver takes and returns how many. @cur and the queue's
 * position move past the entries taken, which are used and counted.
 */
uint16_t vq_dequeue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf **pkts,
			   uint16_t count, uint32_t mbuf_room);
uint16_t vq_enqueue_simple(struct vq *vq, struct vq_cursor *cur, struct rte_mbuf *const *pkts,
			   uint16_t count);

/* Make @cur the queue's position: the chains before it are consumed. */
static inline void vq_commit_cursor(struct vq *vq, const struct vq_cursor *cur)
{
	vq->last_avail_idx = cur->idx;
	vq->avail_wrap = cur->wrap;
}

/* Copy a descriptor out of shared memory once, before anything looks at it. */
#define VQ_READ_ONCE_INTO(dst, src)                 \
	do {                                        \
		memcpy(&(dst), (src), sizeof(dst)); \
		rte_compiler_barrier();             \
	} while (0)

/* Copy @len bytes from the segments, from byte @off on, into @dst. */
void vq_segs_read(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, void *dst, uint32_t len);

/* Copy @len bytes from @src into the segments, from byte @off on. */
void vq_segs_write(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, const void *src,
		   uint32_t len);

/*
 * Smallest gso_size accepted, from a driver's header or on an mbuf to cut in
 * software: lib/offload's, so that what a driver may send is what can be cut.
 */
#define VQ_MIN_GSO_SIZE OFFLOAD_MIN_GSO_SIZE

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

/* mbuf flags that vq_net_hdr_from_mbuf() turns into something: without them the header is zero. */
#define VQ_HDR_MBUF_FLAGS                                                        \
	(RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG | \
	 RTE_MBUF_F_RX_L4_CKSUM_MASK)

/*
 * Build the RX header for @m as this queue's driver negotiated it. Returns
 * 0, or -ENOTSUP when the frame needs an offload the driver lacks.
 */
int vq_net_hdr_from_mbuf(const struct vq *vq, const struct rte_mbuf *m,
			 struct virtio_net_hdr_mrg_rxbuf *hdr, struct vq_csum_patch *patch);

/* A frame to deliver: @prefix_len bytes of @prefix, then bytes [off, off + len) of @m. */
struct vq_frame {
	const uint8_t *prefix;
	uint32_t prefix_len;
	const struct rte_mbuf *m;
	uint32_t off;
	uint32_t len;
};

enum vq_deliver_result {
	VQ_DELIVERED, /* in the driver's buffers */
	VQ_NO_ROOM,   /* not enough buffers: nothing consumed */
	VQ_DROPPED,   /* too big for the driver's buffer, counted */
};

/* Deliver one frame behind @hdr (num_buffers is filled in) at the ring cursor. */
enum vq_deliver_result vq_deliver_frame(struct vq *vq, struct vq_cursor *cur,
					struct virtio_net_hdr_mrg_rxbuf *hdr,
					const struct vq_frame *f,
					const struct vq_csum_patch *patch);

/*
 * Deliver a TSO or USO frame as gso_size segments, for a driver that cannot
 * take it whole. VQ_NO_ROOM when not even the first segment found buffers
 * (nothing consumed); segments that find no room after that are dropped
 * and counted. VQ_DROPPED, counted as no_offload, when lib/offload cannot
 * cut the frame (offload_gso_begin(): bad lengths, flags or headers).
 */
enum vq_deliver_result vq_deliver_gso_segments(struct vq *vq, struct vq_cursor *cur,
					       const struct rte_mbuf *m);

#endif /* VQ_PRIV_H */
