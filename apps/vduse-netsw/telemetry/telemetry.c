/* SPDX-License-Identifier: BSD-3-Clause */
/* /vduse_netsw/ endpoints of DPDK telemetry, answered under the switch's lock. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_telemetry.h>

#include "capture/capture_ctl.h"
#include "log.h"
#include "options.h"
#include "stats/stats.h"
#include "telemetry.h"
#include "worker/worker.h"

/* Telemetry callbacks take no argument in DPDK 22.11: the one switch. */
static struct vns_switch *tel_sw;

typedef int (*tel_answer)(struct vns_switch *sw, const char *params, struct rte_tel_data *d);

/* Run @p fn on the switch under its lock, unless the switch is closing. */
static int locked(tel_answer fn, const char *params, struct rte_tel_data *d)
{
	struct vns_switch *sw = tel_sw;
	int ret = -ENODEV;

	pthread_mutex_lock(&sw->lock);
	if (!sw->closing)
		ret = fn(sw, params, d);
	pthread_mutex_unlock(&sw->lock);
	return ret;
}

/* As "show fdb" writes a MAC: lower case. */
static void mac_string(char *buf, size_t size, const struct rte_ether_addr *mac)
{
	const uint8_t *m = mac->addr_bytes;

	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The port a parameter names, by number or name; NULL if none. */
static struct vns_port *port_param(struct vns_switch *sw, const char *params)
{
	unsigned long id;

	if (params == NULL || params[0] == '\0')
		return NULL;
	if (vns_parse_uint(params, VNS_MAX_PORTS - 1, &id) == 0)
		return id < sw->nb_ports ? sw->ports[id] : NULL;
	return vns_port_find(sw, params);
}

static int ports(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned int i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] != NULL)
			rte_tel_data_add_array_int(d, (int)i);
	return 0;
}

static int port_info(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	struct vns_port *vp = port_param(sw, params);
	const struct port_info *in;
	struct port_link link = {0};
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	if (vp == NULL)
		return -EINVAL;
	in = &vp->info;
	port_link_get(vp->port, &link);
	mac_string(mac, sizeof(mac), &in->mac);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", vp->port->id);
	rte_tel_data_add_dict_string(d, "name", vp->port->name);
	rte_tel_data_add_dict_string(d, "driver", in->driver);
	rte_tel_data_add_dict_int(d, "socket_id", in->socket_id);
	rte_tel_data_add_dict_int(d, "nb_rx_queues", in->nb_rx_queues);
	rte_tel_data_add_dict_int(d, "nb_tx_queues", in->nb_tx_queues);
	rte_tel_data_add_dict_int(d, "mtu", in->mtu);
	rte_tel_data_add_dict_int(d, "max_mtu", in->max_mtu);
	rte_tel_data_add_dict_string(d, "mac", mac);
	rte_tel_data_add_dict_string(d, "link", link.up ? "up" : "down");
	rte_tel_data_add_dict_u64(d, "speed_mbps", link.speed_mbps);
	rte_tel_data_add_dict_u64(d, "rx_offloads", in->rx_offloads);
	rte_tel_data_add_dict_u64(d, "tx_offloads", in->tx_offloads);
	rte_tel_data_add_dict_int(d, "access_vlan", vp->vlan.access_vid);
	rte_tel_data_add_dict_int(d, "native_vlan", vp->vlan.native_vid);
	return 0;
}

static int port_stats(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	struct vns_port *vp = port_param(sw, params);
	struct vns_port_sums sums;
	struct port_stats s;

	if (vp == NULL)
		return -EINVAL;
	port_stats_get(vp->port, &s);
	vns_stats_port_sums(sw, vp->port->id, &sums);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "rx_packets", s.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", s.rx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_missed", s.rx_missed);
	rte_tel_data_add_dict_u64(d, "rx_errors", s.rx_errors);
	rte_tel_data_add_dict_u64(d, "rx_nombuf", s.rx_nombuf);
	rte_tel_data_add_dict_u64(d, "rx_filtered", sums.filtered);
	rte_tel_data_add_dict_u64(d, "rx_flooded", sums.flooded);
	rte_tel_data_add_dict_u64(d, "tx_packets", s.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", s.tx_bytes);
	rte_tel_data_add_dict_u64(d, "tx_errors", s.tx_dropped); /* testpmd's TX-errors */
	rte_tel_data_add_dict_u64(d, "tx_full", sums.tx_full);
	rte_tel_data_add_dict_u64(d, "tx_nombuf", sums.no_mbuf);
	rte_tel_data_add_dict_u64(d, "bpf_dropped", sums.bpf_dropped);
	return 0;
}

static int port_xstats(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	static struct port_xstat xs[RTE_TEL_MAX_DICT_ENTRIES];
	struct vns_port *vp = port_param(sw, params);
	int n;

	if (vp == NULL)
		return -EINVAL;
	n = port_xstats_get(vp->port, xs, RTE_DIM(xs));
	if (n < 0)
		return n;
	rte_tel_data_start_dict(d);
	for (int i = 0; i < n && i < (int)RTE_DIM(xs); i++)
		rte_tel_data_add_dict_u64(d, xs[i].name, xs[i].value);
	return 0;
}

static int workers(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < sw->nb_workers; i++) {
		const struct vns_worker *w = &sw->workers[i];
		struct rte_tel_data *c = rte_tel_data_alloc();
		uint64_t busy = __atomic_load_n(&w->busy_cycles, __ATOMIC_RELAXED);
		uint64_t idle = __atomic_load_n(&w->idle_cycles, __ATOMIC_RELAXED);
		char key[32];

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_int(c, "socket_id", w->socket_id);
		rte_tel_data_add_dict_int(c, "rx_queues", w->rxqs != NULL ? (int)w->rxqs->n : 0);
		rte_tel_data_add_dict_u64(c, "rx_packets",
					  __atomic_load_n(&w->rx_packets, __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(c, "busy_cycles", busy);
		rte_tel_data_add_dict_u64(c, "idle_cycles", idle);
		/* Per mille: telemetry has no floating point in 22.11. */
		rte_tel_data_add_dict_u64(c, "busy_permille",
					  busy + idle ? busy * 1000 / (busy + idle) : 0);
		rte_tel_data_add_dict_u64(c, "sleeps",
					  __atomic_load_n(&w->sleeps, __ATOMIC_RELAXED));
		snprintf(key, sizeof(key), "lcore_%u", w->lcore_id);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

static int fdb_entry(const struct fdb_entry_info *e, void *arg)
{
	struct rte_tel_data *table = arg;
	const struct vns_port *vp = e->port < tel_sw->nb_ports ? tel_sw->ports[e->port] : NULL;
	char mac[RTE_ETHER_ADDR_FMT_SIZE], line[RTE_TEL_MAX_STRING_LEN];

	mac_string(mac, sizeof(mac), &e->mac);
	snprintf(line, sizeof(line), "%u %s %s %s%u", e->vlan, mac,
		 vp != NULL ? vp->port->name : "?", e->dynamic ? "" : "static ", e->age);
	return rte_tel_data_add_array_string(table, line) == 0 ? 0 : 1;
}

static int fdb(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *table = rte_tel_data_alloc();
	struct fdb_stats s;

	(void)params;
	if (table == NULL)
		return -ENOMEM;
	fdb_stats_get(sw->fdb, &s);
	rte_tel_data_start_array(table, RTE_TEL_STRING_VAL);
	/* "VLAN MAC PORT AGE"; the walk stops when the array is full. */
	fdb_walk(sw->fdb, fdb_entry, table);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "entries", s.entries);
	rte_tel_data_add_dict_int(d, "max_shown", RTE_TEL_MAX_ARRAY_ENTRIES);
	rte_tel_data_add_dict_container(d, "table", table, 0);
	return 0;
}

static int fdb_stats(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	struct fdb_stats s;

	(void)params;
	fdb_stats_get(sw->fdb, &s);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "entries", s.entries);
	rte_tel_data_add_dict_u64(d, "static", s.static_entries);
	rte_tel_data_add_dict_u64(d, "learned", s.learned);
	rte_tel_data_add_dict_u64(d, "moved", s.moved);
	rte_tel_data_add_dict_u64(d, "aged", s.aged);
	rte_tel_data_add_dict_u64(d, "evicted", s.evicted);
	rte_tel_data_add_dict_u64(d, "flushed", s.flushed);
	rte_tel_data_add_dict_u64(d, "learn_dropped", s.learn_dropped);
	rte_tel_data_add_dict_u64(d, "learn_refused", s.learn_refused);
	rte_tel_data_add_dict_u64(d, "learn_flapping", s.learn_flapping);
	rte_tel_data_add_dict_u64(d, "aging_time", fdb_get_aging_time(sw->fdb));
	return 0;
}

static int capture(struct vns_switch *sw, const char *params, struct rte_tel_data *d)
{
	struct vns_capture_view v;

	(void)params;
	vns_capture_view(sw, &v);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state",
				     !v.ever	 ? "none"
				     : v.running ? "running"
						 : "stopped");
	if (!v.ever)
		return 0;
	rte_tel_data_add_dict_string(d, "ports", v.ports);
	rte_tel_data_add_dict_string(d, "direction", v.direction);
	rte_tel_data_add_dict_string(d, "file", v.path);
	rte_tel_data_add_dict_u64(d, "snaplen", v.snaplen);
	rte_tel_data_add_dict_string(d, "filter", v.filter);
	rte_tel_data_add_dict_u64(d, "captured", v.stats.captured);
	rte_tel_data_add_dict_u64(d, "filtered", v.stats.filtered);
	rte_tel_data_add_dict_u64(d, "dropped_ring", v.stats.dropped_ring);
	rte_tel_data_add_dict_u64(d, "dropped_nombuf", v.stats.dropped_nombuf);
	rte_tel_data_add_dict_u64(d, "written", v.stats.written);
	rte_tel_data_add_dict_u64(d, "bytes_written", v.stats.bytes_written);
	return 0;
}

/* One telemetry callback per answer: DPDK 22.11 passes no argument. */
#define ENDPOINT(fn)                                                                     \
	static int tel_##fn(const char *cmd, const char *params, struct rte_tel_data *d) \
	{                                                                                \
		(void)cmd;                                                               \
		return locked(fn, params, d);                                            \
	}
ENDPOINT(ports)
ENDPOINT(port_info)
ENDPOINT(port_stats)
ENDPOINT(port_xstats)
ENDPOINT(workers)
ENDPOINT(fdb)
ENDPOINT(fdb_stats)
ENDPOINT(capture)
#undef ENDPOINT

int vns_telemetry_init(struct vns_switch *sw)
{
	static const struct {
		const char *path;
		telemetry_cb fn;
		const char *help;
	} endpoints[] = {
		{"/vduse_netsw/ports", tel_ports, "Port ids. No parameters"},
		{"/vduse_netsw/port_info", tel_port_info,
		 "Name, driver, socket, queues, MTU, MAC, link, VLAN mode. Parameter: port id or "
		 "name"},
		{"/vduse_netsw/port_stats", tel_port_stats,
		 "Counters, the switch's drops among them. Parameter: port id or name"},
		{"/vduse_netsw/port_xstats", tel_port_xstats,
		 "Extended counters: drops by reason. Parameter: port id or name"},
		{"/vduse_netsw/workers", tel_workers,
		 "Per worker lcore: queues, packets, busy and idle cycles. No parameters"},
		{"/vduse_netsw/fdb", tel_fdb,
		 "The MAC table, \"VLAN MAC PORT AGE\" (first 512). No parameters"},
		{"/vduse_netsw/fdb_stats", tel_fdb_stats, "MAC table counters. No parameters"},
		{"/vduse_netsw/capture", tel_capture,
		 "The running or last packet capture. No parameters"},
	};

	tel_sw = sw;
	for (unsigned int i = 0; i < RTE_DIM(endpoints); i++) {
		int ret = rte_telemetry_register_cmd(endpoints[i].path, endpoints[i].fn,
						     endpoints[i].help);

		if (ret < 0) {
			VNS_LOG(ERR, "vduse-netsw: telemetry %s: %s", endpoints[i].path,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void vns_telemetry_close(struct vns_switch *sw)
{
	pthread_mutex_lock(&sw->lock);
	sw->closing = true;
	pthread_mutex_unlock(&sw->lock);
}
