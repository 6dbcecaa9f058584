/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/bridge's MAC table: learning through the sync, refresh, aging on an
 * injected clock, moves, VLANs, the limit and its eviction policy, flushes,
 * static entries, the grace period, bad parameters, and readers running
 * while the control thread changes the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "fdb.h"

#define MAX_PORTS    8
#define QSBR_THREADS 4

/* What every test gets: a QSBR variable, a clock it steps, a table. */
struct env {
	struct rte_rcu_qsbr *qsbr;
	uint64_t ms; /* the injected clock */
	struct fdb *fdb;
};

static uint64_t test_clock(void *arg)
{
	return __atomic_load_n(&((struct env *)arg)->ms, __ATOMIC_RELAXED);
}

static void advance(struct env *e, uint64_t ms)
{
	__atomic_store_n(&e->ms, e->ms + ms, __ATOMIC_RELAXED);
}

static void params_for(struct env *e, struct fdb_params *p)
{
	fdb_params_init(p);
	p->name = "test";
	p->max_ports = MAX_PORTS;
	p->qsbr = e->qsbr;
	p->clock = test_clock;
	p->clock_arg = e;
}

static struct fdb *make(struct env *e, uint32_t max_entries, uint32_t ring_size)
{
	struct fdb_params p;
	int err = 0;

	params_for(e, &p);
	p.max_entries = max_entries;
	p.learn_ring_size = ring_size;
	e->fdb = fdb_create(&p, &err);
	assert_non_null(e->fdb);
	return e->fdb;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	size_t sz = rte_rcu_qsbr_get_memsize(QSBR_THREADS);

	if (e == NULL)
		return -1;
	e->qsbr = rte_zmalloc("test_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (e->qsbr == NULL || rte_rcu_qsbr_init(e->qsbr, QSBR_THREADS) != 0)
		return -1;
	e->ms = 1000000; /* not 0: the table counts from its creation */
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fdb_free(e->fdb);
	rte_free(e->qsbr);
	free(e);
	return 0;
}

/* A locally administered unicast MAC per number. */
static struct rte_ether_addr mac_of(uint32_t i)
{
	return (struct rte_ether_addr){{0x02, 0x00, i >> 24, i >> 16, i >> 8, i}};
}

static int port_of(struct fdb *fdb, uint16_t vlan, uint32_t i)
{
	struct rte_ether_addr mac = mac_of(i);
	uint16_t port;
	int ret = fdb_lookup(fdb, vlan, &mac, &port);

	return ret < 0 ? ret : port;
}

static int learn(struct fdb *fdb, uint16_t vlan, uint32_t i, uint16_t port)
{
	struct rte_ether_addr mac = mac_of(i);

	return fdb_learn(fdb, vlan, &mac, port);
}

static struct fdb_stats stats(const struct fdb *fdb)
{
	struct fdb_stats s;

	fdb_stats_get(fdb, &s);
	return s;
}

static void test_learn_sync_lookup(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	assert_int_equal(learn(fdb, 0, 1, 3), 1);
	/* Workers only post: nothing is known before the control thread syncs. */
	assert_int_equal(port_of(fdb, 0, 1), -ENOENT);
	assert_int_equal(fdb_sync(fdb), 1);
	assert_int_equal(port_of(fdb, 0, 1), 3);
	assert_int_equal(learn(fdb, 0, 1, 3), 0);
	assert_int_equal(fdb_sync(fdb), 0);
	assert_int_equal(port_of(fdb, 0, 2), -ENOENT);

	struct fdb_stats s = stats(fdb);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.learned, 1);
	assert_int_equal(s.moved, 0);
}

/* The frames of a new MAC before the sync post one request per lcore and second. */
static void test_learn_posts_once_before_sync(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 2);

	assert_int_equal(learn(fdb, 0, 1, 1), 1);
	for (int i = 0; i < 100; i++)
		assert_int_equal(learn(fdb, 0, 1, 1), 1);
	/* A ring of two took them all, with room left for one more MAC. */
	assert_int_equal(learn(fdb, 0, 2, 1), 1);
	assert_int_equal(stats(fdb).learn_dropped, 0);
	assert_int_equal(fdb_sync(fdb), 2);
}

static void test_refresh_once_a_second(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	learn(fdb, 0, 1, 1);
	fdb_sync(fdb);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(learn(fdb, 0, 1, 1), 0);
	/* Inserted this second: nothing to write. */
	assert_int_equal(stats(fdb).refreshed, 0);

	advance(e, 1000);
	fdb_sync(fdb);
	for (int i = 0; i < 1000; i++)
		learn(fdb, 0, 1, 1);
	assert_int_equal(stats(fdb).refreshed, 1);

	advance(e, 999); /* 1.999 s: the same second */
	fdb_sync(fdb);
	for (int i = 0; i < 1000; i++)
		learn(fdb, 0, 1, 1);
	assert_int_equal(stats(fdb).refreshed, 1);

	advance(e, 1);
	fdb_sync(fdb);
	learn(fdb, 0, 1, 1);
	assert_int_equal(stats(fdb).refreshed, 2);
}

static void test_aging(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	learn(fdb, 0, 1, 1);
	learn(fdb, 0, 2, 2);
	fdb_sync(fdb);
	assert_int_equal(fdb_get_aging_time(fdb), FDB_DEFAULT_AGING_TIME);

	advance(e, 200 * 1000);
	fdb_sync(fdb);
	assert_int_equal(learn(fdb, 0, 2, 2), 0); /* MAC 2 seen at 200 s */

	advance(e, 99 * 1000 + 999); /* 299.999 s */
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 1), 1);

	advance(e, 1);
	assert_int_equal(fdb_sync(fdb), 1);
	assert_int_equal(port_of(fdb, 0, 1), -ENOENT);
	assert_int_equal(port_of(fdb, 0, 2), 2);
	assert_int_equal(stats(fdb).aged, 1);

	advance(e, 200 * 1000);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 2), -ENOENT);
	assert_int_equal(stats(fdb).aged, 2);
	assert_int_equal(stats(fdb).entries, 0);
}

static void test_aging_zero_never_ages(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	fdb_set_aging_time(fdb, 0);
	learn(fdb, 0, 1, 1);
	fdb_sync(fdb);
	for (int i = 0; i < 10; i++) {
		advance(e, 100000 * 1000ULL);
		fdb_sync(fdb);
	}
	assert_int_equal(port_of(fdb, 0, 1), 1);

	/* Set at run time, it takes effect within a second. */
	fdb_set_aging_time(fdb, 10);
	advance(e, 1000);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 1), -ENOENT);
	assert_int_equal(stats(fdb).aged, 1);
}

static void test_mac_move(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	learn(fdb, 0, 1, 1);
	fdb_sync(fdb);
	assert_int_equal(learn(fdb, 0, 1, 2), 1);
	assert_int_equal(port_of(fdb, 0, 1), 1); /* until the sync */
	assert_int_equal(fdb_sync(fdb), 1);
	assert_int_equal(port_of(fdb, 0, 1), 2);
	assert_int_equal(learn(fdb, 0, 1, 2), 0);

	struct fdb_stats s = stats(fdb);
	assert_int_equal(s.entries, 1);
	assert_int_equal(s.learned, 1);
	assert_int_equal(s.moved, 1);
	/* The entry left port 1's list for port 2's. */
	assert_int_equal(fdb_flush(fdb, 1), 0);
	assert_int_equal(fdb_flush(fdb, 2), 1);
}

/*
 * A MAC seen on two ports by turns (a loop) moves twice a second at most,
 * not with every frame: each move would invalidate every worker's cache.
 */
static void test_mac_flapping(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	learn(fdb, 0, 1, 1);
	fdb_sync(fdb);
	for (int i = 0; i < 20; i++) {
		learn(fdb, 0, 1, (uint16_t)(1 + (i + 1) % 2));
		fdb_sync(fdb);
	}
	/* The new MAC and one move this second; the other 19 frames counted. */
	assert_int_equal(stats(fdb).moved, 1);
	assert_int_equal(port_of(fdb, 0, 1), 2);
	assert_int_equal(stats(fdb).learn_flapping, 10);
	/* A new second, a new move. */
	advance(e, 1000);
	fdb_sync(fdb);
	assert_int_equal(learn(fdb, 0, 1, 1), 1);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 1), 1);
	assert_int_equal(stats(fdb).moved, 2);
}

static void test_vlan_isolation(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	learn(fdb, 10, 1, 1);
	learn(fdb, 20, 1, 2);
	assert_int_equal(fdb_sync(fdb), 2);
	assert_int_equal(port_of(fdb, 10, 1), 1);
	assert_int_equal(port_of(fdb, 20, 1), 2);
	assert_int_equal(port_of(fdb, 30, 1), -ENOENT);
	assert_int_equal(port_of(fdb, 0, 1), -ENOENT);
	assert_int_equal(stats(fdb).entries, 2);
	assert_int_equal(stats(fdb).moved, 0);
}

static void test_limit_evicts_from_the_flooding_port(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 100, 4096);

	for (uint32_t i = 0; i < 10; i++) {
		learn(fdb, 0, 1000 + i, 1);
		learn(fdb, 0, 2000 + i, 2);
	}
	fdb_sync(fdb);
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(learn(fdb, 0, 100000 + i, 3), 1);
	fdb_sync(fdb);

	struct fdb_stats s = stats(fdb);
	assert_int_equal(s.entries, 100);
	assert_int_equal(s.learned, 1020);
	assert_int_equal(s.evicted, 920);
	for (uint32_t i = 0; i < 10; i++) {
		assert_int_equal(port_of(fdb, 0, 1000 + i), 1);
		assert_int_equal(port_of(fdb, 0, 2000 + i), 2);
	}
	/* The flooding port kept its newest 80, dropped its oldest. */
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(port_of(fdb, 0, 100000 + i), i >= 920 ? 3 : -ENOENT);
}

/* Of two other ports, the bigger one pays first, its oldest entry first. */
static void test_limit_evicts_the_biggest_port_oldest_first(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 10, 64);

	for (uint32_t i = 0; i < 3; i++)
		learn(fdb, 0, 100 + i, 1);
	for (uint32_t i = 0; i < 7; i++)
		learn(fdb, 0, 200 + i, 2);
	fdb_sync(fdb);
	learn(fdb, 0, 300, 3);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 200), -ENOENT);
	assert_int_equal(port_of(fdb, 0, 201), 2);
	assert_int_equal(port_of(fdb, 0, 100), 1);
	assert_int_equal(port_of(fdb, 0, 300), 3);
	assert_int_equal(stats(fdb).evicted, 1);
}

/* A lower limit evicts at once (the biggest port's oldest first); static entries stay. */
static void test_set_max_entries(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 100, 256);
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0x7f, 0x01}};
	uint16_t port;

	assert_int_equal(fdb_get_size(fdb), 100);
	assert_int_equal(fdb_get_max_entries(fdb), 100);
	assert_int_equal(fdb_add_static(fdb, 0, &mac, 4), 0);
	for (uint32_t i = 0; i < 10; i++)
		learn(fdb, 0, 100 + i, 1);
	for (uint32_t i = 0; i < 30; i++)
		learn(fdb, 0, 200 + i, 2);
	fdb_sync(fdb);
	assert_int_equal(stats(fdb).entries, 41);

	assert_int_equal(fdb_set_max_entries(fdb, 0), -EINVAL);
	assert_int_equal(fdb_set_max_entries(fdb, 101), -EINVAL);
	assert_int_equal(fdb_get_max_entries(fdb), 100);
	/* 41 down to 20: port 2 (30) pays until it is no longer the biggest, then turns. */
	assert_int_equal(fdb_set_max_entries(fdb, 20), 21);
	assert_int_equal(fdb_get_max_entries(fdb), 20);
	assert_int_equal(stats(fdb).entries, 20);
	assert_int_equal(stats(fdb).evicted, 21);
	assert_int_equal(port_of(fdb, 0, 200), -ENOENT);
	assert_int_equal(port_of(fdb, 0, 229), 2);
	assert_int_equal(fdb_lookup(fdb, 0, &mac, &port), 0);
	assert_int_equal(port, 4);
	/* Learning past the new limit evicts too; raised again, the table grows again. */
	learn(fdb, 0, 300, 3);
	fdb_sync(fdb);
	assert_int_equal(stats(fdb).entries, 20);
	assert_int_equal(fdb_set_max_entries(fdb, 100), 0);
	learn(fdb, 0, 301, 3);
	fdb_sync(fdb);
	assert_int_equal(stats(fdb).entries, 21);
	/* Only static entries past the limit: they stay. */
	assert_int_equal(fdb_set_max_entries(fdb, 1), 20);
	assert_int_equal(stats(fdb).entries, 1);
	assert_int_equal(stats(fdb).static_entries, 1);
}

static void test_flush_port(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);

	for (uint32_t i = 0; i < 30; i++)
		learn(fdb, 0, i, (uint16_t)(i % 3));
	fdb_sync(fdb);
	assert_int_equal(fdb_flush(fdb, 1), 10);
	for (uint32_t i = 0; i < 30; i++)
		assert_int_equal(port_of(fdb, 0, i), i % 3 == 1 ? -ENOENT : (int)(i % 3));
	assert_int_equal(stats(fdb).flushed, 10);
	assert_int_equal(stats(fdb).entries, 20);

	/* A request queued before the flush does not bring the port back after it. */
	learn(fdb, 0, 100, 1);
	assert_int_equal(fdb_flush(fdb, 1), 1);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 100), -ENOENT);

	assert_int_equal(fdb_flush(fdb, MAX_PORTS), -EINVAL);
	assert_int_equal(fdb_flush_all(fdb), 20);
	assert_int_equal(stats(fdb).entries, 0);
	assert_int_equal(stats(fdb).flushed, 31);
	assert_int_equal(port_of(fdb, 0, 0), -ENOENT);
}

static void test_static_entries(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 4, 64);
	struct rte_ether_addr mac = mac_of(1);

	assert_int_equal(fdb_add_static(fdb, 0, &mac, 5), 0);
	assert_int_equal(port_of(fdb, 0, 1), 5);
	/* Learning neither moves nor refreshes it. */
	assert_int_equal(learn(fdb, 0, 1, 6), 0);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 1), 5);
	/* A flood from the port of another static entry (its oldest) evicts around it. */
	mac = mac_of(3);
	assert_int_equal(fdb_add_static(fdb, 0, &mac, 2), 0);
	for (uint32_t i = 0; i < 20; i++)
		learn(fdb, 0, 100 + i, 2);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 3), 2);
	assert_int_equal(port_of(fdb, 0, 119), 2);
	/* Aging leaves them. */
	advance(e, 1000 * 1000);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 1), 5);
	assert_int_equal(port_of(fdb, 0, 3), 2);

	struct fdb_stats s = stats(fdb);
	assert_int_equal(s.entries, 2);
	assert_int_equal(s.static_entries, 2);
	assert_int_equal(s.evicted, 18);
	assert_int_equal(s.aged, 2);

	/* A learned entry becomes static; a move queued before then is not applied. */
	learn(fdb, 0, 2, 2);
	fdb_sync(fdb);
	assert_int_equal(learn(fdb, 0, 2, 6), 1);
	mac = mac_of(2);
	assert_int_equal(fdb_add_static(fdb, 0, &mac, 3), 0);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 2), 3);
	assert_int_equal(stats(fdb).static_entries, 3);
	assert_int_equal(stats(fdb).moved, 0);

	assert_int_equal(fdb_del(fdb, 0, &mac), 0);
	assert_int_equal(fdb_del(fdb, 0, &mac), -ENOENT);
	assert_int_equal(port_of(fdb, 0, 2), -ENOENT);
	assert_int_equal(stats(fdb).static_entries, 2);

	/* A table of static entries only refuses what cannot fit. */
	for (uint32_t i = 0; i < 2; i++) {
		mac = mac_of(10 + i);
		assert_int_equal(fdb_add_static(fdb, 0, &mac, 1), 0);
	}
	mac = mac_of(20);
	assert_int_equal(fdb_add_static(fdb, 0, &mac, 1), -ENOSPC);
	learn(fdb, 0, 21, 1);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 21), -ENOENT);
	assert_int_equal(stats(fdb).learn_refused, 1);
	/* A port flush takes its static entries too. */
	assert_int_equal(fdb_flush(fdb, 1), 2);
	assert_int_equal(stats(fdb).static_entries, 2);
}

struct walk_result {
	unsigned int n;
	struct fdb_entry_info seen[8];
};

static int walk_collect(const struct fdb_entry_info *entry, void *arg)
{
	struct walk_result *r = arg;

	if (r->n < 8)
		r->seen[r->n] = *entry;
	r->n++;
	return 0;
}

static int walk_stop(const struct fdb_entry_info *entry, void *arg)
{
	(void)entry;
	return ++*(int *)arg == 2 ? 42 : 0;
}

static void test_walk(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);
	struct rte_ether_addr mac = mac_of(2);
	struct walk_result r = {0};
	int calls = 0;

	advance(e, 5 * 1000);
	fdb_sync(fdb);
	learn(fdb, 7, 1, 4);
	fdb_sync(fdb);
	fdb_add_static(fdb, 9, &mac, 5);
	advance(e, 12 * 1000);
	fdb_sync(fdb);

	assert_int_equal(fdb_walk(fdb, walk_collect, &r), 0);
	assert_int_equal(r.n, 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct fdb_entry_info *x = &r.seen[i];

		if (x->dynamic) {
			struct rte_ether_addr want = mac_of(1);

			assert_int_equal(x->vlan, 7);
			assert_memory_equal(&x->mac, &want, sizeof(want));
			assert_int_equal(x->port, 4);
			assert_int_equal(x->age, 12);
		} else {
			assert_int_equal(x->vlan, 9);
			assert_memory_equal(&x->mac, &mac, sizeof(mac));
			assert_int_equal(x->port, 5);
			assert_int_equal(x->age, 0);
		}
	}
	assert_true(r.seen[0].dynamic != r.seen[1].dynamic);
	assert_int_equal(fdb_walk(fdb, walk_stop, &calls), 42);
}

static void test_bad_params(void **state)
{
	struct env *e = *state;
	struct fdb_params p;
	int err = 0;

	assert_null(fdb_create(NULL, &err));
	assert_int_equal(err, -EINVAL);

#define REFUSED(field, value)                      \
	do {                                       \
		params_for(e, &p);                 \
		p.field = value;                   \
		err = 0;                           \
		assert_null(fdb_create(&p, &err)); \
		assert_int_equal(err, -EINVAL);    \
	} while (0)

	REFUSED(name, NULL);
	REFUSED(name, "");
	REFUSED(name, "seventeen-chars-x");
	REFUSED(max_ports, 0);
	REFUSED(max_entries, 0);
	REFUSED(max_entries, FDB_MAX_ENTRIES + 1);
	REFUSED(learn_ring_size, 0);
	REFUSED(learn_ring_size, FDB_MAX_LEARN_RING_SIZE + 1);
	REFUSED(qsbr, NULL);
	REFUSED(socket_id, RTE_MAX_NUMA_NODES);
	REFUSED(socket_id, -2);
#undef REFUSED

	/* Names are unique; the longest one works. */
	struct fdb *fdb = make(e, 16, 16);
	params_for(e, &p);
	assert_null(fdb_create(&p, &err));
	assert_int_equal(err, -EEXIST);
	params_for(e, &p);
	p.name = "sixteen-chars-xx";
	struct fdb *other = fdb_create(&p, &err);
	assert_non_null(other);
	fdb_free(other);
	fdb_free(NULL);

	/* Sources that are never learned. */
	struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	struct rte_ether_addr mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}};
	struct rte_ether_addr zero = {{0}};
	struct rte_ether_addr good = mac_of(1);
	assert_int_equal(fdb_learn(fdb, 0, &bcast, 1), -EINVAL);
	assert_int_equal(fdb_learn(fdb, 0, &mcast, 1), -EINVAL);
	assert_int_equal(fdb_learn(fdb, 0, &zero, 1), -EINVAL);
	assert_int_equal(fdb_learn(fdb, FDB_VLAN_MAX + 1, &good, 1), -EINVAL);
	assert_int_equal(fdb_learn(fdb, 0, &good, MAX_PORTS), -EINVAL);
	assert_int_equal(stats(fdb).learn_invalid, 5);
	assert_int_equal(fdb_sync(fdb), 0);
	assert_int_equal(stats(fdb).entries, 0);

	assert_int_equal(fdb_add_static(fdb, 0, &mcast, 1), -EINVAL);
	assert_int_equal(fdb_add_static(fdb, 0, &good, MAX_PORTS), -EINVAL);
	assert_int_equal(fdb_add_static(fdb, FDB_VLAN_MAX + 1, &good, 1), -EINVAL);
	assert_int_equal(fdb_del(fdb, 0, &good), -ENOENT);

	struct rte_ether_hdr hdr = {.dst_addr = good, .src_addr = good};
	const struct rte_ether_hdr *hdrs[FDB_BULK_MAX + 1] = {&hdr};
	uint16_t vlans[FDB_BULK_MAX + 1] = {0}, ports[FDB_BULK_MAX + 1];
	uint64_t hits;
	assert_int_equal(fdb_lookup_bulk(fdb, NULL, vlans, hdrs, 0, ports, &hits), -EINVAL);
	assert_int_equal(fdb_lookup_bulk(fdb, NULL, vlans, hdrs, FDB_BULK_MAX + 1, ports, &hits),
			 -EINVAL);
	assert_int_equal(fdb_learn_bulk(fdb, NULL, vlans, hdrs, 0, 1), -EINVAL);
	assert_int_equal(fdb_learn_bulk(fdb, NULL, vlans, hdrs, FDB_BULK_MAX + 1, 1), -EINVAL);
	/* A bulk learn on a port out of range counts each frame, as fdb_learn(). */
	assert_int_equal(fdb_learn_bulk(fdb, NULL, vlans, hdrs, 1, MAX_PORTS), 0);
	assert_int_equal(stats(fdb).learn_invalid, 6);

	/* Cache sizes: powers of two of two buckets or more. */
	assert_null(fdb_cache_create(fdb, 3, SOCKET_ID_ANY));
	assert_null(fdb_cache_create(fdb, FDB_CACHE_WAYS, SOCKET_ID_ANY));
	assert_null(fdb_cache_create(fdb, FDB_CACHE_MAX_ENTRIES * 2, SOCKET_ID_ANY));
	assert_null(fdb_cache_create(NULL, 0, SOCKET_ID_ANY));
	struct fdb_cache *cache = fdb_cache_create(fdb, 2 * FDB_CACHE_WAYS, SOCKET_ID_ANY);
	assert_non_null(cache);
	fdb_cache_free(cache);
	fdb_cache_free(NULL);
}

static void test_learn_ring_full_counted(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 4);

	for (uint32_t i = 0; i < 10; i++)
		assert_int_equal(learn(fdb, 0, i, 1), i < 4 ? 1 : -ENOBUFS);
	assert_int_equal(stats(fdb).learn_dropped, 6);
	assert_int_equal(fdb_sync(fdb), 4);
	/* A dropped request is tried again by the next frame. */
	assert_int_equal(learn(fdb, 0, 5, 1), 1);
	assert_int_equal(fdb_sync(fdb), 1);
	assert_int_equal(port_of(fdb, 0, 5), 1);
	assert_int_equal(stats(fdb).learn_dropped, 6);
}

/* Frames from @p src to @p dst, for the bulk calls (they read whole headers). */
static void frames_of(struct rte_ether_hdr *hdrs, const struct rte_ether_hdr **ptrs,
		      const struct rte_ether_addr *src, const struct rte_ether_addr *dst,
		      unsigned int n)
{
	for (unsigned int j = 0; j < n; j++) {
		hdrs[j] = (struct rte_ether_hdr){
			.dst_addr = dst[j],
			.src_addr = src[j],
			.ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4),
		};
		ptrs[j] = &hdrs[j];
	}
}

/*
 * Random keys, some known, some multicast: the bulk calls agree with the
 * single ones, without a cache, and with one both cold and warm.
 */
static void test_bulk_matches_single(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 4096, 4096);
	/* Small: keys collide in its buckets and evict each other. */
	struct fdb_cache *cache = fdb_cache_create(fdb, 64, SOCKET_ID_ANY);
	struct rte_ether_addr macs[FDB_BULK_MAX];
	struct rte_ether_hdr hdrs[FDB_BULK_MAX];
	const struct rte_ether_hdr *hdr_ptrs[FDB_BULK_MAX];
	uint16_t vlans[FDB_BULK_MAX], ports[FDB_BULK_MAX];
	unsigned int seed = 1;

	assert_non_null(cache);
	for (uint32_t i = 0; i < 2000; i += 2)
		learn(fdb, (uint16_t)(i % 5), i, (uint16_t)(i % MAX_PORTS));
	fdb_sync(fdb);

	for (int round = 0; round < 600; round++) {
		unsigned int n = 1 + (unsigned int)rand_r(&seed) % FDB_BULK_MAX;
		struct fdb_cache *c = round % 3 == 0 ? NULL : cache;
		uint64_t hits = 0;
		int found = 0;

		for (unsigned int j = 0; j < n; j++) {
			uint32_t i = (uint32_t)rand_r(&seed) % 2200;

			macs[j] = mac_of(i);
			if (i % 97 == 0)
				macs[j].addr_bytes[0] |= 1; /* multicast: never found */
			vlans[j] = (uint16_t)(rand_r(&seed) % 3 ? i % 5 : (i + 1) % 5);
		}
		frames_of(hdrs, hdr_ptrs, macs, macs, n);
		memset(ports, 0xee, sizeof(ports));
		int ret = fdb_lookup_bulk(fdb, c, vlans, hdr_ptrs, n, ports, &hits);
		for (unsigned int j = 0; j < n; j++) {
			uint16_t port;
			int single = fdb_lookup(fdb, vlans[j], &macs[j], &port);

			assert_int_equal(single == 0, (hits >> j) & 1);
			if (single == 0) {
				assert_int_equal(ports[j], port);
				found++;
			}
		}
		assert_int_equal(hits >> (n - 1) >> 1, 0);
		assert_int_equal(ret, found);
	}
	struct fdb_cache_stats cs;
	fdb_cache_stats_get(cache, &cs);
	assert_true(cs.hits > 0 && cs.misses > 0);

	/*
	 * A burst learned in bulk: known sources refreshed, new ones posted
	 * once; the cache knows the moved ones' old port until the sync.
	 */
	for (unsigned int j = 0; j < 32; j++) {
		macs[j] = mac_of(j < 16 ? j * 2 : 100000 + j % 12);
		vlans[j] = (uint16_t)(j < 16 ? (j * 2) % 5 : 0);
	}
	frames_of(hdrs, hdr_ptrs, macs, macs, 32);
	advance(e, 1000);
	fdb_sync(fdb);
	assert_int_equal(fdb_learn_bulk(fdb, cache, vlans, hdr_ptrs, 32, 3), 32);
	/* 16 moves; 12 new MACs, 4 of them twice in the burst */
	assert_int_equal(fdb_sync(fdb), 16 + 12);
	for (unsigned int j = 0; j < 32; j++) {
		uint16_t port;

		assert_int_equal(fdb_lookup(fdb, vlans[j], &macs[j], &port), 0);
		assert_int_equal(port, 3);
	}
	assert_int_equal(fdb_learn_bulk(fdb, cache, vlans, hdr_ptrs, 32, 3), 0);
	assert_int_equal(fdb_learn_bulk(fdb, NULL, vlans, hdr_ptrs, 32, 3), 0);
	fdb_cache_free(cache);
}

/* Through a warm cache: is the MAC of number @p i found, and on which port? */
static int cached_port(struct fdb *fdb, struct fdb_cache *cache, uint32_t i)
{
	struct rte_ether_addr mac = mac_of(i);
	struct rte_ether_hdr hdr;
	const struct rte_ether_hdr *ptr;
	uint16_t vlan = 0, port;
	uint64_t hits;

	frames_of(&hdr, &ptr, &mac, &mac, 1);
	fdb_lookup_bulk(fdb, cache, &vlan, &ptr, 1, &port, &hits);
	return hits ? port : -ENOENT;
}

/* A cached result never outlives a change of its entry: move, removal, flush, aging. */
static void test_cache_follows_changes(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 1024, 64);
	struct fdb_cache *cache = fdb_cache_create(fdb, 0, SOCKET_ID_ANY);
	struct rte_ether_addr mac = mac_of(1);
	struct rte_ether_hdr hdr;
	const struct rte_ether_hdr *ptr;
	struct fdb_cache_stats cs;
	uint16_t vlan = 0;

	assert_non_null(cache);
	for (uint32_t i = 1; i <= 3; i++)
		learn(fdb, 0, i, 1);
	fdb_sync(fdb);
	/* The second time from the cache. */
	assert_int_equal(cached_port(fdb, cache, 1), 1);
	assert_int_equal(cached_port(fdb, cache, 1), 1);
	fdb_cache_stats_get(cache, &cs);
	assert_int_equal(cs.hits, 1);
	assert_int_equal(cs.misses, 1);

	/* Move. */
	learn(fdb, 0, 1, 2);
	fdb_sync(fdb);
	assert_int_equal(cached_port(fdb, cache, 1), 2);
	assert_int_equal(cached_port(fdb, cache, 2), 1);
	/* A static entry over the dynamic one, then removed. */
	assert_int_equal(fdb_add_static(fdb, 0, &mac, 5), 0);
	assert_int_equal(cached_port(fdb, cache, 1), 5);
	assert_int_equal(fdb_del(fdb, 0, &mac), 0);
	assert_int_equal(cached_port(fdb, cache, 1), -ENOENT);
	/* Flush of a port. */
	assert_int_equal(cached_port(fdb, cache, 2), 1);
	assert_int_equal(fdb_flush(fdb, 1), 2);
	assert_int_equal(cached_port(fdb, cache, 2), -ENOENT);
	assert_int_equal(cached_port(fdb, cache, 3), -ENOENT);
	/* Aging: a source refreshed through the cache stays, the others go. */
	fdb_set_aging_time(fdb, 2);
	advance(e, 1000); /* MAC 1 moved twice this second: its next move would wait */
	fdb_sync(fdb);
	learn(fdb, 0, 1, 4);
	learn(fdb, 0, 2, 4);
	fdb_sync(fdb);
	frames_of(&hdr, &ptr, &mac, &mac, 1);
	for (int sec = 0; sec < 6; sec++) {
		assert_int_equal(fdb_learn_bulk(fdb, cache, &vlan, &ptr, 1, 4), 0);
		assert_int_equal(cached_port(fdb, cache, 2), sec < 2 ? 4 : -ENOENT);
		advance(e, 1000);
		fdb_sync(fdb);
		fdb_sync(fdb); /* an aging pass may take two calls */
	}
	assert_int_equal(cached_port(fdb, cache, 1), 4);
	assert_int_equal(stats(fdb).aged, 1);
	fdb_cache_free(cache);
}

/*
 * A reader online and never quiescent holds every removed entry: once the
 * spare slots are parked, learns are refused (not applied over memory a
 * reader may hold); its quiescent state frees them.
 */
static void test_grace_period_holds_slots(void **state)
{
	struct env *e = *state;
	struct fdb *fdb = make(e, 8, 4);

	assert_int_equal(rte_rcu_qsbr_thread_register(e->qsbr, 0), 0);
	rte_rcu_qsbr_thread_online(e->qsbr, 0);

	for (uint32_t i = 0; i < 8; i++) {
		learn(fdb, 0, i, 1);
		fdb_sync(fdb); /* a ring of 4 */
	}
	/* Each new MAC evicts one; 4 spare slots, then no room. */
	for (uint32_t i = 0; i < 4; i++)
		learn(fdb, 0, 100 + i, 1);
	fdb_sync(fdb);
	for (uint32_t i = 0; i < 4; i++)
		learn(fdb, 0, 200 + i, 1);
	fdb_sync(fdb);

	struct fdb_stats s = stats(fdb);
	assert_int_equal(s.evicted, 4);
	assert_int_equal(s.pending, 4);
	assert_int_equal(s.learn_refused, 4);
	assert_int_equal(port_of(fdb, 0, 200), -ENOENT);

	rte_rcu_qsbr_quiescent(e->qsbr, 0);
	advance(e, 1000); /* a new second (once synced): the refused sources post again */
	fdb_sync(fdb);
	for (uint32_t i = 0; i < 4; i++)
		learn(fdb, 0, 200 + i, 1);
	fdb_sync(fdb);
	assert_int_equal(port_of(fdb, 0, 200), 1);
	assert_int_equal(stats(fdb).learn_refused, 4);

	rte_rcu_qsbr_thread_offline(e->qsbr, 0);
	rte_rcu_qsbr_thread_unregister(e->qsbr, 0);
}

/*
 * Readers against the control thread. Key i only ever lives on port i % 4
 * or 4 + i % 4: a reader that finds any other port read a slot another key
 * reused, which the grace period must prevent. (With the grace period
 * skipped in fdb_reclaim(), this test saw such ports in 4 runs of 5.)
 */
#define RACE_KEYS 48

struct reader {
	struct env *e;
	unsigned int qsbr_id;
	int stop;
	uint64_t lookups, hits, bad;
	uint64_t bursts; /* read by the control thread to wait for progress */
	int registered;
};

static bool port_valid(uint32_t i, uint16_t port)
{
	return port == i % 4 || port == 4 + i % 4;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct fdb *fdb = r->e->fdb;
	struct rte_ether_addr macs[FDB_BULK_MAX];
	struct rte_ether_hdr hdrs[FDB_BULK_MAX];
	const struct rte_ether_hdr *hdr_ptrs[FDB_BULK_MAX];
	uint16_t vlans[FDB_BULK_MAX] = {0}, ports[FDB_BULK_MAX];
	unsigned int seed = r->qsbr_id;
	/* Each reader a worker with its own cache: it must never answer a reused slot. */
	struct fdb_cache *cache = fdb_cache_create(fdb, 64, SOCKET_ID_ANY);

	if (cache == NULL)
		return NULL;

	/* An lcore id for the per-lcore counters, as a worker lcore has. */
	if (rte_thread_register() != 0)
		return NULL;
	rte_rcu_qsbr_thread_register(r->e->qsbr, r->qsbr_id);
	rte_rcu_qsbr_thread_online(r->e->qsbr, r->qsbr_id);
	__atomic_store_n(&r->registered, 1, __ATOMIC_RELEASE);

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t hits = 0;

		for (unsigned int j = 0; j < FDB_BULK_MAX; j++) {
			uint32_t i = (uint32_t)rand_r(&seed) % RACE_KEYS;
			uint16_t port;

			macs[j] = mac_of(i);
			if (fdb_lookup(fdb, 0, &macs[j], &port) == 0) {
				r->hits++;
				if (!port_valid(i, port))
					r->bad++;
				/* Learn some where they are (refresh); the others age. */
				if (i % 8 == 0)
					fdb_learn(fdb, 0, &macs[j], port);
			}
			r->lookups++;
		}
		frames_of(hdrs, hdr_ptrs, macs, macs, FDB_BULK_MAX);
		fdb_lookup_bulk(fdb, cache, vlans, hdr_ptrs, FDB_BULK_MAX, ports, &hits);
		for (unsigned int j = 0; j < FDB_BULK_MAX; j++) {
			uint32_t i = (uint32_t)macs[j].addr_bytes[4] << 8 | macs[j].addr_bytes[5];

			if ((hits >> j) & 1 && !port_valid(i, ports[j]))
				r->bad++;
		}
		/* Between bursts, as a worker does. */
		rte_rcu_qsbr_quiescent(r->e->qsbr, r->qsbr_id);
		__atomic_fetch_add(&r->bursts, 1, __ATOMIC_RELEASE);
	}
	rte_rcu_qsbr_thread_offline(r->e->qsbr, r->qsbr_id);
	rte_rcu_qsbr_thread_unregister(r->e->qsbr, r->qsbr_id);
	rte_thread_unregister();
	fdb_cache_free(cache);
	return NULL;
}

static void test_readers_while_control_changes(void **state)
{
	struct env *e = *state;
	/*
	 * Small (12 slots for 48 keys): rounds evict, and removed slots come
	 * back after few inserts, while a reader may still be in a lookup.
	 */
	struct fdb *fdb = make(e, 8, 4);
	struct reader readers[2];
	pthread_t threads[2];
	pthread_attr_t attr;
	cpu_set_t cpus;
	unsigned int seed = 7;

	/* Off the main lcore's CPU when there is another: EAL pinned this thread. */
	CPU_ZERO(&cpus);
	for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE; c++)
		CPU_SET(c, &cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	for (unsigned int t = 0; t < 2; t++) {
		readers[t] = (struct reader){.e = e, .qsbr_id = t + 1};
		assert_int_equal(pthread_create(&threads[t], &attr, reader_main, &readers[t]), 0);
		while (!__atomic_load_n(&readers[t].registered, __ATOMIC_ACQUIRE))
			sched_yield();
	}
	pthread_attr_destroy(&attr);

	fdb_set_aging_time(fdb, 2);
	for (unsigned int round = 0; round < 20000; round++) {
		/*
		 * Every 128 rounds, let each reader finish a burst: on a busy
		 * machine they could otherwise run only after the loop.
		 */
		for (unsigned int t = 0; round % 128 == 0 && t < 2; t++) {
			uint64_t seen = __atomic_load_n(&readers[t].bursts, __ATOMIC_ACQUIRE);

			while (__atomic_load_n(&readers[t].bursts, __ATOMIC_ACQUIRE) < seen + 1)
				sched_yield();
		}
		for (unsigned int k = 0; k < 4; k++) {
			uint32_t i = (uint32_t)rand_r(&seed) % RACE_KEYS;
			uint16_t port = (uint16_t)(i % 4 + (rand_r(&seed) % 2 ? 4 : 0));

			learn(fdb, 0, i, port);
		}
		fdb_sync(fdb);
		if (round % 40 == 0)
			advance(e, 1000); /* ages some out */
		if (round % 97 == 0)
			fdb_flush(fdb, (uint16_t)(rand_r(&seed) % MAX_PORTS));
		if (round % 1013 == 0)
			fdb_flush_all(fdb);
		if (round % 31 == 0) {
			uint32_t i = (uint32_t)rand_r(&seed) % RACE_KEYS;
			struct rte_ether_addr mac = mac_of(i);

			if (round % 62 == 0)
				fdb_add_static(fdb, 0, &mac, (uint16_t)(4 + i % 4));
			else
				fdb_del(fdb, 0, &mac);
		}
	}

	for (unsigned int t = 0; t < 2; t++) {
		__atomic_store_n(&readers[t].stop, 1, __ATOMIC_RELEASE);
		pthread_join(threads[t], NULL);
	}
	struct fdb_stats s = stats(fdb);
	print_message("readers: %" PRIu64 " + %" PRIu64 " lookups, %" PRIu64 " + %" PRIu64
		      " hits; table: %" PRIu64 " learned %" PRIu64 " moved %" PRIu64
		      " evicted %" PRIu64 " aged %" PRIu64 " flushed\n",
		      readers[0].lookups, readers[1].lookups, readers[0].hits, readers[1].hits,
		      s.learned, s.moved, s.evicted, s.aged, s.flushed);
	for (unsigned int t = 0; t < 2; t++) {
		assert_int_equal(readers[t].bad, 0);
		assert_true(readers[t].hits > 0);
	}
	assert_true(s.evicted > 0 && s.aged > 0 && s.moved > 0);
	assert_true(s.entries <= 8);
}

/*
 * Not a check: what a burst of 32 frames costs (learn the sources, look up
 * the destinations) with 1 and with 100 000 learned MACs. FDB_BENCH=1 runs it.
 */
#define BENCH_BURST  32
#define BENCH_FRAMES (BENCH_BURST * 20000)

static double bench_ns_per_frame(struct env *e, uint32_t n_macs, bool with_cache)
{
	struct fdb *fdb = make(e, 131072, 4096);
	struct rte_ether_addr *macs = calloc(n_macs, sizeof(*macs));
	struct rte_ether_hdr *hdrs = calloc(BENCH_FRAMES, sizeof(*hdrs));
	const struct rte_ether_hdr **frames = calloc(BENCH_FRAMES, sizeof(*frames));
	struct fdb_cache *cache = with_cache ? fdb_cache_create(fdb, 0, SOCKET_ID_ANY) : NULL;
	uint16_t vlans[BENCH_BURST] = {0}, ports[BENCH_BURST];
	unsigned int seed = 3;
	uint64_t hits, start, cycles;

	assert_non_null(macs);
	assert_non_null(hdrs);
	assert_non_null(frames);
	assert_true(cache != NULL || !with_cache);
	for (uint32_t i = 0; i < n_macs; i++) {
		macs[i] = mac_of(i + 1);
		while (fdb_learn(fdb, 0, &macs[i], 0) == -ENOBUFS)
			fdb_sync(fdb);
	}
	fdb_sync(fdb);
	assert_int_equal(stats(fdb).entries, n_macs);
	for (uint32_t f = 0; f < BENCH_FRAMES; f++) {
		hdrs[f].src_addr = macs[(uint32_t)rand_r(&seed) % n_macs];
		hdrs[f].dst_addr = macs[(uint32_t)rand_r(&seed) % n_macs];
		frames[f] = &hdrs[f];
	}

	start = rte_rdtsc();
	for (uint32_t f = 0; f < BENCH_FRAMES; f += BENCH_BURST) {
		fdb_learn_bulk(fdb, cache, vlans, &frames[f], BENCH_BURST, 0);
		fdb_lookup_bulk(fdb, cache, vlans, &frames[f], BENCH_BURST, ports, &hits);
		assert_true(hits == UINT32_MAX);
	}
	cycles = rte_rdtsc() - start;

	fdb_cache_free(cache);
	fdb_free(fdb);
	e->fdb = NULL;
	free(macs);
	free(hdrs);
	free(frames);
	return (double)cycles * 1e9 / (double)rte_get_tsc_hz() / BENCH_FRAMES;
}

static void test_bench_lookup_cost(void **state)
{
	struct env *e = *state;
	double one, many;

	if (getenv("FDB_BENCH") == NULL)
		skip();
	for (int with_cache = 0; with_cache < 2; with_cache++) {
		one = bench_ns_per_frame(e, 1, with_cache);
		many = bench_ns_per_frame(e, 100000, with_cache);
		print_message("learn + lookup per frame, %s cache: %.1f ns with 1 MAC, %.1f ns "
			      "with 100000 (+%.0f%%)\n",
			      with_cache ? "with a" : "no", one, many, (many / one - 1) * 100);
	}
}

static int init_eal(void)
{
	char *argv[] = {"test", "--no-huge", "--no-pci", "--no-shconf", "--no-telemetry",
			"-m",	"256",	     "-l",	 "0",		"--log-level=3"};

	return rte_eal_init(RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

/* An argument runs the tests whose names match it (cmocka's * and ? patterns). */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_learn_sync_lookup),
		T(test_learn_posts_once_before_sync),
		T(test_refresh_once_a_second),
		T(test_aging),
		T(test_aging_zero_never_ages),
		T(test_mac_move),
		T(test_mac_flapping),
		T(test_vlan_isolation),
		T(test_limit_evicts_from_the_flooding_port),
		T(test_limit_evicts_the_biggest_port_oldest_first),
		T(test_set_max_entries),
		T(test_flush_port),
		T(test_static_entries),
		T(test_walk),
		T(test_bad_params),
		T(test_learn_ring_full_counted),
		T(test_bulk_matches_single),
		T(test_cache_follows_changes),
		T(test_grace_period_holds_slots),
		T(test_readers_while_control_changes),
		T(test_bench_lookup_cost),
#undef T
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	if (init_eal() < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
