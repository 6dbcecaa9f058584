/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packed ring (VIRTIO_F_RING_PACKED): one descriptor ring shared both
 * ways. A descriptor is available when its AVAIL flag equals the driver's
 * wrap counter and its USED flag does not; chains are consecutive slots
 * linked by NEXT, and the buffer id is in the last one. The device writes a
 * used descriptor (id, len, both flags equal to its own wrap counter) at its
 * used slot and moves on by the number of slots the chain took.
 */
#include "vq_priv.h"

static inline bool is_avail(uint16_t flags, bool wrap)
{
	return !!(flags & VQ_PACKED_AVAIL_F) == wrap && !!(flags & VQ_PACKED_USED_F) != wrap;
}

bool vq_packed_begin(struct vq *vq, struct vq_cursor *cur)
{
	cur->idx = vq->last_avail_idx;
	cur->wrap = vq->avail_wrap;
	cur->limit = 0;
	return is_avail(__atomic_load_n(&vq->pdesc[cur->idx].flags, __ATOMIC_ACQUIRE), cur->wrap);
}

/* Append the buffers of an indirect table; false if anything is wrong. */
static bool walk_indirect(struct vq *vq, const struct vring_packed_desc *d, uint32_t perm,
			  bool writable, uint32_t *nsegs, uint64_t *sum)
{
	const struct vring_packed_desc *table;
	uint32_t i, n = d->len / sizeof(*table);

	if (!vq->indirect || d->len == 0 || d->len % sizeof(*table) != 0 || n > vq->size)
		return false;
	table = vq_mem_translate(vq->mem, d->addr, d->len, VQ_MEM_READ);
	if (table == NULL)
		return false;
	for (i = 0; i < n; i++) {
		struct vring_packed_desc e;

		VQ_READ_ONCE_INTO(e, &table[i]);
		if ((e.flags & VRING_DESC_F_INDIRECT) ||
		    !!(e.flags & VRING_DESC_F_WRITE) != writable ||
		    !vq_add_buffer(vq, e.addr, e.len, perm, nsegs))
			return false;
		*sum += e.len;
	}
	return true;
}

enum vq_chain_status vq_packed_next(struct vq *vq, struct vq_cursor *cur, bool writable,
				    struct vq_chain *c, uint32_t *nsegs)
{
	uint32_t perm = writable ? VQ_MEM_WRITE : VQ_MEM_READ;
	uint16_t idx = cur->idx;
	bool wrap = cur->wrap, ok = true;
	uint64_t sum = 0;
	uint16_t n = 0;

	if (!is_avail(__atomic_load_n(&vq->pdesc[idx].flags, __ATOMIC_ACQUIRE), wrap))
		return VQ_CHAIN_NONE;
	c->at = *cur;
	c->first_seg = *nsegs;

	/* Walk to the chain's end even past an error: its length and id are needed. */
	for (;;) {
		struct vring_packed_desc d;

		if (unlikely(n == vq->size)) {
			vq->broken = true; /* NEXT on every slot: no end to return */
			return VQ_CHAIN_BROKEN;
		}
		VQ_READ_ONCE_INTO(d, &vq->pdesc[idx]);
		n++;
		vq_packed_advance(vq, &idx, &wrap, 1);
		if (ok) {
			if (d.flags & VRING_DESC_F_INDIRECT)
				ok = n == 1 && !(d.flags & VRING_DESC_F_NEXT) &&
				     walk_indirect(vq, &d, perm, writable, nsegs, &sum);
			else
				ok = !!(d.flags & VRING_DESC_F_WRITE) == writable &&
				     vq_add_buffer(vq, d.addr, d.len, perm, nsegs);
			sum += d.flags & VRING_DESC_F_INDIRECT ? 0 : d.len;
		}
		if (!(d.flags & VRING_DESC_F_NEXT)) {
			c->id = d.id;
			break;
		}
	}
	cur->idx = idx;
	cur->wrap = wrap;
	c->ndescs = n;
	if (!ok) {
		*nsegs = c->first_seg;
		c->nsegs = 0;
		c->capacity = 0;
		return VQ_CHAIN_BAD;
	}
	c->nsegs = *nsegs - c->first_seg;
	c->capacity = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
	return VQ_CHAIN_OK;
}

bool vq_packed_need_interrupt(struct vq *vq)
{
	uint16_t flags = __atomic_load_n(&vq->driver_event->flags, __ATOMIC_RELAXED);
	uint16_t off_wrap, event, new = vq->used_idx, old = vq->signalled_used;

	if (flags != VRING_PACKED_EVENT_FLAG_DESC || !vq->event_idx)
		return flags != VRING_PACKED_EVENT_FLAG_DISABLE;
	off_wrap = __atomic_load_n(&vq->driver_event->off_wrap, __ATOMIC_RELAXED);
	event = off_wrap & ~(1u << VRING_PACKED_EVENT_F_WRAP_CTR);
	/* Bring the three positions onto one line before comparing. */
	if (new <= old)
		old -= vq->size;
	if (!!(off_wrap >> VRING_PACKED_EVENT_F_WRAP_CTR) != vq->used_wrap)
		event -= vq->size;
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool vq_packed_enable_kicks(struct vq *vq)
{
	if (vq->event_idx) {
		uint16_t off_wrap = vq->last_avail_idx |
				    (uint16_t)(vq->avail_wrap << VRING_PACKED_EVENT_F_WRAP_CTR);

		__atomic_store_n(&vq->device_event->off_wrap, off_wrap, __ATOMIC_RELAXED);
		__atomic_store_n(&vq->device_event->flags, VRING_PACKED_EVENT_FLAG_DESC,
				 __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(&vq->device_event->flags, VRING_PACKED_EVENT_FLAG_ENABLE,
				 __ATOMIC_RELAXED);
	}
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	return is_avail(__atomic_load_n(&vq->pdesc[vq->last_avail_idx].flags, __ATOMIC_ACQUIRE),
			vq->avail_wrap);
}

void vq_packed_disable_kicks(struct vq *vq)
{
	__atomic_store_n(&vq->device_event->flags, VRING_PACKED_EVENT_FLAG_DISABLE,
			 __ATOMIC_RELAXED);
}
