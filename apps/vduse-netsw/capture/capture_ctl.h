/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_CAPTURE_CTL_H
#define VNS_CAPTURE_CTL_H

/**
 * @file
 * The switch's packet capture: one session at a time, over one port or all
 * of them, written by lib/capture to a pcapng file that names the ports.
 * The workers offer every burst they receive (after the port's receive
 * burst) and every burst they send (before the port's transmit burst) to
 * the session published in vns_switch::capture. Control thread only.
 */

#include <stdint.h>
#include <stdio.h>

#include "capture.h"
#include "cli/reply.h"
#include "switch.h"

/** What "capture start" asks for. */
struct vns_capture_req {
	struct vns_port *port; /**< the port, or NULL for all of them */
	enum capture_dir dir;  /**< which frames */
	const char *path;      /**< the pcapng file to create */
	/** "[snaplen N] [filter EXPR]", EXPR in libpcap's syntax (pcap-filter(7)); or NULL. */
	const char *options;
};

/**
 * Start a capture; the reply shows its settings.
 *
 * @return 0, or -1 after vns_reply_error(): a capture already runs, a bad
 *         option, a filter libpcap refuses, a file that cannot be created.
 */
int vns_capture_start(struct vns_switch *sw, const struct vns_capture_req *req,
		      struct vns_reply *r);

/**
 * Stop the running capture: the workers stop offering frames (an RCU grace
 * period), the writer drains its ring and closes the file. Its counters stay
 * for vns_capture_status(), which the reply shows.
 *
 * @return 0, or -1 after vns_reply_error(): none runs, or writing failed.
 */
int vns_capture_stop(struct vns_switch *sw, struct vns_reply *r);

/** The running or the last capture, as "capture status" and telemetry show it. */
struct vns_capture_view {
	bool ever;	       /**< a capture ran since the start; nothing else is set if not */
	bool running;	       /**< it still runs */
	const char *ports;     /**< a port's name, or "all" */
	const char *direction; /**< "rx", "tx" or "both" */
	const char *path;      /**< the file */
	uint32_t snaplen;      /**< bytes kept of a frame */
	const char *filter;    /**< libpcap expression, "" for none */
	bool jit;	       /**< the filter runs as native code */
	struct capture_stats stats; /**< now, or at its stop */
};

/** Fill @p view; its strings stay valid until the next capture command. */
void vns_capture_view(const struct vns_switch *sw, struct vns_capture_view *view);

/** Describe the running or the last capture's settings and counters. */
void vns_capture_status(struct vns_switch *sw, struct vns_reply *r);

/**
 * Port @p port_id is about to go: a capture of it (or of all ports) stops
 * first, as its id could be given to another port.
 *
 * @return whether a capture stopped.
 */
bool vns_capture_port_gone(struct vns_switch *sw, uint16_t port_id);

/** The switch closes: a running capture gets its file completed. */
void vns_capture_close(struct vns_switch *sw);

#endif /* VNS_CAPTURE_CTL_H */
