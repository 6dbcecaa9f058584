/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_STATS_H
#define VNS_STATS_H

/**
 * @file
 * The switch's counters, described once for the reply formatter (cli/reply.h)
 * in testpmd's layouts: "show port stats", "show port xstats", the
 * forwarding summary of "stop" and "show fwd stats", the periodic print
 * (--stats-period) and the exit summary. Control thread only.
 */

#include <stdio.h>

#include "cli/reply.h"
#include "switch.h"

/** Sum what the workers counted of port @p id. */
void vns_stats_port_sums(const struct vns_switch *sw, uint16_t id, struct vns_port_sums *sums);

/** Read the counters of @p vp now, into @p c. */
void vns_stats_read(const struct vns_switch *sw, struct vns_port *vp, struct vns_port_counts *c);

/**
 * Describe the counters of @p vp since "clear port stats" (testpmd's "show
 * port stats" layout, then the switch's own drops), and the rates since the
 * previous call for it.
 */
void vns_stats_port(struct vns_reply *r, const struct vns_switch *sw, struct vns_port *vp);

/** Describe every port's counters (vns_stats_port()) as a list. */
void vns_stats_ports(struct vns_reply *r, const struct vns_switch *sw);

/** Print every port's counters as text to @p out (--stats-period, the exit summary). */
void vns_stats_print(FILE *out, const struct vns_switch *sw);

/** "clear port stats": count @p vp from zero again. */
void vns_stats_clear(const struct vns_switch *sw, struct vns_port *vp);

/** Describe the port's extended counters (testpmd's layout: "name: value" a line). */
int vns_stats_xstats(struct vns_reply *r, struct vns_port *vp);

/** "start": the forwarding counters of every port begin now. */
void vns_stats_fwd_begin(const struct vns_switch *sw);

/**
 * Describe what every port forwarded since "start" and the totals (testpmd's
 * forward statistics, as "stop" and "show fwd stats all" print them).
 */
void vns_stats_fwd(struct vns_reply *r, const struct vns_switch *sw);

/**
 * Describe each worker's receive queues and its busy and idle cycles (OVS's
 * pmd-stats-show): busy is the share of TSC cycles spent in rounds that
 * moved frames.
 */
void vns_stats_workers(struct vns_reply *r, const struct vns_switch *sw);

#endif /* VNS_STATS_H */
