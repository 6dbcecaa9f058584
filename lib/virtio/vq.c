/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue creation and the layout-independent entry points: interrupts to the
 * driver and kicks from it, state and counters.
 */
#include <errno.h>
#include <linux/virtio_config.h>

#include <rte_atomic.h>
#include <rte_malloc.h>

#include "vq_priv.h"

#define VQ_MAX_SIZE 32768

static inline bool has(uint64_t features, unsigned int bit)
{
	return features & (1ULL << bit);
}

/* Bytes of each ring area, event-suppression fields included. */
struct ring_sizes {
	size_t desc, driver, device;
};

static struct ring_sizes ring_sizes(uint16_t size, bool packed)
{
	if (packed)
		return (struct ring_sizes){
			.desc = sizeof(struct vring_packed_desc) * size,
			.driver = sizeof(struct vring_packed_desc_event),
			.device = sizeof(struct vring_packed_desc_event),
		};
	return (struct ring_sizes){
		.desc = sizeof(struct vring_desc) * size,
		.driver = sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u),
		.device = sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size +
			  sizeof(uint16_t),
	};
}

static int map_rings(struct vq *vq, const struct vq_config *cfg)
{
	struct ring_sizes sz = ring_sizes(cfg->size, vq->packed);
	/* The packed ring's descriptors are written back by the device. */
	uint32_t desc_perm = vq->packed ? VQ_MEM_READ | VQ_MEM_WRITE : VQ_MEM_READ;
	void *desc = vq_mem_translate(cfg->mem, cfg->desc_iova, sz.desc, desc_perm);
	void *driver = vq_mem_translate(cfg->mem, cfg->driver_iova, sz.driver, VQ_MEM_READ);
	void *device =
		vq_mem_translate(cfg->mem, cfg->device_iova, sz.device, VQ_MEM_READ | VQ_MEM_WRITE);

	if (desc == NULL || driver == NULL || device == NULL)
		return -EFAULT;
	/* The spec's alignments: descriptors 16; split avail 2, used 4; packed events 4. */
	if ((uintptr_t)desc % 16 || (uintptr_t)driver % (vq->packed ? 4 : 2) ||
	    (uintptr_t)device % 4)
		return -EFAULT;
	if (vq->packed) {
		vq->pdesc = desc;
		vq->driver_event = driver;
		vq->device_event = device;
	} else {
		vq->desc = desc;
		vq->avail = driver;
		vq->used = device;
	}
	return 0;
}

static bool valid_size(uint16_t size, bool packed)
{
	if (size == 0 || size > VQ_MAX_SIZE)
		return false;
	return packed || (size & (size - 1)) == 0;
}

struct vq *vq_create(const struct vq_config *cfg, int socket_id, int *err)
{
	bool packed = has(cfg->features, VIRTIO_F_RING_PACKED);
	size_t segs_bytes, chains_bytes, journal_bytes;
	uint32_t max_segs;
	struct vq *vq;

	if (!valid_size(cfg->size, packed) || cfg->mem == NULL ||
	    !has(cfg->features, VIRTIO_F_VERSION_1)) {
		*err = -EINVAL;
		return NULL;
	}
	/* Each descriptor may cross a region boundary; beyond that a chain is refused. */
	max_segs = cfg->size * 2u;
	segs_bytes = sizeof(struct vq_seg) * max_segs;
	chains_bytes = sizeof(struct vq_chain) * cfg->size;
	/* A packed queue always keeps a journal: its own when none is given. */
	journal_bytes = packed && cfg->journal == NULL ? vq_journal_size(cfg->size) : 0;
	vq = rte_zmalloc_socket("vq", sizeof(*vq) + segs_bytes + chains_bytes + journal_bytes,
				RTE_CACHE_LINE_SIZE, socket_id);
	if (vq == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	vq->segs = (struct vq_seg *)(vq + 1);
	vq->chains = (struct vq_chain *)((uint8_t *)vq->segs + segs_bytes);
	vq->max_segs = max_segs;
	vq->size = cfg->size;
	vq->mask = cfg->size - 1;
	vq->packed = packed;
	vq->mem = cfg->mem;
	if (packed) {
		vq->last_avail_idx = cfg->last_avail_idx & ~VQ_PACKED_WRAP;
		vq->avail_wrap = !!(cfg->last_avail_idx & VQ_PACKED_WRAP);
		if (vq->last_avail_idx >= cfg->size) {
			*err = -EINVAL;
			rte_free(vq);
			return NULL;
		}
		vq->used_idx = vq->last_avail_idx;
		vq->used_wrap = vq->avail_wrap;
		vq->journal = cfg->journal != NULL
				      ? cfg->journal
				      : (struct vq_journal *)((uint8_t *)vq->chains + chains_bytes);
		vq->journal->position = cfg->last_avail_idx;
	} else {
		vq->last_avail_idx = cfg->last_avail_idx;
		vq->used_idx = cfg->last_avail_idx;
	}
	vq->signalled_used = vq->used_idx;

	vq->event_idx = has(cfg->features, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = has(cfg->features, VIRTIO_RING_F_INDIRECT_DESC);
	vq->mrg_rxbuf = has(cfg->features, VIRTIO_NET_F_MRG_RXBUF);
	vq->guest_csum = has(cfg->features, VIRTIO_NET_F_GUEST_CSUM);
	vq->guest_tso4 = has(cfg->features, VIRTIO_NET_F_GUEST_TSO4);
	vq->guest_tso6 = has(cfg->features, VIRTIO_NET_F_GUEST_TSO6);
	vq->guest_uso4 = has(cfg->features, VIRTIO_NET_F_GUEST_USO4);
	vq->guest_uso6 = has(cfg->features, VIRTIO_NET_F_GUEST_USO6);

	*err = map_rings(vq, cfg);
	if (*err != 0) {
		rte_free(vq);
		return NULL;
	}
	return vq;
}

void vq_free(struct vq *vq)
{
	rte_free(vq);
}

bool vq_need_interrupt(struct vq *vq)
{
	bool need;

	if (!vq->used_pending)
		return false;
	/* Our used entries must be visible before we read the driver's wish. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	need = vq->packed ? vq_packed_need_interrupt(vq) : vq_split_need_interrupt(vq);
	vq->signalled_used = vq->used_idx;
	vq->used_pending = false;
	vq->stats.interrupts += need;
	vq->stats.interrupts_suppressed += !need;
	return need;
}

bool vq_enable_kicks(struct vq *vq)
{
	return vq->packed ? vq_packed_enable_kicks(vq) : vq_split_enable_kicks(vq);
}

void vq_disable_kicks(struct vq *vq)
{
	if (vq->packed)
		vq_packed_disable_kicks(vq);
	else
		vq_split_disable_kicks(vq);
}

bool vq_is_broken(const struct vq *vq)
{
	return vq->broken;
}

/* Packed: from the journal's position, over the used entries of this lap. */
static int recover_packed(const struct vq *vq, const struct vq_journal *j, uint16_t *position)
{
	uint16_t idx = j->position & ~VQ_PACKED_WRAP;
	bool wrap = !!(j->position & VQ_PACKED_WRAP);
	uint32_t walked = 0;

	if (idx >= vq->size)
		return -EINVAL;
	/*
	 * The queue wrote each used entry at the first slot of its chain with
	 * USED equal to its wrap counter; a slot it has not reached this lap
	 * still has USED the other way (available, or the previous lap's).
	 */
	for (;;) {
		uint16_t flags = __atomic_load_n(&vq->pdesc[idx].flags, __ATOMIC_ACQUIRE);
		uint16_t n;

		if (!!(flags & VQ_PACKED_USED_F) != wrap)
			break;
		n = j->chain_len[idx];
		walked += n;
		if (n == 0 || walked > vq->size)
			return -EINVAL; /* a used entry the journal does not know */
		vq_packed_advance(vq, &idx, &wrap, n);
	}
	*position = idx | (wrap ? VQ_PACKED_WRAP : 0);
	return 0;
}

int vq_recover_position(const struct vq_config *cfg, uint16_t *position)
{
	struct vq_config c = *cfg;
	struct vq *vq;
	int err;

	if (has(cfg->features, VIRTIO_F_RING_PACKED)) {
		if (cfg->journal == NULL)
			return -EINVAL;
		c.last_avail_idx = cfg->journal->position;
		c.journal = NULL; /* creating the queue must not reset it */
	}
	vq = vq_create(&c, SOCKET_ID_ANY, &err);
	if (vq == NULL)
		return err;
	if (vq->packed) {
		err = recover_packed(vq, cfg->journal, position);
	} else {
		uint16_t used = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);

		*position = used;
		/* The driver cannot have more out than the ring holds. */
		if ((uint16_t)(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) - used) >
		    vq->size)
			err = -EINVAL;
	}
	vq_free(vq);
	return err;
}

uint16_t vq_last_avail_idx(const struct vq *vq)
{
	if (vq->packed)
		return vq->last_avail_idx | (vq->avail_wrap ? VQ_PACKED_WRAP : 0);
	return vq->last_avail_idx;
}

void vq_get_stats(const struct vq *vq, struct vq_stats *stats)
{
	*stats = vq->stats;
}
