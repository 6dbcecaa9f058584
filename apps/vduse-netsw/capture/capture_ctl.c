/* SPDX-License-Identifier: BSD-3-Clause */
/* capture start|stop|status: a lib/capture session published to the workers. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include <rte_lcore.h>

#include "capture_ctl.h"
#include "options.h"

/* The filter text kept for "capture status"; the session runs the whole one. */
#define FILTER_TEXT_MAX 512

/* What "capture status" tells of the running or the last session. */
static struct {
	bool ever;
	char path[PATH_MAX];
	char ports[CAPTURE_IFNAME_MAX + 1]; /* a port's name, or "all" */
	bool all;
	uint16_t port_id;
	enum capture_dir dir;
	uint32_t snaplen;
	char filter[FILTER_TEXT_MAX];
	bool jit;
	struct capture_stats last; /* at the stop */
} session;

static const char *dir_name(enum capture_dir dir)
{
	return dir == CAPTURE_RX ? "rx" : dir == CAPTURE_TX ? "tx" : "both";
}

/* Join argv[0..argc-1] with single spaces into @p buf: the filter expression. */
static int join_words(char **argv, int argc, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= size - len)
			return -1;
		len += (size_t)n;
	}
	return 0;
}

/* The ports of PORT|all as capture interfaces; 0 when there is none. */
static unsigned int ifaces_of(struct vns_switch *sw, const char *which,
			      struct capture_iface *ifaces, FILE *out)
{
	struct vns_port *vp;
	unsigned int i, n = 0;

	if (strcmp(which, "all") == 0) {
		for (i = 0; i < sw->nb_ports; i++) {
			vp = sw->ports[i];
			if (vp != NULL)
				ifaces[n++] = (struct capture_iface){vp->port->id, vp->port->name};
		}
		if (n == 0)
			fprintf(out, "error: capture all: the switch has no port\n");
		return n;
	}
	vp = vns_port_find(sw, which);
	if (vp == NULL) {
		fprintf(out, "error: capture: no port '%s' (see: show ports; or all)\n", which);
		return 0;
	}
	ifaces[0] = (struct capture_iface){vp->port->id, vp->port->name};
	return 1;
}

/* Read the words after FILE: snaplen N, filter EXPR... */
static int parse_options(char **argv, int argc, struct capture_params *p, char *filter, FILE *out)
{
	unsigned long v;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "snaplen") == 0 && i + 1 < argc) {
			if (vns_parse_uint(argv[i + 1], CAPTURE_SNAPLEN_MAX, &v) < 0 || v == 0) {
				fprintf(out, "error: snaplen '%s': expected bytes in 1..%u\n",
					argv[i + 1], CAPTURE_SNAPLEN_MAX);
				return -1;
			}
			p->snaplen = (uint32_t)v;
			i++;
		} else if (strcmp(argv[i], "filter") == 0 && i + 1 < argc) {
			if (join_words(argv + i + 1, argc - i - 1, filter, FILTER_TEXT_MAX) < 0) {
				fprintf(out, "error: filter longer than %d characters\n",
					FILTER_TEXT_MAX - 1);
				return -1;
			}
			p->filter = filter;
			return 0;
		} else {
			fprintf(out,
				"error: capture start: '%s': expected snaplen N or filter EXPR\n",
				argv[i]);
			return -1;
		}
	}
	return 0;
}

int vns_capture_start(struct vns_switch *sw, char **argv, int argc, FILE *out)
{
	static struct capture_iface ifaces[VNS_MAX_PORTS];
	char filter[FILTER_TEXT_MAX] = "", msg[CAPTURE_ERRMSG_SIZE];
	struct capture_params p;
	struct capture *cap;
	int err = 0;

	if (sw->capture != NULL) {
		fprintf(out, "error: a capture to %s runs: capture stop first\n", session.path);
		return -1;
	}
	if (argc < 3) {
		fprintf(out, "error: usage: capture start PORT|all rx|tx|both FILE [snaplen N] "
			     "[filter EXPR]\n");
		return -1;
	}
	capture_params_init(&p);
	p.name = "vns";
	p.path = argv[2];
	p.socket_id = (int)rte_socket_id();
	if (strcmp(argv[1], "rx") == 0) {
		p.dir = CAPTURE_RX;
	} else if (strcmp(argv[1], "tx") == 0) {
		p.dir = CAPTURE_TX;
	} else if (strcmp(argv[1], "both") == 0) {
		p.dir = CAPTURE_BOTH;
	} else {
		fprintf(out, "error: capture direction '%s': expected rx, tx or both\n", argv[1]);
		return -1;
	}
	if (strlen(argv[2]) >= sizeof(session.path)) {
		fprintf(out, "error: capture file name longer than %zu\n",
			sizeof(session.path) - 1);
		return -1;
	}
	p.n_ifaces = ifaces_of(sw, argv[0], ifaces, out);
	if (p.n_ifaces == 0)
		return -1;
	p.ifaces = ifaces;
	if (parse_options(argv + 3, argc - 3, &p, filter, out) < 0)
		return -1;

	cap = capture_create(&p, &err, msg, sizeof(msg));
	if (cap == NULL) {
		fprintf(out, "error: capture: %s\n", msg[0] ? msg : strerror(-err));
		return -1;
	}
	err = capture_start(cap);
	if (err < 0) {
		capture_free(cap);
		fprintf(out, "error: capture: cannot start the writer: %s\n", strerror(-err));
		return -1;
	}
	session.ever = true;
	snprintf(session.path, sizeof(session.path), "%s", argv[2]);
	snprintf(session.ports, sizeof(session.ports), "%s", argv[0]);
	session.all = strcmp(argv[0], "all") == 0;
	session.port_id = ifaces[0].port_id;
	session.dir = p.dir;
	session.snaplen = p.snaplen;
	snprintf(session.filter, sizeof(session.filter), "%s", filter);
	session.jit = capture_filter_is_jit(cap);
	/* The workers see it from their next burst. */
	__atomic_store_n(&sw->capture, cap, __ATOMIC_RELEASE);
	vns_capture_status(sw, out);
	return 0;
}

int vns_capture_stop(struct vns_switch *sw, FILE *out)
{
	struct capture *cap = sw->capture;
	int ret;

	if (cap == NULL) {
		fprintf(out, "error: no capture runs\n");
		return -1;
	}
	__atomic_store_n(&sw->capture, NULL, __ATOMIC_RELEASE);
	/* No worker inside capture_burst() any more: the session may go. */
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
	ret = capture_stop(cap);
	capture_stats_get(cap, &session.last);
	capture_free(cap);
	vns_capture_status(sw, out);
	if (ret < 0) {
		fprintf(out, "error: writing %s failed: %s\n", session.path, strerror(-ret));
		return -1;
	}
	return 0;
}

void vns_capture_view(const struct vns_switch *sw, struct vns_capture_view *view)
{
	*view = (struct vns_capture_view){.ever = session.ever};
	if (!session.ever)
		return;
	view->running = sw->capture != NULL;
	view->ports = session.ports;
	view->direction = dir_name(session.dir);
	view->path = session.path;
	view->snaplen = session.snaplen;
	view->filter = session.filter;
	view->jit = session.jit;
	if (view->running)
		capture_stats_get(sw->capture, &view->stats);
	else
		view->stats = session.last;
}

void vns_capture_status(struct vns_switch *sw, FILE *out)
{
	struct vns_capture_view v;
	const struct capture_stats *s = &v.stats;

	vns_capture_view(sw, &v);
	if (!v.ever) {
		fprintf(out, "capture: none since the start\n");
		return;
	}
	fprintf(out, "capture: %s\nports: %s\ndirection: %s\nfile: %s\nsnaplen: %u\n",
		v.running ? "running" : "stopped", v.ports, v.direction, v.path, v.snaplen);
	if (v.filter[0] != '\0')
		fprintf(out, "filter: %s (%s)\n", v.filter, v.jit ? "BPF JIT" : "BPF interpreter");
	fprintf(out,
		"captured: %" PRIu64 "\nfiltered: %" PRIu64 "\ndropped-ring: %" PRIu64
		"\ndropped-nombuf: %" PRIu64 "\nwritten: %" PRIu64 "\nbytes-written: %" PRIu64 "\n",
		s->captured, s->filtered, s->dropped_ring, s->dropped_nombuf, s->written,
		s->bytes_written);
	if (s->write_error != 0)
		fprintf(out, "write-error: %s\n", strerror(-s->write_error));
}

void vns_capture_port_gone(struct vns_switch *sw, uint16_t port_id, FILE *out)
{
	if (sw->capture == NULL || (!session.all && session.port_id != port_id))
		return;
	fprintf(out, "capture of a removed port: stopped\n");
	vns_capture_stop(sw, out);
}
