/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queue creation and the notification protocol in both directions:
 * interrupts to the driver (used_event or NO_INTERRUPT) and kicks from it
 * (avail_event or NO_NOTIFY).
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

/* The ring areas' sizes for a split ring of @size entries, event fields included. */
static size_t desc_bytes(uint16_t size)
{
	return sizeof(struct vring_desc) * size;
}

static size_t avail_bytes(uint16_t size)
{
	return sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u);
}

static size_t used_bytes(uint16_t size)
{
	return sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size + sizeof(uint16_t);
}

static int map_rings(struct vq *vq, const struct vq_config *cfg)
{
	vq->desc = vq_mem_translate(cfg->mem, cfg->desc_iova, desc_bytes(cfg->size), VQ_MEM_READ);
	vq->avail =
		vq_mem_translate(cfg->mem, cfg->driver_iova, avail_bytes(cfg->size), VQ_MEM_READ);
	vq->used = vq_mem_translate(cfg->mem, cfg->device_iova, used_bytes(cfg->size),
				    VQ_MEM_READ | VQ_MEM_WRITE);
	if (vq->desc == NULL || vq->avail == NULL || vq->used == NULL)
		return -EFAULT;
	/* The spec's alignment: 16 for descriptors, 2 for avail, 4 for used. */
	if ((uintptr_t)vq->desc % 16 || (uintptr_t)vq->avail % 2 || (uintptr_t)vq->used % 4)
		return -EFAULT;
	return 0;
}

struct vq *vq_create(const struct vq_config *cfg, int socket_id, int *err)
{
	struct vq *vq;
	size_t segs_bytes, chains_bytes;
	uint32_t max_segs;

	if (cfg->size == 0 || cfg->size > VQ_MAX_SIZE || (cfg->size & (cfg->size - 1)) ||
	    cfg->mem == NULL || !has(cfg->features, VIRTIO_F_VERSION_1) ||
	    has(cfg->features, VIRTIO_F_RING_PACKED)) {
		*err = -EINVAL;
		return NULL;
	}
	/* Each descriptor may cross a few regions; beyond that a chain is refused. */
	max_segs = cfg->size * 2u;
	segs_bytes = sizeof(struct vq_seg) * max_segs;
	chains_bytes = sizeof(struct vq_chain) * cfg->size;
	vq = rte_zmalloc_socket("vq", sizeof(*vq) + segs_bytes + chains_bytes, RTE_CACHE_LINE_SIZE,
				socket_id);
	if (vq == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	vq->segs = (struct vq_seg *)(vq + 1);
	vq->chains = (struct vq_chain *)((uint8_t *)vq->segs + segs_bytes);
	vq->max_segs = max_segs;
	vq->size = cfg->size;
	vq->mask = cfg->size - 1;
	vq->mem = cfg->mem;
	vq->last_avail_idx = cfg->last_avail_idx;
	vq->used_idx = cfg->last_avail_idx;
	vq->signalled_used = cfg->last_avail_idx;

	vq->event_idx = has(cfg->features, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = has(cfg->features, VIRTIO_RING_F_INDIRECT_DESC);
	vq->mrg_rxbuf = has(cfg->features, VIRTIO_NET_F_MRG_RXBUF);
	vq->guest_csum = has(cfg->features, VIRTIO_NET_F_GUEST_CSUM);
	vq->guest_tso4 = has(cfg->features, VIRTIO_NET_F_GUEST_TSO4);
	vq->guest_tso6 = has(cfg->features, VIRTIO_NET_F_GUEST_TSO6);
	vq->guest_ufo = has(cfg->features, VIRTIO_NET_F_GUEST_UFO);

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

/* used_event lives after the avail ring; avail_event after the used ring. */
static inline uint16_t *used_event(const struct vq *vq)
{
	return &vq->avail->ring[vq->size];
}

static inline uint16_t *avail_event(const struct vq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

bool vq_need_interrupt(struct vq *vq)
{
	uint16_t new = vq->used_idx, old = vq->signalled_used;
	bool need;

	if (new == old)
		return false;
	/* Our used->idx store must be visible before we read the driver's wish. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		uint16_t event = __atomic_load_n(used_event(vq), __ATOMIC_RELAXED);

		/* The driver wants one when used->idx moves past used_event. */
		need = (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	} else {
		need = !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = new;
	vq->stats.interrupts += need;
	return need;
}

bool vq_enable_kicks(struct vq *vq)
{
	if (vq->event_idx)
		__atomic_store_n(avail_event(vq), vq->last_avail_idx, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/* Publish the wish before looking again, or a kick could be lost. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail_idx;
}

void vq_disable_kicks(struct vq *vq)
{
	/*
	 * With event-idx the driver compares against avail_event: leaving it
	 * behind means at most one kick per 65536 buffers.
	 */
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool vq_is_broken(const struct vq *vq)
{
	return vq->broken;
}

uint16_t vq_last_avail_idx(const struct vq *vq)
{
	return vq->last_avail_idx;
}

void vq_get_stats(const struct vq *vq, struct vq_stats *stats)
{
	*stats = vq->stats;
}
