/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vduse-netsw: start-up, the main loop and shutdown. Opens the ports (VDUSE
 * devices and every probed ethdev), starts a worker on each worker lcore,
 * then serves the control socket and keeps the MAC table until SIGINT,
 * SIGTERM or SIGHUP; the workers stop, and every device is destroyed.
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

#include <sys/stat.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "capture/capture_ctl.h"
#include "cli/cli.h"
#include "cli/control.h"
#include "cli/interactive.h"
#include "log.h"
#include "fdb.h"
#include "fwd/fwd.h"
#include "options.h"
#include "port/ports.h"
#include "stats/stats.h"
#include "telemetry/telemetry.h"
#include "worker/worker.h"

/* Main loop period: the MAC table learns within it (fdb_sync()). */
#define MAIN_LOOP_MS 10

static struct vns_switch sw = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void on_signal(int sig)
{
	(void)sig;
	sw.stop = true;
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

static struct fdb *create_fdb(const struct vns_options *opts)
{
	struct fdb_params params;
	struct fdb *fdb;
	int err;

	fdb_params_init(&params);
	params.name = "vns_fdb";
	params.max_ports = VNS_MAX_PORTS;
	params.max_entries = opts->fdb_size;
	params.aging_time = opts->aging_sec;
	params.qsbr = sw.qsbr;
	params.socket_id = (int)rte_socket_id();
	fdb = fdb_create(&params, &err);
	if (fdb == NULL)
		VNS_LOG(ERR, "vduse-netsw: cannot create the MAC table: %s", strerror(-err));
	return fdb;
}

static int init_workers(void)
{
	static struct vns_worker workers[RTE_MAX_LCORE];
	unsigned int lcore;

	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct vns_worker *w = &workers[sw.nb_workers];

		w->lcore_id = lcore;
		w->index = sw.nb_workers++;
		w->socket_id = (int)rte_lcore_to_socket_id(lcore);
		w->sw = &sw;
	}
	sw.workers = workers;
	if (sw.nb_workers == 0) {
		VNS_LOG(ERR, "vduse-netsw: no worker lcore: give EAL two or more (e.g. -l 0-1)");
		return -1;
	}
	return 0;
}

/*
 * The control socket: the one --control names, or else the default one
 * when it is free (another switch may serve it). NULL when there is none.
 */
static struct vns_control *open_control(const struct vns_options *opts, bool *failed)
{
	struct vns_control *control;

	*failed = false;
	if (opts->control[0] != '\0') {
		control = vns_control_open(opts->control, opts->control_gid);
		*failed = control == NULL;
		return control;
	}
	/* The default's directory is the state directory's default; root made it 0755. */
	if (mkdir(VNS_STATE_DIR, 0755) < 0 && errno != EEXIST) {
		VNS_LOG(WARNING,
			"vduse-netsw: serving no control socket: %s: %s (give --control PATH)",
			VNS_STATE_DIR, strerror(errno));
		return NULL;
	}
	control = vns_control_open(VNS_CONTROL_DEFAULT, VNS_NO_GROUP);
	if (control == NULL)
		VNS_LOG(WARNING, "vduse-netsw: serving no control socket (give --control PATH)");
	return control;
}

/* Serve the control socket and the terminal, and keep the MAC table, until told to stop. */
static void main_loop(const struct vns_options *opts, struct vns_control *control,
		      struct vns_interactive *cli)
{
	uint64_t period = opts->stats_period * rte_get_timer_hz();
	uint64_t last_stats = rte_get_timer_cycles();

	while (!sw.stop) {
		if (control != NULL)
			vns_control_serve(control, MAIN_LOOP_MS, &sw);
		else
			rte_delay_us_sleep(MAIN_LOOP_MS * 1000);
		if (cli != NULL && vns_interactive_poll(cli) != 0)
			sw.stop = true; /* Ctrl-D: testpmd quits too */
		pthread_mutex_lock(&sw.lock);
		fdb_sync(sw.fdb);
		pthread_mutex_unlock(&sw.lock);
		if (period && rte_get_timer_cycles() - last_stats >= period) {
			pthread_mutex_lock(&sw.lock);
			vns_stats_print(stdout, &sw);
			pthread_mutex_unlock(&sw.lock);
			last_stats = rte_get_timer_cycles();
		}
	}
}

/*
 * Forward at once, or wait for "start" (-i without --auto-start), as testpmd
 * does; a command file may have started already.
 */
static void initial_forwarding(const struct vns_options *opts)
{
	unsigned int i;

	if (sw.forwarding || (opts->interactive && !opts->auto_start))
		return;
	vns_stats_fwd_begin(&sw);
	for (i = 0; i < sw.nb_workers; i++)
		sw.workers[i].tx_first = opts->tx_first;
	sw.forwarding = true;
}

int main(int argc, char **argv)
{
	struct vns_interactive *cli = NULL;
	struct vns_control *control = NULL;
	struct vns_options opts;
	bool failed;
	unsigned int i;
	int status = 1, dashes, ret;

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
		sw.engine = fwd_engine_find(opts.fwd);
		if (sw.engine == NULL) {
			fprintf(stderr, "--fwd %s: no such engine (%s)\n", opts.fwd,
				fwd_engine_names());
			return 2;
		}
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
	vns_log_init();
	if (init_workers() < 0)
		goto out;
	handle_signals();

	sw.qsbr = create_qsbr();
	if (sw.qsbr == NULL) {
		VNS_LOG(ERR, "vduse-netsw: no memory for RCU: %s", rte_strerror(rte_errno));
		goto out;
	}
	sw.fdb = create_fdb(&opts);
	if (sw.fdb == NULL || vns_workers_cache_fdb(&sw) < 0)
		goto out;

	if (vns_cli_init(&sw) < 0)
		goto out;
	/* Before any device: a control path in use stops the start with nothing to undo. */
	control = open_control(&opts, &failed);
	if (failed)
		goto out;
	sw.opts = &opts;
	if (vns_ports_open(&sw, &opts, &sw.stop) < 0)
		goto close_ports;
	if (sw.stop) {
		status = 0; /* told to stop while starting: still a clean exit */
		goto close_ports;
	}
	/* With --control or -i, no port is a valid start: ports can be added. */
	if (sw.nb_ports == 0 && opts.control[0] == '\0' && !opts.interactive) {
		VNS_LOG(ERR, "vduse-netsw: no ports: give --vduse, or ethdevs to EAL (-a, "
			     "--vdev), or --control PATH, or -i");
		status = 2;
		goto close_ports;
	}
	if (vns_telemetry_init(&sw) < 0)
		goto close_ports;
	sw.burst = opts.burst;
	sw.txpkts = opts.txpkts;
	/* Every worker runs, with or without queues: ports may come at run time. */
	for (i = 0; i < sw.nb_workers; i++)
		rte_eal_remote_launch(vns_worker_main, &sw.workers[i], sw.workers[i].lcore_id);
	status = 0;
	/* As testpmd: the file's settings hold from the first frame forwarded. */
	if (opts.cmdline_file[0] != '\0' && vns_cli_run_file(opts.cmdline_file, &sw, stdout) < 0) {
		sw.stop = true;
		status = 2;
	}
	if (!sw.stop) {
		initial_forwarding(&opts);
		VNS_LOG(INFO,
			"vduse-netsw: %s (%s) on %u worker lcore(s); SIGINT, SIGTERM or SIGHUP "
			"to stop",
			sw.forwarding ? "forwarding" : "ready, forwarding after 'start'",
			sw.engine->name, sw.nb_workers);
	}
	if (opts.interactive && !sw.stop) {
		cli = vns_interactive_open(&sw);
		if (cli == NULL) {
			VNS_LOG(ERR, "vduse-netsw: no memory for the interactive CLI");
			sw.stop = true;
			status = 1;
		}
	}
	main_loop(&opts, control, cli);
	vns_interactive_close(cli);
	rte_eal_mp_wait_lcore();
	/* A capture still running gets its file completed. */
	pthread_mutex_lock(&sw.lock);
	vns_capture_close(&sw);
	pthread_mutex_unlock(&sw.lock);
	vns_stats_print(stdout, &sw);

close_ports:
	vns_telemetry_close(&sw);
	vns_ports_close(&sw);
out:
	vns_workers_free(&sw);
	vns_control_close(control);
	vns_cli_fini();
	fdb_free(sw.fdb);
	rte_free(sw.qsbr);
	rte_eal_cleanup();
	return status;
}
