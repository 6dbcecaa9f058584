/* SPDX-License-Identifier: BSD-3-Clause */
/* The commands of the control socket, over the switch's state. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_ctl.h"
#include "commands.h"
#include "filter/bpf_filter.h"
#include "fdb.h"
#include "fwd/fwd.h"
#include "options.h"
#include "port/ports.h"
#include "stats/stats.h"

/* What "unknown command" lists. */
#define COMMAND_NAMES "link, show, set, fdb, port, capture, bpf-load, bpf-unload"

/* Words of a command line; a capture filter takes many. */
#define MAX_ARGS 64

static struct vns_port *port_arg(struct vns_switch *sw, const char *name, FILE *out)
{
	struct vns_port *vp = vns_port_find(sw, name);

	if (vp == NULL)
		fprintf(out, "error: no port '%s' (see: show ports)\n", name);
	return vp;
}

static int cmd_link(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	struct vns_port *vp;
	int ret;

	if (argc != 3 || (strcmp(argv[2], "up") && strcmp(argv[2], "down"))) {
		fprintf(out, "error: usage: link PORT up|down\n");
		return -1;
	}
	vp = port_arg(sw, argv[1], out);
	if (vp == NULL)
		return -1;
	ret = port_link_set(vp->port, strcmp(argv[2], "up") == 0);
	if (ret != 0) {
		fprintf(out, "error: port %s: cannot set link %s: %s\n", argv[1], argv[2],
			strerror(-ret));
		return -1;
	}
	return 0;
}

static void print_vlan(FILE *out, const struct vns_port_vlan *v)
{
	unsigned int vid, n = 0;

	if (v->access_vid != 0) {
		fprintf(out, "access vlan %u", v->access_vid);
		return;
	}
	for (vid = 1; vid < 4095; vid++)
		n += (v->trunk[vid / 64] >> (vid % 64)) & 1;
	if (n == 4094) {
		fprintf(out, "trunk all");
	} else {
		fprintf(out, "trunk");
		for (vid = 1; vid < 4095; vid++)
			if ((v->trunk[vid / 64] >> (vid % 64)) & 1)
				fprintf(out, " %u", vid);
	}
	if (v->native_vid != 0)
		fprintf(out, " native %u", v->native_vid);
}

static void show_ports(FILE *out, struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_ports; i++) {
		struct vns_port *vp = sw->ports[i];
		struct port_link link = {0};

		if (vp == NULL)
			continue;
		port_link_get(vp->port, &link);
		fprintf(out, "port %u: %s link %s driver %s rxq %u txq %u mtu %u ", i,
			vp->port->name, link.up ? "up" : "down", vp->info.driver,
			vp->info.nb_rx_queues, vp->info.nb_tx_queues, vp->info.mtu);
		print_vlan(out, &vp->vlan);
		fprintf(out, "\n");
	}
}

struct fdb_print {
	FILE *out;
	struct vns_switch *sw;
};

static int print_entry(const struct fdb_entry_info *e, void *arg)
{
	struct fdb_print *p = arg;
	const struct vns_port *vp = e->port < p->sw->nb_ports ? p->sw->ports[e->port] : NULL;
	const uint8_t *m = e->mac.addr_bytes;

	/* Lower case, as ip and bridge print MACs. */
	fprintf(p->out, "%4u  %02x:%02x:%02x:%02x:%02x:%02x  %-16s %u%s\n", e->vlan, m[0], m[1],
		m[2], m[3], m[4], m[5], vp != NULL ? vp->port->name : "?", e->age,
		e->dynamic ? "" : " static");
	return 0;
}

static void show_fdb(FILE *out, struct vns_switch *sw)
{
	struct fdb_print p = {out, sw};

	fprintf(out, "VLAN  MAC                PORT             AGE\n");
	fdb_walk(sw->fdb, print_entry, &p);
}

static void show_fdb_stats(FILE *out, struct vns_switch *sw)
{
	struct fdb_cache_stats c, cache = {0};
	struct fdb_stats s;
	unsigned int i;

	fdb_stats_get(sw->fdb, &s);
	for (i = 0; i < sw->nb_workers; i++) {
		if (sw->workers[i].fdb_cache == NULL)
			continue;
		fdb_cache_stats_get(sw->workers[i].fdb_cache, &c);
		cache.hits += c.hits;
		cache.misses += c.misses;
	}
	fprintf(out,
		"entries: %" PRIu64 "\nstatic: %" PRIu64 "\nlearned: %" PRIu64 "\nmoved: %" PRIu64
		"\naged: %" PRIu64 "\nevicted: %" PRIu64 "\nflushed: %" PRIu64
		"\nlearn-dropped: %" PRIu64 "\nlearn-refused: %" PRIu64 "\nlearn-flapping: %" PRIu64
		"\naging-time: %u\n"
		"cache-hits: %" PRIu64 "\ncache-misses: %" PRIu64 "\n",
		s.entries, s.static_entries, s.learned, s.moved, s.aged, s.evicted, s.flushed,
		s.learn_dropped, s.learn_refused, s.learn_flapping, fdb_get_aging_time(sw->fdb),
		cache.hits, cache.misses);
}

static int cmd_show(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	struct vns_port *vp;

	if (argc == 2 && strcmp(argv[1], "ports") == 0) {
		show_ports(out, sw);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "stats") == 0) {
		vns_stats_ports(out, sw);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "stats") == 0) {
		vp = port_arg(sw, argv[2], out);
		if (vp == NULL)
			return -1;
		vns_stats_port(out, sw, vp);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "xstats") == 0) {
		vp = port_arg(sw, argv[2], out);
		if (vp == NULL)
			return -1;
		return vns_stats_xstats(out, vp) < 0 ? -1 : 0;
	}
	if (argc == 2 && strcmp(argv[1], "fdb") == 0) {
		show_fdb(out, sw);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "fdb-stats") == 0) {
		show_fdb_stats(out, sw);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "workers") == 0) {
		vns_stats_workers(out, sw);
		return 0;
	}
	fprintf(out, "error: usage: show ports | stats [PORT] | xstats PORT | fdb | fdb-stats | "
		     "workers\n");
	return -1;
}

static int cmd_set(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	const struct fwd_engine *engine;
	unsigned long v;

	if (argc == 3 && strcmp(argv[1], "fwd") == 0) {
		engine = fwd_engine_find(argv[2]);
		if (engine == NULL) {
			fprintf(out, "error: no engine '%s' (%s)\n", argv[2], fwd_engine_names());
			return -1;
		}
		/* Workers load it once a round: the next burst uses it. */
		__atomic_store_n(&sw->engine, engine, __ATOMIC_RELEASE);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "aging") == 0) {
		if (vns_parse_uint(argv[2], 1000000, &v) < 0) {
			fprintf(out, "error: aging '%s': not a number of seconds in 0..1000000\n",
				argv[2]);
			return -1;
		}
		fdb_set_aging_time(sw->fdb, (uint32_t)v);
		return 0;
	}
	fprintf(out, "error: usage: set fwd %s | set aging SECONDS\n", fwd_engine_names());
	return -1;
}

/* fdb add VLAN MAC PORT (a static entry) and fdb del VLAN MAC. */
static int fdb_entry(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	struct rte_ether_addr mac;
	struct vns_port *vp = NULL;
	unsigned long vlan;
	int ret;

	if (vns_parse_uint(argv[2], 4094, &vlan) < 0) {
		fprintf(out, "error: VLAN '%s' is not in 0..4094\n", argv[2]);
		return -1;
	}
	if (vns_parse_mac(argv[3], mac.addr_bytes) < 0 || !rte_is_unicast_ether_addr(&mac) ||
	    rte_is_zero_ether_addr(&mac)) {
		fprintf(out,
			"error: '%s' is not a unicast MAC (six hex bytes, e.g. "
			"02:00:00:00:00:01)\n",
			argv[3]);
		return -1;
	}
	if (argc == 5) {
		vp = port_arg(sw, argv[4], out);
		if (vp == NULL)
			return -1;
		ret = fdb_add_static(sw->fdb, (uint16_t)vlan, &mac, vp->port->id);
	} else {
		ret = fdb_del(sw->fdb, (uint16_t)vlan, &mac);
	}
	if (ret < 0) {
		fprintf(out, "error: fdb %s %s %s: %s\n", argv[1], argv[2], argv[3],
			ret == -ENOSPC ? "the table is full of static entries" : strerror(-ret));
		return -1;
	}
	return 0;
}

static int cmd_fdb(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	struct vns_port *vp;
	int n;

	if (argc == 2 && strcmp(argv[1], "flush") == 0) {
		fprintf(out, "flushed %u\n", fdb_flush_all(sw->fdb));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "flush") == 0) {
		vp = port_arg(sw, argv[2], out);
		if (vp == NULL)
			return -1;
		n = fdb_flush(sw->fdb, vp->port->id);
		fprintf(out, "flushed %d\n", n);
		return 0;
	}
	if ((argc == 5 && strcmp(argv[1], "add") == 0) ||
	    (argc == 4 && strcmp(argv[1], "del") == 0))
		return fdb_entry(argv, argc, out, sw);
	fprintf(out, "error: usage: fdb flush [PORT] | fdb add VLAN MAC PORT | fdb del VLAN MAC\n");
	return -1;
}

static int cmd_port(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	int ret = -EINVAL;

	if (argc == 4 && strcmp(argv[1], "add") == 0 && strcmp(argv[2], "vduse") == 0)
		ret = vns_port_add_vduse(sw, argv[3], out);
	else if ((argc == 4 || argc == 5) && strcmp(argv[1], "add") == 0 &&
		 strcmp(argv[2], "ethdev") == 0)
		ret = vns_port_add_ethdev(sw, argv[3], argc == 5 ? argv[4] : NULL, out);
	else if (argc == 3 && strcmp(argv[1], "del") == 0) {
		struct vns_port *vp = vns_port_find(sw, argv[2]);

		if (vp != NULL)
			vns_capture_port_gone(sw, vp->port->id, out);
		ret = vns_port_del(sw, argv[2], out);
	} else {
		fprintf(out, "error: usage: port add vduse SPEC | port add ethdev DEVARGS [KEYS] | "
			     "port del PORT\n");
		return -1;
	}
	if (ret < 0)
		fprintf(out, "error: port %s: %s\n", argv[1], strerror(-ret));
	return ret == 0 ? 0 : -1;
}

/* bpf-load rx|tx PORT QUEUE FLAGS FILE, bpf-unload rx|tx PORT QUEUE (testpmd's words). */
static int cmd_bpf(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	bool load = strcmp(argv[0], "bpf-load") == 0;
	struct vns_port *vp;

	if (argc != (load ? 6 : 4)) {
		fprintf(out, "error: usage: %s\n",
			load ? "bpf-load rx|tx PORT QUEUE J|- FILE"
			     : "bpf-unload rx|tx PORT QUEUE");
		return -1;
	}
	vp = port_arg(sw, argv[2], out);
	if (vp == NULL)
		return -1;
	if (load)
		return vns_bpf_load(sw, vp, argv[1], argv[3], argv[4], argv[5], out);
	return vns_bpf_unload(sw, vp, argv[1], argv[3], out);
}

static int cmd_capture(char **argv, int argc, FILE *out, struct vns_switch *sw)
{
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "status") == 0)) {
		vns_capture_status(sw, out);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return vns_capture_start(sw, argv + 2, argc - 2, out);
	if (argc == 2 && strcmp(argv[1], "stop") == 0)
		return vns_capture_stop(sw, out);
	fprintf(out, "error: usage: capture start PORT|all rx|tx|both FILE [snaplen N] [filter "
		     "EXPR] | capture stop | capture [status]\n");
	return -1;
}

int vns_command_exec(char *line, FILE *out, struct vns_switch *sw)
{
	static const struct {
		const char *name;
		int (*run)(char **argv, int argc, FILE *out, struct vns_switch *sw);
	} commands[] = {
		{"link", cmd_link},    {"show", cmd_show},	{"set", cmd_set},
		{"fdb", cmd_fdb},      {"port", cmd_port},	{"capture", cmd_capture},
		{"bpf-load", cmd_bpf}, {"bpf-unload", cmd_bpf},
	};
	char *argv[MAX_ARGS], *save = NULL, *tok;
	int argc = 0, ret = -1;
	unsigned int i;

	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == MAX_ARGS) {
			fprintf(out, "error: more than %d words in a command\n", MAX_ARGS);
			return -1;
		}
		argv[argc++] = tok;
	}
	if (argc == 0) {
		fprintf(out, "error: empty command (%s)\n", COMMAND_NAMES);
		return -1;
	}
	for (i = 0; i < RTE_DIM(commands); i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			break;
	if (i == RTE_DIM(commands))
		fprintf(out, "error: unknown command '%s' (%s)\n", argv[0], COMMAND_NAMES);
	else
		ret = commands[i].run(argv, argc, out, sw);
	if (ret == 0)
		fprintf(out, "ok\n");
	return ret;
}
