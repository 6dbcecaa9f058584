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

/* Read the options after FILE: "snaplen N", then "filter EXPR" (the rest). */
static int parse_options(const char *opts, struct capture_params *p, char *filter,
			 struct vns_reply *r)
{
	char word[16], *end;
	unsigned long v;
	int n;

	while (opts != NULL && *opts != '\0') {
		opts += strspn(opts, " \t");
		n = (int)strcspn(opts, " \t");
		if (n == 7 && strncmp(opts, "snaplen", 7) == 0) {
			opts += n + strspn(opts + n, " \t");
			n = (int)strcspn(opts, " \t");
			snprintf(word, sizeof(word), "%.*s", n, opts);
			if (n >= (int)sizeof(word) ||
			    vns_parse_uint(word, CAPTURE_SNAPLEN_MAX, &v) < 0 || v == 0)
				return vns_reply_error(r, "snaplen '%.*s': expected bytes in 1..%u",
						       n, opts, CAPTURE_SNAPLEN_MAX);
			p->snaplen = (uint32_t)v;
			opts += n;
		} else if (n == 6 && strncmp(opts, "filter", 6) == 0 && opts[n] != '\0') {
			opts += n + strspn(opts + n, " \t");
			if (strlen(opts) >= FILTER_TEXT_MAX)
				return vns_reply_error(r, "filter longer than %d characters",
						       FILTER_TEXT_MAX - 1);
			strcpy(filter, opts);
			end = filter + strlen(filter);
			while (end > filter && (end[-1] == ' ' || end[-1] == '\t'))
				*--end = '\0';
			p->filter = filter;
			return 0;
		} else if (n > 0) {
			return vns_reply_error(r, "'%.*s': expected snaplen N or filter EXPR", n,
					       opts);
		}
	}
	return 0;
}

/* The ports of @port (NULL: all) as capture interfaces; 0 when there is none. */
static unsigned int ifaces_of(struct vns_switch *sw, struct vns_port *port,
			      struct capture_iface *ifaces)
{
	unsigned int i, n = 0;

	for (i = 0; i < sw->nb_ports; i++) {
		struct vns_port *vp = sw->ports[i];

		if (vp != NULL && (port == NULL || port == vp))
			ifaces[n++] = (struct capture_iface){vp->port->id, vp->port->name};
	}
	return n;
}

int vns_capture_start(struct vns_switch *sw, const struct vns_capture_req *req, struct vns_reply *r)
{
	static struct capture_iface ifaces[VNS_MAX_PORTS];
	char filter[FILTER_TEXT_MAX] = "", msg[CAPTURE_ERRMSG_SIZE];
	struct capture_params p;
	struct capture *cap;
	int err = 0;

	if (sw->capture != NULL)
		return vns_reply_error(r, "a capture to %s runs: capture stop first", session.path);
	capture_params_init(&p);
	p.name = "vns";
	p.path = req->path;
	p.socket_id = (int)rte_socket_id();
	p.dir = req->dir;
	if (strlen(req->path) >= sizeof(session.path))
		return vns_reply_error(r, "file name longer than %zu", sizeof(session.path) - 1);
	p.n_ifaces = ifaces_of(sw, req->port, ifaces);
	if (p.n_ifaces == 0)
		return vns_reply_error(r, "capture all: the switch has no port");
	p.ifaces = ifaces;
	if (parse_options(req->options, &p, filter, r) < 0)
		return -1;

	cap = capture_create(&p, &err, msg, sizeof(msg));
	if (cap == NULL)
		return vns_reply_error(r, "%s", msg[0] ? msg : strerror(-err));
	err = capture_start(cap);
	if (err < 0) {
		capture_free(cap);
		return vns_reply_error(r, "cannot start the writer: %s", strerror(-err));
	}
	session.ever = true;
	snprintf(session.path, sizeof(session.path), "%s", req->path);
	snprintf(session.ports, sizeof(session.ports), "%s",
		 req->port != NULL ? req->port->port->name : "all");
	session.port_id = ifaces[0].port_id;
	session.dir = p.dir;
	session.snaplen = p.snaplen;
	snprintf(session.filter, sizeof(session.filter), "%s", filter);
	session.jit = capture_filter_is_jit(cap);
	/* The workers see it from their next burst. */
	__atomic_store_n(&sw->capture, cap, __ATOMIC_RELEASE);
	vns_capture_status(sw, r);
	return 0;
}

/* End the running session: @return 0, or the writer's negative errno. */
static int session_end(struct vns_switch *sw)
{
	struct capture *cap = sw->capture;
	int ret;

	__atomic_store_n(&sw->capture, NULL, __ATOMIC_RELEASE);
	/* No worker inside capture_burst() any more: the session may go. */
	rte_rcu_qsbr_synchronize(sw->qsbr, RTE_QSBR_THRID_INVALID);
	ret = capture_stop(cap);
	capture_stats_get(cap, &session.last);
	capture_free(cap);
	return ret;
}

int vns_capture_stop(struct vns_switch *sw, struct vns_reply *r)
{
	int ret;

	if (sw->capture == NULL)
		return vns_reply_error(r, "no capture runs");
	ret = session_end(sw);
	vns_capture_status(sw, r);
	if (ret < 0)
		return vns_reply_error(r, "writing %s failed: %s", session.path, strerror(-ret));
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

void vns_capture_status(struct vns_switch *sw, struct vns_reply *r)
{
	struct vns_capture_view v;
	const struct capture_stats *s = &v.stats;

	vns_capture_view(sw, &v);
	vns_reply_open(r, "capture", NULL);
	if (!v.ever) {
		vns_reply_str(r, "state", "capture: %s since the start\n", "none");
		vns_reply_close(r, NULL);
		return;
	}
	vns_reply_str(r, "state", "capture: %s\n", v.running ? "running" : "stopped");
	vns_reply_str(r, "ports", "ports: %s\n", v.ports);
	vns_reply_str(r, "direction", "direction: %s\n", v.direction);
	vns_reply_str(r, "file", "file: %s\n", v.path);
	vns_reply_u64(r, "snaplen", "snaplen: %" PRIu64 "\n", v.snaplen);
	if (v.filter[0] != '\0') {
		vns_reply_str(r, "filter", "filter: %s", v.filter);
		vns_reply_bool(r, "jit", " (%s)\n", v.jit, "BPF JIT", "BPF interpreter");
	}
	vns_reply_u64(r, "captured", "captured: %" PRIu64 "\n", s->captured);
	vns_reply_u64(r, "filtered", "filtered: %" PRIu64 "\n", s->filtered);
	vns_reply_u64(r, "dropped_ring", "dropped-ring: %" PRIu64 "\n", s->dropped_ring);
	vns_reply_u64(r, "dropped_nombuf", "dropped-nombuf: %" PRIu64 "\n", s->dropped_nombuf);
	vns_reply_u64(r, "written", "written: %" PRIu64 "\n", s->written);
	vns_reply_u64(r, "bytes_written", "bytes-written: %" PRIu64 "\n", s->bytes_written);
	if (s->write_error != 0)
		vns_reply_str(r, "write_error", "write-error: %s\n", strerror(-s->write_error));
	vns_reply_close(r, NULL);
}

bool vns_capture_port_gone(struct vns_switch *sw, uint16_t port_id)
{
	if (sw->capture == NULL ||
	    (strcmp(session.ports, "all") != 0 && session.port_id != port_id))
		return false;
	session_end(sw);
	return true;
}

void vns_capture_close(struct vns_switch *sw)
{
	if (sw->capture != NULL)
		session_end(sw);
}
