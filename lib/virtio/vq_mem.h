/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VQ_MEM_H
#define VQ_MEM_H

/**
 * @file
 * IOVA to host-address translation for the virtqueue engine.
 *
 * The party that maps the driver's memory (lib/vduse for VDUSE bounce or
 * umem memory, a vhost backend for VM memory) describes it as a table of
 * regions. The engine translates every address a driver hands it through
 * this table, always together with the length it will touch.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** The device may read the region (driver-to-device buffers, rings). */
#define VQ_MEM_READ (1u << 0)
/** The device may write the region (device-to-driver buffers, used ring). */
#define VQ_MEM_WRITE (1u << 1)

/** Most regions a table holds. */
#define VQ_MEM_MAX_REGIONS 64

/** One mapped IOVA range. Ranges are closed: [iova_start, iova_last]. */
struct vq_mem_region {
	uint64_t iova_start; /**< first IOVA of the range */
	uint64_t iova_last;  /**< last IOVA of the range, inclusive */
	uint8_t *host_addr;  /**< address of iova_start in this process */
	uint32_t perm;	     /**< VQ_MEM_READ and/or VQ_MEM_WRITE */
};

/**
 * A set of mapped regions, sorted by iova_start and not overlapping.
 * Built and replaced by the control plane while the queues that use it are
 * stopped; read by the workers without locks.
 */
struct vq_mem_table {
	uint32_t nregions;				  /**< regions in use */
	struct vq_mem_region regions[VQ_MEM_MAX_REGIONS]; /**< sorted by iova_start */
};

/**
 * Empty a table.
 *
 * @param table  table to reset
 */
void vq_mem_table_init(struct vq_mem_table *table);

/**
 * Add a region, keeping the table sorted.
 *
 * @param table      table to add to
 * @param iova_start first IOVA of the range
 * @param iova_last  last IOVA of the range (inclusive, >= iova_start)
 * @param host_addr  where iova_start is mapped in this process
 * @param perm       VQ_MEM_READ and/or VQ_MEM_WRITE
 * @return 0, -EINVAL for an empty or wrapping range or no permission,
 *         -EEXIST if it overlaps a region already present, -ENOSPC if full.
 */
int vq_mem_table_add(struct vq_mem_table *table, uint64_t iova_start, uint64_t iova_last,
		     void *host_addr, uint32_t perm);

/**
 * Remove every region that overlaps [iova_start, iova_last].
 *
 * @return the number of regions removed.
 */
unsigned int vq_mem_table_remove(struct vq_mem_table *table, uint64_t iova_start,
				 uint64_t iova_last);

/**
 * Find the region holding @p iova.
 *
 * @return the region, or NULL when @p iova is not mapped.
 */
const struct vq_mem_region *vq_mem_lookup(const struct vq_mem_table *table, uint64_t iova);

/**
 * Translate a whole range that must lie in one region with the given
 * permissions.
 *
 * @param table  regions to search
 * @param iova   first IOVA
 * @param len    bytes from @p iova (0 is allowed and needs only @p iova mapped)
 * @param perm   permissions the access needs
 * @return the host address of @p iova, or NULL when any byte is unmapped,
 *         the range wraps or spans regions, or the permission is missing.
 */
void *vq_mem_translate(const struct vq_mem_table *table, uint64_t iova, uint64_t len,
		       uint32_t perm);

#endif /* VQ_MEM_H */
