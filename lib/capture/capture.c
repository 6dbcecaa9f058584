/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A session's life on the control thread: checks, creation (filter, ring,
 * pool, file header), the writer's start and stop, counters, free.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "capture_pcapng.h"
#include "capture_priv.h"

/* The file's stdio buffer: the writer makes a system call per this many bytes. */
#define FILE_BUFFER_SIZE (1u << 20)

/* Log type of every session, registered on first use (no library global). */
static int capture_logtype(void)
{
	int type = rte_log_register_type_and_pick_level("lib.capture", RTE_LOG_NOTICE);

	return type >= 0 ? type : RTE_LOGTYPE_USER1;
}

void capture_params_init(struct capture_params *params)
{
	*params = (struct capture_params){
		.dir = CAPTURE_BOTH,
		.snaplen = CAPTURE_DEFAULT_SNAPLEN,
		.ring_size = CAPTURE_DEFAULT_RING_SIZE,
		.socket_id = SOCKET_ID_ANY,
	};
}

/* Refuse what cannot work, saying which field and what it may be. */
static int params_check(const struct capture_params *p, char *errmsg, size_t errmsg_size)
{
	bool seen[CAPTURE_MAX_PORTS] = {false};
	size_t len;
	unsigned int i;

#define REFUSE(fmt, ...)                                           \
	do {                                                       \
		snprintf(errmsg, errmsg_size, fmt, ##__VA_ARGS__); \
		return -EINVAL;                                    \
	} while (0)

	len = p->name != NULL ? strlen(p->name) : 0;
	if (len == 0 || len > CAPTURE_NAME_MAX)
		REFUSE("name: 1 to %d characters", CAPTURE_NAME_MAX);
	if (p->path == NULL || p->path[0] == '\0')
		REFUSE("no file");
	if (p->ifaces == NULL || p->n_ifaces == 0 || p->n_ifaces > CAPTURE_MAX_PORTS)
		REFUSE("ports: 1 to %d", CAPTURE_MAX_PORTS);
	for (i = 0; i < p->n_ifaces; i++) {
		const struct capture_iface *in = &p->ifaces[i];

		if (in->port_id >= CAPTURE_MAX_PORTS)
			REFUSE("port id %u: 0 to %d", in->port_id, CAPTURE_MAX_PORTS - 1);
		if (seen[in->port_id])
			REFUSE("port id %u given twice", in->port_id);
		seen[in->port_id] = true;
		len = in->name != NULL ? strlen(in->name) : 0;
		if (len == 0 || len > CAPTURE_IFNAME_MAX)
			REFUSE("port %u's name: 1 to %d bytes", in->port_id, CAPTURE_IFNAME_MAX);
	}
	if (p->dir != CAPTURE_RX && p->dir != CAPTURE_TX && p->dir != CAPTURE_BOTH)
		REFUSE("direction: rx, tx or both");
	if (p->snaplen == 0 || p->snaplen > CAPTURE_SNAPLEN_MAX)
		REFUSE("snaplen %u: 1 to %d", p->snaplen, CAPTURE_SNAPLEN_MAX);
	if (p->ring_size == 0 || p->ring_size > CAPTURE_MAX_RING_SIZE)
		REFUSE("ring size %u: 1 to %u", p->ring_size, CAPTURE_MAX_RING_SIZE);
#undef REFUSE
	return 0;
}

/* The ring and the pool, named after the session (so a name in use is -EEXIST). */
static int make_queue(struct capture *cap, const struct capture_params *p, char *errmsg,
		      size_t errmsg_size)
{
	char name[RTE_RING_NAMESIZE];
	uint16_t priv = RTE_ALIGN_CEIL(sizeof(struct capture_meta), RTE_MBUF_PRIV_ALIGN);

	snprintf(name, sizeof(name), "cap_ring_%s", cap->name);
	/* One consumer, the writer; the exact size, however small, for the tests of drops. */
	cap->ring =
		rte_ring_create(name, p->ring_size, p->socket_id, RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (cap->ring == NULL)
		goto fail;
	snprintf(name, sizeof(name), "cap_pool_%s", cap->name);
	/*
	 * A full ring and the writer's burst in hand. No per-lcore cache: the
	 * writer, not the workers, frees the copies, so cached mbufs would
	 * pile up on the workers' side.
	 */
	cap->pool = rte_pktmbuf_pool_create(name, p->ring_size + CAPTURE_WRITER_BURST, 0, priv,
					    RTE_PKTMBUF_HEADROOM + CAPTURE_SEG_SIZE, p->socket_id);
	if (cap->pool == NULL)
		goto fail;
	return 0;
fail:
	snprintf(errmsg, errmsg_size, "%s: %s", name, rte_strerror(rte_errno));
	return rte_errno > 0 ? -rte_errno : -ENOMEM;
}

/* Create the file and write the section and one interface per port. */
static int open_file(struct capture *cap, const struct capture_params *p, char *errmsg,
		     size_t errmsg_size)
{
	uint64_t bytes = 0;
	unsigned int i;
	int ret;

	cap->file = fopen(p->path, "wb");
	if (cap->file == NULL) {
		ret = -errno;
		snprintf(errmsg, errmsg_size, "%s: %s", p->path, strerror(errno));
		return ret;
	}
	if (setvbuf(cap->file, NULL, _IOFBF, FILE_BUFFER_SIZE) != 0)
		CAPTURE_LOG(cap, WARNING, "default stdio buffer for %s", p->path);
	ret = capture_pcapng_section(cap->file, &bytes);
	for (i = 0; ret == 0 && i < p->n_ifaces; i++)
		ret = capture_pcapng_interface(cap->file, p->ifaces[i].name, p->snaplen, p->filter,
					       &bytes);
	if (ret == 0 && fflush(cap->file) != 0)
		ret = errno != 0 ? -errno : -EIO;
	cap->bytes_written = bytes;
	if (ret < 0) {
		snprintf(errmsg, errmsg_size, "%s: %s", p->path, strerror(-ret));
		fclose(cap->file);
		cap->file = NULL;
	}
	return ret;
}

/* The wall clock at a TSC reading: the writer dates the copies from it. */
static void clock_base(struct capture *cap)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	cap->tsc_base = rte_rdtsc();
	cap->ns_base = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	cap->tsc_hz = rte_get_tsc_hz();
}

struct capture *capture_create(const struct capture_params *params, int *err, char *errmsg,
			       size_t errmsg_size)
{
	char msg[CAPTURE_ERRMSG_SIZE] = "";
	struct capture *cap = NULL;
	unsigned int i;
	int ret;

	ret = params_check(params, msg, sizeof(msg));
	if (ret < 0)
		goto fail;
	cap = rte_zmalloc_socket("capture", sizeof(*cap), RTE_CACHE_LINE_SIZE, params->socket_id);
	if (cap != NULL)
		cap->lcore = rte_zmalloc_socket("capture_lcore",
						sizeof(*cap->lcore) * (RTE_MAX_LCORE + 1),
						RTE_CACHE_LINE_SIZE, params->socket_id);
	if (cap == NULL || cap->lcore == NULL) {
		snprintf(msg, sizeof(msg), "out of memory");
		ret = -ENOMEM;
		goto fail;
	}
	snprintf(cap->name, sizeof(cap->name), "%s", params->name);
	cap->logtype = capture_logtype();
	cap->snaplen = params->snaplen;
	for (i = 0; i < CAPTURE_MAX_PORTS; i++)
		cap->ports[i].iface = CAPTURE_NO_IFACE;
	for (i = 0; i < params->n_ifaces; i++)
		cap->ports[params->ifaces[i].port_id] =
			(struct capture_port){.iface = (uint16_t)i, .dirs = (uint8_t)params->dir};

	/* The filter first: a bad one must not touch the file. */
	ret = capture_filter_compile(&cap->filter, params->filter, params->snaplen, params->no_jit,
				     msg, sizeof(msg));
	if (ret == 0)
		ret = make_queue(cap, params, msg, sizeof(msg));
	if (ret == 0)
		ret = open_file(cap, params, msg, sizeof(msg));
	if (ret < 0)
		goto fail;
	clock_base(cap);
	CAPTURE_LOG(cap, INFO, "%u port(s) to %s, snaplen %u, filter \"%s\" (%s)", params->n_ifaces,
		    params->path, params->snaplen, params->filter != NULL ? params->filter : "",
		    cap->filter.bpf == NULL   ? "none"
		    : cap->filter.jit != NULL ? "JIT"
					      : "interpreted");
	if (err != NULL)
		*err = 0;
	if (errmsg != NULL && errmsg_size != 0)
		errmsg[0] = '\0';
	return cap;

fail:
	if (cap != NULL) {
		cap->stopped = true; /* no file to close */
		capture_free(cap);
	}
	if (err != NULL)
		*err = ret;
	if (errmsg != NULL && errmsg_size != 0)
		snprintf(errmsg, errmsg_size, "%s", msg);
	return NULL;
}

int capture_start(struct capture *cap)
{
	char name[RTE_MAX_THREAD_NAME_LEN];
	int ret;

	if (cap->started || cap->stopped)
		return -EALREADY;
	/* Thread names are short: the session's is cut to fit. */
	snprintf(name, sizeof(name), "cap-%.*s", (int)sizeof(name) - 5, cap->name);
	ret = rte_ctrl_thread_create(&cap->writer, name, NULL, capture_writer_main, cap);
	if (ret < 0) {
		CAPTURE_LOG(cap, ERR, "cannot start the writer thread: %s", strerror(-ret));
		return ret;
	}
	cap->started = true;
	return 0;
}

int capture_stop(struct capture *cap)
{
	int ret;

	if (cap->stopped)
		return -EALREADY;
	if (cap->started) {
		__atomic_store_n(&cap->stopping, true, __ATOMIC_RELEASE);
		pthread_join(cap->writer, NULL);
	} else {
		capture_writer_drain(cap);
	}
	cap->stopped = true;
	if (fclose(cap->file) != 0 && cap->write_error == 0)
		__atomic_store_n(&cap->write_error, errno != 0 ? -errno : -EIO, __ATOMIC_RELAXED);
	cap->file = NULL;
	ret = cap->write_error;
	CAPTURE_LOG(cap, INFO, "stopped: %" PRIu64 " frames, %" PRIu64 " bytes written%s",
		    cap->written, cap->bytes_written, ret < 0 ? " before an error" : "");
	return ret;
}

void capture_free(struct capture *cap)
{
	struct rte_mbuf *m;

	if (cap == NULL)
		return;
	if (!cap->stopped)
		capture_stop(cap);
	/* Copies enqueued after the stop, against its contract: not leaked all the same. */
	while (cap->ring != NULL && rte_ring_dequeue(cap->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(cap->ring);
	rte_mempool_free(cap->pool);
	capture_filter_free(&cap->filter);
	rte_free(cap->lcore);
	rte_free(cap);
}

void capture_stats_get(const struct capture *cap, struct capture_stats *stats)
{
	unsigned int i;

	*stats = (struct capture_stats){0};
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		const struct capture_lcore *lc = &cap->lcore[i];

		stats->captured += __atomic_load_n(&lc->captured, __ATOMIC_RELAXED);
		stats->filtered += __atomic_load_n(&lc->filtered, __ATOMIC_RELAXED);
		stats->dropped_ring += __atomic_load_n(&lc->dropped_ring, __ATOMIC_RELAXED);
		stats->dropped_nombuf += __atomic_load_n(&lc->dropped_nombuf, __ATOMIC_RELAXED);
	}
	stats->written = __atomic_load_n(&cap->written, __ATOMIC_RELAXED);
	stats->bytes_written = __atomic_load_n(&cap->bytes_written, __ATOMIC_RELAXED);
	stats->write_error = __atomic_load_n(&cap->write_error, __ATOMIC_RELAXED);
}

bool capture_filter_is_jit(const struct capture *cap)
{
	return cap->filter.jit != NULL;
}
