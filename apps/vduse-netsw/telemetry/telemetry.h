/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_TELEMETRY_H
#define VNS_TELEMETRY_H

/**
 * @file
 * The switch in DPDK telemetry: endpoints under /vduse_netsw/ that DPDK's
 * own client (dpdk-telemetry.py, the socket of the EAL's file prefix)
 * reads as JSON:
 *
 *     /vduse_netsw/ports               port ids
 *     /vduse_netsw/port_info,PORT      name, driver, socket, queues, MTU, link
 *     /vduse_netsw/port_stats,PORT     counters, the switch's drops among them
 *     /vduse_netsw/port_xstats,PORT    drops by reason, offload work, the PMD's own
 *     /vduse_netsw/workers             per worker lcore: queues, packets, busy cycles
 *     /vduse_netsw/fdb                 the MAC table (the first 512 entries)
 *     /vduse_netsw/fdb_stats           its counters
 *     /vduse_netsw/capture             the running or last capture
 *
 * PORT is a port's number or name. The callbacks run on the EAL's telemetry
 * thread: each takes vns_switch::lock, which the control thread holds while
 * it runs a command, syncs the MAC table or closes the switch.
 */

#include "switch.h"

/**
 * Register the endpoints for @p sw. Control thread, once, when the switch
 * is up. The endpoints answer an error once vns_telemetry_close() ran.
 *
 * @return 0, or a negative errno of rte_telemetry_register_cmd().
 */
int vns_telemetry_init(struct vns_switch *sw);

/** The switch is going: the endpoints stop reading it. Control thread. */
void vns_telemetry_close(struct vns_switch *sw);

#endif /* VNS_TELEMETRY_H */
