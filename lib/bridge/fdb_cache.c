/* SPDX-License-Identifier: BSD-3-Clause */
/* A worker's cache of table results: creation and counters (the probes are in fdb_dp.c). */
#include <rte_errno.h>
#include <rte_malloc.h>

#include "fdb_priv.h"

struct fdb_cache *fdb_cache_create(const struct fdb *fdb, uint32_t entries, int socket_id)
{
	struct fdb_cache *cache;
	uint32_t buckets;

	if (entries == 0)
		entries = FDB_CACHE_DEFAULT_ENTRIES;
	if (fdb == NULL || !rte_is_power_of_2(entries) || entries < 2 * FDB_CACHE_WAYS ||
	    entries > FDB_CACHE_MAX_ENTRIES) {
		rte_errno = EINVAL;
		return NULL;
	}
	buckets = entries / FDB_CACHE_WAYS;
	/* Zeroed: every key 0, which is never probed. */
	cache = rte_zmalloc_socket("fdb_cache",
				   sizeof(*cache) + buckets * sizeof(struct fdb_cache_bucket),
				   RTE_CACHE_LINE_SIZE, socket_id);
	if (cache == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	cache->fdb = fdb;
	cache->shift = 64 - rte_log2_u32(buckets);
	return cache;
}

void fdb_cache_free(struct fdb_cache *cache)
{
	rte_free(cache);
}

void fdb_cache_stats_get(const struct fdb_cache *cache, struct fdb_cache_stats *stats)
{
	stats->hits = __atomic_load_n(&cache->hits, __ATOMIC_RELAXED);
	stats->misses = __atomic_load_n(&cache->misses, __ATOMIC_RELAXED);
}
