/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table creation, the sync entry point, and what the control thread reads:
 * walk, counters, aging time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "fdb_priv.h"

/* Log type of every table, registered on first use (no library global). */
static int fdb_logtype(void)
{
	int type = rte_log_register_type_and_pick_level("bridge.fdb", RTE_LOG_NOTICE);

	return type >= 0 ? type : RTE_LOGTYPE_USER1;
}

static uint64_t fdb_clock_monotonic(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Keys are one 64-bit word: compare them as one (rte_hash uses memcmp for 8 bytes). */
static int fdb_key_cmp(const void *a, const void *b, size_t len)
{
	uint64_t x, y;

	(void)len;
	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	return x != y;
}

void fdb_params_init(struct fdb_params *params)
{
	*params = (struct fdb_params){
		.max_entries = FDB_DEFAULT_MAX_ENTRIES,
		.aging_time = FDB_DEFAULT_AGING_TIME,
		.learn_ring_size = FDB_DEFAULT_LEARN_RING_SIZE,
		.socket_id = SOCKET_ID_ANY,
	};
}

/* Refuse what cannot work, naming the field and its range. */
static int fdb_params_check(const struct fdb_params *p, int logtype)
{
	const char *name = p->name != NULL ? p->name : "?";

#define REFUSE(fmt, ...)                                                                 \
	do {                                                                             \
		rte_log(RTE_LOG_ERR, logtype, "fdb %s: " fmt "\n", name, ##__VA_ARGS__); \
		return -EINVAL;                                                          \
	} while (0)

	if (p->name == NULL || p->name[0] == '\0' || strlen(p->name) > FDB_NAME_MAX)
		REFUSE("name must have 1..%d characters", FDB_NAME_MAX);
	if (p->max_ports == 0)
		REFUSE("max_ports 0: give the number of port ids, 1..%u", FDB_MAX_PORTS);
	if (p->max_entries == 0 || p->max_entries > FDB_MAX_ENTRIES)
		REFUSE("max_entries %u out of range 1..%u", p->max_entries, FDB_MAX_ENTRIES);
	if (p->learn_ring_size == 0 || p->learn_ring_size > FDB_MAX_LEARN_RING_SIZE)
		REFUSE("learn_ring_size %u out of range 1..%u", p->learn_ring_size,
		       FDB_MAX_LEARN_RING_SIZE);
	if (p->qsbr == NULL)
		REFUSE("no qsbr: removed entries need the workers' RCU QSBR variable");
	if (p->socket_id != SOCKET_ID_ANY &&
	    (p->socket_id < 0 || p->socket_id >= RTE_MAX_NUMA_NODES))
		REFUSE("socket_id %d out of range 0..%d or SOCKET_ID_ANY", p->socket_id,
		       RTE_MAX_NUMA_NODES - 1);
#undef REFUSE
	return 0;
}

/* The hash and the learn ring, named after the table. */
static int fdb_create_dpdk_objects(struct fdb *fdb, int socket_id)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		/* The slots of removed entries stay taken for a grace period. */
		.entries = RTE_MAX(fdb->capacity, 8u),
		.key_len = sizeof(struct fdb_key),
		.socket_id = socket_id,
		/*
		 * A random seed: keys a sender picks cannot be aimed at one
		 * bucket, and the hash of a key is not its CRC32 from 0 (which
		 * is 0 for the zero key, the signature of an empty slot).
		 */
		.hash_func_init_val = (uint32_t)rte_rand() | 1,
		/*
		 * Lock-free readers; the extendable table so that an insert
		 * below capacity never fails on a crowded bucket. Deleted
		 * slots are freed by fdb_reclaim() after a grace period (the
		 * lock-free mode implies NO_FREE_ON_DEL; it is spelt out).
		 */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL | RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "fdb_%s", fdb->name);
	fdb->hash = rte_hash_create(&hp);
	if (fdb->hash == NULL) {
		int err = rte_errno == EEXIST ? -EEXIST : -ENOMEM;

		FDB_LOG(fdb, ERR, "cannot create the hash of %u entries: %s", hp.entries,
			err == -EEXIST ? "a table of this name exists" : rte_strerror(rte_errno));
		return err;
	}
	rte_hash_set_cmp_func(fdb->hash, fdb_key_cmp);

	snprintf(name, sizeof(name), "fdbl_%s", fdb->name);
	/* Many workers post, the control thread alone takes. */
	fdb->learn_ring =
		rte_ring_create_elem(name, sizeof(struct fdb_learn_req), fdb->learn_ring_size,
				     socket_id, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (fdb->learn_ring == NULL) {
		int err = rte_errno == EEXIST ? -EEXIST : -ENOMEM;

		FDB_LOG(fdb, ERR, "cannot create the learn ring of %u requests: %s",
			fdb->learn_ring_size, rte_strerror(rte_errno));
		return err;
	}
	return 0;
}

/*
 * What the workers touch (the struct, last_seen, per-lcore slots) is in
 * DPDK memory on their socket; what only the control thread touches is in
 * ordinary memory, so that a million entries do not eat the hugepages.
 */
static int fdb_alloc_tables(struct fdb *fdb, int socket_id)
{
	fdb->last_seen = rte_zmalloc_socket("fdb_last_seen", sizeof(uint32_t) * fdb->capacity,
					    RTE_CACHE_LINE_SIZE, socket_id);
	fdb->lcore = rte_zmalloc_socket("fdb_lcore", sizeof(struct fdb_lcore) * (RTE_MAX_LCORE + 1),
					RTE_CACHE_LINE_SIZE, socket_id);
	fdb->entries = calloc(fdb->capacity, sizeof(*fdb->entries));
	fdb->ports = calloc(fdb->max_ports, sizeof(*fdb->ports));
	fdb->pending = calloc(fdb->capacity, sizeof(*fdb->pending));
	if (fdb->last_seen == NULL || fdb->lcore == NULL || fdb->entries == NULL ||
	    fdb->ports == NULL || fdb->pending == NULL) {
		FDB_LOG(fdb, ERR, "out of memory for %u entries", fdb->capacity);
		return -ENOMEM;
	}

	for (uint32_t i = 0; i < fdb->capacity; i++) {
		fdb->entries[i].state = FDB_ENTRY_FREE;
		fdb->entries[i].next = i + 1 < fdb->capacity ? i + 1 : FDB_NIL;
	}
	fdb->free_head = 0;
	for (uint32_t p = 0; p < fdb->max_ports; p++)
		fdb->ports[p].head = fdb->ports[p].tail = FDB_NIL;
	return 0;
}

struct fdb *fdb_create(const struct fdb_params *params, int *err)
{
	int logtype = fdb_logtype();
	struct fdb *fdb;
	int ret, ignored;

	if (err == NULL)
		err = &ignored;
	if (params == NULL) {
		rte_log(RTE_LOG_ERR, logtype, "fdb: no parameters\n");
		*err = -EINVAL;
		return NULL;
	}
	ret = fdb_params_check(params, logtype);
	if (ret < 0) {
		*err = ret;
		return NULL;
	}

	fdb = rte_zmalloc_socket("fdb", sizeof(*fdb), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (fdb == NULL) {
		rte_log(RTE_LOG_ERR, logtype, "fdb %s: out of memory\n", params->name);
		*err = -ENOMEM;
		return NULL;
	}
	snprintf(fdb->name, sizeof(fdb->name), "%s", params->name);
	fdb->logtype = logtype;
	fdb->max_ports = params->max_ports;
	fdb->qsbr = params->qsbr;
	fdb->clock = params->clock != NULL ? params->clock : fdb_clock_monotonic;
	fdb->clock_arg = params->clock_arg;
	fdb->clock_base = fdb->clock(fdb->clock_arg);
	fdb->max_entries = params->max_entries;
	fdb->size = params->max_entries;
	/*
	 * One sync applies at most a learn ring of requests, each evicting
	 * at most one entry into the grace period: that many spare slots let
	 * a full table keep learning while readers are a sync behind.
	 */
	fdb->capacity = params->max_entries + params->learn_ring_size;
	fdb->aging_time = params->aging_time;
	fdb->learn_ring_size = params->learn_ring_size;
	fdb->age_cursor = FDB_NIL;

	ret = fdb_alloc_tables(fdb, params->socket_id);
	if (ret == 0)
		ret = fdb_create_dpdk_objects(fdb, params->socket_id);
	if (ret < 0) {
		fdb_free(fdb);
		*err = ret;
		return NULL;
	}
	return fdb;
}

void fdb_free(struct fdb *fdb)
{
	if (fdb == NULL)
		return;
	rte_ring_free(fdb->learn_ring);
	rte_hash_free(fdb->hash);
	free(fdb->pending);
	free(fdb->ports);
	free(fdb->entries);
	rte_free(fdb->lcore);
	rte_free(fdb->last_seen);
	rte_free(fdb);
}

unsigned int fdb_sync(struct fdb *fdb)
{
	unsigned int changes;

	fdb_tick(fdb);
	changes = fdb_apply_requests(fdb);
	return changes + fdb_age(fdb);
}

void fdb_set_aging_time(struct fdb *fdb, uint32_t seconds)
{
	fdb->aging_time = seconds;
}

uint32_t fdb_get_aging_time(const struct fdb *fdb)
{
	return fdb->aging_time;
}

int fdb_walk(const struct fdb *fdb, int (*cb)(const struct fdb_entry_info *entry, void *arg),
	     void *arg)
{
	for (uint32_t i = 0; i < fdb->high_water; i++) {
		const struct fdb_entry *e = &fdb->entries[i];
		struct fdb_entry_info info;
		uint32_t seen;
		int ret;

		if (e->state != FDB_ENTRY_DYNAMIC && e->state != FDB_ENTRY_STATIC)
			continue;
		seen = __atomic_load_n(&fdb->last_seen[i], __ATOMIC_RELAXED);
		info = (struct fdb_entry_info){
			.vlan = e->key.vlan,
			.mac = e->key.mac,
			.port = e->port,
			.dynamic = e->state == FDB_ENTRY_DYNAMIC,
		};
		if (info.dynamic && fdb->now > seen)
			info.age = fdb->now - seen;
		ret = cb(&info, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

void fdb_stats_get(const struct fdb *fdb, struct fdb_stats *stats)
{
	*stats = (struct fdb_stats){
		.entries = fdb->count,
		.static_entries = fdb->static_count,
		.pending = fdb->pending_count,
		.learned = fdb->learned,
		.moved = fdb->moved,
		.aged = fdb->aged,
		.evicted = fdb->evicted,
		.flushed = fdb->flushed,
		.learn_refused = fdb->learn_refused,
	};
	for (unsigned int i = 0; i <= RTE_MAX_LCORE; i++) {
		const struct fdb_lcore *lc = &fdb->lcore[i];

		stats->refreshed += __atomic_load_n(&lc->refreshed, __ATOMIC_RELAXED);
		stats->learn_dropped += __atomic_load_n(&lc->learn_dropped, __ATOMIC_RELAXED);
		stats->learn_invalid += __atomic_load_n(&lc->learn_invalid, __ATOMIC_RELAXED);
		stats->learn_flapping += __atomic_load_n(&lc->flapping, __ATOMIC_RELAXED);
	}
}
