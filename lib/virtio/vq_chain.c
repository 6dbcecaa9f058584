/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Driver buffers as host segments: translation through the memory table
 * (with a one-entry cache), and copies through segment lists.
 */
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

bool vq_add_buffer_slow(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm, uint32_t *nsegs)
{
	if (len == 0)
		return true;
	if (unlikely(addr + (len - 1) < addr))
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

uint8_t *vq_translate_one_slow(struct vq *vq, uint64_t addr, uint32_t len, uint32_t perm)
{
	const struct vq_mem_region *r = region_of(vq, addr);

	return vq_region_holds(r, addr, len, perm) ? r->host_addr + (addr - r->iova_start) : NULL;
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
