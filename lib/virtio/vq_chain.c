/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Descriptor chains of the split ring: walking, validating and translating
 * them into host segments, and copying through those segments.
 *
 * Everything read from the ring is copied into local memory once before it
 * is checked: the driver may rewrite the ring at any moment.
 */
#include <string.h>

#include <rte_atomic.h>
#include <rte_memcpy.h>

#include "vq_priv.h"

static inline const struct vq_mem_region *region_of(struct vq *vq, uint64_t iova)
{
	const struct vq_mem_region *r = vq->last_region;

	if (likely(r != NULL && iova >= r->iova_start && iova <= r->iova_last))
		return r;
	r = vq_mem_lookup(vq->mem, iova);
	if (r != NULL)
		vq->last_region = r;
	return r;
}

/* Translate [addr, addr + len) into segments; a buffer may span regions. */
static bool add_buffer(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm, uint32_t *nsegs)
{
	if (len == 0)
		return true;
	if (addr + (len - 1) < addr)
		return false;
	while (len > 0) {
		const struct vq_mem_region *r = region_of(vq, addr);
		uint64_t room;
		uint32_t n;

		if (unlikely(r == NULL || (r->perm & perm) != perm || *nsegs == vq->max_segs))
			return false;
		room = r->iova_last - addr; /* bytes after addr in r */
		n = room >= len - 1 ? len : (uint32_t)(room + 1);
		vq->segs[(*nsegs)++] = (struct vq_seg){
			.addr = r->host_addr + (addr - r->iova_start),
			.len = n,
		};
		addr += n;
		len -= n;
	}
	return true;
}

static inline struct vring_desc read_desc(const struct vring_desc *d)
{
	struct vring_desc copy;

	memcpy(&copy, d, sizeof(copy));
	rte_compiler_barrier();
	return copy;
}

enum vq_chain_status vq_split_collect(struct vq *vq, uint16_t head, bool writable, uint32_t *nsegs,
				      uint32_t *total)
{
	const struct vring_desc *table = vq->desc;
	uint32_t table_size = vq->size;
	uint32_t perm = writable ? VQ_MEM_WRITE : VQ_MEM_READ;
	uint32_t idx = head, visited = 0;
	uint64_t sum = *total;
	bool in_indirect = false;

	if (unlikely(head >= vq->size))
		return VQ_CHAIN_BROKEN;
	for (;;) {
		struct vring_desc d;

		/* More descriptors than the ring holds means a loop. */
		if (unlikely(idx >= table_size || ++visited > vq->size))
			return VQ_CHAIN_BAD;
		d = read_desc(&table[idx]);

		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (unlikely(!vq->indirect || in_indirect ||
				     (d.flags & VRING_DESC_F_NEXT) || d.len == 0 ||
				     d.len % sizeof(struct vring_desc) != 0 ||
				     d.len / sizeof(struct vring_desc) > vq->size))
				return VQ_CHAIN_BAD;
			table = vq_mem_translate(vq->mem, d.addr, d.len, VQ_MEM_READ);
			if (unlikely(table == NULL))
				return VQ_CHAIN_BAD;
			table_size = d.len / sizeof(struct vring_desc);
			idx = 0;
			in_indirect = true;
			continue;
		}
		if (unlikely(!!(d.flags & VRING_DESC_F_WRITE) != writable))
			return VQ_CHAIN_BAD;
		if (unlikely(!add_buffer(vq, d.addr, d.len, perm, nsegs)))
			return VQ_CHAIN_BAD;
		sum += d.len;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	*total = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
	return VQ_CHAIN_OK;
}

/* Find the segment holding byte @off; returns its index, *off becomes local. */
static uint32_t seek(const struct vq_seg *segs, uint32_t nsegs, uint32_t *off)
{
	uint32_t i = 0;

	while (i < nsegs && *off >= segs[i].len) {
		*off -= segs[i].len;
		i++;
	}
	return i;
}

void vq_segs_read(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, void *dst, uint32_t len)
{
	uint8_t *out = dst;
	uint32_t i = seek(segs, nsegs, &off);

	for (; len > 0 && i < nsegs; i++, off = 0) {
		uint32_t n = RTE_MIN(len, segs[i].len - off);

		memcpy(out, segs[i].addr + off, n);
		out += n;
		len -= n;
	}
	rte_compiler_barrier();
}

void vq_segs_write(const struct vq_seg *segs, uint32_t nsegs, uint32_t off, const void *src,
		   uint32_t len)
{
	const uint8_t *in = src;
	uint32_t i = seek(segs, nsegs, &off);

	for (; len > 0 && i < nsegs; i++, off = 0) {
		uint32_t n = RTE_MIN(len, segs[i].len - off);

		rte_memcpy(segs[i].addr + off, in, n);
		in += n;
		len -= n;
	}
}
