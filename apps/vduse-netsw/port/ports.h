/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_PORTS_H
#define VNS_PORTS_H

/**
 * @file
 * The switch's port table: VDUSE ports from --vduse, then every ethdev the
 * EAL probed, with --port settings; one mbuf pool per NUMA socket. Control
 * thread only.
 */

#include "options.h"
#include "switch.h"

/** mbufs per socket's pool (a power of two minus one suits the mempool ring). */
#define VNS_NB_MBUFS 16383
/** Per-lcore mbuf cache of the pools. */
#define VNS_MBUF_CACHE 256

/**
 * Open the ports @p opts asks for and every probed ethdev, into @p sw's
 * table in that order (port ids 0, 1, ...), and start them. Stops early,
 * with the ports opened so far left in the table, when *@p stop is set.
 *
 * @return 0, or a negative errno after printing which port failed and why
 *   (an --port naming no probed ethdev is -ENODEV).
 */
int vns_ports_open(struct vns_switch *sw, const struct vns_options *opts,
		   const volatile bool *stop);

/** Stop and close every port of @p sw (workers stopped). */
void vns_ports_close(struct vns_switch *sw);

#endif /* VNS_PORTS_H */
