/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_STATS_H
#define VNS_STATS_H

/**
 * @file
 * The one formatter of the switch's counters, in testpmd's layout: the
 * periodic print (--stats-period), the exit summary and the control socket
 * all use it. Control thread only.
 */

#include <stdio.h>

#include "switch.h"

/** Counters the workers keep of one port, summed over the workers. */
struct vns_port_sums {
	uint64_t tx_full;     /**< dropped: the transmit queue stayed full */
	uint64_t filtered;    /**< dropped by the engine (VLAN, same port, no peer) */
	uint64_t flooded;     /**< frames flooded by the bridge */
	uint64_t no_mbuf;     /**< flood copies or generated frames without an mbuf */
	uint64_t bpf_dropped; /**< frames an eBPF port filter dropped */
};

/** Sum what the workers counted of port @p id. */
void vns_stats_port_sums(const struct vns_switch *sw, uint16_t id, struct vns_port_sums *sums);

/** Print the statistics of port @p vp (testpmd's "show port stats" layout). */
void vns_stats_port(FILE *out, const struct vns_switch *sw, struct vns_port *vp);

/** Print the statistics of every port. */
void vns_stats_ports(FILE *out, const struct vns_switch *sw);

/** Print the port's extended counters, drops by reason among them, one "name: value" a line. */
int vns_stats_xstats(FILE *out, struct vns_port *vp);

/**
 * Print each worker's receive queues and its busy and idle cycles (OVS's
 * pmd-stats-show): busy is the share of TSC cycles spent in rounds that
 * moved frames.
 */
void vns_stats_workers(FILE *out, const struct vns_switch *sw);

#endif /* VNS_STATS_H */
