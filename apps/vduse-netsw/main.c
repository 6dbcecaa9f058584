/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vduse-netsw: create the VDUSE ports, place their netdevs, forward between
 * paired ports (0<->1, 2<->3, ...) on the worker lcores until SIGINT,
 * SIGTERM or SIGHUP, then detach and destroy every device.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/*
 * SIGINT, SIGTERM and SIGHUP (the terminal or ssh session that started the
 * switch went away) stop it cleanly; a SIGHUP ignored by whoever started it
 * (nohup) stays ignored. SIGPIPE is ignored: a reader gone from a socket or
 * from stdout is an error to handle, not a reason to leave devices behind.
 */
static void handle_signals(void)
{
	struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
	struct sigaction stopper = {.sa_handler = on_signal};

	sigemptyset(&stopper.sa_mask);
	sigaction(SIGINT, &stopper, NULL);
	sigaction(SIGTERM, &stopper, NULL);
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &stopper, NULL);
	sigaction(SIGPIPE, &ignore, NULL);
}

/* EAL's --help prints the EAL options, then these through this hook. */
static void app_usage(const char *prog)
{
	vns_usage(stdout, prog);
}

/* The pid holding the shared configuration of EAL's file prefix, or 0. */
static pid_t eal_config_holder(void)
{
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char path[PATH_MAX];
	int fd;

	/* rte_eal_init() has set the runtime directory before it takes the lock. */
	if (*rte_eal_get_runtime_dir() == '\0')
		return 0;
	snprintf(path, sizeof(path), "%s/config", rte_eal_get_runtime_dir());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fcntl(fd, F_GETLK, &lock) < 0 || lock.l_type == F_UNLCK)
		lock.l_pid = 0;
	close(fd);
	return lock.l_pid;
}

/*
 * Say what made rte_eal_init() fail and how to fix it: its rte_errno is
 * EACCES for "no hugepages" and 0 when another process holds the file prefix.
 */
static void eal_init_failed(int err)
{
	pid_t holder;

	if (err == EACCES) {
		fprintf(stderr,
			"vduse-netsw: EAL initialisation failed: no usable hugepages. Reserve "
			"some (e.g. echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
			"nr_hugepages, hugetlbfs mounted on /dev/hugepages), or run without: "
			"--no-huge -m 256\n");
		return;
	}
	holder = eal_config_holder();
	if (holder > 0) {
		fprintf(stderr,
			"vduse-netsw: EAL initialisation failed: another DPDK process (pid %d) "
			"uses the same file prefix; give each instance its own: "
			"--file-prefix NAME\n",
			(int)holder);
		return;
	}
	if (err != 0)
		fprintf(stderr, "vduse-netsw: EAL initialisation failed: %s\n", rte_strerror(err));
	else
		fprintf(stderr, "vduse-netsw: EAL initialisation failed (see the EAL messages "
				"above)\n");
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
		.state_dir = opts->state_dir,
		.fresh = opts->fresh,
	};
	char netdev[IF_NAMESIZE];
	struct port *port;
	int err, ns_fd = -1;

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
	struct vns_control *control = NULL;
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	struct vns_options opts;
	unsigned int nb_ports = 0, nb_workers = 0, nb_running = 0, lcore, i;
	int status = 1, dashes, ret;
	time_t last_stats;

	/*
	 * The switch's options, after "--", are read first: a mistake in them or
	 * --help needs no hugepages. EAL gets what comes before.
	 */
	for (dashes = 1; dashes < argc && strcmp(argv[dashes], "--") != 0; dashes++)
		;
	if (dashes < argc) {
		argv[dashes] = argv[0];
		ret = vns_parse_options(argc - dashes, argv + dashes, &opts);
		if (ret != 0)
			return ret > 0 ? 0 : 2;
	}
	rte_set_application_usage_hook(app_usage);
	ret = rte_eal_init(dashes, argv);
	if (ret < 0) {
		eal_init_failed(rte_errno);
		return 1;
	}
	if (dashes == argc) {
		fprintf(stderr, "vduse-netsw: no switch options: give them after '--'\n");
		vns_usage(stderr, argv[0]);
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
	handle_signals();

	pool = rte_pktmbuf_pool_create("vns_mbufs", NB_MBUFS, MBUF_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	qsbr = create_qsbr();
	if (pool == NULL || qsbr == NULL) {
		fprintf(stderr, "vduse-netsw: no memory for mbufs: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	for (i = 0; i < nb_workers; i++)
		workers[i].qsbr = qsbr;

	/* Before any device: a control path in use stops the start with nothing to undo. */
	if (opts.control[0] != '\0') {
		control = vns_control_open(opts.control, opts.control_gid);
		if (control == NULL)
			goto out;
	}
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

	/* A worker without streams would only spin. */
	for (i = 0; i < nb_workers; i++)
		if (workers[i].nb_streams > 0) {
			rte_eal_remote_launch(vns_worker_main, &workers[i], workers[i].lcore_id);
			nb_running++;
		}
	printf("vduse-netsw: forwarding on %u worker lcore(s); SIGINT, SIGTERM or SIGHUP to "
	       "stop\n",
	       nb_running);
	fflush(stdout);
	last_stats = time(NULL);
	while (!stop) {
		const struct vns_control_ports control_ports = {ports, nb_ports};

		if (control != NULL)
			vns_control_serve(control, 1000, &control_ports);
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
	while (nb_ports > 0)
		port_close(ports[--nb_ports]);
out:
	vns_control_close(control);
	rte_eal_cleanup();
	return status;
}
