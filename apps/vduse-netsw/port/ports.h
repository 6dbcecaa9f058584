/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_PORTS_H
#define VNS_PORTS_H

/**
 * @file
 * The switch's port table: VDUSE ports from --vduse, then every ethdev the
 * EAL probed, with --port settings; one mbuf pool per NUMA socket. Control
 * thread only.
 */

#include <stdio.h>

#include "options.h"
#include "switch.h"

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

/**
 * Add a VDUSE port while the switch runs: @p arg is a --vduse value
 * (changed). Control thread; the other ports go on forwarding.
 *
 * @return the new port's id, or a negative errno after printing why to
 *   @p err (its last line says what was wrong).
 */
int vns_port_add_vduse(struct vns_switch *sw, char *arg, FILE *err);

/**
 * Probe the ethdev @p devargs (as EAL's --vdev or -a takes it, e.g.
 * "net_af_packet3,iface=eth3") and add it as a port with the --port keys
 * @p keys ("vlan=10,rxq=2"; NULL for none; changed). Control thread.
 *
 * @return the new port's id, or a negative errno after printing why to
 *   @p err (its last line says what was wrong).
 */
int vns_port_add_ethdev(struct vns_switch *sw, const char *devargs, char *keys, FILE *err);

/**
 * Remove port @p vp while the switch runs: a capture of it stops (said on
 * @p err), it leaves the workers' view (an RCU grace period), its MACs are
 * forgotten, and it is stopped and closed. Control thread; the other ports
 * go on forwarding.
 */
void vns_port_del(struct vns_switch *sw, struct vns_port *vp, FILE *err);

/**
 * "port purge": remove whatever is left of VDUSE port @p name, so that an
 * orchestrator's delete always succeeds: the port if the table has it (as
 * vns_port_del()), else a device of that name a switch that died left and
 * this one did not take back, with its state file (its netdev goes,
 * wherever it is). Nothing to remove is no error. Control thread.
 *
 * @return 1 when something was removed, 0 when nothing was there, or a
 *   negative errno after printing why to @p err (a bad name, an ethdev of
 *   that name, a device another process serves or that is not this
 *   switch's).
 */
int vns_port_purge(struct vns_switch *sw, const char *name, FILE *err);

/**
 * "port stop": no worker sends to @p vp or polls it any more (a grace
 * period), then its device stops; a VDUSE port's link goes down, so that
 * its guest stops sending. Control thread.
 */
void vns_port_stop(struct vns_switch *sw, struct vns_port *vp);

/**
 * "port start": start the device of a stopped port and give its queues
 * back to the workers (a VDUSE port's link comes up). Control thread.
 *
 * @return 0, or a negative errno (the port stays stopped).
 */
int vns_port_start(struct vns_switch *sw, struct vns_port *vp);

/**
 * "vlan set": give @p vp the VLAN mode @p vlan. The port pauses for a grace
 * period (workers read its mode frame by frame), and the MACs learned on
 * it are forgotten. Control thread.
 *
 * @return 0, or a negative errno when no worker could take its queues back.
 */
int vns_port_set_vlan(struct vns_switch *sw, struct vns_port *vp, const struct vns_port_vlan *vlan);

/** Stop and close every port of @p sw. Control thread. */
void vns_ports_close(struct vns_switch *sw);

#endif /* VNS_PORTS_H */
