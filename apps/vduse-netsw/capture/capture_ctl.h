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
#include "switch.h"

/**
 * Start a capture from the words of the command
 * "capture start PORT|all rx|tx|both FILE [snaplen N] [filter EXPR...]",
 * @p argv[0] being PORT. The filter is the rest of the words, in libpcap's
 * syntax (pcap-filter(7)).
 *
 * @return 0, or -1 with the reason written to @p out ("error: ..."): a
 *         capture already runs, a bad word, a filter libpcap refuses, a
 *         file that cannot be created.
 */
int vns_capture_start(struct vns_switch *sw, char **argv, int argc, FILE *out);

/**
 * Stop the running capture: the workers stop offering frames (an RCU grace
 * period), the writer drains its ring and closes the file. Its counters stay
 * for vns_capture_status().
 *
 * @return 0, or -1 when none runs (said on @p out).
 */
int vns_capture_stop(struct vns_switch *sw, FILE *out);

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

/** Write the running or the last capture's settings and counters to @p out. */
void vns_capture_status(struct vns_switch *sw, FILE *out);

/**
 * Port @p port_id is about to go: a capture of it stops first (its id
 * could be given to another port), and says so on @p out.
 */
void vns_capture_port_gone(struct vns_switch *sw, uint16_t port_id, FILE *out);

#endif /* VNS_CAPTURE_CTL_H */
