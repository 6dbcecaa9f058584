/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VQ_H
#define VQ_H

/**
 * @file
 * Device side of a virtio-net virtqueue: the switch's data path.
 *
 * A queue moves packets between a virtio driver's ring (split, or packed
 * with VIRTIO_F_RING_PACKED; the ring and buffers reached through a struct
 * vq_mem_table) and DPDK mbufs.
 * The driver's memory is untrusted: every index, chain and address it hands
 * over is validated, a bad chain is returned to the driver with length 0 and
 * counted, and a queue whose ring itself breaks the protocol stops alone
 * (vq_is_broken()). No call blocks, allocates (except mbufs from the pool
 * given), takes a lock or makes a system call.
 *
 * A queue is used by one thread at a time. The memory table it points to
 * must not change while the queue is in use.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "vq_mem.h"

/** Size of the virtio-net header with VIRTIO_F_VERSION_1 (num_buffers included). */
#define VQ_NET_HDR_LEN 12

/** Largest frame a queue accepts or delivers, GSO frames included, header excluded. */
#define VQ_MAX_PKT_LEN (64 * 1024 + 14 + 4)

/** Bit 15 of a packed queue's last_avail_idx: the wrap counter. */
#define VQ_PACKED_WRAP 0x8000

struct vq;

/**
 * What a queue on a packed ring keeps, in memory that outlives the process
 * (a shared mapping of a file), so that a restarted process can find where
 * the queue was (vq_recover_position()). A split ring needs none: its used
 * index, in the driver's memory, says the same.
 *
 * Written by the queue's thread only: chain_len[] before the used entry it
 * describes, position at the end of each burst. Nothing here is trusted when
 * read back: vq_recover_position() checks every value against the ring.
 */
struct vq_journal {
	/** Where the last burst ended, encoded as vq_config::last_avail_idx. */
	uint16_t position;
	uint16_t reserved; /**< 0 */
	/**
	 * By ring slot: ring slots taken by the chain whose used entry the
	 * queue wrote at that slot, in the ring's current lap.
	 */
	uint16_t chain_len[];
};

/** Bytes of a struct vq_journal for a ring of @p size entries. */
static inline size_t vq_journal_size(uint16_t size)
{
	return sizeof(struct vq_journal) + sizeof(uint16_t) * (size_t)size;
}

/** Where a queue lives and what the driver negotiated. */
struct vq_config {
	uint16_t size;	      /**< ring size: a power of two, 1..32768 */
	uint64_t features;    /**< negotiated feature bits (VIRTIO_F_*, VIRTIO_NET_F_*) */
	uint64_t desc_iova;   /**< descriptor table */
	uint64_t driver_iova; /**< driver area (available ring) */
	uint64_t device_iova; /**< device area (used ring) */
	/**
	 * First available entry to process. Split: the free-running avail
	 * index (0 on a fresh queue). Packed: the slot, with the driver's wrap
	 * counter in bit 15 (VQ_PACKED_WRAP on a fresh queue).
	 */
	uint16_t last_avail_idx;
	const struct vq_mem_table *mem; /**< the driver's memory, as mapped here */
	/**
	 * Packed rings: journal to keep up to date for vq_recover_position(),
	 * vq_journal_size(size) bytes; NULL for none. Ignored by split rings.
	 */
	struct vq_journal *journal;
};

/** Counters of one queue; they only grow. */
struct vq_stats {
	uint64_t packets;     /**< frames moved (dequeued or enqueued) */
	uint64_t bytes;	      /**< their bytes, virtio-net header excluded */
	uint64_t bad_chains;  /**< chains returned unused: bad index, loop, address, permission,
				 length */
	uint64_t bad_headers; /**< frames dropped for an invalid virtio-net header */
	uint64_t no_mbufs;    /**< bursts cut short because the mempool was empty */
	uint64_t too_big; /**< frames dropped: larger than the driver's buffers or VQ_MAX_PKT_LEN */
	uint64_t no_offload;   /**< frames dropped: GSO the driver did not negotiate and that
				  cannot be segmented here (bad lengths or headers) */
	uint64_t gso_segments; /**< TCP/UDP segments made in software for a driver without GSO */
	uint64_t gso_dropped;  /**< such segments that found no buffer */
	uint64_t interrupts;   /**< times vq_need_interrupt() said yes */
	uint64_t interrupts_suppressed; /**< times it said no to used entries not yet
					   signalled: the driver asked for none (virtio
					   spec, "Used Buffer Notification Suppression") */
};

/**
 * Create a queue over rings already mapped in @p cfg->mem.
 *
 * @param cfg       the ring's location, size and negotiated features
 * @param socket_id NUMA socket for the queue's own state (SOCKET_ID_ANY allowed)
 * @param err       set to a negative errno on failure: -EINVAL for a bad size or
 *                  feature set, -EFAULT when a ring area is not mapped with the
 *                  permissions it needs, -ENOMEM
 * @return the queue, or NULL.
 */
struct vq *vq_create(const struct vq_config *cfg, int socket_id, int *err);

/** Free a queue (NULL is allowed). The ring memory is not touched. */
void vq_free(struct vq *vq);

/**
 * Take up to @p count frames the driver transmitted.
 *
 * Offloads the driver asked for in the virtio-net header become mbuf TX
 * offload flags (checksum; TSO as RTE_MBUF_F_TX_TCP_SEG, USO as
 * RTE_MBUF_F_TX_UDP_SEG), or are completed here in software when no flag can
 * express them. UFO (VIRTIO_NET_HDR_GSO_UDP) is never offered and counts as
 * a bad header.
 *
 * @param vq    a queue the driver transmits on
 * @param mp    pool for the mbufs
 * @param pkts  filled with the frames
 * @param count room in @p pkts
 * @return the number of frames stored in @p pkts.
 */
uint16_t vq_dequeue_burst(struct vq *vq, struct rte_mempool *mp, struct rte_mbuf **pkts,
			  uint16_t count);

/**
 * Copy up to @p count frames into the driver's receive buffers.
 *
 * TX offload flags on the mbufs become the virtio-net header: partial
 * checksums when the driver negotiated VIRTIO_NET_F_GUEST_CSUM (completed in
 * software otherwise), GSO when it negotiated the matching GUEST_TSO4/6 or
 * GUEST_USO4/6. A TSO or USO frame for a driver without that feature is
 * segmented here, each segment its own frame with its own checksum.
 * The mbufs are not freed.
 *
 * @param vq    a queue the driver receives on
 * @param pkts  frames to deliver
 * @param count number of frames
 * @return the number of frames consumed from the front of @p pkts: delivered,
 *         or dropped and counted (too big, bad offload). The rest found no
 *         free buffer; the caller may retry them later or drop them.
 */
uint16_t vq_enqueue_burst(struct vq *vq, struct rte_mbuf *const *pkts, uint16_t count);

/**
 * Whether the driver wants an interrupt for the buffers used since the last
 * time this returned true, honouring VIRTIO_RING_F_EVENT_IDX or the avail
 * ring's NO_INTERRUPT flag. Call once per burst, after the burst.
 */
bool vq_need_interrupt(struct vq *vq);

/**
 * Ask the driver to kick again (before the caller sleeps on the kick eventfd).
 *
 * @return true if buffers became available meanwhile: do not sleep, poll.
 */
bool vq_enable_kicks(struct vq *vq);

/** Ask the driver not to kick: the caller polls. */
void vq_disable_kicks(struct vq *vq);

/** Whether the ring broke the protocol; such a queue does no more work. */
bool vq_is_broken(const struct vq *vq);

/**
 * Where a queue served by a process that died stopped, read from the ring
 * itself: split, the used index the driver sees (entries written but not
 * published are taken again); packed, the journal's last position moved on
 * over the used entries written after it, as the journal's chain lengths
 * say. Every buffer the driver has not seen used is processed again after a
 * restart from there: transmitted frames are sent (again), receive buffers
 * are reused.
 *
 * @param cfg      the queue as the driver set it up, with the journal of the
 *                 dead process for a packed ring (cfg->last_avail_idx ignored)
 * @param position set to the position to restart from, encoded as
 *                 vq_config::last_avail_idx
 * @return 0; -EINVAL for a bad config or a journal the ring contradicts
 *         (then restart from nothing: the state is not to be trusted),
 *         -EFAULT when a ring area is not mapped.
 */
int vq_recover_position(const struct vq_config *cfg, uint16_t *position);

/** The next available entry the queue will process, encoded as vq_config::last_avail_idx. */
uint16_t vq_last_avail_idx(const struct vq *vq);

/** Copy the queue's counters into @p stats. */
void vq_get_stats(const struct vq *vq, struct vq_stats *stats);

#endif /* VQ_H */
