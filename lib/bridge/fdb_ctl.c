/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every change of the table, all on the control thread: learn requests
 * applied, eviction at the limit, aging, static entries, flushes, and the
 * reuse of removed entries after the readers' grace period.
 *
 * Being the only writer, the control thread keeps its own structures (entry
 * slots, per-port lists, the grace-period FIFO) without locks; the workers
 * see only the hash and last_seen.
 */
#include <errno.h>

#include <rte_branch_prediction.h>
#include <rte_rcu_qsbr.h>

#include "fdb_priv.h"

/* Slots an aging pass visits per fdb_sync(): a pass over a million entries takes ~16 syncs. */
#define FDB_AGE_BATCH 65536

/* Requests taken from the learn ring at once. */
#define FDB_REQ_BURST 64u

void fdb_tick(struct fdb *fdb)
{
	uint64_t ms = fdb->clock(fdb->clock_arg);
	uint64_t s = ms > fdb->clock_base ? (ms - fdb->clock_base) / 1000 : 0;

	if (s > UINT32_MAX)
		s = UINT32_MAX;
	/*
	 * Time only moves forward: a clock stepping back would make fresh
	 * entries look older than now and refreshes write every frame.
	 */
	if ((uint32_t)s > fdb->now)
		__atomic_store_n(&fdb->now, (uint32_t)s, __ATOMIC_RELAXED);
}

static void entry_free(struct fdb *fdb, uint32_t idx)
{
	fdb->entries[idx].state = FDB_ENTRY_FREE;
	fdb->entries[idx].next = fdb->free_head;
	fdb->free_head = idx;
}

void fdb_reclaim(struct fdb *fdb)
{
	while (fdb->pending_count > 0) {
		const struct fdb_pending *p = &fdb->pending[fdb->pending_head];

		/* Tokens grow along the FIFO: once one is not done, none after it is. */
		if (rte_rcu_qsbr_check(fdb->qsbr, p->token, false) != 1)
			break;
		if (p->pos != FDB_NIL && rte_hash_free_key_with_position(fdb->hash, p->pos) < 0)
			FDB_LOG(fdb, ERR, "hash slot %u of entry %u was not freed", p->pos, p->idx);
		entry_free(fdb, p->idx);
		fdb->pending_head =
			fdb->pending_head + 1 < fdb->capacity ? fdb->pending_head + 1 : 0;
		fdb->pending_count--;
	}
}

static uint32_t entry_alloc(struct fdb *fdb)
{
	uint32_t idx;

	if (fdb->free_head == FDB_NIL)
		fdb_reclaim(fdb);
	idx = fdb->free_head;
	if (idx == FDB_NIL)
		return FDB_NIL;
	fdb->free_head = fdb->entries[idx].next;
	if (idx >= fdb->high_water)
		fdb->high_water = idx + 1;
	return idx;
}

/* Append an entry to its port's list (newest last) and count it. */
static void port_link(struct fdb *fdb, uint32_t idx)
{
	struct fdb_entry *e = &fdb->entries[idx];
	struct fdb_port *p = &fdb->ports[e->port];

	e->prev = p->tail;
	e->next = FDB_NIL;
	if (p->tail != FDB_NIL)
		fdb->entries[p->tail].next = idx;
	else
		p->head = idx;
	p->tail = idx;
	p->entries++;
	if (e->state == FDB_ENTRY_DYNAMIC)
		p->dynamic++;
	else
		fdb->static_count++;
}

static void port_unlink(struct fdb *fdb, uint32_t idx)
{
	struct fdb_entry *e = &fdb->entries[idx];
	struct fdb_port *p = &fdb->ports[e->port];

	if (e->prev != FDB_NIL)
		fdb->entries[e->prev].next = e->next;
	else
		p->head = e->next;
	if (e->next != FDB_NIL)
		fdb->entries[e->next].prev = e->prev;
	else
		p->tail = e->prev;
	p->entries--;
	if (e->state == FDB_ENTRY_DYNAMIC)
		p->dynamic--;
	else
		fdb->static_count--;
}

/*
 * Take an entry out of the hash at once (new lookups miss it) and park its
 * slots until every reader has passed a quiescent state: one still holding
 * the hash data must not see the slot reused by another key.
 */
static void entry_remove(struct fdb *fdb, uint32_t idx)
{
	struct fdb_entry *e = &fdb->entries[idx];
	int32_t pos = rte_hash_del_key(fdb->hash, &e->key);
	uint32_t tail;

	if (pos < 0)
		FDB_LOG(fdb, ERR, "entry %u was not in the hash (%d)", idx, pos);
	port_unlink(fdb, idx);
	fdb->count--;
	e->state = FDB_ENTRY_PENDING;
	/* Before the grace period starts: a worker past it sees the new generation. */
	fdb_gen_bump(fdb);

	/* Each slot is free, live or pending, so the FIFO of capacity never overflows. */
	tail = fdb->pending_head + fdb->pending_count;
	if (tail >= fdb->capacity)
		tail -= fdb->capacity;
	fdb->pending[tail] = (struct fdb_pending){
		/* Taken after the removal: readers that saw the entry report past it. */
		.token = rte_rcu_qsbr_start(fdb->qsbr),
		.pos = pos >= 0 ? (uint32_t)pos : FDB_NIL,
		.idx = idx,
	};
	fdb->pending_count++;
}

/*
 * Make room as OVS does: the oldest dynamic entry of the port holding the
 * most dynamic entries goes, so a port flooding new MACs evicts its own
 * entries once it is the biggest, not other ports' stable ones. O(max_ports).
 */
static bool evict_one(struct fdb *fdb)
{
	uint32_t most = 0, victim = FDB_NIL;

	for (uint32_t p = 0; p < fdb->max_ports; p++) {
		if (fdb->ports[p].dynamic > most) {
			most = fdb->ports[p].dynamic;
			victim = p;
		}
	}
	if (victim == FDB_NIL)
		return false;
	for (uint32_t idx = fdb->ports[victim].head; idx != FDB_NIL; idx = fdb->entries[idx].next) {
		if (fdb->entries[idx].state == FDB_ENTRY_DYNAMIC) {
			entry_remove(fdb, idx);
			fdb->evicted++;
			return true;
		}
	}
	return false;
}

int fdb_set_max_entries(struct fdb *fdb, uint32_t max_entries)
{
	int evicted = 0;

	if (max_entries == 0 || max_entries > fdb->size)
		return -EINVAL;
	fdb->max_entries = max_entries;
	while (fdb->count > max_entries && evict_one(fdb))
		evicted++;
	return evicted;
}

uint32_t fdb_get_max_entries(const struct fdb *fdb)
{
	return fdb->max_entries;
}

uint32_t fdb_get_size(const struct fdb *fdb)
{
	return fdb->size;
}

static int entry_insert(struct fdb *fdb, const struct fdb_key *key, uint16_t port,
			enum fdb_entry_state state)
{
	uint32_t idx = entry_alloc(fdb);
	struct fdb_entry *e;
	int ret;

	if (idx == FDB_NIL)
		return -ENOSPC;
	if (fdb->count >= fdb->max_entries && !evict_one(fdb)) {
		entry_free(fdb, idx);
		return -ENOSPC;
	}
	e = &fdb->entries[idx];
	e->key = *key;
	e->port = port;
	e->state = state;
	/* Before the hash publishes the entry (its insert is a release). */
	__atomic_store_n(&fdb->last_seen[idx], fdb->now, __ATOMIC_RELAXED);
	ret = rte_hash_add_key_data(fdb->hash, key,
				    fdb_data_make(idx, port, state == FDB_ENTRY_STATIC));
	if (ret < 0) {
		FDB_LOG(fdb, ERR, "hash insert failed (%d) with %u of %u slots used", ret,
			fdb->count + fdb->pending_count, fdb->capacity);
		entry_free(fdb, idx);
		return ret;
	}
	port_link(fdb, idx);
	fdb->count++;
	return 0;
}

/* Give a live entry a new port and/or kind; readers see the old or the new data. */
static void entry_update(struct fdb *fdb, uint32_t idx, uint16_t port, enum fdb_entry_state state)
{
	struct fdb_entry *e = &fdb->entries[idx];

	port_unlink(fdb, idx);
	e->port = port;
	e->state = state;
	port_link(fdb, idx);
	__atomic_store_n(&fdb->last_seen[idx], fdb->now, __ATOMIC_RELAXED);
	/* On a present key this only swaps the data word, atomically. */
	rte_hash_add_key_data(fdb->hash, &e->key,
			      fdb_data_make(idx, port, state == FDB_ENTRY_STATIC));
	fdb_gen_bump(fdb);
}

/* Find a live entry: its index, or FDB_NIL. */
static uint32_t entry_find(const struct fdb *fdb, const struct fdb_key *key)
{
	void *data;

	if (rte_hash_lookup_data(fdb->hash, key, &data) < 0)
		return FDB_NIL;
	return fdb_data_idx(data);
}

/* One learn request: 1 when it changed the table. */
static unsigned int apply_request(struct fdb *fdb, const struct fdb_learn_req *req)
{
	struct fdb_key key;
	uint32_t idx;

	memcpy(&key, &req->key, sizeof(key));
	if (unlikely(req->port >= fdb->max_ports))
		return 0; /* the worker checked it; never trust a ring blindly */
	idx = entry_find(fdb, &key);
	if (idx != FDB_NIL) {
		struct fdb_entry *e = &fdb->entries[idx];

		if (e->state == FDB_ENTRY_STATIC)
			return 0;
		if (e->port == req->port) {
			/* A request older than the entry: the MAC was seen all the same. */
			__atomic_store_n(&fdb->last_seen[idx], fdb->now, __ATOMIC_RELAXED);
			return 0;
		}
		entry_update(fdb, idx, req->port, FDB_ENTRY_DYNAMIC);
		fdb->moved++;
		return 1;
	}
	if (entry_insert(fdb, &key, req->port, FDB_ENTRY_DYNAMIC) < 0) {
		fdb->learn_refused++;
		return 0;
	}
	fdb->learned++;
	return 1;
}

/*
 * At most one ring of requests per call: requests posted meanwhile wait for
 * the next one, which bounds the slots a call can park (see capacity).
 */
unsigned int fdb_apply_requests(struct fdb *fdb)
{
	struct fdb_learn_req reqs[FDB_REQ_BURST];
	unsigned int taken = 0, changes = 0;

	fdb_reclaim(fdb);
	while (taken < fdb->learn_ring_size) {
		unsigned int want = RTE_MIN(FDB_REQ_BURST, fdb->learn_ring_size - taken);
		unsigned int n = rte_ring_sc_dequeue_burst_elem(fdb->learn_ring, reqs,
								sizeof(reqs[0]), want, NULL);

		if (n == 0)
			break;
		for (unsigned int i = 0; i < n; i++)
			changes += apply_request(fdb, &reqs[i]);
		taken += n;
	}
	return changes;
}

/*
 * Once a second a pass starts over the used slots; each call visits at most
 * FDB_AGE_BATCH of them, so that a big table never stalls the control
 * thread. A worker refreshing an entry while it is aged out loses that
 * entry; its next frame learns it again.
 */
unsigned int fdb_age(struct fdb *fdb)
{
	uint32_t now = fdb->now, budget = FDB_AGE_BATCH;
	unsigned int removed = 0;

	if (fdb->aging_time == 0) {
		fdb->age_cursor = FDB_NIL;
		return 0;
	}
	if (fdb->age_cursor == FDB_NIL) {
		if (now == fdb->age_last_pass)
			return 0;
		fdb->age_cursor = 0;
		fdb->age_last_pass = now;
	}
	while (fdb->age_cursor < fdb->high_water && budget-- > 0) {
		uint32_t idx = fdb->age_cursor++;
		uint32_t seen;

		if (fdb->entries[idx].state != FDB_ENTRY_DYNAMIC)
			continue;
		seen = __atomic_load_n(&fdb->last_seen[idx], __ATOMIC_RELAXED);
		if (now >= seen && now - seen >= fdb->aging_time) {
			entry_remove(fdb, idx);
			fdb->aged++;
			removed++;
		}
	}
	if (fdb->age_cursor >= fdb->high_water)
		fdb->age_cursor = FDB_NIL;
	return removed;
}

int fdb_add_static(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac, uint16_t port)
{
	struct fdb_key key;
	uint32_t idx;
	int ret;

	if (!fdb_source_valid(fdb, vlan, mac, port)) {
		FDB_LOG(fdb, ERR,
			"static entry refused: VLAN %u (max %u), port %u (max %u), the MAC must "
			"be unicast and not zero",
			vlan, FDB_VLAN_MAX, port, fdb->max_ports - 1u);
		return -EINVAL;
	}
	key = fdb_key_make(vlan, mac);
	idx = entry_find(fdb, &key);
	if (idx != FDB_NIL) {
		entry_update(fdb, idx, port, FDB_ENTRY_STATIC);
		return 0;
	}
	ret = entry_insert(fdb, &key, port, FDB_ENTRY_STATIC);
	if (ret == -ENOSPC)
		FDB_LOG(fdb, WARNING,
			"static entry refused: table full (%u entries, %u static) or every free "
			"slot waits for the workers' quiescent state",
			fdb->count, fdb->static_count);
	return ret;
}

int fdb_del(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac)
{
	struct fdb_key key = fdb_key_make(vlan, mac);
	uint32_t idx = entry_find(fdb, &key);

	if (idx == FDB_NIL)
		return -ENOENT;
	entry_remove(fdb, idx);
	fdb->flushed++;
	return 0;
}

static unsigned int flush_port(struct fdb *fdb, uint16_t port)
{
	unsigned int n = 0;

	while (fdb->ports[port].head != FDB_NIL) {
		entry_remove(fdb, fdb->ports[port].head);
		n++;
	}
	fdb->flushed += n;
	return n;
}

int fdb_flush(struct fdb *fdb, uint16_t port)
{
	if (port >= fdb->max_ports) {
		FDB_LOG(fdb, ERR, "flush of port %u refused: port ids are 0..%u", port,
			fdb->max_ports - 1u);
		return -EINVAL;
	}
	fdb_apply_requests(fdb);
	return (int)flush_port(fdb, port);
}

unsigned int fdb_flush_all(struct fdb *fdb)
{
	unsigned int n = 0;

	fdb_apply_requests(fdb);
	for (uint32_t p = 0; p < fdb->max_ports; p++)
		n += flush_port(fdb, (uint16_t)p);
	return n;
}
