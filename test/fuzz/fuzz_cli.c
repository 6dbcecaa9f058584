/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: command lines, run by vns_cli_exec() as the control
 * socket, -i and --cmdline-file run them, against a switch of two fake
 * ports. Whatever the bytes, the matcher and every handler must stay in
 * bounds (AddressSanitizer), leak nothing (LeakSanitizer) and answer in
 * form: text ends in "ok" or has an "error: " line; JSON parses, its "ok"
 * is the outcome, and a failure has an "error" string.
 *
 * Input: command lines separated by '\n', answered in text and JSON in
 * turn (text first).
 *
 * The switch is real but for its ports and workers: a MAC table, an RCU
 * variable with no reader registered (a grace period ends at once), one
 * worker that never runs. What would reach outside the process is cut at
 * the last call before it, by the linker (--wrap, see meson.build): every
 * command still runs its matcher and handler, its own parsing included
 * (port add's SPEC and KEYS, capture's OPTIONS, bpf-load's FLAGS), but
 * port add opens no VDUSE device, probes no ethdev and enters no netns,
 * capture start writes no file and bpf-load reads none.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "capture.h"
#include "cli/cli.h"
#include "fdb.h"
#include "fuzz_eal.h"
#include "fwd/fwd.h"
#include "port_vduse.h"
#include "worker/worker.h"

/* Small: a table that fills is reached in a few "mac add" lines. */
#define FDB_ENTRIES 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* The linker's replacements (-Wl,--wrap=NAME calls __wrap_NAME). */
struct port *__wrap_port_vduse_open(const struct port_vduse_params *params,
				    struct rte_mempool *pool, int *err);
int __wrap_vns_netns_open(const char *netns);
int __wrap_rte_dev_probe(const char *devargs);
struct capture *__wrap_capture_create(const struct capture_params *params, int *err, char *errmsg,
				      size_t errmsg_size);
struct rte_bpf *__wrap_rte_bpf_elf_load(const struct rte_bpf_prm *prm, const char *fname,
					const char *sname);

/* port add vduse: no device is created. */
struct port *__wrap_port_vduse_open(const struct port_vduse_params *params,
				    struct rte_mempool *pool, int *err)
{
	(void)params;
	(void)pool;
	*err = -ENODEV;
	return NULL;
}

/* netns=: the name or path the line gave is not opened. */
int __wrap_vns_netns_open(const char *netns)
{
	(void)netns;
	return -ENOENT;
}

/* port add ethdev: no device is probed (net_tap would make a netdev). */
int __wrap_rte_dev_probe(const char *devargs)
{
	(void)devargs;
	return -ENODEV;
}

/* capture start: its OPTIONS are parsed, but no file is written. */
struct capture *__wrap_capture_create(const struct capture_params *params, int *err, char *errmsg,
				      size_t errmsg_size)
{
	(void)params;
	snprintf(errmsg, errmsg_size, "fuzz: no capture");
	*err = -EPERM;
	return NULL;
}

/* bpf-load: its FLAGS and queue are checked, but the FILE is not read. */
struct rte_bpf *__wrap_rte_bpf_elf_load(const struct rte_bpf_prm *prm, const char *fname,
					const char *sname)
{
	(void)prm;
	(void)fname;
	(void)sname;
	rte_errno = ENOENT;
	return NULL;
}

/* A fake port: its link state as set, constant counters. */
struct fake_port {
	struct port port;
	bool link_up;
};

static int fake_link_get(struct port *port, struct port_link *link)
{
	link->up = ((struct fake_port *)port)->link_up;
	link->speed_mbps = 10000;
	return 0;
}

static int fake_link_set(struct port *port, bool up)
{
	((struct fake_port *)port)->link_up = up;
	return 0;
}

static int fake_promisc_set(struct port *port, bool on)
{
	(void)port;
	(void)on;
	return 0;
}

static void fake_stats_get(struct port *port, struct port_stats *stats)
{
	(void)port;
	*stats = (struct port_stats){.rx_packets = 42, .rx_bytes = 2520, .tx_packets = 7};
}

static int fake_xstats_get(struct port *port, struct port_xstat *xs, unsigned int n)
{
	(void)port;
	if (xs != NULL && n >= 2) {
		xs[0] = (struct port_xstat){"rx_bad_chains", 3};
		xs[1] = (struct port_xstat){"tx_dropped_no_room", 1};
	}
	return 2;
}

/* port del closes the port: the fake is static, nothing to release. */
static void fake_close(struct port *port)
{
	(void)port;
}

static const struct port_ops fake_ops = {
	.link_get = fake_link_get,
	.link_set = fake_link_set,
	.promisc_set = fake_promisc_set,
	.stats_get = fake_stats_get,
	.xstats_get = fake_xstats_get,
	.close = fake_close,
};

/* red0: an ethdev-like trunk of every VLAN; blue0: a VDUSE port of access VLAN 10. */
static struct fake_port fakes[2] = {
	{.port = {.ops = &fake_ops, .name = "red0", .id = 0}},
	{.port = {.ops = &fake_ops, .name = "blue0", .id = 1}},
};
static struct vns_options opts;
static struct vns_worker *worker;
static struct vns_switch sw;

/* The MAC table's clock stands still: ages, and so the replies, do not depend on time. */
static uint64_t still_clock(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * At exit, before LeakSanitizer looks: the MAC table's ordinary memory is
 * held only from DPDK memory, which LeakSanitizer does not scan.
 */
static void cleanup(void)
{
	vns_cli_fini();
	fdb_free(sw.fdb);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct fdb_params p;
	struct rte_mempool *pool;
	int err;

	(void)argc;
	(void)argv;
	pool = fuzz_eal_init();
	fakes[0].port.pool = fakes[1].port.pool = pool; /* bpf-load reads its data room */

	/* No reader ever registers: rte_rcu_qsbr_synchronize() returns at once. */
	sw.qsbr = rte_zmalloc("fuzz_qsbr", rte_rcu_qsbr_get_memsize(1), RTE_CACHE_LINE_SIZE);
	if (sw.qsbr == NULL || rte_rcu_qsbr_init(sw.qsbr, 1) != 0)
		abort();
	fdb_params_init(&p);
	p.name = "fuzz";
	p.max_ports = VNS_MAX_PORTS;
	p.max_entries = FDB_ENTRIES;
	p.learn_ring_size = 64;
	p.qsbr = sw.qsbr;
	p.clock = still_clock;
	sw.fdb = fdb_create(&p, &err);
	/* The worker is DPDK memory: its queue sets are, and it is cache aligned. */
	worker = rte_zmalloc("fuzz_worker", sizeof(*worker), RTE_CACHE_LINE_SIZE);
	if (sw.fdb == NULL || worker == NULL)
		abort();

	/* What port add reads before it opens a device (a pool of this size is made once). */
	opts.nb_mbufs = 1023;
	opts.queue_size = 256;
	snprintf(opts.state_dir, sizeof(opts.state_dir), "/nonexistent");
	sw.opts = &opts;
	sw.workers = worker;
	sw.nb_workers = 1;
	sw.nb_ports = 2;
	if (vns_cli_init(&sw) < 0)
		abort();
	atexit(cleanup);
	return 0;
}

/*
 * The same switch for every input, so that an input replays alone: the
 * ports as they start (port del frees one, so they are DPDK memory), the
 * MAC table empty, forwarding stopped, the queues given to the worker.
 */
static void reset_switch(void)
{
	unsigned int i;

	vns_workers_free(&sw);
	*worker = (struct vns_worker){.lcore_id = rte_lcore_id(), .sw = &sw};
	for (i = 0; i < RTE_DIM(fakes); i++) {
		struct vns_port *vp = sw.ports[i];

		if (vp == NULL)
			vp = rte_zmalloc("fuzz_port", sizeof(*vp), RTE_CACHE_LINE_SIZE);
		if (vp == NULL)
			abort();
		*vp = (struct vns_port){
			.port = &fakes[i].port,
			.info = {.driver = i == 0 ? "net_fake" : "vduse",
				 .socket_id = SOCKET_ID_ANY,
				 .nb_rx_queues = 2,
				 .nb_tx_queues = 1,
				 .mtu = 1500},
			.vduse = i == 1,
			.lcore = -1,
			.promisc = i == 0,
		};
		if (i == 0)
			memset(vp->vlan.trunk, 0xff, sizeof(vp->vlan.trunk));
		else
			vp->vlan.access_vid = 10;
		fakes[i].link_up = true;
		sw.ports[i] = vp;
		if (vns_workers_add_port(&sw, (uint16_t)i) < 0)
			abort();
	}
	fdb_flush_all(sw.fdb);
	fdb_set_max_entries(sw.fdb, fdb_get_size(sw.fdb));
	fdb_set_aging_time(sw.fdb, FDB_DEFAULT_AGING_TIME);
	sw.engine = &fwd_bridge;
	sw.burst = VNS_BURST;
	sw.forwarding = false;
	sw.stop = false;
}

/*
 * The answer must say the outcome @ret as the control socket's clients read
 * it (control_proto.h): text whose last line is "ok" or starts with
 * "error: "; JSON on one line, with "ok", "reply", "messages", and "error"
 * on a failure.
 */
static void check_answer(enum vns_reply_form form, int ret, const char *out, size_t len)
{
	const char *last;
	json_error_t jerr;
	json_t *doc;

	if (len == 0 || out[len - 1] != '\n')
		abort();
	if (form == VNS_REPLY_TEXT) {
		last = len > 1 ? memrchr(out, '\n', len - 1) : NULL;
		last = last != NULL ? last + 1 : out;
		if (ret == 0 ? strcmp(last, "ok\n") != 0 : strncmp(last, "error: ", 7) != 0)
			abort();
		return;
	}
	if (memchr(out, '\n', len) != out + len - 1)
		abort();
	doc = json_loadb(out, len, 0, &jerr);
	if (doc == NULL || json_is_true(json_object_get(doc, "ok")) != (ret == 0) ||
	    !json_is_object(json_object_get(doc, "reply")) ||
	    !json_is_array(json_object_get(doc, "messages")) ||
	    (ret < 0 && !json_is_string(json_object_get(doc, "error"))))
		abort();
	json_decref(doc);
}

/* Run @line, answer in @form, and check the answer. */
static void run_line(const char *line, enum vns_reply_form form)
{
	struct vns_reply *r = vns_reply_new(form);
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (r == NULL)
		abort();
	ret = vns_cli_exec(line, r);
	f = open_memstream(&out, &len);
	if (f == NULL || vns_reply_write(r, f, true) != 0)
		abort();
	fclose(f);
	vns_reply_free(r);
	check_answer(form, ret, out, len);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	const uint8_t *p = data, *end = data + len, *nl;
	unsigned int n = 0;
	char *line;

	reset_switch();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		/* A copy of its own, NUL-terminated and no longer: reads past it are caught. */
		line = malloc((size_t)(nl - p) + 1);
		if (line == NULL)
			abort();
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		run_line(line, n++ % 2 == 0 ? VNS_REPLY_TEXT : VNS_REPLY_JSON);
		free(line);
		p = nl + 1;
	}
	return 0;
}
