/* SPDX-License-Identifier: BSD-3-Clause */
/* MAC table commands: show, clear, aging time, limit, static entries. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "fdb.h"
#include "worker/worker.h"

struct table_walk {
	struct vns_cmd_ctx *c;
	int vlan; /* the VLAN shown, or -1 for all */
	uint64_t shown;
};

static int describe_entry(const struct fdb_entry_info *e, void *arg)
{
	struct table_walk *t = arg;
	struct vns_switch *sw = t->c->sw;
	const struct vns_port *vp = e->port < sw->nb_ports ? sw->ports[e->port] : NULL;
	struct vns_reply *r = t->c->r;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (t->vlan >= 0 && e->vlan != t->vlan)
		return 0;
	/* Lower case, as ip and bridge print MACs. */
	vns_reply_open(r, NULL, NULL);
	vns_reply_u64(r, "vlan", "%4" PRIu64, e->vlan);
	vns_reply_str(r, "mac", "  %s", vns_mac_str(&e->mac, mac));
	vns_reply_str(r, "port", "  %-16s", vp != NULL ? vp->port->name : "?");
	vns_reply_u64(r, "port_id", NULL, e->port);
	vns_reply_u64(r, "age", " %" PRIu64, e->age);
	vns_reply_bool(r, "static", "%s\n", !e->dynamic, " static", "");
	vns_reply_close(r, NULL);
	t->shown++;
	return 0;
}

static int show_table(struct vns_cmd_ctx *c, int vlan)
{
	struct table_walk t = {c, vlan, 0};

	vns_reply_text(c->r, "VLAN  MAC                PORT             AGE\n");
	vns_reply_list(c->r, "entries", NULL);
	fdb_walk(c->sw->fdb, describe_entry, &t);
	vns_reply_close(c->r, NULL);
	vns_reply_u64(c->r, "nb_entries", NULL, t.shown);
	return 0;
}

static int cmd_show_table(struct vns_cmd_ctx *c)
{
	return show_table(c, -1);
}

static int cmd_show_table_vlan(struct vns_cmd_ctx *c)
{
	return show_table(c, (int)vns_cmd_arg(c, "VID")->u);
}

static int cmd_show_stats(struct vns_cmd_ctx *c)
{
	struct fdb_cache_stats one, cache = {0};
	struct vns_reply *r = c->r;
	struct fdb_stats s;
	unsigned int i;

	fdb_stats_get(c->sw->fdb, &s);
	for (i = 0; i < c->sw->nb_workers; i++) {
		if (c->sw->workers[i].fdb_cache == NULL)
			continue;
		fdb_cache_stats_get(c->sw->workers[i].fdb_cache, &one);
		cache.hits += one.hits;
		cache.misses += one.misses;
	}
	vns_reply_u64(r, "entries", "entries: %" PRIu64 "\n", s.entries);
	vns_reply_u64(r, "limit", "limit: %" PRIu64 "\n", fdb_get_max_entries(c->sw->fdb));
	vns_reply_u64(r, "static", "static: %" PRIu64 "\n", s.static_entries);
	vns_reply_u64(r, "learned", "learned: %" PRIu64 "\n", s.learned);
	vns_reply_u64(r, "moved", "moved: %" PRIu64 "\n", s.moved);
	vns_reply_u64(r, "aged", "aged: %" PRIu64 "\n", s.aged);
	vns_reply_u64(r, "evicted", "evicted: %" PRIu64 "\n", s.evicted);
	vns_reply_u64(r, "flushed", "flushed: %" PRIu64 "\n", s.flushed);
	vns_reply_u64(r, "learn_dropped", "learn-dropped: %" PRIu64 "\n", s.learn_dropped);
	vns_reply_u64(r, "learn_refused", "learn-refused: %" PRIu64 "\n", s.learn_refused);
	vns_reply_u64(r, "learn_flapping", "learn-flapping: %" PRIu64 "\n", s.learn_flapping);
	vns_reply_u64(r, "aging_time", "aging-time: %" PRIu64 "\n", fdb_get_aging_time(c->sw->fdb));
	vns_reply_u64(r, "cache_hits", "cache-hits: %" PRIu64 "\n", cache.hits);
	vns_reply_u64(r, "cache_misses", "cache-misses: %" PRIu64 "\n", cache.misses);
	return 0;
}

static int cmd_set_aging(struct vns_cmd_ctx *c)
{
	fdb_set_aging_time(c->sw->fdb, (uint32_t)vns_cmd_arg(c, "SECONDS")->u);
	return 0;
}

static int cmd_set_limit(struct vns_cmd_ctx *c)
{
	uint64_t n = vns_cmd_arg(c, "COUNT")->u;
	int evicted;

	if (n > fdb_get_size(c->sw->fdb))
		return vns_reply_error(c->r,
				       "limit %" PRIu64 ": the table holds at most %u entries "
				       "(--fdb-size)",
				       n, fdb_get_size(c->sw->fdb));
	evicted = fdb_set_max_entries(c->sw->fdb, (uint32_t)n);
	vns_reply_u64(c->r, "evicted", "evicted: %" PRIu64 "\n", (uint64_t)evicted);
	return 0;
}

static int cmd_clear_table(struct vns_cmd_ctx *c)
{
	vns_reply_u64(c->r, "flushed", "flushed %" PRIu64 "\n", fdb_flush_all(c->sw->fdb));
	return 0;
}

static int cmd_clear_table_port(struct vns_cmd_ctx *c)
{
	int n = fdb_flush(c->sw->fdb, vns_cmd_arg(c, "PORT")->port->port->id);

	vns_reply_u64(c->r, "flushed", "flushed %" PRIu64 "\n", n > 0 ? (uint64_t)n : 0);
	return 0;
}

/* A MAC a static entry may have: unicast, not zero. */
static const struct rte_ether_addr *unicast_mac(struct vns_cmd_ctx *c)
{
	const struct vns_cmd_arg *a = vns_cmd_arg(c, "MAC");

	if (!rte_is_unicast_ether_addr(&a->mac) || rte_is_zero_ether_addr(&a->mac)) {
		vns_reply_error(c->r, "'%s' is not a unicast MAC (e.g. 02:00:00:00:00:01)",
				a->word);
		return NULL;
	}
	return &a->mac;
}

static int cmd_mac_add(struct vns_cmd_ctx *c)
{
	const struct rte_ether_addr *mac = unicast_mac(c);
	int ret;

	if (mac == NULL)
		return -1;
	ret = fdb_add_static(c->sw->fdb, (uint16_t)vns_cmd_arg(c, "VID")->u, mac,
			     vns_cmd_arg(c, "PORT")->port->port->id);
	if (ret < 0)
		return vns_reply_error(c->r, "mac add: %s",
				       ret == -ENOSPC ? "the table is full of static entries"
						      : strerror(-ret));
	return 0;
}

static int cmd_mac_del(struct vns_cmd_ctx *c)
{
	const struct vns_cmd_arg *a = vns_cmd_arg(c, "MAC");
	int ret = fdb_del(c->sw->fdb, (uint16_t)vns_cmd_arg(c, "VID")->u, &a->mac);

	if (ret < 0)
		return vns_reply_error(c->r, "mac del: no entry for %s in VLAN %" PRIu64, a->word,
				       vns_cmd_arg(c, "VID")->u);
	return 0;
}

static const struct vns_cmd mac_cmds[] = {
	{"show mac table", "the MAC table: VLAN, MAC, port, age", cmd_show_table},
	{"show mac table vlan VID", "the entries of one VLAN", cmd_show_table_vlan},
	{"show mac stats", "the MAC table's counters", cmd_show_stats},
	{"set mac aging SECONDS", "forget MACs not seen for SECONDS (0: never)", cmd_set_aging},
	{"set mac limit COUNT", "hold at most COUNT entries; the excess is evicted", cmd_set_limit},
	{"clear mac table", "forget every MAC", cmd_clear_table},
	{"clear mac table port PORT", "forget the MACs of one port", cmd_clear_table_port},
	{"mac add VID MAC PORT", "a static entry: never ages, moves or is evicted", cmd_mac_add},
	{"mac del VID MAC", "remove an entry", cmd_mac_del},
};

VNS_CMD_REGISTER(mac_cmds)
