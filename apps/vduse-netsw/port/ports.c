/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening the ports: VDUSE devices with their netdevs placed, and DPDK ethdevs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "log.h"
#include "port_ethdev.h"
#include "port_vduse.h"
#include "vduse_netdev.h"
#include "capture/capture_ctl.h"
#include "fdb.h"
#include "ports.h"
#include "filter/bpf_filter.h"
#include "stats/stats.h"
#include "worker/worker.h"

static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

/* The pool of @p socket, made on first use: frames stay on their port's node. */
static struct rte_mempool *pool_of(const struct vns_switch *sw, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s = socket == SOCKET_ID_ANY ? rte_socket_id() : (unsigned int)socket;

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (pools[s] == NULL) {
		snprintf(name, sizeof(name), "vns_mbufs_%u", s);
		pools[s] = rte_pktmbuf_pool_create(name, sw->opts->nb_mbufs, VNS_MBUF_CACHE, 0,
						   RTE_MBUF_DEFAULT_BUF_SIZE, (int)s);
		if (pools[s] == NULL)
			VNS_LOG(ERR, "vduse-netsw: no memory for mbufs on socket %u: %s", s,
				rte_strerror(rte_errno));
	}
	return pools[s];
}

/* The RTE_ETH_TX_OFFLOAD_* a --vduse offloads= list stands for. */
static uint64_t vduse_offloads(unsigned int offloads)
{
	uint64_t off = 0;

	if (offloads & VNS_OFFLOAD_CSUM)
		off |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (offloads & VNS_OFFLOAD_TSO)
		off |= RTE_ETH_TX_OFFLOAD_TCP_TSO;
	if (offloads & VNS_OFFLOAD_USO)
		off |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	return off;
}

/* The netdev's setup in its namespace, as @p spec asks. */
static void netdev_conf(const struct vns_vduse_spec *spec, int ns_fd,
			struct vduse_netdev_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->ns_fd = ns_fd;
	conf->netns = spec->netns;
	conf->ifname = spec->ifname;
	conf->mtu = spec->mtu;
	/* A netdev given addresses is meant to be used; one moved alone, configured there. */
	conf->up = spec->nb_addrs > 0 || spec->nb_routes > 0;
	conf->nb_addrs = spec->nb_addrs;
	memcpy(conf->addrs, spec->addrs, sizeof(conf->addrs));
	conf->nb_routes = spec->nb_routes;
	memcpy(conf->routes, spec->routes, sizeof(conf->routes));
}

/*
 * Open a VDUSE port and place its netdev as @p spec says: every check that
 * can fail before the device exists is made first, and a failure after it
 * removes the device (and with it the netdev, wherever it went). The
 * netdev's final name goes to @p netdev. Causes go to @p err and the log.
 */
static struct port *open_vduse(struct vns_switch *sw, const struct vns_vduse_spec *spec,
			       char *netdev, size_t netdev_len, FILE *err)
{
	const struct vns_options *opts = sw->opts;
	struct port_vduse_params params = {
		.name = spec->name,
		.mtu = spec->mtu,
		.queue_size = opts->queue_size,
		.offloads = vduse_offloads(spec->offloads),
		.packed_ring = opts->packed_ring,
		.hugepages = sw->hugepages,
		.socket_id = (int)rte_socket_id(),
		.driver = VDU_DRIVER_VIRTIO,
		.qsbr = sw->qsbr,
		.state_dir = opts->state_dir,
		.fresh = opts->fresh,
	};
	struct rte_mempool *pool = pool_of(sw, params.socket_id);
	struct vduse_netdev_conf conf;
	char why[320] = "";
	struct port *port = NULL;
	int ret = 0, ns_fd = -1;

	if (pool == NULL)
		return NULL;
	if (*spec->netns != '\0')
		ns_fd = ret = vduse_netns_open(spec->netns, why, sizeof(why));
	/*
	 * A name taken there is found before a device exists (and again on the
	 * rename). Not for a device that survived a dead switch: the name is
	 * its own netdev's, taken back with it (or gone with it when replaced).
	 */
	if (ret >= 0 && *spec->ifname != '\0' && !port_vduse_exists(spec->name))
		ret = vduse_netdev_check_free(ns_fd, spec->ifname, why, sizeof(why));
	if (ret < 0)
		goto out;
	memcpy(params.mac, spec->mac, sizeof(params.mac));
	port = port_vduse_open(&params, pool, &ret);
	if (port == NULL) {
		snprintf(why, sizeof(why), "cannot create it: %s%s (the switch's log says more)",
			 strerror(-ret),
			 ret == -ENOENT ? "; is VDUSE there (modprobe vduse vdpa virtio_vdpa, or "
					  "this project's kmod)?"
					: "");
		goto out;
	}
	ret = port_vduse_netdev(port, netdev, netdev_len);
	if (port_vduse_taken_back(port)) {
		/* Its netdev is where the previous switch put it, addresses and all. */
		VNS_LOG(INFO, "port %s: taken back from the previous switch, netdev kept",
			spec->name);
		if (*spec->ifname != '\0' || ret != 0) /* in its namespace, under its name */
			snprintf(netdev, netdev_len, "%s", *spec->ifname ? spec->ifname : "?");
		ret = 0;
		goto out;
	}
	if (ret != 0) {
		snprintf(why, sizeof(why), "the kernel made no netdev of it: %s", strerror(-ret));
		goto out;
	}
	netdev_conf(spec, ns_fd, &conf);
	ret = vduse_netdev_setup(netdev, &conf, why, sizeof(why));
	if (ret == 0 && *spec->ifname != '\0')
		snprintf(netdev, netdev_len, "%s", spec->ifname);
out:
	if (ns_fd >= 0)
		close(ns_fd);
	if (ret < 0) {
		VNS_LOG(ERR, "port %s: %s", spec->name, why);
		if (err != NULL)
			fprintf(err, "port %s: %s\n", spec->name, why);
		if (port != NULL)
			port_close(port); /* the device, and with it the netdev */
		return NULL;
	}
	VNS_LOG(INFO, "port %s: netdev %s%s%s, mac %02x:%02x:%02x:%02x:%02x:%02x", spec->name,
		netdev, *spec->netns ? " in netns " : "", spec->netns, spec->mac[0], spec->mac[1],
		spec->mac[2], spec->mac[3], spec->mac[4], spec->mac[5]);
	return port;
}

static const struct vns_port_spec *find_spec(const struct vns_options *opts, const char *name)
{
	unsigned int i;

	for (i = 0; i < opts->nb_port_specs; i++)
		if (strcmp(opts->port_specs[i].name, name) == 0)
			return &opts->port_specs[i];
	return NULL;
}

static struct port *open_ethdev(struct vns_switch *sw, uint16_t port_id,
				const struct vns_port_spec *spec)
{
	struct rte_eth_dev_info info;
	struct port_ethdev_params params = {
		.port_id = port_id,
		.nb_rx_queues = spec->nb_rxq	   ? spec->nb_rxq
				: sw->opts->nb_rxq ? sw->opts->nb_rxq
						   : 1,
		.nb_rxd = sw->opts->nb_rxd,
		.nb_txd = sw->opts->nb_txd,
		.mtu = spec->mtu,
		.promiscuous = true,
	};
	struct port *port;
	int err;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return NULL;
	/* A transmit queue per worker spares the workers a lock, where the device has them. */
	params.nb_tx_queues = spec->nb_txq ? spec->nb_txq : sw->opts->nb_txq;
	if (params.nb_tx_queues == 0)
		params.nb_tx_queues =
			(uint16_t)RTE_MIN(sw->nb_workers, (unsigned int)info.max_tx_queues);
	if (params.nb_tx_queues == 0)
		params.nb_tx_queues = 1;
	params.pool = pool_of(sw, rte_eth_dev_socket_id(port_id));
	if (params.pool == NULL)
		return NULL;
	port = port_ethdev_open(&params, &err);
	if (port == NULL)
		return NULL;
	VNS_LOG(INFO, "port %s: ethdev %s, %u rx and %u tx queue(s)", port->name, info.driver_name,
		params.nb_rx_queues, params.nb_tx_queues);
	return port;
}

/* A free port id: a slot left by a removed port, or the next one; -1 when full. */
static int free_id(const struct vns_switch *sw)
{
	unsigned int i;

	for (i = 0; i < sw->nb_ports; i++)
		if (sw->ports[i] == NULL)
			return (int)i;
	return sw->nb_ports < VNS_MAX_PORTS ? (int)sw->nb_ports : -1;
}

/*
 * Drop what an ethdev received before it joined the switch: an interface
 * that another of the switch's sockets just left (port del, then port add
 * on the same netdev) may hold frames the switch itself sent out of it, and
 * learning from them would move MACs to the wrong port (host-bridge-hotplug
 * lost a ping's replies that way). A VDUSE port is not drained: what its
 * guest queued while the switch was away is traffic.
 */
static void drain(struct vns_port *vp)
{
	struct rte_mbuf *pkts[VNS_BURST];
	unsigned int q, n, rounds;

	for (q = 0; q < vp->info.nb_rx_queues; q++)
		for (rounds = 0; rounds < 64; rounds++) {
			n = port_rx_burst(vp->port, (uint16_t)q, pkts, VNS_BURST);
			if (n == 0)
				break;
			rte_pktmbuf_free_bulk(pkts, n);
		}
}

/*
 * Start @p port, put it in the table with @p vlan, and give its queues to
 * the workers; the port is closed on failure. @return its id or a negative errno.
 */
static int add_port(struct vns_switch *sw, struct port *port, const struct vns_port_vlan *vlan,
		    int lcore, bool vduse, FILE *err)
{
	struct vns_port *vp;
	int id = free_id(sw), ret;
	unsigned int q, w;

	if (id < 0) {
		fprintf(err, "port %s: the switch has %d ports already\n", port->name,
			VNS_MAX_PORTS);
		port_close(port);
		return -ENOSPC;
	}
	if (lcore >= 0 && vns_worker_of_lcore(sw, lcore) == NULL) {
		fprintf(err,
			"port %s: lcore %d is not a worker lcore (EAL -l gives them; the "
			"first is the main one)\n",
			port->name, lcore);
		port_close(port);
		return -EINVAL;
	}
	vp = rte_zmalloc("vns_port", sizeof(*vp), RTE_CACHE_LINE_SIZE);
	if (vp == NULL) {
		port_close(port);
		return -ENOMEM;
	}
	vp->port = port;
	vp->vlan = *vlan;
	vp->vduse = vduse;
	vp->promisc = !vduse; /* ethdevs are opened promiscuous; a guest filters for VDUSE */
	vp->lcore = lcore;
	for (q = 0; q < PORT_MAX_QUEUES; q++)
		rte_spinlock_init(&vp->txq_lock[q]);
	port->id = (uint16_t)id;
	port_info_get(port, &vp->info);
	ret = port_start(port);
	if (ret < 0)
		goto fail;
	/* A reused id starts with clean counters (no worker writes them while it is free). */
	for (w = 0; w < sw->nb_workers; w++)
		memset(&sw->workers[w].counters[id], 0, sizeof(sw->workers[w].counters[id]));
	if (!vduse) {
		drain(vp);
		/* Its counters start when it joins: what was drained is not shown. */
		vns_stats_read(sw, vp, &vp->cleared);
		vp->shown = vp->fwd_start = vp->cleared;
	}
	__atomic_store_n(&sw->ports[id], vp, __ATOMIC_RELEASE);
	if ((unsigned int)id == sw->nb_ports)
		__atomic_store_n(&sw->nb_ports, sw->nb_ports + 1, __ATOMIC_RELEASE);
	ret = vns_workers_add_port(sw, (uint16_t)id);
	if (ret == 0)
		return id;
	fprintf(err, "port %s: no worker can poll it: %s\n", port->name, strerror(-ret));
	__atomic_store_n(&sw->ports[id], NULL, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
	port_stop(port);
fail:
	port_close(port);
	rte_free(vp);
	return ret;
}

/*
 * Open the VDUSE port of @p spec and add it, with where its netdev went.
 * @p err: as for open_vduse(). @return its id or a negative errno.
 */
static int add_vduse(struct vns_switch *sw, const struct vns_vduse_spec *spec, FILE *err)
{
	char netdev[IF_NAMESIZE] = "";
	struct port *port = open_vduse(sw, spec, netdev, sizeof(netdev), err);
	struct vns_port *vp;
	int id;

	if (port == NULL)
		return -ENODEV;
	id = add_port(sw, port, &spec->vlan, spec->lcore, true, err != NULL ? err : stderr);
	if (id < 0)
		return id;
	/* The control thread's alone: no worker reads them. */
	vp = sw->ports[id];
	snprintf(vp->netdev, sizeof(vp->netdev), "%s", netdev);
	snprintf(vp->netns, sizeof(vp->netns), "%s", spec->netns);
	snprintf(vp->owner, sizeof(vp->owner), "%s", spec->owner);
	return id;
}

/* Whether a port of that name is in the table already (names are unique). */
static bool name_taken(struct vns_switch *sw, const char *name, FILE *err)
{
	if (vns_port_find(sw, name) == NULL)
		return false;
	fprintf(err, "port %s exists already\n", name);
	return true;
}

/* Free hugepages of the default size, from /proc/meminfo; 0 when unknown. */
static unsigned long free_hugepages(void)
{
	unsigned long n = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %lu", &n) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return n;
}

int vns_ports_open(struct vns_switch *sw, const struct vns_options *opts, const volatile bool *stop)
{
	const struct vns_port_spec *spec;
	struct vns_port_spec none;
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned int i;
	uint16_t pid;
	struct port *port;
	int ret;

	for (i = 0; i < opts->nb_port_specs; i++)
		if (rte_eth_dev_get_port_by_name(opts->port_specs[i].name, &pid) != 0) {
			VNS_LOG(ERR,
				"--port %s: no such ethdev; EAL probed %u (name them as EAL does: "
				"net_tap0, 0000:01:00.0)",
				opts->port_specs[i].name, rte_eth_dev_count_avail());
			return -ENODEV;
		}
	/* Said once for every VDUSE port, now and to come. */
	sw->hugepages = opts->hugepages && free_hugepages() > 0;
	if (opts->hugepages && !sw->hugepages && opts->nb_vduse > 0)
		VNS_LOG(WARNING,
			"vduse-netsw: no free hugepages: VDUSE bounce buffers in kernel pages "
			"(reserve some in /proc/sys/vm/nr_hugepages to use them)");
	for (i = 0; i < opts->nb_vduse && !*stop; i++) {
		ret = add_vduse(sw, &opts->vduse[i], NULL);
		if (ret < 0)
			return ret;
	}
	memset(&none, 0, sizeof(none));
	memset(none.vlan.trunk, 0xff, sizeof(none.vlan.trunk));
	none.lcore = -1;
	RTE_ETH_FOREACH_DEV (pid) {
		if (*stop)
			break;
		if (rte_eth_dev_get_name_by_port(pid, name) != 0)
			continue;
		spec = find_spec(opts, name);
		if (spec == NULL)
			spec = &none;
		port = open_ethdev(sw, pid, spec);
		if (port == NULL)
			return -ENODEV;
		ret = add_port(sw, port, &spec->vlan, spec->lcore, false, stderr);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int vns_port_add_vduse(struct vns_switch *sw, char *arg, FILE *err)
{
	struct vns_vduse_spec spec;

	if (vns_parse_vduse(arg, &spec, err) < 0 || name_taken(sw, spec.name, err))
		return -EINVAL;
	return add_vduse(sw, &spec, err);
}

int vns_port_add_ethdev(struct vns_switch *sw, const char *devargs, char *keys, FILE *err)
{
	char spec_arg[VNS_NAME_SIZE + 256], name[RTE_ETH_NAME_MAX_LEN];
	struct vns_port_spec spec;
	struct port *port;
	uint16_t pid;
	int ret;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(devargs, ","), devargs);
	snprintf(spec_arg, sizeof(spec_arg), "%s%s%s", name, keys != NULL ? "," : "",
		 keys != NULL ? keys : "");
	if (vns_parse_port(spec_arg, &spec, err) < 0 || name_taken(sw, spec.name, err))
		return -EINVAL;
	ret = rte_dev_probe(devargs);
	if (ret < 0) {
		fprintf(err, "ethdev %s: cannot probe it: %s\n", devargs, strerror(-ret));
		return ret;
	}
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		fprintf(err, "ethdev %s: probed, but no ethdev %s came of it\n", devargs, name);
		return -ENODEV;
	}
	port = open_ethdev(sw, pid, &spec);
	if (port == NULL) {
		fprintf(err, "port %s: cannot open it (see the switch's log)\n", name);
		return -ENODEV;
	}
	return add_port(sw, port, &spec.vlan, spec.lcore, false, err);
}

/* Take @p vp out of the table and the workers' view, then close it. */
static void remove_port(struct vns_switch *sw, struct vns_port *vp, FILE *err)
{
	uint16_t id = vp->port->id;

	/* Its id may go to the next port: a capture of it must not follow. */
	if (vns_capture_port_gone(sw, id))
		fprintf(err, "capture of %s stopped: the port is removed\n", vp->port->name);
	__atomic_store_n(&sw->ports[id], NULL, __ATOMIC_RELEASE);
	/* After this grace period no worker polls it, sends to it or holds it. */
	vns_workers_del_port(sw, id);
	if (sw->fdb != NULL)
		fdb_flush(sw->fdb, id);
	port_stop(vp->port);
	port_close(vp->port);
	vns_bpf_free_port(vp);
	rte_free(vp);
}

void vns_port_del(struct vns_switch *sw, struct vns_port *vp, FILE *err)
{
	remove_port(sw, vp, err);
}

int vns_port_purge(struct vns_switch *sw, const char *name, FILE *err)
{
	struct vns_port *vp;
	int ret;

	if (vns_check_port_name(name, err) < 0)
		return -EINVAL;
	vp = vns_port_by_name(sw, name);
	if (vp != NULL && !vp->vduse) {
		fprintf(err, "port %s is an ethdev, not a VDUSE device: port del %s\n", name, name);
		return -EINVAL;
	}
	if (vp != NULL) {
		remove_port(sw, vp, err);
		return 1;
	}
	ret = port_vduse_remove_leftover(name, sw->opts->state_dir);
	if (ret == -EBUSY)
		fprintf(err, "VDUSE device %s is served by another process (another switch?)\n",
			name);
	else if (ret == -EEXIST)
		fprintf(err,
			"VDUSE device %s is not this switch's: no state file in %s describes it\n",
			name, sw->opts->state_dir);
	else if (ret < 0)
		fprintf(err, "VDUSE device %s: cannot remove it: %s (the switch's log says more)\n",
			name, strerror(-ret));
	return ret;
}

void vns_port_stop(struct vns_switch *sw, struct vns_port *vp)
{
	if (vp->stopped)
		return;
	/* Workers stop sending to it at once, and polling it after the grace period. */
	__atomic_store_n(&vp->stopped, true, __ATOMIC_RELEASE);
	vns_workers_del_port(sw, vp->port->id);
	port_stop(vp->port);
	/* A VDUSE device has nothing to stop: its guest sees the carrier go. */
	if (vp->vduse)
		port_link_set(vp->port, false);
}

int vns_port_start(struct vns_switch *sw, struct vns_port *vp)
{
	int ret;

	if (!vp->stopped)
		return 0;
	ret = port_start(vp->port);
	if (ret < 0)
		return ret;
	if (vp->vduse)
		port_link_set(vp->port, true);
	ret = vns_workers_add_port(sw, vp->port->id);
	if (ret < 0) {
		port_stop(vp->port);
		return ret;
	}
	__atomic_store_n(&vp->stopped, false, __ATOMIC_RELEASE);
	return 0;
}

int vns_port_set_vlan(struct vns_switch *sw, struct vns_port *vp, const struct vns_port_vlan *vlan)
{
	bool was_stopped = vp->stopped;
	int ret = 0;

	/*
	 * Workers read the VLAN mode frame by frame: the port leaves their view
	 * (a grace period), changes, and comes back. Its MACs were learned in
	 * the VLANs it had.
	 */
	if (!was_stopped) {
		__atomic_store_n(&vp->stopped, true, __ATOMIC_RELEASE);
		vns_workers_del_port(sw, vp->port->id);
	}
	vp->vlan = *vlan;
	fdb_flush(sw->fdb, vp->port->id);
	if (!was_stopped) {
		ret = vns_workers_add_port(sw, vp->port->id);
		if (ret == 0)
			__atomic_store_n(&vp->stopped, false, __ATOMIC_RELEASE);
	}
	return ret;
}

void vns_ports_close(struct vns_switch *sw)
{
	while (sw->nb_ports > 0) {
		struct vns_port *vp = sw->ports[sw->nb_ports - 1];

		if (vp != NULL)
			remove_port(sw, vp, stderr);
		sw->nb_ports--;
	}
}
