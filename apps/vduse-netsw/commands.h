/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VNS_COMMANDS_H
#define VNS_COMMANDS_H

/**
 * @file
 * The switch's commands, as the control socket takes them:
 *
 *     link PORT up|down         set the link the port's peer sees
 *     show ports                ports, drivers, links, VLAN modes
 *     show stats [PORT]         counters (testpmd's layout)
 *     show xstats PORT          extended counters, drops by reason
 *     show fdb                  the MAC table: VLAN, MAC, port, age
 *     show fdb-stats            the MAC table's counters
 *     show workers              receive queues and busy/idle cycles per worker
 *     set fwd ENGINE            switch the forwarding engine
 *     set aging SECONDS         MAC aging time (0: never)
 *     fdb flush [PORT]          forget the MACs of one port, or all
 *     fdb add VLAN MAC PORT     a static entry: never ages, moves or is evicted
 *     fdb del VLAN MAC          remove an entry
 *     port add vduse SPEC       add a VDUSE port (SPEC as for --vduse)
 *     port add ethdev DEVARGS [KEYS]
 *                               probe an ethdev (as --vdev or -a) and add it,
 *                               with --port keys ("vlan=10,rxq=2")
 *     port del PORT             remove a port; the others forward on (a capture
 *                               of it stops first)
 *     capture start PORT|all rx|tx|both FILE [snaplen N] [filter EXPR]
 *                               write the port's frames to a pcapng file,
 *                               those libpcap's filter EXPR passes
 *     capture stop              stop it and close the file
 *     capture [status]          the running or last capture and its counters
 *     bpf-load rx|tx PORT QUEUE J|- FILE
 *                               an eBPF filter on a port's queue (J: JIT)
 *     bpf-unload rx|tx PORT QUEUE
 *                               remove it
 *
 * PORT is a port's name, or its number.
 *
 * Every answer ends with a line "ok", or with one starting with "error: "
 * (port add and del say what was wrong on the lines before it).
 * Control thread only.
 */

#include <stdio.h>

#include "switch.h"

/**
 * Run one command line and write the answer to @p out.
 *
 * @return 0 when the command succeeded, -1 otherwise.
 */
int vns_command_exec(char *line, FILE *out, struct vns_switch *sw);

#endif /* VNS_COMMANDS_H */
