/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: lookups and learning on worker lcores. Nothing here
 * changes the hash, blocks, takes a lock or allocates; the only shared
 * writes are a known entry's last_seen (once a second) and the learn ring.
 */
#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_prefetch.h>

#include "fdb_priv.h"

static inline struct fdb_lcore *lcore_slot(struct fdb *fdb, bool *own)
{
	unsigned int id = rte_lcore_id();

	*own = id < RTE_MAX_LCORE;
	return &fdb->lcore[*own ? id : FDB_LCORE_SHARED];
}

static inline void count(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

static inline uint32_t fdb_now(const struct fdb *fdb)
{
	return __atomic_load_n(&fdb->now, __ATOMIC_RELAXED);
}

/*
 * Read before writing: the frames of a known MAC then only read its
 * last_seen line, and write it once a second, not once a frame.
 */
static inline void refresh(struct fdb *fdb, struct fdb_lcore *lc, uint32_t idx, uint32_t now)
{
	uint32_t *seen = &fdb->last_seen[idx];

	if (__atomic_load_n(seen, __ATOMIC_RELAXED) != now) {
		__atomic_store_n(seen, now, __ATOMIC_RELAXED);
		count(&lc->refreshed);
	}
}

/* True when the source is known as it is (nothing to post). */
static inline bool known(struct fdb *fdb, struct fdb_lcore *lc, const void *data, uint16_t port,
			 uint32_t now)
{
	if (fdb_data_is_static(data))
		return true;
	if (fdb_data_port(data) != port)
		return false;
	refresh(fdb, lc, fdb_data_idx(data), now);
	return true;
}

static inline unsigned int recent_slot(uint64_t key)
{
	/* Fibonacci hashing: the top bits of the product mix every key bit. */
	return (unsigned int)((key * 0x9e3779b97f4a7c15ULL) >> 58) % FDB_RECENT_SLOTS;
}

/*
 * Post a learn request unless this lcore posted the same one this second,
 * or already FDB_POSTS_PER_SECOND for the key (it flaps between ports).
 */
static int post(struct fdb *fdb, struct fdb_lcore *lc, bool own, uint64_t key, uint16_t port,
		uint32_t now)
{
	struct fdb_learn_req req = {.key = key, .port = port};
	struct fdb_recent *r = NULL;
	bool again = false;

	if (own) {
		r = &lc->recent[recent_slot(req.key)];
		again = r->key == req.key && r->now == now;
		if (again && (r->port == port || r->posts >= FDB_POSTS_PER_SECOND)) {
			/* Its own lcore's slot: a plain add, stored whole for readers. */
			if (r->port != port)
				__atomic_store_n(&lc->flapping, lc->flapping + 1, __ATOMIC_RELAXED);
			return 1;
		}
	}
	if (unlikely(rte_ring_mp_enqueue_elem(fdb->learn_ring, &req, sizeof(req)) != 0)) {
		/* Not remembered: the next frame tries again. */
		count(&lc->learn_dropped);
		return -ENOBUFS;
	}
	if (r != NULL)
		*r = (struct fdb_recent){
			.key = req.key,
			.now = now,
			.port = port,
			.posts = again ? r->posts + 1 : 1,
		};
	return 1;
}

int fdb_learn(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac, uint16_t port)
{
	bool own;
	struct fdb_lcore *lc = lcore_slot(fdb, &own);
	uint32_t now = fdb_now(fdb);
	struct fdb_key key;
	void *data;

	if (unlikely(!fdb_source_valid(fdb, vlan, mac, port))) {
		count(&lc->learn_invalid);
		return -EINVAL;
	}
	key = fdb_key_make(vlan, mac);
	if (rte_hash_lookup_data(fdb->hash, &key, &data) >= 0 && known(fdb, lc, data, port, now))
		return 0;
	return post(fdb, lc, own, fdb_key_word(&key), port, now);
}

/* Fibonacci hashing: the top bits of the product mix every bit of the key. */
static inline struct fdb_cache_bucket *cache_bucket(struct fdb_cache *cache, uint64_t key)
{
	return &cache->buckets[(key * 0x9e3779b97f4a7c15ULL) >> cache->shift];
}

static inline struct fdb_cache_entry *cache_find(struct fdb_cache_bucket *b, uint64_t key,
						 uint64_t gen)
{
	for (unsigned int w = 0; w < FDB_CACHE_WAYS; w++)
		if (b->way[w].key == key && b->way[w].gen == gen)
			return &b->way[w];
	return NULL;
}

/* The newest fill goes first and pushes the other ways down: the oldest drops out. */
static inline void cache_fill(struct fdb_cache_bucket *b, uint64_t key, const void *data,
			      uint64_t gen, uint32_t seen)
{
	memmove(&b->way[1], &b->way[0], (FDB_CACHE_WAYS - 1) * sizeof(b->way[0]));
	b->way[0] = (struct fdb_cache_entry){
		.key = key,
		.data = (uintptr_t)data,
		.gen = gen,
		.seen = seen,
	};
}

/* Its worker alone writes them: no atomic add, only whole stores for the readers. */
static inline void cache_count(struct fdb_cache *cache, unsigned int hits, unsigned int misses)
{
	__atomic_store_n(&cache->hits, cache->hits + hits, __ATOMIC_RELAXED);
	__atomic_store_n(&cache->misses, cache->misses + misses, __ATOMIC_RELAXED);
}

/*
 * The generation a call checks its cache against; read before the hash, so
 * that what the hash answers is at least as new as the generation it is
 * cached under.
 */
static inline uint64_t fdb_gen(const struct fdb *fdb)
{
	return __atomic_load_n(&fdb->gen, __ATOMIC_ACQUIRE);
}

int fdb_learn_bulk(struct fdb *fdb, struct fdb_cache *cache, const uint16_t *vlan,
		   const struct rte_ether_hdr *const *eth, unsigned int n, uint16_t port)
{
	uint64_t keys[FDB_BULK_MAX];
	struct fdb_cache_bucket *bkt[FDB_BULK_MAX];
	const void *miss_keys[FDB_BULK_MAX];
	uint8_t miss_of[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t hits = 0, gen;
	unsigned int valid = 0, misses = 0;
	int posted = 0;
	bool own;
	struct fdb_lcore *lc = lcore_slot(fdb, &own);
	uint32_t now = fdb_now(fdb);

	if (unlikely(n == 0 || n > FDB_BULK_MAX))
		return -EINVAL;
	if (unlikely(port >= fdb->max_ports)) {
		__atomic_fetch_add(&lc->learn_invalid, n, __ATOMIC_RELAXED);
		return 0;
	}
	gen = fdb_gen(fdb);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t key = fdb_key_load(vlan[i], &eth[i]->src_addr);

		if (unlikely(!fdb_key_mac_assigned(key) || vlan[i] > FDB_VLAN_MAX)) {
			count(&lc->learn_invalid);
			continue;
		}
		keys[valid] = key;
		if (cache != NULL) {
			bkt[valid] = cache_bucket(cache, key);
			rte_prefetch0(bkt[valid]);
		}
		valid++;
	}
	for (unsigned int i = 0; i < valid; i++) {
		struct fdb_cache_entry *ce;
		const void *d;

		ce = cache != NULL ? cache_find(bkt[i], keys[i], gen) : NULL;
		if (ce == NULL) {
			miss_of[misses] = (uint8_t)i;
			miss_keys[misses++] = &keys[i];
			continue;
		}
		d = (const void *)(uintptr_t)ce->data;
		if (fdb_data_is_static(d))
			continue;
		if (fdb_data_port(d) != port) {
			if (post(fdb, lc, own, keys[i], port, now) == 1)
				posted++;
		} else if (ce->seen != now) {
			refresh(fdb, lc, fdb_data_idx(d), now);
			ce->seen = now;
		}
	}
	if (cache != NULL)
		cache_count(cache, valid - misses, misses);
	if (misses == 0)
		return posted;
	rte_hash_lookup_bulk_data(fdb->hash, miss_keys, misses, &hits, data);
	for (unsigned int j = 0; j < misses; j++) {
		unsigned int i = miss_of[j];

		if ((hits >> j) & 1) {
			if (cache != NULL)
				cache_fill(bkt[i], keys[i], data[j], gen, now);
			if (known(fdb, lc, data[j], port, now))
				continue;
		}
		if (post(fdb, lc, own, keys[i], port, now) == 1)
			posted++;
	}
	return posted;
}

int fdb_lookup(const struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac,
	       uint16_t *port)
{
	struct fdb_key key = fdb_key_make(vlan, mac);
	void *data;

	if (rte_hash_lookup_data(fdb->hash, &key, &data) < 0)
		return -ENOENT;
	*port = fdb_data_port(data);
	return 0;
}

int fdb_lookup_bulk(const struct fdb *fdb, struct fdb_cache *cache, const uint16_t *vlan,
		    const struct rte_ether_hdr *const *eth, unsigned int n, uint16_t *port,
		    uint64_t *hit_mask)
{
	uint64_t keys[FDB_BULK_MAX];
	struct fdb_cache_bucket *bkt[FDB_BULK_MAX];
	const void *miss_keys[FDB_BULK_MAX];
	uint8_t miss_of[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t found = 0, hits = 0, asked = 0, gen;
	unsigned int misses = 0;

	if (unlikely(n == 0 || n > FDB_BULK_MAX))
		return -EINVAL;
	gen = fdb_gen(fdb);
	for (unsigned int i = 0; i < n; i++) {
		keys[i] = fdb_key_load(vlan[i], &eth[i]->dst_addr);
		/* Never learned, never looked for: flooding needs no table. */
		if (!fdb_key_mac_assigned(keys[i]))
			continue;
		asked |= 1ULL << i;
		if (cache != NULL) {
			bkt[i] = cache_bucket(cache, keys[i]);
			rte_prefetch0(bkt[i]);
		}
	}
	for (uint64_t m = asked; m != 0; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(m);
		const struct fdb_cache_entry *ce;

		ce = cache != NULL ? cache_find(bkt[i], keys[i], gen) : NULL;
		if (ce == NULL) {
			miss_of[misses] = (uint8_t)i;
			miss_keys[misses++] = &keys[i];
			continue;
		}
		port[i] = fdb_data_port((const void *)(uintptr_t)ce->data);
		found |= 1ULL << i;
	}
	if (cache != NULL)
		cache_count(cache, (unsigned int)__builtin_popcountll(asked) - misses, misses);
	if (misses != 0)
		rte_hash_lookup_bulk_data(fdb->hash, miss_keys, misses, &hits, data);
	for (uint64_t m = hits; m != 0; m &= m - 1) {
		unsigned int j = (unsigned int)__builtin_ctzll(m), i = miss_of[j];

		port[i] = fdb_data_port(data[j]);
		found |= 1ULL << i;
		if (cache != NULL)
			cache_fill(bkt[i], keys[i], data[j], gen, UINT32_MAX);
	}
	*hit_mask = found;
	return __builtin_popcountll(found);
}
