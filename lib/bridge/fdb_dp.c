/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The data path: lookups and learning on worker lcores. Nothing here
 * changes the hash, blocks, takes a lock or allocates; the only shared
 * writes are a known entry's last_seen (once a second) and the learn ring.
 */
#include <errno.h>

#include <rte_branch_prediction.h>

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

/* Post a learn request unless this lcore posted the same one this second. */
static int post(struct fdb *fdb, struct fdb_lcore *lc, bool own, const struct fdb_key *key,
		uint16_t port, uint32_t now)
{
	struct fdb_learn_req req = {.key = fdb_key_word(key), .port = port};
	struct fdb_recent *r = NULL;

	if (own) {
		r = &lc->recent[recent_slot(req.key)];
		if (r->key == req.key && r->port == port && r->now == now)
			return 1;
	}
	if (unlikely(rte_ring_mp_enqueue_elem(fdb->learn_ring, &req, sizeof(req)) != 0)) {
		/* Not remembered: the next frame tries again. */
		count(&lc->learn_dropped);
		return -ENOBUFS;
	}
	if (r != NULL)
		*r = (struct fdb_recent){.key = req.key, .now = now, .port = port};
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
	return post(fdb, lc, own, &key, port, now);
}

int fdb_learn_bulk(struct fdb *fdb, const uint16_t *vlan, const struct rte_ether_addr *const *mac,
		   unsigned int n, uint16_t port)
{
	struct fdb_key keys[FDB_BULK_MAX];
	const void *key_ptrs[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t hits = 0;
	unsigned int valid = 0;
	int posted = 0;
	bool own;
	struct fdb_lcore *lc = lcore_slot(fdb, &own);
	uint32_t now = fdb_now(fdb);

	if (unlikely(n == 0 || n > FDB_BULK_MAX))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		if (unlikely(!fdb_source_valid(fdb, vlan[i], mac[i], port))) {
			count(&lc->learn_invalid);
			continue;
		}
		keys[valid] = fdb_key_make(vlan[i], mac[i]);
		key_ptrs[valid] = &keys[valid];
		valid++;
	}
	if (valid == 0)
		return 0;
	rte_hash_lookup_bulk_data(fdb->hash, key_ptrs, valid, &hits, data);
	for (unsigned int i = 0; i < valid; i++) {
		if ((hits & (1ULL << i)) && known(fdb, lc, data[i], port, now))
			continue;
		if (post(fdb, lc, own, &keys[i], port, now) == 1)
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

int fdb_lookup_bulk(const struct fdb *fdb, const uint16_t *vlan,
		    const struct rte_ether_addr *const *mac, unsigned int n, uint16_t *port,
		    uint64_t *hit_mask)
{
	struct fdb_key keys[FDB_BULK_MAX];
	const void *key_ptrs[FDB_BULK_MAX];
	void *data[FDB_BULK_MAX];
	uint64_t hits = 0;
	int found;

	if (unlikely(n == 0 || n > FDB_BULK_MAX))
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		keys[i] = fdb_key_make(vlan[i], mac[i]);
		key_ptrs[i] = &keys[i];
	}
	found = rte_hash_lookup_bulk_data(fdb->hash, key_ptrs, n, &hits, data);
	for (uint64_t m = hits; m != 0; m &= m - 1) {
		unsigned int i = (unsigned int)__builtin_ctzll(m);

		port[i] = fdb_data_port(data[i]);
	}
	*hit_mask = hits;
	return found;
}
