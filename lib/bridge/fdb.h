/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FDB_H
#define FDB_H

/**
 * @file
 * The MAC table (forwarding database, FDB) of an L2 learning bridge.
 *
 * An entry maps (VLAN id, MAC) to the port the MAC was last seen on. Ports
 * are plain ids 0..max_ports-1: the table does no I/O and knows no port.
 *
 * Threads. One control thread owns the table: it alone changes it, in
 * fdb_sync() and the other calls marked "control thread only". Any number of
 * worker lcores read it at once, without locks: fdb_lookup(),
 * fdb_lookup_bulk(), fdb_learn() and fdb_learn_bulk() never block, take a
 * lock, allocate or make a system call. A worker does not change the table
 * when it learns: it posts a learn request to a ring, and the next
 * fdb_sync() applies it (so a new MAC is known ~one sync period after its
 * first frame; until then frames to it are flooded).
 *
 * Memory of a removed entry is reused only after every worker registered on
 * the caller's RCU QSBR variable (fdb_params::qsbr) has reported a quiescent
 * state (rte_rcu_qsbr_quiescent()) since the removal. A worker therefore
 * reports quiescent states between bursts, never while it holds a result of
 * this API, and a thread that calls the worker functions must be registered
 * and online on that variable (a thread that is never online there must not
 * call them while the control thread runs).
 *
 * Time is in whole seconds, read by the control thread only (fdb_sync()) from
 * fdb_params::clock and published to the workers, so aging and "age" in
 * fdb_walk() are precise to about a second.
 *
 * See doc/bridge.md for the design.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_rcu_qsbr.h>

/** Largest VLAN id of an entry; 0 is the untagged (native) VLAN by convention. */
#define FDB_VLAN_MAX 4095

/** Largest fdb_params::max_ports (port ids 0..65534). */
#define FDB_MAX_PORTS 65535

/** fdb_params::max_entries given by fdb_params_init(). */
#define FDB_DEFAULT_MAX_ENTRIES 8192

/** Largest fdb_params::max_entries (about 1.7 GB of tables at this size). */
#define FDB_MAX_ENTRIES (16u * 1024 * 1024)

/** fdb_params::aging_time given by fdb_params_init(), in seconds (as OVS and Linux). */
#define FDB_DEFAULT_AGING_TIME 300

/** fdb_params::learn_ring_size given by fdb_params_init(): requests between two syncs. */
#define FDB_DEFAULT_LEARN_RING_SIZE 4096

/** Largest fdb_params::learn_ring_size. */
#define FDB_MAX_LEARN_RING_SIZE (1u << 20)

/** Longest fdb_params::name, in characters (it names DPDK objects). */
#define FDB_NAME_MAX 16

/** Most keys in one fdb_lookup_bulk() or fdb_learn_bulk() call. */
#define FDB_BULK_MAX 64

/** Entries in a bucket (a cache line) of a worker's cache. */
#define FDB_CACHE_WAYS 2

struct fdb;
struct fdb_cache;

/**
 * How a table is made. Fill with fdb_params_init(), then set name, max_ports
 * and qsbr, and change what else you need.
 */
struct fdb_params {
	/** Table name, 1..FDB_NAME_MAX characters, unique in the process; used in logs. */
	const char *name;
	/** Port ids are 0..max_ports-1; 1..FDB_MAX_PORTS. No default. */
	uint16_t max_ports;
	/**
	 * Most entries, static ones included, 1..FDB_MAX_ENTRIES. A new MAC
	 * learned in a full table evicts the oldest dynamic entry of the port
	 * that holds the most dynamic entries.
	 */
	uint32_t max_entries;
	/**
	 * Seconds after which an entry not seen is removed; 0 never ages.
	 * Changed later with fdb_set_aging_time().
	 */
	uint32_t aging_time;
	/**
	 * Learn requests that can wait for the next fdb_sync(),
	 * 1..FDB_MAX_LEARN_RING_SIZE; more are dropped and counted
	 * (fdb_stats::learn_dropped). The table also keeps this many spare
	 * slots for entries that wait for the readers' grace period.
	 */
	uint32_t learn_ring_size;
	/**
	 * The workers' RCU QSBR variable (required): removed entries are
	 * reused only after a grace period on it. The caller initialises it,
	 * registers its workers, and keeps it alive until fdb_free().
	 */
	struct rte_rcu_qsbr *qsbr;
	/** NUMA socket of what the workers read (SOCKET_ID_ANY allowed). */
	int socket_id;
	/**
	 * Monotonic time in milliseconds, called by the control thread only;
	 * NULL reads CLOCK_MONOTONIC. Tests inject their own.
	 */
	uint64_t (*clock)(void *arg);
	void *clock_arg; /**< passed to clock */
};

/** Counters of a table; all but entries, static_entries and pending only grow. */
struct fdb_stats {
	uint64_t entries;	 /**< entries now, static ones included */
	uint64_t static_entries; /**< static entries now (fdb_add_static()) */
	uint64_t pending;	 /**< removed entries still waiting for the readers' grace period */
	uint64_t learned;	 /**< dynamic entries created by learning */
	uint64_t moved;		 /**< dynamic entries moved to another port (MAC move) */
	uint64_t aged;		 /**< dynamic entries removed by aging */
	uint64_t evicted;   /**< dynamic entries removed to make room for a new MAC (limit hit) */
	uint64_t flushed;   /**< entries removed by fdb_flush(), fdb_flush_all() and fdb_del() */
	uint64_t refreshed; /**< last_seen updates by workers (at most one a second per entry
			       and lcore) */
	uint64_t learn_dropped;	 /**< learn requests lost: the learn ring was full */
	uint64_t learn_refused;	 /**< learn requests the control thread could not apply: no room
				    (every entry static, or no slot past its grace period) */
	uint64_t learn_invalid;	 /**< learns refused at once: multicast or zero source MAC, VLAN
				    over FDB_VLAN_MAX, port id not below max_ports */
	uint64_t learn_flapping; /**< moves not posted: the worker posted the MAC twice this
				    second already (it flaps between ports: a loop, or two
				    hosts with one MAC) */
};

/** One entry, as fdb_walk() shows it. */
struct fdb_entry_info {
	uint16_t vlan;		   /**< VLAN id, 0..FDB_VLAN_MAX */
	struct rte_ether_addr mac; /**< the MAC */
	uint16_t port;		   /**< output port id */
	uint32_t age;		   /**< seconds since the MAC was last seen (0 for static) */
	bool dynamic;		   /**< learned (ages, may move or be evicted); false: static */
};

/**
 * Fill @p params with the defaults: FDB_DEFAULT_MAX_ENTRIES,
 * FDB_DEFAULT_AGING_TIME, FDB_DEFAULT_LEARN_RING_SIZE, SOCKET_ID_ANY,
 * CLOCK_MONOTONIC; name, max_ports and qsbr unset (NULL, 0, NULL).
 * Any thread.
 */
void fdb_params_init(struct fdb_params *params);

/**
 * Create an empty table. Control thread (after rte_eal_init()).
 *
 * @param params what to create (see struct fdb_params); the name is copied
 * @param err    set (when not NULL) to a negative errno on failure: -EINVAL for a parameter
 *               out of range (logged with its range), -EEXIST for a name in
 *               use, -ENOMEM
 * @return the table, or NULL.
 */
struct fdb *fdb_create(const struct fdb_params *params, int *err);

/**
 * Free a table (NULL is allowed). Control thread only, once no worker uses
 * the table any more.
 */
void fdb_free(struct fdb *fdb);

/**
 * Find the port of (@p vlan, @p mac). Any worker lcore (inside its QSBR
 * critical section), or the control thread.
 *
 * @param port set to the port id on success
 * @return 0, or -ENOENT when the MAC is not known in that VLAN (flood).
 */
int fdb_lookup(const struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac,
	       uint16_t *port);

/**
 * fdb_lookup() for the destinations of a burst: through the worker's cache,
 * then one pass of the hash table for the keys the cache missed (their
 * memory accesses overlap). Any worker lcore, or the control thread.
 *
 * @param cache    the calling worker's cache (fdb_cache_create()), or NULL for none
 * @param vlan     n VLAN ids
 * @param eth      n Ethernet headers: eth[i]->dst_addr is looked up (the
 *                 key is read with one 8-byte load, so the MAC must be in a
 *                 whole header)
 * @param n        1..FDB_BULK_MAX
 * @param port     n port ids out; port[i] is set only when bit i of @p hit_mask is
 * @param hit_mask set to the keys found: bit i for key i; a multicast or zero
 *                 destination is never found (it is never in the table)
 * @return how many keys were found, or -EINVAL for n out of range.
 */
int fdb_lookup_bulk(const struct fdb *fdb, struct fdb_cache *cache, const uint16_t *vlan,
		    const struct rte_ether_hdr *const *eth, unsigned int n, uint16_t *port,
		    uint64_t *hit_mask);

/**
 * Learn that (@p vlan, @p mac) was the source of a frame received on
 * @p port. Any worker lcore, any number at once (or the control thread).
 *
 * A MAC already known on this port only has its last-seen time refreshed,
 * written at most once a second. A new MAC, or one known on another port (a
 * move), is posted to the learn ring for the next fdb_sync(); a worker posts
 * the same request at most once a second, and at most two requests a second
 * for one MAC: one that flaps between ports moves twice a second, not with
 * every frame (counted in fdb_stats::learn_flapping). Static entries are
 * never changed by learning.
 *
 * @return 0 when known on this port (or static), 1 when a request is posted
 *         or already waiting, -ENOBUFS when the learn ring was full (the
 *         request is dropped and counted), -EINVAL for a source that is not
 *         learned (multicast or zero MAC, vlan > FDB_VLAN_MAX,
 *         port >= max_ports; counted).
 */
int fdb_learn(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac, uint16_t port);

/**
 * fdb_learn() for the sources of a burst received on one @p port: through
 * the worker's cache, then one pass of the hash table for the sources the
 * cache missed. Any worker lcore.
 *
 * @param cache the calling worker's cache (fdb_cache_create()), or NULL for none
 * @param vlan  n VLAN ids
 * @param eth   n Ethernet headers: eth[i]->src_addr is learned
 * @param n     1..FDB_BULK_MAX
 * @return how many requests are posted or waiting (0 when every source was
 *         known on this port), or -EINVAL for n out of range. Drops and
 *         refused sources are counted as in fdb_learn().
 */
int fdb_learn_bulk(struct fdb *fdb, struct fdb_cache *cache, const uint16_t *vlan,
		   const struct rte_ether_hdr *const *eth, unsigned int n, uint16_t port);

/** fdb_cache_create()'s size when given 0: 4096 entries, 128 KiB. */
#define FDB_CACHE_DEFAULT_ENTRIES 4096

/** Largest cache, in entries. */
#define FDB_CACHE_MAX_ENTRIES (1u << 20)

/** What a worker's cache counts (see fdb_cache_stats_get()). */
struct fdb_cache_stats {
	uint64_t hits;	 /**< keys answered by the cache */
	uint64_t misses; /**< keys looked up in the table (multicast destinations not counted) */
};

/**
 * Create a cache of @p fdb's results for one worker lcore: the frames of a
 * few busy stations then skip the hash table (an exact-match cache, as OVS's
 * EMC in front of its classifier). The cache is correct whatever the control
 * thread does: a move or removal of any entry invalidates all of it at once
 * (a table generation), and new entries need no invalidation. A cache is
 * written by the calls it is given to, so it belongs to one worker: never
 * give one cache to two threads. Control thread, before the worker uses it.
 *
 * @param entries   a power of two, 2 * FDB_CACHE_WAYS..FDB_CACHE_MAX_ENTRIES, or 0
 *                  for FDB_CACHE_DEFAULT_ENTRIES (32 bytes each)
 * @param socket_id NUMA socket of the memory (the worker's), or SOCKET_ID_ANY
 * @return the cache, or NULL with rte_errno EINVAL (@p entries) or ENOMEM.
 */
struct fdb_cache *fdb_cache_create(const struct fdb *fdb, uint32_t entries, int socket_id);

/** Free a cache (NULL is allowed) its worker no longer uses. Control thread. */
void fdb_cache_free(struct fdb_cache *cache);

/**
 * Read a cache's counters; any thread (they are read atomically, so they may
 * be a moment old while the worker runs).
 */
void fdb_cache_stats_get(const struct fdb_cache *cache, struct fdb_cache_stats *stats);

/**
 * Apply what the workers asked and keep time. Control thread only; call it
 * often (every ~10 ms): a new MAC is flooded until the sync after its first
 * frame.
 *
 * Reads the clock; reuses the memory of entries removed before the workers'
 * last quiescent states; applies the learn requests waiting (insert, move;
 * evicting when full); once a second, starts an aging pass that removes the
 * dynamic entries not seen for the aging time (the pass visits a bounded
 * number of entries per call, so a big table ages over several calls).
 *
 * @return the number of entries inserted, moved or removed.
 */
unsigned int fdb_sync(struct fdb *fdb);

/**
 * Set the aging time. Control thread only. Takes effect at the next aging
 * pass (within about a second).
 *
 * @param seconds idle time after which a dynamic entry is removed; 0 never ages
 */
void fdb_set_aging_time(struct fdb *fdb, uint32_t seconds);

/** The aging time in seconds (0: never). Control thread only. */
uint32_t fdb_get_aging_time(const struct fdb *fdb);

/**
 * Set the most entries the table holds (static ones included), at most the
 * max_entries it was created with (its size). Dynamic entries past the new
 * limit are evicted at once, as a new MAC evicts (fdb_params::max_entries);
 * static entries stay, even past it. Control thread only.
 *
 * @return the number of entries evicted, or -EINVAL when @p max_entries is
 *         0 or above the table's size (nothing changed).
 */
int fdb_set_max_entries(struct fdb *fdb, uint32_t max_entries);

/** The most entries the table holds now (fdb_set_max_entries()). Control thread only. */
uint32_t fdb_get_max_entries(const struct fdb *fdb);

/** The table's size: max_entries as created, the highest fdb_set_max_entries() takes. */
uint32_t fdb_get_size(const struct fdb *fdb);

/**
 * Add or replace a static entry: it never ages and is never moved by
 * learning nor evicted; fdb_del() or a flush removes it. A dynamic entry of
 * the same key becomes static. Control thread only.
 *
 * @return 0; -EINVAL for a multicast or zero MAC, vlan > FDB_VLAN_MAX or
 *         port >= max_ports; -ENOSPC when the table is full of static entries
 *         or no slot has passed its grace period.
 */
int fdb_add_static(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac, uint16_t port);

/**
 * Remove the entry of (@p vlan, @p mac), dynamic or static (counted as
 * flushed). Control thread only.
 *
 * @return 0, or -ENOENT when there is none.
 */
int fdb_del(struct fdb *fdb, uint16_t vlan, const struct rte_ether_addr *mac);

/**
 * Remove every entry, dynamic and static, of @p port, e.g. when the port
 * goes away. Learn requests already waiting are applied first, so none of
 * them brings an entry back: stop the port's learning (its receive path)
 * before the call. Control thread only.
 *
 * @return the number of entries removed, or -EINVAL for port >= max_ports.
 */
int fdb_flush(struct fdb *fdb, uint16_t port);

/**
 * Remove every entry of every port (waiting learn requests are applied
 * first, as in fdb_flush()). Control thread only.
 *
 * @return the number of entries removed.
 */
unsigned int fdb_flush_all(struct fdb *fdb);

/**
 * Call @p cb for each entry, in no particular order, e.g. for "show fdb".
 * Control thread only; @p cb must not change the table.
 *
 * @param cb  returns 0 to go on; anything else stops the walk
 * @return 0 after the last entry, or what @p cb returned to stop.
 */
int fdb_walk(const struct fdb *fdb, int (*cb)(const struct fdb_entry_info *entry, void *arg),
	     void *arg);

/**
 * Read the counters. Control thread only (the workers' counters are read
 * atomically, so their values may be a moment old).
 */
void fdb_stats_get(const struct fdb *fdb, struct fdb_stats *stats);

#endif /* FDB_H */
