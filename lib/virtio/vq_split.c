/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The split ring: available entries name chain heads in the descriptor
 * table; used entries are written as chains complete and published with one
 * release store of used->idx per burst.
 */
#include "vq_priv.h"

bool vq_split_begin(struct vq *vq, struct vq_cursor *cur)
{
	uint16_t avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);

	/* The driver cannot have more entries out than the ring holds. */
	if (unlikely((uint16_t)(avail_idx - vq->last_avail_idx) > vq->size)) {
		vq->broken = true;
		return false;
	}
	cur->idx = vq->last_avail_idx;
	cur->limit = avail_idx;
	cur->wrap = false;
	return avail_idx != vq->last_avail_idx;
}

/* Walk the chain at @head, appending its buffers to vq->segs. */
static enum vq_chain_status walk(struct vq *vq, uint16_t head, bool writable, uint32_t *nsegs,
				 uint32_t *total)
{
	const struct vring_desc *table = vq->desc;
	uint32_t table_size = vq->size;
	uint32_t perm = writable ? VQ_MEM_WRITE : VQ_MEM_READ;
	uint32_t idx = head, visited = 0;
	uint64_t sum = 0;
	bool in_indirect = false;

	for (;;) {
		struct vring_desc d;

		/* More descriptors than the table holds means a loop. */
		if (unlikely(idx >= table_size || ++visited > table_size))
			return VQ_CHAIN_BAD;
		VQ_READ_ONCE_INTO(d, &table[idx]);

		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (unlikely(!vq->indirect || in_indirect ||
				     (d.flags & VRING_DESC_F_NEXT) || d.len == 0 ||
				     d.len % sizeof(struct vring_desc) != 0 ||
				     d.len / sizeof(struct vring_desc) > vq->size))
				return VQ_CHAIN_BAD;
			table = vq_mem_translate(vq->mem, d.addr, d.len, VQ_MEM_READ);
			if (unlikely(table == NULL))
				return VQ_CHAIN_BAD;
			/* A table of up to ring-size entries, each visited once at most. */
			table_size = d.len / sizeof(struct vring_desc);
			visited = 0;
			idx = 0;
			in_indirect = true;
			continue;
		}
		if (unlikely(!!(d.flags & VRING_DESC_F_WRITE) != writable))
			return VQ_CHAIN_BAD;
		if (unlikely(!vq_add_buffer(vq, d.addr, d.len, perm, nsegs)))
			return VQ_CHAIN_BAD;
		sum += d.len;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	*total = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
	return VQ_CHAIN_OK;
}

/*
 * Most chains are one direct descriptor (a frame behind its header, or one
 * receive buffer): take those without the general walk. Anything else, or
 * anything wrong, goes through walk(), which reads and checks it all again.
 */
static inline enum vq_chain_status walk_one(struct vq *vq, uint16_t head, bool writable,
					    uint32_t *nsegs, uint32_t *total)
{
	uint16_t want = writable ? VRING_DESC_F_WRITE : 0;
	uint32_t first = *nsegs;
	struct vring_desc d;

	VQ_READ_ONCE_INTO(d, &vq->desc[head]);
	if (likely(d.flags == want &&
		   vq_add_buffer(vq, d.addr, d.len, writable ? VQ_MEM_WRITE : VQ_MEM_READ,
				 nsegs))) {
		*total = d.len;
		return VQ_CHAIN_OK;
	}
	*nsegs = first; /* drop what a failed translation may have appended */
	return walk(vq, head, writable, nsegs, total);
}

enum vq_chain_status vq_split_next(struct vq *vq, struct vq_cursor *cur, bool writable,
				   struct vq_chain *c, uint32_t *nsegs)
{
	enum vq_chain_status st;

	if (cur->idx == cur->limit)
		return VQ_CHAIN_NONE;
	c->at = *cur;
	c->id = __atomic_load_n(&vq->avail->ring[cur->idx & vq->mask], __ATOMIC_RELAXED);
	c->ndescs = 1;
	c->first_seg = *nsegs;
	c->capacity = 0;
	if (unlikely(c->id >= vq->size)) {
		vq->broken = true;
		return VQ_CHAIN_BROKEN;
	}
	cur->idx++;
	if (cur->idx != cur->limit)
		rte_prefetch0(&vq->desc[vq->avail->ring[cur->idx & vq->mask] & vq->mask]);
	st = walk_one(vq, c->id, writable, nsegs, &c->capacity);
	if (st != VQ_CHAIN_OK) {
		*nsegs = c->first_seg;
		c->capacity = 0;
	}
	c->nsegs = *nsegs - c->first_seg;
	return st;
}

void vq_split_publish(struct vq *vq)
{
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
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

bool vq_split_need_interrupt(struct vq *vq)
{
	uint16_t new = vq->used_idx, old = vq->signalled_used;

	if (vq->event_idx) {
		uint16_t event = __atomic_load_n(used_event(vq), __ATOMIC_RELAXED);

		/* The driver wants one when used->idx moves past used_event. */
		return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
	}
	return !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) & VRING_AVAIL_F_NO_INTERRUPT);
}

bool vq_split_enable_kicks(struct vq *vq)
{
	if (vq->event_idx)
		__atomic_store_n(avail_event(vq), vq->last_avail_idx, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	/* Publish the wish before looking again, or a kick could be lost. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail_idx;
}

void vq_split_disable_kicks(struct vq *vq)
{
	/*
	 * With event-idx the driver compares against avail_event: leaving it
	 * behind means at most one kick per 65536 buffers.
	 */
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}
