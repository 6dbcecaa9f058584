/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FDB_PRIV_H
#define FDB_PRIV_H

/*
 * Inside a struct fdb: who writes which field, the hash key and data
 * encodings, and the calls between the library's files.
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_ring.h>

#include "fdb.h"

/*
 * The hash key: 8 bytes, so that it hashes in one CRC32 step and compares
 * as one 64-bit word. The MAC comes first, as in an Ethernet header, so
 * that the workers build a key with one 8-byte load from the frame (see
 * fdb_key_load()). Built whole (no padding), so equal keys are equal bytes.
 */
struct fdb_key {
	struct rte_ether_addr mac;
	uint16_t vlan;
} __rte_packed __rte_aligned(2);

static_assert(sizeof(struct fdb_key) == sizeof(uint64_t), "the FDB key is one 64-bit word");

static inline struct fdb_key fdb_key_make(uint16_t vlan, const struct rte_ether_addr *mac)
{
	struct fdb_key key;

	memcpy(&key.mac, mac, sizeof(key.mac));
	key.vlan = vlan;
	return key;
}

static inline uint64_t fdb_key_word(const struct fdb_key *key)
{
	uint64_t w;

	memcpy(&w, key, sizeof(w));
	return w;
}

/*
 * The key of (@vlan, the MAC at @mac) as a word, bytes as in struct
 * fdb_key, from one 8-byte load: @mac must be followed by two readable
 * bytes, as a destination or source MAC in an Ethernet header is. Built in a
 * register and stored whole, it spares the hash's 8-byte read the stall of
 * a store forwarded from two smaller ones (fdb_key_make()).
 */
static inline uint64_t fdb_key_load(uint16_t vlan, const struct rte_ether_addr *mac)
{
	uint64_t w;

	memcpy(&w, mac, sizeof(w));
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	return (w & 0x0000ffffffffffffULL) | (uint64_t)vlan << 48;
#else
	return (w & 0xffffffffffff0000ULL) | vlan;
#endif
}

/* The MAC of a key word is unicast and not zero: may be in the table. */
static inline bool fdb_key_mac_assigned(uint64_t key)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* The group bit is the least significant bit of the first byte. */
	return !(key & 1) && (key & 0x0000ffffffffffffULL) != 0;
#else
	return !(key & (1ULL << 56)) && (key & 0xffffffffffff0000ULL) != 0;
#endif
}

/*
 * The hash data (the 64-bit "pointer" rte_hash stores with a key): the
 * output port, the entry index and the static flag. The port travels inside
 * the hash slot that matched the key, so a reader can never read the port of
 * another key, whatever the control thread does to the entry array meanwhile.
 */
#define FDB_DATA_PORT_MASK 0xffffULL
#define FDB_DATA_IDX_SHIFT 16
#define FDB_DATA_IDX_MASK  0xffffffffULL
#define FDB_DATA_STATIC	   (1ULL << 48)

static inline void *fdb_data_make(uint32_t idx, uint16_t port, bool is_static)
{
	uint64_t v = ((uint64_t)idx << FDB_DATA_IDX_SHIFT) | port;

	if (is_static)
		v |= FDB_DATA_STATIC;
	return (void *)(uintptr_t)v;
}

static inline uint16_t fdb_data_port(const void *data)
{
	return (uint16_t)((uintptr_t)data & FDB_DATA_PORT_MASK);
}

static inline uint32_t fdb_data_idx(const void *data)
{
	return (uint32_t)(((uintptr_t)data >> FDB_DATA_IDX_SHIFT) & FDB_DATA_IDX_MASK);
}

static inline bool fdb_data_is_static(const void *data)
{
	return ((uintptr_t)data & FDB_DATA_STATIC) != 0;
}

/* "No entry" in the index lists. */
#define FDB_NIL UINT32_MAX

enum fdb_entry_state {
	FDB_ENTRY_FREE,	   /* on the free list */
	FDB_ENTRY_DYNAMIC, /* learned, in the hash and its port's list */
	FDB_ENTRY_STATIC,  /* fdb_add_static(), in the hash and its port's list */
	FDB_ENTRY_PENDING, /* removed; waits for the readers' grace period */
};

/* One entry slot: control thread only (the workers never read it). */
struct fdb_entry {
	struct fdb_key key;
	uint32_t prev, next; /* port list in insertion order; next links the free list */
	uint16_t port;
	uint8_t state; /* enum fdb_entry_state */
};

/* A port's entries, control thread only. */
struct fdb_port {
	uint32_t head, tail; /* oldest and newest entry (static ones included) */
	uint32_t entries;    /* entries on the list */
	uint32_t dynamic;    /* of which dynamic: what eviction weighs */
};

/* A removed entry whose hash slot and index wait for a grace period. */
struct fdb_pending {
	uint64_t token; /* rte_rcu_qsbr_start() after the removal */
	uint32_t pos;	/* hash key position, for rte_hash_free_key_with_position() */
	uint32_t idx;	/* entry index */
};

/* What a worker posts for the control thread. */
struct fdb_learn_req {
	uint64_t key; /* struct fdb_key as a word */
	uint16_t port;
	uint16_t reserved[3];
};

/*
 * Requests a worker posted lately, so that the frames of a new MAC that
 * arrive before the next sync post one request, not one each; and so that
 * a MAC seen on two ports by turns (a loop, two hosts with one MAC: MAC
 * flapping) posts FDB_POSTS_PER_SECOND requests a second, not one a frame.
 */
#define FDB_RECENT_SLOTS     64
#define FDB_POSTS_PER_SECOND 2 /* a new MAC and one move */
struct fdb_recent {
	uint64_t key;	/* 0: empty (the zero MAC is never learned) */
	uint32_t now;	/* fdb::now when posted */
	uint16_t port;	/* of the last request */
	uint16_t posts; /* requests for the key this second */
};

/*
 * One per lcore, written by that lcore only; the last one is shared by the
 * threads without an lcore id (they get no recent cache). Counters are
 * added to atomically all the same: they move rarely (drops, refused
 * sources, one refresh a second per entry), and the shared slot needs it.
 */
struct fdb_lcore {
	uint64_t refreshed;
	uint64_t learn_dropped;
	uint64_t learn_invalid;
	uint64_t flapping; /* own lcore's slot only */
	struct fdb_recent recent[FDB_RECENT_SLOTS];
} __rte_cache_aligned;

#define FDB_LCORE_SHARED RTE_MAX_LCORE

struct fdb {
	/* Read by the workers, set at creation. */
	struct rte_hash *hash;
	struct rte_ring *learn_ring;
	uint32_t *last_seen;	 /* by entry index: fdb::now when last seen; workers write it */
	struct fdb_lcore *lcore; /* RTE_MAX_LCORE + 1 */
	uint16_t max_ports;

	/*
	 * Seconds since creation, written by the control thread once a
	 * second and read by every learn: on a cache line of its own with the
	 * generation, so that nothing written more often invalidates it.
	 */
	uint32_t now __rte_cache_aligned;
	/*
	 * Bumped after every change of a key's port or presence (move,
	 * removal), read once a call by the workers: a cached result of
	 * another generation is not used (struct fdb_cache).
	 */
	uint64_t gen;

	/* Control thread only from here. */
	char name[FDB_NAME_MAX + 1] __rte_cache_aligned;
	int logtype;
	struct rte_rcu_qsbr *qsbr;
	uint64_t (*clock)(void *arg);
	void *clock_arg;
	uint64_t clock_base;  /* ms at creation: now = (clock - base) / 1000 */
	uint32_t max_entries; /* entries held at most now (fdb_set_max_entries()) */
	uint32_t size;	      /* max_entries as created: the most it may be set to */
	uint32_t capacity;    /* entry slots = hash size: max_entries + learn ring size */
	uint32_t aging_time;
	uint32_t learn_ring_size;

	struct fdb_entry *entries; /* capacity */
	uint32_t free_head;	   /* free entry slots, lowest first at start */
	uint32_t high_water;	   /* no slot at or above it was ever used */
	uint32_t count;		   /* entries in the hash */
	uint32_t static_count;
	struct fdb_port *ports; /* max_ports */

	struct fdb_pending *pending; /* FIFO of capacity */
	uint32_t pending_head, pending_count;

	uint32_t age_cursor;	/* next slot of the aging pass; FDB_NIL: none running */
	uint32_t age_last_pass; /* fdb::now when the last pass started */

	/* Control thread counters (the workers' are in fdb_lcore). */
	uint64_t learned, moved, aged, evicted, flushed, learn_refused;
};

/*
 * A worker's cache of table results: (VLAN, MAC) -> hash data, 2-way set
 * associative, a bucket a cache line. An entry holds while fdb::gen is the
 * generation it was filled in; removals and moves bump fdb::gen, so they
 * invalidate every entry at once, and an insert needs nothing (only hits
 * are cached). Written by its worker alone.
 */
struct fdb_cache_entry {
	uint64_t key;	   /* key word; 0 (VLAN 0, zero MAC) is never in the table: empty */
	uint64_t data;	   /* the hash data */
	uint64_t gen;	   /* fdb::gen when filled (64 bits: it never wraps) */
	uint32_t seen;	   /* fdb::now when this worker last refreshed the entry's last_seen */
	uint32_t reserved; /* two entries to a cache line */
};

struct fdb_cache_bucket {
	struct fdb_cache_entry way[FDB_CACHE_WAYS];
} __rte_cache_aligned;

struct fdb_cache {
	const struct fdb *fdb; /* the table it caches */
	unsigned int shift; /* 64 - log2(buckets): the top bits of a key's hash pick its bucket */
	uint64_t hits, misses; /* read by the control thread */
	struct fdb_cache_bucket buckets[];
};

#define FDB_LOG(fdb, level, fmt, ...) \
	rte_log(RTE_LOG_##level, (fdb)->logtype, "fdb %s: " fmt "\n", (fdb)->name, ##__VA_ARGS__)

/* Valid source of a learn or a static entry. */
static inline bool fdb_source_valid(const struct fdb *fdb, uint16_t vlan,
				    const struct rte_ether_addr *mac, uint16_t port)
{
	return vlan <= FDB_VLAN_MAX && port < fdb->max_ports &&
	       rte_is_valid_assigned_ether_addr(mac);
}

/* Called by the control thread after a key's port or presence changed. */
static inline void fdb_gen_bump(struct fdb *fdb)
{
	__atomic_store_n(&fdb->gen, fdb->gen + 1, __ATOMIC_RELEASE);
}

/* fdb_ctl.c: table changes (control thread). */
void fdb_tick(struct fdb *fdb);
void fdb_reclaim(struct fdb *fdb);
unsigned int fdb_apply_requests(struct fdb *fdb);
unsigned int fdb_age(struct fdb *fdb);

#endif /* FDB_PRIV_H */
