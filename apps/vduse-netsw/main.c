/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vduse-netsw: create the VDUSE ports, place their netdevs, forward between
 * paired ports (0<->1, 2<->3, ...) on the worker lcores until SIGINT or
 * SIGTERM, then detach and destroy every device.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "control.h"
#include "forward.h"
#include "netdev.h"
#include "options.h"
#include "port_vduse.h"

#define NB_MBUFS   16383
#define MBUF_CACHE 256

static volatile bool stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = true;
}

static struct rte_rcu_qsbr *create_qsbr(void)
{
	size_t size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct rte_rcu_qsbr *v = rte_zmalloc("qsbr", size, RTE_CACHE_LINE_SIZE);

	if (v != NULL && rte_rcu_qsbr_init(v, RTE_MAX_LCORE) != 0) {
		rte_free(v);
		v = NULL;
	}
	return v;
}

/* The optional VDUSE features a port offers: its offloads, and the ring layout. */
static uint64_t port_features(const struct vns_options *opts, const struct vns_vduse_spec *spec)
{
	static const struct {
		unsigned int offload;
		uint64_t features;
	} offload_features[] = {
		{VNS_OFFLOAD_CSUM, (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM)},
		{VNS_OFFLOAD_TSO,
		 (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |
			 (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6)},
		{VNS_OFFLOAD_USO, (1ULL << VIRTIO_NET_F_HOST_USO) |
					  (1ULL << VIRTIO_NET_F_GUEST_USO4) |
					  (1ULL << VIRTIO_NET_F_GUEST_USO6)},
	};
	uint64_t features = VDU_NET_OPTIONAL_FEATURES;
	unsigned int i;

	if (!opts->packed_ring)
		features &= ~(1ULL << VIRTIO_F_RING_PACKED);
	for (i = 0; i < RTE_DIM(offload_features); i++)
		if (!(spec->offloads & offload_features[i].offload))
			features &= ~offload_features[i].features;
	return features;
}

static struct port *open_vduse(const struct vns_options *opts, const struct vns_vduse_spec *spec,
			       struct rte_mempool *pool, struct rte_rcu_qsbr *qsbr)
{
	struct port_vduse_params params = {
		.name = spec->name,
		.mtu = spec->mtu,
		.queue_size = opts->queue_size,
		.features = port_features(opts, spec),
		.hugepages = opts->hugepages,
		.socket_id = (int)rte_socket_id(),
		.driver = VDU_DRIVER_VIRTIO,
		.qsbr = qsbr,
	};
	char netdev[IF_NAMESIZE];
	struct port *port;
	int err;

	memcpy(params.mac, spec->mac, sizeof(params.mac));
	port = port_vduse_open(&params, pool, &err);
	if (port == NULL) {
		fprintf(stderr, "port %s: %s\n", spec->name, strerror(-err));
		return NULL;
	}
	if (port_vduse_netdev(port, netdev, sizeof(netdev)) != 0 ||
	    vns_netdev_place(netdev, spec->netns, spec->ifname) != 0) {
		port_close(port);
		return NULL;
	}
	printf("port %s: netdev %s%s%s, mac %02x:%02x:%02x:%02x:%02x:%02x\n", spec->name,
	       *spec->ifname ? spec->ifname : netdev, *spec->netns ? " in netns " : "", spec->netns,
	       spec->mac[0], spec->mac[1], spec->mac[2], spec->mac[3], spec->mac[4], spec->mac[5]);
	return port;
}

/* Paired topology: port 2k and 2k+1 forward to each other; streams spread over workers. */
static int assign_streams(struct port **ports, unsigned int nb_ports, struct vns_worker *workers,
			  unsigned int nb_workers)
{
	unsigned int i, w = 0;

	for (i = 0; i + 1 < nb_ports; i += 2) {
		struct port *pair[2] = {ports[i], ports[i + 1]};
		int dir;

		for (dir = 0; dir < 2; dir++) {
			struct vns_worker *wk = &workers[w++ % nb_workers];

			if (wk->nb_streams == VNS_MAX_STREAMS)
				return -1;
			wk->streams[wk->nb_streams++] = (struct vns_stream){
				.rx = pair[dir],
				.tx = pair[!dir],
			};
		}
	}
	if (nb_ports % 2)
		printf("port %s: no peer, its frames are dropped\n", ports[nb_ports - 1]->name);
	return 0;
}

static void print_stats(struct port **ports, unsigned int nb_ports)
{
	unsigned int i;

	for (i = 0; i < nb_ports; i++) {
		struct port_stats s;

		port_stats_get(ports[i], &s);
		printf("  ------- Forward statistics for port %u (%s) -------\n", i,
		       ports[i]->name);
		printf("  RX-packets: %-14" PRIu64 " RX-errors: %-14" PRIu64 " RX-nombuf: %" PRIu64
		       "\n",
		       s.rx_packets, s.rx_errors, s.rx_nombuf);
		printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-13" PRIu64 " TX-bytes: %" PRIu64
		       "\n",
		       s.tx_packets, s.tx_dropped, s.tx_bytes);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct vns_worker workers[RTE_MAX_LCORE];
	struct port *ports[VNS_MAX_PORTS];
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	struct vns_options opts;
	unsigned int nb_ports = 0, nb_workers = 0, lcore, i;
	int status = 1, control_fd = -1, ret;
	time_t last_stats;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "vduse-netsw: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	if (vns_parse_options(argc - ret, argv + ret, &opts) < 0) {
		rte_eal_cleanup();
		return 2;
	}
	RTE_LCORE_FOREACH_WORKER (lcore) {
		workers[nb_workers].lcore_id = lcore;
		workers[nb_workers].stop = &stop;
		nb_workers++;
	}
	if (nb_workers == 0) {
		fprintf(stderr,
			"vduse-netsw: no worker lcore: give EAL two or more (e.g. -l 0-1)\n");
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	pool = rte_pktmbuf_pool_create("vns_mbufs", NB_MBUFS, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	qsbr = create_qsbr();
	if (pool == NULL || qsbr == NULL) {
		fprintf(stderr, "vduse-netsw: no memory for mbufs: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	for (i = 0; i < nb_workers; i++)
		workers[i].qsbr = qsbr;

	for (i = 0; i < opts.nb_vduse && !stop; i++) {
		ports[nb_ports] = open_vduse(&opts, &opts.vduse[i], pool, qsbr);
		if (ports[nb_ports] == NULL)
			goto close_ports;
		nb_ports++;
	}
	if (stop) {
		status = 0; /* told to stop while starting: still a clean exit */
		goto close_ports;
	}
	if (assign_streams(ports, nb_ports, workers, nb_workers) < 0)
		goto close_ports;

	if (opts.control[0] != '\0') {
		control_fd = vns_control_open(opts.control);
		if (control_fd < 0)
			goto close_ports;
	}
	for (i = 0; i < nb_workers; i++)
		rte_eal_remote_launch(vns_worker_main, &workers[i], workers[i].lcore_id);
	printf("vduse-netsw: forwarding on %u worker lcore(s); SIGINT or SIGTERM to stop\n",
	       nb_workers);
	fflush(stdout);
	last_stats = time(NULL);
	while (!stop) {
		const struct vns_control_ports control = {ports, nb_ports};

		if (control_fd >= 0)
			vns_control_serve(control_fd, 1000, &control);
		else
			sleep(1);
		if (opts.stats_period && time(NULL) - last_stats >= opts.stats_period) {
			print_stats(ports, nb_ports);
			last_stats = time(NULL);
		}
	}
	rte_eal_mp_wait_lcore();
	print_stats(ports, nb_ports);
	status = 0;

close_ports:
	if (control_fd >= 0) {
		close(control_fd);
		unlink(opts.control);
	}
	while (nb_ports > 0)
		port_close(ports[--nb_ports]);
out:
	rte_eal_cleanup();
	return status;
}
