/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA region table: a small sorted array searched by bisection. Tables are
 * rebuilt by the control plane while the queues are stopped, so the lookups
 * on the data path need no locking.
 */
#include <errno.h>
#include <string.h>

#include "vq_mem.h"

void vq_mem_table_init(struct vq_mem_table *table)
{
	table->nregions = 0;
}

/* Index of the first region whose iova_last >= iova (nregions if none). */
static uint32_t first_ending_at_or_after(const struct vq_mem_table *table, uint64_t iova)
{
	uint32_t lo = 0, hi = table->nregions;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (table->regions[mid].iova_last < iova)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vq_mem_table_add(struct vq_mem_table *table, uint64_t iova_start, uint64_t iova_last,
		     void *host_addr, uint32_t perm)
{
	uint32_t pos;

	if (iova_last < iova_start || host_addr == NULL ||
	    (perm & (VQ_MEM_READ | VQ_MEM_WRITE)) == 0 || (perm & ~(VQ_MEM_READ | VQ_MEM_WRITE)))
		return -EINVAL;
	if (table->nregions == VQ_MEM_MAX_REGIONS)
		return -ENOSPC;

	pos = first_ending_at_or_after(table, iova_start);
	if (pos < table->nregions && table->regions[pos].iova_start <= iova_last)
		return -EEXIST;

	memmove(&table->regions[pos + 1], &table->regions[pos],
		(table->nregions - pos) * sizeof(table->regions[0]));
	table->regions[pos] = (struct vq_mem_region){
		.iova_start = iova_start,
		.iova_last = iova_last,
		.host_addr = host_addr,
		.perm = perm,
	};
	table->nregions++;
	return 0;
}

unsigned int vq_mem_table_remove(struct vq_mem_table *table, uint64_t iova_start,
				 uint64_t iova_last)
{
	uint32_t first = first_ending_at_or_after(table, iova_start);
	uint32_t end = first;

	while (end < table->nregions && table->regions[end].iova_start <= iova_last)
		end++;
	memmove(&table->regions[first], &table->regions[end],
		(table->nregions - end) * sizeof(table->regions[0]));
	table->nregions -= end - first;
	return end - first;
}

const struct vq_mem_region *vq_mem_lookup(const struct vq_mem_table *table, uint64_t iova)
{
	uint32_t pos = first_ending_at_or_after(table, iova);

	if (pos < table->nregions && table->regions[pos].iova_start <= iova)
		return &table->regions[pos];
	return NULL;
}

void *vq_mem_translate(const struct vq_mem_table *table, uint64_t iova, uint64_t len, uint32_t perm)
{
	const struct vq_mem_region *r = vq_mem_lookup(table, iova);

	if (r == NULL || (r->perm & perm) != perm)
		return NULL;
	/* len - 1 bytes past iova must stay in the region; no wrap. */
	if (len > 0 && len - 1 > r->iova_last - iova)
		return NULL;
	return r->host_addr + (iova - r->iova_start);
}
