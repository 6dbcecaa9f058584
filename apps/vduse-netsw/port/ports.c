/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening the ports: VDUSE devices with their netdevs placed, and DPDK ethdevs. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <net/if.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "netdev.h"
#include "port_ethdev.h"
#include "port_vduse.h"
#include "ports.h"

static struct rte_mempool *pools[RTE_MAX_NUMA_NODES];

/* The pool of @p socket, made on first use: frames stay on their port's node. */
static struct rte_mempool *pool_of(int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	unsigned int s = socket == SOCKET_ID_ANY ? rte_socket_id() : (unsigned int)socket;

	if (s >= RTE_MAX_NUMA_NODES)
		s = 0;
	if (pools[s] == NULL) {
		snprintf(name, sizeof(name), "vns_mbufs_%u", s);
		pools[s] = rte_pktmbuf_pool_create(name, VNS_NB_MBUFS, VNS_MBUF_CACHE, 0,
						   RTE_MBUF_DEFAULT_BUF_SIZE, (int)s);
		if (pools[s] == NULL)
			fprintf(stderr, "vduse-netsw: no memory for mbufs on socket %u: %s\n", s,
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

static struct port *open_vduse(struct vns_switch *sw, const struct vns_options *opts,
			       const struct vns_vduse_spec *spec)
{
	struct port_vduse_params params = {
		.name = spec->name,
		.mtu = spec->mtu,
		.queue_size = opts->queue_size,
		.offloads = vduse_offloads(spec->offloads),
		.packed_ring = opts->packed_ring,
		.hugepages = opts->hugepages,
		.socket_id = (int)rte_socket_id(),
		.driver = VDU_DRIVER_VIRTIO,
		.qsbr = sw->qsbr,
		.state_dir = opts->state_dir,
		.fresh = opts->fresh,
	};
	struct rte_mempool *pool = pool_of(params.socket_id);
	char netdev[IF_NAMESIZE];
	struct port *port;
	int err, ns_fd = -1;

	if (pool == NULL)
		return NULL;
	/* A wrong namespace is found before a device exists. */
	if (*spec->netns != '\0') {
		ns_fd = vns_netns_open(spec->netns);
		if (ns_fd < 0) {
			fprintf(stderr, "port %s: no netns to move it to\n", spec->name);
			return NULL;
		}
	}
	memcpy(params.mac, spec->mac, sizeof(params.mac));
	port = port_vduse_open(&params, pool, &err);
	if (port == NULL) {
		fprintf(stderr, "port %s: %s\n", spec->name, strerror(-err));
	} else if (port_vduse_taken_back(port)) {
		/* Its netdev is where the previous switch put it, addresses and all. */
		printf("port %s: taken back from the previous switch, netdev kept\n", spec->name);
		if (port_vduse_netdev(port, netdev, sizeof(netdev)) != 0)
			snprintf(netdev, sizeof(netdev), "%s", "eth?"); /* in another netns */
	} else if (port_vduse_netdev(port, netdev, sizeof(netdev)) != 0 ||
		   vns_netdev_place(netdev, ns_fd, spec->ifname) != 0) {
		port_close(port);
		port = NULL;
	}
	if (ns_fd >= 0)
		close(ns_fd);
	if (port == NULL)
		return NULL;
	printf("port %s: netdev %s%s%s, mac %02x:%02x:%02x:%02x:%02x:%02x\n", spec->name,
	       *spec->ifname ? spec->ifname : netdev, *spec->netns ? " in netns " : "", spec->netns,
	       spec->mac[0], spec->mac[1], spec->mac[2], spec->mac[3], spec->mac[4], spec->mac[5]);
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
		.nb_rx_queues = spec->nb_rxq ? spec->nb_rxq : 1,
		.mtu = spec->mtu,
		.promiscuous = true,
	};
	struct port *port;
	int err;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		return NULL;
	/* A transmit queue per worker spares the workers a lock, where the device has them. */
	params.nb_tx_queues = spec->nb_txq;
	if (params.nb_tx_queues == 0)
		params.nb_tx_queues =
			(uint16_t)RTE_MIN(sw->nb_workers, (unsigned int)info.max_tx_queues);
	if (params.nb_tx_queues == 0)
		params.nb_tx_queues = 1;
	params.pool = pool_of(rte_eth_dev_socket_id(port_id));
	if (params.pool == NULL)
		return NULL;
	port = port_ethdev_open(&params, &err);
	if (port == NULL)
		return NULL;
	printf("port %s: ethdev %s, %u rx and %u tx queue(s)\n", port->name, info.driver_name,
	       params.nb_rx_queues, params.nb_tx_queues);
	return port;
}

/* Put @p port in the table with @p vlan, and start it. */
static int add_port(struct vns_switch *sw, struct port *port, const struct vns_port_vlan *vlan,
		    bool vduse)
{
	struct vns_port *vp;
	unsigned int q;
	int ret;

	vp = rte_zmalloc("vns_port", sizeof(*vp), RTE_CACHE_LINE_SIZE);
	if (vp == NULL) {
		port_close(port);
		return -ENOMEM;
	}
	vp->port = port;
	vp->vlan = *vlan;
	vp->vduse = vduse;
	for (q = 0; q < PORT_MAX_QUEUES; q++)
		rte_spinlock_init(&vp->txq_lock[q]);
	port->id = (uint16_t)sw->nb_ports;
	port_info_get(port, &vp->info);
	ret = port_start(port);
	if (ret < 0) {
		port_close(port);
		rte_free(vp);
		return ret;
	}
	__atomic_store_n(&sw->ports[sw->nb_ports++], vp, __ATOMIC_RELEASE);
	return 0;
}

int vns_ports_open(struct vns_switch *sw, const struct vns_options *opts, const volatile bool *stop)
{
	const struct vns_port_vlan *vlan;
	struct vns_port_spec none;
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned int i;
	uint16_t pid;
	struct port *port;
	int ret;

	for (i = 0; i < opts->nb_port_specs; i++)
		if (rte_eth_dev_get_port_by_name(opts->port_specs[i].name, &pid) != 0) {
			fprintf(stderr,
				"--port %s: no such ethdev; EAL probed %u (name them as EAL does: "
				"net_tap0, 0000:01:00.0)\n",
				opts->port_specs[i].name, rte_eth_dev_count_avail());
			return -ENODEV;
		}
	for (i = 0; i < opts->nb_vduse && !*stop; i++) {
		if (sw->nb_ports == VNS_MAX_PORTS)
			return -ENOSPC;
		port = open_vduse(sw, opts, &opts->vduse[i]);
		if (port == NULL)
			return -ENODEV;
		ret = add_port(sw, port, &opts->vduse[i].vlan, true);
		if (ret < 0)
			return ret;
	}
	memset(&none, 0, sizeof(none));
	memset(none.vlan.trunk, 0xff, sizeof(none.vlan.trunk));
	RTE_ETH_FOREACH_DEV (pid) {
		const struct vns_port_spec *spec;

		if (*stop)
			break;
		if (sw->nb_ports == VNS_MAX_PORTS) {
			fprintf(stderr, "vduse-netsw: at most %d ports\n", VNS_MAX_PORTS);
			return -ENOSPC;
		}
		if (rte_eth_dev_get_name_by_port(pid, name) != 0)
			continue;
		spec = find_spec(opts, name);
		vlan = spec != NULL ? &spec->vlan : &none.vlan;
		port = open_ethdev(sw, pid, spec != NULL ? spec : &none);
		if (port == NULL)
			return -ENODEV;
		ret = add_port(sw, port, vlan, false);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void vns_ports_close(struct vns_switch *sw)
{
	while (sw->nb_ports > 0) {
		struct vns_port *vp = sw->ports[--sw->nb_ports];

		if (vp == NULL)
			continue;
		__atomic_store_n(&sw->ports[sw->nb_ports], NULL, __ATOMIC_RELEASE);
		port_stop(vp->port);
		port_close(vp->port);
		rte_free(vp);
	}
}
